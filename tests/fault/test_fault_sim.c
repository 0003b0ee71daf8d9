/*
 * test_fault_sim.c - every allocation and every backend operation of four
 * scenarios made to fail, one at a time (libmgm issue #9, item 4), on the
 * sim backend.  The loop and its checks: faultloop.h.
 *
 * SPDX-License-Identifier: MIT
 *
 * Scenarios (together they call every Mgm* function, libmgm_start/stop and
 * the sim controls, and go through the packet, timer and interface-event
 * paths):
 *   ownership   start/stop, register (incl. a duplicate), take and release
 *               with p2mp links, the IGMP co-ownership sequence (IGMP sole
 *               owner, a protocol taking over: disable/purge/enable; latent
 *               joins; the co-owner and the owner leaving), deregister;
 *   membership  every shape ((S,G), (*,G), (*,*), p2mp next hop), JOIN and
 *               FORWARD flags, idempotent adds and deletes, latent joins,
 *               join/prune alerts, MFE outgoing-list updates;
 *   mfe         creation by packets with the RPF callback, creation alerts
 *               with a veto, bIGMP, D-NOROUTE, the negative-MFE prune alert
 *               and its timeout, wrong-interface alerts, MgmSetMfe, every
 *               MFE read and the stats reads, group enumerations, expiry by
 *               clock advance, an interface vanishing and coming back;
 *   fanout      more than 16 callbacks in one batch (the batch's heap
 *               growth) and an MFE with 33 outgoing links (the install's
 *               heap path).
 * libmgm has no MgmDeleteMfe (mgm.h has none); MFEs go by release, expiry
 * and interface loss, which the scenarios cover.
 */
#include "faultloop.h"

#include "fx_criterion.h"
#include "lsan_check.h"

#include "core/core.h" /* mgm__be_fault, MGM_BE_OP_* */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PID_O 8001u
#define PID_Q 8002u
#define PID_R 8003u
#define O_ 0 /* fixture slots */
#define Q_ 1
#define IG 2
#define R_ 3

#define NET IP(10, 1, 1, 0)
#define MASK24 IP(255, 255, 255, 0)
#define UP_ IP(10, 1, 0, 1)
#define S1 IP(10, 1, 1, 5)
#define S2 IP(10, 1, 1, 6)
#define SX IP(10, 9, 9, 9) /* no route: D-NOROUTE */
#define G1 IP(224, 8, 8, 8)
#define G2 IP(224, 9, 9, 9)
#define NH IP(10, 0, 3, 7)
#define JOIN MGM_JOIN_STATE_FLAG
#define FWD MGM_FORWARD_STATE_FLAG

static void suite_init(void) {
  /* Nothing may auto-start the platform's kernel backend. */
  setenv("LIBMGM_BACKEND", "sim", 1);
}

TestSuite(fault, .init = suite_init, .timeout = 240);

/* ---- Step wrappers ------------------------------------------------------- */

static DWORD rel(int slot, DWORD ifx, DWORD nh) {
  return MgmReleaseInterfaceOwnership(fx_h(slot), ifx, nh);
}

static DWORD route(void) {
  return libmgm_sim_route_add(NET, MASK24, 1, UP_, PROTO_IP_OSPF);
}

static DWORD owner_of(struct fl_run *r, DWORD ifx, DWORD nh) {
  DWORD pid = 0, cid = 0, rc;

  rc = MgmGetProtocolOnInterface(ifx, nh, &pid, &cid);
  fl_output(r, &pid, sizeof pid);
  fl_output(r, &cid, sizeof cid);
  return rc;
}

/* MFE records (plain, stats, stats-ex) with their times zeroed: a packet
 * step redone after the sim's pending lifetime shifts the clock. */
