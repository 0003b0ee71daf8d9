/*
 * debugout.c - Windows log sink: every libmgm log line also goes to
 * OutputDebugString, where debuggers and DebugView read it.
 *
 * SPDX-License-Identifier: MIT
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "platform/platform.h"

void mgm__plat_debug_out(const char *line) {
  OutputDebugStringA(line);
}
