/*
 * fuzz_igmp_input.c - libFuzzer target: a sequence of IGMP packets into
 * the IGMP router/proxy component (mgm_igmp_input, src/igmp) running on
 * libmgm's sim backend, the way mgmd feeds it what the router socket
 * reads: the parser and everything behind it (querier election, group and
 * source state, proxy merging, MGM membership calls, timers).
 *
 * SPDX-License-Identifier: MIT
 *
 * Input: byte 0 is the configuration - bit 0: IGMPv2 (else v3); bit 1:
 * proxy with upstream interface 1; bit 2: require TTL 1; bit 3: proxy
 * forwards upstream; bit 4: tight limits (4 groups per interface, 4
 * sources per group); bits 5-7: robustness - 1.  Interfaces 1-4 exist
 * (10.0.k.5/24) and are all added to the component.  Then up to 64
 * packets, each
 *   flags  bits 0-2: ifindex (0 and 5-7 are not IGMP interfaces);
 *          bits 3-4: 0 raw IPv4 packet, 1 raw packet with its checksums
 *          fixed, 2 IGMP message that the harness wraps in an IP header
 *          (TTL 1, router alert, checksums) from host 10.0.k.(2 + bits
 *          5-6), 3 the same from the component's own address;
 *          bit 7: wrapped packets go to 224.0.0.22 (else to the group
 *          field of the message)
 *   wait   the virtual clock advances wait^2 * 4 ms first (timers fire
 *          on the way)
 *   len    16 bits, then len bytes (fewer if the input ends).
 * Invariants: the component's rx_packets counts every packet and the
 * classification counters never exceed it; after every packet the
 * introspection is consistent - interfaces in ascending order, groups
 * ascending and as many as n_groups, multicast and not 224.0.0.x, within
 * the configured limits, sources ascending and as many as n_sources,
 * filter modes and compatibility versions valid; at the end the component
 * is destroyed and libmgm_stop succeeds (nothing left registered), and
 * LeakSanitizer finds nothing.
 */
#include <string.h>

#include <windows.h>
#include <iprtrmib.h>
#include <mgm.h>
#include <libmgm.h>
#include <routprot.h>

#include "fz.h"
#include "igmp.h"

#define MAX_PKTS 64
#define MAX_SRC 1100

static uint64_t T;
static struct mgm_igmp_source_info srcbuf[MAX_SRC];

static DWORD ip4(unsigned a, unsigned b, unsigned c, unsigned d) {
  DWORD v;
  uint8_t *p = (uint8_t *)&v;

  p[0] = (uint8_t)a;
  p[1] = (uint8_t)b;
  p[2] = (uint8_t)c;
  p[3] = (uint8_t)d;
  return v;
}

