/*
 * igmpdrv.c - a minimal host for the IGMP component on the real Linux
 * backend, used by the netns scenarios tests/netns/igmp-*.sh.
 *
 * SPDX-License-Identifier: MIT
 *
 * Starts libmgm ("linux" backend), creates the IGMP component, adds the
 * named interfaces (downstream routers, an optional proxy upstream), feeds
 * it the router socket's IGMP packets through the ctrl hook and runs its
 * timers, and prints what changes so that a script can wait for it:
 *   READY | START_FAILED <rc>
 *   MEMBER + <ifindex> <source> <group> [latent]   (MGM memberships of IGMP)
 *   MEMBER - <ifindex> <source> <group>
 *   QUERIER <ifindex> yes|no <querier address>
 *   UPSTREAM + <group> INCLUDE|EXCLUDE <nsrc>     (proxy upstream records)
 *   UPSTREAM - <group>
 *   TX <queries> <reports> <leaves> <errors>      (when a counter moves)
 *   EXIT
 * Usage: igmpdrv [--version 2|3] [--lmqi MS] [--qi S] [--qri MS]
 *                [--robust N] [--raw-send] [--up IFNAME] --down IFNAME ...
 * --raw-send replaces libmgm_ctrl_send by a raw IGMP socket of this driver
 * (TTL 1, router alert): a way to tell a backend send problem from a
 * component one.
 * Ends on SIGTERM/SIGINT.  Calls into the component are serialised with
 * one mutex (the ctrl hook runs on libmgm's loop thread, the timers here).
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <windows.h>
#include <iprtrmib.h>
#include <mgm.h>
#include <libmgm.h>
#include <routprot.h>

#include "igmp.h"

#define MAXM 256
#define MAXIF 8

struct mem {
  DWORD ifx, s, g;
  BOOL latent;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct mgm_igmp *ig;
static int wake[2] = {-1, -1};
static volatile sig_atomic_t stop;
static struct mem prev[MAXM];
static int nprev;
static int qstate[MAXIF + 1][2]; /* ifindex slot -> (known, querier) */
static DWORD qaddr[MAXIF + 1];
static DWORD ups[MAXM];
static int nups;
static struct mgm_igmp_counters last;
static int raw_fd = -1;

static uint64_t mono_ms(void *ctx) {
  struct timespec ts;

  (void)ctx;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void poke(void *ctx) {
  char c = 1;
  ssize_t n;

  (void)ctx;
  n = write(wake[1], &c, 1);
  (void)n;
}

/* io->send for --raw-send: the kernel builds the IP header; we give it
 * TTL 1, the router alert option and the outgoing interface. */
static DWORD raw_send(void *ctx, DWORD ifindex, DWORD dst, const BYTE *msg,
                      DWORD len) {
  struct ip_mreqn mr;
  struct sockaddr_in to;
  DWORD rc = ERROR_CAN_NOT_COMPLETE;

  (void)ctx;
  memset(&mr, 0, sizeof(mr));
  mr.imr_ifindex = (int)ifindex;
  memset(&to, 0, sizeof(to));
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = dst;
  if (setsockopt(raw_fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) == 0 &&
      sendto(raw_fd, msg, len, 0, (struct sockaddr *)&to, sizeof(to)) ==
          (ssize_t)len)
    rc = NO_ERROR;
  return rc;
}

static int raw_open(void) {
  static const unsigned char ra[4] = {0x94, 0x04, 0, 0};
  int ttl = 1, loop = 0, small = 256, ok;

  raw_fd = socket(AF_INET, SOCK_RAW, IPPROTO_IGMP);
  ok = raw_fd >= 0 &&
       setsockopt(raw_fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) ==
           0 &&
       setsockopt(raw_fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop)) ==
           0 &&
       setsockopt(raw_fd, IPPROTO_IP, IP_OPTIONS, ra, sizeof(ra)) == 0 &&
       /* never read: keep what it queues small */
       setsockopt(raw_fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) == 0;
  return ok;
}

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
  poke(NULL);
}

static void log_line(void *ctx, int level, const char *msg) {
  (void)ctx;
  printf("LOG %d %s\n", level, msg);
}

static void if_name(void *ctx, DWORD ifindex, char *buf, size_t len) {
  char n[IF_NAMESIZE];

  (void)ctx;
  if (if_indextoname(ifindex, n) != NULL)
    snprintf(buf, len, "%s", n);
}

static void hook(void *ctx, DWORD ifindex, const BYTE *pkt, DWORD len) {
  pthread_mutex_lock(&mu);
  mgm_igmp_ctrl_hook(ctx, ifindex, pkt, len);
  pthread_mutex_unlock(&mu);
  poke(NULL);
}

