/*
 * fixture.c - per-test libmgm instance, callback recorder and helpers for
 * the Criterion unit tests (see fixture.h).
 *
 * SPDX-License-Identifier: MIT
 *
 * The recorder is shared by the test thread and libmgm's loop thread (RPF,
 * creation alerts and the prune alert of a new empty MFE arrive there), so
 * every access goes through one mutex.  The mutex is never held while a
 * hook calls back into MGM: MGM may deliver nested callbacks that record
 * into the same log.
 */
#include "fixture.h"

#include "fx_criterion.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FX_LOG_CAP 8192
#define FX_MAX_TAKEN 128

struct fx_slot {
  HANDLE h;               /* protocol handle */
  DWORD pid, cid;         /* ids it registered with */
  int registered;         /* 1 while registered through the fixture */
  DWORD veto[FX_MAX_IFS]; /* creation-alert vetoes (ifindex) */
  int n_veto;
  int rpf_set; /* RPF override active */
  DWORD rpf_if, rpf_nh, rpf_up;
  int tmo_set; /* prune-alert timeout write-back */
  DWORD tmo;
  DWORD ret;     /* value every callback returns */
  int hook_kind; /* enum fx_kind or 0 */
  fx_hook_fn hook;
  int hook_once;
  int hook_fired;
  DWORD hook_rc;
};

struct fx_taken {
  int slot;
  DWORD ifindex, nexthop;
};

static pthread_mutex_t fx_mu = PTHREAD_MUTEX_INITIALIZER;
static struct fx_ev fx_log[FX_LOG_CAP];
static size_t fx_nlog;
static size_t fx_ndropped;
static size_t fx_nwarn;
/* The first FX_MAX_LINES warnings and errors since the last clear. */
#define FX_MAX_LINES 64
static struct fx_line {
  int level;
  char channel[16];
  char message[256];
} fx_lines_v[FX_MAX_LINES];
static struct fx_slot fx_slots[FX_MAX_CLIENTS];
static struct fx_taken fx_taken_list[FX_MAX_TAKEN];
static size_t fx_ntaken;
static pthread_t fx_main;
static int fx_running;

DWORD fx_ip(unsigned a, unsigned b, unsigned c, unsigned d) {
  unsigned char bytes[4];
  DWORD v;

  bytes[0] = (unsigned char)a;
  bytes[1] = (unsigned char)b;
  bytes[2] = (unsigned char)c;
  bytes[3] = (unsigned char)d;
  memcpy(&v, bytes, sizeof v);
  return v;
}

static const char *fx_kind_name(int kind) {
  static const char *const names[] = {"?",       "RPF",     "CREATE", "PRUNE",
                                      "JOIN",    "WRONGIF", "LJOIN",  "LLEAVE",
                                      "DISABLE", "ENABLE"};
  if (kind < 0 || kind > FX_ENABLE)
    return "?";
  return names[kind];
}

static void fx_format(char *buf, size_t cap, const struct fx_ev *e) {
  size_t off;
  DWORD i;

  off = (size_t)snprintf(
      buf, cap,
      "c%d %s s=%08x/%08x g=%08x/%08x if=%u nh=%08x up=%08x flag=%d "
      "tmo=%u thr=%d",
      e->client, fx_kind_name(e->kind), (unsigned)e->src, (unsigned)e->smask,
      (unsigned)e->grp, (unsigned)e->gmask, (unsigned)e->ifindex,
      (unsigned)e->nexthop, (unsigned)e->upstream, e->flag,
      (unsigned)e->timeout, e->thread);
  if (e->kind == FX_CREATE && off < cap) {
    off +=
        (size_t)snprintf(buf + off, cap - off, " n=%u [", (unsigned)e->count);
    for (i = 0; i < e->count && i < FX_MAX_IFS && off < cap; i++)
      off += (size_t)snprintf(buf + off, cap - off, "(%u,%08x,igmp=%d,en=%d)",
                              (unsigned)e->ifs[i].dwIfIndex,
                              (unsigned)e->ifs[i].dwIfNextHopAddr,
                              e->ifs[i].bIGMP, e->ifs[i].bIsEnabled);
    if (off < cap)
      snprintf(buf + off, cap - off, "]");
  }
}

/* Compare an expected event with a recorded one. */
static int fx_match(const struct fx_ev *exp, const struct fx_ev *got) {
  DWORD i;

  if (exp->client != got->client || exp->kind != got->kind ||
      exp->src != got->src || exp->smask != got->smask ||
      exp->grp != got->grp || exp->gmask != got->gmask ||
      exp->ifindex != got->ifindex || exp->nexthop != got->nexthop ||
      exp->upstream != got->upstream || (exp->flag != 0) != (got->flag != 0) ||
      exp->timeout != got->timeout || exp->count != got->count)
    return 0;
  if (exp->thread != FX_T_ANY && exp->thread != got->thread)
    return 0;
  for (i = 0; i < exp->count && i < FX_MAX_IFS; i++) {
    if (exp->ifs[i].dwIfIndex != got->ifs[i].dwIfIndex ||
        exp->ifs[i].dwIfNextHopAddr != got->ifs[i].dwIfNextHopAddr ||
        (exp->ifs[i].bIGMP != 0) != (got->ifs[i].bIGMP != 0) ||
        exp->ifs[i].bIsEnabled != got->ifs[i].bIsEnabled)
      return 0;
  }
  return 1;
}

