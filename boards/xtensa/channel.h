/*
 * The emulated board's wire to the host: two FIFOs opened through semihosting, carrying messages
 * of an 8-byte little-endian header (type, 0, payload length u16, value u32) and the payload.
 *   host -> board: 'T' the host's clock (value, ms); 'F' an Ethernet frame arriving at that time;
 *                  'K' a socket call, its payload a request of the control protocol
 *                  (boards/common/control.h); 'S' report the measurements; 'Q' report them and stop.
 *   board -> host: 'F' a frame the W5500 sent; 'I' done with the last message, value = ms until
 *                  the next timer, payload = address and prefix length (u32 each); 'L' a log line;
 *                  'M' the measurements as one JSON object; 'A' the answer to a 'K' (the board
 *                  does not step for it).
 * Every host message is answered by exactly one 'I' (or 'M', or 'A'), so a host can run in lock step.
 */
#ifndef SYNACK_XTENSA_CHANNEL_H
#define SYNACK_XTENSA_CHANNEL_H
#include <stddef.h>
#include <stdint.h>

#define CHANNEL_MAX_PAYLOAD 4096

typedef struct {
  uint8_t type;
  uint16_t len;
  uint32_t value;
  uint8_t payload[CHANNEL_MAX_PAYLOAD];
} channel_msg;

int channel_open(const char *in_path, const char *out_path);
/* The next message from the host; 0, or -1 when the host has gone or sent something malformed. */
int channel_read(channel_msg *m);
void channel_write(uint8_t type, uint32_t value, const void *payload, size_t len);

#endif
