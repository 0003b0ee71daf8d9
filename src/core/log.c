/*
 * log.c - channels and levels (LIBMGM_LOG), formatting, and the log sink.
 *
 * SPDX-License-Identifier: MIT
 *
 * Syntax of LIBMGM_LOG / libmgm_config.log (WINEDEBUG-like), comma
 * separated, applied left to right:
 *   LEVEL            every channel at LEVEL (none|error|warn|fixme|info|trace)
 *   CHANNEL=LEVEL    one channel (api|core|mfe|cb|plat|strict|all)
 *   +CHANNEL         CHANNEL=trace
 *   -CHANNEL         CHANNEL=none
 * Default: "warn".  Example: LIBMGM_LOG=warn,+api,+cb
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"

static const char *const chan_names[MGM_CH_COUNT] = {"api", "core", "mfe",
                                                     "cb",  "plat", "strict"};

static const char *const level_names[] = {"none",  "error", "warn",
                                          "fixme", "info",  "trace"};

const char *mgm__log_chan_name(enum mgm_chan ch) {
  return (unsigned)ch < MGM_CH_COUNT ? chan_names[ch] : "?";
}

static int parse_level(const char *s, size_t n) {
  int i;

  for (i = 0; i <= LIBMGM_LOG_TRACE; i++)
    if (strlen(level_names[i]) == n && strncmp(s, level_names[i], n) == 0)
      return i;
  return -1;
}

static void set_chan(struct mgm_log *log, const char *name, size_t n,
                     int level) {
  int i;

  for (i = 0; i < MGM_CH_COUNT; i++)
    if ((n == 3 && strncmp(name, "all", 3) == 0) ||
        (strlen(chan_names[i]) == n && strncmp(name, chan_names[i], n) == 0))
      log->level[i] = (uint8_t)level;
}

void mgm__log_init(struct mgm_log *log, const char *spec, libmgm_log_fn fn,
                   void *ctx) {
  const char *p;
  int i;

  for (i = 0; i < MGM_CH_COUNT; i++)
    log->level[i] = LIBMGM_LOG_WARN;
  log->fn = fn;
  log->ctx = ctx;
  for (p = spec; p && *p;) {
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    const char *eq = memchr(p, '=', n);
    int lvl;

    if (n > 0 && (p[0] == '+' || p[0] == '-')) {
      set_chan(log, p + 1, n - 1, p[0] == '+' ? LIBMGM_LOG_TRACE : 0);
    } else if (eq) {
      lvl = parse_level(eq + 1, n - (size_t)(eq + 1 - p));
      if (lvl >= 0)
        set_chan(log, p, (size_t)(eq - p), lvl);
    } else if ((lvl = parse_level(p, n)) >= 0) {
      for (i = 0; i < MGM_CH_COUNT; i++)
        log->level[i] = (uint8_t)lvl;
    }
    p = end ? end + 1 : NULL;
  }
}

void mgm__log(const struct mgm_log *log, int level, enum mgm_chan ch,
              const char *fmt, ...) {
  char buf[512];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (log->fn) {
    log->fn(log->ctx, level, mgm__log_chan_name(ch), buf);
  } else {
    char line[600];

    snprintf(line, sizeof(line), "libmgm: %s:%s: %s\n",
             level_names[level <= LIBMGM_LOG_TRACE ? level : 0],
             mgm__log_chan_name(ch), buf);
    fputs(line, stderr);
    mgm__plat_debug_out(line);
  }
}
