/*
 * test_lan.c - the IGMP component as a citizen of a shared LAN: the query
 * interval that QQIC advertises is never below the real one (RFC 3376
 * 4.1.7).
 *
 * SPDX-License-Identifier: MIT
 */
#include "igfx_cr.h"
#include <string.h>

#include "igfx.h"

#define G1 ip4(239, 1, 1, 1)
#define H1 ip4(10, 0, 2, 100)

/* RFC 3376 4.1.1, written here independently of src/igmp/pkt.c. */
static uint32_t code_value(uint8_t c) {
  return c < 128 ? c : ((uint32_t)(c & 0x0F) | 0x10) << (((c >> 4) & 7) + 3);
}

/* ---- QQIC (RFC 3376 4.1.7) ------------------------------------------- */

static void start_qi(uint32_t qi_s) {
  struct mgm_igmp_config c;

  igfx_config(&c);
  c.query_interval_s = qi_s;
  igfx_start(&c);
  igfx_add(2, MGM_IGMP_ROLE_DOWNSTREAM);
}

TestSuite(qqic, .fini = igfx_stop);

Test(qqic, unencodable_interval_is_advertised_rounded_up) {
  const struct igfx_tx *q;
  DWORD none[1] = {0};
  uint64_t t0;

  start_qi(300);
  t0 = T;
  q = igfx_find(2, 0x11, 0);
  cr_assert_not_null(q);
  cr_assert_eq(q->len, 12);
  cr_assert_eq(q->msg[9], 0x93, "QQIC %#x (0x92 = 288 s is below 300 s)",
               q->msg[9]);
  cr_assert_eq(code_value(q->msg[9]), 304);
  /* group-specific queries carry the same QQIC */
  igfx_v3_record(2, H1, 4 /* TO_EX */, G1, none, 0);
  igfx_tx_clear();
  igfx_v3_record(2, H1, 3 /* TO_IN */, G1, none, 0);
  q = igfx_find(2, 0x11, 0);
  cr_assert_not_null(q, "no Q(G) after TO_IN({})");
  cr_assert_eq(q->dst, G1);
  cr_assert_eq(q->msg[9], 0x93);
  /* the router itself still queries every 300 s */
  igfx_advance(2000); /* the Q(G) retransmission */
  igfx_tx_clear();
  igfx_advance_to(t0 + 75000 + 300000 + 1);
  cr_assert_eq(igfx_count(2, 0x11), 2);
  q = igfx_find(2, 0x11, 1);
  cr_assert_eq(q->t, t0 + 75000 + 300000, "periodic query at +%llu",
               (unsigned long long)(q->t - t0));
}

Test(qqic, encodable_interval_is_advertised_exactly) {
  const struct igfx_tx *q;

  start_qi(125);
  q = igfx_find(2, 0x11, 0);
  cr_assert_not_null(q);
  cr_assert_eq(q->msg[9], 125);
}

Test(qqic, advertised_value_is_the_smallest_code_not_below) {
  uint32_t qi;

  for (qi = 1; qi <= 31744; qi++) {
    uint32_t adv = mgm_igmp_qqi_advertised(qi), best = 0xFFFFFFFFu;
    int c;

    for (c = 0; c < 256; c++)
      if (code_value((uint8_t)c) >= qi && code_value((uint8_t)c) < best)
        best = code_value((uint8_t)c);
    cr_assert_eq(adv, best, "qi %u: advertised %u, smallest code above %u",
                 (unsigned)qi, (unsigned)adv, (unsigned)best);
  }
  cr_assert_eq(mgm_igmp_qqi_advertised(300), 304);
  cr_assert_eq(mgm_igmp_qqi_advertised(31744), 31744);
}

Test(qqic, max_resp_code_still_rounds_down) {
  struct mgm_igmp_config c;
  const struct igfx_tx *q;

  igfx_config(&c);
  c.query_response_ms = 13000; /* 130 (1/10 s): codes 128, 136 */
  igfx_start(&c);
  igfx_add(2, MGM_IGMP_ROLE_DOWNSTREAM);
  q = igfx_find(2, 0x11, 0);
  cr_assert_not_null(q);
  cr_assert_eq(code_value(q->msg[1]), 128,
               "a host must answer within the time we wait: %u",
               (unsigned)code_value(q->msg[1]));
}
