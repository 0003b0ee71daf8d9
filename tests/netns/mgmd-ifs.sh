#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# mgmd-ifs.sh CASE - interfaces that vanish and come back (issue #20): mgmd
# (linux backend, IGMP on r0 and the LAN interface) follows them by name,
# with no reload.  The LAN is a bridge in its own namespace, so the router's
# port can be deleted and re-created while the host keeps its membership:
#
#   s (10.1.0.1) --r0-- r (mgmd) --r1-- [br0 in lan] --h10-- h1 (10.2.0.2)
#
# CASE is one of
#   flap      r1 goes down and up;
#   recreate  r1 is deleted and re-created, same name and address;
#   newaddr   r1 is deleted and re-created with another address;
#   late      the configuration names r1, which is created after mgmd starts;
#   rename    r1 exists as r1tmp at start and is renamed to r1;
#   star      "interface *"; r1 is created after mgmd starts;
#   static    no IGMP on r1: the static plug-in owns r1 with a configured
#             join; r1 is deleted and re-created (mgmd_plugin_if_event).
# Each case checks that the joined host gets the traffic within 5 s of the
# change, that IGMP took the interface (mgmctl), that `mgmctl show mfe`
# and the kernel's table (ip mroute, through mrstate.py) list the same
# outgoing interfaces, and that no MFE keeps an interface the kernel does
# not have.
# Environment (set by CTest): MGMD, MGMCTL, MCTOOL, MGMD_PLUGIN_DIR;
# IGMPTOOL defaults to igmp-tool.py next to this script.
. "$(dirname "$0")/lib.sh"
t_require

CASE=${1:-recreate}
MGMD="${MGMD:-mgmd}"
MGMCTL="${MGMCTL:-mgmctl}"
IGMPTOOL="${IGMPTOOL:-$T_HERE/igmp-tool.py}"
MRSTATE="$T_HERE/mrstate.py"
MGMD_PLUGIN_DIR="${MGMD_PLUGIN_DIR:-.}"
[ -x "$MGMD" ] || command -v "$MGMD" >/dev/null || t_fail "no mgmd ($MGMD)"
SOCK="$T_TMP/mgmd.sock"
CONF="$T_TMP/mgmd.conf"
G=239.1.2.3
P=5020
R="${T_ID}-r"
L="${T_ID}-lan"

ctl() {
  "$MGMCTL" -s "$SOCK" "$@"
}

# mk_r1 NAME CIDR: the router's port on the LAN bridge.
mk_r1() {
  ip -n "$R" link add "$1" type veth peer name lr netns "$L" ||
    t_fail "cannot create $1"
  ip -n "$L" link set lr master br0 up
  ip -n "$R" addr add "$2" dev "$1"
  ip -n "$R" link set "$1" up
}

# delivered_within TAG SECONDS: send small bursts until the host gets one;
# prints the milliseconds it took, fails after SECONDS.
delivered_within() {
  local tag=$1 tmo=$2 t0 ms
  t0=$(date +%s%N)
  while :; do
    nsx s python3 -u "$MCTOOL" send "$G" "$P" 10.1.0.1 2 8 50 "$tag" \
      >/dev/null 2>&1
    [ "$(t_count rx "^RX 10\\.1\\.0\\.1 $tag ")" -gt 0 ] && break
    ms=$((($(date +%s%N) - t0) / 1000000))
    [ "$ms" -lt $((tmo * 1000)) ] ||
      t_fail "$CASE: no delivery to the host within $tmo s ($(ctl show mfe))"
  done
  echo $((($(date +%s%N) - t0) / 1000000))
}

# agree: mgmctl's MFEs and the kernel's agree on the outgoing interfaces,
# and no MFE names an interface the kernel does not have.
agree() {
  ctl --json show mfe >"$T_TMP/mfe.json" || t_fail "mgmctl show mfe"
  nsx r python3 "$MRSTATE" >"$T_TMP/kernel.json" || t_fail "mrstate.py"
  python3 - "$T_TMP/mfe.json" "$T_TMP/kernel.json" <<'EOF' ||
import json, sys
m = json.load(open(sys.argv[1]))
k = json.load(open(sys.argv[2]))
links = {int(i) for i in k["links"]}
kern = {}
for t in k["tables"].values():
    for e in t["mfc"]:
        if e["iif"] is not None:
            kern[(e["src"], e["grp"])] = sorted(e["oifs"])
bad = []
for x in m["mfes"]:
    sg = (x["source"], x["group"])
    oifs = sorted(o["ifindex"] for o in x["oifs"])
    for i in oifs + [x["iif"]["ifindex"]]:
        if i not in links:
            bad.append("%s lists ifindex %d, which the kernel lacks" % (sg, i))
    if sg in kern and kern[sg] != oifs:
        bad.append("%s: mgmctl oifs %s, kernel %s" % (sg, oifs, kern[sg]))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
    t_fail "$CASE: mgmctl and the kernel disagree: $(ctl show mfe; nsx r ip mroute show)"
}

