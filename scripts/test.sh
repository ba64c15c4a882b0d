#!/usr/bin/env bash
# npm test, after setup and build: as-pect unit tests, then every node:test file (in-memory TCP
# scripts, host, board, and the TAP interop tests, which skip themselves when not root).
set -euo pipefail
cd "$(dirname "$0")/.."
# An absolute --as-config: asc resolves the transform it names against the config's directory.
npx asp --config as-pect.config.js --as-config "$PWD/as-pect.asconfig.json"
if [ "$(id -u)" != 0 ]; then echo "test: not root, the TAP tests will skip" >&2; fi
# The windowed build for the LX6 core (its core configuration is fetched from Debian's qemu source
# package on first use, then cached): built here, not in npm run build, to keep npm start quick.
bash scripts/build-xtensa.sh windowed
node --test --test-reporter=spec build/test/
