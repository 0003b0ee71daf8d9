/*
 * member.c - memberships: MgmAddGroupMembershipEntry and
 * MgmDeleteGroupMembershipEntry, latent IGMP joins, the join/prune alert
 * rule, the MFE updates a change owes, and the purges of ownership changes
 * (mgm-spec 2.5, 2.6, 2.8, 2.9, 3.4, 3.6).
 *
 * SPDX-License-Identifier: MIT
 *
 * DOC: memberships live in the entries of the membership table (group.c,
 * group.h), sorted by (ifindex, next hop, client), so both the duplicate
 * check and "is (i,nh) justified" are binary searches; Clients(E) is
 * derived from them.  Alerts follow the "Others" rule of 3.4: client X is
 * told when Clients(E) minus X turns non-empty (join) or empty (prune);
 * only the first two distinct clients matter, so the scan stops early.
 * For a source-specific entry only the owner of the interface toward S
 * (a route lookup at the time of the change) is eligible.  A change is
 * all-or-nothing: the MFEs it reprogrammed are restored when the
 * forwarder refuses one.  The common add and delete take a quick path
 * (below, "The common call, quickly").
 */
#include <stdlib.h>
#include <string.h>

#include "core/group.h"

/* ---- Membership arrays ------------------------------------------------- */

static int mem_has(const struct mgm_member *v, uint32_t n, uint32_t ifx,
                   uint32_t nh, uint16_t pidx) {
  uint32_t i = mgm__grp_mem_lb(v, n, ifx, nh, pidx);

  return i < n && mgm__grp_mem_cmp(&v[i], ifx, nh, pidx) == 0;
}

static int mem_insert(struct mgm_member **v, uint32_t *n, uint32_t *cap,
                      uint32_t ifx, uint32_t nh, uint16_t pidx) {
  uint32_t i = mgm__grp_mem_lb(*v, *n, ifx, nh, pidx);

  if (mgm__vec_reserve((void **)v, cap, *n + 1, sizeof(**v)) != 0)
    return -1;
  memmove(&(*v)[i + 1], &(*v)[i], (*n - i) * sizeof(**v));
  (*v)[i].ifindex = ifx;
  (*v)[i].nexthop = nh;
  (*v)[i].pidx = pidx;
  (*n)++;
  return 0;
}

/* Memberships per small client index: an index is not reused while any
 * membership still names it, so a membership stranded by its client's
 * deregistration (e.g. made through the (i, 0) fallback on a link another
 * protocol has since taken) stays that client's and is never inherited by
 * the next client registered (fuzzer finding libmgm-07). */
static void idx_ref(struct mgm_core *c, uint16_t idx, int delta) {
  if (idx < c->cap_idx)
    c->idx_refs[idx] = (uint32_t)((int64_t)c->idx_refs[idx] + delta);
}

/* Effective memberships: the first one lives inside the entry (most (S,G)
 * entries have one interface), more move to the heap.  Every change of one
 * goes through these two (or leave_quick's equivalent) and counts in
 * c->mem_gen. */
static int mem_insert_e(struct mgm_core *c, struct mgm_grp *e, uint32_t ifx,
                        uint32_t nh, uint16_t pidx) {
  struct mgm_gext *x = e->ext;

  c->mem_gen++;
  if ((x == NULL || x->cap_mem == 0) && e->n_one == 0) {
    e->one.ifindex = ifx;
    e->one.nexthop = nh;
    e->one.pidx = pidx;
    e->n_one = 1;
    return 0;
  }
  if (x == NULL || x->cap_mem == 0) { /* the second: both to the heap */
    struct mgm_member *v = mgm__malloc(2 * sizeof(*v));

    if (v == NULL || (x = mgm__grp_ext_get(e)) == NULL) {
      free(v);
      return -1;
    }
    v[0] = e->one;
    x->mem = v;
    x->n_mem = 1;
    x->cap_mem = 2;
    e->n_one = 0;
  }
  return mem_insert(&x->mem, &x->n_mem, &x->cap_mem, ifx, nh, pidx);
}

static int mem_remove(struct mgm_member *v, uint32_t *n, uint32_t ifx,
                      uint32_t nh, uint16_t pidx) {
  uint32_t i;

  if (*n == 1) { /* the common case: one membership */
    if (mgm__grp_mem_cmp(&v[0], ifx, nh, pidx) != 0)
      return 0;
    *n = 0;
    return 1;
  }
  i = mgm__grp_mem_lb(v, *n, ifx, nh, pidx);

  if (i >= *n || mgm__grp_mem_cmp(&v[i], ifx, nh, pidx) != 0)
    return 0;
  memmove(&v[i], &v[i + 1], (*n - i - 1) * sizeof(*v));
  (*n)--;
  return 1;
}

static int mem_remove_e(struct mgm_core *c, struct mgm_grp *e, uint32_t ifx,
                        uint32_t nh, uint16_t pidx) {
  uint32_t n = e->n_one;
  int r;

  c->mem_gen++;
  if (e->ext && e->ext->cap_mem)
    return mem_remove(e->ext->mem, &e->ext->n_mem, ifx, nh, pidx);
  r = mem_remove(&e->one, &n, ifx, nh, pidx);
  e->n_one = (uint8_t)n;
  return r;
}

