/*
 * test_lockstate.c - the record of the core lock's owner behind
 * MGM_ASSERT_LOCKED and MGM_ASSERT_UNLOCKED (src/core/core.h).
 *
 * SPDX-License-Identifier: MIT
 *
 * With assertions on (Debug builds), mgm__lock records the calling thread
 * and mgm__unlock clears it, so the assertions hold exactly when the
 * calling thread holds the lock (another thread holding it does not
 * count), and a violated one aborts.  With assertions off (NDEBUG) nothing
 * is recorded: the record stays 0.
 */
#include "fx_criterion.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"

static struct mgm_core core; /* only its lock and owner record are used */

static void *mine_elsewhere(void *arg) {
  return (void *)(intptr_t)mgm__lock_mine(arg);
}

/* Whether another thread sees the lock as its own. */
static int mine_on_other_thread(void) {
  pthread_t t;
  void *r = NULL;

  cr_assert(pthread_create(&t, NULL, mine_elsewhere, &core) == 0);
  cr_assert(pthread_join(t, &r) == 0);
  return r != NULL;
}

/* Run fn in a child process: 1 if it died of SIGABRT, 0 if it exited. */
static int aborts(void (*fn)(void)) {
  pid_t pid = fork();
  int st = 0;

  cr_assert(pid >= 0);
  if (pid == 0) {
    fn();
    _exit(0);
  }
  cr_assert(waitpid(pid, &st, 0) == pid);
  return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

static void assert_locked_without_lock(void) {
  MGM_ASSERT_LOCKED(&core);
}

static void assert_unlocked_with_lock(void) {
  mgm__lock(&core);
  MGM_ASSERT_UNLOCKED(&core);
  mgm__unlock(&core);
}

static void setup(void) {
  cr_assert(pthread_mutex_init(&core.lock, NULL) == 0);
}

TestSuite(lockstate, .init = setup);

Test(lockstate, owner_follows_lock_and_unlock) {
  cr_assert(!mgm__lock_mine(&core));
  mgm__lock(&core);
#ifdef NDEBUG
  cr_assert(atomic_load(&core.lock_owner) == 0, "recorded without assert");
#else
  cr_assert(mgm__lock_mine(&core), "the locking thread is not the owner");
  MGM_ASSERT_LOCKED(&core);
#endif
  cr_assert(!mine_on_other_thread(), "another thread counts as the owner");
  mgm__unlock(&core);
  cr_assert(!mgm__lock_mine(&core));
  cr_assert(atomic_load(&core.lock_owner) == 0);
  MGM_ASSERT_UNLOCKED(&core);
}

Test(lockstate, violations_abort_with_assertions_on) {
#ifdef NDEBUG
  cr_assert(!aborts(assert_locked_without_lock));
  cr_assert(!aborts(assert_unlocked_with_lock));
#else
  cr_assert(aborts(assert_locked_without_lock));
  cr_assert(aborts(assert_unlocked_with_lock));
#endif
}
