#!/bin/bash
# SPDX-License-Identifier: MIT
#
# igmp-querier.sh - querier election on the downstream link: the router
# (10.2.0.100) starts as querier and sends general queries (needs
# ctrl_send: h1 sniffs them); a second querier with a higher address
# (10.2.0.200, a bridge port on the same LAN) does not take over; one with
# a lower address (10.2.0.1) does: the router becomes non-querier and
# stops querying.
. "$(dirname "$0")/igmp-common.sh"

t_require
command -v "$IGMPDRV" >/dev/null 2>&1 || [ -x "$IGMPDRV" ] ||
  t_skip "igmpdrv not found (set IGMPDRV)"
# LAN: a bridge in namespace lan; r, h1, qhi and qlo hang off it.
t_ns lan
t_ns r
t_ns h1
t_ns qhi
t_ns qlo
ip -n "${T_ID}-lan" link add br0 type bridge mcast_snooping 0 ||
  t_fail "bridge"
ip -n "${T_ID}-lan" link set br0 up
for p in "r r1 10.2.0.100/24" "h1 h10 10.2.0.2/24" "qhi q0 10.2.0.200/24" \
         "qlo q0 10.2.0.1/24"; do
  set -- $p
  t_veth lan "l$1" - "$1" "$2" "$3"
  ip -n "${T_ID}-lan" link set "l$1" master br0
done
t_bg h1 sniff python3 -u "$IGMPTOOL" sniff
t_wait_for sniff '^SNIFFING' 5 || t_fail "sniffer"
t_igmpdrv $IGMPDRV_ARGS --down r1 --qi 10 --qri 2000
R1=$(t_ifindex r r1)
t_wait_for drv "^QUERIER $R1 yes" 5 || t_fail "router did not start as querier"

t_wait_for sniff '^IGMP 10\.2\.0\.100 224\.0\.0\.1 0x11' 5 ||
  t_fail "no general query from the router on the LAN (ctrl_send missing?)"
t_log "router queries as querier"

t_bg qhi qhi python3 -u "$IGMPTOOL" query 10.2.0.200 3 1
t_wait_for qhi '^QUERY 3' 10 || t_fail "higher querier did not send"
sleep 0.5
[ "$(t_count drv "^QUERIER $R1 no")" -eq 0 ] ||
  t_fail "a higher address took the querier role"
t_log "higher address ignored"

t_bg qlo qlo python3 -u "$IGMPTOOL" query 10.2.0.1 100 1
t_wait_for drv "^QUERIER $R1 no 10\\.2\\.0\\.1" 5 ||
  t_fail "lower address did not win the election"
sleep 1
before=$(t_count sniff '^IGMP 10\.2\.0\.100 224\.0\.0\.1 0x11')
sleep 12
after=$(t_count sniff '^IGMP 10\.2\.0\.100 224\.0\.0\.1 0x11')
[ "$after" -eq "$before" ] || t_fail "non-querier still sends general queries"
t_pass "lower address is querier; the router defers to it"
