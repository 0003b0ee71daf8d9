/*
 * fuzz_mgmd_conf.c - libFuzzer target: mgmd's configuration parser
 * (tools/mgmd/conf.c, mgmd_conf_parse) on arbitrary text.
 *
 * SPDX-License-Identifier: MIT
 *
 * The input is the file's contents.  Invariants:
 *  - the parser returns 0 with a configuration, or -1 with an error
 *    "fuzz.conf:LINE: message" on one line, LINE between 1 and the number
 *    of lines of the input;
 *  - a parsed configuration is within the documented ranges: names
 *    terminated, non-empty and shorter than MGMD_NAME_MAX, sim interface
 *    indexes >= 1 and unique, prefix lengths <= 32, routes without host
 *    bits, IGMP parameters in range with the query response interval below
 *    the query interval, at most one upstream IGMP interface, every
 *    [protocol] section with a plugin; line numbers within the input;
 *  - mgmd_conf_validate gives 0 or a one-line error for both backends;
 *  - round trip: the configuration written back as text (every statement
 *    the parser keeps) parses again to the same values.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <stdarg.h>
#include <string.h>

#include "conf.h"
#include "fz.h"

static unsigned nlines;

static void check_err(const char *err) {
  const char *p = err;
  unsigned long line;
  char *end;

  FZ_CHECK(strchr(err, '\n') == NULL, "error of several lines: %s", err);
  FZ_CHECK(strncmp(p, "fuzz.conf:", 10) == 0, "error without the source: %s",
           err);
  line = strtoul(p + 10, &end, 10);
  FZ_CHECK(end != p + 10 && *end == ':' && end[1] == ' ' && end[2] != '\0',
           "error without a line number: %s", err);
  FZ_CHECK(line >= 1 && line <= nlines, "line %lu of %u: %s", line, nlines,
           err);
}

static int name_ok(const char *s, size_t cap) {
  size_t n = strnlen(s, cap);

  return n > 0 && n < cap;
}

static void check_conf(const struct mgmd_conf *c) {
  const struct mgmd_conf_igmp *g = &c->igmp;
  size_t i, k;
  int up = 0;

  FZ_CHECK(strcmp(c->source, "fuzz.conf") == 0 && strcmp(c->dir, ".") == 0,
           "source %s dir %s", c->source, c->dir);
  FZ_CHECK(c->backend[0] == '\0' || strcmp(c->backend, "linux") == 0 ||
               strcmp(c->backend, "bsd") == 0 || strcmp(c->backend, "sim") == 0,
           "backend %s", c->backend);
  FZ_CHECK(c->mfe_lifetime_s >= 1 && c->mfe_lifetime_s <= 86400 * 365,
           "mfe-lifetime %u", (unsigned)c->mfe_lifetime_s);
  FZ_CHECK((c->strict == 0 || c->strict == 1) &&
               (c->wrongif_alerts == 0 || c->wrongif_alerts == 1),
           "booleans");
  FZ_CHECK(memchr(c->libmgm_log, '\0', sizeof(c->libmgm_log)) &&
               memchr(c->socket, '\0', sizeof(c->socket)) &&
               memchr(c->pidfile, '\0', sizeof(c->pidfile)) &&
               memchr(c->socket_group, '\0', sizeof(c->socket_group)),
           "strings not terminated");
  FZ_CHECK(c->socket_group[0] != '-' && strchr(c->socket_group, '/') == NULL,
           "socket-group '%s'", c->socket_group);
  FZ_CHECK(c->has_sim || c->n_simifs + c->n_routes == 0,
           "sim statements without [sim]");
  for (i = 0; i < c->n_simifs; i++) {
    const struct mgmd_conf_simif *f = &c->simifs[i];

    FZ_CHECK(name_ok(f->name, sizeof(f->name)) && f->ifindex >= 1 &&
                 f->ifindex <= 0x7fffffff && f->prefixlen <= 32 &&
                 (f->up == 0 || f->up == 1) && f->line >= 1 &&
                 f->line <= nlines,
             "sim interface %zu", i);
    for (k = 0; k < i; k++)
      FZ_CHECK(strcmp(c->simifs[k].name, f->name) != 0 &&
                   c->simifs[k].ifindex != f->ifindex,
               "sim interface %s defined twice", f->name);
  }
  for (i = 0; i < c->n_routes; i++) {
    const struct mgmd_conf_route *r = &c->routes[i];
    uint32_t m = ntohl(r->mask);

    FZ_CHECK((~m & (~m + 1)) == 0, "mask %#x", (unsigned)m);
    FZ_CHECK((r->network & ~r->mask) == 0 &&
                 name_ok(r->ifname, sizeof(r->ifname)) && r->line >= 1 &&
                 r->line <= nlines,
             "route %zu", i);
  }
  FZ_CHECK(g->version == 2 || g->version == 3, "version %u",
           (unsigned)g->version);
  FZ_CHECK(g->robustness >= 1 && g->robustness <= 7 &&
               g->last_member_query_count <= 7 && g->startup_query_count <= 7,
           "counts");
  FZ_CHECK(g->query_interval_s >= 1 && g->query_interval_s <= 31744 &&
               g->query_response_ms >= 100 && g->query_response_ms <= 3174400 &&
               g->last_member_query_ms >= 100 &&
               g->last_member_query_ms <= 3174400,
           "intervals");
  FZ_CHECK(!g->present || (uint64_t)g->query_response_ms <
                              (uint64_t)g->query_interval_s * 1000,
           "query response %u ms, interval %u s",
           (unsigned)g->query_response_ms, (unsigned)g->query_interval_s);
  FZ_CHECK(g->present || g->n_ifs == 0, "IGMP interfaces without [igmp]");
  {
    uint32_t m = ntohl(g->ssm_mask);

    FZ_CHECK(
        (~m & (~m + 1)) == 0 && (g->ssm_group & ~g->ssm_mask) == 0 &&
            (m == 0 || ((m & 0xF0000000u) == 0xF0000000u &&
                        (ntohl(g->ssm_group) & 0xF0000000u) == 0xE0000000u)),
        "ssm-range %#x/%#x", (unsigned)ntohl(g->ssm_group), (unsigned)m);
  }
  for (i = 0; i < g->n_ifs; i++) {
    FZ_CHECK(name_ok(g->ifs[i].name, sizeof(g->ifs[i].name)) &&
                 (g->ifs[i].role == MGMD_IGMP_DOWNSTREAM ||
                  g->ifs[i].role == MGMD_IGMP_UPSTREAM),
             "IGMP interface %zu", i);
    up += g->ifs[i].role == MGMD_IGMP_UPSTREAM;
    FZ_CHECK(g->ifs[i].role == MGMD_IGMP_DOWNSTREAM ||
                 strcmp(g->ifs[i].name, "*") != 0,
             "upstream *");
  }
  FZ_CHECK(up <= 1, "%d upstream interfaces", up);
  for (i = 0; i < c->n_protos; i++) {
    const struct mgmd_conf_proto *p = &c->protos[i];

    FZ_CHECK(name_ok(p->name, sizeof(p->name)) &&
                 name_ok(p->plugin, sizeof(p->plugin)) && p->args != NULL &&
                 p->line >= 1 && p->line <= nlines &&
                 p->args_line == p->line + 1,
             "protocol %zu", i);
    for (k = 0; k < i; k++)
      FZ_CHECK(strcmp(c->protos[k].name, p->name) != 0,
               "protocol %s defined twice", p->name);
  }
}

/* ---- the configuration written back -------------------------------------- */

