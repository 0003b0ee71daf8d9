/*
 * libmgm.h - libmgm's extension API: start/stop, instances, the simulated
 * forwarder's test-harness controls, and introspection for tools.
 *
 * SPDX-License-Identifier: MIT
 *
 * The only public header besides the SDK's mgm.h.  Every name carries the
 * libmgm_ / LIBMGM_ prefix; every function returns a Win32 error code like
 * the rest of the API.  Include <windows.h>, <iprtrmib.h> and <mgm.h> first.
 *
 * Threading: every function may be called from any thread.  The sim
 * control calls (libmgm_sim_*) return only after libmgm's loop thread has
 * delivered every callback they caused, so tests need no sleeps; calling
 * one from inside a callback that runs on the loop thread cannot wait for
 * itself: it is refused with ERROR_CAN_NOT_COMPLETE in strict mode and run
 * nested, right there, otherwise.  The loop thread is libmgm's own, or the
 * host's when libmgm runs on a host libuv loop (see "Host loop" below).
 */
#ifndef LIBMGM_H
#define LIBMGM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBMGM_VERSION_MAJOR 0
#define LIBMGM_VERSION_MINOR 1
#define LIBMGM_VERSION_PATCH 0

/* Log levels, most severe first.  A message is emitted when its level is
 * at or below the level configured for its channel. */
enum libmgm_log_level {
  LIBMGM_LOG_NONE = 0,
  LIBMGM_LOG_ERROR = 1,
  LIBMGM_LOG_WARN = 2,
  LIBMGM_LOG_FIXME = 3,
  LIBMGM_LOG_INFO = 4,
  LIBMGM_LOG_TRACE = 5
};

typedef void (*libmgm_log_fn)(void *ctx, int level, const char *channel,
                              const char *message);

struct uv_loop_s; /* libuv's loop; libmgm.h needs no uv.h */

/* Start-up configuration.  Initialise with libmgm_config_init(), then set
 * what you need.  Strings are copied by libmgm_start(). */
struct libmgm_config {
  uint32_t size;           /* sizeof(struct libmgm_config), set by init */
  const char *backend;     /* "sim", "linux", "bsd"; NULL = platform's */
  uint32_t table;          /* kernel multicast table (Linux MRT_TABLE) */
  uint32_t mfe_lifetime_s; /* default MFE lifetime, seconds (900) */
  int strict;              /* report documented misuse as errors */
  const char *log;         /* LIBMGM_LOG syntax; NULL = "warn" */
  libmgm_log_fn log_fn;    /* NULL = lines on stderr */
  void *log_ctx;           /* passed to log_fn */
  struct uv_loop_s *loop;  /* host libuv loop, or NULL for own thread;
                              see "Host loop" below */
  int wrongif_alerts;      /* D-WRONGIF: deliver wrong-if callbacks */
  int bigmp_membership;    /* D-BIGMP: bIGMP = IGMP has a member there */
  uint32_t rcvbuf_bytes;   /* kernel upcall socket buffer; 0 = default */
  int sim_profile;         /* enum libmgm_sim_profile, sim backend only */
};

void libmgm_config_init(struct libmgm_config *cfg);

/* Start the default instance.  Returns NO_ERROR, ERROR_ALREADY_INITIALIZED,
 * ERROR_INVALID_PARAMETER (unknown or absent backend, bad config),
 * ERROR_ACCESS_DENIED (no privilege), ERROR_BUSY (another multicast router
 * owns the table), ERROR_NOT_SUPPORTED (no multicast routing in the
 * kernel), ERROR_NOT_ENOUGH_MEMORY.  Never falls back to another backend. */
DWORD libmgm_start(const struct libmgm_config *cfg);

/* Stop the default instance: ERROR_CAN_NOT_COMPLETE while protocols are
 * registered (D-INIT), or when called from inside one of libmgm's
 * callbacks; otherwise removes every forwarding entry and every simulated
 * link of the instance. */
DWORD libmgm_stop(void);

