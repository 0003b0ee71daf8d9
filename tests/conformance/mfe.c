/*
 * mfe.c - conformance tests of MFE creation and lifetime (mgm-spec 3.1-3.3,
 * 4.4, 4.7).
 *
 * SPDX-License-Identifier: MIT
 *
 * Expected Windows behaviour [DOC rpf-alert-callbacks,
 * PMGM_CREATION_ALERT_CALLBACK, PMGM_PRUNE_ALERT_CALLBACK, mib_ipmcast_mfe]:
 * the first packet of a new (S,G) makes MGM call the RPF callback of the
 * owner of the interface toward S, then a creation alert to each client
 * owning outgoing interfaces (a client may disable entries), then installs
 * the MFE with a 900 s lifetime; an MFE with no outgoing interface makes
 * MGM call the incoming-interface owner's prune alert with bMemberDelete
 * FALSE, whose *pdwTimeout sets the negative entry's lifetime.  Uptime
 * grows, the MFE is removed when its lifetime ends.  These tests drive
 * packets and time through libmgm's simulated forwarder, which a real
 * Windows rtm.dll lacks: they win_skip there.  Recipients and ordering are
 * libmgm's (D-ORDER-CB, D-NEGMFE).
 */
#include "conf_common.h"

#include "conf_client.h"
#include "conf_sim.h"
#include "conf_tests.h"
#include "harness.h"

#include <string.h>

static DWORD get_mfe(DWORD s, DWORD g, MIB_IPMCAST_MFE *out,
                     MIB_IPMCAST_OIF *oif, DWORD max_oif) {
  DWORD
  raw[(SIZEOF_BASIC_MIB_MFE + 8 * sizeof(MIB_IPMCAST_OIF)) / sizeof(DWORD)];
  MIB_IPMCAST_MFE key;
  DWORD size = sizeof raw, rc, i;

  memset(&key, 0, sizeof key);
  key.dwGroup = g;
  key.dwSource = s;
  memset(out, 0, sizeof *out);
  rc = MgmGetMfe(&key, &size, (PBYTE)raw);
  if (rc != NO_ERROR)
    return rc;
  memcpy(out, raw, SIZEOF_BASIC_MIB_MFE);
  for (i = 0; i < out->ulNumOutIf && i < max_oif; i++)
    memcpy(&oif[i], (unsigned char *)raw + SIZEOF_MIB_MFE(i), sizeof *oif);
  return rc;
}

/* 4.4: P 0 owns I(1) toward S; Q 1 owns I(2), I(3); IGMP 2 owns I(4);
 * Q (*,G)@2,@3, IGMP (*,G)@4, P (*,*)@1; Q vetoes I(3). */
