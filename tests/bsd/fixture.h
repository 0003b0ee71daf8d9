/*
 * fixture.h - byte-writing helpers for the BSD message fixtures.
 *
 * SPDX-License-Identifier: MIT
 *
 * Fixtures are written with literal offsets taken from the BSD headers
 * (each test says which field it writes), not through the layout structs
 * under test, so a wrong layout and a wrong parser cannot agree by
 * accident.  Multi-byte header fields are host order, like the kernel's;
 * the literals assume a little-endian host (x86-64, like the layouts).
 */
#ifndef MGM_TESTS_BSD_FIXTURE_H
#define MGM_TESTS_BSD_FIXTURE_H

#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the BSD fixtures are written for a little-endian host"
#endif

static inline void fx_u16(uint8_t *b, size_t off, uint16_t v) {
  memcpy(b + off, &v, sizeof(v));
}

static inline void fx_u32(uint8_t *b, size_t off, uint32_t v) {
  memcpy(b + off, &v, sizeof(v));
}

static inline uint16_t fx_get16(const uint8_t *b, size_t off) {
  uint16_t v;

  memcpy(&v, b + off, sizeof(v));
  return v;
}

static inline uint32_t fx_get32(const uint8_t *b, size_t off) {
  uint32_t v;

  memcpy(&v, b + off, sizeof(v));
  return v;
}

/* An IPv4 address in network order from its dotted parts. */
static inline uint32_t fx_ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  uint8_t q[4] = {a, b, c, d};
  uint32_t v;

  memcpy(&v, q, 4);
  return v;
}

static inline size_t fx_round(size_t len, size_t unit) {
  return len == 0 ? unit : (len + unit - 1) / unit * unit;
}

/* struct sockaddr_in (sin_len, sin_family AF_INET 2, port, addr at 4),
 * cut to sa_len bytes; returns the offset after its rounded room. */
static inline size_t fx_sin(uint8_t *b, size_t off, uint8_t sa_len,
                            uint8_t family, uint32_t addr, size_t unit) {
  uint8_t full[16];

  memset(full, 0, sizeof(full));
  full[0] = sa_len;
  full[1] = family;
  memcpy(full + 4, &addr, 4);
  memcpy(b + off, full, sa_len < 16 ? sa_len : 16);
  return off + fx_round(sa_len, unit);
}

/* struct sockaddr_dl: len, family AF_LINK 18, index (u16 at 2), type at
 * 4, nlen at 5, alen at 6, slen at 7, name then a 6-byte address at 8. */
static inline size_t fx_sdl(uint8_t *b, size_t off, uint16_t index,
                            const char *name, size_t unit) {
  size_t nlen = strlen(name);
  uint8_t len = (uint8_t)(8 + nlen + 6);

  b[off] = len;
  b[off + 1] = 18;
  fx_u16(b, off + 2, index);
  b[off + 4] = 6; /* IFT_ETHER */
  b[off + 5] = (uint8_t)nlen;
  b[off + 6] = 6;
  b[off + 7] = 0;
  memcpy(b + off + 8, name, nlen);
  memcpy(b + off + 8 + nlen, "\x02\x00\x5e\x00\x53\x01", 6);
  return off + fx_round(len, unit);
}

#endif /* MGM_TESTS_BSD_FIXTURE_H */
