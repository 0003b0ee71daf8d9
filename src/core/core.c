/*
 * core.c - the top of the core: the instance's lifecycle (start, stop,
 * auto-start from the environment) and the entry of API calls into it.
 * It calls the core's other files; none of them calls it.
 *
 * SPDX-License-Identifier: MIT
 *
 * DOC: the process's default instance is static storage, so an API call
 * can always find it; `active` counts API calls inside it and `state`
 * gates them (mgm-spec G-1: everything returns ERROR_CAN_NOT_COMPLETE
 * while not running).  Stop waits for `active` to drain, joins the loop
 * thread (so no upcall is running), then tears the backend down: the
 * backend's close removes everything it installed.  Extra instances are
 * allocated by libmgm_instance_create and selected per thread.
 *
 * With a host libuv loop (libmgm_config.loop) there is no loop thread to
 * join: the driver's handles live on the host's loop, and "the loop
 * thread" is whichever thread runs it.  Stop on that thread closes the
 * handles in place (the host's next close phase releases them) after
 * serving the sim control calls other threads posted meanwhile; stop on
 * another thread posts the close and waits for the release.  A stop from
 * inside one of libmgm's own loop callbacks is refused either way.
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"

static struct mgm_core default_core = {.lock = PTHREAD_MUTEX_INITIALIZER,
                                       .is_default = 1};
static pthread_mutex_t g_start_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t g_drain_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_drain_cond = PTHREAD_COND_INITIALIZER;

struct mgm_core *mgm__core_default(void) {
  return &default_core;
}

/* A task was posted to the loop thread.  A host-loop thread blocked in
 * mgm__core_stop() serves posted tasks while it waits for API calls to
 * drain: wake it. */
static void on_post(void *ctx) {
  struct mgm_core *c = ctx;

  if (atomic_load(&c->state) != MGM_STOPPING)
    return;
  pthread_mutex_lock(&g_drain_lock);
  pthread_cond_broadcast(&g_drain_cond);
  pthread_mutex_unlock(&g_drain_lock);
}

static const struct mgm_loop_hooks core_hooks = {
    mgm__onloop_readable, mgm__onloop_timer, on_post, mgm__onloop_fd_readable};

/* ---- Start and stop ------------------------------------------------------ */

static void free_state(struct mgm_core *c) {
  mgm__protos_destroy(c);
  mgm__grps_destroy(c);
  mgm__mfes_destroy(c);
  mgm__ifs_destroy(c);
  mgm__handles_destroy(&c->handles);
}

