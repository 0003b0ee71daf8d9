/*
 * pkt.c - IGMP message parsing and building for the IGMP component.
 *
 * SPDX-License-Identifier: MIT
 *
 * Written from RFC 1112 appendix I, RFC 2236 2 and RFC 3376 4.  The parser
 * takes a whole IPv4 packet as the router socket delivered it and trusts
 * none of it: every length is checked against the captured length before
 * a byte is read, both checksums are verified, and the result says why a
 * packet was refused so the caller can count it.  The builders produce
 * IGMP messages (no IP header) with correct checksums; the IP header with
 * TTL 1 and router alert is the sender's job.  Pure functions, no state.
 */
#include <string.h>

#include "igmp_int.h"

uint16_t ig_cksum(const uint8_t *p, size_t len) {
  uint32_t sum = 0;
  size_t i;

  for (i = 0; i + 1 < len; i += 2)
    sum += ((uint32_t)p[i] << 8) | p[i + 1];
  if (len & 1)
    sum += (uint32_t)p[len - 1] << 8;
  while (sum >> 16)
    sum = (sum & 0xFFFF) + (sum >> 16);
  return (uint16_t)~sum;
}

uint32_t ig_code_decode(uint8_t code) {
  uint32_t mant = code & 0x0F, exp = (code >> 4) & 0x07;

  return code < 128 ? code : (mant | 0x10) << (exp + 3);
}

/* Largest representable value not above v (RFC 3376 4.1.1): for Max
 * Resp Code, where a host must answer within the time we wait. */
uint8_t ig_code_encode(uint32_t v) {
  uint32_t exp, m;
  uint8_t code = 0xFF;

  if (v < 128) {
    code = (uint8_t)v;
  } else {
    for (exp = 0; exp < 8; exp++) {
      m = v >> (exp + 3);
      if (m < 32) {
        code = (uint8_t)(0x80 | (exp << 4) | (m & 0x0F));
        break;
      }
    }
  }
  return code;
}

/* Smallest representable value not below v (RFC 3376 4.1.7): for QQIC,
 * which other routers adopt as their query interval, so that they never
 * time groups out before this router would; 0xFF above the largest. */
uint8_t ig_code_encode_up(uint32_t v) {
  uint8_t code = ig_code_encode(v);

  if (ig_code_decode(code) < v && code < 0xFF)
    code++;
  return code;
}

uint32_t mgm_igmp_qqi_advertised(uint32_t query_interval_s) {
  return ig_code_decode(ig_code_encode_up(query_interval_s));
}

static uint16_t get16(const uint8_t *p) {
  return (uint16_t)(((uint16_t)p[0] << 8) | p[1]);
}

static int parse_igmp(const uint8_t *m, size_t len, struct ig_pkt *o) {
  int rc = PK_OK;
  size_t off;
  uint32_t i;

  o->type = m[0];
  switch (m[0]) {
  case IGMP_QUERY:
    o->group = ig_get32(m + 4);
    if (len == 8) {
      o->qver = m[1] == 0 ? 1 : 2;
      o->max_resp_ms = m[1] == 0 ? 10000u : (uint32_t)m[1] * 100u;
    } else if (len < 12) {
      rc = PK_IGNORED; /* RFC 3376 7.1: silently ignored */
      o->why = "a query of 9 to 11 bytes";
    } else {
      o->qver = 3;
      o->max_resp_ms = ig_code_decode(m[1]) * 100u;
      o->sflag = (m[8] & 0x08) != 0;
      o->qrv = m[8] & 0x07;
      o->qqi_s = ig_code_decode(m[9]);
      o->nsrc = get16(m + 10);
      if (12 + (size_t)o->nsrc * 4 > len) {
        rc = PK_TRUNCATED;
        o->why = "query sources beyond the message";
      } else {
        o->srcs = m + 12;
      }
    }
    break;
  case IGMP_V1_REPORT:
  case IGMP_V2_REPORT:
  case IGMP_V2_LEAVE:
    o->group = ig_get32(m + 4);
    break;
  case IGMP_V3_REPORT:
    o->nrec = get16(m + 6);
    o->recs = m + 8;
    o->recs_len = len - 8;
    off = 8;
    for (i = 0; i < o->nrec && rc == PK_OK; i++) {
      size_t rl;

      if (off + 8 > len) {
        rc = PK_TRUNCATED;
        break;
      }
      rl = 8 + (size_t)get16(m + off + 2) * 4 + (size_t)m[off + 1] * 4;
      if (off + rl > len)
        rc = PK_TRUNCATED;
      off += rl;
    }
    if (rc == PK_TRUNCATED)
      o->why = "report records beyond the message";
    break;
  default:
    rc = PK_IGNORED; /* DVMRP, PIMv1, mtrace...: not ours */
    o->why = "an IGMP type this component does not use";
    break;
  }
  return rc;
}

