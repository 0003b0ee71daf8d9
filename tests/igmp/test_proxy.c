/*
 * test_proxy.c - the IGMP proxy (RFC 4605 with RFC 3376 5 / RFC 2236 3
 * host behaviour upstream): downstream memberships become upstream
 * state-change reports (retransmitted), merged over downstream interfaces;
 * upstream queries are answered; an older querier upstream switches to
 * v2 reports and leaves; and MGM builds the MFEs that make traffic flow
 * from the upstream interface to the downstream members (and, with
 * proxy_forward_upstream, from downstream sources upstream).
 *
 * SPDX-License-Identifier: MIT
 */
#include "igfx_cr.h"
#include <string.h>

#include "igfx.h"

#define G1 ip4(239, 1, 1, 1)
#define G2 ip4(239, 2, 2, 2)
#define H2 ip4(10, 0, 2, 100)
#define H3 ip4(10, 0, 3, 100)
#define S1 ip4(10, 9, 0, 1)
#define S2 ip4(10, 9, 0, 2)
#define S3 ip4(10, 9, 0, 3)
#define UPQ ip4(10, 0, 1, 1) /* the upstream querier */

enum { IS_IN = 1, IS_EX, TO_IN, TO_EX, ALLOW, BLOCK };

static void start(int version) {
  struct mgm_igmp_config c;

  igfx_config(&c);
  c.version = (uint32_t)version;
  c.proxy_upstream = 1;
  igfx_start(&c);
  igfx_add(1, MGM_IGMP_ROLE_UPSTREAM);
  igfx_add(2, MGM_IGMP_ROLE_DOWNSTREAM);
  igfx_add(3, MGM_IGMP_ROLE_DOWNSTREAM);
  igfx_tx_clear();
}

static void setup3(void) {
  start(3);
}

static void setup2(void) {
  start(2);
}

TestSuite(proxy, .init = setup3, .fini = igfx_stop);
TestSuite(proxy2, .init = setup2, .fini = igfx_stop);

/* The only record of the n-th report sent upstream. */
static void up_rec(int n, int *type, DWORD *group, DWORD *srcs, int cap,
                   int *nsrc) {
  const struct igfx_tx *t = igfx_find(1, 0x22, n);

  cr_assert_not_null(t, "upstream report #%d missing", n);
  cr_assert_eq(t->dst, ip4(224, 0, 0, 22));
  cr_assert_eq(igfx_cksum(t->msg, t->len), 0);
  cr_assert(igfx_rec(t, 0, type, group, srcs, cap, nsrc));
}

static int sim_forwards(DWORD iif, DWORD s, DWORD g, DWORD oif) {
  struct libmgm_sim_result r;
  DWORD i;

  cr_assert_eq(libmgm_sim_inject(iif, s, g, 16, 100, &r), NO_ERROR);
  for (i = 0; r.verdict == LIBMGM_SIM_FORWARDED && i < r.n_out; i++)
    if (r.out_ifindex[i] == oif)
      return 1;
  return 0;
}

Test(proxy, role_must_match_the_configured_upstream) {
  cr_assert_eq(mgm_igmp_add_interface(ig, 4, ip4(10, 0, 4, 5),
                                      MGM_IGMP_ROLE_UPSTREAM, T),
               ERROR_INVALID_PARAMETER);
}

Test(proxy, upstream_never_queries) {
  igfx_advance(300000);
  cr_assert_eq(igfx_count(1, 0x11), 0);
  cr_assert_gt(igfx_count(2, 0x11), 0);
}

Test(proxy, first_downstream_join_is_reported_upstream_and_repeated) {
  int type, n;
  DWORD g, s[4];
  uint64_t tj;

  igfx_v3_record(2, H2, TO_EX, G1, NULL, 0);
  tj = T;
  cr_assert_eq(igfx_count(1, 0x22), 1, "state-change report sent at once");
  up_rec(0, &type, &g, s, 4, &n);
  cr_assert_eq(type, TO_EX);
  cr_assert_eq(g, G1);
  cr_assert_eq(n, 0);
  igfx_advance(1000);
  cr_assert_eq(igfx_count(1, 0x22), 2, "robustness 2: one retransmission");
  cr_assert_leq(igfx_find(1, 0x22, 1)->t, tj + 1000);
  up_rec(1, &type, &g, s, 4, &n);
  cr_assert_eq(type, TO_EX);
  /* a second downstream member changes nothing upstream */
  igfx_v2_report(3, H3, G1);
  igfx_advance(5000);
  cr_assert_eq(igfx_count(1, 0x22), 2);
}

