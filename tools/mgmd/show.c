/*
 * show.c - the "show ..." control requests: MGM's protocols, interfaces
 * (owner and IGMP co-owner), group memberships (latent ones too), MFEs
 * with counters, the IGMP component, the event log and the daemon status,
 * as the JSON documented in tools/mgmctl/README.md.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include "state.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void proto_obj(struct jw *j, const struct mgmd *d, DWORD pid,
                      DWORD cid) {
  char nm[64];

  jw_obj(j);
  jw_ku64(j, "protocol_id", pid);
  jw_ku64(j, "component_id", cid);
  jw_kstr(j, "name", mgmd_proto_name(d, pid, cid, nm, sizeof(nm)));
  jw_obj_end(j);
}

static void if_obj_fields(struct jw *j, DWORD ifindex, DWORD nexthop) {
  char ifn[MGMD_NAME_MAX];

  jw_ku64(j, "ifindex", ifindex);
  jw_kstr(j, "name", mgmd_if_name(ifindex, ifn, sizeof(ifn)));
  jw_kip(j, "nexthop", nexthop);
}

static int show_protocols(struct mgmd *d, struct jw *j,
                          const struct libmgm_snapshot *s) {
  const struct mgmd_known *k;
  DWORD i;

  jw_key(j, "protocols");
  jw_arr(j);
  for (i = 0; i < s->n_protos; i++) {
    const struct libmgm_proto_info *p = &s->protos[i];
    char nm[64];

    k = mgmd_known_find(d, p->protocol_id, p->component_id);
    jw_obj(j);
    jw_ku64(j, "protocol_id", p->protocol_id);
    jw_ku64(j, "component_id", p->component_id);
    jw_kstr(
        j, "name",
        mgmd_proto_name(d, p->protocol_id, p->component_id, nm, sizeof(nm)));
    jw_kstr(j, "kind", k ? k->kind : "external");
    jw_kbool(j, "igmp", p->igmp);
    jw_ku64(j, "interfaces", p->interfaces);
    jw_obj_end(j);
  }
  jw_arr_end(j);
  jw_key(j, "plugins");
  mgmd_plugins_show(d, j);
  return 0;
}

static int show_interfaces(struct mgmd *d, struct jw *j,
                           const struct libmgm_snapshot *s) {
  DWORD i;

  jw_key(j, "interfaces");
  jw_arr(j);
  for (i = 0; i < s->n_ifs; i++) {
    const struct libmgm_if_info *f = &s->ifs[i];
    DWORD addr = 0, plen = 0, qaddr = 0;
    uint32_t groups = 0;
    int querier = 0;

    jw_obj(j);
    if_obj_fields(j, f->ifindex, f->nexthop);
    jw_key(j, "address");
    if (mgmd_if_addr(f->ifindex, &addr, &plen) == 0)
      jw_strf(j, "%u.%u.%u.%u/%u", ((BYTE *)&addr)[0], ((BYTE *)&addr)[1],
              ((BYTE *)&addr)[2], ((BYTE *)&addr)[3], (unsigned)plen);
    else
      jw_null(j);
    jw_key(j, "owner");
    if (f->has_owner)
      proto_obj(j, d, f->owner_protocol, f->owner_component);
    else
      jw_null(j);
    jw_key(j, "igmp_owner");
    if (f->has_igmp)
      proto_obj(j, d, f->igmp_protocol, f->igmp_component);
    else
      jw_null(j);
    jw_kbool(j, "forwarder_slot", f->attached);
    jw_key(j, "igmp");
    if (mgmd_igmp_if_state(d, f->ifindex, &querier, &qaddr, &groups) == 0) {
      jw_obj(j);
      jw_kstr(j, "role", querier < 0 ? "upstream" : "downstream");
      if (querier >= 0) {
        jw_kbool(j, "querier", querier);
        jw_kip(j, "querier_address", qaddr);
      }
      jw_ku64(j, "groups", groups);
      jw_obj_end(j);
    } else {
      jw_null(j);
    }
    jw_obj_end(j);
  }
  jw_arr_end(j);
  return 0;
}

static const char *shape(DWORD s, DWORD g) {
  return g == 0 ? "(*,*)" : s == 0 ? "(*,G)" : "(S,G)";
}

static int show_groups(struct mgmd *d, struct jw *j,
                       const struct libmgm_snapshot *s) {
  DWORD i;

  jw_key(j, "memberships");
  jw_arr(j);
  for (i = 0; i < s->n_members; i++) {
    const struct libmgm_member_info *m = &s->members[i];

    jw_obj(j);
    jw_kip(j, "source", m->sg.dwSourceAddr);
    jw_kip(j, "source_mask", m->sg.dwSourceMask);
    jw_kip(j, "group", m->sg.dwGroupAddr);
    jw_kip(j, "group_mask", m->sg.dwGroupMask);
    jw_kstr(j, "shape", shape(m->sg.dwSourceAddr, m->sg.dwGroupAddr));
    jw_key(j, "interface");
    jw_obj(j);
    if_obj_fields(j, m->ifindex, m->nexthop);
    jw_obj_end(j);
    jw_key(j, "protocol");
    proto_obj(j, d, m->protocol_id, m->component_id);
    jw_kbool(j, "latent", m->latent);
    jw_obj_end(j);
  }
  jw_arr_end(j);
  return 0;
}

static int show_mfe(struct mgmd *d, struct jw *j, int stats, char *err,
                    size_t errlen) {
  struct mgmd_mfe *v = NULL;
  size_t n = 0, i;
  DWORD rc, k;
  int ret = -1;

  rc = mgmd_mfes_read(stats, &v, &n);
  if (rc != NO_ERROR) {
    snprintf(err, errlen, "cannot read the MFE table: error %lu",
             (unsigned long)rc);
    goto out;
  }
  jw_kbool(j, "stats", stats);
  jw_key(j, "mfes");
  jw_arr(j);
  for (i = 0; i < n; i++) {
    const struct mgmd_mfe *m = &v[i];

    jw_obj(j);
    jw_kip(j, "source", m->source);
    jw_kip(j, "source_mask", m->src_mask);
    jw_kip(j, "group", m->group);
    jw_kip(j, "upstream", m->upstream);
    jw_key(j, "iif");
    jw_obj(j);
    if_obj_fields(j, m->iif, 0);
    jw_key(j, "protocol"); /* an MFE records the protocol id only */
    if (m->iif_protocol != 0) {
      char nm[64];

      jw_obj(j);
      jw_ku64(j, "protocol_id", m->iif_protocol);
      jw_kstr(j, "name",
              mgmd_proto_name(d, m->iif_protocol, 0, nm, sizeof(nm)));
      jw_obj_end(j);
    } else {
      jw_null(j);
    }
    jw_obj_end(j);
    jw_key(j, "route");
    jw_obj(j);
    jw_ku64(j, "protocol", m->route_protocol);
    jw_kip(j, "network", m->route_network);
    jw_kip(j, "mask", m->route_mask);
    jw_obj_end(j);
    jw_ku64(j, "uptime_s", m->uptime_s);
    jw_ku64(j, "expiry_s", m->expiry_s);
    jw_ku64(j, "timeout_s", m->timeout_s);
    jw_key(j, "oifs");
    jw_arr(j);
    for (k = 0; k < m->n_oif; k++) {
      const struct mgmd_oif *o = &m->oif[k];

      jw_obj(j);
      if_obj_fields(j, o->ifindex, o->nexthop);
      if (stats) {
        jw_key(j, "stats");
        if (o->has_stats) {
          jw_obj(j);
          jw_ku64(j, "out_packets", o->out_packets);
          jw_ku64(j, "out_discards", o->out_discards);
          jw_ku64(j, "ttl_too_low", o->ttl_too_low);
          jw_ku64(j, "frag_needed", o->frag_needed);
          jw_obj_end(j);
        } else {
          jw_null(j);
        }
      }
      jw_obj_end(j);
    }
    jw_arr_end(j);
    if (stats) {
      jw_key(j, "stats");
      if (m->has_stats) {
        jw_obj(j);
        jw_ku64(j, "in_packets", m->in_packets);
        jw_ku64(j, "in_octets", m->in_octets);
        jw_ku64(j, "wrong_if", m->wrong_if);
        jw_ku64(j, "queue_overflow", m->queue_overflow);
        jw_ku64(j, "uninit", m->uninit);
        jw_ku64(j, "negative", m->negative);
        jw_ku64(j, "in_discards", m->in_discards);
        jw_ku64(j, "in_hdr_errors", m->in_hdr_errors);
        jw_ku64(j, "out_packets", m->total_out);
        jw_obj_end(j);
      } else {
        jw_null(j);
      }
    }
    jw_obj_end(j);
  }
  jw_arr_end(j);
  ret = 0;
