/*
 * conf_sim.c - the libmgm_* shim of the conformance suite (see
 * conf_sim.h): direct calls off Windows, GetProcAddress on Windows.
 *
 * SPDX-License-Identifier: MIT
 *
 * Keep every libmgm_* reference in this file so that the rest of the suite
 * compiles and runs against any rtm.dll.
 */
#include <windows.h>
#include <iprtrmib.h>
#include <mgm.h>
#include <libmgm.h>

#include "conf_sim.h"

#include <string.h>

typedef void (*conf_config_init_fn)(struct libmgm_config *);
typedef DWORD (*conf_start_fn)(const struct libmgm_config *);
typedef DWORD (*conf_stop_fn)(void);
typedef DWORD (*conf_route_add_fn)(DWORD, DWORD, DWORD, DWORD, DWORD);
typedef DWORD (*conf_inject_fn)(DWORD, DWORD, DWORD, BYTE, DWORD,
                                struct libmgm_sim_result *);
typedef DWORD (*conf_advance_fn)(DWORD);

static struct {
  int present;
  conf_config_init_fn config_init;
  conf_start_fn start;
  conf_stop_fn stop;
  conf_route_add_fn route_add;
  conf_inject_fn inject;
  conf_advance_fn advance;
} conf_api;

int conf_sim_init(void) {
#ifdef _WIN32
  HMODULE mod;

  mod = GetModuleHandleA("rtm.dll");
  if (mod == NULL)
    mod = LoadLibraryA("rtm.dll");
  if (mod == NULL)
    return 0;
#define CONF_LOOKUP(field, type, name)                                         \
  conf_api.field = (type)(void (*)(void))GetProcAddress(mod, name)
  CONF_LOOKUP(config_init, conf_config_init_fn, "libmgm_config_init");
  CONF_LOOKUP(start, conf_start_fn, "libmgm_start");
  CONF_LOOKUP(stop, conf_stop_fn, "libmgm_stop");
  CONF_LOOKUP(route_add, conf_route_add_fn, "libmgm_sim_route_add");
  CONF_LOOKUP(inject, conf_inject_fn, "libmgm_sim_inject");
  CONF_LOOKUP(advance, conf_advance_fn, "libmgm_sim_advance");
#undef CONF_LOOKUP
#else
  conf_api.config_init = libmgm_config_init;
  conf_api.start = libmgm_start;
  conf_api.stop = libmgm_stop;
  conf_api.route_add = libmgm_sim_route_add;
  conf_api.inject = libmgm_sim_inject;
  conf_api.advance = libmgm_sim_advance;
#endif
  conf_api.present = conf_api.config_init != NULL && conf_api.start != NULL &&
                     conf_api.stop != NULL && conf_api.route_add != NULL &&
                     conf_api.inject != NULL && conf_api.advance != NULL;
  return conf_api.present;
}

int conf_sim_present(void) {
  return conf_api.present;
}

DWORD conf_start(int strict) {
  struct libmgm_config c;

  if (!conf_api.present)
    return NO_ERROR;
  conf_api.config_init(&c);
  c.backend = "sim";
  c.strict = strict;
  return conf_api.start(&c);
}

DWORD conf_stop(void) {
  if (!conf_api.present)
    return NO_ERROR;
  return conf_api.stop();
}

DWORD conf_route_add(DWORD network, DWORD mask, DWORD ifindex, DWORD upstream,
                     DWORD protocol) {
  if (!conf_api.present)
    return ERROR_CALL_NOT_IMPLEMENTED;
  return conf_api.route_add(network, mask, ifindex, upstream, protocol);
}

DWORD conf_inject(DWORD ifindex, DWORD src, DWORD grp, DWORD *n_out) {
  struct libmgm_sim_result res;
  DWORD rc;

  if (!conf_api.present)
    return ERROR_CALL_NOT_IMPLEMENTED;
  memset(&res, 0, sizeof res);
  rc = conf_api.inject(ifindex, src, grp, 64, 100, &res);
  if (n_out != NULL)
    *n_out = res.n_out;
  return rc;
}

DWORD conf_advance(DWORD ms) {
  if (!conf_api.present)
    return ERROR_CALL_NOT_IMPLEMENTED;
  return conf_api.advance(ms);
}
