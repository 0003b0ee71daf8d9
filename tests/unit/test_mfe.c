/*
 * test_mfe.c - unit tests of MFE creation, update, lifetime and MgmSetMfe
 * (mgm-spec 3.1-3.3, 4.4, 4.7, 5.2, D-RPF-TARGET, D-NOROUTE, D-NEGMFE,
 * D-TMO0, D-REARM, D-NOREFRESH, D-OWN-MFE, D-NOCREATE-ON-UPDATE, D-BIGMP,
 * D-ORDER-OIF, D-SETMFE, D-UNITS).
 *
 * SPDX-License-Identifier: MIT
 *
 * A packet of a new (S,G) is injected into the simulated forwarder and the
 * exact callback sequence is checked: RPF callback to the owner of the
 * interface toward S (on the loop thread), creation alerts to each owner of
 * outgoing interfaces in registration order with only its own interfaces,
 * sorted, vetoes honoured, and the FALSE prune alert for an empty MFE with
 * the returned timeout applied.  Lifetime tests drive the virtual clock:
 * expiry at exactly 900 s, no refresh by traffic, re-arm on the negative
 * transition.  Every MFE is compared field by field with GetMfe and with
 * what the sim kernel forwards.
 */
#include "fixture.h"

#include "fx_criterion.h"

#include <string.h>

#define PID_P 4001u
#define PID_Q 4002u
#define PID_R 4003u
#define PID_X 4004u

#define NET IP(10, 1, 1, 0)
#define MASK24 IP(255, 255, 255, 0)
#define S_ IP(10, 1, 1, 5)
#define G_ IP(224, 9, 9, 9)
#define U_ IP(10, 1, 0, 1)

TestSuite(mfe, .init = fx_setup, .fini = fx_teardown, .timeout = 30);
TestSuite(mfe_wrongif, .init = fx_setup_wrongif, .fini = fx_teardown,
          .timeout = 30);

/* Setup of 4.4.  Slots (registration order): P 0, Q 1, IGMP 2, R 3.
 * P owns I(1) (toward S), Q owns I(2), I(3), IGMP owns I(4), R owns I(5);
 * Q (*,G)@2,@3; IGMP (*,G)@4; P (*,*)@1. */
static void setup_44(void) {
  fx_register(0, PID_P, 1);
  fx_register(1, PID_Q, 1);
  fx_register(2, PROTO_IP_IGMP, 1);
  fx_register(3, PID_R, 1);
  fx_take(0, 1, 0);
  fx_take(1, 2, 0);
  fx_take(1, 3, 0);
  fx_take(2, 4, 0);
  fx_take(3, 5, 0);
  fx_add(1, 0, G_, 2);
  fx_add(1, 0, G_, 3);
  fx_add(2, 0, G_, 4);
  fx_add(0, 0, 0, 1);
  fx_route(NET, MASK24, 1, U_, PROTO_IP_OSPF);
  fx_log_clear();
}

static void expect_out(const struct libmgm_sim_result *r, size_t n,
                       const DWORD *ifs) {
  size_t i;

  cr_assert_eq(r->n_out, (DWORD)n, "packet sent on %u interfaces, want %zu",
               (unsigned)r->n_out, n);
  for (i = 0; i < n; i++)
    cr_assert_eq(r->out_ifindex[i], ifs[i], "out[%zu] = %u, want %u", i,
                 (unsigned)r->out_ifindex[i], (unsigned)ifs[i]);
}

