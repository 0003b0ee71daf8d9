/*
 * model.c - the reference model of MGM declared in model.h.
 *
 * SPDX-License-Identifier: MIT
 *
 * Every rule here is a direct transcription of mgm-spec.md, cited by
 * section or decision id next to the code; nothing is taken from src/.
 * State is kept in plain growable arrays that are scanned linearly:
 * clients in registration order (ids never reused), interface records,
 * membership records (one per (entry, interface, client), effective or
 * latent), MFEs kept sorted in table order (D-ORDER), enumerations and
 * routes.  Callbacks are made immediately, in the order the spec states,
 * through the user's function; their outputs are read back from the call
 * record.
 *
 * The forwarder is reduced to what the spec and kernel.md state about
 * it: a packet reaches MGM's new-packet entry point (4.4 step 1) only
 * when it arrives on an interface the forwarder has a slot (VIF) for -
 * one per ifindex with an interface record (8.1: "vif per owned
 * interface") - and its group is a routable multicast group (class D,
 * outside the link-local 224.0.0.0/24 the kernel never routes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define ALL ((DWORD)0xFFFFFFFFu)
#define LIFETIME_S 900u /* 1.7 default MFE lifetime */
#define MAX_OIF 64

struct client {
  int live;       /* registered */
  DWORD pid, cid; /* ids */
  unsigned cb;    /* non-NULL callbacks, bit = enum model_cb_kind */
  int igmp;       /* IGMP-type (D-IGMP-ID) */
};

struct iface { /* 2.0 (2): key = exact (ifx, nh) */
  DWORD ifx, nh;
  int owner;    /* routing-protocol owner, -1 = none */
  int igmp;     /* IGMP co-owner, -1 = none */
  int disabled; /* D-IGMP-WINDOW */
};

struct member { /* 2.0 (3): one membership */
  DWORD s, g;   /* normalised entry: (S,G), (0,G), (0,0) */
  DWORD ifx, nh;
  int client;
  int latent; /* D-LOCAL */
};

struct oif {
  DWORD ifx, nh;
};

struct mfe { /* 2.0 (4) */
  DWORD s, g, iif, iifnh, up, inproto, rproto, rnet, rmask;
  uint64_t created, expire; /* ms */
  DWORD timeout;            /* ulTimeOut, s */
  int n_oif;
  struct oif oif[MAX_OIF]; /* ascending (ifx, ntohl(nh)), D-ORDER-OIF */
};

struct genum { /* 2.0 (5) */
  int live;
  int owner;
  int n, pos;
  SOURCE_GROUP_ENTRY *e;
};

struct route {
  DWORD net, mask, ifx, up, proto;
};

struct model {
  model_cb_fn fn;
  void *ctx;
  uint64_t now; /* ms */
  struct client *c;
  int nc, capc;
  struct iface *ifs;
  int nifs, capifs;
  struct member *mem;
  int nmem, capmem;
  struct mfe *mfe;
  int nmfe, capmfe;
  struct genum *en;
  int nen, capen;
  struct route *rt;
  int nrt, caprt;
};

/* ---- Helpers ------------------------------------------------------------- */

static void grow(void *pp, int *cap, int need, size_t sz) {
  void **p = pp;
  int n = *cap ? *cap : 8;

  if (need <= *cap)
    return;
  while (n < need)
    n *= 2;
  *p = realloc(*p, (size_t)n * sz);
  if (*p == NULL) {
    fprintf(stderr, "model: out of memory\n");
    abort();
  }
  *cap = n;
}

static uint32_t h32(DWORD x) { /* ntohl without OS headers */
  const BYTE *b = (const BYTE *)&x;

  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
         b[3];
}

static DWORD n32(uint32_t x) { /* htonl */
  DWORD v;
  BYTE *b = (BYTE *)&v;

  b[0] = (BYTE)(x >> 24);
  b[1] = (BYTE)(x >> 16);
  b[2] = (BYTE)(x >> 8);
  b[3] = (BYTE)x;
  return v;
}

/* (G, S) order of MFEs and enumeration records (D-ORDER). */
static int gs_cmp(DWORD g1, DWORD s1, DWORD g2, DWORD s2) {
  if (h32(g1) != h32(g2))
    return h32(g1) < h32(g2) ? -1 : 1;
  if (h32(s1) != h32(s2))
    return h32(s1) < h32(s2) ? -1 : 1;
  return 0;
}

/* (index, next hop) order; next hops are addresses: compare ntohl (1.3). */
static int if_cmp(DWORD i1, DWORD n1, DWORD i2, DWORD n2) {
  if (i1 != i2)
    return i1 < i2 ? -1 : 1;
  if (h32(n1) != h32(n2))
    return h32(n1) < h32(n2) ? -1 : 1;
  return 0;
}

static void call(struct model *m, struct model_call *k) {
  m->fn(m->ctx, k);
}

static int has_cb(const struct model *m, int x, int kind) {
  return x >= 0 && m->c[x].live && (m->c[x].cb >> kind & 1u);
}

static int client_of(const struct model *m, struct model_h h) {
  if (h.kind != MODEL_H_PROTO || h.id < 0 || h.id >= m->nc || !m->c[h.id].live)
    return -1;
  return h.id;
}

/* ---- Interfaces (2.0 (2), D-P2MP) ---------------------------------------- */

static int if_find(const struct model *m, DWORD ifx, DWORD nh) {
  int i;

  for (i = 0; i < m->nifs; i++)
    if (m->ifs[i].ifx == ifx && m->ifs[i].nh == nh)
      return i;
  return -1;
}

/* Exact pair, else (ifx, 0) for a next hop (D-P2MP). */
static int if_lookup(const struct model *m, DWORD ifx, DWORD nh) {
  int r = if_find(m, ifx, nh);

  if (r < 0 && nh != 0)
    r = if_find(m, ifx, 0);
  return r;
}

/* Effective owner: routing protocol, else IGMP, else -1 (2.0 (2)). */
static int eff_owner(const struct model *m, DWORD ifx, DWORD nh) {
  int r = if_lookup(m, ifx, nh);

  if (r < 0)
    return -1;
  return m->ifs[r].owner >= 0 ? m->ifs[r].owner : m->ifs[r].igmp;
}

static int if_create(struct model *m, DWORD ifx, DWORD nh) {
  struct iface *f;

  grow(&m->ifs, &m->capifs, m->nifs + 1, sizeof(*m->ifs));
  f = &m->ifs[m->nifs];
  f->ifx = ifx;
  f->nh = nh;
  f->owner = f->igmp = -1;
  f->disabled = 0;
  return m->nifs++;
}

