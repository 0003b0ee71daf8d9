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

#include "core/dispatch.h"

_Thread_local int mgm__tls_cb_depth;
_Thread_local int mgm__tls_cb_kind = -1;

void mgm__dispatch_trace(struct mgm_core *c, const struct mgm_call *k) {
  const struct mgm_proto *p = k->p;

  if (k->kind == MGM_CB_RPF)
    mgm__log(&c->log, LIBMGM_LOG_TRACE, MGM_CH_CB,
             "-> Rpf to %u/%u (%08x, %08x, if %u)", (unsigned)p->pid,
             (unsigned)p->cid, (unsigned)k->s, (unsigned)k->g,
             (unsigned)k->ifx);
  else if (k->kind == MGM_CB_CREATION)
    mgm__log(&c->log, LIBMGM_LOG_TRACE, MGM_CH_CB,
             "-> CreationAlert to %u/%u (%08x, %08x, %u if)", (unsigned)p->pid,
             (unsigned)p->cid, (unsigned)k->s, (unsigned)k->g,
             (unsigned)k->n_if);
  else
    mgm__log(&c->log, LIBMGM_LOG_TRACE, MGM_CH_CB,
             "-> %s to %u/%u (%08x/%08x, %08x/%08x, if %u/%08x, %d)",
             mgm__batch_cb_name(k->kind), (unsigned)p->pid, (unsigned)p->cid,
             (unsigned)k->s, (unsigned)k->smask, (unsigned)k->g,
             (unsigned)k->gmask, (unsigned)k->ifx, (unsigned)k->nh, k->flag);
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