out:
  mgmd_mfes_free(v, n);
  return ret;
}

static int show_status(struct mgmd *d, struct jw *j,
                       const struct libmgm_snapshot *s) {
  struct mgmd_mfe *v = NULL;
  size_t n = 0;

  mgmd_mfes_read(0, &v, &n);
  jw_kstr(j, "version", MGMD_VERSION);
  jw_ku64(j, "pid", (uint64_t)getpid());
  jw_kstr(j, "config", d->conf_path[0] ? d->conf_path : "(built-in)");
  jw_kstr(j, "socket", d->sock_path);
  jw_ku64(j, "uptime_s", (mgmd_now() - d->start_ms) / 1000);
  jw_kbool(j, "igmp_available", mgmd_igmp_available());
  jw_kbool(j, "igmp_running", d->igmp != NULL);
  jw_ku64(j, "protocols", s->n_protos);
  jw_ku64(j, "interfaces", s->n_ifs);
  jw_ku64(j, "memberships", s->n_members);
  jw_ku64(j, "mfes", n);
  if (d->is_sim) {
    DWORD entries = 0, slots = 0;

    libmgm_sim_kernel_count(&entries, &slots);
    jw_key(j, "sim_kernel");
    jw_obj(j);
    jw_ku64(j, "entries", entries);
    jw_ku64(j, "slots", slots);
    jw_obj_end(j);
  }
  mgmd_mfes_free(v, n);
  return 0;
}

