#!/usr/bin/env bash
# Build the module (build/synack.wasm), the host (build/host, build/test) and the TAP helper.
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
rm -rf build/host build/test
npx tsc -p tsconfig.json
gcc -O2 -Wall -Wextra -o build/tapio host/link/tapio.c host/link/tapattach.c
# The TAP inside Node's process (N-API), against the headers installed with Node; without them,
# TapLink falls back to the tapio relay.
NODE_INC="$(dirname "$(node -p process.execPath)")/../include/node"
rm -f build/tapaddon.node
if [ -f "$NODE_INC/node_api.h" ] && [ -f "$NODE_INC/uv.h" ]; then
  gcc -O2 -Wall -Wextra -shared -fPIC -I"$NODE_INC" -o build/tapaddon.node host/link/tapaddon.c host/link/tapattach.c -lpthread
else
  echo "build: no Node headers in $NODE_INC: the TAP goes through the tapio relay" >&2
fi
gcc -O2 -Wall -Wextra -o build/synflood host/lab/synflood.c
# The bench's lwIP reference server, when Debian's liblwip-dev is installed (setup.sh installs it).
if pkg-config --exists lwip 2>/dev/null; then
  gcc -O2 -Wall -Wextra $(pkg-config --cflags lwip) -o build/lwipserve host/lab/lwip/lwipserve.c host/link/tapattach.c $(pkg-config --libs lwip) -lpthread
fi
if [ -x scripts/build-board.sh ]; then bash scripts/build-board.sh; fi
if [ -x scripts/build-xtensa.sh ]; then bash scripts/build-xtensa.sh; fi
