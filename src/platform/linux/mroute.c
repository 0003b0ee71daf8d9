/*
 * mroute.c - the Linux backend: real kernel multicast forwarding through
 * the ipmr socket API (kernel.md A), behind struct mgm_backend_ops.
 *
 * SPDX-License-Identifier: MIT
 *
 * The backend owns one ipmr table: a raw IGMP socket that did MRT_TABLE
 * (when a table is configured) and MRT_INIT.  This file is the top of the
 * backend: the ops vtable, open and close, and the router socket, whose
 * upcalls (NOCACHE, WRONGVIF, real IGMP packets), read in batches with
 * recvmmsg, go to the core from dispatch() / dispatch_fd().  The ops'
 * work on VIF slots and MFC entries is vif.c's, interface events come from
 * ifmon.c, RPF lookups and their cache from route.c (linux.h lists the
 * files).  Closing the socket (MRT_DONE) makes the kernel drop every VIF
 * and entry we made: we never install static entries, so a crash leaves
 * nothing behind.
 *
 * Every system call goes through posix/sys.h so tests can inject errors.
 * Ops never log and swallow: failures are logged at TRACE with the errno
 * and returned; only open() logs at ERROR, naming the cause.
 */
#define _GNU_SOURCE 1

#include "linux.h"
#include "platform/posix/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <linux/mroute.h>

#define LNX_DEFAULT_RCVBUF (8u * 1024 * 1024)
#define LNX_DEFAULT_TABLE 253 /* RT_TABLE_DEFAULT: ipmr's default table */
/* Interface messages read before one batch of upcalls at most (the rest
 * wait for the next batch: the order is best effort past that). */
#define LNX_EVENTS_PER_BATCH 64
/* The router-socket batch buffer (be->mrx): the heads of the batch's
 * datagrams side by side (MGM__LNX_RXHEAD bytes each), then each one's
 * tail, then room to join a head and its tail.  Upcalls and most IGMP
 * packets fit in a head, so a batch of them touches four pages, not one
 * per datagram; a longer IGMP packet spills into its tail and is joined
 * before it is handled. */
#define LNX_MRX_TAIL ((size_t)MGM__LNX_RXBUF - MGM__LNX_RXHEAD)
#define LNX_MRX_SIZE ((size_t)(MGM__LNX_BATCH + 1) * MGM__LNX_RXBUF)

#if MGM__LNX_MAXVIFS != MAXVIFS
#error "MAXVIFS of linux/mroute.h differs from the backend's copy"
#endif
/* VIFs are made by ifindex (Linux >= 2.6.33 headers); without it the
 * backend would need an address per interface, like BSD. */
#ifndef VIFF_USE_IFINDEX
#error "linux/mroute.h lacks VIFF_USE_IFINDEX"
#endif

/* The recvmmsg headers of the router socket's batches, pointing into
 * be->mrx: set up once at open; a read resets only what the kernel wrote
 * back into the entries the previous read filled. */
struct mgm__lnx_rxq {
  struct mmsghdr mm[MGM__LNX_BATCH];
  struct iovec iov[MGM__LNX_BATCH][2];
  union {
    struct cmsghdr align;
    uint8_t buf[CMSG_SPACE(sizeof(struct in_pktinfo)) +
                CMSG_SPACE(sizeof(uint32_t))];
  } ctl[MGM__LNX_BATCH];
  unsigned used; /* entries the last read filled */
};

static uint8_t *lnx_mrx_head(struct mgm_backend *be, unsigned i) {
  return be->mrx + (size_t)i * MGM__LNX_RXHEAD;
}

static uint8_t *lnx_mrx_tail(struct mgm_backend *be, unsigned i) {
  return be->mrx + (size_t)MGM__LNX_BATCH * MGM__LNX_RXHEAD +
         (size_t)i * LNX_MRX_TAIL;
}

static void lnx_rxq_init(struct mgm_backend *be) {
  struct mgm__lnx_rxq *q = be->rxq;
  unsigned i;

  memset(q, 0, sizeof(*q));
  for (i = 0; i < MGM__LNX_BATCH; i++) {
    q->iov[i][0].iov_base = lnx_mrx_head(be, i);
    q->iov[i][0].iov_len = MGM__LNX_RXHEAD;
    q->iov[i][1].iov_base = lnx_mrx_tail(be, i);
    q->iov[i][1].iov_len = LNX_MRX_TAIL;
    q->mm[i].msg_hdr.msg_iov = q->iov[i];
    q->mm[i].msg_hdr.msg_iovlen = 2;
    q->mm[i].msg_hdr.msg_control = q->ctl[i].buf;
    q->mm[i].msg_hdr.msg_controllen = sizeof(q->ctl[i].buf);
  }
}

/* Datagram i of the batch, len bytes, in one piece. */
static const uint8_t *lnx_mrx_joined(struct mgm_backend *be, unsigned i,
                                     size_t len) {
  uint8_t *join = be->mrx + (size_t)MGM__LNX_BATCH * MGM__LNX_RXBUF;

  if (len <= MGM__LNX_RXHEAD)
    return lnx_mrx_head(be, i);
  memcpy(join, lnx_mrx_head(be, i), MGM__LNX_RXHEAD);
  memcpy(join + MGM__LNX_RXHEAD, lnx_mrx_tail(be, i), len - MGM__LNX_RXHEAD);
  return join;
}

