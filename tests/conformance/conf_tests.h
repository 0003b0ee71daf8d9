/*
 * conf_tests.h - the list of conformance test functions (defined in
 * register.c, ownership.c, membership.c, mfe.c, enum.c, extension.c; run
 * by main.c).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LIBMGM_CONFORMANCE_CONF_TESTS_H
#define LIBMGM_CONFORMANCE_CONF_TESTS_H

void test_register_codes(void);
void test_register_deregister_while_owning(void);
void test_register_stop_while_registered(void);

void test_ownership_take_release(void);
void test_ownership_igmp_coowner(void);
void test_ownership_change_sequence(void);
void test_ownership_igmp_release_local_leave(void);

void test_membership_wildcard_alerts(void);
void test_membership_source_specific_alerts(void);
void test_membership_idempotent_and_shapes(void);
void test_membership_local_join_leave(void);

void test_mfe_creation(void);
void test_mfe_negative_and_expiry(void);

void test_enum_empty_mfe_table(void);
void test_enum_mfe_buffer_protocol(void);
void test_enum_groups(void);

void test_extension_two_linked_routers(void);
void test_extension_host_loop_without_libuv(void);

#endif /* LIBMGM_CONFORMANCE_CONF_TESTS_H */
