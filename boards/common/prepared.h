/*
 * Prepared code: the whole module compiled once into the board's code store (flash, hal_store) and
 * run from there, so the heap holds no compiled code at all. See prepared.c.
 */
#ifndef SYNACK_PREPARED_H
#define SYNACK_PREPARED_H
#include <stdint.h>
#include "wasm3.h"

typedef struct {
  uint32_t functions;   /* functions run from the store */
  uint32_t code_bytes;  /* their code in the store, constants included */
  uint32_t prepared;    /* 1: compiled into the store at this start; 0: the store already held it */
  uint32_t scratch;     /* bytes of heap the preparation borrowed for one function at a time */
} prepared_stats;

/*
 * After the module is loaded and its imports linked, before anything of it runs: install the
 * store's code if it was prepared for this module, this firmware and these addresses, else prepare
 * it (erase, compile, write) and install that. 1: every function now runs from the store; 0: the
 * board has no store, or it is too small (code is compiled into the heap as it runs, as before);
 * -1: preparing failed (logged; the runtime must be started afresh and run from the heap).
 */
int prepared_install(IM3Runtime runtime, IM3Module module, const uint8_t *wasm, uint32_t wasm_len);
/* Is p inside the code store (a function's code or constants there)? */
int prepared_holds(const void *p);
/* Before the runtime is freed: its functions' constants live in the store, not the heap. */
void prepared_release(IM3Module module);
const prepared_stats *prepared_figures(void);

#endif
