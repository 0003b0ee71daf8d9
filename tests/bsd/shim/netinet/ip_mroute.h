/*
 * netinet/ip_mroute.h - test stand-in for the BSD header, so that the BSD
 * backend compiles on Linux against the fake kernel of test_backend.c
 * (tests/bsd/shim/README.md).  The option numbers are FreeBSD's; the
 * structs only size the backend's scratch buffer: their bytes are written
 * by mrtenc.c from the documented FreeBSD layout (doc_layouts.h), which
 * the fake kernel reads back.  No MRT_API_CONFIG: the backend passes
 * struct mfcctl.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef MGM_TESTS_BSD_SHIM_NETINET_IP_MROUTE_H
#define MGM_TESTS_BSD_SHIM_NETINET_IP_MROUTE_H

#include <netinet/in.h>
#include <stdint.h>

#define MRT_INIT 100
#define MRT_DONE 101
#define MRT_ADD_VIF 102
#define MRT_DEL_VIF 103
#define MRT_ADD_MFC 104
#define MRT_DEL_MFC 105
#define MRT_ASSERT 107

#define MAXVIFS 32

/* IP_RECVIF lives in the BSDs' <netinet/in.h>; glibc has none. */
#ifndef IP_RECVIF
#define IP_RECVIF 20
#endif

typedef unsigned short vifi_t;

struct vifctl {
  vifi_t vifc_vifi;
  unsigned char vifc_flags;
  unsigned char vifc_threshold;
  uint32_t vifc_rate_limit;
  struct in_addr vifc_lcl_addr;
  struct in_addr vifc_rmt_addr;
};

struct mfcctl {
  struct in_addr mfcc_origin;
  struct in_addr mfcc_mcastgrp;
  vifi_t mfcc_parent;
  unsigned char mfcc_ttls[MAXVIFS];
};

struct sioc_sg_req {
  struct in_addr src;
  struct in_addr grp;
  unsigned long pktcnt;
  unsigned long bytecnt;
  unsigned long wrong_if;
};

#endif
