/*
 * router.c - the downstream side of the IGMP component: an IGMPv3 router
 * (RFC 3376 6, 7.3) that also speaks IGMPv2 (RFC 2236) when configured as
 * version 2.
 *
 * SPDX-License-Identifier: MIT
 *
 * Per interface: querier election (lowest address wins, Other Querier
 * Present timer), startup and periodic general queries, group-specific
 * and group-and-source-specific queries with Last Member Query
 * retransmissions and the Suppress Router-Side Processing flag.  Per
 * group: filter mode, group timer, source records with source timers, the
 * state-change tables of RFC 3376 6.4, and the IGMPv1/v2 host
 * compatibility timers of 7.3.2.  An IGMPv2 router is the same machine
 * with only EXCLUDE({}) groups: a report is IS_EX({}), a leave TO_IN({}),
 * queries use the v2 format and a report cancels pending group-specific
 * retransmissions (RFC 2236 6).  Every state change ends in
 * ig_mgm_reconcile_group (MGM memberships) and ig_host_recompute (proxy
 * upstream).  Times are absolute milliseconds given by the caller.
 */
#include <stdlib.h>
#include <string.h>

#include "igmp_int.h"

/* ---- Derived values ------------------------------------------------------ */

static uint64_t qri(const struct mgm_igmp *ig) {
  return ig->cfg.query_response_ms;
}

uint64_t ig_gmi(const struct mgm_igmp *ig, const struct ig_if *ifp) {
  return (uint64_t)ifp->qrv * ifp->qi_ms + qri(ig);
}

uint64_t ig_lmqt(const struct mgm_igmp *ig) {
  return (uint64_t)ig->cfg.last_member_query_ms *
         ig->cfg.last_member_query_count;
}

static uint64_t oqpi(const struct mgm_igmp *ig, const struct ig_if *ifp) {
  return (uint64_t)ifp->qrv * ifp->qi_ms + qri(ig) / 2;
}

static int link_local(uint32_t g) {
  uint32_t h = ig_ntohl(g);

  return (h & 0xF0000000u) != 0xE0000000u || (h & 0xFFFFFF00u) == 0xE0000000u;
}

static int in_ssm(const struct mgm_igmp *ig, uint32_t g) {
  return ig->cfg.ssm_mask != 0 && (g & ig->cfg.ssm_mask) == ig->cfg.ssm_group;
}

static uint32_t compat(const struct mgm_igmp *ig, const struct ig_group *g,
                       uint64_t now) {
  uint32_t v = ig->cfg.version;

  if (g->v1_host_until != NEVER && g->v1_host_until > now)
    v = 1;
  else if (g->v2_host_until != NEVER && g->v2_host_until > now && v > 2)
    v = 2;
  return v;
}

/* ---- Groups and sources
 * ------------------------------------------------------- */

