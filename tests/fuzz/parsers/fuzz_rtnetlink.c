/*
 * fuzz_rtnetlink.c - libFuzzer target: one rtnetlink datagram through the
 * Linux backend's parsers (src/platform/linux/parse.c), walked the way
 * ifmon.c and route.c walk it, and the two requests it builds.
 *
 * SPDX-License-Identifier: MIT
 *
 * Input: byte 0, then the datagram; the request round trip (below) takes
 * its parameters from the first bytes of the input.  Every message the walker
 * returns goes through mgm__lnx_nl_header and through every body parser (link,
 * address, route, error), whatever its type: the backend picks one by type, but
 * each parser must survive any bytes.  Invariants:
 *  - the walk advances at every message, each message lies inside the
 *    datagram and is at least a netlink header long;
 *  - return codes are the documented ones; a parsed link has ifindex > 0
 *    and a name that is terminated and shorter than IFNAMSIZ; an address
 *    has ifindex != 0 and prefix length <= 32; a route dst_len <= 32; an
 *    error message's errno is in 0..4095;
 *  - the RTM_GETROUTE request built for (seq, dst) walks as one message of
 *    the returned length, with its type, flags and seq, and parses back as
 *    an AF_INET /32 route to dst; the dump requests walk as one message;
 *    a buffer below the request's size gives "truncated" and is not
 *    written past.
 */
#define _GNU_SOURCE 1

#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "fz.h"
#include "platform/linux/parse.h"

static void check_msg(const uint8_t *msg, size_t len) {
  struct mgm__lnx_nlhdr h;
  struct mgm__lnx_link lk;
  struct mgm__lnx_addr ad;
  struct mgm__lnx_route rt;
  int rc, err = -1;

  FZ_CHECK(mgm__lnx_nl_header(msg, len, &h) == 0, "header of %zu bytes", len);
  rc = mgm__lnx_parse_nlerr(msg, len, &err);
  FZ_CHECK(rc == 0 || rc == MGM__LNX_PE_TRUNC || rc == MGM__LNX_PE_BADLEN,
           "nlerr rc %d", rc);
  if (rc == 0)
    FZ_CHECK(err >= 0 && err <= 4095, "errno %d", err);
  rc = mgm__lnx_parse_link(msg, len, &lk);
  FZ_CHECK(rc <= 0 && rc >= MGM__LNX_PE_SKIP, "link rc %d", rc);
  FZ_CHECK(memchr(lk.name, '\0', sizeof(lk.name)) != NULL,
           "link name not terminated");
  if (rc == 0)
    FZ_CHECK(lk.ifindex > 0 && lk.ifindex <= 0x7fffffffu, "link ifindex %u",
             (unsigned)lk.ifindex);
  rc = mgm__lnx_parse_addr(msg, len, &ad);
  FZ_CHECK(rc <= 0 && rc >= MGM__LNX_PE_SKIP, "addr rc %d", rc);
  if (rc == 0)
    FZ_CHECK(ad.ifindex != 0 && ad.prefixlen <= 32, "addr if %u plen %u",
             (unsigned)ad.ifindex, ad.prefixlen);
  rc = mgm__lnx_parse_route(msg, len, &rt);
  FZ_CHECK(rc <= 0 && rc >= MGM__LNX_PE_SKIP, "route rc %d", rc);
  if (rc == 0)
    FZ_CHECK(rt.dst_len <= 32, "route dst_len %u", rt.dst_len);
  (void)h;
}

