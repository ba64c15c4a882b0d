/*
 * W5500 MACRAW driver, following the datasheet's rules the way hardware-proven drivers do
 * (ESP-IDF's, WIZnet's ioLibrary, Linux w5100.c): one SEND in flight, waiting for SEND_OK;
 * Sn_RX_RSR read only once the last RECV has been taken, twice until two reads agree; no
 * command written before the last one was taken; VERSIONR polled after reset; the socket closed
 * without link. Every wait is bounded by the HAL's clock, never by a loop count.
 *
 * SPI costs a fixed header (3 bytes, one chip-select cycle) per transaction, so the driver keeps
 * the chip's pointers in RAM and reads everything Sn_RX_RSR counts (several frames, across the
 * ring's wrap) in one transaction into a stage, from which the frames are handed out; it looks
 * at the chip once per drain (see w5500_recv in w5500.h), hands RX space back (RX_RD + RECV) only
 * every RECV_BATCH bytes while busy (at once after a batch too big to risk another like it) or
 * when a look finds nothing, and writes a frame while the previous one is still on the wire. Per
 * frame sent: the frame, one status read, Sn_TX_WR, SEND.
 */
#include "w5500.h"
#include "hal.h"
#include <string.h>

w5500_counters w5500_count;

#define COMMAND_US 10000u   /* a command is taken within microseconds; 10 ms means the chip is stuck */
#define SEND_US 20000u      /* SEND_OK: a 1522-byte frame needs 1.2 ms at 10 Mbit; allow for pauses */
#define READY_MS 100u       /* MR.RST and VERSIONR after reset (ESP-IDF allows the same) */
#define RECV_BATCH (W5500_BUF_SIZE / 2) /* hand RX space back at least this often while busy */
_Static_assert(W5500_RX_STAGE >= 2 + W5500_MAX_FRAME && W5500_RX_STAGE <= W5500_BUF_SIZE, "a stage holds a frame");

static uint16_t rx_rd;      /* our read pointer; Sn_RX_RD as of the last RECV is rx_rd - rx_taken */
static uint16_t rx_avail;   /* bytes known to be waiting past rx_rd */
static uint16_t rx_taken;   /* bytes read since the last RECV */
static uint8_t stage[W5500_RX_STAGE]; /* the ring's waiting bytes from rx_rd - st_pos on, as read */
static uint16_t st_len, st_pos; /* bytes staged, and how far they have been handed out */
static int asked;           /* Sn_RX_RSR was read since the last call that returned 0 */
static uint16_t last_found; /* bytes that look found waiting */
static int recv_unsure;     /* the unsure command (cmd_unsure) is a RECV: RSR must wait for it */
static int rsr_unsure;      /* rx_avail is from one RSR read (maybe torn short), not yet confirmed */
static uint16_t tx_wr;      /* our copy of Sn_TX_WR */
static int send_busy;       /* a SEND was issued and its SEND_OK not yet seen */
static int cmd_unsure;      /* a command was written and not yet seen taken (Sn_CR back to 0) */
static int link = -1;       /* -1 not yet known, 0 down (socket closed), 1 up (socket open) */

static void xfer(uint8_t bsb, uint16_t addr, const uint8_t *tx, uint8_t *rx, size_t len) {
  const uint8_t h[3] = { (uint8_t)(addr >> 8), (uint8_t)addr, (uint8_t)(bsb << 3 | (tx ? W5500_CTRL_WRITE : 0)) };
  if (hal_spi(h, 3, tx, rx, len) != 0) w5500_count.spi_errors++;
  w5500_count.transactions++;
  w5500_count.bytes += 3 + (uint32_t)len;
}

static uint8_t rd8(uint8_t bsb, uint16_t addr) { uint8_t v = 0; xfer(bsb, addr, 0, &v, 1); return v; }
static void wr8(uint8_t bsb, uint16_t addr, uint8_t v) { xfer(bsb, addr, &v, 0, 1); }
static uint16_t rd16(uint8_t bsb, uint16_t addr) {
  uint8_t b[2] = { 0, 0 };
  xfer(bsb, addr, 0, b, 2);
  return (uint16_t)(b[0] << 8 | b[1]);
}
static void wr16(uint8_t bsb, uint16_t addr, uint16_t v) {
  const uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
  xfer(bsb, addr, b, 0, 2);
}
/* The datasheet's rule for counters the chip updates under us: read until two reads agree
 * (v is the first read). */
static uint16_t confirm16(uint8_t bsb, uint16_t addr, uint16_t v) {
  uint16_t prev;
  uint32_t start = hal_micros();
  do {
    prev = v;
    v = rd16(bsb, addr);
  } while (v != prev && hal_micros() - start < COMMAND_US);
  return v;
}

