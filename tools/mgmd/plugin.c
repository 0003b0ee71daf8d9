/*
 * plugin.c - mgmd's plug-in host (include/mgmd_plugin.h): finds and loads
 * protocol plug-ins with dlopen, checks their ABI, runs their init, fini,
 * check and reload entry points, and learns which MGM registrations each
 * one made so that mgmctl can name them.
 *
 * SPDX-License-Identifier: MIT
 *
 * Plug-ins are never unloaded while libmgm runs: a callback may still be
 * executing in a plug-in's code on libmgm's loop thread when its fini
 * returns, so the handle stays open (a later load of the same file gets
 * the same handle) and is closed only after libmgm_stop.  Work a plug-in
 * posted and that did not run before its fini is dropped.
 */
#define _POSIX_C_SOURCE 200809L

#include "mgmd.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef MGMD_PLUGIN_DIR
#define MGMD_PLUGIN_DIR "/usr/local/lib/mgmd"
#endif

#define MAX_REGS 16
#define MAX_HANDLES 64

struct mgmd_plugin {
  struct mgmd_plugin_host host; /* host.ctx points back here */
  struct mgmd *d;
  char name[MGMD_NAME_MAX];
  char plugin[MGMD_PATH_MAX]; /* as configured */
  char path[MGMD_PATH_MAX];   /* resolved */
  char source[MGMD_PATH_MAX];
  char *args;
  void *dl;
  mgmd_plugin_init_fn init;
  mgmd_plugin_fini_fn fini;
  mgmd_plugin_check_fn check;
  mgmd_plugin_reload_fn reload;
  mgmd_plugin_if_event_fn if_event;
  void *state;
  size_t n_regs;
  DWORD regs[MAX_REGS][2]; /* (protocol id, component id) */
  struct mgmd_plugin *next;
};

static void *handles[MAX_HANDLES]; /* every dlopen, closed at exit */
static size_t n_handles;

/* ---- host services ------------------------------------------------------- */

static void h_log(const struct mgmd_plugin_host *host, int level,
                  const char *fmt, ...) {
  va_list ap;

  va_start(ap, fmt);
  mgmd_logv(level, host->name ? host->name : "plugin", fmt, ap);
  va_end(ap);
}

static uint32_t h_if_index(const struct mgmd_plugin_host *host,
                           const char *name) {
  return mgmd_if_index(name);
}

static const char *h_if_name(const struct mgmd_plugin_host *host,
                             uint32_t ifindex, char *buf, size_t len) {
  return mgmd_if_name(ifindex, buf, len);
}

static int h_post(const struct mgmd_plugin_host *host, void (*fn)(void *),
                  void *arg) {
  return mgmd_post_owned(fn, arg, host);
}

static void host_init(struct mgmd_plugin *p, const struct mgmd *d,
                      const struct mgmd_conf_proto *cp,
                      const struct mgmd_conf *c) {
  memset(&p->host, 0, sizeof(p->host));
  p->host.abi = MGMD_PLUGIN_ABI;
  p->host.size = sizeof(p->host);
  snprintf(p->name, sizeof(p->name), "%s", cp->name);
  snprintf(p->source, sizeof(p->source), "%s", c->source);
  p->host.name = p->name;
  p->host.source = p->source;
  p->host.line = cp->args_line;
  p->host.backend = d->backend;
  p->host.ctx = p;
  p->host.log = h_log;
  p->host.if_index = h_if_index;
  p->host.if_name = h_if_name;
  p->host.post = h_post;
}

/* ---- loading
 * ------------------------------------------------------------------ */

static int readable(const char *path) {
  return access(path, R_OK) == 0;
}

int mgmd_plugin_resolve(const struct mgmd *d, const struct mgmd_conf *c,
                        const char *plugin, char *out, size_t outlen) {
  return mgmd_plugin_resolve_ex(d, c, plugin, out, outlen, NULL, 0);
}

/* As mgmd_plugin_resolve; tried (if not NULL) receives the places looked
 * at, for the error message. */
