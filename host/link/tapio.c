/*
 * tapio IFNAME: attach to an existing TAP device and relay its frames over stdio, so that Node
 * (which cannot issue the TUNSETIFF ioctl) can drive it.
 *   stdout: [u16 big-endian length][frame] for every frame read from the TAP; a zero length,
 *           sent once, means "attached".
 *   stdin:  the same framing, for frames to write to the TAP. EOF on stdin ends the program.
 * Errors print one line on stderr and exit non-zero.
 * Per-frame cost is what bounds the V8 engine, so frames move in batches: every frame the TAP has
 * ready (up to BATCH bytes) goes to stdout in one write, stdin is read 256 KiB at a time, and both
 * pipes are enlarged so neither side waits on the other for want of room.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "tapattach.h"

#define MAX_FRAME 65535
#define BATCH (256 * 1024)
#define PIPE_SIZE (1024 * 1024)

static int write_all(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) { struct pollfd pf = { fd, POLLOUT, 0 }; poll(&pf, 1, -1); continue; }
      return -1;
    }
    p += w; n -= (size_t)w;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2 || strlen(argv[1]) >= IFNAMSIZ) {
    fprintf(stderr, "usage: tapio IFNAME\n");
    return 2;
  }
  char err[200];
  int tap = tap_attach(argv[1], O_NONBLOCK, err, sizeof err);
  if (tap < 0) {
    fprintf(stderr, "tapio: %s\n", err);
    return 1;
  }

  /* Larger pipes (best effort: the limit is /proc/sys/fs/pipe-max-size; not a pipe, no harm). */
  fcntl(0, F_SETPIPE_SZ, PIPE_SIZE);
  fcntl(1, F_SETPIPE_SZ, PIPE_SIZE);
  static uint8_t in[BATCH + 2 + MAX_FRAME];
  static uint8_t buf[BATCH];
  size_t have = 0;
  const uint8_t ready[2] = { 0, 0 };
  if (write_all(1, ready, 2) < 0) return 1;

  struct pollfd fds[2] = { { 0, POLLIN, 0 }, { tap, POLLIN, 0 } };
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "tapio: poll: %s\n", strerror(errno));
      return 1;
    }
    if (fds[1].revents & POLLIN) {
      /* Drain what the TAP has into one batch, bounded so stdin is not starved. */
      size_t used = 0;
      for (int i = 0; i < 256 && used < BATCH; i++) {
        ssize_t n = read(tap, in + used + 2, MAX_FRAME);
        if (n <= 0) break; /* a zero length would read as "attached" */
        in[used] = (uint8_t)(n >> 8);
        in[used + 1] = (uint8_t)n;
        used += (size_t)n + 2;
      }
      if (used > 0 && write_all(1, in, used) < 0) return 0; /* reader went away */
    }
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      ssize_t n = read(0, buf + have, sizeof buf - have);
      if (n == 0) return 0;
      if (n < 0) { if (errno == EINTR || errno == EAGAIN) continue; return 1; }
      have += (size_t)n;
      size_t off = 0;
      while (have - off >= 2) {
        size_t len = ((size_t)buf[off] << 8) | buf[off + 1];
        if (have - off < 2 + len) break;
        if (len > 0 && write(tap, buf + off + 2, len) < 0 && errno != EAGAIN && errno != ENOBUFS && errno != EIO) {
          fprintf(stderr, "tapio: write to TAP: %s\n", strerror(errno));
          return 1;
        }
        off += 2 + len;
      }
      memmove(buf, buf + off, have - off);
      have -= off;
    }
  }
}
