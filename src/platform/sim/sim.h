/*
 * sim.h - the simulated forwarder's control functions, behind the
 * libmgm_sim_* API (kernel.md G.3).
 *
 * SPDX-License-Identifier: MIT
 *
 * Called with the instance's core lock held (which serialises every
 * backend operation) on the loop thread.  Addresses in network order.
 */
#ifndef MGM_SIM_H
#define MGM_SIM_H

#include <stdint.h>

#include "platform/platform.h"

#define MGM_SIM_MAX_OUT 64

struct mgm_sim_result {
  uint32_t verdict; /* enum libmgm_sim_verdict */
  uint32_t n_out;
  uint32_t out[MGM_SIM_MAX_OUT];
};

int mgm__sim_if_add(struct mgm_backend *be, uint32_t ifindex, const char *name,
                    uint32_t addr, uint32_t prefixlen);
int mgm__sim_if_del(struct mgm_backend *be, uint32_t ifindex);
int mgm__sim_if_set_up(struct mgm_backend *be, uint32_t ifindex, int up);
int mgm__sim_route_add(struct mgm_backend *be, uint32_t net, uint32_t mask,
                       uint32_t ifindex, uint32_t upstream, uint32_t proto);
int mgm__sim_route_del(struct mgm_backend *be, uint32_t net, uint32_t mask);
/* Inject a packet; res is filled now and again when queued packets are
 * replayed, until mgm__sim_inject_done(res) detaches it. */
int mgm__sim_inject(struct mgm_backend *be, uint32_t ifindex, uint32_t src,
                    uint32_t grp, uint8_t ttl, uint32_t len,
                    struct mgm_sim_result *res);
void mgm__sim_inject_done(struct mgm_backend *be, struct mgm_sim_result *res);
int mgm__sim_advance(struct mgm_backend *be, uint32_t ms);
int mgm__sim_fail_next(struct mgm_backend *be, int op, int err);
int mgm__sim_set_limits(struct mgm_backend *be, uint32_t max_slots);
/* Queue an IGMP packet for the ctrl_packet upcall. */
int mgm__sim_inject_ctrl(struct mgm_backend *be, uint32_t ifindex,
                         const void *pkt, uint32_t len);
typedef void (*mgm_sim_tx_fn)(void *ctx, uint32_t ifindex, uint32_t dst,
                              const void *msg, uint32_t len);
void mgm__sim_set_tx_hook(struct mgm_backend *be, mgm_sim_tx_fn fn, void *ctx);
void mgm__sim_kernel_count(struct mgm_backend *be, uint32_t *entries,
                           uint32_t *slots);
/* Does the forwarder know ifindex (added with if_add, or attached as a
 * slot)?  For validating simulated links. */
int mgm__sim_if_known(struct mgm_backend *be, uint32_t ifindex);
/* Test-only (tests/fault): the installed entry of (S,G): its incoming
 * interface and up to max outgoing ones (*n = how many it has); 0 or
 * MGM_BE_ENOENT. */
int mgm__sim_entry_get(struct mgm_backend *be, uint32_t src, uint32_t grp,
                       uint32_t *iif, uint32_t *oif, uint32_t max, uint32_t *n);

#endif /* MGM_SIM_H */