/* Exported for parity with the real rtm.dll.  Their Windows prototypes are
 * not public (mgm-spec D-INIT): here they start the default instance from
 * the environment (LIBMGM_BACKEND, LIBMGM_TABLE, LIBMGM_STRICT, LIBMGM_LOG)
 * and stop it. */
DWORD MgmInitialize(void);
DWORD MgmDeInitialize(void);

/* ---- Host loop (libmgm_config.loop) --------------------------------------
 *
 * By default libmgm runs its own loop thread.  Given a host libuv loop it
 * adds its handles to that loop instead -- a uv_async for wake-ups, a
 * uv_timer for MFE expiry and a uv_poll per forwarder descriptor -- and
 * runs no thread: the callbacks that packets and timers trigger (RPF,
 * creation alerts, the prune alert of a new empty MFE, wrong-if alerts,
 * the control-packet hook) run on the host's loop thread, whichever thread
 * runs uv_run() on that loop.  API-triggered callbacks still run on the
 * calling thread, and Mgm* functions may still be called from any thread.
 * Several instances may share one host loop.
 *
 * - Start (libmgm_start, libmgm_instance_create) on the loop thread: before
 *   uv_run(), between two uv_run() calls or from a callback of the loop
 *   (libuv handles may only be created there).  libmgm takes that thread
 *   as the loop thread, and follows the loop to another thread at its next
 *   callback there.
 * - libmgm's handles are active: uv_run(loop, UV_RUN_DEFAULT) does not
 *   return while libmgm runs on the loop (unless uv_stop() is called).
 * - Stop (libmgm_stop, MgmDeInitialize, libmgm_instance_destroy):
 *   . from another thread while the host runs the loop: posts the close to
 *     the loop thread and returns once the loop has released every libmgm
 *     handle (keep the loop running until it returns);
 *   . on the loop thread from a callback of the loop: closes the handles,
 *     and the loop releases them before that uv_run() iteration ends;
 *   . on the loop thread outside uv_run(): closes the handles, which, like
 *     any uv_close()d handle, the loop releases in its next close phase:
 *     call uv_run(loop, UV_RUN_NOWAIT) once before uv_loop_close().
 *   Once released, uv_walk() finds no libmgm handle and uv_loop_close()
 *   returns 0 (as far as libmgm is concerned).  A libmgm_start that fails
 *   after attaching releases its handles the same way.  Stop from inside a
 *   libmgm callback (protocol callbacks, the control-packet hook) fails
 *   with ERROR_CAN_NOT_COMPLETE.
 * - Sim control calls (libmgm_sim_*): on the loop thread they run at once,
 *   on the calling thread, and return after delivering what they caused;
 *   from another thread they are posted to the loop thread and wait for
 *   it, so the host must be running the loop (they block until it does).
 *   A stop on the loop thread serves the calls other threads have posted
 *   while it waits for them to finish, so the two cannot deadlock.
 * - Builds without libuv (the Windows DLL) return ERROR_NOT_SUPPORTED from
 *   libmgm_start for a non-NULL loop.
 */

/* ---- Instances: several routers in one process ------------------------ */

struct libmgm_instance;

/* Create and start an extra instance with its own forwarder. */
DWORD libmgm_instance_create(const struct libmgm_config *cfg,
                             struct libmgm_instance **out);
/* Stop and free it (ERROR_CAN_NOT_COMPLETE while protocols are registered
 * or while a thread still has it selected; ERROR_INVALID_PARAMETER for NULL
 * or a pointer that is not a live instance). */
DWORD libmgm_instance_destroy(struct libmgm_instance *inst);
/* Make the Mgm* API (and libmgm_sim_*) of the calling thread act on inst
 * (NULL = default; ERROR_INVALID_PARAMETER for a pointer that is not a
 * live instance, and the selection is kept). */
DWORD libmgm_instance_select(struct libmgm_instance *inst);

/* ---- The simulated forwarder (backend "sim") ---------------------------- */

enum libmgm_sim_profile {
  LIBMGM_SIM_LINUX = 0,   /* Linux ipmr semantics (default) */
  LIBMGM_SIM_FREEBSD = 1, /* no (*,G), slots keyed by address */
  LIBMGM_SIM_WINDOWS = 2  /* no slot limit */
};

