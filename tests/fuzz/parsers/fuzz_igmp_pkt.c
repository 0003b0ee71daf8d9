/*
 * fuzz_igmp_pkt.c - libFuzzer target: one IPv4 packet through the IGMP
 * component's parser (src/igmp/pkt.c: ig_parse, ig_rec_next), and its
 * message builders read back by that parser.
 *
 * SPDX-License-Identifier: MIT
 *
 * Input: byte 0 holds flags - bit 0: fix both checksums before parsing
 * (where the lengths allow), so that the fuzzer gets past them; bit 1:
 * require TTL 1 - and the rest is the packet.  Invariants:
 *  - the result is an enum ig_parse_rc value; PK_OK only for the five
 *    IGMP message types, with TTL 1 when required;
 *  - a query is version 1, 2 or 3; a v3 query's source list lies inside
 *    the packet;
 *  - a v3 report's nrec records all come out of ig_rec_next (which
 *    re-checks them), each inside the record area, and every source and
 *    auxiliary byte is read (ASan);
 *  - the RFC 3376 4.1.1 code: decode(encode(v)) <= v < decode(next code)
 *    and encode(decode(c)) == c (Max Resp Code rounds down); rounded up
 *    for QQIC (4.1.7): decode(previous code) < v <= decode(encode_up(v)),
 *    0xFF beyond the largest value, and encode_up(decode(c)) == c;
 *  - round trip: a v1/v2 message, a v3 query and a v3 report built from
 *    input-derived values, wrapped in an IP header, parse back to the same
 *    values; a query's QQI is never below the interval it was built with
 *    (up to the largest QQIC value).
 */
#include <string.h>

#include "fz.h"
#include "igmp_int.h"

static uint16_t be16(const uint8_t *p) {
  return (uint16_t)(((uint16_t)p[0] << 8) | p[1]);
}

static void put_ck(uint8_t *p, size_t at, const uint8_t *from, size_t len) {
  uint16_t c;

  p[at] = p[at + 1] = 0;
  c = ig_cksum(from, len);
  p[at] = (uint8_t)(c >> 8);
  p[at + 1] = (uint8_t)c;
}

static void fix_checksums(uint8_t *p, size_t len) {
  size_t ihl, tot;

  if (len < 20)
    return;
  ihl = (size_t)(p[0] & 0x0f) * 4;
  if (ihl < 20 || ihl > len)
    return;
  put_ck(p, 10, p, ihl);
  tot = be16(p + 2);
  if (tot >= ihl + 4 && tot <= len)
    put_ck(p, ihl + 2, p + ihl, tot - ihl);
}

static void check_parsed(const uint8_t *p, size_t len, int ttl1, int rc,
                         const struct ig_pkt *pk) {
  struct ig_rec r;
  size_t off = 0;
  uint32_t i;

  FZ_CHECK(rc >= PK_OK && rc <= PK_IGNORED, "rc %d", rc);
  if (rc != PK_OK)
    return;
  FZ_CHECK(pk->type == IGMP_QUERY || pk->type == IGMP_V1_REPORT ||
               pk->type == IGMP_V2_REPORT || pk->type == IGMP_V2_LEAVE ||
               pk->type == IGMP_V3_REPORT,
           "accepted type %#x", pk->type);
  FZ_CHECK(!ttl1 || pk->ttl == 1, "TTL %u accepted with require_ttl1", pk->ttl);
  if (pk->type == IGMP_QUERY) {
    FZ_CHECK(pk->qver >= 1 && pk->qver <= 3, "query version %d", pk->qver);
    if (pk->qver == 3 && pk->nsrc > 0) {
      FZ_CHECK(pk->srcs != NULL &&
                   fz_within(p, len, pk->srcs, (size_t)pk->nsrc * 4),
               "%u query sources outside the packet", (unsigned)pk->nsrc);
      fz_touch(pk->srcs, (size_t)pk->nsrc * 4);
    }
  }
  if (pk->type != IGMP_V3_REPORT)
    return;
  FZ_CHECK(fz_within(p, len, pk->recs, pk->recs_len),
           "record area outside the packet");
  for (i = 0; i < pk->nrec; i++) {
    FZ_CHECK(ig_rec_next(pk, &off, &r) == 1,
             "record %u of %u refused by ig_rec_next", (unsigned)i,
             (unsigned)pk->nrec);
    FZ_CHECK(off <= pk->recs_len, "record walk at %zu of %zu", off,
             pk->recs_len);
    FZ_CHECK(fz_within(pk->recs, pk->recs_len, r.srcs, (size_t)r.nsrc * 4),
             "record %u: %u sources outside the record area", (unsigned)i,
             (unsigned)r.nsrc);
    fz_touch(r.srcs, (size_t)r.nsrc * 4);
  }
  fz_touch(pk->recs, off);
}

