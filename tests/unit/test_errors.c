/*
 * test_errors.c - unit tests of argument validation (mgm-spec G-1, G-2,
 * G-3, G-6, 2.x "Port:" additions, design.md 7).
 *
 * SPDX-License-Identifier: MIT
 *
 * Checks the G-2 validation order with calls that fail two checks at once
 * (the first check must win), NULL pointers on every pointer parameter,
 * stale handles after deregistration / End, handles of the wrong kind and
 * garbage handle values on every handle-taking function.  Every bad call
 * must return its code without crashing and without changing anything: a
 * snapshot of the observable state (ownership, group enumeration, MFE
 * table bytes, callback log) is compared before and after.
 */
#include "fixture.h"

#include "fx_criterion.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PID_A 6001u
#define PID_B 6002u

#define S_ IP(10, 1, 1, 5)
#define G_ IP(224, 6, 6, 6)

TestSuite(errors, .init = fx_setup, .fini = fx_teardown, .timeout = 30);

struct snapshot {
  DWORD owner_pid[8], owner_cid[8], owner_rc[8];
  SOURCE_GROUP_ENTRY groups[16];
  size_t ngroups;
  unsigned char mfes[2048];
  DWORD mfe_rc, mfe_n;
};

static void take_snapshot(struct snapshot *s) {
  DWORD i, size;

  memset(s, 0, sizeof *s);
  for (i = 0; i < 8; i++)
    s->owner_rc[i] =
        MgmGetProtocolOnInterface(i, 0, &s->owner_pid[i], &s->owner_cid[i]);
  s->ngroups = fx_groups(0, ALL_SOURCES, s->groups, 16);
  size = (DWORD)sizeof s->mfes;
  s->mfe_rc = MgmGetFirstMfe(&size, s->mfes, &s->mfe_n);
}

static void assert_same(const struct snapshot *a, const struct snapshot *b) {
  cr_assert(memcmp(a->owner_rc, b->owner_rc, sizeof a->owner_rc) == 0 &&
                memcmp(a->owner_pid, b->owner_pid, sizeof a->owner_pid) == 0 &&
                memcmp(a->owner_cid, b->owner_cid, sizeof a->owner_cid) == 0,
            "interface ownership changed");
  cr_assert_eq(a->ngroups, b->ngroups, "group count %zu -> %zu", a->ngroups,
               b->ngroups);
  cr_assert(memcmp(a->groups, b->groups, sizeof a->groups) == 0,
            "group entries changed");
  cr_assert_eq(a->mfe_rc, b->mfe_rc);
  cr_assert_eq(a->mfe_n, b->mfe_n);
  cr_assert(memcmp(a->mfes, b->mfes, sizeof a->mfes) == 0, "MFE table changed");
}

/* A(0) owns I(1) toward S and I(2) with (*,G); B(1) owns I(3) with
 * (*,G); one MFE (S,G) -> {2,3}. */
static void setup_world(void) {
  fx_register(0, PID_A, 1);
  fx_register(1, PID_B, 1);
  fx_take(0, 1, 0);
  fx_take(0, 2, 0);
  fx_take(1, 3, 0);
  fx_route(IP(10, 1, 1, 0), IP(255, 255, 255, 0), 1, 0, PROTO_IP_RIP);
  fx_add(0, 0, G_, 2);
  fx_add(1, 0, G_, 3);
  fx_inject(1, S_, G_);
  FX_ASSERT_OIFS(S_, G_, 2, 3);
  fx_log_clear();
}

/* Call every handle-taking function with h as a protocol handle and as an
 * enumeration handle; all must return 87. */
