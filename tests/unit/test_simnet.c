/*
 * test_simnet.c - simulated links between instances (libmgm_sim_link,
 * libmgm_sim_unlink, libmgm_sim_inject_trace; design.md 3).
 *
 * SPDX-License-Identifier: MIT
 *
 * Three routers in one process: A is the fixture's default instance, B and
 * C are extra instances, each with its own sim forwarder, loop thread and
 * one client (fixture slots 0, 1, 2) that owns the router's interfaces.
 * In the chain A(2)-(1)B(2)-(1)C, with routes toward the source's network
 * on each router's interface 1, a packet injected on A's interface 1
 * reaches C's receiver interface 3 only when every router has a (*,G)
 * membership downstream, and the call returns only after every router's
 * RPF, creation and prune alerts have been delivered (each on its own loop
 * thread).  A prune at C, then at B, stops it hop by hop.  A two-router
 * loop ends when the TTL runs out (one less per hop, no forwarding at TTL
 * 1), and a storm is cut at LIBMGM_SIM_MAX_HOPS visits.  Bad input gets
 * the documented codes and leaves existing links working.
 */
#include "fixture.h"

#include "fx_criterion.h"

#include <stdlib.h>
#include <string.h>

#define PID_A 7201u
#define PID_B 7202u
#define PID_C 7203u

#define S_ IP(10, 1, 1, 5)
#define G_ IP(224, 8, 8, 8)
#define NET_ IP(10, 1, 1, 0)
#define MASK_ IP(255, 255, 255, 0)
#define ADDR_A IP(10, 0, 12, 1) /* A's address on the A-B link */
#define ADDR_B IP(10, 0, 23, 1) /* B's address on the B-C link */

#define MAX_TRACE 16

TestSuite(simnet, .init = fx_setup, .fini = fx_teardown, .timeout = 120);

static struct libmgm_instance *inst_new(void) {
  struct libmgm_instance *inst = NULL;
  struct libmgm_config c;
  DWORD rc;

  libmgm_config_init(&c);
  c.backend = "sim";
  rc = libmgm_instance_create(&c, &inst);
  cr_assert_eq(rc, NO_ERROR, "libmgm_instance_create = %u", (unsigned)rc);
  return inst;
}

static void on(struct libmgm_instance *inst) {
  DWORD rc = libmgm_instance_select(inst);

  cr_assert_eq(rc, NO_ERROR, "libmgm_instance_select = %u", (unsigned)rc);
}

/* A router: its client owns `up` (toward the source) and `down`. */
static void router(struct libmgm_instance *inst, int slot, DWORD pid, DWORD up,
                   DWORD down, DWORD upstream) {
  on(inst);
  fx_register(slot, pid, 1);
  fx_take(slot, up, 0);
  fx_take(slot, down, 0);
  fx_route(NET_, MASK_, up, upstream, PROTO_IP_OSPF);
  on(NULL);
}

static void join(struct libmgm_instance *inst, int slot, DWORD ifx) {
  on(inst);
  fx_add(slot, 0, G_, ifx);
  on(NULL);
}

static void leave(struct libmgm_instance *inst, int slot, DWORD ifx) {
  on(inst);
  fx_del(slot, 0, G_, ifx);
  on(NULL);
}

static void router_down(struct libmgm_instance *inst, int slot, DWORD up,
                        DWORD down) {
  DWORD rc;

  on(inst);
  (void)fx_release(slot, down, 0);
  (void)fx_release(slot, up, 0);
  rc = fx_deregister(slot);
  cr_assert_eq(rc, NO_ERROR, "deregister slot %d = %u", slot, (unsigned)rc);
  on(NULL);
  rc = libmgm_instance_destroy(inst);
  cr_assert_eq(rc, NO_ERROR, "libmgm_instance_destroy = %u", (unsigned)rc);
}

static void link_ok(struct libmgm_instance *a, DWORD ai,
                    struct libmgm_instance *b, DWORD bi) {
  DWORD rc = libmgm_sim_link(a, ai, b, bi);

  cr_assert_eq(rc, NO_ERROR, "libmgm_sim_link(%u, %u) = %u", (unsigned)ai,
               (unsigned)bi, (unsigned)rc);
}

