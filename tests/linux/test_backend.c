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
 * rtnetlink overrun, the RPF lookup, and that close leaves the kernel
 * empty.  Needs root; skips (with the reason) when it may not unshare.
 */
#define _GNU_SOURCE 1

#include "platform/platform.h"
#include "platform/posix/sys.h"

#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
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
  int type;
  uint32_t ifindex;
  struct mgm_mfe_key key;
};
static struct ev evs[EVMAX];
static int n_evs;

static struct mgm_backend *be;
static const struct mgm_backend_ops *ops = &mgm__linux_ops;


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
    evs[n_evs++] = (struct ev){'I', (int)e->type, e->ifindex, {0, 0}};
}


static void t_no_entry(void *ctx, uint32_t iif, uint32_t s, uint32_t g,
                       const void *h, size_t l) {
  (void)ctx;
  (void)h;
  (void)l;
  if (n_evs < EVMAX)
    evs[n_evs++] = (struct ev){'N', 0, iif, {s, g}};
}


static void t_gone(void *ctx, const struct mgm_mfe_key *k,
                   enum mgm_mfe_gone why) {
  (void)ctx;
  if (n_evs < EVMAX)
    evs[n_evs++] = (struct ev){'G', (int)why, 0, *k};
}


static const struct mgm_be_upcalls upcalls = {t_if_event, t_no_entry, NULL,
                                              t_gone, NULL};


static void sh(const char *fmt, ...) {
  char cmd[512];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(cmd, sizeof(cmd), fmt, ap);
  va_end(ap);
  cr_assert_eq(system(cmd), 0, "command failed: %s", cmd);
}


static uint32_t ifx(const char *name) {
  uint32_t i = if_nametoindex(name);

  cr_assert_neq(i, 0, "no interface %s", name);
  return i;
}


static uint32_t ip(const char *s) {
  struct in_addr a;

  inet_pton(AF_INET, s, &a);
  return a.s_addr;
}


static void setup(void) {
  if (geteuid() != 0)
    cr_skip_test("needs root to unshare a network namespace");
  if (unshare(CLONE_NEWNET) != 0)
    cr_skip_test("unshare(CLONE_NEWNET): %s", strerror(errno));
  if (access("/proc/net/ip_mr_vif", F_OK) != 0)
    cr_skip_test("kernel without CONFIG_IP_MROUTE");
  sh("ip link set lo up");
  n_logs = 0;
  n_evs = 0;
  be = NULL;
  mgm__sys_reset();
}


static void teardown(void) {
  mgm__sys_reset();
  if (be != NULL)
    ops->close(be);
  be = NULL;
}


TestSuite(backend, .init = setup, .fini = teardown, .timeout = 60);


static int open_be(uint32_t table, struct mgm_backend **out) {
  struct mgm_be_config cfg;

  memset(&cfg, 0, sizeof(cfg));
  cfg.table = table;
  cfg.log = t_log;
  return ops->open(&cfg, &upcalls, NULL, out);
}


static void pairs(int n) {
  int i;

  for (i = 0; i < n; i++) {
    sh("ip link add a%d type veth peer name b%d", i, i);
    sh("ip link set a%d up && ip link set b%d up", i, i);
  }
}


static void drain(void) {
  int i;

  for (i = 0; i < 50; i++)
    if (ops->dispatch(be, 1000) <= 0 && i > 2)
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
  f.key.source = ip(src);
  f.key.group = ip(grp);
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
  cr_assert_eq(ops->if_attach(be, ifx("a0")), 0);
  cr_assert_eq(ops->if_attach(be, ifx("b0")), 0);
  o[0] = (struct mgm_oif){ifx("b0"), 0, 0};
  f = fwd("10.0.0.1", "239.1.1.1", ifx("a0"), o, 1);
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
  cr_expect_eq(ops->if_attach(be, ifx("a0")), 0);
  cr_expect_eq(ops->if_attach(b3, ifx("a0")), 0);
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
  cr_expect_eq(ops->if_attach(be, ifx("a0")), 0);
  cr_expect_eq(ops->if_attach(be, ifx("a0")), 0);
  cr_expect_eq(proc_lines("/proc/net/ip_mr_vif"), 1);
  cr_expect_eq(ops->if_detach(be, ifx("a0")), 0);
  cr_expect_eq(proc_lines("/proc/net/ip_mr_vif"), 1);
  cr_expect_eq(ops->if_detach(be, ifx("a0")), 0);
  cr_expect_eq(proc_lines("/proc/net/ip_mr_vif"), 0);
  cr_expect_eq(ops->if_detach(be, ifx("a0")), MGM_BE_ENOENT);
}


