/*
 * libmgm.c - the libmgm_* extension: configuration, start/stop,
 * MgmInitialize/MgmDeInitialize, instances, and the sim controls.
 *
 * SPDX-License-Identifier: MIT
 *
 * Sim controls are the core's (core/simctl.c): they run on the instance's
 * loop thread and deliver every event they cause before returning.
 * Packet injection goes through simnet.c, which carries forwarded packets
 * across simulated links to other instances.
 *
 * Extra instances are listed in the core's registry (core/instance.c), so
 * that an instance pointer from a harness can be checked before it is
 * used.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/simnet.h"

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

/* ---- Sim controls (core/simctl.c) ---------------------------------------- */

/* Run op on the current instance. */
static DWORD sim_run(int op, void *arg, size_t len) {
  struct mgm_core *c;
  DWORD rc;

  MGM_ENTER(c);
  rc = mgm__simctl_run(c, op, arg, len);
  mgm__core_leave(c);
  return rc;
}

MGM_EXPORT DWORD libmgm_sim_if_add(DWORD ifindex, const char *name, DWORD addr,
                                   DWORD prefixlen) {
  struct mgm_ctl_sim_if a;

  if (ifindex == 0 || prefixlen > 32)
    return ERROR_INVALID_PARAMETER;
  memset(&a, 0, sizeof(a));
  a.ifindex = ifindex;
  a.addr = addr;
  a.prefixlen = prefixlen;
  if (name)
    strncpy(a.name, name, sizeof(a.name) - 1);
  return sim_run(MGM_CTL_SIM_IF_ADD, &a, sizeof(a));
}

MGM_EXPORT DWORD libmgm_sim_if_del(DWORD ifindex) {
  struct mgm_ctl_sim_if a;

  memset(&a, 0, sizeof(a));
  a.ifindex = ifindex;
  return sim_run(MGM_CTL_SIM_IF_DEL, &a, sizeof(a));
}

MGM_EXPORT DWORD libmgm_sim_if_set_up(DWORD ifindex, BOOL up) {
  struct mgm_ctl_sim_if a;

  memset(&a, 0, sizeof(a));
  a.ifindex = ifindex;
  a.flag = up != 0;
  return sim_run(MGM_CTL_SIM_IF_SET_UP, &a, sizeof(a));
}

MGM_EXPORT DWORD libmgm_sim_route_add(DWORD network, DWORD mask, DWORD ifindex,
                                      DWORD upstream, DWORD protocol) {
  struct mgm_ctl_sim_route a = {network, mask, ifindex, upstream, protocol};

  if ((network & ~mask) != 0)
    return ERROR_INVALID_PARAMETER;
  return sim_run(MGM_CTL_SIM_ROUTE_ADD, &a, sizeof(a));
}

MGM_EXPORT DWORD libmgm_sim_route_del(DWORD network, DWORD mask) {
  struct mgm_ctl_sim_route a = {network, mask, 0, 0, 0};

  return sim_run(MGM_CTL_SIM_ROUTE_DEL, &a, sizeof(a));
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
  struct mgm_ctl_sim_arg a = {(int32_t)ms, 0};

  return sim_run(MGM_CTL_SIM_ADVANCE, &a, sizeof(a));
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
  struct mgm_ctl_sim_arg a = {(int32_t)op, be_error};

  if (op > LIBMGM_SIM_OP_ROUTE || be_error >= 0 || be_error < MGM_BE_EIO)
    return ERROR_INVALID_PARAMETER;
  return sim_run(MGM_CTL_SIM_FAIL_NEXT, &a, sizeof(a));
}

MGM_EXPORT DWORD libmgm_sim_set_limits(DWORD max_slots) {
  struct mgm_ctl_sim_arg a = {(int32_t)max_slots, 0};

  return sim_run(MGM_CTL_SIM_SET_LIMITS, &a, sizeof(a));
}

MGM_EXPORT DWORD libmgm_sim_kernel_count(DWORD *entries, DWORD *slots) {
  struct mgm_ctl_sim_arg a = {0, 0};
  DWORD rc;

  if (entries == NULL || slots == NULL)
    return ERROR_INVALID_PARAMETER;
  rc = sim_run(MGM_CTL_SIM_KERNEL_COUNT, &a, sizeof(a));
  if (rc == NO_ERROR) {
    *entries = (DWORD)a.a;
    *slots = (DWORD)a.b;
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

MGM_EXPORT DWORD libmgm_set_if_hook(libmgm_if_fn fn, void *ctx) {
  struct mgm_core *c;

  MGM_ENTER(c);
  mgm__lock(c);
  c->if_fn = fn;
  c->if_ctx = ctx;
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
             (unsigned)ifindex, mgm__error_str(brc));
    rc = mgm__error_win32(brc);
  }
  mgm__unlock(c);
  mgm__core_leave(c);
  return rc;
}

MGM_EXPORT DWORD libmgm_sim_inject_ctrl(DWORD ifindex, const BYTE *pkt,
                                        DWORD len) {
  struct mgm_core *c;
  DWORD rc;

  if (pkt == NULL || len == 0)
    return ERROR_INVALID_PARAMETER;
  MGM_ENTER(c);
  rc = mgm__simctl_inject_ctrl(c, ifindex, pkt, len);
  mgm__core_leave(c);
  return rc;
}

MGM_EXPORT DWORD libmgm_sim_set_tx_hook(libmgm_sim_tx_fn fn, void *ctx) {
  struct mgm_core *c;
  DWORD rc;

  MGM_ENTER(c);
  rc = mgm__simctl_set_tx_hook(c, fn, ctx);
  mgm__core_leave(c);
  return rc;
}
