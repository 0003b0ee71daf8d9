/*
 * floor.c - the floor of bench_core: a bare open-addressing (S,G) hash
 * table and the floor version of every benchmarked phase.
 *
 * SPDX-License-Identifier: MIT
 *
 * Each phase does the data-structure work of its libmgm counterpart and
 * nothing else: insert/delete for memberships; insert handed to another
 * thread and waited for, for MFE creation through the sim; find plus
 * formatting of a MIB_IPMCAST_MFE record for MgmGetMfe; collect, sort and
 * format into a 64 KiB buffer for the MgmGetFirstMfe/MgmGetNextMfe walk.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1

#include "floor.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <windows.h>
#include <iprtrmib.h>

#define FLOOR_MIN_CAP 16

/* ---- The table ----------------------------------------------------------- */

/* Slot arrays come from their own anonymous mappings, not from malloc: the
 * floor then costs the same in every rep (fresh zero pages, faulted in on
 * first touch) whatever state libmgm's phases left the malloc heap in. */
static struct floor_slot *floor_alloc(size_t cap) {
  void *p = mmap(NULL, cap * sizeof(struct floor_slot), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANON, -1, 0);

  return p == MAP_FAILED ? NULL : p;
}

static void floor_release(struct floor_slot *slots, size_t cap) {
  if (slots != NULL)
    munmap(slots, cap * sizeof(struct floor_slot));
}

int floor_table_init(struct floor_table *t) {
  t->slots = floor_alloc(FLOOR_MIN_CAP);
  if (t->slots == NULL)
    return -1;
  t->mask = FLOOR_MIN_CAP - 1;
  t->count = 0;
  return 0;
}

void floor_table_destroy(struct floor_table *t) {
  floor_release(t->slots, t->mask + 1);
  t->slots = NULL;
  t->mask = 0;
  t->count = 0;
}

size_t floor_table_bytes(const struct floor_table *t) {
  return (t->mask + 1) * sizeof(struct floor_slot);
}

static size_t floor_home(const struct floor_table *t, uint64_t key) {
  return (size_t)bench_mix64(key) & t->mask;
}

static int floor_grow(struct floor_table *t) {
  struct floor_table nt;
  size_t cap = (t->mask + 1) * 2;
  size_t i;

  nt.slots = floor_alloc(cap);
  if (nt.slots == NULL)
    return -1;
  nt.mask = cap - 1;
  nt.count = t->count;
  for (i = 0; i <= t->mask; i++) {
    size_t j;

    if (t->slots[i].key == 0)
      continue;
    j = floor_home(&nt, t->slots[i].key);
    while (nt.slots[j].key != 0)
      j = (j + 1) & nt.mask;
    nt.slots[j] = t->slots[i];
  }
  floor_release(t->slots, t->mask + 1);
  *t = nt;
  return 0;
}

/* 0 inserted, 1 already present, -1 out of memory. */
static int floor_insert(struct floor_table *t, uint64_t key,
                        const struct floor_val *val) {
  size_t i;

  if ((t->count + 1) * 4 > (t->mask + 1) * 3 && floor_grow(t) != 0)
    return -1;
  i = floor_home(t, key);
  while (t->slots[i].key != 0) {
    if (t->slots[i].key == key)
      return 1;
    i = (i + 1) & t->mask;
  }
  t->slots[i].key = key;
  t->slots[i].val = *val;
  t->count++;
  return 0;
}

static const struct floor_val *floor_find(const struct floor_table *t,
                                          uint64_t key) {
  size_t i = floor_home(t, key);

  while (t->slots[i].key != 0) {
    if (t->slots[i].key == key)
      return &t->slots[i].val;
    i = (i + 1) & t->mask;
  }
  return NULL;
}

/* 0 removed, 1 absent.  Backward-shift deletion keeps probe chains intact
 * without tombstones. */
static int floor_erase(struct floor_table *t, uint64_t key) {
  size_t i = floor_home(t, key);
  size_t j;

  while (t->slots[i].key != key) {
    if (t->slots[i].key == 0)
      return 1;
    i = (i + 1) & t->mask;
  }
  j = i;
  for (;;) {
    size_t k;

    j = (j + 1) & t->mask;
    if (t->slots[j].key == 0)
      break;
    k = floor_home(t, t->slots[j].key);
    /* The entry at j may fill the hole at i if i lies cyclically in
     * [k, j), i.e. moving it does not put it before its home slot. */
    if (((j - k) & t->mask) >= ((j - i) & t->mask)) {
      t->slots[i] = t->slots[j];
      i = j;
    }
  }
  t->slots[i].key = 0;
  t->count--;
  return 0;
}

