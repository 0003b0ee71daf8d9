/*
 * kbench.c - traffic side of the kernel benchmark: new-flow setup rate and
 * first-packet latency through whatever multicast router runs in the
 * router namespace (libmgm's mgmdrv, the kfloor floor, smcroute).
 *
 * SPDX-License-Identifier: MIT
 *
 * Usage: kbench SEND_NS SRC_ADDR RECV_NS RECV_IF GROUP_BASE PORT MODE N
 *   MODE burst    N new flows back to back (one datagram to each of N
 *                 consecutive groups); reports the setup rate, i.e. N over
 *                 the time from the first send to the arrival of the last
 *                 flow's first packet, and the first-packet latencies.
 *   MODE latency  N new flows one at a time, each sent only after the
 *                 previous one's first packet arrived (an idle router per
 *                 flow); reports the first-packet latency distribution.
 *
 * One process holds a UDP socket created inside SEND_NS and an AF_PACKET
 * socket created inside RECV_NS (setns, then back), so both ends read the
 * same CLOCK_MONOTONIC: each datagram carries its send time, the receiver
 * subtracts.  The first packet of a new flow waits in the kernel's
 * unresolved queue until the router installs the MFE, so its latency is
 * the router's upcall-to-install time plus the wire.  Traffic stays
 * between the benchmark's own namespaces.  One result line on stdout:
 *   RESULT mode=M flows=N seen=K wall_ms=W rate=R p50_us=.. p90_us=..
 *          p99_us=.. max_us=..
 */
#define _GNU_SOURCE 1

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define KB_MAGIC 0x6b62656eu /* "kben" */
#define KB_MAX 100000

struct kb_payload {
  uint32_t magic;
  uint32_t idx;
  uint64_t sent_ns;
};

static uint64_t kb_arrive[KB_MAX];
static uint64_t kb_sent[KB_MAX];


static uint64_t kb_now(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
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
  if (fd >= 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
  kb_leave(home);
  return fd;
}


/* Drain the packet socket; returns how many new first packets arrived. */
static unsigned kb_drain(int fd, uint16_t port, unsigned n) {
  unsigned char buf[2048];
  struct kb_payload p;
  uint64_t now;
  unsigned got = 0;
  size_t ihl;
  ssize_t len;

  for (;;) {
    len = recv(fd, buf, sizeof(buf), 0);
    if (len < 0)
      break;
    now = kb_now();
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


int main(int argc, char **argv) {
  static uint64_t lat[KB_MAX];
  struct pollfd pfd;
  struct in_addr gb;
  uint64_t t0;
  uint64_t last = 0;
  uint64_t deadline;
  unsigned seen = 0;
  unsigned n;
  unsigned i;
  unsigned k = 0;
  uint16_t port;
  int burst;
  int sfd;
  int rfd;

  if (argc != 9) {
    fprintf(stderr, "usage: kbench SEND_NS SRC RECV_NS RECV_IF GROUP_BASE "
                    "PORT burst|latency N\n");
    return 1;
  }
  inet_pton(AF_INET, argv[5], &gb);
  port = (uint16_t)atoi(argv[6]);
  burst = strcmp(argv[7], "burst") == 0;
  n = (unsigned)atoi(argv[8]);
  if (n == 0 || n > KB_MAX)
    return 1;
  sfd = kb_sender(argv[1], argv[2]);
  rfd = kb_receiver(argv[3], argv[4]);
  if (sfd < 0 || rfd < 0)
    return 2;
  pfd.fd = rfd;
  pfd.events = POLLIN;
  t0 = kb_now();
  if (burst) {
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
    lat[k++] = kb_arrive[i] - kb_sent[i];
    if (kb_arrive[i] > last)
      last = kb_arrive[i];
  }
  qsort(lat, k, sizeof(lat[0]), kb_cmp);
  printf("RESULT mode=%s flows=%u seen=%u wall_ms=%.1f rate=%.0f "
         "p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f\n",
         argv[7], n, k, last ? (double)(last - t0) / 1e6 : 0.0,
         last ? (double)k / ((double)(last - t0) / 1e9) : 0.0,
         k ? (double)lat[k / 2] / 1e3 : 0.0,
         k ? (double)lat[(k * 9) / 10] / 1e3 : 0.0,
         k ? (double)lat[(k * 99) / 100] / 1e3 : 0.0,
         k ? (double)lat[k - 1] / 1e3 : 0.0);
  return k == n ? 0 : 3;
}
