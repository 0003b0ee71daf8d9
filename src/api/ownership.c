/*
 * ownership.c - MgmTakeInterfaceOwnership, MgmReleaseInterfaceOwnership,
 * MgmGetProtocolOnInterface.
 *
 * SPDX-License-Identifier: MIT
 */
#include "api/api.h"

/***********************************************************************
 *      MgmTakeInterfaceOwnership
 *
 * Make a protocol the owner (IGMP: the co-owner) of an interface.
 *
 * RETURNS
 *  NO_ERROR, ERROR_ALREADY_EXISTS, ERROR_CAN_NOT_COMPLETE,
 *  ERROR_INVALID_PARAMETER (bad handle), ERROR_NOT_ENOUGH_MEMORY (also
 *  when the kernel's interface table is full).
 *
 * NOTES
 *  Taking an interface IGMP is enabled on runs the disable -> purge ->
 *  enable sequence of mgm-spec 2.6 before returning.  MFEs arriving on the
 *  interface are deleted (D-OWN-MFE).
 */
MGM_EXPORT DWORD MgmTakeInterfaceOwnership(HANDLE hProtocol, DWORD dwIfIndex,
                                           DWORD dwIfNextHopAddr) {
  struct mgm_core *c;
  DWORD rc;

  MGM_ENTER_API(c, MGM_API_TAKE);
  MGM_API_TRACE(c, "MgmTakeInterfaceOwnership(%p, %u, %08x)", hProtocol,
                (unsigned)dwIfIndex, (unsigned)dwIfNextHopAddr);
  rc = mgm__if_take(c, hProtocol, dwIfIndex, dwIfNextHopAddr);
  mgm__core_leave(c);
  return rc;
}

/***********************************************************************
 *      MgmReleaseInterfaceOwnership
 *
 * Release an interface; the caller's memberships on it are deleted.
 *
 * RETURNS
 *  NO_ERROR, ERROR_CAN_NOT_COMPLETE, ERROR_INVALID_PARAMETER (bad handle,
 *  or the interface is not owned by the caller).
 */
MGM_EXPORT DWORD MgmReleaseInterfaceOwnership(HANDLE hProtocol, DWORD dwIfIndex,
                                              DWORD dwIfNextHopAddr) {
  struct mgm_core *c;
  DWORD rc;

  MGM_ENTER_API(c, MGM_API_RELEASE);
  MGM_API_TRACE(c, "MgmReleaseInterfaceOwnership(%p, %u, %08x)", hProtocol,
                (unsigned)dwIfIndex, (unsigned)dwIfNextHopAddr);
  rc = mgm__if_release(c, hProtocol, dwIfIndex, dwIfNextHopAddr);
  mgm__core_leave(c);
  return rc;
}

/***********************************************************************
 *      MgmGetProtocolOnInterface
 *
 * Ids of the protocol owning an interface (the routing protocol, else
 * IGMP).
 *
 * RETURNS
 *  NO_ERROR, ERROR_NOT_FOUND, ERROR_CAN_NOT_COMPLETE.
 *
 * NOTES
 *  ERROR_INVALID_PARAMETER for a NULL out-pointer (port).
 */
MGM_EXPORT DWORD MgmGetProtocolOnInterface(DWORD dwIfIndex,
                                           DWORD dwIfNextHopAddr,
                                           PDWORD pdwIfProtocolId,
                                           PDWORD pdwIfComponentId) {
  struct mgm_core *c;
  DWORD rc;

  MGM_ENTER_API(c, MGM_API_GET_PROTOCOL);
  MGM_API_TRACE(c, "MgmGetProtocolOnInterface(%u, %08x, %p, %p)",
                (unsigned)dwIfIndex, (unsigned)dwIfNextHopAddr,
                (void *)pdwIfProtocolId, (void *)pdwIfComponentId);
  if (pdwIfProtocolId == NULL || pdwIfComponentId == NULL)
    rc = ERROR_INVALID_PARAMETER;
  else
    rc = mgm__if_get_protocol(c, dwIfIndex, dwIfNextHopAddr, pdwIfProtocolId,
                              pdwIfComponentId);
  mgm__core_leave(c);
  return rc;
}
