/* The simulated W5500: see w5500_model.h. Only socket 0 is modelled beyond its registers. */
#include "w5500_model.h"
#include "../common/w5500.h"
#include <string.h>

model_counters model_count;
void (*model_wire_out)(const uint8_t *frame, size_t len);

static uint8_t common_reg[0x40];
static uint8_t sock_reg[8][0x30];
static uint8_t rx_mem[W5500_BUF_SIZE], tx_mem[W5500_BUF_SIZE]; /* socket 0 owns all 16 KB */
static int link_up = 1;
static uint8_t version = W5500_VERSION; /* what VERSIONR says; a test can make it another chip */

static uint16_t get16(const uint8_t *r, uint16_t a) { return (uint16_t)(r[a] << 8 | r[a + 1]); }
static void put16(uint8_t *r, uint16_t a, uint16_t v) { r[a] = (uint8_t)(v >> 8); r[a + 1] = (uint8_t)v; }
static uint32_t rx_size(void) { return (uint32_t)sock_reg[0][W5500_Sn_RXBUF_SIZE] * 1024; }
static uint32_t tx_size(void) { return (uint32_t)sock_reg[0][W5500_Sn_TXBUF_SIZE] * 1024; }
static uint8_t *s0(void) { return sock_reg[0]; }

static void reset_registers(void) {
  memset(common_reg, 0, sizeof common_reg);
  memset(sock_reg, 0, sizeof sock_reg);
  common_reg[W5500_VERSIONR] = version;
  common_reg[W5500_PHYCFGR] = (uint8_t)(0xb8 | (link_up ? W5500_PHY_LNK | 0x06 : 0)); /* 100M full duplex */
  for (int s = 0; s < 8; s++) { sock_reg[s][W5500_Sn_RXBUF_SIZE] = 2; sock_reg[s][W5500_Sn_TXBUF_SIZE] = 2; }
}

void model_power_on(void) {
  memset(&model_count, 0, sizeof model_count);
  link_up = 1;
  version = W5500_VERSION;
  reset_registers();
}

void model_set_link(int up) {
  link_up = up;
  common_reg[W5500_PHYCFGR] = (uint8_t)((common_reg[W5500_PHYCFGR] & ~(W5500_PHY_LNK | 0x06)) | (up ? W5500_PHY_LNK | 0x06 : 0));
}

int model_interrupt(void) {
  common_reg[W5500_SIR] = (uint8_t)((s0()[W5500_Sn_IR] & s0()[W5500_Sn_IMR]) ? 1 : 0);
  return (common_reg[W5500_SIR] & common_reg[W5500_SIMR]) != 0;
}

static void execute(uint8_t cr) {
  uint8_t *r = s0();
  switch (cr) {
  case W5500_CR_OPEN:
    if ((r[W5500_Sn_MR] & 0x0f) == W5500_Sn_MR_MACRAW) {
      r[W5500_Sn_SR] = W5500_SR_MACRAW;
      put16(r, W5500_Sn_RX_RD, 0); put16(r, W5500_Sn_RX_WR, 0);
      put16(r, W5500_Sn_TX_RD, 0); put16(r, W5500_Sn_TX_WR, 0);
    }
    break;
  case W5500_CR_CLOSE:
    r[W5500_Sn_SR] = W5500_SR_CLOSED;
    break;
  case W5500_CR_SEND: {
    /* Everything from TX_RD to TX_WR is one frame. */
    uint16_t rd = get16(r, W5500_Sn_TX_RD), wr = get16(r, W5500_Sn_TX_WR);
    uint16_t len = (uint16_t)(wr - rd);
    uint8_t frame[W5500_BUF_SIZE];
    uint32_t mask = tx_size() - 1;
    if (r[W5500_Sn_SR] != W5500_SR_MACRAW || len > tx_size()) break;
    for (uint16_t i = 0; i < len; i++) frame[i] = tx_mem[(uint16_t)(rd + i) & mask];
    put16(r, W5500_Sn_TX_RD, wr);
    r[W5500_Sn_IR] |= W5500_Sn_IR_SENDOK;
    if (!link_up) { model_count.dropped_link++; break; }
    model_count.sent++;
    if (model_wire_out && len) model_wire_out(frame, len);
    break;
  }
  case W5500_CR_RECV:
    break; /* RX_RD was written by the host; RSR follows from it */
  }
}

