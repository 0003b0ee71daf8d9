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
typedef DWORD (*conf_inst_create_fn)(const struct libmgm_config *,
                                     struct libmgm_instance **);
typedef DWORD (*conf_inst_fn)(struct libmgm_instance *);
typedef DWORD (*conf_link_fn)(struct libmgm_instance *, DWORD,
                              struct libmgm_instance *, DWORD);
typedef DWORD (*conf_unlink_fn)(struct libmgm_instance *, DWORD);
typedef DWORD (*conf_trace_fn)(DWORD, DWORD, DWORD, BYTE, DWORD,
                               struct libmgm_sim_hop *, DWORD *);

static struct {
  int present;
  conf_config_init_fn config_init;
  conf_start_fn start;
  conf_stop_fn stop;
  conf_route_add_fn route_add;
  conf_inject_fn inject;
  conf_advance_fn advance;
  int links; /* instances and links present */
  conf_inst_create_fn inst_create;
  conf_inst_fn inst_destroy, inst_select;
  conf_link_fn link;
  conf_unlink_fn unlink;
  conf_trace_fn trace;
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
  CONF_LOOKUP(inst_create, conf_inst_create_fn, "libmgm_instance_create");
  CONF_LOOKUP(inst_destroy, conf_inst_fn, "libmgm_instance_destroy");
  CONF_LOOKUP(inst_select, conf_inst_fn, "libmgm_instance_select");
  CONF_LOOKUP(link, conf_link_fn, "libmgm_sim_link");
  CONF_LOOKUP(unlink, conf_unlink_fn, "libmgm_sim_unlink");
  CONF_LOOKUP(trace, conf_trace_fn, "libmgm_sim_inject_trace");
#undef CONF_LOOKUP
#else
  conf_api.config_init = libmgm_config_init;
  conf_api.start = libmgm_start;
  conf_api.stop = libmgm_stop;
  conf_api.route_add = libmgm_sim_route_add;
  conf_api.inject = libmgm_sim_inject;
  conf_api.advance = libmgm_sim_advance;
  conf_api.inst_create = libmgm_instance_create;
  conf_api.inst_destroy = libmgm_instance_destroy;
  conf_api.inst_select = libmgm_instance_select;
  conf_api.link = libmgm_sim_link;
  conf_api.unlink = libmgm_sim_unlink;
  conf_api.trace = libmgm_sim_inject_trace;
#endif
  conf_api.present = conf_api.config_init != NULL && conf_api.start != NULL &&
                     conf_api.stop != NULL && conf_api.route_add != NULL &&
                     conf_api.inject != NULL && conf_api.advance != NULL;
  conf_api.links = conf_api.present && conf_api.inst_create != NULL &&
                   conf_api.inst_destroy != NULL &&
                   conf_api.inst_select != NULL && conf_api.link != NULL &&
                   conf_api.unlink != NULL && conf_api.trace != NULL;
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

int conf_links_present(void) {
  return conf_api.links;
}

DWORD conf_router_create(conf_router *out) {
  struct libmgm_instance *inst = NULL;
  struct libmgm_config c;
  DWORD rc;

  if (!conf_api.links)
    return ERROR_CALL_NOT_IMPLEMENTED;
  conf_api.config_init(&c);
  c.backend = "sim";
  rc = conf_api.inst_create(&c, &inst);
  *out = inst;
  return rc;
}

DWORD conf_router_destroy(conf_router r) {
  if (!conf_api.links)
    return ERROR_CALL_NOT_IMPLEMENTED;
  return conf_api.inst_destroy(r);
}

DWORD conf_router_select(conf_router r) {
  if (!conf_api.links)
    return ERROR_CALL_NOT_IMPLEMENTED;
  return conf_api.inst_select(r);
}

DWORD conf_link(conf_router a, DWORD a_ifindex, conf_router b,
                DWORD b_ifindex) {
  if (!conf_api.links)
    return ERROR_CALL_NOT_IMPLEMENTED;
  return conf_api.link(a, a_ifindex, b, b_ifindex);
}

DWORD conf_unlink(conf_router r, DWORD ifindex) {
  if (!conf_api.links)
    return ERROR_CALL_NOT_IMPLEMENTED;
  return conf_api.unlink(r, ifindex);
}

DWORD conf_inject_trace(DWORD ifindex, DWORD src, DWORD grp, BYTE ttl,
                        struct conf_hop *hops, DWORD *n) {
  struct libmgm_sim_hop h[CONF_MAX_HOPS];
  DWORD rc, i, j;

  *n = 0;
  if (!conf_api.links)
    return ERROR_CALL_NOT_IMPLEMENTED;
  *n = CONF_MAX_HOPS;
  memset(h, 0, sizeof h);
  memset(hops, 0, CONF_MAX_HOPS * sizeof(*hops));
  rc = conf_api.trace(ifindex, src, grp, ttl, 100, h, n);
  for (i = 0; i < *n && i < CONF_MAX_HOPS; i++) {
    hops[i].router = h[i].instance;
    hops[i].parent = h[i].parent;
    hops[i].in_ifindex = h[i].in_ifindex;
    hops[i].ttl = h[i].ttl;
    hops[i].verdict = h[i].res.verdict;
    hops[i].n_out = h[i].res.n_out;
    for (j = 0; j < h[i].res.n_out && j < 4; j++)
      hops[i].out[j] = h[i].res.out_ifindex[j];
  }
  return rc;
}

DWORD conf_start_host_loop_without_libuv(void) {
#ifdef _WIN32
  struct libmgm_config c;
  int not_a_loop = 0;
  DWORD rc;

  if (!conf_api.present)
    return ERROR_CALL_NOT_IMPLEMENTED;
  conf_api.config_init(&c);
  c.backend = "sim";
  /* Never dereferenced: the DLL has no libuv to attach to it. */
  c.loop = (struct uv_loop_s *)(void *)&not_a_loop;
  rc = conf_api.start(&c);
  if (rc == NO_ERROR)
    (void)conf_api.stop();
  return rc;
#else
  return ERROR_CALL_NOT_IMPLEMENTED;
#endif
}
