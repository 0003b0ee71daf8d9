/*
 * enum.c - conformance tests of the enumeration buffer protocol (mgm-spec
 * 2.10-2.17, 4.8).
 *
 * SPDX-License-Identifier: MIT
 *
 * Expected Windows behaviour [DOC nf-mgm-mgmgetfirstmfe, mgmgetnextmfe,
 * mgmgroupenumerationgetnext]: records are written whole; when not even
 * one fits the call returns ERROR_INSUFFICIENT_BUFFER (122) and the size
 * needed in *pdwBufferSize, which is left unchanged otherwise; when more
 * records remain ERROR_MORE_DATA (234), when none remain
 * ERROR_NO_MORE_ITEMS (259) with zero or more records returned.  Windows
 * also lists NO_ERROR for these functions; libmgm never returns it
 * (D-ENUM-RC), so broken() accepts it where Windows might.  Group entries
 * are 16 bytes.  The MFE rows need MFEs, which only the sim can create
 * here (win_skip on Windows).
 */
#include "conf_common.h"

#include "conf_client.h"
#include "conf_sim.h"
#include "conf_tests.h"
#include "harness.h"

#include <string.h>

#define FILL 0xAB

static DWORD ebuf[1024];

static int untouched(size_t from, size_t to) {
  const unsigned char *b = (const unsigned char *)ebuf;
  size_t i;

  for (i = from; i < to; i++)
    if (b[i] != FILL)
      return 0;
  return 1;
}

void test_enum_empty_mfe_table(void) {
  DWORD size = 1000, n = 77, rc;

  if (!conf_begin())
    return;
  memset(ebuf, FILL, sizeof ebuf);
  rc = MgmGetFirstMfe(&size, (PBYTE)ebuf, &n);
  ok(rc == ERROR_NO_MORE_ITEMS || broken(rc == NO_ERROR),
     "empty table: got %u\n", (unsigned)rc);
  ok(n == 0, "entries: got %u\n", (unsigned)n);
  ok(size == 1000, "size: got %u\n", (unsigned)size);
  ok(untouched(0, sizeof ebuf), "buffer written\n");
  conf_end();
}

/* M1 (S,G1) 2 OIFs, M2 (S,G2) 1, M3 (S,G3) none. */
void test_enum_mfe_buffer_protocol(void) {
  DWORD S = conf_ip(10, 1, 1, 5), G1 = conf_ip(224, 1, 0, 1);
  DWORD G2 = conf_ip(224, 1, 0, 2), G3 = conf_ip(224, 1, 0, 3);
  DWORD size, n, rc;
  MIB_IPMCAST_MFE start;
  const MIB_IPMCAST_MFE *r;
  int good = 1;

  if (!conf_sim_present()) {
    win_skip("needs MFEs from libmgm's simulated forwarder\n");
    return;
  }
  if (!conf_begin())
    return;
  good &= conf_register(0, 5001, 1) == NO_ERROR;
  good &= conf_register(1, 5002, 1) == NO_ERROR;
  good &= conf_take(0, 1) == NO_ERROR;
  good &= conf_take(1, 2) == NO_ERROR;
  good &= conf_take(1, 3) == NO_ERROR;
  good &= conf_route_add(conf_ip(10, 1, 0, 0), conf_ip(255, 255, 0, 0), 1, 0,
                         PROTO_IP_RIP) == NO_ERROR;
  good &= conf_add(1, 0, G1, 2) == NO_ERROR;
  good &= conf_add(1, 0, G1, 3) == NO_ERROR;
  good &= conf_add(1, 0, G2, 2) == NO_ERROR;
  good &= conf_inject(1, S, G1, NULL) == NO_ERROR;
  good &= conf_inject(1, S, G2, NULL) == NO_ERROR;
  good &= conf_inject(1, S, G3, NULL) == NO_ERROR;
  ok(good, "setup failed\n");

  memset(ebuf, FILL, sizeof ebuf);
  size = 50;
  n = 77;
  rc = MgmGetFirstMfe(&size, (PBYTE)ebuf, &n);
  ok(rc == ERROR_INSUFFICIENT_BUFFER, "cap 50: got %u\n", (unsigned)rc);
  ok(size == 92, "cap 50: size %u\n", (unsigned)size);
  ok(n == 0, "cap 50: n %u\n", (unsigned)n);
  size = 100;
  rc = MgmGetFirstMfe(&size, (PBYTE)ebuf, &n);
  ok(rc == ERROR_MORE_DATA || broken(rc == NO_ERROR), "cap 100: got %u\n",
     (unsigned)rc);
  ok(n == 1 && size == 100, "cap 100: n %u size %u\n", (unsigned)n,
     (unsigned)size);
  r = (const MIB_IPMCAST_MFE *)(const void *)ebuf;
  ok(r->dwGroup == G1 && r->ulNumOutIf == 2, "M1: group %08x, %u OIFs\n",
     (unsigned)r->dwGroup, (unsigned)r->ulNumOutIf);
  ok(untouched(92, sizeof ebuf), "bytes after M1 written\n");
  memcpy(&start, ebuf, sizeof start);
  memset(ebuf, FILL, sizeof ebuf);
  size = 200;
  rc = MgmGetNextMfe(&start, &size, (PBYTE)ebuf, &n);
  ok(rc == ERROR_NO_MORE_ITEMS, "next(M1): got %u\n", (unsigned)rc);
  ok(n == 2 && size == 200, "next(M1): n %u size %u\n", (unsigned)n,
     (unsigned)size);
  r = (const MIB_IPMCAST_MFE *)(const void *)((unsigned char *)ebuf + 76);
  ok(r->dwGroup == G3 && r->ulNumOutIf == 0, "M3 at 76: group %08x\n",
     (unsigned)r->dwGroup);
  ok(untouched(136, sizeof ebuf), "bytes after M3 written\n");
  memset(ebuf, FILL, sizeof ebuf);
  size = 100;
  rc = MgmGetFirstMfeStats(&size, (PBYTE)ebuf, &n, MGM_MFE_STATS_0);
  ok(rc == ERROR_INSUFFICIENT_BUFFER && size == 120,
     "stats cap 100: got %u, size %u\n", (unsigned)rc, (unsigned)size);
  size = sizeof ebuf;
  rc = MgmGetFirstMfeStats(&size, (PBYTE)ebuf, &n, MGM_MFE_STATS_1);
  ok(rc == ERROR_NO_MORE_ITEMS && n == 3, "stats_1: got %u, n %u\n",
     (unsigned)rc, (unsigned)n);
  ok(untouched(336, sizeof ebuf), "bytes after 336 written\n");
  memset(&start, 0, sizeof start);
  start.dwGroup = G2;
  start.dwSource = S;
  size = 50;
  rc = MgmGetMfe(&start, &size, (PBYTE)ebuf);
  ok(rc == ERROR_INSUFFICIENT_BUFFER && size == 76,
     "GetMfe cap 50: got %u, size %u\n", (unsigned)rc, (unsigned)size);
  rc = MgmGetMfe(&start, &size, (PBYTE)ebuf);
  ok(rc == NO_ERROR && size == 76, "GetMfe cap 76: got %u, size %u\n",
     (unsigned)rc, (unsigned)size);
  start.dwGroup = conf_ip(224, 1, 0, 9);
  size = 33;
  rc = MgmGetMfe(&start, &size, (PBYTE)ebuf);
  ok(rc == ERROR_NOT_FOUND && size == 33, "missing: got %u, size %u\n",
     (unsigned)rc, (unsigned)size);
  conf_end();
}