static const char *lnx_be_strerror(int rc) {
  switch (rc) {
  case MGM_BE_OK:
    return "ok";
  case MGM_BE_EINVAL:
    return "invalid";
  case MGM_BE_ENOTSUP:
    return "not supported";
  case MGM_BE_EBUSY:
    return "busy";
  case MGM_BE_EPERM:
    return "no privilege";
  case MGM_BE_ENOIF:
    return "no such interface";
  case MGM_BE_ENOSLOT:
    return "VIF table full";
  case MGM_BE_ENOENT:
    return "no entry";
  case MGM_BE_ENOMEM:
    return "out of memory";
  case MGM_BE_EAGAIN:
    return "try again";
  case MGM_BE_EDESYNC:
    return "desynchronised";
  default:
    return "I/O error";
  }
}

static void lnx_lock(struct mgm_backend *be) {
  pthread_mutex_lock(&be->lock);
}

static void lnx_unlock(struct mgm_backend *be) {
  pthread_mutex_unlock(&be->lock);
}

/* ---- Ops ---------------------------------------------------------------- */

static void lnx_free(struct mgm_backend *be) {
  if (be->mfd >= 0)
    (void)mgm__sys_close(be->mfd);
  if (be->nfd >= 0)
    (void)mgm__sys_close(be->nfd);
  if (be->rfd >= 0)
    (void)mgm__sys_close(be->rfd);
  if (be->cfd >= 0)
    (void)mgm__sys_close(be->cfd);
  if (be->wake[0] >= 0)
    (void)mgm__sys_close(be->wake[0]);
  if (be->wake[1] >= 0)
    (void)mgm__sys_close(be->wake[1]);
  mgm__lnx_vif_free(be);
  free(be->mrx);
  free(be->rxq);
  mgm__lnx_queue_free(be);
  mgm__lnx_ifmon_free(be);
  pthread_mutex_destroy(&be->lock);
  free(be);
}

static uint32_t lnx_table_id(const struct mgm_backend *be) {
  return be->table != 0 ? be->table : LNX_DEFAULT_TABLE;
}

/* Socket, MRT_TABLE, MRT_INIT: the steps whose failures users hit. */
static int lnx_open_mroute(struct mgm_backend *be, uint32_t rcvbuf) {
  static const uint8_t ra[4] = {0x94, 0x04, 0x00, 0x00}; /* router alert */
  int one = 1;
  int zero = 0;
  int tos = 0xc0;
  int buf;
  int err;
  int rc;

  be->mfd = mgm__sys_socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
                            IPPROTO_IGMP);
  if (be->mfd < 0) {
    err = errno;
    rc = mgm__lnx_map_errno(err);
    if (rc == MGM_BE_EPERM)
      mgm__lnx_log(be, MGM__LNX_LOG_ERROR,
                   "linux: no privilege: the raw IGMP socket needs "
                   "CAP_NET_RAW (%s)",
                   strerror(err));
    else
      mgm__lnx_log(be, MGM__LNX_LOG_ERROR,
                   "linux: cannot open a raw IGMP socket: %s", strerror(err));
    goto out;
  }
  if (be->table != 0) {
#ifdef HAVE_MRT_TABLE
    uint32_t t = be->table;

    if (mgm__sys_setsockopt(be->mfd, IPPROTO_IP, MRT_TABLE, &t, sizeof(t)) <
        0) {
      err = errno;
      rc = mgm__lnx_map_errno(err);
      if (rc == MGM_BE_ENOTSUP)
        mgm__lnx_log(be, MGM__LNX_LOG_ERROR,
                     "linux: multicast table %u not available: the kernel "
                     "lacks CONFIG_IP_MROUTE_MULTIPLE_TABLES or "
                     "CONFIG_IP_MROUTE (%s)",
                     be->table, strerror(err));
      else if (rc == MGM_BE_EPERM)
        mgm__lnx_log(be, MGM__LNX_LOG_ERROR,
                     "linux: no privilege to select multicast table %u "
                     "(needs CAP_NET_ADMIN): %s",
                     be->table, strerror(err));
      else
        mgm__lnx_log(be, MGM__LNX_LOG_ERROR, "linux: MRT_TABLE %u failed: %s",
                     be->table, strerror(err));
      goto out;
    }
#else
    rc = MGM_BE_ENOTSUP;
    mgm__lnx_log(be, MGM__LNX_LOG_ERROR,
                 "linux: multicast table %u requested but this build has "
                 "no MRT_TABLE",
                 be->table);
    goto out;
#endif
  }
  if (mgm__sys_setsockopt(be->mfd, IPPROTO_IP, MRT_INIT, &one, sizeof(one)) <
      0) {
    err = errno;
    rc = mgm__lnx_map_errno(err);
    if (err == EADDRINUSE)
      mgm__lnx_log(be, MGM__LNX_LOG_ERROR,
                   "linux: another multicast router owns table %u "
                   "(MRT_INIT: %s)",
                   lnx_table_id(be), strerror(err));
    else if (rc == MGM_BE_ENOTSUP)
      mgm__lnx_log(be, MGM__LNX_LOG_ERROR,
                   "linux: multicast routing not enabled in the kernel "
                   "(CONFIG_IP_MROUTE; MRT_INIT: %s)",
                   strerror(err));
    else if (rc == MGM_BE_EPERM)
      mgm__lnx_log(be, MGM__LNX_LOG_ERROR,
                   "linux: no privilege for MRT_INIT on table %u "
                   "(needs CAP_NET_ADMIN): %s",
                   lnx_table_id(be), strerror(err));
    else
      mgm__lnx_log(be, MGM__LNX_LOG_ERROR,
                   "linux: MRT_INIT on table %u failed: %s", lnx_table_id(be),
                   strerror(err));
    goto out;
  }
  /* A burst of new flows is a burst of upcalls: a large buffer keeps the
   * kernel from dropping them (kernel.md A.7).  FORCE needs CAP_NET_ADMIN
   * and ignores rmem_max; without it we get what rmem_max allows. */
  buf = rcvbuf > (uint32_t)0x3fffffff ? 0x3fffffff : (int)rcvbuf;
