#!/usr/bin/env bash
# The one way build/synack.wasm is made: `npm run build` (scripts/build.sh) and the board owner's
# preparation (scripts/prepare-esp32.sh) both run this, so the module a board embeds is byte for
# byte the module the tests run. Needs node_modules (the AssemblyScript compiler).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
# scripts/ascii-transform.mjs stores ASCII literals as bytes (util/text.ts ascii, Text#str).
npx asc assembly/index.ts --target release --transform ./scripts/ascii-transform.mjs
# wasm3 0.5 lacks memory.init/data.drop: refuse a module that uses them.
if grep -qE 'memory\.init|data\.drop' build/synack.wat; then
  echo "build/synack.wasm uses memory.init/data.drop, which wasm3 0.5 cannot run" >&2; exit 1
fi
# The boards build wasm3 without floating point (d_m3HasFloat=0: half the C stack): refuse floats.
if grep -qE '\b(f32|f64)\.' build/synack.wat; then
  echo "build/synack.wasm uses floating point, which the boards' wasm3 is built without" >&2; exit 1
fi
# The boards keep one name per function (wasm3's d_m3MaxDuplicateFunctionImpl=1): refuse two exports
# that binaryen merged into one function, as the second name could not be found there.
dup=$(grep -oE '^ \(export "[^"]+" \(func [^)]+\)' build/synack.wat | awk '{print $4}' | sort | uniq -d)
if [ -n "$dup" ]; then
  echo "build/synack.wasm exports one function under two names ($dup), which the boards' wasm3 cannot find" >&2; exit 1
fi
# One data segment instead of one per static string: wasm3 keeps a record of each in the board's RAM.
node scripts/pack-data.mjs build/synack.wasm
