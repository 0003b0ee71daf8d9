/*
 * test_faults.c - unit tests of backend failures injected through the sim
 * (design.md 7 and 9, kernel.md G.1 error mapping, mgm-spec G-2).
 *
 * SPDX-License-Identifier: MIT
 *
 * libmgm_sim_fail_next() makes the next backend operation of one kind fail
 * (MGM_BE_ENOMEM -8, MGM_BE_EIO -11, MGM_BE_ENOSLOT -6).  Each test checks
 * the Win32 code the API returns (ENOMEM/ENOSLOT -> 8, EIO -> 1003), that
 * MGM's tables still match what the simulated kernel forwards, and that
 * the next call succeeds and has the full effect.
 */
#include "fixture.h"

#include "fx_criterion.h"

#include <string.h>

#define PID_O 8001u
#define PID_Q 8002u

#define S_ IP(10, 1, 1, 5)
#define G_ IP(224, 8, 8, 8)

#define BE_ENOSLOT (-6)
#define BE_ENOMEM (-8)
#define BE_EIO (-11)

TestSuite(faults, .init = fx_setup, .fini = fx_teardown, .timeout = 30);

/* O(0) owns I(1) toward S; Q(1) owns I(2), I(3) with (*,G)@2; MFE
 * (S,G) -> {2}. */
static void setup_world(void) {
  fx_register(0, PID_O, 1);
  fx_register(1, PID_Q, 1);
  fx_take(0, 1, 0);
  fx_take(1, 2, 0);
  fx_take(1, 3, 0);
  fx_route(IP(10, 1, 1, 0), IP(255, 255, 255, 0), 1, 0, PROTO_IP_RIP);
  fx_add(1, 0, G_, 2);
  fx_inject(1, S_, G_);
  FX_ASSERT_OIFS(S_, G_, 2);
  fx_log_clear();
}

Test(faults, mfe_set_enomem_on_membership_add) {
  struct libmgm_sim_result r;
  DWORD rc;

  setup_world();
  cr_assert_eq(libmgm_sim_fail_next(LIBMGM_SIM_OP_MFE_SET, BE_ENOMEM),
               NO_ERROR);
  rc = fx_add_rc(1, 0, G_, 3, 0, MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, ERROR_NOT_ENOUGH_MEMORY, "got %u", (unsigned)rc);
  FX_ASSERT_KERNEL_CONSISTENT();
  /* The next call works and has its full effect. */
  rc = fx_add_rc(1, 0, G_, 3, 0, MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, NO_ERROR, "retry: %u", (unsigned)rc);
  FX_ASSERT_OIFS(S_, G_, 2, 3);
  r = fx_inject(1, S_, G_);
  cr_assert_eq(r.n_out, 2u, "retry not forwarded: n_out %u", (unsigned)r.n_out);
  FX_ASSERT_KERNEL_CONSISTENT();
}

Test(faults, mfe_set_failure_on_membership_delete) {
  struct libmgm_sim_result r;
  DWORD rc;

  setup_world();
  fx_add(1, 0, G_, 3);
  FX_ASSERT_OIFS(S_, G_, 2, 3);
  cr_assert_eq(libmgm_sim_fail_next(LIBMGM_SIM_OP_MFE_SET, BE_EIO), NO_ERROR);
  rc = fx_del_rc(1, 0, G_, 3, 0, MGM_JOIN_STATE_FLAG);
  cr_assert(rc == ERROR_CAN_NOT_COMPLETE, "got %u", (unsigned)rc);
  FX_ASSERT_KERNEL_CONSISTENT();
  rc = fx_del_rc(1, 0, G_, 3, 0, MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, NO_ERROR, "retry: %u", (unsigned)rc);
  FX_ASSERT_OIFS(S_, G_, 2);
  r = fx_inject(1, S_, G_);
  cr_assert_eq(r.n_out, 1u, "n_out %u", (unsigned)r.n_out);
  FX_ASSERT_KERNEL_CONSISTENT();
}

Test(faults, mfe_set_failure_on_creation_then_rebuilt) {
  struct libmgm_sim_result r;
  struct fx_mfe m;

  fx_register(0, PID_O, 1);
  fx_register(1, PID_Q, 1);
  fx_take(0, 1, 0);
  fx_take(1, 2, 0);
  fx_route(IP(10, 1, 1, 0), IP(255, 255, 255, 0), 1, 0, PROTO_IP_RIP);
  fx_add(1, 0, G_, 2);
  cr_assert_eq(libmgm_sim_fail_next(LIBMGM_SIM_OP_MFE_SET, BE_EIO), NO_ERROR);
  r = fx_inject(1, S_, G_);
  cr_assert_eq(r.n_out, 0u, "forwarded without a kernel entry");
  FX_ASSERT_KERNEL_CONSISTENT();
  /* Past the sim's pending-entry lifetime (10 s) a new packet rebuilds. */
  fx_advance_ms(11000);
  r = fx_inject(1, S_, G_);
  r = fx_inject(1, S_, G_);
  cr_assert_eq(r.n_out, 1u, "not rebuilt: n_out %u", (unsigned)r.n_out);
  cr_assert_eq(fx_mfe_get(S_, G_, &m), NO_ERROR);
  FX_ASSERT_OIFS(S_, G_, 2);
  FX_ASSERT_KERNEL_CONSISTENT();
}

