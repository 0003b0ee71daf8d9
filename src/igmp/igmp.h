/*
 * igmp.h - the IGMP router and proxy component of libmgm: an IGMPv2
 * (RFC 2236) / IGMPv3 (RFC 3376) multicast router with optional IGMP proxy
 * behaviour (RFC 4605), registered with MGM as IGMP (PROTO_IP_IGMP).
 *
 * SPDX-License-Identifier: MIT
 *
 * The component is a portable state machine with explicit time: it has no
 * threads, never reads a clock and uses no OS headers.  Its host (mgmd, or
 * a test) drives it:
 *
 *   - feeds it every IGMP packet the router socket sees
 *     (mgm_igmp_input(), or install mgm_igmp_ctrl_hook() with
 *     libmgm_set_ctrl_hook(), which does the same with the backend clock);
 *   - calls mgm_igmp_tick() at (or after) the deadline it returned, and
 *     after every other call into the component, because input can move
 *     the next deadline earlier;
 *   - calls mgm_igmp_tick() soon after io->wakeup() ran (see below).
 *
 * Build: CMake target mgm_igmp (static; src/igmp/CMakeLists.txt).  It
 * carries libmgm's include directories but links no libmgm: the host adds
 * mgm (libmgm.so, the one instance plug-ins share) or mgm_static.
 *
 * Every time is milliseconds of one monotonic clock chosen by the host (the
 * backend clock of libmgm_sim_now() is a good one); deadlines are absolute
 * values of that clock and MGM_IGMP_NEVER means "no deadline".  Addresses
 * are IPv4 in network byte order, like everywhere in MGM.  Functions
 * return Win32 error codes (NO_ERROR, ERROR_*) as DWORD like the MGM API.
 *
 * Threading.  A component instance is not thread-safe: the host serialises
 * every mgm_igmp_* call on it (simplest: make every call from libmgm's
 * loop thread - the ctrl hook runs there - or from one host libuv loop
 * passed in libmgm_config.loop).  The thread must have the right libmgm
 * instance selected (libmgm_instance_select) when there are several.  The
 * one exception is MGM's disable/enable IGMP callbacks, which MGM delivers
 * on whatever thread changed the interface's ownership: the component only
 * records them with atomics and calls io->wakeup(); the work happens in
 * the next mgm_igmp_tick().
 *
 * ---- MGM mapping ---------------------------------------------------------
 *
 * Registration: MgmRegisterMProtocol(PROTO_IP_IGMP, component_id) with
 * disable/enable IGMP callbacks only (NULL RPF/creation/prune/join
 * callbacks: MGM then uses the unicast route for RPF and keeps every
 * outgoing interface a creation alert offers).  Every interface added with
 * mgm_igmp_add_interface(), both roles, is taken with
 * MgmTakeInterfaceOwnership (IGMP co-ownership; MGM makes IGMP the
 * effective owner when no routing protocol owns the interface).
 *
 * Memberships, per downstream interface and group, derived from the
 * router state of RFC 3376 6 (RFC 2236 groups are EXCLUDE({}) groups):
 *   EXCLUDE(X,Y)      -> (*,G)            (MGM cannot express exclusion,
 *                                          mgm-spec 5.2; excluded sources
 *                                          are forwarded anyway)
 *   INCLUDE({S1..Sn}) -> (S1,G) .. (Sn,G)
 *   no state          -> nothing
 * The component keeps, per group, what it has added to MGM and reconciles
 * after every state change: new memberships are added before stale ones
 * are deleted, so an INCLUDE->EXCLUDE switch never leaves a gap.  Groups
 * in 224.0.0.0/24 (never routed) are not tracked.  On an interface that a
 * routing protocol owns, MGM turns these joins into local joins to that
 * protocol (mgm-spec D-LOCAL); nothing changes on this side.
 *
 * Co-ownership (mgm-spec 2.6, 3.7): the disable callback stops all
 * membership calls on that interface (MGM would refuse them with
 * ERROR_CAN_NOT_COMPLETE; a refusal seen before the callback ran is
 * treated the same way).  The enable callback does not call MGM - Windows
 * MGM deadlocks if it does - it marks the interface for replay and calls
 * io->wakeup(); the next call into the component (mgm_igmp_tick(), or
 * mgm_igmp_input()) forgets what MGM had (MGM purged it) and re-adds every
 * membership of the interface; mgm_igmp_next_deadline() returns 0 while a
 * replay waits.  Other failed MGM calls are counted (mgm_errors) and
 * retried at the next tick.
 *
 * ---- Proxy mode (cfg.proxy_upstream != 0) -----------------------------
 *
 * Like the RRAS IGMP proxy and RFC 4605: one upstream interface, any
 * number of downstream interfaces.
 *
 *   Downstream interfaces run the full router (querier election, queries,
 *   membership state) exactly as in router mode and feed MGM as above.
 *
 *   The upstream interface runs the host side of IGMP (RFC 3376 5, RFC
 *   2236 3): its membership database is the merge of every downstream
 *   interface's state (RFC 4605 4.1: EXCLUDE if any downstream interface
 *   is in EXCLUDE, with the intersection of their excluded sources minus
 *   every included source; otherwise INCLUDE with the union of included
 *   sources).  Changes go out as unsolicited state-change reports (v3
 *   ALLOW/BLOCK/TO_IN/TO_EX, or v2/v1 reports and v2 leaves), repeated
 *   robustness times at random intervals up to the unsolicited report
 *   interval; upstream queries are answered with current-state reports
 *   after a random delay up to their maximum response time.  An older
 *   querier heard upstream switches the upstream into v1/v2 host
 *   compatibility mode (RFC 3376 7.2.1).  The proxy never sends queries
 *   upstream and never takes memberships from upstream reports (they only
 *   suppress pending v1/v2 reports, RFC 2236 3).
 *
 *   Forwarding comes from MGM's own rules, with no special MFE code: the
 *   upstream interface is IGMP-owned, so it has a forwarder slot; a packet
 *   from a remote source arrives there; MGM's RPF lookup of the source
 *   gives the upstream interface (the host must route remote sources -
 *   typically the default route - through it; with no route at all MGM
 *   uses the arrival interface, mgm-spec D-NOROUTE, which is also the
 *   upstream); the outgoing interfaces are the downstream interfaces with
 *   (*,G) or (S,G) memberships of this component.  With
 *   cfg.proxy_forward_upstream (RFC 4605 4.2, on by default) the
 *   component also adds a (*,*) membership on the upstream interface, so
 *   MFEs of sources on downstream links forward upstream too (MGM drops
 *   the incoming interface from the list, so upstream->downstream MFEs are
 *   unaffected).  Limitations: a source whose route points at an interface
 *   this component does not own gets that interface as RPF interface; the
 *   proxy does not forward between downstream interfaces beyond what MGM
 *   does for their memberships.
 *
 * ---- Packets --------------------------------------------------------------
 *
 * Input is a whole IPv4 packet.  It is checked before anything is trusted:
 * version, header length, total length against the captured length (a
 * longer capture is trimmed, a shorter one is "truncated"), protocol 2,
 * header and IGMP checksums, fragments, TTL 1 (cfg.require_ttl1), message
 * lengths (RFC 3376 7.1: a query of 9-11 bytes is ignored; v3 query and
 * report source/record counts must fit).  The router alert option is not
 * required.  Every rejected packet is counted (see the counters) and
 * dropped; one for a bad checksum, a TTL other than 1, a bad length, a
 * version not spoken here or the SSM range also gives a debug line with
 * the reason, at most one per interface and reason every 10 s.  Output is
 * the IGMP message only, with its checksum; the sender (libmgm_ctrl_send)
 * builds the IP header with TTL 1 and router alert.  Queries advertise the
 * query interval rounded up to what QQIC can carry (see
 * mgm_igmp_qqi_advertised()).
 *
 * ---- Log lines -------------------------------------------------------------
 *
 * Lines name interfaces by io->if_name and Win32 codes by name
 * ("ERROR_INVALID_PARAMETER (87)") with what they mean there.  Lines that
 * a peer can cause over and over are limited: the warning about an older
 * querier (RFC 3376 7.3.1) once per querier and then at most every 10
 * minutes; a failed send once per interface until a send works again.
 */
