/*
 * sim.c - the simulated forwarder: an in-process multicast forwarding
 * cache with a virtual clock, for tests and harnesses (kernel.md G.3).
 *
 * SPDX-License-Identifier: MIT
 *
 * Semantics follow Linux ipmr (the default profile): packets are routed
 * only when they arrive on a slot (VIF); the first packet of an unknown
 * (S,G) creates a pending entry that queues up to 4 packets and raises one
 * NOCACHE upcall; installing the entry replays the queue through it;
 * pending entries die after 10 s (FreeBSD profile: 1.5 s).  Packets are
 * forwarded on an output when their TTL is greater than its threshold;
 * counters include wrong-interface packets.  The FreeBSD profile keys
 * slots by interface address (an unnumbered interface cannot be attached)
 * and drops entries whose incoming slot departs; the Windows profile has
 * no slot limit.  Upcalls are queued and delivered from dispatch() only.
 * The test controls (libmgm_sim_*) arrive through control() (simctl.h).
 *
 * Locking: the core lock serialises the backend operations and the
 * control calls; the sim's own mutex additionally guards the event queue,
 * which dispatch() drains on the loop thread without the core lock, and
 * is never held while an upcall runs.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The sim allocates through the shared hook, so fault tests fail its
 * allocations too. */
#include "platform/alloc.h"
#include "platform/platform.h"
#include "platform/simctl.h"

#define SIM_QUEUE_MAX 4
#define SIM_TOKENS 16 /* injections whose queued packet is followed */
#define SIM_WRONGIF_INTERVAL_MS 3000

enum {
  SIM_PROFILE_LINUX = 0,
  SIM_PROFILE_FREEBSD = 1,
  SIM_PROFILE_WINDOWS = 2
};
enum { V_FORWARDED = 0, V_NEGATIVE, V_WRONG_IF, V_PENDING, V_NOT_ROUTED };
enum {
  OP_ANY = 0,
  OP_IF_ATTACH,
  OP_IF_DETACH,
  OP_MFE_SET,
  OP_MFE_DEL,
  OP_MFE_STATS,
  OP_ROUTE
};

struct sim_if {
  uint32_t ifindex;
  char name[16];
  uint32_t addr; /* network order, 0 = unnumbered */
  int present;   /* created with if_add (or implicitly) */
  int up;
  int slot_refs; /* if_attach count */
};

struct sim_entry {
  struct sim_entry *hnext; /* hash chain */
  uint32_t pos;            /* index in be->ent */
  uint32_t src, grp, iif;
  uint16_t n_oif;
  struct mgm_oif *oif;
  uint64_t pkts, bytes, wrong_if;
  uint64_t last_wrongif_ms;
  int wrongif_sent; /* last_wrongif_ms is valid */
  int notify_wrongif;
};

struct sim_pkt {
  uint32_t arr;
  uint8_t ttl;
  uint32_t len;
  uint32_t token; /* its injection's result slot (sim_tok), 0 = none */
};

/* The result of an injection whose packet was queued, updated when the
 * queue is replayed, until MGM_CTL_SIM_INJECT_DONE reads it back
 * (simctl.h).  Injections nest only through callbacks that inject again,
 * so a few slots suffice; without a free one, a queued packet's replay is
 * not reported (its injection says pending). */
struct sim_tok {
  uint32_t token; /* 0 = free */
  struct mgm_sim_result res;
};

struct sim_pending {
  uint32_t src, grp;
  uint64_t created_ms;
  uint32_t n;
  struct sim_pkt q[SIM_QUEUE_MAX];
};

struct sim_route {
  uint32_t net, mask, ifindex, upstream, proto;
};

enum sim_ev_type { EV_IF, EV_NO_ENTRY, EV_WRONG_IF, EV_GONE, EV_CTRL };

struct sim_ev {
  enum sim_ev_type type;
  struct mgm_if_event ifev;
  char name[16];
  uint32_t iif, src, grp;
  uint8_t hdr[28];
  enum mgm_mfe_gone why;
  uint8_t *pkt; /* EV_CTRL: owned copy */
  uint32_t len;
  struct sim_ev *next;
};