Test(faults, if_attach_no_slot_on_take) {
  DWORD rc, pid = 0, cid = 0;

  fx_register(0, PID_O, 1);
  cr_assert_eq(libmgm_sim_fail_next(LIBMGM_SIM_OP_IF_ATTACH, BE_ENOSLOT),
               NO_ERROR);
  rc = MgmTakeInterfaceOwnership(fx_h(0), 4, 0);
  cr_assert_eq(rc, ERROR_NOT_ENOUGH_MEMORY, "got %u", (unsigned)rc);
  rc = MgmGetProtocolOnInterface(4, 0, &pid, &cid);
  cr_assert_eq(rc, ERROR_NOT_FOUND, "ownership kept after failure: %u",
               (unsigned)rc);
  fx_take(0, 4, 0);
  rc = MgmGetProtocolOnInterface(4, 0, &pid, &cid);
  cr_assert_eq(rc, NO_ERROR);
  cr_assert_eq(pid, PID_O);
  FX_EXPECT_NONE();
}

Test(faults, slot_limit_on_take) {
  DWORD rc, pid = 0, cid = 0;

  fx_register(0, PID_O, 1);
  cr_assert_eq(libmgm_sim_set_limits(2), NO_ERROR);
  fx_take(0, 1, 0);
  fx_take(0, 2, 0);
  rc = MgmTakeInterfaceOwnership(fx_h(0), 3, 0);
  cr_assert_eq(rc, ERROR_NOT_ENOUGH_MEMORY, "got %u", (unsigned)rc);
  rc = MgmGetProtocolOnInterface(3, 0, &pid, &cid);
  cr_assert_eq(rc, ERROR_NOT_FOUND, "got %u", (unsigned)rc);
  cr_assert_eq(fx_release(0, 1, 0), NO_ERROR);
  fx_take(0, 3, 0);
  cr_assert_eq(libmgm_sim_set_limits(0), NO_ERROR);
}

Test(faults, mfe_stats_failure) {
  unsigned char b[512];
  MIB_IPMCAST_MFE key;
  DWORD rc, size, n;

  setup_world();
  memset(&key, 0, sizeof key);
  key.dwGroup = G_;
  key.dwSource = S_;
  cr_assert_eq(libmgm_sim_fail_next(LIBMGM_SIM_OP_MFE_STATS, BE_EIO), NO_ERROR);
  size = sizeof b;
  rc = MgmGetMfeStats(&key, &size, b, MGM_MFE_STATS_0);
  cr_assert_eq(rc, ERROR_CAN_NOT_COMPLETE, "got %u", (unsigned)rc);
  cr_assert_eq(size, (DWORD)sizeof b);
  rc = MgmGetMfeStats(&key, &size, b, MGM_MFE_STATS_0);
  cr_assert_eq(rc, NO_ERROR, "retry: %u", (unsigned)rc);
  cr_assert_eq(libmgm_sim_fail_next(LIBMGM_SIM_OP_MFE_STATS, BE_EIO), NO_ERROR);
  rc = MgmGetFirstMfeStats(&size, b, &n, MGM_MFE_STATS_1);
  cr_assert_eq(rc, ERROR_CAN_NOT_COMPLETE, "got %u", (unsigned)rc);
  cr_assert_eq(size, (DWORD)sizeof b);
  rc = MgmGetFirstMfeStats(&size, b, &n, MGM_MFE_STATS_1);
  cr_assert_eq(rc, ERROR_NO_MORE_ITEMS, "retry: %u", (unsigned)rc);
  cr_assert_eq(n, 1u);
  /* The plain MFE read needs no counters. */
  cr_assert_eq(libmgm_sim_fail_next(LIBMGM_SIM_OP_MFE_STATS, BE_EIO), NO_ERROR);
  FX_ASSERT_OIFS(S_, G_, 2);
}

Test(faults, mfe_del_failure_on_release_keeps_tables_consistent) {
  DWORD rc, entries = 9, slots = 0;

  setup_world();
  cr_assert_eq(libmgm_sim_fail_next(LIBMGM_SIM_OP_MFE_DEL, BE_EIO), NO_ERROR);
  rc = fx_release(0, 1, 0);
  cr_assert(rc == NO_ERROR || rc == ERROR_CAN_NOT_COMPLETE, "got %u",
            (unsigned)rc);
  FX_ASSERT_KERNEL_CONSISTENT();
  if (rc != NO_ERROR) {
    rc = fx_release(0, 1, 0);
    cr_assert_eq(rc, NO_ERROR, "retry: %u", (unsigned)rc);
  }
  FX_ASSERT_KERNEL_CONSISTENT();
  cr_assert_eq(libmgm_sim_kernel_count(&entries, &slots), NO_ERROR);
  cr_assert_eq(entries, 0u, "stale kernel entry: %u", (unsigned)entries);
}

Test(faults, no_leak_after_full_cleanup) {
  DWORD entries = 9, slots = 9;

  setup_world();
  fx_add(1, 0, G_, 3);
  cr_assert_eq(fx_release(1, 2, 0), NO_ERROR);
  cr_assert_eq(fx_release(1, 3, 0), NO_ERROR);
  cr_assert_eq(fx_release(0, 1, 0), NO_ERROR);
  cr_assert_eq(libmgm_sim_kernel_count(&entries, &slots), NO_ERROR);
  cr_assert_eq(entries, 0u, "kernel entries left: %u", (unsigned)entries);
  cr_assert_eq(slots, 0u, "kernel slots left: %u", (unsigned)slots);
}
