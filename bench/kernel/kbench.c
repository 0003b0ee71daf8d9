/*
 * kbench.c - traffic side of the kernel benchmark: new-flow setup rate and
 * first-packet latency through whatever multicast router runs in the
 * router namespace (libmgm's mgmdrv, the kfloor floor, smcroute).
 *
 * SPDX-License-Identifier: MIT
 *
 * Usage: kbench SEND_NS SRC_ADDR RECV_NS RECV_IF GROUP_BASE PORT MODE N
 *               [ROUTER_PID]
 *   MODE latency  N new flows one at a time, each sent only after the
 *                 previous one's first packet arrived (an idle router per
 *                 flow); reports the first-packet latency distribution.
 *   MODE backlog  the setup rate, in chunks of KB_CHUNK (200) flows: the
 *                 router (ROUTER_PID) is stopped (SIGSTOP), a chunk of new
 *                 flows is sent (one datagram to each of consecutive
 *                 groups), so their upcalls wait in its socket and their
 *                 unresolved entries in the kernel; then it is continued
 *                 (SIGCONT) and the chunk's time runs from SIGCONT to the
 *                 arrival of its last first packet.  The rate is N over
 *                 the sum of the chunks' times.  The sender is out of the
 *                 measured time, so the figure is the router's own
 *                 capacity, not the sender's speed.  Chunks keep the
 *                 kernel's unresolved list short (MRT_ADD_MFC searches it
 *                 linearly, a cost that grows with the backlog and would
 *                 drown the routers' own) and within the 212 KB default
 *                 socket buffer of a router that does not enlarge it.
 *   MODE burst    N new flows back to back with the router running; the
 *                 rate over first send to last arrival (kept for
 *                 comparison: it mixes sender and router speed).
 *
 * One process holds a UDP socket created inside SEND_NS and an AF_PACKET
 * socket created inside RECV_NS (setns, then back).  Arrival times are the
 * kernel's receive timestamps (SO_TIMESTAMPNS, CLOCK_REALTIME), send times
 * CLOCK_REALTIME read just before sendto, so kbench's own wake-up delay is
 * not counted.  The first packet of a new flow waits in the kernel's
 * unresolved queue until the router installs the MFE, so its latency is
 * the router's upcall-to-install time plus the wire.  Traffic stays
 * between the benchmark's own namespaces.  One result line on stdout:
 *   RESULT mode=M flows=N seen=K wall_ms=W rate=R p50_us=.. p90_us=..
 *          p99_us=.. max_us=..
 */
#define _GNU_SOURCE 1

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define KB_MAGIC 0x6b62656eu /* "kben" */
#define KB_MAX 100000
#define KB_CHUNK 200

struct kb_payload {
  uint32_t magic;
  uint32_t idx;
  uint64_t sent_ns;
};

static uint64_t kb_arrive[KB_MAX];
static uint64_t kb_sent[KB_MAX];
static unsigned kb_user_ts;

/* CLOCK_REALTIME: the clock of the kernel's receive timestamps. */
static uint64_t kb_now(void) {
  struct timespec ts;

  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Run fn-like socket creation inside namespace `ns`. */
static int kb_enter(const char *ns, int *home) {
  char path[256];
  int fd;

  *home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  snprintf(path, sizeof(path), "/run/netns/%s", ns);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || *home < 0 || setns(fd, CLONE_NEWNET) != 0) {
    fprintf(stderr, "kbench: cannot enter %s: %s\n", ns, strerror(errno));
    return -1;
  }
  close(fd);
  return 0;
}

static void kb_leave(int home) {
  if (setns(home, CLONE_NEWNET) != 0)
    fprintf(stderr, "kbench: setns back: %s\n", strerror(errno));
  close(home);
}

static int kb_sender(const char *ns, const char *src) {
  struct sockaddr_in sa;
  struct in_addr ifa;
  int ttl = 8;
  int loop = 0;
  int home;
  int fd;

  if (kb_enter(ns, &home) < 0)
    return -1;
  fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  inet_pton(AF_INET, src, &ifa);
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl));
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop));
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &ifa, sizeof(ifa));
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_addr = ifa;
  if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
    fprintf(stderr, "kbench: bind %s: %s\n", src, strerror(errno));
    fd = -1;
  }
  kb_leave(home);
  return fd;
}

