/* The simulated W5500: see w5500_model.h. Only socket 0 is modelled beyond its registers. */
#include "w5500_model.h"
#include "../common/hal.h"
#include "../common/w5500.h"
#include <string.h>

model_counters model_count;
const char *model_last_error = "";
void (*model_wire_out)(const uint8_t *frame, size_t len);

#define MODEL_MAX_FRAME 1522 /* VLAN-tagged, without the FCS the chip strips */
#define MODEL_MIN_FRAME 60   /* the shortest frame a wire carries (64 with FCS) */

static const model_timing DEFAULT_TIMING = { 5, 1000, 2000, 100 };
static model_timing timing;

static uint8_t common_reg[0x40];
static uint8_t sock_reg[8][0x30];
static uint8_t rx_mem[W5500_BUF_SIZE], tx_mem[W5500_BUF_SIZE]; /* socket 0 owns all 16 KB */
static int link_up = 1;
static uint8_t version = W5500_VERSION; /* what VERSIONR says; a test can make it another chip */

static uint16_t rx_committed;   /* Sn_RX_RD as of the last RECV the chip took: RSR counts from here */
static uint8_t cmd_pending;     /* the command Sn_CR shows until it is taken */
static uint32_t cmd_at;         /* when it was written */
static int tx_busy;             /* a frame is on the wire; SEND_OK when done */
static uint32_t tx_done_at;
static uint16_t tx_end;         /* Sn_TX_WR latched by that SEND */
static int resetting, not_ready;
static uint32_t reset_at;
static uint8_t torn_frame[MODEL_MAX_FRAME]; /* arrives between the bytes of the next RSR read */
static size_t torn_len;
static uint8_t late_frame[MODEL_MAX_FRAME]; /* arrives during the next read of RX memory */
static size_t late_len;
static int tx_stalled;          /* test hook: SEND never completes */

static void wire_in(const uint8_t *frame, size_t len);

static uint16_t get16(const uint8_t *r, uint16_t a) { return (uint16_t)(r[a] << 8 | r[a + 1]); }
static void put16(uint8_t *r, uint16_t a, uint16_t v) { r[a] = (uint8_t)(v >> 8); r[a + 1] = (uint8_t)v; }
static uint32_t rx_size(void) { return (uint32_t)sock_reg[0][W5500_Sn_RXBUF_SIZE] * 1024; }
static uint32_t tx_size(void) { return (uint32_t)sock_reg[0][W5500_Sn_TXBUF_SIZE] * 1024; }
static uint8_t *s0(void) { return sock_reg[0]; }
static int reached(uint32_t now, uint32_t due) { return (int32_t)(now - due) >= 0; }

static void driver_error(const char *what) {
  model_count.driver_errors++;
  model_last_error = what;
}

static void reset_registers(void) {
  memset(common_reg, 0, sizeof common_reg);
  memset(sock_reg, 0, sizeof sock_reg);
  common_reg[W5500_VERSIONR] = version;
  common_reg[W5500_PHYCFGR] = (uint8_t)(0xb8 | (link_up ? W5500_PHY_LNK | 0x06 : 0)); /* 100M full duplex */
  for (int s = 0; s < 8; s++) { sock_reg[s][W5500_Sn_RXBUF_SIZE] = 2; sock_reg[s][W5500_Sn_TXBUF_SIZE] = 2; }
  rx_committed = 0;
  cmd_pending = 0;
  tx_busy = 0;
}

void model_power_on(void) {
  memset(&model_count, 0, sizeof model_count);
  model_last_error = "";
  torn_len = late_len = 0;
  tx_stalled = 0;
  timing = DEFAULT_TIMING;
  link_up = 1;
  version = W5500_VERSION;
  resetting = not_ready = 0;
  reset_registers();
}

void model_set_timing(const model_timing *t) { timing = t ? *t : DEFAULT_TIMING; }

void model_set_link(int up) {
  link_up = up;
  common_reg[W5500_PHYCFGR] = (uint8_t)((common_reg[W5500_PHYCFGR] & ~(W5500_PHY_LNK | 0x06)) | (up ? W5500_PHY_LNK | 0x06 : 0));
}

