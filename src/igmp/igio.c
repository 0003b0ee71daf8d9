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
#include <string.h>

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

void ig_log_lim(struct mgm_igmp *ig, struct ig_lim *lim, uint64_t now,
                uint64_t every, int level, const char *fmt, ...) {
  char line[256];
  size_t n;
  va_list ap;

  if (lim->armed && now < lim->next) {
    lim->held++;
    goto out;
  }
  lim->armed = 1;
  lim->next = now + every;
  if (ig->io.log != NULL) {
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    n = strlen(line);
    if (lim->held > 0)
      snprintf(line + n, sizeof(line) - n,
               " (%lu more since the last such line)",
               (unsigned long)lim->held);
    ig->io.log(ig->io.ctx, level, line);
  }
  lim->held = 0;
out:
  return;
}

const char *ig_if_name(const struct mgm_igmp *ig, uint32_t ifindex, char *buf) {
  buf[0] = '\0';
  if (ig->io.if_name != NULL)
    ig->io.if_name(ig->io.ctx, ifindex, buf, IG_NAME_MAX);
  buf[IG_NAME_MAX - 1] = '\0';
  if (buf[0] == '\0')
    snprintf(buf, IG_NAME_MAX, "if %u", (unsigned)ifindex);
  return buf;
}

const char *ig_addr_str(uint32_t addr, char *buf) {
  const uint8_t *p = (const uint8_t *)&addr;

  snprintf(buf, IG_ADDR_MAX, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
  return buf;
}

/* A failed send: said once for a host that cannot send at all, once per
 * outage of an interface (ERROR_INVALID_PARAMETER is what libmgm returns
 * for a link that is down or gone). */
static void send_failed(struct mgm_igmp *ig, struct ig_if *ifp, DWORD rc) {
  char ifn[IG_NAME_MAX], e[IG_ERR_MAX];

  IG_CNT(ig, ifp, tx_errors);
  if (rc == ERROR_NOT_SUPPORTED) {
    if (!ig->tx_unsupported)
      ig_log(ig, IG_LOG_WARN,
             "igmp: cannot send IGMP messages: %s: the forwarder has no way "
             "to send them, so no queries go out; hosts still join with "
             "unsolicited reports",
             ig_err_str(rc, e));
    ig->tx_unsupported = 1;
  } else if (ifp->tx_failed++ == 0) {
    ig_log(ig, IG_LOG_WARN, "igmp: %s: cannot send IGMP messages: %s: %s",
           ig_if_name(ig, ifp->ifindex, ifn), ig_err_str(rc, e),
           rc == ERROR_INVALID_PARAMETER
               ? "the interface is down, gone or has no IPv4 address; "
                 "queries resume when it is back"
               : "the host could not send them; each message is tried "
                 "again when due");
  }
}

void ig_send(struct mgm_igmp *ig, struct ig_if *ifp, uint32_t dst,
             const uint8_t *msg, size_t len, int kind) {
  DWORD rc = ig->io.send(ig->io.ctx, ifp->ifindex, dst, msg, (DWORD)len);
  char ifn[IG_NAME_MAX];

  if (rc == NO_ERROR && ifp->tx_failed > 0) {
    ig_log(ig, IG_LOG_INFO,
           "igmp: %s: IGMP messages go out again (%lu could not be sent)",
           ig_if_name(ig, ifp->ifindex, ifn), (unsigned long)ifp->tx_failed);
    ifp->tx_failed = 0;
  }
  if (rc != NO_ERROR) {
    send_failed(ig, ifp, rc);
  } else if (kind == IG_TX_QUERY) {
    IG_CNT(ig, ifp, tx_queries);
  } else if (kind == IG_TX_LEAVE) {
    IG_CNT(ig, ifp, tx_leaves);
  } else {
    IG_CNT(ig, ifp, tx_reports);
  }
}
