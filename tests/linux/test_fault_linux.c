/*
 * test_fault_linux.c - libmgm on the real Linux backend with system calls
 * failing one at a time (libmgm issue #9, item 4): start, interface take
 * (MRT_ADD_VIF), MFE updates (MRT_ADD_MFC) and removal (MRT_DEL_MFC,
 * MRT_DEL_VIF), each through the posix syscall table, with ENOBUFS,
 * ENOMEM, EADDRINUSE, EPERM and ENOPROTOOPT.
 *
 * SPDX-License-Identifier: MIT
 *
 * Each test runs in a private network namespace (unshare; it dies with the
 * test's process) with IPv6 off, so that nothing but the test makes the
 * backend talk to the kernel.  Checked for every fault: the Win32 code
 * (libmgm_start: ERROR_NOT_ENOUGH_MEMORY, ERROR_BUSY, ERROR_ACCESS_DENIED,
 * ERROR_NOT_SUPPORTED for ENOBUFS/ENOMEM, EADDRINUSE, EPERM, ENOPROTOOPT,
 * design.md 3; the API: ERROR_NOT_ENOUGH_MEMORY for ENOBUFS/ENOMEM,
 * ERROR_CAN_NOT_COMPLETE otherwise, kernel.md G.1), that a failed call
 * changed neither MGM (snapshot, MFE) nor the kernel (/proc/net/ip_mr_*),
 * that the identical call then succeeds, and that nothing leaks:
 * descriptors (counted) and memory (LeakSanitizer in the ASan lane).
 * Needs root; Criterion reports the tests as skipped otherwise.
 */
#define _GNU_SOURCE 1

#include <windows.h>
#include <iprtrmib.h>
#include <mgm.h>
#include <libmgm.h>

#include "platform/posix/sys.h"
#include "lnxtest.h"

#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PID_P 9001u /* owns a0, toward the source */
#define PID_Q 9002u /* owns a1, a2 */
#define SRC "10.9.0.5"
#define GRP "239.8.8.8"

static const int errnos[] = {ENOBUFS, ENOMEM, EADDRINUSE, EPERM, ENOPROTOOPT};
static const char *const calls[] = {
    MGM_SYS_SOCKET,  MGM_SYS_SETSOCKOPT,  MGM_SYS_GETSOCKOPT, MGM_SYS_IOCTL,
    MGM_SYS_BIND,    MGM_SYS_GETSOCKNAME, MGM_SYS_RECVMSG,    MGM_SYS_SENDTO,
    MGM_SYS_SENDMSG, MGM_SYS_POLL,        MGM_SYS_PIPE2};

static HANDLE hp, hq;
static int points, reported;

static void quiet(void *ctx, int level, const char *ch, const char *msg) {
  (void)ctx;
  (void)level;
  (void)ch;
  (void)msg;
}

static DWORD start(void) {
  struct libmgm_config c;

  libmgm_config_init(&c);
  c.backend = "linux";
  c.log_fn = quiet;
  return libmgm_start(&c);
}

static void setup(void) {
  lnx_enter_netns();
  /* nothing but the test may talk to the backend */
  (void)system("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
               "net.ipv6.conf.default.disable_ipv6=1 2>/dev/null");
  lnx_sh("ip link set lo up");
  lnx_sh("ip link add a0 type veth peer name b0 && "
         "ip link add a1 type veth peer name b1 && "
         "ip link add a2 type veth peer name b2");
  lnx_sh("ip link set a0 up && ip link set b0 up && ip link set a1 up && "
         "ip link set b1 up && ip link set a2 up && ip link set b2 up");
  lnx_sh("ip addr add 10.8.0.1/24 dev a0 && "
         "ip route add 10.9.0.0/24 via 10.8.0.254 dev a0");
  lnx_sh("sysctl -qw net.ipv4.conf.all.rp_filter=0 "
         "net.ipv4.conf.a0.rp_filter=0 net.ipv4.conf.default.rp_filter=0");
  setenv("LIBMGM_BACKEND", "linux", 1);
  mgm__sys_reset();
  points = reported = 0;
  /* libuv keeps a few process-wide descriptors from its first loop on:
   * count descriptors against a start/stop done once */
  cr_assert_eq(start(), NO_ERROR);
  cr_assert_eq(libmgm_stop(), NO_ERROR);
}

