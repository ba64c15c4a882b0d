/*
 * Unit tests of the W5500 driver against the simulated chip: chip detection, MACRAW, the
 * length header, ring wrap in both directions, overflow and recovery, link state, SPI counts.
 * Ends with the plain "N passed, N failed" line.
 */
#include "../../boards/common/hal.h"
#include "../../boards/common/w5500.h"
#include "../../boards/native/w5500_model.h"
#include "../../boards/common/checksum.h"
#include <stdio.h>
#include <string.h>

void hal_spi(const uint8_t *h, size_t hl, const uint8_t *tx, uint8_t *rx, size_t len) { model_spi(h, hl, tx, rx, len); }
uint32_t hal_millis(void) { return 0; }
uint32_t hal_random(void) { return 4; }

static int passed, failed;
#define CHECK(cond, ...) do { if (cond) passed++; else { failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static const uint8_t MAC[6] = { 0x02, 0x53, 0x4b, 0x4d, 0x00, 0x02 };
static uint8_t wire[64][1600];
static size_t wire_len[64];
static int wire_n;
static void capture(const uint8_t *f, size_t len) { if (wire_n < 64) { memcpy(wire[wire_n], f, len); wire_len[wire_n++] = len; } }

static void frame(uint8_t *f, size_t len, unsigned tag) {
  memcpy(f, MAC, 6);
  for (size_t i = 6; i < len; i++) f[i] = (uint8_t)(i * 7 + tag);
}

static void fresh(void) {
  model_power_on();
  model_wire_out = capture;
  wire_n = 0;
  memset(&w5500_count, 0, sizeof w5500_count);
}

static void test_detect(void) {
  fresh();
  CHECK(w5500_init(MAC) == 0, "init on a W5500");
  model_set_version(0x51);
  CHECK(w5500_init(MAC) == -1, "VERSIONR != 0x04 is not a W5500");
}

static void test_send_wraps(void) {
  fresh();
  w5500_init(MAC);
  uint8_t f[1514];
  int ok = 1;
  for (unsigned i = 0; i < 40; i++) { /* 40 x 1000 bytes: the 16 KB TX ring wraps twice */
    wire_n = 0;
    frame(f, 1000, i);
    if (w5500_send(f, 1000) != 0 || wire_n != 1 || wire_len[0] != 1000 || memcmp(wire[0], f, 1000)) ok = 0;
  }
  CHECK(ok, "40 frames sent across TX wrap-around arrive intact");
  CHECK(w5500_count.frames_out == 40, "frames_out %u", w5500_count.frames_out);
}

static void test_recv_wraps(void) {
  fresh();
  w5500_init(MAC);
  uint8_t f[1514], got[1600];
  int ok = 1;
  for (unsigned i = 0; i < 60; i++) {
    size_t len = 60 + (i * 97) % 1450;
    frame(f, len, i);
    model_wire_in(f, len);
    int n = w5500_recv(got, sizeof got);
    if (n != (int)len || memcmp(got, f, len)) { ok = 0; printf("frame %u: %d of %zu\n", i, n, len); }
    if (w5500_recv(got, sizeof got) != 0) ok = 0;
  }
  CHECK(ok, "60 frames of varying size across RX wrap-around arrive intact");
}

static void test_length_header(void) {
  fresh();
  w5500_init(MAC);
  uint8_t f[100];
  frame(f, 100, 1);
  model_wire_in(f, 100);
  const uint8_t hdr[3] = { 0, 0, W5500_BSB_S0_RX << 3 };
  uint8_t h[2];
  model_spi(hdr, 3, NULL, h, 2);
  CHECK((h[0] << 8 | h[1]) == 102, "MACRAW length header counts itself: %d", h[0] << 8 | h[1]);
}

static void test_batch(void) {
  fresh();
  w5500_init(MAC);
  uint8_t f[1514], got[1600];
  for (unsigned i = 0; i < 8; i++) { frame(f, 1000, i); model_wire_in(f, 1000); }
  uint32_t before = w5500_count.transactions;
  int n = 0;
  while (w5500_recv(got, sizeof got) > 0) n++;
  uint32_t per = (w5500_count.transactions - before);
  CHECK(n == 8, "8 waiting frames read in one batch (%d)", n);
  CHECK(per <= 2 * 8 + 8, "a batch of 8 frames costs %u SPI transactions", per);
}

