/*
 * Unit tests of the W5500 driver against the strict simulated chip: chip detection and reset
 * timing, MACRAW and its filters, the length header, ring wrap in both directions, one SEND in
 * flight, Sn_RX_RSR only after RECV is taken, link down/up, short and VLAN frames, overflow and
 * draining, SPI costs. Time is simulated: every SPI transaction takes 1 us plus 0.4 us per byte
 * (20 MHz), delays advance it, and each test fails if the chip saw a driver error.
 * Ends with the plain "N passed, N failed" line.
 */
#include "../../boards/common/hal.h"
#include "../../boards/common/w5500.h"
#include "../../boards/native/w5500_model.h"
#include "../../boards/common/checksum.h"
#include <stdio.h>
#include <string.h>

static uint64_t sim_ns;
/* What the driver asked of the bus, by kind: reads of RX memory (and their bytes), RSR reads,
 * Sn_RX_RD writes (one per RECV). */
static uint32_t rx_reads, rx_read_bytes, rsr_reads, rxrd_writes;
int hal_spi(const uint8_t *h, size_t hl, const uint8_t *tx, uint8_t *rx, size_t len) {
  sim_ns += 1000 + (uint64_t)(hl + len) * 400;
  uint16_t addr = (uint16_t)(h[0] << 8 | h[1]);
  uint8_t bsb = h[2] >> 3;
  int write = (h[2] & W5500_CTRL_WRITE) != 0;
  if (bsb == W5500_BSB_S0_RX && !write) { rx_reads++; rx_read_bytes += (uint32_t)len; }
  if (bsb == W5500_BSB_S0_REG && !write && addr == W5500_Sn_RX_RSR) rsr_reads++;
  if (bsb == W5500_BSB_S0_REG && write && addr == W5500_Sn_RX_RD) rxrd_writes++;
  model_spi(h, hl, tx, rx, len);
  return 0;
}
uint32_t hal_micros(void) { return (uint32_t)(sim_ns / 1000); }
uint32_t hal_millis(void) { return (uint32_t)(sim_ns / 1000000); }
void hal_delay_us(uint32_t us) { sim_ns += (uint64_t)us * 1000; }
uint32_t hal_random(void) { return 4; }
static void idle_us(uint32_t us) { sim_ns += (uint64_t)us * 1000; }

static int passed, failed;
#define CHECK(cond, ...) do { if (cond) passed++; else { failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)
#define NO_DRIVER_ERRORS() CHECK(model_count.driver_errors == 0, "the chip saw %u driver errors, last: %s", model_count.driver_errors, model_last_error)

static const uint8_t MAC[6] = { 0x02, 0x53, 0x4b, 0x4d, 0x00, 0x02 };
static uint8_t wire[64][1600];
static size_t wire_len[64];
static int wire_n;
static void capture(const uint8_t *f, size_t len) { if (wire_n < 64) { memcpy(wire[wire_n], f, len); wire_len[wire_n] = len; } wire_n++; }

static void frame(uint8_t *f, size_t len, unsigned tag) {
  memcpy(f, MAC, 6);
  for (size_t i = 6; i < len; i++) f[i] = (uint8_t)(i * 7 + tag);
  f[12] = 0x08; f[13] = 0x00; /* IPv4 */
}

/*
 * What a board's poll does with w5500_recv (drain until 0), for one frame: a 0 may only end the
 * batch of the last look, so a second call looks afresh.
 */
static int recv_next(uint8_t *buf, size_t cap) {
  int n = w5500_recv(buf, cap);
  return n ? n : w5500_recv(buf, cap);
}

/* Register peeks that are not the driver's (no SPI counted, no time spent). */
static uint16_t peek16(uint8_t bsb, uint16_t addr) {
  const uint8_t h[3] = { (uint8_t)(addr >> 8), (uint8_t)addr, (uint8_t)(bsb << 3) };
  uint8_t b[2];
  model_spi(h, 3, NULL, b, 2);
  return (uint16_t)(b[0] << 8 | b[1]);
}

