/*
 * The native board's code store (hal.h): BYTES of the process's memory standing in for flash,
 * read-only except while the firmware erases or programs it, so code that wrote into its own store
 * (as wasm3's op_Compile rewrites the call it sits in) would fault here as it would on the chip.
 *
 * Blank at every start, or with --store FILE the file itself (a shared mapping): what one run wrote
 * is there for the next. prepared.c installs it only if the addresses its code holds are the same,
 * which on Linux takes the same binary at the same place and the same heap: a run without address
 * randomization (setarch -R). The firmware id names the binary (its bytes) and where it is loaded.
 */
#include "store.h"
#include "../common/hal.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint8_t *store;
static uint32_t size, firmware;

/* FNV-1a of the running executable's bytes, and of the address it was loaded at. */
static uint32_t executable_id(void) {
  uint32_t h = 2166136261u;
  uint8_t buf[65536];
  int fd = open("/proc/self/exe", O_RDONLY);
  for (ssize_t n; fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0;)
    for (ssize_t i = 0; i < n; i++) h = (h ^ buf[i]) * 16777619u;
  if (fd >= 0) close(fd);
  uintptr_t at = (uintptr_t)executable_id;
  for (size_t i = 0; i < sizeof at; i++) h = (h ^ (uint8_t)(at >> (8 * i))) * 16777619u;
  return h;
}

int store_open(const char *path, uint32_t bytes, char *err, size_t errlen) {
  int fd = -1;
  struct stat st;
  if (path && ((fd = open(path, O_RDWR | O_CREAT, 0644)) < 0 || fstat(fd, &st) != 0 ||
               (st.st_size < (off_t)bytes && ftruncate(fd, bytes) != 0))) {
    snprintf(err, errlen, "--store %s: %s", path, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  void *p = mmap(NULL, bytes, PROT_READ, path ? MAP_SHARED : MAP_PRIVATE | MAP_ANONYMOUS, fd, 0);
  if (fd >= 0) close(fd); /* the mapping keeps the file */
  if (p == MAP_FAILED) { snprintf(err, errlen, "the code store (%u bytes): %s", (unsigned)bytes, strerror(errno)); return -1; }
  store = p;
  size = bytes;
  firmware = path ? executable_id() : 0; /* a blank store never outlives the firmware that wrote it */
  return 0;
}

const uint8_t *hal_store(uint32_t *n) {
  *n = store ? size : 0;
  return store;
}

static int writable(int on) { return mprotect(store, size, on ? PROT_READ | PROT_WRITE : PROT_READ); }

int hal_store_erase(uint32_t n) {
  if (!store || n > size || writable(1)) return -1;
  memset(store, 0xff, n);
  return writable(0);
}

int hal_store_write(uint32_t off, const void *data, uint32_t n) {
  if (!store || off > size || n > size - off || writable(1)) return -1;
  memcpy(store + off, data, n);
  return writable(0);
}

uint32_t hal_firmware_id(void) { return firmware; }
