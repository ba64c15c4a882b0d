/*
 * lwipserve --tap IFNAME --ip A.B.C.D/N: the bench's reference server. Debian's liblwip (2.1.3,
 * 64 KiB window) attached to an existing TAP, serving echo (7), discard (9) and chargen (19) with
 * lwIP's raw TCP API, so `npm run bench` can set synack beside another embedded stack on the same
 * kind of link. Prints one "lwipserve: serving" line on stdout when ready; runs until SIGTERM.
 *
 * Threads: lwIP's tcpip thread runs the timers; this program's main thread reads frames from the
 * TAP and hands each to ethernet_input with the core lock held (no message per frame). Output
 * (linkoutput) runs in whichever thread holds the lock and writes the frame to the TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../../host/link/tapattach.h"
#include "lwip/init.h"
#include "lwip/tcpip.h"
#include "lwip/tcp.h"
#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

static int tap_fd = -1;
static struct netif nif;
static volatile sig_atomic_t stop;

static int tap_open(const char *name) {
  char err[200];
  int fd = tap_attach(name, 0, err, sizeof err);
  if (fd < 0) fprintf(stderr, "lwipserve: %s\n", err);
  return fd;
}

/* One frame out: lwIP may hand a chain of pbufs; the TAP takes one write per frame. */
static err_t link_output(struct netif *n, struct pbuf *p) {
  (void)n;
  static unsigned char frame[1600];
  if (p->next == NULL) {
    if (write(tap_fd, p->payload, p->len) < 0) return ERR_IF;
    return ERR_OK;
  }
  if (p->tot_len > sizeof frame) return ERR_BUF;
  pbuf_copy_partial(p, frame, p->tot_len, 0);
  return write(tap_fd, frame, p->tot_len) < 0 ? ERR_IF : ERR_OK;
}

static err_t netif_setup(struct netif *n) {
  n->name[0] = 't'; n->name[1] = 'p';
  n->output = etharp_output;
  n->linkoutput = link_output;
  n->mtu = 1500;
  n->hwaddr_len = 6;
  static const u8_t mac[6] = { 0x02, 0x4c, 0x77, 0x49, 0x50, 0x02 };
  memcpy(n->hwaddr, mac, 6);
  n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
  return ERR_OK;
}

/* ---- services (raw API; every callback runs with the core lock held) ---- */

/* echo: what arrives waits in `held` until the send buffer takes it; the window is opened only
 * for bytes sent back, so a slow reader slows the writer instead of growing memory. */
struct echo { struct pbuf *held; };

static void echo_flush(struct tcp_pcb *pcb, struct echo *e) {
  while (e->held != NULL) {
    u16_t room = tcp_sndbuf(pcb);
    u16_t n = e->held->len < room ? e->held->len : room;
    if (n == 0 || tcp_write(pcb, e->held->payload, n, TCP_WRITE_FLAG_COPY) != ERR_OK) break;
    tcp_recved(pcb, n);
    e->held = pbuf_free_header(e->held, n);
  }
  tcp_output(pcb);
}

static void echo_forget(struct tcp_pcb *pcb, struct echo *e) {
  if (pcb) { tcp_arg(pcb, NULL); tcp_recv(pcb, NULL); tcp_sent(pcb, NULL); tcp_err(pcb, NULL); }
  if (e->held) pbuf_free(e->held);
  free(e);
}

static err_t echo_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
  struct echo *e = arg;
  (void)err;
  if (p == NULL) { echo_forget(pcb, e); tcp_close(pcb); return ERR_OK; }
  if (e->held) pbuf_cat(e->held, p); else e->held = p;
  echo_flush(pcb, e);
  return ERR_OK;
}

static err_t echo_sent(void *arg, struct tcp_pcb *pcb, u16_t len) {
  (void)len;
  echo_flush(pcb, arg);
  return ERR_OK;
}

static void echo_err(void *arg, err_t err) { (void)err; if (arg) echo_forget(NULL, arg); }

/* discard: take everything, open the window again at once. */
static err_t discard_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
  (void)arg; (void)err;
  if (p == NULL) { tcp_recv(pcb, NULL); tcp_close(pcb); return ERR_OK; }
  tcp_recved(pcb, p->tot_len);
  pbuf_free(p);
  return ERR_OK;
}

/* chargen: RFC 864's rotating lines, as fast as the send buffer empties. The text is one static
 * block of 95 lines (74 bytes each, the cycle of the printable characters), written uncopied. */
#define LINE 74
static char pattern[95 * LINE * 2];
static void pattern_fill(void) {
  for (int l = 0; l < 95 * 2; l++) {
    for (int c = 0; c < 72; c++) pattern[l * LINE + c] = (char)(' ' + (l + c) % 95);
    pattern[l * LINE + 72] = '\r';
    pattern[l * LINE + 73] = '\n';
  }
}

