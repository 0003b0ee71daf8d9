/*
 * core.h - libmgm's portable core: the instance object and everything the
 * core modules share.
 *
 * SPDX-License-Identifier: MIT
 *
 * DOC: one `struct mgm_core` per router instance holds all MGM state
 * (mgm-spec.md 2.0): the client registry, the interface table with owners
 * and IGMP co-owners, the membership table with latent IGMP joins, the MFE
 * cache (ordered by group then source), the expiry heap, the handle table,
 * and the backend + loop driver.  One mutex (`lock`) guards it all.  State
 * changes happen under the lock and queue callbacks into a `struct
 * mgm_batch`; the batch is delivered after the lock is released
 * (dispatch.c).  Nothing in src/core includes an OS header: the Win32 types
 * come from mgm.h's prerequisites (compat/ off Windows), time and kernel
 * access come from the backend seam.
 */
#ifndef MGM_CORE_H
#define MGM_CORE_H

#include <assert.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include <windows.h>
#include <iprtrmib.h>
#include <mgm.h>
#include <libmgm.h>

#include "platform/alloc.h" /* mgm__malloc & co., shared with the sim */
#include "platform/platform.h"
#include "platform/simctl.h"
#include "platform/loop.h"

/* Inlining on the hot paths of the API (GCC and Clang, MinGW included):
 * a call there is short enough that a function call's prologue and
 * argument shuffling would be a good part of its cost. */
#define MGM_INLINE static inline __attribute__((always_inline))
#define MGM_NOINLINE __attribute__((noinline))

/* ---- Small containers (util.c) ---------------------------------------- */

/* B+ tree from 64-bit keys to pointers (btree.c): ordered walks read the
 * values leaf by leaf, in sequence.  A position is invalid after any
 * insertion or removal. */
#define MGM_BT_MAX 32 /* keys per node */
struct mgm_bt_node {
  uint32_t n;                /* keys in use */
  uint32_t leaf;             /* values below, not children */
  struct mgm_bt_node *next;  /* leaf: the next leaf in key order */
  uint64_t key[MGM_BT_MAX];  /* sorted */
  void *ptr[MGM_BT_MAX + 1]; /* leaf: n values; inner: n + 1 children */
};
struct mgm_btree {
  struct mgm_bt_node *root;  /* NULL when empty */
  struct mgm_bt_node *spare; /* nodes kept for the next insertion */
  size_t count;              /* keys */
  uint64_t mods;             /* insertions and removals so far */
  uint32_t height, n_spare;  /* levels (0 when empty), spares */
};
struct mgm_bt_pos {
  struct mgm_bt_node *leaf; /* NULL: past the end */
  uint32_t i;
};
void *mgm__bt_find(const struct mgm_btree *t, uint64_t key);
/* 0 inserted, 1 the key is there already (unchanged), -1 out of memory
 * (unchanged). */
int mgm__bt_insert(struct mgm_btree *t, uint64_t key, void *val);
/* The value removed, or NULL if the key was absent. */
void *mgm__bt_remove(struct mgm_btree *t, uint64_t key);
/* Position at the first key >= key (at the first key): 1, or 0 if none. */
int mgm__bt_ceil(const struct mgm_btree *t, uint64_t key,
                 struct mgm_bt_pos *pos);
int mgm__bt_first(const struct mgm_btree *t, struct mgm_bt_pos *pos);
void mgm__bt_destroy(struct mgm_btree *t);
static inline uint64_t mgm__bt_key(const struct mgm_bt_pos *p) {
  return p->leaf->key[p->i];
}
static inline void *mgm__bt_val(const struct mgm_bt_pos *p) {
  return p->leaf->ptr[p->i];
}
/* The next position: 1, or 0 past the end. */
static inline int mgm__bt_step(struct mgm_bt_pos *p) {
  if (++p->i == p->leaf->n) {
    p->leaf = p->leaf->next;
    p->i = 0;
  }
  return p->leaf != NULL;
}

/* Chained hash table with intrusive links, keyed by 64 bits. */
struct mgm_hnode {
  struct mgm_hnode *next;
  uint64_t key;
};
struct mgm_hash {
  struct mgm_hnode **b; /* buckets */
  size_t mask;          /* nbuckets - 1 */
  size_t count;
};
int mgm__hash_init(struct mgm_hash *h, size_t nbuckets);
void mgm__hash_free(struct mgm_hash *h);
int mgm__hash_insert(struct mgm_hash *h, struct mgm_hnode *n);
void mgm__hash_remove(struct mgm_hash *h, struct mgm_hnode *n);
/* Iterate: pass NULL first. */
struct mgm_hnode *mgm__hash_next(const struct mgm_hash *h,
                                 const struct mgm_hnode *n);

/* 64-bit finaliser (MurmurHash3 fmix64): the open-addressing tables'
 * hash (group.c, mfeidx.h). */
static inline uint64_t mgm__mix64(uint64_t key) {
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdULL;
  key ^= key >> 33;
  key *= 0xc4ceb9fe1a85ec53ULL;
  key ^= key >> 33;
  return key;
}

/* The bucket of key in h. */
static inline size_t mgm__hash_slot(const struct mgm_hash *h, uint64_t key) {
  return (size_t)mgm__mix64(key) & h->mask;
}

/* Inline: it is on the path of every membership call (member.c). */
static inline struct mgm_hnode *mgm__hash_find(const struct mgm_hash *h,
                                               uint64_t key) {
  struct mgm_hnode *n;

  if (h->b == NULL)
    return NULL;
  for (n = h->b[mgm__hash_slot(h, key)]; n; n = n->next)
    if (n->key == key)
      return n;
  return NULL;
}

