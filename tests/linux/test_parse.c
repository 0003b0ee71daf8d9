/*
 * test_parse.c - unit tests of the Linux backend's byte-buffer parsers
 * (src/platform/linux/parse.c) with byte fixtures.
 *
 * SPDX-License-Identifier: MIT
 *
 * Valid igmpmsg upcalls, IGMP packets and rtnetlink link/address/route/
 * error messages parse to the right fields; every truncation, bad length,
 * bad header and unknown type is reported as an error; and no input at all
 * (every prefix of every fixture, random bytes, random mutations of valid
 * messages) makes a parser read out of bounds or crash.  Run under ASan
 * (LIBMGM_SANITIZE=address) to make "no out-of-bounds read" a hard check.
 */
#define _GNU_SOURCE 1

#include "platform/linux/parse.h"

#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

/* ---- fixture builders ---------------------------------------------------- */

static uint32_t ip(const char *s) {
  struct in_addr a;

  cr_assert_eq(inet_pton(AF_INET, s, &a), 1);
  return a.s_addr;
}

/* A NOCACHE-style upcall as the kernel builds it: the 20-byte IP header
 * copy with TTL := msgtype and protocol := 0, then an 8-byte IGMP header. */
static size_t mk_upcall(uint8_t *b, uint8_t type, uint16_t vif, const char *src,
                        const char *grp) {
  uint32_t s = ip(src);
  uint32_t g = ip(grp);

  memset(b, 0, 28);
  b[0] = 0x45;
  b[3] = 28;
  b[8] = type;
  b[9] = 0;
  b[10] = (uint8_t)(vif & 0xff);
  b[11] = (uint8_t)(vif >> 8);
  memcpy(b + 12, &s, 4);
  memcpy(b + 16, &g, 4);
  b[20] = type;
  return 28;
}

/* An IGMPv2 report with a router-alert option (ihl 6). */
static size_t mk_igmp(uint8_t *b) {
  uint32_t s = ip("10.2.0.2");
  uint32_t g = ip("239.1.1.1");

  memset(b, 0, 32);
  b[0] = 0x46;
  b[2] = 0;
  b[3] = 32;
  b[8] = 1;
  b[9] = 2; /* IPPROTO_IGMP */
  memcpy(b + 12, &s, 4);
  memcpy(b + 16, &g, 4);
  b[20] = 0x94; /* router alert */
  b[21] = 4;
  b[24] = 0x16; /* v2 report */
  memcpy(b + 28, &g, 4);
  return 32;
}

struct nlb {
  uint8_t buf[1024] __attribute__((aligned(8)));
  size_t len;
};

static void nl_start(struct nlb *m, uint16_t type, const void *body,
                     size_t blen) {
  struct nlmsghdr h;

  memset(m, 0, sizeof(*m));
  memset(&h, 0, sizeof(h));
  h.nlmsg_type = type;
  h.nlmsg_seq = 7;
  memcpy(m->buf, &h, sizeof(h));
  memcpy(m->buf + NLMSG_HDRLEN, body, blen);
  m->len = NLMSG_HDRLEN + NLMSG_ALIGN(blen);
}

static void nl_attr(struct nlb *m, uint16_t type, const void *data,
                    size_t dlen) {
  struct rtattr a;

  a.rta_len = (unsigned short)RTA_LENGTH(dlen);
  a.rta_type = type;
  memcpy(m->buf + m->len, &a, sizeof(a));
  memcpy(m->buf + m->len + RTA_LENGTH(0), data, dlen);
  m->len += RTA_SPACE(dlen);
}

static void nl_end(struct nlb *m) {
  uint32_t l = (uint32_t)m->len;

  memcpy(m->buf, &l, 4);
}

static void mk_link(struct nlb *m, int ifindex, unsigned flags,
                    const char *name) {
  struct ifinfomsg ifi;

  memset(&ifi, 0, sizeof(ifi));
  ifi.ifi_index = ifindex;
  ifi.ifi_flags = flags;
  nl_start(m, RTM_NEWLINK, &ifi, sizeof(ifi));
  if (name != NULL)
    nl_attr(m, IFLA_IFNAME, name, strlen(name) + 1);
  nl_end(m);
}