/* Clients(E) minus p, counted up to two (their ids in first2); *has_p
 * tells whether p itself is among Clients(E). */
static uint32_t clients_of(const struct mgm_grp *e, uint16_t p, int *has_p,
                           uint16_t first2[2]) {
  const struct mgm_member *v = mgm__grp_mem(e);
  uint32_t i, n = 0, n_mem = mgm__grp_n_mem(e);

  *has_p = 0;
  for (i = 0; i < n_mem; i++) {
    uint16_t q = v[i].pidx;

    if (q == p)
      *has_p = 1;
    else if (n == 0 || (n == 1 && first2[0] != q))
      first2[n++] = q;
    if (*has_p && n == 2)
      break;
  }
  return n;
}

/* Latent joins: insert (0, or -1 when out of memory) and remove (1 if it
 * was there). */
static int lat_insert(struct mgm_grp *e, uint32_t ifx, uint32_t nh,
                      uint16_t pidx) {
  struct mgm_gext *x = mgm__grp_ext_get(e);
  struct mgm_lat *l = x ? x->lat : NULL;
  uint32_t i;

  if (x == NULL)
    return -1;
  if (l == NULL || l->n == l->cap) {
    uint32_t cap = l ? l->cap * 2 : 2;
    struct mgm_lat *nl = NULL;

    /* the bound keeps the size below in range on any size_t */
    if (cap <= UINT32_MAX / 2 / sizeof(nl->v[0]))
      nl = mgm__realloc(l, sizeof(*nl) + (size_t)cap * sizeof(nl->v[0]));
    if (nl == NULL) {
      mgm__grp_ext_drop(e, 0);
      return -1;
    }
    if (l == NULL)
      nl->n = 0;
    nl->cap = cap;
    x->lat = l = nl;
  }
  i = mgm__grp_mem_lb(l->v, l->n, ifx, nh, pidx);
  memmove(&l->v[i + 1], &l->v[i], (l->n - i) * sizeof(l->v[0]));
  l->v[i].ifindex = ifx;
  l->v[i].nexthop = nh;
  l->v[i].pidx = pidx;
  l->n++;
  return 0;
}

static int lat_remove(struct mgm_grp *e, uint32_t ifx, uint32_t nh,
                      uint16_t pidx) {
  struct mgm_lat *l = e->ext ? e->ext->lat : NULL;

  return l ? mem_remove(l->v, &l->n, ifx, nh, pidx) : 0;
}

/* ---- Join and prune alerts (3.4) --------------------------------------- */

/* The client eligible for (S,G) alerts: owner of the interface toward S
 * (*out NULL: no route, nobody).  A failed lookup is the backend's error:
 * the change must not go ahead without the alert it owes. */
static int rpf_owner(struct mgm_core *c, uint32_t s, struct mgm_proto **out) {
  struct mgm_route r;
  int rc = mgm__be_route_lookup(c, s, &r);

  *out = NULL;
  if (rc == 0)
    *out = mgm__if_owner(c, r.ifindex, r.nexthop);
  return rc == MGM_BE_ENOENT ? 0 : rc;
}

/* Queue the join (join != 0) or prune alerts that a change of Clients(E)
 * owes.  `p` is the client whose membership changed; `n`/`first2` describe
 * Clients(E) without p, before a join or after a prune.  Returns 0 or the
 * MGM_BE_* error of the RPF lookup. */
static int alert_others(struct mgm_core *c, const struct mgm_grp *e,
                        struct mgm_proto *p, uint32_t n,
                        const uint16_t first2[2], int join, uint32_t ifx,
                        uint32_t nh, struct mgm_batch *b) {
  struct mgm_proto *only = NULL;
  struct mgm_call k;
  uint32_t i;
  int rc;

  if (n > 1)
    return 0;
  /* Is anyone able to receive this alert at all?  Avoids the RPF lookup
   * in the common case of a change nobody can be told about. */
  for (i = 0; i < c->n_protos; i++) {
    struct mgm_proto *x = c->protos[i];

    if (x != p && (n == 0 || x->idx == first2[0]) &&
        (join ? x->cfg.pfnJoinAlertCallback != NULL
              : x->cfg.pfnPruneAlertCallback != NULL))
      break;
  }
  if (i == c->n_protos)
    return 0;
  if (e->src != 0) {
    rc = rpf_owner(c, e->src, &only);
    if (rc != 0 || only == NULL)
      return rc;
  }
  memset(&k, 0, sizeof(k));
  k.kind = join ? MGM_CB_JOIN : MGM_CB_PRUNE;
  k.s = e->src;
  k.smask = e->src ? MGM_ALL_ONES : 0;
  k.g = e->grp;
  k.gmask = e->grp ? MGM_ALL_ONES : 0;
  k.ifx = ifx;
  k.nh = nh;
  k.flag = TRUE;
  for (i = 0; i < c->n_protos; i++) {
    struct mgm_proto *x = c->protos[i];

    if (x == p || (only && x != only))
      continue;
    if (n == 1 && x->idx != first2[0])
      continue;
    if (join ? !x->cfg.pfnJoinAlertCallback : !x->cfg.pfnPruneAlertCallback)
      continue;
    k.p = x;
    mgm__batch_add(c, b, &k);
  }
  return 0;
}

