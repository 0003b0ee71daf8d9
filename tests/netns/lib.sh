# SPDX-License-Identifier: MIT
#
# lib.sh - helpers shared by the netns scenario scripts: throw-away network
# namespaces joined by veth pairs, background processes tracked by PID, and
# a cleanup trap that removes everything a test created.
#
# Every namespace is named "mgm<PID>-<name>" (unique per run); veth pairs
# are created directly inside the test namespaces, never in the caller's,
# so deleting the namespaces deletes every link.  Processes are ended by
# the PIDs recorded when they were started, never by name.  A script exits
# 77 (CTest SKIP_RETURN_CODE) only when it truly may not create namespaces,
# and says why.  Traffic stays inside the test namespaces.
#
# Environment (set by tests/netns/CMakeLists.txt; defaults for manual runs):
#   MGMDRV    path to mgmdrv        LNXSMOKE  path to lnxsmoke
#   MCTOOL    path to mctool.py     T_VERBOSE=1 echo every step

set -u

T_ID="mgm$$"
T_NS=""
T_PIDS=""
T_TMP=""
T_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MCTOOL="${MCTOOL:-$T_HERE/mctool.py}"
MGMDRV="${MGMDRV:-mgmdrv}"
LNXSMOKE="${LNXSMOKE:-lnxsmoke}"

t_log() {
  echo "[$(date +%H:%M:%S.%N | cut -c1-12)] $*"
}

# Skip, or fail where the caller demands the real kernel
# (LIBMGM_NETNS_REQUIRED=1: tools/run-tests.sh as root).
t_skip() {
  if [ "${LIBMGM_NETNS_REQUIRED:-0}" = 1 ]; then
    echo "FAIL: LIBMGM_NETNS_REQUIRED=1 but: $*"
    exit 1
  fi
  echo "SKIP: $*"
  exit 77
}

t_fail() {
  echo "FAIL: $*"
  t_dump_outputs
  exit 1
}

t_pass() {
  echo "PASS: $*"
  exit 0
}

