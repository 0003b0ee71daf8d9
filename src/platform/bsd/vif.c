/*
 * vif.c - the BSD backend's VIF slots and the MFC entries installed over
 * them (kernel.md C.1, C.2).
 *
 * SPDX-License-Identifier: MIT
 *
 * BSD VIFs are keyed by the interface's primary IPv4 address: an
 * interface without one waits in the pending set, and its VIF is
 * pre-armed when the address arrives (ifmon.c).  Every MFC entry we
 * install is kept in a shadow table (mfctab.c), because the kernel leaves
 * other entries' ttl slots pointing at a VIF that goes away: before a
 * slot is freed, entries it fed are deleted (mfe_gone IF_DEPARTED) and
 * entries it was an output of are re-issued without it.  Struct bytes
 * come from mrtenc.c through the layouts oscaps.c read from the headers.
 * Everything here runs with the backend lock held.
 */
#include "platform/bsd/bsd.h"
#include "platform/posix/sys.h"

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/sockio.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip_mroute.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(struct mfcctl) <= sizeof(union mgm_bsd_arg) &&
                   sizeof(struct vifctl) <= sizeof(union mgm_bsd_arg) &&
                   sizeof(struct sioc_sg_req) <= sizeof(union mgm_bsd_arg),
               "mgm_bsd_arg too small");

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

/* An MRT_* socket option with an encoded argument: 0 or the mapped
 * error, the errno kept for the log. */
static int bsd_vif_setopt(struct mgm_backend *be, int opt,
                          const union mgm_bsd_arg *a, int len) {
  int rc = 0;

  if (mgm__sys_setsockopt(be->igmp_fd, IPPROTO_IP, opt, a->b, (socklen_t)len) <
      0) {
    be->last_errno = errno;
    rc = mgm__bsd_map_errno(be->last_errno);
  }
  return rc;
}

