/*
 * main.c - mgmd, a multicast router daemon running one libmgm instance:
 * command line, start-up in the seed order (forwarder, IGMP, protocol
 * plug-ins), the poll loop (signals, control socket, IGMP timers, work
 * posted by other threads), SIGHUP reload and the clean shutdown that
 * leaves no kernel state behind.
 *
 * SPDX-License-Identifier: MIT
 *
 * Map: options and defaults; pid file; start; stop; the loop; main().
 * The services the other files use live apart: the work queue, wake-up
 * and stop request in tasks.c, protocol names in known.c, the reload in
 * reload.c; none of them calls back into this file.
 */
#define _GNU_SOURCE 1

#include "notify.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <routprot.h>

#define WATCH_MS 2000 /* watcher period on kernel backends */
#define MAX_POLL 48

struct options {
  const char *config;
  const char *backend;
  const char *socket;
  const char *pidfile;
  int use_syslog;
  int verbose; /* +1 debug, -1 quiet */
  int check;
  int print_default;
};

static int sig_pipe[2] = {-1, -1};
static int wake_pipe[2] = {-1, -1};

/* ---- options and defaults
 * ------------------------------------------------------- */

static void usage(FILE *f) {
  fprintf(f,
          "Usage: mgmd [OPTIONS] [CONFIG]\n"
          "A multicast router on libmgm: the IGMP component and protocol "
          "plug-ins.\n\n"
          "  -c, --config FILE      configuration file (or CONFIG); without "
          "one,\n"
          "                         the built-in configuration "
          "(--print-default-config)\n"
          "  -b, --backend NAME     linux (default), bsd or sim; overrides the "
          "file\n"
          "  -s, --socket PATH      control socket (default: /run/mgmd.sock as "
          "root,\n"
          "                         else $XDG_RUNTIME_DIR/mgmd.sock or "
          "/tmp/mgmd-UID.sock)\n"
          "  -p, --pidfile PATH     write the process id to PATH\n"
          "  -P, --plugin-dir DIR   look for plug-ins in DIR first "
          "(repeatable)\n"
          "      --syslog           log to syslog (daemon facility) instead of "
          "stderr\n"
          "  -v, --verbose          debug messages       -q, --quiet   "
          "warnings and errors only\n"
          "      --check            check the configuration and plug-ins, then "
          "exit\n"
          "      --print-default-config   print the built-in configuration\n"
          "  -h, --help             this text           -V, --version\n\n"
          "Signals: TERM/INT stop cleanly, HUP reloads the configuration.\n"
          "Reference: tools/mgmd/README.md; inspect with mgmctl.\n");
}

static void default_socket(char *buf, size_t len) {
  const char *rt = getenv("XDG_RUNTIME_DIR");

  if (geteuid() == 0)
    snprintf(buf, len, "/run/mgmd.sock");
  else if (rt != NULL && rt[0] == '/')
    snprintf(buf, len, "%s/mgmd.sock", rt);
  else
    snprintf(buf, len, "/tmp/mgmd-%u.sock", (unsigned)geteuid());
}

