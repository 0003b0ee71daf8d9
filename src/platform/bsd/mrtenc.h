/*
 * mrtenc.h - portable encoder/decoder for the BSD ip_mroute(4) socket
 * option and ioctl arguments, driven by a layout description.
 *
 * SPDX-License-Identifier: MIT
 *
 * The BSD multicast-routing API (kernel.md C.1) passes C structs to
 * setsockopt/ioctl: struct vifctl (MRT_ADD_VIF), a bare vifi_t
 * (MRT_DEL_VIF), struct mfcctl or mfcctl2 (MRT_ADD_MFC/MRT_DEL_MFC),
 * struct sioc_sg_req / sioc_vif_req (SIOCGETSGCNT / SIOCGETVIFCNT) and
 * the struct igmpmsg upcall read from the router socket.  This module
 * produces and reads those bytes from a struct mgm_mrt_layout (offsets,
 * sizes, constants) so it needs no OS header: on a BSD the layout is
 * filled with offsetof/sizeof from <netinet/ip_mroute.h> (oscaps.c), in
 * the Linux unit tests from the documented layouts.  Integers are written
 * in host byte order, addresses are taken and returned in network order.
 */
#ifndef MGM_BSD_MRTENC_H
#define MGM_BSD_MRTENC_H

#include <stddef.h>
#include <stdint.h>

/* Upper bound on any layout's MAXVIFS (32 stock; 64 in pfSense builds). */
#define MGM_MRT_VIFS_MAX 64

/* An offset a struct does not have. */
#define MGM_MRT_NONE 0xffffu

struct mgm_mrt_layout {
  const char *name;   /* "freebsd", "netbsd", "openbsd": for messages */
  uint16_t maxvifs;   /* MAXVIFS */
  uint8_t vifi_size;  /* sizeof(vifi_t) */
  uint8_t ulong_size; /* sizeof(u_long): the sioc_* counters */
  struct {
    uint16_t size, off_vifi, off_flags, off_threshold, off_rate_limit;
    uint16_t off_lcl_addr, off_rmt_addr;
  } vifctl;
  struct { /* mfcctl, or mfcctl2 with off_flags/off_rp set */
    uint16_t size, off_origin, off_mcastgrp, off_parent, off_ttls;
    uint16_t off_flags, off_rp; /* MGM_MRT_NONE in struct mfcctl */
  } mfcctl, mfcctl2;
  struct {
    uint16_t size, off_msgtype, off_mbz, off_vif, off_src, off_dst;
    uint8_t nocache, wrongvif, wholepkt, bw_upcall; /* 0 = none */
  } igmpmsg;
  struct {
    uint16_t size, off_src, off_grp, off_pktcnt, off_bytecnt, off_wrong_if;
  } sg;
  struct {
    uint16_t size, off_vifi, off_icount, off_ocount, off_ibytes, off_obytes;
  } vifreq;
};

enum mgm_mrt_err {
  MGM_MRT_ESPACE = -1, /* output buffer too small */
  MGM_MRT_ERANGE = -2, /* VIF index or ttl slot beyond MAXVIFS */
  MGM_MRT_ETRUNC = -3, /* input shorter than the struct */
  MGM_MRT_ELAYOUT = -4 /* the layout is inconsistent */
};

/* An MFC entry in portable form.  Slots >= the layout's maxvifs must be 0. */
struct mgm_mrt_mfc {
  uint32_t origin;                 /* network order */
  uint32_t group;                  /* network order */
  uint16_t parent;                 /* incoming VIF */
  uint8_t ttls[MGM_MRT_VIFS_MAX];  /* 0 = do not forward on that VIF */
  uint8_t flags[MGM_MRT_VIFS_MAX]; /* mfcctl2 only: MRT_MFC_FLAGS_* */
  uint32_t rp;                     /* mfcctl2 only, network order */
};

enum mgm_mrt_upcall_type {
  MGM_MRT_UP_NOCACHE = 1,
  MGM_MRT_UP_WRONGVIF,
  MGM_MRT_UP_WHOLEPKT,
  MGM_MRT_UP_BW,
  MGM_MRT_UP_OTHER
};

struct mgm_mrt_upcall {
  enum mgm_mrt_upcall_type type;
  uint8_t raw_type; /* im_msgtype */
  uint8_t vif;      /* im_vif: 8 bits on BSD */
  uint32_t src;     /* network order */
  uint32_t grp;     /* network order */
};

struct mgm_mrt_vifcnt {
  uint64_t icount, ocount, ibytes, obytes;
};

int mgm__mrtenc_check_layout(const struct mgm_mrt_layout *lay);

/* Each encoder zero-fills and returns the number of bytes to pass to the
 * kernel, or a negative enum mgm_mrt_err. */
int mgm__mrtenc_vifctl(const struct mgm_mrt_layout *lay, void *buf, size_t cap,
                       uint16_t vifi, uint8_t flags, uint8_t threshold,
                       uint32_t lcl_addr, uint32_t rmt_addr);
int mgm__mrtenc_vifi(const struct mgm_mrt_layout *lay, void *buf, size_t cap,
                     uint16_t vifi); /* MRT_DEL_VIF */
int mgm__mrtenc_mfcctl(const struct mgm_mrt_layout *lay, void *buf, size_t cap,
                       const struct mgm_mrt_mfc *mfc, int v2);
int mgm__mrtenc_sg_req(const struct mgm_mrt_layout *lay, void *buf, size_t cap,
                       uint32_t src, uint32_t grp);
int mgm__mrtenc_vif_req(const struct mgm_mrt_layout *lay, void *buf, size_t cap,
                        uint16_t vifi);

/* Decoders: 0 or a negative enum mgm_mrt_err. */
int mgm__mrtenc_sg_counts(const struct mgm_mrt_layout *lay, const void *buf,
                          size_t len, uint64_t *pkts, uint64_t *bytes,
                          uint64_t *wrong_if);
int mgm__mrtenc_vif_counts(const struct mgm_mrt_layout *lay, const void *buf,
                           size_t len, struct mgm_mrt_vifcnt *out);

/* Classify a datagram read from the router socket: 1 = a kernel upcall
 * (*up filled), 0 = an ordinary IGMP packet (im_mbz, the IP protocol
 * byte, is not 0), or MGM_MRT_ETRUNC. */
int mgm__mrtenc_upcall(const struct mgm_mrt_layout *lay, const void *buf,
                       size_t len, struct mgm_mrt_upcall *up);

const char *mgm__mrtenc_strerror(int err);

#endif /* MGM_BSD_MRTENC_H */
