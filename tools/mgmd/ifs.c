/*
 * ifs.c - interface names, indexes and addresses for mgmd: from the [sim]
 * section on the sim backend, from the kernel otherwise.
 *
 * SPDX-License-Identifier: MIT
 *
 * Plug-ins resolve names from MGM callbacks on libmgm's loop thread while
 * a reload may replace the sim table on the main thread, hence the lock.
 * Interface events come from libmgm's loop thread and are followed on the
 * main thread, like every change of configuration.
 */
#define _DEFAULT_SOURCE 1

#include "mgmd.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t ifs_mu = PTHREAD_MUTEX_INITIALIZER;
static struct mgmd_conf_simif *sim_ifs; /* NULL = use the kernel */
static size_t n_sim_ifs;
static int use_sim;

void mgmd_ifs_set_sim(const struct mgmd_conf *c) {
  struct mgmd_conf_simif *v = NULL;

  if (c->n_simifs > 0) {
    v = malloc(c->n_simifs * sizeof(*v));
    if (v != NULL)
      memcpy(v, c->simifs, c->n_simifs * sizeof(*v));
  }
  pthread_mutex_lock(&ifs_mu);
  free(sim_ifs);
  sim_ifs = v;
  n_sim_ifs = v ? c->n_simifs : 0;
  use_sim = 1;
  pthread_mutex_unlock(&ifs_mu);
}

void mgmd_ifs_clear(void) {
  pthread_mutex_lock(&ifs_mu);
  free(sim_ifs);
  sim_ifs = NULL;
  n_sim_ifs = 0;
  use_sim = 0;
  pthread_mutex_unlock(&ifs_mu);
}

static int numeric(const char *s, DWORD *out) {
  uint32_t v;
  int rc = mgmd_parse_u32(s, 1, 0x7FFFFFFF, &v);

  if (rc == 0)
    *out = v;
  return rc;
}

DWORD mgmd_if_index(const char *name) {
  DWORD v = 0;
  size_t i;

  if (name == NULL)
    return 0;
  if (numeric(name, &v) == 0)
    return v;
  pthread_mutex_lock(&ifs_mu);
  if (use_sim) {
    for (i = 0; i < n_sim_ifs; i++)
      if (strcmp(sim_ifs[i].name, name) == 0)
        v = sim_ifs[i].ifindex;
  } else {
    v = (DWORD)if_nametoindex(name);
  }
  pthread_mutex_unlock(&ifs_mu);
  return v;
}

/* Name of ifindex into buf; returns 0 if known. */
static int lookup_name(DWORD ifindex, char *buf, size_t len) {
  char tmp[IF_NAMESIZE];
  int rc = -1;
  size_t i;

  pthread_mutex_lock(&ifs_mu);
  if (use_sim) {
    for (i = 0; i < n_sim_ifs; i++)
      if (sim_ifs[i].ifindex == ifindex) {
        snprintf(buf, len, "%s", sim_ifs[i].name);
        rc = 0;
      }
  } else if (if_indextoname(ifindex, tmp) != NULL) {
    snprintf(buf, len, "%s", tmp);
    rc = 0;
  }
  pthread_mutex_unlock(&ifs_mu);
  return rc;
}

const char *mgmd_if_name(DWORD ifindex, char *buf, size_t len) {
  if (lookup_name(ifindex, buf, len) != 0)
    snprintf(buf, len, "%u", (unsigned)ifindex);
  return buf;
}

int mgmd_if_known(DWORD ifindex) {
  char buf[MGMD_NAME_MAX];

  return lookup_name(ifindex, buf, sizeof(buf)) == 0;
}

static uint32_t plen_of(uint32_t mask_be) {
  uint32_t m = ntohl(mask_be), n = 0;

  while (m & 0x80000000u) {
    n++;
    m <<= 1;
  }
  return n;
}

int mgmd_if_addr(DWORD ifindex, DWORD *addr, DWORD *plen) {
  struct ifaddrs *all = NULL, *a;
  char name[IF_NAMESIZE];
  int rc = -1;
  size_t i;

  pthread_mutex_lock(&ifs_mu);
  if (use_sim) {
    for (i = 0; i < n_sim_ifs; i++)
      if (sim_ifs[i].ifindex == ifindex) {
        *addr = sim_ifs[i].addr;
        *plen = sim_ifs[i].prefixlen;
        rc = 0;
      }
    pthread_mutex_unlock(&ifs_mu);
    goto out;
  }
  pthread_mutex_unlock(&ifs_mu);
  if (if_indextoname(ifindex, name) == NULL || getifaddrs(&all) != 0)
    goto out;
  for (a = all; a != NULL; a = a->ifa_next) {
    if (a->ifa_addr == NULL || a->ifa_addr->sa_family != AF_INET ||
        strcmp(a->ifa_name, name) != 0)
      continue;
    *addr = ((const struct sockaddr_in *)(const void *)a->ifa_addr)
                ->sin_addr.s_addr;
    *plen =
        a->ifa_netmask
            ? plen_of(((const struct sockaddr_in *)(const void *)a->ifa_netmask)
                          ->sin_addr.s_addr)
            : 32;
    rc = 0;
    break;
  }
out:
  if (all)
    freeifaddrs(all);
  return rc;
}