void fx_expect_(const char *file, int line, const struct fx_ev *exp, size_t n) {
  struct fx_ev *got;
  size_t ngot, i, off, bad;
  char *msg;
  const size_t cap = 65536;
  char one[512];

  pthread_mutex_lock(&fx_mu);
  ngot = fx_nlog;
  got = malloc(sizeof(*got) * (ngot ? ngot : 1));
  cr_assert_not_null(got);
  memcpy(got, fx_log, sizeof(*got) * ngot);
  fx_nlog = 0;
  pthread_mutex_unlock(&fx_mu);

  bad = (ngot != n) ? 1 : 0;
  for (i = 0; !bad && i < n; i++)
    if (!fx_match(&exp[i], &got[i]))
      bad = 1;
  if (bad) {
    msg = malloc(cap);
    cr_assert_not_null(msg);
    off = (size_t)snprintf(msg, cap,
                           "%s:%d: callback log mismatch\n expected %zu:\n",
                           file, line, n);
    for (i = 0; i < n && off < cap; i++) {
      fx_format(one, sizeof one, &exp[i]);
      off += (size_t)snprintf(
          msg + off, cap - off, "  %c %s\n",
          i < ngot && fx_match(&exp[i], &got[i]) ? ' ' : '!', one);
    }
    if (off < cap)
      off += (size_t)snprintf(msg + off, cap - off, " got %zu:\n", ngot);
    for (i = 0; i < ngot && off < cap; i++) {
      fx_format(one, sizeof one, &got[i]);
      off += (size_t)snprintf(msg + off, cap - off, "    %s\n", one);
    }
    free(got);
    cr_assert_fail("%s", msg);
  }
  free(got);
}

size_t fx_log_len(void) {
  size_t n;

  pthread_mutex_lock(&fx_mu);
  n = fx_nlog;
  pthread_mutex_unlock(&fx_mu);
  return n;
}

struct fx_ev fx_log_at(size_t i) {
  struct fx_ev e;

  memset(&e, 0, sizeof e);
  pthread_mutex_lock(&fx_mu);
  if (i < fx_nlog)
    e = fx_log[i];
  pthread_mutex_unlock(&fx_mu);
  return e;
}

void fx_log_clear(void) {
  pthread_mutex_lock(&fx_mu);
  fx_nlog = 0;
  pthread_mutex_unlock(&fx_mu);
}

size_t fx_log_dropped(void) {
  size_t n;

  pthread_mutex_lock(&fx_mu);
  n = fx_ndropped;
  pthread_mutex_unlock(&fx_mu);
  return n;
}

size_t fx_log_count(const struct fx_ev *exp) {
  size_t i, n = 0;

  pthread_mutex_lock(&fx_mu);
  for (i = 0; i < fx_nlog; i++)
    if (fx_match(exp, &fx_log[i]))
      n++;
  pthread_mutex_unlock(&fx_mu);
  return n;
}

size_t fx_warns(void) {
  size_t n;

  pthread_mutex_lock(&fx_mu);
  n = fx_nwarn;
  pthread_mutex_unlock(&fx_mu);
  return n;
}

void fx_warns_clear(void) {
  pthread_mutex_lock(&fx_mu);
  fx_nwarn = 0;
  pthread_mutex_unlock(&fx_mu);
}

size_t fx_warn_lines(int level, const char *channel, const char *a,
                     const char *b) {
  size_t i, n = 0;

  pthread_mutex_lock(&fx_mu);
  for (i = 0; i < fx_nwarn && i < FX_MAX_LINES; i++) {
    const struct fx_line *l = &fx_lines_v[i];

    if ((level == 0 || l->level == level) &&
        (channel == NULL || strcmp(l->channel, channel) == 0) &&
        (a == NULL || strstr(l->message, a) != NULL) &&
        (b == NULL || strstr(l->message, b) != NULL))
      n++;
  }
  pthread_mutex_unlock(&fx_mu);
  return n;
}

static void fx_log_hook(void *ctx, int level, const char *channel,
                        const char *message) {
  (void)ctx;
  if (level == LIBMGM_LOG_ERROR || level == LIBMGM_LOG_WARN) {
    pthread_mutex_lock(&fx_mu);
    if (fx_nwarn < FX_MAX_LINES) {
      struct fx_line *l = &fx_lines_v[fx_nwarn];

      l->level = level;
      snprintf(l->channel, sizeof l->channel, "%s", channel ? channel : "");
      snprintf(l->message, sizeof l->message, "%s", message ? message : "");
    }
    fx_nwarn++;
    pthread_mutex_unlock(&fx_mu);
  }
}

/* ---- Recording ----------------------------------------------------------- */

/* Append ev (thread filled in here), copy the slot's knobs; returns the
 * log index or (size_t)-1 if the log is full. */
