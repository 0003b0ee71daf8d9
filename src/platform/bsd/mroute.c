/*
 * mroute.c - the "bsd" backend: FreeBSD/NetBSD/OpenBSD ip_mroute(4)
 * driven through a raw IGMP socket (MRT_* options, SIOCGETSGCNT, igmpmsg
 * upcalls), with interfaces tracked on PF_ROUTE by ifmon.c.
 *
 * SPDX-License-Identifier: MIT
 *
 * Map of this file:
 *   helpers     - logging, errno mapping, the clock, deferred upcalls
 *   VIFs        - slots keyed by the interface's primary IPv4 address,
 *                 the pending set of interfaces still without one
 *   MFC         - mfcctl/mfcctl2 installs, the shadow table, scrubbing
 *   upcalls     - NOCACHE/WRONGVIF and IGMP packets on the router socket
 *   ops         - the struct mgm_backend_ops vtable (kernel.md G)
 * Struct bytes come from mrtenc.c through layouts read from the headers
 * (oscaps.c); OS differences are the flags of struct mgm_bsd_oscaps.
 * Upcalls are made only from dispatch()/resync() and never with the
 * backend lock held (bsd.h): what an op discovers (entries lost to
 * if_detach) is queued and delivered on the next dispatch(), which a byte
 * on the self-pipe schedules.
 */
#include "platform/bsd/bsd.h"

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

/* Scratch big enough and aligned for any of the mroute structs. */
union bsd_arg {
  uint64_t align;
  uint8_t b[512];
};

_Static_assert(sizeof(struct mfcctl) <= sizeof(union bsd_arg) &&
                   sizeof(struct vifctl) <= sizeof(union bsd_arg) &&
                   sizeof(struct sioc_sg_req) <= sizeof(union bsd_arg),
               "bsd_arg too small");

/* ---- helpers ------------------------------------------------------------ */

static void bsd_lock(struct mgm_backend *be) {
  pthread_mutex_lock(&be->lock);
}

static void bsd_unlock(struct mgm_backend *be) {
  pthread_mutex_unlock(&be->lock);
}