struct mgm_backend {
  const struct mgm_be_upcalls *up;
  void *ctx;
  int profile;
  pthread_mutex_t mu;         /* guards the event queue */
  struct sim_ev *head, *tail; /* events for dispatch() */
  uint64_t now_ms;            /* virtual clock */
  uint32_t max_slots;         /* 0 = unlimited */
  uint32_t used_slots;
  int wrongif;           /* wrong-if upcalls requested */
  int fail_op, fail_err; /* fault injection */
  struct sim_if *ifs;
  uint32_t n_ifs, cap_ifs;
  struct sim_entry **ent; /* installed entries, dense */
  uint32_t n_ent, cap_ent;
  struct sim_entry **bucket; /* hash of entries by (S,G) */
  uint32_t nbucket;          /* power of two, or 0 */
  struct sim_pending *pend;
  uint32_t n_pend, cap_pend;
  struct sim_route *routes;
  uint32_t n_routes, cap_routes;
  mgm_sim_tx_fn tx_fn; /* capture of ctrl_send */
  void *tx_ctx;
  struct sim_tok tok[SIM_TOKENS];
  uint32_t last_token;
};

static int grow(void **v, uint32_t *cap, uint32_t need, size_t elem) {
  uint32_t n = *cap ? *cap : 8;
  void *nv;

  if (need <= *cap)
    return 0;
  while (n < need)
    n *= 2;
  nv = mgm__realloc(*v, (size_t)n * elem);
  if (nv == NULL)
    return -1;
  *v = nv;
  *cap = n;
  return 0;
}

static int take_fault(struct mgm_backend *be, int op) {
  int err;

  if (be->fail_err == 0 || (be->fail_op != OP_ANY && be->fail_op != op))
    return 0;
  err = be->fail_err;
  be->fail_err = 0;
  return err;
}

static void push_ev(struct mgm_backend *be, struct sim_ev *ev) {
  ev->next = NULL;
  pthread_mutex_lock(&be->mu);
  if (be->tail)
    be->tail->next = ev;
  else
    be->head = ev;
  be->tail = ev;
  pthread_mutex_unlock(&be->mu);
}

static struct sim_if *find_if(struct mgm_backend *be, uint32_t ifindex) {
  uint32_t i;

  for (i = 0; i < be->n_ifs; i++)
    if (be->ifs[i].ifindex == ifindex)
      return &be->ifs[i];
  return NULL;
}

static struct sim_if *get_if(struct mgm_backend *be, uint32_t ifindex) {
  struct sim_if *f = find_if(be, ifindex);

  if (f)
    return f;
  if (grow((void **)&be->ifs, &be->cap_ifs, be->n_ifs + 1, sizeof(*f)) != 0)
    return NULL;
  f = &be->ifs[be->n_ifs++];
  memset(f, 0, sizeof(*f));
  f->ifindex = ifindex;
  f->up = 1;
  return f;
}

static uint32_t ent_hash(uint32_t s, uint32_t g, uint32_t nb) {
  uint64_t k = (uint64_t)s << 32 | g;

  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  return (uint32_t)k & (nb - 1);
}

static struct sim_entry *find_ent(struct mgm_backend *be, uint32_t s,
                                  uint32_t g) {
  struct sim_entry *e;

  if (be->nbucket == 0)
    return NULL;
  for (e = be->bucket[ent_hash(s, g, be->nbucket)]; e; e = e->hnext)
    if (e->src == s && e->grp == g)
      return e;
  return NULL;
}

static int ent_rehash(struct mgm_backend *be, uint32_t nb) {
  struct sim_entry **b = mgm__calloc(nb, sizeof(*b));
  uint32_t i;

  if (b == NULL)
    return -1;
  for (i = 0; i < be->n_ent; i++) {
    struct sim_entry *e = be->ent[i];
    uint32_t h = ent_hash(e->src, e->grp, nb);

    e->hnext = b[h];
    b[h] = e;
  }
  free(be->bucket);
  be->bucket = b;
  be->nbucket = nb;
  return 0;
}

static struct sim_entry *add_ent(struct mgm_backend *be, uint32_t s,
                                 uint32_t g) {
  struct sim_entry *e;
  uint32_t h;

  if (grow((void **)&be->ent, &be->cap_ent, be->n_ent + 1, sizeof(*be->ent)) !=
      0)
    return NULL;
  if (be->n_ent + 1 > be->nbucket &&
      ent_rehash(be, be->nbucket ? be->nbucket * 2 : 64) != 0 &&
      be->nbucket == 0)
    return NULL;
  e = mgm__calloc(1, sizeof(*e));
  if (e == NULL)
    return NULL;
  e->src = s;
  e->grp = g;
  e->pos = be->n_ent;
  be->ent[be->n_ent++] = e;
  h = ent_hash(s, g, be->nbucket);
  e->hnext = be->bucket[h];
  be->bucket[h] = e;
  return e;
}

