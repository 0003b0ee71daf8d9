/*
 * harness.c - implementation of the conformance harness (see harness.h).
 *
 * SPDX-License-Identifier: MIT
 *
 * Counters and the context stack live in file-scope statics: the suite is
 * single-threaded by design (callbacks that libmgm delivers on its loop
 * thread have all run before the sim control call that caused them
 * returns, so the test thread never races with them).  Only the C11
 * standard library is used.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

#define HARNESS_MAX_CONTEXT 8
#define HARNESS_CONTEXT_LEN 128

static const char *h_file = "?";
static int h_line;
static int h_passed, h_failed, h_skipped, h_todo;
static int h_todo_active, h_todo_loop;
static int h_on_libmgm = 1;
static char h_context[HARNESS_MAX_CONTEXT][HARNESS_CONTEXT_LEN];
static int h_ncontext;
static const char *h_test = "?";

static const char *basename_of(const char *path) {
  const char *p = path, *q;

  for (q = path; *q; q++)
    if (*q == '/' || *q == '\\')
      p = q + 1;
  return p;
}

static void print_prefix(void) {
  int i;

  printf("%s:%d: ", basename_of(h_file), h_line);
  for (i = 0; i < h_ncontext; i++)
    printf("%s: ", h_context[i]);
}

void harness_set_location(const char *file, int line) {
  h_file = file;
  h_line = line;
}

void harness_set_libmgm(int on_libmgm) {
  h_on_libmgm = on_libmgm;
}

int harness_on_libmgm(void) {
  return h_on_libmgm;
}

void harness_ok(int condition, const char *fmt, ...) {
  va_list ap;

  if (h_todo_active) {
    if (condition) {
      print_prefix();
      printf("Test succeeded inside todo block: ");
      va_start(ap, fmt);
      vprintf(fmt, ap);
      va_end(ap);
      h_failed++;
    } else {
      print_prefix();
      printf("Test marked todo: ");
      va_start(ap, fmt);
      vprintf(fmt, ap);
      va_end(ap);
      h_todo++;
    }
    fflush(stdout);
    return;
  }
  if (condition) {
    h_passed++;
    return;
  }
  print_prefix();
  printf("Test failed: ");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  fflush(stdout);
  h_failed++;
}

void harness_skip(const char *fmt, ...) {
  va_list ap;

  print_prefix();
  printf("Tests skipped: ");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  fflush(stdout);
  h_skipped++;
}

void harness_win_skip(const char *fmt, ...) {
  va_list ap;

  print_prefix();
  if (h_on_libmgm) {
    printf("Test failed (win_skip on libmgm): ");
    h_failed++;
  } else {
    printf("Tests skipped: ");
    h_skipped++;
  }
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  fflush(stdout);
}

void harness_trace(const char *fmt, ...) {
  va_list ap;

  print_prefix();
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  fflush(stdout);
}

int harness_broken(int condition) {
  return !h_on_libmgm && condition;
}

void harness_start_todo(int active) {
  h_todo_active = active;
  h_todo_loop = 1;
}

int harness_loop_todo(void) {
  int again = h_todo_loop;

  h_todo_loop = 0;
  return again;
}

void harness_end_todo(void) {
  h_todo_active = 0;
}

void harness_push_context(const char *fmt, ...) {
  va_list ap;

  if (h_ncontext >= HARNESS_MAX_CONTEXT) {
    h_ncontext++;
    return;
  }
  va_start(ap, fmt);
  vsnprintf(h_context[h_ncontext], HARNESS_CONTEXT_LEN, fmt, ap);
  va_end(ap);
  h_ncontext++;
}

void harness_pop_context(void) {
  if (h_ncontext > 0)
    h_ncontext--;
}

void harness_run(const char *name, void (*fn)(void)) {
  int failed_before = h_failed;

  h_test = name;
  h_ncontext = 0;
  fn();
  h_ncontext = 0;
  printf("%s: %s\n", h_test, h_failed == failed_before ? "ok" : "FAILED");
  fflush(stdout);
}

int harness_summary(void) {
  if (h_todo > 0)
    printf("%d todo\n", h_todo);
  printf("%d passed, %d failed, %d skipped\n", h_passed, h_failed, h_skipped);
  fflush(stdout);
  return h_failed > 0 ? 1 : 0;
}
