/* The driver shared by every reference loop: see ref_driver.h.
 *
 *   ref_<mechanism> [-c A,B] [-s BYTES] [-n N] [-T MS] [-w MS] [-t SEC]
 *
 * -c A,B  producer on CPU A, consumer on CPU B (A = B: both on one CPU;
 *         default: not pinned), as ipc_bench --cpus A,B.
 * -s      payload, bytes each way (default 4), as ipc_bench -p.
 * -n      timed round trips; 0 (default): as many as take about -T ms
 *         (default 300), from the rate of the warm-up.
 * -w      warm-up in ms before the timed batch (default 50, as ipc_bench).
 * -t      give up after SEC seconds (default 60).
 *
 * Output, one line: name=... payload=... cpus=... round_trips=... mean_ns=... */
#include "ref_driver.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *program = "ref";

_Noreturn void ref_fail(const char *what) {
    fprintf(stderr, "%s: %s: %s\n", program, what, strerror(errno));
    exit(1);
}

void ref_read_full(int fd, void *buf, size_t n) {
    for (unsigned char *p = buf; n > 0;) {
        ssize_t r = read(fd, p, n);
        if (r > 0) {
            p += r;
            n -= (size_t)r;
        } else if (r == 0) {
            errno = EPIPE;
            ref_fail("read: the peer closed");
        } else if (errno != EINTR) {
            ref_fail("read");
        }
    }
}

void ref_write_full(int fd, const void *buf, size_t n) {
    for (const unsigned char *p = buf; n > 0;) {
        ssize_t r = write(fd, p, n);
        if (r >= 0) {
            p += r;
            n -= (size_t)r;
        } else if (errno != EINTR) {
            ref_fail("write");
        }
    }
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void pin(int cpu) {
    if (cpu < 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) ref_fail("sched_setaffinity");
}

/* Async-signal-safe: a hung or dead peer ends the run with one line. */
static void on_alarm(int sig) {
    (void)sig;
    static const char msg[] = ": no pong within the time limit (-t)\n";
    (void)!write(2, program, strlen(program));
    (void)!write(2, msg, sizeof msg - 1);
    _exit(1);
}

static void on_child_exit(int sig) {
    (void)sig;
    static const char msg[] = ": the consumer exited\n";
    (void)!write(2, program, strlen(program));
    (void)!write(2, msg, sizeof msg - 1);
    _exit(1);
}

static _Noreturn void usage(const char *why) {
    fprintf(stderr, "%s: %s (usage: %s [-c A,B] [-s BYTES] [-n N] [-T MS] [-w MS] [-t SEC])\n", program, why,
            program);
    exit(2);
}

static long number(const char *text, const char *option, long min, long max) {
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) {
        char why[128];
        snprintf(why, sizeof why, "%s: not a number from %ld to %ld: '%s'", option, min, max, text);
        usage(why);
    }
    return v;
}

/* As ipc_bench's Message: the low min(payload, 8) bytes of the sequence. */
static void stamp(unsigned char *ping, size_t payload, uint64_t seq) {
    memcpy(ping, &seq, payload < sizeof seq ? payload : sizeof seq);
}

static uint64_t seq;

static void round_trips(unsigned char *ping, size_t payload, uint64_t count) {
    for (uint64_t i = 0; i < count; ++i) {
        stamp(ping, payload, ++seq);
        const unsigned char *pong = ref_round_trip(ping, seq);
        if (memcmp(pong, ping, payload) != 0) {
            fprintf(stderr, "%s: pong %llu differs from its ping\n", program, (unsigned long long)seq);
            exit(1);
        }
    }
}

int main(int argc, char **argv) {
    program = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    int cpu_producer = -1, cpu_consumer = -1;
    long payload = 4, count = 0, target_ms = 300, warmup_ms = 50, timeout_s = 60;
    int c;
    opterr = 0; /* usage() says it in one line */
    while ((c = getopt(argc, argv, "c:s:n:T:w:t:")) != -1) {
        switch (c) {
        case 'c': {
            char extra;
            if (sscanf(optarg, "%d,%d%c", &cpu_producer, &cpu_consumer, &extra) != 2 || cpu_producer < 0 ||
                cpu_consumer < 0)
                usage("-c: expected two CPU numbers, A,B");
            break;
        }
        case 's': payload = number(optarg, "-s", 1, (long)ref_max_payload); break;
        case 'n': count = number(optarg, "-n", 0, LONG_MAX); break;
        case 'T': target_ms = number(optarg, "-T", 0, 3600000); break;
        case 'w': warmup_ms = number(optarg, "-w", 0, 3600000); break;
        case 't': timeout_s = number(optarg, "-t", 0, 86400); break;
        default: usage("unknown option or missing value");
        }
    }
    if (optind < argc) usage("unexpected argument");

    unsigned char *ping = malloc((size_t)payload);
    if (!ping) ref_fail("malloc");
    memset(ping, 0xa5, (size_t)payload); /* the filler beyond the stamp */

    signal(SIGALRM, on_alarm);
    alarm((unsigned)timeout_s);
    pin(cpu_producer);
    ref_open((size_t)payload);
    signal(SIGCHLD, on_child_exit);
    const pid_t parent = getpid();
    const pid_t child = fork();
    if (child < 0) ref_fail("fork");
    if (child == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) ref_fail("prctl");
        if (getppid() != parent) _exit(1);
        pin(cpu_consumer);
        ref_serve();
        _exit(1);
    }

    /* Warm-up with the same consumer, in batches with a clock read between. */
    uint64_t warmed = 0;
    const uint64_t warm_start = now_ns();
    uint64_t warm_end = warm_start;
    for (uint64_t batch = 16; warm_end - warm_start < (uint64_t)warmup_ms * 1000000u; warm_end = now_ns()) {
        round_trips(ping, (size_t)payload, batch);
        warmed += batch;
        if (batch < 4096) batch *= 2;
    }
    if (count == 0) {
        const double rate = warmed && warm_end > warm_start ? (double)warmed / (double)(warm_end - warm_start) : 0;
        count = rate > 0 ? (long)(rate * (double)target_ms * 1e6) : 1000;
        if (count < 1) count = 1;
    }

    const uint64_t start = now_ns();
    round_trips(ping, (size_t)payload, (uint64_t)count);
    const uint64_t end = now_ns();

    signal(SIGCHLD, SIG_DFL);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    printf("name=%s payload=%ld cpus=", program + (strncmp(program, "ref_", 4) ? 0 : 4), payload);
    if (cpu_producer < 0) printf("unpinned"); else printf("%d,%d", cpu_producer, cpu_consumer);
    printf(" round_trips=%ld mean_ns=%.2f\n", count, (double)(end - start) / (double)count);
    free(ping);
    return 0;
}
