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

/*
 * The code store: flash the firmware keeps the module's compiled code in, read in place through
 * the address hal_store gives (prepared.c). NULL (size 0) when the board has none: code is then
 * compiled into the heap as it runs.
 */
const uint8_t *hal_store(uint32_t *size);
/* Erase the store's first n bytes (rounded up to the flash's erase unit): 0, or -1. */
int hal_store_erase(uint32_t n);
/* Program n bytes at offset off of the erased store, each byte once: 0, or -1. */
int hal_store_write(uint32_t off, const void *data, uint32_t n);
/* A number that changes whenever the firmware is built anew (compiled code holds its addresses). */
uint32_t hal_firmware_id(void);

#endif
