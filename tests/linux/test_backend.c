/*
 * test_backend.c - the real Linux backend (mgm__linux_ops) against the
 * real kernel, each test in a private network namespace, with errors
 * injected through the posix syscall table (src/platform/posix/sys.h).
 *
 * SPDX-License-Identifier: MIT
 *
 * Criterion runs every test in its own process; the test unshares a fresh
 * network namespace (it dies with the process, so nothing can leak) and
 * makes veth pairs in it with ip(8).  Covered: the documented open errors
 * (EPERM, EBUSY naming the table, ENOTSUP) with their log lines, table
 * isolation, slot exhaustion and reuse, ENOIF, all-or-nothing mfe_set
 * under an injected ENOBUFS, the slot scrub on detach and on device
 * deletion (kernel.md A.13), IF_DEL -> SLOT_LOST ordering, resync after an
 * rtnetlink overrun, the RPF lookup and its cache (answers kept until a
 * route, link or address change, also when the change arrives through the
 * loop's descriptor), upcalls read in batches (budget, order, nothing
 * lost), IGMP packets of any length, upcalls the kernel dropped counted
 * from its own count (SO_MEMINFO), and that close leaves the kernel
 * empty.  Needs root; skips (with the reason) when it may not unshare.
 */
#define _GNU_SOURCE 1

#include "platform/platform.h"
#include "platform/linux/linux.h" /* mgm__lnx_map_errno */
#include "platform/posix/sys.h"
#include "lnxtest.h"

#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sock_diag.h> /* SK_MEMINFO_DROPS */
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOGMAX 64
#define EVMAX 512

static char logs[LOGMAX][256];
static int n_logs;

struct ev {
  char kind; /* 'I' if_event, 'G' gone, 'N' no_entry */
  int type;  /* 'N': the RPF lookup from inside the upcall (rpf_src) */
  uint32_t ifindex;
  struct mgm_mfe_key key;
  uint32_t rpf_if; /* 'N': its interface, 0 if none */
};
static struct ev evs[EVMAX];
static int n_evs;

static struct mgm_backend *be;
static const struct mgm_backend_ops *ops = &mgm__linux_ops;
/* When set, every no_entry upcall looks this source up, as the core's
 * RPF step does, and records the answer. */
static uint32_t rpf_src;

static void t_log(void *ctx, int level, const char *msg) {
  (void)ctx;
  (void)level;
  if (n_logs < LOGMAX)
    snprintf(logs[n_logs++], sizeof(logs[0]), "%s", msg);
}

static int log_has(const char *needle) {
  int i;

  for (i = 0; i < n_logs; i++)
    if (strstr(logs[i], needle) != NULL)
      return 1;
  return 0;
}

static void t_if_event(void *ctx, const struct mgm_if_event *e) {
  (void)ctx;
  if (n_evs < EVMAX)
    evs[n_evs++] = (struct ev){'I', (int)e->type, e->ifindex, {0, 0}, 0};
}

static void t_no_entry(void *ctx, uint32_t iif, uint32_t s, uint32_t g,
                       const void *h, size_t l) {
  struct mgm_route r;
  int rc = 0;

  (void)ctx;
  (void)h;
  (void)l;
  memset(&r, 0, sizeof(r));
  if (rpf_src != 0)
    rc = ops->route_lookup(be, rpf_src, &r);
  if (n_evs < EVMAX)
    evs[n_evs++] = (struct ev){'N', rc, iif, {s, g}, r.ifindex};
}

static void t_gone(void *ctx, const struct mgm_mfe_key *k,
                   enum mgm_mfe_gone why) {
  (void)ctx;
  if (n_evs < EVMAX)
    evs[n_evs++] = (struct ev){'G', (int)why, 0, *k, 0};
}

static const struct mgm_be_upcalls upcalls = {t_if_event, t_no_entry, NULL,
                                              t_gone,     NULL,       NULL};

static void setup(void) {
  lnx_enter_netns();
  lnx_sh("ip link set lo up");
  n_logs = 0;
  n_evs = 0;
  be = NULL;
  rpf_src = 0;
  mgm__sys_reset();
}

static void teardown(void) {
  mgm__sys_reset();
  if (be != NULL)
    ops->close(be);
  be = NULL;
}

TestSuite(backend, .init = setup, .fini = teardown, .timeout = 60);

/* Open the backend with these upcalls, on table (0: the default), with a
 * router-socket buffer of rcvbuf bytes (0: the backend's default). */
static int open_be_with(const struct mgm_be_upcalls *up, uint32_t table,
                        uint32_t rcvbuf, struct mgm_backend **out) {
  struct mgm_be_config cfg;

  memset(&cfg, 0, sizeof(cfg));
  cfg.table = table;
  cfg.rcvbuf_bytes = rcvbuf;
  cfg.log = t_log;
  return ops->open(&cfg, up, NULL, out);
}

static int open_be(uint32_t table, struct mgm_backend **out) {
  return open_be_with(&upcalls, table, 0, out);
}

/* The backend (default table) with a0 attached; fds gets its descriptors
 * (router socket first). */
static void open_on_a0(const struct mgm_be_upcalls *up, uint32_t rcvbuf,
                       int fds[8]) {
  size_t nfds = 8;

  cr_assert_eq(open_be_with(up, 0, rcvbuf, &be), 0);
  cr_assert_eq(ops->fds(be, fds, &nfds), 0);
  cr_assert_eq(ops->if_attach(be, lnx_ifx("a0")), 0);
}

static void pairs(int n) {
  int i;

  for (i = 0; i < n; i++) {
    lnx_sh("ip link add a%d type veth peer name b%d", i, i);
    lnx_sh("ip link set a%d up && ip link set b%d up", i, i);
  }
}

/* Both ends of a pair live in this namespace: dev must accept a local
 * source, and no reverse-path filter may drop it. */
static void accept_local(const char *dev) {
  lnx_sh("sysctl -qw net.ipv4.conf.%s.accept_local=1 "
         "net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.%s.rp_filter=0",
         dev, dev);
}

static void drain(void) {
  int i;

  for (i = 0; i < 50; i++)
    if (ops->dispatch(be, 1000, 0) <= 0 && i > 2)
      break;
}

/* The /proc/net/ip_mr_cache line of (S,G), or "" (default table only). */
static void cache_line(const char *src, const char *grp, char *out,
                       size_t cap) {
  char line[512];
  char want[32];
  FILE *f;
  struct in_addr s;
  struct in_addr g;

  inet_pton(AF_INET, src, &s);
  inet_pton(AF_INET, grp, &g);
  snprintf(want, sizeof(want), "%08X %08X", g.s_addr, s.s_addr);
  out[0] = '\0';
  f = fopen("/proc/net/ip_mr_cache", "r");
  cr_assert_not_null(f);
  while (fgets(line, sizeof(line), f) != NULL)
    if (strncmp(line, want, strlen(want)) == 0)
      snprintf(out, cap, "%s", line);
  fclose(f);
}

static int proc_lines(const char *path) {
  char line[512];
  FILE *f;
  int n = 0;

  f = fopen(path, "r");
  cr_assert_not_null(f);
  while (fgets(line, sizeof(line), f) != NULL)
    n++;
  fclose(f);
  return n - 1; /* header */
}

static struct mgm_fwd fwd(const char *src, const char *grp, uint32_t iif,
                          struct mgm_oif *oif, uint16_t n) {
  struct mgm_fwd f;

  memset(&f, 0, sizeof(f));
  f.key.source = lnx_ip(src);
  f.key.group = lnx_ip(grp);
  f.iif = iif;
  f.oif = oif;
  f.n_oif = n;
  return f;
}

