/*
 * test_backend.c - the BSD backend itself (mgm__bsd_ops: mroute.c and the
 * files it calls), compiled on Linux and run against a fake kernel.
 *
 * SPDX-License-Identifier: MIT
 *
 * Every system call of the backend goes through the posix syscall table
 * (src/platform/posix/sys.h); here the table's entries are overridden by
 * a small fake of FreeBSD's ip_mroute(4) and PF_ROUTE: a raw IGMP socket
 * that takes the MRT_* options (their bytes read back with the documented
 * FreeBSD offsets of doc_layouts.h, as written by mrtenc.c), a routing
 * socket that stays silent, and sysctl(NET_RT_IFLIST) listing three
 * interfaces.  The BSD headers the backend includes are stood in for by
 * tests/bsd/shim, its OS capabilities and layouts by doc_oscaps.c.
 *
 * Covered: the open errors (MRT_INIT's errno -> MGM_BE_* and the log line
 * naming the cause), the errno mapping of if_attach, mfe_set and mfe_del,
 * that a failed op changes neither the fake kernel nor the backend's books
 * and that the same call then succeeds, and every system call of open and
 * of each op failing in turn without leaking a descriptor.
 */
#include "platform/bsd/bsd.h"
#include "platform/posix/sys.h"

#include <criterion/criterion.h>

#include <dirent.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip_mroute.h> /* tests/bsd/shim: FreeBSD's MRT_* */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sockio.h>
#include <sys/sysctl.h>
#include <unistd.h>

#include "fixture.h"

/* ---- the fake kernel ----------------------------------------------------- */

#define FK_FD0 900 /* fake descriptors are FK_FD0 .. FK_FD0 + FK_NFD - 1 */
#define FK_NFD 8
#define FK_VIFS 32
#define FK_MFC 16

enum fk_kind { FK_FREE, FK_IGMP, FK_ROUTE };

/* The MRT_* options a test can make fail with a chosen errno. */
enum fk_op {
  FK_MRT_INIT,
  FK_ADD_VIF,
  FK_DEL_VIF,
  FK_ADD_MFC,
  FK_DEL_MFC,
  FK_OPS
};

struct fk_mfe {
  int used;
  uint32_t src, grp;
  uint16_t parent;
  uint8_t ttls[FK_VIFS];
};

/* What the kernel holds: compared before and after an op. */
struct fk_view {
  int inited;
  int vif_used[FK_VIFS];
  uint32_t vif_addr[FK_VIFS];
  struct fk_mfe mfc[FK_MFC];
};

static struct {
  enum fk_kind fd[FK_NFD];
  int err[FK_OPS];
  struct fk_view k;
} fk;

static int fk_slot(int fd) {
  return fd >= FK_FD0 && fd < FK_FD0 + FK_NFD ? fd - FK_FD0 : -1;
}

static enum fk_kind fk_kind_of(int fd) {
  int i = fk_slot(fd);

  return i < 0 ? FK_FREE : fk.fd[i];
}

static int fk_open_count(void) {
  int i, n = 0;

  for (i = 0; i < FK_NFD; i++)
    n += fk.fd[i] != FK_FREE;
  return n;
}

static int fk_fail(int err) {
  errno = err;
  return -1;
}

static int fk_socket(int domain, int type, int protocol) {
  enum fk_kind kind;
  int i;

  if (domain == AF_INET && type == SOCK_RAW && protocol == IPPROTO_IGMP)
    kind = FK_IGMP;
  else if (domain == PF_ROUTE && type == SOCK_RAW)
    kind = FK_ROUTE;
  else
    return fk_fail(EAFNOSUPPORT);
  for (i = 0; i < FK_NFD; i++) {
    if (fk.fd[i] == FK_FREE) {
      fk.fd[i] = kind;
      return FK_FD0 + i;
    }
  }
  return fk_fail(EMFILE);
}

static int fk_close(int fd) {
  int i = fk_slot(fd);

  if (i < 0)
    return close(fd); /* the wake pipe is a real one */
  if (fk.fd[i] == FK_FREE)
    return fk_fail(EBADF);
  if (fk.fd[i] == FK_IGMP) /* closing the router socket undoes MRT_INIT */
    memset(&fk.k, 0, sizeof(fk.k));
  fk.fd[i] = FK_FREE;
  return 0;
}