static int kb_receiver(const char *ns, const char *ifname) {
  struct sockaddr_ll ll;
  int rcv = 16 * 1024 * 1024;
  int one = 1;
  int home;
  int fd;

  if (kb_enter(ns, &home) < 0)
    return -1;
  fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
              htons(ETH_P_IP));
  memset(&ll, 0, sizeof(ll));
  ll.sll_family = AF_PACKET;
  ll.sll_protocol = htons(ETH_P_IP);
  ll.sll_ifindex = (int)if_nametoindex(ifname);
  if (fd < 0 || ll.sll_ifindex == 0 ||
      bind(fd, (struct sockaddr *)&ll, sizeof(ll)) < 0) {
    fprintf(stderr, "kbench: packet socket on %s: %s\n", ifname,
            strerror(errno));
    fd = -1;
  }
  if (fd >= 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
  }
  kb_leave(home);
  return fd;
}

/* Drain the packet socket; returns how many new first packets arrived. */
static unsigned kb_drain(int fd, uint16_t port, unsigned n) {
  union {
    struct cmsghdr align;
    unsigned char buf[CMSG_SPACE(sizeof(struct timespec))];
  } ctl;
  unsigned char buf[2048];
  struct kb_payload p;
  struct timespec ts;
  struct cmsghdr *c;
  struct msghdr mh;
  struct iovec iov;
  uint64_t now;
  unsigned got = 0;
  size_t ihl;
  ssize_t len;

  for (;;) {
    iov.iov_base = buf;
    iov.iov_len = sizeof(buf);
    memset(&mh, 0, sizeof(mh));
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl.buf;
    mh.msg_controllen = sizeof(ctl.buf);
    len = recvmsg(fd, &mh, 0);
    if (len < 0)
      break;
    now = 0;
    for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
          c->cmsg_len >= CMSG_LEN(sizeof(ts))) {
        memcpy(&ts, CMSG_DATA(c), sizeof(ts));
        now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
      }
    if (now == 0) {
      kb_user_ts++; /* no kernel timestamp: our own clock, a bit late */
      now = kb_now();
    }
    if (len < 20 || (buf[0] >> 4) != 4 || buf[9] != IPPROTO_UDP)
      continue;
    ihl = (size_t)(buf[0] & 0x0f) * 4;
    if ((size_t)len < ihl + 8 + sizeof(p))
      continue;
    if (((uint16_t)(buf[ihl + 2] << 8 | buf[ihl + 3])) != port)
      continue;
    memcpy(&p, buf + ihl + 8, sizeof(p));
    if (p.magic != KB_MAGIC || p.idx >= n || kb_arrive[p.idx] != 0)
      continue;
    kb_arrive[p.idx] = now;
    got++;
  }
  return got;
}

static int kb_cmp(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a;
  uint64_t y = *(const uint64_t *)b;

  return x < y ? -1 : x > y;
}

