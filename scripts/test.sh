#!/usr/bin/env bash
# npm test, after setup and build: as-pect unit tests, then every node:test file (in-memory TCP
# scripts, host, board, and the TAP interop tests, which skip themselves when not root).
set -euo pipefail
cd "$(dirname "$0")/.."
# An absolute --as-config: asc resolves the transform it names against the config's directory.
npx asp --config as-pect.config.js --as-config "$PWD/as-pect.asconfig.json"
if [ "$(id -u)" != 0 ]; then echo "test: not root, the TAP tests will skip" >&2; fi
node --test --test-reporter=spec build/test/