# igmp_on NAME: IGMP runs on interface NAME (mgmctl show igmp); for the
# static case, the plug-in owns it (mgmctl show interfaces).
igmp_on() {
  local i
  if [ "$CASE" = static ]; then
    for i in $(seq 50); do
      ctl show interfaces | grep -qE "^$1 .*static" && return 0
      sleep 0.1
    done
    t_fail "$CASE: static does not own $1: $(ctl show interfaces)"
  fi
  for i in $(seq 50); do
    ctl show igmp | grep -qE "^$1 \\(" && return 0
    sleep 0.1
  done
  t_fail "$CASE: IGMP does not run on $1: $(ctl show igmp)"
}

# ---- topology -----------------------------------------------------------------
t_ns s
t_ns r
t_ns lan
t_ns h1
t_veth s s0 10.1.0.1/24 r r0 10.1.0.254/24
ip -n "${T_ID}-s" route add default via 10.1.0.254
ip -n "$L" link add br0 type bridge mcast_snooping 0 || t_fail "no bridge"
ip -n "$L" link set br0 up
ip -n "${T_ID}-h1" link add h10 type veth peer name lh netns "$L"
ip -n "$L" link set lh master br0 up
ip -n "${T_ID}-h1" addr add 10.2.0.2/24 dev h10
ip -n "${T_ID}-h1" link set h10 up
ip -n "${T_ID}-h1" route add default via 10.2.0.254
nsx h1 sysctl -qw net.ipv4.conf.all.force_igmp_version=0 >/dev/null

case "$CASE" in
flap | recreate | newaddr | static) mk_r1 r1 10.2.0.254/24 ;;
rename) mk_r1 r1tmp 10.2.0.254/24 ;;
late | star) ;;
*) t_fail "unknown case $CASE" ;;
esac
IFLINE="interface r0
interface r1"
[ "$CASE" = star ] && IFLINE="interface *"
[ "$CASE" = static ] && IFLINE="interface r0
[protocol static]
plugin static_proto.so
interface r1
join r1 $G"
cat >"$CONF" <<EOF
# mgmd-ifs.sh $CASE: router r
backend linux
log-level debug

[igmp]
version 3
query-interval 20
query-response-interval 1000
startup-query-interval 500
$IFLINE
EOF
t_bg r mgmd "$MGMD" -s "$SOCK" --plugin-dir "$MGMD_PLUGIN_DIR" "$CONF"
for _ in $(seq 50); do
  ctl ping >/dev/null 2>&1 && break
  sleep 0.1
done
ctl ping >/dev/null 2>&1 || t_fail "mgmd did not answer"
t_bg h1 rx python3 -u "$IGMPTOOL" host "$G" "$P" 10.2.0.2
t_wait_for rx '^JOINED' 10 || t_fail "host did not join"

# ---- before: traffic flows where r1 exists --------------------------------------
case "$CASE" in
flap | recreate | newaddr | static)
  igmp_on r1
  ms=$(delivered_within before 10)
  agree
  t_log "$CASE: the host gets the traffic (${ms} ms)"
  ;;
esac

# ---- the change ---------------------------------------------------------------
t_log "$CASE: the change"
case "$CASE" in
flap)
  ip -n "$R" link set r1 down
  sleep 1
  agree
  ip -n "$R" link set r1 up
  ;;
recreate | newaddr | static)
  old=$(t_ifindex r r1)
  ip -n "$R" link del r1
  sleep 1
  agree # no MFE keeps the dead index
  ctl --json show mfe | grep -q "\"ifindex\": *$old\\b" &&
    t_fail "an MFE still names the deleted ifindex $old: $(ctl show mfe)"
  if [ "$CASE" = recreate ]; then
    mk_r1 r1 10.2.0.254/24
  else
    mk_r1 r1 10.2.0.253/24
  fi
  [ "$(t_ifindex r r1)" != "$old" ] || t_log "(the kernel reused index $old)"
  ;;
late | star)
  sleep 1
  mk_r1 r1 10.2.0.254/24
  ;;
rename)
  ip -n "$R" link set r1tmp down
  ip -n "$R" link set r1tmp name r1
  ip -n "$R" link set r1 up
  ;;
esac

# ---- after: IGMP takes r1 again, the host gets the traffic within 5 s ----------
igmp_on r1
ms=$(delivered_within after 5)
agree
[ "$(t_count mgmd 'reload')" -eq 0 ] || t_fail "$CASE: something reloaded"
if [ "$CASE" = static ]; then
  [ "$(t_count mgmd 'interface r1 appeared .*applying the configuration again')" -ge 1 ] ||
    t_fail "static: the plug-in did not hear of r1 (mgmd_plugin_if_event)"
fi
t_pass "$CASE: r1 taken again without a reload; the host got the traffic after ${ms} ms; mgmctl agrees with the kernel"
