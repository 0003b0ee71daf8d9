/*
 * state.c - reading what MGM holds (the libmgm snapshot for protocols,
 * interfaces and memberships; MgmGetFirstMfe/GetNextMfe and the *Stats
 * forms for MFEs) and the watcher that logs every change between two
 * readings ("MFE (10.1.0.5, 239.1.2.3) created: in up0, out lan2 lan3").
 *
 * SPDX-License-Identifier: MIT
 *
 * The watcher is how `mgmctl show log` and the demo explain what MGM did
 * without any hook inside libmgm: it runs on the main thread after every
 * request and every wake-up, and every two seconds on a kernel backend.
 */
#define _POSIX_C_SOURCE 200809L

#include "state.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF0 (64 * 1024)

static const char *ipstr(DWORD a, char *buf) {
  const unsigned char *p = (const unsigned char *)&a;

  snprintf(buf, 16, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
  return buf;
}

/* ---- MFEs
 * --------------------------------------------------------------------- */

static int push(struct mgmd_mfe **v, size_t *n, size_t *cap) {
  int rc = -1;

  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 16;
    struct mgmd_mfe *nv = realloc(*v, c * sizeof(**v));

    if (nv == NULL)
      goto out;
    *v = nv;
    *cap = c;
  }
  memset(&(*v)[*n], 0, sizeof(**v));
  (*n)++;
  rc = 0;
out:
  return rc;
}

/* Parse count basic records from buf into v. */
static int parse_basic(const BYTE *buf, DWORD count, struct mgmd_mfe **v,
                       size_t *n, size_t *cap, MIB_IPMCAST_MFE *last) {
  size_t off = 0;
  DWORD i, k;
  int rc = 0;

  for (i = 0; i < count; i++) {
    MIB_IPMCAST_MFE h;
    struct mgmd_mfe *m;

    memcpy(&h, buf + off, SIZEOF_BASIC_MIB_MFE);
    if (push(v, n, cap) != 0) {
      rc = -1;
      goto out;
    }
    m = &(*v)[*n - 1];
    m->group = h.dwGroup;
    m->source = h.dwSource;
    m->src_mask = h.dwSrcMask;
    m->upstream = h.dwUpStrmNgbr;
    m->iif = h.dwInIfIndex;
    m->iif_protocol = h.dwInIfProtocol;
    m->route_protocol = h.dwRouteProtocol;
    m->route_network = h.dwRouteNetwork;
    m->route_mask = h.dwRouteMask;
    m->uptime_s = h.ulUpTime;
    m->expiry_s = h.ulExpiryTime;
    m->timeout_s = h.ulTimeOut;
    m->n_oif = h.ulNumOutIf;
    m->oif = calloc(h.ulNumOutIf ? h.ulNumOutIf : 1, sizeof(*m->oif));
    if (m->oif == NULL) {
      rc = -1;
      goto out;
    }
    for (k = 0; k < h.ulNumOutIf; k++) {
      MIB_IPMCAST_OIF o;

      memcpy(&o, buf + off + SIZEOF_MIB_MFE(k), sizeof(o));
      m->oif[k].ifindex = o.dwOutIfIndex;
      m->oif[k].nexthop = o.dwNextHopAddr;
    }
    *last = h;
    off += SIZEOF_MIB_MFE(h.ulNumOutIf);
  }
out:
  return rc;
}

static struct mgmd_mfe *find(struct mgmd_mfe *v, size_t n, DWORD g, DWORD s) {
  struct mgmd_mfe *m = NULL;
  size_t i;

  for (i = 0; i < n && m == NULL; i++)
    if (v[i].group == g && v[i].source == s)
      m = &v[i];
  return m;
}

/* Merge count stats-ex records into v (matched by (G,S)). */
static void parse_stats(const BYTE *buf, DWORD count, struct mgmd_mfe *v,
                        size_t n, MIB_IPMCAST_MFE *last) {
  size_t off = 0;
  DWORD i, k, x;

  for (i = 0; i < count; i++) {
    MIB_IPMCAST_MFE_STATS_EX h;
    struct mgmd_mfe *m;

    memcpy(&h, buf + off, SIZEOF_BASIC_MIB_MFE_STATS_EX);
    m = find(v, n, h.dwGroup, h.dwSource);
    if (m != NULL) {
      m->has_stats = 1;
      m->in_packets = h.ulInPkts;
      m->in_octets = h.ulInOctets;
      m->wrong_if = h.ulPktsDifferentIf;
      m->queue_overflow = h.ulQueueOverflow;
      m->uninit = h.ulUninitMfe;
      m->negative = h.ulNegativeMfe;
      m->in_discards = h.ulInDiscards;
      m->in_hdr_errors = h.ulInHdrErrors;
      m->total_out = h.ulTotalOutPackets;
      for (k = 0; k < h.ulNumOutIf; k++) {
        MIB_IPMCAST_OIF_STATS o;

        memcpy(&o, buf + off + SIZEOF_BASIC_MIB_MFE_STATS_EX + k * sizeof(o),
               sizeof(o));
        for (x = 0; x < m->n_oif; x++) {
          if (m->oif[x].ifindex != o.dwOutIfIndex ||
              m->oif[x].nexthop != o.dwNextHopAddr)
            continue;
          m->oif[x].has_stats = 1;
          m->oif[x].out_packets = o.ulOutPackets;
          m->oif[x].out_discards = o.ulOutDiscards;
          m->oif[x].ttl_too_low = o.ulTtlTooLow;
          m->oif[x].frag_needed = o.ulFragNeeded;
        }
      }
    }
    last->dwGroup = h.dwGroup;
    last->dwSource = h.dwSource;
    off += SIZEOF_MIB_MFE_STATS_EX(h.ulNumOutIf);
  }
}