static void if_maybe_free(struct model *m, DWORD ifx, DWORD nh) {
  int r = if_find(m, ifx, nh);

  if (r >= 0 && m->ifs[r].owner < 0 && m->ifs[r].igmp < 0)
    m->ifs[r] = m->ifs[--m->nifs];
}

/* D-P2MP: "a protocol that took (i, 0) owns all links of i unless a link
 * was taken explicitly".  So the record (ifx, nh) stands for the link
 * (li, ln) when it is that pair, or when it is (ifx, 0) and the link has no
 * record of its own; taking or releasing (i, 0) takes or releases those
 * links too (purges, D-OWN-MFE, outgoing lists). */
static int covers(const struct model *m, DWORD ifx, DWORD nh, DWORD li,
                  DWORD ln) {
  if (li != ifx)
    return 0;
  if (ln == nh)
    return 1;
  return nh == 0 && if_find(m, li, ln) < 0;
}

/* ---- Routes
 * ------------------------------------------------------------------ */

/* Most specific route toward s, or -1. */
static int route_lookup(const struct model *m, DWORD s) {
  int i, best = -1;

  for (i = 0; i < m->nrt; i++) {
    if ((s & m->rt[i].mask) != m->rt[i].net)
      continue;
    if (best < 0 || h32(m->rt[i].mask) > h32(m->rt[best].mask))
      best = i;
  }
  return best;
}

/* The client eligible for (S,G) alerts: owner of the interface toward S
 * (3.4); -1 without a route or an owner. */
static int rpf_owner(const struct model *m, DWORD s) {
  int r = route_lookup(m, s);

  return r < 0 ? -1 : eff_owner(m, m->rt[r].ifx, 0);
}

/* ---- Memberships (2.0 (3)) ----------------------------------------------- */

static int mem_find(const struct model *m, DWORD s, DWORD g, DWORD ifx,
                    DWORD nh, int client, int latent) {
  int i;

  for (i = 0; i < m->nmem; i++) {
    const struct member *e = &m->mem[i];

    if (e->s == s && e->g == g && e->ifx == ifx && e->nh == nh &&
        e->client == client && e->latent == latent)
      return i;
  }
  return -1;
}

static void mem_add(struct model *m, DWORD s, DWORD g, DWORD ifx, DWORD nh,
                    int client, int latent) {
  struct member *e;

  grow(&m->mem, &m->capmem, m->nmem + 1, sizeof(*m->mem));
  e = &m->mem[m->nmem++];
  e->s = s;
  e->g = g;
  e->ifx = ifx;
  e->nh = nh;
  e->client = client;
  e->latent = latent;
}

static void mem_del(struct model *m, int i) {
  m->mem[i] = m->mem[--m->nmem];
}

/* Others(X) of 3.4 non-empty: an effective membership in entry (s,g) by a
 * client other than x. */
static int others(const struct model *m, DWORD s, DWORD g, int x) {
  int i;

  for (i = 0; i < m->nmem; i++)
    if (!m->mem[i].latent && m->mem[i].s == s && m->mem[i].g == g &&
        m->mem[i].client != x)
      return 1;
  return 0;
}

static int *others_all(const struct model *m, DWORD s, DWORD g) {
  int *v = calloc((size_t)m->nc + 1, sizeof(*v));
  int i;

  if (v == NULL)
    abort();
  for (i = 0; i < m->nc; i++)
    v[i] = others(m, s, g, i);
  return v;
}

static DWORD mask_of(DWORD a) {
  return a ? ALL : 0;
}

/* The 3.4 delivery rule after entry (s,g) changed: `before` holds
 * Others(X) != empty for every X before the change.  Join alerts (TRUE)
 * or prune alerts (TRUE, interface of the deleted membership). */
static void rule_alerts(struct model *m, DWORD s, DWORD g, const int *before,
                        int join, DWORD ifx, DWORD nh) {
  int only = -1, x;

  if (s != 0 && (only = rpf_owner(m, s)) < 0)
    return; /* (S,G): nobody without a route/owner */
  for (x = 0; x < m->nc; x++) {
    struct model_call k;
    int after;

    if (!m->c[x].live || (only >= 0 && x != only))
      continue;
    after = others(m, s, g, x);
    memset(&k, 0, sizeof(k));
    k.client = x;
    k.s = s;
    k.smask = mask_of(s);
    k.g = g;
    k.gmask = mask_of(g);
    k.flag = TRUE;
    if (join && !before[x] && after && has_cb(m, x, MODEL_CB_JOIN)) {
      k.kind = MODEL_CB_JOIN;
      call(m, &k);
    } else if (!join && before[x] && !after && has_cb(m, x, MODEL_CB_PRUNE)) {
      k.kind = MODEL_CB_PRUNE;
      k.ifx = ifx;
      k.nh = nh;
      k.timeout = LIFETIME_S; /* D-PRUNE-TMO; output ignored */
      call(m, &k);
    }
  }
}

/* ---- MFEs (2.0 (4), 4.7, 5.2)
 * ------------------------------------------------- */

static int mfe_find(const struct model *m, DWORD s, DWORD g) {
  int i;

  for (i = 0; i < m->nmfe; i++)
    if (m->mfe[i].s == s && m->mfe[i].g == g)
      return i;
  return -1;
}

static void mfe_remove(struct model *m, int i) {
  memmove(&m->mfe[i], &m->mfe[i + 1],
          (size_t)(m->nmfe - i - 1) * sizeof(*m->mfe));
  m->nmfe--;
}

static int covered(const struct mfe *f, DWORD s, DWORD g) {
  if (s != 0)
    return f->s == s && f->g == g;
  return g == 0 || f->g == g;
}

static int oif_pos(const struct mfe *f, DWORD ifx, DWORD nh) {
  int i;

  for (i = 0; i < f->n_oif; i++)
    if (f->oif[i].ifx == ifx && f->oif[i].nh == nh)
      return i;
  return -1;
}

static void oif_insert(struct mfe *f, DWORD ifx, DWORD nh) {
  int i = 0;

  if (f->n_oif >= MAX_OIF) {
    fprintf(stderr, "model: too many outgoing interfaces\n");
    abort();
  }
  while (i < f->n_oif && if_cmp(f->oif[i].ifx, f->oif[i].nh, ifx, nh) < 0)
    i++;
  memmove(&f->oif[i + 1], &f->oif[i], (size_t)(f->n_oif - i) * sizeof(*f->oif));
  f->oif[i].ifx = ifx;
  f->oif[i].nh = nh;
  f->n_oif++;
}

static void oif_remove(struct mfe *f, int i) {
  memmove(&f->oif[i], &f->oif[i + 1],
          (size_t)(f->n_oif - i - 1) * sizeof(*f->oif));
  f->n_oif--;
}

/* Some effective membership on exactly (ifx,nh) in (S,G), (*,G) or (*,*)
 * (2.9 step 3). */
