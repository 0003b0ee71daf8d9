/*
 * test_enum.c - unit tests of the enumeration buffer protocol (mgm-spec
 * 2.10-2.17, 4.8, D-ENUM-RC, D-NOCAP, D-ORDER, D-STATSFLAG, D-GRPENUM,
 * D-DEREG).
 *
 * SPDX-License-Identifier: MIT
 *
 * Replays every row of the 4.8 example table byte-exactly (return code,
 * *pdwNumEntries, bytes written, bytes left untouched, *pdwBufferSize only
 * changed on ERROR_INSUFFICIENT_BUFFER), including the stats rows, plus
 * GetNext successor semantics and ntohl ordering.  Group enumeration: the
 * 40-byte/5-group example, the 16-byte rule, ANY_SOURCE vs ALL_SOURCES
 * content with latent memberships excluded, snapshot semantics, handle
 * life cycle and D-DEREG.
 */
#include "fixture.h"

#include "fx_criterion.h"

#include <string.h>

#define PID_O 5001u
#define PID_A 5002u

#define S_ IP(10, 1, 1, 5)
#define G1 IP(224, 1, 0, 1)
#define G2 IP(224, 1, 0, 2)
#define G3 IP(224, 1, 0, 3)
#define FILL 0xABu
#define BUFSZ 4096

TestSuite(enumeration, .init = fx_setup, .fini = fx_teardown, .timeout = 30);

static _Alignas(8) unsigned char buf[BUFSZ];

static void fill(void) {
  memset(buf, FILL, sizeof buf);
}

static void assert_untouched(size_t from, size_t to) {
  size_t i;

  for (i = from; i < to; i++)
    cr_assert_eq(buf[i], FILL, "byte %zu written (0x%02x)", i, buf[i]);
}

/* M1 = (S,G1) with 2 OIFs, M2 = (S,G2) with 1, M3 = (S,G3) with 0. */
static void setup_m123(void) {
  fx_register(0, PID_O, 1);
  fx_register(1, PID_A, 1);
  fx_take(0, 1, 0);
  fx_take(1, 2, 0);
  fx_take(1, 3, 0);
  fx_route(IP(10, 1, 0, 0), IP(255, 255, 0, 0), 1, 0, PROTO_IP_RIP);
  fx_add(1, 0, G1, 2);
  fx_add(1, 0, G1, 3);
  fx_add(1, 0, G2, 2);
  fx_inject(1, S_, G1);
  fx_inject(1, S_, G2);
  fx_inject(1, S_, G3);
  fx_log_clear();
}

static const MIB_IPMCAST_MFE *rec_at(size_t off) {
  return (const MIB_IPMCAST_MFE *)(const void *)(buf + off);
}

static void assert_rec(size_t off, DWORD g, DWORD n) {
  unsigned char ref[SIZEOF_MIB_MFE(FX_MAX_IFS)];
  MIB_IPMCAST_MFE key;
  DWORD size = sizeof ref;

  cr_assert_eq(rec_at(off)->dwGroup, g, "record at %zu: group %08x", off,
               (unsigned)rec_at(off)->dwGroup);
  cr_assert_eq(rec_at(off)->dwSource, S_);
  cr_assert_eq(rec_at(off)->ulNumOutIf, n, "record at %zu: %u OIFs", off,
               (unsigned)rec_at(off)->ulNumOutIf);
  memset(&key, 0, sizeof key);
  key.dwGroup = g;
  key.dwSource = S_;
  cr_assert_eq(MgmGetMfe(&key, &size, ref), NO_ERROR);
  cr_assert(memcmp(buf + off, ref, SIZEOF_MIB_MFE(n)) == 0,
            "record at %zu differs from MgmGetMfe", off);
}