static size_t fx_push(struct fx_ev *ev, struct fx_slot *knobs) {
  size_t idx = (size_t)-1;

  ev->thread = pthread_equal(pthread_self(), fx_main) ? FX_T_CALLER : FX_T_LOOP;
  pthread_mutex_lock(&fx_mu);
  if (fx_nlog < FX_LOG_CAP) {
    idx = fx_nlog++;
    fx_log[idx] = *ev;
  } else {
    fx_ndropped++;
  }
  *knobs = fx_slots[ev->client];
  pthread_mutex_unlock(&fx_mu);
  return idx;
}

/* Run the slot's hook if it is armed for this kind. */
static void fx_run_hook(int slot, int kind, size_t idx,
                        const struct fx_ev *ev) {
  fx_hook_fn fn = NULL;
  DWORD rc;

  pthread_mutex_lock(&fx_mu);
  if (fx_slots[slot].hook != NULL && fx_slots[slot].hook_kind == kind &&
      !(fx_slots[slot].hook_once && fx_slots[slot].hook_fired > 0)) {
    fn = fx_slots[slot].hook;
    fx_slots[slot].hook_fired++;
  }
  pthread_mutex_unlock(&fx_mu);
  if (fn == NULL)
    return;
  rc = fn(slot, ev);
  pthread_mutex_lock(&fx_mu);
  fx_slots[slot].hook_rc = rc;
  if (idx != (size_t)-1 && idx < fx_nlog) {
    fx_log[idx].hooked = 1;
    fx_log[idx].hook_rc = rc;
  }
  pthread_mutex_unlock(&fx_mu);
}

static DWORD fx_on_rpf(int c, DWORD s, DWORD sm, DWORD g, DWORD gm, PDWORD pin,
                       PDWORD pnh, PDWORD pup, DWORD hsz, PBYTE hdr,
                       PBYTE route) {
  struct fx_ev ev;
  struct fx_slot k;
  size_t idx;

  memset(&ev, 0, sizeof ev);
  ev.client = c;
  ev.kind = FX_RPF;
  ev.src = s;
  ev.smask = sm;
  ev.grp = g;
  ev.gmask = gm;
  ev.ifindex = pin ? *pin : 0xDEADBEEFu;
  ev.nexthop = pnh ? *pnh : 0xDEADBEEFu;
  ev.upstream = pup ? *pup : 0xDEADBEEFu;
  ev.hdr_size = hsz;
  ev.hdr_nonnull = hdr != NULL;
  ev.route_nonnull = route != NULL;
  idx = fx_push(&ev, &k);
  if (k.rpf_set && pin && pnh && pup) {
    *pin = k.rpf_if;
    *pnh = k.rpf_nh;
    *pup = k.rpf_up;
  }
  fx_run_hook(c, FX_RPF, idx, &ev);
  return k.ret;
}

static DWORD fx_on_create(int c, DWORD s, DWORD sm, DWORD g, DWORD gm,
                          DWORD iif, DWORD inh, DWORD n, PMGM_IF_ENTRY list) {
  struct fx_ev ev;
  struct fx_slot k;
  size_t idx;
  DWORD i;
  int v;

  memset(&ev, 0, sizeof ev);
  ev.client = c;
  ev.kind = FX_CREATE;
  ev.src = s;
  ev.smask = sm;
  ev.grp = g;
  ev.gmask = gm;
  ev.ifindex = iif;
  ev.nexthop = inh;
  ev.count = n;
  for (i = 0; list != NULL && i < n && i < FX_MAX_IFS; i++)
    ev.ifs[i] = list[i];
  idx = fx_push(&ev, &k);
  for (i = 0; list != NULL && i < n; i++)
    for (v = 0; v < k.n_veto; v++)
      if (list[i].dwIfIndex == k.veto[v])
        list[i].bIsEnabled = FALSE;
  fx_run_hook(c, FX_CREATE, idx, &ev);
  return k.ret;
}

static DWORD fx_on_prune(int c, DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD i,
                         DWORD nh, BOOL del, PDWORD ptmo) {
  struct fx_ev ev;
  struct fx_slot k;
  size_t idx;

  memset(&ev, 0, sizeof ev);
  ev.client = c;
  ev.kind = FX_PRUNE;
  ev.src = s;
  ev.smask = sm;
  ev.grp = g;
  ev.gmask = gm;
  ev.ifindex = i;
  ev.nexthop = nh;
  ev.flag = del;
  ev.timeout = ptmo ? *ptmo : 0xDEADBEEFu;
  idx = fx_push(&ev, &k);
  if (k.tmo_set && ptmo)
    *ptmo = k.tmo;
  fx_run_hook(c, FX_PRUNE, idx, &ev);
  return k.ret;
}

static DWORD fx_on_join(int c, DWORD s, DWORD sm, DWORD g, DWORD gm, BOOL upd) {
  struct fx_ev ev;
  struct fx_slot k;
  size_t idx;

  memset(&ev, 0, sizeof ev);
  ev.client = c;
  ev.kind = FX_JOIN;
  ev.src = s;
  ev.smask = sm;
  ev.grp = g;
  ev.gmask = gm;
  ev.flag = upd;
  idx = fx_push(&ev, &k);
  fx_run_hook(c, FX_JOIN, idx, &ev);
  return k.ret;
}