# Print the captured output of every background process (on failure).
t_dump_outputs() {
  local f
  [ -n "$T_TMP" ] && [ -d "$T_TMP" ] || return 0
  for f in "$T_TMP"/*.out; do
    [ -f "$f" ] || continue
    echo "---- $(basename "$f") (last 60 lines) ----"
    tail -n 60 "$f"
  done
}

# Stop one recorded process: TERM, wait up to 5 s, then KILL.
t_kill() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  return 0
}

t_cleanup() {
  local rc=$? pid ns left
  trap - EXIT INT TERM
  for pid in $T_PIDS; do
    t_kill "$pid"
  done
  [ -n "${T_WATCHDOG:-}" ] && kill "$T_WATCHDOG" 2>/dev/null
  for ns in $T_NS; do
    ip netns del "$ns" 2>/dev/null
  done
  left=$(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${T_ID}-" || true)
  if [ -n "$left" ]; then
    echo "FAIL: namespaces left behind: $left"
    rc=1
  fi
  [ -n "$T_TMP" ] && rm -rf "$T_TMP"
  exit $rc
}

# Check that we may create namespaces and that the kernel does ipmr.
t_require() {
  local err
  if [ "$(id -u)" != 0 ]; then
    t_skip "needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN) to create network namespaces"
  fi
  command -v ip >/dev/null 2>&1 || t_skip "iproute2 'ip' is not installed"
  command -v python3 >/dev/null 2>&1 || t_skip "python3 is not installed"
  T_TMP=$(mktemp -d "/tmp/${T_ID}.XXXXXX")
  trap t_cleanup EXIT
  trap 'echo "FAIL: interrupted (watchdog or signal)"; t_dump_outputs; exit 124' INT TERM
  # Our own deadline, below CTest's TIMEOUT (which kills with SIGKILL and
  # would skip the cleanup): on expiry the EXIT trap still removes all.
  (
    sleep "${T_DEADLINE:-180}" &
    s=$!
    trap 'kill $s 2>/dev/null; exit 0' TERM
    wait $s && kill -TERM $$
  ) >/dev/null 2>&1 &
  T_WATCHDOG=$!
  if ! err=$(ip netns add "${T_ID}-probe" 2>&1); then
    t_skip "cannot create a network namespace here: $err"
  fi
  T_NS="$T_NS ${T_ID}-probe"
  if ! ip netns exec "${T_ID}-probe" test -e /proc/net/ip_mr_vif; then
    t_skip "kernel without IPv4 multicast routing (CONFIG_IP_MROUTE;" \
      "tests/vm/mrkernel.sh runs the tests under one that has it)"
  fi
  ip netns del "${T_ID}-probe"
  T_NS=""
}

# t_ns NAME: create namespace NAME with lo up, rp_filter off, forwarding on.
t_ns() {
  local ns="${T_ID}-$1"
  ip netns add "$ns" || t_fail "ip netns add $ns"
  T_NS="$T_NS $ns"
  ip -n "$ns" link set lo up
  ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
    net.ipv4.conf.default.rp_filter=0 net.ipv4.ip_forward=1 >/dev/null
  # No IPv6 chatter (router solicitations, MLD) in the packet counters.
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
    net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1 || true
}

# nsx NAME CMD...: run CMD inside namespace NAME.
nsx() {
  local ns="${T_ID}-$1"
  shift
  ip netns exec "$ns" "$@"
}

# t_veth NS1 IF1 CIDR1 NS2 IF2 CIDR2: a veth pair between two namespaces.
t_veth() {
  local n1="${T_ID}-$1" i1=$2 a1=$3 n2="${T_ID}-$4" i2=$5 a2=$6
  ip -n "$n1" link add "$i1" type veth peer name "$i2" netns "$n2" ||
    t_fail "veth $1/$i1 - $4/$i2"
  [ "$a1" = - ] || ip -n "$n1" addr add "$a1" dev "$i1"
  [ "$a2" = - ] || ip -n "$n2" addr add "$a2" dev "$i2"
  ip -n "$n1" link set "$i1" up
  ip -n "$n2" link set "$i2" up
}

# t_bg NAME TAG CMD...: start CMD in namespace NAME in the background, its
# output in $T_TMP/TAG.out; sets T_LAST_PID.
t_bg() {
  local ns="${T_ID}-$1" tag=$2
  shift 2
  ip netns exec "$ns" "$@" >"$T_TMP/$tag.out" 2>&1 &
  T_LAST_PID=$!
  T_PIDS="$T_PIDS $T_LAST_PID"
}

t_out() {
  echo "$T_TMP/$1.out"
}

# t_wait_for TAG REGEX [TIMEOUT_S [COUNT]]: wait until TAG's output has at
# least COUNT (default 1) lines matching REGEX.
t_wait_for() {
  local f="$T_TMP/$1.out" re=$2 tmo=${3:-10} want=${4:-1} i n
  for i in $(seq $((tmo * 10))); do
    n=$(grep -cE -- "$re" "$f" 2>/dev/null || true)
    [ "${n:-0}" -ge "$want" ] && return 0
    sleep 0.1
  done
  return 1
}

# t_count TAG REGEX: number of matching lines in TAG's output.
t_count() {
  local n
  n=$(grep -cE -- "$2" "$T_TMP/$1.out" 2>/dev/null || true)
  echo "${n:-0}"
}

# t_star NRECV: the standard topology.
#   s  (sender)   s0 10.1.0.1/24  ---  r0 10.1.0.254/24  (router r)
#   hK (receiver) hK0 10.(K+1).0.2/24 --- rK 10.(K+1).0.254/24
# Hosts route everything via the router.
t_star() {
  local n=$1 k
  t_ns s
  t_ns r
  t_veth s s0 10.1.0.1/24 r r0 10.1.0.254/24
  ip -n "${T_ID}-s" route add default via 10.1.0.254
  for k in $(seq "$n"); do
    t_ns "h$k"
    t_veth "h$k" "h${k}0" "10.$((k + 1)).0.2/24" r "r$k" "10.$((k + 1)).0.254/24"
    ip -n "${T_ID}-h$k" route add default via "10.$((k + 1)).0.254"
  done
}

# t_ifindex NS IFNAME
t_ifindex() {
  ip -n "${T_ID}-$1" -o link show dev "$2" | cut -d: -f1
}

# t_recv K GROUP[,GROUP...] PORT: receiver on host hK; waits until joined.
t_recv() {
  local k=$1 g=$2 p=$3
  t_bg "h$k" "rx$k" python3 -u "$MCTOOL" recv "$g" "$p" "10.$((k + 1)).0.2"
  t_wait_for "rx$k" '^JOINED' 10 || t_fail "receiver h$k did not join"
}

# t_send GROUP PORT COUNT [TTL [INTERVAL_MS [TAG]]]: from the sender host.
t_send() {
  nsx s python3 -u "$MCTOOL" send "$1" "$2" 10.1.0.1 "$3" "${4:-8}" \
    "${5:-20}" "${6:-pkt}" 2>&1 | sed 's/^/  sender: /'
}

# ---- mgmdrv control ---------------------------------------------------------
declare -A T_DRV_FD T_DRV_PID

# t_drv_start TAG NS ARGS...: start mgmdrv in namespace NS, commands from a
# FIFO (fd kept in T_DRV_FD[TAG]), output in TAG.out.  Waits for READY (or
# START_FAILED, then returns 1).
t_drv_start() {
  local tag=$1 ns=$2 fifo="$T_TMP/$1.in" fd
  shift 2
  mkfifo "$fifo"
  # The FIFO is opened by the background child, not by this shell (which
  # would block until a writer appears).
  ip netns exec "${T_ID}-$ns" "$MGMDRV" "$@" <"$fifo" >"$T_TMP/$tag.out" 2>&1 &
  T_LAST_PID=$!
  T_PIDS="$T_PIDS $T_LAST_PID"
  T_DRV_PID[$tag]=$T_LAST_PID
  exec {fd}>"$fifo"
  T_DRV_FD[$tag]=$fd
  t_wait_for "$tag" '^(READY|START_FAILED|REGISTER_FAILED)' 15 ||
    t_fail "mgmdrv $tag did not start"
  grep -q '^READY' "$T_TMP/$tag.out"
}

# t_drv TAG CMD...: send one command and wait for its OK/ERR line; returns
# 0 on OK.
t_drv() {
  local tag=$1 cmd re n
  shift
  cmd="$*"
  re="^(OK|ERR [0-9]+) ${cmd}\$"
  n=$(t_count "$tag" "$re")
  echo "$cmd" >&"${T_DRV_FD[$tag]}"
  t_wait_for "$tag" "$re" 30 $((n + 1)) || t_fail "mgmdrv $tag: no answer to '$cmd'"
  [ "$(grep -E -- "$re" "$T_TMP/$tag.out" | tail -n 1 | cut -d' ' -f1)" = OK ]
}

# t_drv_stop TAG: quit, wait for EXIT and the process.
t_drv_stop() {
  local tag=$1
  echo quit >&"${T_DRV_FD[$tag]}"
  t_wait_for "$tag" '^EXIT' 15 || t_fail "mgmdrv $tag did not exit"
  exec {T_DRV_FD[$tag]}>&-
  wait "${T_DRV_PID[$tag]}" 2>/dev/null
}

# t_rx_count K TAG: packets with payload tag TAG received by host hK.
t_rx_count() {
  t_count "rx$1" "^RX 10\\.1\\.0\\.1 $2 "
}

# t_txpkts NS IF / t_rxpkts NS IF: the device's packet counters (ip netns
# exec mounts the namespace's own /sys).
t_txpkts() {
  nsx "$1" cat "/sys/class/net/$2/statistics/tx_packets"
}

t_rxpkts() {
  nsx "$1" cat "/sys/class/net/$2/statistics/rx_packets"
}
