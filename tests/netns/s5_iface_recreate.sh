#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# s5_iface_recreate.sh - scenario 5: an interface in use is deleted and
# re-created.  Linux empties the VIF slot without touching the MFC, so a
# backend that forgot to scrub would make the next device in that slot
# inherit the old outputs (kernel.md A.13).  We check:
#   1. before: h1 and h2 both get the flow (MFE r0 -> r1, r2);
#   2. r2 is deleted: h1 still gets it, the kernel entry no longer names the
#      slot, and r3 - taken now, no membership, so it lands in r2's old VIF
#      slot - gets nothing (no stale forwarding);
#   3. r2 is re-created (new ifindex): nothing reaches h2 until the
#      protocol takes the new r2 and joins again; then forwarding resumes.
. "$(dirname "$0")/lib.sh"
t_require
t_star 3

G=239.5.5.5
P=5005
N=6

t_recv 1 $G $P
t_recv 2 $G $P
RX2=$T_LAST_PID
t_recv 3 $G $P
t_drv_start drv r -j r1:$G -j r2:$G r0 r1 r2 || t_fail "mgmdrv: $(cat "$(t_out drv)")"
old_r2=$(t_ifindex r r2)

t_send $G $P $N 8 20 one
t_wait_for rx1 '^RX 10.1.0.1 one ' 10 $N || t_fail "h1 got $(t_rx_count 1 one)/$N"
t_wait_for rx2 '^RX 10.1.0.1 one ' 10 $N || t_fail "h2 got $(t_rx_count 2 one)/$N"

# 2. Delete r2 (its peer in h2 goes with it) and wait until libmgm noticed.
ip -n "${T_ID}-r" link del r2
for i in $(seq 50); do
  nsx r ip mroute show | grep -Eq "Oifs: r1 +State" && break
  sleep 0.1
done
nsx r ip mroute show | sed 's/^/  ip mroute: /'
nsx r ip mroute show | grep -Eq "^\(10\.1\.0\.1,$G\) +Iif: r0 +Oifs: r1 +State" ||
  t_fail "entry not rewritten without the deleted r2"
t_drv drv take r3 || t_fail "take r3"
nsx r cat /proc/net/ip_mr_vif | grep -Eq '^ +2 r3 ' ||
  t_fail "r3 did not get r2's old VIF slot 2: $(nsx r cat /proc/net/ip_mr_vif)"
t_send $G $P $N 8 20 two
t_wait_for rx1 '^RX 10.1.0.1 two ' 10 $N || t_fail "h1 got $(t_rx_count 1 two)/$N after r2 went"
[ "$(t_rx_count 3 two)" = 0 ] ||
  t_fail "stale forwarding: h3 (r3, no membership, re-used slot) got $(t_rx_count 3 two)"
nsx r cat /proc/net/ip_mr_cache | sed 's/^/  ip_mr_cache: /'

# 3. Re-create r2: a new device, a new ifindex.
t_veth h2 h20 10.3.0.2/24 r r2 10.3.0.254/24
new_r2=$(t_ifindex r r2)
[ "$new_r2" != "$old_r2" ] || t_fail "the kernel re-used the ifindex"
t_kill "$RX2" # h2's receiver lost its interface: start a new one
t_recv 2 $G $P
t_send $G $P $N 8 20 three
t_wait_for rx1 '^RX 10.1.0.1 three ' 10 $N || t_fail "h1 got $(t_rx_count 1 three)/$N"
[ "$(t_rx_count 2 three)" = 0 ] ||
  t_fail "h2 got $(t_rx_count 2 three) before the protocol took the new r2"

t_drv drv take r2 || t_fail "take of the re-created r2 failed"
t_drv drv join r2 $G || t_fail "join on the re-created r2 failed"
t_send $G $P $N 8 20 four
t_wait_for rx2 '^RX 10.1.0.1 four ' 10 $N ||
  t_fail "forwarding to the re-created r2 did not resume: h2 got $(t_rx_count 2 four)/$N"
t_wait_for rx1 '^RX 10.1.0.1 four ' 10 $N || t_fail "h1 got $(t_rx_count 1 four)/$N"
[ "$(t_rx_count 3 four)" = 0 ] || t_fail "h3 got packets"
nsx r ip mroute show | sed 's/^/  ip mroute: /'

t_drv_stop drv
t_pass "deleted interface scrubbed; no stale forwarding; resumed after re-take"
