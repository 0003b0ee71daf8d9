/*
 * igfx_cr.h - Criterion for the IGMP component's tests, or the unit
 * suite's stand-in under ThreadSanitizer.
 *
 * SPDX-License-Identifier: MIT
 *
 * Criterion's runner cannot start under ThreadSanitizer, so (like
 * tests/unit) a TSan build defines FX_STANDALONE and uses
 * tests/unit/fx_criterion.h with tests/unit/fx_runner.c.  This header adds
 * the few assertion forms the IGMP tests use on top of that stand-in.
 */
#ifndef IGFX_CR_H
#define IGFX_CR_H

#ifndef FX_STANDALONE
#include <criterion/criterion.h>
#else
#include "fx_criterion.h"

#define cr_assert_not(cond, ...) cr_assert(!(cond), __VA_ARGS__)
#define cr_assert_lt(a, b, ...) cr_assert((a) < (b), __VA_ARGS__)
#define cr_assert_gt(a, b, ...) cr_assert((a) > (b), __VA_ARGS__)
#define cr_assert_leq(a, b, ...) cr_assert((a) <= (b), __VA_ARGS__)
#endif

#endif /* IGFX_CR_H */
