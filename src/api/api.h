/*
 * api.h - helpers shared by the exported functions in src/api.
 *
 * SPDX-License-Identifier: MIT
 *
 * Pattern of every export (Wine's): TRACE the arguments, check pointers,
 * enter the current instance (auto-starting the default one), hand off to
 * the core, leave.  The core does the handle and state checks under its
 * lock, in the order of mgm-spec G-2.  The Mgm* exports enter with
 * MGM_ENTER_API, which adds the re-entry check of mgm-spec G-4.
 */
#ifndef MGM_API_H
#define MGM_API_H

#include "core/core.h"

#if defined(_WIN32)
#define MGM_EXPORT __declspec(dllexport)
#else
#define MGM_EXPORT __attribute__((visibility("default")))
#endif

/* Enter the instance or return its code; `c` is declared by the caller. */
#define MGM_ENTER(c)                                                           \
  do {                                                                         \
    DWORD enter_rc_ = mgm__core_enter(&(c));                                   \
    if (enter_rc_ != NO_ERROR)                                                 \
      return enter_rc_;                                                        \
  } while (0)

/* MGM_ENTER for the Mgm* export `api` (enum mgm_api): inside a callback
 * on this thread the call passes the re-entry check first (mgm-spec G-4),
 * which may refuse it. */
#define MGM_ENTER_API(c, api)                                                  \
  do {                                                                         \
    MGM_ENTER(c);                                                              \
    if (mgm__tls_cb_depth > 0) {                                               \
      DWORD reentry_rc_ = mgm__reentry_check((c), (api));                      \
      if (reentry_rc_ != NO_ERROR) {                                           \
        mgm__core_leave(c);                                                    \
        return reentry_rc_;                                                    \
      }                                                                        \
    }                                                                          \
  } while (0)

#define MGM_API_TRACE(c, ...) MGM_TRACE(c, MGM_CH_API, __VA_ARGS__)

#endif /* MGM_API_H */
