/*
 * iftable.c - the IGMP component's interface table: the instance's
 * interfaces sorted by ifindex, found by binary search.
 *
 * SPDX-License-Identifier: MIT
 */
#include "igmp_int.h"

size_t ig_iftable_pos(const struct mgm_igmp *ig, uint32_t ifindex, int *found) {
  size_t lo = 0, hi = ig->n_if;

  *found = 0;
  while (lo < hi && !*found) {
    size_t mid = (lo + hi) / 2;

    if (ig->ifs[mid]->ifindex == ifindex) {
      *found = 1;
      lo = mid;
    } else if (ig->ifs[mid]->ifindex < ifindex) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

struct ig_if *ig_find_if(const struct mgm_igmp *ig, uint32_t ifindex) {
  int found;
  size_t i = ig_iftable_pos(ig, ifindex, &found);

  return found ? ig->ifs[i] : NULL;
}

struct ig_if *ig_upstream(const struct mgm_igmp *ig) {
  struct ig_if *u = NULL;

  if (ig->cfg.proxy_upstream != 0)
    u = ig_find_if(ig, ig->cfg.proxy_upstream);
  return u;
}
