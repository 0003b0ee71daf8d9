#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check_layers.py - libmgm's layering rules, checked on the built objects.

Usage: check_layers.py SOURCE_DIR BUILD_DIR

Reads every object file of the library (api, core, platform), of the IGMP
component and of mgmd with `nm`, and links each undefined symbol to the
object that defines it.  The rules (design.md sections 2 and 4, issue 15):

  1. Nothing below calls up: platform objects reference nothing defined in
     core or api; core objects reference nothing defined in api.
  2. api reaches backends only through the core: no api object references a
     symbol defined by a backend (sim, linux, bsd), and the backend vtable
     (`be_ops->`) is dereferenced only in the core's one wrapper file.
  3. In each module the top file calls its helpers and no helper calls it
     back: no other object of the module references a symbol the top file
     defines.
  4. The IGMP component is a client of the public API: it references no
     internal (`mgm__`) symbol of the library.

Every violation is printed as "FILE -> SYMBOL (defined in FILE)"; the exit
status is 1 if there is any, 0 otherwise.  Circles between a module's other
files are printed for information only.
"""
import os
import re
import subprocess
import sys

# Module name -> (object directory below the build tree, source prefix, top
# file or None).
MODULES = [
    ("api", "CMakeFiles/mgm_core.dir/src/api", "src/api", None),
    ("core", "CMakeFiles/mgm_core.dir/src/core", "src/core", "core.c"),
    ("platform", "CMakeFiles/mgm_platform.dir/src/platform", "src/platform",
     None),
    ("igmp", "src/igmp/CMakeFiles/mgm_igmp.dir", "src/igmp", "igmp.c"),
    ("mgmd", "tools/mgmd/CMakeFiles/mgmd.dir", "tools/mgmd", "main.c"),
]
# Sub-modules of platform with a top file of their own.
PLATFORM_TOPS = {"linux": "mroute.c", "bsd": "mroute.c", "sim": "sim.c"}
BACKENDS = ("sim", "linux", "bsd")
# The only core file that may call through the backend vtable.
VTABLE_FILE = "src/core/backend.c"


def nm(path):
    """(defined, undefined) global symbol sets of one object file."""
    out = subprocess.run(["nm", "-P", path], check=True, capture_output=True,
                         text=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) < 2:
            continue
        name, kind = f[0], f[1]
        if kind == "U":
            undefined.add(name)
        elif kind.isupper() or kind in ("u", "v", "w"):
            defined.add(name)
    return defined, undefined


def load(build):
    """[(module, relative source path, defined, undefined)]."""
    objs = []
    for mod, objdir, srcpre, _top in MODULES:
        root = os.path.join(build, objdir)
        if not os.path.isdir(root):
            continue
        for dirpath, _dirs, files in os.walk(root):
            for fn in sorted(files):
                if not fn.endswith(".c.o"):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, fn[:-2]), root)
                d, u = nm(os.path.join(dirpath, fn))
                objs.append((mod, os.path.join(srcpre, rel), d, u))
    return objs


def submodule(src):
    """'linux' for src/platform/linux/x.c, else the module's own name."""
    parts = src.split("/")
    if parts[:2] == ["src", "platform"] and len(parts) > 3:
        return parts[2]
    return None


def sccs(nodes, edges):
    """Tarjan's strongly connected components of size > 1."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src_root, build = sys.argv[1], sys.argv[2]
    objs = load(build)
    mods = {m for m, _, _, _ in objs}
    for need in ("api", "core", "platform"):
        if need not in mods:
            print(f"check_layers: no {need} objects under {build}")
            return 2
    owner = {}
    for mod, src, defined, _ in objs:
        for s in defined:
            owner.setdefault(s, (mod, src))
    bad = []

    def violation(src, sym, why):
        bad.append(f"{src} -> {sym} (defined in {owner[sym][1]}): {why}")

    top_src = {m: f"{p}/{t}" for m, _, p, t in MODULES if t}
    for mod, src, _defined, undefined in objs:
        sub = submodule(src)
        for sym in sorted(undefined):
            if sym not in owner:
                continue
            omod, osrc = owner[sym]
            if osrc == src:
                continue
            osub = submodule(osrc)
            # 1. nothing below calls up
            if mod == "platform" and omod in ("core", "api"):
                violation(src, sym, "platform calls up into " + omod)
            if mod == "core" and omod == "api":
                violation(src, sym, "core calls up into api")
            # 2. api reaches backends only through the core
            if mod == "api" and omod == "platform" and osub in BACKENDS:
                violation(src, sym, "api calls a backend directly")
            # 3. top files are called by nothing in their module
            if omod == mod and osrc == top_src.get(mod):
                violation(src, sym, f"a {mod} helper calls its top file")
            if (mod == "platform" and sub and sub == osub and
                    os.path.basename(osrc) == PLATFORM_TOPS.get(sub)):
                violation(src, sym, f"a {sub} helper calls its top file")
            # 4. the IGMP component uses the public API only
            if mod == "igmp" and sym.startswith("mgm__") and omod != "igmp":
                violation(src, sym, "the IGMP component uses an internal name")
    # 2b. the backend vtable is dereferenced in one core file only.
    vt = re.compile(r"\bbe_ops\s*->")
    for sub in ("src/api", "src/core"):
        for dirpath, _dirs, files in os.walk(os.path.join(src_root, sub)):
            for fn in sorted(files):
                if not fn.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, fn)
                rel = os.path.relpath(path, src_root)
                if rel == VTABLE_FILE:
                    continue
                with open(path, encoding="utf-8") as f:
                    for no, line in enumerate(f, 1):
                        if vt.search(line):
                            bad.append(f"{rel}:{no}: calls through be_ops "
                                       f"outside {VTABLE_FILE}")
    # Information: circles among a module's files.
    for mod in sorted(mods):
        nodes, edges = set(), {}
        for m, src, _d, undefined in objs:
            if m != mod:
                continue
            nodes.add(src)
            for sym in undefined:
                if sym in owner and owner[sym][0] == mod and owner[sym][1] != src:
                    edges.setdefault(src, set()).add(owner[sym][1])
        for comp in sccs(nodes, edges):
            print(f"info: {mod}: files that call each other: {' '.join(comp)}")
    for line in bad:
        print("FAIL", line)
    print(f"check_layers: {len(objs)} objects, {len(bad)} violations")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
