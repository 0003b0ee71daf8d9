/*
 * loop_uv.c - the libuv loop driver: libmgm's own loop thread running a
 * uv loop with one uv_poll per backend descriptor, a uv_timer for the
 * core's next deadline and a uv_async for cross-thread wake-ups.  The only
 * file that includes uv.h (design.md 4).
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* uv.h needs pthread_rwlock_t */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "platform/loop.h"
#include "platform/loopq.h"

#define UVL_MAX_FDS 8

struct mgm_loop {
  uv_loop_t loop;
  uv_async_t async;
  uv_timer_t timer;
  uv_poll_t polls[UVL_MAX_FDS];
  int npolls;
  uv_thread_t thread;
  struct mgm_loopq q;
  pthread_mutex_t arm_mu;
  int64_t arm_delay; /* requested delay, or -1 to disarm */
  int arm_pending;   /* a request waits for the loop thread */
  int stopping;
  const struct mgm_loop_hooks *hooks;
  void *ctx;
};

static void uvl_on_timer(uv_timer_t *t) {
  struct mgm_loop *l = t->data;

  l->hooks->on_timer(l->ctx);
}

static void uvl_on_poll(uv_poll_t *p, int status, int events) {
  struct mgm_loop *l = p->data;

  l->hooks->on_readable(l->ctx);
}

static void uvl_apply_arm(struct mgm_loop *l) {
  int64_t d;
  int pending;

  pthread_mutex_lock(&l->arm_mu);
  d = l->arm_delay;
  pending = l->arm_pending;
  l->arm_pending = 0;
  pthread_mutex_unlock(&l->arm_mu);
  if (!pending)
    return;
  if (d < 0)
    uv_timer_stop(&l->timer);
  else
    uv_timer_start(&l->timer, uvl_on_timer, (uint64_t)d, 0);
}

static void uvl_close_cb(uv_handle_t *h) {
}

static void uvl_on_async(uv_async_t *a) {
  struct mgm_loop *l = a->data;
  int i;

  uvl_apply_arm(l);
  mgm__loopq_run_all(&l->q);
  if (l->stopping) {
    for (i = 0; i < l->npolls; i++)
      uv_close((uv_handle_t *)&l->polls[i], uvl_close_cb);
    uv_close((uv_handle_t *)&l->timer, uvl_close_cb);
    uv_close((uv_handle_t *)&l->async, uvl_close_cb);
  }
}

static void uvl_thread(void *arg) {
  struct mgm_loop *l = arg;

  uv_run(&l->loop, UV_RUN_DEFAULT);
}

static int uvl_open(void *host, const struct mgm_loop_hooks *hooks, void *ctx,
                    struct mgm_loop **out) {
  struct mgm_loop *l;

  if (host != NULL)
    return -1; /* host loops are not supported yet */
  l = calloc(1, sizeof(*l));
  if (l == NULL)
    return -1;
  l->hooks = hooks;
  l->ctx = ctx;
  l->arm_delay = -1;
  if (uv_loop_init(&l->loop) != 0)
    goto fail_loop;
  if (mgm__loopq_init(&l->q) != 0)
    goto fail_q;
  pthread_mutex_init(&l->arm_mu, NULL);
  uv_async_init(&l->loop, &l->async, uvl_on_async);
  l->async.data = l;
  uv_timer_init(&l->loop, &l->timer);
  l->timer.data = l;
  if (uv_thread_create(&l->thread, uvl_thread, l) != 0)
    goto fail_thread;
  *out = l;
  return 0;

fail_thread:
  uv_close((uv_handle_t *)&l->async, NULL);
  uv_close((uv_handle_t *)&l->timer, NULL);
  uv_run(&l->loop, UV_RUN_NOWAIT);
  pthread_mutex_destroy(&l->arm_mu);
  mgm__loopq_destroy(&l->q);
fail_q:
  uv_loop_close(&l->loop);
fail_loop:
  free(l);
  return -1;
}

static int uvl_on_loop_thread(struct mgm_loop *l) {
  uv_thread_t self = uv_thread_self();

  return uv_thread_equal(&self, &l->thread);
}

static int uvl_run(struct mgm_loop *l, void (*fn)(void *), void *arg,
                   int wait) {
  struct mgm_task storage, *t;

  if (wait && uvl_on_loop_thread(l)) {
    fn(arg);
    return 0;
  }
  if (mgm__loopq_push(&l->q, fn, arg, wait, &storage, &t) != 0)
    return -1;
  uv_async_send(&l->async);
  if (wait)
    mgm__loopq_wait(&l->q, t);
  return 0;
}

struct uvl_watch {
  struct mgm_loop *l;
  const int *fds;
  size_t n;
  int rc;
};

static void uvl_watch_fn(void *arg) {
  struct uvl_watch *w = arg;
  struct mgm_loop *l = w->l;
  size_t i;

  for (i = 0; i < w->n; i++) {
    uv_poll_t *p = &l->polls[l->npolls];

    if (uv_poll_init(&l->loop, p, w->fds[i]) != 0) {
      w->rc = -1;
      return;
    }
    p->data = l;
    l->npolls++;
    if (uv_poll_start(p, UV_READABLE, uvl_on_poll) != 0) {
      w->rc = -1;
      return;
    }
  }
}

static int uvl_watch(struct mgm_loop *l, const int *fds, size_t n) {
  struct uvl_watch w = {l, fds, n, 0};

  if (n + (size_t)l->npolls > UVL_MAX_FDS)
    return -1;
  if (uvl_run(l, uvl_watch_fn, &w, 1) != 0)
    return -1;
  return w.rc;
}

static void uvl_arm(struct mgm_loop *l, int64_t delay_ms) {
  pthread_mutex_lock(&l->arm_mu);
  l->arm_delay = delay_ms;
  l->arm_pending = 1;
  pthread_mutex_unlock(&l->arm_mu);
  uv_async_send(&l->async);
}

static void uvl_stop_fn(void *arg) {
  struct mgm_loop *l = arg;

  l->stopping = 1;
}

static void uvl_close(struct mgm_loop *l) {
  uvl_run(l, uvl_stop_fn, l, 1);
  uv_async_send(&l->async); /* the async callback closes the handles */
  uv_thread_join(&l->thread);
  uv_loop_close(&l->loop);
  pthread_mutex_destroy(&l->arm_mu);
  mgm__loopq_destroy(&l->q);
  free(l);
}

const struct mgm_loop_ops mgm__loop_uv_ops = {
    "uv", uvl_open, uvl_close, uvl_watch, uvl_arm, uvl_run, uvl_on_loop_thread};
