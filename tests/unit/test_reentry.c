/*
 * test_reentry.c - unit tests of callbacks that call back into MGM
 * (mgm-spec G-4, 3.7; design.md 8 rules 2, 5 and 7).
 *
 * SPDX-License-Identifier: MIT
 *
 * Callbacks are invoked without any libmgm lock held, so a callback may
 * call MGM again without deadlock; nested callbacks are delivered inside
 * the outer one, before the nested call returns.  By default such an Mgm*
 * call proceeds with one warning on channel strict per (function,
 * callback kind); strict mode refuses every one with
 * ERROR_CAN_NOT_COMPLETE and a log line naming both (G-4).  Adding a
 * membership from inside the enable-IGMP callback (documented to deadlock
 * Windows MGM) keeps its own "would deadlock on Windows" report, every
 * time, in both modes.  A client may deregister from inside its own
 * callback.  libmgm_* calls keep their rules: a sim control call from a
 * loop-thread callback is refused in strict mode, a snapshot is not.
 */
#include "fixture.h"

#include "fx_criterion.h"

#include <string.h>

#define PID_A 7001u
#define PID_B 7002u
#define PID_C 7003u
#define PID_P 7004u

#define S_ IP(10, 1, 1, 5)
#define G_ IP(224, 7, 7, 7)

TestSuite(reentry, .init = fx_setup, .fini = fx_teardown, .timeout = 30);
TestSuite(reentry_strict, .init = fx_setup_strict, .fini = fx_teardown,
          .timeout = 30);

/* Lines on channel strict naming fn and the callback field cb (G-4). */
#define G4_WARNS(fn, cb) fx_warn_lines(LIBMGM_LOG_WARN, "strict", fn, cb)
#define G4_ERRS(fn, cb) fx_warn_lines(LIBMGM_LOG_ERROR, "strict", fn, cb)

static DWORD hook_b_adds(int slot, const struct fx_ev *ev) {
  (void)ev;
  return fx_add_rc(slot, 0, G_, 3, 0, MGM_JOIN_STATE_FLAG);
}

/* Slots A 0, B 1, C 2: A's add alerts B and C; B adds a membership of its
 * own from inside its join alert. */
static void join_alert_add_setup(void) {
  fx_register(0, PID_A, 1);
  fx_register(1, PID_B, 1);
  fx_register(2, PID_C, 1);
  fx_take(0, 2, 0);
  fx_take(1, 3, 0);
  fx_hook(1, FX_JOIN, hook_b_adds, 1);
  fx_warns_clear();
  fx_add(0, 0, G_, 2);
}

Test(reentry, join_alert_callback_adds_membership) {
  join_alert_add_setup();
  /* B's nested add alerts A (inside B's callback), then C gets the outer
   * alert. */
  FX_EXPECT(EV_JOIN(1, 0, 0, G_, FX_ALL, TRUE),
            EV_JOIN(0, 0, 0, G_, FX_ALL, TRUE),
            EV_JOIN(2, 0, 0, G_, FX_ALL, TRUE));
  cr_assert_eq(fx_hook_rc(1), NO_ERROR, "nested add: %u",
               (unsigned)fx_hook_rc(1));
  cr_assert_eq(G4_WARNS("MgmAddGroupMembershipEntry", "pfnJoinAlertCallback"),
               1, "no re-entry warning naming the call and the callback");
  cr_assert_eq(fx_warns(), 1, "%zu log lines, 1 expected", fx_warns());
  fx_del(1, 0, G_, 3);
  FX_EXPECT(EV_PRUNE(0, 0, 0, G_, FX_ALL, 3, 0, TRUE));
}

Test(reentry_strict, join_alert_callback_add_is_refused) {
  join_alert_add_setup();
  /* No nested alert to A: B's add did nothing. */
  FX_EXPECT(EV_JOIN(1, 0, 0, G_, FX_ALL, TRUE),
            EV_JOIN(2, 0, 0, G_, FX_ALL, TRUE));
  cr_assert_eq(fx_hook_rc(1), ERROR_CAN_NOT_COMPLETE, "nested add: %u",
               (unsigned)fx_hook_rc(1));
  cr_assert_eq(G4_ERRS("MgmAddGroupMembershipEntry", "pfnJoinAlertCallback"), 1,
               "no strict line naming the call and the callback");
  cr_assert_eq(fx_warns(), 1, "%zu log lines, 1 expected", fx_warns());
  /* Nothing was recorded: the same add outside the callback is new. */
  fx_add(1, 0, G_, 3);
  FX_EXPECT(EV_JOIN(0, 0, 0, G_, FX_ALL, TRUE));
}

