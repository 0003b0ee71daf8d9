/*
 * ctl.c - mgmd's control socket: a Unix-domain stream socket (mode 0600,
 * or 0660 with the configured socket-group as its group) where each
 * connection carries one request line and gets one JSON reply
 * line (protocol in tools/mgmd/README.md), served from mgmd's poll loop
 * without ever blocking on a client.
 *
 * SPDX-License-Identifier: MIT
 *
 * Hostile input is expected: requests are length-limited, must be
 * printable ASCII, are split into at most MAX_WORDS words, and every
 * failure is an {"ok":false,"error":...} reply; a client that neither
 * finishes its request nor reads its reply within IDLE_MS is dropped.  On
 * Linux the peer's uid must be root or mgmd's own, or the peer must be in
 * the socket-group (SO_PEERCRED, SO_PEERGROUPS), on top of the socket
 * file's mode.
 */
#define _GNU_SOURCE 1

#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 32
#define REQ_MAX 4096
#define IDLE_MS 5000
#define MAX_WORDS 32

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* SIGPIPE is ignored anyway */
#endif

struct client {
  int fd; /* -1 = free */
  char in[REQ_MAX + 1];
  size_t in_len;
  char *out; /* reply being written, NULL while reading */
  size_t out_len, out_off;
  int draining;      /* reply sent: discard input until the peer closes */
  uint64_t deadline; /* monotonic ms: dropped after this */
};

static int listen_fd = -1;
static gid_t listen_gid = (gid_t)-1; /* the socket-group; -1 = none */
static char listen_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static struct client clients[MAX_CLIENTS];
static int clients_init;

static uint64_t mono(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);

  return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
                 fcntl(fd, F_SETFD, FD_CLOEXEC) < 0
             ? -1
             : 0;
}

/* The gid of a group name or number (the socket-group statement). */
static int group_id(const char *group, gid_t *gid, char *err, size_t errlen) {
  struct group gr, *res = NULL;
  char buf[4096], *end;
  unsigned long v;
  int rc = -1, e;

  if (group[0] >= '0' && group[0] <= '9') {
    errno = 0;
    v = strtoul(group, &end, 10);
    if (errno == 0 && *end == '\0' && v < (unsigned long)(gid_t)-1) {
      *gid = (gid_t)v;
      rc = 0;
    } else {
      snprintf(err, errlen, "socket-group %s: not a group number", group);
    }
    goto out;
  }
  e = getgrnam_r(group, &gr, buf, sizeof(buf), &res);
  if (res == NULL) {
    snprintf(err, errlen, "socket-group %s: %s", group,
             e != 0 ? strerror(e) : "no such group");
    goto out;
  }
  *gid = gr.gr_gid;
  rc = 0;
out:
  return rc;
}

int mgmd_ctl_open(const char *path, const char *group, char *err,
                  size_t errlen) {
  struct sockaddr_un sa;
  struct stat st;
  mode_t old_mask;
  gid_t gid = (gid_t)-1;
  int fd = -1, probe = -1, rc = -1, i;

  if (!clients_init) {
    for (i = 0; i < MAX_CLIENTS; i++)
      clients[i].fd = -1;
    clients_init = 1;
  }
  memset(&sa, 0, sizeof(sa));
  sa.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof(sa.sun_path)) {
    snprintf(err, errlen,
             "control socket path too long (at most %zu "
             "bytes): %s",
             sizeof(sa.sun_path) - 1, path);
    goto out;
  }
  memcpy(sa.sun_path, path, strlen(path) + 1);
  if (group != NULL && group[0] != '\0' &&
      group_id(group, &gid, err, errlen) != 0)
    goto out;
  if (lstat(path, &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      snprintf(err, errlen, "%s exists and is not a socket", path);
      goto out;
    }
    probe = socket(AF_UNIX, SOCK_STREAM, 0);
    if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
      snprintf(err, errlen, "another mgmd answers on %s", path);
      goto out;
    }
    unlink(path); /* stale: its daemon is gone */
  }
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0 || set_nonblock(fd) != 0) {
    snprintf(err, errlen, "socket: %s", strerror(errno));
    goto out;
  }
  old_mask = umask(0177);
  if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
    snprintf(err, errlen, "cannot bind the control socket %s: %s", path,
             strerror(errno));
    umask(old_mask);
    goto out;
  }
  umask(old_mask);
  /* Group members may connect: the group is set before the mode opens. */
  if (gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) != 0) {
    snprintf(err, errlen,
             "control socket %s: cannot give it to group %s: %s "
             "(mgmd must be a member of it)",
             path, group, strerror(errno));
    unlink(path);
    goto out;
  }
  if (chmod(path, gid != (gid_t)-1 ? 0660 : 0600) != 0 || listen(fd, 16) != 0) {
    snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
    unlink(path);
    goto out;
  }
  snprintf(listen_path, sizeof(listen_path), "%s", path);
  listen_gid = gid;
  listen_fd = fd;
  fd = -1;
  rc = 0;
