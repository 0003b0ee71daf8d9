/*
 * test_seam.c - the core's side of the backend seam (platform.h) that the
 * sim does not use by itself: the wake upcall, with which a backend whose
 * events no descriptor shows (one in another process) has the core
 * dispatch on its loop thread.
 *
 * SPDX-License-Identifier: MIT
 *
 * The upcall is called here as a backend would, on the sim; the dispatch
 * it causes is seen as the plat channel's trace line of the wrapper
 * (core/backend.c), with the thread that logged it.  No timing: the test
 * waits on a condition variable for the line.
 */
#include "fixture.h"

#include "fx_criterion.h"

#include "core/core.h" /* mgm__upcall_table, the default instance */

#include <pthread.h>
#include <string.h>

static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t seen_cv = PTHREAD_COND_INITIALIZER;
static unsigned n_dispatch;  /* dispatch() calls traced so far */
static pthread_t dispatcher; /* the thread of the last one */

static void seen_log(void *ctx, int level, const char *channel,
                     const char *message) {
  (void)ctx;
  (void)level;
  if (strcmp(channel, "plat") != 0 || strncmp(message, "dispatch(", 9) != 0)
    return;
  pthread_mutex_lock(&seen_mu);
  n_dispatch++;
  dispatcher = pthread_self();
  pthread_cond_broadcast(&seen_cv);
  pthread_mutex_unlock(&seen_mu);
}

static unsigned dispatches(void) {
  unsigned n;

  pthread_mutex_lock(&seen_mu);
  n = n_dispatch;
  pthread_mutex_unlock(&seen_mu);
  return n;
}

static void start(void) {
  struct libmgm_config c;

  libmgm_config_init(&c);
  c.backend = "sim";
  c.log = "warn,plat=trace";
  c.log_fn = seen_log;
  cr_assert_eq(libmgm_start(&c), NO_ERROR);
}

/* Wake as the backend would, then wait for a dispatch after the n seen. */
static pthread_t wake_and_wait(unsigned n) {
  pthread_t t;

  mgm__upcall_table.wake(mgm__core_default());
  pthread_mutex_lock(&seen_mu);
  while (n_dispatch <= n)
    pthread_cond_wait(&seen_cv, &seen_mu);
  t = dispatcher;
  pthread_mutex_unlock(&seen_mu);
  return t;
}

TestSuite(seam, .timeout = 30);

Test(seam, a_wake_makes_the_loop_thread_dispatch) {
  pthread_t t;

  start();
  t = wake_and_wait(dispatches());
  cr_assert(!pthread_equal(t, pthread_self()),
            "the dispatch ran on the waking thread, not the loop's");
  cr_assert_eq(libmgm_stop(), NO_ERROR);
}

/* Once stopped, a late wake posts nothing (the loop is gone); after a new
 * start it works again. */
Test(seam, a_wake_after_stop_is_ignored) {
  unsigned n;

  start();
  cr_assert_eq(libmgm_stop(), NO_ERROR);
  n = dispatches();
  mgm__upcall_table.wake(mgm__core_default());
  cr_assert_eq(dispatches(), n);
  start();
  wake_and_wait(dispatches());
  cr_assert_eq(libmgm_stop(), NO_ERROR);
}

/* Many wakes from another thread while the loop runs (at most one drain
 * posted at a time): the loop keeps answering them. */
static void *waker(void *arg) {
  int i;

  (void)arg;
  for (i = 0; i < 1000; i++)
    mgm__upcall_table.wake(mgm__core_default());
  return NULL;
}

Test(seam, wakes_from_another_thread_while_running) {
  pthread_t th;

  start();
  cr_assert_eq(pthread_create(&th, NULL, waker, NULL), 0);
  cr_assert_eq(pthread_join(th, NULL), 0);
  wake_and_wait(dispatches());
  cr_assert_eq(libmgm_stop(), NO_ERROR);
}

/* ---- The interface-event hook (libmgm_set_if_hook) ----------------------- */

#define IFEV_MAX 16
static struct libmgm_if_event ifev[IFEV_MAX];
static unsigned n_ifev;
static DWORD ifev_stop_rc;

