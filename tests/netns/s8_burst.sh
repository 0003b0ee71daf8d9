#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# s8_burst.sh - scenario 8: a burst of 1000 new flows (one packet to each
# of 239.10.0.0 .. 239.10.3.231, sent back to back).  Each produces one
# NOCACHE upcall; the router socket's 8 MB buffer must hold them all (the
# kernel drops upcalls silently when it is full).  Every flow gets exactly
# one RPF callback and its MFE (MgmGetFirstMfe and `ip mroute show` list
# 1000 resolved entries), the queued first packet of every flow is
# forwarded to r1 (a (*,*) membership), and the backend counted 1000
# NOCACHE upcalls and no kernel drop.
. "$(dirname "$0")/lib.sh"
t_require
t_star 1

NF=1000
P=5008
export LIBMGM_LOG=warn,plat=info

t_drv_start drv r -j r1:0.0.0.0 r0 r1 || t_fail "mgmdrv: $(cat "$(t_out drv)")"
rx0=$(t_rxpkts h1 h10)
start=$(date +%s%N)
nsx s python3 -u "$MCTOOL" burst 239.10.0.0 $NF $P 10.1.0.1 8 1 | sed 's/^/  sender: /'
t_wait_for drv '^CREATE 10\.1\.0\.1 239\.10\.' 60 $NF ||
  t_fail "only $(t_count drv '^CREATE ') of $NF flows got a creation alert"
t_log "$NF MFEs created in $((($(date +%s%N) - start) / 1000000)) ms"
[ "$(t_count drv '^RPF 10\.1\.0\.1 239\.10\.')" = $NF ] ||
  t_fail "expected $NF RPF callbacks, got $(t_count drv '^RPF ')"
t_drv drv mfes
grep -q "^MFES $NF\$" "$(t_out drv)" || t_fail "$(grep '^MFES' "$(t_out drv)")"
n=$(nsx r ip mroute show | grep -c "^(10\.1\.0\.1,239\.10\..*Iif: r0 .*Oifs: r1 .*State: resolved")
[ "$n" = $NF ] || t_fail "ip mroute shows $n resolved entries, want $NF"
for i in $(seq 50); do
  [ $(($(t_rxpkts h1 h10) - rx0)) -ge $NF ] && break
  sleep 0.1
done
d=$(($(t_rxpkts h1 h10) - rx0))
[ "$d" -ge $NF ] || t_fail "h1 received $d packets, want >= $NF (one queued packet per flow)"
t_drv_stop drv
grep 'closing table' "$(t_out drv)" | sed 's/^/  /'
grep -q "closing table 253: $NF nocache, .* 0 kernel drops" "$(t_out drv)" ||
  t_fail "backend counters: $(grep 'closing table' "$(t_out drv)")"
t_pass "$NF new flows, $NF MFEs, no upcall lost"
