/*
 * test_concurrency.c - several threads change memberships while another
 * injects packets; afterwards MGM's tables must be consistent (mgm-spec
 * G-4, design.md 8).
 *
 * SPDX-License-Identifier: MIT
 *
 * NWORKERS client threads each own two interfaces and toggle (*,G)
 * memberships on them in a deterministic pattern, while an injector thread
 * keeps sending packets of NSRC x NGRP (S,G) pairs, which creates MFEs
 * concurrently with the membership changes (RPF and creation alerts on the
 * loop thread).  No sleeps, no timing assertions: threads start together
 * on a barrier and the test only checks the final state, which is fully
 * determined by what the workers left: every MFE's outgoing list must be
 * exactly the set of interfaces with a (*,G) membership, the group
 * enumeration must list exactly the groups joined, and the sim kernel must
 * forward exactly as the MFE table says.  Run it under ThreadSanitizer with
 * -DLIBMGM_SANITIZE=thread.
 */
#include "fixture.h"

#include "fx_criterion.h"

#include <pthread.h>
#include <string.h>

#define NWORKERS 4
#define NGRP 8
#define NSRC 4
#define NITER 300
#define NINJECT 400
#define PID_O 9000u
#define PID_W 9001u

TestSuite(concurrency, .init = fx_setup, .fini = fx_teardown, .timeout = 60);

struct worker {
  int slot;            /* fixture slot of this client */
  DWORD ifs[2];        /* interfaces it owns */
  int member[NGRP][2]; /* final membership state */
  DWORD errors;        /* calls that did not return NO_ERROR */
  DWORD last_bad_rc;
  pthread_barrier_t *start;
};

struct injector {
  DWORD errors;
  DWORD last_bad_rc;
  pthread_barrier_t *start;
};

static DWORD grp(int j) {
  return IP(224, 10, 0, (unsigned)j + 1);
}

static DWORD src(int m) {
  return IP(10, 1, 1, (unsigned)m + 10);
}

static void *worker_main(void *arg) {
  struct worker *w = arg;
  int i, j, k;
  DWORD rc;

  pthread_barrier_wait(w->start);
  for (i = 0; i < NITER; i++) {
    j = (i * 5 + w->slot) % NGRP;
    k = (i / NGRP) % 2;
    if (w->member[j][k])
      rc = fx_del_rc(w->slot, 0, grp(j), w->ifs[k], 0, MGM_JOIN_STATE_FLAG);
    else
      rc = fx_add_rc(w->slot, 0, grp(j), w->ifs[k], 0, MGM_JOIN_STATE_FLAG);
    if (rc == NO_ERROR) {
      w->member[j][k] = !w->member[j][k];
    } else {
      w->errors++;
      w->last_bad_rc = rc;
    }
  }
  return NULL;
}

static void *injector_main(void *arg) {
  struct injector *in = arg;
  struct libmgm_sim_result r;
  int i;
  DWORD rc;

  pthread_barrier_wait(in->start);
  for (i = 0; i < NINJECT; i++) {
    rc = libmgm_sim_inject(1, src(i % NSRC), grp((i / NSRC) % NGRP), 64, 100,
                           &r);
    if (rc != NO_ERROR) {
      in->errors++;
      in->last_bad_rc = rc;
    }
  }
  return NULL;
}

