/*
 * snapshot.c - libmgm_snapshot_take: a consistent read-only copy of the
 * registry, the interface table and the memberships, for tools.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

static int if_cmp(const void *a, const void *b) {
  const struct libmgm_if_info *x = a, *y = b;

  if (x->ifindex != y->ifindex)
    return x->ifindex < y->ifindex ? -1 : 1;
  return mgm__ntohl(x->nexthop) < mgm__ntohl(y->nexthop)   ? -1
         : mgm__ntohl(x->nexthop) > mgm__ntohl(y->nexthop) ? 1
                                                           : 0;
}

static int mem_cmp(const void *a, const void *b) {
  const struct libmgm_member_info *x = a, *y = b;
  uint64_t kx = (uint64_t)mgm__ntohl(x->sg.dwGroupAddr) << 32 |
                mgm__ntohl(x->sg.dwSourceAddr);
  uint64_t ky = (uint64_t)mgm__ntohl(y->sg.dwGroupAddr) << 32 |
                mgm__ntohl(y->sg.dwSourceAddr);

  if (kx != ky)
    return kx < ky ? -1 : 1;
  if (x->ifindex != y->ifindex)
    return x->ifindex < y->ifindex ? -1 : 1;
  if (x->nexthop != y->nexthop)
    return x->nexthop < y->nexthop ? -1 : 1;
  return x->latent - y->latent;
}

static int add_members(struct mgm_core *c, struct libmgm_snapshot *s,
                       uint32_t *cap, const struct mgm_grp *e,
                       const struct mgm_member *v, uint32_t n, BOOL latent) {
  uint32_t i;

  for (i = 0; i < n; i++) {
    struct libmgm_member_info *m;
    struct mgm_proto *p = v[i].pidx < c->cap_idx ? c->by_idx[v[i].pidx] : NULL;

    if (mgm__vec_reserve((void **)&s->members, cap, s->n_members + 1,
                         sizeof(*s->members)) != 0)
      return -1;
    m = &s->members[s->n_members++];
    m->sg.dwSourceAddr = e->src;
    m->sg.dwSourceMask = e->src ? MGM_ALL_ONES : 0;
    m->sg.dwGroupAddr = e->grp;
    m->sg.dwGroupMask = e->grp ? MGM_ALL_ONES : 0;
    m->ifindex = v[i].ifindex;
    m->nexthop = v[i].nexthop;
    m->protocol_id = p ? p->pid : 0;
    m->component_id = p ? p->cid : 0;
    m->latent = latent;
  }
  return 0;
}

DWORD mgm__snapshot(struct mgm_core *c, struct libmgm_snapshot **out) {
  struct libmgm_snapshot *s;
  struct mgm_hnode *it = NULL;
  const struct mgm_grp *e;
  size_t pos = 0;
  DWORD rc = NO_ERROR;
  uint32_t cap = 0;
  uint32_t i;

  s = mgm__calloc(1, sizeof(*s));
  if (s == NULL)
    return ERROR_NOT_ENOUGH_MEMORY;
  mgm__lock(c);
  memcpy(s->backend, c->backend_name, sizeof(s->backend));
  s->now_ms = mgm__now(c);
  s->protos = mgm__calloc(c->n_protos ? c->n_protos : 1, sizeof(*s->protos));
  s->ifs = mgm__calloc(c->ifs.count ? c->ifs.count : 1, sizeof(*s->ifs));
  if (s->protos == NULL || s->ifs == NULL)
    goto oom;
  for (i = 0; i < c->n_protos; i++) {
    s->protos[i].protocol_id = c->protos[i]->pid;
    s->protos[i].component_id = c->protos[i]->cid;
    s->protos[i].igmp = c->protos[i]->igmp;
    s->protos[i].interfaces = c->protos[i]->n_owned;
  }
  s->n_protos = c->n_protos;
  while ((it = mgm__hash_next(&c->ifs, it)) != NULL) {
    const struct mgm_if *r = (const struct mgm_if *)it;
    struct libmgm_if_info *f = &s->ifs[s->n_ifs++];

    f->ifindex = r->ifindex;
    f->nexthop = r->nexthop;
    f->has_owner = r->owner != NULL;
    f->owner_protocol = r->owner ? r->owner->pid : 0;
    f->owner_component = r->owner ? r->owner->cid : 0;
    f->has_igmp = r->igmp != NULL;
    f->igmp_protocol = r->igmp ? r->igmp->pid : 0;
    f->igmp_component = r->igmp ? r->igmp->cid : 0;
    f->attached = mgm__slot_attached(c, r->ifindex);
  }
  while ((e = mgm__grp_next(c, &pos)) != NULL) {
    if (add_members(c, s, &cap, e, mgm__grp_mem(e), mgm__grp_n_mem(e), FALSE) !=
            0 ||
        add_members(c, s, &cap, e, mgm__grp_lat(e), mgm__grp_n_lat(e), TRUE) !=
            0)
      goto oom;
  }
  mgm__unlock(c);
  qsort(s->ifs, s->n_ifs, sizeof(*s->ifs), if_cmp);
  if (s->n_members > 1)
    qsort(s->members, s->n_members, sizeof(*s->members), mem_cmp);
  *out = s;
  return NO_ERROR;

oom:
  mgm__unlock(c);
  free(s->protos);
  free(s->ifs);
  free(s->members);
  free(s);
  return rc == NO_ERROR ? ERROR_NOT_ENOUGH_MEMORY : rc;
}
