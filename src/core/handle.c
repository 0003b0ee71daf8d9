/*
 * handle.c - generational handle table for protocol and enumeration
 * handles (design.md 7, mgm-spec G-3).
 *
 * SPDX-License-Identifier: MIT
 *
 * A cookie is (generation << 16) | (slot + 1), never NULL, never a pointer.
 * Generations come from one process-wide counter, so a cookie is never
 * handed out twice, even by two instances: a stale or foreign handle can
 * never match a live slot.  Lookups happen under the core lock.
 */
#include <stdlib.h>

#include "core/core.h"

#define MGM_HANDLE_MAX_SLOTS 0xFFFFu

static atomic_uint_fast64_t handle_gen = 1;

DWORD mgm__handle_alloc(struct mgm_core *c, uint8_t type, void *obj,
                        uintptr_t *cookie) {
  struct mgm_handles *h = &c->handles;
  uint32_t i;
  uint64_t gen;

  if (h->free_head) {
    i = h->free_head - 1;
    h->free_head = h->slot[i].next_free;
  } else {
    if (h->n >= MGM_HANDLE_MAX_SLOTS)
      return ERROR_NOT_ENOUGH_MEMORY;
    if (mgm__vec_reserve((void **)&h->slot, &h->cap, h->n + 1,
                         sizeof(*h->slot)) != 0)
      return ERROR_NOT_ENOUGH_MEMORY;
    i = h->n++;
  }
  gen = atomic_fetch_add(&handle_gen, 1);
  /* Keep the cookie within a pointer (32-bit builds keep 16 bits). */
  gen &= (UINTPTR_MAX >> 16);
  if (gen == 0)
    gen = atomic_fetch_add(&handle_gen, 1) & (UINTPTR_MAX >> 16);
  h->slot[i].gen = gen;
  h->slot[i].type = type;
  h->slot[i].obj = obj;
  h->slot[i].next_free = 0;
  *cookie = ((uintptr_t)gen << 16) | (uintptr_t)(i + 1);
  return NO_ERROR;
}

void mgm__handle_free(struct mgm_core *c, uintptr_t cookie) {
  struct mgm_handles *h = &c->handles;
  uintptr_t slot = cookie & 0xFFFFu;

  if (slot == 0 || slot > h->n)
    return;
  h->slot[slot - 1].gen = 0;
  h->slot[slot - 1].type = MGM_H_FREE;
  h->slot[slot - 1].obj = NULL;
  h->slot[slot - 1].next_free = h->free_head;
  h->free_head = (uint32_t)slot;
}

void mgm__handles_destroy(struct mgm_handles *h) {
  free(h->slot);
  h->slot = NULL;
  h->n = h->cap = h->free_head = 0;
}