static int bsd_vif_kernel_del(struct mgm_backend *be, uint16_t vifi) {
  union mgm_bsd_arg a;
  int len, rc = 0;

  len = mgm__mrtenc_vifi(&be->mrl, a.b, sizeof(a.b), vifi);
  if (len < 0) {
    rc = MGM_BE_EINVAL;
    goto out;
  }
  /* MRT_DEL_VIF takes a bare vifi_t on every BSD (kernel.md C.1) */
  rc = bsd_vif_setopt(be, MRT_DEL_VIF, &a, len);
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

/* MRT_ADD_VIF for ifindex by its primary IPv4 address (ifp: ifmon.c's
 * record of it, NULL if unknown).  Returns the slot (refcnt 0) or an
 * error; an interface without an address (yet) joins the pending set and
 * gives MGM_BE_ENOIF. */
static int bsd_vif_add(struct mgm_backend *be, uint32_t ifindex,
                       const struct mgm_bsd_iface *ifp) {
  union mgm_bsd_arg a;
  uint32_t addr;
  int slot, len, err, rc;

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
  if (mgm__sys_setsockopt(be->igmp_fd, IPPROTO_IP, MRT_ADD_VIF, a.b,
                          (socklen_t)len) < 0) {
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
                          union mgm_bsd_arg *a) {
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
  union mgm_bsd_arg a;
  int len, rc;

  len = bsd_mfc_encode(be, fwd, &a);
  if (len < 0) {
    rc = len;
    goto out;
  }
  rc = bsd_vif_setopt(be, MRT_ADD_MFC, &a, len);
  if (rc < 0)
    goto out;
  rc = mgm__bsd_mfctab_put(&be->mfc, fwd);
  if (rc < 0) {
    /* keep kernel and shadow in step: take the entry out again */
    (void)mgm__sys_setsockopt(be->igmp_fd, IPPROTO_IP, MRT_DEL_MFC, a.b,
                              (socklen_t)len);
  }
out:
  return rc;
}

static int bsd_mfc_kernel_del(struct mgm_backend *be, uint32_t source,
                              uint32_t group) {
  struct mgm_mrt_mfc m;
  union mgm_bsd_arg a;
  int len, rc = 0;

  memset(&m, 0, sizeof(m));
  m.origin = source;
  m.group = group;
  len = mgm__mrtenc_mfcctl(&be->mrl, a.b, sizeof(a.b), &m, be->use_mfcctl2);
  if (len < 0) {
    rc = MGM_BE_EINVAL;
    goto out;
  }
  rc = bsd_vif_setopt(be, MRT_DEL_MFC, &a, len);
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
  union mgm_bsd_arg a;
  int len, err, rc = 1;

  len = mgm__mrtenc_sg_req(&be->mrl, a.b, sizeof(a.b), source, group);
  if (len < 0) {
    rc = MGM_BE_EINVAL;
    goto out;
  }
  if (mgm__sys_ioctl(be->igmp_fd, SIOCGETSGCNT, a.b) < 0) {
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

void mgm__bsd_vif_group_check(struct mgm_backend *be, uint32_t group) {
  MGM__BSD_ASSERT_LOCKED(be);
  if (be->os.kernel_ages_idle && group != 0)
    bsd_mfc_verify(be, group);
}

void mgm__bsd_vif_verify(struct mgm_backend *be) {
  MGM__BSD_ASSERT_LOCKED(be);
  bsd_mfc_verify(be, 0);
}

/* ---- events from ifmon.c and resync -------------------------------------- */

/* An address arrived: pre-arm the VIF of a pending interface so that the
 * core's next if_attach (on MGM_IF_ADDR_ADD) succeeds at once. */
void mgm__bsd_vif_addr_added(struct mgm_backend *be, uint32_t ifindex,
                             const struct mgm_bsd_iface *ifp) {
  int rc;

  MGM__BSD_ASSERT_LOCKED(be);
  if (!bsd_pending_has(be, ifindex) || bsd_vif_find(be, ifindex) != NULL)
    return;
  rc = bsd_vif_add(be, ifindex, ifp);
  mgm__bsd_log(be, MGM__BSD_LOG_TRACE, "bsd: pending ifindex %u: VIF %s %d",
               (unsigned)ifindex, rc >= 0 ? "added in slot" : "still fails",
               rc);
}

/* The kernel dropped the interface (and with it its VIF): queue the slot
 * loss, scrub the MFC, free the slot.  From dispatch/resync (lock held). */
void mgm__bsd_vif_departed(struct mgm_backend *be, uint32_t ifindex) {
  struct mgm_bsd_iface gone_if;
  struct mgm_bsd_vif *v;

  MGM__BSD_ASSERT_LOCKED(be);
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

/* ---- the ops' work (mroute.c holds the lock) ----------------------------- */

int mgm__bsd_vif_attach(struct mgm_backend *be, uint32_t ifindex,
                        const struct mgm_bsd_iface *ifp) {
  struct mgm_bsd_vif *v;
  int rc;

  MGM__BSD_ASSERT_LOCKED(be);
  v = bsd_vif_find(be, ifindex);
  if (v != NULL) {
    v->refcnt++; /* also claims a pre-armed VIF */
    rc = 0;
    goto out;
  }
  rc = bsd_vif_add(be, ifindex, ifp);
  if (rc < 0)
    goto out;
  be->vif[rc].refcnt = 1;
  rc = 0;
out:
  return rc;
}

int mgm__bsd_vif_detach(struct mgm_backend *be, uint32_t ifindex) {
  struct mgm_bsd_vif *v;
  int was_pending, rc = 0;

  MGM__BSD_ASSERT_LOCKED(be);
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

int mgm__bsd_vif_mfe_set(struct mgm_backend *be, const struct mgm_fwd *fwd) {
  int rc;

  MGM__BSD_ASSERT_LOCKED(be);
  if (!bsd_is_multicast(fwd->key.group) || fwd->n_oif > be->mrl.maxvifs ||
      (fwd->n_oif != 0 && fwd->oif == NULL)) {
    rc = MGM_BE_EINVAL;
    goto out;
  }
  if (be->os.group_keyed_only && bsd_group_conflict(be, fwd))
    rc = MGM_BE_ENOTSUP;
  else
    rc = bsd_mfc_install(be, fwd);
out:
  return rc;
}

int mgm__bsd_vif_mfe_del(struct mgm_backend *be,
                         const struct mgm_mfe_key *key) {
  int rc, had;

  MGM__BSD_ASSERT_LOCKED(be);
  rc = bsd_mfc_kernel_del(be, key->source, key->group);
  if (rc != 0 && rc != MGM_BE_ENOENT)
    goto out; /* still installed: keep the shadow */
  had = mgm__bsd_mfctab_del(&be->mfc, key->source, key->group) == 0;
  if (rc == MGM_BE_ENOENT && had)
    rc = 0; /* ours, but the kernel had already aged it out */
  if (be->os.group_keyed_only)
    bsd_mfc_reinstall_group(be, key->group);
out:
  return rc;
}

int mgm__bsd_vif_flush(struct mgm_backend *be) {
  struct mgm_bsd_mfc *m;
  struct mgm_mfe_key key;
  size_t i;
  int r, rc = 0;

  MGM__BSD_ASSERT_LOCKED(be);
  for (i = 0; i < be->mfc.nbucket; i++) {
    while ((m = be->mfc.bucket[i]) != NULL) {
      key = m->key;
      r = bsd_mfc_kernel_del(be, key.source, key.group);
      if (r < 0 && r != MGM_BE_ENOENT)
        rc = r;
      (void)mgm__bsd_mfctab_del(&be->mfc, key.source, key.group);
    }
  }
  return rc;
}
