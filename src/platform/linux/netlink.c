/*
 * netlink.c - the Linux backend's rtnetlink sockets: opening one, and one
 * request/reply exchange on the request socket (be->rfd), which ifmon.c
 * (dumps) and route.c (RPF lookups) share.
 *
 * SPDX-License-Identifier: MIT
 *
 * The kernel answers rtnetlink requests in the context of the sending
 * call, so the reply is normally queued before sendto() returns: the
 * receive loop reads first and polls (with a timeout) only when nothing is
 * there yet, and matches replies by sequence number so a stale reply left
 * over from an earlier, interrupted exchange is skipped.
 */
#define _GNU_SOURCE 1

#include "linux.h"
#include "platform/posix/sys.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>

#define LNX_NL_TIMEOUT_MS 1000

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
                                  const uint8_t *msg, size_t msglen, void *arg),
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

  MGM__LNX_ASSERT_LOCKED(be);
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
    mgm__lnx_log(be, MGM__LNX_LOG_TRACE, "netlink sendto: %s", strerror(err));
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
        mgm__lnx_log(be, MGM__LNX_LOG_TRACE, "netlink reply: timeout");
        rc = MGM_BE_EAGAIN;
        goto out;
      }
      mgm__lnx_log(be, MGM__LNX_LOG_TRACE, "netlink recvmsg: %s",
                   strerror(err));
      rc = mgm__lnx_map_errno(err);
      goto out;
    }
    if (mh.msg_flags & MSG_TRUNC) {
      rc = MGM_BE_EIO;
      goto out;
    }
    off = 0;
    while ((rc = mgm__lnx_nl_next(be->req, (size_t)n, &off, &msg, &msglen)) >
           0) {
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
