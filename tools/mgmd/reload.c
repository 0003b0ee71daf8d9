/*
 * reload.c - SIGHUP and the control socket's "reload": read the
 * configuration again, check it whole, then apply the differences part by
 * part (sim, IGMP, plug-ins).
 *
 * SPDX-License-Identifier: MIT
 */
#include "mgmd.h"

#include <stdio.h>
#include <string.h>

static void warn_fixed(const struct mgmd_conf *o, const struct mgmd_conf *n) {
  const char *what = NULL;

  if (strcmp(o->backend, n->backend) != 0)
    what = "backend";
  else if (o->table != n->table)
    what = "table";
  else if (o->mfe_lifetime_s != n->mfe_lifetime_s)
    what = "mfe-lifetime";
  else if (o->strict != n->strict)
    what = "strict";
  else if (o->wrongif_alerts != n->wrongif_alerts)
    what = "wrongif-alerts";
  else if (strcmp(o->libmgm_log, n->libmgm_log) != 0)
    what = "libmgm-log";
  else if (strcmp(o->socket, n->socket) != 0)
    what = "socket";
  else if (strcmp(o->pidfile, n->pidfile) != 0)
    what = "pidfile";
  else if (strcmp(o->socket_group, n->socket_group) != 0)
    what = "socket-group";
  if (what)
    mgmd_log(MGMD_LOG_WARN, "mgmd",
             "reload: '%s' changed; it takes effect "
             "at the next start only",
             what);
}

int mgmd_reload(struct mgmd *d, char *err, size_t errlen) {
  struct mgmd_conf *n = NULL, *o = d->conf;
  int rc = -1, bad = 0;

  mgmd_log(MGMD_LOG_INFO, "mgmd", "reloading %s",
           d->conf_path[0] ? d->conf_path : "the built-in configuration");
  if (mgmd_conf_load_or_builtin(d->conf_path, &n, err, errlen) != 0 ||
      mgmd_conf_validate(n, d->backend, err, errlen) != 0 ||
      mgmd_plugins_check(d, n, err, errlen) != 0)
    goto out;
  warn_fixed(o, n);
  mgmd_log_set_level(n->log_level);
  mgmd_ifs_hold(d, 1);
  if (d->is_sim && mgmd_sim_apply(d, o, n, 1, err, errlen) != 0)
    goto out;
  /* From here on the change is under way: a part that fails is logged
   * and the others still follow the new configuration. */
  if (mgmd_igmp_reconfigure(d, o, n, err, errlen) != 0) {
    mgmd_log(MGMD_LOG_ERROR, "mgmd", "reload: %s", err);
    bad = 1;
  }
  mgmd_settle(d);
  if (mgmd_plugins_reload(d, n, err, errlen) != 0) {
    mgmd_log(MGMD_LOG_ERROR, "mgmd", "reload: %s", err);
    bad = 1;
  }
  if (d->is_sim)
    mgmd_sim_apply(d, o, n, 2, err, errlen);
  d->conf = n;
  mgmd_conf_free(o);
  n = NULL;
  mgmd_settle(d);
  if (bad)
    snprintf(err, errlen, "reload finished with errors (see above)");
  rc = bad ? -1 : 0;
out:
  mgmd_ifs_hold(d, 0); /* under the configuration in force, new or old */
  if (rc != 0)
    mgmd_log(MGMD_LOG_ERROR, "mgmd", "reload: %s%s", err,
             n ? "; the running configuration is unchanged" : "");
  else
    mgmd_log(MGMD_LOG_INFO, "mgmd", "configuration reloaded");
  mgmd_conf_free(n);
  return rc;
}