Test(enumeration, mfe_table_4_8_rows) {
  DWORD size, n, rc;
  MIB_IPMCAST_MFE start;

  setup_m123();
  /* GetFirstMfe, 50 -> 122, n 0, size 92 */
  fill();
  size = 50;
  n = 77;
  rc = MgmGetFirstMfe(&size, buf, &n);
  cr_assert_eq(rc, ERROR_INSUFFICIENT_BUFFER, "got %u", (unsigned)rc);
  cr_assert_eq(n, 0u);
  cr_assert_eq(size, 92u, "size %u", (unsigned)size);
  assert_untouched(0, BUFSZ);
  /* GetFirstMfe, 100 -> 234, n 1 (M1), 92 bytes, size unchanged */
  fill();
  size = 100;
  rc = MgmGetFirstMfe(&size, buf, &n);
  cr_assert_eq(rc, ERROR_MORE_DATA, "got %u", (unsigned)rc);
  cr_assert_eq(n, 1u);
  cr_assert_eq(size, 100u);
  assert_rec(0, G1, 2);
  assert_untouched(92, BUFSZ);
  /* GetNextMfe(M1), 200 -> 259, n 2 (M2, M3), 136 bytes */
  memcpy(&start, buf, sizeof start);
  fill();
  size = 200;
  rc = MgmGetNextMfe(&start, &size, buf, &n);
  cr_assert_eq(rc, ERROR_NO_MORE_ITEMS, "got %u", (unsigned)rc);
  cr_assert_eq(n, 2u);
  cr_assert_eq(size, 200u);
  assert_rec(0, G2, 1);
  assert_rec(76, G3, 0);
  assert_untouched(136, BUFSZ);
  /* GetNextMfe(M3), 200 -> 259, n 0 */
  memcpy(&start, buf + 76, SIZEOF_BASIC_MIB_MFE);
  fill();
  size = 200;
  n = 77;
  rc = MgmGetNextMfe(&start, &size, buf, &n);
  cr_assert_eq(rc, ERROR_NO_MORE_ITEMS, "got %u", (unsigned)rc);
  cr_assert_eq(n, 0u);
  cr_assert_eq(size, 200u);
  assert_untouched(0, BUFSZ);
  /* GetMfe(M2), 50 -> 122, size 76 */
  memset(&start, 0, sizeof start);
  start.dwGroup = G2;
  start.dwSource = S_;
  fill();
  size = 50;
  rc = MgmGetMfe(&start, &size, buf);
  cr_assert_eq(rc, ERROR_INSUFFICIENT_BUFFER, "got %u", (unsigned)rc);
  cr_assert_eq(size, 76u);
  assert_untouched(0, BUFSZ);
  /* GetMfe(M2), 76 -> 0, 76 bytes */
  rc = MgmGetMfe(&start, &size, buf);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  cr_assert_eq(size, 76u);
  cr_assert_eq(rec_at(0)->dwGroup, G2);
  cr_assert_eq(rec_at(0)->ulNumOutIf, 1u);
  assert_untouched(76, BUFSZ);
  /* GetMfe(missing) -> 1168, size unchanged (also with a tiny buffer:
   * not-found is checked before size). */
  start.dwGroup = IP(224, 1, 0, 9);
  fill();
  size = 4;
  rc = MgmGetMfe(&start, &size, buf);
  cr_assert_eq(rc, ERROR_NOT_FOUND, "got %u", (unsigned)rc);
  cr_assert_eq(size, 4u);
  size = 0;
  rc = MgmGetMfe(&start, &size, NULL);
  cr_assert_eq(rc, ERROR_NOT_FOUND, "NULL buffer: %u", (unsigned)rc);
  cr_assert_eq(size, 0u);
  assert_untouched(0, BUFSZ);
  /* NULL buffer with capacity 0 on an existing MFE: 122 + size. */
  start.dwGroup = G1;
  rc = MgmGetMfe(&start, &size, NULL);
  cr_assert_eq(rc, ERROR_INSUFFICIENT_BUFFER, "got %u", (unsigned)rc);
  cr_assert_eq(size, 92u);
  FX_EXPECT_NONE();
}

