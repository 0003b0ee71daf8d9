/*
 * test_v3.c - the IGMPv3 router (RFC 3376 6.4, 6.5, 6.6.3, 7.3.2) and its
 * MGM mapping: INCLUDE {S..} -> (S,G) per source, EXCLUDE -> (*,G);
 * ALLOW/BLOCK/TO_IN/TO_EX/IS_IN/IS_EX state changes, group-and-source-
 * specific queries with their retransmissions and S flag, group timer
 * expiry switching EXCLUDE back to INCLUDE, and IGMPv1/v2 compatibility.
 *
 * SPDX-License-Identifier: MIT
 */
#include "igfx_cr.h"
#include <string.h>

#include "igfx.h"

#define G1 ip4(239, 1, 1, 1)
#define H1 ip4(10, 0, 2, 100)
#define S1 ip4(10, 9, 0, 1)
#define S2 ip4(10, 9, 0, 2)
#define S3 ip4(10, 9, 0, 3)
#define ALL 0xFFFFFFFFu

enum { IS_IN = 1, IS_EX, TO_IN, TO_EX, ALLOW, BLOCK };

static void setup(void) {
  igfx_start(NULL);
  igfx_add(2, MGM_IGMP_ROLE_DOWNSTREAM);
  igfx_tx_clear();
}

TestSuite(v3, .init = setup, .fini = igfx_stop);

static int has(DWORD s) {
  return igfx_member(PROTO_IP_IGMP, s, G1, 2, NULL);
}

static void rec(int type, const DWORD *s, int n) {
  igfx_v3_record(2, H1, type, G1, s, n);
}

static struct mgm_igmp_group_info grp(struct mgm_igmp_source_info *src,
                                      uint32_t cap) {
  struct mgm_igmp_group_info g;

  cr_assert_eq(mgm_igmp_group_next(ig, 2, 0, &g, src, cap), NO_ERROR);
  cr_assert_eq(g.group, G1);
  return g;
}

/* Sources listed in a captured v3 query. */
static int qsrcs(const struct igfx_tx *t, DWORD *out, int cap) {
  int n = (t->msg[10] << 8) | t->msg[11], i;

  for (i = 0; i < n && i < cap; i++)
    memcpy(&out[i], t->msg + 12 + 4 * i, 4);
  return n;
}

Test(v3, include_sources_become_sg_memberships) {
  DWORD s[2] = {S1, S2};
  struct mgm_igmp_group_info g;

  rec(IS_IN, s, 1);
  rec(ALLOW, s + 1, 1);
  cr_assert(has(S1));
  cr_assert(has(S2));
  cr_assert_not(has(0), "no (*,G) for INCLUDE");
  cr_assert_eq(igfx_members(PROTO_IP_IGMP), 2);
  g = grp(NULL, 0);
  cr_assert_eq(g.filter_mode, MGM_IGMP_INCLUDE);
  cr_assert_eq(g.n_sources, 2);
}

Test(v3, block_sends_source_query_and_source_expires_after_lmqt) {
  DWORD s[2] = {S1, S2}, q[4];
  const struct igfx_tx *t;
  uint64_t tb;

  rec(ALLOW, s, 2);
  igfx_advance(3000);
  rec(BLOCK, s, 1);
  tb = T;
  t = igfx_find(2, 0x11, 0);
  cr_assert_not_null(t, "no group-and-source-specific query");
  cr_assert_eq(t->dst, G1);
  cr_assert_eq(*(const DWORD *)(t->msg + 4), G1);
  cr_assert_eq(qsrcs(t, q, 4), 1);
  cr_assert_eq(q[0], S1);
  cr_assert_eq(t->msg[8] & 8, 0, "S flag clear: timer lowered to LMQT");
  cr_assert_eq(t->msg[1], 10, "max resp = LMQI");
  igfx_advance_to(tb + 1999);
  cr_assert_eq(igfx_count(2, 0x11), 2, "LMQC retransmissions");
  cr_assert(has(S1));
  igfx_advance(1);
  cr_assert_not(has(S1), "(S1,G) not removed at LMQT");
  cr_assert(has(S2));
}

Test(v3, retransmission_sets_s_flag_after_a_refresh) {
  DWORD s[1] = {S1};
  const struct igfx_tx *t;

  rec(ALLOW, s, 1);
  rec(BLOCK, s, 1);
  rec(ALLOW, s, 1); /* a host still wants S1: timer back to GMI */
  igfx_advance(1000);
  t = igfx_find(2, 0x11, 1);
  cr_assert_not_null(t);
  cr_assert_eq(t->msg[8] & 8, 8, "retransmission must carry S=1");
  igfx_advance(5000);
  cr_assert(has(S1));
}

Test(v3, to_ex_switches_to_star_g_and_drops_sg) {
  DWORD s[3] = {S1, S2, S3};
  struct mgm_igmp_source_info src[4];
  struct mgm_igmp_group_info g;

  rec(ALLOW, s, 1);
  cr_assert(has(S1));
  rec(TO_EX, s + 1, 1);
  cr_assert(has(0), "EXCLUDE must give (*,G)");
  cr_assert_not(has(S1), "(S1,G) left after INCLUDE->EXCLUDE");
  cr_assert_eq(igfx_members(PROTO_IP_IGMP), 1);
  g = grp(src, 4);
  cr_assert_eq(g.filter_mode, MGM_IGMP_EXCLUDE);
  cr_assert_eq(g.n_sources, 1);
  cr_assert_eq(src[0].addr, S2);
  cr_assert_eq(src[0].expires, MGM_IGMP_NEVER, "S2 in the exclude list");
  cr_assert_eq(igfx_count(2, 0x11), 0, "Q(G,A*B) of an empty set");
}

