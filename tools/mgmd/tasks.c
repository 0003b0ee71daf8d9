/*
 * tasks.c - what mgmd's other threads and modules ask of the main thread:
 * work posted to its queue, a wake-up of its poll loop, a stop; and
 * mgmd_settle(), which runs the queue and the IGMP component until both
 * are idle.
 *
 * SPDX-License-Identifier: MIT
 *
 * main.c owns the wake-up pipe and polls its read end; it hands the write
 * end over with mgmd_tasks_init().  Until then a wake-up is a no-op.
 */
#include "mgmd.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static int wake_fd = -1; /* write end of main.c's wake-up pipe */
static volatile sig_atomic_t stop_requested;

void mgmd_tasks_init(int wake_write_fd) {
  wake_fd = wake_write_fd;
}

struct task {
  struct task *next;
  void (*fn)(void *);
  void *arg;
  const void *owner;
};

static pthread_mutex_t task_mu = PTHREAD_MUTEX_INITIALIZER;
static struct task *task_head, *task_tail;

void mgmd_wakeup(void) {
  char b = 'w';
  ssize_t w;

  if (wake_fd >= 0) {
    w = write(wake_fd, &b, 1); /* full pipe: a wake-up is pending */
    (void)w;
  }
}

int mgmd_post_owned(void (*fn)(void *), void *arg, const void *owner) {
  struct task *t = malloc(sizeof(*t));
  int rc = -1;

  if (t == NULL || fn == NULL) {
    free(t);
    goto out;
  }
  t->next = NULL;
  t->fn = fn;
  t->arg = arg;
  t->owner = owner;
  pthread_mutex_lock(&task_mu);
  if (task_tail)
    task_tail->next = t;
  else
    task_head = t;
  task_tail = t;
  pthread_mutex_unlock(&task_mu);
  mgmd_wakeup();
  rc = 0;
out:
  return rc;
}

int mgmd_post(void (*fn)(void *), void *arg) {
  return mgmd_post_owned(fn, arg, NULL);
}

void mgmd_post_cancel(const void *owner) {
  struct task **pp, *t;

  pthread_mutex_lock(&task_mu);
  task_tail = NULL;
  for (pp = &task_head; (t = *pp) != NULL;) {
    if (t->owner == owner && owner != NULL) {
      *pp = t->next;
      free(t);
    } else {
      task_tail = t;
      pp = &t->next;
    }
  }
  pthread_mutex_unlock(&task_mu);
}

int mgmd_tasks_run(void) {
  struct task *t;
  int n = 0;

  for (;;) {
    pthread_mutex_lock(&task_mu);
    t = task_head;
    if (t) {
      task_head = t->next;
      if (task_head == NULL)
        task_tail = NULL;
    }
    pthread_mutex_unlock(&task_mu);
    if (t == NULL)
      break;
    t->fn(t->arg);
    free(t);
    n++;
  }
  return n;
}

int mgmd_settle(struct mgmd *d) {
  int total = 0, n, rounds = 0;

  /* IGMP first, then the work its MGM calls made plug-ins post; again
   * while anything ran (a posted task may wake IGMP up, and so on). */
  do {
    n = mgmd_igmp_run(d, mgmd_now());
    n += mgmd_tasks_run();
    total += n;
  } while (n > 0 && ++rounds < 1000);
  return total;
}

void mgmd_request_stop(void) {
  stop_requested = 1;
  mgmd_wakeup();
}

int mgmd_stop_requested(void) {
  return stop_requested != 0;
}
