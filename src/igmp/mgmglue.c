/*
 * mgmglue.c - the IGMP component's side of MGM: registration as IGMP,
 * interface (co-)ownership, membership reconciliation, and the
 * disable/enable IGMP callbacks (mgm-spec 2.4-2.9, 2.6, 3.6, 3.7).
 *
 * SPDX-License-Identifier: MIT
 *
 * MGM callbacks carry no context, so live instances are published in a
 * small global table; the disable/enable callbacks (which MGM runs on
 * whatever thread changed the ownership) only touch per-interface atomic
 * flags in a fixed mailbox and call io->wakeup().  The component's own
 * thread picks the flags up (ig_mgm_sync) before any MGM call on that
 * interface: DISABLED stops membership calls; REPLAY means MGM purged what
 * it had, so the "held in MGM" marks are cleared and everything is
 * re-added - never from inside the callback (Windows deadlocks there).
 * Desired memberships follow the group state (EXCLUDE -> (*,G), INCLUDE
 * -> (S,G) per source); adds go before deletes; a failed delete is queued
 * (stale list) and retried, a failed add leaves its mark clear and is
 * retried at the next tick.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "igmp_int.h"

#include <iprtrmib.h>
#include <mgm.h>

/* ---- Win32 codes in log lines
 * ------------------------------------------------ */

const char *mgm_igmp_error_name(DWORD rc) {
  const char *n = NULL;

  switch (rc) {
  case NO_ERROR:
    n = "NO_ERROR";
    break;
  case ERROR_ACCESS_DENIED:
    n = "ERROR_ACCESS_DENIED";
    break;
  case ERROR_INVALID_HANDLE:
    n = "ERROR_INVALID_HANDLE";
    break;
  case ERROR_NOT_ENOUGH_MEMORY:
    n = "ERROR_NOT_ENOUGH_MEMORY";
    break;
  case ERROR_NOT_READY:
    n = "ERROR_NOT_READY";
    break;
  case ERROR_NOT_SUPPORTED:
    n = "ERROR_NOT_SUPPORTED";
    break;
  case ERROR_INVALID_PARAMETER:
    n = "ERROR_INVALID_PARAMETER";
    break;
  case ERROR_CALL_NOT_IMPLEMENTED:
    n = "ERROR_CALL_NOT_IMPLEMENTED";
    break;
  case ERROR_INSUFFICIENT_BUFFER:
    n = "ERROR_INSUFFICIENT_BUFFER";
    break;
  case ERROR_BUSY:
    n = "ERROR_BUSY";
    break;
  case ERROR_ALREADY_EXISTS:
    n = "ERROR_ALREADY_EXISTS";
    break;
  case ERROR_MORE_DATA:
    n = "ERROR_MORE_DATA";
    break;
  case ERROR_NO_MORE_ITEMS:
    n = "ERROR_NO_MORE_ITEMS";
    break;
  case ERROR_CAN_NOT_COMPLETE:
    n = "ERROR_CAN_NOT_COMPLETE";
    break;
  case ERROR_NOT_FOUND:
    n = "ERROR_NOT_FOUND";
    break;
  case ERROR_ALREADY_INITIALIZED:
    n = "ERROR_ALREADY_INITIALIZED";
    break;
  default:
    break;
  }
  return n;
}

const char *ig_err_str(DWORD rc, char *buf) {
  const char *n = mgm_igmp_error_name(rc);

  if (n != NULL)
    snprintf(buf, IG_ERR_MAX, "%s (%lu)", n, (unsigned long)rc);
  else
    snprintf(buf, IG_ERR_MAX, "Win32 error %lu", (unsigned long)rc);
  return buf;
}

/* ---- Instance table and callbacks
 * --------------------------------------------- */

static _Atomic(struct mgm_igmp *) g_inst[MGM_IGMP_MAX_INSTANCES];
static atomic_int g_inflight;