Test(backend, open_and_close_leave_nothing) {
  struct mgm_oif o[1];
  struct mgm_fwd f;

  pairs(1);
  cr_assert_eq(open_be(0, &be), 0);
  cr_assert_eq(ops->if_attach(be, lnx_ifx("a0")), 0);
  cr_assert_eq(ops->if_attach(be, lnx_ifx("b0")), 0);
  o[0] = (struct mgm_oif){lnx_ifx("b0"), 0, 0};
  f = fwd("10.0.0.1", "239.1.1.1", lnx_ifx("a0"), o, 1);
  cr_assert_eq(ops->mfe_set(be, &f), 0);
  cr_expect_eq(proc_lines("/proc/net/ip_mr_vif"), 2);
  cr_expect_eq(proc_lines("/proc/net/ip_mr_cache"), 1);
  ops->close(be);
  be = NULL;
  cr_expect_eq(proc_lines("/proc/net/ip_mr_vif"), 0);
  cr_expect_eq(proc_lines("/proc/net/ip_mr_cache"), 0);
}

Test(backend, second_router_on_a_table_is_busy) {
  struct mgm_backend *b2 = NULL;

  cr_assert_eq(open_be(0, &be), 0);
  cr_expect_eq(open_be(0, &b2), MGM_BE_EBUSY);
  cr_expect_null(b2);
  cr_expect(log_has("another multicast router owns table 253"));
}

Test(backend, tables_are_isolated) {
  struct mgm_backend *b2 = NULL;
  struct mgm_backend *b3 = NULL;

  cr_assert_eq(open_be(100, &be), 0);
  cr_expect_eq(open_be(100, &b2), MGM_BE_EBUSY);
  cr_expect(log_has("another multicast router owns table 100"));
  cr_assert_eq(open_be(101, &b3), 0);
  pairs(1);
  cr_expect_eq(ops->if_attach(be, lnx_ifx("a0")), 0);
  cr_expect_eq(ops->if_attach(b3, lnx_ifx("a0")), 0);
  ops->close(b3);
}

Test(backend, injected_open_errors_map_and_log) {
  struct mgm_backend *b = NULL;

  mgm__sys_fail(MGM_SYS_SOCKET, 1, EPERM);
  cr_expect_eq(open_be(0, &b), MGM_BE_EPERM);
  cr_expect(log_has("no privilege"));
  mgm__sys_fail(MGM_SYS_SETSOCKOPT, 1, ENOPROTOOPT); /* MRT_INIT */
  cr_expect_eq(open_be(0, &b), MGM_BE_ENOTSUP);
  cr_expect(log_has("multicast routing not enabled"));
  mgm__sys_fail(MGM_SYS_SETSOCKOPT, 1, ENOPROTOOPT); /* MRT_TABLE */
  cr_expect_eq(open_be(7, &b), MGM_BE_ENOTSUP);
  cr_expect(log_has("CONFIG_IP_MROUTE_MULTIPLE_TABLES"));
  mgm__sys_fail(MGM_SYS_SETSOCKOPT, 1, EADDRINUSE);
  cr_expect_eq(open_be(0, &b), MGM_BE_EBUSY);
  mgm__sys_fail(MGM_SYS_SOCKET, 1, ENOMEM);
  cr_expect_eq(open_be(0, &b), MGM_BE_ENOMEM);
  cr_expect_null(b);
  cr_expect_eq(mgm__sys_faults_fired(), 5);
  /* Nothing half-open stayed behind: a clean open still works. */
  cr_expect_eq(open_be(0, &be), 0);
}

Test(backend, attach_is_refcounted_and_checks_the_device) {
  pairs(1);
  cr_assert_eq(open_be(0, &be), 0);
  cr_expect_eq(ops->if_attach(be, 999), MGM_BE_ENOIF);
  cr_expect_eq(ops->if_attach(be, lnx_ifx("a0")), 0);
  cr_expect_eq(ops->if_attach(be, lnx_ifx("a0")), 0);
  cr_expect_eq(proc_lines("/proc/net/ip_mr_vif"), 1);
  cr_expect_eq(ops->if_detach(be, lnx_ifx("a0")), 0);
  cr_expect_eq(proc_lines("/proc/net/ip_mr_vif"), 1);
  cr_expect_eq(ops->if_detach(be, lnx_ifx("a0")), 0);
  cr_expect_eq(proc_lines("/proc/net/ip_mr_vif"), 0);
  cr_expect_eq(ops->if_detach(be, lnx_ifx("a0")), MGM_BE_ENOENT);
}

Test(backend, thirty_third_slot_is_refused) {
  char name[16];
  uint32_t ix[34];
  int i;

  pairs(17);
  cr_assert_eq(open_be(0, &be), 0);
  for (i = 0; i < 34; i++) {
    snprintf(name, sizeof(name), "%c%d", i % 2 ? 'b' : 'a', i / 2);
    ix[i] = lnx_ifx(name);
  }
  for (i = 0; i < 32; i++)
    cr_assert_eq(ops->if_attach(be, ix[i]), 0, "slot %d", i);
  cr_expect_eq(ops->if_attach(be, ix[32]), MGM_BE_ENOSLOT);
  cr_expect_eq(ops->if_attach(be, ix[0]), 0); /* a refcount, not a slot */
  cr_expect_eq(ops->if_detach(be, ix[5]), 0);
  cr_expect_eq(ops->if_attach(be, ix[32]), 0);
  cr_expect_eq(ops->if_attach(be, ix[33]), MGM_BE_ENOSLOT);
}

Test(backend, mfe_set_is_all_or_nothing) {
  struct mgm_oif o[2];
  struct mgm_fwd f;
  struct mgm_fwd_stats st;

  pairs(2);
  cr_assert_eq(open_be(0, &be), 0);
  cr_assert_eq(ops->if_attach(be, lnx_ifx("a0")), 0);
  cr_assert_eq(ops->if_attach(be, lnx_ifx("a1")), 0);
  o[0] = (struct mgm_oif){lnx_ifx("a1"), 0, 0};
  o[1] = (struct mgm_oif){lnx_ifx("b1"), 0, 0}; /* not attached */
  f = fwd("10.0.0.1", "239.1.1.1", lnx_ifx("a0"), o, 2);
  cr_expect_eq(ops->mfe_set(be, &f), MGM_BE_ENOIF);
  cr_expect_eq(ops->mfe_stats(be, &f.key, &st), MGM_BE_ENOENT);
  f = fwd("10.0.0.1", "239.1.1.1", lnx_ifx("b0"), o, 1); /* iif unattached */
  cr_expect_eq(ops->mfe_set(be, &f), MGM_BE_ENOIF);
  f = fwd("10.0.0.1", "10.1.1.1", lnx_ifx("a0"), o, 1); /* unicast group */
  cr_expect_eq(ops->mfe_set(be, &f), MGM_BE_EINVAL);
  f = fwd("10.0.0.1", "239.1.1.1", lnx_ifx("a0"), o, 1);
  mgm__sys_fail(MGM_SYS_SETSOCKOPT, 1, ENOBUFS);
  cr_expect_eq(ops->mfe_set(be, &f), MGM_BE_ENOMEM);
  cr_expect_eq(ops->mfe_stats(be, &f.key, &st), MGM_BE_ENOENT);
  cr_expect_eq(ops->mfe_set(be, &f), 0);
  cr_expect_eq(ops->mfe_stats(be, &f.key, &st), 0);
  cr_expect_eq(st.pkts, 0);
  cr_expect_eq(st.idle_ms, UINT32_MAX);
  /* A negative entry (no outputs) and deletion. */
  f.n_oif = 0;
  cr_expect_eq(ops->mfe_set(be, &f), 0);
  cr_expect_eq(ops->mfe_del(be, &f.key), 0);
  cr_expect_eq(ops->mfe_del(be, &f.key), MGM_BE_ENOENT);
}

