/*
 * vif.c - the Linux backend's VIF slots and the MFC entries installed over
 * them (kernel.md A.4, A.13).
 *
 * SPDX-License-Identifier: MIT
 *
 * The core speaks ifindexes; we map them to the kernel's 32 VIF slots
 * lazily and with a refcount (VIFF_USE_IFINDEX).  Every MFC entry we
 * install is mirrored in a shadow hash table, because Linux does not clean
 * the MFC when a VIF goes away and a re-used slot would inherit stale
 * outputs (A.13): before a slot is freed or reused, every entry naming it
 * is rewritten (oif) or deleted (iif, reported as mfe_gone IF_DEPARTED).
 * Everything here runs with the backend lock held, but init and free.
 */
#define _GNU_SOURCE 1

#include "linux.h"
#include "platform/posix/sys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/mroute.h>

#define LNX_MFE_MIN_BUCKETS 256

int mgm__lnx_vif_init(struct mgm_backend *be) {
  int i;
  int rc = 0;

  for (i = 0; i < MGM__LNX_MAXVIFS; i++)
    be->vif[i].msock = -1;
  be->mfe_nbuckets = LNX_MFE_MIN_BUCKETS;
  be->mfe = calloc(be->mfe_nbuckets, sizeof(*be->mfe));
  if (be->mfe == NULL)
    rc = MGM_BE_ENOMEM;
  return rc;
}

/* ---- VIF slots ---------------------------------------------------------- */

int mgm__lnx_vif_find(struct mgm_backend *be, uint32_t ifindex) {
  int i;

  MGM__LNX_ASSERT_LOCKED(be);
  for (i = 0; i < MGM__LNX_MAXVIFS; i++)
    if (be->vif[i].refs > 0 && be->vif[i].ifindex == ifindex)
      return i;
  return -1;
}

/* IGMPv3 reports (224.0.0.22) and IGMPv2 leaves (224.0.0.2) are
 * link-local: the kernel delivers them to the router socket only if the
 * device is a member of those groups.  Each attached device gets a small
 * UDP socket (never bound, so it receives nothing itself) holding the two
 * memberships: one socket per VIF keeps us under igmp_max_memberships
 * (20 per socket by default, kernel.md A.14).  Reports to routable groups
 * (IGMPv1/v2) reach the router socket without this. */
static void lnx_join_routers(struct mgm_backend *be, int v) {
  static const uint32_t groups[] = {0xe0000002u, 0xe0000016u};
  struct ip_mreqn mr;
  size_t i;
  int fd;
  int err;

  fd = mgm__sys_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) {
    err = errno;
    goto fail;
  }
  for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
    memset(&mr, 0, sizeof(mr));
    mr.imr_multiaddr.s_addr = htonl(groups[i]);
    mr.imr_ifindex = (int)be->vif[v].ifindex;
    if (mgm__sys_setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
                            sizeof(mr)) < 0) {
      err = errno;
      (void)mgm__sys_close(fd);
      goto fail;
    }
  }
  be->vif[v].msock = fd;
  return;

fail:
  mgm__lnx_log(be, MGM__LNX_LOG_WARN,
               "linux: ifindex %u: cannot join the IGMP router groups (%s); "
               "IGMPv3 reports on it will not be seen",
               be->vif[v].ifindex, strerror(err));
}

static void lnx_leave_routers(struct mgm_backend *be, int v) {
  if (be->vif[v].msock >= 0)
    (void)mgm__sys_close(be->vif[v].msock);
  be->vif[v].msock = -1;
}

/* ---- The shadow MFC table ----------------------------------------------- */

static size_t lnx_hash(uint32_t src, uint32_t grp, size_t nbuckets) {
  uint64_t h;

  h = ((uint64_t)src << 32 | grp) * 0x9e3779b97f4a7c15ull;
  return (size_t)(h >> 32) & (nbuckets - 1);
}

static struct mgm__lnx_mfe **lnx_mfe_slot(struct mgm_backend *be, uint32_t src,
                                          uint32_t grp) {
  struct mgm__lnx_mfe **pp;

  pp = &be->mfe[lnx_hash(src, grp, be->mfe_nbuckets)];
  while (*pp != NULL && ((*pp)->src != src || (*pp)->grp != grp))
    pp = &(*pp)->next;
  return pp;
}

