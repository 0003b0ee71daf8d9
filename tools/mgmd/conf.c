/*
 * conf.c - parser of mgmd's line-based configuration format (reference in
 * tools/mgmd/README.md) and the built-in default configuration.
 *
 * SPDX-License-Identifier: MIT
 *
 * One statement per line, words separated by blanks, '#' starts a comment,
 * "[section]" headers.  The parser stops at the first error and reports it
 * as "SOURCE:LINE: message".  It checks syntax, value ranges and the
 * references it can see (route and [igmp] interfaces against [sim] on the
 * sim backend); plug-in sections are handed to the plug-ins.
 */
#define _POSIX_C_SOURCE 200809L

#include "conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmd_plugin.h"

#define MAX_WORDS 16

const char mgmd_conf_builtin[] =
    "# mgmd built-in configuration (used when no file is given).\n"
    "# An IGMP router on every up, multicast-capable, non-loopback\n"
    "# interface with an IPv4 address; MGM forwards between them.\n"
    "backend linux\n"
    "\n"
    "# Used only with --backend sim: three simulated interfaces.\n"
    "[sim]\n"
    "interface up0  1 10.1.0.254/16\n"
    "interface lan1 2 10.2.0.254/24\n"
    "interface lan2 3 10.3.0.254/24\n"
    "route 10.1.0.0/16 up0\n"
    "\n"
    "[igmp]\n"
    "interface *\n";

enum section { SEC_GLOBAL, SEC_SIM, SEC_IGMP, SEC_PROTO };

struct parser {
  struct mgmd_conf *c;
  const char *src;
  unsigned line;
  enum section sec;
  struct mgmd_conf_proto *proto; /* current [protocol] section */
  size_t args_len, args_cap;     /* of proto->args */
  char *err;
  size_t errlen;
};

static int fail(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...) {
  va_list ap;
  int n;

  n = snprintf(p->err, p->errlen, "%s:%u: ", p->src, p->line);
  if (n >= 0 && (size_t)n < p->errlen) {
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
  }
  return -1;
}

int mgmd_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out) {
  unsigned long long v;
  char *end;
  int rc = -1;

  if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
    goto out;
  errno = 0;
  v = strtoull(s, &end, 0);
  if (errno != 0 || *end != '\0' || v < min || v > max)
    goto out;
  *out = (uint32_t)v;
  rc = 0;
out:
  return rc;
}

int mgmd_parse_ipv4(const char *s, uint32_t *out) {
  struct in_addr a;
  int rc = inet_pton(AF_INET, s, &a) == 1 ? 0 : -1;

  if (rc == 0)
    *out = a.s_addr;
  return rc;
}

int mgmd_parse_prefix(const char *s, uint32_t *net, uint32_t *plen) {
  char buf[32];
  const char *slash = strchr(s, '/');
  size_t n = slash ? (size_t)(slash - s) : 0;
  int rc = -1;

  if (n == 0 || n >= sizeof(buf) || slash[1] < '0' || slash[1] > '9')
    goto out;
  memcpy(buf, s, n);
  buf[n] = '\0';
  if (mgmd_parse_ipv4(buf, net) == 0)
    rc = mgmd_parse_u32(slash + 1, 0, 32, plen);
out:
  return rc;
}

static uint32_t mask_of(uint32_t plen) {
  return plen == 0 ? 0 : htonl(0xFFFFFFFFu << (32 - plen));
}

