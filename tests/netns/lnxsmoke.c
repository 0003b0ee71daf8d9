/*
 * lnxsmoke.c - drive the Linux backend's vtable directly, without the
 * core: the smallest program that proves kernel forwarding works.
 *
 * SPDX-License-Identifier: MIT
 *
 * Usage: lnxsmoke [-t TABLE] IIF OIF...
 *
 * Opens mgm__linux_ops, attaches IIF and every OIF (names or ifindexes),
 * replays the interfaces (resync), then polls the backend's descriptors and
 * calls dispatch().  Every NOCACHE upcall is answered with an MFE from IIF
 * to all OIFs.  One line per event on stdout (flushed):
 *
 *   READY table=N
 *   ATTACH <ifindex> <rc>
 *   IF <type> <ifindex> <name> flags=<hex>
 *   NOCACHE <iif> <src> <grp> hdrlen=<n>
 *   MFE_SET <src> <grp> rc=<rc>
 *   WRONGIF <iif> <src> <grp>
 *   IGMP <ifindex> <src> <dst> len=<n>
 *   GONE <src> <grp> why=<n>
 *   STATS <src> <grp> pkts=<n> bytes=<n> wrong_if=<n>   (at SIGTERM)
 *   ROUTE <src> rc=<rc> ifindex=<n> upstream=<a> net=<a>/<m> proto=<n>
 *   EXIT
 *
 * Exit status 0, or 2 with the open error's MGM_BE_* code printed.
 */
#define _GNU_SOURCE 1

#include "platform/platform.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SMK_MAX_OIF 40
#define SMK_MAX_MFE 4096

static volatile sig_atomic_t smk_stop;
static const struct mgm_backend_ops *smk_ops = &mgm__linux_ops;
static struct mgm_backend *smk_be;
static uint32_t smk_iif;
static struct mgm_oif smk_oif[SMK_MAX_OIF];
static uint16_t smk_n_oif;
static struct mgm_mfe_key smk_mfe[SMK_MAX_MFE];
static size_t smk_n_mfe;

