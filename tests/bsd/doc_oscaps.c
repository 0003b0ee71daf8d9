/*
 * doc_oscaps.c - oscaps.c's stand-in for the BSD backend compiled on
 * Linux (test_backend.c): FreeBSD's capabilities and its documented
 * layouts (doc_layouts.h), where oscaps.c reads them from the headers.
 *
 * SPDX-License-Identifier: MIT
 */
#include "platform/bsd/bsd.h"

#include <string.h>

#include "doc_layouts.h"

void mgm__bsd_oscaps_init(struct mgm_bsd_oscaps *caps) {
  memset(caps, 0, sizeof(*caps));
  caps->os = "freebsd";
  caps->mroute_hint = "kldload ip_mroute";
  caps->maxvifs = 32;
  caps->assert_opt = 1;
  caps->wrongif_upcall = 1;
}

void mgm__bsd_rtm_layout_init(struct mgm_rtm_layout *lay) {
  doc_rtm_layout(DOC_FREEBSD, lay);
}

void mgm__bsd_mrt_layout_init(struct mgm_mrt_layout *lay) {
  doc_mrt_layout(DOC_FREEBSD, lay);
}
