#!/usr/bin/env bash
# Build the emulated Xtensa board: boards/common unchanged, wasm3 with the ESP32's limits, the
# simulated W5500 and build/synack.wasm, for QEMU's "sim" machine.
#   build-xtensa.sh            build/synack-xtensa.elf: the lx106 core, call0 ABI (Debian's picolibc)
#   build-xtensa.sh windowed   build/synack-xtensa-windowed.elf: the windowed ABI the ESP32's LX6 runs,
#                              for QEMU's de212 (an LX6; scripts/setup-xtensa-core.sh gives Debian's
#                              binutils its ISA), with the flags ESP-IDF compiles the board with, and
#                              the board's own small C library (boards/xtensa/libc: picolibc is call0)
# Needs gcc-xtensa-lx106, binutils-xtensa-lx106, picolibc-xtensa-lx106-elf (headers) and
# gcc-12-source (scripts/setup.sh installs them); skips with a message when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ABI=${1:-call0}
CC=xtensa-lx106-elf-gcc
GCC_SRC=$(ls /usr/src/gcc-12/gcc-12*.tar.xz 2>/dev/null | head -1 || true)
SPECS=/usr/lib/xtensa-lx106-elf/picolibc.specs
if ! command -v $CC >/dev/null || [ ! -f "$SPECS" ] || [ -z "$GCC_SRC" ]; then
  echo "build-xtensa: skipped (needs gcc-xtensa-lx106, picolibc-xtensa-lx106-elf, gcc-12-source: run scripts/setup.sh as root)" >&2
  exit 0
fi
W3=third_party/wasm3/source
ESP32_LIMITS="-Dd_m3MaxFunctionStackHeight=128 -Dd_m3CodePageAlignSize=1024 -Dd_m3MaxConstantTableSize=64 -Dd_m3HasFloat=0 -Dd_m3MaxDuplicateFunctionImpl=1 -Dd_m3VerboseErrorMessages=0"
COMMON="-ffunction-sections -fdata-sections -g"
BOARD_SRCS="boards/xtensa/wasm.S boards/xtensa/main.c boards/xtensa/hal_xtensa.c boards/xtensa/channel.c
  boards/xtensa/heap.c boards/xtensa/store.c boards/xtensa/memmove.c boards/common/firmware.c boards/common/prepared.c boards/common/w5500.c
  boards/common/checksum.c boards/common/synack.c boards/common/control.c boards/common/flags.c boards/native/w5500_model.c"
if [ "$ABI" = windowed ]; then
  PLUGIN=$(bash scripts/setup-xtensa-core.sh) || { echo "build-xtensa: windowed board skipped (no core configuration)" >&2; exit 0; }
  export XTENSA_GNU_CONFIG=$PWD/$PLUGIN
  CORE_INC=$(dirname "$PLUGIN")/de212
  OUT=build/xtensa-windowed ELF=build/synack-xtensa-windowed.elf
  # ESP-IDF's: -mlongcalls, -O2 (CONFIG_COMPILER_OPTIMIZATION_PERF), no builtin memcpy/memset;
  # wasm3's component adds -O3 -fno-strict-aliasing and its fixed-size copies inline again
  # (boards/esp32/components/wasm3/CMakeLists.txt, boards/common/wasm3_copies.h).
  CC="$CC -mabi=windowed -mlongcalls"
  # picolibc's headers only (its library is call0 code)
  COMMON="-isystem /usr/lib/xtensa-lx106-elf/include $COMMON -fno-builtin-memcpy -fno-builtin-memset"
  W3OPT="-O3 -fno-strict-aliasing -include boards/common/wasm3_copies.h"
  START=boards/xtensa/start_windowed.S
  LIB_SRCS="boards/xtensa/divmoddi4.c boards/xtensa/libgcc_extra.c"
  LIBC="$OUT/libc.a"
  LIB1_CONFIG=$CORE_INC
else
  OUT=build/xtensa ELF=build/synack-xtensa.elf
  COMMON="-specs=$SPECS -DPICOLIBC_INTEGER_PRINTF_SCANF $COMMON"
  W3OPT="-O3"
  START=boards/xtensa/start.S
  LIB_SRCS="boards/xtensa/libgcc_extra.c"
  LIBC="-lgcc -lc"
  LIB1_CONFIG=$($CC -print-file-name=plugin)/include
fi
mkdir -p $OUT/wasm3 $OUT/lib1