/* Inject (S_, G_) on A's interface 1 with ttl; returns the visit count. */
static DWORD trace(BYTE ttl, struct libmgm_sim_hop *hops) {
  DWORD n = MAX_TRACE, rc;

  memset(hops, 0, MAX_TRACE * sizeof(*hops));
  rc = libmgm_sim_inject_trace(1, S_, G_, ttl, 100, hops, &n);
  cr_assert_eq(rc, NO_ERROR, "libmgm_sim_inject_trace = %u", (unsigned)rc);
  return n;
}

/* Visit k: router, arrival interface, TTL, parent, verdict, outputs. */
static void hop_is(const struct libmgm_sim_hop *h, DWORD k,
                   struct libmgm_instance *inst, DWORD in, DWORD ttl,
                   DWORD parent, DWORD verdict, DWORD n_out, DWORD out0) {
  cr_assert(h[k].instance == inst, "visit %u: wrong router", (unsigned)k);
  cr_assert_eq(h[k].in_ifindex, in, "visit %u: arrived on %u, want %u",
               (unsigned)k, (unsigned)h[k].in_ifindex, (unsigned)in);
  cr_assert_eq(h[k].ttl, ttl, "visit %u: ttl %u, want %u", (unsigned)k,
               (unsigned)h[k].ttl, (unsigned)ttl);
  cr_assert_eq(h[k].parent, parent, "visit %u: parent %u, want %u", (unsigned)k,
               (unsigned)h[k].parent, (unsigned)parent);
  cr_assert_eq(h[k].res.verdict, verdict, "visit %u: verdict %u, want %u",
               (unsigned)k, (unsigned)h[k].res.verdict, (unsigned)verdict);
  cr_assert_eq(h[k].res.n_out, n_out, "visit %u: %u outputs, want %u",
               (unsigned)k, (unsigned)h[k].res.n_out, (unsigned)n_out);
  if (n_out > 0)
    cr_assert_eq(h[k].res.out_ifindex[0], out0, "visit %u: out %u, want %u",
                 (unsigned)k, (unsigned)h[k].res.out_ifindex[0],
                 (unsigned)out0);
}

/* A(2)-(1)B(2)-(1)C; C's receivers are on its interface 3. */
static void chain(struct libmgm_instance **b, struct libmgm_instance **c) {
  *b = inst_new();
  *c = inst_new();
  router(NULL, 0, PID_A, 1, 2, 0);
  router(*b, 1, PID_B, 1, 2, ADDR_A);
  router(*c, 2, PID_C, 1, 3, ADDR_B);
  link_ok(NULL, 2, *b, 1);
  link_ok(*b, 2, *c, 1);
  fx_log_clear();
}

static void chain_down(struct libmgm_instance *b, struct libmgm_instance *c) {
  router_down(c, 2, 1, 3);
  router_down(b, 1, 1, 2);
}

Test(simnet, chain_reaches_c_only_with_every_membership) {
  struct libmgm_sim_hop h[MAX_TRACE];
  struct libmgm_instance *b, *c;
  DWORD n;

  chain(&b, &c);
  join(NULL, 0, 2);
  join(c, 2, 3);
  fx_log_clear();
  /* B has no member downstream: the packet stops at B.  B's callbacks
   * (on its own loop thread) have run when the call returns; C saw
   * nothing. */
  n = trace(64, h);
  cr_assert_eq(n, 2u, "%u visits, want 2", (unsigned)n);
  hop_is(h, 0, NULL, 1, 64, LIBMGM_SIM_NO_PARENT, LIBMGM_SIM_FORWARDED, 1, 2);
  hop_is(h, 1, b, 1, 63, 0, LIBMGM_SIM_NEGATIVE, 0, 0);
  FX_EXPECT(EV_RPF(0, S_, G_, 1, 0, 0),
            EV_CREATE(0, S_, G_, 1, 0, 1, IFE(2, 0, FALSE)),
            EV_RPF(1, S_, G_, 1, 0, ADDR_A), EV_NPRUNE_LOOP(1, S_, G_, 1, 0));
  /* B joins: its entry gains interface 2, and the next packet reaches C,
   * which creates its entry toward its receivers. */
  join(b, 1, 2);
  fx_log_clear();
  n = trace(64, h);
  cr_assert_eq(n, 3u, "%u visits, want 3", (unsigned)n);
  hop_is(h, 0, NULL, 1, 64, LIBMGM_SIM_NO_PARENT, LIBMGM_SIM_FORWARDED, 1, 2);
  hop_is(h, 1, b, 1, 63, 0, LIBMGM_SIM_FORWARDED, 1, 2);
  hop_is(h, 2, c, 1, 62, 1, LIBMGM_SIM_FORWARDED, 1, 3);
  FX_EXPECT(EV_RPF(2, S_, G_, 1, 0, ADDR_B),
            EV_CREATE(2, S_, G_, 1, 0, 1, IFE(3, 0, FALSE)));
  /* Plain libmgm_sim_inject propagates too; res is A's own result. */
  {
    struct libmgm_sim_result r = fx_inject(1, S_, G_);

    cr_assert_eq(r.verdict, LIBMGM_SIM_FORWARDED);
    cr_assert_eq(r.n_out, 1u);
    cr_assert_eq(r.out_ifindex[0], 2u);
  }
  FX_EXPECT_NONE();
  chain_down(b, c);
}

