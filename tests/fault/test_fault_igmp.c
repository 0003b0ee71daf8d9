/*
 * test_fault_igmp.c - the IGMP component (src/igmp) with every allocation
 * failing once, in turn (libmgm issue #9, item 4).
 *
 * SPDX-License-Identifier: MIT
 *
 * The component's sources are compiled for this test with their
 * allocations sent to libmgm's hook (fault_alloc.h), so one counter covers
 * the component, the core and the sim.  The scenario (tests/igmp's
 * fixture: sim backend, IGMP sole owner of its interfaces): interfaces
 * added, IGMPv2/v1 reports, IGMPv3 ALLOW/TO_EX/BLOCK records, a v2 leave,
 * last-member expiry, an interface removed.  Each packet is sent twice,
 * as hosts retransmit state changes (RFC 3376 8.1, Robustness Variable),
 * and each step ends with a 100 ms tick, at which the component retries
 * what MGM refused.  IGMP is a soft-state protocol: a lost allocation may
 * lose one packet's work, not the state a retransmission restores.  So,
 * for every allocation of every step: the step's API calls return NO_ERROR
 * or a documented code (then the identical call succeeds), and from the
 * end of the faulted step on, the component's groups and sources and the
 * memberships MGM holds for IGMP are exactly those of the run without
 * fault.  Leaks: LeakSanitizer (ASan lane), every run ends with the
 * component destroyed and libmgm stopped.
 */
#include "igfx_cr.h"

#include "igfx.h"
#include "lsan_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned long mgm__fault_alloc(long nth); /* core/util.c, test-only */

#define G1 ip4(239, 1, 1, 1)
#define G2 ip4(239, 1, 1, 2)
#define G3 ip4(239, 1, 1, 3)
#define G4 ip4(239, 1, 1, 4)
#define H1 ip4(10, 0, 2, 100)
#define H2 ip4(10, 0, 3, 100)
#define S1 ip4(10, 9, 0, 1)
#define S2 ip4(10, 9, 0, 2)
#define S3 ip4(10, 9, 0, 3)

enum { IS_IN = 1, IS_EX, TO_IN, TO_EX, ALLOW, BLOCK };

#define NSTEPS 11

/* A packet from a host; the sim may lose it for want of memory (8),
 * which is what the host's retransmission is for. */
static void rx(DWORD ifx, DWORD src, DWORD dst, const uint8_t *igmp,
               size_t len) {
  uint8_t pkt[1600];
  size_t n = igfx_ip(pkt, src, dst, 1, 1, igmp, len);
  DWORD rc = libmgm_sim_inject_ctrl(ifx, pkt, (DWORD)n);

  cr_assert(rc == NO_ERROR || rc == ERROR_NOT_ENOUGH_MEMORY, "inject: %u",
            (unsigned)rc);
}

static void v12(DWORD ifx, DWORD host, uint8_t type, DWORD group, DWORD dst) {
  uint8_t m[8];

  igfx_v12(m, type, 0, group);
  rx(ifx, host, dst, m, 8);
}

static void v3(DWORD ifx, DWORD host, int type, DWORD group, const DWORD *srcs,
               int n) {
  struct igfx_rep r;

  igfx_rep_init(&r);
  igfx_rep_add(&r, type, group, srcs, n);
  igfx_rep_done(&r);
  rx(ifx, host, ip4(224, 0, 0, 22), r.buf, r.len);
}

static DWORD add_if(DWORD ifx) {
  return mgm_igmp_add_interface(ig, ifx, ip4(10, 0, (int)ifx, 5),
                                MGM_IGMP_ROLE_DOWNSTREAM, T);
}

/* Step i: returns an API code (NO_ERROR for packet steps). */
static DWORD step(int i) {
  DWORD s12[2] = {S1, S2}, s3[1] = {S3};
  int twice;

  switch (i) {
  case 0:
    return add_if(2);
  case 1:
    return add_if(3);
  case 9:
    return mgm_igmp_del_interface(ig, 3, T);
  case 10:
    igfx_advance(100);
    return NO_ERROR;
  default:
    break;
  }
  for (twice = 0; twice < 2; twice++) {
    switch (i) {
    case 2:
      v12(2, H1, 0x16, G1, G1);
      break;
    case 3:
      v3(3, H2, ALLOW, G2, s12, 2);
      break;
    case 4:
      v3(2, H1, TO_EX, G3, s3, 1);
      break;
    case 5:
      v3(3, H2, BLOCK, G2, s12, 1);
      break;
    case 6:
      v12(2, H1, 0x17, G1, ip4(224, 0, 0, 2));
      break;
    case 7:
      igfx_advance(3000); /* last member query time: G1 and (S1,G2) go */
      break;
    case 8:
      v12(3, H2, 0x12, G4, G4);
      break;
    default:
      break;
    }
  }
  return NO_ERROR;
}