static void fresh(const model_timing *t) {
  model_power_on();
  model_set_timing(t);
#ifdef INSTANT_RESET /* -DINSTANT_RESET: a kind reset, to see what else a driver gets wrong once past init */
  model_timing kind = t ? *t : (model_timing){ 5, 1000, 2000, 100 };
  if (t == NULL || t->version_us < 10000) { kind.reset_us = kind.version_us = 0; model_set_timing(&kind); }
#endif
  model_wire_out = capture;
  wire_n = 0;
  sim_ns = 0;
  rx_reads = rx_read_bytes = rsr_reads = rxrd_writes = 0;
  memset(&w5500_count, 0, sizeof w5500_count);
}

/* The chip takes commands slowly enough that a driver not waiting for them is caught. */
static const model_timing SLOW_COMMANDS = { 20, 1000, 2000, 100 };

static void test_detect(void) {
  fresh(NULL);
  CHECK(w5500_init(MAC) == 0, "init on a W5500");
  NO_DRIVER_ERRORS();
  uint8_t shar[6];
  const uint8_t h[3] = { 0, W5500_SHAR, 0 };
  model_spi(h, 3, NULL, shar, 6);
  CHECK(!memcmp(shar, MAC, 6), "the MAC reached SHAR");
  CHECK(model_socket_status() == W5500_SR_MACRAW, "socket 0 open in MACRAW");
  fresh(NULL);
  model_set_version(0x51);
  uint64_t t0 = sim_ns;
  CHECK(w5500_init(MAC) == -1, "VERSIONR != 0x04 is not a W5500");
  CHECK(sim_ns - t0 >= 100000000ull && sim_ns - t0 < 200000000ull, "gave up after 100 ms of HAL time (%llu us)",
        (unsigned long long)((sim_ns - t0) / 1000));
}

static void test_slow_reset(void) {
  const model_timing slow = { 5, 8000, 30000, 100 }; /* MR.RST 8 ms, VERSIONR 0 for 30 ms */
  fresh(&slow);
  CHECK(w5500_init(MAC) == 0, "init waits for MR.RST to clear and VERSIONR to read 0x04");
  NO_DRIVER_ERRORS();
  CHECK(model_socket_status() == W5500_SR_MACRAW, "socket 0 open after a slow reset");
  uint8_t f[100], got[1600];
  frame(f, 100, 1);
  model_wire_in(f, 100);
  CHECK(w5500_recv(got, sizeof got) == 100 && !memcmp(got, f, 100), "frames flow after a slow reset");
}

static void test_send_wraps(void) {
  fresh(NULL);
  w5500_init(MAC);
  uint8_t f[1514];
  int ok = 1;
  for (unsigned i = 0; i < 40; i++) { /* 40 x 1000 bytes: the 16 KB TX ring wraps twice */
    wire_n = 0;
    frame(f, 1000, i);
    if (w5500_send(f, 1000) != 0 || wire_n != 1 || wire_len[0] != 1000 || memcmp(wire[0], f, 1000)) ok = 0;
    idle_us(200);
  }
  CHECK(ok, "40 frames sent across TX wrap-around arrive intact");
  CHECK(w5500_count.frames_out == 40, "frames_out %u", w5500_count.frames_out);
  NO_DRIVER_ERRORS();
}

/* Back to back at 10 Mbit: each frame is on the wire for ~0.8 ms, longer than writing the next. */
static void test_one_send_in_flight(void) {
  const model_timing ten = { 5, 1000, 2000, 10 };
  fresh(&ten);
  w5500_init(MAC);
  uint8_t f[1000];
  int ok = 1;
  for (unsigned i = 0; i < 30; i++) {
    frame(f, 1000, i);
    if (w5500_send(f, 1000) != 0) ok = 0;
  }
  CHECK(ok, "30 back-to-back frames accepted");
  CHECK(wire_n == 30, "30 frames on the wire (%d)", wire_n);
  int intact = 1;
  for (int i = 0; i < wire_n && i < 30; i++) { frame(f, 1000, (unsigned)i); if (wire_len[i] != 1000 || memcmp(wire[i], f, 1000)) intact = 0; }
  CHECK(intact, "each one separate and intact");
  NO_DRIVER_ERRORS();
}