static void chargen_fill(struct tcp_pcb *pcb) {
  uintptr_t at = (uintptr_t)pcb->callback_arg;
  for (;;) {
    u16_t room = tcp_sndbuf(pcb);
    size_t n = 95 * LINE - at;           /* one cycle from `at`; the block holds two */
    if (n > room) n = room;
    if (n > 8 * 1460) n = 8 * 1460;
    if (n == 0 || tcp_write(pcb, pattern + at, (u16_t)n, 0) != ERR_OK) break;
    at = (at + n) % (95 * LINE);
  }
  tcp_arg(pcb, (void *)at);
  tcp_output(pcb);
}

static err_t chargen_sent(void *arg, struct tcp_pcb *pcb, u16_t len) { (void)arg; (void)len; chargen_fill(pcb); return ERR_OK; }
static err_t chargen_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
  (void)arg; (void)err;
  if (p == NULL) { tcp_sent(pcb, NULL); tcp_recv(pcb, NULL); tcp_close(pcb); return ERR_OK; }
  tcp_recved(pcb, p->tot_len);
  pbuf_free(p);
  return ERR_OK;
}

static err_t accept_cb(void *arg, struct tcp_pcb *pcb, err_t err) {
  if (err != ERR_OK || pcb == NULL) return ERR_VAL;
  uintptr_t port = (uintptr_t)arg;
  tcp_nagle_disable(pcb);
  if (port == 7) {
    struct echo *e = calloc(1, sizeof *e);
    if (!e) return ERR_MEM;
    tcp_arg(pcb, e); tcp_recv(pcb, echo_recv); tcp_sent(pcb, echo_sent); tcp_err(pcb, echo_err);
  } else if (port == 9) {
    tcp_recv(pcb, discard_recv);
  } else {
    tcp_arg(pcb, (void *)0); tcp_recv(pcb, chargen_recv); tcp_sent(pcb, chargen_sent);
    chargen_fill(pcb);
  }
  return ERR_OK;
}

static int listen_on(u16_t port) {
  struct tcp_pcb *pcb = tcp_new();
  if (!pcb || tcp_bind(pcb, IP_ANY_TYPE, port) != ERR_OK) return -1;
  pcb = tcp_listen_with_backlog(pcb, 64);
  if (!pcb) return -1;
  tcp_arg(pcb, (void *)(uintptr_t)port);
  tcp_accept(pcb, accept_cb);
  return 0;
}

static void on_signal(int s) { (void)s; stop = 1; }

int main(int argc, char **argv) {
  const char *tap = NULL, *iparg = NULL;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--tap")) tap = argv[i + 1];
    else if (!strcmp(argv[i], "--ip")) iparg = argv[i + 1];
  }
  unsigned a, b, c, d, plen;
  if (!tap || !iparg || sscanf(iparg, "%u.%u.%u.%u/%u", &a, &b, &c, &d, &plen) != 5 || plen > 32 ||
      a > 255 || b > 255 || c > 255 || d > 255) {
    fprintf(stderr, "usage: lwipserve --tap IFNAME --ip A.B.C.D/N\n");
    return 2;
  }
  tap_fd = tap_open(tap);
  if (tap_fd < 0) return 1;
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  pattern_fill();

  tcpip_init(NULL, NULL);
  ip4_addr_t ip, mask, gw;
  IP4_ADDR(&ip, a, b, c, d);
  ip4_addr_set_u32(&mask, plen ? lwip_htonl(0xffffffffu << (32 - plen)) : 0);
  ip4_addr_set_zero(&gw);
  LOCK_TCPIP_CORE();
  netif_add(&nif, &ip, &mask, &gw, NULL, netif_setup, ethernet_input);
  netif_set_default(&nif);
  netif_set_up(&nif);
  int ok = listen_on(7) == 0 && listen_on(9) == 0 && listen_on(19) == 0;
  UNLOCK_TCPIP_CORE();
  if (!ok) { fprintf(stderr, "lwipserve: cannot listen\n"); return 1; }
  printf("lwipserve: serving %s on %s (lwIP %s)\n", iparg, tap, LWIP_VERSION_STRING);
  fflush(stdout);

  static unsigned char buf[65536];
  struct pollfd pf = { tap_fd, POLLIN, 0 };
  while (!stop) {
    if (poll(&pf, 1, 200) <= 0) continue;
    ssize_t n = read(tap_fd, buf, sizeof buf);
    if (n <= 0) continue;
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_RAM);
    if (!p) continue;
    memcpy(p->payload, buf, (size_t)n);
    LOCK_TCPIP_CORE();
    if (nif.input(p, &nif) != ERR_OK) pbuf_free(p);
    UNLOCK_TCPIP_CORE();
  }
  return 0;
}