/* Where a packet went.  verdict is one of LIBMGM_SIM_* below. */
#define LIBMGM_SIM_MAX_OUT 64
enum libmgm_sim_verdict {
  LIBMGM_SIM_FORWARDED = 0, /* sent on n_out interfaces (n_out may be 0) */
  LIBMGM_SIM_NEGATIVE = 1,  /* matched an entry with no outputs: dropped */
  LIBMGM_SIM_WRONG_IF = 2,  /* matched an entry with another iif: dropped */
  LIBMGM_SIM_PENDING = 3,   /* no entry yet; queued waiting for one */
  LIBMGM_SIM_NOT_ROUTED = 4 /* arrival interface absent/down/not a slot */
};
struct libmgm_sim_result {
  DWORD verdict;                         /* enum libmgm_sim_verdict */
  DWORD n_out;                           /* interfaces it was sent on */
  DWORD out_ifindex[LIBMGM_SIM_MAX_OUT]; /* ascending */
};

/* Interfaces.  addr is in network order (0 = unnumbered). */
DWORD libmgm_sim_if_add(DWORD ifindex, const char *name, DWORD addr,
                        DWORD prefixlen);
DWORD libmgm_sim_if_del(DWORD ifindex);
DWORD libmgm_sim_if_set_up(DWORD ifindex, BOOL up);

/* Unicast routes used for RPF (network order; mask 0 = default route).
 * upstream is the next hop toward the source (0 = directly connected). */
DWORD libmgm_sim_route_add(DWORD network, DWORD mask, DWORD ifindex,
                           DWORD upstream, DWORD protocol);
DWORD libmgm_sim_route_del(DWORD network, DWORD mask);

/* Inject one IPv4 packet (source, group, TTL, length) arriving on ifindex.
 * Returns after every callback it caused (RPF, creation alert, prune
 * alert) has run, on every router it reached over simulated links (below);
 * res (may be NULL) says where the packet finally went on this router. */
DWORD libmgm_sim_inject(DWORD ifindex, DWORD src, DWORD grp, BYTE ttl,
                        DWORD len, struct libmgm_sim_result *res);

/* ---- Simulated links between instances ----------------------------------
 *
 * libmgm_sim_link joins interface a_ifindex of instance a and interface
 * b_ifindex of instance b (NULL = the default instance; both on the sim
 * backend): a packet that a router forwards out of one end arrives on the
 * other with its TTL decremented by one, and is forwarded there in turn.
 * A protocol can so be tested across a topology of routers in one process.
 * Links are point to point (an interface has at most one); two interfaces
 * of one instance may be linked (a cable between two ports).
 *
 * An injected packet's whole propagation happens inside libmgm_sim_inject:
 * when it returns, every router the packet reached has handled it and
 * delivered the callbacks it caused (RPF, creation alerts...), each on its
 * own loop thread.  Copies are simulated breadth first (hop by hop, the
 * outputs of a router in ascending ifindex).  A router forwards a packet
 * only when its TTL is above the output's threshold (at least 1), so every
 * forwarding loop ends when the TTL runs out.  One injection is capped at
 * LIBMGM_SIM_MAX_HOPS router visits: in a larger forwarding storm the
 * remaining copies are not delivered and the call returns
 * ERROR_CAN_NOT_COMPLETE.  Packets that a router queues and releases later
 * (a pending (S,G) resolved by a later event) do not cross links.
 *
 * Links go with libmgm_sim_unlink or when either instance stops; they
 * survive the deletion of an interface (packets are then not routed
 * there).  No lock of one instance is held while another handles a packet.
 *
 * libmgm_sim_link returns NO_ERROR or
 *   ERROR_INVALID_PARAMETER  an ifindex is 0, both ends are the same
 *                            interface of the same instance, or an
 *                            instance is neither NULL nor a live instance;
 *   ERROR_CAN_NOT_COMPLETE   an instance is not running;
 *   ERROR_NOT_SUPPORTED      an instance is not on the sim backend;
 *   ERROR_NOT_FOUND          an interface is unknown to its instance's
 *                            forwarder (neither added with
 *                            libmgm_sim_if_add nor a forwarding slot);
 *   ERROR_ALREADY_EXISTS     an end is linked already;
 *   ERROR_NOT_ENOUGH_MEMORY.
 * libmgm_sim_unlink removes the link that has (inst, ifindex) as an end:
 * NO_ERROR, ERROR_NOT_FOUND when there is none, or the first three codes
 * above.  Nothing is changed when a call fails. */