static int justified(const struct model *m, const struct mfe *f, DWORD ifx,
                     DWORD nh) {
  int i;

  for (i = 0; i < m->nmem; i++) {
    const struct member *e = &m->mem[i];

    if (e->latent || e->ifx != ifx || e->nh != nh)
      continue;
    if ((e->s == f->s && e->g == f->g) || (e->s == 0 && e->g == f->g) ||
        (e->s == 0 && e->g == 0))
      return 1;
  }
  return 0;
}

/* The list of MFE i turned non-empty: join alert FALSE to the iif owner
 * (2.8 step 5, D-NEGMFE). */
static void mfe_filled(struct model *m, int i) {
  const struct mfe *f = &m->mfe[i];
  int o = eff_owner(m, f->iif, f->iifnh);
  struct model_call k;

  if (!has_cb(m, o, MODEL_CB_JOIN))
    return;
  memset(&k, 0, sizeof(k));
  k.kind = MODEL_CB_JOIN;
  k.client = o;
  k.s = f->s;
  k.smask = ALL;
  k.g = f->g;
  k.gmask = ALL;
  k.flag = FALSE;
  call(m, &k);
}

/* The list of MFE i turned empty: negative-MFE prune alert to the iif
 * owner; the returned timeout re-arms the MFE (3.3, D-REARM, D-TMO0). */
static void mfe_emptied(struct model *m, int i, DWORD ifx, DWORD nh) {
  const struct mfe *f = &m->mfe[i];
  int o = eff_owner(m, f->iif, f->iifnh);
  struct model_call k;
  DWORD s = f->s, g = f->g, t;

  if (!has_cb(m, o, MODEL_CB_PRUNE))
    return;
  memset(&k, 0, sizeof(k));
  k.kind = MODEL_CB_PRUNE;
  k.client = o;
  k.s = s;
  k.smask = ALL;
  k.g = g;
  k.gmask = ALL;
  k.ifx = ifx;
  k.nh = nh;
  k.flag = FALSE;
  k.timeout = LIFETIME_S;
  call(m, &k);
  if ((i = mfe_find(m, s, g)) < 0)
    return;
  t = k.timeout ? k.timeout : LIFETIME_S;
  m->mfe[i].timeout = t;
  m->mfe[i].expire = m->now + (uint64_t)t * 1000u;
}

/* D-OWN-MFE: MFEs whose incoming interface is (ifx, nh), or a link it
 * covers, go, silently. */
static void mfe_delete_iif(struct model *m, DWORD ifx, DWORD nh) {
  int i = 0;

  while (i < m->nmfe) {
    if (covers(m, ifx, nh, m->mfe[i].iif, m->mfe[i].iifnh))
      mfe_remove(m, i);
    else
      i++;
  }
}

/* 2.5 step 4: (ifx, nh) and the links it covers leave every outgoing list
 * (MFEs in table order, links in list order; an MFE whose list empties
 * gets its negative-MFE alert with the link removed last). */
static void mfe_strip(struct model *m, DWORD ifx, DWORD nh) {
  int i, p;

  for (i = 0; i < m->nmfe; i++) {
    p = 0;
    while (p < m->mfe[i].n_oif) {
      struct oif o = m->mfe[i].oif[p];

      if (!covers(m, ifx, nh, o.ifx, o.nh)) {
        p++;
        continue;
      }
      oif_remove(&m->mfe[i], p);
      if (m->mfe[i].n_oif == 0)
        mfe_emptied(m, i, o.ifx, o.nh);
    }
  }
}

/* ---- Membership changes with side effects (2.8, 2.9) --------------------- */

/* Case E join of client p. */
static void join_effective(struct model *m, int p, DWORD s, DWORD g, DWORD ifx,
                           DWORD nh) {
  int *before, i;

  if (mem_find(m, s, g, ifx, nh, p, 0) >= 0)
    return; /* D-IDEMPOTENT */
  before = others_all(m, s, g);
  mem_add(m, s, g, ifx, nh, p, 0);
  rule_alerts(m, s, g, before, 1, 0, 0);
  free(before);
  for (i = 0; i < m->nmfe; i++) {
    struct mfe *f = &m->mfe[i];

    if (!covered(f, s, g) || (f->iif == ifx && f->iifnh == nh) ||
        oif_pos(f, ifx, nh) >= 0)
      continue;
    oif_insert(f, ifx, nh);
    if (f->n_oif == 1)
      mfe_filled(m, i);
  }
}

/* Case E leave of client p; no-op when p has no such membership. */
static void leave_effective(struct model *m, int p, DWORD s, DWORD g, DWORD ifx,
                            DWORD nh) {
  int *before, i, pos;

  if ((i = mem_find(m, s, g, ifx, nh, p, 0)) < 0)
    return; /* D-IDEMPOTENT */
  before = others_all(m, s, g);
  mem_del(m, i);
  rule_alerts(m, s, g, before, 0, ifx, nh);
  free(before);
  for (i = 0; i < m->nmfe; i++) {
    struct mfe *f = &m->mfe[i];

    if (!covered(f, s, g) || (pos = oif_pos(f, ifx, nh)) < 0 ||
        justified(m, f, ifx, nh))
      continue;
    oif_remove(f, pos);
    if (f->n_oif == 0)
      mfe_emptied(m, i, ifx, nh);
  }
}

struct key {
  DWORD s, g, ifx, nh;
};

static int key_cmp(const void *a, const void *b) {
  const struct key *x = a, *y = b;
  int c = gs_cmp(x->g, x->s, y->g, y->s);

  return c ? c : if_cmp(x->ifx, x->nh, y->ifx, y->nh);
}

/* Memberships of client p (latent or effective) on the links the record
 * (ifx, nh) covers, in (G, S, link) order: the purge order is not
 * specified; the table order is the natural choice (D-ORDER). */
static struct key *keys_of(const struct model *m, int p, DWORD ifx, DWORD nh,
                           int latent, int *count) {
  struct key *v = calloc((size_t)m->nmem + 1, sizeof(*v));
  int i, n = 0;

  if (v == NULL)
    abort();
  for (i = 0; i < m->nmem; i++) {
    const struct member *e = &m->mem[i];

    if (e->client == p && e->latent == latent &&
        covers(m, ifx, nh, e->ifx, e->nh)) {
      v[n].s = e->s;
      v[n].g = e->g;
      v[n].ifx = e->ifx;
      v[n].nh = e->nh;
      n++;
    }
  }
  qsort(v, (size_t)n, sizeof(*v), key_cmp);
  *count = n;
  return v;
}

/* Delete every effective membership of p on the links (ifx, nh) covers,
 * each with its full 2.9 side effects (2.5 step 1, 2.6 step 3). */