Test(backend, detach_scrubs_entries_naming_the_slot) {
  struct mgm_oif o[2];
  struct mgm_fwd f;
  char line[512];

  pairs(2);
  cr_assert_eq(open_be(0, &be), 0);
  cr_assert_eq(ops->if_attach(be, lnx_ifx("a0")), 0); /* vif 0 */
  cr_assert_eq(ops->if_attach(be, lnx_ifx("a1")), 0); /* vif 1 */
  cr_assert_eq(ops->if_attach(be, lnx_ifx("b1")), 0); /* vif 2 */
  o[0] = (struct mgm_oif){lnx_ifx("a1"), 0, 0};
  o[1] = (struct mgm_oif){lnx_ifx("b1"), 0, 3};
  f = fwd("10.0.0.1", "239.1.1.1", lnx_ifx("a0"), o, 2);
  cr_assert_eq(ops->mfe_set(be, &f), 0);
  cache_line("10.0.0.1", "239.1.1.1", line, sizeof(line));
  cr_expect(strstr(line, " 1:1 ") != NULL && strstr(line, " 2:3") != NULL,
            "got %s", line);
  /* Output b1 goes: the entry is rewritten without vif 2. */
  cr_assert_eq(ops->if_detach(be, lnx_ifx("b1")), 0);
  cache_line("10.0.0.1", "239.1.1.1", line, sizeof(line));
  cr_expect(strstr(line, " 1:1") != NULL && strstr(line, "2:") == NULL,
            "got %s", line);
  /* Re-using vif 2 for another device must not revive the output. */
  cr_assert_eq(ops->if_attach(be, lnx_ifx("b0")), 0);
  cache_line("10.0.0.1", "239.1.1.1", line, sizeof(line));
  cr_expect(strstr(line, "2:") == NULL, "stale output revived: %s", line);
  /* The iif goes: the entry is deleted and reported. */
  cr_assert_eq(ops->if_detach(be, lnx_ifx("a0")), 0);
  cache_line("10.0.0.1", "239.1.1.1", line, sizeof(line));
  cr_expect_str_eq(line, "");
  drain();
  cr_assert_geq(n_evs, 1);
  cr_expect_eq(evs[n_evs - 1].kind, 'G');
  cr_expect_eq(evs[n_evs - 1].type, MGM_GONE_IF_DEPARTED);
  cr_expect_eq(evs[n_evs - 1].key.group, lnx_ip("239.1.1.1"));
}

Test(backend, deleted_device_loses_its_slot_cleanly) {
  struct mgm_oif o[2];
  struct mgm_fwd f;
  char line[512];
  uint32_t gone;
  int i;
  int del = -1;
  int lost = -1;

  pairs(2);
  cr_assert_eq(open_be(0, &be), 0);
  cr_assert_eq(ops->if_attach(be, lnx_ifx("a0")), 0); /* vif 0 */
  cr_assert_eq(ops->if_attach(be, lnx_ifx("a1")), 0); /* vif 1 */
  o[0] = (struct mgm_oif){lnx_ifx("a1"), 0, 0};
  f = fwd("10.0.0.1", "239.1.1.1", lnx_ifx("a0"), o, 1);
  cr_assert_eq(ops->mfe_set(be, &f), 0);
  gone = lnx_ifx("a1");
  lnx_sh("ip link del a1");
  drain();
  for (i = 0; i < n_evs; i++) {
    if (evs[i].kind == 'I' && evs[i].ifindex == gone &&
        evs[i].type == MGM_IF_DEL)
      del = i;
    if (evs[i].kind == 'I' && evs[i].ifindex == gone &&
        evs[i].type == MGM_IF_SLOT_LOST)
      lost = i;
  }
  cr_expect_geq(del, 0, "no IF_DEL");
  cr_expect_gt(lost, del, "SLOT_LOST must follow IF_DEL");
  /* The freed vif 1 goes to a new device: no stale output on it. */
  lnx_sh("ip link add c0 type veth peer name c1 && ip link set c0 up");
  cr_assert_eq(ops->if_attach(be, lnx_ifx("c0")), 0);
  cache_line("10.0.0.1", "239.1.1.1", line, sizeof(line));
  cr_expect(line[0] != '\0' && strstr(line, "1:") == NULL,
            "stale output on the re-used slot: %s", line);
}

Test(backend, resync_replays_interfaces) {
  int i;
  int adds = 0;

  pairs(2);
  cr_assert_eq(open_be(0, &be), 0);
  cr_assert_eq(ops->resync(be), 0);
  for (i = 0; i < n_evs; i++)
    if (evs[i].kind == 'I' && evs[i].type == MGM_IF_ADD)
      adds++;
  cr_expect_eq(adds, 5, "lo + 4 veths, got %d", adds);
}

Test(backend, netlink_overrun_triggers_a_resync) {
  int i;
  int adds = 0;

  cr_assert_eq(open_be(0, &be), 0);
  pairs(1);
  /* The next read of the event socket reports an overrun. */
  mgm__sys_fail(MGM_SYS_RECVMSG, 1, ENOBUFS);
  drain();
  cr_expect_eq(mgm__sys_faults_fired(), 1);
  for (i = 0; i < n_evs; i++)
    if (evs[i].kind == 'I' && evs[i].type == MGM_IF_ADD)
      adds++;
  /* a0/b0 announced by events and by the replay: lo + 2 at least. */
  cr_expect_geq(adds, 3, "got %d", adds);
}

Test(backend, route_lookup_toward_the_source) {
  struct mgm_route r;

  pairs(1);
  lnx_sh("ip addr add 10.5.0.1/24 dev a0");
  lnx_sh("ip route add 192.0.2.0/24 via 10.5.0.254 proto static");
  cr_assert_eq(open_be(0, &be), 0);
  cr_assert_eq(ops->route_lookup(be, lnx_ip("192.0.2.77"), &r), 0);
  cr_expect_eq(r.ifindex, lnx_ifx("a0"));
  cr_expect_eq(r.upstream, lnx_ip("10.5.0.254"));
  cr_expect_eq(r.network, lnx_ip("192.0.2.0"));
  cr_expect_eq(r.mask, lnx_ip("255.255.255.0"));
  cr_expect_eq(r.protocol, 3); /* PROTO_IP_NETMGMT */
  cr_assert_eq(ops->route_lookup(be, lnx_ip("10.5.0.9"), &r), 0);
  cr_expect_eq(r.upstream, 0);
  cr_expect_eq(r.protocol, 2); /* PROTO_IP_LOCAL */
  cr_expect_eq(ops->route_lookup(be, lnx_ip("198.51.100.1"), &r),
               MGM_BE_ENOENT);
}