Test(enumeration, mfe_stats_rows) {
  DWORD size, n, rc;
  MIB_IPMCAST_MFE key;
  const MIB_IPMCAST_MFE_STATS *s0;

  setup_m123();
  /* GetFirstMfeStats(STATS_0), 100 -> 122, size 120 */
  fill();
  size = 100;
  n = 77;
  rc = MgmGetFirstMfeStats(&size, buf, &n, MGM_MFE_STATS_0);
  cr_assert_eq(rc, ERROR_INSUFFICIENT_BUFFER, "got %u", (unsigned)rc);
  cr_assert_eq(n, 0u);
  cr_assert_eq(size, 120u, "size %u", (unsigned)size);
  assert_untouched(0, BUFSZ);
  /* GetFirstMfeStats(STATS_1), 4096 -> 259, n 3, 140+112+84 bytes */
  size = BUFSZ;
  rc = MgmGetFirstMfeStats(&size, buf, &n, MGM_MFE_STATS_1);
  cr_assert_eq(rc, ERROR_NO_MORE_ITEMS, "got %u", (unsigned)rc);
  cr_assert_eq(n, 3u);
  cr_assert_eq(size, (DWORD)BUFSZ);
  s0 = (const MIB_IPMCAST_MFE_STATS *)(const void *)buf;
  cr_assert(s0->dwGroup == G1 && s0->ulNumOutIf == 2);
  s0 = (const MIB_IPMCAST_MFE_STATS *)(const void *)(buf + 140);
  cr_assert(s0->dwGroup == G2 && s0->ulNumOutIf == 1, "record 2 at 140");
  s0 = (const MIB_IPMCAST_MFE_STATS *)(const void *)(buf + 252);
  cr_assert(s0->dwGroup == G3 && s0->ulNumOutIf == 0, "record 3 at 252");
  assert_untouched(336, BUFSZ);
  /* dwFlags 0 = basic records (D-STATSFLAG). */
  fill();
  size = BUFSZ;
  rc = MgmGetFirstMfeStats(&size, buf, &n, 0);
  cr_assert_eq(rc, ERROR_NO_MORE_ITEMS, "got %u", (unsigned)rc);
  cr_assert_eq(n, 3u);
  assert_untouched(120 + 92 + 64, BUFSZ);
  /* Other flags -> 87, nothing written. */
  fill();
  size = BUFSZ;
  n = 77;
  rc = MgmGetFirstMfeStats(&size, buf, &n, 3);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  cr_assert_eq(size, (DWORD)BUFSZ);
  assert_untouched(0, BUFSZ);
  /* GetNextMfeStats(M1, STATS_0): M2 + M3 = 92 + 64 */
  memset(&key, 0, sizeof key);
  key.dwGroup = G1;
  key.dwSource = S_;
  fill();
  size = BUFSZ;
  rc = MgmGetNextMfeStats(&key, &size, buf, &n, MGM_MFE_STATS_0);
  cr_assert_eq(rc, ERROR_NO_MORE_ITEMS, "got %u", (unsigned)rc);
  cr_assert_eq(n, 2u);
  assert_untouched(156, BUFSZ);
  /* GetMfeStats(M1, STATS_1), 100 -> 122, size 140; then fits. */
  size = 100;
  rc = MgmGetMfeStats(&key, &size, buf, MGM_MFE_STATS_1);
  cr_assert_eq(rc, ERROR_INSUFFICIENT_BUFFER, "got %u", (unsigned)rc);
  cr_assert_eq(size, 140u);
  fill();
  rc = MgmGetMfeStats(&key, &size, buf, MGM_MFE_STATS_1);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  assert_untouched(140, BUFSZ);
  size = BUFSZ;
  rc = MgmGetMfeStats(&key, &size, buf, 7);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "got %u", (unsigned)rc);
  key.dwGroup = IP(224, 1, 0, 9);
  size = 12;
  rc = MgmGetMfeStats(&key, &size, buf, MGM_MFE_STATS_0);
  cr_assert_eq(rc, ERROR_NOT_FOUND, "got %u", (unsigned)rc);
  cr_assert_eq(size, 12u);
}

Test(enumeration, empty_table_is_259_with_nothing) {
  DWORD size, n, rc;

  fill();
  size = 1000;
  n = 77;
  rc = MgmGetFirstMfe(&size, buf, &n);
  cr_assert_eq(rc, ERROR_NO_MORE_ITEMS, "got %u", (unsigned)rc);
  cr_assert_eq(n, 0u);
  cr_assert_eq(size, 1000u);
  assert_untouched(0, BUFSZ);
  size = 0;
  n = 77;
  rc = MgmGetFirstMfe(&size, NULL, &n);
  cr_assert_eq(rc, ERROR_NO_MORE_ITEMS, "capacity 0: %u", (unsigned)rc);
  cr_assert_eq(n, 0u);
  cr_assert_eq(size, 0u);
  size = 0;
  rc = MgmGetFirstMfeStats(&size, NULL, &n, MGM_MFE_STATS_1);
  cr_assert_eq(rc, ERROR_NO_MORE_ITEMS, "stats: %u", (unsigned)rc);
  cr_assert_eq(size, 0u);
}

