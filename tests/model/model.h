/*
 * model.h - a reference model of MGM (mgm-spec.md 2.0 state model, 2.x
 * functions, 3.x callbacks, 4.x scenarios, 5 shapes, 6 decisions) for
 * differential testing of libmgm.
 *
 * SPDX-License-Identifier: MIT
 *
 * The model takes the same calls as the Mgm* API plus the two simulated
 * forwarder events the fuzz harness drives (a packet arriving, the virtual
 * clock advancing) and produces the same observable results: return codes,
 * output parameters and buffers, and the callbacks it makes, in order,
 * through one user-supplied function.  Callback outputs (RPF values,
 * creation-alert vetoes, the prune-alert timeout) are whatever that
 * function writes back into the call record, so a deterministic client
 * policy can be shared with the real callbacks.
 *
 * Deliberately simple: flat arrays scanned linearly, no indexes, no
 * threads.  It is written from mgm-spec.md only, never from src/.
 * Handles are model-side cookies (struct model_h); the harness keeps the
 * mapping to libmgm's HANDLEs.
 */
#ifndef MGM_TEST_MODEL_H
#define MGM_TEST_MODEL_H

#include <stdint.h>

#include <windows.h>
#include <iprtrmib.h>
#include <mgm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A handle as the model sees it: kind + serial.  kind 0 is "not a handle
 * the model ever issued" (NULL, random values). */
enum model_hkind { MODEL_H_NONE = 0, MODEL_H_PROTO = 1, MODEL_H_ENUM = 2 };
struct model_h {
  int kind; /* enum model_hkind */
  int id;   /* client id or enumeration id */
};

/* Which callbacks a client registered (bit set = non-NULL pointer). */
enum model_cb_kind {
  MODEL_CB_RPF = 0,
  MODEL_CB_CREATION = 1,
  MODEL_CB_PRUNE = 2,
  MODEL_CB_JOIN = 3,
  MODEL_CB_WRONGIF = 4,
  MODEL_CB_LOCAL_JOIN = 5,
  MODEL_CB_LOCAL_LEAVE = 6,
  MODEL_CB_DISABLE_IGMP = 7,
  MODEL_CB_ENABLE_IGMP = 8,
  MODEL_CB_COUNT = 9
};
#define MODEL_CB_ALL 0x1FFu

#define MODEL_MAX_CB_IFS 64

/* One callback invocation.  Fields not used by a kind stay 0.  "in/out"
 * fields hold the value MGM passes in; the callback function may change
 * them and the model then uses the new value, exactly as MGM uses a
 * protocol's outputs. */
struct model_call {
  int kind;   /* enum model_cb_kind */
  int client; /* id of the client called (registration serial) */
  DWORD s, smask, g, gmask;
  DWORD ifx, nh; /* interface argument; creation alert: incoming if */
  BOOL flag;     /* bMemberUpdate / bMemberDelete */
  DWORD timeout; /* prune alert: *pdwTimeout, in/out */
  DWORD rpf_iif, rpf_nh, rpf_up;      /* RPF: in/out */
  DWORD route_net, route_bits;        /* RPF: DestAddress of pbRoute, in/out */
  DWORD n_if;                         /* creation alert: dwIfCount */
  MGM_IF_ENTRY ifs[MODEL_MAX_CB_IFS]; /* creation alert: list, in/out */
};

typedef void (*model_cb_fn)(void *ctx, struct model_call *call);

struct model;

/* A new MGM instance, running (libmgm_start done), clock at 0 ms, MFE
 * lifetime 900 s.  fn receives every callback. */
struct model *model_new(model_cb_fn fn, void *ctx);
void model_free(struct model *m);

/* ---- The simulated forwarder's environment ------------------------------ */

/* Unicast route for RPF (network order, mask 0 = default).  Replaces an
 * existing route with the same (network, mask). */
void model_route_set(struct model *m, DWORD net, DWORD mask, DWORD ifx,
                     DWORD upstream, DWORD proto);
void model_route_del(struct model *m, DWORD net, DWORD mask);
/* A packet of (S,G) arrives on ifindex `arr` (libmgm_sim_inject). */
void model_packet(struct model *m, DWORD arr, DWORD s, DWORD g);
/* The virtual clock advances (libmgm_sim_advance). */
void model_advance(struct model *m, DWORD ms);

/* ---- The API (arguments as in mgm.h; pointers may be NULL) --------------- */

DWORD model_register(struct model *m, int cfg_present, unsigned cbmask,
                     DWORD pid, DWORD cid, struct model_h *out);
DWORD model_deregister(struct model *m, struct model_h h);
DWORD model_take(struct model *m, struct model_h h, DWORD ifx, DWORD nh);
DWORD model_release(struct model *m, struct model_h h, DWORD ifx, DWORD nh);
DWORD model_get_protocol(struct model *m, DWORD ifx, DWORD nh, DWORD *pid,
                         DWORD *cid);
DWORD model_add(struct model *m, struct model_h h, DWORD s, DWORD sm, DWORD g,
                DWORD gm, DWORD ifx, DWORD nh, DWORD flags);
DWORD model_delete(struct model *m, struct model_h h, DWORD s, DWORD sm,
                   DWORD g, DWORD gm, DWORD ifx, DWORD nh, DWORD flags);
/* MgmGetMfe (stats = 0) and MgmGetMfeStats (stats = 1, flags). */
DWORD model_get_mfe(struct model *m, int stats, DWORD flags,
                    const MIB_IPMCAST_MFE *key, DWORD *size, BYTE *buf);
/* MgmGetFirstMfe[Stats] (next = 0) and MgmGetNextMfe[Stats] (next = 1). */
DWORD model_enum_mfe(struct model *m, int stats, DWORD flags, int next,
                     const MIB_IPMCAST_MFE *start, DWORD *size, BYTE *buf,
                     DWORD *n);
DWORD model_set_mfe(struct model *m, struct model_h h,
                    const MIB_IPMCAST_MFE *mfe);
DWORD model_enum_start(struct model *m, struct model_h h, DWORD type,
                       struct model_h *out);
DWORD model_enum_next(struct model *m, struct model_h e, DWORD *size, BYTE *buf,
                      DWORD *n);
DWORD model_enum_end(struct model *m, struct model_h e);

/* ---- Introspection for the harness -------------------------------------- */

/* 1 if h is a live handle of its kind. */
int model_handle_live(const struct model *m, struct model_h h);
/* Interfaces client id owns or IGMP-co-owns: up to max (ifx, nh) pairs
 * written, the total returned. */
int model_owned(const struct model *m, int client, DWORD *pairs, int max);
/* 1 if some interface record has this ifindex (the forwarder has a slot
 * for it, 8.1). */
int model_slot(const struct model *m, DWORD ifx);
/* Latent memberships on the links the record (ifx, nh) covers, held by
 * clients other than that record's IGMP co-owner. */
int model_latent_foreign(const struct model *m, DWORD ifx, DWORD nh);
/* Latent memberships of client id (any client if id < 0) on the links the
 * record (ifx, nh) covers. */
int model_latent_count(const struct model *m, int client, DWORD ifx, DWORD nh);
/* Number of MFEs, and of effective memberships that client id holds. */
int model_mfe_count(const struct model *m);
int model_member_count(const struct model *m, int client);

#ifdef __cplusplus
}
#endif

#endif /* MGM_TEST_MODEL_H */