size_t mgmd_ifs_all(DWORD *out, size_t max) {
  struct ifaddrs *all = NULL, *a;
  size_t n = 0, i, k;

  pthread_mutex_lock(&ifs_mu);
  if (use_sim) {
    for (i = 0; i < n_sim_ifs && n < max; i++)
      if (sim_ifs[i].up)
        out[n++] = sim_ifs[i].ifindex;
    pthread_mutex_unlock(&ifs_mu);
    goto out;
  }
  pthread_mutex_unlock(&ifs_mu);
  if (getifaddrs(&all) != 0)
    goto out;
  for (a = all; a != NULL && n < max; a = a->ifa_next) {
    DWORD ifx;

    if (a->ifa_addr == NULL || a->ifa_addr->sa_family != AF_INET ||
        (a->ifa_flags & IFF_UP) == 0 || (a->ifa_flags & IFF_LOOPBACK) != 0 ||
        (a->ifa_flags & IFF_MULTICAST) == 0)
      continue;
    ifx = (DWORD)if_nametoindex(a->ifa_name);
    if (ifx == 0)
      continue;
    for (k = 0; k < n && out[k] != ifx; k++)
      ;
    if (k == n)
      out[n++] = ifx;
  }
out:
  if (all)
    freeifaddrs(all);
  return n;
}

/* ---- Interface events -----------------------------------------------------
 */

struct ifs_event {
  struct mgmd *d;
  struct libmgm_if_event ev;
};

static void ifs_event_run(void *arg) {
  struct ifs_event *e = arg;

  mgmd_ifs_on_event(e->d, &e->ev);
  free(e);
}

void mgmd_ifs_hook(void *ctx, const struct libmgm_if_event *ev) {
  struct ifs_event *e = calloc(1, sizeof(*e));

  if (e == NULL) {
    mgmd_log(MGMD_LOG_ERROR, "mgmd",
             "out of memory: interface event for %u lost",
             (unsigned)ev->ifindex);
    return;
  }
  e->d = ctx;
  memcpy(&e->ev, ev, ev->size < sizeof(e->ev) ? ev->size : sizeof(e->ev));
  e->ev.name[sizeof(e->ev.name) - 1] = '\0';
  if (mgmd_post(ifs_event_run, e) != 0)
    free(e);
}

static const char *ifs_kind_name(uint32_t kind) {
  static const char *const names[] = {
      "?",        "added",         "deleted",         "up",
      "down",     "address added", "address deleted", "renamed",
      "slot lost"};

  return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

/* While a reload runs, d->conf is the old configuration: events wait for
 * the new one (main thread only, no lock). */
#define IFS_HELD_MAX 256
static int ifs_holding;
static size_t n_ifs_held;
static struct libmgm_if_event ifs_held[IFS_HELD_MAX];

void mgmd_ifs_hold(struct mgmd *d, int hold) {
  size_t i, n;

  ifs_holding = hold;
  if (hold)
    return;
  n = n_ifs_held;
  n_ifs_held = 0;
  for (i = 0; i < n; i++)
    mgmd_ifs_on_event(d, &ifs_held[i]);
}

void mgmd_ifs_on_event(struct mgmd *d, const struct libmgm_if_event *ev) {
  struct in_addr a;

  if (ifs_holding) {
    if (n_ifs_held < IFS_HELD_MAX)
      ifs_held[n_ifs_held++] = *ev;
    else
      mgmd_log(MGMD_LOG_WARN, "mgmd",
               "interface event for %u dropped during the reload",
               (unsigned)ev->ifindex);
    return;
  }

  a.s_addr = ev->addr;
  mgmd_log(MGMD_LOG_DEBUG, "mgmd", "interface %s (%u) %s%s%s",
           ev->name[0] ? ev->name : "?", (unsigned)ev->ifindex,
           ifs_kind_name(ev->kind), ev->addr ? " " : "",
           ev->addr ? inet_ntoa(a) : "");
  if (ev->kind == LIBMGM_IF_SLOT_LOST)
    return; /* libmgm's own business; DELETED came first */
  mgmd_igmp_if_event(d, ev);
  mgmd_plugins_if_event(d, ev);
}
