/*
 * conf_sim.h - the conformance suite's only door to libmgm's extension API
 * (start/stop and the simulated forwarder).
 *
 * SPDX-License-Identifier: MIT
 *
 * Every use of a libmgm_* function goes through this shim.  Linked against
 * libmgm (Linux/BSD) the calls are direct.  In the Windows build
 * (mingw-w64, _WIN32) the functions are looked up in rtm.dll with
 * GetProcAddress: under Wine with libmgm's rtm.dll they are found; on a
 * real Windows rtm.dll they are absent, conf_sim_present() returns 0 and
 * the sim-dependent tests win_skip.
 */
#ifndef LIBMGM_CONFORMANCE_CONF_SIM_H
#define LIBMGM_CONFORMANCE_CONF_SIM_H

/* Resolve the extension API; returns 1 when libmgm_* are available. */
int conf_sim_init(void);
int conf_sim_present(void);

/* Start libmgm on the sim backend (strict: strict mode).  Without libmgm
 * (real Windows, where the router manager starts MGM) returns NO_ERROR and
 * does nothing. */
DWORD conf_start(int strict);
/* Stop it (ERROR_CAN_NOT_COMPLETE while clients are registered). */
DWORD conf_stop(void);

/* Sim controls; ERROR_CALL_NOT_IMPLEMENTED without libmgm. */
DWORD conf_route_add(DWORD network, DWORD mask, DWORD ifindex, DWORD upstream,
                     DWORD protocol);
/* Inject one packet; *n_out (may be NULL) = interfaces it was sent on. */
DWORD conf_inject(DWORD ifindex, DWORD src, DWORD grp, DWORD *n_out);
DWORD conf_advance(DWORD ms);

/* Routers (libmgm instances) and simulated links between them.  A router
 * is an opaque pointer; NULL is the default instance.  All return
 * ERROR_CALL_NOT_IMPLEMENTED without libmgm's instance and link API. */
typedef void *conf_router;
int conf_links_present(void);
DWORD conf_router_create(conf_router *out);
DWORD conf_router_destroy(conf_router r);
/* Make the Mgm* calls and sim controls of this thread act on r. */
DWORD conf_router_select(conf_router r);
DWORD conf_link(conf_router a, DWORD a_ifindex, conf_router b, DWORD b_ifindex);
DWORD conf_unlink(conf_router r, DWORD ifindex);

/* One router visit of an injected packet (libmgm_sim_inject_trace). */
#define CONF_MAX_HOPS 8
struct conf_hop {
  conf_router router;
  DWORD parent; /* 0xFFFFFFFF for the injection */
  DWORD in_ifindex, ttl;
  DWORD verdict; /* 0 forwarded, 1 negative, 2 wrong if, 3 pending, 4 not
                    routed (enum libmgm_sim_verdict) */
  DWORD n_out;
  DWORD out[4]; /* the first outputs */
};
/* Inject (len 100) and record up to CONF_MAX_HOPS visits; *n = visits. */
DWORD conf_inject_trace(DWORD ifindex, DWORD src, DWORD grp, BYTE ttl,
                        struct conf_hop *hops, DWORD *n);

/* Start libmgm (sim) with a non-NULL host loop on a build that has no
 * libuv (the Windows DLL); returns libmgm_start's code, stopping it again
 * if it started.  ERROR_CALL_NOT_IMPLEMENTED where not applicable (no
 * libmgm, or a libuv build, where a loop pointer must be real). */
DWORD conf_start_host_loop_without_libuv(void);

#endif /* LIBMGM_CONFORMANCE_CONF_SIM_H */
