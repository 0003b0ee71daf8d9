/*
 * igmp_int.h - internal state of the IGMP component, shared by its files.
 *
 * SPDX-License-Identifier: MIT
 *
 * Layout: pkt.c parses and builds IGMP messages (pure functions);
 * router.c is the downstream router (querier election, RFC 3376 6 group
 * and source state, RFC 2236 as a subset); host.c is the proxy upstream
 * host side (RFC 3376 5, RFC 2236 3, RFC 4605 4.1 merging); mgmglue.c
 * registers with MGM, owns interfaces, reconciles memberships and takes
 * the disable/enable callbacks; igmp.c is the life cycle, the dispatch of
 * input and timers, and introspection, and the only file with the public
 * entry points; igio.c logs, sends and draws random delays through the
 * host's io; iftable.c finds interfaces; hook.c binds the defaults to
 * libmgm (libmgm_ctrl_send, the backend clock).  The other files call
 * the helpers, never igmp.c.  Nothing here includes an OS header.
 */
#ifndef MGM_IGMP_INT_H
#define MGM_IGMP_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "igmp.h"

#define NEVER MGM_IGMP_NEVER
#define IG_MAX_IFS 256             /* interfaces per instance (mailbox slots) */
#define IG_MAX_MSG 1400            /* largest IGMP message we build */
#define IG_ALL_SYSTEMS 0xE0000001u /* 224.0.0.1, host order */
#define IG_ALL_ROUTERS 0xE0000002u /* 224.0.0.2 */
#define IG_V3_REPORTS 0xE0000016u  /* 224.0.0.22 */

/* IGMP message types */
#define IGMP_QUERY 0x11
#define IGMP_V1_REPORT 0x12
#define IGMP_V2_REPORT 0x16
#define IGMP_V2_LEAVE 0x17
#define IGMP_V3_REPORT 0x22

/* IGMPv3 group record types (RFC 3376 4.2.12) */
#define REC_IS_IN 1
#define REC_IS_EX 2
#define REC_TO_IN 3
#define REC_TO_EX 4
#define REC_ALLOW 5
#define REC_BLOCK 6

/* ---- Byte order without OS headers --------------------------------------- */