static void test_recv_wraps(void) {
  fresh(&SLOW_COMMANDS);
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
  CHECK(w5500_count.rx_drains == 0 && w5500_count.rx_resets == 0, "no recoveries (%u drains, %u resets)",
        w5500_count.rx_drains, w5500_count.rx_resets);
  NO_DRIVER_ERRORS();
}

/* Frames keep arriving while the driver reads: RSR is only right once RECV has been taken. */
static void test_rsr_after_recv(void) {
  fresh(&SLOW_COMMANDS);
  w5500_init(MAC);
  uint8_t f[1514], got[1600];
  unsigned sent = 0, got_n = 0;
  int ok = 1;
  for (int round = 0; round < 200; round++) {
    for (int k = 0; k < round % 4; k++) { size_t len = 60 + (sent * 131) % 1400; frame(f, len, sent); model_wire_in(f, len); sent++; }
    for (int n; (n = w5500_recv(got, sizeof got)) > 0; got_n++) {
      size_t len = 60 + (got_n * 131) % 1400;
      frame(f, len, got_n);
      if (n != (int)len || memcmp(got, f, len)) ok = 0;
    }
  }
  CHECK(ok && got_n == sent && model_count.dropped_full == 0, "%u of %u frames intact, in order", got_n, sent);
  NO_DRIVER_ERRORS();
}

/* RSR read torn by an arrival: 0x00f0 becomes 0x0152 between the bytes, one read gives 0x0052. */
static void test_torn_rsr(void) {
  fresh(NULL);
  w5500_init(MAC);
  uint8_t a[238], b[100], got[1600];
  frame(a, sizeof a, 1);
  frame(b, sizeof b, 2);
  model_wire_in(a, sizeof a);
  model_arrive_during_rsr_read(b, sizeof b);
  int n1 = w5500_recv(got, sizeof got);
  int ok1 = n1 == (int)sizeof a && !memcmp(got, a, sizeof a);
  int n2 = w5500_recv(got, sizeof got);
  int ok2 = n2 == (int)sizeof b && !memcmp(got, b, sizeof b);
  CHECK(ok1 && ok2 && w5500_count.rx_drains == 0, "a torn RSR read is read again: both frames intact (%d, %d; %u drains)",
        n1, n2, w5500_count.rx_drains);
  NO_DRIVER_ERRORS();
}

static void test_length_header(void) {
  fresh(NULL);
  w5500_init(MAC);
  uint8_t f[100];
  frame(f, 100, 1);
  model_wire_in(f, 100);
  CHECK(peek16(W5500_BSB_S0_RX, peek16(W5500_BSB_S0_REG, W5500_Sn_RX_RD)) == 102, "MACRAW length header counts itself");
}

static void test_short_and_vlan(void) {
  fresh(NULL);
  w5500_init(MAC);
  uint8_t f[1522], got[1600];
  frame(f, 42, 5); /* an ARP request as Linux hands it to a TAP, unpadded */
  model_wire_in(f, 42);
  int n = w5500_recv(got, sizeof got);
  int zeros = 1;
  for (int i = 42; i < 60; i++) if (got[i]) zeros = 0;
  CHECK(n == 60 && !memcmp(got, f, 42) && zeros, "a 42-byte frame arrives padded to 60 (%d)", n);
  for (size_t len = 1514; len <= 1522; len += 4) {
    frame(f, len, 9);
    f[12] = 0x81; f[13] = 0x00; /* 802.1Q */
    model_wire_in(f, len);
    n = recv_next(got, sizeof got);
    CHECK(n == (int)len && !memcmp(got, f, len), "a %zu-byte frame is received (%d)", len, n);
  }
  frame(f, 1522, 3);
  model_wire_in(f, 1522);
  CHECK(recv_next(got, 1514) == 0 && w5500_count.rx_too_big == 1, "a frame larger than the caller's buffer is skipped");
  NO_DRIVER_ERRORS();
}