static void del_ent(struct mgm_backend *be, struct sim_entry *e) {
  struct sim_entry **pp = &be->bucket[ent_hash(e->src, e->grp, be->nbucket)];

  while (*pp != e)
    pp = &(*pp)->hnext;
  *pp = e->hnext;
  be->ent[e->pos] = be->ent[--be->n_ent];
  be->ent[e->pos]->pos = e->pos;
  free(e->oif);
  free(e);
}

static uint32_t find_pend(struct mgm_backend *be, uint32_t s, uint32_t g) {
  uint32_t i;

  for (i = 0; i < be->n_pend; i++)
    if (be->pend[i].src == s && be->pend[i].grp == g)
      return i;
  return UINT32_MAX;
}

static void drop_pend(struct mgm_backend *be, uint32_t i) {
  be->pend[i] = be->pend[--be->n_pend];
}

static int slot_ok(struct mgm_backend *be, uint32_t ifindex) {
  struct sim_if *f = find_if(be, ifindex);

  return f && f->slot_refs > 0 && f->up;
}

/* The result slot of token, or NULL when it was read back (or is 0). */
static struct mgm_sim_result *tok_res(struct mgm_backend *be, uint32_t token) {
  uint32_t i;

  for (i = 0; token != 0 && i < SIM_TOKENS; i++)
    if (be->tok[i].token == token)
      return &be->tok[i].res;
  return NULL;
}

/* A slot holding res for a packet about to be queued: its token, or 0
 * when none is free. */
static uint32_t tok_take(struct mgm_backend *be,
                         const struct mgm_sim_result *res) {
  uint32_t i;

  for (i = 0; i < SIM_TOKENS; i++) {
    if (be->tok[i].token == 0) {
      if (++be->last_token == 0)
        be->last_token = 1;
      be->tok[i].token = be->last_token;
      be->tok[i].res = *res;
      return be->last_token;
    }
  }
  return 0;
}

/* Forward one packet through an installed entry. */
static void forward(struct mgm_backend *be, struct sim_entry *e,
                    const struct sim_pkt *p, struct mgm_sim_result *res) {
  uint32_t i;

  if (p->arr != e->iif) {
    e->wrong_if++;
    if (res)
      res->verdict = V_WRONG_IF;
    if (be->wrongif && e->notify_wrongif &&
        (!e->wrongif_sent ||
         be->now_ms - e->last_wrongif_ms >= SIM_WRONGIF_INTERVAL_MS)) {
      struct sim_ev *ev = mgm__calloc(1, sizeof(*ev));

      e->wrongif_sent = 1;
      e->last_wrongif_ms = be->now_ms;
      if (ev) {
        ev->type = EV_WRONG_IF;
        ev->iif = p->arr;
        ev->src = e->src;
        ev->grp = e->grp;
        push_ev(be, ev);
      }
    }
    return;
  }
  /* Like BSD's ip_mdq: a wrong-interface packet counts in wrong_if only. */
  e->pkts++;
  e->bytes += p->len;
  if (res) {
    res->verdict = e->n_oif ? V_FORWARDED : V_NEGATIVE;
    res->n_out = 0;
  }
  for (i = 0; i < e->n_oif; i++) {
    uint8_t thr = e->oif[i].ttl_threshold ? e->oif[i].ttl_threshold : 1;

    if (p->ttl <= thr || !slot_ok(be, e->oif[i].ifindex))
      continue;
    if (res && res->n_out < MGM_SIM_MAX_OUT)
      res->out[res->n_out++] = e->oif[i].ifindex;
  }
}

static void build_hdr(uint8_t *h, uint32_t src, uint32_t grp, uint8_t ttl,
                      uint32_t len) {
  uint32_t sum = 0;
  int i;

  memset(h, 0, 28);
  h[0] = 0x45;
  h[2] = (uint8_t)(len >> 8);
  h[3] = (uint8_t)len;
  h[8] = ttl;
  h[9] = 17; /* UDP */
  memcpy(h + 12, &src, 4);
  memcpy(h + 16, &grp, 4);
  for (i = 0; i < 20; i += 2)
    sum += (uint32_t)h[i] << 8 | h[i + 1];
  while (sum >> 16)
    sum = (sum & 0xFFFF) + (sum >> 16);
  sum = ~sum & 0xFFFF;
  h[10] = (uint8_t)(sum >> 8);
  h[11] = (uint8_t)sum;
}

/* ---- Backend ops --------------------------------------------------------- */