static void out_records(struct fl_run *r, unsigned char *buf, DWORD n,
                        int stats, DWORD flags) {
  size_t off = 0;
  DWORD i;

  for (i = 0; i < n; i++) {
    size_t len;

    if (!stats) {
      MIB_IPMCAST_MFE m;

      memcpy(&m, buf + off, SIZEOF_BASIC_MIB_MFE);
      m.ulUpTime = 0;
      m.ulExpiryTime = 0;
      memcpy(buf + off, &m, SIZEOF_BASIC_MIB_MFE);
      len = SIZEOF_MIB_MFE(m.ulNumOutIf);
    } else {
      MIB_IPMCAST_MFE_STATS m; /* the _EX form starts the same way */

      memcpy(&m, buf + off, SIZEOF_BASIC_MIB_MFE_STATS);
      m.ulUpTime = 0;
      m.ulExpiryTime = 0;
      memcpy(buf + off, &m, SIZEOF_BASIC_MIB_MFE_STATS);
      len = flags == MGM_MFE_STATS_1 ? SIZEOF_MIB_MFE_STATS_EX(m.ulNumOutIf)
                                     : SIZEOF_MIB_MFE_STATS(m.ulNumOutIf);
    }
    cr_assert(off + len <= 4096, "record past the buffer");
    fl_output(r, buf + off, len);
    off += len;
  }
}

static DWORD get_mfe(struct fl_run *r, DWORD s, DWORD g, int stats,
                     DWORD flags) {
  static unsigned char buf[4096];
  MIB_IPMCAST_MFE key;
  DWORD size = (DWORD)sizeof buf, rc;

  memset(&key, 0, sizeof key);
  key.dwSource = s;
  key.dwGroup = g;
  rc = stats ? MgmGetMfeStats(&key, &size, buf, flags)
             : MgmGetMfe(&key, &size, buf);
  fl_output(r, &size, sizeof size);
  if (rc == NO_ERROR)
    out_records(r, buf, 1, stats, flags);
  return rc;
}

/* GetFirst (start NULL) or GetNext from (s, g), with a buffer of `cap`
 * bytes. */
static DWORD enum_mfe(struct fl_run *r, const MIB_IPMCAST_MFE *start, DWORD cap,
                      int stats, DWORD flags) {
  static unsigned char buf[4096];
  DWORD size = cap, n = 0, rc;
  MIB_IPMCAST_MFE st;

  if (start)
    st = *start;
  if (!stats)
    rc = start ? MgmGetNextMfe(&st, &size, buf, &n)
               : MgmGetFirstMfe(&size, buf, &n);
  else
    rc = start ? MgmGetNextMfeStats(&st, &size, buf, &n, flags)
               : MgmGetFirstMfeStats(&size, buf, &n, flags);
  fl_output(r, &size, sizeof size);
  fl_output(r, &n, sizeof n);
  if (rc == ERROR_MORE_DATA || rc == ERROR_NO_MORE_ITEMS)
    out_records(r, buf, n, stats, flags);
  return rc;
}

static DWORD set_upstream(int slot, DWORD s, DWORD g, DWORD up) {
  MIB_IPMCAST_MFE m;

  memset(&m, 0, sizeof m);
  m.dwSource = s;
  m.dwGroup = g;
  m.dwUpStrmNgbr = up;
  return MgmSetMfe(fx_h(slot), &m);
}

static HANDLE g_enum;

static DWORD enum_start(int slot, MGM_ENUM_TYPES type) {
  return MgmGroupEnumerationStart(fx_h(slot), type, &g_enum);
}

static DWORD enum_next(struct fl_run *r, DWORD cap) {
  SOURCE_GROUP_ENTRY buf[8];
  DWORD size = cap, n = 0, rc;

  rc = MgmGroupEnumerationGetNext(g_enum, &size, (PBYTE)buf, &n);
  fl_output(r, &size, sizeof size);
  fl_output(r, &n, sizeof n);
  if (n <= 8)
    fl_output(r, buf, n * sizeof buf[0]);
  return rc;
}

static DWORD enum_end(void) {
  return MgmGroupEnumerationEnd(g_enum);
}

/* Send (S, G) on ifx again after the sim's pending entry died: what the
 * next packet of a flow does after a dropped creation. */