/* RPF answers are cached per source until the routing changes. */
Test(backend, route_cache_follows_routing_changes) {
  struct mgm_route r;

  pairs(2);
  lnx_sh("ip addr add 10.5.0.1/24 dev a0 && ip addr add 10.6.0.1/24 dev a1");
  lnx_sh("ip route add 192.0.2.0/24 via 10.5.0.254");
  cr_assert_eq(open_be(0, &be), 0);
  cr_assert_eq(ops->route_lookup(be, lnx_ip("192.0.2.77"), &r), 0);
  cr_expect_eq(r.ifindex, lnx_ifx("a0"));
  cr_expect_eq(ops->route_lookup(be, lnx_ip("198.51.100.1"), &r),
               MGM_BE_ENOENT);
  /* Nothing changed: both answers come from the cache, the kernel is not
   * asked (an ask would fail here). */
  mgm__sys_fail(MGM_SYS_SENDTO, 1, EIO);
  cr_assert_eq(ops->route_lookup(be, lnx_ip("192.0.2.77"), &r), 0);
  cr_expect_eq(r.ifindex, lnx_ifx("a0"));
  cr_expect_eq(r.upstream, lnx_ip("10.5.0.254"));
  cr_expect_eq(ops->route_lookup(be, lnx_ip("198.51.100.1"), &r),
               MGM_BE_ENOENT);
  cr_expect_eq(mgm__sys_faults_fired(), 0, "a cached answer asked the kernel");
  mgm__sys_fail(NULL, 0, 0);
  /* The listener fails to read: flushed, asked again, cached again. */
  mgm__sys_fail(MGM_SYS_RECVMSG, 1, EIO);
  cr_assert_eq(ops->route_lookup(be, lnx_ip("192.0.2.77"), &r), 0);
  cr_expect_eq(mgm__sys_faults_fired(), 1);
  cr_expect_eq(r.ifindex, lnx_ifx("a0"));
  mgm__sys_fail(MGM_SYS_SENDTO, 1, EIO);
  cr_assert_eq(ops->route_lookup(be, lnx_ip("192.0.2.77"), &r), 0);
  cr_expect_eq(mgm__sys_faults_fired(), 1, "not cached again");
  mgm__sys_fail(NULL, 0, 0);
  /* A route replaced. */
  lnx_sh("ip route replace 192.0.2.0/24 via 10.6.0.254");
  cr_assert_eq(ops->route_lookup(be, lnx_ip("192.0.2.77"), &r), 0);
  cr_expect_eq(r.ifindex, lnx_ifx("a1"), "stale answer after a route change");
  cr_expect_eq(r.upstream, lnx_ip("10.6.0.254"));
  /* A route added where there was none: the negative answer goes too. */
  lnx_sh("ip route add 198.51.100.0/24 via 10.5.0.254");
  cr_assert_eq(ops->route_lookup(be, lnx_ip("198.51.100.1"), &r), 0);
  cr_expect_eq(r.ifindex, lnx_ifx("a0"));
  /* The link under a route goes down: the kernel drops the route without
   * an RTM_DELROUTE; the link event must flush the cache. */
  cr_assert_eq(ops->route_lookup(be, lnx_ip("192.0.2.77"), &r), 0);
  lnx_sh("ip link set a1 down");
  cr_expect_eq(ops->route_lookup(be, lnx_ip("192.0.2.77"), &r), MGM_BE_ENOENT,
               "still routed through a1 (ifindex %u)", r.ifindex);
}

/* Send one datagram from src (an address on a b-side link) to each of the
 * n groups first, first + 1, ... (host order), then give the kernel 100 ms
 * to queue the upcalls. */
static void send_groups(const char *src, uint32_t first, int n) {
  struct sockaddr_in to;
  struct in_addr a;
  int ttl = 4;
  int zero = 0;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int i;

  cr_assert_geq(fd, 0);
  inet_pton(AF_INET, src, &a);
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &a, sizeof(a));
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl));
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof(zero));
  memset(&to, 0, sizeof(to));
  to.sin_family = AF_INET;
  to.sin_port = htons(5000);
  for (i = 0; i < n; i++) {
    to.sin_addr.s_addr = htonl(first + (uint32_t)i);
    cr_assert_eq(sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)), 1);
  }
  close(fd);
  usleep(100000);
}

/* Upcalls are read in batches: a budget smaller than a batch is honoured,
 * nothing is lost, the order is kept; the RPF lookup made from inside an
 * upcall sees a routing change made before the packet, whether the
 * change came through dispatch() or the loop's own descriptor. */
Test(backend, upcall_batches_keep_budget_order_and_routes) {
  int fds[8];
  size_t nfds = 8;
  uint32_t last = 0;
  int n_up = 0;
  uint64_t igmp0;
  int igmp;
  int rc;
  int i;

  pairs(2);
  lnx_sh("ip addr add 10.7.0.1/24 dev a0 && ip addr add 10.7.0.2/24 dev b0");
  lnx_sh("ip addr add 10.8.0.1/24 dev a1");
  lnx_sh("ip route add 192.0.2.0/24 via 10.7.0.254");
  accept_local("a0");
  cr_assert_eq(open_be(0, &be), 0);
  cr_assert_eq(ops->fds(be, fds, &nfds), 0);
  cr_assert_eq(nfds, 4, "router socket, events, wake pipe, route changes");
  cr_assert_eq(ops->if_attach(be, lnx_ifx("a0")), 0);
  cr_assert_eq(
      ops->route_lookup(be, lnx_ip("192.0.2.1"), &(struct mgm_route){0}), 0);
  drain();
  n_evs = 0;
  rpf_src = lnx_ip("192.0.2.1");
  send_groups("10.7.0.2", 0xef090000u, 40); /* 239.9.0.0 - 239.9.0.39 */
  /* A budget of 7, below the batch size: 7 handled, the rest waits.  One
   * of the 7 may be the backend's own IGMP report (it joins the router
   * groups on each VIF; the kernel repeats the report after a random
   * delay), looped back and dropped: it uses budget but is no upcall. */
  igmp0 = be->cnt.igmp + be->cnt.igmp_own + be->cnt.igmp_foreign;
  rc = ops->dispatch_fd(be, fds[0], 7, 0);
  cr_expect_eq(rc, 7, "dispatch_fd returned %d", rc);
  igmp = (int)(be->cnt.igmp + be->cnt.igmp_own + be->cnt.igmp_foreign - igmp0);
  cr_expect(n_evs >= 1 && n_evs + igmp == 7,
            "%d upcalls and %d IGMP packets for a budget of 7", n_evs, igmp);
  drain();
  for (i = 0; i < n_evs; i++) {
    if (evs[i].kind != 'N')
      continue;
    n_up++;
    cr_expect_gt(ntohl(evs[i].key.group), last, "order lost at %d", i);
    last = ntohl(evs[i].key.group);
    cr_expect_eq(evs[i].type, 0);
    cr_expect_eq(evs[i].rpf_if, lnx_ifx("a0"));
  }
  cr_expect_eq(n_up, 40, "%d of 40 upcalls", n_up);
  /* The route moves, then a packet: dispatch() sees the change. */
  lnx_sh("ip route replace 192.0.2.0/24 via 10.8.0.254");
  n_evs = 0;
  send_groups("10.7.0.2", 0xef090100u, 1);
  drain();
  cr_assert_eq(n_evs, 1);
  cr_expect_eq(evs[0].rpf_if, lnx_ifx("a1"), "stale RPF after a route change");
  /* Back, then a packet, through the loop's path: the listener's
   * descriptor first (the loop reports it first), then the router's. */
  lnx_sh("ip route replace 192.0.2.0/24 via 10.7.0.254");
  n_evs = 0;
  send_groups("10.7.0.2", 0xef090101u, 1);
  ops->dispatch_fd(be, fds[3], 64, 0);
  ops->dispatch_fd(be, fds[0], 64, 0);
  cr_assert_eq(n_evs, 1);
  cr_expect_eq(evs[0].rpf_if, lnx_ifx("a0"), "stale RPF after a route change");
}

/* A clock that moves one second per read, counting its reads. */
static unsigned clock_reads;

static int t_clock(clockid_t clk, struct timespec *ts) {
  (void)clk;
  clock_reads++;
  ts->tv_sec = 1000 + (time_t)clock_reads;
  ts->tv_nsec = 0;
  return 0;
}

static uint64_t batch_now[128];
static int n_batch_now;

static void t_no_entry_now(void *ctx, uint32_t iif, uint32_t s, uint32_t g,
                           const void *h, size_t l) {
  if (n_batch_now < 128)
    batch_now[n_batch_now++] = ops->now_ms(be);
  t_no_entry(ctx, iif, s, g, h, l);
}

/* The upcalls of one batch share one clock read, taken when the first of
 * them asks; outside a batch every now_ms reads the clock. */
