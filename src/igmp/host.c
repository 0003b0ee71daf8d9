/*
 * host.c - the proxy upstream side of the IGMP component: IGMP host
 * behaviour (RFC 3376 5 and 7.2, RFC 2236 3) for a membership database
 * merged from the downstream interfaces (RFC 4605 4.1).
 *
 * SPDX-License-Identifier: MIT
 *
 * ig_host_recompute() merges one group over every downstream interface
 * (EXCLUDE if any is EXCLUDE: the intersection of their excluded sources
 * minus every included source; else INCLUDE: the union of included
 * sources) and, when the result differs from the upstream record, starts
 * a state-change report: a filter-mode-change record (TO_IN/TO_EX) or
 * source-list-change records (ALLOW/BLOCK), sent at once and repeated
 * [Robustness] - 1 more times at random intervals up to the Unsolicited
 * Report Interval.  In IGMPv1/v2 compatibility mode (an older querier was
 * heard upstream, or version 2 configured) a join is a v1/v2 report
 * repeated the same way and a leave is one v2 leave.  Queries heard
 * upstream schedule current-state responses after a random delay (RFC
 * 3376 5.2 rules for merging pending responses); other hosts' v1/v2
 * reports suppress ours.  The proxy never queries upstream.
 */
#include <stdlib.h>
#include <string.h>

#include "igmp_int.h"

/* ---- Small sorted address sets ------------------------------------------- */

struct aset {
  uint32_t n, cap;
  uint32_t *a; /* ascending ntohl */
};

static int aset_has(const uint32_t *a, uint32_t n, uint32_t v) {
  size_t lo = 0, hi = n;
  uint32_t k = ig_ntohl(v);
  int hit = 0;

  while (lo < hi && !hit) {
    size_t mid = (lo + hi) / 2;
    uint32_t m = ig_ntohl(a[mid]);

    if (m == k)
      hit = 1;
    else if (m < k)
      lo = mid + 1;
    else
      hi = mid;
  }
  return hit;
}

/* Insert keeping order; 0 on allocation failure. */
static int aset_add(struct aset *s, uint32_t v) {
  uint32_t i;
  int ok = 1;

  if (aset_has(s->a, s->n, v))
    goto out;
  if (s->n == s->cap) {
    uint32_t cap = s->cap ? s->cap * 2 : 8;
    uint32_t *n = realloc(s->a, cap * sizeof(*n));

    ok = n != NULL;
    if (!ok)
      goto out;
    s->a = n;
    s->cap = cap;
  }
  for (i = s->n; i > 0 && ig_ntohl(s->a[i - 1]) > ig_ntohl(v); i--)
    s->a[i] = s->a[i - 1];
  s->a[i] = v;
  s->n++;
out:
  return ok;
}

/* ---- Upstream records
 * --------------------------------------------------------- */

