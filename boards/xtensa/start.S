/*
 * Reset: QEMU's ELF loader starts us here with nothing set up (crt0 sets no stack pointer).
 * Point a1 at the top of the stack, zero .bss, paint the stack so its peak can be measured,
 * run main(argc, argv) with the semihosting arguments, and hand its result to the simulator's exit.
 * lx106 uses the call0 ABI: a0 is the return address, a1 the stack pointer, a2.. the arguments.
 */
  .section .entry.text, "ax"
  .literal_position
  .global _start
  .align 4
_start:
  movi a1, __stack
  /* zero .bss */
  movi a2, __bss_start
  movi a3, __bss_end
  movi a4, 0
1:
  bgeu a2, a3, 2f
  s32i a4, a2, 0
  addi a2, a2, 4
  j 1b
2:
  /* paint the stack below the first frame with its watermark word */
  movi a2, __stack_bottom
  addi a3, a1, -64
  movi a4, 0x5a5a5a5a
3:
  bgeu a2, a3, 4f
  s32i a4, a2, 0
  addi a2, a2, 4
  j 3b
4:
  call0 board_main
  /* exit(a2): simcall 1 */
  mov a3, a2
  movi a2, 1
  simcall
5:
  j 5b