static void mark(DWORD ifindex, uint32_t set, uint32_t clear, int wake) {
  int i, k;

  atomic_fetch_add(&g_inflight, 1);
  for (i = 0; i < MGM_IGMP_MAX_INSTANCES; i++) {
    struct mgm_igmp *ig = atomic_load(&g_inst[i]);
    int hit = 0;

    if (ig == NULL)
      continue;
    for (k = 0; k < IG_MAX_IFS; k++) {
      if (atomic_load(&ig->slots[k].ifindex) != ifindex)
        continue;
      if (clear)
        atomic_fetch_and(&ig->slots[k].flags, ~clear);
      if (set)
        atomic_fetch_or(&ig->slots[k].flags, set);
      hit = 1;
    }
    if (hit && wake && ig->io.wakeup != NULL)
      ig->io.wakeup(ig->io.ctx);
  }
  atomic_fetch_sub(&g_inflight, 1);
}

static DWORD cb_disable(DWORD ifindex, DWORD nexthop) {
  (void)nexthop;
  mark(ifindex, SLOT_DISABLED, 0, 0);
  return NO_ERROR;
}

static DWORD cb_enable(DWORD ifindex, DWORD nexthop) {
  (void)nexthop;
  mark(ifindex, SLOT_REPLAY, SLOT_DISABLED, 1);
  return NO_ERROR;
}

DWORD ig_mgm_register(struct mgm_igmp *ig) {
  ROUTING_PROTOCOL_CONFIG rpc;
  DWORD rc = ERROR_INVALID_PARAMETER;
  int i;

  ig->gslot = -1;
  for (i = 0; i < MGM_IGMP_MAX_INSTANCES; i++) {
    struct mgm_igmp *none = NULL;

    if (atomic_compare_exchange_strong(&g_inst[i], &none, ig)) {
      ig->gslot = i;
      break;
    }
  }
  if (ig->gslot < 0)
    goto out;
  memset(&rpc, 0, sizeof(rpc));
  rpc.pfnDisableIgmpCallback = cb_disable;
  rpc.pfnEnableIgmpCallback = cb_enable;
  rc =
      MgmRegisterMProtocol(&rpc, ig->cfg.protocol_id, ig->component_id, &ig->h);
  if (rc != NO_ERROR) {
    atomic_store(&g_inst[ig->gslot], NULL);
    ig->gslot = -1;
  }
out:
  return rc;
}

void ig_mgm_deregister(struct mgm_igmp *ig) {
  char e[IG_ERR_MAX];
  DWORD rc;

  if (ig->h != NULL) {
    rc = MgmDeRegisterMProtocol(ig->h);
    if (rc != NO_ERROR)
      ig_log(ig, IG_LOG_ERROR, "igmp: MGM refused to deregister IGMP: %s: %s",
             ig_err_str(rc, e),
             rc == ERROR_CAN_NOT_COMPLETE
                 ? "it still owns an interface"
                 : "MGM does not know the registration");
    ig->h = NULL;
  }
  if (ig->gslot >= 0) {
    atomic_store(&g_inst[ig->gslot], NULL);
    /* A callback that already loaded the pointer may still run. */
    while (atomic_load(&g_inflight) != 0) {
    }
    ig->gslot = -1;
  }
}

/* ---- Mailbox slots
 * ---------------------------------------------------------------- */

int ig_slot_claim(struct mgm_igmp *ig, uint32_t ifindex) {
  int k, free_k = -1;

  for (k = 0; k < IG_MAX_IFS; k++) {
    uint32_t v = atomic_load(&ig->slots[k].ifindex);

    if (v == ifindex)
      free_k = k;
    else if (v == 0 && free_k < 0)
      free_k = k;
  }
  if (free_k >= 0) {
    atomic_store(&ig->slots[free_k].flags, 0);
    atomic_store(&ig->slots[free_k].ifindex, ifindex);
  }
  return free_k;
}

uint32_t ig_slot_flags(const struct mgm_igmp *ig, const struct ig_if *ifp) {
  return ifp->slot >= 0 ? atomic_load(&ig->slots[ifp->slot].flags) : 0;
}

/* ---- Ownership
 * ------------------------------------------------------------------ */

DWORD ig_mgm_take(struct mgm_igmp *ig, struct ig_if *ifp) {
  DWORD rc = ERROR_NOT_ENOUGH_MEMORY;

  ifp->slot = ig_slot_claim(ig, ifp->ifindex);
  if (ifp->slot < 0)
    goto out;
  rc = MgmTakeInterfaceOwnership(ig->h, ifp->ifindex, 0);
  if (rc != NO_ERROR) {
    atomic_store(&ig->slots[ifp->slot].ifindex, 0);
    ifp->slot = -1;
  }
out:
  return rc;
}

