/*
 * doc_layouts.c - build struct mgm_rtm_layout / mgm_mrt_layout from the
 * documented tables of doc_layouts.h, for the Linux unit tests.
 *
 * SPDX-License-Identifier: MIT
 *
 * Only the value column of each row is used here; the native column is
 * dropped by the macro, so no BSD header is needed.
 */
#include "doc_layouts.h"

#include <string.h>

#define DOC_SET(field, value, native) lay->field = (value);

static const char *const doc_names[DOC_NOS] = {"freebsd", "netbsd", "openbsd"};

static void doc_rtm_blank(struct mgm_rtm_layout *lay) {
  struct mgm_rtm_hdr *h[4];
  size_t i;

  memset(lay, 0, sizeof(*lay));
  h[0] = &lay->ifm;
  h[1] = &lay->ifam;
  h[2] = &lay->ifan;
  h[3] = &lay->rtm;
  for (i = 0; i < 4; i++) {
    h[i]->off_hdrlen = DOC_N;
    h[i]->off_index = DOC_N;
    h[i]->off_tableid = DOC_N;
    h[i]->off_flags = DOC_N;
    h[i]->off_addrs = DOC_N;
    h[i]->off_pid = DOC_N;
    h[i]->off_seq = DOC_N;
    h[i]->off_errno = DOC_N;
    h[i]->off_name = DOC_N;
    h[i]->off_what = DOC_N;
    h[i]->off_link_state = DOC_N;
  }
}

void doc_rtm_layout(enum doc_os os, struct mgm_rtm_layout *lay) {
  doc_rtm_blank(lay);
  lay->name = doc_os_name(os);
  switch (os) {
  case DOC_FREEBSD:
    DOC_RTM_FREEBSD(DOC_SET)
    break;
  case DOC_NETBSD:
    DOC_RTM_NETBSD(DOC_SET)
    break;
  default:
    DOC_RTM_OPENBSD(DOC_SET)
    break;
  }
}

void doc_mrt_layout(enum doc_os os, struct mgm_mrt_layout *lay) {
  memset(lay, 0, sizeof(*lay));
  lay->name = doc_os_name(os);
  switch (os) {
  case DOC_FREEBSD:
    DOC_MRT_FREEBSD(DOC_SET)
    break;
  case DOC_NETBSD:
    DOC_MRT_NETBSD(DOC_SET)
    break;
  default:
    DOC_MRT_OPENBSD(DOC_SET)
    break;
  }
}

const char *doc_os_name(enum doc_os os) {
  return os < DOC_NOS ? doc_names[os] : "?";
}
