/*
 * test_membership.c - unit tests of MgmAdd/DeleteGroupMembershipEntry
 * (mgm-spec 2.8, 2.9, 3.4, 3.6, 4.3, 4.5, 5.1, D-IDEMPOTENT, D-SHAPE,
 * D-FLAGS, D-SG-SELF, D-LOCAL, D-PRECEDENCE, A-13).
 *
 * SPDX-License-Identifier: MIT
 *
 * Every row of the join/prune alert table 4.5 is replayed step by step with
 * the exact recipients in registration order; the IGMP local join/leave
 * table 4.3 likewise, with an MFE present to show that latent memberships
 * never change it.  Also: idempotent adds/deletes, normalisation of the
 * three legal shapes and 87 for the illegal ones, dwFlags handling, the
 * FORWARD flag on an existing MFE, and permission errors.
 */
#include "fixture.h"

#include "fx_criterion.h"

#include <string.h>

#define PID_A 3001u
#define PID_B 3002u
#define PID_C 3003u
#define PID_O 3004u
#define PID_P 3005u
#define PID_Q 3006u

#define NET IP(10, 1, 1, 0)
#define MASK24 IP(255, 255, 255, 0)

TestSuite(membership, .init = fx_setup, .fini = fx_teardown, .timeout = 30);

/* Clients A, B, C, O in that order; O owns I(1) toward S and I(6). */
static void setup_45(void) {
  fx_register(0, PID_A, 1);
  fx_register(1, PID_B, 1);
  fx_register(2, PID_C, 1);
  fx_register(3, PID_O, 1);
  fx_take(3, 1, 0);
  fx_take(3, 6, 0);
  fx_take(0, 2, 0);
  fx_take(0, 3, 0);
  fx_take(1, 4, 0);
  fx_take(2, 5, 0);
  fx_route(NET, MASK24, 1, IP(10, 1, 0, 1), PROTO_IP_OSPF);
}

Test(membership, join_prune_alert_table_4_5) {
  DWORD S = IP(10, 1, 1, 5), G = IP(224, 2, 2, 2);

  setup_45();
  /* 1 */
  fx_add(0, 0, G, 2);
  FX_EXPECT(EV_JOIN(1, 0, 0, G, FX_ALL, TRUE),
            EV_JOIN(2, 0, 0, G, FX_ALL, TRUE),
            EV_JOIN(3, 0, 0, G, FX_ALL, TRUE));
  /* 2 */
  fx_add(1, 0, G, 4);
  FX_EXPECT(EV_JOIN(0, 0, 0, G, FX_ALL, TRUE));
  /* 3 */
  fx_add(2, 0, G, 5);
  FX_EXPECT_NONE();
  /* 4 */
  fx_add(0, 0, G, 3);
  FX_EXPECT_NONE();
  /* 5 */
  fx_del(0, 0, G, 2);
  FX_EXPECT_NONE();
  fx_del(0, 0, G, 3);
  FX_EXPECT_NONE();
  /* 6 */
  fx_del(1, 0, G, 4);
  FX_EXPECT(EV_PRUNE(2, 0, 0, G, FX_ALL, 4, 0, TRUE));
  /* 7 */
  fx_del(2, 0, G, 5);
  FX_EXPECT(EV_PRUNE(0, 0, 0, G, FX_ALL, 5, 0, TRUE),
            EV_PRUNE(1, 0, 0, G, FX_ALL, 5, 0, TRUE),
            EV_PRUNE(3, 0, 0, G, FX_ALL, 5, 0, TRUE));
  /* 8 */
  fx_add(0, S, G, 2);
  FX_EXPECT(EV_JOIN(3, S, FX_ALL, G, FX_ALL, TRUE));
  /* 9 */
  fx_add(1, S, G, 4);
  FX_EXPECT_NONE();
  /* 10 */
  fx_del(0, S, G, 2);
  FX_EXPECT_NONE();
  fx_del(1, S, G, 4);
  FX_EXPECT(EV_PRUNE(3, S, FX_ALL, G, FX_ALL, 4, 0, TRUE));
  /* 11 (D-SG-SELF) */
  fx_add(3, S, G, 6);
  FX_EXPECT_NONE();
  fx_add(0, S, G, 2);
  FX_EXPECT(EV_JOIN(3, S, FX_ALL, G, FX_ALL, TRUE));
  /* and back: A leaves -> O's Others empty again -> prune to O. */
  fx_del(0, S, G, 2);
  FX_EXPECT(EV_PRUNE(3, S, FX_ALL, G, FX_ALL, 2, 0, TRUE));
  fx_del(3, S, G, 6);
  FX_EXPECT_NONE();
}

