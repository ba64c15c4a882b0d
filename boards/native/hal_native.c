/* The HAL on Linux: SPI goes to the simulated W5500, time from CLOCK_MONOTONIC, randomness from getrandom. */
#include "../common/hal.h"
#include "w5500_model.h"
#include <string.h>
#include <sys/mman.h>
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

/*
 * The code store: 4 MiB of the process's memory standing in for flash. It is read-only except
 * while the firmware erases or programs it, so code that wrote into its own store (as wasm3's
 * op_Compile rewrites the call it sits in) would fault here as it would on the chip.
 */
#define STORE_BYTES (4u << 20)
static uint8_t *store;

const uint8_t *hal_store(uint32_t *size) {
  if (!store) {
    void *p = mmap(NULL, STORE_BYTES, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { *size = 0; return NULL; }
    store = p;
  }
  *size = STORE_BYTES;
  return store;
}

static int writable(int on) { return mprotect(store, STORE_BYTES, on ? PROT_READ | PROT_WRITE : PROT_READ); }

int hal_store_erase(uint32_t n) {
  if (!store || n > STORE_BYTES || writable(1)) return -1;
  memset(store, 0xff, n);
  return writable(0);
}

int hal_store_write(uint32_t off, const void *data, uint32_t n) {
  if (!store || off > STORE_BYTES || n > STORE_BYTES - off || writable(1)) return -1;
  memcpy(store + off, data, n);
  return writable(0);
}

/* The store starts erased with every process, so it never outlives the firmware that wrote it. */
uint32_t hal_firmware_id(void) { return 0; }