static DWORD hook_reads_state(int slot, const struct fx_ev *ev) {
  struct fx_mfe m;
  SOURCE_GROUP_ENTRY sg[8];
  DWORD rc, pid, cid;

  (void)ev;
  rc = MgmGetProtocolOnInterface(1, 0, &pid, &cid);
  if (rc != NO_ERROR)
    return rc;
  rc = fx_mfe_get(S_, G_, &m);
  if (rc != NO_ERROR)
    return rc;
  (void)fx_groups(slot, ALL_SOURCES, sg, 8);
  return NO_ERROR;
}

Test(reentry, prune_alert_callback_reads_tables) {
  fx_register(0, PID_A, 1);
  fx_register(1, PID_B, 1);
  fx_take(0, 1, 0);
  fx_take(1, 3, 0);
  fx_route(IP(10, 1, 1, 0), IP(255, 255, 255, 0), 1, 0, PROTO_IP_RIP);
  fx_add(1, 0, G_, 3);
  fx_inject(1, S_, G_);
  fx_log_clear();
  fx_hook(0, FX_PRUNE, hook_reads_state, 0);
  fx_del(1, 0, G_, 3);
  FX_EXPECT(EV_PRUNE(0, 0, 0, G_, FX_ALL, 3, 0, TRUE),
            EV_PRUNE(0, S_, FX_ALL, G_, FX_ALL, 3, 0, FALSE));
  cr_assert_eq(fx_hook_fired(0), 2);
  cr_assert_eq(fx_hook_rc(0), NO_ERROR, "got %u", (unsigned)fx_hook_rc(0));
}

static DWORD hook_get_mfe(int slot, const struct fx_ev *ev) {
  struct fx_mfe m;

  (void)slot;
  (void)ev;
  return fx_mfe_get(S_, G_, &m);
}

/* A owns the MFE's incoming interface; B's leave brings A two prune
 * alerts, (*,G) and then the MFE's, and A reads the MFE inside each. */
static void get_mfe_in_prune_alerts(void) {
  fx_register(0, PID_A, 1);
  fx_register(1, PID_B, 1);
  fx_take(0, 1, 0);
  fx_take(1, 3, 0);
  fx_route(IP(10, 1, 1, 0), IP(255, 255, 255, 0), 1, 0, PROTO_IP_RIP);
  fx_add(1, 0, G_, 3);
  fx_inject(1, S_, G_);
  fx_log_clear();
  fx_warns_clear();
  fx_hook(0, FX_PRUNE, hook_get_mfe, 0);
  fx_del(1, 0, G_, 3);
  FX_EXPECT(EV_PRUNE(0, 0, 0, G_, FX_ALL, 3, 0, TRUE),
            EV_PRUNE(0, S_, FX_ALL, G_, FX_ALL, 3, 0, FALSE));
  cr_assert_eq(fx_hook_fired(0), 2);
}

Test(reentry, get_mfe_in_callback_warns_once) {
  get_mfe_in_prune_alerts();
  cr_assert_eq(fx_hook_rc(0), NO_ERROR, "got %u", (unsigned)fx_hook_rc(0));
  /* Two re-entries of one (function, callback kind): one warning. */
  cr_assert_eq(G4_WARNS("MgmGetMfe", "pfnPruneAlertCallback"), 1,
               "no re-entry warning naming the call and the callback");
  cr_assert_eq(fx_warns(), 1, "%zu log lines, 1 expected", fx_warns());
}

Test(reentry_strict, get_mfe_in_callback_is_refused) {
  get_mfe_in_prune_alerts();
  cr_assert_eq(fx_hook_rc(0), ERROR_CAN_NOT_COMPLETE, "got %u",
               (unsigned)fx_hook_rc(0));
  /* Every refused call has its line. */
  cr_assert_eq(G4_ERRS("MgmGetMfe", "pfnPruneAlertCallback"), 2,
               "%zu strict lines naming the call and the callback, 2 "
               "expected",
               G4_ERRS("MgmGetMfe", "pfnPruneAlertCallback"));
  cr_assert_eq(fx_warns(), 2, "%zu log lines, 2 expected", fx_warns());
}

static DWORD hook_get_protocol(int slot, const struct fx_ev *ev) {
  DWORD pid = 0, cid = 0, rc;

  (void)slot;
  (void)ev;
  rc = MgmGetProtocolOnInterface(2, 0, &pid, &cid);
  if (rc == NO_ERROR && pid != PID_B)
    rc = 0xBAD;
  return rc;
}

