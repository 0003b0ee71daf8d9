/*
 * mfe.c - the MFE read functions and MgmSetMfe; argument checks of the
 * buffer protocol (mgm-spec 2.10-2.15, 2.18, 4.8).
 *
 * SPDX-License-Identifier: MIT
 *
 * Common NOTES: no handle is needed (administrative applications).  A NULL
 * key or size pointer, a NULL buffer with a non-zero size, or a NULL count
 * pointer gives ERROR_INVALID_PARAMETER (port).  *pdwBufferSize changes
 * only with ERROR_INSUFFICIENT_BUFFER.  The batch functions never return
 * NO_ERROR: ERROR_MORE_DATA while records remain, ERROR_NO_MORE_ITEMS
 * (with zero or more records) at the end (D-ENUM-RC).
 */
#include "api/api.h"

static int bad_buffer(PDWORD size, PBYTE buf) {
  return size == NULL || (buf == NULL && *size != 0);
}

/* D-STATSFLAG: 1 basic, 2 EX, 0 basic; anything else is invalid. */
static int bad_stats_flags(DWORD f) {
  return f != 0 && f != MGM_MFE_STATS_0 && f != MGM_MFE_STATS_1;
}

MGM_INLINE DWORD get_one(int stats, PMIB_IPMCAST_MFE pimm, PDWORD size,
                         PBYTE buf, DWORD flags) {
  struct mgm_core *c;
  DWORD rc;

  MGM_ENTER_API(c, stats ? MGM_API_GET_MFE_STATS : MGM_API_GET_MFE);
  MGM_API_TRACE(c, "MgmGetMfe%s(%p, %p(%u), %p, %x)", stats ? "Stats" : "",
                (void *)pimm, (void *)size, size ? (unsigned)*size : 0,
                (void *)buf, (unsigned)flags);
  if (pimm == NULL || bad_buffer(size, buf) || bad_stats_flags(flags))
    rc = ERROR_INVALID_PARAMETER;
  else
    rc = mgm__mferead_get(c, stats, flags, pimm, size, buf);
  mgm__core_leave(c);
  return rc;
}

static DWORD get_many(int stats, PMIB_IPMCAST_MFE start, int next, PDWORD size,
                      PBYTE buf, PDWORD n, DWORD flags) {
  struct mgm_core *c;
  DWORD rc;

  MGM_ENTER_API(
      c, next ? (stats ? MGM_API_GET_NEXT_MFE_STATS : MGM_API_GET_NEXT_MFE)
              : (stats ? MGM_API_GET_FIRST_MFE_STATS : MGM_API_GET_FIRST_MFE));
  MGM_API_TRACE(c, "MgmGet%sMfe%s(%p, %p(%u), %p, %p, %x)",
                next ? "Next" : "First", stats ? "Stats" : "", (void *)start,
                (void *)size, size ? (unsigned)*size : 0, (void *)buf,
                (void *)n, (unsigned)flags);
  if ((next && start == NULL) || bad_buffer(size, buf) || n == NULL ||
      bad_stats_flags(flags))
    rc = ERROR_INVALID_PARAMETER;
  else
    rc = mgm__mferead_enum(c, stats, flags, next ? start : NULL, size, buf, n);
  mgm__core_leave(c);
  return rc;
}

/***********************************************************************
 *      MgmGetMfe
 *
 * Read one MFE, found by its dwGroup and dwSource.
 *
 * RETURNS
 *  NO_ERROR, ERROR_INSUFFICIENT_BUFFER (*pdwBufferSize := size needed),
 *  ERROR_NOT_FOUND, ERROR_CAN_NOT_COMPLETE.
 */
MGM_EXPORT DWORD MgmGetMfe(PMIB_IPMCAST_MFE pimm, PDWORD pdwBufferSize,
                           PBYTE pbBuffer) {
  return get_one(0, pimm, pdwBufferSize, pbBuffer, 0);
}