/* Five groups: capacity 40 -> 2/234, 2/234, 1/259, 0/259; capacity 8 ->
 * 122 with 16. */
void test_enum_groups(void) {
  HANDLE e = NULL;
  DWORD size, n, rc, i, total = 0;
  static const DWORD want_n[] = {2, 2, 1, 0};
  static const DWORD want_rc[] = {ERROR_MORE_DATA, ERROR_MORE_DATA,
                                  ERROR_NO_MORE_ITEMS, ERROR_NO_MORE_ITEMS};
  int call;

  if (!conf_begin())
    return;
  ok(conf_register(0, 5003, 1) == NO_ERROR, "register\n");
  ok(conf_take(0, 2) == NO_ERROR, "take\n");
  for (i = 1; i <= 5; i++)
    ok(conf_add(0, 0, conf_ip(224, 7, 7, i), 2) == NO_ERROR, "add %u\n",
       (unsigned)i);
  rc = MgmGroupEnumerationStart(conf_h(0), ANY_SOURCE, &e);
  ok(rc == NO_ERROR, "start: got %u\n", (unsigned)rc);
  memset(ebuf, FILL, sizeof ebuf);
  size = 8;
  n = 77;
  rc = MgmGroupEnumerationGetNext(e, &size, (PBYTE)ebuf, &n);
  ok(rc == ERROR_INSUFFICIENT_BUFFER, "cap 8: got %u\n", (unsigned)rc);
  ok(size == 16, "cap 8: size %u\n", (unsigned)size);
  for (call = 0; call < 4; call++) {
    push_context("call %d", call);
    size = 40;
    n = 77;
    rc = MgmGroupEnumerationGetNext(e, &size, (PBYTE)ebuf, &n);
    ok(rc == want_rc[call] || broken(rc == NO_ERROR && call < 2), "got %u\n",
       (unsigned)rc);
    ok(n == want_n[call], "n: got %u\n", (unsigned)n);
    ok(size == 40, "size: got %u\n", (unsigned)size);
    total += n;
    pop_context();
  }
  ok(total == 5, "total: got %u\n", (unsigned)total);
  rc = MgmGroupEnumerationEnd(e);
  ok(rc == NO_ERROR, "end: got %u\n", (unsigned)rc);
  rc = MgmGroupEnumerationEnd(e);
  ok(rc == ERROR_INVALID_PARAMETER, "end twice: got %u\n", (unsigned)rc);
  conf_end();
}