static void mk_addr(struct nlb *m, uint8_t family, uint8_t plen, int ifindex,
                    const char *local, const char *address) {
  struct ifaddrmsg ifa;
  uint32_t a;

  memset(&ifa, 0, sizeof(ifa));
  ifa.ifa_family = family;
  ifa.ifa_prefixlen = plen;
  ifa.ifa_index = (unsigned)ifindex;
  nl_start(m, RTM_NEWADDR, &ifa, sizeof(ifa));
  if (address != NULL) {
    a = ip(address);
    nl_attr(m, IFA_ADDRESS, &a, 4);
  }
  if (local != NULL) {
    a = ip(local);
    nl_attr(m, IFA_LOCAL, &a, 4);
  }
  nl_end(m);
}

static void mk_route(struct nlb *m, const char *dst, uint8_t dlen, int oif,
                     const char *gw) {
  struct rtmsg rtm;
  uint32_t v;

  memset(&rtm, 0, sizeof(rtm));
  rtm.rtm_family = AF_INET;
  rtm.rtm_dst_len = dlen;
  rtm.rtm_table = RT_TABLE_MAIN;
  rtm.rtm_protocol = RTPROT_STATIC;
  rtm.rtm_type = RTN_UNICAST;
  nl_start(m, RTM_NEWROUTE, &rtm, sizeof(rtm));
  v = RT_TABLE_MAIN;
  nl_attr(m, RTA_TABLE, &v, 4);
  if (dst != NULL) {
    v = ip(dst);
    nl_attr(m, RTA_DST, &v, 4);
  }
  if (gw != NULL) {
    v = ip(gw);
    nl_attr(m, RTA_GATEWAY, &v, 4);
  }
  if (oif > 0) {
    v = (uint32_t)oif;
    nl_attr(m, RTA_OIF, &v, 4);
  }
  nl_end(m);
}

/* Every prefix of a valid input must parse to an error, never crash.  The
 * prefix is copied to a heap block of exactly that size so ASan catches a
 * read past it. */
typedef int (*parse_fn)(const uint8_t *b, size_t len);

static void every_prefix_fails(const uint8_t *b, size_t full, parse_fn fn) {
  uint8_t *copy;
  size_t n;

  for (n = 0; n < full; n++) {
    copy = malloc(n ? n : 1);
    cr_assert_not_null(copy);
    memcpy(copy, b, n);
    cr_expect_lt(fn(copy, n), 0, "prefix of %zu/%zu bytes accepted", n, full);
    free(copy);
  }
}

static int p_mrt(const uint8_t *b, size_t len) {
  struct mgm__lnx_mrt_msg m;

  return mgm__lnx_parse_mrt(b, len, &m);
}

static int p_link(const uint8_t *b, size_t len) {
  struct mgm__lnx_link l;

  return mgm__lnx_parse_link(b, len, &l);
}

static int p_addr(const uint8_t *b, size_t len) {
  struct mgm__lnx_addr a;

  return mgm__lnx_parse_addr(b, len, &a);
}

static int p_route(const uint8_t *b, size_t len) {
  struct mgm__lnx_route r;

  return mgm__lnx_parse_route(b, len, &r);
}

/* ---- the router socket --------------------------------------------------- */

Test(mrt, nocache_upcall) {
  uint8_t b[64];
  struct mgm__lnx_mrt_msg m;
  size_t n = mk_upcall(b, 1, 2, "10.1.0.1", "239.1.1.1");

  cr_assert_eq(mgm__lnx_parse_mrt(b, n, &m), MGM__LNX_MRT_UPCALL);
  cr_expect_eq(m.kind, MGM__LNX_MRT_UPCALL);
  cr_expect_eq(m.msgtype, 1);
  cr_expect_eq(m.vif, 2);
  cr_expect_eq(m.src, ip("10.1.0.1"));
  cr_expect_eq(m.dst, ip("239.1.1.1"));
  cr_expect_eq(m.payload, b);
  cr_expect_eq(m.payload_len, 28);
}

