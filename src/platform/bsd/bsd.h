/*
 * bsd.h - the BSD backend's private state and what each of its files
 * offers the others.  The files, top down: each calls only files below
 * it, so none calls back into the top.
 *   mroute.c   the top: the ops vtable, open and close, the router socket
 *              (ip_mroute upcalls), dispatch and resync
 *   ifmon.c    interface events (PF_ROUTE interface and address messages)
 *   route.c    the unicast RPF lookup (RTM_GET)
 *   vif.c      VIF slots and the MFC entries installed over them (the
 *              attach, detach, mfe_set, mfe_del and flush ops' work)
 *   rtsock.c   the PF_ROUTE request socket: open, wait for the reply
 *   queue.c    upcall records waiting for the loop thread; the wake pipe
 *   log.c      the log line and the errno -> MGM_BE_* mapping
 *   rtmsg.c, mrtenc.c, mfctab.c
 *              pure: routing messages, the ip_mroute structs and the
 *              shadow MFC table, driven by layouts, no I/O
 *   oscaps.c   what this OS's headers say: capabilities and layouts
 * The Linux backend has the same files (linux.h), netlink.c for rtsock.c
 * and parse.c for the pure ones.
 *
 * SPDX-License-Identifier: MIT
 *
 * Include this first: it sets the BSD visibility macros before any system
 * header is read.  Of the OS it needs only <pthread.h>.
 *
 * Locking (as in the Linux backend): the core serialises ops with its own
 * lock, but dispatch() and resync() run on the loop thread without it, so
 * the backend keeps one mutex over all of struct mgm_backend.  It is never
 * held while an upcall runs: interface events and mfe_gone notices are
 * queued as records under the mutex and delivered after it is dropped (a
 * byte on the self-pipe makes the loop call dispatch() for records queued
 * by an op); packet upcalls are made straight from dispatch() with the
 * mutex dropped, out of rxbuf, which only the loop thread touches.
 */
#ifndef MGM_BSD_H
#define MGM_BSD_H

/* The backend needs the BSD namespace (u_long, sockaddr_dl, PF_ROUTE...)
 * even if a strict -D_POSIX_C_SOURCE is on the command line. */
#if defined(__FreeBSD__) && !defined(__BSD_VISIBLE)
#define __BSD_VISIBLE 1
#endif
#if defined(__NetBSD__) && !defined(_NETBSD_SOURCE)
#define _NETBSD_SOURCE 1
#endif
#if defined(__OpenBSD__) && !defined(_BSD_SOURCE)
#define _BSD_SOURCE 1
#endif

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/platform.h"
#include "platform/bsd/mfctab.h"
#include "platform/bsd/mrtenc.h"
#include "platform/bsd/rtmsg.h"

/* A function that needs the backend lock says so with this (the lock is
 * held, by this thread or, as pthreads cannot tell, another). */
#define MGM__BSD_ASSERT_LOCKED(be)                                             \
  assert(pthread_mutex_trylock(&(be)->lock) == EBUSY)

/* Log levels, as in enum libmgm_log_level (include/libmgm.h). */
#define MGM__BSD_LOG_ERROR 1
#define MGM__BSD_LOG_WARN 2
#define MGM__BSD_LOG_INFO 4
#define MGM__BSD_LOG_TRACE 5

/* What the running OS's multicast routing and routing socket can do, read
 * from its own headers (oscaps.c); OS names appear only where the headers
 * cannot tell (behaviour, not ABI). */
struct mgm_bsd_oscaps {
  const char *os;          /* "freebsd", "netbsd", "openbsd" */
  const char *mroute_hint; /* how to get multicast routing into the kernel */
  uint16_t maxvifs;        /* MAXVIFS */
  unsigned api_config : 1; /* MRT_API_CONFIG and struct mfcctl2 */
  unsigned assert_opt : 1; /* MRT_ASSERT */
  unsigned wrongif_upcall : 1;     /* the kernel sends IGMPMSG_WRONGVIF */
  unsigned register_vif : 1;       /* VIFF_REGISTER (PIM) */
  unsigned bw_upcall : 1;          /* MRT_ADD_BW_UPCALL */
  unsigned group_keyed_only : 1;   /* OpenBSD: one MFC entry per group */
  unsigned kernel_ages_idle : 1;   /* OpenBSD: idle entries expire (~30-60 s) */
  unsigned one_vif_per_if : 1;     /* OpenBSD: EADDRINUSE on a second VIF */
  unsigned mforwarding_sysctl : 1; /* OpenBSD: net.inet.ip.mforwarding */
  unsigned route_hdrlen : 1;       /* OpenBSD: *_hdrlen in routing messages */
  unsigned route_desync : 1;       /* RTM_DESYNC */
  unsigned route_filter : 1;       /* ROUTE_MSGFILTER (OpenBSD) */
  unsigned ro_msgfilter : 1;       /* RO_MSGFILTER (NetBSD) */
  unsigned rdomain : 1;            /* SO_RTABLE: per-rdomain multicast tables */
};

