/*
 * test_rtmsg.c - byte-fixture tests of the portable PF_ROUTE parser and
 * RTM_GET builder (src/platform/bsd/rtmsg.c) with the documented FreeBSD,
 * NetBSD and OpenBSD layouts.
 *
 * SPDX-License-Identifier: MIT
 *
 * Every fixture is written with the literal offsets of that OS's header
 * (quoted next to each write).  Malformed input - truncated, msglen 0,
 * msglen past the buffer, unknown types, bad sockaddrs, random mutations -
 * must come back as an error or be skipped, never read past the buffer.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "doc_layouts.h"
#include "fixture.h"
#include "platform/bsd/rtmsg.h"
#include "platform/platform.h"

#define IFF_UP_RUN_MC 0x8043u /* IFF_UP | IFF_RUNNING | IFF_MULTICAST */

static struct mgm_rtm_layout fbsd, nbsd, obsd;

static void setup(void) {
  doc_rtm_layout(DOC_FREEBSD, &fbsd);
  doc_rtm_layout(DOC_NETBSD, &nbsd);
  doc_rtm_layout(DOC_OPENBSD, &obsd);
}

TestSuite(rtmsg, .init = setup);

/* Parse exactly one message from buf and expect success. */
static void parse1(const struct mgm_rtm_layout *lay, const uint8_t *buf,
                   size_t len, struct mgm_rtm_msg *msg) {
  size_t off = 0;
  int rc = mgm__rtmsg_next(lay, buf, len, &off, msg);

  cr_assert_eq(rc, 1, "%s: parse returned %d (%s)", lay->name, rc,
               mgm__rtmsg_strerror(rc));
  cr_assert_eq(off, len, "%s: consumed %zu of %zu", lay->name, off, len);
}

/* ---- the layouts themselves ------------------------------------------ */

Test(rtmsg, documented_layouts_are_consistent) {
  cr_assert_eq(mgm__rtmsg_check_layout(&fbsd), 0);
  cr_assert_eq(mgm__rtmsg_check_layout(&nbsd), 0);
  cr_assert_eq(mgm__rtmsg_check_layout(&obsd), 0);
}

Test(rtmsg, inconsistent_layout_is_refused) {
  struct mgm_rtm_layout bad = fbsd;

  bad.ifan.off_what = 23; /* u_short at 23 runs past sizeof 24 */
  cr_assert_eq(mgm__rtmsg_check_layout(&bad), MGM_RTM_ELAYOUT);
  bad = fbsd;
  bad.sa_align = 6;
  cr_assert_eq(mgm__rtmsg_check_layout(&bad), MGM_RTM_ELAYOUT);
  bad = fbsd;
  bad.rtax_max = 40;
  cr_assert_eq(mgm__rtmsg_check_layout(&bad), MGM_RTM_ELAYOUT);
  bad = fbsd;
  bad.ifm.link_state_size = 2;
  cr_assert_eq(mgm__rtmsg_check_layout(&bad), MGM_RTM_ELAYOUT);
}

Test(rtmsg, sockaddr_rounding_per_os) {
  /* FreeBSD SA_SIZE: long rounding, 0 counts as sizeof(long) */
  cr_assert_eq(mgm__rtmsg_sa_room(&fbsd, 0), 8);
  cr_assert_eq(mgm__rtmsg_sa_room(&fbsd, 1), 8);
  cr_assert_eq(mgm__rtmsg_sa_room(&fbsd, 16), 16);
  cr_assert_eq(mgm__rtmsg_sa_room(&fbsd, 17), 24);
  /* NetBSD RT_ROUNDUP: uint64_t on every architecture */
  cr_assert_eq(mgm__rtmsg_sa_room(&nbsd, 0), 8);
  cr_assert_eq(mgm__rtmsg_sa_room(&nbsd, 12), 16);
  /* OpenBSD ROUNDUP: long */
  cr_assert_eq(mgm__rtmsg_sa_room(&obsd, 0), 8);
  cr_assert_eq(mgm__rtmsg_sa_room(&obsd, 9), 16);
}

Test(rtmsg, prefixlen) {
  cr_assert_eq(mgm__rtmsg_prefixlen(fx_ip(255, 255, 255, 0)), 24);
  cr_assert_eq(mgm__rtmsg_prefixlen(fx_ip(0, 0, 0, 0)), 0);
  cr_assert_eq(mgm__rtmsg_prefixlen(fx_ip(255, 255, 255, 255)), 32);
  cr_assert_eq(mgm__rtmsg_prefixlen(fx_ip(255, 255, 128, 0)), 17);
  cr_assert_eq(mgm__rtmsg_prefixlen(fx_ip(255, 0, 255, 0)), 33);
}

/* ---- FreeBSD ------------------------------------------------------------ */

/* struct if_msghdr (168): msglen 0, version 2, type 3, ifm_addrs 4,
 * ifm_flags 8, ifm_index 12, ifm_data 16 (ifi_type 16, ifi_link_state 20).
 * With ifp, the sysctl(NET_RT_IFLIST) form carrying RTA_IFP. */
static size_t fbsd_ifinfo(uint8_t *b, uint16_t index, uint32_t flags,
                          uint8_t link, const char *ifp) {
  size_t len = 168;

  memset(b, 0, 256);
  b[2] = 5;
  b[3] = 0x0e;
  fx_u32(b, 8, flags);
  fx_u16(b, 12, index);
  b[16] = 6;
  b[20] = link;
  if (ifp != NULL) {
    fx_u32(b, 4, 0x10); /* RTA_IFP */
    len = fx_sdl(b, 168, index, ifp, 8);
  }
  fx_u16(b, 0, (uint16_t)len);
  return len;
}