/* ---- The MFEs a change reprograms -------------------------------------- */

/* MFE updates of one membership change, with an undo log: the change is
 * all-or-nothing, so a forwarder failure on any MFE rolls back the MFEs
 * already reprogrammed and the membership itself. */
struct mfe_undo {
  uint32_t s, g;
  uint64_t id;
};

struct oif_arg {
  uint32_t ifx, nh;
  struct mgm_batch *b;
  int err;            /* first MGM_BE_* failure, 0 = none */
  struct mfe_undo *u; /* MFEs changed so far */
  uint32_t nu, cap;
  int force; /* a purge: no undo; an MFE that fails is deleted */
};

static void oif_apply(struct mgm_core *c, struct mgm_mfe *m, struct oif_arg *a,
                      int add) {
  int rc;

  if (a->err)
    return;
  rc = add ? mgm__mfe_oif_add(c, m, a->ifx, a->nh, a->b)
           : mgm__mfe_oif_del(c, m, a->ifx, a->nh, a->b);
  if (rc < 0 && a->force) {
    MGM_ERR(c, MGM_CH_MFE, "MFE (%08x, %08x) cannot be reprogrammed; deleted",
            (unsigned)m->src, (unsigned)m->grp);
    mgm__mfe_delete(c, m);
  } else if (rc < 0) {
    a->err = rc;
  } else if (rc == 1 && !a->force) {
    if (mgm__vec_reserve((void **)&a->u, &a->cap, a->nu + 1, sizeof(*a->u)) !=
        0) {
      struct mgm_batch scratch;

      mgm__batch_init(&scratch);
      if (add)
        mgm__mfe_oif_del(c, m, a->ifx, a->nh, &scratch);
      else
        mgm__mfe_oif_add(c, m, a->ifx, a->nh, &scratch);
      mgm__batch_truncate(&scratch, 0);
      a->err = MGM_BE_ENOMEM;
      return;
    }
    a->u[a->nu].s = m->src;
    a->u[a->nu].g = m->grp;
    a->u[a->nu].id = m->id;
    a->nu++;
  }
}

static void visit_add(struct mgm_core *c, struct mgm_mfe *m, void *arg) {
  struct oif_arg *a = arg;

  if ((m->rec.iif == a->ifx && m->iif_nh == a->nh) || mgm__slot_gone(c, a->ifx))
    return;
  oif_apply(c, m, a, 1);
}

static void visit_del(struct mgm_core *c, struct mgm_mfe *m, void *arg) {
  struct oif_arg *a = arg;

  if (!mgm__mfe_justified(c, m, a->ifx, a->nh))
    oif_apply(c, m, a, 0);
}

/* Undo the MFE changes recorded in `a` (added != 0: they were adds). */
static void oif_undo(struct mgm_core *c, struct oif_arg *a, int added) {
  struct mgm_batch scratch;

  mgm__batch_init(&scratch);
  while (a->nu > 0) {
    const struct mfe_undo *u = &a->u[--a->nu];
    struct mgm_mfe *m = mgm__mfe_find(c, u->s, u->g);

    if (m == NULL || m->id != u->id)
      continue;
    if ((added ? mgm__mfe_oif_del(c, m, a->ifx, a->nh, &scratch)
               : mgm__mfe_oif_add(c, m, a->ifx, a->nh, &scratch)) < 0) {
      MGM_ERR(c, MGM_CH_MFE, "MFE (%08x, %08x) cannot be restored; deleted",
              (unsigned)m->src, (unsigned)m->grp);
      mgm__mfe_delete(c, m);
    }
  }
  mgm__batch_truncate(&scratch, 0);
}

/* ---- Effective and latent changes -------------------------------------- */

/* Case E of 2.8: an effective membership. */
static DWORD join_effective(struct mgm_core *c, struct mgm_proto *p, uint32_t s,
                            uint32_t g, uint32_t ifx, uint32_t nh,
                            struct mgm_batch *b) {
  struct mgm_grp *e;
  struct oif_arg a = {ifx, nh, b, 0, NULL, 0, 0, 0};
  uint32_t mark = b->n, lost = b->lost;
  uint16_t first2[2];
  uint32_t n;
  int has_p;
  DWORD rc = NO_ERROR;

  e = mgm__grp_get(c, s, g);
  if (e == NULL)
    return ERROR_NOT_ENOUGH_MEMORY;
  if (mem_has(mgm__grp_mem(e), mgm__grp_n_mem(e), ifx, nh, p->idx))
    return NO_ERROR; /* D-IDEMPOTENT */
  n = clients_of(e, p->idx, &has_p, first2);
  if (mem_insert_e(c, e, ifx, nh, p->idx) != 0) {
    mgm__grp_maybe_free(c, e);
    return ERROR_NOT_ENOUGH_MEMORY;
  }
  idx_ref(c, p->idx, 1);
  if (!has_p)
    a.err = alert_others(c, e, p, n, first2, 1, ifx, nh, b);
  if (a.err == 0)
    mgm__mfe_foreach_covered(c, s, g, visit_add, &a);
  if (a.err == 0 && b->lost != lost)
    a.err = MGM_BE_ENOMEM; /* a callback it owes could not be queued */
  if (a.err) {
    b->lost = lost;
    oif_undo(c, &a, 1);
    if (mem_remove_e(c, e, ifx, nh, p->idx))
      idx_ref(c, p->idx, -1);
    mgm__grp_maybe_free(c, e);
    mgm__batch_truncate(b, mark);
    rc = mgm__error_win32(a.err);
    MGM_WARN(c, MGM_CH_CORE, "membership not added: forwarder failed (%s)",
             mgm__error_str(a.err));
  }
  free(a.u);
  return rc;
}

