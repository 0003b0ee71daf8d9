/*
 * test_mfctab.c - the BSD backend's shadow MFC table
 * (src/platform/bsd/mfctab.c): create, replace, delete, snapshots, growth.
 *
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>

#include <stdlib.h>

#include "fixture.h"
#include "platform/bsd/mfctab.h"

static struct mgm_bsd_mfctab t;

static void setup(void) {
  mgm__bsd_mfctab_init(&t);
}

static void teardown(void) {
  mgm__bsd_mfctab_fini(&t);
}

TestSuite(mfctab, .init = setup, .fini = teardown);

static struct mgm_fwd fwd(uint32_t s, uint32_t g, uint32_t iif,
                          const struct mgm_oif *oif, uint16_t n) {
  struct mgm_fwd f;

  memset(&f, 0, sizeof(f));
  f.key.source = s;
  f.key.group = g;
  f.iif = iif;
  f.oif = oif;
  f.n_oif = n;
  return f;
}

Test(mfctab, empty_table) {
  struct mgm_mfe_key k;

  cr_assert_null(mgm__bsd_mfctab_find(&t, 1, 2));
  cr_assert_eq(mgm__bsd_mfctab_del(&t, 1, 2), MGM_BE_ENOENT);
  cr_assert_eq(mgm__bsd_mfctab_keys(&t, &k, 1), 0);
}

Test(mfctab, put_find_replace_delete) {
  struct mgm_oif o[2] = {{.ifindex = 4, .ttl_threshold = 0},
                         {.ifindex = 5, .ttl_threshold = 16}};
  struct mgm_fwd f = fwd(fx_ip(10, 0, 0, 1), fx_ip(239, 1, 1, 1), 3, o, 2);
  struct mgm_bsd_mfc *m;

  cr_assert_eq(mgm__bsd_mfctab_put(&t, &f), 0);
  m = mgm__bsd_mfctab_find(&t, f.key.source, f.key.group);
  cr_assert_not_null(m);
  cr_assert_eq(m->iif, 3);
  cr_assert_eq(m->n_oif, 2);
  cr_assert_eq(m->oif[0].ttl, 1, "threshold 0 means 1");
  cr_assert_eq(m->oif[1].ttl, 16);
  cr_assert(mgm__bsd_mfc_has_oif(m, 5));
  cr_assert_not(mgm__bsd_mfc_has_oif(m, 3));

  f = fwd(f.key.source, f.key.group, 6, NULL, 0); /* negative entry */
  cr_assert_eq(mgm__bsd_mfctab_put(&t, &f), 0);
  cr_assert_eq(t.count, 1);
  m = mgm__bsd_mfctab_find(&t, f.key.source, f.key.group);
  cr_assert_eq(m->iif, 6);
  cr_assert_eq(m->n_oif, 0);

  cr_assert_eq(mgm__bsd_mfctab_del(&t, f.key.source, f.key.group), 0);
  cr_assert_null(mgm__bsd_mfctab_find(&t, f.key.source, f.key.group));
  cr_assert_eq(t.count, 0);
}

Test(mfctab, grows_and_snapshots_every_key) {
  struct mgm_mfe_key *keys;
  struct mgm_fwd f;
  uint32_t i, n = 5000;
  size_t got;
  uint8_t *seen;

  for (i = 0; i < n; i++) {
    f = fwd(fx_ip(10, (uint8_t)(i >> 8), (uint8_t)i, 1), fx_ip(239, 0, 0, 1), 1,
            NULL, 0);
    cr_assert_eq(mgm__bsd_mfctab_put(&t, &f), 0);
  }
  cr_assert_eq(t.count, n);
  cr_assert_geq(t.nbucket, n);
  keys = calloc(n, sizeof(*keys));
  seen = calloc(n, 1);
  got = mgm__bsd_mfctab_keys(&t, keys, n);
  cr_assert_eq(got, n);
  for (i = 0; i < n; i++) {
    const uint8_t *b = (const uint8_t *)&keys[i].source;
    uint32_t idx = (uint32_t)b[1] << 8 | b[2];

    cr_assert_lt(idx, n);
    cr_assert_not(seen[idx], "key %u twice", idx);
    seen[idx] = 1;
  }
  cr_assert_eq(mgm__bsd_mfctab_keys(&t, keys, 10), n, "count beyond cap");
  for (i = 0; i < n; i += 2)
    cr_assert_eq(mgm__bsd_mfctab_del(&t, keys[i].source, keys[i].group), 0);
  cr_assert_eq(t.count, n / 2);
  for (i = 1; i < n; i += 2)
    cr_assert_not_null(mgm__bsd_mfctab_find(&t, keys[i].source, keys[i].group));
  free(seen);
  free(keys);
}

Test(mfctab, same_group_different_sources_are_distinct) {
  struct mgm_fwd a = fwd(fx_ip(10, 0, 0, 1), fx_ip(239, 9, 9, 9), 1, NULL, 0);
  struct mgm_fwd b = fwd(fx_ip(10, 0, 0, 2), fx_ip(239, 9, 9, 9), 2, NULL, 0);

  cr_assert_eq(mgm__bsd_mfctab_put(&t, &a), 0);
  cr_assert_eq(mgm__bsd_mfctab_put(&t, &b), 0);
  cr_assert_eq(t.count, 2);
  cr_assert_eq(mgm__bsd_mfctab_find(&t, a.key.source, a.key.group)->iif, 1);
  cr_assert_eq(mgm__bsd_mfctab_find(&t, b.key.source, b.key.group)->iif, 2);
}