/* Caller holds g_start_lock. */
static DWORD start_locked(struct mgm_core *c, const struct libmgm_config *in) {
  struct libmgm_config cfg;
  struct mgm_be_config bc;
  const char *name;
  int fds[8], brc;
  size_t nfds = 8;
  DWORD rc = NO_ERROR;

  if (atomic_load(&c->state) == MGM_RUNNING)
    return ERROR_ALREADY_INITIALIZED;
  mgm__config_defaults(&cfg);
  if (in) {
    if (in->size < sizeof(uint32_t) || in->size > sizeof(cfg))
      return ERROR_INVALID_PARAMETER;
    memcpy(&cfg, in, in->size);
  }
  mgm__log_init(&c->log, cfg.log, cfg.log_fn, cfg.log_ctx);
  name = cfg.backend ? cfg.backend : mgm__plat_default_name();
  c->be_ops = mgm__plat_find(name);
  if (c->be_ops == NULL) {
    MGM_ERR(c, MGM_CH_CORE, "unknown backend '%s' (built in: %s)", name,
            mgm__plat_names());
    return ERROR_INVALID_PARAMETER;
  }
  if (cfg.loop != NULL && mgm__loop_host() == NULL) {
    MGM_ERR(c, MGM_CH_CORE,
            "this build has no libuv, so it cannot attach to a host loop: "
            "leave libmgm_config.loop NULL to use libmgm's own loop thread");
    return ERROR_NOT_SUPPORTED;
  }
  snprintf(c->backend_name, sizeof(c->backend_name), "%s", name);
  c->table = cfg.table;
  c->lifetime_s =
      cfg.mfe_lifetime_s ? cfg.mfe_lifetime_s : MGM_DEFAULT_LIFETIME_S;
  c->strict = cfg.strict != 0;
  c->wrongif_alerts = cfg.wrongif_alerts != 0;
  c->bigmp_membership = cfg.bigmp_membership != 0;
  c->wrongif_on = 0;
  c->ctrl_fn = NULL;
  c->ctrl_ctx = NULL;
  c->if_fn = NULL;
  c->if_ctx = NULL;
  c->armed_ms = -1;
  c->next_seq = 1;
  mgm__reentry_reset(c);
  atomic_store(&c->state, MGM_STARTING);
  if (mgm__hash_init(&c->ifs, 64) != 0 || mgm__hash_init(&c->slots, 64) != 0) {
    rc = ERROR_NOT_ENOUGH_MEMORY;
    goto fail;
  }
  c->loop_host = cfg.loop != NULL;
  c->loop_ops = c->loop_host ? mgm__loop_host() : mgm__loop_default();
  if (c->loop_ops->open(cfg.loop, &core_hooks, c, &c->loop) != 0) {
    MGM_ERR(c, MGM_CH_CORE,
            c->loop_host ? "cannot attach to the host loop"
                         : "cannot start the loop thread");
    rc = ERROR_CAN_NOT_COMPLETE;
    goto fail;
  }
  mgm__onloop_wake_gate(c, 1); /* the backend may wake the loop from open */
  memset(&bc, 0, sizeof(bc));
  bc.table = cfg.table;
  bc.rcvbuf_bytes = cfg.rcvbuf_bytes;
  bc.profile = cfg.sim_profile;
  brc = mgm__be_open(c, &bc, &mgm__upcall_table);
  if (brc != 0) {
    MGM_ERR(c, MGM_CH_CORE, "cannot open backend '%s': %s", name,
            mgm__error_str(brc));
    rc = mgm__error_open_win32(brc);
    goto fail;
  }
  mgm__be_caps(c, &c->caps);
  if (mgm__be_fds(c, fds, &nfds) == 0 && nfds > 0 &&
      c->loop_ops->watch(c->loop, fds, nfds) != 0) {
    MGM_ERR(c, MGM_CH_CORE, "cannot watch the backend's descriptors");
    rc = ERROR_CAN_NOT_COMPLETE;
    goto fail;
  }
  atomic_store(&c->state, MGM_RUNNING);
  mgm__onloop_run(c, mgm__upcall_resync, c);
  MGM_INFO(c, MGM_CH_CORE, "started on backend '%s'%s", name,
           c->loop_host ? " (host loop)" : "");
  return NO_ERROR;

fail:
  if (c->loop) {
    mgm__onloop_wake_gate(c, 0);
    c->loop_ops->close(c->loop);
    c->loop = NULL;
  }
  if (c->be) {
    mgm__lock(c);
    mgm__be_close(c);
    mgm__unlock(c);
  }
  free_state(c);
  atomic_store(&c->state, MGM_STOPPED);
  return rc;
}

DWORD mgm__core_start(struct mgm_core *c, const struct libmgm_config *cfg) {
  DWORD rc;

  pthread_mutex_lock(&g_start_lock);
  rc = start_locked(c, cfg);
  pthread_mutex_unlock(&g_start_lock);
  return rc;
}

DWORD mgm__core_stop(struct mgm_core *c) {
  DWORD rc = NO_ERROR;
  uint32_t n;
  int serve;

  if (mgm__tls_cb_depth > 0)
    return ERROR_CAN_NOT_COMPLETE; /* cannot stop from inside a callback */
  if (mgm__onloop_core == c) {
    /* A hook (control packets, log) inside this instance's dispatch: the
     * backend and the loop are in use further up this stack. */
    MGM_ERR(c, MGM_CH_STRICT,
            "stop refused: called from inside one of "
            "libmgm's loop callbacks");
    return ERROR_CAN_NOT_COMPLETE;
  }
  pthread_mutex_lock(&g_start_lock);
  if (atomic_load(&c->state) != MGM_RUNNING) {
    if (atomic_load(&c->state) == MGM_FAILED)
      atomic_store(&c->state, MGM_STOPPED);
    rc = ERROR_CAN_NOT_COMPLETE;
    goto out;
  }
  mgm__lock(c);
  n = c->n_protos;
  mgm__unlock(c);
  if (n > 0) {
    MGM_WARN(c, MGM_CH_CORE, "stop refused: %u protocol(s) still registered",
             (unsigned)n);
    rc = ERROR_CAN_NOT_COMPLETE; /* D-INIT */
    goto out;
  }
  atomic_store(&c->state, MGM_STOPPING);
  /* On a host loop's thread, API calls of other threads (sim controls) may
   * be waiting for this very thread: run what they posted (on_post wakes
   * this wait). */
  serve = c->loop_host && c->loop_ops->on_loop_thread(c->loop);
  pthread_mutex_lock(&g_drain_lock);
  while (atomic_load(&c->active) > 0) {
    if (serve) {
      pthread_mutex_unlock(&g_drain_lock);
      c->loop_ops->run_queued(c->loop);
      pthread_mutex_lock(&g_drain_lock);
      if (atomic_load(&c->active) == 0)
        break;
    }
    pthread_cond_wait(&g_drain_cond, &g_drain_lock);
  }
  pthread_mutex_unlock(&g_drain_lock);
  mgm__lock(c);
  n = c->n_protos;
  mgm__unlock(c);
  if (n > 0) { /* a registration slipped in before STOPPING */
    atomic_store(&c->state, MGM_RUNNING);
    rc = ERROR_CAN_NOT_COMPLETE;
    goto out;
  }
  mgm__onloop_wake_gate(c, 0); /* no more drains posted by the backend */
  c->loop_ops->close(c->loop);
  c->loop = NULL;
  mgm__lock(c);
  free_state(c);
  mgm__be_flush(c);
  mgm__be_close(c);
  mgm__unlock(c);
  atomic_store(&c->state, MGM_STOPPED);
  MGM_INFO(c, MGM_CH_CORE, "stopped");

out:
  pthread_mutex_unlock(&g_start_lock);
  return rc;
}

