/*
 * test_conf.c - unit tests of mgmd's configuration parser: the built-in
 * configuration, the shipped demo file, every statement, and bad input
 * of every kind, each error checked for its "SOURCE:LINE:" prefix and its
 * message.
 *
 * SPDX-License-Identifier: MIT
 *
 * Usage: test_conf [examples/mgmd-demo.conf]
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include "check.h"
#include "conf.h"

static struct mgmd_conf *parse_ok(const char *text) {
  struct mgmd_conf *c = NULL;
  char err[MGMD_ERR_MAX] = "";
  int rc = mgmd_conf_parse(text, strlen(text), "t.conf", &c, err, sizeof(err));

  CHECK(rc == 0 && c != NULL, "parse failed: %s\n--- text:\n%s", err, text);
  return c;
}

/* text must fail with "t.conf:LINE: ...needle..." */
static void parse_bad_n(const char *text, size_t len, unsigned line,
                        const char *needle) {
  struct mgmd_conf *c = NULL;
  char err[MGMD_ERR_MAX] = "", prefix[64];
  int rc = mgmd_conf_parse(text, len, "t.conf", &c, err, sizeof(err));

  snprintf(prefix, sizeof(prefix), "t.conf:%u: ", line);
  CHECK(rc == -1 && c == NULL, "accepted: %s", text);
  CHECK(strncmp(err, prefix, strlen(prefix)) == 0,
        "error \"%s\" does not start with \"%s\"", err, prefix);
  CHECK_CONTAINS(err, needle);
  mgmd_conf_free(c);
}

static void parse_bad(const char *text, unsigned line, const char *needle) {
  parse_bad_n(text, strlen(text), line, needle);
}

static uint32_t ip(const char *s) {
  return inet_addr(s);
}

static void test_builtin(void) {
  struct mgmd_conf *c = NULL;
  char err[MGMD_ERR_MAX] = "";

  CHECK(mgmd_conf_parse(mgmd_conf_builtin, strlen(mgmd_conf_builtin), NULL, &c,
                        err, sizeof(err)) == 0,
        "built-in: %s", err);
  if (c == NULL)
    return;
  CHECK(strcmp(c->source, "(built-in)") == 0, "source %s", c->source);
  CHECK(strcmp(c->backend, "linux") == 0, "backend %s", c->backend);
  CHECK(c->igmp.present && c->igmp.n_ifs == 1 &&
            strcmp(c->igmp.ifs[0].name, "*") == 0,
        "igmp on every interface");
  CHECK(c->igmp.ssm_group == ip("232.0.0.0") &&
            c->igmp.ssm_mask == ip("255.0.0.0"),
        "default SSM range");
  CHECK(c->n_simifs == 3 && c->n_routes == 1, "sim part %zu/%zu", c->n_simifs,
        c->n_routes);
  CHECK(mgmd_conf_validate(c, "sim", err, sizeof(err)) == 0, "%s", err);
  CHECK(mgmd_conf_validate(c, "linux", err, sizeof(err)) == 0, "%s", err);
  mgmd_conf_free(c);
}

static void test_demo_file(const char *path) {
  struct mgmd_conf *c = NULL;
  char err[MGMD_ERR_MAX] = "";
  const struct mgmd_conf_proto *p;

  CHECK(mgmd_conf_load(path, &c, err, sizeof(err)) == 0, "%s", err);
  if (c == NULL)
    return;
  CHECK(strcmp(c->backend, "sim") == 0, "backend %s", c->backend);
  CHECK(c->n_simifs == 3, "%zu sim interfaces", c->n_simifs);
  CHECK(c->igmp.present && c->igmp.version == 2, "IGMPv2");
  p = mgmd_conf_proto_by_name(c, "static");
  CHECK(p != NULL && strcmp(p->plugin, "static_proto.so") == 0,
        "protocol static with static_proto.so");
  if (p != NULL) {
    CHECK(p->args_line == p->line + 1, "args start after the header");
    CHECK_CONTAINS(p->args, "interface up0\n");
    CHECK_CONTAINS(p->args, "join lan2 239.5.5.5\n");
  }
  CHECK(mgmd_conf_validate(c, "sim", err, sizeof(err)) == 0, "%s", err);
  mgmd_conf_free(c);
  CHECK(mgmd_conf_load("/nonexistent/mgmd.conf", &c, err, sizeof(err)) == -1,
        "a missing file loads");
  CHECK_CONTAINS(err, "/nonexistent/mgmd.conf: cannot open");
}