/* A frame's time on the wire: preamble 8, at least 60 bytes, FCS 4, inter-frame gap 12. */
static uint32_t wire_us(uint32_t len) {
  uint32_t bytes = 8 + (len < MODEL_MIN_FRAME ? MODEL_MIN_FRAME : len) + 4 + 12;
  uint32_t mbps = timing.mbps ? timing.mbps : 100;
  return (bytes * 8 + mbps - 1) / mbps;
}

/* SEND as written: the frame goes on the wire now; SEND_OK once it has been taken and sent. */
static void start_send(uint32_t now) {
  uint8_t *r = s0();
  if (r[W5500_Sn_SR] != W5500_SR_MACRAW) { driver_error("SEND on a closed socket"); return; }
  if (tx_busy) { driver_error("SEND while the previous SEND has no SEND_OK"); return; }
  uint16_t rd = get16(r, W5500_Sn_TX_RD), wr = get16(r, W5500_Sn_TX_WR);
  uint16_t len = (uint16_t)(wr - rd);
  if (len == 0 || len > MODEL_MAX_FRAME || len > tx_size()) { driver_error("SEND of an impossible frame length"); return; }
  static uint8_t frame[W5500_BUF_SIZE];
  uint32_t mask = tx_size() - 1;
  for (uint16_t i = 0; i < len; i++) frame[i] = tx_mem[(uint16_t)(rd + i) & mask];
  tx_busy = 1;
  tx_end = wr;
  tx_done_at = now + timing.cmd_us + wire_us(len);
  if (!link_up) { model_count.dropped_link++; return; }
  model_count.sent++;
  if (model_wire_out) model_wire_out(frame, len);
}

/* A command the chip takes (after cmd_us): its effect on the registers. */
static void take(uint8_t cr) {
  uint8_t *r = s0();
  switch (cr) {
  case W5500_CR_OPEN:
    if ((r[W5500_Sn_MR] & 0x0f) == W5500_Sn_MR_MACRAW) {
      /* Pointers start wherever the chip likes: a driver must read them, never assume 0. */
      uint16_t p = (uint16_t)(++model_count.opens * 0x1234u);
      r[W5500_Sn_SR] = W5500_SR_MACRAW;
      put16(r, W5500_Sn_RX_RD, p); put16(r, W5500_Sn_RX_WR, p);
      put16(r, W5500_Sn_TX_RD, p); put16(r, W5500_Sn_TX_WR, p);
      rx_committed = p;
    }
    break;
  case W5500_CR_CLOSE:
    r[W5500_Sn_SR] = W5500_SR_CLOSED;
    tx_busy = 0; /* a frame in flight is abandoned: no SEND_OK */
    break;
  case W5500_CR_RECV: {
    uint16_t rd = get16(r, W5500_Sn_RX_RD), wr = get16(r, W5500_Sn_RX_WR);
    if ((uint16_t)(rd - rx_committed) > (uint16_t)(wr - rx_committed)) driver_error("RECV moved Sn_RX_RD past Sn_RX_WR");
    rx_committed = rd;
    break;
  }
  }
}

/* Let the chip's time pass: commands taken, frames sent, the reset over. */
static void advance(void) {
  uint32_t now = hal_micros();
  uint8_t *r = s0();
  if (resetting && reached(now, reset_at + timing.reset_us)) resetting = 0;
  if (not_ready && !resetting && reached(now, reset_at + timing.version_us)) not_ready = 0;
  if (cmd_pending && reached(now, cmd_at + timing.cmd_us)) {
    uint8_t cr = cmd_pending;
    cmd_pending = 0;
    r[W5500_Sn_CR] = 0;
    take(cr);
  }
  if (tx_busy && !tx_stalled && reached(now, tx_done_at)) {
    tx_busy = 0;
    put16(r, W5500_Sn_TX_RD, tx_end);
    r[W5500_Sn_IR] |= W5500_Sn_IR_SENDOK;
  }
}

static void command_written(uint8_t cr) {
  uint32_t now = hal_micros();
  model_count.commands++;
  if (cmd_pending) { driver_error("command written while the previous one is pending (Sn_CR nonzero)"); return; }
  if (cr == W5500_CR_SEND) start_send(now);
  cmd_pending = cr;
  cmd_at = now;
  s0()[W5500_Sn_CR] = cr;
}