#define PKT(r, name, ifx, s, g)                                                \
  STEP(r, name, F_ABSORB, NO_ERROR, fl_inject((ifx), (s), (g)),                \
       fl_reinject((ifx), (s), (g)))

/* ---- Scenarios ----------------------------------------------------------- */

static void sc_ownership(struct fl_run *r) {
  STEP1(r, "libmgm_stop", 0, fl_stop());
  STEP1(r, "libmgm_start", 0, fl_start(0));
  STEP1(r, "register O", 0, fl_register(O_, PID_O));
  STEP1(r, "register Q", 0, fl_register(Q_, PID_Q));
  STEP1(r, "register IGMP", 0, fl_register(IG, PROTO_IP_IGMP));
  STEPW(r, "register O again (183)", 0, ERROR_ALREADY_EXISTS,
        fl_register(O_, PID_O));
  STEP1(r, "route to S via 1", 0, route());
  STEP1(r, "O takes 1", 0, fl_take(O_, 1, 0));
  STEP1(r, "Q takes 3", 0, fl_take(Q_, 3, 0));
  STEP1(r, "Q takes p2mp link (3, NH)", 0, fl_take(Q_, 3, NH));
  STEPW(r, "Q takes 3 again (183)", 0, ERROR_ALREADY_EXISTS, fl_take(Q_, 3, 0));
  STEP1(r, "IGMP takes 2 (sole owner)", 0, fl_take(IG, 2, 0));
  STEP1(r, "IGMP joins (*,G1) on 2", 0, fx_add_rc(IG, 0, G1, 2, 0, JOIN));
  STEP1(r, "IGMP joins (S1,G1) on 2", 0, fx_add_rc(IG, S1, G1, 2, 0, JOIN));
  STEP1(r, "Q joins (*,G1) on (3, NH)", 0, fx_add_rc(Q_, 0, G1, 3, NH, JOIN));
  PKT(r, "packet (S1,G1) on 1", 1, S1, G1);
  STEP1(r, "Q takes 2 from IGMP (disable, purge, enable)", 0,
        fl_take(Q_, 2, 0));
  STEP1(r, "IGMP joins (*,G1) on 2 (latent)", 0,
        fx_add_rc(IG, 0, G1, 2, 0, JOIN));
  STEP1(r, "owner of 2", 0, owner_of(r, 2, 0));
  STEP1(r, "owner of (3, NH)", 0, owner_of(r, 3, NH));
  STEPW(r, "owner of 9 (1168)", 0, ERROR_NOT_FOUND, owner_of(r, 9, 0));
  STEP1(r, "IGMP takes 3 (co-owner)", 0, fl_take(IG, 3, 0));
  STEP1(r, "IGMP joins (*,G2) on 3 (latent)", 0,
        fx_add_rc(IG, 0, G2, 3, 0, JOIN));
  STEP1(r, "IGMP releases 3 (local leave)", 0, rel(IG, 3, 0));
  STEP1(r, "Q joins (*,G1) on 2", 0, fx_add_rc(Q_, 0, G1, 2, 0, JOIN));
  STEP1(r, "Q releases 2 (disable, purge, enable)", 0, rel(Q_, 2, 0));
  STEP1(r, "IGMP joins (*,G1) on 2 again", 0, fx_add_rc(IG, 0, G1, 2, 0, JOIN));
  STEP1(r, "IGMP releases 2 (sole owner)", 0, rel(IG, 2, 0));
  STEP1(r, "Q releases (3, NH)", 0, rel(Q_, 3, NH));
  STEP1(r, "Q releases 3", 0, rel(Q_, 3, 0));
  STEPW(r, "O deregisters while owning 1 (1003)", F_NO_8,
        ERROR_CAN_NOT_COMPLETE, fl_deregister(O_));
  STEP1(r, "O releases 1", 0, rel(O_, 1, 0));
  STEPW(r, "stop while registered (1003)", F_NO_8, ERROR_CAN_NOT_COMPLETE,
        fl_stop());
  STEP1(r, "deregister IGMP", F_NO_8, fl_deregister(IG));
  STEP1(r, "deregister Q", F_NO_8, fl_deregister(Q_));
  STEP1(r, "deregister O", F_NO_8, fl_deregister(O_));
  STEP1(r, "libmgm_stop", 0, fl_stop());
  STEP1(r, "libmgm_start", 0, fl_start(0));
}