void ig_mgm_release(struct mgm_igmp *ig, struct ig_if *ifp) {
  DWORD rc = MgmReleaseInterfaceOwnership(ig->h, ifp->ifindex, 0);
  char ifn[IG_NAME_MAX], e[IG_ERR_MAX];

  if (rc != NO_ERROR)
    ig_log(ig, IG_LOG_WARN,
           "igmp: %s: MGM refused to release the interface: %s: %s",
           ig_if_name(ig, ifp->ifindex, ifn), ig_err_str(rc, e),
           rc == ERROR_INVALID_PARAMETER
               ? "MGM does not have IGMP as an owner there"
               : "IGMP's memberships there may stay in MGM");
  if (ifp->slot >= 0) {
    atomic_store(&ig->slots[ifp->slot].ifindex, 0);
    atomic_store(&ig->slots[ifp->slot].flags, 0);
    ifp->slot = -1;
  }
}

/* ---- Memberships
 * ---------------------------------------------------------------- */

int ig_mgm_sync(struct mgm_igmp *ig, struct ig_if *ifp) {
  uint32_t f = SLOT_DISABLED; /* no slot: never call MGM */
  char ifn[IG_NAME_MAX];
  size_t i, k;

  if (ifp->slot >= 0)
    f = atomic_load(&ig->slots[ifp->slot].flags);
  if (f & SLOT_REPLAY) {
    atomic_fetch_and(&ig->slots[ifp->slot].flags, ~SLOT_REPLAY);
    /* MGM forgot IGMP's memberships here (purge on Take; latent ones
     * dropped on Release): re-add everything. */
    for (i = 0; i < ifp->n_grp; i++) {
      struct ig_group *g = ifp->grp[i];

      g->star_in_mgm = 0;
      for (k = 0; k < g->n_src; k++)
        g->src[k].in_mgm = 0;
    }
    ifp->starstar_in_mgm = 0;
    ifp->n_stale = 0;
    ifp->resync = 1;
    IG_CNT(ig, ifp, replays);
    ig_log(ig, IG_LOG_INFO,
           "igmp: %s: MGM enabled IGMP again, replaying memberships",
           ig_if_name(ig, ifp->ifindex, ifn));
  }
  return (f & SLOT_DISABLED) == 0;
}

static void stale_del(struct ig_if *ifp, uint32_t s, uint32_t g) {
  uint32_t i;

  for (i = 0; i < ifp->n_stale; i++)
    if (ifp->stale[i].s == s && ifp->stale[i].g == g)
      break;
  if (i < ifp->n_stale)
    ifp->stale[i] = ifp->stale[--ifp->n_stale];
}

static void stale_add(struct ig_if *ifp, uint32_t s, uint32_t g) {
  stale_del(ifp, s, g);
  if (ifp->n_stale == ifp->cap_stale) {
    uint32_t cap = ifp->cap_stale ? ifp->cap_stale * 2 : 8;
    struct sg *n = realloc(ifp->stale, cap * sizeof(*n));

    if (n == NULL)
      goto out; /* it stays in MGM until the interface is released */
    ifp->stale = n;
    ifp->cap_stale = cap;
  }
  ifp->stale[ifp->n_stale].s = s;
  ifp->stale[ifp->n_stale].g = g;
  ifp->n_stale++;
out:
  return;
}

