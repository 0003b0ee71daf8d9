/*
 * btree.c - B+ tree from 64-bit keys to pointers: the MFEs in (G, S) order.
 *
 * SPDX-License-Identifier: MIT
 *
 * DOC: the values live in the leaves, in key order, and the leaves are
 * chained, so an ordered walk reads them in sequence and knows the values
 * it will visit next before it gets there (mferead.c prefetches the MFEs of a
 * MgmGetNextMfe walk that way; a binary tree's walk can only chase one
 * pointer at a time, one cache miss per MFE).  Every node but the root holds
 * between MGM_BT_MIN and MGM_BT_MAX keys; an inner node with n keys has n+1
 * children, child i holding the keys k with key[i-1] <= k < key[i].  All
 * leaves are at the same depth: find, insert and remove cost O(log n).
 *
 * Insertion never fails half-way: the nodes a split may need (one per level
 * plus a new root) are allocated before anything changes and kept as spares
 * for the next insertion.  Removal allocates nothing and cannot fail.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#define MGM_BT_MIN (MGM_BT_MAX / 2)

/* First index in key[0..n) with key[i] >= k. */
static uint32_t lower(const struct mgm_bt_node *x, uint64_t k) {
  uint32_t lo = 0, hi = x->n;

  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;

    if (x->key[mid] < k)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* The child of inner node x that holds k: the first separator above k. */
static uint32_t child_of(const struct mgm_bt_node *x, uint64_t k) {
  uint32_t lo = 0, hi = x->n;

  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;

    if (x->key[mid] <= k)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static const struct mgm_bt_node *leaf_of(const struct mgm_btree *t,
                                         uint64_t k) {
  const struct mgm_bt_node *x = t->root;

  while (x != NULL && !x->leaf)
    x = x->ptr[child_of(x, k)];
  return x;
}

void *mgm__bt_find(const struct mgm_btree *t, uint64_t key) {
  const struct mgm_bt_node *x = leaf_of(t, key);
  uint32_t i;

  if (x == NULL)
    return NULL;
  i = lower(x, key);
  return i < x->n && x->key[i] == key ? x->ptr[i] : NULL;
}

int mgm__bt_ceil(const struct mgm_btree *t, uint64_t key,
                 struct mgm_bt_pos *pos) {
  const struct mgm_bt_node *x = leaf_of(t, key);

  pos->leaf = NULL;
  pos->i = 0;
  if (x == NULL)
    return 0;
  pos->leaf = (struct mgm_bt_node *)x;
  pos->i = lower(x, key);
  if (pos->i == x->n) { /* all of this leaf is below key: the next one */
    pos->leaf = x->next;
    pos->i = 0;
  }
  return pos->leaf != NULL;
}

int mgm__bt_first(const struct mgm_btree *t, struct mgm_bt_pos *pos) {
  return mgm__bt_ceil(t, 0, pos);
}

/* ---- Insertion ----------------------------------------------------------- */

static struct mgm_bt_node *spare_take(struct mgm_btree *t) {
  struct mgm_bt_node *x = t->spare;

  t->spare = x->next;
  t->n_spare--;
  memset(x, 0, sizeof(*x));
  return x;
}

/* Enough spares for a split at every level and a new root. */
static int spare_fill(struct mgm_btree *t) {
  while (t->n_spare < t->height + 1) {
    struct mgm_bt_node *x = mgm__malloc(sizeof(*x));

    if (x == NULL)
      return -1;
    x->next = t->spare;
    t->spare = x;
    t->n_spare++;
  }
  return 0;
}

/* Insert (k, v) below x.  When x splits, its new right sibling and the
 * separator between them come back in *up and *upk. */
static int ins(struct mgm_btree *t, struct mgm_bt_node *x, uint64_t k, void *v,
               struct mgm_bt_node **up, uint64_t *upk) {
  uint64_t key[MGM_BT_MAX + 1];
  void *ptr[MGM_BT_MAX + 2];
  struct mgm_bt_node *r, *cn = NULL;
  uint32_t i, n, np, left, at;
  int rc = 0;

  *up = NULL;
  if (x->leaf) {
    i = lower(x, k);
    if (i < x->n && x->key[i] == k)
      return 1;
    at = i; /* the new value's index */
  } else {
    uint64_t ck = 0;

    i = child_of(x, k);
    rc = ins(t, x->ptr[i], k, v, &cn, &ck);
    if (rc != 0 || cn == NULL)
      return rc;
    k = ck; /* the separator goes in at key i, the new child at ptr i + 1 */
    v = cn;
    at = i + 1;
  }
  n = x->n;
  np = n + !x->leaf;    /* pointers before */
  if (n < MGM_BT_MAX) { /* room: in place */
    memmove(x->key + i + 1, x->key + i, (n - i) * sizeof(x->key[0]));
    x->key[i] = k;
    memmove(x->ptr + at + 1, x->ptr + at, (np - at) * sizeof(x->ptr[0]));
    x->ptr[at] = v;
    x->n = n + 1;
    return 0;
  }
  /* x with the new key (at i) and pointer (at `at`), in key/ptr */
  memcpy(key, x->key, i * sizeof(key[0]));
  key[i] = k;
  memcpy(key + i + 1, x->key + i, (n - i) * sizeof(key[0]));
  n++;
  memcpy(ptr, x->ptr, at * sizeof(ptr[0]));
  ptr[at] = v;
  memcpy(ptr + at + 1, x->ptr + at, (np - at) * sizeof(ptr[0]));
  /* Split: the left half stays in x, the rest moves to r. */
  r = spare_take(t);
  r->leaf = x->leaf;
  left = n / 2;
  if (x->leaf) {
    x->n = left;
    memcpy(x->key, key, left * sizeof(key[0]));
    memcpy(x->ptr, ptr, left * sizeof(ptr[0]));
    r->n = n - left;
    memcpy(r->key, key + left, r->n * sizeof(key[0]));
    memcpy(r->ptr, ptr + left, r->n * sizeof(ptr[0]));
    r->next = x->next;
    x->next = r;
    *upk = r->key[0];
  } else { /* key[left] moves up */
    x->n = left;
    memcpy(x->key, key, left * sizeof(key[0]));
    memcpy(x->ptr, ptr, (left + 1) * sizeof(ptr[0]));
    r->n = n - left - 1;
    memcpy(r->key, key + left + 1, r->n * sizeof(key[0]));
    memcpy(r->ptr, ptr + left + 1, (r->n + 1) * sizeof(ptr[0]));
    *upk = key[left];
  }
  *up = r;
  return 0;
}

int mgm__bt_insert(struct mgm_btree *t, uint64_t key, void *val) {
  struct mgm_bt_node *up;
  uint64_t upk = 0;
  int rc;

  if (spare_fill(t) != 0)
    return -1;
  if (t->root == NULL) {
    t->root = spare_take(t);
    t->root->leaf = 1;
    t->height = 1;
  }
  rc = ins(t, t->root, key, val, &up, &upk);
  if (rc == 0 && up != NULL) { /* the root split: a new root above */
    struct mgm_bt_node *nr = spare_take(t);

    nr->n = 1;
    nr->key[0] = upk;
    nr->ptr[0] = t->root;
    nr->ptr[1] = up;
    t->root = nr;
    t->height++;
  }
  if (rc == 0) {
    t->count++;
    t->mods++;
  }
  return rc;
}

/* ---- Removal ------------------------------------------------------------- */

/* Child i of x fell below the minimum: borrow from a sibling, or merge. */
static void refill(struct mgm_bt_node *x, uint32_t i) {
  struct mgm_bt_node *c = x->ptr[i];
  struct mgm_bt_node *l = i > 0 ? x->ptr[i - 1] : NULL;
  struct mgm_bt_node *r = i < x->n ? x->ptr[i + 1] : NULL;
  struct mgm_bt_node *a, *b;
  uint32_t sep;

  if (l != NULL && l->n > MGM_BT_MIN) { /* l's last entry moves into c */
    memmove(c->key + 1, c->key, c->n * sizeof(c->key[0]));
    memmove(c->ptr + 1, c->ptr, (c->n + !c->leaf) * sizeof(c->ptr[0]));
    if (c->leaf) {
      c->key[0] = l->key[l->n - 1];
      c->ptr[0] = l->ptr[l->n - 1];
      x->key[i - 1] = c->key[0];
    } else {
      c->key[0] = x->key[i - 1];
      c->ptr[0] = l->ptr[l->n];
      x->key[i - 1] = l->key[l->n - 1];
    }
    l->n--;
    c->n++;
  } else if (r != NULL && r->n > MGM_BT_MIN) { /* r's first moves into c */
    if (c->leaf) {
      c->key[c->n] = r->key[0];
      c->ptr[c->n] = r->ptr[0];
      memmove(r->ptr, r->ptr + 1, (r->n - 1) * sizeof(r->ptr[0]));
    } else {
      c->key[c->n] = x->key[i];
      c->ptr[c->n + 1] = r->ptr[0];
      memmove(r->ptr, r->ptr + 1, r->n * sizeof(r->ptr[0]));
    }
    c->n++;
    x->key[i] = c->leaf ? r->key[1] : r->key[0];
    memmove(r->key, r->key + 1, (r->n - 1) * sizeof(r->key[0]));
    r->n--;
  } else { /* merge b into a, its left neighbour; separator key[sep] goes */
    sep = l != NULL ? i - 1 : i;
    a = x->ptr[sep];
    b = x->ptr[sep + 1];
    if (a->leaf) {
      memcpy(a->key + a->n, b->key, b->n * sizeof(a->key[0]));
      memcpy(a->ptr + a->n, b->ptr, b->n * sizeof(a->ptr[0]));
      a->n += b->n;
      a->next = b->next;
    } else {
      a->key[a->n] = x->key[sep];
      memcpy(a->key + a->n + 1, b->key, b->n * sizeof(a->key[0]));
      memcpy(a->ptr + a->n + 1, b->ptr, (b->n + 1) * sizeof(a->ptr[0]));
      a->n += 1 + b->n;
    }
    free(b);
    memmove(x->key + sep, x->key + sep + 1,
            (x->n - sep - 1) * sizeof(x->key[0]));
    memmove(x->ptr + sep + 1, x->ptr + sep + 2,
            (x->n - sep - 1) * sizeof(x->ptr[0]));
    x->n--;
  }
}

static void *rem(struct mgm_bt_node *x, uint64_t k) {
  void *v;
  uint32_t i;

  if (x->leaf) {
    i = lower(x, k);
    if (i == x->n || x->key[i] != k)
      return NULL;
    v = x->ptr[i];
    memmove(x->key + i, x->key + i + 1, (x->n - i - 1) * sizeof(x->key[0]));
    memmove(x->ptr + i, x->ptr + i + 1, (x->n - i - 1) * sizeof(x->ptr[0]));
    x->n--;
    return v;
  }
  i = child_of(x, k);
  v = rem(x->ptr[i], k);
  if (v != NULL && ((struct mgm_bt_node *)x->ptr[i])->n < MGM_BT_MIN)
    refill(x, i);
  return v;
}

void *mgm__bt_remove(struct mgm_btree *t, uint64_t key) {
  struct mgm_bt_node *x = t->root;
  void *v;

  if (x == NULL)
    return NULL;
  v = rem(x, key);
  if (v == NULL)
    return NULL;
  t->count--;
  t->mods++;
  if (!x->leaf && x->n == 0) { /* the root's last two children merged */
    t->root = x->ptr[0];
    t->height--;
    free(x);
  } else if (x->leaf && x->n == 0) {
    t->root = NULL;
    t->height = 0;
    free(x);
  }
  return v;
}

/* ---- Teardown ------------------------------------------------------------ */

static void free_below(struct mgm_bt_node *x) {
  uint32_t i;

  if (!x->leaf)
    for (i = 0; i <= x->n; i++)
      free_below(x->ptr[i]);
  free(x);
}

void mgm__bt_destroy(struct mgm_btree *t) {
  if (t->root != NULL)
    free_below(t->root);
  while (t->spare != NULL) {
    struct mgm_bt_node *x = t->spare;

    t->spare = x->next;
    free(x);
  }
  memset(t, 0, sizeof(*t));
}
