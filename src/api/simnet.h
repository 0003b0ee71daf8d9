/*
 * simnet.h - simulated links between instances (simnet.c).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef MGM_SIMNET_H
#define MGM_SIMNET_H

#include "api/api.h"

/* Inject on c (entered by the caller) and carry the forwarded copies across
 * links, breadth first, until none is left.  first = what c did with it;
 * the first `cap` visits are copied to hops (may be NULL when cap is 0);
 * *n_visits = visits simulated (0 when c itself failed).  NO_ERROR, c's
 * error, or ERROR_CAN_NOT_COMPLETE after LIBMGM_SIM_MAX_HOPS visits. */
DWORD mgm__simnet_inject(struct mgm_core *c, uint32_t ifindex, uint32_t src,
                         uint32_t grp, uint8_t ttl, uint32_t len,
                         struct mgm_sim_result *first,
                         struct libmgm_sim_hop *hops, DWORD cap,
                         DWORD *n_visits);
/* Drop every link with an end on c (c stopped, or about to be freed). */
void mgm__simnet_forget(struct mgm_core *c);

#endif /* MGM_SIMNET_H */
