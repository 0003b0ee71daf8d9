/*
 * test_ownership.c - unit tests of interface ownership (mgm-spec 2.4-2.7,
 * the ownership-change sequence 2.6, scenarios 4.1 and 4.2, D-IGMP-WINDOW,
 * D-P2MP, D-IGMP-ID).
 *
 * SPDX-License-Identifier: MIT
 *
 * Covers take/release return codes, IGMP co-ownership, the exact callback
 * order of the disable -> purge -> enable sequence on take and on release
 * (including the prune alerts of the purge and the negative-MFE alert),
 * refusal of IGMP membership calls inside the disabled window, local-leave
 * callbacks when IGMP releases a co-owned interface, removal of an
 * interface from other MFEs on release, and the full start-up/shutdown
 * seed sequence of 4.1/4.2.
 */
#include "fixture.h"

#include "fx_criterion.h"

#include <string.h>

#define PID_P 2001u
#define PID_Q 2002u
#define PID_O 2003u
#define PID_A 2004u

TestSuite(ownership, .init = fx_setup, .fini = fx_teardown, .timeout = 30);

static void expect_owner(DWORD ifi, DWORD nh, DWORD pid, DWORD cid) {
  DWORD rc, p = 0xAAAA, c = 0xBBBB;

  rc = MgmGetProtocolOnInterface(ifi, nh, &p, &c);
  cr_assert_eq(rc, NO_ERROR, "GetProtocolOnInterface(%u,%08x) = %u",
               (unsigned)ifi, (unsigned)nh, (unsigned)rc);
  cr_assert(p == pid && c == cid, "owner of (%u,%08x): got %u/%u, want %u/%u",
            (unsigned)ifi, (unsigned)nh, (unsigned)p, (unsigned)c,
            (unsigned)pid, (unsigned)cid);
}

static void expect_no_owner(DWORD ifi, DWORD nh) {
  DWORD rc, p = 0xAAAA, c = 0xBBBB;

  rc = MgmGetProtocolOnInterface(ifi, nh, &p, &c);
  cr_assert_eq(rc, ERROR_NOT_FOUND, "GetProtocolOnInterface(%u) = %u",
               (unsigned)ifi, (unsigned)rc);
  cr_assert(p == 0xAAAA && c == 0xBBBB, "G-6: outputs written on 1168");
}

Test(ownership, take_free_interface) {
  fx_register(0, PID_P, 3);
  fx_take(0, 1, 0);
  expect_owner(1, 0, PID_P, 3);
  expect_no_owner(2, 0);
  FX_EXPECT_NONE();
}

Test(ownership, take_owned_interface_is_183) {
  DWORD rc;

  fx_register(0, PID_P, 1);
  fx_register(1, PID_Q, 1);
  fx_take(0, 1, 0);
  rc = MgmTakeInterfaceOwnership(fx_h(1), 1, 0);
  cr_assert_eq(rc, ERROR_ALREADY_EXISTS, "other protocol: %u", (unsigned)rc);
  rc = MgmTakeInterfaceOwnership(fx_h(0), 1, 0);
  cr_assert_eq(rc, ERROR_ALREADY_EXISTS, "owner itself: %u", (unsigned)rc);
  expect_owner(1, 0, PID_P, 1);
  FX_EXPECT_NONE();
}

Test(ownership, get_protocol_on_interface_errors) {
  DWORD rc, p = 5, c = 6;

  fx_register(0, PID_P, 1);
  fx_take(0, 1, 0);
  rc = MgmGetProtocolOnInterface(1, 0, NULL, &c);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  cr_assert_eq(c, 6u, "G-6");
  rc = MgmGetProtocolOnInterface(1, 0, &p, NULL);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  cr_assert_eq(p, 5u, "G-6");
  expect_no_owner(9, 0);
}

Test(ownership, igmp_coowns_protocol_interface_silently) {
  fx_register(0, PROTO_IP_IGMP, 1);
  fx_register(1, PID_P, 1);
  fx_take(1, 5, 0);
  fx_take(0, 5, 0);
  /* No callbacks; the routing protocol stays the effective owner. */
  FX_EXPECT_NONE();
  expect_owner(5, 0, PID_P, 1);
}

