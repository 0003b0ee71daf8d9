/*
 * tests/abi/layout.c - print the binary layout of everything mgm.h exposes.
 *
 * SPDX-License-Identifier: MIT
 *
 * One line per fact, sorted with strcmp so the output is stable: sizeof,
 * alignof and integer signedness of the Win32 base types, sizeof/alignof of
 * every structure of mgm.h and of the iprtrmib.h subset it uses, offsetof,
 * sizeof and signedness of every field, the SIZEOF_* macros, and the values
 * of the constants (mgm.h, iprtrmib.h, routprot.h, winerror.h).  The same
 * source is built three ways: natively against libmgm's include/ + compat/,
 * with x86_64-w64-mingw32-gcc against mingw-w64's own SDK headers (run under
 * Wine; that output is golden-x86_64.txt), and with mingw-w64's windows.h
 * but libmgm's mgm.h.  All three must print exactly the same text.  It only
 * needs headers; it never links libmgm.
 */

/* mingw-w64's routprot.h (like the SDK's) refuses to compile unless the
 * client names a router version; MPR50 is the only one it knows. */
#ifndef MPR50
#define MPR50 1
#endif

#include <windows.h>
#include <iprtrmib.h>
#include <routprot.h>
#include <mgm.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 640
#define LINE_LEN 112

static char lines[MAX_LINES][LINE_LEN];
static size_t nlines;

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static void
emit(const char *fmt, ...) {
  va_list ap;
  int n;

  if (nlines == MAX_LINES) {
    fprintf(stderr, "layout: more than %d lines; raise MAX_LINES\n", MAX_LINES);
    exit(2);
  }
  va_start(ap, fmt);
  n = vsnprintf(lines[nlines], LINE_LEN, fmt, ap);
  va_end(ap);
  if (n < 0 || n >= LINE_LEN) {
    fprintf(stderr, "layout: line too long: %s\n", lines[nlines]);
    exit(2);
  }
  nlines++;
}

static int cmp_line(const void *a, const void *b) {
  return strcmp((const char *)a, (const char *)b);
}

/* Signedness of an integer type without -Wtype-limits noise: (T)-1 is
 * greater than (T)0 exactly when T is unsigned. */
#define IS_UNSIGNED(T) ((T)-1 > (T)0)
#define SIGNEDNESS(T) (IS_UNSIGNED(T) ? "unsigned" : "signed")

#define U(x) ((unsigned long long)(x))

