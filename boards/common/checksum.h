#ifndef SYNACK_CHECKSUM_H
#define SYNACK_CHECKSUM_H
#include <stddef.h>
#include <stdint.h>
/* RFC 1071 sum of len bytes: folded to 16 bits, network order, not complemented. */
uint32_t internet_sum(const uint8_t *p, size_t len);
#endif