/* struct ifa_msghdr (20): msglen 0, version 2, type 3, ifam_addrs 4,
 * ifam_flags 8, ifam_index 12, ifam_metric 16; sockaddrs from 20 in RTAX
 * order NETMASK(2) IFP(4) IFA(5) BRD(7).  mask_len: the netmask sa_len. */
static size_t fbsd_ifa(uint8_t *b, uint8_t type, uint16_t index, uint32_t addr,
                       uint8_t mask_len, uint32_t mask, uint32_t brd) {
  size_t off = 20;

  memset(b, 0, 256);
  b[2] = 5;
  b[3] = type;
  fx_u32(b, 4, 0x04 | 0x10 | 0x20 | 0x80);
  fx_u16(b, 12, index);
  off = fx_sin(b, off, mask_len, 2, mask, 8);
  off = fx_sdl(b, off, index, "em0", 8);
  off = fx_sin(b, off, 16, 2, addr, 8);
  off = fx_sin(b, off, 16, 2, brd, 8);
  fx_u16(b, 0, (uint16_t)off);
  return off;
}

/* struct if_announcemsghdr (24): msglen 0, version 2, type 3, ifan_index 4,
 * ifan_name 6..21, ifan_what 22. */
static size_t fbsd_ifan(uint8_t *b, uint16_t index, const char *name,
                        uint16_t what) {
  memset(b, 0, 24);
  fx_u16(b, 0, 24);
  b[2] = 5;
  b[3] = 0x11;
  fx_u16(b, 4, index);
  memcpy(b + 6, name, strlen(name) < 16 ? strlen(name) : 16);
  fx_u16(b, 22, what);
  return 24;
}

Test(rtmsg, freebsd_ifinfo) {
  uint8_t b[256];
  struct mgm_rtm_msg m;
  size_t len = fbsd_ifinfo(b, 2, IFF_UP_RUN_MC, 2, NULL);

  parse1(&fbsd, b, len, &m);
  cr_assert_eq(m.kind, MGM_RTM_IFINFO);
  cr_assert_eq(m.ifindex, 2);
  cr_assert_eq(m.mgm_flags, MGM_IFF_UP | MGM_IFF_RUNNING | MGM_IFF_MULTICAST);
  cr_assert_eq(m.link_state, 2);
  cr_assert_eq(m.name[0], '\0');
}

Test(rtmsg, freebsd_ifinfo_down_loopback) {
  uint8_t b[256];
  struct mgm_rtm_msg m;
  size_t len = fbsd_ifinfo(b, 1, 0x8008, 0, NULL); /* LOOPBACK|MULTICAST */

  parse1(&fbsd, b, len, &m);
  cr_assert_eq(m.mgm_flags, MGM_IFF_LOOPBACK | MGM_IFF_MULTICAST);
  cr_assert_eq(m.link_state, 0);
}

Test(rtmsg, freebsd_ifinfo_sysctl_form_names_the_interface) {
  uint8_t b[256];
  struct mgm_rtm_msg m;
  size_t len = fbsd_ifinfo(b, 7, IFF_UP_RUN_MC, 2, "igb1");

  cr_assert_eq(len, 168 + 24); /* sdl_len 8+4+6 = 18 -> 24 */
  parse1(&fbsd, b, len, &m);
  cr_assert_eq(m.ifp_index, 7);
  cr_assert_str_eq(m.name, "igb1");
}

Test(rtmsg, freebsd_ifannounce_arrival_and_departure) {
  uint8_t b[48];
  struct mgm_rtm_msg m;
  size_t off = 0, len;
  int rc;

  len = fbsd_ifan(b, 9, "lagg0", 0);
  len += fbsd_ifan(b + len, 9, "lagg0", 1);
  rc = mgm__rtmsg_next(&fbsd, b, len, &off, &m);
  cr_assert_eq(rc, 1);
  cr_assert_eq(m.kind, MGM_RTM_IFANNOUNCE);
  cr_assert_eq(m.ifindex, 9);
  cr_assert_str_eq(m.name, "lagg0");
  cr_assert_eq(m.departure, 0);
  rc = mgm__rtmsg_next(&fbsd, b, len, &off, &m);
  cr_assert_eq(rc, 1);
  cr_assert_eq(m.departure, 1);
  cr_assert_eq(mgm__rtmsg_next(&fbsd, b, len, &off, &m), 0);
}

Test(rtmsg, freebsd_ifannounce_full_length_name_is_terminated) {
  uint8_t b[24];
  struct mgm_rtm_msg m;

  fbsd_ifan(b, 4, "abcdefghijklmnop", 0); /* 16 bytes, no NUL */
  parse1(&fbsd, b, 24, &m);
  cr_assert_eq(strlen(m.name), 16);
  cr_assert_str_eq(m.name, "abcdefghijklmnop");
}

Test(rtmsg, freebsd_ifannounce_unknown_what_is_skipped) {
  uint8_t b[24];
  struct mgm_rtm_msg m;

  fbsd_ifan(b, 4, "tun0", 7);
  parse1(&fbsd, b, 24, &m);
  cr_assert_eq(m.kind, MGM_RTM_OTHER);
}

Test(rtmsg, freebsd_newaddr) {
  uint8_t b[256];
  struct mgm_rtm_msg m;
  size_t len;

  len = fbsd_ifa(b, 0x0c, 2, fx_ip(192, 0, 2, 1), 16, fx_ip(255, 255, 255, 0),
                 fx_ip(192, 0, 2, 255));
  cr_assert_eq(len, 20 + 16 + 24 + 16 + 16);
  parse1(&fbsd, b, len, &m);
  cr_assert_eq(m.kind, MGM_RTM_NEWADDR);
  cr_assert_eq(m.ifindex, 2);
  cr_assert(m.v4_have & (1u << MGM_RTAX_IFA));
  cr_assert_eq(m.v4[MGM_RTAX_IFA], fx_ip(192, 0, 2, 1));
  cr_assert_eq(m.v4[MGM_RTAX_BRD], fx_ip(192, 0, 2, 255));
  cr_assert_eq(m.prefixlen, 24);
  cr_assert_eq(m.ifp_index, 2);
  cr_assert_str_eq(m.name, "em0");
}

