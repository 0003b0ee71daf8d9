/*
 * test_mrtenc.c - exact bytes of the BSD ip_mroute(4) arguments produced by
 * the portable encoder (src/platform/bsd/mrtenc.c), and the upcall and
 * counter decoders, with the documented FreeBSD/NetBSD/OpenBSD layouts.
 *
 * SPDX-License-Identifier: MIT
 *
 * Expected bytes are spelled out from the header definitions (kernel.md
 * C.1): struct vifctl is vifi_t, flags, threshold, u_int rate_limit, two
 * in_addr (16 bytes); MRT_DEL_VIF takes a bare 2-byte vifi_t; struct
 * mfcctl is origin, group, vifi_t parent, u_char ttls[32] padded to 44;
 * mfcctl2 adds flags[32] and an in_addr rp at 76 (80 bytes).
 */
#include <criterion/criterion.h>

#include <string.h>

#include "doc_layouts.h"
#include "fixture.h"
#include "platform/bsd/mrtenc.h"

static struct mgm_mrt_layout fbsd, nbsd, obsd;

static void setup(void) {
  doc_mrt_layout(DOC_FREEBSD, &fbsd);
  doc_mrt_layout(DOC_NETBSD, &nbsd);
  doc_mrt_layout(DOC_OPENBSD, &obsd);
}

TestSuite(mrtenc, .init = setup);

Test(mrtenc, documented_layouts_are_consistent) {
  cr_assert_eq(mgm__mrtenc_check_layout(&fbsd), 0);
  cr_assert_eq(mgm__mrtenc_check_layout(&nbsd), 0);
  cr_assert_eq(mgm__mrtenc_check_layout(&obsd), 0);
}

Test(mrtenc, inconsistent_layout_is_refused) {
  struct mgm_mrt_layout bad = fbsd;
  uint8_t b[128];

  bad.vifctl.off_rmt_addr = 14;
  cr_assert_eq(mgm__mrtenc_check_layout(&bad), MGM_MRT_ELAYOUT);
  cr_assert_eq(mgm__mrtenc_vifctl(&bad, b, sizeof(b), 0, 0, 1, 0, 0),
               MGM_MRT_ELAYOUT);
  bad = fbsd;
  bad.maxvifs = MGM_MRT_VIFS_MAX + 1;
  cr_assert_eq(mgm__mrtenc_check_layout(&bad), MGM_MRT_ELAYOUT);
  bad = fbsd;
  bad.ulong_size = 3;
  cr_assert_eq(mgm__mrtenc_check_layout(&bad), MGM_MRT_ELAYOUT);
  bad = fbsd;
  bad.mfcctl.size = 40; /* ttls[32] at 10 need 42 */
  cr_assert_eq(mgm__mrtenc_check_layout(&bad), MGM_MRT_ELAYOUT);
}

/* ---- MRT_ADD_VIF / MRT_DEL_VIF ------------------------------------------- */

Test(mrtenc, vifctl_bytes) {
  static const uint8_t want[16] = {
      3,  0,        /* vifc_vifi 3 */
      0,            /* vifc_flags */
      1,            /* vifc_threshold */
      0,  0, 0, 0,  /* vifc_rate_limit: 0, FreeBSD rejects others */
      10, 0, 0, 1,  /* vifc_lcl_addr 10.0.0.1 */
      0,  0, 0, 0}; /* vifc_rmt_addr */
  const struct mgm_mrt_layout *lays[3] = {&fbsd, &nbsd, &obsd};
  uint8_t b[32];
  int i, len;

  for (i = 0; i < 3; i++) {
    memset(b, 0xaa, sizeof(b));
    len = mgm__mrtenc_vifctl(lays[i], b, sizeof(b), 3, 0, 1, fx_ip(10, 0, 0, 1),
                             0);
    cr_assert_eq(len, 16, "%s", lays[i]->name);
    cr_assert_arr_eq(b, want, 16, "%s", lays[i]->name);
    cr_assert_eq(b[16], 0xaa);
  }
}

Test(mrtenc, vifctl_range_and_space) {
  uint8_t b[32];

  cr_assert_eq(mgm__mrtenc_vifctl(&fbsd, b, sizeof(b), 32, 0, 1, 1, 0),
               MGM_MRT_ERANGE);
  cr_assert_eq(mgm__mrtenc_vifctl(&fbsd, b, 15, 0, 0, 1, 1, 0), MGM_MRT_ESPACE);
  cr_assert_eq(mgm__mrtenc_vifctl(&fbsd, b, 16, 31, 0, 1, 1, 0), 16);
}