#ifdef HAVE_SO_RCVBUFFORCE
  if (mgm__sys_setsockopt(be->mfd, SOL_SOCKET, SO_RCVBUFFORCE, &buf,
                          sizeof(buf)) < 0)
#endif
  {
    if (mgm__sys_setsockopt(be->mfd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf)) <
        0) {
      err = errno;
      mgm__lnx_log(be, MGM__LNX_LOG_WARN,
                   "linux: cannot size the upcall buffer to %d bytes: %s", buf,
                   strerror(err));
    } else {
      mgm__lnx_log(be, MGM__LNX_LOG_WARN,
                   "linux: upcall buffer limited by net.core.rmem_max "
                   "(wanted %d bytes)",
                   buf);
    }
  }
  /* The arrival interface of IGMP packets (kernel.md A.14). */
  if (mgm__sys_setsockopt(be->mfd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) <
      0) {
    err = errno;
    rc = mgm__lnx_map_errno(err);
    mgm__lnx_log(be, MGM__LNX_LOG_ERROR, "linux: IP_PKTINFO failed: %s",
                 strerror(err));
    goto out;
  }
  /* What we send (ctrl_send) is IGMP: TTL 1, router alert (RFC 2113),
   * internetwork-control TOS (RFC 3376 4), never looped back to us.  A
   * failure here only degrades sending: warn and go on. */
  if (mgm__sys_setsockopt(be->mfd, IPPROTO_IP, IP_MULTICAST_TTL, &one,
                          sizeof(one)) < 0 ||
      mgm__sys_setsockopt(be->mfd, IPPROTO_IP, IP_TTL, &one, sizeof(one)) < 0 ||
      mgm__sys_setsockopt(be->mfd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero,
                          sizeof(zero)) < 0 ||
      mgm__sys_setsockopt(be->mfd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)) < 0 ||
      mgm__sys_setsockopt(be->mfd, IPPROTO_IP, IP_OPTIONS, ra, sizeof(ra)) <
          0) {
    err = errno;
    mgm__lnx_log(be, MGM__LNX_LOG_WARN,
                 "linux: cannot set up IGMP sending on the router socket: "
                 "%s",
                 strerror(err));
  }
#ifdef HAVE_SO_RXQ_OVFL
  /* Drop counter of the socket: tells us when upcalls were lost. */
  (void)mgm__sys_setsockopt(be->mfd, SOL_SOCKET, SO_RXQ_OVFL, &one,
                            sizeof(one));
#endif
  rc = 0;

out:
  return rc;
}

