/*
 * queue.c - the Linux backend's upcall records: interface events and
 * mfe_gone notices found under the lock, queued in order and delivered by
 * the loop thread with the lock dropped (linux.h), and the self-pipe that
 * makes the loop call dispatch() while records wait.
 *
 * SPDX-License-Identifier: MIT
 */
#include "linux.h"
#include "platform/posix/sys.h"

#include <stdlib.h>
#include <string.h>

static void lnx_queue_wake(struct mgm_backend *be) {
  char c = 1;

  if (be->woken || be->wake[1] < 0)
    return;
  if (mgm__sys_write(be->wake[1], &c, 1) == 1)
    be->woken = 1;
}

static void lnx_queue_unwake(struct mgm_backend *be) {
  char buf[64];

  if (!be->woken)
    return;
  while (mgm__sys_read(be->wake[0], buf, sizeof(buf)) > 0)
    ;
  be->woken = 0;
}

static void lnx_queue_push(struct mgm_backend *be, struct mgm__lnx_rec *r) {
  r->next = NULL;
  if (be->rec_tail != NULL)
    be->rec_tail->next = r;
  else
    be->rec_head = r;
  be->rec_tail = r;
  lnx_queue_wake(be);
}

static uint32_t lnx_queue_flags(uint32_t iff) {
  uint32_t f = 0;

  if (iff & 0x1) /* IFF_UP */
    f |= MGM_IFF_UP;
  if (iff & 0x40) /* IFF_RUNNING */
    f |= MGM_IFF_RUNNING;
  if (iff & 0x1000) /* IFF_MULTICAST */
    f |= MGM_IFF_MULTICAST;
  if (iff & 0x8) /* IFF_LOOPBACK */
    f |= MGM_IFF_LOOPBACK;
  return f;
}

void mgm__lnx_queue_if(struct mgm_backend *be, enum mgm_if_ev type,
                       const struct mgm__lnx_if *ifp, uint32_t addr,
                       uint8_t prefixlen) {
  struct mgm__lnx_rec *r;

  MGM__LNX_ASSERT_LOCKED(be);
  r = calloc(1, sizeof(*r));
  if (r == NULL) {
    be->cnt.rec_lost++;
    be->desync = 1;
    return;
  }
  r->kind = MGM__LNX_REC_IF;
  memcpy(r->name, ifp->name, sizeof(r->name));
  r->name[sizeof(r->name) - 1] = '\0';
  r->ev.type = type;
  r->ev.ifindex = ifp->ifindex;
  r->ev.name = NULL; /* set at delivery: the record may move */
  r->ev.flags = lnx_queue_flags(ifp->flags);
  r->ev.addr = addr;
  r->ev.prefixlen = prefixlen;
  lnx_queue_push(be, r);
}

void mgm__lnx_queue_gone(struct mgm_backend *be, const struct mgm_mfe_key *key,
                         enum mgm_mfe_gone why) {
  struct mgm__lnx_rec *r;

  MGM__LNX_ASSERT_LOCKED(be);
  r = calloc(1, sizeof(*r));
  if (r == NULL) {
    be->cnt.rec_lost++;
    return;
  }
  r->kind = MGM__LNX_REC_GONE;
  r->key = *key;
  r->why = why;
  lnx_queue_push(be, r);
}

unsigned mgm__lnx_queue_deliver(struct mgm_backend *be, unsigned budget) {
  struct mgm__lnx_rec *r;
  unsigned n = 0;

  while (n < budget) {
    pthread_mutex_lock(&be->lock);
    r = be->rec_head;
    if (r != NULL) {
      be->rec_head = r->next;
      if (be->rec_head == NULL)
        be->rec_tail = NULL;
    } else {
      lnx_queue_unwake(be);
    }
    pthread_mutex_unlock(&be->lock);
    if (r == NULL)
      break;
    if (r->kind == MGM__LNX_REC_IF) {
      r->ev.name = r->name[0] != '\0' ? r->name : NULL;
      if (be->up->if_event != NULL)
        be->up->if_event(be->ctx, &r->ev);
    } else if (be->up->mfe_gone != NULL) {
      be->up->mfe_gone(be->ctx, &r->key, r->why);
    }
    free(r);
    n++;
  }
  return n;
}

void mgm__lnx_queue_free(struct mgm_backend *be) {
  struct mgm__lnx_rec *r;

  while ((r = be->rec_head) != NULL) {
    be->rec_head = r->next;
    free(r);
  }
  be->rec_tail = NULL;
}
