/*
 * mrtenc.c - portable encoder/decoder for BSD ip_mroute(4) arguments.
 *
 * SPDX-License-Identifier: MIT
 *
 * Writes struct vifctl, vifi_t, struct mfcctl/mfcctl2, sioc_sg_req and
 * sioc_vif_req bytes, and reads the counters back and the igmpmsg upcall,
 * all through the offsets of a struct mgm_mrt_layout (mrtenc.h).  No OS
 * header is included, so the same code is unit-tested on Linux.  Every
 * access is bounds-checked against the layout's struct sizes, which are
 * themselves checked by mgm__mrtenc_check_layout().
 */
#include "platform/bsd/mrtenc.h"

#include <string.h>

static int bsd_fits(uint16_t off, size_t width, size_t size) {
  return off != MGM_MRT_NONE && (size_t)off + width <= size;
}

static int bsd_uint_ok(uint8_t size) {
  return size == 1 || size == 2 || size == 4 || size == 8;
}

/* Store v as an unsigned integer of `size` bytes, host byte order. */
static void bsd_put_uint(uint8_t *p, size_t off, uint8_t size, uint64_t v) {
  uint8_t u8;
  uint16_t u16;
  uint32_t u32;

  switch (size) {
  case 1:
    u8 = (uint8_t)v;
    memcpy(p + off, &u8, 1);
    break;
  case 2:
    u16 = (uint16_t)v;
    memcpy(p + off, &u16, 2);
    break;
  case 4:
    u32 = (uint32_t)v;
    memcpy(p + off, &u32, 4);
    break;
  default:
    memcpy(p + off, &v, 8);
    break;
  }
}

static uint64_t bsd_get_uint(const uint8_t *p, size_t off, uint8_t size) {
  uint8_t u8;
  uint16_t u16;
  uint32_t u32;
  uint64_t u64;

  switch (size) {
  case 1:
    memcpy(&u8, p + off, 1);
    return u8;
  case 2:
    memcpy(&u16, p + off, 2);
    return u16;
  case 4:
    memcpy(&u32, p + off, 4);
    return u32;
  default:
    memcpy(&u64, p + off, 8);
    return u64;
  }
}

static int bsd_check_mfc(const struct mgm_mrt_layout *lay, int v2) {
  uint16_t size = v2 ? lay->mfcctl2.size : lay->mfcctl.size;
  uint16_t origin = v2 ? lay->mfcctl2.off_origin : lay->mfcctl.off_origin;
  uint16_t grp = v2 ? lay->mfcctl2.off_mcastgrp : lay->mfcctl.off_mcastgrp;
  uint16_t parent = v2 ? lay->mfcctl2.off_parent : lay->mfcctl.off_parent;
  uint16_t ttls = v2 ? lay->mfcctl2.off_ttls : lay->mfcctl.off_ttls;

  if (!bsd_fits(origin, 4, size) || !bsd_fits(grp, 4, size) ||
      !bsd_fits(parent, lay->vifi_size, size) ||
      !bsd_fits(ttls, lay->maxvifs, size))
    return MGM_MRT_ELAYOUT;
  if (v2 && (!bsd_fits(lay->mfcctl2.off_flags, lay->maxvifs, size) ||
             !bsd_fits(lay->mfcctl2.off_rp, 4, size)))
    return MGM_MRT_ELAYOUT;
  return 0;
}

