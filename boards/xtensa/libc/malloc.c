/*
 * The heap allocator under heap.c's wrappers for the windowed build: first fit over an
 * address-ordered free list from __heap_start to __heap_end (the linker script's), 8-byte
 * aligned blocks with a one-word size header, neighbours merged on free. realloc shrinks and
 * grows in place when it can (wasm3 trims its first code page and its linear memory that way).
 * heap.c counts what is requested, so the board's heap figures do not depend on this allocator.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct block { size_t size; struct block *next; } block; /* size includes the header; next only when free */
#define HEADER sizeof(size_t)
#define MIN_BLOCK 16u

extern uint8_t __heap_start[], __heap_end[];
static block *free_list;
static int ready;

static size_t need(size_t n) { return n > SIZE_MAX - 2 * HEADER - 8 ? 0 : (n + HEADER + 7) & ~(size_t)7; }
static block *after(block *b) { return (block *)((uint8_t *)b + b->size); }

static void init(void) {
  uint8_t *start = (uint8_t *)(((uintptr_t)__heap_start + 7 + HEADER) & ~(uintptr_t)7) - HEADER;
  free_list = (block *)start;
  free_list->size = (size_t)(__heap_end - start) & ~(size_t)7;
  free_list->next = NULL;
  ready = 1;
}

/* Put b back in address order and merge it with the free blocks on either side. */
static void release(block *b) {
  block **at = &free_list, *prev = NULL;
  while (*at && *at < b) { prev = *at; at = &(*at)->next; }
  b->next = *at;
  *at = b;
  if (b->next && after(b) == b->next) { b->size += b->next->size; b->next = b->next->next; }
  if (prev && after(prev) == b) { prev->size += b->size; prev->next = b->next; }
}

/* Cut b down to size bytes, freeing the rest when it is worth a block. */
static void trim(block *b, size_t size) {
  if (b->size - size < MIN_BLOCK) return;
  block *rest = (block *)((uint8_t *)b + size);
  rest->size = b->size - size;
  b->size = size;
  release(rest);
}

void *malloc(size_t n) {
  size_t size = need(n);
  if (!size) return NULL;
  if (size < MIN_BLOCK) size = MIN_BLOCK;
  if (!ready) init();
  for (block **at = &free_list; *at; at = &(*at)->next) {
    block *b = *at;
    if (b->size < size) continue;
    *at = b->next;
    trim(b, size);
    return (uint8_t *)b + HEADER;
  }
  return NULL;
}

void free(void *p) {
  if (p) release((block *)((uint8_t *)p - HEADER));
}

void *calloc(size_t count, size_t n) {
  if (n && count > SIZE_MAX / n) return NULL;
  void *p = malloc(count * n);
  if (p) memset(p, 0, count * n);
  return p;
}

void *realloc(void *p, size_t n) {
  if (!p) return malloc(n);
  block *b = (block *)((uint8_t *)p - HEADER);
  size_t size = need(n);
  if (!size) return NULL;
  if (size < MIN_BLOCK) size = MIN_BLOCK;
  if (size <= b->size) { trim(b, size); return p; }
  /* grow into the free block right after it */
  for (block **at = &free_list; *at && *at <= after(b); at = &(*at)->next) {
    if (*at != after(b) || b->size + (*at)->size < size) continue;
    b->size += (*at)->size;
    *at = (*at)->next;
    trim(b, size);
    return p;
  }
  void *q = malloc(n);
  if (!q) return NULL;
  memcpy(q, p, b->size - HEADER);
  free(p);
  return q;
}