static int parse_options(int argc, char **argv, struct options *o,
                         struct mgmd *d) {
  static const struct option longs[] = {
      {"config", required_argument, NULL, 'c'},
      {"backend", required_argument, NULL, 'b'},
      {"socket", required_argument, NULL, 's'},
      {"pidfile", required_argument, NULL, 'p'},
      {"plugin-dir", required_argument, NULL, 'P'},
      {"syslog", no_argument, NULL, 'L'},
      {"verbose", no_argument, NULL, 'v'},
      {"quiet", no_argument, NULL, 'q'},
      {"check", no_argument, NULL, 'C'},
      {"print-default-config", no_argument, NULL, 'D'},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, 'V'},
      {NULL, 0, NULL, 0}};
  int ch, rc = 0;

  memset(o, 0, sizeof(*o));
  while ((ch = getopt_long(argc, argv, "c:b:s:p:P:vqhV", longs, NULL)) != -1) {
    switch (ch) {
    case 'c':
      o->config = optarg;
      break;
    case 'b':
      o->backend = optarg;
      break;
    case 's':
      o->socket = optarg;
      break;
    case 'p':
      o->pidfile = optarg;
      break;
    case 'P':
      if (d->n_plugin_dirs < MGMD_MAX_PLUGIN_DIRS)
        d->plugin_dirs[d->n_plugin_dirs++] = optarg;
      break;
    case 'L':
      o->use_syslog = 1;
      break;
    case 'v':
      o->verbose = 1;
      break;
    case 'q':
      o->verbose = -1;
      break;
    case 'C':
      o->check = 1;
      break;
    case 'D':
      o->print_default = 1;
      break;
    case 'h':
      usage(stdout);
      exit(0);
    case 'V':
      printf("mgmd %s (libmgm %d.%d.%d, plug-in ABI %u)\n", MGMD_VERSION,
             LIBMGM_VERSION_MAJOR, LIBMGM_VERSION_MINOR, LIBMGM_VERSION_PATCH,
             (unsigned)MGMD_PLUGIN_ABI);
      exit(0);
    default:
      rc = -1;
    }
  }
  if (rc == 0 && optind < argc) {
    if (o->config != NULL || optind + 1 < argc) {
      fprintf(stderr, "mgmd: one configuration file only\n");
      rc = -1;
    } else {
      o->config = argv[optind];
    }
  }
  if (rc == 0 && o->backend && strcmp(o->backend, "linux") != 0 &&
      strcmp(o->backend, "bsd") != 0 && strcmp(o->backend, "sim") != 0) {
    fprintf(stderr, "mgmd: unknown backend '%s' (linux, bsd, sim)\n",
            o->backend);
    rc = -1;
  }
  if (rc != 0)
    usage(stderr);
  return rc;
}

static const char *backend_of(const struct options *o,
                              const struct mgmd_conf *c) {
#ifdef __linux__
  const char *platform = "linux";
#else
  const char *platform = "bsd";
#endif

  return o->backend ? o->backend : c->backend[0] ? c->backend : platform;
}

/* ---- pid file
 * --------------------------------------------------------------------- */

static int pidfile_write(const char *path, char *err, size_t errlen) {
  char buf[32];
  int fd, n, rc = -1;

  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    snprintf(err, errlen, "pid file %s: %s", path, strerror(errno));
    goto out;
  }
  n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
  if (write(fd, buf, (size_t)n) != n) {
    snprintf(err, errlen, "pid file %s: %s", path, strerror(errno));
    goto out;
  }
  rc = 0;
out:
  if (fd >= 0)
    close(fd);
  return rc;
}

static void pidfile_remove(const char *path) {
  char buf[32];
  FILE *f = fopen(path, "r");
  long pid = 0;

  if (f == NULL)
    return;
  if (fgets(buf, sizeof(buf), f) != NULL)
    pid = strtol(buf, NULL, 10);
  fclose(f);
  if (pid == (long)getpid())
    unlink(path);
}

/* ---- start and stop
 * --------------------------------------------------------------- */

static void on_signal(int sig) {
  char b = (char)sig;
  ssize_t w;
  int saved = errno;

  w = write(sig_pipe[1], &b, 1);
  (void)w;
  errno = saved;
}

static int make_pipe(int p[2]) {
  int i, rc = pipe(p) == 0 ? 0 : -1;

  for (i = 0; i < 2 && rc == 0; i++)
    if (fcntl(p[i], F_SETFL, fcntl(p[i], F_GETFL) | O_NONBLOCK) != 0 ||
        fcntl(p[i], F_SETFD, FD_CLOEXEC) != 0)
      rc = -1;
  return rc;
}