/* Case E of 2.9; E may be freed.  force (a purge, which cannot be
 * refused): never fails; what the forwarder or the RPF lookup refuses
 * costs the MFE concerned or the prune alerts, not the deletion. */
static DWORD leave_effective(struct mgm_core *c, struct mgm_proto *p,
                             struct mgm_grp *e, uint32_t ifx, uint32_t nh,
                             struct mgm_batch *b, int force) {
  struct oif_arg a = {ifx, nh, b, 0, NULL, 0, 0, force};
  uint32_t mark = b->n, lost = b->lost;
  uint16_t first2[2];
  uint32_t n;
  int has_p;
  DWORD rc = NO_ERROR;

  if (!mem_remove_e(c, e, ifx, nh, p->idx))
    return NO_ERROR; /* D-IDEMPOTENT */
  idx_ref(c, p->idx, -1);
  n = clients_of(e, p->idx, &has_p, first2);
  if (!has_p)
    a.err = alert_others(c, e, p, n, first2, 0, ifx, nh, b);
  if (a.err && force) {
    MGM_ERR(c, MGM_CH_CB, "prune alerts for (%08x, %08x) lost: %s",
            (unsigned)e->src, (unsigned)e->grp, mgm__error_str(a.err));
    a.err = 0;
  }
  if (a.err == 0)
    mgm__mfe_foreach_covered(c, e->src, e->grp, visit_del, &a);
  if (a.err == 0 && b->lost != lost && !force)
    a.err = MGM_BE_ENOMEM; /* a callback it owes could not be queued */
  if (a.err) {
    b->lost = lost;
    oif_undo(c, &a, 0);
    /* the slot just freed: re-inserting cannot fail for lack of room */
    if (mem_insert_e(c, e, ifx, nh, p->idx) == 0)
      idx_ref(c, p->idx, 1);
    mgm__batch_truncate(b, mark);
    rc = mgm__error_win32(a.err);
    MGM_WARN(c, MGM_CH_CORE, "membership not deleted: forwarder failed (%s)",
             mgm__error_str(a.err));
  } else {
    mgm__grp_maybe_free(c, e);
  }
  free(a.u);
  return rc;
}

static void local_call(struct mgm_core *c, int kind, struct mgm_proto *to,
                       uint32_t s, uint32_t g, uint32_t ifx, uint32_t nh,
                       struct mgm_batch *b) {
  struct mgm_call k = {0};

  k.kind = (uint8_t)kind;
  k.p = to;
  k.s = s;
  k.smask = s ? MGM_ALL_ONES : 0;
  k.g = g;
  k.gmask = g ? MGM_ALL_ONES : 0;
  k.ifx = ifx;
  k.nh = nh;
  mgm__batch_add(c, b, &k);
}

/* ---- Argument checks (G-2) --------------------------------------------- */

/* D-SHAPE: 0 = wildcard (mask forced to 0); a value with mask 0 or all
 * ones is a single address; any other mask is a range: unsupported. */
static DWORD norm(struct mgm_core *c, const char *what, DWORD addr,
                  DWORD mask) {
  if (addr != 0 && mask != 0 && mask != MGM_ALL_ONES)
    return ERROR_INVALID_PARAMETER;
  if (addr == 0 && mask != 0)
    return mgm__misuse(c, ERROR_INVALID_PARAMETER,
                       "%s 0 (wildcard) given with mask %08x; normalised to "
                       "mask 0",
                       what, (unsigned)mask);
  if (addr != 0 && mask == 0)
    return mgm__misuse(c, ERROR_INVALID_PARAMETER,
                       "%s %08x given with mask 0; normalised to a single "
                       "address (mask ffffffff)",
                       what, (unsigned)addr);
  return NO_ERROR;
}