static void test_filters(void) {
  fresh(NULL);
  w5500_init(MAC);
  uint8_t f[100], got[1600];
  frame(f, 100, 1);
  memcpy(f, "\x01\x00\x5e\x00\x00\xfb", 6); /* mDNS, IPv4 multicast */
  model_wire_in(f, 100);
  frame(f, 100, 2);
  f[12] = 0x86; f[13] = 0xdd; /* IPv6 to our MAC */
  model_wire_in(f, 100);
  frame(f, 100, 3);
  f[5] ^= 1; /* someone else's unicast */
  model_wire_in(f, 100);
  CHECK(model_count.dropped_filter == 2, "the chip blocks IPv6 and others' unicast (%u)", model_count.dropped_filter);
  CHECK(w5500_recv(got, sizeof got) == 100 && !memcmp(got, "\x01\x00\x5e\x00\x00\xfb", 6), "IPv4 multicast (mDNS) passes");
  frame(f, 60, 4);
  memset(f, 0xff, 6);
  model_wire_in(f, 60);
  CHECK(recv_next(got, sizeof got) == 60 && recv_next(got, sizeof got) == 0, "broadcast passes, nothing else crossed the bus");
  NO_DRIVER_ERRORS();
}

static void test_batch_costs(void) {
  fresh(NULL);
  w5500_init(MAC);
  uint8_t f[1514], got[1600];
  for (unsigned i = 0; i < 8; i++) { frame(f, 1000, i); model_wire_in(f, 1000); }
  uint32_t before = w5500_count.transactions;
  int n = 0;
  while (w5500_recv(got, sizeof got) > 0) n++;
  uint32_t per = w5500_count.transactions - before;
  CHECK(n == 8, "8 waiting frames read in one batch (%d)", n);
  /* 2 RSR reads, then 8 KB in two reads (the stage holds 6 KB), then RX_RD + RECV (a big batch). */
  CHECK(per <= 6, "a batch of 8 frames costs %u SPI transactions", per);
  before = w5500_count.transactions;
  for (unsigned i = 0; i < 8; i++) { frame(f, 1000, i); w5500_send(f, 1000); idle_us(100); }
  per = w5500_count.transactions - before;
  CHECK(per <= 8 * 4, "8 frames sent cost %u SPI transactions", per);
  NO_DRIVER_ERRORS();
}


/* Sizes (frame lengths) that vary, for the batch tests. */
static size_t batch_len(unsigned i) { return 60 + (i * 389) % 1455; }

/* Frames waiting together come over the bus in one read of RX memory, each one intact. */
static void test_several_in_one_read(void) {
  fresh(NULL);
  w5500_init(MAC);
  uint8_t f[1514], got[1600];
  size_t total = 0;
  for (unsigned i = 0; i < 4; i++) { frame(f, batch_len(i), i); model_wire_in(f, batch_len(i)); total += batch_len(i) + 2; }
  uint32_t t0 = w5500_count.transactions, r0 = rx_reads, b0 = rx_read_bytes;
  int n, k = 0, ok = 1;
  for (; (n = w5500_recv(got, sizeof got)) > 0; k++) { frame(f, batch_len((unsigned)k), (unsigned)k); if (n != (int)batch_len((unsigned)k) || memcmp(got, f, (size_t)n)) ok = 0; }
  CHECK(ok && k == 4, "4 waiting frames handed out intact, in order (%d)", k);
  CHECK(rx_reads - r0 == 1 && rx_read_bytes - b0 == total, "in one read of RX memory (%u reads, %u of %zu bytes)",
        rx_reads - r0, rx_read_bytes - b0, total);
  CHECK(w5500_count.transactions - t0 == 2, "the batch cost one RSR read and that read: %u transactions", w5500_count.transactions - t0);
  /* The next look finds nothing: the line is idle, the ring goes back to the chip. */
  CHECK(w5500_recv(got, sizeof got) == 0 && rxrd_writes == 1, "an idle look hands the space back (%u RECVs)", rxrd_writes);
  idle_us(100);
  CHECK(peek16(W5500_BSB_S0_REG, W5500_Sn_RX_RSR) == 0 && peek16(W5500_BSB_S0_REG, W5500_Sn_RX_RD) == peek16(W5500_BSB_S0_REG, W5500_Sn_RX_WR),
        "the chip's RX_RD caught up with RX_WR");
  NO_DRIVER_ERRORS();
}

