#!/usr/bin/env bash
# Build the emulated Xtensa board (build/synack-xtensa.elf): boards/common unchanged, wasm3 with the
# ESP32's limits, the simulated W5500 and build/synack.wasm, for the lx106 core of QEMU's "sim"
# machine. Needs gcc-xtensa-lx106, binutils-xtensa-lx106, picolibc-xtensa-lx106-elf and
# gcc-12-source (scripts/setup.sh installs them); skips with a message when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
CC=xtensa-lx106-elf-gcc
GCC_SRC=$(ls /usr/src/gcc-12/gcc-12*.tar.xz 2>/dev/null | head -1 || true)
SPECS=/usr/lib/xtensa-lx106-elf/picolibc.specs
if ! command -v $CC >/dev/null || [ ! -f "$SPECS" ] || [ -z "$GCC_SRC" ]; then
  echo "build-xtensa: skipped (needs gcc-xtensa-lx106, picolibc-xtensa-lx106-elf, gcc-12-source: run scripts/setup.sh as root)" >&2
  exit 0
fi
W3=third_party/wasm3/source
OUT=build/xtensa
mkdir -p $OUT/wasm3 $OUT/lib1
ESP32_LIMITS="-Dd_m3MaxFunctionStackHeight=128 -Dd_m3CodePageAlignSize=1024 -Dd_m3MaxConstantTableSize=64 -Dd_m3HasFloat=0 -Dd_m3MaxDuplicateFunctionImpl=1 -Dd_m3VerboseErrorMessages=0"
COMMON="-specs=$SPECS -DPICOLIBC_INTEGER_PRINTF_SCANF -ffunction-sections -fdata-sections -g"

# GCC's own 32-bit division, multiplication and soft-float routines (Debian's lx106 libgcc.a lacks
# them), assembled from libgcc/config/xtensa/lib1funcs.S for the compiler's core configuration.
if [ ! -f $OUT/lib1funcs.a ] || [ scripts/build-xtensa.sh -nt $OUT/lib1funcs.a ]; then
  rm -rf $OUT/gcc-src $OUT/lib1/*.o
  mkdir -p $OUT/gcc-src
  tar -xJf "$GCC_SRC" -C $OUT/gcc-src --strip-components=1 --wildcards '*/libgcc/config/xtensa/*.S'
  L1=$OUT/gcc-src/libgcc/config/xtensa
  GCCINC=$($CC -print-file-name=plugin)/include
  for f in _mulsi3 _divsi3 _modsi3 _udivsi3 _umodsi3 _umulsidi3 _clz _clzsi2 _ctzsi2 _ffssi2 _ashldi3 \
           _ashrdi3 _lshrdi3 _bswapsi2 _bswapdi2 _negsf2 _addsubsf3 _mulsf3 _divsf3 _cmpsf2 _fixsfsi \
           _fixsfdi _fixunssfsi _fixunssfdi _floatsisf _floatunsisf _sqrtf _recipsf2 _rsqrtsf2 _floatdisf \
           _floatundisf _negdf2 _addsubdf3 _muldf3 _divdf3 _cmpdf2 _fixdfsi _fixdfdi _fixunsdfsi _fixunsdfdi \
           _floatsidf _floatunsidf _floatdidf _floatundidf _truncdfsf2 _extendsfdf2 _sqrt _recipdf2 _rsqrtdf2; do
    $CC -c -DL$f -I"$GCCINC" -I$L1 $L1/lib1funcs.S -o $OUT/lib1/$f.o
  done
  rm -f $OUT/lib1funcs.a
  xtensa-lx106-elf-ar rcs $OUT/lib1funcs.a $OUT/lib1/*.o
fi

# wasm3 once, as a static library, with -O3 like the ESP32 component (its own warnings are not ours).
# XTENSA_W3_FLAGS adds wasm3 settings to try (e.g. -Dd_m3CodePageAlignSize=512); rebuilt when they change.
W3FLAGS="-O3 $ESP32_LIMITS ${XTENSA_W3_FLAGS:-}"
if [ ! -f $OUT/libm3.a ] || [ scripts/build-xtensa.sh -nt $OUT/libm3.a ] || [ "$(cat $OUT/libm3.flags 2>/dev/null)" != "$W3FLAGS" ]; then
  rm -f $OUT/wasm3/*.o $OUT/libm3.a
  for c in "$W3"/*.c; do $CC $COMMON $W3FLAGS -w -I"$W3" -c "$c" -o "$OUT/wasm3/$(basename "$c" .c).o"; done
  xtensa-lx106-elf-ar rcs $OUT/libm3.a $OUT/wasm3/*.o
  echo "$W3FLAGS" > $OUT/libm3.flags
fi

WRAP="-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free"
WRAP="$WRAP,--wrap=m3_NewEnvironment,--wrap=m3_NewRuntime,--wrap=m3_ParseModule,--wrap=m3_LoadModule"
WRAP="$WRAP,--wrap=Module_AddFunction,--wrap=NewCodePage"
$CC $COMMON -O2 -std=gnu99 -Wall -Wextra -Wno-unused-parameter $ESP32_LIMITS ${XTENSA_W3_FLAGS:-} -I"$W3" -Wa,-I,build \
  -nostartfiles -T boards/xtensa/xtensa.ld $WRAP -o build/synack-xtensa.elf \
  boards/xtensa/start.S boards/xtensa/wasm.S boards/xtensa/main.c boards/xtensa/hal_xtensa.c \
  boards/xtensa/channel.c boards/xtensa/heap.c boards/xtensa/libgcc_extra.c boards/xtensa/memmove.c \
  boards/common/firmware.c boards/common/w5500.c boards/common/checksum.c boards/common/synack.c \
  boards/native/w5500_model.c \
  -Wl,--start-group $OUT/libm3.a $OUT/lib1funcs.a -lgcc -lc -Wl,--end-group