Test(rtmsg, freebsd_deladdr_with_trimmed_netmask) {
  uint8_t b[256];
  struct mgm_rtm_msg m;
  size_t len;

  /* the kernel drops trailing zero bytes of masks: 255.255.255.0 -> 7 */
  len = fbsd_ifa(b, 0x0d, 3, fx_ip(10, 1, 2, 3), 7, fx_ip(255, 255, 255, 0),
                 fx_ip(10, 1, 2, 255));
  parse1(&fbsd, b, len, &m);
  cr_assert_eq(m.kind, MGM_RTM_DELADDR);
  cr_assert_eq(m.v4[MGM_RTAX_NETMASK], fx_ip(255, 255, 255, 0));
  cr_assert_eq(m.prefixlen, 24);
  cr_assert_eq(m.v4[MGM_RTAX_IFA], fx_ip(10, 1, 2, 3));
}

Test(rtmsg, freebsd_zero_sa_len_counts_as_sizeof_long) {
  uint8_t b[64];
  struct mgm_rtm_msg m;
  size_t off;

  memset(b, 0, sizeof(b));
  b[2] = 5;
  b[3] = 0x0c;
  fx_u32(b, 4, 0x04 | 0x20); /* NETMASK, IFA */
  fx_u16(b, 12, 2);
  /* NETMASK with sa_len 0 (a /0 mask) takes 8 bytes at 20 */
  off = fx_sin(b, 28, 16, 2, fx_ip(198, 51, 100, 9), 8);
  fx_u16(b, 0, (uint16_t)off);
  parse1(&fbsd, b, off, &m);
  cr_assert_eq(m.prefixlen, 0);
  cr_assert_eq(m.v4[MGM_RTAX_IFA], fx_ip(198, 51, 100, 9));
}

Test(rtmsg, rounding_unit_is_taken_from_the_layout) {
  uint8_t b[64];
  struct mgm_rtm_layout four = fbsd; /* an i386/macOS-style 4-byte unit */
  struct mgm_rtm_msg m;
  size_t off;

  four.sa_align = 4;
  four.sa_zero = 4;
  memset(b, 0, sizeof(b));
  b[2] = 5;
  b[3] = 0x0c;
  fx_u32(b, 4, 0x04 | 0x20);
  fx_u16(b, 12, 2);
  off = fx_sin(b, 20, 5, 2, fx_ip(255, 0, 0, 0), 4); /* 5 -> 8 either way */
  off = fx_sin(b, off, 16, 2, fx_ip(10, 0, 0, 1), 4);
  fx_u16(b, 0, (uint16_t)off);
  parse1(&four, b, off, &m);
  cr_assert_eq(m.v4[MGM_RTAX_IFA], fx_ip(10, 0, 0, 1));
  cr_assert_eq(m.prefixlen, 8);

  /* a 4-byte mask sockaddr: 4 bytes with unit 4, 8 with unit 8 */
  memset(b + 20, 0, 40);
  b[20] = 4;
  off = fx_sin(b, 24, 16, 2, fx_ip(10, 0, 0, 2), 4);
  fx_u16(b, 0, (uint16_t)off);
  parse1(&four, b, off, &m);
  cr_assert_eq(m.v4[MGM_RTAX_IFA], fx_ip(10, 0, 0, 2));
}

/* ---- NetBSD ------------------------------------------------------------- */

/* struct if_msghdr (152, __align64): msglen 0, version 2 (RTM_VERSION 4),
 * type 3 (RTM_IFINFO 0x14), ifm_addrs 4, ifm_flags 8, ifm_index 12,
 * ifm_data 16 with int ifi_link_state at 16+4. */
Test(rtmsg, netbsd_ifinfo_int_link_state) {
  uint8_t b[152];
  struct mgm_rtm_msg m;

  memset(b, 0, sizeof(b));
  fx_u16(b, 0, 152);
  b[2] = 4;
  b[3] = 0x14;
  fx_u32(b, 8, IFF_UP_RUN_MC);
  fx_u16(b, 12, 5);
  fx_u32(b, 20, 1); /* LINK_STATE_DOWN as an int */
  parse1(&nbsd, b, sizeof(b), &m);
  cr_assert_eq(m.kind, MGM_RTM_IFINFO);
  cr_assert_eq(m.ifindex, 5);
  cr_assert_eq(m.link_state, 1);
  cr_assert_eq(m.mgm_flags, MGM_IFF_UP | MGM_IFF_RUNNING | MGM_IFF_MULTICAST);
}

/* struct ifa_msghdr (28 -> 32 with __align64): msglen 0, version 2,
 * type 3, ifam_index 4, ifam_flags 8, ifam_addrs 12, ifam_pid 16,
 * ifam_addrflags 20, ifam_metric 24; sockaddrs from 32. */
static size_t nbsd_ifa(uint8_t *b, uint8_t type, uint16_t index, uint32_t addr,
                       uint8_t mask_len, uint32_t mask) {
  size_t off;

  memset(b, 0, 128);
  b[2] = 4;
  b[3] = type;
  fx_u16(b, 4, index);
  fx_u32(b, 12, 0x04 | 0x10 | 0x20); /* NETMASK, IFP, IFA */
  fx_u32(b, 16, 4242);               /* ifam_pid */
  off = fx_sin(b, 32, mask_len, 2, mask, 8);
  off = fx_sdl(b, off, index, "wm0", 8);
  off = fx_sin(b, off, 16, 2, addr, 8);
  fx_u16(b, 0, (uint16_t)off);
  return off;
}

