/*
 * test_register.c - unit tests of protocol registration and libmgm
 * start/stop (mgm-spec 2.1-2.3, G-1, G-3, G-6, D-INIT, D-CB-NULL).
 *
 * SPDX-License-Identifier: MIT
 *
 * Checks the documented return codes of MgmRegisterMProtocol and
 * MgmDeRegisterMProtocol, the port's NULL-pointer additions, that the
 * configuration is copied, that a new client gets no retroactive alerts,
 * that callback return values and NULL callbacks are handled, and the
 * instance life cycle (not running -> 1003, stop refused while clients are
 * registered).
 */
#include "fixture.h"

#include "fx_criterion.h"

#include <stdlib.h>
#include <string.h>

#define PID_A 1001u
#define PID_B 1002u
#define PID_C 1003u

TestSuite(register, .init = fx_setup, .fini = fx_teardown, .timeout = 30);

Test(register, returns_a_fresh_handle) {
  ROUTING_PROTOCOL_CONFIG cfg = fx_config(0);
  HANDLE h = NULL;
  DWORD rc;

  rc = MgmRegisterMProtocol(&cfg, PID_A, 1, &h);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  cr_assert_not_null(h);
  cr_assert_neq(h, INVALID_HANDLE_VALUE);
  rc = MgmTakeInterfaceOwnership(h, 1, 0);
  cr_assert_eq(rc, NO_ERROR, "handle not usable: %u", (unsigned)rc);
  rc = MgmReleaseInterfaceOwnership(h, 1, 0);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  rc = MgmDeRegisterMProtocol(h);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  FX_EXPECT_NONE();
}

Test(register, duplicate_pair_is_183_and_leaves_handle_untouched) {
  ROUTING_PROTOCOL_CONFIG cfg = fx_config(1);
  HANDLE h = (HANDLE)(uintptr_t)0x5A5A;
  DWORD rc;

  fx_register(0, PID_A, 7);
  rc = MgmRegisterMProtocol(&cfg, PID_A, 7, &h);
  cr_assert_eq(rc, ERROR_ALREADY_EXISTS, "got %u", (unsigned)rc);
  cr_assert_eq(h, (HANDLE)(uintptr_t)0x5A5A, "G-6: handle written on error");
  FX_EXPECT_NONE();
}

Test(register, same_protocol_other_component_is_a_new_client) {
  HANDLE h0, h1;

  h0 = fx_register(0, PID_A, 1);
  h1 = fx_register(1, PID_A, 2);
  cr_assert_neq(h0, h1);
  /* Both are independent clients: both can own interfaces. */
  fx_take(0, 1, 0);
  fx_take(1, 2, 0);
  FX_EXPECT_NONE();
}

Test(register, same_component_other_protocol_is_a_new_client) {
  fx_register(0, PID_A, 1);
  fx_register(1, PID_B, 1);
  fx_take(1, 3, 0);
}

Test(register, null_pointers_are_87) {
  ROUTING_PROTOCOL_CONFIG cfg = fx_config(0);
  HANDLE h = NULL;
  DWORD rc;

  rc = MgmRegisterMProtocol(NULL, PID_A, 1, &h);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "NULL config: got %u",
               (unsigned)rc);
  cr_assert_null(h);
  rc = MgmRegisterMProtocol(&cfg, PID_A, 1, NULL);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "NULL out: got %u", (unsigned)rc);
  /* Nothing was registered: the pair is still free. */
  rc = MgmRegisterMProtocol(&cfg, PID_A, 1, &h);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  cr_assert_not_null(h);
  rc = MgmDeRegisterMProtocol(h);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
}

Test(register, deregister_invalidates_the_handle) {
  HANDLE h;
  DWORD rc, pid = 0, cid = 0;

  h = fx_register(0, PID_A, 1);
  rc = fx_deregister(0);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  rc = MgmDeRegisterMProtocol(h);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "second deregister: %u",
               (unsigned)rc);
  rc = MgmTakeInterfaceOwnership(h, 1, 0);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "stale take: %u", (unsigned)rc);
  rc = MgmGetProtocolOnInterface(1, 0, &pid, &cid);
  cr_assert_eq(rc, ERROR_NOT_FOUND, "stale take had an effect: %u",
               (unsigned)rc);
  /* The pair is free again and the new handle is a different value
   * (G-3: never reused while a copy may be live). */
  fx_register(1, PID_A, 1);
  cr_assert_neq(fx_h(1), h);
  rc = MgmTakeInterfaceOwnership(h, 1, 0);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "old handle revived: %u",
               (unsigned)rc);
}

