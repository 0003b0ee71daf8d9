/*
 * mgmd_plugin.h - the entry points of an mgmd protocol plug-in: a shared
 * object that mgmd loads with dlopen() and that implements a multicast
 * routing protocol on the Windows MGM API (mgm.h).
 *
 * SPDX-License-Identifier: MIT
 *
 * A ported protocol keeps its MGM code unchanged (MgmRegisterMProtocol,
 * MgmTakeInterfaceOwnership, memberships, callbacks) and adds these few
 * functions so that mgmd can start, stop and reconfigure it.  mgmd has
 * already called libmgm_start() when a plug-in is initialised, and calls
 * libmgm_stop() only after every plug-in's fini returned.
 *
 * Configuration: every line of the plug-in's [protocol NAME] section in the
 * mgmd configuration file except the "plugin" line reaches the plug-in as
 * `args`, one '\n'-terminated line per file line, comments removed and
 * blanks trimmed.  Blank, comment and "plugin" lines stay as empty lines,
 * so line k (0-based) of args is line host->line + k of host->source: quote
 * that number in error messages ("%s:%u: ...").  The format of the lines is
 * the plug-in's own.
 *
 * Entry points, looked up by name (declared below with default visibility):
 *   mgmd_plugin_abi     required: a const uint32_t holding MGMD_PLUGIN_ABI
 *                       (write MGMD_PLUGIN_DEFINE_ABI; at file scope)
 *   mgmd_plugin_init    required: parse args, register, take interfaces,
 *                       add memberships; 0 on success.  On failure it
 *                       undoes what it did and logs why.
 *   mgmd_plugin_fini    required: release every interface, deregister,
 *                       free the state.
 *   mgmd_plugin_check   optional: validate args without touching MGM (for
 *                       `mgmd --check` and before a reload); 0 = valid.
 *   mgmd_plugin_reload  optional: apply new args to a running instance
 *                       without disturbing what did not change (SIGHUP);
 *                       0 on success.  Without it mgmd restarts the
 *                       instance (fini + init) when its args change.
 *   mgmd_plugin_if_event optional: an interface appeared, went, came up
 *                       or down, was renamed or changed address (struct
 *                       mgmd_if_event below).  A plug-in that names its
 *                       interfaces resolves them again here and takes
 *                       (or retakes) them, so that an interface created
 *                       late, re-created under a new index or renamed is
 *                       followed without a reload.  Without it mgmd
 *                       restarts the instance (fini + init) when an
 *                       interface is added, re-created or renamed.
 *
 * Threads: init, fini, check, reload, if_event and the functions posted with
 * host->post run on mgmd's main thread, one at a time.  MGM callbacks run
 * on whatever thread MGM uses (libmgm's loop thread for RPF and creation
 * alerts, the calling thread for API-triggered alerts), so the plug-in's
 * callbacks must be thread-safe.  Windows MGM deadlocks on some re-entries
 * (adding memberships from inside a callback): host->post defers such work
 * to the main thread.
 *
 * Versioning: MGMD_PLUGIN_ABI changes only when an entry point's meaning
 * changes; mgmd refuses a plug-in built for another value.  struct
 * mgmd_plugin_host only grows at its end: read a member only when
 * host->size covers it (MGMD_PLUGIN_HAS(host, member)).
 */
#ifndef MGMD_PLUGIN_H
#define MGMD_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MGMD_PLUGIN_ABI 1u

#if defined(__GNUC__) || defined(__clang__)
#define MGMD_PLUGIN_EXPORT __attribute__((visibility("default")))
#define MGMD_PLUGIN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MGMD_PLUGIN_EXPORT
#define MGMD_PLUGIN_PRINTF(f, a)
#endif

/* Log levels: the values of enum libmgm_log_level. */
#define MGMD_LOG_ERROR 1
#define MGMD_LOG_WARN 2
#define MGMD_LOG_INFO 4
#define MGMD_LOG_DEBUG 5

/* What mgmd offers a plug-in.  Valid from init until fini returns; the
 * name, source and line members may change between calls (reload). */
struct mgmd_plugin_host {
  uint32_t abi;        /* MGMD_PLUGIN_ABI of the host */
  uint32_t size;       /* sizeof(struct mgmd_plugin_host) of the host */
  const char *name;    /* instance name: NAME of [protocol NAME] */
  const char *source;  /* configuration file, "(built-in)" if none */
  uint32_t line;       /* line of source holding the first line of args */
  const char *backend; /* libmgm backend: "linux", "bsd" or "sim" */
  void *ctx;           /* mgmd's; do not touch */

