/*
 * route.c - the Linux backend's unicast RPF lookup (RTM_GETROUTE toward
 * the source, over netlink.c's request socket) and its cache.
 *
 * SPDX-License-Identifier: MIT
 *
 * The lookup asks for the matching FIB entry (RTM_F_FIB_MATCH) so the core
 * gets the route's prefix, gateway and protocol, which it reports in
 * MIB_IPMCAST_MFE.
 *
 * RPF cache: every new flow needs the route toward its source, and most
 * flows share a few sources, so answers are cached per source address.  A
 * second netlink socket (cfd) subscribes to everything that can change the
 * answer of an output route lookup: IPv4 routes, rules, nexthop objects,
 * links (a link going down kills its routes without an RTM_DELROUTE),
 * addresses (local and connected routes) and netconf
 * (ignore_routes_with_linkdown).  Any message on it, or an ENOBUFS
 * overrun, flushes the whole cache.  The kernel queues a notification
 * before the change's system call returns, so a change made before a
 * packet arrived is queued before that packet's upcall.  A lookup outside
 * an upcall batch (API threads), and dispatch() before each batch, read
 * cfd first: their answers are never older than the last change announced
 * before the upcall was read, as a fresh RTM_GETROUTE would be.  Through
 * dispatch_fd the loop watches cfd like the other descriptors and the
 * upcalls of a batch trust the cache: epoll's ready list reports cfd
 * before the router socket when the change came first, so an idle router
 * is exact, and under load an answer is at most one loop round old.  The
 * socket's buffer is kept tiny on purpose: a routing storm overruns it,
 * which costs one flush.  Once the cache is empty a filter that drops
 * everything is attached (disarmed): a storm wakes the loop once, not once
 * per route; the next miss detaches it again before asking the kernel, so
 * no change after that ask can be missed.  Disarmed implies an empty
 * cache.
 */
#define _GNU_SOURCE 1

#include "linux.h"
#include "platform/posix/sys.h"

#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

/* Messages drained from the change listener per lookup at most: past that
 * the cache is flushed anyway and the rest waits for the next lookup. */
#define LNX_RTC_DRAIN_MAX 64

/* MIB-II ipRouteProto values (RFC 1213), which Windows uses as PROTO_IP_*
 * identifiers for route owners. */
#define LNX_PROTO_OTHER 1
#define LNX_PROTO_LOCAL 2
#define LNX_PROTO_NETMGMT 3
#define LNX_PROTO_RIP 8
#define LNX_PROTO_OSPF 13
#define LNX_PROTO_BGP 14

struct lnx_route_ctx {
  struct mgm__lnx_route rt;
  int found;
};

static int lnx_route_cb(struct mgm_backend *be, uint16_t type,
                        const uint8_t *msg, size_t msglen, void *arg) {
  struct lnx_route_ctx *rc = arg;

  if (type != RTM_NEWROUTE || rc->found)
    return 0;
  if (mgm__lnx_parse_route(msg, msglen, &rc->rt) < 0) {
    be->cnt.nl_malformed++;
    return MGM_BE_EIO;
  }
  rc->found = 1;
  return 0;
}

static uint32_t lnx_proto(uint8_t rtprot) {
  switch (rtprot) {
  case RTPROT_KERNEL:
    return LNX_PROTO_LOCAL;
  case RTPROT_BOOT:
  case RTPROT_STATIC:
    return LNX_PROTO_NETMGMT;
#ifdef RTPROT_RIP
  case RTPROT_RIP:
    return LNX_PROTO_RIP;
#endif
#ifdef RTPROT_OSPF
  case RTPROT_OSPF:
    return LNX_PROTO_OSPF;
#endif
#ifdef RTPROT_BGP
  case RTPROT_BGP:
    return LNX_PROTO_BGP;
#endif
  default:
    return LNX_PROTO_OTHER;
  }
}

void mgm__lnx_route_cache_flush(struct mgm_backend *be) {
  size_t i;

  MGM__LNX_ASSERT_LOCKED(be);
  for (i = 0; i < MGM__LNX_RTC_SLOTS; i++)
    be->rtc[i].valid = 0;
  be->cnt.rtc_flushes++;
}

void mgm__lnx_route_cache_open(struct mgm_backend *be) {
  static const int groups[] = {
      RTNLGRP_IPV4_ROUTE,   RTNLGRP_IPV4_RULE,
      RTNLGRP_LINK,         RTNLGRP_IPV4_IFADDR,
#ifdef RTNLGRP_IPV4_NETCONF
      RTNLGRP_IPV4_NETCONF,
#endif
#ifdef RTNLGRP_NEXTHOP
      RTNLGRP_NEXTHOP,
#endif
  };
  size_t i;
  int fd;
  int err;

  /* 1 byte asks for the kernel's minimum buffer: see the top comment. */
  if (mgm__lnx_nl_open(0, 1, &fd, &err) < 0) {
    mgm__lnx_log(be, MGM__LNX_LOG_TRACE,
                 "linux: no routing-change listener (%s); RPF lookups "
                 "are not cached",
                 strerror(err));
    return;
  }
  for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
    if (mgm__sys_setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &groups[i],
                            sizeof(groups[i])) == 0)
      continue;
    err = errno;
    /* Groups this kernel lacks (netconf, nexthop objects) cannot change
     * a lookup either; the others are needed. */
    if (err == EINVAL && i >= 4)
      continue;
    mgm__lnx_log(be, MGM__LNX_LOG_TRACE,
                 "linux: routing-change group %d: %s; RPF lookups are "
                 "not cached",
                 groups[i], strerror(err));
    (void)mgm__sys_close(fd);
    return;
  }
  be->cfd = fd;
  be->rtc_armed = 1;
}

