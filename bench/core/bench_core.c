/*
 * bench_core.c - benchmark of libmgm's portable core on the sim backend,
 * printed next to a floor measured in the same run.
 *
 * SPDX-License-Identifier: MIT
 *
 * Workload (scale 1): one protocol with trivial callbacks owns 32
 * interfaces; 1,000,000 distinct (S,G) memberships (masks 0xFFFFFFFF,
 * interfaces spread over the 32) are added with MgmAddGroupMembershipEntry;
 * with them in place, 100,000 of those (S,G) are injected into the sim
 * forwarder on interface 1 (the RPF interface of every source), each
 * creating an MFE through the RPF callback and the creation alert; the MFEs
 * are looked up with MgmGetMfe and walked with MgmGetFirstMfe/MgmGetNextMfe
 * (64 KiB buffer; exactly n records in ascending (ntohl(G), ntohl(S))
 * order, checked); the virtual clock then expires them, and the memberships
 * are deleted.  Each phase runs --reps times (default 3), alternating with
 * its floor (floor.c), and the medians are reported as one aligned table
 * plus one `metric ...` line per figure; a second ratio from process CPU
 * time cross-checks the elapsed-time one on a busy machine.  Targets (on
 * the elapsed-time ratio) are reported as PASS/MISS; the exit status is
 * non-zero only when a correctness check (API result, count, order, key
 * set) fails.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1

#include <windows.h>
#include <iprtrmib.h>
#include <mgm.h>
#include <libmgm.h>
#include <routprot.h>

#include <arpa/inet.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "floor.h"

#ifndef BENCH_BUILD_TYPE
#define BENCH_BUILD_TYPE "unknown"
#endif

#define BENCH_MAX_REPS 15
#define BENCH_PROTO_ID PROTOCOL_ID(PROTO_TYPE_MCAST, PROTO_VENDOR_MS2, 0xBE)
#define BENCH_COMPONENT 1
#define BENCH_NGROUPS 1024
#define BENCH_TIME_BUDGET_S 100.0 /* reps are cut if one would not fit */

/* ---- Options, workload, results ------------------------------------------ */

struct bench_opts {
  double scale;  /* 1 = 1,000,000 memberships and 100,000 MFEs */
  unsigned reps; /* samples per phase; the median is reported */
};

struct bench_work {
  size_t n_memb;          /* memberships */
  size_t n_mfe;           /* MFEs created by injection */
  unsigned lookup_passes; /* lookups per sample = passes * n_mfe */
  unsigned enum_passes;   /* full enumerations per sample */
  struct bench_key *keys; /* n_memb distinct (S,G) */
  uint32_t *add_order;    /* permutation of keys: add order */
  uint32_t *del_order;    /* another permutation: delete order */
  uint32_t *mfe_order;    /* n_mfe key indexes: the injected (S,G) */
  uint32_t *lookup_order; /* permutation of mfe_order: lookup order */
  uint64_t mfe_sum;       /* expected bench_enum_check sum of the MFEs */
};

/* Per-rep times of every phase, seconds. */
struct bench_times {
  double add[BENCH_MAX_REPS], add_f[BENCH_MAX_REPS];
  double add_warm_f[BENCH_MAX_REPS]; /* floor insert, table sized+faulted */
  double del[BENCH_MAX_REPS], del_f[BENCH_MAX_REPS];
  double del_locked_f[BENCH_MAX_REPS]; /* floor delete, mutex per delete */
  double create[BENCH_MAX_REPS], create_f[BENCH_MAX_REPS];
  double lookup[BENCH_MAX_REPS], lookup_f[BENCH_MAX_REPS];
  double enumr[BENCH_MAX_REPS], enum_f[BENCH_MAX_REPS];
  double enum_iter_f[BENCH_MAX_REPS];
  double expire[BENCH_MAX_REPS];
};

/* Per-rep samples: elapsed (CLOCK_MONOTONIC, what the figures and targets
 * use) and process CPU time (all threads; a cross-check that a loaded
 * machine's waiting does not count), and bytes per object. */
struct bench_samples {
  struct bench_times wall;
  struct bench_times cpu;
  double mem_memb[BENCH_MAX_REPS], mem_memb_f[BENCH_MAX_REPS];
  double mem_mfe[BENCH_MAX_REPS], mem_mfe_f[BENCH_MAX_REPS];
  unsigned n; /* reps done */
};

static unsigned bench_failures; /* correctness failures */
static pthread_mutex_t bench_floor_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_ulong bench_cb_rpf; /* callback counters */
static atomic_ulong bench_cb_create;
static atomic_ulong bench_cb_prune;
static atomic_ulong bench_cb_join;
static atomic_ulong bench_cb_other;
static atomic_ulong bench_log_lines;

