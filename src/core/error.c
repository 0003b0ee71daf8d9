/*
 * error.c - the one table of MGM_BE_* codes: the Win32 ERROR_* each
 * becomes (kernel.md G.1), at opening the backend and elsewhere, and its
 * text for the log.
 *
 * SPDX-License-Identifier: MIT
 *
 * Opening the backend is where privilege, a busy table and a missing
 * feature show (MgmInitialize and libmgm_start report them as such);
 * afterwards they only mean that the operation could not complete.
 */
#include "core/core.h"

struct be_error {
  DWORD win32;      /* an operation's result */
  DWORD win32_open; /* the backend's open() result */
  const char *text; /* for the log */
};

/* By -MGM_BE_*; MGM_BE_EIO (last) stands for any code not listed. */
static const struct be_error be_errors[] = {
    [-MGM_BE_OK] = {NO_ERROR, NO_ERROR, "success"},
    [-MGM_BE_EINVAL] = {ERROR_INVALID_PARAMETER, ERROR_INVALID_PARAMETER,
                        "invalid request"},
    [-MGM_BE_ENOTSUP] = {ERROR_CAN_NOT_COMPLETE, ERROR_NOT_SUPPORTED,
                         "not supported by this forwarder"},
    [-MGM_BE_EBUSY] = {ERROR_CAN_NOT_COMPLETE, ERROR_BUSY,
                       "forwarding table owned by another multicast router"},
    [-MGM_BE_EPERM] = {ERROR_CAN_NOT_COMPLETE, ERROR_ACCESS_DENIED,
                       "no privilege"},
    [-MGM_BE_ENOIF] = {ERROR_INVALID_PARAMETER, ERROR_CAN_NOT_COMPLETE,
                       "interface unknown or unusable"},
    [-MGM_BE_ENOSLOT] = {ERROR_NOT_ENOUGH_MEMORY, ERROR_CAN_NOT_COMPLETE,
                         "forwarder interface (VIF) table full"},
    [-MGM_BE_ENOENT] = {ERROR_NOT_FOUND, ERROR_CAN_NOT_COMPLETE,
                        "no such entry"},
    [-MGM_BE_ENOMEM] = {ERROR_NOT_ENOUGH_MEMORY, ERROR_NOT_ENOUGH_MEMORY,
                        "out of memory"},
    [-MGM_BE_EAGAIN] = {ERROR_CAN_NOT_COMPLETE, ERROR_CAN_NOT_COMPLETE,
                        "temporarily unavailable"},
    [-MGM_BE_EDESYNC] = {ERROR_CAN_NOT_COMPLETE, ERROR_CAN_NOT_COMPLETE,
                         "events lost"},
    [-MGM_BE_EIO] = {ERROR_CAN_NOT_COMPLETE, ERROR_CAN_NOT_COMPLETE,
                     "I/O error"}};

#define BE_ERRORS (sizeof(be_errors) / sizeof(be_errors[0]))
_Static_assert(BE_ERRORS == 1 - MGM_BE_EIO, "one row per MGM_BE_* code");

static const struct be_error *be_error(int be_err) {
  return be_err <= 0 && (size_t) - (long)be_err < BE_ERRORS
             ? &be_errors[-be_err]
             : &be_errors[-MGM_BE_EIO];
}

DWORD mgm__error_win32(int be_err) {
  return be_error(be_err)->win32;
}

DWORD mgm__error_open_win32(int be_err) {
  return be_error(be_err)->win32_open;
}

const char *mgm__error_str(int be_err) {
  return be_error(be_err)->text;
}