int mgmd_plugin_resolve_ex(const struct mgmd *d, const struct mgmd_conf *c,
                           const char *plugin, char *out, size_t outlen,
                           char *tried, size_t triedlen) {
  const char *env = getenv("MGMD_PLUGIN_PATH");
  char dirs[2048];
  size_t used = 0;
  int i, rc = -1;
  char *tok, *save = NULL;

  if (tried && triedlen)
    tried[0] = '\0';
  if (strchr(plugin, '/') != NULL) {
    if (plugin[0] == '/')
      snprintf(out, outlen, "%s", plugin);
    else
      snprintf(out, outlen, "%s/%s", c->dir, plugin);
    if (tried && triedlen)
      snprintf(tried, triedlen, "%s", out);
    rc = readable(out) ? 0 : -1;
    goto out;
  }
  snprintf(dirs, sizeof(dirs), "%s", "");
  for (i = 0; i < d->n_plugin_dirs; i++) {
    size_t n = strlen(dirs);

    snprintf(dirs + n, sizeof(dirs) - n, "%s%s", n ? ":" : "",
             d->plugin_dirs[i]);
  }
  if (env && *env) {
    size_t n = strlen(dirs);

    snprintf(dirs + n, sizeof(dirs) - n, "%s%s", n ? ":" : "", env);
  }
  {
    size_t n = strlen(dirs);

    snprintf(dirs + n, sizeof(dirs) - n, "%s%s", n ? ":" : "", MGMD_PLUGIN_DIR);
  }
  for (tok = strtok_r(dirs, ":", &save); tok;
       tok = strtok_r(NULL, ":", &save)) {
    snprintf(out, outlen, "%s/%s", tok, plugin);
    if (tried && used < triedlen) {
      int n = snprintf(tried + used, triedlen - used, "%s%s", used ? ", " : "",
                       tok);

      if (n > 0)
        used += (size_t)n;
    }
    if (readable(out)) {
      rc = 0;
      goto out;
    }
  }
out:
  return rc;
}

static void *sym(void *dl, const char *name) {
  return dlsym(dl, name);
}

/* dlsym gives a data pointer; POSIX guarantees it converts to a function
 * pointer, ISO C does not, so copy the bytes. */
#define FN(dst, dl, name)                                                      \
  do {                                                                         \
    void *s_ = sym(dl, name);                                                  \
    memset(&(dst), 0, sizeof(dst));                                            \
    if (s_ != NULL)                                                            \
      memcpy(&(dst), &s_,                                                      \
             sizeof(s_) < sizeof(dst) ? sizeof(s_) : sizeof(dst));             \
  } while (0)

/* Load cp's plug-in into p (entry points, not initialised). */
static int load(struct mgmd_plugin *p, const struct mgmd *d,
                const struct mgmd_conf *c, const struct mgmd_conf_proto *cp,
                char *err, size_t errlen) {
  const uint32_t *abi;
  int rc = -1;

  char tried[1024];

  snprintf(p->plugin, sizeof(p->plugin), "%s", cp->plugin);
  if (mgmd_plugin_resolve_ex(d, c, cp->plugin, p->path, sizeof(p->path), tried,
                             sizeof(tried)) != 0) {
    snprintf(err, errlen,
             "%s:%u: [protocol %s]: plug-in '%s' not found "
             "(looked in: %s; see --plugin-dir and $MGMD_PLUGIN_PATH)",
             c->source, cp->line, cp->name, cp->plugin, tried);
    goto out;
  }
  dlerror();
  p->dl = dlopen(p->path, RTLD_NOW | RTLD_LOCAL);
  if (p->dl == NULL) {
    snprintf(err, errlen, "%s:%u: [protocol %s]: cannot load %s: %s", c->source,
             cp->line, cp->name, p->path, dlerror());
    goto out;
  }
  if (n_handles < MAX_HANDLES)
    handles[n_handles++] = p->dl;
  else
    dlclose(p->dl); /* still referenced by an earlier entry */
  abi = sym(p->dl, "mgmd_plugin_abi");
  FN(p->init, p->dl, "mgmd_plugin_init");
  FN(p->fini, p->dl, "mgmd_plugin_fini");
  FN(p->check, p->dl, "mgmd_plugin_check");
  FN(p->reload, p->dl, "mgmd_plugin_reload");
  FN(p->if_event, p->dl, "mgmd_plugin_if_event");
  if (abi == NULL || p->init == NULL || p->fini == NULL) {
    snprintf(err, errlen,
             "%s:%u: [protocol %s]: %s is not an mgmd plug-in "
             "(needs mgmd_plugin_abi, mgmd_plugin_init, mgmd_plugin_fini)",
             c->source, cp->line, cp->name, p->path);
    goto out;
  }
  if (*abi != MGMD_PLUGIN_ABI) {
    snprintf(err, errlen,
             "%s:%u: [protocol %s]: %s was built for plug-in "
             "ABI %u, this mgmd speaks %u",
             c->source, cp->line, cp->name, p->path, (unsigned)*abi,
             (unsigned)MGMD_PLUGIN_ABI);
    goto out;
  }
  host_init(p, d, cp, c);
  rc = 0;
out:
  return rc;
}

