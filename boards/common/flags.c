/* The firmware's command line (flags.h). */
#include "flags.h"
#include "hal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "A.B.C.D" into host order, END after it; -1 if it is not one. */
static int parse_ip(const char *s, uint32_t *out, const char **end) {
  uint32_t ip = 0;
  for (int i = 0; i < 4; i++) {
    if (*s < '0' || *s > '9') return -1;
    uint32_t v = 0;
    while (*s >= '0' && *s <= '9') { v = v * 10 + (uint32_t)(*s++ - '0'); if (v > 255) return -1; }
    ip = ip << 8 | v;
    if (i < 3 && *s++ != '.') return -1;
  }
  *out = ip;
  *end = s;
  return 0;
}

static int hexval(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; }

/* "xx:xx:xx:xx:xx:xx", unicast; -1 if not. */
static int parse_mac(const char *s, uint8_t mac[6]) {
  for (int i = 0; i < 6; i++) {
    int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);
    if (lo < 0 || (i < 5 && s[2] != ':') || (i == 5 && s[2])) return -1;
    mac[i] = (uint8_t)(hi << 4 | lo);
    s += 3;
  }
  return mac[0] & 1 ? -1 : 0;
}

/* A decimal number, 1..4294967295; 0 if it is not one. */
static uint32_t positive(const char *v) {
  char *end;
  unsigned long x = strtoul(v, &end, 10);
  return *v >= '0' && *v <= '9' && !*end && x <= 0xffffffffUL ? (uint32_t)x : 0;
}

/* One of synack serve's flags with its value: 1 taken, 0 not one of ours, -1 wrong (ERR says why). */
static int serve_flag(const char *flag, const char *v, fw_config *cfg, char *err, size_t errlen) {
  const char *e;
  if (!strcmp(flag, "--ip")) {
    char *end;
    if (parse_ip(v, &cfg->ip, &e) || *e != '/') goto bad_ip;
    unsigned long n = strtoul(e + 1, &end, 10);
    if (*end || e[1] < '0' || e[1] > '9' || n < 1 || n > 30) goto bad_ip;
    cfg->prefix_len = (uint32_t)n;
  } else if (!strcmp(flag, "--gw")) {
    if (parse_ip(v, &cfg->gateway, &e) || *e) { snprintf(err, errlen, "bad --gw: %s", v); return -1; }
  } else if (!strcmp(flag, "--mac")) {
    if (parse_mac(v, cfg->mac)) { snprintf(err, errlen, "bad --mac: %s", v); return -1; }
  } else if (!strcmp(flag, "--name")) {
    cfg->name = v;
  } else if (!strcmp(flag, "--services")) {
    char *end;
    unsigned long m = strtoul(v, &end, 0);
    if (!*v || *end || m > 63) { snprintf(err, errlen, "bad --services (a mask, 0..63): %s", v); return -1; }
    cfg->services = (uint32_t)m;
    cfg->services_set = 1;
  } else {
    /* The numbers; the module's configure judges the layout's bounds. */
    static const struct { const char *flag; size_t at; } numbers[] = {
      { "--msl", offsetof(fw_config, msl_ms) }, { "--conns", offsetof(fw_config, max_conns) },
      { "--rx-ring", offsetof(fw_config, rx_ring) }, { "--tx-ring", offsetof(fw_config, tx_ring) },
      { "--udp-sockets", offsetof(fw_config, udp_sockets) },
      { "--memory-limit", offsetof(fw_config, memory_limit) }, { "--code-budget", offsetof(fw_config, code_budget) },
    };
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
      if (strcmp(flag, numbers[i].flag)) continue;
      uint32_t x = positive(v);
      if (!x) { snprintf(err, errlen, "bad %s (a number above 0): %s", flag, v); return -1; }
      *(uint32_t *)((uint8_t *)cfg + numbers[i].at) = x;
      return 1;
    }
    return 0;
  }
  return 1;
bad_ip:
  snprintf(err, errlen, "bad --ip (want A.B.C.D/N): %s", v);
  return -1;
}

int fw_parse_flags(int argc, char *const *argv, fw_config *cfg, flag_board board, char *err, size_t errlen) {
  memset(cfg, 0, sizeof *cfg);
  int have_ip = 0, have_mac = 0;
  for (int i = 1; i < argc; i++) {
    const char *flag = argv[i], *v = i + 1 < argc && strncmp(argv[i + 1], "--", 2) ? argv[i + 1] : NULL;
    if (!strcmp(flag, "--verbose")) { cfg->verbose = 1; continue; }
    if (!strcmp(flag, "--no-store")) { cfg->no_store = 1; continue; }
    if (!strcmp(flag, "--dhcp")) { cfg->ip = 0; cfg->prefix_len = 0; have_ip = 1; continue; }
    flag_taken t = board ? board(flag, v) : FLAG_UNKNOWN;
    if (t == FLAG_SWITCH) continue;
    if (t == FLAG_BAD) { snprintf(err, errlen, "bad %s: %s", flag, v ? v : "(none)"); return -1; }
    if (t == FLAG_VALUE && v) { i++; continue; }
    if (!v) {
      fw_config scratch;
      char why[80];
      int ours = t == FLAG_VALUE || serve_flag(flag, "", &scratch, why, sizeof why) != 0;
      snprintf(err, errlen, ours ? "missing value for %s" : "unknown flag: %s", flag);
      return -1;
    }
    int r = serve_flag(flag, v, cfg, err, errlen);
    if (r < 0) return -1;
    if (r == 0) { snprintf(err, errlen, "unknown flag: %s", flag); return -1; }
    have_ip |= !strcmp(flag, "--ip");
    have_mac |= !strcmp(flag, "--mac");
    i++;
  }
  if (!have_ip) { snprintf(err, errlen, "--ip A.B.C.D/N is required (or --dhcp)"); return -1; }
  if (!have_mac) { /* as the host's defaultMac: the address's low three bytes (random ones for DHCP) */
    uint32_t low = cfg->ip ? cfg->ip : hal_random();
    const uint8_t m[6] = { 0x02, 0x53, 0x4b, (uint8_t)(low >> 16), (uint8_t)(low >> 8), (uint8_t)low };
    memcpy(cfg->mac, m, 6);
  }
  return 0;
}
