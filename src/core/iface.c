/*
 * iface.c - interface ownership: one routing-protocol owner plus one IGMP
 * co-owner per (ifindex, next hop) (mgm-spec 2.4-2.7), the forwarder slot
 * of each ifindex in use, and interface events from the backend.
 *
 * SPDX-License-Identifier: MIT
 *
 * The ownership-change sequence (2.6) is delivered step by step: the IGMP
 * co-owner's disable callback runs after the interface is marked disabled
 * and before the purge; the purge's alerts run before the enable callback.
 * The lock is dropped between steps; `pending` reserves the interface for
 * the taker meanwhile, so a concurrent take gets ERROR_ALREADY_EXISTS while
 * MgmGetProtocolOnInterface still reports the old owner until step 3.
 */
#include <stdlib.h>

#include "core/core.h"

/* Exact pair first, then (ifindex, 0) for a p2mp link (D-P2MP). */
struct mgm_if *mgm__if_lookup(struct mgm_core *c, uint32_t ifx, uint32_t nh) {
  struct mgm_if *r = mgm__if_find(c, ifx, nh);

  if (r == NULL && nh != 0)
    r = mgm__if_find(c, ifx, 0);
  return r;
}

struct mgm_proto *mgm__if_owner(struct mgm_core *c, uint32_t ifx, uint32_t nh) {
  struct mgm_if *r = mgm__if_lookup(c, ifx, nh);

  if (r == NULL)
    return NULL;
  return r->owner ? r->owner : r->igmp;
}

int mgm__if_covers(struct mgm_core *c, uint32_t ifx, uint32_t nh, uint32_t lifx,
                   uint32_t lnh) {
  if (lifx != ifx)
    return 0;
  if (lnh == nh)
    return 1;
  return nh == 0 && mgm__if_find(c, lifx, lnh) == NULL;
}

/* ---- Forwarder slots --------------------------------------------------- */

static struct mgm_slot *slot_find(struct mgm_core *c, uint32_t ifindex) {
  return (struct mgm_slot *)mgm__hash_find(&c->slots, ifindex);
}

int mgm__slot_attached(struct mgm_core *c, uint32_t ifindex) {
  struct mgm_slot *s = slot_find(c, ifindex);

  return s && s->attached;
}

int mgm__slot_gone(struct mgm_core *c, uint32_t ifindex) {
  struct mgm_slot *s = slot_find(c, ifindex);

  return s && s->gone;
}

/* First record of an ifindex attaches it to the forwarder.  An interface
 * the OS does not have yet (ENOIF) waits for its IF_ADD/ADDR_ADD event; a
 * full slot table fails the take (kernel.md G.1). */
static DWORD slot_ref(struct mgm_core *c, uint32_t ifindex) {
  struct mgm_slot *s = slot_find(c, ifindex);
  DWORD rc = NO_ERROR;
  int brc;

  if (s) {
    s->refs++;
    goto out;
  }
  s = mgm__calloc(1, sizeof(*s));
  if (s == NULL) {
    rc = ERROR_NOT_ENOUGH_MEMORY;
    goto out;
  }
  s->h.key = ifindex;
  brc = mgm__be_if_attach(c, ifindex);
  if (brc == MGM_BE_ENOIF) {
    MGM_INFO(c, MGM_CH_PLAT,
             "interface %u not usable by the forwarder yet; will attach "
             "when it appears",
             (unsigned)ifindex);
  } else if (brc != 0) {
    MGM_ERR(c, MGM_CH_PLAT, "interface %u: cannot attach to the forwarder: %s",
            (unsigned)ifindex, mgm__error_str(brc));
    rc = mgm__error_win32(brc);
    free(s);
    goto out;
  } else {
    s->attached = 1;
  }
  if (mgm__hash_insert(&c->slots, &s->h) != 0) {
    if (s->attached)
      mgm__be_if_detach(c, ifindex);
    free(s);
    rc = ERROR_NOT_ENOUGH_MEMORY;
    goto out;
  }
  s->refs = 1;

out:
  return rc;
}

