/*
 * synack on an emulated Xtensa lx106 (QEMU "sim" machine): boards/common unchanged, wasm3, the
 * module linked in, and the simulated W5500 whose wire is the host's FIFO channel (channel.h).
 * Arguments come through semihosting: synack serve's flags (boards/common/flags.h) and the board's own:
 *   --in FIFO --out FIFO (--ip A.B.C.D/N | --dhcp) [serve's flags] [--seed N]
 * It measures itself: CCOUNT around each step and around the simulated chip, the C stack's
 * painted peak, and the heap wasm3 requested (heap.h); 'S' or 'Q' on the channel reports them.
 */
#include "../common/firmware.h"
#include "../common/control.h"
#include "../common/flags.h"
#include "../common/hal.h"
#include "../common/synack.h"
#include "../common/w5500.h"
#include "../native/w5500_model.h"
#include "board.h"
#include "channel.h"
#include "heap.h"
#include "semi.h"
#include "store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const uint8_t synack_wasm[], synack_wasm_end[];
extern uint32_t __stack_bottom[], __stack[];
extern uint32_t fw_generation(void); /* runtimes made: 1 + the moves to a fresh one (firmware.c) */

static channel_msg msg;
static int verbose;
static uint64_t step_ticks, step_model_ticks, wire_ticks, start_ticks;
static uint32_t steps;
static uint32_t calib_ticks; /* CCOUNT ticks of a loop of exactly CALIB_INSNS instructions */
#define CALIB_INSNS 200000u

/* Check INSNS_PER_TICK on this QEMU: 100000 rounds of two instructions (addi, bnez). */
static void calibrate(void) {
  uint32_t n = CALIB_INSNS / 2, c = ccount();
  __asm__ volatile("1: addi %0, %0, -1\n bnez %0, 1b" : "+r"(n));
  calib_ticks = ccount() - c;
}

void fw_log(const char *line) { channel_write('L', 0, line, strlen(line)); }

static void fail(const char *what, const char *arg) {
  char line[160];
  snprintf(line, sizeof line, "synack-xtensa: %s%s", what, arg ? arg : "");
  fw_log(line);
  semi_exit(2);
}

static void to_wire(const uint8_t *frame, size_t len) { channel_write('F', 0, frame, len); }

/* Paint the unused stack again (below this frame, with room for the calls it makes). */
static void __attribute__((noinline)) stack_repaint(void) {
  uint32_t *sp = (uint32_t *)__builtin_frame_address(0) - 64;
  for (uint32_t *p = __stack_bottom; p < sp; p++) *p = 0x5a5a5a5au;
}

/* The stack's peak: the lowest word no longer holding start.S's paint. */
static uint32_t stack_peak(void) {
  uint32_t *p = __stack_bottom;
  while (p < __stack && *p == 0x5a5a5a5au) p++;
  return (uint32_t)((uint8_t *)__stack - (uint8_t *)p);
}

static void report(uint8_t type) {
  uint32_t compiled_funcs, compiled_wasm_bytes;
  heap_compiled(0, &compiled_funcs, &compiled_wasm_bytes);
  static char json[2048];
  int n = snprintf(json, sizeof json,
    "{\"insns_per_tick\":%u,\"steps\":%lu,\"step_ticks\":%llu,\"step_model_ticks\":%llu,\"wire_ticks\":%llu,"
    "\"start_ticks\":%llu,\"stack_peak\":%lu,\"stack_size\":%lu,\"value_stack_peak\":%lu,\"compiled_functions\":%lu,\"compiled_wasm_bytes\":%lu,\"heap_peak\":%lu,\"heap_now\":%lu,"
    "\"heap_largest\":%lu,\"heap_blocks\":%lu,\"linear_memory\":%lu,\"module_bytes\":%lu,"
    "\"spi_transactions\":%lu,\"spi_bytes\":%lu,\"frames_in\":%lu,\"frames_out\":%lu,\"chip_dropped\":%lu,"
    "\"driver_errors\":%lu,\"tx_timeouts\":%lu,\"board_us\":%lu,\"calib_insns\":%lu,\"calib_ticks\":%lu,"
    "\"code_bytes\":%lu,\"code_resets\":%lu,\"runtimes\":%lu,\"settled\":%d,\"heap_recent_peak\":%lu",
    INSNS_PER_TICK, (unsigned long)steps, (unsigned long long)step_ticks, (unsigned long long)step_model_ticks,
    (unsigned long long)wire_ticks, (unsigned long long)start_ticks, (unsigned long)stack_peak(),
    (unsigned long)((uint8_t *)__stack - (uint8_t *)__stack_bottom), (unsigned long)heap_value_stack_peak(), (unsigned long)compiled_funcs, (unsigned long)compiled_wasm_bytes,
    (unsigned long)heap.peak,
    (unsigned long)heap.now, (unsigned long)heap.largest, (unsigned long)heap.blocks, (unsigned long)fw_memory_size(),
    (unsigned long)(synack_wasm_end - synack_wasm), (unsigned long)w5500_count.transactions,
    (unsigned long)w5500_count.bytes, (unsigned long)w5500_count.frames_in, (unsigned long)w5500_count.frames_out,
    (unsigned long)model_count.dropped_full, (unsigned long)model_count.driver_errors,
    (unsigned long)w5500_count.tx_timeouts, (unsigned long)hal_micros(), (unsigned long)CALIB_INSNS,
    (unsigned long)calib_ticks, (unsigned long)fw_code_bytes(), (unsigned long)fw_code_resets(), (unsigned long)fw_generation(), fw_settled(),
    (unsigned long)heap.recent_peak);
  n += store_report(json + n, sizeof json - (size_t)n);
  for (int set = 0; set < 2; set++) {
    n += snprintf(json + n, sizeof json - (size_t)n, ",\"%s\":{", set ? "heap_now_by_kind" : "heap_peak_by_kind");
    for (int k = 0; k < HEAP_KINDS; k++)
      n += snprintf(json + n, sizeof json - (size_t)n, "%s\"%s\":%lu", k ? "," : "", heap_kind_name[k],
                    (unsigned long)(set ? heap.kind_now[k] : heap.kind_at_peak[k]));
    n += snprintf(json + n, sizeof json - (size_t)n, "}");
  }
  n += snprintf(json + n, sizeof json - (size_t)n, "}");
  channel_write(type, 0, json, (size_t)n);
}

