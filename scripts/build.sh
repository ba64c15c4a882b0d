#!/usr/bin/env bash
# Build the module (build/synack.wasm), the host (build/host, build/test) and the TAP helper.
set -euo pipefail
cd "$(dirname "$0")/.."
# The module, made one way for the tests and the boards (prepare-esp32.sh runs the same script).
bash scripts/build-module.sh
rm -rf build/host build/test build/lab
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
gcc -O2 -Wall -Wextra -o build/synflood lab/synflood.c
# The bench's lwIP reference server, when Debian's liblwip-dev is installed (setup.sh installs it).
if pkg-config --exists lwip 2>/dev/null; then
  gcc -O2 -Wall -Wextra $(pkg-config --cflags lwip) -o build/lwipserve lab/lwip/lwipserve.c host/link/tapattach.c $(pkg-config --libs lwip) -lpthread
fi
if [ -x scripts/build-board.sh ]; then bash scripts/build-board.sh; fi
if [ -x scripts/build-xtensa.sh ]; then bash scripts/build-xtensa.sh; fi