static void teardown(void) {
  mgm__sys_reset();
  if (hq)
    (void)MgmDeRegisterMProtocol(hq);
  if (hp)
    (void)MgmDeRegisterMProtocol(hp);
  hp = hq = NULL;
  (void)libmgm_stop();
}

TestSuite(linux_fault, .init = setup, .fini = teardown, .timeout = 120);

/* The fault armed for the call: name, nth, errno; returns 1 if it fired. */
static unsigned fired0;

static void arm(const char *name, unsigned k, int err) {
  fired0 = mgm__sys_faults_fired();
  cr_assert_eq(mgm__sys_fail(name, k, err), 0);
}

static int disarm(void) {
  mgm__sys_fail(NULL, 0, 0);
  return mgm__sys_faults_fired() != fired0;
}

static DWORD api_code(int err) {
  return err == ENOBUFS || err == ENOMEM ? ERROR_NOT_ENOUGH_MEMORY
                                         : ERROR_CAN_NOT_COMPLETE;
}

static DWORD start_code(int err) {
  switch (err) {
  case EPERM:
    return ERROR_ACCESS_DENIED;
  case EADDRINUSE:
    return ERROR_BUSY;
  case ENOPROTOOPT:
    return ERROR_NOT_SUPPORTED;
  default:
    return ERROR_NOT_ENOUGH_MEMORY;
  }
}

/* The VIF table as "name flags local" lines: slot numbers and counters
 * left out (a take skips a slot MRT_ADD_VIF reports busy, EADDRINUSE). */
static void vif_names(char *out, size_t cap) {
  char raw[4096], name[32], flags[16], local[16];
  const char *p;
  size_t n = 0;

  lnx_proc_text("/proc/net/ip_mr_vif", raw, sizeof raw);
  out[0] = '\0';
  for (p = strchr(raw, '\n'); p && p[1]; p = strchr(p + 1, '\n'))
    if (sscanf(p + 1, "%*d %31s %*s %*s %*s %*s %15s %15s", name, flags,
               local) == 3)
      n += (size_t)snprintf(out + n, cap - n, "%s %s %s\n", name, flags, local);
}

/* What MGM holds (snapshot + MFE (SRC, GRP)) and the kernel's tables. */
struct view {
  char mgm[4096];
  char vif[4096];
  char mfc[4096];
};

static void view(struct view *v) {
  struct libmgm_snapshot *s = NULL;
  unsigned char buf[SIZEOF_MIB_MFE(8)];
  MIB_IPMCAST_MFE key, m;
  MIB_IPMCAST_OIF o;
  DWORD size = sizeof buf, i, rc;
  size_t n = 0;

  v->mgm[0] = '\0';
  cr_assert_eq(libmgm_snapshot_take(&s), NO_ERROR);
  for (i = 0; i < s->n_ifs; i++)
    n += (size_t)snprintf(
        v->mgm + n, sizeof(v->mgm) - n, "if %u owner %u igmp %u attached %d\n",
        (unsigned)s->ifs[i].ifindex, (unsigned)s->ifs[i].owner_protocol,
        (unsigned)s->ifs[i].igmp_protocol, s->ifs[i].attached);
  for (i = 0; i < s->n_members; i++)
    n += (size_t)snprintf(
        v->mgm + n, sizeof(v->mgm) - n, "member %08x %08x if %u by %u\n",
        (unsigned)s->members[i].sg.dwSourceAddr,
        (unsigned)s->members[i].sg.dwGroupAddr, (unsigned)s->members[i].ifindex,
        (unsigned)s->members[i].protocol_id);
  libmgm_snapshot_free(s);
  memset(&key, 0, sizeof key);
  key.dwSource = lnx_ip(SRC);
  key.dwGroup = lnx_ip(GRP);
  rc = MgmGetMfe(&key, &size, buf);
  if (rc == NO_ERROR) {
    memcpy(&m, buf, SIZEOF_BASIC_MIB_MFE);
    n += (size_t)snprintf(v->mgm + n, sizeof(v->mgm) - n, "mfe iif %u oif",
                          (unsigned)m.dwInIfIndex);
    for (i = 0; i < m.ulNumOutIf && i < 8; i++) {
      memcpy(&o, buf + SIZEOF_MIB_MFE(i), sizeof o);
      n += (size_t)snprintf(v->mgm + n, sizeof(v->mgm) - n, " %u",
                            (unsigned)o.dwOutIfIndex);
    }
    snprintf(v->mgm + n, sizeof(v->mgm) - n, "\n");
  }
  lnx_proc_text("/proc/net/ip_mr_cache", v->mfc, sizeof v->mfc);
  vif_names(v->vif, sizeof v->vif);
}

