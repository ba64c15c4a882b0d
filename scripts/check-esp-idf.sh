#!/usr/bin/env bash
# Check boards/esp32 against a real ESP-IDF tree without Espressif's toolchain:
#   scripts/check-esp-idf.sh IDF_DIR
# runs ESP-IDF's own CMake configure for the esp32 target (its Kconfig, component requirements and
# compile flags), then compiles every source of main and of the wasm3 component with exactly the
# command IDF generated plus -Werror, through a stand-in compiler: Debian's xtensa-lx106-elf-gcc
# (same GCC, another Xtensa core) under the name IDF expects. The compiler runs to assembly (-S):
# lx106's assembler lacks ESP32 instructions that IDF's inline assembly uses, and nothing is
# linked. The stand-in's differences are bridged in the open: the check configures with
# CONFIG_LIBC_PICOLIBC=y (lx106's libc; an option in 5.5, the default in 6.0), GCC 12 reads
# -std=gnu23 as gnu2x, and a component whose git submodule is missing from the tree is replaced
# by an empty one (said on stderr). SYNACK_IDF_CONFIG="CONFIG_X=y ..." checks another
# configuration. Without IDF_DIR (as in CI) it says so and exits 0.
# Needs: cmake, ninja, gcc-xtensa-lx106 + picolibc-xtensa-lx106-elf, python3 with esp-idf-kconfig
# (IDF's python dependency check is skipped: PYTHON_DEPS_CHECKED); build/synack.wasm and
# wasm3's source (npm run build; scripts/setup-wasm3.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
IDF=${1:-}
if [ -z "$IDF" ]; then
  echo "check-esp-idf: no ESP-IDF tree given (scripts/check-esp-idf.sh IDF_DIR); skipped"
  exit 0
fi
fail() { echo "check-esp-idf: $*" >&2; exit 1; }
[ -f "$IDF/tools/cmake/project.cmake" ] || fail "$IDF is not an ESP-IDF tree (no tools/cmake/project.cmake)"
IDF=$(cd "$IDF" && pwd)
for t in cmake ninja xtensa-lx106-elf-gcc python3; do command -v "$t" >/dev/null || fail "$t not found (apt-get install cmake ninja-build gcc-xtensa-lx106)"; done
python3 -c "import kconfgen" 2>/dev/null || fail "ESP-IDF's configure needs esp-idf-kconfig (pip install esp-idf-kconfig)"
[ -f build/synack.wasm ] || fail "build/synack.wasm missing: npm run build first"
bash scripts/setup-wasm3.sh
VERSION=$(sed -n 's/^set(IDF_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\))/\2/p' "$IDF/tools/cmake/version.cmake" | paste -sd.)