Test(proxy, last_downstream_leave_is_reported_upstream) {
  int type, n;
  DWORD g, s[4];
  uint64_t tl;

  igfx_v3_record(2, H2, TO_EX, G1, NULL, 0);
  igfx_advance(5000);
  igfx_tx_clear();
  igfx_v3_record(2, H2, TO_IN, G1, NULL, 0);
  tl = T;
  cr_assert_eq(igfx_count(1, 0x22), 0, "left before the last member queries");
  igfx_advance_to(tl + 2000);
  cr_assert_eq(igfx_count(1, 0x22), 1);
  up_rec(0, &type, &g, s, 4, &n);
  cr_assert_eq(type, TO_IN);
  cr_assert_eq(g, G1);
  cr_assert_eq(n, 0);
  igfx_advance(1000);
  cr_assert_eq(igfx_count(1, 0x22), 2);
  igfx_advance(60000);
  cr_assert_eq(
      mgm_igmp_group_next(ig, 1, 0, &(struct mgm_igmp_group_info){0}, NULL, 0),
      ERROR_NO_MORE_ITEMS, "upstream record not freed");
}

Test(proxy, traffic_flows_from_upstream_to_members) {
  uint64_t tl;

  cr_assert(igfx_member(PROTO_IP_IGMP, 0, 0, 1, NULL),
            "(*,*) on upstream for proxy_forward_upstream");
  cr_assert_not(sim_forwards(1, S1, G1, 2));
  igfx_v2_report(2, H2, G1);
  cr_assert(sim_forwards(1, S1, G1, 2), "(S1,G1) not forwarded down");
  cr_assert_not(sim_forwards(1, S1, G1, 3));
  igfx_v2_report(3, H3, G1);
  cr_assert(sim_forwards(1, S1, G1, 3));
  igfx_v2_leave(2, H2, G1);
  tl = T;
  igfx_advance_to(tl + 2000);
  cr_assert_not(sim_forwards(1, S1, G1, 2), "still forwarded after leave");
  cr_assert(sim_forwards(1, S1, G1, 3));
}

Test(proxy, downstream_sources_are_forwarded_upstream) {
  cr_assert(sim_forwards(2, ip4(10, 0, 2, 77), G2, 1));
}

Test(proxy, include_states_merge_and_exclude_wins) {
  DWORD a[1] = {S1}, b[1] = {S2}, c[1] = {S3}, s[4];
  struct mgm_igmp_group_info gi;
  struct mgm_igmp_source_info si[4];
  int type, n;
  DWORD g;

  igfx_v3_record(2, H2, ALLOW, G1, a, 1);
  up_rec(0, &type, &g, s, 4, &n);
  cr_assert_eq(type, ALLOW);
  cr_assert_eq(n, 1);
  cr_assert_eq(s[0], S1);
  igfx_v3_record(3, H3, ALLOW, G1, b, 1);
  cr_assert_eq(mgm_igmp_group_next(ig, 1, 0, &gi, si, 4), NO_ERROR);
  cr_assert_eq(gi.filter_mode, MGM_IGMP_INCLUDE);
  cr_assert_eq(gi.n_sources, 2);
  cr_assert(sim_forwards(1, S1, G1, 2));
  cr_assert_not(sim_forwards(1, S2, G1, 2), "(S2,G1) wanted on 3 only");
  cr_assert(sim_forwards(1, S2, G1, 3));
  igfx_advance(5000);
  igfx_tx_clear();
  /* if2 excludes S2 and S3; if3 includes S2 -> upstream EXCLUDE {S3} */
  {
    DWORD x[2] = {S2, S3};

    igfx_v3_record(2, H2, TO_EX, G1, x, 2);
  }
  up_rec(0, &type, &g, s, 4, &n);
  cr_assert_eq(type, TO_EX);
  cr_assert_eq(n, 1);
  cr_assert_eq(s[0], S3);
  (void)c;
}

Test(proxy, v3_general_query_is_answered_with_current_state) {
  uint8_t q[12];
  int type, n;
  DWORD g, s[4];
  uint64_t tq;

  igfx_v2_report(2, H2, G1);
  igfx_advance(5000);
  igfx_tx_clear();
  igfx_v3q(q, 100, 0, 0, 2, 125, NULL, 0);
  igfx_rx(1, UPQ, ip4(224, 0, 0, 1), q, 12);
  tq = T;
  igfx_advance(10000);
  cr_assert_eq(igfx_count(1, 0x22), 1);
  cr_assert_leq(igfx_find(1, 0x22, 0)->t, tq + 10000);
  up_rec(0, &type, &g, s, 4, &n);
  cr_assert_eq(type, IS_EX);
  cr_assert_eq(g, G1);
}