static const char *start_error(DWORD rc, const char *backend) {
  switch (rc) {
  case ERROR_ACCESS_DENIED:
    return "no privilege for the kernel forwarder (run as root, or try "
           "--backend sim)";
  case ERROR_BUSY:
    return "another multicast router owns the kernel's multicast table "
           "(stop it, or use another 'table')";
  case ERROR_NOT_SUPPORTED:
    return "this kernel has no multicast routing";
  case ERROR_INVALID_PARAMETER:
    return "unknown backend or bad parameters (is the backend compiled in?)";
  default:
    return "see the libmgm messages above";
  }
}

static int start(struct mgmd *d, char *err, size_t errlen) {
  struct libmgm_config cfg;
  struct sigaction sa;
  DWORD rc;
  int ret = -1;

  if (make_pipe(sig_pipe) != 0 || make_pipe(wake_pipe) != 0) {
    snprintf(err, errlen, "pipe: %s", strerror(errno));
    goto out;
  }
  mgmd_tasks_init(wake_pipe[1]);
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  sa.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &sa, NULL);
  if (mgmd_ctl_open(d->sock_path, d->conf->socket_group, err, errlen) != 0)
    goto out;
  libmgm_config_init(&cfg);
  cfg.backend = d->backend;
  cfg.table = d->conf->table;
  cfg.mfe_lifetime_s = d->conf->mfe_lifetime_s;
  cfg.strict = d->conf->strict;
  cfg.wrongif_alerts = d->conf->wrongif_alerts;
  cfg.log = d->conf->libmgm_log[0] ? d->conf->libmgm_log : "warn";
  cfg.log_fn = mgmd_log_libmgm;
  cfg.log_ctx = d;
  rc = libmgm_start(&cfg);
  if (rc != NO_ERROR) {
    snprintf(err, errlen,
             "libmgm_start(backend %s) failed with error %lu: "
             "%s",
             d->backend, (unsigned long)rc, start_error(rc, d->backend));
    goto out;
  }
  d->started = 1;
  mgmd_clock_init(d->is_sim);
  d->start_ms = mgmd_now();
  mgmd_log(MGMD_LOG_INFO, "mgmd", "libmgm started on the %s backend%s",
           d->backend,
           d->is_sim ? " (simulated forwarder, virtual clock)" : "");
  libmgm_set_ctrl_hook(mgmd_igmp_ctrl_hook, d);
  if (d->is_sim) {
    libmgm_sim_set_tx_hook(mgmd_sim_tx_hook, d);
    if (mgmd_sim_apply(d, NULL, d->conf, 1, err, errlen) != 0)
      goto out;
  }
  /* From here on IGMP and the plug-ins follow interfaces by name; the
   * [sim] interfaces made above are in their configuration already. */
  libmgm_set_if_hook(mgmd_ifs_hook, d);
  mgmd_watch(d);
  if (mgmd_igmp_start(d, d->conf, err, errlen) != 0)
    goto out;
  mgmd_settle(d);
  mgmd_watch(d);
  if (mgmd_plugins_start(d, d->conf, err, errlen) != 0)
    goto out;
  mgmd_settle(d);
  mgmd_watch(d);
  ret = 0;
out:
  return ret;
}