static void idle(uint32_t next) {
  uint32_t prefix = 0, addr = fw_address(&prefix);
  uint8_t p[8] = { (uint8_t)addr, (uint8_t)(addr >> 8), (uint8_t)(addr >> 16), (uint8_t)(addr >> 24),
                   (uint8_t)prefix, 0, 0, 0 };
  channel_write('I', next, p, sizeof p);
}

static uint32_t step(void) {
  uint32_t c = ccount();
  uint64_t m = model_ticks;
  uint32_t next = fw_step();
  step_ticks += ccount() - c;
  step_model_ticks += model_ticks - m;
  steps++;
  return next;
}

static const char *in, *out;

/* The emulated board's own flags: its channel's FIFOs and the seed of its random numbers. */
static flag_taken xtensa_flag(const char *flag, const char *v) {
  if (!strcmp(flag, "--in")) { in = v; return FLAG_VALUE; }
  if (!strcmp(flag, "--out")) { out = v; return FLAG_VALUE; }
  if (!strcmp(flag, "--seed")) {
    if (v) board_seed((uint32_t)strtoul(v, NULL, 0));
    return FLAG_VALUE;
  }
  return FLAG_UNKNOWN;
}

int board_main(void) {
  calibrate();
  static char args[1024];
  static char *argv[32];
  int argc = semi_call(SEMI_ARGC, 0, 0, 0);
  if (argc > 32 || semi_call(SEMI_ARGV_SIZE, 0, 0, 0) > (int32_t)sizeof args) fail("too many arguments", NULL);
  semi_call(SEMI_ARGV, (uint32_t)args, 0, 0);
  for (int i = 0; i < argc; i++) argv[i] = ((char **)args)[i];

  fw_config cfg;
  static char why[160];
  int bad = fw_parse_flags(argc, argv, &cfg, xtensa_flag, why, sizeof why);
  verbose = cfg.verbose;
  if (!in || !out) fail("--in FIFO and --out FIFO are required", NULL);
  if (channel_open(in, out)) semi_exit(2); /* nowhere to say it: the host sees the exit code */
  if (bad) fail(why, NULL);
  /* The host's clock first, so the module starts at the host's time. */
  if (channel_read(&msg) || msg.type != 'T') fail("the host must send its clock first", NULL);
  board_set_time(msg.value);

  model_power_on();
  model_wire_out = to_wire;
  if (w5500_init(cfg.mac) != 0) fail("no W5500 found", NULL);
  cfg.checksum_in_c = 1;
  uint32_t c = ccount();
  if (fw_start(synack_wasm, (size_t)(synack_wasm_end - synack_wasm), &cfg) != 0) semi_exit(1);
  synack_set_engine("emulated Xtensa board (wasm3)");
  start_ticks = ccount() - c;
  idle(step());

  uint32_t link_check = hal_millis();
  for (;;) {
    if (channel_read(&msg)) return 0; /* the host closed the channel */
    board_set_time(msg.value);
    switch (msg.type) {
    case 'F': {
      uint32_t t = ccount();
      model_wire_in(msg.payload, msg.len);
      wire_ticks += ccount() - t;
      break;
    }
    case 'T': break;
    case 'K': { /* a socket call (control.h), answered by 'A' and no step: the host sends 'T' after its calls */
      static uint8_t ans[CONTROL_ANSWER_HEAD + CHANNEL_MAX_PAYLOAD - CONTROL_REQUEST_HEAD];
      size_t n = control_answer(msg.payload, msg.len, ans, sizeof ans);
      if (!n) fail("malformed control request", NULL);
      channel_write('A', 0, ans, n);
      continue;
    }
    case 'S': /* a report; a payload byte 1: then paint the stack again and note the heap, to measure from here on */
      report('M');
      if (msg.len > 0 && msg.payload[0] == 1) { stack_repaint(); heap.recent_peak = heap.now; }
      continue;
    case 'Q': report('M'); return 0;
    default: fail("unknown message from the host", NULL);
    }
    if ((int32_t)(hal_millis() - link_check) >= 500) { w5500_link_up(); link_check = hal_millis(); }
    idle(step());
  }
}