#define BSD_IF_ADDRS 8 /* IPv4 addresses remembered per interface */
#define BSD_PENDING_MAX 128

struct mgm_bsd_ifaddr {
  uint32_t addr; /* network order */
  uint8_t prefixlen;
};

/* An interface as learnt from PF_ROUTE. */
struct mgm_bsd_iface {
  uint32_t ifindex;
  char name[MGM_RTM_NAMESIZ];
  uint32_t flags;     /* MGM_IFF_* */
  int32_t link_state; /* ifi_link_state, -1 unknown */
  uint8_t naddr;
  struct mgm_bsd_ifaddr addr[BSD_IF_ADDRS]; /* addr[0] is the primary */
};

/* A kernel VIF slot.  refcnt 0 with in_use set is "pre-armed": added
 * when the address of a pending interface arrived, not yet claimed by
 * the core (its next if_attach takes it without a kernel call); in_use
 * with ifindex 0 is a slot quarantined after MRT_DEL_VIF failed. */
struct mgm_bsd_vif {
  uint32_t ifindex;
  uint32_t addr;   /* vifc_lcl_addr it was created with */
  uint32_t refcnt; /* if_attach count */
  uint8_t in_use;
};

/* A queued upcall: an interface event or an mfe_gone notice. */
struct mgm_bsd_rec {
  struct mgm_bsd_rec *next;
  int is_gone;
  struct mgm_if_event ev; /* !is_gone; ev.name is set on delivery */
  char name[MGM_RTM_NAMESIZ];
  struct mgm_mfe_key key; /* is_gone */
  enum mgm_mfe_gone why;
};

struct mgm_backend {
  pthread_mutex_t lock; /* over everything below (see the top comment) */
  struct mgm_be_config cfg;
  struct mgm_be_upcalls up;
  void *ctx;
  struct mgm_bsd_oscaps os;
  struct mgm_rtm_layout rtl;
  struct mgm_mrt_layout mrl;
  int igmp_fd;          /* raw IGMP socket, the router socket */
  int rt_fd;            /* PF_ROUTE event socket */
  int wake_rd, wake_wr; /* self-pipe: deferred upcalls are waiting */
  int mrt_inited;       /* MRT_INIT succeeded: MRT_DONE on close */
  int use_mfcctl2;      /* MRT_API_CONFIG granted flags: pass mfcctl2 */
  uint32_t api_config;  /* the granted MRT_API_CONFIG bits */
  int wrongif_on;
  int last_errno;
  int32_t pid;
  int32_t rtseq;
  struct mgm_bsd_vif vif[MGM_MRT_VIFS_MAX];
  uint32_t pending[BSD_PENDING_MAX]; /* ifindexes waiting for an address */
  size_t npending;
  struct mgm_bsd_iface *ifs;
  size_t nifs, capifs;
  struct mgm_bsd_mfctab mfc;
  struct mgm_bsd_rec *rec_head, *rec_tail; /* upcalls to deliver */
  uint8_t *rxbuf; /* loop thread only: dispatch() and resync() */
  size_t rxcap;
};

/* Scratch big enough and aligned for any of the mroute structs (vif.c
 * asserts it against the headers). */
union mgm_bsd_arg {
  uint64_t align;
  uint8_t b[512];
};

/* ifmon.c: interface tracking on PF_ROUTE (lock held, but open and
 * close). */
int mgm__bsd_ifmon_open(struct mgm_backend *be);
void mgm__bsd_ifmon_close(struct mgm_backend *be);
/* Re-read all interfaces; replay queues IF_ADD/ADDR_ADD for each, and
 * vanished interfaces get IF_DEL and lose their VIF either way. */
int mgm__bsd_ifmon_load(struct mgm_backend *be, int replay);
/* Read and handle one datagram: 1 handled, 0 none waiting,
 * MGM_BE_EDESYNC (ENOBUFS, RTM_DESYNC) or another MGM_BE_* error. */