static int fk_fcntl(int fd, int cmd, int arg) {
  if (fk_slot(fd) < 0)
    return fcntl(fd, cmd, arg);
  return fk_kind_of(fd) == FK_FREE ? fk_fail(EBADF) : 0;
}

static struct fk_mfe *fk_mfe_find(uint32_t src, uint32_t grp) {
  int i;

  for (i = 0; i < FK_MFC; i++)
    if (fk.k.mfc[i].used && fk.k.mfc[i].src == src && fk.k.mfc[i].grp == grp)
      return &fk.k.mfc[i];
  return NULL;
}

/* The router socket's MRT_* options; bytes at the documented FreeBSD
 * offsets: vifctl vifi 0 (u16), lcl_addr 8; mfcctl origin 0, mcastgrp 4,
 * parent 8 (u16), ttls 10..41; MRT_DEL_VIF a bare u16 vifi. */
static int fk_mrt(int name, const uint8_t *b, socklen_t len) {
  struct fk_mfe *e;
  uint16_t v;
  int i;

  switch (name) {
  case MRT_INIT:
    if (fk.err[FK_MRT_INIT])
      return fk_fail(fk.err[FK_MRT_INIT]);
    if (fk.k.inited)
      return fk_fail(EADDRINUSE);
    fk.k.inited = 1;
    return 0;
  case MRT_DONE:
    memset(&fk.k, 0, sizeof(fk.k));
    return 0;
  case MRT_ADD_VIF:
    cr_assert_eq(len, 16, "MRT_ADD_VIF with %u bytes", (unsigned)len);
    if (fk.err[FK_ADD_VIF])
      return fk_fail(fk.err[FK_ADD_VIF]);
    v = fx_get16(b, 0);
    if (v >= FK_VIFS)
      return fk_fail(EINVAL);
    if (fk.k.vif_used[v])
      return fk_fail(EADDRINUSE);
    fk.k.vif_used[v] = 1;
    fk.k.vif_addr[v] = fx_get32(b, 8);
    return 0;
  case MRT_DEL_VIF:
    cr_assert_eq(len, 2, "MRT_DEL_VIF with %u bytes", (unsigned)len);
    if (fk.err[FK_DEL_VIF])
      return fk_fail(fk.err[FK_DEL_VIF]);
    v = fx_get16(b, 0);
    if (v >= FK_VIFS || !fk.k.vif_used[v])
      return fk_fail(EINVAL);
    fk.k.vif_used[v] = 0;
    fk.k.vif_addr[v] = 0;
    return 0;
  case MRT_ADD_MFC:
    cr_assert_eq(len, 44, "MRT_ADD_MFC with %u bytes", (unsigned)len);
    if (fk.err[FK_ADD_MFC])
      return fk_fail(fk.err[FK_ADD_MFC]);
    e = fk_mfe_find(fx_get32(b, 0), fx_get32(b, 4));
    for (i = 0; e == NULL && i < FK_MFC; i++)
      if (!fk.k.mfc[i].used)
        e = &fk.k.mfc[i];
    if (e == NULL)
      return fk_fail(ENOBUFS);
    e->used = 1;
    e->src = fx_get32(b, 0);
    e->grp = fx_get32(b, 4);
    e->parent = fx_get16(b, 8);
    memcpy(e->ttls, b + 10, FK_VIFS);
    return 0;
  case MRT_DEL_MFC:
    cr_assert_eq(len, 44, "MRT_DEL_MFC with %u bytes", (unsigned)len);
    if (fk.err[FK_DEL_MFC])
      return fk_fail(fk.err[FK_DEL_MFC]);
    e = fk_mfe_find(fx_get32(b, 0), fx_get32(b, 4));
    if (e == NULL)
      return fk_fail(EADDRNOTAVAIL); /* FreeBSD's del_mfc */
    memset(e, 0, sizeof(*e));
    return 0;
  case MRT_ASSERT:
    return 0;
  default:
    return fk_fail(ENOPROTOOPT);
  }
}

static int fk_setsockopt(int fd, int level, int name, const void *val,
                         socklen_t len) {
  enum fk_kind kind = fk_kind_of(fd);

  if (kind == FK_FREE)
    return fk_fail(EBADF);
  if (kind == FK_IGMP && level == IPPROTO_IP && name >= MRT_INIT &&
      name <= MRT_ASSERT)
    return fk_mrt(name, val, len);
  return 0; /* SO_RCVBUF, IP_RECVIF */
}

