/*
 * demo.c - a guided tour of MGM on the simulated forwarder: the seed
 * start-up sequence, hosts joining through IGMP, a source starting, MFE
 * creation with RPF and creation alerts, and a prune.  Every callback MGM
 * makes is printed as it happens, with the MFE table after each step.
 *
 * SPDX-License-Identifier: MIT
 *
 * Written only against mgm.h and libmgm.h, like a ported protocol.
 * Topology (sim): interface 1 faces the source network 10.1.0.0/16 and is
 * owned by "DVMRP" (a dense-mode protocol); interfaces 2 and 3 are host
 * LANs where IGMP runs; DVMRP takes interface 2 as well (the seed
 * sequence), so IGMP's joins there reach it as local joins.
 */
#include <stdio.h>
#include <string.h>

#define MPR50 1 /* the SDK's routprot.h wants a router version */
#include <windows.h>
#include <iprtrmib.h>
#include <mgm.h>
#include <routprot.h>
#include <libmgm.h>

#define DVMRP_ID 0x20001u

static HANDLE h_igmp, h_dvmrp;
static int step;

static DWORD ip(int a, int b, int c, int d) {
  DWORD v;
  unsigned char *p = (unsigned char *)&v;

  p[0] = (unsigned char)a;
  p[1] = (unsigned char)b;
  p[2] = (unsigned char)c;
  p[3] = (unsigned char)d;
  return v;
}

