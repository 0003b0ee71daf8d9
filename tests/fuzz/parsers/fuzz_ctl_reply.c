/*
 * fuzz_ctl_reply.c - libFuzzer target: the client side of mgmd's control
 * protocol - mgmctl's JSON reader (tools/mgmctl/jsonp.c) on a reply line
 * and mgmctl's printers (render.c) on what it accepts.
 *
 * SPDX-License-Identifier: MIT
 *
 * The input is the reply text (up to its first NUL, as mgmctl reads it).
 * Invariants:
 *  - jv_parse returns a tree, or NULL with an "offset N: message" error
 *    whose offset lies within the text;
 *  - strings are terminated, containers hold n members (keys for objects);
 *  - round trip: the tree printed as JSON (mgmctl --json) parses again to
 *    the same tree (numbers compared by value);
 *  - the table printer survives the tree as the result of every request
 *    (output to /dev/null).
 */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "fz.h"
#include "mgmctl.h"

static FILE *devnull;

static void check_tree(const struct jv *v, int depth) {
  size_t i;

  FZ_CHECK(depth <= 65, "depth %d", depth);
  FZ_CHECK(v->type >= JV_NULL && v->type <= JV_OBJ, "type %d", v->type);
  if (v->type == JV_STR)
    FZ_CHECK(v->s != NULL, "string without text");
  if (v->type != JV_ARR && v->type != JV_OBJ)
    return;
  FZ_CHECK(v->n == 0 || v->items != NULL, "%zu members, no items", v->n);
  for (i = 0; i < v->n; i++) {
    if (v->type == JV_OBJ)
      FZ_CHECK(v->keys != NULL && v->keys[i] != NULL, "key %zu", i);
    check_tree(&v->items[i], depth + 1);
  }
}

/* The same tree; numbers by value (the printer writes -0 for a negative
 * underflow, which reads back as 0: equal values). */
static int same(const struct jv *a, const struct jv *b) {
  size_t i;
  int eq = a->type == b->type;

  if (eq && a->type == JV_BOOL)
    eq = a->b == b->b;
  else if (eq && a->type == JV_NUM)
    eq = a->num == b->num;
  else if (eq && a->type == JV_STR)
    eq = strcmp(a->s, b->s) == 0;
  else if (eq && (a->type == JV_ARR || a->type == JV_OBJ))
    eq = a->n == b->n;
  for (i = 0; eq && (a->type == JV_ARR || a->type == JV_OBJ) && i < a->n; i++)
    eq = (a->type == JV_ARR || strcmp(a->keys[i], b->keys[i]) == 0) &&
         same(&a->items[i], &b->items[i]);
  return eq;
}

static char *print(const struct jv *v) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);

  FZ_CHECK(f != NULL, "open_memstream");
  mgmctl_print_json(f, v);
  FZ_CHECK(fclose(f) == 0, "fclose");
  return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const reqs[][4] = {
      {"ping"},           {"version"},           {"help"},
      {"show", "status"}, {"show", "protocols"}, {"show", "interfaces"},
      {"show", "groups"}, {"show", "mfe"},       {"show", "mfe", "stats"},
      {"show", "igmp"},   {"show", "log"},       {"reload"},
      {"sim", "inject"},  {"sim", "igmp"},       {"sim", "advance"},
      {"sim", "link"},    {"frobnicate"}};
  char err[256], *text, *p1, *end;
  struct jv *v, *v2;
  unsigned long off;
  size_t i, nw;

  if (devnull == NULL)
    devnull = fopen("/dev/null", "w");
  FZ_CHECK(devnull != NULL, "/dev/null");
  text = malloc(size + 1);
  if (text == NULL)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  err[0] = '\0';
  v = jv_parse(text, err, sizeof(err));
  if (v == NULL) {
    FZ_CHECK(strncmp(err, "offset ", 7) == 0, "error '%s'", err);
    off = strtoul(err + 7, &end, 10);
    FZ_CHECK(end != err + 7 && *end == ':' && off <= strlen(text),
             "error '%s' for %zu bytes", err, strlen(text));
    free(text);
    return 0;
  }
  check_tree(v, 0);
  p1 = print(v);
  v2 = jv_parse(p1, err, sizeof(err));
  FZ_CHECK(v2 != NULL, "printed JSON does not parse (%s):\n%s", err, p1);
  FZ_CHECK(same(v, v2), "the printed JSON reads back differently:\n%s", p1);
  for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
    for (nw = 0; nw < 4 && reqs[i][nw] != NULL; nw++)
      ;
    mgmctl_render(devnull, reqs[i], (int)nw, jv_get(v, "result"));
    mgmctl_render(devnull, reqs[i], (int)nw, v);
  }
  fflush(devnull);
  free(p1);
  jv_free(v2);
  jv_free(v);
  free(text);
  return 0;
}
