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

#endif /* LIBMGM_CONFORMANCE_CONF_SIM_H */