static int fk_getsockopt(int fd, int level, int name, void *val,
                         socklen_t *len) {
  (void)level;
  (void)name;
  (void)val;
  (void)len;
  return fk_fail(fk_kind_of(fd) == FK_FREE ? EBADF : ENOPROTOOPT);
}

/* SIOCGETSGCNT: struct sioc_sg_req, src 0, grp 4, counters at 8/16/24. */
static int fk_ioctl(int fd, unsigned long req, void *arg) {
  uint8_t *b = arg;

  if (fk_kind_of(fd) != FK_IGMP)
    return fk_fail(EBADF);
  if (req != SIOCGETSGCNT)
    return fk_fail(ENOTTY);
  if (fk_mfe_find(fx_get32(b, 0), fx_get32(b, 4)) == NULL)
    return fk_fail(EADDRNOTAVAIL);
  memset(b + 8, 0, 24);
  return 0;
}

/* Nothing arrives on the fake sockets. */
static ssize_t fk_recvmsg(int fd, struct msghdr *msg, int flags) {
  (void)msg;
  (void)flags;
  return fk_fail(fk_kind_of(fd) == FK_FREE ? EBADF : EAGAIN);
}

static ssize_t fk_recv(int fd, void *buf, size_t len, int flags) {
  (void)buf;
  (void)len;
  (void)flags;
  return fk_fail(fk_kind_of(fd) == FK_FREE ? EBADF : EAGAIN);
}

/* ---- the interfaces: sysctl(NET_RT_IFLIST) ------------------------------- */

#define IFF_UP_RUN_MC                                                          \
  0x8043u /* FreeBSD IFF_UP | IFF_RUNNING | IFF_MULTICAST                      \
           */

struct fk_if {
  uint16_t index;
  const char *name;
  uint32_t addr; /* 0: none */
};

static const struct fk_if fk_ifs[] = {
    {2, "em0", 0}, /* addresses filled in by fk_addr() */
    {3, "em1", 0},
    {4, "em2", 0}, /* no address: its VIF waits (pending) */
};

static uint32_t fk_addr(uint16_t index) {
  return index == 2   ? fx_ip(192, 0, 2, 1)
         : index == 3 ? fx_ip(198, 51, 100, 1)
                      : 0;
}

/* struct if_msghdr (168): msglen 0, version 2, type 3, ifm_addrs 4,
 * ifm_flags 8, ifm_index 12, ifi_type 16, ifi_link_state 20; then the
 * RTA_IFP sockaddr_dl naming the interface (the sysctl form). */
static size_t fk_ifinfo(uint8_t *b, uint16_t index, const char *name) {
  size_t len;

  memset(b, 0, 256);
  b[2] = 5;
  b[3] = 0x0e;
  fx_u32(b, 4, 0x10);
  fx_u32(b, 8, IFF_UP_RUN_MC);
  fx_u16(b, 12, index);
  b[16] = 6;
  b[20] = 2; /* LINK_STATE_UP */
  len = fx_sdl(b, 168, index, name, 8);
  fx_u16(b, 0, (uint16_t)len);
  return len;
}

/* struct ifa_msghdr (20): msglen 0, version 2, type 3 (RTM_NEWADDR 0x0c),
 * ifam_addrs 4, ifam_index 12; sockaddrs NETMASK, IFP, IFA, BRD. */
static size_t fk_newaddr(uint8_t *b, uint16_t index, const char *name,
                         uint32_t addr) {
  size_t off = 20;

  memset(b, 0, 256);
  b[2] = 5;
  b[3] = 0x0c;
  fx_u32(b, 4, 0x04 | 0x10 | 0x20 | 0x80);
  fx_u16(b, 12, index);
  off = fx_sin(b, off, 16, 2, fx_ip(255, 255, 255, 0), 8);
  off = fx_sdl(b, off, index, name, 8);
  off = fx_sin(b, off, 16, 2, addr, 8);
  off = fx_sin(b, off, 16, 2, addr | fx_ip(0, 0, 0, 255), 8);
  fx_u16(b, 0, (uint16_t)off);
  return off;
}

