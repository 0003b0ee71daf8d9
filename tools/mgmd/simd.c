/*
 * simd.c - mgmd on libmgm's simulated forwarder: the [sim] section turned
 * into sim interfaces and routes (and changed on reload), IGMP messages
 * "sent" on sim links logged, and the control requests that play the
 * network for a demo or a test: a host's IGMP report or leave, a data
 * packet from a source, the passing of time, a link going down.
 *
 * SPDX-License-Identifier: MIT
 *
 * Requests run on mgmd's main thread; libmgm's sim calls return after
 * every callback they caused ran, and mgmd_settle() then runs the IGMP
 * component and the work plug-ins posted, so a reply reflects everything
 * the request set off.
 */
#define _POSIX_C_SOURCE 200809L

#include "state.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ADVANCE_MS (7ull * 24 * 3600 * 1000)
#define MAX_STEPS 100000

static const char *ipstr(DWORD a, char *buf) {
  const unsigned char *p = (const unsigned char *)&a;

  snprintf(buf, 16, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
  return buf;
}

/* ---- [sim] --------------------------------------------------------------- */

static const struct mgmd_conf_route *route_in(const struct mgmd_conf *c,
                                              const struct mgmd_conf_route *r) {
  size_t i;

  for (i = 0; c && i < c->n_routes; i++)
    if (c->routes[i].network == r->network && c->routes[i].mask == r->mask)
      return &c->routes[i];
  return NULL;
}

static int same_route(const struct mgmd_conf *a,
                      const struct mgmd_conf_route *x,
                      const struct mgmd_conf *b,
                      const struct mgmd_conf_route *y) {
  const struct mgmd_conf_simif *fx = mgmd_conf_simif_by_name(a, x->ifname);
  const struct mgmd_conf_simif *fy = mgmd_conf_simif_by_name(b, y->ifname);

  return fx && fy && fx->ifindex == fy->ifindex && x->upstream == y->upstream &&
         x->protocol == y->protocol;
}

static DWORD add_if(const struct mgmd_conf_simif *f) {
  DWORD rc = libmgm_sim_if_add(f->ifindex, f->name, f->addr, f->prefixlen);

  if (rc == NO_ERROR && !f->up)
    rc = libmgm_sim_if_set_up(f->ifindex, FALSE);
  return rc;
}

int mgmd_sim_apply(struct mgmd *d, const struct mgmd_conf *old_c,
                   const struct mgmd_conf *new_c, int phase, char *err,
                   size_t errlen) {
  const struct mgmd_conf_simif *f, *o;
  const struct mgmd_conf_route *r, *orr;
  char a[16];
  DWORD rc = NO_ERROR;
  size_t i;
  int ret = -1;

  if (phase == 2) {
    for (i = 0; old_c && i < old_c->n_simifs; i++) {
      o = &old_c->simifs[i];
      if (mgmd_conf_simif_by_name(new_c, o->name) == NULL) {
        libmgm_sim_if_del(o->ifindex);
        mgmd_log(MGMD_LOG_INFO, "sim", "interface %s (%u) removed", o->name,
                 (unsigned)o->ifindex);
      }
    }
    ret = 0;
    goto out;
  }
  for (i = 0; i < new_c->n_simifs; i++) {
    f = &new_c->simifs[i];
    o = old_c ? mgmd_conf_simif_by_name(old_c, f->name) : NULL;
    if (o == NULL) {
      rc = add_if(f);
      if (rc == NO_ERROR)
        mgmd_log(MGMD_LOG_INFO, "sim", "interface %s (%u) %s/%u%s", f->name,
                 (unsigned)f->ifindex, ipstr(f->addr, a),
                 (unsigned)f->prefixlen, f->up ? "" : " (down)");
    } else if (o->ifindex != f->ifindex || o->addr != f->addr ||
               o->prefixlen != f->prefixlen) {
      libmgm_sim_if_del(o->ifindex);
      rc = add_if(f);
      mgmd_log(MGMD_LOG_INFO, "sim", "interface %s re-created as %u %s/%u",
               f->name, (unsigned)f->ifindex, ipstr(f->addr, a),
               (unsigned)f->prefixlen);
    } else if (o->up != f->up) {
      rc = libmgm_sim_if_set_up(f->ifindex, f->up ? TRUE : FALSE);
      mgmd_log(MGMD_LOG_INFO, "sim", "interface %s %s", f->name,
               f->up ? "up" : "down");
    }
    if (rc != NO_ERROR) {
      snprintf(err, errlen, "%s:%u: sim interface %s: error %lu", new_c->source,
               f->line, f->name, (unsigned long)rc);
      goto out;
    }
  }
  mgmd_ifs_set_sim(new_c);
  for (i = 0; old_c && i < old_c->n_routes; i++) {
    orr = &old_c->routes[i];
    r = route_in(new_c, orr);
    if (r == NULL || !same_route(old_c, orr, new_c, r))
      libmgm_sim_route_del(orr->network, orr->mask);
  }
  for (i = 0; i < new_c->n_routes; i++) {
    r = &new_c->routes[i];
    orr = route_in(old_c, r);
    if (orr != NULL && same_route(old_c, orr, new_c, r))
      continue;
    f = mgmd_conf_simif_by_name(new_c, r->ifname);
    rc = f ? libmgm_sim_route_add(r->network, r->mask, f->ifindex, r->upstream,
                                  r->protocol)
           : ERROR_NOT_FOUND;
    if (rc != NO_ERROR) {
      snprintf(err, errlen, "%s:%u: sim route: error %lu", new_c->source,
               r->line, (unsigned long)rc);
      goto out;
    }
  }
  ret = 0;
out:
  return ret;
}

/* ---- IGMP packets -------------------------------------------------------- */

static uint16_t csum(const BYTE *p, size_t n) {
  uint32_t s = 0;
  size_t i;

  for (i = 0; i + 1 < n; i += 2)
    s += (uint32_t)p[i] << 8 | p[i + 1];
  if (n & 1)
    s += (uint32_t)p[n - 1] << 8;
  while (s >> 16)
    s = (s & 0xFFFF) + (s >> 16);
  return (uint16_t)~s;
}

size_t mgmd_igmp_packet(BYTE *buf, size_t cap, DWORD src, DWORD dst,
                        const BYTE *igmp, size_t igmp_len) {
  size_t total = 24 + igmp_len;
  uint16_t c;

  if (total > cap || total > 65535) {
    total = 0;
    goto out;
  }
  memset(buf, 0, 24);
  buf[0] = 0x46; /* IPv4, 6 words: router alert option */
  buf[1] = 0xc0; /* internetwork control */
  buf[2] = (BYTE)(total >> 8);
  buf[3] = (BYTE)total;
  buf[8] = 1; /* TTL */
  buf[9] = 2; /* IGMP */
  memcpy(buf + 12, &src, 4);
  memcpy(buf + 16, &dst, 4);
  buf[20] = 0x94; /* router alert, RFC 2113 */
  buf[21] = 0x04;
  c = csum(buf, 24);
  buf[10] = (BYTE)(c >> 8);
  buf[11] = (BYTE)c;
  memcpy(buf + 24, igmp, igmp_len);
out:
  return total;
}

static void igmp_csum(BYTE *m, size_t n) {
  uint16_t c;

  m[2] = m[3] = 0;
  c = csum(m, n);
  m[2] = (BYTE)(c >> 8);
  m[3] = (BYTE)c;
}

/* One human line for an IGMP message (no IP header). */
static void describe(const BYTE *m, size_t n, char *out, size_t outlen) {
  char g[16];
  DWORD grp = 0;

  if (n >= 8)
    memcpy(&grp, m + 4, 4);
  if (n < 8) {
    snprintf(out, outlen, "a truncated IGMP message");
  } else if (m[0] == 0x11) {
    if (grp == 0)
      snprintf(out, outlen, "IGMPv%d general query", n >= 12 ? 3 : 2);
    else
      snprintf(out, outlen, "IGMPv%d query for %s", n >= 12 ? 3 : 2,
               ipstr(grp, g));
  } else if (m[0] == 0x12 || m[0] == 0x16) {
    snprintf(out, outlen, "IGMPv%d membership report for %s",
             m[0] == 0x12 ? 1 : 2, ipstr(grp, g));
  } else if (m[0] == 0x17) {
    snprintf(out, outlen, "IGMPv2 leave for %s", ipstr(grp, g));
  } else if (m[0] == 0x22) {
    snprintf(out, outlen, "IGMPv3 report (%u record%s)",
             (unsigned)(m[6] << 8 | m[7]), (m[6] << 8 | m[7]) == 1 ? "" : "s");
  } else {
    snprintf(out, outlen, "IGMP message type 0x%02x", m[0]);
  }
}

void mgmd_sim_tx_hook(void *ctx, DWORD ifindex, DWORD dst, const BYTE *igmp,
                      DWORD len) {
  char what[96], ifn[MGMD_NAME_MAX], d[16];

  /* Runs under libmgm's lock: log only. */
  describe(igmp, len, what, sizeof(what));
  mgmd_log(MGMD_LOG_INFO, "igmp", "sent %s on %s to %s", what,
           mgmd_if_name(ifindex, ifn, sizeof(ifn)), ipstr(dst, d));
}

/* ---- requests
 * ------------------------------------------------------------------ */

/* Request handlers fill err and return -1 on a bad request; j receives
 * the members of the result object. */

static int bad(char *err, size_t errlen, const char *fmt, const char *arg) {
  snprintf(err, errlen, fmt, arg);
  return -1;
}

/* An interface named in a request: must be one mgmd knows by name. */
static DWORD want_if(const char *name, char *err, size_t errlen) {
  DWORD ifx = mgmd_if_index(name);

  if (ifx == 0 || !mgmd_if_known(ifx)) {
    bad(err, errlen, "unknown interface '%s'", name);
    ifx = 0;
  }
  return ifx;
}

static void out_list(struct jw *j, const struct libmgm_sim_result *r) {
  char ifn[MGMD_NAME_MAX];
  DWORD i;

  jw_arr(j);
  for (i = 0; i < r->n_out && i < LIBMGM_SIM_MAX_OUT; i++) {
    jw_obj(j);
    jw_ku64(j, "ifindex", r->out_ifindex[i]);
    jw_kstr(j, "name", mgmd_if_name(r->out_ifindex[i], ifn, sizeof(ifn)));
    jw_obj_end(j);
  }
  jw_arr_end(j);
}

static const char *const verdicts[] = {"forwarded", "negative", "wrong_if",
                                       "pending", "not_routed"};

/* ttl/len/count options of sim inject. */
static int inject_opts(int argc, char **argv, uint32_t *ttl, uint32_t *len,
                       uint32_t *count, char *err, size_t errlen) {
  int k, rc = 0;

  for (k = 5; k < argc && rc == 0; k += 2) {
    uint32_t *dst = strcmp(argv[k], "ttl") == 0     ? ttl
                    : strcmp(argv[k], "len") == 0   ? len
                    : strcmp(argv[k], "count") == 0 ? count
                                                    : NULL;
    uint32_t max = dst == ttl ? 255 : dst == len ? 65535 : 10000;

    if (dst == NULL)
      rc = bad(err, errlen, "unknown option '%s' (ttl, len, count)", argv[k]);
    else if (mgmd_parse_u32(argv[k + 1], 1, max, dst) != 0)
      rc = bad(err, errlen, "bad value '%s'", argv[k + 1]);
  }
  return rc;
}

/* sim inject IF SOURCE GROUP [ttl N] [len N] [count N] */
static int req_inject(struct mgmd *d, int argc, char **argv, struct jw *j,
                      char *err, size_t errlen) {
  struct libmgm_sim_result r;
  uint32_t src, grp, ttl = 16, len = 1000, count = 1, n[5] = {0}, i;
  DWORD ifx, rc;
  char ifn[MGMD_NAME_MAX], s[16], g[16];
  int ret = -1;

  memset(&r, 0, sizeof(r));
  if (argc < 5 || (argc - 5) % 2 != 0) {
    bad(err, errlen, "%s",
        "usage: sim inject INTERFACE SOURCE GROUP "
        "[ttl N] [len BYTES] [count N]");
    goto out;
  }
  if ((ifx = want_if(argv[2], err, errlen)) == 0)
    goto out;
  if (mgmd_parse_ipv4(argv[3], &src) != 0) {
    bad(err, errlen, "bad source address '%s'", argv[3]);
    goto out;
  }
  if (mgmd_parse_ipv4(argv[4], &grp) != 0 ||
      (ntohl(grp) & 0xF0000000u) != 0xE0000000u) {
    bad(err, errlen, "bad group address '%s' (224.0.0.0/4)", argv[4]);
    goto out;
  }
  if (inject_opts(argc, argv, &ttl, &len, &count, err, errlen) != 0)
    goto out;
  for (i = 0; i < count; i++) {
    rc = libmgm_sim_inject(ifx, src, grp, (BYTE)ttl, len, &r);
    if (rc != NO_ERROR) {
      snprintf(err, errlen, "libmgm_sim_inject: error %lu", (unsigned long)rc);
      goto out;
    }
    if (r.verdict < 5)
      n[r.verdict]++;
    mgmd_settle(d);
  }
  mgmd_log(MGMD_LOG_INFO, "sim", "%u packet%s (%s, %s) arrived on %s: %s%s",
           (unsigned)count, count == 1 ? "" : "s", ipstr(src, s), ipstr(grp, g),
           mgmd_if_name(ifx, ifn, sizeof(ifn)),
           r.verdict < 5 ? verdicts[r.verdict] : "?",
           count > 1 ? " (the last one)" : "");
  jw_ku64(j, "packets", count);
  jw_key(j, "verdicts");
  jw_obj(j);
  for (i = 0; i < 5; i++)
    jw_ku64(j, verdicts[i], n[i]);
  jw_obj_end(j);
  jw_key(j, "last");
  jw_obj(j);
  jw_kstr(j, "verdict", r.verdict < 5 ? verdicts[r.verdict] : "unknown");
  jw_key(j, "out");
  out_list(j, &r);
  jw_obj_end(j);
  ret = 0;
out:
  return ret;
}

/* "A.B.C.D,A.B.C.D..." into out; the count, or -1. */
static int parse_sources(const char *list, DWORD *out, int max) {
  char buf[1024], *tok, *save = NULL;
  int n = 0;

  snprintf(buf, sizeof(buf), "%s", list);
  for (tok = strtok_r(buf, ",", &save); tok && n >= 0;
       tok = strtok_r(NULL, ",", &save)) {
    if (n == max || mgmd_parse_ipv4(tok, &out[n]) != 0)
      n = -1;
    else
      n++;
  }
  return n;
}

/* A host address on the interface's subnet to report from. */
static DWORD default_host(DWORD ifindex) {
  DWORD addr = 0, plen = 24, net, h;

  mgmd_if_addr(ifindex, &addr, &plen);
  if (plen > 30) {
    h = addr;
  } else {
    net = ntohl(addr) & (plen ? 0xFFFFFFFFu << (32 - plen) : 0);
    h = net + 2;
    if (h == ntohl(addr))
      h++;
    h = htonl(h);
  }
  return h;
}

struct igmp_req {
  int join;
  DWORD ifx, grp, from;
  uint32_t ver;
  int mode; /* 0 none, 1 include/sources, 2 exclude */
  int nsrc;
  DWORD src[64];
};

/* Parse "sim igmp join|leave IF GROUP [options]" into q. */
static int igmp_args(int argc, char **argv, struct igmp_req *q, char *err,
                     size_t errlen) {
  int k, rc = -1;

  memset(q, 0, sizeof(*q));
  q->ver = 2;
  if (argc < 5 || (argc - 5) % 2 != 0 ||
      (strcmp(argv[2], "join") != 0 && strcmp(argv[2], "leave") != 0)) {
    bad(err, errlen, "%s",
        "usage: sim igmp join|leave INTERFACE GROUP "
        "[version 1|2|3] [from ADDRESS] "
        "[include|exclude|sources S,S...]");
    goto out;
  }
  q->join = argv[2][0] == 'j';
  if ((q->ifx = want_if(argv[3], err, errlen)) == 0)
    goto out;
  if (mgmd_parse_ipv4(argv[4], &q->grp) != 0 ||
      (ntohl(q->grp) & 0xF0000000u) != 0xE0000000u) {
    bad(err, errlen, "bad group address '%s' (224.0.0.0/4)", argv[4]);
    goto out;
  }
  q->from = default_host(q->ifx);
  for (k = 5; k < argc; k += 2) {
    if (strcmp(argv[k], "version") == 0) {
      if (mgmd_parse_u32(argv[k + 1], 1, 3, &q->ver) != 0) {
        bad(err, errlen, "bad IGMP version '%s' (1, 2 or 3)", argv[k + 1]);
        goto out;
      }
    } else if (strcmp(argv[k], "from") == 0) {
      if (mgmd_parse_ipv4(argv[k + 1], &q->from) != 0) {
        bad(err, errlen, "bad address '%s'", argv[k + 1]);
        goto out;
      }
    } else if (strcmp(argv[k], "include") == 0 ||
               strcmp(argv[k], "exclude") == 0 ||
               strcmp(argv[k], "sources") == 0) {
      q->mode = argv[k][0] == 'e' ? 2 : 1;
      q->nsrc = parse_sources(argv[k + 1], q->src, 64);
      if (q->nsrc < 0) {
        bad(err, errlen, "bad source list '%s' (A.B.C.D,A.B.C.D...)",
            argv[k + 1]);
        goto out;
      }
    } else {
      bad(err, errlen,
          "unknown option '%s' (version, from, include, "
          "exclude, sources)",
          argv[k]);
      goto out;
    }
  }
  if (q->mode != 0 && q->ver != 3) {
    bad(err, errlen, "%s", "source lists need IGMP version 3");
    goto out;
  }
  if (!q->join && q->ver == 1) {
    bad(err, errlen, "%s", "IGMPv1 has no leave message");
    goto out;
  }
  rc = 0;
out:
  return rc;
}

/* The IGMP message of q into m; its length, and the IP destination. */
static size_t igmp_message(const struct igmp_req *q, BYTE *m, size_t cap,
                           DWORD *dst) {
  size_t mlen;
  int i;

  memset(m, 0, cap);
  if (q->ver < 3) {
    m[0] = q->ver == 1 ? 0x12 : q->join ? 0x16 : 0x17;
    memcpy(m + 4, &q->grp, 4);
    mlen = 8;
    *dst = q->join ? q->grp : htonl(0xE0000002u); /* leaves: all-routers */
  } else {
    /* One group record: join = ALLOW(S) for include lists, TO_EX(S)
     * otherwise; leave = BLOCK(S) with sources, TO_IN({}) without. */
    m[0] = 0x22;
    m[7] = 1;
    m[8] = q->join ? (q->mode == 1 ? 5 : 4) : (q->nsrc > 0 ? 6 : 3);
    m[10] = (BYTE)(q->nsrc >> 8);
    m[11] = (BYTE)q->nsrc;
    memcpy(m + 12, &q->grp, 4);
    for (i = 0; i < q->nsrc; i++)
      memcpy(m + 16 + 4 * i, &q->src[i], 4);
    mlen = 16 + 4 * (size_t)q->nsrc;
    *dst = htonl(0xE0000016u); /* 224.0.0.22 */
  }
  igmp_csum(m, mlen);
  return mlen;
}

/* sim igmp join|leave IF GROUP [version 1|2|3] [from ADDR]
 *                              [include S,..|exclude S,..|sources S,..] */
static int req_igmp(struct mgmd *d, int argc, char **argv, struct jw *j,
                    char *err, size_t errlen) {
  BYTE m[16 + 4 * 64], pkt[24 + sizeof(m)];
  struct igmp_req q;
  DWORD dst, rc;
  size_t mlen, plen;
  char what[96], ifn[MGMD_NAME_MAX], a[16];
  int ret = -1;

  if (igmp_args(argc, argv, &q, err, errlen) != 0)
    goto out;
  mlen = igmp_message(&q, m, sizeof(m), &dst);
  plen = mgmd_igmp_packet(pkt, sizeof(pkt), q.from, dst, m, mlen);
  describe(m, mlen, what, sizeof(what));
  mgmd_log(MGMD_LOG_INFO, "sim", "a host %s on %s sends an %s",
           ipstr(q.from, a), mgmd_if_name(q.ifx, ifn, sizeof(ifn)), what);
  rc = libmgm_sim_inject_ctrl(q.ifx, pkt, (DWORD)plen);
  if (rc != NO_ERROR) {
    snprintf(err, errlen, "libmgm_sim_inject_ctrl: error %lu",
             (unsigned long)rc);
    goto out;
  }
  mgmd_settle(d);
  jw_kstr(j, "packet", what);
  jw_kip(j, "from", q.from);
  jw_kstr(j, "interface", ifn);
  ret = 0;
out:
  return ret;
}

/* "2500", "2500ms", "30s", "15m", "1h" -> ms (at most MAX_ADVANCE_MS). */
static int parse_duration(const char *s, uint64_t *ms) {
  static const struct {
    const char *unit;
    uint64_t mul;
  } units[] = {{"", 1},      {"ms", 1},      {"s", 1000},
               {"m", 60000}, {"min", 60000}, {"h", 3600000}};
  char num[32];
  size_t n = strspn(s, "0123456789"), i;
  uint32_t v;
  int rc = -1;

  if (n == 0 || n >= sizeof(num))
    goto out;
  memcpy(num, s, n);
  num[n] = '\0';
  if (mgmd_parse_u32(num, 0, 0xFFFFFFFFu, &v) != 0)
    goto out;
  for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
    if (strcmp(s + n, units[i].unit) == 0) {
      *ms = (uint64_t)v * units[i].mul;
      rc = *ms <= MAX_ADVANCE_MS ? 0 : -1;
    }
out:
  return rc;
}

/* sim advance DURATION: move the virtual clock, stopping at every IGMP
 * deadline on the way so that timers fire at their time. */
static int req_advance(struct mgmd *d, int argc, char **argv, struct jw *j,
                       char *err, size_t errlen) {
  uint64_t step = 0, now, target, dl;
  int steps = 0, ret = -1;
  DWORD rc;

  if (argc != 3 || parse_duration(argv[2], &step) != 0) {
    bad(err, errlen, "%s",
        "usage: sim advance DURATION (e.g. 2500, 2500ms, "
        "30s, 15m, 1h; at most 7 days)");
    goto out;
  }
  now = mgmd_now();
  target = now + step;
  while (steps++ < MAX_STEPS) {
    dl = mgmd_igmp_deadline(d);
    if (dl > target || dl == UINT64_MAX)
      break;
    if (dl > now && libmgm_sim_advance((DWORD)(dl - now)) != NO_ERROR)
      break;
    now = mgmd_now();
    mgmd_settle(d);
    mgmd_watch(d); /* log MGM's changes at the time they happened */
    if (mgmd_igmp_deadline(d) <= now)
      break; /* a timer that does not move: do not spin */
  }
  if (target > now) {
    rc = libmgm_sim_advance((DWORD)(target - now));
    if (rc != NO_ERROR) {
      snprintf(err, errlen, "libmgm_sim_advance: error %lu", (unsigned long)rc);
      goto out;
    }
  }
  now = mgmd_now();
  mgmd_settle(d);
  mgmd_log(MGMD_LOG_INFO, "sim", "clock advanced by %llu ms to %llu.%03u s",
           (unsigned long long)step, (unsigned long long)(now / 1000),
           (unsigned)(now % 1000));
  jw_ku64(j, "advanced_ms", step);
  jw_ku64(j, "now_ms", now);
  ret = 0;
out:
  return ret;
}

/* sim link IF up|down */
static int req_link(struct mgmd *d, int argc, char **argv, struct jw *j,
                    char *err, size_t errlen) {
  DWORD ifx, rc;
  int ret = -1;

  if (argc != 4 ||
      (strcmp(argv[3], "up") != 0 && strcmp(argv[3], "down") != 0)) {
    bad(err, errlen, "%s", "usage: sim link INTERFACE up|down");
    goto out;
  }
  if ((ifx = want_if(argv[2], err, errlen)) == 0)
    goto out;
  rc = libmgm_sim_if_set_up(ifx, argv[3][0] == 'u' ? TRUE : FALSE);
  if (rc != NO_ERROR) {
    snprintf(err, errlen, "libmgm_sim_if_set_up: error %lu", (unsigned long)rc);
    goto out;
  }
  mgmd_log(MGMD_LOG_INFO, "sim", "link %s is %s", argv[2], argv[3]);
  mgmd_settle(d);
  jw_kstr(j, "interface", argv[2]);
  jw_kstr(j, "state", argv[3]);
  ret = 0;
out:
  return ret;
}

int mgmd_sim_request(struct mgmd *d, int argc, char **argv, struct jw *j,
                     char *err, size_t errlen) {
  static const struct {
    const char *name;
    int (*fn)(struct mgmd *, int, char **, struct jw *, char *, size_t);
  } reqs[] = {{"inject", req_inject},
              {"igmp", req_igmp},
              {"advance", req_advance},
              {"link", req_link}};
  size_t i;
  int rc = -1;

  if (!d->is_sim) {
    bad(err, errlen, "sim requests need the sim backend (running: %s)",
        d->backend);
    goto out;
  }
  for (i = 0; argc >= 2 && i < sizeof(reqs) / sizeof(reqs[0]); i++)
    if (strcmp(argv[1], reqs[i].name) == 0) {
      rc = reqs[i].fn(d, argc, argv, j, err, errlen);
      goto out;
    }
  bad(err, errlen, "%s", "unknown sim request (inject, igmp, advance, link)");
out:
  return rc;
}