int model_interrupt(void) {
  advance();
  common_reg[W5500_SIR] = (uint8_t)((s0()[W5500_Sn_IR] & s0()[W5500_Sn_IMR]) ? 1 : 0);
  return (common_reg[W5500_SIR] & common_reg[W5500_SIMR]) != 0;
}

/* Registers the chip computes on read. */
static void refresh(void) {
  uint8_t *r = s0();
  put16(r, W5500_Sn_TX_FSR, (uint16_t)(tx_size() - (uint16_t)(get16(r, W5500_Sn_TX_WR) - get16(r, W5500_Sn_TX_RD))));
  put16(r, W5500_Sn_RX_RSR, (uint16_t)(get16(r, W5500_Sn_RX_WR) - rx_committed));
}

/* Accesses to the buffers that only a confused driver makes. */
static void check_buffer_access(uint8_t bsb, int write, uint16_t addr, size_t len) {
  uint8_t *r = s0();
  if (bsb == W5500_BSB_S0_RX && !write) {
    uint16_t filled = (uint16_t)(get16(r, W5500_Sn_RX_WR) - rx_committed);
    if (r[W5500_Sn_SR] != W5500_SR_MACRAW || (uint32_t)(uint16_t)(addr - rx_committed) + len > filled)
      driver_error("read of RX memory the chip has not filled");
  }
  if (bsb == W5500_BSB_S0_TX && write) {
    uint16_t rd = get16(r, W5500_Sn_TX_RD), queued = (uint16_t)(get16(r, W5500_Sn_TX_WR) - rd);
    uint16_t off = (uint16_t)(addr - rd);
    if (off < queued || off + len > tx_size()) driver_error("TX memory written over a frame not yet sent");
  }
}

static int read_only(uint8_t bsb, uint16_t addr) {
  if (bsb == W5500_BSB_COMMON) return addr == W5500_VERSIONR || addr == W5500_PHYCFGR;
  if ((bsb & 3) != 1) return 0;
  return addr == W5500_Sn_SR || (addr >= W5500_Sn_TX_FSR && addr < W5500_Sn_TX_WR) ||
         (addr >= W5500_Sn_RX_RSR && addr < W5500_Sn_RX_RD) || (addr >= W5500_Sn_RX_WR && addr < W5500_Sn_IMR);
}

void model_spi(const uint8_t *header, size_t hlen, const uint8_t *tx, uint8_t *rx, size_t len) {
  if (hlen < 3) return;
  uint16_t addr = (uint16_t)(header[0] << 8 | header[1]);
  uint8_t bsb = header[2] >> 3;
  int write = (header[2] & W5500_CTRL_WRITE) != 0;
  advance();
  if (write && not_ready) { driver_error("write before the chip is ready after reset (VERSIONR not yet 0x04)"); return; }
  check_buffer_access(bsb, write, addr, len);
  refresh();
  for (size_t i = 0; i < len; i++, addr++) {
    uint8_t *cell = 0;
    if (bsb == W5500_BSB_COMMON) cell = addr < sizeof common_reg ? &common_reg[addr] : 0;
    else if ((bsb & 3) == 1) cell = addr < 0x30 ? &sock_reg[bsb >> 2][addr] : 0;
    else if (bsb == W5500_BSB_S0_TX && tx_size()) cell = &tx_mem[addr & (tx_size() - 1)]; /* the ring wraps */
    else if (bsb == W5500_BSB_S0_RX && rx_size()) cell = &rx_mem[addr & (rx_size() - 1)];
    if (!write) {
      if (!rx) continue;
      if (resetting) rx[i] = bsb == W5500_BSB_COMMON && addr == W5500_MR ? W5500_MR_RST : 0;
      else if (not_ready && bsb == W5500_BSB_COMMON && addr == W5500_VERSIONR) rx[i] = 0;
      else rx[i] = cell ? *cell : 0;
      if (late_len && bsb == W5500_BSB_S0_RX && i == 0) {
        wire_in(late_frame, late_len); /* lands behind RX_WR as it was when the read began */
        late_len = 0;
      }
      if (torn_len && bsb == W5500_BSB_S0_REG && addr == W5500_Sn_RX_RSR && i + 1 < len) {
        wire_in(torn_frame, torn_len); /* the chip moves RSR between its high and low byte */
        torn_len = 0;
        refresh();
      }
      continue;
    }
    if (!cell || !tx) continue;
    uint8_t v = tx[i];
    if (bsb == W5500_BSB_COMMON && addr == W5500_MR && (v & W5500_MR_RST)) {
      reset_registers();
      resetting = not_ready = 1;
      reset_at = hal_micros();
      return; /* the rest of this transaction falls into the reset */
    }
    if (read_only(bsb, addr)) continue;
    if (bsb == W5500_BSB_S0_REG) {
      if (addr == W5500_Sn_IR) { *cell &= (uint8_t)~v; continue; } /* write 1 to clear */
      if (addr == W5500_Sn_CR) { command_written(v); continue; }
      if ((addr == W5500_Sn_TX_WR || addr == W5500_Sn_TX_WR + 1) && tx_busy)
        driver_error("Sn_TX_WR moved while a SEND is in flight");
    }
    *cell = v;
  }
}

