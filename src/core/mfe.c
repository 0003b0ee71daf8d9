/*
 * mfe.c - the MFE cache's life cycle: creation on a new (S,G) (RPF
 * callback, creation alerts, negative entries), outgoing-list maintenance,
 * expiry, the forwarder programming, and MgmSetMfe (mgm-spec 2.18,
 * 3.1-3.3, 3.5, 4.4, 4.7, 5.2).
 *
 * SPDX-License-Identifier: MIT
 *
 * DOC: MFEs are specific (S,G) entries (D-MFE-SG) in a B+ tree (btree.c)
 * keyed by ntohl(G) << 32 | ntohl(S), which gives the documented
 * enumeration order (D-ORDER), O(log n) insertion and removal, a contiguous
 * range per group for (*,G) updates, and walks that read the MFEs'
 * addresses leaf by leaf, ahead of time (MgmGetNextMfe prefetches them).
 * The MFE index (mfeidx.c, open addressing by (S, G)) answers exact
 * lookups.  The outgoing list is kept sorted by (ifindex, next hop)
 * (D-ORDER-OIF) and never contains the incoming interface.  Each MFE has a
 * unique id so that callback outputs applied after the lock was dropped
 * (the negative prune alert's timeout) never touch a replacement.  Expiry
 * is a binary min-heap on the deadline (mfeheap.c); MFEs never refresh on
 * traffic (D-NOREFRESH).  The forwarder sees only interfaces whose slot is
 * attached; an MFE whose incoming interface has no slot is kept but not
 * installed, and installed when the slot appears.  The read API is
 * mferead.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "core/dispatch.h"
#include "core/mfeheap.h"
#include "core/mfeidx.h"

/* Visit the MFEs in (G, S) order from key `from` on, only those of group
 * `from >> 32` if one_group.  fn may delete MFEs, the one visited included:
 * the walk keeps its place while the tree is unchanged, else finds it again
 * after the key just visited. */
static void mfe_walk(struct mgm_core *c, uint64_t from, int one_group,
                     mgm_mfe_visit_fn fn, void *arg) {
  struct mgm_bt_pos pos;
  int more = mgm__bt_ceil(&c->mfes, from, &pos);

  while (more) {
    uint64_t k = mgm__bt_key(&pos), mods = c->mfes.mods;

    if (one_group && k >> 32 != from >> 32)
      break;
    fn(c, mgm__bt_val(&pos), arg);
    if (c->mfes.mods == mods)
      more = mgm__bt_step(&pos);
    else
      more = k != UINT64_MAX && mgm__bt_ceil(&c->mfes, k + 1, &pos);
  }
}

/* ---- Lookup ------------------------------------------------------------- */

struct mgm_mfe *mgm__mfe_find(struct mgm_core *c, uint32_t s, uint32_t g) {
  struct mgm_mfe_slot *x = mgm__mfeidx_slot(c, s, g);

  return x ? x->m : NULL;
}

/* ---- Deadlines ---------------------------------------------------------- */

int64_t mgm__mfe_next_deadline(struct mgm_core *c) {
  int64_t d = c->heap_n ? (int64_t)c->heap[0]->rec.expire_ms : -1;

  if (c->zombies && (d < 0 || (int64_t)c->zombie_ms < d))
    d = (int64_t)c->zombie_ms;
  return d;
}

/* ---- MFEs the forwarder would not delete --------------------------------
 * An MFE whose forwarder entry could not be deleted leaves MGM's tables
 * anyway (callers rely on it), but is kept on c->zombies, chained through
 * zombie_next, and the deletion is retried a second later from
 * the expiry timer: the kernel must not go on forwarding for it for good.
 * No allocation is needed, so this cannot fail in turn. */

#define MGM_ZOMBIE_RETRY_MS 1000u

static void zombies_retry(struct mgm_core *c) {
  struct mgm_mfe **pp = &c->zombies;

  while (*pp) {
    struct mgm_mfe *z = *pp;
    struct mgm_mfe_key k = {z->src, z->grp};

    /* A new MFE of the same (S,G) has replaced the entry: nothing to do. */
    if (mgm__mfe_find(c, z->src, z->grp) == NULL &&
        mgm__be_mfe_del(c, &k) != 0) {
      pp = &z->zombie_next;
      continue;
    }
    *pp = z->zombie_next;
    if (z->cap_oif)
      free(z->oif);
    free(z);
  }
  c->zombie_ms = mgm__now(c) + MGM_ZOMBIE_RETRY_MS;
}

/* ---- Forwarder programming -------------------------------------------- */

int mgm__mfe_install(struct mgm_core *c, struct mgm_mfe *m) {
  struct mgm_oif inl[32], *v = inl;
  struct mgm_fwd f;
  uint32_t i, n = 0;
  int rc = 0;

  memset(&f, 0, sizeof(f));
  f.key.source = m->src;
  f.key.group = m->grp;
  if (!mgm__slot_attached(c, m->rec.iif)) {
    /* The incoming interface has no forwarder slot, so nothing can be
     * forwarded; but the forwarder must not keep an unresolved entry that
     * outlives this MFE and swallows the next upcall.  A negative entry
     * on the interface the packets arrive on drops them and is removed
     * with the MFE, so the next packet asks again. */
    if (m->arr_iif != m->rec.iif && mgm__slot_attached(c, m->arr_iif)) {
      f.iif = m->arr_iif;
      rc = mgm__be_mfe_set(c, &f);
      m->installed = rc == 0;
    } else if (m->installed) {
      mgm__be_mfe_del(c, &f.key);
      m->installed = 0;
    }
    goto out;
  }
  if (m->rec.n_oif > 32) {
    v = mgm__malloc(m->rec.n_oif * sizeof(*v));
    if (v == NULL) {
      rc = MGM_BE_ENOMEM;
      goto out;
    }
  }
  for (i = 0; i < m->rec.n_oif; i++) {
    /* The kernel knows interfaces, not p2mp neighbours: one output per
     * ifindex, and only where the slot is attached. */
    if (!mgm__slot_attached(c, m->oif[i].ifindex) ||
        m->oif[i].ifindex == m->rec.iif ||
        (n > 0 && v[n - 1].ifindex == m->oif[i].ifindex))
      continue;
    v[n].ifindex = m->oif[i].ifindex;
    v[n].nexthop = 0;
    v[n].ttl_threshold = 1;
    n++;
  }
  f.iif = m->rec.iif;
  f.flags = c->wrongif_on ? MGM_FWD_F_NOTIFY_WRONGIF : 0;
  f.n_oif = (uint16_t)n;
  f.oif = v;
  rc = mgm__be_mfe_set(c, &f);
  if (rc == 0) {
    m->installed = 1;
  } else {
    MGM_ERR(c, MGM_CH_MFE, "cannot install MFE (%08x, %08x): %s",
            (unsigned)m->src, (unsigned)m->grp, mgm__error_str(rc));
  }

out:
  if (v != inl)
    free(v);
  return rc;
}

