#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# mgmd-static.sh - mgmd on the linux backend forwards real traffic between
# network namespaces with the static plug-in and its IGMP component,
# mgmctl reports the MFE with packet counts, SIGHUP reloads without
# dropping the flow, and SIGTERM leaves no kernel state.
#
#   s (10.1.0.1) --r0-- r (mgmd) --r1-- h1      static join (*,G) on r1
#                              \--r2-- h2       IGMP: h2's own report
# 1. h1 gets the burst (static membership), h2 gets nothing (no join).
# 2. h2's receiver joins: its IGMP report reaches mgmd through libmgm's
#    ctrl hook, IGMP adds (*,G) on r2, MGM adds r2 to the MFE; h2 gets the
#    next burst.
# 3. SIGHUP with a configuration that adds an unrelated join: the (S,G)
#    MFE survives (no "deleted" event, uptime keeps counting) and h1 still
#    receives.
# 4. SIGTERM: mgmd exits 0; `ip mroute show`, /proc/net/ip_mr_vif and
#    /proc/net/ip_mr_cache in r are empty.
# Environment (set by CTest): MGMD, MGMCTL, MGMD_PLUGIN_DIR, MCTOOL.
. "$(dirname "$0")/lib.sh"
t_require

MGMD="${MGMD:-mgmd}"
MGMCTL="${MGMCTL:-mgmctl}"
MGMD_PLUGIN_DIR="${MGMD_PLUGIN_DIR:-.}"
[ -x "$MGMD" ] || command -v "$MGMD" >/dev/null || t_fail "no mgmd ($MGMD)"
[ -f "$MGMD_PLUGIN_DIR/static_proto.so" ] ||
  t_fail "no static_proto.so in $MGMD_PLUGIN_DIR"

G=239.2.2.2
P=5002
N=20
SOCK="$T_TMP/mgmd.sock"
CONF="$T_TMP/mgmd.conf"

rx_count() { # rx_count K TAG
  local n
  n=$(grep -c "^RX 10.1.0.1 $2 " "$T_TMP/rx$1.out" 2>/dev/null || true)
  echo "${n:-0}"
}

ctl() {
  "$MGMCTL" -s "$SOCK" "$@"
}

# mfe_field EXPR: evaluate a Python expression over the (10.1.0.1, G) MFE
# of `mgmctl --json show mfe --stats` (m = that MFE, None if absent).
mfe_field() {
  ctl --json show mfe --stats | python3 -c '
import json, sys
r = json.load(sys.stdin)
m = next((x for x in r["mfes"]
          if x["source"] == "10.1.0.1" and x["group"] == sys.argv[1]), None)
print(eval(sys.argv[2]))' "$G" "$1"
}

write_conf() { # write_conf EXTRA_STATIC_LINE
  cat >"$CONF" <<EOF
# mgmd-static.sh: router r
backend linux
log-level info

[igmp]
version 3
interface r2

[protocol static]
plugin static_proto.so
interface r0
interface r1
join r1 $G
$1
EOF
}

t_star 2
write_conf ""
nsx r "$MGMD" --check --plugin-dir "$MGMD_PLUGIN_DIR" "$CONF" ||
  t_fail "mgmd --check rejected the configuration"

t_recv 1 $G $P
t_bg r mgmd "$MGMD" --socket "$SOCK" --pidfile "$T_TMP/mgmd.pid" \
  --plugin-dir "$MGMD_PLUGIN_DIR" "$CONF"
MGMD_PID=$T_LAST_PID
t_wait_for mgmd 'ready: control socket' 10 || t_fail "mgmd did not start"
[ "$(cat "$T_TMP/mgmd.pid")" = "$MGMD_PID" ] ||
  t_fail "pid file holds $(cat "$T_TMP/mgmd.pid"), mgmd is $MGMD_PID"
[ "$(stat -c %a "$SOCK")" = 600 ] || t_fail "socket mode $(stat -c %a "$SOCK")"
t_log "mgmd running (pid $MGMD_PID)"
ctl show interfaces

