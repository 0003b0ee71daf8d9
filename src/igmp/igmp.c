/*
 * igmp.c - life cycle, interfaces, input dispatch, timers and
 * introspection of the IGMP component (igmp.h).
 *
 * SPDX-License-Identifier: MIT
 *
 * The public entry points validate their arguments, find the interface
 * and hand over to router.c (downstream), host.c (proxy upstream) and
 * mgmglue.c (MGM).  Every entry point that can change state finishes with
 * one timer pass at the time it was given, so that what became due (an
 * immediate state-change report, a query) goes out before it returns.
 */
#include <stdlib.h>
#include <string.h>

#include "igmp_int.h"

#include <routprot.h>

/* ---- Configuration
 * ------------------------------------------------------------ */

void mgm_igmp_config_init(struct mgm_igmp_config *cfg) {
  if (cfg == NULL)
    goto out;
  memset(cfg, 0, sizeof(*cfg));
  cfg->version = 3;
  cfg->robustness = 2;
  cfg->query_interval_s = 125;
  cfg->query_response_ms = 10000;
  cfg->last_member_query_ms = 1000;
  cfg->proxy_forward_upstream = 1;
  cfg->require_ttl1 = 1;
  cfg->protocol_id = PROTO_IP_IGMP;
  cfg->ssm_group = ig_htonl(0xE8000000u); /* 232.0.0.0/8 */
  cfg->ssm_mask = ig_htonl(0xFF000000u);
out:
  return;
}

static int cfg_ok(const struct mgm_igmp_config *c) {
  uint32_t inv = ~ig_ntohl(c->ssm_mask); /* mask: ones, then zeros */

  return (inv & (inv + 1)) == 0 && (c->ssm_group & ~c->ssm_mask) == 0 &&
         (c->version == 2 || c->version == 3) && c->robustness >= 1 &&
         c->robustness <= 7 && c->query_interval_s >= 1 &&
         c->query_interval_s <= 31744 && c->query_response_ms >= 100 &&
         (uint64_t)c->query_response_ms <
             (uint64_t)c->query_interval_s * 1000 &&
         c->last_member_query_ms >= 100 && c->last_member_query_ms <= 3174400 &&
         c->last_member_query_count <= 255 && c->startup_query_count <= 255 &&
         c->unsolicited_report_ms <= 3600000 &&
         (c->protocol_id == PROTO_IP_IGMP || c->protocol_id == MS_IP_IGMP);
}

/* ---- Life cycle
 * ----------------------------------------------------------------- */

DWORD mgm_igmp_create(const struct mgm_igmp_config *cfg, DWORD component_id,
                      struct mgm_igmp **out) {
  struct mgm_igmp *ig = NULL;
  DWORD rc = ERROR_INVALID_PARAMETER;

  if (cfg == NULL || out == NULL || !cfg_ok(cfg))
    goto out;
  rc = ERROR_NOT_ENOUGH_MEMORY;
  ig = calloc(1, sizeof(*ig));
  if (ig == NULL)
    goto out;
  ig->cfg = *cfg;
  ig->cfg.io = NULL;
  if (cfg->io != NULL)
    ig->io = *cfg->io;
  if (ig->io.send == NULL)
    ig->io.send = ig_default_send;
  if (ig->cfg.last_member_query_count == 0)
    ig->cfg.last_member_query_count = ig->cfg.robustness;
  if (ig->cfg.startup_query_count == 0)
    ig->cfg.startup_query_count = ig->cfg.robustness;
  if (ig->cfg.startup_query_interval_ms == 0)
    ig->cfg.startup_query_interval_ms = ig->cfg.query_interval_s * 250;
  if (ig->cfg.max_groups == 0)
    ig->cfg.max_groups = 4096;
  if (ig->cfg.max_sources == 0)
    ig->cfg.max_sources = 1024;
  ig->rng = cfg->seed ? cfg->seed : 0x9E3779B9u;
  ig->component_id = component_id;
  rc = ig_mgm_register(ig);
  if (rc != NO_ERROR)
    goto out;
  *out = ig;
  ig = NULL;
out:
  free(ig);
  return rc;
}

static void if_free(struct ig_if *ifp) {
  ig_router_free(ifp);
  ig_host_free(ifp);
  free(ifp->stale);
  free(ifp);
}

