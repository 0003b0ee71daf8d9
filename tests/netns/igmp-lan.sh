#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# igmp-lan.sh - mgmd's IGMP component as a citizen of a shared LAN, on the
# linux backend between network namespaces, read back with mgmctl:
#
#   s (10.1.0.1) --r0-- r (mgmd: IGMP on r0 and r1) --r1-- h1 (10.2.0.2)
#
# 1. QQIC on the wire (RFC 3376 4.1.7): with query-interval 300 the query
#    h1 reads advertises 304 s (QQIC 0x93), never 288 s (0x92).
# 2. SSM (RFC 4604): h1's kernel, forced to IGMPv2, joins 232.1.2.3: no
#    membership, no traffic from s, the counter in `mgmctl show igmp` and
#    a debug line that says why; the same host's IGMPv2 join of 239.1.2.3
#    works (the control).
# 3. RFC 3376 7.3.1: an IGMPv2 querier on the LAN (h1, lower address) sends
#    three queries: one warning naming r1 and 10.2.0.2; mgmctl shows the
#    router as non-querier with its Other Querier Present timer.
# 4. A link that goes down: after a reload with a short query interval,
#    r0 goes down and up: one warning that says the interface is down
#    (ERROR_INVALID_PARAMETER (87)), never "no queries go out", then a line
#    when the sends work again.
# Environment (set by CTest): MGMD, MGMCTL, MCTOOL; IGMPTOOL defaults to
# igmp-tool.py next to this script.
. "$(dirname "$0")/lib.sh"
t_require

MGMD="${MGMD:-mgmd}"
MGMCTL="${MGMCTL:-mgmctl}"
IGMPTOOL="${IGMPTOOL:-$T_HERE/igmp-tool.py}"
[ -x "$MGMD" ] || command -v "$MGMD" >/dev/null || t_fail "no mgmd ($MGMD)"
SOCK="$T_TMP/mgmd.sock"
CONF="$T_TMP/mgmd.conf"
P=5003

ctl() {
  "$MGMCTL" -s "$SOCK" "$@"
}

# igmp_json EXPR: a Python expression over `mgmctl --json show igmp` (r =
# the reply, i = r1's interface object).
igmp_json() {
  ctl --json show igmp | python3 -c '
import json, sys
r = json.load(sys.stdin)
i = next((x for x in r.get("interfaces", []) if x["name"] == "r1"), None)
print(eval(sys.argv[1]))' "$1"
}

# rx TAG PAYLOAD: datagrams with that payload tag a receiver got.
rx() {
  t_count "$1" "^RX 10\\.1\\.0\\.1 $2 "
}

write_conf() { # write_conf QUERY_INTERVAL QUERY_RESPONSE_MS
  cat >"$CONF" <<EOF
# igmp-lan.sh: router r
backend linux
log-level debug

[igmp]
version 3
query-interval $1
query-response-interval $2
interface r0
interface r1
EOF
}

t_star 1
t_bg h1 sniff python3 -u "$IGMPTOOL" sniff
t_wait_for sniff '^SNIFFING' 5 || t_fail "sniffer"
write_conf 300 2000
nsx r "$MGMD" --check "$CONF" || t_fail "mgmd --check rejected the configuration"
t_bg r mgmd "$MGMD" -s "$SOCK" "$CONF"
for _ in $(seq 50); do
  ctl ping >/dev/null 2>&1 && break
  sleep 0.1
done
ctl ping >/dev/null 2>&1 || t_fail "mgmd did not answer"

# ---- 1. QQIC on the wire ----------------------------------------------------
t_wait_for sniff '^IGMP 10\.2\.0\.254 224\.0\.0\.1 0x11 0\.0\.0\.0 v3 ' 10 ||
  t_fail "no IGMPv3 general query from the router on h1's link"
q=$(grep -m1 -E '^IGMP 10\.2\.0\.254 224\.0\.0\.1 0x11' "$(t_out sniff)")
t_log "query on the wire: $q"
case "$q" in
*" qqic=0x93 qqi=304") ;;
*) t_fail "query-interval 300 is not advertised as 304 s: $q" ;;
esac
[ "$(t_count mgmd 'query-interval 300 s goes out as 304 s')" -eq 1 ] ||
  t_fail "mgmd did not say that 300 s goes out as 304 s"
ctl show igmp | grep -q 'query interval 300 s (advertised as 304 s)' ||
  t_fail "mgmctl show igmp does not show the advertised interval"
t_log "QQIC advertises 304 s for 300 s"

# ---- 2. SSM: an IGMPv2 host joins 232.1.2.3 ---------------------------------
nsx h1 sysctl -qw net.ipv4.conf.h10.force_igmp_version=2 ||
  t_fail "cannot force IGMPv2 on h1"