/* Grow a dynamic array to hold at least `need` elements. */
int mgm__vec_reserve(void **v, uint32_t *cap, uint32_t need, size_t elem);

/* Network to host order without OS headers; compiles to one bswap. */
static inline uint32_t mgm__ntohl(uint32_t x) {
  const uint8_t *p = (const uint8_t *)&x;

  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

/* ---- Logging (log.c) ---------------------------------------------------- */

enum mgm_chan {
  MGM_CH_API,    /* every export's arguments */
  MGM_CH_CORE,   /* state changes */
  MGM_CH_MFE,    /* MFE creation, updates, expiry */
  MGM_CH_CB,     /* callbacks delivered */
  MGM_CH_PLAT,   /* backend operations and events */
  MGM_CH_STRICT, /* misuse reports */
  MGM_CH_COUNT
};

struct mgm_log {
  uint8_t level[MGM_CH_COUNT]; /* per channel, enum libmgm_log_level */
  libmgm_log_fn fn;            /* NULL = stderr */
  void *ctx;                   /* for fn */
};

void mgm__log_init(struct mgm_log *log, const char *spec, libmgm_log_fn fn,
                   void *ctx);
void mgm__log(const struct mgm_log *log, int level, enum mgm_chan ch,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));
const char *mgm__log_chan_name(enum mgm_chan ch);

#define MGM_LOG_ON(core, lvl, ch) ((core)->log.level[ch] >= (lvl))
#define MGM_LOGX(core, lvl, ch, ...)                                           \
  do {                                                                         \
    if (MGM_LOG_ON(core, lvl, ch))                                             \
      mgm__log(&(core)->log, lvl, ch, __VA_ARGS__);                            \
  } while (0)
#define MGM_TRACE(core, ch, ...)                                               \
  MGM_LOGX(core, LIBMGM_LOG_TRACE, ch, __VA_ARGS__)
#define MGM_INFO(core, ch, ...) MGM_LOGX(core, LIBMGM_LOG_INFO, ch, __VA_ARGS__)
#define MGM_WARN(core, ch, ...) MGM_LOGX(core, LIBMGM_LOG_WARN, ch, __VA_ARGS__)
#define MGM_ERR(core, ch, ...) MGM_LOGX(core, LIBMGM_LOG_ERROR, ch, __VA_ARGS__)

/* ---- Objects ------------------------------------------------------------- */

enum mgm_htype { MGM_H_FREE = 0, MGM_H_PROTO = 1, MGM_H_ENUM = 2 };

struct mgm_hslot {
  uint64_t gen;       /* generation of the live cookie; 0 when free */
  uint8_t type;       /* enum mgm_htype */
  void *obj;          /* the protocol or enumeration */
  uint32_t next_free; /* free list link (slot index + 1; 0 = end) */
};

struct mgm_handles {
  struct mgm_hslot *slot; /* table */
  uint32_t n, cap;        /* used slots, allocated slots */
  uint32_t free_head;     /* first free slot + 1; 0 = none */
};

/* A registered client (MgmRegisterMProtocol). */
struct mgm_proto {
  atomic_int refs;             /* registry + in-flight callback batches */
  atomic_int dead;             /* deregistered: no more callbacks */
  DWORD pid;                   /* protocol id */
  DWORD cid;                   /* component id */
  ROUTING_PROTOCOL_CONFIG cfg; /* copy of the caller's callbacks */
  uint64_t seq;                /* registration order */
  uint16_t idx;                /* small id used in membership records */
  int igmp;                    /* IGMP-type client (D-IGMP-ID) */
  uint32_t n_owned;            /* interfaces owned or IGMP-co-owned */
  uintptr_t handle;            /* its cookie */
  struct mgm_enum *enums;      /* open group enumerations */
};

/* A group enumeration (MgmGroupEnumerationStart). */
struct mgm_enum {
  struct mgm_proto *owner;  /* client that opened it */
  struct mgm_enum *next;    /* in owner's list */
  SOURCE_GROUP_ENTRY *snap; /* snapshot taken at Start */
  uint32_t n;               /* entries in snap */
  uint32_t pos;             /* next entry to return */
  uintptr_t handle;         /* its cookie */
};

/* Interface record: key = exact (ifindex, next hop) pair. */
struct mgm_if {
  struct mgm_hnode h;        /* key: ifindex << 32 | nexthop */
  uint32_t ifindex;          /* interface index */
  uint32_t nexthop;          /* next hop (p2mp link) or 0 */
  struct mgm_proto *owner;   /* routing-protocol owner */
  struct mgm_proto *igmp;    /* IGMP co-owner */
  struct mgm_proto *pending; /* taker in the middle of 2.6 */
  int igmp_disabled;         /* D-IGMP-WINDOW */
};

/* Per-ifindex forwarder slot state (one VIF per ifindex in use). */
struct mgm_slot {
  struct mgm_hnode h; /* key: ifindex */
  uint32_t refs;      /* interface records with this ifindex */
  int attached;       /* backend if_attach succeeded */
  int gone; /* vanished while attached: no MFE lists it until it is back */
};

/* One membership: interface and contributing client. */
struct mgm_member {
  uint32_t ifindex;
  uint32_t nexthop;
  uint16_t pidx; /* mgm_proto.idx */
};

