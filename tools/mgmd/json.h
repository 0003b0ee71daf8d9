/*
 * json.h - a small JSON writer for mgmd's control-socket replies: values
 * appended to a growing buffer, commas placed automatically.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef MGMD_JSON_H
#define MGMD_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 32

struct jw {
  char *buf; /* NUL-terminated text so far */
  size_t len, cap;
  int oom; /* an allocation failed: text is cut */
  int depth;
  unsigned char first[JW_MAX_DEPTH]; /* no value yet at this depth */
  int after_key;                     /* a key was just written */
};

void jw_init(struct jw *j);
void jw_free(struct jw *j);
/* Detach the text (caller frees); NULL after an allocation failure. */
char *jw_take(struct jw *j);

void jw_obj(struct jw *j);
void jw_obj_end(struct jw *j);
void jw_arr(struct jw *j);
void jw_arr_end(struct jw *j);
void jw_key(struct jw *j, const char *k);
void jw_str(struct jw *j, const char *s); /* NULL writes null */
void jw_strf(struct jw *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void jw_u64(struct jw *j, uint64_t v);
void jw_i64(struct jw *j, int64_t v);
void jw_bool(struct jw *j, int v);
void jw_null(struct jw *j);
void jw_ip(struct jw *j, uint32_t addr_be); /* dotted quad */
/* Raw JSON text as one value (must be valid JSON). */
void jw_raw(struct jw *j, const char *text);

/* key + value shorthands */
void jw_kstr(struct jw *j, const char *k, const char *s);
void jw_ku64(struct jw *j, const char *k, uint64_t v);
void jw_kbool(struct jw *j, const char *k, int v);
void jw_kip(struct jw *j, const char *k, uint32_t addr_be);

#endif /* MGMD_JSON_H */
