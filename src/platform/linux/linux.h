/*
 * linux.h - the Linux backend's private state and what each of its files
 * offers the others.  The files, top down: each calls only files below
 * it, so none calls back into the top.
 *   mroute.c   the top: the ops vtable, open and close, the router socket
 *              (ipmr upcalls, read in batches), dispatch and resync
 *   ifmon.c    interface events (rtnetlink links and addresses)
 *   route.c    the unicast RPF lookup and its cache
 *   vif.c      VIF slots and the MFC entries installed over them (the
 *              attach, detach, mfe_set, mfe_del and flush ops' work)
 *   netlink.c  the rtnetlink sockets: open, one request/reply exchange
 *   queue.c    upcall records waiting for the loop thread; the wake pipe
 *   log.c      the log line and the errno -> MGM_BE_* mapping
 *   parse.c    pure: the kernel's messages (igmpmsg, rtnetlink), no I/O
 * The BSD backend has the same files (bsd.h), rtsock.c for netlink.c and
 * rtmsg.c, mrtenc.c and mfctab.c for parse.c.
 *
 * SPDX-License-Identifier: MIT
 *
 * Locking: the core serialises ops with its own lock, but dispatch() and
 * resync() run on the loop thread without it (platform.h), so the backend
 * keeps one mutex of its own over everything below.  It is never held
 * while an upcall runs: state changes queue upcall records (struct
 * mgm__lnx_rec, queue.c) under the mutex and dispatch()/resync() deliver
 * them after dropping it, so an upcall may call back into any op.
 */
#ifndef MGM_LINUX_LINUX_H
#define MGM_LINUX_LINUX_H

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>

#include "platform/platform.h"
#include "parse.h"

#define MGM__LNX_MAXVIFS 32 /* MAXVIFS of linux/mroute.h (kernel.md A.4) */
#define MGM__LNX_RXBUF 65536
/* Router-socket datagrams read per recvmmsg (each gets MGM__LNX_RXBUF):
 * as many as the core asks for per wake-up (MGM_DRAIN_BUDGET), so a burst
 * of new flows costs one read and one lock round per wake-up, not one per
 * flow. */
#define MGM__LNX_BATCH 64
/* The part of each that lands beside the others (mroute.c, lnx_mrx_*):
 * an upcall (igmpmsg and IP header, 28 bytes) and most IGMP packets. */
#define MGM__LNX_RXHEAD 256
/* Slots of the RPF answer cache (power of two). */
#define MGM__LNX_RTC_SLOTS 256

/* A function that needs the backend lock says so with this (the lock is
 * held, by this thread or, as pthreads cannot tell, another). */
#define MGM__LNX_ASSERT_LOCKED(be)                                             \
  assert(pthread_mutex_trylock(&(be)->lock) == EBUSY)

/* Log levels: the values of enum libmgm_log_level (include/libmgm.h). */
#define MGM__LNX_LOG_ERROR 1
#define MGM__LNX_LOG_WARN 2
#define MGM__LNX_LOG_INFO 4
#define MGM__LNX_LOG_TRACE 5

/* One VIF slot.  refs == 0 means free.  A slot whose clean-up failed is
 * quarantined: never reused while this backend lives (kernel.md A.13). */
struct mgm__lnx_vif {
  uint32_t ifindex;
  uint32_t refs;
  int quarantined;
  int msock; /* holds the router groups' memberships on the device; -1 */
};

struct mgm__lnx_rxq;

/* Shadow copy of one MFC entry we installed: what the kernel holds. */
struct mgm__lnx_mfe {
  struct mgm__lnx_mfe *next;
  uint32_t src;
  uint32_t grp;
  uint16_t parent;
  uint8_t ttls[MGM__LNX_MAXVIFS];
};

/* An interface as rtnetlink last described it. */
struct mgm__lnx_if {
  uint32_t ifindex;
  uint32_t flags; /* IFF_* */
  char name[MGM__LNX_IFNAMSIZ];
};

/* A queued upcall. */
enum mgm__lnx_rec_kind { MGM__LNX_REC_IF, MGM__LNX_REC_GONE };

struct mgm__lnx_rec {
  struct mgm__lnx_rec *next;
  enum mgm__lnx_rec_kind kind;
  struct mgm_if_event ev; /* REC_IF; ev.name points into name[] */
  char name[MGM__LNX_IFNAMSIZ];
  struct mgm_mfe_key key; /* REC_GONE */
  enum mgm_mfe_gone why;
};

/* One cached RPF answer (route.c): what RTM_GETROUTE said about src while
 * no routing change was seen since. */