static int sim_open(const struct mgm_be_config *cfg,
                    const struct mgm_be_upcalls *up, void *ctx,
                    struct mgm_backend **out) {
  struct mgm_backend *be = mgm__calloc(1, sizeof(*be));

  if (be == NULL)
    return MGM_BE_ENOMEM;
  if (pthread_mutex_init(&be->mu, NULL) != 0) {
    free(be);
    return MGM_BE_ENOMEM;
  }
  be->up = up;
  be->ctx = ctx;
  be->profile = cfg->profile;
  be->max_slots = be->profile == SIM_PROFILE_WINDOWS ? 0 : 32;
  *out = be;
  return 0;
}

static void sim_close(struct mgm_backend *be) {
  struct sim_ev *ev, *next;
  uint32_t i;

  for (ev = be->head; ev; ev = next) {
    next = ev->next;
    free(ev->pkt);
    free(ev);
  }
  for (i = 0; i < be->n_ent; i++) {
    free(be->ent[i]->oif);
    free(be->ent[i]);
  }
  free(be->ent);
  free(be->bucket);
  free(be->pend);
  free(be->ifs);
  free(be->routes);
  pthread_mutex_destroy(&be->mu);
  free(be);
}

static void sim_caps(struct mgm_backend *be, struct mgm_be_caps *c) {
  memset(c, 0, sizeof(*c));
  c->max_slots = (uint16_t)be->max_slots;
  c->ifindex_slots = be->profile != SIM_PROFILE_FREEBSD;
  c->if_events = 1;
  c->wrongif_upcall = 1;
  c->virtual_clock = 1;
}

static int sim_fds(struct mgm_backend *be, int *fds, size_t *n) {
  *n = 0; /* control calls drain the queue themselves */
  return 0;
}

/* The virtual clock needs no wake time. */
static int sim_dispatch(struct mgm_backend *be, unsigned budget,
                        uint64_t now_ms) {
  int done = 0;

  while (budget-- > 0) {
    struct sim_ev *ev;

    pthread_mutex_lock(&be->mu);
    ev = be->head;
    if (ev) {
      be->head = ev->next;
      if (be->head == NULL)
        be->tail = NULL;
    }
    pthread_mutex_unlock(&be->mu);
    if (ev == NULL)
      break;
    switch (ev->type) {
    case EV_IF:
      ev->ifev.name = ev->name;
      be->up->if_event(be->ctx, &ev->ifev);
      break;
    case EV_NO_ENTRY:
      be->up->no_entry(be->ctx, ev->iif, ev->src, ev->grp, ev->hdr,
                       sizeof(ev->hdr));
      break;
    case EV_WRONG_IF:
      be->up->wrong_if(be->ctx, ev->iif, ev->src, ev->grp, ev->hdr,
                       sizeof(ev->hdr));
      break;
    case EV_GONE: {
      struct mgm_mfe_key k = {ev->src, ev->grp};

      be->up->mfe_gone(be->ctx, &k, ev->why);
      break;
    }
    case EV_CTRL:
      be->up->ctrl_packet(be->ctx, ev->iif, ev->pkt, ev->len);
      break;
    }
    free(ev->pkt);
    free(ev);
    done++;
  }
  return done;
}

static void push_if_ev(struct mgm_backend *be, const struct sim_if *f,
                       enum mgm_if_ev type) {
  struct sim_ev *ev = mgm__calloc(1, sizeof(*ev));

  if (ev == NULL)
    return;
  ev->type = EV_IF;
  ev->ifev.type = type;
  ev->ifev.ifindex = f->ifindex;
  ev->ifev.flags = (f->up ? 0x3u : 0) | 0x4u;
  ev->ifev.addr = f->addr;
  memcpy(ev->name, f->name, sizeof(ev->name));
  push_ev(be, ev);
}

static int sim_resync(struct mgm_backend *be) {
  uint32_t i;

  for (i = 0; i < be->n_ifs; i++)
    if (be->ifs[i].present)
      push_if_ev(be, &be->ifs[i], MGM_IF_ADD);
  return 0;
}

static int sim_if_attach(struct mgm_backend *be, uint32_t ifindex) {
  struct sim_if *f;
  int rc = take_fault(be, OP_IF_ATTACH);

  if (rc)
    return rc;
  f = get_if(be, ifindex);
  if (f == NULL)
    return MGM_BE_ENOMEM;
  if (f->slot_refs > 0) {
    f->slot_refs++;
    return 0;
  }
  if (be->profile == SIM_PROFILE_FREEBSD && (!f->present || f->addr == 0))
    return MGM_BE_ENOIF; /* BSD VIFs are keyed by address */
  if (be->max_slots && be->used_slots >= be->max_slots)
    return MGM_BE_ENOSLOT;
  f->slot_refs = 1;
  be->used_slots++;
  return 0;
}

