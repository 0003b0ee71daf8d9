/*
 * backend.c - the core's one way to the backend: a wrapper per operation
 * of the seam (platform.h), and the test-only fault hook they share.
 *
 * SPDX-License-Identifier: MIT
 *
 * DOC: no other core file and no API file touches c->be_ops.  Each
 * wrapper asserts the lock state the contract asks of its operation,
 * goes through the fault hook (operations that can fail), calls the
 * backend, NULL-checking the optional operations, and TRACEs the result
 * on channel plat.  The clock (now_ms) is the exception to the TRACE and
 * the hook: it is read on every MFE decision and cannot fail.
 */
#include <stdarg.h>
#include <stdio.h>

#include "core/core.h"

/* ---- Fault hook ---------------------------------------------------------- */

/* Test-only (tests/fault), like mgm__fault_alloc: the nth backend operation
 * of a kind fails before reaching the backend. */
static atomic_int be_hook_on, be_fail_op, be_fail_err;
static atomic_ulong be_seen, be_fail_at;

unsigned long mgm__be_fault(int op, long nth, int be_err) {
  unsigned long seen = atomic_exchange(&be_seen, 0);

  atomic_store(&be_fail_op, op);
  atomic_store(&be_fail_err, be_err);
  atomic_store(&be_fail_at, nth > 0 ? (unsigned long)nth : 0);
  atomic_store(&be_hook_on, nth >= 0);
  return seen;
}

/* 0, or the MGM_BE_* code the operation of kind op is to fail with.  When
 * off it costs one relaxed load. */
static int be_fault(enum mgm_be_op op) {
  int want;

  if (!atomic_load_explicit(&be_hook_on, memory_order_relaxed))
    return 0;
  want = atomic_load(&be_fail_op);
  if (want == LIBMGM_SIM_OP_ANY ? op > MGM_BE_OP_ROUTE : want != (int)op)
    return 0;
  if (atomic_fetch_add(&be_seen, 1) + 1 != atomic_load(&be_fail_at))
    return 0;
  return atomic_load(&be_fail_err);
}

/* ---- Set-up (before the instance runs: no lock) ------------------------- */

static void be_log(void *ctx, int level, const char *msg) {
  struct mgm_core *c = ctx;

  MGM_LOGX(c, level, MGM_CH_PLAT, "%s", msg);
}

int mgm__be_open(struct mgm_core *c, const struct mgm_be_config *cfg,
                 const struct mgm_be_upcalls *up) {
  struct mgm_be_config bc = *cfg;
  int rc = be_fault(MGM_BE_OP_OPEN);

  bc.log = be_log;
  bc.log_ctx = c;
  c->be = NULL;
  if (rc == 0)
    rc = c->be_ops->open(&bc, up, c, &c->be);
  if (rc != 0)
    c->be = NULL;
  MGM_TRACE(c, MGM_CH_PLAT, "open(%s, table %u) = %d", c->be_ops->name,
            (unsigned)cfg->table, rc);
  return rc;
}

void mgm__be_caps(struct mgm_core *c, struct mgm_be_caps *out) {
  c->be_ops->caps(c->be, out);
  MGM_TRACE(c, MGM_CH_PLAT,
            "caps: %u slots, star_g %u, wrongif %u, virtual clock %u",
            (unsigned)out->max_slots, (unsigned)out->star_g,
            (unsigned)out->wrongif_upcall, (unsigned)out->virtual_clock);
}

int mgm__be_fds(struct mgm_core *c, int *fds, size_t *n) {
  int rc = be_fault(MGM_BE_OP_FDS);

  if (rc == 0 && c->be_ops->fds)
    rc = c->be_ops->fds(c->be, fds, n);
  else if (rc == 0)
    *n = 0;
  MGM_TRACE(c, MGM_CH_PLAT, "fds = %d (%u)", rc, rc == 0 ? (unsigned)*n : 0u);
  return rc;
}

/* ---- Teardown (lock held) ----------------------------------------------- */

