/*
 * bench_util.c - clock, heap meter, medians, shuffling and the MFE record
 * consumer shared by bench_core's libmgm phases and its floor.
 *
 * SPDX-License-Identifier: MIT
 *
 * The heap meter reads glibc's mallinfo2(): uordblks (bytes in use in every
 * arena) plus hblkhd (bytes in mmapped chunks, where large tables live).
 * Bytes per object are deltas of that figure around a phase divided by the
 * number of objects the phase created.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1

#include "bench.h"

#include <string.h>
#include <time.h>
#ifdef __GLIBC__ /* set by <string.h> on glibc; mallinfo2 is glibc's */
#include <malloc.h>
#endif

#include <windows.h>
#include <iprtrmib.h>

#include <arpa/inet.h>

uint64_t bench_order_key(uint32_t src, uint32_t grp) {
  return ((uint64_t)ntohl(grp) << 32) | ntohl(src);
}

uint64_t bench_now_ns(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

uint64_t bench_cpu_ns(void) {
  struct timespec ts;

  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

long long bench_heap_bytes(void) {
#if defined(__GLIBC__) &&                                                      \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 mi = mallinfo2();

  return (long long)mi.uordblks + (long long)mi.hblkhd;
#else
  return -1;
#endif
}

double bench_median(const double *v, size_t n) {
  double tmp[64];
  size_t i;
  size_t j;

  if (n == 0)
    return 0.0;
  if (n > 64)
    n = 64;
  memcpy(tmp, v, n * sizeof(*v));
  for (i = 1; i < n; i++) {
    double x = tmp[i];

    for (j = i; j > 0 && tmp[j - 1] > x; j--)
      tmp[j] = tmp[j - 1];
    tmp[j] = x;
  }
  if (n % 2)
    return tmp[n / 2];
  return (tmp[n / 2 - 1] + tmp[n / 2]) / 2.0;
}

uint64_t bench_rand(uint64_t *state) {
  uint64_t x = *state;

  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * UINT64_C(0x2545F4914F6CDD1D);
}

void bench_shuffle_u32(uint32_t *v, size_t n, uint64_t *state) {
  size_t i;

  for (i = n; i > 1; i--) {
    size_t j = (size_t)(bench_rand(state) % i);
    uint32_t t = v[i - 1];

    v[i - 1] = v[j];
    v[j] = t;
  }
}

void bench_enum_check_init(struct bench_enum_check *c) {
  memset(c, 0, sizeof(*c));
}

size_t bench_enum_consume(struct bench_enum_check *c, const unsigned char *buf,
                          size_t bytes, uint32_t n) {
  size_t off = 0;
  uint32_t i;

  for (i = 0; i < n; i++) {
    DWORD grp;
    DWORD src;
    ULONG noif;
    uint64_t order;
    size_t size;

    if (off + SIZEOF_BASIC_MIB_MFE > bytes) {
      c->bad_size++;
      break;
    }
    memcpy(&grp, buf + off + offsetof(MIB_IPMCAST_MFE, dwGroup), sizeof(grp));
    memcpy(&src, buf + off + offsetof(MIB_IPMCAST_MFE, dwSource), sizeof(src));
    memcpy(&noif, buf + off + offsetof(MIB_IPMCAST_MFE, ulNumOutIf),
           sizeof(noif));
    size = SIZEOF_MIB_MFE((size_t)noif);
    if (off + size > bytes) {
      c->bad_size++;
      break;
    }
    order = bench_order_key(src, grp);
    if (c->count > 0 && order <= c->last_order)
      c->bad_order++;
    c->last_order = order;
    c->last_src = src;
    c->last_grp = grp;
    c->sum += bench_mix64(bench_pack(src, grp));
    c->count++;
    off += size;
  }
  return off;
}