Test(ownership, igmp_alone_is_effective_owner) {
  DWORD rc;

  fx_register(0, MS_IP_IGMP, 4);
  fx_take(0, 6, 0);
  expect_owner(6, 0, MS_IP_IGMP, 4);
  fx_register(1, PROTO_IP_IGMP, 1);
  rc = MgmTakeInterfaceOwnership(fx_h(1), 6, 0);
  cr_assert_eq(rc, ERROR_ALREADY_EXISTS, "second IGMP co-owner: %u",
               (unsigned)rc);
  FX_EXPECT_NONE();
}

Test(ownership, p2mp_links_fall_back_to_whole_interface) {
  DWORD nh1 = IP(10, 0, 0, 1), nh2 = IP(10, 0, 0, 2);

  /* D-P2MP: (i,0) covers every link of i unless a link is taken. */
  fx_register(0, PID_P, 1);
  fx_register(1, PID_Q, 1);
  fx_take(0, 7, 0);
  expect_owner(7, nh1, PID_P, 1);
  fx_take(1, 7, nh2);
  expect_owner(7, nh2, PID_Q, 1);
  expect_owner(7, nh1, PID_P, 1);
  expect_owner(7, 0, PID_P, 1);
  FX_EXPECT_NONE();
}

Test(ownership, release_errors) {
  DWORD rc;

  fx_register(0, PID_P, 1);
  fx_register(1, PID_Q, 1);
  fx_register(2, PROTO_IP_IGMP, 1);
  fx_take(1, 3, 0);
  rc = fx_release(0, 3, 0);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "not owner: %u", (unsigned)rc);
  rc = fx_release(0, 9, 0);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "unowned: %u", (unsigned)rc);
  rc = fx_release(2, 3, 0);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "IGMP not co-owner: %u",
               (unsigned)rc);
  expect_owner(3, 0, PID_Q, 1);
  rc = fx_release(1, 3, 0);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  rc = fx_release(1, 3, 0);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "twice: %u", (unsigned)rc);
  expect_no_owner(3, 0);
  FX_EXPECT_NONE();
}

/* 2.6 on Take: IGMP(0) owns I(1), I(2) with (*,G1)@2; Q(2) owns I(4) with
 * (*,G1)@4; MFE (S,G1) iif I(4) -> {I(2)}.  P(1) takes I(2). */
Test(ownership, take_from_igmp_runs_disable_purge_enable_in_order) {
  DWORD S = IP(10, 1, 1, 5), G1 = IP(224, 1, 1, 1), U = IP(10, 4, 0, 1);
  struct libmgm_sim_result r;
  struct fx_mfe m;
  SOURCE_GROUP_ENTRY sg[4];
  size_t n;

  fx_register(0, PROTO_IP_IGMP, 1);
  fx_register(1, PID_P, 1);
  fx_register(2, PID_Q, 1);
  fx_take(0, 1, 0);
  fx_take(0, 2, 0);
  fx_take(2, 4, 0);
  fx_add(0, 0, G1, 2);
  fx_add(2, 0, G1, 4);
  fx_route(IP(10, 1, 1, 0), IP(255, 255, 255, 0), 4, U, PROTO_IP_OSPF);
  r = fx_inject(4, S, G1);
  cr_assert_eq(r.n_out, 1u);
  fx_log_clear();

  fx_take(1, 2, 0);
  FX_EXPECT(EV_DISABLE(0, 2, 0), EV_PRUNE(2, 0, 0, G1, FX_ALL, 2, 0, TRUE),
            EV_PRUNE(2, S, FX_ALL, G1, FX_ALL, 2, 0, FALSE),
            EV_ENABLE(0, 2, 0));
  expect_owner(2, 0, PID_P, 1);
  /* The MFE's iif is I(4): it survives, with an empty list. */
  cr_assert_eq(fx_mfe_get(S, G1, &m), NO_ERROR);
  cr_assert_eq(m.m.ulNumOutIf, 0u, "got %u", (unsigned)m.m.ulNumOutIf);
  FX_ASSERT_KERNEL_CONSISTENT();

  /* 2.6 step 5: IGMP replays; now a latent membership + local join. */
  fx_add(0, 0, G1, 2);
  FX_EXPECT(EV_LJOIN(1, 0, 0, G1, FX_ALL, 2, 0));
  FX_ASSERT_OIFS(S, G1);
  n = fx_groups(1, ALL_SOURCES, sg, 4);
  cr_assert_eq(n, 1u, "latent membership enumerated: %zu", n);
  cr_assert(sg[0].dwSourceAddr == 0 && sg[0].dwSourceMask == 0 &&
            sg[0].dwGroupAddr == G1 && sg[0].dwGroupMask == FX_ALL);

  /* The owner adopts it: Q alerted (TRUE), MFE non-empty again (FALSE). */
  fx_add(1, 0, G1, 2);
  FX_EXPECT(EV_JOIN(2, 0, 0, G1, FX_ALL, TRUE),
            EV_JOIN(2, S, FX_ALL, G1, FX_ALL, FALSE));
  FX_ASSERT_OIFS(S, G1, 2);
  FX_ASSERT_KERNEL_CONSISTENT();
}