# GCC's own 32-bit division, multiplication and soft-float routines (Debian's lx106 libgcc.a lacks
# them, and is call0 code), assembled from libgcc/config/xtensa/lib1funcs.S and lib2funcs.S (the
# windowed ABI's register-file spill) for the core's configuration.
if [ ! -f $OUT/lib1funcs.a ] || [ scripts/build-xtensa.sh -nt $OUT/lib1funcs.a ]; then
  rm -rf $OUT/gcc-src $OUT/lib1/*.o
  mkdir -p $OUT/gcc-src
  tar -xJf "$GCC_SRC" -C $OUT/gcc-src --strip-components=1 --wildcards '*/libgcc/config/xtensa/*.S'
  L1=$OUT/gcc-src/libgcc/config/xtensa
  for f in _mulsi3 _divsi3 _modsi3 _udivsi3 _umodsi3 _umulsidi3 _clz _clzsi2 _ctzsi2 _ffssi2 _ashldi3 \
           _ashrdi3 _lshrdi3 _bswapsi2 _bswapdi2 _negsf2 _addsubsf3 _mulsf3 _divsf3 _cmpsf2 _fixsfsi \
           _fixsfdi _fixunssfsi _fixunssfdi _floatsisf _floatunsisf _sqrtf _recipsf2 _rsqrtsf2 _floatdisf \
           _floatundisf _negdf2 _addsubdf3 _muldf3 _divdf3 _cmpdf2 _fixdfsi _fixdfdi _fixunsdfsi _fixunsdfdi \
           _floatsidf _floatunsidf _floatdidf _floatundidf _truncdfsf2 _extendsfdf2 _sqrt _recipdf2 _rsqrtdf2; do
    $CC -c -DL$f -I"$LIB1_CONFIG" -I$L1 $L1/lib1funcs.S -o $OUT/lib1/$f.o
  done
  if [ "$ABI" = windowed ]; then $CC -c -I"$LIB1_CONFIG" -I$L1 $L1/lib2funcs.S -o $OUT/lib1/lib2funcs.o; fi
  rm -f $OUT/lib1funcs.a
  xtensa-lx106-elf-ar rcs $OUT/lib1funcs.a $OUT/lib1/*.o
fi

# The windowed build's C library (boards/xtensa/libc): loops stay loops (not calls to themselves).
if [ "$ABI" = windowed ]; then
  rm -rf $OUT/libc $OUT/libc.a && mkdir -p $OUT/libc
  for c in boards/xtensa/libc/*.c; do
    $CC $COMMON -O2 -fno-strict-aliasing -fno-tree-loop-distribute-patterns -Wall -Wextra -c "$c" -o "$OUT/libc/$(basename "$c" .c).o"
  done
  xtensa-lx106-elf-ar rcs $OUT/libc.a $OUT/libc/*.o
fi

# wasm3 once, as a static library (its own warnings are not ours). XTENSA_W3_FLAGS adds wasm3
# settings to try (e.g. -Dd_m3CodePageAlignSize=512); rebuilt when they change.
W3FLAGS="$W3OPT $ESP32_LIMITS ${XTENSA_W3_FLAGS:-}"
if [ ! -f $OUT/libm3.a ] || [ scripts/build-xtensa.sh -nt $OUT/libm3.a ] || [ "$(cat $OUT/libm3.flags 2>/dev/null)" != "$W3FLAGS" ]; then
  rm -f $OUT/wasm3/*.o $OUT/libm3.a
  for c in "$W3"/*.c; do $CC $COMMON $W3FLAGS -w -I"$W3" -c "$c" -o "$OUT/wasm3/$(basename "$c" .c).o"; done
  xtensa-lx106-elf-ar rcs $OUT/libm3.a $OUT/wasm3/*.o
  echo "$W3FLAGS" > $OUT/libm3.flags
fi

WRAP="-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free"
WRAP="$WRAP,--wrap=m3_NewEnvironment,--wrap=m3_NewRuntime,--wrap=m3_ParseModule,--wrap=m3_LoadModule"
WRAP="$WRAP,--wrap=Module_AddFunction,--wrap=NewCodePage,--wrap=prepared_install"
NOSTD=""; [ "$ABI" = windowed ] && NOSTD="-nostdlib"
# shellcheck disable=SC2086
$CC $COMMON -O2 -std=gnu99 -Wall -Wextra -Wno-unused-parameter $ESP32_LIMITS ${XTENSA_W3_FLAGS:-} -I"$W3" -Wa,-I,build \
  -nostartfiles $NOSTD -T boards/xtensa/xtensa.ld $WRAP -o $ELF $START $BOARD_SRCS $LIB_SRCS \
  -Wl,--start-group $OUT/libm3.a $OUT/lib1funcs.a $LIBC -Wl,--end-group