static void test_everything(void) {
  static const char text[] = "# every statement once\n"
                             "backend sim\n"
                             "table 7\n"
                             "mfe-lifetime 60\n"
                             "strict on\n"
                             "wrongif-alerts yes\n"
                             "libmgm-log warn,+cb\n"
                             "log-level debug\n"
                             "socket /tmp/x.sock   # trailing comment\n"
                             "pidfile /tmp/x.pid\n"
                             "\r\n"
                             "[sim]\n"
                             "\tinterface up0 1 10.1.0.254/16\r\n"
                             "interface lan 2 10.2.0.254/24 down\n"
                             "route 10.1.0.0/16 up0 via 10.1.0.1 protocol 8\n"
                             "route 0.0.0.0/0 lan\n"
                             "[igmp]\n"
                             "version 2\n"
                             "robustness 3\n"
                             "query-interval 60\n"
                             "query-response-interval 5000\n"
                             "last-member-query-interval 500\n"
                             "last-member-query-count 4\n"
                             "startup-query-interval 2000\n"
                             "startup-query-count 1\n"
                             "proxy-forward-upstream off\n"
                             "require-ttl1 no\n"
                             "interface up0 upstream\n"
                             "interface lan downstream\n"
                             "interface *\n"
                             "[protocol p1]\n"
                             "# a comment\n"
                             "plugin ./p1.so\n"
                             "\n"
                             "anything goes here   # but not this\n"
                             "[protocol p2]\n"
                             "plugin /abs/p2.so\n";
  struct mgmd_conf *c = parse_ok(text);
  char err[MGMD_ERR_MAX];

  if (c == NULL)
    return;
  CHECK(strcmp(c->backend, "sim") == 0 && c->table == 7 &&
            c->mfe_lifetime_s == 60 && c->strict == 1 && c->wrongif_alerts == 1,
        "globals");
  CHECK(strcmp(c->libmgm_log, "warn,+cb") == 0, "%s", c->libmgm_log);
  CHECK(c->log_level == 5, "log-level %d", c->log_level);
  CHECK(strcmp(c->socket, "/tmp/x.sock") == 0, "socket '%s'", c->socket);
  CHECK(strcmp(c->pidfile, "/tmp/x.pid") == 0, "pidfile");
  CHECK(c->n_simifs == 2 && c->simifs[0].ifindex == 1 &&
            c->simifs[0].addr == ip("10.1.0.254") &&
            c->simifs[0].prefixlen == 16 && c->simifs[0].up == 1 &&
            c->simifs[1].up == 0 && c->simifs[1].line == 14,
        "sim interfaces");
  CHECK(c->n_routes == 2 && c->routes[0].network == ip("10.1.0.0") &&
            c->routes[0].mask == ip("255.255.0.0") &&
            c->routes[0].upstream == ip("10.1.0.1") &&
            c->routes[0].protocol == 8 && c->routes[1].mask == 0 &&
            c->routes[1].protocol == 3,
        "routes");
  CHECK(c->igmp.version == 2 && c->igmp.robustness == 3 &&
            c->igmp.query_interval_s == 60 &&
            c->igmp.query_response_ms == 5000 &&
            c->igmp.last_member_query_ms == 500 &&
            c->igmp.last_member_query_count == 4 &&
            c->igmp.startup_query_interval_ms == 2000 &&
            c->igmp.startup_query_count == 1 &&
            c->igmp.proxy_forward_upstream == 0 && c->igmp.require_ttl1 == 0,
        "igmp parameters");
  CHECK(c->igmp.n_ifs == 3 && c->igmp.ifs[0].role == MGMD_IGMP_UPSTREAM &&
            c->igmp.ifs[1].role == MGMD_IGMP_DOWNSTREAM &&
            strcmp(c->igmp.ifs[2].name, "*") == 0,
        "igmp interfaces");
  CHECK(c->n_protos == 2, "%zu protocols", c->n_protos);
  if (c->n_protos == 2) {
    CHECK(c->protos[0].line == 31 && c->protos[0].args_line == 32,
          "p1 at %u/%u", c->protos[0].line, c->protos[0].args_line);
    /* line 32 comment, 33 plugin, 34 blank, 35 text: one line each */
    CHECK(strcmp(c->protos[0].args, "\n\n\nanything goes here\n") == 0,
          "p1 args \"%s\"", c->protos[0].args);
    CHECK(strcmp(c->protos[1].plugin, "/abs/p2.so") == 0, "p2 plugin");
    CHECK(strcmp(c->protos[1].args, "\n") == 0, "p2 args \"%s\"",
          c->protos[1].args);
  }
  CHECK(strcmp(c->dir, ".") == 0, "dir %s", c->dir);
  CHECK(mgmd_conf_validate(c, "sim", err, sizeof(err)) == 0, "%s", err);
  mgmd_conf_free(c);
}