/* The RPF callback (to A) and the creation alert (to B) of a new flow,
 * on libmgm's loop thread, each ask who owns interface 2. */
static void loop_thread_callbacks_setup(void) {
  fx_register(0, PID_A, 1);
  fx_register(1, PID_B, 1);
  fx_take(0, 1, 0);
  fx_take(1, 2, 0);
  fx_route(IP(10, 1, 1, 0), IP(255, 255, 255, 0), 1, 0, PROTO_IP_RIP);
  fx_add(1, 0, G_, 2);
  fx_log_clear();
  fx_warns_clear();
  fx_hook(0, FX_RPF, hook_get_protocol, 1);
  fx_hook(1, FX_CREATE, hook_get_protocol, 1);
  fx_inject(1, S_, G_);
  FX_EXPECT(EV_RPF(0, S_, G_, 1, 0, 0),
            EV_CREATE(1, S_, G_, 1, 0, 1, IFE(2, 0, FALSE)));
  FX_ASSERT_OIFS(S_, G_, 2);
}

Test(reentry, loop_thread_callbacks_may_call_mgm) {
  loop_thread_callbacks_setup();
  cr_assert_eq(fx_hook_rc(0), NO_ERROR, "from RPF: %u",
               (unsigned)fx_hook_rc(0));
  cr_assert_eq(fx_hook_rc(1), NO_ERROR, "from creation alert: %u",
               (unsigned)fx_hook_rc(1));
  /* One warning per callback kind. */
  cr_assert_eq(G4_WARNS("MgmGetProtocolOnInterface", "pfnRpfCallback"), 1,
               "no re-entry warning for the RPF callback");
  cr_assert_eq(
      G4_WARNS("MgmGetProtocolOnInterface", "pfnCreationAlertCallback"), 1,
      "no re-entry warning for the creation alert");
  cr_assert_eq(fx_warns(), 2, "%zu log lines, 2 expected", fx_warns());
}

Test(reentry_strict, loop_thread_callback_calls_are_refused) {
  loop_thread_callbacks_setup();
  cr_assert_eq(fx_hook_rc(0), ERROR_CAN_NOT_COMPLETE, "from RPF: %u",
               (unsigned)fx_hook_rc(0));
  cr_assert_eq(fx_hook_rc(1), ERROR_CAN_NOT_COMPLETE, "from creation alert: %u",
               (unsigned)fx_hook_rc(1));
  cr_assert_eq(G4_ERRS("MgmGetProtocolOnInterface", "pfnRpfCallback"), 1,
               "no strict line for the RPF callback");
  cr_assert_eq(G4_ERRS("MgmGetProtocolOnInterface", "pfnCreationAlertCallback"),
               1, "no strict line for the creation alert");
  cr_assert_eq(fx_warns(), 2, "%zu log lines, 2 expected", fx_warns());
}

/* The creation alert's client adds an (S,G) membership on I(3), or
 * drops its (*,G) one on I(2), before the MFE is made: the MFE follows the
 * memberships as they are once the callbacks returned. */
static DWORD hook_adds_3(int slot, const struct fx_ev *ev) {
  (void)ev;
  return fx_add_rc(slot, S_, G_, 3, 0, MGM_JOIN_STATE_FLAG);
}

static DWORD hook_drops_2(int slot, const struct fx_ev *ev) {
  (void)ev;
  return fx_del_rc(slot, 0, G_, 2, 0, MGM_JOIN_STATE_FLAG);
}

static void creation_changes_setup(fx_hook_fn hook) {
  fx_register(0, PID_A, 1);
  fx_register(1, PID_B, 1);
  fx_take(0, 1, 0);
  fx_take(1, 2, 0);
  fx_take(1, 3, 0);
  fx_route(IP(10, 1, 1, 0), IP(255, 255, 255, 0), 1, 0, PROTO_IP_RIP);
  fx_add(1, 0, G_, 2);
  fx_log_clear();
  fx_hook(1, FX_CREATE, hook, 1);
  fx_inject(1, S_, G_);
  cr_assert_eq(fx_hook_fired(1), 1);
  cr_assert_eq(fx_hook_rc(1), NO_ERROR, "from creation alert: %u",
               (unsigned)fx_hook_rc(1));
}

