#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# tests/pkg/debian.sh - the Debian lane of .ci/run (issue 19), as root:
#  1. build libmgm0, libmgm-dev and mgmd with `dpkg-buildpackage -us -uc
#     -b` from a copy of the tree (the packages land beside the copy, not
#     beside the clone);
#  2. lintian: no error (warnings and informational tags are printed);
#  3. a clean Debian 12 root made by mmdebstrap (minbase, plus a compiler,
#     pkg-config, systemd and man-db) from the Debian mirror that apt
#     uses here (read from /etc/apt/sources.list*), kept as a tarball in
#     $LIBMGM_CI_CACHE (default /var/cache/libmgm-ci) under a name derived
#     from its recipe, so a warm run only unpacks it;
#  4. in that root, in a private mount and PID namespace (every mount and
#     process goes with it; the trap unmounts too): apt-get install
#     ./*.deb, then the checks the issue lists - mgmd --check on the
#     shipped configuration, mgmctl --help, the porter example built with
#     pkg-config alone on the sim backend, the example plug-in built
#     against the installed mgmd_plugin.h and loaded into the installed
#     mgmd - and what an administrator does: man mgmd.conf, the unit
#     verified with systemd-analyze, mgmd run as the service's user with
#     socket-group mgmd, mgmctl from an account in the group mgmd (and not
#     from one outside it).
# Not root, or a tool missing: skips (77); under CI=true it fails.
# DEBIAN_KEEP=1 keeps the work directory.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
cache=${LIBMGM_CI_CACHE:-/var/cache/libmgm-ci}
t0=$(date +%s)
step() { echo "--- debian: $* ($(($(date +%s) - t0)) s)"; }
skip() {
  echo "debian: $*"
  [ "${CI:-}" = true ] && exit 1
  exit 77
}

[ "$(id -u)" = 0 ] || skip "needs root (chroot, mounts)"
for t in dpkg-buildpackage dh lintian mmdebstrap unshare chroot git; do
  command -v $t >/dev/null 2>&1 ||
    skip "no $t (tools/deps.sh --full installs the Debian lane's tools)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/libmgm-debian.XXXXXX")