/* The first error the plug-in logged since event seq0, if any. */
static int plugin_error(const struct mgmd_plugin *p, uint64_t seq0, char *out,
                        size_t outlen) {
  static struct mgmd_event ev[64]; /* main thread only */
  size_t n = mgmd_events_get(seq0, ev, 64), i;
  int rc = -1;

  for (i = 0; i < n && rc != 0; i++)
    if (ev[i].level == MGMD_LOG_ERROR && strcmp(ev[i].src, p->name) == 0) {
      snprintf(out, outlen, "[protocol %s]: %s", p->name, ev[i].msg);
      rc = 0;
    }
  return rc;
}

static int run_check(struct mgmd_plugin *p, const struct mgmd_conf *c,
                     const struct mgmd_conf_proto *cp, char *err,
                     size_t errlen) {
  uint64_t seq0 = mgmd_events_last();
  int rc = p->check == NULL || p->check(&p->host, cp->args) == 0 ? 0 : -1;

  if (rc != 0 && plugin_error(p, seq0, err, errlen) != 0)
    snprintf(err, errlen,
             "%s:%u: [protocol %s]: configuration rejected by "
             "%s",
             c->source, cp->line, cp->name, p->plugin);
  return rc;
}

int mgmd_plugins_check(struct mgmd *d, const struct mgmd_conf *c, char *err,
                       size_t errlen) {
  struct mgmd_plugin *p = NULL;
  size_t i;
  int rc = 0;

  p = calloc(1, sizeof(*p));
  if (p == NULL) {
    snprintf(err, errlen, "out of memory");
    rc = -1;
    goto out;
  }
  for (i = 0; i < c->n_protos && rc == 0; i++) {
    memset(p, 0, sizeof(*p));
    rc = load(p, d, c, &c->protos[i], err, errlen);
    if (rc == 0)
      rc = run_check(p, c, &c->protos[i], err, errlen);
  }
out:
  free(p);
  return rc;
}

/* ---- registrations
 * ------------------------------------------------------------ */

struct reg_list {
  size_t n;
  DWORD v[64][2];
};

static void regs_now(struct reg_list *r) {
  struct libmgm_snapshot *s = NULL;
  DWORD i;

  r->n = 0;
  if (libmgm_snapshot_take(&s) != NO_ERROR)
    return;
  for (i = 0; i < s->n_protos && r->n < 64; i++) {
    r->v[r->n][0] = s->protos[i].protocol_id;
    r->v[r->n][1] = s->protos[i].component_id;
    r->n++;
  }
  libmgm_snapshot_free(s);
}

static int in_list(const struct reg_list *r, DWORD pid, DWORD cid) {
  size_t k;
  int found = 0;

  for (k = 0; k < r->n && !found; k++)
    found = r->v[k][0] == pid && r->v[k][1] == cid;
  return found;
}

/* Attribute the registrations that appeared since `before` to p; forget
 * those of p that are gone. */
static void learn(struct mgmd_plugin *p, const struct reg_list *before) {
  struct reg_list after;
  size_t i;

  regs_now(&after);
  for (i = 0; i < p->n_regs;) {
    if (in_list(&after, p->regs[i][0], p->regs[i][1])) {
      i++;
      continue;
    }
    mgmd_known_del(p->d, p->regs[i][0], p->regs[i][1]);
    p->n_regs--;
    memmove(p->regs[i], p->regs[i + 1], (p->n_regs - i) * sizeof(p->regs[0]));
  }
  for (i = 0; i < after.n; i++) {
    if (in_list(before, after.v[i][0], after.v[i][1]) || p->n_regs == MAX_REGS)
      continue;
    p->regs[p->n_regs][0] = after.v[i][0];
    p->regs[p->n_regs][1] = after.v[i][1];
    p->n_regs++;
    mgmd_known_add(p->d, after.v[i][0], after.v[i][1], p->name, "plugin");
  }
}

static void forget(struct mgmd_plugin *p) {
  size_t i;

  for (i = 0; i < p->n_regs; i++)
    mgmd_known_del(p->d, p->regs[i][0], p->regs[i][1]);
  p->n_regs = 0;
}

/* ---- life cycle
 * ----------------------------------------------------------------- */