static int view_eq(const struct view *a, const struct view *b) {
  return strcmp(a->mgm, b->mgm) == 0 && strcmp(a->vif, b->vif) == 0 &&
         strcmp(a->mfc, b->mfc) == 0;
}

#define VIEW_FMT "MGM:\n%s kernel:\n%s%s"
#define VIEW_ARGS(v) (v).mgm, (v).vif, (v).mfc

/* One UDP packet from SRC to GRP sent out of b0: it arrives on a0. */
static void send_packet(void) {
  unsigned char pkt[28 + 4];
  struct sockaddr_in dst;
  struct ip_mreqn mr;
  DWORD s = lnx_ip(SRC), g = lnx_ip(GRP);
  int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);

  cr_assert_geq(fd, 0);
  cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "b0", 3), 0);
  memset(&mr, 0, sizeof mr);
  mr.imr_ifindex = (int)lnx_ifx("b0");
  cr_assert_eq(setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof mr), 0);
  memset(pkt, 0, sizeof pkt);
  pkt[0] = 0x45;
  pkt[3] = sizeof pkt;
  pkt[8] = 8;  /* TTL */
  pkt[9] = 17; /* UDP */
  memcpy(pkt + 12, &s, 4);
  memcpy(pkt + 16, &g, 4);
  pkt[21] = 9; /* ports 9 -> 9 */
  pkt[23] = 9;
  pkt[25] = 12; /* UDP length */
  memset(&dst, 0, sizeof dst);
  dst.sin_family = AF_INET;
  dst.sin_addr.s_addr = g;
  cr_assert_eq(
      sendto(fd, pkt, sizeof pkt, 0, (struct sockaddr *)&dst, sizeof dst),
      (ssize_t)sizeof pkt, "sendto: %s", strerror(errno));
  close(fd);
}

/* Wait (bounded) until MGM has the MFE: the upcall runs on its loop. */
static void make_mfe(void) {
  struct timespec ts = {0, 20 * 1000 * 1000};
  unsigned char buf[SIZEOF_MIB_MFE(8)];
  MIB_IPMCAST_MFE key;
  DWORD size;
  int i;

  memset(&key, 0, sizeof key);
  key.dwSource = lnx_ip(SRC);
  key.dwGroup = lnx_ip(GRP);
  for (i = 0; i < 250; i++) {
    if (i % 50 == 0)
      send_packet();
    size = sizeof buf;
    if (MgmGetMfe(&key, &size, buf) == NO_ERROR)
      return;
    nanosleep(&ts, NULL);
  }
  cr_assert_fail("no MFE (%s, %s) after 5 s of packets", SRC, GRP);
}

static void world(void) {
  ROUTING_PROTOCOL_CONFIG cfg;

  cr_assert_eq(start(), NO_ERROR);
  memset(&cfg, 0, sizeof cfg);
  cr_assert_eq(MgmRegisterMProtocol(&cfg, PID_P, 1, &hp), NO_ERROR);
  cr_assert_eq(MgmRegisterMProtocol(&cfg, PID_Q, 1, &hq), NO_ERROR);
}

