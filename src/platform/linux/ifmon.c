/*
 * ifmon.c - interface tracking for the Linux backend over rtnetlink
 * (kernel.md A.12, A.13).
 *
 * SPDX-License-Identifier: MIT
 *
 * One netlink socket subscribed to RTNLGRP_LINK and RTNLGRP_IPV4_IFADDR
 * turns RTM_NEWLINK / RTM_DELLINK / RTM_NEWADDR / RTM_DELADDR into the
 * core's interface events.  We keep the last known name and flags of each
 * interface so that the stream of RTM_NEWLINK messages (sent for creation
 * and for every later change) becomes IF_ADD, IF_UP / IF_DOWN and
 * IF_RENAME.  When a device that holds one of our VIFs is unregistered the
 * kernel empties the VIF slot without telling the ipmr socket: the
 * RTM_DELLINK here is our only notice, so it triggers the slot scrub
 * (mgm__lnx_vif_lost) and IF_DEL, mfe_gone..., IF_SLOT_LOST, in that
 * order.  An ENOBUFS on the socket means events were lost: the core is
 * told (MGM_BE_EDESYNC) and calls resync(), which re-dumps everything.
 */
#define _GNU_SOURCE 1

#include "linux.h"
#include "platform/posix/sys.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#define LNX_NL_EVENT_RCVBUF (4 * 1024 * 1024)

/* A growable list of interfaces (dump results). */
struct lnx_iflist {
  struct mgm__lnx_if *v;
  size_t n;
  size_t cap;
  int nomem;
};

static int lnx_up(uint32_t iff) {
  return (iff & IFF_UP) && (iff & IFF_RUNNING);
}

static struct mgm__lnx_if *lnx_if_find(struct mgm__lnx_if *v, size_t n,
                                       uint32_t ifindex) {
  size_t i;

  for (i = 0; i < n; i++)
    if (v[i].ifindex == ifindex)
      return &v[i];
  return NULL;
}

static int lnx_iflist_add(struct lnx_iflist *l, const struct mgm__lnx_if *ifp) {
  struct mgm__lnx_if *nv;
  size_t ncap;

  if (l->n == l->cap) {
    ncap = l->cap ? l->cap * 2 : 16;
    nv = realloc(l->v, ncap * sizeof(*nv));
    if (nv == NULL) {
      l->nomem = 1;
      return MGM_BE_ENOMEM;
    }
    l->v = nv;
    l->cap = ncap;
  }
  l->v[l->n++] = *ifp;
  return 0;
}

static void lnx_link_to_if(const struct mgm__lnx_link *lk,
                           struct mgm__lnx_if *ifp) {
  memset(ifp, 0, sizeof(*ifp));
  ifp->ifindex = lk->ifindex;
  ifp->flags = lk->flags;
  memcpy(ifp->name, lk->name, sizeof(ifp->name));
}

/* A link or an address changed: routes through it may have gone or come.
 * The change listener (route.c) hears of it too and flushes the RPF cache,
 * but it is another socket, read in its own turn: an upcall read after
 * this event and before the listener must not be answered from the cache
 * with an interface that is gone (an answer read from the kernel now is
 * cached again).  Such events are rare; the flush is cheap. */
static void lnx_rtc_changed(struct mgm_backend *be) {
  mgm__lnx_route_cache_flush(be);
}

/* An interface disappeared (or was found missing by a dump). */
static void lnx_if_gone(struct mgm_backend *be, const struct mgm__lnx_if *ifp) {
  mgm__lnx_queue_if(be, MGM_IF_DEL, ifp, 0, 0);
  if (mgm__lnx_vif_lost(be, ifp->ifindex))
    mgm__lnx_queue_if(be, MGM_IF_SLOT_LOST, ifp, 0, 0);
}

static void lnx_handle_link(struct mgm_backend *be, uint16_t type,
                            const struct mgm__lnx_link *lk) {
  struct lnx_iflist l;
  struct mgm__lnx_if nif;
  struct mgm__lnx_if *ifp;
  struct mgm__lnx_if old;

  /* Bridge-port notifications (AF_BRIDGE) are not about the device. */
  if (lk->family == AF_BRIDGE)
    return;
  lnx_rtc_changed(be);
  lnx_link_to_if(lk, &nif);
  ifp = lnx_if_find(be->ifs, be->n_ifs, lk->ifindex);
  if (type == RTM_DELLINK) {
    if (ifp != NULL) {
      old = *ifp;
      *ifp = be->ifs[--be->n_ifs];
    } else {
      old = nif;
    }
    if (old.name[0] == '\0')
      memcpy(old.name, nif.name, sizeof(old.name));
    lnx_if_gone(be, &old);
    return;
  }
  if (ifp == NULL) {
    l.v = be->ifs;
    l.n = be->n_ifs;
    l.cap = be->cap_ifs;
    l.nomem = 0;
    if (lnx_iflist_add(&l, &nif) < 0) {
      be->cnt.rec_lost++;
      be->desync = 1;
      return;
    }
    be->ifs = l.v;
    be->n_ifs = l.n;
    be->cap_ifs = l.cap;
    mgm__lnx_queue_if(be, MGM_IF_ADD, &nif, 0, 0);
    return;
  }
  old = *ifp;
  if (nif.name[0] == '\0')
    memcpy(nif.name, old.name, sizeof(nif.name));
  *ifp = nif;
  if (strcmp(old.name, nif.name) != 0)
    mgm__lnx_queue_if(be, MGM_IF_RENAME, &nif, 0, 0);
  if (lnx_up(old.flags) != lnx_up(nif.flags))
    mgm__lnx_queue_if(be, lnx_up(nif.flags) ? MGM_IF_UP : MGM_IF_DOWN, &nif, 0,
                      0);
}

