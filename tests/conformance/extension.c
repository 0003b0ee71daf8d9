/*
 * extension.c - conformance tests of parts of libmgm's extension API that
 * a porter's harness relies on: two routers joined by a simulated link
 * (libmgm_instance_*, libmgm_sim_link, libmgm_sim_inject_trace), and the
 * host-loop option of a build without libuv (design.md 3).
 *
 * SPDX-License-Identifier: MIT
 *
 * Expected behaviour (libmgm only; a real Windows rtm.dll has no such API,
 * so these win_skip there): router A (the default instance) and router B
 * (an extra instance), A's interface 2 cabled to B's interface 1.  A client
 * on each router owns its interfaces, a route toward the source points at
 * interface 1, and each has a (*,G) membership downstream (A: 2, B: 3).  A
 * packet injected on A's interface 1 is forwarded by A on 2, arrives on B's
 * interface 1 with its TTL one lower and is forwarded by B on 3; when the
 * injection returns, both routers' RPF and creation alerts have been
 * delivered.  Links are point to point (ERROR_ALREADY_EXISTS), ifindex 0
 * is ERROR_INVALID_PARAMETER, unlinking twice ERROR_NOT_FOUND.  The
 * Windows DLL, built without libuv, refuses a host loop with
 * ERROR_NOT_SUPPORTED and stays startable.
 */
#include "conf_common.h"

#include "conf_client.h"
#include "conf_sim.h"
#include "conf_tests.h"
#include "harness.h"

#include <string.h>

static void check_hop(const struct conf_hop *h, DWORD k, conf_router r,
                      DWORD in, DWORD ttl, DWORD n_out, DWORD out0) {
  ok(h[k].router == r, "visit %u: wrong router %p\n", (unsigned)k, h[k].router);
  ok(h[k].in_ifindex == in, "visit %u: arrival interface: got %u\n",
     (unsigned)k, (unsigned)h[k].in_ifindex);
  ok(h[k].ttl == ttl, "visit %u: ttl: got %u\n", (unsigned)k,
     (unsigned)h[k].ttl);
  ok(h[k].verdict == 0, "visit %u: verdict: got %u\n", (unsigned)k,
     (unsigned)h[k].verdict);
  ok(h[k].n_out == n_out, "visit %u: outputs: got %u\n", (unsigned)k,
     (unsigned)h[k].n_out);
  if (n_out > 0)
    ok(h[k].out[0] == out0, "visit %u: output: got %u\n", (unsigned)k,
       (unsigned)h[k].out[0]);
}