void mgm_igmp_destroy(struct mgm_igmp *ig) {
  struct ig_if *up;

  if (ig == NULL)
    goto out;
  /* Upstream first: its leaves go out once, for everything. */
  up = ig_upstream(ig);
  if (up != NULL)
    mgm_igmp_del_interface(ig, up->ifindex, ig->last_now);
  while (ig->n_if > 0)
    mgm_igmp_del_interface(ig, ig->ifs[ig->n_if - 1]->ifindex, ig->last_now);
  ig_mgm_deregister(ig);
  free(ig->ifs);
  free(ig);
out:
  return;
}

/* ---- Timers
 * ---------------------------------------------------------------------- */

static uint64_t run(struct mgm_igmp *ig, uint64_t now) {
  size_t i;

  if (now > ig->last_now)
    ig->last_now = now;
  for (i = 0; i < ig->n_if; i++) {
    struct ig_if *ifp = ig->ifs[i];

    if (ig_mgm_sync(ig, ifp) && ifp->resync)
      ig_mgm_reconcile_if(ig, ifp);
    if (ifp->role == MGM_IGMP_ROLE_DOWNSTREAM)
      ig_router_tick(ig, ifp, now);
  }
  /* after the downstream pass: it may have queued upstream reports */
  for (i = 0; i < ig->n_if; i++)
    if (ig->ifs[i]->role == MGM_IGMP_ROLE_UPSTREAM)
      ig_host_tick(ig, ig->ifs[i], now);
  return mgm_igmp_next_deadline(ig);
}

uint64_t mgm_igmp_tick(struct mgm_igmp *ig, uint64_t now_ms) {
  return ig == NULL ? MGM_IGMP_NEVER : run(ig, now_ms);
}

uint64_t mgm_igmp_next_deadline(const struct mgm_igmp *ig) {
  uint64_t d = MGM_IGMP_NEVER;
  size_t i;

  for (i = 0; ig != NULL && i < ig->n_if; i++) {
    const struct ig_if *ifp = ig->ifs[i];

    if (ig_slot_flags(ig, ifp) & SLOT_REPLAY)
      d = 0; /* an enable callback is waiting: now */
    if (ifp->role == MGM_IGMP_ROLE_DOWNSTREAM)
      d = ig_min64(d, ig_router_deadline(ig, ifp));
    else
      d = ig_min64(d, ig_host_deadline(ifp));
  }
  return d;
}

/* ---- Interfaces
 * --------------------------------------------------------------- */

DWORD mgm_igmp_add_interface(struct mgm_igmp *ig, DWORD ifindex, DWORD addr,
                             int role, uint64_t now_ms) {
  struct ig_if *ifp = NULL;
  DWORD rc = ERROR_INVALID_PARAMETER;
  int found;
  size_t pos;

  if (ig == NULL || ifindex == 0 ||
      (role != MGM_IGMP_ROLE_DOWNSTREAM && role != MGM_IGMP_ROLE_UPSTREAM) ||
      ((role == MGM_IGMP_ROLE_UPSTREAM) !=
       (ig->cfg.proxy_upstream != 0 && ifindex == ig->cfg.proxy_upstream)))
    goto out;
  pos = ig_iftable_pos(ig, ifindex, &found);
  rc = ERROR_ALREADY_EXISTS;
  if (found)
    goto out;
  rc = ERROR_NOT_ENOUGH_MEMORY;
  if (ig->n_if >= IG_MAX_IFS)
    goto out;
  if (ig->n_if == ig->cap_if) {
    uint32_t cap = ig->cap_if ? ig->cap_if * 2 : 4;
    struct ig_if **n = realloc(ig->ifs, cap * sizeof(*n));

    if (n == NULL)
      goto out;
    ig->ifs = n;
    ig->cap_if = cap;
  }
  ifp = calloc(1, sizeof(*ifp));
  if (ifp == NULL)
    goto out;
  ifp->ifindex = ifindex;
  ifp->addr = addr;
  ifp->role = role;
  ifp->gq_at = ifp->oqp_until = NEVER;
  ifp->v1_querier_until = ifp->v2_querier_until = NEVER;
  ifp->gen_resp_at = NEVER;
  ifp->qrv = ig->cfg.robustness;
  ifp->qi_ms = ig->cfg.query_interval_s * 1000;
  rc = ig_mgm_take(ig, ifp);
  if (rc != NO_ERROR)
    goto out;
  memmove(ig->ifs + pos + 1, ig->ifs + pos,
          (ig->n_if - pos) * sizeof(*ig->ifs));
  ig->ifs[pos] = ifp;
  ig->n_if++;
  if (now_ms > ig->last_now)
    ig->last_now = now_ms;
  if (role == MGM_IGMP_ROLE_DOWNSTREAM) {
    ig_router_start(ig, ifp, now_ms);
  } else {
    ig_mgm_reconcile_if(ig, ifp); /* (*,*) of proxy_forward_upstream */
    ig_host_recompute_all(ig, now_ms);
  }
  ifp = NULL;
  run(ig, now_ms);
out:
  free(ifp);
  return rc;
}