static uint32_t host(DWORD a) {
  const uint8_t *p = (const uint8_t *)&a;

  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

static void wakeup(void *ctx) {
  (void)ctx;
}

static const struct mgm_igmp_io io = {NULL, wakeup, NULL, NULL, NULL, NULL};

static uint16_t cksum(const uint8_t *p, size_t n) {
  uint32_t s = 0;
  size_t i;

  for (i = 0; i < n; i++)
    s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
  while (s >> 16)
    s = (s & 0xffff) + (s >> 16);
  return (uint16_t)~s;
}

static void set_ck(uint8_t *p, size_t at, const uint8_t *from, size_t n) {
  uint16_t c;

  p[at] = p[at + 1] = 0;
  c = cksum(from, n);
  p[at] = (uint8_t)(c >> 8);
  p[at + 1] = (uint8_t)c;
}

/* Timers due up to T + ms, each at its time (like tests/igmp's igfx). */
static void advance(struct mgm_igmp *ig, uint64_t ms) {
  uint64_t end = T + ms, d, to;
  int guard = 0;

  for (;;) {
    FZ_CHECK(++guard < 100000, "deadline %llu does not move (T %llu)",
             (unsigned long long)mgm_igmp_next_deadline(ig),
             (unsigned long long)T);
    d = mgm_igmp_next_deadline(ig);
    to = d < end ? (d > T ? d : T) : end;
    if (to > T) {
      FZ_CHECK(libmgm_sim_advance((DWORD)(to - T)) == NO_ERROR, "advance");
      T = to;
    }
    mgm_igmp_tick(ig, T);
    if (T >= end && mgm_igmp_next_deadline(ig) > T)
      break;
  }
}

static void check_state(const struct mgm_igmp *ig,
                        const struct mgm_igmp_config *cfg, uint64_t npkts) {
  struct mgm_igmp_counters c;
  struct mgm_igmp_if_info fi;
  struct mgm_igmp_group_info gi;
  DWORD after = 0, g;
  uint32_t n, k, prev;
  int nif = 0;

  FZ_CHECK(mgm_igmp_get_counters(ig, 0, &c) == NO_ERROR, "counters");
  FZ_CHECK(c.rx_packets == npkts, "rx_packets %llu after %llu packets",
           (unsigned long long)c.rx_packets, (unsigned long long)npkts);
  FZ_CHECK(c.rx_truncated + c.rx_bad_checksum + c.rx_bad_ttl + c.rx_malformed +
                   c.rx_queries + c.rx_leaves + c.rx_reports <=
               c.rx_packets,
           "classified more packets than received");
  while (mgm_igmp_if_next(ig, after, &fi) == NO_ERROR) {
    FZ_CHECK(fi.ifindex > after, "interface %u after %u", (unsigned)fi.ifindex,
             (unsigned)after);
    after = fi.ifindex;
    nif++;
    g = 0;
    n = 0;
    prev = 0;
    while (mgm_igmp_group_next(ig, fi.ifindex, g, &gi, srcbuf, MAX_SRC) ==
           NO_ERROR) {
      FZ_CHECK(n == 0 || host(gi.group) > prev,
               "if %u: group %#x after "
               "%#x",
               (unsigned)fi.ifindex, (unsigned)host(gi.group), (unsigned)prev);
      FZ_CHECK((host(gi.group) >> 28) == 0xe &&
                   (host(gi.group) & 0xffffff00u) != 0xe0000000u,
               "if %u: group %#x kept", (unsigned)fi.ifindex,
               (unsigned)host(gi.group));
      FZ_CHECK(gi.filter_mode == MGM_IGMP_INCLUDE ||
                   gi.filter_mode == MGM_IGMP_EXCLUDE,
               "filter mode %d", gi.filter_mode);
      FZ_CHECK(gi.compat_version >= 1 && gi.compat_version <= 3,
               "compatibility version %u", (unsigned)gi.compat_version);
      FZ_CHECK(fi.role == MGM_IGMP_ROLE_UPSTREAM ||
                   gi.n_sources <= cfg->max_sources,
               "%u sources, limit %u", (unsigned)gi.n_sources,
               (unsigned)cfg->max_sources);
      for (k = 1; k < gi.n_sources && k < MAX_SRC; k++)
        FZ_CHECK(host(srcbuf[k].addr) > host(srcbuf[k - 1].addr),
                 "sources out of order");
      prev = host(gi.group);
      g = gi.group;
      n++;
    }
    FZ_CHECK(n == fi.n_groups, "if %u: %u groups enumerated, n_groups %u",
             (unsigned)fi.ifindex, (unsigned)n, (unsigned)fi.n_groups);
    FZ_CHECK(fi.role == MGM_IGMP_ROLE_UPSTREAM || n <= cfg->max_groups,
             "%u groups, limit %u", (unsigned)n, (unsigned)cfg->max_groups);
  }
  FZ_CHECK(nif == 4, "%d interfaces", nif);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static uint8_t pkt[65536 + 24];
  struct fz_in in = {data, size, 0};
  struct libmgm_config lc;
  struct mgm_igmp_config cfg;
  struct mgm_igmp *ig = NULL;
  ULONGLONG now = 0;
  uint64_t npkts = 0;
  uint8_t conf = fz_u8(&in), fl, w;
  unsigned k;
  DWORD rc;

  libmgm_config_init(&lc);
  lc.backend = "sim";
  lc.log = "none";
  FZ_CHECK(libmgm_start(&lc) == NO_ERROR, "libmgm_start");
  for (k = 1; k <= 4; k++) {
    char name[8];

    snprintf(name, sizeof(name), "eth%u", k);
    FZ_CHECK(libmgm_sim_if_add(k, name, ip4(10, 0, k, 5), 24) == NO_ERROR,
             "sim if %u", k);
  }
  FZ_CHECK(libmgm_sim_route_add(ip4(10, 9, 0, 0), ip4(255, 255, 0, 0), 1, 0,
                                PROTO_IP_RIP) == NO_ERROR,
           "sim route");
  FZ_CHECK(libmgm_sim_now(&now) == NO_ERROR, "sim now");
  T = now;
  mgm_igmp_config_init(&cfg);
  cfg.io = &io;
  cfg.seed = 12345;
  cfg.version = conf & 1 ? 2 : 3;
  cfg.proxy_upstream = conf & 2 ? 1 : 0;
  cfg.require_ttl1 = (conf & 4) != 0;
  cfg.proxy_forward_upstream = (conf & 8) != 0;
  if (conf & 16) {
    cfg.max_groups = 4;
    cfg.max_sources = 4;
  }
  cfg.robustness = 1u + (conf >> 5) % 7u;
  rc = mgm_igmp_create(&cfg, 1, &ig);
  FZ_CHECK(rc == NO_ERROR, "mgm_igmp_create: %u", (unsigned)rc);
  if (cfg.max_groups == 0) { /* the documented defaults */
    cfg.max_groups = 4096;
    cfg.max_sources = 1024;
  }
  for (k = 1; k <= 4; k++) {
    rc = mgm_igmp_add_interface(ig, k, ip4(10, 0, k, 5),
                                k == cfg.proxy_upstream
                                    ? MGM_IGMP_ROLE_UPSTREAM
                                    : MGM_IGMP_ROLE_DOWNSTREAM,
                                T);
    FZ_CHECK(rc == NO_ERROR, "add_interface %u: %u", k, (unsigned)rc);
  }
  mgm_igmp_tick(ig, T);
  while (in.off < in.n && npkts < MAX_PKTS) {
    DWORD ifx, src, dst;
    size_t len, mode;
    uint8_t *m;

    fl = fz_u8(&in);
    w = fz_u8(&in);
    len = fz_u16(&in);
    if (len > in.n - in.off)
      len = in.n - in.off;
    ifx = fl & 7;
    mode = (fl >> 3) & 3;
    advance(ig, (uint64_t)w * w * 4);
    if (mode < 2) {
      memcpy(pkt, in.p + in.off, len);
      if (mode == 1 && len >= 20 && (pkt[0] & 0x0f) * 4u >= 20 &&
          (pkt[0] & 0x0f) * 4u <= len) {
        size_t ihl = (pkt[0] & 0x0fu) * 4, tot = (size_t)pkt[2] << 8 | pkt[3];

        set_ck(pkt, 10, pkt, ihl);
        if (tot >= ihl + 4 && tot <= len)
          set_ck(pkt, ihl + 2, pkt + ihl, tot - ihl);
      }
    } else {
      if (len > 65535 - 24)
        len = 65535 - 24;
      m = pkt + 24;
      memcpy(m, in.p + in.off, len);
      src = mode == 3 ? ip4(10, 0, ifx, 5) : ip4(10, 0, ifx, 2 + (fl >> 5 & 3));
      dst = ip4(224, 0, 0, 22);
      if (!(fl & 0x80) && len >= 8)
        memcpy(&dst, m + 4, 4);
      if (len >= 4)
        set_ck(m, 2, m, len);
      memset(pkt, 0, 24);
      pkt[0] = 0x46;
      pkt[2] = (uint8_t)((len + 24) >> 8);
      pkt[3] = (uint8_t)(len + 24);
      pkt[8] = 1;
      pkt[9] = 2;
      memcpy(pkt + 12, &src, 4);
      memcpy(pkt + 16, &dst, 4);
      pkt[20] = 0x94;
      pkt[21] = 4;
      set_ck(pkt, 10, pkt, 24);
      len += 24;
    }
    in.off += mode < 2 ? len : len - 24;
    mgm_igmp_input(ig, ifx, pkt, len, T);
    mgm_igmp_tick(ig, T);
    npkts++;
    check_state(ig, &cfg, npkts);
  }
  advance(ig, 1000);
  check_state(ig, &cfg, npkts);
  mgm_igmp_destroy(ig);
  rc = libmgm_stop();
  FZ_CHECK(rc == NO_ERROR, "libmgm_stop after destroy: %u", (unsigned)rc);
  return 0;
}
