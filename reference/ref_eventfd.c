/* eventfd: the payload in shared memory, a pair of blocking eventfds
 * (counter mode) to wake each side: the producer copies the ping in,
 * publishes its sequence and signals; the consumer wakes, copies ping to
 * pong, publishes and signals back, as ipc_bench's eventfd. */
#include "ref_shm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

const size_t ref_max_payload = 16u << 20;

static struct ref_segment segment;
static int ping_fd, pong_fd;
static size_t size;

void ref_open(size_t payload) {
    size = payload;
    segment = ref_segment_map(payload);
    ping_fd = eventfd(0, 0);
    pong_fd = eventfd(0, 0);
    if (ping_fd < 0 || pong_fd < 0) ref_fail("eventfd");
}

static void notify(int fd) {
    const uint64_t one = 1;
    while (write(fd, &one, sizeof one) < 0)
        if (errno != EINTR) ref_fail("eventfd write");
}

static uint64_t await_signal(int fd) {
    uint64_t count;
    while (read(fd, &count, sizeof count) < 0)
        if (errno != EINTR) ref_fail("eventfd read");
    return count;
}

void ref_serve(void) {
    for (uint64_t seq = 1;; ++seq) {
        if (await_signal(ping_fd) != 1 || ref_load(segment.ping) != seq) exit(1);
        memcpy(segment.pong.data, segment.ping.data, size);
        ref_publish(segment.pong, seq);
        notify(pong_fd);
    }
}

const unsigned char *ref_round_trip(const unsigned char *ping, uint64_t seq) {
    memcpy(segment.ping.data, ping, size);
    ref_publish(segment.ping, seq);
    notify(ping_fd);
    if (await_signal(pong_fd) != 1 || ref_load(segment.pong) != seq) {
        fprintf(stderr, "ref_eventfd: pong %llu: wrong signal count or sequence\n", (unsigned long long)seq);
        exit(1);
    }
    return segment.pong.data;
}