static int fk_sysctl(const int *name, unsigned namelen, void *oldp,
                     size_t *oldlenp, const void *newp, size_t newlen) {
  uint8_t buf[2048];
  size_t len = 0, i;

  (void)newp;
  (void)newlen;
  if (namelen != 6 || name[0] != CTL_NET || name[4] != NET_RT_IFLIST)
    return fk_fail(ENOENT);
  for (i = 0; i < sizeof(fk_ifs) / sizeof(fk_ifs[0]); i++) {
    len += fk_ifinfo(buf + len, fk_ifs[i].index, fk_ifs[i].name);
    if (fk_addr(fk_ifs[i].index) != 0)
      len += fk_newaddr(buf + len, fk_ifs[i].index, fk_ifs[i].name,
                        fk_addr(fk_ifs[i].index));
  }
  if (oldp == NULL) {
    *oldlenp = len;
    return 0;
  }
  if (*oldlenp < len)
    return fk_fail(ENOMEM);
  memcpy(oldp, buf, len);
  *oldlenp = len;
  return 0;
}

static char *fk_if_indextoname(unsigned ifindex, char *name) {
  size_t i;

  for (i = 0; i < sizeof(fk_ifs) / sizeof(fk_ifs[0]); i++) {
    if (fk_ifs[i].index == ifindex) {
      snprintf(name, IF_NAMESIZE, "%s", fk_ifs[i].name);
      return name;
    }
  }
  errno = ENXIO;
  return NULL;
}

#define FK_OVERRIDE(name, fn) mgm__sys_override(name, (void (*)(void))(fn))

static void fk_install(void) {
  memset(&fk, 0, sizeof(fk));
  mgm__sys_reset();
  FK_OVERRIDE(MGM_SYS_SOCKET, fk_socket);
  FK_OVERRIDE(MGM_SYS_CLOSE, fk_close);
  FK_OVERRIDE(MGM_SYS_FCNTL, fk_fcntl);
  FK_OVERRIDE(MGM_SYS_SETSOCKOPT, fk_setsockopt);
  FK_OVERRIDE(MGM_SYS_GETSOCKOPT, fk_getsockopt);
  FK_OVERRIDE(MGM_SYS_IOCTL, fk_ioctl);
  FK_OVERRIDE(MGM_SYS_RECVMSG, fk_recvmsg);
  FK_OVERRIDE(MGM_SYS_RECV, fk_recv);
  FK_OVERRIDE(MGM_SYS_SYSCTL, fk_sysctl);
  FK_OVERRIDE(MGM_SYS_IF_INDEXTONAME, fk_if_indextoname);
}

/* Real descriptors open in this process (the wake pipe is real). */
static int real_fds(void) {
  struct dirent *d;
  DIR *dir = opendir("/proc/self/fd");
  int n = 0;

  cr_assert_not_null(dir);
  while ((d = readdir(dir)) != NULL)
    n += d->d_name[0] != '.';
  closedir(dir);
  return n - 1; /* the directory's own descriptor */
}

/* ---- the backend under test ---------------------------------------------- */

#define LOGMAX 32

static const struct mgm_backend_ops *ops = &mgm__bsd_ops;
static struct mgm_backend *be;
static char logs[LOGMAX][320];
static int n_logs;
static int fds0;

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

static int open_be(uint32_t table, struct mgm_backend **out) {
  struct mgm_be_config cfg;

  memset(&cfg, 0, sizeof(cfg));
  cfg.table = table;
  cfg.log = t_log;
  n_logs = 0;
  return ops->open(&cfg, NULL, NULL, out);
}

static void close_be(void) {
  if (be != NULL)
    ops->close(be);
  be = NULL;
}

static void setup(void) {
  fk_install();
  be = NULL;
  n_logs = 0;
  fds0 = real_fds();
}

static void teardown(void) {
  close_be();
  mgm__sys_reset();
}

TestSuite(bsd_backend, .init = setup, .fini = teardown, .timeout = 30);

/* Nothing the backend opened is left: no fake socket, no real pipe. */
static void assert_nothing_open(const char *what) {
  cr_assert_eq(fk_open_count(), 0, "%s: %d fake socket(s) left open", what,
               fk_open_count());
  cr_assert_eq(real_fds(), fds0, "%s: %d real descriptor(s) leaked", what,
               real_fds() - fds0);
}

static void open_ok(void) {
  int rc = open_be(0, &be);

  cr_assert_eq(rc, 0, "open: %d", rc);
  cr_assert_not_null(be);
  cr_assert(fk.k.inited);
}

static struct mgm_fwd fwd_of(uint32_t src, uint32_t grp, uint32_t iif,
                             const struct mgm_oif *oif, uint16_t n_oif) {
  struct mgm_fwd f;

  memset(&f, 0, sizeof(f));
  f.key.source = src;
  f.key.group = grp;
  f.iif = iif;
  f.oif = oif;
  f.n_oif = n_oif;
  return f;
}

