/*
 * main.c - mgmctl, the inspection tool of mgmd: turns its command line
 * into one control-protocol request, sends it over mgmd's Unix-domain
 * socket and prints the reply as tables (render.c) or, with --json, as
 * the reply's "result" object.
 *
 * SPDX-License-Identifier: MIT
 *
 * Exit status: 0 success, 1 mgmd answered with an error, 2 usage, 3 no
 * mgmd on the socket or a broken reply.
 */
#define _GNU_SOURCE 1

#include "mgmctl.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define REPLY_MAX (64u << 20)
/* The control socket of mgmd run by systemd (dist/mgmd.service.in). */
#define MGMCTL_SERVICE_SOCKET "/run/mgmd/mgmd.sock"
#define TIMEOUT_MS 30000

static void usage(FILE *f) {
  fprintf(
      f,
      "Usage: mgmctl [-s SOCKET] [--json] COMMAND\n"
      "Inspect a running mgmd (the multicast router on libmgm).\n\n"
      "  show protocols        registered MGM protocols and plug-ins\n"
      "  show interfaces       interfaces with their owner and IGMP "
      "co-owner\n"
      "  show groups           group memberships (IGMP latent ones too)\n"
      "  show mfe [--stats]    forwarding entries (with counters)\n"
      "  show igmp             the IGMP component: queriers, groups\n"
      "  show log [--since N]  what happened (events after number N)\n"
      "  show status           daemon status\n"
      "  reload                re-read the configuration (like SIGHUP)\n"
      "  sim inject IF SOURCE GROUP [ttl N] [len BYTES] [count N]\n"
      "  sim igmp join|leave IF GROUP [version 1|2|3] [from ADDR]\n"
      "                        [include|exclude|sources S,S...]\n"
      "  sim advance DURATION  (e.g. 2500ms, 30s, 15m)\n"
      "  sim link IF up|down   the sim backend only: play the network\n"
      "  ping | version | help\n"
      "  raw 'REQUEST'         send a request line as is, print the reply\n\n"
      "  -s, --socket PATH     mgmd's socket (default: $MGMD_SOCKET, else\n"
      "                        /run/mgmd.sock as root, "
      "$XDG_RUNTIME_DIR/mgmd.sock\n"
      "                        or /tmp/mgmd-UID.sock; where that is absent,\n"
      "                        the service's " MGMCTL_SERVICE_SOCKET ")\n"
      "  -j, --json            print the reply's JSON result "
      "(tools/mgmctl/README.md)\n");
}

static void default_socket(char *buf, size_t len) {
  const char *env = getenv("MGMD_SOCKET");
  const char *rt = getenv("XDG_RUNTIME_DIR");
  struct stat st;

  int own = env == NULL || env[0] == '\0';

  if (!own)
    snprintf(buf, len, "%s", env);
  else if (geteuid() == 0)
    snprintf(buf, len, "/run/mgmd.sock");
  else if (rt != NULL && rt[0] == '/')
    snprintf(buf, len, "%s/mgmd.sock", rt);
  else
    snprintf(buf, len, "/tmp/mgmd-%u.sock", (unsigned)geteuid());
  /* No mgmd of one's own there: the system service's (mgmd.service). */
  if (own && lstat(buf, &st) != 0 && lstat(MGMCTL_SERVICE_SOCKET, &st) == 0)
    snprintf(buf, len, "%s", MGMCTL_SERVICE_SOCKET);
}

static long left_ms(const struct timespec *end) {
  struct timespec now;

  clock_gettime(CLOCK_MONOTONIC, &now);
  return (long)(end->tv_sec - now.tv_sec) * 1000 +
         (end->tv_nsec - now.tv_nsec) / 1000000;
}

