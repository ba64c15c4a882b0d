/*
 * The control protocol's calls (control.h): each request is one call of synack.h (or fw_step /
 * fw_address). Data moves with the call (send, UDP send) or its answer (recv, UDP receive, the
 * stats and connection tables), as much as the answer has room for.
 */
#include "control.h"
#include "firmware.h"
#include "synack.h"
#include <string.h>

static uint32_t u32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static void put32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }

uint16_t control_payload_len(const uint8_t *head) { return (uint16_t)(head[2] | head[3] << 8); }

size_t control_answer(const uint8_t *req, size_t len, uint8_t *ans, size_t ans_max) {
  if (len < CONTROL_REQUEST_HEAD || ans_max <= CONTROL_ANSWER_HEAD) return 0;
  uint16_t in_len = control_payload_len(req);
  if ((size_t)in_len != len - CONTROL_REQUEST_HEAD) return 0;
  const uint8_t *in = req + CONTROL_REQUEST_HEAD;
  uint8_t *out = ans + CONTROL_ANSWER_HEAD;
  size_t room = ans_max - CONTROL_ANSWER_HEAD;
  uint32_t a = u32(req + 4), b = u32(req + 8), c = u32(req + 12), d = u32(req + 16);
  size_t want = b < room ? b : room; /* recv's and UDP receive's max, bounded by the answer */
  int32_t r = SYNACK_EINVAL;
  uint32_t x = 0, y = 0, prefix = 0;
  uint16_t n = 0;
  switch (req[0]) {
  case 'L': r = synack_listen((uint16_t)a, (int)b); break;
  case 'A': r = synack_accept((int)a); break;
  case 'C': r = synack_connect(a, (uint16_t)b); break;
  case 'W': r = synack_send((int)a, in, in_len); break;
  case 'R': r = synack_recv((int)a, out, want); if (r > 0) n = (uint16_t)r; break;
  case 'H': r = synack_shutdown((int)a); break;
  case 'X': r = synack_close((int)a); break;
  case 'K': r = synack_abort((int)a); break;
  case 'T': r = synack_state((int)a); break;
  case 'I': r = synack_state((int)a); x = synack_remote_ip((int)a); y = synack_remote_port((int)a) | (uint32_t)synack_local_port((int)a) << 16; break;
  case 'N': r = synack_nodelay((int)a, (int)b); break;
  case 'E': r = synack_keepalive((int)a, b, c, (int)d); break;
  case 'B': r = synack_udp_bind((uint16_t)a); break;
  case 'U': r = synack_udp_sendto((int)a, b, (uint16_t)c, in, in_len); break;
  case 'V': {
    uint32_t ip = 0; uint16_t port = 0;
    r = synack_udp_recvfrom((int)a, out, want, &ip, &port);
    if (r > 0) n = (uint16_t)r;
    x = ip; y = port;
    break;
  }
  case 'Y': r = synack_udp_close((int)a); break;
  case 'Z': r = synack_udp_local_port((int)a); break;
  case 'S': r = synack_stats_text((char *)out, room); if (r > 0) n = (uint16_t)r; break;
  case 'O': r = synack_conns_text((char *)out, room); if (r > 0) n = (uint16_t)r; break;
  case 'D': { /* resolve: the name is the payload */
    char name[256];
    if (in_len >= sizeof name) break;
    memcpy(name, in, in_len);
    name[in_len] = 0;
    r = synack_resolve(name);
    break;
  }
  case 'J': r = synack_resolve_result((int)a, &x); break;
  case 'G': x = fw_address(&prefix); y = prefix; r = 0; break;
  case 'P': r = (int32_t)fw_step(); break;
  case 'Q': r = synack_close_all((int)a); break;
  }
  memset(ans, 0, CONTROL_ANSWER_HEAD);
  put32(ans, (uint32_t)r); put32(ans + 4, x); put32(ans + 8, y);
  ans[12] = (uint8_t)n; ans[13] = (uint8_t)(n >> 8);
  return CONTROL_ANSWER_HEAD + n;
}