  /* A log line (no trailing newline needed), shown in mgmd's log and, at
   * MGMD_LOG_INFO and above, in `mgmctl show log`.  Any thread. */
  void (*log)(const struct mgmd_plugin_host *host, int level,
              const char *fmt, ...) MGMD_PLUGIN_PRINTF(3, 4);

  /* Interface name -> index (a decimal index is accepted as is); 0 when
   * unknown.  On sim the names come from mgmd's [sim] section, otherwise
   * from the kernel.  Any thread. */
  uint32_t (*if_index)(const struct mgmd_plugin_host *host, const char *name);

  /* Interface index -> name into buf (at least 16 bytes); returns buf,
   * or the decimal index when the name is unknown.  Any thread. */
  const char *(*if_name)(const struct mgmd_plugin_host *host,
                         uint32_t ifindex, char *buf, size_t len);

  /* Run fn(arg) soon on mgmd's main thread (outside every MGM callback).
   * Any thread; 0 on success, -1 if it could not be queued. */
  int (*post)(const struct mgmd_plugin_host *host, void (*fn)(void *arg),
              void *arg);
};

/* An interface event, as the forwarder reported it.  The kinds match a
 * router manager's view of an interface (AddInterface/DeleteInterface,
 * InterfaceStatus with up/down, address binding), so that a router
 * manager built on mgmd can pass these on as they are.  The struct only
 * grows at its end: read a member only when ev->size covers it
 * (MGMD_IF_EVENT_HAS(ev, member)). */
enum mgmd_if_event_kind {
  MGMD_IF_ADDED = 1,        /* the interface exists (new or re-created) */
  MGMD_IF_DELETED = 2,      /* gone; its index is dead (MGM dropped it from
                               every forwarding entry already) */
  MGMD_IF_UP = 3,           /* came up */
  MGMD_IF_DOWN = 4,         /* went down (it still exists) */
  MGMD_IF_ADDR_ADDED = 5,   /* addr/prefixlen bound to it */
  MGMD_IF_ADDR_DELETED = 6, /* addr/prefixlen unbound */
  MGMD_IF_RENAMED = 7       /* name is the new name */
};

struct mgmd_if_event {
  uint32_t size;      /* sizeof(struct mgmd_if_event) of the host */
  uint32_t kind;      /* enum mgmd_if_event_kind */
  uint32_t ifindex;   /* the interface (for DELETED: the dead index) */
  const char *name;   /* its name ("" when unknown); valid during the call */
  int up;             /* nonzero when the interface is up */
  uint32_t addr;      /* network order, for ADDR_*; else 0 */
  uint32_t prefixlen; /* for ADDR_* */
};

#define MGMD_IF_EVENT_HAS(ev, member)                                       \
  ((ev)->size >= offsetof(struct mgmd_if_event, member) +                  \
                     sizeof((ev)->member))

#define MGMD_PLUGIN_HAS(host, member)                                       \
  ((host)->size >= offsetof(struct mgmd_plugin_host, member) +             \
                       sizeof((host)->member))

/* Entry point types (the names mgmd looks up are in the comment above). */
typedef int (*mgmd_plugin_init_fn)(const struct mgmd_plugin_host *host,
                                   const char *args, void **state);
typedef void (*mgmd_plugin_fini_fn)(void *state);
typedef int (*mgmd_plugin_check_fn)(const struct mgmd_plugin_host *host,
                                    const char *args);
typedef int (*mgmd_plugin_reload_fn)(void *state, const char *args);
typedef void (*mgmd_plugin_if_event_fn)(void *state,
                                        const struct mgmd_if_event *ev);

/* Prototypes: including this header gives the definitions default
 * visibility even when the plug-in is built with -fvisibility=hidden. */
MGMD_PLUGIN_EXPORT extern const uint32_t mgmd_plugin_abi;
MGMD_PLUGIN_EXPORT int mgmd_plugin_init(const struct mgmd_plugin_host *host,
                                        const char *args, void **state);
MGMD_PLUGIN_EXPORT void mgmd_plugin_fini(void *state);
MGMD_PLUGIN_EXPORT int mgmd_plugin_check(const struct mgmd_plugin_host *host,
                                         const char *args);
MGMD_PLUGIN_EXPORT int mgmd_plugin_reload(void *state, const char *args);
MGMD_PLUGIN_EXPORT void mgmd_plugin_if_event(void *state,
                                             const struct mgmd_if_event *ev);

#define MGMD_PLUGIN_DEFINE_ABI const uint32_t mgmd_plugin_abi = MGMD_PLUGIN_ABI

#ifdef __cplusplus
}
#endif

#endif /* MGMD_PLUGIN_H */