# ---- 1: the static membership ---------------------------------------------------
t_send $G $P $N 8 20 first
t_wait_for rx1 "^RX 10.1.0.1 first " 5 $N || t_fail "h1 got $(rx_count 1 first)/$N"
ctl show mfe --stats
[ "$(mfe_field 'm is not None')" = True ] || t_fail "no MFE for (10.1.0.1, $G)"
[ "$(mfe_field '[o["name"] for o in m["oifs"]]')" = "['r1']" ] ||
  t_fail "oifs $(mfe_field '[o["name"] for o in m["oifs"]]'), want r1"
[ "$(mfe_field 'm["iif"]["name"]')" = r0 ] || t_fail "iif is not r0"
pk=$(mfe_field 'm["stats"]["in_packets"]')
[ "$pk" -ge $((N - 1)) ] || t_fail "MFE counts $pk packets, sent $N"
nsx r ip mroute show | grep -q "(10.1.0.1,$G)" || t_fail "no kernel MFC entry"
t_log "burst 1: h1=$(rx_count 1 first), MFE in_packets=$pk"

# ---- 2: IGMP on r2 ----------------------------------------------------------------
t_recv 2 $G $P
for _ in $(seq 50); do
  [ "$(mfe_field '[o["name"] for o in m["oifs"]]')" = "['r1', 'r2']" ] && break
  sleep 0.1
done
ctl show groups
[ "$(mfe_field '[o["name"] for o in m["oifs"]]')" = "['r1', 'r2']" ] ||
  t_fail "h2's IGMP join did not reach the MFE: $(ctl show groups)"
t_send $G $P $N 8 20 second
t_wait_for rx2 "^RX 10.1.0.1 second " 5 $N || t_fail "h2 got $(rx_count 2 second)/$N"
t_wait_for rx1 "^RX 10.1.0.1 second " 5 $N || t_fail "h1 got $(rx_count 1 second)/$N"
t_log "burst 2: h1=$(rx_count 1 second) h2=$(rx_count 2 second)"

# ---- 3: SIGHUP keeps the flow ---------------------------------------------------------
up0=$(mfe_field 'm["uptime_s"]')
seq0=$(ctl --json show log | python3 -c 'import json,sys; print(json.load(sys.stdin)["last"])')
write_conf "join r1 239.2.2.3"
kill -HUP "$MGMD_PID"
t_wait_for mgmd 'configuration reloaded' 10 || t_fail "no reload"
ctl --json show log --since "$seq0" | grep -q 'MFE (10.1.0.1, 239.2.2.2) deleted' &&
  t_fail "the reload deleted the unaffected MFE"
ctl show groups | grep -q '239.2.2.3' || t_fail "the new join is not there"
t_send $G $P $N 8 20 third
t_wait_for rx1 "^RX 10.1.0.1 third " 5 $N || t_fail "h1 got $(rx_count 1 third)/$N after reload"
[ "$(mfe_field 'm["uptime_s"]')" -ge "$up0" ] || t_fail "the MFE was re-created"
t_log "after SIGHUP: h1=$(rx_count 1 third), MFE kept (uptime $(mfe_field 'm["uptime_s"]') s)"

# ---- 4: SIGTERM leaves nothing ---------------------------------------------------------
kill -TERM "$MGMD_PID"
wait "$MGMD_PID"
rc=$?
[ "$rc" = 0 ] || t_fail "mgmd exited with status $rc"
[ ! -e "$SOCK" ] || t_fail "socket left behind"
[ ! -e "$T_TMP/mgmd.pid" ] || t_fail "pid file left behind"
[ -z "$(nsx r ip mroute show)" ] || t_fail "kernel MFC entries left: $(nsx r ip mroute show)"
[ "$(nsx r sed 1d /proc/net/ip_mr_vif)" = "" ] ||
  t_fail "VIFs left: $(nsx r cat /proc/net/ip_mr_vif)"
[ "$(nsx r sed 1d /proc/net/ip_mr_cache)" = "" ] ||
  t_fail "MFC left: $(nsx r cat /proc/net/ip_mr_cache)"
grep -q 'libmgm stopped' "$T_TMP/mgmd.out" || t_fail "no clean libmgm_stop"
t_pass "mgmd forwards with the static plug-in and IGMP, reloads in place, leaves the kernel clean"
