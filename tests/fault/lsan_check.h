/* SPDX-License-Identifier: MIT */
/*
 * lsan_check.h - fl_leak_check(): under AddressSanitizer, assert that
 * LeakSanitizer finds no leak now (a no-op in other builds).  Include it
 * after the assertion macros (Criterion or the stand-in runner).
 */
#ifndef LIBMGM_TEST_LSAN_CHECK_H
#define LIBMGM_TEST_LSAN_CHECK_H

#if defined(__SANITIZE_ADDRESS__)
#define FL_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FL_LSAN 1
#endif
#endif
#ifdef FL_LSAN
#include <sanitizer/lsan_interface.h>
#endif

static inline void fl_leak_check(void) {
#ifdef FL_LSAN
  cr_assert_eq(__lsan_do_recoverable_leak_check(), 0,
               "LeakSanitizer found leaks (listed above)");
#endif
}

#endif
