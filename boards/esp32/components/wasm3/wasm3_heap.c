/*
 * wasm3's own heap on the ESP32 (wasm3_heap.h). The region is static, so its address is fixed by
 * the link (and the firmware's id names the link); it is registered anew before each start, so the
 * same module and menuconfig allocate the same blocks at the same addresses, whatever the rest of
 * the firmware allocated before, at this boot or the last. ESP-IDF's heap holds the rest: linear
 * memory, and blocks the region has no room for (counted: the store may then be prepared again).
 */
#include "wasm3_heap.h"
#include "esp_heap_caps.h"
#include "multi_heap.h"
#include "sdkconfig.h"
#include <stdint.h>
#include <string.h>

#define BIG (32u * 1024u) /* linear memory: where it is does not matter to the store */
#define REGION_BYTES (CONFIG_SYNACK_WASM3_HEAP_KB * 1024u)

static uint8_t region[REGION_BYTES] __attribute__((aligned(8)));
static multi_heap_handle_t heap;
static unsigned spilled;

void wasm3_heap_reset(void) {
  heap = multi_heap_register(region, sizeof region);
  spilled = 0;
}

wasm3_heap_figures wasm3_heap_report(void) {
  wasm3_heap_figures f = { sizeof region, 0, spilled };
  if (heap) f.peak = sizeof region - multi_heap_minimum_free_size(heap);
  return f;
}

static int inside(const void *p) { return (const uint8_t *)p >= region && (const uint8_t *)p < region + sizeof region; }

void *wasm3_heap_calloc(size_t n, size_t size) {
  if (size && n > SIZE_MAX / size) return NULL;
  size_t bytes = n * size;
  if (heap && bytes < BIG) {
    void *p = multi_heap_malloc(heap, bytes);
    if (p) return memset(p, 0, bytes);
    spilled++;
  }
  return heap_caps_calloc(1, bytes, MALLOC_CAP_DEFAULT);
}

void *wasm3_heap_realloc(void *p, size_t size) {
  if (!p) return wasm3_heap_calloc(1, size);
  if (!inside(p)) return heap_caps_realloc(p, size, MALLOC_CAP_DEFAULT);
  if (size < BIG) {
    void *q = multi_heap_realloc(heap, p, size);
    if (q || !size) return q;
    spilled++;
  }
  /* Grown past the region (or out of its room): moved to ESP-IDF's heap. */
  void *q = heap_caps_malloc(size, MALLOC_CAP_DEFAULT);
  if (!q) return NULL;
  size_t old = multi_heap_get_allocated_size(heap, p);
  memcpy(q, p, old < size ? old : size);
  multi_heap_free(heap, p);
  return q;
}

void wasm3_heap_free(void *p) {
  if (inside(p)) multi_heap_free(heap, p);
  else heap_caps_free(p);
}
