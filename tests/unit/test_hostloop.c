/*
 * test_hostloop.c - libmgm on a host libuv loop (libmgm_config.loop;
 * libmgm.h "Host loop", design.md 3 and 4).
 *
 * SPDX-License-Identifier: MIT
 *
 * Each test creates its own uv_loop_t and starts libmgm (sim backend) on
 * it.  Packet-triggered callbacks (RPF, creation alert, the prune alert of
 * a new empty MFE) must run on the thread that runs the host loop -- a
 * runner thread, or the test thread itself -- and be delivered before the
 * sim control call returns, whether that call came from another thread
 * (posted, waited for) or from the loop thread (run at once); a loop that
 * libmgm was started on from one thread and that another thread then runs
 * is followed there.  Stop must release every libmgm handle: afterwards
 * uv_walk() finds no handle and uv_loop_close() returns 0, for a stop from
 * another thread, from a callback of the loop, and outside uv_run() (after
 * one more uv_run, as documented).  A stop on the loop thread must serve a
 * sim call another thread has posted meanwhile (no deadlock), and a stop
 * from inside libmgm's own dispatch (the control-packet hook) is refused,
 * with a host loop and with libmgm's own thread.  No timing: threads meet
 * on condition variables, and the one ordering that matters is made
 * certain by the api-channel trace line that libmgm_sim_inject logs once
 * it has entered.
 */
#include "fixture.h"

#include "fx_criterion.h"

#include "platform/loop.h" /* the driver itself, for the loop's time */

#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#define PID_H 7101u
#define S_ IP(10, 1, 1, 5)
#define S2_ IP(10, 1, 1, 6)
#define G_ IP(224, 7, 1, 1)
#define G2_ IP(224, 7, 1, 2)
#define NET_ IP(10, 1, 1, 0)
#define MASK_ IP(255, 255, 255, 0)

TestSuite(hostloop, .timeout = 60);

/* ---- Callback recorder: kind and thread of every callback ---------------- */

#define MAX_REC 64

static pthread_mutex_t rec_mu = PTHREAD_MUTEX_INITIALIZER;
static int rec_kind[MAX_REC];
static pthread_t rec_thr[MAX_REC];
static int n_rec;

static void record(int kind) {
  pthread_mutex_lock(&rec_mu);
  if (n_rec < MAX_REC) {
    rec_kind[n_rec] = kind;
    rec_thr[n_rec] = pthread_self();
    n_rec++;
  }
  pthread_mutex_unlock(&rec_mu);
}

static int rec_count(void) {
  int n;

  pthread_mutex_lock(&rec_mu);
  n = n_rec;
  pthread_mutex_unlock(&rec_mu);
  return n;
}

static void rec_clear(void) {
  pthread_mutex_lock(&rec_mu);
  n_rec = 0;
  pthread_mutex_unlock(&rec_mu);
}

/* Assert the log starts with `kinds` (is exactly `kinds` unless prefix),
 * every callback on thread `thr`; clear it. */
static void expect_on_(pthread_t thr, int n, const int *kinds, int prefix) {
  int i;

  pthread_mutex_lock(&rec_mu);
  if (prefix)
    cr_assert(n_rec >= n, "%d callbacks recorded, want %d or more", n_rec, n);
  else
    cr_assert_eq(n_rec, n, "%d callbacks recorded, want %d", n_rec, n);
  for (i = 0; i < n_rec; i++) {
    if (i < n)
      cr_assert_eq(rec_kind[i], kinds[i], "callback %d is kind %d, want %d", i,
                   rec_kind[i], kinds[i]);
    cr_assert(pthread_equal(rec_thr[i], thr),
              "callback %d (kind %d) ran on the wrong thread", i, rec_kind[i]);
  }
  n_rec = 0;
  pthread_mutex_unlock(&rec_mu);
}

static void expect_on(pthread_t thr, int n, const int *kinds) {
  expect_on_(thr, n, kinds, 0);
}

static DWORD h_rpf(DWORD s, DWORD sm, DWORD g, DWORD gm, PDWORD pi, PDWORD pnh,
                   PDWORD pu, DWORD hs, PBYTE hdr, PBYTE rt) {
  record(FX_RPF);
  return NO_ERROR;
}