int mgm__mrtenc_check_layout(const struct mgm_mrt_layout *lay) {
  uint8_t ul = lay->ulong_size;
  int rc = MGM_MRT_ELAYOUT;

  if (lay->maxvifs == 0 || lay->maxvifs > MGM_MRT_VIFS_MAX)
    goto out;
  if (!bsd_uint_ok(lay->vifi_size) || lay->vifi_size == 8 ||
      (ul != 4 && ul != 8))
    goto out;
  if (!bsd_fits(lay->vifctl.off_vifi, lay->vifi_size, lay->vifctl.size) ||
      !bsd_fits(lay->vifctl.off_flags, 1, lay->vifctl.size) ||
      !bsd_fits(lay->vifctl.off_threshold, 1, lay->vifctl.size) ||
      !bsd_fits(lay->vifctl.off_rate_limit, 4, lay->vifctl.size) ||
      !bsd_fits(lay->vifctl.off_lcl_addr, 4, lay->vifctl.size) ||
      !bsd_fits(lay->vifctl.off_rmt_addr, 4, lay->vifctl.size))
    goto out;
  if (bsd_check_mfc(lay, 0) < 0)
    goto out;
  /* mfcctl2 is optional: size 0 means the OS has no advanced API */
  if (lay->mfcctl2.size != 0 && bsd_check_mfc(lay, 1) < 0)
    goto out;
  if (!bsd_fits(lay->igmpmsg.off_msgtype, 1, lay->igmpmsg.size) ||
      !bsd_fits(lay->igmpmsg.off_mbz, 1, lay->igmpmsg.size) ||
      !bsd_fits(lay->igmpmsg.off_vif, 1, lay->igmpmsg.size) ||
      !bsd_fits(lay->igmpmsg.off_src, 4, lay->igmpmsg.size) ||
      !bsd_fits(lay->igmpmsg.off_dst, 4, lay->igmpmsg.size))
    goto out;
  if (!bsd_fits(lay->sg.off_src, 4, lay->sg.size) ||
      !bsd_fits(lay->sg.off_grp, 4, lay->sg.size) ||
      !bsd_fits(lay->sg.off_pktcnt, ul, lay->sg.size) ||
      !bsd_fits(lay->sg.off_bytecnt, ul, lay->sg.size) ||
      !bsd_fits(lay->sg.off_wrong_if, ul, lay->sg.size))
    goto out;
  if (!bsd_fits(lay->vifreq.off_vifi, lay->vifi_size, lay->vifreq.size) ||
      !bsd_fits(lay->vifreq.off_icount, ul, lay->vifreq.size) ||
      !bsd_fits(lay->vifreq.off_ocount, ul, lay->vifreq.size) ||
      !bsd_fits(lay->vifreq.off_ibytes, ul, lay->vifreq.size) ||
      !bsd_fits(lay->vifreq.off_obytes, ul, lay->vifreq.size))
    goto out;
  rc = 0;
out:
  return rc;
}

int mgm__mrtenc_vifctl(const struct mgm_mrt_layout *lay, void *buf, size_t cap,
                       uint16_t vifi, uint8_t flags, uint8_t threshold,
                       uint32_t lcl_addr, uint32_t rmt_addr) {
  uint8_t *p = buf;
  int rc;

  rc = mgm__mrtenc_check_layout(lay);
  if (rc < 0)
    goto out;
  if (vifi >= lay->maxvifs) {
    rc = MGM_MRT_ERANGE;
    goto out;
  }
  if (cap < lay->vifctl.size) {
    rc = MGM_MRT_ESPACE;
    goto out;
  }
  memset(p, 0, lay->vifctl.size);
  bsd_put_uint(p, lay->vifctl.off_vifi, lay->vifi_size, vifi);
  p[lay->vifctl.off_flags] = flags;
  p[lay->vifctl.off_threshold] = threshold;
  /* vifc_rate_limit stays 0: FreeBSD rejects anything else */
  memcpy(p + lay->vifctl.off_lcl_addr, &lcl_addr, 4);
  memcpy(p + lay->vifctl.off_rmt_addr, &rmt_addr, 4);
  rc = lay->vifctl.size;
out:
  return rc;
}

