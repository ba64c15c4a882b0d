/*
 * Force-included into wasm3's sources on the ESP32 (CMakeLists.txt): its calloc, realloc and free
 * (m3_core.c, the only place it allocates) go to wasm3_heap.c. The C library's declarations come
 * first, untouched.
 */
#include <stdlib.h>
#include "wasm3_heap.h"
#define calloc(n, s) wasm3_heap_calloc((n), (s))
#define realloc(p, s) wasm3_heap_realloc((p), (s))
#define free(p) wasm3_heap_free(p)
