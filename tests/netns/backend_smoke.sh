#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# backend_smoke.sh - the Linux backend alone (no core) forwards for real.
#
# lnxsmoke opens mgm__linux_ops in router namespace r, attaches r0 (toward
# the sender) and r1, r2 (toward two receivers) and answers each NOCACHE
# upcall with an MFE r0 -> {r1, r2}.  We check: the upcall arrives with the
# right (S,G) and arrival ifindex; both receivers get every packet sent
# after the MFE exists (the kernel also replays up to 4 queued ones); `ip
# mroute show` lists the entry; SIOCGETSGCNT counts the packets; an IGMP
# join from a receiver reaches the router socket with its ifindex (our own
# looped-back reports do not); the RPF
# lookup toward the sender names r0; after close the kernel holds nothing.
. "$(dirname "$0")/lib.sh"
t_require
t_star 2

G=239.1.1.1
P=5001
N=10

r0=$(t_ifindex r r0)
r1=$(t_ifindex r r1)
t_bg r smoke "$LNXSMOKE" -r 10.1.0.1 r0 r1 r2
SMOKE=$T_LAST_PID
t_wait_for smoke '^READY' 10 || t_fail "lnxsmoke did not start"
grep -q "^ROUTE 10.1.0.1 rc=0 ifindex=$r0 upstream=0.0.0.0 net=10.1.0.0/255.255.255.0 proto=2" \
  "$(t_out smoke)" || t_fail "RPF lookup toward the sender did not name r0"

t_recv 1 $G $P
t_recv 2 $G $P
t_wait_for smoke "^IGMP $r1 10.2.0.2 " 10 ||
  t_fail "no IGMP report from h1 seen on the router socket with ifindex $r1"

t_send $G $P $N 8 20 smoke
t_wait_for smoke "^NOCACHE $r0 10.1.0.1 $G " 10 || t_fail "no NOCACHE upcall"
t_wait_for smoke "^MFE_SET 10.1.0.1 $G rc=0" 10 || t_fail "mfe_set failed"
t_wait_for rx1 '^RX 10.1.0.1 smoke' 10 $N || t_fail "h1 got $(t_count rx1 '^RX') of $N"
t_wait_for rx2 '^RX 10.1.0.1 smoke' 10 $N || t_fail "h2 got $(t_count rx2 '^RX') of $N"
[ "$(t_count smoke '^NOCACHE')" = 1 ] || t_fail "expected exactly one NOCACHE"

nsx r ip mroute show >"$T_TMP/mroute.txt"
cat "$T_TMP/mroute.txt"
grep -q "(10.1.0.1,$G).*Iif: r0.*Oifs: .*r1.*r2" "$T_TMP/mroute.txt" ||
  grep -q "(10.1.0.1,$G).*Iif: r0.*Oifs: .*r2.*r1" "$T_TMP/mroute.txt" ||
  t_fail "entry not in ip mroute show"

t_kill "$SMOKE"
cat "$(t_out smoke)"
grep -Eq '^IGMP [0-9]+ 10\.[0-9]+\.0\.254 ' "$(t_out smoke)" &&
  t_fail "the router's own looped-back IGMP reports were passed on"
grep -q "^STATS 10.1.0.1 $G rc=0 pkts=$N " "$(t_out smoke)" ||
  t_fail "SIOCGETSGCNT did not count $N packets"
[ -z "$(nsx r ip mroute show)" ] || t_fail "kernel still holds entries after close"
[ "$(nsx r cat /proc/net/ip_mr_vif | wc -l)" = 1 ] || t_fail "VIFs left after close"
t_pass "backend alone: upcall, MFE, forwarding to 2 receivers, stats, IGMP, RPF, clean close"
