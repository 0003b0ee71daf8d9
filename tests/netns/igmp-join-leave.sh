#!/bin/bash
# SPDX-License-Identifier: MIT
#
# igmp-join-leave.sh - a real host joins a group with an ordinary socket
# (its kernel sends the IGMPv3 report); the IGMP component (igmpdrv, proxy
# mode: upstream r0 toward the source, downstream r1) turns it into an MGM
# membership and traffic from the source reaches the host; the host leaves
# (kernel sends TO_IN({})) and within the leave latency (Last Member Query
# Time = 2 x 500 ms, plus slack) the membership is gone and traffic stops.
# Needs nothing sent by the component, so it works without ctrl_send.
. "$(dirname "$0")/igmp-common.sh"

t_igmp_topo
t_igmpdrv $IGMPDRV_ARGS --up r0 --down r1 --lmqi 500
R1=$(t_ifindex r r1)

t_host rx "$GRP"
t_wait_for drv "^MEMBER \\+ $R1 0\\.0\\.0\\.0 $GRP\$" 10 ||
  t_fail "no (*,G) membership on r1 after the host joined"
t_log "joined: (*,$GRP) on ifindex $R1"

t_send_from 10.1.0.1 "$GRP" 20 before
sleep 0.5
n=$(t_rx rx before)
[ "$n" -ge 15 ] || t_fail "host received $n of 20 datagrams while joined"
t_log "traffic flows: $n/20"

t0=$(date +%s%N)
t_host_leave rx
t_wait_for drv "^MEMBER - $R1 0\\.0\\.0\\.0 $GRP\$" 5 ||
  t_fail "membership still there 5 s after the leave"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
t_log "membership gone ${ms} ms after the leave"
[ "$ms" -le 2500 ] || t_fail "leave latency ${ms} ms > LMQT 1000 ms + slack"

t_send_from 10.1.0.1 "$GRP" 20 after
sleep 0.5
n=$(t_rx rx after)
[ "$n" -eq 0 ] || t_fail "host still received $n datagrams after leaving"
t_pass "join -> traffic, leave -> no traffic within ${ms} ms"