static void slot_unref(struct mgm_core *c, uint32_t ifindex) {
  struct mgm_slot *s = slot_find(c, ifindex);
  int brc;

  if (s == NULL || --s->refs > 0)
    return;
  if (s->attached) {
    /* MFEs that still use the ifindex (through another next hop, or as
     * the arrival interface) are reprogrammed without it first, so the
     * forwarder has nothing to scrub when the slot goes. */
    s->attached = 0;
    mgm__mfe_reprogram_ifindex(c, ifindex, 0);
    brc = mgm__be_if_detach(c, ifindex);
    if (brc != 0 && brc != MGM_BE_ENOENT) {
      /* The forwarder keeps the slot: so do we (refs 0), for the next
       * take of the interface, or for stop, which detaches what is left;
       * forgetting it would leak the kernel's slot for good. */
      MGM_ERR(c, MGM_CH_PLAT, "interface %u: cannot detach: %s",
              (unsigned)ifindex, mgm__error_str(brc));
      s->attached = 1;
      return;
    }
  }
  mgm__hash_remove(&c->slots, &s->h);
  free(s);
}

/* ---- Records ------------------------------------------------------------- */

static DWORD rec_create(struct mgm_core *c, uint32_t ifx, uint32_t nh,
                        struct mgm_if **out) {
  struct mgm_if *r;
  DWORD rc;

  r = mgm__calloc(1, sizeof(*r));
  if (r == NULL)
    return ERROR_NOT_ENOUGH_MEMORY;
  r->h.key = mgm__if_key(ifx, nh);
  r->ifindex = ifx;
  r->nexthop = nh;
  rc = slot_ref(c, ifx);
  if (rc != NO_ERROR) {
    free(r);
    return rc;
  }
  if (mgm__hash_insert(&c->ifs, &r->h) != 0) {
    slot_unref(c, ifx);
    free(r);
    return ERROR_NOT_ENOUGH_MEMORY;
  }
  *out = r;
  return NO_ERROR;
}

static void rec_maybe_free(struct mgm_core *c, struct mgm_if *r) {
  if (r->owner || r->igmp || r->pending)
    return;
  mgm__hash_remove(&c->ifs, &r->h);
  slot_unref(c, r->ifindex);
  free(r);
}

/* Queue an IGMP disable/enable callback and deliver it now: the lock is
 * held on entry and exit, dropped for the delivery. */
static void igmp_notify(struct mgm_core *c, struct mgm_proto *x, int kind,
                        uint32_t ifx, uint32_t nh) {
  struct mgm_batch b;
  struct mgm_call k = {0};

  MGM_ASSERT_LOCKED(c);
  mgm__batch_init(&b);
  k.kind = (uint8_t)kind;
  k.p = x;
  k.ifx = ifx;
  k.nh = nh;
  mgm__batch_add(c, &b, &k);
  mgm__unlock(c);
  mgm__dispatch_batch(c, &b);
  mgm__lock(c);
}

/* Steps 1-2 of 2.6: mark disabled, deliver disable (the lock is held on
 * entry and exit, dropped inside). */
static struct mgm_proto *igmp_disable(struct mgm_core *c, struct mgm_if *r) {
  struct mgm_proto *x = r->igmp;

  MGM_ASSERT_LOCKED(c);
  if (x == NULL)
    return NULL;
  r->igmp_disabled = 1;
  igmp_notify(c, x, MGM_CB_DISABLE_IGMP, r->ifindex, r->nexthop);
  return x;
}

/* Step 4 of 2.6: clear the mark, deliver enable to the current co-owner. */
static void igmp_enable(struct mgm_core *c, uint32_t ifx, uint32_t nh) {
  struct mgm_if *r = mgm__if_find(c, ifx, nh);

  if (r == NULL)
    return;
  r->igmp_disabled = 0;
  if (r->igmp)
    igmp_notify(c, r->igmp, MGM_CB_ENABLE_IGMP, ifx, nh);
}

/* Deliver b now: the lock is held on entry and exit, dropped meanwhile. */
static void deliver_locked(struct mgm_core *c, struct mgm_batch *b) {
  MGM_ASSERT_LOCKED(c);
  mgm__unlock(c);
  mgm__dispatch_batch(c, b);
  mgm__lock(c);
}