Test(mrt, wrongvif_upcall_with_high_vif_byte) {
  uint8_t b[64];
  struct mgm__lnx_mrt_msg m;
  size_t n = mk_upcall(b, 2, 0x0103, "10.9.9.9", "232.0.0.1");

  cr_assert_eq(mgm__lnx_parse_mrt(b, n, &m), MGM__LNX_MRT_UPCALL);
  cr_expect_eq(m.msgtype, 2);
#ifdef HAVE_STRUCT_IGMPMSG_IM_VIF_HI
  cr_expect_eq(m.vif, 0x0103);
#else
  cr_expect_eq(m.vif, 0x03);
#endif
}

Test(mrt, wholepkt_types_are_recognised) {
  uint8_t b[64];
  struct mgm__lnx_mrt_msg m;

  mk_upcall(b, 3, 0, "10.0.0.1", "239.0.0.1");
  cr_expect_eq(mgm__lnx_parse_mrt(b, 28, &m), MGM__LNX_MRT_UPCALL);
  mk_upcall(b, 4, 0, "10.0.0.1", "239.0.0.1");
  cr_expect_eq(mgm__lnx_parse_mrt(b, 28, &m), MGM__LNX_MRT_UPCALL);
}

Test(mrt, unknown_upcall_types_are_rejected) {
  uint8_t b[64];
  struct mgm__lnx_mrt_msg m;
  unsigned t;

  for (t = 0; t < 256; t++) {
    if (t >= 1 && t <= 4)
      continue;
    mk_upcall(b, (uint8_t)t, 0, "10.0.0.1", "239.0.0.1");
    cr_expect_eq(mgm__lnx_parse_mrt(b, 28, &m), MGM__LNX_PE_BADTYPE, "type %u",
                 t);
  }
}

Test(mrt, short_upcalls_are_truncated) {
  uint8_t b[64];
  struct mgm__lnx_mrt_msg m;
  size_t n;

  mk_upcall(b, 1, 0, "10.0.0.1", "239.0.0.1");
  for (n = 0; n < 20; n++)
    cr_expect_eq(mgm__lnx_parse_mrt(b, n, &m), MGM__LNX_PE_TRUNC, "len %zu", n);
  cr_expect_eq(mgm__lnx_parse_mrt(NULL, 28, &m), MGM__LNX_PE_TRUNC);
  /* 20 bytes is the igmpmsg itself: enough. */
  cr_expect_eq(mgm__lnx_parse_mrt(b, 20, &m), MGM__LNX_MRT_UPCALL);
}

Test(mrt, igmp_packet_with_options) {
  uint8_t b[64];
  struct mgm__lnx_mrt_msg m;
  size_t n = mk_igmp(b);

  cr_assert_eq(mgm__lnx_parse_mrt(b, n, &m), MGM__LNX_MRT_IGMP);
  cr_expect_eq(m.src, ip("10.2.0.2"));
  cr_expect_eq(m.dst, ip("239.1.1.1"));
  cr_expect_eq(m.payload, b + 24);
  cr_expect_eq(m.payload_len, 8);
  cr_expect_eq(m.payload[0], 0x16);
}

Test(mrt, igmp_packet_every_prefix_fails) {
  uint8_t b[64];
  size_t n = mk_igmp(b);

  every_prefix_fails(b, n, p_mrt);
}