static int start_one(struct mgmd *d, const struct mgmd_conf *c,
                     const struct mgmd_conf_proto *cp, struct mgmd_plugin **out,
                     char *err, size_t errlen) {
  struct mgmd_plugin *p;
  struct reg_list before;
  uint64_t seq0;
  int rc = -1;

  p = calloc(1, sizeof(*p));
  if (p == NULL) {
    snprintf(err, errlen, "out of memory");
    goto out;
  }
  p->d = d;
  if (load(p, d, c, cp, err, errlen) != 0)
    goto out;
  p->args = strdup(cp->args ? cp->args : "");
  if (p->args == NULL) {
    snprintf(err, errlen, "out of memory");
    goto out;
  }
  mgmd_log(MGMD_LOG_INFO, "mgmd", "starting protocol %s (%s)", p->name,
           p->path);
  regs_now(&before);
  seq0 = mgmd_events_last();
  if (p->init(&p->host, p->args, &p->state) != 0) {
    if (plugin_error(p, seq0, err, errlen) != 0)
      snprintf(err, errlen, "%s:%u: [protocol %s]: %s failed to start",
               c->source, cp->line, cp->name, p->plugin);
    mgmd_post_cancel(&p->host);
    goto out;
  }
  learn(p, &before);
  *out = p;
  p = NULL;
  rc = 0;
out:
  if (p)
    free(p->args);
  free(p);
  return rc;
}

static void stop_one(struct mgmd_plugin *p) {
  mgmd_log(MGMD_LOG_INFO, "mgmd", "stopping protocol %s", p->name);
  p->fini(p->state);
  mgmd_post_cancel(&p->host);
  forget(p);
  free(p->args);
  free(p);
}

int mgmd_plugins_start(struct mgmd *d, const struct mgmd_conf *c, char *err,
                       size_t errlen) {
  struct mgmd_plugin **tail = &d->plugins;
  size_t i;
  int rc = 0;

  while (*tail)
    tail = &(*tail)->next;
  for (i = 0; i < c->n_protos; i++) {
    rc = start_one(d, c, &c->protos[i], tail, err, errlen);
    if (rc != 0)
      break;
    tail = &(*tail)->next;
    mgmd_settle(d);
  }
  return rc;
}

void mgmd_plugins_stop(struct mgmd *d) {
  /* Reverse order: the last started stops first. */
  while (d->plugins) {
    struct mgmd_plugin **pp = &d->plugins, *p;

    while ((*pp)->next)
      pp = &(*pp)->next;
    p = *pp;
    *pp = NULL;
    mgmd_settle(d);
    stop_one(p);
  }
}

void mgmd_plugins_unload_all(void) {
  while (n_handles > 0)
    dlclose(handles[--n_handles]);
}

int mgmd_plugins_reload(struct mgmd *d, const struct mgmd_conf *new_c,
                        char *err, size_t errlen) {
  struct mgmd_plugin *old = d->plugins, *p, **pp, *list = NULL, **tail = &list;
  size_t i;
  int rc = 0;

  d->plugins = NULL;
  /* 1. stop what the new configuration dropped or moved to another file */
  for (pp = &old; *pp;) {
    const struct mgmd_conf_proto *cp =
        mgmd_conf_proto_by_name(new_c, (*pp)->name);
    char path[MGMD_PATH_MAX];

    p = *pp;
    if (cp == NULL ||
        mgmd_plugin_resolve(d, new_c, cp->plugin, path, sizeof(path)) != 0 ||
        strcmp(path, p->path) != 0) {
      *pp = p->next;
      mgmd_settle(d);
      stop_one(p);
    } else {
      pp = &p->next;
    }
  }
  /* 2. walk the new configuration in order: keep, reload, restart, start */
  for (i = 0; i < new_c->n_protos; i++) {
    const struct mgmd_conf_proto *cp = &new_c->protos[i];

    for (pp = &old; *pp && strcmp((*pp)->name, cp->name) != 0;
         pp = &(*pp)->next)
      ;
    p = *pp;
    if (p != NULL) {
      *pp = p->next;
      p->next = NULL;
      snprintf(p->source, sizeof(p->source), "%s", new_c->source);
      p->host.line = cp->args_line;
      if (strcmp(p->args, cp->args ? cp->args : "") == 0) {
        /* unchanged */
      } else if (p->reload != NULL) {
        struct reg_list before;
        char *a = strdup(cp->args ? cp->args : "");
        uint64_t seq0 = mgmd_events_last();

        mgmd_log(MGMD_LOG_INFO, "mgmd", "reconfiguring protocol %s", p->name);
        regs_now(&before);
        if (a == NULL || p->reload(p->state, a) != 0) {
          if (plugin_error(p, seq0, err, errlen) != 0)
            snprintf(err, errlen, "%s:%u: [protocol %s]: reload failed",
                     new_c->source, cp->line, cp->name);
          free(a);
          rc = -1;
        } else {
          free(p->args);
          p->args = a;
          learn(p, &before);
        }
      } else {
        mgmd_log(MGMD_LOG_INFO, "mgmd",
                 "protocol %s has no reload entry "
                 "point: restarting it",
                 p->name);
        mgmd_settle(d);
        stop_one(p);
        p = NULL;
      }
    }
    if (p == NULL && start_one(d, new_c, cp, &p, err, errlen) != 0) {
      rc = -1;
      continue;
    }
    *tail = p;
    tail = &p->next;
    mgmd_settle(d);
  }
  d->plugins = list;
  return rc;
}

