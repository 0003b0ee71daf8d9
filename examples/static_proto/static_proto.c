/*
 * static_proto.c - "static", an example mgmd plug-in: a multicast routing
 * protocol with no protocol messages whose memberships come from mgmd's
 * configuration file, written only against mgm.h, libmgm.h and
 * mgmd_plugin.h as a ported protocol would be.
 *
 * SPDX-License-Identifier: MIT
 *
 * What it does with MGM (the start-up scenario of the RRAS docs):
 *   init    MgmRegisterMProtocol, then for each configured interface
 *           MgmGetProtocolOnInterface (who has it now?) and
 *           MgmTakeInterfaceOwnership, then MgmAddGroupMembershipEntry
 *           for each configured (*,G) or (S,G) join;
 *   RPF     keeps the unicast route's interface, or the interface of a
 *           configured "rpf" prefix (longest match) - static multicast
 *           RPF, like a static mroute;
 *   creation alert  forwards on every interface MGM offers (they are
 *           there because somebody joined) and says so;
 *   local join / leave  (an IGMP host on one of our interfaces) adds or
 *           deletes our own membership there, from mgmd's main thread
 *           (host->post) rather than inside the callback, as Windows MGM
 *           requires; "local-joins ignore" turns this off;
 *   prune / join alerts  are logged: a static protocol has no neighbour
 *           to tell;
 *   reload  applies only the differences (interfaces taken or released,
 *           joins added or deleted), so unaffected MFEs keep forwarding;
 *   interface events  when an interface the configuration names appears
 *           (created late, re-created under a new index, renamed to
 *           that name), the configuration is applied again as by a
 *           reload: the dead index is released, the new one taken and
 *           its joins added, with no reload of mgmd;
 *   fini    releases every interface, then deregisters.
 *
 * Configuration lines (in the [protocol NAME] section of mgmd's file):
 *   protocol-id N          MGM protocol id (default 0x7fff0001: type
 *                          multicast, vendor-private, protocol 1)
 *   component-id N         MGM component id (default 1)
 *   interface IF           take ownership of IF (repeatable)
 *   join IF GROUP [SOURCE] a (*,G) or (S,G) membership on one of our
 *                          interfaces (repeatable)
 *   rpf PREFIX/LEN IF      RPF interface for sources in PREFIX
 *   local-joins accept|ignore   (default accept)
 *
 * MGM callbacks carry no context, so one process holds one instance of
 * this plug-in (a second [protocol] section naming the same file is
 * refused); the callbacks find it through a global under a mutex, which
 * is never held across an MGM call (MGM may call back synchronously).
 */
#define _POSIX_C_SOURCE 200809L

#include <windows.h>
#include <iprtrmib.h>
#include <mgm.h>
#include <libmgm.h>
#include <mgmd_plugin.h>

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SP_DEFAULT_ID 0x7FFF0001u
#define SP_MAX_IFS 64
#define SP_MAX_JOINS 256
#define SP_MAX_RPF 64
#define SP_MAX_LOCAL 1024
#define ALL_ONES 0xFFFFFFFFu

struct sp_join {
  DWORD ifindex, group, source; /* source 0 = (*,G) */
};

struct sp_rpf {
  DWORD network, mask, ifindex;
};

struct sp_conf {
  DWORD protocol_id, component_id;
  int accept_local;
  size_t n_ifs;
  DWORD ifs[SP_MAX_IFS];
  size_t n_joins;
  struct sp_join joins[SP_MAX_JOINS];
  size_t n_rpf;
  struct sp_rpf rpf[SP_MAX_RPF];
};

struct sp {
  const struct mgmd_plugin_host *host;
  char *args; /* in force, for interface events */
  HANDLE h;
  struct sp_conf conf;
  size_t n_local; /* memberships added for local joins */
  struct sp_join local[SP_MAX_LOCAL];
};

struct sp_task {
  int add;
  struct sp_join j;
};

