/*
 * simctl.h - the sim backend's controls (the libmgm_sim_* API), reached
 * through the seam's control() operation (platform.h): op codes and the
 * argument of each.
 *
 * SPDX-License-Identifier: MIT
 *
 * Every argument is plain data of fixed size (MGM_CTL_SIM_INJECT_CTRL's
 * packet is the one variable tail, counted in control()'s len), read and
 * written during the call only: a backend in another process is handed a
 * copy of len bytes and copies them back.  One exception is in-process
 * only: the tx hook is a function pointer; a backend in another process
 * answers it MGM_BE_ENOTSUP and reports what it sends another way.  A
 * backend answers MGM_BE_ENOTSUP to an op it does not know, so
 * MGM_CTL_SIM_PROBE tells the core whether it runs on the sim.  The sim's
 * ops are numbered from 0x5300 ('S'): another backend's get their own
 * range.  Addresses in network order.
 */
#ifndef MGM_SIMCTL_H
#define MGM_SIMCTL_H

#include <stdint.h>

#define MGM_SIM_MAX_OUT 64

/* Where an injected packet went. */
struct mgm_sim_result {
  uint32_t verdict; /* enum libmgm_sim_verdict */
  uint32_t n_out;
  uint32_t out[MGM_SIM_MAX_OUT];
};

enum mgm_ctl_sim {
  MGM_CTL_SIM_PROBE = 0x5300, /* no argument: 0 on the sim */
  MGM_CTL_SIM_IF_ADD,         /* mgm_ctl_sim_if: ifindex name addr plen */
  MGM_CTL_SIM_IF_DEL,         /* mgm_ctl_sim_if: ifindex */
  MGM_CTL_SIM_IF_SET_UP,      /* mgm_ctl_sim_if: ifindex, flag = up */
  MGM_CTL_SIM_IF_KNOWN,       /* mgm_ctl_sim_if: ifindex; out flag */
  MGM_CTL_SIM_ROUTE_ADD,      /* mgm_ctl_sim_route */
  MGM_CTL_SIM_ROUTE_DEL,      /* mgm_ctl_sim_route: net, mask */
  MGM_CTL_SIM_INJECT,         /* mgm_ctl_sim_inject */
  MGM_CTL_SIM_INJECT_DONE,    /* mgm_ctl_sim_inject: token; out res */
  MGM_CTL_SIM_INJECT_CTRL,    /* mgm_ctl_sim_ctrl and the packet */
  MGM_CTL_SIM_ADVANCE,        /* mgm_ctl_sim_arg: a = ms */
  MGM_CTL_SIM_FAIL_NEXT,      /* mgm_ctl_sim_arg: a = op, b = MGM_BE_* */
  MGM_CTL_SIM_SET_LIMITS,     /* mgm_ctl_sim_arg: a = max slots */
  MGM_CTL_SIM_KERNEL_COUNT,   /* mgm_ctl_sim_arg: out a = entries, b = slots */
  MGM_CTL_SIM_SET_TX_HOOK,    /* mgm_ctl_sim_tx_hook (in-process only) */
  MGM_CTL_SIM_ENTRY_GET       /* mgm_ctl_sim_entry (tests/fault) */
};

/* Two numbers, as the op says. */
struct mgm_ctl_sim_arg {
  int32_t a, b;
};

struct mgm_ctl_sim_if {
  uint32_t ifindex;
  uint32_t addr; /* 0 = unnumbered */
  uint32_t prefixlen;
  uint32_t flag;
  char name[16]; /* NUL-terminated; "" = none */
};

struct mgm_ctl_sim_route {
  uint32_t net, mask, ifindex, upstream, proto;
};

/* INJECT: in ifindex..ttl; out res (where the packet went now) and token.
 * A packet queued on a pending entry goes on when the entry is installed
 * (during the events the injection causes): token is then non-zero, and
 * INJECT_DONE with it gives res as it ended and forgets it.  0: res is
 * final. */
struct mgm_ctl_sim_inject {
  uint32_t ifindex, src, grp, len;
  uint8_t ttl;
  uint8_t pad[3];
  uint32_t token;
  struct mgm_sim_result res;
};

/* INJECT_CTRL: an IGMP packet (whole IPv4 packet) for the ctrl_packet
 * upcall, as received on ifindex; control()'s len is
 * sizeof(struct mgm_ctl_sim_ctrl) + len. */
struct mgm_ctl_sim_ctrl {
  uint32_t ifindex;
  uint32_t len;
  uint8_t pkt[];
};

/* Called by the sim's ctrl_send on the sending thread (core lock held),
 * with the message it sends; NULL fn removes it.  A function pointer:
 * in-process backends only. */
typedef void (*mgm_sim_tx_fn)(void *ctx, uint32_t ifindex, uint32_t dst,
                              const void *msg, uint32_t len);
struct mgm_ctl_sim_tx_hook {
  mgm_sim_tx_fn fn;
  void *ctx;
};

/* ENTRY_GET: in src, grp; out the installed entry's incoming interface
 * and outgoing ones (n_oif of them, the first MGM_SIM_MAX_OUT in oif), or
 * MGM_BE_ENOENT. */
struct mgm_ctl_sim_entry {
  uint32_t src, grp;
  uint32_t iif, n_oif;
  uint32_t oif[MGM_SIM_MAX_OUT];
};

#endif /* MGM_SIMCTL_H */