static const char *ipstr(DWORD v, char *buf) {
  const unsigned char *p = (const unsigned char *)&v;

  sprintf(buf, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
  return buf;
}

static void say(const char *who, const char *fmt, DWORD s, DWORD g) {
  char a[16], b[16];

  printf("    callback -> %-5s ", who);
  printf(fmt, s ? ipstr(s, a) : "*", g ? ipstr(g, b) : "*");
  printf("\n");
}

/* ---- DVMRP: a dense-mode protocol written against the Windows API ------ */

static DWORD dv_rpf(DWORD s, DWORD sm, DWORD g, DWORD gm, PDWORD iif, PDWORD nh,
                    PDWORD up, DWORD hl, PBYTE hdr, PBYTE rt) {
  say("DVMRP", "RPF check for (%s, %s): accept the route's interface", s, g);
  return NO_ERROR;
}

static DWORD dv_create(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD iif,
                       DWORD inh, DWORD n, PMGM_IF_ENTRY list) {
  DWORD i;

  say("DVMRP", "creation alert for (%s, %s): forward on", s, g);
  for (i = 0; i < n; i++)
    printf("                          interface %u%s\n",
           (unsigned)list[i].dwIfIndex, list[i].bIGMP ? " (IGMP)" : "");
  return NO_ERROR;
}

static DWORD dv_prune(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD ifx, DWORD nh,
                      BOOL del, PDWORD tmo) {
  say("DVMRP",
      del ? "prune alert (%s, %s): no more receivers elsewhere"
          : "prune alert (%s, %s): the MFE lost its last output; send a "
            "prune upstream",
      s, g);
  return NO_ERROR;
}

static DWORD dv_join(DWORD s, DWORD sm, DWORD g, DWORD gm, BOOL upd) {
  say("DVMRP",
      upd ? "join alert (%s, %s): receivers appeared elsewhere"
          : "join alert (%s, %s): the MFE has outputs again",
      s, g);
  return NO_ERROR;
}

static DWORD dv_local_join(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD ifx,
                           DWORD nh) {
  say("DVMRP",
      "local join (%s, %s) on interface 2: as the LAN's "
      "forwarder, add it",
      s, g);
  /* A real protocol would defer this to its own thread; libmgm allows the
   * call from inside the callback. */
  MgmAddGroupMembershipEntry(h_dvmrp, s, sm, g, gm, ifx, nh,
                             MGM_JOIN_STATE_FLAG);
  return NO_ERROR;
}

static DWORD dv_local_leave(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD ifx,
                            DWORD nh) {
  say("DVMRP", "local leave (%s, %s): remove our membership", s, g);
  MgmDeleteGroupMembershipEntry(h_dvmrp, s, sm, g, gm, ifx, nh,
                                MGM_JOIN_STATE_FLAG);
  return NO_ERROR;
}

/* ---- IGMP ---------------------------------------------------------------- */

static DWORD ig_disable(DWORD ifx, DWORD nh) {
  printf("    callback -> IGMP  disable on interface %u: stop adding\n",
         (unsigned)ifx);
  return NO_ERROR;
}

static DWORD ig_enable(DWORD ifx, DWORD nh) {
  printf("    callback -> IGMP  enable on interface %u: re-add memberships "
         "(later, from IGMP's own thread)\n",
         (unsigned)ifx);
  return NO_ERROR;
}

static DWORD ig_join(DWORD s, DWORD sm, DWORD g, DWORD gm, BOOL upd) {
  say("IGMP", "join alert (%s, %s)", s, g);
  return NO_ERROR;
}

static DWORD ig_prune(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD ifx, DWORD nh,
                      BOOL del, PDWORD tmo) {
  say("IGMP", "prune alert (%s, %s)", s, g);
  return NO_ERROR;
}

/* ---- Output
 * ------------------------------------------------------------------ */

static void banner(const char *what) {
  printf("\n== Step %d: %s\n", ++step, what);
}

static void show(const char *call, DWORD rc) {
  printf("  %s -> %lu\n", call, (unsigned long)rc);
}

static void show_mfes(void) {
  BYTE buf[4096];
  DWORD size = sizeof(buf), n = 0, i, off = 0, rc;
  char a[16], b[16];

  rc = MgmGetFirstMfe(&size, buf, &n);
  printf("  MFE table (MgmGetFirstMfe -> %lu, %lu entries)\n",
         (unsigned long)rc, (unsigned long)n);
  for (i = 0; i < n; i++) {
    MIB_IPMCAST_MFE m;
    DWORD j;

    memcpy(&m, buf + off, SIZEOF_BASIC_MIB_MFE);
    printf("    (%s, %s) iif %u up %lus expires %lus  oifs:",
           ipstr(m.dwSource, a), ipstr(m.dwGroup, b), (unsigned)m.dwInIfIndex,
           (unsigned long)m.ulUpTime, (unsigned long)m.ulExpiryTime);
    for (j = 0; j < m.ulNumOutIf; j++) {
      MIB_IPMCAST_OIF o;

      memcpy(&o, buf + off + SIZEOF_MIB_MFE(j), sizeof(o));
      printf(" %u", (unsigned)o.dwOutIfIndex);
    }
    printf("%s\n", m.ulNumOutIf ? "" : " none (negative entry)");
    off += (DWORD)SIZEOF_MIB_MFE(m.ulNumOutIf);
  }
}

static void send_packet(DWORD ifx, DWORD s, DWORD g) {
  struct libmgm_sim_result r;
  char a[16], b[16];
  static const char *const verdict[] = {"forwarded", "dropped (negative)",
                                        "dropped (wrong interface)", "queued",
                                        "not routed"};
  DWORD i;

  libmgm_sim_inject(ifx, s, g, 16, 1000, &r);
  printf("  packet (%s, %s) arrives on interface %u: %s", ipstr(s, a),
         ipstr(g, b), (unsigned)ifx, verdict[r.verdict]);
  for (i = 0; i < r.n_out; i++)
    printf("%s%u", i ? ", " : " to interface ", (unsigned)r.out_ifindex[i]);
  printf("\n");
}

int main(void) {
  struct libmgm_config cfg;
  ROUTING_PROTOCOL_CONFIG igmp = {0}, dvmrp = {0};
  DWORD pid, cid, rc;
  const DWORD S = ip(10, 1, 0, 5), G = ip(239, 1, 2, 3);

  libmgm_config_init(&cfg);
  cfg.backend = "sim";
  rc = libmgm_start(&cfg);
  printf("libmgm demo: MGM on the simulated forwarder (libmgm_start -> %lu)\n",
         (unsigned long)rc);
  if (rc != NO_ERROR)
    return 1;
  libmgm_sim_route_add(ip(10, 1, 0, 0), ip(255, 255, 0, 0), 1, 0, PROTO_IP_RIP);

  banner("IGMP registers and takes the host LANs (interfaces 2 and 3)");
  igmp.pfnDisableIgmpCallback = ig_disable;
  igmp.pfnEnableIgmpCallback = ig_enable;
  igmp.pfnJoinAlertCallback = ig_join;
  igmp.pfnPruneAlertCallback = ig_prune;
  show("MgmRegisterMProtocol(IGMP)",
       MgmRegisterMProtocol(&igmp, PROTO_IP_IGMP, 1, &h_igmp));
  show("MgmTakeInterfaceOwnership(IGMP, 2)",
       MgmTakeInterfaceOwnership(h_igmp, 2, 0));
  show("MgmTakeInterfaceOwnership(IGMP, 3)",
       MgmTakeInterfaceOwnership(h_igmp, 3, 0));

  banner("a host on interface 3 joins 239.1.2.3 (IGMP report)");
  show("MgmAddGroupMembershipEntry(IGMP, *, G, if 3)",
       MgmAddGroupMembershipEntry(h_igmp, 0, 0, G, 0xFFFFFFFF, 3, 0,
                                  MGM_JOIN_STATE_FLAG));

  banner("DVMRP starts: the seed sequence (register, check, take)");
  dvmrp.pfnRpfCallback = dv_rpf;
  dvmrp.pfnCreationAlertCallback = dv_create;
  dvmrp.pfnPruneAlertCallback = dv_prune;
  dvmrp.pfnJoinAlertCallback = dv_join;
  dvmrp.pfnLocalJoinCallback = dv_local_join;
  dvmrp.pfnLocalLeaveCallback = dv_local_leave;
  show("MgmRegisterMProtocol(DVMRP)",
       MgmRegisterMProtocol(&dvmrp, DVMRP_ID, 1, &h_dvmrp));
  rc = MgmGetProtocolOnInterface(2, 0, &pid, &cid);
  printf("  MgmGetProtocolOnInterface(2) -> %lu: protocol %lu (IGMP)\n",
         (unsigned long)rc, (unsigned long)pid);
  show("MgmTakeInterfaceOwnership(DVMRP, 1)",
       MgmTakeInterfaceOwnership(h_dvmrp, 1, 0));
  show("MgmTakeInterfaceOwnership(DVMRP, 2)",
       MgmTakeInterfaceOwnership(h_dvmrp, 2, 0));

  banner("a host on interface 2 joins 239.1.2.3: IGMP adds, DVMRP decides");
  show("MgmAddGroupMembershipEntry(IGMP, *, G, if 2)",
       MgmAddGroupMembershipEntry(h_igmp, 0, 0, G, 0xFFFFFFFF, 2, 0,
                                  MGM_JOIN_STATE_FLAG));

  banner("the source 10.1.0.5 starts sending to 239.1.2.3 on interface 1");
  send_packet(1, S, G);
  show_mfes();
  send_packet(1, S, G);

  banner("the host on interface 3 leaves: IGMP deletes its membership");
  show("MgmDeleteGroupMembershipEntry(IGMP, *, G, if 3)",
       MgmDeleteGroupMembershipEntry(h_igmp, 0, 0, G, 0xFFFFFFFF, 3, 0,
                                     MGM_JOIN_STATE_FLAG));
  show_mfes();

  banner("the last host (interface 2) leaves: the MFE becomes negative");
  show("MgmDeleteGroupMembershipEntry(IGMP, *, G, if 2)",
       MgmDeleteGroupMembershipEntry(h_igmp, 0, 0, G, 0xFFFFFFFF, 2, 0,
                                     MGM_JOIN_STATE_FLAG));
  show_mfes();
  send_packet(1, S, G);

  banner("15 minutes later the MFE has expired (no refresh on traffic)");
  libmgm_sim_advance(900 * 1000);
  show_mfes();

  banner("shutdown: release interfaces, deregister, stop");
  show("MgmReleaseInterfaceOwnership(DVMRP, 2)",
       MgmReleaseInterfaceOwnership(h_dvmrp, 2, 0));
  show("MgmReleaseInterfaceOwnership(DVMRP, 1)",
       MgmReleaseInterfaceOwnership(h_dvmrp, 1, 0));
  show("MgmDeRegisterMProtocol(DVMRP)", MgmDeRegisterMProtocol(h_dvmrp));
  show("MgmReleaseInterfaceOwnership(IGMP, 2)",
       MgmReleaseInterfaceOwnership(h_igmp, 2, 0));
  show("MgmReleaseInterfaceOwnership(IGMP, 3)",
       MgmReleaseInterfaceOwnership(h_igmp, 3, 0));
  show("MgmDeRegisterMProtocol(IGMP)", MgmDeRegisterMProtocol(h_igmp));
  show("libmgm_stop()", libmgm_stop());
  return 0;
}