Test(backend, thirty_third_slot_is_refused) {
  char name[16];
  uint32_t ix[34];
  int i;

  pairs(17);
  cr_assert_eq(open_be(0, &be), 0);
  for (i = 0; i < 34; i++) {
    snprintf(name, sizeof(name), "%c%d", i % 2 ? 'b' : 'a', i / 2);
    ix[i] = ifx(name);
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
  cr_assert_eq(ops->if_attach(be, ifx("a0")), 0);
  cr_assert_eq(ops->if_attach(be, ifx("a1")), 0);
  o[0] = (struct mgm_oif){ifx("a1"), 0, 0};
  o[1] = (struct mgm_oif){ifx("b1"), 0, 0}; /* not attached */
  f = fwd("10.0.0.1", "239.1.1.1", ifx("a0"), o, 2);
  cr_expect_eq(ops->mfe_set(be, &f), MGM_BE_ENOIF);
  cr_expect_eq(ops->mfe_stats(be, &f.key, &st), MGM_BE_ENOENT);
  f = fwd("10.0.0.1", "239.1.1.1", ifx("b0"), o, 1); /* iif unattached */
  cr_expect_eq(ops->mfe_set(be, &f), MGM_BE_ENOIF);
  f = fwd("10.0.0.1", "10.1.1.1", ifx("a0"), o, 1); /* unicast group */
  cr_expect_eq(ops->mfe_set(be, &f), MGM_BE_EINVAL);
  f = fwd("10.0.0.1", "239.1.1.1", ifx("a0"), o, 1);
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
  cr_assert_eq(ops->if_attach(be, ifx("a0")), 0); /* vif 0 */
  cr_assert_eq(ops->if_attach(be, ifx("a1")), 0); /* vif 1 */
  cr_assert_eq(ops->if_attach(be, ifx("b1")), 0); /* vif 2 */
  o[0] = (struct mgm_oif){ifx("a1"), 0, 0};
  o[1] = (struct mgm_oif){ifx("b1"), 0, 3};
  f = fwd("10.0.0.1", "239.1.1.1", ifx("a0"), o, 2);
  cr_assert_eq(ops->mfe_set(be, &f), 0);
  cache_line("10.0.0.1", "239.1.1.1", line, sizeof(line));
  cr_expect(strstr(line, " 1:1 ") != NULL && strstr(line, " 2:3") != NULL,
            "got %s", line);
  /* Output b1 goes: the entry is rewritten without vif 2. */
  cr_assert_eq(ops->if_detach(be, ifx("b1")), 0);
  cache_line("10.0.0.1", "239.1.1.1", line, sizeof(line));
  cr_expect(strstr(line, " 1:1") != NULL && strstr(line, "2:") == NULL,
            "got %s", line);
  /* Re-using vif 2 for another device must not revive the output. */
  cr_assert_eq(ops->if_attach(be, ifx("b0")), 0);
  cache_line("10.0.0.1", "239.1.1.1", line, sizeof(line));
  cr_expect(strstr(line, "2:") == NULL, "stale output revived: %s", line);
  /* The iif goes: the entry is deleted and reported. */
  cr_assert_eq(ops->if_detach(be, ifx("a0")), 0);
  cache_line("10.0.0.1", "239.1.1.1", line, sizeof(line));
  cr_expect_str_eq(line, "");
  drain();
  cr_assert_geq(n_evs, 1);
  cr_expect_eq(evs[n_evs - 1].kind, 'G');
  cr_expect_eq(evs[n_evs - 1].type, MGM_GONE_IF_DEPARTED);
  cr_expect_eq(evs[n_evs - 1].key.group, ip("239.1.1.1"));
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
  cr_assert_eq(ops->if_attach(be, ifx("a0")), 0); /* vif 0 */
  cr_assert_eq(ops->if_attach(be, ifx("a1")), 0); /* vif 1 */
  o[0] = (struct mgm_oif){ifx("a1"), 0, 0};
  f = fwd("10.0.0.1", "239.1.1.1", ifx("a0"), o, 1);
  cr_assert_eq(ops->mfe_set(be, &f), 0);
  gone = ifx("a1");
  sh("ip link del a1");
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
  sh("ip link add c0 type veth peer name c1 && ip link set c0 up");
  cr_assert_eq(ops->if_attach(be, ifx("c0")), 0);
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
  sh("ip addr add 10.5.0.1/24 dev a0");
  sh("ip route add 192.0.2.0/24 via 10.5.0.254 proto static");
  cr_assert_eq(open_be(0, &be), 0);
  cr_assert_eq(ops->route_lookup(be, ip("192.0.2.77"), &r), 0);
  cr_expect_eq(r.ifindex, ifx("a0"));
  cr_expect_eq(r.upstream, ip("10.5.0.254"));
  cr_expect_eq(r.network, ip("192.0.2.0"));
  cr_expect_eq(r.mask, ip("255.255.255.0"));
  cr_expect_eq(r.protocol, 3); /* PROTO_IP_NETMGMT */
  cr_assert_eq(ops->route_lookup(be, ip("10.5.0.9"), &r), 0);
  cr_expect_eq(r.upstream, 0);
  cr_expect_eq(r.protocol, 2); /* PROTO_IP_LOCAL */
  cr_expect_eq(ops->route_lookup(be, ip("198.51.100.1"), &r), MGM_BE_ENOENT);
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
  sh("ip addr add 10.6.0.1/24 dev a0 && ip addr add 10.6.0.2/24 dev b0");
  /* Both ends live in this namespace: b0 must accept a local source. */
  sh("sysctl -qw net.ipv4.conf.b0.accept_local=1 "
     "net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.b0.rp_filter=0");
  cr_assert_eq(open_be(0, &be), 0);
  cr_assert_eq(ops->if_attach(be, ifx("a0")), 0);
  /* A plain IGMP listener: the query arrives on b0. */
  fd = socket(AF_INET, SOCK_RAW, IPPROTO_IGMP);
  cr_assert_geq(fd, 0);
  setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
  cr_assert_eq(ops->ctrl_send(be, ifx("a0"), ip("224.0.0.1"), query,
                              sizeof(query)), 0);
  for (i = 0; i < 20 && arrived != ifx("b0"); i++) {
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
  cr_assert_eq(arrived, ifx("b0"), "the query never arrived on b0");
  cr_assert_eq(n, 24 + (ssize_t)sizeof(query), "got %zd bytes", n);
  cr_expect_eq(pkt[0], 0x46, "IP header with one option word");
  cr_expect_eq(pkt[1], 0xc0, "TOS");
  cr_expect_eq(pkt[8], 1, "TTL");
  cr_expect_eq(pkt[20], 0x94, "router alert option");
  cr_expect_eq(memcmp(pkt + 12, &(uint32_t){ip("10.6.0.1")}, 4), 0);
  cr_expect_eq(memcmp(pkt + 16, &(uint32_t){ip("224.0.0.1")}, 4), 0);
  cr_expect_eq(memcmp(pkt + 24, query, sizeof(query)), 0);
  cr_expect_eq(ops->ctrl_send(be, 999, ip("224.0.0.1"), query, 8),
               MGM_BE_ENOIF);
  mgm__sys_fail(MGM_SYS_SENDMSG, 1, ENOBUFS);
  cr_expect_eq(ops->ctrl_send(be, ifx("a0"), ip("224.0.0.1"), query, 8),
               MGM_BE_ENOMEM);
}
