/*
 * wasm3's own heap on the ESP32: a region of its own for the blocks the code store's fingerprint
 * names (module, function records, globals, types, import bridges), so they land at the same
 * addresses at every start (boards/esp32/README.md, "The code store"). Blocks of 32 KiB and more
 * (linear memory) and whatever does not fit go to ESP-IDF's heap.
 */
#ifndef SYNACK_WASM3_HEAP_H
#define SYNACK_WASM3_HEAP_H
#include <stddef.h>

/* Before each fw_start, once the previous runtime (if any) is freed: the region starts empty. */
void wasm3_heap_reset(void);

typedef struct {
  size_t size;      /* the region's bytes (SYNACK_WASM3_HEAP_KB) */
  size_t peak;      /* most of it in use since the last reset, the allocator's own included */
  unsigned spilled; /* blocks under 32 KiB that did not fit and went to ESP-IDF's heap */
} wasm3_heap_figures;
wasm3_heap_figures wasm3_heap_report(void);

/* What wasm3 calls instead of calloc, realloc and free (wasm3_heap_redirect.h). */
void *wasm3_heap_calloc(size_t n, size_t size);
void *wasm3_heap_realloc(void *p, size_t size);
void wasm3_heap_free(void *p);

#endif