static int lnx_open(const struct mgm_be_config *cfg,
                    const struct mgm_be_upcalls *up, void *ctx,
                    struct mgm_backend **out) {
  struct mgm_backend *be;
  int err;
  int rc;

  *out = NULL;
  be = calloc(1, sizeof(*be));
  if (be == NULL) {
    rc = MGM_BE_ENOMEM;
    goto out;
  }
  pthread_mutex_init(&be->lock, NULL);
  be->mfd = be->nfd = be->rfd = be->cfd = -1;
  be->wake[0] = be->wake[1] = -1;
  be->up = up;
  be->ctx = ctx;
  be->log = cfg->log;
  be->log_ctx = cfg->log_ctx;
  be->table = cfg->table;
  rc = mgm__lnx_vif_init(be);
  /* Address space mostly: pages are touched as datagrams land in them. */
  be->mrx = malloc(LNX_MRX_SIZE);
  be->rxq = malloc(sizeof(*be->rxq));
  if (rc < 0 || be->mrx == NULL || be->rxq == NULL) {
    rc = MGM_BE_ENOMEM;
    goto out;
  }
  lnx_rxq_init(be);
  rc = lnx_open_mroute(be, cfg->rcvbuf_bytes ? cfg->rcvbuf_bytes
                                             : LNX_DEFAULT_RCVBUF);
  if (rc < 0)
    goto out;
  /* Subscribe before dumping so no change falls between the two. */
  rc = mgm__lnx_ifmon_open(be);
  if (rc < 0)
    goto out;
  rc = mgm__lnx_nl_open(0, 0, &be->rfd, &err);
  if (rc < 0) {
    mgm__lnx_log(be, MGM__LNX_LOG_ERROR,
                 "linux: cannot open the rtnetlink request socket: %s",
                 strerror(err));
    goto out;
  }
  mgm__lnx_route_cache_open(be);
  if (mgm__sys_pipe2(be->wake, O_NONBLOCK | O_CLOEXEC) < 0) {
    err = errno;
    rc = mgm__lnx_map_errno(err);
    mgm__lnx_log(be, MGM__LNX_LOG_ERROR, "linux: pipe2: %s", strerror(err));
    be->wake[0] = be->wake[1] = -1;
    goto out;
  }
  lnx_lock(be);
  rc = mgm__lnx_ifmon_dump(be, 0);
  lnx_unlock(be);
  if (rc < 0) {
    mgm__lnx_log(be, MGM__LNX_LOG_ERROR,
                 "linux: cannot list the interfaces: %s", lnx_be_strerror(rc));
    goto out;
  }
  mgm__lnx_log(be, MGM__LNX_LOG_INFO,
               "linux: multicast router on table %u (%zu interfaces)",
               lnx_table_id(be), be->n_ifs);
  if (be->table != 0)
    mgm__lnx_log(be, MGM__LNX_LOG_INFO,
                 "linux: table %u sees traffic only where an ipmr rule "
                 "selects it (ip mrule add iif DEV lookup %u)",
                 be->table, be->table);
  *out = be;
  be = NULL;
  rc = 0;

out:
  if (be != NULL)
    lnx_free(be); /* closing the socket undoes MRT_INIT */
  return rc;
}

static void lnx_close(struct mgm_backend *be) {
  int err;

  if (be == NULL)
    return;
  lnx_lock(be);
  /* MRT_DONE drops every VIF and non-static entry of the table; closing
   * the socket would too, but say it explicitly. */
  if (mgm__sys_setsockopt(be->mfd, IPPROTO_IP, MRT_DONE, NULL, 0) < 0) {
    err = errno;
    mgm__lnx_log(be, MGM__LNX_LOG_TRACE, "linux: MRT_DONE: %s", strerror(err));
  }
  mgm__lnx_log(
      be, MGM__LNX_LOG_INFO,
      "linux: closing table %u: %llu nocache, %llu wrongvif, "
      "%llu igmp (+%llu own, %llu foreign), %llu ignored, "
      "%llu malformed, %llu bad vif, "
      "%llu kernel drops, %llu netlink malformed, %llu overruns; "
      "RPF cache %llu hits, %llu misses, %llu flushes",
      lnx_table_id(be), (unsigned long long)be->cnt.nocache,
      (unsigned long long)be->cnt.wrongvif, (unsigned long long)be->cnt.igmp,
      (unsigned long long)be->cnt.igmp_own,
      (unsigned long long)be->cnt.igmp_foreign,
      (unsigned long long)be->cnt.ignored,
      (unsigned long long)be->cnt.malformed, (unsigned long long)be->cnt.badvif,
      (unsigned long long)be->cnt.rx_dropped,
      (unsigned long long)be->cnt.nl_malformed,
      (unsigned long long)be->cnt.nl_overruns,
      (unsigned long long)be->cnt.rtc_hits,
      (unsigned long long)be->cnt.rtc_misses,
      (unsigned long long)be->cnt.rtc_flushes);
  lnx_unlock(be);
  lnx_free(be);
}

static void lnx_caps(struct mgm_backend *be, struct mgm_be_caps *out) {
  (void)be;
  memset(out, 0, sizeof(*out));
  out->max_slots = MGM__LNX_MAXVIFS;
  out->star_g = 0; /* we install exact (S,G) only */
  out->ifindex_slots = 1;
  out->if_events = 1;
  out->wrongif_upcall = 1;
  out->virtual_clock = 0;
  out->kernel_ages_idle = 0;
  out->last_use = 0;
}

static int lnx_fds(struct mgm_backend *be, int *fds, size_t *n) {
  size_t want = be->cfd >= 0 ? 4 : 3;

  if (*n < want) {
    *n = want;
    return MGM_BE_EINVAL;
  }
  fds[0] = be->mfd;
  fds[1] = be->nfd;
  fds[2] = be->wake[0];
  if (be->cfd >= 0)
    fds[3] = be->cfd; /* routing changes: the RPF cache (route.c) */
  *n = want;
  return 0;
}

enum {
  LNX_DELIVER_NONE,
  LNX_DELIVER_IGMP,
  LNX_DELIVER_NOCACHE,
  LNX_DELIVER_WRONGVIF
};

/* Handle one datagram read from the router socket (n bytes at buf, its
 * control data and flags in mh) and deliver what it says.  Lock NOT held
 * on entry; taken for the vif map only. */
