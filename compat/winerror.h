/*
 * compat/winerror.h - the ERROR_* codes libmgm returns, with the values of
 * the Windows SDK's winerror.h (checked against mingw-w64's copy by
 * tests/abi).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LIBMGM_COMPAT_WINERROR_H
#define LIBMGM_COMPAT_WINERROR_H

#define ERROR_SUCCESS 0L
#define NO_ERROR 0L
#define ERROR_ACCESS_DENIED 5L
#define ERROR_INVALID_HANDLE 6L
#define ERROR_NOT_ENOUGH_MEMORY 8L
#define ERROR_NOT_READY 21L
#define ERROR_NOT_SUPPORTED 50L
#define ERROR_INVALID_PARAMETER 87L
#define ERROR_CALL_NOT_IMPLEMENTED 120L
#define ERROR_INSUFFICIENT_BUFFER 122L
#define ERROR_BUSY 170L
#define ERROR_ALREADY_EXISTS 183L
#define ERROR_MORE_DATA 234L
#define ERROR_NO_MORE_ITEMS 259L
#define ERROR_CAN_NOT_COMPLETE 1003L
#define ERROR_NOT_FOUND 1168L
#define ERROR_ALREADY_INITIALIZED 1247L

#endif /* LIBMGM_COMPAT_WINERROR_H */
