/*
 * libmgm.c - the libmgm_* extension: configuration, start/stop,
 * MgmInitialize/MgmDeInitialize, instances, and the sim controls.
 *
 * SPDX-License-Identifier: MIT
 *
 * Sim controls run on the instance's loop thread and drain every event
 * they cause before returning, so a harness sees all callbacks (RPF,
 * creation alerts, prune alerts) delivered when the call returns.  Packet
 * injection goes through simnet.c, which carries forwarded packets across
 * simulated links to other instances.
 *
 * Extra instances are listed in the core's registry (core/instance.c), so
 * that an instance pointer from a harness can be checked before it is
 * used.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/simnet.h"
#include "platform/sim/sim.h"

MGM_EXPORT void libmgm_config_init(struct libmgm_config *cfg) {
  if (cfg != NULL)
    mgm__config_defaults(cfg);
}

MGM_EXPORT DWORD libmgm_start(const struct libmgm_config *cfg) {
  struct libmgm_config envcfg;
  char name[32];

  if (cfg == NULL) {
    mgm__config_from_env(&envcfg, name, sizeof(name));
    cfg = &envcfg;
  }
  return mgm__core_start(mgm__core_default(), cfg);
}

MGM_EXPORT DWORD libmgm_stop(void) {
  DWORD rc = mgm__core_stop(mgm__core_default());

  if (rc == NO_ERROR)
    mgm__simnet_forget(mgm__core_default());
  return rc;
}

/***********************************************************************
 *      MgmInitialize / MgmDeInitialize
 *
 * Exported like the real rtm.dll's; their Windows prototypes are private,
 * so libmgm defines them as "start the default instance from the
 * environment" and "stop it" (D-INIT).
 */
MGM_EXPORT DWORD MgmInitialize(void) {
  return libmgm_start(NULL);
}

MGM_EXPORT DWORD MgmDeInitialize(void) {
  return libmgm_stop();
}

/* ---- Instances ----------------------------------------------------------- */

MGM_EXPORT DWORD libmgm_instance_create(const struct libmgm_config *cfg,
                                        struct libmgm_instance **out) {
  struct mgm_core *c;
  DWORD rc;

  if (out == NULL)
    return ERROR_INVALID_PARAMETER;
  c = calloc(1, sizeof(*c));
  if (c == NULL)
    return ERROR_NOT_ENOUGH_MEMORY;
  if (pthread_mutex_init(&c->lock, NULL) != 0) {
    free(c);
    return ERROR_NOT_ENOUGH_MEMORY;
  }
  rc = mgm__core_start(c, cfg);
  if (rc == NO_ERROR && (rc = mgm__instance_add(c)) != NO_ERROR)
    (void)mgm__core_stop(c);
  if (rc != NO_ERROR) {
    pthread_mutex_destroy(&c->lock);
    free(c);
    return rc;
  }
  *out = (struct libmgm_instance *)c;
  return NO_ERROR;
}

MGM_EXPORT DWORD libmgm_instance_destroy(struct libmgm_instance *inst) {
  struct mgm_core *c = (struct mgm_core *)inst;
  DWORD rc;
  int live;

  if (c == NULL)
    return ERROR_INVALID_PARAMETER;
  mgm__instance_lock();
  live = mgm__instance_live(c);
  mgm__instance_unlock();
  if (!live)
    return ERROR_INVALID_PARAMETER;
  if (atomic_load(&c->selected) > 0)
    return ERROR_CAN_NOT_COMPLETE;
  rc = mgm__core_stop(c);
  if (rc != NO_ERROR)
    return rc;
  mgm__simnet_forget(c);
  mgm__instance_remove(c);
  pthread_mutex_destroy(&c->lock);
  free(c);
  return NO_ERROR;
}

MGM_EXPORT DWORD libmgm_instance_select(struct libmgm_instance *inst) {
  return mgm__instance_select((struct mgm_core *)inst);
}

/* ---- Sim controls
 * ------------------------------------------------------------ */

struct sim_task {
  struct mgm_core *c;
  int op;
  uint32_t a, b, d, e, f;
  const char *name;
  struct mgm_sim_result res;
  int rc;
};

