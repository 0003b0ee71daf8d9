/*
 * porter.c - the porter's example of libmgm's README, complete: MGM code
 * written for Windows, built unchanged against libmgm with
 *     cc -o porter porter.c $(pkg-config --cflags --libs libmgm)
 * and run on the simulated forwarder (no root):  LIBMGM_BACKEND=sim ./porter
 * It registers a protocol, takes an interface, joins a group, finds the
 * membership in MGM's group enumeration and undoes it all.
 *
 * SPDX-License-Identifier: MIT
 */
#include <windows.h>
#include <iprtrmib.h>
#include <mgm.h>
#include <routprot.h> /* PROTO_IP_IGMP, MS_IP_IGMP, PROTOCOL_ID() */

#include <arpa/inet.h> /* inet_addr (<winsock2.h> on Windows) */
#include <stdio.h>

#define PROTOCOL 0x20001 /* the protocol id this example registers with */
#define IFINDEX 2

static DWORD OnCreationAlert(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD iif,
                             DWORD inh, DWORD n, PMGM_IF_ENTRY list) {
  /* set list[i].bIsEnabled = FALSE where this protocol must not forward */
  (void)s, (void)sm, (void)g, (void)gm, (void)iif, (void)inh, (void)n;
  (void)list;
  return NO_ERROR;
}

/* Whether MGM's group enumeration holds (*, group). */
static int enumerated(HANDLE h, DWORD group) {
  SOURCE_GROUP_ENTRY e[16];
  HANDLE en;
  DWORD size, n, i, rc;
  int found = 0;

  if (MgmGroupEnumerationStart(h, ANY_SOURCE, &en) != NO_ERROR)
    goto out;
  do {
    size = sizeof(e);
    n = 0;
    rc = MgmGroupEnumerationGetNext(en, &size, (PBYTE)e, &n);
    for (i = 0; i < n; i++)
      found |= e[i].dwGroupAddr == group;
  } while (rc == ERROR_MORE_DATA);
  MgmGroupEnumerationEnd(en);
out:
  return found;
}

int main(void) {
  ROUTING_PROTOCOL_CONFIG cfg = {0};
  DWORD group = inet_addr("239.1.2.3"), rc;
  HANDLE h;
  int status = 1;

  cfg.pfnCreationAlertCallback = OnCreationAlert;
  if ((rc = MgmRegisterMProtocol(&cfg, PROTOCOL, 1, &h)) != NO_ERROR) {
    fprintf(stderr, "porter: MgmRegisterMProtocol: error %lu\n",
            (unsigned long)rc);
    goto out;
  }
  if ((rc = MgmTakeInterfaceOwnership(h, IFINDEX, 0)) != NO_ERROR ||
      (rc = MgmAddGroupMembershipEntry(h, 0, 0, group, 0xFFFFFFFF, IFINDEX, 0,
                                       MGM_JOIN_STATE_FLAG)) != NO_ERROR) {
    fprintf(stderr, "porter: error %lu\n", (unsigned long)rc);
    goto dereg;
  }
  if (!enumerated(h, group)) {
    fprintf(stderr, "porter: 239.1.2.3 is not in the group enumeration\n");
    goto dereg;
  }
  MgmDeleteGroupMembershipEntry(h, 0, 0, group, 0xFFFFFFFF, IFINDEX, 0,
                                MGM_JOIN_STATE_FLAG);
  MgmReleaseInterfaceOwnership(h, IFINDEX, 0);
  puts("porter: registered, took interface 2, joined 239.1.2.3: ok");
  status = 0;
dereg:
  MgmDeRegisterMProtocol(h);
out:
  return status;
}
