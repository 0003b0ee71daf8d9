/*
 * fz.h - shared helpers of the parser fuzz targets (tests/fuzz/parsers):
 * the invariant check that reports and aborts, a byte sink that makes the
 * harness read every byte a parser hands back (so ASan sees an
 * out-of-bounds pointer at once), and a little-endian reader of the
 * fuzzer's input.
 *
 * SPDX-License-Identifier: MIT
 *
 * An invariant that does not hold prints "FUZZ INVARIANT" with the file,
 * line and condition, then abort()s: libFuzzer saves the input as a crash
 * and run.sh / regress.sh report it.
 */
#ifndef MGM_FUZZ_PARSERS_FZ_H
#define MGM_FUZZ_PARSERS_FZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond, ...)                                                    \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "FUZZ INVARIANT %s:%d: %s: ", __FILE__, __LINE__,        \
              #cond);                                                          \
      fprintf(stderr, __VA_ARGS__);                                            \
      fputc('\n', stderr);                                                     \
      abort();                                                                 \
    }                                                                          \
  } while (0)

/* p lies in [lo, lo + n] and p + len does not pass lo + n. */
static inline int fz_within(const void *lo, size_t n, const void *p,
                            size_t len) {
  const uint8_t *b = lo, *q = p;

  return q >= b && q <= b + n && len <= (size_t)(b + n - q);
}

/* Read every byte (ASan checks each access). */
static volatile uint8_t fz_sink;
static inline void fz_touch(const void *p, size_t n) {
  const uint8_t *b = p;
  uint8_t x = 0;
  size_t i;

  for (i = 0; i < n; i++)
    x ^= b[i];
  fz_sink ^= x;
}

/* A cursor over the input; reads past the end yield zeros. */
struct fz_in {
  const uint8_t *p;
  size_t n, off;
};

static inline uint8_t fz_u8(struct fz_in *in) {
  return in->off < in->n ? in->p[in->off++] : 0;
}

static inline uint16_t fz_u16(struct fz_in *in) {
  uint16_t lo = fz_u8(in);

  return (uint16_t)(lo | (uint16_t)fz_u8(in) << 8);
}

static inline uint32_t fz_u32(struct fz_in *in) {
  uint32_t lo = fz_u16(in);

  return lo | (uint32_t)fz_u16(in) << 16;
}

#endif /* MGM_FUZZ_PARSERS_FZ_H */
