/*
 * igfx.c - fixture of the IGMP component's Criterion tests (see igfx.h).
 *
 * SPDX-License-Identifier: MIT
 *
 * libmgm on the sim backend, the component with its default I/O, a
 * capture of everything sent (libmgm_sim_set_tx_hook), packet builders
 * that follow RFC 2236 / RFC 3376 byte layouts, and MGM state read back
 * with libmgm_snapshot_take().
 */
#include "igfx.h"

#include "igfx_cr.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>

struct mgm_igmp *ig;
uint64_t T;
int igfx_wakeups;

static pthread_mutex_t tx_mu = PTHREAD_MUTEX_INITIALIZER;
static struct igfx_tx txs[IGFX_MAX_TX];
static int ntx;
static int running;
static struct {
  int level;
  char text[256];
} logs[IGFX_MAX_LOG];
static int nlog;

DWORD ip4(int a, int b, int c, int d) {
  DWORD v;
  uint8_t *p = (uint8_t *)&v;

  p[0] = (uint8_t)a;
  p[1] = (uint8_t)b;
  p[2] = (uint8_t)c;
  p[3] = (uint8_t)d;
  return v;
}

const char *ipstr(DWORD a) {
  static char buf[8][16];
  static int k;
  const uint8_t *p = (const uint8_t *)&a;
  char *s = buf[k++ & 7];

  snprintf(s, 16, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
  return s;
}

static void tx_hook(void *ctx, DWORD ifindex, DWORD dst, const BYTE *msg,
                    DWORD len) {
  (void)ctx;
  pthread_mutex_lock(&tx_mu);
  if (ntx < IGFX_MAX_TX) {
    txs[ntx].ifindex = ifindex;
    txs[ntx].dst = dst;
    txs[ntx].len = len > 1500 ? 1500 : len;
    memcpy(txs[ntx].msg, msg, txs[ntx].len);
    txs[ntx].t = T;
    ntx++;
  }
  pthread_mutex_unlock(&tx_mu);
}

static void wakeup(void *ctx) {
  (void)ctx;
  __atomic_fetch_add(&igfx_wakeups, 1, __ATOMIC_SEQ_CST);
}

static void fx_log(void *ctx, int level, const char *msg) {
  (void)ctx;
  if (nlog < IGFX_MAX_LOG) {
    logs[nlog].level = level;
    snprintf(logs[nlog].text, sizeof(logs[nlog].text), "%s", msg);
    nlog++;
  }
}

/* The sim interfaces' names (igfx_start adds ethK as ifindex K). */
static void fx_if_name(void *ctx, DWORD ifindex, char *buf, size_t len) {
  (void)ctx;
  if (ifindex >= 1 && ifindex <= 4)
    snprintf(buf, len, "eth%u", (unsigned)ifindex);
}

static const struct mgm_igmp_io fx_io = {NULL,   wakeup, NULL,
                                         fx_log, NULL,   fx_if_name};

void igfx_fill_io(struct mgm_igmp_io *io) {
  *io = fx_io;
}

int igfx_nlog(void) {
  return nlog;
}

const char *igfx_log(int i, int *level) {
  const char *t = NULL;

  if (i >= 0 && i < nlog) {
    t = logs[i].text;
    if (level != NULL)
      *level = logs[i].level;
  }
  return t;
}

int igfx_logged(int level, const char *needle) {
  int i, n = 0;

  for (i = 0; i < nlog; i++)
    if ((level == 0 || logs[i].level == level) &&
        strstr(logs[i].text, needle) != NULL)
      n++;
  return n;
}

void igfx_log_clear(void) {
  nlog = 0;
}

void igfx_config(struct mgm_igmp_config *cfg) {
  mgm_igmp_config_init(cfg);
  cfg->io = &fx_io;
  cfg->seed = 12345;
}

void igfx_start(const struct mgm_igmp_config *cfg) {
  struct libmgm_config c;
  struct mgm_igmp_config def;
  ULONGLONG now = 0;
  DWORD rc;
  int k;

  libmgm_config_init(&c);
  c.backend = "sim";
  rc = libmgm_start(&c);
  cr_assert_eq(rc, NO_ERROR, "libmgm_start: %u", (unsigned)rc);
  running = 1;
  for (k = 1; k <= 4; k++) {
    char name[8];

    snprintf(name, sizeof(name), "eth%d", k);
    cr_assert_eq(libmgm_sim_if_add((DWORD)k, name, ip4(10, 0, k, 5), 24),
                 NO_ERROR);
  }
  cr_assert_eq(libmgm_sim_route_add(ip4(10, 9, 0, 0), ip4(255, 255, 0, 0), 1, 0,
                                    PROTO_IP_RIP),
               NO_ERROR);
  ntx = 0;
  nlog = 0;
  igfx_wakeups = 0;
  libmgm_sim_set_tx_hook(tx_hook, NULL);
  cr_assert_eq(libmgm_sim_now(&now), NO_ERROR);
  T = now;
  if (cfg == NULL) {
    igfx_config(&def);
    cfg = &def;
  }
  rc = mgm_igmp_create(cfg, 1, &ig);
  cr_assert_eq(rc, NO_ERROR, "mgm_igmp_create: %u", (unsigned)rc);
  cr_assert_eq(libmgm_set_ctrl_hook(mgm_igmp_ctrl_hook, ig), NO_ERROR);
}

void igfx_stop(void) {
  if (!running)
    goto out;
  libmgm_set_ctrl_hook(NULL, NULL);
  mgm_igmp_destroy(ig);
  ig = NULL;
  libmgm_sim_set_tx_hook(NULL, NULL);
  (void)libmgm_stop();
  running = 0;
out:
  return;
}

void igfx_add(DWORD ifx, int role) {
  DWORD rc = mgm_igmp_add_interface(ig, ifx, ip4(10, 0, (int)ifx, 5), role, T);

  cr_assert_eq(rc, NO_ERROR, "add_interface(%u): %u", (unsigned)ifx,
               (unsigned)rc);
}

void igfx_advance(uint64_t ms) {
  /* Step through the component's deadlines so each fires on time. */
  uint64_t end = T + ms;
  long guard = 0;

  for (;;) {
    cr_assert_lt(++guard, 1000000, "igfx_advance: deadline does not move");
    uint64_t d = mgm_igmp_next_deadline(ig);
    uint64_t to = d < end ? (d > T ? d : T) : end;

    if (to > T) {
      cr_assert_eq(libmgm_sim_advance((DWORD)(to - T)), NO_ERROR);
      T = to;
    }
    mgm_igmp_tick(ig, T);
    if (T >= end && mgm_igmp_next_deadline(ig) > T)
      break;
  }
}

void igfx_advance_to(uint64_t t) {
  if (t > T)
    igfx_advance(t - T);
}

/* ---- Packets
 * ------------------------------------------------------------------- */

uint16_t igfx_cksum(const uint8_t *p, size_t len) {
  uint32_t sum = 0;
  size_t i;

  for (i = 0; i < len; i++)
    sum += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
  while (sum > 0xFFFF)
    sum = (sum >> 16) + (sum & 0xFFFF);
  return (uint16_t)(0xFFFF - sum);
}

static void set_ck(uint8_t *p, size_t off, size_t len) {
  uint16_t c;

  p[off] = p[off + 1] = 0;
  c = igfx_cksum(p, len);
  p[off] = (uint8_t)(c >> 8);
  p[off + 1] = (uint8_t)c;
}

size_t igfx_ip(uint8_t *buf, DWORD src, DWORD dst, int ttl, int ra,
               const uint8_t *igmp, size_t len) {
  size_t hl = ra ? 24 : 20, tot = hl + len;

  memset(buf, 0, hl);
  buf[0] = (uint8_t)(0x40 | (hl / 4));
  buf[1] = 0xC0;
  buf[2] = (uint8_t)(tot >> 8);
  buf[3] = (uint8_t)tot;
  buf[8] = (uint8_t)ttl;
  buf[9] = 2;
  memcpy(buf + 12, &src, 4);
  memcpy(buf + 16, &dst, 4);
  if (ra) {
    buf[20] = 0x94;
    buf[21] = 0x04;
  }
  set_ck(buf, 10, hl);
  memcpy(buf + hl, igmp, len);
  return tot;
}

void igfx_rx_raw(DWORD ifx, const uint8_t *pkt, size_t len) {
  cr_assert_eq(libmgm_sim_inject_ctrl(ifx, pkt, (DWORD)len), NO_ERROR);
}

void igfx_rx(DWORD ifx, DWORD src, DWORD dst, const uint8_t *igmp, size_t len) {
  uint8_t pkt[1600];
  size_t n = igfx_ip(pkt, src, dst, 1, 1, igmp, len);

  igfx_rx_raw(ifx, pkt, n);
}

size_t igfx_v12(uint8_t *buf, uint8_t type, uint8_t code, DWORD group) {
  buf[0] = type;
  buf[1] = code;
  memcpy(buf + 4, &group, 4);
  set_ck(buf, 2, 8);
  return 8;
}

size_t igfx_v3q(uint8_t *buf, uint8_t code, DWORD group, int s, int qrv,
                uint8_t qqic, const DWORD *srcs, int n) {
  int i;

  buf[0] = 0x11;
  buf[1] = code;
  memcpy(buf + 4, &group, 4);
  buf[8] = (uint8_t)((s ? 8 : 0) | (qrv & 7));
  buf[9] = qqic;
  buf[10] = (uint8_t)(n >> 8);
  buf[11] = (uint8_t)n;
  for (i = 0; i < n; i++)
    memcpy(buf + 12 + 4 * i, &srcs[i], 4);
  set_ck(buf, 2, 12 + 4 * (size_t)n);
  return 12 + 4 * (size_t)n;
}

void igfx_rep_init(struct igfx_rep *r) {
  memset(r->buf, 0, 8);
  r->buf[0] = 0x22;
  r->len = 8;
  r->nrec = 0;
}

void igfx_rep_add(struct igfx_rep *r, int type, DWORD group, const DWORD *srcs,
                  int n) {
  uint8_t *p = r->buf + r->len;
  int i;

  p[0] = (uint8_t)type;
  p[1] = 0;
  p[2] = (uint8_t)(n >> 8);
  p[3] = (uint8_t)n;
  memcpy(p + 4, &group, 4);
  for (i = 0; i < n; i++)
    memcpy(p + 8 + 4 * i, &srcs[i], 4);
  r->len += 8 + 4 * (size_t)n;
  r->nrec++;
}

size_t igfx_rep_done(struct igfx_rep *r) {
  r->buf[6] = (uint8_t)(r->nrec >> 8);
  r->buf[7] = (uint8_t)r->nrec;
  set_ck(r->buf, 2, r->len);
  return r->len;
}

void igfx_v2_report(DWORD ifx, DWORD host, DWORD group) {
  uint8_t m[8];

  igfx_v12(m, 0x16, 0, group);
  igfx_rx(ifx, host, group, m, 8);
}

void igfx_v1_report(DWORD ifx, DWORD host, DWORD group) {
  uint8_t m[8];

  igfx_v12(m, 0x12, 0, group);
  igfx_rx(ifx, host, group, m, 8);
}

void igfx_v2_leave(DWORD ifx, DWORD host, DWORD group) {
  uint8_t m[8];

  igfx_v12(m, 0x17, 0, group);
  igfx_rx(ifx, host, ip4(224, 0, 0, 2), m, 8);
}

void igfx_v3_record(DWORD ifx, DWORD host, int type, DWORD group,
                    const DWORD *srcs, int n) {
  struct igfx_rep r;

  igfx_rep_init(&r);
  igfx_rep_add(&r, type, group, srcs, n);
  igfx_rep_done(&r);
  igfx_rx(ifx, host, ip4(224, 0, 0, 22), r.buf, r.len);
}

/* ---- Capture
 * --------------------------------------------------------------------- */

int igfx_ntx(void) {
  int n;

  pthread_mutex_lock(&tx_mu);
  n = ntx;
  pthread_mutex_unlock(&tx_mu);
  return n;
}

const struct igfx_tx *igfx_tx(int i) {
  return i >= 0 && i < igfx_ntx() ? &txs[i] : NULL;
}

void igfx_tx_clear(void) {
  pthread_mutex_lock(&tx_mu);
  ntx = 0;
  pthread_mutex_unlock(&tx_mu);
}

const struct igfx_tx *igfx_find(DWORD ifx, int type, int n) {
  const struct igfx_tx *hit = NULL;
  int i, total = igfx_ntx();

  for (i = 0; i < total && hit == NULL; i++) {
    const struct igfx_tx *t = &txs[i];

    if ((ifx == 0 || t->ifindex == ifx) && (type == 0 || t->msg[0] == type) &&
        n-- == 0)
      hit = t;
  }
  return hit;
}

int igfx_count(DWORD ifx, int type) {
  int n = 0;

  while (igfx_find(ifx, type, n) != NULL)
    n++;
  return n;
}

int igfx_rec(const struct igfx_tx *t, int k, int *type, DWORD *group,
             DWORD *srcs, int cap, int *nsrc) {
  size_t off = 8;
  int i, nrec, found = 0;

  if (t == NULL || t->msg[0] != 0x22 || t->len < 8)
    goto out;
  nrec = (t->msg[6] << 8) | t->msg[7];
  for (i = 0; i < nrec && !found && off + 8 <= t->len; i++) {
    int ns = (t->msg[off + 2] << 8) | t->msg[off + 3];

    if (i == k) {
      int j;

      *type = t->msg[off];
      memcpy(group, t->msg + off + 4, 4);
      *nsrc = ns;
      for (j = 0; j < ns && j < cap; j++)
        memcpy(&srcs[j], t->msg + off + 8 + 4 * j, 4);
      found = 1;
    }
    off += 8 + 4 * (size_t)ns + 4 * (size_t)t->msg[off + 1];
  }
out:
  return found;
}

/* ---- MGM state
 * ---------------------------------------------------------------------- */

int igfx_member(DWORD pid, DWORD s, DWORD g, DWORD ifx, int *latent) {
  struct libmgm_snapshot *snap = NULL;
  DWORD i;
  int found = 0;

  cr_assert_eq(libmgm_snapshot_take(&snap), NO_ERROR);
  for (i = 0; i < snap->n_members; i++) {
    const struct libmgm_member_info *m = &snap->members[i];

    if (m->protocol_id == pid && m->sg.dwSourceAddr == s &&
        m->sg.dwGroupAddr == g && m->ifindex == ifx) {
      found = 1;
      if (latent != NULL)
        *latent = m->latent;
    }
  }
  libmgm_snapshot_free(snap);
  return found;
}

int igfx_members(DWORD pid) {
  struct libmgm_snapshot *snap = NULL;
  DWORD i;
  int n = 0;

  cr_assert_eq(libmgm_snapshot_take(&snap), NO_ERROR);
  for (i = 0; i < snap->n_members; i++)
    if (snap->members[i].protocol_id == pid)
      n++;
  libmgm_snapshot_free(snap);
  return n;
}
