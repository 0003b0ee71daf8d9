/*
 * loopq.c - cross-thread task queue shared by the loop drivers.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>

#include "platform/loopq.h"

int mgm__loopq_init(struct mgm_loopq *q) {
  q->head = q->tail = NULL;
  if (pthread_mutex_init(&q->mu, NULL) != 0)
    return -1;
  if (pthread_cond_init(&q->cv, NULL) != 0) {
    pthread_mutex_destroy(&q->mu);
    return -1;
  }
  return 0;
}

void mgm__loopq_destroy(struct mgm_loopq *q) {
  mgm__loopq_run_all(q); /* nothing may be left waiting */
  pthread_cond_destroy(&q->cv);
  pthread_mutex_destroy(&q->mu);
}

int mgm__loopq_push(struct mgm_loopq *q, void (*fn)(void *), void *arg,
                    int wait, struct mgm_task *storage, struct mgm_task **out) {
  struct mgm_task *t = wait ? storage : malloc(sizeof(*t));

  if (t == NULL)
    return -1;
  t->fn = fn;
  t->arg = arg;
  t->wait = wait;
  t->done = 0;
  t->next = NULL;
  pthread_mutex_lock(&q->mu);
  if (q->tail)
    q->tail->next = t;
  else
    q->head = t;
  q->tail = t;
  pthread_mutex_unlock(&q->mu);
  *out = t;
  return 0;
}

void mgm__loopq_wait(struct mgm_loopq *q, struct mgm_task *t) {
  pthread_mutex_lock(&q->mu);
  while (!t->done)
    pthread_cond_wait(&q->cv, &q->mu);
  pthread_mutex_unlock(&q->mu);
}

void mgm__loopq_run_all(struct mgm_loopq *q) {
  for (;;) {
    struct mgm_task *t;

    pthread_mutex_lock(&q->mu);
    t = q->head;
    if (t) {
      q->head = t->next;
      if (q->head == NULL)
        q->tail = NULL;
    }
    pthread_mutex_unlock(&q->mu);
    if (t == NULL)
      break;
    t->fn(t->arg);
    if (t->wait) {
      pthread_mutex_lock(&q->mu);
      t->done = 1;
      pthread_cond_broadcast(&q->cv);
      pthread_mutex_unlock(&q->mu);
    } else {
      free(t);
    }
  }
}
