/*
 * test_btree.c - the core's B+ tree (src/core/btree.c), driven directly and
 * compared with a reference after every step.
 *
 * SPDX-License-Identifier: MIT
 *
 * The MFE walks of the API reach the tree only at the few hundred MFEs the
 * scenario tests make; borrowing and merging at inner levels need trees of
 * three and four levels.  Here tens of thousands of keys go in and out in
 * pseudo-random, ascending and descending order; after each phase the
 * tree's shape is checked (sorted keys, fill between MGM_BT_MAX / 2 and
 * MGM_BT_MAX below the root, separators bounding their subtrees, all leaves
 * at one depth and chained in order) and its contents are compared with a
 * reference array, by find, by ceil and by a full walk.
 */
#include "fx_criterion.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#define NKEYS 40000

static uint64_t keys[NKEYS];    /* distinct, sorted */
static unsigned char in[NKEYS]; /* reference: key i is in the tree */
static size_t n_in;

static uint64_t lcg(uint64_t *x) {
  *x = *x * 6364136223846793005ull + 1442695040888963407ull;
  return *x >> 11;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

  return x < y ? -1 : x > y;
}

/* Sorted distinct keys spread over 64 bits, with runs of neighbours. */
static void make_keys(uint64_t seed) {
  size_t i, j;

  for (i = 0; i < NKEYS; i++)
    keys[i] = i % 8 ? keys[i - 1] + 1 : lcg(&seed) << 8;
  qsort(keys, NKEYS, sizeof(keys[0]), cmp_u64);
  for (i = j = 0; i < NKEYS; i++)
    if (j == 0 || keys[i] != keys[j - 1])
      keys[j++] = keys[i];
  cr_assert_eq(j, NKEYS, "key generator collided");
  memset(in, 0, sizeof(in));
  n_in = 0;
}

static void *val_of(size_t i) {
  return (void *)(uintptr_t)(i * 16 + 8);
}

/* Check the subtree x (keys within [lo, hi)); returns its leaf depth. */
static unsigned check_node(const struct mgm_bt_node *x, int root, uint64_t lo,
                           uint64_t hi, int has_hi,
                           const struct mgm_bt_node **prev_leaf) {
  unsigned i, d = 0;

  cr_assert(x->n <= MGM_BT_MAX, "node overfull: %u", x->n);
  if (!root)
    cr_assert(x->n >= MGM_BT_MAX / 2, "node underfull: %u", x->n);
  cr_assert(x->n >= 1, "empty node");
  for (i = 0; i < x->n; i++) {
    cr_assert(x->key[i] >= lo, "key below its subtree's bound");
    cr_assert(!has_hi || x->key[i] < hi, "key above its subtree's bound");
    if (i > 0)
      cr_assert(x->key[i - 1] < x->key[i], "keys out of order");
  }
  if (x->leaf) {
    if (*prev_leaf != NULL)
      cr_assert_eq((*prev_leaf)->next, x, "leaf chain skips a leaf");
    *prev_leaf = x;
    return 1;
  }
  for (i = 0; i <= x->n; i++) {
    uint64_t clo = i == 0 ? lo : x->key[i - 1];
    uint64_t chi = i == x->n ? hi : x->key[i];
    unsigned cd =
        check_node(x->ptr[i], 0, clo, chi, i < x->n || has_hi, prev_leaf);

    if (i == 0)
      d = cd;
    cr_assert_eq(cd, d, "leaves at different depths");
  }
  return d + 1;
}

/* The tree's shape and contents against the reference. */
static void check(const struct mgm_btree *t) {
  const struct mgm_bt_node *last = NULL;
  struct mgm_bt_pos pos;
  size_t i, seen = 0;
  int more;

  cr_assert_eq(t->count, n_in, "count %zu, reference %zu", t->count, n_in);
  if (t->root == NULL) {
    cr_assert_eq(n_in, 0);
    cr_assert_eq(t->height, 0);
    cr_assert_eq(mgm__bt_first(t, &pos), 0);
    return;
  }
  cr_assert_eq(check_node(t->root, 1, 0, 0, 0, &last), t->height,
               "height is not the leaf depth");
  cr_assert_null(last->next, "the last leaf has a successor");
  /* the walk: exactly the reference's keys, in order */
  more = mgm__bt_first(t, &pos);
  for (i = 0; i < NKEYS; i++) {
    if (!in[i])
      continue;
    cr_assert(more, "walk ended after %zu of %zu keys", seen, n_in);
    cr_assert_eq(mgm__bt_key(&pos), keys[i], "walk out of step at %zu", i);
    cr_assert_eq(mgm__bt_val(&pos), val_of(i));
    more = mgm__bt_step(&pos);
    seen++;
  }
  cr_assert(!more, "walk goes past the reference's keys");
  /* find and ceil, for present keys, absent keys and the gaps between */
  for (i = 0; i < NKEYS; i += 7) {
    size_t j;

    cr_assert_eq(mgm__bt_find(t, keys[i]), in[i] ? val_of(i) : NULL);
    for (j = i; j < NKEYS && !in[j]; j++)
      ;
    more = mgm__bt_ceil(t, keys[i], &pos);
    cr_assert_eq(more, j < NKEYS, "ceil of key %zu", i);
    if (more)
      cr_assert_eq(mgm__bt_key(&pos), keys[j], "ceil of key %zu", i);
    if (keys[i] + 1 != (i + 1 < NKEYS ? keys[i + 1] : 0)) {
      for (j = i + 1; j < NKEYS && !in[j]; j++)
        ;
      more = mgm__bt_ceil(t, keys[i] + 1, &pos);
      cr_assert_eq(more, j < NKEYS, "ceil above key %zu", i);
      if (more)
        cr_assert_eq(mgm__bt_key(&pos), keys[j]);
    }
  }
}

