/*
 * group.h - what group.c, the membership table, offers member.c beside
 * the lookups of core.h: the slot states, adding and removing entries, an
 * entry's out-of-line part, and the order of membership arrays.
 *
 * SPDX-License-Identifier: MIT
 *
 * The helpers on the quick path of a membership call (member.c) are inline
 * here, as they were inside one file: removing an entry and getting its
 * out-of-line part.
 */
#ifndef MGM_GROUP_H
#define MGM_GROUP_H

#include "core/core.h"

#define MGM_GRP_TAB_MIN 64 /* slots of the smallest table */
#define MGM_GRP_FREE 0     /* mgm_grp.used: never used (ends a probe) */
#define MGM_GRP_LIVE 1     /* holds an entry */
#define MGM_GRP_DEAD 2     /* tombstone */

/* Move every entry into a table of `cap` slots (a power of two above the
 * count): 0, or -1 without memory (the table unchanged). */
int mgm__grp_tab_resize(struct mgm_grp_table *t, size_t cap);

/* A new, empty entry (s, g), which must not exist; NULL when out of
 * memory.  Other entries may move. */
struct mgm_grp *mgm__grp_tab_add(struct mgm_core *c, uint32_t s, uint32_t g);

/* Remove entry e (its arrays already freed).  Other entries may move (when
 * the table shrinks). */
static inline void mgm__grp_tab_del(struct mgm_core *c, struct mgm_grp *e) {
  struct mgm_grp_table *t = &c->grps;

  e->used = MGM_GRP_DEAD;
  t->count--;
  t->dead++;
  /* Give memory back when nearly empty (amortised O(1): a shrink to an
   * eighth moves fewer than capacity/32 entries, and the next one waits
   * for the count to drop eightfold); failure is harmless. */
  if (t->mask + 1 > MGM_GRP_TAB_MIN && t->count * 32 < t->mask + 1)
    mgm__grp_tab_resize(t, (t->mask + 1) / 8 > MGM_GRP_TAB_MIN
                               ? (t->mask + 1) / 8
                               : MGM_GRP_TAB_MIN);
}

/* Entry (s, g), created empty if absent (other entries may move). */
static inline struct mgm_grp *mgm__grp_get(struct mgm_core *c, uint32_t s,
                                           uint32_t g) {
  struct mgm_grp *e = mgm__grp_find(c, s, g);

  return e ? e : mgm__grp_tab_add(c, s, g);
}

/* Remove e if it holds nothing any more (other entries may move). */
void mgm__grp_maybe_free(struct mgm_core *c, struct mgm_grp *e);

/* E's out-of-line part, made on first need (NULL without memory). */
static inline struct mgm_gext *mgm__grp_ext_get(struct mgm_grp *e) {
  if (e->ext == NULL)
    e->ext = mgm__calloc(1, sizeof(*e->ext));
  return e->ext;
}

/* Free E's out-of-line part if it holds nothing (all = 1: in any case). */
void mgm__grp_ext_drop(struct mgm_grp *e, int all);

/* The order of membership arrays: (ifindex, next hop, client index). */
static inline int mgm__grp_mem_cmp(const struct mgm_member *a, uint32_t ifx,
                                   uint32_t nh, uint16_t pidx) {
  if (a->ifindex != ifx)
    return a->ifindex < ifx ? -1 : 1;
  if (a->nexthop != nh)
    return a->nexthop < nh ? -1 : 1;
  if (a->pidx != pidx)
    return a->pidx < pidx ? -1 : 1;
  return 0;
}

/* Lower bound of (ifx, nh, pidx) in a sorted member array. */
uint32_t mgm__grp_mem_lb(const struct mgm_member *v, uint32_t n, uint32_t ifx,
                         uint32_t nh, uint16_t pidx);

#endif /* MGM_GROUP_H */