Test(mrtenc, del_vif_takes_a_bare_vifi_t) {
  uint8_t b[16];
  int len;

  memset(b, 0xaa, sizeof(b));
  len = mgm__mrtenc_vifi(&fbsd, b, sizeof(b), 5);
  cr_assert_eq(len, 2); /* not a struct vifctl, unlike Linux */
  cr_assert_eq(b[0], 5);
  cr_assert_eq(b[1], 0);
  cr_assert_eq(b[2], 0xaa);
  cr_assert_eq(mgm__mrtenc_vifi(&obsd, b, sizeof(b), 31), 2);
  cr_assert_eq(fx_get16(b, 0), 31);
  cr_assert_eq(mgm__mrtenc_vifi(&fbsd, b, sizeof(b), 32), MGM_MRT_ERANGE);
  cr_assert_eq(mgm__mrtenc_vifi(&fbsd, b, 1, 1), MGM_MRT_ESPACE);
}

/* ---- MRT_ADD_MFC / MRT_DEL_MFC ------------------------------------------- */

static void sample_mfc(struct mgm_mrt_mfc *m) {
  memset(m, 0, sizeof(*m));
  m->origin = fx_ip(198, 51, 100, 7);
  m->group = fx_ip(239, 1, 2, 3);
  m->parent = 1;
  m->ttls[0] = 1;
  m->ttls[5] = 64;
  m->ttls[31] = 2;
}

Test(mrtenc, mfcctl_bytes) {
  uint8_t want[44], b[64];
  struct mgm_mrt_mfc m;
  int len;

  memset(want, 0, sizeof(want));
  memcpy(want, "\xc6\x33\x64\x07", 4);     /* mfcc_origin 198.51.100.7 */
  memcpy(want + 4, "\xef\x01\x02\x03", 4); /* mfcc_mcastgrp 239.1.2.3 */
  want[8] = 1;                             /* mfcc_parent (u_short) */
  want[10 + 0] = 1;                        /* mfcc_ttls[0] */
  want[10 + 5] = 64;
  want[10 + 31] = 2; /* bytes 42, 43: padding, zero */
  sample_mfc(&m);
  memset(b, 0xaa, sizeof(b));
  len = mgm__mrtenc_mfcctl(&fbsd, b, sizeof(b), &m, 0);
  cr_assert_eq(len, 44);
  cr_assert_arr_eq(b, want, 44);
  cr_assert_eq(b[44], 0xaa);
  len = mgm__mrtenc_mfcctl(&obsd, b, sizeof(b), &m, 0);
  cr_assert_eq(len, 44);
  cr_assert_arr_eq(b, want, 44);
}

Test(mrtenc, mfcctl2_bytes) {
  uint8_t want[80], b[96];
  struct mgm_mrt_mfc m;
  int i, len;

  sample_mfc(&m);
  for (i = 0; i < 32; i++)
    m.flags[i] = 0x1; /* MRT_MFC_FLAGS_DISABLE_WRONGVIF */
  m.rp = fx_ip(192, 0, 2, 9);
  memset(want, 0, sizeof(want));
  memcpy(want, "\xc6\x33\x64\x07\xef\x01\x02\x03", 8);
  want[8] = 1;
  want[10] = 1;
  want[15] = 64;
  want[41] = 2;
  memset(want + 42, 0x1, 32);               /* mfcc_flags[32] at 42 */
  memcpy(want + 76, "\xc0\x00\x02\x09", 4); /* mfcc_rp at 76 (74, 75 pad) */
  memset(b, 0xaa, sizeof(b));
  len = mgm__mrtenc_mfcctl(&nbsd, b, sizeof(b), &m, 1);
  cr_assert_eq(len, 80);
  cr_assert_arr_eq(b, want, 80);
  cr_assert_eq(b[80], 0xaa);
}

Test(mrtenc, mfcctl_for_delete_needs_only_the_key) {
  struct mgm_mrt_mfc m;
  uint8_t b[64];
  int i;

  memset(&m, 0, sizeof(m));
  m.origin = fx_ip(10, 0, 0, 1);
  m.group = fx_ip(232, 0, 0, 1);
  cr_assert_eq(mgm__mrtenc_mfcctl(&fbsd, b, sizeof(b), &m, 0), 44);
  for (i = 8; i < 44; i++)
    cr_assert_eq(b[i], 0);
}