Test(simnet, chain_callbacks_of_every_router_are_delivered_on_return) {
  struct libmgm_sim_hop h[MAX_TRACE];
  struct libmgm_instance *b, *c;
  DWORD n;

  chain(&b, &c);
  join(NULL, 0, 2);
  join(b, 1, 2);
  fx_log_clear();
  /* C has no member: a negative entry there, and its prune alert. */
  n = trace(64, h);
  cr_assert_eq(n, 3u, "%u visits, want 3", (unsigned)n);
  hop_is(h, 2, c, 1, 62, 1, LIBMGM_SIM_NEGATIVE, 0, 0);
  FX_EXPECT(EV_RPF(0, S_, G_, 1, 0, 0),
            EV_CREATE(0, S_, G_, 1, 0, 1, IFE(2, 0, FALSE)),
            EV_RPF(1, S_, G_, 1, 0, ADDR_A),
            EV_CREATE(1, S_, G_, 1, 0, 1, IFE(2, 0, FALSE)),
            EV_RPF(2, S_, G_, 1, 0, ADDR_B), EV_NPRUNE_LOOP(2, S_, G_, 1, 0));
  chain_down(b, c);
}

Test(simnet, prune_at_c_then_b_stops_the_flow) {
  struct libmgm_sim_hop h[MAX_TRACE];
  struct libmgm_instance *b, *c;
  DWORD n;

  chain(&b, &c);
  join(NULL, 0, 2);
  join(b, 1, 2);
  join(c, 2, 3);
  n = trace(64, h);
  cr_assert_eq(n, 3u);
  hop_is(h, 2, c, 1, 62, 1, LIBMGM_SIM_FORWARDED, 1, 3);
  /* C's receivers leave: C drops, B still sends to C. */
  leave(c, 2, 3);
  n = trace(64, h);
  cr_assert_eq(n, 3u, "%u visits, want 3", (unsigned)n);
  hop_is(h, 1, b, 1, 63, 0, LIBMGM_SIM_FORWARDED, 1, 2);
  hop_is(h, 2, c, 1, 62, 1, LIBMGM_SIM_NEGATIVE, 0, 0);
  /* B prunes its link to C: the packet stops at B. */
  leave(b, 1, 2);
  n = trace(64, h);
  cr_assert_eq(n, 2u, "%u visits, want 2", (unsigned)n);
  hop_is(h, 1, b, 1, 63, 0, LIBMGM_SIM_NEGATIVE, 0, 0);
  /* Unlinked, A's copy to B ends on the wire of A's interface 2. */
  cr_assert_eq(libmgm_sim_unlink(b, 1), NO_ERROR);
  n = trace(64, h);
  cr_assert_eq(n, 1u, "%u visits, want 1", (unsigned)n);
  hop_is(h, 0, NULL, 1, 64, LIBMGM_SIM_NO_PARENT, LIBMGM_SIM_FORWARDED, 1, 2);
  chain_down(b, c);
}