Test(membership, join_alert_false_when_negative_mfe_gains_output_4_5_12) {
  DWORD S = IP(10, 1, 1, 5), G = IP(224, 2, 2, 2), U = IP(10, 1, 0, 1);
  struct libmgm_sim_result r;

  setup_45();
  r = fx_inject(1, S, G);
  cr_assert_eq(r.n_out, 0u);
  FX_EXPECT(EV_RPF(3, S, G, 1, 0, U), EV_NPRUNE_LOOP(3, S, G, 1, 0));
  FX_ASSERT_OIFS(S, G);
  fx_add(2, 0, G, 5);
  FX_EXPECT(EV_JOIN(0, 0, 0, G, FX_ALL, TRUE),
            EV_JOIN(1, 0, 0, G, FX_ALL, TRUE),
            EV_JOIN(3, 0, 0, G, FX_ALL, TRUE),
            EV_JOIN(3, S, FX_ALL, G, FX_ALL, FALSE));
  FX_ASSERT_OIFS(S, G, 5);
  FX_ASSERT_KERNEL_CONSISTENT();
}

Test(membership, recipients_follow_registration_order_not_slot_order) {
  DWORD G = IP(224, 2, 2, 3);

  /* Registration order: slot 2, slot 0, slot 1, slot 3. */
  fx_register(2, PID_C, 1);
  fx_register(0, PID_A, 1);
  fx_register(1, PID_B, 1);
  fx_register(3, PID_O, 1);
  fx_take(1, 9, 0);
  fx_take(3, 2, 0);
  fx_add(3, 0, G, 2);
  FX_EXPECT(EV_JOIN(2, 0, 0, G, FX_ALL, TRUE),
            EV_JOIN(0, 0, 0, G, FX_ALL, TRUE),
            EV_JOIN(1, 0, 0, G, FX_ALL, TRUE));
  fx_add(3, 0, 0, 2);
  FX_EXPECT(EV_JOIN(2, 0, 0, 0, 0, TRUE), EV_JOIN(0, 0, 0, 0, 0, TRUE),
            EV_JOIN(1, 0, 0, 0, 0, TRUE));
  fx_del(3, 0, 0, 2);
  FX_EXPECT(EV_PRUNE(2, 0, 0, 0, 0, 2, 0, TRUE),
            EV_PRUNE(0, 0, 0, 0, 0, 2, 0, TRUE),
            EV_PRUNE(1, 0, 0, 0, 0, 2, 0, TRUE));
}

Test(membership, sg_without_route_or_owner_alerts_nobody) {
  DWORD S1 = IP(192, 168, 7, 7), S2 = IP(172, 16, 1, 1);
  DWORD G = IP(224, 2, 2, 4), rc;

  fx_register(0, PID_A, 1);
  fx_register(1, PID_B, 1);
  rc = fx_register_mask(2, PID_O, 1, FX_CB_ALL & ~FX_CB(FX_JOIN));
  cr_assert_eq(rc, NO_ERROR);
  fx_take(0, 2, 0);
  fx_take(2, 1, 0);
  /* S1: no route at all. */
  fx_add(0, S1, G, 2);
  FX_EXPECT_NONE();
  /* S2: route via I(1), whose owner has no join callback. */
  fx_route(IP(172, 16, 0, 0), IP(255, 255, 0, 0), 1, 0, PROTO_IP_RIP);
  fx_add(0, S2, G, 2);
  FX_EXPECT_NONE();
  /* ... but it does have a prune callback. */
  fx_del(0, S2, G, 2);
  FX_EXPECT(EV_PRUNE(2, S2, FX_ALL, G, FX_ALL, 2, 0, TRUE));
}

/* Table 4.3 with an MFE (S,G) from I(1) (owned by Q) to show latent
 * memberships never change it.  Slots: IGMP 0, P 1, Q 2. */
