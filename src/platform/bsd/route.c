/*
 * route.c - unicast RPF lookups for the BSD backend: an RTM_GET request on
 * a short-lived PF_ROUTE socket, answered with the interface, next hop and
 * prefix toward a multicast source (mgm-spec 8.2, the route_lookup op).
 *
 * SPDX-License-Identifier: MIT
 *
 * The request is built and the reply parsed by the portable rtmsg.c; the
 * socket it travels on is rtsock.c's.
 */
#include "platform/bsd/bsd.h"
#include "platform/posix/sys.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "routprot.h"

int mgm__bsd_route_lookup(const struct mgm_backend *be, uint32_t src,
                          int32_t seq, struct mgm_route *out, int *err) {
  union {
    uint64_t align;
    uint8_t b[2048];
  } buf;
  struct mgm_rtm_msg msg;
  uint32_t flags, mask;
  int fd = -1, len, rc;

  memset(out, 0, sizeof(*out));
  *err = 0;
  rc = mgm__bsd_rtsock_open(&fd, err);
  if (rc < 0)
    goto out;
  len = mgm__rtmsg_build_get(&be->rtl, buf.b, sizeof(buf.b), src, be->pid, seq,
                             (uint16_t)be->cfg.table);
  if (len < 0) {
    rc = MGM_BE_EINVAL;
    goto out;
  }
  if (mgm__sys_write(fd, buf.b, (size_t)len) < 0) {
    *err = errno;
    /* ESRCH: no route; ENETUNREACH: no route in that table */
    rc = *err == ESRCH || *err == ENETUNREACH ? MGM_BE_ENOENT
                                              : mgm__bsd_map_errno(*err);
    goto out;
  }
  rc = mgm__bsd_rtsock_reply(be, fd, buf.b, sizeof(buf.b), seq, &msg, err);
  if (rc < 0)
    goto out;
  if (msg.err != 0) {
    *err = msg.err;
    rc = msg.err == ESRCH ? MGM_BE_ENOENT : mgm__bsd_map_errno(msg.err);
    goto out;
  }
  flags = (uint32_t)msg.flags;
  if (flags & (be->rtl.rtf_reject | be->rtl.rtf_blackhole)) {
    rc = MGM_BE_ENOENT; /* a route that drops is no way to the source */
    goto out;
  }
  out->ifindex = msg.ifp_index ? msg.ifp_index
                 : msg.ifindex ? msg.ifindex
                               : msg.gw_link_index;
  if ((flags & be->rtl.rtf_gateway) && (msg.v4_have & (1u << MGM_RTAX_GATEWAY)))
    out->upstream = msg.v4[MGM_RTAX_GATEWAY];
  mask = 0xffffffffu;
  if (!(flags & be->rtl.rtf_host) && (msg.v4_have & (1u << MGM_RTAX_NETMASK)))
    mask = msg.v4[MGM_RTAX_NETMASK];
  out->mask = mask;
  out->network = (msg.v4_have & (1u << MGM_RTAX_DST))
                     ? (msg.v4[MGM_RTAX_DST] & mask)
                     : (src & mask);
  out->nexthop = 0;
  if (!(flags & be->rtl.rtf_gateway))
    out->protocol = PROTO_IP_LOCAL;
  else if (flags & be->rtl.rtf_static)
    out->protocol = PROTO_IP_NETMGMT;
  else
    out->protocol = PROTO_IP_OTHER;
  if (out->ifindex == 0)
    rc = MGM_BE_ENOENT;
out:
  if (fd >= 0)
    mgm__sys_close(fd);
  return rc;
}