/* Send line (newline added) and read the whole reply. */
char *mgmctl_request(const char *path, const char *line, char *err,
                     size_t errlen) {
  struct sockaddr_un sa;
  struct timespec end;
  char *buf = NULL;
  size_t len = 0, cap = 0;
  int fd = -1, ok = 0;
  struct pollfd p;

  memset(&sa, 0, sizeof(sa));
  sa.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof(sa.sun_path)) {
    snprintf(err, errlen, "socket path too long: %s", path);
    goto out;
  }
  memcpy(sa.sun_path, path, strlen(path) + 1);
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
    snprintf(err, errlen, "cannot reach mgmd on %s: %s", path, strerror(errno));
    goto out;
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  end.tv_sec += TIMEOUT_MS / 1000;
  {
    size_t n = strlen(line), off = 0;
    char *msg = malloc(n + 2);

    if (msg == NULL) {
      snprintf(err, errlen, "out of memory");
      goto out;
    }
    memcpy(msg, line, n);
    msg[n] = '\n';
    while (off < n + 1) {
      ssize_t w = send(fd, msg + off, n + 1 - off, MSG_NOSIGNAL);

      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0) {
        snprintf(err, errlen, "sending to mgmd: %s", strerror(errno));
        free(msg);
        goto out;
      }
      off += (size_t)w;
    }
    free(msg);
  }
  for (;;) {
    ssize_t r;
    long t = left_ms(&end);

    if (len + 4096 + 1 > cap) {
      char *nb;

      cap = cap ? cap * 2 : 16384;
      if (cap > REPLY_MAX) {
        snprintf(err, errlen, "reply too large");
        goto out;
      }
      nb = realloc(buf, cap);
      if (nb == NULL) {
        snprintf(err, errlen, "out of memory");
        goto out;
      }
      buf = nb;
    }
    p.fd = fd;
    p.events = POLLIN;
    if (t <= 0 || poll(&p, 1, (int)t) == 0) {
      snprintf(err, errlen, "mgmd did not answer within %d s",
               TIMEOUT_MS / 1000);
      goto out;
    }
    r = read(fd, buf + len, cap - len - 1);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      snprintf(err, errlen, "reading from mgmd: %s", strerror(errno));
      goto out;
    }
    if (r == 0)
      break;
    len += (size_t)r;
  }
  if (len == 0) {
    snprintf(err, errlen, "mgmd closed the connection without a reply");
    goto out;
  }
  buf[len] = '\0';
  ok = 1;
out:
  if (fd >= 0)
    close(fd);
  if (!ok) {
    free(buf);
    buf = NULL;
  }
  return buf;
}

/* Append word to the request line. */
static int add(char *line, size_t cap, const char *word) {
  size_t n = strlen(line);
  int w = snprintf(line + n, cap - n, "%s%s", n ? " " : "", word);

  return w < 0 || (size_t)w >= cap - n ? -1 : 0;
}

int main(int argc, char **argv) {
  char sock[512], line[4096], err[512];
  const char *raw = NULL, *since = NULL;
  char *reply = NULL;
  struct jv *v = NULL;
  int json = 0, stats = 0, i, nw = 0, rc = 2;
  const char *words[64];

  sock[0] = line[0] = '\0';
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];

    if (strcmp(a, "-j") == 0 || strcmp(a, "--json") == 0) {
      json = 1;
    } else if (strcmp(a, "--stats") == 0) {
      stats = 1;
    } else if ((strcmp(a, "-s") == 0 || strcmp(a, "--socket") == 0) &&
               i + 1 < argc) {
      snprintf(sock, sizeof(sock), "%s", argv[++i]);
    } else if (strcmp(a, "--since") == 0 && i + 1 < argc) {
      since = argv[++i];
    } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout);
      rc = 0;
      goto out;
    } else if (a[0] == '-' && a[1] != '\0' && nw == 0) {
      fprintf(stderr, "mgmctl: unknown option %s\n", a);
      usage(stderr);
      goto out;
    } else if (nw < 64) {
      words[nw++] = a;
    }
  }
  if (nw == 0) {
    usage(stderr);
    goto out;
  }
  if (sock[0] == '\0')
    default_socket(sock, sizeof(sock));
  if (strcmp(words[0], "raw") == 0) {
    if (nw != 2) {
      fprintf(stderr, "mgmctl: raw takes one quoted request\n");
      goto out;
    }
    raw = words[1];
  } else {
    for (i = 0; i < nw; i++)
      if (add(line, sizeof(line), words[i]) != 0) {
        fprintf(stderr, "mgmctl: command too long\n");
        goto out;
      }
    if (stats && add(line, sizeof(line), "stats") != 0)
      goto out;
    if (since && (add(line, sizeof(line), "since") != 0 ||
                  add(line, sizeof(line), since) != 0))
      goto out;
  }
  reply = mgmctl_request(sock, raw ? raw : line, err, sizeof(err));
  if (reply == NULL) {
    fprintf(stderr, "mgmctl: %s\n", err);
    rc = 3;
    goto out;
  }
  if (raw) {
    fputs(reply, stdout);
    rc = 0;
    goto out;
  }
  v = jv_parse(reply, err, sizeof(err));
  if (v == NULL) {
    fprintf(stderr, "mgmctl: broken reply from mgmd (%s)\n", err);
    rc = 3;
    goto out;
  }
  if (!jv_bool(jv_get(v, "ok"), 0)) {
    fprintf(stderr, "mgmctl: %s\n",
            jv_str(jv_get(v, "error"), "mgmd reported an error"));
    rc = 1;
    goto out;
  }
  if (json)
    mgmctl_print_json(stdout, jv_get(v, "result"));
  else
    mgmctl_render(stdout, words, nw, jv_get(v, "result"));
  rc = 0;
out:
  jv_free(v);
  free(reply);
  return rc;
}
