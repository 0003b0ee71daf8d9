/*
 * mroute.c - the "bsd" backend: FreeBSD/NetBSD/OpenBSD ip_mroute(4)
 * driven through a raw IGMP socket (MRT_* options, SIOCGETSGCNT, igmpmsg
 * upcalls), with interfaces tracked on PF_ROUTE by ifmon.c.
 *
 * SPDX-License-Identifier: MIT
 *
 * This file is the top of the backend: the ops vtable, open and close,
 * and the router socket, whose upcalls (NOCACHE, WRONGVIF, IGMP packets)
 * go to the core from dispatch().  The ops' work on VIF slots and MFC
 * entries is vif.c's, interface events come from ifmon.c, RPF lookups
 * from route.c (bsd.h lists the files).  Struct bytes come from mrtenc.c
 * through layouts read from the headers (oscaps.c); OS differences are
 * the flags of struct mgm_bsd_oscaps.  Upcalls are made only from
 * dispatch()/resync() and never with the backend lock held (bsd.h): what
 * an op discovers (entries lost to if_detach) is queued and delivered on
 * the next dispatch(), which a byte on the self-pipe schedules.
 */
#include "platform/bsd/bsd.h"
#include "platform/posix/sys.h"

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/sockio.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <net/if.h>
#include <net/if_dl.h>
#include <netinet/in.h>
#include <netinet/ip_mroute.h>
#if defined(__OpenBSD__)
#include <sys/sysctl.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BSD_RXBUF (64 * 1024)
#define BSD_RCVBUF_DEFAULT (2 * 1024 * 1024)
#define BSD_RCVBUF_MIN (128 * 1024)

/* ---- helpers ------------------------------------------------------------ */

static void bsd_lock(struct mgm_backend *be) {
  pthread_mutex_lock(&be->lock);
}

static void bsd_unlock(struct mgm_backend *be) {
  pthread_mutex_unlock(&be->lock);
}

