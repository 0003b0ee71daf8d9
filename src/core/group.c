/*
 * group.c - the membership table: one entry per (S,G), (*,G) and (*,*)
 * holding its effective memberships and latent IGMP joins (mgm-spec 2.0,
 * 5).
 *
 * SPDX-License-Identifier: MIT
 *
 * DOC: an entry E is keyed by its normalised (source, group) pair (D-SHAPE):
 * (S,G) has both non-zero, (*,G) source 0, (*,*) both 0.  mgm__grp_mem(E)
 * holds the effective memberships sorted by (ifindex, next hop, client),
 * in the slot while there is one, out of line from the second on, so that
 * "is (i,nh) a member" is a binary search.  The entries' memberships are
 * made and dropped, with the alerts they owe, by member.c; group.c keeps
 * the table and the entries' storage (group.h), and calls no other module
 * of the membership code.
 */
#include <stdlib.h>
#include <string.h>

#include "core/group.h"

/* ---- The membership table ---------------------------------------------
 *
 * Open addressing with the entries in the slots: linear probing, capacity a
 * power of two, at most 3/4 of the slots live or deleted.  A deletion
 * leaves a tombstone (MGM_GRP_DEAD) that lookups step over and additions
 * reuse, so it writes only the slot its lookup has just read: a lookup, add
 * or delete touches the entry's slot and usually nothing else (no
 * per-entry allocation, one dependent cache miss).  Rehashing clears the
 * tombstones: when they crowd the table, when it fills, and when it is
 * mostly empty (it then shrinks).
 */

_Static_assert(sizeof(struct mgm_grp) <= 32,
               "a membership slot fits in half a cache line");

static size_t grp_home(size_t mask, uint32_t s, uint32_t g) {
  return (size_t)mgm__mix64((uint64_t)s << 32 | g) & mask;
}

struct mgm_grp *mgm__grp_find(struct mgm_core *c, uint32_t s, uint32_t g) {
  const struct mgm_grp_table *t = &c->grps;
  size_t i;

  if (t->count == 0)
    return NULL;
  for (i = grp_home(t->mask, s, g); t->s[i].used != MGM_GRP_FREE;
       i = (i + 1) & t->mask)
    if (t->s[i].src == s && t->s[i].grp == g && t->s[i].used == MGM_GRP_LIVE)
      return &t->s[i];
  return NULL;
}

struct mgm_grp *mgm__grp_next(struct mgm_core *c, size_t *pos) {
  const struct mgm_grp_table *t = &c->grps;

  for (; t->s && *pos <= t->mask; (*pos)++)
    if (t->s[*pos].used == MGM_GRP_LIVE)
      return &t->s[(*pos)++];
  return NULL;
}

/* Leaves the tombstones behind.  The slots start on a cache line (malloc
 * aligns to 16 only), so that no 32-byte slot straddles two. */
int mgm__grp_tab_resize(struct mgm_grp_table *t, size_t cap) {
  void *mem = mgm__calloc(cap + 2, sizeof(struct mgm_grp));
  struct mgm_grp *ns;
  size_t i;

  if (mem == NULL)
    return -1;
  ns = (struct mgm_grp *)(((uintptr_t)mem + 63) & ~(uintptr_t)63);
  for (i = 0; t->s && i <= t->mask; i++) {
    size_t j;

    if (t->s[i].used != MGM_GRP_LIVE)
      continue;
    for (j = grp_home(cap - 1, t->s[i].src, t->s[i].grp);
         ns[j].used != MGM_GRP_FREE; j = (j + 1) & (cap - 1))
      ;
    ns[j] = t->s[i];
  }
  free(t->mem);
  t->mem = mem;
  t->s = ns;
  t->mask = cap - 1;
  t->dead = 0;
  return 0;
}

struct mgm_grp *mgm__grp_tab_add(struct mgm_core *c, uint32_t s, uint32_t g) {
  struct mgm_grp_table *t = &c->grps;
  size_t i, cap = t->mask + 1;

  if (t->s == NULL) {
    if (mgm__grp_tab_resize(t, MGM_GRP_TAB_MIN) != 0)
      return NULL;
  } else if ((t->count + t->dead + 1) * 4 > cap * 3 &&
             /* double if live entries fill 3/8, else just drop the
              * tombstones; either leaves room for cap/8 additions */
             mgm__grp_tab_resize(t, (t->count + 1) * 8 > cap * 3 ? cap * 2
                                                                 : cap) != 0 &&
             (t->count + t->dead + 1) * 8 > cap * 7) {
    return NULL; /* cannot rehash: go on up to 7/8 full, then refuse */
  }
  for (i = grp_home(t->mask, s, g); t->s[i].used == MGM_GRP_LIVE;
       i = (i + 1) & t->mask)
    ;
  if (t->s[i].used == MGM_GRP_DEAD)
    t->dead--;
  memset(&t->s[i], 0, sizeof(t->s[i]));
  t->s[i].src = s;
  t->s[i].grp = g;
  t->s[i].used = MGM_GRP_LIVE;
  t->count++;
  return &t->s[i];
}

/* ---- Entries ----------------------------------------------------------- */

uint32_t mgm__grp_mem_lb(const struct mgm_member *v, uint32_t n, uint32_t ifx,
                         uint32_t nh, uint16_t pidx) {
  uint32_t lo = 0, hi = n;

  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;

    if (mgm__grp_mem_cmp(&v[mid], ifx, nh, pidx) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

int mgm__grp_has_member(const struct mgm_grp *e, uint32_t ifx, uint32_t nh) {
  const struct mgm_member *v = mgm__grp_mem(e);
  uint32_t n = mgm__grp_n_mem(e), i = mgm__grp_mem_lb(v, n, ifx, nh, 0);

  return i < n && v[i].ifindex == ifx && v[i].nexthop == nh;
}

void mgm__grp_ext_drop(struct mgm_grp *e, int all) {
  struct mgm_gext *x = e->ext;

  if (x == NULL || (!all && (x->cap_mem != 0 || x->lat != NULL)))
    return;
  if (x->cap_mem)
    free(x->mem);
  free(x->lat);
  free(x);
  e->ext = NULL;
}

void mgm__grp_maybe_free(struct mgm_core *c, struct mgm_grp *e) {
  if (mgm__grp_n_mem(e) || mgm__grp_n_lat(e))
    return;
  mgm__grp_ext_drop(e, 1);
  mgm__grp_tab_del(c, e);
}

void mgm__grps_destroy(struct mgm_core *c) {
  struct mgm_grp *e;
  size_t pos = 0;

  while ((e = mgm__grp_next(c, &pos)) != NULL)
    mgm__grp_ext_drop(e, 1);
  free(c->grps.mem);
  memset(&c->grps, 0, sizeof(c->grps));
}
