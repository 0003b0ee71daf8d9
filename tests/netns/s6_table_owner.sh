#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# s6_table_owner.sh - scenario 6: one owner per kernel table.
#   A. A second router on the same table: libmgm_start returns ERROR_BUSY
#      (170) and the log says "another multicast router owns table 253";
#      the first router keeps forwarding.
#   B. Two routers on tables 100 and 101 in one namespace (ipmr rules send
#      r0's traffic to table 100 and r3's to table 101) are isolated: each
#      forwards only its own flow and lists only its own MFE.
. "$(dirname "$0")/lib.sh"
t_require
t_star 2
t_ns s2
t_veth s2 s20 10.5.0.1/24 r r3 10.5.0.254/24

G=239.6.6.6
P=5006
N=5

t_recv 1 $G $P
t_recv 2 $G $P

# A. Same (default) table twice.
t_drv_start a r -j r1:$G r0 r1 || t_fail "first router: $(cat "$(t_out a)")"
if t_drv_start b r r2; then
  t_fail "a second router on table 253 started"
fi
grep -q '^START_FAILED 170$' "$(t_out b)" || t_fail "expected ERROR_BUSY (170): $(cat "$(t_out b)")"
grep -q 'another multicast router owns table 253' "$(t_out b)" ||
  t_fail "the log does not name the owned table: $(cat "$(t_out b)")"
sed 's/^/  second router: /' "$(t_out b)"
t_send $G $P $N 8 20 busy
t_wait_for rx1 '^RX 10.1.0.1 busy ' 10 $N || t_fail "first router stopped forwarding"
t_drv_stop a

# B. Tables 100 and 101 side by side.
nsx r ip mrule add iif r0 lookup 100
nsx r ip mrule add iif r3 lookup 101
t_drv_start t100 r -t 100 -j r1:$G r0 r1 || t_fail "table 100: $(cat "$(t_out t100)")"
t_drv_start t101 r -t 101 -j r2:$G r3 r2 || t_fail "table 101: $(cat "$(t_out t101)")"
t_send $G $P $N 8 20 t100
nsx s2 python3 -u "$MCTOOL" send $G $P 10.5.0.1 $N 8 20 t101 | sed 's/^/  sender2: /'
t_wait_for rx1 '^RX 10.1.0.1 t100 ' 10 $N || t_fail "h1 got $(t_rx_count 1 t100)/$N via table 100"
t_wait_for rx2 '^RX 10.5.0.1 t101 ' 10 $N || t_fail "h2 got $(t_count rx2 '^RX 10.5.0.1 t101')/$N via table 101"
[ "$(t_count rx1 '^RX 10.5.0.1 ')" = 0 ] || t_fail "table 101's flow leaked to h1"
[ "$(t_rx_count 2 t100)" = 0 ] || t_fail "table 100's flow leaked to h2"
t_drv t100 mfes
t_drv t101 mfes
grep -q '^MFES 1$' "$(t_out t100)" && grep -q "^MFE 10.1.0.1 $G " "$(t_out t100)" ||
  t_fail "table 100 router should list only (10.1.0.1,$G)"
grep -q '^MFES 1$' "$(t_out t101)" && grep -q "^MFE 10.5.0.1 $G " "$(t_out t101)" ||
  t_fail "table 101 router should list only (10.5.0.1,$G)"
nsx r ip mroute show table 100 | sed 's/^/  table 100: /'
nsx r ip mroute show table 101 | sed 's/^/  table 101: /'
nsx r ip mroute show table 100 | grep -q "(10.1.0.1,$G)" || t_fail "not in table 100"
nsx r ip mroute show table 100 | grep -q "(10.5.0.1,$G)" && t_fail "table 101's entry in table 100"
nsx r ip mroute show table 101 | grep -q "(10.5.0.1,$G)" || t_fail "not in table 101"
t_drv_stop t100
t_drv_stop t101
t_pass "second owner refused with ERROR_BUSY naming the table; tables 100/101 isolated"