static void test_socket_group(void) {
  struct mgmd_conf *c = parse_ok("socket /run/mgmd/mgmd.sock\n"
                                 "socket-group mgmd\n");

  if (c != NULL)
    CHECK(strcmp(c->socket_group, "mgmd") == 0, "socket-group '%s'",
          c->socket_group);
  mgmd_conf_free(c);
  c = parse_ok("socket-group 4242\n");
  if (c != NULL)
    CHECK(strcmp(c->socket_group, "4242") == 0, "numeric socket-group '%s'",
          c->socket_group);
  mgmd_conf_free(c);
  c = parse_ok("backend sim\n");
  if (c != NULL)
    CHECK(c->socket_group[0] == '\0', "no socket-group by default: '%s'",
          c->socket_group);
  mgmd_conf_free(c);
  parse_bad("socket-group\n", 1, "usage: socket-group GROUP");
  parse_bad("\nsocket-group a b\n", 2, "usage: socket-group GROUP");
  parse_bad("socket-group -wheel\n", 1,
            "socket-group: invalid value '-wheel' (expected a group name");
  parse_bad("socket-group ../etc\n", 1, "invalid value '../etc'");
  parse_bad("socket-group abcdefghijklmnopqrstuvwxyz0123456\n", 1,
            "invalid value 'abcdefghijklmnopqrstuvwxyz0123456'");
  parse_bad("[igmp]\nsocket-group mgmd\n", 2, "unknown statement");
}

