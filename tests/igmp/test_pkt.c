/*
 * test_pkt.c - the IGMP component's packet handling: malformed, truncated,
 * wrongly summed and off-link packets are counted and dropped without any
 * effect; well-formed ones with options or trailing bytes are accepted;
 * what the component sends has correct checksums and RFC layouts.
 *
 * SPDX-License-Identifier: MIT
 */
#include "igfx_cr.h"
#include <string.h>

#include "igfx.h"

#define G1 ip4(239, 1, 1, 1)
#define H1 ip4(10, 0, 2, 100)

static void setup(void) {
  igfx_start(NULL);
  igfx_add(2, MGM_IGMP_ROLE_DOWNSTREAM);
}

static struct mgm_igmp_counters cnt(DWORD ifx) {
  struct mgm_igmp_counters c;

  cr_assert_eq(mgm_igmp_get_counters(ig, ifx, &c), NO_ERROR);
  return c;
}

/* A valid v2 report for G1 from H1, as a whole IPv4 packet. */
static size_t good(uint8_t *pkt) {
  uint8_t m[8];

  igfx_v12(m, 0x16, 0, G1);
  return igfx_ip(pkt, H1, G1, 1, 1, m, 8);
}

TestSuite(pkt, .init = setup, .fini = igfx_stop);

Test(pkt, good_packet_is_accepted) {
  uint8_t p[64];
  size_t n = good(p);

  igfx_rx_raw(2, p, n);
  cr_assert_eq(cnt(2).rx_reports, 1);
  cr_assert(igfx_member(PROTO_IP_IGMP, 0, G1, 2, NULL));
}

Test(pkt, truncated_and_malformed_are_counted_and_dropped) {
  uint8_t p[64], q[64];
  size_t n = good(p);
  struct mgm_igmp_counters c;

  /* shorter than an IP header */
  igfx_rx_raw(2, p, 12);
  /* IP total length says more than was captured */
  igfx_rx_raw(2, p, n - 1);
  /* IGMP part shorter than 8 bytes (total length and checksum consistent) */
  memcpy(q, p, n);
  q[2] = 0;
  q[3] = (uint8_t)(24 + 4);
  q[10] = q[11] = 0;
  {
    uint16_t ck = igfx_cksum(q, 24);

    q[10] = (uint8_t)(ck >> 8);
    q[11] = (uint8_t)ck;
  }
  igfx_rx_raw(2, q, 28);
  c = cnt(2);
  cr_assert_eq(c.rx_truncated, 3, "truncated %llu",
               (unsigned long long)c.rx_truncated);

  /* IP version 6 */
  memcpy(q, p, n);
  q[0] = 0x66;
  igfx_rx_raw(2, q, n);
  /* header length 4 words */
  memcpy(q, p, n);
  q[0] = 0x44;
  igfx_rx_raw(2, q, n);
  /* not IGMP (protocol 17) */
  memcpy(q, p, n);
  q[9] = 17;
  igfx_rx_raw(2, q, n);
  c = cnt(2);
  cr_assert_eq(c.rx_malformed, 3, "malformed %llu",
               (unsigned long long)c.rx_malformed);
  cr_assert_eq(c.rx_packets, 6);
  cr_assert_eq(c.rx_reports, 0);
  cr_assert_eq(igfx_members(PROTO_IP_IGMP), 0);
}

Test(pkt, bad_checksums_are_dropped) {
  uint8_t p[64], q[64];
  size_t n = good(p);

  memcpy(q, p, n);
  q[10] ^= 0x55; /* IP header checksum */
  igfx_rx_raw(2, q, n);
  memcpy(q, p, n);
  q[n - 1] ^= 0x01; /* group byte: IGMP checksum no longer matches */
  igfx_rx_raw(2, q, n);
  cr_assert_eq(cnt(2).rx_bad_checksum, 2);
  cr_assert_eq(igfx_members(PROTO_IP_IGMP), 0);
}

