/*
 * faultloop.h - the fault-injection loop of tests/fault (libmgm issue #9,
 * item 4): run a scenario of steps; fail exactly one allocation, or one
 * backend operation, inside one step; check what the API returned, what
 * state MGM kept, that the next identical call succeeds and that the rest
 * of the scenario behaves as without the fault.
 *
 * SPDX-License-Identifier: MIT
 *
 * A scenario is a function of straight-line STEP()s.  The loop runs it
 * first without faults (recording, per step, the return code -- checked
 * against the one the scenario expects --, the callbacks delivered, the
 * outputs, the state, and how many allocations and backend operations of
 * each kind the step made), then once per fault point.  "State" is what an
 * observer can see of MGM: the snapshot (protocols, interfaces with owners
 * and forwarder slots, effective and latent memberships) and every MFE
 * without its times (MgmGetFirst/NextMfe).  After the faulted step it
 * must be one of:
 *   - the state after the step without fault, with the same return code,
 *     callbacks and outputs (the fault was absorbed; wrong-interface
 *     alerts, best effort like the kernel's upcall, may be missing), or
 *   - the state before the step, with one of the step's documented
 *     failure codes and no callbacks -- or, for packet, timer and
 *     interface-event steps (F_ABSORB), the unchanged success code (the
 *     work is dropped); the step's retry (the identical call; for a packet
 *     the next one, after the sim's pending-entry lifetime) must then give
 *     the no-fault code, callbacks, outputs and state, or
 *   - the state after the step without fault minus some MFEs, with the
 *     success code: a change that cannot be refused (release) deletes the
 *     MFEs the forwarder would not reprogram, the next packet rebuilds
 *     them; later steps are then checked for their codes and the
 *     forwarder only.
 * Anything else fails, naming the scenario, the step and the fault.  Every
 * later step must return, deliver and leave exactly what it did without
 * the fault.  After every step the forwarder must hold what MGM's MFE
 * table says, read from the sim without injecting anything, and as many
 * slots as MGM holds; an MFE deletion the forwarder refused is retried by
 * MGM a second later: the loop lets that second pass (sim clock) and
 * checks the entry went.  Leaks are LeakSanitizer's (the ASan lane): every
 * run ends with a full teardown and libmgm_stop.
 */
#ifndef LIBMGM_TEST_FAULTLOOP_H
#define LIBMGM_TEST_FAULTLOOP_H

#include "fixture.h"

#include <stddef.h>

/* Step flags. */
#define F_ABSORB 1u /* packet/timer/event path: may drop its work silently */
#define F_NO_8 2u   /* 8 is not among the step's documented codes */
/* Documented failure codes: ERROR_NOT_ENOUGH_MEMORY (mgm-spec G-2,
 * allocation -> 8) and ERROR_CAN_NOT_COMPLETE (generic failure, e.g. the
 * forwarder's EIO, kernel.md G.1); only 1003 with F_NO_8. */

struct fl_run;

/* Called by STEP(): returns 1 when the step runs under a fault. */
int fl_step_begin(struct fl_run *r, const char *name, unsigned flags,
                  DWORD want);
/* After the call: checks; returns 1 when the retry must run. */
int fl_step_after(struct fl_run *r, DWORD rc);
void fl_step_retried(struct fl_run *r, DWORD rc);
void fl_step_plain(struct fl_run *r, DWORD rc);

/* One step: `call` is an expression giving the DWORD result, `want` without
 * fault (checked when recording); `retry` the expression run when the
 * faulted call failed. */
#define STEP(r, name, flags, want, call, retry)                                \
  do {                                                                         \
    DWORD fl_rc_;                                                              \
    if (fl_step_begin((r), (name), (flags), (want))) {                         \
      fl_rc_ = (call);                                                         \
      if (fl_step_after((r), fl_rc_)) {                                        \
        fl_rc_ = (retry);                                                      \
        fl_step_retried((r), fl_rc_);                                          \
      }                                                                        \
    } else {                                                                   \
      fl_rc_ = (call);                                                         \
      fl_step_plain((r), fl_rc_);                                              \
    }                                                                          \
  } while (0)
#define STEP1(r, name, flags, call) STEP(r, name, flags, NO_ERROR, call, call)
#define STEPW(r, name, flags, want, call) STEP(r, name, flags, want, call, call)

typedef void (*fl_scenario_fn)(struct fl_run *r);

/* Totals of one loop (for the report). */
struct fl_totals {
  unsigned steps;        /* steps in the scenario */
  unsigned alloc_points; /* allocations made by all steps */
  unsigned plat_points;  /* backend operations made by all steps */
  unsigned runs;         /* faulted runs */
  unsigned absorbed;     /* faults the step absorbed (same result) */
  unsigned refused;      /* faults reported with a documented code */
  unsigned dropped;      /* packet/event work dropped and redone */
  unsigned mfes_dropped; /* committed, MFEs deleted (the next packet
                            rebuilds them) */
  unsigned deferred;     /* forwarder entry deletions retried (mfe.c) */
};

/* Run the scenario without faults, then with every allocation of every
 * step failing in turn.  Asserts; fills *t. */
void fl_loop_alloc(const char *scen, fl_scenario_fn fn, struct fl_totals *t);
/* The same over every backend operation kind and position, each with the
 * errors that kind can return. */
void fl_loop_plat(const char *scen, fl_scenario_fn fn, struct fl_totals *t);

/* Scenario helpers. */
DWORD fl_start(int wrongif);            /* libmgm_start on sim, quiet log */
DWORD fl_stop(void);                    /* libmgm_stop */
DWORD fl_register(int slot, DWORD pid); /* fixture slot, every callback */
DWORD fl_deregister(int slot);
DWORD fl_take(int slot, DWORD ifx, DWORD nh);
DWORD fl_inject(DWORD ifx, DWORD s, DWORD g); /* packet, TTL 64 */
DWORD fl_advance(DWORD ms);
/* inject after the sim's pending entries died (retry of an inject) */
DWORD fl_reinject(DWORD ifx, DWORD s, DWORD g);
/* Output digest of read steps: compared with the no-fault run when the
 * step succeeds. */
void fl_output(struct fl_run *r, const void *p, size_t n);

#endif /* LIBMGM_TEST_FAULTLOOP_H */