/* Grow the bucket array when the load passes 1 (best effort). */
static void lnx_mfe_grow(struct mgm_backend *be) {
  struct mgm__lnx_mfe **nb;
  struct mgm__lnx_mfe *e;
  struct mgm__lnx_mfe *next;
  size_t n;
  size_t i;
  size_t h;

  if (be->mfe_count < be->mfe_nbuckets)
    return;
  n = be->mfe_nbuckets * 2;
  nb = calloc(n, sizeof(*nb));
  if (nb == NULL)
    return;
  for (i = 0; i < be->mfe_nbuckets; i++) {
    for (e = be->mfe[i]; e != NULL; e = next) {
      next = e->next;
      h = lnx_hash(e->src, e->grp, n);
      e->next = nb[h];
      nb[h] = e;
    }
  }
  free(be->mfe);
  be->mfe = nb;
  be->mfe_nbuckets = n;
}

static void lnx_mfcctl(const struct mgm__lnx_mfe *e, struct mfcctl *mc) {
  memset(mc, 0, sizeof(*mc));
  memcpy(&mc->mfcc_origin, &e->src, 4);
  memcpy(&mc->mfcc_mcastgrp, &e->grp, 4);
  mc->mfcc_parent = e->parent;
  memcpy(mc->mfcc_ttls, e->ttls, sizeof(mc->mfcc_ttls));
}

/* MRT_ADD_MFC / MRT_DEL_MFC; returns 0 or the errno. */
static int lnx_mfc(struct mgm_backend *be, int opt,
                   const struct mgm__lnx_mfe *e) {
  struct mfcctl mc;

  lnx_mfcctl(e, &mc);
  if (mgm__sys_setsockopt(be->mfd, IPPROTO_IP, opt, &mc, sizeof(mc)) < 0)
    return errno;
  return 0;
}

/* Does any installed entry name VIF v? */
static int lnx_vif_in_use(struct mgm_backend *be, int v) {
  struct mgm__lnx_mfe *e;
  size_t i;

  for (i = 0; i < be->mfe_nbuckets; i++)
    for (e = be->mfe[i]; e != NULL; e = e->next)
      if (e->parent == v || e->ttls[v] != 0)
        return 1;
  return 0;
}

/* Make the kernel forget VIF v in every entry we installed: entries that
 * used it as iif are deleted (mfe_gone IF_DEPARTED), others lose it as an
 * output.  Returns 0 when no installed entry names v any more; otherwise
 * the slot must be quarantined. */
static int lnx_scrub_vif(struct mgm_backend *be, int v) {
  struct mgm__lnx_mfe **pp;
  struct mgm__lnx_mfe *e;
  struct mgm_mfe_key key;
  size_t i;
  int left = 0;
  int err;

  for (i = 0; i < be->mfe_nbuckets; i++) {
    pp = &be->mfe[i];
    while ((e = *pp) != NULL) {
      if (e->parent != v && e->ttls[v] == 0) {
        pp = &e->next;
        continue;
      }
      if (e->parent != v) {
        e->ttls[v] = 0;
        err = lnx_mfc(be, MRT_ADD_MFC, e);
        if (err == 0) {
          pp = &e->next;
          continue;
        }
        mgm__lnx_log(be, MGM__LNX_LOG_TRACE,
                     "linux: rewrite of an entry without vif %d: %s", v,
                     strerror(err));
      }
      /* iif gone, or the rewrite failed: delete the entry. */
      err = lnx_mfc(be, MRT_DEL_MFC, e);
      if (err != 0 && err != ENOENT) {
        mgm__lnx_log(be, MGM__LNX_LOG_WARN,
                     "linux: cannot delete an entry naming vif %d: %s", v,
                     strerror(err));
        left = 1;
        pp = &e->next;
        continue;
      }
      key.source = e->src;
      key.group = e->grp;
      mgm__lnx_queue_gone(be, &key, MGM_GONE_IF_DEPARTED);
      *pp = e->next;
      free(e);
      be->mfe_count--;
    }
  }
  return left ? MGM_BE_EIO : 0;
}

/* Release VIF v in our books after its device went away (or after
 * MRT_DEL_VIF).  Lock held. */
static void lnx_vif_release(struct mgm_backend *be, int v) {
  if (lnx_scrub_vif(be, v) < 0)
    be->vif[v].quarantined = 1;
  lnx_leave_routers(be, v);
  be->vif[v].refs = 0;
  be->vif[v].ifindex = 0;
}

int mgm__lnx_vif_lost(struct mgm_backend *be, uint32_t ifindex) {
  int v;

  MGM__LNX_ASSERT_LOCKED(be);
  v = mgm__lnx_vif_find(be, ifindex);
  if (v < 0)
    return 0;
  mgm__lnx_log(be, MGM__LNX_LOG_INFO,
               "linux: interface %u went away; vif %d scrubbed", ifindex, v);
  lnx_vif_release(be, v);
  return 1;
}

/* ---- The ops' work (mroute.c holds the lock) --------------------------- */