Test(backend, a_batch_of_upcalls_reads_the_clock_once) {
  static const struct mgm_be_upcalls up = {t_if_event, t_no_entry_now, NULL,
                                           t_gone,     NULL,           NULL};
  int fds[8];
  uint64_t t0, t1;
  unsigned r0;
  int i;

  pairs(1);
  lnx_sh("ip addr add 10.7.0.1/24 dev a0 && ip addr add 10.7.0.2/24 dev b0");
  accept_local("a0");
  open_on_a0(&up, 0, fds);
  drain();
  mgm__sys_override(MGM_SYS_CLOCK_GETTIME, (void (*)(void))t_clock);
  t0 = ops->now_ms(be);
  t1 = ops->now_ms(be);
  cr_expect_eq(t1 - t0, 1000, "outside a batch each call reads the clock");
  send_groups("10.7.0.2", 0xef0a0000u, 10); /* 239.10.0.0 - 239.10.0.9 */
  r0 = clock_reads;
  n_batch_now = 0;
  ops->dispatch_fd(be, fds[0], 64, 0);
  cr_assert_eq(n_batch_now, 10, "%d of 10 upcalls", n_batch_now);
  cr_expect_eq(clock_reads - r0, 1, "%u clock reads for one batch",
               clock_reads - r0);
  for (i = 1; i < n_batch_now; i++)
    cr_expect_eq(batch_now[i], batch_now[0], "upcall %d read its own time", i);
  cr_expect_gt(batch_now[0], t1, "the batch's time is read at the batch");
  cr_expect_gt(ops->now_ms(be), batch_now[0], "the batch's clock outlived it");
  cr_expect_eq(clock_reads - r0, 2);
}

/* Handed the time the loop woke at (dispatch's now_ms, platform.h), the
 * first batch takes it and reads no clock; a later batch of the same
 * dispatch reads it, and so does one of a later dispatch. */
Test(backend, the_first_batch_of_a_loop_callback_takes_the_loop_time) {
  static const struct mgm_be_upcalls up = {t_if_event, t_no_entry_now, NULL,
                                           t_gone,     NULL,           NULL};
  const uint64_t woke = 777000;
  int fds[8];
  uint64_t t;
  unsigned r0;
  int i;

  pairs(1);
  lnx_sh("ip addr add 10.7.0.1/24 dev a0 && ip addr add 10.7.0.2/24 dev b0");
  accept_local("a0");
  open_on_a0(&up, 0, fds);
  drain();
  mgm__sys_override(MGM_SYS_CLOCK_GETTIME, (void (*)(void))t_clock);
  /* More new flows than one batch holds: two batches in one callback. */
  send_groups("10.7.0.2", 0xef0d0000u, MGM__LNX_BATCH + 4);
  r0 = clock_reads;
  n_batch_now = 0;
  ops->dispatch_fd(be, fds[0], 2 * MGM__LNX_BATCH, woke);
  cr_assert_eq(n_batch_now, MGM__LNX_BATCH + 4, "%d upcalls", n_batch_now);
  /* The first batch (MGM__LNX_BATCH datagrams, an IGMP packet of the
   * kernel's among them at times) at the loop's time, the rest at one
   * later clock read. */
  for (i = 0; i < n_batch_now && batch_now[i] == woke; i++)
    ;
  cr_expect_geq(i, MGM__LNX_BATCH / 2, "%d upcalls at the loop's time", i);
  cr_expect_lt(i, n_batch_now, "no second batch");
  for (; i < n_batch_now; i++)
    cr_expect_eq(batch_now[i], batch_now[n_batch_now - 1],
                 "upcall %d of the second batch: %llu", i,
                 (unsigned long long)batch_now[i]);
  cr_expect_gt(batch_now[n_batch_now - 1], woke);
  cr_expect_eq(clock_reads - r0, 1, "%u clock reads for the two batches",
               clock_reads - r0);
  /* A wake time handed to a dispatch that read nothing does not outlive
   * it either. */
  ops->dispatch_fd(be, fds[0], 64, woke);
  send_groups("10.7.0.2", 0xef0d0100u, 2);
  r0 = clock_reads;
  n_batch_now = 0;
  ops->dispatch_fd(be, fds[0], 64, 0);
  cr_assert_eq(n_batch_now, 2);
  cr_expect_eq(clock_reads - r0, 1);
  t = ops->now_ms(be);
  cr_expect_gt(t, woke, "outside a batch now_ms reads the clock");
}

/* IGMP packets handed up whole, as the ctrl_packet upcall saw them. */
struct ctrl_pkt {
  uint32_t ifindex;
  size_t len;
  uint8_t data[9000];
};
static struct ctrl_pkt ctrl_pkts[8];
static int n_ctrl_pkts;

static void t_ctrl_packet(void *ctx, uint32_t ifindex, const void *pkt,
                          size_t len) {
  (void)ctx;
  if (n_ctrl_pkts < 8 && len <= sizeof(ctrl_pkts[0].data)) {
    ctrl_pkts[n_ctrl_pkts].ifindex = ifindex;
    ctrl_pkts[n_ctrl_pkts].len = len;
    memcpy(ctrl_pkts[n_ctrl_pkts].data, pkt, len);
    n_ctrl_pkts++;
  }
}

static const struct mgm_be_upcalls up_ctrl = {t_if_event, t_no_entry,    NULL,
                                              t_gone,     t_ctrl_packet, NULL};

/* A raw socket sending out of dev, IP header included. */
static int igmp_sender(const char *dev) {
  int one = 1;
  int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);

  cr_assert_geq(fd, 0);
  cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, strlen(dev)),
               0);
  cr_assert_eq(setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)), 0);
  return fd;
}

/* Sends p (len bytes, len >= 21) as an IGMPv3 report from a source that is
 * no address of ours (10.7.0.99) to 224.0.0.22, the group the backend
 * joins on the interfaces it attaches.  Writes the IP header and the IGMP
 * type over p's first 21 bytes; the rest is the caller's. */
static void send_igmp(int fd, uint8_t *p, size_t len) {
  struct sockaddr_in to;
  uint16_t tot = htons((uint16_t)len);
  uint32_t a;

  memset(&to, 0, sizeof(to));
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = lnx_ip("224.0.0.22");
  p[0] = 0x45; /* IPv4, 20-byte header */
  p[1] = 0xc0;
  memcpy(p + 2, &tot, 2);
  p[6] = 0;
  p[7] = 0;
  p[8] = 1;            /* TTL */
  p[9] = IPPROTO_IGMP; /* protocol */
  p[10] = p[11] = 0;   /* the kernel sets the checksum */
  a = lnx_ip("10.7.0.99");
  memcpy(p + 12, &a, 4);
  memcpy(p + 16, &to.sin_addr.s_addr, 4);
  p[20] = 0x22; /* IGMPv3 report */
  cr_assert_eq(sendto(fd, p, len, 0, (struct sockaddr *)&to, sizeof(to)),
               (ssize_t)len, "send %zu: %s", len, strerror(errno));
}

/* A batch holding IGMP packets longer and shorter than the part of each
 * datagram read beside the others (MGM__LNX_RXHEAD): each is handed up
 * whole, none is mixed with another's bytes. */