static void all_87(HANDLE h, const char *what) {
  HANDLE e = (HANDLE)(uintptr_t)0x4242;
  MIB_IPMCAST_MFE m;
  unsigned char b[64];
  DWORD rc, size = sizeof b, n = 3;

  memset(&m, 0, sizeof m);
  m.dwGroup = G_;
  m.dwSource = S_;
  m.dwUpStrmNgbr = IP(9, 9, 9, 9);
  rc = MgmDeRegisterMProtocol(h);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "%s: DeRegister %u", what,
               (unsigned)rc);
  rc = MgmTakeInterfaceOwnership(h, 20, 0);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "%s: Take %u", what, (unsigned)rc);
  rc = MgmReleaseInterfaceOwnership(h, 2, 0);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "%s: Release %u", what,
               (unsigned)rc);
  rc = MgmAddGroupMembershipEntry(h, 0, 0, IP(224, 6, 6, 7), FX_ALL, 2, 0,
                                  MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "%s: Add %u", what, (unsigned)rc);
  rc = MgmDeleteGroupMembershipEntry(h, 0, 0, G_, FX_ALL, 2, 0,
                                     MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "%s: Delete %u", what,
               (unsigned)rc);
  rc = MgmGroupEnumerationStart(h, ALL_SOURCES, &e);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "%s: EnumStart %u", what,
               (unsigned)rc);
  cr_assert_eq(e, (HANDLE)(uintptr_t)0x4242, "%s: EnumStart wrote handle",
               what);
  rc = MgmSetMfe(h, &m);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "%s: SetMfe %u", what,
               (unsigned)rc);
  rc = MgmGroupEnumerationGetNext(h, &size, b, &n);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "%s: EnumGetNext %u", what,
               (unsigned)rc);
  cr_assert_eq(size, (DWORD)sizeof b, "%s: size written", what);
  rc = MgmGroupEnumerationEnd(h);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "%s: EnumEnd %u", what,
               (unsigned)rc);
}

Test(errors, garbage_handles_are_87_and_change_nothing) {
  struct snapshot before, after;
  int on_stack = 0;
  char *heap;

  setup_world();
  take_snapshot(&before);
  heap = malloc(64);
  cr_assert_not_null(heap);
  memset(heap, 0, 64);
  all_87(NULL, "NULL");
  all_87((HANDLE)(uintptr_t)0x1234, "0x1234");
  all_87(INVALID_HANDLE_VALUE, "INVALID_HANDLE_VALUE");
  all_87((HANDLE)(uintptr_t)0xDEADBEEFu, "0xdeadbeef");
  all_87((HANDLE)(UINTPTR_MAX / 2), "huge");
  all_87((HANDLE)&on_stack, "stack pointer");
  all_87((HANDLE)heap, "heap pointer");
  free(heap);
  FX_EXPECT_NONE();
  take_snapshot(&after);
  assert_same(&before, &after);
  /* The real handles still work. */
  fx_take(0, 4, 0);
}

Test(errors, stale_and_wrong_kind_handles_are_87) {
  struct snapshot before, after;
  HANDLE stale, e = NULL, ended = NULL;
  DWORD rc, size, n;
  unsigned char b[64];

  setup_world();
  fx_register(2, PID_A, 99);
  stale = fx_h(2);
  cr_assert_eq(fx_deregister(2), NO_ERROR);
  rc = MgmGroupEnumerationStart(fx_h(0), ALL_SOURCES, &ended);
  cr_assert_eq(rc, NO_ERROR);
  cr_assert_eq(MgmGroupEnumerationEnd(ended), NO_ERROR);
  rc = MgmGroupEnumerationStart(fx_h(0), ALL_SOURCES, &e);
  cr_assert_eq(rc, NO_ERROR);
  take_snapshot(&before);

  all_87(stale, "stale protocol handle");
  all_87(ended, "ended enumeration handle");
  /* Wrong kind: the live enumeration handle used as a protocol handle.
   * (all_87 also calls the enumeration functions with it, which would be
   * valid, so check the protocol functions by hand.) */
  rc = MgmDeRegisterMProtocol(e);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "enum as protocol: %u",
               (unsigned)rc);
  rc = MgmTakeInterfaceOwnership(e, 20, 0);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  rc = MgmReleaseInterfaceOwnership(e, 2, 0);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  rc = MgmAddGroupMembershipEntry(e, 0, 0, G_, FX_ALL, 2, 0,
                                  MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  rc = MgmDeleteGroupMembershipEntry(e, 0, 0, G_, FX_ALL, 2, 0,
                                     MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  rc = MgmGroupEnumerationStart(e, ANY_SOURCE, &ended);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  /* ... and a live protocol handle used as an enumeration handle. */
  size = sizeof b;
  rc = MgmGroupEnumerationGetNext(fx_h(0), &size, b, &n);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "protocol as enum: %u",
               (unsigned)rc);
  rc = MgmGroupEnumerationEnd(fx_h(1));
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "protocol as enum: %u",
               (unsigned)rc);
  FX_EXPECT_NONE();
  take_snapshot(&after);
  assert_same(&before, &after);
  /* The live enumeration was not consumed by the failed calls. */
  size = sizeof b;
  rc = MgmGroupEnumerationGetNext(e, &size, b, &n);
  cr_assert_eq(rc, ERROR_NO_MORE_ITEMS, "got %u", (unsigned)rc);
  cr_assert_eq(n, 1u);
  cr_assert_eq(MgmGroupEnumerationEnd(e), NO_ERROR);
  /* And the protocol handles still work. */
  rc = MgmDeRegisterMProtocol(fx_h(1));
  cr_assert_eq(rc, ERROR_CAN_NOT_COMPLETE, "still owns I(3): %u", (unsigned)rc);
}

