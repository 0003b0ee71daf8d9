/*
 * sys/sysctl.h - test stand-in for the BSD header, so that the BSD
 * backend compiles on Linux against the fake kernel of test_backend.c
 * (tests/bsd/shim/README.md).  The backend calls sysctl through
 * mgm__sys_sysctl, which the test overrides: only the names are needed.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef MGM_TESTS_BSD_SHIM_SYS_SYSCTL_H
#define MGM_TESTS_BSD_SHIM_SYS_SYSCTL_H

#define CTL_NET 4 /* FreeBSD sys/sysctl.h */
#ifndef NET_RT_IFLIST
#define NET_RT_IFLIST 3 /* FreeBSD sys/socket.h */
#endif

#endif
