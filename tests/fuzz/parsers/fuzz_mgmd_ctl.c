/*
 * fuzz_mgmd_ctl.c - libFuzzer target: mgmd's control protocol, through the
 * real request handler (tools/mgmd/ctl.c, mgmd_ctl_execute) of an mgmd
 * running on the sim backend with the IGMP component - no socket.
 *
 * SPDX-License-Identifier: MIT
 *
 * The input is what clients send: lines separated by '\n', each one
 * request (at most 32 per input).  A first line "proxy" selects an IGMP
 * proxy configuration (upstream up0), anything else the router one; both
 * have three [sim] interfaces and a route.  As on the socket (on_readable
 * in ctl.c), a line holding a NUL byte never reaches the handler.  Every
 * input starts its own mgmd - the start-up sequence of main.c's start()
 * without the socket and the plug-ins' files - and stops it the way
 * main.c's stop() does, so no state leaks between inputs (`reload`
 * switches to the built-in configuration, as mgmd without a file does).
 * Invariants, for every reply:
 *  - one line of JSON ending in '\n' that mgmctl's reader accepts, with
 *    "mgmd":1 and a boolean "ok"; "result" (an object) when ok, a
 *    non-empty "error" string otherwise; "ping" gets "pong":true, and a
 *    successful sim request or reload carries its "events" array;
 * and at the end libmgm_stop succeeds after IGMP stopped (nothing left
 * registered), with no leak.
 */
#define _GNU_SOURCE 1

#include <string.h>

#include "fz.h"
#include "jsonp.h"
#include "state.h"

#define MAX_LINES 32

static const char conf_router[] = "backend sim\n"
                                  "[sim]\n"
                                  "interface up0 1 10.1.0.254/16\n"
                                  "interface lan2 2 10.2.0.254/24\n"
                                  "interface lan3 3 10.3.0.254/24\n"
                                  "interface dark 4 10.4.0.254/24 down\n"
                                  "route 10.1.0.0/16 up0\n"
                                  "route 0.0.0.0/0 up0 via 10.1.0.1\n"
                                  "[igmp]\n"
                                  "version 3\n"
                                  "robustness 2\n"
                                  "interface lan2\n"
                                  "interface lan3\n";

static const char conf_proxy[] = "backend sim\n"
                                 "[sim]\n"
                                 "interface up0 1 10.1.0.254/16\n"
                                 "interface lan2 2 10.2.0.254/24\n"
                                 "interface lan3 3 10.3.0.254/24\n"
                                 "route 10.1.0.0/16 up0\n"
                                 "[igmp]\n"
                                 "version 2\n"
                                 "interface up0 upstream\n"
                                 "interface lan2\n"
                                 "interface lan3\n";

static struct mgmd d;

/* main.c's start() minus the signal pipes, the socket and the plug-ins'
 * shared objects (the configurations have no [protocol] section). */
static void start(const char *text) {
  struct libmgm_config cfg;
  char err[MGMD_ERR_MAX];
  DWORD rc;

  memset(&d, 0, sizeof(d));
  FZ_CHECK(
      mgmd_conf_parse(text, strlen(text), NULL, &d.conf, err, sizeof(err)) == 0,
      "configuration: %s", err);
  snprintf(d.backend, sizeof(d.backend), "sim");
  d.is_sim = 1;
  mgmd_clock_init(1);
  FZ_CHECK(mgmd_conf_validate(d.conf, d.backend, err, sizeof(err)) == 0,
           "validate: %s", err);
  mgmd_ifs_set_sim(d.conf);
  libmgm_config_init(&cfg);
  cfg.backend = d.backend;
  cfg.mfe_lifetime_s = d.conf->mfe_lifetime_s;
  cfg.log = "warn";
  cfg.log_fn = mgmd_log_libmgm;
  cfg.log_ctx = &d;
  rc = libmgm_start(&cfg);
  FZ_CHECK(rc == NO_ERROR, "libmgm_start: %u", (unsigned)rc);
  d.started = 1;
  mgmd_clock_init(1);
  d.start_ms = mgmd_now();
  libmgm_set_ctrl_hook(mgmd_igmp_ctrl_hook, &d);
  libmgm_sim_set_tx_hook(mgmd_sim_tx_hook, &d);
  FZ_CHECK(mgmd_sim_apply(&d, NULL, d.conf, 1, err, sizeof(err)) == 0,
           "sim: %s", err);
  mgmd_watch(&d);
  FZ_CHECK(mgmd_igmp_start(&d, d.conf, err, sizeof(err)) == 0, "igmp: %s", err);
  mgmd_settle(&d);
  mgmd_watch(&d);
  FZ_CHECK(mgmd_plugins_start(&d, d.conf, err, sizeof(err)) == 0, "plugins: %s",
           err);
  mgmd_settle(&d);
  mgmd_watch(&d);
}