/*
 * Sn_CR and Sn_IR in one read: whether the last command has been taken, and whether the SEND in
 * flight is done (its SEND_OK is cleared along with the next SEND).
 */
static uint8_t poll_status(void) {
  uint8_t s[2] = { 0xff, 0 };
  xfer(W5500_BSB_S0_REG, W5500_Sn_CR, 0, s, 2);
  if (s[0] == 0) {
    cmd_unsure = recv_unsure = 0;
    if (s[1] & (W5500_Sn_IR_SENDOK | W5500_Sn_IR_TIMEOUT)) send_busy = 0;
  }
  return s[0];
}

/* Wait until the last command has been taken (Sn_CR reads 0). 0, or -1 after COMMAND_US. */
static int settle(void) {
  if (!cmd_unsure) return 0;
  uint32_t start = hal_micros();
  while (poll_status() != 0)
    if (hal_micros() - start >= COMMAND_US) return -1;
  return 0;
}

static int command(uint8_t cr) {
  int r = settle();
  wr8(W5500_BSB_S0_REG, W5500_Sn_CR, cr);
  cmd_unsure = 1;
  recv_unsure = 0;
  return r;
}

/* Wait for Sn_SR to read want. */
static int await_status(uint8_t want) {
  uint32_t start = hal_micros();
  for (;;) {
    if (rd8(W5500_BSB_S0_REG, W5500_Sn_SR) == want) return 0;
    if (hal_micros() - start >= COMMAND_US) return -1;
  }
}

static void close_socket(void) {
  command(W5500_CR_CLOSE);
  settle();
  await_status(W5500_SR_CLOSED);
  send_busy = 0;
  cmd_unsure = recv_unsure = 0;
}

static int open_macraw(void) {
  close_socket();
  /* MAC filter on; IPv6 blocked (the stack is IPv4). Broadcast (ARP, DHCP) and IPv4 multicast
   * pass: mDNS listens on 224.0.0.251, and the module drops the groups it has not joined. */
  wr8(W5500_BSB_S0_REG, W5500_Sn_MR, W5500_Sn_MR_MACRAW | W5500_Sn_MR_MFEN | W5500_Sn_MR_MIP6B);
  command(W5500_CR_OPEN);
  settle();
  if (await_status(W5500_SR_MACRAW) != 0) return -2;
  uint8_t p[4];
  xfer(W5500_BSB_S0_REG, W5500_Sn_TX_RD, 0, p, 4); /* TX_RD and TX_WR in one read */
  tx_wr = (uint16_t)(p[2] << 8 | p[3]);
  rx_rd = rd16(W5500_BSB_S0_REG, W5500_Sn_RX_RD);
  rx_avail = rx_taken = 0;
  st_len = st_pos = 0;
  asked = recv_unsure = rsr_unsure = 0;
  send_busy = 0;
  return 0;
}

/* Start the socket over; if even that fails, count the link as down so the next link poll retries. */
static void reopen(void) {
  if (open_macraw() != 0) link = 0;
}

/* Poll a common register until (value & mask) == want, for up to READY_MS. */
static int await_common(uint16_t addr, uint8_t mask, uint8_t want) {
  uint32_t start = hal_millis();
  for (;;) {
    if ((rd8(W5500_BSB_COMMON, addr) & mask) == want) return 0;
    if (hal_millis() - start >= READY_MS) return -1;
    hal_delay_us(500);
  }
}

int w5500_init(const uint8_t mac[6]) {
  wr8(W5500_BSB_COMMON, W5500_MR, W5500_MR_RST);
  cmd_unsure = send_busy = 0;
  link = -1;
  if (await_common(W5500_MR, W5500_MR_RST, 0) != 0) return -1;
  /* Some units read VERSIONR as 0 for a while after reset; the chip is ready when it reads 0x04. */
  if (await_common(W5500_VERSIONR, 0xff, W5500_VERSION) != 0) return -1;
  xfer(W5500_BSB_COMMON, W5500_SHAR, mac, 0, 6);
  for (uint8_t s = 0; s < 8; s++) { /* all 16 KB of each direction to socket 0 */
    const uint8_t sizes[2] = { s == 0 ? W5500_BUF_KB : 0, s == 0 ? W5500_BUF_KB : 0 };
    xfer((uint8_t)(s * 4 + 1), W5500_Sn_RXBUF_SIZE, sizes, 0, 2);
  }
  wr8(W5500_BSB_S0_REG, W5500_Sn_IMR, W5500_Sn_IR_RECV);
  wr8(W5500_BSB_COMMON, W5500_SIMR, 0x01);
  /* Check that MACRAW opens even without link, then leave the socket as the link says. */
  if (open_macraw() != 0) return -2;
  link = rd8(W5500_BSB_COMMON, W5500_PHYCFGR) & W5500_PHY_LNK;
  if (!link) close_socket();
  return 0;
}