static void sc_membership(struct fl_run *r) {
  STEP1(r, "register O", 0, fl_register(O_, PID_O));
  STEP1(r, "register Q", 0, fl_register(Q_, PID_Q));
  STEP1(r, "register R", 0, fl_register(R_, PID_R));
  STEP1(r, "register IGMP", 0, fl_register(IG, PROTO_IP_IGMP));
  STEP1(r, "route to S via 1", 0, route());
  STEP1(r, "O takes 1", 0, fl_take(O_, 1, 0));
  STEP1(r, "Q takes 2", 0, fl_take(Q_, 2, 0));
  STEP1(r, "Q takes 3", 0, fl_take(Q_, 3, 0));
  STEP1(r, "R takes 4", 0, fl_take(R_, 4, 0));
  PKT(r, "packet (S1,G1) on 1: negative MFE", 1, S1, G1);
  PKT(r, "packet (S2,G1) on 1", 1, S2, G1);
  PKT(r, "packet (S1,G2) on 1", 1, S1, G2);
  STEP1(r, "Q joins (S1,G1) on 2", 0, fx_add_rc(Q_, S1, G1, 2, 0, JOIN));
  STEP1(r, "Q joins (S1,G1) on 2 again", 0, fx_add_rc(Q_, S1, G1, 2, 0, JOIN));
  STEP1(r, "Q joins (*,G1) on 3", 0, fx_add_rc(Q_, 0, G1, 3, 0, JOIN));
  STEP1(r, "R joins (*,*) on 4", 0, fx_add_rc(R_, 0, 0, 4, 0, JOIN));
  STEP1(r, "Q joins (*,G1) on (2, NH)", 0, fx_add_rc(Q_, 0, G1, 2, NH, JOIN));
  STEP1(r, "Q joins (S1,G2) on 3, dwFlags 0", 0,
        fx_add_rc(Q_, S1, G2, 3, 0, 0));
  STEP1(r, "Q forwards (S2,G1) on 2 (FORWARD)", 0,
        fx_add_rc(Q_, S2, G1, 2, 0, FWD));
  STEP1(r, "Q joins+forwards (S1,G2) on 2", 0,
        fx_add_rc(Q_, S1, G2, 2, 0, JOIN | FWD));
  STEP1(r, "O joins (*,G2) on 1 (the iif)", 0,
        fx_add_rc(O_, 0, G2, 1, 0, JOIN));
  STEP1(r, "IGMP takes 3 (co-owner)", 0, fl_take(IG, 3, 0));
  STEP1(r, "IGMP joins (S1,G1) on 3 (latent)", 0,
        fx_add_rc(IG, S1, G1, 3, 0, JOIN));
  STEP1(r, "IGMP joins (*,*) on 3 (latent)", 0,
        fx_add_rc(IG, 0, 0, 3, 0, JOIN));
  STEP1(r, "IGMP leaves (S1,G1) on 3 (latent)", 0,
        fx_del_rc(IG, S1, G1, 3, 0, JOIN));
  STEP1(r, "Q leaves (S1,G1) on 2", 0, fx_del_rc(Q_, S1, G1, 2, 0, JOIN));
  STEP1(r, "Q leaves (S1,G1) on 2 again", 0, fx_del_rc(Q_, S1, G1, 2, 0, JOIN));
  STEP1(r, "Q stops forwarding (S2,G1) on 2 (FORWARD)", 0,
        fx_del_rc(Q_, S2, G1, 2, 0, FWD));
  STEP1(r, "Q leaves (*,G1) on 3", 0, fx_del_rc(Q_, 0, G1, 3, 0, JOIN));
  STEP1(r, "R leaves (*,*) on 4", 0, fx_del_rc(R_, 0, 0, 4, 0, JOIN));
  STEP1(r, "Q leaves (*,G1) on (2, NH)", 0, fx_del_rc(Q_, 0, G1, 2, NH, JOIN));
  STEP1(r, "Q leaves (S1,G2) on 2 and 3", 0,
        fx_del_rc(Q_, S1, G2, 2, 0, JOIN | FWD));
  STEP1(r, "R joins (*,G1) on 4 again", 0, fx_add_rc(R_, 0, G1, 4, 0, JOIN));
  STEP1(r, "IGMP releases 3", 0, rel(IG, 3, 0));
  STEP1(r, "R releases 4 (purge)", 0, rel(R_, 4, 0));
  STEP1(r, "Q releases 3", 0, rel(Q_, 3, 0));
  STEP1(r, "Q releases 2", 0, rel(Q_, 2, 0));
  STEP1(r, "O releases 1", 0, rel(O_, 1, 0));
  STEP1(r, "deregister IGMP", F_NO_8, fl_deregister(IG));
  STEP1(r, "deregister R", F_NO_8, fl_deregister(R_));
  STEP1(r, "deregister Q", F_NO_8, fl_deregister(Q_));
  STEP1(r, "deregister O", F_NO_8, fl_deregister(O_));
}