DWORD libmgm_sim_link(struct libmgm_instance *a, DWORD a_ifindex,
                      struct libmgm_instance *b, DWORD b_ifindex);
DWORD libmgm_sim_unlink(struct libmgm_instance *inst, DWORD ifindex);

/* Where an injected packet went across the topology: one record per router
 * visit, in simulation order; hops[0] is the injection itself. */
#define LIBMGM_SIM_MAX_HOPS 4096
#define LIBMGM_SIM_NO_PARENT 0xFFFFFFFFu
struct libmgm_sim_hop {
  struct libmgm_instance *instance; /* router (NULL = default instance) */
  DWORD parent;                     /* index of the visit that sent it here, or
                                       LIBMGM_SIM_NO_PARENT for hops[0] */
  DWORD in_ifindex;                 /* interface it arrived on */
  DWORD ttl;                        /* its TTL on arrival */
  struct libmgm_sim_result res;     /* what that router did with it */
};

/* libmgm_sim_inject on the calling thread's instance, recording the visits:
 * *n_hops is in: the capacity of hops[] (hops may be NULL when it is 0),
 * out: the number of visits.  The first visits are copied to hops[];
 * ERROR_MORE_DATA when hops[] was too small (the propagation is complete
 * all the same).  Otherwise the codes of libmgm_sim_inject. */
DWORD libmgm_sim_inject_trace(DWORD ifindex, DWORD src, DWORD grp, BYTE ttl,
                              DWORD len, struct libmgm_sim_hop *hops,
                              DWORD *n_hops);

/* Advance the virtual clock, firing every expiry that falls due. */
DWORD libmgm_sim_advance(DWORD ms);
DWORD libmgm_sim_now(ULONGLONG *ms);

/* Fault injection: make the next backend operation of the given kind fail
 * with the given backend error (a negative MGM_BE_* value, see docs). */
enum libmgm_sim_op {
  LIBMGM_SIM_OP_ANY = 0,
  LIBMGM_SIM_OP_IF_ATTACH = 1,
  LIBMGM_SIM_OP_IF_DETACH = 2,
  LIBMGM_SIM_OP_MFE_SET = 3,
  LIBMGM_SIM_OP_MFE_DEL = 4,
  LIBMGM_SIM_OP_MFE_STATS = 5,
  LIBMGM_SIM_OP_ROUTE = 6
};
DWORD libmgm_sim_fail_next(DWORD op, int be_error);
/* Slot (VIF) limit; 0 = unlimited. */
DWORD libmgm_sim_set_limits(DWORD max_slots);
/* Forwarding entries installed in the sim kernel (for leak checks). */
DWORD libmgm_sim_kernel_count(DWORD *entries, DWORD *slots);

/* ---- Host hooks for tools (mgmd, mgmctl, the IGMP component) ---------- */

struct libmgm_proto_info {
  DWORD protocol_id;
  DWORD component_id;
  BOOL igmp;        /* IGMP-type client (D-IGMP-ID) */
  DWORD interfaces; /* interfaces owned or IGMP-co-owned */
};

struct libmgm_if_info {
  DWORD ifindex;
  DWORD nexthop;
  BOOL has_owner; /* routing-protocol owner */
  DWORD owner_protocol, owner_component;
  BOOL has_igmp; /* IGMP co-owner */
  DWORD igmp_protocol, igmp_component;
  BOOL attached; /* has a forwarder slot (VIF) */
};

struct libmgm_member_info {
  SOURCE_GROUP_ENTRY sg; /* normalised (D-SHAPE) */
  DWORD ifindex;
  DWORD nexthop;
  DWORD protocol_id, component_id; /* contributing client */
  BOOL latent; /* IGMP join waiting for the owner's decision (D-LOCAL) */
};