Test(mfe, creation_follows_4_4) {
  static const DWORD out[] = {2, 3, 4};
  struct libmgm_sim_result r;
  struct fx_ev rpf;
  struct fx_mfe m;
  DWORD i;

  setup_44();
  r = fx_inject(1, S_, G_);
  cr_assert_eq(r.verdict, LIBMGM_SIM_FORWARDED, "verdict %u",
               (unsigned)r.verdict);
  expect_out(&r, 3, out);
  rpf = fx_log_at(0);
  cr_assert(rpf.hdr_size >= 20, "RPF dwHdrSize %u", (unsigned)rpf.hdr_size);
  cr_assert(rpf.hdr_nonnull && rpf.route_nonnull,
            "RPF pbPacketHdr/pbRoute NULL");
  FX_EXPECT(EV_RPF(0, S_, G_, 1, 0, U_),
            EV_CREATE(1, S_, G_, 1, 0, 2, IFE(2, 0, FALSE), IFE(3, 0, FALSE)),
            EV_CREATE(2, S_, G_, 1, 0, 1, IFE(4, 0, TRUE)));

  cr_assert_eq(fx_mfe_get(S_, G_, &m), NO_ERROR);
  cr_assert_eq(m.m.dwGroup, G_);
  cr_assert_eq(m.m.dwSource, S_);
  cr_assert_eq(m.m.dwSrcMask, FX_ALL);
  cr_assert_eq(m.m.dwUpStrmNgbr, U_, "upstream %08x",
               (unsigned)m.m.dwUpStrmNgbr);
  cr_assert_eq(m.m.dwInIfIndex, 1u);
  cr_assert_eq(m.m.dwInIfProtocol, PID_P, "dwInIfProtocol %u",
               (unsigned)m.m.dwInIfProtocol);
  cr_assert_eq(m.m.dwRouteProtocol, (DWORD)PROTO_IP_OSPF, "dwRouteProtocol %u",
               (unsigned)m.m.dwRouteProtocol);
  cr_assert_eq(m.m.dwRouteNetwork, NET, "dwRouteNetwork %08x",
               (unsigned)m.m.dwRouteNetwork);
  cr_assert_eq(m.m.dwRouteMask, MASK24, "dwRouteMask %08x",
               (unsigned)m.m.dwRouteMask);
  cr_assert_eq(m.m.ulUpTime, 0u, "ulUpTime %u", (unsigned)m.m.ulUpTime);
  cr_assert_eq(m.m.ulExpiryTime, 900u, "ulExpiryTime %u",
               (unsigned)m.m.ulExpiryTime);
  cr_assert_eq(m.m.ulTimeOut, 900u, "ulTimeOut %u", (unsigned)m.m.ulTimeOut);
  cr_assert_eq(m.m.fFlags, 0u);
  cr_assert_eq(m.m.dwReserved, 0u);
  cr_assert_eq(m.m.ulNumOutIf, 3u);
  for (i = 0; i < 3; i++) {
    cr_assert_eq(m.oif[i].dwOutIfIndex, out[i]);
    cr_assert_eq(m.oif[i].dwNextHopAddr, 0u);
    cr_assert_eq(m.oif[i].dwReserved, 0u);
    cr_assert_eq(m.oif[i].dwReserved1, 0u);
  }
  /* The next packet uses the entry: no more callbacks. */
  r = fx_inject(1, S_, G_);
  expect_out(&r, 3, out);
  FX_EXPECT_NONE();
  FX_ASSERT_KERNEL_CONSISTENT();
}

Test(mfe, creation_alert_vetoes_are_honoured) {
  static const DWORD out[] = {2, 4};
  struct libmgm_sim_result r;

  setup_44();
  fx_veto(1, 3);
  r = fx_inject(1, S_, G_);
  expect_out(&r, 2, out);
  FX_EXPECT(EV_RPF(0, S_, G_, 1, 0, U_),
            EV_CREATE(1, S_, G_, 1, 0, 2, IFE(2, 0, FALSE), IFE(3, 0, FALSE)),
            EV_CREATE(2, S_, G_, 1, 0, 1, IFE(4, 0, TRUE)));
  FX_ASSERT_OIFS(S_, G_, 2, 4);
  FX_ASSERT_KERNEL_CONSISTENT();
}

Test(mfe, rpf_outputs_are_honoured) {
  static const DWORD out[] = {1, 2, 3, 4};
  DWORD U2 = IP(10, 5, 0, 9);
  struct libmgm_sim_result r;
  struct fx_mfe m;

  setup_44();
  /* P moves the iif to I(5) (R's) and names another upstream: no second
   * RPF callback, P's (*,*)@1 becomes an output (D-RPF-TARGET). */
  fx_rpf_set(0, 5, 0, U2);
  r = fx_inject(1, S_, G_);
  cr_assert_eq(r.n_out, 0u, "packet on the old iif forwarded");
  FX_EXPECT(EV_RPF(0, S_, G_, 1, 0, U_),
            EV_CREATE(0, S_, G_, 5, 0, 1, IFE(1, 0, FALSE)),
            EV_CREATE(1, S_, G_, 5, 0, 2, IFE(2, 0, FALSE), IFE(3, 0, FALSE)),
            EV_CREATE(2, S_, G_, 5, 0, 1, IFE(4, 0, TRUE)));
  cr_assert_eq(fx_mfe_get(S_, G_, &m), NO_ERROR);
  cr_assert_eq(m.m.dwInIfIndex, 5u, "iif %u", (unsigned)m.m.dwInIfIndex);
  cr_assert_eq(m.m.dwUpStrmNgbr, U2, "upstream %08x",
               (unsigned)m.m.dwUpStrmNgbr);
  cr_assert_eq(m.m.dwInIfProtocol, PID_R, "dwInIfProtocol %u",
               (unsigned)m.m.dwInIfProtocol);
  FX_ASSERT_OIFS(S_, G_, 1, 2, 3, 4);
  r = fx_inject(5, S_, G_);
  expect_out(&r, 4, out);
  FX_EXPECT_NONE();
  FX_ASSERT_KERNEL_CONSISTENT();
}

Test(mfe, packet_on_wrong_interface_builds_mfe_toward_source) {
  struct libmgm_sim_result r;

  setup_44();
  r = fx_inject(3, S_, G_);
  cr_assert_eq(r.n_out, 0u, "packet from the wrong interface forwarded");
  /* D-WRONGIF: no wrong-if callback by default. */
  FX_EXPECT(EV_RPF(0, S_, G_, 1, 0, U_),
            EV_CREATE(1, S_, G_, 1, 0, 2, IFE(2, 0, FALSE), IFE(3, 0, FALSE)),
            EV_CREATE(2, S_, G_, 1, 0, 1, IFE(4, 0, TRUE)));
  FX_ASSERT_OIFS(S_, G_, 2, 3, 4);
  r = fx_inject(3, S_, G_);
  cr_assert_eq(r.verdict, LIBMGM_SIM_WRONG_IF, "verdict %u",
               (unsigned)r.verdict);
  FX_EXPECT_NONE();
}