static void bench_fail(const char *fmt, ...) {
  va_list ap;

  if (bench_failures++ >= 20)
    return;
  fputs("bench_core: FAIL: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

/* ---- Trivial protocol callbacks ------------------------------------------ */

static DWORD bench_rpf_cb(DWORD dwSourceAddr, DWORD dwSourceMask,
                          DWORD dwGroupAddr, DWORD dwGroupMask,
                          PDWORD pdwInIfIndex, PDWORD pdwInIfNextHopAddr,
                          PDWORD pdwUpStreamNbr, DWORD dwHdrSize,
                          PBYTE pbPacketHdr, PBYTE pbRoute) {
  (void)dwSourceAddr, (void)dwSourceMask, (void)dwGroupAddr;
  (void)dwGroupMask, (void)pdwInIfIndex, (void)pdwInIfNextHopAddr;
  (void)pdwUpStreamNbr, (void)dwHdrSize, (void)pbPacketHdr, (void)pbRoute;
  atomic_fetch_add_explicit(&bench_cb_rpf, 1, memory_order_relaxed);
  return NO_ERROR;
}

static DWORD bench_create_cb(DWORD dwSourceAddr, DWORD dwSourceMask,
                             DWORD dwGroupAddr, DWORD dwGroupMask,
                             DWORD dwInIfIndex, DWORD dwInIfNextHopAddr,
                             DWORD dwIfCount, PMGM_IF_ENTRY pmieOutIfList) {
  (void)dwSourceAddr, (void)dwSourceMask, (void)dwGroupAddr;
  (void)dwGroupMask, (void)dwInIfIndex, (void)dwInIfNextHopAddr;
  (void)dwIfCount, (void)pmieOutIfList;
  atomic_fetch_add_explicit(&bench_cb_create, 1, memory_order_relaxed);
  return NO_ERROR;
}

static DWORD bench_prune_cb(DWORD dwSourceAddr, DWORD dwSourceMask,
                            DWORD dwGroupAddr, DWORD dwGroupMask,
                            DWORD dwIfIndex, DWORD dwIfNextHopAddr,
                            BOOL bMemberDelete, PDWORD pdwTimeout) {
  (void)dwSourceAddr, (void)dwSourceMask, (void)dwGroupAddr;
  (void)dwGroupMask, (void)dwIfIndex, (void)dwIfNextHopAddr;
  (void)bMemberDelete, (void)pdwTimeout;
  atomic_fetch_add_explicit(&bench_cb_prune, 1, memory_order_relaxed);
  return NO_ERROR;
}

static DWORD bench_join_cb(DWORD dwSourceAddr, DWORD dwSourceMask,
                           DWORD dwGroupAddr, DWORD dwGroupMask,
                           BOOL bMemberUpdate) {
  (void)dwSourceAddr, (void)dwSourceMask, (void)dwGroupAddr;
  (void)dwGroupMask, (void)bMemberUpdate;
  atomic_fetch_add_explicit(&bench_cb_join, 1, memory_order_relaxed);
  return NO_ERROR;
}

static DWORD bench_wrongif_cb(DWORD dwSourceAddr, DWORD dwGroupAddr,
                              DWORD dwIfIndex, DWORD dwIfNextHopAddr,
                              DWORD dwHdrSize, PBYTE pbPacketHdr) {
  (void)dwSourceAddr, (void)dwGroupAddr, (void)dwIfIndex;
  (void)dwIfNextHopAddr, (void)dwHdrSize, (void)pbPacketHdr;
  atomic_fetch_add_explicit(&bench_cb_other, 1, memory_order_relaxed);
  return NO_ERROR;
}

static DWORD bench_local_cb(DWORD dwSourceAddr, DWORD dwSourceMask,
                            DWORD dwGroupAddr, DWORD dwGroupMask,
                            DWORD dwIfIndex, DWORD dwIfNextHopAddr) {
  (void)dwSourceAddr, (void)dwSourceMask, (void)dwGroupAddr;
  (void)dwGroupMask, (void)dwIfIndex, (void)dwIfNextHopAddr;
  atomic_fetch_add_explicit(&bench_cb_other, 1, memory_order_relaxed);
  return NO_ERROR;
}

static DWORD bench_igmp_cb(DWORD dwIfIndex, DWORD dwIfNextHopAddr) {
  (void)dwIfIndex, (void)dwIfNextHopAddr;
  atomic_fetch_add_explicit(&bench_cb_other, 1, memory_order_relaxed);
  return NO_ERROR;
}

/* libmgm's log hook: count lines, show the first few. */
static void bench_log(void *ctx, int level, const char *channel,
                      const char *message) {
  unsigned long n;

  (void)ctx;
  n = atomic_fetch_add_explicit(&bench_log_lines, 1, memory_order_relaxed);
  if (n < 5)
    fprintf(stderr, "libmgm log: level %d %s: %s\n", level,
            channel ? channel : "-", message ? message : "");
}

/* ---- Workload ------------------------------------------------------------ */

static int bench_work_init(struct bench_work *w, const struct bench_opts *o) {
  uint64_t rng = UINT64_C(0x9E3779B97F4A7C15);
  size_t i;

  memset(w, 0, sizeof(*w));
  w->n_memb = (size_t)llround(1000000.0 * o->scale);
  w->n_mfe = (size_t)llround(100000.0 * o->scale);
  if (w->n_memb < 32)
    w->n_memb = 32;
  if (w->n_mfe < 1)
    w->n_mfe = 1;
  if (w->n_mfe > w->n_memb)
    w->n_mfe = w->n_memb;
  w->lookup_passes = 10;
  w->enum_passes = 5;
  w->keys = malloc(w->n_memb * sizeof(*w->keys));
  w->add_order = malloc(w->n_memb * sizeof(uint32_t));
  w->del_order = malloc(w->n_memb * sizeof(uint32_t));
  w->mfe_order = malloc(w->n_mfe * sizeof(uint32_t));
  w->lookup_order = malloc(w->n_mfe * sizeof(uint32_t));
  if (!w->keys || !w->add_order || !w->del_order || !w->mfe_order ||
      !w->lookup_order)
    return -1;
  /* 1024 groups in 239.0.0.0/8, sources in 10.0.0.0/8: each index gives a
   * distinct (S,G); the interface is a hash of the index, so it does not
   * follow the group. */
  for (i = 0; i < w->n_memb; i++) {
    uint32_t g = (uint32_t)(i % BENCH_NGROUPS);
    uint32_t s = (uint32_t)(i / BENCH_NGROUPS);

    w->keys[i].grp = htonl(0xEF000000u + g + 1);
    w->keys[i].src = htonl(0x0A000000u + s + 1);
    w->keys[i].ifindex = 1 + (uint32_t)(bench_mix64(i + 1) % BENCH_NIFS);
    w->add_order[i] = (uint32_t)i;
    w->del_order[i] = (uint32_t)i;
  }
  bench_shuffle_u32(w->add_order, w->n_memb, &rng);
  bench_shuffle_u32(w->del_order, w->n_memb, &rng);
  /* The MFEs are a random subset of the memberships. */
  for (i = 0; i < w->n_mfe; i++) {
    const struct bench_key *k = &w->keys[w->add_order[i]];

    w->mfe_order[i] = w->add_order[i];
    w->lookup_order[i] = w->add_order[i];
    w->mfe_sum += bench_mix64(bench_pack(k->src, k->grp));
  }
  bench_shuffle_u32(w->lookup_order, w->n_mfe, &rng);
  return 0;
}

static void bench_work_free(struct bench_work *w) {
  free(w->keys);
  free(w->add_order);
  free(w->del_order);
  free(w->mfe_order);
  free(w->lookup_order);
}

/* ---- libmgm set-up ------------------------------------------------------- */

static HANDLE bench_proto;

static int bench_lib_start(void) {
  ROUTING_PROTOCOL_CONFIG rpc;
  struct libmgm_config cfg;
  DWORD rc;
  DWORD i;

  libmgm_config_init(&cfg);
  cfg.backend = "sim";
  cfg.mfe_lifetime_s = 900;
  cfg.log_fn = bench_log;
  rc = libmgm_start(&cfg);
  if (rc != NO_ERROR) {
    bench_fail("libmgm_start(sim) returned %lu", (unsigned long)rc);
    return -1;
  }
  rc = libmgm_sim_set_limits(0);
  if (rc != NO_ERROR)
    fprintf(stderr, "bench_core: note: libmgm_sim_set_limits(0) returned %lu\n",
            (unsigned long)rc);
  for (i = 1; i <= BENCH_NIFS; i++) {
    char name[16];

    snprintf(name, sizeof(name), "bench%lu", (unsigned long)i);
    rc = libmgm_sim_if_add(i, name, htonl(0xC0A80001u | (i << 8)), 24);
    if (rc != NO_ERROR && rc != ERROR_ALREADY_EXISTS) {
      bench_fail("libmgm_sim_if_add(%lu) returned %lu", (unsigned long)i,
                 (unsigned long)rc);
      return -1;
    }
  }
  memset(&rpc, 0, sizeof(rpc));
  rpc.pfnRpfCallback = bench_rpf_cb;
  rpc.pfnCreationAlertCallback = bench_create_cb;
  rpc.pfnPruneAlertCallback = bench_prune_cb;
  rpc.pfnJoinAlertCallback = bench_join_cb;
  rpc.pfnWrongIfCallback = bench_wrongif_cb;
  rpc.pfnLocalJoinCallback = bench_local_cb;
  rpc.pfnLocalLeaveCallback = bench_local_cb;
  rpc.pfnDisableIgmpCallback = bench_igmp_cb;
  rpc.pfnEnableIgmpCallback = bench_igmp_cb;
  rc =
      MgmRegisterMProtocol(&rpc, BENCH_PROTO_ID, BENCH_COMPONENT, &bench_proto);
  if (rc != NO_ERROR) {
    bench_fail("MgmRegisterMProtocol returned %lu", (unsigned long)rc);
    return -1;
  }
  for (i = 1; i <= BENCH_NIFS; i++) {
    rc = MgmTakeInterfaceOwnership(bench_proto, i, 0);
    if (rc != NO_ERROR) {
      bench_fail("MgmTakeInterfaceOwnership(%lu) returned %lu",
                 (unsigned long)i, (unsigned long)rc);
      return -1;
    }
  }
  /* Every source (10.0.0.0/8) resolves to interface 1, connected. */
  rc = libmgm_sim_route_add(htonl(0x0A000000u), htonl(0xFF000000u), BENCH_IIF,
                            0, PROTO_IP_NETMGMT);
  if (rc != NO_ERROR) {
    bench_fail("libmgm_sim_route_add returned %lu", (unsigned long)rc);
    return -1;
  }
  return 0;
}

static void bench_lib_stop(void) {
  DWORD rc;
  DWORD i;

  for (i = 1; i <= BENCH_NIFS; i++) {
    rc = MgmReleaseInterfaceOwnership(bench_proto, i, 0);
    if (rc != NO_ERROR)
      bench_fail("MgmReleaseInterfaceOwnership(%lu) returned %lu",
                 (unsigned long)i, (unsigned long)rc);
  }
  rc = MgmDeRegisterMProtocol(bench_proto);
  if (rc != NO_ERROR)
    bench_fail("MgmDeRegisterMProtocol returned %lu", (unsigned long)rc);
  rc = libmgm_stop();
  if (rc != NO_ERROR)
    bench_fail("libmgm_stop returned %lu", (unsigned long)rc);
}

/* ---- libmgm phases ------------------------------------------------------- */

static size_t bench_lib_add(const struct bench_work *w) {
  size_t bad = 0;
  size_t i;

  for (i = 0; i < w->n_memb; i++) {
    const struct bench_key *k = &w->keys[w->add_order[i]];
    DWORD rc = MgmAddGroupMembershipEntry(bench_proto, k->src, 0xFFFFFFFFu,
                                          k->grp, 0xFFFFFFFFu, k->ifindex, 0,
                                          MGM_JOIN_STATE_FLAG);

    if (rc != NO_ERROR && bad++ == 0)
      bench_fail("MgmAddGroupMembershipEntry returned %lu", (unsigned long)rc);
  }
  return bad;
}

static size_t bench_lib_del(const struct bench_work *w) {
  size_t bad = 0;
  size_t i;

  for (i = 0; i < w->n_memb; i++) {
    const struct bench_key *k = &w->keys[w->del_order[i]];
    DWORD rc = MgmDeleteGroupMembershipEntry(bench_proto, k->src, 0xFFFFFFFFu,
                                             k->grp, 0xFFFFFFFFu, k->ifindex, 0,
                                             MGM_JOIN_STATE_FLAG);

    if (rc != NO_ERROR && bad++ == 0)
      bench_fail("MgmDeleteGroupMembershipEntry returned %lu",
                 (unsigned long)rc);
  }
  return bad;
}

/* Verdict tallies of the last injection round. */
static size_t bench_verdicts[5];
static size_t bench_verdict_other;

static size_t bench_lib_inject(const struct bench_work *w) {
  size_t bad = 0;
  size_t i;

  memset(bench_verdicts, 0, sizeof(bench_verdicts));
  bench_verdict_other = 0;
  for (i = 0; i < w->n_mfe; i++) {
    const struct bench_key *k = &w->keys[w->mfe_order[i]];
    struct libmgm_sim_result res;
    DWORD rc;

    res.verdict = 0xFFFFFFFFu;
    rc = libmgm_sim_inject(BENCH_IIF, k->src, k->grp, 16, 128, &res);
    if (rc != NO_ERROR) {
      if (bad++ == 0)
        bench_fail("libmgm_sim_inject returned %lu", (unsigned long)rc);
      continue;
    }
    if (res.verdict < 5)
      bench_verdicts[res.verdict]++;
    else
      bench_verdict_other++;
  }
  return bad;
}

static size_t bench_lib_lookup(const struct bench_work *w, uint64_t *sum) {
  union {
    MIB_IPMCAST_MFE mfe;
    unsigned char
        b[sizeof(MIB_IPMCAST_MFE) + BENCH_NIFS * sizeof(MIB_IPMCAST_OIF)];
  } out;
  size_t bad = 0;
  unsigned p;
  size_t i;

  *sum = 0;
  for (p = 0; p < w->lookup_passes; p++) {
    for (i = 0; i < w->n_mfe; i++) {
      const struct bench_key *k = &w->keys[w->lookup_order[i]];
      MIB_IPMCAST_MFE q;
      DWORD size = sizeof(out);
      DWORD rc;

      memset(&q, 0, SIZEOF_BASIC_MIB_MFE);
      q.dwGroup = k->grp;
      q.dwSource = k->src;
      rc = MgmGetMfe(&q, &size, out.b);
      if (rc != NO_ERROR || out.mfe.dwSource != k->src ||
          out.mfe.dwGroup != k->grp) {
        if (bad++ == 0)
          bench_fail("MgmGetMfe returned %lu (or another record)",
                     (unsigned long)rc);
        continue;
      }
      *sum += out.mfe.dwSource;
    }
  }
  return bad;
}

/* One full MgmGetFirstMfe/MgmGetNextMfe walk into a BENCH_ENUM_BUF buffer;
 * returns 0 or -1 on an unexpected return code. */
static int bench_lib_enum(unsigned char *buf, struct bench_enum_check *c) {
  MIB_IPMCAST_MFE start;
  DWORD size = BENCH_ENUM_BUF;
  DWORD n = 0;
  DWORD rc;

  bench_enum_check_init(c);
  rc = MgmGetFirstMfe(&size, buf, &n);
  for (;;) {
    if (rc != NO_ERROR && rc != ERROR_MORE_DATA && rc != ERROR_NO_MORE_ITEMS) {
      bench_fail("MgmGet%sMfe returned %lu after %llu records",
                 c->count ? "Next" : "First", (unsigned long)rc,
                 (unsigned long long)c->count);
      return -1;
    }
    bench_enum_consume(c, buf, size, n);
    if (rc == ERROR_NO_MORE_ITEMS)
      return 0;
    if (n == 0) {
      bench_fail("MgmGetNextMfe returned %lu with no records",
                 (unsigned long)rc);
      return -1;
    }
    memset(&start, 0, sizeof(start));
    start.dwGroup = c->last_grp;
    start.dwSource = c->last_src;
    size = BENCH_ENUM_BUF;
    n = 0;
    rc = MgmGetNextMfe(&start, &size, buf, &n);
  }
}

static void bench_check_enum(const char *who, const struct bench_enum_check *c,
                             const struct bench_work *w, int check_order) {
  if (c->count != w->n_mfe)
    bench_fail("%s enumeration returned %llu records, expected %zu", who,
               (unsigned long long)c->count, w->n_mfe);
  else if (c->sum != w->mfe_sum)
    bench_fail("%s enumeration returned another set of (S,G)", who);
  if (check_order && c->bad_order)
    bench_fail("%s enumeration: %u records out of (group, source) order", who,
               c->bad_order);
  if (c->bad_size)
    bench_fail("%s enumeration: %u records overrun the buffer", who,
               c->bad_size);
}

/* ---- One repetition of every phase --------------------------------------- */

static double bench_sec(uint64_t t0, uint64_t t1) {
  return (double)(t1 - t0) / 1e9;
}

static double bench_per(long long h0, long long h1, size_t n) {
  if (h0 < 0 || h1 < 0 || n == 0)
    return NAN;
  return (double)(h1 - h0) / (double)n;
}

static int bench_rep(const struct bench_work *w, struct bench_samples *s,
                     struct floor_worker *fw, unsigned char *buf, int verbose) {
  struct floor_table fm;
  struct floor_table ff;
  struct bench_enum_check c;
  unsigned r = s->n;
  uint64_t t0;
  uint64_t t1;
  uint64_t c0;
  uint64_t c1;
  long long h0;
  long long h1;
  uint64_t sum_f;
  uint64_t sum_l;
  size_t misses;
  unsigned p;
  DWORD entries;
  DWORD slots;
  DWORD n;
  DWORD size;
  DWORD rc;

  if (floor_table_init(&fm) != 0 || floor_table_init(&ff) != 0)
    return -1;

  /* Memberships: add. */
  t0 = bench_now_ns();
  c0 = bench_cpu_ns();
  if (floor_memb_add(&fm, w->keys, w->add_order, w->n_memb))
    bench_fail("floor: memberships not inserted");
  c1 = bench_cpu_ns();
  t1 = bench_now_ns();
  s->wall.add_f[r] = bench_sec(t0, t1);
  s->cpu.add_f[r] = bench_sec(c0, c1);
  s->mem_memb_f[r] = (double)floor_table_bytes(&fm) / (double)w->n_memb;

  h0 = bench_heap_bytes();
  t0 = bench_now_ns();
  c0 = bench_cpu_ns();
  bench_lib_add(w);
  c1 = bench_cpu_ns();
  t1 = bench_now_ns();
  h1 = bench_heap_bytes();
  s->wall.add[r] = bench_sec(t0, t1);
  s->cpu.add[r] = bench_sec(c0, c1);
  s->mem_memb[r] = bench_per(h0, h1, w->n_memb);

  /* MFEs: create through the sim (libmgm) / through a worker (floor). */
  atomic_store(&bench_cb_rpf, 0);
  atomic_store(&bench_cb_create, 0);
  atomic_store(&bench_cb_prune, 0);
  atomic_store(&bench_cb_join, 0);
  t0 = bench_now_ns();
  c0 = bench_cpu_ns();
  if (floor_mfe_create(fw, &ff, w->keys, w->mfe_order, w->n_mfe))
    bench_fail("floor: MFEs not inserted");
  c1 = bench_cpu_ns();
  t1 = bench_now_ns();
  s->wall.create_f[r] = bench_sec(t0, t1);
  s->cpu.create_f[r] = bench_sec(c0, c1);
  s->mem_mfe_f[r] = (double)floor_table_bytes(&ff) / (double)w->n_mfe;

  h0 = bench_heap_bytes();
  t0 = bench_now_ns();
  c0 = bench_cpu_ns();
  bench_lib_inject(w);
  c1 = bench_cpu_ns();
  t1 = bench_now_ns();
  h1 = bench_heap_bytes();
  s->wall.create[r] = bench_sec(t0, t1);
  s->cpu.create[r] = bench_sec(c0, c1);
  s->mem_mfe[r] = bench_per(h0, h1, w->n_mfe);
  if (verbose) {
    entries = slots = 0;
    rc = libmgm_sim_kernel_count(&entries, &slots);
    printf("# rep %u: inject verdicts forwarded=%zu negative=%zu "
           "wrong_if=%zu pending=%zu not_routed=%zu other=%zu; callbacks "
           "rpf=%lu creation=%lu prune=%lu join=%lu; sim entries=%lu "
           "slots=%lu (rc %lu)\n",
           r + 1, bench_verdicts[0], bench_verdicts[1], bench_verdicts[2],
           bench_verdicts[3], bench_verdicts[4], bench_verdict_other,
           atomic_load(&bench_cb_rpf), atomic_load(&bench_cb_create),
           atomic_load(&bench_cb_prune), atomic_load(&bench_cb_join),
           (unsigned long)entries, (unsigned long)slots, (unsigned long)rc);
  }

  /* Lookups. */
  t0 = bench_now_ns();
  c0 = bench_cpu_ns();
  sum_f = floor_mfe_lookup(&ff, w->keys, w->lookup_order, w->n_mfe,
                           w->lookup_passes, &misses);
  c1 = bench_cpu_ns();
  t1 = bench_now_ns();
  s->wall.lookup_f[r] = bench_sec(t0, t1);
  s->cpu.lookup_f[r] = bench_sec(c0, c1);
  if (misses)
    bench_fail("floor: %zu lookups missed", misses);

  t0 = bench_now_ns();
  c0 = bench_cpu_ns();
  bench_lib_lookup(w, &sum_l);
  c1 = bench_cpu_ns();
  t1 = bench_now_ns();
  s->wall.lookup[r] = bench_sec(t0, t1);
  s->cpu.lookup[r] = bench_sec(c0, c1);
  if (sum_l != sum_f)
    bench_fail("MgmGetMfe lookups returned other records than the floor");

  /* Enumeration: floor sorted, floor iteration only, libmgm. */
  t0 = bench_now_ns();
  c0 = bench_cpu_ns();
  for (p = 0; p < w->enum_passes; p++) {
    bench_enum_check_init(&c);
    if (floor_mfe_enum_sorted(&ff, &c) != 0)
      bench_fail("floor: sorted enumeration out of memory");
  }
  c1 = bench_cpu_ns();
  t1 = bench_now_ns();
  s->wall.enum_f[r] = bench_sec(t0, t1) / w->enum_passes;
  s->cpu.enum_f[r] = bench_sec(c0, c1) / w->enum_passes;
  bench_check_enum("floor sorted", &c, w, 1);

  t0 = bench_now_ns();
  c0 = bench_cpu_ns();
  for (p = 0; p < w->enum_passes; p++) {
    bench_enum_check_init(&c);
    if (floor_mfe_enum_iter(&ff, &c) != 0)
      bench_fail("floor: enumeration out of memory");
  }
  c1 = bench_cpu_ns();
  t1 = bench_now_ns();
  s->wall.enum_iter_f[r] = bench_sec(t0, t1) / w->enum_passes;
  s->cpu.enum_iter_f[r] = bench_sec(c0, c1) / w->enum_passes;
  bench_check_enum("floor iteration", &c, w, 0);

  t0 = bench_now_ns();
  c0 = bench_cpu_ns();
  for (p = 0; p < w->enum_passes; p++) {
    if (bench_lib_enum(buf, &c) != 0)
      break;
    bench_check_enum("libmgm", &c, w, 1);
  }
  c1 = bench_cpu_ns();
  t1 = bench_now_ns();
  s->wall.enumr[r] = bench_sec(t0, t1) / w->enum_passes;
  s->cpu.enumr[r] = bench_sec(c0, c1) / w->enum_passes;

  /* Expire every MFE with the virtual clock (timed for information). */
  floor_table_destroy(&ff);
  t0 = bench_now_ns();
  c0 = bench_cpu_ns();
  rc = libmgm_sim_advance(1000u * 1000u);
  c1 = bench_cpu_ns();
  t1 = bench_now_ns();
  s->wall.expire[r] = bench_sec(t0, t1);
  s->cpu.expire[r] = bench_sec(c0, c1);
  if (rc != NO_ERROR)
    bench_fail("libmgm_sim_advance returned %lu", (unsigned long)rc);
  size = BENCH_ENUM_BUF;
  n = 0;
  rc = MgmGetFirstMfe(&size, buf, &n);
  if (rc != ERROR_NO_MORE_ITEMS || n != 0)
    bench_fail("after expiry MgmGetFirstMfe returned %lu with %lu records",
               (unsigned long)rc, (unsigned long)n);

  /* Memberships: delete. */
  t0 = bench_now_ns();
  c0 = bench_cpu_ns();
  if (floor_memb_del(&fm, w->keys, w->del_order, w->n_memb, NULL))
    bench_fail("floor: memberships not deleted");
  c1 = bench_cpu_ns();
  t1 = bench_now_ns();
  s->wall.del_f[r] = bench_sec(t0, t1);
  s->cpu.del_f[r] = bench_sec(c0, c1);

  t0 = bench_now_ns();
  c0 = bench_cpu_ns();
  bench_lib_del(w);
  c1 = bench_cpu_ns();
  t1 = bench_now_ns();
  s->wall.del[r] = bench_sec(t0, t1);
  s->cpu.del[r] = bench_sec(c0, c1);

  /* The emptied floor table keeps its capacity and its pages: inserting
   * again measures the table without growth or first-touch page faults. */
  t0 = bench_now_ns();
  c0 = bench_cpu_ns();
  if (floor_memb_add(&fm, w->keys, w->add_order, w->n_memb))
    bench_fail("floor: memberships not re-inserted");
  c1 = bench_cpu_ns();
  t1 = bench_now_ns();
  s->wall.add_warm_f[r] = bench_sec(t0, t1);
  s->cpu.add_warm_f[r] = bench_sec(c0, c1);

  /* The same deletes with a mutex taken around each: what thread safety
   * alone costs a bare table (the misses of consecutive deletes still
   * overlap). */
  t0 = bench_now_ns();
  c0 = bench_cpu_ns();
  if (floor_memb_del(&fm, w->keys, w->del_order, w->n_memb, &bench_floor_mu))
    bench_fail("floor: memberships not deleted under the mutex");
  c1 = bench_cpu_ns();
  t1 = bench_now_ns();
  s->wall.del_locked_f[r] = bench_sec(t0, t1);
  s->cpu.del_locked_f[r] = bench_sec(c0, c1);
  floor_table_destroy(&fm);

  if (verbose)
    printf("# rep %u (s): add %.3f/%.3f(warm %.3f) del %.3f/%.3f "
           "inject %.3f/%.3f lookup %.3f/%.3f enum %.4f/%.4f(iter %.4f) "
           "[libmgm/floor]\n",
           r + 1, s->wall.add[r], s->wall.add_f[r], s->wall.add_warm_f[r],
           s->wall.del[r], s->wall.del_f[r], s->wall.create[r],
           s->wall.create_f[r], s->wall.lookup[r], s->wall.lookup_f[r],
           s->wall.enumr[r], s->wall.enum_f[r], s->wall.enum_iter_f[r]);
  s->n++;
  return 0;
}

/* ---- Report
 * ------------------------------------------------------------------- */

enum bench_kind {
  BENCH_RATE, /* operations per second */
  BENCH_TIME, /* milliseconds */
  BENCH_BYTES /* bytes per object */
};

struct bench_metric {
  const char *name;
  enum bench_kind kind;
  double lib;             /* libmgm figure */
  double floor;           /* floor figure */
  double max_ratio;       /* target on the ratio; 0 = none */
  double max_abs;         /* target on the libmgm figure; 0 = none */
  const char *floor_what; /* what the floor is, for the table's notes */
  double ratio;           /* slowdown factor, bench_paired() of elapsed times */
  double cpu_ratio;       /* the same from process CPU times (cross-check) */
};

static double bench_ratio(const struct bench_metric *m) {
  return m->ratio;
}

/* Slowdown factor of libmgm over the floor: the median over reps of the
 * per-rep ratio libmgm/floor of times (or of bytes).  Each rep runs a phase
 * and its floor back to back, so a load change on the shared machine
 * between reps cancels out of the ratio. */
static double bench_paired(const double *lib, const double *flo, unsigned n) {
  double r[BENCH_MAX_REPS];
  unsigned k = 0;
  unsigned i;

  for (i = 0; i < n; i++)
    if (lib[i] > 0 && flo[i] > 0)
      r[k++] = lib[i] / flo[i];
  return k ? bench_median(r, k) : NAN;
}

static const char *bench_verdict(const struct bench_metric *m, double ratio) {
  int have = 0;
  int ok = 1;

  if (m->max_ratio > 0) {
    have = 1;
    ok = ok && !isnan(ratio) && ratio <= m->max_ratio;
  }
  if (m->max_abs > 0) {
    have = 1;
    ok = ok && !isnan(m->lib) && m->lib < m->max_abs;
  }
  if (!have)
    return "INFO";
  return ok ? "PASS" : "MISS";
}

/* "target<=3", "target<200", "target=none" for the metric lines; the
 * table shows the same without the word. */
static void bench_target(const struct bench_metric *m, char *out, size_t len,
                         int bare) {
  const char *w = bare ? "" : "target";

  if (m->max_ratio > 0)
    snprintf(out, len, "%s<=%g%s", w, m->max_ratio, bare ? "x" : "");
  else if (m->max_abs > 0)
    snprintf(out, len, "%s<%g%s", w, m->max_abs, bare ? "B" : "");
  else
    snprintf(out, len, "%s%s", w, bare ? "-" : "=none");
}

static void bench_fmt(double v, char *out, size_t len) {
  if (isnan(v))
    snprintf(out, len, "n/a");
  else if (v >= 1e6)
    snprintf(out, len, "%.3fM", v / 1e6);
  else if (v >= 1e4)
    snprintf(out, len, "%.1fk", v / 1e3);
  else
    snprintf(out, len, "%.2f", v);
}

static void bench_report(const struct bench_metric *m, size_t n) {
  size_t i;

  printf("\n%-22s %12s %12s %9s %9s  %-12s %s\n", "metric", "libmgm", "floor",
         "ratio", "cpu-ratio", "target", "result");
  for (i = 0; i < n; i++) {
    char lib[32];
    char flo[32];
    char rat[32];
    char tgt[32];
    char cpu[32];
    double ratio = bench_ratio(&m[i]);

    bench_fmt(m[i].lib, lib, sizeof(lib));
    if (isnan(m[i].cpu_ratio))
      snprintf(cpu, sizeof(cpu), "-");
    else
      snprintf(cpu, sizeof(cpu), "%.2fx", m[i].cpu_ratio);
    bench_fmt(m[i].floor, flo, sizeof(flo));
    if (isnan(ratio))
      snprintf(rat, sizeof(rat), "n/a");
    else
      snprintf(rat, sizeof(rat), "%.2fx", ratio);
    bench_target(&m[i], tgt, sizeof(tgt), 1);
    printf("%-22s %12s %12s %9s %9s  %-12s %s\n", m[i].name, lib, flo, rat, cpu,
           tgt, bench_verdict(&m[i], ratio));
  }
  printf("\nlibmgm, floor: medians over reps (rates from elapsed time).\n"
         "ratio: libmgm's slowdown (or size) factor, the median of the "
         "per-rep\n  libmgm/floor ratios of elapsed time; targets apply to "
         "it.\ncpu-ratio: the same from process CPU time (all threads), a "
         "cross-check\n  less sensitive to a busy machine.\nfloors:\n");
  for (i = 0; i < n; i++)
    printf("  %-20s %s\n", m[i].name, m[i].floor_what);
  printf("\n");
  for (i = 0; i < n; i++) {
    char tgt[32];
    char cpu[32] = "";
    double ratio = bench_ratio(&m[i]);

    if (!isnan(m[i].cpu_ratio))
      snprintf(cpu, sizeof(cpu), " cpu_ratio=%.3f", m[i].cpu_ratio);
    bench_target(&m[i], tgt, sizeof(tgt), 0);
    printf("metric %s libmgm=%.6g floor=%.6g ratio=%.3f%s %s %s\n", m[i].name,
           m[i].lib, m[i].floor, ratio, cpu, tgt, bench_verdict(&m[i], ratio));
  }
}

static double bench_rate(size_t ops, const double *sec, unsigned n) {
  double med = bench_median(sec, n);

  return med > 0 ? (double)ops / med : NAN;
}

/* The 1-minute load average, or -1: a busy shared machine makes the
 * absolute figures noisy (the paired ratios less so). */
static double bench_load(void) {
  double l[1];

  return getloadavg(l, 1) == 1 ? l[0] : -1.0;
}

static void bench_usage(FILE *f) {
  fprintf(f,
          "usage: bench_core [--scale F] [--reps N]\n"
          "  --scale F  workload scale (1 = 1,000,000 memberships, 100,000 "
          "MFEs; 0.01 = quick run)\n"
          "  --reps N   samples per phase, median reported (1..%d, default "
          "3)\n",
          BENCH_MAX_REPS);
}

static int bench_parse(int argc, char **argv, struct bench_opts *o) {
  int i;

  o->scale = 1.0;
  o->reps = 3;
  for (i = 1; i < argc; i++) {
    char *end;

    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      bench_usage(stdout);
      exit(0);
    } else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) {
      o->scale = strtod(argv[++i], &end);
      if (*end != '\0' || !(o->scale > 0) || o->scale > 10)
        return -1;
    } else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
      long v = strtol(argv[++i], &end, 10);

      if (*end != '\0' || v < 1 || v > BENCH_MAX_REPS)
        return -1;
      o->reps = (unsigned)v;
    } else {
      return -1;
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  static struct bench_samples s;
  struct bench_opts o;
  struct bench_work w;
  struct floor_worker *fw = NULL;
  unsigned char *buf = NULL;
  struct bench_metric m[10];
  unsigned reps;
  uint64_t start;
  size_t n_lookups;
  double ms;
  int rc = 1;

  if (bench_parse(argc, argv, &o) != 0) {
    bench_usage(stderr);
    return 2;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (bench_work_init(&w, &o) != 0) {
    fprintf(stderr, "bench_core: out of memory\n");
    goto out;
  }
  printf("bench_core: scale %g: %zu (S,G) memberships, %zu MFEs, %d "
         "interfaces; %u reps, median reported\n",
         o.scale, w.n_memb, w.n_mfe, BENCH_NIFS, o.reps);
  printf("bench_core: build type %s; clock CLOCK_MONOTONIC; libmgm memory = "
         "mallinfo2() (uordblks + hblkhd) delta around each phase%s; floor "
         "memory = its slot array's size\n",
         BENCH_BUILD_TYPE, bench_heap_bytes() < 0 ? " (unavailable here)" : "");
  buf = malloc(BENCH_ENUM_BUF);
  fw = floor_worker_start();
  if (buf == NULL || fw == NULL) {
    fprintf(stderr, "bench_core: out of memory\n");
    goto out;
  }
  if (bench_lib_start() != 0)
    goto out;

  printf("bench_core: load average at start %.2f (%s)\n", bench_load(),
         "a busy machine inflates the absolute figures more than the ratios");
  start = bench_now_ns();
  reps = o.reps;
  while (s.n < reps && bench_failures == 0) {
    if (bench_rep(&w, &s, fw, buf, 1) != 0) {
      bench_fail("out of memory in rep %u", s.n + 1);
      break;
    }
    if (s.n == 1) {
      double one = bench_sec(start, bench_now_ns());
      unsigned fit = (unsigned)(BENCH_TIME_BUDGET_S / (one > 0 ? one : 1));

      if (fit < 1)
        fit = 1;
      if (fit < reps) {
        printf("# one rep took %.1f s: reps cut from %u to %u to stay within "
               "%.0f s\n",
               one, reps, fit, BENCH_TIME_BUDGET_S);
        reps = fit;
      }
    }
  }
  bench_lib_stop();
  printf("bench_core: load average at end %.2f; %u reps in %.1f s\n",
         bench_load(), s.n, bench_sec(start, bench_now_ns()));
  if (s.n == 0)
    goto out;

  printf("# phases per rep: add %.3f s, inject %.3f s, lookups %.3f s, "
         "enumeration %.2f ms, expiry %.3f s, delete %.3f s (medians)\n",
         bench_median(s.wall.add, s.n), bench_median(s.wall.create, s.n),
         bench_median(s.wall.lookup, s.n),
         bench_median(s.wall.enumr, s.n) * 1e3,
         bench_median(s.wall.expire, s.n), bench_median(s.wall.del, s.n));

  n_lookups = (size_t)w.lookup_passes * w.n_mfe;
  memset(m, 0, sizeof(m));
  m[0] = (struct bench_metric){"add_per_s",
                               BENCH_RATE,
                               bench_rate(w.n_memb, s.wall.add, s.n),
                               bench_rate(w.n_memb, s.wall.add_f, s.n),
                               3,
                               0,
                               "hash insert of the same (S,G) keys, same order",
                               NAN,
                               NAN};
  m[1] = (struct bench_metric){
      "del_per_s",
      BENCH_RATE,
      bench_rate(w.n_memb, s.wall.del, s.n),
      bench_rate(w.n_memb, s.wall.del_f, s.n),
      3,
      0,
      "hash delete (backward shift) of the same keys, same order",
      NAN,
      NAN};
  m[2] = (struct bench_metric){
      "lookup_per_s",
      BENCH_RATE,
      bench_rate(n_lookups, s.wall.lookup, s.n),
      bench_rate(n_lookups, s.wall.lookup_f, s.n),
      3,
      0,
      "hash find + MIB_IPMCAST_MFE record copy-out, same keys and order",
      NAN,
      NAN};
  ms = 1e3;
  m[3] = (struct bench_metric){
      "enum_ms",
      BENCH_TIME,
      bench_median(s.wall.enumr, s.n) * ms,
      bench_median(s.wall.enum_f, s.n) * ms,
      3,
      0,
      "collect + qsort by (ntohl G, ntohl S) + format into 64 KiB buffers "
      "(sorted: the API's order)",
      NAN,
      NAN};
  m[4] = (struct bench_metric){
      "enum_vs_iter_ms",
      BENCH_TIME,
      bench_median(s.wall.enumr, s.n) * ms,
      bench_median(s.wall.enum_iter_f, s.n) * ms,
      0,
      0,
      "unsorted table walk + format into 64 KiB buffers (info)",
      NAN,
      NAN};
  m[5] = (struct bench_metric){
      "add_vs_warm_per_s",
      BENCH_RATE,
      bench_rate(w.n_memb, s.wall.add, s.n),
      bench_rate(w.n_memb, s.wall.add_warm_f, s.n),
      0,
      0,
      "hash insert into the table already grown and faulted in (info)",
      NAN,
      NAN};
  m[6] = (struct bench_metric){
      "create_per_s",
      BENCH_RATE,
      bench_rate(w.n_mfe, s.wall.create, s.n),
      bench_rate(w.n_mfe, s.wall.create_f, s.n),
      0,
      0,
      "hash insert handed to a worker thread and waited for (info)",
      NAN,
      NAN};
  m[7] = (struct bench_metric){
      "bytes_per_membership",
      BENCH_BYTES,
      bench_median(s.mem_memb, s.n),
      bench_median(s.mem_memb_f, s.n),
      0,
      200,
      "slot array bytes / entries (24-byte slots, load <= 3/4, mmapped)",
      NAN,
      NAN};
  m[8] = (struct bench_metric){
      "bytes_per_mfe",
      BENCH_BYTES,
      bench_median(s.mem_mfe, s.n),
      bench_median(s.mem_mfe_f, s.n),
      0,
      0,
      "same table; libmgm's figure includes the sim forwarder's entry",
      NAN,
      NAN};
  m[9] = (struct bench_metric){
      "del_vs_locked_per_s",
      BENCH_RATE,
      bench_rate(w.n_memb, s.wall.del, s.n),
      bench_rate(w.n_memb, s.wall.del_locked_f, s.n),
      0,
      0,
      "hash delete as del_per_s, a pthread mutex taken around each (info)",
      NAN,
      NAN};
  m[0].ratio = bench_paired(s.wall.add, s.wall.add_f, s.n);
  m[1].ratio = bench_paired(s.wall.del, s.wall.del_f, s.n);
  m[2].ratio = bench_paired(s.wall.lookup, s.wall.lookup_f, s.n);
  m[3].ratio = bench_paired(s.wall.enumr, s.wall.enum_f, s.n);
  m[4].ratio = bench_paired(s.wall.enumr, s.wall.enum_iter_f, s.n);
  m[5].ratio = bench_paired(s.wall.add, s.wall.add_warm_f, s.n);
  m[6].ratio = bench_paired(s.wall.create, s.wall.create_f, s.n);
  m[0].cpu_ratio = bench_paired(s.cpu.add, s.cpu.add_f, s.n);
  m[1].cpu_ratio = bench_paired(s.cpu.del, s.cpu.del_f, s.n);
  m[2].cpu_ratio = bench_paired(s.cpu.lookup, s.cpu.lookup_f, s.n);
  m[3].cpu_ratio = bench_paired(s.cpu.enumr, s.cpu.enum_f, s.n);
  m[4].cpu_ratio = bench_paired(s.cpu.enumr, s.cpu.enum_iter_f, s.n);
  m[5].cpu_ratio = bench_paired(s.cpu.add, s.cpu.add_warm_f, s.n);
  m[6].cpu_ratio = bench_paired(s.cpu.create, s.cpu.create_f, s.n);
  m[7].ratio = bench_paired(s.mem_memb, s.mem_memb_f, s.n);
  m[8].ratio = bench_paired(s.mem_mfe, s.mem_mfe_f, s.n);
  m[9].ratio = bench_paired(s.wall.del, s.wall.del_locked_f, s.n);
  m[9].cpu_ratio = bench_paired(s.cpu.del, s.cpu.del_locked_f, s.n);
  bench_report(m, 10);
  if (atomic_load(&bench_log_lines))
    printf("# libmgm logged %lu lines\n", atomic_load(&bench_log_lines));
  if (bench_failures == 0)
    rc = 0;

out:
  if (bench_failures)
    printf("bench_core: %u correctness failure(s)\n", bench_failures);
  else if (rc == 0)
    printf("bench_core: correctness checks passed\n");
  floor_worker_stop(fw);
  free(buf);
  bench_work_free(&w);
  return rc;
}