static DWORD h_create(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD iif,
                      DWORD inh, DWORD n, PMGM_IF_ENTRY l) {
  record(FX_CREATE);
  return NO_ERROR;
}

static DWORD h_prune(DWORD s, DWORD sm, DWORD g, DWORD gm, DWORD i, DWORD nh,
                     BOOL del, PDWORD tmo) {
  record(FX_PRUNE);
  return NO_ERROR;
}

static HANDLE proto_up(void) {
  ROUTING_PROTOCOL_CONFIG cfg;
  HANDLE h = NULL;
  DWORD rc;

  memset(&cfg, 0, sizeof cfg);
  cfg.pfnRpfCallback = h_rpf;
  cfg.pfnCreationAlertCallback = h_create;
  cfg.pfnPruneAlertCallback = h_prune;
  rc = MgmRegisterMProtocol(&cfg, PID_H, 1, &h);
  cr_assert_eq(rc, NO_ERROR, "MgmRegisterMProtocol = %u", (unsigned)rc);
  rc = MgmTakeInterfaceOwnership(h, 1, 0);
  cr_assert_eq(rc, NO_ERROR, "take 1 = %u", (unsigned)rc);
  rc = MgmTakeInterfaceOwnership(h, 2, 0);
  cr_assert_eq(rc, NO_ERROR, "take 2 = %u", (unsigned)rc);
  rc = MgmAddGroupMembershipEntry(h, 0, 0, G_, FX_ALL, 2, 0,
                                  MGM_JOIN_STATE_FLAG);
  cr_assert_eq(rc, NO_ERROR, "join = %u", (unsigned)rc);
  rc = libmgm_sim_route_add(NET_, MASK_, 1, 0, PROTO_IP_OSPF);
  cr_assert_eq(rc, NO_ERROR, "route = %u", (unsigned)rc);
  rec_clear();
  return h;
}

/* Release and deregister (no callbacks to record for these). */
static DWORD proto_down(HANDLE h) {
  (void)MgmDeleteGroupMembershipEntry(h, 0, 0, G_, FX_ALL, 2, 0,
                                      MGM_JOIN_STATE_FLAG);
  (void)MgmReleaseInterfaceOwnership(h, 2, 0);
  (void)MgmReleaseInterfaceOwnership(h, 1, 0);
  return MgmDeRegisterMProtocol(h);
}

static void config(struct libmgm_config *c, uv_loop_t *loop) {
  libmgm_config_init(c);
  c->backend = "sim";
  c->loop = loop;
}

static void walk_count(uv_handle_t *h, void *arg) {
  (*(int *)arg)++;
}

/* Handles still on the loop, closing ones included. */
static int handles_on(uv_loop_t *loop) {
  int n = 0;

  uv_walk(loop, walk_count, &n);
  return n;
}

/* Inject (S, G) on interface 1; the packet must be forwarded on 2 (G) or
 * dropped by a negative entry (G2). */
static void inject(DWORD s, DWORD g) {
  struct libmgm_sim_result r;
  DWORD rc;

  memset(&r, 0, sizeof r);
  rc = libmgm_sim_inject(1, s, g, 64, 100, &r);
  cr_assert_eq(rc, NO_ERROR, "libmgm_sim_inject = %u", (unsigned)rc);
  if (g == G_) {
    cr_assert_eq(r.verdict, LIBMGM_SIM_FORWARDED, "verdict %u",
                 (unsigned)r.verdict);
    cr_assert_eq(r.n_out, 1u, "n_out %u", (unsigned)r.n_out);
    cr_assert_eq(r.out_ifindex[0], 2u);
  } else {
    cr_assert_eq(r.verdict, LIBMGM_SIM_NEGATIVE, "verdict %u",
                 (unsigned)r.verdict);
  }
}

static const int k_create[] = {FX_RPF, FX_CREATE};
static const int k_negative[] = {FX_RPF, FX_PRUNE};

/* ---- A runner thread runs the host loop --------------------------------- */

struct runner {
  uv_loop_t loop;
  pthread_t thr;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int started;
  DWORD start_rc;
  struct libmgm_config cfg;
  uv_async_t stopper; /* runner_stop test only */
  int use_stopper;
  int entered; /* the test thread is inside libmgm_sim_inject */
  DWORD stop_rc;
  int handles_after;
  int close_rc;
};