/* A base type: size and alignment. */
#define TYPE(T)                                                                \
  do {                                                                         \
    emit("sizeof %s %llu", #T, U(sizeof(T)));                                  \
    emit("alignof %s %llu", #T, U(_Alignof(T)));                               \
  } while (0)

/* An integer base type: also its signedness. */
#define INT_TYPE(T)                                                            \
  do {                                                                         \
    TYPE(T);                                                                   \
    emit("signedness %s %s", #T, SIGNEDNESS(T));                               \
  } while (0)

/* A structure (or enum) as a whole. */
#define STRUCT(S) TYPE(S)

#define MEMBER(S, f) (((S *)0)->f)

/* Any field: offset and size. */
#define FIELD(S, f)                                                            \
  do {                                                                         \
    emit("offsetof %s.%s %llu", #S, #f, U(offsetof(S, f)));                    \
    emit("sizeof %s.%s %llu", #S, #f, U(sizeof(MEMBER(S, f))));                \
  } while (0)

/* An integer field: also its signedness. */
#define INT_FIELD(S, f)                                                        \
  do {                                                                         \
    FIELD(S, f);                                                               \
    emit("signedness %s.%s %s", #S, #f, SIGNEDNESS(__typeof__(MEMBER(S, f)))); \
  } while (0)

/* A constant, seen the way the API consumes it: as a DWORD. */
#define CONST_DW(name)                                                         \
  emit("const %s %llu 0x%08llx", #name, U((DWORD)(name)), U((DWORD)(name)))

/* A size macro (or any size-like expression): its value. */
#define SIZE_MACRO(expr) emit("value %s %llu", #expr, U(expr))

static void base_types(void) {
  TYPE(CHAR);
  INT_TYPE(BYTE);
  INT_TYPE(UCHAR);
  INT_TYPE(WORD);
  INT_TYPE(USHORT);
  INT_TYPE(SHORT);
  INT_TYPE(DWORD);
  INT_TYPE(ULONG);
  INT_TYPE(LONG);
  INT_TYPE(INT);
  INT_TYPE(UINT);
  INT_TYPE(BOOL);
  INT_TYPE(WINBOOL);
  INT_TYPE(ULONGLONG);
  INT_TYPE(LONGLONG);
  INT_TYPE(ULONG_PTR);
  TYPE(PVOID);
  TYPE(HANDLE);
  TYPE(PBYTE);
  TYPE(PDWORD);

  STRUCT(FILETIME);
  INT_FIELD(FILETIME, dwLowDateTime);
  INT_FIELD(FILETIME, dwHighDateTime);
}

static void mgm_structs(void) {
  STRUCT(MGM_IF_ENTRY);
  INT_FIELD(MGM_IF_ENTRY, dwIfIndex);
  INT_FIELD(MGM_IF_ENTRY, dwIfNextHopAddr);
  INT_FIELD(MGM_IF_ENTRY, bIGMP);
  INT_FIELD(MGM_IF_ENTRY, bIsEnabled);

  STRUCT(ROUTING_PROTOCOL_CONFIG);
  INT_FIELD(ROUTING_PROTOCOL_CONFIG, dwCallbackFlags);
  FIELD(ROUTING_PROTOCOL_CONFIG, pfnRpfCallback);
  FIELD(ROUTING_PROTOCOL_CONFIG, pfnCreationAlertCallback);
  FIELD(ROUTING_PROTOCOL_CONFIG, pfnPruneAlertCallback);
  FIELD(ROUTING_PROTOCOL_CONFIG, pfnJoinAlertCallback);
  FIELD(ROUTING_PROTOCOL_CONFIG, pfnWrongIfCallback);
  FIELD(ROUTING_PROTOCOL_CONFIG, pfnLocalJoinCallback);
  FIELD(ROUTING_PROTOCOL_CONFIG, pfnLocalLeaveCallback);
  FIELD(ROUTING_PROTOCOL_CONFIG, pfnDisableIgmpCallback);
  FIELD(ROUTING_PROTOCOL_CONFIG, pfnEnableIgmpCallback);

  STRUCT(SOURCE_GROUP_ENTRY);
  INT_FIELD(SOURCE_GROUP_ENTRY, dwSourceAddr);
  INT_FIELD(SOURCE_GROUP_ENTRY, dwSourceMask);
  INT_FIELD(SOURCE_GROUP_ENTRY, dwGroupAddr);
  INT_FIELD(SOURCE_GROUP_ENTRY, dwGroupMask);

  STRUCT(MGM_ENUM_TYPES);
}

static void mib_structs(void) {
  STRUCT(MIB_IPMCAST_OIF);
  INT_FIELD(MIB_IPMCAST_OIF, dwOutIfIndex);
  INT_FIELD(MIB_IPMCAST_OIF, dwNextHopAddr);
  INT_FIELD(MIB_IPMCAST_OIF, dwReserved);
  INT_FIELD(MIB_IPMCAST_OIF, dwReserved1);

  STRUCT(MIB_IPMCAST_MFE);
  INT_FIELD(MIB_IPMCAST_MFE, dwGroup);
  INT_FIELD(MIB_IPMCAST_MFE, dwSource);
  INT_FIELD(MIB_IPMCAST_MFE, dwSrcMask);
  INT_FIELD(MIB_IPMCAST_MFE, dwUpStrmNgbr);
  INT_FIELD(MIB_IPMCAST_MFE, dwInIfIndex);
  INT_FIELD(MIB_IPMCAST_MFE, dwInIfProtocol);
  INT_FIELD(MIB_IPMCAST_MFE, dwRouteProtocol);
  INT_FIELD(MIB_IPMCAST_MFE, dwRouteNetwork);
  INT_FIELD(MIB_IPMCAST_MFE, dwRouteMask);
  INT_FIELD(MIB_IPMCAST_MFE, ulUpTime);
  INT_FIELD(MIB_IPMCAST_MFE, ulExpiryTime);
  INT_FIELD(MIB_IPMCAST_MFE, ulTimeOut);
  INT_FIELD(MIB_IPMCAST_MFE, ulNumOutIf);
  INT_FIELD(MIB_IPMCAST_MFE, fFlags);
  INT_FIELD(MIB_IPMCAST_MFE, dwReserved);
  FIELD(MIB_IPMCAST_MFE, rgmioOutInfo);

  STRUCT(MIB_MFE_TABLE);
  INT_FIELD(MIB_MFE_TABLE, dwNumEntries);
  FIELD(MIB_MFE_TABLE, table);

  STRUCT(MIB_IPMCAST_OIF_STATS);
  INT_FIELD(MIB_IPMCAST_OIF_STATS, dwOutIfIndex);
  INT_FIELD(MIB_IPMCAST_OIF_STATS, dwNextHopAddr);
  INT_FIELD(MIB_IPMCAST_OIF_STATS, dwDialContext);
  INT_FIELD(MIB_IPMCAST_OIF_STATS, ulTtlTooLow);
  INT_FIELD(MIB_IPMCAST_OIF_STATS, ulFragNeeded);
  INT_FIELD(MIB_IPMCAST_OIF_STATS, ulOutPackets);
  INT_FIELD(MIB_IPMCAST_OIF_STATS, ulOutDiscards);

  STRUCT(MIB_IPMCAST_MFE_STATS);
  INT_FIELD(MIB_IPMCAST_MFE_STATS, dwGroup);
  INT_FIELD(MIB_IPMCAST_MFE_STATS, dwSource);
  INT_FIELD(MIB_IPMCAST_MFE_STATS, dwSrcMask);
  INT_FIELD(MIB_IPMCAST_MFE_STATS, dwUpStrmNgbr);
  INT_FIELD(MIB_IPMCAST_MFE_STATS, dwInIfIndex);
  INT_FIELD(MIB_IPMCAST_MFE_STATS, dwInIfProtocol);
  INT_FIELD(MIB_IPMCAST_MFE_STATS, dwRouteProtocol);
  INT_FIELD(MIB_IPMCAST_MFE_STATS, dwRouteNetwork);
  INT_FIELD(MIB_IPMCAST_MFE_STATS, dwRouteMask);
  INT_FIELD(MIB_IPMCAST_MFE_STATS, ulUpTime);
  INT_FIELD(MIB_IPMCAST_MFE_STATS, ulExpiryTime);
  INT_FIELD(MIB_IPMCAST_MFE_STATS, ulNumOutIf);
  INT_FIELD(MIB_IPMCAST_MFE_STATS, ulInPkts);
  INT_FIELD(MIB_IPMCAST_MFE_STATS, ulInOctets);
  INT_FIELD(MIB_IPMCAST_MFE_STATS, ulPktsDifferentIf);
  INT_FIELD(MIB_IPMCAST_MFE_STATS, ulQueueOverflow);
  FIELD(MIB_IPMCAST_MFE_STATS, rgmiosOutStats);

  STRUCT(MIB_MFE_STATS_TABLE);
  INT_FIELD(MIB_MFE_STATS_TABLE, dwNumEntries);
  FIELD(MIB_MFE_STATS_TABLE, table);

  STRUCT(MIB_IPMCAST_MFE_STATS_EX);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, dwGroup);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, dwSource);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, dwSrcMask);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, dwUpStrmNgbr);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, dwInIfIndex);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, dwInIfProtocol);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, dwRouteProtocol);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, dwRouteNetwork);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, dwRouteMask);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, ulUpTime);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, ulExpiryTime);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, ulNumOutIf);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, ulInPkts);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, ulInOctets);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, ulPktsDifferentIf);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, ulQueueOverflow);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, ulUninitMfe);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, ulNegativeMfe);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, ulInDiscards);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, ulInHdrErrors);
  INT_FIELD(MIB_IPMCAST_MFE_STATS_EX, ulTotalOutPackets);
  FIELD(MIB_IPMCAST_MFE_STATS_EX, rgmiosOutStats);

  STRUCT(MIB_MFE_STATS_TABLE_EX);
  INT_FIELD(MIB_MFE_STATS_TABLE_EX, dwNumEntries);
  FIELD(MIB_MFE_STATS_TABLE_EX, table);
}