/* ---- Membership phases --------------------------------------------------- */

size_t floor_memb_add(struct floor_table *t, const struct bench_key *keys,
                      const uint32_t *order, size_t n) {
  size_t bad = 0;
  size_t i;

  for (i = 0; i < n; i++) {
    const struct bench_key *k = &keys[order[i]];
    struct floor_val v;

    memset(&v, 0, sizeof(v));
    v.ifindex = k->ifindex;
    if (floor_insert(t, bench_pack(k->src, k->grp), &v) != 0)
      bad++;
  }
  return bad;
}

size_t floor_memb_del(struct floor_table *t, const struct bench_key *keys,
                      const uint32_t *order, size_t n, pthread_mutex_t *mu) {
  size_t bad = 0;
  size_t i;

  for (i = 0; i < n; i++) {
    const struct bench_key *k = &keys[order[i]];

    if (mu != NULL)
      pthread_mutex_lock(mu);
    if (floor_erase(t, bench_pack(k->src, k->grp)) != 0)
      bad++;
    if (mu != NULL)
      pthread_mutex_unlock(mu);
  }
  return bad;
}

/* ---- MFE creation: an insert handed to another thread -------------------- */

struct floor_worker {
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv_req;  /* a request is pending, or stop */
  pthread_cond_t cv_done; /* the pending request was handled */
  struct floor_table *t;  /* request: table, key, value */
  uint64_t key;
  struct floor_val val;
  int pending; /* request posted and not yet handled */
  int result;  /* floor_insert's result for it */
  int stop;    /* worker must exit */
};

static void *floor_worker_main(void *arg) {
  struct floor_worker *w = arg;

  pthread_mutex_lock(&w->mu);
  for (;;) {
    while (!w->pending && !w->stop)
      pthread_cond_wait(&w->cv_req, &w->mu);
    if (w->stop)
      break;
    w->result = floor_insert(w->t, w->key, &w->val);
    w->pending = 0;
    pthread_cond_signal(&w->cv_done);
  }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

struct floor_worker *floor_worker_start(void) {
  struct floor_worker *w = calloc(1, sizeof(*w));

  if (w == NULL)
    return NULL;
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->cv_req, NULL);
  pthread_cond_init(&w->cv_done, NULL);
  if (pthread_create(&w->thread, NULL, floor_worker_main, w) != 0) {
    pthread_cond_destroy(&w->cv_done);
    pthread_cond_destroy(&w->cv_req);
    pthread_mutex_destroy(&w->mu);
    free(w);
    return NULL;
  }
  return w;
}

void floor_worker_stop(struct floor_worker *w) {
  if (w == NULL)
    return;
  pthread_mutex_lock(&w->mu);
  w->stop = 1;
  pthread_cond_signal(&w->cv_req);
  pthread_mutex_unlock(&w->mu);
  pthread_join(w->thread, NULL);
  pthread_cond_destroy(&w->cv_done);
  pthread_cond_destroy(&w->cv_req);
  pthread_mutex_destroy(&w->mu);
  free(w);
}

size_t floor_mfe_create(struct floor_worker *w, struct floor_table *t,
                        const struct bench_key *keys, const uint32_t *order,
                        size_t n) {
  size_t bad = 0;
  size_t i;

  for (i = 0; i < n; i++) {
    const struct bench_key *k = &keys[order[i]];

    pthread_mutex_lock(&w->mu);
    w->t = t;
    w->key = bench_pack(k->src, k->grp);
    memset(&w->val, 0, sizeof(w->val));
    w->val.ifindex = BENCH_IIF;
    w->val.n_oif = k->ifindex != BENCH_IIF;
    w->val.oif = w->val.n_oif ? k->ifindex : 0;
    w->val.timeout = 900;
    w->pending = 1;
    pthread_cond_signal(&w->cv_req);
    while (w->pending)
      pthread_cond_wait(&w->cv_done, &w->mu);
    if (w->result != 0)
      bad++;
    pthread_mutex_unlock(&w->mu);
  }
  return bad;
}

/* ---- MFE records --------------------------------------------------------- */