Test(membership, local_join_leave_table_4_3) {
  DWORD S = IP(10, 1, 1, 5), G = IP(224, 3, 3, 3);
  struct libmgm_sim_result r;
  SOURCE_GROUP_ENTRY sg[4];

  fx_register(0, PROTO_IP_IGMP, 1);
  fx_register(1, PID_P, 1);
  fx_register(2, PID_Q, 1);
  fx_take(2, 1, 0);
  fx_take(1, 5, 0);
  fx_take(0, 5, 0);
  fx_route(NET, MASK24, 1, 0, PROTO_IP_RIP);
  /* 1 */
  fx_add(0, 0, G, 5);
  FX_EXPECT(EV_LJOIN(1, 0, 0, G, FX_ALL, 5, 0));
  r = fx_inject(1, S, G);
  cr_assert_eq(r.n_out, 0u, "latent membership forwarded");
  FX_EXPECT(EV_RPF(2, S, G, 1, 0, 0), EV_NPRUNE_LOOP(2, S, G, 1, 0));
  FX_ASSERT_OIFS(S, G);
  cr_assert_eq(fx_groups(1, ALL_SOURCES, sg, 4), 0u);
  /* 2 */
  fx_add(0, 0, G, 5);
  FX_EXPECT_NONE();
  /* 3 */
  fx_add(1, 0, G, 5);
  FX_EXPECT(EV_JOIN(0, 0, 0, G, FX_ALL, TRUE),
            EV_JOIN(2, 0, 0, G, FX_ALL, TRUE),
            EV_JOIN(2, S, FX_ALL, G, FX_ALL, FALSE));
  FX_ASSERT_OIFS(S, G, 5);
  /* 4 */
  fx_add(0, S, G, 5);
  FX_EXPECT(EV_LJOIN(1, S, FX_ALL, G, FX_ALL, 5, 0));
  /* 5 */
  fx_del(0, 0, G, 5);
  FX_EXPECT(EV_LLEAVE(1, 0, 0, G, FX_ALL, 5, 0));
  FX_ASSERT_OIFS(S, G, 5);
  /* 6 */
  fx_del(1, 0, G, 5);
  FX_EXPECT(EV_PRUNE(0, 0, 0, G, FX_ALL, 5, 0, TRUE),
            EV_PRUNE(2, 0, 0, G, FX_ALL, 5, 0, TRUE),
            EV_PRUNE(2, S, FX_ALL, G, FX_ALL, 5, 0, FALSE));
  FX_ASSERT_OIFS(S, G);
  /* 7 */
  cr_assert_eq(fx_release(0, 5, 0), NO_ERROR);
  FX_EXPECT(EV_LLEAVE(1, S, FX_ALL, G, FX_ALL, 5, 0));
  FX_ASSERT_KERNEL_CONSISTENT();
}

Test(membership, latent_delete_of_absent_entry_is_silent) {
  DWORD G = IP(224, 3, 3, 4);

  fx_register(0, PROTO_IP_IGMP, 1);
  fx_register(1, PID_P, 1);
  fx_take(1, 5, 0);
  fx_take(0, 5, 0);
  fx_del(0, 0, G, 5);
  FX_EXPECT_NONE();
}

Test(membership, duplicate_add_and_absent_delete_are_silent_no_error) {
  DWORD S = IP(10, 1, 1, 5), G = IP(224, 4, 4, 4);
  SOURCE_GROUP_ENTRY sg[4];

  setup_45();
  fx_add(0, 0, G, 2);
  fx_log_clear();
  fx_add(0, 0, G, 2);
  FX_EXPECT_NONE();
  cr_assert_eq(fx_groups(0, ALL_SOURCES, sg, 4), 1u);
  fx_del(0, S, G, 2); /* never added */
  FX_EXPECT_NONE();
  fx_del(1, 0, G, 4); /* B never joined */
  FX_EXPECT_NONE();
  fx_del(0, 0, G, 2);
  FX_EXPECT(EV_PRUNE(1, 0, 0, G, FX_ALL, 2, 0, TRUE),
            EV_PRUNE(2, 0, 0, G, FX_ALL, 2, 0, TRUE),
            EV_PRUNE(3, 0, 0, G, FX_ALL, 2, 0, TRUE));
  fx_del(0, 0, G, 2);
  FX_EXPECT_NONE();
  cr_assert_eq(fx_groups(0, ALL_SOURCES, sg, 4), 0u);
}

