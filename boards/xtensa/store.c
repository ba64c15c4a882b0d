/* The code store's figures of store.h. */
#include "store.h"
#include "../common/hal.h"
#include "../common/prepared.h"
#include "board.h"
#include "heap.h"
#include "semi.h"
#include <stdio.h>

/* The last prepared_install (preparing the store, or installing a prepared one): CCOUNT ticks, the
 * heap in use before it and the most in use during it. */
static uint32_t install_ticks, heap_before, heap_during;

int __real_prepared_install(IM3Runtime runtime, IM3Module module, const uint8_t *wasm, uint32_t wasm_len);
int __wrap_prepared_install(IM3Runtime runtime, IM3Module module, const uint8_t *wasm, uint32_t wasm_len) {
  uint32_t recent = heap.recent_peak, c = ccount();
  heap_before = heap.recent_peak = heap.now;
  int rc = __real_prepared_install(runtime, module, wasm, wasm_len);
  install_ticks = ccount() - c;
  heap_during = heap.recent_peak;
  if (recent > heap.recent_peak) heap.recent_peak = recent;
  return rc;
}

int store_report(char *json, size_t room) {
  uint32_t size = 0, functions = 0, wasm_bytes = 0;
  const prepared_stats *p = prepared_figures();
  hal_store(&size);
  heap_compiled(1, &functions, &wasm_bytes);
  return snprintf(json, room,
    ",\"store_size\":%lu,\"store_bytes\":%lu,\"store_functions\":%lu,\"store_wasm_bytes\":%lu,\"store_prepared\":%lu,"
    "\"store_scratch\":%lu,\"store_insns\":%llu,\"store_heap_before\":%lu,\"store_heap_peak\":%lu",
    (unsigned long)size, (unsigned long)p->code_bytes, (unsigned long)functions, (unsigned long)wasm_bytes,
    (unsigned long)p->prepared, (unsigned long)p->scratch, (unsigned long long)install_ticks * INSNS_PER_TICK,
    (unsigned long)heap_before, (unsigned long)heap_during);
}