static DWORD fx_on_wrongif(int c, DWORD s, DWORD g, DWORD i, DWORD nh,
                           DWORD hsz, PBYTE hdr) {
  struct fx_ev ev;
  struct fx_slot k;
  size_t idx;

  memset(&ev, 0, sizeof ev);
  ev.client = c;
  ev.kind = FX_WRONGIF;
  ev.src = s;
  ev.grp = g;
  ev.ifindex = i;
  ev.nexthop = nh;
  ev.hdr_size = hsz;
  ev.hdr_nonnull = hdr != NULL;
  idx = fx_push(&ev, &k);
  fx_run_hook(c, FX_WRONGIF, idx, &ev);
  return k.ret;
}

static DWORD fx_on_local(int c, int kind, DWORD s, DWORD sm, DWORD g, DWORD gm,
                         DWORD i, DWORD nh) {
  struct fx_ev ev;
  struct fx_slot k;
  size_t idx;

  memset(&ev, 0, sizeof ev);
  ev.client = c;
  ev.kind = kind;
  ev.src = s;
  ev.smask = sm;
  ev.grp = g;
  ev.gmask = gm;
  ev.ifindex = i;
  ev.nexthop = nh;
  idx = fx_push(&ev, &k);
  fx_run_hook(c, kind, idx, &ev);
  return k.ret;
}

static DWORD fx_on_igmp(int c, int kind, DWORD i, DWORD nh) {
  struct fx_ev ev;
  struct fx_slot k;
  size_t idx;

  memset(&ev, 0, sizeof ev);
  ev.client = c;
  ev.kind = kind;
  ev.ifindex = i;
  ev.nexthop = nh;
  idx = fx_push(&ev, &k);
  fx_run_hook(c, kind, idx, &ev);
  return k.ret;
}

/* One set of the nine callbacks per slot. */
#define FX_DEFINE_CLIENT(n)                                                    \
  static DWORD fx_rpf_##n(DWORD s, DWORD sm, DWORD g, DWORD gm, PDWORD pi,     \
                          PDWORD pnh, PDWORD pu, DWORD hs, PBYTE hdr,          \
                          PBYTE rt) {                                          \
    return fx_on_rpf(n, s, sm, g, gm, pi, pnh, pu, hs, hdr, rt);               \
  }                                                                            \
  static DWORD fx_create_##n(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD iif,  \
                             DWORD inh, DWORD cnt, PMGM_IF_ENTRY l) {          \
    return fx_on_create(n, s, sm, g, gm, iif, inh, cnt, l);                    \
  }                                                                            \
  static DWORD fx_prune_##n(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD i,     \
                            DWORD nh, BOOL d, PDWORD t) {                      \
    return fx_on_prune(n, s, sm, g, gm, i, nh, d, t);                          \
  }                                                                            \
  static DWORD fx_join_##n(DWORD s, DWORD sm, DWORD g, DWORD gm, BOOL u) {     \
    return fx_on_join(n, s, sm, g, gm, u);                                     \
  }                                                                            \
  static DWORD fx_wrongif_##n(DWORD s, DWORD g, DWORD i, DWORD nh, DWORD hs,   \
                              PBYTE hdr) {                                     \
    return fx_on_wrongif(n, s, g, i, nh, hs, hdr);                             \
  }                                                                            \
  static DWORD fx_ljoin_##n(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD i,     \
                            DWORD nh) {                                        \
    return fx_on_local(n, FX_LJOIN, s, sm, g, gm, i, nh);                      \
  }                                                                            \
  static DWORD fx_lleave_##n(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD i,    \
                             DWORD nh) {                                       \
    return fx_on_local(n, FX_LLEAVE, s, sm, g, gm, i, nh);                     \
  }                                                                            \
  static DWORD fx_disable_##n(DWORD i, DWORD nh) {                             \
    return fx_on_igmp(n, FX_DISABLE, i, nh);                                   \
  }                                                                            \
  static DWORD fx_enable_##n(DWORD i, DWORD nh) {                              \
    return fx_on_igmp(n, FX_ENABLE, i, nh);                                    \
  }

FX_DEFINE_CLIENT(0)
FX_DEFINE_CLIENT(1)
FX_DEFINE_CLIENT(2)
FX_DEFINE_CLIENT(3)
FX_DEFINE_CLIENT(4)
FX_DEFINE_CLIENT(5)
FX_DEFINE_CLIENT(6)
FX_DEFINE_CLIENT(7)

#define FX_CFG(n)                                                              \
  {                                                                            \
    0, fx_rpf_##n, fx_create_##n, fx_prune_##n, fx_join_##n, fx_wrongif_##n,   \
        fx_ljoin_##n, fx_lleave_##n, fx_disable_##n, fx_enable_##n             \
  }

