/*
 * platform.h - THE seam between libmgm's portable core and its forwarding
 * backends (kernel.md section G, design.md section 4).
 *
 * SPDX-License-Identifier: MIT
 *
 * A backend is a runtime vtable found by name ("linux", "bsd", "sim"); the
 * core reaches it only through the mgm__be_* wrappers in core/backend.c
 * (mgm__plat_* names this directory's registry).  The vtable grows only
 * by appending members, gated on its `abi` field.
 *
 * Refinements of kernel.md G (recorded here, as G asks): MGM is IPv4-only,
 * so addresses are uint32_t in network byte order rather than a family
 * union; a unicast route lookup (`route_lookup`) closes G's known RPF gap;
 * `now_ms` gives the core its clock (virtual in sim); `set_wrongif` turns
 * wrong-interface upcalls on and off at run time.
 *
 * Contract (kernel.md G.1): ops return 0 or a negative MGM_BE_* code (a
 * backend logs the raw errno through mgm_be_config.log) and never wait
 * for an event.  open(), caps() and fds() come before the instance runs;
 * dispatch(), dispatch_fd() and resync() on the core's loop thread without
 * the core lock; every other op with the core lock held, which serialises
 * them.  Upcalls come only from dispatch()/resync(), never from inside
 * another op; an upcall may call ops, and the core may even call
 * dispatch() again from inside one (a sim control made in a callback).
 * if_detach of an ifindex that is not attached (e.g. after
 * MGM_IF_SLOT_LOST) returns MGM_BE_ENOENT.
 *
 * A backend in another process.  The seam is meant to be implementable by
 * a proxy whose every op is a call into another process (Wine's rtm.dll
 * forwarding to the Linux backend on its Unix side):
 *  - Arguments are read, and results written, during the call only.  A
 *    pointer in an argument (mgm_fwd.oif, control()'s arg) or handed to
 *    an upcall (mgm_if_event.name, hdr, pkt, key) is valid until the call
 *    returns: who keeps the data copies it, strings included.  control()'s
 *    argument is plain data, len bytes to copy in and back.
 *  - What open() is given to keep (the upcall table, ctx, cfg's log sink)
 *    stays on the core's side: a proxy keeps it and calls it there, never
 *    ships it.  cfg itself is read during open() only.
 *  - Nothing calls into the core from inside an op but the log sink (on
 *    the calling thread; it only logs) and wake: a proxy logs the other
 *    side's lines after its reply, and delivers the other side's events
 *    as upcalls from dispatch() only, after its call there returned.
 *  - fds() may give none.  A backend whose events no descriptor of this
 *    process shows (a proxy's thread blocked in a "wait for events" call)
 *    calls the wake upcall, from any thread, and the core calls dispatch()
 *    on its loop thread soon after.
 *  - An op may wait for the other side's reply; a lost other side is
 *    MGM_BE_EIO.
 *  - now_ms() is read on every MFE decision: a proxy answers it from the
 *    clock both sides share (CLOCK_MONOTONIC is the system's), not with a
 *    round trip.  dispatch()'s now_ms is of that clock.
 *  - In-process only: the sim's tx hook, a function pointer (simctl.h).
 */
#ifndef MGM_PLATFORM_H
#define MGM_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* 2: dispatch()es take now_ms; control(); the wake upcall */
#define MGM_BACKEND_ABI 2

enum mgm_be_err {
  MGM_BE_OK = 0,
  MGM_BE_EINVAL = -1,   /* malformed request (non-multicast group ...) */
  MGM_BE_ENOTSUP = -2,  /* feature absent (table, (*,G), no mroute) */
  MGM_BE_EBUSY = -3,    /* table owned by another router (EADDRINUSE) */
  MGM_BE_EPERM = -4,    /* no privilege */
  MGM_BE_ENOIF = -5,    /* ifindex unknown or not usable as a slot */
  MGM_BE_ENOSLOT = -6,  /* VIF table full */
  MGM_BE_ENOENT = -7,   /* absent entry */
  MGM_BE_ENOMEM = -8,   /* ENOMEM / ENOBUFS */
  MGM_BE_EAGAIN = -9,   /* transient */
  MGM_BE_EDESYNC = -10, /* events lost: the core must call resync() */
  MGM_BE_EIO = -11      /* anything else */
};

