#!/usr/bin/env bash
# npm test, after setup and build: as-pect unit tests, then every node:test file (in-memory TCP
# scripts, host, board, and the TAP interop tests, which skip themselves when not root).
set -euo pipefail
cd "$(dirname "$0")/.."
npx asp --config as-pect.config.js
if [ "$(id -u)" != 0 ]; then echo "test: not root, the TAP tests will skip" >&2; fi
node --test --test-reporter=spec build/test/
