/*
 * enum.c - MgmGroupEnumerationStart, MgmGroupEnumerationGetNext,
 * MgmGroupEnumerationEnd.
 *
 * SPDX-License-Identifier: MIT
 */
#include "api/api.h"

/***********************************************************************
 *      MgmGroupEnumerationStart
 *
 * Snapshot the groups with memberships (all clients', latent IGMP joins
 * excluded: D-GRPENUM).  ANY_SOURCE gives one record per group,
 * ALL_SOURCES one per membership entry.
 *
 * RETURNS
 *  NO_ERROR, ERROR_CAN_NOT_COMPLETE, ERROR_INVALID_PARAMETER (bad handle,
 *  bad type, NULL out-pointer), ERROR_NOT_ENOUGH_MEMORY.
 */
MGM_EXPORT DWORD MgmGroupEnumerationStart(HANDLE hProtocol,
                                          MGM_ENUM_TYPES metEnumType,
                                          HANDLE *phEnumHandle) {
  struct mgm_core *c;
  DWORD rc;

  MGM_ENTER_API(c, MGM_API_ENUM_START);
  MGM_API_TRACE(c, "MgmGroupEnumerationStart(%p, %d, %p)", hProtocol,
                (int)metEnumType, (void *)phEnumHandle);
  if (phEnumHandle == NULL)
    rc = ERROR_INVALID_PARAMETER;
  else
    rc = mgm__enum_start(c, hProtocol, metEnumType, phEnumHandle);
  mgm__core_leave(c);
  return rc;
}

/***********************************************************************
 *      MgmGroupEnumerationGetNext
 *
 * Copy as many SOURCE_GROUP_ENTRY records as fit.
 *
 * RETURNS
 *  ERROR_MORE_DATA, ERROR_NO_MORE_ITEMS (zero or more returned),
 *  ERROR_INSUFFICIENT_BUFFER (*pdwBufferSize := 16),
 *  ERROR_INVALID_PARAMETER, ERROR_CAN_NOT_COMPLETE.
 */
MGM_EXPORT DWORD MgmGroupEnumerationGetNext(HANDLE hEnum, PDWORD pdwBufferSize,
                                            PBYTE pbBuffer,
                                            PDWORD pdwNumEntries) {
  struct mgm_core *c;
  DWORD rc;

  MGM_ENTER_API(c, MGM_API_ENUM_GET_NEXT);
  MGM_API_TRACE(c, "MgmGroupEnumerationGetNext(%p, %p, %p, %p)", hEnum,
                (void *)pdwBufferSize, (void *)pbBuffer, (void *)pdwNumEntries);
  if (pdwBufferSize == NULL || pdwNumEntries == NULL ||
      (pbBuffer == NULL && *pdwBufferSize != 0))
    rc = ERROR_INVALID_PARAMETER;
  else
    rc = mgm__enum_next(c, hEnum, pdwBufferSize, pbBuffer, pdwNumEntries);
  mgm__core_leave(c);
  return rc;
}

/***********************************************************************
 *      MgmGroupEnumerationEnd
 *
 * RETURNS
 *  NO_ERROR, ERROR_CAN_NOT_COMPLETE, ERROR_INVALID_PARAMETER.
 */
MGM_EXPORT DWORD MgmGroupEnumerationEnd(HANDLE hEnum) {
  struct mgm_core *c;
  DWORD rc;

  MGM_ENTER_API(c, MGM_API_ENUM_END);
  MGM_API_TRACE(c, "MgmGroupEnumerationEnd(%p)", hEnum);
  rc = mgm__enum_end(c, hEnum);
  mgm__core_leave(c);
  return rc;
}
