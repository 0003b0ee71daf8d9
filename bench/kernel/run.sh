#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run.sh - the kernel benchmark: new-flow setup rate and first-packet
# latency through several routers on the same namespaces, in the same run:
#   floor      kfloor: poll, then every waiting upcall (recvmmsg) answered
#              with a bare MRT_ADD_MFC: the reference of the ratios
#   floorblk   kfloor -b: the same without poll, a blocking recvmmsg (the
#              fewest system calls possible; for information)
#   floorwork  kfloor -w -m: the floor plus synthetic user-space work of
#              libmgm's size per flow (KB_WORK: loop rounds and bytes of new
#              state, "550 320": about 3,850 instructions, as callgrind
#              counts libmgm's creation path, and the 76 extra page faults
#              per 1000 flows perf counts); what the machine charges for
#              that work alone, so libmgm's ratio can be read against it
#   libmgm     mgmdrv -q on libmgm's linux backend, a (*,*) membership on r1
#   libmgm10k  the same holding 10,000 more (*,G) memberships (other groups)
#   smcroute   smcrouted (Debian), `mroute from r0 group 239.20.0.0/16 to r1`
#   smc10k     the same after 10,000 (*,G) routes for other groups
# Each round starts every router in turn (the order rotates from round to
# round) and measures, on a fresh router:
#   latency  FLOWS_LATENCY new flows one at a time (kbench latency): the
#            first-packet latency, p50 and p99;
#   backlog  FLOWS_BACKLOG new flows queued while the router is stopped,
#            then the time it takes to set them all up (kbench backlog):
#            the setup rate;
# and the router's CPU time per flow in each (its threads' schedstat run
# time, which noise from other processes hardly moves).  It prints medians
# and [min-max] over the rounds, and the ratios against the floor computed
# within each round (design.md 10: no absolute thresholds).  Everything
# runs in the benchmark's own namespaces (tests/netns/lib.sh), which it
# removes.
#
# Usage: run.sh [FLOWS_BACKLOG [FLOWS_LATENCY [ROUNDS]]]   (1000 200 5)
# Environment: KBENCH, KFLOOR, MGMDRV (set by the bench_kernel target);
#   KB_KINDS  the routers to run (default: all seven above that exist);
#   KB_TABLE  the size of the *10k tables (default 10000);
#   KB_WORK   floorwork's loop rounds and bytes per flow (default "550 320");
#   KB_SYSCALLS=1  afterwards, count each router's system calls per new
#             flow over one more paced run (strace -c -f, attached; strace
#             slows the router, so one that reads until empty may find the
#             next flow already there and show fewer waits than untraced).
# Needs root; exits 77 when it may not create namespaces.
T_DEADLINE=${T_DEADLINE:-1800}
. "$(dirname "$0")/../../tests/netns/lib.sh"
NB=${1:-1000}
NL=${2:-200}
ROUNDS=${3:-5}
KBENCH=${KBENCH:-kbench}
KFLOOR=${KFLOOR:-kfloor}
KB_TABLE=${KB_TABLE:-10000}
P=5100

t_require
t_star 1
have_smc=0
command -v smcrouted >/dev/null 2>&1 && have_smc=1
KINDS=${KB_KINDS:-floor floorblk floorwork libmgm libmgm10k smcroute smc10k}
kinds=""
for k in $KINDS; do
  case $k in
  smc*) [ $have_smc = 1 ] || { echo "  (smcrouted not installed: $k skipped)"; continue; } ;;
  esac
  kinds="$kinds $k"
done
kinds=${kinds# }

# The KB_TABLE extra groups: 239.30.0.0 upwards, never a benchmark flow's.
table_groups() {
  awk -v n="$KB_TABLE" 'BEGIN { for (i = 0; i < n; i++)
    printf "239.30.%d.%d\n", int(i / 256) % 256, i % 256 }'
}

smc_conf() { # FILE WITH_TABLE
  {
    echo "phyint r0 enable"
    echo "phyint r1 enable"
    # The template the flows match comes last: smcroute must go through
    # the whole table for every new flow, as for a route added last.
    [ "$2" = 1 ] && table_groups | sed 's/^/mroute from r0 group /; s/$/ to r1/'
    echo "mroute from r0 group 239.20.0.0/16 to r1"
  } >"$1"
}

