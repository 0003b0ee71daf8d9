/*
 * faultloop.c - the fault-injection loop (see faultloop.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include "faultloop.h"

#include "fx_criterion.h"

#include "core/core.h" /* the fault hooks, MGM_BE_*, the default core */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FL_MAX_STEPS 192
#define FL_MAX_MFE 64
#define FL_MAX_OIF 64
#define FL_PENDING_MS 10000u /* sim's pending-entry lifetime (Linux) */

enum { FL_REC, FL_COUNT, FL_FAULT };
#define FL_OPS 7 /* enum libmgm_sim_op: any, then the six kinds */
enum { FL_ALLOC, FL_PLAT };

struct fl_rec {
  char name[96];
  unsigned flags;
  DWORD rc;
  char *state;
  struct fx_ev *cb;
  size_t ncb;
  uint64_t out;
  unsigned n_alloc, n_plat;
  unsigned n_op[FL_OPS]; /* backend operations of each kind */
};

struct fl_run {
  const char *scen;
  int mode;
  unsigned step;   /* index of the current step */
  unsigned target; /* the faulted step */
  int kind;        /* FL_ALLOC / FL_PLAT */
  int op, err;     /* FL_PLAT: op kind (enum libmgm_sim_op), MGM_BE_* */
  long k;          /* the kth allocation / operation fails */
  int fired;       /* the fault happened */
  int degraded;    /* MFEs were dropped: later states may differ */
  char *before;    /* state before the faulted step */
  uint64_t out;    /* output digest of the current step */
  unsigned flags;  /* of the current step */
  DWORD want;      /* its code without fault */
  struct fl_totals *t;
  unsigned nrec;
  struct fl_rec rec[FL_MAX_STEPS];
};

/* ---- Small helpers ------------------------------------------------------ */

struct fl_buf {
  char *p;
  size_t n, cap;
};

static void fl_printf(struct fl_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void fl_printf(struct fl_buf *b, const char *fmt, ...) {
  va_list ap;
  int w;

  for (;;) {
    size_t room = b->cap - b->n;

    va_start(ap, fmt);
    w = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? room : 0, fmt, ap);
    va_end(ap);
    cr_assert(w >= 0);
    if (b->p && (size_t)w < room) {
      b->n += (size_t)w;
      return;
    }
    b->cap = b->cap * 2 + (size_t)w + 256;
    b->p = realloc(b->p, b->cap);
    cr_assert_not_null(b->p);
  }
}

