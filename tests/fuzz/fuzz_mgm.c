/*
 * fuzz_mgm.c - libFuzzer harness: differential testing of libmgm (sim
 * backend) against the reference model in tests/model.
 *
 * SPDX-License-Identifier: MIT
 *
 * Each input is decoded into a sequence of operations - registrations
 * and deregistrations (IGMP ids among them), ownership changes on a small
 * set of interfaces and next hops, membership adds and deletes with every
 * flag combination and address shape (illegal masks, (S,*), wildcards),
 * MFE and group enumerations with odd buffer sizes and NULL pointers,
 * MgmSetMfe, packets injected into the simulated forwarder, clock
 * advances, route changes, stale, foreign and wrong-kind handles.  Every
 * operation runs against libmgm and against the model; return codes,
 * output parameters, output buffers (every byte, canaries included), the
 * callback sequence (kind, client, every argument, order) and the MFE
 * table must agree, or the harness prints the difference and traps.
 *
 * Callbacks carry no context pointer, so each of NSLOT client slots has
 * its own generated set of callback functions; a slot maps to the model's
 * client id.  Callbacks with outputs follow one deterministic policy
 * (policy() below) on both sides: RPF changes, creation-alert vetoes,
 * prune timeouts, and IGMP probes made from inside the disable/enable
 * callbacks.  Each input starts libmgm and ends with a full cleanup and
 * libmgm_stop, so no state leaks between inputs.
 *
 * Environment: MGM_FUZZ_VERBOSE=1 prints every operation (2: and libmgm's
 * trace log);
 * MGM_FUZZ_ANCHORED=1 forces the anchored mode (see README.md) for every
 * input, which keeps clear of the known forwarder-slot divergences;
 * MGM_FUZZ_TOLERATE=id,id... masks known libmgm deviations (ids in
 * README.md) so that a long run can look past them.  Nothing is tolerated
 * by default.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <iprtrmib.h>
#include <mgm.h>
#include <libmgm.h>
#include <routprot.h>

#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define NSLOT 8         /* clients with their own callback set */
#define MAX_OPS 256     /* operations per input */
#define MAX_REGS 48     /* registrations per input */
#define MAX_HANDLES 256 /* handles remembered per input */
#define BUF_SIZE 8192   /* enumeration buffer */
#define BIG_SIZE 65536  /* whole-table reads */
#define ANCHOR_PID 0x7F0000AAu
#define OBSERVER_PID 0x7F0000BBu

/* Known libmgm deviations that MGM_FUZZ_TOLERATE can mask. */
enum {
  TOL_NEGMFE = 1 << 0, /* ulNegativeMfe written as a 0/1 flag (spec 8.3) */
  TOL_OIFORDER =
      1 << 1,           /* next hops ordered as raw DWORDs (1.3, D-ORDER-OIF) */
  TOL_SLOTS = 1 << 2,   /* forwarder-slot interplay (2.4, 2.5): anchored only */
  TOL_ORPHANS = 1 << 3, /* leftover memberships change owner (2.0, 2.3) */
  TOL_LATENT = 1 << 4,  /* latent joins via the (i, 0) fallback (2.5 gap) */
  TOL_SOLEIGMP = 1 << 5 /* sole-IGMP release drops latent joins (2.5) */
};
static unsigned g_tolerate;
static const char *const TOL_NAMES[] = {"negmfe",  "oiforder",   "slots",
                                        "orphans", "latentp2mp", "soleigmp"};

/* ---- Address sets -------------------------------------------------------- */

static DWORD ip(unsigned a, unsigned b, unsigned c, unsigned d) {
  DWORD v;
  BYTE *p = (BYTE *)&v;

  p[0] = (BYTE)a;
  p[1] = (BYTE)b;
  p[2] = (BYTE)c;
  p[3] = (BYTE)d;
  return v;
}

static DWORD NH1, NH2, NH_ANCHOR;
static DWORD SRC[8], GRP[8], WEIRD_MASK[4];
static const DWORD IFX[8] = {1, 2, 3, 4, 5, 6, 1, 2};

struct route_def {
  DWORD net, mask, ifx, up, proto;
};
static struct route_def ROUTES[6];
#define N_ROUTES 6

static void init_sets(void) {
  /* Next hops whose numeric order differs from their address order. */
  NH1 = ip(10, 0, 0, 2);
  /* Raw order and address order of NH1, NH2 differ, unless tolerated. */
  NH2 = (g_tolerate & TOL_OIFORDER) ? ip(10, 0, 0, 3) : ip(192, 168, 0, 1);
  NH_ANCHOR = ip(127, 77, 77, 77);
  SRC[0] = 0;
  SRC[1] = ip(10, 1, 0, 5);    /* R0 -> if 1 */
  SRC[2] = ip(10, 2, 0, 7);    /* R1 -> if 2 */
  SRC[3] = ip(10, 3, 3, 3);    /* R3 (more specific) -> if 4 */
  SRC[4] = ip(10, 3, 1, 1);    /* R2 -> if 3 */
  SRC[5] = ip(10, 9, 0, 1);    /* R4 */
  SRC[6] = ip(192, 168, 7, 7); /* only the default route R5 */
  SRC[7] = ip(10, 1, 0, 6);    /* shares R0 with SRC[1] */
  GRP[0] = 0;
  GRP[1] = ip(239, 1, 1, 1);
  GRP[2] = ip(239, 1, 1, 2);
  GRP[3] = ip(224, 1, 2, 3);
  GRP[4] = ip(232, 0, 0, 1);
  GRP[5] = ip(224, 0, 0, 5); /* link-local: never routed */
  GRP[6] = ip(10, 0, 0, 1);  /* not class D: memberships only */
  GRP[7] = ip(239, 255, 255, 255);
  WEIRD_MASK[0] = ip(255, 255, 255, 0);
  WEIRD_MASK[1] = ip(0, 255, 255, 255);
  WEIRD_MASK[2] = ip(128, 0, 0, 0);
  WEIRD_MASK[3] = ip(255, 255, 255, 254);
}

static void init_routes(int anchored) {
  struct route_def r[N_ROUTES] = {
      {ip(10, 1, 0, 0), ip(255, 255, 0, 0), 1, ip(10, 1, 0, 254), 8},
      {ip(10, 2, 0, 0), ip(255, 255, 0, 0), 2, 0, 13},
      {ip(10, 3, 0, 0), ip(255, 255, 0, 0), 3, ip(10, 3, 0, 1), 8},
      {ip(10, 3, 3, 0), ip(255, 255, 255, 0), 4, ip(10, 3, 3, 254), 14},
      {ip(10, 9, 0, 0), ip(255, 255, 0, 0), anchored ? 6u : 9u, 0, 2},
      {0, 0, 5, ip(10, 255, 0, 1), 10006}};

  memcpy(ROUTES, r, sizeof(r));
}

/* ---- Failure reporting
 * ------------------------------------------------------- */

static int g_verbose;
static int g_force_anchored;

static int g_op;           /* index of the current operation */
static char g_opdesc[256]; /* what it is */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
  va_list ap;

  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
}

static void fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...) {
  va_list ap;

  fprintf(stderr, "\n=== MGM DIFFERENCE at op %d: %s\n", g_op, g_opdesc);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr,
          "\n(re-run with MGM_FUZZ_VERBOSE=1 for the whole sequence)\n");
  fflush(stderr);
  __builtin_trap();
}

