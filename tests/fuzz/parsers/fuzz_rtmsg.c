/*
 * fuzz_rtmsg.c - libFuzzer target: a buffer of BSD routing-socket messages
 * (read(2) from PF_ROUTE, or sysctl NET_RT_IFLIST) through the portable,
 * layout-driven parser of the BSD backend (src/platform/bsd/rtmsg.c), and
 * its RTM_GET request builder read back by the same parser.
 *
 * SPDX-License-Identifier: MIT
 *
 * Input: byte 0 picks the layout (FreeBSD, NetBSD, OpenBSD as documented
 * in tests/bsd/doc_layouts.h) and the output-buffer size of the builder;
 * the rest is the buffer.  Invariants, for every call of mgm__rtmsg_next
 * as ifmon.c and route.c make them (continue after an error):
 *  - the offset moves forward at every non-zero return and stays within
 *    the buffer; after "truncated" or "bad framing" it is the end; a
 *    message never claims more bytes than the offset moved;
 *  - return codes are the documented ones; kinds are the enum's; the
 *    interface name is terminated; only the decoded RTAX slots are marked
 *    as holding an IPv4 value; prefix lengths are 0..33; an RTA_IFP or
 *    link gateway index fits sdl_index (16 bits);
 *  - round trip: the RTM_GET request built for (dst, pid, seq, tableid)
 *    reads back as a route message of the layout's RTM_GET type and the
 *    built length, with those pid, seq and (OpenBSD) tableid, flags
 *    RTF_UP|RTF_HOST, RTA_DST|RTA_IFP announced and dst decoded.  (The
 *    request announces RTA_IFP without a sockaddr, which the kernels
 *    accept - they stop at the end of the message - and this parser
 *    reports as a missing sockaddr: so the return code may be
 *    MGM_RTM_ESADDR, with every field above still filled.)  Every smaller
 *    output buffer is refused and not written past.
 */
#include <string.h>

#include "doc_layouts.h"
#include "fz.h"
#include "platform/platform.h"

static struct mgm_rtm_layout lay[DOC_NOS];
static int lay_ready;

static void check_one(const struct mgm_rtm_layout *l,
                      const struct mgm_rtm_msg *m, int rc, size_t moved) {
  FZ_CHECK(rc == 1 || (rc <= MGM_RTM_ETRUNC && rc >= MGM_RTM_ESADDR),
           "%s: rc %d", l->name, rc);
  FZ_CHECK(m->kind >= MGM_RTM_OTHER && m->kind <= MGM_RTM_ROUTE, "kind %d",
           (int)m->kind);
  FZ_CHECK(memchr(m->name, '\0', sizeof(m->name)) != NULL,
           "name not terminated");
  FZ_CHECK((m->v4_have & ~((1u << MGM_RTAX_DECODED) - 1)) == 0, "v4_have %#x",
           (unsigned)m->v4_have);
  FZ_CHECK(m->prefixlen <= 33, "prefixlen %u", m->prefixlen);
  FZ_CHECK(m->ifp_index <= 0xffff && m->gw_link_index <= 0xffff &&
               m->ifindex <= 0xffff && m->tableid <= 0xffff,
           "16-bit index fields: %u %u %u %u", (unsigned)m->ifp_index,
           (unsigned)m->gw_link_index, (unsigned)m->ifindex,
           (unsigned)m->tableid);
  FZ_CHECK((m->mgm_flags & ~(MGM_IFF_UP | MGM_IFF_RUNNING | MGM_IFF_MULTICAST |
                             MGM_IFF_LOOPBACK)) == 0,
           "mgm_flags %#x", (unsigned)m->mgm_flags);
  FZ_CHECK(m->departure == 0 || m->departure == 1, "departure %d",
           m->departure);
  if (rc == 1 || rc <= MGM_RTM_EVERSION)
    FZ_CHECK(m->msglen >= 4 && m->msglen == moved,
             "msglen %u, offset moved %zu", m->msglen, moved);
}

