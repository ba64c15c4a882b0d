/*
 * A register-level W5500 for the PC, as strict as the datasheet (v1.0.x) lets us be: SPI frames in
 * (address, control byte, data), common and socket registers, the RX/TX rings with their wrap,
 * MACRAW with its length header and filters, and the interrupt flags. Its wire is whatever
 * model_wire_out points at (a TAP in the native board).
 *
 * Strict, so that a driver that only works on a kind chip fails here:
 * - A command reads back in Sn_CR until the chip takes it (model_timing.cmd_us after the write);
 *   its effect (socket state, Sn_RX_RSR after RECV) shows only then. A command written while
 *   the previous one is pending is a driver error.
 * - Sn_RX_RSR moves on arrival and on a taken RECV, never on a bare write of Sn_RX_RD.
 * - SEND puts the frame on the wire; SEND_OK comes after the command is taken and the frame's
 *   wire time (preamble, FCS, gap) at the link speed. SEND before that, Sn_TX_WR moved during it,
 *   or TX memory written over the frame in flight: driver errors.
 * - MR.RST takes reset_us; VERSIONR reads 0 until version_us after the reset (some units do),
 *   and the chip ignores writes until then (each one a driver error).
 * - Frames shorter than 60 bytes arrive padded to 60 (a wire has no runts); up to 1522 bytes are
 *   taken (VLAN). With MFEN only our MAC, broadcast and IP multicast pass (what ESP-IDF observed
 *   on silicon); MMB blocks IPv4 multicast, MIP6B IPv6, BCASTB broadcast.
 * - A 16-bit register read is not atomic: a test can make a frame arrive between its bytes.
 * - No link: nothing is received, a SEND still completes but the frame is lost.
 * - Reading RX memory the chip has not filled, or a RECV that moves Sn_RX_RD past Sn_RX_WR:
 *   driver errors.
 * Time comes from the board's hal_micros(), so tests drive it.
 */
#ifndef SYNACK_W5500_MODEL_H
#define SYNACK_W5500_MODEL_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t delivered, dropped_full, dropped_filter, dropped_link, dropped_closed, dropped_size, padded;
  uint32_t sent, opens, commands;
  uint32_t driver_errors; /* what the datasheet does not allow a driver; model_last_error says which */
} model_counters;
extern model_counters model_count;
extern const char *model_last_error;

typedef struct {
  uint32_t cmd_us;     /* a command is pending (Sn_CR nonzero) this long after its write */
  uint32_t reset_us;   /* MR.RST reads 1 this long */
  uint32_t version_us; /* VERSIONR reads 0 (and writes are ignored) this long after a reset */
  uint32_t mbps;       /* link speed: 10 or 100 */
} model_timing;

/* Frames the chip puts on its wire. */
extern void (*model_wire_out)(const uint8_t *frame, size_t len);

/* Power on (chip ready at once, link up at 100 Mbit, default timing). */
void model_power_on(void);
/* NULL: the defaults (cmd 5 us, reset 1 ms, version 2 ms, 100 Mbit). */
void model_set_timing(const model_timing *t);
/* One SPI transaction, as the chip sees it. */
void model_spi(const uint8_t *header, size_t hlen, const uint8_t *tx, uint8_t *rx, size_t len);
/* A frame arrives from the wire: into socket 0's RX ring if open, linked, passed by the filters and fits. */
void model_wire_in(const uint8_t *frame, size_t len);
void model_set_link(int up);
/* The INTn line (active low on the chip): 1 while an enabled interrupt is pending. */
int model_interrupt(void);

/* Test hooks: what a real chip can do that SPI cannot ask for, and what only a test may peek at. */
void model_set_version(uint8_t v);
uint8_t model_socket_status(void); /* Sn_SR of socket 0 */
/* The frame arrives between the high and the low byte of the next Sn_RX_RSR read: a torn read. */
void model_arrive_during_rsr_read(const uint8_t *frame, size_t len);
/* The frame arrives during the next read of RX memory (after its first byte): a frame landing
 * behind the region the driver is reading. */
void model_arrive_during_rx_read(const uint8_t *frame, size_t len);
/* While on, a SEND never completes (no SEND_OK): a stuck transmitter. */
void model_stall_tx(int on);

#endif
