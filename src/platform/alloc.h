/*
 * alloc.h - the allocator of the core and of the backends, and its
 * test-only fault hook.
 *
 * SPDX-License-Identifier: MIT
 *
 * In platform/ so that both layers may include it (design.md 4: platform/
 * includes no core header).  Memory from these is released with free().
 */
#ifndef MGM_ALLOC_H
#define MGM_ALLOC_H

#include <stddef.h>

/* Every core and sim allocation: fault tests can fail them. */
void *mgm__malloc(size_t n);
void *mgm__calloc(size_t n, size_t sz);
void *mgm__realloc(void *p, size_t n);

/* Test-only (tests/fault, not exported): from now count allocations and
 * fail the nth (nth 0: count only; -1: stop).  Returns the number counted
 * since the previous call. */
unsigned long mgm__fault_alloc(long nth);

#endif /* MGM_ALLOC_H */