static void lnx_mrt_handle(struct mgm_backend *be, const uint8_t *buf, size_t n,
                           struct msghdr *mh) {
  struct mgm__lnx_mrt_msg m;
  struct cmsghdr *c;
  struct in_pktinfo pi;
  uint32_t ifindex = 0;
  uint32_t drops = 0;
  int have_drops = 0;
  int deliver = LNX_DELIVER_NONE;
  int rc;

  memset(&m, 0, sizeof(m));
  for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
        c->cmsg_len >= CMSG_LEN(sizeof(pi))) {
      memcpy(&pi, CMSG_DATA(c), sizeof(pi));
      ifindex = pi.ipi_ifindex > 0 ? (uint32_t)pi.ipi_ifindex : 0;
    }
#ifdef HAVE_SO_RXQ_OVFL
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL &&
        c->cmsg_len >= CMSG_LEN(sizeof(drops))) {
      memcpy(&drops, CMSG_DATA(c), sizeof(drops));
      have_drops = 1;
    }
#endif
  }
  lnx_lock(be);
  if (have_drops && drops != be->rx_dropped_seen) {
    be->cnt.rx_dropped += (uint32_t)(drops - be->rx_dropped_seen);
    mgm__lnx_log(be, MGM__LNX_LOG_WARN,
                 "linux: the kernel dropped %u router-socket messages "
                 "(upcall buffer full); raise rcvbuf_bytes",
                 (unsigned)(drops - be->rx_dropped_seen));
    be->rx_dropped_seen = drops;
  }
  if (mh->msg_flags & MSG_TRUNC)
    rc = MGM__LNX_PE_TRUNC;
  else
    rc = mgm__lnx_parse_mrt(buf, n, &m);
  if (rc < 0) {
    be->cnt.malformed++;
    goto unlock;
  }
  if (rc == MGM__LNX_MRT_IGMP) {
    if (mgm__lnx_ifmon_is_local(be, m.src)) {
      /* Our own kernel's report, looped back. */
      be->cnt.igmp_own++;
    } else if (ifindex == 0 || mgm__lnx_vif_find(be, ifindex) < 0) {
      /* Every raw IGMP socket of the namespace sees every IGMP packet,
       * whatever the table: pass on only those from our VIFs. */
      be->cnt.igmp_foreign++;
    } else {
      be->cnt.igmp++;
      deliver = LNX_DELIVER_IGMP;
    }
    goto unlock;
  }
  if (m.msgtype != IGMPMSG_NOCACHE && m.msgtype != IGMPMSG_WRONGVIF) {
    be->cnt.ignored++;
    goto unlock;
  }
  if (m.vif >= MGM__LNX_MAXVIFS || be->vif[m.vif].refs == 0) {
    be->cnt.badvif++;
    goto unlock;
  }
  ifindex = be->vif[m.vif].ifindex;
  if (m.msgtype == IGMPMSG_NOCACHE) {
    be->cnt.nocache++;
    deliver = LNX_DELIVER_NOCACHE;
  } else if (be->wrongif) {
    be->cnt.wrongvif++;
    deliver = LNX_DELIVER_WRONGVIF;
  } else {
    be->cnt.ignored++;
  }

unlock:
  lnx_unlock(be);
  /* Upcalls run without our lock: they may call any op. */
  if (deliver == LNX_DELIVER_IGMP && be->up->ctrl_packet != NULL)
    be->up->ctrl_packet(be->ctx, ifindex, buf, n);
  else if (deliver == LNX_DELIVER_NOCACHE && be->up->no_entry != NULL)
    be->up->no_entry(be->ctx, ifindex, m.src, m.dst, m.payload, m.payload_len);
  else if (deliver == LNX_DELIVER_WRONGVIF && be->up->wrong_if != NULL)
    be->up->wrong_if(be->ctx, ifindex, m.src, m.dst, m.payload, m.payload_len);
}

static int lnx_resync(struct mgm_backend *be);

/* One step of the interface monitor: 0 when nothing was waiting, 1 when a
 * message was read, 2 when events were lost and a re-dump was done at once
 * (we are on the loop thread, where upcalls may run) rather than left to
 * chance. */
static int lnx_ifmon_step(struct mgm_backend *be) {
  int rc;

  lnx_lock(be);
  rc = mgm__lnx_ifmon_read(be);
  lnx_unlock(be);
  if (rc == MGM_BE_EDESYNC) {
    (void)lnx_resync(be);
    return 2;
  }
  return rc > 0 ? 1 : 0;
}

/* What was announced before a batch of upcalls that was just read: one
 * poll says whether the event socket (interface changes, handled first,
 * so an IF_DEL precedes upcalls naming the interface) or the routing
 * change listener (the RPF cache) holds anything; only those are read.
 * Returns the number of interface messages handled. */
static unsigned lnx_before_batch(struct mgm_backend *be) {
  struct pollfd pfd[2];
  unsigned handled = 0;
  int nfd_ready = 1;
  int cfd_ready = 1;
  int np;

  pfd[0].fd = be->nfd;
  pfd[0].events = POLLIN;
  pfd[0].revents = 0;
  pfd[1].fd = be->cfd;
  pfd[1].events = POLLIN;
  pfd[1].revents = 0;
  np = be->cfd >= 0 ? 2 : 1;
  /* On failure, read both as if they were ready. */
  if (mgm__sys_poll(pfd, (unsigned long)np, 0) >= 0) {
    nfd_ready = pfd[0].revents != 0;
    cfd_ready = np == 2 && pfd[1].revents != 0;
  }
  while (nfd_ready && handled < LNX_EVENTS_PER_BATCH && lnx_ifmon_step(be) != 0)
    handled++;
  lnx_lock(be);
  if (be->cfd >= 0 && cfd_ready)
    mgm__lnx_route_cache_sync(be);
  be->rtc_synced = 1;
  lnx_unlock(be);
  return handled;
}

