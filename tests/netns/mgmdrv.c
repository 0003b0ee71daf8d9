/*
 * mgmdrv.c - a tiny multicast routing protocol written against the
 * Windows MGM API, used by the netns scenarios to drive libmgm's "linux"
 * backend end to end.
 *
 * SPDX-License-Identifier: MIT
 *
 * Usage: mgmdrv [options] IF...
 *   -b BACKEND   backend (default "linux")     -t TABLE   MRT_TABLE
 *   -l SECONDS   MFE lifetime (mfe_lifetime_s) -w         wrong-if alerts
 *   -j IF:GROUP[:SOURCE]   add a membership at start (repeatable)
 *   -v IF        veto: clear bIsEnabled for IF in creation alerts
 *   -p ID        protocol id (default 10000)
 *   -P ID        also register a second protocol with this id ("take2")
 *   -q           quiet: no callback lines (benchmarks)
 *   -H           run libmgm on a host libuv loop (libmgm_config.loop) that
 *                a thread of mgmdrv runs: RPF and CREATE lines then end in
 *                " host=1" when the callback ran on that thread (0 if not),
 *                and after the stop a "HOSTLOOP handles=<n> close=<rc>"
 *                line reports what uv_walk() and uv_loop_close() found
 * IF is an interface name or an ifindex.  mgmdrv starts libmgm, registers
 * with MgmRegisterMProtocol, takes every IF, adds the -j memberships,
 * prints READY, then reads commands on stdin, one per line:
 *   take IF | release IF | join IF GROUP [SOURCE] | leave IF GROUP [SOURCE]
 *   (GROUP 0.0.0.0 is the (*,*) wildcard)
 *   veto IF | unveto IF | mfes | stats | dump | spawn SECONDS | quit
 *   take2 IF     take IF for the second protocol (-P); join, leave and
 *                release act for whichever protocol took IF
 * Every command answers "OK <cmd...>" or "ERR <code> <cmd...>" after it
 * ran, so a script can wait for it.  Every callback prints one line:
 *   RPF <src> <grp> iif=<n> up=<addr>
 *   CREATE <src> <grp> iif=<n> n=<k> <ifindex>:<0|1>...
 *   PRUNE <src> <grp> if=<n> member=<b>   JOIN <src> <grp> update=<b>
 *   WRONGIF <src> <grp> if=<n>            LJOIN / LLEAVE <src> <grp> if=<n>
 *   IGMPOFF / IGMPON if=<n>
 * "mfes" prints "MFE <src> <grp> iif=<n> up=<a> proto=<n> net=<a>/<m>
 * oifs=<i,j,...>" per entry then "MFES <count>"; "stats" prints
 * "MFESTATS <src> <grp> iif=<n> pkts=<n> octets=<n> diffif=<n>" then
 * "STATSN <count>".  "dump" prints libmgm's view for the netns soak
 * (libmgm_snapshot_take, then the MFEs as "mfes" does):
 *   DIF <ifindex> owner=<protocol id|-> igmp=<0|1> attached=<0|1>
 *   DMEMBER <src> <grp> if=<n> proto=<protocol id>
 *   MFE ... / MFES <count>
 * "spawn SECONDS" starts a child "sleep SECONDS" (a child must hold no
 * descriptor of the router's: kill -9 of mgmdrv still frees the kernel
 * table) and prints "SPAWNED <pid>".  On SIGTERM or EOF it releases,
 * deregisters, stops libmgm and prints EXIT.  If libmgm_start fails:
 * "START_FAILED <code>", exit status 3.
 */
#define _GNU_SOURCE 1

#include <windows.h>
#include <winerror.h>
#include <iprtrmib.h>
#include <mgm.h>
#include <libmgm.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#define DRV_MAX_IF 64
#define DRV_BUF (1024 * 1024)