void test_mfe_creation(void) {
  DWORD S = conf_ip(10, 1, 1, 5), G = conf_ip(224, 9, 9, 9);
  DWORD U = conf_ip(10, 1, 0, 1), rc, n_out = 99;
  MIB_IPMCAST_MFE m;
  MIB_IPMCAST_OIF oif[8];

  if (!conf_sim_present()) {
    win_skip("needs libmgm's simulated forwarder\n");
    return;
  }
  if (!conf_begin())
    return;
  ok(conf_register(0, 4001, 1) == NO_ERROR, "register P\n");
  ok(conf_register(1, 4002, 1) == NO_ERROR, "register Q\n");
  ok(conf_register(2, PROTO_IP_IGMP, 1) == NO_ERROR, "register IGMP\n");
  ok(conf_take(0, 1) == NO_ERROR && conf_take(1, 2) == NO_ERROR &&
         conf_take(1, 3) == NO_ERROR && conf_take(2, 4) == NO_ERROR,
     "takes\n");
  ok(conf_add(1, 0, G, 2) == NO_ERROR && conf_add(1, 0, G, 3) == NO_ERROR &&
         conf_add(2, 0, G, 4) == NO_ERROR && conf_add(0, 0, 0, 1) == NO_ERROR,
     "joins\n");
  rc = conf_route_add(conf_ip(10, 1, 1, 0), conf_ip(255, 255, 255, 0), 1, U,
                      PROTO_IP_OSPF);
  ok(rc == NO_ERROR, "route: got %u\n", (unsigned)rc);
  conf_veto(1, 3);
  conf_clear();
  rc = conf_inject(1, S, G, &n_out);
  ok(rc == NO_ERROR, "inject: got %u\n", (unsigned)rc);
  ok(n_out == 2, "packet sent on %u interfaces\n", (unsigned)n_out);
  CHECK_EVENTS(E_RPF(0, S, G, 1, U), E_CREATE(1, S, G, 1, 2, 2, 3),
               E_CREATE(2, S, G, 1, 1, 4));
  rc = get_mfe(S, G, &m, oif, 8);
  ok(rc == NO_ERROR, "MgmGetMfe: got %u\n", (unsigned)rc);
  ok(m.dwInIfIndex == 1, "dwInIfIndex: got %u\n", (unsigned)m.dwInIfIndex);
  ok(m.dwUpStrmNgbr == U, "dwUpStrmNgbr: got %08x\n", (unsigned)m.dwUpStrmNgbr);
  ok(m.dwInIfProtocol == 4001, "dwInIfProtocol: got %u\n",
     (unsigned)m.dwInIfProtocol);
  ok(m.dwRouteProtocol == PROTO_IP_OSPF, "dwRouteProtocol: got %u\n",
     (unsigned)m.dwRouteProtocol);
  ok(m.ulTimeOut == 900, "ulTimeOut: got %u\n", (unsigned)m.ulTimeOut);
  ok(m.ulUpTime == 0, "ulUpTime: got %u\n", (unsigned)m.ulUpTime);
  ok(m.ulNumOutIf == 2, "ulNumOutIf: got %u\n", (unsigned)m.ulNumOutIf);
  ok(oif[0].dwOutIfIndex == 2 && oif[1].dwOutIfIndex == 4,
     "outgoing: got %u, %u\n", (unsigned)oif[0].dwOutIfIndex,
     (unsigned)oif[1].dwOutIfIndex);
  conf_end();
}

void test_mfe_negative_and_expiry(void) {
  DWORD S = conf_ip(10, 1, 1, 5), G = conf_ip(224, 9, 9, 10), rc;
  MIB_IPMCAST_MFE m;
  MIB_IPMCAST_OIF oif[8];

  if (!conf_sim_present()) {
    win_skip("needs libmgm's simulated forwarder\n");
    return;
  }
  if (!conf_begin())
    return;
  ok(conf_register(0, 4001, 1) == NO_ERROR, "register P\n");
  ok(conf_take(0, 1) == NO_ERROR, "take\n");
  rc = conf_route_add(conf_ip(10, 1, 1, 0), conf_ip(255, 255, 255, 0), 1, 0,
                      PROTO_IP_RIP);
  ok(rc == NO_ERROR, "route: got %u\n", (unsigned)rc);
  conf_prune_timeout(0, 60);
  rc = conf_inject(1, S, G, NULL);
  ok(rc == NO_ERROR, "inject: got %u\n", (unsigned)rc);
  CHECK_EVENTS(E_RPF(0, S, G, 1, 0), E_PRUNE(0, S, ALL1, G, ALL1, 1, 0));
  rc = get_mfe(S, G, &m, oif, 8);
  ok(rc == NO_ERROR, "MgmGetMfe: got %u\n", (unsigned)rc);
  ok(m.ulNumOutIf == 0, "ulNumOutIf: got %u\n", (unsigned)m.ulNumOutIf);
  ok(m.ulTimeOut == 60, "ulTimeOut: got %u\n", (unsigned)m.ulTimeOut);
  ok(conf_advance(30000) == NO_ERROR, "advance\n");
  rc = get_mfe(S, G, &m, oif, 8);
  ok(rc == NO_ERROR, "at 30 s: got %u\n", (unsigned)rc);
  ok(m.ulUpTime == 30 && m.ulExpiryTime == 30, "times: got %u/%u\n",
     (unsigned)m.ulUpTime, (unsigned)m.ulExpiryTime);
  ok(conf_advance(30000) == NO_ERROR, "advance\n");
  rc = get_mfe(S, G, &m, oif, 8);
  ok(rc == ERROR_NOT_FOUND, "at 60 s: got %u\n", (unsigned)rc);
  CHECK_NO_EVENTS();
  conf_end();
}
