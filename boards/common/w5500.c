/*
 * W5500 MACRAW driver. SPI costs a fixed header (3 bytes, one chip-select cycle) per transaction,
 * so the driver keeps the chip's pointers in RAM, reads RX in batches (one RECV per batch, not per
 * frame) and reads TX free space only when its own lower bound says a frame might not fit.
 */
#include "w5500.h"
#include "hal.h"

w5500_counters w5500_count;

static uint16_t rx_rd;      /* our copy of Sn_RX_RD */
static uint16_t rx_avail;   /* bytes known to be waiting past rx_rd */
static uint16_t rx_taken;   /* bytes read since the last RECV command */
static uint16_t tx_wr;      /* our copy of Sn_TX_WR */
static uint16_t tx_room;    /* a lower bound of Sn_TX_FSR */
static int link;

static void xfer(uint8_t bsb, uint16_t addr, const uint8_t *tx, uint8_t *rx, size_t len) {
  const uint8_t h[3] = { (uint8_t)(addr >> 8), (uint8_t)addr, (uint8_t)(bsb << 3 | (tx ? W5500_CTRL_WRITE : 0)) };
  hal_spi(h, 3, tx, rx, len);
  w5500_count.transactions++;
  w5500_count.bytes += 3 + (uint32_t)len;
}

static uint8_t rd8(uint8_t bsb, uint16_t addr) { uint8_t v; xfer(bsb, addr, 0, &v, 1); return v; }
static void wr8(uint8_t bsb, uint16_t addr, uint8_t v) { xfer(bsb, addr, &v, 0, 1); }
static void wr16(uint8_t bsb, uint16_t addr, uint16_t v) {
  const uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
  xfer(bsb, addr, b, 0, 2);
}
/* The datasheet's rule for counters the chip updates under us: read until two reads agree. */
static uint16_t rd16_stable(uint8_t bsb, uint16_t addr) {
  uint8_t b[2];
  uint16_t prev, v;
  xfer(bsb, addr, 0, b, 2);
  v = (uint16_t)(b[0] << 8 | b[1]);
  for (int i = 0; i < 4; i++) {
    prev = v;
    xfer(bsb, addr, 0, b, 2);
    v = (uint16_t)(b[0] << 8 | b[1]);
    if (v == prev) break;
  }
  return v;
}

/* Issue a socket command once the previous one has been taken (Sn_CR reads 0 again). */
static void command(uint8_t cr) {
  for (int i = 0; i < 1000 && rd8(W5500_BSB_S0_REG, W5500_Sn_CR) != 0; i++) {}
  wr8(W5500_BSB_S0_REG, W5500_Sn_CR, cr);
}

static int open_macraw(void) {
  command(W5500_CR_CLOSE);
  for (int i = 0; i < 1000 && rd8(W5500_BSB_S0_REG, W5500_Sn_SR) != W5500_SR_CLOSED; i++) {}
  wr8(W5500_BSB_S0_REG, W5500_Sn_MR, W5500_Sn_MR_MACRAW | W5500_Sn_MR_MFEN);
  command(W5500_CR_OPEN);
  uint8_t sr = W5500_SR_CLOSED;
  for (int i = 0; i < 1000 && (sr = rd8(W5500_BSB_S0_REG, W5500_Sn_SR)) != W5500_SR_MACRAW; i++) {}
  if (sr != W5500_SR_MACRAW) return -2;
  uint8_t p[4];
  xfer(W5500_BSB_S0_REG, W5500_Sn_TX_RD, 0, p, 4); /* TX_RD and TX_WR in one read */
  tx_wr = (uint16_t)(p[2] << 8 | p[3]);
  xfer(W5500_BSB_S0_REG, W5500_Sn_RX_RD, 0, p, 2);
  rx_rd = (uint16_t)(p[0] << 8 | p[1]);
  rx_avail = rx_taken = 0;
  tx_room = rd16_stable(W5500_BSB_S0_REG, W5500_Sn_TX_FSR);
  return 0;
}