static void walk(const uint8_t *buf, size_t len) {
  const uint8_t *msg = NULL;
  size_t off = 0, prev, msglen = 0, n = 0;
  int rc;

  for (;;) {
    prev = off;
    rc = mgm__lnx_nl_next(buf, len, &off, &msg, &msglen);
    FZ_CHECK(rc == 1 || rc == 0 || rc == MGM__LNX_PE_TRUNC ||
                 rc == MGM__LNX_PE_BADLEN,
             "nl_next rc %d", rc);
    if (rc != 1)
      break;
    FZ_CHECK(off > prev && off <= len, "walk from %zu to %zu of %zu", prev, off,
             len);
    FZ_CHECK(msg == buf + prev, "message at %td, expected %zu", msg - buf,
             prev);
    FZ_CHECK(msglen >= sizeof(struct nlmsghdr) &&
                 fz_within(buf, len, msg, msglen),
             "message [%td, +%zu) in %zu bytes", msg - buf, msglen, len);
    FZ_CHECK(++n <= len / sizeof(struct nlmsghdr),
             "%zu messages in %zu "
             "bytes",
             n, len);
    fz_touch(msg, msglen);
    check_msg(msg, msglen);
  }
}

/* The requests the backend sends, read back by the parsers. */
static void round_trip(struct fz_in *in) {
  uint8_t buf[128], *exact;
  const uint8_t *msg = NULL;
  struct mgm__lnx_nlhdr h;
  struct mgm__lnx_route rt;
  size_t off = 0, msglen = 0, cap;
  uint32_t seq = fz_u32(in), dst = fz_u32(in);
  uint16_t type = fz_u8(in) & 1 ? RTM_GETADDR : RTM_GETLINK;
  int len, rc;

  len = mgm__lnx_build_getroute(buf, sizeof(buf), seq, dst);
  FZ_CHECK(len > 0 && (size_t)len <= sizeof(buf), "getroute len %d", len);
  /* Every smaller buffer is refused, and not written past. */
  cap = fz_u8(in) % (size_t)len;
  exact = malloc(cap ? cap : 1);
  if (exact != NULL) {
    rc = mgm__lnx_build_getroute(exact, cap, seq, dst);
    FZ_CHECK(rc == MGM__LNX_PE_TRUNC, "getroute into %zu bytes: %d", cap, rc);
    free(exact);
  }
  FZ_CHECK(mgm__lnx_nl_next(buf, (size_t)len, &off, &msg, &msglen) == 1 &&
               msg == buf && msglen == (size_t)len && off == (size_t)len,
           "getroute does not walk as one message");
  FZ_CHECK(mgm__lnx_nl_header(msg, msglen, &h) == 0 && h.type == RTM_GETROUTE &&
               h.flags == NLM_F_REQUEST && h.seq == seq,
           "getroute header: type %u flags %#x seq %u", h.type, h.flags,
           (unsigned)h.seq);
  rc = mgm__lnx_parse_route(msg, msglen, &rt);
  FZ_CHECK(rc == 0 && rt.dst == dst && rt.dst_len == 32,
           "getroute reads back as rc %d dst %#x/%u", rc, (unsigned)rt.dst,
           rt.dst_len);

  len = mgm__lnx_build_dump(buf, sizeof(buf), type, seq);
  off = 0;
  FZ_CHECK(len > 0 &&
               mgm__lnx_nl_next(buf, (size_t)len, &off, &msg, &msglen) == 1 &&
               msglen == (size_t)len && off == (size_t)len,
           "dump request (type %u) len %d", type, len);
  FZ_CHECK(mgm__lnx_nl_header(msg, msglen, &h) == 0 && h.type == type &&
               h.flags == (NLM_F_REQUEST | NLM_F_DUMP) && h.seq == seq,
           "dump header: type %u flags %#x", h.type, h.flags);
  FZ_CHECK(mgm__lnx_build_dump(buf, sizeof(buf), RTM_GETROUTE, seq) ==
               MGM__LNX_PE_BADTYPE,
           "dump of an unsupported type");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct fz_in in = {data, size, 0};
  uint8_t *buf;
  size_t len = size ? size - 1 : 0;

  buf = malloc(len ? len : 1);
  if (buf == NULL)
    return 0;
  if (len)
    memcpy(buf, data + 1, len);
  walk(buf, len);
  /* Round-trip parameters: the datagram's first bytes, after byte 0. */
  in.off = 0;
  in.p = data;
  round_trip(&in);
  free(buf);
  return 0;
}
