/*
 * parse.c - byte-buffer parsers for the Linux backend: igmpmsg upcalls and
 * IGMP packets from the multicast-router socket, rtnetlink framing, link /
 * address / route / error messages, and the two requests we build.
 *
 * SPDX-License-Identifier: MIT
 *
 * Layouts come from the kernel's uapi headers (linux/mroute.h,
 * linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h) and
 * kernel.md A.3/A.7/A.9/A.12.  Everything is read with memcpy at offsets
 * the headers give, after checking that those bytes are inside the buffer;
 * a malformed input yields a negative MGM__LNX_PE_* code, never a crash.
 */
#define _GNU_SOURCE 1

#include "parse.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/mroute.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>

#define LNX_IP_MINHDR 20u
#define LNX_IGMP_MINLEN 8u

/* One rtnetlink attribute. */
struct lnx_attr {
  uint16_t type; /* NLA_TYPE_MASK applied */
  const uint8_t *data;
  size_t len;
};

static uint16_t lnx_get16(const uint8_t *p) {
  uint16_t v;

  memcpy(&v, p, sizeof(v));
  return v;
}

static uint32_t lnx_get32(const uint8_t *p) {
  uint32_t v;

  memcpy(&v, p, sizeof(v));
  return v;
}

int mgm__lnx_parse_mrt(const void *buf, size_t len,
                       struct mgm__lnx_mrt_msg *out) {
  const uint8_t *p = buf;
  size_t ihl;
  size_t tot;
  int rc;

  memset(out, 0, sizeof(*out));
  if (p == NULL || len < sizeof(struct igmpmsg)) {
    rc = MGM__LNX_PE_TRUNC;
    goto out;
  }
  /* The kernel zeroes the IP protocol byte, which im_mbz overlays: that is
   * how an upcall differs from an IGMP packet (protocol 2). */
  if (p[offsetof(struct igmpmsg, im_mbz)] == 0) {
    out->msgtype = p[offsetof(struct igmpmsg, im_msgtype)];
    if (out->msgtype < IGMPMSG_NOCACHE || out->msgtype > IGMPMSG_WRVIFWHOLE) {
      rc = MGM__LNX_PE_BADTYPE;
      goto out;
    }
    out->kind = MGM__LNX_MRT_UPCALL;
    out->vif = p[offsetof(struct igmpmsg, im_vif)];
#ifdef HAVE_STRUCT_IGMPMSG_IM_VIF_HI
    out->vif |= (uint16_t)(p[offsetof(struct igmpmsg, im_vif_hi)] << 8);
#endif
    memcpy(&out->src, p + offsetof(struct igmpmsg, im_src), 4);
    memcpy(&out->dst, p + offsetof(struct igmpmsg, im_dst), 4);
    out->payload = p;
    out->payload_len = len;
    rc = MGM__LNX_MRT_UPCALL;
    goto out;
  }
  /* A real packet: IPv4 header, then IGMP. */
  if ((p[0] >> 4) != 4) {
    rc = MGM__LNX_PE_BADHDR;
    goto out;
  }
  ihl = (size_t)(p[0] & 0x0f) * 4;
  if (ihl < LNX_IP_MINHDR) {
    rc = MGM__LNX_PE_BADHDR;
    goto out;
  }
  if (p[9] != IPPROTO_IGMP) {
    rc = MGM__LNX_PE_BADTYPE;
    goto out;
  }
  tot = ntohs(lnx_get16(p + 2));
  if (tot < ihl) {
    rc = MGM__LNX_PE_BADLEN;
    goto out;
  }
  if (tot > len || ihl > len || tot - ihl < LNX_IGMP_MINLEN) {
    rc = MGM__LNX_PE_TRUNC;
    goto out;
  }
  out->kind = MGM__LNX_MRT_IGMP;
  memcpy(&out->src, p + 12, 4);
  memcpy(&out->dst, p + 16, 4);
  out->payload = p + ihl;
  out->payload_len = tot - ihl;
  rc = MGM__LNX_MRT_IGMP;

out:
  return rc;
}

