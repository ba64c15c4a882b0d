/*
 * Prepared code. wasm3 compiles a function into heap pages on its first call and keeps the code
 * while the runtime lives: about 3.7 bytes of code per byte of wasm run, some 100 KB once a board
 * has moved data, opened the console and served pages, more than everything else it holds. Here
 * the whole module is compiled once into the board's code store, a stretch of flash read in place
 * (hal_store), and every function runs from there: the heap keeps the module's records, its
 * memory and the value stack, and no code.
 *
 * wasm3 writes absolute addresses into the code it emits: its operations, the function records,
 * the globals, the module, the import bridges (all of these stay where they are in this runtime),
 * callees' code and branch targets inside the function. So each function is compiled in RAM, in
 * scratch pages of wasm3's own size (a few KB of heap in all, one function at a time), and moved
 * to its place in the store:
 *   1. every function is compiled once, to learn its size, and so its place;
 *   2. every record's `compiled` is set to its place in the store, so a call is emitted pointing
 *      there (never wasm3's op_Compile, which rewrites the code it sits in);
 *   3. each function is compiled twice more, from the pages' first line and from their second.
 *      A word that moved with the code is an address inside it and is moved to the store's place;
 *      every other word must come out the same both times. Then it is written to the store.
 * The store's header (written last) names the module, the firmware and the addresses the code
 * points at; at the next start a store that matches is installed without compiling anything.
 */
#include "prepared.h"
#include "firmware.h"
#include "hal.h"
#include "m3_env.h"
#include "m3_compile.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STORE_MAGIC 0x70726570u /* "prep" */
#define STORE_VERSION 1u

typedef struct {
  uint32_t magic, version;
  uint32_t wasm_len, wasm_sum;  /* the module */
  uint32_t firmware, places;    /* hal_firmware_id(); the addresses its code points at */
  uint32_t functions, bytes;    /* table entries; bytes of the store in use */
  uint32_t sum;                 /* of everything after the header */
} store_header;

typedef struct {
  uint32_t code, consts; /* offsets in the store; code 0: not the module's (an import) */
  uint16_t max_slots, ret_slots, ret_arg_slots, local_bytes, const_bytes, locals;
} store_entry;

static prepared_stats figures;
const prepared_stats *prepared_figures(void) { return &figures; }

static uint32_t fnv(uint32_t h, const void *p, size_t n) {
  const uint8_t *b = p;
  while (n--) h = (h ^ *b++) * 16777619u;
  return h;
}
#define FNV_START 2166136261u
static uint32_t fnv_word(uint32_t h, uintptr_t w) { return fnv(h, &w, sizeof w); }

static uint32_t align8(uint32_t n) { return (n + 7u) & ~7u; }

/* The addresses compiled code holds besides its own: if one moved, the store is stale. */
static uint32_t places(IM3Module m, const uint8_t *store) {
  uint32_t h = fnv_word(FNV_START, (uintptr_t)store);
  h = fnv_word(h, (uintptr_t)m);
  h = fnv_word(h, (uintptr_t)m->functions);
  h = fnv_word(h, (uintptr_t)m->globals);
  h = fnv_word(h, m->numFunctions);
  for (uint32_t i = 0; i < m->numFuncTypes; i++) h = fnv_word(h, (uintptr_t)m->funcTypes[i]);
  for (uint32_t i = 0; i < m->numFunctions; i++) {
    IM3Function f = &m->functions[i];
    h = fnv_word(h, (uintptr_t)f->funcType);
    if (!f->wasm) h = fnv_word(h, (uintptr_t)f->compiled); /* an import's bridge */
  }
  return h;
}

static void unlink_page(IM3CodePage *list, IM3CodePage page) {
  for (; *list; list = &(*list)->info.next)
    if (*list == page) { *list = page->info.next; page->info.next = NULL; return; }
}

/*
 * wasm3 compiles a function into the open page at the front of the runtime's list, each `else`
 * into another open page (a nested one into yet another), and goes on in a further page when one
 * fills. While the store is prepared, the runtime's lists hold only the scratch pages, all open
 * and empty at each compile; a page wasm3 had to make besides is swapped for one of ours.
 */
#define SCRATCH_PAGES 32