start_router() { # KIND
  local n
  case $1 in
  floor | floorblk | floorwork)
    t_bg r router "$KFLOOR" $([ "$1" = floorblk ] && echo -b) \
      $([ "$1" = floorwork ] && printf -- '-w %s -m %s' ${KB_WORK:-550 320}) r0 r1
    t_wait_for router '^READY' 10 || t_fail "kfloor did not start"
    ROUTER_PID=$T_LAST_PID
    ;;
  libmgm | libmgm10k)
    t_drv_start router r -q -j r1:0.0.0.0 r0 r1 || t_fail "mgmdrv did not start"
    ROUTER_PID=$T_LAST_PID
    if [ "$1" = libmgm10k ]; then
      table_groups | sed 's/^/join r1 /' >&"${T_DRV_FD[router]}"
      t_wait_for router "^(OK|ERR [0-9]+) join r1 $(table_groups | tail -n 1)\$" 60 ||
        t_fail "mgmdrv did not take the $KB_TABLE memberships"
      n=$(t_count router '^OK join r1 ')
      [ "$n" = "$KB_TABLE" ] || t_fail "mgmdrv took $n of $KB_TABLE memberships"
    fi
    ;;
  smcroute | smc10k)
    smc_conf "$T_TMP/smc.conf" "$([ "$1" = smc10k ] && echo 1 || echo 0)"
    rm -f "$T_TMP/smc.sock" "$T_TMP/smc.pid"
    t_bg r router smcrouted -n -N -l err -f "$T_TMP/smc.conf" -i "kb$$" \
      -u "$T_TMP/smc.sock" -P "$T_TMP/smc.pid"
    ROUTER_PID=$T_LAST_PID
    # Ready when it answers on its socket with the template route loaded.
    for n in $(seq 300); do
      nsx r smcroutectl -p -t -u "$T_TMP/smc.sock" show routes 2>/dev/null |
        grep -q '239\.20\.0\.0/16' && break
      sleep 0.1
    done
    [ "$n" -lt 300 ] || t_fail "smcrouted did not load its routes"
    ;;
  esac
  sleep 0.3
}

stop_router() { # KIND
  local i
  case $1 in
  libmgm*) t_drv_stop router ;;
  *) t_kill "$ROUTER_PID" ;;
  esac
  for i in $(seq 50); do
    [ "$(nsx r cat /proc/net/ip_mr_vif | tail -n +2 | wc -l)" = 0 ] && break
    sleep 0.1
  done
  rm -f "$T_TMP/router.in"
}

# Run time of every thread of a process, in ns.
cpu_ns() {
  cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%d\n", s }'
}

# measure KIND MODE N BASE -> "seen rate p50 p99 cpu_us_per_flow"
measure() {
  local line c0 c1
  c0=$(cpu_ns "$ROUTER_PID")
  line=$("$KBENCH" "${T_ID}-s" 10.1.0.1 "${T_ID}-h1" h10 "$4" $P "$2" "$3" "$ROUTER_PID")
  c1=$(cpu_ns "$ROUTER_PID")
  echo "  $1 $line" >&2
  echo "$line" | sed -E 's/.* seen=([0-9]+) .* rate=([0-9]+) p50_us=([0-9]+) p90_us=([0-9]+) p99_us=([0-9]+).*/\1 \2 \3 \5/' |
    awk -v c=$((c1 - c0)) -v n="$3" '{ printf "%s %s %s %s %.2f\n", $1, $2, $3, $4, c / 1000 / n }'
}

declare -A RATE LP50 LP99 CPUL CPUB
set -- $kinds
nk=$#
for r in $(seq "$ROUNDS"); do
  # Rotate the order so no router always runs first (or after another).
  order=""
  for i in $(seq 0 $((nk - 1))); do
    j=$(((i + r - 1) % nk + 1))
    order="$order ${!j}"
  done
  echo "round $r:$order" >&2
  for kind in $order; do
    start_router "$kind"
    read -r seen _ lp50 lp99 cl <<<"$(measure "$kind" latency "$NL" 239.20.64.0)"
    [ "$seen" = "$NL" ] || echo "  WARNING: $kind round $r: $seen of $NL paced flows forwarded" >&2
    read -r seen rate _ _ cb <<<"$(measure "$kind" backlog "$NB" 239.20.0.0)"
    [ "$seen" = "$NB" ] || echo "  WARNING: $kind round $r: $seen of $NB backlog flows forwarded" >&2
    RATE[$kind,$r]=$rate
    LP50[$kind,$r]=$lp50
    LP99[$kind,$r]=$lp99
    CPUL[$kind,$r]=$cl
    CPUB[$kind,$r]=$cb
    stop_router "$kind"
  done