Test(mfe, creation_alert_lists_sorted_per_owner_with_bigmp) {
  DWORD G = IP(224, 9, 9, 10);
  struct libmgm_sim_result r;

  fx_register(0, PID_P, 1);
  fx_register(1, PID_Q, 1);
  fx_register(2, PROTO_IP_IGMP, 1);
  fx_take(0, 1, 0);
  fx_take(1, 9, 0);
  fx_take(1, 7, 0);
  fx_take(1, 3, 0);
  fx_take(2, 7, 0); /* IGMP co-owns I(7): bIGMP TRUE there (D-BIGMP) */
  fx_add(1, 0, G, 9);
  fx_add(1, 0, G, 3);
  fx_add(1, 0, G, 7);
  fx_route(NET, MASK24, 1, 0, PROTO_IP_RIP);
  fx_log_clear();
  r = fx_inject(1, S_, G);
  cr_assert_eq(r.n_out, 3u);
  FX_EXPECT(EV_RPF(0, S_, G, 1, 0, 0),
            EV_CREATE(1, S_, G, 1, 0, 3, IFE(3, 0, FALSE), IFE(7, 0, TRUE),
                      IFE(9, 0, FALSE)));
  FX_ASSERT_OIFS(S_, G, 3, 7, 9);
}

Test(mfe, negative_mfe_prune_alert_sets_lifetime) {
  struct libmgm_sim_result r;
  struct fx_mfe m;
  DWORD entries = 99, slots = 0;

  fx_register(0, PID_P, 1);
  fx_take(0, 1, 0);
  fx_route(NET, MASK24, 1, U_, PROTO_IP_OSPF);
  fx_prune_timeout(0, 60);
  r = fx_inject(1, S_, G_);
  cr_assert_eq(r.n_out, 0u);
  FX_EXPECT(EV_RPF(0, S_, G_, 1, 0, U_), EV_NPRUNE_LOOP(0, S_, G_, 1, 0));
  cr_assert_eq(fx_mfe_get(S_, G_, &m), NO_ERROR);
  cr_assert_eq(m.m.ulNumOutIf, 0u);
  cr_assert_eq(m.m.ulTimeOut, 60u, "ulTimeOut %u", (unsigned)m.m.ulTimeOut);
  cr_assert_eq(m.m.ulExpiryTime, 60u, "ulExpiryTime %u",
               (unsigned)m.m.ulExpiryTime);
  r = fx_inject(1, S_, G_);
  cr_assert_eq(r.verdict, LIBMGM_SIM_NEGATIVE, "verdict %u",
               (unsigned)r.verdict);
  FX_EXPECT_NONE();
  FX_ASSERT_KERNEL_CONSISTENT();
  fx_advance_ms(59999);
  cr_assert_eq(fx_mfe_get(S_, G_, &m), NO_ERROR, "expired early");
  fx_advance_ms(1);
  cr_assert_eq(fx_mfe_get(S_, G_, &m), ERROR_NOT_FOUND, "did not expire");
  cr_assert_eq(libmgm_sim_kernel_count(&entries, &slots), NO_ERROR);
  cr_assert_eq(entries, 0u, "kernel still holds %u entries", (unsigned)entries);
  FX_EXPECT_NONE(); /* no callback on expiry */
}

Test(mfe, all_vetoed_gives_negative_mfe_alert_to_iif_owner) {
  struct libmgm_sim_result r;

  setup_44();
  fx_veto(1, 2);
  fx_veto(1, 3);
  fx_veto(2, 4);
  r = fx_inject(1, S_, G_);
  cr_assert_eq(r.n_out, 0u);
  FX_EXPECT(EV_RPF(0, S_, G_, 1, 0, U_),
            EV_CREATE(1, S_, G_, 1, 0, 2, IFE(2, 0, FALSE), IFE(3, 0, FALSE)),
            EV_CREATE(2, S_, G_, 1, 0, 1, IFE(4, 0, TRUE)),
            EV_NPRUNE_LOOP(0, S_, G_, 1, 0));
  FX_ASSERT_OIFS(S_, G_);
  FX_ASSERT_KERNEL_CONSISTENT();
}

Test(mfe, prune_timeout_zero_keeps_900) {
  struct fx_mfe m;

  fx_register(0, PID_P, 1);
  fx_take(0, 1, 0);
  fx_route(NET, MASK24, 1, 0, PROTO_IP_RIP);
  fx_prune_timeout(0, 0);
  fx_inject(1, S_, G_);
  FX_EXPECT(EV_RPF(0, S_, G_, 1, 0, 0), EV_NPRUNE_LOOP(0, S_, G_, 1, 0));
  cr_assert_eq(fx_mfe_get(S_, G_, &m), NO_ERROR);
  cr_assert_eq(m.m.ulTimeOut, 900u, "D-TMO0: ulTimeOut %u",
               (unsigned)m.m.ulTimeOut);
  cr_assert_eq(m.m.ulExpiryTime, 900u);
}

