/*
 * fuzz_upcall.c - libFuzzer target: a datagram read from the multicast-
 * router socket, as the Linux backend (mgm__lnx_parse_mrt: igmpmsg upcall
 * or IGMP packet) and the BSD backend (mgm__mrtenc_upcall, with the
 * documented FreeBSD, NetBSD and OpenBSD layouts) classify it.
 *
 * SPDX-License-Identifier: MIT
 *
 * The input is the datagram.  Invariants:
 *  - return codes are the documented ones; a short datagram is "truncated"
 *    for both backends;
 *  - Linux: an upcall's payload is the whole datagram; an IGMP packet's
 *    payload starts after the IP header (IHL), holds at least the 8-byte
 *    IGMP header and ends inside the datagram (the IP total length);
 *  - Linux and BSD agree (the struct igmpmsg overlays the IP header the
 *    same way, kernel.md A.3 / C.1): an upcall exactly when im_mbz (the IP
 *    protocol byte) is 0, with the same source, group, message type and
 *    low VIF byte; the BSD type follows the layout's constants;
 *  - every byte a parser points at is read (ASan).
 */
#define _GNU_SOURCE 1

#include <string.h>

#include "doc_layouts.h"
#include "fz.h"
#include "platform/linux/parse.h"

static struct mgm_mrt_layout lay[DOC_NOS];
static int lay_ready;

static void check_linux(const uint8_t *p, size_t len,
                        struct mgm__lnx_mrt_msg *m, int *rc_out) {
  int rc = mgm__lnx_parse_mrt(p, len, m);

  *rc_out = rc;
  FZ_CHECK(rc == MGM__LNX_MRT_UPCALL || rc == MGM__LNX_MRT_IGMP ||
               (rc <= MGM__LNX_PE_TRUNC && rc >= MGM__LNX_PE_SKIP),
           "linux rc %d", rc);
  if (len < 20)
    FZ_CHECK(rc == MGM__LNX_PE_TRUNC, "short datagram (%zu): rc %d", len, rc);
  if (rc == MGM__LNX_MRT_UPCALL) {
    FZ_CHECK(m->kind == MGM__LNX_MRT_UPCALL, "kind %d", m->kind);
    FZ_CHECK(m->msgtype >= 1 && m->msgtype <= 4, "msgtype %u", m->msgtype);
    FZ_CHECK(m->payload == p && m->payload_len == len,
             "upcall payload is not the datagram");
  } else if (rc == MGM__LNX_MRT_IGMP) {
    size_t ihl = (size_t)(p[0] & 0x0f) * 4;

    FZ_CHECK(m->kind == MGM__LNX_MRT_IGMP, "kind %d", m->kind);
    FZ_CHECK(m->payload == p + ihl, "payload at %td, IHL %zu", m->payload - p,
             ihl);
    FZ_CHECK(m->payload_len >= 8, "IGMP payload of %zu bytes", m->payload_len);
    FZ_CHECK(fz_within(p, len, m->payload, m->payload_len),
             "payload [%td, +%zu) outside the %zu-byte datagram",
             m->payload - p, m->payload_len, len);
    FZ_CHECK(memcmp(&m->src, p + 12, 4) == 0 && memcmp(&m->dst, p + 16, 4) == 0,
             "IGMP source/destination are not the IP header's");
  }
  if (rc == MGM__LNX_MRT_UPCALL || rc == MGM__LNX_MRT_IGMP)
    fz_touch(m->payload, m->payload_len);
}

static uint8_t bsd_type_of(const struct mgm_mrt_layout *l, uint8_t t) {
  if (t != 0 && t == l->igmpmsg.nocache)
    return MGM_MRT_UP_NOCACHE;
  if (t != 0 && t == l->igmpmsg.wrongvif)
    return MGM_MRT_UP_WRONGVIF;
  if (t != 0 && t == l->igmpmsg.wholepkt)
    return MGM_MRT_UP_WHOLEPKT;
  if (t != 0 && t == l->igmpmsg.bw_upcall)
    return MGM_MRT_UP_BW;
  return MGM_MRT_UP_OTHER;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct mgm__lnx_mrt_msg m;
  struct mgm_mrt_upcall up;
  uint8_t *p;
  int lrc, brc, os;

  if (!lay_ready) {
    for (os = 0; os < DOC_NOS; os++) {
      doc_mrt_layout((enum doc_os)os, &lay[os]);
      FZ_CHECK(mgm__mrtenc_check_layout(&lay[os]) == 0, "layout %d", os);
    }
    lay_ready = 1;
  }
  /* An exact-size copy: a read past the datagram is a heap overflow. */
  p = malloc(size ? size : 1);
  if (p == NULL)
    return 0;
  memcpy(p, data, size);
  check_linux(p, size, &m, &lrc);
  for (os = 0; os < DOC_NOS; os++) {
    brc = mgm__mrtenc_upcall(&lay[os], p, size, &up);
    FZ_CHECK(brc == 0 || brc == 1 || brc == MGM_MRT_ETRUNC, "bsd rc %d", brc);
    if (size < lay[os].igmpmsg.size) {
      FZ_CHECK(brc == MGM_MRT_ETRUNC, "short datagram (%zu): bsd rc %d", size,
               brc);
      continue;
    }
    /* Both read im_mbz at offset 9 (the IP protocol byte). */
    FZ_CHECK(brc == (p[9] == 0), "bsd rc %d with im_mbz %u", brc, p[9]);
    if (p[9] == 0)
      FZ_CHECK(lrc == MGM__LNX_MRT_UPCALL || lrc == MGM__LNX_PE_BADTYPE,
               "linux rc %d with im_mbz 0", lrc);
    else
      FZ_CHECK(lrc != MGM__LNX_MRT_UPCALL, "linux upcall with im_mbz %u", p[9]);
    if (brc != 1)
      continue;
    FZ_CHECK(up.raw_type == p[8] && up.vif == p[10], "bsd type %u vif %u",
             up.raw_type, up.vif);
    FZ_CHECK(up.type == bsd_type_of(&lay[os], up.raw_type),
             "bsd %s: type %d for im_msgtype %u", lay[os].name, up.type,
             up.raw_type);
    if (lrc == MGM__LNX_MRT_UPCALL)
      FZ_CHECK(m.src == up.src && m.dst == up.grp && m.msgtype == up.raw_type &&
                   (m.vif & 0xff) == up.vif,
               "linux and bsd (%s) disagree on the upcall", lay[os].name);
  }
  free(p);
  return 0;
}
