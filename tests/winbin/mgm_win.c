/*
 * tests/winbin/mgm_win.c - a Windows client of rtm.dll built purely from the
 * SDK as mingw-w64 ships it.
 *
 * SPDX-License-Identifier: MIT
 *
 * Compiled with x86_64-w64-mingw32-gcc against mingw-w64's OWN windows.h,
 * iprtrmib.h and mgm.h (never libmgm's headers) and linked with mingw-w64's
 * import library librtm.a (-lrtm), exactly as an existing RRAS protocol
 * would be.  run.sh puts libmgm's rtm.dll beside it and runs it under Wine,
 * which proves the binary interface end to end: export names, calling
 * convention, structure layout and error codes.  It registers a protocol,
 * takes an interface, adds memberships, enumerates groups (and MFEs), then
 * undoes everything, checking every return code against mgm-spec.md.  Wine
 * style output: one line per failed check, a summary, exit status = number
 * of failures.
 */
#include <windows.h>
#include <iprtrmib.h>
#include <mgm.h>

#include <stdio.h>
#include <string.h>

static unsigned failures, checks;

#define ok(cond, ...)                                                          \
  do {                                                                         \
    checks++;                                                                  \
    if (!(cond)) {                                                             \
      failures++;                                                              \
      printf("mgm_win.c:%d: Test failed: ", __LINE__);                         \
      printf(__VA_ARGS__);                                                     \
    }                                                                          \
  } while (0)

/* An IPv4 address in network byte order (mgm-spec.md 1.3). */
static DWORD ip4(unsigned a, unsigned b, unsigned c, unsigned d) {
  DWORD v;
  unsigned char *p = (unsigned char *)&v;

  p[0] = (unsigned char)a;
  p[1] = (unsigned char)b;
  p[2] = (unsigned char)c;
  p[3] = (unsigned char)d;
  return v;
}

static unsigned join_alerts;

static DWORD join_alert(DWORD dwSourceAddr, DWORD dwSourceMask,
                        DWORD dwGroupAddr, DWORD dwGroupMask,
                        BOOL bMemberUpdate) {
  (void)dwSourceAddr;
  (void)dwSourceMask;
  (void)dwGroupAddr;
  (void)dwGroupMask;
  (void)bMemberUpdate;
  join_alerts++;
  return NO_ERROR;
}

#define TEST_PROTO 0x20001u
#define TEST_COMPONENT 1u
#define TEST_IF 2u

static void check_loaded_dll(void) {
  HMODULE m = GetModuleHandleA("rtm.dll");
  char path[MAX_PATH];

  ok(m != NULL, "rtm.dll is not loaded\n");
  if (!m)
    return;
  if (GetModuleFileNameA(m, path, sizeof path))
    printf("rtm.dll: %s\n", path);
  /* libmgm exports its own entry points and MgmSetMfe, which the real
   * rtm.dll (and mingw-w64's librtm.a) do not: proves whose DLL this is. */
  ok(GetProcAddress(m, "libmgm_start") != NULL,
     "rtm.dll has no libmgm_start: not libmgm's rtm.dll\n");
  ok(GetProcAddress(m, "MgmSetMfe") != NULL, "MgmSetMfe is not exported\n");
}