Test(mfe, member_delete_prune_timeout_is_ignored) {
  struct fx_mfe m;

  fx_register(0, PID_P, 1);
  fx_register(1, PID_Q, 1);
  fx_register(2, PID_R, 1);
  fx_take(0, 1, 0);
  fx_take(1, 2, 0);
  fx_take(2, 3, 0);
  fx_route(NET, MASK24, 1, 0, PROTO_IP_RIP);
  fx_add(1, 0, G_, 2);
  fx_add(2, 0, G_, 3);
  fx_inject(1, S_, G_);
  fx_prune_timeout(0, 5);
  fx_prune_timeout(1, 5);
  fx_log_clear();
  fx_del(2, 0, G_, 3);
  FX_EXPECT(EV_PRUNE(1, 0, 0, G_, FX_ALL, 3, 0, TRUE));
  cr_assert_eq(fx_mfe_get(S_, G_, &m), NO_ERROR);
  cr_assert_eq(m.m.ulTimeOut, 900u, "TRUE alert timeout applied: %u",
               (unsigned)m.m.ulTimeOut);
  FX_ASSERT_OIFS(S_, G_, 2);
}

Test(mfe, no_route_uses_arrival_interface) {
  DWORD S3 = IP(192, 168, 50, 1);
  struct fx_mfe m;

  setup_44();
  /* D-NOROUTE: iif = arrival interface I(2); its owner Q gets the RPF
   * callback with the arrival values; route fields 0. */
  fx_inject(2, S3, G_);
  FX_EXPECT(EV_RPF(1, S3, G_, 2, 0, 0),
            EV_CREATE(0, S3, G_, 2, 0, 1, IFE(1, 0, FALSE)),
            EV_CREATE(1, S3, G_, 2, 0, 1, IFE(3, 0, FALSE)),
            EV_CREATE(2, S3, G_, 2, 0, 1, IFE(4, 0, TRUE)));
  cr_assert_eq(fx_mfe_get(S3, G_, &m), NO_ERROR);
  cr_assert_eq(m.m.dwInIfIndex, 2u);
  cr_assert_eq(m.m.dwUpStrmNgbr, 0u);
  cr_assert_eq(m.m.dwInIfProtocol, PID_Q);
  cr_assert_eq(m.m.dwRouteProtocol, 0u);
  cr_assert_eq(m.m.dwRouteNetwork, 0u);
  cr_assert_eq(m.m.dwRouteMask, 0u);
  FX_ASSERT_OIFS(S3, G_, 1, 3, 4);
}

Test(mfe, owner_without_rpf_callback_keeps_route_values) {
  DWORD G = IP(224, 9, 9, 11);
  struct fx_mfe m;
  DWORD rc;

  rc = fx_register_mask(0, PID_X, 1, FX_CB_ALL & ~FX_CB(FX_RPF));
  cr_assert_eq(rc, NO_ERROR);
  fx_register(1, PID_Q, 1);
  fx_take(0, 1, 0);
  fx_take(1, 2, 0);
  fx_add(1, 0, G, 2);
  fx_route(NET, MASK24, 1, U_, PROTO_IP_OSPF);
  fx_log_clear();
  fx_inject(1, S_, G);
  FX_EXPECT(EV_CREATE(1, S_, G, 1, 0, 1, IFE(2, 0, FALSE)));
  cr_assert_eq(fx_mfe_get(S_, G, &m), NO_ERROR);
  cr_assert_eq(m.m.dwInIfIndex, 1u);
  cr_assert_eq(m.m.dwUpStrmNgbr, U_);
  cr_assert_eq(m.m.dwInIfProtocol, PID_X);
}

Test(mfe, join_alert_false_and_timer_unchanged_when_list_refills) {
  struct fx_mfe m;

  fx_register(0, PID_P, 1);
  fx_register(1, PID_Q, 1);
  fx_take(0, 1, 0);
  fx_take(1, 2, 0);
  fx_route(NET, MASK24, 1, 0, PROTO_IP_RIP);
  fx_prune_timeout(0, 60);
  fx_inject(1, S_, G_);
  FX_EXPECT(EV_RPF(0, S_, G_, 1, 0, 0), EV_NPRUNE_LOOP(0, S_, G_, 1, 0));
  fx_advance_ms(10000);
  fx_add(1, 0, G_, 2);
  FX_EXPECT(EV_JOIN(0, 0, 0, G_, FX_ALL, TRUE),
            EV_JOIN(0, S_, FX_ALL, G_, FX_ALL, FALSE));
  cr_assert_eq(fx_mfe_get(S_, G_, &m), NO_ERROR);
  cr_assert_eq(m.m.ulNumOutIf, 1u);
  cr_assert_eq(m.m.ulTimeOut, 60u, "timer re-armed: %u",
               (unsigned)m.m.ulTimeOut);
  cr_assert_eq(m.m.ulExpiryTime, 50u, "ulExpiryTime %u",
               (unsigned)m.m.ulExpiryTime);
  cr_assert_eq(m.m.ulUpTime, 10u, "ulUpTime %u", (unsigned)m.m.ulUpTime);
  FX_ASSERT_KERNEL_CONSISTENT();
  fx_advance_ms(50000);
  cr_assert_eq(fx_mfe_get(S_, G_, &m), ERROR_NOT_FOUND,
               "busy MFE must still expire");
  FX_EXPECT_NONE();
}