/* The backend's books on the MFC: the shadow entry count. */
static size_t shadow_count(void) {
  return be->mfc.count;
}

/* ---- open ---------------------------------------------------------------- */

Test(bsd_backend, open_lists_interfaces_and_close_undoes_everything) {
  open_ok();
  cr_assert_eq(be->nifs, 3);
  cr_assert_eq(fk_open_count(), 2); /* the router and routing sockets */
  cr_assert(log_has("freebsd multicast router up"));
  close_be();
  cr_assert_eq(fk.k.inited, 0);
  assert_nothing_open("close");
}

static void open_fails(int err, int want, const char *log_needle) {
  struct mgm_backend *b = (struct mgm_backend *)(uintptr_t)1; /* -> NULL */
  int rc;

  fk.err[FK_MRT_INIT] = err;
  rc = open_be(0, &b);
  fk.err[FK_MRT_INIT] = 0;
  cr_assert_eq(rc, want, "MRT_INIT failing with %s: open returned %d, not %d",
               strerror(err), rc, want);
  cr_assert_null(b);
  cr_assert(log_has(log_needle), "MRT_INIT failing with %s: no log line '%s'",
            strerror(err), log_needle);
  assert_nothing_open(strerror(err));
}

Test(bsd_backend, mrt_init_errors_map_and_name_their_cause) {
  open_fails(EADDRINUSE, MGM_BE_EBUSY, "another multicast router owns table");
  open_fails(EPERM, MGM_BE_EPERM, "no privilege for MRT_INIT");
  open_fails(EACCES, MGM_BE_EPERM, "no privilege for MRT_INIT");
  open_fails(EOPNOTSUPP, MGM_BE_ENOTSUP, "kldload ip_mroute");
  open_fails(ENOPROTOOPT, MGM_BE_ENOTSUP, "kldload ip_mroute");
  /* Anything else is reported as it maps, but never as a busy table or a
   * privilege problem, which would send the user the wrong way. */
  open_fails(ENOBUFS, MGM_BE_ENOMEM, "MRT_INIT failed");
  open_fails(EINVAL, MGM_BE_EINVAL, "MRT_INIT failed");
  open_fails(EBUSY, MGM_BE_EIO, "MRT_INIT failed");
}

Test(bsd_backend, second_router_is_busy) {
  struct mgm_backend *b2 = NULL;

  open_ok();
  cr_assert_eq(open_be(0, &b2), MGM_BE_EBUSY);
  cr_assert_null(b2);
  cr_assert_eq(fk_open_count(), 2, "the failed open left a socket open");
}

Test(bsd_backend, socket_errors_map_and_free_everything) {
  struct mgm_backend *b = NULL;

  mgm__sys_fail(MGM_SYS_SOCKET, 1, EPERM);
  cr_assert_eq(open_be(0, &b), MGM_BE_EPERM);
  cr_assert(log_has("no privilege: raw IGMP socket"));
  mgm__sys_fail(MGM_SYS_SOCKET, 2, EACCES); /* the routing socket */
  cr_assert_eq(open_be(0, &b), MGM_BE_EPERM);
  cr_assert(log_has("PF_ROUTE socket"));
  mgm__sys_fail(MGM_SYS_PIPE2, 1, EMFILE);
  cr_assert_eq(open_be(0, &b), MGM_BE_ENOMEM);
  mgm__sys_fail(MGM_SYS_SYSCTL, 1, EPERM);
  cr_assert_eq(open_be(0, &b), MGM_BE_EPERM);
  cr_assert_null(b);
  assert_nothing_open("failed opens");
}

Test(bsd_backend, a_table_is_refused_where_there_is_one_per_system) {
  struct mgm_backend *b = NULL;

  cr_assert_eq(open_be(5, &b), MGM_BE_ENOTSUP);
  cr_assert(log_has("one multicast routing table"));
  assert_nothing_open("table 5");
}

/* ---- if_attach ----------------------------------------------------------- */

/* The backend's VIF slot of ifindex, or -1. */
static int vif_of(uint32_t ifindex) {
  int i;

  for (i = 0; i < be->mrl.maxvifs; i++)
    if (be->vif[i].in_use && be->vif[i].ifindex == ifindex)
      return i;
  return -1;
}