static uint64_t fl_hash(uint64_t h, const void *p, size_t n) {
  const unsigned char *c = p;
  size_t i;

  for (i = 0; i < n; i++) {
    h ^= c[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

void fl_output(struct fl_run *r, const void *p, size_t n) {
  r->out = fl_hash(r->out ? r->out : 0xcbf29ce484222325ULL, p, n);
}

static void fl_quiet_log(void *ctx, int level, const char *channel,
                         const char *message) {
  (void)ctx;
  (void)level;
  (void)channel;
  (void)message;
}

/* ---- Scenario helpers ---------------------------------------------------- */

#define FL_MAX_TAKEN 128
static struct {
  int slot;
  DWORD ifx, nh;
} fl_taken[FL_MAX_TAKEN];
static unsigned fl_ntaken;

DWORD fl_start(int wrongif) {
  struct libmgm_config c;

  libmgm_config_init(&c);
  c.backend = "sim";
  c.wrongif_alerts = wrongif;
  c.log_fn = fl_quiet_log;
  return libmgm_start(&c);
}

DWORD fl_stop(void) {
  return libmgm_stop();
}

DWORD fl_register(int slot, DWORD pid) {
  return fx_register_mask(slot, pid, 1, FX_CB_ALL);
}

DWORD fl_deregister(int slot) {
  return fx_deregister(slot);
}

DWORD fl_take(int slot, DWORD ifx, DWORD nh) {
  DWORD rc = MgmTakeInterfaceOwnership(fx_h(slot), ifx, nh);

  if (rc == NO_ERROR && fl_ntaken < FL_MAX_TAKEN) {
    fl_taken[fl_ntaken].slot = slot;
    fl_taken[fl_ntaken].ifx = ifx;
    fl_taken[fl_ntaken].nh = nh;
    fl_ntaken++;
  }
  return rc;
}

DWORD fl_inject(DWORD ifx, DWORD s, DWORD g) {
  struct libmgm_sim_result res;

  return libmgm_sim_inject(ifx, s, g, 64, 100, &res);
}

DWORD fl_advance(DWORD ms) {
  return libmgm_sim_advance(ms);
}

DWORD fl_reinject(DWORD ifx, DWORD s, DWORD g) {
  DWORD rc = libmgm_sim_advance(FL_PENDING_MS);

  return rc != NO_ERROR ? rc : fl_inject(ifx, s, g);
}

/* ---- State --------------------------------------------------------------- */

/* Every MFE through the public enumeration, times left out. */
static void fl_dump_mfes(struct fl_buf *b, DWORD *n_out) {
  static unsigned char buf[SIZEOF_MIB_MFE(FL_MAX_OIF)];
  MIB_IPMCAST_MFE last, m;
  MIB_IPMCAST_OIF o;
  DWORD size, n, rc, i, j;
  size_t off;
  int first = 1;

  *n_out = 0;
  memset(&last, 0, sizeof last);
  for (;;) {
    size = (DWORD)sizeof buf;
    n = 0;
    rc = first ? MgmGetFirstMfe(&size, buf, &n)
               : MgmGetNextMfe(&last, &size, buf, &n);
    first = 0;
    cr_assert(rc == ERROR_MORE_DATA || rc == ERROR_NO_MORE_ITEMS,
              "MgmGetFirst/NextMfe = %u", (unsigned)rc);
    for (i = 0, off = 0; i < n; i++) {
      memcpy(&m, buf + off, SIZEOF_BASIC_MIB_MFE);
      cr_assert(m.ulNumOutIf <= FL_MAX_OIF);
      fl_printf(b,
                "mfe %08x %08x up %08x iif %u proto %u route %u %08x/%08x "
                "tmo %u oif",
                (unsigned)m.dwSource, (unsigned)m.dwGroup,
                (unsigned)m.dwUpStrmNgbr, (unsigned)m.dwInIfIndex,
                (unsigned)m.dwInIfProtocol, (unsigned)m.dwRouteProtocol,
                (unsigned)m.dwRouteNetwork, (unsigned)m.dwRouteMask,
                (unsigned)m.ulTimeOut);
      for (j = 0; j < m.ulNumOutIf; j++) {
        memcpy(&o, buf + off + SIZEOF_MIB_MFE(j), sizeof o);
        fl_printf(b, " %u/%08x", (unsigned)o.dwOutIfIndex,
                  (unsigned)o.dwNextHopAddr);
      }
      fl_printf(b, "\n");
      off += SIZEOF_MIB_MFE(m.ulNumOutIf);
      last = m;
      (*n_out)++;
    }
    if (rc == ERROR_NO_MORE_ITEMS)
      break;
    cr_assert(n > 0, "ERROR_MORE_DATA with no record");
  }
}

static int fl_running(void) {
  return atomic_load(&mgm__core_default()->state) == MGM_RUNNING;
}

/* MFEs deleted whose forwarder entry MGM still has to delete (mfe.c). */
static int fl_zombies(void) {
  struct mgm_core *c = mgm__core_default();
  int z;

  if (!fl_running())
    return 0;
  mgm__lock(c);
  z = c->zombies != NULL;
  mgm__unlock(c);
  return z;
}

/* The forwarder's entry of (S,G) (the caller holds the core lock): its
 * incoming interface and outgoing ones (*n of them, the first FL_MAX_OIF
 * in oif); 0 or MGM_BE_ENOENT.  Read through the backend's control op,
 * which no fault of the loops fails. */
_Static_assert(FL_MAX_OIF <= MGM_SIM_MAX_OUT, "FL_MAX_OIF beyond the sim's");
static int fl_entry_get(struct mgm_core *c, uint32_t src, uint32_t grp,
                        uint32_t *iif, uint32_t *oif, uint32_t *n) {
  struct mgm_ctl_sim_entry e;
  int rc;

  memset(&e, 0, sizeof e);
  e.src = src;
  e.grp = grp;
  rc = mgm__be_control(c, MGM_CTL_SIM_ENTRY_GET, &e, sizeof e);
  if (rc == 0) {
    *iif = e.iif;
    *n = e.n_oif;
    memcpy(oif, e.oif, FL_MAX_OIF * sizeof(*oif));
  }
  return rc;
}

/* MGM's view as text; "stopped" when libmgm is not running (no API call
 * then: it would auto-start). */
static char *fl_state(void) {
  struct libmgm_snapshot *s = NULL;
  struct fl_buf b = {NULL, 0, 0};
  DWORD rc, i, n_mfe = 0;

  if (!fl_running()) {
    fl_printf(&b, "stopped\n");
    return b.p;
  }
  rc = libmgm_snapshot_take(&s);
  cr_assert_eq(rc, NO_ERROR, "libmgm_snapshot_take = %u", (unsigned)rc);
  fl_printf(&b, "running on %s\n", s->backend);
  for (i = 0; i < s->n_protos; i++)
    fl_printf(&b, "proto %u/%u igmp %d ifs %u\n",
              (unsigned)s->protos[i].protocol_id,
              (unsigned)s->protos[i].component_id, s->protos[i].igmp,
              (unsigned)s->protos[i].interfaces);
  for (i = 0; i < s->n_ifs; i++) {
    const struct libmgm_if_info *f = &s->ifs[i];

    fl_printf(&b, "if %u/%08x owner %d %u igmp %d %u attached %d\n",
              (unsigned)f->ifindex, (unsigned)f->nexthop, f->has_owner,
              (unsigned)f->owner_protocol, f->has_igmp,
              (unsigned)f->igmp_protocol, f->attached);
  }
  for (i = 0; i < s->n_members; i++) {
    const struct libmgm_member_info *m = &s->members[i];

    fl_printf(&b, "member %08x/%08x %08x/%08x if %u/%08x by %u latent %d\n",
              (unsigned)m->sg.dwSourceAddr, (unsigned)m->sg.dwSourceMask,
              (unsigned)m->sg.dwGroupAddr, (unsigned)m->sg.dwGroupMask,
              (unsigned)m->ifindex, (unsigned)m->nexthop,
              (unsigned)m->protocol_id, m->latent);
  }
  libmgm_snapshot_free(s);
  fl_dump_mfes(&b, &n_mfe);
  /* The kernel's entries and slots are fl_kernel_mismatch's: MGM may keep
   * a slot or an entry the kernel would not release, and knows it. */
  return b.p;
}

/* The forwarder holds what MGM's MFE table says (read from the sim under
 * the core lock, so nothing is injected): for each MFE whose incoming
 * interface has a slot, an entry with that iif and the MFE's outgoing
 * ifindexes that have slots, once each, without the iif; for an MFE
 * without one, at most a negative entry; no other entry but those of MFEs
 * whose deletion the forwarder refused, which MGM keeps retrying; and as
 * many slots as MGM holds.  Returns NULL
 * or a description of the difference. */
static char *fl_kernel_mismatch(void) {
  static unsigned char buf[SIZEOF_MIB_MFE(FL_MAX_OIF)];
  static MIB_IPMCAST_MFE all[FL_MAX_MFE];
  static DWORD oifs[FL_MAX_MFE][FL_MAX_OIF];
  DWORD attached[256];
  uint32_t kiif = 0, koif[FL_MAX_OIF], kn = 0;
  struct mgm_core *c = mgm__core_default();
  struct libmgm_snapshot *s = NULL;
  MIB_IPMCAST_MFE last;
  MIB_IPMCAST_OIF o;
  struct fl_buf b = {NULL, 0, 0};
  DWORD size, n, rc, i, j, cnt = 0, ent = 0, slots = 0, found = 0, nat = 0;
  DWORD nslot;
  struct mgm_hnode *it;
  const struct mgm_mfe *z;
  size_t off;
  int first = 1;

  if (!fl_running())
    return NULL;
  cr_assert_eq(libmgm_snapshot_take(&s), NO_ERROR);
  for (i = 0; i < s->n_ifs && nat < 256; i++)
    if (s->ifs[i].attached)
      attached[nat++] = s->ifs[i].ifindex;
  libmgm_snapshot_free(s);
  memset(&last, 0, sizeof last);
  for (;;) {
    size = (DWORD)sizeof buf;
    n = 0;
    rc = first ? MgmGetFirstMfe(&size, buf, &n)
               : MgmGetNextMfe(&last, &size, buf, &n);
    first = 0;
    cr_assert(rc == ERROR_MORE_DATA || rc == ERROR_NO_MORE_ITEMS);
    for (i = 0, off = 0; i < n; i++) {
      cr_assert(cnt < FL_MAX_MFE);
      memcpy(&all[cnt], buf + off, SIZEOF_BASIC_MIB_MFE);
      for (j = 0; j < all[cnt].ulNumOutIf; j++) {
        memcpy(&o, buf + off + SIZEOF_MIB_MFE(j), sizeof o);
        oifs[cnt][j] = o.dwOutIfIndex;
      }
      off += SIZEOF_MIB_MFE(all[cnt].ulNumOutIf);
      last = all[cnt];
      cnt++;
    }
    if (rc == ERROR_NO_MORE_ITEMS)
      break;
  }
  cr_assert_eq(libmgm_sim_kernel_count(&ent, &slots), NO_ERROR);
  mgm__lock(c);
  for (i = 0; i < cnt; i++) {
    DWORD want[FL_MAX_OIF], nw = 0, a;
    int iif_ok = 0, ok;

    if (fl_entry_get(c, all[i].dwSource, all[i].dwGroup, &kiif, koif, &kn) != 0)
      kn = UINT32_MAX;
    else
      found++;
    for (a = 0; a < nat; a++)
      iif_ok |= attached[a] == all[i].dwInIfIndex;
    for (j = 0; j < all[i].ulNumOutIf; j++) {
      int att = 0;

      for (a = 0; a < nat; a++)
        att |= attached[a] == oifs[i][j];
      if (att && oifs[i][j] != all[i].dwInIfIndex &&
          (nw == 0 || want[nw - 1] != oifs[i][j]))
        want[nw++] = oifs[i][j];
    }
    if (!iif_ok) {
      ok = kn == UINT32_MAX || kn == 0;
    } else {
      ok = kn != UINT32_MAX && kiif == all[i].dwInIfIndex && kn == nw;
      for (j = 0; ok && j < nw; j++)
        ok = koif[j] == want[j];
    }
    if (!ok) {
      fl_printf(&b, "MFE (%08x,%08x) iif %u oifs", (unsigned)all[i].dwSource,
                (unsigned)all[i].dwGroup, (unsigned)all[i].dwInIfIndex);
      for (j = 0; j < nw; j++)
        fl_printf(&b, " %u", (unsigned)want[j]);
      if (kn == UINT32_MAX) {
        fl_printf(&b, ": no kernel entry; ");
      } else {
        fl_printf(&b, ": kernel iif %u oifs", (unsigned)kiif);
        for (j = 0; j < kn && j < FL_MAX_OIF; j++)
          fl_printf(&b, " %u", (unsigned)koif[j]);
        fl_printf(&b, "; ");
      }
    }
  }
  for (it = NULL, nslot = 0; (it = mgm__hash_next(&c->slots, it)) != NULL;)
    nslot += ((const struct mgm_slot *)it)->attached != 0;
  /* entries of deleted MFEs the forwarder kept: MGM retries (mfe.c) */
  for (z = c->zombies; z; z = z->zombie_next) {
    if (mgm__mfe_find(c, z->src, z->grp) == NULL &&
        fl_entry_get(c, z->src, z->grp, &kiif, koif, &kn) == 0)
      found++;
  }
  mgm__unlock(c);
  if (nslot != slots)
    fl_printf(&b, "the kernel has %u slots, MGM knows of %u; ", (unsigned)slots,
              (unsigned)nslot);
  if (ent != found)
    fl_printf(&b, "the kernel holds %u entries, %u of them for MGM's %u MFEs",
              (unsigned)ent, (unsigned)found, (unsigned)cnt);
  return b.p;
}

/* ---- Callbacks ----------------------------------------------------------- */

static struct fx_ev *fl_take_log(size_t *n) {
  size_t i, len = fx_log_len();
  struct fx_ev *v = calloc(len ? len : 1, sizeof(*v));

  cr_assert_not_null(v);
  for (i = 0; i < len; i++) {
    v[i] = fx_log_at(i);
    v[i].hooked = 0;
    v[i].hook_rc = 0;
  }
  fx_log_clear();
  *n = len;
  return v;
}

static void fl_fmt_ev(struct fl_buf *b, const struct fx_ev *e) {
  static const char *const names[] = {"?",       "RPF",     "CREATE", "PRUNE",
                                      "JOIN",    "WRONGIF", "LJOIN",  "LLEAVE",
                                      "DISABLE", "ENABLE"};
  DWORD i;

  fl_printf(b,
            "  c%d %s s=%08x/%08x g=%08x/%08x if=%u nh=%08x up=%08x "
            "flag=%d tmo=%u thr=%d hdr=%u",
            e->client, e->kind >= 0 && e->kind <= 9 ? names[e->kind] : "?",
            (unsigned)e->src, (unsigned)e->smask, (unsigned)e->grp,
            (unsigned)e->gmask, (unsigned)e->ifindex, (unsigned)e->nexthop,
            (unsigned)e->upstream, e->flag, (unsigned)e->timeout, e->thread,
            (unsigned)e->hdr_size);
  for (i = 0; e->kind == FX_CREATE && i < e->count && i < FX_MAX_IFS; i++)
    fl_printf(b, " (%u,%08x,igmp=%d,en=%d)", (unsigned)e->ifs[i].dwIfIndex,
              (unsigned)e->ifs[i].dwIfNextHopAddr, e->ifs[i].bIGMP,
              e->ifs[i].bIsEnabled);
  fl_printf(b, "\n");
}

static int fl_cb_equal(const struct fx_ev *a, size_t na, const struct fx_ev *b,
                       size_t nb) {
  return na == nb && (na == 0 || memcmp(a, b, na * sizeof(*a)) == 0);
}

/* got is want, except that wrong-interface alerts may be missing: they are
 * best effort, like the kernel's upcall (kernel.md G.1, D-WRONGIF). */
static int fl_cb_equal_but_wrongif(const struct fx_ev *want, size_t nw,
                                   const struct fx_ev *got, size_t ng) {
  size_t i = 0, j = 0;

  while (i < nw || j < ng) {
    if (i < nw && j < ng && memcmp(&want[i], &got[j], sizeof(*got)) == 0) {
      i++;
      j++;
    } else if (i < nw && want[i].kind == FX_WRONGIF) {
      i++;
    } else {
      return 0;
    }
  }
  return 1;
}

static char *fl_cb_diff(const struct fx_ev *want, size_t nw,
                        const struct fx_ev *got, size_t ng) {
  struct fl_buf b = {NULL, 0, 0};
  size_t i;

  fl_printf(&b, "callbacks without fault (%zu):\n", nw);
  for (i = 0; i < nw; i++)
    fl_fmt_ev(&b, &want[i]);
  fl_printf(&b, "callbacks with the fault (%zu):\n", ng);
  for (i = 0; i < ng; i++)
    fl_fmt_ev(&b, &got[i]);
  return b.p;
}

/* ---- The loop
 * ----------------------------------------------------------------- */

static void fl_where(struct fl_run *r, char *buf, size_t cap) {
  static const char *const ops[] = {"any",     "if_attach", "if_detach",
                                    "mfe_set", "mfe_del",   "mfe_stats",
                                    "route"};

  if (r->kind == FL_ALLOC)
    snprintf(buf, cap, "%s: step %u '%s', allocation %ld fails", r->scen,
             r->target, r->rec[r->target].name, r->k);
  else
    snprintf(buf, cap, "%s: step %u '%s', backend op %s #%ld fails with %d",
             r->scen, r->target, r->rec[r->target].name, ops[r->op], r->k,
             r->err);
}

static const char *fl_prev_state(struct fl_run *r, unsigned i) {
  return i == 0 ? r->rec[FL_MAX_STEPS - 1].state : r->rec[i - 1].state;
}

static void fl_check_kernel(struct fl_run *r, const char *what) {
  char *bad = fl_kernel_mismatch();
  char where[256];

  if (bad != NULL) {
    fl_where(r, where, sizeof where);
    cr_assert_fail("%s: %s: forwarder differs from MGM: %s", where, what, bad);
  }
}

int fl_step_begin(struct fl_run *r, const char *name, unsigned flags,
                  DWORD want) {
  unsigned i = r->step;

  cr_assert(i < FL_MAX_STEPS - 1, "too many steps");
  r->out = 0;
  r->flags = flags;
  r->want = want;
  fx_log_clear();
  if (r->mode == FL_REC) {
    snprintf(r->rec[i].name, sizeof r->rec[i].name, "%s", name);
    r->rec[i].flags = flags;
    mgm__fault_alloc(0);
    mgm__be_fault(LIBMGM_SIM_OP_ANY, 0, 0);
    return 0;
  }
  if (r->mode == FL_COUNT) {
    mgm__be_fault(r->op, 0, 0);
    return 0;
  }
  if (i != r->target)
    return 0;
  r->before = fl_state();
  cr_assert(strcmp(r->before, fl_prev_state(r, i)) == 0,
            "%s: step %u '%s': the run diverged before the fault", r->scen, i,
            name);
  r->fired = 0;
  if (r->kind == FL_ALLOC)
    mgm__fault_alloc(r->k);
  else
    mgm__be_fault(r->op, r->k, r->err);
  return 1;
}

/* A step that ran without fault: record it, or compare with the record. */
void fl_step_plain(struct fl_run *r, DWORD rc) {
  struct fl_rec *x = &r->rec[r->step];
  struct fx_ev *cb;
  size_t ncb;
  char *st, where[256];

  if (r->mode == FL_REC) {
    x->n_alloc = (unsigned)mgm__fault_alloc(-1);
    x->n_plat = (unsigned)mgm__be_fault(LIBMGM_SIM_OP_ANY, -1, 0);
    cr_assert_eq(rc, r->want,
                 "%s: step %u '%s' returned %u without fault, "
                 "not %u",
                 r->scen, r->step, x->name, (unsigned)rc, (unsigned)r->want);
    x->rc = rc;
    x->out = r->out;
    x->cb = fl_take_log(&x->ncb);
    x->state = fl_state();
    fl_check_kernel(r, x->name);
    r->nrec = ++r->step;
    return;
  }
  if (r->mode == FL_COUNT) {
    x->n_op[r->op] = (unsigned)mgm__be_fault(LIBMGM_SIM_OP_ANY, -1, 0);
    cr_assert_eq(rc, x->rc, "%s: step %u '%s' returned %u, then %u", r->scen,
                 r->step, x->name, (unsigned)x->rc, (unsigned)rc);
    free(fl_take_log(&ncb));
    r->step++;
    return;
  }
  cb = fl_take_log(&ncb);
  if (r->step > r->target && r->degraded) {
    fl_where(r, where, sizeof where);
    cr_assert_eq(rc, x->rc,
                 "%s: later step %u '%s' returned %u, not %u "
                 "(after MFEs were dropped)",
                 where, r->step, x->name, (unsigned)rc, (unsigned)x->rc);
    fl_check_kernel(r, x->name);
  } else if (r->step > r->target) {
    fl_where(r, where, sizeof where);
    cr_assert_eq(rc, x->rc, "%s: later step %u '%s' returned %u, not %u", where,
                 r->step, x->name, (unsigned)rc, (unsigned)x->rc);
    cr_assert(fl_cb_equal(x->cb, x->ncb, cb, ncb), "%s: later step %u '%s': %s",
              where, r->step, x->name, fl_cb_diff(x->cb, x->ncb, cb, ncb));
    cr_assert(r->out == x->out, "%s: later step %u '%s': output differs", where,
              r->step, x->name);
    st = fl_state();
    cr_assert(strcmp(st, x->state) == 0,
              "%s: later step %u '%s': state differs:\n%s\nwanted:\n%s", where,
              r->step, x->name, st, x->state);
    free(st);
    fl_check_kernel(r, x->name);
  } else {
    cr_assert_eq(rc, x->rc,
                 "%s: step %u '%s' returned %u, not %u (before "
                 "the fault)",
                 r->scen, r->step, x->name, (unsigned)rc, (unsigned)x->rc);
  }
  free(cb);
  r->step++;
}

/* st is want with some MFEs missing:
 * "MFEs dropped", the committed state of a change that cannot be refused
 * when the forwarder fails (release, purge); the next packet rebuilds them.
 * Everything else equal, line by line. */
static int fl_mfes_dropped(const char *st, const char *want) {
  const char *a = st, *b = want;
  int dropped = 0;

  while (*a || *b) {
    size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");

    if (la == lb && memcmp(a, b, la) == 0) {
      a += la + (a[la] != 0);
      b += lb + (b[lb] != 0);
    } else if (strncmp(b, "mfe ", 4) == 0) {
      b += lb + (b[lb] != 0);
      dropped = 1;
    } else {
      return 0;
    }
  }
  return dropped;
}

static int fl_documented(unsigned flags, DWORD rc) {
  return rc == ERROR_CAN_NOT_COMPLETE ||
         (rc == ERROR_NOT_ENOUGH_MEMORY && !(flags & F_NO_8));
}

int fl_step_after(struct fl_run *r, DWORD rc) {
  struct fl_rec *x = &r->rec[r->step];
  unsigned long seen;
  struct fx_ev *cb;
  size_t ncb;
  char *st, where[256];
  int retry = 0;

  if (r->kind == FL_ALLOC)
    seen = mgm__fault_alloc(-1);
  else
    seen = mgm__be_fault(LIBMGM_SIM_OP_ANY, -1, 0);
  r->fired = seen >= (unsigned long)r->k;
  fl_where(r, where, sizeof where);
  cb = fl_take_log(&ncb);
  st = fl_state();
  fl_check_kernel(r, "the faulted step");
  if (!r->fired) {
    /* past the last point of this kind: an ordinary run */
    cr_assert_eq(rc, x->rc);
    cr_assert(strcmp(st, x->state) == 0);
  } else if (strcmp(st, x->state) == 0 && rc == x->rc) {
    /* absorbed: the same effect, the same callbacks, the same output */
    cr_assert(r->out == x->out, "%s: succeeded with a different output", where);
    cr_assert(fl_cb_equal_but_wrongif(x->cb, x->ncb, cb, ncb),
              "%s: succeeded, but %s", where,
              fl_cb_diff(x->cb, x->ncb, cb, ncb));
    r->t->absorbed++;
  } else if (strcmp(st, r->before) == 0) {
    if (rc == x->rc) {
      cr_assert(r->flags & F_ABSORB,
                "%s: returned %u (success) but changed nothing", where,
                (unsigned)rc);
      r->t->dropped++;
    } else {
      cr_assert(fl_documented(r->flags, rc),
                "%s: returned %u, not a documented failure code (no fault: "
                "%u)",
                where, (unsigned)rc, (unsigned)x->rc);
      cr_assert(ncb == 0 || (r->flags & F_ABSORB),
                "%s: failed with %u but delivered callbacks: %s", where,
                (unsigned)rc, fl_cb_diff(x->cb, x->ncb, cb, ncb));
      r->t->refused++;
    }
    retry = 1;
  } else if (rc == x->rc && fl_mfes_dropped(st, x->state)) {
    /* committed, with MFEs the forwarder could not reprogram deleted;
     * later steps may see fewer MFEs, so only their codes and the
     * forwarder's consistency are checked from here on */
    r->degraded = 1;
    r->t->mfes_dropped++;
  } else if (strcmp(st, x->state) == 0) {
    cr_assert_fail("%s: returned %u (no fault: %u) but made the change", where,
                   (unsigned)rc, (unsigned)x->rc);
  } else {
    cr_assert_fail("%s: returned %u (no fault: %u); inconsistent state:\n%s"
                   "\nbefore:\n%s\nafter without fault:\n%s",
                   where, (unsigned)rc, (unsigned)x->rc, st, r->before,
                   x->state);
  }
  if (fl_zombies()) {
    /* MGM retries deleting the forwarder entries it could not delete a
     * second later: let that second pass, then they must be gone */
    cr_assert_eq(libmgm_sim_advance(1000), NO_ERROR);
    fx_log_clear();
    cr_assert(!fl_zombies(),
              "%s: the forwarder still holds entries of "
              "deleted MFEs a second later",
              where);
    fl_check_kernel(r, "a second after the faulted step");
    r->t->deferred++;
  }
  if (getenv("FAULT_VERBOSE"))
    fprintf(stderr, "%s: %s -> %u\n", where,
            !r->fired ? "not reached"
            : retry   ? (rc == x->rc ? "dropped, redone" : "refused, retried")
            : r->degraded ? "committed without some MFEs"
                          : "absorbed",
            (unsigned)rc);
  free(st);
  free(cb);
  free(r->before);
  r->before = NULL;
  r->out = 0; /* the retry's output is compared afresh */
  if (!retry)
    r->step++;
  return retry;
}

void fl_step_retried(struct fl_run *r, DWORD rc) {
  struct fl_rec *x = &r->rec[r->step];
  struct fx_ev *cb;
  size_t ncb;
  char *st, where[256];

  fl_where(r, where, sizeof where);
  cb = fl_take_log(&ncb);
  cr_assert_eq(rc, x->rc, "%s: the retry returned %u, not %u", where,
               (unsigned)rc, (unsigned)x->rc);
  cr_assert(r->out == x->out, "%s: the retry's output differs", where);
  cr_assert(fl_cb_equal(x->cb, x->ncb, cb, ncb), "%s: retry: %s", where,
            fl_cb_diff(x->cb, x->ncb, cb, ncb));
  st = fl_state();
  cr_assert(strcmp(st, x->state) == 0,
            "%s: state after the retry:\n%s\nwanted:\n%s", where, st, x->state);
  free(st);
  free(cb);
  fl_check_kernel(r, "the retry");
  r->step++;
}

/* ---- Runs
 * ---------------------------------------------------------------------- */

static void fl_cleanup(void) {
  unsigned i;

  /* p2mp links first (fx_teardown releases (i, 0) only), then the rest */
  for (i = fl_ntaken; i-- > 0;)
    (void)MgmReleaseInterfaceOwnership(fx_h(fl_taken[i].slot), fl_taken[i].ifx,
                                       fl_taken[i].nh);
  fl_ntaken = 0;
  if (!fl_running())
    (void)fl_start(0); /* fx_teardown stops it */
  fx_teardown();
}

static void fl_run_once(struct fl_run *r, fl_scenario_fn fn) {
  r->step = 0;
  r->degraded = 0;
  fl_ntaken = 0;
  fx_setup();
  if (r->mode == FL_REC)
    r->rec[FL_MAX_STEPS - 1].state = fl_state();
  fn(r);
  cr_assert_eq(r->step, r->nrec, "%s: the run took %u steps, not %u", r->scen,
               r->step, r->nrec);
  fl_cleanup();
}

static struct fl_run *fl_record(const char *scen, fl_scenario_fn fn,
                                struct fl_totals *t, int by_kind) {
  struct fl_run *r = calloc(1, sizeof(*r));
  unsigned i;
  int op;

  cr_assert_not_null(r);
  memset(t, 0, sizeof(*t));
  r->scen = scen;
  r->t = t;
  r->mode = FL_REC;
  r->nrec = 0;
  fl_run_once(r, fn);
  t->steps = r->nrec;
  for (i = 0; i < r->nrec; i++) {
    t->alloc_points += r->rec[i].n_alloc;
    t->plat_points += r->rec[i].n_plat;
  }
  /* the operations of each kind, step by step */
  r->mode = FL_COUNT;
  for (r->op = 1; by_kind && r->op < FL_OPS; r->op++)
    fl_run_once(r, fn);
  for (i = 0; by_kind && i < r->nrec; i++) {
    unsigned sum = 0;

    for (op = 1; op < FL_OPS; op++)
      sum += r->rec[i].n_op[op];
    cr_assert_eq(sum, r->rec[i].n_plat,
                 "%s: step %u: %u operations by kind, %u in all", scen, i, sum,
                 r->rec[i].n_plat);
  }
  r->mode = FL_FAULT;
  return r;
}

static void fl_free(struct fl_run *r) {
  unsigned i;

  for (i = 0; i < FL_MAX_STEPS; i++) {
    free(r->rec[i].state);
    free(r->rec[i].cb);
  }
  free(r);
}

static void fl_report(const char *what, const struct fl_totals *t) {
  fprintf(stderr,
          "fault: %s: %u steps, %u allocation points, %u backend-op points; "
          "%u faulted runs: %u absorbed, %u refused with a documented code, "
          "%u dropped and redone, %u committed without some MFEs; "
          "%u forwarder deletions redone a second later\n",
          what, t->steps, t->alloc_points, t->plat_points, t->runs, t->absorbed,
          t->refused, t->dropped, t->mfes_dropped, t->deferred);
}

void fl_loop_alloc(const char *scen, fl_scenario_fn fn, struct fl_totals *t) {
  struct fl_run *r = fl_record(scen, fn, t, 0);
  unsigned i;
  long k;

  r->kind = FL_ALLOC;
  for (i = 0; i < r->nrec; i++) {
    for (k = 1; k <= (long)r->rec[i].n_alloc; k++) {
      r->target = i;
      r->k = k;
      fl_run_once(r, fn);
      cr_assert(r->fired, "%s: step %u: allocation %ld did not happen", scen, i,
                k);
      t->runs++;
    }
  }
  fl_report(scen, t);
  fl_free(r);
}

void fl_loop_plat(const char *scen, fl_scenario_fn fn, struct fl_totals *t) {
  /* The errors each kind of operation can return (kernel.md G.1). */
  static const struct {
    int op;
    int err[3];
  } kinds[] = {
      {LIBMGM_SIM_OP_IF_ATTACH, {MGM_BE_ENOMEM, MGM_BE_ENOSLOT, MGM_BE_EIO}},
      {LIBMGM_SIM_OP_IF_DETACH, {MGM_BE_EIO, 0, 0}},
      {LIBMGM_SIM_OP_MFE_SET, {MGM_BE_ENOMEM, MGM_BE_EIO, 0}},
      {LIBMGM_SIM_OP_MFE_DEL, {MGM_BE_EIO, 0, 0}},
      {LIBMGM_SIM_OP_MFE_STATS, {MGM_BE_EIO, 0, 0}},
      {LIBMGM_SIM_OP_ROUTE, {MGM_BE_EIO, 0, 0}},
  };
  struct fl_run *r = fl_record(scen, fn, t, 1);
  unsigned i, j, e, points = 0;
  long k;

  r->kind = FL_PLAT;
  for (i = 0; i < r->nrec; i++) {
    for (j = 0; j < sizeof kinds / sizeof kinds[0]; j++) {
      for (k = 1; k <= (long)r->rec[i].n_op[kinds[j].op]; k++) {
        for (e = 0; e < 3 && kinds[j].err[e]; e++) {
          r->target = i;
          r->op = kinds[j].op;
          r->err = kinds[j].err[e];
          r->k = k;
          fl_run_once(r, fn);
          cr_assert(r->fired, "%s: step %u: operation %ld did not happen", scen,
                    i, k);
          t->runs++;
        }
        points++;
      }
    }
  }
  cr_assert_eq(points, t->plat_points,
               "%s: %u backend operations faulted, %u counted", scen, points,
               t->plat_points);
  fl_report(scen, t);
  fl_free(r);
}
