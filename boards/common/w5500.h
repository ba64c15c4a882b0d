/*
 * WIZnet W5500 in MACRAW mode: socket 0 takes every Ethernet frame (MAC-filtered) and owns all
 * 16 KB of RX and TX buffer; the TCP/IP stack is ours, not the chip's.
 */
#ifndef SYNACK_W5500_H
#define SYNACK_W5500_H
#include <stddef.h>
#include <stdint.h>

/* Registers and values the driver and the simulated chip share (W5500 datasheet v1.0.x). */
#define W5500_BSB_COMMON 0x00
#define W5500_BSB_S0_REG 0x01
#define W5500_BSB_S0_TX 0x02
#define W5500_BSB_S0_RX 0x03
#define W5500_CTRL_WRITE 0x04

#define W5500_MR 0x0000
#define W5500_MR_RST 0x80
#define W5500_SHAR 0x0009
#define W5500_IR 0x0015
#define W5500_SIR 0x0017
#define W5500_SIMR 0x0018
#define W5500_PHYCFGR 0x002E
#define W5500_PHY_LNK 0x01
#define W5500_VERSIONR 0x0039
#define W5500_VERSION 0x04

#define W5500_Sn_MR 0x0000
#define W5500_Sn_MR_MACRAW 0x04
#define W5500_Sn_MR_MFEN 0x80   /* MAC filter: our address, broadcast, IP multicast */
#define W5500_Sn_MR_BCASTB 0x40 /* block broadcast */
#define W5500_Sn_MR_MMB 0x20    /* block IPv4 multicast */
#define W5500_Sn_MR_MIP6B 0x10  /* block IPv6 */
#define W5500_Sn_CR 0x0001
#define W5500_CR_OPEN 0x01
#define W5500_CR_CLOSE 0x10
#define W5500_CR_SEND 0x20
#define W5500_CR_RECV 0x40
#define W5500_Sn_IR 0x0002
#define W5500_Sn_IR_SENDOK 0x10
#define W5500_Sn_IR_TIMEOUT 0x08
#define W5500_Sn_IR_RECV 0x04
#define W5500_Sn_SR 0x0003
#define W5500_SR_CLOSED 0x00
#define W5500_SR_MACRAW 0x42
#define W5500_Sn_RXBUF_SIZE 0x001E
#define W5500_Sn_TXBUF_SIZE 0x001F
#define W5500_Sn_TX_FSR 0x0020
#define W5500_Sn_TX_RD 0x0022
#define W5500_Sn_TX_WR 0x0024
#define W5500_Sn_RX_RSR 0x0026
#define W5500_Sn_RX_RD 0x0028
#define W5500_Sn_RX_WR 0x002A
#define W5500_Sn_IMR 0x002C

#define W5500_BUF_KB 16
#define W5500_BUF_SIZE (W5500_BUF_KB * 1024)
#define W5500_MAX_FRAME 1522 /* VLAN-tagged, the FCS stripped */
#define W5500_MIN_FRAME 60   /* the chip forwards no runts */
#ifndef W5500_RX_STAGE
#define W5500_RX_STAGE 6144  /* RAM for the most RX ring bytes read in one transaction: four full frames */
#endif

typedef struct {
  uint32_t transactions; /* SPI transactions (chip-select cycles) */
  uint32_t bytes;        /* SPI bytes clocked, headers included */
  uint32_t spi_errors;   /* transactions the HAL reported failed */
  uint32_t frames_in, frames_out;
  uint32_t bytes_in, bytes_out; /* Ethernet frame bytes */
  uint32_t rx_too_big;   /* frames skipped: larger than the caller's buffer */
  uint32_t rx_drains;    /* a length header that cannot be: everything waiting skipped */
  uint32_t rx_resets;    /* RX recoveries that needed the socket reopened */
  uint32_t tx_nolink;    /* frames refused: no link */
  uint32_t tx_timeouts;  /* SEND_OK (or a command's acceptance) never came: socket reopened */
  uint32_t link_changes;
} w5500_counters;

extern w5500_counters w5500_count;

/*
 * Reset (waiting up to 100 ms, by the HAL's clock, for MR.RST to clear and VERSIONR to read
 * 0x04), set the MAC, and open socket 0 in MACRAW if the link is up (else on link-up).
 * 0, or -1 (no chip) / -2 (no MACRAW).
 */
int w5500_init(const uint8_t mac[6]);
/* PHY link (PHYCFGR.LNK), polled by the board: a change is counted; link down closes the socket
 * (nothing is sent or received), link up opens it again. */
int w5500_link_up(void);
/*
 * The next received frame into buf (up to cap bytes): its length, or 0. Frames come in batches:
 * one look at the chip reads all that is waiting in one go, the calls after it hand those frames
 * out, and the call that finds them used up returns 0 without looking again; the next call looks
 * afresh. So a board drains with calls until 0 on every poll (or every time w5500_rx_pending says
 * so), and a frame that arrived after the look is found on the next one (its Sn_IR.RECV is set).
 */
int w5500_recv(uint8_t *buf, size_t cap);
/* Queue one frame for sending, one SEND in flight at a time: 0, or -1 (no link, too long, the
 * chip stuck: the frame is dropped). */
int w5500_send(const uint8_t *frame, size_t len);
/* The interrupt line's cause: RX data is waiting (Sn_IR.RECV), cleared by the read. Call it
 * before draining with w5500_recv, so a frame arriving meanwhile raises the line again. */
int w5500_rx_pending(void);

#endif
