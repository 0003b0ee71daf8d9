/*
 * dispatch.c - callback batches: built under the core lock, invoked
 * without it (design.md 8).
 *
 * SPDX-License-Identifier: MIT
 *
 * DOC: every state change that owes protocols a callback appends a `struct
 * mgm_call` to a batch while the lock is held, in the order the changes
 * were committed (mgm-spec G-4, D-ORDER-CB).  Each call holds a reference
 * on its target protocol.  After the lock is dropped the batch is delivered
 * in order on the current thread; a protocol deregistered meanwhile is
 * skipped.  Outputs that feed back into state (the negative-MFE prune
 * alert's timeout) are applied by re-taking the lock and finding the MFE by
 * its unique id: if it was deleted or replaced in between, the output is
 * dropped.  A thread-local depth lets the API detect the re-entries that
 * would deadlock Windows MGM.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

_Thread_local int mgm__tls_cb_depth;
_Thread_local int mgm__tls_cb_kind = -1;

static const char *const cb_names[] = {
    "Rpf",       "CreationAlert", "PruneAlert",  "JoinAlert", "WrongIf",
    "LocalJoin", "LocalLeave",    "DisableIgmp", "EnableIgmp"};

static int batch_grow(struct mgm_batch *b, uint32_t need) {
  uint32_t ncap = b->cap;
  struct mgm_call *nv;

  while (ncap < need) {
    if (ncap > UINT32_MAX / 2)
      return -1;
    ncap *= 2;
  }
  if (ncap == b->cap)
    return 0;
  if (b->v == b->inl) {
    nv = mgm__malloc(ncap * sizeof(*nv));
    if (nv)
      memcpy(nv, b->inl, b->n * sizeof(*nv));
  } else {
    nv = mgm__realloc(b->v, ncap * sizeof(*nv));
  }
  if (nv == NULL)
    return -1;
  b->v = nv;
  b->cap = ncap;
  return 0;
}

int mgm__batch_reserve(struct mgm_batch *b, uint32_t n) {
  return batch_grow(b, n);
}

void mgm__batch_add(struct mgm_core *c, struct mgm_batch *b,
                    const struct mgm_call *call) {
  if (b->n == b->cap && batch_grow(b, b->n + 1) != 0) {
    MGM_ERR(c, MGM_CH_CB, "out of memory: %s callback to protocol %u lost",
            cb_names[call->kind], (unsigned)call->p->pid);
    free((void *)call->hdr); /* the batch owned it */
    b->lost++;
    return;
  }
  b->v[b->n] = *call;
  mgm__proto_ref(call->p);
  b->n++;
}

/* Drop the calls from index n on (their state change was rolled back). */
void mgm__batch_truncate(struct mgm_batch *b, uint32_t n) {
  while (b->n > n) {
    struct mgm_call *k = &b->v[--b->n];

    free((void *)k->hdr);
    mgm__proto_unref(k->p);
  }
}

static void deliver_one(struct mgm_core *c, struct mgm_call *k) {
  const ROUTING_PROTOCOL_CONFIG *f = &k->p->cfg;
  DWORD t = c->lifetime_s;

  MGM_TRACE(c, MGM_CH_CB,
            "-> %s to %u/%u (%08x/%08x, %08x/%08x, if %u/%08x, %d)",
            cb_names[k->kind], (unsigned)k->p->pid, (unsigned)k->p->cid,
            (unsigned)k->s, (unsigned)k->smask, (unsigned)k->g,
            (unsigned)k->gmask, (unsigned)k->ifx, (unsigned)k->nh, k->flag);
  switch (k->kind) {
  case MGM_CB_PRUNE:
    if (f->pfnPruneAlertCallback)
      f->pfnPruneAlertCallback(k->s, k->smask, k->g, k->gmask, k->ifx, k->nh,
                               k->flag, &t);
    break;
  case MGM_CB_JOIN:
    if (f->pfnJoinAlertCallback)
      f->pfnJoinAlertCallback(k->s, k->smask, k->g, k->gmask, k->flag);
    break;
  case MGM_CB_LOCAL_JOIN:
    if (f->pfnLocalJoinCallback)
      f->pfnLocalJoinCallback(k->s, k->smask, k->g, k->gmask, k->ifx, k->nh);
    break;
  case MGM_CB_LOCAL_LEAVE:
    if (f->pfnLocalLeaveCallback)
      f->pfnLocalLeaveCallback(k->s, k->smask, k->g, k->gmask, k->ifx, k->nh);
    break;
  case MGM_CB_DISABLE_IGMP:
    if (f->pfnDisableIgmpCallback)
      f->pfnDisableIgmpCallback(k->ifx, k->nh);
    break;
  case MGM_CB_ENABLE_IGMP:
    if (f->pfnEnableIgmpCallback)
      f->pfnEnableIgmpCallback(k->ifx, k->nh);
    break;
  case MGM_CB_WRONGIF:
    if (f->pfnWrongIfCallback)
      f->pfnWrongIfCallback(k->s, k->g, k->ifx, k->nh, k->hdrlen,
                            (PBYTE)k->hdr);
    break;
  default:
    break;
  }
  /* The negative-MFE prune alert's output sets the MFE's new lifetime
   * (D-REARM); 0 keeps the default (D-TMO0). */
  if (k->kind == MGM_CB_PRUNE && !k->flag && k->mfe_id != 0) {
    mgm__lock(c);
    mgm__mfe_rearm(c, k->s, k->g, k->mfe_id, t);
    mgm__unlock(c);
  }
}

void mgm__batch_deliver_all(struct mgm_core *c, struct mgm_batch *b) {
  uint32_t i;

  MGM_ASSERT_UNLOCKED(c);
  for (i = 0; i < b->n; i++) {
    struct mgm_call *k = &b->v[i];
    int saved = mgm__tls_cb_kind;

    if (!atomic_load(&k->p->dead)) {
      mgm__tls_cb_depth++;
      mgm__tls_cb_kind = k->kind;
      deliver_one(c, k);
      mgm__tls_cb_kind = saved;
      mgm__tls_cb_depth--;
    }
    free((void *)k->hdr);
    mgm__proto_unref(k->p);
  }
  if (b->v != b->inl)
    free(b->v);
  mgm__batch_init(b);
}
