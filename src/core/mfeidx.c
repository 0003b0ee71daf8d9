/*
 * mfeidx.c - the MFE index: the MFEs by (S, G), for exact lookups
 * (MgmGetMfe, upcalls, membership changes), each slot with a copy of what
 * MgmGetMfe reports of its MFE.
 *
 * SPDX-License-Identifier: MIT
 *
 * DOC: open addressing by (S, G): linear probing, capacity a power of two
 * kept at most 3/4 full, backward-shift deletion.  Slots move; nothing
 * keeps a pointer to one across a change of the index.  A slot holds,
 * beside the key and the MFE, a copy of its record and first outgoing
 * interface, so that the common lookup reads one slot and not the MFE
 * (one dependent cache miss instead of two); mfe.c republishes the copy
 * after every change of either.  The lookup and the insertion are inline
 * (mfeidx.h).
 */
#include <stdlib.h>
#include <string.h>

#include "core/mfeidx.h"

void mgm__mfeidx_publish(struct mgm_core *c, const struct mgm_mfe *m) {
  struct mgm_mfe_slot *x = mgm__mfeidx_slot(c, m->src, m->grp);

  if (x == NULL)
    return;
  x->rec = m->rec;
  if (m->rec.n_oif > 0)
    x->oif0 = m->oif[0];
  else
    memset(&x->oif0, 0, sizeof(x->oif0));
}

int mgm__mfeidx_resize(struct mgm_mfe_index *x, size_t cap) {
  struct mgm_mfe_slot *ns = mgm__calloc(cap, sizeof(*ns));
  size_t i;

  if (ns == NULL)
    return -1;
  for (i = 0; x->s && i <= x->mask; i++) {
    size_t j;

    if (x->s[i].m == NULL)
      continue;
    for (j = mgm__mfeidx_home(cap - 1, x->s[i].src, x->s[i].grp); ns[j].m;
         j = (j + 1) & (cap - 1))
      ;
    ns[j] = x->s[i];
  }
  free(x->s);
  x->s = ns;
  x->mask = cap - 1;
  return 0;
}

/* Realloc, then one pass that puts every entry where the new mask wants
 * it.  A growing index is most of the memory a burst of new flows touches
 * for the first time; growing in place touches the new half only, where a
 * fresh table would touch twice the old one.  The pass visits the old slots in
 * probe order from just after an empty one (so no probe run starts before
 * the first visit and ends after it): each entry, taken out and probed for
 * again under the new mask, lands in a slot already visited, in its own or
 * in the new half, never in front of an entry still to be visited, and
 * every probe run stays unbroken. */
int mgm__mfeidx_grow(struct mgm_mfe_index *x) {
  size_t n = x->mask + 1, nmask = 2 * n - 1, e, k;
  struct mgm_mfe_slot *ns;

  if (n > SIZE_MAX / 2 / sizeof(*ns))
    return -1;
  ns = mgm__realloc(x->s, 2 * n * sizeof(*ns));
  if (ns == NULL)
    return -1;
  memset(ns + n, 0, n * sizeof(*ns));
  for (e = 0; ns[e].m; e++) /* there is one: at most 3/4 full */
    ;
  for (k = 1; k < n; k++) {
    size_t p = (e + k) & (n - 1), j;
    struct mgm_mfe_slot t;

    if (ns[p].m == NULL)
      continue;
    t = ns[p];
    ns[p].m = NULL;
    for (j = mgm__mfeidx_home(nmask, t.src, t.grp); ns[j].m;
         j = (j + 1) & nmask)
      ;
    ns[j] = t;
  }
  x->s = ns;
  x->mask = nmask;
  return 0;
}

void mgm__mfeidx_remove(struct mgm_core *c, uint32_t s, uint32_t g) {
  struct mgm_mfe_index *x = &c->mfe_idx;
  struct mgm_mfe_slot *e = mgm__mfeidx_slot(c, s, g);
  size_t i, j;

  if (e == NULL)
    return;
  i = (size_t)(e - x->s);
  /* Backward shift: pull later members of the probe run into the hole
   * unless that would put one before its home slot. */
  for (j = (i + 1) & x->mask; x->s[j].m; j = (j + 1) & x->mask) {
    size_t k = mgm__mfeidx_home(x->mask, x->s[j].src, x->s[j].grp);

    if (((j - k) & x->mask) >= ((j - i) & x->mask)) {
      x->s[i] = x->s[j];
      i = j;
    }
  }
  x->s[i].m = NULL;
  x->count--;
  /* Give memory back when nearly empty (amortised O(1): a shrink to an
   * eighth moves fewer than capacity/32 entries, and the next one waits
   * for the count to drop eightfold); failure is harmless. */
  if (x->mask + 1 > MGM_MFEIDX_MIN && x->count * 32 < x->mask + 1)
    mgm__mfeidx_resize(x, (x->mask + 1) / 8 > MGM_MFEIDX_MIN ? (x->mask + 1) / 8
                                                             : MGM_MFEIDX_MIN);
}
