/*
 * alloc.c - the allocator of the core and of the backends, with the
 * test-only fault hook (alloc.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "platform/alloc.h"

/* Not in src/exports.txt, so libmgm.so hides it; when off it costs one
 * relaxed load per allocation. */
static atomic_int alloc_hook_on;
static atomic_ulong alloc_seen, alloc_fail_at;

unsigned long mgm__fault_alloc(long nth) {
  unsigned long seen = atomic_exchange(&alloc_seen, 0);

  atomic_store(&alloc_fail_at, nth > 0 ? (unsigned long)nth : 0);
  atomic_store(&alloc_hook_on, nth >= 0);
  return seen;
}

static int alloc_fails(void) {
  if (!atomic_load_explicit(&alloc_hook_on, memory_order_relaxed))
    return 0;
  return atomic_fetch_add(&alloc_seen, 1) + 1 == atomic_load(&alloc_fail_at);
}

void *mgm__malloc(size_t n) {
  return alloc_fails() ? NULL : malloc(n);
}

void *mgm__calloc(size_t n, size_t sz) {
  return alloc_fails() ? NULL : calloc(n, sz);
}

void *mgm__realloc(void *p, size_t n) {
  return alloc_fails() ? NULL : realloc(p, n);
}