static const ROUTING_PROTOCOL_CONFIG fx_cfgs[FX_MAX_CLIENTS] = {
    FX_CFG(0), FX_CFG(1), FX_CFG(2), FX_CFG(3),
    FX_CFG(4), FX_CFG(5), FX_CFG(6), FX_CFG(7)};

/* ---- Setup --------------------------------------------------------------- */

static void fx_setup_common(int strict, int wrongif, int profile) {
  struct libmgm_config c;
  DWORD rc;

  pthread_mutex_lock(&fx_mu);
  memset(fx_slots, 0, sizeof fx_slots);
  fx_nlog = 0;
  fx_ndropped = 0;
  fx_nwarn = 0;
  fx_ntaken = 0;
  fx_main = pthread_self();
  pthread_mutex_unlock(&fx_mu);

  libmgm_config_init(&c);
  c.backend = "sim";
  c.strict = strict;
  c.wrongif_alerts = wrongif;
  c.sim_profile = profile;
  c.log_fn = fx_log_hook;
  c.log_ctx = NULL;
  rc = libmgm_start(&c);
  cr_assert_eq(rc, NO_ERROR, "libmgm_start(sim) returned %u", (unsigned)rc);
  fx_running = 1;
}

void fx_setup(void) {
  fx_setup_common(0, 0, LIBMGM_SIM_LINUX);
}

void fx_setup_strict(void) {
  fx_setup_common(1, 0, LIBMGM_SIM_LINUX);
}

void fx_setup_wrongif(void) {
  fx_setup_common(0, 1, LIBMGM_SIM_LINUX);
}

void fx_setup_freebsd(void) {
  fx_setup_common(0, 0, LIBMGM_SIM_FREEBSD);
}

DWORD fx_stop(void) {
  DWORD rc;

  rc = libmgm_stop();
  if (rc == NO_ERROR)
    fx_running = 0;
  return rc;
}

void fx_teardown(void) {
  int s;
  size_t i;
  DWORD ifi;

  if (!fx_running)
    return;
  pthread_mutex_lock(&fx_mu);
  for (s = 0; s < FX_MAX_CLIENTS; s++) {
    fx_slots[s].hook = NULL;
    fx_slots[s].hook_kind = 0;
  }
  pthread_mutex_unlock(&fx_mu);
  /* Routing-protocol owners first, then the rest; errors are expected
   * (interfaces already released, not owned). */
  for (i = fx_ntaken; i-- > 0;)
    if (fx_slots[fx_taken_list[i].slot].registered)
      (void)MgmReleaseInterfaceOwnership(fx_slots[fx_taken_list[i].slot].h,
                                         fx_taken_list[i].ifindex,
                                         fx_taken_list[i].nexthop);
  for (s = 0; s < FX_MAX_CLIENTS; s++)
    if (fx_slots[s].registered)
      for (ifi = 0; ifi < 64; ifi++)
        (void)MgmReleaseInterfaceOwnership(fx_slots[s].h, ifi, 0);
  for (s = 0; s < FX_MAX_CLIENTS; s++)
    if (fx_slots[s].registered)
      (void)fx_deregister(s);
  (void)fx_stop();
}

/* ---- Clients ------------------------------------------------------------- */

ROUTING_PROTOCOL_CONFIG fx_config(int slot) {
  cr_assert(slot >= 0 && slot < FX_MAX_CLIENTS);
  return fx_cfgs[slot];
}

DWORD fx_register_mask(int slot, DWORD pid, DWORD cid, unsigned mask) {
  ROUTING_PROTOCOL_CONFIG cfg;
  HANDLE h = NULL;
  DWORD rc;

  cr_assert(slot >= 0 && slot < FX_MAX_CLIENTS);
  cfg = fx_cfgs[slot];
  if (!(mask & FX_CB(FX_RPF)))
    cfg.pfnRpfCallback = NULL;
  if (!(mask & FX_CB(FX_CREATE)))
    cfg.pfnCreationAlertCallback = NULL;
  if (!(mask & FX_CB(FX_PRUNE)))
    cfg.pfnPruneAlertCallback = NULL;
  if (!(mask & FX_CB(FX_JOIN)))
    cfg.pfnJoinAlertCallback = NULL;
  if (!(mask & FX_CB(FX_WRONGIF)))
    cfg.pfnWrongIfCallback = NULL;
  if (!(mask & FX_CB(FX_LJOIN)))
    cfg.pfnLocalJoinCallback = NULL;
  if (!(mask & FX_CB(FX_LLEAVE)))
    cfg.pfnLocalLeaveCallback = NULL;
  if (!(mask & FX_CB(FX_DISABLE)))
    cfg.pfnDisableIgmpCallback = NULL;
  if (!(mask & FX_CB(FX_ENABLE)))
    cfg.pfnEnableIgmpCallback = NULL;
  rc = MgmRegisterMProtocol(&cfg, pid, cid, &h);
  if (rc == NO_ERROR) {
    pthread_mutex_lock(&fx_mu);
    fx_slots[slot].h = h;
    fx_slots[slot].pid = pid;
    fx_slots[slot].cid = cid;
    fx_slots[slot].registered = 1;
    pthread_mutex_unlock(&fx_mu);
  }
  return rc;
}