typedef struct {
  IM3Runtime rt;
  IM3Module m;
  const uint8_t *store;
  IM3CodePage page[SCRATCH_PAGES];
  uint32_t lines[SCRATCH_PAGES]; /* each page's room; it has one line more, for the second compile */
  uint32_t pages;
  uint32_t *place;   /* each function's code offset in the store (0: an import) */
  uint8_t *moved;    /* one bit per line of the pages: an address inside the function */
  uint32_t scratch;  /* bytes of heap the pages, the places and the bits take */
} prep;

static int adopt(prep *p, IM3CodePage theirs) {
  uint32_t lines = theirs->info.numLines, total = 0;
  theirs->info.next = NULL;
  FreeCodePages(&theirs);
  p->rt->numCodePages--;
  if (p->pages == SCRATCH_PAGES) return -1;
  IM3CodePage mine = calloc(1, sizeof(M3CodePageHeader) + (lines + 1u) * sizeof(code_t));
  if (!mine) return -1;
  p->page[p->pages] = mine;
  p->lines[p->pages++] = lines;
  for (uint32_t j = 0; j < p->pages; j++) total += p->lines[j] + 1u;
  uint8_t *moved = realloc(p->moved, total / 8u + 1u);
  if (!moved) return -1;
  p->moved = moved;
  p->scratch += (uint32_t)(sizeof(M3CodePageHeader) + (lines + 1u) * sizeof(code_t)) + (lines + 1u) / 8u + 1u;
  return 0;
}

/* Compile f into the scratch pages, each with the same room from line `start` on; the lines it
 * took in all, or -1. */
static int32_t compile_at(prep *p, IM3Function f, uint32_t start) {
  IM3Runtime rt = p->rt;
  for (;;) {
    m3_Free(f->constants);
    f->constants = NULL;
    for (int j = (int)p->pages - 1; j >= 0; j--) {
      IM3CodePage g = p->page[j];
      /* What the last compile left is cleared: a 32-bit word emitted on a 64-bit host fills half a line. */
      memset(g->code, 0, g->info.lineIndex * sizeof(code_t));
      g->info.lineIndex = start;
      g->info.numLines = p->lines[j] + start;
      g->info.next = rt->pagesOpen;
      rt->pagesOpen = g;
    }
    M3Result r = CompileFunction(f);
    for (uint32_t j = 0; j < p->pages; j++) {
      unlink_page(&rt->pagesOpen, p->page[j]);
      unlink_page(&rt->pagesFull, p->page[j]);
    }
    int grew = 0;
    while (rt->pagesOpen || rt->pagesFull) {
      IM3CodePage t = rt->pagesOpen ? rt->pagesOpen : rt->pagesFull;
      unlink_page(rt->pagesOpen ? &rt->pagesOpen : &rt->pagesFull, t);
      if (adopt(p, t)) { r = "out of scratch pages"; break; }
      grew = 1;
    }
    if (r) {
      char line[120];
      snprintf(line, sizeof line, "prepared: function %u: %s", (unsigned)(f - p->m->functions), r);
      fw_log(line);
      return -1;
    }
    if (!grew) break; /* else again, in pages of ours only */
  }
  int32_t lines = 0;
  for (uint32_t j = 0; j < p->pages; j++) lines += (int32_t)(p->page[j]->info.lineIndex - start);
  return lines;
}

/* Where an address w inside the scratch pages (compiled from line `start`) lands in the function's
 * code in the store, as an offset from its start; -1 if w is not one. The pages are laid end to
 * end in order, each from `start` to its last line. */
static intptr_t offset_of(const prep *p, uintptr_t w, uint32_t start) {
  intptr_t before = 0;
  for (uint32_t j = 0; j < p->pages; j++) {
    uintptr_t lo = (uintptr_t)(p->page[j]->code + start), hi = (uintptr_t)(p->page[j]->code + p->page[j]->info.lineIndex);
    if (w >= lo && w <= hi) return before + (intptr_t)(w - lo);
    before += (intptr_t)(hi - lo);
  }
  return -1;
}

/* Step 3 for one function: compiled from the pages' first line, then from their second; its code,
 * made to run at its place in the store, is written there. The lines it took, or -1. */