Test(v3, is_ex_creates_exclude_group) {
  DWORD s[1] = {S3};

  rec(IS_EX, s, 1);
  cr_assert(has(0));
  cr_assert_not(has(S3));
  cr_assert_eq(grp(NULL, 0).filter_mode, MGM_IGMP_EXCLUDE);
}

Test(v3, to_in_from_exclude_queries_group_and_falls_back_to_include) {
  DWORD s[1] = {S1};
  const struct igfx_tx *t;
  uint64_t ti;

  rec(IS_EX, NULL, 0);
  igfx_advance(10000);
  rec(TO_IN, s, 1);
  ti = T;
  t = igfx_find(2, 0x11, 0);
  cr_assert_not_null(t, "no Q(G)");
  cr_assert_eq(t->len, 12, "group-specific: no sources");
  cr_assert_eq(*(const DWORD *)(t->msg + 4), G1);
  igfx_advance_to(ti + 1999);
  cr_assert(has(0));
  igfx_advance(1);
  cr_assert_not(has(0), "(*,G) kept after the group timer expired");
  cr_assert(has(S1), "INCLUDE {S1} after EXCLUDE expired");
  cr_assert_eq(grp(NULL, 0).filter_mode, MGM_IGMP_INCLUDE);
}

Test(v3, to_in_empty_is_a_leave) {
  uint64_t ti;

  rec(IS_EX, NULL, 0);
  rec(TO_IN, NULL, 0);
  ti = T;
  igfx_advance_to(ti + 1999);
  cr_assert(has(0));
  igfx_advance(1);
  cr_assert_eq(igfx_members(PROTO_IP_IGMP), 0);
  cr_assert_eq(
      mgm_igmp_group_next(ig, 2, 0, &(struct mgm_igmp_group_info){0}, NULL, 0),
      ERROR_NO_MORE_ITEMS);
}

Test(v3, block_in_exclude_adds_requested_source_and_queries_it) {
  DWORD s[1] = {S1}, q[2];
  const struct igfx_tx *t;

  rec(IS_EX, NULL, 0);
  rec(BLOCK, s, 1);
  t = igfx_find(2, 0x11, 0);
  cr_assert_not_null(t);
  cr_assert_eq(qsrcs(t, q, 2), 1);
  cr_assert_eq(q[0], S1);
  cr_assert(has(0));
}

Test(v3, include_source_expires_after_gmi) {
  DWORD s[1] = {S1};
  uint64_t t1;

  rec(IS_IN, s, 1);
  t1 = T;
  igfx_advance_to(t1 + 260000 - 1);
  cr_assert(has(S1));
  igfx_advance(1);
  cr_assert_not(has(S1));
}

Test(v3, v2_host_compat_ignores_block_and_to_ex_sources) {
  DWORD s[1] = {S1};
  struct mgm_igmp_group_info g;

  igfx_v2_report(2, H1, G1);
  g = grp(NULL, 0);
  cr_assert_eq(g.compat_version, 2);
  cr_assert_eq(g.filter_mode, MGM_IGMP_EXCLUDE);
  rec(TO_EX, s, 1);
  cr_assert_eq(grp(NULL, 0).n_sources, 0, "TO_EX source list not ignored");
  rec(BLOCK, s, 1);
  cr_assert_eq(igfx_count(2, 0x11), 0, "BLOCK not ignored in v2 compat");
  /* a v2 leave is TO_IN({}) */
  igfx_v2_leave(2, H1, G1);
  cr_assert_eq(igfx_count(2, 0x11), 1);
}

Test(v3, v1_host_compat_ignores_leaves) {
  igfx_v1_report(2, H1, G1);
  cr_assert_eq(grp(NULL, 0).compat_version, 1);
  igfx_v2_leave(2, H1, G1);
  igfx_advance(5000);
  cr_assert(has(0));
  cr_assert_eq(igfx_count(2, 0x11), 0);
}

Test(v3, several_records_in_one_report) {
  struct igfx_rep r;
  DWORD s[1] = {S1}, g2 = ip4(239, 2, 2, 2);

  igfx_rep_init(&r);
  igfx_rep_add(&r, ALLOW, G1, s, 1);
  igfx_rep_add(&r, 7, g2, NULL, 0); /* unknown type: ignored */
  igfx_rep_add(&r, IS_EX, g2, NULL, 0);
  igfx_rep_done(&r);
  igfx_rx(2, H1, ip4(224, 0, 0, 22), r.buf, r.len);
  cr_assert(has(S1));
  cr_assert(igfx_member(PROTO_IP_IGMP, 0, g2, 2, NULL));
  cr_assert_eq(igfx_members(PROTO_IP_IGMP), 2);
}

Test(v3, group_limit_is_enforced) {
  struct mgm_igmp_counters c;
  int k;

  /* max_groups defaults to 4096: fill a few beyond a small limit by
   * recreating the component with max_groups = 2 */
  igfx_stop();
  {
    struct mgm_igmp_config cfg;

    igfx_config(&cfg);
    cfg.max_groups = 2;
    igfx_start(&cfg);
    igfx_add(2, MGM_IGMP_ROLE_DOWNSTREAM);
  }
  for (k = 1; k <= 3; k++)
    igfx_v2_report(2, H1, ip4(239, 1, 1, k));
  cr_assert_eq(igfx_members(PROTO_IP_IGMP), 2);
  cr_assert_eq(mgm_igmp_get_counters(ig, 2, &c), NO_ERROR);
  cr_assert_eq(c.rx_ignored, 1);
}
