/* SPDX-License-Identifier: MIT */
/*
 * lnxtest.h - helpers shared by the Linux backend tests that run against
 * the real kernel in a private network namespace (test_backend.c,
 * test_fault_linux.c).  Failures are Criterion assertions.
 */
#ifndef MGM_TESTS_LNXTEST_H
#define MGM_TESTS_LNXTEST_H

#include <stddef.h>
#include <stdint.h>

/* Enter a private network namespace with multicast routing, or skip the
 * test (not root, no namespaces, a kernel without CONFIG_IP_MROUTE); with
 * LIBMGM_NETNS_REQUIRED=1 (tools/run-tests.sh as root) a skip fails. */
void lnx_enter_netns(void);
/* Run a shell command (printf-style); asserts that it exits 0. */
void lnx_sh(const char *fmt, ...);
/* The ifindex of an interface; asserts that it exists. */
uint32_t lnx_ifx(const char *name);
/* A dotted-quad address in network byte order. */
uint32_t lnx_ip(const char *s);
/* How many descriptors this process has open. */
int lnx_count_fds(void);
/* Read a /proc file (at most cap - 1 bytes, NUL-terminated). */
void lnx_proc_text(const char *path, char *out, size_t cap);

#endif
