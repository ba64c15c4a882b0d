#!/usr/bin/env bash
# Install what synack needs on a fresh Debian machine: Debian packages (as root) and npm packages.
# Idempotent and quick when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."
PKGS="netcat-openbsd iproute2 iputils-ping tcpdump dnsmasq liblwip-dev gcc make python3-pip valgrind curl nftables pkg-config"
# The emulated Xtensa board (scripts/build-xtensa.sh): cross compiler, C library, QEMU, GCC's lib1funcs.S.
PKGS="$PKGS gcc-xtensa-lx106 binutils-xtensa-lx106 picolibc-xtensa-lx106-elf qemu-system-misc gcc-12-source"
# Headless Chromium for test/interop/browser.test.ts (the HTTP pages in a real browser): on top of
# the packages above, 163 MiB to download and 558 MiB installed with its recommended packages (235
# packages; 145 MiB / 486 MiB / 128 without them), measured with apt-get -s against Debian 12.
PKGS="$PKGS chromium"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq $missing >/dev/null
  else
    echo "setup: not root, cannot install:$missing (TAP tests will skip)" >&2
  fi
fi
# npm packages: install when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package.json -nt node_modules ] || { [ -f package-lock.json ] && [ package-lock.json -nt node_modules ]; }; then
  # npm ci on a fresh clone; npm install to bring an existing node_modules up to date (npm ci
  # started from inside `npm test` trips over the node_modules it is replacing).
  if [ -f package-lock.json ] && [ ! -d node_modules ]; then npm ci --no-audit --no-fund --loglevel=error
  else npm install --no-audit --no-fund --loglevel=error; fi
  touch node_modules
fi
# wasm3's C source for the board firmware (never committed).
if [ -x scripts/setup-wasm3.sh ]; then bash scripts/setup-wasm3.sh; fi
