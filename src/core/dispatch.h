/*
 * dispatch.h - the dispatcher: how every callback to a protocol is
 * invoked, from a batch (dispatch.c) or directly (the RPF callback and the
 * creation alert, mfe.c).
 *
 * SPDX-License-Identifier: MIT
 *
 * Inline: the RPF callback and the creation alert are on the path of every
 * new flow.  Inlined where the kind is a constant, the switch below reduces
 * to that one callback, as if the call were written out there.
 */
#ifndef MGM_DISPATCH_H
#define MGM_DISPATCH_H

#include "core/core.h"

/* The TRACE line of callback k, about to be made (dispatch.c). */
void mgm__dispatch_trace(struct mgm_core *c, const struct mgm_call *k);

/* Call k's callback (kind: k->kind, read before anything could make the
 * compiler read it again) and apply what it returns. */
MGM_INLINE void mgm__dispatch_invoke(struct mgm_core *c, struct mgm_call *k,
                                     int kind) {
  const ROUTING_PROTOCOL_CONFIG *f = &k->p->cfg;
  DWORD t = c->lifetime_s;

  if (MGM_LOG_ON(c, LIBMGM_LOG_TRACE, MGM_CH_CB))
    mgm__dispatch_trace(c, k);
  switch (kind) {
  case MGM_CB_RPF:
    if (f->pfnRpfCallback)
      f->pfnRpfCallback(k->s, k->smask, k->g, k->gmask, &k->ifx, &k->nh, &k->up,
                        k->hdrlen, (PBYTE)k->hdr, k->buf);
    break;
  case MGM_CB_CREATION:
    if (f->pfnCreationAlertCallback)
      f->pfnCreationAlertCallback(k->s, k->smask, k->g, k->gmask, k->ifx, k->nh,
                                  k->n_if, k->buf);
    break;
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
  if (kind == MGM_CB_PRUNE && !k->flag && k->mfe_id != 0) {
    mgm__lock(c);
    mgm__mfe_rearm(c, k->s, k->g, k->mfe_id, t);
    mgm__unlock(c);
  }
}

/* With the core lock NOT held: invoke k's callback unless its protocol was
 * deregistered (then 0, else 1), with the thread-local callback depth and
 * kind set for the API's re-entry checks.  The RPF callback and the
 * creation alert come here directly (never queued: their header and
 * buffers are the caller's), the others from a batch. */
MGM_INLINE int mgm__dispatch_call(struct mgm_core *c, struct mgm_call *k) {
  int kind = k->kind, saved = mgm__tls_cb_kind;

  MGM_ASSERT_UNLOCKED(c);
  if (atomic_load(&k->p->dead))
    return 0;
  mgm__tls_cb_depth++;
  mgm__tls_cb_kind = kind;
  mgm__dispatch_invoke(c, k, kind);
  mgm__tls_cb_kind = saved;
  mgm__tls_cb_depth--;
  return 1;
}

#endif /* MGM_DISPATCH_H */