/* Remove ifindex from every entry; entries arriving on it go. */
static void scrub(struct mgm_backend *be, uint32_t ifindex, int report) {
  uint32_t i = 0, j, w;

  while (i < be->n_ent) {
    struct sim_entry *e = be->ent[i];

    if (e->iif == ifindex) {
      if (report) {
        struct sim_ev *ev = mgm__calloc(1, sizeof(*ev));

        if (ev) {
          ev->type = EV_GONE;
          ev->src = e->src;
          ev->grp = e->grp;
          ev->why = MGM_GONE_IF_DEPARTED;
          push_ev(be, ev);
        }
      }
      del_ent(be, e);
      continue;
    }
    for (j = 0, w = 0; j < e->n_oif; j++)
      if (e->oif[j].ifindex != ifindex)
        e->oif[w++] = e->oif[j];
    e->n_oif = (uint16_t)w;
    i++;
  }
}

static int sim_if_detach(struct mgm_backend *be, uint32_t ifindex) {
  struct sim_if *f = find_if(be, ifindex);
  int rc = take_fault(be, OP_IF_DETACH);

  if (rc)
    return rc;
  if (f == NULL || f->slot_refs == 0)
    return MGM_BE_ENOENT;
  if (--f->slot_refs == 0) {
    scrub(be, ifindex, 1);
    be->used_slots--;
  }
  return 0;
}

static int sim_mfe_set(struct mgm_backend *be, const struct mgm_fwd *fwd) {
  struct sim_entry *e;
  struct sim_if *f;
  struct mgm_oif *oif = NULL;
  uint32_t i, p;
  int rc = take_fault(be, OP_MFE_SET);

  if (rc)
    return rc;
  f = find_if(be, fwd->iif);
  if (f == NULL || f->slot_refs == 0)
    return MGM_BE_ENOIF;
  for (i = 0; i < fwd->n_oif; i++) {
    f = find_if(be, fwd->oif[i].ifindex);
    if (f == NULL || f->slot_refs == 0)
      return MGM_BE_ENOIF;
  }
  if (fwd->n_oif) {
    oif = mgm__malloc(fwd->n_oif * sizeof(*oif));
    if (oif == NULL)
      return MGM_BE_ENOMEM;
    memcpy(oif, fwd->oif, fwd->n_oif * sizeof(*oif));
  }
  e = find_ent(be, fwd->key.source, fwd->key.group);
  if (e == NULL && (e = add_ent(be, fwd->key.source, fwd->key.group)) == NULL) {
    free(oif);
    return MGM_BE_ENOMEM;
  }
  /* Replace in place: counters kept, like MRT_ADD_MFC. */
  free(e->oif);
  e->oif = oif;
  e->iif = fwd->iif;
  e->n_oif = fwd->n_oif;
  e->notify_wrongif = (fwd->flags & MGM_FWD_F_NOTIFY_WRONGIF) != 0;
  /* Resolve a pending entry: replay its queued packets. */
  p = find_pend(be, e->src, e->grp);
  if (p != UINT32_MAX) {
    struct sim_pending pd = be->pend[p];

    drop_pend(be, p);
    for (i = 0; i < pd.n; i++)
      forward(be, e, &pd.q[i], tok_res(be, pd.q[i].token));
  }
  return 0;
}

static int sim_mfe_del(struct mgm_backend *be, const struct mgm_mfe_key *k) {
  struct sim_entry *e;
  int rc = take_fault(be, OP_MFE_DEL);

  if (rc)
    return rc;
  e = find_ent(be, k->source, k->group);
  if (e == NULL)
    return MGM_BE_ENOENT;
  del_ent(be, e);
  return 0;
}

static int sim_mfe_stats(struct mgm_backend *be, const struct mgm_mfe_key *k,
                         struct mgm_fwd_stats *out) {
  struct sim_entry *e;
  int rc = take_fault(be, OP_MFE_STATS);

  if (rc)
    return rc;
  e = find_ent(be, k->source, k->group);
  if (e == NULL)
    return MGM_BE_ENOENT;
  out->pkts = e->pkts;
  out->bytes = e->bytes;
  out->wrong_if = e->wrong_if;
  out->idle_ms = UINT32_MAX;
  return 0;
}

static int sim_flush(struct mgm_backend *be) {
  while (be->n_ent)
    del_ent(be, be->ent[be->n_ent - 1]);
  return 0;
}

