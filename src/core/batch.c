/*
 * batch.c - callback batches: the calls a state change owes, queued under
 * the core lock in commit order (design.md 8; mgm-spec G-4, D-ORDER-CB).
 *
 * SPDX-License-Identifier: MIT
 *
 * A batch holds its first calls inline (most changes owe none or a few)
 * and grows on the heap past that.  Each queued call holds a reference on
 * its target protocol and owns its wrong-if header copy; dispatch.c
 * delivers the batch once the lock is dropped and releases both.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

static const char *const cb_names[] = {
    "Rpf",       "CreationAlert", "PruneAlert",  "JoinAlert", "WrongIf",
    "LocalJoin", "LocalLeave",    "DisableIgmp", "EnableIgmp"};

const char *mgm__batch_cb_name(int kind) {
  return kind >= 0 && kind < (int)(sizeof(cb_names) / sizeof(cb_names[0]))
             ? cb_names[kind]
             : "?";
}

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
            mgm__batch_cb_name(call->kind), (unsigned)call->p->pid);
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
