#!/usr/bin/env bash
# Optional: QEMU with the ESP32's own core (Xtensa LX6, 64 address registers, its FPU), for the
# windowed build's figures on the ESP32's register file where de212 has 32. The core's
# configuration is Espressif's public overlay (github.com/espressif/xtensa-overlays, xtensa_esp32/),
# which is not in Debian: give a checkout or git directory of it. Nothing in npm test needs this;
# when third_party/qemu-esp32/qemu-system-xtensa exists, `synack serve --board esp32` and
# npm run bench's `esp32 board:` lines use it.
#   bash scripts/setup-qemu-esp32.sh PATH_TO_XTENSA_OVERLAYS
# Debian's qemu source (the installed emulator's version, Debian's patches applied), the overlay
# imported with QEMU's own target/xtensa/import_core.sh, only qemu-system-xtensa built. Needs root
# once for the build dependencies (meson libglib2.0-dev libpixman-1-dev flex bison dpkg-dev) and a
# deb-src list (scripts/setup-xtensa-core.sh adds one). About 1,300 compile steps: minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
OVERLAY=${1:?usage: setup-qemu-esp32.sh PATH_TO_XTENSA_OVERLAYS (a checkout or git directory)}
D=$PWD/third_party/qemu-esp32
say() { echo "setup-qemu-esp32: $*" >&2; }
show() { # a file of the overlay's xtensa_esp32/, from a checkout or a git directory
  if [ -d "$OVERLAY/xtensa_esp32" ]; then cat "$OVERLAY/xtensa_esp32/$1"; else git --git-dir="$OVERLAY" show "HEAD:xtensa_esp32/$1"; fi
}
show newlib/newlib/libc/sys/xtensa/include/xtensa/config/core-isa.h >/dev/null || { say "no xtensa_esp32/ in $OVERLAY"; exit 1; }
missing=""
for p in dpkg-dev meson ninja-build libglib2.0-dev libpixman-1-dev flex bison; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  [ "$(id -u)" = 0 ] || { say "needs:$missing (run as root once)"; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
bash scripts/setup-xtensa-core.sh >/dev/null # the deb-src list, when apt had none
ver=$(dpkg-query -W -f='${source:Version}' qemu-system-misc)
mkdir -p "$D" && cd "$D"
if [ ! -d src ]; then
  rm -rf download && mkdir download
  (cd download && apt-get source --download-only -qq "qemu=$ver" >/dev/null)
  dpkg-source -x download/qemu_*.dsc src >/dev/null
  rm -rf download
fi

# The overlay as import_core.sh takes it: core-isa.h, gdb's register map, binutils' ISA tables, and
# a core-matmap.h (import_core.sh extracts one; Espressif's overlay has none, an empty one serves).
O=$D/overlay
rm -rf "$O" && mkdir -p "$O/xtensa/config" "$O/gdb" "$O/binutils"
show newlib/newlib/libc/sys/xtensa/include/xtensa/config/core-isa.h > "$O/xtensa/config/core-isa.h"
show gdb/gdb/xtensa-config.c > "$O/gdb/xtensa-config.c"
show binutils/bfd/xtensa-modules.c > "$O/binutils/xtensa-modules.c"
echo "/* no memory-map overrides */" > "$O/xtensa/config/core-matmap.h"
tar -C "$O" -czf "$D/overlay.tar.gz" xtensa gdb binutils
# CCOUNT at 40 MHz, as lx106 and de212 run in Debian's QEMU: the firmware assumes 25 instructions a tick.
(cd src && ./target/xtensa/import_core.sh "$D/overlay.tar.gz" esp32 40000 >/dev/null)
# import_core.sh appends to cores.list on every run; and it registers only the core's own opcode
# translators, while the ESP32 also has the FPU (QEMU's de233_fpu core lists both).
awk '!seen[$0]++' src/target/xtensa/cores.list > cores.list && mv cores.list src/target/xtensa/cores.list
if ! grep -q xtensa_fpu_opcodes src/target/xtensa/core-esp32.c; then
  sed -i 's|^    .clock_freq_khz = 40000,|&\n    .opcode_translators = (const XtensaOpcodeTranslators *[]){\n        \&xtensa_core_opcodes,\n        \&xtensa_fpu_opcodes,\n        NULL,\n    },|' \
    src/target/xtensa/core-esp32.c
fi
mkdir -p build && cd build
if [ ! -f build.ninja ]; then
  # Debian's source has no bundled meson: the system's, with Debian's python3 first in PATH.
  PATH=/usr/bin:$PATH ../src/configure --target-list=xtensa-softmmu --without-default-features --meson=meson \
    --disable-werror --disable-docs --disable-tools --disable-install-blobs --disable-debug-info --enable-fdt=disabled >/dev/null
fi
ninja -j"$(nproc)" qemu-system-xtensa >/dev/null
./qemu-system-xtensa -cpu help | grep -qw esp32
cp qemu-system-xtensa "$D/qemu-system-xtensa"
say "$D/qemu-system-xtensa (-cpu esp32)"
