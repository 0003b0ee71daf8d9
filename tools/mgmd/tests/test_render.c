/*
 * test_render.c - mgmctl's `show igmp` table from a canned mgmd reply: a
 * proxy's upstream groups say which downstream interfaces want them (not
 * "last report from 0.0.0.0"), a non-querier shows its Other Querier
 * Present timer, the header shows the advertised query interval and the
 * SSM range, and an interface shows its SSM counter.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mgmctl.h"

static const char reply[] =
    "{\"backend\":\"sim\",\"now_ms\":1000,\"running\":true,"
    "\"available\":true,\"mode\":\"proxy\",\"version\":3,\"robustness\":2,"
    "\"query_interval_s\":300,\"query_interval_advertised_s\":304,"
    "\"ssm_range\":\"232.0.0.0/8\",\"queued_dropped\":0,\"counters\":{},"
    "\"interfaces\":["
    "{\"ifindex\":1,\"name\":\"up0\",\"address\":\"10.1.0.254\","
    "\"role\":\"upstream\",\"host_version\":3,\"mgm_disabled\":false,"
    "\"counters\":{\"rx_ssm_ignored\":0},"
    "\"groups\":[{\"group\":\"239.1.2.3\",\"mode\":\"exclude\","
    "\"compat_version\":3,\"expires_s\":null,\"last_reporter\":\"0.0.0.0\","
    "\"star_in_mgm\":false,\"sources\":[]}]},"
    "{\"ifindex\":2,\"name\":\"lan2\",\"address\":\"10.2.0.254\","
    "\"role\":\"downstream\",\"querier\":false,"
    "\"querier_address\":\"10.2.0.1\",\"next_query_s\":null,"
    "\"other_querier_expires_s\":200,\"mgm_disabled\":false,"
    "\"counters\":{\"rx_ssm_ignored\":1},"
    "\"groups\":[{\"group\":\"239.1.2.3\",\"mode\":\"exclude\","
    "\"compat_version\":2,\"expires_s\":250,\"last_reporter\":\"10.2.0.2\","
    "\"star_in_mgm\":true,\"sources\":[]}]},"
    "{\"ifindex\":3,\"name\":\"lan3\",\"address\":\"10.3.0.254\","
    "\"role\":\"downstream\",\"querier\":true,"
    "\"querier_address\":\"10.3.0.254\",\"next_query_s\":100,"
    "\"other_querier_expires_s\":null,\"mgm_disabled\":false,"
    "\"counters\":{\"rx_ssm_ignored\":0},"
    "\"groups\":[{\"group\":\"239.1.2.3\",\"mode\":\"exclude\","
    "\"compat_version\":3,\"expires_s\":250,\"last_reporter\":\"10.3.0.2\","
    "\"star_in_mgm\":true,\"sources\":[]}]}]}";

int main(void) {
  static const char *const words[] = {"show", "igmp"};
  char err[256], *text = NULL;
  size_t len = 0;
  struct jv *v = jv_parse(reply, err, sizeof(err));
  FILE *f = open_memstream(&text, &len);

  CHECK(v != NULL, "canned reply: %s", err);
  CHECK(f != NULL, "open_memstream");
  if (v != NULL && f != NULL) {
    mgmctl_render(f, words, 2, v);
    fclose(f);
    f = NULL;
    CHECK_CONTAINS(text, "query interval 300 s (advertised as 304 s), SSM "
                         "range 232.0.0.0/8\n");
    CHECK_CONTAINS(text, "  239.1.2.3        exclude v3  wanted by lan2 "
                         "lan3\n");
    CHECK(strstr(text, "last report from 0.0.0.0") == NULL,
          "an upstream group with a reporter:\n%s", text);
    CHECK_CONTAINS(text, "lan2 (10.2.0.254): non-querier, querier 10.2.0.1\n"
                         "  other querier present: 200 s left");
    CHECK_CONTAINS(text, "  1 any-source request in the SSM range ignored\n");
    CHECK(strstr(text, "lan3 (10.3.0.254): querier, querier 10.3.0.254\n"
                       "  239.1.2.3") != NULL,
          "a querier with an other-querier line:\n%s", text);
  }
  if (f != NULL)
    fclose(f);
  free(text);
  jv_free(v);
  return check_report("test_render");
}