Test(register, deregister_while_owning_is_1003) {
  DWORD rc;

  fx_register(0, PID_A, 1);
  fx_take(0, 4, 0);
  rc = MgmDeRegisterMProtocol(fx_h(0));
  cr_assert_eq(rc, ERROR_CAN_NOT_COMPLETE, "got %u", (unsigned)rc);
  /* Still registered and still owner. */
  rc = MgmTakeInterfaceOwnership(fx_h(0), 5, 0);
  cr_assert_eq(rc, NO_ERROR, "handle died: %u", (unsigned)rc);
  rc = fx_release(0, 4, 0);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  rc = MgmDeRegisterMProtocol(fx_h(0));
  cr_assert_eq(rc, ERROR_CAN_NOT_COMPLETE, "still owns 5: %u", (unsigned)rc);
  rc = fx_release(0, 5, 0);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  rc = fx_deregister(0);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  FX_EXPECT_NONE();
}

Test(register, deregister_while_igmp_coowning_is_1003) {
  DWORD rc;

  fx_register(0, PID_A, 1);
  fx_register(1, PROTO_IP_IGMP, 1);
  fx_take(0, 4, 0);
  fx_take(1, 4, 0);
  rc = MgmDeRegisterMProtocol(fx_h(1));
  cr_assert_eq(rc, ERROR_CAN_NOT_COMPLETE, "got %u", (unsigned)rc);
  rc = fx_release(1, 4, 0);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  rc = fx_deregister(1);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  FX_EXPECT_NONE();
}

Test(register, no_retroactive_alerts_for_existing_memberships) {
  DWORD G = IP(224, 1, 2, 3);

  fx_register(0, PID_A, 1);
  fx_take(0, 2, 0);
  fx_add(0, 0, G, 2);
  FX_EXPECT_NONE(); /* nobody else registered */
  fx_register(1, PID_B, 1);
  fx_register(2, PID_C, 1);
  FX_EXPECT_NONE();
  /* The late client joins: the first one's Others goes empty -> {B}. */
  fx_take(1, 3, 0);
  fx_add(1, 0, G, 3);
  FX_EXPECT(EV_JOIN(0, 0, 0, G, FX_ALL, TRUE));
}

Test(register, configuration_is_copied) {
  ROUTING_PROTOCOL_CONFIG cfg = fx_config(1);
  HANDLE h = NULL;
  DWORD G = IP(224, 1, 2, 3), rc;

  fx_register(0, PID_A, 1);
  rc = MgmRegisterMProtocol(&cfg, PID_B, 1, &h);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  /* Scribble over the caller's copy: MGM must keep its own. */
  memset(&cfg, 0, sizeof cfg);
  fx_take(0, 2, 0);
  fx_add(0, 0, G, 2);
  FX_EXPECT(EV_JOIN(1, 0, 0, G, FX_ALL, TRUE));
  fx_del(0, 0, G, 2);
  FX_EXPECT(EV_PRUNE(1, 0, 0, G, FX_ALL, 2, 0, TRUE));
  rc = MgmDeRegisterMProtocol(h);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
}

Test(register, callback_flags_are_ignored) {
  ROUTING_PROTOCOL_CONFIG cfg = fx_config(1);
  HANDLE h = NULL;
  DWORD G = IP(224, 1, 2, 3), rc;

  cfg.dwCallbackFlags = 0xFFFFFFFFu;
  fx_register(0, PID_A, 1);
  rc = MgmRegisterMProtocol(&cfg, PID_B, 1, &h);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  fx_take(0, 2, 0);
  fx_add(0, 0, G, 2);
  FX_EXPECT(EV_JOIN(1, 0, 0, G, FX_ALL, TRUE));
  rc = MgmDeRegisterMProtocol(h);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
}

Test(register, null_callbacks_are_skipped) {
  DWORD G = IP(224, 1, 2, 3), rc;

  /* D-CB-NULL: slot 1 has no callbacks at all, slot 2 only prune. */
  fx_register(0, PID_A, 1);
  rc = fx_register_mask(1, PID_B, 1, 0);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  rc = fx_register_mask(2, PID_C, 1, FX_CB(FX_PRUNE));
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  fx_take(0, 2, 0);
  fx_add(0, 0, G, 2);
  FX_EXPECT_NONE();
  fx_del(0, 0, G, 2);
  FX_EXPECT(EV_PRUNE(2, 0, 0, G, FX_ALL, 2, 0, TRUE));
}