Test(mfe, expires_at_900_s_without_refresh_and_is_rebuilt) {
  struct libmgm_sim_result r;
  struct fx_mfe m;
  DWORD entries = 99, slots = 0;

  setup_44();
  fx_veto(1, 3);
  fx_inject(1, S_, G_);
  fx_log_clear();
  FX_ASSERT_OIFS(S_, G_, 2, 4);
  fx_advance_ms(300000);
  r = fx_inject(1, S_, G_);
  cr_assert_eq(r.n_out, 2u);
  fx_advance_ms(300000);
  r = fx_inject(1, S_, G_);
  cr_assert_eq(r.n_out, 2u);
  fx_advance_ms(299000);
  cr_assert_eq(fx_mfe_get(S_, G_, &m), NO_ERROR);
  cr_assert_eq(m.m.ulUpTime, 899u, "ulUpTime %u", (unsigned)m.m.ulUpTime);
  cr_assert_eq(m.m.ulExpiryTime, 1u, "ulExpiryTime %u",
               (unsigned)m.m.ulExpiryTime);
  cr_assert_eq(m.m.ulTimeOut, 900u);
  fx_advance_ms(999);
  cr_assert_eq(fx_mfe_get(S_, G_, &m), NO_ERROR, "expired early");
  fx_advance_ms(1);
  cr_assert_eq(fx_mfe_get(S_, G_, &m), ERROR_NOT_FOUND,
               "D-NOREFRESH: still present at 900 s");
  FX_EXPECT_NONE();
  cr_assert_eq(libmgm_sim_kernel_count(&entries, &slots), NO_ERROR);
  cr_assert_eq(entries, 0u, "kernel holds %u entries", (unsigned)entries);
  /* Rebuilt by the next packet, with RPF and creation alerts again; the
   * earlier veto is forgotten. */
  fx_veto_clear(1);
  r = fx_inject(1, S_, G_);
  cr_assert_eq(r.n_out, 3u);
  FX_EXPECT(EV_RPF(0, S_, G_, 1, 0, U_),
            EV_CREATE(1, S_, G_, 1, 0, 2, IFE(2, 0, FALSE), IFE(3, 0, FALSE)),
            EV_CREATE(2, S_, G_, 1, 0, 1, IFE(4, 0, TRUE)));
  FX_ASSERT_OIFS(S_, G_, 2, 3, 4);
  cr_assert_eq(fx_mfe_get(S_, G_, &m), NO_ERROR);
  cr_assert_eq(m.m.ulUpTime, 0u);
}

Test(mfe, negative_transition_rearms_timer) {
  struct fx_mfe m;

  setup_44();
  fx_inject(1, S_, G_);
  fx_log_clear();
  fx_advance_ms(100000);
  fx_prune_timeout(0, 50);
  fx_del(1, 0, G_, 2);
  FX_EXPECT_NONE();
  fx_del(1, 0, G_, 3);
  FX_EXPECT(EV_PRUNE(2, 0, 0, G_, FX_ALL, 3, 0, TRUE));
  FX_ASSERT_OIFS(S_, G_, 4);
  fx_del(2, 0, G_, 4);
  FX_EXPECT(EV_PRUNE(0, 0, 0, G_, FX_ALL, 4, 0, TRUE),
            EV_PRUNE(1, 0, 0, G_, FX_ALL, 4, 0, TRUE),
            EV_PRUNE(3, 0, 0, G_, FX_ALL, 4, 0, TRUE),
            EV_PRUNE(0, S_, FX_ALL, G_, FX_ALL, 4, 0, FALSE));
  cr_assert_eq(fx_mfe_get(S_, G_, &m), NO_ERROR);
  cr_assert_eq(m.m.ulNumOutIf, 0u);
  cr_assert_eq(m.m.ulTimeOut, 50u, "D-REARM: ulTimeOut %u",
               (unsigned)m.m.ulTimeOut);
  cr_assert_eq(m.m.ulExpiryTime, 50u, "ulExpiryTime %u",
               (unsigned)m.m.ulExpiryTime);
  cr_assert_eq(m.m.ulUpTime, 100u, "ulUpTime %u", (unsigned)m.m.ulUpTime);
  FX_ASSERT_KERNEL_CONSISTENT();
  fx_advance_ms(49999);
  cr_assert_eq(fx_mfe_get(S_, G_, &m), NO_ERROR, "expired early");
  fx_advance_ms(1);
  cr_assert_eq(fx_mfe_get(S_, G_, &m), ERROR_NOT_FOUND, "not re-armed");
}