int mgm__mrtenc_vifi(const struct mgm_mrt_layout *lay, void *buf, size_t cap,
                     uint16_t vifi) {
  int rc;

  rc = mgm__mrtenc_check_layout(lay);
  if (rc < 0)
    goto out;
  if (vifi >= lay->maxvifs) {
    rc = MGM_MRT_ERANGE;
    goto out;
  }
  if (cap < lay->vifi_size) {
    rc = MGM_MRT_ESPACE;
    goto out;
  }
  bsd_put_uint(buf, 0, lay->vifi_size, vifi);
  rc = lay->vifi_size;
out:
  return rc;
}

int mgm__mrtenc_mfcctl(const struct mgm_mrt_layout *lay, void *buf, size_t cap,
                       const struct mgm_mrt_mfc *mfc, int v2) {
  uint8_t *p = buf;
  uint16_t size, off_origin, off_grp, off_parent, off_ttls;
  size_t i;
  int rc;

  rc = mgm__mrtenc_check_layout(lay);
  if (rc < 0)
    goto out;
  if (v2 && lay->mfcctl2.size == 0) {
    rc = MGM_MRT_ELAYOUT;
    goto out;
  }
  if (mfc->parent >= lay->maxvifs) {
    rc = MGM_MRT_ERANGE;
    goto out;
  }
  for (i = lay->maxvifs; i < MGM_MRT_VIFS_MAX; i++) {
    if (mfc->ttls[i] != 0 || (v2 && mfc->flags[i] != 0)) {
      rc = MGM_MRT_ERANGE;
      goto out;
    }
  }
  size = v2 ? lay->mfcctl2.size : lay->mfcctl.size;
  off_origin = v2 ? lay->mfcctl2.off_origin : lay->mfcctl.off_origin;
  off_grp = v2 ? lay->mfcctl2.off_mcastgrp : lay->mfcctl.off_mcastgrp;
  off_parent = v2 ? lay->mfcctl2.off_parent : lay->mfcctl.off_parent;
  off_ttls = v2 ? lay->mfcctl2.off_ttls : lay->mfcctl.off_ttls;
  if (cap < size) {
    rc = MGM_MRT_ESPACE;
    goto out;
  }
  memset(p, 0, size);
  memcpy(p + off_origin, &mfc->origin, 4);
  memcpy(p + off_grp, &mfc->group, 4);
  bsd_put_uint(p, off_parent, lay->vifi_size, mfc->parent);
  memcpy(p + off_ttls, mfc->ttls, lay->maxvifs);
  if (v2) {
    memcpy(p + lay->mfcctl2.off_flags, mfc->flags, lay->maxvifs);
    memcpy(p + lay->mfcctl2.off_rp, &mfc->rp, 4);
  }
  rc = size;
out:
  return rc;
}

int mgm__mrtenc_sg_req(const struct mgm_mrt_layout *lay, void *buf, size_t cap,
                       uint32_t src, uint32_t grp) {
  uint8_t *p = buf;
  int rc;

  rc = mgm__mrtenc_check_layout(lay);
  if (rc < 0)
    goto out;
  if (cap < lay->sg.size) {
    rc = MGM_MRT_ESPACE;
    goto out;
  }
  memset(p, 0, lay->sg.size);
  memcpy(p + lay->sg.off_src, &src, 4);
  memcpy(p + lay->sg.off_grp, &grp, 4);
  rc = lay->sg.size;
out:
  return rc;
}

int mgm__mrtenc_vif_req(const struct mgm_mrt_layout *lay, void *buf, size_t cap,
                        uint16_t vifi) {
  uint8_t *p = buf;
  int rc;

  rc = mgm__mrtenc_check_layout(lay);
  if (rc < 0)
    goto out;
  if (vifi >= lay->maxvifs) {
    rc = MGM_MRT_ERANGE;
    goto out;
  }
  if (cap < lay->vifreq.size) {
    rc = MGM_MRT_ESPACE;
    goto out;
  }
  memset(p, 0, lay->vifreq.size);
  bsd_put_uint(p, lay->vifreq.off_vifi, lay->vifi_size, vifi);
  rc = lay->vifreq.size;
out:
  return rc;
}

