#!/bin/sh
# SPDX-License-Identifier: MIT
#
# iflink_test.sh MGMD MGMCTL PLUGIN_DIR CONF - a link flap on the sim
# backend: IGMP starts over on the interface that comes back up (startup
# query, RFC 3376 7) with no reload, and a host that reports again gets the
# traffic again.
set -u
mgmd=$1 mgmctl=$2 plugdir=$3 conf=$4
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mgmd-iflink.XXXXXX")
export MGMD_SOCKET="$tmp/mgmd.sock"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "iflink_test: $*"
  echo "--- mgmd's log:"
  cat "$tmp/log"
  exit 1
}
"$mgmd" --socket "$MGMD_SOCKET" --plugin-dir "$plugdir" "$conf" 2>"$tmp/log" &
pid=$!
i=0
until "$mgmctl" ping >/dev/null 2>&1; do
  i=$((i + 1))
  [ $i -gt 100 ] && fail "mgmd did not answer"
  sleep 0.1
done
"$mgmctl" sim igmp join lan3 239.1.2.3 >/dev/null || fail "join"
"$mgmctl" sim inject up0 10.1.0.5 239.1.2.3 | grep -q "forwarded to lan3" ||
  fail "no delivery to lan3 before the flap"
"$mgmctl" sim link lan3 down >/dev/null || fail "link down"
out=$("$mgmctl" sim link lan3 up) || fail "link up"
echo "$out" | grep -q "lan3 came up: IGMP starts over there (address 10.3.0.254, startup queries)" ||
  fail "IGMP did not start over on lan3: $out"
echo "$out" | grep -q "sent IGMPv2 general query on lan3" ||
  fail "no startup query on lan3: $out"
"$mgmctl" sim igmp join lan3 239.1.2.3 >/dev/null || fail "join again"
"$mgmctl" sim inject up0 10.1.0.5 239.1.2.3 | grep -q "forwarded to lan3" ||
  fail "no delivery to lan3 after the host reported again"
"$mgmctl" show mfe | grep -q "Oifs: lan3 " || fail "mgmctl shows no lan3"
grep -q "reload" "$tmp/log" && fail "something reloaded"
echo "iflink_test: IGMP followed the link flap"