enum {
  SIM_IF_ADD,
  SIM_IF_DEL,
  SIM_IF_UP,
  SIM_ROUTE_ADD,
  SIM_ROUTE_DEL,
  SIM_INJECT,
  SIM_ADVANCE,
  SIM_FAIL,
  SIM_LIMITS,
  SIM_COUNT,
  SIM_NOW
};

static void sim_task_fn(void *arg) {
  struct sim_task *t = arg;
  struct mgm_core *c = t->c;
  struct mgm_backend *be = c->be;

  mgm__lock(c); /* backend state is serialised by the core lock */
  switch (t->op) {
  case SIM_IF_ADD:
    t->rc = mgm__sim_if_add(be, t->a, t->name, t->b, t->d);
    break;
  case SIM_IF_DEL:
    t->rc = mgm__sim_if_del(be, t->a);
    break;
  case SIM_IF_UP:
    t->rc = mgm__sim_if_set_up(be, t->a, (int)t->b);
    break;
  case SIM_ROUTE_ADD:
    t->rc = mgm__sim_route_add(be, t->a, t->b, t->d, t->e, t->f);
    break;
  case SIM_ROUTE_DEL:
    t->rc = mgm__sim_route_del(be, t->a, t->b);
    break;
  case SIM_INJECT:
    t->rc = mgm__sim_inject(be, t->a, t->b, t->d, (uint8_t)t->e, t->f, &t->res);
    break;
  case SIM_ADVANCE:
    t->rc = mgm__sim_advance(be, t->a);
    mgm__mfe_expire_due(c);
    break;
  case SIM_FAIL:
    t->rc = mgm__sim_fail_next(be, (int)t->a, (int)t->b);
    break;
  case SIM_LIMITS:
    t->rc = mgm__sim_set_limits(be, t->a);
    break;
  case SIM_COUNT:
    mgm__sim_kernel_count(be, &t->a, &t->b);
    t->rc = 0;
    break;
  default:
    t->rc = 0;
    break;
  }
  mgm__unlock(c);
  if (t->op == SIM_INJECT) {
    /* Deliver the upcalls (RPF, creation alerts...) now, then take the
     * packet's final disposition. */
    mgm__core_drain(c);
    mgm__lock(c);
    mgm__sim_inject_done(be, &t->res);
    mgm__unlock(c);
  }
}

int mgm__simctl_is_sim(struct mgm_core *c) {
  if (c->be_ops == &mgm__sim_ops)
    return 1;
  MGM_WARN(c, MGM_CH_API, "libmgm_sim_* needs the sim backend (running: %s)",
           c->backend_name);
  return 0;
}

/* Run t on instance c, which the caller entered. */
static DWORD sim_run_on(struct mgm_core *c, struct sim_task *t) {
  DWORD rc;

  if (!mgm__simctl_is_sim(c))
    return ERROR_NOT_SUPPORTED;
  t->c = c;
  rc = mgm__core_run_on_loop(c, sim_task_fn, t);
  if (rc == NO_ERROR && t->rc != 0)
    rc = mgm__be_to_win32(t->rc);
  return rc;
}

static DWORD sim_run(struct sim_task *t) {
  struct mgm_core *c;
  DWORD rc;

  MGM_ENTER(c);
  rc = sim_run_on(c, t);
  mgm__core_leave(c);
  return rc;
}

DWORD mgm__simctl_inject(struct mgm_core *c, uint32_t ifindex, uint32_t src,
                         uint32_t grp, uint8_t ttl, uint32_t len,
                         struct mgm_sim_result *res) {
  struct sim_task t = {
      .op = SIM_INJECT, .a = ifindex, .b = src, .d = grp, .e = ttl, .f = len};
  DWORD rc = sim_run_on(c, &t);

  *res = t.res;
  return rc;
}

int mgm__simctl_if_known(struct mgm_core *c, uint32_t ifindex) {
  int known;

  mgm__lock(c);
  known = mgm__sim_if_known(c->be, ifindex);
  mgm__unlock(c);
  return known;
}

MGM_EXPORT DWORD libmgm_sim_if_add(DWORD ifindex, const char *name, DWORD addr,
                                   DWORD prefixlen) {
  struct sim_task t = {
      .op = SIM_IF_ADD, .a = ifindex, .b = addr, .d = prefixlen, .name = name};

  if (ifindex == 0 || prefixlen > 32)
    return ERROR_INVALID_PARAMETER;
  return sim_run(&t);
}