/* Receive filler frames until the next frame starts gap bytes before the end of the 16 KB ring. */
static void park_rx_before_wrap(uint16_t gap) {
  uint8_t f[1514], got[1600];
  for (unsigned i = 0; i < 100; i++) {
    uint16_t off = (uint16_t)(peek16(W5500_BSB_S0_REG, W5500_Sn_RX_WR) & (W5500_BUF_SIZE - 1));
    uint16_t d = (uint16_t)((W5500_BUF_SIZE - off - gap) & (W5500_BUF_SIZE - 1));
    if (d == 0) return;
    uint16_t size = d > 3000 ? 1502 : d > 1524 ? (uint16_t)(d / 2) : d >= 62 ? d : 1502;
    frame(f, size - 2u, 200 + i);
    model_wire_in(f, size - 2u);
    while (w5500_recv(got, sizeof got) > 0) {}
    while (w5500_recv(got, sizeof got) > 0) {}
  }
}

/* The ring wraps inside a frame (in its length header, in its body): still one read, intact. */
static void test_wrap_mid_frame(void) {
  static const uint16_t gaps[] = { 1, 2, 3, 500, 1200 };
  for (unsigned g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
    fresh(&SLOW_COMMANDS);
    w5500_init(MAC);
    park_rx_before_wrap(gaps[g]);
    CHECK((peek16(W5500_BSB_S0_REG, W5500_Sn_RX_WR) & (W5500_BUF_SIZE - 1)) == W5500_BUF_SIZE - gaps[g],
          "parked %u bytes before the wrap", gaps[g]);
    uint8_t f[1514], got[1600];
    for (unsigned i = 0; i < 3; i++) { frame(f, batch_len(i + g), i); model_wire_in(f, batch_len(i + g)); }
    uint32_t r0 = rx_reads;
    int n, k = 0, ok = 1;
    for (; (n = recv_next(got, sizeof got)) > 0; k++) {
      frame(f, batch_len((unsigned)k + g), (unsigned)k);
      if (n != (int)batch_len((unsigned)k + g) || memcmp(got, f, (size_t)n)) ok = 0;
    }
    CHECK(ok && k == 3 && rx_reads - r0 == 1, "gap %u: 3 frames across the wrap, intact in one read (%d frames, %u reads)",
          gaps[g], k, rx_reads - r0);
    CHECK(w5500_count.rx_drains == 0 && w5500_count.rx_resets == 0, "gap %u: no recoveries", gaps[g]);
    NO_DRIVER_ERRORS();
  }
}

/* A frame lands while the waiting ones are being read: they are handed out, it comes next. */
static void test_arrival_during_read(void) {
  fresh(&SLOW_COMMANDS);
  w5500_init(MAC);
  uint8_t f[1514], got[1600];
  for (unsigned i = 0; i < 3; i++) { frame(f, batch_len(i), i); model_wire_in(f, batch_len(i)); }
  frame(f, 700, 3);
  model_arrive_during_rx_read(f, 700);
  int n, k = 0, ok = 1;
  for (; (n = recv_next(got, sizeof got)) > 0; k++) {
    size_t len = k < 3 ? batch_len((unsigned)k) : 700;
    frame(f, len, (unsigned)k);
    if (n != (int)len || memcmp(got, f, len)) ok = 0;
  }
  CHECK(ok && k == 4 && model_count.delivered == 4, "3 frames read, the one arriving during the read after them (%d)", k);
  CHECK(w5500_count.rx_drains == 0 && w5500_count.rx_resets == 0, "no recoveries (%u, %u)", w5500_count.rx_drains, w5500_count.rx_resets);
  NO_DRIVER_ERRORS();
}