done

# Syscalls per flow: strace attached to a fresh router for a paced run.
syscalls() { # KIND
  local sp
  start_router "$1"
  strace -c -f -q -p "$ROUTER_PID" -o "$T_TMP/strace.txt" &
  sp=$!
  sleep 1
  "$KBENCH" "${T_ID}-s" 10.1.0.1 "${T_ID}-h1" h10 239.20.64.0 $P latency "$NL" >/dev/null
  sleep 0.3
  kill -INT "$sp"
  wait "$sp" 2>/dev/null
  stop_router "$1"
  awk -v k="$1" -v n="$NL" '$NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ && $NF != "syscall" && $NF != "total" {
      c[$NF] = $4 } END { printf "%-10s", k; for (s in c) if (c[s] >= n / 2)
      printf " %s %.2f", s, c[s] / n; printf "  (calls per flow; those made at least every other flow)\n" }' "$T_TMP/strace.txt"
}

# stat VALUES... -> "median [min-max]"
stat() {
  printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END {
    m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    printf "%g [%g-%g]", m, a[1], a[NR] }'
}
# per-round values of metric ARR for KIND (optionally divided by REF's)
vals() { # ARR KIND [REF]
  local -n arr=$1
  local r
  for r in $(seq "$ROUNDS"); do
    if [ -n "${3:-}" ]; then
      awk -v a="${arr[$2,$r]}" -v b="${arr[$3,$r]}" 'BEGIN { printf "%.2f\n", (b > 0 ? a / b : 0) }'
    else
      echo "${arr[$2,$r]}"
    fi
  done
}

echo
echo "kernel benchmark: $NB-flow backlog, $NL paced new flows, $ROUNDS rounds: median [min-max]"
printf '%-10s %-22s %-20s %-22s %-18s %-18s\n' router "setup flows/s" "first-pkt p50 us" \
  "first-pkt p99 us" "CPU us/flow paced" "CPU us/flow backlog"
for kind in $kinds; do
  printf '%-10s %-22s %-20s %-22s %-18s %-18s\n' "$kind" "$(stat $(vals RATE "$kind"))" \
    "$(stat $(vals LP50 "$kind"))" "$(stat $(vals LP99 "$kind"))" \
    "$(stat $(vals CPUL "$kind"))" "$(stat $(vals CPUB "$kind"))"
done
case " $kinds " in *" floor "*)
  echo
  echo "ratios to the floor of the same round: median [min-max]"
  for kind in $kinds; do
    [ "$kind" = floor ] && continue
    printf '%-10s setup rate %s, latency p50 %s, p99 %s, CPU/flow paced %s, backlog %s\n' "$kind" \
      "$(stat $(vals RATE "$kind" floor))" "$(stat $(vals LP50 "$kind" floor))" \
      "$(stat $(vals LP99 "$kind" floor))" "$(stat $(vals CPUL "$kind" floor))" \
      "$(stat $(vals CPUB "$kind" floor))"
  done
  ;;
esac
for pair in "libmgm smc10k" "libmgm10k smc10k" "libmgm smcroute"; do
  set -- $pair
  case " $kinds " in *" $1 "*) ;; *) continue ;; esac
  case " $kinds " in *" $2 "*) ;; *) continue ;; esac
  printf 'latency p50 %s / %s of the same round: %s\n' "$1" "$2" "$(stat $(vals LP50 "$1" "$2"))"
done
# Against the floor that does libmgm's amount of user-space work.
for kind in libmgm libmgm10k; do
  case " $kinds " in *" $kind "*) ;; *) continue ;; esac
  case " $kinds " in *" floorwork "*) ;; *) continue ;; esac
  printf 'setup rate %s / floorwork of the same round: %s\n' "$kind" "$(stat $(vals RATE "$kind" floorwork))"
done
if [ "${KB_SYSCALLS:-0}" = 1 ] && command -v strace >/dev/null 2>&1; then
  echo
  echo "system calls per new flow, $NL paced flows under strace:"
  for kind in $kinds; do
    case $kind in floor | libmgm | smcroute) syscalls "$kind" ;; esac
  done
fi
