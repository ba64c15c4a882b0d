#!/usr/bin/env bash
# Check boards/esp32 against real ESP-IDF trees without Espressif's toolchain (a developer's script,
# not part of npm test or CI):
#   XTENSA_OVERLAYS=DIR scripts/check-esp-idf.sh IDF_DIR [IDF_DIR...]
# For each tree: ESP-IDF's own CMake configure for the esp32 target (its Kconfig, component
# requirements, compile flags and link line), then every source of every component in the build
# (main, the synack and wasm3 components, and the IDF components they require) compiled with
# exactly the command IDF generated and assembled to a real object; ours (main, synack, wasm3)
# with -Werror. Then the link is checked by symbol: every symbol our objects leave undefined must
# be defined by an object of a component our CMakeLists name (or IDF requires for every
# component), by a linker script on IDF's link line (the ESP32 ROM's), or by the C library /
# libgcc (scripts/check-esp-idf-symbols.py). Unproven here: the real link (ldgen's placement in
# IRAM/DRAM, sizes), Espressif's GCC 14 code generation and C library, anything at run time.
#
# The stand-in toolchain, bridged in the open:
# - Debian's xtensa-lx106-elf-gcc 12 under the names IDF expects, with -mabi=windowed (the ESP32's
#   register-window ABI; Espressif's GCC defaults to it). Its code generation stays lx106's.
# - Debian's binutils-xtensa-lx106 2.40 with a dynconfig plugin for the ESP32 core
#   (XTENSA_GNU_CONFIG), so the ESP32's instructions in IDF's inline and .S assembly assemble.
#   The plugin is built here from the ESP32 core configuration in espressif/xtensa-overlays
#   (xtensa_esp32/binutils: xtensa-modules.c, xtensa-config.h), which a developer brings along:
#   XTENSA_OVERLAYS is a checkout or a bare git directory of it (e.g. fetched for reading; nothing
#   of it is committed or downloaded by this project), plus binutils' public headers from Debian's
#   binutils-source.
# - The C library is picolibc (Debian's 1.8 for lx106; CONFIG_LIBC_PICOLIBC=y, an option in 5.5,
#   the default in 6.0); its headers lack what IDF's newer picolibc brings in (ssize_t, and
#   <sys/lock.h> for IDF's own sources), so those are included. GCC 12 reads -std=gnu23 as gnu2x
#   plus <stdbool.h> (bool is a keyword from GCC 13); flags only Espressif's GCC knows are dropped.
# - A tree without its git submodules (an archive, a snapshot): a component whose submodule is
#   missing is copied and the missing submodule's files the CMakeLists name stand in empty (said on
#   stderr); only where that cannot satisfy configure does an empty component replace it.
# SYNACK_IDF_CONFIG="CONFIG_X=y ..." checks another configuration; KEEP=1 keeps the work directory.
# Without IDF_DIR (as in CI) it says so and exits 0.
# Needs: cmake, ninja, gcc-xtensa-lx106, binutils-xtensa-lx106, picolibc-xtensa-lx106-elf,
# binutils-source, python3 with esp-idf-kconfig (IDF's python dependency check is skipped:
# PYTHON_DEPS_CHECKED); build/synack.wasm and wasm3's source (npm run build).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
if [ $# = 0 ]; then
  echo "check-esp-idf: no ESP-IDF tree given (scripts/check-esp-idf.sh IDF_DIR...); skipped"
  exit 0
fi
fail() { echo "check-esp-idf: $*" >&2; exit 1; }
for t in cmake ninja xtensa-lx106-elf-gcc xtensa-lx106-elf-as xtensa-lx106-elf-nm python3 cc; do
  command -v "$t" >/dev/null || fail "$t not found (apt-get install cmake ninja-build gcc-xtensa-lx106 binutils-xtensa-lx106)"
done
python3 -c "import kconfgen" 2>/dev/null || fail "ESP-IDF's configure needs esp-idf-kconfig (pip install esp-idf-kconfig)"
[ -f build/synack.wasm ] || fail "build/synack.wasm missing: npm run build first"
BINUTILS_TAR=/usr/src/binutils/binutils-2.40.tar.xz
[ -f "$BINUTILS_TAR" ] || fail "$BINUTILS_TAR missing: apt-get install binutils-source"
OVERLAYS=${XTENSA_OVERLAYS:-}
[ -n "$OVERLAYS" ] || fail "XTENSA_OVERLAYS: give a checkout or git directory of espressif/xtensa-overlays (the ESP32 core's configuration for the assembler)"
bash scripts/setup-wasm3.sh

WORK=$(mktemp -d /tmp/synack-idf.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

# The dynconfig plugin: binutils dlopens $XTENSA_GNU_CONFIG and takes the ISA tables
# (xtensa_modules) and the core's options (xtensa_config_v1, _v2) from it.
overlay_file() { # path inside the overlay repository -> stdout
  if [ -f "$OVERLAYS/$1" ]; then cat "$OVERLAYS/$1"
  elif git --git-dir="$OVERLAYS" rev-parse -q --verify HEAD >/dev/null 2>&1; then git --git-dir="$OVERLAYS" show "HEAD:$1"
  else git -C "$OVERLAYS" show "HEAD:$1"; fi
}
P=$WORK/dynconfig
mkdir -p "$P/include"
tar -xJf "$BINUTILS_TAR" -C "$P/include" --strip-components=2 binutils-2.40/include/ansidecl.h \
  binutils-2.40/include/xtensa-isa.h binutils-2.40/include/xtensa-isa-internal.h binutils-2.40/include/xtensa-dynconfig.h
overlay_file xtensa_esp32/binutils/bfd/xtensa-modules.c >"$P/modules.c" || fail "no xtensa_esp32 core in $OVERLAYS"
overlay_file xtensa_esp32/binutils/include/xtensa-config.h >"$P/include/xtensa-config.h"
cat >"$P/config.c" <<'C'
/* The ESP32 core's options (the overlay's xtensa-config.h) as the records binutils looks up. */
#define XTENSA_CONFIG_DEFINITION
#include "xtensa-config.h"
#include "xtensa-dynconfig.h"
XTENSA_CONFIG_INSTANCE_LIST;
C
cc -O2 -fPIC -shared -I"$P/include" -o "$P/xtensa_esp32.so" "$P/config.c" "$P/modules.c"
export XTENSA_GNU_CONFIG=$P/xtensa_esp32.so
printf 'entry a1, 32\nquou a2, a3, a4\nretw.n\n' >"$P/probe.s"
xtensa-lx106-elf-as -o "$P/probe.o" "$P/probe.s" || fail "the assembler does not take ESP32 instructions with $XTENSA_GNU_CONFIG"

# The stand-in toolchain: IDF's names, lx106's programs, the windowed ABI.
mkdir -p "$WORK/bin"
SPECS=$(dirname "$(find /usr/lib /usr/share -name picolibc.specs -path '*xtensa-lx106*' 2>/dev/null | head -1)")
for tool in gcc g++ cpp; do
  cat >"$WORK/bin/xtensa-esp32-elf-$tool" <<EOF
#!/usr/bin/env bash
args=(-mabi=windowed)
add() {
  case "\$1" in \"*\") set -- "\${1:1:\${#1}-2}" ;; esac  # response files may quote a flag whole
  case "\$1" in
    -mdisable-hardware-atomics|-mfix-esp32-psram-cache-issue*|-mfix-esp32-psram-cache-strategy=*) ;;
    # GCC 12 knows C23 by its draft name, without bool as a keyword (IDF 6 uses GCC 14+)
    -std=gnu23) args+=("-std=gnu2x" "-include" "stdbool.h") ;;
    -std=gnu++23|-std=gnu++26) args+=("-std=gnu++2b") ;;
    -specs=picolibc*.specs|--specs=picolibc*.specs) args+=("--specs=$SPECS/\${1#*=}") ;;
    *) args+=("\$1") ;;
  esac
}
for a in "\$@"; do
  if [ "\${a#@}" != "\$a" ] && [ -f "\${a#@}" ]; then  # IDF's response files (toolchain/cflags)
    while IFS= read -r l; do [ -n "\$l" ] && add "\$l"; done <"\${a#@}"
  else add "\$a"; fi
