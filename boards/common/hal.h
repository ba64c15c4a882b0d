/*
 * The board's calls. Everything in boards/common is built on these and nothing else, so a new
 * board is a new hal_*.c file.
 */
#ifndef SYNACK_HAL_H
#define SYNACK_HAL_H
#include <stddef.h>
#include <stdint.h>

/*
 * One SPI transaction with chip select held low throughout: send the hlen header bytes, then
 * either send len bytes from tx (tx != NULL) or read len bytes into rx (rx != NULL).
 * 0, or -1 when the bus failed (rx is then zero-filled).
 */
int hal_spi(const uint8_t *header, size_t hlen, const uint8_t *tx, uint8_t *rx, size_t len);
/* Milliseconds since boot; wraps after 49.7 days like the module's clock. */
uint32_t hal_millis(void);
/* Microseconds since boot; wraps after 71.6 minutes (compare differences, never values). */
uint32_t hal_micros(void);
/* Wait at least us microseconds (the driver's polls of the chip; may yield to other tasks). */
void hal_delay_us(uint32_t us);
/* 32 bits from the best random source the board has. */
uint32_t hal_random(void);

#endif
