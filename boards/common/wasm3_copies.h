/*
 * Force-included into wasm3's sources (-include) on the ESP32 and its windowed emulated build.
 * ESP-IDF compiles with -fno-builtin-memcpy -fno-builtin-memset, which makes every fixed-size copy
 * in wasm3 (a 4- or 8-byte value moved between stack slots, a slot cleared) a call; on the
 * windowed ABI each call is a new register window. GCC's builtins make them loads and stores again
 * (aligned as the types say); copies of a size known only at run time still call memcpy.
 */
#include <string.h>
#define memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define memset(d, c, n) __builtin_memset((d), (c), (n))
