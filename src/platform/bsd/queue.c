/*
 * queue.c - the BSD backend's upcall records: interface events and
 * mfe_gone notices found under the lock, queued in order and delivered
 * with the lock dropped (bsd.h), and the self-pipe that makes the loop
 * call dispatch() for records an op queued.
 *
 * SPDX-License-Identifier: MIT
 */
#include "platform/bsd/bsd.h"
#include "platform/posix/sys.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Append a record; a byte on the pipe wakes the loop if an op queued it. */
static void bsd_queue_push(struct mgm_backend *be, struct mgm_bsd_rec *r) {
  char one = 1;

  r->next = NULL;
  if (be->rec_tail != NULL)
    be->rec_tail->next = r;
  else
    be->rec_head = r;
  be->rec_tail = r;
  if (be->wake_wr >= 0 && mgm__sys_write(be->wake_wr, &one, 1) < 0) {
    /* a full pipe already means "wake up" */
  }
}

void mgm__bsd_queue_if(struct mgm_backend *be, enum mgm_if_ev type,
                       const struct mgm_bsd_iface *ifp, uint32_t addr,
                       uint8_t prefixlen) {
  struct mgm_bsd_rec *r;

  MGM__BSD_ASSERT_LOCKED(be);
  r = calloc(1, sizeof(*r));
  if (r == NULL) {
    mgm__bsd_log(be, MGM__BSD_LOG_WARN,
                 "bsd: out of memory; interface event %d for %u lost",
                 (int)type, (unsigned)ifp->ifindex);
    return;
  }
  memcpy(r->name, ifp->name, sizeof(r->name));
  r->ev.type = type;
  r->ev.ifindex = ifp->ifindex;
  r->ev.flags = ifp->flags;
  r->ev.addr = addr;
  r->ev.prefixlen = prefixlen;
  bsd_queue_push(be, r);
}

void mgm__bsd_queue_gone(struct mgm_backend *be, const struct mgm_mfe_key *key,
                         enum mgm_mfe_gone why) {
  struct mgm_bsd_rec *r;

  MGM__BSD_ASSERT_LOCKED(be);
  r = calloc(1, sizeof(*r));
  if (r == NULL) {
    mgm__bsd_log(be, MGM__BSD_LOG_WARN,
                 "bsd: out of memory; an mfe_gone notice is lost");
    return;
  }
  r->is_gone = 1;
  r->key = *key;
  r->why = why;
  bsd_queue_push(be, r);
}

unsigned mgm__bsd_queue_deliver(struct mgm_backend *be) {
  struct mgm_bsd_rec *r;
  unsigned n = 0;

  for (;;) {
    pthread_mutex_lock(&be->lock);
    r = be->rec_head;
    if (r != NULL) {
      be->rec_head = r->next;
      if (be->rec_head == NULL)
        be->rec_tail = NULL;
    }
    pthread_mutex_unlock(&be->lock);
    if (r == NULL)
      break;
    if (r->is_gone) {
      if (be->up.mfe_gone != NULL)
        be->up.mfe_gone(be->ctx, &r->key, r->why);
    } else {
      r->ev.name = r->name[0] != '\0' ? r->name : NULL;
      if (be->up.if_event != NULL)
        be->up.if_event(be->ctx, &r->ev);
    }
    free(r);
    n++;
  }
  return n;
}

void mgm__bsd_queue_unwake(struct mgm_backend *be) {
  char buf[64];

  if (be->wake_rd < 0)
    return;
  while (mgm__sys_read(be->wake_rd, buf, sizeof(buf)) > 0) {
  }
}

void mgm__bsd_queue_free(struct mgm_backend *be) {
  struct mgm_bsd_rec *r;

  while ((r = be->rec_head) != NULL) {
    be->rec_head = r->next;
    free(r);
  }
}
