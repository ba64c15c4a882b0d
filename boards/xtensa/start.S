/*
 * Reset: QEMU's ELF loader starts us here with nothing set up (crt0 sets no stack pointer).
 * Point a1 at the top of the stack, zero .bss, paint the stack so its peak can be measured,
 * run main(argc, argv) with the semihosting arguments, and hand its result to the simulator's exit.
 * lx106 uses the call0 ABI: a0 is the return address, a1 the stack pointer, a2.. the arguments.
 */
#include "memory_init.inc"
  .section .entry.text, "ax"
  .literal_position
  .global _start
  .align 4
_start:
  movi a1, __stack
  memory_init /* .bss zeroed, the stack painted (memory_init.inc) */
  call0 board_main
  /* exit(a2): simcall 1 */
  mov a3, a2
  movi a2, 1
  simcall
5:
  j 5b
