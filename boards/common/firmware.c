/*
 * wasm3 glue and the main loop's one step. Every pointer the module hands over is checked against
 * its linear memory before the firmware touches it; wasm3 errors are reported with m3_GetErrorInfo.
 */
#include "firmware.h"
#include "checksum.h"
#include "hal.h"
#include "prepared.h"
#include "w5500.h"
#include "wasm3.h"
#include "m3_env.h" /* M3Runtime.memoryLimit: cap linear memory on small chips */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static IM3Environment env;
static IM3Runtime runtime;
static IM3Function f_frame_received, f_poll, f_rx_buffer, f_rx_buffer_size, f_address, f_prefix, f_used, f_settled;
static int verbose;
static uint32_t rx_at, rx_cap; /* the module's receive buffer; rx_cap 0: not asked yet */

static void report(const char *what, M3Result r) {
  char line[256];
  M3ErrorInfo info;
  memset(&info, 0, sizeof info);
  if (runtime) m3_GetErrorInfo(runtime, &info);
  snprintf(line, sizeof line, "wasm3: %s: %s%s%s", what, r, info.message ? " - " : "", info.message ? info.message : "");
  fw_log(line);
}

/* Imports. */
m3ApiRawFunction(api_send_frame) {
  m3ApiGetArg(uint32_t, ptr);
  m3ApiGetArg(uint32_t, len);
  uint32_t size = m3_GetMemorySize(runtime);
  if (ptr > size || len > size - ptr || len > W5500_MAX_FRAME) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
  w5500_send((const uint8_t *)_mem + ptr, len);
  m3ApiSuccess();
}

m3ApiRawFunction(api_random_u32) {
  m3ApiReturnType(uint32_t);
  m3ApiReturn(hal_random());
}

m3ApiRawFunction(api_log) {
  m3ApiGetArg(uint32_t, ptr);
  m3ApiGetArg(uint32_t, len);
  uint32_t size = m3_GetMemorySize(runtime);
  if (ptr > size || len > size - ptr) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
  if (verbose) {
    char line[256];
    size_t n = len < sizeof line - 1 ? len : sizeof line - 1;
    memcpy(line, (const uint8_t *)_mem + ptr, n);
    line[n] = 0;
    fw_log(line);
  }
  m3ApiSuccess();
}

m3ApiRawFunction(api_checksum) {
  m3ApiReturnType(uint32_t);
  m3ApiGetArg(uint32_t, ptr);
  m3ApiGetArg(uint32_t, len);
  uint32_t size = m3_GetMemorySize(runtime);
  if (ptr > size || len > size - ptr) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);
  m3ApiReturn(internet_sum((const uint8_t *)_mem + ptr, len));
}

static int find(IM3Function *f, const char *name) {
  M3Result r = m3_FindFunction(f, runtime, name);
  if (r) { report(name, r); return -1; }
  return 0;
}

static uint32_t call_u32(IM3Function f) {
  uint32_t v = 0;
  M3Result r = m3_CallV(f);
  if (!r) r = m3_GetResultsV(f, &v);
  if (r) report(m3_GetFunctionName(f), r);
  return v;
}

static M3Result link_imports(IM3Module module) {
  M3Result r;
  if ((r = m3_LinkRawFunction(module, "env", "send_frame", "v(ii)", &api_send_frame)) ||
      (r = m3_LinkRawFunction(module, "env", "random_u32", "i()", &api_random_u32)) ||
      (r = m3_LinkRawFunction(module, "env", "log", "v(ii)", &api_log)) ||
      (r = m3_LinkRawFunction(module, "env", "checksum", "i(ii)", &api_checksum))) return r;
  return m3Err_none;
}

/* The exports the main loop calls, found in the current runtime. */
static int find_loop_exports(void) {
  return find(&f_frame_received, "frame_received") || find(&f_poll, "poll") || find(&f_rx_buffer, "rx_buffer") ||
         find(&f_rx_buffer_size, "rx_buffer_size") || find(&f_address, "address") || find(&f_prefix, "prefix_len") ||
         find(&f_used, "memory_used") || find(&f_settled, "settled") ? -1 : 0;
}

static uint32_t generation;
uint32_t fw_generation(void) { return generation; }

static IM3Runtime new_runtime(uint32_t stack_bytes) {
  generation++;
  return m3_NewRuntime(env, stack_bytes, NULL);
}