static const char *const names[NSTEPS] = {"add interface 2",
                                          "add interface 3",
                                          "v2 report G1 on 2",
                                          "v3 ALLOW {S1,S2} G2 on 3",
                                          "v3 TO_EX {S3} G3 on 2",
                                          "v3 BLOCK {S1} G2 on 3",
                                          "v2 leave G1 on 2",
                                          "3 s: last member query time",
                                          "v1 report G4 on 3",
                                          "delete interface 3",
                                          "100 ms"};

/* The component's groups and sources, and MGM's IGMP memberships. */
static char *state(void) {
  struct mgm_igmp_group_info g;
  struct mgm_igmp_source_info src[8];
  struct libmgm_snapshot *s = NULL;
  static char buf[8192];
  size_t n = 0;
  DWORD ifx, after, i;

  buf[0] = '\0';
  for (ifx = 2; ifx <= 3; ifx++)
    for (after = 0; mgm_igmp_group_next(ig, ifx, after, &g, src, 8) == NO_ERROR;
         after = g.group) {
      n += (size_t)snprintf(buf + n, sizeof buf - n,
                            "if %u %s mode %d:", (unsigned)ifx, ipstr(g.group),
                            g.filter_mode);
      for (i = 0; i < g.n_sources && i < 8; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, " %s",
                              ipstr(src[i].addr));
      n += (size_t)snprintf(buf + n, sizeof buf - n, "\n");
    }
  cr_assert_eq(libmgm_snapshot_take(&s), NO_ERROR);
  for (i = 0; i < s->n_members; i++)
    if (s->members[i].protocol_id == PROTO_IP_IGMP)
      n += (size_t)snprintf(
          buf + n, sizeof buf - n, "mgm %s %s if %u latent %d\n",
          ipstr(s->members[i].sg.dwSourceAddr),
          ipstr(s->members[i].sg.dwGroupAddr), (unsigned)s->members[i].ifindex,
          s->members[i].latent);
  libmgm_snapshot_free(s);
  return strdup(buf);
}

TestSuite(fault_igmp, .timeout = 240);

Test(fault_igmp, every_allocation) {
  char *want[NSTEPS];
  unsigned long n_alloc[NSTEPS], k, points = 0;
  DWORD rc, rc0[NSTEPS];
  int i, t, refused = 0;

  /* without fault: codes, states, allocations per step */
  setenv("LIBMGM_BACKEND", "sim", 1);
  igfx_start(NULL);
  for (i = 0; i < NSTEPS; i++) {
    mgm__fault_alloc(0);
    rc0[i] = step(i);
    n_alloc[i] = mgm__fault_alloc(-1);
    cr_assert_eq(rc0[i], NO_ERROR, "step %d '%s': %u", i, names[i],
                 (unsigned)rc0[i]);
    want[i] = state();
  }
  igfx_stop();
  for (t = 0; t < NSTEPS; t++) {
    for (k = 1; k <= n_alloc[t]; k++) {
      igfx_start(NULL);
      for (i = 0; i < NSTEPS; i++) {
        char *got;

        if (i == t)
          mgm__fault_alloc((long)k);
        rc = step(i);
        if (i == t) {
          cr_assert(mgm__fault_alloc(-1) >= k, "step %d: no allocation %lu", t,
                    k);
          if (rc != NO_ERROR) {
            /* an API call refused: documented code, then it succeeds */
            cr_assert(rc == ERROR_NOT_ENOUGH_MEMORY ||
                          rc == ERROR_CAN_NOT_COMPLETE,
                      "step %d '%s', allocation %lu fails: returned %u", t,
                      names[t], k, (unsigned)rc);
            refused++;
            rc = step(i);
          }
        }
        cr_assert_eq(rc, NO_ERROR,
                     "step %d '%s' (fault in step %d '%s', "
                     "allocation %lu): %u",
                     i, names[i], t, names[t], k, (unsigned)rc);
        if (i < t)
          continue;
        got = state();
        cr_assert(strcmp(got, want[i]) == 0,
                  "allocation %lu of step %d '%s' failed: after step "
                  "%d '%s':\n%swanted:\n%s",
                  k, t, names[t], i, names[i], got, want[i]);
        free(got);
      }
      igfx_stop();
      points++;
    }
  }
  for (i = 0; i < NSTEPS; i++)
    free(want[i]);
  fprintf(stderr,
          "fault: igmp: %d steps, %lu allocation points, %d "
          "refused with a documented code\n",
          NSTEPS, points, refused);
  cr_assert(points > 0);
  fl_leak_check();
}
