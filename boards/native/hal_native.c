/* The HAL on Linux: SPI goes to the simulated W5500, time from CLOCK_MONOTONIC, randomness from getrandom. */
#include "../common/hal.h"
#include "w5500_model.h"
#include <sys/random.h>
#include <time.h>

void hal_spi(const uint8_t *header, size_t hlen, const uint8_t *tx, uint8_t *rx, size_t len) {
  model_spi(header, hlen, tx, rx, len);
}

uint32_t hal_millis(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint32_t)((uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u);
}

uint32_t hal_random(void) {
  uint32_t v = 0;
  if (getrandom(&v, sizeof v, 0) != sizeof v) v = (uint32_t)time(0) * 2654435761u;
  return v;
}