Test(mrtenc, mfcctl_range_space_and_missing_v2) {
  struct mgm_mrt_layout no_api = obsd;
  struct mgm_mrt_mfc m;
  uint8_t b[128];

  sample_mfc(&m);
  m.parent = 32;
  cr_assert_eq(mgm__mrtenc_mfcctl(&fbsd, b, sizeof(b), &m, 0), MGM_MRT_ERANGE);
  sample_mfc(&m);
  m.ttls[40] = 1; /* slot 40 does not exist with MAXVIFS 32 */
  cr_assert_eq(mgm__mrtenc_mfcctl(&fbsd, b, sizeof(b), &m, 0), MGM_MRT_ERANGE);
  sample_mfc(&m);
  cr_assert_eq(mgm__mrtenc_mfcctl(&fbsd, b, 43, &m, 0), MGM_MRT_ESPACE);
  cr_assert_eq(mgm__mrtenc_mfcctl(&fbsd, b, 79, &m, 1), MGM_MRT_ESPACE);
  no_api.mfcctl2.size = 0; /* an OS without MRT_API_CONFIG */
  cr_assert_eq(mgm__mrtenc_check_layout(&no_api), 0);
  cr_assert_eq(mgm__mrtenc_mfcctl(&no_api, b, sizeof(b), &m, 1),
               MGM_MRT_ELAYOUT);
}

Test(mrtenc, sixty_four_vif_build) {
  /* pfSense raises MAXVIFS to 64 (kernel.md C.1): ttls[64] at 10, 76 */
  struct mgm_mrt_layout big = fbsd;
  struct mgm_mrt_mfc m;
  uint8_t b[128];

  big.maxvifs = 64;
  big.mfcctl.size = 76;
  big.mfcctl2.size = 0;
  cr_assert_eq(mgm__mrtenc_check_layout(&big), 0);
  sample_mfc(&m);
  m.ttls[63] = 9;
  cr_assert_eq(mgm__mrtenc_mfcctl(&big, b, sizeof(b), &m, 0), 76);
  cr_assert_eq(b[10 + 63], 9);
  cr_assert_eq(mgm__mrtenc_vifi(&big, b, sizeof(b), 63), 2);
}

/* ---- SIOCGETSGCNT / SIOCGETVIFCNT ---------------------------------------- */

Test(mrtenc, sg_req_and_counts) {
  uint8_t b[64];
  uint64_t pkts, bytes, wrong;
  int len;

  memset(b, 0xaa, sizeof(b));
  len = mgm__mrtenc_sg_req(&fbsd, b, sizeof(b), fx_ip(10, 0, 0, 1),
                           fx_ip(239, 0, 0, 1));
  /* struct sioc_sg_req: src 0, grp 4, u_long pktcnt 8, bytecnt 16,
   * wrong_if 24 */
  cr_assert_eq(len, 32);
  cr_assert_eq(fx_get32(b, 0), fx_ip(10, 0, 0, 1));
  cr_assert_eq(fx_get32(b, 4), fx_ip(239, 0, 0, 1));
  for (int i = 8; i < 32; i++)
    cr_assert_eq(b[i], 0);
  {
    uint64_t p = 5000000000ull, y = 123456789012ull, w = 7;

    memcpy(b + 8, &p, 8);
    memcpy(b + 16, &y, 8);
    memcpy(b + 24, &w, 8);
  }
  cr_assert_eq(mgm__mrtenc_sg_counts(&fbsd, b, 32, &pkts, &bytes, &wrong), 0);
  cr_assert_eq(pkts, 5000000000ull);
  cr_assert_eq(bytes, 123456789012ull);
  cr_assert_eq(wrong, 7);
  cr_assert_eq(mgm__mrtenc_sg_counts(&fbsd, b, 31, &pkts, &bytes, &wrong),
               MGM_MRT_ETRUNC);
}

Test(mrtenc, sg_counts_with_32_bit_u_long) {
  /* an ILP32 build: u_long is 4 bytes, the struct is 20 */
  struct mgm_mrt_layout i386 = fbsd;
  uint8_t b[20];
  uint64_t pkts, bytes, wrong;

  i386.ulong_size = 4;
  i386.sg.size = 20;
  i386.sg.off_pktcnt = 8;
  i386.sg.off_bytecnt = 12;
  i386.sg.off_wrong_if = 16;
  memset(b, 0, sizeof(b));
  fx_u32(b, 8, 11);
  fx_u32(b, 12, 22);
  fx_u32(b, 16, 33);
  cr_assert_eq(mgm__mrtenc_sg_counts(&i386, b, 20, &pkts, &bytes, &wrong), 0);
  cr_assert_eq(pkts, 11);
  cr_assert_eq(bytes, 22);
  cr_assert_eq(wrong, 33);
}

Test(mrtenc, vif_req_and_counts) {
  struct mgm_mrt_vifcnt c;
  uint8_t b[64];
  uint64_t v[4] = {1, 2, 3, 4};

  memset(b, 0xaa, sizeof(b));
  /* struct sioc_vif_req: vifi_t vifi 0, u_long icount 8, ocount 16,
   * ibytes 24, obytes 32 */
  cr_assert_eq(mgm__mrtenc_vif_req(&obsd, b, sizeof(b), 7), 40);
  cr_assert_eq(fx_get16(b, 0), 7);
  cr_assert_eq(b[40], 0xaa);
  memcpy(b + 8, v, sizeof(v));
  cr_assert_eq(mgm__mrtenc_vif_counts(&obsd, b, 40, &c), 0);
  cr_assert_eq(c.icount, 1);
  cr_assert_eq(c.ocount, 2);
  cr_assert_eq(c.ibytes, 3);
  cr_assert_eq(c.obytes, 4);
  cr_assert_eq(mgm__mrtenc_vif_req(&obsd, b, sizeof(b), 32), MGM_MRT_ERANGE);
}

