#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# doc_tables.py SRC MGMD MGMCTL PLUGIN_DIR - the manual pages (man/*.scd.in)
# agree with the READMEs and the code:
#  - libmgm(3)'s environment table and the README's name the same LIBMGM_*
#    variables with the same defaults, and every LIBMGM_* variable that
#    src/ reads is in them;
#  - libmgm(3) and the README list the same deviations (D-* ids);
#  - mgmd.conf(5)'s statement tables and tools/mgmd/README.md's have the
#    same statements, table by table, with the same defaults;
#  - every option in mgmd --help and mgmctl --help is in its page, and the
#    pages' OPTIONS name no other; every variable mgmd or mgmctl reads
#    (getenv) is in its page; mgmctl's show and sim commands are in its;
#  - the configurations in mgmd.conf(5)'s EXAMPLE pass mgmd --check.
# Tables are found by their contents (a LIBMGM_ variable in the first
# column, a header "statement") and columns by their header ("default"), so
# a reworded README still checks; text is compared without markup, case or
# extra blanks.
import glob
import os
import re
import subprocess
import sys
import tempfile

SRC, MGMD, MGMCTL, PLUGIN_DIR = sys.argv[1:5]
failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL " + what)


def read(path):
    with open(os.path.join(SRC, path), encoding="utf-8") as f:
        return f.read()


def norm(s):
    s = s.replace("\\|", "|").replace("\\*", "*").replace("\\_", "_")
    s = re.sub(r"[`*]", "", s)
    s = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", "", s)
    return " ".join(s.split()).strip(" .").lower()


def md_tables(text):
    """Markdown tables: lists of rows, each a list of raw cells."""
    tables, cur = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
            if not all(re.fullmatch(r"\s*:?-+:?\s*", c) for c in cells):
                cur.append(cells)
        elif cur:
            tables.append(cur)
            cur = []
    return tables


def scd_tables(text):
    """scdoc tables (scdoc(5)): a row starts with '|' (the first with '[',
    '|' or ']'), a cell with ':', a continuation with a blank."""
    tables, cur, prev_blank = [], None, True
    for line in text.splitlines() + [""]:
        if cur is None:
            if prev_blank and len(line) > 2 and line[0] in "[|]" and \
                    line[1] in "[-]<=> " and line[2] == " ":
                cur = [[line[3:]]]
        elif line == "":
            tables.append(cur)
            cur = None
        elif line[0] == "|":
            cur.append([line[3:]])
        elif line[0] == ":":
            cur[-1].append(line[3:])
        else:
            cur[-1][-1] += " " + line.strip()
        prev_blank = line == ""
    return tables


def column(header, name):
    h = [norm(c) for c in header]
    return h.index(name) if name in h else None


def env_table(tables, where):
    for t in tables:
        rows = [r for r in t[1:] if re.fullmatch(r"libmgm_[a-z0-9_]+",
                                                  norm(r[0]))]
        if rows:
            d = column(t[0], "default")
            check(d is not None, "%s: the environment table has a 'default' "
                  "column" % where)
            return {norm(r[0]).upper(): norm(r[d]) if d is not None else None
                    for r in rows}
    check(False, "%s: no environment table (rows | `LIBMGM_...` |)" % where)
    return {}


def statement_tables(tables):
    out = []
    for t in tables:
        if norm(t[0][0]) != "statement":
            continue
        d = column(t[0], "default")
        out.append({norm(r[0]).split()[0]: norm(r[d]) if d is not None
                    else None for r in t[1:]})
    return out


def section(text, title):
    m = re.search(r"^# %s\n(.*?)(?=^# |\Z)" % re.escape(title), text,
                  re.S | re.M)
    return m.group(1) if m else ""


readme = read("README.md")
mgmd_readme = read("tools/mgmd/README.md")
lib3 = read("man/libmgm.3.scd.in")
conf5 = read("man/mgmd.conf.5.scd.in")
mgmd8 = read("man/mgmd.8.scd.in")
mgmctl8 = read("man/mgmctl.8.scd.in")

# ---- the environment: README, libmgm(3), src/
env_md = env_table(md_tables(readme), "README.md")
env_man = env_table(scd_tables(lib3), "libmgm(3)")
for v in sorted(set(env_md) | set(env_man)):
    check(v in env_md and v in env_man,
          "%s is in %s only" % (v, "README.md" if v in env_md
                                else "libmgm(3)"))
    if v in env_md and v in env_man:
        check(env_md[v] == env_man[v], "%s: default '%s' in README.md, '%s' "
              "in libmgm(3)" % (v, env_md[v], env_man[v]))
