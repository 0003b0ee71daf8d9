#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run.sh - the kernel benchmark: new-flow setup rate and first-packet
# latency through three routers on the same namespaces, one after another:
#   floor    kfloor: answers each NOCACHE upcall with a bare MRT_ADD_MFC
#   libmgm   mgmdrv -q on libmgm's linux backend, a (*,*) membership on r1
#   smcroute smcrouted (Debian), `mroute from r0 group 239.20.0.0/16 to r1`
# and prints libmgm's and smcroute's figures as ratios against the floor
# (design.md 10: no absolute thresholds).  Everything runs in the
# benchmark's own namespaces (tests/netns/lib.sh), which it removes.
#
# Usage: run.sh [FLOWS_BURST [FLOWS_LATENCY [ROUNDS]]]   (1000 200 3)
# Environment: KBENCH, KFLOOR, MGMDRV (set by the bench_kernel target).
# Needs root; exits 77 when it may not create namespaces.
T_DEADLINE=${T_DEADLINE:-900}
. "$(dirname "$0")/../../tests/netns/lib.sh"
NB=${1:-1000}
NL=${2:-200}
ROUNDS=${3:-3}
KBENCH=${KBENCH:-kbench}
KFLOOR=${KFLOOR:-kfloor}
P=5100

t_require
t_star 1
have_smc=0
command -v smcrouted >/dev/null 2>&1 && have_smc=1

start_router() { # KIND
  case $1 in
  floor)
    t_bg r router "$KFLOOR" r0 r1
    t_wait_for router '^READY' 10 || t_fail "kfloor did not start"
    ;;
  libmgm)
    t_drv_start router r -q -j r1:0.0.0.0 r0 r1 || t_fail "mgmdrv did not start"
    ;;
  smcroute)
    cat >"$T_TMP/smc.conf" <<CONF
phyint r0 enable
phyint r1 enable
mroute from r0 group 239.20.0.0/16 to r1
CONF
    t_bg r router smcrouted -n -N -l err -f "$T_TMP/smc.conf" -i "kb$$" \
      -u "$T_TMP/smc.sock" -P "$T_TMP/smc.pid"
    for i in $(seq 100); do
      [ "$(nsx r cat /proc/net/ip_mr_vif | tail -n +2 | wc -l)" -ge 2 ] && break
      sleep 0.1
    done
    sleep 0.5
    ;;
  esac
  ROUTER_PID=$T_LAST_PID
}

stop_router() {
  t_kill "$ROUTER_PID"
  for i in $(seq 50); do
    [ "$(nsx r cat /proc/net/ip_mr_vif | tail -n +2 | wc -l)" = 0 ] && break
    sleep 0.1
  done
  rm -f "$T_TMP/router.in"
}

# measure KIND MODE N BASE -> "rate p50 p99" on stdout
measure() {
  local line
  line=$("$KBENCH" "${T_ID}-s" 10.1.0.1 "${T_ID}-h1" h10 "$4" $P "$2" "$3")
  echo "  $1 $line" >&2
  echo "$line" | sed -E 's/.* seen=([0-9]+) .* rate=([0-9]+) p50_us=([0-9]+) p90_us=([0-9]+) p99_us=([0-9]+).*/\1 \2 \3 \5/'
}

kinds="floor libmgm"
[ $have_smc = 1 ] && kinds="$kinds smcroute"
declare -A RATE BP50 LP50 LP99 R L50 L99
for kind in $kinds; do
  rates=""
  for r in $(seq "$ROUNDS"); do
    start_router "$kind"
    read -r seen rate p50 p99 <<<"$(measure "$kind" burst "$NB" 239.20.0.0)"
    [ "$seen" = "$NB" ] || echo "  WARNING: $kind round $r: $seen of $NB flows forwarded" >&2
    rates="$rates $rate"
    BP50[$kind]="${BP50[$kind]:-} $p50"
    read -r seen _ lp50 lp99 <<<"$(measure "$kind" latency "$NL" 239.20.64.0)"
    LP50[$kind]="${LP50[$kind]:-} $lp50"
    LP99[$kind]="${LP99[$kind]:-} $lp99"
    if [ "$kind" = libmgm ]; then t_drv_stop router; else stop_router; fi
    rm -f "$T_TMP/router.in"
  done
  RATE[$kind]=$rates
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo
echo "kernel benchmark: $NB-flow burst, $NL paced new flows, $ROUNDS rounds (medians)"
printf '%-10s %14s %16s %16s\n' router "setup flows/s" "first-pkt p50 us" "first-pkt p99 us"
for kind in $kinds; do
  R[$kind]=$(echo "${RATE[$kind]}" | median)
  L50[$kind]=$(echo "${LP50[$kind]}" | median)
  L99[$kind]=$(echo "${LP99[$kind]}" | median)
  printf '%-10s %14s %16s %16s\n' "$kind" "${R[$kind]}" "${L50[$kind]}" "${L99[$kind]}"
done
echo
for kind in $kinds; do
  [ "$kind" = floor ] && continue
  awk -v k="$kind" -v r="${R[$kind]}" -v rf="${R[floor]}" -v l="${L50[$kind]}" \
      -v lf="${L50[floor]}" -v q="${L99[$kind]}" -v qf="${L99[floor]}" 'BEGIN {
    printf "ratio %-8s setup rate %.2fx floor, first-packet latency p50 %.2fx, p99 %.2fx floor\n",
      k, (rf > 0 ? r / rf : 0), (lf > 0 ? l / lf : 0), (qf > 0 ? q / qf : 0) }'
done
