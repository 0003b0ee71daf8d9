/*
 * mferead.c - the MFE read API: MgmGetMfe, MgmGetFirstMfe, MgmGetNextMfe
 * and their Stats forms, with the buffer protocol (mgm-spec 2.10-2.15,
 * 4.8).
 *
 * SPDX-License-Identifier: MIT
 *
 * DOC: a lookup reads the MFE index (mfeidx.c); for the common case (no
 * statistics, at most one outgoing interface) the slot's copy of the
 * record is enough and the MFE itself is not read.  An enumeration walks
 * the B+ tree in (G, S) order (D-ORDER), prefetching the MFEs whose
 * records it writes next.  Times go out in seconds, or in hundredths of a
 * second in the statistics forms (D-UNITS).
 */
#include <string.h>

#include "core/mfeidx.h"

static DWORD rec_size(int stats, DWORD flags, uint32_t n) {
  if (!stats)
    return (DWORD)SIZEOF_MIB_MFE(n);
  if (flags == MGM_MFE_STATS_1)
    return (DWORD)SIZEOF_MIB_MFE_STATS_EX(n);
  return (DWORD)SIZEOF_MIB_MFE_STATS(n);
}

/* The fields MIB_IPMCAST_MFE and MIB_IPMCAST_MFE_STATS(_EX) share: the
 * first 36 bytes, dwGroup .. dwRouteMask (same layout, proved by
 * tests/abi). */
#define MGM_MFE_COMMON_SIZE offsetof(MIB_IPMCAST_MFE, ulUpTime)

static void fill_common(uint32_t src, uint32_t grp, const struct mgm_mfe_rec *m,
                        MIB_IPMCAST_MFE *r) {
  memset(r, 0, sizeof(*r));
  r->dwGroup = grp;
  r->dwSource = src;
  r->dwSrcMask = MGM_ALL_ONES;
  r->dwUpStrmNgbr = m->upstream;
  r->dwInIfIndex = m->iif;
  r->dwInIfProtocol = m->in_proto;
  r->dwRouteProtocol = m->route_proto;
  r->dwRouteNetwork = m->route_net;
  r->dwRouteMask = m->route_mask;
}

/* Write the MIB_IPMCAST_MFE record (seconds) of (src, grp) with fields m
 * and outgoing list oif[m->n_oif]; every field is set, so no clearing. */
MGM_INLINE void write_basic(uint32_t src, uint32_t grp,
                            const struct mgm_mfe_rec *m,
                            const struct mgm_oifent *oif, uint64_t now,
                            PBYTE out) {
  uint64_t age = now > m->created_ms ? now - m->created_ms : 0;
  uint64_t left = m->expire_ms > now ? m->expire_ms - now : 0;
  MIB_IPMCAST_MFE r;
  MIB_IPMCAST_OIF o;
  uint32_t i;

  r.dwGroup = grp;
  r.dwSource = src;
  r.dwSrcMask = MGM_ALL_ONES;
  r.dwUpStrmNgbr = m->upstream;
  r.dwInIfIndex = m->iif;
  r.dwInIfProtocol = m->in_proto;
  r.dwRouteProtocol = m->route_proto;
  r.dwRouteNetwork = m->route_net;
  r.dwRouteMask = m->route_mask;
  r.ulUpTime = (ULONG)(age / 1000);
  r.ulExpiryTime = (ULONG)((left + 999) / 1000);
  r.ulTimeOut = m->timeout_s;
  r.ulNumOutIf = m->n_oif;
  r.fFlags = 0;
  r.dwReserved = 0;
  memcpy(out, &r, SIZEOF_BASIC_MIB_MFE);
  o.dwReserved = 0;
  o.dwReserved1 = 0;
  for (i = 0; i < m->n_oif; i++) {
    o.dwOutIfIndex = oif[i].ifindex;
    o.dwNextHopAddr = oif[i].nexthop;
    memcpy(out + SIZEOF_MIB_MFE(i), &o, sizeof(o));
  }
}

/* Write one record: MIB_IPMCAST_MFE (seconds) or the stats forms
 * (hundredths of a second, D-UNITS; the expiry of a live MFE is never 0,
 * which would mean "never ages"). */
static int write_rec(struct mgm_core *c, const struct mgm_mfe *m, int stats,
                     DWORD flags, uint64_t now, PBYTE out) {
  uint64_t age = now > m->rec.created_ms ? now - m->rec.created_ms : 0;
  uint64_t left = m->rec.expire_ms > now ? m->rec.expire_ms - now : 0;
  MIB_IPMCAST_MFE r;
  uint32_t i;

  if (!stats) {
    write_basic(m->src, m->grp, &m->rec, m->oif, now, out);
  } else {
    MIB_IPMCAST_MFE_STATS_EX x;
    MIB_IPMCAST_OIF_STATS o;
    struct mgm_fwd_stats st;
    struct mgm_mfe_key key = {m->src, m->grp};
    DWORD base = flags == MGM_MFE_STATS_1 ? SIZEOF_BASIC_MIB_MFE_STATS_EX
                                          : SIZEOF_BASIC_MIB_MFE_STATS;

    memset(&st, 0, sizeof(st));
    if (m->installed) {
      int rc = mgm__be_mfe_stats(c, &key, &st);

      if (rc != 0 && rc != MGM_BE_ENOENT && rc != MGM_BE_ENOTSUP)
        return rc;
      if (rc != 0)
        memset(&st, 0, sizeof(st));
    }
    fill_common(m->src, m->grp, &m->rec, &r);
    memset(&x, 0, sizeof(x));
    memcpy(&x, &r, MGM_MFE_COMMON_SIZE);
    x.ulUpTime = (ULONG)(age / 10);
    x.ulExpiryTime = (ULONG)((left + 9) / 10);
    if (x.ulExpiryTime == 0)
      x.ulExpiryTime = 1;
    x.ulNumOutIf = m->rec.n_oif;
    x.ulInPkts = (ULONG)st.pkts;
    x.ulInOctets = (ULONG)st.bytes;
    x.ulPktsDifferentIf = (ULONG)st.wrong_if;
    memcpy(out, &x, base);
    for (i = 0; i < m->rec.n_oif; i++) {
      memset(&o, 0, sizeof(o));
      o.dwOutIfIndex = m->oif[i].ifindex;
      o.dwNextHopAddr = m->oif[i].nexthop;
      memcpy(out + base + i * sizeof(o), &o, sizeof(o));
    }
  }
  return 0;
}