static void walk(const struct mgm_rtm_layout *l, const uint8_t *buf,
                 size_t len) {
  struct mgm_rtm_msg m;
  size_t off = 0, prev, n = 0;
  int rc;

  for (;;) {
    prev = off;
    rc = mgm__rtmsg_next(l, buf, len, &off, &m);
    if (rc == 0) {
      FZ_CHECK(prev >= len && off == prev, "end at %zu of %zu", off, len);
      break;
    }
    FZ_CHECK(off > prev && off <= len,
             "%s: offset %zu -> %zu of %zu "
             "(rc %d)",
             l->name, prev, off, len, rc);
    if (rc == MGM_RTM_ETRUNC || rc == MGM_RTM_EFRAME)
      FZ_CHECK(off == len, "framing error leaves offset %zu of %zu", off, len);
    check_one(l, &m, rc, off - prev);
    FZ_CHECK(++n <= len / 4 + 1, "%zu messages in %zu bytes", n, len);
  }
}

static void round_trip(const struct mgm_rtm_layout *l, struct fz_in *in,
                       size_t capsel) {
  uint8_t buf[512], *small;
  struct mgm_rtm_msg m;
  uint32_t dst = fz_u32(in);
  int32_t pid = (int32_t)fz_u32(in), seq = (int32_t)fz_u32(in);
  uint16_t table = fz_u16(in);
  size_t off = 0, cap;
  int len, rc;

  len = mgm__rtmsg_build_get(l, buf, sizeof(buf), dst, pid, seq, table);
  FZ_CHECK(len > 0 && (size_t)len <= sizeof(buf), "%s: build_get %d", l->name,
           len);
  cap = capsel % (size_t)len;
  small = malloc(cap ? cap : 1);
  if (small != NULL) {
    rc = mgm__rtmsg_build_get(l, small, cap, dst, pid, seq, table);
    FZ_CHECK(rc == MGM_RTM_ESPACE, "build_get into %zu bytes: %d", cap, rc);
    free(small);
  }
  rc = mgm__rtmsg_next(l, buf, (size_t)len, &off, &m);
  FZ_CHECK(rc == 1 || rc == MGM_RTM_ESADDR, "%s: request reads back as %d",
           l->name, rc);
  FZ_CHECK(off == (size_t)len && m.msglen == (size_t)len &&
               m.kind == MGM_RTM_ROUTE && m.type == l->t_get,
           "%s: request reads back as kind %d type %u msglen %u", l->name,
           (int)m.kind, m.type, m.msglen);
  FZ_CHECK(m.pid == pid && m.seq == seq && m.err == 0,
           "pid %d/%d seq %d/%d errno %d", m.pid, pid, m.seq, seq, m.err);
  FZ_CHECK(m.tableid == (l->rtm.off_tableid != MGM_RTM_NONE ? table : 0),
           "tableid %u, sent %u", (unsigned)m.tableid, table);
  FZ_CHECK((uint32_t)m.flags == (l->rtf_up | l->rtf_host) &&
               m.addrs == (0x1 | 0x10),
           "flags %#x addrs %#x", (unsigned)m.flags, (unsigned)m.addrs);
  FZ_CHECK((m.v4_have & (1u << MGM_RTAX_DST)) && m.v4[MGM_RTAX_DST] == dst,
           "dst %#x, sent %#x", (unsigned)m.v4[MGM_RTAX_DST], (unsigned)dst);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct fz_in in = {data, size, 1};
  const struct mgm_rtm_layout *l;
  uint8_t *buf;
  size_t len = size ? size - 1 : 0;
  int os;

  if (!lay_ready) {
    for (os = 0; os < DOC_NOS; os++) {
      doc_rtm_layout((enum doc_os)os, &lay[os]);
      FZ_CHECK(mgm__rtmsg_check_layout(&lay[os]) == 0, "layout %d", os);
    }
    lay_ready = 1;
  }
  l = &lay[(size ? data[0] : 0) % DOC_NOS];
  buf = malloc(len ? len : 1);
  if (buf == NULL)
    return 0;
  if (len)
    memcpy(buf, data + 1, len);
  walk(l, buf, len);
  round_trip(l, &in, size ? data[0] / DOC_NOS : 0);
  free(buf);
  return 0;
}