int w5500_link_up(void) {
  int up = rd8(W5500_BSB_COMMON, W5500_PHYCFGR) & W5500_PHY_LNK;
  if (up == link) return up;
  if (link != -1) w5500_count.link_changes++;
  if (up) {
    if (open_macraw() != 0) { w5500_count.rx_resets++; return up; } /* retried at the next poll */
  } else {
    close_socket();
  }
  link = up;
  return up;
}

int w5500_rx_pending(void) {
  uint8_t ir = rd8(W5500_BSB_S0_REG, W5500_Sn_IR);
  if (ir & W5500_Sn_IR_RECV) wr8(W5500_BSB_S0_REG, W5500_Sn_IR, W5500_Sn_IR_RECV);
  return (ir & W5500_Sn_IR_RECV) != 0;
}

/* Hand the bytes read back to the chip: Sn_RX_RD, then RECV (its acceptance is awaited lazily,
 * by the next Sn_RX_RSR read or command). */
static void release(void) {
  wr16(W5500_BSB_S0_REG, W5500_Sn_RX_RD, rx_rd);
  command(W5500_CR_RECV);
  recv_unsure = 1;
  rx_taken = 0;
}

/*
 * Bytes waiting past rx_rd, by a fresh Sn_RX_RSR (which counts from the last RECV taken, so a
 * RECV must have been taken first; a SEND still pending does not touch it). The chip only adds
 * to RSR, whole frames at a time, and a 16-bit read torn by an arrival (high byte old, low byte
 * new) only comes out low, never above what has arrived: so one read is enough to act on. What
 * it counts is all there, and if a tear cut a frame short, that frame's length header says so
 * (rsr_unsure: next_staged then reads RSR until two reads agree, the datasheet's rule). A read
 * below what we have already taken is such a tear too: read again at once, never reset for it.
 * sure: read until two reads agree in any case (a drain skips what RSR counts).
 */
static int refresh_avail(int sure) {
  if (recv_unsure && settle() != 0) return -1;
  uint16_t rsr = rd16(W5500_BSB_S0_REG, W5500_Sn_RX_RSR);
  rsr_unsure = 0;
  if (rsr < rx_taken || rsr > W5500_BUF_SIZE || (sure && rsr != rx_taken))
    rsr = confirm16(W5500_BSB_S0_REG, W5500_Sn_RX_RSR, rsr);
  else
    rsr_unsure = rsr != rx_taken;
  if (rsr > W5500_BUF_SIZE || rsr < rx_taken) return -1;
  rx_avail = (uint16_t)(rsr - rx_taken);
  return 0;
}

/*
 * A length header that cannot be right: the ring was misread. Skip everything the chip holds
 * (frames end where Sn_RX_RSR ends) and keep the socket open; reopen only if even that fails.
 */
static void drain(void) {
  w5500_count.rx_drains++;
  st_len = st_pos = 0;
  asked = 0;
  if (refresh_avail(1) != 0) { w5500_count.rx_resets++; reopen(); return; }
  rx_rd = (uint16_t)(rx_rd + rx_avail);
  rx_taken = (uint16_t)(rx_taken + rx_avail);
  rx_avail = 0;
  release();
}

/*
 * The next whole frame in the stage, into buf: its length; 0 when the stage holds no whole
 * frame (exhausted, or the frame runs on past what was staged); -1 after a drain.
 */