static void check_group_enum(HANDLE h, DWORD g, DWORD s) {
  SOURCE_GROUP_ENTRY e[8];
  HANDLE he = NULL;
  DWORD rc, size, n;

  /* ALL_SOURCES: (*,G) and (S,G), ascending by group then source. */
  rc = MgmGroupEnumerationStart(h, ALL_SOURCES, &he);
  ok(rc == NO_ERROR, "GroupEnumerationStart(ALL_SOURCES): got %lu\n", rc);
  ok(he != NULL, "no enumeration handle\n");
  size = 8; /* less than one record */
  n = 99;
  rc = MgmGroupEnumerationGetNext(he, &size, (PBYTE)e, &n);
  ok(rc == ERROR_INSUFFICIENT_BUFFER, "GetNext(8 bytes): got %lu\n", rc);
  ok(size == sizeof(SOURCE_GROUP_ENTRY), "needed size: got %lu\n", size);
  ok(n == 0, "entries with 122: got %lu\n", n);
  size = sizeof e;
  n = 99;
  memset(e, 0xcc, sizeof e);
  rc = MgmGroupEnumerationGetNext(he, &size, (PBYTE)e, &n);
  ok(rc == ERROR_NO_MORE_ITEMS, "GetNext: got %lu\n", rc);
  ok(size == sizeof e, "buffer size changed to %lu\n", size);
  ok(n == 2, "ALL_SOURCES entries: got %lu\n", n);
  if (n == 2) {
    ok(e[0].dwSourceAddr == 0 && e[0].dwSourceMask == 0 &&
           e[0].dwGroupAddr == g && e[0].dwGroupMask == 0xFFFFFFFF,
       "entry 0: got %08lx/%08lx %08lx/%08lx\n", e[0].dwSourceAddr,
       e[0].dwSourceMask, e[0].dwGroupAddr, e[0].dwGroupMask);
    ok(e[1].dwSourceAddr == s && e[1].dwSourceMask == 0xFFFFFFFF &&
           e[1].dwGroupAddr == g && e[1].dwGroupMask == 0xFFFFFFFF,
       "entry 1: got %08lx/%08lx %08lx/%08lx\n", e[1].dwSourceAddr,
       e[1].dwSourceMask, e[1].dwGroupAddr, e[1].dwGroupMask);
  }
  rc = MgmGroupEnumerationEnd(he);
  ok(rc == NO_ERROR, "GroupEnumerationEnd: got %lu\n", rc);

  /* ANY_SOURCE: one entry per group. */
  rc = MgmGroupEnumerationStart(h, ANY_SOURCE, &he);
  ok(rc == NO_ERROR, "GroupEnumerationStart(ANY_SOURCE): got %lu\n", rc);
  size = sizeof e;
  n = 99;
  rc = MgmGroupEnumerationGetNext(he, &size, (PBYTE)e, &n);
  ok(rc == ERROR_NO_MORE_ITEMS, "GetNext(ANY_SOURCE): got %lu\n", rc);
  ok(n == 1, "ANY_SOURCE entries: got %lu\n", n);
  if (n == 1)
    ok(e[0].dwSourceAddr == 0 && e[0].dwGroupAddr == g &&
           e[0].dwGroupMask == 0xFFFFFFFF,
       "ANY_SOURCE entry: got %08lx %08lx/%08lx\n", e[0].dwSourceAddr,
       e[0].dwGroupAddr, e[0].dwGroupMask);
  rc = MgmGroupEnumerationEnd(he);
  ok(rc == NO_ERROR, "GroupEnumerationEnd: got %lu\n", rc);
  rc = MgmGroupEnumerationEnd(he);
  ok(rc == ERROR_INVALID_PARAMETER, "End of a closed enum: got %lu\n", rc);
}

static void check_mfe_enum(void) {
  BYTE buf[256];
  MIB_IPMCAST_MFE key;
  DWORD rc, size, n;

  /* No packet was forwarded, so the MFE table is empty. */
  size = sizeof buf;
  n = 99;
  rc = MgmGetFirstMfe(&size, buf, &n);
  ok(rc == ERROR_NO_MORE_ITEMS, "GetFirstMfe: got %lu\n", rc);
  ok(n == 0, "MFEs: got %lu\n", n);
  ok(size == sizeof buf, "buffer size changed to %lu\n", size);
  size = sizeof buf;
  n = 99;
  rc = MgmGetFirstMfeStats(&size, buf, &n, MGM_MFE_STATS_1);
  ok(rc == ERROR_NO_MORE_ITEMS, "GetFirstMfeStats: got %lu\n", rc);
  ok(n == 0, "MFE stats: got %lu\n", n);
  memset(&key, 0, sizeof key);
  key.dwGroup = ip4(239, 1, 2, 3);
  key.dwSource = ip4(10, 1, 2, 3);
  size = sizeof buf;
  rc = MgmGetMfe(&key, &size, buf);
  ok(rc == ERROR_NOT_FOUND, "GetMfe(missing): got %lu\n", rc);
}

