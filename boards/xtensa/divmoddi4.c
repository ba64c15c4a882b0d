/*
 * libgcc's 64-bit division, bit counts and remainders for the windowed build (Debian's lx106
 * libgcc.a, which supplies them to the call0 build, is call0 code). Shift and subtract: the board
 * divides 64-bit numbers only for its clocks and reports.
 */
#include <stdint.h>

uint64_t __udivmoddi4(uint64_t a, uint64_t b, uint64_t *rem);
int64_t __divmoddi4(int64_t a, int64_t b, int64_t *rem);
int64_t __moddi3(int64_t a, int64_t b);
int __popcountsi2(uint32_t x);
int __popcountdi2(uint64_t x);
int __ctzdi2(uint64_t x);

uint64_t __udivmoddi4(uint64_t a, uint64_t b, uint64_t *rem) {
  uint64_t q = 0, r = 0;
  if (b == 0) { if (rem) *rem = a; return ~(uint64_t)0; }
  if (a >> 32 == 0 && b >> 32 == 0) { /* the 32-bit divide instruction (or lib1funcs' routine) */
    if (rem) *rem = (uint32_t)a % (uint32_t)b;
    return (uint32_t)a / (uint32_t)b;
  }
  for (int i = 63; i >= 0; i--) {
    r = r << 1 | (a >> i & 1);
    if (r >= b) { r -= b; q |= (uint64_t)1 << i; }
  }
  if (rem) *rem = r;
  return q;
}

int64_t __divmoddi4(int64_t a, int64_t b, int64_t *rem) {
  uint64_t ua = a < 0 ? 0 - (uint64_t)a : (uint64_t)a, ub = b < 0 ? 0 - (uint64_t)b : (uint64_t)b, ur;
  uint64_t q = __udivmoddi4(ua, ub, &ur);
  if (rem) *rem = a < 0 ? -(int64_t)ur : (int64_t)ur;
  return (a < 0) != (b < 0) ? -(int64_t)q : (int64_t)q;
}

int64_t __moddi3(int64_t a, int64_t b) {
  int64_t r;
  __divmoddi4(a, b, &r);
  return r;
}

int __popcountsi2(uint32_t x) {
  x = x - (x >> 1 & 0x55555555u);
  x = (x & 0x33333333u) + (x >> 2 & 0x33333333u);
  x = (x + (x >> 4)) & 0x0f0f0f0fu;
  return (int)(x * 0x01010101u >> 24);
}

int __popcountdi2(uint64_t x) { return __popcountsi2((uint32_t)x) + __popcountsi2((uint32_t)(x >> 32)); }

int __ctzdi2(uint64_t x) {
  uint32_t lo = (uint32_t)x;
  return lo ? __builtin_ctz(lo) : 32 + __builtin_ctz((uint32_t)(x >> 32));
}
