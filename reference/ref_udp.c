/* udp: two loopback UDP sockets connected to each other; one send() per
 * ping and per pong, one recv(MSG_TRUNC) that sees a datagram's whole
 * length, as ipc_bench's udp. */
#include "ref_driver.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

const size_t ref_max_payload = 65507;

static int producer, consumer;
static size_t size;
static unsigned char *buf;

static int bound_socket(struct sockaddr_in *addr) {
    socklen_t len = sizeof *addr;
    *addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof *addr) != 0 ||
        getsockname(fd, (struct sockaddr *)addr, &len) != 0)
        ref_fail("bind a UDP socket on 127.0.0.1");
    return fd;
}

void ref_open(size_t payload) {
    size = payload;
    buf = malloc(payload);
    if (!buf) ref_fail("malloc");
    struct sockaddr_in a, b;
    producer = bound_socket(&a);
    consumer = bound_socket(&b);
    if (connect(producer, (struct sockaddr *)&b, sizeof b) != 0 || connect(consumer, (struct sockaddr *)&a, sizeof a) != 0)
        ref_fail("connect");
}

static void send_datagram(int fd, const void *data) {
    ssize_t r;
    while ((r = send(fd, data, size, 0)) < 0 && errno == EINTR) {
    }
    if (r != (ssize_t)size) ref_fail("send");
}

static void receive_datagram(int fd) {
    ssize_t r;
    while ((r = recv(fd, buf, size, MSG_TRUNC)) < 0 && errno == EINTR) {
    }
    if (r != (ssize_t)size) {
        errno = EMSGSIZE;
        ref_fail("recv: a datagram of the wrong size");
    }
}

void ref_serve(void) {
    for (;;) {
        receive_datagram(consumer);
        send_datagram(consumer, buf);
    }
}

const unsigned char *ref_round_trip(const unsigned char *ping, uint64_t seq) {
    (void)seq;
    send_datagram(producer, ping);
    receive_datagram(producer);
    return buf;
}