/* More waiting than the stage holds: a frame staged in part is completed, never read twice. */
static void test_more_than_a_stage(void) {
  fresh(NULL);
  w5500_init(MAC);
  uint8_t f[1514], got[1600];
  size_t total = 0;
  for (unsigned i = 0; i < 10; i++) { frame(f, 1000 + i, i); model_wire_in(f, 1000 + i); total += 1002 + i; }
  uint32_t b0 = rx_read_bytes;
  int n, k = 0, ok = 1;
  for (; (n = w5500_recv(got, sizeof got)) > 0; k++) { frame(f, 1000 + (size_t)k, (unsigned)k); if (n != 1000 + k || memcmp(got, f, (size_t)n)) ok = 0; }
  CHECK(ok && k == 10, "10 frames (10 KB) handed out intact (%d)", k);
  CHECK(rx_read_bytes - b0 == total, "each byte of RX memory read once (%u of %zu)", rx_read_bytes - b0, total);
  NO_DRIVER_ERRORS();
  /* A frame that ends just past the stage (1, 2, 3, 90 bytes): its tail is read, not made up. */
  static const size_t over[] = { 1, 2, 3, 90 };
  for (unsigned o = 0; o < 4; o++) {
    fresh(NULL);
    w5500_init(MAC);
    size_t lens[6] = { 1500, 1500, 1500, 998, 0, 400 };
    lens[4] = W5500_RX_STAGE - (3 * 1502 + 1000) + over[o] - 2;
    total = 0;
    for (unsigned i = 0; i < 6; i++) { frame(f, lens[i], 40 + i + 10 * o); model_wire_in(f, lens[i]); total += lens[i] + 2; }
    b0 = rx_read_bytes;
    ok = 1;
    for (k = 0; (n = w5500_recv(got, sizeof got)) > 0; k++) { frame(f, lens[k], 40 + (unsigned)k + 10 * o); if (n != (int)lens[k] || memcmp(got, f, lens[k])) ok = 0; }
    CHECK(ok && k == 6 && rx_read_bytes - b0 == total, "a frame %zu bytes past the stage is completed: %d frames intact, %u of %zu bytes read",
          over[o], k, rx_read_bytes - b0, total);
    NO_DRIVER_ERRORS();
  }
}

/* Busy: RX space goes back every 8 KB or so, never so late that the chip runs out of room. */
static void test_recv_batching(void) {
  fresh(&SLOW_COMMANDS);
  w5500_init(MAC);
  uint8_t f[1514], got[1600];
  unsigned sent = 0, got_n = 0, rounds = 30;
  int ok = 1;
  for (unsigned r = 0; r < rounds; r++) {
    for (int k = 0; k < 3; k++, sent++) { frame(f, 1000, sent); model_wire_in(f, 1000); }
    for (int n; (n = w5500_recv(got, sizeof got)) > 0; got_n++) { frame(f, 1000, got_n); if (n != 1000 || memcmp(got, f, 1000)) ok = 0; }
    idle_us(50);
  }
  CHECK(ok && got_n == sent && model_count.dropped_full == 0, "%u of %u frames intact, none dropped", got_n, sent);
  CHECK(rxrd_writes >= rounds * 3 * 1002 / W5500_BUF_SIZE && rxrd_writes <= rounds / 2,
        "%u RECVs for %u busy batches", rxrd_writes, rounds);
  NO_DRIVER_ERRORS();
}