static int is_ipv4_multicast(const uint8_t *f) { return f[0] == 0x01 && f[1] == 0x00 && f[2] == 0x5e; }
static int is_ipv6_multicast(const uint8_t *f) { return f[0] == 0x33 && f[1] == 0x33; }

/* Sn_MR's MACRAW filters. */
static int passes(const uint8_t *f) {
  uint8_t mr = s0()[W5500_Sn_MR];
  int bcast = memcmp(f, "\xff\xff\xff\xff\xff\xff", 6) == 0;
  int ipv6 = f[12] == 0x86 && f[13] == 0xdd;
  if (bcast && (mr & W5500_Sn_MR_BCASTB)) return 0;
  if (ipv6 && (mr & W5500_Sn_MR_MIP6B)) return 0;
  if (is_ipv4_multicast(f) && (mr & W5500_Sn_MR_MMB)) return 0;
  if (!(mr & W5500_Sn_MR_MFEN) || bcast) return 1;
  if (f[0] & 1) return is_ipv4_multicast(f) || is_ipv6_multicast(f); /* other multicast never passes MFEN */
  return memcmp(f, &common_reg[W5500_SHAR], 6) == 0;
}

void model_wire_in(const uint8_t *frame, size_t len) {
  advance();
  wire_in(frame, len);
}

void model_arrive_during_rsr_read(const uint8_t *frame, size_t len) {
  if (len > sizeof torn_frame) return;
  memcpy(torn_frame, frame, len);
  torn_len = len;
}

void model_arrive_during_rx_read(const uint8_t *frame, size_t len) {
  if (len > sizeof late_frame) return;
  memcpy(late_frame, frame, len);
  late_len = len;
}

static void wire_in(const uint8_t *frame, size_t len) {
  uint8_t *r = s0();
  if (r[W5500_Sn_SR] != W5500_SR_MACRAW) { model_count.dropped_closed++; return; }
  if (!link_up) { model_count.dropped_link++; return; }
  if (len < 14 || len > MODEL_MAX_FRAME) { model_count.dropped_size++; return; }
  if (!passes(frame)) { model_count.dropped_filter++; return; }
  size_t padded = len < MODEL_MIN_FRAME ? MODEL_MIN_FRAME : len;
  if (padded != len) model_count.padded++;
  uint32_t used = (uint16_t)(get16(r, W5500_Sn_RX_WR) - rx_committed);
  if (used + padded + 2 > rx_size()) { model_count.dropped_full++; return; } /* overflow: the chip drops it */
  uint16_t wr = get16(r, W5500_Sn_RX_WR);
  uint32_t mask = rx_size() - 1;
  uint16_t size = (uint16_t)(padded + 2);
  rx_mem[wr & mask] = (uint8_t)(size >> 8);
  rx_mem[(uint16_t)(wr + 1) & mask] = (uint8_t)size;
  for (size_t i = 0; i < padded; i++) rx_mem[(uint16_t)(wr + 2 + i) & mask] = i < len ? frame[i] : 0;
  put16(r, W5500_Sn_RX_WR, (uint16_t)(wr + size));
  r[W5500_Sn_IR] |= W5500_Sn_IR_RECV;
  model_count.delivered++;
}

void model_set_version(uint8_t v) { version = v; common_reg[W5500_VERSIONR] = v; }
void model_stall_tx(int on) { tx_stalled = on; }
uint8_t model_socket_status(void) { advance(); return s0()[W5500_Sn_SR]; }
