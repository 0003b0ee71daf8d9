#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# s3_rpf_creation_veto.sh - scenario 3: the first packet of a new flow
# makes libmgm call the RPF callback (iif r0 toward the sender, directly
# connected) and the creation alert (both member interfaces offered), once
# per flow; the protocol vetoes r2 in the creation alert (bIsEnabled =
# FALSE), so h2 stays dark while h1 gets every packet, the first included.
. "$(dirname "$0")/lib.sh"
t_require
t_star 2

G=239.3.3.3
P=5003
N=8

r0=$(t_ifindex r r0)
r1=$(t_ifindex r r1)
r2=$(t_ifindex r r2)
t_recv 1 $G $P
t_recv 2 $G $P
t_drv_start drv r -v r2 -j r1:$G -j r2:$G r0 r1 r2 ||
  t_fail "mgmdrv: $(cat "$(t_out drv)")"
t_send $G $P $N 8 20 s3
t_wait_for rx1 '^RX 10.1.0.1 s3 ' 10 $N || t_fail "h1 got $(t_rx_count 1 s3)/$N"
grep -E '^(RPF|CREATE) ' "$(t_out drv)" | sed 's/^/  mgmdrv: /'
[ "$(t_count drv "^RPF 10.1.0.1 $G iif=$r0 up=0.0.0.0\$")" = 1 ] ||
  t_fail "expected one RPF callback for the new flow (iif $r0)"
[ "$(t_count drv "^CREATE 10.1.0.1 $G iif=$r0 n=2 ")" = 1 ] ||
  t_fail "expected one creation alert offering 2 interfaces"
grep -Eq "^CREATE 10.1.0.1 $G iif=$r0 n=2 ($r1:1 $r2:0|$r2:0 $r1:1)\$" \
  "$(t_out drv)" || t_fail "creation alert did not carry the veto"
[ "$(t_rx_count 1 s0)" = 0 ] # no stray tags
first_rpf=$(grep -n '^RPF ' "$(t_out drv)" | head -n1 | cut -d: -f1)
first_create=$(grep -n '^CREATE ' "$(t_out drv)" | head -n1 | cut -d: -f1)
[ "$first_rpf" -lt "$first_create" ] || t_fail "RPF must precede the creation alert"
grep -q '^RX 10.1.0.1 s3 0$' "$(t_out rx1)" || t_fail "the first packet of the flow was not forwarded"
[ "$(t_rx_count 2 s3)" = 0 ] || t_fail "vetoed h2 got $(t_rx_count 2 s3) packets"
nsx r ip mroute show | grep -Eq "^\(10\.1\.0\.1,$G\) +Iif: r0 +Oifs: r1 +State" ||
  t_fail "kernel entry should list r1 only: $(nsx r ip mroute show)"

t_drv_stop drv
t_pass "RPF + creation alert on the first packet; the veto keeps h2 dark"