static void attach_fails(int err, int want) {
  struct fk_view k0 = fk.k;
  int rc;

  fk.err[FK_ADD_VIF] = err;
  rc = ops->if_attach(be, 2);
  fk.err[FK_ADD_VIF] = 0;
  cr_assert_eq(rc, want,
               "MRT_ADD_VIF failing with %s: if_attach returned %d, "
               "not %d",
               strerror(err), rc, want);
  cr_assert(memcmp(&fk.k, &k0, sizeof(k0)) == 0,
            "a failed if_attach changed the kernel");
  cr_assert_eq(vif_of(2), -1, "a failed if_attach left a VIF in the books");
}

Test(bsd_backend, if_attach_maps_mrt_add_vif_errors) {
  open_ok();
  attach_fails(ENOBUFS, MGM_BE_ENOMEM);
  attach_fails(EPERM, MGM_BE_EPERM);
  attach_fails(EINVAL, MGM_BE_EINVAL);
  attach_fails(EOPNOTSUPP, MGM_BE_ENOIF); /* not IFF_MULTICAST */
  attach_fails(EADDRINUSE, MGM_BE_EIO);   /* already a VIF */
  attach_fails(EHOSTUNREACH, MGM_BE_EIO); /* anything else */
  cr_assert(log_has("already a VIF"));
  cr_assert_eq(be->npending, 0);
  /* The address went under us: the interface waits for one. */
  attach_fails(EADDRNOTAVAIL, MGM_BE_ENOIF);
  cr_assert_eq(be->npending, 1);
  cr_assert_eq(be->pending[0], 2);
  /* The same call succeeds afterwards, with the interface's address. */
  cr_assert_eq(ops->if_attach(be, 2), 0);
  cr_assert(fk.k.vif_used[0]);
  cr_assert_eq(fk.k.vif_addr[0], fk_addr(2));
  cr_assert_eq(ops->if_attach(be, 2), 0); /* refcounted: no second VIF */
  cr_assert_eq(fk.k.vif_used[1], 0);
}

Test(bsd_backend, if_attach_of_unknown_or_addressless_interfaces) {
  struct fk_view k0;

  open_ok();
  k0 = fk.k;
  cr_assert_eq(ops->if_attach(be, 99), MGM_BE_ENOIF);
  cr_assert_eq(ops->if_attach(be, 4), MGM_BE_ENOIF); /* em2: no address */
  cr_assert(memcmp(&fk.k, &k0, sizeof(k0)) == 0);
  cr_assert_eq(be->npending, 1);
  /* Detaching the pending interface forgets it. */
  cr_assert_eq(ops->if_detach(be, 4), 0);
  cr_assert_eq(be->npending, 0);
}

/* ---- mfe_set / mfe_del --------------------------------------------------- */

static const uint32_t S1 = 0x0a000001u; /* any source, network order is fine */
#define G1 fx_ip(232, 1, 1, 1)

static void attach_two(void) {
  cr_assert_eq(ops->if_attach(be, 2), 0);
  cr_assert_eq(ops->if_attach(be, 3), 0);
}

static void mfe_set_fails(int err, int want) {
  struct mgm_oif oif = {3, 0, 0};
  struct mgm_fwd f = fwd_of(S1, G1, 2, &oif, 1);
  struct fk_view k0 = fk.k;
  size_t n0 = shadow_count();
  int rc;

  fk.err[FK_ADD_MFC] = err;
  rc = ops->mfe_set(be, &f);
  fk.err[FK_ADD_MFC] = 0;
  cr_assert_eq(rc, want,
               "MRT_ADD_MFC failing with %s: mfe_set returned %d, "
               "not %d",
               strerror(err), rc, want);
  cr_assert(memcmp(&fk.k, &k0, sizeof(k0)) == 0,
            "a failed mfe_set changed the kernel");
  cr_assert_eq(shadow_count(), n0, "a failed mfe_set changed the books");
}