static void ifev_record(void *ctx, const struct libmgm_if_event *ev) {
  (void)ctx;
  if (n_ifev < IFEV_MAX)
    ifev[n_ifev] = *ev;
  n_ifev++;
}

static void ifev_stop(void *ctx, const struct libmgm_if_event *ev) {
  ifev_record(ctx, ev);
  ifev_stop_rc = libmgm_stop();
}

TestSuite(ifhook, .init = fx_setup, .fini = fx_teardown, .timeout = 30);

Test(ifhook, reports_add_address_down_up_and_delete_in_order) {
  DWORD a = fx_ip(10, 9, 0, 1);

  n_ifev = 0;
  cr_assert_eq(libmgm_set_if_hook(ifev_record, NULL), NO_ERROR);
  cr_assert_eq(libmgm_sim_if_add(9, "r9", a, 24), NO_ERROR);
  cr_assert_eq(libmgm_sim_if_set_up(9, FALSE), NO_ERROR);
  cr_assert_eq(libmgm_sim_if_set_up(9, TRUE), NO_ERROR);
  cr_assert_eq(libmgm_sim_if_del(9), NO_ERROR);
  cr_assert_eq(n_ifev, 5, "%u events", n_ifev);
  cr_assert_eq(ifev[0].kind, LIBMGM_IF_ADDED);
  cr_assert_eq(ifev[0].size, sizeof(struct libmgm_if_event));
  cr_assert_eq(ifev[0].ifindex, 9);
  cr_assert(strcmp(ifev[0].name, "r9") == 0, "name %s", ifev[0].name);
  cr_assert(ifev[0].up);
  cr_assert_eq(ifev[0].addr, 0);
  cr_assert_eq(ifev[1].kind, LIBMGM_IF_ADDR_ADDED);
  cr_assert_eq(ifev[1].addr, a);
  cr_assert_eq(ifev[2].kind, LIBMGM_IF_DOWN);
  cr_assert(!ifev[2].up);
  cr_assert_eq(ifev[3].kind, LIBMGM_IF_UP);
  cr_assert(ifev[3].up);
  cr_assert_eq(ifev[4].kind, LIBMGM_IF_DELETED);
  cr_assert(!ifev[4].up);
  cr_assert(strcmp(ifev[4].name, "r9") == 0, "name %s", ifev[4].name);
  cr_assert_eq(libmgm_set_if_hook(NULL, NULL), NO_ERROR);
  cr_assert_eq(libmgm_sim_if_add(9, "r9", a, 24), NO_ERROR);
  cr_assert_eq(n_ifev, 5, "no hook, yet %u events", n_ifev);
}

Test(ifhook, the_slot_is_lost_after_the_core_dropped_it) {
  n_ifev = 0;
  fx_register(0, 1, 1);
  cr_assert_eq(libmgm_sim_if_add(9, "r9", 0, 0), NO_ERROR);
  fx_take(0, 9, 0);
  cr_assert_eq(libmgm_set_if_hook(ifev_record, NULL), NO_ERROR);
  cr_assert_eq(libmgm_sim_if_del(9), NO_ERROR);
  cr_assert_eq(n_ifev, 2, "%u events", n_ifev);
  cr_assert_eq(ifev[0].kind, LIBMGM_IF_DELETED);
  cr_assert_eq(ifev[1].kind, LIBMGM_IF_SLOT_LOST);
  cr_assert_eq(libmgm_set_if_hook(NULL, NULL), NO_ERROR);
  fx_release(0, 9, 0);
}

Test(ifhook, stop_from_the_hook_is_refused) {
  n_ifev = 0;
  ifev_stop_rc = 0xFFFFu;
  cr_assert_eq(libmgm_set_if_hook(ifev_stop, NULL), NO_ERROR);
  cr_assert_eq(libmgm_sim_if_add(9, "r9", 0, 0), NO_ERROR);
  cr_assert_eq(n_ifev, 1, "%u events", n_ifev);
  cr_assert_eq(ifev_stop_rc, ERROR_CAN_NOT_COMPLETE, "stop from the hook = %u",
               (unsigned)ifev_stop_rc);
  cr_assert_eq(libmgm_set_if_hook(NULL, NULL), NO_ERROR);
}
