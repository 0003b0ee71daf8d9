/*
 * oscaps.c - the BSD backend's only contact with the OS's multicast-routing
 * and routing-socket headers: per-OS capability flags and the layouts that
 * drive the portable rtmsg.c and mrtenc.c, all taken from the target's own
 * <netinet/ip_mroute.h>, <net/route.h> and <net/if.h> with offsetof/sizeof.
 *
 * SPDX-License-Identifier: MIT
 *
 * #ifdef tests a header feature wherever the headers can tell (MRT_API_CONFIG,
 * RTM_DESYNC, ROUTE_MSGFILTER...); an OS is named only where the ABI or
 * the behaviour differs without a macro to test: the OpenBSD *_hdrlen and
 * *_tableid fields, NetBSD's 64-bit sockaddr rounding, OpenBSD's
 * group-keyed MFC, and struct igmpmsg, which NetBSD and OpenBSD keep under
 * _KERNEL (its 20-byte layout, shared by every BSD, is then written out).
 */
#include "platform/bsd/bsd.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <net/if.h>
#include <net/if_dl.h>
#include <net/route.h>
#include <netinet/in.h>
#include <netinet/ip_mroute.h>

#include <string.h>

#define BSD_MSIZE(type, member) sizeof(((type *)0)->member)

#if defined(__FreeBSD__)
#define BSD_OS_NAME "freebsd"
#elif defined(__NetBSD__)
#define BSD_OS_NAME "netbsd"
#elif defined(__OpenBSD__)
#define BSD_OS_NAME "openbsd"
#else
#define BSD_OS_NAME "bsd"
#endif

/* The portable code numbers sockaddr slots the 4.4BSD way. */
_Static_assert(RTAX_DST == MGM_RTAX_DST && RTAX_GATEWAY == MGM_RTAX_GATEWAY &&
                   RTAX_NETMASK == MGM_RTAX_NETMASK &&
                   RTAX_GENMASK == MGM_RTAX_GENMASK &&
                   RTAX_IFP == MGM_RTAX_IFP && RTAX_IFA == MGM_RTAX_IFA &&
                   RTAX_AUTHOR == MGM_RTAX_AUTHOR && RTAX_BRD == MGM_RTAX_BRD,
               "RTAX order differs from 4.4BSD");
_Static_assert(RTAX_MAX <= MGM_RTAX_LIMIT, "RTAX_MAX too large");
_Static_assert(RTA_DST == 0x1 && RTA_IFP == 0x10, "RTA bits differ");
/* Field widths rtmsg.c assumes. */
_Static_assert(BSD_MSIZE(struct rt_msghdr, rtm_msglen) == 2 &&
                   BSD_MSIZE(struct rt_msghdr, rtm_index) == 2 &&
                   BSD_MSIZE(struct rt_msghdr, rtm_flags) == 4 &&
                   BSD_MSIZE(struct rt_msghdr, rtm_addrs) == 4 &&
                   BSD_MSIZE(struct rt_msghdr, rtm_pid) == 4 &&
                   BSD_MSIZE(struct rt_msghdr, rtm_seq) == 4 &&
                   BSD_MSIZE(struct rt_msghdr, rtm_errno) == 4,
               "rt_msghdr field widths");
_Static_assert(BSD_MSIZE(struct if_msghdr, ifm_index) == 2 &&
                   BSD_MSIZE(struct if_msghdr, ifm_flags) == 4 &&
                   BSD_MSIZE(struct if_msghdr, ifm_addrs) == 4,
               "if_msghdr field widths");
_Static_assert(BSD_MSIZE(struct ifa_msghdr, ifam_index) == 2 &&
                   BSD_MSIZE(struct ifa_msghdr, ifam_flags) == 4 &&
                   BSD_MSIZE(struct ifa_msghdr, ifam_addrs) == 4,
               "ifa_msghdr field widths");
_Static_assert(BSD_MSIZE(struct if_announcemsghdr, ifan_index) == 2 &&
                   BSD_MSIZE(struct if_announcemsghdr, ifan_what) == 2 &&
                   BSD_MSIZE(struct if_announcemsghdr, ifan_name) ==
                       MGM_RTM_NAMESIZ - 1,
               "if_announcemsghdr field widths");
_Static_assert(BSD_MSIZE(struct sockaddr_dl, sdl_index) == 2,
               "sockaddr_dl index width");
