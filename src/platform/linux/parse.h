/*
 * parse.h - byte-buffer parsers for what the Linux kernel sends the
 * backend: igmpmsg upcalls / IGMP packets from the multicast-router socket
 * and rtnetlink link, address, route and error messages.
 *
 * SPDX-License-Identifier: MIT
 *
 * The parsers take a pointer and a length and nothing else, so unit tests
 * feed them byte fixtures (tests/linux).  They never trust a length field
 * they have not checked against the buffer, never read out of bounds and
 * report every malformed input as a negative MGM__LNX_PE_* code; callers
 * count and drop those.  Multi-byte fields are copied out with memcpy, so
 * the buffer needs no particular alignment.  Addresses stay in network byte
 * order (kernel.md A.3, mgm-spec 1.3).
 */
#ifndef MGM_LINUX_PARSE_H
#define MGM_LINUX_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Parse errors (negative) and the "not for us" verdict. */
#define MGM__LNX_PE_TRUNC (-1)   /* shorter than its headers say */
#define MGM__LNX_PE_BADLEN (-2)  /* a length field is inconsistent */
#define MGM__LNX_PE_BADTYPE (-3) /* unknown message / upcall type */
#define MGM__LNX_PE_BADHDR (-4)  /* malformed IP header */
#define MGM__LNX_PE_SKIP (-5)    /* well formed but not of interest */

/* ---- The multicast-router (raw IGMP) socket ----------------------------- */

#define MGM__LNX_MRT_UPCALL 1 /* kernel upcall (struct igmpmsg) */
#define MGM__LNX_MRT_IGMP 2   /* a real IGMP packet, IP header included */

struct mgm__lnx_mrt_msg {
  int kind;               /* MGM__LNX_MRT_* */
  uint8_t msgtype;        /* upcall: IGMPMSG_* (1..4) */
  uint16_t vif;           /* upcall: VIF index (im_vif | im_vif_hi << 8) */
  uint32_t src;           /* upcall: im_src; IGMP: IP source */
  uint32_t dst;           /* upcall: im_dst; IGMP: IP destination */
  const uint8_t *payload; /* upcall: the whole message (header copy);
                             IGMP: the IGMP message after the IP header */
  size_t payload_len;
};

/* Classify and parse one datagram read from the router socket.  Returns
 * MGM__LNX_MRT_UPCALL or MGM__LNX_MRT_IGMP, or a MGM__LNX_PE_* error. */
int mgm__lnx_parse_mrt(const void *buf, size_t len,
                       struct mgm__lnx_mrt_msg *out);

/* ---- rtnetlink ---------------------------------------------------------- */

/* Walk the netlink messages of one datagram.  *off starts at 0.  Returns 1
 * and sets *msg / *msglen to the next message (header included), 0 at the
 * end, or MGM__LNX_PE_* when the framing is broken (stop walking then). */
int mgm__lnx_nl_next(const void *buf, size_t len, size_t *off,
                     const uint8_t **msg, size_t *msglen);

/* Header fields of one message (msg from mgm__lnx_nl_next). */
struct mgm__lnx_nlhdr {
  uint16_t type;
  uint16_t flags;
  uint32_t seq;
  uint32_t pid;
};
int mgm__lnx_nl_header(const uint8_t *msg, size_t len,
                       struct mgm__lnx_nlhdr *out);

/* NLMSG_ERROR: *err = the (positive) errno, 0 for an ACK. */
int mgm__lnx_parse_nlerr(const uint8_t *msg, size_t len, int *err);

#define MGM__LNX_IFNAMSIZ 16

struct mgm__lnx_link {
  uint8_t family; /* ifi_family: AF_UNSPEC, or AF_BRIDGE for ports */
  uint32_t ifindex;
  uint32_t flags;               /* IFF_* as the kernel sent them */
  char name[MGM__LNX_IFNAMSIZ]; /* "" when absent */
};
/* RTM_NEWLINK / RTM_DELLINK. */
int mgm__lnx_parse_link(const uint8_t *msg, size_t len,
                        struct mgm__lnx_link *out);

struct mgm__lnx_addr {
  uint32_t ifindex;
  uint32_t addr; /* IFA_LOCAL, else IFA_ADDRESS */
  uint8_t prefixlen;
};
/* RTM_NEWADDR / RTM_DELADDR; MGM__LNX_PE_SKIP for non-IPv4. */
int mgm__lnx_parse_addr(const uint8_t *msg, size_t len,
                        struct mgm__lnx_addr *out);

struct mgm__lnx_route {
  uint8_t type;     /* RTN_* */
  uint8_t protocol; /* RTPROT_* */
  uint8_t dst_len;
  uint8_t table;    /* rtm_table; see table32 */
  uint32_t table32; /* RTA_TABLE when present, else rtm_table */
  uint32_t dst;     /* RTA_DST (0 when absent: default route) */
  uint32_t oif;     /* RTA_OIF, or first RTA_MULTIPATH hop */
  uint32_t gateway; /* RTA_GATEWAY, or first RTA_MULTIPATH hop's */
};
/* RTM_NEWROUTE of family AF_INET; MGM__LNX_PE_SKIP for other families. */
int mgm__lnx_parse_route(const uint8_t *msg, size_t len,
                         struct mgm__lnx_route *out);

/* Build an RTM_GETROUTE request for dst into buf (cap bytes, >= 64).
 * Returns its length or MGM__LNX_PE_TRUNC if cap is too small. */
int mgm__lnx_build_getroute(void *buf, size_t cap, uint32_t seq, uint32_t dst);

/* Build a dump request (RTM_GETLINK or RTM_GETADDR, family AF_UNSPEC /
 * AF_INET).  Returns its length or MGM__LNX_PE_TRUNC. */
int mgm__lnx_build_dump(void *buf, size_t cap, uint16_t type, uint32_t seq);

#endif /* MGM_LINUX_PARSE_H */
