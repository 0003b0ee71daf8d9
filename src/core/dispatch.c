/*
 * dispatch.c - callback delivery: every callback to a protocol is invoked
 * here, without the core lock (design.md 8).
 *
 * SPDX-License-Identifier: MIT
 *
 * DOC: every state change that owes protocols a callback appends a `struct
 * mgm_call` to a batch while the lock is held, in the order the changes
 * were committed (batch.c; mgm-spec G-4, D-ORDER-CB).  After the lock is
 * dropped the batch is delivered in order on the current thread; a
 * protocol deregistered meanwhile is skipped.  Outputs that feed back into
 * state (the negative-MFE prune alert's timeout) are applied by re-taking
 * the lock and finding the MFE by its unique id: if it was deleted or
 * replaced in between, the output is dropped.  A thread-local depth and
 * kind, set around every callback, let the API detect re-entries, among
 * them those that would deadlock Windows MGM.
 */
#include <stdlib.h>

#include "core/core.h"

_Thread_local int mgm__tls_cb_depth;
_Thread_local int mgm__tls_cb_kind = -1;

/* Call k's callback and apply what it returns. */
static void invoke(struct mgm_core *c, struct mgm_call *k) {
  const ROUTING_PROTOCOL_CONFIG *f = &k->p->cfg;
  DWORD t = c->lifetime_s;

  MGM_TRACE(
      c, MGM_CH_CB, "-> %s to %u/%u (%08x/%08x, %08x/%08x, if %u/%08x, %d)",
      mgm__batch_cb_name(k->kind), (unsigned)k->p->pid, (unsigned)k->p->cid,
      (unsigned)k->s, (unsigned)k->smask, (unsigned)k->g, (unsigned)k->gmask,
      (unsigned)k->ifx, (unsigned)k->nh, k->flag);
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

int mgm__dispatch_call(struct mgm_core *c, struct mgm_call *k) {
  int saved = mgm__tls_cb_kind;

  MGM_ASSERT_UNLOCKED(c);
  if (atomic_load(&k->p->dead))
    return 0;
  mgm__tls_cb_depth++;
  mgm__tls_cb_kind = k->kind;
  invoke(c, k);
  mgm__tls_cb_kind = saved;
  mgm__tls_cb_depth--;
  return 1;
}

void mgm__dispatch_batch_all(struct mgm_core *c, struct mgm_batch *b) {
  uint32_t i;

  MGM_ASSERT_UNLOCKED(c);
  for (i = 0; i < b->n; i++) {
    struct mgm_call *k = &b->v[i];

    mgm__dispatch_call(c, k);
    free((void *)k->hdr);
    mgm__proto_unref(k->p);
  }
  if (b->v != b->inl)
    free(b->v);
  mgm__batch_init(b);
}
