/*
 * test_api.c - the IGMP component's API contract (igmp.h): configuration
 * validation, registration (one component id once), interface add/delete
 * errors, introspection order and errors, and a destroy that releases the
 * interfaces and deregisters from MGM.
 *
 * SPDX-License-Identifier: MIT
 */
#include "igfx_cr.h"

#include "igfx.h"

#define H1 ip4(10, 0, 2, 100)

static void setup(void) {
  igfx_start(NULL);
}

TestSuite(api, .init = setup, .fini = igfx_stop);

Test(api, create_validates_the_configuration) {
  struct mgm_igmp_config c;
  struct mgm_igmp *x = NULL;

  igfx_config(&c);
  c.version = 4;
  cr_assert_eq(mgm_igmp_create(&c, 7, &x), ERROR_INVALID_PARAMETER);
  igfx_config(&c);
  c.robustness = 0;
  cr_assert_eq(mgm_igmp_create(&c, 7, &x), ERROR_INVALID_PARAMETER);
  igfx_config(&c);
  c.query_response_ms = 125000; /* not below the query interval */
  cr_assert_eq(mgm_igmp_create(&c, 7, &x), ERROR_INVALID_PARAMETER);
  igfx_config(&c);
  c.protocol_id = PROTO_IP_RIP;
  cr_assert_eq(mgm_igmp_create(&c, 7, &x), ERROR_INVALID_PARAMETER);
  cr_assert_eq(mgm_igmp_create(NULL, 7, &x), ERROR_INVALID_PARAMETER);
  igfx_config(&c);
  cr_assert_eq(mgm_igmp_create(&c, 7, NULL), ERROR_INVALID_PARAMETER);
  cr_assert_null(x);
}

Test(api, one_registration_per_component_id) {
  struct mgm_igmp_config c;
  struct mgm_igmp *x = NULL;

  igfx_config(&c);
  cr_assert_eq(mgm_igmp_create(&c, 1, &x), ERROR_ALREADY_EXISTS);
  cr_assert_eq(mgm_igmp_create(&c, 2, &x), NO_ERROR);
  cr_assert_not_null(x);
  /* both are IGMP co-owners; one per interface */
  cr_assert_eq(mgm_igmp_add_interface(x, 3, ip4(10, 0, 3, 5),
                                      MGM_IGMP_ROLE_DOWNSTREAM, T),
               NO_ERROR);
  cr_assert_eq(mgm_igmp_add_interface(ig, 3, ip4(10, 0, 3, 5),
                                      MGM_IGMP_ROLE_DOWNSTREAM, T),
               ERROR_ALREADY_EXISTS);
  mgm_igmp_destroy(x);
}

Test(api, interface_errors) {
  igfx_add(2, MGM_IGMP_ROLE_DOWNSTREAM);
  cr_assert_eq(mgm_igmp_add_interface(ig, 2, ip4(10, 0, 2, 5),
                                      MGM_IGMP_ROLE_DOWNSTREAM, T),
               ERROR_ALREADY_EXISTS);
  cr_assert_eq(mgm_igmp_add_interface(ig, 0, 0, MGM_IGMP_ROLE_DOWNSTREAM, T),
               ERROR_INVALID_PARAMETER);
  cr_assert_eq(mgm_igmp_add_interface(ig, 3, 0, 9, T), ERROR_INVALID_PARAMETER);
  cr_assert_eq(mgm_igmp_add_interface(ig, 3, 0, MGM_IGMP_ROLE_UPSTREAM, T),
               ERROR_INVALID_PARAMETER, "no proxy_upstream configured");
  cr_assert_eq(mgm_igmp_del_interface(ig, 3, T), ERROR_NOT_FOUND);
  cr_assert_eq(mgm_igmp_del_interface(ig, 2, T), NO_ERROR);
  cr_assert_eq(mgm_igmp_del_interface(ig, 2, T), ERROR_NOT_FOUND);
}

