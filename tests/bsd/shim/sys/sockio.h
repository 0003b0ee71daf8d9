/*
 * sys/sockio.h - test stand-in for the BSD header, so that the BSD
 * backend compiles on Linux against the fake kernel of test_backend.c
 * (tests/bsd/shim/README.md).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef MGM_TESTS_BSD_SHIM_SYS_SOCKIO_H
#define MGM_TESTS_BSD_SHIM_SYS_SOCKIO_H

/* FreeBSD's _IOWR('r', 16, struct sioc_sg_req), as a plain number. */
#define SIOCGETSGCNT 0xc0207210UL

#endif
