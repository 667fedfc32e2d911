/* tcp_nodelay and tcp_nagle (built with REF_NAGLE): a loopback TCP
 * connection, TCP_NODELAY on both ends unless Nagle's algorithm is asked
 * for; write() the ping, read() the pong until complete. */
#include "ref_driver.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

const size_t ref_max_payload = 16u << 20;

static int producer, consumer;
static size_t size;
static unsigned char *buf;

static void no_delay(int fd) {
#ifndef REF_NAGLE
    const int on = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0) ref_fail("setsockopt TCP_NODELAY");
#else
    (void)fd;
#endif
}

/* Both ends made here, before fork: a loopback connect() to a listening
 * socket completes at once from the backlog. */
void ref_open(size_t payload) {
    size = payload;
    buf = malloc(payload);
    if (!buf) ref_fail("malloc");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0) ref_fail("socket");
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listener, 1) != 0 ||
        getsockname(listener, (struct sockaddr *)&addr, &len) != 0)
        ref_fail("listen on 127.0.0.1");
    producer = socket(AF_INET, SOCK_STREAM, 0);
    if (producer < 0 || connect(producer, (struct sockaddr *)&addr, sizeof addr) != 0) ref_fail("connect");
    consumer = accept(listener, NULL, NULL);
    if (consumer < 0) ref_fail("accept");
    close(listener);
    no_delay(producer);
    no_delay(consumer);
}

void ref_serve(void) {
    for (;;) {
        ref_read_full(consumer, buf, size);
        ref_write_full(consumer, buf, size);
    }
}

const unsigned char *ref_round_trip(const unsigned char *ping, uint64_t seq) {
    (void)seq;
    ref_write_full(producer, ping, size);
    ref_read_full(producer, buf, size);
    return buf;
}
