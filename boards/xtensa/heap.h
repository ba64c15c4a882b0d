/*
 * What wasm3 asks of the heap, measured on the emulated core. The link wraps malloc, calloc,
 * realloc and free (ld --wrap): every block carries its requested size and what it is for, so the
 * numbers are the bytes requested (what any 32-bit allocator must at least find), not picolibc's.
 */
#ifndef SYNACK_XTENSA_HEAP_H
#define SYNACK_XTENSA_HEAP_H
#include <stdint.h>

/* What a block is for: set while wasm3 runs one of its steps (see the --wrap list in build-xtensa.sh). */
enum { HEAP_OTHER, HEAP_RUNTIME, HEAP_MODULE, HEAP_FUNCTIONS, HEAP_CODE, HEAP_LINEAR, HEAP_KINDS };
extern const char *const heap_kind_name[HEAP_KINDS];

typedef struct {
  uint32_t now, peak;           /* requested bytes live, and the most ever live at once */
  uint32_t recent_peak;         /* the most live at once since the host last asked to measure afresh */
  uint32_t largest;             /* the largest single block ever requested */
  uint32_t blocks;              /* live blocks */
  uint32_t kind_now[HEAP_KINDS];
  uint32_t kind_at_peak[HEAP_KINDS]; /* the split of the peak */
} heap_stats;
extern heap_stats heap;

/* The deepest wasm3's value stack (painted when allocated) has been used, in bytes. */
uint32_t heap_value_stack_peak(void);
/* The module's functions wasm3 has compiled (it compiles each on its first call), and their wasm
 * bytes: with in_store those whose code is in the code store (boards/common/prepared.c), else those
 * compiled into the heap. */
void heap_compiled(int in_store, uint32_t *functions, uint32_t *wasm_bytes);

#endif