static void sc_mfe(struct fl_run *r) {
  MIB_IPMCAST_MFE k1;

  memset(&k1, 0, sizeof k1);
  k1.dwSource = S1;
  k1.dwGroup = G1;
  STEP1(r, "libmgm_stop", 0, fl_stop());
  STEP1(r, "libmgm_start (wrong-if alerts)", 0, fl_start(1));
  STEP1(r, "sim: interface 1", 0, libmgm_sim_if_add(1, "eth1", 0, 0));
  STEP1(r, "sim: interface 2", 0,
        libmgm_sim_if_add(2, "eth2", IP(10, 0, 2, 1), 24));
  STEP1(r, "sim: interface 3", 0, libmgm_sim_if_add(3, "eth3", 0, 0));
  STEP1(r, "register O", 0, fl_register(O_, PID_O));
  STEP1(r, "register Q", 0, fl_register(Q_, PID_Q));
  STEP1(r, "register IGMP", 0, fl_register(IG, PROTO_IP_IGMP));
  STEP1(r, "route to S via 1", 0, route());
  STEP1(r, "O takes 1", 0, fl_take(O_, 1, 0));
  STEP1(r, "Q takes 2", 0, fl_take(Q_, 2, 0));
  STEP1(r, "Q takes 3", 0, fl_take(Q_, 3, 0));
  STEP1(r, "IGMP takes 4", 0, fl_take(IG, 4, 0));
  STEP1(r, "Q joins (*,G1) on 2", 0, fx_add_rc(Q_, 0, G1, 2, 0, JOIN));
  STEP1(r, "Q joins (*,G1) on 3", 0, fx_add_rc(Q_, 0, G1, 3, 0, JOIN));
  STEP1(r, "IGMP joins (*,G1) on 4", 0, fx_add_rc(IG, 0, G1, 4, 0, JOIN));
  fx_veto(Q_, 3); /* Q's creation alerts disable 3 */
  fx_rpf_set(Q_, 2, 0, IP(10, 0, 2, 1));
  PKT(r, "packet (S1,G1) on 1: RPF, creation alerts, veto", 1, S1, G1);
  PKT(r, "packet (S1,G1) on 1 again: forwarded", 1, S1, G1);
  PKT(r, "packet (S1,G1) on 3: wrong interface", 3, S1, G1);
  PKT(r, "packet (S2,G1) on 1", 1, S2, G1);
  PKT(r, "packet (SX,G1) on 2: no route, RPF to Q", 2, SX, G1);
  STEP1(r, "MgmSetMfe (S1,G1)", 0, set_upstream(Q_, S1, G1, IP(10, 1, 0, 9)));
  STEPW(r, "MgmSetMfe of no MFE (1168)", 0, ERROR_NOT_FOUND,
        set_upstream(Q_, S1, G2, IP(10, 1, 0, 9)));
  STEP1(r, "MgmGetMfe (S1,G1)", 0, get_mfe(r, S1, G1, 0, 0));
  STEP1(r, "MgmGetMfeStats (S1,G1)", 0, get_mfe(r, S1, G1, 1, MGM_MFE_STATS_0));
  STEP1(r, "MgmGetMfeStats (S1,G1) EX", 0,
        get_mfe(r, S1, G1, 1, MGM_MFE_STATS_1));
  STEPW(r, "MgmGetFirstMfe", 0, ERROR_NO_MORE_ITEMS,
        enum_mfe(r, NULL, 4096, 0, 0));
  STEPW(r, "MgmGetFirstMfe, small buffer (122)", 0, ERROR_INSUFFICIENT_BUFFER,
        enum_mfe(r, NULL, 8, 0, 0));
  STEPW(r, "MgmGetNextMfe from (S1,G1)", 0, ERROR_NO_MORE_ITEMS,
        enum_mfe(r, &k1, 4096, 0, 0));
  STEPW(r, "MgmGetFirstMfeStats", 0, ERROR_NO_MORE_ITEMS,
        enum_mfe(r, NULL, 4096, 1, MGM_MFE_STATS_0));
  STEPW(r, "MgmGetNextMfeStats EX", 0, ERROR_NO_MORE_ITEMS,
        enum_mfe(r, &k1, 4096, 1, MGM_MFE_STATS_1));
  STEP1(r, "Q joins (S2,G2) on 3", 0, fx_add_rc(Q_, S2, G2, 3, 0, JOIN));
  STEP1(r, "group enumeration start (ALL_SOURCES)", 0,
        enum_start(Q_, ALL_SOURCES));
  STEPW(r, "group enumeration next, 1 entry", 0, ERROR_MORE_DATA,
        enum_next(r, 16));
  STEPW(r, "group enumeration next, rest", 0, ERROR_NO_MORE_ITEMS,
        enum_next(r, 128));
  STEP1(r, "group enumeration end", 0, enum_end());
  STEP1(r, "group enumeration start (ANY_SOURCE)", 0,
        enum_start(O_, ANY_SOURCE));
  STEPW(r, "group enumeration next", 0, ERROR_NO_MORE_ITEMS, enum_next(r, 128));
  STEP1(r, "Q leaves (S2,G2) on 3", 0, fx_del_rc(Q_, S2, G2, 3, 0, JOIN));
  STEP1(r, "Q forwards (S1,G1) on 3 (FORWARD)", 0,
        fx_add_rc(Q_, S1, G1, 3, 0, FWD));
  fx_prune_timeout(O_, 30);
  STEP1(r, "Q leaves (*,G1) on 2", 0, fx_del_rc(Q_, 0, G1, 2, 0, JOIN));
  STEP1(r, "Q leaves (*,G1) on 3", 0, fx_del_rc(Q_, 0, G1, 3, 0, JOIN));
  STEP1(r, "Q stops (S1,G1) on 3", 0, fx_del_rc(Q_, S1, G1, 3, 0, FWD));
  STEP1(r, "IGMP leaves (*,G1) on 4: negative, timeout 30 s", 0,
        fx_del_rc(IG, 0, G1, 4, 0, JOIN));
  STEP1(r, "clock +31 s: (S1,G1) and (S2,G1) expire", F_ABSORB,
        fl_advance(31000));
  STEP1(r, "sim: interface 2 vanishes", F_ABSORB, libmgm_sim_if_del(2));
  /* a lost interface event is the next one's to repair */
  STEP(r, "sim: interface 2 is back", F_ABSORB, NO_ERROR,
       libmgm_sim_if_add(2, "eth2", IP(10, 0, 2, 1), 24),
       libmgm_sim_if_set_up(2, TRUE));
  STEP1(r, "Q joins (*,G1) on 2", 0, fx_add_rc(Q_, 0, G1, 2, 0, JOIN));
  PKT(r, "packet (S1,G1) on 1 once more", 1, S1, G1);
  STEP1(r, "clock +901 s: everything expires", F_ABSORB, fl_advance(901000));
  STEP1(r, "O releases 1", 0, rel(O_, 1, 0));
  STEP1(r, "Q releases 2", 0, rel(Q_, 2, 0));
  STEP1(r, "Q releases 3", 0, rel(Q_, 3, 0));
  STEP1(r, "IGMP releases 4", 0, rel(IG, 4, 0));
  STEP1(r, "deregister O (closes its enumeration)", F_NO_8, fl_deregister(O_));
  STEP1(r, "deregister IGMP", F_NO_8, fl_deregister(IG));
  STEP1(r, "deregister Q", F_NO_8, fl_deregister(Q_));
}