/* Does args hold name as a word (a line's token)? */
static int names_word(const char *args, const char *name) {
  size_t n = strlen(name);
  const char *s = args;
  int found = 0;

  while (n > 0 && !found && (s = strstr(s, name)) != NULL) {
    found = (s == args || strchr(" \t\n", s[-1]) != NULL) &&
            (s[n] == '\0' || strchr(" \t\n", s[n]) != NULL);
    s += n;
  }
  return found;
}

/* Stop *pp's instance and start it again from the configuration in force,
 * in the same place of the list (dropped if it cannot start). */
static int restart_in_place(struct mgmd *d, struct mgmd_plugin **pp) {
  struct mgmd_plugin *p = *pp, *np = NULL;
  const struct mgmd_conf_proto *cp = mgmd_conf_proto_by_name(d->conf, p->name);
  char err[512];

  *pp = p->next;
  mgmd_settle(d);
  stop_one(p);
  if (cp == NULL || start_one(d, d->conf, cp, &np, err, sizeof(err)) != 0) {
    mgmd_log(MGMD_LOG_ERROR, "mgmd", "%s",
             cp ? err : "protocol gone from the configuration");
    return -1;
  }
  np->next = *pp;
  *pp = np;
  mgmd_settle(d);
  return 0;
}

void mgmd_plugins_if_event(struct mgmd *d, const struct libmgm_if_event *ev) {
  struct mgmd_if_event pe;
  struct mgmd_plugin **pp = &d->plugins;

  memset(&pe, 0, sizeof(pe));
  pe.size = (uint32_t)sizeof(pe);
  pe.kind = ev->kind;
  pe.ifindex = ev->ifindex;
  pe.name = ev->name;
  pe.up = ev->up != FALSE;
  pe.addr = ev->addr;
  pe.prefixlen = ev->prefixlen;
  while (*pp != NULL) {
    struct mgmd_plugin *p = *pp;

    if (p->if_event != NULL) {
      p->if_event(p->state, &pe);
      mgmd_settle(d);
    } else if ((ev->kind == LIBMGM_IF_ADDED || ev->kind == LIBMGM_IF_RENAMED) &&
               ev->name[0] != '\0' && names_word(p->args, ev->name)) {
      mgmd_log(MGMD_LOG_INFO, "mgmd",
               "interface %s %s and protocol %s names it: restarting the "
               "protocol (it has no mgmd_plugin_if_event)",
               ev->name, ev->kind == LIBMGM_IF_ADDED ? "appeared" : "renamed",
               p->name);
      if (restart_in_place(d, pp) != 0)
        continue; /* dropped: *pp is the next one already */
    }
    pp = &(*pp)->next;
  }
}

void mgmd_plugins_show(const struct mgmd *d, struct jw *j) {
  const struct mgmd_plugin *p;
  size_t i;

  jw_arr(j);
  for (p = d->plugins; p; p = p->next) {
    jw_obj(j);
    jw_kstr(j, "name", p->name);
    jw_kstr(j, "plugin", p->plugin);
    jw_kstr(j, "path", p->path);
    jw_kbool(j, "reloadable", p->reload != NULL);
    jw_key(j, "registrations");
    jw_arr(j);
    for (i = 0; i < p->n_regs; i++) {
      jw_obj(j);
      jw_ku64(j, "protocol_id", p->regs[i][0]);
      jw_ku64(j, "component_id", p->regs[i][1]);
      jw_obj_end(j);
    }
    jw_arr_end(j);
    jw_obj_end(j);
  }
  jw_arr_end(j);
}
