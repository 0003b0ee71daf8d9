#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# s10_host_loop.sh - scenario 10: libmgm on a host libuv loop
# (libmgm_config.loop, mgmdrv -H) with the linux backend: the router
# socket and netlink are watched by uv_poll handles and MFE expiry by a
# uv_timer on the host's loop, which a thread of mgmdrv runs.  Traffic is
# forwarded; the RPF and creation alerts of the first packet run on that
# thread; with mfe_lifetime_s = 5 the entry expires (the host loop's
# timer) and the next packet re-creates it, again on that thread; after
# the stop (from mgmdrv's main thread) uv_walk() finds no handle on the
# host loop and uv_loop_close() returns 0.
. "$(dirname "$0")/lib.sh"
t_require
t_star 1

G=239.10.10.10
P=5010
N=3
LIFE=5

t_recv 1 $G $P
t_drv_start drv r -H -l $LIFE -j r1:$G r0 r1 || t_fail "mgmdrv: $(cat "$(t_out drv)")"
t_send $G $P $N 8 20 before
t_wait_for rx1 '^RX 10.1.0.1 before ' 10 $N || t_fail "h1 got $(t_rx_count 1 before)/$N"
[ "$(t_count drv "^RPF 10.1.0.1 $G .* host=1\$")" = 1 ] ||
  t_fail "RPF not on the host loop thread: $(grep '^RPF' "$(t_out drv)")"
[ "$(t_count drv "^CREATE 10.1.0.1 $G .* host=1\$")" = 1 ] ||
  t_fail "creation alert not on the host loop thread: $(grep '^CREATE' "$(t_out drv)")"

# Expiry by the host loop's timer: the kernel entry goes.
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

t_send $G $P $N 8 20 after
t_wait_for rx1 '^RX 10.1.0.1 after ' 10 $N || t_fail "h1 got $(t_rx_count 1 after)/$N after re-creation"
[ "$(t_count drv "^CREATE 10.1.0.1 $G .* host=1\$")" = 2 ] ||
  t_fail "expected a second creation alert on the host loop thread"
[ "$(t_count drv ' host=0$')" = 0 ] || t_fail "a callback ran off the host loop thread"

t_drv_stop drv
grep -q '^HOSTLOOP handles=0 close=0$' "$(t_out drv)" ||
  t_fail "host loop not released: $(grep '^HOSTLOOP' "$(t_out drv)")"
t_pass "linux backend on a host libuv loop: forwarding, expiry, callbacks on its thread, clean release"