MGMD_PLUGIN_DEFINE_ABI;

static pthread_mutex_t sp_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sp *sp_inst; /* the running instance, under sp_mu */

/* ---- helpers
 * ------------------------------------------------------------------ */

static const char *ip(DWORD a, char *buf) {
  const unsigned char *p = (const unsigned char *)&a;

  snprintf(buf, 16, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
  return buf;
}

static const char *sg(DWORD s, DWORD g, char *buf, size_t len) {
  char a[16], b[16];

  snprintf(buf, len, "(%s, %s)", s ? ip(s, a) : "*", g ? ip(g, b) : "*");
  return buf;
}

static const char *ifname(const struct mgmd_plugin_host *host, DWORD ifx,
                          char *buf) {
  return host->if_name(host, ifx, buf, 32);
}

#define LOG(host, level, ...) (host)->log((host), (level), __VA_ARGS__)

static int parse_u32(const char *s, DWORD *out) {
  unsigned long long v;
  char *end;
  int rc = -1;

  if (s == NULL || *s == '\0' || *s == '-')
    goto out;
  errno = 0;
  v = strtoull(s, &end, 0);
  if (errno != 0 || *end != '\0' || v > 0xFFFFFFFFull)
    goto out;
  *out = (DWORD)v;
  rc = 0;
out:
  return rc;
}

static int parse_ip(const char *s, DWORD *out) {
  struct in_addr a;
  int rc = inet_pton(AF_INET, s, &a) == 1 ? 0 : -1;

  if (rc == 0)
    *out = a.s_addr;
  return rc;
}

static int is_multicast(DWORD g) {
  return (ntohl(g) & 0xF0000000u) == 0xE0000000u;
}

/* ---- configuration
 * ---------------------------------------------------------------- */

/* Resolve an interface name; on sim the names must exist, on a kernel
 * backend `strict` decides (init: yes, check: the interface may appear
 * later). */
static int want_if(const struct mgmd_plugin_host *host, unsigned line,
                   const char *name, int strict, DWORD *out) {
  int rc = 0;

  *out = host->if_index(host, name);
  if (*out != 0)
    goto out;
  if (strict || strcmp(host->backend, "sim") == 0) {
    LOG(host, MGMD_LOG_ERROR, "%s:%u: unknown interface '%s'", host->source,
        line, name);
    rc = -1;
  } else {
    LOG(host, MGMD_LOG_WARN, "%s:%u: interface '%s' does not exist (yet)",
        host->source, line, name);
  }
out:
  return rc;
}

static int has_if(const struct sp_conf *c, DWORD ifx) {
  size_t i;
  int found = 0;

  for (i = 0; i < c->n_ifs && !found; i++)
    found = c->ifs[i] == ifx;
  return found;
}

/* Parse args into c.  strict: interfaces must exist now. */
static int parse(const struct mgmd_plugin_host *host, const char *args,
                 int strict, struct sp_conf *c) {
  char *copy = strdup(args ? args : ""), *line, *save = NULL;
  unsigned lno = host->line;
  int rc = -1;

  memset(c, 0, sizeof(*c));
  c->protocol_id = SP_DEFAULT_ID;
  c->component_id = 1;
  c->accept_local = 1;
  if (copy == NULL)
    goto out;
  /* strtok_r would skip empty lines and lose the numbering: split by hand */
  for (line = copy; line != NULL; line = save, lno++) {
    char *w[8], *tok, *ws = NULL;
    int nw = 0;

    save = strchr(line, '\n');
    if (save)
      *save++ = '\0';
    for (tok = strtok_r(line, " \t", &ws); tok && nw < 8;
         tok = strtok_r(NULL, " \t", &ws))
      w[nw++] = tok;
    if (nw == 0)
      continue;
    if (strcmp(w[0], "protocol-id") == 0 || strcmp(w[0], "component-id") == 0) {
      DWORD v;

      if (nw != 2 || parse_u32(w[1], &v) != 0) {
        LOG(host, MGMD_LOG_ERROR, "%s:%u: usage: %s NUMBER", host->source, lno,
            w[0]);
        goto out;
      }
      if (w[0][0] == 'p')
        c->protocol_id = v;
      else
        c->component_id = v;
    } else if (strcmp(w[0], "interface") == 0) {
      DWORD ifx;

      if (nw != 2) {
        LOG(host, MGMD_LOG_ERROR, "%s:%u: usage: interface NAME", host->source,
            lno);
        goto out;
      }
      if (want_if(host, lno, w[1], strict, &ifx) != 0)
        goto out;
      if (ifx == 0)
        continue;
      if (has_if(c, ifx) || c->n_ifs == SP_MAX_IFS) {
        LOG(host, MGMD_LOG_ERROR,
            "%s:%u: interface %s listed twice (or "
            "more than %d interfaces)",
            host->source, lno, w[1], SP_MAX_IFS);
        goto out;
      }
      c->ifs[c->n_ifs++] = ifx;
    } else if (strcmp(w[0], "join") == 0) {
      struct sp_join j = {0, 0, 0};

      if (nw < 3 || nw > 4 || parse_ip(w[2], &j.group) != 0 ||
          !is_multicast(j.group) ||
          (nw == 4 && (parse_ip(w[3], &j.source) != 0 || j.source == 0))) {
        LOG(host, MGMD_LOG_ERROR,
            "%s:%u: usage: join INTERFACE GROUP "
            "[SOURCE] (GROUP in 224.0.0.0/4)",
            host->source, lno);
        goto out;
      }
      if (want_if(host, lno, w[1], strict, &j.ifindex) != 0)
        goto out;
      if (j.ifindex == 0)
        continue;
      if (!has_if(c, j.ifindex)) {
        LOG(host, MGMD_LOG_ERROR,
            "%s:%u: join on %s, which is not one of "
            "this protocol's interfaces (add 'interface %s' before it)",
            host->source, lno, w[1], w[1]);
        goto out;
      }
      if (c->n_joins == SP_MAX_JOINS) {
        LOG(host, MGMD_LOG_ERROR, "%s:%u: more than %d joins", host->source,
            lno, SP_MAX_JOINS);
        goto out;
      }
      c->joins[c->n_joins++] = j;
    } else if (strcmp(w[0], "rpf") == 0) {
      struct sp_rpf r;
      char *slash = nw == 3 ? strchr(w[1], '/') : NULL;
      DWORD plen = 33;

      if (slash != NULL) {
        *slash = '\0';
        if (parse_u32(slash + 1, &plen) != 0)
          plen = 33;
      }
      if (slash == NULL || plen > 32 || parse_ip(w[1], &r.network) != 0) {
        LOG(host, MGMD_LOG_ERROR,
            "%s:%u: usage: rpf PREFIX/LENGTH "
            "INTERFACE",
            host->source, lno);
        goto out;
      }
      r.mask = plen ? htonl(ALL_ONES << (32 - plen)) : 0;
      r.network &= r.mask;
      if (want_if(host, lno, w[2], strict, &r.ifindex) != 0)
        goto out;
      if (r.ifindex != 0 && c->n_rpf < SP_MAX_RPF)
        c->rpf[c->n_rpf++] = r;
    } else if (strcmp(w[0], "local-joins") == 0) {
      if (nw != 2 || (strcmp(w[1], "accept") && strcmp(w[1], "ignore"))) {
        LOG(host, MGMD_LOG_ERROR, "%s:%u: usage: local-joins accept|ignore",
            host->source, lno);
        goto out;
      }
      c->accept_local = w[1][0] == 'a';
    } else {
      LOG(host, MGMD_LOG_ERROR,
          "%s:%u: unknown statement '%s' (protocol-id, "
          "component-id, interface, join, rpf, local-joins)",
          host->source, lno, w[0]);
      goto out;
    }
  }
  rc = 0;
out:
  free(copy);
  return rc;
}

/* ---- MGM calls
 * -------------------------------------------------------------------- */

static DWORD add_join(struct sp *s, const struct sp_join *j, int add,
                      const char *why) {
  char ifn[32], b[48];
  DWORD rc;

  if (add)
    rc = MgmAddGroupMembershipEntry(s->h, j->source, j->source ? ALL_ONES : 0,
                                    j->group, ALL_ONES, j->ifindex, 0,
                                    MGM_JOIN_STATE_FLAG);
  else
    rc = MgmDeleteGroupMembershipEntry(
        s->h, j->source, j->source ? ALL_ONES : 0, j->group, ALL_ONES,
        j->ifindex, 0, MGM_JOIN_STATE_FLAG);
  LOG(s->host, rc == NO_ERROR ? MGMD_LOG_INFO : MGMD_LOG_ERROR,
      "%s: Mgm%sGroupMembershipEntry%s on %s -> %lu", why,
      add ? "Add" : "Delete", sg(j->source, j->group, b, sizeof(b)),
      ifname(s->host, j->ifindex, ifn), (unsigned long)rc);
  return rc;
}

static DWORD take(struct sp *s, DWORD ifx) {
  DWORD pid = 0, cid = 0, rc;
  char ifn[32], who[128];

  rc = MgmGetProtocolOnInterface(ifx, 0, &pid, &cid);
  if (rc == NO_ERROR)
    snprintf(who, sizeof(who), "held by protocol %lu/%lu%s", (unsigned long)pid,
             (unsigned long)cid,
             pid == 10 ? " (IGMP: MGM will disable and re-enable it there)"
                       : "");
  else
    snprintf(who, sizeof(who), "free");
  rc = MgmTakeInterfaceOwnership(s->h, ifx, 0);
  LOG(s->host, rc == NO_ERROR ? MGMD_LOG_INFO : MGMD_LOG_ERROR,
      "interface %s was %s; MgmTakeInterfaceOwnership -> %lu",
      ifname(s->host, ifx, ifn), who, (unsigned long)rc);
  return rc;
}

static void release(struct sp *s, DWORD ifx) {
  char ifn[32];
  DWORD rc = MgmReleaseInterfaceOwnership(s->h, ifx, 0);

  LOG(s->host, rc == NO_ERROR ? MGMD_LOG_INFO : MGMD_LOG_ERROR,
      "MgmReleaseInterfaceOwnership(%s) -> %lu", ifname(s->host, ifx, ifn),
      (unsigned long)rc);
}

static int join_eq(const struct sp_join *a, const struct sp_join *b) {
  return a->ifindex == b->ifindex && a->group == b->group &&
         a->source == b->source;
}

static int in_joins(const struct sp_join *v, size_t n,
                    const struct sp_join *j) {
  size_t i;
  int found = 0;

  for (i = 0; i < n && !found; i++)
    found = join_eq(&v[i], j);
  return found;
}

/* ---- callbacks
 * ---------------------------------------------------------------------- */

static DWORD cb_rpf(DWORD src, DWORD srcmask, DWORD grp, DWORD grpmask,
                    PDWORD iif, PDWORD iifnh, PDWORD up, DWORD hdrsize,
                    PBYTE hdr, PBYTE route) {
  const struct sp_rpf *best = NULL;
  char b[48], i1[32], i2[32];
  size_t i;

  pthread_mutex_lock(&sp_mu);
  if (sp_inst != NULL) {
    for (i = 0; i < sp_inst->conf.n_rpf; i++) {
      const struct sp_rpf *r = &sp_inst->conf.rpf[i];

      if ((src & r->mask) == r->network &&
          (best == NULL || ntohl(r->mask) > ntohl(best->mask)))
        best = r;
    }
    if (best != NULL && best->ifindex != *iif) {
      LOG(sp_inst->host, MGMD_LOG_INFO,
          "RPF callback for %s: the route says %s, static rpf says %s: "
          "using %s",
          sg(src, grp, b, sizeof(b)), ifname(sp_inst->host, *iif, i1),
          ifname(sp_inst->host, best->ifindex, i2), i2);
      *iif = best->ifindex;
      *iifnh = 0;
    } else {
      LOG(sp_inst->host, MGMD_LOG_INFO,
          "RPF callback for %s: accept the route's incoming interface %s",
          sg(src, grp, b, sizeof(b)), ifname(sp_inst->host, *iif, i1));
    }
  }
  pthread_mutex_unlock(&sp_mu);
  return NO_ERROR;
}

static DWORD cb_create(DWORD src, DWORD srcmask, DWORD grp, DWORD grpmask,
                       DWORD iif, DWORD iifnh, DWORD n, PMGM_IF_ENTRY list) {
  char b[48], line[256], ifn[32];
  size_t off = 0;
  DWORD i;

  pthread_mutex_lock(&sp_mu);
  if (sp_inst != NULL) {
    line[0] = '\0';
    for (i = 0; i < n && off < sizeof(line); i++) {
      int w = snprintf(line + off, sizeof(line) - off, "%s%s%s", i ? ", " : "",
                       ifname(sp_inst->host, list[i].dwIfIndex, ifn),
                       list[i].bIGMP ? " (IGMP there)" : "");

      if (w > 0)
        off += (size_t)w;
      list[i].bIsEnabled = TRUE; /* someone joined there: forward */
    }
    LOG(sp_inst->host, MGMD_LOG_INFO,
        "creation alert for %s arriving on %s: forward on our %s",
        sg(src, grp, b, sizeof(b)), ifname(sp_inst->host, iif, ifn), line);
  }
  pthread_mutex_unlock(&sp_mu);
  return NO_ERROR;
}

static DWORD cb_prune(DWORD src, DWORD srcmask, DWORD grp, DWORD grpmask,
                      DWORD ifx, DWORD nh, BOOL member_delete, PDWORD timeout) {
  char b[48], ifn[32];

  pthread_mutex_lock(&sp_mu);
  if (sp_inst != NULL) {
    if (member_delete)
      LOG(sp_inst->host, MGMD_LOG_INFO,
          "prune alert for %s: the last receiver elsewhere (on %s) is gone",
          sg(src, grp, b, sizeof(b)), ifname(sp_inst->host, ifx, ifn));
    else
      LOG(sp_inst->host, MGMD_LOG_INFO,
          "prune alert for %s: the MFE arriving on our %s has no outgoing "
          "interface left; a static protocol has no upstream to prune, so "
          "MGM keeps the negative entry for %lu s",
          sg(src, grp, b, sizeof(b)), ifname(sp_inst->host, ifx, ifn),
          timeout ? (unsigned long)*timeout : 0ul);
  }
  pthread_mutex_unlock(&sp_mu);
  return NO_ERROR;
}

static DWORD cb_join(DWORD src, DWORD srcmask, DWORD grp, DWORD grpmask,
                     BOOL update) {
  char b[48];

  pthread_mutex_lock(&sp_mu);
  if (sp_inst != NULL)
    LOG(sp_inst->host, MGMD_LOG_INFO,
        update ? "join alert for %s: receivers appeared on another "
                 "protocol's interfaces"
               : "join alert for %s: the MFE arriving on our interface has "
                 "outgoing interfaces again",
        sg(src, grp, b, sizeof(b)));
  pthread_mutex_unlock(&sp_mu);
  return NO_ERROR;
}

static DWORD cb_wrongif(DWORD src, DWORD grp, DWORD ifx, DWORD nh,
                        DWORD hdrsize, PBYTE hdr) {
  char b[48], ifn[32];

  pthread_mutex_lock(&sp_mu);
  if (sp_inst != NULL)
    LOG(sp_inst->host, MGMD_LOG_INFO,
        "wrong-interface alert: %s arrived on %s, not its RPF interface",
        sg(src, grp, b, sizeof(b)), ifname(sp_inst->host, ifx, ifn));
  pthread_mutex_unlock(&sp_mu);
  return NO_ERROR;
}

static void run_task(void *arg) {
  struct sp_task *t = arg;
  struct sp *s;
  size_t i;

  /* mgmd's main thread, like init/fini/reload: the instance cannot go
   * away meanwhile (mgmd drops our queued tasks when it stops us). */
  s = sp_inst;
  if (s == NULL)
    goto out;
  if (t->add) {
    if (in_joins(s->local, s->n_local, &t->j) || s->n_local == SP_MAX_LOCAL)
      goto out;
    if (in_joins(s->conf.joins, s->conf.n_joins, &t->j)) {
      LOG(s->host, MGMD_LOG_INFO, "already a configured join: nothing to do");
      goto out;
    }
    if (add_join(s, &t->j, 1, "local join") == NO_ERROR) {
      pthread_mutex_lock(&sp_mu);
      s->local[s->n_local++] = t->j;
      pthread_mutex_unlock(&sp_mu);
    }
  } else {
    for (i = 0; i < s->n_local && !join_eq(&s->local[i], &t->j); i++)
      ;
    if (i == s->n_local)
      goto out;
    pthread_mutex_lock(&sp_mu);
    s->local[i] = s->local[--s->n_local];
    pthread_mutex_unlock(&sp_mu);
    if (!in_joins(s->conf.joins, s->conf.n_joins, &t->j))
      add_join(s, &t->j, 0, "local leave");
  }
out:
  free(t);
}

static void local(DWORD src, DWORD grp, DWORD ifx, int add) {
  struct sp_task *t;
  char b[48], ifn[32];

  pthread_mutex_lock(&sp_mu);
  if (sp_inst == NULL)
    goto out;
  if (!sp_inst->conf.accept_local) {
    LOG(sp_inst->host, MGMD_LOG_INFO,
        "local %s %s on %s: ignored (local-joins ignore)",
        add ? "join" : "leave", sg(src, grp, b, sizeof(b)),
        ifname(sp_inst->host, ifx, ifn));
    goto out;
  }
  LOG(sp_inst->host, MGMD_LOG_INFO,
      add ? "local join %s on %s: an IGMP host there wants it; as the "
            "interface's owner we add our membership (from mgmd's thread)"
          : "local leave %s on %s: the IGMP hosts there are gone; we "
            "delete our membership",
      sg(src, grp, b, sizeof(b)), ifname(sp_inst->host, ifx, ifn));
  t = malloc(sizeof(*t));
  if (t == NULL)
    goto out;
  t->add = add;
  t->j.ifindex = ifx;
  t->j.group = grp;
  t->j.source = src;
  if (sp_inst->host->post(sp_inst->host, run_task, t) != 0)
    free(t);
out:
  pthread_mutex_unlock(&sp_mu);
}

static DWORD cb_ljoin(DWORD src, DWORD srcmask, DWORD grp, DWORD grpmask,
                      DWORD ifx, DWORD nh) {
  local(src, grp, ifx, 1);
  return NO_ERROR;
}

static DWORD cb_lleave(DWORD src, DWORD srcmask, DWORD grp, DWORD grpmask,
                       DWORD ifx, DWORD nh) {
  local(src, grp, ifx, 0);
  return NO_ERROR;
}

/* ---- entry points
 * --------------------------------------------------------------------- */

static DWORD do_register(struct sp *s) {
  ROUTING_PROTOCOL_CONFIG rpc;
  DWORD rc;

  memset(&rpc, 0, sizeof(rpc));
  rpc.pfnRpfCallback = cb_rpf;
  rpc.pfnCreationAlertCallback = cb_create;
  rpc.pfnPruneAlertCallback = cb_prune;
  rpc.pfnJoinAlertCallback = cb_join;
  rpc.pfnWrongIfCallback = cb_wrongif;
  rpc.pfnLocalJoinCallback = cb_ljoin;
  rpc.pfnLocalLeaveCallback = cb_lleave;
  rc = MgmRegisterMProtocol(&rpc, s->conf.protocol_id, s->conf.component_id,
                            &s->h);
  LOG(s->host, rc == NO_ERROR ? MGMD_LOG_INFO : MGMD_LOG_ERROR,
      "MgmRegisterMProtocol(protocol 0x%08lx, component %lu) -> %lu",
      (unsigned long)s->conf.protocol_id, (unsigned long)s->conf.component_id,
      (unsigned long)rc);
  return rc;
}

/* Release everything and deregister. */
static void shut(struct sp *s) {
  size_t i;
  DWORD rc;

  for (i = s->conf.n_ifs; i > 0; i--)
    release(s, s->conf.ifs[i - 1]);
  s->n_local = 0;
  rc = MgmDeRegisterMProtocol(s->h);
  LOG(s->host, rc == NO_ERROR ? MGMD_LOG_INFO : MGMD_LOG_ERROR,
      "MgmDeRegisterMProtocol -> %lu", (unsigned long)rc);
}

/* Register, take, join (undoing on failure).  The instance must already
 * be published: MGM may call back while we take interfaces. */
static int bring_up(struct sp *s) {
  size_t i, taken = 0;
  int rc = -1;

  if (do_register(s) != NO_ERROR)
    goto out;
  for (taken = 0; taken < s->conf.n_ifs; taken++)
    if (take(s, s->conf.ifs[taken]) != NO_ERROR)
      goto undo;
  for (i = 0; i < s->conf.n_joins; i++)
    add_join(s, &s->conf.joins[i], 1, "configured join");
  rc = 0;
  goto out;
undo:
  while (taken > 0)
    release(s, s->conf.ifs[--taken]);
  MgmDeRegisterMProtocol(s->h);
out:
  return rc;
}

int mgmd_plugin_check(const struct mgmd_plugin_host *host, const char *args) {
  struct sp_conf *c = malloc(sizeof(*c));
  int rc = c ? parse(host, args, 0, c) : -1;

  free(c);
  return rc;
}

int mgmd_plugin_init(const struct mgmd_plugin_host *host, const char *args,
                     void **state) {
  struct sp *s = NULL;
  int rc = -1;

  if (!MGMD_PLUGIN_HAS(host, post)) {
    fprintf(stderr, "static: mgmd too old (no post)\n");
    goto out;
  }
  s = calloc(1, sizeof(*s));
  if (s == NULL)
    goto out;
  s->host = host;
  if (parse(host, args, 1, &s->conf) != 0)
    goto out;
  pthread_mutex_lock(&sp_mu);
  if (sp_inst != NULL) {
    pthread_mutex_unlock(&sp_mu);
    LOG(host, MGMD_LOG_ERROR,
        "one instance of this plug-in per mgmd (MGM "
        "callbacks carry no context); copy the file for a second one");
    goto out;
  }
  sp_inst = s;
  pthread_mutex_unlock(&sp_mu);
  if (bring_up(s) != 0) {
    pthread_mutex_lock(&sp_mu);
    sp_inst = NULL;
    pthread_mutex_unlock(&sp_mu);
    goto out;
  }
  s->args = strdup(args ? args : "");
  *state = s;
  s = NULL;
  rc = 0;
out:
  free(s);
  return rc;
}

void mgmd_plugin_fini(void *state) {
  struct sp *s = state;

  if (s == NULL)
    return;
  shut(s);
  pthread_mutex_lock(&sp_mu);
  if (sp_inst == s)
    sp_inst = NULL;
  pthread_mutex_unlock(&sp_mu);
  free(s->args);
  free(s);
}

int mgmd_plugin_reload(void *state, const char *args) {
  struct sp *s = state;
  struct sp_conf *n = malloc(sizeof(*n)), old;
  size_t i;
  int rc = -1;

  if (n == NULL || parse(s->host, args, 1, n) != 0)
    goto out;
  old = s->conf;
  if (n->protocol_id != old.protocol_id ||
      n->component_id != old.component_id) {
    LOG(s->host, MGMD_LOG_INFO,
        "new protocol or component id: "
        "re-registering");
    shut(s);
    pthread_mutex_lock(&sp_mu);
    s->conf = *n;
    pthread_mutex_unlock(&sp_mu);
    rc = bring_up(s);
    goto out;
  }
  /* joins that go away, then interfaces that go away (MGM purges what we
   * had there), then the new interfaces and joins */
  for (i = 0; i < old.n_joins; i++)
    if (!in_joins(n->joins, n->n_joins, &old.joins[i]) &&
        has_if(n, old.joins[i].ifindex) &&
        !in_joins(s->local, s->n_local, &old.joins[i]))
      add_join(s, &old.joins[i], 0, "join removed from the configuration");
  for (i = 0; i < old.n_ifs; i++)
    if (!has_if(n, old.ifs[i]))
      release(s, old.ifs[i]);
  for (i = 0; i < s->n_local;) {
    struct sp_join j = s->local[i];

    if (has_if(n, j.ifindex) && n->accept_local) {
      i++;
      continue;
    }
    pthread_mutex_lock(&sp_mu);
    s->local[i] = s->local[--s->n_local];
    pthread_mutex_unlock(&sp_mu);
    if (has_if(n, j.ifindex) && !in_joins(n->joins, n->n_joins, &j))
      add_join(s, &j, 0, "local joins are ignored now");
  }
  for (i = 0; i < n->n_ifs; i++)
    if (!has_if(&old, n->ifs[i]))
      take(s, n->ifs[i]);
  for (i = 0; i < n->n_joins; i++)
    if (!in_joins(old.joins, old.n_joins, &n->joins[i]) ||
        !has_if(&old, n->joins[i].ifindex))
      add_join(s, &n->joins[i], 1, "join added to the configuration");
  pthread_mutex_lock(&sp_mu);
  s->conf = *n;
  pthread_mutex_unlock(&sp_mu);
  rc = 0;
out:
  if (rc == 0 && args != s->args) {
    char *a = strdup(args ? args : "");

    if (a != NULL) {
      free(s->args);
      s->args = a;
    }
  }
  free(n);
  return rc;
}

/* Does args name the interface (a word of a line)? */
static int names_if(const char *args, const char *name) {
  size_t n = strlen(name);
  const char *p = args;
  int found = 0;

  while (n > 0 && !found && (p = strstr(p, name)) != NULL) {
    found = (p == args || strchr(" \t\n", p[-1]) != NULL) &&
            (p[n] == '\0' || strchr(" \t\n", p[n]) != NULL);
    p += n;
  }
  return found;
}

void mgmd_plugin_if_event(void *state, const struct mgmd_if_event *ev) {
  struct sp *s = state;

  if (s == NULL || s->args == NULL || ev->name == NULL ||
      (ev->kind != MGMD_IF_ADDED && ev->kind != MGMD_IF_RENAMED) ||
      !names_if(s->args, ev->name))
    return;
  LOG(s->host, MGMD_LOG_INFO,
      "interface %s %s (index %u): applying the configuration again", ev->name,
      ev->kind == MGMD_IF_ADDED ? "appeared" : "renamed",
      (unsigned)ev->ifindex);
  if (mgmd_plugin_reload(s, s->args) != 0)
    LOG(s->host, MGMD_LOG_WARN,
        "interface %s: the configuration could not be applied; it stays "
        "as it was",
        ev->name);
}