struct out {
  char *buf;
  size_t len, cap;
};

static void emit(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void emit(struct out *o, const char *fmt, ...) {
  va_list ap;
  int n;

  for (;;) {
    va_start(ap, fmt);
    n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    FZ_CHECK(n >= 0, "vsnprintf");
    if ((size_t)n < o->cap - o->len)
      break;
    o->cap = o->cap * 2 + (size_t)n + 1;
    o->buf = realloc(o->buf, o->cap);
    FZ_CHECK(o->buf != NULL, "out of memory");
  }
  o->len += (size_t)n;
}

static const char *ip(uint32_t a, char *b) {
  return inet_ntop(AF_INET, &a, b, 16);
}

static unsigned plen(uint32_t mask) {
  uint32_t m = ntohl(mask);
  unsigned n = 0;

  while (m & 0x80000000u) {
    n++;
    m <<= 1;
  }
  return n;
}

static void write_back(const struct mgmd_conf *c, struct out *o) {
  static const char *const lv[] = {"none",  "error", "warn",
                                   "fixme", "info",  "debug"};
  const struct mgmd_conf_igmp *g = &c->igmp;
  char a[16], b[16];
  size_t i;

  if (c->backend[0])
    emit(o, "backend %s\n", c->backend);
  emit(o, "table %u\nmfe-lifetime %u\nstrict %s\nwrongif-alerts %s\n",
       (unsigned)c->table, (unsigned)c->mfe_lifetime_s,
       c->strict ? "on" : "off", c->wrongif_alerts ? "on" : "off");
  if (c->libmgm_log[0])
    emit(o, "libmgm-log %s\n", c->libmgm_log);
  FZ_CHECK(c->log_level >= 1 && c->log_level <= 5 && c->log_level != 3,
           "log level %d", c->log_level);
  emit(o, "log-level %s\n", lv[c->log_level]);
  if (c->socket[0])
    emit(o, "socket %s\n", c->socket);
  if (c->pidfile[0])
    emit(o, "pidfile %s\n", c->pidfile);
  if (c->socket_group[0])
    emit(o, "socket-group %s\n", c->socket_group);
  if (c->has_sim)
    emit(o, "[sim]\n");
  for (i = 0; i < c->n_simifs; i++)
    emit(o, "interface %s %u %s/%u %s\n", c->simifs[i].name,
         (unsigned)c->simifs[i].ifindex, ip(c->simifs[i].addr, a),
         (unsigned)c->simifs[i].prefixlen, c->simifs[i].up ? "up" : "down");
  for (i = 0; i < c->n_routes; i++)
    emit(o, "route %s/%u %s via %s protocol %u\n", ip(c->routes[i].network, a),
         plen(c->routes[i].mask), c->routes[i].ifname,
         ip(c->routes[i].upstream, b), (unsigned)c->routes[i].protocol);
  if (g->present) {
    emit(o,
         "[igmp]\nversion %u\nrobustness %u\nquery-interval %u\n"
         "query-response-interval %u\nlast-member-query-interval %u\n"
         "proxy-forward-upstream %s\nrequire-ttl1 %s\n",
         (unsigned)g->version, (unsigned)g->robustness,
         (unsigned)g->query_interval_s, (unsigned)g->query_response_ms,
         (unsigned)g->last_member_query_ms,
         g->proxy_forward_upstream ? "on" : "off",
         g->require_ttl1 ? "on" : "off");
    if (g->last_member_query_count)
      emit(o, "last-member-query-count %u\n",
           (unsigned)g->last_member_query_count);
    if (g->startup_query_interval_ms)
      emit(o, "startup-query-interval %u\n",
           (unsigned)g->startup_query_interval_ms);
    if (g->startup_query_count)
      emit(o, "startup-query-count %u\n", (unsigned)g->startup_query_count);
    if (g->ssm_mask)
      emit(o, "ssm-range %s/%u\n", ip(g->ssm_group, a), plen(g->ssm_mask));
    else
      emit(o, "ssm-range none\n");
    for (i = 0; i < g->n_ifs; i++)
      emit(o, "interface %s %s\n", g->ifs[i].name,
           g->ifs[i].role == MGMD_IGMP_UPSTREAM ? "upstream" : "downstream");
  }
  for (i = 0; i < c->n_protos; i++)
    emit(o, "[protocol %s]\nplugin %s\n%s", c->protos[i].name,
         c->protos[i].plugin, c->protos[i].args);
}

/* Plug-in arguments without their empty lines (the plugin line leaves one
 * where it stood). */
static void squeeze(const char *s, char *out) {
  size_t n = 0;

  for (; *s; s++)
    if (!(*s == '\n' && (n == 0 || out[n - 1] == '\n')))
      out[n++] = *s;
  out[n] = '\0';
}

static void same_args(const char *a, const char *b) {
  char *x = malloc(strlen(a) + 1), *y = malloc(strlen(b) + 1);

  FZ_CHECK(x != NULL && y != NULL, "out of memory");
  squeeze(a, x);
  squeeze(b, y);
  FZ_CHECK(strcmp(x, y) == 0, "plug-in args differ:\n%s\n---\n%s", x, y);
  free(x);
  free(y);
}

static void compare(const struct mgmd_conf *a, const struct mgmd_conf *b) {
  size_t i;

#define SAME(f) FZ_CHECK(a->f == b->f, "%s differs after the round trip", #f)
#define SAMES(f)                                                               \
  FZ_CHECK(strcmp(a->f, b->f) == 0, "%s: '%s' became '%s'", #f, a->f, b->f)
  SAMES(backend);
  SAME(table);
  SAME(mfe_lifetime_s);
  SAME(strict);
  SAME(wrongif_alerts);
  SAMES(libmgm_log);
  SAME(log_level);
  SAMES(socket);
  SAMES(pidfile);
  SAMES(socket_group);
  SAME(has_sim);
  SAME(n_simifs);
  for (i = 0; i < a->n_simifs; i++) {
    SAMES(simifs[i].name);
    SAME(simifs[i].ifindex);
    SAME(simifs[i].addr);
    SAME(simifs[i].prefixlen);
    SAME(simifs[i].up);
  }
  SAME(n_routes);
  for (i = 0; i < a->n_routes; i++) {
    SAME(routes[i].network);
    SAME(routes[i].mask);
    SAMES(routes[i].ifname);
    SAME(routes[i].upstream);
    SAME(routes[i].protocol);
  }
  SAME(igmp.present);
  FZ_CHECK(mgmd_conf_igmp_params_cmp(&a->igmp, &b->igmp) == 0,
           "IGMP parameters differ after the round trip");
  SAME(igmp.n_ifs);
  for (i = 0; i < a->igmp.n_ifs; i++) {
    SAMES(igmp.ifs[i].name);
    SAME(igmp.ifs[i].role);
  }
  SAME(n_protos);
  for (i = 0; i < a->n_protos; i++) {
    SAMES(protos[i].name);
    SAMES(protos[i].plugin);
    same_args(a->protos[i].args, b->protos[i].args);
  }
#undef SAME
#undef SAMES
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct mgmd_conf *c = NULL, *c2 = NULL;
  struct out o = {NULL, 0, 0};
  char err[MGMD_ERR_MAX], *text;
  size_t i;
  int rc;

  text = malloc(size + 1);
  if (text == NULL)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  nlines = 1;
  for (i = 0; i < size; i++)
    nlines += data[i] == '\n';
  err[0] = '\0';
  rc = mgmd_conf_parse(text, size, "fuzz.conf", &c, err, sizeof(err));
  FZ_CHECK(rc == 0 || rc == -1, "rc %d", rc);
  if (rc != 0) {
    FZ_CHECK(c == NULL, "configuration returned with an error");
    check_err(err);
    goto out;
  }
  FZ_CHECK(c != NULL, "no configuration");
  check_conf(c);
  FZ_CHECK(mgmd_conf_igmp_params_cmp(&c->igmp, &c->igmp) == 0, "self cmp");
  for (i = 0; i < 2; i++) {
    err[0] = '\0';
    rc = mgmd_conf_validate(c, i ? "sim" : "linux", err, sizeof(err));
    FZ_CHECK(rc == 0 || (rc == -1 && err[0] != '\0'), "validate rc %d", rc);
    if (rc != 0)
      check_err(err);
  }
  o.cap = 256;
  o.buf = malloc(o.cap);
  FZ_CHECK(o.buf != NULL, "out of memory");
  o.buf[0] = '\0';
  write_back(c, &o);
  nlines = 1;
  for (i = 0; i < o.len; i++)
    nlines += o.buf[i] == '\n';
  rc = mgmd_conf_parse(o.buf, o.len, "fuzz.conf", &c2, err, sizeof(err));
  FZ_CHECK(rc == 0, "the written-back configuration fails: %s\n%s", err, o.buf);
  compare(c, c2);
out:
  mgmd_conf_free(c);
  mgmd_conf_free(c2);
  free(o.buf);
  free(text);
  return 0;
}