Test(rtmsg, netbsd_newaddr_and_deladdr) {
  uint8_t b[128];
  struct mgm_rtm_msg m;
  size_t len;

  len = nbsd_ifa(b, 0x16, 6, fx_ip(172, 16, 0, 1), 5, fx_ip(255, 0, 0, 0));
  cr_assert_eq(len, 32 + 8 + 24 + 16);
  parse1(&nbsd, b, len, &m);
  cr_assert_eq(m.kind, MGM_RTM_NEWADDR);
  cr_assert_eq(m.ifindex, 6);
  cr_assert_eq(m.v4[MGM_RTAX_IFA], fx_ip(172, 16, 0, 1));
  cr_assert_eq(m.prefixlen, 8);
  cr_assert_str_eq(m.name, "wm0");

  len = nbsd_ifa(b, 0x17, 6, fx_ip(172, 16, 0, 1), 8, fx_ip(255, 255, 0, 0));
  parse1(&nbsd, b, len, &m);
  cr_assert_eq(m.kind, MGM_RTM_DELADDR);
  cr_assert_eq(m.prefixlen, 16);
}

Test(rtmsg, netbsd_pre_8_address_messages_are_skipped) {
  uint8_t b[128];
  struct mgm_rtm_msg m;
  size_t len;

  /* RTM_ONEWADDR (0xc) is FreeBSD's RTM_NEWADDR number, not NetBSD's */
  len = nbsd_ifa(b, 0x0c, 6, fx_ip(172, 16, 0, 1), 8, fx_ip(255, 255, 0, 0));
  parse1(&nbsd, b, len, &m);
  cr_assert_eq(m.kind, MGM_RTM_OTHER);
}

/* struct if_announcemsghdr (24): msglen 0, version 2, type 3 (0x10),
 * ifan_index 4, ifan_name 6, ifan_what 22. */
Test(rtmsg, netbsd_ifannounce) {
  uint8_t b[24];
  struct mgm_rtm_msg m;

  memset(b, 0, sizeof(b));
  fx_u16(b, 0, 24);
  b[2] = 4;
  b[3] = 0x10;
  fx_u16(b, 4, 11);
  memcpy(b + 6, "vlan11", 6);
  fx_u16(b, 22, 1);
  parse1(&nbsd, b, sizeof(b), &m);
  cr_assert_eq(m.kind, MGM_RTM_IFANNOUNCE);
  cr_assert_eq(m.ifindex, 11);
  cr_assert_eq(m.departure, 1);
  cr_assert_str_eq(m.name, "vlan11");
  /* the same bytes are not an announcement for FreeBSD (0x10 is
   * RTM_DELMADDR there) - nor the right version */
  {
    size_t off = 0;
    cr_assert_eq(mgm__rtmsg_next(&fbsd, b, sizeof(b), &off, &m),
                 MGM_RTM_EVERSION);
  }
}

/* ---- OpenBSD ------------------------------------------------------------ */

/* struct if_msghdr (168): msglen 0, version 2, type 3, ifm_hdrlen 4,
 * ifm_index 6, ifm_tableid 8, ifm_addrs 12, ifm_flags 16, ifm_xflags 20,
 * ifm_data 24 (ifi_link_state 27).  Sockaddrs start at ifm_hdrlen. */
static size_t obsd_ifinfo(uint8_t *b, uint16_t hdrlen, uint16_t index,
                          uint16_t table, const char *ifp) {
  size_t len = hdrlen;

  memset(b, 0, 256);
  b[2] = 5;
  b[3] = 0x0e;
  fx_u16(b, 4, hdrlen);
  fx_u16(b, 6, index);
  fx_u16(b, 8, table);
  fx_u32(b, 16, IFF_UP_RUN_MC);
  b[27] = 4; /* LINK_STATE_FULL_DUPLEX */
  if (ifp != NULL) {
    fx_u32(b, 12, 0x10);
    len = fx_sdl(b, hdrlen, index, ifp, 8);
  }
  fx_u16(b, 0, (uint16_t)len);
  return len;
}

Test(rtmsg, openbsd_ifinfo) {
  uint8_t b[256];
  struct mgm_rtm_msg m;
  size_t len = obsd_ifinfo(b, 168, 4, 3, "em2");

  parse1(&obsd, b, len, &m);
  cr_assert_eq(m.kind, MGM_RTM_IFINFO);
  cr_assert_eq(m.ifindex, 4);
  cr_assert_eq(m.tableid, 3);
  cr_assert_eq(m.link_state, 4);
  cr_assert_eq(m.mgm_flags, MGM_IFF_UP | MGM_IFF_RUNNING | MGM_IFF_MULTICAST);
  cr_assert_str_eq(m.name, "em2");
}

Test(rtmsg, openbsd_skips_the_header_by_hdrlen) {
  uint8_t b[256];
  struct mgm_rtm_msg m;
  size_t len = obsd_ifinfo(b, 176, 4, 0, "em2"); /* a longer future header */

  parse1(&obsd, b, len, &m);
  cr_assert_eq(m.ifp_index, 4);
  cr_assert_str_eq(m.name, "em2");
}

