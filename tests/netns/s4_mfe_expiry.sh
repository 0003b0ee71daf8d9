#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# s4_mfe_expiry.sh - scenario 4: with mfe_lifetime_s = 5 the MFE expires
# (libmgm deletes it from its table and from the kernel, no callback), and
# the next packet of the flow re-creates it: a new NOCACHE, RPF and
# creation alert, forwarding again.
. "$(dirname "$0")/lib.sh"
t_require
t_star 1

G=239.4.4.4
P=5004
N=3
LIFE=5

t_recv 1 $G $P
t_drv_start drv r -l $LIFE -j r1:$G r0 r1 || t_fail "mgmdrv: $(cat "$(t_out drv)")"
t_send $G $P $N 8 20 before
t_wait_for rx1 '^RX 10.1.0.1 before ' 10 $N || t_fail "h1 got $(t_rx_count 1 before)/$N"
[ "$(t_count drv "^CREATE 10.1.0.1 $G ")" = 1 ] || t_fail "no creation alert"
nsx r ip mroute show | grep -q "(10.1.0.1,$G)" || t_fail "no kernel entry"

# Expiry: the kernel entry must go within lifetime + slack.
gone=0
for i in $(seq $(((LIFE + 5) * 10))); do
  if ! nsx r ip mroute show | grep -q "(10.1.0.1,$G)"; then
    gone=1
    break
  fi
  sleep 0.1
done
[ $gone = 1 ] || t_fail "MFE still in the kernel $((LIFE + 5)) s after creation"
t_log "kernel entry expired after ~$((i / 10)) s"
t_drv drv mfes
grep -q '^MFES 0$' "$(t_out drv)" || t_fail "MFE still in MgmGetFirstMfe after expiry"

t_send $G $P $N 8 20 after
t_wait_for rx1 '^RX 10.1.0.1 after ' 10 $N || t_fail "h1 got $(t_rx_count 1 after)/$N after re-creation"
[ "$(t_count drv "^CREATE 10.1.0.1 $G ")" = 2 ] || t_fail "expected a second creation alert"
[ "$(t_count drv "^RPF 10.1.0.1 $G ")" = 2 ] || t_fail "expected a second RPF callback"
nsx r ip mroute show | grep -q "(10.1.0.1,$G)" || t_fail "entry not re-created in the kernel"

t_drv_stop drv
t_pass "MFE expired after ${LIFE}s and was re-created by the next packet"
