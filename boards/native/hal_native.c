/* The HAL on Linux: SPI goes to the simulated W5500, time from CLOCK_MONOTONIC, randomness from getrandom;
 * the code store is store.c. */
#include "../common/hal.h"
#include "w5500_model.h"
#include <sys/random.h>
#include <time.h>

int hal_spi(const uint8_t *header, size_t hlen, const uint8_t *tx, uint8_t *rx, size_t len) {
  model_spi(header, hlen, tx, rx, len);
  return 0;
}

static uint64_t now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

uint32_t hal_millis(void) { return (uint32_t)(now_us() / 1000u); }
uint32_t hal_micros(void) { return (uint32_t)now_us(); }

void hal_delay_us(uint32_t us) {
  struct timespec t = { (time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L };
  nanosleep(&t, NULL);
}

uint32_t hal_random(void) {
  uint32_t v = 0;
  if (getrandom(&v, sizeof v, 0) != sizeof v) v = (uint32_t)time(0) * 2654435761u;
  return v;
}