Test(api, deleting_an_interface_removes_its_memberships) {
  igfx_add(2, MGM_IGMP_ROLE_DOWNSTREAM);
  igfx_v2_report(2, H1, ip4(239, 1, 1, 1));
  cr_assert_eq(igfx_members(PROTO_IP_IGMP), 1);
  cr_assert_eq(mgm_igmp_del_interface(ig, 2, T), NO_ERROR);
  cr_assert_eq(igfx_members(PROTO_IP_IGMP), 0);
}

Test(api, introspection_walks_in_order) {
  struct mgm_igmp_if_info ii;
  struct mgm_igmp_group_info gi;
  DWORD after = 0, seen[4];
  int n = 0;

  igfx_add(3, MGM_IGMP_ROLE_DOWNSTREAM);
  igfx_add(2, MGM_IGMP_ROLE_DOWNSTREAM);
  cr_assert_eq(mgm_igmp_if_next(ig, 0, &ii), NO_ERROR);
  cr_assert_eq(ii.ifindex, 2);
  cr_assert_eq(ii.addr, ip4(10, 0, 2, 5));
  cr_assert(ii.querier);
  cr_assert_eq(mgm_igmp_if_next(ig, 2, &ii), NO_ERROR);
  cr_assert_eq(ii.ifindex, 3);
  cr_assert_eq(mgm_igmp_if_next(ig, 3, &ii), ERROR_NO_MORE_ITEMS);
  igfx_v2_report(2, H1, ip4(239, 9, 0, 1));
  igfx_v2_report(2, H1, ip4(225, 0, 0, 1));
  igfx_v2_report(2, H1, ip4(239, 1, 0, 1));
  while (n < 4 && mgm_igmp_group_next(ig, 2, after, &gi, NULL, 0) == NO_ERROR) {
    seen[n++] = gi.group;
    after = gi.group;
  }
  cr_assert_eq(n, 3);
  cr_assert_eq(seen[0], ip4(225, 0, 0, 1));
  cr_assert_eq(seen[1], ip4(239, 1, 0, 1));
  cr_assert_eq(seen[2], ip4(239, 9, 0, 1));
  cr_assert_eq(gi.last_reporter, H1);
  cr_assert(gi.star_in_mgm);
  cr_assert_eq(mgm_igmp_group_next(ig, 4, 0, &gi, NULL, 0), ERROR_NOT_FOUND);
  cr_assert_eq(mgm_igmp_group_next(ig, 2, 0, NULL, NULL, 0),
               ERROR_INVALID_PARAMETER);
}

Test(api, counters_errors) {
  struct mgm_igmp_counters c;

  cr_assert_eq(mgm_igmp_get_counters(ig, 9, &c), ERROR_NOT_FOUND);
  cr_assert_eq(mgm_igmp_get_counters(ig, 0, NULL), ERROR_INVALID_PARAMETER);
  cr_assert_eq(mgm_igmp_get_counters(NULL, 0, &c), ERROR_INVALID_PARAMETER);
}

Test(api, destroy_releases_and_deregisters) {
  DWORD pid = 0, cid = 0;
  struct mgm_igmp *x = NULL;
  struct mgm_igmp_config c;

  igfx_add(2, MGM_IGMP_ROLE_DOWNSTREAM);
  cr_assert_eq(MgmGetProtocolOnInterface(2, 0, &pid, &cid), NO_ERROR);
  cr_assert_eq(pid, PROTO_IP_IGMP);
  libmgm_set_ctrl_hook(NULL, NULL);
  mgm_igmp_destroy(ig);
  ig = NULL;
  cr_assert_eq(MgmGetProtocolOnInterface(2, 0, &pid, &cid), ERROR_NOT_FOUND);
  igfx_config(&c);
  cr_assert_eq(mgm_igmp_create(&c, 1, &x), NO_ERROR, "still registered");
  mgm_igmp_destroy(x);
}
