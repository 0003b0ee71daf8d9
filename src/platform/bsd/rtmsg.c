/*
 * rtmsg.c - portable parser and builder for BSD PF_ROUTE messages.
 *
 * SPDX-License-Identifier: MIT
 *
 * Reads RTM_IFINFO, RTM_IFANNOUNCE, RTM_NEWADDR/DELADDR, OpenBSD's
 * RTM_DESYNC and route messages out of a buffer filled by read(2) or
 * sysctl(NET_RT_IFLIST), and builds the RTM_GET request used for RPF
 * lookups.  Every offset, size, type number and rounding rule comes from
 * the struct mgm_rtm_layout passed in (rtmsg.h), so this file includes no
 * OS header and compiles, unchanged, on Linux for the unit tests.  Hostile
 * or truncated input is reported as an error, never read past.
 */
#include "platform/bsd/rtmsg.h"

#include <string.h>

#include "platform/platform.h"

#define BSD_RTA_DST 0x1
#define BSD_RTA_IFP 0x10

static uint16_t bsd_get16(const uint8_t *p, size_t off) {
  uint16_t v;

  memcpy(&v, p + off, sizeof(v));
  return v;
}

static uint32_t bsd_get32(const uint8_t *p, size_t off) {
  uint32_t v;

  memcpy(&v, p + off, sizeof(v));
  return v;
}

static void bsd_put16(uint8_t *p, size_t off, uint16_t v) {
  memcpy(p + off, &v, sizeof(v));
}

static void bsd_put32(uint8_t *p, size_t off, uint32_t v) {
  memcpy(p + off, &v, sizeof(v));
}

static size_t bsd_field_end(size_t cur, uint16_t off, size_t width) {
  if (off == MGM_RTM_NONE)
    return cur;
  return off + width > cur ? off + width : cur;
}

/* Bytes of header that the fields this module reads occupy. */
static size_t bsd_hdr_need(const struct mgm_rtm_hdr *h) {
  size_t need = 4; /* msglen, version, type */

  need = bsd_field_end(need, h->off_hdrlen, 2);
  need = bsd_field_end(need, h->off_index, 2);
  need = bsd_field_end(need, h->off_tableid, 2);
  need = bsd_field_end(need, h->off_flags, 4);
  need = bsd_field_end(need, h->off_addrs, 4);
  need = bsd_field_end(need, h->off_pid, 4);
  need = bsd_field_end(need, h->off_seq, 4);
  need = bsd_field_end(need, h->off_errno, 4);
  need = bsd_field_end(need, h->off_name, MGM_RTM_NAMESIZ - 1);
  need = bsd_field_end(need, h->off_what, 2);
  need = bsd_field_end(need, h->off_link_state, h->link_state_size);
  return need;
}

static int bsd_check_hdr(const struct mgm_rtm_hdr *h) {
  if (h->size < 4 || bsd_hdr_need(h) > h->size)
    return MGM_RTM_ELAYOUT;
  if (h->off_link_state != MGM_RTM_NONE && h->link_state_size != 1 &&
      h->link_state_size != 4)
    return MGM_RTM_ELAYOUT;
  return 0;
}

int mgm__rtmsg_check_layout(const struct mgm_rtm_layout *lay) {
  int rc = MGM_RTM_ELAYOUT;

  if (lay->sa_align == 0 || (lay->sa_align & (lay->sa_align - 1)) != 0)
    goto out;
  if (lay->sa_zero == 0 || lay->rtax_max > MGM_RTAX_LIMIT)
    goto out;
  if (lay->rtax_max < MGM_RTAX_DECODED)
    goto out;
  if (lay->sin_off_addr + 4u > lay->sin_size || lay->sin_size < 2)
    goto out;
  if (lay->sdl_off_index + 2u > lay->sdl_off_data ||
      lay->sdl_off_nlen >= lay->sdl_off_data)
    goto out;
  if (bsd_check_hdr(&lay->ifm) < 0 || bsd_check_hdr(&lay->ifam) < 0 ||
      bsd_check_hdr(&lay->ifan) < 0 || bsd_check_hdr(&lay->rtm) < 0)
    goto out;
  if (lay->ifan.off_name == MGM_RTM_NONE || lay->ifan.off_what == MGM_RTM_NONE)
    goto out;
  if (lay->ifam.off_addrs == MGM_RTM_NONE || lay->rtm.off_addrs == MGM_RTM_NONE)
    goto out;
  rc = 0;
out:
  return rc;
}

