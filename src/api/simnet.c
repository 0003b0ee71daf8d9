/*
 * simnet.c - simulated links between instances: libmgm_sim_link,
 * libmgm_sim_unlink, and the propagation of forwarded packets across them
 * (libmgm_sim_inject, libmgm_sim_inject_trace).
 *
 * SPDX-License-Identifier: MIT
 *
 * DOC: a link joins two (instance, ifindex) ends, point to point; the links
 * of the process are one table under its own mutex, g_link_mu.  A packet's
 * propagation runs breadth first on the injecting thread.  Each visit asks
 * one router to handle the packet (mgm__simctl_inject: on that instance's
 * loop thread, its callbacks delivered before it returns) while this thread
 * holds no lock at all, so no instance's lock is ever held while another
 * instance works or a callback runs.  Between visits the links are read
 * under g_link_mu, and the instance at the far end is entered under that
 * same mutex: it cannot be freed meanwhile (destroy drops its links, under
 * g_link_mu, before it frees) and it cannot finish stopping before the
 * visit is over (stop waits for entered calls).  Every visit but the first
 * is left at the end.
 *
 * Termination: a router forwards a packet only when its TTL is above the
 * output's threshold (at least 1) and each link takes one off, so no path
 * is longer than the injected TTL; LIBMGM_SIM_MAX_HOPS bounds the visits
 * of one injection in total (a storm), the excess is dropped and counted.
 */
#include <stdlib.h>
#include <string.h>

#include "api/simnet.h"

struct simnet_end {
  struct mgm_core *c;
  uint32_t ifindex;
};

struct simnet_link {
  struct simnet_end end[2];
};

/* One router visit of a packet. */
struct simnet_visit {
  struct mgm_core *c;
  uint32_t in_ifindex;
  uint8_t ttl;     /* on arrival */
  uint32_t parent; /* visit it came from, or LIBMGM_SIM_NO_PARENT */
  struct mgm_sim_result res;
};

static pthread_mutex_t g_link_mu = PTHREAD_MUTEX_INITIALIZER;
static struct simnet_link *g_links;
static uint32_t g_n_links, g_cap_links;
static atomic_uint g_any_links; /* g_n_links, readable without the mutex */

/* Caller holds g_link_mu.  The link with end (c, ifindex), or -1; *peer
 * (may be NULL) = its other end. */
static int link_find(const struct mgm_core *c, uint32_t ifindex,
                     struct simnet_end *peer) {
  uint32_t i;
  int k;

  for (i = 0; i < g_n_links; i++) {
    for (k = 0; k < 2; k++) {
      if (g_links[i].end[k].c == c && g_links[i].end[k].ifindex == ifindex) {
        if (peer)
          *peer = g_links[i].end[1 - k];
        return (int)i;
      }
    }
  }
  return -1;
}

/* Caller holds g_link_mu. */
static void link_remove(uint32_t i) {
  g_links[i] = g_links[--g_n_links];
  if (g_n_links == 0) {
    free(g_links);
    g_links = NULL;
    g_cap_links = 0;
  }
  atomic_store(&g_any_links, g_n_links);
}

void mgm__simnet_forget(struct mgm_core *c) {
  uint32_t i = 0;

  pthread_mutex_lock(&g_link_mu);
  while (i < g_n_links) {
    if (g_links[i].end[0].c == c || g_links[i].end[1].c == c)
      link_remove(i);
    else
      i++;
  }
  pthread_mutex_unlock(&g_link_mu);
}

static struct libmgm_instance *public_inst(struct mgm_core *c) {
  return c->is_default ? NULL : (struct libmgm_instance *)c;
}

