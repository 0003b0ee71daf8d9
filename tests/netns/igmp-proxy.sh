#!/bin/bash
# SPDX-License-Identifier: MIT
#
# igmp-proxy.sh - proxy mode: a host joins on the downstream link; the
# component joins upstream as a host: its IGMPv3 report for the group is
# seen on the upstream link (raw IGMP socket in the source namespace;
# needs ctrl_send); traffic from the upstream source flows down; when the
# host leaves, the upstream leave (TO_IN({})) is seen as well.
. "$(dirname "$0")/igmp-common.sh"

t_igmp_topo
t_bg s sniff python3 -u "$IGMPTOOL" sniff 10.1.0.1
t_wait_for sniff '^SNIFFING' 5 || t_fail "sniffer"
t_igmpdrv $IGMPDRV_ARGS --up r0 --down r1 --lmqi 500

t_host rx "$GRP"
t_wait_for drv "^UPSTREAM \\+ $GRP EXCLUDE" 10 ||
  t_fail "no upstream membership record"
t_wait_for sniff "^IGMP 10\\.1\\.0\\.254 224\\.0\\.0\\.22 0x22 4:$GRP:0" 5 ||
  t_fail "no TO_EX report upstream from the proxy (ctrl_send missing?)"
t_log "upstream join seen on the upstream link"

t_send_from 10.1.0.1 "$GRP" 20 down
sleep 0.5
n=$(t_rx rx down)
[ "$n" -ge 15 ] || t_fail "traffic did not flow down ($n/20)"
t_log "traffic flows down: $n/20"

t_host_leave rx
t_wait_for sniff "^IGMP 10\\.1\\.0\\.254 224\\.0\\.0\\.22 0x22 3:$GRP:0" 5 ||
  t_fail "no TO_IN({}) upstream after the last host left"
t_pass "proxy joins and leaves upstream; traffic flows down"