static void purge(struct model *m, int p, DWORD ifx, DWORD nh) {
  int n, i;
  struct key *v = keys_of(m, p, ifx, nh, 0, &n);

  for (i = 0; i < n; i++)
    leave_effective(m, p, v[i].s, v[i].g, v[i].ifx, v[i].nh);
  free(v);
}

/* Latent memberships of client p on the links (ifx, nh) covers go; a
 * local leave to `notify` for each when notify >= 0 (2.5). */
static void latent_purge(struct model *m, int p, DWORD ifx, DWORD nh,
                         int notify) {
  int n, i, j;
  struct key *v = keys_of(m, p, ifx, nh, 1, &n);

  for (i = 0; i < n; i++) {
    struct model_call k;

    if ((j = mem_find(m, v[i].s, v[i].g, v[i].ifx, v[i].nh, p, 1)) < 0)
      continue;
    mem_del(m, j);
    if (!has_cb(m, notify, MODEL_CB_LOCAL_LEAVE))
      continue;
    memset(&k, 0, sizeof(k));
    k.kind = MODEL_CB_LOCAL_LEAVE;
    k.client = notify;
    k.s = v[i].s;
    k.smask = mask_of(v[i].s);
    k.g = v[i].g;
    k.gmask = mask_of(v[i].g);
    k.ifx = v[i].ifx;
    k.nh = v[i].nh;
    call(m, &k);
  }
  free(v);
}

static void igmp_notify(struct model *m, int x, int kind, DWORD ifx, DWORD nh) {
  struct model_call k;

  if (!has_cb(m, x, kind))
    return;
  memset(&k, 0, sizeof(k));
  k.kind = kind;
  k.client = x;
  k.ifx = ifx;
  k.nh = nh;
  call(m, &k);
}

static void set_disabled(struct model *m, DWORD ifx, DWORD nh, int on) {
  int r = if_find(m, ifx, nh);

  if (r >= 0)
    m->ifs[r].disabled = on;
}

/* ---- Lifecycle
 * ------------------------------------------------------------------ */

struct model *model_new(model_cb_fn fn, void *ctx) {
  struct model *m = calloc(1, sizeof(*m));

  if (m == NULL)
    abort();
  m->fn = fn;
  m->ctx = ctx;
  return m;
}

void model_free(struct model *m) {
  int i;

  if (m == NULL)
    return;
  for (i = 0; i < m->nen; i++)
    free(m->en[i].e);
  free(m->c);
  free(m->ifs);
  free(m->mem);
  free(m->mfe);
  free(m->en);
  free(m->rt);
  free(m);
}

/* ---- Environment --------------------------------------------------------- */

void model_route_set(struct model *m, DWORD net, DWORD mask, DWORD ifx,
                     DWORD upstream, DWORD proto) {
  int i;

  for (i = 0; i < m->nrt; i++)
    if (m->rt[i].net == net && m->rt[i].mask == mask)
      break;
  if (i == m->nrt) {
    grow(&m->rt, &m->caprt, m->nrt + 1, sizeof(*m->rt));
    m->nrt++;
  }
  m->rt[i].net = net;
  m->rt[i].mask = mask;
  m->rt[i].ifx = ifx;
  m->rt[i].up = upstream;
  m->rt[i].proto = proto;
}

void model_route_del(struct model *m, DWORD net, DWORD mask) {
  int i;

  for (i = 0; i < m->nrt; i++)
    if (m->rt[i].net == net && m->rt[i].mask == mask) {
      m->rt[i] = m->rt[--m->nrt];
      return;
    }
}

void model_advance(struct model *m, DWORD ms) {
  int i = 0;

  m->now += ms;
  while (i < m->nmfe) { /* 4.7 #4: expiry, no callback */
    if (m->mfe[i].expire <= m->now)
      mfe_remove(m, i);
    else
      i++;
  }
}

static DWORD bits_of(DWORD mask) {
  uint32_t h = h32(mask);
  DWORD b = 0;

  while (h & 0x80000000u) {
    b++;
    h <<= 1;
  }
  return b;
}

static DWORD mask_from_bits(DWORD bits) {
  if (bits >= 32)
    return ALL;
  return bits ? n32(0xFFFFFFFFu << (32 - bits)) : 0;
}

struct cand {
  DWORD ifx, nh;
  int vetoed;
};

static int cand_cmp(const void *a, const void *b) {
  const struct cand *x = a, *y = b;

  return if_cmp(x->ifx, x->nh, y->ifx, y->nh);
}

