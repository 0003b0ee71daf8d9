/*
 * test_ctl.c - mgmd's control protocol end to end: starts mgmd on the sim
 * backend in a temporary directory, throws malformed and hostile requests
 * at it (garbage bytes, NUL, no newline, oversized lines, idle and
 * surplus connections, bad arguments) and checks that each gets an error
 * reply and that mgmd keeps answering (idle clients are dropped after
 * 5 s, so part of this test waits that long); then drives a real session (IGMP
 * join, packets, MFE with counters), a SIGHUP reload that must keep the
 * MFE, and a SIGTERM that must leave no socket and no pid file.
 *
 * SPDX-License-Identifier: MIT
 *
 * Usage: test_ctl MGMD PLUGIN_DIR
 */
#define _GNU_SOURCE 1

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "jsonp.h"

static char dir[256], sock_path[300], pid_path[300], conf_path[300],
    log_path[300];
static pid_t daemon_pid = -1;

static const char conf_text[] = "backend sim\n"
                                "log-level debug\n"
                                "[sim]\n"
                                "interface up0 1 10.1.0.254/16\n"
                                "interface lan2 2 10.2.0.254/24\n"
                                "interface lan3 3 10.3.0.254/24\n"
                                "route 10.1.0.0/16 up0\n"
                                "[igmp]\n"
                                "version 2\n"
                                "interface lan2\n"
                                "interface lan3\n"
                                "[protocol static]\n"
                                "plugin static_proto.so\n"
                                "interface up0\n"
                                "interface lan2\n"
                                "%s\n";

static int write_conf(const char *extra) {
  FILE *f = fopen(conf_path, "w");

  if (f == NULL)
    return -1;
  fprintf(f, conf_text, extra);
  return fclose(f);
}

static int connect_sock(void) {
  struct sockaddr_un sa;
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);

  memset(&sa, 0, sizeof(sa));
  sa.sun_family = AF_UNIX;
  if (strlen(sock_path) < sizeof(sa.sun_path))
    memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
  if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
    close(fd);
    fd = -1;
  }
  return fd;
}

/* Send len bytes (half-close if shut), return the reply or NULL. */
static char *exchange(const char *req, size_t len, int shut) {
  static char buf[1 << 20];
  size_t n = 0;
  int fd = connect_sock();

  if (fd < 0)
    return NULL;
  if (len > 0 && write(fd, req, len) != (ssize_t)len) {
    close(fd);
    return NULL;
  }
  if (shut)
    shutdown(fd, SHUT_WR);
  for (;;) {
    struct pollfd p = {fd, POLLIN, 0};
    ssize_t r;

    if (poll(&p, 1, 10000) <= 0)
      break;
    r = read(fd, buf + n, sizeof(buf) - 1 - n);
    if (r <= 0)
      break;
    n += (size_t)r;
  }
  close(fd);
  buf[n] = '\0';
  return n ? buf : NULL;
}

static char *request(const char *line) {
  char req[8192];

  snprintf(req, sizeof(req), "%s\n", line);
  return exchange(req, strlen(req), 0);
}

/* The reply must be one JSON line with ok == want_ok; returns it parsed. */
static struct jv *reply_of(const char *what, const char *reply, int want_ok) {
  char err[256];
  struct jv *v;

  CHECK(reply != NULL, "%s: no reply", what);
  if (reply == NULL)
    return NULL;
  CHECK(strchr(reply, '\n') == reply + strlen(reply) - 1,
        "%s: not one line: %s", what, reply);
  v = jv_parse(reply, err, sizeof(err));
  CHECK(v != NULL, "%s: bad JSON (%s): %s", what, err, reply);
  if (v == NULL)
    return NULL;
  CHECK(jv_int(jv_get(v, "mgmd"), 0) == 1, "%s: no protocol version", what);
  CHECK(jv_bool(jv_get(v, "ok"), !want_ok) == want_ok, "%s: ok != %d: %s", what,
        want_ok, reply);
  return v;
}