static void *runner_main(void *arg) {
  struct runner *r = arg;
  DWORD rc;

  /* libmgm is started on the thread that runs the loop (libmgm.h). */
  rc = libmgm_start(&r->cfg);
  pthread_mutex_lock(&r->mu);
  r->start_rc = rc;
  r->started = 1;
  pthread_cond_broadcast(&r->cv);
  pthread_mutex_unlock(&r->mu);
  if (rc == NO_ERROR)
    uv_run(&r->loop, UV_RUN_DEFAULT); /* returns once nothing is active */
  r->handles_after = handles_on(&r->loop);
  r->close_rc = uv_loop_close(&r->loop);
  return NULL;
}

static void runner_start(struct runner *r) {
  memset(r, 0, sizeof *r);
  cr_assert_eq(uv_loop_init(&r->loop), 0);
  pthread_mutex_init(&r->mu, NULL);
  pthread_cond_init(&r->cv, NULL);
  config(&r->cfg, &r->loop);
}

static void runner_go(struct runner *r) {
  cr_assert_eq(pthread_create(&r->thr, NULL, runner_main, r), 0);
  pthread_mutex_lock(&r->mu);
  while (!r->started)
    pthread_cond_wait(&r->cv, &r->mu);
  pthread_mutex_unlock(&r->mu);
  cr_assert_eq(r->start_rc, NO_ERROR, "libmgm_start(host loop) = %u",
               (unsigned)r->start_rc);
}

static void runner_join(struct runner *r) {
  pthread_join(r->thr, NULL);
  cr_assert_eq(r->handles_after, 0, "%d handles left on the host loop",
               r->handles_after);
  cr_assert_eq(r->close_rc, 0, "uv_loop_close = %d (%s)", r->close_rc,
               uv_strerror(r->close_rc));
}

Test(hostloop, callbacks_on_the_runner_thread) {
  struct runner r;
  ULONGLONG now;
  HANDLE h;

  runner_start(&r);
  runner_go(&r);
  h = proto_up();
  /* Posted to the runner, waited for: both callbacks there, delivered. */
  inject(S_, G_);
  expect_on(r.thr, 2, k_create);
  /* A new (S,G) without members: the prune alert of the new empty MFE. */
  inject(S_, G2_);
  expect_on(r.thr, 2, k_negative);
  /* Timer-driven expiry (virtual clock) on the loop thread: the entries
   * go, so the next packets are new (S,G)s again. */
  cr_assert_eq(libmgm_sim_advance(900 * 1000), NO_ERROR);
  cr_assert_eq(libmgm_sim_now(&now), NO_ERROR);
  cr_assert_eq(now, 900 * 1000ull);
  inject(S_, G_);
  expect_on(r.thr, 2, k_create);
  cr_assert_eq(proto_down(h), NO_ERROR);
  /* From another thread: posted to the runner, returns once released. */
  cr_assert_eq(libmgm_stop(), NO_ERROR);
  runner_join(&r);
}

/* ---- Started on one thread, run on another ------------------------------ */

struct moved {
  uv_loop_t loop;
  uv_async_t ready;
  pthread_t thr;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int running;
};

static void moved_ready(uv_async_t *a) {
  struct moved *m = a->data;

  /* libmgm's own wake-up (sent at start, queued before this one) has run
   * on this thread by now. */
  pthread_mutex_lock(&m->mu);
  m->running = 1;
  pthread_cond_broadcast(&m->cv);
  pthread_mutex_unlock(&m->mu);
  uv_close((uv_handle_t *)a, NULL);
}

static void *moved_main(void *arg) {
  struct moved *m = arg;

  uv_run(&m->loop, UV_RUN_DEFAULT);
  return NULL;
}