int main(void) {
  ROUTING_PROTOCOL_CONFIG cfg;
  HANDLE h = NULL, h2 = NULL;
  DWORD rc, proto = 0, comp = 0;
  DWORD g = ip4(239, 1, 2, 3), s = ip4(10, 1, 2, 3);

  setvbuf(stdout, NULL, _IONBF, 0);

  memset(&cfg, 0, sizeof cfg);
  cfg.pfnJoinAlertCallback = join_alert;

  rc = MgmRegisterMProtocol(&cfg, TEST_PROTO, TEST_COMPONENT, &h);
  ok(rc == NO_ERROR, "MgmRegisterMProtocol: got %lu\n", rc);
  ok(h != NULL, "no protocol handle\n");
  if (rc != NO_ERROR) {
    printf("mgm_win: cannot register; %u tests, %u failures\n", checks,
           failures);
    return (int)failures;
  }
  check_loaded_dll();

  rc = MgmRegisterMProtocol(&cfg, TEST_PROTO, TEST_COMPONENT, &h2);
  ok(rc == ERROR_ALREADY_EXISTS, "duplicate register: got %lu\n", rc);

  rc = MgmTakeInterfaceOwnership(h, TEST_IF, 0);
  ok(rc == NO_ERROR, "MgmTakeInterfaceOwnership: got %lu\n", rc);
  rc = MgmTakeInterfaceOwnership(h, TEST_IF, 0);
  ok(rc == ERROR_ALREADY_EXISTS, "take twice: got %lu\n", rc);

  rc = MgmGetProtocolOnInterface(TEST_IF, 0, &proto, &comp);
  ok(rc == NO_ERROR, "MgmGetProtocolOnInterface: got %lu\n", rc);
  ok(proto == TEST_PROTO && comp == TEST_COMPONENT, "owner: got %lx/%lu\n",
     proto, comp);
  rc = MgmGetProtocolOnInterface(TEST_IF + 40, 0, &proto, &comp);
  ok(rc == ERROR_NOT_FOUND, "owner of an unknown interface: got %lu\n", rc);

  rc = MgmAddGroupMembershipEntry(h, 0, 0, g, 0xFFFFFFFF, TEST_IF, 0,
                                  MGM_JOIN_STATE_FLAG);
  ok(rc == NO_ERROR, "add (*,G): got %lu\n", rc);
  rc = MgmAddGroupMembershipEntry(h, s, 0xFFFFFFFF, g, 0xFFFFFFFF, TEST_IF, 0,
                                  MGM_JOIN_STATE_FLAG);
  ok(rc == NO_ERROR, "add (S,G): got %lu\n", rc);
  /* The only client gets no join alert for its own membership (3.4). */
  ok(join_alerts == 0, "join alerts: got %u\n", join_alerts);

  check_group_enum(h, g, s);
  check_mfe_enum();

  rc = MgmDeRegisterMProtocol(h);
  ok(rc == ERROR_CAN_NOT_COMPLETE, "deregister while owning: got %lu\n", rc);

  rc = MgmDeleteGroupMembershipEntry(h, s, 0xFFFFFFFF, g, 0xFFFFFFFF, TEST_IF,
                                     0, MGM_JOIN_STATE_FLAG);
  ok(rc == NO_ERROR, "delete (S,G): got %lu\n", rc);
  rc = MgmDeleteGroupMembershipEntry(h, 0, 0, g, 0xFFFFFFFF, TEST_IF, 0,
                                     MGM_JOIN_STATE_FLAG);
  ok(rc == NO_ERROR, "delete (*,G): got %lu\n", rc);
  rc = MgmReleaseInterfaceOwnership(h, TEST_IF, 0);
  ok(rc == NO_ERROR, "MgmReleaseInterfaceOwnership: got %lu\n", rc);
  rc = MgmDeRegisterMProtocol(h);
  ok(rc == NO_ERROR, "MgmDeRegisterMProtocol: got %lu\n", rc);
  rc = MgmDeRegisterMProtocol(h);
  ok(rc == ERROR_INVALID_PARAMETER, "deregister a stale handle: got %lu\n", rc);

  printf("mgm_win: %u tests executed, %u failures\n", checks, failures);
  return failures > 125 ? 125 : (int)failures;
}
