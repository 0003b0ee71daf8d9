/*
 * jsonp.h - a small JSON reader (RFC 8259) for mgmctl and the tests: the
 * whole text parsed into a tree of values, with look-up helpers.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef MGMCTL_JSONP_H
#define MGMCTL_JSONP_H

#include <stddef.h>
#include <stdint.h>

enum jv_type { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

struct jv {
  enum jv_type type;
  int b;            /* JV_BOOL */
  double num;       /* JV_NUM */
  int64_t i;        /* JV_NUM: integer value (truncated if not integral) */
  char *s;          /* JV_STR, NUL-terminated (\u0000 is rejected) */
  size_t n;         /* JV_ARR, JV_OBJ: number of members */
  struct jv *items; /* JV_ARR, JV_OBJ */
  char **keys;      /* JV_OBJ */
};

/* Parse text; NULL with err filled on error ("offset N: message").
 * Nesting deeper than 64 levels is an error. */
struct jv *jv_parse(const char *text, char *err, size_t errlen);
void jv_free(struct jv *v);

/* Look-ups: NULL (or the default) when absent or of another type. */
const struct jv *jv_get(const struct jv *obj, const char *key);
const struct jv *jv_at(const struct jv *arr, size_t i);
size_t jv_len(const struct jv *arr);
const char *jv_str(const struct jv *v, const char *def);
int64_t jv_int(const struct jv *v, int64_t def);
int jv_bool(const struct jv *v, int def);
/* Path look-up: "result.mfes" (dots separate object keys). */
const struct jv *jv_path(const struct jv *v, const char *path);

#endif /* MGMCTL_JSONP_H */
