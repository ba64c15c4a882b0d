/*
 * The HAL on the emulated lx106: SPI into the simulated W5500 (its cost counted apart by CCOUNT),
 * milliseconds from the host's clock carried on by CCOUNT, and a seeded xorshift for randomness (the
 * host picks the seed: a fixed one makes a scripted run repeat exactly).
 *
 * Microseconds (the driver's waits, the chip's timing) are the board's time as a real ESP32 would
 * spend it: each firmware instruction at 240 MHz (one per cycle), each SPI transaction at 20 MHz
 * plus 1 us of overhead, delays as asked, and whatever time the host's clock moves on between
 * messages. The emulated core itself runs far faster than that (CCOUNT counts 40 MHz for one
 * instruction per ns), so without this the driver would poll the chip forty times too often.
 */
#include "../common/hal.h"
#include "../native/w5500_model.h"
#include "board.h"
#include "semi.h"

#define CPU_MHZ 240u
#define SPI_NS_PER_BYTE 400u     /* 20 MHz */
#define SPI_NS_PER_TRANSACTION 1000u

uint64_t model_ticks;
static uint32_t anchor_ms, anchor_cc, last_ms;
static uint32_t rng = 0x9e3779b9u;
static uint64_t board_ns;              /* the board's own time (microseconds, above) */
static uint32_t ns_cc;                 /* CCOUNT when board_ns last took in the CPU's time */
static uint64_t ns_model;              /* model_ticks then */
static int in_model;                   /* inside a transaction the chip's clock stands still */

/* The firmware's instructions since the last look, at CPU_MHZ (the simulated chip's are not the CPU's). */
static void catch_up(void) {
  if (in_model) return;
  uint32_t c = ccount();
  uint64_t ticks = (uint64_t)(c - ns_cc) - (model_ticks - ns_model);
  board_ns += ticks * INSNS_PER_TICK * 1000u / CPU_MHZ;
  ns_cc = c;
  ns_model = model_ticks;
}

int hal_spi(const uint8_t *header, size_t hlen, const uint8_t *tx, uint8_t *rx, size_t len) {
  catch_up();
  uint32_t c = ccount();
  in_model = 1;
  model_spi(header, hlen, tx, rx, len);
  in_model = 0;
  model_ticks += ccount() - c;
  board_ns += SPI_NS_PER_TRANSACTION + (uint64_t)(hlen + len) * SPI_NS_PER_BYTE;
  return 0;
}

uint32_t hal_micros(void) {
  catch_up();
  return (uint32_t)(board_ns / 1000u);
}

void hal_delay_us(uint32_t us) {
  catch_up();
  board_ns += (uint64_t)us * 1000u;
}

void board_set_time(uint32_t ms) {
  uint32_t now = hal_millis();
  if ((int32_t)(ms - now) > 0) {
    board_ns += (uint64_t)(ms - now) * 1000000u; /* the board waited that long for the host */
    anchor_ms = ms;
  } else {
    anchor_ms = now;
  }
  anchor_cc = ccount();
}

uint32_t hal_millis(void) {
  uint32_t t = anchor_ms + (ccount() - anchor_cc) / CCOUNT_PER_MS;
  if ((int32_t)(t - last_ms) < 0) t = last_ms;
  last_ms = t;
  return t;
}

void board_seed(uint32_t seed) { rng = seed ? seed : 0x9e3779b9u; }

uint32_t hal_random(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}
