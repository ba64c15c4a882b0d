/*
 * The native board's control channel, for the host's native engine (host/engine/board.ts): the
 * control protocol (boards/common/control.h) over FIFOs.
 *
 * DIR/req   requests, one after another.
 * DIR/resp  one answer per request.
 * DIR/event one byte after every step the wire or a timer caused (the host then looks at its
 *           sockets); dropped when the host has not read the last ones.
 */
#ifndef SYNACK_FIFOS_H
#define SYNACK_FIFOS_H

/* Open the FIFOs in DIR (made by the host); the request fd to poll, or -1 (reason on stderr). */
int control_open(const char *dir);
/* Answer every request waiting; -1 when the host has gone (its end of the request FIFO closed). */
int control_serve(void);
/* Tell the host that its sockets may have moved. */
void control_event(void);

#endif