Test(errors, null_pointers_are_87_without_effect) {
  struct snapshot before, after;
  MIB_IPMCAST_MFE key;
  unsigned char b[256];
  DWORD rc, size, n, pid = 7, cid = 8;
  HANDLE e = NULL;

  setup_world();
  take_snapshot(&before);
  memset(&key, 0, sizeof key);
  key.dwGroup = G_;
  key.dwSource = S_;
  rc = MgmGetProtocolOnInterface(1, 0, NULL, NULL);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  /* MFE reads. */
  size = sizeof b;
  rc = MgmGetMfe(NULL, &size, b);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "GetMfe NULL key: %u",
               (unsigned)rc);
  rc = MgmGetMfe(&key, NULL, b);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "GetMfe NULL size: %u",
               (unsigned)rc);
  size = sizeof b;
  rc = MgmGetMfe(&key, &size, NULL);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "GetMfe NULL buffer: %u",
               (unsigned)rc);
  cr_assert_eq(size, (DWORD)sizeof b);
  rc = MgmGetFirstMfe(NULL, b, &n);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "GetFirstMfe NULL size: %u",
               (unsigned)rc);
  size = sizeof b;
  rc = MgmGetFirstMfe(&size, b, NULL);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "GetFirstMfe NULL n: %u",
               (unsigned)rc);
  rc = MgmGetFirstMfe(&size, NULL, &n);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "GetFirstMfe NULL buf: %u",
               (unsigned)rc);
  rc = MgmGetNextMfe(NULL, &size, b, &n);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "GetNextMfe NULL start: %u",
               (unsigned)rc);
  rc = MgmGetMfeStats(NULL, &size, b, MGM_MFE_STATS_0);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  rc = MgmGetMfeStats(&key, NULL, b, MGM_MFE_STATS_0);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  rc = MgmGetFirstMfeStats(NULL, b, &n, MGM_MFE_STATS_0);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  rc = MgmGetFirstMfeStats(&size, b, NULL, MGM_MFE_STATS_0);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  rc = MgmGetNextMfeStats(NULL, &size, b, &n, MGM_MFE_STATS_0);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  rc = MgmGetNextMfeStats(&key, &size, b, NULL, MGM_MFE_STATS_0);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  /* Enumeration. */
  rc = MgmGroupEnumerationStart(fx_h(0), ALL_SOURCES, &e);
  cr_assert_eq(rc, NO_ERROR);
  rc = MgmGroupEnumerationGetNext(e, NULL, b, &n);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  size = sizeof b;
  rc = MgmGroupEnumerationGetNext(e, &size, b, NULL);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  rc = MgmGroupEnumerationGetNext(e, &size, NULL, &n);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "NULL buffer, size %u: %u",
               (unsigned)size, (unsigned)rc);
  /* Not consumed. */
  n = 0;
  rc = MgmGroupEnumerationGetNext(e, &size, b, &n);
  cr_assert_eq(rc, ERROR_NO_MORE_ITEMS, "got %u", (unsigned)rc);
  cr_assert_eq(n, 1u, "failed calls consumed entries: n=%u", (unsigned)n);
  cr_assert_eq(MgmGroupEnumerationEnd(e), NO_ERROR);
  rc = MgmSetMfe(fx_h(0), NULL);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  FX_EXPECT_NONE();
  take_snapshot(&after);
  assert_same(&before, &after);
  cr_assert(pid == 7 && cid == 8);
}