int mgm__lnx_nl_next(const void *buf, size_t len, size_t *off,
                     const uint8_t **msg, size_t *msglen) {
  const uint8_t *p = buf;
  size_t rem;
  size_t step;
  uint32_t nlen;

  if (*off >= len)
    return 0;
  rem = len - *off;
  if (rem < sizeof(struct nlmsghdr))
    return MGM__LNX_PE_TRUNC;
  nlen = lnx_get32(p + *off + offsetof(struct nlmsghdr, nlmsg_len));
  if (nlen < sizeof(struct nlmsghdr))
    return MGM__LNX_PE_BADLEN;
  if (nlen > rem)
    return MGM__LNX_PE_TRUNC;
  *msg = p + *off;
  *msglen = nlen;
  step = NLMSG_ALIGN((size_t)nlen);
  *off = step > rem ? len : *off + step;
  return 1;
}

int mgm__lnx_nl_header(const uint8_t *msg, size_t len,
                       struct mgm__lnx_nlhdr *out) {
  if (len < sizeof(struct nlmsghdr))
    return MGM__LNX_PE_TRUNC;
  out->type = lnx_get16(msg + offsetof(struct nlmsghdr, nlmsg_type));
  out->flags = lnx_get16(msg + offsetof(struct nlmsghdr, nlmsg_flags));
  out->seq = lnx_get32(msg + offsetof(struct nlmsghdr, nlmsg_seq));
  out->pid = lnx_get32(msg + offsetof(struct nlmsghdr, nlmsg_pid));
  return 0;
}

/* The family header that follows the netlink header, and the attributes
 * after it: check sizes, return 0 or an error. */
static int lnx_body(const uint8_t *msg, size_t len, size_t fixed,
                    const uint8_t **body, const uint8_t **attrs,
                    size_t *attrlen) {
  size_t hdr = NLMSG_HDRLEN;
  size_t start;

  if (len < hdr + fixed)
    return MGM__LNX_PE_TRUNC;
  *body = msg + hdr;
  start = hdr + NLMSG_ALIGN(fixed);
  if (start >= len) {
    *attrs = NULL;
    *attrlen = 0;
  } else {
    *attrs = msg + start;
    *attrlen = len - start;
  }
  return 0;
}

/* Next attribute of a run: 1 with *a filled, 0 at the end, <0 on error. */
static int lnx_attr_next(const uint8_t *p, size_t len, size_t *off,
                         struct lnx_attr *a) {
  size_t rem;
  size_t step;
  uint16_t alen;

  if (p == NULL || *off >= len)
    return 0;
  rem = len - *off;
  if (rem < sizeof(struct rtattr))
    return MGM__LNX_PE_TRUNC;
  alen = lnx_get16(p + *off + offsetof(struct rtattr, rta_len));
  if (alen < sizeof(struct rtattr))
    return MGM__LNX_PE_BADLEN;
  if (alen > rem)
    return MGM__LNX_PE_TRUNC;
  a->type =
      lnx_get16(p + *off + offsetof(struct rtattr, rta_type)) & NLA_TYPE_MASK;
  a->data = p + *off + RTA_LENGTH(0);
  a->len = (size_t)alen - RTA_LENGTH(0);
  step = RTA_ALIGN((size_t)alen);
  *off = step > rem ? len : *off + step;
  return 1;
}

/* A 4-byte attribute (address or u32). */
static int lnx_attr_u32(const struct lnx_attr *a, uint32_t *v) {
  if (a->len != 4)
    return MGM__LNX_PE_BADLEN;
  *v = lnx_get32(a->data);
  return 0;
}

int mgm__lnx_parse_nlerr(const uint8_t *msg, size_t len, int *err) {
  int32_t e;

  if (len < NLMSG_HDRLEN + sizeof(int32_t))
    return MGM__LNX_PE_TRUNC;
  memcpy(&e, msg + NLMSG_HDRLEN, sizeof(e));
  if (e > 0 || e < -4095)
    return MGM__LNX_PE_BADLEN;
  *err = -e;
  return 0;
}