size_t mgm__rtmsg_sa_room(const struct mgm_rtm_layout *lay, uint8_t sa_len) {
  size_t a = lay->sa_align;

  if (sa_len == 0)
    return lay->sa_zero;
  return ((size_t)sa_len + a - 1) & ~(a - 1);
}

uint8_t mgm__rtmsg_prefixlen(uint32_t mask) {
  const uint8_t *b = (const uint8_t *)&mask;
  uint8_t len = 0;
  int seen_zero = 0;
  int i, bit;

  for (i = 0; i < 4; i++) {
    for (bit = 7; bit >= 0; bit--) {
      if (b[i] & (1u << bit)) {
        if (seen_zero)
          return 33;
        len++;
      } else {
        seen_zero = 1;
      }
    }
  }
  return len;
}

/* Netmask sockaddrs are often shortened (trailing zero bytes dropped, sa_len
 * 0 for /0) and may carry family 0 or 0xff. */
static void bsd_decode_mask(const struct mgm_rtm_layout *lay, const uint8_t *sa,
                            uint8_t sa_len, struct mgm_rtm_msg *msg) {
  uint8_t m[4] = {0, 0, 0, 0};
  uint8_t family = sa_len >= 2 ? sa[1] : 0;
  size_t k;

  if (sa_len > lay->sin_size)
    return;
  if (family != 0 && family != lay->af_inet && family != 0xff)
    return;
  for (k = 0; k < 4; k++) {
    if (lay->sin_off_addr + k < sa_len)
      m[k] = sa[lay->sin_off_addr + k];
  }
  memcpy(&msg->v4[MGM_RTAX_NETMASK], m, 4);
  msg->v4_have |= 1u << MGM_RTAX_NETMASK;
  msg->prefixlen = mgm__rtmsg_prefixlen(msg->v4[MGM_RTAX_NETMASK]);
}

static int bsd_decode_sa(const struct mgm_rtm_layout *lay, unsigned slot,
                         const uint8_t *sa, uint8_t sa_len,
                         struct mgm_rtm_msg *msg) {
  uint8_t family;
  uint8_t nlen;
  uint16_t idx;
  int rc = 0;

  if (slot >= MGM_RTAX_DECODED)
    goto out;
  if (slot == MGM_RTAX_NETMASK || slot == MGM_RTAX_GENMASK) {
    if (slot == MGM_RTAX_NETMASK)
      bsd_decode_mask(lay, sa, sa_len, msg);
    goto out;
  }
  if (sa_len < 2)
    goto out; /* an empty sockaddr: nothing to decode */
  family = sa[1];
  if (family == lay->af_inet) {
    if (sa_len < lay->sin_off_addr + 4u) {
      rc = MGM_RTM_ESADDR;
      goto out;
    }
    memcpy(&msg->v4[slot], sa + lay->sin_off_addr, 4);
    msg->v4_have |= 1u << slot;
  } else if (family == lay->af_link) {
    if (sa_len < lay->sdl_off_data || sa_len < lay->sdl_off_index + 2u ||
        sa_len <= lay->sdl_off_nlen) {
      rc = MGM_RTM_ESADDR;
      goto out;
    }
    nlen = sa[lay->sdl_off_nlen];
    if ((size_t)lay->sdl_off_data + nlen > sa_len) {
      rc = MGM_RTM_ESADDR;
      goto out;
    }
    idx = bsd_get16(sa, lay->sdl_off_index);
    if (slot == MGM_RTAX_IFP) {
      msg->ifp_index = idx;
      if (nlen > MGM_RTM_NAMESIZ - 1)
        nlen = MGM_RTM_NAMESIZ - 1;
      if (msg->name[0] == '\0' && nlen > 0) {
        memcpy(msg->name, sa + lay->sdl_off_data, nlen);
        msg->name[nlen] = '\0';
      }
    } else if (slot == MGM_RTAX_GATEWAY) {
      msg->gw_link_index = idx;
    }
  }
out:
  return rc;
}

/* Walk the sockaddrs that follow a header, in RTAX order. */
static int bsd_parse_sas(const struct mgm_rtm_layout *lay, const uint8_t *sa,
                         size_t rem, uint32_t addrs, struct mgm_rtm_msg *msg) {
  size_t pos = 0;
  unsigned slot;
  uint8_t sa_len;
  int rc = 0;

  for (slot = 0; slot < lay->rtax_max; slot++) {
    if (!(addrs & (1u << slot)))
      continue;
    if (pos >= rem) {
      rc = MGM_RTM_ESADDR; /* announced but missing */
      goto out;
    }
    sa_len = sa[pos];
    if (sa_len > rem - pos) {
      rc = MGM_RTM_ESADDR;
      goto out;
    }
    rc = bsd_decode_sa(lay, slot, sa + pos, sa_len, msg);
    if (rc < 0)
      goto out;
    pos += mgm__rtmsg_sa_room(lay, sa_len);
    if (pos > rem)
      pos = rem; /* the last sockaddr's padding may be cut off */
  }
out:
  return rc;
}

