/*
 * log.c - the BSD backend's log line and its errno -> MGM_BE_* mapping,
 * used by every other file of the backend.
 *
 * SPDX-License-Identifier: MIT
 */
#include "platform/bsd/bsd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

void mgm__bsd_log(struct mgm_backend *be, int level, const char *fmt, ...) {
  char line[320];
  va_list ap;

  if (be->cfg.log == NULL)
    return;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  be->cfg.log(be->cfg.log_ctx, level, line);
}

int mgm__bsd_map_errno(int err) {
  switch (err) {
  case 0:
    return MGM_BE_OK;
  case EPERM:
  case EACCES:
    return MGM_BE_EPERM;
  case EADDRINUSE:
    return MGM_BE_EBUSY;
  case ENOPROTOOPT:
  case EOPNOTSUPP:
  case EPROTONOSUPPORT:
  case EAFNOSUPPORT:
    return MGM_BE_ENOTSUP;
  case ENOMEM:
  case ENOBUFS:
  case EMFILE:
  case ENFILE:
    return MGM_BE_ENOMEM;
  case EAGAIN:
  case EINTR:
    return MGM_BE_EAGAIN;
  case EINVAL:
    return MGM_BE_EINVAL;
  case EADDRNOTAVAIL:
  case ENOENT:
  case ESRCH:
    return MGM_BE_ENOENT;
  case ENXIO:
  case ENODEV:
    return MGM_BE_ENOIF;
  default:
    return MGM_BE_EIO;
  }
}