int mgm__lnx_parse_link(const uint8_t *msg, size_t len,
                        struct mgm__lnx_link *out) {
  const uint8_t *body;
  const uint8_t *attrs;
  size_t alen;
  size_t off = 0;
  struct lnx_attr a;
  int32_t idx;
  size_t n;
  int rc;

  memset(out, 0, sizeof(*out));
  rc = lnx_body(msg, len, sizeof(struct ifinfomsg), &body, &attrs, &alen);
  if (rc < 0)
    goto out;
  memcpy(&idx, body + offsetof(struct ifinfomsg, ifi_index), sizeof(idx));
  if (idx <= 0) {
    rc = MGM__LNX_PE_BADHDR;
    goto out;
  }
  out->ifindex = (uint32_t)idx;
  out->family = body[offsetof(struct ifinfomsg, ifi_family)];
  out->flags = lnx_get32(body + offsetof(struct ifinfomsg, ifi_flags));
  while ((rc = lnx_attr_next(attrs, alen, &off, &a)) > 0) {
    if (a.type != IFLA_IFNAME)
      continue;
    n = strnlen((const char *)a.data, a.len);
    if (n == 0 || n >= MGM__LNX_IFNAMSIZ) {
      rc = MGM__LNX_PE_BADLEN;
      goto out;
    }
    memcpy(out->name, a.data, n);
    out->name[n] = '\0';
  }
  if (rc < 0)
    goto out;
  rc = 0;

out:
  return rc;
}

int mgm__lnx_parse_addr(const uint8_t *msg, size_t len,
                        struct mgm__lnx_addr *out) {
  const uint8_t *body;
  const uint8_t *attrs;
  size_t alen;
  size_t off = 0;
  struct lnx_attr a;
  uint32_t local = 0;
  uint32_t address = 0;
  int have_local = 0;
  int have_address = 0;
  int rc;

  memset(out, 0, sizeof(*out));
  rc = lnx_body(msg, len, sizeof(struct ifaddrmsg), &body, &attrs, &alen);
  if (rc < 0)
    goto out;
  if (body[offsetof(struct ifaddrmsg, ifa_family)] != AF_INET) {
    rc = MGM__LNX_PE_SKIP;
    goto out;
  }
  out->prefixlen = body[offsetof(struct ifaddrmsg, ifa_prefixlen)];
  out->ifindex = lnx_get32(body + offsetof(struct ifaddrmsg, ifa_index));
  if (out->prefixlen > 32 || out->ifindex == 0) {
    rc = MGM__LNX_PE_BADHDR;
    goto out;
  }
  while ((rc = lnx_attr_next(attrs, alen, &off, &a)) > 0) {
    if (a.type == IFA_LOCAL) {
      rc = lnx_attr_u32(&a, &local);
      have_local = 1;
    } else if (a.type == IFA_ADDRESS) {
      rc = lnx_attr_u32(&a, &address);
      have_address = 1;
    }
    if (rc < 0)
      goto out;
  }
  if (rc < 0)
    goto out;
  if (!have_local && !have_address) {
    rc = MGM__LNX_PE_BADHDR;
    goto out;
  }
  out->addr = have_local ? local : address;
  rc = 0;

out:
  return rc;
}

/* First hop of an RTA_MULTIPATH attribute. */
static int lnx_parse_multipath(const struct lnx_attr *mp,
                               struct mgm__lnx_route *out) {
  const uint8_t *p = mp->data;
  size_t off = 0;
  struct lnx_attr a;
  uint16_t hlen;
  int32_t idx;
  int rc;

  if (mp->len < sizeof(struct rtnexthop))
    return MGM__LNX_PE_TRUNC;
  hlen = lnx_get16(p + offsetof(struct rtnexthop, rtnh_len));
  if (hlen < sizeof(struct rtnexthop))
    return MGM__LNX_PE_BADLEN;
  if (hlen > mp->len)
    return MGM__LNX_PE_TRUNC;
  memcpy(&idx, p + offsetof(struct rtnexthop, rtnh_ifindex), sizeof(idx));
  if (idx <= 0)
    return MGM__LNX_PE_BADHDR;
  out->oif = (uint32_t)idx;
  p += RTNH_LENGTH(0);
  hlen = (uint16_t)(hlen - RTNH_LENGTH(0));
  while ((rc = lnx_attr_next(p, hlen, &off, &a)) > 0) {
    if (a.type == RTA_GATEWAY) {
      rc = lnx_attr_u32(&a, &out->gateway);
      if (rc < 0)
        return rc;
    }
  }
  return rc;
}