HANDLE fx_register(int slot, DWORD pid, DWORD cid) {
  DWORD rc;

  rc = fx_register_mask(slot, pid, cid, FX_CB_ALL);
  cr_assert_eq(rc, NO_ERROR, "MgmRegisterMProtocol(slot %d, pid %u) = %u", slot,
               (unsigned)pid, (unsigned)rc);
  return fx_slots[slot].h;
}

HANDLE fx_h(int slot) {
  HANDLE h;

  pthread_mutex_lock(&fx_mu);
  h = fx_slots[slot].h;
  pthread_mutex_unlock(&fx_mu);
  return h;
}

DWORD fx_pid(int slot) {
  return fx_slots[slot].pid;
}

DWORD fx_deregister(int slot) {
  DWORD rc;

  rc = MgmDeRegisterMProtocol(fx_h(slot));
  if (rc == NO_ERROR) {
    pthread_mutex_lock(&fx_mu);
    fx_slots[slot].registered = 0;
    pthread_mutex_unlock(&fx_mu);
  }
  return rc;
}

void fx_take(int slot, DWORD ifindex, DWORD nexthop) {
  DWORD rc;

  rc = MgmTakeInterfaceOwnership(fx_h(slot), ifindex, nexthop);
  cr_assert_eq(rc, NO_ERROR,
               "MgmTakeInterfaceOwnership(slot %d, %u, %08x) = %u", slot,
               (unsigned)ifindex, (unsigned)nexthop, (unsigned)rc);
  if (fx_ntaken < FX_MAX_TAKEN) {
    fx_taken_list[fx_ntaken].slot = slot;
    fx_taken_list[fx_ntaken].ifindex = ifindex;
    fx_taken_list[fx_ntaken].nexthop = nexthop;
    fx_ntaken++;
  }
}

DWORD fx_release(int slot, DWORD ifindex, DWORD nexthop) {
  return MgmReleaseInterfaceOwnership(fx_h(slot), ifindex, nexthop);
}

void fx_veto(int slot, DWORD ifindex) {
  pthread_mutex_lock(&fx_mu);
  if (fx_slots[slot].n_veto < FX_MAX_IFS)
    fx_slots[slot].veto[fx_slots[slot].n_veto++] = ifindex;
  pthread_mutex_unlock(&fx_mu);
}

void fx_veto_clear(int slot) {
  pthread_mutex_lock(&fx_mu);
  fx_slots[slot].n_veto = 0;
  pthread_mutex_unlock(&fx_mu);
}

void fx_rpf_set(int slot, DWORD ifindex, DWORD nexthop, DWORD upstream) {
  pthread_mutex_lock(&fx_mu);
  fx_slots[slot].rpf_set = 1;
  fx_slots[slot].rpf_if = ifindex;
  fx_slots[slot].rpf_nh = nexthop;
  fx_slots[slot].rpf_up = upstream;
  pthread_mutex_unlock(&fx_mu);
}

void fx_prune_timeout(int slot, DWORD seconds) {
  pthread_mutex_lock(&fx_mu);
  fx_slots[slot].tmo_set = 1;
  fx_slots[slot].tmo = seconds;
  pthread_mutex_unlock(&fx_mu);
}

void fx_return(int slot, DWORD rc) {
  pthread_mutex_lock(&fx_mu);
  fx_slots[slot].ret = rc;
  pthread_mutex_unlock(&fx_mu);
}

void fx_hook(int slot, int kind, fx_hook_fn fn, int once) {
  pthread_mutex_lock(&fx_mu);
  fx_slots[slot].hook_kind = kind;
  fx_slots[slot].hook = fn;
  fx_slots[slot].hook_once = once;
  fx_slots[slot].hook_fired = 0;
  fx_slots[slot].hook_rc = 0xDEADBEEFu;
  pthread_mutex_unlock(&fx_mu);
}

int fx_hook_fired(int slot) {
  int n;

  pthread_mutex_lock(&fx_mu);
  n = fx_slots[slot].hook_fired;
  pthread_mutex_unlock(&fx_mu);
  return n;
}

DWORD fx_hook_rc(int slot) {
  DWORD rc;

  pthread_mutex_lock(&fx_mu);
  rc = fx_slots[slot].hook_rc;
  pthread_mutex_unlock(&fx_mu);
  return rc;
}

DWORD fx_add_rc(int slot, DWORD s, DWORD g, DWORD ifindex, DWORD nexthop,
                DWORD flags) {
  return MgmAddGroupMembershipEntry(fx_h(slot), s, s ? FX_ALL : 0, g,
                                    g ? FX_ALL : 0, ifindex, nexthop, flags);
}

DWORD fx_del_rc(int slot, DWORD s, DWORD g, DWORD ifindex, DWORD nexthop,
                DWORD flags) {
  return MgmDeleteGroupMembershipEntry(fx_h(slot), s, s ? FX_ALL : 0, g,
                                       g ? FX_ALL : 0, ifindex, nexthop, flags);
}