Test(rtmsg, openbsd_hdrlen_too_small_or_too_large) {
  uint8_t b[256];
  struct mgm_rtm_msg m;
  size_t off = 0, len;

  len = obsd_ifinfo(b, 168, 4, 0, NULL);
  fx_u16(b, 4, 16); /* does not even cover ifm_flags */
  cr_assert_eq(mgm__rtmsg_next(&obsd, b, len, &off, &m), MGM_RTM_EHDR);
  cr_assert_eq(off, len);
  off = 0;
  fx_u16(b, 4, 200); /* beyond msglen */
  cr_assert_eq(mgm__rtmsg_next(&obsd, b, len, &off, &m), MGM_RTM_EHDR);
  cr_assert_eq(off, len);
}

/* struct if_announcemsghdr (26): msglen 0, version 2, type 3 (0xf),
 * ifan_hdrlen 4, ifan_index 6, ifan_what 8 (before the name), ifan_name
 * 10..25. */
Test(rtmsg, openbsd_ifannounce_what_before_name) {
  uint8_t b[26];
  struct mgm_rtm_msg m;

  memset(b, 0, sizeof(b));
  fx_u16(b, 0, 26);
  b[2] = 5;
  b[3] = 0x0f;
  fx_u16(b, 4, 26);
  fx_u16(b, 6, 12);
  fx_u16(b, 8, 0);
  memcpy(b + 10, "vether0", 7);
  parse1(&obsd, b, sizeof(b), &m);
  cr_assert_eq(m.kind, MGM_RTM_IFANNOUNCE);
  cr_assert_eq(m.departure, 0);
  cr_assert_eq(m.ifindex, 12);
  cr_assert_str_eq(m.name, "vether0");
  fx_u16(b, 8, 1);
  parse1(&obsd, b, sizeof(b), &m);
  cr_assert_eq(m.departure, 1);
}

/* struct ifa_msghdr (24): msglen 0, version 2, type 3, ifam_hdrlen 4,
 * ifam_index 6, ifam_tableid 8, ifam_addrs 12, ifam_flags 16,
 * ifam_metric 20. */
static size_t obsd_ifa(uint8_t *b, uint8_t type, uint16_t index, uint32_t addr,
                       uint32_t mask) {
  size_t off;

  memset(b, 0, 128);
  b[2] = 5;
  b[3] = type;
  fx_u16(b, 4, 24);
  fx_u16(b, 6, index);
  fx_u32(b, 12, 0x04 | 0x10 | 0x20 | 0x80);
  off = fx_sin(b, 24, 8, 2, mask, 8);
  off = fx_sdl(b, off, index, "em2", 8);
  off = fx_sin(b, off, 16, 2, addr, 8);
  off = fx_sin(b, off, 16, 2, addr | fx_ip(0, 0, 0, 255), 8);
  fx_u16(b, 0, (uint16_t)off);
  return off;
}

Test(rtmsg, openbsd_newaddr_and_deladdr) {
  uint8_t b[128];
  struct mgm_rtm_msg m;
  size_t len;

  len = obsd_ifa(b, 0x0c, 4, fx_ip(203, 0, 113, 5), fx_ip(255, 255, 255, 0));
  parse1(&obsd, b, len, &m);
  cr_assert_eq(m.kind, MGM_RTM_NEWADDR);
  cr_assert_eq(m.ifindex, 4);
  cr_assert_eq(m.v4[MGM_RTAX_IFA], fx_ip(203, 0, 113, 5));
  cr_assert_eq(m.v4[MGM_RTAX_BRD], fx_ip(203, 0, 113, 255));
  cr_assert_eq(m.prefixlen, 24);
  len = obsd_ifa(b, 0x0d, 4, fx_ip(203, 0, 113, 5), fx_ip(255, 255, 255, 0));
  parse1(&obsd, b, len, &m);
  cr_assert_eq(m.kind, MGM_RTM_DELADDR);
}

Test(rtmsg, openbsd_desync) {
  uint8_t b[96];
  struct mgm_rtm_msg m;

  memset(b, 0, sizeof(b));
  fx_u16(b, 0, 96);
  b[2] = 5;
  b[3] = 0x10; /* RTM_DESYNC */
  fx_u16(b, 4, 96);
  parse1(&obsd, b, sizeof(b), &m);
  cr_assert_eq(m.kind, MGM_RTM_DESYNC);
  /* 0x10 on FreeBSD is RTM_DELMADDR: skipped, not a desync */
  b[2] = 5;
  parse1(&fbsd, b, sizeof(b), &m);
  cr_assert_eq(m.kind, MGM_RTM_OTHER);
}

/* ---- framing errors ------------------------------------------------------ */

Test(rtmsg, empty_buffer_is_the_end) {
  struct mgm_rtm_msg m;
  size_t off = 0;

  cr_assert_eq(mgm__rtmsg_next(&fbsd, "", 0, &off, &m), 0);
}

Test(rtmsg, buffer_shorter_than_the_common_header) {
  uint8_t b[3] = {24, 0, 5};
  struct mgm_rtm_msg m;
  size_t off = 0;

  cr_assert_eq(mgm__rtmsg_next(&fbsd, b, 3, &off, &m), MGM_RTM_ETRUNC);
  cr_assert_eq(off, 3);
}

Test(rtmsg, msglen_zero_stops_instead_of_looping) {
  uint8_t b[48];
  struct mgm_rtm_msg m;
  size_t off = 0;

  memset(b, 0, sizeof(b));
  b[2] = 5;
  b[3] = 0x11;
  fbsd_ifan(b + 24, 1, "em0", 0);
  cr_assert_eq(mgm__rtmsg_next(&fbsd, b, 48, &off, &m), MGM_RTM_EFRAME);
  cr_assert_eq(off, 48);
  cr_assert_eq(mgm__rtmsg_next(&fbsd, b, 48, &off, &m), 0);
}

