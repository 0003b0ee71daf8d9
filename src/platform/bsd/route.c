/*
 * route.c - unicast RPF lookups for the BSD backend: an RTM_GET request on
 * a short-lived PF_ROUTE socket, answered with the interface, next hop and
 * prefix toward a multicast source (mgm-spec 8.2, the route_lookup op).
 *
 * SPDX-License-Identifier: MIT
 *
 * The request is built and the reply parsed by the portable rtmsg.c.  A
 * socket per lookup keeps the broadcast routing traffic other sockets see
 * from piling up in a socket nobody polls; on OpenBSD and NetBSD a message
 * filter narrows it further.  FreeBSD queues the reply asynchronously
 * (netisr), so the read waits, bounded by BSD_RTGET_WAIT_MS.
 */
#include "platform/bsd/bsd.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "routprot.h"

#define BSD_RTGET_WAIT_MS 200 /* total time to wait for the kernel's reply */
#define BSD_RTGET_READS 64    /* unrelated messages skipped at most */

static int bsd_rtget_socket(int *fdp, int *errp) {
  int fd, err, rc = 0;

  fd = socket(PF_ROUTE, SOCK_RAW, AF_INET);
  if (fd < 0) {
    err = errno;
    *errp = err;
    rc = mgm__bsd_map_errno(err);
    goto out;
  }
  (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
#ifdef ROUTE_MSGFILTER
  {
    unsigned int filter = ROUTE_FILTER(RTM_GET);

    (void)setsockopt(fd, AF_ROUTE, ROUTE_MSGFILTER, &filter, sizeof(filter));
  }
#elif defined(RO_MSGFILTER)
  {
    unsigned char types[] = {RTM_GET};

    (void)setsockopt(fd, PF_ROUTE, RO_MSGFILTER, types, sizeof(types));
  }
#endif
out:
  *fdp = fd;
  return rc;
}

/* Wait for and read the reply to (pid, seq) into *msg. */
static int bsd_rtget_reply(const struct mgm_backend *be, int fd, uint8_t *buf,
                           size_t cap, int32_t seq, struct mgm_rtm_msg *msg,
                           int *errp) {
  uint64_t deadline = mgm__bsd_clock_ms() + BSD_RTGET_WAIT_MS, now;
  struct pollfd pfd;
  ssize_t len;
  size_t off;
  int reads, r, err, rc = MGM_BE_EAGAIN;

  for (reads = 0; reads < BSD_RTGET_READS; reads++) {
    now = mgm__bsd_clock_ms();
    if (now >= deadline)
      break;
    pfd.fd = fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    r = poll(&pfd, 1, (int)(deadline - now));
    if (r < 0) {
      err = errno;
      if (err == EINTR)
        continue;
      *errp = err;
      rc = mgm__bsd_map_errno(err);
      goto out;
    }
    if (r == 0)
      break;
    len = recv(fd, buf, cap, 0);
    if (len < 0) {
      err = errno;
      if (err == EINTR || err == EAGAIN)
        continue;
      *errp = err;
      rc = mgm__bsd_map_errno(err);
      goto out;
    }
    off = 0;
    while ((r = mgm__rtmsg_next(&be->rtl, buf, (size_t)len, &off, msg)) != 0) {
      if (r < 0)
        continue;
      if (msg->kind == MGM_RTM_ROUTE && msg->type == be->rtl.t_get &&
          msg->pid == be->pid && msg->seq == seq) {
        rc = 0;
        goto out;
      }
    }
  }
  *errp = ETIMEDOUT; /* no reply in BSD_RTGET_WAIT_MS */
out:
  return rc;
}

int mgm__bsd_route_lookup(const struct mgm_backend *be, uint32_t src,
                          int32_t seq, struct mgm_route *out, int *err) {
  union {
    uint64_t align;
    uint8_t b[2048];
  } buf;
  struct mgm_rtm_msg msg;
  uint32_t flags, mask;
  int fd = -1, len, rc;

  memset(out, 0, sizeof(*out));
  *err = 0;
  rc = bsd_rtget_socket(&fd, err);
  if (rc < 0)
    goto out;
  len = mgm__rtmsg_build_get(&be->rtl, buf.b, sizeof(buf.b), src, be->pid, seq,
                             (uint16_t)be->cfg.table);
  if (len < 0) {
    rc = MGM_BE_EINVAL;
    goto out;
  }
  if (write(fd, buf.b, (size_t)len) < 0) {
    *err = errno;
    /* ESRCH: no route; ENETUNREACH: no route in that table */
    rc = *err == ESRCH || *err == ENETUNREACH ? MGM_BE_ENOENT
                                              : mgm__bsd_map_errno(*err);
    goto out;
  }
  rc = bsd_rtget_reply(be, fd, buf.b, sizeof(buf.b), seq, &msg, err);
  if (rc < 0)
    goto out;
  if (msg.err != 0) {
    *err = msg.err;
    rc = msg.err == ESRCH ? MGM_BE_ENOENT : mgm__bsd_map_errno(msg.err);
    goto out;
  }
  flags = (uint32_t)msg.flags;
  if (flags & (be->rtl.rtf_reject | be->rtl.rtf_blackhole)) {
    rc = MGM_BE_ENOENT; /* a route that drops is no way to the source */
    goto out;
  }
  out->ifindex = msg.ifp_index ? msg.ifp_index
                 : msg.ifindex ? msg.ifindex
                               : msg.gw_link_index;
  if ((flags & be->rtl.rtf_gateway) && (msg.v4_have & (1u << MGM_RTAX_GATEWAY)))
    out->upstream = msg.v4[MGM_RTAX_GATEWAY];
  mask = 0xffffffffu;
  if (!(flags & be->rtl.rtf_host) && (msg.v4_have & (1u << MGM_RTAX_NETMASK)))
    mask = msg.v4[MGM_RTAX_NETMASK];
  out->mask = mask;
  out->network = (msg.v4_have & (1u << MGM_RTAX_DST))
                     ? (msg.v4[MGM_RTAX_DST] & mask)
                     : (src & mask);
  out->nexthop = 0;
  if (!(flags & be->rtl.rtf_gateway))
    out->protocol = PROTO_IP_LOCAL;
  else if (flags & be->rtl.rtf_static)
    out->protocol = PROTO_IP_NETMGMT;
  else
    out->protocol = PROTO_IP_OTHER;
  if (out->ifindex == 0)
    rc = MGM_BE_ENOENT;
out:
  if (fd >= 0)
    close(fd);
  return rc;
}
