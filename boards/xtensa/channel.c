/* The FIFO channel of channel.h over the simulator's read/write/open calls. */
#include "channel.h"
#include "semi.h"

static int fd_in = -1, fd_out = -1;

int channel_open(const char *in_path, const char *out_path) {
  fd_in = semi_open(in_path, 0);
  fd_out = semi_open(out_path, 1);
  return fd_in >= 0 && fd_out >= 0 ? 0 : -1;
}

static int read_all(uint8_t *p, uint32_t n) {
  while (n) {
    int32_t got = semi_read(fd_in, p, n);
    if (got <= 0) return -1;
    p += got;
    n -= (uint32_t)got;
  }
  return 0;
}

static void write_all(const uint8_t *p, uint32_t n) {
  while (n) {
    int32_t put = semi_write(fd_out, p, n);
    if (put <= 0) semi_exit(3); /* the host has gone: nothing left to serve */
    p += put;
    n -= (uint32_t)put;
  }
}

int channel_read(channel_msg *m) {
  uint8_t h[8];
  if (read_all(h, sizeof h)) return -1;
  m->type = h[0];
  m->len = (uint16_t)(h[2] | h[3] << 8);
  m->value = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
  if (m->len > CHANNEL_MAX_PAYLOAD) return -1;
  return read_all(m->payload, m->len);
}

void channel_write(uint8_t type, uint32_t value, const void *payload, size_t len) {
  uint8_t h[8] = { type, 0, (uint8_t)len, (uint8_t)(len >> 8),
                   (uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16), (uint8_t)(value >> 24) };
  write_all(h, sizeof h);
  if (len) write_all(payload, (uint32_t)len);
}
