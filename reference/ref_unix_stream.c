/* unix_stream: a connected Unix domain stream socket pair; write() the
 * ping, read() the pong until complete, as ipc_bench's unix_stream. */
#include "ref_driver.h"

#include <stdlib.h>
#include <sys/socket.h>

const size_t ref_max_payload = 16u << 20;

static int ends[2]; /* [0] producer, [1] consumer */
static size_t size;
static unsigned char *buf;

void ref_open(size_t payload) {
    size = payload;
    buf = malloc(payload);
    if (!buf) ref_fail("malloc");
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, ends) != 0) ref_fail("socketpair");
}

void ref_serve(void) {
    for (;;) {
        ref_read_full(ends[1], buf, size);
        ref_write_full(ends[1], buf, size);
    }
}

const unsigned char *ref_round_trip(const unsigned char *ping, uint64_t seq) {
    (void)seq;
    ref_write_full(ends[0], ping, size);
    ref_read_full(ends[0], buf, size);
    return buf;
}