static void kb_send(int fd, uint32_t base, uint16_t port, unsigned i) {
  struct sockaddr_in to;
  struct kb_payload p;

  memset(&to, 0, sizeof(to));
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(base + i);
  p.magic = KB_MAGIC;
  p.idx = i;
  p.sent_ns = kb_now();
  kb_sent[i] = p.sent_ns;
  if (sendto(fd, &p, sizeof(p), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
    fprintf(stderr, "kbench: sendto: %s\n", strerror(errno));
}

/* 1 when every thread of pid is stopped (state T). */
static int kb_all_stopped(pid_t pid) {
  char path[300];
  char line[512];
  struct dirent *d;
  char *p;
  DIR *dir;
  FILE *f;
  int any = 0;
  int all = 1;

  snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
  dir = opendir(path);
  if (dir == NULL)
    return 0;
  while (all && (d = readdir(dir)) != NULL) {
    if (d->d_name[0] == '.')
      continue;
    snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid, d->d_name);
    f = fopen(path, "r");
    if (f == NULL)
      continue;
    any = 1;
    p = fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
    fclose(f);
    if (p == NULL || p[1] != ' ' || (p[2] != 'T' && p[2] != 't'))
      all = 0;
  }
  closedir(dir);
  return any && all;
}

/* Stop the router and wait until it is stopped (2 s at most). */
static int kb_stop(pid_t pid) {
  uint64_t deadline = kb_now() + 2000000000ull;
  struct timespec nap = {0, 1000000};

  if (kill(pid, SIGSTOP) != 0) {
    fprintf(stderr, "kbench: SIGSTOP %d: %s\n", (int)pid, strerror(errno));
    return -1;
  }
  while (!kb_all_stopped(pid)) {
    if (kb_now() > deadline) {
      fprintf(stderr, "kbench: router %d did not stop\n", (int)pid);
      kill(pid, SIGCONT);
      return -1;
    }
    nanosleep(&nap, NULL);
  }
  return 0;
}

int main(int argc, char **argv) {
  static uint64_t lat[KB_MAX];
  struct pollfd pfd;
  struct in_addr gb;
  uint64_t t0;
  uint64_t span = 0;
  uint64_t last = 0;
  uint64_t deadline;
  unsigned seen = 0;
  unsigned n;
  unsigned i;
  unsigned k = 0;
  uint16_t port;
  pid_t router = 0;
  int burst;
  int backlog;
  int sfd;
  int rfd;

  if (argc != 9 && argc != 10) {
    fprintf(stderr, "usage: kbench SEND_NS SRC RECV_NS RECV_IF GROUP_BASE "
                    "PORT burst|latency|backlog N [ROUTER_PID]\n");
    return 1;
  }
  inet_pton(AF_INET, argv[5], &gb);
  port = (uint16_t)atoi(argv[6]);
  burst = strcmp(argv[7], "burst") == 0;
  backlog = strcmp(argv[7], "backlog") == 0;
  n = (unsigned)atoi(argv[8]);
  if (argc == 10)
    router = (pid_t)atoi(argv[9]);
  if (n == 0 || n > KB_MAX || (backlog && router <= 0))
    return 1;
  sfd = kb_sender(argv[1], argv[2]);
  rfd = kb_receiver(argv[3], argv[4]);
  if (sfd < 0 || rfd < 0)
    return 2;
  pfd.fd = rfd;
  pfd.events = POLLIN;
  t0 = kb_now();
  if (backlog) {
    struct timespec settle = {0, 20000000};
    uint64_t busy = 0;
    uint64_t c0;
    uint64_t clast;
    unsigned lo;
    unsigned hi;

    for (lo = 0; lo < n; lo = hi) {
      hi = lo + KB_CHUNK < n ? lo + KB_CHUNK : n;
      if (kb_stop(router) != 0)
        return 2;
      for (i = lo; i < hi; i++)
        kb_send(sfd, ntohl(gb.s_addr), port, i);
      /* Let the last datagrams reach the router's socket, then go. */
      nanosleep(&settle, NULL);
      (void)kb_drain(rfd, port, n); /* forwarded while stopped? */
      c0 = kb_now();
      kill(router, SIGCONT);
      /* Until the whole chunk arrived, or nothing did for 300 ms (a
       * router that dropped upcalls). */
      deadline = kb_now() + 300000000ull;
      while (kb_now() < deadline) {
        poll(&pfd, 1, 50);
        if (kb_drain(rfd, port, n) > 0)
          deadline = kb_now() + 300000000ull;
        for (i = lo; i < hi && kb_arrive[i] != 0; i++)
          ;
        if (i == hi)
          break;
      }
      clast = c0;
      for (i = lo; i < hi; i++)
        if (kb_arrive[i] > clast)
          clast = kb_arrive[i];
      busy += clast - c0;
    }
    span = busy;
  } else if (burst) {
    for (i = 0; i < n; i++) {
      kb_send(sfd, ntohl(gb.s_addr), port, i);
      seen += kb_drain(rfd, port, n);
    }
    deadline = kb_now() + 20000000000ull;
    while (seen < n && kb_now() < deadline) {
      poll(&pfd, 1, 100);
      seen += kb_drain(rfd, port, n);
    }
  } else {
    for (i = 0; i < n; i++) {
      kb_send(sfd, ntohl(gb.s_addr), port, i);
      deadline = kb_now() + 1000000000ull;
      while (kb_arrive[i] == 0 && kb_now() < deadline) {
        poll(&pfd, 1, 50);
        seen += kb_drain(rfd, port, n);
      }
    }
  }
  for (i = 0; i < n; i++) {
    if (kb_arrive[i] == 0)
      continue;
    lat[k++] = kb_arrive[i] > kb_sent[i] ? kb_arrive[i] - kb_sent[i] : 0;
    if (kb_arrive[i] > last)
      last = kb_arrive[i];
  }
  if (!backlog)
    span = last > t0 ? last - t0 : 0;
  qsort(lat, k, sizeof(lat[0]), kb_cmp);
  printf("RESULT mode=%s flows=%u seen=%u wall_ms=%.1f rate=%.0f "
         "p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f\n",
         argv[7], n, k, (double)span / 1e6,
         span ? (double)k / ((double)span / 1e9) : 0.0,
         k ? (double)lat[k / 2] / 1e3 : 0.0,
         k ? (double)lat[(k * 9) / 10] / 1e3 : 0.0,
         k ? (double)lat[(k * 99) / 100] / 1e3 : 0.0,
         k ? (double)lat[k - 1] / 1e3 : 0.0);
  if (kb_user_ts > 0)
    fprintf(stderr, "kbench: %u packets without a kernel timestamp\n",
            kb_user_ts);
  return k == n ? 0 : 3;
}