/* Common validation of Add/Delete (G-2 order) and the caller's role. */
static DWORD member_prologue(struct mgm_core *c, HANDLE h, DWORD s, DWORD sm,
                             DWORD g, DWORD gm, DWORD ifx, DWORD nh,
                             DWORD *flagsp, int add, struct mgm_proto **pp,
                             struct mgm_if **rp, int *latentp) {
  DWORD flags = *flagsp;
  struct mgm_proto *p;
  struct mgm_if *r;
  DWORD rc;

  p = mgm__proto_get(c, h);
  if (p == NULL)
    return ERROR_INVALID_PARAMETER;
  if ((sm != (s ? MGM_ALL_ONES : 0) &&
       (rc = norm(c, "source", s, sm)) != NO_ERROR) ||
      (gm != (g ? MGM_ALL_ONES : 0) &&
       (rc = norm(c, "group", g, gm)) != NO_ERROR))
    return rc;
  if (s != 0 && g == 0)
    return ERROR_INVALID_PARAMETER; /* (S,*) has no meaning */
  if (g != 0 && (mgm__ntohl(g) & 0xF0000000u) != 0xE0000000u &&
      (rc = mgm__misuse(c, ERROR_INVALID_PARAMETER,
                        "group %08x is not a class D (224.0.0.0/4) address",
                        (unsigned)g)) != NO_ERROR)
    return rc;
  if ((flags & ~(DWORD)(MGM_JOIN_STATE_FLAG | MGM_FORWARD_STATE_FLAG)) &&
      (rc = mgm__misuse(c, ERROR_INVALID_PARAMETER,
                        "unknown dwFlags bits %08x ignored",
                        (unsigned)flags)) != NO_ERROR)
    return rc;
  r = mgm__if_lookup(c, ifx, nh);
  if (r == NULL)
    return add ? ERROR_INVALID_PARAMETER : ERROR_NOT_FOUND; /* */
  if (r->owner != p && r->igmp != p)
    return ERROR_INVALID_PARAMETER;
  if (r->owner != p && r->igmp_disabled)
    return ERROR_CAN_NOT_COMPLETE; /* D-IGMP-WINDOW */
  if (mgm__tls_cb_depth > 0 && (mgm__tls_cb_kind == MGM_CB_ENABLE_IGMP ||
                                mgm__tls_cb_kind == MGM_CB_DISABLE_IGMP)) {
    rc = mgm__misuse(
        c, ERROR_CAN_NOT_COMPLETE,
        "%s inside the %s-IGMP callback would deadlock on "
        "Windows; defer it",
        add ? "MgmAddGroupMembershipEntry" : "MgmDeleteGroupMembershipEntry",
        mgm__tls_cb_kind == MGM_CB_ENABLE_IGMP ? "enable" : "disable");
    if (rc != NO_ERROR)
      return rc;
  }
  if ((flags & (MGM_JOIN_STATE_FLAG | MGM_FORWARD_STATE_FLAG)) == 0)
    *flagsp |= MGM_JOIN_STATE_FLAG; /* D-FLAGS */
  /* Case L (latent): IGMP co-owner on an interface another protocol owns */
  *latentp = r->owner != NULL && r->owner != p;
  *pp = p;
  *rp = r;
  return NO_ERROR;
}

/* ---- The common call, quickly ---------------------------------------------
 *
 * Most membership calls are a plain JOIN, with canonical masks, outside any
 * callback, on an interface the caller owns, for an entry that holds no
 * membership (add) or just this one (delete), with no MFE to reprogram and
 * no other protocol to alert.  The functions below recognise exactly that
 * with a few loads and compares and make the change; for anything else
 * they decline and the call takes the general path (member_prologue,
 * join_effective, leave_effective), which would have made the same change
 * with the same result.  Why: a call's cost is mostly the cache miss on the
 * entry's slot, and only a short path lets the processor overlap that miss
 * with the next call's.
 */

#define MGM_QUICK_NO 0xFFFFFFFFu /* declined: take the general path */

/* The caller of a membership call that member_prologue would accept as case
 * E with flags unchanged and nothing logged; NULL if unsure. */
MGM_INLINE struct mgm_proto *member_quick(struct mgm_core *c,
                                          const struct mgm_mreq *q) {
  struct mgm_proto *p;
  struct mgm_if *r;

  if (q->flags != MGM_JOIN_STATE_FLAG || q->g == 0 || q->gm != MGM_ALL_ONES ||
      q->sm != (q->s ? MGM_ALL_ONES : 0) ||
      (mgm__ntohl(q->g) & 0xF0000000u) != 0xE0000000u || mgm__tls_cb_depth != 0)
    return NULL;
  p = mgm__proto_get(c, q->h);
  r = mgm__if_find(c, q->ifx, q->nh); /* mgm__if_lookup's first answer */
  return p != NULL && r != NULL && r->owner == p ? p : NULL;
}

/* Whether a change of Clients(E) from {p} to {} (or back) may owe another
 * protocol an alert: alert_others would find a recipient only then. */
static int alert_possible(const struct mgm_core *c, const struct mgm_proto *p,
                          int join) {
  return join ? c->n_join_cb > (p->cfg.pfnJoinAlertCallback != NULL)
              : c->n_prune_cb > (p->cfg.pfnPruneAlertCallback != NULL);
}

/* Whether an MFE may be covered by entry (s, g) (mgm__mfe_foreach_covered
 * would visit one). */