static void expect_error(const char *what, const char *reply,
                         const char *needle) {
  struct jv *v = reply_of(what, reply, 0);

  CHECK_CONTAINS(jv_str(jv_get(v, "error"), ""), needle);
  jv_free(v);
}

static void expect_alive(const char *after) {
  struct jv *v = reply_of(after, request("ping"), 1);

  CHECK(jv_bool(jv_path(v, "result.pong"), 0), "no pong after %s", after);
  jv_free(v);
}

static int start_daemon(const char *mgmd, const char *plugins) {
  int i, fd;

  daemon_pid = fork();
  if (daemon_pid == 0) {
    fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 2);
      close(fd);
    }
    execl(mgmd, mgmd, "--socket", sock_path, "--pidfile", pid_path,
          "--plugin-dir", plugins, conf_path, (char *)NULL);
    _exit(127);
  }
  for (i = 0; i < 200; i++) {
    char *r = request("ping");

    if (r != NULL && strstr(r, "\"pong\":true"))
      return 0;
    usleep(25000);
  }
  return -1;
}

static void test_garbage(void) {
  char big[6000];
  int idle, fds[40], i, n;
  static const char nul[] = "show\0protocols\n";
  static const char bin[] = "\x01\x02\xff\xfe\n";

  expect_error("empty line", request(""), "empty request");
  expect_error("blanks", request("  \t "), "empty request");
  expect_error("binary", exchange(bin, sizeof(bin) - 1, 0), "non-printable");
  expect_error("NUL", exchange(nul, sizeof(nul) - 1, 0), "NUL byte");
  expect_error("unknown", request("frobnicate"), "unknown request");
  expect_error("show alone", request("show"), "usage: show");
  expect_error("show what", request("show everything"), "usage: show");
  expect_error("show mfe extra", request("show mfe stats extra"),
               "usage: show");
  expect_error("show log since", request("show log since x"), "usage");
  expect_error("ping args", request("ping pong"), "unknown request");
  expect_error("reload args", request("reload now"), "unknown request");
  expect_error("sim alone", request("sim"), "unknown sim request");
  expect_error("sim inject short", request("sim inject up0"), "usage");
  expect_error("sim inject if",
               request("sim inject eth9 10.1.0.5 "
                       "239.1.1.1"),
               "unknown interface 'eth9'");
  expect_error("sim inject src", request("sim inject up0 10.1.0 239.1.1.1"),
               "bad source");
  expect_error("sim inject grp", request("sim inject up0 10.1.0.5 10.1.1.1"),
               "bad group");
  expect_error("sim inject opt",
               request("sim inject up0 10.1.0.5 239.1.1.1 "
                       "ttl 0"),
               "bad value");
  expect_error("sim inject odd",
               request("sim inject up0 10.1.0.5 239.1.1.1 "
                       "ttl"),
               "usage");
  expect_error("sim igmp verb", request("sim igmp dance lan2 239.1.1.1"),
               "usage");
  expect_error("sim igmp v1 leave",
               request("sim igmp leave lan2 239.1.1.1 "
                       "version 1"),
               "no leave");
  expect_error("sim igmp sources v2",
               request("sim igmp join lan2 239.1.1.1 "
                       "include 1.2.3.4"),
               "version 3");
  expect_error("sim igmp bad list",
               request("sim igmp join lan2 239.1.1.1 "
                       "version 3 include 1.2.3.4,,x"),
               "bad source list");
  expect_error("sim advance", request("sim advance soon"), "usage");
  expect_error("sim advance big", request("sim advance 99999h"), "usage");
  expect_error("sim link", request("sim link lan2 sideways"), "usage");
  expect_error("too many words",
               request("show a b c d e f g h i j k l m n o p q r s t u v w "
                       "x y z 1 2 3 4 5 6 7 8 9"),
               "too many words");
  /* an oversized line without a newline: error, then the socket closes */
  memset(big, 'A', sizeof(big));
  expect_error("oversized", exchange(big, sizeof(big), 0), "too long");
  /* no newline but a half-close counts as the request */
  jv_free(reply_of("half-close", exchange("ping", 4, 1), 1));
  /* connect and say nothing: nothing comes back (EOF), mgmd stays up */
  CHECK(exchange("", 0, 1) == NULL, "a reply to nothing");
  expect_alive("garbage");
  /* an idle client does not block the others */
  idle = connect_sock();
  CHECK(idle >= 0, "connect");
  expect_alive("an idle client");
  if (idle >= 0)
    close(idle);
  /* more clients than mgmd serves at once, all idle: the surplus waits in
   * the listen backlog; the idle ones are dropped after 5 s and the
   * waiting ping is served then */
  for (n = 0; n < 40; n++)
    if ((fds[n] = connect_sock()) < 0)
      break;
  CHECK(n >= 33, "only %d connections", n);
  jv_free(reply_of("ping behind 40 idle clients", request("ping"), 1));
  for (i = 0; i < n; i++)
    close(fds[i]);
  expect_alive("40 clients");
}

