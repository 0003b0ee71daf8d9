/*
 * reentry.c - Mgm* calls made from inside an MGM callback on the same
 * thread (mgm-spec G-4, design.md 8 rule 5).
 *
 * SPDX-License-Identifier: MIT
 *
 * DOC: every Mgm* export enters through MGM_ENTER_API (api/api.h), which
 * calls mgm__reentry_check when the thread-local callback depth of
 * dispatch.c is not 0.  Strict mode refuses the call with
 * ERROR_CAN_NOT_COMPLETE and one line on channel `strict` naming the
 * function and the callback.  Default mode lets it proceed and warns once
 * per instance per (function, callback kind), so that a protocol that
 * re-enters in every callback does not flood the log.  A membership call
 * inside the disable/enable-IGMP callback, which Windows documents as a
 * deadlock, is left to group.c: it reports "would deadlock on Windows"
 * after the argument checks, every time, in both modes.  The check runs
 * right after G-1's (not running: 1003) and before G-2's argument checks:
 * a re-entry is a property of the calling thread, not of the arguments.
 */
#include <assert.h>

#include "core/core.h"

static const char *const api_names[MGM_API_COUNT] = {
    [MGM_API_REGISTER] = "MgmRegisterMProtocol",
    [MGM_API_DEREGISTER] = "MgmDeRegisterMProtocol",
    [MGM_API_TAKE] = "MgmTakeInterfaceOwnership",
    [MGM_API_RELEASE] = "MgmReleaseInterfaceOwnership",
    [MGM_API_GET_PROTOCOL] = "MgmGetProtocolOnInterface",
    [MGM_API_ADD_MEMBER] = "MgmAddGroupMembershipEntry",
    [MGM_API_DEL_MEMBER] = "MgmDeleteGroupMembershipEntry",
    [MGM_API_GET_MFE] = "MgmGetMfe",
    [MGM_API_GET_FIRST_MFE] = "MgmGetFirstMfe",
    [MGM_API_GET_NEXT_MFE] = "MgmGetNextMfe",
    [MGM_API_GET_MFE_STATS] = "MgmGetMfeStats",
    [MGM_API_GET_FIRST_MFE_STATS] = "MgmGetFirstMfeStats",
    [MGM_API_GET_NEXT_MFE_STATS] = "MgmGetNextMfeStats",
    [MGM_API_SET_MFE] = "MgmSetMfe",
    [MGM_API_ENUM_START] = "MgmGroupEnumerationStart",
    [MGM_API_ENUM_GET_NEXT] = "MgmGroupEnumerationGetNext",
    [MGM_API_ENUM_END] = "MgmGroupEnumerationEnd"};

/* ROUTING_PROTOCOL_CONFIG's member names, by enum mgm_cb. */
static const char *const cb_fields[] = {
    [MGM_CB_RPF] = "pfnRpfCallback",
    [MGM_CB_CREATION] = "pfnCreationAlertCallback",
    [MGM_CB_PRUNE] = "pfnPruneAlertCallback",
    [MGM_CB_JOIN] = "pfnJoinAlertCallback",
    [MGM_CB_WRONGIF] = "pfnWrongIfCallback",
    [MGM_CB_LOCAL_JOIN] = "pfnLocalJoinCallback",
    [MGM_CB_LOCAL_LEAVE] = "pfnLocalLeaveCallback",
    [MGM_CB_DISABLE_IGMP] = "pfnDisableIgmpCallback",
    [MGM_CB_ENABLE_IGMP] = "pfnEnableIgmpCallback"};

DWORD mgm__reentry_check(struct mgm_core *c, enum mgm_api api) {
  int kind = mgm__tls_cb_kind;
  unsigned bit;
  DWORD rc = NO_ERROR;

  assert(mgm__tls_cb_depth > 0);
  assert(kind >= 0 && kind < (int)(sizeof(cb_fields) / sizeof(cb_fields[0])));
  assert(api >= 0 && api < MGM_API_COUNT);
  if ((api == MGM_API_ADD_MEMBER || api == MGM_API_DEL_MEMBER) &&
      (kind == MGM_CB_ENABLE_IGMP || kind == MGM_CB_DISABLE_IGMP))
    goto out; /* group.c's documented-deadlock check */
  bit = 1u << kind;
  if (c->strict || !(atomic_fetch_or(&c->reentry_warned[api], bit) & bit))
    rc = mgm__misuse(
        c, ERROR_CAN_NOT_COMPLETE,
        "%s called from inside %s (re-entry, mgm-spec G-4)%s", api_names[api],
        cb_fields[kind],
        c->strict ? "" : "; not reported again for this call and callback");
out:
  return rc;
}

void mgm__reentry_reset(struct mgm_core *c) {
  int i;

  for (i = 0; i < MGM_API_COUNT; i++)
    atomic_store(&c->reentry_warned[i], 0);
}