void mgm__be_close(struct mgm_core *c) {
  MGM_ASSERT_LOCKED(c);
  c->be_ops->close(c->be);
  c->be = NULL;
  MGM_TRACE(c, MGM_CH_PLAT, "close");
}

int mgm__be_flush(struct mgm_core *c) {
  int rc = be_fault(MGM_BE_OP_FLUSH);

  MGM_ASSERT_LOCKED(c);
  if (rc == 0 && c->be_ops->flush)
    rc = c->be_ops->flush(c->be);
  MGM_TRACE(c, MGM_CH_PLAT, "flush = %d", rc);
  return rc;
}

/* ---- Events (loop thread, lock not held: they make upcalls) -------------- */

int mgm__be_dispatch(struct mgm_core *c, unsigned budget, uint64_t now_ms) {
  int rc = be_fault(MGM_BE_OP_DISPATCH);

  MGM_ASSERT_UNLOCKED(c); /* its upcalls take the lock */
  if (rc == 0)
    rc = c->be_ops->dispatch(c->be, budget, now_ms);
  MGM_TRACE(c, MGM_CH_PLAT, "dispatch(%u) = %d", budget, rc);
  return rc;
}

/* Without dispatch_fd, dispatch(): it reads every descriptor. */
int mgm__be_dispatch_fd(struct mgm_core *c, int fd, unsigned budget,
                        uint64_t now_ms) {
  int rc = be_fault(MGM_BE_OP_DISPATCH);

  MGM_ASSERT_UNLOCKED(c); /* its upcalls take the lock */
  if (rc == 0 && c->be_ops->dispatch_fd)
    rc = c->be_ops->dispatch_fd(c->be, fd, budget, now_ms);
  else if (rc == 0)
    rc = c->be_ops->dispatch(c->be, budget, now_ms);
  MGM_TRACE(c, MGM_CH_PLAT, "dispatch_fd(%d, %u) = %d", fd, budget, rc);
  return rc;
}

int mgm__be_resync(struct mgm_core *c) {
  int rc = be_fault(MGM_BE_OP_RESYNC);

  MGM_ASSERT_UNLOCKED(c); /* its upcalls take the lock */
  if (rc == 0 && c->be_ops->resync)
    rc = c->be_ops->resync(c->be);
  MGM_TRACE(c, MGM_CH_PLAT, "resync = %d", rc);
  return rc;
}

/* ---- Forwarder operations (lock held) ----------------------------------- */

int mgm__be_if_attach(struct mgm_core *c, uint32_t ifindex) {
  int rc = be_fault(MGM_BE_OP_IF_ATTACH);

  MGM_ASSERT_LOCKED(c);
  if (rc == 0 && c->be_ops->if_attach)
    rc = c->be_ops->if_attach(c->be, ifindex);
  MGM_TRACE(c, MGM_CH_PLAT, "if_attach(%u) = %d", (unsigned)ifindex, rc);
  return rc;
}

int mgm__be_if_detach(struct mgm_core *c, uint32_t ifindex) {
  int rc = be_fault(MGM_BE_OP_IF_DETACH);

  MGM_ASSERT_LOCKED(c);
  if (rc == 0 && c->be_ops->if_detach)
    rc = c->be_ops->if_detach(c->be, ifindex);
  MGM_TRACE(c, MGM_CH_PLAT, "if_detach(%u) = %d", (unsigned)ifindex, rc);
  return rc;
}

int mgm__be_mfe_set(struct mgm_core *c, const struct mgm_fwd *f) {
  int rc = be_fault(MGM_BE_OP_MFE_SET);

  MGM_ASSERT_LOCKED(c);
  if (rc == 0)
    rc = c->be_ops->mfe_set(c->be, f);
  MGM_TRACE(c, MGM_CH_PLAT, "mfe_set(%08x, %08x, iif %u, %u oif) = %d",
            (unsigned)f->key.source, (unsigned)f->key.group, (unsigned)f->iif,
            (unsigned)f->n_oif, rc);
  return rc;
}

