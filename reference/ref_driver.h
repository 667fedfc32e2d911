/* The reference loops: for each mechanism the plainest C program that does
 * what ipc_bench's transport does per round trip, so that a user can hold
 * ipc_bench's figures against them (scripts/vs_reference.py).
 *
 * ref_driver.c is the program: options, pinning, fork, warm-up, the timed
 * batch between two clock reads, the output line.  Each ref_<mechanism>.c
 * supplies only the channel, through the functions below.  They are called
 * directly, not through pointers, so the timed loop carries no indirect call
 * (ipc_bench's has none either). */
#ifndef REF_DRIVER_H
#define REF_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/* The largest payload the mechanism carries (bytes each way). */
extern const size_t ref_max_payload;

/* Before fork: make the channel for `payload` bytes each way. */
void ref_open(size_t payload);

/* In the consumer, after fork: echo every ping as its pong, forever. */
void ref_serve(void);

/* In the producer: send `ping` (payload bytes, sequence `seq` stamped in
 * it), wait for the pong and return where its payload bytes are. */
const unsigned char *ref_round_trip(const unsigned char *ping, uint64_t seq);

/* For the mechanisms: report a failed call and exit 1. */
_Noreturn void ref_fail(const char *what);

/* read() or write() exactly n bytes, retrying after EINTR and short counts. */
void ref_read_full(int fd, void *buf, size_t n);
void ref_write_full(int fd, const void *buf, size_t n);

#endif