static uint32_t ntohl_(uint32_t x) {
  const uint8_t *p = (const uint8_t *)&x;

  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

static int sim_route_lookup(struct mgm_backend *be, uint32_t src,
                            struct mgm_route *out) {
  const struct sim_route *best = NULL;
  uint32_t i;
  int rc = take_fault(be, OP_ROUTE);

  if (rc)
    return rc;
  for (i = 0; i < be->n_routes; i++) {
    const struct sim_route *r = &be->routes[i];

    if ((src & r->mask) != r->net)
      continue;
    if (best == NULL || ntohl_(r->mask) > ntohl_(best->mask))
      best = r;
  }
  if (best == NULL)
    return MGM_BE_ENOENT;
  out->ifindex = best->ifindex;
  out->nexthop = 0;
  out->upstream = best->upstream;
  out->network = best->net;
  out->mask = best->mask;
  out->protocol = best->proto;
  return 0;
}

static uint64_t sim_now_ms(struct mgm_backend *be) {
  return be->now_ms;
}

static int sim_set_wrongif(struct mgm_backend *be, int on) {
  be->wrongif = on;
  return 0;
}

static int sim_ctrl_send(struct mgm_backend *be, uint32_t ifindex, uint32_t dst,
                         const void *msg, size_t len) {
  struct sim_if *f = find_if(be, ifindex);

  if (f == NULL || !f->present || !f->up)
    return MGM_BE_ENOIF;
  if (be->tx_fn)
    be->tx_fn(be->tx_ctx, ifindex, dst, msg, (uint32_t)len);
  return 0;
}

/* ---- Controls (libmgm_sim_*, through control(): simctl.h) ---------------- */

static int sim_if_add(struct mgm_backend *be, const struct mgm_ctl_sim_if *a) {
  struct sim_if *f = get_if(be, a->ifindex);

  if (f == NULL)
    return MGM_BE_ENOMEM;
  if (f->present)
    return MGM_BE_EINVAL;
  f->present = 1;
  f->up = 1;
  f->addr = a->addr;
  memset(f->name, 0, sizeof(f->name));
  memcpy(f->name, a->name, sizeof(f->name) - 1); /* ends at a NUL */
  push_if_ev(be, f, MGM_IF_ADD);
  if (a->addr)
    push_if_ev(be, f, MGM_IF_ADDR_ADD);
  return 0;
}

static int sim_if_del(struct mgm_backend *be, uint32_t ifindex) {
  struct sim_if *f = find_if(be, ifindex);

  if (f == NULL || !f->present)
    return MGM_BE_ENOENT;
  f->present = 0;
  push_if_ev(be, f, MGM_IF_DEL);
  if (f->slot_refs > 0) {
    /* The kernel drops the slot with the device and tells nobody but the
     * interface monitor; entries arriving on it are gone. */
    scrub(be, ifindex, 1);
    f->slot_refs = 0;
    be->used_slots--;
    push_if_ev(be, f, MGM_IF_SLOT_LOST);
  }
  f->addr = 0;
  return 0;
}

static int sim_if_set_up(struct mgm_backend *be, uint32_t ifindex, int up) {
  struct sim_if *f = get_if(be, ifindex);

  if (f == NULL)
    return MGM_BE_ENOMEM;
  f->up = up;
  push_if_ev(be, f, up ? MGM_IF_UP : MGM_IF_DOWN);
  return 0;
}

/* Does the forwarder know ifindex (added with if_add, or attached as a
 * slot)?  For validating simulated links. */
static int sim_if_known(struct mgm_backend *be, uint32_t ifindex) {
  const struct sim_if *f = find_if(be, ifindex);

  return f != NULL && (f->present || f->slot_refs > 0);
}

static int sim_route_add(struct mgm_backend *be,
                         const struct mgm_ctl_sim_route *a) {
  uint32_t i;

  for (i = 0; i < be->n_routes; i++)
    if (be->routes[i].net == a->net && be->routes[i].mask == a->mask)
      break;
  if (i == be->n_routes) {
    if (grow((void **)&be->routes, &be->cap_routes, be->n_routes + 1,
             sizeof(*be->routes)) != 0)
      return MGM_BE_ENOMEM;
    be->n_routes++;
  }
  be->routes[i].net = a->net;
  be->routes[i].mask = a->mask;
  be->routes[i].ifindex = a->ifindex;
  be->routes[i].upstream = a->upstream;
  be->routes[i].proto = a->proto;
  return 0;
}

static int sim_route_del(struct mgm_backend *be, uint32_t net, uint32_t mask) {
  uint32_t i;

  for (i = 0; i < be->n_routes; i++) {
    if (be->routes[i].net == net && be->routes[i].mask == mask) {
      be->routes[i] = be->routes[--be->n_routes];
      return 0;
    }
  }
  return MGM_BE_ENOENT;
}

/* Inject a packet: a->res now; a->token when it was queued (simctl.h). */
static int sim_inject(struct mgm_backend *be, struct mgm_ctl_sim_inject *a) {
  struct sim_pkt pkt = {a->ifindex, a->ttl, a->len, 0};
  struct mgm_sim_result *res = &a->res;
  uint32_t src = a->src, grp = a->grp;
  struct sim_entry *e;
  struct sim_pending *pd;
  struct sim_ev *ev;
  uint32_t i;

  memset(res, 0, sizeof(*res));
  a->token = 0;
  if ((ntohl_(grp) & 0xF0000000u) != 0xE0000000u)
    return MGM_BE_EINVAL;
  if (!slot_ok(be, a->ifindex) || (ntohl_(grp) & 0xFFFFFF00u) == 0xE0000000u) {
    res->verdict = V_NOT_ROUTED; /* not a VIF, or link-local scope */
    return 0;
  }
  e = find_ent(be, src, grp);
  if (e) {
    forward(be, e, &pkt, res);
    return 0;
  }
  res->verdict = V_PENDING;
  i = find_pend(be, src, grp);
  if (i != UINT32_MAX) {
    pd = &be->pend[i];
    if (pd->n < SIM_QUEUE_MAX) { /* a 5th packet is dropped, like ipmr */
      pkt.token = a->token = tok_take(be, res);
      pd->q[pd->n++] = pkt;
    }
    return 0;
  }
  if (grow((void **)&be->pend, &be->cap_pend, be->n_pend + 1,
           sizeof(*be->pend)) != 0)
    return MGM_BE_ENOMEM;
  ev = mgm__calloc(1, sizeof(*ev));
  if (ev == NULL)
    return MGM_BE_ENOMEM;
  pd = &be->pend[be->n_pend++];
  memset(pd, 0, sizeof(*pd));
  pd->src = src;
  pd->grp = grp;
  pd->created_ms = be->now_ms;
  pkt.token = a->token = tok_take(be, res);
  pd->q[pd->n++] = pkt;
  ev->type = EV_NO_ENTRY;
  ev->iif = a->ifindex;
  ev->src = src;
  ev->grp = grp;
  build_hdr(ev->hdr, src, grp, a->ttl, a->len);
  push_ev(be, ev);
  return 0;
}

/* The final result of a->token's injection, and its slot freed: the
 * packet, if still queued, is no longer followed. */
static int sim_inject_done(struct mgm_backend *be,
                           struct mgm_ctl_sim_inject *a) {
  uint32_t i;

  for (i = 0; a->token != 0 && i < SIM_TOKENS; i++) {
    if (be->tok[i].token == a->token) {
      a->res = be->tok[i].res;
      be->tok[i].token = 0;
      return 0;
    }
  }
  return MGM_BE_ENOENT;
}

static int sim_advance(struct mgm_backend *be, uint32_t ms) {
  uint64_t life = be->profile == SIM_PROFILE_FREEBSD ? 1500 : 10000;
  uint32_t i = 0;

  be->now_ms += ms;
  while (i < be->n_pend) {
    if (be->now_ms - be->pend[i].created_ms >= life)
      drop_pend(be, i); /* unresolved: queued packets are lost */
    else
      i++;
  }
  return 0;
}

/* Queue an IGMP packet for the ctrl_packet upcall. */
static int sim_inject_ctrl(struct mgm_backend *be, uint32_t ifindex,
                           const void *pkt, uint32_t len) {
  struct sim_ev *ev = mgm__calloc(1, sizeof(*ev));

  if (ev == NULL || (ev->pkt = mgm__malloc(len ? len : 1)) == NULL) {
    free(ev);
    return MGM_BE_ENOMEM;
  }
  memcpy(ev->pkt, pkt, len);
  ev->len = len;
  ev->type = EV_CTRL;
  ev->iif = ifindex;
  push_ev(be, ev);
  return 0;
}

static int sim_entry_get(struct mgm_backend *be, struct mgm_ctl_sim_entry *a) {
  struct sim_entry *e = find_ent(be, a->src, a->grp);
  uint32_t i;

  if (e == NULL)
    return MGM_BE_ENOENT;
  a->iif = e->iif;
  a->n_oif = e->n_oif;
  for (i = 0; i < e->n_oif && i < MGM_SIM_MAX_OUT; i++)
    a->oif[i] = e->oif[i].ifindex;
  return 0;
}

/* Is the argument of op len bytes of its type? */
#define SIM_ARG(type) (len == sizeof(type) ? (type *)arg : NULL)

static int sim_control(struct mgm_backend *be, int op, void *arg, size_t len) {
  struct mgm_ctl_sim_if *fa = SIM_ARG(struct mgm_ctl_sim_if);
  struct mgm_ctl_sim_route *ra = SIM_ARG(struct mgm_ctl_sim_route);
  struct mgm_ctl_sim_inject *ia = SIM_ARG(struct mgm_ctl_sim_inject);
  struct mgm_ctl_sim_arg *na = SIM_ARG(struct mgm_ctl_sim_arg);
  struct mgm_ctl_sim_tx_hook *ta = SIM_ARG(struct mgm_ctl_sim_tx_hook);
  struct mgm_ctl_sim_entry *ea = SIM_ARG(struct mgm_ctl_sim_entry);
  struct mgm_ctl_sim_ctrl *ca = len >= sizeof(*ca) ? arg : NULL;
  int rc = MGM_BE_EINVAL; /* an argument of the wrong size */

  switch (op) {
  case MGM_CTL_SIM_PROBE:
    rc = 0;
    break;
  case MGM_CTL_SIM_IF_ADD:
    if (fa)
      rc = sim_if_add(be, fa);
    break;
  case MGM_CTL_SIM_IF_DEL:
    if (fa)
      rc = sim_if_del(be, fa->ifindex);
    break;
  case MGM_CTL_SIM_IF_SET_UP:
    if (fa)
      rc = sim_if_set_up(be, fa->ifindex, fa->flag != 0);
    break;
  case MGM_CTL_SIM_IF_KNOWN:
    if (fa) {
      fa->flag = (uint32_t)sim_if_known(be, fa->ifindex);
      rc = 0;
    }
    break;
  case MGM_CTL_SIM_ROUTE_ADD:
    if (ra)
      rc = sim_route_add(be, ra);
    break;
  case MGM_CTL_SIM_ROUTE_DEL:
    if (ra)
      rc = sim_route_del(be, ra->net, ra->mask);
    break;
  case MGM_CTL_SIM_INJECT:
    if (ia)
      rc = sim_inject(be, ia);
    break;
  case MGM_CTL_SIM_INJECT_DONE:
    if (ia)
      rc = sim_inject_done(be, ia);
    break;
  case MGM_CTL_SIM_INJECT_CTRL:
    if (ca && ca->len == len - sizeof(*ca))
      rc = sim_inject_ctrl(be, ca->ifindex, ca->pkt, ca->len);
    break;
  case MGM_CTL_SIM_ADVANCE:
    if (na)
      rc = sim_advance(be, (uint32_t)na->a);
    break;
  case MGM_CTL_SIM_FAIL_NEXT:
    if (na) {
      be->fail_op = na->a;
      be->fail_err = na->b;
      rc = 0;
    }
    break;
  case MGM_CTL_SIM_SET_LIMITS:
    if (na) {
      be->max_slots = (uint32_t)na->a;
      rc = 0;
    }
    break;
  case MGM_CTL_SIM_KERNEL_COUNT:
    if (na) {
      na->a = (int32_t)be->n_ent;
      na->b = (int32_t)be->used_slots;
      rc = 0;
    }
    break;
  case MGM_CTL_SIM_SET_TX_HOOK:
    if (ta) {
      be->tx_fn = ta->fn;
      be->tx_ctx = ta->ctx;
      rc = 0;
    }
    break;
  case MGM_CTL_SIM_ENTRY_GET:
    if (ea)
      rc = sim_entry_get(be, ea);
    break;
  default:
    rc = MGM_BE_ENOTSUP;
    break;
  }
  return rc;
}

const struct mgm_backend_ops mgm__sim_ops = {
    .name = "sim",
    .abi = MGM_BACKEND_ABI,
    .open = sim_open,
    .close = sim_close,
    .caps = sim_caps,
    .fds = sim_fds,
    .dispatch = sim_dispatch,
    .resync = sim_resync,
    .if_attach = sim_if_attach,
    .if_detach = sim_if_detach,
    .mfe_set = sim_mfe_set,
    .mfe_del = sim_mfe_del,
    .mfe_stats = sim_mfe_stats,
    .flush = sim_flush,
    .route_lookup = sim_route_lookup,
    .now_ms = sim_now_ms,
    .set_wrongif = sim_set_wrongif,
    .ctrl_send = sim_ctrl_send,
    .dispatch_fd = NULL,
    .control = sim_control,
};