static pthread_mutex_t drv_out = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t drv_lock = PTHREAD_MUTEX_INITIALIZER;
static DWORD drv_veto[DRV_MAX_IF];
static int drv_n_veto;
struct drv_take {
  DWORD ifindex;
  HANDLE h; /* the protocol that took it */
};
static struct drv_take drv_taken[DRV_MAX_IF];
static int drv_n_taken;
static HANDLE drv_h;
static HANDLE drv_h2; /* second protocol (-P), or NULL */
static volatile sig_atomic_t drv_stop;
static int drv_quiet;
static int drv_host;           /* -H: libmgm on a host libuv loop */
static uv_loop_t drv_loop;     /* that loop */
static pthread_t drv_loop_thr; /* the thread running it */
static struct libmgm_config *drv_cfg;
static DWORD drv_start_rc;
static int drv_started;
static pthread_cond_t drv_cv = PTHREAD_COND_INITIALIZER;
static int drv_handles_left, drv_close_rc;

static void out(const char *fmt, ...) {
  va_list ap;

  pthread_mutex_lock(&drv_out);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  fflush(stdout);
  pthread_mutex_unlock(&drv_out);
}

/* Up to eight address strings usable in one printf. */
static const char *ip_a(DWORD a) {
  static _Thread_local char buf[8][INET_ADDRSTRLEN];
  static _Thread_local unsigned k;
  struct in_addr in;

  k = (k + 1) % 8;
  in.s_addr = a;
  return inet_ntop(AF_INET, &in, buf[k], INET_ADDRSTRLEN);
}

static DWORD ifx(const char *s) {
  char *end;
  unsigned long v;

  v = strtoul(s, &end, 10);
  if (*s != '\0' && *end == '\0')
    return (DWORD)v;
  return (DWORD)if_nametoindex(s);
}

static int vetoed(DWORD ifindex) {
  int i;
  int r = 0;

  pthread_mutex_lock(&drv_lock);
  for (i = 0; i < drv_n_veto; i++)
    if (drv_veto[i] == ifindex)
      r = 1;
  pthread_mutex_unlock(&drv_lock);
  return r;
}

/* " host=1" when -H and on the host loop's thread. */
static const char *host_tag(void) {
  if (!drv_host)
    return "";
  return pthread_equal(pthread_self(), drv_loop_thr) ? " host=1" : " host=0";
}

/* ---- callbacks ----------------------------------------------------------- */

static DWORD cb_rpf(DWORD src, DWORD srcmask, DWORD grp, DWORD grpmask,
                    PDWORD iif, PDWORD iifnh, PDWORD up, DWORD hdrsize,
                    PBYTE hdr, PBYTE route) {
  (void)srcmask;
  (void)grpmask;
  (void)iifnh;
  (void)hdrsize;
  (void)hdr;
  (void)route;
  if (drv_quiet)
    return NO_ERROR;
  out("RPF %s %s iif=%lu up=%s%s", ip_a(src), ip_a(grp), (unsigned long)*iif,
      ip_a(*up), host_tag());
  return NO_ERROR;
}

static DWORD cb_create(DWORD src, DWORD srcmask, DWORD grp, DWORD grpmask,
                       DWORD iif, DWORD iifnh, DWORD n, PMGM_IF_ENTRY list) {
  char line[1024];
  size_t off;
  DWORD i;

  (void)srcmask;
  (void)grpmask;
  (void)iifnh;
  if (drv_quiet) { /* benchmarks: the vetoes, no formatting */
    for (i = 0; i < n; i++)
      if (vetoed(list[i].dwIfIndex))
        list[i].bIsEnabled = FALSE;
    return NO_ERROR;
  }
  off = (size_t)snprintf(line, sizeof(line), "CREATE %s %s iif=%lu n=%lu",
                         ip_a(src), ip_a(grp), (unsigned long)iif,
                         (unsigned long)n);
  for (i = 0; i < n; i++) {
    if (vetoed(list[i].dwIfIndex))
      list[i].bIsEnabled = FALSE;
    if (off < sizeof(line))
      off += (size_t)snprintf(line + off, sizeof(line) - off, " %lu:%d",
                              (unsigned long)list[i].dwIfIndex,
                              list[i].bIsEnabled ? 1 : 0);
  }
  out("%s%s", line, host_tag());
  return NO_ERROR;
}

