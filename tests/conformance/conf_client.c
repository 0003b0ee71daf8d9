/*
 * conf_client.c - recording test clients for the conformance suite (see
 * conf_client.h).
 *
 * SPDX-License-Identifier: MIT
 *
 * Plain C11: the log is a static array written by the callbacks and read
 * by the test thread after the MGM or sim call that caused them returned.
 */
#include <windows.h>
#include <iprtrmib.h>
#include <mgm.h>
#include <libmgm.h>

#include "conf_client.h"
#include "conf_sim.h"
#include "harness.h"

#include <stdio.h>
#include <string.h>

#define CONF_LOG_CAP 256

struct conf_slot {
  HANDLE h;
  int registered;
  DWORD veto[CONF_MAX_IFS];
  int n_veto;
  int tmo_set;
  DWORD tmo;
};

static struct conf_ev conf_log[CONF_LOG_CAP];
static size_t conf_nlog;
static struct conf_slot conf_slots[CONF_MAX_CLIENTS];

DWORD conf_ip(unsigned a, unsigned b, unsigned c, unsigned d) {
  unsigned char v[4];
  DWORD r;

  v[0] = (unsigned char)a;
  v[1] = (unsigned char)b;
  v[2] = (unsigned char)c;
  v[3] = (unsigned char)d;
  memcpy(&r, v, sizeof r);
  return r;
}

static struct conf_ev *conf_push(int client, int kind) {
  static struct conf_ev overflow;
  struct conf_ev *e = &overflow;

  if (conf_nlog < CONF_LOG_CAP)
    e = &conf_log[conf_nlog++];
  memset(e, 0, sizeof *e);
  e->client = client;
  e->kind = kind;
  return e;
}

static DWORD on_rpf(int c, DWORD s, DWORD sm, DWORD g, DWORD gm, PDWORD pi,
                    PDWORD pnh, PDWORD pu) {
  struct conf_ev *e = conf_push(c, CK_RPF);

  e->s = s;
  e->sm = sm;
  e->g = g;
  e->gm = gm;
  e->ifi = pi ? *pi : 0xDEADu;
  e->nh = pnh ? *pnh : 0xDEADu;
  e->up = pu ? *pu : 0xDEADu;
  return NO_ERROR;
}

static DWORD on_create(int c, DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD iif,
                       DWORD inh, DWORD n, PMGM_IF_ENTRY l) {
  struct conf_ev *e = conf_push(c, CK_CREATE);
  DWORD i;
  int v;

  e->s = s;
  e->sm = sm;
  e->g = g;
  e->gm = gm;
  e->ifi = iif;
  e->nh = inh;
  e->count = n;
  for (i = 0; l != NULL && i < n; i++) {
    if (i < CONF_MAX_IFS)
      e->ifs[i] = l[i].dwIfIndex;
    for (v = 0; v < conf_slots[c].n_veto; v++)
      if (l[i].dwIfIndex == conf_slots[c].veto[v])
        l[i].bIsEnabled = FALSE;
  }
  return NO_ERROR;
}

static DWORD on_prune(int c, DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD i,
                      DWORD nh, BOOL del, PDWORD ptmo) {
  struct conf_ev *e = conf_push(c, CK_PRUNE);

  e->s = s;
  e->sm = sm;
  e->g = g;
  e->gm = gm;
  e->ifi = i;
  e->nh = nh;
  e->flag = del ? 1 : 0;
  e->tmo = ptmo ? *ptmo : 0xDEADu;
  if (ptmo != NULL && conf_slots[c].tmo_set)
    *ptmo = conf_slots[c].tmo;
  return NO_ERROR;
}

static DWORD on_join(int c, DWORD s, DWORD sm, DWORD g, DWORD gm, BOOL u) {
  struct conf_ev *e = conf_push(c, CK_JOIN);

  e->s = s;
  e->sm = sm;
  e->g = g;
  e->gm = gm;
  e->flag = u ? 1 : 0;
  return NO_ERROR;
}

static DWORD on_local(int c, int kind, DWORD s, DWORD sm, DWORD g, DWORD gm,
                      DWORD i, DWORD nh) {
  struct conf_ev *e = conf_push(c, kind);

  e->s = s;
  e->sm = sm;
  e->g = g;
  e->gm = gm;
  e->ifi = i;
  e->nh = nh;
  return NO_ERROR;
}

static DWORD on_igmp(int c, int kind, DWORD i, DWORD nh) {
  struct conf_ev *e = conf_push(c, kind);

  e->ifi = i;
  e->nh = nh;
  return NO_ERROR;
}

