/*
 * check.h - the few assertion macros of mgmd's tests: every check prints
 * what it saw when it fails, the program exits 1 if any failed.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef MGMD_TEST_CHECK_H
#define MGMD_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    check_count++;                                                             \
    if (!(cond)) {                                                             \
      check_failures++;                                                        \
      fprintf(stderr, "%s:%d: FAIL: %s: ", __FILE__, __LINE__, #cond);         \
      fprintf(stderr, __VA_ARGS__);                                            \
      fputc('\n', stderr);                                                     \
    }                                                                          \
  } while (0)

static inline int check_contains(const char *hay, const char *needle) {
  return hay != NULL && strstr(hay, needle) != NULL;
}

static inline const char *check_str(const char *s) {
  return s != NULL ? s : "(null)";
}

#define CHECK_CONTAINS(hay, needle)                                            \
  CHECK(check_contains((hay), (needle)), "expected \"%s\" in \"%s\"",          \
        (needle), check_str(hay))

static int check_report(const char *name) {
  printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
  return check_failures ? 1 : 0;
}

#endif /* MGMD_TEST_CHECK_H */
