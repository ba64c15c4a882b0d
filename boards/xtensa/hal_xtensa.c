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
#include <string.h>
#include "../native/w5500_model.h"
#include "board.h"
#include "semi.h"

#define CPU_MHZ 240u
#define SPI_CYCLES_PER_BYTE 96u          /* 400 ns at 20 MHz, in CPU cycles */
#define SPI_CYCLES_PER_TRANSACTION 240u  /* 1 us */

/*
 * The board's time is kept in whole microseconds plus CPU cycles (1/240 us) not yet a whole
 * one: adding to it takes a multiply and a compare, never a division (this is the firmware's
 * own clock keeping, so what it costs is counted in every step).
 */
uint64_t model_ticks;
static uint32_t anchor_ms, anchor_cc, last_ms;
static uint32_t rng = 0x9e3779b9u;
static uint32_t board_us;              /* the board's own time (microseconds, above) */
static uint32_t board_cycles;          /* and the cycles past it, < CPU_MHZ after each add */
static uint32_t ns_cc;                 /* CCOUNT when the board's time last took in the CPU's */
static uint64_t ns_model;              /* model_ticks then */
static int in_model;                   /* inside a transaction the chip's clock stands still */

static void add_cycles(uint32_t c) {
  uint32_t sum = board_cycles + c;
  if (sum < CPU_MHZ) { board_cycles = sum; return; }
  /* 273/65536 is just under 1/240: below 2^23 the product fits and q comes out at most 9 short */
  uint32_t q = sum < (1u << 23) ? (sum * 273u) >> 16 : sum / CPU_MHZ;
  uint32_t rest = sum - q * CPU_MHZ;
  while (rest >= CPU_MHZ) { q++; rest -= CPU_MHZ; }
  board_us += q;
  board_cycles = rest;
}

/* The firmware's instructions since the last look, one per cycle (the simulated chip's are not the CPU's). */
static void catch_up(void) {
  if (in_model) return;
  uint32_t c = ccount();
  uint32_t ticks = (c - ns_cc) - (uint32_t)(model_ticks - ns_model);
  ns_cc = c;
  ns_model = model_ticks;
  if (ticks >= (1u << 27)) board_us += (uint32_t)((uint64_t)ticks * INSNS_PER_TICK / CPU_MHZ); /* seconds idle */
  else add_cycles(ticks * INSNS_PER_TICK);
}

int hal_spi(const uint8_t *header, size_t hlen, const uint8_t *tx, uint8_t *rx, size_t len) {
  catch_up();
  uint32_t c = ccount();
  in_model = 1;
  model_spi(header, hlen, tx, rx, len);
  in_model = 0;
  model_ticks += ccount() - c;
  add_cycles(SPI_CYCLES_PER_TRANSACTION + (uint32_t)(hlen + len) * SPI_CYCLES_PER_BYTE);
  return 0;
}

uint32_t hal_micros(void) {
  catch_up();
  return board_us;
}

void hal_delay_us(uint32_t us) {
  catch_up();
  board_us += us;
}

void board_set_time(uint32_t ms) {
  uint32_t now = hal_millis();
  if ((int32_t)(ms - now) > 0) {
    board_us += (ms - now) * 1000u; /* the board waited that long for the host */
    anchor_ms = ms;
  } else {
    anchor_ms = now;
  }
  anchor_cc = ccount();
}

/* The host's ms run on by CCOUNT; the anchor moves by whole ms, so most calls divide nothing. */
uint32_t hal_millis(void) {
  uint32_t d = ccount() - anchor_cc;
  if (d >= CCOUNT_PER_MS) {
    uint32_t q = d / CCOUNT_PER_MS;
    anchor_ms += q;
    anchor_cc += q * CCOUNT_PER_MS;
  }
  uint32_t t = anchor_ms;
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

/*
 * The code store: the last 1 MiB of the flash (xtensa.ld's .store, not in the ELF, so every boot
 * finds it blank). Only these two calls write it, as a flash driver would program the chip.
 */
extern uint8_t __store_start[], __store_end[];

const uint8_t *hal_store(uint32_t *size) {
  *size = (uint32_t)(__store_end - __store_start);
  return __store_start;
}

int hal_store_erase(uint32_t n) {
  if (n > (uint32_t)(__store_end - __store_start)) return -1;
  memset(__store_start, 0xff, n);
  return 0;
}

int hal_store_write(uint32_t off, const void *data, uint32_t n) {
  uint32_t size = (uint32_t)(__store_end - __store_start);
  if (off > size || n > size - off) return -1;
  memcpy(__store_start + off, data, n);
  return 0;
}

uint32_t hal_firmware_id(void) { return 0; }
