/*
 * mfctab.h - the BSD backend's shadow of what it installed in the kernel
 * MFC: one record per (S,G) with its incoming interface and outgoing
 * interfaces by ifindex.
 *
 * SPDX-License-Identifier: MIT
 *
 * The kernel cannot be asked for its MFC in a portable way, yet the
 * backend must rewrite entries when an interface goes (kernel.md G.1),
 * reinstall siblings after an OpenBSD group-wide delete (C.4) and find
 * entries the kernel aged or expired on resync.  Portable C, no OS
 * header: unit-tested on Linux.
 */
#ifndef MGM_BSD_MFCTAB_H
#define MGM_BSD_MFCTAB_H

#include <stddef.h>
#include <stdint.h>

#include "platform/platform.h"

struct mgm_bsd_mfc_oif {
  uint32_t ifindex;
  uint8_t ttl; /* threshold as passed to the kernel (>= 1) */
};

struct mgm_bsd_mfc {
  struct mgm_bsd_mfc *next;     /* hash chain */
  struct mgm_mfe_key key;       /* (S,G), network order */
  uint32_t iif;                 /* incoming ifindex */
  uint32_t flags;               /* MGM_FWD_F_* */
  uint16_t n_oif;               /* 0 = negative entry */
  struct mgm_bsd_mfc_oif oif[]; /* n_oif entries */
};

struct mgm_bsd_mfctab {
  struct mgm_bsd_mfc **bucket;
  size_t nbucket; /* power of two, or 0 before the first insert */
  size_t count;
};

void mgm__bsd_mfctab_init(struct mgm_bsd_mfctab *t);
void mgm__bsd_mfctab_fini(struct mgm_bsd_mfctab *t);

struct mgm_bsd_mfc *mgm__bsd_mfctab_find(const struct mgm_bsd_mfctab *t,
                                         uint32_t source, uint32_t group);

/* Create or replace the record for fwd->key.  Returns 0 or MGM_BE_ENOMEM
 * (the table is unchanged then). */
int mgm__bsd_mfctab_put(struct mgm_bsd_mfctab *t, const struct mgm_fwd *fwd);

/* Remove (S,G).  Returns 0 or MGM_BE_ENOENT. */
int mgm__bsd_mfctab_del(struct mgm_bsd_mfctab *t, uint32_t source,
                        uint32_t group);

/* Copy up to cap keys into keys[]; returns the number of records (which
 * may exceed cap).  A snapshot to iterate safely while the table changes. */
size_t mgm__bsd_mfctab_keys(const struct mgm_bsd_mfctab *t,
                            struct mgm_mfe_key *keys, size_t cap);

/* Does the record list ifindex as an outgoing interface? */
int mgm__bsd_mfc_has_oif(const struct mgm_bsd_mfc *m, uint32_t ifindex);

#endif /* MGM_BSD_MFCTAB_H */
