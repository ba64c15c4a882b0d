/*
 * The module's optional env.checksum import in C: what the interpreter would spend most on.
 *
 * The ones'-complement sum does not depend on byte order (RFC 1071 §2(B)), so it adds the
 * buffer as the CPU's own 32-bit words, each split into two 16-bit halves (two extracts and two
 * adds per four bytes, no carries to chase), and puts the folded sum into network order once.
 * Byte loads would cost four loads and shifts per four bytes; the lx106 has no 64-bit adds.
 */
#include "checksum.h"
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "internet_sum assumes a little-endian CPU (the ESP32, the lx106 and x86 are)"
#endif

typedef uint32_t __attribute__((may_alias)) word32;
typedef uint16_t __attribute__((may_alias)) word16;

/* Fold a sum of 16-bit values to 16 bits (end-around carries). */
static uint32_t fold(uint32_t s) {
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return s;
}

/* The sum of len bytes at p (p even) in little-endian 16-bit words, not yet folded. */
static uint32_t sum_le(const uint8_t *p, size_t len) {
  uint32_t s = 0;
  if (((uintptr_t)p & 2) && len >= 2) { s += *(const word16 *)p; p += 2; len -= 2; }
  const word32 *w = (const word32 *)p;
  while (len >= 16) { /* four words per round, each adding less than 2^19 */
    uint32_t a = w[0], b = w[1], c = w[2], d = w[3];
    if (s >= 0x80000000u) s = fold(s);
    s += (a & 0xffff) + (a >> 16) + (b & 0xffff) + (b >> 16);
    s += (c & 0xffff) + (c >> 16) + (d & 0xffff) + (d >> 16);
    w += 4;
    len -= 16;
  }
  while (len >= 4) { uint32_t a = *w++; s += (a & 0xffff) + (a >> 16); len -= 4; }
  p = (const uint8_t *)w;
  if (len >= 2) { s += *(const word16 *)p; p += 2; len -= 2; }
  if (len) s += *p; /* a last odd byte is the high byte in network order: the low byte here */
  return s;
}

uint32_t internet_sum(const uint8_t *p, size_t len) {
  uint32_t s;
  if ((uintptr_t)p & 1) {
    /* An odd start: from the next byte on, little-endian words pair each odd byte (a low byte in
     * network order) with the even byte after it (a high one), which is network order already;
     * the first byte is a high byte. */
    if (len == 0) return 0;
    return fold(fold(sum_le(p + 1, len - 1)) + ((uint32_t)p[0] << 8));
  }
  s = fold(sum_le(p, len));
  s = fold(s);
  return (s & 0xff) << 8 | s >> 8; /* network order */
}