/* 4.4: the new-packet entry point. */
void model_packet(struct model *m, DWORD arr, DWORD s, DWORD g) {
  struct cand *cv;
  struct mfe f;
  DWORD iif, nh, up, rproto = 0, rnet = 0, rmask = 0;
  int r, o, x, i, j, n = 0, slot = 0, pos;

  for (i = 0; i < m->nifs; i++)
    slot |= m->ifs[i].ifx == arr;
  if (!slot || (h32(g) & 0xF0000000u) != 0xE0000000u ||
      (h32(g) & 0xFFFFFF00u) == 0xE0000000u)
    return; /* the forwarder makes no upcall */
  if (mfe_find(m, s, g) >= 0)
    return;                            /* step 2 */
  if ((r = route_lookup(m, s)) >= 0) { /* step 3 */
    iif = m->rt[r].ifx;
    nh = 0;
    up = m->rt[r].up;
    rproto = m->rt[r].proto;
    rnet = m->rt[r].net;
    rmask = m->rt[r].mask;
  } else { /* D-NOROUTE */
    iif = arr;
    nh = 0;
    up = 0;
  }
  o = eff_owner(m, iif, nh);
  if (has_cb(m, o, MODEL_CB_RPF)) { /* step 4, 3.1 */
    struct model_call k;

    memset(&k, 0, sizeof(k));
    k.kind = MODEL_CB_RPF;
    k.client = o;
    k.s = s;
    k.smask = ALL;
    k.g = g;
    k.gmask = ALL;
    k.rpf_iif = iif;
    k.rpf_nh = nh;
    k.rpf_up = up;
    k.route_net = rnet;
    k.route_bits = bits_of(rmask);
    call(m, &k);
    iif = k.rpf_iif;
    nh = k.rpf_nh;
    up = k.rpf_up;
    rnet = k.route_net; /* D-ROUTE: re-read DestAddress */
    rmask = mask_from_bits(k.route_bits);
  }
  /* step 5: candidates (5.2) */
  cv = calloc((size_t)m->nmem + 1, sizeof(*cv));
  if (cv == NULL)
    abort();
  for (i = 0; i < m->nmem; i++) {
    const struct member *e = &m->mem[i];
    int dup = 0;

    if (e->latent || !((e->s == s && e->g == g) || (e->s == 0 && e->g == g) ||
                       (e->s == 0 && e->g == 0)))
      continue;
    if (e->ifx == iif && e->nh == nh)
      continue;
    for (j = 0; j < n; j++)
      dup |= cv[j].ifx == e->ifx && cv[j].nh == e->nh;
    if (!dup) {
      cv[n].ifx = e->ifx;
      cv[n].nh = e->nh;
      cv[n].vetoed = 0;
      n++;
    }
  }
  qsort(cv, (size_t)n, sizeof(*cv), cand_cmp);
  /* step 6: creation alerts, registration order (3.2) */
  for (x = 0; x < m->nc; x++) {
    struct model_call k;
    int idx[MODEL_MAX_CB_IFS];

    if (!has_cb(m, x, MODEL_CB_CREATION))
      continue;
    memset(&k, 0, sizeof(k));
    for (j = 0; j < n; j++) {
      int rr;

      if (eff_owner(m, cv[j].ifx, cv[j].nh) != x)
        continue;
      if (k.n_if >= MODEL_MAX_CB_IFS)
        abort();
      rr = if_lookup(m, cv[j].ifx, cv[j].nh);
      idx[k.n_if] = j;
      k.ifs[k.n_if].dwIfIndex = cv[j].ifx;
      k.ifs[k.n_if].dwIfNextHopAddr = cv[j].nh;
      k.ifs[k.n_if].bIGMP = rr >= 0 && m->ifs[rr].igmp >= 0; /* D-BIGMP */
      k.ifs[k.n_if].bIsEnabled = TRUE;
      k.n_if++;
    }
    if (k.n_if == 0)
      continue;
    k.kind = MODEL_CB_CREATION;
    k.client = x;
    k.s = s;
    k.smask = ALL;
    k.g = g;
    k.gmask = ALL;
    k.ifx = iif;
    k.nh = nh;
    call(m, &k);
    for (j = 0; j < (int)k.n_if; j++) /* step 7: FALSE (exactly 0) vetoes */
      if (k.ifs[j].bIsEnabled == FALSE)
        cv[idx[j]].vetoed = 1;
  }
  /* step 8: create */
  memset(&f, 0, sizeof(f));
  f.s = s;
  f.g = g;
  f.iif = iif;
  f.iifnh = nh;
  f.up = up;
  o = eff_owner(m, iif, nh);
  f.inproto = o >= 0 ? m->c[o].pid : 0;
  f.rproto = rproto;
  f.rnet = rnet;
  f.rmask = rmask;
  f.created = m->now;
  f.timeout = LIFETIME_S;
  f.expire = m->now + (uint64_t)LIFETIME_S * 1000u;
  for (j = 0; j < n; j++)
    if (!cv[j].vetoed)
      oif_insert(&f, cv[j].ifx, cv[j].nh);
  free(cv);
  grow(&m->mfe, &m->capmfe, m->nmfe + 1, sizeof(*m->mfe));
  for (pos = 0; pos < m->nmfe && gs_cmp(m->mfe[pos].g, m->mfe[pos].s, g, s) < 0;
       pos++)
    ;
  memmove(&m->mfe[pos + 1], &m->mfe[pos],
          (size_t)(m->nmfe - pos) * sizeof(*m->mfe));
  m->mfe[pos] = f;
  m->nmfe++;
  if (f.n_oif == 0) /* step 9: negative MFE */
    mfe_emptied(m, pos, iif, nh);
}

/* ---- Registration (2.2, 2.3) --------------------------------------------- */

DWORD model_register(struct model *m, int cfg_present, unsigned cbmask,
                     DWORD pid, DWORD cid, struct model_h *out) {
  struct client *c;
  int i;

  if (!cfg_present || out == NULL)
    return ERROR_INVALID_PARAMETER;
  for (i = 0; i < m->nc; i++)
    if (m->c[i].live && m->c[i].pid == pid && m->c[i].cid == cid)
      return ERROR_ALREADY_EXISTS;
  grow(&m->c, &m->capc, m->nc + 1, sizeof(*m->c));
  c = &m->c[m->nc];
  c->live = 1;
  c->pid = pid;
  c->cid = cid;
  c->cb = cbmask & MODEL_CB_ALL;
  c->igmp = pid == 10u || pid == 0x4137000Au; /* D-IGMP-ID */
  out->kind = MODEL_H_PROTO;
  out->id = m->nc++;
  return NO_ERROR;
}

DWORD model_deregister(struct model *m, struct model_h h) {
  int p = client_of(m, h), i;

  if (p < 0)
    return ERROR_INVALID_PARAMETER;
  for (i = 0; i < m->nifs; i++)
    if (m->ifs[i].owner == p || m->ifs[i].igmp == p)
      return ERROR_CAN_NOT_COMPLETE;
  for (i = 0; i < m->nen; i++) /* D-DEREG */
    if (m->en[i].live && m->en[i].owner == p)
      m->en[i].live = 0;
  m->c[p].live = 0;
  return NO_ERROR;
}

/* ---- Ownership (2.4-2.7)
 * ------------------------------------------------------ */

DWORD model_take(struct model *m, struct model_h h, DWORD ifx, DWORD nh) {
  int p = client_of(m, h), r, x;

  if (p < 0)
    return ERROR_INVALID_PARAMETER;
  r = if_find(m, ifx, nh);
  if (m->c[p].igmp) {
    if (r >= 0 && m->ifs[r].igmp >= 0)
      return ERROR_ALREADY_EXISTS;
    if (r < 0)
      r = if_create(m, ifx, nh);
    m->ifs[r].igmp = p;
    if (m->ifs[r].owner < 0)
      mfe_delete_iif(m, ifx, nh); /* IGMP became the effective owner */
    return NO_ERROR;
  }
  if (r >= 0 && m->ifs[r].owner >= 0)
    return ERROR_ALREADY_EXISTS;
  if (r >= 0 && (x = m->ifs[r].igmp) >= 0) { /* 2.6 */
    set_disabled(m, ifx, nh, 1);
    igmp_notify(m, x, MODEL_CB_DISABLE_IGMP, ifx, nh);
    purge(m, x, ifx, nh);
    mfe_delete_iif(m, ifx, nh);
    m->ifs[if_find(m, ifx, nh)].owner = p;
    set_disabled(m, ifx, nh, 0);
    igmp_notify(m, x, MODEL_CB_ENABLE_IGMP, ifx, nh);
    return NO_ERROR;
  }
  if (r < 0)
    r = if_create(m, ifx, nh);
  m->ifs[r].owner = p;
  mfe_delete_iif(m, ifx, nh); /* D-OWN-MFE */
  return NO_ERROR;
}