Test(simnet, forwarding_loop_ends_when_the_ttl_runs_out) {
  struct libmgm_sim_hop h[MAX_TRACE];
  struct libmgm_instance *b;
  DWORD n, k, rc;

  /* A(2)-(1)B and B(2)-(1)A: both forward G from 1 to 2, RPF says 1. */
  b = inst_new();
  router(NULL, 0, PID_A, 1, 2, 0);
  router(b, 1, PID_B, 1, 2, ADDR_A);
  join(NULL, 0, 2);
  join(b, 1, 2);
  link_ok(NULL, 2, b, 1);
  link_ok(b, 2, NULL, 1);
  n = trace(10, h);
  cr_assert_eq(n, 10u, "%u visits for TTL 10, want 10", (unsigned)n);
  for (k = 0; k < n; k++) {
    cr_assert(h[k].instance == (k % 2 ? b : NULL), "visit %u: wrong router",
              (unsigned)k);
    cr_assert_eq(h[k].ttl, 10 - k, "visit %u: ttl %u", (unsigned)k,
                 (unsigned)h[k].ttl);
    cr_assert_eq(h[k].parent, k ? k - 1 : LIBMGM_SIM_NO_PARENT);
    cr_assert_eq(h[k].res.verdict, LIBMGM_SIM_FORWARDED);
    /* TTL 1 is forwarded nowhere: that copy is the last. */
    cr_assert_eq(h[k].res.n_out, k < 9 ? 1u : 0u, "visit %u: %u out",
                 (unsigned)k, (unsigned)h[k].res.n_out);
  }
  /* A buffer too small still gets the whole propagation. */
  n = 4;
  rc = libmgm_sim_inject_trace(1, S_, G_, 10, 100, h, &n);
  cr_assert_eq(rc, ERROR_MORE_DATA, "small buffer: %u", (unsigned)rc);
  cr_assert_eq(n, 10u, "small buffer: %u visits", (unsigned)n);
  n = 0;
  rc = libmgm_sim_inject_trace(1, S_, G_, 3, 100, NULL, &n);
  cr_assert_eq(rc, ERROR_MORE_DATA);
  cr_assert_eq(n, 3u);
  router_down(b, 1, 1, 2);
}

Test(simnet, storm_is_cut_at_the_hop_budget) {
  struct libmgm_sim_hop *h;
  DWORD n = LIBMGM_SIM_MAX_HOPS, i, rc;

  /* One router, 20 interfaces, G joined on 2..20; cables 2-1 (back into
   * the incoming interface: the copy lives on) and 3-4, 5-6, ... 19-20
   * (wrong interface: those copies die).  19 visits per round for 254
   * rounds exceed the budget. */
  fx_register(0, PID_A, 1);
  for (i = 1; i <= 20; i++)
    fx_take(0, i, 0);
  fx_route(NET_, MASK_, 1, 0, PROTO_IP_OSPF);
  for (i = 2; i <= 20; i++)
    fx_add(0, 0, G_, i);
  link_ok(NULL, 2, NULL, 1);
  for (i = 3; i < 20; i += 2)
    link_ok(NULL, i, NULL, i + 1);
  fx_warns_clear();
  h = calloc(LIBMGM_SIM_MAX_HOPS, sizeof(*h));
  cr_assert_not_null(h);
  rc = libmgm_sim_inject_trace(1, S_, G_, 255, 100, h, &n);
  cr_assert_eq(rc, ERROR_CAN_NOT_COMPLETE, "storm: %u", (unsigned)rc);
  cr_assert_eq(n, (DWORD)LIBMGM_SIM_MAX_HOPS, "storm: %u visits", (unsigned)n);
  cr_assert_eq(h[0].res.n_out, 19u);
  cr_assert_eq(h[1].in_ifindex, 1u); /* breadth first, ascending outputs */
  cr_assert_eq(h[1].res.verdict, LIBMGM_SIM_FORWARDED);
  cr_assert_eq(h[2].in_ifindex, 4u);
  cr_assert_eq(h[2].res.verdict, LIBMGM_SIM_WRONG_IF);
  cr_assert(fx_warns() > 0, "no warning about the storm");
  free(h);
  /* Without the cable back into interface 1 the copies all die. */
  cr_assert_eq(libmgm_sim_unlink(NULL, 1), NO_ERROR);
  n = 0;
  rc = libmgm_sim_inject_trace(1, S_, G_, 255, 100, NULL, &n);
  cr_assert_eq(rc, ERROR_MORE_DATA);
  cr_assert_eq(n, 19u, "%u visits, want 1 + 18", (unsigned)n);
}

