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
  } else {
    heap.now -= size; heap.kind_now[k] -= size; heap.blocks--;
  }
}

static int kind_for(size_t n) { return n >= LINEAR_MIN ? HEAP_LINEAR : kind; }

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
#define KIND_WRAP(ret, name, k, params, args)  \
  ret __real_##name params;                      \
  ret __wrap_##name params {                     \
    int saved = kind; kind = k;                  \
    ret r = __real_##name args;                  \
    kind = saved;                                \
    return r;                                    \
  }
typedef void *ptr;
typedef const char *res;
KIND_WRAP(ptr, m3_NewEnvironment, HEAP_RUNTIME, (void), ())
KIND_WRAP(ptr, m3_NewRuntime, HEAP_RUNTIME, (void *env, uint32_t stack, void *user), (env, stack, user))
KIND_WRAP(res, m3_ParseModule, HEAP_MODULE, (void *env, void *mod, const uint8_t *w, uint32_t n), (env, mod, w, n))
KIND_WRAP(res, m3_LoadModule, HEAP_MODULE, (void *rt, void *mod), (rt, mod))
KIND_WRAP(res, Module_AddFunction, HEAP_FUNCTIONS, (void *mod, uint32_t type, void *imp), (mod, type, imp))
KIND_WRAP(ptr, NewCodePage, HEAP_CODE, (uint32_t lines), (lines))