Test(mrt, malformed_ip_headers) {
  uint8_t b[64];
  struct mgm__lnx_mrt_msg m;
  size_t n;

  n = mk_igmp(b);
  b[0] = 0x65; /* version 6 */
  cr_expect_eq(mgm__lnx_parse_mrt(b, n, &m), MGM__LNX_PE_BADHDR);
  n = mk_igmp(b);
  b[0] = 0x44; /* ihl 4 */
  cr_expect_eq(mgm__lnx_parse_mrt(b, n, &m), MGM__LNX_PE_BADHDR);
  n = mk_igmp(b);
  b[0] = 0x4f; /* ihl 15 = 60 bytes > tot_len */
  cr_expect_lt(mgm__lnx_parse_mrt(b, n, &m), 0);
  n = mk_igmp(b);
  b[9] = 17; /* UDP on the IGMP socket */
  cr_expect_eq(mgm__lnx_parse_mrt(b, n, &m), MGM__LNX_PE_BADTYPE);
  n = mk_igmp(b);
  b[3] = 200; /* tot_len past the buffer */
  cr_expect_eq(mgm__lnx_parse_mrt(b, n, &m), MGM__LNX_PE_TRUNC);
  n = mk_igmp(b);
  b[3] = 20; /* tot_len below ihl */
  cr_expect_eq(mgm__lnx_parse_mrt(b, n, &m), MGM__LNX_PE_BADLEN);
  n = mk_igmp(b);
  b[3] = 28; /* 4 bytes of IGMP: too short */
  cr_expect_eq(mgm__lnx_parse_mrt(b, n, &m), MGM__LNX_PE_TRUNC);
}

Test(mrt, random_bytes_never_crash) {
  struct mgm__lnx_mrt_msg m;
  uint8_t *b;
  size_t n;
  size_t i;
  int it;
  int rc;

  srand(12345);
  for (it = 0; it < 20000; it++) {
    n = (size_t)(rand() % 80);
    b = malloc(n ? n : 1);
    for (i = 0; i < n; i++)
      b[i] = (uint8_t)rand();
    if (n > 9 && (it & 1))
      b[9] = 0; /* half of them look like upcalls */
    rc = mgm__lnx_parse_mrt(b, n, &m);
    cr_assert(rc == MGM__LNX_MRT_UPCALL || rc == MGM__LNX_MRT_IGMP ||
              (rc < 0 && rc >= MGM__LNX_PE_SKIP));
    if (rc > 0)
      cr_assert(m.payload >= b && m.payload + m.payload_len <= b + n);
    free(b);
  }
}

/* ---- rtnetlink framing --------------------------------------------------- */

Test(netlink, walks_concatenated_messages) {
  struct nlb a;
  struct nlb b;
  uint8_t buf[2048] __attribute__((aligned(8)));
  const uint8_t *msg;
  size_t msglen;
  size_t off = 0;
  struct mgm__lnx_nlhdr h;

  mk_link(&a, 3, IFF_UP, "eth0");
  mk_addr(&b, AF_INET, 24, 3, "10.0.0.1", NULL);
  memcpy(buf, a.buf, a.len);
  memcpy(buf + a.len, b.buf, b.len);
  cr_assert_eq(mgm__lnx_nl_next(buf, a.len + b.len, &off, &msg, &msglen), 1);
  cr_expect_eq(msg, buf);
  cr_expect_eq(msglen, a.len);
  cr_assert_eq(mgm__lnx_nl_header(msg, msglen, &h), 0);
  cr_expect_eq(h.type, RTM_NEWLINK);
  cr_expect_eq(h.seq, 7);
  cr_assert_eq(mgm__lnx_nl_next(buf, a.len + b.len, &off, &msg, &msglen), 1);
  cr_expect_eq(msg, buf + a.len);
  cr_assert_eq(mgm__lnx_nl_next(buf, a.len + b.len, &off, &msg, &msglen), 0);
}

Test(netlink, broken_framing_is_reported) {
  struct nlb a;
  const uint8_t *msg;
  size_t msglen;
  size_t off;
  uint32_t l;

  mk_link(&a, 3, 0, "eth0");
  off = 0;
  cr_expect_eq(mgm__lnx_nl_next(a.buf, 10, &off, &msg, &msglen),
               MGM__LNX_PE_TRUNC);
  l = 8; /* shorter than a header */
  memcpy(a.buf, &l, 4);
  off = 0;
  cr_expect_eq(mgm__lnx_nl_next(a.buf, a.len, &off, &msg, &msglen),
               MGM__LNX_PE_BADLEN);
  l = 4000; /* longer than the datagram */
  memcpy(a.buf, &l, 4);
  off = 0;
  cr_expect_eq(mgm__lnx_nl_next(a.buf, a.len, &off, &msg, &msglen),
               MGM__LNX_PE_TRUNC);
  cr_expect_eq(mgm__lnx_nl_header(a.buf, 15, &(struct mgm__lnx_nlhdr){0}),
               MGM__LNX_PE_TRUNC);
}