/* The clock of a batch of upcalls, on the thread delivering it: read at
 * the batch's first now_ms and then given to every flow the batch makes,
 * as libuv's uv_now gives one time to a loop iteration.  Each upcall of
 * the batch was queued before the batch was read, so that time is no
 * earlier than any of their arrivals; an MFE's lifetime (whole seconds)
 * starts at most the batch's own run late, and a deadline computed from
 * it fires that much late, never early.  One clock read per batch rather
 * than per new flow: where the clock source has no vDSO path (HPET, some
 * VMs) each read is a system call.
 *
 * The first batch of a dispatch reads none when the core hands over the
 * time the loop woke at (dispatch's now_ms, platform.h), which the loop
 * read anyway when its poll returned.  Upcalls queued between that and the read
 * get a time at most those microseconds (and the coarse clock's millisecond,
 * where libuv uses it) before their arrival; the RPF callback and MFE
 * creation of a new flow then follow its wake-up with no clock read. */
struct lnx_batch_clock {
  const struct mgm_backend *be; /* the batch's backend, NULL outside one */
  int read;
  uint64_t ms;
};
static _Thread_local struct lnx_batch_clock lnx_clock;

static uint64_t lnx_clock_ms(void) {
  struct timespec ts;

  if (mgm__sys_clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
    return 0;
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Read up to `want` (<= MGM__LNX_BATCH) datagrams from the router socket
 * with one recvmmsg, then (probe != 0) what was announced before them
 * (lnx_before_batch), then deliver the records that queued and the
 * batch's upcalls in order.  *wake_ms (0 = none) is the batch's time: it
 * is taken (set to 0), so a later batch reads the clock.  probe == 0: the loop
 * watches the event socket and the change listener itself (dispatch_fd), so
 * they are not probed: the RPF cache is trusted as the loop last saw the
 * listener.  Returns how many datagrams were read (fewer than `want`: the
 * socket was empty), or <0 on error; *handled grows by every event handled.  A
 * burst of new flows is a burst of upcalls: one system call reads many. */
static int lnx_mrt_batch(struct mgm_backend *be, unsigned want, int probe,
                         unsigned *handled, uint64_t *wake_ms) {
  struct lnx_batch_clock saved_clock;
  struct mgm__lnx_rxq *q = be->rxq;
  struct mmsghdr *mm = q->mm;
  unsigned i;
  int n;
  int err;

  if (want > MGM__LNX_BATCH)
    want = MGM__LNX_BATCH;
  for (i = 0; i < q->used; i++)
    mm[i].msg_hdr.msg_controllen = sizeof(q->ctl[i].buf);
  n = mgm__sys_recvmmsg(be->mfd, mm, want, MSG_DONTWAIT);
  q->used = n > 0 ? (unsigned)n : 0;
  if (n < 0) {
    err = errno;
    if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR) {
      n = 0;
    } else {
      mgm__lnx_log(be, MGM__LNX_LOG_TRACE, "linux: router socket recv: %s",
                   strerror(err));
      n = mgm__lnx_map_errno(err);
    }
  }
  /* The buffers stay ours until every upcall of the batch returned. */
  lnx_lock(be);
  be->in_batch = 1;
  be->batch_thread = pthread_self();
  be->rtc_synced = !probe;
  lnx_unlock(be);
  if (probe)
    *handled += lnx_before_batch(be);
  *handled += mgm__lnx_queue_deliver(be, ~0u);
  saved_clock = lnx_clock;
  lnx_clock.be = be;
  lnx_clock.read = *wake_ms != 0;
  lnx_clock.ms = *wake_ms;
  *wake_ms = 0;
  for (i = 0; n > 0 && i < (unsigned)n; i++)
    lnx_mrt_handle(be, lnx_mrx_joined(be, i, mm[i].msg_len), mm[i].msg_len,
                   &mm[i].msg_hdr);
  lnx_clock = saved_clock;
  if (n > 0)
    *handled += (unsigned)n;
  lnx_lock(be);
  be->in_batch = 0;
  be->rtc_synced = 0;
  lnx_unlock(be);
  return n;
}

/* Handle up to about `budget` events: queued records, then batches of
 * router-socket datagrams, each with the interface events and routing
 * changes announced before it.  Returns fewer than budget only when the
 * router socket read short (empty): the loop polls level-triggered and
 * calls again when anything arrives.  now_ms, when the loop knows it, is
 * the first batch's time (lnx_batch_clock). */
static int lnx_dispatch(struct mgm_backend *be, unsigned budget,
                        uint64_t now_ms) {
  unsigned handled = 0;
  unsigned want;
  int rc;

  while (handled < budget) {
    handled += mgm__lnx_queue_deliver(be, budget - handled);
    if (handled >= budget)
      break;
    if (be->in_batch) {
      /* Called again from inside an upcall of a batch: its buffers are in
       * use; interface events only, the router socket is the outer
       * call's. */
      lnx_lock(be);
      rc = mgm__lnx_ifmon_read(be);
      lnx_unlock(be);
      if (rc == MGM_BE_EDESYNC) {
        (void)lnx_resync(be);
        handled++;
        continue;
      }
      if (rc > 0) {
        handled++;
        continue;
      }
      break;
    }
    want = budget - handled;
    if (want > MGM__LNX_BATCH)
      want = MGM__LNX_BATCH;
    rc = lnx_mrt_batch(be, want, 1, &handled, &now_ms);
    if (rc < (int)want) {
      /* What the upcalls queued (mfe_gone...) goes out now too. */
      handled += mgm__lnx_queue_deliver(be, ~0u);
      break;
    }
  }
  return (int)(handled > 0x7fffffffu ? 0x7fffffffu : handled);
}

/* The loop names the readable descriptor: read that one only, so a new
 * flow costs what it costs a bare router.  The interface events and the
 * routing changes come through their own descriptors, which the loop
 * watches too; the order between them and the upcalls is then the loop's
 * (the ready list's), exact for an idle router, within one loop round
 * under load.  A link or address event flushes the RPF cache as soon as
 * it is read (ifmon.c), so an interface already reported gone never
 * answers an upcall's RPF lookup from the cache, whichever descriptor the
 * loop reads next. */
static int lnx_dispatch_fd(struct mgm_backend *be, int fd, unsigned budget,
                           uint64_t now_ms) {
  unsigned handled = 0;
  unsigned want;
  int rc;

  if (be->in_batch)
    return lnx_dispatch(be, budget, now_ms);
  handled += mgm__lnx_queue_deliver(be, budget);
  if (fd == be->mfd) {
    while (handled < budget) {
      want = budget - handled;
      if (want > MGM__LNX_BATCH)
        want = MGM__LNX_BATCH;
      rc = lnx_mrt_batch(be, want, 0, &handled, &now_ms);
      if (rc < (int)want) {
        handled += mgm__lnx_queue_deliver(be, ~0u);
        break;
      }
    }
  } else if (fd == be->nfd) {
    while (handled < budget && (rc = lnx_ifmon_step(be)) != 0) {
      handled++;
      if (rc == 1)
        handled += mgm__lnx_queue_deliver(be, ~0u);
    }
  } else if (fd == be->cfd) {
    lnx_lock(be);
    mgm__lnx_route_cache_sync(be);
    lnx_unlock(be);
  }
  /* The wake pipe: the records above were all it asked for. */
  return (int)(handled > 0x7fffffffu ? 0x7fffffffu : handled);
}

static int lnx_resync(struct mgm_backend *be) {
  int rc;

  lnx_lock(be);
  be->desync = 0;
  mgm__lnx_route_cache_flush(be);
  rc = mgm__lnx_ifmon_dump(be, 1);
  if (rc < 0) {
    be->desync = 1;
    mgm__lnx_log(be, MGM__LNX_LOG_TRACE, "linux: resync failed: %s",
                 lnx_be_strerror(rc));
  }
  lnx_unlock(be);
  mgm__lnx_queue_deliver(be, ~0u);
  return rc;
}

static int lnx_if_attach(struct mgm_backend *be, uint32_t ifindex) {
  int rc;

  lnx_lock(be);
  rc = mgm__lnx_vif_attach(be, ifindex);
  lnx_unlock(be);
  return rc;
}

static int lnx_if_detach(struct mgm_backend *be, uint32_t ifindex) {
  int rc;

  lnx_lock(be);
  rc = mgm__lnx_vif_detach(be, ifindex);
  lnx_unlock(be);
  return rc;
}

static int lnx_mfe_set(struct mgm_backend *be, const struct mgm_fwd *fwd) {
  int rc;

  lnx_lock(be);
  rc = mgm__lnx_vif_mfe_set(be, fwd);
  lnx_unlock(be);
  return rc;
}

static int lnx_mfe_del(struct mgm_backend *be, const struct mgm_mfe_key *key) {
  int rc;

  lnx_lock(be);
  rc = mgm__lnx_vif_mfe_del(be, key);
  lnx_unlock(be);
  return rc;
}

static int lnx_mfe_stats(struct mgm_backend *be, const struct mgm_mfe_key *key,
                         struct mgm_fwd_stats *out) {
  struct sioc_sg_req sg;
  int err;
  int rc;

  lnx_lock(be);
  memset(out, 0, sizeof(*out));
  out->idle_ms = UINT32_MAX;
  memset(&sg, 0, sizeof(sg));
  memcpy(&sg.src, &key->source, 4);
  memcpy(&sg.grp, &key->group, 4);
  if (mgm__sys_ioctl(be->mfd, SIOCGETSGCNT, &sg) < 0) {
    err = errno;
    rc = err == EADDRNOTAVAIL ? MGM_BE_ENOENT : mgm__lnx_map_errno(err);
    goto out;
  }
  /* Linux counts wrong-interface packets in pktcnt too (kernel.md A.5);
   * the seam's pkts leaves them out.  bytecnt cannot be split. */
  out->pkts = sg.pktcnt >= sg.wrong_if ? sg.pktcnt - sg.wrong_if : 0;
  out->bytes = sg.bytecnt;
  out->wrong_if = sg.wrong_if;
  rc = 0;

out:
  lnx_unlock(be);
  return rc;
}

static int lnx_flush(struct mgm_backend *be) {
  int rc;

  lnx_lock(be);
  rc = mgm__lnx_vif_flush(be);
  lnx_unlock(be);
  return rc;
}

static int lnx_route_lookup(struct mgm_backend *be, uint32_t src,
                            struct mgm_route *out) {
  int rc;

  lnx_lock(be);
  rc = mgm__lnx_route_lookup(be, src, out);
  lnx_unlock(be);
  return rc;
}

/* Inside a batch of upcalls (on its thread): the batch's clock
 * (lnx_batch_clock). */
static uint64_t lnx_now_ms(struct mgm_backend *be) {
  if (lnx_clock.be != be)
    return lnx_clock_ms();
  if (!lnx_clock.read) {
    lnx_clock.ms = lnx_clock_ms();
    lnx_clock.read = 1;
  }
  return lnx_clock.ms;
}

static int lnx_set_wrongif(struct mgm_backend *be, int on) {
  int v = on ? 1 : 0;
  int err;
  int rc;

  lnx_lock(be);
  if (mgm__sys_setsockopt(be->mfd, IPPROTO_IP, MRT_ASSERT, &v, sizeof(v)) < 0) {
    err = errno;
    mgm__lnx_log(be, MGM__LNX_LOG_TRACE, "linux: MRT_ASSERT %d: %s", v,
                 strerror(err));
    rc = mgm__lnx_map_errno(err);
    goto out;
  }
  be->wrongif = v;
  rc = 0;

out:
  lnx_unlock(be);
  return rc;
}

/* Send one IGMP message (no IP header) out of ifindex: the router socket
 * adds the IP header with TTL 1, router alert and TOS 0xc0 (set at open);
 * IP_PKTINFO picks the interface per message, and the kernel the source
 * address (the interface's primary one). */
static int lnx_ctrl_send(struct mgm_backend *be, uint32_t ifindex, uint32_t dst,
                         const void *msg, size_t len) {
  union {
    struct cmsghdr align;
    uint8_t buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
  } ctl;
  struct sockaddr_in to;
  struct in_pktinfo pi;
  struct cmsghdr *c;
  struct msghdr mh;
  struct iovec iov;
  int err;
  int rc;

  lnx_lock(be);
  if (ifindex == 0 || ifindex > 0x7fffffffu || msg == NULL || len == 0 ||
      len > 65000) {
    rc = MGM_BE_EINVAL;
    goto out;
  }
  memset(&to, 0, sizeof(to));
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = dst;
  memset(&ctl, 0, sizeof(ctl));
  memset(&pi, 0, sizeof(pi));
  pi.ipi_ifindex = (int)ifindex;
  iov.iov_base = (void *)(uintptr_t)msg;
  iov.iov_len = len;
  memset(&mh, 0, sizeof(mh));
  mh.msg_name = &to;
  mh.msg_namelen = sizeof(to);
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = ctl.buf;
  mh.msg_controllen = sizeof(ctl.buf);
  c = CMSG_FIRSTHDR(&mh);
  c->cmsg_level = IPPROTO_IP;
  c->cmsg_type = IP_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(pi));
  memcpy(CMSG_DATA(c), &pi, sizeof(pi));
  if (mgm__sys_sendmsg(be->mfd, &mh, MSG_DONTWAIT) < 0) {
    err = errno;
    mgm__lnx_log(be, MGM__LNX_LOG_TRACE, "linux: IGMP send on ifindex %u: %s",
                 ifindex, strerror(err));
    if (err == ENODEV || err == ENXIO || err == EADDRNOTAVAIL ||
        err == ENETUNREACH || err == ENETDOWN)
      rc = MGM_BE_ENOIF;
    else
      rc = mgm__lnx_map_errno(err);
    goto out;
  }
  rc = 0;

out:
  lnx_unlock(be);
  return rc;
}

const struct mgm_backend_ops mgm__linux_ops = {
    .name = "linux",
    .abi = MGM_BACKEND_ABI,
    .open = lnx_open,
    .close = lnx_close,
    .caps = lnx_caps,
    .fds = lnx_fds,
    .dispatch = lnx_dispatch,
    .resync = lnx_resync,
    .if_attach = lnx_if_attach,
    .if_detach = lnx_if_detach,
    .mfe_set = lnx_mfe_set,
    .mfe_del = lnx_mfe_del,
    .mfe_stats = lnx_mfe_stats,
    .flush = lnx_flush,
    .route_lookup = lnx_route_lookup,
    .now_ms = lnx_now_ms,
    .set_wrongif = lnx_set_wrongif,
    .ctrl_send = lnx_ctrl_send,
    .dispatch_fd = lnx_dispatch_fd,
};