static void test_bad(void) {
  char big[3000];
  static const char nul[] = "backend sim\n\nta\0ble 1\n";

  parse_bad("backend foo\n", 1, "invalid value 'foo'");
  parse_bad("backend\n", 1, "usage: backend");
  parse_bad("# c\ntable -1\n", 2, "table: invalid value '-1'");
  parse_bad("mfe-lifetime 0\n", 1, "mfe-lifetime: invalid value '0'");
  parse_bad("strict maybe\n", 1, "on or off");
  parse_bad("log-level loud\n", 1, "error, warn, info or debug");
  parse_bad("\n\nfoo bar\n", 3, "unknown statement 'foo'");
  parse_bad("[bogus]\n", 1, "unknown section [bogus]");
  parse_bad("\n[sim\n", 2, "malformed section header");
  parse_bad("[sim] x\n", 1, "malformed section header");
  parse_bad("[protocol]\n", 1, "unknown section");
  parse_bad("[protocol a b]\n", 1, "unknown section");
  parse_bad("[sim]\n\n\ninterface a 1 10.0.0.1\n", 4, "ADDRESS/LENGTH");
  parse_bad("[sim]\ninterface a 0 10.0.0.1/24\n", 2, "index >= 1");
  parse_bad("[sim]\ninterface a 1 10.0.0.1/33\n", 2, "ADDRESS/LENGTH");
  parse_bad("[sim]\ninterface a 1 10.0.0.1/24 sideways\n", 2, "up or down");
  parse_bad("[sim]\ninterface a 1 10.0.0.1/24\ninterface a 2 10.0.1.1/24\n", 3,
            "interface a already defined at line 2");
  parse_bad("[sim]\ninterface a 1 10.0.0.1/24\ninterface b 1 10.0.1.1/24\n", 3,
            "index 1 already used by a (line 2)");
  parse_bad("[sim]\nroute 10.1.0.1/16 a\n", 2, "host bits");
  parse_bad("[sim]\nroute 10.1.0.0/16 a via\n", 2, "'via' needs a value");
  parse_bad("[sim]\nroute 10.1.0.0/16 a metric 3\n", 2,
            "unknown option 'metric'");
  parse_bad("[sim]\nroute 10.1.0.0/16 a via 1.2.3\n", 2, "IPv4 address");
  parse_bad("[sim]\nroute 10.0.0.0/8 a\nroute 10.0.0.0/8 b\n", 3,
            "already defined at line 2");
  parse_bad("[sim]\nbridge x\n", 2, "unknown statement 'bridge' in [sim]");
  parse_bad("[sim]\n[sim]\n", 2,
            "second [sim] section (the first is at "
            "line 1)");
  parse_bad("[igmp]\nversion 4\n", 2, "2 or 3");
  parse_bad("[igmp]\nrobustness 8\n", 2, "1 to 7");
  parse_bad("[igmp]\nversion\n", 2, "usage: version VALUE");
  parse_bad("\n[igmp]\nquery-interval 10\nquery-response-interval 20000\n", 2,
            "must be below query-interval");
  parse_bad("[igmp]\ninterface a upstream\ninterface b upstream\n", 3,
            "second upstream interface (a is upstream at line 2)");
  parse_bad("[igmp]\ninterface * upstream\n", 2, "must be named");
  parse_bad("[igmp]\ninterface a\ninterface a\n", 3,
            "already listed at line 2");
  parse_bad("[igmp]\ninterface a middle\n", 2, "downstream or upstream");
  parse_bad("[igmp]\nquerier yes\n", 2, "unknown statement 'querier'");
  parse_bad("[igmp]\n[igmp]\n", 2, "second [igmp] section");
  parse_bad("[igmp]\nssm-range 10.0.0.0/8\n", 2,
            "ssm-range: invalid value '10.0.0.0/8' (expected a multicast");
  parse_bad("[igmp]\nssm-range 224.0.0.0/3\n", 2, "inside 224.0.0.0/4");
  parse_bad("[igmp]\nssm-range 232.1.0.0/8\n", 2,
            "ssm-range 232.1.0.0/8: host bits set");
  parse_bad("[igmp]\nssm-range\n", 2, "usage: ssm-range PREFIX/LENGTH|none");
  parse_bad("[protocol x]\ninterface a\n", 1,
            "[protocol x] has no "
            "'plugin PATH' line");
  parse_bad("[protocol x]\ninterface a\n[sim]\n", 1, "has no 'plugin");
  parse_bad("[protocol x]\nplugin a.so\nplugin b.so\n", 3,
            "second 'plugin' line");
  parse_bad("[protocol x]\nplugin a.so extra\n", 2, "usage: plugin PATH");
  parse_bad("[protocol x]\nplugin a.so\n[protocol x]\nplugin b.so\n", 3,
            "[protocol x] already defined at line 1");
  parse_bad("[protocol a/b]\n", 1, "invalid value 'a/b'");
  parse_bad("a b c d e f g h i j k l m n o p q\n", 1, "too many words");
  memset(big, 'x', sizeof(big));
  memcpy(big, "backend sim\n", 12);
  big[sizeof(big) - 1] = '\0';
  parse_bad(big, 2, "line too long");
  parse_bad_n(nul, sizeof(nul) - 1, 3, "NUL byte");
}

