/*
 * notify.c - mgmd's readiness message to systemd without libsystemd: the
 * sd_notify(3) protocol is one datagram of "KEY=VALUE" lines sent to the
 * Unix socket named by $NOTIFY_SOCKET (a path, or "@name" for the
 * abstract namespace).  A failure is logged: the service manager would
 * otherwise wait for readiness until its time-out.
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE 1

#include "notify.h"

#include "mgmd.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int mgmd_notify(const char *state) {
  const char *path = getenv("NOTIFY_SOCKET");
  struct sockaddr_un sa;
  size_t n = path != NULL ? strlen(path) : 0;
  socklen_t salen;
  int fd = -1, rc = -1;

  if (n == 0) {
    rc = 0; /* not started by a service manager that listens */
    goto out;
  }
  if ((path[0] != '/' && path[0] != '@') || n >= sizeof(sa.sun_path)) {
    errno = EINVAL;
    goto out;
  }
  memset(&sa, 0, sizeof(sa));
  sa.sun_family = AF_UNIX;
  memcpy(sa.sun_path, path, n);
  if (path[0] == '@')
    sa.sun_path[0] = '\0'; /* abstract: the length, not a NUL, ends it */
  salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
                      (path[0] == '/' ? 1 : 0));
  fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    goto out;
  if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
             salen) == (ssize_t)strlen(state))
    rc = 0;
out:
  if (rc != 0)
    mgmd_log(MGMD_LOG_WARN, "mgmd",
             "cannot send %s to the service manager (NOTIFY_SOCKET %s): %s",
             state, path, strerror(errno));
  if (fd >= 0)
    close(fd);
  return rc;
}
