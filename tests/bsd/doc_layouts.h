/*
 * doc_layouts.h - the documented routing-socket and ip_mroute layouts of
 * FreeBSD, NetBSD and OpenBSD (x86-64), one table per OS and struct, for
 * the Linux unit tests of the portable BSD code.
 *
 * SPDX-License-Identifier: MIT
 *
 * Each table row is X(field, documented value, native expression): the
 * unit tests build a layout from the documented values (doc_layouts.c);
 * layout-check.c, compiled by compile-check.sh against a real BSD
 * /usr/include, turns every row into _Static_assert(value == native), so
 * the numbers the tests trust are proven equal to that OS's headers (done
 * for the FreeBSD 9.2 sysroot; the NetBSD and OpenBSD rows wait for theirs).
 * Sources: kernel.md C.1-C.6 and the three systems' net/route.h, net/if.h,
 * netinet/ip_mroute.h (FreeBSD 9.2, NetBSD 10, OpenBSD 7.x); offsets are
 * for LP64 (u_long and long are 8 bytes).
 */
#ifndef MGM_TESTS_BSD_DOC_LAYOUTS_H
#define MGM_TESTS_BSD_DOC_LAYOUTS_H

#include "platform/bsd/mrtenc.h"
#include "platform/bsd/rtmsg.h"

#define DOC_N MGM_RTM_NONE
#define DOC_MN MGM_MRT_NONE

/* ---- routing socket -------------------------------------------------- */

#define DOC_RTM_FREEBSD(X)                                                     \
  X(version, 5, RTM_VERSION)                                                   \
  X(sa_align, 8, sizeof(long))                                                 \
  X(sa_zero, 8, sizeof(long)) /* SA_SIZE of an empty sockaddr */               \
  X(rtax_max, 8, RTAX_MAX)                                                     \
  X(t_ifinfo, 0x0e, RTM_IFINFO)                                                \
  X(t_ifannounce, 0x11, RTM_IFANNOUNCE)                                        \
  X(t_newaddr, 0x0c, RTM_NEWADDR)                                              \
  X(t_deladdr, 0x0d, RTM_DELADDR)                                              \
  X(t_desync, 0, 0)                                                            \
  X(t_add, 1, RTM_ADD)                                                         \
  X(t_delete, 2, RTM_DELETE)                                                   \
  X(t_change, 3, RTM_CHANGE)                                                   \
  X(t_get, 4, RTM_GET)                                                         \
  X(af_inet, 2, AF_INET)                                                       \
  X(af_link, 18, AF_LINK)                                                      \
  X(ifan_arrival, 0, IFAN_ARRIVAL)                                             \
  X(ifan_departure, 1, IFAN_DEPARTURE)                                         \
  X(iff_up, 0x1, IFF_UP)                                                       \
  X(iff_running, 0x40, IFF_RUNNING)                                            \
  X(iff_multicast, 0x8000, IFF_MULTICAST)                                      \
  X(iff_loopback, 0x8, IFF_LOOPBACK)                                           \
  X(iff_pointopoint, 0x10, IFF_POINTOPOINT)                                    \
  X(rtf_up, 0x1, RTF_UP)                                                       \
  X(rtf_gateway, 0x2, RTF_GATEWAY)                                             \
  X(rtf_host, 0x4, RTF_HOST)                                                   \
  X(rtf_reject, 0x8, RTF_REJECT)                                               \
  X(rtf_blackhole, 0x1000, RTF_BLACKHOLE)                                      \
  X(rtf_static, 0x800, RTF_STATIC)                                             \
  X(rtf_multicast, 0x800000, RTF_MULTICAST)                                    \
  X(sin_off_addr, 4, offsetof(struct sockaddr_in, sin_addr))                   \
  X(sin_size, 16, sizeof(struct sockaddr_in))                                  \
  X(sdl_off_index, 2, offsetof(struct sockaddr_dl, sdl_index))                 \
  X(sdl_off_nlen, 5, offsetof(struct sockaddr_dl, sdl_nlen))                   \
  X(sdl_off_data, 8, offsetof(struct sockaddr_dl, sdl_data))                   \
  X(ifm.size, 168, sizeof(struct if_msghdr))                                   \
  X(ifm.off_hdrlen, DOC_N, DOC_N)                                              \
  X(ifm.off_index, 12, offsetof(struct if_msghdr, ifm_index))                  \
  X(ifm.off_tableid, DOC_N, DOC_N)                                             \
  X(ifm.off_flags, 8, offsetof(struct if_msghdr, ifm_flags))                   \
  X(ifm.off_addrs, 4, offsetof(struct if_msghdr, ifm_addrs))                   \
  X(ifm.off_link_state, 20,                                                    \
    offsetof(struct if_msghdr, ifm_data) +                                     \
        offsetof(struct if_data, ifi_link_state))                              \
  X(ifm.link_state_size, 1, sizeof(((struct if_data *)0)->ifi_link_state))     \
  X(ifam.size, 20, sizeof(struct ifa_msghdr))                                  \
  X(ifam.off_hdrlen, DOC_N, DOC_N)                                             \
  X(ifam.off_index, 12, offsetof(struct ifa_msghdr, ifam_index))               \
  X(ifam.off_tableid, DOC_N, DOC_N)                                            \
  X(ifam.off_flags, 8, offsetof(struct ifa_msghdr, ifam_flags))                \
  X(ifam.off_addrs, 4, offsetof(struct ifa_msghdr, ifam_addrs))                \
  X(ifan.size, 24, sizeof(struct if_announcemsghdr))                           \
  X(ifan.off_hdrlen, DOC_N, DOC_N)                                             \
  X(ifan.off_index, 4, offsetof(struct if_announcemsghdr, ifan_index))         \
  X(ifan.off_name, 6, offsetof(struct if_announcemsghdr, ifan_name))           \
  X(ifan.off_what, 22, offsetof(struct if_announcemsghdr, ifan_what))          \
  X(rtm.size, 152, sizeof(struct rt_msghdr))                                   \
  X(rtm.off_hdrlen, DOC_N, DOC_N)                                              \
  X(rtm.off_index, 4, offsetof(struct rt_msghdr, rtm_index))                   \
  X(rtm.off_tableid, DOC_N, DOC_N)                                             \
  X(rtm.off_flags, 8, offsetof(struct rt_msghdr, rtm_flags))                   \
  X(rtm.off_addrs, 12, offsetof(struct rt_msghdr, rtm_addrs))                  \
  X(rtm.off_pid, 16, offsetof(struct rt_msghdr, rtm_pid))                      \
  X(rtm.off_seq, 20, offsetof(struct rt_msghdr, rtm_seq))                      \
  X(rtm.off_errno, 24, offsetof(struct rt_msghdr, rtm_errno))

