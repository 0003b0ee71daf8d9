/*
 * sys.c - the overridable system-call table of the POSIX backends.
 *
 * SPDX-License-Identifier: MIT
 *
 * A fixed array of named entries, each holding the function in use and
 * libc's default (SQLite's aSyscall idea).  Each mgm__sys_* wrapper first
 * asks the fault hook whether this call is the one a test wants to fail,
 * then calls through the entry.  Function pointers are stored as the
 * generic void (*)(void) and cast back to the exact prototype before the
 * call, which C11 allows.
 */
#define _GNU_SOURCE 1
/* The BSD namespace (sysctl's u_int...), as bsd.h sets it. */
#if defined(__FreeBSD__) && !defined(__BSD_VISIBLE)
#define __BSD_VISIBLE 1
#endif
#if defined(__NetBSD__) && !defined(_NETBSD_SOURCE)
#define _NETBSD_SOURCE 1
#endif
#if defined(__OpenBSD__) && !defined(_BSD_SOURCE)
#define _BSD_SOURCE 1
#endif

#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <unistd.h>
#ifdef HAVE_SYSCTL
#include <sys/sysctl.h>
#endif

typedef void (*psx_fn)(void);

typedef int (*psx_socket_fn)(int, int, int);
typedef int (*psx_setsockopt_fn)(int, int, int, const void *, socklen_t);
typedef int (*psx_getsockopt_fn)(int, int, int, void *, socklen_t *);
typedef int (*psx_ioctl_fn)(int, unsigned long, void *);
typedef int (*psx_bind_fn)(int, const struct sockaddr *, socklen_t);
typedef int (*psx_getsockname_fn)(int, struct sockaddr *, socklen_t *);
typedef ssize_t (*psx_recvmsg_fn)(int, struct msghdr *, int);
typedef int (*psx_recvmmsg_fn)(int, struct mmsghdr *, unsigned, int);
typedef ssize_t (*psx_sendto_fn)(int, const void *, size_t, int,
                                 const struct sockaddr *, socklen_t);
typedef ssize_t (*psx_sendmsg_fn)(int, const struct msghdr *, int);
typedef int (*psx_poll_fn)(struct pollfd *, unsigned long, int);
typedef int (*psx_close_fn)(int);
typedef int (*psx_pipe2_fn)(int *, int);
typedef ssize_t (*psx_read_fn)(int, void *, size_t);
typedef ssize_t (*psx_write_fn)(int, const void *, size_t);
typedef int (*psx_clock_gettime_fn)(clockid_t, struct timespec *);
typedef ssize_t (*psx_recv_fn)(int, void *, size_t, int);
typedef int (*psx_fcntl_fn)(int, int, int);
typedef int (*psx_sysctl_fn)(const int *, unsigned, void *, size_t *,
                             const void *, size_t);
typedef pid_t (*psx_getpid_fn)(void);
typedef char *(*psx_if_indextoname_fn)(unsigned, char *);

/* libc's ioctl and poll are variadic or use nfds_t: adapt them. */
static int psx_ioctl_default(int fd, unsigned long req, void *arg) {
  return ioctl(fd, req, arg);
}

static int psx_poll_default(struct pollfd *fds, unsigned long n, int tmo) {
  return poll(fds, (nfds_t)n, tmo);
}

static int psx_recvmmsg_default(int fd, struct mmsghdr *v, unsigned n,
                                int flags) {
#ifdef HAVE_RECVMMSG
  return recvmmsg(fd, v, n, flags, NULL);
#else
  (void)fd;
  (void)v;
  (void)n;
  (void)flags;
  errno = ENOSYS;
  return -1;
#endif
}

/* pipe2, or pipe and then the flags where there is no pipe2 (FreeBSD
 * before 10): the same descriptors, set up in two steps. */
static int psx_pipe2_default(int fds[2], int flags) {
#ifdef HAVE_PIPE2
  return pipe2(fds, flags);
#else
  int i;
  int fl;
  int err;
  int rc = -1;

  if (pipe(fds) < 0)
    goto out;
  for (i = 0; i < 2; i++) {
    if ((flags & O_NONBLOCK) && ((fl = fcntl(fds[i], F_GETFL)) < 0 ||
                                 fcntl(fds[i], F_SETFL, fl | O_NONBLOCK) < 0))
      goto fail;
    if ((flags & O_CLOEXEC) && ((fl = fcntl(fds[i], F_GETFD)) < 0 ||
                                fcntl(fds[i], F_SETFD, fl | FD_CLOEXEC) < 0))
      goto fail;
  }
  rc = 0;
  goto out;

fail:
  err = errno;
  (void)close(fds[0]);
  (void)close(fds[1]);
  errno = err;
out:
  return rc;
#endif
}

