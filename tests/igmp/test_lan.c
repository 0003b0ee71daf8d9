/*
 * test_lan.c - the IGMP component as a citizen of a shared LAN: the query
 * interval that QQIC advertises is never below the real one (RFC 3376
 * 4.1.7); any-source requests in the SSM range create no (*,G) state and
 * are counted (RFC 4604 2.2.1); the older-querier warning (RFC 3376 7.3.1)
 * is limited and names the interface and the querier; a send that fails
 * while the link is down is told apart from a host that cannot send;
 * dropped packets give limited debug lines with the reason; no log line
 * shows a bare Win32 number.
 *
 * SPDX-License-Identifier: MIT
 */
#include "igfx_cr.h"
#include <string.h>

#include "igfx.h"

#define G1 ip4(239, 1, 1, 1)
#define SSM1 ip4(232, 1, 1, 1)
#define H1 ip4(10, 0, 2, 100)
#define LOW ip4(10, 0, 2, 1) /* below the router's 10.0.2.5 */
#define LOW2 ip4(10, 0, 2, 2)
#define S1 ip4(10, 9, 0, 1)
#define S2 ip4(10, 9, 0, 2)

/* RFC 3376 4.1.1, written here independently of src/igmp/pkt.c. */
static uint32_t code_value(uint8_t c) {
  return c < 128 ? c : ((uint32_t)(c & 0x0F) | 0x10) << (((c >> 4) & 7) + 3);
}

static struct mgm_igmp_counters cnt(DWORD ifx) {
  struct mgm_igmp_counters c;

  cr_assert_eq(mgm_igmp_get_counters(ig, ifx, &c), NO_ERROR);
  return c;
}