/* NetBSD >= 8: renumbered address/interface messages, 64-bit aligned
 * headers and 64-bit sockaddr rounding on every architecture. */
#define DOC_RTM_NETBSD(X)                                                      \
  X(version, 4, RTM_VERSION)                                                   \
  X(sa_align, 8, sizeof(uint64_t))                                             \
  X(sa_zero, 8, RT_ROUNDUP(0))                                                 \
  X(rtax_max, 9, RTAX_MAX)                                                     \
  X(t_ifinfo, 0x14, RTM_IFINFO)                                                \
  X(t_ifannounce, 0x10, RTM_IFANNOUNCE)                                        \
  X(t_newaddr, 0x16, RTM_NEWADDR)                                              \
  X(t_deladdr, 0x17, RTM_DELADDR)                                              \
  X(t_desync, 0, 0)                                                            \
  X(t_add, 1, RTM_ADD)                                                         \
  X(t_delete, 2, RTM_DELETE)                                                   \
  X(t_change, 3, RTM_CHANGE)                                                   \
  X(t_get, 4, RTM_GET)                                                         \
  X(af_inet, 2, AF_INET)                                                       \
  X(af_link, 18, AF_LINK)                                                      \
  X(ifan_arrival, 0, IFAN_ARRIVAL)                                             \
  X(ifan_departure, 1, IFAN_DEPARTURE)                                         \
  X(iff_up, 0x1, IFF_UP)                                                       \
  X(iff_running, 0x40, IFF_RUNNING)                                            \
  X(iff_multicast, 0x8000, IFF_MULTICAST)                                      \
  X(iff_loopback, 0x8, IFF_LOOPBACK)                                           \
  X(iff_pointopoint, 0x10, IFF_POINTOPOINT)                                    \
  X(rtf_up, 0x1, RTF_UP)                                                       \
  X(rtf_gateway, 0x2, RTF_GATEWAY)                                             \
  X(rtf_host, 0x4, RTF_HOST)                                                   \
  X(rtf_reject, 0x8, RTF_REJECT)                                               \
  X(rtf_blackhole, 0x1000, RTF_BLACKHOLE)                                      \
  X(rtf_static, 0x800, RTF_STATIC)                                             \
  X(rtf_multicast, 0, 0)                                                       \
  X(sin_off_addr, 4, offsetof(struct sockaddr_in, sin_addr))                   \
  X(sin_size, 16, sizeof(struct sockaddr_in))                                  \
  X(sdl_off_index, 2, offsetof(struct sockaddr_dl, sdl_index))                 \
  X(sdl_off_nlen, 5, offsetof(struct sockaddr_dl, sdl_nlen))                   \
  X(sdl_off_data, 8, offsetof(struct sockaddr_dl, sdl_data))                   \
  X(ifm.size, 152, sizeof(struct if_msghdr))                                   \
  X(ifm.off_hdrlen, DOC_N, DOC_N)                                              \
  X(ifm.off_index, 12, offsetof(struct if_msghdr, ifm_index))                  \
  X(ifm.off_tableid, DOC_N, DOC_N)                                             \
  X(ifm.off_flags, 8, offsetof(struct if_msghdr, ifm_flags))                   \
  X(ifm.off_addrs, 4, offsetof(struct if_msghdr, ifm_addrs))                   \
  X(ifm.off_link_state, 20,                                                    \
    offsetof(struct if_msghdr, ifm_data) +                                     \
        offsetof(struct if_data, ifi_link_state))                              \
  X(ifm.link_state_size, 4, sizeof(((struct if_data *)0)->ifi_link_state))     \
  X(ifam.size, 32, sizeof(struct ifa_msghdr))                                  \
  X(ifam.off_hdrlen, DOC_N, DOC_N)                                             \
  X(ifam.off_index, 4, offsetof(struct ifa_msghdr, ifam_index))                \
  X(ifam.off_tableid, DOC_N, DOC_N)                                            \
  X(ifam.off_flags, 8, offsetof(struct ifa_msghdr, ifam_flags))                \
  X(ifam.off_addrs, 12, offsetof(struct ifa_msghdr, ifam_addrs))               \
  X(ifan.size, 24, sizeof(struct if_announcemsghdr))                           \
  X(ifan.off_hdrlen, DOC_N, DOC_N)                                             \
  X(ifan.off_index, 4, offsetof(struct if_announcemsghdr, ifan_index))         \
  X(ifan.off_name, 6, offsetof(struct if_announcemsghdr, ifan_name))           \
  X(ifan.off_what, 22, offsetof(struct if_announcemsghdr, ifan_what))          \
  X(rtm.size, 120, sizeof(struct rt_msghdr))                                   \
  X(rtm.off_hdrlen, DOC_N, DOC_N)                                              \
  X(rtm.off_index, 4, offsetof(struct rt_msghdr, rtm_index))                   \
  X(rtm.off_tableid, DOC_N, DOC_N)                                             \
  X(rtm.off_flags, 8, offsetof(struct rt_msghdr, rtm_flags))                   \
  X(rtm.off_addrs, 12, offsetof(struct rt_msghdr, rtm_addrs))                  \
  X(rtm.off_pid, 16, offsetof(struct rt_msghdr, rtm_pid))                      \
  X(rtm.off_seq, 20, offsetof(struct rt_msghdr, rtm_seq))                      \
  X(rtm.off_errno, 24, offsetof(struct rt_msghdr, rtm_errno))