int mgm__bsd_ifmon_read(struct mgm_backend *be);
/* Throw away queued messages (resync re-reads the truth). */
void mgm__bsd_ifmon_drain(struct mgm_backend *be);
/* The interface of ifindex as last heard of, or NULL. */
struct mgm_bsd_iface *mgm__bsd_ifmon_find(struct mgm_backend *be,
                                          uint32_t ifindex);

/* route.c: unicast RPF lookup with RTM_GET (lock NOT held: it waits for
 * the kernel's reply; it reads only what open() fixed).  *err gets the
 * failing errno. */
int mgm__bsd_route_lookup(const struct mgm_backend *be, uint32_t src,
                          int32_t seq, struct mgm_route *out, int *err);

/* vif.c (lock held) */
/* The if_attach (ifp: ifmon.c's record of ifindex, NULL if unknown),
 * if_detach, mfe_set, mfe_del and flush ops (platform.h), under the lock
 * mroute.c took. */
int mgm__bsd_vif_attach(struct mgm_backend *be, uint32_t ifindex,
                        const struct mgm_bsd_iface *ifp);
int mgm__bsd_vif_detach(struct mgm_backend *be, uint32_t ifindex);
int mgm__bsd_vif_mfe_set(struct mgm_backend *be, const struct mgm_fwd *fwd);
int mgm__bsd_vif_mfe_del(struct mgm_backend *be, const struct mgm_mfe_key *key);
int mgm__bsd_vif_flush(struct mgm_backend *be);
/* An address arrived on ifindex (ifp as above): pre-arm the VIF of a
 * pending interface so that the core's next if_attach succeeds at once. */
void mgm__bsd_vif_addr_added(struct mgm_backend *be, uint32_t ifindex,
                             const struct mgm_bsd_iface *ifp);
/* The kernel dropped the interface and its VIF: queue the slot loss,
 * scrub the MFC, free the slot. */
void mgm__bsd_vif_departed(struct mgm_backend *be, uint32_t ifindex);
/* OpenBSD aged out a multicast route of group: report the shadow entries
 * the kernel no longer has. */
void mgm__bsd_vif_group_check(struct mgm_backend *be, uint32_t group);
/* Report every shadow entry the kernel no longer has (resync). */
void mgm__bsd_vif_verify(struct mgm_backend *be);

/* rtsock.c: the request socket for one RTM_GET (lock NOT held: it waits
 * for the kernel).  *errp gets the failing errno. */
int mgm__bsd_rtsock_open(int *fdp, int *errp);
/* Wait (boundedly) for the reply to (be->pid, seq) on fd and decode it
 * into *msg, with buf (cap bytes) as the receive buffer.  0, or
 * MGM_BE_EAGAIN when none came (*errp ETIMEDOUT), or another MGM_BE_*. */
int mgm__bsd_rtsock_reply(const struct mgm_backend *be, int fd, uint8_t *buf,
                          size_t cap, int32_t seq, struct mgm_rtm_msg *msg,
                          int *errp);

/* queue.c */
/* Queue an interface event or an mfe_gone notice (lock held); a record
 * lost to ENOMEM is logged. */
void mgm__bsd_queue_if(struct mgm_backend *be, enum mgm_if_ev type,
                       const struct mgm_bsd_iface *ifp, uint32_t addr,
                       uint8_t prefixlen);
void mgm__bsd_queue_gone(struct mgm_backend *be, const struct mgm_mfe_key *key,
                         enum mgm_mfe_gone why);
/* Deliver queued records in order (lock NOT held: it is taken per
 * record).  Upcalls may call ops, which may queue more: they are delivered
 * too.  Returns how many. */
unsigned mgm__bsd_queue_deliver(struct mgm_backend *be);
/* Empty the wake pipe (dispatch). */
void mgm__bsd_queue_unwake(struct mgm_backend *be);
/* Free undelivered records (close). */
void mgm__bsd_queue_free(struct mgm_backend *be);

/* log.c: one line to the configured log hook (nothing without one), and
 * the MGM_BE_* code of an errno. */
void mgm__bsd_log(struct mgm_backend *be, int level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int mgm__bsd_map_errno(int err);

/* oscaps.c: everything read from the OS headers. */
void mgm__bsd_oscaps_init(struct mgm_bsd_oscaps *caps);
void mgm__bsd_rtm_layout_init(struct mgm_rtm_layout *lay);
void mgm__bsd_mrt_layout_init(struct mgm_mrt_layout *lay);

#endif /* MGM_BSD_H */