void mgm__mfe_delete(struct mgm_core *c, struct mgm_mfe *m) {
  int brc = 0;

  if (m->installed) {
    struct mgm_mfe_key k = {m->src, m->grp};

    brc = mgm__be_mfe_del(c, &k);
  }
  MGM_TRACE(c, MGM_CH_MFE, "MFE (%08x, %08x) deleted", (unsigned)m->src,
            (unsigned)m->grp);
  mgm__bt_remove(&c->mfes, mgm__mfeidx_key(m->src, m->grp));
  mgm__mfeidx_remove(c, m->src, m->grp);
  mgm__mfeheap_remove(c, m);
  if (brc != 0) {
    MGM_ERR(c, MGM_CH_MFE,
            "MFE (%08x, %08x): the forwarder keeps its entry (%s); retrying",
            (unsigned)m->src, (unsigned)m->grp, mgm__error_str(brc));
    if (c->zombies == NULL)
      c->zombie_ms = mgm__now(c) + MGM_ZOMBIE_RETRY_MS;
    m->zombie_next = c->zombies;
    c->zombies = m;
    mgm__onloop_rearm(c);
    return;
  }
  if (m->cap_oif)
    free(m->oif);
  free(m);
}

/* ---- Outgoing lists ------------------------------------------------------ */

/* Room for `need` outgoing interfaces: the first lives inside the MFE. */
static int oif_reserve(struct mgm_mfe *m, uint32_t need) {
  struct mgm_oifent *v = NULL;
  uint32_t cap = 0;

  if (m->cap_oif)
    return mgm__vec_reserve((void **)&m->oif, &m->cap_oif, need,
                            sizeof(*m->oif));
  if (need <= 1)
    return 0;
  if (mgm__vec_reserve((void **)&v, &cap, need, sizeof(*v)) != 0)
    return -1;
  memcpy(v, m->oif, m->rec.n_oif * sizeof(*v));
  m->oif = v;
  m->cap_oif = cap;
  return 0;
}