static int psx_fcntl_default(int fd, int cmd, int arg) {
  return fcntl(fd, cmd, arg);
}

static int psx_sysctl_default(const int *name, unsigned namelen, void *oldp,
                              size_t *oldlenp, const void *newp,
                              size_t newlen) {
#ifdef HAVE_SYSCTL
  /* OpenBSD's newp is not const. */
  return sysctl(name, namelen, oldp, oldlenp, (void *)(uintptr_t)newp, newlen);
#else
  (void)name;
  (void)namelen;
  (void)oldp;
  (void)oldlenp;
  (void)newp;
  (void)newlen;
  errno = ENOSYS;
  return -1;
#endif
}

enum psx_idx {
  PSX_SOCKET,
  PSX_SETSOCKOPT,
  PSX_GETSOCKOPT,
  PSX_IOCTL,
  PSX_BIND,
  PSX_GETSOCKNAME,
  PSX_RECVMSG,
  PSX_RECVMMSG,
  PSX_SENDTO,
  PSX_SENDMSG,
  PSX_POLL,
  PSX_CLOSE,
  PSX_PIPE2,
  PSX_READ,
  PSX_WRITE,
  PSX_CLOCK_GETTIME,
  PSX_RECV,
  PSX_FCNTL,
  PSX_SYSCTL,
  PSX_GETPID,
  PSX_IF_INDEXTONAME,
  PSX_COUNT
};

struct psx_entry {
  const char *name;
  psx_fn cur;
  psx_fn def;
};

static struct psx_entry psx_table[PSX_COUNT] = {
    [PSX_SOCKET] = {MGM_SYS_SOCKET, (psx_fn)socket, (psx_fn)socket},
    [PSX_SETSOCKOPT] = {MGM_SYS_SETSOCKOPT, (psx_fn)setsockopt,
                        (psx_fn)setsockopt},
    [PSX_GETSOCKOPT] = {MGM_SYS_GETSOCKOPT, (psx_fn)getsockopt,
                        (psx_fn)getsockopt},
    [PSX_IOCTL] = {MGM_SYS_IOCTL, (psx_fn)psx_ioctl_default,
                   (psx_fn)psx_ioctl_default},
    [PSX_BIND] = {MGM_SYS_BIND, (psx_fn)bind, (psx_fn)bind},
    [PSX_GETSOCKNAME] = {MGM_SYS_GETSOCKNAME, (psx_fn)getsockname,
                         (psx_fn)getsockname},
    [PSX_RECVMSG] = {MGM_SYS_RECVMSG, (psx_fn)recvmsg, (psx_fn)recvmsg},
    [PSX_RECVMMSG] = {MGM_SYS_RECVMMSG, (psx_fn)psx_recvmmsg_default,
                      (psx_fn)psx_recvmmsg_default},
    [PSX_SENDTO] = {MGM_SYS_SENDTO, (psx_fn)sendto, (psx_fn)sendto},
    [PSX_SENDMSG] = {MGM_SYS_SENDMSG, (psx_fn)sendmsg, (psx_fn)sendmsg},
    [PSX_POLL] = {MGM_SYS_POLL, (psx_fn)psx_poll_default,
                  (psx_fn)psx_poll_default},
    [PSX_CLOSE] = {MGM_SYS_CLOSE, (psx_fn)close, (psx_fn)close},
    [PSX_PIPE2] = {MGM_SYS_PIPE2, (psx_fn)psx_pipe2_default,
                   (psx_fn)psx_pipe2_default},
    [PSX_READ] = {MGM_SYS_READ, (psx_fn)read, (psx_fn)read},
    [PSX_WRITE] = {MGM_SYS_WRITE, (psx_fn)write, (psx_fn)write},
    [PSX_CLOCK_GETTIME] = {MGM_SYS_CLOCK_GETTIME, (psx_fn)clock_gettime,
                           (psx_fn)clock_gettime},
    [PSX_RECV] = {MGM_SYS_RECV, (psx_fn)recv, (psx_fn)recv},
    [PSX_FCNTL] = {MGM_SYS_FCNTL, (psx_fn)psx_fcntl_default,
                   (psx_fn)psx_fcntl_default},
    [PSX_SYSCTL] = {MGM_SYS_SYSCTL, (psx_fn)psx_sysctl_default,
                    (psx_fn)psx_sysctl_default},
    [PSX_GETPID] = {MGM_SYS_GETPID, (psx_fn)getpid, (psx_fn)getpid},
    [PSX_IF_INDEXTONAME] = {MGM_SYS_IF_INDEXTONAME, (psx_fn)if_indextoname,
                            (psx_fn)if_indextoname},
};