/* One enumeration (basic or stats) through the whole table. */
static DWORD enumerate(int stats, struct mgmd_mfe **v, size_t *n, size_t *cap) {
  MIB_IPMCAST_MFE last;
  DWORD size, count, rc, cap_b = BUF0;
  BYTE *buf = NULL;
  int first = 1;

  memset(&last, 0, sizeof(last));
  buf = malloc(cap_b);
  if (buf == NULL) {
    rc = ERROR_NOT_ENOUGH_MEMORY;
    goto out;
  }
  for (;;) {
    size = cap_b;
    count = 0;
    if (stats)
      rc = first
               ? MgmGetFirstMfeStats(&size, buf, &count, MGM_MFE_STATS_1)
               : MgmGetNextMfeStats(&last, &size, buf, &count, MGM_MFE_STATS_1);
    else
      rc = first ? MgmGetFirstMfe(&size, buf, &count)
                 : MgmGetNextMfe(&last, &size, buf, &count);
    if (rc == ERROR_INSUFFICIENT_BUFFER && size > cap_b &&
        size < 64 * 1024 * 1024) {
      BYTE *nb = realloc(buf, size);

      if (nb == NULL) {
        rc = ERROR_NOT_ENOUGH_MEMORY;
        goto out;
      }
      buf = nb;
      cap_b = size;
      continue;
    }
    if (rc != ERROR_MORE_DATA && rc != ERROR_NO_MORE_ITEMS && rc != NO_ERROR)
      goto out;
    if (stats) {
      parse_stats(buf, count, *v, *n, &last);
    } else if (parse_basic(buf, count, v, n, cap, &last) != 0) {
      rc = ERROR_NOT_ENOUGH_MEMORY;
      goto out;
    }
    first = 0;
    if (rc != ERROR_MORE_DATA || count == 0)
      break;
  }
  rc = NO_ERROR;
out:
  free(buf);
  return rc;
}

DWORD mgmd_mfes_read(int with_stats, struct mgmd_mfe **out, size_t *n_out) {
  struct mgmd_mfe *v = NULL;
  size_t n = 0, cap = 0;
  DWORD rc;

  rc = enumerate(0, &v, &n, &cap);
  if (rc == NO_ERROR && with_stats)
    rc = enumerate(1, &v, &n, &cap);
  if (rc != NO_ERROR) {
    mgmd_mfes_free(v, n);
    v = NULL;
    n = 0;
  }
  *out = v;
  *n_out = n;
  return rc;
}

void mgmd_mfes_free(struct mgmd_mfe *v, size_t n) {
  size_t i;

  for (i = 0; i < n; i++)
    free(v[i].oif);
  free(v);
}

/* ---- the watcher
 * ---------------------------------------------------------------- */

static struct libmgm_snapshot *w_snap;
static struct mgmd_mfe *w_mfes;
static size_t w_n_mfes;
static int w_primed;

static const char *pname(const struct mgmd *d, DWORD pid, DWORD cid, char *buf,
                         size_t len) {
  return mgmd_proto_name(d, pid, cid, buf, len);
}

static void sg_str(DWORD s, DWORD g, char *out, size_t len) {
  char a[16], b[16];

  snprintf(out, len, "(%s, %s)", s ? ipstr(s, a) : "*", g ? ipstr(g, b) : "*");
}

static const char *id_str(DWORD id, char *buf) {
  snprintf(buf, 16, id < 0x10000 ? "%u" : "0x%08x", (unsigned)id);
  return buf;
}