Test(rtmsg, msglen_below_four_is_a_framing_error) {
  uint8_t b[8] = {2, 0, 5, 0x11, 0, 0, 0, 0};
  struct mgm_rtm_msg m;
  size_t off = 0;

  cr_assert_eq(mgm__rtmsg_next(&fbsd, b, 8, &off, &m), MGM_RTM_EFRAME);
  cr_assert_eq(off, 8);
}

Test(rtmsg, msglen_larger_than_the_buffer) {
  uint8_t b[256];
  struct mgm_rtm_msg m;
  size_t off = 0, len;

  len = fbsd_ifa(b, 0x0c, 2, fx_ip(192, 0, 2, 1), 8, fx_ip(255, 255, 255, 0),
                 fx_ip(192, 0, 2, 255));
  cr_assert_eq(mgm__rtmsg_next(&fbsd, b, len - 1, &off, &m), MGM_RTM_ETRUNC);
  cr_assert_eq(off, len - 1);
}

Test(rtmsg, unknown_type_is_skipped_by_msglen) {
  uint8_t b[64];
  struct mgm_rtm_msg m;
  size_t off = 0;

  memset(b, 0xee, sizeof(b));
  fx_u16(b, 0, 12);
  b[2] = 5;
  b[3] = 0x42;
  fbsd_ifan(b + 12, 3, "em1", 0);
  cr_assert_eq(mgm__rtmsg_next(&fbsd, b, 36, &off, &m), 1);
  cr_assert_eq(m.kind, MGM_RTM_OTHER);
  cr_assert_eq(m.type, 0x42);
  cr_assert_eq(off, 12);
  cr_assert_eq(mgm__rtmsg_next(&fbsd, b, 36, &off, &m), 1);
  cr_assert_eq(m.kind, MGM_RTM_IFANNOUNCE);
  cr_assert_str_eq(m.name, "em1");
}

Test(rtmsg, wrong_version_is_skipped) {
  uint8_t b[48];
  struct mgm_rtm_msg m;
  size_t off = 0;

  fbsd_ifan(b, 3, "em1", 0);
  b[2] = 4;
  fbsd_ifan(b + 24, 3, "em1", 1);
  cr_assert_eq(mgm__rtmsg_next(&fbsd, b, 48, &off, &m), MGM_RTM_EVERSION);
  cr_assert_eq(off, 24);
  cr_assert_eq(mgm__rtmsg_next(&fbsd, b, 48, &off, &m), 1);
  cr_assert_eq(m.departure, 1);
}

Test(rtmsg, known_type_shorter_than_its_header) {
  uint8_t b[48];
  struct mgm_rtm_msg m;
  size_t off = 0;

  memset(b, 0, sizeof(b));
  fx_u16(b, 0, 12); /* an IFANNOUNCE needs 24 */
  b[2] = 5;
  b[3] = 0x11;
  fbsd_ifan(b + 12, 3, "em1", 0);
  cr_assert_eq(mgm__rtmsg_next(&fbsd, b, 36, &off, &m), MGM_RTM_EHDR);
  cr_assert_eq(off, 12);
  cr_assert_eq(mgm__rtmsg_next(&fbsd, b, 36, &off, &m), 1);
}

Test(rtmsg, sockaddr_longer_than_the_message) {
  uint8_t b[256];
  struct mgm_rtm_msg m;
  size_t off = 0, len;

  len = fbsd_ifa(b, 0x0c, 2, fx_ip(192, 0, 2, 1), 16, fx_ip(255, 255, 255, 0),
                 fx_ip(192, 0, 2, 255));
  b[len - 16] = 200; /* the BRD sockaddr claims 200 bytes */
  cr_assert_eq(mgm__rtmsg_next(&fbsd, b, len, &off, &m), MGM_RTM_ESADDR);
  cr_assert_eq(off, len);
}

Test(rtmsg, inet_sockaddr_too_short_for_an_address) {
  uint8_t b[256];
  struct mgm_rtm_msg m;
  size_t off = 0, len;

  len = fbsd_ifa(b, 0x0c, 2, fx_ip(192, 0, 2, 1), 16, fx_ip(255, 255, 255, 0),
                 fx_ip(192, 0, 2, 255));
  b[20 + 16 + 24] = 6; /* IFA: sa_len 6 cannot hold sin_addr */
  cr_assert_eq(mgm__rtmsg_next(&fbsd, b, len, &off, &m), MGM_RTM_ESADDR);
}

Test(rtmsg, link_sockaddr_name_beyond_its_length) {
  uint8_t b[256];
  struct mgm_rtm_msg m;
  size_t off = 0, len;

  len = fbsd_ifa(b, 0x0c, 2, fx_ip(192, 0, 2, 1), 16, fx_ip(255, 255, 255, 0),
                 fx_ip(192, 0, 2, 255));
  b[20 + 16 + 5] = 40; /* sdl_nlen 40 in a 17-byte sockaddr_dl */
  cr_assert_eq(mgm__rtmsg_next(&fbsd, b, len, &off, &m), MGM_RTM_ESADDR);
}

Test(rtmsg, announced_sockaddr_missing) {
  uint8_t b[20];
  struct mgm_rtm_msg m;
  size_t off = 0;

  memset(b, 0, sizeof(b));
  fx_u16(b, 0, 20);
  b[2] = 5;
  b[3] = 0x0c;
  fx_u32(b, 4, 0x20); /* RTA_IFA, but the message ends with the header */
  cr_assert_eq(mgm__rtmsg_next(&fbsd, b, 20, &off, &m), MGM_RTM_ESADDR);
}

