/*
 * jsonp.c - the JSON reader of jsonp.h: recursive descent with a depth
 * limit, strict RFC 8259 syntax, \uXXXX escapes decoded to UTF-8
 * (surrogate pairs joined; \u0000 refused).
 *
 * SPDX-License-Identifier: MIT
 */
#include "jsonp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

struct rd {
  const char *p, *start;
  char *err;
  size_t errlen;
  int failed;
};

static void fail(struct rd *r, const char *msg) {
  if (!r->failed)
    snprintf(r->err, r->errlen, "offset %zu: %s", (size_t)(r->p - r->start),
             msg);
  r->failed = 1;
}

static void ws(struct rd *r) {
  while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
    r->p++;
}

static int value(struct rd *r, struct jv *v, int depth);

static int hex4(const char *p, unsigned *out) {
  unsigned v = 0;
  int i, rc = 0;

  for (i = 0; i < 4 && rc == 0; i++) {
    char c = p[i];

    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= (unsigned)(c - 'A' + 10);
    else
      rc = -1;
  }
  *out = v;
  return rc;
}

static size_t utf8(unsigned cp, char *o) {
  size_t n;

  if (cp < 0x80) {
    o[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    o[0] = (char)(0xC0 | (cp >> 6));
    o[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    o[0] = (char)(0xE0 | (cp >> 12));
    o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  return n;
}

/* One \uXXXX escape (and its low surrogate) at r->p ('u'); appends the
 * UTF-8 bytes at *o. */
static int unicode(struct rd *r, char **o) {
  unsigned cp, lo;
  int rc = -1;

  if (hex4(r->p + 1, &cp) != 0) {
    fail(r, "bad \\u escape");
    goto out;
  }
  r->p += 4;
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    if (r->p[1] != '\\' || r->p[2] != 'u' || hex4(r->p + 3, &lo) != 0 ||
        lo < 0xDC00 || lo > 0xDFFF) {
      fail(r, "unpaired surrogate");
      goto out;
    }
    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    r->p += 6;
  } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
    fail(r, "unpaired surrogate");
    goto out;
  }
  if (cp == 0) {
    fail(r, "\\u0000 is not supported");
    goto out;
  }
  *o += utf8(cp, *o);
  rc = 0;
out:
  return rc;
}

static char *string(struct rd *r) {
  static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
  const char *q, *e;
  char *out, *o;
  size_t n = 0;
  int ok = 0;

  /* the decoded text is never longer than the source */
  for (q = r->p + 1; *q && *q != '"'; q++, n++)
    if (*q == '\\' && q[1])
      q++, n++;
  out = malloc(n + 1);
  if (out == NULL) {
    fail(r, "out of memory");
    goto out;
  }
  o = out;
  r->p++;
  for (;;) {
    unsigned char c = (unsigned char)*r->p;

    if (c == '\0') {
      fail(r, "unterminated string");
      goto out;
    }
    if (c == '"') {
      r->p++;
      break;
    }
    if (c < 0x20) {
      fail(r, "control character in a string");
      goto out;
    }
    if (c != '\\') {
      *o++ = (char)c;
      r->p++;
      continue;
    }
    r->p++;
    if (*r->p == 'u') {
      if (unicode(r, &o) != 0)
        goto out;
    } else if (*r->p != '\0' && (e = strchr(esc_in, *r->p)) != NULL) {
      *o++ = esc_out[e - esc_in];
    } else {
      fail(r, "bad escape");
      goto out;
    }
    r->p++;
  }
  *o = '\0';
  ok = 1;
out:
  if (!ok) {
    free(out);
    out = NULL;
  }
  return out;
}

static int digits(const char **q) {
  int n = 0;

  while (**q >= '0' && **q <= '9') {
    (*q)++;
    n++;
  }
  return n;
}

static int number(struct rd *r, struct jv *v) {
  const char *q = r->p, *what = "bad number";
  int rc = -1;

  if (*q == '-')
    q++;
  if (*q == '0')
    q++;
  else if (!(*q >= '1' && *q <= '9') || digits(&q) == 0)
    goto out;
  if (*q == '.') {
    q++;
    if (digits(&q) == 0)
      goto out;
  }
  if (*q == 'e' || *q == 'E') {
    q++;
    if (*q == '+' || *q == '-')
      q++;
    if (digits(&q) == 0)
      goto out;
  }
  v->type = JV_NUM;
  v->num = strtod(r->p, NULL);
  v->i = strtoll(r->p, NULL, 10);
  if (!isfinite(v->num)) { /* RFC 8259 6: beyond what a double holds */
    what = "number out of range";
    goto out;
  }
  r->p = q;
  rc = 0;
out:
  if (rc != 0)
    fail(r, what);
  return rc;
}

static int push(struct rd *r, struct jv *v, size_t *cap) {
  int rc = -1;

  if (v->n == *cap) {
    size_t c = *cap ? *cap * 2 : 8;
    struct jv *items = realloc(v->items, c * sizeof(*items));
    char **keys;

    if (items == NULL)
      goto out;
    v->items = items;
    if (v->type == JV_OBJ) {
      keys = realloc(v->keys, c * sizeof(*keys));
      if (keys == NULL)
        goto out;
      v->keys = keys;
    }
    *cap = c;
  }
  memset(&v->items[v->n], 0, sizeof(v->items[0]));
  if (v->type == JV_OBJ)
    v->keys[v->n] = NULL;
  v->n++;
  rc = 0;
out:
  if (rc != 0)
    fail(r, "out of memory");
  return rc;
}

/* One "key": of an object member. */
static int member_key(struct rd *r, struct jv *v) {
  int rc = -1;

  ws(r);
  if (*r->p != '"') {
    fail(r, "expected a key");
    goto out;
  }
  v->keys[v->n - 1] = string(r);
  if (v->keys[v->n - 1] == NULL)
    goto out;
  ws(r);
  if (*r->p != ':') {
    fail(r, "expected ':'");
    goto out;
  }
  r->p++;
  rc = 0;
out:
  return rc;
}

static int container(struct rd *r, struct jv *v, int depth) {
  int obj = *r->p == '{', rc = -1;
  char close = obj ? '}' : ']';
  size_t cap = 0;

  v->type = obj ? JV_OBJ : JV_ARR;
  if (depth >= MAX_DEPTH) {
    fail(r, "nested too deeply");
    goto out;
  }
  r->p++;
  ws(r);
  if (*r->p == close) {
    r->p++;
    rc = 0;
    goto out;
  }
  for (;;) {
    if (push(r, v, &cap) != 0 || (obj && member_key(r, v) != 0) ||
        value(r, &v->items[v->n - 1], depth + 1) != 0)
      goto out;
    ws(r);
    if (*r->p == ',') {
      r->p++;
      continue;
    }
    if (*r->p != close) {
      fail(r, obj ? "expected ',' or '}'" : "expected ',' or ']'");
      goto out;
    }
    r->p++;
    break;
  }
  rc = 0;
out:
  return rc;
}

static int literal(struct rd *r, struct jv *v) {
  static const struct {
    const char *text;
    enum jv_type type;
    int b;
  } lits[] = {
      {"true", JV_BOOL, 1}, {"false", JV_BOOL, 0}, {"null", JV_NULL, 0}};
  size_t i;
  int rc = -1;

  for (i = 0; i < sizeof(lits) / sizeof(lits[0]) && rc != 0; i++)
    if (strncmp(r->p, lits[i].text, strlen(lits[i].text)) == 0) {
      v->type = lits[i].type;
      v->b = lits[i].b;
      r->p += strlen(lits[i].text);
      rc = 0;
    }
  if (rc != 0)
    fail(r, *r->p ? "unexpected character" : "unexpected end of text");
  return rc;
}

static int value(struct rd *r, struct jv *v, int depth) {
  int rc;

  ws(r);
  if (*r->p == '{' || *r->p == '[') {
    rc = container(r, v, depth);
  } else if (*r->p == '"') {
    v->type = JV_STR;
    v->s = string(r);
    rc = v->s ? 0 : -1;
  } else if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9')) {
    rc = number(r, v);
  } else {
    rc = literal(r, v);
  }
  return rc;
}