static uint64_t bsd_clock_ms(void) {
  struct timespec ts;

  if (mgm__sys_clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
    return 0;
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int bsd_set_nonblock_cloexec(int fd) {
  int fl;

  fl = mgm__sys_fcntl(fd, F_GETFL, 0);
  if (fl < 0 || mgm__sys_fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
    return -1;
  fl = mgm__sys_fcntl(fd, F_GETFD, 0);
  if (fl < 0 || mgm__sys_fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
    return -1;
  return 0;
}

/* ---- upcalls on the router socket ---------------------------------------- */

static uint32_t bsd_recvif(struct msghdr *msg) {
  struct cmsghdr *cm;
  uint16_t idx;

  for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
    if (cm->cmsg_level != IPPROTO_IP || cm->cmsg_type != IP_RECVIF)
      continue;
    /* the payload is a struct sockaddr_dl naming the arrival interface */
    if (cm->cmsg_len <
        CMSG_LEN(offsetof(struct sockaddr_dl, sdl_index) + sizeof(idx)))
      continue;
    memcpy(&idx, CMSG_DATA(cm) + offsetof(struct sockaddr_dl, sdl_index),
           sizeof(idx));
    return idx;
  }
  return 0;
}

enum bsd_pkt_kind {
  BSD_PKT_NONE,
  BSD_PKT_CTRL,
  BSD_PKT_NOENTRY,
  BSD_PKT_WRONGIF
};

/* Read one datagram from the router socket and classify it (lock held).
 * Returns 1 with *kind set, 0 if none is waiting, or an error. */
static int bsd_igmp_recv(struct mgm_backend *be, enum bsd_pkt_kind *kind,
                         size_t *lenp, uint32_t *ifindex,
                         struct mgm_mrt_upcall *u) {
  union {
    struct cmsghdr hdr;
    uint8_t b[256];
  } ctl;
  struct msghdr msg;
  struct iovec iov;
  ssize_t len;
  int err, r, rc = 1;

  *kind = BSD_PKT_NONE;
  do {
    memset(&msg, 0, sizeof(msg));
    iov.iov_base = be->rxbuf;
    iov.iov_len = be->rxcap;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl.b;
    msg.msg_controllen = sizeof(ctl.b);
    len = mgm__sys_recvmsg(be->igmp_fd, &msg, 0);
    err = len < 0 ? errno : 0;
  } while (err == EINTR);
  if (len < 0) {
    if (err == EAGAIN || err == EWOULDBLOCK) {
      rc = 0;
    } else {
      be->last_errno = err;
      rc = mgm__bsd_map_errno(err);
    }
    goto out;
  }
  *lenp = (size_t)len;
  *ifindex = bsd_recvif(&msg);
  r = mgm__mrtenc_upcall(&be->mrl, be->rxbuf, (size_t)len, u);
  if (r < 0) {
    mgm__bsd_log(be, MGM__BSD_LOG_TRACE, "bsd: short datagram (%zd bytes)",
                 len);
    goto out;
  }
  if (r == 0) {
    *kind = BSD_PKT_CTRL; /* an IGMP packet the router socket also sees */
    goto out;
  }
  if (u->vif >= be->mrl.maxvifs || !be->vif[u->vif].in_use ||
      be->vif[u->vif].ifindex == 0) {
    mgm__bsd_log(be, MGM__BSD_LOG_TRACE, "bsd: upcall %u for unknown VIF %u",
                 u->raw_type, u->vif);
    goto out;
  }
  *ifindex = be->vif[u->vif].ifindex;
  if (u->type == MGM_MRT_UP_NOCACHE)
    *kind = BSD_PKT_NOENTRY;
  else if (u->type == MGM_MRT_UP_WRONGVIF && be->wrongif_on)
    *kind = BSD_PKT_WRONGIF;
  else
    mgm__bsd_log(be, MGM__BSD_LOG_TRACE, "bsd: upcall type %u ignored",
                 u->raw_type);
out:
  return rc;
}

/* One router-socket datagram, its upcall made with the lock dropped. */
static int bsd_igmp_one(struct mgm_backend *be) {
  struct mgm_mrt_upcall u;
  enum bsd_pkt_kind kind;
  uint32_t ifindex = 0;
  size_t len = 0;
  int rc;

  bsd_lock(be);
  rc = bsd_igmp_recv(be, &kind, &len, &ifindex, &u);
  bsd_unlock(be);
  if (rc <= 0)
    goto out;
  (void)mgm__bsd_queue_deliver(
      be); /* keep upcalls in the order things happened */
  switch (kind) {
  case BSD_PKT_CTRL:
    if (be->up.ctrl_packet != NULL)
      be->up.ctrl_packet(be->ctx, ifindex, be->rxbuf, len);
    break;
  case BSD_PKT_NOENTRY:
    if (be->up.no_entry != NULL)
      be->up.no_entry(be->ctx, ifindex, u.src, u.grp, be->rxbuf, len);
    break;
  case BSD_PKT_WRONGIF:
    if (be->up.wrong_if != NULL)
      be->up.wrong_if(be->ctx, ifindex, u.src, u.grp, be->rxbuf, len);
    break;
  default:
    break;
  }
out:
  return rc;
}

/* ---- ops ----------------------------------------------------------------- */

static void bsd_teardown(struct mgm_backend *be, int mutex_ok) {
  if (be->igmp_fd >= 0) {
    if (be->mrt_inited)
      (void)mgm__sys_setsockopt(be->igmp_fd, IPPROTO_IP, MRT_DONE, NULL, 0);
    mgm__sys_close(be->igmp_fd);
  }
  mgm__bsd_ifmon_close(be);
  if (be->wake_rd >= 0)
    mgm__sys_close(be->wake_rd);
  if (be->wake_wr >= 0)
    mgm__sys_close(be->wake_wr);
  mgm__bsd_queue_free(be);
  mgm__bsd_mfctab_fini(&be->mfc);
  free(be->ifs);
  free(be->rxbuf);
  if (mutex_ok)
    pthread_mutex_destroy(&be->lock);
  free(be);
}

/* Grow the router socket's receive buffer for upcall bursts (G.1). */
static void bsd_rcvbuf(struct mgm_backend *be) {
  int want =
      be->cfg.rcvbuf_bytes ? (int)be->cfg.rcvbuf_bytes : BSD_RCVBUF_DEFAULT;

  while (want >= BSD_RCVBUF_MIN &&
         mgm__sys_setsockopt(be->igmp_fd, SOL_SOCKET, SO_RCVBUF, &want,
                             sizeof(want)) < 0)
    want /= 2; /* above kern.ipc.maxsockbuf: try smaller */
}

/* MRT_API_CONFIG: ask for DISABLE_WRONGVIF so wrong-interface upcalls can
 * be turned off per entry; with any API bit granted, MRT_ADD_MFC and
 * MRT_DEL_MFC take struct mfcctl2. */
static void bsd_api_config(struct mgm_backend *be) {
#if defined(MRT_API_CONFIG) && defined(MRT_API_SUPPORT) &&                     \
    defined(MRT_MFC_FLAGS_DISABLE_WRONGVIF)
  uint32_t support = 0, want, granted = 0;
  socklen_t sl = sizeof(support);

  if (!be->os.api_config || !be->os.wrongif_upcall || be->mrl.mfcctl2.size == 0)
    return;
  if (mgm__sys_getsockopt(be->igmp_fd, IPPROTO_IP, MRT_API_SUPPORT, &support,
                          &sl) < 0)
    return;
  want = support & MRT_MFC_FLAGS_DISABLE_WRONGVIF;
  if (want == 0)
    return;
  if (mgm__sys_setsockopt(be->igmp_fd, IPPROTO_IP, MRT_API_CONFIG, &want,
                          sizeof(want)) < 0)
    return;
  sl = sizeof(granted);
  if (mgm__sys_getsockopt(be->igmp_fd, IPPROTO_IP, MRT_API_CONFIG, &granted,
                          &sl) < 0)
    granted = want;
  be->api_config = granted;
  be->use_mfcctl2 = granted != 0;
#else
  (void)be;
#endif
}

/* OpenBSD forwards multicast only with net.inet.ip.mforwarding=1. */
static int bsd_check_mforwarding(struct mgm_backend *be) {
#if defined(__OpenBSD__) && defined(IPCTL_MFORWARDING)
  int mib[4] = {CTL_NET, PF_INET, IPPROTO_IP, IPCTL_MFORWARDING};
  int on = 0;
  size_t len = sizeof(on);

  if (mgm__sys_sysctl(mib, 4, &on, &len, NULL, 0) == 0 && on == 0) {
    mgm__bsd_log(be, MGM__BSD_LOG_ERROR,
                 "multicast routing not enabled in the kernel: "
                 "sysctl net.inet.ip.mforwarding=1");
    return MGM_BE_ENOTSUP;
  }
#else
  (void)be;
#endif
  return 0;
}

static int bsd_mrt_init(struct mgm_backend *be) {
  int one = 1, err, rc = 0;

  if (mgm__sys_setsockopt(be->igmp_fd, IPPROTO_IP, MRT_INIT, &one,
                          sizeof(one)) == 0) {
    be->mrt_inited = 1;
    goto out;
  }
  err = errno;
  be->last_errno = err;
  switch (err) {
  case ENOPROTOOPT: /* FreeBSD/NetBSD without ip_mroute */
  case EOPNOTSUPP:  /* OpenBSD without MROUTING */
    mgm__bsd_log(be, MGM__BSD_LOG_ERROR,
                 "multicast routing not in the kernel: %s", be->os.mroute_hint);
    rc = MGM_BE_ENOTSUP;
    break;
  case EADDRINUSE:
    mgm__bsd_log(be, MGM__BSD_LOG_ERROR,
                 "another multicast router owns table %u (MRT_INIT: %s)",
                 (unsigned)be->cfg.table, strerror(err));
    rc = MGM_BE_EBUSY;
    break;
  case EPERM:
  case EACCES:
    mgm__bsd_log(be, MGM__BSD_LOG_ERROR, "no privilege for MRT_INIT: %s",
                 strerror(err));
    rc = MGM_BE_EPERM;
    break;
  default:
    mgm__bsd_log(be, MGM__BSD_LOG_ERROR, "MRT_INIT failed: %s", strerror(err));
    rc = mgm__bsd_map_errno(err);
    if (rc == MGM_BE_EBUSY || rc == MGM_BE_EPERM || rc == MGM_BE_OK)
      rc = MGM_BE_EIO;
    break;
  }
out:
  return rc;
}

static int bsd_open(const struct mgm_be_config *cfg,
                    const struct mgm_be_upcalls *up, void *ctx,
                    struct mgm_backend **out) {
  struct mgm_backend *be;
  int one = 1, pfd[2], err, rc;

  *out = NULL;
  be = calloc(1, sizeof(*be));
  if (be == NULL)
    return MGM_BE_ENOMEM;
  if (pthread_mutex_init(&be->lock, NULL) != 0) {
    free(be);
    return MGM_BE_ENOMEM;
  }
  be->cfg = *cfg;
  if (up != NULL)
    be->up = *up;
  be->ctx = ctx;
  be->igmp_fd = be->rt_fd = be->wake_rd = be->wake_wr = -1;
  be->pid = (int32_t)mgm__sys_getpid();
  mgm__bsd_mfctab_init(&be->mfc);
  mgm__bsd_oscaps_init(&be->os);
  mgm__bsd_rtm_layout_init(&be->rtl);
  mgm__bsd_mrt_layout_init(&be->mrl);
  if (mgm__rtmsg_check_layout(&be->rtl) < 0 ||
      mgm__mrtenc_check_layout(&be->mrl) < 0) {
    mgm__bsd_log(be, MGM__BSD_LOG_ERROR, "bsd: header layout not understood");
    rc = MGM_BE_EIO;
    goto fail;
  }
  if (cfg->table != 0 && !be->os.rdomain) {
    mgm__bsd_log(be, MGM__BSD_LOG_ERROR,
                 "multicast table %u: %s has one multicast routing table "
                 "per system (or vnet)",
                 (unsigned)cfg->table, be->os.os);
    rc = MGM_BE_ENOTSUP;
    goto fail;
  }
  be->rxcap = BSD_RXBUF;
  be->rxbuf = malloc(be->rxcap);
  if (be->rxbuf == NULL) {
    rc = MGM_BE_ENOMEM;
    goto fail;
  }
  rc = bsd_check_mforwarding(be);
  if (rc < 0)
    goto fail;

  be->igmp_fd = mgm__sys_socket(AF_INET, SOCK_RAW, IPPROTO_IGMP);
  if (be->igmp_fd < 0) {
    err = errno;
    be->last_errno = err;
    rc = mgm__bsd_map_errno(err);
    mgm__bsd_log(be, MGM__BSD_LOG_ERROR, "%sraw IGMP socket: %s",
                 rc == MGM_BE_EPERM ? "no privilege: " : "", strerror(err));
    goto fail;
  }
  if (bsd_set_nonblock_cloexec(be->igmp_fd) < 0) {
    err = errno;
    be->last_errno = err;
    rc = mgm__bsd_map_errno(err);
    goto fail;
  }
#ifdef SO_RTABLE
  if (cfg->table != 0) {
    int tid = (int)cfg->table;

    /* OpenBSD: one multicast router per rdomain (kernel.md C.4) */
    if (mgm__sys_setsockopt(be->igmp_fd, SOL_SOCKET, SO_RTABLE, &tid,
                            sizeof(tid)) < 0) {
      err = errno;
      be->last_errno = err;
      mgm__bsd_log(be, MGM__BSD_LOG_ERROR, "rdomain %u: %s",
                   (unsigned)cfg->table, strerror(err));
      rc = err == EINVAL ? MGM_BE_ENOTSUP : mgm__bsd_map_errno(err);
      goto fail;
    }
  }
#endif
  bsd_rcvbuf(be);
  rc = bsd_mrt_init(be);
  if (rc < 0)
    goto fail;
  if (mgm__sys_setsockopt(be->igmp_fd, IPPROTO_IP, IP_RECVIF, &one,
                          sizeof(one)) < 0)
    mgm__bsd_log(be, MGM__BSD_LOG_TRACE, "bsd: IP_RECVIF: %s", strerror(errno));
  bsd_api_config(be);

  if (mgm__sys_pipe2(pfd, O_NONBLOCK | O_CLOEXEC) < 0) {
    err = errno;
    be->last_errno = err;
    rc = mgm__bsd_map_errno(err);
    goto fail;
  }
  be->wake_rd = pfd[0];
  be->wake_wr = pfd[1];
  rc = mgm__bsd_ifmon_open(be);
  if (rc < 0)
    goto fail;
  bsd_lock(be);
  rc = mgm__bsd_ifmon_load(be, 0);
  bsd_unlock(be);
  if (rc < 0)
    goto fail;
  mgm__bsd_log(be, MGM__BSD_LOG_INFO,
               "bsd: %s multicast router up (%u VIFs, %s)", be->os.os,
               (unsigned)be->mrl.maxvifs,
               be->use_mfcctl2 ? "mfcctl2" : "mfcctl");
  *out = be;
  return 0;
fail:
  bsd_teardown(be, 1);
  return rc;
}

static void bsd_close(struct mgm_backend *be) {
  if (be != NULL)
    bsd_teardown(be, 1); /* MRT_DONE removes every VIF and MFC entry */
}

static void bsd_caps(struct mgm_backend *be, struct mgm_be_caps *out) {
  memset(out, 0, sizeof(*out));
  out->max_slots = be->mrl.maxvifs;
  out->star_g = 0;
  out->ifindex_slots = 0; /* VIFs need an IPv4 address */
  out->if_events = 1;
  out->wrongif_upcall = be->os.wrongif_upcall;
  out->virtual_clock = 0;
  out->kernel_ages_idle = be->os.kernel_ages_idle;
  out->last_use = 0;
}

static int bsd_fds(struct mgm_backend *be, int *fds, size_t *n) {
  int rc = 0;

  if (*n < 3) {
    *n = 3;
    rc = MGM_BE_EINVAL;
    goto out;
  }
  fds[0] = be->igmp_fd;
  fds[1] = be->rt_fd;
  fds[2] = be->wake_rd;
  *n = 3;
out:
  return rc;
}

/* Alternate between the router socket and the routing socket until both
 * are empty or the budget is spent; queued records go out in between.
 * The loop's wake time is not used: now_ms reads the clock each time. */
static int bsd_dispatch(struct mgm_backend *be, unsigned budget,
                        uint64_t now_ms) {
  unsigned done = 0;
  int r1, r2, rc = 0;

  (void)now_ms;
  mgm__bsd_queue_unwake(be);
  done += mgm__bsd_queue_deliver(be);
  while (done < budget) {
    r1 = bsd_igmp_one(be);
    if (r1 < 0) {
      rc = r1;
      break;
    }
    done += (unsigned)r1;
    if (done >= budget)
      break;
    bsd_lock(be);
    r2 = mgm__bsd_ifmon_read(be);
    bsd_unlock(be);
    done += mgm__bsd_queue_deliver(be);
    if (r2 < 0) {
      rc = r2; /* MGM_BE_EDESYNC: the core calls resync() */
      break;
    }
    done += (unsigned)r2;
    if (r1 == 0 && r2 == 0)
      break;
  }
  (void)mgm__bsd_queue_deliver(be);
  return rc < 0 ? rc : (int)done;
}

static int bsd_resync(struct mgm_backend *be) {
  uint32_t pend[BSD_PENDING_MAX];
  size_t i, n;
  int rc;

  bsd_lock(be);
  mgm__bsd_ifmon_drain(be);
  rc = mgm__bsd_ifmon_load(be, 1);
  if (rc == 0) {
    n = be->npending;
    memcpy(pend, be->pending, n * sizeof(pend[0]));
    for (i = 0; i < n; i++)
      mgm__bsd_vif_addr_added(be, pend[i], mgm__bsd_ifmon_find(be, pend[i]));
    mgm__bsd_vif_verify(be);
  }
  bsd_unlock(be);
  (void)mgm__bsd_queue_deliver(be);
  return rc;
}

static int bsd_if_attach(struct mgm_backend *be, uint32_t ifindex) {
  int rc;

  bsd_lock(be);
  rc = mgm__bsd_vif_attach(be, ifindex, mgm__bsd_ifmon_find(be, ifindex));
  bsd_unlock(be);
  return rc;
}

static int bsd_if_detach(struct mgm_backend *be, uint32_t ifindex) {
  int rc;

  bsd_lock(be);
  rc = mgm__bsd_vif_detach(be, ifindex);
  bsd_unlock(be);
  return rc;
}

static int bsd_mfe_set(struct mgm_backend *be, const struct mgm_fwd *fwd) {
  int rc;

  bsd_lock(be);
  rc = mgm__bsd_vif_mfe_set(be, fwd);
  bsd_unlock(be);
  return rc;
}

static int bsd_mfe_del(struct mgm_backend *be, const struct mgm_mfe_key *key) {
  int rc;

  bsd_lock(be);
  rc = mgm__bsd_vif_mfe_del(be, key);
  bsd_unlock(be);
  return rc;
}

static int bsd_mfe_stats(struct mgm_backend *be, const struct mgm_mfe_key *key,
                         struct mgm_fwd_stats *out) {
  union mgm_bsd_arg a;
  uint64_t pkts, bytes, wrong_if;
  int len, err, rc;

  memset(out, 0, sizeof(*out));
  out->idle_ms = UINT32_MAX; /* no last-use time on BSD */
  len = mgm__mrtenc_sg_req(&be->mrl, a.b, sizeof(a.b), key->source, key->group);
  if (len < 0)
    return MGM_BE_EINVAL;
  bsd_lock(be);
  if (mgm__sys_ioctl(be->igmp_fd, SIOCGETSGCNT, a.b) < 0) {
    err = errno;
    be->last_errno = err;
    rc = mgm__bsd_map_errno(err); /* EADDRNOTAVAIL: no such (S,G) */
    goto out;
  }
  rc = mgm__mrtenc_sg_counts(&be->mrl, a.b, (size_t)len, &pkts, &bytes,
                             &wrong_if);
  if (rc < 0) {
    rc = MGM_BE_EIO;
    goto out;
  }
  out->pkts = pkts;
  out->bytes = bytes;
  out->wrong_if = wrong_if;
out:
  bsd_unlock(be);
  return rc;
}

static int bsd_flush(struct mgm_backend *be) {
  int rc;

  bsd_lock(be);
  rc = mgm__bsd_vif_flush(be);
  bsd_unlock(be);
  return rc;
}

static int bsd_route_lookup(struct mgm_backend *be, uint32_t src,
                            struct mgm_route *out) {
  int32_t seq;
  int err = 0, rc;

  bsd_lock(be);
  seq = ++be->rtseq;
  bsd_unlock(be);
  rc = mgm__bsd_route_lookup(be, src, seq, out, &err);
  if (rc < 0 && err != 0) {
    bsd_lock(be);
    be->last_errno = err;
    bsd_unlock(be);
  }
  return rc;
}

static uint64_t bsd_now_ms(struct mgm_backend *be) {
  (void)be;
  return bsd_clock_ms();
}

static int bsd_set_wrongif(struct mgm_backend *be, int on) {
  int rc = 0;

  if (!be->os.wrongif_upcall)
    return MGM_BE_ENOTSUP; /* OpenBSD only counts wrong-interface packets */
#ifdef MRT_ASSERT
  {
    int v = on ? 1 : 0, err;

    bsd_lock(be);
    if (mgm__sys_setsockopt(be->igmp_fd, IPPROTO_IP, MRT_ASSERT, &v,
                            sizeof(v)) < 0) {
      err = errno;
      be->last_errno = err;
      rc = mgm__bsd_map_errno(err);
    } else {
      be->wrongif_on = v;
    }
    bsd_unlock(be);
  }
#else
  (void)on;
  rc = MGM_BE_ENOTSUP;
#endif
  return rc;
}

const struct mgm_backend_ops mgm__bsd_ops = {
    .name = "bsd",
    .abi = MGM_BACKEND_ABI,
    .open = bsd_open,
    .close = bsd_close,
    .caps = bsd_caps,
    .fds = bsd_fds,
    .dispatch = bsd_dispatch,
    .resync = bsd_resync,
    .if_attach = bsd_if_attach,
    .if_detach = bsd_if_detach,
    .mfe_set = bsd_mfe_set,
    .mfe_del = bsd_mfe_del,
    .mfe_stats = bsd_mfe_stats,
    .flush = bsd_flush,
    .route_lookup = bsd_route_lookup,
    .now_ms = bsd_now_ms,
    .set_wrongif = bsd_set_wrongif,
};
