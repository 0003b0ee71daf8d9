/*
 * instance.c - the registry of the extra instances (libmgm_instance_*)
 * and the calling thread's selected instance.
 *
 * SPDX-License-Identifier: MIT
 *
 * An instance pointer from a harness is checked against the registry
 * before use.  The registry lock is held while such an instance is
 * entered (core.c), so destroy, which unregisters it under the same lock
 * before freeing it, cannot free it meanwhile.
 */
#include <stdlib.h>

#include "core/core.h"

static pthread_mutex_t g_inst_mu = PTHREAD_MUTEX_INITIALIZER;
static struct mgm_core **g_inst; /* live extra instances */
static uint32_t g_n_inst, g_cap_inst;

_Thread_local struct mgm_core *mgm__tls_inst;

void mgm__instance_lock(void) {
  pthread_mutex_lock(&g_inst_mu);
}

void mgm__instance_unlock(void) {
  pthread_mutex_unlock(&g_inst_mu);
}

int mgm__instance_live(const struct mgm_core *c) {
  uint32_t i;

  assert(mgm__mutex_held(&g_inst_mu));
  for (i = 0; i < g_n_inst; i++)
    if (g_inst[i] == c)
      return 1;
  return 0;
}

DWORD mgm__instance_add(struct mgm_core *c) {
  DWORD rc = NO_ERROR;

  pthread_mutex_lock(&g_inst_mu);
  if (mgm__vec_reserve((void **)&g_inst, &g_cap_inst, g_n_inst + 1,
                       sizeof(*g_inst)) != 0)
    rc = ERROR_NOT_ENOUGH_MEMORY;
  else
    g_inst[g_n_inst++] = c;
  pthread_mutex_unlock(&g_inst_mu);
  return rc;
}

void mgm__instance_remove(struct mgm_core *c) {
  uint32_t i;

  pthread_mutex_lock(&g_inst_mu);
  for (i = 0; i < g_n_inst; i++) {
    if (g_inst[i] == c) {
      g_inst[i] = g_inst[--g_n_inst];
      break;
    }
  }
  if (g_n_inst == 0) {
    free(g_inst);
    g_inst = NULL;
    g_cap_inst = 0;
  }
  pthread_mutex_unlock(&g_inst_mu);
}

DWORD mgm__instance_select(struct mgm_core *c) {
  if (c) {
    int live;

    pthread_mutex_lock(&g_inst_mu);
    live = mgm__instance_live(c);
    if (live)
      atomic_fetch_add(&c->selected, 1);
    pthread_mutex_unlock(&g_inst_mu);
    if (!live)
      return ERROR_INVALID_PARAMETER;
  }
  if (mgm__tls_inst)
    atomic_fetch_sub(&mgm__tls_inst->selected, 1);
  mgm__tls_inst = c;
  return NO_ERROR;
}