/*
 * wasm3 compiles a function on its first call and keeps the code as long as the runtime lives, so
 * everything that ran once at start-up (the module's start functions, configure, init, each
 * connection slot's constructor) would hold RAM for good. Once the module is up, it moves to a
 * fresh runtime: linear memory (the same block, not copied) and globals carry over as they are,
 * the old runtime and its code go back to the heap, and only what runs from then on is compiled.
 * reload() does the move, given the globals' values; fresh_runtime() saves and frees them. Both
 * take the module's bytes and the value stack's size from fw_start (the moves after start-up,
 * in fw_step, need them again). None of this happens while the module runs from the code store
 * (in_store): nothing was compiled into the heap, and the store's code points at this runtime's
 * function records, so it must stay.
 */
static const uint8_t *module_wasm;
static size_t module_wasm_len;
static uint32_t module_stack_bytes, code_budget, code_resets;
static int settled; /* the module has said its start-up exchanges are over (and its code went back) */
static int in_store; /* every function runs from the code store (prepared.c): nothing to give back */
static uint32_t pages_seen; /* the runtime's code pages when fw_step last looked at the budget */

static int reload(const i64 *globals, uint32_t n) {
  M3Result r;
  IM3Module module;
  M3MemoryHeader *memory = runtime->memory.mallocated;
  uint32_t pages = runtime->memory.numPages, limit = runtime->memoryLimit;
  runtime->memory.mallocated = NULL; /* the block stays: the new runtime takes it */
  runtime->memory.numPages = 0;
  m3_FreeRuntime(runtime);
  /* wasm3 keeps a freed runtime's code pages for the next one to fill; give them back instead,
   * before the module is parsed again (which for a moment holds its function table twice). */
  FreeCodePages(&env->pagesReleased);
  runtime = new_runtime(module_stack_bytes);
  if (!runtime) { fw_log("wasm3: out of memory creating the runtime"); return -1; }
  runtime->memoryLimit = limit;
  runtime->memory.mallocated = memory;
  runtime->memory.numPages = pages;
  if ((r = m3_ParseModule(env, &module, module_wasm, (uint32_t)module_wasm_len))) { report("parse", r); return -1; }
  module->numDataSegments = 0;          /* memory already holds the data, and what the module made of it */
  module->memoryInfo.initPages = pages; /* load "resizes" the block to the size it has */
  if ((r = m3_LoadModule(runtime, module))) { report("load", r); return -1; }
  if (module->numGlobals != n) { fw_log("firmware: globals differ in the fresh runtime"); return -1; }
  for (uint32_t i = 0; i < n; i++) module->globals[i].intValue = globals[i];
  if ((r = link_imports(module))) { report("link", r); return -1; }
  return find_loop_exports();
}

static int fresh_runtime(void) {
  IM3Module old = runtime->modules;
  uint32_t n = old->numGlobals;
  i64 *globals = n ? (i64 *)malloc(n * sizeof *globals) : NULL;
  if (n && !globals) { fw_log("firmware: out of memory moving to a fresh runtime"); return -1; }
  for (uint32_t i = 0; i < n; i++) globals[i] = old->globals[i].intValue;
  int rc = reload(globals, n);
  free(globals);
  pages_seen = 0; /* the new runtime has compiled nothing yet */
  return rc;
}

uint32_t fw_code_bytes(void) {
  uint32_t n = 0;
  for (int full = 0; runtime && full < 2; full++)
    for (IM3CodePage p = full ? runtime->pagesFull : runtime->pagesOpen; p; p = p->info.next)
      n += (uint32_t)(sizeof(M3CodePageHeader) + p->info.numLines * sizeof(code_t));
  return n;
}
uint32_t fw_code_resets(void) { return code_resets; }
int fw_settled(void) { return settled; }