_Static_assert(MAXVIFS <= MGM_MRT_VIFS_MAX, "MAXVIFS beyond libmgm's bound");
_Static_assert(BSD_MSIZE(struct vifctl, vifc_rate_limit) == 4,
               "vifc_rate_limit width");
_Static_assert(BSD_MSIZE(struct mfcctl, mfcc_ttls) == MAXVIFS,
               "mfcc_ttls width");

void mgm__bsd_oscaps_init(struct mgm_bsd_oscaps *caps) {
  memset(caps, 0, sizeof(*caps));
  caps->os = BSD_OS_NAME;
  caps->maxvifs = MAXVIFS;
#if defined(__FreeBSD__)
  caps->mroute_hint = "kldload ip_mroute";
#elif defined(__OpenBSD__)
  caps->mroute_hint = "build the kernel with option MROUTING";
#else
  caps->mroute_hint = "build the kernel with options MROUTING";
#endif
#ifdef MRT_API_CONFIG
  caps->api_config = 1;
#endif
#ifdef MRT_ASSERT
  caps->assert_opt = 1;
#endif
#ifdef VIFF_REGISTER
  caps->register_vif = 1;
#endif
#ifdef MRT_ADD_BW_UPCALL
  caps->bw_upcall = 1;
#endif
#ifdef RTM_DESYNC
  caps->route_desync = 1;
#endif
#ifdef ROUTE_MSGFILTER
  caps->route_filter = 1;
#endif
#ifdef RO_MSGFILTER
  caps->ro_msgfilter = 1;
#endif
#ifdef SO_RTABLE
  caps->rdomain = 1;
#endif
#if defined(__OpenBSD__)
  /* kernel.md C.4: the MFC lives in the routing table, keyed by group,
   * aged by a route timer; wrong-interface packets are only counted. */
  caps->group_keyed_only = 1;
  caps->kernel_ages_idle = 1;
  caps->one_vif_per_if = 1;
  caps->mforwarding_sysctl = 1;
  caps->route_hdrlen = 1;
  caps->wrongif_upcall = 0;
#else
  caps->wrongif_upcall = caps->assert_opt;
#endif
}

static void bsd_hdr_none(struct mgm_rtm_hdr *h) {
  h->off_hdrlen = MGM_RTM_NONE;
  h->off_index = MGM_RTM_NONE;
  h->off_tableid = MGM_RTM_NONE;
  h->off_flags = MGM_RTM_NONE;
  h->off_addrs = MGM_RTM_NONE;
  h->off_pid = MGM_RTM_NONE;
  h->off_seq = MGM_RTM_NONE;
  h->off_errno = MGM_RTM_NONE;
  h->off_name = MGM_RTM_NONE;
  h->off_what = MGM_RTM_NONE;
  h->off_link_state = MGM_RTM_NONE;
}