Test(concurrency, memberships_and_packets_race_to_a_consistent_state) {
  static struct worker w[NWORKERS];
  static struct injector in;
  static struct fx_mfe all[NSRC * NGRP + 4];
  SOURCE_GROUP_ENTRY sg[NGRP + 4];
  pthread_t tw[NWORKERS], ti;
  pthread_barrier_t start;
  DWORD want[2 * NWORKERS];
  size_t n, i, nwant;
  int t, j, k, found, any;

  fx_register(0, PID_O, 1);
  fx_take(0, 1, 0);
  fx_route(IP(10, 1, 1, 0), IP(255, 255, 255, 0), 1, 0, PROTO_IP_RIP);
  memset(w, 0, sizeof w);
  memset(&in, 0, sizeof in);
  cr_assert_eq(pthread_barrier_init(&start, NULL, NWORKERS + 1), 0);
  for (t = 0; t < NWORKERS; t++) {
    w[t].slot = t + 1;
    w[t].ifs[0] = 10 + (DWORD)t;
    w[t].ifs[1] = 20 + (DWORD)t;
    w[t].start = &start;
    fx_register(t + 1, PID_W + (DWORD)t, 1);
    fx_take(t + 1, w[t].ifs[0], 0);
    fx_take(t + 1, w[t].ifs[1], 0);
  }
  in.start = &start;
  for (t = 0; t < NWORKERS; t++)
    cr_assert_eq(pthread_create(&tw[t], NULL, worker_main, &w[t]), 0);
  cr_assert_eq(pthread_create(&ti, NULL, injector_main, &in), 0);
  for (t = 0; t < NWORKERS; t++)
    cr_assert_eq(pthread_join(tw[t], NULL), 0);
  cr_assert_eq(pthread_join(ti, NULL), 0);
  pthread_barrier_destroy(&start);

  for (t = 0; t < NWORKERS; t++)
    cr_assert_eq(w[t].errors, 0u, "worker %d: %u failed calls, last %u", t,
                 (unsigned)w[t].errors, (unsigned)w[t].last_bad_rc);
  cr_assert_eq(in.errors, 0u, "injector: %u failed calls, last %u",
               (unsigned)in.errors, (unsigned)in.last_bad_rc);

  /* Every (S,G) was injected at least once and nothing expired: one MFE
   * each, outgoing list = interfaces with a (*,G) membership, ascending. */
  n = fx_mfe_all(all, sizeof all / sizeof all[0]);
  cr_assert_eq(n, (size_t)(NSRC * NGRP), "%zu MFEs", n);
  for (i = 0; i < n; i++) {
    j = -1;
    for (k = 0; k < NGRP; k++)
      if (all[i].m.dwGroup == grp(k))
        j = k;
    cr_assert(j >= 0, "MFE for an unknown group %08x",
              (unsigned)all[i].m.dwGroup);
    cr_assert_eq(all[i].m.dwInIfIndex, 1u);
    nwant = 0;
    for (k = 0; k < 2; k++)
      for (t = 0; t < NWORKERS; t++)
        if (w[t].member[j][k])
          want[nwant++] = w[t].ifs[k];
    cr_assert_eq(all[i].m.ulNumOutIf, (ULONG)nwant,
                 "MFE (%08x,%08x): %u OIFs, want %zu",
                 (unsigned)all[i].m.dwSource, (unsigned)all[i].m.dwGroup,
                 (unsigned)all[i].m.ulNumOutIf, nwant);
    for (k = 0; k < (int)nwant; k++)
      cr_assert_eq(all[i].oif[k].dwOutIfIndex, want[k],
                   "MFE (%08x,%08x) oif %d: %u, want %u",
                   (unsigned)all[i].m.dwSource, (unsigned)all[i].m.dwGroup, k,
                   (unsigned)all[i].oif[k].dwOutIfIndex, (unsigned)want[k]);
  }
  /* Group enumeration: exactly the groups somebody still joins. */
  n = fx_groups(0, ANY_SOURCE, sg, NGRP + 4);
  nwant = 0;
  for (j = 0; j < NGRP; j++) {
    any = 0;
    for (t = 0; t < NWORKERS; t++)
      any |= w[t].member[j][0] | w[t].member[j][1];
    if (!any)
      continue;
    nwant++;
    found = 0;
    for (i = 0; i < n; i++)
      if (sg[i].dwGroupAddr == grp(j) && sg[i].dwSourceAddr == 0)
        found = 1;
    cr_assert(found, "group %d missing from the enumeration", j);
  }
  cr_assert_eq(n, nwant, "%zu groups enumerated, want %zu", n, nwant);
  FX_ASSERT_KERNEL_CONSISTENT();
}
