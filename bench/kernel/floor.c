/*
 * floor.c - the floor for the kernel benchmark: the least a multicast
 * router can do per new flow on Linux.
 *
 * SPDX-License-Identifier: MIT
 *
 * Usage: kfloor [-b] [-w N] [-m BYTES] IIF OIF...
 *        (run inside the router's namespace)
 *
 * Opens the raw IGMP socket, MRT_INIT, makes IIF VIF 0 and each OIF the
 * next VIF (VIFF_USE_IFINDEX), sizes the receive buffer to 8 MB, prints
 * READY, then answers every NOCACHE upcall at once with MRT_ADD_MFC (S,G)
 * from VIF 0 to every other VIF: no route lookup, no bookkeeping.  It
 * waits in poll(2), as a router that also watches other descriptors must,
 * then takes every upcall waiting with one non-blocking recvmmsg (up to
 * 64): per flow one MRT_ADD_MFC and a share of one poll and one read.
 * libmgm's figures are compared with this one.
 *   -b  no poll: a blocking recvmmsg (MSG_WAITFORONE) instead, the fewest
 *       system calls a router can make at all (a router that waits on its
 *       router socket and nothing else); shown for reference.
 *   -w N, -m BYTES  per flow, before its MRT_ADD_MFC, N rounds of a small
 *       arithmetic loop (flr_work: 7 instructions a round as gcc -O2
 *       compiles it) and BYTES of new state written and kept until exit:
 *       a floor doing user-space work of a given size, which shows what
 *       the machine charges for that work alone (bench/kernel/run.sh,
 *       router floorwork).
 * Written from the uapi header linux/mroute.h and kernel.md A; on SIGTERM
 * it prints "FLOOR upcalls=N installed=M" and exits (closing the socket
 * undoes everything).
 */
#define _GNU_SOURCE 1

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/mroute.h>

#define FLR_BATCH 64

static volatile sig_atomic_t flr_stop;
static unsigned char flr_buf[FLR_BATCH][2048];

/* The synthetic per-flow work of -w and -m.  The loop's sum goes to a
 * volatile, so the compiler keeps every round. */
static volatile unsigned long flr_sink;

static __attribute__((noinline)) void flr_work(unsigned long rounds) {
  unsigned long i;
  unsigned long acc = flr_sink;

  for (i = 0; i < rounds; i++)
    acc = acc * 31 + i;
  flr_sink = acc;
}

/* Each flow's state: BYTES written once, chained so it is freed at exit. */
static void *flr_keep(void *head, size_t bytes) {
  void **blk;

  if (bytes < sizeof(void *))
    return head;
  blk = malloc(bytes);
  if (blk == NULL)
    return head;
  memset(blk, 0x5a, bytes);
  *blk = head;
  return blk;
}

static void flr_on_term(int sig) {
  (void)sig;
  flr_stop = 1;
}

int main(int argc, char **argv) {
  struct mmsghdr mm[FLR_BATCH];
  struct iovec iov[FLR_BATCH];
  struct pollfd pfd;
  struct mfcctl mc;
  struct vifctl vc;
  struct sigaction sa;
  unsigned char *buf;
  unsigned long upcalls = 0;
  unsigned long installed = 0;
  int one = 1;
  int rcv = 8 * 1024 * 1024;
  int blocking = 0;
  unsigned long work = 0;
  size_t keep = 0;
  void *kept = NULL;
  int bad = 0;
  int opt;
  int arg;
  int nvif;
  int fd;
  int i;
  int k;
  int got;
  ssize_t n;

  while ((opt = getopt(argc, argv, "+bw:m:")) != -1) {
    switch (opt) {
    case 'b':
      blocking = 1;
      break;
    case 'w':
      work = strtoul(optarg, NULL, 10);
      break;
    case 'm':
      keep = (size_t)strtoul(optarg, NULL, 10);
      break;
    default:
      bad = 1;
      break;
    }
  }
  arg = optind;
  if (bad || argc - arg < 2 || argc - arg > MAXVIFS) {
    fprintf(stderr, "usage: kfloor [-b] [-w N] [-m BYTES] IIF OIF...\n");
    return 1;
  }
  fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IGMP);
  if (fd < 0 || setsockopt(fd, IPPROTO_IP, MRT_INIT, &one, sizeof(one)) < 0) {
    fprintf(stderr, "kfloor: MRT_INIT: %s\n", strerror(errno));
    return 2;
  }
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
  nvif = argc - arg;
  for (i = 0; i < nvif; i++) {
    memset(&vc, 0, sizeof(vc));
    vc.vifc_vifi = (vifi_t)i;
    vc.vifc_flags = VIFF_USE_IFINDEX;
    vc.vifc_threshold = 1;
    vc.vifc_lcl_ifindex = (int)if_nametoindex(argv[arg + i]);
    if (setsockopt(fd, IPPROTO_IP, MRT_ADD_VIF, &vc, sizeof(vc)) < 0) {
      fprintf(stderr, "kfloor: MRT_ADD_VIF %s: %s\n", argv[arg + i],
              strerror(errno));
      return 2;
    }
  }
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = flr_on_term; /* no SA_RESTART: a blocked read ends */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  printf("READY\n");
  fflush(stdout);
  pfd.fd = fd;
  pfd.events = POLLIN;
  while (!flr_stop) {
    if (!blocking && poll(&pfd, 1, 200) <= 0)
      continue;
    memset(mm, 0, sizeof(mm));
    for (k = 0; k < FLR_BATCH; k++) {
      iov[k].iov_base = flr_buf[k];
      iov[k].iov_len = sizeof(flr_buf[k]);
      mm[k].msg_hdr.msg_iov = &iov[k];
      mm[k].msg_hdr.msg_iovlen = 1;
    }
    got = recvmmsg(fd, mm, FLR_BATCH, blocking ? MSG_WAITFORONE : MSG_DONTWAIT,
                   NULL);
    for (k = 0; k < got; k++) {
      buf = flr_buf[k];
      n = (ssize_t)mm[k].msg_len;
      /* An upcall: IP protocol byte (im_mbz) zero, type NOCACHE. */
      if (n < (ssize_t)sizeof(struct igmpmsg) ||
          buf[offsetof(struct igmpmsg, im_mbz)] != 0 ||
          buf[offsetof(struct igmpmsg, im_msgtype)] != IGMPMSG_NOCACHE)
        continue;
      upcalls++;
      if (work)
        flr_work(work);
      if (keep)
        kept = flr_keep(kept, keep);
      memset(&mc, 0, sizeof(mc));
      memcpy(&mc.mfcc_origin, buf + offsetof(struct igmpmsg, im_src), 4);
      memcpy(&mc.mfcc_mcastgrp, buf + offsetof(struct igmpmsg, im_dst), 4);
      mc.mfcc_parent = 0;
      for (i = 1; i < nvif; i++)
        mc.mfcc_ttls[i] = 1;
      if (setsockopt(fd, IPPROTO_IP, MRT_ADD_MFC, &mc, sizeof(mc)) == 0)
        installed++;
    }
  }
  printf("FLOOR upcalls=%lu installed=%lu\n", upcalls, installed);
  while (kept != NULL) {
    void *next = *(void **)kept;

    free(kept);
    kept = next;
  }
  close(fd);
  return 0;
}
