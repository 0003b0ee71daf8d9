/*
 * util.c - the core's small containers: a chained hash table (interfaces,
 * forwarder slots) and dynamic-array growth.  The ordered MFE index is a
 * B+ tree (btree.c); the allocator is platform/alloc.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/* ---- Dynamic arrays ------------------------------------------------------ */

int mgm__vec_reserve(void **v, uint32_t *cap, uint32_t need, size_t elem) {
  uint32_t ncap;
  void *nv;

  if (need <= *cap)
    return 0;
  ncap = *cap ? *cap : 1;
  while (ncap < need) {
    if (ncap > UINT32_MAX / 2)
      return -1;
    ncap *= 2;
  }
  nv = mgm__realloc(*v, (size_t)ncap * elem);
  if (nv == NULL)
    return -1;
  *v = nv;
  *cap = ncap;
  return 0;
}

/* ---- Hash table ---------------------------------------------------------- */

int mgm__hash_init(struct mgm_hash *h, size_t nbuckets) {
  size_t n = 1;

  while (n < nbuckets)
    n <<= 1;
  h->b = mgm__calloc(n, sizeof(*h->b));
  if (h->b == NULL)
    return -1;
  h->mask = n - 1;
  h->count = 0;
  return 0;
}

void mgm__hash_free(struct mgm_hash *h) {
  free(h->b);
  h->b = NULL;
  h->mask = 0;
  h->count = 0;
}

/* Double the bucket array; on allocation failure keep the old one (the
 * table still works, only longer chains). */
static void hash_grow(struct mgm_hash *h) {
  struct mgm_hash nh;
  size_t i;

  if (mgm__hash_init(&nh, (h->mask + 1) * 2) != 0)
    return;
  for (i = 0; i <= h->mask; i++) {
    struct mgm_hnode *n = h->b[i], *next;

    for (; n; n = next) {
      size_t s = mgm__hash_slot(&nh, n->key);

      next = n->next;
      n->next = nh.b[s];
      nh.b[s] = n;
    }
  }
  nh.count = h->count;
  free(h->b);
  *h = nh;
}

int mgm__hash_insert(struct mgm_hash *h, struct mgm_hnode *n) {
  size_t s;

  if (h->b == NULL && mgm__hash_init(h, 16) != 0)
    return -1;
  if (h->count >= h->mask + 1)
    hash_grow(h);
  s = mgm__hash_slot(h, n->key);
  n->next = h->b[s];
  h->b[s] = n;
  h->count++;
  return 0;
}

void mgm__hash_remove(struct mgm_hash *h, struct mgm_hnode *n) {
  struct mgm_hnode **pp = &h->b[mgm__hash_slot(h, n->key)];

  while (*pp && *pp != n)
    pp = &(*pp)->next;
  if (*pp) {
    *pp = n->next;
    h->count--;
  }
}

struct mgm_hnode *mgm__hash_next(const struct mgm_hash *h,
                                 const struct mgm_hnode *n) {
  size_t i;

  if (h->b == NULL)
    return NULL;
  if (n && n->next)
    return n->next;
  i = n ? mgm__hash_slot(h, n->key) + 1 : 0;
  for (; i <= h->mask; i++)
    if (h->b[i])
      return h->b[i];
  return NULL;
}