out:
  if (probe >= 0)
    close(probe);
  if (fd >= 0)
    close(fd);
  return rc;
}

static void drop(struct client *c) {
  if (c->fd >= 0)
    close(c->fd);
  free(c->out);
  c->out = NULL;
  c->fd = -1;
  c->in_len = 0;
  c->draining = 0;
}

static int free_slot(void) {
  int i, slot = -1;

  for (i = 0; i < MAX_CLIENTS && slot < 0; i++)
    if (clients[i].fd < 0)
      slot = i;
  return slot;
}

void mgmd_ctl_close(void) {
  int i;

  for (i = 0; clients_init && i < MAX_CLIENTS; i++)
    if (clients[i].fd >= 0)
      drop(&clients[i]);
  if (listen_fd >= 0) {
    close(listen_fd);
    unlink(listen_path);
  }
  listen_fd = -1;
  listen_gid = (gid_t)-1;
}

/* ---- replies
 * -------------------------------------------------------------------- */

static char *error_reply(const char *msg) {
  struct jw j;

  jw_init(&j);
  jw_obj(&j);
  jw_ku64(&j, "mgmd", MGMD_PROTO_VERSION);
  jw_kbool(&j, "ok", 0);
  jw_kstr(&j, "error", msg);
  jw_obj_end(&j);
  jw_raw(&j, "\n");
  return jw_take(&j);
}

static char *ok_reply(char *body) {
  static const char pre[] = "{\"mgmd\":1,\"ok\":true,\"result\":";
  size_t n = strlen(body);
  char *r = malloc(sizeof(pre) + n + 3);

  if (r != NULL) {
    memcpy(r, pre, sizeof(pre) - 1);
    memcpy(r + sizeof(pre) - 1, body, n);
    memcpy(r + sizeof(pre) - 1 + n, "}\n", 3);
  }
  return r;
}

static int req_help(struct jw *j) {
  static const char *const lines[] = {
      "ping",
      "version",
      "show status",
      "show protocols",
      "show interfaces",
      "show groups",
      "show mfe [stats]",
      "show igmp",
      "show log [since SEQ]",
      "reload",
      "sim inject INTERFACE SOURCE GROUP [ttl N] [len BYTES] [count N]",
      ("sim igmp join|leave INTERFACE GROUP [version 1|2|3] [from ADDRESS] "
       "[include|exclude|sources S,S...]"),
      "sim advance DURATION",
      "sim link INTERFACE up|down",
  };
  size_t i;

  jw_key(j, "requests");
  jw_arr(j);
  for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
    jw_str(j, lines[i]);
  jw_arr_end(j);
  return 0;
}