/* Length of the header proper: *_hdrlen where the OS has it (OpenBSD),
 * sizeof otherwise.  It must hold every field we read and fit msglen. */
static int bsd_hdr_len(const struct mgm_rtm_hdr *h, const uint8_t *p,
                       size_t msglen, size_t *hlen) {
  size_t len = h->size;

  if (h->off_hdrlen != MGM_RTM_NONE) {
    if (msglen < h->off_hdrlen + 2u)
      return MGM_RTM_EHDR;
    len = bsd_get16(p, h->off_hdrlen);
  }
  if (len < bsd_hdr_need(h) || len > msglen)
    return MGM_RTM_EHDR;
  *hlen = len;
  return 0;
}

static enum mgm_rtm_kind bsd_kind(const struct mgm_rtm_layout *lay,
                                  uint8_t type) {
  if (type == 0)
    return MGM_RTM_OTHER;
  if (type == lay->t_ifinfo)
    return MGM_RTM_IFINFO;
  if (type == lay->t_ifannounce)
    return MGM_RTM_IFANNOUNCE;
  if (type == lay->t_newaddr)
    return MGM_RTM_NEWADDR;
  if (type == lay->t_deladdr)
    return MGM_RTM_DELADDR;
  if (type == lay->t_desync)
    return MGM_RTM_DESYNC;
  if (type == lay->t_add || type == lay->t_delete || type == lay->t_change ||
      type == lay->t_get)
    return MGM_RTM_ROUTE;
  return MGM_RTM_OTHER;
}

static uint32_t bsd_mgm_flags(const struct mgm_rtm_layout *lay, uint32_t f) {
  uint32_t out = 0;

  if (f & lay->iff_up)
    out |= MGM_IFF_UP;
  if (f & lay->iff_running)
    out |= MGM_IFF_RUNNING;
  if (f & lay->iff_multicast)
    out |= MGM_IFF_MULTICAST;
  if (f & lay->iff_loopback)
    out |= MGM_IFF_LOOPBACK;
  return out;
}

static const struct mgm_rtm_hdr *bsd_hdr_of(const struct mgm_rtm_layout *lay,
                                            enum mgm_rtm_kind kind) {
  switch (kind) {
  case MGM_RTM_IFINFO:
    return &lay->ifm;
  case MGM_RTM_IFANNOUNCE:
    return &lay->ifan;
  case MGM_RTM_NEWADDR:
  case MGM_RTM_DELADDR:
    return &lay->ifam;
  case MGM_RTM_ROUTE:
    return &lay->rtm;
  default:
    return NULL;
  }
}