/* G-2: when two checks fail, the earlier one decides the code. */
Test(errors, validation_order_first_failing_check_wins) {
  ROUTING_PROTOCOL_CONFIG cfg = fx_config(3);
  struct snapshot before, after;
  MIB_IPMCAST_MFE key;
  DWORD rc, size, c = 0;
  unsigned char b[256];

  setup_world();
  take_snapshot(&before);
  memset(&key, 0, sizeof key);
  key.dwGroup = IP(224, 6, 6, 99); /* missing */
  key.dwSource = S_;
  /* pointer (87) before missing object (1168) / duplicate (183) */
  rc = MgmGetProtocolOnInterface(40, 0, NULL, &c);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "pointer vs 1168: %u",
               (unsigned)rc);
  rc = MgmGetMfe(&key, NULL, b);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "pointer vs 1168: %u",
               (unsigned)rc);
  rc = MgmRegisterMProtocol(&cfg, PID_A, 1, NULL);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "pointer vs 183: %u", (unsigned)rc);
  /* handle (87) before missing (1168) / present (183) */
  rc = MgmDeleteGroupMembershipEntry((HANDLE)(uintptr_t)0x1234, 0, 0, G_,
                                     FX_ALL, 40, 0, MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "handle vs 1168: %u", (unsigned)rc);
  rc = MgmTakeInterfaceOwnership((HANDLE)(uintptr_t)0x1234, 3, 0);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "handle vs 183: %u", (unsigned)rc);
  rc = MgmSetMfe((HANDLE)(uintptr_t)0x1234, &key);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "handle vs 1168: %u", (unsigned)rc);
  /* shape (87) before missing (1168) */
  rc = MgmDeleteGroupMembershipEntry(fx_h(0), S_, 0xFFFF0000u, G_, FX_ALL, 40,
                                     0, MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "shape vs 1168: %u", (unsigned)rc);
  rc = MgmDeleteGroupMembershipEntry(fx_h(0), S_, FX_ALL, 0, 0, 40, 0,
                                     MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "(S,*) vs 1168: %u", (unsigned)rc);
  size = sizeof b;
  rc = MgmGetMfeStats(&key, &size, b, 3);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "flags vs 1168: %u", (unsigned)rc);
  /* permission (87) before "membership absent" (idempotent 0) */
  rc = MgmDeleteGroupMembershipEntry(fx_h(0), 0, 0, IP(224, 6, 6, 50), FX_ALL,
                                     3, 0, MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "permission vs absent: %u",
               (unsigned)rc);
  /* permission (87) before duplicate (idempotent 0): B's (*,G)@3 exists */
  rc = MgmAddGroupMembershipEntry(fx_h(0), 0, 0, G_, FX_ALL, 3, 0,
                                  MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "permission vs duplicate: %u",
               (unsigned)rc);
  FX_EXPECT_NONE();
  take_snapshot(&after);
  assert_same(&before, &after);
}

Test(errors, not_running_beats_everything) {
  DWORD rc, size = 10;
  unsigned char b[16];

  cr_assert_eq(fx_stop(), NO_ERROR);
  setenv("LIBMGM_BACKEND", "no-such-backend", 1);
  rc = MgmRegisterMProtocol(NULL, 1, 1, NULL);
  cr_assert_eq(rc, ERROR_CAN_NOT_COMPLETE, "1003 vs pointer: %u", (unsigned)rc);
  rc = MgmAddGroupMembershipEntry((HANDLE)(uintptr_t)0x1234, 1, 0x0F, 0, 5, 1,
                                  0, 0);
  cr_assert_eq(rc, ERROR_CAN_NOT_COMPLETE, "1003 vs handle/shape: %u",
               (unsigned)rc);
  rc = MgmGetMfe(NULL, NULL, NULL);
  cr_assert_eq(rc, ERROR_CAN_NOT_COMPLETE, "got %u", (unsigned)rc);
  rc = MgmGroupEnumerationGetNext(NULL, &size, b, NULL);
  cr_assert_eq(rc, ERROR_CAN_NOT_COMPLETE, "got %u", (unsigned)rc);
  cr_assert_eq(size, 10u);
  rc = MgmDeRegisterMProtocol(NULL);
  cr_assert_eq(rc, ERROR_CAN_NOT_COMPLETE, "got %u", (unsigned)rc);
  unsetenv("LIBMGM_BACKEND");
}
