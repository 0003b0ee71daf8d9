/*
 * fault_alloc.h - force-included (-include) when tests/fault compiles the
 * IGMP component's sources: their allocations go through libmgm's
 * allocation hook (core/util.c), so the fault loop can fail them.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LIBMGM_TEST_FAULT_ALLOC_H
#define LIBMGM_TEST_FAULT_ALLOC_H

#include <stdlib.h>

void *mgm__malloc(size_t n);
void *mgm__calloc(size_t n, size_t sz);
void *mgm__realloc(void *p, size_t n);

#define malloc(n) mgm__malloc(n)
#define calloc(n, sz) mgm__calloc((n), (sz))
#define realloc(p, n) mgm__realloc((p), (n))

#endif /* LIBMGM_TEST_FAULT_ALLOC_H */