Test(rtmsg, padding_of_the_last_sockaddr_may_be_cut) {
  uint8_t b[64];
  struct mgm_rtm_msg m;

  memset(b, 0, sizeof(b));
  b[2] = 5;
  b[3] = 0x0c;
  fx_u32(b, 4, 0x20);
  fx_u16(b, 12, 2);
  (void)fx_sin(b, 20, 12, 2, fx_ip(192, 0, 2, 7), 8); /* room 16, sent 12 */
  fx_u16(b, 0, 32);
  parse1(&fbsd, b, 32, &m);
  cr_assert_eq(m.v4[MGM_RTAX_IFA], fx_ip(192, 0, 2, 7));
}

Test(rtmsg, several_messages_in_one_buffer) {
  uint8_t b[1024];
  struct mgm_rtm_msg m;
  size_t len = 0, off = 0;
  int kinds[8], n = 0, rc;

  len += fbsd_ifinfo(b + len, 2, IFF_UP_RUN_MC, 2, "em0");
  len += fbsd_ifa(b + len, 0x0c, 2, fx_ip(192, 0, 2, 1), 8,
                  fx_ip(255, 255, 255, 0), fx_ip(192, 0, 2, 255));
  len += fbsd_ifinfo(b + len, 3, 0x8002, 0, "em1");
  len += fbsd_ifan(b + len, 4, "gif0", 0);
  while ((rc = mgm__rtmsg_next(&fbsd, b, len, &off, &m)) != 0) {
    cr_assert_eq(rc, 1);
    kinds[n++] = m.kind;
  }
  cr_assert_eq(n, 4);
  cr_assert_eq(kinds[0], MGM_RTM_IFINFO);
  cr_assert_eq(kinds[1], MGM_RTM_NEWADDR);
  cr_assert_eq(kinds[2], MGM_RTM_IFINFO);
  cr_assert_eq(kinds[3], MGM_RTM_IFANNOUNCE);
}

/* ---- RTM_GET ------------------------------------------------------------- */

Test(rtmsg, freebsd_rtm_get_request_bytes) {
  uint8_t b[256], sin[16] = {16, 2, 0, 0, 198, 51, 100, 7};
  int len;

  memset(b, 0xaa, sizeof(b));
  len = mgm__rtmsg_build_get(&fbsd, b, sizeof(b), fx_ip(198, 51, 100, 7), 1234,
                             77, 0);
  /* struct rt_msghdr (152): msglen 0, version 2, type 3, rtm_index 4,
   * rtm_flags 8, rtm_addrs 12, rtm_pid 16, rtm_seq 20, rtm_errno 24 */
  cr_assert_eq(len, 152 + 16);
  cr_assert_eq(fx_get16(b, 0), 168);
  cr_assert_eq(b[2], 5);
  cr_assert_eq(b[3], 4);
  cr_assert_eq(fx_get16(b, 4), 0);
  cr_assert_eq(fx_get32(b, 8), 0x1 | 0x4);   /* RTF_UP | RTF_HOST */
  cr_assert_eq(fx_get32(b, 12), 0x1 | 0x10); /* RTA_DST | RTA_IFP */
  cr_assert_eq(fx_get32(b, 16), 1234);
  cr_assert_eq(fx_get32(b, 20), 77);
  cr_assert_eq(fx_get32(b, 24), 0);
  for (size_t i = 28; i < 152; i++)
    cr_assert_eq(b[i], 0, "metrics byte %zu not zeroed", i);
  cr_assert_arr_eq(b + 152, sin, 16);
  cr_assert_eq(b[168], 0xaa, "wrote past the message");
}

Test(rtmsg, openbsd_rtm_get_request_carries_hdrlen_and_table) {
  uint8_t b[256];
  int len;

  len = mgm__rtmsg_build_get(&obsd, b, sizeof(b), fx_ip(10, 9, 8, 7), 99, 5, 3);
  /* rtm_hdrlen 4, rtm_index 6, rtm_tableid 8, rtm_addrs 12, rtm_flags 16,
   * rtm_pid 24, rtm_seq 28; sockaddrs from 96 */
  cr_assert_eq(len, 96 + 16);
  cr_assert_eq(fx_get16(b, 0), 112);
  cr_assert_eq(fx_get16(b, 4), 96);
  cr_assert_eq(fx_get16(b, 8), 3);
  cr_assert_eq(fx_get32(b, 12), 0x11);
  cr_assert_eq(fx_get32(b, 16), 0x5);
  cr_assert_eq(fx_get32(b, 24), 99);
  cr_assert_eq(fx_get32(b, 28), 5);
  cr_assert_eq(b[96], 16);
  cr_assert_eq(b[97], 2);
  cr_assert_eq(fx_get32(b, 100), fx_ip(10, 9, 8, 7));
}

Test(rtmsg, netbsd_rtm_get_request) {
  uint8_t b[256];
  int len;

  len = mgm__rtmsg_build_get(&nbsd, b, sizeof(b), fx_ip(10, 9, 8, 7), 1, 2, 0);
  cr_assert_eq(len, 120 + 16);
  cr_assert_eq(b[2], 4);
  cr_assert_eq(fx_get32(b, 8), 0x5);
  cr_assert_eq(fx_get32(b, 12), 0x11);
  cr_assert_eq(fx_get32(b, 16), 1);
  cr_assert_eq(fx_get32(b, 20), 2);
  cr_assert_eq(b[120], 16);
}

Test(rtmsg, rtm_get_request_needs_room) {
  uint8_t b[167];

  cr_assert_eq(mgm__rtmsg_build_get(&fbsd, b, sizeof(b), 1, 1, 1, 0),
               MGM_RTM_ESPACE);
}