/***********************************************************************
 *      MgmGetFirstMfe
 *
 * Read MFEs from the first, ordered by group then source (D-ORDER).
 *
 * RETURNS
 *  ERROR_MORE_DATA, ERROR_NO_MORE_ITEMS, ERROR_INSUFFICIENT_BUFFER,
 *  ERROR_CAN_NOT_COMPLETE.
 */
MGM_EXPORT DWORD MgmGetFirstMfe(PDWORD pdwBufferSize, PBYTE pbBuffer,
                                PDWORD pdwNumEntries) {
  return get_many(0, NULL, 0, pdwBufferSize, pbBuffer, pdwNumEntries, 0);
}

/***********************************************************************
 *      MgmGetNextMfe
 *
 * Read MFEs strictly after (pimmStart->dwGroup, pimmStart->dwSource).
 *
 * RETURNS
 *  As MgmGetFirstMfe.
 */
MGM_EXPORT DWORD MgmGetNextMfe(PMIB_IPMCAST_MFE pimmStart, PDWORD pdwBufferSize,
                               PBYTE pbBuffer, PDWORD pdwNumEntries) {
  return get_many(0, pimmStart, 1, pdwBufferSize, pbBuffer, pdwNumEntries, 0);
}

/***********************************************************************
 *      MgmGetMfeStats
 *
 * Read one MFE with statistics (MGM_MFE_STATS_0: MIB_IPMCAST_MFE_STATS,
 * MGM_MFE_STATS_1: MIB_IPMCAST_MFE_STATS_EX).
 *
 * RETURNS
 *  As MgmGetMfe; ERROR_INVALID_PARAMETER for other dwFlags (D-STATSFLAG).
 *
 * NOTES
 *  Times are hundredths of a second (D-UNITS).  Kernels have no per-oif
 *  counters: those fields are 0.
 */
MGM_EXPORT DWORD MgmGetMfeStats(PMIB_IPMCAST_MFE pimm, PDWORD pdwBufferSize,
                                PBYTE pbBuffer, DWORD dwFlags) {
  return get_one(1, pimm, pdwBufferSize, pbBuffer, dwFlags);
}

/***********************************************************************
 *      MgmGetFirstMfeStats
 */
MGM_EXPORT DWORD MgmGetFirstMfeStats(PDWORD pdwBufferSize, PBYTE pbBuffer,
                                     PDWORD pdwNumEntries, DWORD dwFlags) {
  return get_many(1, NULL, 0, pdwBufferSize, pbBuffer, pdwNumEntries, dwFlags);
}

/***********************************************************************
 *      MgmGetNextMfeStats
 */
MGM_EXPORT DWORD MgmGetNextMfeStats(PMIB_IPMCAST_MFE pimmStart,
                                    PDWORD pdwBufferSize, PBYTE pbBuffer,
                                    PDWORD pdwNumEntries, DWORD dwFlags) {
  return get_many(1, pimmStart, 1, pdwBufferSize, pbBuffer, pdwNumEntries,
                  dwFlags);
}

/***********************************************************************
 *      MgmSetMfe
 *
 * Change an MFE's upstream neighbour (dwUpStrmNgbr).
 *
 * RETURNS
 *  NO_ERROR, ERROR_CAN_NOT_COMPLETE, ERROR_INVALID_PARAMETER (bad handle
 *  or NULL pmimm), ERROR_NOT_FOUND.
 *
 * NOTES
 *  Declared by the SDK but not exported by Windows' rtm.dll; libmgm
 *  exports it.  Only the upstream neighbour changes (D-SETMFE).
 */
MGM_EXPORT DWORD MgmSetMfe(HANDLE hProtocol, PMIB_IPMCAST_MFE pmimm) {
  struct mgm_core *c;
  DWORD rc;

  MGM_ENTER_API(c, MGM_API_SET_MFE);
  MGM_API_TRACE(c, "MgmSetMfe(%p, %p)", hProtocol, (void *)pmimm);
  if (pmimm == NULL)
    rc = ERROR_INVALID_PARAMETER;
  else
    rc = mgm__mfe_set_upstream(c, hProtocol, pmimm);
  mgm__core_leave(c);
  return rc;
}