static uint32_t oif_lb(const struct mgm_mfe *m, uint32_t ifx, uint32_t nh) {
  uint32_t lo = 0, hi = m->rec.n_oif;

  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    const struct mgm_oifent *o = &m->oif[mid];

    if (o->ifindex < ifx ||
        (o->ifindex == ifx && mgm__ntohl(o->nexthop) < mgm__ntohl(nh)))
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static void iif_owner_call(struct mgm_core *c, struct mgm_mfe *m, int kind,
                           uint32_t ifx, uint32_t nh, struct mgm_batch *b) {
  struct mgm_proto *o = mgm__if_owner(c, m->rec.iif, m->iif_nh);
  struct mgm_call k = {0};

  if (o == NULL)
    return;
  if (kind == MGM_CB_JOIN ? !o->cfg.pfnJoinAlertCallback
                          : !o->cfg.pfnPruneAlertCallback)
    return;
  k.kind = (uint8_t)kind;
  k.p = o;
  k.s = m->src;
  k.smask = MGM_ALL_ONES;
  k.g = m->grp;
  k.gmask = MGM_ALL_ONES;
  k.ifx = ifx;
  k.nh = nh;
  k.flag = FALSE;
  k.mfe_id = m->id;
  mgm__batch_add(c, b, &k);
}

/* Append (ifx, nh) and reprogram the forwarder; when the list turns
 * non-empty the incoming-interface owner gets a join alert with
 * bMemberUpdate FALSE (D-NEGMFE).  Returns 1 if added, 0 if already there,
 * or a negative MGM_BE_* code with the list unchanged (all-or-nothing). */
int mgm__mfe_oif_add(struct mgm_core *c, struct mgm_mfe *m, uint32_t ifx,
                     uint32_t nh, struct mgm_batch *b) {
  uint32_t i = oif_lb(m, ifx, nh);
  int rc;

  if (m->rec.iif == ifx && m->iif_nh == nh)
    return 0;
  if (i < m->rec.n_oif && m->oif[i].ifindex == ifx && m->oif[i].nexthop == nh)
    return 0;
  if (oif_reserve(m, m->rec.n_oif + 1) != 0)
    return MGM_BE_ENOMEM;
  memmove(&m->oif[i + 1], &m->oif[i], (m->rec.n_oif - i) * sizeof(*m->oif));
  m->oif[i].ifindex = ifx;
  m->oif[i].nexthop = nh;
  m->rec.n_oif++;
  rc = mgm__mfe_install(c, m);
  if (rc != 0) {
    m->rec.n_oif--;
    memmove(&m->oif[i], &m->oif[i + 1], (m->rec.n_oif - i) * sizeof(*m->oif));
    return rc;
  }
  mgm__mfeidx_publish(c, m);
  if (m->rec.n_oif == 1)
    iif_owner_call(c, m, MGM_CB_JOIN, 0, 0, b);
  return 1;
}

/* Remove (ifx, nh) and reprogram; when the list turns empty the
 * incoming-interface owner gets a prune alert with bMemberDelete FALSE
 * whose returned timeout becomes the MFE's lifetime (D-NEGMFE, D-REARM).
 * Returns 1, 0 or a negative MGM_BE_* code with the list unchanged. */
int mgm__mfe_oif_del(struct mgm_core *c, struct mgm_mfe *m, uint32_t ifx,
                     uint32_t nh, struct mgm_batch *b) {
  uint32_t i = oif_lb(m, ifx, nh);
  struct mgm_oifent saved;
  int rc;

  if (i >= m->rec.n_oif || m->oif[i].ifindex != ifx || m->oif[i].nexthop != nh)
    return 0;
  saved = m->oif[i];
  memmove(&m->oif[i], &m->oif[i + 1], (m->rec.n_oif - i - 1) * sizeof(*m->oif));
  m->rec.n_oif--;
  rc = mgm__mfe_install(c, m);
  if (rc != 0) {
    memmove(&m->oif[i + 1], &m->oif[i], (m->rec.n_oif - i) * sizeof(*m->oif));
    m->oif[i] = saved;
    m->rec.n_oif++;
    return rc;
  }
  mgm__mfeidx_publish(c, m);
  if (m->rec.n_oif == 0)
    iif_owner_call(c, m, MGM_CB_PRUNE, ifx, nh, b);
  return 1;
}

int mgm__mfe_justified(struct mgm_core *c, const struct mgm_mfe *m,
                       uint32_t ifx, uint32_t nh) {
  const uint32_t keys[3][2] = {{m->src, m->grp}, {0, m->grp}, {0, 0}};
  int i;

  for (i = 0; i < 3; i++) {
    struct mgm_grp *e = mgm__grp_find(c, keys[i][0], keys[i][1]);

    if (e && mgm__grp_has_member(e, ifx, nh))
      return 1;
  }
  return 0;
}

void mgm__mfe_foreach_covered(struct mgm_core *c, uint32_t s, uint32_t g,
                              mgm_mfe_visit_fn fn, void *arg) {
  if (c->mfes.count == 0)
    return;
  if (s && g) {
    struct mgm_mfe *m = mgm__mfe_find(c, s, g);

    if (m)
      fn(c, m, arg);
    return;
  }
  mfe_walk(c, (uint64_t)mgm__ntohl(g) << 32, g != 0, fn, arg);
}

struct del_where {
  int (*pred)(struct mgm_core *, const struct mgm_mfe *, uint32_t, uint32_t);
  uint32_t a, b;
};

static void visit_del_where(struct mgm_core *c, struct mgm_mfe *m, void *arg) {
  const struct del_where *w = arg;

  if (w->pred(c, m, w->a, w->b))
    mgm__mfe_delete(c, m);
}

/* Delete the MFEs matching a predicate, in one walk.  Nothing to allocate:
 * a deletion that cannot be refused never stops short. */
static void delete_where(struct mgm_core *c,
                         int (*pred)(struct mgm_core *, const struct mgm_mfe *,
                                     uint32_t, uint32_t),
                         uint32_t a, uint32_t b) {
  struct del_where w = {pred, a, b};

  mfe_walk(c, 0, 0, visit_del_where, &w);
}

static int has_iif(struct mgm_core *c, const struct mgm_mfe *m, uint32_t ifx,
                   uint32_t nh) {
  return mgm__if_covers(c, ifx, nh, m->rec.iif, m->iif_nh);
}

static int has_iif_index(struct mgm_core *c, const struct mgm_mfe *m,
                         uint32_t ifx, uint32_t unused) {
  return m->rec.iif == ifx;
}

void mgm__mfe_delete_iif(struct mgm_core *c, uint32_t ifx, uint32_t nh) {
  delete_where(c, has_iif, ifx, nh);
}

struct strip_arg {
  uint32_t ifx, nh;
  struct mgm_batch *b;
};

static void visit_strip(struct mgm_core *c, struct mgm_mfe *m, void *arg) {
  const struct strip_arg *a = arg;
  uint32_t ifx = a->ifx, nh = a->nh, i = 0;
  struct mgm_batch *b = a->b;

  while (i < m->rec.n_oif) {
    struct mgm_oifent o = m->oif[i];
    int rc;

    if (!mgm__if_covers(c, ifx, nh, o.ifindex, o.nexthop)) {
      i++;
      continue;
    }
    rc = mgm__mfe_oif_del(c, m, o.ifindex, o.nexthop, b);
    if (rc == 0) {
      i++;
    } else if (rc < 0) {
      MGM_ERR(c, MGM_CH_MFE, "MFE (%08x, %08x) cannot be reprogrammed; deleted",
              (unsigned)m->src, (unsigned)m->grp);
      mgm__mfe_delete(c, m);
      break;
    }
  }
}

/* Remove (ifx, nh) from every MFE (interface released).  The release
 * itself cannot be refused: an MFE the forwarder will not reprogram is
 * deleted instead, and the next packet rebuilds it. */
void mgm__mfe_strip_oif(struct mgm_core *c, uint32_t ifx, uint32_t nh,
                        struct mgm_batch *b) {
  struct strip_arg a = {ifx, nh, b};

  mfe_walk(c, 0, 0, visit_strip, &a);
}

static void visit_reprogram(struct mgm_core *c, struct mgm_mfe *m, void *arg) {
  uint32_t ifindex = *(const uint32_t *)arg, i;
  int uses = m->rec.iif == ifindex || m->arr_iif == ifindex;

  for (i = 0; i < m->rec.n_oif && !uses; i++)
    uses = m->oif[i].ifindex == ifindex;
  if (uses)
    mgm__mfe_install(c, m);
}

/* A slot came or went.  drop_iif: the interface vanished, so MFEs arriving
 * on it go (no stale forwarding, kernel.md A.13); otherwise (slot released
 * or attached) every MFE using it is just reprogrammed. */
void mgm__mfe_reprogram_ifindex(struct mgm_core *c, uint32_t ifindex,
                                int drop_iif) {
  if (drop_iif && !mgm__slot_attached(c, ifindex))
    delete_where(c, has_iif_index, ifindex, 0);
  mfe_walk(c, 0, 0, visit_reprogram, &ifindex);
}

static void visit_strip_index(struct mgm_core *c, struct mgm_mfe *m,
                              void *arg) {
  const struct strip_arg *a = arg;
  uint32_t i = 0;

  while (i < m->rec.n_oif) {
    struct mgm_oifent o = m->oif[i];

    if (o.ifindex != a->ifx) {
      i++;
    } else if (mgm__mfe_oif_del(c, m, o.ifindex, o.nexthop, a->b) < 0) {
      MGM_ERR(c, MGM_CH_MFE, "MFE (%08x, %08x) cannot be reprogrammed; deleted",
              (unsigned)m->src, (unsigned)m->grp);
      mgm__mfe_delete(c, m);
      break;
    }
  }
}

/* The interface vanished: no MFE keeps it as an outgoing interface, on any
 * next hop, so MGM shows what the forwarder has (prune alerts as for a
 * release).  The memberships stay; mgm__mfe_restore_ifindex() puts the
 * interface back when it returns under the same index. */
void mgm__mfe_strip_ifindex(struct mgm_core *c, uint32_t ifindex,
                            struct mgm_batch *b) {
  struct strip_arg a = {ifindex, 0, b};

  MGM_ASSERT_LOCKED(c);
  mfe_walk(c, 0, 0, visit_strip_index, &a);
}

#define MGM_RESTORE_NH_MAX 64

struct restore_arg {
  uint32_t ifx, n_nh;
  uint32_t nh[MGM_RESTORE_NH_MAX];
  struct mgm_batch *b;
};

static void visit_restore(struct mgm_core *c, struct mgm_mfe *m, void *arg) {
  const struct restore_arg *a = arg;
  uint32_t i;

  for (i = 0; i < a->n_nh; i++) {
    if (!mgm__mfe_justified(c, m, a->ifx, a->nh[i]))
      continue;
    if (mgm__mfe_oif_add(c, m, a->ifx, a->nh[i], a->b) < 0) {
      MGM_ERR(c, MGM_CH_MFE, "MFE (%08x, %08x) cannot be reprogrammed; deleted",
              (unsigned)m->src, (unsigned)m->grp);
      mgm__mfe_delete(c, m);
      break;
    }
  }
}

/* The interface is back under its index: every MFE that its memberships
 * justify gets it again as an outgoing interface (join alerts as for a
 * membership).  Next hops past MGM_RESTORE_NH_MAX wait for the next
 * packet of a new flow. */
void mgm__mfe_restore_ifindex(struct mgm_core *c, uint32_t ifindex,
                              struct mgm_batch *b) {
  struct restore_arg a;
  struct mgm_hnode *n = NULL;

  MGM_ASSERT_LOCKED(c);
  a.ifx = ifindex;
  a.n_nh = 0;
  a.b = b;
  while ((n = mgm__hash_next(&c->ifs, n)) != NULL) {
    const struct mgm_if *r = (const struct mgm_if *)n;

    if (r->ifindex == ifindex && a.n_nh < MGM_RESTORE_NH_MAX)
      a.nh[a.n_nh++] = r->nexthop;
  }
  if (a.n_nh > 0)
    mfe_walk(c, 0, 0, visit_restore, &a);
}

void mgm__mfe_rearm(struct mgm_core *c, uint32_t s, uint32_t g, uint64_t id,
                    DWORD timeout_s) {
  struct mgm_mfe *m = mgm__mfe_find(c, s, g);

  if (m == NULL || m->id != id)
    return;
  if (timeout_s == 0)
    timeout_s = c->lifetime_s; /* D-TMO0 */
  m->rec.timeout_s = timeout_s;
  m->rec.expire_ms = mgm__now(c) + (uint64_t)timeout_s * 1000u;
  mgm__mfeidx_publish(c, m);
  mgm__mfeheap_down(c, m->heap_idx);
  mgm__mfeheap_up(c, m->heap_idx);
  MGM_TRACE(c, MGM_CH_MFE, "MFE (%08x, %08x) re-armed for %u s", (unsigned)s,
            (unsigned)g, (unsigned)timeout_s);
  mgm__onloop_rearm(c);
}

void mgm__mfe_expire_due(struct mgm_core *c) {
  uint64_t now = mgm__now(c);

  if (c->zombies && c->zombie_ms <= now)
    zombies_retry(c);
  while (c->heap_n && c->heap[0]->rec.expire_ms <= now) {
    struct mgm_mfe *m = c->heap[0];

    MGM_INFO(c, MGM_CH_MFE, "MFE (%08x, %08x) expired after %u s",
             (unsigned)m->src, (unsigned)m->grp, (unsigned)m->rec.timeout_s);
    mgm__mfe_delete(c, m);
  }
  mgm__onloop_rearm(c);
}

/* ---- Creation (4.4) ----------------------------------------------------- */

struct cand {
  uint32_t ifx, nh;
  int vetoed;
};

static int cand_cmp(const void *a, const void *b) {
  const struct cand *x = a, *y = b;

  if (x->ifx != y->ifx)
    return x->ifx < y->ifx ? -1 : 1;
  /* next hops in address order (D-ORDER-OIF, 1.3) */
  return mgm__ntohl(x->nh) < mgm__ntohl(y->nh)   ? -1
         : mgm__ntohl(x->nh) > mgm__ntohl(y->nh) ? 1
                                                 : 0;
}

/* Per-flow scratch kept on the stack while it fits: new flows come in
 * bursts, and a few candidates and clients are the usual case. */
#define MGM_CAND_INLINE 8
#define MGM_CREATION_INLINE 4
#define MGM_IFENTRY_INLINE 8

/* OIF candidates of a new (S,G): every interface with an effective
 * membership in (S,G), (*,G) or (*,*), minus the incoming interface.  They
 * go to inl[MGM_CAND_INLINE] while they fit, to the heap past that; the
 * caller frees *out unless it is inl. */
static int candidates(struct mgm_core *c, uint32_t s, uint32_t g, uint32_t iif,
                      uint32_t iif_nh, struct cand *inl, struct cand **out,
                      uint32_t *count) {
  const uint32_t keys[3][2] = {{s, g}, {0, g}, {0, 0}};
  struct cand *v = inl;
  uint32_t n = 0, cap = MGM_CAND_INLINE, i, j, w;

  for (i = 0; i < 3; i++) {
    const struct mgm_grp *e = mgm__grp_find(c, keys[i][0], keys[i][1]);
    const struct mgm_member *mv = e ? mgm__grp_mem(e) : NULL;

    for (j = 0; e && j < mgm__grp_n_mem(e); j++) {
      if ((mv[j].ifindex == iif && mv[j].nexthop == iif_nh) ||
          mgm__slot_gone(c, mv[j].ifindex))
        continue;
      if (n == cap) {
        struct cand *nv = cap > UINT32_MAX / 2 / sizeof(*v)
                              ? NULL
                              : mgm__malloc(2 * (size_t)cap * sizeof(*v));

        if (nv == NULL) {
          if (v != inl)
            free(v);
          return -1;
        }
        memcpy(nv, v, n * sizeof(*v));
        if (v != inl)
          free(v);
        v = nv;
        cap *= 2;
      }
      v[n].ifx = mv[j].ifindex;
      v[n].nh = mv[j].nexthop;
      v[n].vetoed = 0;
      n++;
    }
  }
  if (n > 1)
    qsort(v, n, sizeof(*v), cand_cmp);
  for (i = 0, w = 0; i < n; i++)
    if (w == 0 || cand_cmp(&v[w - 1], &v[i]) != 0)
      v[w++] = v[i];
  *out = v;
  *count = w;
  return 0;
}

/* D-BIGMP: by default TRUE iff an IGMP-type client owns or co-owns the
 * interface; with the port option, iff IGMP has a (latent or effective)
 * membership covering (S,G) there. */
static BOOL bigmp(struct mgm_core *c, uint32_t s, uint32_t g, uint32_t ifx,
                  uint32_t nh) {
  struct mgm_if *r = mgm__if_lookup(c, ifx, nh);
  const uint32_t keys[3][2] = {{s, g}, {0, g}, {0, 0}};
  int i;
  uint32_t j;

  if (r == NULL || r->igmp == NULL)
    return FALSE;
  if (!c->bigmp_membership)
    return TRUE;
  for (i = 0; i < 3; i++) {
    const struct mgm_grp *e = mgm__grp_find(c, keys[i][0], keys[i][1]);
    const struct mgm_member *mv = e ? mgm__grp_mem(e) : NULL;

    const struct mgm_member *lv = e ? mgm__grp_lat(e) : NULL;

    for (j = 0; e && j < mgm__grp_n_mem(e); j++)
      if (mv[j].ifindex == ifx && mv[j].nexthop == nh &&
          mv[j].pidx == r->igmp->idx)
        return TRUE;
    for (j = 0; e && j < mgm__grp_n_lat(e); j++)
      if (lv[j].ifindex == ifx && lv[j].nexthop == nh)
        return TRUE;
  }
  return FALSE;
}

/* The RTM_DEST_INFO handed to the RPF callback (D-ROUTE): sized for two
 * views (RTM_SIZE_OF_DEST_INFO(2) = 128 on 64-bit), zero except
 * DestAddress at offset 8 (AddressFamily, NumBits, AddrBits[16]). */
#define MGM_DEST_INFO_SIZE 128
#define MGM_DEST_ADDR_OFF 8

static void route_to_buf(uint8_t *buf, uint32_t net, uint32_t mask) {
  uint16_t af = 2, bits = 0; /* AF_INET */
  uint32_t hm = mgm__ntohl(mask);

  while (hm & 0x80000000u) {
    bits++;
    hm <<= 1;
  }
  memset(buf, 0, MGM_DEST_INFO_SIZE);
  memcpy(buf + MGM_DEST_ADDR_OFF, &af, 2);
  memcpy(buf + MGM_DEST_ADDR_OFF + 2, &bits, 2);
  memcpy(buf + MGM_DEST_ADDR_OFF + 4, &net, 4);
}

static void route_from_buf(const uint8_t *buf, DWORD *net, DWORD *mask) {
  uint16_t bits;
  uint32_t hm, n;

  memcpy(&bits, buf + MGM_DEST_ADDR_OFF + 2, 2);
  memcpy(&n, buf + MGM_DEST_ADDR_OFF + 4, 4);
  *net = n;
  if (bits > 32)
    bits = 32;
  hm = bits ? 0xFFFFFFFFu << (32 - bits) : 0;
  /* back to network order without OS headers */
  *mask = mgm__ntohl(hm);
}

struct creation {
  struct mgm_proto *p; /* client being alerted */
  MGM_IF_ENTRY *list;  /* its interfaces */
  uint32_t n;
  int heap; /* list was allocated (not in the inline pool) */
};

/* A new (S,G) on its way to an MFE (4.4): what the RPF question, the
 * creation alerts and the creation hand on, with the per-flow scratch. */
struct flow {
  uint32_t s, g, arr;        /* the packet: source, group, arrival */
  DWORD iif, nh, up;         /* incoming interface and upstream (3.1) */
  DWORD rproto, rnet, rmask; /* the route toward S */
  const void *hdr;           /* the packet's header (a copy) */
  size_t hdrlen;             /* its length */
  struct cand *cv;           /* outgoing candidates: cinl or the heap */
  uint32_t ncv;              /* their number */
  struct creation *cr;       /* creation alerts: crinl or the heap */
  uint32_t ncr;              /* their number */
  uint32_t lused;            /* entries of linl given to creation alerts */
  struct cand cinl[MGM_CAND_INLINE];
  struct creation crinl[MGM_CREATION_INLINE];
  MGM_IF_ENTRY linl[MGM_IFENTRY_INLINE];
};

/* What a step of the creation leaves to the next. */
enum flow_step {
  FLOW_OOM = -1, /* out of memory: nothing is created */
  FLOW_GO,       /* on to the next step */
  FLOW_DONE      /* nothing (more) to do: no route, or the MFE exists */
};

/* 3.1: the route toward S, then the RPF callback to the owner of the
 * interface toward S, which may change the incoming interface, its next
 * hop, the upstream neighbour and the route.  The lock is held on entry
 * and on return, dropped for the callback. */
static enum flow_step flow_rpf(struct mgm_core *c, struct flow *f) {
  uint8_t routebuf[MGM_DEST_INFO_SIZE];
  struct mgm_route rt;
  struct mgm_proto *o;
  struct mgm_call k;
  enum flow_step rc = FLOW_GO;
  int brc;

  MGM_ASSERT_LOCKED(c);
  brc = mgm__be_route_lookup(c, f->s, &rt);
  if (brc == 0) {
    f->iif = rt.ifindex;
    f->nh = rt.nexthop;
    f->up = rt.upstream;
    f->rproto = rt.protocol;
    f->rnet = rt.network;
    f->rmask = rt.mask;
  } else if (brc == MGM_BE_ENOENT) { /* D-NOROUTE */
    f->iif = f->arr;
    f->nh = 0;
    f->up = 0;
  } else {
    /* Not "no route": the arrival interface may fail RPF.  Nothing is
     * created; the next packet of the flow asks again. */
    MGM_ERR(c, MGM_CH_MFE, "route lookup for (%08x, %08x) failed: %s",
            (unsigned)f->s, (unsigned)f->g, mgm__error_str(brc));
    rc = FLOW_DONE;
    goto out;
  }
  o = mgm__if_owner(c, f->iif, f->nh);
  if (o == NULL || !o->cfg.pfnRpfCallback)
    goto out;
  mgm__proto_ref(o);
  route_to_buf(routebuf, f->rnet, f->rmask);
  mgm__unlock(c);
  /* filled after the unlock, so that the compiler sees the kind it inlines
   * the dispatcher for */
  k.kind = MGM_CB_RPF;
  k.p = o;
  k.s = f->s;
  k.smask = MGM_ALL_ONES;
  k.g = f->g;
  k.gmask = MGM_ALL_ONES;
  k.ifx = f->iif;
  k.nh = f->nh;
  k.up = f->up;
  k.flag = FALSE;
  k.mfe_id = 0;
  k.hdr = f->hdr;
  k.hdrlen = (DWORD)f->hdrlen;
  k.buf = routebuf;
  k.n_if = 0;
  if (mgm__dispatch_call(c, &k)) {
    f->iif = k.ifx;
    f->nh = k.nh;
    f->up = k.up;
    route_from_buf(routebuf, &f->rnet, &f->rmask);
  }
  mgm__proto_unref(o);
  mgm__lock(c);
  if (mgm__mfe_find(c, f->s, f->g))
    rc = FLOW_DONE;

out:
  return rc;
}

/* 3.2: one creation alert per client owning outgoing candidates, in
 * registration order, each with its interfaces; an interface a client
 * disables stays out.  The lock is held on entry and on return, dropped
 * for the callbacks. */
static enum flow_step flow_alerts(struct mgm_core *c, struct flow *f) {
  enum flow_step rc = FLOW_OOM;
  uint32_t i, j, k;
  uint64_t gen;

  MGM_ASSERT_LOCKED(c);
  if (candidates(c, f->s, f->g, f->iif, f->nh, f->cinl, &f->cv, &f->ncv) != 0)
    goto out;
  gen = c->mem_gen;
  if (f->ncv) {
    f->cr = c->n_protos <= MGM_CREATION_INLINE
                ? f->crinl
                : mgm__calloc(c->n_protos, sizeof(*f->cr));
    if (f->cr == NULL)
      goto out;
  }
  for (i = 0; f->ncv && i < c->n_protos; i++) {
    struct mgm_proto *x = c->protos[i];
    struct creation *a = &f->cr[f->ncr];
    uint32_t cnt = 0;

    if (!x->cfg.pfnCreationAlertCallback)
      continue;
    for (j = 0; j < f->ncv; j++)
      cnt += mgm__if_owner(c, f->cv[j].ifx, f->cv[j].nh) == x;
    if (cnt == 0)
      continue;
    a->heap = cnt > MGM_IFENTRY_INLINE - f->lused;
    if (a->heap) {
      a->list = mgm__calloc(cnt, sizeof(MGM_IF_ENTRY));
    } else {
      a->list = f->linl + f->lused;
      f->lused += cnt;
      memset(a->list, 0, cnt * sizeof(MGM_IF_ENTRY));
    }
    if (a->list == NULL)
      goto out;
    for (j = 0, k = 0; j < f->ncv; j++) {
      if (mgm__if_owner(c, f->cv[j].ifx, f->cv[j].nh) != x)
        continue;
      a->list[k].dwIfIndex = f->cv[j].ifx;
      a->list[k].dwIfNextHopAddr = f->cv[j].nh;
      a->list[k].bIGMP = bigmp(c, f->s, f->g, f->cv[j].ifx, f->cv[j].nh);
      a->list[k].bIsEnabled = TRUE;
      k++;
    }
    a->n = cnt;
    a->p = x;
    mgm__proto_ref(x);
    f->ncr++;
  }
  if (f->ncr) {
    mgm__unlock(c);
    for (i = 0; i < f->ncr; i++) {
      struct mgm_call call;

      call.kind = MGM_CB_CREATION;
      call.p = f->cr[i].p;
      call.s = f->s;
      call.smask = MGM_ALL_ONES;
      call.g = f->g;
      call.gmask = MGM_ALL_ONES;
      call.ifx = f->iif;
      call.nh = f->nh;
      call.flag = FALSE;
      call.up = 0;
      call.mfe_id = 0;
      call.hdr = NULL;
      call.buf = f->cr[i].list;
      call.hdrlen = 0;
      call.n_if = f->cr[i].n;
      mgm__dispatch_call(c, &call);
    }
    mgm__lock(c);
    if (mgm__mfe_find(c, f->s, f->g)) {
      rc = FLOW_DONE;
      goto out;
    }
  }
  /* Re-evaluate under the lock if memberships changed while the
   * callbacks ran; what was offered and refused stays out. */
  if (c->mem_gen != gen) {
    if (f->cv != f->cinl)
      free(f->cv);
    f->cv = NULL;
    if (candidates(c, f->s, f->g, f->iif, f->nh, f->cinl, &f->cv, &f->ncv) != 0)
      goto out;
  }
  for (i = 0; i < f->ncr; i++)
    for (j = 0; j < f->cr[i].n; j++) {
      const MGM_IF_ENTRY *e = &f->cr[i].list[j];
      struct cand key = {e->dwIfIndex, e->dwIfNextHopAddr, 0};
      struct cand *hit;

      if (e->bIsEnabled != FALSE)
        continue;
      hit = bsearch(&key, f->cv, f->ncv, sizeof(*f->cv), cand_cmp);
      if (hit)
        hit->vetoed = 1;
    }
  rc = FLOW_GO;

out:
  return rc;
}

/* The MFE: the candidates not vetoed, the route, the default lifetime;
 * installed, or dropped when the forwarder refuses it (the next upcall
 * rebuilds it).  A negative MFE owes the owner of its incoming interface a
 * prune alert, queued in b. */
static enum flow_step flow_create(struct mgm_core *c, struct flow *f,
                                  struct mgm_batch *b) {
  enum flow_step rc = FLOW_OOM;
  struct mgm_proto *o;
  struct mgm_mfe *m;
  uint64_t now;
  uint32_t j;

  MGM_ASSERT_LOCKED(c);
  m = mgm__calloc(1, sizeof(*m));
  if (m == NULL)
    goto out;
  m->oif = &m->one_oif;
  for (j = 0; j < f->ncv; j++) {
    if (f->cv[j].vetoed)
      continue;
    if (oif_reserve(m, m->rec.n_oif + 1) != 0)
      goto out;
    m->oif[m->rec.n_oif].ifindex = f->cv[j].ifx;
    m->oif[m->rec.n_oif].nexthop = f->cv[j].nh;
    m->rec.n_oif++;
  }
  if (mgm__vec_reserve((void **)&c->heap, &c->heap_cap, c->heap_n + 1,
                       sizeof(*c->heap)) != 0)
    goto out;
  now = mgm__now(c);
  o = mgm__if_owner(c, f->iif, f->nh);
  m->src = f->s;
  m->grp = f->g;
  m->rec.iif = f->iif;
  m->iif_nh = f->nh;
  m->arr_iif = f->arr;
  m->rec.upstream = f->up;
  m->rec.in_proto = o ? o->pid : 0;
  m->rec.route_proto = f->rproto;
  m->rec.route_net = f->rnet;
  m->rec.route_mask = f->rmask;
  m->rec.created_ms = now;
  m->rec.timeout_s = c->lifetime_s;
  m->rec.expire_ms = now + (uint64_t)c->lifetime_s * 1000u;
  m->id = ++c->next_mfe_id;
  if (mgm__mfeidx_insert(c, m) != 0)
    goto out;
  if (mgm__bt_insert(&c->mfes, mgm__mfeidx_key(f->s, f->g), m) != 0) {
    mgm__mfeidx_remove(c, f->s, f->g);
    goto out;
  }
  m->heap_idx = c->heap_n;
  c->heap[c->heap_n++] = m;
  mgm__mfeheap_up(c, m->heap_idx);
  if (mgm__mfe_install(c, m) != 0) {
    /* Nothing is forwarded without the kernel entry: drop the MFE so the
     * table shows what the forwarder does; the next upcall rebuilds it. */
    mgm__bt_remove(&c->mfes, mgm__mfeidx_key(f->s, f->g));
    mgm__mfeidx_remove(c, f->s, f->g);
    mgm__mfeheap_remove(c, m);
    rc = FLOW_DONE;
    goto out;
  }
  MGM_INFO(c, MGM_CH_MFE, "MFE (%08x, %08x) created: iif %u, %u oif",
           (unsigned)f->s, (unsigned)f->g, (unsigned)f->iif,
           (unsigned)m->rec.n_oif);
  if (m->rec.n_oif == 0) /* negative MFE */
    iif_owner_call(c, m, MGM_CB_PRUNE, f->iif, f->nh, b);
  m = NULL;
  mgm__onloop_rearm(c);
  rc = FLOW_DONE;

out:
  if (m) {
    if (m->cap_oif)
      free(m->oif);
    free(m);
  }
  return rc;
}

void mgm__mfe_on_no_entry(struct mgm_core *c, uint32_t arr, uint32_t s,
                          uint32_t g, const void *hdr, size_t hdrlen) {
  struct mgm_mfe *m;
  struct mgm_batch b;
  struct flow f;
  uint8_t hcopy[256];
  enum flow_step rc;
  uint32_t i;

  mgm__batch_init(&b);
  if (hdrlen > sizeof(hcopy))
    hdrlen = sizeof(hcopy);
  if (hdrlen)
    memcpy(hcopy, hdr, hdrlen);
  f.s = s;
  f.g = g;
  f.arr = arr;
  f.rproto = f.rnet = f.rmask = 0;
  f.hdr = hcopy;
  f.hdrlen = hdrlen;
  f.cv = NULL;
  f.ncv = 0;
  f.cr = NULL;
  f.ncr = 0;
  f.lused = 0;
  mgm__lock(c);
  m = mgm__mfe_find(c, s, g);
  if (m) {
    /* Not installed (its incoming interface has no slot): the negative
     * entry goes where packets now arrive, resolving the forwarder's
     * pending entry (fuzzer finding libmgm-09). */
    if (!m->installed) {
      m->arr_iif = arr;
      mgm__mfe_install(c, m);
    }
    goto out;
  }
  rc = flow_rpf(c, &f);
  if (rc == FLOW_GO)
    rc = flow_alerts(c, &f);
  if (rc == FLOW_GO)
    rc = flow_create(c, &f, &b);
  if (rc == FLOW_OOM)
    MGM_ERR(c, MGM_CH_MFE, "out of memory creating MFE (%08x, %08x)",
            (unsigned)s, (unsigned)g);

out:
  mgm__unlock(c);
  for (i = 0; i < f.ncr; i++) {
    if (f.cr[i].heap)
      free(f.cr[i].list);
    mgm__proto_unref(f.cr[i].p);
  }
  if (f.cr != f.crinl)
    free(f.cr);
  if (f.cv != f.cinl)
    free(f.cv);
  mgm__dispatch_batch(c, &b);
}

void mgm__mfe_on_wrong_if(struct mgm_core *c, uint32_t arr, uint32_t s,
                          uint32_t g, const void *hdr, size_t hdrlen) {
  struct mgm_mfe *m;
  struct mgm_proto *o;
  struct mgm_batch b;
  struct mgm_call k = {0};
  uint64_t now;
  int i, slot = 0;

  mgm__batch_init(&b);
  mgm__lock(c);
  if (!c->wrongif_alerts || (m = mgm__mfe_find(c, s, g)) == NULL)
    goto out;
  o = mgm__if_owner(c, arr, 0);
  if (o == NULL || !o->cfg.pfnWrongIfCallback)
    goto out;
  /* D-WRONGIF: at most one call per (S, G, arrival interface) per second;
   * four remembered interfaces per MFE, the oldest replaced. */
  now = mgm__now(c);
  for (i = 0; i < 4; i++) {
    if (m->wrongif_if[i] == arr) {
      if (now - m->wrongif_ms[i] < 1000)
        goto out;
      slot = i;
      break;
    }
    if (m->wrongif_if[i] == 0 ||
        (m->wrongif_if[slot] != 0 && m->wrongif_ms[i] < m->wrongif_ms[slot]))
      slot = i;
  }
  if (hdrlen) {
    /* Without a copy of the header the alert is dropped (best effort, like
     * the upcall itself), never delivered with a NULL header. */
    void *copy = mgm__malloc(hdrlen);

    if (copy == NULL)
      goto out;
    memcpy(copy, hdr, hdrlen);
    k.hdr = copy;
    k.hdrlen = (DWORD)hdrlen;
  }
  m->wrongif_if[slot] = arr;
  m->wrongif_ms[slot] = now;
  k.kind = MGM_CB_WRONGIF;
  k.p = o;
  k.s = s;
  k.g = g;
  k.ifx = arr;
  k.nh = 0;
  mgm__batch_add(c, &b, &k);

out:
  mgm__unlock(c);
  mgm__dispatch_batch(c, &b);
}

void mgm__mfe_on_gone(struct mgm_core *c, const struct mgm_mfe_key *key,
                      enum mgm_mfe_gone why) {
  struct mgm_mfe *m;

  mgm__lock(c);
  m = mgm__mfe_find(c, key->source, key->group);
  if (m) {
    MGM_INFO(c, MGM_CH_MFE, "MFE (%08x, %08x) removed by the forwarder (%d)",
             (unsigned)key->source, (unsigned)key->group, (int)why);
    m->installed = 0;
    mgm__mfe_delete(c, m);
  }
  mgm__unlock(c);
}

DWORD mgm__mfe_set_upstream(struct mgm_core *c, HANDLE h, PMIB_IPMCAST_MFE in) {
  struct mgm_mfe *m;
  DWORD rc = NO_ERROR;

  mgm__lock(c);
  if (mgm__proto_get(c, h) == NULL) {
    rc = ERROR_INVALID_PARAMETER;
    goto out;
  }
  m = mgm__mfe_find(c, in->dwSource, in->dwGroup);
  if (m == NULL) {
    rc = ERROR_NOT_FOUND;
    goto out;
  }
  m->rec.upstream = in->dwUpStrmNgbr; /* D-SETMFE: nothing else, timer kept */
  mgm__mfeidx_publish(c, m);

out:
  mgm__unlock(c);
  return rc;
}

void mgm__mfes_destroy(struct mgm_core *c) {
  struct mgm_bt_pos pos;

  while (mgm__bt_first(&c->mfes, &pos))
    mgm__mfe_delete(c, mgm__bt_val(&pos));
  while (c->zombies) { /* the backend's flush and close remove them */
    struct mgm_mfe *z = c->zombies;

    c->zombies = z->zombie_next;
    if (z->cap_oif)
      free(z->oif);
    free(z);
  }
  mgm__bt_destroy(&c->mfes); /* its spare nodes */
  free(c->mfe_idx.s);
  memset(&c->mfe_idx, 0, sizeof(c->mfe_idx));
  free(c->heap);
  c->heap = NULL;
  c->heap_n = c->heap_cap = 0;
}