int mgm__mrtenc_sg_counts(const struct mgm_mrt_layout *lay, const void *buf,
                          size_t len, uint64_t *pkts, uint64_t *bytes,
                          uint64_t *wrong_if) {
  const uint8_t *p = buf;
  int rc;

  rc = mgm__mrtenc_check_layout(lay);
  if (rc < 0)
    goto out;
  if (len < lay->sg.size) {
    rc = MGM_MRT_ETRUNC;
    goto out;
  }
  *pkts = bsd_get_uint(p, lay->sg.off_pktcnt, lay->ulong_size);
  *bytes = bsd_get_uint(p, lay->sg.off_bytecnt, lay->ulong_size);
  *wrong_if = bsd_get_uint(p, lay->sg.off_wrong_if, lay->ulong_size);
out:
  return rc;
}

int mgm__mrtenc_vif_counts(const struct mgm_mrt_layout *lay, const void *buf,
                           size_t len, struct mgm_mrt_vifcnt *out) {
  const uint8_t *p = buf;
  int rc;

  rc = mgm__mrtenc_check_layout(lay);
  if (rc < 0)
    goto out;
  if (len < lay->vifreq.size) {
    rc = MGM_MRT_ETRUNC;
    goto out;
  }
  out->icount = bsd_get_uint(p, lay->vifreq.off_icount, lay->ulong_size);
  out->ocount = bsd_get_uint(p, lay->vifreq.off_ocount, lay->ulong_size);
  out->ibytes = bsd_get_uint(p, lay->vifreq.off_ibytes, lay->ulong_size);
  out->obytes = bsd_get_uint(p, lay->vifreq.off_obytes, lay->ulong_size);
out:
  return rc;
}

int mgm__mrtenc_upcall(const struct mgm_mrt_layout *lay, const void *buf,
                       size_t len, struct mgm_mrt_upcall *up) {
  const uint8_t *p = buf;
  uint8_t t;
  int rc;

  memset(up, 0, sizeof(*up));
  rc = mgm__mrtenc_check_layout(lay);
  if (rc < 0)
    goto out;
  if (len < lay->igmpmsg.size) {
    rc = MGM_MRT_ETRUNC;
    goto out;
  }
  if (p[lay->igmpmsg.off_mbz] != 0)
    goto out; /* rc 0: the IP protocol byte of a real IGMP packet */
  t = p[lay->igmpmsg.off_msgtype];
  up->raw_type = t;
  up->vif = p[lay->igmpmsg.off_vif];
  memcpy(&up->src, p + lay->igmpmsg.off_src, 4);
  memcpy(&up->grp, p + lay->igmpmsg.off_dst, 4);
  if (t != 0 && t == lay->igmpmsg.nocache)
    up->type = MGM_MRT_UP_NOCACHE;
  else if (t != 0 && t == lay->igmpmsg.wrongvif)
    up->type = MGM_MRT_UP_WRONGVIF;
  else if (t != 0 && t == lay->igmpmsg.wholepkt)
    up->type = MGM_MRT_UP_WHOLEPKT;
  else if (t != 0 && t == lay->igmpmsg.bw_upcall)
    up->type = MGM_MRT_UP_BW;
  else
    up->type = MGM_MRT_UP_OTHER;
  rc = 1;
out:
  return rc;
}

const char *mgm__mrtenc_strerror(int err) {
  switch (err) {
  case MGM_MRT_ESPACE:
    return "buffer too small";
  case MGM_MRT_ERANGE:
    return "VIF index beyond MAXVIFS";
  case MGM_MRT_ETRUNC:
    return "truncated multicast-routing message";
  case MGM_MRT_ELAYOUT:
    return "inconsistent multicast-routing layout";
  default:
    return err >= 0 ? "no error" : "unknown error";
  }
}