int mgm__rtmsg_next(const struct mgm_rtm_layout *lay, const void *buf,
                    size_t len, size_t *off, struct mgm_rtm_msg *msg) {
  const struct mgm_rtm_hdr *h;
  const uint8_t *p;
  size_t rem, hlen = 0, nlen;
  uint16_t msglen;
  int rc = 1;

  memset(msg, 0, sizeof(*msg));
  msg->link_state = -1;
  if (*off >= len) {
    rc = 0;
    goto out;
  }
  p = (const uint8_t *)buf + *off;
  rem = len - *off;
  if (rem < 4) {
    *off = len;
    rc = MGM_RTM_ETRUNC;
    goto out;
  }
  msglen = bsd_get16(p, 0);
  if (msglen < 4) {
    *off = len; /* msglen 0 cannot be skipped: stop here */
    rc = MGM_RTM_EFRAME;
    goto out;
  }
  if (msglen > rem) {
    *off = len;
    rc = MGM_RTM_ETRUNC;
    goto out;
  }
  *off += msglen; /* from here on a bad message is skipped */
  msg->msglen = msglen;
  msg->type = p[3];
  if (p[2] != lay->version) {
    rc = MGM_RTM_EVERSION;
    goto out;
  }
  msg->kind = bsd_kind(lay, p[3]);
  h = bsd_hdr_of(lay, msg->kind);
  if (h == NULL)
    goto out; /* OTHER or DESYNC: nothing to read */
  rc = bsd_hdr_len(h, p, msglen, &hlen);
  if (rc < 0)
    goto out;
  rc = 1;
  if (h->off_index != MGM_RTM_NONE)
    msg->ifindex = bsd_get16(p, h->off_index);
  if (h->off_tableid != MGM_RTM_NONE)
    msg->tableid = bsd_get16(p, h->off_tableid);
  if (h->off_flags != MGM_RTM_NONE)
    msg->flags = (int32_t)bsd_get32(p, h->off_flags);
  if (h->off_addrs != MGM_RTM_NONE)
    msg->addrs = (int32_t)bsd_get32(p, h->off_addrs);
  switch (msg->kind) {
  case MGM_RTM_IFINFO:
    msg->mgm_flags = bsd_mgm_flags(lay, (uint32_t)msg->flags);
    if (h->off_link_state != MGM_RTM_NONE)
      msg->link_state = h->link_state_size == 1
                            ? p[h->off_link_state]
                            : (int32_t)bsd_get32(p, h->off_link_state);
    break;
  case MGM_RTM_IFANNOUNCE:
    msg->what = bsd_get16(p, h->off_what);
    if (msg->what == lay->ifan_departure) {
      msg->departure = 1;
    } else if (msg->what != lay->ifan_arrival) {
      msg->kind = MGM_RTM_OTHER; /* an announcement we do not know */
      goto out;
    }
    nlen = 0; /* ifan_name need not be NUL-terminated (C11: no strnlen) */
    while (nlen < MGM_RTM_NAMESIZ - 1 && p[h->off_name + nlen] != '\0')
      nlen++;
    memcpy(msg->name, p + h->off_name, nlen);
    msg->name[nlen] = '\0';
    break;
  case MGM_RTM_ROUTE:
    msg->pid = (int32_t)bsd_get32(p, h->off_pid);
    msg->seq = (int32_t)bsd_get32(p, h->off_seq);
    msg->err = (int32_t)bsd_get32(p, h->off_errno);
    break;
  default:
    break;
  }
  if (h->off_addrs != MGM_RTM_NONE && msg->addrs != 0) {
    rc = bsd_parse_sas(lay, p + hlen, msglen - hlen, (uint32_t)msg->addrs, msg);
    if (rc == 0)
      rc = 1;
  }
out:
  return rc;
}

int mgm__rtmsg_build_get(const struct mgm_rtm_layout *lay, void *buf,
                         size_t cap, uint32_t dst, int32_t pid, int32_t seq,
                         uint16_t tableid) {
  const struct mgm_rtm_hdr *h = &lay->rtm;
  uint8_t *p = buf;
  size_t total;
  int rc;

  rc = mgm__rtmsg_check_layout(lay);
  if (rc < 0 || lay->t_get == 0 || h->off_pid == MGM_RTM_NONE ||
      h->off_seq == MGM_RTM_NONE || h->off_flags == MGM_RTM_NONE) {
    rc = MGM_RTM_ELAYOUT;
    goto out;
  }
  total = h->size + mgm__rtmsg_sa_room(lay, lay->sin_size);
  if (total > cap || total > 0xffffu) {
    rc = MGM_RTM_ESPACE;
    goto out;
  }
  memset(p, 0, total);
  bsd_put16(p, 0, (uint16_t)total);
  p[2] = lay->version;
  p[3] = lay->t_get;
  if (h->off_hdrlen != MGM_RTM_NONE)
    bsd_put16(p, h->off_hdrlen, h->size);
  if (h->off_tableid != MGM_RTM_NONE)
    bsd_put16(p, h->off_tableid, tableid);
  bsd_put32(p, h->off_flags, lay->rtf_up | lay->rtf_host);
  bsd_put32(p, h->off_addrs, BSD_RTA_DST | BSD_RTA_IFP);
  bsd_put32(p, h->off_pid, (uint32_t)pid);
  bsd_put32(p, h->off_seq, (uint32_t)seq);
  p[h->size] = lay->sin_size;
  p[h->size + 1] = lay->af_inet;
  memcpy(p + h->size + lay->sin_off_addr, &dst, 4);
  rc = (int)total;
out:
  return rc;
}

const char *mgm__rtmsg_strerror(int err) {
  switch (err) {
  case MGM_RTM_ETRUNC:
    return "truncated routing message";
  case MGM_RTM_EFRAME:
    return "bad routing message length";
  case MGM_RTM_EVERSION:
    return "unexpected routing message version";
  case MGM_RTM_EHDR:
    return "routing message header too short";
  case MGM_RTM_ESADDR:
    return "bad sockaddr in routing message";
  case MGM_RTM_ELAYOUT:
    return "inconsistent routing-socket layout";
  case MGM_RTM_ESPACE:
    return "buffer too small";
  default:
    return err >= 0 ? "no error" : "unknown error";
  }
}