Test(mfe, membership_add_updates_mfe_without_creation_alert) {
  DWORD G2 = IP(224, 9, 9, 12);
  struct libmgm_sim_result r;

  setup_44();
  fx_take(1, 6, 0);
  fx_inject(1, S_, G_);
  fx_inject(1, S_, G2); /* only P's (*,*) matches -> iif -> negative */
  fx_log_clear();
  FX_ASSERT_OIFS(S_, G2);
  /* (*,G) by Q on a new interface: Clients(*,G) unchanged -> no alerts,
   * no creation alert (D-NOCREATE-ON-UPDATE); MFE of G2 unaffected. */
  fx_add(1, 0, G_, 6);
  FX_EXPECT_NONE();
  FX_ASSERT_OIFS(S_, G_, 2, 3, 4, 6);
  FX_ASSERT_OIFS(S_, G2);
  /* (*,*) by Q: Clients(*,*) {P} -> {P,Q}, so only P's Others goes from
   * empty to non-empty; it covers every MFE: G2 gains I(2), join alert
   * FALSE to P. */
  fx_add(1, 0, 0, 2);
  FX_EXPECT(EV_JOIN(0, 0, 0, 0, 0, TRUE),
            EV_JOIN(0, S_, FX_ALL, G2, FX_ALL, FALSE));
  FX_ASSERT_OIFS(S_, G2, 2);
  FX_ASSERT_OIFS(S_, G_, 2, 3, 4, 6);
  /* (S,G) on the iif is never an output. */
  fx_add(0, S_, G_, 1);
  FX_ASSERT_OIFS(S_, G_, 2, 3, 4, 6);
  r = fx_inject(1, S_, G2);
  cr_assert_eq(r.n_out, 1u);
  FX_ASSERT_KERNEL_CONSISTENT();
}

Test(mfe, take_and_release_of_iif_delete_mfes) {
  struct fx_mfe m;
  DWORD entries = 99, slots = 0;

  /* Slots P 0, Q 1, IGMP 2, R 3 (setup_44), S routed via I(4) (IGMP). */
  setup_44();
  cr_assert_eq(libmgm_sim_route_del(NET, MASK24), NO_ERROR);
  fx_route(NET, MASK24, 4, U_, PROTO_IP_OSPF);
  fx_inject(4, S_, G_);
  FX_EXPECT(EV_RPF(2, S_, G_, 4, 0, U_),
            EV_CREATE(0, S_, G_, 4, 0, 1, IFE(1, 0, FALSE)),
            EV_CREATE(1, S_, G_, 4, 0, 2, IFE(2, 0, FALSE), IFE(3, 0, FALSE)));
  cr_assert_eq(fx_mfe_get(S_, G_, &m), NO_ERROR);
  cr_assert_eq(m.m.dwInIfProtocol, (DWORD)PROTO_IP_IGMP);
  /* R takes I(4): D-OWN-MFE deletes the MFE (no callback for it). */
  fx_take(3, 4, 0);
  FX_EXPECT(EV_DISABLE(2, 4, 0), EV_PRUNE(1, 0, 0, G_, FX_ALL, 4, 0, TRUE),
            EV_ENABLE(2, 4, 0));
  cr_assert_eq(fx_mfe_get(S_, G_, &m), ERROR_NOT_FOUND, "MFE survived take");
  cr_assert_eq(libmgm_sim_kernel_count(&entries, &slots), NO_ERROR);
  cr_assert_eq(entries, 0u, "kernel holds %u entries", (unsigned)entries);
  /* The next packet asks the new owner. */
  fx_inject(4, S_, G_);
  FX_EXPECT(EV_RPF(3, S_, G_, 4, 0, U_),
            EV_CREATE(0, S_, G_, 4, 0, 1, IFE(1, 0, FALSE)),
            EV_CREATE(1, S_, G_, 4, 0, 2, IFE(2, 0, FALSE), IFE(3, 0, FALSE)));
  cr_assert_eq(fx_mfe_get(S_, G_, &m), NO_ERROR);
  cr_assert_eq(m.m.dwInIfProtocol, PID_R);
  /* Release of the iif deletes it too. */
  cr_assert_eq(fx_release(3, 4, 0), NO_ERROR);
  FX_EXPECT(EV_DISABLE(2, 4, 0), EV_ENABLE(2, 4, 0));
  cr_assert_eq(fx_mfe_get(S_, G_, &m), ERROR_NOT_FOUND, "MFE survived release");
  FX_ASSERT_KERNEL_CONSISTENT();
}

