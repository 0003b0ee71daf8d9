/*
 * harness.h - a small Wine-shaped test harness for libmgm's portable
 * conformance suite.
 *
 * SPDX-License-Identifier: MIT
 *
 * The suite is plain C11 (no POSIX, no threads) so the same sources build
 * for Linux/BSD against libmgm and with mingw-w64 for Windows, where they
 * run under Wine with libmgm's rtm.dll or on a real Windows router.  The
 * macros follow Wine's include/wine/test.h in shape (written anew):
 *
 *   ok(cond, fmt, ...)   one check; on failure prints "file:line: Test
 *                        failed: " + message.  By convention every message
 *                        prints the value seen ("got %u").
 *   todo_libmgm ok(...)  a known libmgm gap: a failure counts as "todo",
 *                        a success as a failure ("Test succeeded inside
 *                        todo block"); inactive on real Windows.
 *   broken(cond)         accept a Windows-only oddity: cond on real
 *                        Windows, 0 on libmgm.
 *   skip(fmt, ...)       a check that cannot run here (counted skipped).
 *   win_skip(fmt, ...)   a feature missing on real Windows: skipped there,
 *                        a failure on libmgm (like Wine's win_skip).
 *   push_context / pop_context   prefix messages with a context string.
 *
 * harness_summary() prints "N passed, M failed, K skipped" alone on a line
 * and returns the process exit status (non-zero when anything failed).
 */
#ifndef LIBMGM_CONFORMANCE_HARNESS_H
#define LIBMGM_CONFORMANCE_HARNESS_H

/* Only the public headers: mgm.h and libmgm.h.  Refuse internal ones. */
#if defined(MGM_PLATFORM_H) || defined(MGM_LOOP_H) || defined(MGM_CORE_H) ||   \
    defined(MGM_API_H) || defined(MGM_BUILDING_LIBRARY)
#error "conformance tests may include only mgm.h and libmgm.h"
#endif

#include <stdarg.h>

void harness_set_location(const char *file, int line);
void harness_ok(int condition, const char *fmt, ...);
void harness_skip(const char *fmt, ...);
void harness_win_skip(const char *fmt, ...);
void harness_trace(const char *fmt, ...);
int harness_broken(int condition);
void harness_start_todo(int active);
int harness_loop_todo(void);
void harness_end_todo(void);
void harness_push_context(const char *fmt, ...);
void harness_pop_context(void);

/* 1 when running on libmgm (its extension API is present), 0 on a real
 * Windows rtm.dll.  Set once by main() from the sim shim. */
void harness_set_libmgm(int on_libmgm);
int harness_on_libmgm(void);

/* Run one named test function. */
void harness_run(const char *name, void (*fn)(void));
/* Print the summary line; returns the exit status. */
int harness_summary(void);

#define ok (harness_set_location(__FILE__, __LINE__), harness_ok)
#define skip (harness_set_location(__FILE__, __LINE__), harness_skip)
#define win_skip (harness_set_location(__FILE__, __LINE__), harness_win_skip)
#define trace (harness_set_location(__FILE__, __LINE__), harness_trace)
#define broken(cond) harness_broken(cond)
#define todo_libmgm                                                            \
  for (harness_start_todo(harness_on_libmgm()); harness_loop_todo();           \
       harness_end_todo())
#define push_context harness_push_context
#define pop_context harness_pop_context

#endif /* LIBMGM_CONFORMANCE_HARNESS_H */
