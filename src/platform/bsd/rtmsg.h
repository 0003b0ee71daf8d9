/*
 * rtmsg.h - portable parser and builder for BSD PF_ROUTE messages, driven
 * by a self-describing layout instead of the OS headers.
 *
 * SPDX-License-Identifier: MIT
 *
 * FreeBSD, NetBSD and OpenBSD share the routing-socket idea (kernel.md
 * C.6) but not its bytes: message type numbers, header field order and
 * size, the OpenBSD *_hdrlen field and the sockaddr rounding rule all
 * differ.  This module knows none of them.  A struct mgm_rtm_layout says
 * where every field lives; on a BSD it is filled from the real headers
 * with offsetof/sizeof (oscaps.c), and the Linux unit tests fill it from
 * the documented layouts, so the same parser code runs in both places.
 * Multi-byte header fields are in host byte order (they are on every BSD);
 * IPv4 addresses are returned in network byte order.
 */
#ifndef MGM_BSD_RTMSG_H
#define MGM_BSD_RTMSG_H

#include <stddef.h>
#include <stdint.h>

/* An offset that a header does not have. */
#define MGM_RTM_NONE 0xffffu

/* Interface-name buffer: IFNAMSIZ (16) on every BSD, plus a NUL. */
#define MGM_RTM_NAMESIZ 17

/* Sockaddr slots in RTAX order.  Bits 0..7 are the 4.4BSD order shared by
 * all three BSDs (oscaps.c asserts it against the headers); later slots
 * (NetBSD RTAX_TAG, OpenBSD RTAX_SRC...) are walked over but not decoded. */
#define MGM_RTAX_DST 0
#define MGM_RTAX_GATEWAY 1
#define MGM_RTAX_NETMASK 2
#define MGM_RTAX_GENMASK 3
#define MGM_RTAX_IFP 4
#define MGM_RTAX_IFA 5
#define MGM_RTAX_AUTHOR 6
#define MGM_RTAX_BRD 7
#define MGM_RTAX_DECODED 8 /* slots whose IPv4 value is decoded */
#define MGM_RTAX_LIMIT 32  /* rtax_max may not exceed this */

/* Where one message header keeps its fields (byte offsets from the start
 * of the message; MGM_RTM_NONE if absent).  Widths are fixed by the BSD
 * ABI: index, hdrlen, tableid and what are u_short; flags, addrs, pid, seq
 * and errno are int. */
struct mgm_rtm_hdr {
  uint16_t size;           /* sizeof the header struct */
  uint16_t off_hdrlen;     /* OpenBSD: header length to skip */
  uint16_t off_index;      /* interface index */
  uint16_t off_tableid;    /* OpenBSD: routing table / rdomain */
  uint16_t off_flags;      /* if_flags, ifa_flags or rtm_flags */
  uint16_t off_addrs;      /* RTA_* bitmask of trailing sockaddrs */
  uint16_t off_pid;        /* rt_msghdr only */
  uint16_t off_seq;        /* rt_msghdr only */
  uint16_t off_errno;      /* rt_msghdr only */
  uint16_t off_name;       /* if_announcemsghdr only: char[16] */
  uint16_t off_what;       /* if_announcemsghdr only */
  uint16_t off_link_state; /* if_msghdr only: ifm_data.ifi_link_state */
  uint8_t link_state_size; /* 1 (u_char) or 4 (int, NetBSD) */
};

/* Everything the parser needs to know about one OS's routing socket. */
struct mgm_rtm_layout {
  const char *name; /* "freebsd", "netbsd", "openbsd": for messages */
  uint8_t version;  /* RTM_VERSION */
  uint8_t sa_align; /* sockaddrs are rounded up to this (power of 2) */
  uint8_t sa_zero;  /* room taken by a sockaddr whose sa_len is 0 */
  uint8_t rtax_max; /* RTAX_MAX */
  /* message types; 0 = the OS has no such message */
  uint8_t t_ifinfo, t_ifannounce, t_newaddr, t_deladdr, t_desync;
  uint8_t t_add, t_delete, t_change, t_get;
  uint8_t af_inet, af_link; /* address families */
  uint16_t ifan_arrival, ifan_departure;
  uint32_t iff_up, iff_running, iff_multicast, iff_loopback;
  uint32_t iff_pointopoint;
  uint32_t rtf_up, rtf_gateway, rtf_host, rtf_reject, rtf_blackhole;
  uint32_t rtf_static, rtf_multicast; /* 0 = the OS has no such flag */
  uint8_t sin_off_addr;               /* sockaddr_in: sin_addr */
  uint8_t sin_size;                   /* sizeof(struct sockaddr_in) */
  uint8_t sdl_off_index;              /* sockaddr_dl: sdl_index (u_short) */
  uint8_t sdl_off_nlen;               /* sockaddr_dl: sdl_nlen */
  uint8_t sdl_off_data;               /* sockaddr_dl: sdl_data (name first) */
  struct mgm_rtm_hdr ifm;             /* struct if_msghdr */
  struct mgm_rtm_hdr ifam;            /* struct ifa_msghdr */
  struct mgm_rtm_hdr ifan;            /* struct if_announcemsghdr */
  struct mgm_rtm_hdr rtm;             /* struct rt_msghdr */
};