MGM_EXPORT DWORD libmgm_sim_link(struct libmgm_instance *a, DWORD a_ifindex,
                                 struct libmgm_instance *b, DWORD b_ifindex) {
  struct mgm_core *ca = NULL, *cb = NULL;
  DWORD rc;

  if (a_ifindex == 0 || b_ifindex == 0 || (a == b && a_ifindex == b_ifindex))
    return ERROR_INVALID_PARAMETER;
  rc = mgm__core_enter_public(a, &ca);
  if (rc != NO_ERROR) {
    ca = NULL;
    goto out;
  }
  MGM_API_TRACE(ca, "libmgm_sim_link(%p, %u, %p, %u)", (void *)a,
                (unsigned)a_ifindex, (void *)b, (unsigned)b_ifindex);
  rc = mgm__core_enter_public(b, &cb);
  if (rc != NO_ERROR) {
    cb = NULL;
    goto out;
  }
  if (!mgm__simctl_is_sim(ca) || !mgm__simctl_is_sim(cb)) {
    rc = ERROR_NOT_SUPPORTED;
    goto out;
  }
  if (!mgm__simctl_if_known(ca, a_ifindex) ||
      !mgm__simctl_if_known(cb, b_ifindex)) {
    rc = ERROR_NOT_FOUND;
    goto out;
  }
  pthread_mutex_lock(&g_link_mu);
  if (link_find(ca, a_ifindex, NULL) >= 0 ||
      link_find(cb, b_ifindex, NULL) >= 0) {
    rc = ERROR_ALREADY_EXISTS;
  } else if (mgm__vec_reserve((void **)&g_links, &g_cap_links, g_n_links + 1,
                              sizeof(*g_links)) != 0) {
    rc = ERROR_NOT_ENOUGH_MEMORY;
  } else {
    g_links[g_n_links].end[0].c = ca;
    g_links[g_n_links].end[0].ifindex = a_ifindex;
    g_links[g_n_links].end[1].c = cb;
    g_links[g_n_links].end[1].ifindex = b_ifindex;
    g_n_links++;
    atomic_store(&g_any_links, g_n_links);
  }
  pthread_mutex_unlock(&g_link_mu);

out:
  if (cb)
    mgm__core_leave(cb);
  if (ca)
    mgm__core_leave(ca);
  return rc;
}

MGM_EXPORT DWORD libmgm_sim_unlink(struct libmgm_instance *inst,
                                   DWORD ifindex) {
  struct mgm_core *c;
  DWORD rc = NO_ERROR;
  int i;

  if (ifindex == 0)
    return ERROR_INVALID_PARAMETER;
  rc = mgm__core_enter_public(inst, &c);
  if (rc != NO_ERROR)
    return rc;
  MGM_API_TRACE(c, "libmgm_sim_unlink(%p, %u)", (void *)inst,
                (unsigned)ifindex);
  pthread_mutex_lock(&g_link_mu);
  i = link_find(c, ifindex, NULL);
  if (i < 0)
    rc = ERROR_NOT_FOUND;
  else
    link_remove((uint32_t)i);
  pthread_mutex_unlock(&g_link_mu);
  mgm__core_leave(c);
  return rc;
}

/* Room for one more visit; v starts as the caller's inline array. */
static int visits_grow(struct simnet_visit **v, uint32_t *cap,
                       struct simnet_visit *inl) {
  uint32_t ncap = *cap * 2;
  struct simnet_visit *nv;

  if (*v == inl) {
    nv = malloc(ncap * sizeof(*nv));
    if (nv)
      memcpy(nv, inl, *cap * sizeof(*nv));
  } else {
    nv = realloc(*v, ncap * sizeof(*nv));
  }
  if (nv == NULL)
    return -1;
  *v = nv;
  *cap = ncap;
  return 0;
}

/* Queue the copies visit i forwarded onto links (caller holds g_link_mu).
 * Returns the copies dropped: over the budget, or no memory. */
static uint32_t enqueue_peers(struct simnet_visit **v, uint32_t *n,
                              uint32_t *cap, struct simnet_visit *inl,
                              uint32_t i) {
  struct mgm_sim_result res = (*v)[i].res;
  struct mgm_core *c = (*v)[i].c;
  uint8_t ttl = (*v)[i].ttl;
  uint32_t j, dropped = 0;

  for (j = 0; j < res.n_out; j++) {
    struct simnet_end peer;

    if (link_find(c, res.out[j], &peer) < 0)
      continue; /* a LAN: the packet ends there */
    if (*n >= LIBMGM_SIM_MAX_HOPS ||
        (*n == *cap && visits_grow(v, cap, inl) != 0)) {
      dropped++;
      continue;
    }
    if (mgm__core_enter_inst(peer.c, 0) != NO_ERROR)
      continue; /* the far router is stopping: lost on the wire */
    (*v)[*n].c = peer.c;
    (*v)[*n].in_ifindex = peer.ifindex;
    (*v)[*n].ttl = (uint8_t)(ttl - 1);
    (*v)[*n].parent = i;
    memset(&(*v)[*n].res, 0, sizeof((*v)[*n].res));
    (*n)++;
  }
  return dropped;
}

