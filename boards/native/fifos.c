/*
 * The native board's control channel (fifos.h): requests of the control protocol
 * (boards/common/control.h) read from one FIFO, each answered on the other before the next is read.
 */
#define _GNU_SOURCE
#include "fifos.h"
#include "../common/control.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The largest payload one request or answer carries (host/engine/board.ts says the same). */
#define MAX_PAYLOAD 4096

static int req = -1, resp = -1, event = -1;
static uint8_t in[CONTROL_REQUEST_HEAD + MAX_PAYLOAD], out[CONTROL_ANSWER_HEAD + MAX_PAYLOAD];

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

int control_serve(void) {
  for (;;) {
    struct pollfd p = { req, POLLIN, 0 };
    if (poll(&p, 1, 0) <= 0) return 0;
    if (!(p.revents & POLLIN)) return -1;
    if (read_full(in, CONTROL_REQUEST_HEAD) != 0) return -1;
    uint16_t len = control_payload_len(in);
    if (len > MAX_PAYLOAD || read_full(in + CONTROL_REQUEST_HEAD, len) != 0) return -1;
    size_t n = control_answer(in, CONTROL_REQUEST_HEAD + len, out, sizeof out);
    if (n == 0) return -1;
    write_full(out, n);
  }
}

void control_event(void) {
  static const uint8_t one = '!';
  if (event >= 0 && write(event, &one, 1) < 0) { /* the host has not read the last ones: it will look anyway */ }
}
