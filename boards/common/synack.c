/*
 * synack.h over wasm3: each call finds its export once, moves bytes through the module's io
 * buffer (looked up on every call: linear memory may move when it grows) and returns the result.
 */
#include "synack.h"
#include "firmware.h"
#include "wasm3.h"
#include <string.h>

extern IM3Runtime fw_runtime(void);
extern uint32_t fw_generation(void);

/* An export, found once per runtime (fw_start makes new ones; a new runtime may sit where an old one was). */
typedef struct { const char *name; IM3Function f; uint32_t generation; } export_fn;

static int32_t call(export_fn *e, int argc, const uint32_t *argv) {
  IM3Runtime rt = fw_runtime();
  if (!rt) return SYNACK_EBADF;
  if (e->generation != fw_generation()) {
    e->f = NULL;
    if (m3_FindFunction(&e->f, rt, e->name)) return SYNACK_EINVAL;
    e->generation = fw_generation();
  }
  const void *ptrs[6];
  for (int i = 0; i < argc; i++) ptrs[i] = &argv[i];
  if (m3_Call(e->f, (uint32_t)argc, ptrs)) return SYNACK_EINVAL;
  int32_t r = 0;
  if (m3_GetRetCount(e->f) && m3_GetResultsV(e->f, &r)) return SYNACK_EINVAL;
  return r;
}

#define CALL(name, ...) do { static export_fn e = { name, 0, 0 }; const uint32_t a[] = { __VA_ARGS__ }; \
  return call(&e, (int)(sizeof a / sizeof a[0]), a); } while (0)

/* The io buffer: its place in linear memory and its size; NULL if the module has none. */
static uint8_t *io(uint32_t *cap) {
  static export_fn e_buf = { "io_buffer", 0, 0 }, e_size = { "io_buffer_size", 0, 0 };
  int32_t at = call(&e_buf, 0, NULL), size = call(&e_size, 0, NULL);
  uint32_t mem_size = 0;
  uint8_t *mem = m3_GetMemory(fw_runtime(), &mem_size, 0);
  if (!mem || at < 0 || size <= 0 || (uint32_t)at + (uint32_t)size > mem_size) return NULL;
  *cap = (uint32_t)size;
  return mem + at;
}

int synack_listen(uint16_t port, int backlog) { CALL("sock_listen", port, (uint32_t)backlog); }
int synack_accept(int listener) { CALL("sock_accept", (uint32_t)listener); }
int synack_connect(uint32_t ip, uint16_t port) { CALL("sock_connect", ip, port); }
int synack_shutdown(int id) { CALL("sock_shutdown", (uint32_t)id); }
int synack_close(int id) { CALL("sock_close", (uint32_t)id); }
int synack_abort(int id) { CALL("sock_abort", (uint32_t)id); }
int synack_state(int id) { CALL("sock_state", (uint32_t)id); }
int synack_close_all(int abort) { CALL("sock_close_all", (uint32_t)(abort != 0)); }
uint32_t synack_remote_ip(int id) { static export_fn e = { "sock_remote_ip", 0, 0 }; const uint32_t a[] = { (uint32_t)id }; return (uint32_t)call(&e, 1, a); }
uint16_t synack_remote_port(int id) { static export_fn e = { "sock_remote_port", 0, 0 }; const uint32_t a[] = { (uint32_t)id }; return (uint16_t)call(&e, 1, a); }
uint16_t synack_local_port(int id) { static export_fn e = { "sock_local_port", 0, 0 }; const uint32_t a[] = { (uint32_t)id }; return (uint16_t)call(&e, 1, a); }
int synack_nodelay(int id, int on) { CALL("sock_nodelay", (uint32_t)id, (uint32_t)(on != 0)); }
int synack_keepalive(int id, uint32_t idle_ms, uint32_t interval_ms, int count) { CALL("sock_keepalive", (uint32_t)id, idle_ms, interval_ms, (uint32_t)count); }
int synack_udp_bind(uint16_t port) { CALL("udp_bind", port); }
uint16_t synack_udp_local_port(int id) { static export_fn e = { "udp_local_port", 0, 0 }; const uint32_t a[] = { (uint32_t)id }; return (uint16_t)call(&e, 1, a); }
int synack_udp_close(int id) { CALL("udp_close", (uint32_t)id); }