DWORD mgm_igmp_restart_interface(struct mgm_igmp *ig, DWORD ifindex, DWORD addr,
                                 uint64_t now_ms) {
  struct ig_if *ifp;
  DWORD rc = ERROR_INVALID_PARAMETER;
  int found;
  size_t pos;

  if (ig == NULL)
    goto out;
  pos = ig_iftable_pos(ig, ifindex, &found);
  rc = ERROR_NOT_FOUND;
  if (!found)
    goto out;
  rc = NO_ERROR;
  ifp = ig->ifs[pos];
  ifp->addr = addr;
  if (now_ms > ig->last_now)
    ig->last_now = now_ms;
  if (ifp->role == MGM_IGMP_ROLE_DOWNSTREAM) {
    ig_router_start(ig, ifp, now_ms);
    run(ig, now_ms);
  }
out:
  return rc;
}

DWORD mgm_igmp_del_interface(struct mgm_igmp *ig, DWORD ifindex,
                             uint64_t now_ms) {
  struct ig_if *ifp;
  uint32_t *groups = NULL, n = 0, i;
  DWORD rc = ERROR_INVALID_PARAMETER;
  int found;
  size_t pos;

  if (ig == NULL)
    goto out;
  pos = ig_iftable_pos(ig, ifindex, &found);
  rc = ERROR_NOT_FOUND;
  if (!found)
    goto out;
  rc = NO_ERROR;
  ifp = ig->ifs[pos];
  if (ifp->role == MGM_IGMP_ROLE_UPSTREAM) {
    ig_host_leave_all(ig, ifp);
  } else if (ifp->n_grp > 0) {
    groups = malloc(ifp->n_grp * sizeof(*groups));
    for (i = 0; groups != NULL && i < ifp->n_grp; i++)
      groups[n++] = ifp->grp[i]->addr;
  }
  /* MGM deletes our memberships (or latent joins) with the ownership. */
  ig_mgm_release(ig, ifp);
  memmove(ig->ifs + pos, ig->ifs + pos + 1,
          (ig->n_if - pos - 1) * sizeof(*ig->ifs));
  ig->n_if--;
  if_free(ifp);
  for (i = 0; i < n; i++)
    ig_host_recompute(ig, groups[i], now_ms);
  run(ig, now_ms);
out:
  free(groups);
  return rc;
}

/* ---- Input
 * ----------------------------------------------------------------------- */

/* A debug line for a refused packet, limited per interface and reason;
 * well-formed messages of other protocols (PK_IGNORED) are not worth one. */
static void log_drop(struct mgm_igmp *ig, struct ig_if *ifp, DWORD ifindex,
                     int rc, const struct ig_pkt *pk, uint64_t now) {
  struct ig_lim *lim = ifp != NULL ? ifp->lim : ig->lim;
  char ifn[IG_NAME_MAX], a[IG_ADDR_MAX];

  if (rc == PK_IGNORED)
    goto out;
  lim += rc == PK_BADSUM   ? IG_LIM_DROP_SUM
         : rc == PK_BADTTL ? IG_LIM_DROP_TTL
                           : IG_LIM_DROP_FORM;
  if (rc == PK_BADTTL)
    ig_log_lim(ig, lim, now, IG_LIM_DEBUG_MS, IG_LOG_DEBUG,
               "igmp: %s: IGMP packet from %s dropped: IP TTL %u, not 1 "
               "(require-ttl1)",
               ig_if_name(ig, ifindex, ifn), ig_addr_str(pk->src, a),
               (unsigned)pk->ttl);
  else
    ig_log_lim(ig, lim, now, IG_LIM_DEBUG_MS, IG_LOG_DEBUG,
               "igmp: %s: IGMP packet from %s dropped: %s",
               ig_if_name(ig, ifindex, ifn), ig_addr_str(pk->src, a),
               pk->why != NULL ? pk->why : "malformed");
out:
  return;
}