/* One membership call; s = 0 for (*,G), s = g = 0 for (*,*). */
static int call(struct mgm_igmp *ig, struct ig_if *ifp, uint32_t s, uint32_t g,
                int add) {
  char ifn[IG_NAME_MAX], e[IG_ERR_MAX], sa[IG_ADDR_MAX], ga[IG_ADDR_MAX];
  DWORD rc;
  int ok = 0;

  if (!ig_mgm_sync(ig, ifp)) {
    ifp->resync = 1;
    goto out;
  }
  if (add)
    rc = MgmAddGroupMembershipEntry(ig->h, s, s ? 0xFFFFFFFFu : 0, g,
                                    g ? 0xFFFFFFFFu : 0, ifp->ifindex, 0,
                                    MGM_JOIN_STATE_FLAG);
  else
    rc = MgmDeleteGroupMembershipEntry(ig->h, s, s ? 0xFFFFFFFFu : 0, g,
                                       g ? 0xFFFFFFFFu : 0, ifp->ifindex, 0,
                                       MGM_JOIN_STATE_FLAG);
  if (rc == NO_ERROR) {
    ok = 1;
    if (add) {
      IG_CNT(ig, ifp, mgm_adds);
      stale_del(ifp, s, g);
    } else {
      IG_CNT(ig, ifp, mgm_deletes);
    }
  } else {
    IG_CNT(ig, ifp, mgm_errors);
    if (rc == ERROR_CAN_NOT_COMPLETE)
      IG_CNT(ig, ifp, mgm_refused);
    ifp->resync = 1;
    ig_log(ig, rc == ERROR_CAN_NOT_COMPLETE ? IG_LOG_INFO : IG_LOG_WARN,
           "igmp: %s: MGM refused to %s the membership (%s,%s): %s: %s",
           ig_if_name(ig, ifp->ifindex, ifn), add ? "add" : "delete",
           s ? ig_addr_str(s, sa) : "*", g ? ig_addr_str(g, ga) : "*",
           ig_err_str(rc, e),
           rc == ERROR_CAN_NOT_COMPLETE
               ? "a routing protocol took the interface; IGMP replays its "
                 "memberships when MGM enables it again"
               : "retried at the next tick");
  }
out:
  return ok;
}

void ig_mgm_reconcile_group(struct mgm_igmp *ig, struct ig_if *ifp,
                            struct ig_group *g) {
  int want_star = g->mode == MGM_IGMP_EXCLUDE;
  int want_src = g->mode == MGM_IGMP_INCLUDE;
  size_t k;

  if (!ig_mgm_sync(ig, ifp)) {
    ifp->resync = 1;
    goto out;
  }
  /* adds first, so that an INCLUDE <-> EXCLUDE switch has no gap */
  if (want_star && !g->star_in_mgm && call(ig, ifp, 0, g->addr, 1))
    g->star_in_mgm = 1;
  for (k = 0; k < g->n_src; k++) {
    struct ig_src *s = &g->src[k];

    if (want_src && !s->in_mgm && call(ig, ifp, s->addr, g->addr, 1))
      s->in_mgm = 1;
  }
  for (k = 0; k < g->n_src; k++) {
    struct ig_src *s = &g->src[k];

    if (!want_src && s->in_mgm && call(ig, ifp, s->addr, g->addr, 0))
      s->in_mgm = 0;
  }
  if (!want_star && g->star_in_mgm && call(ig, ifp, 0, g->addr, 0))
    g->star_in_mgm = 0;
out:
  return;
}

void ig_mgm_drop_source(struct mgm_igmp *ig, struct ig_if *ifp,
                        struct ig_group *g, struct ig_src *s) {
  if (s->in_mgm && !call(ig, ifp, s->addr, g->addr, 0))
    stale_add(ifp, s->addr, g->addr);
  s->in_mgm = 0;
}

void ig_mgm_drop_group(struct mgm_igmp *ig, struct ig_if *ifp,
                       struct ig_group *g) {
  size_t k;

  for (k = 0; k < g->n_src; k++)
    ig_mgm_drop_source(ig, ifp, g, &g->src[k]);
  if (g->star_in_mgm && !call(ig, ifp, 0, g->addr, 0))
    stale_add(ifp, 0, g->addr);
  g->star_in_mgm = 0;
}

void ig_mgm_reconcile_if(struct mgm_igmp *ig, struct ig_if *ifp) {
  int want_ss =
      ifp->role == MGM_IGMP_ROLE_UPSTREAM && ig->cfg.proxy_forward_upstream;
  uint32_t i;
  size_t k;

  if (!ig_mgm_sync(ig, ifp))
    goto out;
  ifp->resync = 0;
  for (i = ifp->n_stale; i-- > 0;) {
    struct sg e = ifp->stale[i];

    if (call(ig, ifp, e.s, e.g, 0))
      stale_del(ifp, e.s, e.g);
  }
  for (k = 0; k < ifp->n_grp; k++)
    ig_mgm_reconcile_group(ig, ifp, ifp->grp[k]);
  if (want_ss && !ifp->starstar_in_mgm && call(ig, ifp, 0, 0, 1))
    ifp->starstar_in_mgm = 1;
  if (!want_ss && ifp->starstar_in_mgm && call(ig, ifp, 0, 0, 0))
    ifp->starstar_in_mgm = 0;
out:
  return;
}