/* Keep the local address list in step (best effort: on ENOMEM an own
 * report may be passed on, which is harmless). */
static void lnx_addr_note(struct mgm_backend *be, int add,
                          const struct mgm__lnx_addr *ad) {
  struct mgm__lnx_addr *nv;
  size_t ncap;
  size_t i;

  for (i = 0; i < be->n_addrs; i++) {
    if (be->addrs[i].ifindex == ad->ifindex && be->addrs[i].addr == ad->addr) {
      if (!add)
        be->addrs[i] = be->addrs[--be->n_addrs];
      return;
    }
  }
  if (!add)
    return;
  if (be->n_addrs == be->cap_addrs) {
    ncap = be->cap_addrs ? be->cap_addrs * 2 : 16;
    nv = realloc(be->addrs, ncap * sizeof(*nv));
    if (nv == NULL)
      return;
    be->addrs = nv;
    be->cap_addrs = ncap;
  }
  be->addrs[be->n_addrs++] = *ad;
}

int mgm__lnx_ifmon_is_local(struct mgm_backend *be, uint32_t addr) {
  size_t i;

  MGM__LNX_ASSERT_LOCKED(be);
  for (i = 0; i < be->n_addrs; i++)
    if (be->addrs[i].addr == addr)
      return 1;
  return 0;
}

static void lnx_handle_addr(struct mgm_backend *be, uint16_t type,
                            const struct mgm__lnx_addr *ad) {
  struct mgm__lnx_if *ifp;
  struct mgm__lnx_if anon;

  lnx_addr_note(be, type == RTM_NEWADDR, ad);
  lnx_rtc_changed(be);

  ifp = lnx_if_find(be->ifs, be->n_ifs, ad->ifindex);
  if (ifp == NULL) {
    memset(&anon, 0, sizeof(anon));
    anon.ifindex = ad->ifindex;
    ifp = &anon;
  }
  mgm__lnx_queue_if(be, type == RTM_NEWADDR ? MGM_IF_ADDR_ADD : MGM_IF_ADDR_DEL,
                    ifp, ad->addr, ad->prefixlen);
}

/* One rtnetlink message from the event socket. */
static void lnx_handle_msg(struct mgm_backend *be, uint16_t type,
                           const uint8_t *msg, size_t len) {
  struct mgm__lnx_link lk;
  struct mgm__lnx_addr ad;
  int rc;

  switch (type) {
  case RTM_NEWLINK:
  case RTM_DELLINK:
    rc = mgm__lnx_parse_link(msg, len, &lk);
    if (rc == 0)
      lnx_handle_link(be, type, &lk);
    break;
  case RTM_NEWADDR:
  case RTM_DELADDR:
    rc = mgm__lnx_parse_addr(msg, len, &ad);
    if (rc == 0)
      lnx_handle_addr(be, type, &ad);
    break;
  default:
    rc = MGM__LNX_PE_SKIP;
    break;
  }
  if (rc < 0 && rc != MGM__LNX_PE_SKIP)
    be->cnt.nl_malformed++;
}

int mgm__lnx_ifmon_open(struct mgm_backend *be) {
  int err;
  int rc;

  rc = mgm__lnx_nl_open(RTMGRP_LINK | RTMGRP_IPV4_IFADDR, LNX_NL_EVENT_RCVBUF,
                        &be->nfd, &err);
  if (rc < 0)
    mgm__lnx_log(be, MGM__LNX_LOG_ERROR,
                 "linux: cannot open the rtnetlink event socket: %s",
                 strerror(err));
  return rc;
}

