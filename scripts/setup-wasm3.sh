#!/usr/bin/env bash
# wasm3 v0.5.0's C source, for the board firmware: the pywasm3 0.5.0 sdist on PyPI bundles it.
# Downloaded into third_party/ (git-ignored; never committed) and pinned by its sha256.
set -euo pipefail
cd "$(dirname "$0")/.."
SHA256=5a47c8a39f7f6ae71b3316b2e5d86c9d0db6e771a65f09a86e4d4aa3a19aefcc
dest=third_party/wasm3
sdist=third_party/download/pywasm3-0.5.0.tar.gz
if [ -f "$dest/source/wasm3.h" ] && [ -f "$dest/.sha256" ] && [ "$(cat "$dest/.sha256")" = "$SHA256" ]; then exit 0; fi
mkdir -p third_party/download
if [ ! -f "$sdist" ]; then
  python3 -m pip download --no-deps --no-binary :all: pywasm3==0.5.0 -d third_party/download -q
fi
got=$(sha256sum "$sdist" | cut -d' ' -f1)
if [ "$got" != "$SHA256" ]; then
  rm -f "$sdist"
  echo "setup-wasm3: pywasm3-0.5.0.tar.gz has sha256 $got, expected $SHA256: refused (deleted)" >&2
  exit 1
fi
rm -rf third_party/pywasm3-0.5.0 "$dest"
tar -xzf "$sdist" -C third_party
mkdir -p "$dest"
cp -r third_party/pywasm3-0.5.0/wasm3 "$dest/source"
echo "$SHA256" >"$dest/.sha256"
echo "setup: wasm3 0.5.0 source in $dest/source (sdist sha256 verified)" >&2