static void unworld(void) {
  cr_assert_eq(MgmDeRegisterMProtocol(hq), NO_ERROR);
  cr_assert_eq(MgmDeRegisterMProtocol(hp), NO_ERROR);
  hp = hq = NULL;
  cr_assert_eq(libmgm_stop(), NO_ERROR);
}

/* ---- Start (design.md 3: the start-up failures are explicit) ---------- */

Test(linux_fault, start_fails_cleanly_at_every_system_call) {
  char vif[4096];
  int fds0 = lnx_count_fds();
  unsigned c, e, k;
  DWORD rc;

  for (c = 0; c < sizeof calls / sizeof calls[0]; c++) {
    for (k = 1;; k++) {
      int reached = 0;

      for (e = 0; e < sizeof errnos / sizeof errnos[0]; e++) {
        arm(calls[c], k, errnos[e]);
        rc = start();
        if (!disarm()) {
          cr_assert_eq(rc, NO_ERROR);
          cr_assert_eq(libmgm_stop(), NO_ERROR);
          break;
        }
        reached = 1;
        if (rc != NO_ERROR) {
          reported++;
          cr_assert_eq(rc, start_code(errnos[e]),
                       "libmgm_start with %s #%u failing with %s: %u", calls[c],
                       k, strerror(errnos[e]), (unsigned)rc);
          cr_assert_eq(lnx_count_fds(), fds0, "%s #%u, %s: descriptors leaked",
                       calls[c], k, strerror(errnos[e]));
          lnx_proc_text("/proc/net/ip_mr_vif", vif, sizeof vif);
          cr_assert_eq(strchr(vif, '\n'), vif + strlen(vif) - 1,
                       "VIFs after a failed start:\n%s", vif);
          /* nothing half-open: the table is free again */
          rc = start();
          cr_assert_eq(rc, NO_ERROR, "start after %s #%u failing with %s: %u",
                       calls[c], k, strerror(errnos[e]), (unsigned)rc);
        }
        cr_assert_eq(libmgm_stop(), NO_ERROR);
        cr_assert_eq(lnx_count_fds(), fds0, "%s #%u, %s: descriptors leaked",
                     calls[c], k, strerror(errnos[e]));
      }
      if (!reached)
        break;
      points++;
    }
  }
  fprintf(stderr,
          "linux start: %d system-call points, %d failures "
          "reported\n",
          points, reported);
  cr_assert_gt(reported, 0);
}

/* ---- One API call with every system call failing in turn ---------------
 * `call` runs with the fault armed; `undo` brings MGM back to the state
 * before it (without fault). */
static void every_fault(const char *what, DWORD (*call)(void),
                        void (*undo)(void), int documented_8) {
  struct view before, after, got;
  unsigned c, e, k;
  DWORD rc, want;

  view(&before);
  want = call();
  view(&after);
  undo();
  for (c = 0; c < sizeof calls / sizeof calls[0]; c++) {
    for (k = 1;; k++) {
      int reached = 0;

      for (e = 0; e < sizeof errnos / sizeof errnos[0]; e++) {
        view(&got);
        cr_assert(view_eq(&got, &before),
                  "%s: not back to the start: " VIEW_FMT, what, VIEW_ARGS(got));
        arm(calls[c], k, errnos[e]);
        rc = call();
        if (!disarm()) {
          cr_assert_eq(rc, want);
          undo();
          break;
        }
        reached = 1;
        view(&got);
        if (rc == want) {
          cr_assert(view_eq(&got, &after),
                    "%s, %s #%u failing with %s: succeeded, but " VIEW_FMT
                    "wanted " VIEW_FMT,
                    what, calls[c], k, strerror(errnos[e]), VIEW_ARGS(got),
                    VIEW_ARGS(after));
        } else {
          reported++;
          cr_assert(rc == api_code(errnos[e]) &&
                        (documented_8 || rc != ERROR_NOT_ENOUGH_MEMORY),
                    "%s, %s #%u failing with %s: returned %u", what, calls[c],
                    k, strerror(errnos[e]), (unsigned)rc);
          cr_assert(view_eq(&got, &before),
                    "%s, %s #%u failing with %s: failed with %u, but "
                    "changed " VIEW_FMT "before " VIEW_FMT,
                    what, calls[c], k, strerror(errnos[e]), (unsigned)rc,
                    VIEW_ARGS(got), VIEW_ARGS(before));
          rc = call();
          cr_assert_eq(rc, want, "%s: the retry returned %u", what,
                       (unsigned)rc);
          view(&got);
          cr_assert(view_eq(&got, &after),
                    "%s: after the retry " VIEW_FMT "wanted " VIEW_FMT, what,
                    VIEW_ARGS(got), VIEW_ARGS(after));
        }
        undo();
      }
      if (!reached)
        break;
      points++;
    }
  }
}