Test(membership, shapes_are_normalised) {
  DWORD S = IP(10, 1, 1, 5), G = IP(224, 4, 4, 5), rc;
  SOURCE_GROUP_ENTRY sg[4];
  size_t n;

  setup_45();
  /* (*,G) written with a source mask: source 0 wins, mask forced to 0. */
  rc = MgmAddGroupMembershipEntry(fx_h(0), 0, FX_ALL, G, FX_ALL, 2, 0,
                                  MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  FX_EXPECT(EV_JOIN(1, 0, 0, G, FX_ALL, TRUE),
            EV_JOIN(2, 0, 0, G, FX_ALL, TRUE),
            EV_JOIN(3, 0, 0, G, FX_ALL, TRUE));
  /* (S,G) written with masks 0: single values. */
  rc = MgmAddGroupMembershipEntry(fx_h(0), S, 0, G, 0, 2, 0,
                                  MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  FX_EXPECT(EV_JOIN(3, S, FX_ALL, G, FX_ALL, TRUE));
  /* (*,*) with junk masks. */
  rc = MgmAddGroupMembershipEntry(fx_h(0), 0, 0x00FFFFFFu, 0, FX_ALL, 2, 0,
                                  MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  FX_EXPECT(EV_JOIN(1, 0, 0, 0, 0, TRUE), EV_JOIN(2, 0, 0, 0, 0, TRUE),
            EV_JOIN(3, 0, 0, 0, 0, TRUE));
  /* Same entries in another spelling are duplicates. */
  rc = MgmAddGroupMembershipEntry(fx_h(0), 0, 0, G, FX_ALL, 2, 0,
                                  MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, NO_ERROR);
  rc = MgmAddGroupMembershipEntry(fx_h(0), S, FX_ALL, G, FX_ALL, 2, 0,
                                  MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, NO_ERROR);
  FX_EXPECT_NONE();
  n = fx_groups(0, ALL_SOURCES, sg, 4);
  cr_assert_eq(n, 3u, "got %zu", n);
  /* Port order: ascending (ntohl G, ntohl S). */
  cr_assert(sg[0].dwSourceAddr == 0 && sg[0].dwSourceMask == 0 &&
            sg[0].dwGroupAddr == 0 && sg[0].dwGroupMask == 0);
  cr_assert(sg[1].dwSourceAddr == 0 && sg[1].dwSourceMask == 0 &&
            sg[1].dwGroupAddr == G && sg[1].dwGroupMask == FX_ALL);
  cr_assert(sg[2].dwSourceAddr == S && sg[2].dwSourceMask == FX_ALL &&
            sg[2].dwGroupAddr == G && sg[2].dwGroupMask == FX_ALL);
  /* Deleting in the other spelling removes the entry. */
  rc = MgmDeleteGroupMembershipEntry(fx_h(0), S, 0, G, 0, 2, 0,
                                     MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, NO_ERROR);
  FX_EXPECT(EV_PRUNE(3, S, FX_ALL, G, FX_ALL, 2, 0, TRUE));
}

Test(membership, illegal_shapes_are_87_without_effect) {
  DWORD S = IP(10, 1, 1, 5), G = IP(224, 4, 4, 6), rc;
  SOURCE_GROUP_ENTRY sg[4];
  static const struct {
    int s_set;
    DWORD smask;
    int g_set;
    DWORD gmask;
  } bad[] = {
      {1, 0xFFFFFF00u, 1, 0xFFFFFFFFu}, /* source range */
      {1, 0xFFFFFFFFu, 1, 0xFFFFFF00u}, /* group range */
      {0, 0, 1, 0xFFFF0000u},           /* (*, group range) */
      {1, 0xFFFFFFFFu, 0, 0},           /* (S,*) */
      {1, 0xFFFFFFFFu, 0, 0xFFFFFFFFu}, /* (S,*) with a group mask */
      {1, 0, 0, 0},                     /* (S,*) with masks 0 */
  };
  size_t i;

  setup_45();
  fx_add(0, 0, G, 2);
  fx_log_clear();
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    rc = MgmAddGroupMembershipEntry(fx_h(0), bad[i].s_set ? S : 0, bad[i].smask,
                                    bad[i].g_set ? G : 0, bad[i].gmask, 2, 0,
                                    MGM_JOIN_STATE_FLAG);
    cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "add shape %zu: got %u", i,
                 (unsigned)rc);
    rc = MgmDeleteGroupMembershipEntry(fx_h(0), bad[i].s_set ? S : 0,
                                       bad[i].smask, bad[i].g_set ? G : 0,
                                       bad[i].gmask, 2, 0, MGM_JOIN_STATE_FLAG);
    cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "delete shape %zu: got %u", i,
                 (unsigned)rc);
  }
  FX_EXPECT_NONE();
  cr_assert_eq(fx_groups(0, ALL_SOURCES, sg, 4), 1u);
  cr_assert(sg[0].dwSourceAddr == 0 && sg[0].dwGroupAddr == G);
}