WORK=$(mktemp -d /tmp/synack-idf.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
# The stand-in toolchain: IDF's names, lx106's programs; flags only Espressif's GCC knows are dropped.
mkdir -p "$WORK/bin"
SPECS=$(dirname "$(find /usr/lib /usr/share -name picolibc.specs -path '*xtensa-lx106*' 2>/dev/null | head -1)")
for tool in gcc g++ cpp; do
  cat >"$WORK/bin/xtensa-esp32-elf-$tool" <<EOF
#!/usr/bin/env bash
args=()
add() {
  case "\$1" in \"*\") set -- "\${1:1:\${#1}-2}" ;; esac  # response files may quote a flag whole
  case "\$1" in
    -mdisable-hardware-atomics|-mfix-esp32-psram-cache-issue*|-mfix-esp32-psram-cache-strategy=*) ;;
    -std=gnu23) args+=("-std=gnu2x") ;;      # GCC 12 knows C23 by its draft name (IDF 6 uses GCC 14+)
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

# The stand-in's C library is picolibc; IDF offers it (5.5: an option, 6.0: the default). The
# project's own sdkconfig.defaults come first, this one line after it, for the check only.
# SYNACK_IDF_CONFIG adds lines (e.g. "CONFIG_SYNACK_DHCP=n") to check another configuration.
printf '%s\n' "CONFIG_LIBC_PICOLIBC=y" ${SYNACK_IDF_CONFIG:-} >"$WORK/sdkconfig.check"
echo "check-esp-idf: ESP-IDF $VERSION at $IDF: CMake configure for esp32" >&2
# A tree without its git submodules (an archive, a snapshot) lacks some third-party code. A
# component whose configure fails on its missing submodule is replaced by an empty stand-in
# (main's sources never include such components' headers), said aloud, and configure retried.
mkdir -p "$WORK/stubs"
configure() {
  env IDF_PATH="$IDF" IDF_TARGET=esp32 IDF_COMPONENT_MANAGER=0 PATH="$WORK/bin:$PATH" \
    cmake -S boards/esp32 -B "$WORK/build" -G Ninja -DIDF_TARGET=esp32 -DPYTHON=python3 \
      -DSDKCONFIG="$WORK/sdkconfig" -DSDKCONFIG_DEFAULTS="$ROOT/boards/esp32/sdkconfig.defaults;$WORK/sdkconfig.check" \
      -DEXTRA_COMPONENT_DIRS="$WORK/stubs" -DCCACHE_ENABLE=0 -DCMAKE_TRY_COMPILE_TARGET_TYPE=STATIC_LIBRARY \
      -DPYTHON_DEPS_CHECKED=1 >"$WORK/configure.log" 2>&1
}
missing_submodule() { # component name -> 0 if one of its submodules is absent from this tree
  [ -f "$IDF/.gitmodules" ] || return 1
  for p in $(sed -n "s|^[[:space:]]*path = \(components/$1/.*\)|\1|p" "$IDF/.gitmodules"); do
    [ -z "$(ls -A "$IDF/$p" 2>/dev/null)" ] && return 0
  done
  return 1
}
for attempt in 1 2 3 4 5 6; do
  if configure; then break; fi
  culprit=$(grep -A4 "CMake Error" "$WORK/configure.log" | grep -o "$IDF/components/[A-Za-z0-9_-]*" | head -1 | sed 's|.*/||')
  if [ -n "$culprit" ] && [ ! -d "$WORK/stubs/$culprit" ] && missing_submodule "$culprit"; then
    echo "check-esp-idf: component $culprit: its submodule is missing in this tree; an empty stand-in replaces it" >&2
    mkdir -p "$WORK/stubs/$culprit"
    echo "idf_component_register()" >"$WORK/stubs/$culprit/CMakeLists.txt"
    rm -rf "$WORK/build" "$WORK/sdkconfig"
    continue
  fi
  grep -B2 -A12 "CMake Error" "$WORK/configure.log" | head -60 >&2 || tail -30 "$WORK/configure.log" >&2
  fail "ESP-IDF $VERSION: CMake configure failed"
done
# Every compile command IDF generated for our sources and wasm3's, with -Werror, to assembly.
PATH="$WORK/bin:$PATH" python3 - "$WORK" "$ROOT" "$VERSION" <<'EOF'
import json, os, shlex, subprocess, sys
work, root, version = sys.argv[1:4]
ours = (os.path.join(root, "boards") + "/", os.path.join(root, "third_party", "wasm3") + "/")
entries = [e for e in json.load(open(os.path.join(work, "build", "compile_commands.json")))
           if os.path.realpath(os.path.join(e["directory"], e["file"])).startswith(ours)]
# The C library IDF chose: newlib's headers come from Debian's libnewlib-dev (lx106's own libc is picolibc).
sdkconfig = open(os.path.join(work, "sdkconfig")).read()
libc, libc_name = [], "newlib" if "CONFIG_LIBC_PICOLIBC=y" not in sdkconfig else "picolibc"
if libc_name == "newlib":
    if not os.path.exists("/usr/include/newlib/sys/reent.h"):
        print("check-esp-idf: ESP-IDF %s builds with newlib: apt-get install libnewlib-dev" % version); sys.exit(1)
    libc = ["-isystem", "/usr/include/newlib"]
else:
    # Debian's picolibc 1.8 <stdio.h> does not declare ssize_t, which IDF's newer picolibc does
    # (IDF 6's platform_include/stdio.h relies on it).
    libc = ["-include", "sys/types.h"]
failed = 0
for n, e in enumerate(entries):
    argv = shlex.split(e["command"]) if "command" in e else e["arguments"]
    out, keep, skip = os.path.join(work, "s%d.s" % n), [], False
    for a in argv:
        if skip: skip = False; continue
        if a == "-o": skip = True; continue
        if a == "-c": continue
        keep.append(a)
    r = subprocess.run(keep + libc + ["-Werror", "-S", "-o", out], cwd=e["directory"], capture_output=True, text=True)
    name = os.path.relpath(os.path.realpath(os.path.join(e["directory"], e["file"])), root)
    if r.returncode != 0:
        failed += 1
        print("FAIL %s\n%s" % (name, r.stderr.strip()), file=sys.stderr)
    else:
        print("ok   %s" % name, file=sys.stderr)
main = sum(1 for e in entries if "/boards/" in e["file"])
if not entries or main == 0:
    print("check-esp-idf: ESP-IDF %s: no compile commands for boards/esp32 found" % version); sys.exit(1)
print("check-esp-idf: ESP-IDF %s: %d of %d sources (%d main, %d wasm3) compile with IDF's flags and -Werror "
      "through xtensa-lx106-elf-gcc -S (stand-in compiler, %s headers; not assembled, not linked)"
      % (version, len(entries) - failed, len(entries), main, len(entries) - main, libc_name))
sys.exit(1 if failed else 0)
EOF
