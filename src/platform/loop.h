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
 *
 * Host mode (uv driver only): open() with a host uv loop adds the driver's
 * handles to it and starts no thread.  The loop thread is then whichever
 * thread runs uv_run() on the host loop; the driver learns it at open (the
 * caller) and again in each of its handle callbacks.  open(), watch() and
 * a close() on the loop thread touch the host loop directly, so they must
 * be called on the loop thread (or while no thread runs the loop).
 */
#ifndef MGM_LOOP_H
#define MGM_LOOP_H

#include <stddef.h>
#include <stdint.h>

struct mgm_loop;

/* now_ms: the time the loop woke at (CLOCK_MONOTONIC milliseconds, or its
 * coarse variant, which lags by at most a millisecond), when the driver
 * knows it and nothing ran since: uv's own loop thread gives uv_now, read
 * when its poll returned; a host loop gives 0, as the host's other
 * callbacks of the iteration may have aged it. */
struct mgm_loop_hooks {
  /* A watched descriptor is readable. */
  void (*on_readable)(void *ctx, uint64_t now_ms);
  void (*on_timer)(void *ctx); /* the armed deadline has passed */
  /* A task was queued for the loop thread (called on the posting thread,
   * after the task is visible to run_queued()). */
  void (*on_post)(void *ctx);
  /* Optional: descriptor fd is readable.  A driver that knows which one
   * calls this instead of on_readable, so the backend reads only it. */
  void (*on_fd_readable)(void *ctx, int fd, uint64_t now_ms);
};

struct mgm_loop_ops {
  const char *name;
  /* host: a struct uv_loop_s * to attach to (uv driver only), or NULL to
   * run a private loop thread. */
  int (*open)(void *host, const struct mgm_loop_hooks *hooks, void *ctx,
              struct mgm_loop **out);
  /* Own thread: joins it.  Host loop: from the loop thread, closes the
   * handles (released by the loop's next close phase, which frees the
   * driver); from another thread, posts the close and waits until the
   * host loop has released every handle.  Never from a driver callback. */
  void (*close)(struct mgm_loop *loop);
  int (*watch)(struct mgm_loop *loop, const int *fds, size_t n);
  /* Fire on_timer after delay_ms (< 0 disarms).  Any thread. */
  void (*arm)(struct mgm_loop *loop, int64_t delay_ms);
  /* Run fn(arg) on the loop thread.  wait != 0 blocks until it ran (runs it
   * at once when called on the loop thread). */
  int (*run)(struct mgm_loop *loop, void (*fn)(void *), void *arg, int wait);
  int (*on_loop_thread)(struct mgm_loop *loop);
  /* Loop thread only, outside the driver's callbacks: run every task
   * queued so far (a host-loop thread blocked in libmgm_stop must still
   * serve the sim control calls it waits for). */
  void (*run_queued)(struct mgm_loop *loop);
};

extern const struct mgm_loop_ops mgm__loop_uv_ops;
extern const struct mgm_loop_ops mgm__loop_thread_ops;

/* The driver used when none is configured (registry.c): uv when built. */
const struct mgm_loop_ops *mgm__loop_default(void);
/* The driver that can attach to a host libuv loop, or NULL when this build
 * has no libuv (the Windows DLL). */
const struct mgm_loop_ops *mgm__loop_host(void);

#endif /* MGM_LOOP_H */
