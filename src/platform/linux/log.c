/*
 * log.c - the Linux backend's log line and its errno -> MGM_BE_* mapping,
 * used by every other file of the backend.
 *
 * SPDX-License-Identifier: MIT
 */
#include "linux.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

void mgm__lnx_log(struct mgm_backend *be, int level, const char *fmt, ...) {
  char line[256];
  va_list ap;

  if (be->log == NULL)
    return;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  be->log(be->log_ctx, level, line);
}

int mgm__lnx_map_errno(int err) {
  switch (err) {
  case 0:
    return MGM_BE_OK;
  case EPERM:
  case EACCES:
    return MGM_BE_EPERM;
  case ENOMEM:
  case ENOBUFS:
  case EMFILE:
  case ENFILE:
    return MGM_BE_ENOMEM;
  case EAGAIN:
  case EINTR:
    return MGM_BE_EAGAIN;
  case EADDRINUSE:
  case EBUSY:
    return MGM_BE_EBUSY;
  case ENOPROTOOPT:
  case EOPNOTSUPP:
  case EPROTONOSUPPORT:
  case EAFNOSUPPORT:
    return MGM_BE_ENOTSUP;
  case EINVAL:
    return MGM_BE_EINVAL;
  case ENOENT:
    return MGM_BE_ENOENT;
  case ENODEV:
  case ENXIO:
  case EADDRNOTAVAIL:
    return MGM_BE_ENOIF;
  default:
    return MGM_BE_EIO;
  }
}