static DWORD hook_igmp_del_g1_if2(int slot, const struct fx_ev *ev) {
  (void)slot;
  (void)ev;
  return fx_del_rc(0, 0, IP(224, 1, 1, 1), 2, 0, MGM_JOIN_STATE_FLAG);
}

static DWORD hook_igmp_add_g2_if2(int slot, const struct fx_ev *ev) {
  (void)slot;
  (void)ev;
  return fx_add_rc(0, 0, IP(224, 1, 1, 2), 2, 0, MGM_JOIN_STATE_FLAG);
}

Test(ownership, igmp_membership_calls_refused_inside_window) {
  DWORD G1 = IP(224, 1, 1, 1);
  SOURCE_GROUP_ENTRY sg[4];
  size_t n;

  fx_register(0, PROTO_IP_IGMP, 1);
  fx_register(1, PID_P, 1);
  fx_register(2, PID_Q, 1);
  fx_take(0, 2, 0);
  fx_take(2, 4, 0);
  fx_add(0, 0, G1, 2);
  fx_add(2, 0, G1, 4);
  fx_log_clear();

  /* D-IGMP-WINDOW: between Disable and Enable IGMP's add/delete on that
   * interface get 1003 (from inside Disable, and from inside Q's prune
   * alert of the purge step). */
  fx_hook(0, FX_DISABLE, hook_igmp_del_g1_if2, 1);
  fx_hook(2, FX_PRUNE, hook_igmp_add_g2_if2, 1);
  fx_take(1, 2, 0);
  FX_EXPECT(EV_DISABLE(0, 2, 0), EV_PRUNE(2, 0, 0, G1, FX_ALL, 2, 0, TRUE),
            EV_ENABLE(0, 2, 0));
  cr_assert_eq(fx_hook_fired(0), 1);
  cr_assert_eq(fx_hook_rc(0), ERROR_CAN_NOT_COMPLETE, "delete in window: %u",
               (unsigned)fx_hook_rc(0));
  cr_assert_eq(fx_hook_fired(2), 1);
  cr_assert_eq(fx_hook_rc(2), ERROR_CAN_NOT_COMPLETE, "add in window: %u",
               (unsigned)fx_hook_rc(2));
  /* Only Q's (*,G1)@4 is left. */
  n = fx_groups(2, ALL_SOURCES, sg, 4);
  cr_assert_eq(n, 1u, "got %zu", n);
  cr_assert_eq(sg[0].dwGroupAddr, G1);
  /* After Enable the window is closed. */
  fx_add(0, 0, IP(224, 1, 1, 2), 2);
  FX_EXPECT(EV_LJOIN(1, 0, 0, IP(224, 1, 1, 2), FX_ALL, 2, 0));
}

/* Release by the routing-protocol owner without IGMP: purge with prune
 * alerts and the negative-MFE alert, no disable/enable. */