Test(membership, flags_zero_and_unknown_bits_mean_join) {
  DWORD G = IP(224, 4, 4, 7), G2 = IP(224, 4, 4, 8);
  SOURCE_GROUP_ENTRY sg[4];

  setup_45();
  cr_assert_eq(fx_add_rc(0, 0, G, 2, 0, 0), NO_ERROR);
  FX_EXPECT(EV_JOIN(1, 0, 0, G, FX_ALL, TRUE),
            EV_JOIN(2, 0, 0, G, FX_ALL, TRUE),
            EV_JOIN(3, 0, 0, G, FX_ALL, TRUE));
  cr_assert_eq(fx_add_rc(0, 0, G2, 2, 0, MGM_JOIN_STATE_FLAG | 0x80000100u),
               NO_ERROR);
  FX_EXPECT(EV_JOIN(1, 0, 0, G2, FX_ALL, TRUE),
            EV_JOIN(2, 0, 0, G2, FX_ALL, TRUE),
            EV_JOIN(3, 0, 0, G2, FX_ALL, TRUE));
  cr_assert_eq(fx_groups(0, ALL_SOURCES, sg, 4), 2u);
  cr_assert_eq(fx_del_rc(0, 0, G, 2, 0, 0), NO_ERROR);
  FX_EXPECT(EV_PRUNE(1, 0, 0, G, FX_ALL, 2, 0, TRUE),
            EV_PRUNE(2, 0, 0, G, FX_ALL, 2, 0, TRUE),
            EV_PRUNE(3, 0, 0, G, FX_ALL, 2, 0, TRUE));
  cr_assert_eq(fx_groups(0, ALL_SOURCES, sg, 4), 1u);
}

Test(membership, forward_flag_without_specific_mfe_is_a_no_op) {
  DWORD S = IP(10, 1, 1, 5), G = IP(224, 4, 4, 9);
  SOURCE_GROUP_ENTRY sg[4];

  setup_45();
  /* Wildcards. */
  cr_assert_eq(fx_add_rc(0, 0, G, 2, 0, MGM_FORWARD_STATE_FLAG), NO_ERROR);
  cr_assert_eq(fx_add_rc(0, 0, 0, 2, 0, MGM_FORWARD_STATE_FLAG), NO_ERROR);
  /* (S,G) with no MFE. */
  cr_assert_eq(fx_add_rc(0, S, G, 2, 0, MGM_FORWARD_STATE_FLAG), NO_ERROR);
  cr_assert_eq(fx_del_rc(0, S, G, 2, 0, MGM_FORWARD_STATE_FLAG), NO_ERROR);
  FX_EXPECT_NONE();
  cr_assert_eq(fx_groups(0, ALL_SOURCES, sg, 4), 0u, "FORWARD added state");
  cr_assert_eq(fx_mfe_get(S, G, &(struct fx_mfe){0}), ERROR_NOT_FOUND);
}

/* FORWARD state on an existing MFE, and its precedence against later
 * membership events (D-PRECEDENCE).  Slots: O 0 (iif I(1)), Q 1 (I(2),
 * I(3)), IGMP 2 (co-owns I(2)). */
