/*
 * mgmd.h - internal interfaces between mgmd's modules: the daemon state,
 * logging and the event ring, interface names, the main-thread work queue,
 * the IGMP host, the plug-in host, the sim controls and the control socket.
 *
 * SPDX-License-Identifier: MIT
 *
 * Threads: mgmd's main thread runs the poll loop, the control socket, the
 * IGMP component (every mgm_igmp_* call), plug-in init/fini/reload and the
 * posted work.  libmgm's loop thread delivers kernel upcalls and their
 * callbacks; it reaches mgmd only through mgmd_post(), the IGMP packet
 * queue and the log, all of which lock.
 */
#ifndef MGMD_MGMD_H
#define MGMD_MGMD_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <windows.h>
#include <iprtrmib.h>
#include <mgm.h>
#include <libmgm.h>

#include "conf.h"
#include "json.h"
#include "mgmd_plugin.h"

#define MGMD_VERSION "0.1.0"
#define MGMD_PROTO_VERSION 1 /* control protocol ("mgmd" member of replies) */
#define MGMD_MAX_PLUGIN_DIRS 8

struct mgmd_igmp_host;
struct mgmd_plugin;

/* A protocol mgmd knows by name (for shows). */
struct mgmd_known {
  DWORD protocol_id, component_id;
  char name[MGMD_NAME_MAX]; /* "igmp", or the plug-in instance's name */
  char kind[16];            /* "igmp" or "plugin" */
};

struct mgmd {
  struct mgmd_conf *conf;        /* the configuration in force */
  char conf_path[MGMD_PATH_MAX]; /* "" = built-in */
  char backend[16];              /* backend in use */
  int is_sim;
  const char *plugin_dirs[MGMD_MAX_PLUGIN_DIRS];
  int n_plugin_dirs;
  char sock_path[MGMD_PATH_MAX];
  char pid_path[MGMD_PATH_MAX];
  int started;                 /* libmgm_start succeeded */
  struct mgmd_igmp_host *igmp; /* NULL when IGMP is not running */
  struct mgmd_plugin *plugins; /* in configuration order */
  size_t n_known;
  struct mgmd_known known[64];
  uint64_t start_ms; /* clock at start */
};

/* ---- log.c: log sink and the event ring -------------------------------- */

struct mgmd_event {
  uint64_t seq;  /* 1, 2, ... */
  uint64_t t_ms; /* mgmd clock (backend clock on sim) */
  int level;
  char src[MGMD_NAME_MAX];
  char msg[320];
};