void mgm__bsd_rtm_layout_init(struct mgm_rtm_layout *lay) {
  memset(lay, 0, sizeof(*lay));
  lay->name = BSD_OS_NAME;
  lay->version = RTM_VERSION;
#if defined(__NetBSD__)
  lay->sa_align = sizeof(uint64_t); /* RT_ROUNDUP */
#else
  lay->sa_align = sizeof(long); /* FreeBSD SA_SIZE, OpenBSD ROUNDUP */
#endif
  lay->sa_zero = lay->sa_align; /* an empty sockaddr still takes a unit */
  lay->rtax_max = RTAX_MAX;
  lay->t_ifinfo = RTM_IFINFO;
  lay->t_ifannounce = RTM_IFANNOUNCE;
  lay->t_newaddr = RTM_NEWADDR;
  lay->t_deladdr = RTM_DELADDR;
#ifdef RTM_DESYNC
  lay->t_desync = RTM_DESYNC;
#endif
  lay->t_add = RTM_ADD;
  lay->t_delete = RTM_DELETE;
  lay->t_change = RTM_CHANGE;
  lay->t_get = RTM_GET;
  lay->af_inet = AF_INET;
  lay->af_link = AF_LINK;
  lay->ifan_arrival = IFAN_ARRIVAL;
  lay->ifan_departure = IFAN_DEPARTURE;
  lay->iff_up = IFF_UP;
  lay->iff_running = IFF_RUNNING;
  lay->iff_multicast = IFF_MULTICAST;
  lay->iff_loopback = IFF_LOOPBACK;
  lay->iff_pointopoint = IFF_POINTOPOINT;
  lay->rtf_up = RTF_UP;
  lay->rtf_gateway = RTF_GATEWAY;
  lay->rtf_host = RTF_HOST;
  lay->rtf_reject = RTF_REJECT;
  lay->rtf_blackhole = RTF_BLACKHOLE;
  lay->rtf_static = RTF_STATIC;
#ifdef RTF_MULTICAST
  lay->rtf_multicast = RTF_MULTICAST;
#endif
  lay->sin_off_addr = offsetof(struct sockaddr_in, sin_addr);
  lay->sin_size = sizeof(struct sockaddr_in);
  lay->sdl_off_index = offsetof(struct sockaddr_dl, sdl_index);
  lay->sdl_off_nlen = offsetof(struct sockaddr_dl, sdl_nlen);
  lay->sdl_off_data = offsetof(struct sockaddr_dl, sdl_data);

  bsd_hdr_none(&lay->ifm);
  lay->ifm.size = sizeof(struct if_msghdr);
  lay->ifm.off_index = offsetof(struct if_msghdr, ifm_index);
  lay->ifm.off_flags = offsetof(struct if_msghdr, ifm_flags);
  lay->ifm.off_addrs = offsetof(struct if_msghdr, ifm_addrs);
  lay->ifm.off_link_state = offsetof(struct if_msghdr, ifm_data) +
                            offsetof(struct if_data, ifi_link_state);
  lay->ifm.link_state_size = BSD_MSIZE(struct if_data, ifi_link_state);

  bsd_hdr_none(&lay->ifam);
  lay->ifam.size = sizeof(struct ifa_msghdr);
  lay->ifam.off_index = offsetof(struct ifa_msghdr, ifam_index);
  lay->ifam.off_flags = offsetof(struct ifa_msghdr, ifam_flags);
  lay->ifam.off_addrs = offsetof(struct ifa_msghdr, ifam_addrs);

  bsd_hdr_none(&lay->ifan);
  lay->ifan.size = sizeof(struct if_announcemsghdr);
  lay->ifan.off_index = offsetof(struct if_announcemsghdr, ifan_index);
  lay->ifan.off_name = offsetof(struct if_announcemsghdr, ifan_name);
  lay->ifan.off_what = offsetof(struct if_announcemsghdr, ifan_what);

  bsd_hdr_none(&lay->rtm);
  lay->rtm.size = sizeof(struct rt_msghdr);
  lay->rtm.off_index = offsetof(struct rt_msghdr, rtm_index);
  lay->rtm.off_flags = offsetof(struct rt_msghdr, rtm_flags);
  lay->rtm.off_addrs = offsetof(struct rt_msghdr, rtm_addrs);
  lay->rtm.off_pid = offsetof(struct rt_msghdr, rtm_pid);
  lay->rtm.off_seq = offsetof(struct rt_msghdr, rtm_seq);
  lay->rtm.off_errno = offsetof(struct rt_msghdr, rtm_errno);

#if defined(__OpenBSD__)
  /* Every OpenBSD header says how long it is and which table it is of. */
  lay->ifm.off_hdrlen = offsetof(struct if_msghdr, ifm_hdrlen);
  lay->ifm.off_tableid = offsetof(struct if_msghdr, ifm_tableid);
  lay->ifam.off_hdrlen = offsetof(struct ifa_msghdr, ifam_hdrlen);
  lay->ifam.off_tableid = offsetof(struct ifa_msghdr, ifam_tableid);
  lay->ifan.off_hdrlen = offsetof(struct if_announcemsghdr, ifan_hdrlen);
  lay->rtm.off_hdrlen = offsetof(struct rt_msghdr, rtm_hdrlen);
  lay->rtm.off_tableid = offsetof(struct rt_msghdr, rtm_tableid);
#endif
}

