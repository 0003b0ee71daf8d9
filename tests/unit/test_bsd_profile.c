/*
 * test_bsd_profile.c - the core under BSD kernel semantics, on the sim's
 * FreeBSD profile (issue "BSD backend"): forwarder slots are keyed by the
 * interface's IPv4 address, so an unnumbered interface can be owned but
 * not forwarded on until its address appears; an interface that departs
 * takes its slot and the entries arriving on it with it; the kernel holds
 * exact (S,G) entries only.
 *
 * SPDX-License-Identifier: MIT
 */
#include "fixture.h"
#include "fx_criterion.h"
#include <string.h>

#define PID_P 0x20001u
#define PID_Q 0x20002u

static const DWORD S_ = 0x0501010a;  /* 10.1.1.5 */
static const DWORD S2_ = 0x0601010a; /* 10.1.1.6 */
static const DWORD G_ = 0x030201efu; /* 239.1.2.3 */

TestSuite(bsd_profile, .init = fx_setup_freebsd, .fini = fx_teardown,
          .timeout = 30);

static DWORD ip4(int a, int b, int c, int d) {
  DWORD v;
  unsigned char *p = (unsigned char *)&v;

  p[0] = (unsigned char)a;
  p[1] = (unsigned char)b;
  p[2] = (unsigned char)c;
  p[3] = (unsigned char)d;
  return v;
}

static BOOL attached(DWORD ifindex) {
  struct libmgm_snapshot *snap = NULL;
  BOOL at = FALSE;
  DWORD i;

  cr_assert_eq(libmgm_snapshot_take(&snap), NO_ERROR);
  for (i = 0; i < snap->n_ifs; i++)
    if (snap->ifs[i].ifindex == ifindex)
      at = snap->ifs[i].attached;
  libmgm_snapshot_free(snap);
  return at;
}

/* P owns the source side (1), Q a receiver LAN (2); both numbered. */
static void world(void) {
  cr_assert_eq(libmgm_sim_if_add(1, "em0", ip4(10, 1, 1, 1), 24), NO_ERROR);
  cr_assert_eq(libmgm_sim_if_add(2, "em1", ip4(10, 2, 0, 1), 24), NO_ERROR);
  fx_register(0, PID_P, 1);
  fx_register(1, PID_Q, 1);
  fx_take(0, 1, 0);
  fx_take(1, 2, 0);
  fx_route(ip4(10, 1, 1, 0), ip4(255, 255, 255, 0), 1, 0, PROTO_IP_RIP);
}

Test(bsd_profile, unnumbered_interface_attaches_when_its_address_appears) {
  struct libmgm_sim_result r;

  world();
  /* Interface 3 exists without an address: ownership works (the core
   * waits for the address), the forwarder has no slot for it yet. */
  cr_assert_eq(libmgm_sim_if_add(3, "vlan3", 0, 0), NO_ERROR);
  fx_take(1, 3, 0);
  cr_assert(!attached(3), "an unnumbered interface got a BSD slot");
  fx_add(1, 0, G_, 2);
  fx_add(1, 0, G_, 3);
  r = fx_inject(1, S_, G_);
  /* MGM's MFE lists both receivers; the kernel can use only slot 2. */
  FX_ASSERT_OIFS(S_, G_, 2, 3);
  cr_assert_eq(r.n_out, 1u, "n_out %u", (unsigned)r.n_out);
  cr_assert_eq(r.out_ifindex[0], 2u);
  /* The address arrives (RTM_NEWADDR): the slot is made and the MFE
   * reprogrammed, so traffic now reaches interface 3 too. */
  cr_assert_eq(libmgm_sim_if_del(3), NO_ERROR);
  cr_assert_eq(libmgm_sim_if_add(3, "vlan3", ip4(10, 3, 0, 1), 24), NO_ERROR);
  cr_assert(attached(3), "slot not made when the address appeared");
  r = fx_inject(1, S_, G_);
  cr_assert_eq(r.n_out, 2u, "n_out %u", (unsigned)r.n_out);
  cr_assert_eq(r.out_ifindex[1], 3u);
  FX_ASSERT_KERNEL_CONSISTENT();
}

Test(bsd_profile, departed_interface_takes_its_entries_with_it) {
  struct libmgm_sim_result r;
  struct fx_mfe all[4];
  DWORD entries = 0, slots = 0;

  world();
  cr_assert_eq(libmgm_sim_if_add(3, "em2", ip4(10, 3, 0, 1), 24), NO_ERROR);
  fx_take(1, 3, 0);
  fx_add(1, 0, G_, 2);
  fx_add(1, 0, G_, 3);
  fx_inject(1, S_, G_);
  FX_ASSERT_OIFS(S_, G_, 2, 3);
  /* An output interface departs: the entry keeps forwarding to the rest,
   * never to the freed slot. */
  cr_assert_eq(libmgm_sim_if_del(3), NO_ERROR);
  r = fx_inject(1, S_, G_);
  cr_assert_eq(r.n_out, 1u, "n_out %u", (unsigned)r.n_out);
  cr_assert_eq(r.out_ifindex[0], 2u);
  /* The incoming interface departs: the MFE goes, nothing stays in the
   * kernel. */
  cr_assert_eq(libmgm_sim_if_del(1), NO_ERROR);
  cr_assert_eq(fx_mfe_all(all, 4), 0u, "MFE kept after its iif departed");
  cr_assert_eq(libmgm_sim_kernel_count(&entries, &slots), NO_ERROR);
  cr_assert_eq(entries, 0u, "kernel still holds %u entries", (unsigned)entries);
}

Test(bsd_profile, wildcard_memberships_become_exact_entries) {
  struct fx_mfe all[4];
  DWORD entries = 0, slots = 0;

  world();
  fx_add(1, 0, G_, 2);
  fx_inject(1, S_, G_);
  fx_inject(1, S2_, G_);
  /* (*,G) is MGM state; the kernel gets one exact (S,G) per source. */
  cr_assert_eq(fx_mfe_all(all, 4), 2u);
  cr_assert_eq(libmgm_sim_kernel_count(&entries, &slots), NO_ERROR);
  cr_assert_eq(entries, 2u, "kernel entries %u", (unsigned)entries);
  FX_ASSERT_KERNEL_CONSISTENT();
}