int fw_start(const uint8_t *wasm, size_t wasm_len, const fw_config *cfg) {
  M3Result r;
  IM3Module module;
  IM3Function f_start, f_configure, f_init, f_msl;
  int32_t need = 0, rc = 0;
  uint32_t stack_bytes = cfg->stack_bytes ? cfg->stack_bytes : FW_VALUE_STACK;
  verbose = cfg->verbose;
  module_wasm = wasm;
  module_wasm_len = wasm_len;
  module_stack_bytes = stack_bytes;
  code_budget = cfg->code_budget ? cfg->code_budget : FW_CODE_BUDGET;
  code_resets = 0;
  settled = 0;
  env = m3_NewEnvironment();
  runtime = env ? new_runtime(stack_bytes) : NULL;
  if (!runtime) { fw_log("wasm3: out of memory creating the runtime"); return -1; }
  if (cfg->memory_limit) runtime->memoryLimit = cfg->memory_limit;
  if ((r = m3_ParseModule(env, &module, wasm, (uint32_t)wasm_len))) { report("parse", r); return -1; }
  if ((r = m3_LoadModule(runtime, module))) { report("load", r); return -1; }
  if ((r = link_imports(module))) { report("link", r); return -1; }
  in_store = cfg->no_store ? 0 : prepared_install(runtime, module, wasm, (uint32_t)wasm_len) == 1;
  if (in_store && verbose) {
    const prepared_stats *p = prepared_figures();
    char line[160];
    snprintf(line, sizeof line, "firmware: %u functions run from the code store (%u bytes%s)", (unsigned)p->functions,
             (unsigned)p->code_bytes, p->prepared ? ", compiled into it at this start" : "");
    fw_log(line);
  }
  if (find(&f_start, "_start") || find(&f_init, "init") || find(&f_configure, "configure")) return -1;
  if ((r = m3_CallV(f_start))) { report("_start", r); return -1; }
  if (cfg->name) { /* through the io buffer, like every byte the module takes */
    IM3Function f_buf, f_name;
    uint32_t io = 0, size = 0, len = (uint32_t)strlen(cfg->name), ok = 1;
    if (find(&f_buf, "io_buffer") || find(&f_name, "mdns_set_name")) return -1;
    io = call_u32(f_buf);
    uint8_t *mem = m3_GetMemory(runtime, &size, 0);
    if (!mem || len > 63 || io > size || len > size - io) { fw_log("firmware: bad mDNS name"); return -1; }
    memcpy(mem + io, cfg->name, len);
    if ((r = m3_CallV(f_name, len)) || (r = m3_GetResultsV(f_name, &ok))) { report("mdns_set_name", r); return -1; }
    if (ok != 0) { fw_log("firmware: the module refused the mDNS name"); return -1; }
  }
  if (cfg->services_set) {
    IM3Function f_sel;
    if (find(&f_sel, "select_services")) return -1;
    if ((r = m3_CallV(f_sel, cfg->services))) { report("select_services", r); return -1; }
  }
  /* The window a connection offers must fit what the chip can hold while the firmware drains it:
   * the W5500 keeps every received frame, headers and all, in its 16 KB RX memory, so a larger
   * window lets a fast sender overrun the chip (frames dropped there, then timeouts). */
  uint32_t rx_ring = cfg->rx_ring;
  if (rx_ring > FW_RX_RING_MAX) {
    char line[120];
    snprintf(line, sizeof line, "firmware: receive ring %u is more than the chip can hold; using %u",
             (unsigned)rx_ring, (unsigned)FW_RX_RING_MAX);
    fw_log(line);
    rx_ring = FW_RX_RING_MAX;
  }
  /* The layout: the module says what it needs (or that it does not fit the cap). */
  if (cfg->udp_sockets) {
    IM3Function f_udp;
    int32_t ok = 0;
    if (find(&f_udp, "configure_udp")) return -1;
    if ((r = m3_CallV(f_udp, cfg->udp_sockets)) || (r = m3_GetResultsV(f_udp, &ok))) { report("configure_udp", r); return -1; }
    if (ok < 0) { fw_log("firmware: UDP sockets out of bounds (1..16)"); return -1; }
  }
  if ((r = m3_CallV(f_configure, cfg->max_conns, rx_ring, cfg->tx_ring, cfg->memory_limit)) ||
      (r = m3_GetResultsV(f_configure, &need))) { report("configure", r); return -1; }
  if (need < 0) {
    char line[160];
    snprintf(line, sizeof line, "firmware: layout of %u connections x (%u + %u) bytes %s (configure: %d)",
             (unsigned)cfg->max_conns, (unsigned)rx_ring, (unsigned)cfg->tx_ring,
             need == -105 ? "does not fit memory_limit" : "is out of bounds", (int)need);
    fw_log(line);
    return -1;
  }
  /* No cap given: keep only what the layout needs. wasm3 gave the module a whole 64 KiB page at
   * load; trim it (contents kept) so the rest goes back to the heap before code is compiled. A
   * layout larger than a page is grown by the module at init, and the cap makes wasm3 allocate
   * just what it needs of the second page, not all of it. */
  if (!cfg->memory_limit) {
    runtime->memoryLimit = (uint32_t)need;
    if ((uint32_t)need < m3_GetMemorySize(runtime) &&
        (r = ResizeMemory(runtime, runtime->memory.numPages))) { report("trim memory", r); return -1; }
  }
  const uint8_t *m = cfg->mac;
  uint32_t mac_hi = (uint32_t)m[0] << 8 | m[1];
  uint32_t mac_lo = (uint32_t)m[2] << 24 | (uint32_t)m[3] << 16 | (uint32_t)m[4] << 8 | m[5];
  if ((r = m3_CallV(f_init, mac_hi, mac_lo, cfg->ip, cfg->prefix_len, cfg->gateway, hal_millis())) ||
      (r = m3_GetResultsV(f_init, &rc))) {
    report("init", r);
    return -1;
  }
  if (rc < 0) { fw_log("firmware: not enough linear memory for the layout"); return -1; }
  if (cfg->checksum_in_c) {
    IM3Function f_sum;
    if (find(&f_sum, "use_checksum_import")) return -1;
    if ((r = m3_CallV(f_sum, 1))) { report("use_checksum_import", r); return -1; }
  }
  if (cfg->msl_ms) {
    if (find(&f_msl, "set_msl")) return -1;
    if ((r = m3_CallV(f_msl, cfg->msl_ms))) { report("set_msl", r); return -1; }
  }
  return in_store ? find_loop_exports() : fresh_runtime();
}