#define CONF_CLIENT(n)                                                         \
  static DWORD rpf_##n(DWORD s, DWORD sm, DWORD g, DWORD gm, PDWORD pi,        \
                       PDWORD pnh, PDWORD pu, DWORD hs, PBYTE hdr, PBYTE rt) { \
    (void)hs;                                                                  \
    (void)hdr;                                                                 \
    (void)rt;                                                                  \
    return on_rpf(n, s, sm, g, gm, pi, pnh, pu);                               \
  }                                                                            \
  static DWORD create_##n(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD iif,     \
                          DWORD inh, DWORD cnt, PMGM_IF_ENTRY l) {             \
    return on_create(n, s, sm, g, gm, iif, inh, cnt, l);                       \
  }                                                                            \
  static DWORD prune_##n(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD i,        \
                         DWORD nh, BOOL d, PDWORD t) {                         \
    return on_prune(n, s, sm, g, gm, i, nh, d, t);                             \
  }                                                                            \
  static DWORD join_##n(DWORD s, DWORD sm, DWORD g, DWORD gm, BOOL u) {        \
    return on_join(n, s, sm, g, gm, u);                                        \
  }                                                                            \
  static DWORD wrongif_##n(DWORD s, DWORD g, DWORD i, DWORD nh, DWORD hs,      \
                           PBYTE hdr) {                                        \
    struct conf_ev *e = conf_push(n, CK_WRONGIF);                              \
    (void)hs;                                                                  \
    (void)hdr;                                                                 \
    e->s = s;                                                                  \
    e->g = g;                                                                  \
    e->ifi = i;                                                                \
    e->nh = nh;                                                                \
    return NO_ERROR;                                                           \
  }                                                                            \
  static DWORD ljoin_##n(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD i,        \
                         DWORD nh) {                                           \
    return on_local(n, CK_LJOIN, s, sm, g, gm, i, nh);                         \
  }                                                                            \
  static DWORD lleave_##n(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD i,       \
                          DWORD nh) {                                          \
    return on_local(n, CK_LLEAVE, s, sm, g, gm, i, nh);                        \
  }                                                                            \
  static DWORD disable_##n(DWORD i, DWORD nh) {                                \
    return on_igmp(n, CK_DISABLE, i, nh);                                      \
  }                                                                            \
  static DWORD enable_##n(DWORD i, DWORD nh) {                                 \
    return on_igmp(n, CK_ENABLE, i, nh);                                       \
  }

CONF_CLIENT(0)
CONF_CLIENT(1)
CONF_CLIENT(2)
CONF_CLIENT(3)
CONF_CLIENT(4)
CONF_CLIENT(5)

#define CONF_CFG(n)                                                            \
  {                                                                            \
    0, rpf_##n, create_##n, prune_##n, join_##n, wrongif_##n, ljoin_##n,       \
        lleave_##n, disable_##n, enable_##n                                    \
  }

static const ROUTING_PROTOCOL_CONFIG conf_cfgs[CONF_MAX_CLIENTS] = {
    CONF_CFG(0), CONF_CFG(1), CONF_CFG(2),
    CONF_CFG(3), CONF_CFG(4), CONF_CFG(5)};

static const char *kind_name(int k) {
  static const char *const names[] = {"?",       "RPF",     "CREATE", "PRUNE",
                                      "JOIN",    "WRONGIF", "LJOIN",  "LLEAVE",
                                      "DISABLE", "ENABLE"};
  return k >= 0 && k <= CK_ENABLE ? names[k] : "?";
}

static int ev_equal(const struct conf_ev *a, const struct conf_ev *b) {
  DWORD i;

  if (a->client != b->client || a->kind != b->kind || a->s != b->s ||
      a->sm != b->sm || a->g != b->g || a->gm != b->gm || a->ifi != b->ifi ||
      a->nh != b->nh || a->up != b->up || a->flag != b->flag ||
      a->tmo != b->tmo || a->count != b->count)
    return 0;
  for (i = 0; i < a->count && i < CONF_MAX_IFS; i++)
    if (a->ifs[i] != b->ifs[i])
      return 0;
  return 1;
}

static void ev_print(const char *what, const struct conf_ev *e) {
  DWORD i;

  printf("    %s c%d %s s=%08x/%08x g=%08x/%08x if=%u nh=%08x up=%08x "
         "flag=%u tmo=%u",
         what, e->client, kind_name(e->kind), (unsigned)e->s, (unsigned)e->sm,
         (unsigned)e->g, (unsigned)e->gm, (unsigned)e->ifi, (unsigned)e->nh,
         (unsigned)e->up, (unsigned)e->flag, (unsigned)e->tmo);
  if (e->kind == CK_CREATE) {
    printf(" n=%u [", (unsigned)e->count);
    for (i = 0; i < e->count && i < CONF_MAX_IFS; i++)
      printf(" %u", (unsigned)e->ifs[i]);
    printf(" ]");
  }
  printf("\n");
}

