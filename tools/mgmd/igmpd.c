/*
 * igmpd.c - mgmd's host for the IGMP router/proxy component (src/igmp):
 * creates it from the [igmp] section, feeds it the IGMP packets libmgm's
 * ctrl hook delivers, runs its timers on mgmd's clock, reconfigures it on
 * reload and reports its state for `mgmctl show igmp`.
 *
 * SPDX-License-Identifier: MIT
 *
 * The component is not thread-safe, so every mgm_igmp_* call happens on
 * mgmd's main thread: the ctrl hook (libmgm's loop thread) only queues a
 * copy of the packet and wakes the main thread; the component's wakeup
 * (from MGM's enable-IGMP callback) only wakes it.  After each pass the
 * group table is compared with the previous one and every change is
 * logged ("lan3: 239.1.2.3 has members"), which is what `mgmctl show log`
 * and the demo show.  Built without the component (no mgm_igmp target),
 * an [igmp] section is reported and ignored.
 */
#define _POSIX_C_SOURCE 200809L

#include "mgmd.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE_MAX 4096 /* packets waiting for the main thread */
#define MAX_IFS 256

struct pkt {
  struct pkt *next;
  DWORD ifindex;
  DWORD len;
  BYTE data[];
};

static pthread_mutex_t q_mu = PTHREAD_MUTEX_INITIALIZER;
static struct pkt *q_head, *q_tail;
static size_t q_len;
static atomic_int q_on;            /* IGMP running: queue packets */
static _Atomic uint64_t q_dropped; /* over QUEUE_MAX or IGMP not running */

void mgmd_igmp_ctrl_hook(void *ctx, DWORD ifindex, const BYTE *pkt, DWORD len) {
  struct pkt *p = NULL;

  if (atomic_load(&q_on) && len > 0 && len <= 65535)
    p = malloc(sizeof(*p) + len);
  if (p == NULL) {
    atomic_fetch_add(&q_dropped, 1);
    goto out;
  }
  p->next = NULL;
  p->ifindex = ifindex;
  p->len = len;
  memcpy(p->data, pkt, len);
  pthread_mutex_lock(&q_mu);
  if (q_len >= QUEUE_MAX) {
    free(p);
    p = NULL;
  } else {
    if (q_tail)
      q_tail->next = p;
    else
      q_head = p;
    q_tail = p;
    q_len++;
  }
  pthread_mutex_unlock(&q_mu);
  if (p == NULL)
    atomic_fetch_add(&q_dropped, 1);
  else
    mgmd_wakeup();
out:
  return;
}

static struct pkt *q_pop(void) {
  struct pkt *p;

  pthread_mutex_lock(&q_mu);
  p = q_head;
  if (p) {
    q_head = p->next;
    if (q_head == NULL)
      q_tail = NULL;
    q_len--;
  }
  pthread_mutex_unlock(&q_mu);
  return p;
}

static void q_flush(void) {
  struct pkt *p;

  while ((p = q_pop()) != NULL)
    free(p);
}

#ifdef MGMD_HAVE_IGMP

#include "igmp.h"

/* A group as last seen, for the change log. */
struct seen {
  DWORD ifindex, group;
  int mode;
  uint32_t n_sources;
  DWORD reporter;
};

struct mgmd_igmp_host {
  struct mgm_igmp *ig;
  struct mgm_igmp_io io;
  struct mgmd_conf_igmp params; /* in force (interface list not kept) */
  DWORD protocol_id;            /* as registered with MGM */
  DWORD upstream;               /* proxy upstream ifindex, 0 = router */
  size_t n_ifs;
  DWORD ifs[MAX_IFS];   /* interfaces added to the component */
  DWORD addrs[MAX_IFS]; /* the address each was added with */
  uint64_t deadline;
  size_t n_seen;
  struct seen *seen;
};

int mgmd_igmp_available(void) {
  return 1;
}

static void io_wakeup(void *ctx) {
  mgmd_wakeup();
}

static uint64_t io_now(void *ctx) {
  return mgmd_now_cached();
}

/* Interface names for the component's lines; an unknown index stays
 * empty, and the component writes "if N". */
static void io_if_name(void *ctx, DWORD ifindex, char *buf, size_t len) {
  if (mgmd_if_known(ifindex))
    mgmd_if_name(ifindex, buf, len);
}