static int stop(struct mgmd *d) {
  DWORD rc, entries = 0, slots = 0;
  int ret = 0;

  if (d->started) {
    mgmd_log(MGMD_LOG_INFO, "mgmd",
             "shutting down: protocols release "
             "their interfaces and deregister");
    libmgm_set_if_hook(NULL, NULL); /* events already posted still run */
    mgmd_plugins_stop(d);
    mgmd_settle(d);
    mgmd_igmp_stop(d);
    mgmd_settle(d);
    mgmd_watch(d);
    libmgm_set_ctrl_hook(NULL, NULL);
    if (d->is_sim) {
      libmgm_sim_set_tx_hook(NULL, NULL);
      libmgm_sim_kernel_count(&entries, &slots);
      mgmd_log(MGMD_LOG_INFO, "mgmd",
               "simulated kernel before libmgm_stop: "
               "%u forwarding entries, %u interface slots",
               (unsigned)entries, (unsigned)slots);
    }
    rc = libmgm_stop();
    if (rc != NO_ERROR) {
      mgmd_log(MGMD_LOG_ERROR, "mgmd",
               "libmgm_stop failed with error %lu "
               "(a protocol is still registered); the kernel drops our "
               "entries when the process exits",
               (unsigned long)rc);
      ret = -1;
    } else {
      mgmd_log(MGMD_LOG_INFO, "mgmd",
               "libmgm stopped: forwarding entries "
               "and interface slots removed from the %s forwarder",
               d->backend);
    }
    d->started = 0;
    mgmd_post_cancel(NULL);
    mgmd_tasks_run(); /* nothing of libmgm's can post any more; free the rest */
    mgmd_plugins_unload_all();
  }
  mgmd_watch_reset();
  mgmd_ctl_close();
  return ret;
}

/* ---- the loop
 * ---------------------------------------------------------------------- */

static void loop(struct mgmd *d) {
  struct pollfd p[MAX_POLL];
  uint64_t next_watch = mgmd_now() + WATCH_MS;
  char buf[64], err[MGMD_ERR_MAX];

  while (!mgmd_stop_requested()) {
    size_t n = 0;
    int timeout = mgmd_ctl_timeout_ms(), r;
    ssize_t k;
    uint64_t now;

    p[n].fd = sig_pipe[0];
    p[n++].events = POLLIN;
    p[n].fd = wake_pipe[0];
    p[n++].events = POLLIN;
    n += mgmd_ctl_pollfds(&p[n], MAX_POLL - n);
    if (!d->is_sim) {
      uint64_t dl = mgmd_igmp_deadline(d), t;

      now = mgmd_now();
      t = dl < next_watch ? dl : next_watch;
      t = t > now ? t - now : 0;
      if (timeout < 0 || (uint64_t)timeout > t)
        timeout = t > 60000 ? 60000 : (int)t;
    }
    r = poll(p, n, timeout);
    if (r < 0 && errno != EINTR) {
      mgmd_log(MGMD_LOG_ERROR, "mgmd", "poll: %s", strerror(errno));
      break;
    }
    if (r > 0 && (p[0].revents & POLLIN)) {
      while ((k = read(sig_pipe[0], buf, sizeof(buf))) > 0) {
        ssize_t i;

        for (i = 0; i < k; i++) {
          if (buf[i] == SIGHUP) {
            mgmd_reload(d, err, sizeof(err));
            mgmd_watch(d);
          } else {
            mgmd_log(MGMD_LOG_INFO, "mgmd", "signal %d: stopping", (int)buf[i]);
            mgmd_request_stop();
          }
        }
      }
    }
    if (mgmd_stop_requested())
      break;
    if (r > 0 && (p[1].revents & POLLIN)) {
      while (read(wake_pipe[0], buf, sizeof(buf)) > 0)
        ;
      mgmd_settle(d);
      mgmd_watch(d);
    }
    mgmd_ctl_handle(d, &p[2], n - 2);
    if (!d->is_sim) {
      now = mgmd_now();
      if (now >= mgmd_igmp_deadline(d))
        mgmd_settle(d);
      if (now >= next_watch) {
        mgmd_watch(d);
        next_watch = now + WATCH_MS;
      }
    }
  }
}