static void op_begin(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static void op_begin(const char *fmt, ...) {
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(g_opdesc, sizeof(g_opdesc), fmt, ap);
  va_end(ap);
  if (g_verbose)
    fprintf(stderr, "op %3d: %s\n", g_op, g_opdesc);
}

/* ---- Callback recording
 * ------------------------------------------------------ */

/* A callback as observed: the model's call record with the values MGM
 * passed in (before the policy changed anything), plus what the harness
 * checked or did inside the callback. */
struct rec {
  struct model_call c;
  DWORD hdr_ok;      /* RPF: header looks like the packet's IP header */
  DWORD probe_rc[2]; /* IGMP probes made inside disable/enable */
};

struct recorder {
  struct rec *v;
  int n, cap;
};

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static struct recorder g_lib, g_mod;

/* Per-slot identity, written by the fuzz thread under g_mu. */
static int g_slot_client[NSLOT];    /* model client id, -1 = free */
static HANDLE g_slot_handle[NSLOT]; /* libmgm handle of that client */
static struct model *g_model;
static uint32_t g_seed; /* policy seed of this input */

static int rec_push(struct recorder *r, const struct model_call *c) {
  int i;

  pthread_mutex_lock(&g_mu);
  if (r->n == r->cap) {
    r->cap = r->cap ? r->cap * 2 : 256;
    r->v = realloc(r->v, (size_t)r->cap * sizeof(*r->v));
    if (r->v == NULL)
      abort();
  }
  i = r->n++;
  memset(&r->v[i], 0, sizeof(r->v[i]));
  r->v[i].c = *c;
  pthread_mutex_unlock(&g_mu);
  return i;
}

static void rec_set(struct recorder *r, int i, int what, DWORD v) {
  pthread_mutex_lock(&g_mu);
  if (what == 0)
    r->v[i].hdr_ok = v;
  else
    r->v[i].probe_rc[what - 1] = v;
  pthread_mutex_unlock(&g_mu);
}

/* ---- The shared client policy
 * -------------------------------------------------- */

static uint32_t mix(uint32_t h, uint32_t v) {
  h ^= v + 0x9E3779B9u + (h << 6) + (h >> 2);
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  return h;
}

static uint32_t call_hash(const struct model_call *k) {
  uint32_t h = g_seed;

  h = mix(h, (uint32_t)k->kind);
  h = mix(h, (uint32_t)k->client);
  h = mix(h, k->s);
  h = mix(h, k->g);
  h = mix(h, k->ifx);
  h = mix(h, k->nh);
  return mix(h, (uint32_t)k->flag);
}

static const DWORD TMO[8] = {
    0xFFFFFFFFu /* leave */, 0, 1, 2, 5, 30, 900, 3600};

/* Apply the policy to the outputs of k (both sides call this). */
static void policy(struct model_call *k) {
  uint32_t h = call_hash(k);
  DWORD j;

  switch (k->kind) {
  case MODEL_CB_RPF:
    if ((h & 7) == 4 || (h & 7) == 7)
      k->rpf_up = ip(10, 200, (h >> 8) & 0xFF, 1);
    if ((h & 7) == 5 || (h & 7) == 7) {
      k->rpf_iif = IFX[(h >> 16) & 7];
      k->rpf_nh = (h >> 20) & 1 ? NH1 : 0;
    }
    if ((h & 7) == 6 || (h & 7) == 7) {
      k->route_bits = (h >> 24) % 33;
      k->route_net = ip(10, (h >> 12) & 0xFF, 0, 0);
    }
    break;
  case MODEL_CB_CREATION:
    for (j = 0; j < k->n_if; j++) {
      uint32_t hj = mix(mix(h, k->ifs[j].dwIfIndex), k->ifs[j].dwIfNextHopAddr);

      switch (hj % 7) {
      case 0:
      case 1:
        k->ifs[j].bIsEnabled = FALSE;
        break;
      case 2:
        k->ifs[j].bIsEnabled = 2; /* any non-zero value enables */
        break;
      default:
        break;
      }
    }
    break;
  case MODEL_CB_PRUNE:
    if (TMO[h & 7] != 0xFFFFFFFFu)
      k->timeout = TMO[h & 7];
    break;
  default:
    break;
  }
}

/* Inside the disable callback IGMP tries an Add and a Delete (both must be
 * refused, D-IGMP-WINDOW); inside the enable callback it may re-add a
 * membership at once (3.7: tolerated by the port). */
static int probe_kind(const struct model_call *k) {
  uint32_t h = call_hash(k) >> 8;

  if (k->kind == MODEL_CB_DISABLE_IGMP)
    return h % 3 == 0 ? 1 : 0;
  if (k->kind == MODEL_CB_ENABLE_IGMP)
    return h % 3 == 0 ? 2 : 0;
  return 0;
}

/* ---- Real callbacks, one set per slot
 * ------------------------------------------ */

static int slot_client(int slot) {
  int c;

  pthread_mutex_lock(&g_mu);
  c = g_slot_client[slot];
  pthread_mutex_unlock(&g_mu);
  return c;
}

static void base(struct model_call *k, int kind, int slot, DWORD s, DWORD sm,
                 DWORD g, DWORD gm) {
  memset(k, 0, sizeof(*k));
  k->kind = kind;
  k->client = slot_client(slot);
  k->s = s;
  k->smask = sm;
  k->g = g;
  k->gmask = gm;
}

#define DEST_ADDR_OFF 8 /* RTM_DEST_INFO.DestAddress (mgm-spec 1.4.11) */

static DWORD on_rpf(int slot, DWORD s, DWORD sm, DWORD g, DWORD gm, PDWORD iif,
                    PDWORD nh, PDWORD up, DWORD hl, PBYTE hdr, PBYTE rt) {
  struct model_call k;
  USHORT bits;
  int i;

  base(&k, MODEL_CB_RPF, slot, s, sm, g, gm);
  k.rpf_iif = *iif;
  k.rpf_nh = *nh;
  k.rpf_up = *up;
  memcpy(&bits, rt + DEST_ADDR_OFF + 2, 2);
  memcpy(&k.route_net, rt + DEST_ADDR_OFF + 4, 4);
  k.route_bits = bits;
  i = rec_push(&g_lib, &k);
  rec_set(&g_lib, i, 0,
          hl >= 20 && hdr && (hdr[0] >> 4) == 4 &&
              memcmp(hdr + 12, &s, 4) == 0 && memcmp(hdr + 16, &g, 4) == 0);
  policy(&k);
  *iif = k.rpf_iif;
  *nh = k.rpf_nh;
  *up = k.rpf_up;
  bits = (USHORT)k.route_bits;
  memcpy(rt + DEST_ADDR_OFF + 2, &bits, 2);
  memcpy(rt + DEST_ADDR_OFF + 4, &k.route_net, 4);
  return NO_ERROR;
}

static DWORD on_creation(int slot, DWORD s, DWORD sm, DWORD g, DWORD gm,
                         DWORD iif, DWORD nh, DWORD n, PMGM_IF_ENTRY list) {
  struct model_call k;
  DWORD j;

  base(&k, MODEL_CB_CREATION, slot, s, sm, g, gm);
  k.ifx = iif;
  k.nh = nh;
  k.n_if = n;
  if (n > MODEL_MAX_CB_IFS)
    fail("creation alert with %lu interfaces", (unsigned long)n);
  memcpy(k.ifs, list, n * sizeof(*list));
  rec_push(&g_lib, &k);
  policy(&k);
  for (j = 0; j < n; j++)
    list[j].bIsEnabled = k.ifs[j].bIsEnabled;
  return NO_ERROR;
}

static DWORD on_prune(int slot, DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD ifx,
                      DWORD nh, BOOL del, PDWORD tmo) {
  struct model_call k;

  base(&k, MODEL_CB_PRUNE, slot, s, sm, g, gm);
  k.ifx = ifx;
  k.nh = nh;
  k.flag = del;
  k.timeout = tmo ? *tmo : 0xDEADu;
  rec_push(&g_lib, &k);
  policy(&k);
  if (tmo)
    *tmo = k.timeout;
  return NO_ERROR;
}

static DWORD on_join(int slot, DWORD s, DWORD sm, DWORD g, DWORD gm, BOOL upd) {
  struct model_call k;

  base(&k, MODEL_CB_JOIN, slot, s, sm, g, gm);
  k.flag = upd;
  rec_push(&g_lib, &k);
  return NO_ERROR;
}

static DWORD on_wrongif(int slot, DWORD s, DWORD g, DWORD ifx, DWORD nh,
                        DWORD hl, PBYTE hdr) {
  struct model_call k;

  base(&k, MODEL_CB_WRONGIF, slot, s, 0, g, 0);
  k.ifx = ifx;
  k.nh = nh;
  rec_push(&g_lib, &k);
  return NO_ERROR;
}

static DWORD on_local(int slot, int kind, DWORD s, DWORD sm, DWORD g, DWORD gm,
                      DWORD ifx, DWORD nh) {
  struct model_call k;

  base(&k, kind, slot, s, sm, g, gm);
  k.ifx = ifx;
  k.nh = nh;
  rec_push(&g_lib, &k);
  return NO_ERROR;
}

static DWORD on_igmp(int slot, int kind, DWORD ifx, DWORD nh) {
  struct model_call k;
  HANDLE h;
  int i, probe;

  base(&k, kind, slot, 0, 0, 0, 0);
  k.ifx = ifx;
  k.nh = nh;
  i = rec_push(&g_lib, &k);
  probe = probe_kind(&k);
  pthread_mutex_lock(&g_mu);
  h = g_slot_handle[slot];
  pthread_mutex_unlock(&g_mu);
  if (probe == 1) {
    rec_set(&g_lib, i, 1,
            MgmAddGroupMembershipEntry(h, 0, 0, GRP[2], 0xFFFFFFFFu, ifx, nh,
                                       MGM_JOIN_STATE_FLAG));
    rec_set(&g_lib, i, 2,
            MgmDeleteGroupMembershipEntry(h, 0, 0, GRP[1], 0xFFFFFFFFu, ifx, nh,
                                          MGM_JOIN_STATE_FLAG));
  } else if (probe == 2) {
    rec_set(&g_lib, i, 1,
            MgmAddGroupMembershipEntry(h, 0, 0, GRP[2], 0xFFFFFFFFu, ifx, nh,
                                       MGM_JOIN_STATE_FLAG));
  }
  return NO_ERROR;
}

#define SLOT_CALLBACKS(n)                                                      \
  static DWORD rpf##n(DWORD s, DWORD sm, DWORD g, DWORD gm, PDWORD a,          \
                      PDWORD b, PDWORD c, DWORD hl, PBYTE hdr, PBYTE rt) {     \
    return on_rpf(n, s, sm, g, gm, a, b, c, hl, hdr, rt);                      \
  }                                                                            \
  static DWORD cre##n(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD i, DWORD nh, \
                      DWORD cnt, PMGM_IF_ENTRY l) {                            \
    return on_creation(n, s, sm, g, gm, i, nh, cnt, l);                        \
  }                                                                            \
  static DWORD pru##n(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD i, DWORD nh, \
                      BOOL d, PDWORD t) {                                      \
    return on_prune(n, s, sm, g, gm, i, nh, d, t);                             \
  }                                                                            \
  static DWORD joi##n(DWORD s, DWORD sm, DWORD g, DWORD gm, BOOL u) {          \
    return on_join(n, s, sm, g, gm, u);                                        \
  }                                                                            \
  static DWORD wif##n(DWORD s, DWORD g, DWORD i, DWORD nh, DWORD hl,           \
                      PBYTE h) {                                               \
    return on_wrongif(n, s, g, i, nh, hl, h);                                  \
  }                                                                            \
  static DWORD lj##n(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD i,            \
                     DWORD nh) {                                               \
    return on_local(n, MODEL_CB_LOCAL_JOIN, s, sm, g, gm, i, nh);              \
  }                                                                            \
  static DWORD ll##n(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD i,            \
                     DWORD nh) {                                               \
    return on_local(n, MODEL_CB_LOCAL_LEAVE, s, sm, g, gm, i, nh);             \
  }                                                                            \
  static DWORD dis##n(DWORD i, DWORD nh) {                                     \
    return on_igmp(n, MODEL_CB_DISABLE_IGMP, i, nh);                           \
  }                                                                            \
  static DWORD ena##n(DWORD i, DWORD nh) {                                     \
    return on_igmp(n, MODEL_CB_ENABLE_IGMP, i, nh);                            \
  }

