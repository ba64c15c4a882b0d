/*
 * The simulator's host calls (SIMCALL): what QEMU's Xtensa "sim" machine offers a program in
 * place of an operating system. a2 = call number and a3..a5 = arguments in; a2 = result, a3 = errno out.
 * The calls take host file descriptors and host open(2) flags.
 */
#ifndef SYNACK_SEMI_H
#define SYNACK_SEMI_H
#include <stdint.h>

enum { SEMI_EXIT = 1, SEMI_READ = 3, SEMI_WRITE = 4, SEMI_OPEN = 5, SEMI_CLOSE = 6,
       SEMI_ARGC = 1000, SEMI_ARGV_SIZE = 1001, SEMI_ARGV = 1002 };

static inline int32_t semi_call(int32_t nr, uint32_t a, uint32_t b, uint32_t c) {
  register int32_t a2 __asm__("a2") = nr;
  register uint32_t a3 __asm__("a3") = a;
  register uint32_t a4 __asm__("a4") = b;
  register uint32_t a5 __asm__("a5") = c;
  __asm__ volatile("simcall" : "+r"(a2), "+r"(a3) : "r"(a4), "r"(a5) : "memory");
  return a2;
}

static inline int32_t semi_write(int fd, const void *buf, uint32_t len) { return semi_call(SEMI_WRITE, (uint32_t)fd, (uint32_t)buf, len); }
static inline int32_t semi_read(int fd, void *buf, uint32_t len) { return semi_call(SEMI_READ, (uint32_t)fd, (uint32_t)buf, len); }
/* Host flags: 0 O_RDONLY, 1 O_WRONLY (the same numbers on Linux and in the simulator). */
static inline int32_t semi_open(const char *path, int flags) { return semi_call(SEMI_OPEN, (uint32_t)path, (uint32_t)flags, 0); }
static inline void semi_exit(int code) { semi_call(SEMI_EXIT, (uint32_t)code, 0, 0); for (;;) {} }

/* The CPU's cycle counter: under QEMU's -icount shift=0 it ticks once per 25 instructions. */
static inline uint32_t ccount(void) {
  uint32_t c;
  __asm__ volatile("rsr.ccount %0" : "=r"(c));
  return c;
}

#endif