static void proto_diff(const struct mgmd *d, const struct libmgm_snapshot *o,
                       const struct libmgm_snapshot *n) {
  DWORD i, k;
  char nm[64], id[16];

  for (i = 0; i < n->n_protos; i++) {
    for (k = 0; o && k < o->n_protos; k++)
      if (o->protos[k].protocol_id == n->protos[i].protocol_id &&
          o->protos[k].component_id == n->protos[i].component_id)
        break;
    if (o == NULL || k == o->n_protos)
      mgmd_log(MGMD_LOG_INFO, "mgm",
               "protocol %s registered (id %s, "
               "component %u)%s",
               pname(d, n->protos[i].protocol_id, n->protos[i].component_id, nm,
                     sizeof(nm)),
               id_str(n->protos[i].protocol_id, id),
               (unsigned)n->protos[i].component_id,
               n->protos[i].igmp ? ", an IGMP-type client" : "");
  }
  for (k = 0; o && k < o->n_protos; k++) {
    for (i = 0; i < n->n_protos; i++)
      if (o->protos[k].protocol_id == n->protos[i].protocol_id &&
          o->protos[k].component_id == n->protos[i].component_id)
        break;
    if (i == n->n_protos)
      mgmd_log(MGMD_LOG_INFO, "mgm", "protocol %s deregistered",
               pname(d, o->protos[k].protocol_id, o->protos[k].component_id, nm,
                     sizeof(nm)));
  }
}

static void owner_str(const struct mgmd *d, const struct libmgm_if_info *f,
                      char *out, size_t len) {
  char a[64], b[64];

  if (f == NULL)
    snprintf(out, len, "no owner");
  else if (f->has_owner && f->has_igmp)
    snprintf(out, len, "owner %s, IGMP co-owner %s",
             pname(d, f->owner_protocol, f->owner_component, a, sizeof(a)),
             pname(d, f->igmp_protocol, f->igmp_component, b, sizeof(b)));
  else if (f->has_owner)
    snprintf(out, len, "owner %s",
             pname(d, f->owner_protocol, f->owner_component, a, sizeof(a)));
  else if (f->has_igmp)
    snprintf(out, len, "owner %s (IGMP alone)",
             pname(d, f->igmp_protocol, f->igmp_component, b, sizeof(b)));
  else
    snprintf(out, len, "no owner");
}

static const struct libmgm_if_info *if_find(const struct libmgm_snapshot *s,
                                            DWORD ifx, DWORD nh) {
  const struct libmgm_if_info *f = NULL;
  DWORD i;

  for (i = 0; s && i < s->n_ifs && f == NULL; i++)
    if (s->ifs[i].ifindex == ifx && s->ifs[i].nexthop == nh)
      f = &s->ifs[i];
  return f;
}

static void if_diff(const struct mgmd *d, const struct libmgm_snapshot *o,
                    const struct libmgm_snapshot *n) {
  char was[160], now[160], ifn[MGMD_NAME_MAX];
  DWORD i;

  for (i = 0; i < n->n_ifs; i++) {
    const struct libmgm_if_info *f = &n->ifs[i], *g;

    g = if_find(o, f->ifindex, f->nexthop);
    owner_str(d, g, was, sizeof(was));
    owner_str(d, f, now, sizeof(now));
    if (strcmp(was, now) != 0)
      mgmd_log(MGMD_LOG_INFO, "mgm", "interface %s: %s (was: %s)%s",
               mgmd_if_name(f->ifindex, ifn, sizeof(ifn)), now, was,
               f->attached && (g == NULL || !g->attached)
                   ? "; forwarder slot added"
                   : "");
  }
  for (i = 0; o && i < o->n_ifs; i++)
    if (if_find(n, o->ifs[i].ifindex, o->ifs[i].nexthop) == NULL)
      mgmd_log(MGMD_LOG_INFO, "mgm", "interface %s: no owner any more",
               mgmd_if_name(o->ifs[i].ifindex, ifn, sizeof(ifn)));
}

static int mem_eq(const struct libmgm_member_info *a,
                  const struct libmgm_member_info *b) {
  return a->sg.dwSourceAddr == b->sg.dwSourceAddr &&
         a->sg.dwGroupAddr == b->sg.dwGroupAddr && a->ifindex == b->ifindex &&
         a->nexthop == b->nexthop && a->protocol_id == b->protocol_id &&
         a->component_id == b->component_id && a->latent == b->latent;
}

static int mem_in(const struct libmgm_snapshot *s,
                  const struct libmgm_member_info *m) {
  DWORD i;
  int found = 0;

  for (i = 0; s && i < s->n_members && !found; i++)
    found = mem_eq(&s->members[i], m);
  return found;
}

