/* The module's optional env.checksum import in C: what the interpreter would spend most on. */
#include "checksum.h"
#include <string.h>

uint32_t internet_sum(const uint8_t *p, size_t len) {
  uint64_t acc = 0;
  size_t i = 0;
  for (; i + 4 <= len; i += 4) { /* big-endian 16-bit words, two at a time */
    acc += (uint32_t)(p[i] << 8 | p[i + 1]) + (uint32_t)(p[i + 2] << 8 | p[i + 3]);
  }
  for (; i + 2 <= len; i += 2) acc += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (i < len) acc += (uint32_t)p[i] << 8;
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return (uint32_t)acc;
}
