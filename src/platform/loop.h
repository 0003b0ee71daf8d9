/*
 * loop.h - the loop-driver interface: one thread (or a host libuv loop)
 * that watches the backend's descriptors, fires the core's next deadline
 * and runs tasks posted from other threads.
 *
 * SPDX-License-Identifier: MIT
 *
 * Two drivers: loop_uv.c (libuv; the default off Windows) and
 * loop_thread.c (thread + condition variable, no descriptors; the Windows
 * DLL's driver, where only the sim backend exists).  libuv appears in
 * loop_uv.c and nowhere else.
 */
#ifndef MGM_LOOP_H
#define MGM_LOOP_H

#include <stddef.h>
#include <stdint.h>

struct mgm_loop;

struct mgm_loop_hooks {
  void (*on_readable)(void *ctx); /* a watched descriptor is readable */
  void (*on_timer)(void *ctx);    /* the armed deadline has passed */
};

struct mgm_loop_ops {
  const char *name;
  /* host: a struct uv_loop_s * to attach to (uv driver only), or NULL to
   * run a private loop thread. */
  int (*open)(void *host, const struct mgm_loop_hooks *hooks, void *ctx,
              struct mgm_loop **out);
  void (*close)(struct mgm_loop *loop); /* joins the thread */
  int (*watch)(struct mgm_loop *loop, const int *fds, size_t n);
  /* Fire on_timer after delay_ms (< 0 disarms).  Any thread. */
  void (*arm)(struct mgm_loop *loop, int64_t delay_ms);
  /* Run fn(arg) on the loop thread.  wait != 0 blocks until it ran.
   * Any thread except the loop thread when wait != 0. */
  int (*run)(struct mgm_loop *loop, void (*fn)(void *), void *arg, int wait);
  int (*on_loop_thread)(struct mgm_loop *loop);
};

extern const struct mgm_loop_ops mgm__loop_uv_ops;
extern const struct mgm_loop_ops mgm__loop_thread_ops;

/* The driver used when none is configured (registry.c): uv when built. */
const struct mgm_loop_ops *mgm__loop_default(void);

#endif /* MGM_LOOP_H */
