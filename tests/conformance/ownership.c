/*
 * ownership.c - conformance tests of interface ownership (mgm-spec
 * 2.4-2.7, the ownership-change sequence 2.6).
 *
 * SPDX-License-Identifier: MIT
 *
 * Expected Windows behaviour: taking a free interface returns NO_ERROR and
 * MgmGetProtocolOnInterface then reports the taker's ids; taking an
 * interface owned by another routing protocol returns 183; IGMP (protocol
 * id PROTO_IP_IGMP or MS_IP_IGMP) may co-own a protocol's interface
 * without any callback; a routing protocol taking an interface IGMP is
 * enabled on makes MGM call IGMP's disable callback, delete IGMP's
 * memberships there (prune alerts to the other clients), then call IGMP's
 * enable callback [DOC igmp-enable-and-disable-callbacks]; after that,
 * IGMP's re-added memberships reach the new owner as local joins.
 * Releasing an interface one does not own returns 87; an unknown
 * interface gives ERROR_NOT_FOUND (1168) from MgmGetProtocolOnInterface.
 * Which of the two IGMP ids RRAS IGMP uses is not public (D-IGMP-ID).
 */
#include "conf_common.h"

#include "conf_client.h"
#include "conf_sim.h"
#include "conf_tests.h"
#include "harness.h"

void test_ownership_take_release(void) {
  DWORD rc, pid = 0, cid = 0;

  if (!conf_begin())
    return;
  ok(conf_register(0, 2001, 7) == NO_ERROR, "register P\n");
  ok(conf_register(1, 2002, 1) == NO_ERROR, "register Q\n");
  rc = MgmGetProtocolOnInterface(1, 0, &pid, &cid);
  ok(rc == ERROR_NOT_FOUND, "unowned: got %u\n", (unsigned)rc);
  rc = conf_take(0, 1);
  ok(rc == NO_ERROR, "take: got %u\n", (unsigned)rc);
  rc = MgmGetProtocolOnInterface(1, 0, &pid, &cid);
  ok(rc == NO_ERROR, "owned: got %u\n", (unsigned)rc);
  ok(pid == 2001 && cid == 7, "owner: got %u/%u\n", (unsigned)pid,
     (unsigned)cid);
  rc = conf_take(1, 1);
  ok(rc == ERROR_ALREADY_EXISTS, "take owned: got %u\n", (unsigned)rc);
  rc = MgmReleaseInterfaceOwnership(conf_h(1), 1, 0);
  ok(rc == ERROR_INVALID_PARAMETER, "release by non-owner: got %u\n",
     (unsigned)rc);
  rc = MgmReleaseInterfaceOwnership(conf_h(0), 1, 0);
  ok(rc == NO_ERROR, "release: got %u\n", (unsigned)rc);
  rc = MgmGetProtocolOnInterface(1, 0, &pid, &cid);
  ok(rc == ERROR_NOT_FOUND, "released: got %u\n", (unsigned)rc);
  CHECK_NO_EVENTS();
  conf_end();
}

void test_ownership_igmp_coowner(void) {
  DWORD rc, pid = 0, cid = 0;

  if (!conf_begin())
    return;
  ok(conf_register(0, PROTO_IP_IGMP, 1) == NO_ERROR, "register IGMP\n");
  ok(conf_register(1, 2001, 1) == NO_ERROR, "register P\n");
  ok(conf_take(1, 5) == NO_ERROR, "P takes 5\n");
  rc = conf_take(0, 5);
  ok(rc == NO_ERROR, "IGMP co-owns: got %u\n", (unsigned)rc);
  CHECK_NO_EVENTS();
  rc = MgmGetProtocolOnInterface(5, 0, &pid, &cid);
  ok(rc == NO_ERROR && pid == 2001, "effective owner: got %u, pid %u\n",
     (unsigned)rc, (unsigned)pid);
  conf_end();
}

/* IGMP 0 owns I(2) with (*,G)@2; Q 1 owns I(4) with (*,G)@4; P 2 takes
 * I(2). */
void test_ownership_change_sequence(void) {
  DWORD G = conf_ip(224, 1, 1, 1), rc;

  if (!conf_begin())
    return;
  ok(conf_register(0, PROTO_IP_IGMP, 1) == NO_ERROR, "register IGMP\n");
  ok(conf_register(1, 2002, 1) == NO_ERROR, "register Q\n");
  ok(conf_register(2, 2001, 1) == NO_ERROR, "register P\n");
  ok(conf_take(0, 2) == NO_ERROR, "IGMP takes 2\n");
  ok(conf_take(1, 4) == NO_ERROR, "Q takes 4\n");
  ok(conf_add(0, 0, G, 2) == NO_ERROR, "IGMP joins\n");
  CHECK_EVENTS(E_JOIN(1, 0, 0, G, ALL1, 1), E_JOIN(2, 0, 0, G, ALL1, 1));
  ok(conf_add(1, 0, G, 4) == NO_ERROR, "Q joins\n");
  CHECK_EVENTS(E_JOIN(0, 0, 0, G, ALL1, 1));
  rc = conf_take(2, 2);
  ok(rc == NO_ERROR, "P takes 2: got %u\n", (unsigned)rc);
  CHECK_EVENTS(E_DISABLE(0, 2), E_PRUNE(1, 0, 0, G, ALL1, 2, 1),
               E_ENABLE(0, 2));
  rc = conf_add(0, 0, G, 2);
  ok(rc == NO_ERROR, "IGMP re-adds: got %u\n", (unsigned)rc);
  CHECK_EVENTS(E_LJOIN(2, 0, 0, G, ALL1, 2));
  rc = conf_add(2, 0, G, 2);
  ok(rc == NO_ERROR, "P adopts: got %u\n", (unsigned)rc);
  CHECK_EVENTS(E_JOIN(1, 0, 0, G, ALL1, 1));
  conf_end();
}

void test_ownership_igmp_release_local_leave(void) {
  DWORD G = conf_ip(224, 1, 1, 2), rc;

  if (!conf_begin())
    return;
  ok(conf_register(0, MS_IP_IGMP, 1) == NO_ERROR, "register IGMP\n");
  ok(conf_register(1, 2001, 1) == NO_ERROR, "register P\n");
  ok(conf_take(1, 5) == NO_ERROR, "P takes 5\n");
  ok(conf_take(0, 5) == NO_ERROR, "IGMP co-owns 5\n");
  ok(conf_add(0, 0, G, 5) == NO_ERROR, "IGMP joins\n");
  CHECK_EVENTS(E_LJOIN(1, 0, 0, G, ALL1, 5));
  rc = MgmReleaseInterfaceOwnership(conf_h(0), 5, 0);
  ok(rc == NO_ERROR, "IGMP releases: got %u\n", (unsigned)rc);
  CHECK_EVENTS(E_LLEAVE(1, 0, 0, G, ALL1, 5));
  conf_end();
}
