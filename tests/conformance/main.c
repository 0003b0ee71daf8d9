/*
 * main.c - runner of libmgm's portable conformance suite.
 *
 * SPDX-License-Identifier: MIT
 *
 * Runs every test of conf_tests.h in order and prints the harness summary
 * ("N passed, M failed, K skipped"); the exit status is non-zero when a
 * check failed.  Builds unchanged for Linux/BSD (linked with libmgm) and
 * with mingw-w64 for Windows (run under Wine beside libmgm's rtm.dll, or on
 * a real Windows router, where libmgm's extension API is absent and the
 * sim-dependent tests win_skip).  An optional argument runs only the tests
 * whose name contains it.
 */
#include <windows.h>
#include <iprtrmib.h>
#include <mgm.h>

#include "conf_sim.h"
#include "conf_tests.h"
#include "harness.h"

#include <stdio.h>
#include <string.h>

struct conf_test {
  const char *name;
  void (*fn)(void);
};

#define T(name)                                                                \
  { #name, test_##name }

static const struct conf_test conf_all[] = {
    T(register_codes),
    T(register_deregister_while_owning),
    T(register_stop_while_registered),
    T(ownership_take_release),
    T(ownership_igmp_coowner),
    T(ownership_change_sequence),
    T(ownership_igmp_release_local_leave),
    T(membership_wildcard_alerts),
    T(membership_source_specific_alerts),
    T(membership_idempotent_and_shapes),
    T(membership_local_join_leave),
    T(mfe_creation),
    T(mfe_negative_and_expiry),
    T(enum_empty_mfe_table),
    T(enum_mfe_buffer_protocol),
    T(enum_groups),
    T(extension_two_linked_routers),
    T(extension_host_loop_without_libuv),
};

int main(int argc, char **argv) {
  size_t i;
  int present;

  present = conf_sim_init();
  harness_set_libmgm(present);
  printf("libmgm extension API %s\n", present ? "present" : "absent");
  for (i = 0; i < sizeof conf_all / sizeof conf_all[0]; i++)
    if (argc < 2 || strstr(conf_all[i].name, argv[1]) != NULL)
      harness_run(conf_all[i].name, conf_all[i].fn);
  return harness_summary();
}