/* An absent entry is deleted already: 0. */
int mgm__be_mfe_del(struct mgm_core *c, const struct mgm_mfe_key *k) {
  int rc = be_fault(MGM_BE_OP_MFE_DEL);

  MGM_ASSERT_LOCKED(c);
  if (rc == 0)
    rc = c->be_ops->mfe_del(c->be, k);
  MGM_TRACE(c, MGM_CH_PLAT, "mfe_del(%08x, %08x) = %d", (unsigned)k->source,
            (unsigned)k->group, rc);
  return rc == MGM_BE_ENOENT ? 0 : rc;
}

int mgm__be_mfe_stats(struct mgm_core *c, const struct mgm_mfe_key *k,
                      struct mgm_fwd_stats *out) {
  int rc = be_fault(MGM_BE_OP_MFE_STATS);

  MGM_ASSERT_LOCKED(c);
  if (rc == 0)
    rc = c->be_ops->mfe_stats ? c->be_ops->mfe_stats(c->be, k, out)
                              : MGM_BE_ENOTSUP;
  MGM_TRACE(c, MGM_CH_PLAT, "mfe_stats(%08x, %08x) = %d", (unsigned)k->source,
            (unsigned)k->group, rc);
  return rc;
}

/* Without route_lookup every source is unroutable. */
int mgm__be_route_lookup(struct mgm_core *c, uint32_t src,
                         struct mgm_route *r) {
  int rc = be_fault(MGM_BE_OP_ROUTE);

  MGM_ASSERT_LOCKED(c);
  if (rc == 0)
    rc = c->be_ops->route_lookup ? c->be_ops->route_lookup(c->be, src, r)
                                 : MGM_BE_ENOENT;
  MGM_TRACE(c, MGM_CH_PLAT, "route_lookup(%08x) = %d", (unsigned)src, rc);
  return rc;
}

/* ---- The rest (lock held) ------------------------------------------------ */

uint64_t mgm__be_now_ms(struct mgm_core *c) {
  MGM_ASSERT_LOCKED(c);
  return c->be_ops->now_ms(c->be);
}

int mgm__be_set_wrongif(struct mgm_core *c, int on) {
  int rc = be_fault(MGM_BE_OP_SET_WRONGIF);

  MGM_ASSERT_LOCKED(c);
  if (rc == 0)
    rc = c->be_ops->set_wrongif ? c->be_ops->set_wrongif(c->be, on)
                                : MGM_BE_ENOTSUP;
  MGM_TRACE(c, MGM_CH_PLAT, "set_wrongif(%d) = %d", on, rc);
  return rc;
}

/* MGM_BE_ENOTSUP: this backend cannot send. */
int mgm__be_ctrl_send(struct mgm_core *c, uint32_t ifindex, uint32_t dst,
                      const void *msg, size_t len) {
  int rc = be_fault(MGM_BE_OP_CTRL_SEND);

  MGM_ASSERT_LOCKED(c);
  if (rc == 0)
    rc = c->be_ops->ctrl_send
             ? c->be_ops->ctrl_send(c->be, ifindex, dst, msg, len)
             : MGM_BE_ENOTSUP;
  MGM_TRACE(c, MGM_CH_PLAT, "ctrl_send(%u, %08x, %u bytes) = %d",
            (unsigned)ifindex, (unsigned)dst, (unsigned)len, rc);
  return rc;
}

/* MGM_BE_ENOTSUP from a backend without controls, as from one that does
 * not know op. */
int mgm__be_control(struct mgm_core *c, int op, void *arg, size_t len) {
  int rc = be_fault(MGM_BE_OP_CONTROL);

  MGM_ASSERT_LOCKED(c);
  if (rc == 0)
    rc = c->be_ops->control ? c->be_ops->control(c->be, op, arg, len)
                            : MGM_BE_ENOTSUP;
  MGM_TRACE(c, MGM_CH_PLAT, "control(%#x, %u bytes) = %d", (unsigned)op,
            (unsigned)len, rc);
  return rc;
}