/* The armed fault: calls left until it fires (0 = disarmed), which entry
 * it counts (PSX_COUNT = any) and the errno it sets. */
static atomic_uint psx_fail_left;
static atomic_int psx_fail_idx;
static atomic_int psx_fail_err;
static atomic_uint psx_fail_fired;

static int psx_lookup(const char *name) {
  int i;

  for (i = 0; i < PSX_COUNT; i++)
    if (strcmp(psx_table[i].name, name) == 0)
      return i;
  return -1;
}

/* 1 if this call of entry idx must fail (errno already set). */
static int psx_should_fail(int idx) {
  unsigned left;
  int want;

  left = atomic_load_explicit(&psx_fail_left, memory_order_relaxed);
  if (left == 0)
    return 0;
  want = atomic_load_explicit(&psx_fail_idx, memory_order_relaxed);
  if (want != PSX_COUNT && want != idx)
    return 0;
  for (;;) {
    if (left == 0)
      return 0;
    if (atomic_compare_exchange_weak(&psx_fail_left, &left, left - 1))
      break;
  }
  if (left != 1)
    return 0;
  atomic_fetch_add(&psx_fail_fired, 1);
  errno = atomic_load(&psx_fail_err);
  return 1;
}

#define PSX_CALL(idx, type) ((type)psx_table[idx].cur)

int mgm__sys_socket(int domain, int type, int protocol) {
  if (psx_should_fail(PSX_SOCKET))
    return -1;
  return PSX_CALL(PSX_SOCKET, psx_socket_fn)(domain, type, protocol);
}

int mgm__sys_setsockopt(int fd, int level, int name, const void *val,
                        socklen_t len) {
  if (psx_should_fail(PSX_SETSOCKOPT))
    return -1;
  return PSX_CALL(PSX_SETSOCKOPT, psx_setsockopt_fn)(fd, level, name, val, len);
}

int mgm__sys_getsockopt(int fd, int level, int name, void *val,
                        socklen_t *len) {
  if (psx_should_fail(PSX_GETSOCKOPT))
    return -1;
  return PSX_CALL(PSX_GETSOCKOPT, psx_getsockopt_fn)(fd, level, name, val, len);
}

int mgm__sys_ioctl(int fd, unsigned long req, void *arg) {
  if (psx_should_fail(PSX_IOCTL))
    return -1;
  return PSX_CALL(PSX_IOCTL, psx_ioctl_fn)(fd, req, arg);
}

int mgm__sys_bind(int fd, const struct sockaddr *sa, socklen_t len) {
  if (psx_should_fail(PSX_BIND))
    return -1;
  return PSX_CALL(PSX_BIND, psx_bind_fn)(fd, sa, len);
}

int mgm__sys_getsockname(int fd, struct sockaddr *sa, socklen_t *len) {
  if (psx_should_fail(PSX_GETSOCKNAME))
    return -1;
  return PSX_CALL(PSX_GETSOCKNAME, psx_getsockname_fn)(fd, sa, len);
}

ssize_t mgm__sys_recvmsg(int fd, struct msghdr *msg, int flags) {
  if (psx_should_fail(PSX_RECVMSG))
    return -1;
  return PSX_CALL(PSX_RECVMSG, psx_recvmsg_fn)(fd, msg, flags);
}

int mgm__sys_recvmmsg(int fd, struct mmsghdr *v, unsigned n, int flags) {
  if (psx_should_fail(PSX_RECVMMSG))
    return -1;
  return PSX_CALL(PSX_RECVMMSG, psx_recvmmsg_fn)(fd, v, n, flags);
}

ssize_t mgm__sys_sendto(int fd, const void *buf, size_t len, int flags,
                        const struct sockaddr *sa, socklen_t salen) {
  if (psx_should_fail(PSX_SENDTO))
    return -1;
  return PSX_CALL(PSX_SENDTO, psx_sendto_fn)(fd, buf, len, flags, sa, salen);
}