static DWORD cb_prune(DWORD src, DWORD srcmask, DWORD grp, DWORD grpmask,
                      DWORD ifindex, DWORD nh, BOOL member, PDWORD timeout) {
  (void)srcmask;
  (void)grpmask;
  (void)nh;
  out("PRUNE %s %s if=%lu member=%d timeout=%lu", ip_a(src), ip_a(grp),
      (unsigned long)ifindex, member ? 1 : 0,
      timeout ? (unsigned long)*timeout : 0ul);
  return NO_ERROR;
}

static DWORD cb_join(DWORD src, DWORD srcmask, DWORD grp, DWORD grpmask,
                     BOOL update) {
  (void)srcmask;
  (void)grpmask;
  out("JOIN %s %s update=%d", ip_a(src), ip_a(grp), update ? 1 : 0);
  return NO_ERROR;
}

static DWORD cb_wrongif(DWORD src, DWORD grp, DWORD ifindex, DWORD nh,
                        DWORD hdrsize, PBYTE hdr) {
  (void)nh;
  (void)hdrsize;
  (void)hdr;
  out("WRONGIF %s %s if=%lu", ip_a(src), ip_a(grp), (unsigned long)ifindex);
  return NO_ERROR;
}

static DWORD cb_ljoin(DWORD src, DWORD srcmask, DWORD grp, DWORD grpmask,
                      DWORD ifindex, DWORD nh) {
  (void)srcmask;
  (void)grpmask;
  (void)nh;
  out("LJOIN %s %s if=%lu", ip_a(src), ip_a(grp), (unsigned long)ifindex);
  return NO_ERROR;
}

static DWORD cb_lleave(DWORD src, DWORD srcmask, DWORD grp, DWORD grpmask,
                       DWORD ifindex, DWORD nh) {
  (void)srcmask;
  (void)grpmask;
  (void)nh;
  out("LLEAVE %s %s if=%lu", ip_a(src), ip_a(grp), (unsigned long)ifindex);
  return NO_ERROR;
}

static DWORD cb_igmpoff(DWORD ifindex, DWORD nh) {
  (void)nh;
  out("IGMPOFF if=%lu", (unsigned long)ifindex);
  return NO_ERROR;
}

static DWORD cb_igmpon(DWORD ifindex, DWORD nh) {
  (void)nh;
  out("IGMPON if=%lu", (unsigned long)ifindex);
  return NO_ERROR;
}

/* ---- commands ------------------------------------------------------------ */

/* The protocol that took ifindex (the first one if nobody did: libmgm then
 * answers for it). */
static HANDLE owner_of(DWORD ifindex) {
  HANDLE h = drv_h;
  int i;

  pthread_mutex_lock(&drv_lock);
  for (i = 0; i < drv_n_taken; i++)
    if (drv_taken[i].ifindex == ifindex)
      h = drv_taken[i].h;
  pthread_mutex_unlock(&drv_lock);
  return h;
}

static DWORD membership(int add, const char *ifs, const char *g,
                        const char *s) {
  struct in_addr ga;
  struct in_addr sa;
  DWORD src = 0;
  DWORD smask = 0;
  DWORD gmask;

  if (inet_pton(AF_INET, g, &ga) != 1)
    return ERROR_INVALID_PARAMETER;
  gmask = ga.s_addr == 0 ? 0 : 0xffffffffu; /* 0.0.0.0 = (*,*) */
  if (s != NULL) {
    if (inet_pton(AF_INET, s, &sa) != 1)
      return ERROR_INVALID_PARAMETER;
    src = sa.s_addr;
    smask = 0xffffffffu;
  }
  if (add)
    return MgmAddGroupMembershipEntry(owner_of(ifx(ifs)), src, smask, ga.s_addr,
                                      gmask, ifx(ifs), 0, MGM_JOIN_STATE_FLAG);
  return MgmDeleteGroupMembershipEntry(owner_of(ifx(ifs)), src, smask,
                                       ga.s_addr, gmask, ifx(ifs), 0,
                                       MGM_JOIN_STATE_FLAG);
}

