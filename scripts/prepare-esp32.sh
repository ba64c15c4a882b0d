#!/usr/bin/env bash
# Everything idf.py (or PlatformIO) needs from this checkout, on a fresh clone: npm packages (the
# AssemblyScript compiler), build/synack.wasm, and wasm3's source (sha256-pinned) in third_party/.
# The module comes from scripts/build-module.sh, as in `npm run build`: byte for byte the module the
# tests run (test/board/prepare.test.ts proves it on a fresh clone, and boots what it leaves).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then npm ci --no-audit --no-fund --loglevel=error; fi
bash scripts/setup-wasm3.sh
bash scripts/build-module.sh
echo "prepare-esp32: build/synack.wasm ($(wc -c <build/synack.wasm) bytes) and third_party/wasm3 ready; now: cd boards/esp32 && idf.py set-target esp32 build" >&2