SLOT_CALLBACKS(0)
SLOT_CALLBACKS(1)
SLOT_CALLBACKS(2)
SLOT_CALLBACKS(3)
SLOT_CALLBACKS(4)
SLOT_CALLBACKS(5)
SLOT_CALLBACKS(6)
SLOT_CALLBACKS(7)

#define SLOT_CFG(n)                                                            \
  { 0, rpf##n, cre##n, pru##n, joi##n, wif##n, lj##n, ll##n, dis##n, ena##n }

static const ROUTING_PROTOCOL_CONFIG SLOT_CFGS[NSLOT] = {
    SLOT_CFG(0), SLOT_CFG(1), SLOT_CFG(2), SLOT_CFG(3),
    SLOT_CFG(4), SLOT_CFG(5), SLOT_CFG(6), SLOT_CFG(7)};

/* A config with only the callbacks of cbmask. */
static ROUTING_PROTOCOL_CONFIG make_cfg(int slot, unsigned cbmask) {
  ROUTING_PROTOCOL_CONFIG c;

  memset(&c, 0, sizeof(c));
  if (slot < 0)
    return c;
  c = SLOT_CFGS[slot];
  c.dwCallbackFlags = cbmask ^ 0x5A5Au; /* stored and ignored */
  if (!(cbmask & 1u << MODEL_CB_RPF))
    c.pfnRpfCallback = NULL;
  if (!(cbmask & 1u << MODEL_CB_CREATION))
    c.pfnCreationAlertCallback = NULL;
  if (!(cbmask & 1u << MODEL_CB_PRUNE))
    c.pfnPruneAlertCallback = NULL;
  if (!(cbmask & 1u << MODEL_CB_JOIN))
    c.pfnJoinAlertCallback = NULL;
  if (!(cbmask & 1u << MODEL_CB_WRONGIF))
    c.pfnWrongIfCallback = NULL;
  if (!(cbmask & 1u << MODEL_CB_LOCAL_JOIN))
    c.pfnLocalJoinCallback = NULL;
  if (!(cbmask & 1u << MODEL_CB_LOCAL_LEAVE))
    c.pfnLocalLeaveCallback = NULL;
  if (!(cbmask & 1u << MODEL_CB_DISABLE_IGMP))
    c.pfnDisableIgmpCallback = NULL;
  if (!(cbmask & 1u << MODEL_CB_ENABLE_IGMP))
    c.pfnEnableIgmpCallback = NULL;
  return c;
}

/* ---- Handles
 * ------------------------------------------------------------------ */

struct hent {
  struct model_h mh;
  HANDLE real;
  int slot; /* protocols: callback slot or -1 */
};

static struct hent g_h[MAX_HANDLES];
static int g_nh;
static int g_nregs;

static void h_add(struct model_h mh, HANDLE real, int slot) {
  if (g_nh < MAX_HANDLES) {
    g_h[g_nh].mh = mh;
    g_h[g_nh].real = real;
    g_h[g_nh].slot = slot;
    g_nh++;
  }
}

/* ---- Input reader
 * ------------------------------------------------------------- */

struct rd {
  const uint8_t *p;
  size_t n, i;
};

static uint8_t u8(struct rd *r) {
  return r->i < r->n ? r->p[r->i++] : 0;
}

static uint32_t u32(struct rd *r) {
  uint32_t v = u8(r);

  v |= (uint32_t)u8(r) << 8;
  v |= (uint32_t)u8(r) << 16;
  return v | (uint32_t)u8(r) << 24;
}

/* A handle of the wanted kind: mostly a live one, sometimes any handle of
 * this input (stale, ended, other kind), a foreign value, or NULL. */
static void pick_handle(struct rd *r, int kind, struct model_h *mh,
                        HANDLE *real) {
  uint8_t b = u8(r);
  int i, n = 0, idx[MAX_HANDLES];

  mh->kind = MODEL_H_NONE;
  mh->id = -1;
  *real = NULL;
  if (b < 0xA0) {
    for (i = 0; i < g_nh; i++)
      if (g_h[i].mh.kind == kind && model_handle_live(g_model, g_h[i].mh))
        idx[n++] = i;
    if (n) {
      i = idx[b % n];
      *mh = g_h[i].mh;
      *real = g_h[i].real;
      return;
    }
  }
  if (b < 0xE0 && g_nh) {
    i = b % g_nh;
    *mh = g_h[i].mh;
    *real = g_h[i].real;
    return;
  }
  if (b < 0xF8) {
    uintptr_t v = (uintptr_t)u32(r);

    if (b & 1)
      v = (v & 0xFFFF) | (uintptr_t)(b & 0x1F) << 16; /* handle-like */
    for (i = 0; i < g_nh; i++)
      if ((uintptr_t)g_h[i].real == v)
        v = 0; /* never a handle we hold */
    *real = (HANDLE)v;
  }
}

static void pick_if(uint8_t b, DWORD *ifx, DWORD *nh) {
  static const int nhsel[4] = {0, 0, 1, 2};
  int k = nhsel[(b >> 3) & 3];

  *ifx = IFX[b & 7];
  *nh = k == 0 ? 0 : k == 1 ? NH1 : NH2;
}

static DWORD pick_mask(DWORD addr, uint8_t mode, uint8_t extra) {
  switch (mode & 3) {
  case 0:
    return addr ? 0xFFFFFFFFu : 0;
  case 1:
    return 0;
  case 2:
    return 0xFFFFFFFFu;
  default:
    return WEIRD_MASK[extra & 3];
  }
}

static DWORD pick_size(uint8_t b) {
  static const DWORD t[32] = {0,   1,   8,   15,  16,  17,  32,   40,
                              48,  59,  60,  61,  63,  64,  75,   76,
                              77,  84,  91,  92,  100, 108, 111,  112,
                              120, 136, 140, 200, 336, 500, 4096, BUF_SIZE};

  if (b < 0xC0)
    return t[b & 31];
  return (DWORD)(b - 0xC0) * 29u; /* 0 .. 1827 */
}

/* ---- Comparison
 * ------------------------------------------------------------------ */

static const char *const CB_NAMES[] = {
    "Rpf",       "CreationAlert", "PruneAlert",  "JoinAlert", "WrongIf",
    "LocalJoin", "LocalLeave",    "DisableIgmp", "EnableIgmp"};

static void print_rec(const char *side, int i, const struct rec *r) {
  const struct model_call *c = &r->c;
  DWORD j;

  say("  %s[%d] %s -> client %d: S %08lx/%08lx G %08lx/%08lx if %lu/%08lx "
      "flag %d tmo %lu",
      side, i,
      c->kind >= 0 && c->kind < MODEL_CB_COUNT ? CB_NAMES[c->kind] : "?",
      c->client, (unsigned long)c->s, (unsigned long)c->smask,
      (unsigned long)c->g, (unsigned long)c->gmask, (unsigned long)c->ifx,
      (unsigned long)c->nh, c->flag, (unsigned long)c->timeout);
  if (c->kind == MODEL_CB_RPF)
    say(" rpf iif %lu/%08lx up %08lx route %08lx/%lu hdr_ok %lu",
        (unsigned long)c->rpf_iif, (unsigned long)c->rpf_nh,
        (unsigned long)c->rpf_up, (unsigned long)c->route_net,
        (unsigned long)c->route_bits, (unsigned long)r->hdr_ok);
  if (c->kind == MODEL_CB_CREATION)
    for (j = 0; j < c->n_if && j < MODEL_MAX_CB_IFS; j++)
      say(" [%lu/%08lx igmp %d en %d]", (unsigned long)c->ifs[j].dwIfIndex,
          (unsigned long)c->ifs[j].dwIfNextHopAddr, c->ifs[j].bIGMP,
          c->ifs[j].bIsEnabled);
  if (c->kind == MODEL_CB_DISABLE_IGMP || c->kind == MODEL_CB_ENABLE_IGMP)
    say(" probes %lu %lu", (unsigned long)r->probe_rc[0],
        (unsigned long)r->probe_rc[1]);
  say("\n");
}

static void check_calls(void) {
  int i, bad = -1;

  pthread_mutex_lock(&g_mu);
  for (i = 0; i < g_lib.n && i < g_mod.n && bad < 0; i++)
    if (memcmp(&g_lib.v[i], &g_mod.v[i], sizeof(struct rec)) != 0)
      bad = i;
  if (bad < 0 && g_lib.n != g_mod.n)
    bad = g_lib.n < g_mod.n ? g_lib.n : g_mod.n;
  if (bad >= 0) {
    say("\n=== callback sequences differ at #%d (libmgm %d calls, model %d)\n",
        bad, g_lib.n, g_mod.n);
    for (i = 0; i < g_lib.n; i++)
      print_rec("libmgm", i, &g_lib.v[i]);
    for (i = 0; i < g_mod.n; i++)
      print_rec("model ", i, &g_mod.v[i]);
    pthread_mutex_unlock(&g_mu);
    fail("callback sequence");
  }
  g_lib.n = g_mod.n = 0;
  pthread_mutex_unlock(&g_mu);
}

static void check_rc(const char *what, DWORD lib, DWORD mod) {
  if (lib != mod)
    fail("%s: libmgm returned %lu, model %lu", what, (unsigned long)lib,
         (unsigned long)mod);
}

static void dump_bytes(const char *side, const BYTE *b, size_t n) {
  size_t i;

  say("  %s:", side);
  for (i = 0; i < n; i++)
    say("%s%02x", i % 32 ? (i % 4 ? "" : " ") : "\n    ", b[i]);
  say("\n");
}

static void check_bytes(const char *what, const BYTE *lib, const BYTE *mod,
                        size_t n) {
  size_t i;

  if (memcmp(lib, mod, n) == 0)
    return;
  for (i = 0; i < n; i++)
    if (lib[i] != mod[i]) {
      size_t from = i & ~(size_t)63, len = n - from < 256 ? n - from : 256;

      say("\n=== %s differ at byte %zu\n", what, i);
      dump_bytes("libmgm", lib + from, len);
      dump_bytes("model ", mod + from, len);
      fail("%s", what);
    }
}

/* Zero the forwarder's packet counters (mgm-spec 8.3), which the model does
 * not simulate, in n stats records. */
static void mask_counters(BYTE *buf, DWORD used_cap, DWORD n, DWORD flags) {
  DWORD off = 0, k,
        base = flags == MGM_MFE_STATS_1 ? SIZEOF_BASIC_MIB_MFE_STATS_EX
                                        : SIZEOF_BASIC_MIB_MFE_STATS;

  for (k = 0; k < n; k++) {
    ULONG nout;

    if (off + base > used_cap)
      return;
    memcpy(&nout, buf + off + 44, 4);
    memset(buf + off + 48, 0, 12); /* ulInPkts, ulInOctets, ulPktsDifferentIf */
    if ((g_tolerate & TOL_NEGMFE) && flags == MGM_MFE_STATS_1)
      memset(buf + off + 68, 0, 4); /* ulNegativeMfe */
    if (nout > 1000)
      return;
    off += base + nout * (DWORD)sizeof(MIB_IPMCAST_OIF_STATS);
  }
}

/* ---- Operations
 * ---------------------------------------------------------------- */

static BYTE g_lbuf[BIG_SIZE], g_mbuf[BIG_SIZE];
/* Both buffers hold 0xA5 canaries from this offset on; every user that
 * writes further raises it. */
static DWORD g_dirty = BIG_SIZE;
static MIB_IPMCAST_MFE g_last_key; /* last record an MFE read returned */

static void model_cb(void *ctx, struct model_call *k) {
  int i, probe;
  struct model_h self = {MODEL_H_PROTO, k->client};

  (void)ctx;
  i = rec_push(&g_mod, k);
  if (k->kind == MODEL_CB_RPF)
    rec_set(&g_mod, i, 0, 1);
  probe = probe_kind(k);
  if (probe == 1) {
    rec_set(&g_mod, i, 1,
            model_add(g_model, self, 0, 0, GRP[2], 0xFFFFFFFFu, k->ifx, k->nh,
                      MGM_JOIN_STATE_FLAG));
    rec_set(&g_mod, i, 2,
            model_delete(g_model, self, 0, 0, GRP[1], 0xFFFFFFFFu, k->ifx,
                         k->nh, MGM_JOIN_STATE_FLAG));
  } else if (probe == 2) {
    rec_set(&g_mod, i, 1,
            model_add(g_model, self, 0, 0, GRP[2], 0xFFFFFFFFu, k->ifx, k->nh,
                      MGM_JOIN_STATE_FLAG));
  }
  policy(k);
}

/* Bytes taken by n records at the start of buf. */
static DWORD used_bytes(const BYTE *buf, DWORD n, int stats, DWORD flags) {
  DWORD off = 0, k, nout;

  for (k = 0; k < n; k++) {
    memcpy(&nout, buf + off + (stats ? 44 : 48), 4);
    off += !stats                     ? (DWORD)SIZEOF_MIB_MFE(nout)
           : flags == MGM_MFE_STATS_1 ? (DWORD)SIZEOF_MIB_MFE_STATS_EX(nout)
                                      : (DWORD)SIZEOF_MIB_MFE_STATS(nout);
  }
  return off;
}

/* Whole MFE table, basic or EX stats records: libmgm == model.  The model
 * goes first so that only the bytes in use (plus a canary zone) need
 * clearing and comparing. */
static void check_table(int stats) {
  DWORD flags = stats ? MGM_MFE_STATS_1 : 0;
  DWORD ls = BIG_SIZE - 1024, ms = BIG_SIZE - 1024, ln = 0xABCD, mn = 0xABCD;
  DWORD lrc, mrc, span;

  memset(g_mbuf, 0xA5, g_dirty);
  memset(g_lbuf, 0xA5, g_dirty);
  mrc = model_enum_mfe(g_model, stats, flags, 0, NULL, &ms, g_mbuf, &mn);
  span =
      (mrc == ERROR_NO_MORE_ITEMS ? used_bytes(g_mbuf, mn, stats, flags) : 0) +
      1024;
  if (span > g_dirty) /* beyond it both buffers still hold canaries */
    g_dirty = span;
  if (stats)
    lrc = MgmGetFirstMfeStats(&ls, g_lbuf, &ln, flags);
  else
    lrc = MgmGetFirstMfe(&ls, g_lbuf, &ln);
  check_rc(stats ? "MFE table (MgmGetFirstMfeStats)"
                 : "MFE table (MgmGetFirstMfe)",
           lrc, mrc);
  if (ln != mn || ls != ms)
    fail("MFE table: libmgm %lu entries (size %lu), model %lu (size %lu)",
         (unsigned long)ln, (unsigned long)ls, (unsigned long)mn,
         (unsigned long)ms);
  if (stats)
    mask_counters(g_lbuf, BIG_SIZE, ln, flags);
  check_bytes(stats ? "MFE stats table" : "MFE table", g_lbuf, g_mbuf, span);
  g_dirty = span;
}

static void op_register(struct rd *r) {
  static const DWORD pids[8] = {PROTO_IP_IGMP, MS_IP_IGMP,   PROTO_IP_OSPF,
                                PROTO_IP_RIP,  0x20001,      PROTO_IP_IGMP,
                                0x20001,       PROTO_IP_BGMP};
  uint8_t a = u8(r), b = u8(r), c = u8(r);
  DWORD pid = pids[a & 7], cid = (a >> 3) & 3;
  unsigned cbmask = MODEL_CB_ALL;
  int null_cfg = (b & 0xF0) == 0xF0 && (b & 1),
      null_out = (b & 0xF0) == 0xF0 && !(b & 1);
  int slot = -1, i;
  ROUTING_PROTOCOL_CONFIG cfg;
  HANDLE h = (HANDLE)(uintptr_t)0x1234;
  struct model_h mh = {0, -1};
  DWORD lrc, mrc;

  if (g_nregs >= MAX_REGS)
    return;
  if ((b & 0xC0) == 0x80)
    cbmask = ((unsigned)c << 1 | (b & 1)) & MODEL_CB_ALL;
  for (i = 0; i < NSLOT; i++)
    if (g_slot_client[i] < 0) {
      slot = i;
      break;
    }
  if (slot < 0)
    cbmask = 0; /* no callback set left: a client without callbacks */
  cfg = make_cfg(slot, cbmask);
  op_begin("MgmRegisterMProtocol(%s, pid %lu, cid %lu, %s) cb %03x slot %d",
           null_cfg ? "NULL" : "&cfg", (unsigned long)pid, (unsigned long)cid,
           null_out ? "NULL" : "&h", cbmask, slot);
  lrc = MgmRegisterMProtocol(null_cfg ? NULL : &cfg, pid, cid,
                             null_out ? NULL : &h);
  mrc = model_register(g_model, !null_cfg, cbmask, pid, cid,
                       null_out ? NULL : &mh);
  check_rc("MgmRegisterMProtocol", lrc, mrc);
  if (lrc != NO_ERROR) {
    if (h != (HANDLE)(uintptr_t)0x1234)
      fail("MgmRegisterMProtocol wrote *phProtocol on failure");
    return;
  }
  if (h == NULL)
    fail("MgmRegisterMProtocol returned a NULL handle");
  memset(&cfg, 0xEE, sizeof(cfg)); /* MGM must have copied it */
  g_nregs++;
  h_add(mh, h, slot);
  if (slot >= 0) {
    pthread_mutex_lock(&g_mu);
    g_slot_client[slot] = mh.id;
    g_slot_handle[slot] = h;
    pthread_mutex_unlock(&g_mu);
  }
  if (g_verbose)
    say("        -> handle %p = client %d\n", h, mh.id);
}

static void free_dead_slots(void) {
  int i;

  for (i = 0; i < NSLOT; i++) {
    struct model_h mh = {MODEL_H_PROTO, g_slot_client[i]};

    if (g_slot_client[i] >= 0 && !model_handle_live(g_model, mh)) {
      pthread_mutex_lock(&g_mu);
      g_slot_client[i] = -1;
      g_slot_handle[i] = NULL;
      pthread_mutex_unlock(&g_mu);
    }
  }
}

static void op_deregister(struct rd *r) {
  struct model_h mh;
  HANDLE h;

  pick_handle(r, MODEL_H_PROTO, &mh, &h);
  if ((g_tolerate & TOL_ORPHANS) && model_handle_live(g_model, mh) &&
      model_member_count(g_model, mh.id) > 0) {
    op_begin("(skipped: deregistration leaving memberships behind)");
    return;
  }
  op_begin("MgmDeRegisterMProtocol(%p) [model %d/%d]", h, mh.kind, mh.id);
  check_rc("MgmDeRegisterMProtocol", MgmDeRegisterMProtocol(h),
           model_deregister(g_model, mh));
  free_dead_slots();
}

static void op_take_release(struct rd *r, int take) {
  struct model_h mh;
  HANDLE h;
  DWORD ifx, nh;

  pick_handle(r, MODEL_H_PROTO, &mh, &h);
  pick_if(u8(r), &ifx, &nh);
  /* libmgm-06: never let a link with latent joins made through the
   * (i, 0) fallback get a record of its own, or lose it. */
  if ((g_tolerate & TOL_LATENT) && nh != 0 &&
      model_latent_foreign(g_model, ifx, nh) > 0) {
    op_begin("(skipped: take/release of a link holding latent joins made "
             "via (i, 0))");
    return;
  }
  /* libmgm-08: no client takes a link holding latent joins (an IGMP
   * client would become its sole owner and later release it). */
  if (take && (g_tolerate & TOL_SOLEIGMP) && nh != 0 &&
      model_latent_count(g_model, -1, ifx, nh) > 0) {
    op_begin("(skipped: take of a link holding latent joins)");
    return;
  }
  op_begin("Mgm%sInterfaceOwnership(%p [client %d], %lu, %08lx)",
           take ? "Take" : "Release", h, mh.kind == MODEL_H_PROTO ? mh.id : -1,
           (unsigned long)ifx, (unsigned long)nh);
  if (take)
    check_rc("MgmTakeInterfaceOwnership", MgmTakeInterfaceOwnership(h, ifx, nh),
             model_take(g_model, mh, ifx, nh));
  else
    check_rc("MgmReleaseInterfaceOwnership",
             MgmReleaseInterfaceOwnership(h, ifx, nh),
             model_release(g_model, mh, ifx, nh));
}

static void op_get_protocol(struct rd *r) {
  uint8_t b = u8(r), c = u8(r);
  DWORD ifx, nh, lp = 0xAAAA, lc = 0xBBBB, mp = 0xAAAA, mc = 0xBBBB;
  int np = (c & 0xF0) == 0xF0 && (c & 1), nc = (c & 0xF0) == 0xF0 && (c & 2);

  pick_if(b, &ifx, &nh);
  if ((c & 0x0C) == 0x0C)
    nh = NH_ANCHOR;
  op_begin("MgmGetProtocolOnInterface(%lu, %08lx, %s, %s)", (unsigned long)ifx,
           (unsigned long)nh, np ? "NULL" : "&pid", nc ? "NULL" : "&cid");
  check_rc(
      "MgmGetProtocolOnInterface",
      MgmGetProtocolOnInterface(ifx, nh, np ? NULL : &lp, nc ? NULL : &lc),
      model_get_protocol(g_model, ifx, nh, np ? NULL : &mp, nc ? NULL : &mc));
  if (lp != mp || lc != mc)
    fail("MgmGetProtocolOnInterface: libmgm %lu/%lu, model %lu/%lu",
         (unsigned long)lp, (unsigned long)lc, (unsigned long)mp,
         (unsigned long)mc);
}

static void op_membership(struct rd *r, int add) {
  static const DWORD flagtab[8] = {0, 1, 2, 3, 4, 5, 0xFFFFFFFFu, 0x100};
  struct model_h mh;
  HANDLE h;
  uint8_t a, b, c;
  DWORD s, sm, g, gm, ifx, nh, flags, lrc, mrc;

  pick_handle(r, MODEL_H_PROTO, &mh, &h);
  a = u8(r);
  b = u8(r);
  c = u8(r);
  s = SRC[a & 7];
  g = GRP[b & 7];
  sm = pick_mask(s, a >> 3, a >> 5);
  gm = pick_mask(g, b >> 3, b >> 5);
  flags = flagtab[c & 7];
  pick_if(u8(r), &ifx, &nh);
  op_begin("Mgm%sGroupMembershipEntry(%p [client %d], %08lx/%08lx, "
           "%08lx/%08lx, %lu, %08lx, flags %lx)",
           add ? "Add" : "Delete", h, mh.kind == MODEL_H_PROTO ? mh.id : -1,
           (unsigned long)s, (unsigned long)sm, (unsigned long)g,
           (unsigned long)gm, (unsigned long)ifx, (unsigned long)nh,
           (unsigned long)flags);
  if (add) {
    lrc = MgmAddGroupMembershipEntry(h, s, sm, g, gm, ifx, nh, flags);
    mrc = model_add(g_model, mh, s, sm, g, gm, ifx, nh, flags);
  } else {
    lrc = MgmDeleteGroupMembershipEntry(h, s, sm, g, gm, ifx, nh, flags);
    mrc = model_delete(g_model, mh, s, sm, g, gm, ifx, nh, flags);
  }
  check_rc(add ? "MgmAddGroupMembershipEntry" : "MgmDeleteGroupMembershipEntry",
           lrc, mrc);
}

/* Where the packet went must follow from the MFE (4.4 step 10, 8.1): on
 * its incoming ifindex it is sent on every other ifindex of the outgoing
 * list (one output per ifindex, TTL above the threshold 1), otherwise it
 * is dropped as arriving on the wrong interface.  Anchored mode only: every
 * ifindex has a forwarder slot, so no packet waits for an entry. */
static void check_verdict(DWORD arr, DWORD s, DWORD g, BYTE ttl,
                          const struct libmgm_sim_result *res) {
  BYTE rec[BUF_SIZE];
  MIB_IPMCAST_MFE key, m;
  DWORD size = sizeof(rec), want = LIBMGM_SIM_FORWARDED, n = 0, i, out[64];
  const BYTE *gb = (const BYTE *)&g;

  memset(&key, 0, sizeof(key));
  key.dwGroup = g;
  key.dwSource = s;
  if (gb[0] == 224 && gb[1] == 0 && gb[2] == 0) {
    want = LIBMGM_SIM_NOT_ROUTED;
  } else if (model_get_mfe(g_model, 0, 0, &key, &size, rec) != NO_ERROR) {
    want = LIBMGM_SIM_PENDING;
  } else {
    memcpy(&m, rec, SIZEOF_BASIC_MIB_MFE);
    if (m.dwInIfIndex != arr) {
      want = LIBMGM_SIM_WRONG_IF;
    } else {
      for (i = 0; i < m.ulNumOutIf; i++) {
        MIB_IPMCAST_OIF o;

        memcpy(&o, rec + SIZEOF_MIB_MFE(i), sizeof(o));
        if (o.dwOutIfIndex == m.dwInIfIndex ||
            (n > 0 && out[n - 1] == o.dwOutIfIndex) ||
            !model_slot(g_model, o.dwOutIfIndex))
          continue;
        out[n++] = o.dwOutIfIndex;
      }
      if (n == 0)
        want = LIBMGM_SIM_NEGATIVE;
      if (ttl <= 1)
        n = 0;
    }
  }
  if (res->verdict != want || res->n_out != n ||
      memcmp(res->out_ifindex, out, n * sizeof(DWORD)) != 0) {
    say("\n=== packet disposition: libmgm verdict %lu to",
        (unsigned long)res->verdict);
    for (i = 0; i < res->n_out; i++)
      say(" %lu", (unsigned long)res->out_ifindex[i]);
    say("; expected %lu to", (unsigned long)want);
    for (i = 0; i < n; i++)
      say(" %lu", (unsigned long)out[i]);
    say("\n");
    fail("packet disposition");
  }
}

static void op_inject(struct rd *r, int anchored) {
  uint8_t a = u8(r), b = u8(r), c = u8(r);
  DWORD arr = IFX[a & 7], s = SRC[1 + (b & 7) % 7],
        g = GRP[1 + ((b >> 3) & 7) % 7];
  struct libmgm_sim_result res;
  DWORD rc;

  if (g == GRP[6])
    g = GRP[1]; /* the sim refuses non-multicast packets */
  if (!anchored && (a & 0xF0) == 0xF0)
    arr = 9;
  op_begin("libmgm_sim_inject(if %lu, S %08lx, G %08lx, ttl %u)",
           (unsigned long)arr, (unsigned long)s, (unsigned long)g, c);
  rc = libmgm_sim_inject(arr, s, g, c, 64 + c, &res);
  if (rc != NO_ERROR)
    fail("libmgm_sim_inject returned %lu", (unsigned long)rc);
  model_packet(g_model, arr, s, g);
  if (anchored) {
    check_calls();
    check_verdict(arr, s, g, c, &res);
  }
}

static void op_advance(struct rd *r) {
  static const DWORD t[16] = {1,     10,    999,     1000,   1001,   5000,
                              10000, 30000, 60000,   299000, 899999, 900000,
                              1000,  2000,  3600000, 100};
  uint8_t b = u8(r);
  DWORD ms = b < 0x80 ? t[b & 15] : (DWORD)(b - 0x80) * 1000u;
  DWORD rc;

  op_begin("libmgm_sim_advance(%lu ms)", (unsigned long)ms);
  rc = libmgm_sim_advance(ms);
  if (rc != NO_ERROR)
    fail("libmgm_sim_advance returned %lu", (unsigned long)rc);
  model_advance(g_model, ms);
}

static void pick_key(struct rd *r, MIB_IPMCAST_MFE *k) {
  uint8_t b = u8(r);

  memset(k, 0, sizeof(*k));
  if ((b & 0xC0) == 0xC0) {
    *k = g_last_key;
    return;
  }
  k->dwSource = SRC[b & 7];
  k->dwGroup = (b & 0x38) == 0x38 ? 0xFFFFFFFFu : GRP[(b >> 3) & 7];
  k->dwSrcMask = b & 0x40 ? 0xFFFFFFFFu : 0x12345678u;
}

static DWORD pick_stats_flags(uint8_t b) {
  static const DWORD t[8] = {1, 2, 0, 1, 2, 3, 0xFFFFFFFFu, 2};

  return t[b & 7];
}

static void remember_last(const BYTE *buf, DWORD n, int stats, DWORD flags) {
  DWORD off = 0, k, nout;

  for (k = 0; k < n; k++) {
    if (k + 1 == n) {
      memset(&g_last_key, 0, sizeof(g_last_key));
      memcpy(&g_last_key, buf + off, 8);
    }
    memcpy(&nout, buf + off + (stats ? 44 : 48), 4);
    if (nout > 1000)
      return;
    off += !stats                     ? (DWORD)SIZEOF_MIB_MFE(nout)
           : flags == MGM_MFE_STATS_1 ? (DWORD)SIZEOF_MIB_MFE_STATS_EX(nout)
                                      : (DWORD)SIZEOF_MIB_MFE_STATS(nout);
  }
}

/* MgmGetMfe[Stats], MgmGetFirstMfe[Stats], MgmGetNextMfe[Stats]. */
static void op_mfe_read(struct rd *r, int which) {
  uint8_t a = u8(r), b = u8(r);
  int stats = a & 1, nullbuf = (b & 0xF0) == 0xF0, nullsize = a == 0xFF,
      nullkey = a == 0xFE, nulln = a == 0xFD;
  DWORD flags = stats ? pick_stats_flags(a >> 1) : 0;
  DWORD size = pick_size(b), ls = size, ms = size, ln = 0x5555, mn = 0x5555;
  DWORD lrc, mrc;
  MIB_IPMCAST_MFE key;
  MIB_IPMCAST_MFE *lkey = NULL, *mkey = NULL;

  pick_key(r, &key);
  if (!nullkey && which != 1) {
    /* The port reads only dwGroup, dwSource (and dwSrcMask): pass 12 bytes. */
    lkey = malloc(12);
    if (lkey == NULL)
      abort();
    memcpy(lkey, &key, 12);
    mkey = &key;
  }
  memset(g_lbuf, 0xA5, BUF_SIZE + 64);
  memset(g_mbuf, 0xA5, BUF_SIZE + 64);
  if (g_dirty < BUF_SIZE + 64)
    g_dirty = BUF_SIZE + 64;
  op_begin("MgmGet%sMfe%s(key %08lx/%08lx, size %lu%s%s%s, flags %lu)",
           which == 0   ? ""
           : which == 1 ? "First"
                        : "Next",
           stats ? "Stats" : "", (unsigned long)key.dwSource,
           (unsigned long)key.dwGroup, (unsigned long)size,
           nullbuf ? ", NULL buf" : "", nullsize ? ", NULL size" : "",
           nulln ? ", NULL n" : "", (unsigned long)flags);
  if (which == 0) {
    if (stats)
      lrc = MgmGetMfeStats(lkey, nullsize ? NULL : &ls, nullbuf ? NULL : g_lbuf,
                           flags);
    else
      lrc = MgmGetMfe(lkey, nullsize ? NULL : &ls, nullbuf ? NULL : g_lbuf);
    mrc = model_get_mfe(g_model, stats, flags, mkey, nullsize ? NULL : &ms,
                        nullbuf ? NULL : g_mbuf);
    ln = mn = lrc == NO_ERROR ? 1 : 0;
  } else {
    PDWORD lnp = nulln ? NULL : &ln, mnp = nulln ? NULL : &mn;

    if (which == 1 && stats)
      lrc = MgmGetFirstMfeStats(nullsize ? NULL : &ls, nullbuf ? NULL : g_lbuf,
                                lnp, flags);
    else if (which == 1)
      lrc = MgmGetFirstMfe(nullsize ? NULL : &ls, nullbuf ? NULL : g_lbuf, lnp);
    else if (stats)
      lrc = MgmGetNextMfeStats(lkey, nullsize ? NULL : &ls,
                               nullbuf ? NULL : g_lbuf, lnp, flags);
    else
      lrc = MgmGetNextMfe(lkey, nullsize ? NULL : &ls, nullbuf ? NULL : g_lbuf,
                          lnp);
    mrc = model_enum_mfe(g_model, stats, flags, which == 2, mkey,
                         nullsize ? NULL : &ms, nullbuf ? NULL : g_mbuf, mnp);
  }
  free(lkey);
  check_rc(g_opdesc, lrc, mrc);
  if (ls != ms || ln != mn)
    fail("size/count: libmgm %lu/%lu, model %lu/%lu", (unsigned long)ls,
         (unsigned long)ln, (unsigned long)ms, (unsigned long)mn);
  if (stats &&
      (lrc == NO_ERROR || lrc == ERROR_MORE_DATA || lrc == ERROR_NO_MORE_ITEMS))
    mask_counters(g_lbuf, size < BUF_SIZE ? size : BUF_SIZE, ln, flags);
  check_bytes("MFE read buffer", g_lbuf, g_mbuf, BUF_SIZE + 64);
  if ((lrc == ERROR_MORE_DATA || lrc == ERROR_NO_MORE_ITEMS ||
       lrc == NO_ERROR) &&
      ln > 0 && !nullbuf)
    remember_last(g_mbuf, ln, stats, flags);
}

static void op_set_mfe(struct rd *r) {
  struct model_h mh;
  HANDLE h;
  MIB_IPMCAST_MFE key, *lkey;
  uint8_t b;
  DWORD lrc, mrc;

  pick_handle(r, MODEL_H_PROTO, &mh, &h);
  pick_key(r, &key);
  b = u8(r);
  key.dwUpStrmNgbr = ip(172, 16, b, 1);
  op_begin("MgmSetMfe(%p [client %d], %08lx/%08lx up %08lx%s)", h,
           mh.kind == MODEL_H_PROTO ? mh.id : -1, (unsigned long)key.dwSource,
           (unsigned long)key.dwGroup, (unsigned long)key.dwUpStrmNgbr,
           b == 0xFF ? ", NULL" : "");
  lkey = malloc(16); /* dwGroup .. dwUpStrmNgbr */
  if (lkey == NULL)
    abort();
  memcpy(lkey, &key, 16);
  lrc = MgmSetMfe(h, b == 0xFF ? NULL : lkey);
  mrc = model_set_mfe(g_model, mh, b == 0xFF ? NULL : &key);
  free(lkey);
  check_rc("MgmSetMfe", lrc, mrc);
}

static void op_enum_start(struct rd *r) {
  static const DWORD types[8] = {ANY_SOURCE,  ALL_SOURCES, ANY_SOURCE,
                                 ALL_SOURCES, 2,           0xFFFFFFFFu,
                                 ALL_SOURCES, ANY_SOURCE};
  struct model_h mh, me = {0, -1};
  HANDLE h, e = (HANDLE)(uintptr_t)0x4321;
  uint8_t b;
  DWORD type, lrc, mrc;
  int nullout;

  pick_handle(r, MODEL_H_PROTO, &mh, &h);
  b = u8(r);
  type = types[b & 7];
  nullout = (b & 0xF8) == 0xF8;
  op_begin("MgmGroupEnumerationStart(%p [client %d], %lu, %s)", h,
           mh.kind == MODEL_H_PROTO ? mh.id : -1, (unsigned long)type,
           nullout ? "NULL" : "&e");
  lrc = MgmGroupEnumerationStart(h, (MGM_ENUM_TYPES)type, nullout ? NULL : &e);
  mrc = model_enum_start(g_model, mh, type, nullout ? NULL : &me);
  check_rc("MgmGroupEnumerationStart", lrc, mrc);
  if (lrc == NO_ERROR) {
    if (e == NULL)
      fail("NULL enumeration handle");
    h_add(me, e, -1);
  } else if (e != (HANDLE)(uintptr_t)0x4321) {
    fail("MgmGroupEnumerationStart wrote *phEnumHandle on failure");
  }
}

static void op_enum_next(struct rd *r) {
  struct model_h me;
  HANDLE e;
  uint8_t b, c;
  DWORD size, ls, ms, ln = 0x7777, mn = 0x7777, lrc, mrc;
  int nullbuf, nullsize, nulln;

  pick_handle(r, MODEL_H_ENUM, &me, &e);
  b = u8(r);
  c = u8(r);
  size = pick_size(b);
  ls = ms = size;
  nullbuf = (c & 0xF0) == 0xF0 && (c & 1);
  nullsize = (c & 0xF0) == 0xF0 && (c & 2);
  nulln = (c & 0xF0) == 0xF0 && (c & 4);
  memset(g_lbuf, 0xA5, BUF_SIZE + 64);
  memset(g_mbuf, 0xA5, BUF_SIZE + 64);
  if (g_dirty < BUF_SIZE + 64)
    g_dirty = BUF_SIZE + 64;
  op_begin("MgmGroupEnumerationGetNext(%p [enum %d], size %lu%s%s%s)", e,
           me.kind == MODEL_H_ENUM ? me.id : -1, (unsigned long)size,
           nullbuf ? ", NULL buf" : "", nullsize ? ", NULL size" : "",
           nulln ? ", NULL n" : "");
  lrc = MgmGroupEnumerationGetNext(e, nullsize ? NULL : &ls,
                                   nullbuf ? NULL : g_lbuf, nulln ? NULL : &ln);
  mrc = model_enum_next(g_model, me, nullsize ? NULL : &ms,
                        nullbuf ? NULL : g_mbuf, nulln ? NULL : &mn);
  check_rc("MgmGroupEnumerationGetNext", lrc, mrc);
  if (ls != ms || ln != mn)
    fail("size/count: libmgm %lu/%lu, model %lu/%lu", (unsigned long)ls,
         (unsigned long)ln, (unsigned long)ms, (unsigned long)mn);
  check_bytes("group enumeration buffer", g_lbuf, g_mbuf, BUF_SIZE + 64);
}

static void op_enum_end(struct rd *r) {
  struct model_h me;
  HANDLE e;

  pick_handle(r, MODEL_H_ENUM, &me, &e);
  op_begin("MgmGroupEnumerationEnd(%p [enum %d])", e,
           me.kind == MODEL_H_ENUM ? me.id : -1);
  check_rc("MgmGroupEnumerationEnd", MgmGroupEnumerationEnd(e),
           model_enum_end(g_model, me));
}

static void op_route(struct rd *r, int anchored) {
  uint8_t b = u8(r);
  int k = b % N_ROUTES;
  const struct route_def *d = &ROUTES[k];
  DWORD ifx = IFX[(b >> 3) & 7], rc;

  if (!anchored && (b & 0xC0) == 0xC0)
    ifx = 9;
  if ((b & 0xC0) == 0x40) {
    op_begin("libmgm_sim_route_del(%08lx/%08lx)", (unsigned long)d->net,
             (unsigned long)d->mask);
    libmgm_sim_route_del(d->net, d->mask); /* absent: not an MGM matter */
    model_route_del(g_model, d->net, d->mask);
    return;
  }
  op_begin("libmgm_sim_route_add(%08lx/%08lx -> if %lu)", (unsigned long)d->net,
           (unsigned long)d->mask, (unsigned long)ifx);
  rc = libmgm_sim_route_add(d->net, d->mask, ifx, d->up, d->proto);
  if (rc != NO_ERROR)
    fail("libmgm_sim_route_add returned %lu", (unsigned long)rc);
  model_route_set(g_model, d->net, d->mask, ifx, d->up, d->proto);
}

/* ---- Final state and cleanup
 * ------------------------------------------------------- */

static void check_groups_with(HANDLE lh, struct model_h mh) {
  int t;

  for (t = ANY_SOURCE; t <= ALL_SOURCES; t++) {
    HANDLE e = NULL;
    struct model_h me;
    DWORD ls = BIG_SIZE, ms = BIG_SIZE, ln = 0, mn = 0;

    op_begin("final group enumeration, type %d", t);
    check_rc("MgmGroupEnumerationStart", MgmGroupEnumerationStart(lh, t, &e),
             model_enum_start(g_model, mh, (DWORD)t, &me));
    memset(g_lbuf, 0xA5, BIG_SIZE);
    memset(g_mbuf, 0xA5, BIG_SIZE);
    g_dirty = BIG_SIZE;
    check_rc("MgmGroupEnumerationGetNext",
             MgmGroupEnumerationGetNext(e, &ls, g_lbuf, &ln),
             model_enum_next(g_model, me, &ms, g_mbuf, &mn));
    if (ln != mn)
      fail("group enumeration: libmgm %lu entries, model %lu",
           (unsigned long)ln, (unsigned long)mn);
    check_bytes("group enumeration", g_lbuf, g_mbuf, BIG_SIZE);
    check_rc("MgmGroupEnumerationEnd", MgmGroupEnumerationEnd(e),
             model_enum_end(g_model, me));
  }
}

static void final_checks(void) {
  static const int nhs[4] = {0, 1, 2, 3};
  HANDLE oh = NULL;
  struct model_h om;
  ROUTING_PROTOCOL_CONFIG none;
  DWORD ifx;
  int k;

  op_begin("final MFE table");
  check_table(0);
  check_table(1);
  for (ifx = 1; ifx <= 9; ifx++)
    for (k = 0; k < 4; k++) {
      DWORD nh = nhs[k] == 0   ? 0
                 : nhs[k] == 1 ? NH1
                 : nhs[k] == 2 ? NH2
                               : NH_ANCHOR;
      DWORD lp = 1, lc = 1, mp = 1, mc = 1;

      op_begin("final MgmGetProtocolOnInterface(%lu, %08lx)",
               (unsigned long)ifx, (unsigned long)nh);
      check_rc("MgmGetProtocolOnInterface",
               MgmGetProtocolOnInterface(ifx, nh, &lp, &lc),
               model_get_protocol(g_model, ifx, nh, &mp, &mc));
      if (lp != mp || lc != mc)
        fail("owner: libmgm %lu/%lu, model %lu/%lu", (unsigned long)lp,
             (unsigned long)lc, (unsigned long)mp, (unsigned long)mc);
    }
  /* Group enumeration needs a protocol handle: a callback-less observer. */
  memset(&none, 0, sizeof(none));
  op_begin("final observer registration");
  check_rc("MgmRegisterMProtocol",
           MgmRegisterMProtocol(&none, OBSERVER_PID, 0, &oh),
           model_register(g_model, 1, 0, OBSERVER_PID, 0, &om));
  check_groups_with(oh, om);
  check_rc("MgmDeRegisterMProtocol", MgmDeRegisterMProtocol(oh),
           model_deregister(g_model, om));
  check_calls();
}

/* Release everything every live client owns, then deregister it. */
static void cleanup_clients(void) {
  int i, n;
  DWORD pairs[2 * 64], lrc;

  for (i = 0; i < g_nh; i++) {
    struct model_h mh = g_h[i].mh;

    if (mh.kind != MODEL_H_PROTO || !model_handle_live(g_model, mh))
      continue;
    for (;;) {
      n = model_owned(g_model, mh.id, pairs, 64);
      if (n == 0)
        break;
      op_begin("cleanup: MgmReleaseInterfaceOwnership(client %d, %lu, %08lx)",
               mh.id, (unsigned long)pairs[0], (unsigned long)pairs[1]);
      lrc = MgmReleaseInterfaceOwnership(g_h[i].real, pairs[0], pairs[1]);
      check_rc("MgmReleaseInterfaceOwnership", lrc,
               model_release(g_model, mh, pairs[0], pairs[1]));
      if (lrc != NO_ERROR)
        fail("cleanup release refused");
      check_calls();
      check_table(0);
    }
    op_begin("cleanup: MgmDeRegisterMProtocol(client %d)", mh.id);
    lrc = MgmDeRegisterMProtocol(g_h[i].real);
    check_rc("MgmDeRegisterMProtocol", lrc, model_deregister(g_model, mh));
    if (lrc != NO_ERROR)
      fail("cleanup deregistration refused");
    check_calls();
  }
  free_dead_slots();
}

/* ---- Entry points
 * ------------------------------------------------------------------ */

/* Trace logging goes nowhere: the point is to run the formatting code. */
static void log_discard(void *ctx, int level, const char *channel,
                        const char *message) {
  (void)ctx;
  (void)level;
  (void)channel;
  if (message == NULL || channel == NULL)
    fail("log hook called with a NULL string");
  if (g_verbose >= 2)
    fprintf(stderr, "        libmgm %s: %s\n", channel, message);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  const char *v = getenv("MGM_FUZZ_VERBOSE");

  (void)argc;
  (void)argv;
  g_verbose = v && *v ? atoi(v) : 0;
  if (v && *v && g_verbose == 0 && strcmp(v, "0") != 0)
    g_verbose = 1;
  v = getenv("MGM_FUZZ_ANCHORED");
  g_force_anchored = v && *v && strcmp(v, "0") != 0;
  v = getenv("MGM_FUZZ_TOLERATE");
  if (v) {
    size_t k;

    for (k = 0; k < sizeof(TOL_NAMES) / sizeof(TOL_NAMES[0]); k++)
      if (strstr(v, TOL_NAMES[k]) || strcmp(v, "all") == 0)
        g_tolerate |= 1u << k;
  }
  init_sets();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct rd r = {data, size, 0};
  struct libmgm_config cfg;
  uint8_t mode;
  int anchored, i;
  struct model_h anchor_m = {0, -1};
  HANDLE anchor_h = NULL;
  DWORD rc;

  if (NH1 == 0)
    init_sets();
  mode = u8(&r);
  g_seed = mix(mode, u8(&r));
  anchored = g_force_anchored || (g_tolerate & TOL_SLOTS) || !(mode & 0x80);
  init_routes(anchored);
  g_op = -1;
  op_begin("start (anchored %d, default route %d, trace log %d, seed %08x)",
           anchored, (mode & 1) != 0, (mode & 0x40) != 0, g_seed);

  libmgm_config_init(&cfg);
  cfg.backend = "sim";
  cfg.log = (mode & 0x40) || g_verbose >= 2 ? "trace" : "none";
  if ((mode & 0x40) || g_verbose >= 2)
    cfg.log_fn = log_discard;
  rc = libmgm_start(&cfg);
  if (rc != NO_ERROR)
    fail("libmgm_start returned %lu", (unsigned long)rc);
  g_model = model_new(model_cb, NULL);
  for (i = 0; i < NSLOT; i++) {
    g_slot_client[i] = -1;
    g_slot_handle[i] = NULL;
  }
  g_nh = 0;
  g_nregs = 0;
  memset(&g_last_key, 0, sizeof(g_last_key));
  for (i = 0; i < N_ROUTES; i++) {
    if (i == N_ROUTES - 1 && !(mode & 1))
      continue; /* the default route only in some inputs */
    if (libmgm_sim_route_add(ROUTES[i].net, ROUTES[i].mask, ROUTES[i].ifx,
                             ROUTES[i].up, ROUTES[i].proto) != NO_ERROR)
      fail("libmgm_sim_route_add");
    model_route_set(g_model, ROUTES[i].net, ROUTES[i].mask, ROUTES[i].ifx,
                    ROUTES[i].up, ROUTES[i].proto);
  }
  if (anchored) {
    /* A callback-less client owning (i, NH_ANCHOR) on every interface of
     * the set gives each ifindex a forwarder slot for the whole input. */
    ROUTING_PROTOCOL_CONFIG none;

    memset(&none, 0, sizeof(none));
    check_rc("anchor MgmRegisterMProtocol",
             MgmRegisterMProtocol(&none, ANCHOR_PID, 0, &anchor_h),
             model_register(g_model, 1, 0, ANCHOR_PID, 0, &anchor_m));
    for (i = 1; i <= 6; i++)
      check_rc("anchor MgmTakeInterfaceOwnership",
               MgmTakeInterfaceOwnership(anchor_h, (DWORD)i, NH_ANCHOR),
               model_take(g_model, anchor_m, (DWORD)i, NH_ANCHOR));
  }

  for (g_op = 0; g_op < MAX_OPS && r.i < r.n; g_op++) {
    uint8_t op = u8(&r);

    switch (op % 20) {
    case 0:
    case 1:
      op_register(&r);
      break;
    case 2:
      op_deregister(&r);
      break;
    case 3:
    case 4:
      op_take_release(&r, 1);
      break;
    case 5:
      op_take_release(&r, 0);
      break;
    case 6:
      op_get_protocol(&r);
      break;
    case 7:
    case 8:
    case 9:
      op_membership(&r, 1);
      break;
    case 10:
    case 11:
      op_membership(&r, 0);
      break;
    case 12:
    case 13:
      op_inject(&r, anchored);
      break;
    case 14:
      op_advance(&r);
      break;
    case 15:
      op_mfe_read(&r, (op / 20) % 3);
      break;
    case 16:
      op_set_mfe(&r);
      break;
    case 17:
      switch ((op / 20) % 3) {
      case 0:
        op_enum_start(&r);
        break;
      case 1:
        op_enum_next(&r);
        break;
      default:
        op_enum_end(&r);
        break;
      }
      break;
    case 18:
      op_route(&r, anchored);
      break;
    default:
      op_mfe_read(&r, 1);
      break;
    }
    check_calls();
    check_table(0);
  }

  g_op = MAX_OPS;
  final_checks();
  cleanup_clients();
  if (anchored) {
    for (i = 1; i <= 6; i++)
      check_rc("anchor MgmReleaseInterfaceOwnership",
               MgmReleaseInterfaceOwnership(anchor_h, (DWORD)i, NH_ANCHOR),
               model_release(g_model, anchor_m, (DWORD)i, NH_ANCHOR));
    check_rc("anchor MgmDeRegisterMProtocol", MgmDeRegisterMProtocol(anchor_h),
             model_deregister(g_model, anchor_m));
    check_calls();
  }
  rc = libmgm_stop();
  if (rc != NO_ERROR)
    fail("libmgm_stop returned %lu", (unsigned long)rc);
  model_free(g_model);
  g_model = NULL;
  return 0;
}