/* First Mgm* call without a start: start the default instance from the
 * environment.  A failure is logged once and remembered (state FAILED), so
 * every call returns ERROR_CAN_NOT_COMPLETE until libmgm_start succeeds. */
static void autostart(struct mgm_core *c) {
  struct libmgm_config cfg;
  char name[32];

  pthread_mutex_lock(&g_start_lock);
  if (atomic_load(&c->state) == MGM_STOPPED) {
    mgm__config_from_env(&cfg, name, sizeof(name));
    if (start_locked(c, &cfg) != NO_ERROR) {
      mgm__log(&c->log, LIBMGM_LOG_ERROR, MGM_CH_CORE,
               "auto-start failed; every Mgm* call returns "
               "ERROR_CAN_NOT_COMPLETE until libmgm_start() succeeds");
      atomic_store(&c->state, MGM_FAILED);
    }
  }
  pthread_mutex_unlock(&g_start_lock);
}

static void leave_raw(struct mgm_core *c) {
  if (atomic_fetch_sub(&c->active, 1) == 1 &&
      atomic_load(&c->state) == MGM_STOPPING) {
    pthread_mutex_lock(&g_drain_lock);
    pthread_cond_broadcast(&g_drain_cond);
    pthread_mutex_unlock(&g_drain_lock);
  }
}

/* enter when the instance was not running (st): auto-start the default
 * one if allowed (mgm-spec G-1), or refuse. */
static DWORD enter_slow(struct mgm_core *c, int st, int autostart_ok) {
  leave_raw(c);
  if (!autostart_ok || !c->is_default || st != MGM_STOPPED)
    return ERROR_CAN_NOT_COMPLETE;
  autostart(c);
  atomic_fetch_add(&c->active, 1);
  if (atomic_load(&c->state) == MGM_RUNNING)
    return NO_ERROR;
  leave_raw(c);
  return ERROR_CAN_NOT_COMPLETE;
}

DWORD mgm__core_enter_inst(struct mgm_core *c, int autostart_ok) {
  int st;

  atomic_fetch_add(&c->active, 1);
  st = atomic_load(&c->state);
  if (st == MGM_RUNNING)
    return NO_ERROR;
  return enter_slow(c, st, autostart_ok);
}

DWORD mgm__core_enter(struct mgm_core **out) {
  struct mgm_core *c = mgm__tls_inst ? mgm__tls_inst : &default_core;
  DWORD rc;
  int st;

  /* mgm__core_enter_inst(c, 1), its fast path inline */
  atomic_fetch_add(&c->active, 1);
  st = atomic_load(&c->state);
  rc = st == MGM_RUNNING ? NO_ERROR : enter_slow(c, st, 1);
  if (rc == NO_ERROR)
    *out = c;
  return rc;
}

DWORD mgm__core_enter_public(struct libmgm_instance *inst,
                             struct mgm_core **out) {
  struct mgm_core *c = (struct mgm_core *)inst;
  DWORD rc;

  if (c == NULL) {
    c = &default_core;
    rc = mgm__core_enter_inst(c, 1);
  } else {
    /* Entered under the registry lock: destroy cannot free it meanwhile,
     * and once entered its stop waits for us. */
    mgm__instance_lock();
    rc = mgm__instance_live(c) ? mgm__core_enter_inst(c, 0)
                               : ERROR_INVALID_PARAMETER;
    mgm__instance_unlock();
  }
  if (rc == NO_ERROR)
    *out = c;
  return rc;
}

void mgm__core_leave(struct mgm_core *c) {
  leave_raw(c);
}