Test(backend, igmp_packets_of_any_length_arrive_whole_in_one_batch) {
  static const size_t lens[] = {
      36, 5000, MGM__LNX_RXHEAD, MGM__LNX_RXHEAD + 1, 1400, 300};
  enum { NP = sizeof(lens) / sizeof(lens[0]) };
  static uint8_t pkt[NP][5000];
  int fds[8];
  int fd;
  int i;

  pairs(1);
  lnx_sh("ip link set a0 mtu 9000 && ip link set b0 mtu 9000");
  lnx_sh("ip addr add 10.7.0.1/24 dev a0 && ip addr add 10.7.0.2/24 dev b0");
  open_on_a0(&up_ctrl, 0, fds);
  usleep(50000);
  drain();
  /* Out of b0, each with its own pattern after the IGMP type. */
  fd = igmp_sender("b0");
  for (i = 0; i < NP; i++) {
    size_t k;

    for (k = 0; k < lens[i]; k++)
      pkt[i][k] = (uint8_t)(k * 7 + (size_t)i * 31 + 1);
    send_igmp(fd, pkt[i], lens[i]);
  }
  close(fd);
  usleep(100000);
  n_ctrl_pkts = 0;
  ops->dispatch_fd(be, fds[0], 64, 0);
  cr_assert_eq(n_ctrl_pkts, NP, "%d of %d IGMP packets", n_ctrl_pkts, NP);
  for (i = 0; i < NP; i++) {
    cr_expect_eq(ctrl_pkts[i].ifindex, lnx_ifx("a0"));
    cr_assert_eq(ctrl_pkts[i].len, lens[i], "packet %d: %zu bytes, sent %zu", i,
                 ctrl_pkts[i].len, lens[i]);
    /* From the IGMP header on (the kernel rewrote parts of the IP one). */
    cr_expect(memcmp(ctrl_pkts[i].data + 20, pkt[i] + 20, lens[i] - 20) == 0,
              "packet %d (%zu bytes) arrived changed", i, lens[i]);
  }
  cr_expect_eq(be->cnt.malformed, 0);
}

/* The router socket's drop count as the kernel keeps it. */
static uint32_t sock_drops(int fd) {
  uint32_t mi[SK_MEMINFO_VARS];
  socklen_t len = sizeof(mi);

  memset(mi, 0, sizeof(mi));
  cr_assert_eq(getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &len), 0, "%s",
               strerror(errno));
  return mi[SK_MEMINFO_DROPS];
}

/* Waits until the kernel has dropped something on fd since `since` and has
 * stopped (the count still for 60 ms), so that a sender's burst is fully
 * queued or dropped before the test reads. */
static void wait_drops_settle(int fd, uint32_t since) {
  uint32_t last = since;
  int still = 0;
  int i;

  for (i = 0; i < 200 && still < 3; i++) {
    uint32_t now;

    usleep(20000);
    now = sock_drops(fd);
    still = (now != since && now == last) ? still + 1 : 0;
    last = now;
  }
  cr_assert_neq(last, since, "the burst overflowed nothing");
}

/* Installs an entry for every flow an upcall reported, so that unresolved
 * entries do not pile up (kernels before the 2019 change of kernel.md A.7
 * took at most ten per table). */
static void resolve_upcalls(void) {
  int i;

  for (i = 0; i < n_evs; i++) {
    struct mgm_fwd f;

    if (evs[i].kind != 'N')
      continue;
    memset(&f, 0, sizeof(f));
    f.key = evs[i].key;
    f.iif = evs[i].ifindex;
    cr_assert_eq(ops->mfe_set(be, &f), 0);
  }
  n_evs = 0;
}

/* Upcalls the kernel dropped (the router socket's buffer full) are
 * counted from the drop count it attaches to the next ones, and logged;
 * also when those land in entries of the batch that earlier reads used
 * for datagrams without it, and the IGMP packet that carries the count
 * keeps its interface (a second control message beside it).
 *
 * The kernel attaches its running drop count to every datagram queued
 * after the first drop, so the scenario proves something only while the
 * earlier reads saw none: a stray drop before the burst (an IGMP report
 * meeting the tiny buffer), or a burst still being queued as the test
 * reads it (a slow softirq), makes the attempt inconclusive, and it is
 * run again on a fresh socket. */
Test(backend, dropped_upcalls_are_counted_and_logged) {
  int fds[8];
  int attempt;

  pairs(1);
  lnx_sh("ip addr add 10.7.0.1/24 dev a0 && ip addr add 10.7.0.2/24 dev b0");
  accept_local("a0");
  for (attempt = 0; attempt < 5; attempt++) {
    uint32_t base = 0xef0b0000u + 0x1000u * (uint32_t)attempt; /* 239.11 */

    if (be != NULL)
      ops->close(be);
    be = NULL;
    open_on_a0(&up_ctrl, 1 /* the kernel's least */, fds);
    drain();
    n_evs = 0;
    /* Two read without drops, in entries 0 and 1... */
    send_groups("10.7.0.2", base, 2);
    ops->dispatch_fd(be, fds[0], 64, 0);
    cr_assert_eq(be->cnt.rx_dropped, 0);
    resolve_upcalls();
    if (sock_drops(fds[0]) != 0)
      continue;
    /* ...then a burst the buffer cannot hold, read in full... */
    send_groups("10.7.0.2", base + 0x100u, 60);
    wait_drops_settle(fds[0], 0);
    drain();
    resolve_upcalls();
    /* ...whose drops have not shown yet. */
    if (be->cnt.rx_dropped < sock_drops(fds[0]))
      break;
  }
  cr_assert_lt(attempt, 5, "no attempt kept the drops for later upcalls");
  /* An IGMP packet carries them, in entry 0; the read before left there an
   * upcall without them, and its interface comes in a second message. */
  {
    uint8_t p[36];
    int fd = igmp_sender("b0");
    int i;

    memset(p, 0, sizeof(p));
    send_igmp(fd, p, sizeof(p));
    close(fd);
    usleep(100000);
    n_ctrl_pkts = 0;
    drain();
    cr_assert_geq(n_ctrl_pkts, 1, "the IGMP packet was not handed up");
    for (i = 0; i < n_ctrl_pkts; i++)
      cr_expect_eq(ctrl_pkts[i].ifindex, lnx_ifx("a0"),
                   "IGMP packet %d: interface %u", i,
                   (unsigned)ctrl_pkts[i].ifindex);
  }
  cr_expect_eq(be->cnt.rx_dropped, sock_drops(fds[0]),
               "counted %u drops, the kernel made %u",
               (unsigned)be->cnt.rx_dropped, (unsigned)sock_drops(fds[0]));
  cr_expect(log_has("dropped"), "no drop logged");
}

/* The event socket and the routing-change listener are two sockets the
 * loop reads in its own order.  Once the event socket said a link is gone,
 * an upcall's RPF lookup is not answered from the cache with it, even
 * before the listener is read. */
Test(backend, rpf_cache_forgets_a_deleted_link_before_the_listener_says_so) {
  int fds[8];
  size_t nfds = 8;
  uint32_t gone;

  pairs(2);
  lnx_sh("ip addr add 10.7.0.1/24 dev a0 && ip addr add 10.8.0.1/24 dev a1");
  lnx_sh("ip addr add 10.8.0.2/24 dev b1");
  lnx_sh("ip route add 192.0.2.0/24 via 10.7.0.254");
  accept_local("a1");
  cr_assert_eq(open_be(0, &be), 0);
  cr_assert_eq(ops->fds(be, fds, &nfds), 0);
  cr_assert_eq(nfds, 4, "router socket, events, wake pipe, route changes");
  cr_assert_eq(ops->if_attach(be, lnx_ifx("a1")), 0);
  gone = lnx_ifx("a0");
  {
    struct mgm_route r;

    cr_assert_eq(ops->route_lookup(be, lnx_ip("192.0.2.1"), &r), 0);
    cr_assert_eq(r.ifindex, gone);
  }
  drain();
  rpf_src = lnx_ip("192.0.2.1");
  lnx_sh("ip link del a0");
  /* A packet arrives on a1 after that. */
  send_groups("10.8.0.2", 0xef0c0001u, 1); /* 239.12.0.1 */
  n_evs = 0;
  /* The loop reads the event socket, then the router socket; the
   * listener (fds[3]) last. */
  ops->dispatch_fd(be, fds[1], 64, 0);
  ops->dispatch_fd(be, fds[0], 64, 0);
  {
    int i, n_up = 0;

    for (i = 0; i < n_evs; i++) {
      if (evs[i].kind != 'N')
        continue;
      n_up++;
      cr_expect_neq(evs[i].rpf_if, gone,
                    "RPF answered with the deleted link %u", (unsigned)gone);
    }
    cr_assert_eq(n_up, 1, "%d upcalls", n_up);
  }
  ops->dispatch_fd(be, fds[3], 64, 0);
}

