/*
 * mfeidx.h - the two orders of the MFEs: the key of the B+ tree
 * c->mfes, and the MFE index (mfeidx.c), open addressing by (S, G), whose
 * slots also hold what MgmGetMfe reports of an MFE (struct mgm_mfe_slot).
 *
 * SPDX-License-Identifier: MIT
 *
 * The lookup and the insertion are inline: the lookup is on the path of
 * every MgmGetMfe and every upcall, the insertion on that of every new
 * flow.
 */
#ifndef MGM_MFEIDX_H
#define MGM_MFEIDX_H

#include "core/core.h"

#define MGM_MFEIDX_MIN 64 /* slots of the smallest index */

/* The B+ tree key of (s, g): ntohl(G) << 32 | ntohl(S), which gives the
 * enumeration order (D-ORDER). */
static inline uint64_t mgm__mfeidx_key(uint32_t s, uint32_t g) {
  return (uint64_t)mgm__ntohl(g) << 32 | mgm__ntohl(s);
}

/* The first slot to probe for (s, g) in an index of mask + 1 slots. */
static inline size_t mgm__mfeidx_home(size_t mask, uint32_t s, uint32_t g) {
  return (size_t)mgm__mix64((uint64_t)s << 32 | g) & mask;
}

/* The slot of (s, g), or NULL. */
static inline struct mgm_mfe_slot *mgm__mfeidx_slot(const struct mgm_core *c,
                                                    uint32_t s, uint32_t g) {
  const struct mgm_mfe_index *x = &c->mfe_idx;
  size_t i;

  if (x->count == 0)
    return NULL;
  for (i = mgm__mfeidx_home(x->mask, s, g); x->s[i].m; i = (i + 1) & x->mask)
    if (x->s[i].src == s && x->s[i].grp == g)
      return &x->s[i];
  return NULL;
}

/* Rebuild x with `cap` slots: 0, or -1 (x unchanged) without memory. */
int mgm__mfeidx_resize(struct mgm_mfe_index *x, size_t cap);
/* Double x in place: 0, or -1 (x unchanged) without memory. */
int mgm__mfeidx_grow(struct mgm_mfe_index *x);

/* Copy what MgmGetMfe reports of m into its slot: after every change of
 * m->rec or of m's outgoing list. */
void mgm__mfeidx_publish(struct mgm_core *c, const struct mgm_mfe *m);

/* Add m (its key absent) and publish it; 0, or -1 when out of memory. */
static inline int mgm__mfeidx_insert(struct mgm_core *c, struct mgm_mfe *m) {
  struct mgm_mfe_index *x = &c->mfe_idx;
  size_t i;

  if (x->s == NULL) {
    if (mgm__mfeidx_resize(x, MGM_MFEIDX_MIN) != 0)
      return -1;
  } else if ((x->count + 1) * 4 > (x->mask + 1) * 3 &&
             mgm__mfeidx_grow(x) != 0 &&
             (x->count + 1) * 8 > (x->mask + 1) * 7) {
    return -1; /* cannot grow: go on up to 7/8 full, then refuse */
  }
  for (i = mgm__mfeidx_home(x->mask, m->src, m->grp); x->s[i].m;
       i = (i + 1) & x->mask)
    ;
  x->s[i].src = m->src;
  x->s[i].grp = m->grp;
  x->s[i].m = m;
  x->count++;
  mgm__mfeidx_publish(c, m);
  return 0;
}

/* Remove (s, g) if present. */
void mgm__mfeidx_remove(struct mgm_core *c, uint32_t s, uint32_t g);

#endif /* MGM_MFEIDX_H */