read_vars = set()
for path in glob.glob(os.path.join(SRC, "src", "**", "*.c"), recursive=True):
    with open(path, encoding="utf-8") as f:
        read_vars |= set(re.findall(r'getenv\("(LIBMGM_[A-Z0-9_]+)"\)',
                                    f.read()))
check(read_vars, "src/ reads LIBMGM_ variables (getenv)")
for v in sorted(read_vars):
    check(v in env_man, "src/ reads %s: not in libmgm(3)'s table" % v)

# ---- the deviations
dev_md = {norm(r[0]).upper() for t in md_tables(readme) for r in t
          if re.fullmatch(r"d(-[a-z0-9]+)+", norm(r[0]))}
dev_man = set(re.findall(r"^\*(D(?:-[A-Z0-9]+)+)\*$",
                         section(lib3, "DEVIATIONS FROM WINDOWS"), re.M))
check(dev_md, "README.md lists deviations (| D-... |)")
check(dev_md == dev_man, "deviations only in README.md: %s; only in "
      "libmgm(3): %s" % (sorted(dev_md - dev_man), sorted(dev_man - dev_md)))

# ---- mgmd.conf(5) and tools/mgmd/README.md
st_md = statement_tables(md_tables(mgmd_readme))
st_man = statement_tables(scd_tables(conf5))
check(len(st_md) == len(st_man) and st_md, "%d statement tables in "
      "tools/mgmd/README.md, %d in mgmd.conf(5)" % (len(st_md), len(st_man)))
for i, (a, b) in enumerate(zip(st_md, st_man)):
    check(set(a) == set(b), "statement table %d: only in the README: %s; only "
          "in mgmd.conf(5): %s" % (i + 1, sorted(set(a) - set(b)),
                                   sorted(set(b) - set(a))))
    for k in sorted(set(a) & set(b)):
        check(a[k] == b[k], "statement table %d, %s: default '%s' in the "
              "README, '%s' in mgmd.conf(5)" % (i + 1, k, a[k], b[k]))


# ---- options, variables and commands of mgmd(8) and mgmctl(8)
def helptext(prog):
    return subprocess.run([prog, "--help"], capture_output=True, text=True,
                          check=True).stdout


def longopts(text):
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", text))


def getenvs(d):
    out = set()
    for path in glob.glob(os.path.join(SRC, d, "*.c")):
        with open(path, encoding="utf-8") as f:
            out |= set(re.findall(r'getenv\("([A-Z0-9_]+)"\)', f.read()))
    return out


for prog, page, name, d in ((MGMD, mgmd8, "mgmd(8)", "tools/mgmd"),
                            (MGMCTL, mgmctl8, "mgmctl(8)", "tools/mgmctl")):
    h = longopts(helptext(prog))
    p = longopts(section(page, "OPTIONS"))
    check(h <= longopts(page), "%s: options of --help not in the page: %s"
          % (name, sorted(h - longopts(page))))
    check(p <= h | {"--help"}, "%s: OPTIONS names what --help does not: %s"
          % (name, sorted(p - h - {"--help"})))
    env = getenvs(d)
    env_page = section(page, "ENVIRONMENT")
    check(env, "%s reads environment variables" % d)
    for v in sorted(env):
        check("*%s*" % v in env_page, "%s: %s (read by %s) is not in "
              "ENVIRONMENT" % (name, v, d))
h = helptext(MGMCTL)
cmds = set()
for m in re.finditer(r"^\s+(show|sim) ([a-z|]+)", h, re.M):
    cmds |= {"%s %s" % (m.group(1), w) for w in m.group(2).split("|")}
check(len(cmds) >= 10, "mgmctl --help lists show and sim commands: %s"
      % sorted(cmds))
for c in sorted(cmds):
    check("*" + c in section(mgmctl8, "COMMANDS"),
          "mgmctl(8): command '%s' of --help is not in COMMANDS" % c)

# ---- mgmd.conf(5)'s examples pass mgmd --check
examples = re.findall(r"^```\n(.*?)^```", section(conf5, "EXAMPLE"),
                      re.S | re.M)
check(len(examples) >= 2, "mgmd.conf(5) has example configurations")
with tempfile.TemporaryDirectory() as tmp:
    for i, text in enumerate(examples):
        path = os.path.join(tmp, "example%d.conf" % (i + 1))
        with open(path, "w") as f:
            f.write(text)
        r = subprocess.run([MGMD, "--check", "--plugin-dir", PLUGIN_DIR,
                            path], capture_output=True, text=True)
        check(r.returncode == 0, "mgmd.conf(5) example %d: %s%s"
              % (i + 1, r.stdout, r.stderr))

print("doc_tables: %d checks, %d failed" % (checks, len(failures)))
sys.exit(1 if failures else 0)