#define FAN 20  /* sources: > 16 callbacks in one batch */
#define WIDE 33 /* next hops on 2: > 32 outgoing links */

static void sc_fanout(struct fl_run *r) {
  char name[64];
  DWORD i;

  STEP1(r, "register O", 0, fl_register(O_, PID_O));
  STEP1(r, "register Q", 0, fl_register(Q_, PID_Q));
  STEP1(r, "route to S via 1", 0, route());
  STEP1(r, "O takes 1", 0, fl_take(O_, 1, 0));
  STEP1(r, "Q takes 2", 0, fl_take(Q_, 2, 0));
  for (i = 0; i < FAN; i++) {
    snprintf(name, sizeof name, "Q joins (S%u,G1) on 2", (unsigned)i);
    STEP1(r, name, 0, fx_add_rc(Q_, IP(10, 1, 1, 100 + i), G1, 2, 0, JOIN));
  }
  PKT(r, "packet (S1,G2) on 1", 1, S1, G2);
  for (i = 0; i < WIDE; i++) {
    snprintf(name, sizeof name, "Q joins (*,G2) on (2, nh %u)", (unsigned)i);
    STEP1(r, name, 0, fx_add_rc(Q_, 0, G2, 2, IP(10, 0, 2, 10 + i), JOIN));
  }
  STEP1(r, "Q releases 2: 20 prune alerts, 33 links", 0, rel(Q_, 2, 0));
  STEP1(r, "O releases 1", 0, rel(O_, 1, 0));
  STEP1(r, "deregister Q", F_NO_8, fl_deregister(Q_));
  STEP1(r, "deregister O", F_NO_8, fl_deregister(O_));
}