uint64_t mgm__bsd_clock_ms(void) {
  struct timespec ts;

  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
    return 0;
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int bsd_set_nonblock_cloexec(int fd) {
  int fl;

  fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
    return -1;
  fl = fcntl(fd, F_GETFD);
  if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
    return -1;
  return 0;
}

/* ---- VIFs ---------------------------------------------------------------- */

static struct mgm_bsd_vif *bsd_vif_find(struct mgm_backend *be,
                                        uint32_t ifindex) {
  uint16_t i;

  if (ifindex == 0)
    return NULL;
  for (i = 0; i < be->mrl.maxvifs; i++) {
    if (be->vif[i].in_use && be->vif[i].ifindex == ifindex)
      return &be->vif[i];
  }
  return NULL;
}

/* A VIF the core has claimed (refcnt > 0): what mfe_set may use. */
static int bsd_vif_claimed(struct mgm_backend *be, uint32_t ifindex) {
  struct mgm_bsd_vif *v = bsd_vif_find(be, ifindex);

  return v != NULL && v->refcnt > 0 ? (int)(v - be->vif) : -1;
}

static int bsd_pending_has(const struct mgm_backend *be, uint32_t ifindex) {
  size_t i;

  for (i = 0; i < be->npending; i++) {
    if (be->pending[i] == ifindex)
      return 1;
  }
  return 0;
}

static void bsd_pending_add(struct mgm_backend *be, uint32_t ifindex) {
  if (bsd_pending_has(be, ifindex))
    return;
  if (be->npending == BSD_PENDING_MAX) {
    mgm__bsd_log(be, MGM__BSD_LOG_TRACE,
                 "bsd: pending set full; ifindex %u not retried",
                 (unsigned)ifindex);
    return;
  }
  be->pending[be->npending++] = ifindex;
}

static int bsd_pending_del(struct mgm_backend *be, uint32_t ifindex) {
  size_t i;

  for (i = 0; i < be->npending; i++) {
    if (be->pending[i] == ifindex) {
      be->pending[i] = be->pending[--be->npending];
      return 1;
    }
  }
  return 0;
}

static int bsd_vif_kernel_del(struct mgm_backend *be, uint16_t vifi) {
  union bsd_arg a;
  int len, err, rc = 0;

  len = mgm__mrtenc_vifi(&be->mrl, a.b, sizeof(a.b), vifi);
  if (len < 0) {
    rc = MGM_BE_EINVAL;
    goto out;
  }
  /* MRT_DEL_VIF takes a bare vifi_t on every BSD (kernel.md C.1) */
  if (setsockopt(be->igmp_fd, IPPROTO_IP, MRT_DEL_VIF, a.b, (socklen_t)len) <
      0) {
    err = errno;
    be->last_errno = err;
    rc = mgm__bsd_map_errno(err);
  }
out:
  return rc;
}

/* Lowest free slot; failing that, evict a pre-armed VIF nobody claimed
 * (its interface goes back to the pending set) or a quarantined one. */
static int bsd_vif_slot(struct mgm_backend *be) {
  uint16_t i;

  for (i = 0; i < be->mrl.maxvifs; i++) {
    if (!be->vif[i].in_use)
      return i;
  }
  for (i = 0; i < be->mrl.maxvifs; i++) {
    if (be->vif[i].refcnt != 0)
      continue;
    if (bsd_vif_kernel_del(be, i) == MGM_BE_EIO && be->vif[i].ifindex == 0)
      continue; /* a quarantined slot that still will not go */
    if (be->vif[i].ifindex != 0)
      bsd_pending_add(be, be->vif[i].ifindex);
    memset(&be->vif[i], 0, sizeof(be->vif[i]));
    return i;
  }
  return -1;
}

/* MRT_ADD_VIF for ifindex by its primary IPv4 address.  Returns the slot
 * (refcnt 0) or an error; an interface without an address (yet) joins the
 * pending set and gives MGM_BE_ENOIF. */
static int bsd_vif_add(struct mgm_backend *be, uint32_t ifindex) {
  struct mgm_bsd_iface *ifp;
  union bsd_arg a;
  uint32_t addr;
  int slot, len, err, rc;

  ifp = mgm__bsd_if_find(be, ifindex);
  if (ifp == NULL) {
    rc = MGM_BE_ENOIF;
    goto out;
  }
  if (!(ifp->flags & MGM_IFF_MULTICAST)) {
    mgm__bsd_log(be, MGM__BSD_LOG_TRACE, "bsd: %s is not multicast-capable",
                 ifp->name);
    rc = MGM_BE_ENOIF;
    goto out;
  }
  if (ifp->naddr == 0) {
    /* BSD VIFs are keyed by address (kernel.md 0.1 #9): wait for one */
    bsd_pending_add(be, ifindex);
    rc = MGM_BE_ENOIF;
    goto out;
  }
  addr = ifp->addr[0].addr;
  slot = bsd_vif_slot(be);
  if (slot < 0) {
    rc = MGM_BE_ENOSLOT;
    goto out;
  }
  len = mgm__mrtenc_vifctl(&be->mrl, a.b, sizeof(a.b), (uint16_t)slot, 0, 1,
                           addr, 0);
  if (len < 0) {
    rc = MGM_BE_EINVAL;
    goto out;
  }
  if (setsockopt(be->igmp_fd, IPPROTO_IP, MRT_ADD_VIF, a.b, (socklen_t)len) <
      0) {
    err = errno;
    be->last_errno = err;
    switch (err) {
    case EADDRNOTAVAIL: /* the address went away under us */
      bsd_pending_add(be, ifindex);
      rc = MGM_BE_ENOIF;
      break;
    case EOPNOTSUPP: /* not IFF_MULTICAST, or a tunnel */
      rc = MGM_BE_ENOIF;
      break;
    case EADDRINUSE:
      mgm__bsd_log(be, MGM__BSD_LOG_WARN,
                   "bsd: MRT_ADD_VIF %d for %s: already a VIF%s", slot,
                   ifp->name,
                   be->os.one_vif_per_if ? " (one VIF per interface)" : "");
      rc = MGM_BE_EIO;
      break;
    default:
      rc = mgm__bsd_map_errno(err);
      break;
    }
    goto out;
  }
  be->vif[slot].in_use = 1;
  be->vif[slot].ifindex = ifindex;
  be->vif[slot].addr = addr;
  be->vif[slot].refcnt = 0;
  (void)bsd_pending_del(be, ifindex);
  rc = slot;
out:
  return rc;
}

/* ---- MFC ----------------------------------------------------------------- */

static int bsd_is_multicast(uint32_t group) {
  const uint8_t *b = (const uint8_t *)&group;

  return (b[0] & 0xf0) == 0xe0;
}

/* Encode fwd into a.  All interfaces must be claimed VIFs. */
static int bsd_mfc_encode(struct mgm_backend *be, const struct mgm_fwd *fwd,
                          union bsd_arg *a) {
  struct mgm_mrt_mfc m;
  uint16_t i;
  int parent, vifi, len, rc;

  memset(&m, 0, sizeof(m));
  parent = bsd_vif_claimed(be, fwd->iif);
  if (parent < 0) {
    rc = MGM_BE_ENOIF;
    goto out;
  }
  m.origin = fwd->key.source;
  m.group = fwd->key.group;
  m.parent = (uint16_t)parent;
  for (i = 0; i < fwd->n_oif; i++) {
    vifi = bsd_vif_claimed(be, fwd->oif[i].ifindex);
    if (vifi < 0) {
      rc = MGM_BE_ENOIF;
      goto out;
    }
    if (vifi == parent)
      continue; /* never forward back out of the incoming VIF */
    m.ttls[vifi] = fwd->oif[i].ttl_threshold ? fwd->oif[i].ttl_threshold : 1;
  }
#ifdef MRT_MFC_FLAGS_DISABLE_WRONGVIF
  if (be->use_mfcctl2 && !(fwd->flags & MGM_FWD_F_NOTIFY_WRONGIF) &&
      (be->api_config & MRT_MFC_FLAGS_DISABLE_WRONGVIF)) {
    /* the flag is looked up by arrival VIF: silence every VIF */
    for (i = 0; i < be->mrl.maxvifs; i++)
      m.flags[i] = MRT_MFC_FLAGS_DISABLE_WRONGVIF;
  }
#endif
  len = mgm__mrtenc_mfcctl(&be->mrl, a->b, sizeof(a->b), &m, be->use_mfcctl2);
  rc = len < 0 ? MGM_BE_EINVAL : len;
out:
  return rc;
}

/* MRT_ADD_MFC, then record it in the shadow table. */
static int bsd_mfc_install(struct mgm_backend *be, const struct mgm_fwd *fwd) {
  union bsd_arg a;
  int len, err, rc;

  len = bsd_mfc_encode(be, fwd, &a);
  if (len < 0) {
    rc = len;
    goto out;
  }
  if (setsockopt(be->igmp_fd, IPPROTO_IP, MRT_ADD_MFC, a.b, (socklen_t)len) <
      0) {
    err = errno;
    be->last_errno = err;
    rc = mgm__bsd_map_errno(err);
    goto out;
  }
  rc = mgm__bsd_mfctab_put(&be->mfc, fwd);
  if (rc < 0) {
    /* keep kernel and shadow in step: take the entry out again */
    (void)setsockopt(be->igmp_fd, IPPROTO_IP, MRT_DEL_MFC, a.b, (socklen_t)len);
  }
out:
  return rc;
}

static int bsd_mfc_kernel_del(struct mgm_backend *be, uint32_t source,
                              uint32_t group) {
  struct mgm_mrt_mfc m;
  union bsd_arg a;
  int len, err, rc = 0;

  memset(&m, 0, sizeof(m));
  m.origin = source;
  m.group = group;
  len = mgm__mrtenc_mfcctl(&be->mrl, a.b, sizeof(a.b), &m, be->use_mfcctl2);
  if (len < 0) {
    rc = MGM_BE_EINVAL;
    goto out;
  }
  if (setsockopt(be->igmp_fd, IPPROTO_IP, MRT_DEL_MFC, a.b, (socklen_t)len) <
      0) {
    err = errno;
    be->last_errno = err;
    rc = mgm__bsd_map_errno(err);
  }
out:
  return rc;
}

/* Turn a shadow record back into a request; oif must hold n_oif slots. */
static void bsd_mfc_to_fwd(const struct mgm_bsd_mfc *m, struct mgm_fwd *fwd,
                           struct mgm_oif *oif, uint32_t skip_ifindex) {
  uint16_t i, n = 0;

  memset(fwd, 0, sizeof(*fwd));
  fwd->key = m->key;
  fwd->iif = m->iif;
  fwd->flags = m->flags;
  for (i = 0; i < m->n_oif; i++) {
    if (m->oif[i].ifindex == skip_ifindex)
      continue;
    memset(&oif[n], 0, sizeof(oif[n]));
    oif[n].ifindex = m->oif[i].ifindex;
    oif[n].ttl_threshold = m->oif[i].ttl;
    n++;
  }
  fwd->n_oif = n;
  fwd->oif = oif;
}

/* Snapshot the shadow keys; NULL (and *n 0) if empty or out of memory. */
static struct mgm_mfe_key *bsd_mfc_keys(struct mgm_backend *be, size_t *n) {
  struct mgm_mfe_key *keys = NULL;
  size_t count = be->mfc.count;

  *n = 0;
  if (count == 0)
    goto out;
  keys = malloc(count * sizeof(*keys));
  if (keys == NULL)
    goto out;
  *n = mgm__bsd_mfctab_keys(&be->mfc, keys, count);
out:
  return keys;
}

/* Take an interface out of every installed entry: entries it fed are
 * deleted (and reported IF_DEPARTED), entries it was an oif of are
 * re-issued without it.  Needed before its slot is freed, because the
 * kernel leaves other entries' ttl slots pointing at it (kernel.md C.2). */
static int bsd_mfc_scrub(struct mgm_backend *be, uint32_t ifindex) {
  struct mgm_oif oif[MGM_MRT_VIFS_MAX];
  struct mgm_mfe_key *keys;
  struct mgm_bsd_mfc *m;
  struct mgm_fwd fwd;
  size_t i, n;
  int rc = 0;

  keys = bsd_mfc_keys(be, &n);
  if (keys == NULL && be->mfc.count != 0) {
    rc = MGM_BE_ENOMEM;
    goto out;
  }
  for (i = 0; i < n; i++) {
    m = mgm__bsd_mfctab_find(&be->mfc, keys[i].source, keys[i].group);
    if (m == NULL)
      continue;
    if (m->iif == ifindex) {
      (void)bsd_mfc_kernel_del(be, keys[i].source, keys[i].group);
      (void)mgm__bsd_mfctab_del(&be->mfc, keys[i].source, keys[i].group);
      mgm__bsd_queue_gone(be, &keys[i], MGM_GONE_IF_DEPARTED);
    } else if (mgm__bsd_mfc_has_oif(m, ifindex) &&
               m->n_oif <= MGM_MRT_VIFS_MAX) {
      bsd_mfc_to_fwd(m, &fwd, oif, ifindex);
      if (bsd_mfc_install(be, &fwd) < 0) {
        /* cannot rewrite it: drop it rather than forward to a dead slot */
        (void)bsd_mfc_kernel_del(be, keys[i].source, keys[i].group);
        (void)mgm__bsd_mfctab_del(&be->mfc, keys[i].source, keys[i].group);
        mgm__bsd_queue_gone(be, &keys[i], MGM_GONE_IF_DEPARTED);
      }
    }
  }
out:
  free(keys);
  return rc;
}

/* Scrub ifindex out of the MFC and give its slot back to the kernel.  A
 * slot the kernel would not delete is quarantined (in use, no interface)
 * and retried only when slots run out. */
static int bsd_vif_release(struct mgm_backend *be, struct mgm_bsd_vif *v) {
  uint32_t ifindex = v->ifindex;
  int rc;

  rc = bsd_mfc_scrub(be, ifindex);
  if (rc < 0)
    goto out;
  rc = bsd_vif_kernel_del(be, (uint16_t)(v - be->vif));
  memset(v, 0, sizeof(*v));
  if (rc == MGM_BE_ENOENT || rc == MGM_BE_EINVAL) {
    rc = 0; /* the kernel had already dropped it */
  } else if (rc < 0) {
    v->in_use = 1;
    mgm__bsd_log(be, MGM__BSD_LOG_WARN,
                 "bsd: MRT_DEL_VIF %d failed (errno %d); slot quarantined",
                 (int)(v - be->vif), be->last_errno);
  }
out:
  return rc;
}

/* OpenBSD keys the kernel MFC by group: re-install the other sources of
 * group after a delete took them all out (kernel.md C.4). */
static void bsd_mfc_reinstall_group(struct mgm_backend *be, uint32_t group) {
  struct mgm_oif oif[MGM_MRT_VIFS_MAX];
  struct mgm_mfe_key *keys;
  struct mgm_bsd_mfc *m;
  struct mgm_fwd fwd;
  size_t i, n;

  keys = bsd_mfc_keys(be, &n);
  for (i = 0; i < n; i++) {
    if (keys[i].group != group)
      continue;
    m = mgm__bsd_mfctab_find(&be->mfc, keys[i].source, keys[i].group);
    if (m == NULL || m->n_oif > MGM_MRT_VIFS_MAX)
      continue;
    bsd_mfc_to_fwd(m, &fwd, oif, 0);
    if (bsd_mfc_install(be, &fwd) < 0) {
      (void)mgm__bsd_mfctab_del(&be->mfc, keys[i].source, keys[i].group);
      mgm__bsd_queue_gone(be, &keys[i], MGM_GONE_FLUSHED);
    }
  }
  free(keys);
}

/* Is (S,G) still in the kernel?  1 yes, 0 no, <0 cannot tell. */
static int bsd_mfc_present(struct mgm_backend *be, uint32_t source,
                           uint32_t group) {
  union bsd_arg a;
  int len, err, rc = 1;

  len = mgm__mrtenc_sg_req(&be->mrl, a.b, sizeof(a.b), source, group);
  if (len < 0) {
    rc = MGM_BE_EINVAL;
    goto out;
  }
  if (ioctl(be->igmp_fd, SIOCGETSGCNT, a.b) < 0) {
    err = errno;
    be->last_errno = err;
    rc = err == EADDRNOTAVAIL || err == ENOENT || err == ESRCH
             ? 0
             : mgm__bsd_map_errno(err);
  }
out:
  return rc;
}

/* Report shadow entries the kernel no longer has (OpenBSD ageing, FreeBSD
 * expiry of entries whose parent VIF departed).  group 0 checks all. */
static void bsd_mfc_verify(struct mgm_backend *be, uint32_t group) {
  struct mgm_mfe_key *keys;
  struct mgm_bsd_mfc *m;
  enum mgm_mfe_gone why;
  size_t i, n;

  keys = bsd_mfc_keys(be, &n);
  for (i = 0; i < n; i++) {
    if (group != 0 && keys[i].group != group)
      continue;
    if (bsd_mfc_present(be, keys[i].source, keys[i].group) != 0)
      continue;
    m = mgm__bsd_mfctab_find(&be->mfc, keys[i].source, keys[i].group);
    if (m == NULL)
      continue;
    why =
        bsd_vif_find(be, m->iif) == NULL ? MGM_GONE_IF_DEPARTED : MGM_GONE_AGED;
    (void)mgm__bsd_mfctab_del(&be->mfc, keys[i].source, keys[i].group);
    mgm__bsd_queue_gone(be, &keys[i], why);
  }
  free(keys);
}

void mgm__bsd_mfc_group_check(struct mgm_backend *be, uint32_t group) {
  if (be->os.kernel_ages_idle && group != 0)
    bsd_mfc_verify(be, group);
}

/* ---- events from ifmon.c ------------------------------------------------- */

/* An address arrived: pre-arm the VIF of a pending interface so that the
 * core's next if_attach (on MGM_IF_ADDR_ADD) succeeds at once. */
void mgm__bsd_vif_addr_added(struct mgm_backend *be, uint32_t ifindex) {
  int rc;

  if (!bsd_pending_has(be, ifindex) || bsd_vif_find(be, ifindex) != NULL)
    return;
  rc = bsd_vif_add(be, ifindex);
  mgm__bsd_log(be, MGM__BSD_LOG_TRACE, "bsd: pending ifindex %u: VIF %s %d",
               (unsigned)ifindex, rc >= 0 ? "added in slot" : "still fails",
               rc);
}

/* The kernel dropped the interface (and with it its VIF): queue the slot
 * loss, scrub the MFC, free the slot.  From dispatch/resync (lock held). */
void mgm__bsd_vif_departed(struct mgm_backend *be, uint32_t ifindex) {
  struct mgm_bsd_iface gone_if;
  struct mgm_bsd_vif *v;

  (void)bsd_pending_del(be, ifindex);
  v = bsd_vif_find(be, ifindex);
  if (v == NULL)
    return;
  memset(&gone_if, 0, sizeof(gone_if));
  gone_if.ifindex = ifindex;
  if (v->refcnt > 0)
    mgm__bsd_queue_if(be, MGM_IF_SLOT_LOST, &gone_if, 0, 0);
  if (bsd_vif_release(be, v) < 0) {
    mgm__bsd_log(be, MGM__BSD_LOG_WARN,
                 "bsd: ifindex %u departed; MFC not fully scrubbed (errno %d)",
                 (unsigned)ifindex, be->last_errno);
    memset(v, 0, sizeof(*v)); /* the kernel has no such VIF any more */
  }
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
    len = recvmsg(be->igmp_fd, &msg, 0);
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
      (void)setsockopt(be->igmp_fd, IPPROTO_IP, MRT_DONE, NULL, 0);
    close(be->igmp_fd);
  }
  mgm__bsd_ifmon_close(be);
  if (be->wake_rd >= 0)
    close(be->wake_rd);
  if (be->wake_wr >= 0)
    close(be->wake_wr);
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
         setsockopt(be->igmp_fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want)) <
             0)
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
  if (getsockopt(be->igmp_fd, IPPROTO_IP, MRT_API_SUPPORT, &support, &sl) < 0)
    return;
  want = support & MRT_MFC_FLAGS_DISABLE_WRONGVIF;
  if (want == 0)
    return;
  if (setsockopt(be->igmp_fd, IPPROTO_IP, MRT_API_CONFIG, &want, sizeof(want)) <
      0)
    return;
  sl = sizeof(granted);
  if (getsockopt(be->igmp_fd, IPPROTO_IP, MRT_API_CONFIG, &granted, &sl) < 0)
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

  if (sysctl(mib, 4, &on, &len, NULL, 0) == 0 && on == 0) {
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

  if (setsockopt(be->igmp_fd, IPPROTO_IP, MRT_INIT, &one, sizeof(one)) == 0) {
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
  be->pid = (int32_t)getpid();
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

  be->igmp_fd = socket(AF_INET, SOCK_RAW, IPPROTO_IGMP);
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
    if (setsockopt(be->igmp_fd, SOL_SOCKET, SO_RTABLE, &tid, sizeof(tid)) < 0) {
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
  if (setsockopt(be->igmp_fd, IPPROTO_IP, IP_RECVIF, &one, sizeof(one)) < 0)
    mgm__bsd_log(be, MGM__BSD_LOG_TRACE, "bsd: IP_RECVIF: %s", strerror(errno));
  bsd_api_config(be);

  if (pipe(pfd) < 0) {
    err = errno;
    be->last_errno = err;
    rc = mgm__bsd_map_errno(err);
    goto fail;
  }
  be->wake_rd = pfd[0];
  be->wake_wr = pfd[1];
  if (bsd_set_nonblock_cloexec(be->wake_rd) < 0 ||
      bsd_set_nonblock_cloexec(be->wake_wr) < 0) {
    err = errno;
    be->last_errno = err;
    rc = mgm__bsd_map_errno(err);
    goto fail;
  }
  rc = mgm__bsd_ifmon_open(be);
  if (rc < 0)
    goto fail;
  rc = mgm__bsd_ifmon_load(be, 0);
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
      mgm__bsd_vif_addr_added(be, pend[i]);
    bsd_mfc_verify(be, 0);
  }
  bsd_unlock(be);
  (void)mgm__bsd_queue_deliver(be);
  return rc;
}

static int bsd_if_attach(struct mgm_backend *be, uint32_t ifindex) {
  struct mgm_bsd_vif *v;
  int rc;

  bsd_lock(be);
  v = bsd_vif_find(be, ifindex);
  if (v != NULL) {
    v->refcnt++; /* also claims a pre-armed VIF */
    rc = 0;
    goto out;
  }
  rc = bsd_vif_add(be, ifindex);
  if (rc < 0)
    goto out;
  be->vif[rc].refcnt = 1;
  rc = 0;
out:
  bsd_unlock(be);
  return rc;
}

static int bsd_if_detach(struct mgm_backend *be, uint32_t ifindex) {
  struct mgm_bsd_vif *v;
  int was_pending, rc = 0;

  bsd_lock(be);
  was_pending = bsd_pending_del(be, ifindex);
  v = bsd_vif_find(be, ifindex);
  if (v == NULL) {
    rc = was_pending ? 0 : MGM_BE_ENOENT;
    goto out;
  }
  if (v->refcnt > 1) {
    v->refcnt--;
    goto out;
  }
  rc = bsd_vif_release(be, v);
out:
  bsd_unlock(be);
  return rc;
}

/* OpenBSD: a group has one iif; a second source arriving elsewhere cannot
 * be represented (kernel.md G.1). */
static int bsd_group_conflict(struct mgm_backend *be,
                              const struct mgm_fwd *fwd) {
  const struct mgm_bsd_mfc *m;
  size_t i;

  for (i = 0; i < be->mfc.nbucket; i++) {
    for (m = be->mfc.bucket[i]; m != NULL; m = m->next) {
      if (m->key.group == fwd->key.group && m->key.source != fwd->key.source &&
          m->iif != fwd->iif)
        return 1;
    }
  }
  return 0;
}

static int bsd_mfe_set(struct mgm_backend *be, const struct mgm_fwd *fwd) {
  int rc;

  if (!bsd_is_multicast(fwd->key.group) || fwd->n_oif > be->mrl.maxvifs ||
      (fwd->n_oif != 0 && fwd->oif == NULL))
    return MGM_BE_EINVAL;
  bsd_lock(be);
  if (be->os.group_keyed_only && bsd_group_conflict(be, fwd))
    rc = MGM_BE_ENOTSUP;
  else
    rc = bsd_mfc_install(be, fwd);
  bsd_unlock(be);
  return rc;
}

static int bsd_mfe_del(struct mgm_backend *be, const struct mgm_mfe_key *key) {
  int rc, had;

  bsd_lock(be);
  rc = bsd_mfc_kernel_del(be, key->source, key->group);
  if (rc != 0 && rc != MGM_BE_ENOENT)
    goto out; /* still installed: keep the shadow */
  had = mgm__bsd_mfctab_del(&be->mfc, key->source, key->group) == 0;
  if (rc == MGM_BE_ENOENT && had)
    rc = 0; /* ours, but the kernel had already aged it out */
  if (be->os.group_keyed_only)
    bsd_mfc_reinstall_group(be, key->group);
out:
  bsd_unlock(be);
  return rc;
}

static int bsd_mfe_stats(struct mgm_backend *be, const struct mgm_mfe_key *key,
                         struct mgm_fwd_stats *out) {
  union bsd_arg a;
  uint64_t pkts, bytes, wrong_if;
  int len, err, rc;

  memset(out, 0, sizeof(*out));
  out->idle_ms = UINT32_MAX; /* no last-use time on BSD */
  len = mgm__mrtenc_sg_req(&be->mrl, a.b, sizeof(a.b), key->source, key->group);
  if (len < 0)
    return MGM_BE_EINVAL;
  bsd_lock(be);
  if (ioctl(be->igmp_fd, SIOCGETSGCNT, a.b) < 0) {
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
  struct mgm_bsd_mfc *m;
  struct mgm_mfe_key key;
  size_t i;
  int r, rc = 0;

  bsd_lock(be);
  for (i = 0; i < be->mfc.nbucket; i++) {
    while ((m = be->mfc.bucket[i]) != NULL) {
      key = m->key;
      r = bsd_mfc_kernel_del(be, key.source, key.group);
      if (r < 0 && r != MGM_BE_ENOENT)
        rc = r;
      (void)mgm__bsd_mfctab_del(&be->mfc, key.source, key.group);
    }
  }
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
  return mgm__bsd_clock_ms();
}

static int bsd_set_wrongif(struct mgm_backend *be, int on) {
  int rc = 0;

  if (!be->os.wrongif_upcall)
    return MGM_BE_ENOTSUP; /* OpenBSD only counts wrong-interface packets */
#ifdef MRT_ASSERT
  {
    int v = on ? 1 : 0, err;

    bsd_lock(be);
    if (setsockopt(be->igmp_fd, IPPROTO_IP, MRT_ASSERT, &v, sizeof(v)) < 0) {
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
