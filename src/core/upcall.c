/*
 * upcall.c - the backend's events reach the core: the upcalls the core
 * gives the backend at open, and the drain that has the backend deliver
 * them.
 *
 * SPDX-License-Identifier: MIT
 *
 * Upcalls run on the loop thread, from the backend's dispatch() or
 * resync(), without the core lock held; each handler takes it.  wake is
 * the exception: any thread, and it only asks the loop for a drain.
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"

#define MGM_DRAIN_BUDGET 64

/* The host's view of a backend event (libmgm_set_if_hook). */
static void up_if_public(const struct mgm_if_event *ev,
                         struct libmgm_if_event *out) {
  static const uint32_t kinds[] = {[MGM_IF_ADD] = LIBMGM_IF_ADDED,
                                   [MGM_IF_DEL] = LIBMGM_IF_DELETED,
                                   [MGM_IF_UP] = LIBMGM_IF_UP,
                                   [MGM_IF_DOWN] = LIBMGM_IF_DOWN,
                                   [MGM_IF_ADDR_ADD] = LIBMGM_IF_ADDR_ADDED,
                                   [MGM_IF_ADDR_DEL] = LIBMGM_IF_ADDR_DELETED,
                                   [MGM_IF_RENAME] = LIBMGM_IF_RENAMED,
                                   [MGM_IF_SLOT_LOST] = LIBMGM_IF_SLOT_LOST};
  int addr = ev->type == MGM_IF_ADDR_ADD || ev->type == MGM_IF_ADDR_DEL;

  memset(out, 0, sizeof(*out));
  out->size = (uint32_t)sizeof(*out);
  out->kind = kinds[ev->type];
  out->ifindex = ev->ifindex;
  if (ev->name)
    snprintf(out->name, sizeof(out->name), "%s", ev->name);
  out->up = ev->type == MGM_IF_UP ||
            (ev->type != MGM_IF_DOWN && ev->type != MGM_IF_DEL &&
             (ev->flags & MGM_IFF_UP) != 0);
  out->addr = addr ? ev->addr : 0;
  out->prefixlen = addr ? ev->prefixlen : 0;
}

/* The core follows the event first (slots), then the host hears of it,
 * without the lock like every callback. */
static void up_if_event(void *ctx, const struct mgm_if_event *ev) {
  struct mgm_core *c = ctx;
  struct libmgm_if_event pub;
  libmgm_if_fn fn;
  void *fctx;

  mgm__if_on_event(c, ev);
  if ((unsigned)ev->type > MGM_IF_SLOT_LOST)
    return;
  mgm__lock(c);
  fn = c->if_fn;
  fctx = c->if_ctx;
  mgm__unlock(c);
  if (fn == NULL)
    return;
  up_if_public(ev, &pub);
  fn(fctx, &pub);
}

static void up_no_entry(void *ctx, uint32_t iif, uint32_t src, uint32_t grp,
                        const void *hdr, size_t hdrlen) {
  mgm__mfe_on_no_entry(ctx, iif, src, grp, hdr, hdrlen);
}

static void up_wrong_if(void *ctx, uint32_t iif, uint32_t src, uint32_t grp,
                        const void *hdr, size_t hdrlen) {
  mgm__mfe_on_wrong_if(ctx, iif, src, grp, hdr, hdrlen);
}

static void up_mfe_gone(void *ctx, const struct mgm_mfe_key *k,
                        enum mgm_mfe_gone why) {
  mgm__mfe_on_gone(ctx, k, why);
}

static void up_ctrl_packet(void *ctx, uint32_t ifindex, const void *pkt,
                           size_t len) {
  struct mgm_core *c = ctx;
  libmgm_ctrl_fn fn;
  void *fctx;

  mgm__lock(c);
  fn = c->ctrl_fn;
  fctx = c->ctrl_ctx;
  mgm__unlock(c);
  MGM_TRACE(c, MGM_CH_PLAT, "control packet on %u (%u bytes)%s",
            (unsigned)ifindex, (unsigned)len, fn ? "" : ": no hook");
  if (fn)
    fn(fctx, ifindex, pkt, (DWORD)len);
}

/* Any thread, lock or not: events wait that no descriptor shows. */
static void up_wake(void *ctx) {
  mgm__onloop_wake(ctx);
}

const struct mgm_be_upcalls mgm__upcall_table = {up_if_event,    up_no_entry,
                                                 up_wrong_if,    up_mfe_gone,
                                                 up_ctrl_packet, up_wake};

/* Deliver what the backend has (of descriptor fd, or -1: all).  A
 * dispatch that handled fewer events than its budget found nothing more
 * waiting (platform.h), so asking again would only cost the backend empty
 * reads.  now_ms goes to the first dispatch only: the later ones come
 * after the first one's upcalls ran. */
void mgm__upcall_drain(struct mgm_core *c, int fd, uint64_t now_ms) {
  int rc;

  do {
    rc = fd < 0 ? mgm__be_dispatch(c, MGM_DRAIN_BUDGET, now_ms)
                : mgm__be_dispatch_fd(c, fd, MGM_DRAIN_BUDGET, now_ms);
    now_ms = 0;
    if (rc == MGM_BE_EDESYNC) {
      MGM_WARN(c, MGM_CH_PLAT, "forwarder events were lost; resynchronising");
      mgm__be_resync(c);
    }
  } while (rc >= MGM_DRAIN_BUDGET);
}

/* A resync as a loop task (start). */
void mgm__upcall_resync(void *c) {
  mgm__be_resync(c);
}