Test(netlink, error_and_ack) {
  struct nlb m;
  int32_t e;
  int err = -1;

  e = -19;
  nl_start(&m, NLMSG_ERROR, &e, sizeof(e));
  nl_end(&m);
  cr_assert_eq(mgm__lnx_parse_nlerr(m.buf, m.len, &err), 0);
  cr_expect_eq(err, 19);
  e = 0;
  nl_start(&m, NLMSG_ERROR, &e, sizeof(e));
  nl_end(&m);
  cr_assert_eq(mgm__lnx_parse_nlerr(m.buf, m.len, &err), 0);
  cr_expect_eq(err, 0);
  e = 5; /* positive: nonsense */
  nl_start(&m, NLMSG_ERROR, &e, sizeof(e));
  nl_end(&m);
  cr_expect_eq(mgm__lnx_parse_nlerr(m.buf, m.len, &err), MGM__LNX_PE_BADLEN);
  cr_expect_eq(mgm__lnx_parse_nlerr(m.buf, NLMSG_HDRLEN + 2, &err),
               MGM__LNX_PE_TRUNC);
}

/* ---- links --------------------------------------------------------------- */

Test(link, new_link) {
  struct nlb m;
  struct mgm__lnx_link l;

  mk_link(&m, 42, IFF_UP | IFF_RUNNING | IFF_MULTICAST, "veth-a");
  cr_assert_eq(mgm__lnx_parse_link(m.buf, m.len, &l), 0);
  cr_expect_eq(l.ifindex, 42);
  cr_expect_eq(l.flags, IFF_UP | IFF_RUNNING | IFF_MULTICAST);
  cr_expect_str_eq(l.name, "veth-a");
  cr_expect_eq(l.family, AF_UNSPEC);
}

Test(link, name_is_optional_and_bounded) {
  struct nlb m;
  struct mgm__lnx_link l;

  mk_link(&m, 1, 0, NULL);
  cr_assert_eq(mgm__lnx_parse_link(m.buf, m.len, &l), 0);
  cr_expect_str_eq(l.name, "");
  mk_link(&m, 1, 0, "0123456789abcdef"); /* 16 chars: too long */
  cr_expect_eq(mgm__lnx_parse_link(m.buf, m.len, &l), MGM__LNX_PE_BADLEN);
  mk_link(&m, 1, 0, ""); /* empty */
  cr_expect_eq(mgm__lnx_parse_link(m.buf, m.len, &l), MGM__LNX_PE_BADLEN);
  /* A name without its NUL (attribute of exactly 4 bytes). */
  {
    struct ifinfomsg ifi;

    memset(&ifi, 0, sizeof(ifi));
    ifi.ifi_index = 9;
    nl_start(&m, RTM_NEWLINK, &ifi, sizeof(ifi));
    nl_attr(&m, IFLA_IFNAME, "eth1", 4);
    nl_end(&m);
    cr_assert_eq(mgm__lnx_parse_link(m.buf, m.len, &l), 0);
    cr_expect_str_eq(l.name, "eth1");
  }
}

Test(link, bad_index_and_attributes) {
  struct nlb m;
  struct mgm__lnx_link l;
  uint16_t bad;

  mk_link(&m, 0, 0, "x");
  cr_expect_eq(mgm__lnx_parse_link(m.buf, m.len, &l), MGM__LNX_PE_BADHDR);
  mk_link(&m, -4, 0, "x");
  cr_expect_eq(mgm__lnx_parse_link(m.buf, m.len, &l), MGM__LNX_PE_BADHDR);
  mk_link(&m, 3, 0, "eth0");
  bad = 2; /* rta_len below the attribute header */
  memcpy(m.buf + NLMSG_HDRLEN + sizeof(struct ifinfomsg), &bad, 2);
  cr_expect_eq(mgm__lnx_parse_link(m.buf, m.len, &l), MGM__LNX_PE_BADLEN);
  mk_link(&m, 3, 0, "eth0");
  bad = 200; /* rta_len past the message */
  memcpy(m.buf + NLMSG_HDRLEN + sizeof(struct ifinfomsg), &bad, 2);
  cr_expect_eq(mgm__lnx_parse_link(m.buf, m.len, &l), MGM__LNX_PE_TRUNC);
}