cleanup() {
  # The namespace took its mounts with it; this is for an interrupted run.
  for m in run sys dev/pts dev proc; do
    mountpoint -q "$work/root/$m" 2>/dev/null && umount -l "$work/root/$m"
  done
  if [ "${DEBIAN_KEEP:-}" = 1 ]; then
    echo "debian: kept $work"
  elif findmnt -rn -o TARGET | grep -q "^$work/"; then
    echo "debian: $work still has mounts: not removed"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---- 1. the packages --------------------------------------------------------
step "building the packages"
ver=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$src/debian/changelog")
tree=$work/build/libmgm-$ver
mkdir -p "$tree"
(cd "$src" && git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf -) | tar -xf - -C "$tree"
if ! (cd "$tree" && DEB_BUILD_OPTIONS="parallel=2 ${DEB_BUILD_OPTIONS:-}" \
  dpkg-buildpackage -us -uc -b) > "$work/build.log" 2>&1; then
  tail -n 60 "$work/build.log"
  echo "debian: dpkg-buildpackage failed"
  exit 1
fi
changes=$(ls "$work"/build/*.changes)
debs=$(cd "$work/build" && ls ./*.deb | grep -v -- '-dbgsym_')
echo "$debs" | sed 's/^/    /'
for p in libmgm0 libmgm-dev mgmd; do
  echo "$debs" | grep -q "/${p}_" || {
    echo "debian: no package $p"
    exit 1
  }
done

# ---- 2. lintian ---------------------------------------------------------------
step "lintian"
rc=0
lintian --fail-on error --display-info "$changes" > "$work/lintian.log" 2>&1 || rc=$?
grep -v 'running with root privileges is not recommended' "$work/lintian.log" || :
[ $rc = 0 ] || {
  echo "debian: lintian reports errors (status $rc)"
  exit 1
}

# ---- 3. the clean Debian 12 root ---------------------------------------------
# Debian's own entries of apt's configuration: suite bookworm, -updates,
# -security (other repositories have other suite names).
sources=$(python3 - <<'PY'
import glob, re
out = []
files = ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")) \
    + sorted(glob.glob("/etc/apt/sources.list.d/*.sources"))
want = re.compile(r"^bookworm(-updates|-security)?$")
for path in files:
    try:
        text = open(path).read()
    except OSError:
        continue
    if path.endswith(".sources"):
        for stanza in re.split(r"\n\s*\n", text):
            f = {}
            for line in stanza.splitlines():
                m = re.match(r"^([A-Za-z-]+):\s*(.*)$", line)
                if m and not line.startswith("#"):
                    f[m.group(1).lower()] = m.group(2).split()
            if "deb" not in f.get("types", []) or f.get("enabled", ["yes"]) == ["no"]:
                continue
            for uri in f.get("uris", []):
                for suite in f.get("suites", []):
                    if want.match(suite) and "main" in f.get("components", []):
                        out.append("deb %s %s main" % (uri, suite))
    else:
        for line in text.splitlines():
            w = re.sub(r"\[[^]]*\]", "", line.split("#")[0]).split()
            if len(w) >= 4 and w[0] == "deb" and want.match(w[2]) and "main" in w[3:]:
                out.append("deb %s %s main" % (w[1], w[2]))
print("\n".join(dict.fromkeys(out)))
PY
)
[ -n "$sources" ] || {
  echo "debian: no Debian 12 (bookworm) entry in /etc/apt/sources.list*"
  exit 1
}
include="gcc,libc6-dev,pkg-config,libuv1,procps,systemd,man-db,ca-certificates"
recipe="mmdebstrap minbase bookworm
include $include
$sources"
key=$(printf '%s\n' "$recipe" | sha256sum | cut -c1-16)
tarball=$cache/bookworm-$key.tar
mkdir -p "$cache"
if [ -f "$tarball" ]; then
  step "the Debian 12 root: cached $(basename "$tarball")"
else
  step "the Debian 12 root: mmdebstrap (cold cache)"
  mirrors=()
  while IFS= read -r line; do mirrors+=("$line"); done <<< "$sources"
  if ! mmdebstrap --mode=root --variant=minbase --include="$include" \
    --skip=cleanup/apt/lists bookworm "$work/root.tar" "${mirrors[@]}" \
    > "$work/mmdebstrap.log" 2>&1; then
    tail -n 40 "$work/mmdebstrap.log"
    echo "debian: mmdebstrap failed"
    exit 1
  fi
  # One root per recipe: older ones go.
  find "$cache" -maxdepth 1 -name 'bookworm-*.tar' ! -name "$(basename "$tarball")" \
    -delete
  mv "$work/root.tar" "$tarball"
fi
root=$work/root
mkdir -p "$root"
tar -xf "$tarball" -C "$root"
mkdir -p "$root/tmp/debs"
(cd "$work/build" && cp $debs "$root/tmp/debs/")

# ---- 4. inside ----------------------------------------------------------------
cat > "$root/tmp/check.sh" <<'CHECK'
#!/bin/bash
# Runs in the clean root: install the packages, then check them as a
# porter and as an administrator would use them.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin
n=0
ok() {
  n=$((n + 1))
  echo "ok   $*"
}
fail() {
  echo "FAIL $*"
  exit 1
}
# has PATTERN COMMAND...: COMMAND succeeds and prints PATTERN (the whole
# output is read first: no early close of a pipe); else its output shows.
has() {
  local pattern=$1 out
  shift
  out=$("$@" 2>&1) && grep -q -- "$pattern" <<< "$out" || {
    echo "$out" | tail -n 20
    return 1
  }
}

apt-get install -y -q --no-install-recommends /tmp/debs/*.deb > /tmp/apt.log 2>&1 ||
  { cat /tmp/apt.log; fail "apt-get install ./*.deb"; }
ok "apt-get install $(cd /tmp/debs && echo *.deb)"

# The service's user and group (sysusers.d), the unit, the pages.
getent passwd mgmd > /dev/null && getent group mgmd > /dev/null ||
  fail "no user or group mgmd after installation"
ok "user and group mgmd created"
out=$(systemd-analyze verify /lib/systemd/system/mgmd.service 2>&1) &&
  [ -z "$out" ] || fail "systemd-analyze verify: $out"
ok "systemd-analyze verify mgmd.service (installed paths, man pages)"
for page in 8:mgmd 8:mgmctl 5:mgmd.conf 3:libmgm; do
  man -w "${page%%:*}" "${page#*:}" > /dev/null || fail "no man page $page"
done
MANWIDTH=80 has 'socket-group GROUP' man -P cat mgmd.conf ||
  fail "man mgmd.conf does not render"
ok "man pages mgmd(8) mgmctl(8) mgmd.conf(5) libmgm(3); man mgmd.conf renders"
[ -f /usr/share/bash-completion/completions/mgmctl ] ||
  fail "no bash completion for mgmctl"
ok "bash completion for mgmctl"

# mgmd --check on the shipped configurations; mgmctl --help.
has 'configuration OK' mgmd --check /etc/mgmd.conf ||
  fail "mgmd --check /etc/mgmd.conf"
ok "mgmd --check /etc/mgmd.conf"
has 'protocols: static (static_proto.so)' \
  mgmd --check /usr/share/doc/mgmd/examples/mgmd-demo.conf ||
  fail "mgmd --check mgmd-demo.conf (the installed static_proto.so)"
ok "mgmd --check mgmd-demo.conf finds the installed plug-in"
has '^Usage: mgmctl' mgmctl --help || fail "mgmctl --help"
ok "mgmctl --help"

# A porter's program from the -dev package, with pkg-config alone.
mkdir -p /tmp/porter
cd /tmp/porter
cc -std=c11 -Wall -Wextra -Werror -o porter \
  /usr/share/doc/libmgm-dev/examples/porter.c $(pkg-config --cflags --libs libmgm)
LIBMGM_BACKEND=sim has ': ok$' ./porter || fail "the porter example"
ok "porter.c built with pkg-config --cflags --libs libmgm, ran on sim"

# The example plug-in, built against the installed mgmd_plugin.h, loaded
# into the installed mgmd run as the service runs it (user mgmd, socket in
# /run/mgmd, socket-group mgmd); an administrator in the group mgmd
# inspects it with plain mgmctl, an account outside it cannot.
mkdir -p /tmp/plugin
cd /tmp/plugin
cc -std=c11 -Wall -Wextra -Wno-unused-parameter -Werror -shared -fPIC -o my_proto.so \
  /usr/share/doc/libmgm-dev/examples/static_proto.c \
  $(pkg-config --cflags --libs libmgm) -pthread
cat > mgmd.conf <<'CONF'
backend sim
socket-group mgmd
[sim]
interface up0  1 10.1.0.254/16
interface lan2 2 10.2.0.254/24
route 10.1.0.0/16 up0
[igmp]
interface lan2
[protocol mine]
plugin /tmp/plugin/my_proto.so
interface up0
interface lan2
join lan2 239.5.5.5
CONF
chmod 755 /tmp/plugin
chmod 644 mgmd.conf my_proto.so
has 'protocols: mine' mgmd --check mgmd.conf || fail "mgmd --check (plug-in)"
ok "the plug-in built against /usr/include/mgmd_plugin.h passes mgmd --check"
useradd -m -G mgmd alice
useradd -m bob
install -d -m 0750 -o mgmd -g mgmd /run/mgmd
setpriv --reuid=mgmd --regid=mgmd --init-groups \
  mgmd --socket /run/mgmd/mgmd.sock /tmp/plugin/mgmd.conf 2> /tmp/mgmd.log &
pid=$!
for i in $(seq 100); do
  [ -S /run/mgmd/mgmd.sock ] && break
  sleep 0.1
done
[ -S /run/mgmd/mgmd.sock ] || { cat /tmp/mgmd.log; fail "mgmd did not start"; }
has 'mine' runuser -u alice -- mgmctl show protocols ||
  fail "alice: mgmctl show protocols: no plug-in 'mine'"
has 239.5.5.5 runuser -u alice -- mgmctl show groups ||
  fail "alice: mgmctl show groups: the plug-in's join is not in MGM"
ok "mgmd (user mgmd) loaded the plug-in; alice (group mgmd) ran plain mgmctl"
if runuser -u bob -- mgmctl -s /run/mgmd/mgmd.sock ping > /tmp/bob.out 2>&1; then
  fail "bob, outside the group mgmd, reached mgmd"
fi
ok "bob, outside the group mgmd, cannot reach mgmd"
kill -TERM $pid
wait $pid || { cat /tmp/mgmd.log; fail "mgmd's exit status"; }
ok "mgmd stopped cleanly on SIGTERM"
echo "debian: $n checks in the clean root passed"
CHECK
chmod 755 "$root/tmp/check.sh"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"

step "installing and checking in the clean root"
# A private mount and PID namespace: the mounts and every process started
# inside end with it, even if this script is killed.
unshare --mount --pid --fork --kill-child -- bash -c '
  set -e
  root=$1
  trap "umount -l $root/run $root/sys $root/dev/pts $root/dev $root/proc 2>/dev/null || :" EXIT
  mount --make-rprivate /
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount -t sysfs sysfs "$root/sys"
  mount -t tmpfs -o mode=0755 tmpfs "$root/run"
  chroot "$root" /tmp/check.sh
' debian-root "$root"
step "done"
