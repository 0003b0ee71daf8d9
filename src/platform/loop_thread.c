/*
 * loop_thread.c - the libuv-free loop driver: one thread that runs posted
 * tasks and fires the core's deadline.  It watches no descriptors, so it
 * serves backends that need none: the sim, or one that asks for dispatch
 * with the wake upcall (platform.h).  It is the Windows DLL's driver
 * (Debian has no mingw libuv) and is also built elsewhere for testing.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <pthread.h> /* first: mingw-w64 declares clock_gettime here */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "platform/loop.h"
#include "platform/loopq.h"

struct mgm_loop {
  pthread_t thread;
  struct mgm_loopq q;
  int64_t deadline_ms; /* absolute (CLOCK_REALTIME ms), -1 = none */
  int stopping;
  int kick; /* work queued: wake up */
  const struct mgm_loop_hooks *hooks;
  void *ctx;
};

static int64_t thr_now_ms(void) {
  struct timespec ts;

  clock_gettime(CLOCK_REALTIME, &ts); /* pthread_cond_timedwait's clock */
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *thr_main(void *arg) {
  struct mgm_loop *l = arg;

  pthread_mutex_lock(&l->q.mu);
  while (!l->stopping) {
    int64_t dl = l->deadline_ms;

    if (l->kick || l->q.head) {
      l->kick = 0;
      pthread_mutex_unlock(&l->q.mu);
      mgm__loopq_run_all(&l->q);
      pthread_mutex_lock(&l->q.mu);
      continue;
    }
    if (dl >= 0 && thr_now_ms() >= dl) {
      l->deadline_ms = -1;
      pthread_mutex_unlock(&l->q.mu);
      l->hooks->on_timer(l->ctx);
      pthread_mutex_lock(&l->q.mu);
      continue;
    }
    if (dl >= 0) {
      struct timespec ts;

      ts.tv_sec = (time_t)(dl / 1000);
      ts.tv_nsec = (long)(dl % 1000) * 1000000;
      pthread_cond_timedwait(&l->q.cv, &l->q.mu, &ts);
    } else {
      pthread_cond_wait(&l->q.cv, &l->q.mu);
    }
  }
  pthread_mutex_unlock(&l->q.mu);
  mgm__loopq_run_all(&l->q);
  return NULL;
}

static int thr_open(void *host, const struct mgm_loop_hooks *hooks, void *ctx,
                    struct mgm_loop **out) {
  struct mgm_loop *l;

  if (host != NULL)
    return -1; /* no libuv: host loops are not supported */
  l = calloc(1, sizeof(*l));
  if (l == NULL)
    return -1;
  l->hooks = hooks;
  l->ctx = ctx;
  l->deadline_ms = -1;
  if (mgm__loopq_init(&l->q) != 0) {
    free(l);
    return -1;
  }
  if (pthread_create(&l->thread, NULL, thr_main, l) != 0) {
    mgm__loopq_destroy(&l->q);
    free(l);
    return -1;
  }
  *out = l;
  return 0;
}

static void thr_wake(struct mgm_loop *l) {
  pthread_mutex_lock(&l->q.mu);
  l->kick = 1;
  pthread_cond_broadcast(&l->q.cv);
  pthread_mutex_unlock(&l->q.mu);
}

static int thr_on_loop_thread(struct mgm_loop *l) {
  return pthread_equal(pthread_self(), l->thread);
}

static int thr_run(struct mgm_loop *l, void (*fn)(void *), void *arg,
                   int wait) {
  struct mgm_task storage, *t;

  if (wait && thr_on_loop_thread(l)) {
    fn(arg);
    return 0;
  }
  if (mgm__loopq_push(&l->q, fn, arg, wait, &storage, &t) != 0)
    return -1;
  thr_wake(l);
  if (l->hooks->on_post)
    l->hooks->on_post(l->ctx);
  if (wait)
    mgm__loopq_wait(&l->q, t);
  return 0;
}

static void thr_run_queued(struct mgm_loop *l) {
  mgm__loopq_run_all(&l->q);
}

static int thr_watch(struct mgm_loop *l, const int *fds, size_t n) {
  return n == 0 ? 0 : -1; /* no descriptors */
}

static void thr_arm(struct mgm_loop *l, int64_t delay_ms) {
  pthread_mutex_lock(&l->q.mu);
  l->deadline_ms = delay_ms < 0 ? -1 : thr_now_ms() + delay_ms;
  pthread_cond_broadcast(&l->q.cv);
  pthread_mutex_unlock(&l->q.mu);
}

static void thr_close(struct mgm_loop *l) {
  pthread_mutex_lock(&l->q.mu);
  l->stopping = 1;
  pthread_cond_broadcast(&l->q.cv);
  pthread_mutex_unlock(&l->q.mu);
  pthread_join(l->thread, NULL);
  mgm__loopq_destroy(&l->q);
  free(l);
}

const struct mgm_loop_ops mgm__loop_thread_ops = {
    "thread", thr_open, thr_close,          thr_watch,
    thr_arm,  thr_run,  thr_on_loop_thread, thr_run_queued};
