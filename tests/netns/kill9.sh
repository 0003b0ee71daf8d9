#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# kill9.sh - kill -9 of a process holding the router leaves no kernel
# state, and an immediate restart works at once (libmgm issue #9 item 5).
#
# Two routers in namespace r, each forwarding a flow that keeps running:
#   A on the default table 253: s (10.1.0.1) -> r0 -> r1 -> h1
#   B on table 100 (ip mrule iif r3): s2 (10.5.0.1) -> r3 -> r2 -> h2
# A has a child process (mgmdrv "spawn") that outlives it: the router's
# descriptors must not leak into children, or the kernel would keep the
# table (kernel.md A.1: the socket's close frees it).
# KILL9_ROUNDS times (default 3), for each router: SIGKILL mid-traffic,
# then at once, before anything else:
#   - its table holds nothing: no VIF and no entry in the rtnetlink dump
#     (mrstate.py), in `ip mroute show table T`, and for table 253 in
#     /proc/net/ip_mr_vif and /proc/net/ip_mr_cache; its devices'
#     mc_forwarding is back to 0;
#   - the other router's table is untouched and it still forwards;
#   - its flow no longer reaches its receiver;
#   - a new router on the same table starts at once (MRT_INIT succeeds:
#     READY, not START_FAILED) and forwarding resumes.
# Finally both are killed: every table is empty, all/mc_forwarding is 0,
# although A's child is still alive.
. "$(dirname "$0")/lib.sh"
t_require
t_star 2
t_ns s2
t_veth s2 s20 10.5.0.1/24 r r3 10.5.0.254/24

G=239.9.9.9
P=5009
ROUNDS=${KILL9_ROUNDS:-3}
MRSTATE="${MRSTATE:-$T_HERE/mrstate.py}"
nsx r ip mrule add iif r3 lookup 100

declare -A TABLE=([a]=253 [b]=100)
declare -A ARGS=([a]="-j r1:$G r0 r1" [b]="-t 100 -j r2:$G r3 r2")
declare -A RX=([a]=1 [b]=2)
declare -A SRC=([a]=10.1.0.1 [b]=10.5.0.1)
declare -A TAG=([a]=a [b]=b)
n_start=0

# start_router a|b: a new mgmdrv (tag a<N>/b<N>); sets CUR[a|b].
declare -A CUR
start_router() {
  local r=$1 tag
  n_start=$((n_start + 1))
  tag="$r$n_start"
  # shellcheck disable=SC2086
  t_drv_start "$tag" r ${ARGS[$r]} ||
    t_fail "router $r (table ${TABLE[$r]}) did not start: $(cat "$(t_out "$tag")")"
  CUR[$r]=$tag
}

state() {
  nsx r python3 "$MRSTATE" --text || t_fail "mrstate.py failed"
}

rx_of() { # rx_of a|b: packets of that router's flow received so far
  t_count "rx${RX[$1]}" "^RX ${SRC[$1]} ${TAG[$1]} "
}

# wait_flowing a|b: its flow reaches its receiver (5 more packets).
wait_flowing() {
  local r=$1 n
  n=$(rx_of "$r")
  t_wait_for "rx${RX[$r]}" "^RX ${SRC[$r]} ${TAG[$r]} " 10 $((n + 5)) ||
    t_fail "router $r (table ${TABLE[$r]}) does not forward"
}

t_recv 1 $G $P
t_recv 2 $G $P
start_router a
start_router b
t_bg s txa python3 -u "$MCTOOL" send $G $P 10.1.0.1 1000000 8 10 a
t_bg s2 txb python3 -u "$MCTOOL" send $G $P 10.5.0.1 1000000 8 10 b
wait_flowing a
wait_flowing b
st=$(state)
echo "$st" | sed 's/^/  before: /'
for r in a b; do
  [ "$(echo "$st" | grep -c "^table ${TABLE[$r]} vif ")" = 2 ] ||
    t_fail "table ${TABLE[$r]} should have 2 VIFs"
  echo "$st" | grep -q "^table ${TABLE[$r]} mfc ${SRC[$r]} $G iif " ||
    t_fail "table ${TABLE[$r]} has no entry for ${SRC[$r]}"