static void test_overflow(void) {
  fresh();
  w5500_init(MAC);
  uint8_t f[1514], got[1600];
  for (unsigned i = 0; i < 20; i++) { frame(f, 1500, i); model_wire_in(f, 1500); } /* 20 x 1502 > 16 KB */
  CHECK(model_count.dropped_full > 0, "the chip drops frames when its RX ring is full (%u)", model_count.dropped_full);
  int n = 0, ok = 1;
  for (int len; (len = w5500_recv(got, sizeof got)) > 0; n++) { frame(f, 1500, (unsigned)n); if (len != 1500 || memcmp(got, f, 1500)) ok = 0; }
  CHECK(ok && n == (int)model_count.delivered, "every frame that fitted is read intact (%d)", n);
  frame(f, 200, 99);
  model_wire_in(f, 200);
  CHECK(w5500_recv(got, sizeof got) == 200, "frames flow again after the overflow");
}

static void test_recovery(void) {
  fresh();
  w5500_init(MAC);
  uint8_t f[300], got[1600];
  frame(f, 300, 3);
  model_wire_in(f, 300);
  const uint8_t hdr[3] = { 0, 0, W5500_BSB_S0_RX << 3 | W5500_CTRL_WRITE };
  const uint8_t bad[2] = { 0xff, 0xff };
  model_spi(hdr, 3, bad, NULL, 2); /* a length header that cannot be */
  CHECK(w5500_recv(got, sizeof got) == 0, "a broken length header is not delivered");
  CHECK(w5500_count.rx_resets == 1, "the socket was reopened (%u)", w5500_count.rx_resets);
  model_wire_in(f, 300);
  CHECK(w5500_recv(got, sizeof got) == 300 && !memcmp(got, f, 300), "frames arrive after the recovery");
}

static void test_link(void) {
  fresh();
  w5500_init(MAC);
  CHECK(w5500_link_up() == 1, "link up after power-on");
  model_set_link(0);
  CHECK(w5500_link_up() == 0, "link down is seen");
  uint8_t f[100];
  frame(f, 100, 1);
  w5500_send(f, 100);
  CHECK(wire_n == 0 && model_count.dropped_link == 1, "nothing reaches a wire without link");
  model_set_link(1);
  CHECK(w5500_link_up() == 1 && w5500_count.link_changes == 2, "link up again, two changes counted");
  w5500_send(f, 100);
  CHECK(wire_n == 1, "sending works again");
}

static void test_tx_full(void) {
  fresh();
  w5500_init(MAC);
  model_set_link(0); /* the model's TX drains on SEND even without link; fill it by hand instead */
  model_set_link(1);
  uint8_t f[1514];
  frame(f, 1514, 0);
  int ok = 0;
  for (int i = 0; i < 20; i++) ok += w5500_send(f, 1514) == 0;
  CHECK(ok == 20 && w5500_count.tx_full == 0, "the model sends at once, so TX never fills (%d)", ok);
}

static void test_checksum(void) {
  uint8_t b[300];
  uint32_t x = 7;
  int ok = 1;
  for (int i = 0; i < 300; i++) { x = x * 1103515245u + 12345u; b[i] = (uint8_t)(x >> 16); }
  for (size_t off = 0; off < 4; off++)
    for (size_t len = 0; len + off <= 300; len++) {
      uint32_t s = 0;
      for (size_t i = 0; i + 1 < len; i += 2) s += (uint32_t)(b[off + i] << 8 | b[off + i + 1]);
      if (len & 1) s += (uint32_t)b[off + len - 1] << 8;
      while (s >> 16) s = (s & 0xffff) + (s >> 16);
      if (internet_sum(b + off, len) != s) ok = 0;
    }
  CHECK(ok, "the C checksum agrees with RFC 1071's byte loop at every length and alignment");
  const uint8_t rfc[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
  CHECK(internet_sum(rfc, 8) == 0xddf2, "RFC 1071's example sums to ddf2");
}

int main(void) {
  test_checksum();
  test_detect();
  test_send_wraps();
  test_recv_wraps();
  test_length_header();
  test_batch();
  test_overflow();
  test_recovery();
  test_link();
  test_tx_full();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
