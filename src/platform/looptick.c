/*
 * looptick.c - the loop iteration's time, from the loop driver to the
 * backend on the loop thread (loop.h, mgm__loop_tick_enter).
 *
 * SPDX-License-Identifier: MIT
 */
#include "platform/loop.h"

static _Thread_local struct {
  int set;
  uint64_t ms;
} mgm__loop_tick;

void mgm__loop_tick_enter(uint64_t ms) {
  mgm__loop_tick.ms = ms;
  mgm__loop_tick.set = 1;
}

void mgm__loop_tick_leave(void) {
  mgm__loop_tick.set = 0;
}

int mgm__loop_tick_take(uint64_t *ms) {
  if (!mgm__loop_tick.set)
    return 0;
  mgm__loop_tick.set = 0;
  *ms = mgm__loop_tick.ms;
  return 1;
}