/* main.c's stop(). */
static void stop(void) {
  DWORD rc;

  mgmd_plugins_stop(&d);
  mgmd_settle(&d);
  mgmd_igmp_stop(&d);
  mgmd_settle(&d);
  mgmd_watch(&d);
  libmgm_set_ctrl_hook(NULL, NULL);
  libmgm_sim_set_tx_hook(NULL, NULL);
  rc = libmgm_stop();
  FZ_CHECK(rc == NO_ERROR, "libmgm_stop after mgmd's shutdown: %u",
           (unsigned)rc);
  d.started = 0;
  mgmd_post_cancel(NULL);
  mgmd_tasks_run(); /* frees what is still posted, as main.c's stop() */
  mgmd_plugins_unload_all();
  mgmd_watch_reset();
  mgmd_conf_free(d.conf);
  d.conf = NULL;
  mgmd_ifs_clear();
}

static void check_reply(const char *req, const char *reply) {
  char err[256];
  struct jv *v;
  const struct jv *ok, *r;
  size_t n;

  FZ_CHECK(reply != NULL, "no reply to '%s'", req);
  n = strlen(reply);
  FZ_CHECK(n > 0 && reply[n - 1] == '\n' &&
               strchr(reply, '\n') == reply + n - 1,
           "reply to '%s' is not one line: %s", req, reply);
  v = jv_parse(reply, err, sizeof(err));
  FZ_CHECK(v != NULL, "reply to '%s' is not JSON (%s): %s", req, err, reply);
  FZ_CHECK(jv_int(jv_get(v, "mgmd"), 0) == 1, "no protocol version: %s", reply);
  ok = jv_get(v, "ok");
  FZ_CHECK(ok != NULL && ok->type == JV_BOOL, "no ok: %s", reply);
  r = jv_get(v, "result");
  if (ok->b) {
    FZ_CHECK(r != NULL && r->type == JV_OBJ, "ok without result: %s", reply);
    if (strcmp(req, "ping") == 0)
      FZ_CHECK(jv_bool(jv_get(r, "pong"), 0) == 1, "ping: %s", reply);
    if (strncmp(req, "sim ", 4) == 0 || strcmp(req, "reload") == 0)
      FZ_CHECK(jv_get(r, "events") != NULL &&
                   jv_get(r, "events")->type == JV_ARR,
               "'%s' without events: %s", req, reply);
  } else {
    FZ_CHECK(r == NULL && jv_str(jv_get(v, "error"), "")[0] != '\0',
             "error reply without a message: %s", reply);
  }
  jv_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = (const char *)data, *end = p + size, *nl;
  char *line, *reply;
  size_t n;
  int lines = 0;

  nl = memchr(p, '\n', size);
  n = nl ? (size_t)(nl - p) : size;
  if (n == 5 && memcmp(p, "proxy", 5) == 0) {
    start(conf_proxy);
    p += nl ? 6 : 5;
  } else {
    start(conf_router);
  }
  while (p < end && lines < MAX_LINES) {
    nl = memchr(p, '\n', (size_t)(end - p));
    n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    if (memchr(p, '\0', n) == NULL) {
      line = malloc(n + 1);
      FZ_CHECK(line != NULL, "out of memory");
      memcpy(line, p, n);
      line[n] = '\0';
      reply = mgmd_ctl_execute(&d, line);
      check_reply(line, reply);
      free(reply);
      free(line);
      lines++;
    }
    p = nl ? nl + 1 : end;
  }
  stop();
  return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  /* The log ring and the change log only: nothing on stderr. */
  mgmd_log_open(0, MGMD_LOG_DEBUG, 0);
  return 0;
}