int w5500_init(const uint8_t mac[6]) {
  wr8(W5500_BSB_COMMON, W5500_MR, W5500_MR_RST);
  for (int i = 0; i < 1000 && (rd8(W5500_BSB_COMMON, W5500_MR) & W5500_MR_RST); i++) {}
  if (rd8(W5500_BSB_COMMON, W5500_VERSIONR) != W5500_VERSION) return -1;
  xfer(W5500_BSB_COMMON, W5500_SHAR, mac, 0, 6);
  for (uint8_t s = 0; s < 8; s++) { /* all 16 KB of each direction to socket 0 */
    const uint8_t sizes[2] = { s == 0 ? W5500_BUF_KB : 0, s == 0 ? W5500_BUF_KB : 0 };
    xfer((uint8_t)(s * 4 + 1), W5500_Sn_RXBUF_SIZE, sizes, 0, 2);
  }
  wr8(W5500_BSB_S0_REG, W5500_Sn_IMR, W5500_Sn_IR_RECV);
  wr8(W5500_BSB_COMMON, W5500_SIMR, 0x01);
  link = -1;
  return open_macraw();
}

int w5500_link_up(void) {
  int up = rd8(W5500_BSB_COMMON, W5500_PHYCFGR) & W5500_PHY_LNK;
  if (link != -1 && up != link) w5500_count.link_changes++;
  link = up;
  return up;
}

int w5500_rx_pending(void) {
  uint8_t ir = rd8(W5500_BSB_S0_REG, W5500_Sn_IR);
  if (ir & W5500_Sn_IR_RECV) wr8(W5500_BSB_S0_REG, W5500_Sn_IR, W5500_Sn_IR_RECV);
  return (ir & W5500_Sn_IR_RECV) != 0;
}

/* A length header that cannot be right means the ring overflowed or was misread: start over. */
static void recover(void) {
  w5500_count.rx_resets++;
  open_macraw();
}

int w5500_recv(uint8_t *buf, size_t cap) {
  for (;;) {
    if (rx_avail < 2) {
      if (rx_taken) { /* hand the batch's space back in one RECV */
        wr16(W5500_BSB_S0_REG, W5500_Sn_RX_RD, rx_rd);
        command(W5500_CR_RECV);
        rx_taken = 0;
      }
      rx_avail = rd16_stable(W5500_BSB_S0_REG, W5500_Sn_RX_RSR);
      if (rx_avail < 2) return 0;
    }
    uint8_t h[2];
    xfer(W5500_BSB_S0_RX, rx_rd, 0, h, 2);
    uint16_t size = (uint16_t)(h[0] << 8 | h[1]); /* the header counts itself */
    if (size < 2 + 14 || size > 2 + W5500_MAX_FRAME || size > rx_avail) { recover(); return 0; }
    uint16_t len = (uint16_t)(size - 2);
    int fits = len <= cap;
    if (fits) xfer(W5500_BSB_S0_RX, (uint16_t)(rx_rd + 2), 0, buf, len);
    rx_rd = (uint16_t)(rx_rd + size);
    rx_avail = (uint16_t)(rx_avail - size);
    rx_taken = (uint16_t)(rx_taken + size);
    if (!fits) continue; /* larger than the module's buffer: skip it */
    w5500_count.frames_in++;
    w5500_count.bytes_in += len;
    return len;
  }
}

int w5500_send(const uint8_t *frame, size_t len) {
  if (len > W5500_MAX_FRAME || len == 0) return -1;
  if (tx_room < len) {
    tx_room = rd16_stable(W5500_BSB_S0_REG, W5500_Sn_TX_FSR);
    if (tx_room < len) { w5500_count.tx_full++; return -1; }
  }
  xfer(W5500_BSB_S0_TX, tx_wr, frame, 0, len);
  tx_wr = (uint16_t)(tx_wr + len);
  tx_room = (uint16_t)(tx_room - len);
  wr16(W5500_BSB_S0_REG, W5500_Sn_TX_WR, tx_wr);
  command(W5500_CR_SEND);
  w5500_count.frames_out++;
  w5500_count.bytes_out += (uint32_t)len;
  return 0;
}