/* Membership entry E: (S,G), (*,G) or (*,*) after normalisation.  Entries
 * live inside the slots of the membership table (group.c: open addressing,
 * 32-byte slots aligned so that none straddles a cache line, no allocation
 * per entry), so an entry moves when another one is added or removed:
 * never keep a pointer to an entry across such a change (mgm__grp_find
 * again).  Most entries hold one membership, in `one`; a second one, and
 * any latent join, move out of line to `ext`. */
struct mgm_grp {
  uint32_t src;          /* 0 = any source */
  uint32_t grp;          /* 0 = any group ((*,*)) */
  struct mgm_member one; /* the membership, if n_one (and no ext->mem) */
  uint8_t used;          /* slot state (group.c: free, live, deleted) */
  uint8_t n_one;         /* 0 or 1: memberships in `one` */
  struct mgm_gext *ext;  /* NULL, or what does not fit in the slot */
};

/* Latent joins of an entry (rare: kept out of line), sorted like mem. */
struct mgm_lat {
  uint32_t n, cap;
  struct mgm_member v[];
};

/* An entry's out-of-line part. */
struct mgm_gext {
  struct mgm_member *mem;  /* the memberships when cap_mem > 0 */
  uint32_t n_mem, cap_mem; /* cap_mem 0: they are in the slot's `one` */
  struct mgm_lat *lat;     /* latent IGMP joins (D-LOCAL), or NULL */
};

/* E's effective memberships, sorted (ifindex, nexthop, pidx). */
static inline const struct mgm_member *mgm__grp_mem(const struct mgm_grp *e) {
  return e->ext && e->ext->cap_mem ? e->ext->mem : &e->one;
}
static inline uint32_t mgm__grp_n_mem(const struct mgm_grp *e) {
  return e->ext && e->ext->cap_mem ? e->ext->n_mem : e->n_one;
}

/* E's latent joins and their number. */
static inline const struct mgm_member *mgm__grp_lat(const struct mgm_grp *e) {
  return e->ext && e->ext->lat ? e->ext->lat->v : NULL;
}
static inline uint32_t mgm__grp_n_lat(const struct mgm_grp *e) {
  return e->ext && e->ext->lat ? e->ext->lat->n : 0;
}

struct mgm_grp_table {
  struct mgm_grp *s; /* slots, capacity mask + 1; NULL when empty */
  void *mem;         /* the allocation s is aligned within */
  size_t mask;
  size_t count; /* live entries */
  size_t dead;  /* tombstones */
};

struct mgm_oifent {
  uint32_t ifindex;
  uint32_t nexthop;
};

/* What MgmGetMfe reports of an MFE besides its key and outgoing list. */
struct mgm_mfe_rec {
  uint32_t iif;      /* incoming interface */
  uint32_t upstream; /* dwUpStrmNgbr */
  uint32_t in_proto; /* dwInIfProtocol */
  uint32_t route_proto, route_net, route_mask;
  uint32_t timeout_s;  /* ulTimeOut */
  uint32_t n_oif;      /* outgoing interfaces */
  uint64_t created_ms; /* backend clock */
  uint64_t expire_ms;  /* deadline */
};

/* Multicast forwarding entry (always a specific (S,G), D-MFE-SG).  After
 * changing `rec` or the outgoing list, mfe.c republishes them to the MFE
 * index (mgm__mfeidx_publish). */
struct mgm_mfe {
  uint32_t src, grp;           /* network order */
  struct mgm_mfe_rec rec;      /* reported fields */
  struct mgm_oifent *oif;      /* sorted (ifindex, nexthop); &one_oif or heap */
  struct mgm_oifent one_oif;   /* inline storage while cap_oif is 0 */
  uint32_t cap_oif;            /* 0: oif is &one_oif (room for one) */
  uint32_t iif_nh;             /* incoming interface's next hop */
  uint32_t arr_iif;            /* where the first packet arrived */
  uint32_t heap_idx;           /* position in the expiry heap */
  int installed;               /* in the forwarder */
  uint64_t id;                 /* unique, for applying callback outputs */
  uint64_t wrongif_ms[4];      /* D-WRONGIF rate limit: last alert time */
  uint32_t wrongif_if[4];      /* ...per arrival interface; 0 = unused */
  struct mgm_mfe *zombie_next; /* in c->zombies (mfe.c) */
};

/* The MFE index (mfeidx.c): open addressing by (S, G).  A slot holds, beside
 * the key and the MFE, a copy of what MgmGetMfe returns for an MFE with at
 * most one outgoing interface, so that the common lookup reads one slot
 * and not the MFE (one dependent cache miss instead of two). */
struct mgm_mfe_slot {
  uint32_t src, grp;      /* key, network order */
  struct mgm_mfe *m;      /* NULL: empty slot */
  struct mgm_mfe_rec rec; /* copy of m->rec */
  struct mgm_oifent oif0; /* copy of m->oif[0] when rec.n_oif is 1 */
};
struct mgm_mfe_index {
  struct mgm_mfe_slot *s; /* capacity mask + 1, or NULL when empty */
  size_t mask;
  size_t count;
};

/* ---- Callback batches (batch.c) and their delivery (dispatch.c) ------- */

enum mgm_cb {
  MGM_CB_RPF,
  MGM_CB_CREATION,
  MGM_CB_PRUNE,
  MGM_CB_JOIN,
  MGM_CB_WRONGIF,
  MGM_CB_LOCAL_JOIN,
  MGM_CB_LOCAL_LEAVE,
  MGM_CB_DISABLE_IGMP,
  MGM_CB_ENABLE_IGMP
};

