/*
 * igio.c - what the IGMP component's files share with the host: log
 * lines, packets sent (with their counters) and the seeded random source.
 *
 * SPDX-License-Identifier: MIT
 *
 * Everything goes through the io the host gave mgm_igmp_create() (or the
 * defaults of hook.c), so the state machine stays free of OS calls.
 */
#include <stdarg.h>
#include <stdio.h>

#include "igmp_int.h"

uint32_t ig_rand(struct mgm_igmp *ig, uint32_t max_ms) {
  uint32_t x = ig->rng; /* xorshift32 */

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  ig->rng = x;
  return max_ms == UINT32_MAX ? x : x % (max_ms + 1);
}

void ig_log(struct mgm_igmp *ig, int level, const char *fmt, ...) {
  char line[256];
  va_list ap;

  if (ig->io.log != NULL) {
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    ig->io.log(ig->io.ctx, level, line);
  }
}

void ig_send(struct mgm_igmp *ig, struct ig_if *ifp, uint32_t dst,
             const uint8_t *msg, size_t len, int kind) {
  DWORD rc = ig->io.send(ig->io.ctx, ifp->ifindex, dst, msg, (DWORD)len);

  if (rc != NO_ERROR) {
    IG_CNT(ig, ifp, tx_errors);
    ig_log(ig, 2, "igmp: if %u: send failed (%lu)", (unsigned)ifp->ifindex,
           (unsigned long)rc);
  } else if (kind == IG_TX_QUERY) {
    IG_CNT(ig, ifp, tx_queries);
  } else if (kind == IG_TX_LEAVE) {
    IG_CNT(ig, ifp, tx_leaves);
  } else {
    IG_CNT(ig, ifp, tx_reports);
  }
}