static int mfe_possible(struct mgm_core *c, uint32_t s, uint32_t g) {
  return c->mfes.count != 0 && (s == 0 || mgm__mfe_find(c, s, g) != NULL);
}

/* Case E of 2.8 for an entry (q->s, q->g) that does not exist yet (e
 * NULL): NO_ERROR, ERROR_NOT_ENOUGH_MEMORY (as join_effective), or
 * MGM_QUICK_NO. */
static DWORD join_quick(struct mgm_core *c, struct mgm_proto *p,
                        const struct mgm_grp *e, const struct mgm_mreq *q) {
  struct mgm_grp *n;

  if (e != NULL || alert_possible(c, p, 1) || mfe_possible(c, q->s, q->g))
    return MGM_QUICK_NO;
  n = mgm__grp_tab_add(c, q->s, q->g);
  if (n == NULL)
    return ERROR_NOT_ENOUGH_MEMORY;
  /* into `one`: cannot fail */
  (void)mem_insert_e(c, n, q->ifx, q->nh, p->idx);
  idx_ref(c, p->idx, 1);
  return NO_ERROR;
}

/* Case E of 2.9 when E holds only this membership: 1 done (E freed), 0
 * declined. */
static int leave_quick(struct mgm_core *c, struct mgm_proto *p,
                       struct mgm_grp *e, uint32_t ifx, uint32_t nh) {
  if (e == NULL || e->n_one != 1 || e->ext != NULL || e->one.ifindex != ifx ||
      e->one.nexthop != nh || e->one.pidx != p->idx ||
      alert_possible(c, p, 0) || mfe_possible(c, e->src, e->grp))
    return 0;
  e->n_one = 0; /* mem_remove_e's work, its checks made above */
  c->mem_gen++;
  idx_ref(c, p->idx, -1);
  mgm__grp_tab_del(c, e);
  return 1;
}

/* The general path of MgmAddGroupMembershipEntry (lock held). */
static MGM_NOINLINE DWORD member_add_general(struct mgm_core *c,
                                             const struct mgm_mreq *q,
                                             struct mgm_batch *b) {
  DWORD s = q->s, g = q->g, ifx = q->ifx, nh = q->nh, flags = q->flags;
  struct mgm_proto *p;
  struct mgm_if *r;
  DWORD rc;
  int latent;

  MGM_ASSERT_LOCKED(c);
  rc = member_prologue(c, q->h, s, q->sm, g, q->gm, ifx, nh, &flags, 1, &p, &r,
                       &latent);
  if (rc != NO_ERROR)
    goto out;
  if (flags & MGM_JOIN_STATE_FLAG) {
    if (latent) {
      /* Case L: IGMP join on an interface another protocol owns. */
      struct mgm_grp *e = mgm__grp_get(c, s, g);

      if (e == NULL) {
        rc = ERROR_NOT_ENOUGH_MEMORY;
        goto out;
      }
      if (!mem_has(mgm__grp_lat(e), mgm__grp_n_lat(e), ifx, nh, p->idx)) {
        if (lat_insert(e, ifx, nh, p->idx) != 0) {
          mgm__grp_maybe_free(c, e);
          rc = ERROR_NOT_ENOUGH_MEMORY;
          goto out;
        }
        idx_ref(c, p->idx, 1);
        local_call(c, MGM_CB_LOCAL_JOIN, r->owner, s, g, ifx, nh, b);
      }
    } else {
      rc = join_effective(c, p, s, g, ifx, nh, b);
      if (rc != NO_ERROR)
        goto out;
    }
  }
  if ((flags & MGM_FORWARD_STATE_FLAG) && !latent && s && g) {
    struct mgm_mfe *m = mgm__mfe_find(c, s, g);
    int brc = 0;

    if (m && !(m->rec.iif == ifx && m->iif_nh == nh) && !mgm__slot_gone(c, ifx))
      brc = mgm__mfe_oif_add(c, m, ifx, nh, b);
    if (brc < 0)
      rc = mgm__error_win32(brc);
  }

out:
  return rc;
}

DWORD mgm__member_add(struct mgm_core *c, const struct mgm_mreq *q) {
  struct mgm_proto *p;
  struct mgm_batch b;
  DWORD rc = MGM_QUICK_NO;

  mgm__batch_init(&b);
  mgm__lock(c);
  p = member_quick(c, q);
  if (p != NULL)
    rc = join_quick(c, p, mgm__grp_find(c, q->s, q->g), q);
  if (rc == MGM_QUICK_NO)
    rc = member_add_general(c, q, &b);
  mgm__unlock(c);
  mgm__dispatch_batch(c, &b);
  return rc;
}

/* The general path of MgmDeleteGroupMembershipEntry (lock held); e is the
 * entry (q->s, q->g) or NULL. */