/* A batch of 4 KB keeps its space for a later RECV; one of 6 KB hands it back at once, as a
 * second one like it might not fit in the 10 KB the chip would have left. */
static void test_big_batch_released(void) {
  for (unsigned frames = 4; frames <= 6; frames += 2) {
    fresh(NULL);
    w5500_init(MAC);
    uint8_t f[1514], got[1600];
    for (unsigned i = 0; i < frames; i++) { frame(f, 1000, i); model_wire_in(f, 1000); }
    int k = 0;
    while (w5500_recv(got, sizeof got) > 0) k++;
    CHECK(k == (int)frames && rxrd_writes == (frames == 6 ? 1u : 0u), "%u KB: %u RECVs at the end of the batch", frames, rxrd_writes);
    NO_DRIVER_ERRORS();
  }
}

/* An RSR read torn by an arrival can come out below what was already taken (0x01f0 read, then
 * 0x0154 of 0x0254): read again, not a reason to reopen the socket. */
static void test_torn_below_taken(void) {
  fresh(NULL);
  w5500_init(MAC);
  uint8_t a[494], b[98], got[1600];
  frame(a, sizeof a, 1);
  frame(b, sizeof b, 2);
  model_wire_in(a, sizeof a);
  CHECK(w5500_recv(got, sizeof got) == (int)sizeof a, "the first frame");
  model_arrive_during_rsr_read(b, sizeof b);
  uint32_t opens = model_count.opens;
  int n = recv_next(got, sizeof got);
  CHECK(n == (int)sizeof b && !memcmp(got, b, sizeof b), "the frame that tore the read is read intact (%d)", n);
  CHECK(w5500_count.rx_resets == 0 && w5500_count.rx_drains == 0 && model_count.opens == opens, "no reset (%u resets, %u drains)",
        w5500_count.rx_resets, w5500_count.rx_drains);
  NO_DRIVER_ERRORS();
}

static void test_overflow(void) {
  fresh(NULL);
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
  NO_DRIVER_ERRORS();
}

static void test_drain(void) {
  fresh(NULL);
  w5500_init(MAC);
  uint8_t f[300], got[1600];
  for (unsigned i = 0; i < 3; i++) { frame(f, 300, i); model_wire_in(f, 300); }
  const uint16_t rd = peek16(W5500_BSB_S0_REG, W5500_Sn_RX_RD);
  const uint8_t hdr[3] = { (uint8_t)(rd >> 8), (uint8_t)rd, W5500_BSB_S0_RX << 3 | W5500_CTRL_WRITE };
  const uint8_t bad[2] = { 0xff, 0xff };
  model_spi(hdr, 3, bad, NULL, 2); /* a length header that cannot be */
  uint32_t opens = model_count.opens;
  CHECK(w5500_recv(got, sizeof got) == 0, "a broken length header is not delivered");
  CHECK(w5500_count.rx_drains == 1 && w5500_count.rx_resets == 0 && model_count.opens == opens,
        "the ring was drained, the socket kept open (%u drains, %u resets)", w5500_count.rx_drains, w5500_count.rx_resets);
  frame(f, 300, 7);
  model_wire_in(f, 300);
  CHECK(recv_next(got, sizeof got) == 300 && !memcmp(got, f, 300), "frames arrive after the drain");
  NO_DRIVER_ERRORS();
}

static void test_link(void) {
  fresh(NULL);
  w5500_init(MAC);
  CHECK(w5500_link_up() == 1, "link up after power-on");
  model_set_link(0);
  CHECK(w5500_link_up() == 0, "link down is seen");
  CHECK(model_socket_status() == W5500_SR_CLOSED, "link down closes the socket");
  uint8_t f[100], got[1600];
  frame(f, 100, 1);
  uint32_t before = w5500_count.transactions;
  CHECK(w5500_send(f, 100) == -1 && w5500_count.tx_nolink == 1, "no link: sending fails");
  CHECK(w5500_recv(got, sizeof got) == 0, "no link: nothing received");
  CHECK(w5500_count.transactions == before && wire_n == 0, "no link: the chip is left alone");
  model_set_link(1);
  CHECK(w5500_link_up() == 1 && w5500_count.link_changes == 2, "link up again, two changes counted");
  CHECK(model_socket_status() == W5500_SR_MACRAW, "link up reopens the socket");
  CHECK(w5500_send(f, 100) == 0 && wire_n == 1, "sending works again");
  model_wire_in(f, 100);
  CHECK(w5500_recv(got, sizeof got) == 100, "receiving works again");
  NO_DRIVER_ERRORS();
}