Test(bsd_backend, mfe_set_maps_mrt_add_mfc_errors_and_keeps_state) {
  struct mgm_oif oif = {3, 0, 0};
  struct mgm_fwd f = fwd_of(S1, G1, 2, &oif, 1);
  const struct mgm_bsd_mfc *m;

  open_ok();
  attach_two();
  mfe_set_fails(ENOBUFS, MGM_BE_ENOMEM);
  mfe_set_fails(ENOMEM, MGM_BE_ENOMEM);
  mfe_set_fails(EPERM, MGM_BE_EPERM);
  mfe_set_fails(EINVAL, MGM_BE_EINVAL);
  mfe_set_fails(EOPNOTSUPP, MGM_BE_ENOTSUP);
  mfe_set_fails(EHOSTUNREACH, MGM_BE_EIO);
  cr_assert_eq(shadow_count(), 0);
  /* The same call succeeds: parent VIF 0, output VIF 1 with TTL 1. */
  cr_assert_eq(ops->mfe_set(be, &f), 0);
  cr_assert_not_null(fk_mfe_find(S1, G1));
  cr_assert_eq(fk_mfe_find(S1, G1)->parent, 0);
  cr_assert_eq(fk_mfe_find(S1, G1)->ttls[1], 1);
  cr_assert_eq(shadow_count(), 1);
  /* A failed update keeps the entry as it was, in the kernel and the
   * books: iif 2 -> oif 3. */
  mfe_set_fails(ENOBUFS, MGM_BE_ENOMEM);
  m = mgm__bsd_mfctab_find(&be->mfc, S1, G1);
  cr_assert_not_null(m);
  cr_assert_eq(m->iif, 2);
  cr_assert_eq(m->n_oif, 1);
  cr_assert_eq(m->oif[0].ifindex, 3);
  cr_assert_eq(fk_mfe_find(S1, G1)->ttls[1], 1);
}

Test(bsd_backend, mfe_set_refuses_what_it_cannot_install) {
  struct mgm_oif oif = {4, 0, 0}; /* em2: no VIF */
  struct mgm_fwd f = fwd_of(S1, G1, 2, &oif, 1);
  struct mgm_fwd bad = fwd_of(S1, fx_ip(10, 0, 0, 1), 2, NULL, 0);

  open_ok();
  attach_two();
  cr_assert_eq(ops->mfe_set(be, &f), MGM_BE_ENOIF);
  cr_assert_eq(ops->mfe_set(be, &bad), MGM_BE_EINVAL); /* not multicast */
  cr_assert_eq(shadow_count(), 0);
  cr_assert_null(fk_mfe_find(S1, G1));
}

static void mfe_del_fails(int err, int want) {
  struct mgm_mfe_key key = {S1, G1};
  struct fk_view k0 = fk.k;
  int rc;

  fk.err[FK_DEL_MFC] = err;
  rc = ops->mfe_del(be, &key);
  fk.err[FK_DEL_MFC] = 0;
  cr_assert_eq(rc, want,
               "MRT_DEL_MFC failing with %s: mfe_del returned %d, "
               "not %d",
               strerror(err), rc, want);
  cr_assert(memcmp(&fk.k, &k0, sizeof(k0)) == 0,
            "a failed mfe_del changed the kernel");
  cr_assert_not_null(mgm__bsd_mfctab_find(&be->mfc, S1, G1),
                     "a failed mfe_del dropped the entry from the books");
}

Test(bsd_backend, mfe_del_maps_mrt_del_mfc_errors_and_keeps_state) {
  struct mgm_oif oif = {3, 0, 0};
  struct mgm_fwd f = fwd_of(S1, G1, 2, &oif, 1);
  struct mgm_mfe_key key = {S1, G1};

  open_ok();
  attach_two();
  cr_assert_eq(ops->mfe_set(be, &f), 0);
  mfe_del_fails(EPERM, MGM_BE_EPERM);
  mfe_del_fails(ENOBUFS, MGM_BE_ENOMEM);
  mfe_del_fails(EINVAL, MGM_BE_EINVAL);
  mfe_del_fails(EHOSTUNREACH, MGM_BE_EIO);
  /* The same call succeeds; a second finds nothing. */
  cr_assert_eq(ops->mfe_del(be, &key), 0);
  cr_assert_null(fk_mfe_find(S1, G1));
  cr_assert_eq(shadow_count(), 0);
  cr_assert_eq(ops->mfe_del(be, &key), MGM_BE_ENOENT);
}

Test(bsd_backend, mfe_del_of_an_entry_the_kernel_aged_out_succeeds) {
  struct mgm_oif oif = {3, 0, 0};
  struct mgm_fwd f = fwd_of(S1, G1, 2, &oif, 1);
  struct mgm_mfe_key key = {S1, G1};

  open_ok();
  attach_two();
  cr_assert_eq(ops->mfe_set(be, &f), 0);
  memset(fk_mfe_find(S1, G1), 0, sizeof(struct fk_mfe));
  cr_assert_eq(ops->mfe_del(be, &key), 0);
  cr_assert_eq(shadow_count(), 0);
}