Test(mfe, set_mfe_changes_only_upstream) {
  DWORD N = IP(10, 1, 0, 77), rc;
  MIB_IPMCAST_MFE req;
  struct fx_mfe before, after;
  HANDLE stale;

  setup_44();
  fx_inject(1, S_, G_);
  fx_advance_ms(10000);
  fx_log_clear();
  cr_assert_eq(fx_mfe_get(S_, G_, &before), NO_ERROR);
  memset(&req, 0, sizeof req);
  req.dwGroup = G_;
  req.dwSource = S_;
  req.dwUpStrmNgbr = N;
  req.dwInIfIndex = 77; /* ignored */
  req.ulTimeOut = 5;    /* ignored */
  req.ulNumOutIf = 0;   /* ignored */
  /* Any registered client may call it (Q is not the iif owner). */
  rc = MgmSetMfe(fx_h(1), &req);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  FX_EXPECT_NONE();
  cr_assert_eq(fx_mfe_get(S_, G_, &after), NO_ERROR);
  cr_assert_eq(after.m.dwUpStrmNgbr, N);
  after.m.dwUpStrmNgbr = before.m.dwUpStrmNgbr;
  cr_assert(memcmp(&before, &after, sizeof before) == 0,
            "MgmSetMfe changed more than the upstream neighbour");
  cr_assert_eq(after.m.ulExpiryTime, 890u, "timer touched: %u",
               (unsigned)after.m.ulExpiryTime);
  /* Errors. */
  req.dwGroup = IP(224, 9, 9, 99);
  rc = MgmSetMfe(fx_h(1), &req);
  cr_assert_eq(rc, ERROR_NOT_FOUND, "missing MFE: %u", (unsigned)rc);
  req.dwGroup = G_;
  rc = MgmSetMfe(fx_h(1), NULL);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "NULL: %u", (unsigned)rc);
  rc = MgmSetMfe((HANDLE)(uintptr_t)0x1234, &req);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "garbage handle: %u", (unsigned)rc);
  fx_register(4, PID_X, 1);
  stale = fx_h(4);
  cr_assert_eq(fx_deregister(4), NO_ERROR);
  req.dwUpStrmNgbr = IP(1, 2, 3, 4);
  rc = MgmSetMfe(stale, &req);
  cr_assert_eq(rc, ERROR_INVALID_PARAMETER, "stale handle: %u", (unsigned)rc);
  cr_assert_eq(fx_mfe_get(S_, G_, &after), NO_ERROR);
  cr_assert_eq(after.m.dwUpStrmNgbr, N, "failed call changed the MFE");
  FX_EXPECT_NONE();
}

Test(mfe, stats_report_hundredths_and_layout) {
  union {
    MIB_IPMCAST_MFE_STATS s;
    unsigned char b[SIZEOF_MIB_MFE_STATS(4)];
  } st;
  MIB_IPMCAST_MFE key;
  DWORD size, rc, i;
  static const DWORD out[] = {2, 3, 4};

  setup_44();
  fx_inject(1, S_, G_);
  fx_inject(1, S_, G_);
  fx_inject(2, S_, G_); /* wrong interface */
  fx_advance_ms(10000);
  memset(&key, 0, sizeof key);
  key.dwGroup = G_;
  key.dwSource = S_;
  size = (DWORD)sizeof st;
  rc = MgmGetMfeStats(&key, &size, st.b, MGM_MFE_STATS_0);
  cr_assert_eq(rc, NO_ERROR, "got %u", (unsigned)rc);
  cr_assert_eq(size, (DWORD)sizeof st, "size changed on success");
  cr_assert_eq(st.s.dwGroup, G_);
  cr_assert_eq(st.s.dwSource, S_);
  cr_assert_eq(st.s.dwInIfIndex, 1u);
  cr_assert_eq(st.s.ulNumOutIf, 3u);
  /* D-UNITS: hundredths of a second in the stats records. */
  cr_assert_eq(st.s.ulUpTime, 1000u, "ulUpTime %u", (unsigned)st.s.ulUpTime);
  cr_assert_eq(st.s.ulExpiryTime, 89000u, "ulExpiryTime %u",
               (unsigned)st.s.ulExpiryTime);
  /* ulInPkts counts the packets that matched on the incoming interface;
   * the one from the wrong interface counts in ulPktsDifferentIf only. */
  cr_assert_eq(st.s.ulInPkts, 2u, "ulInPkts %u", (unsigned)st.s.ulInPkts);
  cr_assert_eq(st.s.ulInOctets, 200u, "ulInOctets %u",
               (unsigned)st.s.ulInOctets);
  cr_assert_eq(st.s.ulPktsDifferentIf, 1u, "ulPktsDifferentIf %u",
               (unsigned)st.s.ulPktsDifferentIf);
  for (i = 0; i < 3; i++) {
    MIB_IPMCAST_OIF_STATS o;

    /* Read past the ANY_SIZE declaration through the bytes. */
    memcpy(&o, st.b + SIZEOF_MIB_MFE_STATS(i), sizeof o);
    cr_assert_eq(o.dwOutIfIndex, out[i]);
    cr_assert_eq(o.dwNextHopAddr, 0u);
    cr_assert_eq(o.dwDialContext, 0u);
  }
}

/* D-WRONGIF enabled: a packet on another interface than the MFE's iif
 * gives a wrong-if alert to the owner of the arrival interface, at most
 * once per second per (S,G,interface) (the sim kernel itself reports at
 * most every 3 s). */