static DWORD take(const char *ifs, HANDLE h) {
  DWORD ix = ifx(ifs);
  DWORD rc;

  if (h == NULL)
    return ERROR_INVALID_PARAMETER; /* take2 without -P */
  rc = MgmTakeInterfaceOwnership(h, ix, 0);
  out("TAKE %s %lu rc=%lu", ifs, (unsigned long)ix, (unsigned long)rc);
  pthread_mutex_lock(&drv_lock);
  if (rc == NO_ERROR && drv_n_taken < DRV_MAX_IF) {
    drv_taken[drv_n_taken].ifindex = ix;
    drv_taken[drv_n_taken].h = h;
    drv_n_taken++;
  }
  pthread_mutex_unlock(&drv_lock);
  return rc;
}

static DWORD release(const char *ifs) {
  DWORD ix = ifx(ifs);
  DWORD rc;
  int i;

  rc = MgmReleaseInterfaceOwnership(owner_of(ix), ix, 0);
  if (rc != NO_ERROR)
    return rc;
  pthread_mutex_lock(&drv_lock);
  for (i = 0; i < drv_n_taken; i++)
    if (drv_taken[i].ifindex == ix)
      drv_taken[i] = drv_taken[--drv_n_taken];
  pthread_mutex_unlock(&drv_lock);
  return rc;
}

static void veto(const char *ifs, int on) {
  DWORD ix = ifx(ifs);
  int i;

  pthread_mutex_lock(&drv_lock);
  for (i = 0; i < drv_n_veto; i++)
    if (drv_veto[i] == ix)
      drv_veto[i] = drv_veto[--drv_n_veto];
  if (on && drv_n_veto < DRV_MAX_IF)
    drv_veto[drv_n_veto++] = ix;
  pthread_mutex_unlock(&drv_lock);
}

static DWORD list_mfes(void) {
  static BYTE buf[DRV_BUF];
  MIB_IPMCAST_MFE last;
  PMIB_IPMCAST_MFE m;
  DWORD size;
  DWORD n;
  DWORD i;
  DWORD k;
  DWORD rc;
  DWORD total = 0;
  size_t off;
  char oifs[512];
  size_t o;
  int first = 1;

  do {
    size = sizeof(buf);
    n = 0;
    rc = first ? MgmGetFirstMfe(&size, buf, &n)
               : MgmGetNextMfe(&last, &size, buf, &n);
    first = 0;
    if (rc != NO_ERROR && rc != ERROR_MORE_DATA && rc != ERROR_NO_MORE_ITEMS)
      return rc;
    off = 0;
    for (i = 0; i < n; i++) {
      m = (PMIB_IPMCAST_MFE)(buf + off);
      oifs[0] = '\0';
      o = 0;
      for (k = 0; k < m->ulNumOutIf && o < sizeof(oifs); k++)
        o += (size_t)snprintf(oifs + o, sizeof(oifs) - o, "%s%lu", k ? "," : "",
                              (unsigned long)m->rgmioOutInfo[k].dwOutIfIndex);
      out("MFE %s %s iif=%lu up=%s proto=%lu net=%s/%s oifs=%s",
          ip_a(m->dwSource), ip_a(m->dwGroup), (unsigned long)m->dwInIfIndex,
          ip_a(m->dwUpStrmNgbr), (unsigned long)m->dwRouteProtocol,
          ip_a(m->dwRouteNetwork), ip_a(m->dwRouteMask), oifs[0] ? oifs : "-");
      memcpy(&last, m, sizeof(last));
      off += offsetof(MIB_IPMCAST_MFE, rgmioOutInfo) +
             m->ulNumOutIf * sizeof(MIB_IPMCAST_OIF);
      total++;
    }
  } while (rc != ERROR_NO_MORE_ITEMS && n > 0);
  out("MFES %lu", (unsigned long)total);
  return NO_ERROR;
}

