/*
 * mfctab.c - chained hash table of the (S,G) entries the BSD backend has
 * installed in the kernel MFC.
 *
 * SPDX-License-Identifier: MIT
 *
 * Records are allocated with their outgoing-interface array in one block;
 * a replace allocates the new record before unlinking the old one, so an
 * allocation failure leaves the table as it was.  The table doubles when
 * it holds more records than buckets.
 */
#include "platform/bsd/mfctab.h"

#include <stdlib.h>
#include <string.h>

#define BSD_MFCTAB_MIN 64

static size_t bsd_mfc_hash(uint32_t source, uint32_t group, size_t n) {
  uint32_t h = source * 0x9e3779b1u ^ (group + 0x7f4a7c15u) * 0x85ebca6bu;

  h ^= h >> 15;
  return (size_t)h & (n - 1);
}

void mgm__bsd_mfctab_init(struct mgm_bsd_mfctab *t) {
  memset(t, 0, sizeof(*t));
}

void mgm__bsd_mfctab_fini(struct mgm_bsd_mfctab *t) {
  struct mgm_bsd_mfc *m, *next;
  size_t i;

  for (i = 0; i < t->nbucket; i++) {
    for (m = t->bucket[i]; m != NULL; m = next) {
      next = m->next;
      free(m);
    }
  }
  free(t->bucket);
  memset(t, 0, sizeof(*t));
}

struct mgm_bsd_mfc *mgm__bsd_mfctab_find(const struct mgm_bsd_mfctab *t,
                                         uint32_t source, uint32_t group) {
  struct mgm_bsd_mfc *m = NULL;

  if (t->nbucket == 0)
    goto out;
  for (m = t->bucket[bsd_mfc_hash(source, group, t->nbucket)]; m != NULL;
       m = m->next) {
    if (m->key.source == source && m->key.group == group)
      break;
  }
out:
  return m;
}

/* Grow to at least `want` buckets; on failure keep the old array. */
static int bsd_mfctab_grow(struct mgm_bsd_mfctab *t, size_t want) {
  struct mgm_bsd_mfc **nb, *m, *next;
  size_t n = t->nbucket ? t->nbucket : BSD_MFCTAB_MIN;
  size_t i, h;
  int rc = 0;

  while (n < want)
    n *= 2;
  if (n == t->nbucket)
    goto out;
  nb = calloc(n, sizeof(*nb));
  if (nb == NULL) {
    rc = t->nbucket ? 0 : MGM_BE_ENOMEM; /* a full table still works */
    goto out;
  }
  for (i = 0; i < t->nbucket; i++) {
    for (m = t->bucket[i]; m != NULL; m = next) {
      next = m->next;
      h = bsd_mfc_hash(m->key.source, m->key.group, n);
      m->next = nb[h];
      nb[h] = m;
    }
  }
  free(t->bucket);
  t->bucket = nb;
  t->nbucket = n;
out:
  return rc;
}

int mgm__bsd_mfctab_put(struct mgm_bsd_mfctab *t, const struct mgm_fwd *fwd) {
  struct mgm_bsd_mfc *m, **pp = NULL;
  size_t h, i;
  int rc = 0;

  if (t->nbucket != 0) {
    h = bsd_mfc_hash(fwd->key.source, fwd->key.group, t->nbucket);
    for (pp = &t->bucket[h]; *pp != NULL; pp = &(*pp)->next) {
      if ((*pp)->key.source == fwd->key.source &&
          (*pp)->key.group == fwd->key.group)
        break;
    }
    if (*pp == NULL)
      pp = NULL;
  }
  if (pp == NULL) {
    /* a new key: make room first (this may rehash) */
    rc = bsd_mfctab_grow(t, t->count + 1);
    if (rc < 0)
      goto out;
  }
  m = malloc(sizeof(*m) + (size_t)fwd->n_oif * sizeof(m->oif[0]));
  if (m == NULL) {
    rc = MGM_BE_ENOMEM;
    goto out;
  }
  m->key = fwd->key;
  m->iif = fwd->iif;
  m->flags = fwd->flags;
  m->n_oif = fwd->n_oif;
  for (i = 0; i < fwd->n_oif; i++) {
    m->oif[i].ifindex = fwd->oif[i].ifindex;
    m->oif[i].ttl = fwd->oif[i].ttl_threshold ? fwd->oif[i].ttl_threshold : 1;
  }
  if (pp != NULL) {
    m->next = (*pp)->next; /* replace in place */
    free(*pp);
    *pp = m;
    goto out;
  }
  h = bsd_mfc_hash(fwd->key.source, fwd->key.group, t->nbucket);
  m->next = t->bucket[h];
  t->bucket[h] = m;
  t->count++;
out:
  return rc;
}

int mgm__bsd_mfctab_del(struct mgm_bsd_mfctab *t, uint32_t source,
                        uint32_t group) {
  struct mgm_bsd_mfc **pp, *m;
  int rc = MGM_BE_ENOENT;

  if (t->nbucket == 0)
    goto out;
  for (pp = &t->bucket[bsd_mfc_hash(source, group, t->nbucket)]; *pp != NULL;
       pp = &(*pp)->next) {
    m = *pp;
    if (m->key.source == source && m->key.group == group) {
      *pp = m->next;
      free(m);
      t->count--;
      rc = 0;
      break;
    }
  }
out:
  return rc;
}

size_t mgm__bsd_mfctab_keys(const struct mgm_bsd_mfctab *t,
                            struct mgm_mfe_key *keys, size_t cap) {
  const struct mgm_bsd_mfc *m;
  size_t i, n = 0;

  for (i = 0; i < t->nbucket; i++) {
    for (m = t->bucket[i]; m != NULL; m = m->next) {
      if (n < cap)
        keys[n] = m->key;
      n++;
    }
  }
  return n;
}

int mgm__bsd_mfc_has_oif(const struct mgm_bsd_mfc *m, uint32_t ifindex) {
  uint16_t i;

  for (i = 0; i < m->n_oif; i++) {
    if (m->oif[i].ifindex == ifindex)
      return 1;
  }
  return 0;
}
