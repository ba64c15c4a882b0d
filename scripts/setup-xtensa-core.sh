#!/usr/bin/env bash
# A windowed-ABI Xtensa core for the emulated board, from Debian alone: QEMU's `de212` (an Xtensa
# LX6 with the windowed register option, as the ESP32's core is; Debian's qemu-system-xtensa has it
# built in). Its configuration comes from Debian's qemu source package, the version of the installed
# emulator (target/xtensa/core-de212/: core-isa.h and the ISA tables xtensa-modules.c.inc), and
# becomes a "dynconfig" plugin for Debian's binutils-xtensa-lx106 2.40, which loads a core's ISA
# from the shared library named by XTENSA_GNU_CONFIG (binutils' bfd/xtensa-dynconfig.c). With it,
# Debian's lx106 assembler and linker take `entry`, `retw`, `call8`, `l32e`/`s32e`, ...
#
# Cached in third_party/xtensa-core/ (git-ignored); quick when there. As root it adds a deb-src list
# for the suites the machine's apt already uses (/etc/apt/sources.list.d/synack-deb-src.sources)
# and installs binutils-source; without root and without them it says so and exits 1.
# Prints the plugin's path.
set -euo pipefail
cd "$(dirname "$0")/.."
CORE=de212
D=third_party/xtensa-core
PLUGIN=$D/$CORE.so
if [ -f "$PLUGIN" ] && [ -f "$D/$CORE/core-isa.h" ]; then echo "$PLUGIN"; exit 0; fi
say() { echo "setup-xtensa-core: $*" >&2; }
root() { [ "$(id -u)" = 0 ] || { say "$1 (run as root once, or install it yourself)"; exit 1; }; }

BINUTILS_TAR=/usr/src/binutils/binutils-2.40.tar.xz
if [ ! -f "$BINUTILS_TAR" ]; then
  root "needs Debian's binutils-source for binutils' dynconfig headers"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq binutils-source >/dev/null
fi

# The qemu source of the installed emulator's version; a deb-src list when apt has none.
ver=$(dpkg-query -W -f='${source:Version}' qemu-system-misc 2>/dev/null || true)
[ -n "$ver" ] || { say "qemu-system-misc is not installed (scripts/setup.sh installs it)"; exit 1; }
rm -rf "$D/download" && mkdir -p "$D/download"
get() { (cd "$D/download" && apt-get source --download-only -qq "qemu=$ver" >/dev/null 2>&1); }
if ! get; then
  root "apt has no deb-src line for qemu $ver"
  src=/etc/apt/sources.list.d/synack-deb-src.sources
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed -e 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$src"
  else
    grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -i debian \
      | sed 's/^deb /deb-src /' > /etc/apt/sources.list.d/synack-deb-src.list
  fi
  apt-get update -qq >/dev/null
  get || { say "apt-get source qemu=$ver failed"; exit 1; }
fi
orig=$(ls "$D"/download/qemu_*.orig.tar.xz | head -1)
rm -rf "$D/$CORE" && mkdir -p "$D/$CORE/inc"
tar -xJf "$orig" -C "$D/$CORE" --strip-components=4 --wildcards "*/target/xtensa/core-$CORE/core-isa.h" \
  "*/target/xtensa/core-$CORE/xtensa-modules.c.inc"
rm -rf "$D/download"
# The ISA tables as QEMU includes them, made to compile on their own (QEMU's osdep.h out, binutils'
# ansidecl.h in); the configuration values from core-isa.h, plus the few a toolchain's
# xtensa-config.h adds (ABI, literal placement).
sed 's|#include "qemu/osdep.h"|#include <stddef.h>\n#include "ansidecl.h"|' \
  "$D/$CORE/xtensa-modules.c.inc" > "$D/$CORE/xtensa-modules.c"
tar -xJf "$BINUTILS_TAR" -C "$D/$CORE/inc" --strip-components=2 binutils-2.40/include/ansidecl.h \
  binutils-2.40/include/xtensa-isa.h binutils-2.40/include/xtensa-isa-internal.h binutils-2.40/include/xtensa-dynconfig.h
cat > "$D/$CORE/xtensa-config.h" <<'H'
/* A toolchain's xtensa-config.h for this core: core-isa.h and the values it leaves to the toolchain. */
#include "core-isa.h"
#define XSHAL_USE_ABSOLUTE_LITERALS 0
#define XSHAL_HAVE_TEXT_SECTION_LITERALS 1
#define XTHAL_ABI_WINDOWED 0
#define XTHAL_ABI_CALL0 1
#define XSHAL_ABI XTHAL_ABI_WINDOWED
#ifndef XCHAL_HAVE_MMU
#define XCHAL_HAVE_MMU XCHAL_HAVE_PTP_MMU
#endif
#define XTENSA_MARCH_LATEST XCHAL_HW_MAX_VERSION
#define XTENSA_MARCH_EARLIEST XCHAL_HW_MIN_VERSION
H
cat > "$D/$CORE/config.c" <<'C'
/* xtensa_config_v1/v2, the values binutils' dynconfig reads, from this core's xtensa-config.h. */
#include "xtensa-config.h"
#define XTENSA_CONFIG_DEFINITION
#include "xtensa-dynconfig.h"
XTENSA_CONFIG_INSTANCE_LIST;
C
cc -O2 -fPIC -shared -I"$D/$CORE" -I"$D/$CORE/inc" -o "$PLUGIN.tmp" "$D/$CORE/config.c" "$D/$CORE/xtensa-modules.c"
mv "$PLUGIN.tmp" "$PLUGIN"
say "core $CORE from Debian's qemu $ver source: $PLUGIN"
echo "$PLUGIN"