static DWORD list_stats(void) {
  static BYTE buf[DRV_BUF];
  MIB_IPMCAST_MFE last;
  PMIB_IPMCAST_MFE_STATS m;
  DWORD size;
  DWORD n;
  DWORD i;
  DWORD rc;
  DWORD total = 0;
  size_t off;
  int first = 1;

  memset(&last, 0, sizeof(last));
  do {
    size = sizeof(buf);
    n = 0;
    rc = first ? MgmGetFirstMfeStats(&size, buf, &n, MGM_MFE_STATS_0)
               : MgmGetNextMfeStats(&last, &size, buf, &n, MGM_MFE_STATS_0);
    first = 0;
    if (rc != NO_ERROR && rc != ERROR_MORE_DATA && rc != ERROR_NO_MORE_ITEMS)
      return rc;
    off = 0;
    for (i = 0; i < n; i++) {
      m = (PMIB_IPMCAST_MFE_STATS)(buf + off);
      out("MFESTATS %s %s iif=%lu pkts=%lu octets=%lu diffif=%lu",
          ip_a(m->dwSource), ip_a(m->dwGroup), (unsigned long)m->dwInIfIndex,
          (unsigned long)m->ulInPkts, (unsigned long)m->ulInOctets,
          (unsigned long)m->ulPktsDifferentIf);
      last.dwGroup = m->dwGroup;
      last.dwSource = m->dwSource;
      last.dwSrcMask = m->dwSrcMask;
      off += offsetof(MIB_IPMCAST_MFE_STATS, rgmiosOutStats) +
             m->ulNumOutIf * sizeof(MIB_IPMCAST_OIF_STATS);
      total++;
    }
  } while (rc != ERROR_NO_MORE_ITEMS && n > 0);
  out("STATSN %lu", (unsigned long)total);
  return NO_ERROR;
}

/* libmgm's view of interfaces and memberships (the soak compares it with
 * the kernel's VIF table and with its own model), then the MFEs. */
static DWORD dump(void) {
  struct libmgm_snapshot *snap = NULL;
  char owner[16];
  DWORD rc;
  DWORD i;

  rc = libmgm_snapshot_take(&snap);
  if (rc != NO_ERROR)
    goto out;
  for (i = 0; i < snap->n_ifs; i++) {
    const struct libmgm_if_info *f = &snap->ifs[i];

    if (f->has_owner)
      snprintf(owner, sizeof(owner), "%lu", (unsigned long)f->owner_protocol);
    else
      snprintf(owner, sizeof(owner), "-");
    out("DIF %lu owner=%s igmp=%d attached=%d", (unsigned long)f->ifindex,
        owner, f->has_igmp ? 1 : 0, f->attached ? 1 : 0);
  }
  for (i = 0; i < snap->n_members; i++) {
    const struct libmgm_member_info *m = &snap->members[i];

    out("DMEMBER %s %s if=%lu proto=%lu", ip_a(m->sg.dwSourceAddr),
        ip_a(m->sg.dwGroupAddr), (unsigned long)m->ifindex,
        (unsigned long)m->protocol_id);
  }
  rc = list_mfes();

out:
  if (snap != NULL)
    libmgm_snapshot_free(snap);
  return rc;
}

static DWORD spawn_sleeper(const char *secs) {
  char *argv[3];
  pid_t pid;
  int err;

  argv[0] = "sleep";
  argv[1] = (char *)secs;
  argv[2] = NULL;
  err = posix_spawnp(&pid, "sleep", NULL, NULL, argv, environ);
  if (err != 0)
    return ERROR_CAN_NOT_COMPLETE;
  out("SPAWNED %ld", (long)pid);
  return NO_ERROR;
}

static void command(char *line) {
  char copy[256];
  char *argv[6];
  char *save = NULL;
  char *tok;
  int argc = 0;
  DWORD rc = NO_ERROR;

  line[strcspn(line, "\r\n")] = '\0';
  snprintf(copy, sizeof(copy), "%s", line);
  for (tok = strtok_r(line, " \t", &save); tok != NULL && argc < 6;
       tok = strtok_r(NULL, " \t", &save))
    argv[argc++] = tok;
  if (argc == 0)
    return;
  if (strcmp(argv[0], "take") == 0 && argc == 2)
    rc = take(argv[1], drv_h);
  else if (strcmp(argv[0], "take2") == 0 && argc == 2)
    rc = take(argv[1], drv_h2);
  else if (strcmp(argv[0], "release") == 0 && argc == 2)
    rc = release(argv[1]);
  else if (strcmp(argv[0], "join") == 0 && (argc == 3 || argc == 4))
    rc = membership(1, argv[1], argv[2], argc == 4 ? argv[3] : NULL);
  else if (strcmp(argv[0], "leave") == 0 && (argc == 3 || argc == 4))
    rc = membership(0, argv[1], argv[2], argc == 4 ? argv[3] : NULL);
  else if (strcmp(argv[0], "veto") == 0 && argc == 2)
    veto(argv[1], 1);
  else if (strcmp(argv[0], "unveto") == 0 && argc == 2)
    veto(argv[1], 0);
  else if (strcmp(argv[0], "mfes") == 0)
    rc = list_mfes();
  else if (strcmp(argv[0], "stats") == 0)
    rc = list_stats();
  else if (strcmp(argv[0], "dump") == 0)
    rc = dump();
  else if (strcmp(argv[0], "spawn") == 0 && argc == 2)
    rc = spawn_sleeper(argv[1]);
  else if (strcmp(argv[0], "quit") == 0)
    drv_stop = 1;
  else
    rc = ERROR_INVALID_PARAMETER;
  if (rc == NO_ERROR)
    out("OK %s", copy);
  else
    out("ERR %lu %s", (unsigned long)rc, copy);
}