DWORD model_release(struct model *m, struct model_h h, DWORD ifx, DWORD nh) {
  int p = client_of(m, h), r = if_find(m, ifx, nh), x, i;

  if (p < 0 || r < 0)
    return ERROR_INVALID_PARAMETER;
  if (m->ifs[r].owner == p) {
    x = m->ifs[r].igmp;
    if (x >= 0) { /* 2.6 steps 1-2 */
      set_disabled(m, ifx, nh, 1);
      igmp_notify(m, x, MODEL_CB_DISABLE_IGMP, ifx, nh);
    }
    purge(m, p, ifx, nh); /* 2.5 step 1 */
    i = 0;                /* step 2: latent memberships, silently */
    while (i < m->nmem) {
      if (m->mem[i].latent && covers(m, ifx, nh, m->mem[i].ifx, m->mem[i].nh))
        mem_del(m, i);
      else
        i++;
    }
    mfe_delete_iif(m, ifx, nh);             /* step 3 */
    mfe_strip(m, ifx, nh);                  /* step 4 */
    m->ifs[if_find(m, ifx, nh)].owner = -1; /* step 5 */
    if (x >= 0) {
      set_disabled(m, ifx, nh, 0);
      igmp_notify(m, x, MODEL_CB_ENABLE_IGMP, ifx, nh);
    }
    if_maybe_free(m, ifx, nh);
    return NO_ERROR;
  }
  if (m->ifs[r].igmp != p)
    return ERROR_INVALID_PARAMETER;
  if (m->ifs[r].owner >= 0) { /* IGMP co-owner leaving P's interface */
    latent_purge(m, p, ifx, nh, m->ifs[r].owner);
    m->ifs[if_find(m, ifx, nh)].igmp = -1;
    return NO_ERROR;
  }
  purge(m, p, ifx, nh); /* IGMP as sole owner: steps 1, 3, 4 */
  mfe_delete_iif(m, ifx, nh);
  mfe_strip(m, ifx, nh);
  m->ifs[if_find(m, ifx, nh)].igmp = -1;
  if_maybe_free(m, ifx, nh);
  return NO_ERROR;
}

DWORD model_get_protocol(struct model *m, DWORD ifx, DWORD nh, DWORD *pid,
                         DWORD *cid) {
  int o;

  if (pid == NULL || cid == NULL)
    return ERROR_INVALID_PARAMETER;
  if ((o = eff_owner(m, ifx, nh)) < 0)
    return ERROR_NOT_FOUND;
  *pid = m->c[o].pid;
  *cid = m->c[o].cid;
  return NO_ERROR;
}

/* ---- Memberships (2.8, 2.9, 5.1)
 * ------------------------------------------------ */

/* D-SHAPE: address 0 is a wildcard whatever the mask; otherwise mask 0 or
 * all-ones means one address; any other mask is a range: 87. */
static DWORD norm(DWORD *a, DWORD *mask) {
  if (*a == 0) {
    *mask = 0;
    return NO_ERROR;
  }
  if (*mask != 0 && *mask != ALL)
    return ERROR_INVALID_PARAMETER;
  *mask = ALL;
  return NO_ERROR;
}

/* G-2 order, shape, permission, IGMP window; the interface record in *rp. */
static DWORD prologue(struct model *m, struct model_h h, DWORD *s, DWORD *sm,
                      DWORD *g, DWORD *gm, DWORD ifx, DWORD nh, int add,
                      int *pp, int *rp) {
  int p = client_of(m, h), r;

  if (p < 0)
    return ERROR_INVALID_PARAMETER;
  if (norm(s, sm) != NO_ERROR || norm(g, gm) != NO_ERROR)
    return ERROR_INVALID_PARAMETER;
  if (*s != 0 && *g == 0)
    return ERROR_INVALID_PARAMETER; /* (S,*) */
  if ((r = if_lookup(m, ifx, nh)) < 0)
    return add ? ERROR_INVALID_PARAMETER : ERROR_NOT_FOUND; /* */
  if (m->ifs[r].owner != p && m->ifs[r].igmp != p)
    return ERROR_INVALID_PARAMETER;
  if (m->ifs[r].owner != p && m->ifs[r].disabled)
    return ERROR_CAN_NOT_COMPLETE; /* D-IGMP-WINDOW */
  *pp = p;
  *rp = r;
  return NO_ERROR;
}

DWORD model_add(struct model *m, struct model_h h, DWORD s, DWORD sm, DWORD g,
                DWORD gm, DWORD ifx, DWORD nh, DWORD flags) {
  int p, r, owner, latent, i;
  DWORD rc = prologue(m, h, &s, &sm, &g, &gm, ifx, nh, 1, &p, &r);

  if (rc != NO_ERROR)
    return rc;
  if ((flags & (MGM_JOIN_STATE_FLAG | MGM_FORWARD_STATE_FLAG)) == 0)
    flags |= MGM_JOIN_STATE_FLAG; /* D-FLAGS */
  owner = m->ifs[r].owner;
  latent = owner >= 0 && owner != p;
  if (flags & MGM_JOIN_STATE_FLAG) {
    if (latent) { /* case L */
      if (mem_find(m, s, g, ifx, nh, p, 1) < 0) {
        mem_add(m, s, g, ifx, nh, p, 1);
        if (has_cb(m, owner, MODEL_CB_LOCAL_JOIN)) {
          struct model_call k;

          memset(&k, 0, sizeof(k));
          k.kind = MODEL_CB_LOCAL_JOIN;
          k.client = owner;
          k.s = s;
          k.smask = sm;
          k.g = g;
          k.gmask = gm;
          k.ifx = ifx;
          k.nh = nh;
          call(m, &k);
        }
      }
    } else { /* case E */
      join_effective(m, p, s, g, ifx, nh);
    }
  }
  if ((flags & MGM_FORWARD_STATE_FLAG) && !latent && s && g &&
      (i = mfe_find(m, s, g)) >= 0 &&
      !(m->mfe[i].iif == ifx && m->mfe[i].iifnh == nh) &&
      oif_pos(&m->mfe[i], ifx, nh) < 0) {
    oif_insert(&m->mfe[i], ifx, nh);
    if (m->mfe[i].n_oif == 1)
      mfe_filled(m, i);
  }
  return NO_ERROR;
}