struct mgm_oif {
  uint32_t ifindex;
  uint32_t nexthop;      /* network order; 0 unless caps.oif_nexthop */
  uint8_t ttl_threshold; /* forward if TTL > threshold; 0 means 1 */
};

struct mgm_mfe_key {
  uint32_t source; /* network order */
  uint32_t group;  /* network order */
};

struct mgm_fwd {
  struct mgm_mfe_key key;
  uint32_t iif;   /* incoming ifindex */
  uint32_t flags; /* MGM_FWD_F_* */
  uint16_t n_oif; /* 0 = negative entry: drop, stop upcalls */
  const struct mgm_oif *oif;
};

#define MGM_FWD_F_NOTIFY_WRONGIF 0x1u

struct mgm_fwd_stats {
  uint64_t pkts;     /* matched on the incoming interface (MIB ulInPkts) */
  uint64_t bytes;    /* their octets; Linux also counts wrong_if packets' */
  uint64_t wrong_if; /* dropped by the incoming-interface check */
  uint32_t idle_ms;  /* UINT32_MAX if unknown */
};

/* Result of a unicast route lookup toward a source (RPF). */
struct mgm_route {
  uint32_t ifindex;  /* interface toward the source */
  uint32_t nexthop;  /* next hop on that interface (p2mp), usually 0 */
  uint32_t upstream; /* neighbour toward the source; 0 = connected */
  uint32_t network;  /* route prefix, network order */
  uint32_t mask;     /* route mask, network order */
  uint32_t protocol; /* owning routing protocol id (PROTO_IP_*) */
};

struct mgm_be_caps {
  uint16_t max_slots;         /* VIF limit; 0 = unlimited */
  unsigned star_g : 1;        /* kernel (*,G) entries */
  unsigned ifindex_slots : 1; /* 0 on BSD: slot needs an IPv4 address */
  unsigned if_events : 1;     /* pushes interface events */
  unsigned wrongif_upcall : 1;
  unsigned virtual_clock : 1; /* now_ms is virtual: no real timers */
  unsigned kernel_ages_idle : 1;
  unsigned last_use : 1;
};

enum mgm_if_ev {
  MGM_IF_ADD,
  MGM_IF_DEL,
  MGM_IF_UP,
  MGM_IF_DOWN,
  MGM_IF_ADDR_ADD,
  MGM_IF_ADDR_DEL,
  MGM_IF_RENAME,
  MGM_IF_SLOT_LOST
};

#define MGM_IFF_UP 0x1u
#define MGM_IFF_RUNNING 0x2u
#define MGM_IFF_MULTICAST 0x4u
#define MGM_IFF_LOOPBACK 0x8u

struct mgm_if_event {
  enum mgm_if_ev type;
  uint32_t ifindex;
  const char *name; /* may be NULL */
  uint32_t flags;   /* MGM_IFF_* */
  uint32_t addr;    /* network order, for ADDR_* */
  uint8_t prefixlen;
};

enum mgm_mfe_gone { MGM_GONE_AGED, MGM_GONE_IF_DEPARTED, MGM_GONE_FLUSHED };

/* Invoked only from dispatch()/resync(), on the loop thread, without the
 * core lock held; the pointers they pass are valid during the call only.
 * wake is the exception (appended in ABI 2). */
struct mgm_be_upcalls {
  void (*if_event)(void *ctx, const struct mgm_if_event *ev);
  void (*no_entry)(void *ctx, uint32_t iif, uint32_t src, uint32_t grp,
                   const void *hdr, size_t hdrlen);
  void (*wrong_if)(void *ctx, uint32_t arrived_iif, uint32_t src, uint32_t grp,
                   const void *hdr, size_t hdrlen);
  void (*mfe_gone)(void *ctx, const struct mgm_mfe_key *key,
                   enum mgm_mfe_gone why);
  void (*ctrl_packet)(void *ctx, uint32_t ifindex, const void *pkt, size_t len);
  /* Events wait that no descriptor of fds() shows: the core calls
   * dispatch() soon, on its loop thread.  Any thread, with or without the
   * core lock, even from inside an op, between open() and close(); it
   * never blocks and never calls the backend itself. */
  void (*wake)(void *ctx);
};

struct mgm_be_config {
  uint32_t table;        /* 0 = default */
  uint32_t rcvbuf_bytes; /* 0 = backend default */
  int profile;           /* sim only: enum libmgm_sim_profile */
  /* log sink for backend-specific lines (open failures name the cause):
   * from inside any op, on the calling thread; msg is valid during it */
  void (*log)(void *ctx, int level, const char *msg);
  void *log_ctx; /* passed to log */
};