t_bg h1 rxssm python3 -u "$IGMPTOOL" host 232.1.2.3 "$P" 10.2.0.2
t_wait_for rxssm '^JOINED' 10 || t_fail "host did not join 232.1.2.3"
t_wait_for mgmd 'r1: IGMPv2 report for 232\.1\.2\.3 from 10\.2\.0\.2 ignored: 232\.0\.0\.0/8 is the SSM range' 10 ||
  t_fail "no debug line about the IGMPv2 report in the SSM range"
n=$(igmp_json 'i["counters"]["rx_ssm_ignored"]')
[ "$n" -ge 1 ] || t_fail "rx_ssm_ignored is $n"
[ "$(igmp_json 'len([g for g in i["groups"] if g["group"] == "232.1.2.3"])')" = 0 ] ||
  t_fail "IGMP has state for 232.1.2.3"
ctl --json show groups | grep -q '"232\.1\.2\.3"' &&
  t_fail "MGM has a membership for 232.1.2.3"
ctl show igmp | grep -qE 'any-source requests? in the SSM range ignored' ||
  t_fail "mgmctl show igmp does not show the SSM counter"
nsx s python3 -u "$MCTOOL" send 232.1.2.3 "$P" 10.1.0.1 20 8 20 ssm >/dev/null 2>&1
# the control: the same IGMPv2 host outside the SSM range
t_bg h1 rxasm python3 -u "$IGMPTOOL" host 239.1.2.3 "$P" 10.2.0.2
t_wait_for rxasm '^JOINED' 10 || t_fail "host did not join 239.1.2.3"
for _ in $(seq 50); do
  ctl --json show groups | grep -q '"239\.1\.2\.3"' && break
  sleep 0.1
done
ctl --json show groups | grep -q '"239\.1\.2\.3"' ||
  t_fail "the IGMPv2 join of 239.1.2.3 made no membership"
nsx s python3 -u "$MCTOOL" send 239.1.2.3 "$P" 10.1.0.1 20 8 20 asm >/dev/null 2>&1
sleep 0.5
nssm=$(rx rxssm ssm)
nasm=$(rx rxasm asm)
t_log "IGMPv2 host: 232.1.2.3 got $nssm/20, 239.1.2.3 got $nasm/20; rx_ssm_ignored $n"
[ "$nssm" -eq 0 ] || t_fail "an IGMPv2 join in the SSM range got traffic ($nssm)"
[ "$nasm" -ge 15 ] || t_fail "the IGMPv2 join of 239.1.2.3 got $nasm/20"
t_log "SSM range: IGMPv2 joins make no (*,G)"

# ---- 3. An IGMPv2 querier on an IGMPv3 link ---------------------------------
t_bg h1 q2 python3 -u "$IGMPTOOL" query 10.2.0.2 3 2 2
t_wait_for q2 '^QUERY 3' 15 || t_fail "the IGMPv2 querier did not send"
sleep 0.5
w=$(t_count mgmd 'IGMPv2 querier')
[ "$w" -eq 1 ] || t_fail "$w older-querier warnings for 3 queries (want 1)"
[ "$(t_count mgmd 'warn .*r1: IGMPv2 querier 10\.2\.0\.2 on this IGMPv3 link')" -eq 1 ] ||
  t_fail "the warning does not name r1 and 10.2.0.2: $(grep 'IGMPv2 querier' "$(t_out mgmd)")"
[ "$(t_count mgmd 'querier on an IGMPv3 link|if [0-9]+:')" -eq 0 ] ||
  t_fail "an interface named by number"
show=$(ctl show igmp)
echo "$show" | grep -q '^r1 (10\.2\.0\.254): non-querier, querier 10\.2\.0\.2' ||
  t_fail "mgmctl does not show r1 as non-querier: $show"
echo "$show" | grep -qE '^  other querier present: [0-9]+ s left' ||
  t_fail "mgmctl shows no other-querier-present timer: $show"
t_log "one warning naming r1 and 10.2.0.2; mgmctl shows the timer"

# ---- 4. A link that goes down -----------------------------------------------
write_conf 4 1000
ctl reload >/dev/null || t_fail "reload refused"
sleep 1.5 # the restarted component's startup queries go out
ip -n "${T_ID}-r" link set r0 down
t_wait_for mgmd 'r0: cannot send IGMP messages: ERROR_INVALID_PARAMETER \(87\): the interface is down' 10 ||
  t_fail "no warning naming r0 as down: $(grep -E 'igmp.*(cannot send|error)' "$(t_out mgmd)")"
ip -n "${T_ID}-r" link set r0 up
t_wait_for mgmd 'r0: IGMP messages go out again' 10 ||
  t_fail "the resumed sends on r0 were not said"
[ "$(t_count mgmd 'no queries go out')" -eq 0 ] ||
  t_fail "a link that was down taken for a backend that cannot send"
[ "$(t_count mgmd 'r0: cannot send IGMP messages')" -eq 1 ] ||
  t_fail "more than one warning for one outage"
t_pass "QQIC rounds up, SSM joins need sources, older querier and link down are named"