static void mem_log(const struct mgmd *d, const struct libmgm_snapshot *s,
                    const struct libmgm_member_info *m, int added) {
  char sg[48], ifn[MGMD_NAME_MAX], who[64], own[64];
  const struct libmgm_if_info *f = if_find(s, m->ifindex, m->nexthop);

  sg_str(m->sg.dwSourceAddr, m->sg.dwGroupAddr, sg, sizeof(sg));
  mgmd_if_name(m->ifindex, ifn, sizeof(ifn));
  pname(d, m->protocol_id, m->component_id, who, sizeof(who));
  if (m->latent)
    mgmd_log(
        MGMD_LOG_INFO, "mgm", "%s: IGMP join %s on %s is %s%s%s%s", who, sg,
        ifn, added ? "held as latent (local join" : "gone",
        added ? " to the owner " : "",
        added && f && f->has_owner
            ? pname(d, f->owner_protocol, f->owner_component, own, sizeof(own))
            : "",
        added ? ", which decides)" : " (local leave to the owner)");
  else
    mgmd_log(MGMD_LOG_INFO, "mgm", "membership %s on %s by %s %s", sg, ifn, who,
             added ? "added" : "deleted");
}

static void member_diff(const struct mgmd *d, const struct libmgm_snapshot *o,
                        const struct libmgm_snapshot *n) {
  DWORD i;

  for (i = 0; o && i < o->n_members; i++)
    if (!mem_in(n, &o->members[i]))
      mem_log(d, o, &o->members[i], 0);
  for (i = 0; i < n->n_members; i++)
    if (!mem_in(o, &n->members[i]))
      mem_log(d, n, &n->members[i], 1);
}

static void oif_str(const struct mgmd_mfe *m, char *out, size_t len) {
  char ifn[MGMD_NAME_MAX];
  size_t off = 0;
  DWORD k;

  out[0] = '\0';
  for (k = 0; k < m->n_oif && off < len; k++) {
    int w = snprintf(out + off, len - off, "%s%s", k ? " " : "",
                     mgmd_if_name(m->oif[k].ifindex, ifn, sizeof(ifn)));

    if (w < 0)
      break;
    off += (size_t)w;
  }
  if (m->n_oif == 0)
    snprintf(out, len, "nothing (negative entry: drops the traffic)");
}

static void mfe_diff(const struct mgmd_mfe *o, size_t no,
                     const struct mgmd_mfe *n, size_t nn) {
  char sg[48], ifn[MGMD_NAME_MAX], was[256], now[256];
  size_t i, k;

  for (i = 0; i < no; i++) {
    for (k = 0; k < nn; k++)
      if (n[k].group == o[i].group && n[k].source == o[i].source)
        break;
    if (k == nn) {
      sg_str(o[i].source, o[i].group, sg, sizeof(sg));
      mgmd_log(MGMD_LOG_INFO, "mgm", "MFE %s deleted", sg);
    }
  }
  for (k = 0; k < nn; k++) {
    const struct mgmd_mfe *m = &n[k], *p = NULL;

    for (i = 0; i < no; i++)
      if (o[i].group == m->group && o[i].source == m->source)
        p = &o[i];
    sg_str(m->source, m->group, sg, sizeof(sg));
    oif_str(m, now, sizeof(now));
    if (p == NULL) {
      mgmd_log(MGMD_LOG_INFO, "mgm", "MFE %s created: in %s, out %s", sg,
               mgmd_if_name(m->iif, ifn, sizeof(ifn)), now);
      continue;
    }
    oif_str(p, was, sizeof(was));
    if (p->iif != m->iif || strcmp(was, now) != 0)
      mgmd_log(MGMD_LOG_INFO, "mgm",
               "MFE %s updated: in %s, out %s (was: "
               "out %s)",
               sg, mgmd_if_name(m->iif, ifn, sizeof(ifn)), now, was);
  }
}

void mgmd_watch(const struct mgmd *d) {
  struct libmgm_snapshot *s = NULL;
  struct mgmd_mfe *m = NULL;
  size_t nm = 0;

  if (libmgm_snapshot_take(&s) != NO_ERROR ||
      mgmd_mfes_read(0, &m, &nm) != NO_ERROR)
    goto out;
  if (w_primed) {
    proto_diff(d, w_snap, s);
    if_diff(d, w_snap, s);
    member_diff(d, w_snap, s);
    mfe_diff(w_mfes, w_n_mfes, m, nm);
  } else {
    proto_diff(d, NULL, s);
    if_diff(d, NULL, s);
    member_diff(d, NULL, s);
    mfe_diff(NULL, 0, m, nm);
  }
  libmgm_snapshot_free(w_snap);
  mgmd_mfes_free(w_mfes, w_n_mfes);
  w_snap = s;
  w_mfes = m;
  w_n_mfes = nm;
  w_primed = 1;
  s = NULL;
  m = NULL;
  nm = 0;
out:
  libmgm_snapshot_free(s);
  mgmd_mfes_free(m, nm);
}

void mgmd_watch_reset(void) {
  libmgm_snapshot_free(w_snap);
  mgmd_mfes_free(w_mfes, w_n_mfes);
  w_snap = NULL;
  w_mfes = NULL;
  w_n_mfes = 0;
  w_primed = 0;
}