Test(membership, forward_flag_edits_existing_mfe) {
  DWORD S = IP(10, 1, 1, 5), G = IP(224, 4, 4, 10), rc;
  struct libmgm_sim_result r;
  SOURCE_GROUP_ENTRY sg[4];

  fx_register(0, PID_O, 1);
  fx_register(1, PID_Q, 1);
  fx_register(2, PROTO_IP_IGMP, 1);
  fx_take(0, 1, 0);
  fx_take(1, 2, 0);
  fx_take(1, 3, 0);
  fx_take(2, 2, 0);
  fx_route(NET, MASK24, 1, 0, PROTO_IP_RIP);
  fx_add(1, 0, G, 2);
  fx_add(1, 0, G, 3);
  fx_veto(1, 3);
  r = fx_inject(1, S, G);
  cr_assert_eq(r.n_out, 1u);
  FX_ASSERT_OIFS(S, G, 2);
  fx_log_clear();

  /* Graft the vetoed interface back. */
  cr_assert_eq(fx_add_rc(1, S, G, 3, 0, MGM_FORWARD_STATE_FLAG), NO_ERROR);
  FX_EXPECT_NONE();
  FX_ASSERT_OIFS(S, G, 2, 3);
  cr_assert_eq(fx_groups(1, ALL_SOURCES, sg, 4), 1u, "FORWARD added state");
  /* Delete regardless of the (*,G) membership on I(2). */
  cr_assert_eq(fx_del_rc(1, S, G, 2, 0, MGM_FORWARD_STATE_FLAG), NO_ERROR);
  FX_EXPECT_NONE();
  FX_ASSERT_OIFS(S, G, 3);
  /* Emptying the list: negative-MFE prune alert to the iif owner. */
  cr_assert_eq(fx_del_rc(1, S, G, 3, 0, MGM_FORWARD_STATE_FLAG), NO_ERROR);
  FX_EXPECT(EV_PRUNE(0, S, FX_ALL, G, FX_ALL, 3, 0, FALSE));
  FX_ASSERT_OIFS(S, G);
  /* Refilling it: join alert FALSE to the iif owner. */
  cr_assert_eq(fx_add_rc(1, S, G, 2, 0, MGM_FORWARD_STATE_FLAG), NO_ERROR);
  FX_EXPECT(EV_JOIN(0, S, FX_ALL, G, FX_ALL, FALSE));
  FX_ASSERT_OIFS(S, G, 2);
  /* A later membership add covering a FORWARD-removed interface re-adds
   * it (last writer wins). */
  cr_assert_eq(fx_del_rc(1, S, G, 2, 0, MGM_FORWARD_STATE_FLAG), NO_ERROR);
  FX_EXPECT(EV_PRUNE(0, S, FX_ALL, G, FX_ALL, 2, 0, FALSE));
  fx_add(1, S, G, 2);
  FX_EXPECT(EV_JOIN(0, S, FX_ALL, G, FX_ALL, TRUE),
            EV_JOIN(0, S, FX_ALL, G, FX_ALL, FALSE));
  FX_ASSERT_OIFS(S, G, 2);
  /* A later delete leaving a FORWARD-added interface unjustified removes
   * it. */
  cr_assert_eq(fx_add_rc(1, S, G, 3, 0, MGM_FORWARD_STATE_FLAG), NO_ERROR);
  FX_ASSERT_OIFS(S, G, 2, 3);
  fx_del(1, 0, G, 3);
  FX_EXPECT_NONE();
  FX_ASSERT_OIFS(S, G, 2);
  /* FORWARD on the incoming interface: no-op. */
  cr_assert_eq(fx_add_rc(0, S, G, 1, 0, MGM_FORWARD_STATE_FLAG), NO_ERROR);
  FX_ASSERT_OIFS(S, G, 2);
  /* FORWARD by a client that does not own the interface: 87. */
  rc = fx_add_rc(0, S, G, 3, 0, MGM_FORWARD_STATE_FLAG);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  /* FORWARD by the IGMP co-owner of a protocol-owned interface: no-op. */
  rc = fx_del_rc(2, S, G, 2, 0, MGM_FORWARD_STATE_FLAG);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  FX_EXPECT_NONE();
  FX_ASSERT_OIFS(S, G, 2);
  /* JOIN|FORWARD: JOIN first (a new (S,G) membership on I(3)), then the
   * FORWARD add finds I(3) already listed. */
  cr_assert_eq(
      fx_add_rc(1, S, G, 3, 0, MGM_JOIN_STATE_FLAG | MGM_FORWARD_STATE_FLAG),
      NO_ERROR);
  FX_EXPECT_NONE(); /* Q already had (S,G): no alerts */
  FX_ASSERT_OIFS(S, G, 2, 3);
  FX_ASSERT_KERNEL_CONSISTENT();
}