struct mgm_backend; /* opaque, backend-defined */

struct mgm_backend_ops {
  const char *name;
  uint32_t abi;

  int (*open)(const struct mgm_be_config *cfg, const struct mgm_be_upcalls *up,
              void *ctx, struct mgm_backend **out);
  void (*close)(struct mgm_backend *be); /* removes all it installed */
  void (*caps)(struct mgm_backend *be, struct mgm_be_caps *out);

  /* Event-loop integration.  fds() lists descriptors to poll for input
   * (*n in: capacity, out: count; may be 0).  dispatch() handles at most
   * `budget` events and returns how many it handled (>= 0) or an error.
   * It returns fewer than `budget` only when it found nothing more
   * waiting: every queued record delivered, its descriptors read empty
   * (they are polled level-triggered, so data that arrives later calls
   * dispatch() again).  now_ms: the time the loop woke at (now_ms()'s
   * clock), when the loop knows it and nothing ran since, else 0; a
   * backend may give it to the first events it reads instead of reading
   * the clock.  The core hands it to the first dispatch of a wake-up
   * only. */
  int (*fds)(struct mgm_backend *be, int *fds, size_t *n);
  int (*dispatch)(struct mgm_backend *be, unsigned budget, uint64_t now_ms);
  int (*resync)(struct mgm_backend *be);

  /* Slots: idempotent, refcounted per ifindex by the backend. */
  int (*if_attach)(struct mgm_backend *be, uint32_t ifindex);
  int (*if_detach)(struct mgm_backend *be, uint32_t ifindex);

  /* Forwarding entries: create-or-replace, all-or-nothing. */
  int (*mfe_set)(struct mgm_backend *be, const struct mgm_fwd *fwd);
  int (*mfe_del)(struct mgm_backend *be, const struct mgm_mfe_key *key);
  int (*mfe_stats)(struct mgm_backend *be, const struct mgm_mfe_key *key,
                   struct mgm_fwd_stats *out);
  int (*flush)(struct mgm_backend *be);

  /* Unicast RPF lookup toward src: 0, MGM_BE_ENOENT (no route) or error. */
  int (*route_lookup)(struct mgm_backend *be, uint32_t src,
                      struct mgm_route *out);
  /* Monotonic milliseconds (virtual in sim); read on every MFE decision. */
  uint64_t (*now_ms)(struct mgm_backend *be);
  /* Wrong-interface upcalls on/off (optional). */
  int (*set_wrongif)(struct mgm_backend *be, int on);
  /* Send an IGMP message (no IP header) out of ifindex to dst with TTL 1
   * and router alert (optional; NULL = cannot send). */
  int (*ctrl_send)(struct mgm_backend *be, uint32_t ifindex, uint32_t dst,
                   const void *msg, size_t len);
  /* Optional: dispatch() when the loop knows that descriptor fd (one of
   * fds()) is readable: the backend reads that one only, besides handing
   * over its queued records, which saves probing the others.  Same return
   * convention and now_ms as dispatch(). */
  int (*dispatch_fd)(struct mgm_backend *be, int fd, unsigned budget,
                     uint64_t now_ms);
  /* Optional: a backend's own controls, in the manner of SQLite's
   * xFileControl: op names one (the sim's: simctl.h), arg points to len
   * bytes of plain data that the backend reads and may write during the
   * call only.  An op the backend does not know: MGM_BE_ENOTSUP. */
  int (*control)(struct mgm_backend *be, int op, void *arg, size_t len);
};

/* The OS debug channel (OutputDebugString on Windows, nothing elsewhere):
 * log lines written to stderr are copied there. */
void mgm__plat_debug_out(const char *line);

/* Backend registry (registry.c): compiled-in backends, found by name. */
const struct mgm_backend_ops *mgm__plat_find(const char *name);
const char *mgm__plat_default_name(void);
const char *mgm__plat_names(void); /* "linux sim", for messages */

/* Backends compiled in (each defines one of these). */
extern const struct mgm_backend_ops mgm__sim_ops;
extern const struct mgm_backend_ops mgm__linux_ops;
extern const struct mgm_backend_ops mgm__bsd_ops;

#endif /* MGM_PLATFORM_H */