Test(enumeration, get_next_uses_strict_successor) {
  DWORD size, n, rc;
  MIB_IPMCAST_MFE start;

  setup_m123();
  /* A key that does not exist, between M1 and M2; junk mask ignored. */
  memset(&start, 0, sizeof start);
  start.dwGroup = G1;
  start.dwSource = IP(10, 1, 1, 200);
  start.dwSrcMask = 0x12345678u;
  fill();
  size = 76;
  rc = MgmGetNextMfe(&start, &size, buf, &n);
  cr_assert_eq(rc, ERROR_MORE_DATA, "got %u", (unsigned)rc);
  cr_assert_eq(n, 1u);
  cr_assert_eq(rec_at(0)->dwGroup, G2);
  /* A key before everything returns M1 first. */
  start.dwGroup = 0;
  start.dwSource = 0;
  size = BUFSZ;
  rc = MgmGetNextMfe(&start, &size, buf, &n);
  cr_assert_eq(rc, ERROR_NO_MORE_ITEMS, "got %u", (unsigned)rc);
  cr_assert_eq(n, 3u, "D-NOCAP: n=%u", (unsigned)n);
  assert_rec(0, G1, 2);
  assert_rec(92, G2, 1);
  assert_rec(168, G3, 0);
}

Test(enumeration, mfes_are_ordered_by_ntohl_group_then_source) {
  DWORD Ga = IP(224, 1, 1, 2), Gb = IP(225, 1, 1, 1);
  DWORD Sa = IP(10, 1, 1, 2), Sb = IP(10, 1, 2, 1);
  struct fx_mfe all[8];
  size_t n;

  fx_register(0, PID_O, 1);
  fx_take(0, 1, 0);
  fx_route(IP(10, 1, 0, 0), IP(255, 255, 0, 0), 1, 0, PROTO_IP_RIP);
  fx_inject(1, Sa, Gb);
  fx_inject(1, Sb, Ga);
  fx_inject(1, Sa, Ga);
  n = fx_mfe_all(all, 8);
  cr_assert_eq(n, 3u);
  cr_assert(all[0].m.dwGroup == Ga && all[0].m.dwSource == Sa, "first");
  cr_assert(all[1].m.dwGroup == Ga && all[1].m.dwSource == Sb, "second");
  cr_assert(all[2].m.dwGroup == Gb && all[2].m.dwSource == Sa, "third");
}

/* Five groups, capacity 40: 2/234, 2/234, 1/259, 0/259; capacity 8 ->
 * 122 with 16. */
Test(enumeration, group_enumeration_40_bytes_5_groups) {
  HANDLE e = NULL, e2 = NULL;
  SOURCE_GROUP_ENTRY *sg = (SOURCE_GROUP_ENTRY *)(void *)buf;
  DWORD size, n, rc, i, k = 0;
  static const DWORD want_n[] = {2, 2, 1, 0};
  static const DWORD want_rc[] = {ERROR_MORE_DATA, ERROR_MORE_DATA,
                                  ERROR_NO_MORE_ITEMS, ERROR_NO_MORE_ITEMS};
  SOURCE_GROUP_ENTRY got[5];
  int call;

  fx_register(0, PID_A, 1);
  fx_take(0, 2, 0);
  for (i = 1; i <= 5; i++)
    fx_add(0, 0, IP(224, 7, 7, i), 2);
  rc = MgmGroupEnumerationStart(fx_h(0), ANY_SOURCE, &e);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  for (call = 0; call < 4; call++) {
    fill();
    size = 40;
    n = 77;
    rc = MgmGroupEnumerationGetNext(e, &size, buf, &n);
    cr_assert_eq(rc, want_rc[call], "call %d: got %u", call, (unsigned)rc);
    cr_assert_eq(n, want_n[call], "call %d: n=%u", call, (unsigned)n);
    cr_assert_eq(size, 40u, "call %d: size changed to %u", call,
                 (unsigned)size);
    assert_untouched(16 * n, BUFSZ);
    for (i = 0; i < n; i++)
      got[k++] = sg[i];
  }
  cr_assert_eq(k, 5u);
  for (i = 0; i < 5; i++)
    cr_assert(got[i].dwSourceAddr == 0 && got[i].dwSourceMask == 0 &&
                  got[i].dwGroupAddr == IP(224, 7, 7, i + 1) &&
                  got[i].dwGroupMask == FX_ALL,
              "entry %u", (unsigned)i);
  cr_assert_eq(MgmGroupEnumerationEnd(e), NO_ERROR);

  rc = MgmGroupEnumerationStart(fx_h(0), ANY_SOURCE, &e2);
  cr_assert_eq(rc, NO_ERROR);
  fill();
  size = 8;
  n = 77;
  rc = MgmGroupEnumerationGetNext(e2, &size, buf, &n);
  cr_assert_eq(rc, ERROR_INSUFFICIENT_BUFFER, "got %u", (unsigned)rc);
  cr_assert_eq(size, 16u);
  cr_assert_eq(n, 0u);
  assert_untouched(0, BUFSZ);
  size = 0;
  rc = MgmGroupEnumerationGetNext(e2, &size, NULL, &n);
  cr_assert_eq(rc, ERROR_INSUFFICIENT_BUFFER, "NULL buffer: %u", (unsigned)rc);
  cr_assert_eq(size, 16u);
  /* Nothing was consumed by the failed calls. */
  size = BUFSZ;
  rc = MgmGroupEnumerationGetNext(e2, &size, buf, &n);
  cr_assert_eq(rc, ERROR_NO_MORE_ITEMS, "got %u", (unsigned)rc);
  cr_assert_eq(n, 5u, "D-NOCAP: n=%u", (unsigned)n);
  cr_assert_eq(MgmGroupEnumerationEnd(e2), NO_ERROR);
}

