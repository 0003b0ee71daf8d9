#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# s9_wrong_if.sh - wrong-interface packets (mgm-spec 4.6, kernel.md A.7):
# with wrong-if alerts configured, libmgm turns MRT_ASSERT on; a packet of
# an existing (S,G) that arrives on one of the entry's outputs (r1) instead
# of its iif (r0) raises a WRONGVIF upcall and the owner's wrong-interface
# callback names r1.  The kernel drops the packet and counts it
# (ulPktsDifferentIf, not ulInPkts), and h2 never sees it.
. "$(dirname "$0")/lib.sh"
t_require
t_star 2

G=239.9.9.9
P=5009
N=4

r1=$(t_ifindex r r1)
t_recv 2 $G $P
t_drv_start drv r -w -j r1:$G -j r2:$G r0 r1 r2 || t_fail "mgmdrv: $(cat "$(t_out drv)")"
t_send $G $P $N 8 20 good
t_wait_for rx2 '^RX 10.1.0.1 good ' 10 $N || t_fail "h2 got $(t_rx_count 2 good)/$N"

# h1 sends as if it were the source 10.1.0.1: the packets reach r1.
ip -n "${T_ID}-h1" addr add 10.1.0.1/32 dev h10
nsx h1 python3 -u "$MCTOOL" send $G $P 10.1.0.1 $N 8 20 wrong | sed 's/^/  spoofer: /'
t_wait_for drv "^WRONGIF 10.1.0.1 $G if=$r1\$" 10 || t_fail "no wrong-interface callback for r1"
grep '^WRONGIF' "$(t_out drv)" | sed 's/^/  mgmdrv: /'
[ "$(t_rx_count 2 wrong)" = 0 ] || t_fail "wrong-interface packets were forwarded"
t_drv drv stats
grep -Eq "^MFESTATS 10.1.0.1 $G .* diffif=[1-9]" "$(t_out drv)" ||
  t_fail "no wrong-interface packets counted: $(grep MFESTATS "$(t_out drv)")"
# ulInPkts counts the $N packets that arrived on r0, not the wrong ones
# (the kernel's pktcnt has both).
grep -Eq "^MFESTATS 10.1.0.1 $G .* pkts=$N " "$(t_out drv)" ||
  t_fail "ulInPkts is not the $N good packets: $(grep MFESTATS "$(t_out drv)")"
t_drv_stop drv
t_pass "wrong-interface upcall reached the owner of r1; packets dropped and counted"
