/* pipe: two pipes, one per direction; write() the ping, read() the pong
 * until complete, as ipc_bench's pipe transport over the consumer's stdin
 * and stdout. */
#include "ref_driver.h"

#include <stdlib.h>
#include <unistd.h>

const size_t ref_max_payload = 16u << 20;

static int to_consumer[2], to_producer[2];
static size_t size;
static unsigned char *buf;

void ref_open(size_t payload) {
    size = payload;
    buf = malloc(payload);
    if (!buf) ref_fail("malloc");
    if (pipe(to_consumer) != 0 || pipe(to_producer) != 0) ref_fail("pipe");
}

void ref_serve(void) {
    for (;;) {
        ref_read_full(to_consumer[0], buf, size);
        ref_write_full(to_producer[1], buf, size);
    }
}

const unsigned char *ref_round_trip(const unsigned char *ping, uint64_t seq) {
    (void)seq;
    ref_write_full(to_consumer[1], ping, size);
    ref_read_full(to_producer[0], buf, size);
    return buf;
}
