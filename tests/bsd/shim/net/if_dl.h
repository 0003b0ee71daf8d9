/*
 * net/if_dl.h - test stand-in for the BSD header, so that the BSD backend
 * compiles on Linux against the fake kernel of test_backend.c
 * (tests/bsd/shim/README.md).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef MGM_TESTS_BSD_SHIM_NET_IF_DL_H
#define MGM_TESTS_BSD_SHIM_NET_IF_DL_H

/* struct sockaddr_dl as the documented layouts have it (doc_layouts.h:
 * sdl_index at 2, sdl_nlen at 5, sdl_data at 8). */
struct sockaddr_dl {
  unsigned char sdl_len;
  unsigned char sdl_family;
  unsigned short sdl_index;
  unsigned char sdl_type;
  unsigned char sdl_nlen;
  unsigned char sdl_alen;
  unsigned char sdl_slen;
  char sdl_data[46];
};

#endif