Test(simnet, bad_input_codes) {
  struct libmgm_instance *b, *d;
  struct libmgm_sim_hop h[MAX_TRACE];
  int not_an_instance = 0;
  struct libmgm_instance *bogus = (struct libmgm_instance *)&not_an_instance;
  DWORD n;

  b = inst_new();
  router(NULL, 0, PID_A, 1, 2, 0);
  router(b, 1, PID_B, 1, 2, ADDR_A);
  join(NULL, 0, 2);
  join(b, 1, 2);
  link_ok(NULL, 2, b, 1);
  /* Parameters. */
  cr_assert_eq(libmgm_sim_link(NULL, 0, b, 2), ERROR_INVALID_PARAMETER);
  cr_assert_eq(libmgm_sim_link(NULL, 1, b, 0), ERROR_INVALID_PARAMETER);
  cr_assert_eq(libmgm_sim_link(NULL, 1, NULL, 1), ERROR_INVALID_PARAMETER);
  cr_assert_eq(libmgm_sim_link(b, 2, b, 2), ERROR_INVALID_PARAMETER);
  cr_assert_eq(libmgm_sim_link(bogus, 1, b, 2), ERROR_INVALID_PARAMETER);
  cr_assert_eq(libmgm_sim_link(NULL, 1, bogus, 2), ERROR_INVALID_PARAMETER);
  /* Unknown interfaces. */
  cr_assert_eq(libmgm_sim_link(NULL, 9, b, 2), ERROR_NOT_FOUND);
  cr_assert_eq(libmgm_sim_link(NULL, 1, b, 9), ERROR_NOT_FOUND);
  /* An end linked already, from either side. */
  cr_assert_eq(libmgm_sim_link(NULL, 2, b, 2), ERROR_ALREADY_EXISTS);
  cr_assert_eq(libmgm_sim_link(b, 2, b, 1), ERROR_ALREADY_EXISTS);
  cr_assert_eq(libmgm_sim_link(NULL, 1, NULL, 2), ERROR_ALREADY_EXISTS);
  /* Unlink. */
  cr_assert_eq(libmgm_sim_unlink(NULL, 0), ERROR_INVALID_PARAMETER);
  cr_assert_eq(libmgm_sim_unlink(bogus, 1), ERROR_INVALID_PARAMETER);
  cr_assert_eq(libmgm_sim_unlink(NULL, 1), ERROR_NOT_FOUND);
  cr_assert_eq(libmgm_sim_unlink(b, 2), ERROR_NOT_FOUND);
  /* Trace arguments. */
  cr_assert_eq(libmgm_sim_inject_trace(1, S_, G_, 64, 100, h, NULL),
               ERROR_INVALID_PARAMETER);
  n = 2;
  cr_assert_eq(libmgm_sim_inject_trace(1, S_, G_, 64, 100, NULL, &n),
               ERROR_INVALID_PARAMETER);
  /* Instance pointers elsewhere. */
  cr_assert_eq(libmgm_instance_select(bogus), ERROR_INVALID_PARAMETER);
  cr_assert_eq(libmgm_instance_destroy(bogus), ERROR_INVALID_PARAMETER);
  cr_assert_eq(libmgm_instance_destroy(NULL), ERROR_INVALID_PARAMETER);
  /* The link made first still carries packets. */
  n = trace(64, h);
  cr_assert_eq(n, 2u, "%u visits, want 2", (unsigned)n);
  hop_is(h, 1, b, 1, 63, 0, LIBMGM_SIM_FORWARDED, 1, 2);
  /* A destroyed instance's links go with it, and its pointer is refused. */
  d = inst_new();
  on(d);
  cr_assert_eq(libmgm_sim_if_add(4, "d4", 0, 0), NO_ERROR);
  on(NULL);
  cr_assert_eq(libmgm_sim_unlink(NULL, 2), NO_ERROR);
  link_ok(NULL, 2, d, 4);
  cr_assert_eq(libmgm_instance_destroy(d), NO_ERROR);
  cr_assert_eq(libmgm_sim_link(d, 4, NULL, 1), ERROR_INVALID_PARAMETER);
  cr_assert_eq(libmgm_sim_unlink(d, 4), ERROR_INVALID_PARAMETER);
  link_ok(NULL, 2, b, 1);
  n = trace(64, h);
  cr_assert_eq(n, 2u, "%u visits after relinking, want 2", (unsigned)n);
  router_down(b, 1, 1, 2);
  /* b is gone, and so is the link: A's copy ends on its wire. */
  n = trace(64, h);
  cr_assert_eq(n, 1u, "%u visits after destroy, want 1", (unsigned)n);
}