int mgm__lnx_ifmon_read(struct mgm_backend *be) {
  struct sockaddr_nl from;
  struct mgm__lnx_nlhdr h;
  struct iovec iov = {be->rx, sizeof(be->rx)};
  struct msghdr mh;
  const uint8_t *msg;
  size_t msglen;
  size_t off = 0;
  ssize_t n;
  int err;
  int rc;

  MGM__LNX_ASSERT_LOCKED(be);
  memset(&mh, 0, sizeof(mh));
  mh.msg_name = &from;
  mh.msg_namelen = sizeof(from);
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  n = mgm__sys_recvmsg(be->nfd, &mh, MSG_DONTWAIT);
  if (n < 0) {
    err = errno;
    if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR) {
      rc = 0;
    } else if (err == ENOBUFS) {
      be->cnt.nl_overruns++;
      be->desync = 1;
      mgm__lnx_log(be, MGM__LNX_LOG_WARN,
                   "linux: rtnetlink event overrun; resynchronising");
      rc = MGM_BE_EDESYNC;
    } else {
      mgm__lnx_log(be, MGM__LNX_LOG_TRACE, "linux: rtnetlink recv: %s",
                   strerror(err));
      rc = mgm__lnx_map_errno(err);
    }
    goto out;
  }
  rc = 1;
  if (mh.msg_namelen < sizeof(from) || from.nl_pid != 0 ||
      (mh.msg_flags & MSG_TRUNC)) {
    /* Not from the kernel, or cut: a cut event is a lost event. */
    if (mh.msg_flags & MSG_TRUNC)
      be->desync = 1;
    be->cnt.nl_malformed++;
    goto out;
  }
  while (mgm__lnx_nl_next(be->rx, (size_t)n, &off, &msg, &msglen) > 0) {
    if (mgm__lnx_nl_header(msg, msglen, &h) < 0)
      break;
    lnx_handle_msg(be, h.type, msg, msglen);
  }
  if (off < (size_t)n)
    be->cnt.nl_malformed++;

out:
  return rc;
}

static int lnx_dump_link_cb(struct mgm_backend *be, uint16_t type,
                            const uint8_t *msg, size_t msglen, void *arg) {
  struct lnx_iflist *l = arg;
  struct mgm__lnx_link lk;
  struct mgm__lnx_if nif;

  if (type != RTM_NEWLINK)
    return 0;
  if (mgm__lnx_parse_link(msg, msglen, &lk) < 0) {
    be->cnt.nl_malformed++;
    return 0;
  }
  if (lk.family == AF_BRIDGE)
    return 0;
  lnx_link_to_if(&lk, &nif);
  return lnx_iflist_add(l, &nif);
}

static int lnx_dump_addr_cb(struct mgm_backend *be, uint16_t type,
                            const uint8_t *msg, size_t msglen, void *arg) {
  const int *replay = arg;
  struct mgm__lnx_addr ad;
  int rc;

  if (type != RTM_NEWADDR)
    return 0;
  rc = mgm__lnx_parse_addr(msg, msglen, &ad);
  if (rc == 0 && *replay)
    lnx_handle_addr(be, RTM_NEWADDR, &ad);
  else if (rc == 0)
    lnx_addr_note(be, 1, &ad);
  else if (rc != MGM__LNX_PE_SKIP)
    be->cnt.nl_malformed++;
  return 0;
}

int mgm__lnx_ifmon_dump(struct mgm_backend *be, int replay) {
  struct lnx_iflist l = {NULL, 0, 0, 0};
  struct mgm__lnx_if gone;
  uint8_t req[64];
  size_t i;
  int nlerr;
  int len;
  int rc;

  MGM__LNX_ASSERT_LOCKED(be);
  len = mgm__lnx_build_dump(req, sizeof(req), RTM_GETLINK, ++be->seq);
  rc = mgm__lnx_nl_request(be, req, (size_t)len, lnx_dump_link_cb, &l, &nlerr);
  if (rc < 0)
    goto out;
  /* Interfaces we knew that the kernel no longer lists. */
  for (i = 0; i < be->n_ifs; i++)
    if (lnx_if_find(l.v, l.n, be->ifs[i].ifindex) == NULL)
      lnx_if_gone(be, &be->ifs[i]);
  /* VIFs whose device is gone although we never saw it listed. */
  for (i = 0; i < MGM__LNX_MAXVIFS; i++) {
    if (be->vif[i].refs == 0 ||
        lnx_if_find(l.v, l.n, be->vif[i].ifindex) != NULL)
      continue;
    memset(&gone, 0, sizeof(gone));
    gone.ifindex = be->vif[i].ifindex;
    lnx_if_gone(be, &gone);
  }
  free(be->ifs);
  be->ifs = l.v;
  be->n_ifs = l.n;
  be->cap_ifs = l.cap;
  l.v = NULL;
  if (replay)
    for (i = 0; i < be->n_ifs; i++)
      mgm__lnx_queue_if(be, MGM_IF_ADD, &be->ifs[i], 0, 0);
  /* Addresses: rebuilt from scratch, announced only on a replay. */
  be->n_addrs = 0;
  len = mgm__lnx_build_dump(req, sizeof(req), RTM_GETADDR, ++be->seq);
  rc = mgm__lnx_nl_request(be, req, (size_t)len, lnx_dump_addr_cb, &replay,
                           &nlerr);
  if (rc < 0)
    goto out;
  rc = 0;

out:
  free(l.v);
  return rc;
}

void mgm__lnx_ifmon_free(struct mgm_backend *be) {
  free(be->ifs);
  be->ifs = NULL;
  be->n_ifs = 0;
  be->cap_ifs = 0;
  free(be->addrs);
  be->addrs = NULL;
  be->n_addrs = 0;
  be->cap_addrs = 0;
}
