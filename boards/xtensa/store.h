/*
 * The code store's figures on the emulated board (boards/common/prepared.c): how much of the store
 * the module's code takes, the functions run from it, whether it was prepared at this start, the
 * heap the preparation borrowed and the instructions it took (CCOUNT around prepared_install, which
 * the link wraps: ld --wrap=prepared_install in scripts/build-xtensa.sh).
 */
#ifndef SYNACK_XTENSA_STORE_H
#define SYNACK_XTENSA_STORE_H
#include <stddef.h>

/* Append the store's fields (",\"store_size\":...") to a JSON object being written; the bytes written. */
int store_report(char *json, size_t room);

#endif