ssize_t mgm__sys_sendmsg(int fd, const struct msghdr *msg, int flags) {
  if (psx_should_fail(PSX_SENDMSG))
    return -1;
  return PSX_CALL(PSX_SENDMSG, psx_sendmsg_fn)(fd, msg, flags);
}

int mgm__sys_poll(struct pollfd *fds, unsigned long n, int timeout_ms) {
  if (psx_should_fail(PSX_POLL))
    return -1;
  return PSX_CALL(PSX_POLL, psx_poll_fn)(fds, n, timeout_ms);
}

int mgm__sys_close(int fd) {
  if (psx_should_fail(PSX_CLOSE))
    return -1;
  return PSX_CALL(PSX_CLOSE, psx_close_fn)(fd);
}

int mgm__sys_pipe2(int fds[2], int flags) {
  if (psx_should_fail(PSX_PIPE2))
    return -1;
  return PSX_CALL(PSX_PIPE2, psx_pipe2_fn)(fds, flags);
}

ssize_t mgm__sys_read(int fd, void *buf, size_t len) {
  if (psx_should_fail(PSX_READ))
    return -1;
  return PSX_CALL(PSX_READ, psx_read_fn)(fd, buf, len);
}

ssize_t mgm__sys_write(int fd, const void *buf, size_t len) {
  if (psx_should_fail(PSX_WRITE))
    return -1;
  return PSX_CALL(PSX_WRITE, psx_write_fn)(fd, buf, len);
}

int mgm__sys_clock_gettime(clockid_t clk, struct timespec *ts) {
  if (psx_should_fail(PSX_CLOCK_GETTIME))
    return -1;
  return PSX_CALL(PSX_CLOCK_GETTIME, psx_clock_gettime_fn)(clk, ts);
}

ssize_t mgm__sys_recv(int fd, void *buf, size_t len, int flags) {
  if (psx_should_fail(PSX_RECV))
    return -1;
  return PSX_CALL(PSX_RECV, psx_recv_fn)(fd, buf, len, flags);
}

int mgm__sys_fcntl(int fd, int cmd, int arg) {
  if (psx_should_fail(PSX_FCNTL))
    return -1;
  return PSX_CALL(PSX_FCNTL, psx_fcntl_fn)(fd, cmd, arg);
}

int mgm__sys_sysctl(const int *name, unsigned namelen, void *oldp,
                    size_t *oldlenp, const void *newp, size_t newlen) {
  if (psx_should_fail(PSX_SYSCTL))
    return -1;
  return PSX_CALL(PSX_SYSCTL, psx_sysctl_fn)(name, namelen, oldp, oldlenp, newp,
                                             newlen);
}

pid_t mgm__sys_getpid(void) {
  if (psx_should_fail(PSX_GETPID))
    return -1;
  return PSX_CALL(PSX_GETPID, psx_getpid_fn)();
}

char *mgm__sys_if_indextoname(unsigned ifindex, char *name) {
  if (psx_should_fail(PSX_IF_INDEXTONAME))
    return NULL;
  return PSX_CALL(PSX_IF_INDEXTONAME, psx_if_indextoname_fn)(ifindex, name);
}

int mgm__sys_override(const char *name, void (*fn)(void)) {
  int idx;

  idx = psx_lookup(name);
  if (idx < 0)
    return -1;
  psx_table[idx].cur = fn != NULL ? fn : psx_table[idx].def;
  return 0;
}

int mgm__sys_fail(const char *name, unsigned nth, int err) {
  int idx;

  if (name == NULL || strcmp(name, "*") == 0)
    idx = PSX_COUNT;
  else
    idx = psx_lookup(name);
  if (idx < 0)
    return -1;
  atomic_store(&psx_fail_left, 0);
  atomic_store(&psx_fail_idx, idx);
  atomic_store(&psx_fail_err, err);
  atomic_store(&psx_fail_left, nth);
  return 0;
}

unsigned mgm__sys_faults_fired(void) {
  return atomic_load(&psx_fail_fired);
}

void mgm__sys_reset(void) {
  int i;

  atomic_store(&psx_fail_left, 0);
  for (i = 0; i < PSX_COUNT; i++)
    psx_table[i].cur = psx_table[i].def;
}