done
t_drv "${CUR[a]}" spawn 600 || t_fail "spawn"
CHILD=$(grep '^SPAWNED ' "$(t_out "${CUR[a]}")" | tail -n 1 | cut -d' ' -f2)
T_PIDS="$T_PIDS $CHILD"
kill -0 "$CHILD" || t_fail "the router's child is not running"

for i in $(seq "$ROUNDS"); do
  for r in a b; do
    if [ $r = a ]; then o=b; else o=a; fi
    tag=${CUR[$r]}
    pid=${T_DRV_PID[$tag]}
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    fd=${T_DRV_FD[$tag]}
    exec {fd}>&-
    # Nothing else ran since the process was reaped.
    st=$(state)
    left=$(echo "$st" | grep "^table ${TABLE[$r]} " || true)
    [ -z "$left" ] || t_fail "kill -9 of router $r left in table ${TABLE[$r]}: $left"
    echo "$st" | grep -q "^mc_forwarding all 1$" ||
      t_fail "all/mc_forwarding should count one router now: $(echo "$st" | grep '^mc_forwarding all')"
    for dev in $(echo "${ARGS[$r]}" | grep -oE 'r[0-3]( |$)'); do
      echo "$st" | grep -q "^mc_forwarding $dev " &&
        t_fail "mc_forwarding of $dev still set after kill -9 of router $r"
    done
    txt=$(nsx r ip mroute show table "${TABLE[$r]}")
    [ -z "$txt" ] || t_fail "ip mroute show table ${TABLE[$r]} after kill -9: $txt"
    if [ "${TABLE[$r]}" = 253 ]; then
      echo "$st" | grep -qE '^proc_(vif|cache) ' &&
        t_fail "/proc/net/ip_mr_* not empty after kill -9: $(echo "$st" | grep '^proc_')"
      kill -0 "$CHILD" || t_fail "the router's child died with it (it must outlive it)"
    fi
    [ "$(echo "$st" | grep -c "^table ${TABLE[$o]} vif ")" = 2 ] ||
      t_fail "kill -9 of router $r disturbed table ${TABLE[$o]}: $st"
    echo "$st" | grep -q "^table ${TABLE[$o]} mfc ${SRC[$o]} $G iif " ||
      t_fail "kill -9 of router $r removed table ${TABLE[$o]}'s entry"
    # Immediate restart: the table is free again.
    t0=$(date +%s%N)
    start_router "$r"
    t1=$(date +%s%N)
    t_log "round $i: router $r (pid $pid, table ${TABLE[$r]}) killed, kernel empty," \
      "restarted (READY) in $(((t1 - t0) / 1000000)) ms"
    wait_flowing "$r"
    wait_flowing "$o"
  done
done

# The flow of a killed router stops reaching its receiver.
pid=${T_DRV_PID[${CUR[a]}]}
kill -KILL "$pid"
wait "$pid" 2>/dev/null
sleep 0.5
n=$(rx_of a)
sleep 1
[ "$(rx_of a)" = "$n" ] || t_fail "h1 still receives after router a was killed"
pid=${T_DRV_PID[${CUR[b]}]}
kill -KILL "$pid"
wait "$pid" 2>/dev/null
st=$(state)
[ -z "$st" ] || t_fail "kernel state left after both routers were killed: $st"
txt=$(nsx r ip mroute show table all)
[ -z "$txt" ] || t_fail "ip mroute show table all: $txt"
[ "$(nsx r cat /proc/sys/net/ipv4/conf/all/mc_forwarding)" = 0 ] ||
  t_fail "all/mc_forwarding not back to 0"
kill -0 "$CHILD" || t_fail "the router's child died"
t_pass "$((ROUNDS * 2)) kill -9 mid-traffic left no kernel state (tables 253, 100); restarts forwarded at once"