/* OpenBSD: *_hdrlen and *_tableid in every header, ifan_what before
 * ifan_name, RTM_DESYNC, long rounding. */
#define DOC_RTM_OPENBSD(X)                                                     \
  X(version, 5, RTM_VERSION)                                                   \
  X(sa_align, 8, sizeof(long))                                                 \
  X(sa_zero, 8, sizeof(long))                                                  \
  X(rtax_max, 15, RTAX_MAX)                                                    \
  X(t_ifinfo, 0x0e, RTM_IFINFO)                                                \
  X(t_ifannounce, 0x0f, RTM_IFANNOUNCE)                                        \
  X(t_newaddr, 0x0c, RTM_NEWADDR)                                              \
  X(t_deladdr, 0x0d, RTM_DELADDR)                                              \
  X(t_desync, 0x10, RTM_DESYNC)                                                \
  X(t_add, 1, RTM_ADD)                                                         \
  X(t_delete, 2, RTM_DELETE)                                                   \
  X(t_change, 3, RTM_CHANGE)                                                   \
  X(t_get, 4, RTM_GET)                                                         \
  X(af_inet, 2, AF_INET)                                                       \
  X(af_link, 18, AF_LINK)                                                      \
  X(ifan_arrival, 0, IFAN_ARRIVAL)                                             \
  X(ifan_departure, 1, IFAN_DEPARTURE)                                         \
  X(iff_up, 0x1, IFF_UP)                                                       \
  X(iff_running, 0x40, IFF_RUNNING)                                            \
  X(iff_multicast, 0x8000, IFF_MULTICAST)                                      \
  X(iff_loopback, 0x8, IFF_LOOPBACK)                                           \
  X(iff_pointopoint, 0x10, IFF_POINTOPOINT)                                    \
  X(rtf_up, 0x1, RTF_UP)                                                       \
  X(rtf_gateway, 0x2, RTF_GATEWAY)                                             \
  X(rtf_host, 0x4, RTF_HOST)                                                   \
  X(rtf_reject, 0x8, RTF_REJECT)                                               \
  X(rtf_blackhole, 0x1000, RTF_BLACKHOLE)                                      \
  X(rtf_static, 0x800, RTF_STATIC)                                             \
  X(rtf_multicast, 0x200, RTF_MULTICAST)                                       \
  X(sin_off_addr, 4, offsetof(struct sockaddr_in, sin_addr))                   \
  X(sin_size, 16, sizeof(struct sockaddr_in))                                  \
  X(sdl_off_index, 2, offsetof(struct sockaddr_dl, sdl_index))                 \
  X(sdl_off_nlen, 5, offsetof(struct sockaddr_dl, sdl_nlen))                   \
  X(sdl_off_data, 8, offsetof(struct sockaddr_dl, sdl_data))                   \
  X(ifm.size, 168, sizeof(struct if_msghdr))                                   \
  X(ifm.off_hdrlen, 4, offsetof(struct if_msghdr, ifm_hdrlen))                 \
  X(ifm.off_index, 6, offsetof(struct if_msghdr, ifm_index))                   \
  X(ifm.off_tableid, 8, offsetof(struct if_msghdr, ifm_tableid))               \
  X(ifm.off_flags, 16, offsetof(struct if_msghdr, ifm_flags))                  \
  X(ifm.off_addrs, 12, offsetof(struct if_msghdr, ifm_addrs))                  \
  X(ifm.off_link_state, 27,                                                    \
    offsetof(struct if_msghdr, ifm_data) +                                     \
        offsetof(struct if_data, ifi_link_state))                              \
  X(ifm.link_state_size, 1, sizeof(((struct if_data *)0)->ifi_link_state))     \
  X(ifam.size, 24, sizeof(struct ifa_msghdr))                                  \
  X(ifam.off_hdrlen, 4, offsetof(struct ifa_msghdr, ifam_hdrlen))              \
  X(ifam.off_index, 6, offsetof(struct ifa_msghdr, ifam_index))                \
  X(ifam.off_tableid, 8, offsetof(struct ifa_msghdr, ifam_tableid))            \
  X(ifam.off_flags, 16, offsetof(struct ifa_msghdr, ifam_flags))               \
  X(ifam.off_addrs, 12, offsetof(struct ifa_msghdr, ifam_addrs))               \
  X(ifan.size, 26, sizeof(struct if_announcemsghdr))                           \
  X(ifan.off_hdrlen, 4, offsetof(struct if_announcemsghdr, ifan_hdrlen))       \
  X(ifan.off_index, 6, offsetof(struct if_announcemsghdr, ifan_index))         \
  X(ifan.off_name, 10, offsetof(struct if_announcemsghdr, ifan_name))          \
  X(ifan.off_what, 8, offsetof(struct if_announcemsghdr, ifan_what))           \
  X(rtm.size, 96, sizeof(struct rt_msghdr))                                    \
  X(rtm.off_hdrlen, 4, offsetof(struct rt_msghdr, rtm_hdrlen))                 \
  X(rtm.off_index, 6, offsetof(struct rt_msghdr, rtm_index))                   \
  X(rtm.off_tableid, 8, offsetof(struct rt_msghdr, rtm_tableid))               \
  X(rtm.off_flags, 16, offsetof(struct rt_msghdr, rtm_flags))                  \
  X(rtm.off_addrs, 12, offsetof(struct rt_msghdr, rtm_addrs))                  \
  X(rtm.off_pid, 24, offsetof(struct rt_msghdr, rtm_pid))                      \
  X(rtm.off_seq, 28, offsetof(struct rt_msghdr, rtm_seq))                      \
  X(rtm.off_errno, 32, offsetof(struct rt_msghdr, rtm_errno))