static void size_macros(void) {
  SIZE_MACRO(SIZEOF_BASIC_MIB_MFE);
  SIZE_MACRO(SIZEOF_MIB_MFE(0));
  SIZE_MACRO(SIZEOF_MIB_MFE(1));
  SIZE_MACRO(SIZEOF_MIB_MFE(2));
  SIZE_MACRO(SIZEOF_MIB_MFE(3));
  SIZE_MACRO(SIZEOF_BASIC_MIB_MFE_STATS);
  SIZE_MACRO(SIZEOF_MIB_MFE_STATS(0));
  SIZE_MACRO(SIZEOF_MIB_MFE_STATS(1));
  SIZE_MACRO(SIZEOF_MIB_MFE_STATS(2));
  SIZE_MACRO(SIZEOF_MIB_MFE_STATS(3));
  SIZE_MACRO(SIZEOF_BASIC_MIB_MFE_STATS_EX);
  SIZE_MACRO(SIZEOF_MIB_MFE_STATS_EX(0));
  SIZE_MACRO(SIZEOF_MIB_MFE_STATS_EX(1));
  SIZE_MACRO(SIZEOF_MIB_MFE_STATS_EX(2));
  SIZE_MACRO(SIZEOF_MIB_MFE_STATS_EX(3));
  /* The SDK casts the BASIC sizes to ULONG and FIELD_OFFSET yields LONG. */
  emit("sizeof (SIZEOF_BASIC_MIB_MFE) %llu", U(sizeof(SIZEOF_BASIC_MIB_MFE)));
  emit("sizeof (SIZEOF_BASIC_MIB_MFE_STATS) %llu",
       U(sizeof(SIZEOF_BASIC_MIB_MFE_STATS)));
  emit("sizeof (SIZEOF_BASIC_MIB_MFE_STATS_EX) %llu",
       U(sizeof(SIZEOF_BASIC_MIB_MFE_STATS_EX)));
  emit("value FIELD_OFFSET(MIB_IPMCAST_MFE,ulTimeOut) %llu",
       U(FIELD_OFFSET(MIB_IPMCAST_MFE, ulTimeOut)));
  emit("value ANY_SIZE %llu", U(ANY_SIZE));
}