char *mgmd_ctl_execute(struct mgmd *d, const char *line) {
  char buf[REQ_MAX + 1], err[MGMD_ERR_MAX], *w[MAX_WORDS + 1], *tok,
      *save = NULL, *reply = NULL, *body = NULL;
  struct jw j;
  size_t n = strlen(line), i;
  uint64_t seq0 = mgmd_events_last();
  int nw = 0, rc = -1, changes = 0;

  jw_init(&j);
  err[0] = '\0';
  if (n > REQ_MAX) {
    snprintf(err, sizeof(err), "request too long (at most %d bytes)", REQ_MAX);
    goto out;
  }
  memcpy(buf, line, n + 1);
  while (n > 0 && (buf[n - 1] == '\r' || buf[n - 1] == '\n'))
    buf[--n] = '\0';
  for (i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)buf[i];

    if ((ch < 0x20 && ch != '\t') || ch >= 0x7f) {
      snprintf(err, sizeof(err),
               "request contains a non-printable byte "
               "(0x%02x at offset %zu)",
               ch, i);
      goto out;
    }
  }
  for (tok = strtok_r(buf, " \t", &save); tok && nw <= MAX_WORDS;
       tok = strtok_r(NULL, " \t", &save))
    w[nw++] = tok;
  if (nw == 0) {
    snprintf(err, sizeof(err), "empty request (try: help)");
    goto out;
  }
  if (nw > MAX_WORDS) {
    snprintf(err, sizeof(err), "too many words (at most %d)", MAX_WORDS);
    goto out;
  }
  jw_obj(&j);
  if (strcmp(w[0], "ping") == 0 && nw == 1) {
    jw_kbool(&j, "pong", 1);
    rc = 0;
  } else if (strcmp(w[0], "version") == 0 && nw == 1) {
    jw_kstr(&j, "mgmd", MGMD_VERSION);
    jw_ku64(&j, "protocol", MGMD_PROTO_VERSION);
    jw_ku64(&j, "plugin_abi", MGMD_PLUGIN_ABI);
    jw_kstr(&j, "backend", d->backend);
    rc = 0;
  } else if (strcmp(w[0], "help") == 0 && nw == 1) {
    rc = req_help(&j);
  } else if (strcmp(w[0], "show") == 0) {
    rc = mgmd_show(d, nw, w, &j, err, sizeof(err));
  } else if (strcmp(w[0], "sim") == 0) {
    changes = 1;
    rc = mgmd_sim_request(d, nw, w, &j, err, sizeof(err));
  } else if (strcmp(w[0], "reload") == 0 && nw == 1) {
    changes = 1;
    rc = mgmd_reload(d, err, sizeof(err));
    jw_kbool(&j, "reloaded", rc == 0);
  } else {
    snprintf(err, sizeof(err), "unknown request '%.64s' (try: help)", w[0]);
  }
  if (changes) {
    mgmd_settle(d);
    mgmd_watch(d);
  }
  if (rc == 0 && changes) {
    jw_key(&j, "events");
    mgmd_events_json(&j, seq0);
  }
  jw_obj_end(&j);
  if (rc == 0) {
    body = jw_take(&j);
    reply = body ? ok_reply(body) : NULL;
    if (reply == NULL)
      snprintf(err, sizeof(err), "out of memory");
  }
out:
  if (reply == NULL)
    reply = error_reply(err[0] ? err : "internal error");
  free(body);
  jw_free(&j);
  return reply;
}

/* ---- the poll loop's side
 * ------------------------------------------------------ */

#ifdef SO_PEERCRED
/* Whether the peer has the socket-group as its group or among its
 * supplementary groups (SO_PEERGROUPS, Linux 4.13; without it, the
 * socket file's group and mode are the check). */
static int peer_in_group(int fd, const struct ucred *uc) {
  int in = 0;
#ifdef SO_PEERGROUPS
  gid_t groups[256];
  socklen_t len = sizeof(groups);
  size_t i;
#endif

  if (listen_gid == (gid_t)-1)
    goto out;
  in = uc->gid == listen_gid;
#ifdef SO_PEERGROUPS
  if (!in && getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0)
    in = 1; /* cannot tell (too many groups): the file mode decided */
  for (i = 0; !in && i < len / sizeof(groups[0]); i++)
    in = groups[i] == listen_gid;
#else
  in = 1;
#endif
out:
  return in;
}
#endif

static int peer_allowed(int fd) {
  int ok = 1; /* without SO_PEERCRED, the socket file's mode is the check */
#ifdef SO_PEERCRED
  struct ucred uc;
  socklen_t len = sizeof(uc);

  ok = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == 0 &&
       (uc.uid == 0 || uc.uid == geteuid() || peer_in_group(fd, &uc));
#endif
  return ok;
}

static void start_reply(struct client *c, char *reply) {
  free(c->out);
  c->out = reply;
  c->out_len = reply ? strlen(reply) : 0;
  c->out_off = 0;
  if (reply == NULL)
    drop(c);
}

/* Accept while there is room; beyond MAX_CLIENTS connections wait in the
 * listen backlog until a client finishes or idles out. */
