/*
 * enum.c - group enumeration: MgmGroupEnumerationStart, GetNext and End
 * (mgm-spec 2.16, 2.17, D-GRPENUM).
 *
 * SPDX-License-Identifier: MIT
 *
 * Start takes a snapshot of the membership table (group.c), sorted in
 * (G, S) order and, for ANY_SOURCE, one record per group; GetNext copies
 * from it, so no lock is held between calls and later changes do not show.
 * The enumeration is a handle (handle.c) on its client's list, freed with
 * the client.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

static int sge_cmp(const void *a, const void *b) {
  const SOURCE_GROUP_ENTRY *x = a, *y = b;
  uint64_t kx =
      (uint64_t)mgm__ntohl(x->dwGroupAddr) << 32 | mgm__ntohl(x->dwSourceAddr);
  uint64_t ky =
      (uint64_t)mgm__ntohl(y->dwGroupAddr) << 32 | mgm__ntohl(y->dwSourceAddr);

  return kx < ky ? -1 : kx > ky;
}

DWORD mgm__enum_start(struct mgm_core *c, HANDLE h, MGM_ENUM_TYPES t,
                      HANDLE *out) {
  struct mgm_proto *p;
  struct mgm_enum *en = NULL;
  struct mgm_grp *e;
  size_t pos = 0;
  DWORD rc = NO_ERROR;
  uint32_t cap = 0, i, w;

  mgm__lock(c);
  p = mgm__proto_get(c, h);
  if (p == NULL || (t != ANY_SOURCE && t != ALL_SOURCES)) {
    rc = ERROR_INVALID_PARAMETER;
    goto out;
  }
  en = mgm__calloc(1, sizeof(*en));
  if (en == NULL) {
    rc = ERROR_NOT_ENOUGH_MEMORY;
    goto out;
  }
  while ((e = mgm__grp_next(c, &pos)) != NULL) {
    SOURCE_GROUP_ENTRY *r;

    if (mgm__grp_n_mem(e) == 0)
      continue; /* latent IGMP joins are not memberships */
    if (mgm__vec_reserve((void **)&en->snap, &cap, en->n + 1,
                         sizeof(*en->snap)) != 0) {
      rc = ERROR_NOT_ENOUGH_MEMORY;
      goto out;
    }
    r = &en->snap[en->n++];
    r->dwSourceAddr = t == ALL_SOURCES ? e->src : 0;
    r->dwSourceMask = t == ALL_SOURCES && e->src ? MGM_ALL_ONES : 0;
    r->dwGroupAddr = e->grp;
    r->dwGroupMask = e->grp ? MGM_ALL_ONES : 0;
  }
  if (en->n > 1)
    qsort(en->snap, en->n, sizeof(*en->snap), sge_cmp);
  if (t == ANY_SOURCE && en->n > 1) { /* one record per group */
    for (i = 1, w = 1; i < en->n; i++)
      if (en->snap[i].dwGroupAddr != en->snap[w - 1].dwGroupAddr)
        en->snap[w++] = en->snap[i];
    en->n = w;
  }
  rc = mgm__handle_alloc(c, MGM_H_ENUM, en, &en->handle);
  if (rc != NO_ERROR)
    goto out;
  en->owner = p;
  en->next = p->enums;
  p->enums = en;
  *out = (HANDLE)en->handle;
  en = NULL;

out:
  mgm__unlock(c);
  if (en) {
    free(en->snap);
    free(en);
  }
  return rc;
}

DWORD mgm__enum_next(struct mgm_core *c, HANDLE h, PDWORD size, PBYTE buf,
                     PDWORD n) {
  struct mgm_enum *en;
  DWORD rc, fit, left;

  mgm__lock(c);
  en = mgm__handle_get(c, (uintptr_t)h, MGM_H_ENUM);
  if (en == NULL) {
    rc = ERROR_INVALID_PARAMETER;
    goto out;
  }
  left = en->n - en->pos;
  fit = *size / (DWORD)sizeof(SOURCE_GROUP_ENTRY);
  if (left > 0 && fit == 0) {
    *size = (DWORD)sizeof(SOURCE_GROUP_ENTRY);
    *n = 0;
    rc = ERROR_INSUFFICIENT_BUFFER;
    goto out;
  }
  if (fit > left)
    fit = left;
  if (fit)
    memcpy(buf, &en->snap[en->pos], fit * sizeof(SOURCE_GROUP_ENTRY));
  en->pos += fit;
  *n = fit;
  rc = en->pos < en->n ? ERROR_MORE_DATA : ERROR_NO_MORE_ITEMS;

out:
  mgm__unlock(c);
  return rc;
}

void mgm__enum_free(struct mgm_core *c, struct mgm_enum *en) {
  struct mgm_enum **pp = &en->owner->enums;

  while (*pp && *pp != en)
    pp = &(*pp)->next;
  if (*pp)
    *pp = en->next;
  mgm__handle_free(c, en->handle);
  free(en->snap);
  free(en);
}

DWORD mgm__enum_end(struct mgm_core *c, HANDLE h) {
  struct mgm_enum *en;
  DWORD rc = NO_ERROR;

  mgm__lock(c);
  en = mgm__handle_get(c, (uintptr_t)h, MGM_H_ENUM);
  if (en == NULL)
    rc = ERROR_INVALID_PARAMETER;
  else
    mgm__enum_free(c, en);
  mgm__unlock(c);
  return rc;
}