void mgm__bsd_mrt_layout_init(struct mgm_mrt_layout *lay) {
  memset(lay, 0, sizeof(*lay));
  lay->name = BSD_OS_NAME;
  lay->maxvifs = MAXVIFS;
  lay->vifi_size = sizeof(vifi_t);
  lay->ulong_size = sizeof(u_long);

  lay->vifctl.size = sizeof(struct vifctl);
  lay->vifctl.off_vifi = offsetof(struct vifctl, vifc_vifi);
  lay->vifctl.off_flags = offsetof(struct vifctl, vifc_flags);
  lay->vifctl.off_threshold = offsetof(struct vifctl, vifc_threshold);
  lay->vifctl.off_rate_limit = offsetof(struct vifctl, vifc_rate_limit);
  lay->vifctl.off_lcl_addr = offsetof(struct vifctl, vifc_lcl_addr);
  lay->vifctl.off_rmt_addr = offsetof(struct vifctl, vifc_rmt_addr);

  lay->mfcctl.size = sizeof(struct mfcctl);
  lay->mfcctl.off_origin = offsetof(struct mfcctl, mfcc_origin);
  lay->mfcctl.off_mcastgrp = offsetof(struct mfcctl, mfcc_mcastgrp);
  lay->mfcctl.off_parent = offsetof(struct mfcctl, mfcc_parent);
  lay->mfcctl.off_ttls = offsetof(struct mfcctl, mfcc_ttls);
  lay->mfcctl.off_flags = MGM_MRT_NONE;
  lay->mfcctl.off_rp = MGM_MRT_NONE;

#ifdef MRT_API_CONFIG
  lay->mfcctl2.size = sizeof(struct mfcctl2);
  lay->mfcctl2.off_origin = offsetof(struct mfcctl2, mfcc_origin);
  lay->mfcctl2.off_mcastgrp = offsetof(struct mfcctl2, mfcc_mcastgrp);
  lay->mfcctl2.off_parent = offsetof(struct mfcctl2, mfcc_parent);
  lay->mfcctl2.off_ttls = offsetof(struct mfcctl2, mfcc_ttls);
  lay->mfcctl2.off_flags = offsetof(struct mfcctl2, mfcc_flags);
  lay->mfcctl2.off_rp = offsetof(struct mfcctl2, mfcc_rp);
#else
  lay->mfcctl2.off_flags = MGM_MRT_NONE;
  lay->mfcctl2.off_rp = MGM_MRT_NONE;
#endif

#if defined(__FreeBSD__) || defined(__DragonFly__)
  lay->igmpmsg.size = sizeof(struct igmpmsg);
  lay->igmpmsg.off_msgtype = offsetof(struct igmpmsg, im_msgtype);
  lay->igmpmsg.off_mbz = offsetof(struct igmpmsg, im_mbz);
  lay->igmpmsg.off_vif = offsetof(struct igmpmsg, im_vif);
  lay->igmpmsg.off_src = offsetof(struct igmpmsg, im_src);
  lay->igmpmsg.off_dst = offsetof(struct igmpmsg, im_dst);
#else
  /* struct igmpmsg is _KERNEL-only here; it overlays the IP header the
   * same way on every BSD (kernel.md C.1): two unused u_int32, msgtype,
   * mbz (the IP protocol byte), vif, a spare byte, source, group. */
  lay->igmpmsg.size = 20;
  lay->igmpmsg.off_msgtype = 8;
  lay->igmpmsg.off_mbz = 9;
  lay->igmpmsg.off_vif = 10;
  lay->igmpmsg.off_src = 12;
  lay->igmpmsg.off_dst = 16;
#endif
#ifdef IGMPMSG_NOCACHE
  lay->igmpmsg.nocache = IGMPMSG_NOCACHE;
  lay->igmpmsg.wrongvif = IGMPMSG_WRONGVIF;
#else
  lay->igmpmsg.nocache = 1;
  lay->igmpmsg.wrongvif = 2;
#endif
#ifdef IGMPMSG_WHOLEPKT
  lay->igmpmsg.wholepkt = IGMPMSG_WHOLEPKT;
#endif
#ifdef IGMPMSG_BW_UPCALL
  lay->igmpmsg.bw_upcall = IGMPMSG_BW_UPCALL;
#endif

  lay->sg.size = sizeof(struct sioc_sg_req);
  lay->sg.off_src = offsetof(struct sioc_sg_req, src);
  lay->sg.off_grp = offsetof(struct sioc_sg_req, grp);
  lay->sg.off_pktcnt = offsetof(struct sioc_sg_req, pktcnt);
  lay->sg.off_bytecnt = offsetof(struct sioc_sg_req, bytecnt);
  lay->sg.off_wrong_if = offsetof(struct sioc_sg_req, wrong_if);

  lay->vifreq.size = sizeof(struct sioc_vif_req);
  lay->vifreq.off_vifi = offsetof(struct sioc_vif_req, vifi);
  lay->vifreq.off_icount = offsetof(struct sioc_vif_req, icount);
  lay->vifreq.off_ocount = offsetof(struct sioc_vif_req, ocount);
  lay->vifreq.off_ibytes = offsetof(struct sioc_vif_req, ibytes);
  lay->vifreq.off_obytes = offsetof(struct sioc_vif_req, obytes);
}