static size_t ugrp_pos(const struct ig_if *ifp, uint32_t g, int *found) {
  size_t lo = 0, hi = ifp->n_ugrp;
  uint32_t k = ig_ntohl(g);

  *found = 0;
  while (lo < hi && !*found) {
    size_t mid = (lo + hi) / 2;
    uint32_t m = ig_ntohl(ifp->ugrp[mid]->addr);

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

struct ig_ugrp *ig_ugrp_find(const struct ig_if *ifp, uint32_t g) {
  int found;
  size_t i = ugrp_pos(ifp, g, &found);

  return found ? ifp->ugrp[i] : NULL;
}

static struct ig_ugrp *ugrp_new(struct ig_if *ifp, uint32_t addr) {
  struct ig_ugrp *u = NULL;
  int found;
  size_t i = ugrp_pos(ifp, addr, &found);

  if (found) {
    u = ifp->ugrp[i];
    goto out;
  }
  if (ifp->n_ugrp == ifp->cap_ugrp) {
    uint32_t cap = ifp->cap_ugrp ? ifp->cap_ugrp * 2 : 8;
    struct ig_ugrp **n = realloc(ifp->ugrp, cap * sizeof(*n));

    if (n == NULL)
      goto out;
    ifp->ugrp = n;
    ifp->cap_ugrp = cap;
  }
  u = calloc(1, sizeof(*u));
  if (u == NULL)
    goto out;
  u->addr = addr;
  u->mode = MGM_IGMP_INCLUDE;
  u->report_at = u->resp_at = NEVER;
  memmove(ifp->ugrp + i + 1, ifp->ugrp + i,
          (ifp->n_ugrp - i) * sizeof(*ifp->ugrp));
  ifp->ugrp[i] = u;
  ifp->n_ugrp++;
out:
  return u;
}

static void ugrp_destroy(struct ig_ugrp *u) {
  free(u->src);
  free(u->delta);
  free(u->rsrc);
  free(u);
}

static void ugrp_free(struct ig_if *ifp, struct ig_ugrp *u) {
  int found;
  size_t i = ugrp_pos(ifp, u->addr, &found);

  if (found) {
    memmove(ifp->ugrp + i, ifp->ugrp + i + 1,
            (ifp->n_ugrp - i - 1) * sizeof(*ifp->ugrp));
    ifp->n_ugrp--;
  }
  ugrp_destroy(u);
}

static int joined(const struct ig_ugrp *u) {
  return u->mode == MGM_IGMP_EXCLUDE || u->n_src > 0;
}

static int pending(const struct ig_ugrp *u) {
  return u->mode_rexmit > 0 || u->n_delta > 0 || u->v12_rexmit > 0 ||
         u->resp_at != NEVER;
}

uint32_t ig_host_version(const struct mgm_igmp *ig, const struct ig_if *ifp,
                         uint64_t now) {
  uint32_t v = ig->cfg.version;

  if (ifp->v1_querier_until != NEVER && ifp->v1_querier_until > now)
    v = 1;
  else if (ifp->v2_querier_until != NEVER && ifp->v2_querier_until > now &&
           v > 2)
    v = 2;
  return v;
}

static uint32_t uri(const struct mgm_igmp *ig, uint32_t ver) {
  uint32_t v = ver == 3 ? 1000u : 10000u;

  if (ig->cfg.unsolicited_report_ms)
    v = ig->cfg.unsolicited_report_ms;
  return v;
}

static void delta_set(struct ig_ugrp *u, uint32_t addr, int allow,
                      uint32_t left) {
  uint32_t i;

  for (i = 0; i < u->n_delta && u->delta[i].addr != addr; i++) {
  }
  if (i == u->n_delta) {
    if (u->n_delta == u->cap_delta) {
      uint32_t cap = u->cap_delta ? u->cap_delta * 2 : 4;
      struct ig_delta *n = realloc(u->delta, cap * sizeof(*n));

      if (n == NULL)
        goto out; /* a lost retransmission; the next query repairs it */
      u->delta = n;
      u->cap_delta = cap;
    }
    u->delta[i].addr = addr;
    u->n_delta++;
  }
  u->delta[i].allow = (uint8_t)allow;
  u->delta[i].left = left;
out:
  return;
}

/* ---- Sending
 * ------------------------------------------------------------------ */

struct out {
  struct mgm_igmp *ig;
  struct ig_if *ifp;
  struct ig_v3b b;
};

static void out_flush(struct out *o) {
  if (o->b.nrec > 0) {
    size_t len = ig_v3b_finish(&o->b);

    ig_send(o->ig, o->ifp, ig_htonl(IG_V3_REPORTS), o->b.buf, len,
            IG_TX_REPORT);
  }
  ig_v3b_init(&o->b);
}

/* Add a record, splitting an inclusive list over several records/packets;
 * an exclusive one is cut to what fits in one packet (RFC 3376 4.2.16). */
static void out_rec(struct out *o, uint8_t type, uint32_t group,
                    const uint32_t *src, uint32_t n) {
  uint32_t done = 0;

  do {
    size_t room = ig_v3b_room(&o->b);
    uint32_t k = n - done;

    if (room == 0 || (room < k && o->b.nrec > 0)) {
      out_flush(o);
      room = ig_v3b_room(&o->b);
    }
    if (k > room)
      k = (uint32_t)room;
    ig_v3b_add(&o->b, type, group, src != NULL ? src + done : NULL, k);
    done += k;
    if (type == REC_IS_EX || type == REC_TO_EX)
      break;
    if (type == REC_TO_IN)
      type = REC_ALLOW; /* the rest of a long TO_IN list */
  } while (done < n);
}

static void send_v12(struct mgm_igmp *ig, struct ig_if *ifp, uint32_t ver,
                     uint8_t type, uint32_t group) {
  uint8_t buf[8];
  uint32_t dst = group;
  int kind = IG_TX_REPORT;

  if (type == IGMP_V2_LEAVE) {
    dst = ig_htonl(IG_ALL_ROUTERS);
    kind = IG_TX_LEAVE;
  } else if (ver == 1) {
    type = IGMP_V1_REPORT;
  }
  ig_build_v12(buf, type, 0, group);
  ig_send(ig, ifp, dst, buf, sizeof(buf), kind);
}

/* Current-state record of u into o (IS_IN / IS_EX), if it has state. */
static void current_state(struct out *o, const struct ig_ugrp *u) {
  if (u->mode == MGM_IGMP_EXCLUDE)
    out_rec(o, REC_IS_EX, u->addr, u->src, u->n_src);
  else if (u->n_src > 0)
    out_rec(o, REC_IS_IN, u->addr, u->src, u->n_src);
}

/* One unsolicited (state-change) transmission of u. */
static void send_change(struct mgm_igmp *ig, struct ig_if *ifp,
                        struct ig_ugrp *u, uint32_t ver, uint64_t now) {
  uint32_t i, j;
  int more;

  if (ver < 3) {
    u->mode_rexmit = 0;
    u->n_delta = 0;
    if (u->v12_rexmit > 0) {
      if (joined(u))
        send_v12(ig, ifp, ver, IGMP_V2_REPORT, u->addr);
      u->v12_rexmit--;
    }
    more = u->v12_rexmit > 0;
  } else {
    struct out o = {ig, ifp, {{0}, 0, 0}};

    u->v12_rexmit = 0;
    ig_v3b_init(&o.b);
    if (u->mode_rexmit > 0) {
      out_rec(&o, u->mode == MGM_IGMP_EXCLUDE ? REC_TO_EX : REC_TO_IN, u->addr,
              u->src, u->n_src);
      u->mode_rexmit--;
    } else if (u->n_delta > 0) {
      uint32_t *al = malloc(u->n_delta * sizeof(*al));
      uint32_t *bl = malloc(u->n_delta * sizeof(*bl));
      uint32_t na = 0, nb = 0;

      if (al != NULL && bl != NULL) {
        for (i = 0; i < u->n_delta; i++) {
          if (u->delta[i].allow)
            al[na++] = u->delta[i].addr;
          else
            bl[nb++] = u->delta[i].addr;
        }
        if (na)
          out_rec(&o, REC_ALLOW, u->addr, al, na);
        if (nb)
          out_rec(&o, REC_BLOCK, u->addr, bl, nb);
      }
      free(al);
      free(bl);
      for (i = j = 0; i < u->n_delta; i++) {
        if (--u->delta[i].left > 0)
          u->delta[j++] = u->delta[i];
      }
      u->n_delta = j;
    }
    out_flush(&o);
    more = u->mode_rexmit > 0 || u->n_delta > 0;
  }
  u->report_at = more ? now + 1 + ig_rand(ig, uri(ig, ver) - 1) : NEVER;
}

/* Answer a pending query for u. */
static void send_response(struct mgm_igmp *ig, struct ig_if *ifp,
                          struct ig_ugrp *u, uint32_t ver) {
  if (ver < 3) {
    if (joined(u))
      send_v12(ig, ifp, ver, IGMP_V2_REPORT, u->addr);
  } else {
    struct out o = {ig, ifp, {{0}, 0, 0}};

    ig_v3b_init(&o.b);
    if (u->resp_all) {
      current_state(&o, u);
    } else {
      uint32_t *l = malloc((u->n_rsrc ? u->n_rsrc : 1) * sizeof(*l));
      uint32_t i, n = 0;

      for (i = 0; l != NULL && i < u->n_rsrc; i++) {
        int has = aset_has(u->src, u->n_src, u->rsrc[i]);

        /* INCLUDE: IS_IN(A*Q); EXCLUDE: IS_IN(Q-A) */
        if ((u->mode == MGM_IGMP_INCLUDE) == (has != 0))
          l[n++] = u->rsrc[i];
      }
      if (n > 0)
        out_rec(&o, REC_IS_IN, u->addr, l, n);
      free(l);
    }
    out_flush(&o);
  }
  u->resp_at = NEVER;
  u->resp_all = 0;
  u->n_rsrc = 0;
}

/* ---- Membership database
 * -------------------------------------------------------- */

void ig_host_recompute(struct mgm_igmp *ig, uint32_t group, uint64_t now) {
  struct ig_if *up = ig_upstream(ig);
  struct aset inc = {0, 0, NULL}, exc = {0, 0, NULL}, res = {0, 0, NULL};
  struct ig_ugrp *u;
  int any_ex = 0, ok = 1, mode;
  uint32_t i, k, ver;

  if (up == NULL)
    goto out;
  for (i = 0; i < ig->n_if && ok; i++) {
    const struct ig_if *d = ig->ifs[i];
    const struct ig_group *g;

    if (d->role != MGM_IGMP_ROLE_DOWNSTREAM ||
        (g = ig_group_find(d, group)) == NULL)
      continue;
    if (g->mode == MGM_IGMP_INCLUDE) {
      for (k = 0; k < g->n_src && ok; k++)
        ok = aset_add(&inc, g->src[k].addr);
    } else if (!any_ex) {
      any_ex = 1;
      for (k = 0; k < g->n_src && ok; k++)
        if (g->src[k].timer == NEVER)
          ok = aset_add(&exc, g->src[k].addr);
    } else {
      /* intersection with this interface's excluded (Y) sources */
      uint32_t j = 0;

      for (k = 0; k < exc.n; k++) {
        const struct ig_src *s = NULL;
        uint32_t m;

        for (m = 0; m < g->n_src; m++)
          if (g->src[m].addr == exc.a[k])
            s = &g->src[m];
        if (s != NULL && s->timer == NEVER)
          exc.a[j++] = exc.a[k];
      }
      exc.n = j;
    }
  }
  if (!ok)
    goto out; /* out of memory: keep the old upstream state */
  mode = any_ex ? MGM_IGMP_EXCLUDE : MGM_IGMP_INCLUDE;
  if (any_ex) {
    for (k = 0; k < exc.n && ok; k++)
      if (!aset_has(inc.a, inc.n, exc.a[k]))
        ok = aset_add(&res, exc.a[k]);
  } else {
    res = inc;
    inc.a = NULL;
    inc.n = inc.cap = 0;
  }
  if (!ok)
    goto out;
  u = ig_ugrp_find(up, group);
  if (u == NULL && mode == MGM_IGMP_INCLUDE && res.n == 0)
    goto out;
  if (u == NULL && (u = ugrp_new(up, group)) == NULL)
    goto out;
  if (u->mode == mode && u->n_src == res.n &&
      (res.n == 0 || memcmp(u->src, res.a, res.n * sizeof(*res.a)) == 0))
    goto out; /* no change */

  ver = ig_host_version(ig, up, now);
  if (ver < 3) {
    int was = joined(u), is = mode == MGM_IGMP_EXCLUDE || res.n > 0;

    if (is && !was) {
      u->v12_rexmit = ig->cfg.robustness;
      u->report_at = now;
    } else if (!is && was) {
      u->v12_rexmit = 0;
      u->report_at = NEVER;
      if (ver == 2)
        send_v12(ig, up, ver, IGMP_V2_LEAVE, group);
    }
  } else {
    if (u->mode != mode || u->mode_rexmit > 0) {
      u->mode_rexmit = ig->cfg.robustness;
      u->n_delta = 0;
    } else {
      /* INCLUDE: ALLOW(new-old), BLOCK(old-new); EXCLUDE: the reverse */
      int inc_mode = mode == MGM_IGMP_INCLUDE;

      for (k = 0; k < res.n; k++)
        if (!aset_has(u->src, u->n_src, res.a[k]))
          delta_set(u, res.a[k], inc_mode, ig->cfg.robustness);
      for (k = 0; k < u->n_src; k++)
        if (!aset_has(res.a, res.n, u->src[k]))
          delta_set(u, u->src[k], !inc_mode, ig->cfg.robustness);
    }
    u->report_at = now;
  }
  u->mode = mode;
  free(u->src);
  u->src = res.a;
  u->n_src = res.n;
  u->cap_src = res.cap;
  res.a = NULL;
  if (!joined(u) && !pending(u) && u->report_at == NEVER)
    ugrp_free(up, u);
out:
  free(inc.a);
  free(exc.a);
  free(res.a);
}

void ig_host_recompute_all(struct mgm_igmp *ig, uint64_t now) {
  uint32_t i, k;

  for (i = 0; i < ig->n_if; i++) {
    const struct ig_if *d = ig->ifs[i];

    if (d->role != MGM_IGMP_ROLE_DOWNSTREAM)
      continue;
    for (k = 0; k < d->n_grp; k++)
      ig_host_recompute(ig, d->grp[k]->addr, now);
  }
}

/* ---- Input
 * ----------------------------------------------------------------------- */

/* v1/v2 mode: one random delay per joined group (RFC 2236 3). */
static void schedule_v12(struct mgm_igmp *ig, struct ig_if *ifp,
                         const struct ig_pkt *pk, uint64_t now) {
  uint32_t i;

  for (i = 0; i < ifp->n_ugrp; i++) {
    struct ig_ugrp *u = ifp->ugrp[i];
    uint64_t d;

    if (!joined(u) || (pk->group != 0 && pk->group != u->addr))
      continue;
    d = now + ig_rand(ig, pk->max_resp_ms);
    if (u->resp_at == NEVER || d < u->resp_at) {
      u->resp_at = d;
      u->resp_all = 1;
    }
  }
}

/* v3 group(-and-source)-specific query: merge with what is pending (RFC
 * 3376 5.2 rules 3-5). */
static void schedule_v3_group(struct ig_ugrp *u, const struct ig_pkt *pk,
                              uint64_t d) {
  uint32_t k;

  if (u->resp_at == NEVER) {
    u->resp_all = pk->nsrc == 0;
    u->n_rsrc = 0;
  } else if (pk->nsrc == 0 || u->resp_all) {
    u->resp_all = 1;
    u->n_rsrc = 0;
  }
  if (!u->resp_all) {
    struct aset s = {u->n_rsrc, u->cap_rsrc, u->rsrc};

    for (k = 0; k < pk->nsrc && !u->resp_all; k++) {
      if (!aset_add(&s, ig_get32(pk->srcs + 4 * k))) {
        s.n = 0;
        u->resp_all = 1; /* out of memory: answer for the whole group */
      }
    }
    u->rsrc = s.a;
    u->n_rsrc = s.n;
    u->cap_rsrc = s.cap;
  }
  u->resp_at = ig_min64(u->resp_at, d);
}

static void on_query(struct mgm_igmp *ig, struct ig_if *ifp,
                     const struct ig_pkt *pk, uint64_t now) {
  uint64_t ovqpt =
      (uint64_t)ig->cfg.robustness * ig->cfg.query_interval_s * 1000 +
      ig->cfg.query_response_ms;
  struct ig_ugrp *u;
  uint64_t d;

  if (pk->qver == 1)
    ifp->v1_querier_until = now + ovqpt;
  else if (pk->qver == 2)
    ifp->v2_querier_until = now + ovqpt;
  if (ig_host_version(ig, ifp, now) < 3) {
    schedule_v12(ig, ifp, pk, now);
  } else if (pk->qver == 3) { /* (an older query made us v1/v2 above) */
    d = now + ig_rand(ig, pk->max_resp_ms);
    if (ifp->gen_resp_at != NEVER && ifp->gen_resp_at <= d) {
      /* RFC 3376 5.2 rule 1: the pending general response covers it */
    } else if (pk->group == 0) {
      ifp->gen_resp_at = d;
    } else if ((u = ig_ugrp_find(ifp, pk->group)) != NULL && joined(u)) {
      schedule_v3_group(u, pk, d);
    }
  }
}

void ig_host_input(struct mgm_igmp *ig, struct ig_if *ifp,
                   const struct ig_pkt *pk, uint64_t now) {
  switch (pk->type) {
  case IGMP_QUERY:
    on_query(ig, ifp, pk, now);
    break;
  case IGMP_V1_REPORT:
  case IGMP_V2_REPORT: {
    /* Another host answered: suppress our pending v1/v2 report. */
    struct ig_ugrp *u = ig_ugrp_find(ifp, pk->group);

    if (pk->src != ifp->addr && u != NULL && ig_host_version(ig, ifp, now) < 3)
      u->resp_at = NEVER;
    break;
  }
  default:
    break; /* leaves and v3 reports of other hosts: nothing to do */
  }
}

/* ---- Timers
 * ------------------------------------------------------------------------ */

void ig_host_tick(struct mgm_igmp *ig, struct ig_if *ifp, uint64_t now) {
  uint32_t ver;
  size_t i;

  if (ifp->v1_querier_until <= now)
    ifp->v1_querier_until = NEVER;
  if (ifp->v2_querier_until <= now)
    ifp->v2_querier_until = NEVER;
  ver = ig_host_version(ig, ifp, now);
  if (ifp->gen_resp_at <= now) {
    struct out o = {ig, ifp, {{0}, 0, 0}};

    ifp->gen_resp_at = NEVER;
    if (ver == 3) {
      ig_v3b_init(&o.b);
      for (i = 0; i < ifp->n_ugrp; i++)
        current_state(&o, ifp->ugrp[i]);
      out_flush(&o);
    }
  }
  for (i = ifp->n_ugrp; i-- > 0;) {
    struct ig_ugrp *u = ifp->ugrp[i];

    if (u->resp_at <= now)
      send_response(ig, ifp, u, ver);
    if (u->report_at <= now)
      send_change(ig, ifp, u, ver, now);
    if (!joined(u) && !pending(u))
      ugrp_free(ifp, u);
  }
}

uint64_t ig_host_deadline(const struct ig_if *ifp) {
  uint64_t d = ig_min64(ifp->gen_resp_at,
                        ig_min64(ifp->v1_querier_until, ifp->v2_querier_until));
  size_t i;

  for (i = 0; i < ifp->n_ugrp; i++)
    d = ig_min64(d, ig_min64(ifp->ugrp[i]->report_at, ifp->ugrp[i]->resp_at));
  return d;
}

void ig_host_leave_all(struct mgm_igmp *ig, struct ig_if *ifp) {
  struct out o = {ig, ifp, {{0}, 0, 0}};
  uint32_t ver = ig_host_version(ig, ifp, ig->last_now);
  size_t i;

  ig_v3b_init(&o.b);
  for (i = 0; i < ifp->n_ugrp; i++) {
    struct ig_ugrp *u = ifp->ugrp[i];

    if (!joined(u))
      continue;
    if (ver == 3)
      out_rec(&o, REC_TO_IN, u->addr, NULL, 0);
    else if (ver == 2)
      send_v12(ig, ifp, ver, IGMP_V2_LEAVE, u->addr);
  }
  out_flush(&o);
}

void ig_host_free(struct ig_if *ifp) {
  size_t i;

  for (i = 0; i < ifp->n_ugrp; i++)
    ugrp_destroy(ifp->ugrp[i]);
  free(ifp->ugrp);
  ifp->ugrp = NULL;
  ifp->n_ugrp = ifp->cap_ugrp = 0;
}
