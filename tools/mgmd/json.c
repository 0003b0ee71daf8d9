/*
 * json.c - the JSON writer of json.h: strings escaped per RFC 8259
 * (control characters and every byte outside printable ASCII as \u00XX,
 * so the text is always valid UTF-8), integers only, depth-tracked commas.
 *
 * SPDX-License-Identifier: MIT
 */
#include "json.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(struct jw *j, const char *s, size_t n) {
  if (j->oom)
    goto out;
  if (j->len + n + 1 > j->cap) {
    size_t cap = j->cap ? j->cap : 1024;
    char *b;

    while (cap < j->len + n + 1)
      cap *= 2;
    b = realloc(j->buf, cap);
    if (b == NULL) {
      j->oom = 1;
      goto out;
    }
    j->buf = b;
    j->cap = cap;
  }
  memcpy(j->buf + j->len, s, n);
  j->len += n;
  j->buf[j->len] = '\0';
out:
  return;
}

static void puts_(struct jw *j, const char *s) {
  put(j, s, strlen(s));
}

/* Before a value: a comma unless it is the first at this depth or follows
 * a key. */
static void sep(struct jw *j) {
  if (j->after_key) {
    j->after_key = 0;
    return;
  }
  if (j->depth > 0 && j->depth <= JW_MAX_DEPTH) {
    if (!j->first[j->depth - 1])
      put(j, ",", 1);
    j->first[j->depth - 1] = 0;
  }
}

void jw_init(struct jw *j) {
  memset(j, 0, sizeof(*j));
}

void jw_free(struct jw *j) {
  free(j->buf);
  memset(j, 0, sizeof(*j));
}

char *jw_take(struct jw *j) {
  char *s = j->oom ? NULL : j->buf;

  if (j->oom)
    free(j->buf);
  j->buf = NULL;
  j->len = j->cap = 0;
  return s;
}

static void open_(struct jw *j, char ch) {
  sep(j);
  put(j, &ch, 1);
  if (j->depth < JW_MAX_DEPTH)
    j->first[j->depth] = 1;
  j->depth++;
}

static void close_(struct jw *j, char ch) {
  if (j->depth > 0)
    j->depth--;
  put(j, &ch, 1);
}

void jw_obj(struct jw *j) {
  open_(j, '{');
}

void jw_obj_end(struct jw *j) {
  close_(j, '}');
}

void jw_arr(struct jw *j) {
  open_(j, '[');
}

void jw_arr_end(struct jw *j) {
  close_(j, ']');
}

static void quoted(struct jw *j, const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  size_t run = 0;

  put(j, "\"", 1);
  for (; p[run] != '\0';) {
    unsigned char ch = p[run];
    char esc[8];

    if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') {
      run++;
      continue;
    }
    put(j, (const char *)p, run);
    p += run;
    run = 0;
    switch (ch) {
    case '"':
      puts_(j, "\\\"");
      break;
    case '\\':
      puts_(j, "\\\\");
      break;
    case '\n':
      puts_(j, "\\n");
      break;
    case '\t':
      puts_(j, "\\t");
      break;
    case '\r':
      puts_(j, "\\r");
      break;
    default:
      snprintf(esc, sizeof(esc), "\\u%04x", ch);
      puts_(j, esc);
    }
    p++;
  }
  put(j, (const char *)p, run);
  put(j, "\"", 1);
}

void jw_key(struct jw *j, const char *k) {
  sep(j);
  quoted(j, k);
  put(j, ":", 1);
  j->after_key = 1;
}

void jw_str(struct jw *j, const char *s) {
  sep(j);
  if (s == NULL)
    puts_(j, "null");
  else
    quoted(j, s);
}

void jw_strf(struct jw *j, const char *fmt, ...) {
  char buf[512];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  jw_str(j, buf);
}

void jw_u64(struct jw *j, uint64_t v) {
  char buf[24];

  sep(j);
  snprintf(buf, sizeof(buf), "%" PRIu64, v);
  puts_(j, buf);
}

void jw_i64(struct jw *j, int64_t v) {
  char buf[24];

  sep(j);
  snprintf(buf, sizeof(buf), "%" PRId64, v);
  puts_(j, buf);
}

void jw_bool(struct jw *j, int v) {
  sep(j);
  puts_(j, v ? "true" : "false");
}

void jw_null(struct jw *j) {
  sep(j);
  puts_(j, "null");
}

void jw_ip(struct jw *j, uint32_t a) {
  const unsigned char *p = (const unsigned char *)&a;

  jw_strf(j, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
}

void jw_raw(struct jw *j, const char *text) {
  sep(j);
  puts_(j, text);
}

void jw_kstr(struct jw *j, const char *k, const char *s) {
  jw_key(j, k);
  jw_str(j, s);
}

void jw_ku64(struct jw *j, const char *k, uint64_t v) {
  jw_key(j, k);
  jw_u64(j, v);
}

void jw_kbool(struct jw *j, const char *k, int v) {
  jw_key(j, k);
  jw_bool(j, v);
}

void jw_kip(struct jw *j, const char *k, uint32_t a) {
  jw_key(j, k);
  jw_ip(j, a);
}