static int parse_bool(const char *s, int *out) {
  int rc = 0;

  if (strcmp(s, "on") == 0 || strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 ||
      strcmp(s, "1") == 0)
    *out = 1;
  else if (strcmp(s, "off") == 0 || strcmp(s, "no") == 0 ||
           strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
    *out = 0;
  else
    rc = -1;
  return rc;
}

static int valid_name(const char *s) {
  size_t n = strlen(s);
  size_t i;
  int ok = n > 0 && n < MGMD_NAME_MAX;

  for (i = 0; i < n && ok; i++) {
    unsigned char ch = (unsigned char)s[i];

    ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
         (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' ||
         ch == ':' || ch == '@';
  }
  return ok;
}

/* A group name as useradd takes it (letters, digits, '_', '-', '.', not
 * starting with '-'), or a number; looked up only when mgmd starts. */
static int valid_group(const char *s) {
  size_t n = strlen(s);
  size_t i;
  int ok = n > 0 && n < MGMD_NAME_MAX && s[0] != '-';

  for (i = 0; i < n && ok; i++) {
    unsigned char ch = (unsigned char)s[i];

    ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
         (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
  }
  return ok;
}

static int copy_str(struct parser *p, char *dst, size_t cap, const char *s,
                    const char *what) {
  size_t n = strlen(s);
  int rc = 0;

  if (n >= cap)
    rc = fail(p, "%s is too long (at most %zu characters)", what, cap - 1);
  else
    memcpy(dst, s, n + 1);
  return rc;
}

static void *grow(void *v, size_t n, size_t size) {
  /* One more element; the vectors are small, so grow by one slot. */
  return realloc(v, (n + 1) * size);
}

static int want_args(struct parser *p, int nw, char **w, int min, int max,
                     const char *usage) {
  return nw < min || nw > max ? fail(p, "usage: %s", usage) : 0;
}

static int bad_value(struct parser *p, const char *kw, const char *v,
                     const char *expect) {
  return fail(p, "%s: invalid value '%s' (expected %s)", kw, v, expect);
}

/* ---- global statements --------------------------------------------------- */

static int global_stmt(struct parser *p, int nw, char **w) {
  struct mgmd_conf *c = p->c;
  const char *kw = w[0];
  uint32_t v;
  int rc = 0;

  if (strcmp(kw, "backend") == 0) {
    if ((rc = want_args(p, nw, w, 2, 2, "backend linux|bsd|sim")) != 0)
      goto out;
    if (strcmp(w[1], "linux") != 0 && strcmp(w[1], "bsd") != 0 &&
        strcmp(w[1], "sim") != 0) {
      rc = bad_value(p, kw, w[1], "linux, bsd or sim");
      goto out;
    }
    snprintf(c->backend, sizeof(c->backend), "%s", w[1]);
  } else if (strcmp(kw, "table") == 0) {
    if ((rc = want_args(p, nw, w, 2, 2, "table NUMBER")) != 0)
      goto out;
    if (mgmd_parse_u32(w[1], 0, 0xFFFFFFFEu, &v) != 0) {
      rc = bad_value(p, kw, w[1], "a table number");
      goto out;
    }
    c->table = v;
  } else if (strcmp(kw, "mfe-lifetime") == 0) {
    if ((rc = want_args(p, nw, w, 2, 2, "mfe-lifetime SECONDS")) != 0)
      goto out;
    if (mgmd_parse_u32(w[1], 1, 86400 * 365, &v) != 0) {
      rc = bad_value(p, kw, w[1], "seconds, 1 to 31536000");
      goto out;
    }
    c->mfe_lifetime_s = v;
  } else if (strcmp(kw, "strict") == 0 || strcmp(kw, "wrongif-alerts") == 0) {
    int b;

    if ((rc = want_args(p, nw, w, 2, 2, "strict|wrongif-alerts on|off")) != 0)
      goto out;
    if (parse_bool(w[1], &b) != 0) {
      rc = bad_value(p, kw, w[1], "on or off");
      goto out;
    }
    if (kw[0] == 's')
      c->strict = b;
    else
      c->wrongif_alerts = b;
  } else if (strcmp(kw, "libmgm-log") == 0) {
    if ((rc = want_args(p, nw, w, 2, 2, "libmgm-log SPEC")) != 0)
      goto out;
    rc = copy_str(p, c->libmgm_log, sizeof(c->libmgm_log), w[1], "libmgm-log");
  } else if (strcmp(kw, "log-level") == 0) {
    static const char *const names[] = {"error", "warn", "info", "debug"};
    static const int levels[] = {MGMD_LOG_ERROR, MGMD_LOG_WARN, MGMD_LOG_INFO,
                                 MGMD_LOG_DEBUG};
    size_t i;

    if ((rc = want_args(p, nw, w, 2, 2, "log-level error|warn|info|debug")))
      goto out;
    for (i = 0; i < 4; i++)
      if (strcmp(w[1], names[i]) == 0)
        break;
    if (i == 4) {
      rc = bad_value(p, kw, w[1], "error, warn, info or debug");
      goto out;
    }
    c->log_level = levels[i];
  } else if (strcmp(kw, "socket") == 0 || strcmp(kw, "pidfile") == 0) {
    if ((rc = want_args(p, nw, w, 2, 2, "socket|pidfile PATH")) != 0)
      goto out;
    rc = copy_str(p, kw[0] == 's' ? c->socket : c->pidfile, MGMD_PATH_MAX, w[1],
                  kw);
  } else if (strcmp(kw, "socket-group") == 0) {
    if ((rc = want_args(p, nw, w, 2, 2, "socket-group GROUP")) != 0)
      goto out;
    if (!valid_group(w[1])) {
      rc = bad_value(p, kw, w[1], "a group name or number");
      goto out;
    }
    snprintf(c->socket_group, sizeof(c->socket_group), "%s", w[1]);
  } else {
    rc = fail(p, "unknown statement '%s' (global section)", kw);
  }
out:
  return rc;
}

/* ---- [sim] --------------------------------------------------------------- */

static int sim_stmt(struct parser *p, int nw, char **w) {
  struct mgmd_conf *c = p->c;
  int rc = 0;
  size_t i;

  if (strcmp(w[0], "interface") == 0) {
    struct mgmd_conf_simif f;

    memset(&f, 0, sizeof(f));
    if ((rc = want_args(p, nw, w, 4, 5,
                        "interface NAME INDEX ADDRESS/LENGTH [down]")) != 0)
      goto out;
    if (!valid_name(w[1]) || strcmp(w[1], "*") == 0) {
      rc = bad_value(p, "interface", w[1], "a name of letters, digits, -_.:@");
      goto out;
    }
    snprintf(f.name, sizeof(f.name), "%s", w[1]);
    if (mgmd_parse_u32(w[2], 1, 0x7FFFFFFF, &f.ifindex) != 0) {
      rc = bad_value(p, "interface", w[2], "an interface index >= 1");
      goto out;
    }
    if (mgmd_parse_prefix(w[3], &f.addr, &f.prefixlen) != 0) {
      rc = bad_value(p, "interface", w[3], "ADDRESS/LENGTH, e.g. 10.1.0.1/24");
      goto out;
    }
    f.up = 1;
    if (nw == 5) {
      if (strcmp(w[4], "down") != 0 && strcmp(w[4], "up") != 0) {
        rc = bad_value(p, "interface", w[4], "up or down");
        goto out;
      }
      f.up = w[4][0] == 'u';
    }
    for (i = 0; i < c->n_simifs; i++) {
      if (strcmp(c->simifs[i].name, f.name) == 0) {
        rc = fail(p, "interface %s already defined at line %u", f.name,
                  c->simifs[i].line);
        goto out;
      }
      if (c->simifs[i].ifindex == f.ifindex) {
        rc = fail(p, "interface index %u already used by %s (line %u)",
                  (unsigned)f.ifindex, c->simifs[i].name, c->simifs[i].line);
        goto out;
      }
    }
    f.line = p->line;
    c->simifs = grow(c->simifs, c->n_simifs, sizeof(f));
    if (c->simifs == NULL) {
      rc = fail(p, "out of memory");
      goto out;
    }
    c->simifs[c->n_simifs++] = f;
  } else if (strcmp(w[0], "route") == 0) {
    struct mgmd_conf_route r;
    uint32_t plen;
    int k;

    memset(&r, 0, sizeof(r));
    if ((rc = want_args(p, nw, w, 3, 7,
                        "route PREFIX/LENGTH INTERFACE [via ADDRESS] "
                        "[protocol NUMBER]")) != 0)
      goto out;
    if (mgmd_parse_prefix(w[1], &r.network, &plen) != 0) {
      rc = bad_value(p, "route", w[1], "PREFIX/LENGTH, e.g. 10.1.0.0/16");
      goto out;
    }
    r.mask = mask_of(plen);
    if ((r.network & ~r.mask) != 0) {
      rc = fail(p, "route %s: host bits set beyond the prefix length", w[1]);
      goto out;
    }
    if (!valid_name(w[2])) {
      rc = bad_value(p, "route", w[2], "an interface name");
      goto out;
    }
    snprintf(r.ifname, sizeof(r.ifname), "%s", w[2]);
    r.protocol = 3; /* PROTO_IP_NETMGMT: a static route */
    for (k = 3; k < nw; k += 2) {
      if (k + 1 >= nw) {
        rc = fail(p, "route: '%s' needs a value", w[k]);
        goto out;
      }
      if (strcmp(w[k], "via") == 0) {
        if (mgmd_parse_ipv4(w[k + 1], &r.upstream) != 0) {
          rc = bad_value(p, "route via", w[k + 1], "an IPv4 address");
          goto out;
        }
      } else if (strcmp(w[k], "protocol") == 0) {
        if (mgmd_parse_u32(w[k + 1], 0, 0xFFFFFFFFu, &r.protocol) != 0) {
          rc = bad_value(p, "route protocol", w[k + 1], "a protocol number");
          goto out;
        }
      } else {
        rc = fail(p, "route: unknown option '%s' (via, protocol)", w[k]);
        goto out;
      }
    }
    for (i = 0; i < c->n_routes; i++)
      if (c->routes[i].network == r.network && c->routes[i].mask == r.mask) {
        rc = fail(p, "route %s already defined at line %u", w[1],
                  c->routes[i].line);
        goto out;
      }
    r.line = p->line;
    c->routes = grow(c->routes, c->n_routes, sizeof(r));
    if (c->routes == NULL) {
      rc = fail(p, "out of memory");
      goto out;
    }
    c->routes[c->n_routes++] = r;
  } else {
    rc = fail(p, "unknown statement '%s' in [sim] (interface, route)", w[0]);
  }
out:
  return rc;
}

/* ---- [igmp] -------------------------------------------------------------- */

struct igmp_num {
  const char *kw;
  size_t off;
  uint32_t min, max;
  const char *what;
};

static const struct igmp_num igmp_nums[] = {
    {"version", offsetof(struct mgmd_conf_igmp, version), 2, 3, "2 or 3"},
    {"robustness", offsetof(struct mgmd_conf_igmp, robustness), 1, 7, "1 to 7"},
    {"query-interval", offsetof(struct mgmd_conf_igmp, query_interval_s), 1,
     31744, "seconds, 1 to 31744"},
    {"query-response-interval",
     offsetof(struct mgmd_conf_igmp, query_response_ms), 100, 3174400,
     "milliseconds, 100 to 3174400"},
    {"last-member-query-interval",
     offsetof(struct mgmd_conf_igmp, last_member_query_ms), 100, 3174400,
     "milliseconds, 100 to 3174400"},
    {"last-member-query-count",
     offsetof(struct mgmd_conf_igmp, last_member_query_count), 1, 7, "1 to 7"},
    {"startup-query-interval",
     offsetof(struct mgmd_conf_igmp, startup_query_interval_ms), 100, 31744000,
     "milliseconds"},
    {"startup-query-count",
     offsetof(struct mgmd_conf_igmp, startup_query_count), 1, 7, "1 to 7"},
};

static int igmp_stmt(struct parser *p, int nw, char **w) {
  struct mgmd_conf_igmp *g = &p->c->igmp;
  int rc = 0;
  size_t i;

  for (i = 0; i < sizeof(igmp_nums) / sizeof(igmp_nums[0]); i++) {
    const struct igmp_num *d = &igmp_nums[i];
    uint32_t v;

    if (strcmp(w[0], d->kw) != 0)
      continue;
    if (nw != 2) {
      rc = fail(p, "usage: %s VALUE", d->kw);
      goto out;
    }
    if (mgmd_parse_u32(w[1], d->min, d->max, &v) != 0) {
      rc = bad_value(p, d->kw, w[1], d->what);
      goto out;
    }
    memcpy((char *)g + d->off, &v, sizeof(v));
    goto out;
  }
  if (strcmp(w[0], "ssm-range") == 0) {
    uint32_t net, plen;

    if ((rc = want_args(p, nw, w, 2, 2, "ssm-range PREFIX/LENGTH|none")) != 0)
      goto out;
    if (strcmp(w[1], "none") == 0) {
      g->ssm_group = g->ssm_mask = 0;
      goto out;
    }
    if (mgmd_parse_prefix(w[1], &net, &plen) != 0 || plen < 4 ||
        (ntohl(net) & 0xF0000000u) != 0xE0000000u) {
      rc = bad_value(p, "ssm-range", w[1],
                     "a multicast PREFIX/LENGTH inside 224.0.0.0/4, e.g. "
                     "232.0.0.0/8, or none");
      goto out;
    }
    if ((net & ~mask_of(plen)) != 0) {
      rc =
          fail(p, "ssm-range %s: host bits set beyond the prefix length", w[1]);
      goto out;
    }
    g->ssm_group = net;
    g->ssm_mask = mask_of(plen);
  } else if (strcmp(w[0], "proxy-forward-upstream") == 0 ||
             strcmp(w[0], "require-ttl1") == 0) {
    int b;

    if ((rc = want_args(p, nw, w, 2, 2,
                        "proxy-forward-upstream|require-ttl1 "
                        "on|off")) != 0)
      goto out;
    if (parse_bool(w[1], &b) != 0) {
      rc = bad_value(p, w[0], w[1], "on or off");
      goto out;
    }
    if (w[0][0] == 'p')
      g->proxy_forward_upstream = b;
    else
      g->require_ttl1 = b;
  } else if (strcmp(w[0], "interface") == 0) {
    struct mgmd_conf_igmpif f;

    memset(&f, 0, sizeof(f));
    if ((rc = want_args(p, nw, w, 2, 3,
                        "interface NAME|* [downstream|upstream]")) != 0)
      goto out;
    if (strcmp(w[1], "*") != 0 && !valid_name(w[1])) {
      rc = bad_value(p, "interface", w[1], "an interface name or *");
      goto out;
    }
    snprintf(f.name, sizeof(f.name), "%s", w[1]);
    f.role = MGMD_IGMP_DOWNSTREAM;
    if (nw == 3) {
      if (strcmp(w[2], "upstream") == 0)
        f.role = MGMD_IGMP_UPSTREAM;
      else if (strcmp(w[2], "downstream") != 0) {
        rc = bad_value(p, "interface", w[2], "downstream or upstream");
        goto out;
      }
    }
    if (f.role == MGMD_IGMP_UPSTREAM && strcmp(f.name, "*") == 0) {
      rc = fail(p, "interface *: the upstream interface must be named");
      goto out;
    }
    for (i = 0; i < g->n_ifs; i++) {
      if (strcmp(g->ifs[i].name, f.name) == 0) {
        rc = fail(p, "IGMP interface %s already listed at line %u", f.name,
                  g->ifs[i].line);
        goto out;
      }
      if (f.role == MGMD_IGMP_UPSTREAM &&
          g->ifs[i].role == MGMD_IGMP_UPSTREAM) {
        rc = fail(p,
                  "a second upstream interface (%s is upstream at line "
                  "%u); an IGMP proxy has one",
                  g->ifs[i].name, g->ifs[i].line);
        goto out;
      }
    }
    f.line = p->line;
    g->ifs = grow(g->ifs, g->n_ifs, sizeof(f));
    if (g->ifs == NULL) {
      rc = fail(p, "out of memory");
      goto out;
    }
    g->ifs[g->n_ifs++] = f;
  } else {
    rc = fail(p, "unknown statement '%s' in [igmp]", w[0]);
  }
out:
  return rc;
}

/* ---- [protocol NAME] ----------------------------------------------------- */

static int args_append(struct parser *p, const char *s) {
  size_t n = strlen(s);
  struct mgmd_conf_proto *pr = p->proto;
  int rc = 0;

  if (p->args_len + n + 2 > p->args_cap) {
    size_t cap = (p->args_cap ? p->args_cap * 2 : 256) + n + 2;
    char *a = realloc(pr->args, cap);

    if (a == NULL) {
      rc = fail(p, "out of memory");
      goto out;
    }
    pr->args = a;
    p->args_cap = cap;
  }
  memcpy(pr->args + p->args_len, s, n);
  p->args_len += n;
  pr->args[p->args_len++] = '\n';
  pr->args[p->args_len] = '\0';
out:
  return rc;
}

static int proto_stmt(struct parser *p, int nw, char **w, const char *text) {
  struct mgmd_conf_proto *pr = p->proto;
  int rc = 0;

  if (strcmp(w[0], "plugin") == 0) {
    if ((rc = want_args(p, nw, w, 2, 2, "plugin PATH")) != 0)
      goto out;
    if (pr->plugin[0] != '\0') {
      rc = fail(p, "[protocol %s] has a second 'plugin' line", pr->name);
      goto out;
    }
    if ((rc = copy_str(p, pr->plugin, sizeof(pr->plugin), w[1],
                       "plugin "
                       "path")) != 0)
      goto out;
    rc = args_append(p, "");
  } else {
    rc = args_append(p, text);
  }
out:
  return rc;
}

static int end_section(struct parser *p) {
  int rc = 0;

  if (p->sec == SEC_PROTO && p->proto->plugin[0] == '\0') {
    unsigned at = p->line;

    p->line = p->proto->line;
    rc = fail(p, "[protocol %s] has no 'plugin PATH' line", p->proto->name);
    p->line = at;
  }
  return rc;
}

static int section(struct parser *p, char *s) {
  struct mgmd_conf *c = p->c;
  char *end = strchr(s, ']');
  char *w[MAX_WORDS];
  int nw = 0;
  int rc = 0;
  size_t i;
  char *tok, *save = NULL;

  if (end == NULL || end[1] != '\0') {
    rc = fail(p, "malformed section header (expected [sim], [igmp] or "
                 "[protocol NAME])");
    goto out;
  }
  *end = '\0';
  for (tok = strtok_r(s + 1, " \t", &save); tok && nw < MAX_WORDS;
       tok = strtok_r(NULL, " \t", &save))
    w[nw++] = tok;
  if ((rc = end_section(p)) != 0)
    goto out;
  p->proto = NULL;
  if (nw == 1 && strcmp(w[0], "sim") == 0) {
    if (c->has_sim) {
      rc = fail(p, "second [sim] section (the first is at line %u)",
                c->sim_line);
      goto out;
    }
    c->has_sim = 1;
    c->sim_line = p->line;
    p->sec = SEC_SIM;
  } else if (nw == 1 && strcmp(w[0], "igmp") == 0) {
    if (c->igmp.present) {
      rc = fail(p, "second [igmp] section (the first is at line %u)",
                c->igmp.line);
      goto out;
    }
    c->igmp.present = 1;
    c->igmp.line = p->line;
    p->sec = SEC_IGMP;
  } else if (nw == 2 && strcmp(w[0], "protocol") == 0) {
    struct mgmd_conf_proto *pr;

    if (!valid_name(w[1])) {
      rc = bad_value(p, "protocol", w[1], "a name of letters, digits, -_.:@");
      goto out;
    }
    for (i = 0; i < c->n_protos; i++)
      if (strcmp(c->protos[i].name, w[1]) == 0) {
        rc = fail(p, "[protocol %s] already defined at line %u", w[1],
                  c->protos[i].line);
        goto out;
      }
    pr = grow(c->protos, c->n_protos, sizeof(*pr));
    if (pr == NULL) {
      rc = fail(p, "out of memory");
      goto out;
    }
    c->protos = pr;
    pr = &c->protos[c->n_protos++];
    memset(pr, 0, sizeof(*pr));
    snprintf(pr->name, sizeof(pr->name), "%s", w[1]);
    pr->line = p->line;
    pr->args_line = p->line + 1;
    p->proto = pr;
    p->args_len = p->args_cap = 0;
    p->sec = SEC_PROTO;
    if ((rc = args_append(p, "")) == 0) { /* allocate, then empty it */
      pr->args[0] = '\0';
      p->args_len = 0;
    }
  } else {
    rc = fail(p,
              "unknown section [%s%s%s] (expected [sim], [igmp] or "
              "[protocol NAME])",
              nw > 0 ? w[0] : "", nw > 1 ? " " : "", nw > 1 ? w[1] : "");
  }
out:
  return rc;
}

static char *trim(char *s) {
  char *e;

  while (*s == ' ' || *s == '\t' || *s == '\r')
    s++;
  e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
    *--e = '\0';
  return s;
}

static int one_line(struct parser *p, char *raw) {
  char *s, *hash, *w[MAX_WORDS + 1], *tok, *save = NULL;
  char text[MGMD_LINE_MAX + 1];
  int nw = 0;
  int rc = 0;

  hash = strchr(raw, '#');
  if (hash)
    *hash = '\0';
  s = trim(raw);
  if (*s == '\0') {
    if (p->sec == SEC_PROTO)
      rc = args_append(p, "");
    goto out;
  }
  if (*s == '[') {
    rc = section(p, s);
    goto out;
  }
  snprintf(text, sizeof(text), "%s", s);
  for (tok = strtok_r(s, " \t", &save); tok && nw <= MAX_WORDS;
       tok = strtok_r(NULL, " \t", &save))
    w[nw++] = tok;
  if (nw > MAX_WORDS) {
    rc = fail(p, "too many words (at most %d)", MAX_WORDS);
    goto out;
  }
  switch (p->sec) {
  case SEC_GLOBAL:
    rc = global_stmt(p, nw, w);
    break;
  case SEC_SIM:
    rc = sim_stmt(p, nw, w);
    break;
  case SEC_IGMP:
    rc = igmp_stmt(p, nw, w);
    break;
  case SEC_PROTO:
    rc = proto_stmt(p, nw, w, text);
    break;
  }
out:
  return rc;
}

static void defaults(struct mgmd_conf *c) {
  c->mfe_lifetime_s = 900;
  c->log_level = MGMD_LOG_INFO;
  c->igmp.version = 3;
  c->igmp.robustness = 2;
  c->igmp.query_interval_s = 125;
  c->igmp.query_response_ms = 10000;
  c->igmp.last_member_query_ms = 1000;
  c->igmp.proxy_forward_upstream = 1;
  c->igmp.require_ttl1 = 1;
  c->igmp.ssm_group = htonl(0xE8000000u); /* 232.0.0.0/8 (RFC 4607) */
  c->igmp.ssm_mask = htonl(0xFF000000u);
}

static int final_checks(struct parser *p) {
  struct mgmd_conf_igmp *g = &p->c->igmp;
  int rc = 0;

  if ((rc = end_section(p)) != 0)
    goto out;
  if (g->present &&
      (uint64_t)g->query_response_ms >= (uint64_t)g->query_interval_s * 1000) {
    p->line = g->line;
    rc = fail(p,
              "[igmp]: query-response-interval (%u ms) must be below "
              "query-interval (%u s)",
              (unsigned)g->query_response_ms, (unsigned)g->query_interval_s);
  }
out:
  return rc;
}

int mgmd_conf_parse(const char *text, size_t len, const char *source,
                    struct mgmd_conf **out, char *err, size_t errlen) {
  struct parser p;
  struct mgmd_conf *c;
  const char *cur = text, *end = text + len, *slash;
  int rc = -1;

  memset(&p, 0, sizeof(p));
  p.src = source ? source : "(built-in)";
  p.err = err;
  p.errlen = errlen;
  c = calloc(1, sizeof(*c));
  if (c == NULL) {
    snprintf(err, errlen, "%s: out of memory", p.src);
    goto out;
  }
  p.c = c;
  defaults(c);
  snprintf(c->source, sizeof(c->source), "%s", p.src);
  slash = source ? strrchr(source, '/') : NULL;
  if (slash == NULL)
    snprintf(c->dir, sizeof(c->dir), ".");
  else if (slash == source)
    snprintf(c->dir, sizeof(c->dir), "/");
  else
    snprintf(c->dir, sizeof(c->dir), "%.*s", (int)(slash - source), source);
  while (cur < end) {
    const char *nl = memchr(cur, '\n', (size_t)(end - cur));
    size_t n = nl ? (size_t)(nl - cur) : (size_t)(end - cur);
    char buf[MGMD_LINE_MAX + 1];

    p.line++;
    if (memchr(cur, '\0', n) != NULL) {
      fail(&p, "NUL byte in the file (is it a text file?)");
      goto out;
    }
    if (n > MGMD_LINE_MAX) {
      fail(&p, "line too long (%zu bytes; at most %d)", n, MGMD_LINE_MAX);
      goto out;
    }
    memcpy(buf, cur, n);
    buf[n] = '\0';
    if (one_line(&p, buf) != 0)
      goto out;
    cur = nl ? nl + 1 : end;
  }
  if (final_checks(&p) != 0)
    goto out;
  *out = c;
  c = NULL;
  rc = 0;
out:
  mgmd_conf_free(c);
  return rc;
}

int mgmd_conf_load(const char *path, struct mgmd_conf **out, char *err,
                   size_t errlen) {
  FILE *f = NULL;
  char *buf = NULL;
  size_t len = 0, cap = 0, n;
  int rc = -1;

  f = fopen(path, "r");
  if (f == NULL) {
    snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    goto out;
  }
  for (;;) {
    if (len + 4096 + 1 > cap) {
      char *b;

      cap = cap ? cap * 2 : 8192;
      if (cap > (size_t)16 << 20) {
        snprintf(err, errlen, "%s: file too large (over 16 MiB)", path);
        goto out;
      }
      b = realloc(buf, cap);
      if (b == NULL) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto out;
      }
      buf = b;
    }
    n = fread(buf + len, 1, 4096, f);
    len += n;
    if (n < 4096)
      break;
  }
  if (ferror(f)) {
    snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
    goto out;
  }
  buf[len] = '\0';
  rc = mgmd_conf_parse(buf, len, path, out, err, errlen);
out:
  if (f)
    fclose(f);
  free(buf);
  return rc;
}

int mgmd_conf_load_or_builtin(const char *path, struct mgmd_conf **out,
                              char *err, size_t errlen) {
  return path == NULL || path[0] == '\0'
             ? mgmd_conf_parse(mgmd_conf_builtin, strlen(mgmd_conf_builtin),
                               NULL, out, err, errlen)
             : mgmd_conf_load(path, out, err, errlen);
}

const struct mgmd_conf_simif *mgmd_conf_simif_by_name(const struct mgmd_conf *c,
                                                      const char *name) {
  const struct mgmd_conf_simif *f = NULL;
  size_t i;

  for (i = 0; i < c->n_simifs && f == NULL; i++)
    if (strcmp(c->simifs[i].name, name) == 0)
      f = &c->simifs[i];
  return f;
}

const struct mgmd_conf_proto *mgmd_conf_proto_by_name(const struct mgmd_conf *c,
                                                      const char *name) {
  const struct mgmd_conf_proto *p = NULL;
  size_t i;

  for (i = 0; i < c->n_protos && p == NULL; i++)
    if (strcmp(c->protos[i].name, name) == 0)
      p = &c->protos[i];
  return p;
}

int mgmd_conf_validate(const struct mgmd_conf *c, const char *backend,
                       char *err, size_t errlen) {
  size_t i;
  int rc = 0;

  if (strcmp(backend, "sim") != 0)
    goto out;
  for (i = 0; i < c->n_routes; i++)
    if (mgmd_conf_simif_by_name(c, c->routes[i].ifname) == NULL) {
      snprintf(err, errlen,
               "%s:%u: route via unknown interface '%s' (not "
               "in [sim])",
               c->source, c->routes[i].line, c->routes[i].ifname);
      rc = -1;
      goto out;
    }
  for (i = 0; c->igmp.present && i < c->igmp.n_ifs; i++) {
    const struct mgmd_conf_igmpif *f = &c->igmp.ifs[i];

    if (strcmp(f->name, "*") != 0 &&
        mgmd_conf_simif_by_name(c, f->name) == NULL) {
      snprintf(err, errlen,
               "%s:%u: IGMP interface '%s' is not a [sim] "
               "interface",
               c->source, f->line, f->name);
      rc = -1;
      goto out;
    }
  }
out:
  return rc;
}

int mgmd_conf_igmp_params_cmp(const struct mgmd_conf_igmp *a,
                              const struct mgmd_conf_igmp *b) {
  size_t i;
  uint32_t x, y;
  int diff = a->proxy_forward_upstream != b->proxy_forward_upstream ||
             a->require_ttl1 != b->require_ttl1 ||
             a->ssm_group != b->ssm_group || a->ssm_mask != b->ssm_mask;

  for (i = 0; i < sizeof(igmp_nums) / sizeof(igmp_nums[0]) && !diff; i++) {
    memcpy(&x, (const char *)a + igmp_nums[i].off, sizeof(x));
    memcpy(&y, (const char *)b + igmp_nums[i].off, sizeof(y));
    diff = x != y;
  }
  return diff;
}

void mgmd_conf_free(struct mgmd_conf *c) {
  size_t i;

  if (c == NULL)
    return;
  for (i = 0; i < c->n_protos; i++)
    free(c->protos[i].args);
  free(c->protos);
  free(c->simifs);
  free(c->routes);
  free(c->igmp.ifs);
  free(c);
}
