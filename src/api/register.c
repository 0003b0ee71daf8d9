/*
 * register.c - MgmRegisterMProtocol, MgmDeRegisterMProtocol.
 *
 * SPDX-License-Identifier: MIT
 */
#include "api/api.h"

/***********************************************************************
 *      MgmRegisterMProtocol
 *
 * Register a multicast routing protocol (or IGMP) with MGM.
 *
 * PARAMS
 *  prpiInfo      [I] callbacks (copied; any may be NULL: D-CB-NULL)
 *  dwProtocolId  [I] protocol id (PROTO_IP_IGMP/MS_IP_IGMP mark IGMP)
 *  dwComponentId [I] instance id
 *  phProtocol    [O] the new protocol handle
 *
 * RETURNS
 *  NO_ERROR, ERROR_ALREADY_EXISTS (same ids registered),
 *  ERROR_CAN_NOT_COMPLETE, ERROR_NOT_ENOUGH_MEMORY.
 *
 * NOTES
 *  ERROR_INVALID_PARAMETER when prpiInfo or phProtocol is NULL (port).
 */
MGM_EXPORT DWORD MgmRegisterMProtocol(PROUTING_PROTOCOL_CONFIG prpiInfo,
                                      DWORD dwProtocolId, DWORD dwComponentId,
                                      HANDLE *phProtocol) {
  struct mgm_core *c;
  DWORD rc;

  MGM_ENTER_API(c, MGM_API_REGISTER);
  MGM_API_TRACE(c, "MgmRegisterMProtocol(%p, %u, %u, %p)", (void *)prpiInfo,
                (unsigned)dwProtocolId, (unsigned)dwComponentId,
                (void *)phProtocol);
  if (prpiInfo == NULL || phProtocol == NULL)
    rc = ERROR_INVALID_PARAMETER;
  else
    rc = mgm__proto_register(c, prpiInfo, dwProtocolId, dwComponentId,
                             phProtocol);
  mgm__core_leave(c);
  return rc;
}

/***********************************************************************
 *      MgmDeRegisterMProtocol
 *
 * Deregister a protocol; its handle becomes invalid.
 *
 * RETURNS
 *  NO_ERROR, ERROR_CAN_NOT_COMPLETE (still owns interfaces),
 *  ERROR_INVALID_PARAMETER (bad handle).
 *
 * NOTES
 *  Closes the protocol's open group enumerations (D-DEREG).
 */
MGM_EXPORT DWORD MgmDeRegisterMProtocol(HANDLE hProtocol) {
  struct mgm_core *c;
  DWORD rc;

  MGM_ENTER_API(c, MGM_API_DEREGISTER);
  MGM_API_TRACE(c, "MgmDeRegisterMProtocol(%p)", hProtocol);
  rc = mgm__proto_deregister(c, hProtocol);
  mgm__core_leave(c);
  return rc;
}