static void constants(void) {
  /* mgm.h */
  CONST_DW(MGM_JOIN_STATE_FLAG);
  CONST_DW(MGM_FORWARD_STATE_FLAG);
  CONST_DW(MGM_MFE_STATS_0);
  CONST_DW(MGM_MFE_STATS_1);
  CONST_DW(ANY_SOURCE);
  CONST_DW(ALL_SOURCES);

  /* windows.h */
  CONST_DW(TRUE);
  CONST_DW(FALSE);
  emit("value INVALID_HANDLE_VALUE %lld",
       (long long)(intptr_t)INVALID_HANDLE_VALUE);

  /* iprtrmib.h */
  CONST_DW(IPRTRMGR_PID);
  CONST_DW(MCAST_MFE);
  CONST_DW(MCAST_MFE_STATS);
  CONST_DW(MCAST_IF_ENTRY);
  CONST_DW(MCAST_GLOBAL);
  CONST_DW(MCAST_BOUNDARY);
  CONST_DW(MCAST_SCOPE);
  CONST_DW(MCAST_MFE_STATS_EX);

  /* routprot.h */
  CONST_DW(PROTO_IP_OTHER);
  CONST_DW(PROTO_IP_LOCAL);
  CONST_DW(PROTO_IP_NETMGMT);
  CONST_DW(PROTO_IP_RIP);
  CONST_DW(PROTO_IP_OSPF);
  CONST_DW(PROTO_IP_BGP);
  CONST_DW(PROTO_IP_MSDP);
  CONST_DW(PROTO_IP_IGMP);
  CONST_DW(PROTO_IP_BGMP);
  CONST_DW(PROTO_IP_NT_STATIC);
  CONST_DW(PROTO_IP_MGM);
  CONST_DW(PROTO_TYPE_UCAST);
  CONST_DW(PROTO_TYPE_MCAST);
  CONST_DW(PROTO_TYPE_MS0);
  CONST_DW(PROTO_TYPE_MS1);
  CONST_DW(PROTO_VENDOR_MS0);
  CONST_DW(PROTO_VENDOR_MS1);
  CONST_DW(PROTO_VENDOR_MS2);
  CONST_DW(MS_IP_IGMP);
  CONST_DW(MS_IP_BGMP);
  CONST_DW(MS_IP_MSDP);
  CONST_DW(MS_IP_MGM);
  CONST_DW(TYPE_FROM_PROTO_ID(MS_IP_IGMP));
  CONST_DW(VENDOR_FROM_PROTO_ID(MS_IP_IGMP));
  CONST_DW(PROTO_FROM_PROTO_ID(MS_IP_IGMP));
  CONST_DW(TYPE_FROM_PROTO_ID(MS_IP_MGM));
  CONST_DW(PROTOCOL_ID(PROTO_TYPE_MS1, PROTO_VENDOR_MS2, 0xFFFF));

  /* winerror.h: every code compat/winerror.h defines */
  CONST_DW(ERROR_SUCCESS);
  CONST_DW(NO_ERROR);
  CONST_DW(ERROR_ACCESS_DENIED);
  CONST_DW(ERROR_INVALID_HANDLE);
  CONST_DW(ERROR_NOT_ENOUGH_MEMORY);
  CONST_DW(ERROR_NOT_READY);
  CONST_DW(ERROR_NOT_SUPPORTED);
  CONST_DW(ERROR_INVALID_PARAMETER);
  CONST_DW(ERROR_CALL_NOT_IMPLEMENTED);
  CONST_DW(ERROR_INSUFFICIENT_BUFFER);
  CONST_DW(ERROR_BUSY);
  CONST_DW(ERROR_ALREADY_EXISTS);
  CONST_DW(ERROR_MORE_DATA);
  CONST_DW(ERROR_NO_MORE_ITEMS);
  CONST_DW(ERROR_CAN_NOT_COMPLETE);
  CONST_DW(ERROR_NOT_FOUND);
  CONST_DW(ERROR_ALREADY_INITIALIZED);
}

int main(void) {
  size_t i;

  base_types();
  mgm_structs();
  mib_structs();
  size_macros();
  constants();

  qsort(lines, nlines, sizeof lines[0], cmp_line);
  for (i = 0; i < nlines; i++) {
    if (i > 0 && strcmp(lines[i], lines[i - 1]) == 0) {
      fprintf(stderr, "layout: duplicate line: %s\n", lines[i]);
      return 2;
    }
    puts(lines[i]);
  }
  return fflush(stdout) == 0 ? 0 : 1;
}
