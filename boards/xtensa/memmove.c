/*
 * memmove for the board, in place of picolibc's size-optimised byte loop (6 instructions a byte
 * on the lx106). wasm3 implements the module's memory.copy with memmove, so every payload copy
 * in the module (segment into the receive ring, send ring into the frame, chargen's lines) goes
 * through here. Copies whose ends do not overlap (nearly all) go to picolibc's memcpy, which is
 * Xtensa assembly: words, funnel shifts for unaligned sources, under one instruction a byte.
 * Overlapping ones go in runs no longer than the distance between the two, each of which cannot
 * overlap itself, and short distances byte by byte in the safe direction.
 *
 * The ESP32's ROM memmove (newlib's C) is word-wise only when both ends are aligned alike; the
 * same file would serve there.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define RUN_MIN 16 /* below this distance, runs of memcpy cost more than bytes */

/* The loops below must stay loops: GCC would otherwise turn them back into a call to memmove. */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
void *memmove(void *dst, const void *src, size_t n) {
  uint8_t *d = dst;
  const uint8_t *s = src;
  if (d == s || n == 0) return dst;
  if (d + n <= s || s + n <= d) return memcpy(dst, src, n);
  if (d < s) { /* forward, in runs of the distance */
    size_t gap = (size_t)(s - d);
    if (gap < RUN_MIN) { while (n--) *d++ = *s++; return dst; }
    while (n) {
      size_t k = n < gap ? n : gap;
      memcpy(d, s, k);
      d += k; s += k; n -= k;
    }
  } else { /* backward */
    size_t gap = (size_t)(d - s);
    if (gap < RUN_MIN) { d += n; s += n; while (n--) *--d = *--s; return dst; }
    while (n) {
      size_t k = n < gap ? n : gap;
      n -= k;
      memcpy(d + n, s + n, k);
    }
  }
  return dst;
}