static const struct jv *find_mfe(const struct jv *v, const char *src,
                                 const char *grp) {
  const struct jv *list = jv_path(v, "result.mfes");
  size_t i;

  for (i = 0; i < jv_len(list); i++) {
    const struct jv *m = jv_at(list, i);

    if (strcmp(jv_str(jv_get(m, "source"), ""), src) == 0 &&
        strcmp(jv_str(jv_get(m, "group"), ""), grp) == 0)
      return m;
  }
  return NULL;
}

static void test_session(void) {
  struct jv *v;
  const struct jv *m, *oifs, *ifs;
  size_t i;
  int seen_lan2 = 0, lan2_igmp = 0;

  v = reply_of("show interfaces", request("show interfaces"), 1);
  ifs = jv_path(v, "result.interfaces");
  CHECK(jv_len(ifs) == 3, "%zu interfaces", jv_len(ifs));
  for (i = 0; i < jv_len(ifs); i++) {
    const struct jv *f = jv_at(ifs, i);

    if (strcmp(jv_str(jv_get(f, "name"), ""), "lan2") != 0)
      continue;
    seen_lan2 = 1;
    lan2_igmp = strcmp(jv_str(jv_path(f, "igmp_owner.name"), ""), "igmp") == 0;
    CHECK(strcmp(jv_str(jv_path(f, "owner.name"), ""), "static") == 0,
          "lan2 owner");
  }
  CHECK(seen_lan2 && lan2_igmp, "lan2 with IGMP co-owner");
  jv_free(v);

  v = reply_of("join", request("sim igmp join lan3 239.1.2.3"), 1);
  CHECK(jv_len(jv_path(v, "result.events")) > 0, "join: no events");
  jv_free(v);
  v = reply_of("join2", request("sim igmp join lan2 239.1.2.3"), 1);
  jv_free(v);
  v = reply_of("inject", request("sim inject up0 10.1.0.5 239.1.2.3 count 5"),
               1);
  CHECK(strcmp(jv_str(jv_path(v, "result.last.verdict"), ""), "forwarded") == 0,
        "verdict");
  jv_free(v);
  v = reply_of("mfe", request("show mfe stats"), 1);
  m = find_mfe(v, "10.1.0.5", "239.1.2.3");
  CHECK(m != NULL, "no MFE");
  if (m != NULL) {
    oifs = jv_get(m, "oifs");
    CHECK(jv_len(oifs) == 2 &&
              strcmp(jv_str(jv_get(jv_at(oifs, 0), "name"), ""), "lan2") == 0 &&
              strcmp(jv_str(jv_get(jv_at(oifs, 1), "name"), ""), "lan3") == 0,
          "oifs");
    CHECK(jv_int(jv_path(m, "stats.in_packets"), 0) == 5, "in_packets %lld",
          (long long)jv_int(jv_path(m, "stats.in_packets"), 0));
    CHECK(strcmp(jv_str(jv_path(m, "iif.name"), ""), "up0") == 0, "iif");
  }
  jv_free(v);
  v = reply_of("groups", request("show groups"), 1);
  CHECK(jv_len(jv_path(v, "result.memberships")) == 3, "%zu memberships",
        jv_len(jv_path(v, "result.memberships")));
  jv_free(v);
  v = reply_of("igmp", request("show igmp"), 1);
  CHECK(jv_bool(jv_path(v, "result.running"), 0), "igmp not running");
  jv_free(v);
  v = reply_of("status", request("show status"), 1);
  CHECK(jv_int(jv_path(v, "result.mfes"), 0) == 1, "status mfes");
  jv_free(v);
  jv_free(reply_of("advance", request("sim advance 10s"), 1));
}