Test(ownership, release_purges_memberships_and_mfe_outputs) {
  DWORD S = IP(10, 1, 1, 5), G = IP(224, 5, 5, 5);
  struct libmgm_sim_result r;

  fx_register(0, PID_A, 1);
  fx_register(1, PID_P, 1);
  fx_register(2, PID_O, 1);
  fx_take(2, 1, 0);
  fx_take(1, 2, 0);
  fx_route(IP(10, 1, 1, 0), IP(255, 255, 255, 0), 1, 0, PROTO_IP_RIP);
  fx_add(1, 0, G, 2);
  r = fx_inject(1, S, G);
  cr_assert_eq(r.n_out, 1u);
  FX_ASSERT_OIFS(S, G, 2);
  fx_log_clear();

  cr_assert_eq(fx_release(1, 2, 0), NO_ERROR);
  FX_EXPECT(EV_PRUNE(0, 0, 0, G, FX_ALL, 2, 0, TRUE),
            EV_PRUNE(2, 0, 0, G, FX_ALL, 2, 0, TRUE),
            EV_PRUNE(2, S, FX_ALL, G, FX_ALL, 2, 0, FALSE));
  expect_no_owner(2, 0);
  FX_ASSERT_OIFS(S, G);
  FX_ASSERT_KERNEL_CONSISTENT();
}

/* Release with an IGMP co-owner: disable, purge (latent memberships are
 * dropped without local-leave), enable; IGMP becomes effective owner. */
Test(ownership, release_with_igmp_coowner_runs_sequence) {
  DWORD G = IP(224, 5, 5, 5);
  SOURCE_GROUP_ENTRY sg[4];

  fx_register(0, PROTO_IP_IGMP, 1);
  fx_register(1, PID_P, 1);
  fx_register(2, PID_Q, 1);
  fx_take(1, 2, 0);
  fx_take(0, 2, 0);
  fx_add(0, 0, G, 2);
  FX_EXPECT(EV_LJOIN(1, 0, 0, G, FX_ALL, 2, 0));
  fx_add(1, 0, G, 2);
  FX_EXPECT(EV_JOIN(0, 0, 0, G, FX_ALL, TRUE),
            EV_JOIN(2, 0, 0, G, FX_ALL, TRUE));

  cr_assert_eq(fx_release(1, 2, 0), NO_ERROR);
  FX_EXPECT(EV_DISABLE(0, 2, 0), EV_PRUNE(0, 0, 0, G, FX_ALL, 2, 0, TRUE),
            EV_PRUNE(2, 0, 0, G, FX_ALL, 2, 0, TRUE), EV_ENABLE(0, 2, 0));
  expect_owner(2, 0, PROTO_IP_IGMP, 1);
  cr_assert_eq(fx_groups(0, ALL_SOURCES, sg, 4), 0u);
  /* IGMP replays: the latent entry was forgotten, this is a fresh
   * effective membership of IGMP. */
  fx_add(0, 0, G, 2);
  FX_EXPECT(EV_JOIN(1, 0, 0, G, FX_ALL, TRUE),
            EV_JOIN(2, 0, 0, G, FX_ALL, TRUE));
  cr_assert_eq(fx_groups(0, ALL_SOURCES, sg, 4), 1u);
}

Test(ownership, igmp_coowner_release_sends_local_leaves_to_owner) {
  DWORD S = IP(10, 9, 9, 9), G = IP(224, 5, 5, 5), G2 = IP(224, 5, 5, 6);
  struct fx_ev l1 = EV_LLEAVE(1, S, FX_ALL, G, FX_ALL, 5, 0);
  struct fx_ev l2 = EV_LLEAVE(1, 0, 0, G2, FX_ALL, 5, 0);

  fx_register(0, PROTO_IP_IGMP, 1);
  fx_register(1, PID_P, 1);
  fx_register(2, PID_Q, 1);
  fx_take(1, 5, 0);
  fx_take(0, 5, 0);
  fx_add(0, S, G, 5);
  fx_add(0, 0, G2, 5);
  FX_EXPECT(EV_LJOIN(1, S, FX_ALL, G, FX_ALL, 5, 0),
            EV_LJOIN(1, 0, 0, G2, FX_ALL, 5, 0));
  cr_assert_eq(fx_release(0, 5, 0), NO_ERROR);
  /* One local leave per latent membership (order between them is not
   * specified); no disable/enable, no alerts. */
  cr_assert_eq(fx_log_len(), 2u, "got %zu callbacks", fx_log_len());
  cr_assert_eq(fx_log_count(&l1), 1u);
  cr_assert_eq(fx_log_count(&l2), 1u);
  expect_owner(5, 0, PID_P, 1);
  /* IGMP no longer co-owns: its membership calls there are refused. */
  cr_assert_eq(fx_add_rc(0, 0, G2, 5, 0, MGM_JOIN_STATE_FLAG),
               ERROR_INVALID_PARAMETER);
}