DWORD mgm__if_take(struct mgm_core *c, HANDLE h, DWORD ifx, DWORD nh) {
  struct mgm_proto *p;
  struct mgm_if *r;
  struct mgm_batch b;
  DWORD rc = NO_ERROR;
  int created = 0;

  mgm__batch_init(&b);
  mgm__lock(c);
  p = mgm__proto_get(c, h);
  if (p == NULL) {
    rc = ERROR_INVALID_PARAMETER;
    goto out;
  }
  r = mgm__if_find(c, ifx, nh);
  if (p->igmp) {
    if (r && r->igmp) {
      rc = ERROR_ALREADY_EXISTS;
      goto out;
    }
  } else if (r && (r->owner || r->pending)) {
    rc = ERROR_ALREADY_EXISTS;
    goto out;
  }
  /* Taking over from IGMP purges it (2.6): room for every callback first,
   * or nothing happens. */
  if (!p->igmp && r && r->igmp &&
      mgm__batch_reserve(&b, mgm__member_purge_calls(c, r->igmp, ifx, nh)) !=
          0) {
    rc = ERROR_NOT_ENOUGH_MEMORY;
    goto out;
  }
  if (r == NULL) {
    rc = rec_create(c, ifx, nh, &r);
    if (rc != NO_ERROR)
      goto out;
    created = 1;
  }
  p->n_owned++;
  if (p->igmp) {
    r->igmp = p;
    if (r->owner == NULL && r->pending == NULL)
      mgm__mfe_delete_iif(c, ifx, nh); /* D-OWN-MFE */
    MGM_INFO(c, MGM_CH_CORE, "interface %u/%08x: IGMP %u/%u co-owner",
             (unsigned)ifx, (unsigned)nh, (unsigned)p->pid, (unsigned)p->cid);
    goto out;
  }
  if (r->igmp && !created) {
    /* 2.6: disable, purge the IGMP owner's effective memberships and the
     * MFEs through this interface, set the owner, enable. */
    struct mgm_proto *x;

    r->pending = p;
    x = igmp_disable(c, r);
    r = mgm__if_find(c, ifx, nh); /* still there: pending is set */
    if (x && r->igmp == x)
      mgm__member_purge(c, x, ifx, nh, &b);
    mgm__mfe_delete_iif(c, ifx, nh);
    r->pending = NULL;
    r->owner = p;
    deliver_locked(c, &b);
    igmp_enable(c, ifx, nh);
  } else {
    r->owner = p;
    mgm__mfe_delete_iif(c, ifx, nh); /* D-OWN-MFE */
  }
  MGM_INFO(c, MGM_CH_CORE, "interface %u/%08x: owner %u/%u", (unsigned)ifx,
           (unsigned)nh, (unsigned)p->pid, (unsigned)p->cid);

out:
  mgm__unlock(c);
  mgm__dispatch_batch(c, &b);
  return rc;
}

/* Steps 1-4 of the release purge (2.5) for client p on (ifx, nh). */
static void release_purge(struct mgm_core *c, struct mgm_proto *p,
                          struct mgm_if *r, int step2, struct mgm_batch *b) {
  uint32_t ifx = r->ifindex, nh = r->nexthop;

  mgm__member_purge(c, p, ifx, nh, b);
  /* 2.5 step 2 (a routing owner leaving, not IGMP as sole owner, which
   * does steps 1, 3, 4): all latent IGMP memberships on the interface,
   * whoever made them (also through the (i, 0) fallback), no local leaves. */
  if (step2)
    mgm__member_latent_purge(c, NULL, ifx, nh, NULL, b);
  mgm__mfe_delete_iif(c, ifx, nh);
  mgm__mfe_strip_oif(c, ifx, nh, b);
}

DWORD mgm__if_release(struct mgm_core *c, HANDLE h, DWORD ifx, DWORD nh) {
  struct mgm_proto *p;
  struct mgm_if *r;
  struct mgm_batch b;
  DWORD rc = NO_ERROR;

  mgm__batch_init(&b);
  mgm__lock(c);
  p = mgm__proto_get(c, h);
  r = p ? mgm__if_find(c, ifx, nh) : NULL;
  if (r == NULL || (r->owner != p && r->igmp != p)) {
    rc = ERROR_INVALID_PARAMETER;
    goto out;
  }
  /* A release cannot stop half-way: room for every callback of its purge
   * first, or nothing happens (mgm-spec G-2: allocation -> 8). */
  if (mgm__batch_reserve(&b, mgm__member_purge_calls(c, p, ifx, nh)) != 0) {
    rc = ERROR_NOT_ENOUGH_MEMORY;
    goto out;
  }
  if (r->owner == p) {
    struct mgm_proto *x = igmp_disable(c, r);

    r = mgm__if_find(c, ifx, nh); /* owner still set: record kept */
    release_purge(c, p, r, 1, &b);
    r->owner = NULL;
    p->n_owned--;
    r->pending = p; /* keep the record through enable */
    deliver_locked(c, &b);
    if (x)
      igmp_enable(c, ifx, nh);
    r = mgm__if_find(c, ifx, nh);
    r->pending = NULL;
    rec_maybe_free(c, r);
  } else if (r->owner) {
    /* IGMP co-owner leaving a protocol-owned interface: its latent joins
     * go, each with a local leave to the owner; no disable/enable. */
    mgm__member_latent_purge(c, p, ifx, nh, r->owner, &b);
    r->igmp = NULL;
    p->n_owned--;
  } else {
    /* IGMP as sole owner: like 2.5 steps 1, 3, 4. */
    release_purge(c, p, r, 0, &b);
    r->igmp = NULL;
    p->n_owned--;
    rec_maybe_free(c, r);
  }
  MGM_INFO(c, MGM_CH_CORE, "interface %u/%08x released by %u/%u", (unsigned)ifx,
           (unsigned)nh, (unsigned)p->pid, (unsigned)p->cid);

out:
  mgm__unlock(c);
  mgm__dispatch_batch(c, &b);
  return rc;
}