/* Format one entry as a MIB_IPMCAST_MFE record at dst; returns its size. */
static size_t floor_format(unsigned char *dst, uint64_t key,
                           const struct floor_val *v) {
  MIB_IPMCAST_MFE r;
  size_t size = SIZEOF_MIB_MFE((size_t)v->n_oif);

  memset(&r, 0, sizeof(r));
  r.dwGroup = (DWORD)(key >> 32);
  r.dwSource = (DWORD)key;
  r.dwSrcMask = 0xFFFFFFFFu;
  r.dwInIfIndex = v->ifindex;
  r.ulExpiryTime = v->timeout;
  r.ulTimeOut = v->timeout;
  r.ulNumOutIf = v->n_oif;
  r.rgmioOutInfo[0].dwOutIfIndex = v->oif;
  memcpy(dst, &r, size);
  return size;
}

uint64_t floor_mfe_lookup(const struct floor_table *t,
                          const struct bench_key *keys, const uint32_t *order,
                          size_t n, unsigned passes, size_t *misses) {
  unsigned char rec[sizeof(MIB_IPMCAST_MFE) + 32 * sizeof(MIB_IPMCAST_OIF)];
  uint64_t sum = 0;
  unsigned p;
  size_t i;

  *misses = 0;
  for (p = 0; p < passes; p++) {
    for (i = 0; i < n; i++) {
      const struct bench_key *k = &keys[order[i]];
      uint64_t key = bench_pack(k->src, k->grp);
      const struct floor_val *v = floor_find(t, key);
      DWORD got;

      if (v == NULL) {
        (*misses)++;
        continue;
      }
      floor_format(rec, key, v);
      memcpy(&got, rec + offsetof(MIB_IPMCAST_MFE, dwSource), sizeof(got));
      sum += got;
    }
  }
  return sum;
}

/* ---- Enumeration
 * -------------------------------------------------------------- */

struct floor_ref {
  uint64_t order;                /* bench_order_key(S, G) */
  const struct floor_slot *slot; /* the entry */
};

static int floor_ref_cmp(const void *a, const void *b) {
  const struct floor_ref *x = a;
  const struct floor_ref *y = b;

  return (x->order > y->order) - (x->order < y->order);
}

/* Format refs[0..n) into BENCH_ENUM_BUF-sized batches and consume them. */
static int floor_emit(const struct floor_ref *refs, size_t n,
                      struct bench_enum_check *c) {
  unsigned char *buf = malloc(BENCH_ENUM_BUF);
  size_t used = 0;
  uint32_t nrec = 0;
  size_t i;

  if (buf == NULL)
    return -1;
  for (i = 0; i < n; i++) {
    const struct floor_slot *s = refs[i].slot;
    size_t size = SIZEOF_MIB_MFE((size_t)s->val.n_oif);

    if (used + size > BENCH_ENUM_BUF) {
      bench_enum_consume(c, buf, used, nrec);
      used = 0;
      nrec = 0;
    }
    used += floor_format(buf + used, s->key, &s->val);
    nrec++;
  }
  if (nrec > 0)
    bench_enum_consume(c, buf, used, nrec);
  free(buf);
  return 0;
}

static struct floor_ref *floor_collect(const struct floor_table *t) {
  struct floor_ref *refs = malloc((t->count ? t->count : 1) * sizeof(*refs));
  size_t n = 0;
  size_t i;

  if (refs == NULL)
    return NULL;
  for (i = 0; i <= t->mask; i++) {
    const struct floor_slot *s = &t->slots[i];

    if (s->key == 0)
      continue;
    refs[n].order = bench_order_key((uint32_t)s->key, (uint32_t)(s->key >> 32));
    refs[n].slot = s;
    n++;
  }
  return refs;
}

int floor_mfe_enum_sorted(const struct floor_table *t,
                          struct bench_enum_check *c) {
  struct floor_ref *refs = floor_collect(t);
  int rc;

  if (refs == NULL)
    return -1;
  qsort(refs, t->count, sizeof(*refs), floor_ref_cmp);
  rc = floor_emit(refs, t->count, c);
  free(refs);
  return rc;
}

int floor_mfe_enum_iter(const struct floor_table *t,
                        struct bench_enum_check *c) {
  unsigned char *buf = malloc(BENCH_ENUM_BUF);
  size_t used = 0;
  uint32_t nrec = 0;
  size_t i;

  if (buf == NULL)
    return -1;
  for (i = 0; i <= t->mask; i++) {
    const struct floor_slot *s = &t->slots[i];

    if (s->key == 0)
      continue;
    if (used + SIZEOF_MIB_MFE((size_t)s->val.n_oif) > BENCH_ENUM_BUF) {
      bench_enum_consume(c, buf, used, nrec);
      used = 0;
      nrec = 0;
    }
    used += floor_format(buf + used, s->key, &s->val);
    nrec++;
  }
  if (nrec > 0)
    bench_enum_consume(c, buf, used, nrec);
  free(buf);
  return 0;
}