static int has(const SOURCE_GROUP_ENTRY *v, size_t n, DWORD s, DWORD sm,
               DWORD g, DWORD gm) {
  size_t i;

  for (i = 0; i < n; i++)
    if (v[i].dwSourceAddr == s && v[i].dwSourceMask == sm &&
        v[i].dwGroupAddr == g && v[i].dwGroupMask == gm)
      return 1;
  return 0;
}

Test(enumeration, any_source_vs_all_sources) {
  DWORD S1 = IP(10, 1, 1, 1), S2 = IP(10, 1, 1, 2), S3 = IP(10, 1, 1, 3);
  DWORD G4 = IP(224, 1, 0, 4);
  SOURCE_GROUP_ENTRY v[16];
  size_t n;

  fx_register(0, PID_A, 1);
  fx_register(1, PID_O, 1);
  fx_register(2, PROTO_IP_IGMP, 1);
  fx_take(0, 2, 0);
  fx_take(1, 3, 0);
  fx_take(2, 3, 0);
  fx_add(0, S1, G1, 2);
  fx_add(0, S2, G1, 2);
  fx_add(1, S2, G1, 3); /* same entry, another client: one record */
  fx_add(0, 0, G1, 2);
  fx_add(1, 0, G2, 3);
  fx_add(0, S3, G3, 2);
  fx_add(1, 0, 0, 3);
  fx_add(2, 0, G4, 3);  /* latent: excluded */
  fx_add(2, S1, G4, 3); /* latent: excluded */

  n = fx_groups(0, ALL_SOURCES, v, 16);
  cr_assert_eq(n, 6u, "ALL_SOURCES: %zu entries", n);
  /* Port order: ascending (ntohl G, ntohl S). */
  cr_assert(v[0].dwSourceAddr == 0 && v[0].dwSourceMask == 0 &&
            v[0].dwGroupAddr == 0 && v[0].dwGroupMask == 0);
  cr_assert(v[1].dwSourceAddr == 0 && v[1].dwGroupAddr == G1);
  cr_assert(v[2].dwSourceAddr == S1 && v[2].dwGroupAddr == G1);
  cr_assert(v[3].dwSourceAddr == S2 && v[3].dwGroupAddr == G1);
  cr_assert(v[4].dwSourceAddr == 0 && v[4].dwGroupAddr == G2);
  cr_assert(v[5].dwSourceAddr == S3 && v[5].dwGroupAddr == G3);
  cr_assert(has(v, n, S1, FX_ALL, G1, FX_ALL));
  cr_assert(has(v, n, S2, FX_ALL, G1, FX_ALL));
  cr_assert(has(v, n, 0, 0, G1, FX_ALL));
  cr_assert(has(v, n, 0, 0, G2, FX_ALL));
  cr_assert(has(v, n, S3, FX_ALL, G3, FX_ALL));

  n = fx_groups(1, ANY_SOURCE, v, 16);
  cr_assert_eq(n, 4u, "ANY_SOURCE: %zu entries", n);
  cr_assert(v[0].dwSourceAddr == 0 && v[0].dwGroupAddr == 0 &&
            v[0].dwGroupMask == 0);
  cr_assert(v[1].dwSourceAddr == 0 && v[1].dwSourceMask == 0 &&
            v[1].dwGroupAddr == G1 && v[1].dwGroupMask == FX_ALL);
  cr_assert(v[2].dwSourceAddr == 0 && v[2].dwGroupAddr == G2);
  cr_assert(v[3].dwSourceAddr == 0 && v[3].dwSourceMask == 0 &&
                v[3].dwGroupAddr == G3 && v[3].dwGroupMask == FX_ALL,
            "a group with only (S,G) entries is listed as (0,0,G,~0)");
}

