/*
 * error.c - the single MGM_BE_* -> Win32 ERROR_* switch (kernel.md G.1).
 *
 * SPDX-License-Identifier: MIT
 */
#include "core/core.h"

DWORD mgm__be_to_win32(int be_err) {
  switch (be_err) {
  case MGM_BE_OK:
    return NO_ERROR;
  case MGM_BE_ENOSLOT:
  case MGM_BE_ENOMEM:
    return ERROR_NOT_ENOUGH_MEMORY;
  case MGM_BE_ENOIF:
  case MGM_BE_EINVAL:
    return ERROR_INVALID_PARAMETER;
  case MGM_BE_ENOENT:
    return ERROR_NOT_FOUND;
  default:
    return ERROR_CAN_NOT_COMPLETE;
  }
}

const char *mgm__be_strerror(int be_err) {
  switch (be_err) {
  case MGM_BE_OK:
    return "success";
  case MGM_BE_EINVAL:
    return "invalid request";
  case MGM_BE_ENOTSUP:
    return "not supported by this forwarder";
  case MGM_BE_EBUSY:
    return "forwarding table owned by another multicast router";
  case MGM_BE_EPERM:
    return "no privilege";
  case MGM_BE_ENOIF:
    return "interface unknown or unusable";
  case MGM_BE_ENOSLOT:
    return "forwarder interface (VIF) table full";
  case MGM_BE_ENOENT:
    return "no such entry";
  case MGM_BE_ENOMEM:
    return "out of memory";
  case MGM_BE_EAGAIN:
    return "temporarily unavailable";
  case MGM_BE_EDESYNC:
    return "events lost";
  default:
    return "I/O error";
  }
}