Test(backend, wrongif_toggles) {
  cr_assert_eq(open_be(0, &be), 0);
  cr_expect_eq(ops->set_wrongif(be, 1), 0);
  cr_expect_eq(ops->set_wrongif(be, 0), 0);
  mgm__sys_fail(MGM_SYS_SETSOCKOPT, 1, ENOBUFS);
  cr_expect_eq(ops->set_wrongif(be, 1), MGM_BE_ENOMEM);
}

Test(backend, ctrl_send_puts_igmp_on_the_wire) {
  static const uint8_t query[8] = {0x11, 100, 0xee, 0x9b, 0, 0, 0, 0};
  union {
    struct cmsghdr align;
    uint8_t buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
  } ctl;
  struct in_pktinfo pi;
  struct cmsghdr *c;
  struct msghdr mh;
  struct iovec iov;
  uint8_t pkt[256];
  uint32_t arrived = 0;
  int one = 1;
  int fd;
  int i;
  ssize_t n = -1;

  pairs(1);
  lnx_sh("ip addr add 10.6.0.1/24 dev a0 && ip addr add 10.6.0.2/24 dev b0");
  accept_local("b0");
  cr_assert_eq(open_be(0, &be), 0);
  cr_assert_eq(ops->if_attach(be, lnx_ifx("a0")), 0);
  /* A plain IGMP listener: the query arrives on b0. */
  fd = socket(AF_INET, SOCK_RAW, IPPROTO_IGMP);
  cr_assert_geq(fd, 0);
  setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
  cr_assert_eq(ops->ctrl_send(be, lnx_ifx("a0"), lnx_ip("224.0.0.1"), query,
                              sizeof(query)),
               0);
  for (i = 0; i < 20 && arrived != lnx_ifx("b0"); i++) {
    iov.iov_base = pkt;
    iov.iov_len = sizeof(pkt);
    memset(&mh, 0, sizeof(mh));
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl.buf;
    mh.msg_controllen = sizeof(ctl.buf);
    n = recvmsg(fd, &mh, MSG_DONTWAIT);
    if (n < 0) {
      usleep(50000);
      continue;
    }
    for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c))
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        memcpy(&pi, CMSG_DATA(c), sizeof(pi));
        arrived = (uint32_t)pi.ipi_ifindex;
      }
  }
  close(fd);
  cr_assert_eq(arrived, lnx_ifx("b0"), "the query never arrived on b0");
  cr_assert_eq(n, 24 + (ssize_t)sizeof(query), "got %zd bytes", n);
  cr_expect_eq(pkt[0], 0x46, "IP header with one option word");
  cr_expect_eq(pkt[1], 0xc0, "TOS");
  cr_expect_eq(pkt[8], 1, "TTL");
  cr_expect_eq(pkt[20], 0x94, "router alert option");
  cr_expect_eq(memcmp(pkt + 12, &(uint32_t){lnx_ip("10.6.0.1")}, 4), 0);
  cr_expect_eq(memcmp(pkt + 16, &(uint32_t){lnx_ip("224.0.0.1")}, 4), 0);
  cr_expect_eq(memcmp(pkt + 24, query, sizeof(query)), 0);
  cr_expect_eq(ops->ctrl_send(be, 999, lnx_ip("224.0.0.1"), query, 8),
               MGM_BE_ENOIF);
  mgm__sys_fail(MGM_SYS_SENDMSG, 1, ENOBUFS);
  cr_expect_eq(ops->ctrl_send(be, lnx_ifx("a0"), lnx_ip("224.0.0.1"), query, 8),
               MGM_BE_ENOMEM);
}

/* ---- Every system call of every operation fails in turn ------------------
 *
 * For each operation below and each system call it makes (counted per
 * name through the syscall table), the kth call fails with ENOBUFS,
 * ENOMEM, EADDRINUSE, EPERM or ENOPROTOOPT.  The operation must then
 * return 0 (the failure was absorbed: a fallback, or an optional step) or
 * the errno's MGM_BE_* code, leave the kernel (/proc/net/ip_mr_vif and
 * ip_mr_cache) as before when it failed, and the identical call must then
 * succeed with the kernel as without the fault.  After close, the process
 * holds the descriptors it held before open.  close(2) itself is not
 * failed: Linux releases the descriptor even when close reports an error,
 * an injected failure would not.  Memory: LeakSanitizer (ASan lane). */

enum fop {
  FOP_OPEN,        /* open (sockets, MRT_INIT, rtnetlink dump) */
  FOP_ATTACH,      /* if_attach: MRT_ADD_VIF, the IGMP router groups */
  FOP_MFC_ADD,     /* mfe_set of a new entry: MRT_ADD_MFC */
  FOP_MFC_REPLACE, /* mfe_set of an existing entry */
  FOP_MFC_DEL,     /* mfe_del: MRT_DEL_MFC */
  FOP_DETACH,      /* if_detach of an output: scrub, MRT_DEL_VIF */
  FOP_STATS,       /* mfe_stats: SIOCGETSGCNT */
  FOP_ROUTE,       /* route_lookup: RTM_GETROUTE */
  FOP_COUNT
};

static const char *const fop_names[] = {
    "open",    "if_attach", "mfe_set (new)", "mfe_set (replace)",
    "mfe_del", "if_detach", "mfe_stats",     "route_lookup"};

static const char *const fault_calls[] = {
    MGM_SYS_SOCKET,  MGM_SYS_SETSOCKOPT,  MGM_SYS_GETSOCKOPT, MGM_SYS_IOCTL,
    MGM_SYS_BIND,    MGM_SYS_GETSOCKNAME, MGM_SYS_RECVMSG,    MGM_SYS_SENDTO,
    MGM_SYS_SENDMSG, MGM_SYS_POLL,        MGM_SYS_PIPE2};

static const int fault_errnos[] = {ENOBUFS, ENOMEM, EADDRINUSE, EPERM,
                                   ENOPROTOOPT};

/* The kernel's multicast routing state (default table). */
struct kview {
  char vif[4096];
  char mfc[4096];
};

/* VIF lines without their slot number: if_attach skips a slot that
 * MRT_ADD_VIF reports busy (EADDRINUSE) and takes the next one. */
static void kview(struct kview *k, int any_slot) {
  char raw[4096];
  const char *p = raw;
  size_t n = 0;

  lnx_proc_text("/proc/net/ip_mr_cache", k->mfc, sizeof(k->mfc));
  lnx_proc_text("/proc/net/ip_mr_vif", raw, sizeof(raw));
  if (!any_slot) {
    memcpy(k->vif, raw, sizeof(raw));
    return;
  }
  while (*p && n + 1 < sizeof(k->vif)) {
    size_t len = strcspn(p, "\n");
    const char *q = p;

    while (q < p + len && *q == ' ')
      q++;
    if (q < p + len && *q >= '0' && *q <= '9')
      while (q < p + len && *q != ' ')
        q++;
    else
      q = p;
    n += (size_t)snprintf(k->vif + n, sizeof(k->vif) - n, "%.*s\n",
                          (int)(p + len - q), q);
    p += len + (p[len] != 0);
  }
  k->vif[n] = '\0';
}

static int kview_eq(const struct kview *a, const struct kview *b) {
  return strcmp(a->vif, b->vif) == 0 && strcmp(a->mfc, b->mfc) == 0;
}