Test(link, every_prefix_of_the_header_fails) {
  struct nlb m;

  mk_link(&m, 3, 0, "eth0");
  every_prefix_fails(m.buf, NLMSG_HDRLEN + sizeof(struct ifinfomsg), p_link);
}

/* ---- addresses ----------------------------------------------------------- */

Test(addr, local_wins_over_address) {
  struct nlb m;
  struct mgm__lnx_addr a;

  mk_addr(&m, AF_INET, 24, 5, "10.0.0.1", "10.0.0.2");
  cr_assert_eq(mgm__lnx_parse_addr(m.buf, m.len, &a), 0);
  cr_expect_eq(a.ifindex, 5);
  cr_expect_eq(a.prefixlen, 24);
  cr_expect_eq(a.addr, ip("10.0.0.1"));
  mk_addr(&m, AF_INET, 32, 5, NULL, "10.0.0.2");
  cr_assert_eq(mgm__lnx_parse_addr(m.buf, m.len, &a), 0);
  cr_expect_eq(a.addr, ip("10.0.0.2"));
}

Test(addr, other_families_are_skipped) {
  struct nlb m;
  struct mgm__lnx_addr a;

  mk_addr(&m, AF_INET6, 64, 5, NULL, NULL);
  cr_expect_eq(mgm__lnx_parse_addr(m.buf, m.len, &a), MGM__LNX_PE_SKIP);
}

Test(addr, malformed_addresses) {
  struct nlb m;
  struct mgm__lnx_addr a;
  struct ifaddrmsg ifa;

  mk_addr(&m, AF_INET, 33, 5, "10.0.0.1", NULL);
  cr_expect_eq(mgm__lnx_parse_addr(m.buf, m.len, &a), MGM__LNX_PE_BADHDR);
  mk_addr(&m, AF_INET, 24, 0, "10.0.0.1", NULL);
  cr_expect_eq(mgm__lnx_parse_addr(m.buf, m.len, &a), MGM__LNX_PE_BADHDR);
  mk_addr(&m, AF_INET, 24, 5, NULL, NULL);
  cr_expect_eq(mgm__lnx_parse_addr(m.buf, m.len, &a), MGM__LNX_PE_BADHDR);
  memset(&ifa, 0, sizeof(ifa));
  ifa.ifa_family = AF_INET;
  ifa.ifa_index = 5;
  nl_start(&m, RTM_NEWADDR, &ifa, sizeof(ifa));
  nl_attr(&m, IFA_LOCAL, "abc", 3); /* 3-byte address */
  nl_end(&m);
  cr_expect_eq(mgm__lnx_parse_addr(m.buf, m.len, &a), MGM__LNX_PE_BADLEN);
  mk_addr(&m, AF_INET, 24, 5, "10.0.0.1", NULL);
  every_prefix_fails(m.buf, NLMSG_HDRLEN + sizeof(struct ifaddrmsg), p_addr);
}

/* ---- routes -------------------------------------------------------------- */

Test(route, unicast_route) {
  struct nlb m;
  struct mgm__lnx_route r;

  mk_route(&m, "10.1.0.0", 24, 4, "10.9.0.1");
  cr_assert_eq(mgm__lnx_parse_route(m.buf, m.len, &r), 0);
  cr_expect_eq(r.type, RTN_UNICAST);
  cr_expect_eq(r.protocol, RTPROT_STATIC);
  cr_expect_eq(r.dst_len, 24);
  cr_expect_eq(r.dst, ip("10.1.0.0"));
  cr_expect_eq(r.oif, 4);
  cr_expect_eq(r.gateway, ip("10.9.0.1"));
  cr_expect_eq(r.table32, RT_TABLE_MAIN);
}

