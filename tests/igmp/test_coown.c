/*
 * test_coown.c - the IGMP component as MGM co-owner (mgm-spec 2.4-2.6,
 * 3.6, 3.7, 4.1-4.3): joins on a routing-protocol-owned interface reach
 * the owner as local joins; an ownership change (Take, Release) purges
 * IGMP's memberships between the disable and enable callbacks; the
 * component re-adds them all, but only at its next tick, never inside the
 * enable callback; reports that arrive while the interface is disabled
 * cause no MGM call and are replayed too.
 *
 * SPDX-License-Identifier: MIT
 */
#include "igfx_cr.h"
#include <string.h>

#include "igfx.h"

#define P_ID 0x20001u
#define Q_ID 0x20002u
#define G1 ip4(239, 1, 1, 1)
#define G2 ip4(239, 2, 2, 2)
#define H1 ip4(10, 0, 2, 100)
#define S1 ip4(10, 9, 0, 1)

struct ev {
  char kind; /* 'J' local join, 'L' local leave, 'P' prune alert */
  DWORD s, g, ifx;
};
static struct ev evs[64];
static int nev;
static HANDLE hp, hq;
static int inject_in_prune; /* Q's prune alert feeds a report to IGMP */

static void note(char kind, DWORD s, DWORD g, DWORD ifx) {
  if (nev < 64) {
    evs[nev].kind = kind;
    evs[nev].s = s;
    evs[nev].g = g;
    evs[nev].ifx = ifx;
    nev++;
  }
}

static int seen(char kind, DWORD s, DWORD g, DWORD ifx) {
  int i, n = 0;

  for (i = 0; i < nev; i++)
    if (evs[i].kind == kind && evs[i].s == s && evs[i].g == g &&
        evs[i].ifx == ifx)
      n++;
  return n;
}

static DWORD p_ljoin(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD ifx,
                     DWORD nh) {
  note('J', s, g, ifx);
  return NO_ERROR;
}

static DWORD p_lleave(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD ifx,
                      DWORD nh) {
  note('L', s, g, ifx);
  return NO_ERROR;
}

static DWORD q_prune(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD ifx, DWORD nh,
                     BOOL del, PDWORD tmo) {
  note('P', s, g, ifx);
  if (inject_in_prune) {
    uint8_t m[8], pkt[64];
    size_t n;

    inject_in_prune = 0;
    /* We are inside P's MgmTakeInterfaceOwnership, between IGMP's disable
     * and enable callbacks: a report arrives for interface 2. */
    igfx_v12(m, 0x16, 0, G2);
    n = igfx_ip(pkt, H1, G2, 1, 1, m, 8);
    mgm_igmp_input(ig, 2, pkt, n, T);
  }
  return NO_ERROR;
}

static void setup(void) {
  ROUTING_PROTOCOL_CONFIG p, q;

  igfx_start(NULL);
  nev = 0;
  inject_in_prune = 0;
  memset(&p, 0, sizeof(p));
  p.pfnLocalJoinCallback = p_ljoin;
  p.pfnLocalLeaveCallback = p_lleave;
  cr_assert_eq(MgmRegisterMProtocol(&p, P_ID, 1, &hp), NO_ERROR);
  memset(&q, 0, sizeof(q));
  q.pfnPruneAlertCallback = q_prune;
  cr_assert_eq(MgmRegisterMProtocol(&q, Q_ID, 1, &hq), NO_ERROR);
}

static void teardown(void) {
  (void)MgmReleaseInterfaceOwnership(hp, 2, 0);
  (void)MgmReleaseInterfaceOwnership(hp, 3, 0);
  (void)MgmReleaseInterfaceOwnership(hq, 4, 0);
  (void)MgmDeRegisterMProtocol(hp);
  (void)MgmDeRegisterMProtocol(hq);
  igfx_stop();
}

TestSuite(coown, .init = setup, .fini = teardown);

static struct mgm_igmp_if_info info(DWORD ifx) {
  struct mgm_igmp_if_info i;

  cr_assert_eq(mgm_igmp_if_next(ig, ifx - 1, &i), NO_ERROR);
  cr_assert_eq(i.ifindex, ifx);
  return i;
}

Test(coown, joins_on_protocol_owned_interface_are_local_joins) {
  int latent = 0;

  cr_assert_eq(MgmTakeInterfaceOwnership(hp, 3, 0), NO_ERROR);
  igfx_add(3, MGM_IGMP_ROLE_DOWNSTREAM);
  igfx_v2_report(3, ip4(10, 0, 3, 100), G1);
  cr_assert_eq(seen('J', 0, G1, 3), 1);
  cr_assert(igfx_member(PROTO_IP_IGMP, 0, G1, 3, &latent));
  cr_assert(latent, "IGMP's join must be latent (D-LOCAL)");
  /* leaving through IGMP gives the owner a local leave */
  cr_assert_eq(mgm_igmp_del_interface(ig, 3, T), NO_ERROR);
  cr_assert_eq(seen('L', 0, G1, 3), 1);
}

