/*
 * The heap wrappers of heap.h. Blocks of 32 KiB and more can only be the module's linear memory in
 * this firmware (one page, or less once trimmed to the layout; the next largest block, the function
 * table, is about 16 KB).
 */
#include "heap.h"
#include <stddef.h>
#include <string.h>

heap_stats heap;
const char *const heap_kind_name[HEAP_KINDS] = { "other", "runtime", "module", "functions", "code", "linear" };
static int kind = HEAP_OTHER;

void *__real_malloc(size_t n);
void __real_free(void *p);

/* Each block is preceded by 8 bytes (alignment kept): requested size and kind. */
typedef struct { uint32_t size, kind; } tag;
#define LINEAR_MIN 32768u

static void account(uint32_t size, int k, int sign) {
  if (sign > 0) {
    heap.now += size; heap.kind_now[k] += size; heap.blocks++;
    if (size > heap.largest) heap.largest = size;
    if (heap.now > heap.peak) { heap.peak = heap.now; memcpy(heap.kind_at_peak, heap.kind_now, sizeof heap.kind_now); }
    if (heap.now > heap.recent_peak) heap.recent_peak = heap.now;
  } else {
    heap.now -= size; heap.kind_now[k] -= size; heap.blocks--;
  }
}

static int kind_for(size_t n) { return n >= LINEAR_MIN ? HEAP_LINEAR : kind; }

/*
 * wasm3's value stack: the one block m3_NewRuntime asks for of the stack's size plus its four
 * spare slots (m3_env.c). The latest runtime's is painted when allocated; it grows upwards.
 */
#define VALUE_PAINT 0xa5a5a5a5u
static uint32_t value_stack_request;
static uint32_t *value_stack, *value_stack_end;

uint32_t heap_value_stack_peak(void) {
  if (!value_stack) return 0;
  uint32_t *p = value_stack_end;
  while (p > value_stack && p[-1] == VALUE_PAINT) p--;
  return (uint32_t)((uint8_t *)p - (uint8_t *)value_stack);
}

static void paint_if_value_stack(void *p, size_t n) {
  if (kind != HEAP_RUNTIME || value_stack || n != value_stack_request + 4 * sizeof(uint32_t)) return;
  value_stack = p;
  value_stack_end = value_stack + n / sizeof(uint32_t);
  for (uint32_t *q = value_stack; q < value_stack_end; q++) *q = VALUE_PAINT;
}

void *__wrap_malloc(size_t n) {
  tag *t = __real_malloc(n + sizeof(tag));
  if (!t) return NULL;
  t->size = (uint32_t)n; t->kind = (uint32_t)kind_for(n);
  account(t->size, (int)t->kind, 1);
  return t + 1;
}

void *__wrap_calloc(size_t count, size_t each) {
  if (each && count > (size_t)-1 / each) return NULL;
  void *p = __wrap_malloc(count * each);
  if (p) memset(p, 0, count * each);
  if (p) paint_if_value_stack(p, count * each); /* wasm3 zeroes what it reads: op_Entry clears locals */
  return p;
}

void __wrap_free(void *p) {
  if (!p) return;
  tag *t = (tag *)p - 1;
  account(t->size, (int)t->kind, -1);
  __real_free(t);
}

/*
 * picolibc's realloc calls malloc and free itself, which the link wraps too, so it cannot be used
 * under the wrappers: a move is a new block, a copy and a free. Both blocks are live for a moment,
 * which is also what a real allocator needs when it cannot grow a block in place.
 */
void *__wrap_realloc(void *p, size_t n) {
  if (!p) return __wrap_malloc(n);
  tag *t = (tag *)p - 1;
  if (n <= t->size && (n >= LINEAR_MIN) == (t->kind == HEAP_LINEAR)) { /* shrinking: keep the block */
    account(t->size, (int)t->kind, -1);
    t->size = (uint32_t)n;
    account(t->size, (int)t->kind, 1);
    return p;
  }
  void *q = __wrap_malloc(n);
  if (!q) return NULL;
  memcpy(q, p, t->size < n ? t->size : n);
  __wrap_free(p);
  return q;
}

/* wasm3's steps, each marking what it allocates (ld --wrap=NAME turns calls from other files into these). */
#define KIND_WRAP_NOTING(ret, name, k, params, args, note) \
  ret __real_##name params;                               \
  ret __wrap_##name params {                              \
    int saved = kind; kind = k;                           \
    note;                                                 \
    ret r = __real_##name args;                           \
    kind = saved;                                         \
    return r;                                             \
  }
#define KIND_WRAP(ret, name, k, params, args) KIND_WRAP_NOTING(ret, name, k, params, args, (void)0)
static void *module_seen; /* the last module functions were added to */
typedef void *ptr;
typedef const char *res;
KIND_WRAP(ptr, m3_NewEnvironment, HEAP_RUNTIME, (void), ())
/* A new runtime's value stack is painted and measured from now on. */
KIND_WRAP_NOTING(ptr, m3_NewRuntime, HEAP_RUNTIME, (void *env, uint32_t stack, void *user), (env, stack, user),
                 value_stack_request = stack; value_stack = NULL)
KIND_WRAP(res, m3_ParseModule, HEAP_MODULE, (void *env, void *mod, const uint8_t *w, uint32_t n), (env, mod, w, n))
KIND_WRAP(res, m3_LoadModule, HEAP_MODULE, (void *rt, void *mod), (rt, mod))
KIND_WRAP_NOTING(res, Module_AddFunction, HEAP_FUNCTIONS, (void *mod, uint32_t type, void *imp), (mod, type, imp),
                 module_seen = mod)
KIND_WRAP(ptr, NewCodePage, HEAP_CODE, (uint32_t lines), (lines))

/* The module's functions compiled so far (imports, whose code is wasm3's bridge, not counted), and
 * the bytes of wasm they came from (wasm3's own records). */
#include "m3_env.h"
#include "../common/prepared.h"
void heap_compiled(int in_store, uint32_t *functions, uint32_t *wasm_bytes) {
  IM3Module m = module_seen;
  *functions = *wasm_bytes = 0;
  for (u32 i = 0; m && i < m->numFunctions; i++) {
    const void *c = m->functions[i].compiled;
    if (!c || !m->functions[i].wasm || prepared_holds(c) != in_store) continue;
    (*functions)++;
    *wasm_bytes += (uint32_t)(m->functions[i].wasmEnd - m->functions[i].wasm);
  }
}