static char fop_ctx[160]; /* the previous faulted run, for messages */

/* Bring the backend to the state before the operation. */
static void fop_prepare(enum fop op) {
  struct mgm_oif o[2];
  struct mgm_fwd f;
  int rc;

  if (op == FOP_OPEN)
    return;
  rc = open_be(0, &be);
  cr_assert_eq(rc, 0, "open = %d after %s", rc, fop_ctx);
  if (op == FOP_ATTACH || op == FOP_ROUTE)
    return;
  cr_assert_eq(ops->if_attach(be, lnx_ifx("a0")), 0);
  cr_assert_eq(ops->if_attach(be, lnx_ifx("a1")), 0);
  cr_assert_eq(ops->if_attach(be, lnx_ifx("b1")), 0);
  if (op == FOP_MFC_ADD)
    return;
  o[0] = (struct mgm_oif){lnx_ifx("a1"), 0, 0};
  o[1] = (struct mgm_oif){lnx_ifx("b1"), 0, 0};
  f = fwd("10.0.0.1", "239.1.1.1", lnx_ifx("a0"), o, 2);
  cr_assert_eq(ops->mfe_set(be, &f), 0);
}

static int fop_run(enum fop op, struct mgm_backend **opened) {
  struct mgm_oif o[2];
  struct mgm_fwd f;
  struct mgm_fwd_stats st;
  struct mgm_route r;

  o[0] = (struct mgm_oif){lnx_ifx("a1"), 0, 0};
  o[1] = (struct mgm_oif){lnx_ifx("b1"), 0, 0};
  switch (op) {
  case FOP_OPEN:
    return open_be(0, opened);
  case FOP_ATTACH:
    return ops->if_attach(be, lnx_ifx("a0"));
  case FOP_MFC_ADD:
    f = fwd("10.0.0.1", "239.1.1.1", lnx_ifx("a0"), o, 2);
    return ops->mfe_set(be, &f);
  case FOP_MFC_REPLACE:
    f = fwd("10.0.0.1", "239.1.1.1", lnx_ifx("a0"), o, 1);
    return ops->mfe_set(be, &f);
  case FOP_MFC_DEL:
    f = fwd("10.0.0.1", "239.1.1.1", lnx_ifx("a0"), o, 0);
    return ops->mfe_del(be, &f.key);
  case FOP_DETACH:
    return ops->if_detach(be, lnx_ifx("b1"));
  case FOP_STATS:
    f = fwd("10.0.0.1", "239.1.1.1", lnx_ifx("a0"), o, 0);
    return ops->mfe_stats(be, &f.key, &st);
  case FOP_ROUTE:
    return ops->route_lookup(be, lnx_ip("10.7.0.9"), &r);
  default:
    return 0;
  }
}

Test(backend, every_syscall_of_every_operation_fails_cleanly) {
  struct kview before, after, got, again;
  struct mgm_backend *opened;
  int fds0, want_rc, rc, op, c, e, points = 0, failed = 0;
  unsigned k, fired;

  pairs(2);
  lnx_sh("ip addr add 10.7.0.1/24 dev a0");
  fds0 = lnx_count_fds();
  for (op = 0; op < FOP_COUNT; op++) {
    /* without fault: the result and the kernel before and after */
    fop_prepare((enum fop)op);
    kview(&before, op == FOP_ATTACH);
    opened = NULL;
    want_rc = fop_run((enum fop)op, &opened);
    kview(&after, op == FOP_ATTACH);
    if (opened)
      ops->close(opened);
    if (be)
      ops->close(be);
    be = NULL;
    for (c = 0; c < (int)(sizeof fault_calls / sizeof fault_calls[0]); c++) {
      for (k = 1;; k++) {
        int reached = 0;

        for (e = 0; e < (int)(sizeof fault_errnos / sizeof(int)); e++) {
          fop_prepare((enum fop)op);
          fired = mgm__sys_faults_fired();
          opened = NULL;
          mgm__sys_fail(fault_calls[c], k, fault_errnos[e]);
          rc = fop_run((enum fop)op, &opened);
          mgm__sys_fail(NULL, 0, 0);
          if (mgm__sys_faults_fired() == fired) {
            /* fewer than k calls of this name: done with it */
            cr_assert_eq(rc, want_rc);
            if (opened)
              ops->close(opened);
            if (be)
              ops->close(be);
            be = NULL;
            break;
          }
          reached = 1;
          kview(&got, op == FOP_ATTACH);
          if (rc == want_rc && op == FOP_DETACH && !kview_eq(&got, &after)) {
            /* The scrub could not rewrite the entry without the slot: it
             * deleted it instead and reports it gone (the core then
             * drops its MFE; the next packet rebuilds it). */
            n_evs = 0;
            drain();
            cr_assert(strcmp(got.vif, after.vif) == 0 &&
                          proc_lines("/proc/net/ip_mr_cache") == 0 &&
                          n_evs >= 1 && evs[n_evs - 1].kind == 'G',
                      "%s: %s #%u failing with %s: succeeded, kernel:\n%s%s",
                      fop_names[op], fault_calls[c], k,
                      strerror(fault_errnos[e]), got.vif, got.mfc);
          } else if (rc == want_rc) {
            cr_assert(kview_eq(&got, &after),
                      "%s: %s #%u failing with %s: succeeded, kernel:\n%s%s"
                      "\nwanted:\n%s%s",
                      fop_names[op], fault_calls[c], k,
                      strerror(fault_errnos[e]), got.vif, got.mfc, after.vif,
                      after.mfc);
          } else {
            failed++;
            cr_assert_eq(rc, mgm__lnx_map_errno(fault_errnos[e]),
                         "%s: %s #%u failing with %s returned %d",
                         fop_names[op], fault_calls[c], k,
                         strerror(fault_errnos[e]), rc);
            if (op != FOP_DETACH)
              cr_assert(kview_eq(&got, &before),
                        "%s: %s #%u failing with %s: failed, but the kernel "
                        "changed:\n%s%s\nbefore:\n%s%s",
                        fop_names[op], fault_calls[c], k,
                        strerror(fault_errnos[e]), got.vif, got.mfc, before.vif,
                        before.mfc);
            else /* the scrub happened; the slot stays */
              cr_assert(strcmp(got.vif, before.vif) == 0,
                        "if_detach failed but the VIF went:\n%s", got.vif);
            /* the identical call succeeds */
            cr_assert_null(opened);
            rc = fop_run((enum fop)op, &opened);
            cr_assert_eq(rc, want_rc, "%s: the retry returned %d",
                         fop_names[op], rc);
            kview(&again, op == FOP_ATTACH);
            cr_assert(kview_eq(&again, &after),
                      "%s: after the retry, kernel:\n%s%s\nwanted:\n%s%s",
                      fop_names[op], again.vif, again.mfc, after.vif,
                      after.mfc);
          }
          if (opened)
            ops->close(opened);
          if (be)
            ops->close(be);
          be = NULL;
          snprintf(fop_ctx, sizeof fop_ctx, "%s: %s #%u failing with %s",
                   fop_names[op], fault_calls[c], k, strerror(fault_errnos[e]));
          cr_assert_eq(lnx_count_fds(), fds0,
                       "%s: %s #%u failing with %s: "
                       "descriptors leaked",
                       fop_names[op], fault_calls[c], k,
                       strerror(fault_errnos[e]));
          cr_assert_eq(proc_lines("/proc/net/ip_mr_vif"), 0);
          cr_assert_eq(proc_lines("/proc/net/ip_mr_cache"), 0);
        }
        if (!reached)
          break;
        points++;
      }
    }
  }
  fprintf(stderr,
          "linux backend: %d system-call points, %d failures "
          "reported, the rest absorbed\n",
          points, failed);
  cr_expect_gt(points, 0);
}
