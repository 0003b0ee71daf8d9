/*
 * fx_criterion.h - Criterion, or a minimal stand-in for ThreadSanitizer
 * builds.
 *
 * SPDX-License-Identifier: MIT
 *
 * The unit tests are written for Criterion.  Criterion's runner cannot
 * start under ThreadSanitizer (its inheritable arena clashes with TSan's
 * address-space layout), so with FX_STANDALONE (CMake defines it when
 * LIBMGM_SANITIZE contains "thread") this header provides the small subset
 * the tests use -- TestSuite(.init/.fini/.timeout), Test(), cr_assert*,
 * cr_skip_test -- and fx_runner.c runs every test in its own forked child
 * with an alarm as timeout, printing Criterion-like result lines.  The
 * parent never starts libmgm, so it has no threads when it forks.
 */
#ifndef LIBMGM_TEST_FX_CRITERION_H
#define LIBMGM_TEST_FX_CRITERION_H

#ifndef FX_STANDALONE

#include <criterion/criterion.h>

#else /* FX_STANDALONE */

#include <stddef.h>

struct fx_suite {
  void (*init)(void);
  void (*fini)(void);
  int timeout; /* seconds; 0 = runner default */
};

void fx_test_add(const char *suite, const char *name,
                 const struct fx_suite *cfg, void (*fn)(void));
void fx_fail_(const char *file, int line, const char *cond, const char *fmt,
              ...);

#define TestSuite(name, ...)                                                   \
  static const struct fx_suite fx_suite_##name = {__VA_ARGS__}

#define Test(suite, name, ...)                                                 \
  static void fx_t_##suite##_##name(void);                                     \
  __attribute__((constructor)) static void fx_r_##suite##_##name(void) {       \
    fx_test_add(#suite, #name, &fx_suite_##suite, fx_t_##suite##_##name);      \
  }                                                                            \
  static void fx_t_##suite##_##name(void)

/* The format, when given, must be a string literal (as in the tests). */
#define cr_assert(cond, ...)                                                   \
  ((cond) ? (void)0 : fx_fail_(__FILE__, __LINE__, #cond, "" __VA_ARGS__))
#define cr_assert_eq(a, b, ...)                                                \
  (((a) == (b)) ? (void)0                                                      \
                : fx_fail_(__FILE__, __LINE__, #a " == " #b, "" __VA_ARGS__))
#define cr_assert_neq(a, b, ...)                                               \
  (((a) != (b)) ? (void)0                                                      \
                : fx_fail_(__FILE__, __LINE__, #a " != " #b, "" __VA_ARGS__))
#define cr_assert_null(p, ...)                                                 \
  (((p) == NULL)                                                               \
       ? (void)0                                                               \
       : fx_fail_(__FILE__, __LINE__, #p " == NULL", "" __VA_ARGS__))
#define cr_assert_not_null(p, ...)                                             \
  (((p) != NULL)                                                               \
       ? (void)0                                                               \
       : fx_fail_(__FILE__, __LINE__, #p " != NULL", "" __VA_ARGS__))
#define cr_assert_fail(...)                                                    \
  fx_fail_(__FILE__, __LINE__, "failure", "" __VA_ARGS__)

#endif /* FX_STANDALONE */

#endif /* LIBMGM_TEST_FX_CRITERION_H */