#ifndef MGM_IGMP_H
#define MGM_IGMP_H

#include <stddef.h>
#include <stdint.h>

#include <windows.h> /* DWORD and the Win32 error codes (compat/ off Windows) */

#ifdef __cplusplus
extern "C" {
#endif

#define MGM_IGMP_NEVER UINT64_MAX /* "no deadline" */

/* ---- Host I/O ------------------------------------------------------------ */

/* What the component needs from its host besides MGM.  Any member may be
 * NULL; a NULL struct pointer in the config means all defaults. */
struct mgm_igmp_io {
  /* Send one IGMP message (no IP header) out of ifindex to dst (network
   * order) with TTL 1 and router alert.  Return a Win32 code; anything
   * but NO_ERROR counts as tx_errors.  ERROR_NOT_SUPPORTED means the host
   * cannot send at all (logged once); any other error is taken as the
   * interface being unusable for now (logged once per outage, and again
   * when sends work).  NULL = libmgm_ctrl_send. */
  DWORD(*send)
  (void *ctx, DWORD ifindex, DWORD dst, const BYTE *msg, DWORD len);
  /* Ask the host to call mgm_igmp_tick() soon.  May run on any thread,
   * from inside an MGM callback: it must only post/signal, never call
   * into the component or MGM. */
  void (*wakeup)(void *ctx);
  /* Clock for mgm_igmp_ctrl_hook() only (the core never reads a clock).
   * NULL = libmgm_sim_now() (the backend clock, virtual in sim). */
  uint64_t (*now_ms)(void *ctx);
  /* Log line (level: enum libmgm_log_level values); NULL = silent. */
  void (*log)(void *ctx, int level, const char *msg);
  void *ctx;
  /* The name of ifindex for log lines, into buf (len bytes, NUL
   * included).  NULL, or an empty name: "if N". */
  void (*if_name)(void *ctx, DWORD ifindex, char *buf, size_t len);
};

/* ---- Configuration ------------------------------------------------------- */

/* Defaults (RFC 3376 8 / RFC 2236 8) are set by mgm_igmp_config_init();
 * a 0 in an optional field means "derive it as the RFC says". */
struct mgm_igmp_config {
  uint32_t version;                   /* 2 or 3 (3): router query format and
                                         accepted report versions; upstream
                                         host version in proxy mode */
  uint32_t robustness;                /* Robustness Variable, 1..7 (2) */
  uint32_t query_interval_s;          /* Query Interval (125) */
  uint32_t query_response_ms;         /* Query Response Interval (10000); must
                                         be below the query interval */
  uint32_t last_member_query_ms;      /* Last Member Query Interval (1000) */
  uint32_t last_member_query_count;   /* 0 = robustness */
  uint32_t startup_query_interval_ms; /* 0 = query interval / 4 */
  uint32_t startup_query_count;       /* 0 = robustness */
  uint32_t unsolicited_report_ms; /* proxy host: 0 = 1000 (v3), 10000 (v1/v2) */
  DWORD proxy_upstream;           /* upstream ifindex; 0 = router mode only */
  int proxy_forward_upstream;     /* proxy: (*,*) on upstream (1) */
  int require_ttl1;               /* drop IGMP with IP TTL != 1 (1) */
  DWORD protocol_id;              /* PROTO_IP_IGMP (or MS_IP_IGMP) */
  uint32_t max_groups;            /* per interface; 0 = 4096 */
  uint32_t max_sources;           /* per group; 0 = 1024 */
  uint32_t seed;                  /* random report delays (proxy host) */
  const struct mgm_igmp_io *io;   /* copied; NULL = defaults */
  /* The SSM range (RFC 4607), network order: 232.0.0.0/255.0.0.0.  There
   * only source-specific requests count (RFC 4604 2.2.1): IGMPv1/v2
   * reports and leaves and IGMPv3 IS_EX/TO_EX records are counted
   * (rx_ssm_ignored) and dropped, so no (*,G) state appears.  Mask 0 (and
   * group 0) = no SSM range. */
  DWORD ssm_group;
  DWORD ssm_mask;
};

void mgm_igmp_config_init(struct mgm_igmp_config *cfg);

/* The Querier's Query Interval that queries advertise for a configured
 * query interval: QQIC (RFC 3376 4.1.7) carries every value up to 127 s
 * exactly, larger ones in steps; an interval it cannot carry goes out as
 * the next larger value it can (300 s as 304 s), never a smaller one, so
 * routers that adopt it never time groups out before this one does. */
uint32_t mgm_igmp_qqi_advertised(uint32_t query_interval_s);

/* The symbolic name of a Win32 code the component or MGM returns
 * ("ERROR_INVALID_PARAMETER"), or NULL for a code it does not know. */
const char *mgm_igmp_error_name(DWORD rc);

/* ---- Life cycle
 * -------------------------------------------------------------- */

struct mgm_igmp;

/* Validate cfg, register with MGM as cfg->protocol_id / component_id.
 * NO_ERROR; ERROR_INVALID_PARAMETER (NULL, bad version/robustness/
 * intervals, several instances beyond MGM_IGMP_MAX_INSTANCES);
 * ERROR_NOT_ENOUGH_MEMORY; or MgmRegisterMProtocol's error
 * (ERROR_ALREADY_EXISTS, ERROR_CAN_NOT_COMPLETE). */
#define MGM_IGMP_MAX_INSTANCES 16
DWORD mgm_igmp_create(const struct mgm_igmp_config *cfg, DWORD component_id,
                      struct mgm_igmp **out);

/* Send leaves upstream (proxy), release every interface, deregister, free.
 * NULL is a no-op.  Must not run concurrently with an ownership change of
 * another protocol on this component's interfaces. */
void mgm_igmp_destroy(struct mgm_igmp *ig);

/* ---- Interfaces
 * ---------------------------------------------------------------- */

enum mgm_igmp_role {
  MGM_IGMP_ROLE_DOWNSTREAM = 1, /* IGMP router (querier, memberships) */
  MGM_IGMP_ROLE_UPSTREAM = 2    /* proxy upstream: host side only; ifindex
                                   must be cfg.proxy_upstream */
};

/* Start IGMP on ifindex (next hop 0); addr = the interface's primary
 * address (network order; used for querier election and to ignore our own
 * queries; 0 allowed for an unnumbered link, then never querier-elected
 * against others).  Takes MGM ownership; a downstream interface starts
 * querying at once (startup queries, now_ms).
 * NO_ERROR; ERROR_INVALID_PARAMETER (ifindex 0, bad role, role/upstream
 * mismatch); ERROR_ALREADY_EXISTS (already added, or MGM has another IGMP
 * co-owner there); ERROR_NOT_ENOUGH_MEMORY; MgmTakeInterfaceOwnership's
 * other errors. */
DWORD mgm_igmp_add_interface(struct mgm_igmp *ig, DWORD ifindex, DWORD addr,
                             int role, uint64_t now_ms);

/* Stop IGMP on ifindex: forget its groups (proxy: upstream reports for
 * what only it wanted; upstream: leaves for every group), release the MGM
 * ownership (MGM deletes the memberships).  NO_ERROR; ERROR_NOT_FOUND. */
DWORD mgm_igmp_del_interface(struct mgm_igmp *ig, DWORD ifindex,
                             uint64_t now_ms);

/* The interface came (back) up or changed address (addr as for
 * mgm_igmp_add_interface): a downstream interface starts over as a router
 * that starts (RFC 3376 7): querier again, startup queries at the startup
 * interval from now_ms, so hosts report again at once; its groups are
 * kept and time out as usual if nobody reports them.  An upstream
 * interface only takes the new address.  NO_ERROR; ERROR_NOT_FOUND;
 * ERROR_INVALID_PARAMETER (ig NULL). */
DWORD mgm_igmp_restart_interface(struct mgm_igmp *ig, DWORD ifindex, DWORD addr,
                                 uint64_t now_ms);

/* ---- Driving
 * ------------------------------------------------------------------ */

/* One IGMP packet (whole IPv4 packet) received on ifindex at now_ms.
 * Never fails: what cannot be used is counted and dropped. */
void mgm_igmp_input(struct mgm_igmp *ig, DWORD ifindex, const BYTE *pkt,
                    size_t len, uint64_t now_ms);

/* Run every timer due at now_ms (queries, expiries, reports, deferred
 * enable replays, MGM retries); return the next deadline
 * (MGM_IGMP_NEVER if none). */
uint64_t mgm_igmp_tick(struct mgm_igmp *ig, uint64_t now_ms);

/* The next deadline without running anything (0 = now: an enable
 * callback is waiting for its replay). */
uint64_t mgm_igmp_next_deadline(const struct mgm_igmp *ig);

/* A libmgm_ctrl_fn: pass the component as ctx to libmgm_set_ctrl_hook().
 * Calls mgm_igmp_input() with io->now_ms() (or the libmgm backend clock).
 * The host must still call mgm_igmp_tick() afterwards. */
void mgm_igmp_ctrl_hook(void *ctx, DWORD ifindex, const BYTE *pkt, DWORD len);

/* ---- Introspection (mgmctl)
 * ---------------------------------------------------- */

struct mgm_igmp_counters {
  uint64_t rx_packets;      /* handed to mgm_igmp_input */
  uint64_t rx_queries;      /* valid queries (any version) */
  uint64_t rx_reports;      /* valid v1/v2/v3 reports */
  uint64_t rx_leaves;       /* valid v2 leaves */
  uint64_t rx_malformed;    /* dropped: bad IP header/length/type fields */
  uint64_t rx_truncated;    /* dropped: shorter than its own lengths say */
  uint64_t rx_bad_checksum; /* dropped: IP or IGMP checksum */
  uint64_t rx_bad_ttl;      /* dropped: TTL != 1 (require_ttl1) */
  uint64_t rx_ignored;      /* valid but unused: unknown interface/type,
                               own queries, link-local groups, version
                               not spoken here, over the group limits */
  uint64_t tx_queries;
  uint64_t tx_reports;      /* proxy upstream (v1/v2/v3) */
  uint64_t tx_leaves;       /* proxy upstream v2 leaves */
  uint64_t tx_errors;       /* io->send failed */
  uint64_t mgm_adds;        /* MgmAddGroupMembershipEntry that succeeded */
  uint64_t mgm_deletes;     /* MgmDeleteGroupMembershipEntry that succeeded */
  uint64_t mgm_errors;      /* MGM calls that failed (retried on tick) */
  uint64_t mgm_refused;     /* ... of which ERROR_CAN_NOT_COMPLETE */
  uint64_t replays;         /* enable callbacks processed */
  uint64_t querier_changes; /* this router became querier / non-querier */
  uint64_t rx_ssm_ignored;  /* dropped: v1/v2 reports and leaves, v3
                               IS_EX/TO_EX records in the SSM range (not
                               in rx_ignored) */
};

/* Counters of one interface, or of the whole component (ifindex 0; it
 * also holds packets for interfaces that were never added).
 * NO_ERROR; ERROR_INVALID_PARAMETER; ERROR_NOT_FOUND. */
DWORD mgm_igmp_get_counters(const struct mgm_igmp *ig, DWORD ifindex,
                            struct mgm_igmp_counters *out);

struct mgm_igmp_if_info {
  DWORD ifindex;
  DWORD addr;                   /* as given to add_interface */
  int role;                     /* enum mgm_igmp_role */
  BOOL querier;                 /* downstream: we are the querier */
  DWORD querier_addr;           /* current querier (ours when querier) */
  uint64_t other_querier_until; /* Other Querier Present timer: when this
                                   router takes over unless the other
                                   querier queries again; MGM_IGMP_NEVER
                                   when we are querier */
  uint64_t next_query_at;       /* next general query, MGM_IGMP_NEVER if none */
  uint32_t startup_left;        /* startup queries still to send */
  uint32_t host_version;        /* upstream: 1, 2 or 3 (compatibility mode) */
  BOOL mgm_disabled;            /* between disable and enable callbacks */
  BOOL replay_pending;          /* enable seen, replay at the next tick */
  uint32_t n_groups;
};

/* Interfaces in ascending ifindex after `after` (0 = the first one).
 * NO_ERROR; ERROR_NO_MORE_ITEMS; ERROR_INVALID_PARAMETER. */
DWORD mgm_igmp_if_next(const struct mgm_igmp *ig, DWORD after,
                       struct mgm_igmp_if_info *out);

enum mgm_igmp_filter_mode { MGM_IGMP_INCLUDE = 1, MGM_IGMP_EXCLUDE = 2 };

struct mgm_igmp_source_info {
  DWORD addr;
  uint64_t expires; /* downstream: source timer; MGM_IGMP_NEVER
                       = excluded (EXCLUDE Y list) / upstream */
  BOOL in_mgm;      /* (S,G) membership held in MGM */
};

struct mgm_igmp_group_info {
  DWORD ifindex;
  DWORD group;
  int filter_mode;         /* enum mgm_igmp_filter_mode */
  uint32_t compat_version; /* downstream: 1, 2 or 3 (host compatibility) */
  uint64_t expires;        /* group timer (EXCLUDE); MGM_IGMP_NEVER */
  DWORD last_reporter;
  BOOL star_in_mgm;   /* (*,G) membership held in MGM */
  uint32_t n_sources; /* total; min(n_sources, cap) copied */
};

/* Groups of ifindex in ascending group order (ntohl) after `after` (0 =
 * the first).  For the upstream interface of a proxy these are the merged
 * upstream memberships.  src (may be NULL if src_cap is 0) receives the
 * sources in ascending order.  NO_ERROR; ERROR_NO_MORE_ITEMS;
 * ERROR_NOT_FOUND (no such interface); ERROR_INVALID_PARAMETER. */
DWORD mgm_igmp_group_next(const struct mgm_igmp *ig, DWORD ifindex, DWORD after,
                          struct mgm_igmp_group_info *out,
                          struct mgm_igmp_source_info *src, uint32_t src_cap);

#ifdef __cplusplus
}
#endif

#endif /* MGM_IGMP_H */