Test(coown, take_purges_and_replay_waits_for_the_tick) {
  DWORD s[1] = {S1};
  int latent = 0, w0;
  struct mgm_igmp_counters c;

  igfx_add(2, MGM_IGMP_ROLE_DOWNSTREAM);
  igfx_v2_report(2, H1, G1);
  igfx_v3_record(2, H1, 5 /* ALLOW */, G2, s, 1);
  cr_assert(igfx_member(PROTO_IP_IGMP, 0, G1, 2, &latent) && !latent);
  cr_assert(igfx_member(PROTO_IP_IGMP, S1, G2, 2, NULL));
  w0 = igfx_wakeups;

  cr_assert_eq(MgmTakeInterfaceOwnership(hp, 2, 0), NO_ERROR);
  /* MGM purged IGMP's memberships; the enable callback must not have
   * re-added them (no local joins yet). */
  cr_assert_eq(igfx_members(PROTO_IP_IGMP), 0);
  cr_assert_eq(seen('J', 0, G1, 2) + seen('J', S1, G2, 2), 0,
               "MGM called from inside the enable callback");
  cr_assert_gt(igfx_wakeups, w0, "io->wakeup not called");
  cr_assert(info(2).replay_pending);
  cr_assert_not(info(2).mgm_disabled);
  cr_assert_eq(mgm_igmp_next_deadline(ig), 0, "replay must be due now");

  mgm_igmp_tick(ig, T);
  cr_assert_eq(seen('J', 0, G1, 2), 1);
  cr_assert_eq(seen('J', S1, G2, 2), 1);
  cr_assert(igfx_member(PROTO_IP_IGMP, 0, G1, 2, &latent) && latent);
  cr_assert(igfx_member(PROTO_IP_IGMP, S1, G2, 2, &latent) && latent);
  cr_assert_not(info(2).replay_pending);
  cr_assert_eq(mgm_igmp_get_counters(ig, 2, &c), NO_ERROR);
  cr_assert_eq(c.replays, 1);
  cr_assert_eq(c.mgm_errors, 0);

  /* Release: back to effective memberships of IGMP */
  nev = 0;
  cr_assert_eq(MgmReleaseInterfaceOwnership(hp, 2, 0), NO_ERROR);
  cr_assert_eq(igfx_members(PROTO_IP_IGMP), 0, "latent joins dropped");
  mgm_igmp_tick(ig, T);
  cr_assert(igfx_member(PROTO_IP_IGMP, 0, G1, 2, &latent) && !latent);
  cr_assert(igfx_member(PROTO_IP_IGMP, S1, G2, 2, &latent) && !latent);
  cr_assert_eq(seen('J', 0, G1, 2) + seen('L', 0, G1, 2), 0);
}

Test(coown, report_inside_the_disabled_window_makes_no_mgm_call) {
  struct mgm_igmp_counters before, after;
  int latent = 0;

  /* Q has (*,G1) on its own interface 4: IGMP's purge of (*,G1)@2 makes
   * Q's "others" empty, so Q gets a prune alert inside the window. */
  cr_assert_eq(MgmTakeInterfaceOwnership(hq, 4, 0), NO_ERROR);
  cr_assert_eq(MgmAddGroupMembershipEntry(hq, 0, 0, G1, 0xFFFFFFFFu, 4, 0,
                                          MGM_JOIN_STATE_FLAG),
               NO_ERROR);
  igfx_add(2, MGM_IGMP_ROLE_DOWNSTREAM);
  igfx_v2_report(2, H1, G1);
  cr_assert_eq(mgm_igmp_get_counters(ig, 2, &before), NO_ERROR);

  inject_in_prune = 1;
  cr_assert_eq(MgmTakeInterfaceOwnership(hp, 2, 0), NO_ERROR);
  cr_assert_eq(seen('P', 0, G1, 2), 1, "prune alert inside the window");
  cr_assert_eq(inject_in_prune, 0);
  cr_assert_eq(mgm_igmp_get_counters(ig, 2, &after), NO_ERROR);
  cr_assert_eq(after.rx_reports, before.rx_reports + 1);
  cr_assert_eq(after.mgm_adds, before.mgm_adds, "added while disabled");
  cr_assert_eq(after.mgm_errors, before.mgm_errors,
               "called MGM while disabled");

  mgm_igmp_tick(ig, T);
  cr_assert(igfx_member(PROTO_IP_IGMP, 0, G1, 2, &latent) && latent);
  cr_assert(igfx_member(PROTO_IP_IGMP, 0, G2, 2, &latent) && latent);
  cr_assert_eq(seen('J', 0, G2, 2), 1);
}

Test(coown, igmp_take_on_owned_interface_sends_no_callbacks) {
  cr_assert_eq(MgmTakeInterfaceOwnership(hp, 3, 0), NO_ERROR);
  igfx_add(3, MGM_IGMP_ROLE_DOWNSTREAM);
  cr_assert_eq(nev, 0);
  cr_assert_not(info(3).replay_pending);
  cr_assert_eq(mgm_igmp_add_interface(ig, 3, ip4(10, 0, 3, 5),
                                      MGM_IGMP_ROLE_DOWNSTREAM, T),
               ERROR_ALREADY_EXISTS);
}