int mgmd_show(struct mgmd *d, int argc, char **argv, struct jw *j, char *err,
              size_t errlen) {
  struct libmgm_snapshot *s = NULL;
  const char *what = argc >= 2 ? argv[1] : "";
  DWORD rc;
  int ret = -1;

  if (strcmp(what, "log") == 0) {
    uint32_t since = 0;

    if (!(argc == 2 ||
          (argc == 4 && strcmp(argv[2], "since") == 0 &&
           mgmd_parse_u32(argv[3], 0, 0xFFFFFFFFu, &since) == 0))) {
      snprintf(err, errlen, "usage: show log [since SEQ]");
      goto out;
    }
    jw_ku64(j, "last", mgmd_events_last());
    jw_key(j, "events");
    mgmd_events_json(j, since);
    ret = 0;
    goto out;
  }
  rc = libmgm_snapshot_take(&s);
  if (rc != NO_ERROR) {
    snprintf(err, errlen, "libmgm_snapshot_take: error %lu", (unsigned long)rc);
    goto out;
  }
  jw_kstr(j, "backend", s->backend);
  jw_ku64(j, "now_ms", s->now_ms);
  if (argc == 2 && strcmp(what, "protocols") == 0) {
    ret = show_protocols(d, j, s);
  } else if (argc == 2 && strcmp(what, "interfaces") == 0) {
    ret = show_interfaces(d, j, s);
  } else if (argc == 2 && strcmp(what, "groups") == 0) {
    ret = show_groups(d, j, s);
  } else if (strcmp(what, "mfe") == 0 &&
             (argc == 2 || (argc == 3 && strcmp(argv[2], "stats") == 0))) {
    ret = show_mfe(d, j, argc == 3, err, errlen);
  } else if (argc == 2 && strcmp(what, "igmp") == 0) {
    mgmd_igmp_show(d, j);
    ret = 0;
  } else if (argc == 2 && strcmp(what, "status") == 0) {
    ret = show_status(d, j, s);
  } else {
    snprintf(err, errlen,
             "usage: show protocols|interfaces|groups|mfe "
             "[stats]|igmp|log [since SEQ]|status");
  }
out:
  libmgm_snapshot_free(s);
  return ret;
}