static void test_reload(void) {
  struct jv *v;
  const struct jv *m;
  char *r;
  int i, ok = 0;

  CHECK(write_conf("join lan2 239.9.9.9") == 0, "write");
  kill(daemon_pid, SIGHUP);
  for (i = 0; i < 100 && !ok; i++) {
    usleep(20000);
    r = request("show groups");
    ok = r != NULL && strstr(r, "239.9.9.9") != NULL;
  }
  CHECK(ok, "SIGHUP did not add the new join");
  v = reply_of("mfe after reload", request("show mfe"), 1);
  m = find_mfe(v, "10.1.0.5", "239.1.2.3");
  CHECK(m != NULL && jv_int(jv_get(m, "uptime_s"), 0) >= 10,
        "the MFE did not survive the reload");
  jv_free(v);
  /* a broken file: reload refused, the running configuration stays */
  {
    FILE *f = fopen(conf_path, "a");

    if (f != NULL) {
      fputs("bogus statement\n", f);
      fclose(f);
    }
  }
  expect_error("reload broken", request("reload"), "[protocol static]: ");
  expect_error("reload broken", request("reload"),
               "mgmd.conf:17: unknown statement 'bogus'");
  expect_alive("a failed reload");
  v = reply_of("groups", request("show groups"), 1);
  CHECK(strstr(request("show groups"), "239.9.9.9") != NULL,
        "the running configuration changed");
  jv_free(v);
}

/* The number of events after since whose message contains needle. */
static int events_with(int64_t since, const char *needle) {
  char req[64];
  struct jv *v;
  const struct jv *ev;
  size_t i;
  int n = 0;

  snprintf(req, sizeof(req), "show log since %lld", (long long)since);
  v = reply_of("show log", request(req), 1);
  ev = jv_path(v, "result.events");
  for (i = 0; i < jv_len(ev); i++)
    if (strstr(jv_str(jv_get(jv_at(ev, i), "message"), ""), needle) != NULL)
      n++;
  jv_free(v);
  return n;
}

/* IGMP on a shared LAN: an IGMPv2 join in the SSM range creates no
 * membership and is counted; a link that goes down is named as such, not
 * as a backend that cannot send, and the resumed sends are said. */
