/*
 * compat/windows.h - the Win32 base types that mgm.h needs, for non-Windows
 * builds of libmgm and of the protocols ported onto it.
 *
 * SPDX-License-Identifier: MIT
 *
 * LP64 rule (as in Wine's windef.h): DWORD, ULONG and LONG are 32-bit integer
 * types, never `long`, so that every MIB structure keeps its Windows layout
 * (mgm-spec.md 1.1).  BOOL is int and HANDLE is void *.  Only what MGM
 * clients need is here; see compat/README.md for the rules.
 */
#ifndef LIBMGM_COMPAT_WINDOWS_H
#define LIBMGM_COMPAT_WINDOWS_H

#ifdef _WIN32
#error "compat/windows.h is for non-Windows builds; use the SDK's windows.h"
#endif

#include <stddef.h>
#include <stdint.h>

#ifndef VOID
#define VOID void
#endif
#ifndef CONST
#define CONST const
#endif
#ifndef WINAPI
#define WINAPI
#endif
#ifndef CALLBACK
#define CALLBACK
#endif
#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

typedef unsigned char BYTE, *PBYTE, *LPBYTE;
typedef unsigned char UCHAR, *PUCHAR;
typedef char CHAR, *PCHAR;
typedef uint16_t WORD, *PWORD, *LPWORD;
typedef uint16_t USHORT, *PUSHORT;
typedef int16_t SHORT;
typedef uint32_t DWORD, *PDWORD, *LPDWORD;
typedef uint32_t ULONG, *PULONG;
typedef int32_t LONG, *PLONG;
typedef int INT, *PINT;
typedef unsigned int UINT, *PUINT;
typedef int BOOL, *PBOOL, *LPBOOL;
typedef int WINBOOL; /* mingw-w64 spelling of BOOL */
typedef void *PVOID, *LPVOID;
typedef void *HANDLE, *PHANDLE, *LPHANDLE;
typedef uint64_t ULONGLONG;
typedef int64_t LONGLONG;
typedef uintptr_t ULONG_PTR, *PULONG_PTR;

typedef struct _FILETIME {
  DWORD dwLowDateTime;
  DWORD dwHighDateTime;
} FILETIME, *PFILETIME, *LPFILETIME;

#define INVALID_HANDLE_VALUE ((HANDLE)(intptr_t)-1)

#ifndef FIELD_OFFSET
#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#endif

#ifndef ANY_SIZE
#define ANY_SIZE 1
#endif

#include <winerror.h>

#endif /* LIBMGM_COMPAT_WINDOWS_H */
