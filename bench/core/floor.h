/*
 * floor.h - bench_core's floor: a bare open-addressing hash table keyed by
 * (S,G) doing the same inserts, lookups, deletes and enumerations as the
 * libmgm phases, over the same keys, in the same run.
 *
 * SPDX-License-Identifier: MIT
 *
 * The table uses linear probing with backward-shift deletion (no
 * tombstones), a power-of-two capacity that starts at 16 and doubles above
 * 3/4 load, like a real table that does not know its final size.  Its slot
 * arrays are mmapped, so every rep pays the same growth and first-touch
 * costs regardless of the malloc heap's state.  It has
 * no lock, no argument checks and no callbacks: it is what the data
 * structure alone costs, so libmgm's figures divided by these are its
 * overhead factor.
 */
#ifndef BENCH_CORE_FLOOR_H
#define BENCH_CORE_FLOOR_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "bench.h"

/* The small value stored per (S,G). */
struct floor_val {
  uint32_t ifindex; /* membership interface, or the MFE's incoming one */
  uint32_t oif;     /* the MFE's outgoing interface when n_oif is 1 */
  uint16_t n_oif;   /* 0 (negative MFE) or 1 */
  uint16_t flags;   /* unused; keeps the value 16 bytes */
  uint32_t timeout; /* MFE lifetime, seconds */
};

struct floor_slot {
  uint64_t key; /* bench_pack(S,G); 0 = empty */
  struct floor_val val;
};

struct floor_table {
  struct floor_slot *slots; /* capacity = mask + 1 */
  size_t mask;              /* capacity - 1 (capacity is a power of 2) */
  size_t count;             /* occupied slots */
};

int floor_table_init(struct floor_table *t);
void floor_table_destroy(struct floor_table *t);
/* Bytes the slot array occupies (it is mmapped, outside malloc's view). */
size_t floor_table_bytes(const struct floor_table *t);

/* The phases.  `order` lists indexes into `keys`; each returns the number
 * of operations that did not do what was expected (0 = all fine). */
size_t floor_memb_add(struct floor_table *t, const struct bench_key *keys,
                      const uint32_t *order, size_t n);
/* mu: NULL, or a mutex taken and released around each delete (the floor
 * of a table made thread-safe the simplest way). */
size_t floor_memb_del(struct floor_table *t, const struct bench_key *keys,
                      const uint32_t *order, size_t n, pthread_mutex_t *mu);

/* MFE creation floor: each insert is handed to a worker thread and waited
 * for (mutex + condition variables), as libmgm_sim_inject hands a packet
 * to libmgm's loop thread and waits for it to be handled. */
struct floor_worker;
struct floor_worker *floor_worker_start(void);
void floor_worker_stop(struct floor_worker *w);
size_t floor_mfe_create(struct floor_worker *w, struct floor_table *t,
                        const struct bench_key *keys, const uint32_t *order,
                        size_t n);

/* `passes` rounds of lookups of keys[order[i]], each formatting the found
 * entry into a MIB_IPMCAST_MFE record as MgmGetMfe does.  *misses counts
 * keys not found; the return value is a checksum to keep the work live. */
uint64_t floor_mfe_lookup(const struct floor_table *t,
                          const struct bench_key *keys, const uint32_t *order,
                          size_t n, unsigned passes, size_t *misses);

/* Sorted enumeration floor: collect every entry, qsort by (ntohl(G),
 * ntohl(S)), format MIB_IPMCAST_MFE records into a BENCH_ENUM_BUF buffer
 * and feed each full buffer to bench_enum_consume.  Returns 0, or -1 when
 * out of memory. */
int floor_mfe_enum_sorted(const struct floor_table *t,
                          struct bench_enum_check *c);

/* Unsorted iteration: the same formatting and consuming in table order
 * (the check's order counter is then meaningless). */
int floor_mfe_enum_iter(const struct floor_table *t,
                        struct bench_enum_check *c);

#endif /* BENCH_CORE_FLOOR_H */
