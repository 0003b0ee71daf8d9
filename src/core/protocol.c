/*
 * protocol.c - the client registry: registration, deregistration, protocol
 * references (mgm-spec 2.2, 2.3).
 *
 * SPDX-License-Identifier: MIT
 *
 * Protocols live in `core->protos` in registration order (the order of
 * every multi-recipient callback, D-ORDER-CB) and in `core->by_idx` under a
 * small index used by membership records.  A protocol object is
 * refcounted: the registry holds one reference and every queued callback
 * another, so deregistration never waits for in-flight callbacks (it may
 * run inside one) and the object dies when the last batch lets go.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/* IGMP protocol ids as written in routprot.h; core code sees no Windows
 * header beyond mgm.h's prerequisites, so the values live here
 * (PROTO_IP_IGMP, and PROTOCOL_ID(MCAST, MS1, PROTO_IP_IGMP)). */
#define MGM_PROTO_IP_IGMP 10u
#define MGM_MS_IP_IGMP 0x4137000Au

int mgm__proto_is_igmp_id(DWORD pid) {
  return pid == MGM_PROTO_IP_IGMP || pid == MGM_MS_IP_IGMP;
}

void mgm__proto_ref(struct mgm_proto *p) {
  atomic_fetch_add(&p->refs, 1);
}

void mgm__proto_unref(struct mgm_proto *p) {
  if (atomic_fetch_sub(&p->refs, 1) == 1)
    free(p);
}

/* The registry changed: recount the join and prune alert callbacks (the
 * membership quick path, member.c), and request wrong-if upcalls only while
 * enabled by configuration (D-WRONGIF) and some protocol has a wrong-if
 * callback. */
static void protos_changed(struct mgm_core *c) {
  int want = 0;
  uint32_t i;

  c->n_join_cb = c->n_prune_cb = 0;
  for (i = 0; i < c->n_protos; i++) {
    const ROUTING_PROTOCOL_CONFIG *f = &c->protos[i]->cfg;

    c->n_join_cb += f->pfnJoinAlertCallback != NULL;
    c->n_prune_cb += f->pfnPruneAlertCallback != NULL;
    want |= c->wrongif_alerts && f->pfnWrongIfCallback != NULL;
  }
  if (want != c->wrongif_on) {
    int rc = mgm__be_set_wrongif(c, want);

    if (rc == 0)
      c->wrongif_on = want;
    else
      MGM_WARN(c, MGM_CH_PLAT, "cannot %s wrong-interface upcalls: %s",
               want ? "enable" : "disable", mgm__error_str(rc));
  }
}

DWORD mgm__proto_register(struct mgm_core *c,
                          const ROUTING_PROTOCOL_CONFIG *cfg, DWORD pid,
                          DWORD cid, HANDLE *out) {
  struct mgm_proto *p = NULL;
  DWORD rc = NO_ERROR;
  uint32_t i, idx;

  mgm__lock(c);
  for (i = 0; i < c->n_protos; i++) {
    if (c->protos[i]->pid == pid && c->protos[i]->cid == cid) {
      rc = ERROR_ALREADY_EXISTS;
      goto out;
    }
  }
  /* A free small index that no membership still names (member.c). */
  for (idx = 0; idx < c->cap_idx && (c->by_idx[idx] || c->idx_refs[idx]); idx++)
    ;
  if (idx == c->cap_idx) {
    uint32_t cap = c->cap_idx, cap2 = c->cap_idx;

    if (idx >= 0xFFFFu ||
        mgm__vec_reserve((void **)&c->by_idx, &cap, idx + 1,
                         sizeof(*c->by_idx)) != 0 ||
        mgm__vec_reserve((void **)&c->idx_refs, &cap2, cap,
                         sizeof(*c->idx_refs)) != 0) {
      rc = ERROR_NOT_ENOUGH_MEMORY;
      goto out;
    }
    for (i = idx; i < cap; i++) {
      c->by_idx[i] = NULL;
      c->idx_refs[i] = 0;
    }
    c->cap_idx = cap;
  }
  if (mgm__vec_reserve((void **)&c->protos, &c->cap_protos, c->n_protos + 1,
                       sizeof(*c->protos)) != 0) {
    rc = ERROR_NOT_ENOUGH_MEMORY;
    goto out;
  }
  p = mgm__calloc(1, sizeof(*p));
  if (p == NULL) {
    rc = ERROR_NOT_ENOUGH_MEMORY;
    goto out;
  }
  atomic_init(&p->refs, 1);
  atomic_init(&p->dead, 0);
  p->pid = pid;
  p->cid = cid;
  p->cfg = *cfg;
  p->seq = c->next_seq++;
  p->idx = (uint16_t)idx;
  p->igmp = mgm__proto_is_igmp_id(pid);
  rc = mgm__handle_alloc(c, MGM_H_PROTO, p, &p->handle);
  if (rc != NO_ERROR)
    goto out;
  c->protos[c->n_protos++] = p;
  c->by_idx[idx] = p;
  *out = (HANDLE)p->handle;
  MGM_INFO(c, MGM_CH_CORE, "protocol %u/%u registered%s", (unsigned)pid,
           (unsigned)cid, p->igmp ? " (IGMP)" : "");
  protos_changed(c);
  p = NULL;

out:
  mgm__unlock(c);
  free(p);
  return rc;
}

DWORD mgm__proto_deregister(struct mgm_core *c, HANDLE h) {
  struct mgm_proto *p;
  DWORD rc = NO_ERROR;
  uint32_t i;

  mgm__lock(c);
  p = mgm__proto_get(c, h);
  if (p == NULL) {
    rc = ERROR_INVALID_PARAMETER;
    goto out;
  }
  if (p->n_owned > 0) {
    MGM_WARN(c, MGM_CH_CORE,
             "protocol %u/%u still owns %u interface(s): release them first",
             (unsigned)p->pid, (unsigned)p->cid, (unsigned)p->n_owned);
    rc = ERROR_CAN_NOT_COMPLETE;
    goto out;
  }
  while (p->enums) /* D-DEREG */
    mgm__enum_free(c, p->enums);
  for (i = 0; i < c->n_protos && c->protos[i] != p; i++)
    ;
  memmove(&c->protos[i], &c->protos[i + 1],
          (c->n_protos - i - 1) * sizeof(*c->protos));
  c->n_protos--;
  c->by_idx[p->idx] = NULL;
  mgm__handle_free(c, p->handle);
  atomic_store(&p->dead, 1);
  MGM_INFO(c, MGM_CH_CORE, "protocol %u/%u deregistered", (unsigned)p->pid,
           (unsigned)p->cid);
  protos_changed(c);
  mgm__proto_unref(p);

out:
  mgm__unlock(c);
  return rc;
}

void mgm__protos_destroy(struct mgm_core *c) {
  uint32_t i;

  for (i = 0; i < c->n_protos; i++) {
    struct mgm_proto *p = c->protos[i];

    while (p->enums)
      mgm__enum_free(c, p->enums);
    atomic_store(&p->dead, 1);
    mgm__proto_unref(p);
  }
  free(c->protos);
  free(c->by_idx);
  free(c->idx_refs);
  c->protos = NULL;
  c->by_idx = NULL;
  c->idx_refs = NULL;
  c->n_protos = c->cap_protos = c->cap_idx = 0;
  c->n_join_cb = c->n_prune_cb = 0;
}
