/*
 * test_querier.c - querier election and query timing of the IGMP router
 * (RFC 3376 6.6.2, 8; RFC 2236 3, 8): startup queries, periodic general
 * queries, lowest address wins, Other Querier Present timeout, learned
 * QRV/QQI, and a non-querier following the querier's group-specific
 * queries instead of acting on leaves itself.
 *
 * SPDX-License-Identifier: MIT
 */
#include "igfx_cr.h"

#include "igfx.h"

#define G1 ip4(239, 1, 1, 1)
#define H1 ip4(10, 0, 2, 100)
#define LOW ip4(10, 0, 2, 1)  /* below our 10.0.2.5 */
#define HIGH ip4(10, 0, 2, 9) /* above */

static uint64_t t0;

static void setup(void) {
  igfx_start(NULL);
  t0 = T;
  igfx_add(2, MGM_IGMP_ROLE_DOWNSTREAM);
}

TestSuite(querier, .init = setup, .fini = igfx_stop);

static struct mgm_igmp_if_info info(void) {
  struct mgm_igmp_if_info i;

  cr_assert_eq(mgm_igmp_if_next(ig, 0, &i), NO_ERROR);
  cr_assert_eq(i.ifindex, 2);
  return i;
}

/* v3 general query from src with the given QRV / QQIC. */
static void query_from(DWORD src, int qrv, int qqic) {
  uint8_t m[12];

  igfx_v3q(m, 100, 0, 0, qrv, (uint8_t)qqic, NULL, 0);
  igfx_rx(2, src, ip4(224, 0, 0, 1), m, 12);
}

Test(querier, startup_then_periodic_general_queries) {
  const struct igfx_tx *q;

  cr_assert(info().querier);
  igfx_advance(31250 + 125000 + 10);
  cr_assert_eq(igfx_count(2, 0x11), 3);
  q = igfx_find(2, 0x11, 0);
  cr_assert_eq(q->t, t0);
  q = igfx_find(2, 0x11, 1);
  cr_assert_eq(q->t, t0 + 31250, "second startup query at QI/4, got +%llu",
               (unsigned long long)(q->t - t0));
  q = igfx_find(2, 0x11, 2);
  cr_assert_eq(q->t, t0 + 31250 + 125000);
  cr_assert_eq(q->dst, ip4(224, 0, 0, 1));
  cr_assert_eq(q->msg[4] | q->msg[5] | q->msg[6] | q->msg[7], 0,
               "general query has group 0");
}

Test(querier, lower_address_wins_and_other_querier_times_out) {
  uint64_t tq;
  struct mgm_igmp_if_info i;

  igfx_advance(1000);
  query_from(LOW, 2, 125);
  tq = T;
  i = info();
  cr_assert_not(i.querier);
  cr_assert_eq(i.querier_addr, LOW);
  cr_assert_eq(i.other_querier_until, tq + 255000, "OQPI = 2*125 s + 10 s / 2");
  igfx_tx_clear();
  igfx_advance(255000 - 1);
  cr_assert_eq(igfx_count(2, 0x11), 0, "a non-querier must not query");
  cr_assert_not(info().querier);
  igfx_advance(1);
  cr_assert(info().querier);
  cr_assert_eq(igfx_count(2, 0x11), 1);
  cr_assert_eq(igfx_find(2, 0x11, 0)->t, tq + 255000);
}

Test(querier, higher_address_does_not_win) {
  struct mgm_igmp_counters c;

  query_from(HIGH, 2, 125);
  cr_assert(info().querier);
  cr_assert_eq(mgm_igmp_get_counters(ig, 2, &c), NO_ERROR);
  cr_assert_eq(c.querier_changes, 0);
  cr_assert_eq(c.rx_queries, 1);
}

Test(querier, own_queries_looped_back_are_ignored) {
  query_from(ip4(10, 0, 2, 5), 2, 125);
  cr_assert(info().querier);
}

Test(querier, non_querier_adopts_qrv_and_qqi) {
  uint64_t tq;

  query_from(LOW, 3, 60);
  tq = T;
  cr_assert_eq(info().other_querier_until, tq + 3 * 60000 + 5000);
  igfx_advance(3 * 60000 + 5000 - 1);
  cr_assert_not(info().querier);
  igfx_advance(1);
  cr_assert(info().querier);
}

Test(querier, querier_elected_again_after_a_lower_one_spoke) {
  /* a querier heard again refreshes the timer */
  query_from(LOW, 2, 125);
  igfx_advance(200000);
  query_from(LOW, 2, 125);
  igfx_advance(200000);
  cr_assert_not(info().querier, "timer must restart on every query");
  igfx_advance(55000);
  cr_assert(info().querier);
}

Test(querier, non_querier_ignores_leaves_but_follows_group_queries) {
  uint8_t m[8];
  uint64_t tq;

  query_from(LOW, 2, 125);
  igfx_v2_report(2, H1, G1);
  cr_assert(igfx_member(PROTO_IP_IGMP, 0, G1, 2, NULL));
  igfx_tx_clear();
  igfx_v2_leave(2, H1, G1);
  cr_assert_eq(igfx_count(2, 0x11), 0, "non-querier sent a query on leave");
  igfx_advance(10000);
  cr_assert(igfx_member(PROTO_IP_IGMP, 0, G1, 2, NULL),
            "non-querier acted on a leave");
  /* the querier's group-specific query (max resp 1 s) lowers the timer
   * to LMQC * 1 s */
  igfx_v12(m, 0x11, 10, G1);
  igfx_rx(2, LOW, G1, m, 8);
  tq = T;
  igfx_advance_to(tq + 2000 - 1);
  cr_assert(igfx_member(PROTO_IP_IGMP, 0, G1, 2, NULL));
  igfx_advance(1);
  cr_assert_not(igfx_member(PROTO_IP_IGMP, 0, G1, 2, NULL));
}
