/*
 * 64-bit helpers Debian's lx106 libgcc.a lacks (picolibc's printf and wasm3 call them). The 32-bit
 * routines and soft float come from GCC's lib1funcs.S, assembled by scripts/build-xtensa.sh.
 */
#include <stdint.h>

uint64_t __udivmoddi4(uint64_t a, uint64_t b, uint64_t *rem);
uint64_t __udivdi3(uint64_t a, uint64_t b);
uint64_t __umoddi3(uint64_t a, uint64_t b);
uint64_t __muldi3(uint64_t a, uint64_t b);
uint64_t __umulsidi3(uint32_t a, uint32_t b); /* lib1funcs.S */
int64_t __divmoddi4(int64_t a, int64_t b, int64_t *rem);
int64_t __divdi3(int64_t a, int64_t b);

uint64_t __udivdi3(uint64_t a, uint64_t b) { return __udivmoddi4(a, b, 0); }
uint64_t __umoddi3(uint64_t a, uint64_t b) {
  uint64_t r;
  __udivmoddi4(a, b, &r);
  return r;
}
int64_t __divdi3(int64_t a, int64_t b) {
  int64_t r;
  return __divmoddi4(a, b, &r);
}
/*
 * The low 64 bits of a * b from 32-bit halves: the high x high part falls off the top. The 32x32->64
 * product is called by name: written as C, GCC would make it a __muldi3 call, this function itself.
 */
uint64_t __muldi3(uint64_t a, uint64_t b) {
  uint32_t al = (uint32_t)a, ah = (uint32_t)(a >> 32), bl = (uint32_t)b, bh = (uint32_t)(b >> 32);
  return __umulsidi3(al, bl) + ((uint64_t)(al * bh + ah * bl) << 32);
}