/* ---- every system call failing in turn ----------------------------------- */

enum fop { FOP_OPEN, FOP_ATTACH, FOP_DETACH, FOP_SET, FOP_DEL, FOP_COUNT };
static const char *const fop_names[FOP_COUNT] = {
    "open", "if_attach", "if_detach", "mfe_set", "mfe_del"};

/* Bring the backend to the state before op (nothing for open). */
static void fop_prepare(enum fop op) {
  struct mgm_oif oif = {3, 0, 0};
  struct mgm_fwd f = fwd_of(S1, G1, 2, &oif, 1);

  close_be();
  if (op == FOP_OPEN)
    return;
  open_ok();
  if (op == FOP_ATTACH)
    return;
  attach_two();
  if (op == FOP_DETACH)
    return;
  if (op == FOP_DEL)
    cr_assert_eq(ops->mfe_set(be, &f), 0);
}

static int fop_run(enum fop op) {
  struct mgm_oif oif = {3, 0, 0};
  struct mgm_fwd f = fwd_of(S1, G1, 2, &oif, 1);
  struct mgm_mfe_key key = {S1, G1};

  switch (op) {
  case FOP_OPEN:
    return open_be(0, &be);
  case FOP_ATTACH:
    return ops->if_attach(be, 2);
  case FOP_DETACH:
    return ops->if_detach(be, 3);
  case FOP_SET:
    return ops->mfe_set(be, &f);
  default:
    return ops->mfe_del(be, &key);
  }
}

Test(bsd_backend, every_system_call_failing_fails_cleanly) {
  static const int errs[] = {ENOBUFS, EPERM};
  struct fk_view before, after;
  size_t shadow_before, shadow_after;
  unsigned k, fired;
  int op, e, rc, want_rc, points = 0;

  for (op = 0; op < FOP_COUNT; op++) {
    fop_prepare((enum fop)op);
    before = fk.k;
    shadow_before = be != NULL ? shadow_count() : 0;
    want_rc = fop_run((enum fop)op);
    cr_assert_eq(want_rc, 0, "%s without a fault: %d", fop_names[op], want_rc);
    after = fk.k;
    shadow_after = shadow_count();
    for (k = 1;; k++) {
      for (e = 0; e < (int)(sizeof(errs) / sizeof(errs[0])); e++) {
        fop_prepare((enum fop)op);
        fired = mgm__sys_faults_fired();
        mgm__sys_fail(NULL, k, errs[e]);
        rc = fop_run((enum fop)op);
        mgm__sys_fail(NULL, 0, 0);
        if (mgm__sys_faults_fired() == fired)
          break; /* fewer than k system calls: done with this op */
        points++;
        if (rc == 0) {
          /* a best-effort call (SO_RCVBUF, IP_RECVIF...) failed */
          cr_assert(memcmp(&fk.k, &after, sizeof(after)) == 0,
                    "%s: call #%u failing with %s: succeeded, but the kernel "
                    "differs",
                    fop_names[op], k, strerror(errs[e]));
          cr_assert_eq(shadow_count(), shadow_after);
          continue;
        }
        cr_assert_eq(rc, mgm__bsd_map_errno(errs[e]),
                     "%s: call #%u failing with %s returned %d", fop_names[op],
                     k, strerror(errs[e]), rc);
        if (op == FOP_OPEN) {
          cr_assert_null(be);
          assert_nothing_open("open with a failing call");
          continue;
        }
        cr_assert(memcmp(&fk.k, &before, sizeof(before)) == 0,
                  "%s: call #%u failing with %s: failed, but the kernel "
                  "changed",
                  fop_names[op], k, strerror(errs[e]));
        cr_assert_eq(shadow_count(), shadow_before);
        if (op == FOP_DETACH) {
          /* MRT_DEL_VIF refused: the slot the kernel keeps is quarantined
           * (in use, no interface) until slots run out (vif.c). */
          cr_assert(be->vif[1].in_use && be->vif[1].ifindex == 0,
                    "if_detach failed without quarantining the slot");
          cr_assert_eq(fop_run((enum fop)op), MGM_BE_ENOENT);
          continue;
        }
        /* the identical call then succeeds */
        cr_assert_eq(fop_run((enum fop)op), want_rc);
      }
      if (e < (int)(sizeof(errs) / sizeof(errs[0])))
        break;
    }
  }
  close_be();
  assert_nothing_open("the end");
  cr_assert_gt(points, 10, "only %d fault points reached", points);
}
