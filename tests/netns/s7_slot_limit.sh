#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# s7_slot_limit.sh - scenario 7: the kernel has 32 VIF slots.  The protocol
# takes 33 interfaces: the first 32 succeed, the 33rd fails with a clear
# error (ERROR_NOT_ENOUGH_MEMORY, 8, from the backend's MGM_BE_ENOSLOT)
# and the first 32 keep forwarding: h1 and h2 receive every packet and each
# of the 29 other member interfaces transmits them (device counters).
# The 29 extra links end in a sink namespace k.
. "$(dirname "$0")/lib.sh"
t_require
t_star 2
t_ns k
for i in $(seq 3 32); do
  t_veth r "x$i" - k "y$i" -
done

G=239.7.7.7
P=5007
N=5

t_recv 1 $G $P
t_recv 2 $G $P
args=""
for i in $(seq 3 31); do args="$args -j x$i:$G"; done
t_drv_start drv r -j r1:$G -j r2:$G $args r0 r1 r2 $(for i in $(seq 3 31); do echo "x$i"; done) ||
  t_fail "mgmdrv: $(cat "$(t_out drv)")"
[ "$(t_count drv '^TAKE .* rc=0$')" = 32 ] || t_fail "32 takes should succeed"
[ "$(nsx r cat /proc/net/ip_mr_vif | tail -n +2 | wc -l)" = 32 ] || t_fail "32 VIFs expected"
t_drv drv take x32 && t_fail "the 33rd take succeeded"
grep '^TAKE x32 ' "$(t_out drv)" | sed 's/^/  /'
grep -q '^TAKE x32 [0-9]* rc=8$' "$(t_out drv)" ||
  t_fail "the 33rd take should fail with ERROR_NOT_ENOUGH_MEMORY (8)"
grep -i 'x32\|slot\|VIF' "$(t_out drv)" | grep -v '^TAKE\|^OK\|^ERR' | sed 's/^/  log: /'

for i in $(seq 3 32); do before[$i]=$(t_txpkts r "x$i"); done
t_send $G $P $N 8 20 s7
t_wait_for rx1 '^RX 10.1.0.1 s7 ' 10 $N || t_fail "h1 got $(t_rx_count 1 s7)/$N"
t_wait_for rx2 '^RX 10.1.0.1 s7 ' 10 $N || t_fail "h2 got $(t_rx_count 2 s7)/$N"
for i in $(seq 3 31); do
  d=$(($(t_txpkts r "x$i") - before[$i]))
  [ "$d" -ge $N ] || t_fail "x$i transmitted $d of $N packets"
done
d=$(($(t_txpkts r x32) - before[32]))
[ "$d" -lt $N ] || t_fail "x32 (no slot) transmitted $d packets"
nsx r ip mroute show | grep -q 'x31' || t_fail "x31 not an output"
nsx r ip mroute show | grep -q 'x32' && t_fail "x32 is an output"
t_drv_stop drv
t_pass "33rd interface refused with ERROR_NOT_ENOUGH_MEMORY; 32 slots keep forwarding"