struct mgm_call {
  uint8_t kind;             /* enum mgm_cb */
  struct mgm_proto *p;      /* referenced target */
  DWORD s, smask, g, gmask; /* source/group as passed */
  DWORD ifx, nh;            /* interface; RPF: the callback may change them */
  BOOL flag;                /* bMemberUpdate / bMemberDelete */
  DWORD up;                 /* RPF: upstream neighbour, passed and returned */
  uint64_t mfe_id;          /* negative prune: MFE to re-arm */
  const void *hdr;          /* wrong-if, RPF: packet header (batch-owned) */
  void *buf;                /* RPF: RTM_DEST_INFO; creation: MGM_IF_ENTRY[] */
  DWORD hdrlen;             /* bytes at hdr */
  DWORD n_if;               /* creation: entries at buf */
};

struct mgm_batch {
  struct mgm_call *v; /* calls in commit order */
  uint32_t n, cap;
  uint32_t lost;           /* calls dropped: no memory to queue them */
  struct mgm_call inl[16]; /* inline storage for the common case */
};

struct mgm_core;
static inline void mgm__batch_init(struct mgm_batch *b) {
  b->v = b->inl;
  b->n = 0;
  b->cap = (uint32_t)(sizeof(b->inl) / sizeof(b->inl[0]));
  b->lost = 0;
}
void mgm__batch_add(struct mgm_core *c, struct mgm_batch *b,
                    const struct mgm_call *call);
/* Room for n calls, so that a change that cannot be refused queues all of
 * its callbacks: 0, or -1 without memory. */
int mgm__batch_reserve(struct mgm_batch *b, uint32_t n);
void mgm__batch_truncate(struct mgm_batch *b, uint32_t n);
/* The name of callback kind `kind` (enum mgm_cb), for the log. */
const char *mgm__batch_cb_name(int kind);

/* dispatch.c: with the core lock NOT held, deliver b in order, then free
 * it (inline: most calls queue nothing).  dispatch.h: one callback. */
void mgm__dispatch_batch_all(struct mgm_core *c, struct mgm_batch *b);
static inline void mgm__dispatch_batch(struct mgm_core *c,
                                       struct mgm_batch *b) {
  if (b->n != 0 || b->v != b->inl)
    mgm__dispatch_batch_all(c, b);
}

/* Thread-local callback context (re-entry detection, design.md 8.5). */
extern _Thread_local int mgm__tls_cb_depth;
extern _Thread_local int mgm__tls_cb_kind;

/* The Mgm* exports, named by the re-entry check (reentry.c). */
enum mgm_api {
  MGM_API_REGISTER,
  MGM_API_DEREGISTER,
  MGM_API_TAKE,
  MGM_API_RELEASE,
  MGM_API_GET_PROTOCOL,
  MGM_API_ADD_MEMBER,
  MGM_API_DEL_MEMBER,
  MGM_API_GET_MFE,
  MGM_API_GET_FIRST_MFE,
  MGM_API_GET_NEXT_MFE,
  MGM_API_GET_MFE_STATS,
  MGM_API_GET_FIRST_MFE_STATS,
  MGM_API_GET_NEXT_MFE_STATS,
  MGM_API_SET_MFE,
  MGM_API_ENUM_START,
  MGM_API_ENUM_GET_NEXT,
  MGM_API_ENUM_END,
  MGM_API_COUNT
};

/* ---- The instance -------------------------------------------------------- */

enum mgm_state {
  MGM_STOPPED = 0,
  MGM_STARTING,
  MGM_RUNNING,
  MGM_STOPPING,
  MGM_FAILED /* auto-start failed; Mgm* calls give 1003 until a start */
};

struct mgm_core {
  pthread_mutex_t lock; /* THE core lock */
  atomic_int state;     /* enum mgm_state */
  atomic_int active;    /* API calls in progress */
  atomic_int selected;  /* threads that selected this instance */
  int is_default;       /* the process's default instance */

  /* configuration */
  char backend_name[16]; /* "sim", "linux", ... */
  uint32_t table;        /* kernel table */
  uint32_t lifetime_s;   /* default MFE lifetime */
  int strict;            /* LIBMGM_STRICT */
  int wrongif_alerts;    /* D-WRONGIF enabled */
  int bigmp_membership;  /* D-BIGMP alternative meaning */
  struct mgm_log log;    /* channels, levels, sink */
  /* per export: callback kinds (bits) whose re-entry was warned of */
  atomic_uint reentry_warned[MGM_API_COUNT];

  /* platform */
  const struct mgm_backend_ops *be_ops; /* vtable */
  struct mgm_backend *be;               /* backend instance */
  struct mgm_be_caps caps;              /* its capabilities */
  const struct mgm_loop_ops *loop_ops;
  struct mgm_loop *loop; /* loop driver */
  int loop_host;         /* attached to a host libuv loop (no own thread) */
  int wrongif_on;        /* wrong-if upcalls currently requested */
  int64_t armed_ms;      /* deadline last given to the loop, -1 */
  int wake_open;         /* the backend's wake upcall posts drains */
  int wake_posted;       /* a drain it posted has not started yet */