int mgm__lnx_vif_attach(struct mgm_backend *be, uint32_t ifindex) {
  struct vifctl vc;
  int err = 0;
  int v;
  int rc;

  MGM__LNX_ASSERT_LOCKED(be);
  if (ifindex == 0 || ifindex > 0x7fffffffu) {
    rc = MGM_BE_ENOIF;
    goto out;
  }
  v = mgm__lnx_vif_find(be, ifindex);
  if (v >= 0) {
    be->vif[v].refs++;
    rc = 0;
    goto out;
  }
  for (v = 0; v < MGM__LNX_MAXVIFS; v++) {
    if (be->vif[v].refs > 0 || be->vif[v].quarantined)
      continue;
    /* Defensive: a free slot should never be named by an entry; if one
     * is, scrub it before the kernel re-uses the index (A.13). */
    if (lnx_vif_in_use(be, v) && lnx_scrub_vif(be, v) < 0) {
      be->vif[v].quarantined = 1;
      continue;
    }
    memset(&vc, 0, sizeof(vc));
    vc.vifc_vifi = (vifi_t)v;
    vc.vifc_flags = VIFF_USE_IFINDEX;
    vc.vifc_threshold = 1;
    vc.vifc_lcl_ifindex = (int)ifindex;
    if (mgm__sys_setsockopt(be->mfd, IPPROTO_IP, MRT_ADD_VIF, &vc,
                            sizeof(vc)) == 0)
      break;
    err = errno;
    if (err == EADDRINUSE) {
      /* The kernel has something in a slot we think free: skip it. */
      be->vif[v].quarantined = 1;
      continue;
    }
    mgm__lnx_log(be, MGM__LNX_LOG_TRACE,
                 "linux: MRT_ADD_VIF ifindex %u vif %d: %s", ifindex, v,
                 strerror(err));
    if (err == EADDRNOTAVAIL || err == ENODEV)
      rc = MGM_BE_ENOIF;
    else if (err == ENFILE)
      rc = MGM_BE_ENOSLOT;
    else
      rc = mgm__lnx_map_errno(err);
    goto out;
  }
  if (v == MGM__LNX_MAXVIFS) {
    mgm__lnx_log(be, MGM__LNX_LOG_TRACE,
                 "linux: no free VIF for ifindex %u (%d slots in use)", ifindex,
                 MGM__LNX_MAXVIFS);
    rc = MGM_BE_ENOSLOT;
    goto out;
  }
  be->vif[v].ifindex = ifindex;
  be->vif[v].refs = 1;
  lnx_join_routers(be, v);
  mgm__lnx_log(be, MGM__LNX_LOG_TRACE, "linux: ifindex %u is vif %d", ifindex,
               v);
  rc = 0;

out:
  return rc;
}

int mgm__lnx_vif_detach(struct mgm_backend *be, uint32_t ifindex) {
  struct vifctl vc;
  int err;
  int v;
  int rc;

  MGM__LNX_ASSERT_LOCKED(be);
  v = mgm__lnx_vif_find(be, ifindex);
  if (v < 0) {
    rc = MGM_BE_ENOENT;
    goto out;
  }
  if (--be->vif[v].refs > 0) {
    rc = 0;
    goto out;
  }
  /* Last reference: no installed entry may keep naming the slot. */
  if (lnx_scrub_vif(be, v) < 0)
    be->vif[v].quarantined = 1;
  memset(&vc, 0, sizeof(vc));
  vc.vifc_vifi = (vifi_t)v;
  if (mgm__sys_setsockopt(be->mfd, IPPROTO_IP, MRT_DEL_VIF, &vc, sizeof(vc)) <
      0) {
    err = errno;
    /* EADDRNOTAVAIL: the device went first and took the VIF with it. */
    if (err != EADDRNOTAVAIL) {
      mgm__lnx_log(be, MGM__LNX_LOG_TRACE, "linux: MRT_DEL_VIF vif %d: %s", v,
                   strerror(err));
      be->vif[v].refs = 1;
      rc = mgm__lnx_map_errno(err);
      goto out;
    }
  }
  lnx_leave_routers(be, v);
  be->vif[v].refs = 0;
  be->vif[v].ifindex = 0;
  rc = 0;

out:
  return rc;
}

static int lnx_is_multicast(uint32_t grp) {
  return (ntohl(grp) & 0xf0000000u) == 0xe0000000u;
}