static void test_send_stuck(void) {
  fresh(NULL);
  w5500_init(MAC);
  uint8_t f[100];
  frame(f, 100, 1);
  model_stall_tx(1);
  uint32_t opens = model_count.opens;
  uint64_t t0 = sim_ns;
  CHECK(w5500_send(f, 100) == 0, "the first frame is handed to the chip");
  CHECK(w5500_send(f, 100) == -1 && w5500_count.tx_timeouts == 1, "no SEND_OK: the next send gives up");
  CHECK(sim_ns - t0 < 50000000ull, "within a bounded time (%llu us)", (unsigned long long)((sim_ns - t0) / 1000));
  CHECK(model_count.opens == opens + 1 && model_socket_status() == W5500_SR_MACRAW, "and the socket is reopened");
  model_stall_tx(0);
  wire_n = 0;
  CHECK(w5500_send(f, 100) == 0 && w5500_send(f, 100) == 0 && wire_n == 2, "frames flow again");
  NO_DRIVER_ERRORS();
}

static void test_link_down_at_init(void) {
  fresh(NULL);
  model_set_link(0);
  CHECK(w5500_init(MAC) == 0, "init without link");
  CHECK(model_socket_status() == W5500_SR_CLOSED, "socket closed until the link comes up");
  model_set_link(1);
  CHECK(w5500_link_up() == 1 && model_socket_status() == W5500_SR_MACRAW, "open once it does");
  NO_DRIVER_ERRORS();
}

static void test_interrupt(void) {
  fresh(NULL);
  w5500_init(MAC);
  uint8_t f[100], got[1600];
  frame(f, 100, 1);
  CHECK(!model_interrupt(), "INTn idle");
  model_wire_in(f, 100);
  CHECK(model_interrupt() && w5500_rx_pending() && !model_interrupt(), "a frame raises INTn; rx_pending clears it");
  CHECK(w5500_recv(got, sizeof got) == 100, "and the frame is read");
  w5500_send(f, 100);
  idle_us(100);
  CHECK(!model_interrupt(), "SEND_OK does not raise INTn (only RECV is enabled)");
  NO_DRIVER_ERRORS();
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
  static uint8_t big[200003];
  memset(big, 0xff, sizeof big);
  big[0] = 0x12;
  /* 0x12ff, then 100000 words of 0xffff (each adds nothing in ones' complement), then 0xff00 */
  CHECK(internet_sum(big, sizeof big) == 0x1200 && internet_sum(big + 1, sizeof big - 1) == 0xffff,
        "and on 200 KB of 0xff bytes (the word sum's running fold)");
  const uint8_t rfc[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
  CHECK(internet_sum(rfc, 8) == 0xddf2, "RFC 1071's example sums to ddf2");
}

int main(void) {
  test_checksum();
  test_detect();
  test_slow_reset();
  test_send_wraps();
  test_one_send_in_flight();
  test_recv_wraps();
  test_rsr_after_recv();
  test_torn_rsr();
  test_length_header();
  test_short_and_vlan();
  test_filters();
  test_batch_costs();
  test_several_in_one_read();
  test_wrap_mid_frame();
  test_arrival_during_read();
  test_more_than_a_stage();
  test_recv_batching();
  test_big_batch_released();
  test_torn_below_taken();
  test_overflow();
  test_drain();
  test_link();
  test_send_stuck();
  test_link_down_at_init();
  test_interrupt();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
