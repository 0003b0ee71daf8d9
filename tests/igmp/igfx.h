/*
 * igfx.h - fixture of the IGMP component's Criterion tests.
 *
 * SPDX-License-Identifier: MIT
 *
 * Each test runs libmgm on the "sim" backend with four simulated
 * interfaces (ifindex k = 10.0.k.5/24, k = 1..4; 10.9.0.0/16 is routed via
 * interface 1), creates the IGMP component with the default I/O (sends go
 * through libmgm_ctrl_send and are captured with libmgm_sim_set_tx_hook)
 * and installs mgm_igmp_ctrl_hook, so packets are delivered the way mgmd
 * will deliver them: libmgm_sim_inject_ctrl.  The virtual clock is the sim
 * clock: igfx_advance() moves it and runs mgm_igmp_tick().  The packet
 * builders here are written independently of src/igmp/pkt.c (own
 * checksum code) so that the component is checked against the RFC
 * layouts, not against itself.
 */
#ifndef IGFX_H
#define IGFX_H

#include <windows.h>
#include <iprtrmib.h>
#include <mgm.h>
#include <libmgm.h>
#include <routprot.h>

#include <stddef.h>
#include <stdint.h>

#include "igmp.h"

#define IGFX_MAX_TX 512
#define IGFX_MAX_LOG 256

extern struct mgm_igmp *ig;
extern uint64_t T;       /* virtual now (ms), = sim clock */
extern int igfx_wakeups; /* io->wakeup() calls */

DWORD ip4(int a, int b, int c, int d);
const char *ipstr(DWORD a); /* rotating static buffers */

/* Start libmgm + component.  cfg may be NULL (defaults, with the fixture's
 * wakeup hook).  Interfaces 1..4 exist in the sim; none is added to the
 * component yet. */
void igfx_start(const struct mgm_igmp_config *cfg);
void igfx_config(struct mgm_igmp_config *cfg); /* defaults + fixture io */
void igfx_fill_io(struct mgm_igmp_io *io);     /* the fixture's io */
void igfx_stop(void);                          /* .fini */
void igfx_add(DWORD ifx, int role);            /* add_interface, asserted */
void igfx_advance(uint64_t ms);                /* clock + tick */
void igfx_advance_to(uint64_t t);

/* Received packets (wrapped in IPv4 with TTL 1 and router alert). */
void igfx_rx(DWORD ifx, DWORD src, DWORD dst, const uint8_t *igmp, size_t len);
void igfx_rx_raw(DWORD ifx, const uint8_t *pkt, size_t len);
size_t igfx_ip(uint8_t *buf, DWORD src, DWORD dst, int ttl, int ra,
               const uint8_t *igmp, size_t len);
uint16_t igfx_cksum(const uint8_t *p, size_t len);

/* IGMP messages (into buf, returns length). */
size_t igfx_v12(uint8_t *buf, uint8_t type, uint8_t code, DWORD group);
size_t igfx_v3q(uint8_t *buf, uint8_t code, DWORD group, int s, int qrv,
                uint8_t qqic, const DWORD *srcs, int n);
struct igfx_rep {
  uint8_t buf[1500];
  size_t len;
  int nrec;
};
void igfx_rep_init(struct igfx_rep *r);
void igfx_rep_add(struct igfx_rep *r, int type, DWORD group, const DWORD *srcs,
                  int n);
size_t igfx_rep_done(struct igfx_rep *r);

/* Convenience: host src sends on ifx. */
void igfx_v2_report(DWORD ifx, DWORD host, DWORD group);
void igfx_v1_report(DWORD ifx, DWORD host, DWORD group);
void igfx_v2_leave(DWORD ifx, DWORD host, DWORD group);
void igfx_v3_record(DWORD ifx, DWORD host, int type, DWORD group,
                    const DWORD *srcs, int n);

/* Captured transmissions. */
struct igfx_tx {
  DWORD ifindex, dst;
  uint8_t msg[1500];
  DWORD len;
  uint64_t t;
};
int igfx_ntx(void);
const struct igfx_tx *igfx_tx(int i);
void igfx_tx_clear(void);
/* Count captured messages on ifx (0 = any) of IGMP type (0 = any). */
int igfx_count(DWORD ifx, int type);
/* Find the n-th (0-based) captured message on ifx of type; NULL if none. */
const struct igfx_tx *igfx_find(DWORD ifx, int type, int n);
/* v3 report decoding: record k of a captured report. */
int igfx_rec(const struct igfx_tx *t, int k, int *type, DWORD *group,
             DWORD *srcs, int cap, int *nsrc);

/* The component's log lines (the fixture's io->log; interfaces are named
 * ethK by io->if_name).  igfx_logged counts lines of level (0 = any)
 * containing needle. */
int igfx_nlog(void);
const char *igfx_log(int i, int *level); /* NULL past the end */
int igfx_logged(int level, const char *needle);
void igfx_log_clear(void);

/* MGM state through libmgm_snapshot_take(). */
int igfx_member(DWORD pid, DWORD s, DWORD g, DWORD ifx, int *latent);
int igfx_members(DWORD pid); /* memberships contributed by pid */

#endif /* IGFX_H */
