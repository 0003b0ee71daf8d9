/*
 * fx_runner.c - the test runner behind fx_criterion.h's stand-in mode
 * (FX_STANDALONE, ThreadSanitizer builds).
 *
 * SPDX-License-Identifier: MIT
 *
 * Tests register themselves from constructors.  main() runs each one in a
 * forked child (init, body, fini; an alarm enforces the suite timeout),
 * prints "[PASS]"/"[FAIL]" lines and a Criterion-like synthesis, and exits
 * non-zero when any test failed.  Options: --filter SUITE/NAME-prefix;
 * Criterion's --jobs/--timeout are accepted and ignored.
 */
#include "fx_criterion.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FX_MAX_TESTS 256

struct fx_test {
  const char *suite, *name;
  const struct fx_suite *cfg;
  void (*fn)(void);
};

static struct fx_test fx_tests[FX_MAX_TESTS];
static int fx_ntests;

void fx_test_add(const char *suite, const char *name,
                 const struct fx_suite *cfg, void (*fn)(void)) {
  if (fx_ntests < FX_MAX_TESTS) {
    fx_tests[fx_ntests].suite = suite;
    fx_tests[fx_ntests].name = name;
    fx_tests[fx_ntests].cfg = cfg;
    fx_tests[fx_ntests].fn = fn;
    fx_ntests++;
  }
}

void fx_fail_(const char *file, int line, const char *cond, const char *fmt,
              ...) {
  va_list ap;

  fprintf(stderr, "[----] %s:%d: Assertion Failed: %s\n[----]   ", file, line,
          cond);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n");
  fflush(stderr);
  _exit(1);
}

static int fx_run_one(const struct fx_test *t) {
  pid_t pid;
  int status = 0;

  fflush(stdout);
  fflush(stderr);
  pid = fork();
  if (pid < 0) {
    perror("fork");
    return 0;
  }
  if (pid == 0) {
    alarm((unsigned)(t->cfg->timeout > 0 ? t->cfg->timeout : 60));
    if (t->cfg->init)
      t->cfg->init();
    t->fn();
    if (t->cfg->fini)
      t->cfg->fini();
    fflush(stdout);
    fflush(stderr);
    _exit(0);
  }
  if (waitpid(pid, &status, 0) < 0) {
    perror("waitpid");
    return 0;
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return 1;
  if (WIFSIGNALED(status))
    fprintf(stderr, "[----] %s::%s: killed by signal %d%s\n", t->suite, t->name,
            WTERMSIG(status), WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
  return 0;
}

int main(int argc, char **argv) {
  const char *filter = NULL;
  char full[256];
  int i, passed = 0, failed = 0, ran = 0;

  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc)
      filter = argv[++i];
    else if (strncmp(argv[i], "--filter=", 9) == 0)
      filter = argv[i] + 9;
  }
  for (i = 0; i < fx_ntests; i++) {
    snprintf(full, sizeof full, "%s/%s", fx_tests[i].suite, fx_tests[i].name);
    if (filter != NULL && strncmp(full, filter, strcspn(filter, "*")) != 0)
      continue;
    ran++;
    if (fx_run_one(&fx_tests[i])) {
      passed++;
      printf("[PASS] %s::%s\n", fx_tests[i].suite, fx_tests[i].name);
    } else {
      failed++;
      printf("[FAIL] %s::%s\n", fx_tests[i].suite, fx_tests[i].name);
    }
  }
  printf("[====] Synthesis: Tested: %d | Passing: %d | Failing: %d\n", ran,
         passed, failed);
  return failed > 0 ? 1 : 0;
}
