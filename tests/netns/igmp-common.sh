# SPDX-License-Identifier: MIT
#
# igmp-common.sh - shared part of the IGMP component's netns scenarios
# (tests/netns/igmp-*.sh), on top of lib.sh (namespaces named after the
# PID, processes stopped by PID, everything removed on exit).
#
# Topology (t_igmp_topo):
#   s   (sources + upstream link)  s0 10.1.0.1/24 (+10.1.0.2)
#        |
#   r   (router running igmpdrv)   r0 10.1.0.254/24 (proxy upstream)
#        |                         r1 10.2.0.254/24 (downstream)
#   h1  (receiver host)            h10 10.2.0.2/24
#
# Registered with CTest by tests/igmp/CMakeLists.txt (netns_igmp_*, label
# netns), which sets IGMPDRV and MCTOOL.  By hand, as root:
#   IGMPDRV=build-igmp/src/igmp/tests/igmpdrv \
#   MCTOOL=tests/netns/mctool.py tests/netns/igmp-join-leave.sh

T_HERE_IGMP="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$T_HERE_IGMP/lib.sh"
IGMPDRV="${IGMPDRV:-igmpdrv}"
# IGMPDRV_ARGS=--raw-send: igmpdrv sends through its own raw socket instead
# of libmgm_ctrl_send (to tell a backend send problem from a component one).
IGMPDRV_ARGS="${IGMPDRV_ARGS:-}"
IGMPTOOL="${IGMPTOOL:-$T_HERE_IGMP/igmp-tool.py}"
GRP=239.1.2.3
declare -A T_HOST_PID
PORT=5001

t_igmp_topo() {
  t_require
  command -v "$IGMPDRV" >/dev/null 2>&1 || [ -x "$IGMPDRV" ] ||
    t_skip "igmpdrv not found (set IGMPDRV)"
  t_ns s
  t_ns r
  t_ns h1
  t_veth s s0 10.1.0.1/24 r r0 10.1.0.254/24
  ip -n "${T_ID}-s" addr add 10.1.0.2/24 dev s0
  t_veth r r1 10.2.0.254/24 h1 h10 10.2.0.2/24
  ip -n "${T_ID}-s" route add default via 10.1.0.254
  ip -n "${T_ID}-h1" route add default via 10.2.0.254
  # IGMP timing of the host kernels: reports at once, v3 by default.
  nsx h1 sysctl -qw net.ipv4.conf.all.force_igmp_version=0 >/dev/null
}

# t_igmpdrv ARGS...: start igmpdrv in r; waits for READY.
t_igmpdrv() {
  t_bg r drv "$IGMPDRV" "$@"
  t_wait_for drv '^(READY|START_FAILED)' 15 || t_fail "igmpdrv did not start"
  grep -q '^READY' "$(t_out drv)" || t_fail "igmpdrv: $(cat "$(t_out drv)")"
}

# t_host TAG GROUP [SRC,...]: receiver on h1 (kernel sends the report).
t_host() {
  local tag=$1 g=$2 srcs=${3:-}
  # shellcheck disable=SC2086
  t_bg h1 "$tag" python3 -u "$IGMPTOOL" host "$g" "$PORT" 10.2.0.2 $srcs
  T_HOST_PID[$tag]=$T_LAST_PID
  t_wait_for "$tag" '^JOINED' 10 || t_fail "host $tag did not join"
}

# t_host_leave TAG: the host drops its membership (kernel sends the leave).
t_host_leave() {
  kill -USR1 "${T_HOST_PID[$1]}" 2>/dev/null || t_fail "cannot signal host $1"
  t_wait_for "$1" '^LEFT' 5 || t_fail "host $1 did not leave"
}

# t_send_from SRC GROUP COUNT TAG: UDP datagrams from s with TTL 8.
t_send_from() {
  nsx s python3 -u "$MCTOOL" send "$2" "$PORT" "$1" "$3" 8 20 "$4" >/dev/null 2>&1
}

# t_rx TAG PAYLOADTAG: datagrams with that payload tag the host got.
t_rx() {
  t_count "$1" "^RX [0-9.]+ $2 "
}