/* ---- ip_mroute -------------------------------------------------------- */

/* Shared by the three: the mrouted 3.x structs.  igmpmsg is _KERNEL-only
 * on NetBSD and OpenBSD, so its native column is the header's only on
 * FreeBSD (DOC_MRT_IGMPMSG_NATIVE). */
#define DOC_MRT_COMMON(X)                                                      \
  X(maxvifs, 32, MAXVIFS)                                                      \
  X(vifi_size, 2, sizeof(vifi_t))                                              \
  X(ulong_size, 8, sizeof(u_long))                                             \
  X(vifctl.size, 16, sizeof(struct vifctl))                                    \
  X(vifctl.off_vifi, 0, offsetof(struct vifctl, vifc_vifi))                    \
  X(vifctl.off_flags, 2, offsetof(struct vifctl, vifc_flags))                  \
  X(vifctl.off_threshold, 3, offsetof(struct vifctl, vifc_threshold))          \
  X(vifctl.off_rate_limit, 4, offsetof(struct vifctl, vifc_rate_limit))        \
  X(vifctl.off_lcl_addr, 8, offsetof(struct vifctl, vifc_lcl_addr))            \
  X(vifctl.off_rmt_addr, 12, offsetof(struct vifctl, vifc_rmt_addr))           \
  X(mfcctl.size, 44, sizeof(struct mfcctl))                                    \
  X(mfcctl.off_origin, 0, offsetof(struct mfcctl, mfcc_origin))                \
  X(mfcctl.off_mcastgrp, 4, offsetof(struct mfcctl, mfcc_mcastgrp))            \
  X(mfcctl.off_parent, 8, offsetof(struct mfcctl, mfcc_parent))                \
  X(mfcctl.off_ttls, 10, offsetof(struct mfcctl, mfcc_ttls))                   \
  X(mfcctl.off_flags, DOC_MN, DOC_MN)                                          \
  X(mfcctl.off_rp, DOC_MN, DOC_MN)                                             \
  X(mfcctl2.size, 80, sizeof(struct mfcctl2))                                  \
  X(mfcctl2.off_origin, 0, offsetof(struct mfcctl2, mfcc_origin))              \
  X(mfcctl2.off_mcastgrp, 4, offsetof(struct mfcctl2, mfcc_mcastgrp))          \
  X(mfcctl2.off_parent, 8, offsetof(struct mfcctl2, mfcc_parent))              \
  X(mfcctl2.off_ttls, 10, offsetof(struct mfcctl2, mfcc_ttls))                 \
  X(mfcctl2.off_flags, 42, offsetof(struct mfcctl2, mfcc_flags))               \
  X(mfcctl2.off_rp, 76, offsetof(struct mfcctl2, mfcc_rp))                     \
  X(igmpmsg.nocache, 1, 1)                                                     \
  X(igmpmsg.wrongvif, 2, 2)                                                    \
  X(sg.size, 32, sizeof(struct sioc_sg_req))                                   \
  X(sg.off_src, 0, offsetof(struct sioc_sg_req, src))                          \
  X(sg.off_grp, 4, offsetof(struct sioc_sg_req, grp))                          \
  X(sg.off_pktcnt, 8, offsetof(struct sioc_sg_req, pktcnt))                    \
  X(sg.off_bytecnt, 16, offsetof(struct sioc_sg_req, bytecnt))                 \
  X(sg.off_wrong_if, 24, offsetof(struct sioc_sg_req, wrong_if))               \
  X(vifreq.size, 40, sizeof(struct sioc_vif_req))                              \
  X(vifreq.off_vifi, 0, offsetof(struct sioc_vif_req, vifi))                   \
  X(vifreq.off_icount, 8, offsetof(struct sioc_vif_req, icount))               \
  X(vifreq.off_ocount, 16, offsetof(struct sioc_vif_req, ocount))              \
  X(vifreq.off_ibytes, 24, offsetof(struct sioc_vif_req, ibytes))              \
  X(vifreq.off_obytes, 32, offsetof(struct sioc_vif_req, obytes))

