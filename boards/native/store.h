/* The native board's code store (hal.h's hal_store): memory of this process, or a file kept across runs. */
#ifndef SYNACK_NATIVE_STORE_H
#define SYNACK_NATIVE_STORE_H
#include <stddef.h>
#include <stdint.h>

/* The store's size unless --store-bytes says otherwise. */
#define STORE_DEFAULT_BYTES (4u << 20)

/*
 * Map the store: BYTES of blank memory, or (PATH set) the file PATH, created or extended to BYTES,
 * so a later run of this same firmware finds what this one wrote. 0, or -1 with a one-line reason
 * in ERR.
 */
int store_open(const char *path, uint32_t bytes, char *err, size_t errlen);

#endif