/* Registers the chip computes on read. */
static void refresh(void) {
  uint8_t *r = s0();
  put16(r, W5500_Sn_TX_FSR, (uint16_t)(tx_size() - (uint16_t)(get16(r, W5500_Sn_TX_WR) - get16(r, W5500_Sn_TX_RD))));
  put16(r, W5500_Sn_RX_RSR, (uint16_t)(get16(r, W5500_Sn_RX_WR) - get16(r, W5500_Sn_RX_RD)));
}

void model_spi(const uint8_t *header, size_t hlen, const uint8_t *tx, uint8_t *rx, size_t len) {
  if (hlen < 3) return;
  uint16_t addr = (uint16_t)(header[0] << 8 | header[1]);
  uint8_t bsb = header[2] >> 3, write = header[2] & W5500_CTRL_WRITE;
  refresh();
  for (size_t i = 0; i < len; i++, addr++) {
    uint8_t *cell = 0;
    if (bsb == W5500_BSB_COMMON) cell = addr < sizeof common_reg ? &common_reg[addr] : 0;
    else if ((bsb & 3) == 1) cell = addr < 0x30 ? &sock_reg[bsb >> 2][addr] : 0;
    else if (bsb == W5500_BSB_S0_TX && tx_size()) cell = &tx_mem[addr & (tx_size() - 1)]; /* the ring wraps */
    else if (bsb == W5500_BSB_S0_RX && rx_size()) cell = &rx_mem[addr & (rx_size() - 1)];
    if (!write) { if (rx) rx[i] = cell ? *cell : 0; continue; }
    if (!cell || !tx) continue;
    uint8_t v = tx[i];
    if (bsb == W5500_BSB_COMMON && addr == W5500_MR && (v & W5500_MR_RST)) { reset_registers(); continue; }
    if (bsb == W5500_BSB_S0_REG && addr == W5500_Sn_IR) { *cell &= (uint8_t)~v; continue; } /* write 1 to clear */
    if (bsb == W5500_BSB_COMMON && (addr == W5500_VERSIONR || addr == W5500_PHYCFGR)) continue; /* read-only here */
    *cell = v;
    if (bsb == W5500_BSB_S0_REG && addr == W5500_Sn_CR) { execute(v); *cell = 0; }
  }
}

void model_wire_in(const uint8_t *frame, size_t len) {
  uint8_t *r = s0();
  if (r[W5500_Sn_SR] != W5500_SR_MACRAW || len < 14 || len > W5500_MAX_FRAME) return;
  if (!link_up) { model_count.dropped_link++; return; }
  if ((r[W5500_Sn_MR] & W5500_Sn_MR_MFEN) && !(frame[0] & 1) && memcmp(frame, &common_reg[W5500_SHAR], 6) != 0) {
    model_count.dropped_filter++;
    return;
  }
  refresh();
  uint32_t used = get16(r, W5500_Sn_RX_RSR);
  if (used + len + 2 > rx_size()) { model_count.dropped_full++; return; } /* overflow: the chip drops it */
  uint16_t wr = get16(r, W5500_Sn_RX_WR);
  uint32_t mask = rx_size() - 1;
  uint16_t size = (uint16_t)(len + 2);
  rx_mem[wr & mask] = (uint8_t)(size >> 8);
  rx_mem[(uint16_t)(wr + 1) & mask] = (uint8_t)size;
  for (size_t i = 0; i < len; i++) rx_mem[(uint16_t)(wr + 2 + i) & mask] = frame[i];
  put16(r, W5500_Sn_RX_WR, (uint16_t)(wr + size));
  r[W5500_Sn_IR] |= W5500_Sn_IR_RECV;
  model_count.delivered++;
}

void model_set_version(uint8_t v) { version = v; common_reg[W5500_VERSIONR] = v; }