static DWORD take_a1(void) {
  return MgmTakeInterfaceOwnership(hq, lnx_ifx("a1"), 0);
}

static void release_a1(void) {
  cr_assert_eq(MgmReleaseInterfaceOwnership(hq, lnx_ifx("a1"), 0), NO_ERROR);
}

Test(linux_fault, take_fails_cleanly_at_every_system_call) {
  int fds0 = lnx_count_fds();

  world();
  every_fault("MgmTakeInterfaceOwnership (MRT_ADD_VIF)", take_a1, release_a1,
              1);
  unworld();
  cr_assert_eq(lnx_count_fds(), fds0, "descriptors leaked");
  fprintf(stderr, "linux take: %d system-call points, %d failures reported\n",
          points, reported);
  cr_assert_gt(reported, 0);
}

/* P owns a0 (toward SRC), Q owns a1, a2 with (*,GRP) on a1; the MFE
 * (SRC, GRP) comes from a packet. */
static void mfe_world(void) {
  world();
  cr_assert_eq(MgmTakeInterfaceOwnership(hp, lnx_ifx("a0"), 0), NO_ERROR);
  cr_assert_eq(MgmTakeInterfaceOwnership(hq, lnx_ifx("a1"), 0), NO_ERROR);
  cr_assert_eq(MgmTakeInterfaceOwnership(hq, lnx_ifx("a2"), 0), NO_ERROR);
  cr_assert_eq(MgmAddGroupMembershipEntry(hq, 0, 0, lnx_ip(GRP), 0xFFFFFFFFu,
                                          lnx_ifx("a1"), 0,
                                          MGM_JOIN_STATE_FLAG),
               NO_ERROR);
  make_mfe();
}

static DWORD join_a2(void) {
  return MgmAddGroupMembershipEntry(hq, 0, 0, lnx_ip(GRP), 0xFFFFFFFFu,
                                    lnx_ifx("a2"), 0, MGM_JOIN_STATE_FLAG);
}

static DWORD leave_a2(void) {
  return MgmDeleteGroupMembershipEntry(hq, 0, 0, lnx_ip(GRP), 0xFFFFFFFFu,
                                       lnx_ifx("a2"), 0, MGM_JOIN_STATE_FLAG);
}

static void undo_join(void) {
  cr_assert_eq(leave_a2(), NO_ERROR);
}

static void undo_leave(void) {
  cr_assert_eq(join_a2(), NO_ERROR);
}

Test(linux_fault, mfc_updates_fail_cleanly_at_every_system_call) {
  int fds0 = lnx_count_fds();

  mfe_world();
  every_fault("MgmAddGroupMembershipEntry (MRT_ADD_MFC)", join_a2, undo_join,
              1);
  cr_assert_eq(join_a2(), NO_ERROR);
  every_fault("MgmDeleteGroupMembershipEntry (MRT_ADD_MFC)", leave_a2,
              undo_leave, 1);
  cr_assert_eq(MgmReleaseInterfaceOwnership(hq, lnx_ifx("a2"), 0), NO_ERROR);
  cr_assert_eq(MgmReleaseInterfaceOwnership(hq, lnx_ifx("a1"), 0), NO_ERROR);
  cr_assert_eq(MgmReleaseInterfaceOwnership(hp, lnx_ifx("a0"), 0), NO_ERROR);
  unworld();
  cr_assert_eq(lnx_count_fds(), fds0, "descriptors leaked");
  fprintf(stderr,
          "linux MFC updates: %d system-call points, %d failures "
          "reported\n",
          points, reported);
  cr_assert_gt(reported, 0);
}