/* "ERROR_ALREADY_EXISTS (183)" for an administrator, never a bare code. */
static const char *errstr(DWORD rc, char *buf, size_t len) {
  const char *n = mgm_igmp_error_name(rc);

  if (n != NULL)
    snprintf(buf, len, "%s (%lu)", n, (unsigned long)rc);
  else
    snprintf(buf, len, "Win32 error %lu", (unsigned long)rc);
  return buf;
}

static void io_log(void *ctx, int level, const char *msg) {
  /* The component prefixes its lines with "igmp: "; the source says it. */
  if (strncmp(msg, "igmp: ", 6) == 0)
    msg += 6;
  mgmd_log(level, "igmp", "%s", msg);
}

static const char *ipstr(DWORD a, char *buf) {
  const unsigned char *p = (const unsigned char *)&a;

  snprintf(buf, 16, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
  return buf;
}

static int seen_cmp(const void *a, const void *b) {
  const struct seen *x = a, *y = b;
  uint32_t gx = ntohl(x->group), gy = ntohl(y->group);

  return x->ifindex != y->ifindex ? (x->ifindex < y->ifindex ? -1 : 1)
                                  : (gx < gy ? -1 : gx > gy);
}

/* Collect the groups of every interface (already in (ifindex, group)
 * order: the component enumerates both ascending). */
static size_t collect(const struct mgmd_igmp_host *h, struct seen **out) {
  struct mgm_igmp_if_info fi;
  struct seen *v = NULL;
  size_t n = 0, cap = 0;
  DWORD after = 0;

  while (mgm_igmp_if_next(h->ig, after, &fi) == NO_ERROR) {
    struct mgm_igmp_group_info gi;
    DWORD g = 0;

    after = fi.ifindex;
    while (mgm_igmp_group_next(h->ig, fi.ifindex, g, &gi, NULL, 0) ==
           NO_ERROR) {
      g = gi.group;
      if (n == cap) {
        struct seen *nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

        if (nv == NULL)
          goto out;
        v = nv;
      }
      v[n].ifindex = fi.ifindex;
      v[n].group = gi.group;
      v[n].mode = gi.filter_mode;
      v[n].n_sources = gi.n_sources;
      v[n].reporter = gi.last_reporter;
      n++;
    }
  }
out:
  *out = v;
  return n;
}

static void log_group(const char *what, int left, const struct seen *s,
                      const struct mgmd_igmp_host *h) {
  char ifn[MGMD_NAME_MAX], g[16], r[16];

  mgmd_if_name(s->ifindex, ifn, sizeof(ifn));
  if (s->ifindex == h->upstream) {
    mgmd_log(MGMD_LOG_INFO, "igmp", "%s (upstream): %s %s", ifn,
             ipstr(s->group, g), what);
    return;
  }
  if (s->reporter != 0 && !left)
    mgmd_log(MGMD_LOG_INFO, "igmp",
             "%s: %s %s (%s, %u source%s; last "
             "report from %s)",
             ifn, ipstr(s->group, g), what,
             s->mode == MGM_IGMP_INCLUDE ? "INCLUDE" : "EXCLUDE",
             (unsigned)s->n_sources, s->n_sources == 1 ? "" : "s",
             ipstr(s->reporter, r));
  else
    mgmd_log(MGMD_LOG_INFO, "igmp", "%s: %s %s", ifn, ipstr(s->group, g), what);
}

/* Log what changed in the group table since the last call. */
static void observe(struct mgmd_igmp_host *h) {
  struct seen *now = NULL;
  size_t n = collect(h, &now), i = 0, k = 0;

  while (i < h->n_seen || k < n) {
    int c = i == h->n_seen ? 1 : k == n ? -1 : seen_cmp(&h->seen[i], &now[k]);

    if (c < 0) {
      log_group("left: no members any more", 1, &h->seen[i], h);
      i++;
    } else if (c > 0) {
      log_group("has members", 0, &now[k], h);
      k++;
    } else {
      if (h->seen[i].mode != now[k].mode ||
          h->seen[i].n_sources != now[k].n_sources)
        log_group("changed", 0, &now[k], h);
      i++;
      k++;
    }
  }
  free(h->seen);
  h->seen = now;
  h->n_seen = n;
}

/* The interfaces a configuration asks for, resolved now.  quiet: the
 * names that do not resolve are not logged (an interface event, not the
 * configuration, asked). */
static size_t wanted(const struct mgmd_conf *c, DWORD *ifx, int *role,
                     size_t max, int quiet) {
  size_t n = 0, i, k, m;
  DWORD all[MAX_IFS];

  for (i = 0; i < c->igmp.n_ifs && n < max; i++) {
    const struct mgmd_conf_igmpif *f = &c->igmp.ifs[i];

    if (strcmp(f->name, "*") == 0)
      continue;
    ifx[n] = mgmd_if_index(f->name);
    if (ifx[n] == 0) {
      if (!quiet)
        mgmd_log(MGMD_LOG_WARN, "igmp",
                 "%s:%u: no interface %s yet; IGMP starts there when it "
                 "appears",
                 c->source, f->line, f->name);
      continue;
    }
    for (k = 0; k < n && ifx[k] != ifx[n]; k++)
      ;
    if (k < n)
      continue;
    role[n++] = f->role;
  }
  for (i = 0; i < c->igmp.n_ifs; i++) {
    if (strcmp(c->igmp.ifs[i].name, "*") != 0)
      continue;
    m = mgmd_ifs_all(all, MAX_IFS);
    for (k = 0; k < m && n < max; k++) {
      size_t j;

      for (j = 0; j < n && ifx[j] != all[k]; j++)
        ;
      if (j < n)
        continue;
      ifx[n] = all[k];
      role[n++] = MGMD_IGMP_DOWNSTREAM;
    }
  }
  return n;
}

static DWORD add_if(struct mgmd_igmp_host *h, DWORD ifindex, int role) {
  DWORD addr = 0, plen = 0, rc;
  char ifn[MGMD_NAME_MAX], a[16], e[64];

  mgmd_if_addr(ifindex, &addr, &plen);
  rc = mgm_igmp_add_interface(h->ig, ifindex, addr,
                              role == MGMD_IGMP_UPSTREAM
                                  ? MGM_IGMP_ROLE_UPSTREAM
                                  : MGM_IGMP_ROLE_DOWNSTREAM,
                              mgmd_now());
  mgmd_if_name(ifindex, ifn, sizeof(ifn));
  if (rc != NO_ERROR) {
    mgmd_log(MGMD_LOG_ERROR, "igmp", "cannot start IGMP on %s: %s: %s", ifn,
             errstr(rc, e, sizeof(e)),
             rc == ERROR_ALREADY_EXISTS
                 ? "another IGMP component already runs there"
             : rc == ERROR_NOT_ENOUGH_MEMORY
                 ? "out of memory, or 256 interfaces already"
                 : "MGM refused the interface");
  } else {
    h->addrs[h->n_ifs] = addr;
    h->ifs[h->n_ifs++] = ifindex;
    mgmd_log(MGMD_LOG_INFO, "igmp", "IGMP %s on %s (address %s)",
             role == MGMD_IGMP_UPSTREAM ? "proxy upstream" : "router", ifn,
             ipstr(addr, a));
  }
  return rc;
}

static void del_if(struct mgmd_igmp_host *h, size_t i) {
  char ifn[MGMD_NAME_MAX];

  mgm_igmp_del_interface(h->ig, h->ifs[i], mgmd_now());
  mgmd_log(MGMD_LOG_INFO, "igmp", "IGMP stopped on %s",
           mgmd_if_name(h->ifs[i], ifn, sizeof(ifn)));
  h->ifs[i] = h->ifs[--h->n_ifs];
  h->addrs[i] = h->addrs[h->n_ifs];
}

int mgmd_igmp_start(struct mgmd *d, const struct mgmd_conf *c, char *err,
                    size_t errlen) {
  struct mgmd_igmp_host *h = NULL;
  struct mgm_igmp_config cfg;
  DWORD ifx[MAX_IFS];
  int role[MAX_IFS];
  size_t n, i;
  DWORD rc;
  char e[64];
  int ret = -1;

  if (!c->igmp.present) {
    ret = 0;
    goto out;
  }
  h = calloc(1, sizeof(*h));
  if (h == NULL) {
    snprintf(err, errlen, "out of memory");
    goto out;
  }
  h->params = c->igmp;
  h->params.ifs = NULL;
  h->params.n_ifs = 0;
  n = wanted(c, ifx, role, MAX_IFS, 0);
  mgm_igmp_config_init(&cfg);
  cfg.version = c->igmp.version;
  cfg.robustness = c->igmp.robustness;
  cfg.query_interval_s = c->igmp.query_interval_s;
  cfg.query_response_ms = c->igmp.query_response_ms;
  cfg.last_member_query_ms = c->igmp.last_member_query_ms;
  cfg.last_member_query_count = c->igmp.last_member_query_count;
  cfg.startup_query_interval_ms = c->igmp.startup_query_interval_ms;
  cfg.startup_query_count = c->igmp.startup_query_count;
  cfg.proxy_forward_upstream = c->igmp.proxy_forward_upstream;
  cfg.require_ttl1 = c->igmp.require_ttl1;
  cfg.ssm_group = c->igmp.ssm_group;
  cfg.ssm_mask = c->igmp.ssm_mask;
  for (i = 0; i < n; i++)
    if (role[i] == MGMD_IGMP_UPSTREAM)
      cfg.proxy_upstream = h->upstream = ifx[i];
  h->io.send = NULL; /* libmgm_ctrl_send; the component logs failures */
  h->io.wakeup = io_wakeup;
  h->io.now_ms = io_now;
  h->io.log = io_log;
  h->io.if_name = io_if_name;
  h->io.ctx = h;
  cfg.io = &h->io;
  cfg.seed = (uint32_t)(mgmd_now() ^ 0x6d676d64u);
  rc = mgm_igmp_create(&cfg, 1, &h->ig);
  if (rc != NO_ERROR) {
    snprintf(err, errlen, "%s:%u: cannot start the IGMP component: %s: %s",
             c->source, c->igmp.line, errstr(rc, e, sizeof(e)),
             rc == ERROR_ALREADY_EXISTS ? "IGMP is already registered with MGM"
             : rc == ERROR_INVALID_PARAMETER ? "a parameter out of range"
                                             : "MGM refused the registration");
    goto out;
  }
  h->protocol_id = cfg.protocol_id;
  mgmd_known_add(d, cfg.protocol_id, 1, "igmp", "igmp");
  mgmd_log(MGMD_LOG_INFO, "igmp",
           "registered with MGM as IGMP (protocol "
           "%u, component 1), IGMPv%u %s",
           (unsigned)cfg.protocol_id, (unsigned)cfg.version,
           h->upstream ? "proxy" : "router");
  if (mgm_igmp_qqi_advertised(cfg.query_interval_s) != cfg.query_interval_s)
    mgmd_log(MGMD_LOG_INFO, "igmp",
             "query-interval %u s goes out as %u s in queries: QQIC (RFC "
             "3376 4.1.7) cannot carry %u, and routers that adopt it must "
             "not time groups out early",
             (unsigned)cfg.query_interval_s,
             (unsigned)mgm_igmp_qqi_advertised(cfg.query_interval_s),
             (unsigned)cfg.query_interval_s);
  atomic_store(&q_on, 1);
  d->igmp = h;
  h = NULL;
  for (i = 0; i < n; i++)
    add_if(d->igmp, ifx[i], role[i]);
  d->igmp->deadline = mgm_igmp_tick(d->igmp->ig, mgmd_now());
  observe(d->igmp);
  ret = 0;
out:
  free(h);
  return ret;
}

void mgmd_igmp_stop(struct mgmd *d) {
  struct mgmd_igmp_host *h = d->igmp;

  if (h == NULL)
    return;
  atomic_store(&q_on, 0);
  q_flush();
  mgm_igmp_destroy(h->ig);
  mgmd_known_del(d, h->protocol_id, 1);
  mgmd_log(MGMD_LOG_INFO, "igmp", "interfaces released, deregistered");
  free(h->seen);
  free(h);
  d->igmp = NULL;
}

static int reconfigure(struct mgmd *d, const struct mgmd_conf *new_c, int quiet,
                       char *err, size_t errlen) {
  struct mgmd_igmp_host *h = d->igmp;
  DWORD ifx[MAX_IFS], up = 0;
  int role[MAX_IFS];
  size_t n, i, k;
  int ret = 0;

  n = new_c->igmp.present ? wanted(new_c, ifx, role, MAX_IFS, quiet) : 0;
  for (i = 0; i < n; i++)
    if (role[i] == MGMD_IGMP_UPSTREAM)
      up = ifx[i];
  if (h != NULL && (!new_c->igmp.present || up != h->upstream ||
                    mgmd_conf_igmp_params_cmp(&h->params, &new_c->igmp))) {
    if (new_c->igmp.present)
      mgmd_log(MGMD_LOG_INFO, "igmp",
               "IGMP parameters changed: restarting "
               "the component (hosts re-join at the next query)");
    mgmd_igmp_stop(d);
    h = NULL;
  }
  if (h == NULL) {
    ret = mgmd_igmp_start(d, new_c, err, errlen);
    goto out;
  }
  for (i = 0; i < h->n_ifs;) {
    for (k = 0; k < n && ifx[k] != h->ifs[i]; k++)
      ;
    if (k == n)
      del_if(h, i);
    else
      i++;
  }
  for (k = 0; k < n; k++) {
    for (i = 0; i < h->n_ifs && h->ifs[i] != ifx[k]; i++)
      ;
    if (i == h->n_ifs)
      add_if(h, ifx[k], role[k]);
  }
  h->deadline = mgm_igmp_tick(h->ig, mgmd_now());
  observe(h);
out:
  return ret;
}

int mgmd_igmp_reconfigure(struct mgmd *d, const struct mgmd_conf *old_c,
                          const struct mgmd_conf *new_c, char *err,
                          size_t errlen) {
  (void)old_c;
  return reconfigure(d, new_c, 0, err, errlen);
}

/* h->ifs[i] came up or changed address: IGMP starts over there as a
 * router that starts (RFC 3376 7), so hosts report again at once. */
static void restart_if(struct mgmd_igmp_host *h, size_t i, DWORD addr,
                       const char *why) {
  char ifn[MGMD_NAME_MAX], a[16], e[64];
  DWORD rc;

  mgmd_log(MGMD_LOG_INFO, "igmp",
           "%s %s: IGMP starts over there (address %s, startup queries)",
           mgmd_if_name(h->ifs[i], ifn, sizeof(ifn)), why, ipstr(addr, a));
  rc = mgm_igmp_restart_interface(h->ig, h->ifs[i], addr, mgmd_now());
  if (rc != NO_ERROR)
    mgmd_log(MGMD_LOG_ERROR, "igmp", "cannot restart IGMP on %s: %s", ifn,
             errstr(rc, e, sizeof(e)));
  h->addrs[i] = addr;
}

void mgmd_igmp_if_event(struct mgmd *d, const struct libmgm_if_event *ev) {
  struct mgmd_igmp_host *h = d->igmp;
  char err[256];
  size_t i;
  DWORD addr = 0, plen = 0;
  int mine;

  if (h == NULL)
    return;
  for (i = 0; i < h->n_ifs && h->ifs[i] != ev->ifindex; i++)
    ;
  mine = i < h->n_ifs;
  if (mine && ev->kind != LIBMGM_IF_DELETED)
    mgmd_if_addr(ev->ifindex, &addr, &plen);
  if (ev->kind == LIBMGM_IF_DELETED && mine) {
    mgmd_log(MGMD_LOG_INFO, "igmp",
             "interface %s (%u) vanished: IGMP stops there until it is back",
             ev->name[0] ? ev->name : "?", (unsigned)ev->ifindex);
    del_if(h, i);
  } else if (mine && (ev->kind == LIBMGM_IF_UP ||
                      ((ev->kind == LIBMGM_IF_ADDR_ADDED ||
                        ev->kind == LIBMGM_IF_ADDR_DELETED) &&
                       addr != h->addrs[i]))) {
    restart_if(h, i, addr,
               ev->kind == LIBMGM_IF_UP ? "came up" : "changed address");
  } else if (ev->kind == LIBMGM_IF_ADDED || ev->kind == LIBMGM_IF_RENAMED ||
             ev->kind == LIBMGM_IF_UP || ev->kind == LIBMGM_IF_ADDR_ADDED) {
    /* a configured name may resolve now, or "interface *" match */
    if (reconfigure(d, d->conf, 1, err, sizeof(err)) != 0)
      mgmd_log(MGMD_LOG_ERROR, "igmp", "%s", err);
  }
  h = d->igmp;
  if (h != NULL) {
    h->deadline = mgm_igmp_tick(h->ig, mgmd_now());
    observe(h);
  }
}

int mgmd_igmp_run(struct mgmd *d, uint64_t now) {
  struct mgmd_igmp_host *h = d->igmp;
  struct pkt *p;
  int n = 0;

  if (h == NULL) {
    q_flush();
    goto out;
  }
  while ((p = q_pop()) != NULL) {
    mgm_igmp_input(h->ig, p->ifindex, p->data, p->len, now);
    free(p);
    n++;
  }
  h->deadline = mgm_igmp_tick(h->ig, now);
  observe(h);
out:
  return n;
}

uint64_t mgmd_igmp_deadline(const struct mgmd *d) {
  return d->igmp ? d->igmp->deadline : UINT64_MAX;
}

int mgmd_igmp_if_state(const struct mgmd *d, DWORD ifindex, int *querier,
                       DWORD *querier_addr, uint32_t *groups) {
  struct mgm_igmp_if_info fi;
  int rc = -1;

  if (d->igmp != NULL && ifindex != 0 &&
      mgm_igmp_if_next(d->igmp->ig, ifindex - 1, &fi) == NO_ERROR &&
      fi.ifindex == ifindex) {
    *querier = fi.role == MGM_IGMP_ROLE_UPSTREAM ? -1 : fi.querier != 0;
    *querier_addr = fi.querier_addr;
    *groups = fi.n_groups;
    rc = 0;
  }
  return rc;
}

static void counters_json(struct jw *j, const struct mgm_igmp_counters *c) {
  jw_obj(j);
  jw_ku64(j, "rx_packets", c->rx_packets);
  jw_ku64(j, "rx_queries", c->rx_queries);
  jw_ku64(j, "rx_reports", c->rx_reports);
  jw_ku64(j, "rx_leaves", c->rx_leaves);
  jw_ku64(j, "rx_malformed", c->rx_malformed);
  jw_ku64(j, "rx_truncated", c->rx_truncated);
  jw_ku64(j, "rx_bad_checksum", c->rx_bad_checksum);
  jw_ku64(j, "rx_bad_ttl", c->rx_bad_ttl);
  jw_ku64(j, "rx_ignored", c->rx_ignored);
  jw_ku64(j, "tx_queries", c->tx_queries);
  jw_ku64(j, "tx_reports", c->tx_reports);
  jw_ku64(j, "tx_leaves", c->tx_leaves);
  jw_ku64(j, "tx_errors", c->tx_errors);
  jw_ku64(j, "mgm_adds", c->mgm_adds);
  jw_ku64(j, "mgm_deletes", c->mgm_deletes);
  jw_ku64(j, "mgm_errors", c->mgm_errors);
  jw_ku64(j, "rx_ssm_ignored", c->rx_ssm_ignored);
  jw_obj_end(j);
}

static unsigned prefix_len(DWORD mask_be) {
  uint32_t m = ntohl(mask_be);
  unsigned n = 0;

  for (; m != 0; m <<= 1)
    n++;
  return n;
}

/* Seconds from now until t (null for "never"). */
static void secs_until(struct jw *j, const char *k, uint64_t t, uint64_t now) {
  jw_key(j, k);
  if (t == MGM_IGMP_NEVER)
    jw_null(j);
  else
    jw_u64(j, t > now ? (t - now + 999) / 1000 : 0);
}

void mgmd_igmp_show(const struct mgmd *d, struct jw *j) {
  const struct mgmd_igmp_host *h = d->igmp;
  struct mgm_igmp_counters cnt;
  struct mgm_igmp_if_info fi;
  struct mgm_igmp_source_info src[64];
  uint64_t now = mgmd_now();
  DWORD after = 0;
  char ifn[MGMD_NAME_MAX], a[16];

  jw_kbool(j, "running", h != NULL);
  jw_kbool(j, "available", 1);
  if (h == NULL)
    return;
  jw_kstr(j, "mode", h->upstream ? "proxy" : "router");
  jw_ku64(j, "version", h->params.version);
  jw_ku64(j, "robustness", h->params.robustness);
  jw_ku64(j, "query_interval_s", h->params.query_interval_s);
  jw_ku64(j, "query_interval_advertised_s",
          mgm_igmp_qqi_advertised(h->params.query_interval_s));
  jw_key(j, "ssm_range");
  if (h->params.ssm_mask != 0)
    jw_strf(j, "%s/%u", ipstr(h->params.ssm_group, a),
            prefix_len(h->params.ssm_mask));
  else
    jw_null(j);
  jw_ku64(j, "queued_dropped", atomic_load(&q_dropped));
  if (mgm_igmp_get_counters(h->ig, 0, &cnt) == NO_ERROR) {
    jw_key(j, "counters");
    counters_json(j, &cnt);
  }
  jw_key(j, "interfaces");
  jw_arr(j);
  while (mgm_igmp_if_next(h->ig, after, &fi) == NO_ERROR) {
    struct mgm_igmp_group_info gi;
    DWORD g = 0;

    after = fi.ifindex;
    jw_obj(j);
    jw_ku64(j, "ifindex", fi.ifindex);
    jw_kstr(j, "name", mgmd_if_name(fi.ifindex, ifn, sizeof(ifn)));
    jw_kip(j, "address", fi.addr);
    jw_kstr(j, "role",
            fi.role == MGM_IGMP_ROLE_UPSTREAM ? "upstream" : "downstream");
    if (fi.role == MGM_IGMP_ROLE_UPSTREAM) {
      jw_ku64(j, "host_version", fi.host_version);
    } else {
      jw_kbool(j, "querier", fi.querier);
      jw_kip(j, "querier_address", fi.querier_addr);
      secs_until(j, "next_query_s", fi.next_query_at, now);
      secs_until(j, "other_querier_expires_s", fi.other_querier_until, now);
    }
    jw_kbool(j, "mgm_disabled", fi.mgm_disabled);
    if (mgm_igmp_get_counters(h->ig, fi.ifindex, &cnt) == NO_ERROR) {
      jw_key(j, "counters");
      counters_json(j, &cnt);
    }
    jw_key(j, "groups");
    jw_arr(j);
    while (mgm_igmp_group_next(h->ig, fi.ifindex, g, &gi, src, 64) ==
           NO_ERROR) {
      uint32_t s;

      g = gi.group;
      jw_obj(j);
      jw_kip(j, "group", gi.group);
      jw_kstr(j, "mode",
              gi.filter_mode == MGM_IGMP_INCLUDE ? "include" : "exclude");
      jw_ku64(j, "compat_version", gi.compat_version);
      secs_until(j, "expires_s", gi.expires, now);
      jw_kip(j, "last_reporter", gi.last_reporter);
      jw_kbool(j, "star_in_mgm", gi.star_in_mgm);
      jw_key(j, "sources");
      jw_arr(j);
      for (s = 0; s < gi.n_sources && s < 64; s++) {
        jw_obj(j);
        jw_kip(j, "source", src[s].addr);
        secs_until(j, "expires_s", src[s].expires, now);
        jw_kbool(j, "in_mgm", src[s].in_mgm);
        jw_obj_end(j);
      }
      jw_arr_end(j);
      jw_obj_end(j);
    }
    jw_arr_end(j);
    jw_obj_end(j);
  }
  jw_arr_end(j);
}

#else /* !MGMD_HAVE_IGMP */

struct mgmd_igmp_host {
  int unused;
};

int mgmd_igmp_available(void) {
  return 0;
}

int mgmd_igmp_start(struct mgmd *d, const struct mgmd_conf *c, char *err,
                    size_t errlen) {
  if (c->igmp.present)
    mgmd_log(MGMD_LOG_WARN, "igmp",
             "%s:%u: [igmp] ignored: this mgmd was "
             "built without the IGMP component (src/igmp)",
             c->source, c->igmp.line);
  return 0;
}

void mgmd_igmp_stop(struct mgmd *d) {
}

void mgmd_igmp_if_event(struct mgmd *d, const struct libmgm_if_event *ev) {
}

int mgmd_igmp_reconfigure(struct mgmd *d, const struct mgmd_conf *old_c,
                          const struct mgmd_conf *new_c, char *err,
                          size_t errlen) {
  return 0;
}

int mgmd_igmp_run(struct mgmd *d, uint64_t now) {
  q_flush();
  return 0;
}

uint64_t mgmd_igmp_deadline(const struct mgmd *d) {
  return UINT64_MAX;
}

int mgmd_igmp_if_state(const struct mgmd *d, DWORD ifindex, int *querier,
                       DWORD *querier_addr, uint32_t *groups) {
  return -1;
}

void mgmd_igmp_show(const struct mgmd *d, struct jw *j) {
  jw_kbool(j, "running", 0);
  jw_kbool(j, "available", 0);
}

#endif /* MGMD_HAVE_IGMP */