static void accept_all(void) {
  int fd, i;

  while ((i = free_slot()) >= 0 && (fd = accept(listen_fd, NULL, NULL)) >= 0) {
    struct client *c = &clients[i];

    if (set_nonblock(fd) != 0) {
      close(fd);
      continue;
    }
    c->fd = fd;
    c->in_len = 0;
    c->out = NULL;
    c->draining = 0;
    c->deadline = mono() + IDLE_MS;
    if (!peer_allowed(fd))
      start_reply(c, error_reply("permission denied"));
  }
}

static void on_readable(struct mgmd *d, struct client *c) {
  char *nl, scratch[1024];
  ssize_t r;

  if (c->draining) {
    /* Closing with unread input would reset the connection before the
     * peer read our reply: wait for its close, discarding. */
    r = read(c->fd, scratch, sizeof(scratch));
    if (r == 0 ||
        (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
      drop(c);
    goto out;
  }
  r = read(c->fd, c->in + c->in_len, REQ_MAX - c->in_len);
  if (r < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      drop(c);
    goto out;
  }
  if (r == 0 && c->in_len == 0) {
    drop(c);
    goto out;
  }
  c->in_len += (size_t)r;
  /* a line, or everything the peer sent before its half-close */
  nl = r == 0 ? c->in + c->in_len : memchr(c->in, '\n', c->in_len);
  if (nl != NULL) {
    *nl = '\0';
    if (memchr(c->in, '\0', (size_t)(nl - c->in)) != NULL)
      start_reply(c, error_reply("request contains a NUL byte"));
    else
      start_reply(c, mgmd_ctl_execute(d, c->in));
  } else if (c->in_len >= REQ_MAX) {
    start_reply(c, error_reply("request too long (at most 4096 bytes)"));
  }
out:
  return;
}

static void on_writable(struct client *c) {
  ssize_t w =
      send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

  if (w < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      drop(c);
    return;
  }
  c->out_off += (size_t)w;
  if (c->out_off == c->out_len) {
    shutdown(c->fd, SHUT_WR);
    free(c->out);
    c->out = NULL;
    c->draining = 1;
  }
}

size_t mgmd_ctl_pollfds(void *pfds, size_t max) {
  struct pollfd *p = pfds;
  size_t n = 0;
  int i;

  if (listen_fd < 0 || max == 0)
    goto out;
  p[n].fd = listen_fd;
  p[n].events = free_slot() >= 0 ? POLLIN : 0; /* full: leave them queued */
  p[n].revents = 0;
  n++;
  for (i = 0; i < MAX_CLIENTS && n < max; i++) {
    if (clients[i].fd < 0)
      continue;
    p[n].fd = clients[i].fd;
    p[n].events = clients[i].out ? POLLOUT : POLLIN;
    p[n].revents = 0;
    n++;
  }
out:
  return n;
}

static struct client *by_fd(int fd) {
  struct client *c = NULL;
  int i;

  for (i = 0; i < MAX_CLIENTS && c == NULL; i++)
    if (clients[i].fd == fd)
      c = &clients[i];
  return c;
}

void mgmd_ctl_handle(struct mgmd *d, const void *pfds, size_t n) {
  const struct pollfd *p = pfds;
  uint64_t now = mono();
  size_t k;
  int i;

  for (k = 0; k < n; k++) {
    struct client *c;

    if (p[k].revents == 0)
      continue;
    if (p[k].fd == listen_fd) {
      accept_all();
      continue;
    }
    c = by_fd(p[k].fd);
    if (c == NULL)
      continue;
    if (c->out != NULL && (p[k].revents & (POLLOUT | POLLERR | POLLHUP)))
      on_writable(c);
    else if (c->out == NULL && (p[k].revents & (POLLIN | POLLERR | POLLHUP)))
      on_readable(d, c);
    else if (p[k].revents & POLLNVAL)
      drop(c);
  }
  for (i = 0; i < MAX_CLIENTS; i++)
    if (clients[i].fd >= 0 && now >= clients[i].deadline)
      drop(&clients[i]);
}

int mgmd_ctl_timeout_ms(void) {
  uint64_t now = mono(), first = UINT64_MAX;
  int i;

  for (i = 0; i < MAX_CLIENTS; i++)
    if (clients[i].fd >= 0 && clients[i].deadline < first)
      first = clients[i].deadline;
  return first == UINT64_MAX ? -1 : first <= now ? 0 : (int)(first - now);
}
