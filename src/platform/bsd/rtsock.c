/*
 * rtsock.c - the BSD backend's request socket on PF_ROUTE: open one for an
 * RTM_GET, and wait for the kernel's reply to it (route.c builds the
 * request and reads the answer).
 *
 * SPDX-License-Identifier: MIT
 *
 * A socket per request keeps the broadcast routing traffic other sockets
 * see from piling up in a socket nobody polls; on OpenBSD and NetBSD a
 * message filter narrows it further.  FreeBSD queues the reply
 * asynchronously (netisr), so the read waits, bounded by
 * BSD_RTGET_WAIT_MS, and skips other processes' messages.
 */
#include "platform/bsd/bsd.h"
#include "platform/posix/sys.h"

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
#include <time.h>
#include <unistd.h>

#define BSD_RTGET_WAIT_MS 200 /* total time to wait for the kernel's reply */
#define BSD_RTGET_READS 64    /* unrelated messages skipped at most */

static uint64_t bsd_rtsock_clock_ms(void) {
  struct timespec ts;

  if (mgm__sys_clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
    return 0;
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int mgm__bsd_rtsock_open(int *fdp, int *errp) {
  int fd, err, rc = 0;

  fd = mgm__sys_socket(PF_ROUTE, SOCK_RAW, AF_INET);
  if (fd < 0) {
    err = errno;
    *errp = err;
    rc = mgm__bsd_map_errno(err);
    goto out;
  }
  (void)mgm__sys_fcntl(fd, F_SETFD, FD_CLOEXEC);
#ifdef ROUTE_MSGFILTER
  {
    unsigned int filter = ROUTE_FILTER(RTM_GET);

    (void)mgm__sys_setsockopt(fd, AF_ROUTE, ROUTE_MSGFILTER, &filter,
                              sizeof(filter));
  }
#elif defined(RO_MSGFILTER)
  {
    unsigned char types[] = {RTM_GET};

    (void)mgm__sys_setsockopt(fd, PF_ROUTE, RO_MSGFILTER, types, sizeof(types));
  }
#endif
out:
  *fdp = fd;
  return rc;
}

int mgm__bsd_rtsock_reply(const struct mgm_backend *be, int fd, uint8_t *buf,
                          size_t cap, int32_t seq, struct mgm_rtm_msg *msg,
                          int *errp) {
  uint64_t deadline = bsd_rtsock_clock_ms() + BSD_RTGET_WAIT_MS, now;
  struct pollfd pfd;
  ssize_t len;
  size_t off;
  int reads, r, err, rc = MGM_BE_EAGAIN;

  for (reads = 0; reads < BSD_RTGET_READS; reads++) {
    now = bsd_rtsock_clock_ms();
    if (now >= deadline)
      break;
    pfd.fd = fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    r = mgm__sys_poll(&pfd, 1, (int)(deadline - now));
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
    len = mgm__sys_recv(fd, buf, cap, 0);
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
