/*
 * simctl.c - the libmgm_sim_* controls on the core's side: each is a
 * control() call of the backend (platform/simctl.h), never a call into the
 * sim itself, so a backend in another process could answer them too.
 *
 * SPDX-License-Identifier: MIT
 *
 * A control runs on the instance's loop thread and delivers every event
 * it causes before returning, so a harness sees all callbacks (RPF,
 * creation alerts, prune alerts) delivered when the call returns.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/* Does the backend know the sim's controls?  No warning. */
static int simctl_probe(struct mgm_core *c) {
  int rc;

  mgm__lock(c);
  rc = mgm__be_control(c, MGM_CTL_SIM_PROBE, NULL, 0);
  mgm__unlock(c);
  return rc == 0;
}

int mgm__simctl_is_sim(struct mgm_core *c) {
  if (simctl_probe(c))
    return 1;
  MGM_WARN(c, MGM_CH_API, "libmgm_sim_* needs the sim backend (running: %s)",
           c->backend_name);
  return 0;
}

struct simctl_task {
  struct mgm_core *c;
  int op;
  void *arg;
  size_t len;
  int rc;
};

/* On the loop thread (the drain follows, mgm__onloop_run). */
static void simctl_task_fn(void *arg) {
  struct simctl_task *t = arg;
  struct mgm_core *c = t->c;

  mgm__lock(c); /* backend state is serialised by the core lock */
  t->rc = mgm__be_control(c, t->op, t->arg, t->len);
  if (t->op == MGM_CTL_SIM_ADVANCE)
    mgm__mfe_expire_due(c);
  mgm__unlock(c);
}

/* Run t on c's loop thread: the Win32 code of the call, or of t's op. */
static DWORD simctl_run_task(struct mgm_core *c, struct simctl_task *t,
                             void (*fn)(void *)) {
  DWORD rc;

  t->c = c;
  rc = mgm__onloop_run(c, fn, t);
  if (rc == NO_ERROR && t->rc != 0)
    rc = mgm__error_win32(t->rc);
  return rc;
}

DWORD mgm__simctl_run(struct mgm_core *c, int op, void *arg, size_t len) {
  struct simctl_task t = {NULL, op, arg, len, 0};

  if (!mgm__simctl_is_sim(c))
    return ERROR_NOT_SUPPORTED;
  return simctl_run_task(c, &t, simctl_task_fn);
}

/* Inject, deliver the upcalls (RPF, creation alerts...) it caused, then
 * take the packet's final disposition. */
static void simctl_inject_fn(void *arg) {
  struct simctl_task *t = arg;
  struct mgm_ctl_sim_inject *a = t->arg;
  struct mgm_core *c = t->c;

  mgm__lock(c);
  t->rc = mgm__be_control(c, MGM_CTL_SIM_INJECT, a, sizeof(*a));
  mgm__unlock(c);
  mgm__upcall_drain(c, -1, 0);
  if (a->token != 0) {
    mgm__lock(c);
    (void)mgm__be_control(c, MGM_CTL_SIM_INJECT_DONE, a, sizeof(*a));
    mgm__unlock(c);
  }
}

DWORD mgm__simctl_inject(struct mgm_core *c, uint32_t ifindex, uint32_t src,
                         uint32_t grp, uint8_t ttl, uint32_t len,
                         struct mgm_sim_result *res) {
  struct mgm_ctl_sim_inject a;
  struct simctl_task t = {NULL, MGM_CTL_SIM_INJECT, &a, sizeof(a), 0};
  DWORD rc = ERROR_NOT_SUPPORTED;

  memset(&a, 0, sizeof(a));
  a.ifindex = ifindex;
  a.src = src;
  a.grp = grp;
  a.ttl = ttl;
  a.len = len;
  if (mgm__simctl_is_sim(c))
    rc = simctl_run_task(c, &t, simctl_inject_fn);
  *res = a.res;
  return rc;
}

/* Up to this size the packet is copied on the stack. */
#define SIMCTL_CTRL_INLINE 2048

DWORD mgm__simctl_inject_ctrl(struct mgm_core *c, uint32_t ifindex,
                              const BYTE *pkt, DWORD len) {
  union {
    struct mgm_ctl_sim_ctrl h;
    uint8_t b[sizeof(struct mgm_ctl_sim_ctrl) + SIMCTL_CTRL_INLINE];
  } inl;
  struct mgm_ctl_sim_ctrl *a = &inl.h;
  size_t n = sizeof(*a) + len;
  struct simctl_task t = {NULL, MGM_CTL_SIM_INJECT_CTRL, NULL, n, 0};
  DWORD rc;

  if (!simctl_probe(c))
    return ERROR_NOT_SUPPORTED;
  if (len > SIMCTL_CTRL_INLINE && (a = mgm__malloc(n)) == NULL)
    return ERROR_NOT_ENOUGH_MEMORY;
  a->ifindex = ifindex;
  a->len = len;
  memcpy(a->pkt, pkt, len);
  t.arg = a;
  rc = simctl_run_task(c, &t, simctl_task_fn);
  if (a != &inl.h)
    free(a);
  return rc;
}

/* The sim speaks uint32_t, the public hook DWORD: convert, never cast
 * function pointers. */
static void simctl_tx_tramp(void *ctx, uint32_t ifindex, uint32_t dst,
                            const void *msg, uint32_t len) {
  struct mgm_core *c = ctx;

  if (c->sim_tx_fn)
    c->sim_tx_fn(c->sim_tx_ctx, ifindex, dst, msg, len);
}

/* On the calling thread, like the sends it captures. */
DWORD mgm__simctl_set_tx_hook(struct mgm_core *c, libmgm_sim_tx_fn fn,
                              void *ctx) {
  struct mgm_ctl_sim_tx_hook a = {fn ? simctl_tx_tramp : NULL, c};
  DWORD rc = NO_ERROR;
  int brc;

  mgm__lock(c);
  brc = mgm__be_control(c, MGM_CTL_SIM_SET_TX_HOOK, &a, sizeof(a));
  if (brc == 0) {
    c->sim_tx_fn = fn;
    c->sim_tx_ctx = ctx;
  } else {
    rc = brc == MGM_BE_ENOTSUP ? ERROR_NOT_SUPPORTED : mgm__error_win32(brc);
  }
  mgm__unlock(c);
  return rc;
}

int mgm__simctl_if_known(struct mgm_core *c, uint32_t ifindex) {
  struct mgm_ctl_sim_if a;
  int rc;

  memset(&a, 0, sizeof(a));
  a.ifindex = ifindex;
  mgm__lock(c);
  rc = mgm__be_control(c, MGM_CTL_SIM_IF_KNOWN, &a, sizeof(a));
  mgm__unlock(c);
  return rc == 0 && a.flag != 0;
}

void mgm__simctl_result(struct libmgm_sim_result *out,
                        const struct mgm_sim_result *in) {
  DWORD i;

  memset(out, 0, sizeof(*out));
  out->verdict = in->verdict;
  out->n_out = in->n_out;
  for (i = 0; i < in->n_out && i < LIBMGM_SIM_MAX_OUT; i++)
    out->out_ifindex[i] = in->out[i];
}
