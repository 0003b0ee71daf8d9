#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# s1_forwarding.sh - scenario 1: a sender, a router, receivers.  Packets
# reach exactly the receivers whose interfaces have MGM memberships, and
# deleting a membership stops them.
#
# mgmdrv owns r0..r3 on router r and holds (*,G) memberships on r1 and r2.
# Hosts h1, h2 and h3 all run a receiver socket joined to G, but h3's
# router interface r3 has no membership: it must stay dark.  After
# `leave r2 G` the next packets reach h1 only.
. "$(dirname "$0")/lib.sh"
t_require
t_star 3

G=239.1.1.1
P=5001
N=10

t_recv 1 $G $P
t_recv 2 $G $P
t_recv 3 $G $P
t_drv_start drv r -j r1:$G -j r2:$G r0 r1 r2 r3 || t_fail "mgmdrv: $(cat "$(t_out drv)")"

t_send $G $P $N 8 20 first
t_wait_for rx1 '^RX 10.1.0.1 first ' 10 $N || t_fail "h1 got $(t_rx_count 1 first)/$N"
t_wait_for rx2 '^RX 10.1.0.1 first ' 10 $N || t_fail "h2 got $(t_rx_count 2 first)/$N"
[ "$(t_rx_count 3 first)" = 0 ] || t_fail "h3 (no membership) got $(t_rx_count 3 first) packets"
t_log "first burst: h1=$(t_rx_count 1 first) h2=$(t_rx_count 2 first) h3=0"

t_drv drv leave r2 $G || t_fail "leave r2 refused"
t_send $G $P $N 8 20 second
t_wait_for rx1 '^RX 10.1.0.1 second ' 10 $N || t_fail "h1 got $(t_rx_count 1 second)/$N after the leave"
[ "$(t_rx_count 2 second)" = 0 ] || t_fail "h2 still got $(t_rx_count 2 second) packets after its membership was deleted"
[ "$(t_rx_count 3 second)" = 0 ] || t_fail "h3 got packets"
t_log "after leave r2: h1=$(t_rx_count 1 second) h2=0 h3=0"

t_drv_stop drv
[ -z "$(nsx r ip mroute show)" ] || t_fail "kernel entries left after libmgm_stop"
t_pass "forwarding follows memberships; a delete stops it"