static int32_t compile_twice(prep *p, IM3Function f, uint32_t at) {
  int32_t n = compile_at(p, f, 0);
  if (n < 0) return -1;
  uint32_t sums[2] = { FNV_START, FNV_START };
  for (uint32_t pass = 0; pass < 2; pass++) {
    if (pass == 1 && compile_at(p, f, 1) != n) return -1;
    uint32_t k = 0; /* the line's place in the function, counting across pages */
    for (uint32_t j = 0; j < p->pages; j++) {
      code_t *c = p->page[j]->code;
      for (uint32_t i = pass; i < p->page[j]->info.lineIndex; i++, k++) {
        uintptr_t w = (uintptr_t)c[i];
        if (pass == 0) {
          intptr_t o = offset_of(p, w, 0);
          if (o >= 0) { p->moved[k / 8] |= (uint8_t)(1u << (k % 8)); w = (uintptr_t)o; }
          else p->moved[k / 8] &= (uint8_t)~(1u << (k % 8));
        } else if (p->moved[k / 8] & (1u << (k % 8))) {
          intptr_t o = offset_of(p, w, 1); /* an address moves with its code: the same offset */
          w = (uintptr_t)o;
          c[i] = (code_t)(p->store + at + (uintptr_t)o);
        }
        sums[pass] = fnv_word(sums[pass], w);
      }
    }
  }
  if (sums[0] != sums[1]) {
    char line[96];
    snprintf(line, sizeof line, "prepared: function %u: its code depends on where it is compiled", (unsigned)(f - p->m->functions));
    fw_log(line);
    return -1;
  }
  uint32_t off = at;
  for (uint32_t j = 0; j < p->pages; j++) {
    uint32_t bytes = (p->page[j]->info.lineIndex - 1u) * (uint32_t)sizeof(code_t);
    if (bytes && hal_store_write(off, p->page[j]->code + 1, bytes)) return -1;
    off += bytes;
  }
  return n;
}

/* Steps 1-3; the header is the caller's. 0, or -1 (the caller forgets what the records were given). */
static int prepare(prep *p, uint32_t cap, uint32_t *bytes) {
  IM3Module m = p->m;
  uint32_t n = m->numFunctions, table = sizeof(store_header), at = align8(table + n * (uint32_t)sizeof(store_entry));
  uint32_t consts = 0;
  /* 1: sizes and places. */
  for (uint32_t i = 0; i < n; i++) {
    IM3Function f = &m->functions[i];
    p->place[i] = 0;
    if (!f->wasm) continue;
    int32_t lines = compile_at(p, f, 0);
    if (lines < 0) return -1;
    p->place[i] = at;
    at = align8(at + (uint32_t)lines * (uint32_t)sizeof(code_t));
    consts += align8(f->numConstantBytes);
    m3_Free(f->constants); /* step 3 makes them again; kept, all of them would be ~10 KB more heap */
    f->constants = NULL;
  }
  *bytes = at + consts;
  if (*bytes > cap) {
    char line[96];
    snprintf(line, sizeof line, "prepared: the module's code needs %u bytes, the store has %u", (unsigned)*bytes, (unsigned)cap);
    fw_log(line);
    return -1;
  }
  /* 2: every call points at its callee's place. */
  for (uint32_t i = 0; i < n; i++)
    if (p->place[i]) m->functions[i].compiled = (pc_t)(p->store + p->place[i]);
  if (hal_store_erase(*bytes) != 0) { fw_log("prepared: erasing the store failed"); return -1; }
  /* 3: compiled in place, written with its constants and its entry. */
  uint32_t const_at = at;
  for (uint32_t i = 0; i < n; i++) {
    IM3Function f = &m->functions[i];
    store_entry e;
    memset(&e, 0, sizeof e);
    if (p->place[i]) {
      int32_t lines = compile_twice(p, f, p->place[i]);
      if (lines < 0) return -1;
      f->compiled = (pc_t)(p->store + p->place[i]);
      e.code = p->place[i];
      e.max_slots = f->maxStackSlots;
      e.ret_slots = f->numRetSlots;
      e.ret_arg_slots = f->numRetAndArgSlots;
      e.local_bytes = f->numLocalBytes;
      e.locals = f->numLocals;
      e.const_bytes = f->numConstantBytes;
      if (f->numConstantBytes) {
        e.consts = const_at;
        if (hal_store_write(const_at, f->constants, f->numConstantBytes)) return -1;
        const_at += align8(f->numConstantBytes);
        m3_Free(f->constants);
        f->constants = NULL;
      }
    }
    if (hal_store_write(table + i * (uint32_t)sizeof e, &e, sizeof e)) return -1;
  }
  return 0;
}