DWORD model_delete(struct model *m, struct model_h h, DWORD s, DWORD sm,
                   DWORD g, DWORD gm, DWORD ifx, DWORD nh, DWORD flags) {
  int p, r, owner, latent, i;
  DWORD rc = prologue(m, h, &s, &sm, &g, &gm, ifx, nh, 0, &p, &r);

  if (rc != NO_ERROR)
    return rc;
  if ((flags & (MGM_JOIN_STATE_FLAG | MGM_FORWARD_STATE_FLAG)) == 0)
    flags |= MGM_JOIN_STATE_FLAG;
  owner = m->ifs[r].owner;
  latent = owner >= 0 && owner != p;
  if (flags & MGM_JOIN_STATE_FLAG) {
    if (latent) { /* case L */
      if ((i = mem_find(m, s, g, ifx, nh, p, 1)) >= 0) {
        mem_del(m, i);
        if (has_cb(m, owner, MODEL_CB_LOCAL_LEAVE)) {
          struct model_call k;

          memset(&k, 0, sizeof(k));
          k.kind = MODEL_CB_LOCAL_LEAVE;
          k.client = owner;
          k.s = s;
          k.smask = sm;
          k.g = g;
          k.gmask = gm;
          k.ifx = ifx;
          k.nh = nh;
          call(m, &k);
        }
      }
    } else { /* case E */
      leave_effective(m, p, s, g, ifx, nh);
    }
  }
  if ((flags & MGM_FORWARD_STATE_FLAG) && !latent && s && g &&
      (i = mfe_find(m, s, g)) >= 0 && (r = oif_pos(&m->mfe[i], ifx, nh)) >= 0) {
    oif_remove(&m->mfe[i], r);
    if (m->mfe[i].n_oif == 0)
      mfe_emptied(m, i, ifx, nh);
  }
  return NO_ERROR;
}

/* ---- MFE reads (2.10-2.15, 4.8) and MgmSetMfe (2.18)
 * ------------------------- */

static int bad_flags(int stats, DWORD flags) { /* D-STATSFLAG */
  return stats && flags != 0 && flags != MGM_MFE_STATS_0 &&
         flags != MGM_MFE_STATS_1;
}

static DWORD rec_size(int stats, DWORD flags, int n) {
  if (!stats)
    return (DWORD)SIZEOF_MIB_MFE(n);
  if (flags == MGM_MFE_STATS_1)
    return (DWORD)SIZEOF_MIB_MFE_STATS_EX(n);
  return (DWORD)SIZEOF_MIB_MFE_STATS(n);
}

/* One record.  Times: seconds in MIB_IPMCAST_MFE, hundredths in the stats
 * records (D-UNITS); up time rounds down and time left rounds up, so that
 * ulUpTime + ulExpiryTime == ulTimeOut for an MFE never re-armed;
 * a live MFE's stats expiry is never 0.  Counters come from the
 * forwarder (8.3): packet counters are left 0 here and masked by the
 * harness; the others are 0. */
static void write_rec(const struct model *m, const struct mfe *f, int stats,
                      DWORD flags, BYTE *out) {
  uint64_t age = m->now - f->created, left = f->expire - m->now;
  int i;

  if (!stats) {
    MIB_IPMCAST_MFE r;

    memset(&r, 0, sizeof(r));
    r.dwGroup = f->g;
    r.dwSource = f->s;
    r.dwSrcMask = ALL;
    r.dwUpStrmNgbr = f->up;
    r.dwInIfIndex = f->iif;
    r.dwInIfProtocol = f->inproto;
    r.dwRouteProtocol = f->rproto;
    r.dwRouteNetwork = f->rnet;
    r.dwRouteMask = f->rmask;
    r.ulUpTime = (ULONG)(age / 1000);
    r.ulExpiryTime = (ULONG)((left + 999) / 1000);
    r.ulTimeOut = f->timeout;
    r.ulNumOutIf = (ULONG)f->n_oif;
    memcpy(out, &r, SIZEOF_BASIC_MIB_MFE);
    for (i = 0; i < f->n_oif; i++) {
      MIB_IPMCAST_OIF o;

      memset(&o, 0, sizeof(o));
      o.dwOutIfIndex = f->oif[i].ifx;
      o.dwNextHopAddr = f->oif[i].nh;
      memcpy(out + SIZEOF_MIB_MFE(i), &o, sizeof(o));
    }
  } else {
    MIB_IPMCAST_MFE_STATS_EX r;
    DWORD base = flags == MGM_MFE_STATS_1 ? SIZEOF_BASIC_MIB_MFE_STATS_EX
                                          : SIZEOF_BASIC_MIB_MFE_STATS;

    memset(&r, 0, sizeof(r));
    r.dwGroup = f->g;
    r.dwSource = f->s;
    r.dwSrcMask = ALL;
    r.dwUpStrmNgbr = f->up;
    r.dwInIfIndex = f->iif;
    r.dwInIfProtocol = f->inproto;
    r.dwRouteProtocol = f->rproto;
    r.dwRouteNetwork = f->rnet;
    r.dwRouteMask = f->rmask;
    r.ulUpTime = (ULONG)(age / 10);
    r.ulExpiryTime = (ULONG)((left + 9) / 10);
    if (r.ulExpiryTime == 0)
      r.ulExpiryTime = 1;
    r.ulNumOutIf = (ULONG)f->n_oif;
    memcpy(out, &r, base);
    for (i = 0; i < f->n_oif; i++) {
      MIB_IPMCAST_OIF_STATS o;

      memset(&o, 0, sizeof(o));
      o.dwOutIfIndex = f->oif[i].ifx;
      o.dwNextHopAddr = f->oif[i].nh;
      memcpy(out + base + (size_t)i * sizeof(o), &o, sizeof(o));
    }
  }
}

DWORD model_get_mfe(struct model *m, int stats, DWORD flags,
                    const MIB_IPMCAST_MFE *key, DWORD *size, BYTE *buf) {
  DWORD need;
  int i;

  if (key == NULL || size == NULL || (buf == NULL && *size != 0) ||
      bad_flags(stats, flags))
    return ERROR_INVALID_PARAMETER;
  if ((i = mfe_find(m, key->dwSource, key->dwGroup)) < 0)
    return ERROR_NOT_FOUND; /* checked before the size */
  need = rec_size(stats, flags, m->mfe[i].n_oif);
  if (*size < need) {
    *size = need;
    return ERROR_INSUFFICIENT_BUFFER;
  }
  write_rec(m, &m->mfe[i], stats, flags, buf);
  return NO_ERROR;
}

DWORD model_enum_mfe(struct model *m, int stats, DWORD flags, int next,
                     const MIB_IPMCAST_MFE *start, DWORD *size, BYTE *buf,
                     DWORD *n) {
  DWORD used = 0, count = 0, need = 0;
  int i = 0;

  if ((next && start == NULL) || size == NULL || (buf == NULL && *size != 0) ||
      n == NULL || bad_flags(stats, flags))
    return ERROR_INVALID_PARAMETER;
  if (next) /* strict successor of (G, S) (D-ORDER) */
    while (i < m->nmfe && gs_cmp(m->mfe[i].g, m->mfe[i].s, start->dwGroup,
                                 start->dwSource) <= 0)
      i++;
  for (; i < m->nmfe; i++) { /* 4.8 rule 2 */
    need = rec_size(stats, flags, m->mfe[i].n_oif);
    if (need > *size - used)
      break;
    write_rec(m, &m->mfe[i], stats, flags, buf + used);
    used += need;
    count++;
  }
  if (count == 0 && i < m->nmfe) { /* rule 3 */
    *size = need;
    *n = 0;
    return ERROR_INSUFFICIENT_BUFFER;
  }
  *n = count; /* rules 4, 5 (D-ENUM-RC) */
  return i < m->nmfe ? ERROR_MORE_DATA : ERROR_NO_MORE_ITEMS;
}