Test(enumeration, snapshot_taken_at_start) {
  HANDLE e = NULL;
  SOURCE_GROUP_ENTRY *sg = (SOURCE_GROUP_ENTRY *)(void *)buf;
  DWORD size, n, rc;

  fx_register(0, PID_A, 1);
  fx_take(0, 2, 0);
  fx_add(0, 0, G1, 2);
  fx_add(0, 0, G2, 2);
  rc = MgmGroupEnumerationStart(fx_h(0), ALL_SOURCES, &e);
  cr_assert_eq(rc, NO_ERROR);
  fx_del(0, 0, G1, 2);
  fx_add(0, 0, G3, 2);
  size = BUFSZ;
  rc = MgmGroupEnumerationGetNext(e, &size, buf, &n);
  cr_assert_eq(rc, ERROR_NO_MORE_ITEMS, "got %u", (unsigned)rc);
  cr_assert_eq(n, 2u);
  cr_assert(has(sg, n, 0, 0, G1, FX_ALL), "deleted entry missing");
  cr_assert(has(sg, n, 0, 0, G2, FX_ALL));
  cr_assert(!has(sg, n, 0, 0, G3, FX_ALL), "later entry seen");
  cr_assert_eq(MgmGroupEnumerationEnd(e), NO_ERROR);
}

Test(enumeration, handle_life_cycle) {
  HANDLE e = (HANDLE)(uintptr_t)0x99, e2 = NULL;
  DWORD size, n, rc;

  fx_register(0, PID_A, 1);
  fx_register(1, PID_O, 1);
  /* Start errors (G-6: handle untouched). */
  rc = MgmGroupEnumerationStart(fx_h(0), (MGM_ENUM_TYPES)2, &e);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "type 2: %u", (unsigned)rc);
  cr_assert_eq(e, (HANDLE)(uintptr_t)0x99);
  rc = MgmGroupEnumerationStart(fx_h(0), ANY_SOURCE, NULL);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "NULL out: %u", (unsigned)rc);
  rc = MgmGroupEnumerationStart((HANDLE)(uintptr_t)0x1234, ANY_SOURCE, &e);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "bad handle: %u", (unsigned)rc);
  cr_assert_eq(e, (HANDLE)(uintptr_t)0x99);
  /* Empty enumeration. */
  rc = MgmGroupEnumerationStart(fx_h(0), ANY_SOURCE, &e);
  cr_assert_eq(rc, NO_ERROR);
  size = 16;
  n = 77;
  rc = MgmGroupEnumerationGetNext(e, &size, buf, &n);
  cr_assert_eq(rc, ERROR_NO_MORE_ITEMS, "got %u", (unsigned)rc);
  cr_assert_eq(n, 0u);
  /* Exhausted: capacity 0 is fine, still 259. */
  size = 0;
  rc = MgmGroupEnumerationGetNext(e, &size, NULL, &n);
  cr_assert_eq(rc, ERROR_NO_MORE_ITEMS, "got %u", (unsigned)rc);
  cr_assert_eq(size, 0u);
  cr_assert_eq(MgmGroupEnumerationEnd(e), NO_ERROR);
  /* After End the handle is dead. */
  size = 16;
  rc = MgmGroupEnumerationGetNext(e, &size, buf, &n);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "GetNext after End: %u",
               (unsigned)rc);
  rc = MgmGroupEnumerationEnd(e);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "End twice: %u", (unsigned)rc);
  /* D-DEREG: deregistration closes the client's enumerations. */
  rc = MgmGroupEnumerationStart(fx_h(1), ALL_SOURCES, &e2);
  cr_assert_eq(rc, NO_ERROR);
  cr_assert_eq(fx_deregister(1), NO_ERROR);
  size = 16;
  rc = MgmGroupEnumerationGetNext(e2, &size, buf, &n);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "GetNext after dereg: %u",
               (unsigned)rc);
  rc = MgmGroupEnumerationEnd(e2);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "End after dereg: %u",
               (unsigned)rc);
}
