/*
 * floor.c - the floor for the kernel benchmark: the least a multicast
 * router can do per new flow on Linux.
 *
 * SPDX-License-Identifier: MIT
 *
 * Usage: kfloor IIF OIF...   (run inside the router's namespace)
 *
 * Opens the raw IGMP socket, MRT_INIT, makes IIF VIF 0 and each OIF the
 * next VIF (VIFF_USE_IFINDEX), sizes the receive buffer to 8 MB, prints
 * READY, then answers every NOCACHE upcall at once with MRT_ADD_MFC (S,G)
 * from VIF 0 to every other VIF: no route lookup, no bookkeeping, no
 * event loop.  libmgm's figures are compared with this one.  Written from
 * the uapi header linux/mroute.h and kernel.md A; on SIGTERM it prints
 * "FLOOR upcalls=N installed=M" and exits (closing the socket undoes
 * everything).
 */
#define _GNU_SOURCE 1

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/mroute.h>

static volatile sig_atomic_t flr_stop;


static void flr_on_term(int sig) {
  (void)sig;
  flr_stop = 1;
}


int main(int argc, char **argv) {
  struct mfcctl mc;
  struct vifctl vc;
  struct sigaction sa;
  struct pollfd pfd;
  unsigned char buf[2048];
  unsigned long upcalls = 0;
  unsigned long installed = 0;
  int one = 1;
  int rcv = 8 * 1024 * 1024;
  int nvif;
  int fd;
  int i;
  ssize_t n;

  if (argc < 3 || argc - 1 > MAXVIFS) {
    fprintf(stderr, "usage: kfloor IIF OIF...\n");
    return 1;
  }
  fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IGMP);
  if (fd < 0 || setsockopt(fd, IPPROTO_IP, MRT_INIT, &one, sizeof(one)) < 0) {
    fprintf(stderr, "kfloor: MRT_INIT: %s\n", strerror(errno));
    return 2;
  }
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
  nvif = argc - 1;
  for (i = 0; i < nvif; i++) {
    memset(&vc, 0, sizeof(vc));
    vc.vifc_vifi = (vifi_t)i;
    vc.vifc_flags = VIFF_USE_IFINDEX;
    vc.vifc_threshold = 1;
    vc.vifc_lcl_ifindex = (int)if_nametoindex(argv[i + 1]);
    if (setsockopt(fd, IPPROTO_IP, MRT_ADD_VIF, &vc, sizeof(vc)) < 0) {
      fprintf(stderr, "kfloor: MRT_ADD_VIF %s: %s\n", argv[i + 1],
              strerror(errno));
      return 2;
    }
  }
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = flr_on_term;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  printf("READY\n");
  fflush(stdout);
  pfd.fd = fd;
  pfd.events = POLLIN;
  while (!flr_stop) {
    if (poll(&pfd, 1, 200) <= 0)
      continue;
    n = recv(fd, buf, sizeof(buf), 0);
    /* An upcall: IP protocol byte (im_mbz) zero, type NOCACHE. */
    if (n < (ssize_t)sizeof(struct igmpmsg) ||
        buf[offsetof(struct igmpmsg, im_mbz)] != 0 ||
        buf[offsetof(struct igmpmsg, im_msgtype)] != IGMPMSG_NOCACHE)
      continue;
    upcalls++;
    memset(&mc, 0, sizeof(mc));
    memcpy(&mc.mfcc_origin, buf + offsetof(struct igmpmsg, im_src), 4);
    memcpy(&mc.mfcc_mcastgrp, buf + offsetof(struct igmpmsg, im_dst), 4);
    mc.mfcc_parent = 0;
    for (i = 1; i < nvif; i++)
      mc.mfcc_ttls[i] = 1;
    if (setsockopt(fd, IPPROTO_IP, MRT_ADD_MFC, &mc, sizeof(mc)) == 0)
      installed++;
  }
  printf("FLOOR upcalls=%lu installed=%lu\n", upcalls, installed);
  close(fd);
  return 0;
}