Test(proxy, source_specific_query_is_answered_for_those_sources) {
  uint8_t q[32];
  DWORD a[2] = {S1, S2}, qs[2] = {S2, S3}, s[4], g;
  int type, n;

  igfx_v3_record(2, H2, ALLOW, G1, a, 2);
  igfx_advance(5000);
  igfx_tx_clear();
  igfx_v3q(q, 100, G1, 0, 2, 125, qs, 2);
  igfx_rx(1, UPQ, G1, q, 12 + 8);
  igfx_advance(10000);
  cr_assert_eq(igfx_count(1, 0x22), 1);
  up_rec(0, &type, &g, s, 4, &n);
  cr_assert_eq(type, IS_IN);
  cr_assert_eq(n, 1, "IS_IN(A*Q) = {S2}");
  cr_assert_eq(s[0], S2);
}

Test(proxy, older_querier_upstream_switches_to_v2) {
  uint8_t q[8];
  const struct igfx_tx *t;
  struct mgm_igmp_if_info ii;

  igfx_v2_report(2, H2, G1);
  igfx_advance(5000);
  igfx_tx_clear();
  igfx_v12(q, 0x11, 100, 0); /* IGMPv2 general query */
  igfx_rx(1, UPQ, ip4(224, 0, 0, 1), q, 8);
  cr_assert_eq(mgm_igmp_if_next(ig, 0, &ii), NO_ERROR);
  cr_assert_eq(ii.ifindex, 1);
  cr_assert_eq(ii.host_version, 2);
  igfx_advance(10000);
  t = igfx_find(1, 0x16, 0);
  cr_assert_not_null(t, "no v2 report answering the v2 query");
  cr_assert_eq(t->dst, G1);
  cr_assert_eq(igfx_count(1, 0x22), 0);
  /* a new group is joined with v2 reports */
  igfx_v2_report(2, H2, G2);
  t = igfx_find(1, 0x16, 1);
  cr_assert_not_null(t);
  cr_assert_eq(*(const DWORD *)(t->msg + 4), G2);
  /* and left with a v2 leave to all-routers */
  igfx_v2_leave(2, H2, G1);
  igfx_advance(2000);
  t = igfx_find(1, 0x17, 0);
  cr_assert_not_null(t, "no v2 leave upstream");
  cr_assert_eq(t->dst, ip4(224, 0, 0, 2));
  cr_assert_eq(*(const DWORD *)(t->msg + 4), G1);
}

Test(proxy, removing_the_upstream_leaves_every_group) {
  int type, n;
  DWORD g, s[4];

  igfx_v2_report(2, H2, G1);
  igfx_advance(5000);
  igfx_tx_clear();
  cr_assert_eq(mgm_igmp_del_interface(ig, 1, T), NO_ERROR);
  up_rec(0, &type, &g, s, 4, &n);
  cr_assert_eq(type, TO_IN);
  cr_assert_eq(g, G1);
  cr_assert_not(igfx_member(PROTO_IP_IGMP, 0, 0, 1, NULL));
}

Test(proxy2, v2_proxy_joins_and_leaves_with_v2_messages) {
  const struct igfx_tx *t;
  uint64_t tj;

  igfx_v2_report(2, H2, G1);
  tj = T;
  t = igfx_find(1, 0x16, 0);
  cr_assert_not_null(t);
  cr_assert_eq(t->dst, G1);
  cr_assert_eq(t->len, 8);
  cr_assert_eq(igfx_cksum(t->msg, 8), 0);
  igfx_advance(10000);
  cr_assert_eq(igfx_count(1, 0x16), 2, "unsolicited report repeated");
  cr_assert_leq(igfx_find(1, 0x16, 1)->t, tj + 10000);
  igfx_v2_leave(2, H2, G1);
  igfx_advance(2000);
  cr_assert_eq(igfx_count(1, 0x17), 1);
}

Test(proxy2, another_hosts_report_suppresses_ours) {
  uint8_t q[8], r[8];

  igfx_v2_report(2, H2, G1);
  igfx_advance(20000);
  igfx_tx_clear();
  igfx_v12(q, 0x11, 100, 0);
  igfx_rx(1, UPQ, ip4(224, 0, 0, 1), q, 8);
  igfx_v12(r, 0x16, 0, G1);
  igfx_rx(1, ip4(10, 0, 1, 50), G1, r, 8);
  igfx_advance(10000);
  cr_assert_eq(igfx_count(1, 0x16), 0, "report not suppressed");
}
