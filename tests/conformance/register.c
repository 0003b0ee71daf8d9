/*
 * register.c - conformance tests of MgmRegisterMProtocol and
 * MgmDeRegisterMProtocol (mgm-spec 2.1-2.3).
 *
 * SPDX-License-Identifier: MIT
 *
 * Expected Windows behaviour: inside the router process (rtm.dll loaded
 * and initialised by the router manager) registration returns NO_ERROR
 * and a non-NULL handle, ERROR_ALREADY_EXISTS (183) for a second
 * registration with the same protocol and component ids, NO_ERROR for the
 * same protocol id with another component id; deregistration returns
 * ERROR_CAN_NOT_COMPLETE (1003) while the client still owns an interface
 * and ERROR_INVALID_PARAMETER (87) for a handle that is no longer valid.
 * From a plain process MGM is not initialised and registration fails
 * (1003, to be verified), so the tests win_skip there.  NULL pointer
 * arguments are a libmgm addition (87); Windows behaviour for them is
 * undocumented, so they are only checked on libmgm.  libmgm_stop is a
 * libmgm extension.
 */
#include "conf_common.h"

#include "conf_client.h"
#include "conf_sim.h"
#include "conf_tests.h"
#include "harness.h"

#include <stdint.h>

void test_register_codes(void) {
  HANDLE h = (HANDLE)(uintptr_t)0x5A5A, old;
  DWORD rc;

  if (!conf_begin())
    return;
  rc = conf_register(0, 1001, 1);
  ok(rc == NO_ERROR, "register: got %u\n", (unsigned)rc);
  ok(conf_h(0) != NULL, "handle is NULL\n");
  if (harness_on_libmgm()) {
    rc = MgmRegisterMProtocol(NULL, 1001, 1, &h);
    ok(rc == ERROR_INVALID_PARAMETER, "NULL config: got %u\n", (unsigned)rc);
    rc = MgmRegisterMProtocol(NULL, 1001, 2, NULL);
    ok(rc == ERROR_INVALID_PARAMETER, "NULL out: got %u\n", (unsigned)rc);
  }
  rc = conf_register(1, 1001, 1);
  ok(rc == ERROR_ALREADY_EXISTS, "duplicate: got %u\n", (unsigned)rc);
  ok(h == (HANDLE)(uintptr_t)0x5A5A, "handle written on failure: %p\n", h);
  rc = conf_register(1, 1001, 2);
  ok(rc == NO_ERROR, "other component: got %u\n", (unsigned)rc);
  ok(conf_h(1) != conf_h(0), "same handle twice\n");
  old = conf_h(1);
  rc = MgmDeRegisterMProtocol(old);
  ok(rc == NO_ERROR, "deregister: got %u\n", (unsigned)rc);
  rc = MgmDeRegisterMProtocol(old);
  ok(rc == ERROR_INVALID_PARAMETER, "stale handle: got %u\n", (unsigned)rc);
  rc = MgmTakeInterfaceOwnership(old, 3, 0);
  ok(rc == ERROR_INVALID_PARAMETER, "stale take: got %u\n", (unsigned)rc);
  rc = MgmTakeInterfaceOwnership((HANDLE)(uintptr_t)0x1234, 3, 0);
  ok(rc == ERROR_INVALID_PARAMETER, "garbage handle: got %u\n", (unsigned)rc);
  rc = conf_register(1, 1001, 2);
  ok(rc == NO_ERROR, "re-register: got %u\n", (unsigned)rc);
  CHECK_NO_EVENTS();
  conf_end();
}

void test_register_deregister_while_owning(void) {
  DWORD rc;

  if (!conf_begin())
    return;
  rc = conf_register(0, 1001, 1);
  ok(rc == NO_ERROR, "register: got %u\n", (unsigned)rc);
  rc = conf_take(0, 4);
  ok(rc == NO_ERROR, "take: got %u\n", (unsigned)rc);
  rc = MgmDeRegisterMProtocol(conf_h(0));
  ok(rc == ERROR_CAN_NOT_COMPLETE, "deregister while owning: got %u\n",
     (unsigned)rc);
  rc = MgmReleaseInterfaceOwnership(conf_h(0), 4, 0);
  ok(rc == NO_ERROR, "release: got %u\n", (unsigned)rc);
  rc = MgmDeRegisterMProtocol(conf_h(0));
  ok(rc == NO_ERROR, "deregister: got %u\n", (unsigned)rc);
  CHECK_NO_EVENTS();
  conf_end();
}

void test_register_stop_while_registered(void) {
  DWORD rc;

  if (!conf_sim_present()) {
    win_skip("libmgm_stop is a libmgm extension\n");
    return;
  }
  if (!conf_begin())
    return;
  rc = conf_register(0, 1001, 1);
  ok(rc == NO_ERROR, "register: got %u\n", (unsigned)rc);
  rc = conf_stop();
  ok(rc == ERROR_CAN_NOT_COMPLETE, "stop while registered: got %u\n",
     (unsigned)rc);
  conf_end();
}