int mgm__lnx_parse_route(const uint8_t *msg, size_t len,
                         struct mgm__lnx_route *out) {
  const uint8_t *body;
  const uint8_t *attrs;
  size_t alen;
  size_t off = 0;
  struct lnx_attr a;
  int have_oif = 0;
  int rc;

  memset(out, 0, sizeof(*out));
  rc = lnx_body(msg, len, sizeof(struct rtmsg), &body, &attrs, &alen);
  if (rc < 0)
    goto out;
  if (body[offsetof(struct rtmsg, rtm_family)] != AF_INET) {
    rc = MGM__LNX_PE_SKIP;
    goto out;
  }
  out->dst_len = body[offsetof(struct rtmsg, rtm_dst_len)];
  out->table = body[offsetof(struct rtmsg, rtm_table)];
  out->table32 = out->table;
  out->protocol = body[offsetof(struct rtmsg, rtm_protocol)];
  out->type = body[offsetof(struct rtmsg, rtm_type)];
  if (out->dst_len > 32) {
    rc = MGM__LNX_PE_BADHDR;
    goto out;
  }
  while ((rc = lnx_attr_next(attrs, alen, &off, &a)) > 0) {
    switch (a.type) {
    case RTA_DST:
      rc = lnx_attr_u32(&a, &out->dst);
      break;
    case RTA_OIF:
      rc = lnx_attr_u32(&a, &out->oif);
      have_oif = 1;
      break;
    case RTA_GATEWAY:
      rc = lnx_attr_u32(&a, &out->gateway);
      break;
    case RTA_TABLE:
      rc = lnx_attr_u32(&a, &out->table32);
      break;
    case RTA_MULTIPATH:
      if (!have_oif)
        rc = lnx_parse_multipath(&a, out);
      break;
    default:
      break;
    }
    if (rc < 0)
      goto out;
  }
  if (rc < 0)
    goto out;
  rc = 0;

out:
  return rc;
}

/* Write a netlink header at buf. */
static void lnx_put_nlhdr(uint8_t *buf, uint32_t len, uint16_t type,
                          uint16_t flags, uint32_t seq) {
  struct nlmsghdr nh;

  memset(&nh, 0, sizeof(nh));
  nh.nlmsg_len = len;
  nh.nlmsg_type = type;
  nh.nlmsg_flags = flags;
  nh.nlmsg_seq = seq;
  memcpy(buf, &nh, sizeof(nh));
}

int mgm__lnx_build_getroute(void *buf, size_t cap, uint32_t seq, uint32_t dst) {
  uint8_t *p = buf;
  struct rtmsg rtm;
  struct rtattr rta;
  size_t len;

  len = NLMSG_LENGTH(sizeof(rtm)) + RTA_SPACE(sizeof(dst));
  if (cap < len)
    return MGM__LNX_PE_TRUNC;
  memset(p, 0, len);
  lnx_put_nlhdr(p, (uint32_t)len, RTM_GETROUTE, NLM_F_REQUEST, seq);
  memset(&rtm, 0, sizeof(rtm));
  rtm.rtm_family = AF_INET;
  rtm.rtm_dst_len = 32;
  /* Ask for the FIB entry that matched (prefix, protocol, gateway) rather
   * than the resolved /32 host route (Linux >= 4.13; without it the core
   * gets a /32 "route"). */
#ifdef HAVE_RTM_F_FIB_MATCH
  rtm.rtm_flags = RTM_F_FIB_MATCH;
#endif
  memcpy(p + NLMSG_HDRLEN, &rtm, sizeof(rtm));
  rta.rta_len = (unsigned short)RTA_LENGTH(sizeof(dst));
  rta.rta_type = RTA_DST;
  memcpy(p + NLMSG_LENGTH(sizeof(rtm)), &rta, sizeof(rta));
  memcpy(p + NLMSG_LENGTH(sizeof(rtm)) + RTA_LENGTH(0), &dst, sizeof(dst));
  return (int)len;
}

int mgm__lnx_build_dump(void *buf, size_t cap, uint16_t type, uint32_t seq) {
  uint8_t *p = buf;
  size_t body;
  size_t len;

  if (type == RTM_GETLINK)
    body = sizeof(struct ifinfomsg);
  else if (type == RTM_GETADDR)
    body = sizeof(struct ifaddrmsg);
  else
    return MGM__LNX_PE_BADTYPE;
  len = NLMSG_LENGTH(body);
  if (cap < len)
    return MGM__LNX_PE_TRUNC;
  memset(p, 0, len);
  lnx_put_nlhdr(p, (uint32_t)len, type, NLM_F_REQUEST | NLM_F_DUMP, seq);
  /* ifi_family and ifa_family are both the first byte. */
  p[NLMSG_HDRLEN] = type == RTM_GETADDR ? AF_INET : AF_UNSPEC;
  return (int)len;
}