static void check_codes(struct fz_in *in) {
  uint8_t c = fz_u8(in);
  uint32_t v = fz_u32(in) % (ig_code_decode(0xff) + 1000u);
  uint8_t e = ig_code_encode(v);

  FZ_CHECK(ig_code_encode(ig_code_decode(c)) == c, "code %#x -> %u -> %#x", c,
           (unsigned)ig_code_decode(c), ig_code_encode(ig_code_decode(c)));
  FZ_CHECK(ig_code_decode(e) <= v || v < ig_code_decode(0),
           "encode(%u) = %#x decodes to %u", (unsigned)v, e,
           (unsigned)ig_code_decode(e));
  if (e < 0xff)
    FZ_CHECK(ig_code_decode((uint8_t)(e + 1)) > v,
             "encode(%u) = %#x is not the largest code not above it",
             (unsigned)v, e);
  FZ_CHECK(ig_code_encode_up(ig_code_decode(c)) == c,
           "code %#x -> %u -> up %#x", c, (unsigned)ig_code_decode(c),
           ig_code_encode_up(ig_code_decode(c)));
  e = ig_code_encode_up(v);
  if (v > ig_code_decode(0xff))
    FZ_CHECK(e == 0xff, "encode_up(%u) = %#x beyond the largest value",
             (unsigned)v, e);
  else
    FZ_CHECK(ig_code_decode(e) >= v &&
                 (e == 0 || ig_code_decode((uint8_t)(e - 1)) < v),
             "encode_up(%u) = %#x (%u) is not the smallest code not below it",
             (unsigned)v, e, (unsigned)ig_code_decode(e));
}

/* An IP header (ihl 6: router alert) around an IGMP message. */
static size_t wrap(uint8_t *out, const uint8_t *msg, size_t n) {
  size_t tot = 24 + n;

  memset(out, 0, 24);
  out[0] = 0x46;
  out[2] = (uint8_t)(tot >> 8);
  out[3] = (uint8_t)tot;
  out[8] = 1;
  out[9] = 2;
  out[12] = 10;
  out[15] = 7;
  out[16] = 224;
  out[19] = 1;
  out[20] = 0x94;
  out[21] = 4;
  memcpy(out + 24, msg, n);
  put_ck(out, 10, out, 24);
  return tot;
}

static void round_trip_query(struct fz_in *in) {
  static uint8_t msg[IG_MAX_MSG], pkt[IG_MAX_MSG + 24];
  uint32_t srcs[64], n = fz_u8(in) % 65, i, group = fz_u32(in);
  uint32_t mr = fz_u32(in) % 3174401u, qrv = fz_u8(in) % 9,
           qqi = fz_u16(in) % 40000u;
  int sflag = fz_u8(in) & 1;
  struct ig_pkt pk;
  size_t len;
  int rc;

  for (i = 0; i < n; i++)
    srcs[i] = fz_u32(in);
  len = ig_build_v3_query(msg, mr, group, sflag, qrv, qqi, srcs, n);
  FZ_CHECK(len == 12 + 4 * (size_t)n, "query of %u sources: %zu bytes",
           (unsigned)n, len);
  len = wrap(pkt, msg, len);
  rc = ig_parse(pkt, len, 1, &pk);
  FZ_CHECK(rc == PK_OK && pk.type == IGMP_QUERY && pk.qver == 3,
           "built query parses as rc %d type %#x v%d", rc, pk.type, pk.qver);
  FZ_CHECK(pk.group == group && pk.sflag == sflag &&
               pk.qrv == (qrv <= 7 ? qrv : 0) && pk.nsrc == n,
           "query fields: group %#x/%#x s %d/%d qrv %u/%u n %u/%u",
           (unsigned)pk.group, (unsigned)group, pk.sflag, sflag, pk.qrv,
           (unsigned)qrv, (unsigned)pk.nsrc, (unsigned)n);
  FZ_CHECK(pk.max_resp_ms == ig_code_decode(ig_code_encode(mr / 100)) * 100u &&
               pk.qqi_s == ig_code_decode(ig_code_encode_up(qqi)) &&
               (pk.qqi_s >= qqi || qqi > ig_code_decode(0xff)),
           "query times: %u ms (sent %u), qqi %u (sent %u)",
           (unsigned)pk.max_resp_ms, (unsigned)mr, (unsigned)pk.qqi_s,
           (unsigned)qqi);
  for (i = 0; i < n; i++)
    FZ_CHECK(ig_get32(pk.srcs + 4 * i) == srcs[i], "query source %u",
             (unsigned)i);
}