MGM_EXPORT DWORD libmgm_sim_if_del(DWORD ifindex) {
  struct sim_task t = {.op = SIM_IF_DEL, .a = ifindex};

  return sim_run(&t);
}

MGM_EXPORT DWORD libmgm_sim_if_set_up(DWORD ifindex, BOOL up) {
  struct sim_task t = {.op = SIM_IF_UP, .a = ifindex, .b = up != 0};

  return sim_run(&t);
}

MGM_EXPORT DWORD libmgm_sim_route_add(DWORD network, DWORD mask, DWORD ifindex,
                                      DWORD upstream, DWORD protocol) {
  struct sim_task t = {.op = SIM_ROUTE_ADD,
                       .a = network,
                       .b = mask,
                       .d = ifindex,
                       .e = upstream,
                       .f = protocol};

  if ((network & ~mask) != 0)
    return ERROR_INVALID_PARAMETER;
  return sim_run(&t);
}

MGM_EXPORT DWORD libmgm_sim_route_del(DWORD network, DWORD mask) {
  struct sim_task t = {.op = SIM_ROUTE_DEL, .a = network, .b = mask};

  return sim_run(&t);
}

void mgm__simctl_result(struct libmgm_sim_result *out,
                        const struct mgm_sim_result *in) {
  DWORD i;

  memset(out, 0, sizeof(*out));
  out->verdict = in->verdict;
  out->n_out = in->n_out;
  for (i = 0; i < in->n_out && i < LIBMGM_SIM_MAX_OUT; i++)
    out->out_ifindex[i] = in->out[i];
}

MGM_EXPORT DWORD libmgm_sim_inject(DWORD ifindex, DWORD src, DWORD grp,
                                   BYTE ttl, DWORD len,
                                   struct libmgm_sim_result *res) {
  struct mgm_sim_result first;
  struct mgm_core *c;
  DWORD rc, n = 0;

  MGM_ENTER(c);
  MGM_API_TRACE(c, "libmgm_sim_inject(%u, %08x, %08x, %u, %u, %p)",
                (unsigned)ifindex, (unsigned)src, (unsigned)grp, (unsigned)ttl,
                (unsigned)len, (void *)res);
  rc = mgm__simnet_inject(c, ifindex, src, grp, ttl, len, &first, NULL, 0, &n);
  if (n > 0 && res) /* the first router handled it (even in a storm) */
    mgm__simctl_result(res, &first);
  mgm__core_leave(c);
  return rc;
}

MGM_EXPORT DWORD libmgm_sim_advance(DWORD ms) {
  struct sim_task t = {.op = SIM_ADVANCE, .a = ms};

  return sim_run(&t);
}

MGM_EXPORT DWORD libmgm_sim_now(ULONGLONG *ms) {
  struct mgm_core *c;

  if (ms == NULL)
    return ERROR_INVALID_PARAMETER;
  MGM_ENTER(c);
  mgm__lock(c);
  *ms = mgm__now(c);
  mgm__unlock(c);
  mgm__core_leave(c);
  return NO_ERROR;
}

MGM_EXPORT DWORD libmgm_sim_fail_next(DWORD op, int be_error) {
  struct sim_task t = {.op = SIM_FAIL, .a = op, .b = (uint32_t)be_error};

  if (op > LIBMGM_SIM_OP_ROUTE || be_error >= 0 || be_error < MGM_BE_EIO)
    return ERROR_INVALID_PARAMETER;
  return sim_run(&t);
}

MGM_EXPORT DWORD libmgm_sim_set_limits(DWORD max_slots) {
  struct sim_task t = {.op = SIM_LIMITS, .a = max_slots};

  return sim_run(&t);
}

MGM_EXPORT DWORD libmgm_sim_kernel_count(DWORD *entries, DWORD *slots) {
  struct sim_task t = {.op = SIM_COUNT};
  DWORD rc;

  if (entries == NULL || slots == NULL)
    return ERROR_INVALID_PARAMETER;
  rc = sim_run(&t);
  if (rc == NO_ERROR) {
    *entries = t.a;
    *slots = t.b;
  }
  return rc;
}

/* ---- Host hooks ---------------------------------------------------------- */

