/*
 * The control protocol: a host drives the board's C socket API (synack.h) one call per request,
 * each answered at once (host/engine/control.ts). The native board carries it over FIFOs
 * (boards/native/fifos.h), the emulated board inside its channel's 'K' and 'A' messages
 * (boards/xtensa/channel.h).
 *
 * Request: a 20-byte header (little endian): op u8, 0 u8, payload length u16, a, b, c, d u32;
 *          then the payload.
 * Answer:  a 16-byte header: result i32, x u32, y u32, payload length u16, 0 u16; then the payload.
 */
#ifndef SYNACK_CONTROL_H
#define SYNACK_CONTROL_H
#include <stddef.h>
#include <stdint.h>

#define CONTROL_REQUEST_HEAD 20
#define CONTROL_ANSWER_HEAD 16

/* The payload length a request's header announces. */
uint16_t control_payload_len(const uint8_t *head);
/* Answer the request in REQ (LEN bytes: header and payload) into ANS, which has room for ANS_MAX
 * bytes (header included); the answer's length, or 0 if the request is malformed. */
size_t control_answer(const uint8_t *req, size_t len, uint8_t *ans, size_t ans_max);

#endif
