/*
 * Sockets for firmware authors: the module's socket exports (assembly/abi.ts) as C calls. Call
 * them from the main loop, between fw_step()s (one thread; never from an interrupt). Nothing
 * blocks: every call returns at once with a count, or a negative errno-like code:
 *   SYNACK_EAGAIN  nothing yet (try after the next fw_step), SYNACK_EBADF, SYNACK_EINVAL, ...
 * Connection and listener ids share one space; UDP ids have their own.
 */
#ifndef SYNACK_H
#define SYNACK_H
#include <stddef.h>
#include <stdint.h>

#define SYNACK_EAGAIN (-11)
#define SYNACK_EBADF (-9)
#define SYNACK_EINVAL (-22)
#define SYNACK_ENOBUFS (-105)
#define SYNACK_EADDRINUSE (-98)
#define SYNACK_ECONNRESET (-104)
#define SYNACK_ETIMEDOUT (-110)
#define SYNACK_ECONNREFUSED (-111)
#define SYNACK_EPIPE (-32)
#define SYNACK_EHOSTUNREACH (-113) /* connect: ARP for the next hop got no answer */
#define SYNACK_ENOTFOUND (-2)      /* resolve: no such name (or no address for it) */

/* RFC 9293 states, as synack_state returns them. */
enum synack_state {
  SYNACK_CLOSED, SYNACK_LISTEN, SYNACK_SYN_SENT, SYNACK_SYN_RECEIVED, SYNACK_ESTABLISHED,
  SYNACK_FIN_WAIT_1, SYNACK_FIN_WAIT_2, SYNACK_CLOSE_WAIT, SYNACK_CLOSING, SYNACK_LAST_ACK, SYNACK_TIME_WAIT,
};

/* TCP. IPv4 addresses are host order (10.77.0.2 = 0x0A4D0002). */
int synack_listen(uint16_t port, int backlog);          /* listener id */
int synack_accept(int listener);                        /* connection id, or SYNACK_EAGAIN */
int synack_connect(uint32_t ip, uint16_t port);         /* connection id; SYN-SENT until established */
int synack_send(int id, const void *buf, size_t len);   /* bytes queued (maybe fewer than len, maybe 0) */
int synack_recv(int id, void *buf, size_t len);         /* bytes read; 0 = the peer's FIN; SYNACK_EAGAIN */
int synack_shutdown(int id);                            /* FIN after the queued data; keep receiving */
int synack_close(int id);                               /* give the id back; the stack finishes the close */
int synack_abort(int id);                               /* RST, and give the id back */
int synack_state(int id);                               /* enum synack_state */
int synack_close_all(int abort);                        /* exiting: close all (FIN; abort: RST); still closing */
uint32_t synack_remote_ip(int id);
uint16_t synack_remote_port(int id);
uint16_t synack_local_port(int id);
int synack_nodelay(int id, int on);                     /* 1: small segments at once (Nagle off) */
int synack_keepalive(int id, uint32_t idle_ms, uint32_t interval_ms, int count); /* idle_ms 0: off; count 1..255 */

/* UDP. */
int synack_udp_bind(uint16_t port);                     /* UDP id (port 0: an ephemeral one) */
int synack_udp_sendto(int id, uint32_t ip, uint16_t port, const void *buf, size_t len); /* len, <= 1472 */
int synack_udp_recvfrom(int id, void *buf, size_t len, uint32_t *ip, uint16_t *port);   /* or SYNACK_EAGAIN */
int synack_udp_close(int id);
uint16_t synack_udp_local_port(int id);

/* Names: DNS (servers from DHCP or synack_dns_servers), NAME.local by mDNS, localhost, dotted quads.
 * synack_resolve starts a lookup and returns its handle (or SYNACK_EINVAL, SYNACK_EAGAIN before we
 * have an address, SYNACK_ENOBUFS); synack_resolve_result then gives SYNACK_EAGAIN while asking
 * (keep stepping), 0 with *ip set, or SYNACK_ENOTFOUND / SYNACK_ETIMEDOUT. */
int synack_resolve(const char *name);
int synack_resolve_result(int handle, uint32_t *ip);
void synack_dns_servers(uint32_t a, uint32_t b);         /* 0, 0: those DHCP handed out */

/* What runs the module, for the status page (printable ASCII, 1..47 bytes): 0 or SYNACK_EINVAL. */
int synack_set_engine(const char *name);

/* The counters and the connection table as text (the console's stats and conns); bytes written. */
int synack_stats_text(char *buf, size_t len);
int synack_conns_text(char *buf, size_t len);
/* The module's version ("0.1.0+<git describe>", not zero-terminated); bytes written. */
int synack_version(char *buf, size_t len);

#endif
