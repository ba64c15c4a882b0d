/*
 * A register-level W5500 for the PC: SPI frames in (address, control byte, data), common and
 * socket registers, the RX/TX rings with their wrap-around, MACRAW with its length header, and
 * the interrupt flags. Its wire is whatever wire_out points at (a TAP in the native board).
 */
#ifndef SYNACK_W5500_MODEL_H
#define SYNACK_W5500_MODEL_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t delivered, dropped_full, dropped_filter, dropped_link, sent;
} model_counters;
extern model_counters model_count;

/* Frames the chip puts on its wire. */
extern void (*model_wire_out)(const uint8_t *frame, size_t len);

void model_power_on(void);
/* One SPI transaction, as the chip sees it. */
void model_spi(const uint8_t *header, size_t hlen, const uint8_t *tx, uint8_t *rx, size_t len);
/* A frame arrives from the wire: into socket 0's RX ring if open, filtered, linked and fits. */
void model_wire_in(const uint8_t *frame, size_t len);
void model_set_link(int up);
/* The INTn line (active low on the chip): 1 while an enabled interrupt is pending. */
int model_interrupt(void);

/* Test hooks: what a real chip can do that SPI cannot ask for. */
void model_set_version(uint8_t v);

#endif