static size_t grp_pos(const struct ig_if *ifp, uint32_t g, int *found) {
  size_t lo = 0, hi = ifp->n_grp;
  uint32_t k = ig_ntohl(g);

  *found = 0;
  while (lo < hi && !*found) {
    size_t mid = (lo + hi) / 2;
    uint32_t m = ig_ntohl(ifp->grp[mid]->addr);

    if (m == k) {
      *found = 1;
      lo = mid;
    } else if (m < k) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

struct ig_group *ig_group_find(const struct ig_if *ifp, uint32_t g) {
  int found;
  size_t i = grp_pos(ifp, g, &found);

  return found ? ifp->grp[i] : NULL;
}

static struct ig_group *group_new(struct mgm_igmp *ig, struct ig_if *ifp,
                                  uint32_t addr) {
  struct ig_group *g = NULL;
  int found;
  size_t i = grp_pos(ifp, addr, &found);

  if (found) {
    g = ifp->grp[i];
    goto out;
  }
  if (ifp->n_grp >= ig->cfg.max_groups)
    goto out;
  if (ifp->n_grp == ifp->cap_grp) {
    uint32_t cap = ifp->cap_grp ? ifp->cap_grp * 2 : 8;
    struct ig_group **n = realloc(ifp->grp, cap * sizeof(*n));

    if (n == NULL)
      goto out;
    ifp->grp = n;
    ifp->cap_grp = cap;
  }
  g = calloc(1, sizeof(*g));
  if (g == NULL)
    goto out;
  g->addr = addr;
  g->mode = MGM_IGMP_INCLUDE;
  g->timer = NEVER;
  g->v1_host_until = g->v2_host_until = NEVER;
  g->q_next = NEVER;
  memmove(ifp->grp + i + 1, ifp->grp + i, (ifp->n_grp - i) * sizeof(*ifp->grp));
  ifp->grp[i] = g;
  ifp->n_grp++;
out:
  return g;
}

/* Remove g (its MGM memberships are deleted or queued first). */
static void group_free(struct mgm_igmp *ig, struct ig_if *ifp,
                       struct ig_group *g) {
  int found;
  size_t i = grp_pos(ifp, g->addr, &found);

  ig_mgm_drop_group(ig, ifp, g);
  if (found) {
    memmove(ifp->grp + i, ifp->grp + i + 1,
            (ifp->n_grp - i - 1) * sizeof(*ifp->grp));
    ifp->n_grp--;
  }
  free(g->src);
  free(g);
}

static long src_pos(const struct ig_group *g, uint32_t a, size_t *ins) {
  size_t lo = 0, hi = g->n_src;
  uint32_t k = ig_ntohl(a);
  long at = -1;

  while (lo < hi && at < 0) {
    size_t mid = (lo + hi) / 2;
    uint32_t m = ig_ntohl(g->src[mid].addr);

    if (m == k)
      at = (long)mid;
    else if (m < k)
      lo = mid + 1;
    else
      hi = mid;
  }
  *ins = lo;
  return at;
}

static struct ig_src *src_find(const struct ig_group *g, uint32_t a) {
  size_t ins;
  long i = src_pos(g, a, &ins);

  return i < 0 ? NULL : &g->src[i];
}

/* Find or create; NULL when over max_sources or out of memory. */
static struct ig_src *src_get(struct mgm_igmp *ig, struct ig_group *g,
                              uint32_t a, uint64_t timer, int *created) {
  size_t ins = 0;
  long i = src_pos(g, a, &ins);
  struct ig_src *s = NULL;

  *created = 0;
  if (i >= 0) {
    s = &g->src[i];
    goto out;
  }
  if (a == 0 || g->n_src >= ig->cfg.max_sources)
    goto out;
  if (g->n_src == g->cap_src) {
    uint32_t cap = g->cap_src ? g->cap_src * 2 : 4;
    struct ig_src *n = realloc(g->src, cap * sizeof(*n));

    if (n == NULL)
      goto out;
    g->src = n;
    g->cap_src = cap;
  }
  memmove(g->src + ins + 1, g->src + ins, (g->n_src - ins) * sizeof(*g->src));
  s = &g->src[ins];
  memset(s, 0, sizeof(*s));
  s->addr = a;
  s->timer = timer;
  g->n_src++;
  *created = 1;
out:
  return s;
}

static void src_remove(struct mgm_igmp *ig, struct ig_if *ifp,
                       struct ig_group *g, size_t i) {
  ig_mgm_drop_source(ig, ifp, g, &g->src[i]);
  memmove(g->src + i, g->src + i + 1, (g->n_src - i - 1) * sizeof(*g->src));
  g->n_src--;
}

static int in_list(const uint8_t *b, uint32_t n, uint32_t a) {
  uint32_t i;
  int hit = 0;

  for (i = 0; i < n && !hit; i++)
    hit = ig_get32(b + 4 * i) == a;
  return hit;
}

/* ---- Queries ------------------------------------------------------------- */

static void send_general(struct mgm_igmp *ig, struct ig_if *ifp) {
  uint8_t buf[IG_MAX_MSG];
  size_t len;

  if (ig->cfg.version == 2) {
    uint64_t t = qri(ig) / 100;

    len = ig_build_v12(buf, IGMP_QUERY, (uint8_t)(t > 255 ? 255 : t), 0);
  } else {
    len = ig_build_v3_query(buf, (uint32_t)qri(ig), 0, 0, ifp->qrv,
                            ifp->qi_ms / 1000, NULL, 0);
  }
  ig_send(ig, ifp, ig_htonl(IG_ALL_SYSTEMS), buf, len, IG_TX_QUERY);
}

static void send_gss(struct mgm_igmp *ig, struct ig_if *ifp,
                     const struct ig_group *g, int sflag, const uint32_t *list,
                     uint32_t n) {
  uint8_t buf[IG_MAX_MSG];
  uint32_t done = 0;

  while (done < n) {
    uint32_t k = n - done > IG_MAX_QSRC ? IG_MAX_QSRC : n - done;
    size_t len =
        ig_build_v3_query(buf, ig->cfg.last_member_query_ms, g->addr, sflag,
                          ifp->qrv, ifp->qi_ms / 1000, list + done, k);

    ig_send(ig, ifp, g->addr, buf, len, IG_TX_QUERY);
    done += k;
  }
}

/* Send what is pending for g now (RFC 3376 6.6.3): Q(G) and Q(G,S), the
 * latter split by the S flag; schedule the next retransmission. */
static void send_group_queries(struct mgm_igmp *ig, struct ig_if *ifp,
                               struct ig_group *g, uint64_t now) {
  uint64_t lmqt = now + ig_lmqt(ig);
  uint32_t *hi = NULL, *lo = NULL, nhi = 0, nlo = 0, i;
  int more = 0;

  g->q_next = NEVER;
  if (!ifp->querier) {
    g->gq_rexmit = 0;
    for (i = 0; i < g->n_src; i++)
      g->src[i].rexmit = 0;
    goto out;
  }
  if (g->gq_rexmit > 0) {
    uint8_t buf[IG_MAX_MSG];
    size_t len;

    if (ig->cfg.version == 2) {
      uint32_t t = ig->cfg.last_member_query_ms / 100;

      len =
          ig_build_v12(buf, IGMP_QUERY, (uint8_t)(t > 255 ? 255 : t), g->addr);
    } else {
      int sflag = g->timer != NEVER && g->timer > lmqt;

      len = ig_build_v3_query(buf, ig->cfg.last_member_query_ms, g->addr, sflag,
                              ifp->qrv, ifp->qi_ms / 1000, NULL, 0);
    }
    ig_send(ig, ifp, g->addr, buf, len, IG_TX_QUERY);
    if (--g->gq_rexmit > 0)
      more = 1;
  }
  if (g->n_src > 0) {
    hi = malloc(g->n_src * sizeof(*hi));
    lo = malloc(g->n_src * sizeof(*lo));
  }
  for (i = 0; i < g->n_src && hi != NULL && lo != NULL; i++) {
    struct ig_src *s = &g->src[i];

    if (s->rexmit == 0)
      continue;
    if (s->timer != NEVER && s->timer > lmqt)
      hi[nhi++] = s->addr;
    else
      lo[nlo++] = s->addr;
    if (--s->rexmit > 0)
      more = 1;
  }
  if (nhi)
    send_gss(ig, ifp, g, 1, hi, nhi);
  if (nlo)
    send_gss(ig, ifp, g, 0, lo, nlo);
  if (more)
    g->q_next = now + ig->cfg.last_member_query_ms;
out:
  free(hi);
  free(lo);
}

/* Q(G): querier only; lowers the group timer to LMQT. */
static int q_group(struct mgm_igmp *ig, struct ig_if *ifp, struct ig_group *g,
                   uint64_t now) {
  uint64_t t = now + ig_lmqt(ig);

  if (ifp->querier) {
    if (g->mode == MGM_IGMP_EXCLUDE && (g->timer == NEVER || g->timer > t))
      g->timer = t;
    g->gq_rexmit = ig->cfg.last_member_query_count;
  }
  return ifp->querier;
}

/* One source of Q(G,A): querier only; lowers the source timer to LMQT. */
static int q_src(struct mgm_igmp *ig, struct ig_if *ifp, struct ig_src *s,
                 uint64_t now) {
  uint64_t t = now + ig_lmqt(ig);
  int on = ifp->querier && s->timer != NEVER && ig->cfg.version != 2;

  if (on) {
    if (s->timer > t)
      s->timer = t;
    s->rexmit = ig->cfg.last_member_query_count;
  }
  return on;
}

/* ---- State changes
 * ------------------------------------------------------------ */

/* After any change of g: drop it when empty, else sync MGM; then the proxy
 * upstream. */
static void group_changed(struct mgm_igmp *ig, struct ig_if *ifp,
                          struct ig_group *g, uint64_t now) {
  uint32_t addr = g->addr;

  if (g->mode == MGM_IGMP_INCLUDE && g->n_src == 0)
    group_free(ig, ifp, g);
  else
    ig_mgm_reconcile_group(ig, ifp, g);
  ig_host_recompute(ig, addr, now);
}

/* Apply one group record (RFC 3376 6.4.1 and 6.4.2) to interface ifp. */
static void apply_record(struct mgm_igmp *ig, struct ig_if *ifp, uint8_t type,
                         uint32_t grp, const uint8_t *b, uint32_t n,
                         uint32_t reporter, uint64_t now) {
  struct ig_group *g = ig_group_find(ifp, grp);
  uint64_t gmi = now + ig_gmi(ig, ifp);
  int sendq = 0, created;
  uint32_t i;
  long k;

  if (g == NULL) {
    /* INCLUDE({}): only records that add something create state. */
    if (!(type == REC_IS_EX || type == REC_TO_EX ||
          (n > 0 &&
           (type == REC_IS_IN || type == REC_ALLOW || type == REC_TO_IN))))
      goto out;
    g = group_new(ig, ifp, grp);
    if (g == NULL) {
      IG_CNT(ig, ifp, rx_ignored);
      goto out;
    }
  }
  g->last_reporter = reporter;
  switch (type) {
  case REC_IS_IN:
  case REC_ALLOW:
    for (i = 0; i < n; i++) {
      struct ig_src *s = src_get(ig, g, ig_get32(b + 4 * i), gmi, &created);

      if (s != NULL)
        s->timer = gmi;
    }
    break;
  case REC_TO_IN:
    /* Q(G,A-B) / Q(G,X-A) are over the sources present before B. */
    for (i = 0; i < g->n_src; i++)
      if (g->src[i].timer != NEVER && !in_list(b, n, g->src[i].addr))
        sendq |= q_src(ig, ifp, &g->src[i], now);
    for (i = 0; i < n; i++) {
      struct ig_src *s = src_get(ig, g, ig_get32(b + 4 * i), gmi, &created);

      if (s != NULL)
        s->timer = gmi;
    }
    if (g->mode == MGM_IGMP_EXCLUDE)
      sendq |= q_group(ig, ifp, g, now);
    break;
  case REC_IS_EX:
  case REC_TO_EX: {
    int was_include = g->mode == MGM_IGMP_INCLUDE;
    uint64_t gt = g->timer;

    for (k = (long)g->n_src - 1; k >= 0; k--)
      if (!in_list(b, n, g->src[k].addr))
        src_remove(ig, ifp, g, (size_t)k);
    for (i = 0; i < n; i++) {
      uint64_t t = was_include ? NEVER : (type == REC_IS_EX ? gmi : gt);
      struct ig_src *s = src_get(ig, g, ig_get32(b + 4 * i), t, &created);

      /* TO_EX: Q(G,A*B) from INCLUDE, Q(G,A-Y) from EXCLUDE: every
       * listed source with a running timer. */
      if (s != NULL && type == REC_TO_EX && s->timer != NEVER)
        sendq |= q_src(ig, ifp, s, now);
    }
    g->mode = MGM_IGMP_EXCLUDE;
    g->timer = gmi;
    break;
  }
  case REC_BLOCK:
    for (i = 0; i < n; i++) {
      uint32_t a = ig_get32(b + 4 * i);
      struct ig_src *s;

      if (g->mode == MGM_IGMP_INCLUDE)
        s = src_find(g, a); /* Q(G,A*B) */
      else
        s = src_get(ig, g, a, g->timer, &created); /* (A-X-Y)=GT, Q(G,A-Y) */
      if (s != NULL && s->timer != NEVER)
        sendq |= q_src(ig, ifp, s, now);
    }
    break;
  default:
    break; /* unknown record types are ignored (RFC 3376 4.2.12) */
  }
  if (sendq)
    send_group_queries(ig, ifp, g, now);
  group_changed(ig, ifp, g, now);
out:
  return;
}

/* RFC 4604 2.2.1: in the SSM range only source-specific requests count;
 * an any-source one (v1/v2 report or leave, v3 IS_EX/TO_EX record) is
 * counted and dropped, so that (*,G) never appears there. */
static void ssm_drop(struct mgm_igmp *ig, struct ig_if *ifp, const char *what,
                     uint32_t grp, uint32_t from, uint64_t now) {
  char ifn[IG_NAME_MAX], g[IG_ADDR_MAX], h[IG_ADDR_MAX], r[IG_ADDR_MAX];
  uint32_t m = ig_ntohl(ig->cfg.ssm_mask), len = 0;

  for (; m != 0; m <<= 1)
    len++;
  IG_CNT(ig, ifp, rx_ssm_ignored);
  ig_log_lim(ig, &ifp->lim[IG_LIM_SSM], now, IG_LIM_DEBUG_MS, IG_LOG_DEBUG,
             "igmp: %s: %s for %s from %s ignored: %s/%u is the SSM range, "
             "where only source-specific joins count (RFC 4604)",
             ig_if_name(ig, ifp->ifindex, ifn), what, ig_addr_str(grp, g),
             ig_addr_str(from, h), ig_addr_str(ig->cfg.ssm_group, r),
             (unsigned)len);
}

static void on_report(struct mgm_igmp *ig, struct ig_if *ifp,
                      const struct ig_pkt *pk, uint64_t now) {
  struct ig_group *g = NULL;
  uint64_t ohpi = ig_gmi(ig, ifp); /* Older Host Present Interval */

  if (!link_local(pk->group) && in_ssm(ig, pk->group)) {
    ssm_drop(ig, ifp,
             pk->type == IGMP_V1_REPORT ? "IGMPv1 report" : "IGMPv2 report",
             pk->group, pk->src, now);
    goto out;
  }
  if (!link_local(pk->group))
    g = group_new(ig, ifp, pk->group);
  if (g == NULL) {
    IG_CNT(ig, ifp, rx_ignored);
    goto out;
  }
  if (pk->type == IGMP_V1_REPORT)
    g->v1_host_until = now + ohpi;
  else if (ig->cfg.version == 3)
    g->v2_host_until = now + ohpi;
  if (ig->cfg.version == 2) {
    /* RFC 2236 6: a report ends "checking membership" */
    g->gq_rexmit = 0;
    g->q_next = NEVER;
  }
  apply_record(ig, ifp, REC_IS_EX, pk->group, NULL, 0, pk->src, now);
out:
  return;
}

static void on_leave(struct mgm_igmp *ig, struct ig_if *ifp,
                     const struct ig_pkt *pk, uint64_t now) {
  struct ig_group *g = ig_group_find(ifp, pk->group);

  if (!link_local(pk->group) && in_ssm(ig, pk->group))
    ssm_drop(ig, ifp, "IGMPv2 leave", pk->group, pk->src, now);
  else if (link_local(pk->group) || g == NULL)
    IG_CNT(ig, ifp, rx_ignored);
  else if (compat(ig, g, now) != 1) /* v1 hosts: leaves ignored (RFC 2236 4) */
    apply_record(ig, ifp, REC_TO_IN, pk->group, NULL, 0, pk->src, now);
}

static void on_v3_report(struct mgm_igmp *ig, struct ig_if *ifp,
                         const struct ig_pkt *pk, uint64_t now) {
  char ifn[IG_NAME_MAX], a[IG_ADDR_MAX];
  struct ig_rec r;
  size_t off = 0;

  if (ig->cfg.version == 2) {
    IG_CNT(ig, ifp, rx_ignored); /* a v2 router does not speak v3 */
    ig_log_lim(ig, &ifp->lim[IG_LIM_VERSION], now, IG_LIM_DEBUG_MS,
               IG_LOG_DEBUG,
               "igmp: %s: IGMPv3 report from %s ignored: this router runs "
               "IGMPv2 (version 2)",
               ig_if_name(ig, ifp->ifindex, ifn), ig_addr_str(pk->src, a));
    off = pk->recs_len;
  }
  while (ig_rec_next(pk, &off, &r)) {
    struct ig_group *g;
    uint32_t v;
    uint8_t type = r.type;
    uint32_t n = r.nsrc;

    if (link_local(r.group) || type < REC_IS_IN || type > REC_BLOCK) {
      IG_CNT(ig, ifp, rx_ignored);
      continue;
    }
    if ((type == REC_IS_EX || type == REC_TO_EX) && in_ssm(ig, r.group)) {
      ssm_drop(ig, ifp,
               type == REC_IS_EX ? "IGMPv3 IS_EX record"
                                 : "IGMPv3 TO_EX record",
               r.group, pk->src, now);
      continue;
    }
    g = ig_group_find(ifp, r.group);
    v = g != NULL ? compat(ig, g, now) : 3;
    if (v < 3) {
      if (type == REC_BLOCK)
        continue;
      if (type == REC_TO_EX)
        n = 0;
    }
    apply_record(ig, ifp, type, r.group, r.srcs, n, pk->src, now);
  }
}

/* RFC 3376 7.3.1: an older querier on the link needs every router there
 * configured to its version.  Said at once for each querier, then at most
 * every IG_LIM_WARN_MS while it keeps querying (it queries every few
 * seconds at its start). */
static void warn_older_querier(struct mgm_igmp *ig, struct ig_if *ifp,
                               const struct ig_pkt *pk, uint64_t now) {
  char ifn[IG_NAME_MAX], a[IG_ADDR_MAX];

  if (pk->src != ifp->old_querier) {
    ifp->old_querier = pk->src;
    ifp->lim[IG_LIM_OLD_QUERIER].armed = 0;
    ifp->lim[IG_LIM_OLD_QUERIER].held = 0;
  }
  ig_log_lim(ig, &ifp->lim[IG_LIM_OLD_QUERIER], now, IG_LIM_WARN_MS,
             IG_LOG_WARN,
             "igmp: %s: IGMPv%d querier %s on this IGMPv3 link: configure "
             "every router of the link for IGMPv%d (RFC 3376 7.3.1)",
             ig_if_name(ig, ifp->ifindex, ifn), pk->qver,
             ig_addr_str(pk->src, a), pk->qver);
}

/* A query from another router: election, learned values, timer updates of
 * RFC 3376 6.6.1 / RFC 2236 3 (non-querier). */
static void on_query(struct mgm_igmp *ig, struct ig_if *ifp,
                     const struct ig_pkt *pk, uint64_t now) {
  char ifn[IG_NAME_MAX], a[IG_ADDR_MAX];
  uint32_t i;

  if (pk->src == ifp->addr && pk->src != 0) {
    IG_CNT(ig, ifp, rx_ignored); /* our own, looped back */
    goto out;
  }
  if (ig->cfg.version == 3 && pk->qver < 3)
    warn_older_querier(ig, ifp, pk, now);
  if (pk->src != 0 &&
      (ifp->addr == 0 || ig_ntohl(pk->src) < ig_ntohl(ifp->addr))) {
    if (ifp->querier) {
      struct ig_group **gs = ifp->grp;

      ifp->querier = 0;
      IG_CNT(ig, ifp, querier_changes);
      ifp->gq_at = NEVER;
      ifp->startup_left = 0;
      for (i = 0; i < ifp->n_grp; i++)
        send_group_queries(ig, ifp, gs[i], now); /* cancels them */
      ig_log(ig, IG_LOG_INFO,
             "igmp: %s: querier %s has a lower address: this router is "
             "non-querier",
             ig_if_name(ig, ifp->ifindex, ifn), ig_addr_str(pk->src, a));
    }
    ifp->querier_addr = pk->src;
    if (pk->qver == 3) {
      if (pk->qrv != 0)
        ifp->qrv = pk->qrv;
      if (pk->qqi_s != 0)
        ifp->qi_ms = pk->qqi_s * 1000;
    }
    ifp->oqp_until = now + oqpi(ig, ifp);
  }
  /* Timer updates for group(-and-source)-specific queries. */
  if (pk->group != 0 && (pk->qver < 3 || !pk->sflag) &&
      !link_local(pk->group)) {
    struct ig_group *g = ig_group_find(ifp, pk->group);
    uint64_t t = now + (uint64_t)ig->cfg.last_member_query_count *
                           (pk->max_resp_ms ? pk->max_resp_ms : 100);

    if (g == NULL) {
      /* nothing to update */
    } else if (pk->nsrc == 0) {
      if (g->mode == MGM_IGMP_EXCLUDE && g->timer > t)
        g->timer = t;
    } else {
      for (i = 0; i < pk->nsrc; i++) {
        struct ig_src *s = src_find(g, ig_get32(pk->srcs + 4 * i));

        if (s != NULL && s->timer != NEVER && s->timer > t)
          s->timer = t;
      }
    }
  }
out:
  return;
}

void ig_router_input(struct mgm_igmp *ig, struct ig_if *ifp,
                     const struct ig_pkt *pk, uint64_t now) {
  switch (pk->type) {
  case IGMP_QUERY:
    on_query(ig, ifp, pk, now);
    break;
  case IGMP_V1_REPORT:
  case IGMP_V2_REPORT:
    on_report(ig, ifp, pk, now);
    break;
  case IGMP_V2_LEAVE:
    on_leave(ig, ifp, pk, now);
    break;
  case IGMP_V3_REPORT:
    on_v3_report(ig, ifp, pk, now);
    break;
  default:
    IG_CNT(ig, ifp, rx_ignored);
    break;
  }
}

/* ---- Timers
 * ------------------------------------------------------------------ */

static void general_query(struct mgm_igmp *ig, struct ig_if *ifp,
                          uint64_t now) {
  send_general(ig, ifp);
  if (ifp->startup_left > 0)
    ifp->startup_left--;
  ifp->gq_at = now + (ifp->startup_left > 0 ? ig->cfg.startup_query_interval_ms
                                            : ifp->qi_ms);
}

void ig_router_start(struct mgm_igmp *ig, struct ig_if *ifp, uint64_t now) {
  ifp->querier = 1;
  ifp->querier_addr = ifp->addr;
  ifp->oqp_until = NEVER;
  ifp->qrv = ig->cfg.robustness;
  ifp->qi_ms = ig->cfg.query_interval_s * 1000;
  ifp->startup_left = ig->cfg.startup_query_count;
  general_query(ig, ifp, now);
}

void ig_router_tick(struct mgm_igmp *ig, struct ig_if *ifp, uint64_t now) {
  char ifn[IG_NAME_MAX];
  size_t i;

  if (!ifp->querier && ifp->oqp_until <= now) {
    ifp->querier = 1;
    ifp->querier_addr = ifp->addr;
    ifp->oqp_until = NEVER;
    ifp->qrv = ig->cfg.robustness;
    ifp->qi_ms = ig->cfg.query_interval_s * 1000;
    IG_CNT(ig, ifp, querier_changes);
    ig_log(ig, IG_LOG_INFO,
           "igmp: %s: Other Querier Present timer expired: this router is "
           "querier again",
           ig_if_name(ig, ifp->ifindex, ifn));
    ifp->gq_at = now;
  }
  if (ifp->querier && ifp->gq_at <= now)
    general_query(ig, ifp, now);

  /* Groups, from the end so that freeing one keeps the walk valid. */
  for (i = ifp->n_grp; i-- > 0;) {
    struct ig_group *g = ifp->grp[i];
    int changed = 0;
    long k;

    for (k = (long)g->n_src - 1; k >= 0; k--) {
      struct ig_src *s = &g->src[k];

      if (s->timer == NEVER || s->timer > now)
        continue;
      if (g->mode == MGM_IGMP_INCLUDE)
        src_remove(ig, ifp, g, (size_t)k);
      else
        s->timer = NEVER; /* X -> Y: no longer requested */
      changed = 1;
    }
    if (g->mode == MGM_IGMP_EXCLUDE && g->timer <= now) {
      for (k = (long)g->n_src - 1; k >= 0; k--)
        if (g->src[k].timer == NEVER)
          src_remove(ig, ifp, g, (size_t)k);
      g->mode = MGM_IGMP_INCLUDE;
      g->timer = NEVER;
      changed = 1;
    }
    if (g->v1_host_until <= now)
      g->v1_host_until = NEVER;
    if (g->v2_host_until <= now)
      g->v2_host_until = NEVER;
    if (g->q_next <= now)
      send_group_queries(ig, ifp, g, now);
    if (changed)
      group_changed(ig, ifp, g, now);
  }
}

uint64_t ig_router_deadline(const struct mgm_igmp *ig,
                            const struct ig_if *ifp) {
  uint64_t d = ifp->querier ? ifp->gq_at : ifp->oqp_until;
  size_t i, k;

  (void)ig;
  for (i = 0; i < ifp->n_grp; i++) {
    const struct ig_group *g = ifp->grp[i];

    if (g->mode == MGM_IGMP_EXCLUDE)
      d = ig_min64(d, g->timer);
    d = ig_min64(d, g->q_next);
    d = ig_min64(d, g->v1_host_until);
    d = ig_min64(d, g->v2_host_until);
    for (k = 0; k < g->n_src; k++)
      d = ig_min64(d, g->src[k].timer);
  }
  return d;
}

void ig_router_free(struct ig_if *ifp) {
  size_t i;

  for (i = 0; i < ifp->n_grp; i++) {
    free(ifp->grp[i]->src);
    free(ifp->grp[i]);
  }
  free(ifp->grp);
  ifp->grp = NULL;
  ifp->n_grp = ifp->cap_grp = 0;
}
