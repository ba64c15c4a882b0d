#!/usr/bin/env bash
# Build the native board (build/synack-native) and the W5500 unit tests (build/w5500-test) with
# the ESP32's wasm3 limits, so a module that would not fit the board fails here first.
set -euo pipefail
cd "$(dirname "$0")/.."
W3=third_party/wasm3/source
if [ ! -f "$W3/wasm3.h" ]; then bash scripts/setup-wasm3.sh; fi
ESP32_LIMITS="-Dd_m3MaxFunctionStackHeight=128 -Dd_m3CodePageAlignSize=1024 -Dd_m3MaxConstantTableSize=64 -Dd_m3HasFloat=0 -Dd_m3MaxDuplicateFunctionImpl=1 -Dd_m3VerboseErrorMessages=0"
CFLAGS="-std=gnu99 -O2 -g -Wall -Wextra -Wno-unused-parameter"
mkdir -p build/wasm3
# wasm3 once, as a static library (its own warnings are not ours).
if [ ! -f build/wasm3/libm3.a ] || [ scripts/build-board.sh -nt build/wasm3/libm3.a ]; then
  rm -f build/wasm3/*.o
  for c in "$W3"/*.c; do gcc -std=gnu99 -O2 -g -w $ESP32_LIMITS -I"$W3" -c "$c" -o "build/wasm3/$(basename "$c" .c).o"; done
  ar rcs build/wasm3/libm3.a build/wasm3/*.o
fi
gcc $CFLAGS $ESP32_LIMITS -I"$W3" -o build/synack-native \
  boards/native/main.c boards/native/fifos.c boards/common/control.c boards/common/flags.c boards/native/hal_native.c boards/native/store.c boards/native/w5500_model.c host/link/tapattach.c \
  boards/common/firmware.c boards/common/prepared.c boards/common/w5500.c boards/common/checksum.c \
  boards/common/synack.c boards/common/example_service.c build/wasm3/libm3.a -lm
gcc $CFLAGS -o build/w5500-test test/board/w5500_test.c boards/native/w5500_model.c boards/common/w5500.c boards/common/checksum.c