static const char *ip(DWORD a, char *buf) {
  return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static DWORD if_addr(const char *name) {
  struct ifaddrs *ifa = NULL, *p;
  DWORD a = 0;

  if (getifaddrs(&ifa) != 0)
    goto out;
  for (p = ifa; p != NULL && a == 0; p = p->ifa_next)
    if (p->ifa_addr != NULL && p->ifa_addr->sa_family == AF_INET &&
        strcmp(p->ifa_name, name) == 0)
      a = ((struct sockaddr_in *)(void *)p->ifa_addr)->sin_addr.s_addr;
  freeifaddrs(ifa);
out:
  return a;
}

static int has(const struct mem *set, int n, const struct mem *m) {
  int i, hit = 0;

  for (i = 0; i < n && !hit; i++)
    hit = set[i].ifx == m->ifx && set[i].s == m->s && set[i].g == m->g;
  return hit;
}

static void report(DWORD proto) {
  struct libmgm_snapshot *snap = NULL;
  struct mem cur[MAXM];
  int ncur = 0, i;
  char a[16], b[16];
  DWORD k, after = 0;
  struct mgm_igmp_if_info ii;
  struct mgm_igmp_counters c;

  if (libmgm_snapshot_take(&snap) == NO_ERROR) {
    for (k = 0; k < snap->n_members && ncur < MAXM; k++) {
      const struct libmgm_member_info *m = &snap->members[k];

      if (m->protocol_id != proto)
        continue;
      cur[ncur].ifx = m->ifindex;
      cur[ncur].s = m->sg.dwSourceAddr;
      cur[ncur].g = m->sg.dwGroupAddr;
      cur[ncur].latent = m->latent;
      ncur++;
    }
    libmgm_snapshot_free(snap);
    for (i = 0; i < ncur; i++)
      if (!has(prev, nprev, &cur[i]))
        printf("MEMBER + %u %s %s%s\n", (unsigned)cur[i].ifx, ip(cur[i].s, a),
               ip(cur[i].g, b), cur[i].latent ? " latent" : "");
    for (i = 0; i < nprev; i++)
      if (!has(cur, ncur, &prev[i]))
        printf("MEMBER - %u %s %s\n", (unsigned)prev[i].ifx, ip(prev[i].s, a),
               ip(prev[i].g, b));
    memcpy(prev, cur, sizeof(cur[0]) * (size_t)ncur);
    nprev = ncur;
  }
  while (mgm_igmp_if_next(ig, after, &ii) == NO_ERROR) {
    int slot = (int)(ii.ifindex % (MAXIF + 1));

    after = ii.ifindex;
    if (ii.role == MGM_IGMP_ROLE_DOWNSTREAM &&
        (!qstate[slot][0] || qstate[slot][1] != ii.querier ||
         qaddr[slot] != ii.querier_addr)) {
      qstate[slot][0] = 1;
      qstate[slot][1] = ii.querier;
      qaddr[slot] = ii.querier_addr;
      printf("QUERIER %u %s %s\n", (unsigned)ii.ifindex,
             ii.querier ? "yes" : "no", ip(ii.querier_addr, a));
    }
    if (ii.role == MGM_IGMP_ROLE_UPSTREAM) {
      struct mgm_igmp_group_info gi;
      DWORD cur_g[MAXM], g = 0;
      int n = 0;

      while (n < MAXM &&
             mgm_igmp_group_next(ig, ii.ifindex, g, &gi, NULL, 0) == NO_ERROR) {
        g = gi.group;
        if (gi.filter_mode == MGM_IGMP_INCLUDE && gi.n_sources == 0)
          continue; /* leaving */
        cur_g[n++] = g;
        for (i = 0; i < nups && ups[i] != g; i++) {
        }
        if (i == nups)
          printf("UPSTREAM + %s %s %u\n", ip(g, a),
                 gi.filter_mode == MGM_IGMP_EXCLUDE ? "EXCLUDE" : "INCLUDE",
                 (unsigned)gi.n_sources);
      }
      for (i = 0; i < nups; i++) {
        int j;

        for (j = 0; j < n && cur_g[j] != ups[i]; j++) {
        }
        if (j == n)
          printf("UPSTREAM - %s\n", ip(ups[i], a));
      }
      memcpy(ups, cur_g, sizeof(DWORD) * (size_t)n);
      nups = n;
    }
  }
  if (mgm_igmp_get_counters(ig, 0, &c) == NO_ERROR &&
      (c.tx_queries != last.tx_queries || c.tx_reports != last.tx_reports ||
       c.tx_leaves != last.tx_leaves || c.tx_errors != last.tx_errors)) {
    printf("TX %llu %llu %llu %llu\n", (unsigned long long)c.tx_queries,
           (unsigned long long)c.tx_reports, (unsigned long long)c.tx_leaves,
           (unsigned long long)c.tx_errors);
    last = c;
  }
  fflush(stdout);
}

int main(int argc, char **argv) {
  struct libmgm_config lc;
  struct mgm_igmp_config cfg;
  struct mgm_igmp_io io = {NULL, poke, mono_ms, log_line, NULL, if_name};
  const char *up = NULL, *down[MAXIF];
  int ndown = 0, i, rc = 1;
  DWORD r;

  setvbuf(stdout, NULL, _IOLBF, 0);
  mgm_igmp_config_init(&cfg);
  cfg.io = &io;
  cfg.seed = (uint32_t)getpid();
  for (i = 1; i < argc; i++) {
    const char *v = i + 1 < argc ? argv[i + 1] : "";

    if (strcmp(argv[i], "--raw-send") == 0) {
      if (!raw_open()) {
        perror("igmpdrv: raw IGMP socket");
        goto out;
      }
      io.send = raw_send;
      continue;
    }
    if (strcmp(argv[i], "--up") == 0)
      up = v;
    else if (strcmp(argv[i], "--down") == 0 && ndown < MAXIF)
      down[ndown++] = v;
    else if (strcmp(argv[i], "--version") == 0)
      cfg.version = (uint32_t)atoi(v);
    else if (strcmp(argv[i], "--lmqi") == 0)
      cfg.last_member_query_ms = (uint32_t)atoi(v);
    else if (strcmp(argv[i], "--qi") == 0)
      cfg.query_interval_s = (uint32_t)atoi(v);
    else if (strcmp(argv[i], "--qri") == 0)
      cfg.query_response_ms = (uint32_t)atoi(v);
    else if (strcmp(argv[i], "--robust") == 0)
      cfg.robustness = (uint32_t)atoi(v);
    else
      continue;
    i++;
  }
  if (ndown == 0) {
    fprintf(stderr, "usage: igmpdrv [--up IF] --down IF [--down IF]...\n");
    rc = 2;
    goto out;
  }
  if (pipe(wake) != 0)
    goto out;
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  signal(SIGPIPE, SIG_IGN);
  libmgm_config_init(&lc);
  lc.backend = "linux";
  r = libmgm_start(&lc);
  if (r != NO_ERROR) {
    printf("START_FAILED %lu\n", (unsigned long)r);
    goto out;
  }
  if (up != NULL)
    cfg.proxy_upstream = if_nametoindex(up);
  r = mgm_igmp_create(&cfg, 1, &ig);
  if (r != NO_ERROR) {
    printf("START_FAILED create %lu\n", (unsigned long)r);
    goto stop;
  }
  libmgm_set_ctrl_hook(hook, ig);
  pthread_mutex_lock(&mu);
  if (up != NULL) {
    r = mgm_igmp_add_interface(ig, cfg.proxy_upstream, if_addr(up),
                               MGM_IGMP_ROLE_UPSTREAM, mono_ms(NULL));
    printf("ADDED %s %u up %lu\n", up, (unsigned)cfg.proxy_upstream,
           (unsigned long)r);
  }
  for (i = 0; i < ndown; i++) {
    DWORD ifx = if_nametoindex(down[i]);

    r = mgm_igmp_add_interface(ig, ifx, if_addr(down[i]),
                               MGM_IGMP_ROLE_DOWNSTREAM, mono_ms(NULL));
    printf("ADDED %s %u down %lu\n", down[i], (unsigned)ifx, (unsigned long)r);
  }
  pthread_mutex_unlock(&mu);
  printf("READY\n");
  while (!stop) {
    struct pollfd pfd = {wake[0], POLLIN, 0};
    uint64_t now, d;
    int tmo = 200;
    char buf[64];

    pthread_mutex_lock(&mu);
    now = mono_ms(NULL);
    d = mgm_igmp_tick(ig, now);
    report(cfg.protocol_id);
    pthread_mutex_unlock(&mu);
    if (d != MGM_IGMP_NEVER && d <= now)
      tmo = 0;
    else if (d != MGM_IGMP_NEVER && d - now < 200)
      tmo = (int)(d - now);
    if (poll(&pfd, 1, tmo) > 0 && read(wake[0], buf, sizeof(buf)) < 0)
      break;
  }
  libmgm_set_ctrl_hook(NULL, NULL);
  pthread_mutex_lock(&mu);
  mgm_igmp_destroy(ig);
  ig = NULL;
  pthread_mutex_unlock(&mu);
  rc = 0;
stop:
  libmgm_stop();
  printf("EXIT\n");
out:
  if (raw_fd >= 0)
    close(raw_fd);
  return rc;
}