DWORD model_set_mfe(struct model *m, struct model_h h,
                    const MIB_IPMCAST_MFE *mfe) {
  int i;

  if (mfe == NULL || client_of(m, h) < 0)
    return ERROR_INVALID_PARAMETER;
  if ((i = mfe_find(m, mfe->dwSource, mfe->dwGroup)) < 0)
    return ERROR_NOT_FOUND;
  m->mfe[i].up = mfe->dwUpStrmNgbr; /* D-SETMFE: nothing else */
  return NO_ERROR;
}

/* ---- Group enumeration (2.16, 2.17, D-GRPENUM) --------------------------- */

static int sge_cmp(const void *a, const void *b) {
  const SOURCE_GROUP_ENTRY *x = a, *y = b;

  return gs_cmp(x->dwGroupAddr, x->dwSourceAddr, y->dwGroupAddr,
                y->dwSourceAddr);
}

DWORD model_enum_start(struct model *m, struct model_h h, DWORD type,
                       struct model_h *out) {
  struct genum *e;
  int p = client_of(m, h), i, j, n = 0;

  if (out == NULL || p < 0 || (type != ANY_SOURCE && type != ALL_SOURCES))
    return ERROR_INVALID_PARAMETER;
  grow(&m->en, &m->capen, m->nen + 1, sizeof(*m->en));
  e = &m->en[m->nen];
  memset(e, 0, sizeof(*e));
  e->e = calloc((size_t)m->nmem + 1, sizeof(*e->e));
  if (e->e == NULL)
    abort();
  for (i = 0; i < m->nmem; i++) { /* effective memberships only */
    const struct member *r = &m->mem[i];
    SOURCE_GROUP_ENTRY x;
    int dup = 0;

    if (r->latent)
      continue;
    x.dwSourceAddr = type == ALL_SOURCES ? r->s : 0;
    x.dwSourceMask = type == ALL_SOURCES ? mask_of(r->s) : 0;
    x.dwGroupAddr = r->g;
    x.dwGroupMask = mask_of(r->g);
    for (j = 0; j < n; j++)
      dup |= memcmp(&e->e[j], &x, sizeof(x)) == 0;
    if (!dup)
      e->e[n++] = x;
  }
  qsort(e->e, (size_t)n, sizeof(*e->e), sge_cmp); /* port order */
  e->live = 1;
  e->owner = p;
  e->n = n;
  out->kind = MODEL_H_ENUM;
  out->id = m->nen++;
  return NO_ERROR;
}

static struct genum *enum_of(struct model *m, struct model_h h) {
  if (h.kind != MODEL_H_ENUM || h.id < 0 || h.id >= m->nen || !m->en[h.id].live)
    return NULL;
  return &m->en[h.id];
}

DWORD model_enum_next(struct model *m, struct model_h h, DWORD *size, BYTE *buf,
                      DWORD *n) {
  struct genum *e;
  DWORD fit, left;

  if (size == NULL || n == NULL || (buf == NULL && *size != 0))
    return ERROR_INVALID_PARAMETER;
  if ((e = enum_of(m, h)) == NULL)
    return ERROR_INVALID_PARAMETER;
  left = (DWORD)(e->n - e->pos);
  fit = *size / (DWORD)sizeof(SOURCE_GROUP_ENTRY);
  if (left > 0 && fit == 0) {
    *size = (DWORD)sizeof(SOURCE_GROUP_ENTRY);
    *n = 0;
    return ERROR_INSUFFICIENT_BUFFER;
  }
  if (fit > left)
    fit = left;
  if (fit)
    memcpy(buf, &e->e[e->pos], fit * sizeof(SOURCE_GROUP_ENTRY));
  e->pos += (int)fit;
  *n = fit;
  return e->pos < e->n ? ERROR_MORE_DATA : ERROR_NO_MORE_ITEMS;
}

DWORD model_enum_end(struct model *m, struct model_h h) {
  struct genum *e = enum_of(m, h);

  if (e == NULL)
    return ERROR_INVALID_PARAMETER;
  e->live = 0;
  return NO_ERROR;
}

/* ---- Introspection ------------------------------------------------------- */

int model_handle_live(const struct model *m, struct model_h h) {
  if (h.kind == MODEL_H_PROTO)
    return client_of(m, h) >= 0;
  if (h.kind == MODEL_H_ENUM)
    return h.id >= 0 && h.id < m->nen && m->en[h.id].live;
  return 0;
}

int model_owned(const struct model *m, int client, DWORD *pairs, int max) {
  int i, n = 0;

  for (i = 0; i < m->nifs; i++) {
    if (m->ifs[i].owner != client && m->ifs[i].igmp != client)
      continue;
    if (n < max) {
      pairs[2 * n] = m->ifs[i].ifx;
      pairs[2 * n + 1] = m->ifs[i].nh;
    }
    n++;
  }
  return n;
}

int model_slot(const struct model *m, DWORD ifx) {
  int i;

  for (i = 0; i < m->nifs; i++)
    if (m->ifs[i].ifx == ifx)
      return 1;
  return 0;
}

int model_latent_foreign(const struct model *m, DWORD ifx, DWORD nh) {
  int r = if_find(m, ifx, nh), i, n = 0;

  for (i = 0; i < m->nmem; i++)
    n += m->mem[i].latent && covers(m, ifx, nh, m->mem[i].ifx, m->mem[i].nh) &&
         (r < 0 || m->mem[i].client != m->ifs[r].igmp);
  return n;
}

int model_latent_count(const struct model *m, int client, DWORD ifx, DWORD nh) {
  int i, n = 0;

  for (i = 0; i < m->nmem; i++)
    n += m->mem[i].latent && (client < 0 || m->mem[i].client == client) &&
         covers(m, ifx, nh, m->mem[i].ifx, m->mem[i].nh);
  return n;
}

int model_mfe_count(const struct model *m) {
  return m->nmfe;
}

int model_member_count(const struct model *m, int client) {
  int i, n = 0;

  for (i = 0; i < m->nmem; i++)
    n += !m->mem[i].latent && m->mem[i].client == client;
  return n;
}
