/*
 * test_tables.c - the core's tables under load: thousands of membership
 * entries and MFEs added and removed in pseudo-random order, checked
 * against a reference kept by the test.
 *
 * SPDX-License-Identifier: MIT
 *
 * The membership table and the MFE index are open-addressing tables that
 * grow, shrink and move entries on deletion (backward shift); a bug there
 * loses or resurrects entries only once the table is large and crowded,
 * which the small scenario tests never reach.  Here the whole state is
 * compared after each round: every membership (effective or latent, with
 * interface and client) through libmgm_snapshot_take, every group entry
 * through a group enumeration, every MFE through MgmGetMfe (present and
 * absent keys) and the MgmGetFirstMfe/MgmGetNextMfe walk.
 */
#include "fixture.h"

#include "fx_criterion.h"
#include "core/core.h" /* mgm__mix64: the MFE index's hash */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PID_P 7001u

/* Keys: NSG (S,G), NSTAR (*,G) and (*,*). */
#define NSG 2500
#define NSTAR 40
#define NKEY (NSG + NSTAR + 1)
/* Memberships per key: P on if 1+k%3, P on if 1+(k+1)%3, IGMP latent on
 * if 3 (P owns it, IGMP co-owns it), IGMP effective on if 4 (IGMP's). */
#define NMEM 4

TestSuite(tables, .init = fx_setup, .fini = fx_teardown, .timeout = 120);

static unsigned char present[NKEY][NMEM];

static uint64_t lcg(uint64_t *x) {
  *x = *x * 6364136223846793005ull + 1442695040888963407ull;
  return *x >> 33;
}

static void key_of(int k, DWORD *s, DWORD *g) {
  if (k < NSG) {
    *s = IP(10, (unsigned)(k / 200), (unsigned)(k % 200), 1);
    *g = IP(232, 1, (unsigned)(k % 50), (unsigned)(1 + k / 50));
  } else if (k < NSG + NSTAR) {
    *s = 0;
    *g = IP(232, 1, (unsigned)(k - NSG), 1); /* shares groups with (S,G) */
  } else {
    *s = 0;
    *g = 0;
  }
}

static void mem_of(int k, int m, int *slot, DWORD *ifx) {
  static const int slots[NMEM] = {1, 1, 0, 0};

  *slot = slots[m];
  *ifx = m == 0   ? 1 + (DWORD)k % 3
         : m == 1 ? 1 + (DWORD)(k + 1) % 3
         : m == 2 ? 3
                  : 4;
}

/* Membership (k, m) on or off through the API. */
static void set_mem(int k, int m, int on) {
  DWORD s, g, ifx, rc;
  int slot;

  key_of(k, &s, &g);
  mem_of(k, m, &slot, &ifx);
  rc = on ? fx_add_rc(slot, s, g, ifx, 0, MGM_JOIN_STATE_FLAG)
          : fx_del_rc(slot, s, g, ifx, 0, MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, NO_ERROR, "%s (k %d, m %d) = %u", on ? "add" : "delete", k,
               m, (unsigned)rc);
  present[k][m] = (unsigned char)on;
}