int synack_send(int id, const void *buf, size_t len) {
  static export_fn e = { "sock_send", 0, 0 };
  size_t done = 0;
  while (done < len) {
    uint32_t cap;
    uint8_t *p = io(&cap);
    if (!p) return SYNACK_EINVAL;
    uint32_t n = len - done < cap ? (uint32_t)(len - done) : cap;
    memcpy(p, (const uint8_t *)buf + done, n);
    const uint32_t a[] = { (uint32_t)id, n };
    int32_t r = call(&e, 2, a);
    if (r < 0) return done ? (int)done : r;
    done += (size_t)r;
    if ((uint32_t)r < n) break; /* the send ring is full */
  }
  return (int)done;
}

int synack_recv(int id, void *buf, size_t len) {
  static export_fn e = { "sock_recv", 0, 0 };
  uint32_t cap;
  uint8_t *p = io(&cap);
  if (!p) return SYNACK_EINVAL;
  const uint32_t a[] = { (uint32_t)id, len < cap ? (uint32_t)len : cap };
  int32_t r = call(&e, 2, a);
  if (r > 0) {
    p = io(&cap);
    if (!p) return SYNACK_EINVAL;
    memcpy(buf, p, (size_t)r);
  }
  return r;
}

int synack_udp_sendto(int id, uint32_t ip, uint16_t port, const void *buf, size_t len) {
  static export_fn e = { "udp_sendto", 0, 0 };
  uint32_t cap;
  uint8_t *p = io(&cap);
  if (!p) return SYNACK_EINVAL;
  if (len > cap) return SYNACK_EINVAL;
  memcpy(p, buf, len);
  const uint32_t a[] = { (uint32_t)id, ip, port, (uint32_t)len };
  return call(&e, 4, a);
}

int synack_udp_recvfrom(int id, void *buf, size_t len, uint32_t *ip, uint16_t *port) {
  static export_fn e = { "udp_recvfrom", 0, 0 }, e_ip = { "udp_from_ip", 0, 0 }, e_port = { "udp_from_port", 0, 0 };
  uint32_t cap;
  if (!io(&cap)) return SYNACK_EINVAL;
  const uint32_t a[] = { (uint32_t)id, len < cap ? (uint32_t)len : cap };
  int32_t r = call(&e, 2, a);
  if (r < 0) return r;
  uint8_t *p = io(&cap);
  if (!p) return SYNACK_EINVAL;
  memcpy(buf, p, (size_t)r);
  if (ip) *ip = (uint32_t)call(&e_ip, 0, NULL);
  if (port) *port = (uint16_t)call(&e_port, 0, NULL);
  return r;
}

/* A name into the io buffer for an export that takes its length. */
static int named(export_fn *e, const char *name, size_t max) {
  uint32_t cap;
  uint8_t *p = io(&cap);
  size_t len = strlen(name);
  if (!p || len > max || len > cap) return SYNACK_EINVAL;
  memcpy(p, name, len);
  const uint32_t a[] = { (uint32_t)len };
  return call(e, 1, a);
}
int synack_resolve(const char *name) { static export_fn e = { "resolve", 0, 0 }; return named(&e, name, 255); }
int synack_set_engine(const char *name) { static export_fn e = { "set_engine", 0, 0 }; return named(&e, name, 47); }

int synack_resolve_result(int handle, uint32_t *ip) {
  static export_fn e = { "resolve_result", 0, 0 }, e_ip = { "resolve_address", 0, 0 };
  const uint32_t a[] = { (uint32_t)handle };
  int32_t r = call(&e, 1, a);
  if (r == 0 && ip) *ip = (uint32_t)call(&e_ip, 1, a);
  return r;
}

void synack_dns_servers(uint32_t a, uint32_t b) {
  static export_fn e = { "dns_servers", 0, 0 };
  const uint32_t v[] = { a, b };
  (void)call(&e, 2, v);
}

/* stats_text / conns_text / version_text write into the io buffer and return the length. */
static int text(export_fn *e, char *buf, size_t len) {
  int32_t n = call(e, 0, NULL);
  uint32_t cap;
  uint8_t *p = io(&cap);
  if (n < 0 || !p) return SYNACK_EINVAL;
  if ((uint32_t)n > cap) n = (int32_t)cap;
  if ((size_t)n > len) n = (int32_t)len;
  memcpy(buf, p, (size_t)n);
  return n;
}
int synack_stats_text(char *buf, size_t len) { static export_fn e = { "stats_text", 0, 0 }; return text(&e, buf, len); }
int synack_conns_text(char *buf, size_t len) { static export_fn e = { "conns_text", 0, 0 }; return text(&e, buf, len); }
int synack_version(char *buf, size_t len) { static export_fn e = { "version_text", 0, 0 }; return text(&e, buf, len); }
