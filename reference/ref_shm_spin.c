/* shm_spin: shared memory, both sides busy-wait on the peer's sequence word
 * (acquire load, pause); the producer copies the ping in and checks the pong
 * in place, the consumer copies ping to pong, as ipc_bench's shm_spin. */
#include "ref_shm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const size_t ref_max_payload = 16u << 20;

static struct ref_segment segment;
static size_t size;

void ref_open(size_t payload) {
    size = payload;
    segment = ref_segment_map(payload);
}

void ref_serve(void) {
    for (uint64_t seq = 1;; ++seq) {
        if (ref_await_change(segment.ping, seq - 1) != seq) exit(1);
        memcpy(segment.pong.data, segment.ping.data, size);
        ref_publish(segment.pong, seq);
    }
}

const unsigned char *ref_round_trip(const unsigned char *ping, uint64_t seq) {
    memcpy(segment.ping.data, ping, size);
    ref_publish(segment.ping, seq);
    if (ref_await_change(segment.pong, seq - 1) != seq) {
        fprintf(stderr, "ref_shm_spin: pong sequence differs from %llu\n", (unsigned long long)seq);
        exit(1);
    }
    return segment.pong.data;
}