/* Arm (on) or disarm the change listener; 0, or -1 if the filter could
 * not be changed (the state is then unchanged). */
static int lnx_rtc_arm(struct mgm_backend *be, int on) {
  struct sock_filter drop = BPF_STMT(BPF_RET | BPF_K, 0);
  struct sock_fprog prog = {1, &drop};
  int dummy = 0;
  int rc;

  if (on == be->rtc_armed)
    return 0;
  if (on)
    rc = mgm__sys_setsockopt(be->cfd, SOL_SOCKET, SO_DETACH_FILTER, &dummy,
                             sizeof(dummy));
  else
    rc = mgm__sys_setsockopt(be->cfd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
                             sizeof(prog));
  if (rc < 0)
    return -1;
  be->rtc_armed = on;
  return 0;
}

void mgm__lnx_route_cache_sync(struct mgm_backend *be) {
  uint8_t buf[256];
  struct iovec iov;
  struct msghdr mh;
  int changed = 0;
  int i;
  int err;

  MGM__LNX_ASSERT_LOCKED(be);
  for (i = 0; i < LNX_RTC_DRAIN_MAX; i++) {
    iov.iov_base = buf;
    iov.iov_len = sizeof(buf);
    memset(&mh, 0, sizeof(mh));
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    if (mgm__sys_recvmsg(be->cfd, &mh, MSG_DONTWAIT | MSG_TRUNC) >= 0) {
      changed = 1;
      continue;
    }
    err = errno;
    if (err == EAGAIN || err == EWOULDBLOCK)
      break;
    if (err == EINTR)
      continue;
    changed = 1;
    if (err == ENOBUFS) /* an overrun: changes were dropped */
      continue;
    /* Anything else: no telling what was missed, so flush; every sync
     * that keeps failing flushes again, so nothing stale is ever used. */
    mgm__lnx_log(be, MGM__LNX_LOG_TRACE,
                 "linux: routing-change listener: %s; RPF cache flushed",
                 strerror(err));
    break;
  }
  if (changed) {
    mgm__lnx_route_cache_flush(be);
    /* Empty now: stop listening until the next answer is cached. */
    (void)lnx_rtc_arm(be, 0);
  }
}

static struct mgm__lnx_rtc *lnx_rtc_slot(struct mgm_backend *be, uint32_t src) {
  uint32_t h = src * 0x9e3779b1u;

  return &be->rtc[(h >> 16) & (MGM__LNX_RTC_SLOTS - 1)];
}

int mgm__lnx_route_lookup(struct mgm_backend *be, uint32_t src,
                          struct mgm_route *out) {
  struct lnx_route_ctx ctx;
  struct mgm__lnx_rtc *slot = NULL;
  uint8_t req[128];
  uint32_t mask;
  int in_batch;
  int nlerr;
  int len;
  int rc;

  MGM__LNX_ASSERT_LOCKED(be);
  memset(out, 0, sizeof(*out));
  /* Upcalls of a batch: dispatch() checked the listener after reading
   * them (linux.h).  Any other caller drains it now. */
  in_batch = be->in_batch && pthread_equal(pthread_self(), be->batch_thread);
  if (be->cfd >= 0 && !(in_batch && be->rtc_synced)) {
    mgm__lnx_route_cache_sync(be);
    be->rtc_synced = in_batch;
  }
  if (be->cfd >= 0) {
    slot = lnx_rtc_slot(be, src);
    if (slot->valid && slot->src == src) {
      be->cnt.rtc_hits++;
      *out = slot->rt;
      rc = slot->rc;
      goto out;
    }
    be->cnt.rtc_misses++;
    /* Listen again before asking, or a change after the ask could be
     * missed; if that fails, ask without caching. */
    if (lnx_rtc_arm(be, 1) < 0)
      slot = NULL;
  }
  memset(&ctx, 0, sizeof(ctx));
  len = mgm__lnx_build_getroute(req, sizeof(req), ++be->seq, src);
  if (len < 0) {
    rc = MGM_BE_EIO;
    goto out;
  }
  rc = mgm__lnx_nl_request(be, req, (size_t)len, lnx_route_cb, &ctx, &nlerr);
  if (rc < 0) {
    if (nlerr == ENETUNREACH || nlerr == EHOSTUNREACH || nlerr == ESRCH ||
        nlerr == ENOENT || nlerr == EINVAL)
      rc = MGM_BE_ENOENT;
    else if (nlerr != 0)
      rc = mgm__lnx_map_errno(nlerr);
    goto out;
  }
  /* Only a unicast route is a way toward the source; local, broadcast,
   * unreachable, blackhole and prohibit routes count as "no route". */
  if (!ctx.found || ctx.rt.type != RTN_UNICAST || ctx.rt.oif == 0) {
    rc = MGM_BE_ENOENT;
    goto out;
  }
  mask = ctx.rt.dst_len == 0 ? 0 : htonl(~0u << (32 - ctx.rt.dst_len));
  out->ifindex = ctx.rt.oif;
  out->nexthop = 0;
  out->upstream = ctx.rt.gateway;
  out->mask = mask;
  out->network = ctx.rt.dst & mask;
  out->protocol = lnx_proto(ctx.rt.protocol);
  rc = 0;

out:
  /* Only the kernel's definite answers are kept, never a failed ask. */
  if (slot != NULL && (rc == 0 || rc == MGM_BE_ENOENT) &&
      !(slot->valid && slot->src == src)) {
    slot->src = src;
    slot->rc = rc;
    slot->rt = *out;
    slot->valid = 1;
  }
  return rc;
}