void conf_check(const char *file, int line, const struct conf_ev *exp,
                size_t n) {
  size_t i;
  int same = conf_nlog == n;

  for (i = 0; same && i < n; i++)
    same = ev_equal(&exp[i], &conf_log[i]);
  harness_set_location(file, line);
  harness_ok(same, "callbacks: got %u, expected %u (listed below)\n",
             (unsigned)conf_nlog, (unsigned)n);
  if (!same) {
    for (i = 0; i < n; i++)
      ev_print("want", &exp[i]);
    for (i = 0; i < conf_nlog; i++)
      ev_print("got ", &conf_log[i]);
  }
  conf_nlog = 0;
}

void conf_clear(void) {
  conf_nlog = 0;
}

int conf_begin(void) {
  ROUTING_PROTOCOL_CONFIG cfg = conf_cfgs[CONF_MAX_CLIENTS - 1];
  HANDLE h = NULL;
  DWORD rc;

  memset(conf_slots, 0, sizeof conf_slots);
  conf_nlog = 0;
  rc = conf_start(0);
  ok(rc == NO_ERROR, "libmgm_start(sim): got %u\n", (unsigned)rc);
  if (rc != NO_ERROR)
    return 0;
  /* On Windows MGM lives in the router process: from a plain process it
   * is not running and registration fails. */
  rc = MgmRegisterMProtocol(&cfg, 0xFFFFu, 0xFFFFu, &h);
  if (rc == ERROR_CAN_NOT_COMPLETE && !conf_sim_present()) {
    win_skip("MGM is not running in this process (got %u)\n", (unsigned)rc);
    return 0;
  }
  ok(rc == NO_ERROR, "probe registration: got %u\n", (unsigned)rc);
  if (rc != NO_ERROR)
    return 0;
  rc = MgmDeRegisterMProtocol(h);
  ok(rc == NO_ERROR, "probe deregistration: got %u\n", (unsigned)rc);
  return 1;
}

void conf_end(void) {
  int s;
  DWORD i, rc;

  for (s = 0; s < CONF_MAX_CLIENTS; s++)
    if (conf_slots[s].registered)
      for (i = 0; i < 64; i++)
        (void)MgmReleaseInterfaceOwnership(conf_slots[s].h, i, 0);
  for (s = 0; s < CONF_MAX_CLIENTS; s++)
    if (conf_slots[s].registered)
      (void)MgmDeRegisterMProtocol(conf_slots[s].h);
  memset(conf_slots, 0, sizeof conf_slots);
  rc = conf_stop();
  ok(rc == NO_ERROR, "libmgm_stop: got %u\n", (unsigned)rc);
  conf_nlog = 0;
}

DWORD conf_register(int slot, DWORD pid, DWORD cid) {
  ROUTING_PROTOCOL_CONFIG cfg = conf_cfgs[slot];
  HANDLE h = NULL;
  DWORD rc;

  rc = MgmRegisterMProtocol(&cfg, pid, cid, &h);
  if (rc == NO_ERROR) {
    conf_slots[slot].h = h;
    conf_slots[slot].registered = 1;
  }
  return rc;
}

DWORD conf_deregister(int slot) {
  DWORD rc = MgmDeRegisterMProtocol(conf_slots[slot].h);

  if (rc == NO_ERROR)
    conf_slots[slot].registered = 0;
  return rc;
}

HANDLE conf_h(int slot) {
  return conf_slots[slot].h;
}

DWORD conf_take(int slot, DWORD ifindex) {
  return MgmTakeInterfaceOwnership(conf_slots[slot].h, ifindex, 0);
}

DWORD conf_add(int slot, DWORD s, DWORD g, DWORD ifindex) {
  return MgmAddGroupMembershipEntry(conf_slots[slot].h, s, s ? ALL1 : 0, g,
                                    g ? ALL1 : 0, ifindex, 0,
                                    MGM_JOIN_STATE_FLAG);
}

DWORD conf_del(int slot, DWORD s, DWORD g, DWORD ifindex) {
  return MgmDeleteGroupMembershipEntry(conf_slots[slot].h, s, s ? ALL1 : 0, g,
                                       g ? ALL1 : 0, ifindex, 0,
                                       MGM_JOIN_STATE_FLAG);
}

void conf_veto(int slot, DWORD ifindex) {
  if (conf_slots[slot].n_veto < CONF_MAX_IFS)
    conf_slots[slot].veto[conf_slots[slot].n_veto++] = ifindex;
}

void conf_prune_timeout(int slot, DWORD seconds) {
  conf_slots[slot].tmo_set = 1;
  conf_slots[slot].tmo = seconds;
}