int mgm__lnx_vif_mfe_set(struct mgm_backend *be, const struct mgm_fwd *fwd) {
  struct mgm__lnx_mfe **pp;
  struct mgm__lnx_mfe *e;
  struct mgm__lnx_mfe *fresh = NULL;
  struct mgm__lnx_mfe want;
  uint8_t thr;
  uint16_t i;
  int v;
  int err;
  int rc;

  MGM__LNX_ASSERT_LOCKED(be);
  if (!lnx_is_multicast(fwd->key.group) ||
      (fwd->n_oif > 0 && fwd->oif == NULL)) {
    rc = MGM_BE_EINVAL;
    goto out;
  }
  memset(&want, 0, sizeof(want));
  want.src = fwd->key.source;
  want.grp = fwd->key.group;
  v = mgm__lnx_vif_find(be, fwd->iif);
  if (v < 0) {
    rc = MGM_BE_ENOIF;
    goto out;
  }
  want.parent = (uint16_t)v;
  for (i = 0; i < fwd->n_oif; i++) {
    v = mgm__lnx_vif_find(be, fwd->oif[i].ifindex);
    if (v < 0) {
      rc = MGM_BE_ENOIF;
      goto out;
    }
    /* Never send a packet back out of its incoming interface: for (S,G)
     * entries Linux would (kernel.md A.6 spares only (*,G)). */
    if (v == want.parent)
      continue;
    thr = fwd->oif[i].ttl_threshold ? fwd->oif[i].ttl_threshold : 1;
    /* The same interface twice (two next hops): the lower threshold. */
    if (want.ttls[v] == 0 || thr < want.ttls[v])
      want.ttls[v] = thr;
  }
  pp = lnx_mfe_slot(be, want.src, want.grp);
  e = *pp;
  if (e == NULL) {
    fresh = malloc(sizeof(*fresh));
    if (fresh == NULL) {
      rc = MGM_BE_ENOMEM;
      goto out;
    }
  }
  err = lnx_mfc(be, MRT_ADD_MFC, &want);
  if (err != 0) {
    mgm__lnx_log(be, MGM__LNX_LOG_TRACE, "linux: MRT_ADD_MFC: %s",
                 strerror(err));
    free(fresh);
    rc = mgm__lnx_map_errno(err);
    goto out;
  }
  if (e == NULL) {
    *fresh = want;
    fresh->next = NULL;
    *pp = fresh;
    be->mfe_count++;
    lnx_mfe_grow(be);
  } else {
    e->parent = want.parent;
    memcpy(e->ttls, want.ttls, sizeof(e->ttls));
  }
  rc = 0;

out:
  return rc;
}

int mgm__lnx_vif_mfe_del(struct mgm_backend *be,
                         const struct mgm_mfe_key *key) {
  struct mgm__lnx_mfe **pp;
  struct mgm__lnx_mfe *e;
  struct mgm__lnx_mfe tmp;
  int err;
  int rc;

  MGM__LNX_ASSERT_LOCKED(be);
  pp = lnx_mfe_slot(be, key->source, key->group);
  e = *pp;
  if (e == NULL) {
    memset(&tmp, 0, sizeof(tmp));
    tmp.src = key->source;
    tmp.grp = key->group;
  }
  err = lnx_mfc(be, MRT_DEL_MFC, e != NULL ? e : &tmp);
  if (err != 0 && err != ENOENT) {
    mgm__lnx_log(be, MGM__LNX_LOG_TRACE, "linux: MRT_DEL_MFC: %s",
                 strerror(err));
    rc = mgm__lnx_map_errno(err);
    goto out;
  }
  if (e != NULL) {
    *pp = e->next;
    free(e);
    be->mfe_count--;
  }
  rc = err == ENOENT ? MGM_BE_ENOENT : 0;

out:
  return rc;
}

int mgm__lnx_vif_flush(struct mgm_backend *be) {
  struct mgm__lnx_mfe **pp;
  struct mgm__lnx_mfe *e;
  size_t i;
  int first = 0;
  int err;

  MGM__LNX_ASSERT_LOCKED(be);
  for (i = 0; i < be->mfe_nbuckets; i++) {
    pp = &be->mfe[i];
    while ((e = *pp) != NULL) {
      err = lnx_mfc(be, MRT_DEL_MFC, e);
      if (err != 0 && err != ENOENT) {
        /* Keep it in the books so the slot scrub still sees it. */
        if (first == 0)
          first = mgm__lnx_map_errno(err);
        pp = &e->next;
        continue;
      }
      *pp = e->next;
      free(e);
      be->mfe_count--;
    }
  }
  return first;
}

void mgm__lnx_vif_free(struct mgm_backend *be) {
  struct mgm__lnx_mfe *e;
  struct mgm__lnx_mfe *next;
  size_t i;

  for (i = 0; i < MGM__LNX_MAXVIFS; i++)
    lnx_leave_routers(be, (int)i);
  for (i = 0; i < be->mfe_nbuckets; i++) {
    for (e = be->mfe[i]; e != NULL; e = next) {
      next = e->next;
      free(e);
    }
  }
  free(be->mfe);
}