static void put(struct mgm_btree *t, size_t i) {
  int rc = mgm__bt_insert(t, keys[i], val_of(i));

  cr_assert_eq(rc, in[i] ? 1 : 0, "insert of key %zu: %d", i, rc);
  if (!in[i])
    n_in++;
  in[i] = 1;
}

static void del(struct mgm_btree *t, size_t i) {
  void *v = mgm__bt_remove(t, keys[i]);

  cr_assert_eq(v, in[i] ? val_of(i) : NULL, "removal of key %zu", i);
  if (in[i])
    n_in--;
  in[i] = 0;
}

TestSuite(btree, .timeout = 120);

Test(btree, ascending_then_descending) {
  struct mgm_btree t = {0};
  size_t i;

  make_keys(1);
  check(&t);
  for (i = 0; i < NKEYS; i++)
    put(&t, i);
  check(&t);
  cr_assert(t.height >= 3, "%u levels: the test misses inner merges", t.height);
  for (i = NKEYS; i-- > 0;) {
    del(&t, i);
    if (i % 4999 == 0)
      check(&t);
  }
  check(&t);
  for (i = NKEYS; i-- > 0;)
    put(&t, i);
  for (i = 0; i < NKEYS; i++) {
    del(&t, i);
    if (i % 4999 == 0)
      check(&t);
  }
  check(&t);
  mgm__bt_destroy(&t);
}

Test(btree, random_mix_against_reference) {
  struct mgm_btree t = {0};
  uint64_t rng = 20261206;
  int round;

  make_keys(2);
  for (round = 0; round < 12; round++) {
    /* grow to about 3/4 of the keys, shrink to about 1/8, with repeats
     * (inserting a present key, removing an absent one) on the way */
    size_t goal = round % 2 ? NKEYS / 8 : NKEYS * 3 / 4;
    size_t steps = 0;

    while ((round % 2 ? n_in > goal : n_in < goal) && steps++ < 4 * NKEYS) {
      size_t i = lcg(&rng) % NKEYS;

      if (lcg(&rng) % 4 == 0)
        round % 2 ? put(&t, i) : del(&t, i);
      else
        round % 2 ? del(&t, i) : put(&t, i);
    }
    check(&t);
  }
  while (n_in > 0) {
    size_t i = lcg(&rng) % NKEYS;

    if (in[i])
      del(&t, i);
  }
  check(&t);
  cr_assert_null(t.root);
  mgm__bt_destroy(&t);
}

/* An insertion that cannot allocate changes nothing, at every point
 * where it may need a node (a first leaf, a leaf split, an inner split, a
 * new root). */
Test(btree, out_of_memory_leaves_tree_unchanged) {
  struct mgm_btree t = {0};
  size_t i, fails = 0;

  make_keys(3);
  for (i = 0; i < NKEYS; i += 2) {
    int rc;

    mgm__fault_alloc(1); /* fail the next allocation, if any */
    rc = mgm__bt_insert(&t, keys[i], val_of(i));
    mgm__fault_alloc(-1);
    if (rc == -1) {
      fails++;
      cr_assert_null(mgm__bt_find(&t, keys[i]));
      if (fails % 50 == 1)
        check(&t);
      put(&t, i); /* now it can allocate */
    } else {
      cr_assert_eq(rc, 0);
      in[i] = 1;
      n_in++;
    }
  }
  check(&t);
  cr_assert(fails > 100, "only %zu insertions needed a node", fails);
  mgm__bt_destroy(&t);
  cr_assert_null(t.root);
  cr_assert_null(t.spare);
}