MGM_EXPORT DWORD libmgm_snapshot_take(struct libmgm_snapshot **out) {
  struct mgm_core *c;
  DWORD rc;

  if (out == NULL)
    return ERROR_INVALID_PARAMETER;
  MGM_ENTER(c);
  rc = mgm__snapshot(c, out);
  mgm__core_leave(c);
  return rc;
}

MGM_EXPORT void libmgm_snapshot_free(struct libmgm_snapshot *snap) {
  if (snap == NULL)
    return;
  free(snap->protos);
  free(snap->ifs);
  free(snap->members);
  free(snap);
}

MGM_EXPORT DWORD libmgm_set_ctrl_hook(libmgm_ctrl_fn fn, void *ctx) {
  struct mgm_core *c;

  MGM_ENTER(c);
  mgm__lock(c);
  c->ctrl_fn = fn;
  c->ctrl_ctx = ctx;
  mgm__unlock(c);
  mgm__core_leave(c);
  return NO_ERROR;
}

MGM_EXPORT DWORD libmgm_ctrl_send(DWORD ifindex, DWORD dst, const BYTE *igmp,
                                  DWORD len) {
  struct mgm_core *c;
  DWORD rc = NO_ERROR;
  int brc;

  if (igmp == NULL || len == 0)
    return ERROR_INVALID_PARAMETER;
  MGM_ENTER(c);
  mgm__lock(c);
  brc = mgm__be_ctrl_send(c, ifindex, dst, igmp, len);
  if (brc == MGM_BE_ENOTSUP) {
    rc = ERROR_NOT_SUPPORTED; /* the backend cannot send */
  } else if (brc != 0) {
    MGM_WARN(c, MGM_CH_PLAT, "cannot send IGMP on interface %u: %s",
             (unsigned)ifindex, mgm__be_strerror(brc));
    rc = mgm__be_to_win32(brc);
  }
  mgm__unlock(c);
  mgm__core_leave(c);
  return rc;
}

struct ctrl_task {
  struct mgm_core *c;
  uint32_t ifindex;
  const BYTE *pkt;
  DWORD len;
  int rc;
};

static void ctrl_task_fn(void *arg) {
  struct ctrl_task *k = arg;

  mgm__lock(k->c);
  k->rc = mgm__sim_inject_ctrl(k->c->be, k->ifindex, k->pkt, k->len);
  mgm__unlock(k->c);
}

MGM_EXPORT DWORD libmgm_sim_inject_ctrl(DWORD ifindex, const BYTE *pkt,
                                        DWORD len) {
  struct ctrl_task k = {NULL, ifindex, pkt, len, 0};
  struct mgm_core *c;
  DWORD rc;

  if (pkt == NULL || len == 0)
    return ERROR_INVALID_PARAMETER;
  MGM_ENTER(c);
  if (c->be_ops != &mgm__sim_ops) {
    rc = ERROR_NOT_SUPPORTED;
  } else {
    k.c = c;
    rc = mgm__core_run_on_loop(c, ctrl_task_fn, &k);
    if (rc == NO_ERROR && k.rc != 0)
      rc = mgm__be_to_win32(k.rc);
  }
  mgm__core_leave(c);
  return rc;
}

/* The sim speaks uint32_t, the public hook DWORD: convert, never cast
 * function pointers. */
static void sim_tx_tramp(void *ctx, uint32_t ifindex, uint32_t dst,
                         const void *msg, uint32_t len) {
  struct mgm_core *c = ctx;

  if (c->sim_tx_fn)
    c->sim_tx_fn(c->sim_tx_ctx, ifindex, dst, msg, len);
}

MGM_EXPORT DWORD libmgm_sim_set_tx_hook(libmgm_sim_tx_fn fn, void *ctx) {
  struct mgm_core *c;
  DWORD rc = NO_ERROR;

  MGM_ENTER(c);
  mgm__lock(c);
  if (c->be_ops != &mgm__sim_ops) {
    rc = ERROR_NOT_SUPPORTED;
  } else {
    c->sim_tx_fn = fn;
    c->sim_tx_ctx = ctx;
    mgm__sim_set_tx_hook(c->be, fn ? sim_tx_tramp : NULL, c);
  }
  mgm__unlock(c);
  mgm__core_leave(c);
  return rc;
}