static MGM_NOINLINE DWORD member_del_general(struct mgm_core *c,
                                             const struct mgm_mreq *q,
                                             struct mgm_grp *e,
                                             struct mgm_batch *b) {
  DWORD s = q->s, g = q->g, ifx = q->ifx, nh = q->nh, flags = q->flags;
  struct mgm_proto *p;
  struct mgm_if *r;
  DWORD rc;
  int latent;

  MGM_ASSERT_LOCKED(c);
  rc = member_prologue(c, q->h, s, q->sm, g, q->gm, ifx, nh, &flags, 0, &p, &r,
                       &latent);
  if (rc != NO_ERROR)
    goto out;
  if ((flags & MGM_JOIN_STATE_FLAG) && e != NULL) {
    if (latent) {
      if (lat_remove(e, ifx, nh, p->idx)) {
        idx_ref(c, p->idx, -1);
        local_call(c, MGM_CB_LOCAL_LEAVE, r->owner, s, g, ifx, nh, b);
      }
      mgm__grp_maybe_free(c, e);
    } else {
      rc = leave_effective(c, p, e, ifx, nh, b, 0);
      if (rc != NO_ERROR)
        goto out;
    }
  }
  if ((flags & MGM_FORWARD_STATE_FLAG) && !latent && s && g) {
    struct mgm_mfe *m = mgm__mfe_find(c, s, g);
    int brc = m ? mgm__mfe_oif_del(c, m, ifx, nh, b) : 0;

    if (brc < 0)
      rc = mgm__error_win32(brc);
  }

out:
  return rc;
}

DWORD mgm__member_del(struct mgm_core *c, const struct mgm_mreq *q) {
  struct mgm_proto *p;
  struct mgm_grp *e;
  struct mgm_batch b;
  DWORD rc = NO_ERROR;

  mgm__batch_init(&b);
  mgm__lock(c);
  /* Look the entry up first: its slot is most likely a cache miss, which
   * the processor then overlaps with the checks (they change nothing). */
  e = mgm__grp_find(c, q->s, q->g);
  p = member_quick(c, q);
  if (p == NULL || !leave_quick(c, p, e, q->ifx, q->nh))
    rc = member_del_general(c, q, e, &b);
  mgm__unlock(c);
  mgm__dispatch_batch(c, &b);
  return rc;
}

/* ---- Purges (2.5, 2.6) ------------------------------------------------- */

struct grp_ref {
  uint32_t s, g;    /* membership entry */
  uint32_t ifx, nh; /* the link */
  uint16_t pidx;    /* the member */
};

static int grp_ref_cmp(const void *a, const void *b) {
  const struct grp_ref *x = a, *y = b;
  uint64_t kx = (uint64_t)mgm__ntohl(x->g) << 32 | mgm__ntohl(x->s);
  uint64_t ky = (uint64_t)mgm__ntohl(y->g) << 32 | mgm__ntohl(y->s);

  if (kx != ky)
    return kx < ky ? -1 : 1;
  if (x->ifx != y->ifx)
    return x->ifx < y->ifx ? -1 : 1;
  return mgm__ntohl(x->nh) < mgm__ntohl(y->nh)   ? -1
         : mgm__ntohl(x->nh) > mgm__ntohl(y->nh) ? 1
                                                 : 0;
}

/* The memberships of p (NULL: of any client) on the links the record
 * (ifx, nh) covers (mgm__if_covers), effective (latent = 0) or latent, in
 * (G, S, link) order so that purges are deterministic.  Without memory
 * for the list: NULL and *count UINT32_MAX (purge_next scans instead). */
static struct grp_ref *collect(struct mgm_core *c, struct mgm_proto *p,
                               uint32_t ifx, uint32_t nh, int latent,
                               uint32_t *count) {
  struct grp_ref *v = NULL;
  uint32_t n = 0, cap = 0, i;
  struct mgm_grp *e;
  size_t pos = 0;

  while ((e = mgm__grp_next(c, &pos)) != NULL) {
    const struct mgm_member *m = latent ? mgm__grp_lat(e) : mgm__grp_mem(e);
    uint32_t nm = latent ? mgm__grp_n_lat(e) : mgm__grp_n_mem(e);

    for (i = 0; i < nm; i++) {
      if ((p && m[i].pidx != p->idx) ||
          !mgm__if_covers(c, ifx, nh, m[i].ifindex, m[i].nexthop))
        continue;
      if (mgm__vec_reserve((void **)&v, &cap, n + 1, sizeof(*v)) != 0) {
        MGM_WARN(c, MGM_CH_CORE,
                 "out of memory listing the memberships "
                 "to purge; scanning for each instead");
        free(v);
        v = NULL;
        n = UINT32_MAX;
        goto out;
      }
      v[n].s = e->src;
      v[n].g = e->grp;
      v[n].ifx = m[i].ifindex;
      v[n].nh = m[i].nexthop;
      v[n].pidx = m[i].pidx;
      n++;
    }
  }

out:
  if (n > 1 && v)
    qsort(v, n, sizeof(*v), grp_ref_cmp);
  *count = n;
  return v;
}

static int ref_order(const struct grp_ref *x, const struct grp_ref *y) {
  int d = grp_ref_cmp(x, y);

  return d != 0 ? d : (x->pidx > y->pidx) - (x->pidx < y->pidx);
}