int ig_parse(const uint8_t *p, size_t len, int require_ttl1, struct ig_pkt *o) {
  size_t ihl, tot;
  int rc = PK_OK;

  memset(o, 0, sizeof(*o));
  if (p == NULL || len < 20) {
    rc = PK_TRUNCATED;
    o->why = "shorter than an IPv4 header";
    goto out;
  }
  ihl = (size_t)(p[0] & 0x0F) * 4;
  tot = get16(p + 2);
  /* what a log line about a refused packet can say about it */
  o->ttl = p[8];
  o->src = ig_get32(p + 12);
  o->dst = ig_get32(p + 16);
  if ((p[0] >> 4) != 4 || ihl < 20) {
    rc = PK_MALFORMED;
    o->why = "not an IPv4 header";
  } else if (ihl > len || tot > len) {
    rc = PK_TRUNCATED;
    o->why = "shorter than its IP lengths say";
  } else if (tot < ihl) {
    rc = PK_MALFORMED;
    o->why = "IP total length below the header length";
  } else if ((p[6] & 0x3F) != 0 || p[7] != 0) {
    rc = PK_MALFORMED; /* a fragment: IGMP is never fragmented */
    o->why = "an IP fragment";
  } else if (p[9] != 2) {
    rc = PK_MALFORMED;
    o->why = "not IGMP";
  } else if (ig_cksum(p, ihl) != 0) {
    rc = PK_BADSUM;
    o->why = "bad IP header checksum";
  } else if (require_ttl1 && p[8] != 1) {
    rc = PK_BADTTL;
    o->why = "IP TTL is not 1 (require-ttl1)";
  } else if (tot - ihl < 8) {
    rc = PK_TRUNCATED;
    o->why = "IGMP message shorter than 8 bytes";
  } else if (ig_cksum(p + ihl, tot - ihl) != 0) {
    rc = PK_BADSUM;
    o->why = "bad IGMP checksum";
  } else {
    rc = parse_igmp(p + ihl, tot - ihl, o);
  }
out:
  return rc;
}

int ig_rec_next(const struct ig_pkt *pk, size_t *off, struct ig_rec *r) {
  const uint8_t *m = pk->recs + *off;
  size_t rl;
  int ok = 0;

  /* ig_parse checked every record; re-check anyway, it is cheap. */
  if (*off + 8 <= pk->recs_len) {
    r->type = m[0];
    r->nsrc = get16(m + 2);
    r->group = ig_get32(m + 4);
    r->srcs = m + 8;
    rl = 8 + (size_t)r->nsrc * 4 + (size_t)m[1] * 4;
    if (*off + rl <= pk->recs_len) {
      *off += rl;
      ok = 1;
    }
  }
  return ok;
}

static void put16(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static void fix_cksum(uint8_t *m, size_t len) {
  m[2] = m[3] = 0;
  put16(m + 2, ig_cksum(m, len));
}

size_t ig_build_v12(uint8_t *buf, uint8_t type, uint8_t code, uint32_t group) {
  buf[0] = type;
  buf[1] = code;
  ig_put32(buf + 4, group);
  fix_cksum(buf, 8);
  return 8;
}

size_t ig_build_v3_query(uint8_t *buf, uint32_t max_resp_ms, uint32_t group,
                         int sflag, uint32_t qrv, uint32_t qqi_s,
                         const uint32_t *srcs, uint32_t n) {
  uint32_t i;
  size_t len;

  if (n > IG_MAX_QSRC)
    n = IG_MAX_QSRC;
  buf[0] = IGMP_QUERY;
  buf[1] = ig_code_encode(max_resp_ms / 100);
  ig_put32(buf + 4, group);
  buf[8] = (uint8_t)((sflag ? 0x08 : 0) | (qrv <= 7 ? qrv : 0));
  buf[9] = ig_code_encode_up(qqi_s);
  put16(buf + 10, n);
  for (i = 0; i < n; i++)
    ig_put32(buf + 12 + 4 * i, srcs[i]);
  len = 12 + 4 * (size_t)n;
  fix_cksum(buf, len);
  return len;
}

void ig_v3b_init(struct ig_v3b *b) {
  memset(b->buf, 0, 8);
  b->buf[0] = IGMP_V3_REPORT;
  b->len = 8;
  b->nrec = 0;
}

size_t ig_v3b_room(const struct ig_v3b *b) {
  return b->len + 8 <= IG_MAX_MSG ? (IG_MAX_MSG - b->len - 8) / 4 : 0;
}

/* The caller checked that a record of n sources fits (ig_v3b_room). */
void ig_v3b_add(struct ig_v3b *b, uint8_t type, uint32_t group,
                const uint32_t *srcs, uint32_t n) {
  uint8_t *r = b->buf + b->len;
  uint32_t i;

  r[0] = type;
  r[1] = 0;
  put16(r + 2, n);
  ig_put32(r + 4, group);
  for (i = 0; i < n; i++)
    ig_put32(r + 8 + 4 * i, srcs[i]);
  b->len += 8 + 4 * (size_t)n;
  b->nrec++;
}

size_t ig_v3b_finish(struct ig_v3b *b) {
  put16(b->buf + 6, b->nrec);
  fix_cksum(b->buf, b->len);
  return b->len;
}