static int matches(const store_header *h, const store_header *want, uint32_t cap) {
  return h->magic == STORE_MAGIC && h->version == STORE_VERSION && h->wasm_len == want->wasm_len &&
         h->wasm_sum == want->wasm_sum && h->firmware == want->firmware && h->places == want->places &&
         h->functions == want->functions && h->bytes >= sizeof *h && h->bytes <= cap;
}

static void install(IM3Module m, const uint8_t *store) {
  const store_entry *e = (const store_entry *)(store + sizeof(store_header));
  for (uint32_t i = 0; i < m->numFunctions; i++) {
    IM3Function f = &m->functions[i];
    if (!e[i].code) continue;
    m3_Free(f->constants);
    f->compiled = (pc_t)(store + e[i].code);
    f->maxStackSlots = e[i].max_slots;
    f->numRetSlots = e[i].ret_slots;
    f->numRetAndArgSlots = e[i].ret_arg_slots;
    f->numLocalBytes = e[i].local_bytes;
    f->numLocals = e[i].locals;
    f->numConstantBytes = e[i].const_bytes;
    f->constants = e[i].const_bytes ? (void *)(store + e[i].consts) : NULL;
  }
}

static void forget(IM3Module m) {
  for (uint32_t i = 0; i < m->numFunctions; i++) {
    IM3Function f = &m->functions[i];
    if (!f->wasm) continue;
    f->compiled = NULL;
    m3_Free(f->constants);
    f->constants = NULL;
  }
}

int prepared_install(IM3Runtime rt, IM3Module m, const uint8_t *wasm, uint32_t wasm_len) {
  uint32_t cap = 0;
  const uint8_t *store = hal_store(&cap);
  memset(&figures, 0, sizeof figures);
  if (!store || cap < sizeof(store_header)) return 0;
  store_header want;
  memset(&want, 0, sizeof want);
  want.magic = STORE_MAGIC;
  want.version = STORE_VERSION;
  want.wasm_len = wasm_len;
  want.wasm_sum = fnv(FNV_START, wasm, wasm_len);
  want.firmware = hal_firmware_id();
  want.places = places(m, store);
  want.functions = m->numFunctions;
  const store_header *h = (const store_header *)store;
  if (!matches(h, &want, cap) || fnv(FNV_START, store + sizeof *h, h->bytes - sizeof *h) != h->sum) {
    prep p;
    memset(&p, 0, sizeof p);
    p.rt = rt;
    p.m = m;
    p.store = store;
    p.place = malloc(m->numFunctions * sizeof *p.place + 1);
    p.scratch = m->numFunctions * (uint32_t)sizeof *p.place;
    /* The runtime's own pages (the imports' bridges) are set aside: no code of ours goes there. */
    IM3CodePage open = rt->pagesOpen, full = rt->pagesFull;
    rt->pagesOpen = rt->pagesFull = NULL;
    uint32_t bytes = 0;
    int rc = p.place ? prepare(&p, cap, &bytes) : -1;
    rt->pagesOpen = open;
    rt->pagesFull = full;
    for (uint32_t j = 0; j < p.pages; j++) free(p.page[j]);
    free(p.place);
    free(p.moved);
    if (rc != 0) { forget(m); return -1; }
    want.bytes = bytes;
    want.sum = fnv(FNV_START, store + sizeof want, bytes - sizeof want); /* as written, read back */
    if (hal_store_write(0, &want, sizeof want) != 0) { forget(m); fw_log("prepared: writing the store failed"); return -1; }
    figures.prepared = 1;
    figures.scratch = p.scratch;
  }
  install(m, store);
  for (uint32_t i = 0; i < m->numFunctions; i++) figures.functions += m->functions[i].wasm != NULL;
  figures.code_bytes = h->bytes;
  return 1;
}

int prepared_holds(const void *p) {
  uint32_t cap = 0;
  const uint8_t *store = hal_store(&cap), *b = p;
  return store && b >= store && b < store + cap;
}

void prepared_release(IM3Module m) {
  for (uint32_t i = 0; m && i < m->numFunctions; i++)
    if (prepared_holds(m->functions[i].constants)) m->functions[i].constants = NULL;
}