void test_extension_two_linked_routers(void) {
  DWORD S = conf_ip(10, 1, 1, 5), G = conf_ip(224, 9, 3, 3);
  DWORD NET = conf_ip(10, 1, 1, 0), MASK = conf_ip(255, 255, 255, 0);
  DWORD ADDR_A = conf_ip(10, 0, 12, 1), rc, n = 0;
  struct conf_hop hops[CONF_MAX_HOPS];
  conf_router b = NULL;

  if (!conf_links_present()) {
    win_skip("needs libmgm's instances and simulated links\n");
    return;
  }
  if (!conf_begin())
    return;
  rc = conf_router_create(&b);
  ok(rc == NO_ERROR && b != NULL, "create router B: got %u\n", (unsigned)rc);
  if (rc != NO_ERROR) {
    conf_end();
    return;
  }
  /* Router A: the default instance. */
  ok(conf_register(0, 7301, 1) == NO_ERROR, "register on A\n");
  ok(conf_take(0, 1) == NO_ERROR, "A takes 1\n");
  ok(conf_take(0, 2) == NO_ERROR, "A takes 2\n");
  ok(conf_add(0, 0, G, 2) == NO_ERROR, "A joins on 2\n");
  ok(conf_route_add(NET, MASK, 1, 0, PROTO_IP_OSPF) == NO_ERROR, "A route\n");
  /* Router B. */
  rc = conf_router_select(b);
  ok(rc == NO_ERROR, "select B: got %u\n", (unsigned)rc);
  ok(conf_register(1, 7302, 1) == NO_ERROR, "register on B\n");
  ok(conf_take(1, 1) == NO_ERROR, "B takes 1\n");
  ok(conf_take(1, 3) == NO_ERROR, "B takes 3\n");
  ok(conf_add(1, 0, G, 3) == NO_ERROR, "B joins on 3\n");
  ok(conf_route_add(NET, MASK, 1, ADDR_A, PROTO_IP_OSPF) == NO_ERROR,
     "B route\n");
  ok(conf_router_select(NULL) == NO_ERROR, "select A\n");

  rc = conf_link(NULL, 2, b, 1);
  ok(rc == NO_ERROR, "link A:2-B:1: got %u\n", (unsigned)rc);
  rc = conf_link(b, 1, NULL, 1);
  ok(rc == ERROR_ALREADY_EXISTS, "B:1 linked twice: got %u\n", (unsigned)rc);
  rc = conf_link(NULL, 0, b, 3);
  ok(rc == ERROR_INVALID_PARAMETER, "ifindex 0: got %u\n", (unsigned)rc);
  conf_clear();

  rc = conf_inject_trace(1, S, G, 64, hops, &n);
  ok(rc == NO_ERROR, "inject: got %u\n", (unsigned)rc);
  ok(n == 2, "visits: got %u\n", (unsigned)n);
  if (n == 2) {
    check_hop(hops, 0, NULL, 1, 64, 1, 2);
    check_hop(hops, 1, b, 1, 63, 1, 3);
    ok(hops[1].parent == 0, "visit 1: parent: got %u\n",
       (unsigned)hops[1].parent);
  }
  /* Both routers' alerts, A's first, all delivered by now. */
  CHECK_EVENTS(E_RPF(0, S, G, 1, 0), E_CREATE(0, S, G, 1, 1, 2),
               E_RPF(1, S, G, 1, ADDR_A), E_CREATE(1, S, G, 1, 1, 3));

  rc = conf_unlink(b, 1);
  ok(rc == NO_ERROR, "unlink: got %u\n", (unsigned)rc);
  rc = conf_unlink(NULL, 2);
  ok(rc == ERROR_NOT_FOUND, "unlink twice: got %u\n", (unsigned)rc);
  rc = conf_inject_trace(1, S, G, 64, hops, &n);
  ok(rc == NO_ERROR && n == 1, "unlinked: got %u, %u visits\n", (unsigned)rc,
     (unsigned)n);
  CHECK_NO_EVENTS();

  /* B's client goes before B. */
  ok(conf_router_select(b) == NO_ERROR, "select B\n");
  (void)MgmReleaseInterfaceOwnership(conf_h(1), 1, 0);
  (void)MgmReleaseInterfaceOwnership(conf_h(1), 3, 0);
  rc = conf_deregister(1);
  ok(rc == NO_ERROR, "deregister on B: got %u\n", (unsigned)rc);
  ok(conf_router_select(NULL) == NO_ERROR, "select A\n");
  rc = conf_router_destroy(b);
  ok(rc == NO_ERROR, "destroy B: got %u\n", (unsigned)rc);
  conf_end();
}

void test_extension_host_loop_without_libuv(void) {
  DWORD rc;

  if (!conf_sim_present()) {
    win_skip("needs libmgm's extension API\n");
    return;
  }
  rc = conf_start_host_loop_without_libuv();
  if (rc == ERROR_CALL_NOT_IMPLEMENTED) {
    skip("a libuv build: host loops are tested by the unit tests\n");
    return;
  }
  ok(rc == ERROR_NOT_SUPPORTED, "host loop without libuv: got %u\n",
     (unsigned)rc);
  /* Nothing half-started. */
  if (conf_begin())
    conf_end();
}