Test(hostloop, loop_moved_to_another_thread_is_followed) {
  struct libmgm_config c;
  struct moved m;
  HANDLE h;

  memset(&m, 0, sizeof m);
  pthread_mutex_init(&m.mu, NULL);
  pthread_cond_init(&m.cv, NULL);
  cr_assert_eq(uv_loop_init(&m.loop), 0);
  config(&c, &m.loop);
  cr_assert_eq(libmgm_start(&c), NO_ERROR); /* this thread, then... */
  cr_assert_eq(uv_async_init(&m.loop, &m.ready, moved_ready), 0);
  m.ready.data = &m;
  cr_assert_eq(pthread_create(&m.thr, NULL, moved_main, &m), 0);
  uv_async_send(&m.ready); /* ...the loop runs on m.thr */
  pthread_mutex_lock(&m.mu);
  while (!m.running)
    pthread_cond_wait(&m.cv, &m.mu);
  pthread_mutex_unlock(&m.mu);
  h = proto_up();
  inject(S_, G_);
  expect_on(m.thr, 2, k_create);
  cr_assert_eq(proto_down(h), NO_ERROR);
  cr_assert_eq(libmgm_stop(), NO_ERROR);
  pthread_join(m.thr, NULL);
  cr_assert_eq(handles_on(&m.loop), 0);
  cr_assert_eq(uv_loop_close(&m.loop), 0);
}

/* ---- The test thread runs the loop itself ------------------------------- */

struct single {
  uv_async_t kick;
  HANDLE h;
  int n_cb_nested;
  pthread_t self;
  DWORD inject_rc, down_rc, stop_rc, stop_again_rc;
};

static void single_kick(uv_async_t *a) {
  struct single *s = a->data;
  struct libmgm_sim_result r;

  /* A host callback on the loop thread: the sim call runs at once, here,
   * and its callbacks have run when it returns. */
  rec_clear();
  s->inject_rc = libmgm_sim_inject(1, S2_, G_, 64, 100, &r);
  s->n_cb_nested = rec_count();
  s->down_rc = proto_down(s->h);
  s->stop_rc = libmgm_stop(); /* on the loop thread, from a callback */
  s->stop_again_rc = libmgm_stop();
  uv_close((uv_handle_t *)a, NULL);
}

Test(hostloop, single_thread_stop_from_a_callback) {
  struct libmgm_config c;
  struct single s;
  uv_loop_t loop;

  memset(&s, 0, sizeof s);
  cr_assert_eq(uv_loop_init(&loop), 0);
  config(&c, &loop);
  cr_assert_eq(libmgm_start(&c), NO_ERROR);
  s.h = proto_up();
  /* Before uv_run, on the loop's thread: runs at once, on this thread. */
  inject(S_, G_);
  expect_on(pthread_self(), 2, k_create);
  cr_assert_eq(uv_async_init(&loop, &s.kick, single_kick), 0);
  s.kick.data = &s;
  uv_async_send(&s.kick);
  cr_assert_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
  cr_assert_eq(s.inject_rc, NO_ERROR, "nested inject = %u",
               (unsigned)s.inject_rc);
  cr_assert_eq(s.n_cb_nested, 2,
               "%d callbacks before the nested inject "
               "returned, want 2",
               s.n_cb_nested);
  /* Then the prune alerts of leaving, on this thread too. */
  expect_on_(pthread_self(), 2, k_create, 1);
  cr_assert_eq(s.down_rc, NO_ERROR);
  cr_assert_eq(s.stop_rc, NO_ERROR, "stop from a loop callback = %u",
               (unsigned)s.stop_rc);
  cr_assert_eq(s.stop_again_rc, ERROR_CAN_NOT_COMPLETE);
  cr_assert_eq(handles_on(&loop), 0, "%d handles left", handles_on(&loop));
  cr_assert_eq(uv_loop_close(&loop), 0);
}

Test(hostloop, stop_outside_uv_run_then_one_more_run) {
  struct libmgm_config c;
  uv_loop_t loop;
  HANDLE h;
  int rc;

  cr_assert_eq(uv_loop_init(&loop), 0);
  config(&c, &loop);
  cr_assert_eq(libmgm_start(&c), NO_ERROR);
  h = proto_up();
  inject(S_, G_);
  expect_on(pthread_self(), 2, k_create);
  cr_assert_eq(proto_down(h), NO_ERROR);
  cr_assert_eq(libmgm_stop(), NO_ERROR);
  /* Closed but not yet released: like any uv_close()d handle, they go in
   * the loop's next close phase (libmgm.h). */
  rc = uv_loop_close(&loop);
  cr_assert_eq(rc, UV_EBUSY, "uv_loop_close before the close phase = %d", rc);
  cr_assert_eq(uv_run(&loop, UV_RUN_NOWAIT), 0);
  cr_assert_eq(handles_on(&loop), 0);
  cr_assert_eq(uv_loop_close(&loop), 0);
}

