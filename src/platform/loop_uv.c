/*
 * loop_uv.c - the libuv loop driver: one uv_poll per backend descriptor, a
 * uv_timer for the core's next deadline and a uv_async for cross-thread
 * wake-ups, on libmgm's own loop thread or on a host's loop.  The only
 * file that includes uv.h (design.md 4).
 *
 * SPDX-License-Identifier: MIT
 *
 * DOC: own-thread mode runs a private uv loop on a thread started at open
 * and joined at close.  Host mode (libmgm_config.loop) adds the same
 * handles to the host's loop and starts no thread: libmgm's callbacks run
 * on whichever thread runs uv_run() on it.  The driver remembers that
 * thread (`owner`): the thread that opened it, then the thread of each of
 * its handle callbacks, so a loop moved to another thread is followed at
 * libmgm's next wake-up (open sends one at once).  Closing needs the host
 * loop to run its close phase: on the loop thread close() calls uv_close()
 * and the last close callback frees the driver; from another thread it
 * posts the same work and waits until the last close callback has run.
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
  uv_loop_t own; /* the private loop (own-thread mode) */
  uv_loop_t *uv; /* the loop in use: &own or the host's */
  int host;      /* attached to a host loop: no thread of its own */
  uv_async_t async;
  uv_timer_t timer;
  uv_poll_t polls[UVL_MAX_FDS];
  int pfds[UVL_MAX_FDS]; /* the descriptor of each poll */
  int npolls;
  int open_handles;   /* initialised handles not yet released (loop thr) */
  int closing;        /* uv_close() called on every handle (loop thread) */
  int free_on_close;  /* the last close callback frees the driver */
  int closed;         /* every handle released (under q.mu) */
  uv_thread_t thread; /* own-thread mode: the loop thread */
  struct mgm_loopq q;
  pthread_mutex_t mu; /* guards the arm request and owner */
  int64_t arm_delay;  /* requested delay, or -1 to disarm */
  int arm_pending;    /* a request waits for the loop thread */
  uv_thread_t owner;  /* host mode: the thread seen running the loop */
  const struct mgm_loop_hooks *hooks;
  void *ctx;
};

static void uvl_free(struct mgm_loop *l) {
  pthread_mutex_destroy(&l->mu);
  mgm__loopq_destroy(&l->q);
  free(l);
}

/* Host mode: every handle callback runs on the thread running the loop. */
static void uvl_note_thread(struct mgm_loop *l) {
  if (!l->host)
    return;
  pthread_mutex_lock(&l->mu);
  l->owner = uv_thread_self();
  pthread_mutex_unlock(&l->mu);
}

static void uvl_on_timer(uv_timer_t *t) {
  struct mgm_loop *l = t->data;

  uvl_note_thread(l);
  l->hooks->on_timer(l->ctx);
}

static void uvl_on_poll(uv_poll_t *p, int status, int events) {
  struct mgm_loop *l = p->data;
  /* loop.h: a host's other callbacks may have aged the wake time */
  uint64_t now = l->host ? 0 : uv_now(l->uv);

  uvl_note_thread(l);
  if (l->hooks->on_fd_readable != NULL)
    l->hooks->on_fd_readable(l->ctx, l->pfds[p - l->polls], now);
  else
    l->hooks->on_readable(l->ctx, now);
}

static void uvl_apply_arm(struct mgm_loop *l) {
  int64_t d;
  int pending;

  pthread_mutex_lock(&l->mu);
  d = l->arm_delay;
  pending = l->arm_pending;
  l->arm_pending = 0;
  pthread_mutex_unlock(&l->mu);
  if (!pending || l->closing)
    return;
  if (d < 0)
    uv_timer_stop(&l->timer);
  else
    uv_timer_start(&l->timer, uvl_on_timer, (uint64_t)d, 0);
}

static void uvl_close_cb(uv_handle_t *h) {
  struct mgm_loop *l = h->data;

  if (--l->open_handles > 0)
    return;
  if (l->free_on_close) {
    uvl_free(l);
    return;
  }
  pthread_mutex_lock(&l->q.mu);
  l->closed = 1;
  pthread_cond_broadcast(&l->q.cv);
  pthread_mutex_unlock(&l->q.mu);
}

/* Loop thread: close every handle (once).  The close callbacks run in the
 * loop's close phase; the last one frees or signals (uvl_close_cb). */
static void uvl_close_handles(struct mgm_loop *l) {
  int i;

  if (l->closing)
    return;
  l->closing = 1;
  for (i = 0; i < l->npolls; i++)
    uv_close((uv_handle_t *)&l->polls[i], uvl_close_cb);
  uv_close((uv_handle_t *)&l->timer, uvl_close_cb);
  uv_close((uv_handle_t *)&l->async, uvl_close_cb);
}