Test(membership, permission_errors) {
  DWORD G = IP(224, 4, 4, 11), rc;
  SOURCE_GROUP_ENTRY sg[4];

  setup_45();
  fx_register(4, PROTO_IP_IGMP, 1);
  /* Add on another client's interface, on an unowned one: 87. */
  rc = fx_add_rc(0, 0, G, 4, 0, MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "others' if: %u", (unsigned)rc);
  rc = fx_add_rc(0, 0, G, 30, 0, MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "unowned if: %u", (unsigned)rc);
  rc = fx_add_rc(4, 0, G, 2, 0, MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "IGMP not co-owner: %u",
               (unsigned)rc);
  /* Delete: 87 when owned by someone else, 1168 when unknown. */
  rc = fx_del_rc(0, 0, G, 4, 0, MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "others' if: %u", (unsigned)rc);
  rc = fx_del_rc(0, 0, G, 30, 0, MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, ERROR_NOT_FOUND, "unknown if: %u", (unsigned)rc);
  FX_EXPECT_NONE();
  cr_assert_eq(fx_groups(0, ALL_SOURCES, sg, 4), 0u);
}

Test(membership, sg_and_star_g_are_independent_entries) {
  DWORD S = IP(10, 1, 1, 5), G = IP(224, 4, 4, 12);

  setup_45();
  fx_add(0, 0, G, 2);
  FX_EXPECT(EV_JOIN(1, 0, 0, G, FX_ALL, TRUE),
            EV_JOIN(2, 0, 0, G, FX_ALL, TRUE),
            EV_JOIN(3, 0, 0, G, FX_ALL, TRUE));
  /* (S,G) has its own Clients set: O alerted although A is in (*,G). */
  fx_add(1, S, G, 4);
  FX_EXPECT(EV_JOIN(3, S, FX_ALL, G, FX_ALL, TRUE));
  /* (*,*) likewise. */
  fx_add(1, 0, 0, 4);
  FX_EXPECT(EV_JOIN(0, 0, 0, 0, 0, TRUE), EV_JOIN(2, 0, 0, 0, 0, TRUE),
            EV_JOIN(3, 0, 0, 0, 0, TRUE));
  fx_del(0, 0, G, 2);
  FX_EXPECT(EV_PRUNE(1, 0, 0, G, FX_ALL, 2, 0, TRUE),
            EV_PRUNE(2, 0, 0, G, FX_ALL, 2, 0, TRUE),
            EV_PRUNE(3, 0, 0, G, FX_ALL, 2, 0, TRUE));
}

/* A lone client's plain JOIN add and delete take libmgm's quick path
 * (group.c) unless an MFE they cover exists: then the outgoing lists must
 * still follow, with the negative-MFE alerts, for (S,G) and (*,G) alike.
 * Slot 0 owns I(1) (toward the source), I(2) and I(3). */
Test(membership, lone_client_changes_reach_existing_mfes) {
  DWORD S = IP(10, 1, 1, 7), G = IP(232, 1, 2, 3);
  struct libmgm_sim_result r;

  fx_register(0, PID_P, 1);
  fx_take(0, 1, 0);
  fx_take(0, 2, 0);
  fx_take(0, 3, 0);
  fx_route(NET, MASK24, 1, 0, PROTO_IP_RIP);
  fx_add(0, S, G, 2);
  FX_EXPECT_NONE();
  r = fx_inject(1, S, G);
  cr_assert_eq(r.n_out, 1u);
  FX_ASSERT_OIFS(S, G, 2);
  fx_log_clear();

  fx_del(0, S, G, 2); /* the entry's only membership, an MFE covers it */
  FX_EXPECT(EV_PRUNE(0, S, FX_ALL, G, FX_ALL, 2, 0, FALSE));
  FX_ASSERT_OIFS(S, G);
  fx_add(0, S, G, 2); /* a new entry, the MFE is there */
  FX_EXPECT(EV_JOIN(0, S, FX_ALL, G, FX_ALL, FALSE));
  FX_ASSERT_OIFS(S, G, 2);
  fx_add(0, 0, G, 3);
  FX_EXPECT_NONE();
  FX_ASSERT_OIFS(S, G, 2, 3);
  fx_del(0, 0, G, 3);
  FX_EXPECT_NONE();
  FX_ASSERT_OIFS(S, G, 2);
  FX_ASSERT_KERNEL_CONSISTENT();
}
