/*
 * The board's three calls. Everything in boards/common is built on these and nothing else, so a
 * new board is a new hal_*.c file.
 */
#ifndef SYNACK_HAL_H
#define SYNACK_HAL_H
#include <stddef.h>
#include <stdint.h>

/*
 * One SPI transaction with chip select held low throughout: send the hlen header bytes, then
 * either send len bytes from tx (tx != NULL) or read len bytes into rx (rx != NULL).
 */
void hal_spi(const uint8_t *header, size_t hlen, const uint8_t *tx, uint8_t *rx, size_t len);
/* Milliseconds since boot; wraps after 49.7 days like the module's clock. */
uint32_t hal_millis(void);
/* 32 bits from the best random source the board has. */
uint32_t hal_random(void);

#endif