/* ---- Tests --------------------------------------------------------------- */

#define FAULT_TESTS(scen)                                                      \
  Test(fault, scen##_every_allocation) {                                       \
    struct fl_totals t;                                                        \
    fl_loop_alloc(#scen, sc_##scen, &t);                                       \
    cr_assert(t.alloc_points > 0);                                             \
    fl_leak_check();                                                           \
  }                                                                            \
  Test(fault, scen##_every_backend_operation) {                                \
    struct fl_totals t;                                                        \
    fl_loop_plat(#scen, sc_##scen, &t);                                        \
    cr_assert(t.plat_points > 0);                                              \
    fl_leak_check();                                                           \
  }

FAULT_TESTS(ownership)
FAULT_TESTS(membership)
FAULT_TESTS(mfe)
FAULT_TESTS(fanout)

/* ---- The hook sees the other backend operations too --------------------- */

/* Beyond the six forwarder operations the loops above fail, every backend
 * operation goes through the core's one wrapper per operation (backend.c)
 * and so through the fault hook; these two are reached from the API. */
TestSuite(fault_ops, .init = fx_setup_wrongif, .fini = fx_teardown,
          .timeout = 30);

static unsigned n_sent;

static void count_sent(void *ctx, DWORD ifindex, DWORD dst, const BYTE *igmp,
                       DWORD len) {
  (void)ctx;
  (void)ifindex;
  (void)dst;
  (void)igmp;
  (void)len;
  n_sent++;
}

/* A failed IGMP send gives the caller the error's Win32 code and never
 * reaches the forwarder; the six-kind count (LIBMGM_SIM_OP_ANY) is not
 * moved by it. */
Test(fault_ops, a_failed_igmp_send_returns_the_mapped_code) {
  static const BYTE query[8] = {0x11, 0x64, 0xee, 0x9b, 0, 0, 0, 0};
  static const struct {
    int err;
    DWORD want;
  } cases[] = {{MGM_BE_ENOIF, ERROR_INVALID_PARAMETER},
               {MGM_BE_EIO, ERROR_CAN_NOT_COMPLETE},
               {MGM_BE_ENOTSUP, ERROR_NOT_SUPPORTED}};
  const DWORD all = IP(224, 0, 0, 1);
  size_t i;

  cr_assert_eq(libmgm_sim_if_add(1, "a0", IP(10, 1, 1, 1), 24), NO_ERROR);
  cr_assert_eq(libmgm_sim_set_tx_hook(count_sent, NULL), NO_ERROR);
  mgm__be_fault(LIBMGM_SIM_OP_ANY, 0, 0);
  cr_assert_eq(libmgm_ctrl_send(1, all, query, sizeof query), NO_ERROR);
  cr_assert_eq(mgm__be_fault(LIBMGM_SIM_OP_ANY, -1, 0), 0,
               "a send counted as a forwarder operation");
  cr_assert_eq(n_sent, 1u);
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    mgm__be_fault(MGM_BE_OP_CTRL_SEND, 1, cases[i].err);
    cr_assert_eq(libmgm_ctrl_send(1, all, query, sizeof query), cases[i].want,
                 "fault %d", cases[i].err);
    cr_assert_eq(mgm__be_fault(MGM_BE_OP_CTRL_SEND, -1, 0), 1,
                 "the hook saw %d sends", cases[i].err);
    cr_assert_eq(n_sent, 1u, "the failed send reached the forwarder");
  }
  cr_assert_eq(libmgm_ctrl_send(1, all, query, sizeof query), NO_ERROR);
  cr_assert_eq(n_sent, 2u);
}

/* The wrong-interface switch failing when the first wrong-if callback
 * registers: a warning, the switch stays off (entries are installed
 * without asking for wrong-if upcalls, so no alert), and the next change
 * of the registry switches it on. */
Test(fault_ops, a_failed_wrongif_switch_is_logged_and_retried) {
  struct fx_ev alert = EV_WRONGIF(O_, S1, G1, 3, 0);

  fx_warns_clear();
  mgm__be_fault(MGM_BE_OP_SET_WRONGIF, 1, MGM_BE_EIO);
  fx_register(O_, PID_O, 1);
  cr_assert_eq(mgm__be_fault(MGM_BE_OP_SET_WRONGIF, -1, 0), 1,
               "the hook saw no wrong-interface switch");
  cr_assert_eq(fx_warns(), 1u, "%u warnings", (unsigned)fx_warns());
  fx_take(O_, 1, 0);
  fx_take(O_, 3, 0);
  fx_route(NET, MASK24, 1, UP_, PROTO_IP_OSPF);
  fx_inject(1, S1, G1);
  fx_log_clear();
  fx_inject(3, S1, G1);
  cr_assert_eq(fx_log_count(&alert), 0u, "an alert with the switch off");
  fx_register(Q_, PID_Q, 1);
  fx_inject(1, S1, G2);
  fx_log_clear();
  fx_inject(3, S1, G2);
  alert.grp = G2;
  cr_assert_eq(fx_log_count(&alert), 1u, "no alert after the retry");
  cr_assert_eq(fx_warns(), 1u);
}
