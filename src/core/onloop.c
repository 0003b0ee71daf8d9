/*
 * onloop.c - the core on its loop thread: the loop driver's descriptor and
 * timer callbacks, the timer's deadline, and tasks run there for other
 * threads (the sim controls).
 *
 * SPDX-License-Identifier: MIT
 *
 * core.c gives these callbacks to the loop driver at start, with its own
 * on_post.  Each marks the thread as inside the instance's loop callback
 * (mgm__onloop_core), so that a stop from a hook it runs is refused.  A
 * backend whose events no descriptor shows asks for a drain with its wake
 * upcall (platform.h): a task posted to the loop.
 */
#include "core/core.h"

_Thread_local struct mgm_core *mgm__onloop_core;
/* Guards every instance's wake_open and wake_posted, and the loop they
 * post to: held only to post, never across a drain. */
static pthread_mutex_t g_wake_mu = PTHREAD_MUTEX_INITIALIZER;

void mgm__onloop_readable(void *ctx, uint64_t now_ms) {
  struct mgm_core *saved = mgm__onloop_core;

  mgm__onloop_core = ctx;
  mgm__upcall_drain(ctx, -1, now_ms);
  mgm__onloop_core = saved;
}

/* The loop says which descriptor is readable: a backend that can use it
 * reads that one only. */
void mgm__onloop_fd_readable(void *ctx, int fd, uint64_t now_ms) {
  struct mgm_core *saved = mgm__onloop_core;

  mgm__onloop_core = ctx;
  mgm__upcall_drain(ctx, fd, now_ms);
  mgm__onloop_core = saved;
}

void mgm__onloop_timer(void *ctx) {
  struct mgm_core *c = ctx, *saved = mgm__onloop_core;

  mgm__onloop_core = c;
  mgm__lock(c);
  c->armed_ms = -1;
  mgm__mfe_expire_due(c);
  mgm__unlock(c);
  mgm__onloop_core = saved;
}

/* Keep the loop's timer on the earliest MFE deadline (real clocks only;
 * the sim's virtual clock advances through libmgm_sim_advance). */
void mgm__onloop_rearm(struct mgm_core *c) {
  int64_t d;

  MGM_ASSERT_LOCKED(c);
  if (c->caps.virtual_clock || c->loop == NULL)
    return;
  d = mgm__mfe_next_deadline(c);
  if (d == c->armed_ms)
    return;
  c->armed_ms = d;
  if (d < 0) {
    c->loop_ops->arm(c->loop, -1);
  } else {
    int64_t now = (int64_t)mgm__now(c);

    c->loop_ops->arm(c->loop, d > now ? d - now : 0);
  }
}

struct loop_call {
  struct mgm_core *c;
  void (*fn)(void *);
  void *arg;
};

static void loop_call_fn(void *a) {
  struct loop_call *lc = a;
  struct mgm_core *saved = mgm__onloop_core;

  mgm__onloop_core = lc->c;
  lc->fn(lc->arg);
  mgm__upcall_drain(lc->c, -1, 0);
  mgm__onloop_core = saved;
}

/* Run fn on the loop thread and deliver every backend event it causes
 * before returning.  From the loop thread itself (a sim control call made
 * inside a callback) it cannot wait for itself: strict mode refuses it,
 * default mode runs it nested right here. */
DWORD mgm__onloop_run(struct mgm_core *c, void (*fn)(void *), void *a) {
  struct loop_call lc = {c, fn, a};

  if (c->loop_ops->on_loop_thread(c->loop)) {
    DWORD rc = NO_ERROR;

    if (mgm__tls_cb_depth > 0)
      rc = mgm__misuse(c, ERROR_CAN_NOT_COMPLETE,
                       "sim control call from a callback on the loop "
                       "thread; it runs nested");
    if (rc == NO_ERROR)
      loop_call_fn(&lc);
    return rc;
  }
  return c->loop_ops->run(c->loop, loop_call_fn, &lc, 1) == 0
             ? NO_ERROR
             : ERROR_CAN_NOT_COMPLETE;
}

/* A drain the backend asked for.  Not while starting: start's resync task,
 * queued behind, drains then (c->be may not be set yet). */
static void onloop_wake_fn(void *a) {
  struct mgm_core *c = a, *saved = mgm__onloop_core;
  int st;

  pthread_mutex_lock(&g_wake_mu);
  c->wake_posted = 0; /* a wake from here on posts again */
  pthread_mutex_unlock(&g_wake_mu);
  st = atomic_load(&c->state);
  if (st != MGM_RUNNING && st != MGM_STOPPING)
    return;
  mgm__onloop_core = c;
  mgm__upcall_drain(c, -1, 0);
  mgm__onloop_core = saved;
}

void mgm__onloop_wake(struct mgm_core *c) {
  pthread_mutex_lock(&g_wake_mu);
  if (c->wake_open && !c->wake_posted &&
      c->loop_ops->run(c->loop, onloop_wake_fn, c, 0) == 0)
    c->wake_posted = 1;
  pthread_mutex_unlock(&g_wake_mu);
}

void mgm__onloop_wake_gate(struct mgm_core *c, int open) {
  pthread_mutex_lock(&g_wake_mu);
  c->wake_open = open;
  if (open)
    c->wake_posted = 0;
  pthread_mutex_unlock(&g_wake_mu);
}
