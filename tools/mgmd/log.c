/*
 * log.c - mgmd's log: lines to stderr (with the clock) or syslog, and a
 * ring of the last events at info level and above that `mgmctl show log`
 * and the sim requests return.
 *
 * SPDX-License-Identifier: MIT
 *
 * Any thread may log.  libmgm's own lines arrive through its log hook,
 * possibly under libmgm's lock: they go to the sink only (not the ring),
 * and nothing here calls back into libmgm.
 */
#define _POSIX_C_SOURCE 200809L

#include "mgmd.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#define RING 1024

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static struct mgmd_event ring[RING];
static uint64_t ring_seq; /* last sequence number given */
static int log_syslog;
static int log_stderr = 1;
static int log_level = MGMD_LOG_INFO;
static int clock_sim;
static _Atomic uint64_t clock_cache;
static uint64_t mono_base;

static const char *const level_names[] = {"none",  "error", "warn",
                                          "fixme", "info",  "debug"};

static uint64_t mono_ms(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void mgmd_clock_init(int is_sim) {
  clock_sim = is_sim;
  mono_base = mono_ms();
  atomic_store(&clock_cache, 0);
}

uint64_t mgmd_now(void) {
  uint64_t t;
  ULONGLONG v = 0;

  if (clock_sim) {
    t = libmgm_sim_now(&v) == NO_ERROR ? (uint64_t)v
                                       : atomic_load(&clock_cache);
  } else {
    t = mono_ms() - mono_base;
  }
  atomic_store(&clock_cache, t);
  return t;
}

uint64_t mgmd_now_cached(void) {
  return clock_sim ? atomic_load(&clock_cache) : mono_ms() - mono_base;
}

void mgmd_log_open(int use_syslog, int level, int to_stderr) {
  log_syslog = use_syslog;
  log_stderr = to_stderr;
  log_level = level;
  if (use_syslog)
    openlog("mgmd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void mgmd_log_close(void) {
  if (log_syslog)
    closelog();
  log_syslog = 0;
}

void mgmd_log_set_level(int level) {
  log_level = level;
}

static void sink(int level, uint64_t t, const char *src, const char *msg) {
  static const int prio[] = {LOG_DEBUG,  LOG_ERR,  LOG_WARNING,
                             LOG_NOTICE, LOG_INFO, LOG_DEBUG};
  int l = level < 0 || level > 5 ? 5 : level;

  if (level > log_level)
    return;
  if (log_syslog)
    syslog(prio[l], "%s: %s", src, msg);
  if (log_stderr) {
    fprintf(stderr, "%5llu.%03u %-5s %s: %s\n", (unsigned long long)(t / 1000),
            (unsigned)(t % 1000), level_names[l], src, msg);
    fflush(stderr);
  }
}

void mgmd_logv(int level, const char *src, const char *fmt, va_list ap) {
  struct mgmd_event *e;
  char msg[sizeof(e->msg)];
  uint64_t t = mgmd_now_cached();

  vsnprintf(msg, sizeof(msg), fmt, ap);
  pthread_mutex_lock(&log_mu);
  sink(level, t, src, msg);
  if (level <= MGMD_LOG_INFO) {
    e = &ring[ring_seq % RING];
    e->seq = ++ring_seq;
    e->t_ms = t;
    e->level = level;
    snprintf(e->src, sizeof(e->src), "%s", src);
    memcpy(e->msg, msg, sizeof(msg));
  }
  pthread_mutex_unlock(&log_mu);
}

void mgmd_log(int level, const char *src, const char *fmt, ...) {
  va_list ap;

  va_start(ap, fmt);
  mgmd_logv(level, src, fmt, ap);
  va_end(ap);
}

void mgmd_log_libmgm(void *ctx, int level, const char *channel,
                     const char *msg) {
  char src[MGMD_NAME_MAX];
  uint64_t t = mgmd_now_cached();
  size_t n = strlen(msg);

  snprintf(src, sizeof(src), "libmgm/%s", channel);
  while (n > 0 && msg[n - 1] == '\n')
    n--;
  pthread_mutex_lock(&log_mu);
  {
    char line[512];

    snprintf(line, sizeof(line), "%.*s", (int)n, msg);
    sink(level, t, src, line);
  }
  pthread_mutex_unlock(&log_mu);
}

uint64_t mgmd_events_last(void) {
  uint64_t s;

  pthread_mutex_lock(&log_mu);
  s = ring_seq;
  pthread_mutex_unlock(&log_mu);
  return s;
}

size_t mgmd_events_get(uint64_t after, struct mgmd_event *out, size_t max) {
  uint64_t first, s;
  size_t n = 0;

  pthread_mutex_lock(&log_mu);
  first = ring_seq > RING ? ring_seq - RING + 1 : 1;
  if (after + 1 > first)
    first = after + 1;
  for (s = first; s <= ring_seq && n < max; s++)
    out[n++] = ring[(s - 1) % RING];
  pthread_mutex_unlock(&log_mu);
  return n;
}

void mgmd_events_json(struct jw *j, uint64_t after) {
  static struct mgmd_event buf[RING]; /* main thread only */
  size_t n = mgmd_events_get(after, buf, RING), i;

  jw_arr(j);
  for (i = 0; i < n; i++) {
    jw_obj(j);
    jw_ku64(j, "seq", buf[i].seq);
    jw_ku64(j, "time_ms", buf[i].t_ms);
    jw_kstr(
        j, "level",
        level_names[buf[i].level < 0 || buf[i].level > 5 ? 5 : buf[i].level]);
    jw_kstr(j, "source", buf[i].src);
    jw_kstr(j, "message", buf[i].msg);
    jw_obj_end(j);
  }
  jw_arr_end(j);
}
