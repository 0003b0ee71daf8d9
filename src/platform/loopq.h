/*
 * loopq.h - the task queue both loop drivers use: tasks posted from any
 * thread, run on the loop thread, optionally waited for.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef MGM_LOOPQ_H
#define MGM_LOOPQ_H

#include <pthread.h>

struct mgm_task {
  void (*fn)(void *);
  void *arg;
  int wait; /* poster waits for done */
  int done;
  struct mgm_task *next;
};

struct mgm_loopq {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  struct mgm_task *head, *tail;
};

int mgm__loopq_init(struct mgm_loopq *q);
void mgm__loopq_destroy(struct mgm_loopq *q);
/* Queue a task (copied to the heap when not waited for); caller wakes the
 * loop, then mgm__loopq_wait() if t->wait. */
int mgm__loopq_push(struct mgm_loopq *q, void (*fn)(void *), void *arg,
                    int wait, struct mgm_task *storage, struct mgm_task **out);
void mgm__loopq_wait(struct mgm_loopq *q, struct mgm_task *t);
/* Loop thread: run every queued task. */
void mgm__loopq_run_all(struct mgm_loopq *q);

#endif /* MGM_LOOPQ_H */