struct mgm__lnx_rtc {
  uint32_t src;
  int valid;
  int rc; /* 0 or MGM_BE_ENOENT */
  struct mgm_route rt;
};

/* Counters, logged at close (and handy in a debugger). */
struct mgm__lnx_counters {
  uint64_t nocache;      /* NOCACHE upcalls delivered */
  uint64_t wrongvif;     /* WRONGVIF upcalls delivered */
  uint64_t igmp;         /* IGMP packets delivered */
  uint64_t igmp_own;     /* our own IGMP reports looped back (dropped) */
  uint64_t igmp_foreign; /* IGMP on interfaces that are not our VIFs */
  uint64_t ignored;      /* well-formed upcalls we do not use */
  uint64_t malformed;    /* router-socket datagrams that failed to parse */
  uint64_t badvif;       /* upcalls naming a VIF that is not ours */
  uint64_t rx_dropped;   /* kernel drops on the router socket (RXQ_OVFL) */
  uint64_t nl_malformed; /* rtnetlink messages that failed to parse */
  uint64_t nl_overruns;  /* ENOBUFS on the event socket */
  uint64_t rec_lost;     /* upcall records lost to ENOMEM */
  uint64_t rtc_hits;     /* RPF lookups answered from the cache */
  uint64_t rtc_misses;   /* RPF lookups that asked the kernel */
  uint64_t rtc_flushes;  /* cache flushes after routing changes */
};

struct mgm_backend {
  pthread_mutex_t lock;
  const struct mgm_be_upcalls *up;
  void *ctx;
  void (*log)(void *ctx, int level, const char *msg);
  void *log_ctx;
  uint32_t table; /* as configured; 0 = default (253) */

  int mfd;       /* raw IGMP socket: the table's owner */
  int nfd;       /* rtnetlink events (LINK, IPV4_IFADDR) */
  int rfd;       /* rtnetlink requests (dumps, route lookups) */
  int cfd;       /* routing-change listener for the RPF cache; -1 = no cache */
  int rtc_armed; /* cfd receives (no drop-all filter); 0 => cache empty */
  int wake[2];   /* self-pipe: readable while records wait */
  int woken;
  uint32_t seq;
  int wrongif;
  int desync; /* an event overrun waits for resync() */
  uint32_t rx_dropped_seen;

  struct mgm__lnx_vif vif[MGM__LNX_MAXVIFS];

  struct mgm__lnx_mfe **mfe; /* hash buckets */
  size_t mfe_nbuckets;       /* power of two */
  size_t mfe_count;

  struct mgm__lnx_if *ifs;
  size_t n_ifs;
  size_t cap_ifs;

  /* Our own IPv4 addresses: IGMP packets from them are our kernel's own
   * reports looped back to the router socket, not the hosts'. */
  struct mgm__lnx_addr *addrs;
  size_t n_addrs;
  size_t cap_addrs;

  struct mgm__lnx_rec *rec_head;
  struct mgm__lnx_rec *rec_tail;

  /* RPF answer cache (route.c), valid while cfd reports no change. */
  struct mgm__lnx_rtc rtc[MGM__LNX_RTC_SLOTS];

  /* Router-socket batch (loop thread): room for MGM__LNX_BATCH datagrams
   * of MGM__LNX_RXBUF bytes (laid out by lnx_mrx_*), and whether their
   * upcalls are being delivered. */
  uint8_t *mrx;
  struct mgm__lnx_rxq *rxq; /* its recvmmsg headers (mroute.c) */
  int in_batch;
  /* The RPF cache is in step for the current batch: dispatch() looked at
   * cfd after reading the batch, so every routing change announced before
   * any of its upcalls was seen.  Lookups made by its upcalls on the loop
   * thread (batch_thread) trust the cache without draining cfd again. */
  int rtc_synced;
  pthread_t batch_thread;

  struct mgm__lnx_counters cnt;
  uint8_t rx[MGM__LNX_RXBUF];  /* event-socket receive buffer (loop thread) */
  uint8_t req[MGM__LNX_RXBUF]; /* request-reply buffer (under lock) */
};

/* ifmon.c (lock held, but open and free) */
/* Open the event socket (subscribed before the first dump). */
int mgm__lnx_ifmon_open(struct mgm_backend *be);
/* Read and handle one datagram from the event socket: 1 handled, 0 none
 * waiting, MGM_BE_EDESYNC on overrun, other MGM_BE_* on error. */
int mgm__lnx_ifmon_read(struct mgm_backend *be);
/* Re-dump links and addresses.  replay != 0 queues IF_ADD/ADDR_ADD for all
 * of them; either way vanished interfaces get IF_DEL (+ SLOT_LOST). */