done
exec xtensa-lx106-elf-$tool "\${args[@]}"
EOF
  chmod +x "$WORK/bin/xtensa-esp32-elf-$tool"
done
for tool in ar ranlib objcopy objdump nm size ld as strip readelf gcc-ar gcc-ranlib gcc-nm; do
  if command -v "xtensa-lx106-elf-$tool" >/dev/null; then ln -s "$(command -v "xtensa-lx106-elf-$tool")" "$WORK/bin/xtensa-esp32-elf-$tool"; fi
done

missing_submodules() { # IDF tree, component -> the component's submodule paths that are empty here
  [ -f "$1/.gitmodules" ] || return 0
  for p in $(sed -n "s|^[[:space:]]*path = components/$2/\(.*\)|\1|p" "$1/.gitmodules"); do
    [ -z "$(ls -A "$1/components/$2/$p" 2>/dev/null)" ] && echo "$p"
  done
  return 0
}

check_one() {
  local IDF=$1 W=$2
  [ -f "$IDF/tools/cmake/project.cmake" ] || fail "$IDF is not an ESP-IDF tree (no tools/cmake/project.cmake)"
  IDF=$(cd "$IDF" && pwd)
  local VERSION
  VERSION=$(sed -n 's/^set(IDF_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\))/\2/p' "$IDF/tools/cmake/version.cmake" | paste -sd.)
  mkdir -p "$W/stubs"
  # The stand-in's C library is picolibc; the project's own sdkconfig.defaults come first, then this.
  printf '%s\n' "CONFIG_LIBC_PICOLIBC=y" ${SYNACK_IDF_CONFIG:-} >"$W/sdkconfig.check"
  echo "check-esp-idf: ESP-IDF $VERSION at $IDF: CMake configure for esp32" >&2
  configure() {
    env IDF_PATH="$IDF" IDF_TARGET=esp32 IDF_COMPONENT_MANAGER=0 PATH="$WORK/bin:$PATH" \
      cmake -S boards/esp32 -B "$W/build" -G Ninja -DIDF_TARGET=esp32 -DPYTHON=python3 \
        -DSDKCONFIG="$W/sdkconfig" -DSDKCONFIG_DEFAULTS="$ROOT/boards/esp32/sdkconfig.defaults;$W/sdkconfig.check" \
        -DEXTRA_COMPONENT_DIRS="$W/stubs" -DCCACHE_ENABLE=0 \
        -DCMAKE_TRY_COMPILE_TARGET_TYPE=STATIC_LIBRARY -DPYTHON_DEPS_CHECKED=1 >"$W/configure.log" 2>&1
  }
  local attempt culprit missing f
  for attempt in $(seq 1 20); do
    if configure; then break; fi
    cp "$W/configure.log" "$W/configure.$attempt.log"
    rm -rf "$W/build" "$W/sdkconfig"
    # A source file or include directory named inside a copied component's missing submodule: an
    # empty one stands in for it.
    f=$(grep -A2 "Cannot find source file" "$W/configure.log" | grep -o "$W/stubs/[^ ]*" | head -1 || true)
    if [ -n "$f" ] && [ ! -e "$f" ]; then
      mkdir -p "$(dirname "$f")"
      echo "/* stand-in for a file of a git submodule missing from $IDF */" >"$f"
      echo "check-esp-idf: ${f#"$W/stubs/"}: empty stand-in (its submodule is missing in this tree)" >&2
      continue
    fi
    f=$(tr '\n' ' ' <"$W/configure.log" | grep -o "Include directory *'$W/stubs/[^']*'" | head -1 | sed "s/.*'\(.*\)'/\1/" || true)
    if [ -n "$f" ] && [ ! -e "$f" ]; then
      mkdir -p "$f"
      echo "check-esp-idf: ${f#"$W/stubs/"}/: empty stand-in (its submodule is missing in this tree)" >&2
      continue
    fi
    culprit=$(grep -A4 "CMake Error" "$W/configure.log" | grep -o "$IDF/components/[A-Za-z0-9_-]*" | head -1 | sed 's|.*/||' || true)
    missing=$( [ -n "$culprit" ] && missing_submodules "$IDF" "$culprit" || true)
    if [ -n "$culprit" ] && [ -n "$missing" ] && [ ! -d "$W/stubs/$culprit" ]; then
      echo "check-esp-idf: component $culprit: submodule $(echo $missing) missing in this tree; the component is copied and stands in for it" >&2
      cp -r "$IDF/components/$culprit" "$W/stubs/$culprit"
      continue
    fi
    culprit=$(grep -A4 "CMake Error" "$W/configure.log" | grep -o "$W/stubs/[A-Za-z0-9_-]*" | head -1 | sed 's|.*/||' || true)
    if [ -n "$culprit" ] && [ -n "$(missing_submodules "$IDF" "$culprit")" ] && [ ! -f "$W/stubs/$culprit/.empty" ]; then
      echo "check-esp-idf: component $culprit: configure needs more of its missing submodule than files; an empty component replaces it" >&2
      rm -rf "$W/stubs/$culprit"; mkdir -p "$W/stubs/$culprit"; touch "$W/stubs/$culprit/.empty"
      echo "idf_component_register()" >"$W/stubs/$culprit/CMakeLists.txt"
      continue
    fi
    grep -B2 -A12 "CMake Error" "$W/configure.log" | head -60 >&2 || tail -30 "$W/configure.log" >&2
    fail "ESP-IDF $VERSION: CMake configure failed"
  done
  # The embedded module as IDF turns it into an assembly source (EMBED_FILES), for its symbols.
  # (its own command only: ninja would build what it is ordered after too)
  bash -c "$(ninja -C "$W/build" -t commands synack.wasm.S | tail -1)" || fail "ESP-IDF $VERSION: embedding build/synack.wasm failed"
  PATH="$WORK/bin:$PATH" python3 scripts/check-esp-idf-symbols.py "$W" "$ROOT" "$IDF" "$VERSION"
}

# Each tree in a subshell of its own (set -e holds there), one after the other.
status=0
n=0
for idf in "$@"; do
  n=$((n + 1))
  check_one "$idf" "$WORK/idf$n" &
  wait $! || status=1
done
exit $status