Test(route, default_route_has_no_dst) {
  struct nlb m;
  struct mgm__lnx_route r;

  mk_route(&m, NULL, 0, 2, "192.0.2.1");
  cr_assert_eq(mgm__lnx_parse_route(m.buf, m.len, &r), 0);
  cr_expect_eq(r.dst, 0);
  cr_expect_eq(r.dst_len, 0);
}

Test(route, multipath_takes_the_first_hop) {
  struct nlb m;
  struct mgm__lnx_route r;
  struct rtmsg rtm;
  uint8_t mp[64];
  struct rtnexthop nh;
  struct rtattr a;
  uint32_t gw = ip("10.7.0.1");
  size_t n = 0;

  memset(&rtm, 0, sizeof(rtm));
  rtm.rtm_family = AF_INET;
  rtm.rtm_dst_len = 16;
  rtm.rtm_type = RTN_UNICAST;
  nl_start(&m, RTM_NEWROUTE, &rtm, sizeof(rtm));
  memset(mp, 0, sizeof(mp));
  nh.rtnh_len = (unsigned short)(RTNH_LENGTH(0) + RTA_SPACE(4));
  nh.rtnh_flags = 0;
  nh.rtnh_hops = 0;
  nh.rtnh_ifindex = 7;
  memcpy(mp + n, &nh, sizeof(nh));
  a.rta_len = (unsigned short)RTA_LENGTH(4);
  a.rta_type = RTA_GATEWAY;
  memcpy(mp + n + RTNH_LENGTH(0), &a, sizeof(a));
  memcpy(mp + n + RTNH_LENGTH(0) + RTA_LENGTH(0), &gw, 4);
  n += nh.rtnh_len;
  nh.rtnh_len = (unsigned short)RTNH_LENGTH(0);
  nh.rtnh_ifindex = 8;
  memcpy(mp + n, &nh, sizeof(nh));
  n += nh.rtnh_len;
  nl_attr(&m, RTA_MULTIPATH, mp, n);
  nl_end(&m);
  cr_assert_eq(mgm__lnx_parse_route(m.buf, m.len, &r), 0);
  cr_expect_eq(r.oif, 7);
  cr_expect_eq(r.gateway, gw);
}

Test(route, malformed_routes) {
  struct nlb m;
  struct mgm__lnx_route r;
  struct rtmsg rtm;

  mk_route(&m, "10.1.0.0", 40, 4, NULL);
  cr_expect_eq(mgm__lnx_parse_route(m.buf, m.len, &r), MGM__LNX_PE_BADHDR);
  memset(&rtm, 0, sizeof(rtm));
  rtm.rtm_family = AF_INET6;
  nl_start(&m, RTM_NEWROUTE, &rtm, sizeof(rtm));
  nl_end(&m);
  cr_expect_eq(mgm__lnx_parse_route(m.buf, m.len, &r), MGM__LNX_PE_SKIP);
  memset(&rtm, 0, sizeof(rtm));
  rtm.rtm_family = AF_INET;
  nl_start(&m, RTM_NEWROUTE, &rtm, sizeof(rtm));
  nl_attr(&m, RTA_OIF, "\x01\x00", 2); /* 2-byte ifindex */
  nl_end(&m);
  cr_expect_eq(mgm__lnx_parse_route(m.buf, m.len, &r), MGM__LNX_PE_BADLEN);
  nl_start(&m, RTM_NEWROUTE, &rtm, sizeof(rtm));
  nl_attr(&m, RTA_MULTIPATH, "\x04\x00\x00\x00", 4); /* short nexthop */
  nl_end(&m);
  cr_expect_lt(mgm__lnx_parse_route(m.buf, m.len, &r), 0);
  mk_route(&m, "10.1.0.0", 24, 4, NULL);
  every_prefix_fails(m.buf, NLMSG_HDRLEN + sizeof(struct rtmsg), p_route);
}

/* ---- requests we build --------------------------------------------------- */