Test(register, callback_return_values_are_ignored) {
  DWORD G = IP(224, 1, 2, 3);

  /* G-5: a failing return code from a callback changes nothing. */
  fx_register(0, PID_A, 1);
  fx_register(1, PID_B, 1);
  fx_register(2, PID_C, 1);
  fx_return(1, ERROR_CAN_NOT_COMPLETE);
  fx_return(2, ERROR_INVALID_PARAMETER);
  fx_take(0, 2, 0);
  fx_add(0, 0, G, 2);
  FX_EXPECT(EV_JOIN(1, 0, 0, G, FX_ALL, TRUE),
            EV_JOIN(2, 0, 0, G, FX_ALL, TRUE));
  fx_del(0, 0, G, 2);
  FX_EXPECT(EV_PRUNE(1, 0, 0, G, FX_ALL, 2, 0, TRUE),
            EV_PRUNE(2, 0, 0, G, FX_ALL, 2, 0, TRUE));
}

Test(register, stop_refused_while_registered) {
  DWORD rc;

  fx_register(0, PID_A, 1);
  rc = fx_stop();
  cr_assert_eq(rc, ERROR_CAN_NOT_COMPLETE, "got %u", (unsigned)rc);
  /* Still running. */
  fx_take(0, 1, 0);
  rc = fx_release(0, 1, 0);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  rc = fx_deregister(0);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  rc = fx_stop();
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
}

Test(register, start_twice_is_1247) {
  struct libmgm_config c;
  DWORD rc;

  libmgm_config_init(&c);
  c.backend = "sim";
  rc = libmgm_start(&c);
  cr_assert_eq(rc, ERROR_ALREADY_INITIALIZED, "got %u", (unsigned)rc);
  fx_register(0, PID_A, 1); /* the running instance is untouched */
}

Test(register, api_returns_1003_when_not_running) {
  ROUTING_PROTOCOL_CONFIG cfg = fx_config(0);
  struct libmgm_config c;
  HANDLE h = (HANDLE)(uintptr_t)0x77;
  DWORD rc, size = 100, n = 5, pid = 1, cid = 2;

  rc = fx_stop();
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  /* Make any auto-start fail (G-1: never a silent fallback to sim). */
  setenv("LIBMGM_BACKEND", "no-such-backend", 1);
  rc = MgmRegisterMProtocol(&cfg, PID_A, 1, &h);
  cr_assert_eq(rc, ERROR_CAN_NOT_COMPLETE, "register: %u", (unsigned)rc);
  cr_assert_eq(h, (HANDLE)(uintptr_t)0x77);
  rc = MgmGetFirstMfe(&size, NULL, &n);
  cr_assert_eq(rc, ERROR_CAN_NOT_COMPLETE, "GetFirstMfe: %u", (unsigned)rc);
  cr_assert_eq(size, 100u);
  rc = MgmGetProtocolOnInterface(1, 0, &pid, &cid);
  cr_assert_eq(rc, ERROR_CAN_NOT_COMPLETE, "GetProtocol: %u", (unsigned)rc);
  cr_assert(pid == 1 && cid == 2);
  /* An explicit start with an unknown backend is 87 (libmgm.h). */
  libmgm_config_init(&c);
  c.backend = "no-such-backend";
  rc = libmgm_start(&c);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "start: %u", (unsigned)rc);
  unsetenv("LIBMGM_BACKEND");
}

Test(register, igmp_ids_both_recognised) {
  DWORD rc;

  /* D-IGMP-ID: PROTO_IP_IGMP and MS_IP_IGMP both mark an IGMP client:
   * each may co-own a protocol-owned interface, a plain protocol may not. */
  fx_register(0, PID_A, 1);
  fx_register(1, PROTO_IP_IGMP, 1);
  fx_register(2, MS_IP_IGMP, 1);
  fx_register(3, PID_B, 1);
  fx_take(0, 1, 0);
  fx_take(0, 2, 0);
  fx_take(1, 1, 0);
  fx_take(2, 2, 0);
  rc = MgmTakeInterfaceOwnership(fx_h(3), 1, 0);
  cr_assert_eq(rc, ERROR_ALREADY_EXISTS, "got %u", (unsigned)rc);
  /* At most one IGMP-type co-owner per interface. */
  rc = MgmTakeInterfaceOwnership(fx_h(2), 1, 0);
  cr_assert_eq(rc, ERROR_ALREADY_EXISTS, "second IGMP: %u", (unsigned)rc);
  FX_EXPECT_NONE();
}