Test(mfe_wrongif, wrong_interface_alert_to_arrival_owner) {
  struct libmgm_sim_result r;
  struct fx_ev e;

  setup_44();
  fx_inject(1, S_, G_);
  fx_log_clear();
  r = fx_inject(3, S_, G_);
  cr_assert_eq(r.n_out, 0u);
  e = fx_log_at(0);
  FX_EXPECT(EV_WRONGIF(1, S_, G_, 3, 0));
  cr_assert(e.hdr_size >= 20 && e.hdr_nonnull, "header %u bytes",
            (unsigned)e.hdr_size);
  fx_inject(3, S_, G_);
  FX_EXPECT_NONE();
  fx_advance_ms(3000);
  fx_inject(3, S_, G_);
  FX_EXPECT(EV_WRONGIF(1, S_, G_, 3, 0));
  /* Packets on the right interface never alert. */
  fx_inject(1, S_, G_);
  FX_EXPECT_NONE();
}

Test(mfe, no_wrong_interface_alert_by_default) {
  setup_44();
  fx_inject(1, S_, G_);
  fx_log_clear();
  fx_inject(3, S_, G_);
  fx_advance_ms(5000);
  fx_inject(3, S_, G_);
  FX_EXPECT_NONE();
}

/* The same rate limit, away from the clock's origin. */
Test(mfe_wrongif, wrong_interface_alert_rate_limit_later) {
  setup_44();
  fx_advance_ms(10000);
  fx_inject(1, S_, G_);
  fx_log_clear();
  fx_inject(3, S_, G_);
  FX_EXPECT(EV_WRONGIF(1, S_, G_, 3, 0));
  fx_inject(3, S_, G_);
  FX_EXPECT_NONE();
}

/* An outgoing interface that vanishes leaves every MFE, in MGM's tables as
 * in the forwarder, and new flows do not list it; when it comes back under
 * the same index its memberships put it back in every MFE. */
Test(mfe, vanished_oif_leaves_every_mfe_until_it_is_back) {
  const DWORD s2 = IP(10, 1, 1, 6);
  const DWORD without[] = {2, 4}, with[] = {2, 3, 4};
  struct libmgm_sim_result r;

  setup_44();
  cr_assert_eq(libmgm_sim_if_add(3, "q3", IP(10, 3, 0, 1), 24), NO_ERROR);
  fx_inject(1, S_, G_);
  FX_ASSERT_OIFS(S_, G_, 2, 3, 4);
  cr_assert_eq(libmgm_sim_if_del(3), NO_ERROR);
  FX_ASSERT_OIFS(S_, G_, 2, 4);
  r = fx_inject(1, S_, G_);
  expect_out(&r, 2, without);
  r = fx_inject(1, s2, G_);
  expect_out(&r, 2, without);
  FX_ASSERT_OIFS(s2, G_, 2, 4);
  /* A membership added meanwhile, even one that asks to forward at once,
   * does not put it back while it is gone. */
  cr_assert_eq(
      fx_add_rc(1, S_, G_, 3, 0, MGM_JOIN_STATE_FLAG | MGM_FORWARD_STATE_FLAG),
      NO_ERROR);
  FX_ASSERT_OIFS(S_, G_, 2, 4);
  FX_ASSERT_KERNEL_CONSISTENT();
  cr_assert_eq(libmgm_sim_if_add(3, "q3", IP(10, 3, 0, 1), 24), NO_ERROR);
  FX_ASSERT_OIFS(S_, G_, 2, 3, 4);
  FX_ASSERT_OIFS(s2, G_, 2, 3, 4);
  r = fx_inject(1, S_, G_);
  expect_out(&r, 3, with);
  FX_ASSERT_KERNEL_CONSISTENT();
}

/* The last outgoing interface vanishing prunes the MFE like a release:
 * the incoming interface's owner hears of it. */
Test(mfe, vanished_last_oif_prunes_the_mfe) {
  struct fx_mfe all[2];

  fx_register(0, PID_P, 1);
  fx_register(1, PID_Q, 1);
  fx_take(0, 1, 0);
  fx_take(1, 2, 0);
  fx_add(1, 0, G_, 2);
  fx_route(NET, MASK24, 1, U_, PROTO_IP_OSPF);
  cr_assert_eq(libmgm_sim_if_add(2, "q2", 0, 0), NO_ERROR);
  fx_inject(1, S_, G_);
  FX_ASSERT_OIFS(S_, G_, 2);
  fx_log_clear();
  cr_assert_eq(libmgm_sim_if_del(2), NO_ERROR);
  cr_assert_eq(fx_mfe_all(all, 2), 1u);
  cr_assert_eq(all[0].m.ulNumOutIf, 0u, "%u outgoing interfaces",
               (unsigned)all[0].m.ulNumOutIf);
  FX_EXPECT(EV_PRUNE_T(FX_T_LOOP, 0, S_, FX_ALL, G_, FX_ALL, 2, 0, FALSE));
  FX_ASSERT_KERNEL_CONSISTENT();
}
