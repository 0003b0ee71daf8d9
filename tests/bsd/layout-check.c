/*
 * layout-check.c - compile-time proof that the documented layouts the
 * Linux unit tests use (doc_layouts.h) are those of a real BSD's headers.
 *
 * SPDX-License-Identifier: MIT
 *
 * Compiled (never run) by compile-check.sh against a BSD sysroot: every
 * table row of the target OS becomes _Static_assert(documented ==
 * offsetof/sizeof/constant from the OS header).  The tables are x86-64
 * (LP64); on another target the check says so and stops.  On a non-BSD
 * host this file is empty.
 */
#include "platform/bsd/bsd.h" /* BSD visibility macros first */

#if defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__)

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <net/if.h>
#include <net/if_dl.h>
#include <net/route.h>
#include <netinet/in.h>
#include <netinet/ip_mroute.h>

#include <stddef.h>

#include "doc_layouts.h"

#if !defined(__x86_64__)
#error "doc_layouts.h documents x86-64 (LP64) layouts only"
#endif

#define DOC_ASSERT(field, value, native)                                       \
  _Static_assert((value) == (native), "documented " #field " differs");

#if defined(__FreeBSD__)
DOC_RTM_FREEBSD(DOC_ASSERT)
DOC_MRT_FREEBSD(DOC_ASSERT)
#elif defined(__NetBSD__)
DOC_RTM_NETBSD(DOC_ASSERT)
DOC_MRT_NETBSD(DOC_ASSERT)
#else
DOC_RTM_OPENBSD(DOC_ASSERT)
DOC_MRT_OPENBSD(DOC_ASSERT)
#endif

#endif

/* ISO C wants at least one declaration in a translation unit. */
typedef int mgm_bsd_layout_check_t;
