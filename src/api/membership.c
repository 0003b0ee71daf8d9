/*
 * membership.c - MgmAddGroupMembershipEntry, MgmDeleteGroupMembershipEntry.
 *
 * SPDX-License-Identifier: MIT
 */
#include "api/api.h"

MGM_INLINE DWORD membership_call(int add, HANDLE h, DWORD s, DWORD sm, DWORD g,
                                 DWORD gm, DWORD ifx, DWORD nh, DWORD flags) {
  struct mgm_mreq q = {h, s, sm, g, gm, ifx, nh, flags};
  struct mgm_core *c;
  DWORD rc;

  MGM_ENTER_API(c, add ? MGM_API_ADD_MEMBER : MGM_API_DEL_MEMBER);
  MGM_API_TRACE(c,
                "Mgm%sGroupMembershipEntry(%p, %08x/%08x, %08x/%08x, %u, "
                "%08x, %x)",
                add ? "Add" : "Delete", h, (unsigned)s, (unsigned)sm,
                (unsigned)g, (unsigned)gm, (unsigned)ifx, (unsigned)nh,
                (unsigned)flags);
  rc = add ? mgm__member_add(c, &q) : mgm__member_del(c, &q);
  mgm__core_leave(c);
  return rc;
}

/***********************************************************************
 *      MgmAddGroupMembershipEntry
 *
 * Receivers for (source, group) appeared on an interface the caller owns.
 *
 * PARAMS
 *  dwSourceAddr/Mask  [I] 0/0 = any source; S/ffffffff = one source
 *  dwGroupAddr/Mask   [I] 0/0 = all groups; G/ffffffff = one group
 *  dwIfIndex, dwIfNextHopIPAddr [I] the interface
 *  dwFlags            [I] MGM_JOIN_STATE_FLAG and/or MGM_FORWARD_STATE_FLAG
 *
 * RETURNS
 *  NO_ERROR, ERROR_CAN_NOT_COMPLETE, ERROR_INVALID_PARAMETER,
 *  ERROR_NOT_ENOUGH_MEMORY.
 *
 * NOTES
 *  87 also for a range mask, (S,*), or an interface the caller neither
 *  owns nor co-owns (D-SHAPE, A-13); 1003 for IGMP between the disable and
 *  enable callbacks (D-IGMP-WINDOW).  Duplicates return NO_ERROR without
 *  callbacks (D-IDEMPOTENT).  dwFlags 0 means JOIN (D-FLAGS).  Strict
 *  mode also refuses non-canonical masks, non-class-D groups, unknown flag
 *  bits, and calls from inside a callback (G-4).
 */
MGM_EXPORT DWORD MgmAddGroupMembershipEntry(
    HANDLE hProtocol, DWORD dwSourceAddr, DWORD dwSourceMask, DWORD dwGroupAddr,
    DWORD dwGroupMask, DWORD dwIfIndex, DWORD dwIfNextHopIPAddr,
    DWORD dwFlags) {
  return membership_call(1, hProtocol, dwSourceAddr, dwSourceMask, dwGroupAddr,
                         dwGroupMask, dwIfIndex, dwIfNextHopIPAddr, dwFlags);
}

/***********************************************************************
 *      MgmDeleteGroupMembershipEntry
 *
 * No more receivers for (source, group) on an interface.
 *
 * RETURNS
 *  NO_ERROR, ERROR_CAN_NOT_COMPLETE, ERROR_INVALID_PARAMETER (bad handle,
 *  or interface owned by another protocol), ERROR_NOT_FOUND (interface
 *  not found).
 *
 * NOTES
 *  Deleting an absent membership returns NO_ERROR (D-IDEMPOTENT).
 */
MGM_EXPORT DWORD MgmDeleteGroupMembershipEntry(
    HANDLE hProtocol, DWORD dwSourceAddr, DWORD dwSourceMask, DWORD dwGroupAddr,
    DWORD dwGroupMask, DWORD dwIfIndex, DWORD dwIfNextHopIPAddr,
    DWORD dwFlags) {
  return membership_call(0, hProtocol, dwSourceAddr, dwSourceMask, dwGroupAddr,
                         dwGroupMask, dwIfIndex, dwIfNextHopIPAddr, dwFlags);
}