static void test_validate(void) {
  struct mgmd_conf *c;
  char err[MGMD_ERR_MAX] = "";

  c = parse_ok("[sim]\ninterface a 1 10.0.0.1/24\nroute 0.0.0.0/0 b\n");
  if (c != NULL) {
    CHECK(mgmd_conf_validate(c, "sim", err, sizeof(err)) == -1, "ok?");
    CHECK_CONTAINS(err, "t.conf:3: route via unknown interface 'b'");
    CHECK(mgmd_conf_validate(c, "linux", err, sizeof(err)) == 0,
          "linux ignores [sim]");
    mgmd_conf_free(c);
  }
  c = parse_ok("[sim]\ninterface a 1 10.0.0.1/24\n[igmp]\ninterface a\n"
               "interface *\ninterface eth0\n");
  if (c != NULL) {
    CHECK(mgmd_conf_validate(c, "sim", err, sizeof(err)) == -1, "ok?");
    CHECK_CONTAINS(err, "t.conf:6: IGMP interface 'eth0' is not a [sim] "
                        "interface");
    mgmd_conf_free(c);
  }
}

/* ssm-range none switches the rule off; a changed range is a parameter
 * change (the reload restarts the component). */
static void test_ssm_range(void) {
  struct mgmd_conf *a = parse_ok("[igmp]\nssm-range none\n");
  struct mgmd_conf *b = parse_ok("[igmp]\n");
  struct mgmd_conf *c = parse_ok("[igmp]\nssm-range 239.232.0.0/16\n");

  if (c != NULL)
    CHECK(c->igmp.ssm_group == ip("239.232.0.0") &&
              c->igmp.ssm_mask == ip("255.255.0.0"),
          "ssm-range 239.232.0.0/16");
  if (a != NULL && b != NULL) {
    CHECK(a->igmp.ssm_group == 0 && a->igmp.ssm_mask == 0, "none");
    CHECK(mgmd_conf_igmp_params_cmp(&a->igmp, &b->igmp) != 0,
          "a new SSM range is not a parameter change");
    CHECK(mgmd_conf_igmp_params_cmp(&b->igmp, &b->igmp) == 0, "self");
  }
  mgmd_conf_free(a);
  mgmd_conf_free(b);
  mgmd_conf_free(c);
}

static void test_helpers(void) {
  uint32_t v = 0, n = 0, l = 0;

  CHECK(mgmd_parse_u32("0x10", 0, 100, &v) == 0 && v == 16, "hex");
  CHECK(mgmd_parse_u32("101", 0, 100, &v) == -1, "range");
  CHECK(mgmd_parse_u32("", 0, 100, &v) == -1, "empty");
  CHECK(mgmd_parse_u32("+1", 0, 100, &v) == -1, "sign");
  CHECK(mgmd_parse_u32("99999999999999999999", 0, 0xFFFFFFFFu, &v) == -1,
        "overflow");
  CHECK(mgmd_parse_prefix("10.0.0.0/8", &n, &l) == 0 && l == 8 &&
            n == ip("10.0.0.0"),
        "prefix");
  CHECK(mgmd_parse_prefix("10.0.0.0/", &n, &l) == -1, "no length");
  CHECK(mgmd_parse_prefix("/8", &n, &l) == -1, "no address");
  CHECK(mgmd_parse_ipv4("256.1.1.1", &n) == -1, "bad octet");
}

int main(int argc, char **argv) {
  test_builtin();
  if (argc > 1)
    test_demo_file(argv[1]);
  test_everything();
  test_socket_group();
  test_bad();
  test_validate();
  test_ssm_range();
  test_helpers();
  return check_report("test_conf");
}