/* ---- Stop on the loop thread while another thread waits for it ---------- */

/* The api-channel trace of libmgm_sim_inject comes after it entered the
 * instance, on the injecting (test) thread. */
static void serve_log(void *ctx, int level, const char *channel,
                      const char *msg) {
  struct runner *r = ctx;

  if (strcmp(channel, "api") != 0 || strstr(msg, "libmgm_sim_inject(") == NULL)
    return;
  pthread_mutex_lock(&r->mu);
  r->entered = 1;
  pthread_cond_broadcast(&r->cv);
  pthread_mutex_unlock(&r->mu);
}

static void serve_stopper(uv_async_t *a) {
  struct runner *r = a->data;

  /* Keep the loop thread busy until the test thread is inside its sim
   * call, which then waits for this thread: stop must serve it. */
  pthread_mutex_lock(&r->mu);
  while (!r->entered)
    pthread_cond_wait(&r->cv, &r->mu);
  pthread_mutex_unlock(&r->mu);
  r->stop_rc = libmgm_stop();
  uv_close((uv_handle_t *)a, NULL);
}

Test(hostloop, stop_on_the_loop_thread_serves_a_waiting_sim_call) {
  struct libmgm_sim_result res;
  struct runner r;
  DWORD rc;

  runner_start(&r);
  r.cfg.log = "warn,api=trace";
  r.cfg.log_fn = serve_log;
  r.cfg.log_ctx = &r;
  cr_assert_eq(uv_async_init(&r.loop, &r.stopper, serve_stopper), 0);
  r.stopper.data = &r;
  runner_go(&r);
  uv_async_send(&r.stopper);
  memset(&res, 0, sizeof res);
  rc = libmgm_sim_inject(1, S_, G_, 64, 100, &res);
  cr_assert_eq(rc, NO_ERROR, "sim call during stop = %u", (unsigned)rc);
  cr_assert_eq(res.verdict, LIBMGM_SIM_NOT_ROUTED, "verdict %u",
               (unsigned)res.verdict);
  runner_join(&r);
  cr_assert_eq(r.stop_rc, NO_ERROR, "stop = %u", (unsigned)r.stop_rc);
}

/* ---- Stop from inside libmgm's dispatch is refused ---------------------- */

static DWORD g_hook_stop_rc;
static int g_hook_ran;

static void stop_from_hook(void *ctx, DWORD ifindex, const BYTE *pkt,
                           DWORD len) {
  g_hook_ran++;
  g_hook_stop_rc = libmgm_stop();
}

static void stop_in_hook_refused(void) {
  static const BYTE pkt[28] = {0x46, 0, 0, 28, 0, 0, 0, 0, 1, 2};

  g_hook_ran = 0;
  g_hook_stop_rc = 0xFFFFu;
  cr_assert_eq(libmgm_set_ctrl_hook(stop_from_hook, NULL), NO_ERROR);
  cr_assert_eq(libmgm_sim_inject_ctrl(1, pkt, sizeof pkt), NO_ERROR);
  cr_assert_eq(g_hook_ran, 1, "control hook ran %d times", g_hook_ran);
  cr_assert_eq(g_hook_stop_rc, ERROR_CAN_NOT_COMPLETE,
               "stop from the control hook = %u", (unsigned)g_hook_stop_rc);
  cr_assert_eq(libmgm_set_ctrl_hook(NULL, NULL), NO_ERROR);
  cr_assert_eq(libmgm_stop(), NO_ERROR); /* still running */
}

Test(hostloop, stop_from_the_control_hook_is_refused) {
  struct libmgm_config c;
  uv_loop_t loop;

  cr_assert_eq(uv_loop_init(&loop), 0);
  config(&c, &loop);
  cr_assert_eq(libmgm_start(&c), NO_ERROR);
  stop_in_hook_refused();
  cr_assert_eq(uv_run(&loop, UV_RUN_NOWAIT), 0);
  cr_assert_eq(uv_loop_close(&loop), 0);
}