/* Every "(digits)" in a log line must follow an ERROR_ name. */
static void assert_no_bare_codes(void) {
  int i;

  for (i = 0; i < igfx_nlog(); i++) {
    const char *t = igfx_log(i, NULL), *p;

    cr_assert_eq(strstr(t, "failed ("), NULL, "bare code: %s", t);
    for (p = strchr(t, '('); p != NULL; p = strchr(p + 1, '(')) {
      const char *q = p + 1, *w = p - 1;

      while (*q >= '0' && *q <= '9')
        q++;
      if (q == p + 1 || *q != ')')
        continue; /* not "(digits)" */
      while (w > t && w[-1] != ' ')
        w--;
      cr_assert(strncmp(w, "ERROR_", 6) == 0 || strncmp(w, "NO_ERROR", 8) == 0,
                "a number without its name: %s", t);
    }
  }
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

/* ---- SSM (RFC 4604 2.2.1) ------------------------------------------- */

static void start_ssm(DWORD group, DWORD mask) {
  struct mgm_igmp_config c;

  igfx_config(&c);
  if (mask != 0xFFFFFFFFu) {
    c.ssm_group = group;
    c.ssm_mask = mask;
  }
  igfx_start(&c);
  igfx_add(2, MGM_IGMP_ROLE_DOWNSTREAM);
}

static void ssm_default(void) {
  start_ssm(0, 0xFFFFFFFFu);
}

static int groups(DWORD ifx) {
  struct mgm_igmp_group_info gi;
  DWORD after = 0;
  int n = 0;

  while (mgm_igmp_group_next(ig, ifx, after, &gi, NULL, 0) == NO_ERROR) {
    after = gi.group;
    n++;
  }
  return n;
}

TestSuite(ssm, .init = ssm_default, .fini = igfx_stop);

Test(ssm, v1_v2_reports_in_232_create_nothing) {
  igfx_v2_report(2, H1, SSM1);
  igfx_v1_report(2, H1, ip4(232, 2, 2, 2));
  cr_assert_eq(igfx_members(PROTO_IP_IGMP), 0, "(*,G) in the SSM range");
  cr_assert_eq(groups(2), 0);
  cr_assert_eq(cnt(2).rx_ssm_ignored, 2);
  cr_assert_eq(cnt(0).rx_ssm_ignored, 2);
  cr_assert_eq(cnt(2).rx_reports, 2, "still valid reports");
  cr_assert_eq(igfx_logged(5, "eth2: IGMPv2 report for 232.1.1.1 from "
                              "10.0.2.100 ignored: 232.0.0.0/8 is the SSM "
                              "range"),
               1);
  /* outside the range the same report joins */
  igfx_v2_report(2, H1, G1);
  cr_assert(igfx_member(PROTO_IP_IGMP, 0, G1, 2, NULL));
  cr_assert_eq(cnt(2).rx_ssm_ignored, 2);
}

Test(ssm, v3_exclude_records_are_ignored_include_ones_join) {
  DWORD s[1] = {S1};
  struct igfx_rep r;

  igfx_rep_init(&r);
  igfx_rep_add(&r, 2 /* IS_EX */, SSM1, NULL, 0);
  igfx_rep_add(&r, 4 /* TO_EX */, ip4(232, 1, 1, 2), NULL, 0);
  igfx_rep_add(&r, 4 /* TO_EX */, ip4(232, 1, 1, 3), s, 1);
  igfx_rep_add(&r, 1 /* IS_IN */, ip4(232, 1, 1, 4), s, 1);
  igfx_rep_done(&r);
  igfx_rx(2, H1, ip4(224, 0, 0, 22), r.buf, r.len);
  cr_assert_eq(cnt(2).rx_ssm_ignored, 3);
  cr_assert_eq(igfx_members(PROTO_IP_IGMP), 1);
  cr_assert(igfx_member(PROTO_IP_IGMP, S1, ip4(232, 1, 1, 4), 2, NULL),
            "the source-specific join");
  cr_assert_eq(groups(2), 1);
}

Test(ssm, v2_leave_does_not_touch_source_specific_state) {
  DWORD s[2] = {S1, S2};
  struct mgm_igmp_group_info gi;
  struct mgm_igmp_source_info si[2];

  igfx_v3_record(2, H1, 1 /* IS_IN */, SSM1, s, 2);
  igfx_advance(1000);
  igfx_tx_clear();
  igfx_v2_leave(2, ip4(10, 0, 2, 101), SSM1);
  cr_assert_eq(igfx_count(2, 0x11), 0, "a v2 leave queried (S,G) sources");
  cr_assert_eq(mgm_igmp_group_next(ig, 2, 0, &gi, si, 2), NO_ERROR);
  cr_assert_eq(si[0].expires, T - 1000 + 260000, "source timer moved");
  cr_assert_eq(cnt(2).rx_ssm_ignored, 1);
}

Test(ssm, range_is_configurable) {
  igfx_stop();
  start_ssm(ip4(239, 255, 0, 0), ip4(255, 255, 0, 0));
  igfx_v2_report(2, H1, ip4(239, 255, 1, 1));
  igfx_v2_report(2, H1, SSM1);
  cr_assert_not(igfx_member(PROTO_IP_IGMP, 0, ip4(239, 255, 1, 1), 2, NULL));
  cr_assert(igfx_member(PROTO_IP_IGMP, 0, SSM1, 2, NULL),
            "232/8 is not SSM here");
  cr_assert_eq(cnt(2).rx_ssm_ignored, 1);
  cr_assert_eq(igfx_logged(5, "239.255.0.0/16 is the SSM range"), 1);
}

Test(ssm, mask_0_means_no_ssm_range) {
  igfx_stop();
  start_ssm(0, 0);
  igfx_v2_report(2, H1, SSM1);
  cr_assert(igfx_member(PROTO_IP_IGMP, 0, SSM1, 2, NULL));
  cr_assert_eq(cnt(2).rx_ssm_ignored, 0);
}

Test(ssm, bad_ranges_are_refused) {
  struct mgm_igmp_config c;
  struct mgm_igmp *other = NULL;

  igfx_config(&c);
  c.ssm_group = ip4(232, 0, 0, 1); /* host bits beyond the mask */
  cr_assert_eq(mgm_igmp_create(&c, 2, &other), ERROR_INVALID_PARAMETER);
  igfx_config(&c);
  c.ssm_mask = ip4(255, 0, 255, 0); /* not a prefix */
  c.ssm_group = ip4(232, 0, 0, 0);
  cr_assert_eq(mgm_igmp_create(&c, 2, &other), ERROR_INVALID_PARAMETER);
  cr_assert_null(other);
}

Test(ssm, debug_lines_are_rate_limited) {
  int i;

  for (i = 0; i < 5; i++)
    igfx_v2_report(2, H1, SSM1);
  cr_assert_eq(igfx_logged(5, "SSM range"), 1);
  igfx_advance(10000);
  igfx_v2_report(2, H1, SSM1);
  cr_assert_eq(igfx_logged(5, "SSM range"), 2);
  cr_assert_eq(igfx_logged(5, "(4 more since the last such line)"), 1);
  cr_assert_eq(cnt(2).rx_ssm_ignored, 6);
}

/* ---- Older querier (RFC 3376 7.3.1) --------------------------------- */

static void start_v3(void) {
  igfx_start(NULL);
  igfx_add(2, MGM_IGMP_ROLE_DOWNSTREAM);
}

static void v2_query(DWORD from) {
  uint8_t m[8];

  igfx_v12(m, 0x11, 100, 0);
  igfx_rx(2, from, ip4(224, 0, 0, 1), m, 8);
}

TestSuite(oldq, .init = start_v3, .fini = igfx_stop);

Test(oldq, warning_is_limited_and_names_interface_and_querier) {
  int i;

  v2_query(LOW);
  igfx_advance(4000);
  v2_query(LOW);
  igfx_advance(4000);
  v2_query(LOW);
  cr_assert_eq(igfx_logged(2, "IGMPv2 querier"), 1,
               "one warning for three queries in 8 s");
  cr_assert_eq(igfx_logged(2, "eth2: IGMPv2 querier 10.0.2.1 on this IGMPv3 "
                              "link"),
               1);
  cr_assert_eq(igfx_logged(0, "if 2"), 0);
  /* it keeps querying: said again only after 10 minutes */
  for (i = 0; i < 5; i++) {
    igfx_advance(125000);
    v2_query(LOW);
  }
  cr_assert_eq(igfx_logged(2, "IGMPv2 querier 10.0.2.1"), 2);
  cr_assert_eq(igfx_logged(2, "(6 more since the last such line)"), 1);
  assert_no_bare_codes();
}

Test(oldq, another_querier_is_named_at_once) {
  v2_query(LOW);
  igfx_advance(1000);
  v2_query(LOW2);
  cr_assert_eq(igfx_logged(2, "IGMPv2 querier 10.0.2.1 "), 1);
  cr_assert_eq(igfx_logged(2, "IGMPv2 querier 10.0.2.2 "), 1);
}

/* ---- Sending -------------------------------------------------------- */

TestSuite(tx, .fini = igfx_stop);

Test(tx, link_down_is_not_a_backend_that_cannot_send) {
  struct mgm_igmp_counters c;

  start_v3();
  igfx_advance(1000);
  igfx_log_clear();
  cr_assert_eq(libmgm_sim_if_set_up(2, FALSE), NO_ERROR);
  igfx_advance(31250 + 125000); /* the second startup query and the next */
  c = cnt(2);
  cr_assert_eq(c.tx_errors, 2, "tx_errors %llu",
               (unsigned long long)c.tx_errors);
  cr_assert_eq(igfx_logged(2, "eth2: cannot send IGMP messages: "
                              "ERROR_INVALID_PARAMETER (87): the interface "
                              "is down"),
               1);
  cr_assert_eq(igfx_logged(0, "ERROR_NOT_SUPPORTED"), 0);
  cr_assert_eq(igfx_logged(0, "no queries go out"), 0);
  cr_assert_eq(libmgm_sim_if_set_up(2, TRUE), NO_ERROR);
  igfx_advance(125000);
  cr_assert_eq(cnt(2).tx_queries, c.tx_queries + 1, "queries resumed");
  cr_assert_eq(igfx_logged(4, "eth2: IGMP messages go out again (2 could not "
                              "be sent)"),
               1);
  assert_no_bare_codes();
}

static DWORD no_send(void *ctx, DWORD ifindex, DWORD dst, const BYTE *msg,
                     DWORD len) {
  (void)ctx;
  (void)ifindex;
  (void)dst;
  (void)msg;
  (void)len;
  return ERROR_NOT_SUPPORTED;
}

Test(tx, a_host_that_cannot_send_is_said_once) {
  struct mgm_igmp_config c;
  struct mgm_igmp_io io;

  igfx_config(&c);
  igfx_fill_io(&io);
  io.send = no_send;
  c.io = &io;
  igfx_start(&c);
  igfx_add(2, MGM_IGMP_ROLE_DOWNSTREAM);
  igfx_add(3, MGM_IGMP_ROLE_DOWNSTREAM);
  igfx_advance(31250);
  cr_assert_eq(cnt(0).tx_errors, 4);
  cr_assert_eq(igfx_logged(2, "cannot send IGMP messages: ERROR_NOT_SUPPORTED "
                              "(50)"),
               1);
  cr_assert_eq(igfx_logged(0, "interface is down"), 0);
  assert_no_bare_codes();
}

/* ---- Dropped packets ------------------------------------------------ */

static size_t report_pkt(uint8_t *p, int ttl) {
  uint8_t m[8];

  igfx_v12(m, 0x16, 0, G1);
  return igfx_ip(p, H1, G1, ttl, 1, m, 8);
}

TestSuite(drop, .init = start_v3, .fini = igfx_stop);

Test(drop, bad_checksum_is_a_limited_debug_line) {
  uint8_t p[64];
  size_t n = report_pkt(p, 1);
  int i;

  p[n - 1] ^= 1; /* IGMP checksum */
  for (i = 0; i < 3; i++)
    igfx_rx_raw(2, p, n);
  cr_assert_eq(igfx_logged(5, "eth2: IGMP packet from 10.0.2.100 dropped: bad "
                              "IGMP checksum"),
               1);
  igfx_advance(10000);
  igfx_rx_raw(2, p, n);
  cr_assert_eq(igfx_logged(5, "bad IGMP checksum (2 more since the last such "
                              "line)"),
               1);
  cr_assert_eq(cnt(2).rx_bad_checksum, 4);
}

Test(drop, ip_header_checksum_and_ttl_say_so) {
  uint8_t p[64];
  size_t n = report_pkt(p, 1);

  p[10] ^= 0x55;
  igfx_rx_raw(2, p, n);
  n = report_pkt(p, 64);
  igfx_rx_raw(2, p, n);
  cr_assert_eq(igfx_logged(5, "dropped: bad IP header checksum"), 1);
  cr_assert_eq(igfx_logged(5, "eth2: IGMP packet from 10.0.2.100 dropped: IP "
                              "TTL 64, not 1"),
               1);
}

Test(drop, packets_of_an_interface_never_added_are_named_too) {
  uint8_t p[64];
  size_t n = report_pkt(p, 2);

  igfx_rx_raw(3, p, n);
  cr_assert_eq(igfx_logged(5, "eth3: IGMP packet from 10.0.2.100 dropped: IP "
                              "TTL 2"),
               1);
}

static void start_v2(void) {
  struct mgm_igmp_config c;

  igfx_config(&c);
  c.version = 2;
  igfx_start(&c);
  igfx_add(2, MGM_IGMP_ROLE_DOWNSTREAM);
}

TestSuite(drop_v2, .init = start_v2, .fini = igfx_stop);

Test(drop_v2, v3_report_on_a_v2_router_says_the_version) {
  DWORD s[1] = {S1};

  igfx_v3_record(2, H1, 1, G1, s, 1);
  igfx_v3_record(2, H1, 1, G1, s, 1);
  cr_assert_eq(igfx_logged(5, "eth2: IGMPv3 report from 10.0.2.100 ignored: "
                              "this router runs IGMPv2"),
               1);
  cr_assert_eq(igfx_members(PROTO_IP_IGMP), 0);
}
