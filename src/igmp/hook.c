/*
 * hook.c - the IGMP component's defaults bound to libmgm: sending through
 * libmgm_ctrl_send() and the ctrl-hook adapter that timestamps received
 * packets with the host clock (io->now_ms) or libmgm's backend clock.
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
                      DWORD len);

DWORD ig_default_send(void *ctx, DWORD ifindex, DWORD dst, const BYTE *msg,
                      DWORD len) {
  (void)ctx;
  return libmgm_ctrl_send(ifindex, dst, msg, len);
}

void mgm_igmp_ctrl_hook(void *ctx, DWORD ifindex, const BYTE *pkt, DWORD len) {
  struct mgm_igmp *ig = ctx;
  ULONGLONG now = 0;

  if (ig != NULL) {
    if (ig->io.now_ms != NULL)
      now = ig->io.now_ms(ig->io.ctx);
    else if (libmgm_sim_now(&now) != NO_ERROR)
      now = ig->last_now;
    mgm_igmp_input(ig, ifindex, pkt, len, now);
  }
}
