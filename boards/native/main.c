/*
 * synack-native: the board firmware on Linux. boards/common runs unchanged; the HAL's SPI talks
 * to a simulated W5500 whose wire is an existing TAP device. Flags are synack serve's
 * (boards/common/flags.h), and the board's own:
 *   synack-native --tap IFNAME (--ip A.B.C.D/N | --dhcp) [serve's flags] [--control DIR] [--example-service]
 *                 [--store FILE] [--store-bytes N]
 * --control DIR is for the Node host's native engine (synack serve --board native, openStack):
 * the host drives the socket API over the FIFOs in DIR (fifos.h), and it (not this loop) waits
 * for DHCP and closes the connections on a signal (host/engine/lifecycle.ts). The example C
 * service runs without --control, or with --example-service. The code store (store.c) is blank
 * memory at every start, or with --store FILE that file, kept for the next run; --store-bytes N
 * gives it another size than 4 MiB.
 */
#define _GNU_SOURCE
#include "../common/firmware.h"
#include "../common/flags.h"
#include "../common/hal.h"
#include "../../host/link/tapattach.h"
#include "../common/w5500.h"
#include "../common/example_service.h"
#include "../common/synack.h"
#include "w5500_model.h"
#include "fifos.h"
#include "store.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <malloc.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

static int tap = -1;
static volatile sig_atomic_t stop;
static uint32_t driver_errors_seen;

void fw_log(const char *line) { fprintf(stderr, "synack: %s\n", line); }

static int die(const char *msg, const char *arg) {
  fprintf(stderr, "synack-native: %s%s\n", msg, arg ? arg : "");
  return 2;
}

static void to_tap(const uint8_t *frame, size_t len) {
  if (write(tap, frame, len) < 0 && errno != EAGAIN && errno != EIO) perror("synack-native: write to TAP");
}

static int open_tap(const char *name) {
  char err[200];
  int fd = tap_attach(name, O_NONBLOCK, err, sizeof err);
  if (fd < 0) fprintf(stderr, "synack-native: %s\n", err);
  return fd;
}

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  struct stat st;
  if (fstat(fileno(f), &st) != 0) { fclose(f); return NULL; }
  uint8_t *buf = malloc((size_t)st.st_size);
  if (buf && fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) { free(buf); buf = NULL; }
  fclose(f);
  *len = (size_t)st.st_size;
  return buf;
}

static void on_signal(int sig) { (void)sig; stop = stop < 2 ? stop + 1 : 2; } /* a second one hurries */

static const char *ifname, *control, *store_path;
static uint32_t store_bytes = STORE_DEFAULT_BYTES;
static int example;

/* The native board's own flags: its TAP, the host's control FIFOs, the example C service, the code store. */
static flag_taken native_flag(const char *flag, const char *v) {
  if (!strcmp(flag, "--example-service")) { example = 1; return FLAG_SWITCH; }
  if (!strcmp(flag, "--tap")) { ifname = v; return FLAG_VALUE; }
  if (!strcmp(flag, "--control")) { control = v; return FLAG_VALUE; }
  if (!strcmp(flag, "--store")) { store_path = v; return FLAG_VALUE; }
  if (!strcmp(flag, "--store-bytes")) {
    char *end;
    unsigned long n = v ? strtoul(v, &end, 10) : 0;
    if (v && (*v < '0' || *v > '9' || *end || n < 1 || n > 1ul << 30)) return FLAG_BAD;
    store_bytes = (uint32_t)n;
    return FLAG_VALUE;
  }
  return FLAG_UNKNOWN;
}