void fx_add(int slot, DWORD s, DWORD g, DWORD ifindex) {
  DWORD rc;

  rc = fx_add_rc(slot, s, g, ifindex, 0, MGM_JOIN_STATE_FLAG);
  cr_assert_eq(
      rc, NO_ERROR,
      "MgmAddGroupMembershipEntry(slot %d, s %08x, g %08x, if %u) = %u", slot,
      (unsigned)s, (unsigned)g, (unsigned)ifindex, (unsigned)rc);
}

void fx_del(int slot, DWORD s, DWORD g, DWORD ifindex) {
  DWORD rc;

  rc = fx_del_rc(slot, s, g, ifindex, 0, MGM_JOIN_STATE_FLAG);
  cr_assert_eq(
      rc, NO_ERROR,
      "MgmDeleteGroupMembershipEntry(slot %d, s %08x, g %08x, if %u) = %u",
      slot, (unsigned)s, (unsigned)g, (unsigned)ifindex, (unsigned)rc);
}

/* ---- Sim ----------------------------------------------------------------- */

void fx_route(DWORD network, DWORD mask, DWORD ifindex, DWORD upstream,
              DWORD protocol) {
  DWORD rc;

  rc = libmgm_sim_route_add(network, mask, ifindex, upstream, protocol);
  cr_assert_eq(rc, NO_ERROR, "libmgm_sim_route_add = %u", (unsigned)rc);
}

struct libmgm_sim_result fx_inject(DWORD ifindex, DWORD s, DWORD g) {
  struct libmgm_sim_result res;
  DWORD rc;

  memset(&res, 0xEE, sizeof res);
  rc = libmgm_sim_inject(ifindex, s, g, 64, 100, &res);
  cr_assert_eq(rc, NO_ERROR, "libmgm_sim_inject(if %u) = %u", (unsigned)ifindex,
               (unsigned)rc);
  return res;
}

void fx_advance_ms(DWORD ms) {
  DWORD rc;

  rc = libmgm_sim_advance(ms);
  cr_assert_eq(rc, NO_ERROR, "libmgm_sim_advance(%u) = %u", (unsigned)ms,
               (unsigned)rc);
}

/* ---- Views --------------------------------------------------------------- */

void fx_mfe_unpack(const void *raw, struct fx_mfe *out) {
  const unsigned char *p = raw;
  DWORD i;

  memset(out, 0, sizeof *out);
  memcpy(&out->m, p, SIZEOF_BASIC_MIB_MFE);
  cr_assert(out->m.ulNumOutIf <= FX_MAX_IFS, "ulNumOutIf %u",
            (unsigned)out->m.ulNumOutIf);
  for (i = 0; i < out->m.ulNumOutIf; i++)
    memcpy(&out->oif[i], p + SIZEOF_MIB_MFE(i), sizeof out->oif[i]);
  if (out->m.ulNumOutIf > 0)
    out->m.rgmioOutInfo[0] = out->oif[0];
}

DWORD fx_mfe_get(DWORD s, DWORD g, struct fx_mfe *out) {
  MIB_IPMCAST_MFE key;
  unsigned char raw[SIZEOF_MIB_MFE(FX_MAX_IFS)];
  DWORD size = (DWORD)sizeof raw, rc;

  memset(&key, 0, sizeof key);
  key.dwGroup = g;
  key.dwSource = s;
  memset(out, 0, sizeof *out);
  rc = MgmGetMfe(&key, &size, raw);
  if (rc == NO_ERROR)
    fx_mfe_unpack(raw, out);
  return rc;
}

void fx_assert_oifs_(const char *file, int line, DWORD s, DWORD g, size_t n,
                     const DWORD *ifs) {
  struct fx_mfe m;
  DWORD rc;
  size_t i;
  int ok;
  char got[512];
  size_t off = 0;

  rc = fx_mfe_get(s, g, &m);
  cr_assert_eq(rc, NO_ERROR, "%s:%d: MgmGetMfe(s %08x, g %08x) = %u", file,
               line, (unsigned)s, (unsigned)g, (unsigned)rc);
  ok = m.m.ulNumOutIf == n;
  for (i = 0; ok && i < n; i++)
    ok = m.oif[i].dwOutIfIndex == ifs[i] && m.oif[i].dwNextHopAddr == 0;
  if (!ok) {
    got[0] = '\0';
    for (i = 0; i < m.m.ulNumOutIf && i < FX_MAX_IFS && off < sizeof got; i++)
      off += (size_t)snprintf(got + off, sizeof got - off, " %u/%08x",
                              (unsigned)m.oif[i].dwOutIfIndex,
                              (unsigned)m.oif[i].dwNextHopAddr);
    cr_assert_fail(
        "%s:%d: MFE (%08x,%08x) outgoing list: expected %zu entries, "
        "got %u:%s",
        file, line, (unsigned)s, (unsigned)g, n, (unsigned)m.m.ulNumOutIf, got);
  }
}