static void round_trip_v12(struct fz_in *in) {
  static const uint8_t types[] = {IGMP_QUERY, IGMP_V1_REPORT, IGMP_V2_REPORT,
                                  IGMP_V2_LEAVE};
  uint8_t msg[8], pkt[32], type = types[fz_u8(in) % 4], code = fz_u8(in);
  uint32_t group = fz_u32(in);
  struct ig_pkt pk;
  int rc;

  FZ_CHECK(ig_build_v12(msg, type, code, group) == 8, "v1/v2 length");
  rc = ig_parse(pkt, wrap(pkt, msg, 8), 1, &pk);
  FZ_CHECK(rc == PK_OK && pk.type == type && pk.group == group,
           "built %#x parses as rc %d type %#x group %#x", type, rc, pk.type,
           (unsigned)pk.group);
  if (type == IGMP_QUERY)
    FZ_CHECK(pk.qver == (code ? 2 : 1) &&
                 pk.max_resp_ms == (code ? code * 100u : 10000u),
             "query code %u: v%d, %u ms", code, pk.qver,
             (unsigned)pk.max_resp_ms);
}

static void round_trip_report(struct fz_in *in) {
  static struct ig_v3b b;
  static uint8_t pkt[IG_MAX_MSG + 24];
  struct {
    uint8_t type;
    uint32_t group, n, first;
  } want[16];
  uint32_t srcs[400], nrec = fz_u8(in) % 17, i, k, n;
  struct ig_pkt pk;
  struct ig_rec r;
  size_t len, off = 0, room;
  int rc;

  ig_v3b_init(&b);
  for (i = 0; i < nrec; i++) {
    room = ig_v3b_room(&b);
    n = fz_u16(in) % 400u;
    if (n > room)
      n = (uint32_t)room;
    want[i].type = fz_u8(in);
    want[i].group = fz_u32(in);
    want[i].n = n;
    want[i].first = fz_u32(in);
    for (k = 0; k < n; k++)
      srcs[k] = want[i].first + k;
    if (b.len + 8 + 4 * (size_t)n > IG_MAX_MSG)
      break; /* no room even for an empty record */
    ig_v3b_add(&b, want[i].type, want[i].group, srcs, n);
  }
  nrec = i;
  len = ig_v3b_finish(&b);
  FZ_CHECK(len <= IG_MAX_MSG && b.nrec == nrec,
           "report of %zu bytes, %u "
           "records",
           len, (unsigned)b.nrec);
  len = wrap(pkt, b.buf, len);
  rc = ig_parse(pkt, len, 1, &pk);
  FZ_CHECK(rc == PK_OK && pk.type == IGMP_V3_REPORT && pk.nrec == nrec,
           "built report parses as rc %d type %#x nrec %u/%u", rc, pk.type,
           (unsigned)pk.nrec, (unsigned)nrec);
  for (i = 0; i < nrec; i++) {
    FZ_CHECK(ig_rec_next(&pk, &off, &r) == 1, "built record %u refused",
             (unsigned)i);
    FZ_CHECK(r.type == want[i].type && r.group == want[i].group &&
                 r.nsrc == want[i].n,
             "record %u: type %u/%u group %#x/%#x n %u/%u", (unsigned)i, r.type,
             want[i].type, (unsigned)r.group, (unsigned)want[i].group,
             (unsigned)r.nsrc, (unsigned)want[i].n);
    for (k = 0; k < r.nsrc; k++)
      FZ_CHECK(ig_get32(r.srcs + 4 * k) == want[i].first + k,
               "record %u source %u", (unsigned)i, (unsigned)k);
  }
  FZ_CHECK(off == pk.recs_len, "records end at %zu of %zu", off, pk.recs_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct fz_in in = {data, size, 0};
  struct ig_pkt pk;
  uint8_t flags = size ? data[0] : 0, *p;
  size_t len = size ? size - 1 : 0;
  int rc;

  p = malloc(len ? len : 1);
  if (p == NULL)
    return 0;
  if (len)
    memcpy(p, data + 1, len);
  if (flags & 1)
    fix_checksums(p, len);
  rc = ig_parse(p, len, (flags & 2) != 0, &pk);
  check_parsed(p, len, (flags & 2) != 0, rc, &pk);
  free(p);
  in.off = 1;
  check_codes(&in);
  round_trip_v12(&in);
  round_trip_query(&in);
  round_trip_report(&in);
  return 0;
}