static void print_check(const struct mgmd *d) {
  const struct mgmd_conf *c = d->conf;
  size_t i;

  printf("%s: configuration OK: backend %s", c->source, d->backend);
  if (d->is_sim)
    printf(", %zu sim interface%s, %zu route%s", c->n_simifs,
           c->n_simifs == 1 ? "" : "s", c->n_routes,
           c->n_routes == 1 ? "" : "s");
  if (c->igmp.present) {
    printf(", IGMPv%u on", (unsigned)c->igmp.version);
    for (i = 0; i < c->igmp.n_ifs; i++)
      printf(" %s%s", c->igmp.ifs[i].name,
             c->igmp.ifs[i].role == MGMD_IGMP_UPSTREAM ? "(upstream)" : "");
    if (!mgmd_igmp_available())
      printf(" (IGMP not built in: ignored)");
  }
  for (i = 0; i < c->n_protos; i++)
    printf("%s%s (%s)", i ? ", " : ", protocols: ", c->protos[i].name,
           c->protos[i].plugin);
  printf("\n");
}

int main(int argc, char **argv) {
  static struct mgmd d;
  struct options o;
  char err[MGMD_ERR_MAX];
  int rc = 1, level;

  err[0] = '\0';
  mgmd_clock_init(0);
  if (parse_options(argc, argv, &o, &d) != 0) {
    rc = 2;
    goto out;
  }
  if (o.print_default) {
    fputs(mgmd_conf_builtin, stdout);
    rc = 0;
    goto out;
  }
  if (mgmd_conf_load_or_builtin(o.config, &d.conf, err, sizeof(err)) != 0)
    goto out;
  snprintf(d.conf_path, sizeof(d.conf_path), "%s", o.config ? o.config : "");
  snprintf(d.backend, sizeof(d.backend), "%s", backend_of(&o, d.conf));
  d.is_sim = strcmp(d.backend, "sim") == 0;
  mgmd_clock_init(d.is_sim);
  if (mgmd_conf_validate(d.conf, d.backend, err, sizeof(err)) != 0)
    goto out;
  level = o.verbose > 0   ? MGMD_LOG_DEBUG
          : o.verbose < 0 ? MGMD_LOG_WARN
                          : d.conf->log_level;
  mgmd_log_open(o.use_syslog && !o.check, level, !o.use_syslog || o.check);
  if (d.is_sim)
    mgmd_ifs_set_sim(d.conf);
  if (o.check) {
    if (mgmd_plugins_check(&d, d.conf, err, sizeof(err)) != 0)
      goto out;
    print_check(&d);
    rc = 0;
    goto out;
  }
  snprintf(d.sock_path, sizeof(d.sock_path), "%s",
           o.socket ? o.socket : d.conf->socket);
  if (d.sock_path[0] == '\0')
    default_socket(d.sock_path, sizeof(d.sock_path));
  snprintf(d.pid_path, sizeof(d.pid_path), "%s",
           o.pidfile ? o.pidfile : d.conf->pidfile);
  mgmd_log(MGMD_LOG_INFO, "mgmd",
           "mgmd %s starting: configuration %s, "
           "backend %s",
           MGMD_VERSION, o.config ? o.config : "(built-in)", d.backend);
  if (start(&d, err, sizeof(err)) != 0)
    goto stop;
  if (d.pid_path[0] && pidfile_write(d.pid_path, err, sizeof(err)) != 0)
    goto stop;
  mgmd_log(MGMD_LOG_INFO, "mgmd", "ready: control socket %s, pid %ld",
           d.sock_path, (long)getpid());
  mgmd_notify("READY=1");
  loop(&d);
  mgmd_notify("STOPPING=1");
  rc = 0;
stop:
  if (rc != 0 && err[0])
    mgmd_log(MGMD_LOG_ERROR, "mgmd", "%s", err);
  if (stop(&d) != 0)
    rc = 1;
  if (d.pid_path[0])
    pidfile_remove(d.pid_path);
  mgmd_log(MGMD_LOG_INFO, "mgmd", "exit (status %d)", rc);
  err[0] = '\0';
out:
  if (err[0])
    fprintf(stderr, "mgmd: %s\n", err);
  mgmd_conf_free(d.conf);
  mgmd_log_close();
  return rc;
}
