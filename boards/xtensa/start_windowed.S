/*
 * Reset and vectors for a core with the windowed register option (the ESP32's LX6; QEMU's de212 in
 * the tests), the firmware built with -mabi=windowed. Each call8 rotates the register window by 8;
 * when a call would reach a pane still holding an older frame, the core raises a window overflow
 * and the handler below stores that frame's registers in the stack space its callers reserved
 * (the base save area below each stack pointer); a return into a spilled frame raises an underflow
 * that loads them back. The handlers are the ISA's standard sequences at the standard offsets from
 * VECBASE (the same offsets on de212 and the ESP32).
 *
 * Reset: the window at pane 0 with only this frame live (QEMU's reset leaves WINDOWSTART 0, and an
 * overflow would then spill a frame whose caller was never saved), VECBASE to the vectors, a1 at the top of the stack, .bss cleared, the stack painted (its
 * peak measured as on the call0 build), PS with window overflow exceptions on and EXCM off, then
 * board_main through call4; its result goes to the simulator's exit. Any other exception ends the
 * run with exit code 64 + EXCCAUSE (the board has no use for one).
 */
  .section .vectors.text, "ax"
  .align 4
  .global _vectors
_vectors:
  .org 0x00 /* WindowOverflow4: the frame's a0..a3 below its callee's stack pointer (a5) */
  s32e a0, a5, -16
  s32e a1, a5, -12
  s32e a2, a5, -8
  s32e a3, a5, -4
  rfwo
  .org 0x40 /* WindowUnderflow4 */
underflow4:
  l32e a0, a5, -16
  l32e a1, a5, -12
  l32e a2, a5, -8
  l32e a3, a5, -4
  rfwu
  .org 0x80 /* WindowOverflow8: a0..a3 below the callee's sp (a9), a4..a7 below the caller's frame */
  s32e a0, a9, -16
  l32e a0, a1, -12
  s32e a1, a9, -12
  s32e a2, a9, -8
  s32e a3, a9, -4
  s32e a4, a0, -32
  s32e a5, a0, -28
  s32e a6, a0, -24
  s32e a7, a0, -20
  rfwo
  .org 0xc0 /* WindowUnderflow8 */
underflow8:
  l32e a1, a9, -12
  l32e a0, a9, -16
  l32e a7, a1, -12
  l32e a2, a9, -8
  l32e a4, a7, -32
  l32e a3, a9, -4
  l32e a5, a7, -28
  l32e a6, a7, -24
  l32e a7, a7, -20
  rfwu
  .org 0x100 /* WindowOverflow12 */
  s32e a0, a13, -16
  l32e a0, a1, -12
  s32e a1, a13, -12
  s32e a2, a13, -8
  s32e a3, a13, -4
  s32e a4, a0, -48
  s32e a5, a0, -44
  s32e a6, a0, -40
  s32e a7, a0, -36
  s32e a8, a0, -32
  s32e a9, a0, -28
  s32e a10, a0, -24
  s32e a11, a0, -20
  rfwo
  .org 0x140 /* WindowUnderflow12 */
underflow12:
  l32e a1, a13, -12
  l32e a0, a13, -16
  l32e a11, a1, -12
  l32e a2, a13, -8
  l32e a4, a11, -48
  l32e a8, a11, -32
  l32e a3, a13, -4
  l32e a5, a11, -44
  l32e a6, a11, -40
  l32e a7, a11, -36
  l32e a9, a11, -28
  l32e a10, a11, -24
  l32e a11, a11, -20
  rfwu
  .org 0x300 /* kernel exception */
  j fatal
  .org 0x340 /* user exception: MOVSP's (alloca) is handled, any other is fatal */
  wsr.excsave1 a0
  rsr.exccause a0
  beqi a0, 5, 1f
  j fatal
1:
  /* AllocaCause: MOVSP in frame F found F's caller spilled. Load the caller back with the underflow
   * handler for its size (the call size is in the top bits of F's return address), returning to F's
   * window (PS.OWB = F's WINDOWBASE), and MOVSP runs again. */
  rsr.windowbase a0
  rotw -1                /* F's a0.. are a4..; a0..a3 are the caller's spilled pane: scratch */
  rsr.ps a2
  extui a3, a2, 8, 4
  xor a3, a3, a4
  slli a3, a3, 8
  xor a2, a2, a3         /* PS.OWB = F's WINDOWBASE (was in a0, now a4) */
  wsr.ps a2
  rsync
  rsr.excsave1 a4        /* F's return address back in F's a0 */
  bbci a4, 31, 2f        /* 01: called with call4 */
  rotw -1
  bbci a8, 30, 3f        /* 10: call8 */
  rotw -1
  j underflow12
2:
  j underflow4
3:
  j underflow8
  .org 0x3c0 /* double exception */
  j fatal
  .org 0x400

#include "memory_init.inc"
  .section .entry.text, "ax"
  .literal_position
  .align 4
fatal:
  rsr.exccause a3
  addi a3, a3, 64
  movi a2, 1
  simcall
1:
  j 1b

  .global _start
  .align 4
_start:
  movi a2, 0
  wsr.windowbase a2
  rsync
  movi a2, 1
  wsr.windowstart a2
  rsync
  movi a2, _vectors
  wsr.vecbase a2
  movi a1, __stack
  memory_init /* .bss zeroed, the stack painted (memory_init.inc) */
  /* PS: WOE (window overflow exceptions), UM, EXCM 0, INTLEVEL 0 */
  movi a2, 0x40020
  wsr.ps a2
  rsync
  call4 board_main
  /* exit(board_main's a2, our a6): simcall 1 */
  mov a3, a6
  movi a2, 1
  simcall
5:
  j 5b
