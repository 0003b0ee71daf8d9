#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# soak.sh - randomised soak of libmgm's linux backend in network namespaces
# (libmgm issue #9 item 5; the driver is soak.py, see its header).  Links
# are added, removed and flapped while flows come and go, two protocols
# take and release interfaces and join and prune, and the router is now and
# then killed with SIGKILL and restarted.  At every quiescent checkpoint
# the kernel (ip mroute show, /proc/net/ip_mr_vif, /proc/net/ip_mr_cache,
# rtnetlink) must hold exactly libmgm's MFEs and VIFs, and traffic must go
# exactly where the memberships say.
#
# Bounded in time and in rounds; cleans up after itself (lib.sh).
#   SOAK_SECONDS  stop after the round running at this time (default 50)
#   SOAK_ROUNDS   stop after this many rounds (default 0: time only)
#   SOAK_SEED     random seed (default: from the clock, or SOAK_CTEST_SEED,
#                 which CTest sets; always printed)
#   SOAK_LEAVES   leaf namespaces / router links (default 5)
#   SOAK_GROUPS   multicast groups (default 3)
#   SOAK_LIFE     MFE lifetime in seconds (default 6)
#   SOAK_TABLE    kernel multicast table (default 0 = 253)
#   SOAK_KILL     weight of "kill -9 the router" among the operations
#                 (default 0.7; weights of the others add up to about 80)
#   SOAK_REPORT   seconds between progress lines (default 10)
#   SOAK_VERBOSE=1  print every operation
# A long run:  SOAK_SECONDS=1800 nice tests/netns/soak.sh
. "$(dirname "$0")/lib.sh"

SOAK_SECONDS=${SOAK_SECONDS:-50}
SOAK_SEED=${SOAK_SEED:-${SOAK_CTEST_SEED:-$(($(date +%s%N) % 1000000007))}}
# shellcheck disable=SC2034 # read by lib.sh's t_require (the watchdog)
T_DEADLINE=$((SOAK_SECONDS + 150))
t_require

for v in SOAK_SECONDS SOAK_SEED ${SOAK_ROUNDS:+SOAK_ROUNDS} \
  ${SOAK_LEAVES:+SOAK_LEAVES} ${SOAK_GROUPS:+SOAK_GROUPS} \
  ${SOAK_LIFE:+SOAK_LIFE} ${SOAK_TABLE:+SOAK_TABLE}; do
  [[ ${!v} =~ ^[0-9]+$ ]] || t_fail "$v must be a number, not '${!v}'"
done
LEAVES=${SOAK_LEAVES:-5}
if [ "$LEAVES" -lt 2 ] || [ "$LEAVES" -gt 20 ]; then
  t_fail "SOAK_LEAVES must be 2..20"
fi
command -v "$MGMDRV" >/dev/null 2>&1 || t_fail "mgmdrv not found (set MGMDRV)"

t_ns r
for k in $(seq "$LEAVES"); do
  t_ns "l$k"
done
[ -z "${SOAK_TABLE:-}" ] || [ "$SOAK_TABLE" = 0 ] ||
  nsx r ip mrule add lookup "$SOAK_TABLE" pref 100

# soak.py records the PIDs of everything it starts in soak.pids; should it
# be killed itself, they are ended from here (by PID) before lib.sh's
# cleanup removes the namespaces.
soak_exit() {
  local rc=$? pid
  [ -n "${SOAK_PID:-}" ] && t_kill "$SOAK_PID"
  if [ -f "$T_TMP/soak.pids" ]; then
    while read -r pid; do
      [ -n "$pid" ] && t_kill "$pid"
    done <"$T_TMP/soak.pids"
  fi
  (exit $rc)
  t_cleanup
}
trap soak_exit EXIT

python3 -u "$T_HERE/soak.py" --id "$T_ID" --tmp "$T_TMP" --mgmdrv "$MGMDRV" \
  --seed "$SOAK_SEED" \
  --seconds "$SOAK_SECONDS" --rounds "${SOAK_ROUNDS:-0}" --leaves "$LEAVES" \
  --groups "${SOAK_GROUPS:-3}" --life "${SOAK_LIFE:-6}" \
  --table "${SOAK_TABLE:-0}" --kill-weight "${SOAK_KILL:-0.7}" \
  --report "${SOAK_REPORT:-10}" ${SOAK_VERBOSE:+--verbose} &
SOAK_PID=$!
wait "$SOAK_PID"
rc=$?
SOAK_PID=
[ $rc = 0 ] || t_fail "soak failed (exit $rc; seed $SOAK_SEED)"
t_pass "soak (seed $SOAK_SEED)"
