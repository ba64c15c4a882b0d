/*
 * synflood IFNAME DSTMAC DSTIP DSTPORT RATE SECONDS: send SYNs with spoofed sources from
 * 10.77.0.100-250 out of IFNAME (an interface inside a test namespace) at RATE per second, for
 * the SYN-flood test (RFC 4987). Prints how many were sent and over how long.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint32_t rng = 2463534242u;
static uint32_t next_rand(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

static uint16_t csum(const uint8_t *p, size_t n, uint32_t s) {
  for (size_t i = 0; i + 1 < n; i += 2) s += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (n & 1) s += (uint32_t)p[n - 1] << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return (uint16_t)~s;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 7) { fprintf(stderr, "usage: synflood IFNAME DSTMAC DSTIP DSTPORT RATE SECONDS\n"); return 2; }
  uint8_t dmac[6];
  if (sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dmac[0], &dmac[1], &dmac[2], &dmac[3], &dmac[4], &dmac[5]) != 6) {
    fprintf(stderr, "synflood: bad MAC %s\n", argv[2]); return 2;
  }
  struct in_addr dst;
  if (inet_pton(AF_INET, argv[3], &dst) != 1) { fprintf(stderr, "synflood: bad IP %s\n", argv[3]); return 2; }
  int port = atoi(argv[4]), rate = atoi(argv[5]);
  double secs = atof(argv[6]);
  int fd = socket(AF_PACKET, SOCK_RAW, htons(0x0800));
  if (fd < 0) { perror("synflood: socket"); return 1; }
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = (int)if_nametoindex(argv[1]);
  sll.sll_halen = 6;
  memcpy(sll.sll_addr, dmac, 6);
  if (sll.sll_ifindex == 0) { fprintf(stderr, "synflood: no such interface %s\n", argv[1]); return 1; }

  uint8_t f[58];
  long sent = 0;
  double start = now_s(), end = start + secs;
  while (now_s() < end) {
    double due = start + (double)sent / rate;
    double t = now_s();
    if (t < due) { struct timespec ts = { 0, (long)((due - t) * 1e9) }; nanosleep(&ts, NULL); continue; }
    memset(f, 0, sizeof f);
    memcpy(f, dmac, 6);
    f[6] = 0x02; f[7] = 0x66; for (int i = 8; i < 12; i++) f[i] = (uint8_t)next_rand();
    f[12] = 0x08; f[13] = 0x00;
    uint8_t *ip = f + 14, *tcp = f + 34;
    uint32_t src = (10u << 24) | (77u << 16) | (100 + next_rand() % 151);
    ip[0] = 0x45; ip[3] = 44; ip[8] = 64; ip[9] = 6;
    ip[12] = src >> 24; ip[13] = src >> 16; ip[14] = src >> 8; ip[15] = src;
    memcpy(ip + 16, &dst, 4);
    uint16_t c = csum(ip, 20, 0); ip[10] = c >> 8; ip[11] = c;
    uint16_t sport = 1024 + next_rand() % 60000;
    uint32_t seq = next_rand();
    tcp[0] = sport >> 8; tcp[1] = sport; tcp[2] = port >> 8; tcp[3] = port;
    tcp[4] = seq >> 24; tcp[5] = seq >> 16; tcp[6] = seq >> 8; tcp[7] = seq;
    tcp[12] = 6 << 4; tcp[13] = 0x02; tcp[14] = 0xff; tcp[15] = 0xff;
    tcp[20] = 2; tcp[21] = 4; tcp[22] = 0x05; tcp[23] = 0xb4;
    uint32_t pseudo = (src >> 16) + (src & 0xffff) + (ntohl(dst.s_addr) >> 16) + (ntohl(dst.s_addr) & 0xffff) + 6 + 24;
    c = csum(tcp, 24, pseudo); tcp[16] = c >> 8; tcp[17] = c;
    if (sendto(fd, f, sizeof f, 0, (struct sockaddr *)&sll, sizeof sll) < 0) { perror("synflood: sendto"); return 1; }
    sent++;
  }
  printf("%ld %.3f\n", sent, now_s() - start);
  return 0;
}
