/*
 * The string functions the windowed build calls (Debian's picolibc for the lx106 is call0 code and
 * cannot be linked into windowed code). memcpy and memset move words: the payload copies of the
 * module (wasm3's memory.copy, through memmove.c) and of the W5500 driver come here. A source that
 * is not word-aligned like the destination is read as aligned words and shifted into place.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
  uint8_t *d = dst;
  const uint8_t *s = src;
  if (n >= 8) {
    while ((uintptr_t)d & 3) { *d++ = *s++; n--; }
    uint32_t *dw = (uint32_t *)d;
    unsigned off = (uintptr_t)s & 3;
    if (off == 0) {
      const uint32_t *sw = (const uint32_t *)s;
      for (; n >= 16; n -= 16, dw += 4, sw += 4) { dw[0] = sw[0]; dw[1] = sw[1]; dw[2] = sw[2]; dw[3] = sw[3]; }
      for (; n >= 4; n -= 4) *dw++ = *sw++;
      s = (const uint8_t *)sw;
    } else { /* little-endian: the low bytes of each destination word come from the earlier source word */
      const uint32_t *sw = (const uint32_t *)(s - off);
      unsigned lo = off * 8, hi = 32 - lo;
      uint32_t w = *sw++;
      for (; n >= 4; n -= 4) { uint32_t x = *sw++; *dw++ = w >> lo | x << hi; w = x; }
      s = (const uint8_t *)sw - 4 + off;
    }
    d = (uint8_t *)dw;
  }
  while (n--) *d++ = *s++;
  return dst;
}

void *memset(void *dst, int c, size_t n) {
  uint8_t *d = dst;
  if (n >= 8) {
    uint32_t w = (uint8_t)c * 0x01010101u;
    while ((uintptr_t)d & 3) { *d++ = (uint8_t)c; n--; }
    uint32_t *dw = (uint32_t *)d;
    for (; n >= 16; n -= 16, dw += 4) { dw[0] = w; dw[1] = w; dw[2] = w; dw[3] = w; }
    for (; n >= 4; n -= 4) *dw++ = w;
    d = (uint8_t *)dw;
  }
  while (n--) *d++ = (uint8_t)c;
  return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
  const uint8_t *x = a, *y = b;
  for (; n; n--, x++, y++) if (*x != *y) return *x - *y;
  return 0;
}

size_t strlen(const char *s) {
  const char *p = s;
  while (*p) p++;
  return (size_t)(p - s);
}

int strcmp(const char *a, const char *b) {
  while (*a && *a == *b) { a++; b++; }
  return (uint8_t)*a - (uint8_t)*b;
}