Test(hostloop, own_thread_stop_from_the_control_hook_is_refused) {
  struct libmgm_config c;

  config(&c, NULL);
  cr_assert_eq(libmgm_start(&c), NO_ERROR);
  stop_in_hook_refused();
}

/* ---- The loop's wake time, handed to the descriptor callback ------------- */

/* What the descriptor callback was handed (loop.h, now_ms): the time. */
struct tick_seen {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int fd;
  int ran;
  uint64_t ms;
};

static void tick_noop(void *ctx) {
  (void)ctx;
}

static void tick_on_readable(void *ctx, uint64_t now_ms) {
  (void)ctx;
  (void)now_ms;
  cr_assert_fail("on_readable, though on_fd_readable is given");
}

static void tick_on_fd(void *ctx, int fd, uint64_t now_ms) {
  struct tick_seen *t = ctx;
  char b;

  (void)fd;
  if (read(t->fd, &b, 1) != 1)
    b = 0;
  pthread_mutex_lock(&t->mu);
  t->ms = now_ms;
  t->ran++;
  pthread_cond_broadcast(&t->cv);
  pthread_mutex_unlock(&t->mu);
}

static const struct mgm_loop_hooks tick_hooks = {tick_on_readable, tick_noop,
                                                 tick_noop, tick_on_fd};

static uint64_t mono_ms(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void tick_init(struct tick_seen *t, int p[2]) {
  memset(t, 0, sizeof(*t));
  t->ms = UINT64_MAX; /* not handed yet */
  pthread_mutex_init(&t->mu, NULL);
  pthread_cond_init(&t->cv, NULL);
  cr_assert_eq(pipe(p), 0);
  t->fd = p[0];
}

/* libmgm's own loop thread: the callback is handed the time the loop woke
 * at (CLOCK_MONOTONIC milliseconds, between the write and the callback's
 * end). */
Test(hostloop, own_loop_thread_hands_its_wake_time_to_the_callback) {
  const struct mgm_loop_ops *ops = &mgm__loop_uv_ops;
  struct mgm_loop *l = NULL;
  struct tick_seen t;
  uint64_t before, after;
  int p[2];

  tick_init(&t, p);
  cr_assert_eq(ops->open(NULL, &tick_hooks, &t, &l), 0);
  cr_assert_eq(ops->watch(l, &p[0], 1), 0);
  before = mono_ms();
  cr_assert_eq(write(p[1], "x", 1), 1);
  pthread_mutex_lock(&t.mu);
  while (t.ran == 0)
    pthread_cond_wait(&t.cv, &t.mu);
  pthread_mutex_unlock(&t.mu);
  after = mono_ms();
  ops->close(l);
  cr_assert_neq(t.ms, 0, "no loop time in the callback");
  /* The coarse clock libuv may use lags by at most a tick. */
  cr_assert(t.ms + 1000 >= before && t.ms <= after,
            "loop time %llu outside [%llu, %llu]", (unsigned long long)t.ms,
            (unsigned long long)before, (unsigned long long)after);
  close(p[0]);
  close(p[1]);
}

/* On a host loop the host's other callbacks of the iteration may have run
 * first: no time is handed over. */
Test(hostloop, a_host_loop_hands_no_wake_time) {
  const struct mgm_loop_ops *ops = &mgm__loop_uv_ops;
  struct mgm_loop *l = NULL;
  struct tick_seen t;
  uv_loop_t loop;
  int p[2];

  tick_init(&t, p);
  cr_assert_eq(uv_loop_init(&loop), 0);
  cr_assert_eq(ops->open(&loop, &tick_hooks, &t, &l), 0);
  cr_assert_eq(ops->watch(l, &p[0], 1), 0);
  cr_assert_eq(write(p[1], "x", 1), 1);
  while (t.ran == 0)
    uv_run(&loop, UV_RUN_ONCE);
  cr_assert_eq(t.ms, 0, "a host loop handed its time");
  ops->close(l);
  cr_assert_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
  cr_assert_eq(uv_loop_close(&loop), 0);
  close(p[0]);
  close(p[1]);
}
