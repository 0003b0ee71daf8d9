/*
 * sys.h - the overridable system-call table of the POSIX backends.
 *
 * SPDX-License-Identifier: MIT
 *
 * Every system call a kernel backend (linux, bsd) makes goes through one of
 * the mgm__sys_* wrappers below instead of calling libc directly.  The
 * wrappers look the call up in a table of named entries (the SQLite VFS
 * "aSyscall" model), so a test can
 *
 *   - replace one call by its own function (mgm__sys_override), e.g. to
 *     return canned netlink replies, or
 *   - make the N-th next call of a given name (or of any name) fail with a
 *     chosen errno (mgm__sys_fail), e.g. ENOBUFS from setsockopt, ENOMEM
 *     from socket or EADDRINUSE from MRT_INIT,
 *
 * and so drive the real backend through its error paths.  In production
 * the table holds libc's functions and the fault hook is a single relaxed
 * atomic load per call.  Calls a system lacks (recvmmsg, sysctl) fail
 * with ENOSYS unless overridden; pipe2 falls back to pipe and fcntl.  The
 * CMake probes say which exist (HAVE_PIPE2, HAVE_RECVMMSG, HAVE_SYSCTL).
 */
#ifndef MGM_POSIX_SYS_H
#define MGM_POSIX_SYS_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <time.h>

/* Names accepted by mgm__sys_override / mgm__sys_fail. */
#define MGM_SYS_SOCKET "socket"
#define MGM_SYS_SETSOCKOPT "setsockopt"
#define MGM_SYS_GETSOCKOPT "getsockopt"
#define MGM_SYS_IOCTL "ioctl"
#define MGM_SYS_BIND "bind"
#define MGM_SYS_GETSOCKNAME "getsockname"
#define MGM_SYS_RECVMSG "recvmsg"
#define MGM_SYS_RECVMMSG "recvmmsg"
#define MGM_SYS_SENDTO "sendto"
#define MGM_SYS_SENDMSG "sendmsg"
#define MGM_SYS_POLL "poll"
#define MGM_SYS_CLOSE "close"
#define MGM_SYS_PIPE2 "pipe2"
#define MGM_SYS_READ "read"
#define MGM_SYS_WRITE "write"
#define MGM_SYS_CLOCK_GETTIME "clock_gettime"
#define MGM_SYS_RECV "recv"
#define MGM_SYS_FCNTL "fcntl"
#define MGM_SYS_SYSCTL "sysctl"
#define MGM_SYS_GETPID "getpid"
#define MGM_SYS_IF_INDEXTONAME "if_indextoname"

struct pollfd;
struct mmsghdr;

int mgm__sys_socket(int domain, int type, int protocol);
int mgm__sys_setsockopt(int fd, int level, int name, const void *val,
                        socklen_t len);
int mgm__sys_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int mgm__sys_ioctl(int fd, unsigned long req, void *arg);
int mgm__sys_bind(int fd, const struct sockaddr *sa, socklen_t len);
int mgm__sys_getsockname(int fd, struct sockaddr *sa, socklen_t *len);
ssize_t mgm__sys_recvmsg(int fd, struct msghdr *msg, int flags);
/* recvmmsg(2) without a timeout: up to n datagrams in one call. */
int mgm__sys_recvmmsg(int fd, struct mmsghdr *v, unsigned n, int flags);
ssize_t mgm__sys_sendto(int fd, const void *buf, size_t len, int flags,
                        const struct sockaddr *sa, socklen_t salen);
ssize_t mgm__sys_sendmsg(int fd, const struct msghdr *msg, int flags);
int mgm__sys_poll(struct pollfd *fds, unsigned long n, int timeout_ms);
int mgm__sys_close(int fd);
int mgm__sys_pipe2(int fds[2], int flags);
ssize_t mgm__sys_read(int fd, void *buf, size_t len);
ssize_t mgm__sys_write(int fd, const void *buf, size_t len);
int mgm__sys_clock_gettime(clockid_t clk, struct timespec *ts);
ssize_t mgm__sys_recv(int fd, void *buf, size_t len, int flags);
/* fcntl(2) with an int argument (F_GETFL, F_SETFL, F_GETFD, F_SETFD). */
int mgm__sys_fcntl(int fd, int cmd, int arg);
/* BSD sysctl(3); fails with ENOSYS where the system has none. */
int mgm__sys_sysctl(const int *name, unsigned namelen, void *oldp,
                    size_t *oldlenp, const void *newp, size_t newlen);
pid_t mgm__sys_getpid(void);
/* if_indextoname(3): name (IF_NAMESIZE bytes) or NULL with errno set. */
char *mgm__sys_if_indextoname(unsigned ifindex, char *name);

/* Replace the named call by fn (a function with the wrapper's prototype);
 * fn == NULL restores libc's.  Returns 0, or -1 for an unknown name.
 * Not thread-safe against calls in flight: set overrides while the backend
 * is idle (tests do it before libmgm_start or between operations). */
int mgm__sys_override(const char *name, void (*fn)(void));

/* Make the nth next call (1 = the very next) of `name` fail with errno
 * `err` and return -1, once.  name NULL or "*" counts calls of every name.
 * nth 0 disarms.  Returns 0, or -1 for an unknown name.  One fault can be
 * armed at a time; arming replaces the previous one. */
int mgm__sys_fail(const char *name, unsigned nth, int err);

/* Number of faults fired since start (tests assert the hook was reached). */
unsigned mgm__sys_faults_fired(void);

/* Restore every default and disarm the fault. */
void mgm__sys_reset(void);

#endif /* MGM_POSIX_SYS_H */
