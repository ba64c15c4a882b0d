#!/usr/bin/env bash
# wasm3 v0.5.0's C source, for the board firmware: the pywasm3 0.5.0 sdist on PyPI bundles it.
# Downloaded into third_party/ (git-ignored); never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=third_party/wasm3
if [ -f "$dest/source/wasm3.h" ]; then exit 0; fi
mkdir -p third_party/download
if ! ls third_party/download/pywasm3-0.5.0.tar.gz >/dev/null 2>&1; then
  python3 -m pip download --no-deps --no-binary :all: pywasm3==0.5.0 -d third_party/download -q
fi
rm -rf third_party/pywasm3-0.5.0 "$dest"
tar -xzf third_party/download/pywasm3-0.5.0.tar.gz -C third_party
mkdir -p "$dest"
cp -r third_party/pywasm3-0.5.0/wasm3 "$dest/source"
echo "setup: wasm3 0.5.0 source in $dest/source" >&2
