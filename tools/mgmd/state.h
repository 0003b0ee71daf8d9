/*
 * state.h - MGM's MFE table read into plain structs (basic records merged
 * with the MIB_IPMCAST_MFE_STATS_EX counters) and the change watcher.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef MGMD_STATE_H
#define MGMD_STATE_H

#include "mgmd.h"

struct mgmd_oif {
  DWORD ifindex, nexthop;
  int has_stats;
  ULONG out_packets, out_discards, ttl_too_low, frag_needed;
};

struct mgmd_mfe {
  DWORD group, source, src_mask, upstream;
  DWORD iif, iif_protocol;
  DWORD route_protocol, route_network, route_mask;
  ULONG uptime_s, expiry_s, timeout_s;
  DWORD n_oif;
  struct mgmd_oif *oif;
  int has_stats;
  ULONG in_packets, in_octets, wrong_if, queue_overflow, uninit, negative,
      in_discards, in_hdr_errors, total_out;
};

/* Every MFE in MGM's order (group, then source); with_stats merges the
 * counters (MGM_MFE_STATS_1).  NO_ERROR or the MGM error. */
DWORD mgmd_mfes_read(int with_stats, struct mgmd_mfe **out, size_t *n);
void mgmd_mfes_free(struct mgmd_mfe *v, size_t n);

/* Compare MGM's state with the previous call and log the differences on
 * the "mgm" source.  Main thread. */
void mgmd_watch(const struct mgmd *d);
void mgmd_watch_reset(void);

#endif /* MGMD_STATE_H */