static void test_igmp_lan(void) {
  struct jv *v;
  const struct jv *ifs, *x = NULL, *oq;
  int64_t last;
  size_t i;

  jv_free(reply_of("ssm join",
                   request("sim igmp join lan3 232.1.2.3 version 2"), 1));
  CHECK(strstr(request("show groups"), "232.1.2.3") == NULL,
        "an IGMPv2 join made a membership in the SSM range");
  v = reply_of("show igmp", request("show igmp"), 1);
  CHECK(strcmp(jv_str(jv_path(v, "result.ssm_range"), ""), "232.0.0.0/8") == 0,
        "ssm_range");
  CHECK(jv_int(jv_path(v, "result.query_interval_advertised_s"), 0) == 125,
        "advertised query interval");
  ifs = jv_path(v, "result.interfaces");
  for (i = 0; i < jv_len(ifs); i++)
    if (strcmp(jv_str(jv_get(jv_at(ifs, i), "name"), ""), "lan3") == 0)
      x = jv_at(ifs, i);
  CHECK(x != NULL, "no lan3 in show igmp");
  if (x != NULL) {
    CHECK(jv_int(jv_path(x, "counters.rx_ssm_ignored"), -1) == 1,
          "rx_ssm_ignored %lld",
          (long long)jv_int(jv_path(x, "counters.rx_ssm_ignored"), -1));
    oq = jv_get(x, "other_querier_expires_s");
    CHECK(oq != NULL && oq->type == JV_NULL, "querier with a timer");
  }
  jv_free(v);

  v = reply_of("show log", request("show log"), 1);
  last = jv_int(jv_path(v, "result.last"), 0);
  jv_free(v);
  jv_free(reply_of("link down", request("sim link lan3 down"), 1));
  jv_free(reply_of("advance", request("sim advance 130s"), 1));
  jv_free(reply_of("link up", request("sim link lan3 up"), 1));
  jv_free(reply_of("advance", request("sim advance 130s"), 1));
  CHECK(events_with(last, "lan3: cannot send IGMP messages: "
                          "ERROR_INVALID_PARAMETER (87): the interface is "
                          "down") == 1,
        "no (or more than one) link-down line");
  CHECK(events_with(last, "no queries go out") == 0,
        "a link that is down taken for a backend that cannot send");
  CHECK(events_with(last, "lan3: IGMP messages go out again") == 1,
        "the resumed sends were not said");
}

static void test_stop(void) {
  int status = -1;
  struct stat st;

  CHECK(kill(daemon_pid, SIGTERM) == 0, "kill");
  CHECK(waitpid(daemon_pid, &status, 0) == daemon_pid, "waitpid");
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
  daemon_pid = -1;
  CHECK(stat(sock_path, &st) != 0, "socket left behind");
  CHECK(stat(pid_path, &st) != 0, "pid file left behind");
}

static void dump_log(void) {
  char line[512];
  FILE *f = fopen(log_path, "r");

  if (f == NULL)
    return;
  fprintf(stderr, "---- mgmd log ----\n");
  while (fgets(line, sizeof(line), f))
    fputs(line, stderr);
  fclose(f);
}

int main(int argc, char **argv) {
  struct stat st;
  int rc;

  if (argc != 3) {
    fprintf(stderr, "usage: test_ctl MGMD PLUGIN_DIR\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  snprintf(dir, sizeof(dir), "%s/mgmd-test.XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (mkdtemp(dir) == NULL) {
    perror("mkdtemp");
    return 1;
  }
  snprintf(sock_path, sizeof(sock_path), "%s/s", dir);
  snprintf(pid_path, sizeof(pid_path), "%s/pid", dir);
  snprintf(conf_path, sizeof(conf_path), "%s/mgmd.conf", dir);
  snprintf(log_path, sizeof(log_path), "%s/log", dir);
  CHECK(write_conf("") == 0, "write");
  if (start_daemon(argv[1], argv[2]) != 0) {
    CHECK(0, "mgmd did not start");
  } else {
    CHECK(stat(sock_path, &st) == 0 && (st.st_mode & 0777) == 0600,
          "socket mode %o", (unsigned)(st.st_mode & 0777));
    test_garbage();
    test_session();
    test_reload();
    test_igmp_lan();
    test_stop();
  }
  if (daemon_pid > 0) {
    kill(daemon_pid, SIGKILL);
    waitpid(daemon_pid, NULL, 0);
  }
  rc = check_report("test_ctl");
  if (rc != 0)
    dump_log();
  unlink(log_path);
  unlink(conf_path);
  unlink(sock_path);
  unlink(pid_path);
  rmdir(dir);
  return rc;
}