int main(int argc, char **argv) {
  fw_config cfg;
  char why[160];
  if (fw_parse_flags(argc, argv, &cfg, native_flag, why, sizeof why) != 0) return die(why, NULL);
  if (!ifname) return die("--tap IFNAME is required", NULL);
  if (store_open(store_path, store_bytes, why, sizeof why) != 0) return die(why, NULL);

  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = 0;
  char wasm_path[4200];
  const char *env_path = getenv("SYNACK_WASM");
  snprintf(wasm_path, sizeof wasm_path, "%s/synack.wasm", dirname(exe));
  size_t wasm_len = 0;
  uint8_t *wasm = read_file(env_path ? env_path : wasm_path, &wasm_len);
  if (!wasm) { fprintf(stderr, "synack-native: cannot read %s\n", env_path ? env_path : wasm_path); return 1; }

  tap = open_tap(ifname);
  if (tap < 0) return 1;
  int ctl = -1;
  if (control) {
    prctl(PR_SET_PDEATHSIG, SIGTERM); /* the Node program that drives us is gone: so are we */
    if ((ctl = control_open(control)) < 0) return 1;
  }
  model_power_on();
  model_wire_out = to_tap;
  if (w5500_init(cfg.mac) != 0) { fprintf(stderr, "synack-native: no W5500 found\n"); return 1; }
  /* Checksums in C unless SYNACK_CHECKSUM=wasm asks for the module's own loop (to compare). */
  const char *sum = getenv("SYNACK_CHECKSUM");
  cfg.checksum_in_c = !(sum && !strcmp(sum, "wasm"));
  size_t heap_before = mallinfo2().uordblks + mallinfo2().hblkhd;
  if (fw_start(wasm, wasm_len, &cfg) != 0) return 1;
  synack_set_engine("native board (wasm3, simulated W5500)");
  if (cfg.verbose) /* what wasm3 took on top of the module's bytes: runtime, code pages, linear memory */
    fprintf(stderr, "synack-native: wasm3 heap %zu bytes (linear memory %u, %u in use, module %zu)\n",
            mallinfo2().uordblks + mallinfo2().hblkhd - heap_before, fw_memory_size(), fw_memory_used(), wasm_len);

  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  static uint8_t frame[2048];
  uint32_t next = 0, link_check = hal_millis();
  int dhcp = cfg.ip == 0;
  uint32_t addr = 0, prefix = 0;
  /* DHCP: ready once leased (with a control channel the host waits, asking for the address) */
  for (uint32_t start = hal_millis(); ctl < 0 && !stop && (addr = fw_address(&prefix)) == 0;) {
    if (hal_millis() - start > 60000) { fprintf(stderr, "synack-native: no DHCP lease after 60 s\n"); return 1; }
    struct pollfd p = { tap, POLLIN, 0 };
    if (poll(&p, 1, (int)(next > 100 ? 100 : next)) > 0)
      for (ssize_t len; (len = read(tap, frame, sizeof frame)) > 0;) model_wire_in(frame, (size_t)len);
    next = fw_step();
  }
  if (ctl < 0) example = 1;
  if (example && example_service_start() != 0) fprintf(stderr, "synack-native: the example C service could not start\n");
  printf("synack: serving %u.%u.%u.%u/%u on %s (mac %02x:%02x:%02x:%02x:%02x:%02x) [board native, wasm3%s]\n",
         addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255, addr & 255, prefix, ifname,
         cfg.mac[0], cfg.mac[1], cfg.mac[2], cfg.mac[3], cfg.mac[4], cfg.mac[5], dhcp ? ", dhcp" : "");
  fflush(stdout);

  while (!stop) {
    struct pollfd ps[2] = { { tap, POLLIN, 0 }, { ctl, POLLIN, 0 } };
    int ready = poll(ps, ctl < 0 ? 1 : 2, (int)(next > 1000 ? 1000 : next));
    struct pollfd p = ps[0];
    if (ctl >= 0 && ps[1].revents) { /* the host's socket calls, answered now; then a step as usual */
      if (control_serve() != 0) break;
      if (!(p.revents & POLLIN)) { next = fw_step(); continue; }
    }
    if (ready > 0 && (p.revents & POLLIN)) {
      /* The wire delivers what it has into the chip; the chip's RX ring decides what fits. */
      for (int i = 0; i < 64; i++) {
        ssize_t len = read(tap, frame, sizeof frame);
        if (len <= 0) break;
        model_wire_in(frame, (size_t)len);
      }
    }
    if ((int32_t)(hal_millis() - link_check) >= 500) { w5500_link_up(); link_check = hal_millis(); }
    next = fw_step();
    if (ctl >= 0) control_event();
    if (example) example_service_poll();
    if (model_count.driver_errors != driver_errors_seen) { /* a bug in the driver: say so at once */
      driver_errors_seen = model_count.driver_errors;
      fprintf(stderr, "synack-native: W5500 driver error (%u so far): %s\n", driver_errors_seen, model_last_error);
    }
  }
  /* Leaving: close every connection (FIN), give the peers 2 s to finish, then reset what is left,
   * so no peer stays waiting on a board that has gone (as synack serve does on V8). */
  int open = synack_close_all(0);
  for (uint32_t t0 = hal_millis(); open > 0 && stop < 2 && hal_millis() - t0 < 2000;) {
    struct pollfd p = { tap, POLLIN, 0 };
    if (poll(&p, 1, 20) > 0 && (p.revents & POLLIN))
      for (ssize_t len; (len = read(tap, frame, sizeof frame)) > 0;) model_wire_in(frame, (size_t)len);
    fw_step();
    open = synack_close_all(0);
  }
  if (open > 0) {
    synack_close_all(1);
    fw_step();
    fprintf(stderr, "synack-native: reset %d connection(s) still closing\n", open);
  }
  if (cfg.verbose) { /* the firmware's inner life: what wasm3 holds, and the chip's counters */
    fprintf(stderr, "synack-native: heap in use %zu bytes since before wasm3 started (runtime, compiled code, linear memory)\n",
            mallinfo2().uordblks + mallinfo2().hblkhd - heap_before);
    fprintf(stderr, "synack-native: spi %u transactions %u bytes; frames in %u (%u bytes) out %u (%u bytes); "
            "rx drains %u, rx resets %u, tx without link %u, tx timeouts %u; chip dropped %u (ring full), "
            "driver errors %u%s%s; linear memory %u bytes\n",
            w5500_count.transactions, w5500_count.bytes, w5500_count.frames_in, w5500_count.bytes_in,
            w5500_count.frames_out, w5500_count.bytes_out, w5500_count.rx_drains, w5500_count.rx_resets,
            w5500_count.tx_nolink, w5500_count.tx_timeouts, model_count.dropped_full, model_count.driver_errors,
            model_count.driver_errors ? ", last: " : "", model_last_error, fw_memory_size());
  }
  return model_count.driver_errors ? 3 : 0; /* the chip saw the driver break the datasheet's rules */
}