static void on_term(int sig) {
  (void)sig;
  drv_stop = 1;
}

static void count_handle(uv_handle_t *h, void *arg) {
  (void)h;
  (*(int *)arg)++;
}

/* -H: libmgm is started on the thread that runs the loop (libmgm.h). */
static void *host_loop_main(void *arg) {
  DWORD rc;

  (void)arg;
  rc = libmgm_start(drv_cfg);
  pthread_mutex_lock(&drv_lock);
  drv_start_rc = rc;
  drv_started = 1;
  pthread_cond_broadcast(&drv_cv);
  pthread_mutex_unlock(&drv_lock);
  if (rc == NO_ERROR)
    uv_run(&drv_loop, UV_RUN_DEFAULT); /* until libmgm_stop */
  uv_walk(&drv_loop, count_handle, &drv_handles_left);
  drv_close_rc = uv_loop_close(&drv_loop);
  return NULL;
}

static DWORD host_start(struct libmgm_config *cfg) {
  DWORD rc;

  sigset_t block, old;
  int err;

  if (uv_loop_init(&drv_loop) != 0)
    return ERROR_NOT_ENOUGH_MEMORY;
  cfg->loop = &drv_loop;
  drv_cfg = cfg;
  /* SIGTERM/SIGINT must interrupt the main thread's fgets: the loop
   * thread blocks them. */
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGINT);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  err = pthread_create(&drv_loop_thr, NULL, host_loop_main, NULL);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (err != 0)
    return ERROR_NOT_ENOUGH_MEMORY;
  pthread_mutex_lock(&drv_lock);
  while (!drv_started)
    pthread_cond_wait(&drv_cv, &drv_lock);
  rc = drv_start_rc;
  pthread_mutex_unlock(&drv_lock);
  if (rc != NO_ERROR)
    pthread_join(drv_loop_thr, NULL);
  return rc;
}

static void usage(void) {
  fprintf(stderr, "usage: mgmdrv [-b BACKEND] [-t TABLE] [-l SECONDS] [-w] "
                  "[-q] [-H] [-p ID] [-P ID] [-j IF:GROUP[:SOURCE]]... "
                  "[-v IF]... "
                  "IF...\n");
  exit(1);
}