/* A FreeBSD RTM_GET answer: header then DST GATEWAY NETMASK IFP IFA. */
static size_t fbsd_rtget_reply(uint8_t *b, int gw_is_link, uint32_t flags) {
  size_t off;

  memset(b, 0, 512);
  b[2] = 5;
  b[3] = 4;
  fx_u16(b, 4, 3);
  fx_u32(b, 8, flags);
  fx_u32(b, 12, 0x1 | 0x2 | 0x4 | 0x10 | 0x20);
  fx_u32(b, 16, 1234);
  fx_u32(b, 20, 77);
  off = fx_sin(b, 152, 16, 2, fx_ip(10, 1, 0, 0), 8);
  if (gw_is_link)
    off = fx_sdl(b, off, 3, "em1", 8);
  else
    off = fx_sin(b, off, 16, 2, fx_ip(192, 0, 2, 254), 8);
  off = fx_sin(b, off, 6, 0xff, fx_ip(255, 255, 0, 0), 8);
  off = fx_sdl(b, off, 3, "em1", 8);
  off = fx_sin(b, off, 16, 2, fx_ip(192, 0, 2, 1), 8);
  fx_u16(b, 0, (uint16_t)off);
  return off;
}

Test(rtmsg, freebsd_rtm_get_reply_via_gateway) {
  uint8_t b[512];
  struct mgm_rtm_msg m;
  size_t len = fbsd_rtget_reply(b, 0, 0x1 | 0x2 | 0x40 | 0x800);

  parse1(&fbsd, b, len, &m);
  cr_assert_eq(m.kind, MGM_RTM_ROUTE);
  cr_assert_eq(m.type, 4);
  cr_assert_eq(m.pid, 1234);
  cr_assert_eq(m.seq, 77);
  cr_assert_eq(m.err, 0);
  cr_assert_eq(m.ifindex, 3);
  cr_assert_eq(m.v4[MGM_RTAX_DST], fx_ip(10, 1, 0, 0));
  cr_assert_eq(m.v4[MGM_RTAX_GATEWAY], fx_ip(192, 0, 2, 254));
  cr_assert_eq(m.v4[MGM_RTAX_NETMASK], fx_ip(255, 255, 0, 0));
  cr_assert_eq(m.prefixlen, 16);
  cr_assert_eq(m.ifp_index, 3);
  cr_assert_str_eq(m.name, "em1");
  cr_assert_eq(m.v4[MGM_RTAX_IFA], fx_ip(192, 0, 2, 1));
  cr_assert_eq(m.gw_link_index, 0);
}

Test(rtmsg, freebsd_rtm_get_reply_connected) {
  uint8_t b[512];
  struct mgm_rtm_msg m;
  size_t len = fbsd_rtget_reply(b, 1, 0x1 | 0x40);

  parse1(&fbsd, b, len, &m);
  cr_assert_eq(m.gw_link_index, 3);
  cr_assert_eq(m.v4_have & (1u << MGM_RTAX_GATEWAY), 0);
}

/* ---- never crash: truncation and mutation ------------------------------- */

static uint32_t fuzz_state = 0x2545f491u;

static uint32_t fuzz_next(void) {
  fuzz_state ^= fuzz_state << 13;
  fuzz_state ^= fuzz_state >> 17;
  fuzz_state ^= fuzz_state << 5;
  return fuzz_state;
}

/* Walk a buffer to its end: every step must move forward and stay inside;
 * a heap copy of exactly len bytes lets ASan see any overread. */
static void walk(const struct mgm_rtm_layout *lay, const uint8_t *src,
                 size_t len) {
  uint8_t *b = malloc(len ? len : 1);
  struct mgm_rtm_msg m;
  size_t off = 0, prev;
  int rc, steps = 0;

  cr_assert_not_null(b);
  memcpy(b, src, len);
  do {
    prev = off;
    rc = mgm__rtmsg_next(lay, b, len, &off, &m);
    cr_assert(off <= len, "offset %zu past %zu", off, len);
    if (rc != 0)
      cr_assert(off > prev, "no progress at %zu (rc %d)", prev, rc);
    cr_assert(m.name[MGM_RTM_NAMESIZ - 1] == '\0');
    cr_assert(steps++ < 10000);
  } while (rc != 0);
  free(b);
}

Test(rtmsg, truncations_and_mutations_never_overrun) {
  const struct mgm_rtm_layout *lays[3] = {&fbsd, &nbsd, &obsd};
  uint8_t seed[3][512], b[512];
  size_t slen[3], cut, i;
  int os, iter;

  slen[0] = fbsd_rtget_reply(seed[0], 0, 0x43);
  slen[0] += fbsd_ifa(seed[0] + slen[0], 0x0c, 2, fx_ip(192, 0, 2, 1), 7,
                      fx_ip(255, 255, 255, 0), fx_ip(192, 0, 2, 255));
  slen[1] =
      nbsd_ifa(seed[1], 0x16, 6, fx_ip(172, 16, 0, 1), 5, fx_ip(255, 0, 0, 0));
  slen[2] = obsd_ifinfo(seed[2], 168, 4, 3, "em2");
  slen[2] += obsd_ifa(seed[2] + slen[2], 0x0c, 4, fx_ip(203, 0, 113, 5),
                      fx_ip(255, 255, 255, 0));
  for (os = 0; os < 3; os++) {
    for (cut = 0; cut <= slen[os]; cut++)
      walk(lays[os], seed[os], cut);
    for (iter = 0; iter < 4000; iter++) {
      memcpy(b, seed[os], slen[os]);
      for (i = 0; i < 1 + fuzz_next() % 6; i++)
        b[fuzz_next() % slen[os]] = (uint8_t)fuzz_next();
      walk(lays[os], b, slen[os] - fuzz_next() % 8);
    }
  }
}
