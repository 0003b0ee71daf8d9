/*
 * config.c - libmgm_config's defaults and the environment's settings
 * (LIBMGM_BACKEND, LIBMGM_TABLE, LIBMGM_STRICT, LIBMGM_LOG).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

void mgm__config_defaults(struct libmgm_config *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  cfg->size = (uint32_t)sizeof(*cfg);
  cfg->mfe_lifetime_s = MGM_DEFAULT_LIFETIME_S;
}

DWORD mgm__config_from_env(struct libmgm_config *cfg, char *buf, size_t n) {
  const char *v;

  mgm__config_defaults(cfg);
  v = getenv("LIBMGM_BACKEND");
  if (v && *v) {
    snprintf(buf, n, "%s", v);
    cfg->backend = buf;
  }
  v = getenv("LIBMGM_TABLE");
  if (v && *v)
    cfg->table = (uint32_t)strtoul(v, NULL, 0);
  v = getenv("LIBMGM_STRICT");
  if (v && *v)
    cfg->strict = strcmp(v, "0") != 0;
  v = getenv("LIBMGM_LOG");
  if (v && *v)
    cfg->log = v;
  return NO_ERROR;
}
