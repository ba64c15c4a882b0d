/*
 * The native board's control channel (control.h): each request is one call of boards/common/synack.h
 * (or fw_step / fw_address), answered at once. Data moves with the call (send, UDP send) or its
 * answer (recv, UDP receive, the stats and connection tables).
 */
#define _GNU_SOURCE
#include "control.h"
#include "../common/firmware.h"
#include "../common/synack.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_PAYLOAD 4096

static int req = -1, resp = -1, event = -1;
static uint8_t in[MAX_PAYLOAD], out[MAX_PAYLOAD];

static int open_fifo(const char *dir, const char *name, int flags) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, flags);
  if (fd < 0) fprintf(stderr, "synack-native: --control: cannot open %s: %s\n", path, strerror(errno));
  return fd;
}

int control_open(const char *dir) {
  req = open_fifo(dir, "req", O_RDONLY);
  resp = req < 0 ? -1 : open_fifo(dir, "resp", O_WRONLY);
  event = resp < 0 ? -1 : open_fifo(dir, "event", O_WRONLY | O_NONBLOCK);
  return event < 0 ? -1 : req;
}

static int read_full(uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t r = read(req, p, n);
    if (r == 0) return -1;
    if (r < 0) { if (errno == EINTR) continue; return -1; }
    p += r; n -= (size_t)r;
  }
  return 0;
}

static void write_full(const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t r = write(resp, p, n);
    if (r < 0) { if (errno == EINTR) continue; return; }
    p += r; n -= (size_t)r;
  }
}

static uint32_t u32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static void put32(uint8_t *p, uint32_t v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }

static void answer(int32_t result, uint32_t x, uint32_t y, uint16_t len) {
  uint8_t h[16] = { 0 };
  put32(h, (uint32_t)result); put32(h + 4, x); put32(h + 8, y);
  h[12] = len; h[13] = len >> 8;
  write_full(h, sizeof h);
  if (len) write_full(out, len);
}

/* One request: the op, its four arguments and payload; answered before the next is read. */
static void serve_one(uint8_t op, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint16_t len) {
  int32_t r = SYNACK_EINVAL;
  uint32_t x = 0, y = 0, prefix = 0;
  uint16_t n = 0;
  switch (op) {
  case 'L': r = synack_listen((uint16_t)a, (int)b); break;
  case 'A': r = synack_accept((int)a); break;
  case 'C': r = synack_connect(a, (uint16_t)b); break;
  case 'W': r = synack_send((int)a, in, len); break;
  case 'R': r = synack_recv((int)a, out, b < MAX_PAYLOAD ? b : MAX_PAYLOAD); if (r > 0) n = (uint16_t)r; break;
  case 'H': r = synack_shutdown((int)a); break;
  case 'X': r = synack_close((int)a); break;
  case 'K': r = synack_abort((int)a); break;
  case 'T': r = synack_state((int)a); break;
  case 'I': r = synack_state((int)a); x = synack_remote_ip((int)a); y = synack_remote_port((int)a) | (uint32_t)synack_local_port((int)a) << 16; break;
  case 'N': r = synack_nodelay((int)a, (int)b); break;
  case 'E': r = synack_keepalive((int)a, b, c, (int)d); break;
  case 'B': r = synack_udp_bind((uint16_t)a); break;
  case 'U': r = synack_udp_sendto((int)a, b, (uint16_t)c, in, len); break;
  case 'V': {
    uint32_t ip = 0; uint16_t port = 0;
    r = synack_udp_recvfrom((int)a, out, b < MAX_PAYLOAD ? b : MAX_PAYLOAD, &ip, &port);
    if (r > 0) n = (uint16_t)r;
    x = ip; y = port;
    break;
  }
  case 'Y': r = synack_udp_close((int)a); break;
  case 'Z': r = synack_udp_local_port((int)a); break;
  case 'S': r = synack_stats_text((char *)out, MAX_PAYLOAD); if (r > 0) n = (uint16_t)r; break;
  case 'O': r = synack_conns_text((char *)out, MAX_PAYLOAD); if (r > 0) n = (uint16_t)r; break;
  case 'D': { /* resolve: the name is the payload */
    char name[256];
    if (len >= sizeof name) break;
    memcpy(name, in, len);
    name[len] = 0;
    r = synack_resolve(name);
    break;
  }
  case 'J': r = synack_resolve_result((int)a, &x); break;
  case 'G': x = fw_address(&prefix); y = prefix; r = 0; break;
  case 'P': r = (int32_t)fw_step(); break;
  case 'Q': r = synack_close_all((int)a); break;
  }
  (void)d;
  answer(r, x, y, n);
}

int control_serve(void) {
  for (;;) {
    struct pollfd p = { req, POLLIN, 0 };
    if (poll(&p, 1, 0) <= 0) return 0;
    if (!(p.revents & POLLIN)) return -1;
    uint8_t h[20];
    if (read_full(h, sizeof h) != 0) return -1;
    uint16_t len = (uint16_t)(h[2] | h[3] << 8);
    if (len > MAX_PAYLOAD || read_full(in, len) != 0) return -1;
    serve_one(h[0], u32(h + 4), u32(h + 8), u32(h + 12), u32(h + 16), len);
  }
}

void control_event(void) {
  static const uint8_t one = '!';
  if (event >= 0 && write(event, &one, 1) < 0) { /* the host has not read the last ones: it will look anyway */ }
}