size_t fx_mfe_all(struct fx_mfe *out, size_t max) {
  /* Room for exactly one record with up to FX_MAX_IFS outgoing interfaces,
   * so the buffer protocol is exercised record by record. */
  DWORD buf[SIZEOF_MIB_MFE(FX_MAX_IFS) / sizeof(DWORD)];
  MIB_IPMCAST_MFE last;
  DWORD size, n, rc, i, off;
  size_t count = 0;
  int first = 1;
  MIB_IPMCAST_MFE *rec;

  memset(&last, 0, sizeof last);
  for (;;) {
    size = (DWORD)SIZEOF_MIB_MFE(FX_MAX_IFS);
    n = 0xFFFFu;
    if (first)
      rc = MgmGetFirstMfe(&size, (PBYTE)buf, &n);
    else
      rc = MgmGetNextMfe(&last, &size, (PBYTE)buf, &n);
    first = 0;
    cr_assert(rc == ERROR_MORE_DATA || rc == ERROR_NO_MORE_ITEMS,
              "MgmGetFirst/NextMfe = %u", (unsigned)rc);
    off = 0;
    for (i = 0; i < n; i++) {
      rec = (MIB_IPMCAST_MFE *)(void *)((unsigned char *)buf + off);
      cr_assert(rec->ulNumOutIf <= FX_MAX_IFS);
      if (count < max)
        fx_mfe_unpack(rec, &out[count]);
      count++;
      /* the fixed part only: a record without outgoing interfaces at the
       * end of the buffer is shorter than MIB_IPMCAST_MFE */
      memcpy(&last, rec, SIZEOF_BASIC_MIB_MFE);
      off += (DWORD)SIZEOF_MIB_MFE(rec->ulNumOutIf);
    }
    if (rc == ERROR_NO_MORE_ITEMS)
      break;
    cr_assert(n > 0, "ERROR_MORE_DATA with 0 records");
  }
  return count;
}

size_t fx_groups(int slot, MGM_ENUM_TYPES type, SOURCE_GROUP_ENTRY *out,
                 size_t max) {
  HANDLE e = NULL;
  SOURCE_GROUP_ENTRY buf[3];
  DWORD rc, size, n, i;
  size_t count = 0;

  rc = MgmGroupEnumerationStart(fx_h(slot), type, &e);
  cr_assert_eq(rc, NO_ERROR, "MgmGroupEnumerationStart = %u", (unsigned)rc);
  for (;;) {
    size = (DWORD)sizeof buf;
    n = 0xFFFFu;
    rc = MgmGroupEnumerationGetNext(e, &size, (PBYTE)buf, &n);
    cr_assert(rc == ERROR_MORE_DATA || rc == ERROR_NO_MORE_ITEMS ||
                  rc == NO_ERROR,
              "MgmGroupEnumerationGetNext = %u", (unsigned)rc);
    cr_assert(n <= 3, "n = %u", (unsigned)n);
    for (i = 0; i < n; i++) {
      if (count < max)
        out[count] = buf[i];
      count++;
    }
    if (rc == ERROR_NO_MORE_ITEMS)
      break;
  }
  rc = MgmGroupEnumerationEnd(e);
  cr_assert_eq(rc, NO_ERROR, "MgmGroupEnumerationEnd = %u", (unsigned)rc);
  return count;
}

void fx_assert_kernel_consistent_(const char *file, int line) {
  static struct fx_mfe all[256];
  struct libmgm_sim_result res;
  DWORD entries = 0, slots = 0, rc, i;
  size_t n, k;

  n = fx_mfe_all(all, 256);
  cr_assert(n <= 256);
  rc = libmgm_sim_kernel_count(&entries, &slots);
  cr_assert_eq(rc, NO_ERROR, "%s:%d: libmgm_sim_kernel_count = %u", file, line,
               (unsigned)rc);
  cr_assert_eq(entries, (DWORD)n,
               "%s:%d: kernel holds %u entries, MGM lists %zu MFEs", file, line,
               (unsigned)entries, n);
  for (k = 0; k < n; k++) {
    memset(&res, 0, sizeof res);
    rc = libmgm_sim_inject(all[k].m.dwInIfIndex, all[k].m.dwSource,
                           all[k].m.dwGroup, 64, 100, &res);
    cr_assert_eq(rc, NO_ERROR, "%s:%d: inject = %u", file, line, (unsigned)rc);
    cr_assert_eq(res.n_out, all[k].m.ulNumOutIf,
                 "%s:%d: MFE (%08x,%08x): kernel sent on %u interfaces, "
                 "MFE lists %u",
                 file, line, (unsigned)all[k].m.dwSource,
                 (unsigned)all[k].m.dwGroup, (unsigned)res.n_out,
                 (unsigned)all[k].m.ulNumOutIf);
    for (i = 0; i < res.n_out && i < FX_MAX_IFS; i++)
      cr_assert_eq(
          res.out_ifindex[i], all[k].oif[i].dwOutIfIndex,
          "%s:%d: MFE (%08x,%08x) oif %u: kernel %u, MFE %u", file, line,
          (unsigned)all[k].m.dwSource, (unsigned)all[k].m.dwGroup, (unsigned)i,
          (unsigned)res.out_ifindex[i], (unsigned)all[k].oif[i].dwOutIfIndex);
  }
}
