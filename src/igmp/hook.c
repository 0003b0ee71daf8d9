/*
 * hook.c - the IGMP component's defaults bound to libmgm: sending through
 * libmgm_ctrl_send() and the clock that mgm_igmp_ctrl_hook() timestamps
 * received packets with (the host's io->now_ms, else libmgm's backend
 * clock).
 *
 * SPDX-License-Identifier: MIT
 *
 * Kept apart from the state machine so that the core files never read a
 * clock and never reach the forwarder themselves; a test or a host that
 * supplies its own io->send and io->now_ms does not need anything here.
 */
#include "igmp_int.h"

#include <iprtrmib.h>
#include <mgm.h>
#include <libmgm.h>

DWORD ig_default_send(void *ctx, DWORD ifindex, DWORD dst, const BYTE *msg,
                      DWORD len) {
  (void)ctx;
  return libmgm_ctrl_send(ifindex, dst, msg, len);
}

uint64_t ig_default_now(const struct mgm_igmp *ig) {
  ULONGLONG now = 0;

  if (ig->io.now_ms != NULL)
    now = ig->io.now_ms(ig->io.ctx);
  else if (libmgm_sim_now(&now) != NO_ERROR)
    now = ig->last_now;
  return now;
}