/* An address as it lies in memory (network order) <-> its numeric value. */
static inline uint32_t ig_ntohl(uint32_t n) {
  const uint8_t *p = (const uint8_t *)&n;

  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
         ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline uint32_t ig_htonl(uint32_t h) {
  uint32_t n;
  uint8_t *p = (uint8_t *)&n;

  p[0] = (uint8_t)(h >> 24);
  p[1] = (uint8_t)(h >> 16);
  p[2] = (uint8_t)(h >> 8);
  p[3] = (uint8_t)h;
  return n;
}

static inline uint32_t ig_get32(const uint8_t *p) { /* keeps network order */
  uint32_t n;
  uint8_t *q = (uint8_t *)&n;

  q[0] = p[0];
  q[1] = p[1];
  q[2] = p[2];
  q[3] = p[3];
  return n;
}

static inline void ig_put32(uint8_t *p, uint32_t n) { /* n in network order */
  const uint8_t *q = (const uint8_t *)&n;

  p[0] = q[0];
  p[1] = q[1];
  p[2] = q[2];
  p[3] = q[3];
}

static inline uint64_t ig_min64(uint64_t a, uint64_t b) {
  return a < b ? a : b;
}

/* ---- Packets (pkt.c)
 * --------------------------------------------------------- */

enum ig_parse_rc {
  PK_OK = 0,
  PK_MALFORMED,
  PK_TRUNCATED,
  PK_BADSUM,
  PK_BADTTL,
  PK_IGNORED /* well formed but not for us (unknown type, odd query) */
};

struct ig_pkt {
  const char *why;   /* a refused packet: the reason, for a log line */
  uint32_t src, dst; /* network order (also set for most refusals) */
  uint8_t ttl;
  uint8_t type;
  uint32_t group; /* network order (query, v1/v2 messages) */
  /* queries */
  int qver;             /* 1, 2, 3 */
  uint32_t max_resp_ms; /* v1: 10000 */
  int sflag;
  uint8_t qrv;
  uint32_t qqi_s;
  uint32_t nsrc;
  const uint8_t *srcs; /* nsrc addresses, 4 bytes each */
  /* v3 reports: records, already bounds-checked */
  uint32_t nrec;
  const uint8_t *recs;
  size_t recs_len;
};

struct ig_rec {
  uint8_t type;
  uint32_t group; /* network order */
  uint32_t nsrc;
  const uint8_t *srcs;
};

uint16_t ig_cksum(const uint8_t *p, size_t len);
int ig_parse(const uint8_t *pkt, size_t len, int require_ttl1,
             struct ig_pkt *out);
/* Walk the records of a parsed v3 report: *off starts at 0. */
int ig_rec_next(const struct ig_pkt *pk, size_t *off, struct ig_rec *out);
uint8_t ig_code_encode(uint32_t value);    /* RFC 3376 4.1.1 float, rounded
                                              down (Max Resp Code) */
uint8_t ig_code_encode_up(uint32_t value); /* rounded up (QQIC, 4.1.7) */
uint32_t ig_code_decode(uint8_t code);

size_t ig_build_v12(uint8_t *buf, uint8_t type, uint8_t code, uint32_t group);
/* v3 query with up to n sources; returns its length. */
size_t ig_build_v3_query(uint8_t *buf, uint32_t max_resp_ms, uint32_t group,
                         int sflag, uint32_t qrv, uint32_t qqi_s,
                         const uint32_t *srcs, uint32_t n);
/* v3 report built incrementally */
struct ig_v3b {
  uint8_t buf[IG_MAX_MSG];
  size_t len;
  uint32_t nrec;
};
void ig_v3b_init(struct ig_v3b *b);
size_t ig_v3b_room(
    const struct ig_v3b *b); /* sources that still fit in a new record */
void ig_v3b_add(struct ig_v3b *b, uint8_t type, uint32_t group,
                const uint32_t *srcs, uint32_t n);
size_t ig_v3b_finish(struct ig_v3b *b);
#define IG_MAX_QSRC ((IG_MAX_MSG - 12) / 4)

/* ---- Log lines ------------------------------------------------------------
 */

#define IG_LOG_ERROR 1 /* enum libmgm_log_level values */
#define IG_LOG_WARN 2
#define IG_LOG_INFO 4
#define IG_LOG_DEBUG 5
#define IG_NAME_MAX 32 /* an interface name in a log line */
#define IG_ADDR_MAX 16 /* a dotted address */
#define IG_ERR_MAX 48  /* "ERROR_NOT_ENOUGH_MEMORY (8)" */

/* A kind of log line that a peer can cause over and over: at most one
 * line per interval; the next line says how many were held back. */
struct ig_lim {
  uint64_t next; /* earliest time of the next line, once armed */
  uint32_t held; /* lines held back since the last one */
  uint8_t armed;
};

enum ig_lim_kind {
  IG_LIM_DROP_SUM,    /* packet with a bad checksum */
  IG_LIM_DROP_TTL,    /* packet with a TTL other than 1 */
  IG_LIM_DROP_FORM,   /* malformed or truncated packet */
  IG_LIM_VERSION,     /* a report of a version not spoken here */
  IG_LIM_SSM,         /* an any-source request in the SSM range */
  IG_LIM_OLD_QUERIER, /* RFC 3376 7.3.1 warning */
  IG_LIM_N
};
#define IG_LIM_DEBUG_MS 10000u /* debug lines about dropped packets */
#define IG_LIM_WARN_MS 600000u /* the older-querier warning */

/* ---- State --------------------------------------------------------------- */

struct ig_src {
  uint32_t addr;   /* network order */
  uint64_t timer;  /* source timer; NEVER = not running (EXCLUDE's Y) */
  uint32_t rexmit; /* group-and-source query retransmissions left */
  uint8_t in_mgm;  /* (S,G) held in MGM */
};

/* Downstream group (router side, RFC 3376 6.2.1). */
struct ig_group {
  uint32_t addr;
  int mode;       /* MGM_IGMP_INCLUDE / MGM_IGMP_EXCLUDE */
  uint64_t timer; /* group timer (EXCLUDE); NEVER */
  uint64_t v1_host_until, v2_host_until;
  uint32_t last_reporter;
  uint32_t gq_rexmit; /* Q(G) still to send */
  uint64_t q_next;    /* next Q(G)/Q(G,S) transmission */
  uint8_t star_in_mgm;
  uint32_t n_src, cap_src;
  struct ig_src *src; /* ascending ntohl */
};

/* Proxy upstream membership record (RFC 3376 5 host state). */
struct ig_delta {
  uint32_t addr;
  uint8_t allow; /* 1 ALLOW, 0 BLOCK */
  uint32_t left; /* retransmissions left */
};

struct ig_ugrp {
  uint32_t addr;
  int mode; /* INCLUDE with 0 sources = leaving */
  uint32_t n_src, cap_src;
  uint32_t *src;        /* ascending ntohl */
  uint32_t mode_rexmit; /* filter-mode-change records left */
  uint32_t n_delta, cap_delta;
  struct ig_delta *delta;
  uint32_t v12_rexmit; /* v1/v2 unsolicited reports left */
  uint64_t report_at;  /* next unsolicited report */
  uint64_t resp_at;    /* pending query response */
  uint8_t resp_all;    /* response is group-wide */
  uint32_t n_rsrc, cap_rsrc;
  uint32_t *rsrc; /* queried sources of a pending response */
};

struct sg {
  uint32_t s, g;
};

struct ig_if {
  uint32_t ifindex;
  uint32_t addr;
  int role;
  struct mgm_igmp_counters cnt;
  int slot; /* mailbox slot */
  /* MGM */
  uint8_t resync;          /* reconcile everything at the next tick */
  uint8_t starstar_in_mgm; /* proxy_forward_upstream (*,*) */
  uint32_t n_stale, cap_stale;
  struct sg *stale; /* deletions MGM refused; retried */
  /* router (downstream) */
  int querier;
  uint32_t querier_addr;
  uint64_t oqp_until;
  uint64_t gq_at;
  uint32_t startup_left;
  uint32_t qrv;   /* robustness in use (learned when non-querier) */
  uint32_t qi_ms; /* query interval in use */
  uint32_t n_grp, cap_grp;
  struct ig_group **grp; /* ascending ntohl(addr) */
  /* host (upstream) */
  uint64_t v1_querier_until, v2_querier_until;
  uint64_t gen_resp_at; /* v3 general query response */
  uint32_t n_ugrp, cap_ugrp;
  struct ig_ugrp **ugrp; /* ascending ntohl(addr) */
  /* log lines */
  struct ig_lim lim[IG_LIM_N];
  uint32_t old_querier; /* older-version querier last warned about */
  uint32_t tx_failed;   /* sends failed since the last one that worked */
};

struct ig_slot {
  _Atomic uint32_t ifindex; /* 0 = free */
  _Atomic uint32_t flags;   /* SLOT_* */
};
#define SLOT_DISABLED 1u
#define SLOT_REPLAY 2u

struct mgm_igmp {
  struct mgm_igmp_config cfg; /* with derived values filled in */
  struct mgm_igmp_io io;
  DWORD component_id;
  HANDLE h;  /* MGM protocol handle */
  int gslot; /* index in the global instance table */
  uint32_t rng;
  uint64_t last_now; /* latest time the host gave us */
  struct mgm_igmp_counters cnt;
  uint32_t n_if, cap_if;
  struct ig_if **ifs; /* ascending ifindex */
  struct ig_slot slots[IG_MAX_IFS];
  struct ig_lim lim[IG_LIM_N]; /* packets of interfaces never added */
  uint8_t tx_unsupported;      /* the host cannot send: said once */
};

/* Counters: component-wide and per interface at once. */
#define IG_CNT(ig, ifp, field)                                                 \
  do {                                                                         \
    (ig)->cnt.field++;                                                         \
    if ((ifp) != NULL)                                                         \
      (ifp)->cnt.field++;                                                      \
  } while (0)

/* Derived timer values (RFC 3376 8) for an interface (router.c). */
uint64_t ig_gmi(const struct mgm_igmp *ig, const struct ig_if *ifp);
uint64_t ig_lmqt(const struct mgm_igmp *ig);

/* igio.c: random source, log and send through the host's io */
uint32_t ig_rand(struct mgm_igmp *ig, uint32_t max_ms); /* 0..max_ms */
void ig_log(struct mgm_igmp *ig, int level, const char *fmt, ...);
/* ig_log through the limit lim: at most one line every `every` ms. */
void ig_log_lim(struct mgm_igmp *ig, struct ig_lim *lim, uint64_t now,
                uint64_t every, int level, const char *fmt, ...);
/* For log lines: ifindex's name (io->if_name, else "if N") into buf of
 * IG_NAME_MAX bytes; a dotted address into buf of IG_ADDR_MAX bytes. */
const char *ig_if_name(const struct mgm_igmp *ig, uint32_t ifindex, char *buf);
const char *ig_addr_str(uint32_t addr, char *buf);
void ig_send(struct mgm_igmp *ig, struct ig_if *ifp, uint32_t dst_host,
             const uint8_t *msg, size_t len, int kind);
#define IG_TX_QUERY 0
#define IG_TX_REPORT 1
#define IG_TX_LEAVE 2

/* iftable.c: the interfaces, ascending ifindex */
/* Where ifindex is or would go in ig->ifs; *found says which. */
size_t ig_iftable_pos(const struct mgm_igmp *ig, uint32_t ifindex, int *found);
struct ig_if *ig_find_if(const struct mgm_igmp *ig, uint32_t ifindex);
struct ig_if *ig_upstream(const struct mgm_igmp *ig);

/* hook.c: the defaults bound to libmgm */
DWORD ig_default_send(void *ctx, DWORD ifindex, DWORD dst, const BYTE *msg,
                      DWORD len);
/* Now for a packet from the ctrl hook: io->now_ms, else the backend's. */
uint64_t ig_default_now(const struct mgm_igmp *ig);

/* router.c */
void ig_router_start(struct mgm_igmp *ig, struct ig_if *ifp, uint64_t now);
void ig_router_input(struct mgm_igmp *ig, struct ig_if *ifp,
                     const struct ig_pkt *pk, uint64_t now);
void ig_router_tick(struct mgm_igmp *ig, struct ig_if *ifp, uint64_t now);
uint64_t ig_router_deadline(const struct mgm_igmp *ig, const struct ig_if *ifp);
struct ig_group *ig_group_find(const struct ig_if *ifp, uint32_t g);
void ig_router_free(struct ig_if *ifp);

/* host.c */
void ig_host_recompute(struct mgm_igmp *ig, uint32_t group, uint64_t now);
void ig_host_recompute_all(struct mgm_igmp *ig, uint64_t now);
void ig_host_input(struct mgm_igmp *ig, struct ig_if *ifp,
                   const struct ig_pkt *pk, uint64_t now);
void ig_host_tick(struct mgm_igmp *ig, struct ig_if *ifp, uint64_t now);
uint64_t ig_host_deadline(const struct ig_if *ifp);
void ig_host_leave_all(struct mgm_igmp *ig, struct ig_if *ifp);
uint32_t ig_host_version(const struct mgm_igmp *ig, const struct ig_if *ifp,
                         uint64_t now);
struct ig_ugrp *ig_ugrp_find(const struct ig_if *ifp, uint32_t g);
void ig_host_free(struct ig_if *ifp);

/* mgmglue.c */
DWORD ig_mgm_register(struct mgm_igmp *ig);
void ig_mgm_deregister(struct mgm_igmp *ig);
DWORD ig_mgm_take(struct mgm_igmp *ig, struct ig_if *ifp);
void ig_mgm_release(struct mgm_igmp *ig, struct ig_if *ifp);
/* Pick up disable/enable results for ifp (replay bookkeeping); returns 1
 * when MGM calls are allowed on it now. */
int ig_mgm_sync(struct mgm_igmp *ig, struct ig_if *ifp);
void ig_mgm_reconcile_group(struct mgm_igmp *ig, struct ig_if *ifp,
                            struct ig_group *g);
/* Delete what MGM holds for g before it is freed (or queue it). */
void ig_mgm_drop_group(struct mgm_igmp *ig, struct ig_if *ifp,
                       struct ig_group *g);
void ig_mgm_drop_source(struct mgm_igmp *ig, struct ig_if *ifp,
                        struct ig_group *g, struct ig_src *s);
void ig_mgm_reconcile_if(struct mgm_igmp *ig, struct ig_if *ifp);
int ig_slot_claim(struct mgm_igmp *ig, uint32_t ifindex);
/* "ERROR_INVALID_PARAMETER (87)" into buf of IG_ERR_MAX bytes. */
const char *ig_err_str(DWORD rc, char *buf);
uint32_t ig_slot_flags(const struct mgm_igmp *ig, const struct ig_if *ifp);

#endif /* MGM_IGMP_INT_H */
