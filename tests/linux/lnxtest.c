/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE 1 /* unshare */
#include "lnxtest.h"

#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Skip, or fail where the caller demands the real kernel. */
static void lnx_cannot(const char *why) {
  const char *req = getenv("LIBMGM_NETNS_REQUIRED");

  if (req != NULL && strcmp(req, "1") == 0)
    cr_assert_fail("LIBMGM_NETNS_REQUIRED=1 but %s", why);
  cr_skip_test("%s", why);
}

void lnx_enter_netns(void) {
  char why[160];

  if (geteuid() != 0)
    lnx_cannot("needs root to unshare a network namespace");
  if (unshare(CLONE_NEWNET) != 0) {
    snprintf(why, sizeof(why), "unshare(CLONE_NEWNET): %s", strerror(errno));
    lnx_cannot(why);
  }
  if (access("/proc/net/ip_mr_vif", F_OK) != 0)
    lnx_cannot("kernel without CONFIG_IP_MROUTE (tests/vm/mrkernel.sh runs "
               "the tests under one that has it)");
}

void lnx_sh(const char *fmt, ...) {
  char cmd[512];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(cmd, sizeof(cmd), fmt, ap);
  va_end(ap);
  cr_assert_eq(system(cmd), 0, "command failed: %s", cmd);
}

uint32_t lnx_ifx(const char *name) {
  uint32_t i = if_nametoindex(name);

  cr_assert_neq(i, 0, "no interface %s", name);
  return i;
}

uint32_t lnx_ip(const char *s) {
  struct in_addr a;

  inet_pton(AF_INET, s, &a);
  return a.s_addr;
}

int lnx_count_fds(void) {
  char path[64];
  int n = 0;
  int fd;

  for (fd = 0; fd < 4096; fd++) {
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    if (access(path, F_OK) == 0)
      n++;
  }
  return n;
}

void lnx_proc_text(const char *path, char *out, size_t cap) {
  FILE *f = fopen(path, "r");
  size_t n;

  cr_assert_not_null(f, "cannot open %s", path);
  n = fread(out, 1, cap - 1, f);
  out[n] = '\0';
  fclose(f);
}