void fw_stop(void) {
  rx_cap = 0;
  if (runtime && in_store) prepared_release(runtime->modules);
  if (runtime) m3_FreeRuntime(runtime); /* and the module loaded into it */
  if (env) m3_FreeEnvironment(env);
  runtime = NULL;
  env = NULL;
}

/* For synack.c (the socket API): the runtime the module runs in, NULL before fw_start. */
IM3Runtime fw_runtime(void) { return runtime; }

uint32_t fw_memory_size(void) { return m3_GetMemorySize(runtime); }
uint32_t fw_memory_used(void) { return call_u32(f_used); }
uint32_t fw_address(uint32_t *prefix_len) {
  if (prefix_len) *prefix_len = call_u32(f_prefix);
  return call_u32(f_address);
}

uint32_t fw_step(void) {
  /* The receive buffer's place in linear memory never changes once the module is up (asked
   * once); memory itself may be reallocated, so its base is looked up each time. */
  if (!rx_cap) { rx_at = call_u32(f_rx_buffer); rx_cap = call_u32(f_rx_buffer_size); }
  uint32_t rx = rx_at, cap = rx_cap;
  for (;;) {
    uint32_t size = 0;
    uint8_t *mem = m3_GetMemory(runtime, &size, 0);
    if (!mem || rx > size || cap > size - rx) { fw_log("firmware: rx buffer outside linear memory"); break; }
    int n = w5500_recv(mem + rx, cap);
    if (n <= 0) break;
    M3Result r = m3_CallV(f_frame_received, (uint32_t)n, hal_millis());
    if (r) report("frame_received", r);
  }
  uint32_t next = 0;
  M3Result r = m3_CallV(f_poll, hal_millis());
  if (!r) r = m3_GetResultsV(f_poll, &next);
  if (r) { report("poll", r); next = 10; }
  /* Start-up is over once the module has its address and has announced its name: the code it
   * compiled for that (mDNS probes and announcements, DHCP's exchange, the first ARP) would stay
   * for good, so it goes back the way start-up's own code did (fresh_runtime, once). */
  if (!settled && call_u32(f_settled) == 1) {
    settled = 1;
    if (!in_store && fresh_runtime() != 0) return 1000;
  }
  /* The code budget (FW_CODE_BUDGET), looked at only when wasm3 took a code page since the last
   * look (a function was compiled): most steps compile nothing, and the pages need not be walked. */
  if (!in_store && runtime->numCodePages != pages_seen) {
    pages_seen = runtime->numCodePages;
    uint32_t code = fw_code_bytes();
    if (code > code_budget) {
      if (verbose) {
        char line[128];
        snprintf(line, sizeof line, "firmware: code budget: %u bytes compiled, over %u: recompiling afresh, connections kept",
                 (unsigned)code, (unsigned)code_budget);
        fw_log(line);
      }
      if (fresh_runtime() != 0) return 1000;
      code_resets++;
    }
  }
  return next;
}