  /* state (mgm-spec 2.0) */
  struct mgm_handles handles; /* protocol and enumeration cookies */
  struct mgm_proto **protos;  /* registry in registration order */
  uint32_t n_protos, cap_protos;
  uint32_t n_join_cb, n_prune_cb; /* protocols with a join/prune alert */
  /* Changes of effective memberships so far (member.c): a new flow's
   * outgoing candidates, computed before its callbacks ran, still hold
   * after them when this has not moved. */
  uint64_t mem_gen;
  struct mgm_proto **by_idx; /* pidx -> protocol (NULL = free) */
  uint32_t *idx_refs;        /* memberships naming each index */
  uint32_t cap_idx;
  uint64_t next_seq;         /* registration counter */
  struct mgm_hash ifs;       /* struct mgm_if by (ifindex, nexthop) */
  struct mgm_hash slots;     /* struct mgm_slot by ifindex */
  struct mgm_grp_table grps; /* membership entries by (src, grp) */
  struct mgm_btree mfes;     /* struct mgm_mfe by ntohl(G) << 32 | ntohl(S) */
  struct mgm_mfe_index mfe_idx; /* the same MFEs by (S, G), O(1) lookup */
  struct mgm_mfe **heap;        /* expiry min-heap */
  uint32_t heap_n, heap_cap;
  uint64_t next_mfe_id;       /* MFE identity counter */
  struct mgm_mfe *zombies;    /* deleted MFEs the forwarder kept (mfe.c) */
  uint64_t zombie_ms;         /* when to retry deleting them */
  libmgm_ctrl_fn ctrl_fn;     /* IGMP receive hook */
  void *ctrl_ctx;             /* its context */
  libmgm_if_fn if_fn;         /* interface event hook */
  void *if_ctx;               /* its context */
  libmgm_sim_tx_fn sim_tx_fn; /* sim: capture of libmgm_ctrl_send */
  void *sim_tx_ctx;           /* its context */
  /* With assertions on: the thread holding `lock` (mgm__lock_self), else 0;
   * last, so that the fields above keep their offsets. */
  atomic_uintptr_t lock_owner;
};

/* core.c (the top of the core): the instance lifecycle, entering it. */
DWORD mgm__core_enter(struct mgm_core **out);
/* Enter a given instance; autostart_ok lets the default one auto-start. */
DWORD mgm__core_enter_inst(struct mgm_core *c, int autostart_ok);
/* Resolve a harness's instance pointer (NULL = the default instance, which
 * may auto-start) and enter it; ERROR_INVALID_PARAMETER for a pointer that
 * is not a live instance. */
DWORD mgm__core_enter_public(struct libmgm_instance *inst,
                             struct mgm_core **out);
void mgm__core_leave(struct mgm_core *c);
/* The calling thread, as the address of one of its thread-locals. */
static inline uintptr_t mgm__lock_self(void) {
  return (uintptr_t)&mgm__tls_cb_depth;
}
/* Record the lock's owner (0: none); always 1, so that it can sit inside
 * assert() and cost nothing where assertions are compiled out (NDEBUG). */
static inline int mgm__lock_set_owner(struct mgm_core *c, uintptr_t who) {
  atomic_store_explicit(&c->lock_owner, who, memory_order_relaxed);
  return 1;
}
/* Does the calling thread hold c's lock?  Meaningful with assertions on. */
static inline int mgm__lock_mine(struct mgm_core *c) {
  return atomic_load_explicit(&c->lock_owner, memory_order_relaxed) ==
         mgm__lock_self();
}
/* The lock state a function requires (design.md 4 and 8): checked where
 * assertions are compiled in (Debug builds), nothing otherwise. */
#define MGM_ASSERT_LOCKED(c) assert(mgm__lock_mine(c))
#define MGM_ASSERT_UNLOCKED(c) assert(!mgm__lock_mine(c))
static inline void mgm__lock(struct mgm_core *c) {
  MGM_ASSERT_UNLOCKED(c); /* the mutex is not recursive: it would hang */
  pthread_mutex_lock(&c->lock);
  assert(mgm__lock_set_owner(c, mgm__lock_self()));
}
static inline void mgm__unlock(struct mgm_core *c) {
  MGM_ASSERT_LOCKED(c);
  assert(mgm__lock_set_owner(c, 0));
  pthread_mutex_unlock(&c->lock);
}
/* For assertions: is mu locked?  pthread names no owner, so this says "by
 * some thread"; it locks and unlocks mu when it was free. */
static inline int mgm__mutex_held(pthread_mutex_t *mu) {
  if (pthread_mutex_trylock(mu) != 0)
    return 1;
  pthread_mutex_unlock(mu);
  return 0;
}
DWORD mgm__core_start(struct mgm_core *c, const struct libmgm_config *cfg);
DWORD mgm__core_stop(struct mgm_core *c);
struct mgm_core *mgm__core_default(void);