Test(reentry, membership_added_in_creation_alert_reaches_the_new_mfe) {
  creation_changes_setup(hook_adds_3);
  FX_ASSERT_OIFS(S_, G_, 2, 3);
  fx_log_clear();
}

Test(reentry, membership_dropped_in_creation_alert_leaves_the_new_mfe) {
  struct fx_mfe m;

  creation_changes_setup(hook_drops_2);
  cr_assert_eq(fx_mfe_get(S_, G_, &m), NO_ERROR);
  cr_assert_eq(m.m.ulNumOutIf, 0, "%u outgoing interfaces",
               (unsigned)m.m.ulNumOutIf);
  fx_log_clear();
}

static DWORD hook_igmp_adds(int slot, const struct fx_ev *ev) {
  return fx_add_rc(slot, 0, G_, ev->ifindex, ev->nexthop, MGM_JOIN_STATE_FLAG);
}

/* Slots: IGMP 0, P 1.  IGMP owns I(2); P takes it; IGMP re-adds its
 * membership from inside the enable callback. */
Test(reentry, enable_igmp_callback_add_succeeds_with_warning) {
  fx_register(0, PROTO_IP_IGMP, 1);
  fx_register(1, PID_P, 1);
  fx_take(0, 2, 0);
  fx_hook(0, FX_ENABLE, hook_igmp_adds, 1);
  fx_warns_clear();
  fx_take(1, 2, 0);
  FX_EXPECT(EV_DISABLE(0, 2, 0), EV_ENABLE(0, 2, 0),
            EV_LJOIN(1, 0, 0, G_, FX_ALL, 2, 0));
  cr_assert_eq(fx_hook_rc(0), NO_ERROR, "got %u", (unsigned)fx_hook_rc(0));
  cr_assert(fx_warns() >= 1, "no warning logged for the re-entry");
  /* The documented deadlock's own report, not the general one. */
  cr_assert_eq(fx_warn_lines(LIBMGM_LOG_WARN, "strict",
                             "MgmAddGroupMembershipEntry inside the "
                             "enable-IGMP callback",
                             "would deadlock on Windows"),
               1);
  cr_assert_eq(fx_warn_lines(0, NULL, "G-4", NULL), 0);
  /* It was recorded: a repeat is an idempotent no-op. */
  fx_add(0, 0, G_, 2);
  FX_EXPECT_NONE();
}

Test(reentry_strict, enable_igmp_callback_add_is_refused) {
  fx_register(0, PROTO_IP_IGMP, 1);
  fx_register(1, PID_P, 1);
  fx_take(0, 2, 0);
  fx_hook(0, FX_ENABLE, hook_igmp_adds, 1);
  fx_warns_clear();
  fx_take(1, 2, 0);
  FX_EXPECT(EV_DISABLE(0, 2, 0), EV_ENABLE(0, 2, 0));
  cr_assert_eq(fx_hook_rc(0), ERROR_CAN_NOT_COMPLETE, "got %u",
               (unsigned)fx_hook_rc(0));
  cr_assert(fx_warns() >= 1, "no log line for the refused call");
  cr_assert_eq(fx_warn_lines(LIBMGM_LOG_ERROR, "strict",
                             "MgmAddGroupMembershipEntry inside the "
                             "enable-IGMP callback",
                             "would deadlock on Windows"),
               1);
  cr_assert_eq(fx_warn_lines(0, NULL, "G-4", NULL), 0);
  /* Nothing was recorded: the same add outside the callback is new. */
  fx_add(0, 0, G_, 2);
  FX_EXPECT(EV_LJOIN(1, 0, 0, G_, FX_ALL, 2, 0));
}

static DWORD hook_owner_adopts(int slot, const struct fx_ev *ev) {
  return MgmAddGroupMembershipEntry(fx_h(slot), ev->src, ev->smask, ev->grp,
                                    ev->gmask, ev->ifindex, ev->nexthop,
                                    MGM_JOIN_STATE_FLAG);
}

/* Slots IGMP 0, P 1, B 2: IGMP joins on P's interface 5; P adopts the
 * membership from inside its local-join callback. */
static void local_join_setup(void) {
  fx_register(0, PROTO_IP_IGMP, 1);
  fx_register(1, PID_P, 1);
  fx_register(2, PID_B, 1);
  fx_take(1, 5, 0);
  fx_take(0, 5, 0);
  fx_hook(1, FX_LJOIN, hook_owner_adopts, 1);
  fx_warns_clear();
  fx_add(0, 0, G_, 5);
}

