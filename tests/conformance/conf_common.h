/*
 * conf_common.h - the public headers every conformance test includes, in
 * the order clients must use: <windows.h>, <iprtrmib.h>, <mgm.h>, then
 * <routprot.h> for the protocol ids.
 *
 * SPDX-License-Identifier: MIT
 *
 * On Linux/BSD these come from libmgm's include/ and compat/; with
 * mingw-w64 only mgm.h is libmgm's and the rest are the Windows SDK's.
 * mingw-w64's routprot.h (through stm.h) warns unless a router-service
 * table version is chosen; MGM clients use the MPR 5.0 one.
 */
#ifndef LIBMGM_CONFORMANCE_CONF_COMMON_H
#define LIBMGM_CONFORMANCE_CONF_COMMON_H

#if defined(_WIN32) && !defined(MPR50)
#define MPR50 1
#endif

#include <windows.h>
#include <iprtrmib.h>
#include <mgm.h>
#include <routprot.h>

#endif /* LIBMGM_CONFORMANCE_CONF_COMMON_H */