/* MgmGetMfe(Stats) but for the common case below (lock held). */
static MGM_NOINLINE DWORD mfe_get_general(struct mgm_core *c,
                                          const struct mgm_mfe_slot *x,
                                          int stats, DWORD flags, PDWORD size,
                                          PBYTE buf) {
  DWORD rc = NO_ERROR, need;
  int brc;

  MGM_ASSERT_LOCKED(c);
  if (x == NULL) {
    rc = ERROR_NOT_FOUND;
    goto out;
  }
  need = rec_size(stats, flags, x->rec.n_oif);
  if (*size < need) {
    *size = need;
    rc = ERROR_INSUFFICIENT_BUFFER;
    goto out;
  }
  brc = write_rec(c, x->m, stats, flags, mgm__now(c), buf);
  if (brc != 0)
    rc = mgm__error_win32(brc);

out:
  return rc;
}

DWORD mgm__mferead_get(struct mgm_core *c, int stats, DWORD flags,
                       PMIB_IPMCAST_MFE key, PDWORD size, PBYTE buf) {
  const struct mgm_mfe_slot *x;
  DWORD rc = NO_ERROR;

  mgm__lock(c);
  x = mgm__mfeidx_slot(c, key->dwSource, key->dwGroup);
  if (x != NULL && !stats && x->rec.n_oif <= 1 &&
      *size >= SIZEOF_MIB_MFE(x->rec.n_oif))
    /* the common case, from the slot's copy: the MFE itself is not read */
    write_basic(x->src, x->grp, &x->rec, &x->oif0, mgm__now(c), buf);
  else
    rc = mfe_get_general(c, x, stats, flags, size, buf);
  mgm__unlock(c);
  return rc;
}

/* How far ahead of an MFE walk its MFEs are prefetched: far enough to
 * cover a memory access with the formatting of the records in between,
 * few enough to stay within the processor's outstanding misses. */
#define MFE_PREFETCH_AHEAD 6

/* Prefetch the MFE at *ahead, if any, and move ahead on. */
static void mfe_prefetch(struct mgm_bt_pos *ahead, int *more) {
  const char *m;

  if (!*more)
    return;
  m = mgm__bt_val(ahead);
  /* what write_rec reads: the key, rec and the first outgoing interface */
  __builtin_prefetch(m);
  __builtin_prefetch(m + offsetof(struct mgm_mfe, one_oif));
  *more = mgm__bt_step(ahead);
}

DWORD mgm__mferead_enum(struct mgm_core *c, int stats, DWORD flags,
                        PMIB_IPMCAST_MFE start, PDWORD size, PBYTE buf,
                        PDWORD n) {
  struct mgm_bt_pos pos = {NULL, 0}, ahead;
  DWORD rc, used = 0, count = 0, need = 0;
  uint64_t now;
  int brc, more, more_ahead, i;

  mgm__lock(c);
  now = mgm__now(c);
  if (start == NULL) {
    more = mgm__bt_first(&c->mfes, &pos);
  } else {
    uint64_t k = mgm__mfeidx_key(start->dwSource, start->dwGroup);

    more = k != UINT64_MAX && mgm__bt_ceil(&c->mfes, k + 1, &pos);
  }
  /* The records are written in key order; the leaves hold the next MFEs'
   * addresses, so their cache misses overlap (one at a time otherwise). */
  ahead = pos;
  more_ahead = more;
  for (i = 0; i < MFE_PREFETCH_AHEAD; i++)
    mfe_prefetch(&ahead, &more_ahead);
  for (; more; more = mgm__bt_step(&pos)) {
    struct mgm_mfe *m = mgm__bt_val(&pos);

    mfe_prefetch(&ahead, &more_ahead);

    need = rec_size(stats, flags, m->rec.n_oif);
    if (need > *size - used)
      break;
    brc = write_rec(c, m, stats, flags, now, buf + used);
    if (brc != 0) {
      rc = mgm__error_win32(brc);
      goto out;
    }
    used += need;
    count++;
  }
  if (count == 0 && more) {
    *size = need;
    *n = 0;
    rc = ERROR_INSUFFICIENT_BUFFER;
  } else {
    *n = count;
    rc = more ? ERROR_MORE_DATA : ERROR_NO_MORE_ITEMS;
  }

out:
  mgm__unlock(c);
  return rc;
}
