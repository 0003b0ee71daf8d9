/*
 * bench.h - shared pieces of bench_core: the workload keys, the clock, the
 * heap meter, medians, and the MFE enumeration consumer that both libmgm's
 * and the floor's enumerations feed.
 *
 * SPDX-License-Identifier: MIT
 *
 * bench_core measures libmgm's core (memberships, MFE creation through the
 * sim forwarder, MgmGetMfe lookups, sorted MFE enumeration, memory) against
 * a floor measured in the same run: a bare open-addressing hash table doing
 * the same work over the same keys (floor.c).  Nothing here asserts
 * absolute times (design.md section 10).  Addresses are uint32_t in network
 * byte order, as everywhere in libmgm.
 */
#ifndef BENCH_CORE_BENCH_H
#define BENCH_CORE_BENCH_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_NIFS 32        /* interfaces 1..32 */
#define BENCH_IIF 1          /* sources resolve (RPF) to interface 1 */
#define BENCH_ENUM_BUF 65536 /* enumeration buffer, bytes */
#define BENCH_MFE_REC0 60    /* SIZEOF_MIB_MFE(0) */
#define BENCH_MFE_OIF 16     /* sizeof(MIB_IPMCAST_OIF) */

/* One (S,G) of the workload and the interface its membership is on. */
struct bench_key {
  uint32_t src;     /* network order, 10.0.0.0/8 */
  uint32_t grp;     /* network order, 239.0.0.0/8 */
  uint32_t ifindex; /* 1..BENCH_NIFS */
};

/* Hash key used by the floor table and by checksums: never 0 because the
 * source of an (S,G) is never 0. */
static inline uint64_t bench_pack(uint32_t src, uint32_t grp) {
  return ((uint64_t)grp << 32) | src;
}

/* Enumeration order of mgm-spec D-ORDER: ascending (ntohl(G), ntohl(S)). */
uint64_t bench_order_key(uint32_t src, uint32_t grp);

/* 64-bit finaliser (MurmurHash3 fmix64); also the floor's hash. */
static inline uint64_t bench_mix64(uint64_t x) {
  x ^= x >> 33;
  x *= UINT64_C(0xff51afd7ed558ccd);
  x ^= x >> 33;
  x *= UINT64_C(0xc4ceb9fe1a85ec53);
  x ^= x >> 33;
  return x;
}

/* Monotonic clock, nanoseconds (CLOCK_MONOTONIC). */
uint64_t bench_now_ns(void);
/* CPU time of the whole process (all threads), nanoseconds. */
uint64_t bench_cpu_ns(void);

/* Bytes of heap in use by the whole process (all malloc arenas, including
 * mmapped chunks): mallinfo2() uordblks + hblkhd.  Returns -1 when the C
 * library has no mallinfo2 (then memory figures read "n/a"). */
long long bench_heap_bytes(void);

/* Median of n doubles (sorts a copy; n <= 64). */
double bench_median(const double *v, size_t n);

/* Deterministic xorshift64* generator and Fisher-Yates shuffle. */
uint64_t bench_rand(uint64_t *state);
void bench_shuffle_u32(uint32_t *v, size_t n, uint64_t *state);

/* Consumer of MIB_IPMCAST_MFE records packed back to back, as
 * MgmGetFirstMfe/MgmGetNextMfe return them.  Counts records, checks the
 * strict ascending order and sums bench_mix64(bench_pack(S,G)) so that the
 * set of keys can be compared with the expected one. */
struct bench_enum_check {
  uint64_t count;      /* records seen */
  uint64_t sum;        /* sum of bench_mix64 of the keys */
  uint64_t last_order; /* order key of the last record seen */
  uint32_t last_src;   /* last record's source, network order */
  uint32_t last_grp;   /* last record's group, network order */
  unsigned bad_order;  /* records not strictly after their predecessor */
  unsigned bad_size;   /* records overrunning the returned bytes */
};

void bench_enum_check_init(struct bench_enum_check *c);
/* Consume n records from buf (bytes bytes valid).  Returns the number of
 * bytes the n records occupy. */
size_t bench_enum_consume(struct bench_enum_check *c, const unsigned char *buf,
                          size_t bytes, uint32_t n);

#endif /* BENCH_CORE_BENCH_H */