/* Release of the incoming interface: MRT_DEL_MFC, then the slot's scrub and
 * MRT_DEL_VIF.  A release cannot be refused: whatever fails, it returns
 * NO_ERROR, MGM drops the MFE, and the kernel ends with no entry (the
 * slot's scrub, or MGM's retry a second later) and either no VIF for a0 or
 * one MGM still holds (and detaches at stop). */
Test(linux_fault, mfc_removal_is_never_left_half_done) {
  char vif[4096], mfc[4096];
  struct timespec ts = {0, 50 * 1000 * 1000};
  int fds0 = lnx_count_fds(), reached, fired;
  unsigned c, e, k, i;
  DWORD rc;

  for (c = 0; c < sizeof calls / sizeof calls[0]; c++) {
    for (k = 1, reached = 1; reached; k++) {
      reached = 0;
      for (e = 0; e < sizeof errnos / sizeof errnos[0]; e++) {
        struct libmgm_snapshot *s = NULL;

        mfe_world();
        arm(calls[c], k, errnos[e]);
        rc = MgmReleaseInterfaceOwnership(hp, lnx_ifx("a0"), 0);
        fired = disarm();
        cr_assert_eq(rc, NO_ERROR, "release with %s #%u failing with %s: %u",
                     calls[c], k, strerror(errnos[e]), (unsigned)rc);
        /* a0 and the MFE arriving on it are gone from MGM ... */
        cr_assert_eq(libmgm_snapshot_take(&s), NO_ERROR);
        for (i = 0; i < s->n_ifs; i++)
          cr_assert_neq(s->ifs[i].ifindex, lnx_ifx("a0"));
        libmgm_snapshot_free(s);
        /* ... and, at once or after MGM's retry, from the kernel */
        for (i = 0; i < 60; i++) {
          lnx_proc_text("/proc/net/ip_mr_cache", mfc, sizeof mfc);
          if (strchr(mfc, '\n') == mfc + strlen(mfc) - 1)
            break;
          nanosleep(&ts, NULL);
        }
        cr_assert_eq(strchr(mfc, '\n'), mfc + strlen(mfc) - 1,
                     "release with %s #%u failing with %s: kernel keeps\n%s",
                     calls[c], k, strerror(errnos[e]), mfc);
        /* A VIF the kernel would not free is MGM's still: the next take
         * reuses it and its release frees it (not leaked for good). */
        cr_assert_eq(MgmTakeInterfaceOwnership(hp, lnx_ifx("a0"), 0), NO_ERROR);
        cr_assert_eq(MgmReleaseInterfaceOwnership(hp, lnx_ifx("a0"), 0),
                     NO_ERROR);
        lnx_proc_text("/proc/net/ip_mr_vif", vif, sizeof vif);
        cr_assert_null(strstr(vif, " a0 "),
                       "release with %s #%u failing with %s: a0's VIF "
                       "leaked:\n%s",
                       calls[c], k, strerror(errnos[e]), vif);
        cr_assert_eq(MgmReleaseInterfaceOwnership(hq, lnx_ifx("a2"), 0),
                     NO_ERROR);
        cr_assert_eq(MgmReleaseInterfaceOwnership(hq, lnx_ifx("a1"), 0),
                     NO_ERROR);
        unworld();
        cr_assert_eq(lnx_count_fds(), fds0, "%s #%u, %s: descriptors leaked",
                     calls[c], k, strerror(errnos[e]));
        if (!fired)
          break;
        reached = 1;
        reported++;
      }
      points += reached;
    }
  }
  fprintf(stderr, "linux MFC/VIF removal: %d system-call points, %d faults\n",
          points, reported);
  cr_assert_gt(reported, 0);
}
