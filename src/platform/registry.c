/*
 * registry.c - the compiled-in backends and loop drivers, found by name.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "platform/loop.h"
#include "platform/platform.h"

#ifndef LIBMGM_DEFAULT_BACKEND
#define LIBMGM_DEFAULT_BACKEND "sim"
#endif

static const struct mgm_backend_ops *const backends[] = {
#ifdef LIBMGM_HAVE_BACKEND_LINUX
    &mgm__linux_ops,
#endif
#ifdef LIBMGM_HAVE_BACKEND_BSD
    &mgm__bsd_ops,
#endif
    &mgm__sim_ops, NULL};

const struct mgm_backend_ops *mgm__plat_find(const char *name) {
  size_t i;

  for (i = 0; backends[i]; i++)
    if (strcmp(backends[i]->name, name) == 0 &&
        backends[i]->abi == MGM_BACKEND_ABI)
      return backends[i];
  return NULL;
}

const char *mgm__plat_default_name(void) {
  return LIBMGM_DEFAULT_BACKEND;
}

const char *mgm__plat_names(void) {
  static const char names[] =
#ifdef LIBMGM_HAVE_BACKEND_LINUX
      "linux "
#endif
#ifdef LIBMGM_HAVE_BACKEND_BSD
      "bsd "
#endif
      "sim";
  return names;
}

const struct mgm_loop_ops *mgm__loop_default(void) {
#ifdef LIBMGM_HAVE_LOOP_UV
  return &mgm__loop_uv_ops;
#else
  return &mgm__loop_thread_ops;
#endif
}

const struct mgm_loop_ops *mgm__loop_host(void) {
#ifdef LIBMGM_HAVE_LOOP_UV
  return &mgm__loop_uv_ops;
#else
  return NULL; /* no libuv in this build */
#endif
}
