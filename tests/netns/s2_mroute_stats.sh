#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# s2_mroute_stats.sh - scenario 2: the MFE libmgm created is the kernel's:
# it is listed by `ip mroute show` (iif r0, oif r1), MgmGetFirstMfe reports
# it with the RPF route (connected 10.1.0.0/24, PROTO_IP_LOCAL) and
# MgmGetFirstMfeStats counts exactly the packets sent (SIOCGETSGCNT), as
# does `ip -s mroute show`.
. "$(dirname "$0")/lib.sh"
t_require
t_star 1

G=239.2.2.2
P=5002
N=7

r0=$(t_ifindex r r0)
r1=$(t_ifindex r r1)
t_recv 1 $G $P
t_drv_start drv r -j r1:$G r0 r1 || t_fail "mgmdrv: $(cat "$(t_out drv)")"
t_send $G $P $N 8 20 s2
t_wait_for rx1 '^RX 10.1.0.1 s2 ' 10 $N || t_fail "h1 got $(t_rx_count 1 s2)/$N"

nsx r ip -s mroute show >"$T_TMP/mroute.txt"
sed 's/^/  ip mroute: /' "$T_TMP/mroute.txt"
grep -Eq "^\(10\.1\.0\.1,$G\) +Iif: r0 +Oifs: r1 +State: resolved" "$T_TMP/mroute.txt" ||
  t_fail "(10.1.0.1,$G) iif r0 -> r1 not in ip mroute show"
grep -Eq "^ +$N packets" "$T_TMP/mroute.txt" ||
  t_fail "ip -s mroute does not count $N packets"

t_drv drv mfes || t_fail "mfes failed"
t_drv drv stats || t_fail "stats failed"
grep -E '^(MFE|MFESTATS|MFES|STATSN) ' "$(t_out drv)" | sed 's/^/  mgmdrv: /'
grep -q "^MFE 10.1.0.1 $G iif=$r0 up=0.0.0.0 proto=2 net=10.1.0.0/255.255.255.0 oifs=$r1\$" \
  "$(t_out drv)" || t_fail "MgmGetFirstMfe does not report the entry"
grep -q '^MFES 1$' "$(t_out drv)" || t_fail "expected exactly one MFE"
grep -q "^MFESTATS 10.1.0.1 $G iif=$r0 pkts=$N octets=[1-9][0-9]* diffif=0\$" \
  "$(t_out drv)" || t_fail "MgmGetFirstMfeStats does not count $N packets"

t_drv_stop drv
[ -z "$(nsx r ip mroute show)" ] || t_fail "kernel entries left after libmgm_stop"
t_pass "MFE in ip mroute and in MgmGetFirstMfe(Stats) with $N packets"
