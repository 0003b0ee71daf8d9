/*
 * debugout_none.c - no OS debug channel off Windows: log lines go to
 * stderr (or the configured log hook) only.
 *
 * SPDX-License-Identifier: MIT
 */
#include "platform/platform.h"

void mgm__plat_debug_out(const char *line) {
  (void)line;
}
