/* build/synack.wasm, linked into flash (the assembler finds it through -Wa,-I build). */
  .section .rodata.synack_wasm, "a"
  .align 4
  .global synack_wasm, synack_wasm_end
synack_wasm:
  .incbin "synack.wasm"
synack_wasm_end:
