#!/usr/bin/env python3
"""The second half of scripts/check-esp-idf.sh, for one configured ESP-IDF build directory:
compile every source of the build to an object (the stand-in toolchain assembles them with the
ESP32 core's plugin), then check the link by symbol: each symbol the objects of main, synack and wasm3
leave undefined must be defined by an object of a component in the build, by a linker script on
IDF's link line for the app (the ESP32 ROM's), or by the C library / libgcc.
  check-esp-idf-symbols.py WORK ROOT IDF VERSION"""
import concurrent.futures, json, os, re, shlex, subprocess, sys

work, root, idf, version = sys.argv[1:5]
build = os.path.join(work, "build")
objdir = os.path.join(work, "obj")
os.makedirs(objdir, exist_ok=True)
OURS = ("main", "wasm3", "synack")  # our components; the rest are IDF's (or stand-ins for them)


def component_of(obj):
    """The component a compile command belongs to, from the object IDF names: esp-idf/X/CMakeFiles/__idf_X.dir/..."""
    m = re.search(r"__idf_([^/]+)\.dir/", obj)
    return m.group(1) if m else "?"


sdkconfig = open(os.path.join(work, "sdkconfig")).read()
if "CONFIG_LIBC_PICOLIBC=y" not in sdkconfig:
    print("check-esp-idf: ESP-IDF %s: the check needs CONFIG_LIBC_PICOLIBC=y (the stand-in's C library)" % version); sys.exit(1)
# Debian's picolibc 1.8 <stdio.h> does not declare ssize_t, which IDF's newer picolibc does; nor
# does any of its headers bring in <sys/lock.h> (_lock_t, IDF's platform_include), as IDF's do for
# IDF's own sources (ours are compiled without that help). IDF's sources without -Werror: their
# warnings under another GCC are not what this check is about.
libc_flags = ["-include", "sys/types.h"]
libc_flags_idf = libc_flags + ["-include", "sys/lock.h"]

entries = []
for n, e in enumerate(json.load(open(os.path.join(build, "compile_commands.json")))):
    src = os.path.realpath(os.path.join(e["directory"], e["file"]))
    if not os.path.exists(src): continue  # generated at build time (project_elf_src_esp32.c: empty)
    argv = shlex.split(e["command"]) if "command" in e else e["arguments"]
    keep, skip, target = [], False, ""
    for a in argv:
        if skip: skip, target = False, a; continue
        if a == "-o": skip = True; continue
        keep.append(a)
    comp = component_of(target)
    ours = comp in OURS
    obj = os.path.join(objdir, "%d.o" % n)
    entries.append({"src": src, "ours": ours, "obj": obj, "comp": comp, "dir": e["directory"],
                    "argv": keep + ([] if src.endswith(".S") else libc_flags if ours else libc_flags_idf) + (["-Werror"] if ours else ["-Wno-error"]) + ["-o", obj]})


def compile_one(e):
    r = subprocess.run(e["argv"], cwd=e["dir"], capture_output=True, text=True)
    e["ok"] = r.returncode == 0
    e["err"] = r.stderr.strip()
    return e


with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
    list(pool.map(compile_one, entries))

ours = [e for e in entries if e["ours"]]
theirs = [e for e in entries if not e["ours"]]
for e in ours:
    print("%s %s" % ("ok  " if e["ok"] else "FAIL", os.path.relpath(e["src"], root) if e["src"].startswith(root) else os.path.basename(e["src"])), file=sys.stderr)
    if not e["ok"]: print("\n".join(e["err"].splitlines()[:12]), file=sys.stderr)
failed_theirs = [e for e in theirs if not e["ok"]]
with open(os.path.join(work, "idf-compile-failures.log"), "w") as log:
    for e in failed_theirs: log.write("== %s\n%s\n" % (e["src"], e["err"]))
if not any(e["comp"] == "main" for e in ours):
    print("check-esp-idf: ESP-IDF %s: no compile commands for boards/esp32 found" % version); sys.exit(1)


def nm(paths):
    """(defined, undefined) symbol sets of objects or archives."""
    defined, undefined = set(), set()
    if not paths: return defined, undefined
    out = subprocess.run(["xtensa-esp32-elf-nm", "-P", "-A"] + paths, capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3: continue
        name, kind = parts[1], parts[2]
        if kind == "U": undefined.add(name)
        elif kind in "wv" and len(parts) == 3: pass  # weak and undefined: nothing needs it
        else: defined.add(name)
    return defined, undefined


# Symbols each IDF component's objects define.
by_symbol = {}
for e in theirs:
    if e["ok"]:
        for s in nm([e["obj"]])[0]: by_symbol.setdefault(s, e["comp"])

# Linker scripts on the app's link line (-T names found in its -L dirs).
ninja = open(os.path.join(build, "build.ninja")).read()
link = re.search(r"^build [^\n]*synack\.elf: [^\n]*\n((?:  [^\n]*\n)+)", ninja, re.M)
flags = link.group(1) if link else ""
scripts = re.findall(r"-T ([^\s]+)", flags)
ldirs = re.findall(r"-L([^\s]+)", flags)
by_script, scripts_missing = {}, []
for name in scripts:
    path = next((os.path.join(d, name) for d in ldirs if os.path.exists(os.path.join(d, name))), None)
    if not path: scripts_missing.append(name); continue
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    for s in re.findall(r"PROVIDE(?:_HIDDEN)?\s*\(\s*([A-Za-z_.$][\w.$]*)\s*=", text) + \
             re.findall(r"^\s*([A-Za-z_][\w.$]*)\s*=[^=]", text, re.M):
        by_script.setdefault(s, name)

# The C library and libgcc the stand-in links (names only: IDF links the toolchain's own).
gcc = ["xtensa-esp32-elf-gcc", "--specs=picolibc.specs"]
libs = [subprocess.run(gcc + ["-print-file-name=" + f], capture_output=True, text=True).stdout.strip()
        for f in ("libc.a", "libm.a")] + [subprocess.run(gcc + ["-print-libgcc-file-name"], capture_output=True, text=True).stdout.strip()]
libc_defined = nm([p for p in libs if os.path.isabs(p) and os.path.exists(p)])[0]

# Our objects: what they need from outside themselves.
ours_def, ours_undef = nm([e["obj"] for e in ours if e["ok"]])
needed = sorted(ours_undef - ours_def)
where, unresolved = {}, []
for s in needed:
    if s in by_symbol: where.setdefault("component " + by_symbol[s], []).append(s)
    elif s in by_script: where.setdefault("ROM/linker script " + by_script[s], []).append(s)
    elif s in libc_defined: where.setdefault("C library / libgcc", []).append(s)
    else: unresolved.append(s)

# A definition must come from a component our CMakeLists name (REQUIRES) or one IDF requires for
# every component (common_component_reqs), not merely from one that happens to be in the build.
desc = json.load(open(os.path.join(build, "project_description.json")))
info = desc.get("build_component_info", {})
named = set(OURS) | set(desc.get("common_component_reqs", []))
named |= {r for c in OURS for r in info.get(c, {}).get("reqs", []) + info.get(c, {}).get("priv_reqs", [])}
unnamed = []
for place, syms in sorted(where.items()):
    comp = place[len("component "):] if place.startswith("component ") else None
    note = ""
    if comp is not None and comp not in named:
        note = " NOT NAMED: add it to REQUIRES"
        unnamed += syms
    print("  %-44s %3d: %s%s" % (place, len(syms), " ".join(syms[:8]) + (" ..." if len(syms) > 8 else ""), note), file=sys.stderr)
for s in unresolved:
    users = [os.path.relpath(e["src"], root) for e in ours if e["ok"] and s in nm([e["obj"]])[1]]
    hint = [os.path.relpath(e["src"], idf) for e in failed_theirs if s in open(e["src"], errors="replace").read()]
    print("UNRESOLVED %s (needed by %s)%s" % (s, ", ".join(users), "; mentioned by IDF sources that did not compile here: " + ", ".join(hint) if hint else ""), file=sys.stderr)

ours_failed = [e for e in ours if not e["ok"]]
per_comp = ", ".join("%d %s" % (sum(1 for e in ours if e["comp"] == c), c) for c in OURS)
print("check-esp-idf: ESP-IDF %s: %d of %d of our sources (%s) compile with IDF's flags and -Werror and assemble "
      "for the ESP32 core (windowed ABI); %d of %d IDF sources of %d components assemble (failures in %s); "
      "%d symbols our objects need, %d resolved (%s), %d unresolved, %d from components not named%s"
      % (version, len(ours) - len(ours_failed), len(ours), per_comp, len(theirs) - len(failed_theirs), len(theirs),
         len({e["comp"] for e in theirs}), os.path.join(work, "idf-compile-failures.log") if failed_theirs else "none",
         len(needed), len(needed) - len(unresolved) - len(unnamed),
         "%d by components, %d by linker scripts, %d by the C library/libgcc" % (
             sum(len(v) for k, v in where.items() if k.startswith("component ")),
             sum(len(v) for k, v in where.items() if k.startswith("ROM/")),
             len(where.get("C library / libgcc", []))),
         len(unresolved), len(unnamed), "; linker scripts not found (generated at build time): " + ", ".join(scripts_missing) if scripts_missing else ""))
sys.exit(1 if ours_failed or unresolved or unnamed else 0)