void mgm_igmp_input(struct mgm_igmp *ig, DWORD ifindex, const BYTE *pkt,
                    size_t len, uint64_t now_ms) {
  struct ig_if *ifp;
  struct ig_pkt pk;
  int rc;

  if (ig == NULL)
    goto out;
  ifp = ig_find_if(ig, ifindex);
  IG_CNT(ig, ifp, rx_packets);
  rc = ig_parse(pkt, len, ig->cfg.require_ttl1, &pk);
  switch (rc) {
  case PK_OK:
    break;
  case PK_TRUNCATED:
    IG_CNT(ig, ifp, rx_truncated);
    break;
  case PK_BADSUM:
    IG_CNT(ig, ifp, rx_bad_checksum);
    break;
  case PK_BADTTL:
    IG_CNT(ig, ifp, rx_bad_ttl);
    break;
  case PK_IGNORED:
    IG_CNT(ig, ifp, rx_ignored);
    break;
  default:
    IG_CNT(ig, ifp, rx_malformed);
    break;
  }
  if (rc != PK_OK) {
    log_drop(ig, ifp, ifindex, rc, &pk, now_ms);
    goto out;
  }
  if (ifp == NULL) {
    IG_CNT(ig, ifp, rx_ignored);
    goto out;
  }
  if (pk.type == IGMP_QUERY)
    IG_CNT(ig, ifp, rx_queries);
  else if (pk.type == IGMP_V2_LEAVE)
    IG_CNT(ig, ifp, rx_leaves);
  else
    IG_CNT(ig, ifp, rx_reports);
  if (now_ms > ig->last_now)
    ig->last_now = now_ms;
  ig_mgm_sync(ig, ifp); /* a pending replay resets the MGM marks first */
  if (ifp->role == MGM_IGMP_ROLE_DOWNSTREAM)
    ig_router_input(ig, ifp, &pk, now_ms);
  else
    ig_host_input(ig, ifp, &pk, now_ms);
  run(ig, now_ms);
out:
  return;
}

/* The ctrl-hook adapter: a packet from libmgm_set_ctrl_hook(), timed by
 * hook.c's clock. */
void mgm_igmp_ctrl_hook(void *ctx, DWORD ifindex, const BYTE *pkt, DWORD len) {
  struct mgm_igmp *ig = ctx;

  if (ig != NULL)
    mgm_igmp_input(ig, ifindex, pkt, len, ig_default_now(ig));
}

/* ---- Introspection
 * -------------------------------------------------------------- */

DWORD mgm_igmp_get_counters(const struct mgm_igmp *ig, DWORD ifindex,
                            struct mgm_igmp_counters *out) {
  const struct ig_if *ifp;
  DWORD rc = ERROR_INVALID_PARAMETER;

  if (ig == NULL || out == NULL)
    goto out;
  rc = NO_ERROR;
  if (ifindex == 0) {
    *out = ig->cnt;
  } else if ((ifp = ig_find_if(ig, ifindex)) != NULL) {
    *out = ifp->cnt;
  } else {
    rc = ERROR_NOT_FOUND;
  }
out:
  return rc;
}