int main(int argc, char **argv) {
  ROUTING_PROTOCOL_CONFIG rpc;
  struct libmgm_config cfg;
  struct sigaction sa;
  const char *joins[DRV_MAX_IF];
  int n_joins = 0;
  char line[256];
  char spec[128];
  char *g;
  char *s;
  DWORD proto = 10000;
  DWORD proto2 = 0;
  DWORD rc;
  int i;

  libmgm_config_init(&cfg);
  cfg.backend = "linux";
  if (getenv("LIBMGM_LOG") != NULL)
    cfg.log = getenv("LIBMGM_LOG");
  for (i = 1; i < argc && argv[i][0] == '-'; i++) {
    if (i + 1 >= argc && strcmp(argv[i], "-w") != 0 &&
        strcmp(argv[i], "-q") != 0 && strcmp(argv[i], "-H") != 0)
      usage();
    if (strcmp(argv[i], "-b") == 0)
      cfg.backend = argv[++i];
    else if (strcmp(argv[i], "-t") == 0)
      cfg.table = (uint32_t)strtoul(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "-l") == 0)
      cfg.mfe_lifetime_s = (uint32_t)strtoul(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "-w") == 0)
      cfg.wrongif_alerts = 1;
    else if (strcmp(argv[i], "-q") == 0)
      drv_quiet = 1;
    else if (strcmp(argv[i], "-H") == 0)
      drv_host = 1;
    else if (strcmp(argv[i], "-p") == 0)
      proto = (DWORD)strtoul(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "-P") == 0)
      proto2 = (DWORD)strtoul(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "-j") == 0 && n_joins < DRV_MAX_IF)
      joins[n_joins++] = argv[++i];
    else if (strcmp(argv[i], "-v") == 0)
      veto(argv[++i], 1);
    else
      usage();
  }
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_term; /* no SA_RESTART: fgets returns on a signal */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  rc = drv_host ? host_start(&cfg) : libmgm_start(&cfg);
  if (rc != NO_ERROR) {
    out("START_FAILED %lu", (unsigned long)rc);
    return 3;
  }
  memset(&rpc, 0, sizeof(rpc));
  rpc.pfnRpfCallback = cb_rpf;
  rpc.pfnCreationAlertCallback = cb_create;
  rpc.pfnPruneAlertCallback = cb_prune;
  rpc.pfnJoinAlertCallback = cb_join;
  rpc.pfnWrongIfCallback = cb_wrongif;
  rpc.pfnLocalJoinCallback = cb_ljoin;
  rpc.pfnLocalLeaveCallback = cb_lleave;
  rpc.pfnDisableIgmpCallback = cb_igmpoff;
  rpc.pfnEnableIgmpCallback = cb_igmpon;
  rc = MgmRegisterMProtocol(&rpc, proto, 1, &drv_h);
  if (rc != NO_ERROR) {
    out("REGISTER_FAILED %lu", (unsigned long)rc);
    libmgm_stop();
    if (drv_host)
      pthread_join(drv_loop_thr, NULL);
    return 3;
  }
  if (proto2 != 0) {
    rc = MgmRegisterMProtocol(&rpc, proto2, 1, &drv_h2);
    if (rc != NO_ERROR) {
      out("REGISTER_FAILED %lu", (unsigned long)rc);
      MgmDeRegisterMProtocol(drv_h);
      libmgm_stop();
      return 3;
    }
  }
  for (; i < argc; i++)
    take(argv[i], drv_h);
  for (i = 0; i < n_joins; i++) {
    snprintf(spec, sizeof(spec), "%s", joins[i]);
    g = strchr(spec, ':');
    if (g == NULL)
      usage();
    *g++ = '\0';
    s = strchr(g, ':');
    if (s != NULL)
      *s++ = '\0';
    rc = membership(1, spec, g, s);
    out("JOINED %s %s rc=%lu", spec, g, (unsigned long)rc);
  }
  out("READY");
  while (!drv_stop && fgets(line, sizeof(line), stdin) != NULL)
    command(line);
  while (drv_n_taken > 0) {
    snprintf(spec, sizeof(spec), "%lu", (unsigned long)drv_taken[0].ifindex);
    if (release(spec) != NO_ERROR) {
      out("RELEASE_FAILED %s", spec);
      drv_taken[0] = drv_taken[--drv_n_taken];
    }
  }
  if (drv_h2 != NULL) {
    rc = MgmDeRegisterMProtocol(drv_h2);
    if (rc != NO_ERROR)
      out("DEREGISTER_FAILED %lu", (unsigned long)rc);
  }
  rc = MgmDeRegisterMProtocol(drv_h);
  if (rc != NO_ERROR)
    out("DEREGISTER_FAILED %lu", (unsigned long)rc);
  rc = libmgm_stop(); /* -H: from this thread, while the loop runs */
  if (drv_host) {
    pthread_join(drv_loop_thr, NULL);
    out("HOSTLOOP handles=%d close=%d", drv_handles_left, drv_close_rc);
  }
  out("EXIT %lu", (unsigned long)rc);
  return 0;
}