Test(pkt, ttl_other_than_1_is_dropped) {
  uint8_t m[8], p[64];
  size_t n;

  igfx_v12(m, 0x16, 0, G1);
  n = igfx_ip(p, H1, G1, 2, 1, m, 8);
  igfx_rx_raw(2, p, n);
  cr_assert_eq(cnt(2).rx_bad_ttl, 1);
  cr_assert_eq(igfx_members(PROTO_IP_IGMP), 0);
}

Test(pkt, no_router_alert_and_trailing_bytes_are_fine) {
  uint8_t m[8], p[64];
  size_t n;

  igfx_v12(m, 0x16, 0, G1);
  n = igfx_ip(p, H1, G1, 1, 0, m, 8); /* no options */
  memset(p + n, 0xEE, 6);             /* link padding after total length */
  igfx_rx_raw(2, p, n + 6);
  cr_assert_eq(cnt(2).rx_reports, 1);
  cr_assert(igfx_member(PROTO_IP_IGMP, 0, G1, 2, NULL));
}

Test(pkt, v3_report_records_beyond_the_packet_are_truncated) {
  struct igfx_rep r;
  DWORD s[2] = {ip4(10, 9, 0, 1), ip4(10, 9, 0, 2)};

  igfx_rep_init(&r);
  igfx_rep_add(&r, 1, G1, s, 2);
  /* claim 3 records while there is one */
  r.nrec = 3;
  igfx_rep_done(&r);
  igfx_rx(2, H1, ip4(224, 0, 0, 22), r.buf, r.len);
  /* a record that claims more sources than present */
  igfx_rep_init(&r);
  igfx_rep_add(&r, 1, G1, s, 2);
  r.buf[8 + 3] = 9;
  igfx_rep_done(&r);
  igfx_rx(2, H1, ip4(224, 0, 0, 22), r.buf, r.len);
  cr_assert_eq(cnt(2).rx_truncated, 2);
  cr_assert_eq(igfx_members(PROTO_IP_IGMP), 0);
}

Test(pkt, odd_query_length_and_unknown_types_are_ignored) {
  uint8_t m[16];
  struct mgm_igmp_counters c;

  memset(m, 0, sizeof(m));
  m[0] = 0x11;
  m[1] = 100;
  m[2] = 0;
  m[3] = 0;
  {
    uint16_t ck = igfx_cksum(m, 10);

    m[2] = (uint8_t)(ck >> 8);
    m[3] = (uint8_t)ck;
  }
  igfx_rx(2, ip4(10, 0, 2, 1), ip4(224, 0, 0, 1), m, 10); /* 10 bytes */
  igfx_v12(m, 0x13, 0, 0);                                /* DVMRP */
  igfx_rx(2, ip4(10, 0, 2, 1), ip4(224, 0, 0, 4), m, 8);
  c = cnt(2);
  cr_assert_eq(c.rx_ignored, 2);
  cr_assert_eq(c.querier_changes, 0, "an ignored query must not elect");
}

Test(pkt, packets_on_unknown_interfaces_count_globally) {
  uint8_t p[64];
  size_t n = good(p);
  struct mgm_igmp_counters c;

  igfx_rx_raw(3, p, n);
  c = cnt(0);
  cr_assert_eq(c.rx_packets, 1);
  cr_assert_eq(c.rx_ignored, 1);
  cr_assert_eq(mgm_igmp_get_counters(ig, 3, &c), ERROR_NOT_FOUND);
  cr_assert_eq(igfx_members(PROTO_IP_IGMP), 0);
}

Test(pkt, sent_messages_have_valid_checksums_and_layout) {
  const struct igfx_tx *t = igfx_find(2, 0x11, 0);

  cr_assert_not_null(t, "no startup query");
  cr_assert_eq(t->len, 12);
  cr_assert_eq(igfx_cksum(t->msg, t->len), 0);
  cr_assert_eq(t->dst, ip4(224, 0, 0, 1));
  cr_assert_eq(t->msg[1], 100, "max resp code 100 = 10 s");
  cr_assert_eq(t->msg[8], 2, "S=0, QRV=2");
  cr_assert_eq(t->msg[9], 125, "QQIC 125");
  cr_assert_eq(t->msg[10] | t->msg[11], 0);
}
