#!/bin/bash
# SPDX-License-Identifier: MIT
#
# igmp-ssm.sh - a host joins (S1,G) with IP_ADD_SOURCE_MEMBERSHIP (its
# kernel sends an IGMPv3 ALLOW/INCLUDE report); the component adds the
# (S1,G) membership only; traffic from S1 reaches the host, traffic from
# S2 to the same group does not.
. "$(dirname "$0")/igmp-common.sh"

t_igmp_topo
t_igmpdrv $IGMPDRV_ARGS --up r0 --down r1 --lmqi 500
R1=$(t_ifindex r r1)

t_host rx "$GRP" 10.1.0.1
t_wait_for drv "^MEMBER \\+ $R1 10\\.1\\.0\\.1 $GRP\$" 10 ||
  t_fail "no (S1,G) membership after the source-specific join"
[ "$(t_count drv "^MEMBER \\+ $R1 0\\.0\\.0\\.0 $GRP")" -eq 0 ] ||
  t_fail "an INCLUDE join produced (*,G)"

t_send_from 10.1.0.1 "$GRP" 20 s1
t_send_from 10.1.0.2 "$GRP" 20 s2
sleep 0.5
n1=$(t_rx rx s1)
n2=$(t_rx rx s2)
t_log "from S1: $n1/20, from S2: $n2/20"
[ "$n1" -ge 15 ] || t_fail "(S1,G) traffic did not flow ($n1)"
[ "$n2" -eq 0 ] || t_fail "traffic from S2 reached an (S1,G)-only host ($n2)"
t_pass "source-specific membership forwards S1 only"