/* struct igmpmsg overlays the IP header (kernel.md C.1). */
#define DOC_MRT_IGMPMSG(X)                                                     \
  X(igmpmsg.size, 20, sizeof(struct igmpmsg))                                  \
  X(igmpmsg.off_msgtype, 8, offsetof(struct igmpmsg, im_msgtype))              \
  X(igmpmsg.off_mbz, 9, offsetof(struct igmpmsg, im_mbz))                      \
  X(igmpmsg.off_vif, 10, offsetof(struct igmpmsg, im_vif))                     \
  X(igmpmsg.off_src, 12, offsetof(struct igmpmsg, im_src))                     \
  X(igmpmsg.off_dst, 16, offsetof(struct igmpmsg, im_dst))

#define DOC_MRT_FREEBSD(X)                                                     \
  DOC_MRT_COMMON(X)                                                            \
  DOC_MRT_IGMPMSG(X)                                                           \
  X(igmpmsg.wholepkt, 3, IGMPMSG_WHOLEPKT)                                     \
  X(igmpmsg.bw_upcall, 4, IGMPMSG_BW_UPCALL)

#define DOC_MRT_NETBSD(X)                                                      \
  DOC_MRT_COMMON(X)                                                            \
  X(igmpmsg.size, 20, 20)                                                      \
  X(igmpmsg.off_msgtype, 8, 8)                                                 \
  X(igmpmsg.off_mbz, 9, 9)                                                     \
  X(igmpmsg.off_vif, 10, 10)                                                   \
  X(igmpmsg.off_src, 12, 12)                                                   \
  X(igmpmsg.off_dst, 16, 16)                                                   \
  X(igmpmsg.wholepkt, 3, 3)                                                    \
  X(igmpmsg.bw_upcall, 4, 4)

/* OpenBSD has no PIM: no WHOLEPKT upcall. */
#define DOC_MRT_OPENBSD(X)                                                     \
  DOC_MRT_COMMON(X)                                                            \
  X(igmpmsg.size, 20, 20)                                                      \
  X(igmpmsg.off_msgtype, 8, 8)                                                 \
  X(igmpmsg.off_mbz, 9, 9)                                                     \
  X(igmpmsg.off_vif, 10, 10)                                                   \
  X(igmpmsg.off_src, 12, 12)                                                   \
  X(igmpmsg.off_dst, 16, 16)                                                   \
  X(igmpmsg.wholepkt, 0, 0)                                                    \
  X(igmpmsg.bw_upcall, 4, 4)

enum doc_os { DOC_FREEBSD, DOC_NETBSD, DOC_OPENBSD, DOC_NOS };

/* Fill *lay with the documented layout of os (doc_layouts.c). */
void doc_rtm_layout(enum doc_os os, struct mgm_rtm_layout *lay);
void doc_mrt_layout(enum doc_os os, struct mgm_mrt_layout *lay);
const char *doc_os_name(enum doc_os os);

#endif /* MGM_TESTS_BSD_DOC_LAYOUTS_H */