/* Host-order value of a network-order address. */
static uint32_t h32(DWORD x) {
  const unsigned char *p = (const unsigned char *)&x;

  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

/* The documented order: group, then source, as numbers (D-ORDER). */
static unsigned long long order_of(DWORD s, DWORD g) {
  return (unsigned long long)h32(g) << 32 | h32(s);
}

static int member_cmp(const void *x, const void *y) {
  const struct libmgm_member_info *a = x, *b = y;
  unsigned long long ka = order_of(a->sg.dwSourceAddr, a->sg.dwGroupAddr);
  unsigned long long kb = order_of(b->sg.dwSourceAddr, b->sg.dwGroupAddr);

  if (ka != kb)
    return ka < kb ? -1 : 1;
  if (a->ifindex != b->ifindex)
    return a->ifindex < b->ifindex ? -1 : 1;
  if (a->latent != b->latent)
    return a->latent < b->latent ? -1 : 1;
  if (a->protocol_id != b->protocol_id)
    return a->protocol_id < b->protocol_id ? -1 : 1;
  return 0;
}

static int sg_cmp(const void *x, const void *y) {
  const SOURCE_GROUP_ENTRY *a = x, *b = y;
  unsigned long long ka = order_of(a->dwSourceAddr, a->dwGroupAddr);
  unsigned long long kb = order_of(b->dwSourceAddr, b->dwGroupAddr);

  return ka < kb ? -1 : ka > kb;
}

/* Compare every membership and every group entry with present[][]. */
static void check_state(const char *when) {
  static struct libmgm_member_info exp[NKEY * NMEM];
  static SOURCE_GROUP_ENTRY sg_exp[NKEY], sg_got[NKEY + 1];
  struct libmgm_snapshot *snap = NULL;
  size_t n = 0, n_sg = 0, got, i;
  DWORD rc;
  int k, m;

  for (k = 0; k < NKEY; k++) {
    DWORD s, g;
    int effective = 0;

    key_of(k, &s, &g);
    for (m = 0; m < NMEM; m++) {
      int slot;
      DWORD ifx;

      if (!present[k][m])
        continue;
      mem_of(k, m, &slot, &ifx);
      memset(&exp[n], 0, sizeof exp[n]);
      exp[n].sg.dwSourceAddr = s;
      exp[n].sg.dwSourceMask = s ? FX_ALL : 0;
      exp[n].sg.dwGroupAddr = g;
      exp[n].sg.dwGroupMask = g ? FX_ALL : 0;
      exp[n].ifindex = ifx;
      exp[n].protocol_id = fx_pid(slot);
      exp[n].component_id = 1;
      exp[n].latent = m == 2;
      effective |= m != 2;
      n++;
    }
    if (effective) {
      memset(&sg_exp[n_sg], 0, sizeof sg_exp[n_sg]);
      sg_exp[n_sg].dwSourceAddr = s;
      sg_exp[n_sg].dwSourceMask = s ? FX_ALL : 0;
      sg_exp[n_sg].dwGroupAddr = g;
      sg_exp[n_sg].dwGroupMask = g ? FX_ALL : 0;
      n_sg++;
    }
  }
  if (n > 1)
    qsort(exp, n, sizeof exp[0], member_cmp);
  if (n_sg > 1)
    qsort(sg_exp, n_sg, sizeof sg_exp[0], sg_cmp);

  rc = libmgm_snapshot_take(&snap);
  cr_assert_eq(rc, NO_ERROR, "libmgm_snapshot_take = %u", (unsigned)rc);
  cr_assert_eq(snap->n_members, n, "%s: %u memberships, expected %zu", when,
               (unsigned)snap->n_members, n);
  if (snap->n_members > 1)
    qsort(snap->members, snap->n_members, sizeof snap->members[0], member_cmp);
  for (i = 0; i < n; i++) {
    const struct libmgm_member_info *a = &snap->members[i], *b = &exp[i];

    cr_assert(a->sg.dwSourceAddr == b->sg.dwSourceAddr &&
                  a->sg.dwSourceMask == b->sg.dwSourceMask &&
                  a->sg.dwGroupAddr == b->sg.dwGroupAddr &&
                  a->sg.dwGroupMask == b->sg.dwGroupMask &&
                  a->ifindex == b->ifindex && a->nexthop == 0 &&
                  a->protocol_id == b->protocol_id &&
                  a->component_id == b->component_id && a->latent == b->latent,
              "%s: membership %zu is (%08x, %08x, if %u, pid %u, latent %d), "
              "expected (%08x, %08x, if %u, pid %u, latent %d)",
              when, i, (unsigned)a->sg.dwSourceAddr,
              (unsigned)a->sg.dwGroupAddr, (unsigned)a->ifindex,
              (unsigned)a->protocol_id, (int)a->latent,
              (unsigned)b->sg.dwSourceAddr, (unsigned)b->sg.dwGroupAddr,
              (unsigned)b->ifindex, (unsigned)b->protocol_id, (int)b->latent);
  }
  libmgm_snapshot_free(snap);

  /* The group enumeration lists entries with effective memberships only,
   * in (group, source) order (D-GRPENUM). */
  got = fx_groups(1, ALL_SOURCES, sg_got, NKEY + 1);
  cr_assert_eq(got, n_sg, "%s: %zu group entries, expected %zu", when, got,
               n_sg);
  for (i = 0; i < n_sg; i++)
    cr_assert(memcmp(&sg_got[i], &sg_exp[i], sizeof sg_got[i]) == 0,
              "%s: group entry %zu is (%08x, %08x), expected (%08x, %08x)",
              when, i, (unsigned)sg_got[i].dwSourceAddr,
              (unsigned)sg_got[i].dwGroupAddr, (unsigned)sg_exp[i].dwSourceAddr,
              (unsigned)sg_exp[i].dwGroupAddr);
}

Test(tables, memberships_under_churn_match_a_reference) {
  uint64_t x = 12345;
  int round, i, k, m;

  cr_assert_eq(fx_register_mask(0, PROTO_IP_IGMP, 1, 0), NO_ERROR);
  cr_assert_eq(fx_register_mask(1, PID_P, 1, 0), NO_ERROR);
  fx_take(1, 1, 0);
  fx_take(1, 2, 0);
  fx_take(1, 3, 0);
  fx_take(0, 3, 0); /* IGMP co-owner: its joins on 3 are latent */
  fx_take(0, 4, 0); /* IGMP owner: its joins on 4 are effective */
  memset(present, 0, sizeof present);

  /* Grow: every key, every membership, in key order. */
  for (k = 0; k < NKEY; k++)
    for (m = 0; m < NMEM; m++)
      set_mem(k, m, 1);
  check_state("after adding everything");

  /* Churn: random adds and deletes, most entries losing and regaining
   * members, many disappearing (deletion moves their neighbours). */
  for (round = 0; round < 6; round++) {
    char when[64];

    for (i = 0; i < 4000; i++) {
      uint64_t r = lcg(&x);

      k = (int)(r % NKEY);
      m = (int)((r >> 16) % NMEM);
      set_mem(k, m,
              round % 2 ? (int)(r >> 24) % 3 != 0 : (int)(r >> 24) % 3 == 0);
    }
    snprintf(when, sizeof when, "after churn round %d", round + 1);
    check_state(when);
  }

  /* Shrink: delete everything in random order, then grow again. */
  for (i = 0; i < 3 * NKEY * NMEM; i++) {
    uint64_t r = lcg(&x);

    k = (int)(r % NKEY);
    m = (int)((r >> 16) % NMEM);
    if (present[k][m])
      set_mem(k, m, 0);
  }
  for (k = 0; k < NKEY; k++)
    for (m = 0; m < NMEM; m++)
      if (present[k][m])
        set_mem(k, m, 0);
  check_state("after deleting everything");
  for (k = 0; k < NKEY; k += 7)
    set_mem(k, k % NMEM, 1);
  check_state("after adding again");
  fx_log_clear();
}

/* MFEs: created by packets, deleted by expiry in groups of various
 * lifetimes (the negative prune alert's timeout sets each batch's), so that
 * deletions hit keys all over the index. */
Test(tables, mfes_under_churn_match_a_reference) {
  enum { NMFE = 3000, NBATCH = 6 };
  static unsigned char alive[NMFE];
  static struct fx_mfe all[NMFE + 1];
  uint64_t x = 777;
  int i, b;

  fx_register(1, PID_P, 1);
  fx_take(1, 1, 0);
  fx_route(IP(10, 0, 0, 0), IP(255, 0, 0, 0), 1, 0, PROTO_IP_RIP);
  /* Batch b gets lifetime 100 * (b + 1) s; the order of the keys is
   * shuffled, so a batch is spread over the whole index. */
  for (b = 0; b < NBATCH; b++) {
    fx_prune_timeout(1, 100u * (DWORD)(b + 1));
    for (i = b; i < NMFE; i += NBATCH) {
      int k = (int)((uint64_t)i * 7919 % NMFE);

      fx_inject(1, IP(10, (unsigned)(k / 250), (unsigned)(k % 250), 9),
                IP(233, 2, (unsigned)(k % 13), (unsigned)(k % 251)));
      alive[k] = 1;
    }
  }
  fx_log_clear();
  for (b = 0; b <= NBATCH; b++) {
    size_t n_alive = 0, got;

    for (i = 0; i < NMFE; i++) {
      struct fx_mfe f;
      DWORD s = IP(10, (unsigned)(i / 250), (unsigned)(i % 250), 9);
      DWORD g = IP(233, 2, (unsigned)(i % 13), (unsigned)(i % 251));
      DWORD rc = fx_mfe_get(s, g, &f);

      if (alive[i]) {
        cr_assert_eq(rc, NO_ERROR, "batch %d: MFE %d lost (%u)", b, i,
                     (unsigned)rc);
        cr_assert(f.m.dwSource == s && f.m.dwGroup == g,
                  "batch %d: MgmGetMfe %d returned another MFE", b, i);
        n_alive++;
      } else {
        cr_assert_eq(rc, ERROR_NOT_FOUND, "batch %d: MFE %d still there (%u)",
                     b, i, (unsigned)rc);
      }
    }
    /* Keys that never existed are not found either. */
    for (i = 0; i < 200; i++) {
      struct fx_mfe f;
      DWORD rc = fx_mfe_get(IP(10, 200, 0, (unsigned)lcg(&x) % 250),
                            IP(233, 2, 0, 1), &f);

      cr_assert_eq(rc, ERROR_NOT_FOUND);
    }
    got = fx_mfe_all(all, NMFE + 1);
    cr_assert_eq(got, n_alive, "batch %d: walk gave %zu MFEs, expected %zu", b,
                 got, n_alive);
    if (b == NBATCH)
      break;
    /* Expire batch b: every MFE of it lives 100 * (b + 1) s. */
    fx_advance_ms(100000u);
    for (i = b; i < NMFE; i += NBATCH)
      alive[(uint64_t)i * 7919 % NMFE] = 0;
  }
  fx_log_clear();
}

/* MgmGetMfe answers from the MFE index's copy of each record; the walk
 * (MgmGetFirstMfe/MgmGetNextMfe) reads the MFEs themselves.  After changes
 * of every reported field (outgoing list through memberships, lifetime
 * through the negative prune alert, upstream through MgmSetMfe) both must
 * give the same records. */
Test(tables, mfe_lookup_matches_the_walk_after_changes) {
  enum { N = 600 };
  static struct fx_mfe all[N + 1];
  uint64_t x = 4242;
  size_t n, i;
  int round, k;

  fx_register(1, PID_P, 1);
  /* Q owns the incoming interface of a third of the MFEs and has no prune
   * callback: their lists turn empty without a re-arm. */
  cr_assert_eq(fx_register_mask(2, PID_P + 1, 1, FX_CB_ALL & ~FX_CB(FX_PRUNE)),
               NO_ERROR);
  fx_take(1, 1, 0);
  fx_take(1, 2, 0);
  fx_take(1, 3, 0);
  fx_take(2, 4, 0);
  fx_route(IP(10, 3, 0, 0), IP(255, 255, 255, 0), 1, IP(10, 0, 0, 1),
           PROTO_IP_RIP);
  fx_route(IP(10, 3, 1, 0), IP(255, 255, 255, 0), 4, IP(10, 0, 0, 4),
           PROTO_IP_RIP);
  fx_route(IP(10, 3, 2, 0), IP(255, 255, 255, 0), 1, IP(10, 0, 0, 1),
           PROTO_IP_RIP);
  fx_prune_timeout(1, 300);
  for (k = 0; k < N; k++) {
    if (k % 3 == 0)
      fx_add(1, IP(10, 3, (unsigned)(k / 200), (unsigned)(k % 200 + 1)),
             IP(233, 3, 0, (unsigned)(k % 200 + 1)), 2);
    fx_inject(k / 200 == 1 ? 4 : 1,
              IP(10, 3, (unsigned)(k / 200), (unsigned)(k % 200 + 1)),
              IP(233, 3, 0, (unsigned)(k % 200 + 1)));
  }
  for (round = 0; round < 4; round++) {
    for (i = 0; i < 400; i++) {
      uint64_t r = lcg(&x);
      DWORD s, g, ifx = 2 + (DWORD)(r >> 8) % 2;

      k = (int)(r % N);
      s = IP(10, 3, (unsigned)(k / 200), (unsigned)(k % 200 + 1));
      g = IP(233, 3, 0, (unsigned)(k % 200 + 1));
      switch ((r >> 16) % 4) {
      case 0: /* outgoing interface added (one or two in the list) */
        cr_assert_eq(fx_add_rc(1, s, g, ifx, 0, MGM_JOIN_STATE_FLAG), NO_ERROR);
        break;
      case 1: /* removed (a list turning empty re-arms the lifetime) */
        cr_assert_eq(fx_del_rc(1, s, g, ifx, 0, MGM_JOIN_STATE_FLAG), NO_ERROR);
        break;
      case 2: { /* upstream neighbour */
        MIB_IPMCAST_MFE req;
        DWORD rc;

        memset(&req, 0, sizeof req);
        req.dwSource = s;
        req.dwGroup = g;
        req.dwUpStrmNgbr = IP(10, 0, 9, (unsigned)(r >> 40) % 250);
        rc = MgmSetMfe(fx_h(1), &req);
        cr_assert(rc == NO_ERROR || rc == ERROR_NOT_FOUND, "MgmSetMfe = %u",
                  (unsigned)rc);
        break;
      }
      default: /* a packet: rebuilds an expired MFE */
        fx_inject(k / 200 == 1 ? 4 : 1, s, g);
        break;
      }
    }
    fx_advance_ms(100000u + 37000u * (DWORD)round); /* some expire */
    n = fx_mfe_all(all, N + 1);
    cr_assert(n > 0 && n <= N, "round %d: %zu MFEs", round, n);
    for (i = 0; i < n; i++) {
      struct fx_mfe one;
      DWORD rc = fx_mfe_get(all[i].m.dwSource, all[i].m.dwGroup, &one);

      cr_assert_eq(rc, NO_ERROR);
      cr_assert(memcmp(&one, &all[i], sizeof one) == 0,
                "round %d: MgmGetMfe(%08x, %08x) differs from the walk "
                "(upstream %08x/%08x, expiry %u/%u, oifs %u/%u)",
                round, (unsigned)all[i].m.dwSource, (unsigned)all[i].m.dwGroup,
                (unsigned)one.m.dwUpStrmNgbr, (unsigned)all[i].m.dwUpStrmNgbr,
                (unsigned)one.m.ulExpiryTime, (unsigned)all[i].m.ulExpiryTime,
                (unsigned)one.m.ulNumOutIf, (unsigned)all[i].m.ulNumOutIf);
    }
  }
  fx_log_clear();
}

/* The MFE index doubles in place: a probe run that wraps around the end of
 * the table when it grows must still lead to each of its entries.  Keys
 * are picked (by the index's own hash) so that, at every size the index
 * grows through, six keys whose home is one of the last two slots are in
 * before the growth; every key is looked up around each growth. */
Test(tables, mfe_index_growth_keeps_wrapped_runs) {
  enum { NK = 800 };
  static DWORD src[NK];
  const DWORD g = IP(233, 4, 0, 1);
  uint32_t next = 0, cap;
  int n = 0, i, j;

  fx_register(1, PID_P, 1);
  fx_take(1, 1, 0);
  fx_route(IP(10, 0, 0, 0), IP(255, 0, 0, 0), 1, 0, PROTO_IP_RIP);
  for (cap = 64; cap <= 1024; cap *= 2) {
    int wrapped = 0;

    /* Up to six short of the growth, then six keys homed at the end. */
    while (n < (int)(cap * 3 / 4) - 6 || wrapped < 6) {
      DWORD s = IP(10, (next >> 16) & 255, (next >> 8) & 255, next & 255);
      size_t home = (size_t)mgm__mix64((uint64_t)s << 32 | g) & (cap - 1);

      next++;
      if (n >= (int)(cap * 3 / 4) - 6 && home < cap - 2)
        continue;
      wrapped += home >= cap - 2;
      cr_assert(n < NK, "more than %d keys", NK);
      src[n++] = s;
      fx_inject(1, s, g);
    }
    /* The next two go in across the growth; everything is found. */
    for (j = 0; j < 2; j++) {
      DWORD s = IP(10, (next >> 16) & 255, (next >> 8) & 255, next & 255);

      next++;
      src[n++] = s;
      fx_inject(1, s, g);
      for (i = 0; i < n; i++) {
        struct fx_mfe f;

        cr_assert_eq(fx_mfe_get(src[i], g, &f), NO_ERROR,
                     "%d of %d MFEs (index of %u growing): key %d lost", n, n,
                     (unsigned)cap, i);
      }
    }
  }
  cr_assert_eq(fx_mfe_all(NULL, 0), (size_t)n);
  fx_log_clear();
}
