/*
 * misuse.c - documented misuse of the API (design.md 8.5): a warning, or
 * in strict mode an error and the caller's code.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>

#include "core/core.h"

DWORD mgm__misuse(struct mgm_core *c, DWORD code, const char *fmt, ...) {
  char buf[384];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (c->strict) {
    MGM_ERR(c, MGM_CH_STRICT, "strict: %s", buf);
    return code;
  }
  MGM_WARN(c, MGM_CH_STRICT, "%s", buf);
  return NO_ERROR;
}