/* misuse.c: log; in strict mode return `code`, else warn and return 0. */
DWORD mgm__misuse(struct mgm_core *c, DWORD code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* reentry.c: an Mgm* export `api` called with mgm__tls_cb_depth > 0;
 * NO_ERROR lets it proceed (mgm-spec G-4). */
DWORD mgm__reentry_check(struct mgm_core *c, enum mgm_api api);
void mgm__reentry_reset(struct mgm_core *c); /* at start */

/* upcall.c: the backend's events. */
extern const struct mgm_be_upcalls mgm__upcall_table; /* given at open */
/* Deliver every pending backend event (loop thread, lock not held): of
 * descriptor fd (-1: any); now_ms, the loop's wake time or 0 (loop.h). */
void mgm__upcall_drain(struct mgm_core *c, int fd, uint64_t now_ms);
void mgm__upcall_resync(void *c); /* a loop task: resync() */

/* onloop.c: the core on its loop thread. */
/* The instance whose loop callback (descriptor, timer, posted task) this
 * thread is running, for refusing a stop from inside one. */
extern _Thread_local struct mgm_core *mgm__onloop_core;
/* The loop driver's hooks (loop.h), but on_post (core.c). */
void mgm__onloop_readable(void *ctx, uint64_t now_ms);
void mgm__onloop_fd_readable(void *ctx, int fd, uint64_t now_ms);
void mgm__onloop_timer(void *ctx);
/* Keep the loop's timer on the earliest MFE deadline (lock held). */
void mgm__onloop_rearm(struct mgm_core *c);
/* Run fn on the loop thread and wait, then deliver the events it caused
 * (sim controls, start's resync). */
DWORD mgm__onloop_run(struct mgm_core *c, void (*fn)(void *), void *a);
/* The backend's wake upcall: post a drain to the loop thread (any thread,
 * never blocks).  Between gate(c, 1) and gate(c, 0) (core.c: from the
 * loop's open to its close) only; one posted drain at a time. */
void mgm__onloop_wake(struct mgm_core *c);
void mgm__onloop_wake_gate(struct mgm_core *c, int open);

/* backend.c: the wrappers of the backend's operations (platform.h), the
 * core's only way to them: lock state asserted, fault hook, NULL checks of
 * the optional ones, TRACE. */
/* Kinds of backend operation, for the fault hook.  The first six are enum
 * libmgm_sim_op's, the forwarder operations that libmgm_sim_fail_next and
 * tests/fault fail; LIBMGM_SIM_OP_ANY (0) matches those six only, the
 * others fail only when named. */
enum mgm_be_op {
  MGM_BE_OP_IF_ATTACH = LIBMGM_SIM_OP_IF_ATTACH,
  MGM_BE_OP_IF_DETACH = LIBMGM_SIM_OP_IF_DETACH,
  MGM_BE_OP_MFE_SET = LIBMGM_SIM_OP_MFE_SET,
  MGM_BE_OP_MFE_DEL = LIBMGM_SIM_OP_MFE_DEL,
  MGM_BE_OP_MFE_STATS = LIBMGM_SIM_OP_MFE_STATS,
  MGM_BE_OP_ROUTE = LIBMGM_SIM_OP_ROUTE,
  MGM_BE_OP_OPEN,
  MGM_BE_OP_FDS,
  MGM_BE_OP_DISPATCH, /* dispatch and dispatch_fd */
  MGM_BE_OP_RESYNC,
  MGM_BE_OP_FLUSH,
  MGM_BE_OP_SET_WRONGIF,
  MGM_BE_OP_CTRL_SEND,
  MGM_BE_OP_CONTROL
};
/* Test-only (tests/fault, not exported), like mgm__fault_alloc: count the
 * backend operations of kind op (enum mgm_be_op, or LIBMGM_SIM_OP_ANY) and
 * fail the nth with the MGM_BE_* code be_err before it reaches the
 * backend (nth 0: count only; -1: stop).  Returns the number counted since
 * the previous call. */
unsigned long mgm__be_fault(int op, long nth, int be_err);
/* Set-up, before the instance runs (no lock): c->be on success. */
int mgm__be_open(struct mgm_core *c, const struct mgm_be_config *cfg,
                 const struct mgm_be_upcalls *up);
void mgm__be_caps(struct mgm_core *c, struct mgm_be_caps *out);
int mgm__be_fds(struct mgm_core *c, int *fds, size_t *n);
/* Loop thread, lock not held (they make upcalls). */
int mgm__be_dispatch(struct mgm_core *c, unsigned budget, uint64_t now_ms);
int mgm__be_dispatch_fd(struct mgm_core *c, int fd, unsigned budget,
                        uint64_t now_ms);
int mgm__be_resync(struct mgm_core *c);
/* Lock held. */
void mgm__be_close(struct mgm_core *c); /* c->be = NULL */
int mgm__be_flush(struct mgm_core *c);
int mgm__be_if_attach(struct mgm_core *c, uint32_t ifindex);
int mgm__be_if_detach(struct mgm_core *c, uint32_t ifindex);
int mgm__be_mfe_set(struct mgm_core *c, const struct mgm_fwd *f);
int mgm__be_mfe_del(struct mgm_core *c, const struct mgm_mfe_key *k);
int mgm__be_mfe_stats(struct mgm_core *c, const struct mgm_mfe_key *k,
                      struct mgm_fwd_stats *out);
int mgm__be_route_lookup(struct mgm_core *c, uint32_t src, struct mgm_route *r);
uint64_t mgm__be_now_ms(struct mgm_core *c);
int mgm__be_set_wrongif(struct mgm_core *c, int on);
int mgm__be_ctrl_send(struct mgm_core *c, uint32_t ifindex, uint32_t dst,
                      const void *msg, size_t len);
int mgm__be_control(struct mgm_core *c, int op, void *arg, size_t len);
/* The core's clock: the backend's (lock held). */
static inline uint64_t mgm__now(struct mgm_core *c) {
  return mgm__be_now_ms(c);
}

/* instance.c: the registry of extra instances and thread selection. */
extern _Thread_local struct mgm_core *mgm__tls_inst; /* selected, or NULL */
void mgm__instance_lock(void);
void mgm__instance_unlock(void);
/* Is c a registered instance?  The caller holds the registry lock. */
int mgm__instance_live(const struct mgm_core *c);
DWORD mgm__instance_add(struct mgm_core *c);
void mgm__instance_remove(struct mgm_core *c);
/* libmgm_instance_select: c (NULL = the default) for the calling thread. */
DWORD mgm__instance_select(struct mgm_core *c);

/* config.c */
/* libmgm_config_init's values: zero, the size, the default MFE lifetime. */
void mgm__config_defaults(struct libmgm_config *cfg);
/* The defaults, then the environment's settings; buf (n bytes) holds the
 * backend name cfg->backend then points to. */
DWORD mgm__config_from_env(struct libmgm_config *cfg, char *buf, size_t n);

/* simctl.c: the libmgm_sim_* controls, through the backend's control()
 * (platform/simctl.h).  The caller entered c. */
/* Is c on the sim (the backend knows MGM_CTL_SIM_PROBE)?  Warns when not. */
int mgm__simctl_is_sim(struct mgm_core *c);
/* Control op with arg (len bytes) on c's loop thread, then every event it
 * caused delivered; ERROR_NOT_SUPPORTED off the sim. */
DWORD mgm__simctl_run(struct mgm_core *c, int op, void *arg, size_t len);
/* One router handles one packet, on c's loop thread, with what it caused
 * delivered; res = where the packet finally went there. */
DWORD mgm__simctl_inject(struct mgm_core *c, uint32_t ifindex, uint32_t src,
                         uint32_t grp, uint8_t ttl, uint32_t len,
                         struct mgm_sim_result *res);
DWORD mgm__simctl_inject_ctrl(struct mgm_core *c, uint32_t ifindex,
                              const BYTE *pkt, DWORD len);
DWORD mgm__simctl_set_tx_hook(struct mgm_core *c, libmgm_sim_tx_fn fn,
                              void *ctx);
/* Does c's forwarder know ifindex? */
int mgm__simctl_if_known(struct mgm_core *c, uint32_t ifindex);
void mgm__simctl_result(struct libmgm_sim_result *out,
                        const struct mgm_sim_result *in);

/* snapshot.c */
DWORD mgm__snapshot(struct mgm_core *c, struct libmgm_snapshot **out);

/* error.c: the MGM_BE_* table */
DWORD mgm__error_win32(int be_err);
/* The same for the backend's open(), where privilege, a busy table and a
 * missing feature have codes of their own. */
DWORD mgm__error_open_win32(int be_err);
const char *mgm__error_str(int be_err);

/* handle.c */
DWORD mgm__handle_alloc(struct mgm_core *c, uint8_t type, void *obj,
                        uintptr_t *cookie);
/* The object of a live cookie of that type, else NULL (inline: every call
 * with a handle starts here). */
static inline void *mgm__handle_get(struct mgm_core *c, uintptr_t cookie,
                                    uint8_t type) {
  const struct mgm_handles *h = &c->handles;
  uintptr_t slot = cookie & 0xFFFFu;
  uint64_t gen = (uint64_t)(cookie >> 16);

  if (slot == 0 || slot > h->n || gen == 0 || h->slot[slot - 1].gen != gen ||
      h->slot[slot - 1].type != type)
    return NULL;
  return h->slot[slot - 1].obj;
}
void mgm__handle_free(struct mgm_core *c, uintptr_t cookie);
void mgm__handles_destroy(struct mgm_handles *h);

/* protocol.c */
DWORD mgm__proto_register(struct mgm_core *c,
                          const ROUTING_PROTOCOL_CONFIG *cfg, DWORD pid,
                          DWORD cid, HANDLE *out);
DWORD mgm__proto_deregister(struct mgm_core *c, HANDLE h);
static inline struct mgm_proto *mgm__proto_get(struct mgm_core *c, HANDLE h) {
  return (struct mgm_proto *)mgm__handle_get(c, (uintptr_t)h, MGM_H_PROTO);
}
void mgm__proto_ref(struct mgm_proto *p);
void mgm__proto_unref(struct mgm_proto *p);
int mgm__proto_is_igmp_id(DWORD pid);
void mgm__protos_destroy(struct mgm_core *c);

/* iface.c */
static inline uint64_t mgm__if_key(uint32_t ifx, uint32_t nh) {
  return (uint64_t)ifx << 32 | nh;
}
/* The record of exactly (ifx, nh), or NULL. */
static inline struct mgm_if *mgm__if_find(struct mgm_core *c, uint32_t ifx,
                                          uint32_t nh) {
  return (struct mgm_if *)mgm__hash_find(&c->ifs, mgm__if_key(ifx, nh));
}
struct mgm_if *mgm__if_lookup(struct mgm_core *c, uint32_t ifx, uint32_t nh);
struct mgm_proto *mgm__if_owner(struct mgm_core *c, uint32_t ifx, uint32_t nh);
/* Does the record (ifx, nh) cover the link (lifx, lnh)?  The same pair,
 * or, for a record (i, 0), any link (i, x) with no record of its own: the
 * links whose owner lookup falls back to it (D-P2MP). */
int mgm__if_covers(struct mgm_core *c, uint32_t ifx, uint32_t nh, uint32_t lifx,
                   uint32_t lnh);
DWORD mgm__if_take(struct mgm_core *c, HANDLE h, DWORD ifx, DWORD nh);
DWORD mgm__if_release(struct mgm_core *c, HANDLE h, DWORD ifx, DWORD nh);
DWORD mgm__if_get_protocol(struct mgm_core *c, DWORD ifx, DWORD nh, PDWORD pid,
                           PDWORD cid);
int mgm__slot_attached(struct mgm_core *c, uint32_t ifindex);
int mgm__slot_gone(struct mgm_core *c, uint32_t ifindex);
void mgm__if_on_event(struct mgm_core *c, const struct mgm_if_event *ev);
void mgm__ifs_destroy(struct mgm_core *c);

/* group.c: the membership table (group.h: its helpers for member.c) */
struct mgm_grp *mgm__grp_find(struct mgm_core *c, uint32_t s, uint32_t g);
/* Iterate the entries in slot order: *pos = 0 first; NULL at the end.  The
 * table must not change during the walk. */
struct mgm_grp *mgm__grp_next(struct mgm_core *c, size_t *pos);
int mgm__grp_has_member(const struct mgm_grp *e, uint32_t ifx, uint32_t nh);
void mgm__grps_destroy(struct mgm_core *c);

/* member.c */
/* A membership call's arguments, as given. */
struct mgm_mreq {
  HANDLE h;
  DWORD s, sm, g, gm, ifx, nh, flags;
};
DWORD mgm__member_add(struct mgm_core *c, const struct mgm_mreq *q);
DWORD mgm__member_del(struct mgm_core *c, const struct mgm_mreq *q);
/* An upper bound of the callbacks purging p on (ifx, nh) can queue. */
uint32_t mgm__member_purge_calls(struct mgm_core *c, struct mgm_proto *p,
                                 uint32_t ifx, uint32_t nh);
/* Delete every effective membership of p on (ifx, nh), with side effects. */
void mgm__member_purge(struct mgm_core *c, struct mgm_proto *p, uint32_t ifx,
                       uint32_t nh, struct mgm_batch *b);
/* Drop latent memberships of IGMP client p (NULL: of every client) on the
 * links (ifx, nh) covers; local-leave to `notify` for each when non-NULL. */
void mgm__member_latent_purge(struct mgm_core *c, struct mgm_proto *p,
                              uint32_t ifx, uint32_t nh,
                              struct mgm_proto *notify, struct mgm_batch *b);

/* enum.c: group enumeration */
DWORD mgm__enum_start(struct mgm_core *c, HANDLE h, MGM_ENUM_TYPES t,
                      HANDLE *out);
DWORD mgm__enum_next(struct mgm_core *c, HANDLE e, PDWORD size, PBYTE buf,
                     PDWORD n);
DWORD mgm__enum_end(struct mgm_core *c, HANDLE e);
void mgm__enum_free(struct mgm_core *c, struct mgm_enum *e);

/* mfe.c (mfeidx.h, mfeheap.h: its index and expiry heap) */
struct mgm_mfe *mgm__mfe_find(struct mgm_core *c, uint32_t s, uint32_t g);
/* Visit MFEs covered by membership entry (s, g); s/g 0 are wildcards. */
typedef void (*mgm_mfe_visit_fn)(struct mgm_core *c, struct mgm_mfe *m,
                                 void *arg);
void mgm__mfe_foreach_covered(struct mgm_core *c, uint32_t s, uint32_t g,
                              mgm_mfe_visit_fn fn, void *arg);
int mgm__mfe_oif_add(struct mgm_core *c, struct mgm_mfe *m, uint32_t ifx,
                     uint32_t nh, struct mgm_batch *b);
int mgm__mfe_oif_del(struct mgm_core *c, struct mgm_mfe *m, uint32_t ifx,
                     uint32_t nh, struct mgm_batch *b);
int mgm__mfe_justified(struct mgm_core *c, const struct mgm_mfe *m,
                       uint32_t ifx, uint32_t nh);
void mgm__mfe_delete(struct mgm_core *c, struct mgm_mfe *m);
void mgm__mfe_delete_iif(struct mgm_core *c, uint32_t ifx, uint32_t nh);
void mgm__mfe_strip_oif(struct mgm_core *c, uint32_t ifx, uint32_t nh,
                        struct mgm_batch *b);
void mgm__mfe_reprogram_ifindex(struct mgm_core *c, uint32_t ifindex,
                                int drop_iif);
void mgm__mfe_strip_ifindex(struct mgm_core *c, uint32_t ifindex,
                            struct mgm_batch *b);
void mgm__mfe_restore_ifindex(struct mgm_core *c, uint32_t ifindex,
                              struct mgm_batch *b);
int mgm__mfe_install(struct mgm_core *c, struct mgm_mfe *m);
void mgm__mfe_rearm(struct mgm_core *c, uint32_t s, uint32_t g, uint64_t id,
                    DWORD timeout_s);
void mgm__mfe_expire_due(struct mgm_core *c);
int64_t mgm__mfe_next_deadline(struct mgm_core *c);
void mgm__mfe_on_no_entry(struct mgm_core *c, uint32_t iif, uint32_t s,
                          uint32_t g, const void *hdr, size_t hdrlen);
void mgm__mfe_on_wrong_if(struct mgm_core *c, uint32_t iif, uint32_t s,
                          uint32_t g, const void *hdr, size_t hdrlen);
void mgm__mfe_on_gone(struct mgm_core *c, const struct mgm_mfe_key *k,
                      enum mgm_mfe_gone why);
DWORD mgm__mfe_set_upstream(struct mgm_core *c, HANDLE h, PMIB_IPMCAST_MFE m);
void mgm__mfes_destroy(struct mgm_core *c);

/* mferead.c: the MFE read API */
DWORD mgm__mferead_get(struct mgm_core *c, int stats, DWORD flags,
                       PMIB_IPMCAST_MFE key, PDWORD size, PBYTE buf);
DWORD mgm__mferead_enum(struct mgm_core *c, int stats, DWORD flags,
                        PMIB_IPMCAST_MFE start, PDWORD size, PBYTE buf,
                        PDWORD n);

#define MGM_ALL_ONES 0xFFFFFFFFu
#define MGM_DEFAULT_LIFETIME_S 900u

#endif /* MGM_CORE_H */
