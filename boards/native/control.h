/*
 * The native board's control channel, for openStack({ board: "native" }) (host/api/board.ts):
 * a Node program drives the board's C socket API (boards/common/synack.h) over FIFOs.
 *
 * DIR/req   requests, 20-byte header (little endian): op u8, 0 u8, payload length u16, a, b, c, d u32;
 *           then the payload.
 * DIR/resp  one answer per request, 16-byte header: result i32, x u32, y u32, payload length u16,
 *           0 u16; then the payload.
 * DIR/event one byte after every step the wire or a timer caused (the host then looks at its
 *           sockets); dropped when the host has not read the last ones.
 */
#ifndef SYNACK_CONTROL_H
#define SYNACK_CONTROL_H

/* Open the FIFOs in DIR (made by the host); the request fd to poll, or -1 (reason on stderr). */
int control_open(const char *dir);
/* Answer every request waiting; -1 when the host has gone (its end of the request FIFO closed). */
int control_serve(void);
/* Tell the host that its sockets may have moved. */
void control_event(void);

#endif