/* ---- upcalls ------------------------------------------------------------- */

/* struct igmpmsg: unused1 0, unused2 4, im_msgtype 8, im_mbz 9, im_vif 10,
 * unused3 11, im_src 12, im_dst 16 - over the packet's IP header. */
static void igmpmsg(uint8_t *b, uint8_t type, uint8_t vif, uint8_t unused3) {
  memset(b, 0, 28);
  b[0] = 0x45;
  b[8] = type;
  b[9] = 0;
  b[10] = vif;
  b[11] = unused3;
  fx_u32(b, 12, fx_ip(198, 51, 100, 7));
  fx_u32(b, 16, fx_ip(239, 1, 2, 3));
}

Test(mrtenc, nocache_upcall) {
  struct mgm_mrt_upcall u;
  uint8_t b[28];

  igmpmsg(b, 1, 3, 0);
  cr_assert_eq(mgm__mrtenc_upcall(&fbsd, b, 20, &u), 1);
  cr_assert_eq(u.type, MGM_MRT_UP_NOCACHE);
  cr_assert_eq(u.vif, 3);
  cr_assert_eq(u.src, fx_ip(198, 51, 100, 7));
  cr_assert_eq(u.grp, fx_ip(239, 1, 2, 3));
}

Test(mrtenc, wrongvif_upcall) {
  struct mgm_mrt_upcall u;
  uint8_t b[28];

  igmpmsg(b, 2, 0, 0);
  cr_assert_eq(mgm__mrtenc_upcall(&nbsd, b, 28, &u), 1);
  cr_assert_eq(u.type, MGM_MRT_UP_WRONGVIF);
}

Test(mrtenc, im_vif_is_eight_bits) {
  struct mgm_mrt_upcall u;
  uint8_t b[28];

  /* byte 11 is unused on BSD (Linux calls it im_vif_hi): never a vif bit */
  igmpmsg(b, 1, 250, 1);
  cr_assert_eq(mgm__mrtenc_upcall(&fbsd, b, 28, &u), 1);
  cr_assert_eq(u.vif, 250);
}

Test(mrtenc, ordinary_igmp_packet_is_not_an_upcall) {
  struct mgm_mrt_upcall u;
  uint8_t b[28];

  igmpmsg(b, 0x40, 0, 0); /* ttl 64 where msgtype sits */
  b[9] = 2;               /* ip_p IPPROTO_IGMP where im_mbz sits */
  cr_assert_eq(mgm__mrtenc_upcall(&fbsd, b, 28, &u), 0);
}

Test(mrtenc, short_datagram) {
  struct mgm_mrt_upcall u;
  uint8_t b[28];

  igmpmsg(b, 1, 0, 0);
  cr_assert_eq(mgm__mrtenc_upcall(&fbsd, b, 19, &u), MGM_MRT_ETRUNC);
  cr_assert_eq(mgm__mrtenc_upcall(&fbsd, b, 0, &u), MGM_MRT_ETRUNC);
}

Test(mrtenc, upcall_types_per_os) {
  struct mgm_mrt_upcall u;
  uint8_t b[28];

  igmpmsg(b, 3, 0, 0);
  cr_assert_eq(mgm__mrtenc_upcall(&fbsd, b, 28, &u), 1);
  cr_assert_eq(u.type, MGM_MRT_UP_WHOLEPKT);
  cr_assert_eq(mgm__mrtenc_upcall(&obsd, b, 28, &u), 1);
  cr_assert_eq(u.type, MGM_MRT_UP_OTHER); /* no PIM on OpenBSD */
  igmpmsg(b, 4, 0, 0);
  cr_assert_eq(mgm__mrtenc_upcall(&fbsd, b, 28, &u), 1);
  cr_assert_eq(u.type, MGM_MRT_UP_BW);
  igmpmsg(b, 0, 0, 0);
  cr_assert_eq(mgm__mrtenc_upcall(&fbsd, b, 28, &u), 1);
  cr_assert_eq(u.type, MGM_MRT_UP_OTHER);
  igmpmsg(b, 9, 0, 0);
  cr_assert_eq(mgm__mrtenc_upcall(&fbsd, b, 28, &u), 1);
  cr_assert_eq(u.type, MGM_MRT_UP_OTHER);
}