/* A consistent read-only copy of what MGM holds (MFEs: MgmGetFirstMfe*). */
struct libmgm_snapshot {
  char backend[16];
  ULONGLONG now_ms; /* backend clock */
  DWORD n_protos;
  struct libmgm_proto_info *protos; /* registration order */
  DWORD n_ifs;
  struct libmgm_if_info *ifs; /* ascending (ifindex, nexthop) */
  DWORD n_members;
  struct libmgm_member_info *members; /* ascending (group, source, if) */
};

DWORD libmgm_snapshot_take(struct libmgm_snapshot **out);
void libmgm_snapshot_free(struct libmgm_snapshot *snap);

/* IGMP packets that the forwarder's router socket sees (a second raw IGMP
 * socket would receive duplicates, kernel.md A.14).  fn runs on the loop
 * thread without libmgm's lock, with the whole IPv4 packet; one hook per
 * instance, NULL removes it. */
typedef void (*libmgm_ctrl_fn)(void *ctx, DWORD ifindex, const BYTE *pkt,
                               DWORD len);
DWORD libmgm_set_ctrl_hook(libmgm_ctrl_fn fn, void *ctx);

/* Interface events that the forwarder reports (interfaces appearing,
 * going, coming up or down, renamed, addresses), for hosts that follow
 * interfaces by name.  fn runs on the loop thread without libmgm's lock,
 * after libmgm itself handled the event (slots attached or dropped); one
 * hook per instance, NULL removes it.  Backends that report no events
 * (none today but the Windows build) never call it.  The struct only grows
 * at its end: read a member only when ev->size covers it. */
enum libmgm_if_event_kind {
  LIBMGM_IF_ADDED = 1,     /* the interface exists (new, or re-created) */
  LIBMGM_IF_DELETED = 2,   /* it is gone; its index is dead */
  LIBMGM_IF_UP = 3,        /* administratively and operationally up */
  LIBMGM_IF_DOWN = 4,      /* down (it still exists) */
  LIBMGM_IF_ADDR_ADDED = 5,   /* addr/prefixlen were added */
  LIBMGM_IF_ADDR_DELETED = 6, /* addr/prefixlen were removed */
  LIBMGM_IF_RENAMED = 7,      /* name is the new name */
  LIBMGM_IF_SLOT_LOST = 8     /* the forwarder dropped its slot (VIF) */
};
struct libmgm_if_event {
  uint32_t size;    /* sizeof(struct libmgm_if_event) of libmgm */
  uint32_t kind;    /* enum libmgm_if_event_kind */
  DWORD ifindex;
  char name[16];    /* "" when the backend did not say */
  BOOL up;          /* the interface is up, as far as the event says */
  DWORD addr;       /* network order, for ADDR_*; else 0 */
  DWORD prefixlen;  /* for ADDR_* */
};
typedef void (*libmgm_if_fn)(void *ctx, const struct libmgm_if_event *ev);
DWORD libmgm_set_if_hook(libmgm_if_fn fn, void *ctx);

/* Send an IGMP message (igmp: the IGMP header and body, no IP header) out
 * of ifindex to dst (network order) with TTL 1 and the router-alert
 * option.  ERROR_NOT_SUPPORTED when the backend cannot send. */
DWORD libmgm_ctrl_send(DWORD ifindex, DWORD dst, const BYTE *igmp, DWORD len);

/* Sim: deliver an IGMP packet (whole IPv4 packet) as received on ifindex,
 * returning after the ctrl hook ran; capture what libmgm_ctrl_send sends
 * (the tx hook runs on the sending thread). */
DWORD libmgm_sim_inject_ctrl(DWORD ifindex, const BYTE *pkt, DWORD len);
typedef void (*libmgm_sim_tx_fn)(void *ctx, DWORD ifindex, DWORD dst,
                                 const BYTE *igmp, DWORD len);
DWORD libmgm_sim_set_tx_hook(libmgm_sim_tx_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* LIBMGM_H */
