/*
 * tests/abi/prototypes.c - compile-only translation unit for abi_prototypes.
 *
 * SPDX-License-Identifier: MIT
 *
 * Includes the headers exactly as an RRAS protocol would (<windows.h>,
 * <iprtrmib.h>, then <mgm.h>) and then sdk_prototypes.inc, which re-states
 * the documented API and fails to compile on any difference.  Which headers
 * are found (libmgm's compat/ and include/, mingw-w64's, or a mix) is decided
 * by check-prototypes.sh through the include path; the TU is never linked.
 */
#include <windows.h>
#include <iprtrmib.h>
#include <mgm.h>

#include "sdk_prototypes.inc"
