/*
 * mfeheap.c - the MFEs' expiry heap: a binary min-heap on the deadline
 * (rec.expire_ms) in c->heap, each MFE knowing its position (heap_idx).
 *
 * SPDX-License-Identifier: MIT
 *
 * MFEs never refresh on traffic (D-NOREFRESH): a deadline changes only
 * when a prune alert's timeout re-arms the MFE (mfe.c), which then moves
 * it up or down.
 */
#include "core/mfeheap.h"

static void heap_swap(struct mgm_core *c, uint32_t i, uint32_t j) {
  struct mgm_mfe *t = c->heap[i];

  c->heap[i] = c->heap[j];
  c->heap[j] = t;
  c->heap[i]->heap_idx = i;
  c->heap[j]->heap_idx = j;
}

void mgm__mfeheap_up(struct mgm_core *c, uint32_t i) {
  while (i > 0) {
    uint32_t parent = (i - 1) / 2;

    if (c->heap[parent]->rec.expire_ms <= c->heap[i]->rec.expire_ms)
      break;
    heap_swap(c, i, parent);
    i = parent;
  }
}

void mgm__mfeheap_down(struct mgm_core *c, uint32_t i) {
  for (;;) {
    uint32_t l = 2 * i + 1, r = l + 1, m = i;

    if (l < c->heap_n && c->heap[l]->rec.expire_ms < c->heap[m]->rec.expire_ms)
      m = l;
    if (r < c->heap_n && c->heap[r]->rec.expire_ms < c->heap[m]->rec.expire_ms)
      m = r;
    if (m == i)
      break;
    heap_swap(c, i, m);
    i = m;
  }
}

void mgm__mfeheap_remove(struct mgm_core *c, struct mgm_mfe *m) {
  uint32_t i = m->heap_idx;

  c->heap_n--;
  if (i != c->heap_n) {
    c->heap[i] = c->heap[c->heap_n];
    c->heap[i]->heap_idx = i;
    mgm__mfeheap_down(c, i);
    mgm__mfeheap_up(c, i);
  }
}