DWORD mgm__if_get_protocol(struct mgm_core *c, DWORD ifx, DWORD nh, PDWORD pid,
                           PDWORD cid) {
  struct mgm_proto *p;
  DWORD rc = NO_ERROR;

  mgm__lock(c);
  p = mgm__if_owner(c, ifx, nh);
  if (p == NULL) {
    rc = ERROR_NOT_FOUND;
    goto out;
  }
  *pid = p->pid;
  *cid = p->cid;

out:
  mgm__unlock(c);
  return rc;
}

/* Interface events from the backend (loop thread). */
void mgm__if_on_event(struct mgm_core *c, const struct mgm_if_event *ev) {
  struct mgm_slot *s;
  struct mgm_batch b;

  mgm__batch_init(&b);
  mgm__lock(c);
  MGM_TRACE(c, MGM_CH_PLAT, "interface event %d for %u (%s)", (int)ev->type,
            (unsigned)ev->ifindex, ev->name ? ev->name : "");
  s = slot_find(c, ev->ifindex);
  if (s == NULL)
    goto out;
  switch (ev->type) {
  case MGM_IF_ADD:
  case MGM_IF_ADDR_ADD:
  case MGM_IF_UP:
    if (!s->attached) {
      int brc = mgm__be_if_attach(c, ev->ifindex);

      if (brc == 0) {
        s->attached = 1;
        MGM_INFO(c, MGM_CH_PLAT, "interface %u attached to the forwarder",
                 (unsigned)ev->ifindex);
        mgm__mfe_reprogram_ifindex(c, ev->ifindex, 0);
        if (s->gone) {
          s->gone = 0;
          mgm__mfe_restore_ifindex(c, ev->ifindex, &b);
        }
      } else if (brc != MGM_BE_ENOIF) {
        MGM_ERR(c, MGM_CH_PLAT, "interface %u: cannot attach: %s",
                (unsigned)ev->ifindex, mgm__error_str(brc));
      }
    }
    break;
  case MGM_IF_DEL:
  case MGM_IF_SLOT_LOST:
    if (s->attached) {
      /* The forwarder dropped the slot with the device; no stale entry may
       * keep using it, and the protocol must take the interface again once
       * it is back (kernel.md A.13). */
      s->attached = 0;
      s->gone = 1;
      MGM_WARN(c, MGM_CH_PLAT,
               "interface %u vanished: its forwarding "
               "entries are removed",
               (unsigned)ev->ifindex);
      mgm__mfe_reprogram_ifindex(c, ev->ifindex, 1);
      mgm__mfe_strip_ifindex(c, ev->ifindex, &b);
    }
    break;
  default:
    break;
  }

out:
  mgm__unlock(c);
  mgm__dispatch_batch(c, &b);
}

void mgm__ifs_destroy(struct mgm_core *c) {
  struct mgm_hnode *n;

  while ((n = mgm__hash_next(&c->ifs, NULL)) != NULL) {
    mgm__hash_remove(&c->ifs, n);
    free(n);
  }
  while ((n = mgm__hash_next(&c->slots, NULL)) != NULL) {
    struct mgm_slot *s = (struct mgm_slot *)n;

    if (s->attached)
      mgm__be_if_detach(c, (uint32_t)n->key);
    mgm__hash_remove(&c->slots, n);
    free(n);
  }
  mgm__hash_free(&c->ifs);
  mgm__hash_free(&c->slots);
}