static const char *smk_ip(uint32_t a, char *buf) {
  struct in_addr in;

  in.s_addr = a;
  return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

static void smk_log(void *ctx, int level, const char *msg) {
  (void)ctx;
  fprintf(stderr, "lnxsmoke: log[%d] %s\n", level, msg);
}

static void smk_if_event(void *ctx, const struct mgm_if_event *ev) {
  (void)ctx;
  printf("IF %d %u %s flags=%x\n", (int)ev->type, ev->ifindex,
         ev->name ? ev->name : "-", ev->flags);
  fflush(stdout);
}

static void smk_no_entry(void *ctx, uint32_t iif, uint32_t src, uint32_t grp,
                         const void *hdr, size_t hdrlen) {
  struct mgm_fwd fwd;
  char a[INET_ADDRSTRLEN];
  char b[INET_ADDRSTRLEN];
  int rc;

  (void)ctx;
  (void)hdr;
  printf("NOCACHE %u %s %s hdrlen=%zu\n", iif, smk_ip(src, a), smk_ip(grp, b),
         hdrlen);
  memset(&fwd, 0, sizeof(fwd));
  fwd.key.source = src;
  fwd.key.group = grp;
  fwd.iif = smk_iif;
  fwd.n_oif = smk_n_oif;
  fwd.oif = smk_oif;
  rc = smk_ops->mfe_set(smk_be, &fwd);
  printf("MFE_SET %s %s rc=%d\n", a, b, rc);
  if (rc == 0 && smk_n_mfe < SMK_MAX_MFE)
    smk_mfe[smk_n_mfe++] = fwd.key;
  fflush(stdout);
}

static void smk_wrong_if(void *ctx, uint32_t iif, uint32_t src, uint32_t grp,
                         const void *hdr, size_t hdrlen) {
  char a[INET_ADDRSTRLEN];
  char b[INET_ADDRSTRLEN];

  (void)ctx;
  (void)hdr;
  (void)hdrlen;
  printf("WRONGIF %u %s %s\n", iif, smk_ip(src, a), smk_ip(grp, b));
  fflush(stdout);
}

static void smk_gone(void *ctx, const struct mgm_mfe_key *key,
                     enum mgm_mfe_gone why) {
  char a[INET_ADDRSTRLEN];
  char b[INET_ADDRSTRLEN];

  (void)ctx;
  printf("GONE %s %s why=%d\n", smk_ip(key->source, a), smk_ip(key->group, b),
         (int)why);
  fflush(stdout);
}

static void smk_ctrl(void *ctx, uint32_t ifindex, const void *pkt, size_t len) {
  const uint8_t *p = pkt;
  uint32_t s;
  uint32_t d;
  char a[INET_ADDRSTRLEN];
  char b[INET_ADDRSTRLEN];

  (void)ctx;
  if (len < 20)
    return;
  memcpy(&s, p + 12, 4);
  memcpy(&d, p + 16, 4);
  printf("IGMP %u %s %s len=%zu\n", ifindex, smk_ip(s, a), smk_ip(d, b), len);
  fflush(stdout);
}

static void smk_on_term(int sig) {
  (void)sig;
  smk_stop = 1;
}

static uint32_t smk_ifindex(const char *s) {
  char *end;
  unsigned long v;

  v = strtoul(s, &end, 10);
  if (*s != '\0' && *end == '\0')
    return (uint32_t)v;
  return if_nametoindex(s);
}

int main(int argc, char **argv) {
  static const struct mgm_be_upcalls up = {
      smk_if_event, smk_no_entry, smk_wrong_if, smk_gone, smk_ctrl, NULL};
  struct mgm_be_config cfg;
  struct mgm_fwd_stats st;
  struct mgm_route rt;
  struct pollfd pfd[8];
  int fds[8];
  size_t nfd;
  size_t i;
  char a[INET_ADDRSTRLEN];
  char b[INET_ADDRSTRLEN];
  char c[INET_ADDRSTRLEN];
  const char *route_src = NULL;
  uint32_t ix;
  int argi = 1;
  int rc;

  memset(&cfg, 0, sizeof(cfg));
  cfg.log = smk_log;
  while (argi < argc && argv[argi][0] == '-') {
    if (strcmp(argv[argi], "-t") == 0 && argi + 1 < argc) {
      cfg.table = (uint32_t)strtoul(argv[argi + 1], NULL, 10);
      argi += 2;
    } else if (strcmp(argv[argi], "-r") == 0 && argi + 1 < argc) {
      route_src = argv[argi + 1];
      argi += 2;
    } else if (strcmp(argv[argi], "-W") == 0) {
      argi++;
    } else {
      fprintf(stderr, "usage: lnxsmoke [-t TABLE] [-r SRC] [-W] IIF OIF...\n");
      return 1;
    }
  }
  rc = smk_ops->open(&cfg, &up, NULL, &smk_be);
  if (rc != 0) {
    printf("OPEN_FAILED %d\n", rc);
    return 2;
  }
  signal(SIGTERM, smk_on_term);
  signal(SIGINT, smk_on_term);
  for (i = 1; i < (size_t)argc; i++)
    if (strcmp(argv[i], "-W") == 0)
      printf("WRONGIF_ON rc=%d\n", smk_ops->set_wrongif(smk_be, 1));
  if (route_src != NULL) {
    struct in_addr in;

    inet_pton(AF_INET, route_src, &in);
    rc = smk_ops->route_lookup(smk_be, in.s_addr, &rt);
    printf("ROUTE %s rc=%d ifindex=%u upstream=%s net=%s/%s proto=%u\n",
           route_src, rc, rt.ifindex, smk_ip(rt.upstream, a),
           smk_ip(rt.network, b), smk_ip(rt.mask, c), rt.protocol);
  }
  for (; argi < argc; argi++) {
    ix = smk_ifindex(argv[argi]);
    rc = smk_ops->if_attach(smk_be, ix);
    printf("ATTACH %u %d\n", ix, rc);
    if (smk_iif == 0) {
      smk_iif = ix;
    } else if (rc == 0 && smk_n_oif < SMK_MAX_OIF) {
      smk_oif[smk_n_oif].ifindex = ix;
      smk_oif[smk_n_oif].ttl_threshold = 1;
      smk_n_oif++;
    }
  }
  (void)smk_ops->resync(smk_be);
  printf("READY table=%u\n", cfg.table);
  fflush(stdout);
  while (!smk_stop) {
    nfd = sizeof(fds) / sizeof(fds[0]);
    if (smk_ops->fds(smk_be, fds, &nfd) != 0)
      break;
    for (i = 0; i < nfd; i++) {
      pfd[i].fd = fds[i];
      pfd[i].events = POLLIN;
      pfd[i].revents = 0;
    }
    rc = poll(pfd, nfd, 200);
    if (rc < 0 && errno != EINTR)
      break;
    while (smk_ops->dispatch(smk_be, 64, 0) == 64)
      ;
  }
  for (i = 0; i < smk_n_mfe; i++) {
    rc = smk_ops->mfe_stats(smk_be, &smk_mfe[i], &st);
    printf("STATS %s %s rc=%d pkts=%llu bytes=%llu wrong_if=%llu\n",
           smk_ip(smk_mfe[i].source, a), smk_ip(smk_mfe[i].group, b), rc,
           (unsigned long long)st.pkts, (unsigned long long)st.bytes,
           (unsigned long long)st.wrong_if);
  }
  smk_ops->close(smk_be);
  printf("EXIT\n");
  fflush(stdout);
  return 0;
}