DWORD mgm__simnet_inject(struct mgm_core *c, uint32_t ifindex, uint32_t src,
                         uint32_t grp, uint8_t ttl, uint32_t len,
                         struct mgm_sim_result *first,
                         struct libmgm_sim_hop *hops, DWORD cap,
                         DWORD *n_visits) {
  struct simnet_visit inl[4], *v = inl;
  uint32_t n = 1, vcap = 4, i, done = 0, dropped = 0;
  DWORD rc = NO_ERROR;

  memset(first, 0, sizeof(*first));
  memset(&inl[0], 0, sizeof(inl[0]));
  inl[0].c = c;
  inl[0].in_ifindex = ifindex;
  inl[0].ttl = ttl;
  inl[0].parent = LIBMGM_SIM_NO_PARENT;
  for (i = 0; i < n; i++) {
    rc = mgm__simctl_inject(v[i].c, v[i].in_ifindex, src, grp, v[i].ttl, len,
                            &v[i].res);
    if (rc != NO_ERROR)
      break;
    done++;
    MGM_TRACE(v[i].c, MGM_CH_PLAT,
              "sim visit %u (from %d): if %u, ttl %u: verdict %u, %u out",
              (unsigned)i,
              v[i].parent == LIBMGM_SIM_NO_PARENT ? -1 : (int)v[i].parent,
              (unsigned)v[i].in_ifindex, (unsigned)v[i].ttl,
              (unsigned)v[i].res.verdict, (unsigned)v[i].res.n_out);
    /* TTL 1 is forwarded nowhere (thresholds are at least 1). */
    if (v[i].res.n_out == 0 || v[i].ttl <= 1 || atomic_load(&g_any_links) == 0)
      continue;
    pthread_mutex_lock(&g_link_mu);
    dropped += enqueue_peers(&v, &n, &vcap, inl, i);
    pthread_mutex_unlock(&g_link_mu);
  }
  if (done > 0)
    *first = v[0].res;
  for (i = 0; i < done && i < cap; i++) {
    hops[i].instance = public_inst(v[i].c);
    hops[i].parent = v[i].parent;
    hops[i].in_ifindex = v[i].in_ifindex;
    hops[i].ttl = v[i].ttl;
    mgm__simctl_result(&hops[i].res, &v[i].res);
  }
  *n_visits = done;
  if (dropped > 0) {
    MGM_WARN(c, MGM_CH_PLAT,
             "sim links: forwarding storm, %u copies of (%08x, %08x) not "
             "delivered after %u router visits",
             (unsigned)dropped, (unsigned)src, (unsigned)grp, (unsigned)n);
    if (rc == NO_ERROR)
      rc = ERROR_CAN_NOT_COMPLETE;
  }
  for (i = 1; i < n; i++)
    mgm__core_leave(v[i].c);
  if (v != inl)
    free(v);
  return rc;
}

MGM_EXPORT DWORD libmgm_sim_inject_trace(DWORD ifindex, DWORD src, DWORD grp,
                                         BYTE ttl, DWORD len,
                                         struct libmgm_sim_hop *hops,
                                         DWORD *n_hops) {
  struct mgm_sim_result first;
  struct mgm_core *c;
  DWORD rc, cap, n = 0;

  if (n_hops == NULL || (hops == NULL && *n_hops != 0))
    return ERROR_INVALID_PARAMETER;
  cap = *n_hops;
  MGM_ENTER(c);
  MGM_API_TRACE(c, "libmgm_sim_inject_trace(%u, %08x, %08x, %u, %u, %p, %u)",
                (unsigned)ifindex, (unsigned)src, (unsigned)grp, (unsigned)ttl,
                (unsigned)len, (void *)hops, (unsigned)cap);
  rc =
      mgm__simnet_inject(c, ifindex, src, grp, ttl, len, &first, hops, cap, &n);
  *n_hops = n;
  if (rc == NO_ERROR && n > cap)
    rc = ERROR_MORE_DATA;
  mgm__core_leave(c);
  return rc;
}