int mgm__lnx_ifmon_dump(struct mgm_backend *be, int replay);
void mgm__lnx_ifmon_free(struct mgm_backend *be);
/* Is addr one of our IPv4 addresses? */
int mgm__lnx_ifmon_is_local(struct mgm_backend *be, uint32_t addr);

/* route.c (lock held, but cache_open) */
/* RPF lookup toward src, answered from the cache when no routing change
 * (route, rule, nexthop, link, address, netconf) was announced since the
 * answer was cached; otherwise RTM_GETROUTE. */
int mgm__lnx_route_lookup(struct mgm_backend *be, uint32_t src,
                          struct mgm_route *out);
/* Open the routing-change listener (open: best effort, without it every
 * lookup asks the kernel). */
void mgm__lnx_route_cache_open(struct mgm_backend *be);
/* Forget every cached answer (resync; a link or address event, ifmon.c). */
void mgm__lnx_route_cache_flush(struct mgm_backend *be);
/* Drain the change listener; flush the cache if anything changed. */
void mgm__lnx_route_cache_sync(struct mgm_backend *be);

/* vif.c (lock held, but init and free) */
/* Free VIF slots and an empty shadow table: 0 or MGM_BE_ENOMEM. */
int mgm__lnx_vif_init(struct mgm_backend *be);
/* Leave the router groups, free the shadow table (close). */
void mgm__lnx_vif_free(struct mgm_backend *be);
/* The VIF slot of ifindex, or -1. */
int mgm__lnx_vif_find(struct mgm_backend *be, uint32_t ifindex);
/* The kernel dropped the VIF of ifindex (device gone): scrub the shadow
 * table and free the slot.  Returns 1 if ifindex had a VIF. */
int mgm__lnx_vif_lost(struct mgm_backend *be, uint32_t ifindex);
/* The if_attach, if_detach, mfe_set, mfe_del and flush ops (platform.h),
 * under the lock mroute.c took. */
int mgm__lnx_vif_attach(struct mgm_backend *be, uint32_t ifindex);
int mgm__lnx_vif_detach(struct mgm_backend *be, uint32_t ifindex);
int mgm__lnx_vif_mfe_set(struct mgm_backend *be, const struct mgm_fwd *fwd);
int mgm__lnx_vif_mfe_del(struct mgm_backend *be, const struct mgm_mfe_key *key);
int mgm__lnx_vif_flush(struct mgm_backend *be);

/* netlink.c */
/* Open a non-blocking rtnetlink socket bound to groups, its receive buffer
 * sized to rcvbuf bytes when rcvbuf > 0.  Returns 0 or a MGM_BE_* error;
 * *err_out gets the errno. */
int mgm__lnx_nl_open(int groups, int rcvbuf, int *fd_out, int *err_out);
/* Lock held (be->req is the reply buffer).  Send one request on be->rfd
 * and hand every reply message with its sequence number to fn until DONE /
 * ERROR / a non-multi reply.  fn returns 0 to go on or a negative MGM_BE_*
 * to stop.  Returns 0 or a MGM_BE_* error; *nlerr gets the kernel's errno
 * from an NLMSG_ERROR. */
int mgm__lnx_nl_request(struct mgm_backend *be, const void *req, size_t len,
                        int (*fn)(struct mgm_backend *be, uint16_t type,
                                  const uint8_t *msg, size_t msglen, void *arg),
                        void *arg, int *nlerr);

/* queue.c */
/* Queue an interface event or an mfe_gone notice (lock held); a lost
 * record (ENOMEM) is counted, and a lost interface event asks for a
 * resync. */
void mgm__lnx_queue_if(struct mgm_backend *be, enum mgm_if_ev type,
                       const struct mgm__lnx_if *ifp, uint32_t addr,
                       uint8_t prefixlen);
void mgm__lnx_queue_gone(struct mgm_backend *be, const struct mgm_mfe_key *key,
                         enum mgm_mfe_gone why);
/* Deliver up to budget queued records (loop thread, lock NOT held: it is
 * taken per record).  Returns how many. */
unsigned mgm__lnx_queue_deliver(struct mgm_backend *be, unsigned budget);
/* Free undelivered records (close). */
void mgm__lnx_queue_free(struct mgm_backend *be);

/* log.c: one line to the configured log hook (nothing without one), and
 * the MGM_BE_* code of an errno. */
void mgm__lnx_log(struct mgm_backend *be, int level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int mgm__lnx_map_errno(int err);

#endif /* MGM_LINUX_LINUX_H */
