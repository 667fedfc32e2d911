#pragma once
// cpu_relax(): the spin-wait hint.  On x86 `pause` stops the core from
// flooding the memory system with speculative loads of the flag and frees
// issue slots for a sibling hyperthread.
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ipc {

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

}  // namespace ipc
