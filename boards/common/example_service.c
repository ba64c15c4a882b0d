/*
 * An example service written in C on synack.h, built into the ESP32 firmware and the native
 * board: TCP 7000 answers each line in upper case ("quit" closes, the board first), and UDP 7001
 * answers each datagram with "synack: " and the datagram. Call example_service_start() once after
 * fw_start(), and example_service_poll() after every fw_step().
 */
#include "example_service.h"
#include "synack.h"
#include <ctype.h>
#include <string.h>

#define MAX_CLIENTS 2

static int listener = -1, udp = -1;
static int clients[MAX_CLIENTS] = { -1, -1 };

int example_service_start(void) {
  for (int i = 0; i < MAX_CLIENTS; i++) clients[i] = -1;
  listener = synack_listen(7000, 2);
  udp = synack_udp_bind(7001);
  return listener < 0 ? listener : udp < 0 ? udp : 0;
}

static void serve(int *slot) {
  char buf[256];
  int n = synack_recv(*slot, buf, sizeof buf);
  if (n == SYNACK_EAGAIN) return;
  if (n <= 0) { synack_close(*slot); *slot = -1; return; } /* the peer's FIN, or reset */
  if (n >= 4 && !memcmp(buf, "quit", 4)) { synack_send(*slot, "bye\n", 4); synack_close(*slot); *slot = -1; return; }
  for (int i = 0; i < n; i++) buf[i] = (char)toupper((unsigned char)buf[i]);
  synack_send(*slot, buf, (size_t)n); /* small replies: the send ring has room */
}

void example_service_poll(void) {
  if (listener >= 0) {
    for (int c; (c = synack_accept(listener)) >= 0;) {
      int placed = 0;
      for (int i = 0; i < MAX_CLIENTS && !placed; i++) if (clients[i] < 0) { clients[i] = c; placed = 1; }
      if (!placed) synack_abort(c); /* full: refuse with RST */
    }
  }
  for (int i = 0; i < MAX_CLIENTS; i++) if (clients[i] >= 0) serve(&clients[i]);
  if (udp >= 0) {
    char in[512], out[520];
    uint32_t ip; uint16_t port;
    for (int n; (n = synack_udp_recvfrom(udp, in, sizeof in, &ip, &port)) >= 0;) {
      memcpy(out, "synack: ", 8);
      memcpy(out + 8, in, (size_t)n);
      synack_udp_sendto(udp, ip, port, out, (size_t)n + 8);
    }
  }
}
