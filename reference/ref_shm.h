/* The shared-memory segment of ref_shm_spin and ref_eventfd, laid out as
 * ipc_bench's (docs/protocol.md): a 128-byte header, then a ping and a pong
 * channel, each a 64-bit sequence word and the payload 8 bytes in, each
 * channel rounded up to 128 bytes so the two never share a line pair. */
#ifndef REF_SHM_H
#define REF_SHM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

#include "ref_driver.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define ref_cpu_relax() _mm_pause()
#elif defined(__aarch64__)
#define ref_cpu_relax() __asm__ volatile("yield" ::: "memory")
#else
#define ref_cpu_relax() ((void)0)
#endif

struct ref_channel {
    _Atomic uint64_t *seq;
    unsigned char *data;
};

struct ref_segment {
    struct ref_channel ping, pong;
};

/* Shared with the consumer across fork(): an anonymous shared mapping is
 * tmpfs memory, as ipc_bench's POSIX shared memory. */
static inline struct ref_segment ref_segment_map(size_t payload) {
    const size_t line_pair = 128, header = 128;
    const size_t channel = (8 + payload + line_pair - 1) / line_pair * line_pair;
    unsigned char *base = mmap(NULL, header + 2 * channel, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) ref_fail("mmap");
    unsigned char *ping = base + header, *pong = ping + channel;
    return (struct ref_segment){{(_Atomic uint64_t *)ping, ping + 8}, {(_Atomic uint64_t *)pong, pong + 8}};
}

static inline void ref_publish(struct ref_channel c, uint64_t seq) {
    atomic_store_explicit(c.seq, seq, memory_order_release);
}

static inline uint64_t ref_load(struct ref_channel c) {
    return atomic_load_explicit(c.seq, memory_order_acquire);
}

static inline uint64_t ref_await_change(struct ref_channel c, uint64_t previous) {
    uint64_t now;
    while ((now = ref_load(c)) == previous) ref_cpu_relax();
    return now;
}

#endif
