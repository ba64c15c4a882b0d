#!/usr/bin/env bash
# Everything idf.py (or PlatformIO) needs from this checkout, on a fresh clone: npm packages (the
# AssemblyScript compiler), build/synack.wasm, and wasm3's source (sha256-pinned) in third_party/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then npm ci --no-audit --no-fund --loglevel=error; fi
bash scripts/setup-wasm3.sh
mkdir -p build
npx asc assembly/index.ts --target release
if grep -qE 'memory\.init|data\.drop' build/synack.wat; then
  echo "prepare-esp32: build/synack.wasm uses memory.init/data.drop, which wasm3 0.5 cannot run" >&2; exit 1
fi
echo "prepare-esp32: build/synack.wasm ($(wc -c <build/synack.wasm) bytes) and third_party/wasm3 ready; now: cd boards/esp32 && idf.py set-target esp32 build" >&2