static int next_staged(uint8_t *buf, size_t cap) {
  while (st_len - st_pos >= 2) {
    uint16_t size = (uint16_t)(stage[st_pos] << 8 | stage[st_pos + 1]);
    if (size > rx_avail && size >= 2 + W5500_MIN_FRAME && size <= 2 + W5500_MAX_FRAME && rsr_unsure) {
      /* Past what one RSR read counted: a torn read, or a bad header. Count again, surely. */
      rsr_unsure = 0;
      uint16_t rsr = confirm16(W5500_BSB_S0_REG, W5500_Sn_RX_RSR, rd16(W5500_BSB_S0_REG, W5500_Sn_RX_RSR));
      if (rsr <= W5500_BUF_SIZE && rsr >= rx_taken) rx_avail = (uint16_t)(rsr - rx_taken);
    }
    if (size < 2 + W5500_MIN_FRAME || size > 2 + W5500_MAX_FRAME || size > rx_avail) { drain(); return -1; }
    if (size > st_len - st_pos) return 0; /* staged in part: the rest is read next */
    const uint8_t *f = stage + st_pos + 2;
    uint16_t len = (uint16_t)(size - 2);
    st_pos = (uint16_t)(st_pos + size);
    rx_rd = (uint16_t)(rx_rd + size);
    rx_avail = (uint16_t)(rx_avail - size);
    rx_taken = (uint16_t)(rx_taken + size);
    if (len > cap) { w5500_count.rx_too_big++; continue; } /* larger than the caller's buffer: skip it */
    memcpy(buf, f, len);
    w5500_count.frames_in++;
    w5500_count.bytes_in += len;
    return len;
  }
  st_len = st_pos = 0;
  return 0;
}

/*
 * One read of Sn_RX_RSR, then everything it counts in one SPI transaction (up to the stage's
 * size; the chip wraps the ring's addresses itself), parsed frame by frame from the stage. The
 * call that finds the stage empty after such a read returns 0 without asking again: a frame
 * that arrived meanwhile raised Sn_IR.RECV, and the next call (the next poll) asks.
 */
int w5500_recv(uint8_t *buf, size_t cap) {
  if (link != 1) return 0;
  for (;;) {
    int n = next_staged(buf, cap);
    if (n > 0) return n;
    if (n < 0) return 0;
    if (rx_avail < 2) {
      if (asked) { /* the frames of the last look are all handed out */
        asked = 0;
        /* Busy: hand space back every RECV_BATCH bytes, or at once if another batch like this
         * one might not fit in what the chip has left. */
        if (rx_taken >= RECV_BATCH || rx_taken + 2u * last_found > W5500_BUF_SIZE) release();
        return 0;
      }
      if (refresh_avail(0) != 0) { w5500_count.rx_resets++; reopen(); asked = 0; return 0; }
      if (rx_avail < 2) {
        /* Nothing more. At the end of a batch, keep the space read until there is enough of it
         * to be worth a RECV; on a look that found nothing at all, the line is idle: give it all. */
        if (asked ? rx_taken >= RECV_BATCH : rx_taken > 0) release();
        asked = 0;
        return 0;
      }
      asked = 1;
      last_found = rx_avail;
    }
    /* Stage what is known to be waiting, after the part of a frame already staged. */
    uint16_t have = (uint16_t)(st_len - st_pos);
    if (st_pos) { memmove(stage, stage + st_pos, have); st_pos = 0; st_len = have; }
    uint16_t want = rx_avail < sizeof stage ? rx_avail : (uint16_t)sizeof stage;
    xfer(W5500_BSB_S0_RX, (uint16_t)(rx_rd + have), 0, stage + have, (size_t)(want - have));
    st_len = want;
  }
}

/* Wait for the SEND in flight to finish. 0, or -1 after SEND_US. */
static int await_sent(void) {
  uint32_t start = hal_micros();
  for (;;) {
    poll_status();
    if (!send_busy) return 0;
    if (hal_micros() - start >= SEND_US) return -1;
  }
}

int w5500_send(const uint8_t *frame, size_t len) {
  if (len > W5500_MAX_FRAME || len == 0) return -1;
  if (link != 1) { w5500_count.tx_nolink++; return -1; }
  /* One frame at most is in flight, so the 16 KB ring always has room for this one: write it
   * while the previous frame may still be on the wire. */
  xfer(W5500_BSB_S0_TX, tx_wr, frame, 0, len);
  if (send_busy && await_sent() != 0) { w5500_count.tx_timeouts++; reopen(); return -1; }
  if (settle() != 0) { w5500_count.tx_timeouts++; reopen(); return -1; }
  tx_wr = (uint16_t)(tx_wr + len);
  wr16(W5500_BSB_S0_REG, W5500_Sn_TX_WR, tx_wr);
  /* SEND, and in the same transaction clear the previous SEND_OK (Sn_IR follows Sn_CR): the new
   * frame's SEND_OK cannot come before it has been on the wire. */
  const uint8_t cr_ir[2] = { W5500_CR_SEND, W5500_Sn_IR_SENDOK | W5500_Sn_IR_TIMEOUT };
  xfer(W5500_BSB_S0_REG, W5500_Sn_CR, cr_ir, 0, 2);
  send_busy = cmd_unsure = 1;
  recv_unsure = 0;
  w5500_count.frames_out++;
  w5500_count.bytes_out += (uint32_t)len;
  return 0;
}