static void uvl_close_fn(void *arg) {
  uvl_close_handles(arg);
}

static void uvl_on_async(uv_async_t *a) {
  struct mgm_loop *l = a->data;

  uvl_note_thread(l);
  uvl_apply_arm(l);
  mgm__loopq_run_all(&l->q);
}

static void uvl_thread(void *arg) {
  struct mgm_loop *l = arg;

  uv_run(l->uv, UV_RUN_DEFAULT);
}

static int uvl_open(void *host, const struct mgm_loop_hooks *hooks, void *ctx,
                    struct mgm_loop **out) {
  struct mgm_loop *l = calloc(1, sizeof(*l));

  if (l == NULL)
    return -1;
  l->hooks = hooks;
  l->ctx = ctx;
  l->arm_delay = -1;
  l->host = host != NULL;
  l->uv = host ? (uv_loop_t *)host : &l->own;
  l->owner = uv_thread_self();
  if (!l->host && uv_loop_init(&l->own) != 0)
    goto fail_loop;
  if (mgm__loopq_init(&l->q) != 0)
    goto fail_q;
  if (pthread_mutex_init(&l->mu, NULL) != 0)
    goto fail_mu;
  if (uv_async_init(l->uv, &l->async, uvl_on_async) != 0)
    goto fail_async;
  l->async.data = l;
  uv_timer_init(l->uv, &l->timer); /* cannot fail */
  l->timer.data = l;
  l->open_handles = 2;
  if (l->host) {
    /* Learn the loop's thread at its first iteration. */
    uv_async_send(&l->async);
    *out = l;
    return 0;
  }
  if (uv_thread_create(&l->thread, uvl_thread, l) != 0)
    goto fail_thread;
  *out = l;
  return 0;

fail_thread:
  uvl_close_handles(l);
  uv_run(&l->own, UV_RUN_DEFAULT); /* runs the close callbacks */
fail_async:
  pthread_mutex_destroy(&l->mu);
fail_mu:
  mgm__loopq_destroy(&l->q);
fail_q:
  if (!l->host)
    uv_loop_close(&l->own);
fail_loop:
  free(l);
  return -1;
}

static int uvl_on_loop_thread(struct mgm_loop *l) {
  uv_thread_t self = uv_thread_self();
  int eq;

  if (!l->host)
    return uv_thread_equal(&self, &l->thread);
  pthread_mutex_lock(&l->mu);
  eq = uv_thread_equal(&self, &l->owner);
  pthread_mutex_unlock(&l->mu);
  return eq;
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
  if (l->hooks->on_post)
    l->hooks->on_post(l->ctx);
  if (wait)
    mgm__loopq_wait(&l->q, t);
  return 0;
}

static void uvl_run_queued(struct mgm_loop *l) {
  mgm__loopq_run_all(&l->q);
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

    if (uv_poll_init(l->uv, p, w->fds[i]) != 0) {
      w->rc = -1;
      return;
    }
    p->data = l;
    l->pfds[l->npolls] = w->fds[i];
    l->npolls++;
    l->open_handles++;
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
  pthread_mutex_lock(&l->mu);
  l->arm_delay = delay_ms;
  l->arm_pending = 1;
  pthread_mutex_unlock(&l->mu);
  uv_async_send(&l->async);
}

static void uvl_close(struct mgm_loop *l) {
  if (!l->host) {
    /* The loop thread closes the handles; its uv_run then returns. */
    uvl_run(l, uvl_close_fn, l, 1);
    uv_thread_join(&l->thread);
    uv_loop_close(&l->own);
    uvl_free(l);
    return;
  }
  if (uvl_on_loop_thread(l)) {
    /* The host runs the close phase later: the last callback frees. */
    mgm__loopq_run_all(&l->q);
    l->free_on_close = 1;
    uvl_close_handles(l);
    return;
  }
  /* Another thread: the host's loop thread closes, this thread waits for
   * the handles to be released and frees. */
  uvl_run(l, uvl_close_fn, l, 0);
  pthread_mutex_lock(&l->q.mu);
  while (!l->closed)
    pthread_cond_wait(&l->q.cv, &l->q.mu);
  pthread_mutex_unlock(&l->q.mu);
  uvl_free(l);
}

const struct mgm_loop_ops mgm__loop_uv_ops = {
    "uv",    uvl_open, uvl_close,          uvl_watch,
    uvl_arm, uvl_run,  uvl_on_loop_thread, uvl_run_queued};