void mgmd_log_open(int use_syslog, int level, int to_stderr);
void mgmd_log_close(void);
void mgmd_log_set_level(int level);
void mgmd_log(int level, const char *src, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void mgmd_logv(int level, const char *src, const char *fmt, va_list ap);
/* libmgm's log hook (may run under libmgm's lock: touches only the sink). */
void mgmd_log_libmgm(void *ctx, int level, const char *channel,
                     const char *msg);
/* Last event number, and a copy of the events after `after` (at most max,
 * the oldest first); returns how many were copied. */
uint64_t mgmd_events_last(void);
size_t mgmd_events_get(uint64_t after, struct mgmd_event *out, size_t max);
void mgmd_events_json(struct jw *j, uint64_t after);

/* The clock mgmd shows and drives IGMP with: the backend clock (virtual on
 * sim), milliseconds.  mgmd_now() may call libmgm (main thread only);
 * mgmd_now_cached() never does (any thread). */
uint64_t mgmd_now(void);
uint64_t mgmd_now_cached(void);
void mgmd_clock_init(int is_sim);

/* ---- ifs.c: interface names and addresses ------------------------------ */

/* Use the [sim] table of c for names (sim backend), or the kernel. */
void mgmd_ifs_set_sim(const struct mgmd_conf *c);
void mgmd_ifs_clear(void);
DWORD mgmd_if_index(const char *name); /* 0 = unknown */
const char *mgmd_if_name(DWORD ifindex, char *buf, size_t len);
int mgmd_if_known(DWORD ifindex); /* name is not a number */
int mgmd_if_addr(DWORD ifindex, DWORD *addr, DWORD *plen); /* 0 = found */
/* Interfaces fit for IGMP "interface *": up, multicast, not loopback, with
 * an IPv4 address.  Returns the count (at most max). */
size_t mgmd_ifs_all(DWORD *out, size_t max);
/* libmgm interface hook (loop thread): hands the event to the main thread,
 * where IGMP and the plug-ins take or retake what it concerns.  ctx is the
 * struct mgmd. */
void mgmd_ifs_hook(void *ctx, const struct libmgm_if_event *ev);
/* Main thread: hold the events while a reload runs (hold 1), then follow
 * the held ones under the new configuration (hold 0). */
void mgmd_ifs_hold(struct mgmd *d, int hold);
/* Main thread: follow one interface event. */
void mgmd_ifs_on_event(struct mgmd *d, const struct libmgm_if_event *ev);

/* ---- tasks.c: main-thread work queue, wake-up and stop ----------------- */

/* Where mgmd_wakeup() writes (main.c's wake-up pipe); -1 = nowhere. */
void mgmd_tasks_init(int wake_write_fd);
int mgmd_post(void (*fn)(void *arg), void *arg); /* any thread */
/* The same, tagged with an owner; mgmd_post_cancel drops what an owner
 * queued and has not run yet (a plug-in being stopped). */
int mgmd_post_owned(void (*fn)(void *arg), void *arg, const void *owner);
void mgmd_post_cancel(const void *owner);
/* Run queued work until the queue is empty (main thread); returns how
 * many items ran. */
int mgmd_tasks_run(void);
void mgmd_wakeup(void); /* any thread */
/* Run queued work, IGMP input and IGMP timers until nothing is left (main
 * thread).  Returns the number of items handled. */
int mgmd_settle(struct mgmd *d);
void mgmd_request_stop(void);
int mgmd_stop_requested(void);

/* ---- known.c: protocol names ------------------------------------------- */

void mgmd_known_add(struct mgmd *d, DWORD pid, DWORD cid, const char *name,
                    const char *kind);
void mgmd_known_del(struct mgmd *d, DWORD pid, DWORD cid);
const struct mgmd_known *mgmd_known_find(const struct mgmd *d, DWORD pid,
                                         DWORD cid);
/* A readable protocol name: known name, else a well-known id, else hex. */
const char *mgmd_proto_name(const struct mgmd *d, DWORD pid, DWORD cid,
                            char *buf, size_t len);

/* ---- reload.c: configuration reload ------------------------------------ */

int mgmd_reload(struct mgmd *d, char *err, size_t errlen);

/* ---- igmpd.c: the IGMP component's host -------------------------------- */

int mgmd_igmp_available(void);
int mgmd_igmp_start(struct mgmd *d, const struct mgmd_conf *c, char *err,
                    size_t errlen);
void mgmd_igmp_stop(struct mgmd *d);
int mgmd_igmp_reconfigure(struct mgmd *d, const struct mgmd_conf *old_c,
                          const struct mgmd_conf *new_c, char *err,
                          size_t errlen);
/* An interface event (main thread): IGMP stops on an interface that
 * vanished, starts over (startup queries, RFC 3376 7) on one of its
 * interfaces that comes up or changes address, and starts on one the
 * configuration names (or "interface *" matches) once it appears. */
void mgmd_igmp_if_event(struct mgmd *d, const struct libmgm_if_event *ev);
/* libmgm ctrl hook: queue the packet for the main thread. */
void mgmd_igmp_ctrl_hook(void *ctx, DWORD ifindex, const BYTE *pkt, DWORD len);
/* Main thread: feed queued packets, run due timers; returns work done. */
int mgmd_igmp_run(struct mgmd *d, uint64_t now);
uint64_t mgmd_igmp_deadline(const struct mgmd *d); /* UINT64_MAX = none */
void mgmd_igmp_show(const struct mgmd *d, struct jw *j);
/* IGMP facts about one interface for `show interfaces` (0 = known). */
int mgmd_igmp_if_state(const struct mgmd *d, DWORD ifindex, int *querier,
                       DWORD *querier_addr, uint32_t *groups);

/* ---- plugin.c: protocol plug-ins --------------------------------------- */

/* Resolve a plug-in path: absolute, relative to the configuration file's
 * directory when it contains '/', else searched in the plug-in dirs. */
int mgmd_plugin_resolve(const struct mgmd *d, const struct mgmd_conf *c,
                        const char *plugin, char *out, size_t outlen);
int mgmd_plugin_resolve_ex(const struct mgmd *d, const struct mgmd_conf *c,
                           const char *plugin, char *out, size_t outlen,
                           char *tried, size_t triedlen);
/* `mgmd --check` and reload: load each plug-in, check its ABI and args. */
int mgmd_plugins_check(struct mgmd *d, const struct mgmd_conf *c, char *err,
                       size_t errlen);
int mgmd_plugins_start(struct mgmd *d, const struct mgmd_conf *c, char *err,
                       size_t errlen);
void mgmd_plugins_stop(struct mgmd *d);
int mgmd_plugins_reload(struct mgmd *d, const struct mgmd_conf *new_c,
                        char *err, size_t errlen);
void mgmd_plugins_show(const struct mgmd *d, struct jw *j);
/* An interface event (main thread): to each plug-in's
 * mgmd_plugin_if_event; a plug-in without it is restarted when an
 * interface its arguments name is added or renamed to that name. */
void mgmd_plugins_if_event(struct mgmd *d, const struct libmgm_if_event *ev);
/* dlclose every plug-in (after libmgm_stop: no callback can run). */
void mgmd_plugins_unload_all(void);

/* ---- simd.c: the sim backend --------------------------------------------- */

/* Create the [sim] interfaces and routes (old_c NULL at start); on reload
 * phase 1 adds and changes, phase 2 removes what new_c dropped. */
int mgmd_sim_apply(struct mgmd *d, const struct mgmd_conf *old_c,
                   const struct mgmd_conf *new_c, int phase, char *err,
                   size_t errlen);
void mgmd_sim_tx_hook(void *ctx, DWORD ifindex, DWORD dst, const BYTE *igmp,
                      DWORD len);
/* Control requests "sim ..." (argv[0] == "sim"). */
int mgmd_sim_request(struct mgmd *d, int argc, char **argv, struct jw *j,
                     char *err, size_t errlen);
/* Build an IPv4 IGMP packet (router alert, TTL 1) for the tests and the
 * sim requests; returns its length or 0 if it does not fit. */
size_t mgmd_igmp_packet(BYTE *buf, size_t cap, DWORD src, DWORD dst,
                        const BYTE *igmp, size_t igmp_len);

/* ---- show.c: state as JSON --------------------------------------------- */

int mgmd_show(struct mgmd *d, int argc, char **argv, struct jw *j, char *err,
              size_t errlen);

/* ---- ctl.c: the control socket ----------------------------------------- */

/* group: the socket-group (name or number) or NULL/"" for owner only. */
int mgmd_ctl_open(const char *path, const char *group, char *err,
                  size_t errlen);
void mgmd_ctl_close(void);
/* poll() support: fill fds (returns count), handle results. */
size_t mgmd_ctl_pollfds(void *pfds, size_t max);
void mgmd_ctl_handle(struct mgmd *d, const void *pfds, size_t n);
int mgmd_ctl_timeout_ms(void);
/* Run one request line and return the reply (malloc'd, ends in '\n'). */
char *mgmd_ctl_execute(struct mgmd *d, const char *line);

#endif /* MGMD_MGMD_H */