Test(ownership, igmp_sole_owner_release_purges_its_memberships) {
  DWORD S = IP(10, 1, 1, 5), G = IP(224, 5, 5, 5);
  struct libmgm_sim_result r;

  fx_register(0, PID_O, 1);
  fx_register(1, PROTO_IP_IGMP, 1);
  fx_take(0, 1, 0);
  fx_take(1, 3, 0);
  fx_route(IP(10, 1, 1, 0), IP(255, 255, 255, 0), 1, 0, PROTO_IP_RIP);
  fx_add(1, 0, G, 3);
  r = fx_inject(1, S, G);
  cr_assert_eq(r.n_out, 1u);
  fx_log_clear();
  cr_assert_eq(fx_release(1, 3, 0), NO_ERROR);
  FX_EXPECT(EV_PRUNE(0, 0, 0, G, FX_ALL, 3, 0, TRUE),
            EV_PRUNE(0, S, FX_ALL, G, FX_ALL, 3, 0, FALSE));
  expect_no_owner(3, 0);
  FX_ASSERT_OIFS(S, G);
}

/* 2.5 step 4: an interface listed only through MGM_FORWARD_STATE_FLAG is
 * stripped from other MFEs when its owner releases it. */
Test(ownership, release_strips_forward_added_interface) {
  DWORD S = IP(10, 1, 1, 5), G = IP(224, 5, 5, 5);

  fx_register(0, PID_O, 1);
  fx_register(1, PID_Q, 1);
  fx_take(0, 1, 0);
  fx_take(1, 3, 0);
  fx_take(1, 5, 0);
  fx_route(IP(10, 1, 1, 0), IP(255, 255, 255, 0), 1, 0, PROTO_IP_RIP);
  fx_add(1, 0, G, 3);
  fx_inject(1, S, G);
  cr_assert_eq(fx_add_rc(1, S, G, 5, 0, MGM_FORWARD_STATE_FLAG), NO_ERROR);
  FX_ASSERT_OIFS(S, G, 3, 5);
  fx_log_clear();
  cr_assert_eq(fx_release(1, 5, 0), NO_ERROR);
  FX_EXPECT_NONE();
  FX_ASSERT_OIFS(S, G, 3);
  cr_assert_eq(fx_release(1, 3, 0), NO_ERROR);
  FX_EXPECT(EV_PRUNE(0, 0, 0, G, FX_ALL, 3, 0, TRUE),
            EV_PRUNE(0, S, FX_ALL, G, FX_ALL, 3, 0, FALSE));
  FX_ASSERT_OIFS(S, G);
  FX_ASSERT_KERNEL_CONSISTENT();
}

/* Scenarios 4.1 (start-up seed sequence) and 4.2 (shutdown), step by step.
 * Slots: IGMP 0, Q 1, P 2 (registration order). */