enum mgm_rtm_kind {
  MGM_RTM_OTHER = 0, /* well framed, not interesting: skipped */
  MGM_RTM_IFINFO,
  MGM_RTM_IFANNOUNCE,
  MGM_RTM_NEWADDR,
  MGM_RTM_DELADDR,
  MGM_RTM_DESYNC, /* OpenBSD: the kernel dropped messages */
  MGM_RTM_ROUTE   /* RTM_ADD/DELETE/CHANGE/GET (rt_msghdr) */
};

/* Parse errors.  After ETRUNC and EFRAME the rest of the buffer cannot be
 * framed and *off is set to its end; after the others the message was
 * skipped by its msglen and parsing may continue. */
enum mgm_rtm_err {
  MGM_RTM_ETRUNC = -1,   /* fewer bytes than the header or msglen says */
  MGM_RTM_EFRAME = -2,   /* msglen 0 or shorter than the common header */
  MGM_RTM_EVERSION = -3, /* rtm_version is not the layout's */
  MGM_RTM_EHDR = -4,     /* msglen/hdrlen too short for this type */
  MGM_RTM_ESADDR = -5,   /* a sockaddr runs past the message or is bad */
  MGM_RTM_ELAYOUT = -6,  /* the layout itself is inconsistent */
  MGM_RTM_ESPACE = -7    /* builder: output buffer too small */
};

/* One parsed message.  Only the fields of its kind are meaningful. */
struct mgm_rtm_msg {
  enum mgm_rtm_kind kind;
  uint8_t type; /* raw rtm_type */
  uint16_t msglen;
  uint32_t ifindex;              /* header index (ifm/ifam/ifan/rtm_index) */
  uint32_t tableid;              /* OpenBSD tableid, else 0 */
  int32_t flags;                 /* raw flags field */
  uint32_t mgm_flags;            /* IFINFO: MGM_IFF_* translation of flags */
  int32_t link_state;            /* IFINFO: ifi_link_state, -1 if unknown */
  int departure;                 /* IFANNOUNCE: 1 departure, 0 arrival */
  uint16_t what;                 /* IFANNOUNCE: raw ifan_what */
  char name[MGM_RTM_NAMESIZ];    /* IFANNOUNCE name, or RTA_IFP's name */
  int32_t addrs;                 /* RTA_* bitmask as sent */
  uint32_t v4_have;              /* bit MGM_RTAX_x: v4[x] holds an IPv4 value */
  uint32_t v4[MGM_RTAX_DECODED]; /* network byte order */
  uint8_t prefixlen;             /* from the netmask, if v4_have has NETMASK */
  uint32_t ifp_index;            /* RTA_IFP sockaddr_dl index, 0 if none */
  uint32_t gw_link_index; /* AF_LINK gateway (connected route), 0 if none */
  int32_t pid, seq, err;  /* ROUTE: rtm_pid, rtm_seq, rtm_errno */
};

/* Check that every offset of the layout lies inside its header.  Returns 0
 * or MGM_RTM_ELAYOUT. */
int mgm__rtmsg_check_layout(const struct mgm_rtm_layout *lay);

/* Space one sockaddr of length sa_len takes in a message. */
size_t mgm__rtmsg_sa_room(const struct mgm_rtm_layout *lay, uint8_t sa_len);

/* Parse the message at buf[*off] (len bytes in buf).  Returns 1 with *msg
 * filled and *off advanced past it, 0 at the end of the buffer, or a
 * negative enum mgm_rtm_err (see there for how *off moves).  Never reads
 * outside buf[0..len). */
int mgm__rtmsg_next(const struct mgm_rtm_layout *lay, const void *buf,
                    size_t len, size_t *off, struct mgm_rtm_msg *msg);

/* Build an RTM_GET request for the route toward dst (network order),
 * asking for the interface too (RTA_DST|RTA_IFP).  Returns the message
 * length or MGM_RTM_ESPACE / MGM_RTM_ELAYOUT. */
int mgm__rtmsg_build_get(const struct mgm_rtm_layout *lay, void *buf,
                         size_t cap, uint32_t dst, int32_t pid, int32_t seq,
                         uint16_t tableid);

/* Prefix length of a contiguous netmask (network order); 33 if the mask
 * is not contiguous. */
uint8_t mgm__rtmsg_prefixlen(uint32_t mask);

const char *mgm__rtmsg_strerror(int err);

#endif /* MGM_BSD_RTMSG_H */