/* The ith membership to purge (*cur): v[i], or, when collect() had no
 * memory (n == UINT32_MAX), the first one after the previous *cur in the
 * same order, found by a scan of the table: a purge never stops short. */
static int purge_next(struct mgm_core *c, struct mgm_proto *p, uint32_t ifx,
                      uint32_t nh, int latent, const struct grp_ref *v,
                      uint32_t n, uint32_t i, struct grp_ref *cur) {
  struct grp_ref best, x;
  struct mgm_grp *e;
  size_t pos = 0;
  uint32_t j;
  int found = 0;

  if (n != UINT32_MAX) {
    if (i < n)
      *cur = v[i];
    return i < n;
  }
  while ((e = mgm__grp_next(c, &pos)) != NULL) {
    const struct mgm_member *m = latent ? mgm__grp_lat(e) : mgm__grp_mem(e);
    uint32_t nm = latent ? mgm__grp_n_lat(e) : mgm__grp_n_mem(e);

    for (j = 0; j < nm; j++) {
      if ((p && m[j].pidx != p->idx) ||
          !mgm__if_covers(c, ifx, nh, m[j].ifindex, m[j].nexthop))
        continue;
      x.s = e->src;
      x.g = e->grp;
      x.ifx = m[j].ifindex;
      x.nh = m[j].nexthop;
      x.pidx = m[j].pidx;
      if ((i == 0 || ref_order(&x, cur) > 0) &&
          (!found || ref_order(&x, &best) < 0)) {
        best = x;
        found = 1;
      }
    }
  }
  if (found)
    *cur = best;
  return found;
}

struct purge_count {
  uint32_t ifx, nh;
  uint64_t n;
};

static void count_mfe(struct mgm_core *c, struct mgm_mfe *m, void *arg) {
  struct purge_count *pc = arg;
  uint32_t i;

  for (i = 0; i < m->rec.n_oif; i++)
    if (mgm__if_covers(c, pc->ifx, pc->nh, m->oif[i].ifindex,
                       m->oif[i].nexthop)) {
      pc->n++;
      break;
    }
}

/* Per effective membership of p on the links (ifx, nh) covers, alerts to
 * every other client; per latent one there, a local leave; per MFE with an
 * output there, one alert as its outgoing list turns empty (2.5, 2.6). */
uint32_t mgm__member_purge_calls(struct mgm_core *c, struct mgm_proto *p,
                                 uint32_t ifx, uint32_t nh) {
  struct purge_count pc = {ifx, nh, 0};
  const struct mgm_grp *e;
  size_t pos = 0;
  uint64_t n;
  uint32_t i;

  mgm__mfe_foreach_covered(c, 0, 0, count_mfe, &pc);
  n = pc.n;

  while ((e = mgm__grp_next(c, &pos)) != NULL) {
    const struct mgm_member *mv = mgm__grp_mem(e), *lv = mgm__grp_lat(e);

    for (i = 0; i < mgm__grp_n_mem(e); i++)
      if (mv[i].pidx == p->idx &&
          mgm__if_covers(c, ifx, nh, mv[i].ifindex, mv[i].nexthop))
        n += c->n_protos;
    for (i = 0; i < mgm__grp_n_lat(e); i++)
      if (mgm__if_covers(c, ifx, nh, lv[i].ifindex, lv[i].nexthop))
        n++;
  }
  return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

void mgm__member_purge(struct mgm_core *c, struct mgm_proto *p, uint32_t ifx,
                       uint32_t nh, struct mgm_batch *b) {
  uint32_t i, n;
  struct grp_ref *v = collect(c, p, ifx, nh, 0, &n), r;

  for (i = 0; purge_next(c, p, ifx, nh, 0, v, n, i, &r); i++) {
    struct mgm_grp *e = mgm__grp_find(c, r.s, r.g);

    /* A purge cannot be refused: when the all-or-nothing deletion
     * fails (and undoes itself), the forced one deletes the membership
     * anyway, with the MFEs the forwarder would not reprogram. */
    if (e && leave_effective(c, p, e, r.ifx, r.nh, b, 0) != NO_ERROR &&
        (e = mgm__grp_find(c, r.s, r.g)) != NULL)
      leave_effective(c, p, e, r.ifx, r.nh, b, 1);
  }
  free(v);
}

void mgm__member_latent_purge(struct mgm_core *c, struct mgm_proto *p,
                              uint32_t ifx, uint32_t nh,
                              struct mgm_proto *notify, struct mgm_batch *b) {
  uint32_t i, n;
  struct grp_ref *v = collect(c, p, ifx, nh, 1, &n), r;

  for (i = 0; purge_next(c, p, ifx, nh, 1, v, n, i, &r); i++) {
    struct mgm_grp *e = mgm__grp_find(c, r.s, r.g);

    if (e && lat_remove(e, r.ifx, r.nh, r.pidx)) {
      idx_ref(c, r.pidx, -1);
      if (notify)
        local_call(c, MGM_CB_LOCAL_LEAVE, notify, e->src, e->grp, r.ifx, r.nh,
                   b);
      mgm__grp_maybe_free(c, e);
    }
  }
  free(v);
}