Test(ownership, startup_and_shutdown_scenario) {
  DWORD G1 = IP(224, 1, 1, 1), rc, pid = 0, cid = 0, size, n;
  HANDLE e = NULL;
  SOURCE_GROUP_ENTRY buf[2];
  int seen_g1 = 0, seen_all = 0;

  fx_register(0, PROTO_IP_IGMP, 1);
  fx_register(1, PID_Q, 1);
  fx_take(0, 1, 0);
  fx_take(0, 2, 0);
  fx_take(1, 4, 0);
  fx_add(0, 0, G1, 2);
  fx_add(1, 0, G1, 4);
  fx_log_clear();

  /* 1 */
  fx_register(2, PID_P, 9);
  FX_EXPECT_NONE();
  /* 2, 3 */
  rc = MgmGetProtocolOnInterface(2, 0, &pid, &cid);
  cr_assert_eq(rc, NO_ERROR, "2: %u", (unsigned)rc);
  cr_assert(pid == PROTO_IP_IGMP && cid == 1, "2: %u/%u", (unsigned)pid,
            (unsigned)cid);
  expect_no_owner(3, 0);
  /* 4 */
  fx_take(2, 2, 0);
  FX_EXPECT(EV_DISABLE(0, 2, 0), EV_PRUNE(1, 0, 0, G1, FX_ALL, 2, 0, TRUE),
            EV_ENABLE(0, 2, 0));
  /* 5 */
  fx_add(0, 0, G1, 2);
  FX_EXPECT(EV_LJOIN(2, 0, 0, G1, FX_ALL, 2, 0));
  /* 6 */
  fx_add(2, 0, G1, 2);
  FX_EXPECT(EV_JOIN(1, 0, 0, G1, FX_ALL, TRUE));
  /* 7 */
  fx_take(2, 3, 0);
  FX_EXPECT_NONE();
  /* 8 */
  fx_add(2, 0, 0, 3);
  FX_EXPECT(EV_JOIN(0, 0, 0, 0, 0, TRUE), EV_JOIN(1, 0, 0, 0, 0, TRUE));
  /* 9-12 */
  rc = MgmGroupEnumerationStart(fx_h(2), ALL_SOURCES, &e);
  cr_assert_eq(rc, NO_ERROR, "9: %u", (unsigned)rc);
  size = 16;
  n = 0;
  rc = MgmGroupEnumerationGetNext(e, &size, (PBYTE)buf, &n);
  cr_assert_eq(rc, ERROR_MORE_DATA, "10: %u", (unsigned)rc);
  cr_assert_eq(n, 1u, "10: n=%u", (unsigned)n);
  cr_assert_eq(size, 16u);
  size = 16;
  n = 0;
  rc = MgmGroupEnumerationGetNext(e, &size, (PBYTE)&buf[1], &n);
  cr_assert_eq(rc, ERROR_NO_MORE_ITEMS, "11: %u", (unsigned)rc);
  cr_assert_eq(n, 1u, "11: n=%u", (unsigned)n);
  for (n = 0; n < 2; n++) {
    if (buf[n].dwSourceAddr == 0 && buf[n].dwSourceMask == 0 &&
        buf[n].dwGroupAddr == G1 && buf[n].dwGroupMask == FX_ALL)
      seen_g1++;
    if (buf[n].dwSourceAddr == 0 && buf[n].dwSourceMask == 0 &&
        buf[n].dwGroupAddr == 0 && buf[n].dwGroupMask == 0)
      seen_all++;
  }
  cr_assert(seen_g1 == 1 && seen_all == 1, "9: snapshot content");
  rc = MgmGroupEnumerationEnd(e);
  cr_assert_eq(rc, NO_ERROR, "12: %u", (unsigned)rc);
  FX_EXPECT_NONE();

  /* 4.2 step 1: P releases I(2), IGMP co-owns. */
  cr_assert_eq(fx_release(2, 2, 0), NO_ERROR);
  FX_EXPECT(EV_DISABLE(0, 2, 0), EV_PRUNE(1, 0, 0, G1, FX_ALL, 2, 0, TRUE),
            EV_ENABLE(0, 2, 0));
  expect_owner(2, 0, PROTO_IP_IGMP, 1);
  /* 1e: IGMP re-adds, now effective. */
  fx_add(0, 0, G1, 2);
  FX_EXPECT(EV_JOIN(1, 0, 0, G1, FX_ALL, TRUE));
  /* 2 */
  cr_assert_eq(fx_release(2, 3, 0), NO_ERROR);
  FX_EXPECT(EV_PRUNE(0, 0, 0, 0, 0, 3, 0, TRUE),
            EV_PRUNE(1, 0, 0, 0, 0, 3, 0, TRUE));
  /* 3 */
  cr_assert_eq(fx_deregister(2), NO_ERROR);
  FX_EXPECT_NONE();
}
