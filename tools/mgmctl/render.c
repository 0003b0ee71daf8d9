/*
 * render.c - mgmctl's output: mgmd's JSON replies as tables in the spirit
 * of `ip mroute show` and `netsh routing ip show mfe`, and the same
 * replies re-printed as indented JSON for --json.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include "mgmctl.h"

#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#define S(v, k) jv_str(jv_get((v), (k)), "")
#define I(v, k) jv_int(jv_get((v), (k)), 0)
#define B(v, k) jv_bool(jv_get((v), (k)), 0)

static const char *hms(int64_t s, char *buf, size_t len) {
  if (s < 0)
    s = 0;
  snprintf(buf, len, "%02" PRId64 ":%02" PRId64 ":%02" PRId64, s / 3600,
           (s / 60) % 60, s % 60);
  return buf;
}

/* Prefix length of a dotted mask. */
static int plen(const char *mask) {
  unsigned a = 0, b = 0, c = 0, d = 0;
  uint32_t m = 0;
  int n = 0;

  if (sscanf(mask, "%u.%u.%u.%u", &a, &b, &c, &d) == 4)
    m = (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d;
  while (m & 0x80000000u) {
    n++;
    m <<= 1;
  }
  return n;
}

/* "name" of a protocol object, "-" for null. */
static const char *pname(const struct jv *p) {
  return p && p->type == JV_OBJ ? S(p, "name") : "-";
}

static void events(FILE *f, const struct jv *ev) {
  size_t i;

  for (i = 0; i < jv_len(ev); i++) {
    const struct jv *e = jv_at(ev, i);
    int64_t t = I(e, "time_ms");

    fprintf(f, "  %6" PRId64 ".%03d  %-7s %s\n", t / 1000, (int)(t % 1000),
            S(e, "source"), S(e, "message"));
  }
}

static void show_protocols(FILE *f, const struct jv *r) {
  const struct jv *v = jv_get(r, "protocols"), *pl = jv_get(r, "plugins");
  size_t i, k;

  fprintf(f, "%-12s %-12s %-10s %-9s %-5s %s\n", "PROTOCOL", "ID", "COMPONENT",
          "KIND", "IGMP", "INTERFACES");
  for (i = 0; i < jv_len(v); i++) {
    const struct jv *p = jv_at(v, i);
    char id[16];

    snprintf(id, sizeof(id),
             I(p, "protocol_id") < 0x10000 ? "%" PRId64 : "0x%08" PRIx64,
             I(p, "protocol_id"));
    fprintf(f, "%-12s %-12s %-10" PRId64 " %-9s %-5s %" PRId64 "\n",
            S(p, "name"), id, I(p, "component_id"), S(p, "kind"),
            B(p, "igmp") ? "yes" : "no", I(p, "interfaces"));
  }
  if (jv_len(v) == 0)
    fprintf(f, "(no protocol registered)\n");
  for (i = 0; i < jv_len(pl); i++) {
    const struct jv *p = jv_at(pl, i), *regs = jv_get(p, "registrations");

    if (i == 0)
      fprintf(f, "\nPlug-ins:\n");
    fprintf(f, "  %-10s %s%s; registered", S(p, "name"), S(p, "path"),
            B(p, "reloadable") ? ", reloads in place" : "");
    for (k = 0; k < jv_len(regs); k++)
      fprintf(f, " 0x%08" PRIx64 "/%" PRId64, I(jv_at(regs, k), "protocol_id"),
              I(jv_at(regs, k), "component_id"));
    fprintf(f, "%s\n", jv_len(regs) ? "" : " nothing");
  }
}

static void show_interfaces(FILE *f, const struct jv *r) {
  const struct jv *v = jv_get(r, "interfaces");
  size_t i;

  fprintf(f, "%-10s %-5s %-18s %-10s %-13s %-5s %s\n", "INTERFACE", "INDEX",
          "ADDRESS", "OWNER", "IGMP", "SLOT", "IGMP STATE");
  for (i = 0; i < jv_len(v); i++) {
    const struct jv *x = jv_at(v, i), *ig = jv_get(x, "igmp");
    char state[64] = "-", owner[40];

    if (ig && ig->type == JV_OBJ) {
      if (strcmp(S(ig, "role"), "upstream") == 0)
        snprintf(state, sizeof(state), "proxy upstream, %" PRId64 " group%s",
                 I(ig, "groups"), I(ig, "groups") == 1 ? "" : "s");
      else
        snprintf(state, sizeof(state), "%s, %" PRId64 " group%s",
                 B(ig, "querier") ? "querier" : "non-querier", I(ig, "groups"),
                 I(ig, "groups") == 1 ? "" : "s");
    }
    snprintf(owner, sizeof(owner), "%s", pname(jv_get(x, "owner")));
    fprintf(f, "%-10s %-5" PRId64 " %-18s %-10s %-13s %-5s %s\n", S(x, "name"),
            I(x, "ifindex"), jv_str(jv_get(x, "address"), "-"), owner,
            pname(jv_get(x, "igmp_owner")),
            B(x, "forwarder_slot") ? "yes" : "no", state);
  }
  if (jv_len(v) == 0)
    fprintf(f, "(no interface is owned by a protocol)\n");
  else
    fprintf(f, "OWNER is the routing protocol; IGMP is the co-owner, which "
               "owns alone where OWNER is -.\n");
}

static void show_groups(FILE *f, const struct jv *r) {
  const struct jv *v = jv_get(r, "memberships");
  size_t i;

  fprintf(f, "%-16s %-16s %-10s %-10s %s\n", "GROUP", "SOURCE", "INTERFACE",
          "PROTOCOL", "STATE");
  for (i = 0; i < jv_len(v); i++) {
    const struct jv *m = jv_at(v, i), *in = jv_get(m, "interface");
    const char *shape = S(m, "shape");

    fprintf(f, "%-16s %-16s %-10s %-10s %s\n",
            strcmp(shape, "(*,*)") == 0 ? "*" : S(m, "group"),
            strcmp(shape, "(S,G)") == 0 ? S(m, "source") : "*", S(in, "name"),
            pname(jv_get(m, "protocol")),
            B(m, "latent") ? "latent: a local join for the interface's owner"
                           : "member");
  }
  if (jv_len(v) == 0)
    fprintf(f, "(no membership)\n");
}

static void show_mfe(FILE *f, const struct jv *r) {
  const struct jv *v = jv_get(r, "mfes");
  int stats = B(r, "stats");
  size_t i, k;

  for (i = 0; i < jv_len(v); i++) {
    const struct jv *m = jv_at(v, i), *oifs = jv_get(m, "oifs"),
                    *iif = jv_get(m, "iif"), *rt = jv_get(m, "route"),
                    *st = jv_get(m, "stats");
    char a[32], b[32], sg[48];

    snprintf(sg, sizeof(sg), "(%s, %s)", S(m, "source"), S(m, "group"));
    fprintf(f, "%-34s Iif: %-10s Oifs:", sg, S(iif, "name"));
    for (k = 0; k < jv_len(oifs); k++)
      fprintf(f, " %s", S(jv_at(oifs, k), "name"));
    fprintf(f, "%s  State: %s\n", jv_len(oifs) ? "" : " (none)",
            jv_len(oifs) ? "forwarding" : "negative (drops)");
    fprintf(f,
            "    upstream %s, route %s/%d (protocol %" PRId64 "), "
            "incoming interface owner %s\n",
            S(m, "upstream"), S(rt, "network"), plen(S(rt, "mask")),
            I(rt, "protocol"), pname(jv_get(iif, "protocol")));
    fprintf(f, "    uptime %s, expires in %s (lifetime %" PRId64 " s)\n",
            hms(I(m, "uptime_s"), a, sizeof(a)),
            hms(I(m, "expiry_s"), b, sizeof(b)), I(m, "timeout_s"));
    if (stats && st && st->type == JV_OBJ) {
      int64_t out = I(st, "out_packets");

      fprintf(f,
              "    in: %" PRId64 " packets, %" PRId64 " bytes, %" PRId64
              " on a wrong interface, %" PRId64 " discarded",
              I(st, "in_packets"), I(st, "in_octets"), I(st, "wrong_if"),
              I(st, "in_discards"));
      for (k = 0; k < jv_len(oifs); k++)
        out += I(jv_get(jv_at(oifs, k), "stats"), "out_packets");
      if (out > 0) {
        fprintf(f, "; out:");
        for (k = 0; k < jv_len(oifs); k++) {
          const struct jv *o = jv_at(oifs, k), *os = jv_get(o, "stats");

          fprintf(f, " %s %" PRId64, S(o, "name"), I(os, "out_packets"));
        }
        fprintf(f, " (total %" PRId64 ")", I(st, "out_packets"));
      }
      fprintf(f, "\n");
    }
  }
  if (jv_len(v) == 0)
    fprintf(f, "(no MFE: MGM creates one when a packet from a new source "
               "arrives)\n");
}

/* A proxy's upstream group: the downstream interfaces that want it. */
static void wanted_by(FILE *f, const struct jv *ifs, const char *group) {
  size_t i, k;
  int n = 0;

  for (i = 0; i < jv_len(ifs); i++) {
    const struct jv *x = jv_at(ifs, i), *g = jv_get(x, "groups");

    if (strcmp(S(x, "role"), "upstream") == 0)
      continue;
    for (k = 0; k < jv_len(g); k++)
      if (strcmp(S(jv_at(g, k), "group"), group) == 0)
        fprintf(f, "%s%s", n++ ? " " : "  wanted by ", S(x, "name"));
  }
}

static void show_igmp(FILE *f, const struct jv *r) {
  const struct jv *v = jv_get(r, "interfaces");
  const struct jv *adv = jv_get(r, "query_interval_advertised_s");
  const struct jv *ssm = jv_get(r, "ssm_range");
  size_t i, k;

  if (!B(r, "running")) {
    fprintf(f, "IGMP is not running%s\n",
            B(r, "available") ? " (no [igmp] section)"
                              : " (mgmd built without the IGMP component)");
    return;
  }
  fprintf(f,
          "IGMP %s, IGMPv%" PRId64 ", robustness %" PRId64
          ", query interval %" PRId64 " s",
          S(r, "mode"), I(r, "version"), I(r, "robustness"),
          I(r, "query_interval_s"));
  if (adv && adv->type == JV_NUM && adv->i != I(r, "query_interval_s"))
    fprintf(f, " (advertised as %" PRId64 " s)", adv->i);
  if (ssm && ssm->type == JV_STR)
    fprintf(f, ", SSM range %s", ssm->s);
  fprintf(f, "\n");
  for (i = 0; i < jv_len(v); i++) {
    const struct jv *x = jv_at(v, i), *g = jv_get(x, "groups");
    const struct jv *oq = jv_get(x, "other_querier_expires_s");
    int64_t nssm = I(jv_get(x, "counters"), "rx_ssm_ignored");
    int up = strcmp(S(x, "role"), "upstream") == 0;

    if (up)
      fprintf(f,
              "%s (%s): proxy upstream, host compatibility IGMPv%" PRId64 "\n",
              S(x, "name"), S(x, "address"), I(x, "host_version"));
    else
      fprintf(f, "%s (%s): %s, querier %s%s\n", S(x, "name"), S(x, "address"),
              B(x, "querier") ? "querier" : "non-querier",
              S(x, "querier_address"),
              B(x, "mgm_disabled") ? ", disabled by MGM" : "");
    if (!up && oq && oq->type == JV_NUM)
      fprintf(f,
              "  other querier present: %" PRId64
              " s left (then this router becomes querier)\n",
              oq->i);
    if (nssm > 0)
      fprintf(f,
              "  %" PRId64 " any-source request%s in the SSM range ignored\n",
              nssm, nssm == 1 ? "" : "s");
    for (k = 0; k < jv_len(g); k++) {
      const struct jv *e = jv_at(g, k), *src = jv_get(e, "sources");
      const struct jv *exp = jv_get(e, "expires_s");
      size_t s;

      fprintf(f, "  %-16s %-7s v%" PRId64, S(e, "group"), S(e, "mode"),
              I(e, "compat_version"));
      if (exp && exp->type == JV_NUM)
        fprintf(f, "  expires in %" PRId64 " s", exp->i);
      if (up)
        wanted_by(f, v, S(e, "group"));
      else
        fprintf(f, "  last report from %s", S(e, "last_reporter"));
      for (s = 0; s < jv_len(src); s++)
        fprintf(f, "%s%s", s ? "," : "  sources ", S(jv_at(src, s), "source"));
      fprintf(f, "\n");
    }
    if (jv_len(g) == 0)
      fprintf(f, "  (no group)\n");
  }
}

static void show_status(FILE *f, const struct jv *r) {
  const struct jv *k = jv_get(r, "sim_kernel");

  fprintf(f, "mgmd %s, pid %" PRId64 ", up %" PRId64 " s\n", S(r, "version"),
          I(r, "pid"), I(r, "uptime_s"));
  fprintf(f, "backend %s, configuration %s, socket %s\n", S(r, "backend"),
          S(r, "config"), S(r, "socket"));
  fprintf(f, "IGMP component: %s\n",
          B(r, "igmp_running")     ? "running"
          : B(r, "igmp_available") ? "not configured"
                                   : "not built in");
  fprintf(f,
          "%" PRId64 " protocols, %" PRId64 " interfaces, %" PRId64
          " memberships, %" PRId64 " MFEs\n",
          I(r, "protocols"), I(r, "interfaces"), I(r, "memberships"),
          I(r, "mfes"));
  if (k && k->type == JV_OBJ)
    fprintf(f,
            "simulated kernel: %" PRId64 " forwarding entries, %" PRId64
            " interface slots\n",
            I(k, "entries"), I(k, "slots"));
}

static void sim_result(FILE *f, const char *const *words, int nw,
                       const struct jv *r) {
  size_t k;

  if (nw >= 2 && strcmp(words[1], "inject") == 0) {
    const struct jv *last = jv_get(r, "last"), *out = jv_get(last, "out");

    fprintf(f, "%" PRId64 " packet%s: the last one was %s", I(r, "packets"),
            I(r, "packets") == 1 ? "" : "s", S(last, "verdict"));
    for (k = 0; k < jv_len(out); k++)
      fprintf(f, "%s%s", k ? ", " : " to ", S(jv_at(out, k), "name"));
    fprintf(f, "\n");
  } else if (nw >= 2 && strcmp(words[1], "igmp") == 0) {
    fprintf(f, "%s from %s on %s\n", S(r, "packet"), S(r, "from"),
            S(r, "interface"));
  } else if (nw >= 2 && strcmp(words[1], "advance") == 0) {
    fprintf(f, "clock advanced by %" PRId64 " ms, now %" PRId64 ".%03d s\n",
            I(r, "advanced_ms"), I(r, "now_ms") / 1000,
            (int)(I(r, "now_ms") % 1000));
  } else if (nw >= 2 && strcmp(words[1], "link") == 0) {
    fprintf(f, "link %s %s\n", S(r, "interface"), S(r, "state"));
  }
  if (jv_len(jv_get(r, "events")) > 0) {
    fprintf(f, "what happened:\n");
    events(f, jv_get(r, "events"));
  }
}

void mgmctl_render(FILE *f, const char *const *words, int nw,
                   const struct jv *r) {
  const char *w0 = nw > 0 ? words[0] : "", *w1 = nw > 1 ? words[1] : "";
  size_t i;

  if (strcmp(w0, "show") == 0 && strcmp(w1, "protocols") == 0) {
    show_protocols(f, r);
  } else if (strcmp(w0, "show") == 0 && strcmp(w1, "interfaces") == 0) {
    show_interfaces(f, r);
  } else if (strcmp(w0, "show") == 0 && strcmp(w1, "groups") == 0) {
    show_groups(f, r);
  } else if (strcmp(w0, "show") == 0 && strcmp(w1, "mfe") == 0) {
    show_mfe(f, r);
  } else if (strcmp(w0, "show") == 0 && strcmp(w1, "igmp") == 0) {
    show_igmp(f, r);
  } else if (strcmp(w0, "show") == 0 && strcmp(w1, "status") == 0) {
    show_status(f, r);
  } else if (strcmp(w0, "show") == 0 && strcmp(w1, "log") == 0) {
    events(f, jv_get(r, "events"));
  } else if (strcmp(w0, "sim") == 0) {
    sim_result(f, words, nw, r);
  } else if (strcmp(w0, "reload") == 0) {
    fprintf(f, "configuration reloaded\n");
    if (jv_len(jv_get(r, "events")) > 0) {
      fprintf(f, "what happened:\n");
      events(f, jv_get(r, "events"));
    }
  } else if (strcmp(w0, "help") == 0) {
    for (i = 0; i < jv_len(jv_get(r, "requests")); i++)
      fprintf(f, "%s\n", jv_str(jv_at(jv_get(r, "requests"), i), ""));
  } else if (strcmp(w0, "ping") == 0) {
    fprintf(f, "mgmd is alive\n");
  } else {
    mgmctl_print_json(f, r);
  }
}

/* ---- JSON
 * ------------------------------------------------------------------------ */

static void json_str(FILE *f, const char *s) {
  const unsigned char *p = (const unsigned char *)s;

  fputc('"', f);
  for (; *p; p++) {
    if (*p == '"' || *p == '\\')
      fprintf(f, "\\%c", *p);
    else if (*p < 0x20)
      fprintf(f, "\\u%04x", *p);
    else
      fputc(*p, f);
  }
  fputc('"', f);
}

static void json_val(FILE *f, const struct jv *v, int ind) {
  size_t i;

  if (v == NULL) {
    fputs("null", f);
    return;
  }
  switch (v->type) {
  case JV_NULL:
    fputs("null", f);
    break;
  case JV_BOOL:
    fputs(v->b ? "true" : "false", f);
    break;
  case JV_NUM:
    if ((double)v->i == v->num)
      fprintf(f, "%" PRId64, v->i);
    else
      fprintf(f, "%.17g", v->num);
    break;
  case JV_STR:
    json_str(f, v->s);
    break;
  case JV_ARR:
  case JV_OBJ:
    if (v->n == 0) {
      fputs(v->type == JV_ARR ? "[]" : "{}", f);
      break;
    }
    fputc(v->type == JV_ARR ? '[' : '{', f);
    for (i = 0; i < v->n; i++) {
      fprintf(f, "%s\n%*s", i ? "," : "", ind + 2, "");
      if (v->type == JV_OBJ) {
        json_str(f, v->keys[i]);
        fputs(": ", f);
      }
      json_val(f, &v->items[i], ind + 2);
    }
    fprintf(f, "\n%*s%c", ind, "", v->type == JV_ARR ? ']' : '}');
    break;
  }
}

void mgmctl_print_json(FILE *f, const struct jv *v) {
  json_val(f, v, 0);
  fputc('\n', f);
}