DWORD mgm_igmp_if_next(const struct mgm_igmp *ig, DWORD after,
                       struct mgm_igmp_if_info *out) {
  const struct ig_if *ifp = NULL;
  DWORD rc = ERROR_INVALID_PARAMETER;
  uint32_t f;
  size_t i;

  if (ig == NULL || out == NULL)
    goto out;
  for (i = 0; i < ig->n_if && ifp == NULL; i++)
    if (ig->ifs[i]->ifindex > after)
      ifp = ig->ifs[i];
  rc = ERROR_NO_MORE_ITEMS;
  if (ifp == NULL)
    goto out;
  rc = NO_ERROR;
  memset(out, 0, sizeof(*out));
  f = ig_slot_flags(ig, ifp);
  out->ifindex = ifp->ifindex;
  out->addr = ifp->addr;
  out->role = ifp->role;
  out->mgm_disabled = (f & SLOT_DISABLED) != 0;
  out->replay_pending = (f & SLOT_REPLAY) != 0;
  if (ifp->role == MGM_IGMP_ROLE_DOWNSTREAM) {
    out->querier = ifp->querier;
    out->querier_addr = ifp->querier_addr;
    out->other_querier_until = ifp->querier ? MGM_IGMP_NEVER : ifp->oqp_until;
    out->next_query_at = ifp->querier ? ifp->gq_at : MGM_IGMP_NEVER;
    out->startup_left = ifp->startup_left;
    out->n_groups = ifp->n_grp;
  } else {
    out->other_querier_until = MGM_IGMP_NEVER;
    out->next_query_at = MGM_IGMP_NEVER;
    out->host_version = ig_host_version(ig, ifp, ig->last_now);
    out->n_groups = ifp->n_ugrp;
  }
out:
  return rc;
}

static void fill_down(const struct mgm_igmp *ig, const struct ig_group *g,
                      struct mgm_igmp_group_info *out,
                      struct mgm_igmp_source_info *src, uint32_t src_cap) {
  uint32_t k;

  out->group = g->addr;
  out->filter_mode = g->mode;
  out->compat_version = ig->cfg.version;
  if (g->v1_host_until != NEVER && g->v1_host_until > ig->last_now)
    out->compat_version = 1;
  else if (g->v2_host_until != NEVER && g->v2_host_until > ig->last_now)
    out->compat_version = 2;
  out->expires = g->mode == MGM_IGMP_EXCLUDE ? g->timer : MGM_IGMP_NEVER;
  out->last_reporter = g->last_reporter;
  out->star_in_mgm = g->star_in_mgm;
  out->n_sources = g->n_src;
  for (k = 0; k < g->n_src && k < src_cap; k++) {
    src[k].addr = g->src[k].addr;
    src[k].expires = g->src[k].timer;
    src[k].in_mgm = g->src[k].in_mgm;
  }
}

static void fill_up(const struct mgm_igmp *ig, const struct ig_if *ifp,
                    const struct ig_ugrp *u, struct mgm_igmp_group_info *out,
                    struct mgm_igmp_source_info *src, uint32_t src_cap) {
  uint32_t k;

  out->group = u->addr;
  out->filter_mode = u->mode;
  out->compat_version = ig_host_version(ig, ifp, ig->last_now);
  out->expires = MGM_IGMP_NEVER;
  out->n_sources = u->n_src;
  for (k = 0; k < u->n_src && k < src_cap; k++) {
    src[k].addr = u->src[k];
    src[k].expires = MGM_IGMP_NEVER;
    src[k].in_mgm = FALSE;
  }
}

DWORD mgm_igmp_group_next(const struct mgm_igmp *ig, DWORD ifindex, DWORD after,
                          struct mgm_igmp_group_info *out,
                          struct mgm_igmp_source_info *src, uint32_t src_cap) {
  const struct ig_if *ifp = NULL;
  const struct ig_group *g = NULL;
  const struct ig_ugrp *u = NULL;
  uint32_t i, key = after ? ig_ntohl(after) : 0;
  int first = after == 0;
  DWORD rc = ERROR_INVALID_PARAMETER;

  if (ig == NULL || out == NULL || (src == NULL && src_cap > 0))
    goto out;
  rc = ERROR_NOT_FOUND;
  ifp = ig_find_if(ig, ifindex);
  if (ifp == NULL)
    goto out;
  for (i = 0; i < ifp->n_grp && g == NULL; i++)
    if (first || ig_ntohl(ifp->grp[i]->addr) > key)
      g = ifp->grp[i];
  for (i = 0; i < ifp->n_ugrp && u == NULL; i++)
    if (first || ig_ntohl(ifp->ugrp[i]->addr) > key)
      u = ifp->ugrp[i];
  rc = ERROR_NO_MORE_ITEMS;
  if (g == NULL && u == NULL)
    goto out; /* (an interface has groups of one kind only) */
  rc = NO_ERROR;
  memset(out, 0, sizeof(*out));
  out->ifindex = ifindex;
  if (g != NULL)
    fill_down(ig, g, out, src, src_cap);
  else
    fill_up(ig, ifp, u, out, src, src_cap);
out:
  return rc;
}
