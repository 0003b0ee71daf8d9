/*
 * route.c - rtnetlink plumbing of the Linux backend: opening netlink
 * sockets, one request/reply exchange on the request socket, and the
 * unicast RPF lookup (RTM_GETROUTE toward the source).
 *
 * SPDX-License-Identifier: MIT
 *
 * The kernel answers rtnetlink requests in the context of the sending
 * call, so the reply is normally queued before sendto() returns: the
 * receive loop reads first and polls (with a timeout) only when nothing is
 * there yet, and matches replies by sequence number so a stale reply left
 * over from an earlier, interrupted exchange is skipped.  The lookup asks
 * for the matching FIB entry (RTM_F_FIB_MATCH) so the core gets the route's
 * prefix, gateway and protocol, which it reports in MIB_IPMCAST_MFE.
 */
#define _GNU_SOURCE 1

#include "linux.h"
#include "platform/posix/sys.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#define LNX_NL_TIMEOUT_MS 1000

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


int mgm__lnx_nl_open(int groups, int rcvbuf, int *fd_out, int *err_out) {
  struct sockaddr_nl sa;
  int fd;
  int rc;

  *fd_out = -1;
  *err_out = 0;
  fd = mgm__sys_socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
                       NETLINK_ROUTE);
  if (fd < 0) {
    *err_out = errno;
    rc = mgm__lnx_map_errno(*err_out);
    goto out;
  }
  if (rcvbuf > 0) {
#ifdef HAVE_SO_RCVBUFFORCE
    if (mgm__sys_setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
                            sizeof(rcvbuf)) < 0)
#endif
      (void)mgm__sys_setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
                                sizeof(rcvbuf));
  }
  memset(&sa, 0, sizeof(sa));
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = (uint32_t)groups;
  if (mgm__sys_bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
    *err_out = errno;
    rc = mgm__lnx_map_errno(*err_out);
    (void)mgm__sys_close(fd);
    goto out;
  }
  *fd_out = fd;
  rc = 0;

out:
  return rc;
}


int mgm__lnx_nl_request(struct mgm_backend *be, const void *req, size_t len,
                        int (*fn)(struct mgm_backend *be, uint16_t type,
                                  const uint8_t *msg, size_t msglen,
                                  void *arg),
                        void *arg, int *nlerr) {
  struct sockaddr_nl kernel;
  struct mgm__lnx_nlhdr h;
  struct pollfd pfd;
  struct iovec iov;
  struct msghdr mh;
  const uint8_t *msg;
  size_t msglen;
  size_t off;
  uint32_t seq;
  ssize_t n;
  int done = 0;
  int err;
  int rc;

  *nlerr = 0;
  if (len < NLMSG_HDRLEN) {
    rc = MGM_BE_EINVAL;
    goto out;
  }
  memcpy(&seq, (const uint8_t *)req + offsetof(struct nlmsghdr, nlmsg_seq),
         sizeof(seq));
  memset(&kernel, 0, sizeof(kernel));
  kernel.nl_family = AF_NETLINK;
  if (mgm__sys_sendto(be->rfd, req, len, 0, (struct sockaddr *)&kernel,
                      sizeof(kernel)) < 0) {
    err = errno;
    mgm__lnx_logf(be, MGM__LNX_LOG_TRACE, "netlink sendto: %s",
                  strerror(err));
    rc = mgm__lnx_map_errno(err);
    goto out;
  }
  while (!done) {
    iov.iov_base = be->req;
    iov.iov_len = sizeof(be->req);
    memset(&mh, 0, sizeof(mh));
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    n = mgm__sys_recvmsg(be->rfd, &mh, MSG_DONTWAIT);
    if (n < 0) {
      err = errno;
      if (err == EINTR)
        continue;
      if (err == EAGAIN || err == EWOULDBLOCK) {
        /* Normally the reply is queued before sendto returns; wait a
         * little in case it is not (a dump's later parts). */
        pfd.fd = be->rfd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (mgm__sys_poll(&pfd, 1, LNX_NL_TIMEOUT_MS) > 0)
          continue;
        mgm__lnx_logf(be, MGM__LNX_LOG_TRACE, "netlink reply: timeout");
        rc = MGM_BE_EAGAIN;
        goto out;
      }
      mgm__lnx_logf(be, MGM__LNX_LOG_TRACE, "netlink recvmsg: %s",
                    strerror(err));
      rc = mgm__lnx_map_errno(err);
      goto out;
    }
    if (mh.msg_flags & MSG_TRUNC) {
      rc = MGM_BE_EIO;
      goto out;
    }
    off = 0;
    while ((rc = mgm__lnx_nl_next(be->req, (size_t)n, &off, &msg,
                                  &msglen)) > 0) {
      if (mgm__lnx_nl_header(msg, msglen, &h) < 0 || h.seq != seq)
        continue;
      if (h.type == NLMSG_DONE) {
        done = 1;
        break;
      }
      if (h.type == NLMSG_ERROR) {
        if (mgm__lnx_parse_nlerr(msg, msglen, &err) < 0) {
          rc = MGM_BE_EIO;
          goto out;
        }
        *nlerr = err;
        rc = err == 0 ? 0 : MGM_BE_EIO;
        goto out;
      }
      if (fn != NULL) {
        rc = fn(be, h.type, msg, msglen, arg);
        if (rc < 0)
          goto out;
      }
      if (!(h.flags & NLM_F_MULTI)) {
        done = 1;
        break;
      }
    }
    if (rc < 0) {
      be->cnt.nl_malformed++;
      rc = MGM_BE_EIO;
      goto out;
    }
  }
  rc = 0;

out:
  return rc;
}


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


int mgm__lnx_route_lookup(struct mgm_backend *be, uint32_t src,
                          struct mgm_route *out) {
  struct lnx_route_ctx ctx;
  uint8_t req[128];
  uint32_t mask;
  int nlerr;
  int len;
  int rc;

  memset(out, 0, sizeof(*out));
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
  return rc;
}