Test(reentry, local_join_callback_adopts_membership) {
  local_join_setup();
  FX_EXPECT(EV_LJOIN(1, 0, 0, G_, FX_ALL, 5, 0),
            EV_JOIN(0, 0, 0, G_, FX_ALL, TRUE),
            EV_JOIN(2, 0, 0, G_, FX_ALL, TRUE));
  cr_assert_eq(fx_hook_rc(1), NO_ERROR, "got %u", (unsigned)fx_hook_rc(1));
  cr_assert_eq(G4_WARNS("MgmAddGroupMembershipEntry", "pfnLocalJoinCallback"),
               1, "no re-entry warning naming the call and the callback");
}

/* Not a documented deadlock, but a re-entry all the same (G-4). */
Test(reentry_strict, local_join_callback_adoption_is_refused) {
  local_join_setup();
  FX_EXPECT(EV_LJOIN(1, 0, 0, G_, FX_ALL, 5, 0));
  cr_assert_eq(fx_hook_rc(1), ERROR_CAN_NOT_COMPLETE, "got %u",
               (unsigned)fx_hook_rc(1));
  cr_assert_eq(G4_ERRS("MgmAddGroupMembershipEntry", "pfnLocalJoinCallback"), 1,
               "no strict line naming the call and the callback");
}

static DWORD hook_deregister_self(int slot, const struct fx_ev *ev) {
  (void)ev;
  return fx_deregister(slot);
}

Test(reentry, client_deregisters_inside_its_callback) {
  /* Registration order A 0, C 2, B 1. */
  fx_register(0, PID_A, 1);
  fx_register(2, PID_C, 1);
  fx_register(1, PID_B, 1);
  fx_take(0, 2, 0);
  fx_hook(2, FX_JOIN, hook_deregister_self, 1);
  fx_add(0, 0, G_, 2);
  FX_EXPECT(EV_JOIN(2, 0, 0, G_, FX_ALL, TRUE),
            EV_JOIN(1, 0, 0, G_, FX_ALL, TRUE));
  cr_assert_eq(fx_hook_rc(2), NO_ERROR, "deregister: %u",
               (unsigned)fx_hook_rc(2));
  fx_del(0, 0, G_, 2);
  FX_EXPECT(EV_PRUNE(1, 0, 0, G_, FX_ALL, 2, 0, TRUE));
}

static DWORD hook_snapshot(int slot, const struct fx_ev *ev) {
  struct libmgm_snapshot *snap = NULL;
  DWORD rc;

  (void)slot;
  (void)ev;
  rc = libmgm_snapshot_take(&snap);
  libmgm_snapshot_free(snap);
  return rc;
}

/* libmgm_* calls are not Mgm* calls: G-4's check leaves them alone. */
static void snapshot_in_join_alert(void) {
  fx_register(0, PID_A, 1);
  fx_register(1, PID_B, 1);
  fx_take(0, 2, 0);
  fx_hook(1, FX_JOIN, hook_snapshot, 1);
  fx_warns_clear();
  fx_add(0, 0, G_, 2);
  FX_EXPECT(EV_JOIN(1, 0, 0, G_, FX_ALL, TRUE));
  cr_assert_eq(fx_hook_rc(1), NO_ERROR, "got %u", (unsigned)fx_hook_rc(1));
  cr_assert_eq(fx_warns(), 0, "%zu log lines, none expected", fx_warns());
}

Test(reentry, snapshot_in_callback_is_not_reported) {
  snapshot_in_join_alert();
}

Test(reentry_strict, snapshot_in_callback_is_allowed) {
  snapshot_in_join_alert();
}

static DWORD hook_sim_advance(int slot, const struct fx_ev *ev) {
  (void)slot;
  (void)ev;
  return libmgm_sim_advance(0);
}

Test(reentry_strict, sim_control_from_loop_thread_is_refused) {
  fx_register(0, PID_A, 1);
  fx_take(0, 1, 0);
  fx_route(IP(10, 1, 1, 0), IP(255, 255, 255, 0), 1, 0, PROTO_IP_RIP);
  fx_hook(0, FX_RPF, hook_sim_advance, 1);
  fx_inject(1, S_, G_);
  FX_EXPECT(EV_RPF(0, S_, G_, 1, 0, 0), EV_NPRUNE_LOOP(0, S_, G_, 1, 0));
  cr_assert_eq(fx_hook_rc(0), ERROR_CAN_NOT_COMPLETE, "got %u",
               (unsigned)fx_hook_rc(0));
}