Test(build, getroute_request) {
  uint8_t b[128] __attribute__((aligned(8)));
  struct mgm__lnx_nlhdr h;
  struct rtmsg rtm;
  uint32_t dst;
  int len;

  len = mgm__lnx_build_getroute(b, sizeof(b), 99, ip("10.1.0.1"));
  cr_assert_gt(len, 0);
  cr_assert_eq(mgm__lnx_nl_header(b, (size_t)len, &h), 0);
  cr_expect_eq(h.type, RTM_GETROUTE);
  cr_expect_eq(h.seq, 99);
  cr_expect(h.flags & NLM_F_REQUEST);
  memcpy(&rtm, b + NLMSG_HDRLEN, sizeof(rtm));
  cr_expect_eq(rtm.rtm_family, AF_INET);
  cr_expect_eq(rtm.rtm_dst_len, 32);
  memcpy(&dst, b + NLMSG_LENGTH(sizeof(rtm)) + RTA_LENGTH(0), 4);
  cr_expect_eq(dst, ip("10.1.0.1"));
  cr_expect_eq(mgm__lnx_build_getroute(b, 20, 1, 0), MGM__LNX_PE_TRUNC);
}

Test(build, dump_requests) {
  uint8_t b[64] __attribute__((aligned(8)));
  struct mgm__lnx_nlhdr h;
  int len;

  len = mgm__lnx_build_dump(b, sizeof(b), RTM_GETLINK, 5);
  cr_assert_eq(len, (int)NLMSG_LENGTH(sizeof(struct ifinfomsg)));
  cr_assert_eq(mgm__lnx_nl_header(b, (size_t)len, &h), 0);
  cr_expect_eq(h.flags, NLM_F_REQUEST | NLM_F_DUMP);
  len = mgm__lnx_build_dump(b, sizeof(b), RTM_GETADDR, 6);
  cr_assert_eq(len, (int)NLMSG_LENGTH(sizeof(struct ifaddrmsg)));
  cr_expect_eq(b[NLMSG_HDRLEN], AF_INET);
  cr_expect_eq(mgm__lnx_build_dump(b, sizeof(b), RTM_GETROUTE, 1),
               MGM__LNX_PE_BADTYPE);
  cr_expect_eq(mgm__lnx_build_dump(b, 10, RTM_GETLINK, 1), MGM__LNX_PE_TRUNC);
}

/* ---- mutation fuzzing ---------------------------------------------------- */

Test(fuzz, mutated_netlink_messages_never_crash) {
  struct nlb seeds[4];
  struct mgm__lnx_link l;
  struct mgm__lnx_addr a;
  struct mgm__lnx_route r;
  const uint8_t *msg;
  size_t msglen;
  size_t off;
  uint8_t *b;
  size_t n;
  int it;
  int k;
  int flips;

  mk_link(&seeds[0], 3, IFF_UP, "eth0");
  mk_addr(&seeds[1], AF_INET, 24, 3, "10.0.0.1", "10.0.0.1");
  mk_route(&seeds[2], "10.0.0.0", 8, 3, "10.0.0.254");
  mk_route(&seeds[3], NULL, 0, 3, NULL);
  srand(4242);
  for (it = 0; it < 40000; it++) {
    k = it % 4;
    n = seeds[k].len - (size_t)(rand() % 8);
    b = malloc(n);
    memcpy(b, seeds[k].buf, n);
    for (flips = rand() % 4; flips >= 0; flips--)
      b[(size_t)rand() % n] = (uint8_t)rand();
    off = 0;
    while (mgm__lnx_nl_next(b, n, &off, &msg, &msglen) > 0) {
      cr_assert(msg >= b && msg + msglen <= b + n);
      (void)mgm__lnx_parse_link(msg, msglen, &l);
      (void)mgm__lnx_parse_addr(msg, msglen, &a);
      (void)mgm__lnx_parse_route(msg, msglen, &r);
    }
    (void)mgm__lnx_parse_link(b, n, &l);
    (void)mgm__lnx_parse_addr(b, n, &a);
    (void)mgm__lnx_parse_route(b, n, &r);
    free(b);
  }
}