static void clear(struct jv *v) {
  size_t i;

  if (v->type == JV_ARR || v->type == JV_OBJ) {
    for (i = 0; i < v->n; i++) {
      clear(&v->items[i]);
      if (v->keys)
        free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
  }
  free(v->s);
}

struct jv *jv_parse(const char *text, char *err, size_t errlen) {
  struct rd r = {text, text, err, errlen, 0};
  struct jv *v = calloc(1, sizeof(*v));

  if (v == NULL) {
    snprintf(err, errlen, "out of memory");
    goto out;
  }
  if (value(&r, v, 0) == 0) {
    ws(&r);
    if (*r.p != '\0')
      fail(&r, "text after the value");
  }
  if (r.failed) {
    jv_free(v);
    v = NULL;
  }
out:
  return v;
}

void jv_free(struct jv *v) {
  if (v == NULL)
    return;
  clear(v);
  free(v);
}

const struct jv *jv_get(const struct jv *obj, const char *key) {
  const struct jv *found = NULL;
  size_t i;

  for (i = 0; obj && obj->type == JV_OBJ && i < obj->n && !found; i++)
    if (obj->keys[i] && strcmp(obj->keys[i], key) == 0)
      found = &obj->items[i];
  return found;
}

const struct jv *jv_at(const struct jv *arr, size_t i) {
  return arr && arr->type == JV_ARR && i < arr->n ? &arr->items[i] : NULL;
}

size_t jv_len(const struct jv *arr) {
  return arr && (arr->type == JV_ARR || arr->type == JV_OBJ) ? arr->n : 0;
}

const char *jv_str(const struct jv *v, const char *def) {
  return v && v->type == JV_STR ? v->s : def;
}

int64_t jv_int(const struct jv *v, int64_t def) {
  return v && v->type == JV_NUM ? v->i : def;
}

int jv_bool(const struct jv *v, int def) {
  return v && v->type == JV_BOOL ? v->b : def;
}

const struct jv *jv_path(const struct jv *v, const char *path) {
  char key[128];
  const char *dot;

  while (v != NULL && *path) {
    size_t n;

    dot = strchr(path, '.');
    n = dot ? (size_t)(dot - path) : strlen(path);
    if (n >= sizeof(key)) {
      v = NULL;
      break;
    }
    memcpy(key, path, n);
    key[n] = '\0';
    v = jv_get(v, key);
    path = dot ? dot + 1 : path + n;
  }
  return v;
}
