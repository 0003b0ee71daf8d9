/*
 * test_v2.c - the IGMPv2 router (RFC 2236): reports become (*,G)
 * memberships in MGM, leaves trigger Last Member Queries (count and
 * interval) and the membership goes exactly at the Last Member Query Time,
 * a report during that time keeps it, the Group Membership Interval
 * expires it, IGMPv1 hosts make leaves ignored, v3 reports are not spoken.
 *
 * SPDX-License-Identifier: MIT
 */
#include "igfx_cr.h"

#include "igfx.h"

#define G1 ip4(239, 1, 1, 1)
#define H1 ip4(10, 0, 2, 100)
#define H2 ip4(10, 0, 2, 101)

static void setup(void) {
  struct mgm_igmp_config c;

  igfx_config(&c);
  c.version = 2;
  igfx_start(&c);
  igfx_add(2, MGM_IGMP_ROLE_DOWNSTREAM);
  igfx_tx_clear();
}

TestSuite(v2, .init = setup, .fini = igfx_stop);

static int member(void) {
  return igfx_member(PROTO_IP_IGMP, 0, G1, 2, NULL);
}

Test(v2, general_query_is_v2_format) {
  const struct igfx_tx *q;

  igfx_advance(31250);
  q = igfx_find(2, 0x11, 0);
  cr_assert_not_null(q);
  cr_assert_eq(q->len, 8, "IGMPv2 query is 8 bytes");
  cr_assert_eq(q->msg[1], 100, "max resp 10 s in 1/10 s");
}

Test(v2, report_adds_star_g_and_link_local_is_ignored) {
  igfx_v2_report(2, H1, G1);
  cr_assert(member());
  igfx_v2_report(2, H1, ip4(224, 0, 0, 9));
  cr_assert_eq(igfx_members(PROTO_IP_IGMP), 1);
}

Test(v2, leave_last_member_queries_and_leave_latency) {
  uint64_t tl;
  const struct igfx_tx *q;

  igfx_v2_report(2, H1, G1);
  igfx_advance(5000);
  igfx_tx_clear();
  igfx_v2_leave(2, H1, G1);
  tl = T;
  q = igfx_find(2, 0x11, 0);
  cr_assert_not_null(q, "no group-specific query on leave");
  cr_assert_eq(q->t, tl);
  cr_assert_eq(q->dst, G1);
  cr_assert_eq(q->len, 8);
  cr_assert_eq(q->msg[1], 10, "max resp = LMQI 1 s");
  cr_assert_eq(*(const DWORD *)(q->msg + 4), G1);
  igfx_advance_to(tl + 1999);
  cr_assert(member(), "gone before the Last Member Query Time");
  cr_assert_eq(igfx_count(2, 0x11), 2, "LMQC = 2 queries");
  cr_assert_eq(igfx_find(2, 0x11, 1)->t, tl + 1000);
  igfx_advance(1);
  cr_assert_not(member(), "still there after LMQT");
  igfx_advance(5000);
  cr_assert_eq(igfx_count(2, 0x11), 2);
}

Test(v2, report_during_last_member_query_keeps_the_group) {
  uint64_t tl;

  igfx_v2_report(2, H1, G1);
  igfx_v2_leave(2, H1, G1);
  tl = T;
  igfx_advance(500);
  igfx_v2_report(2, H2, G1);
  igfx_advance_to(tl + 3000);
  cr_assert(member());
  cr_assert_eq(igfx_count(2, 0x11), 1,
               "retransmission after the report (RFC 2236 6)");
}

Test(v2, membership_expires_after_gmi) {
  uint64_t tr;

  igfx_v2_report(2, H1, G1);
  tr = T;
  igfx_advance_to(tr + 260000 - 1);
  cr_assert(member());
  igfx_advance(1);
  cr_assert_not(member(), "GMI = 2 * 125 s + 10 s");
}

Test(v2, leave_ignored_while_v1_hosts_present) {
  igfx_v1_report(2, H1, G1);
  igfx_v2_leave(2, H2, G1);
  igfx_advance(3000);
  cr_assert(member());
  cr_assert_eq(igfx_count(2, 0x11), 0);
}

Test(v2, leave_for_unknown_group_does_nothing) {
  igfx_v2_leave(2, H1, G1);
  cr_assert_eq(igfx_count(2, 0x11), 0);
}

Test(v2, v3_reports_are_not_spoken) {
  igfx_v3_record(2, H1, 4, G1, NULL, 0);
  cr_assert_eq(igfx_members(PROTO_IP_IGMP), 0);
}
