/*
 * ifmon.c - interface tracking for the BSD backend on the PF_ROUTE socket:
 * RTM_IFINFO, RTM_IFANNOUNCE, RTM_NEWADDR and RTM_DELADDR become if_event
 * upcalls; ENOBUFS on read and OpenBSD's RTM_DESYNC become MGM_BE_EDESYNC,
 * after which the core calls resync() and the table is re-read with
 * sysctl(NET_RT_IFLIST).
 *
 * SPDX-License-Identifier: MIT
 *
 * Messages are decoded by the portable rtmsg.c through the layout built
 * from this OS's headers (oscaps.c).  The interface table here is what VIF
 * creation reads (the primary IPv4 address, kernel.md C.1) and what resync
 * compares against to find interfaces that left while events were lost.
 * Interface departures and new addresses are handed to vif.c, which
 * scrubs the MFC and pre-arms pending VIFs.
 */
#include "platform/bsd/bsd.h"
#include "platform/posix/sys.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/sysctl.h>
#include <sys/time.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BSD_RT_RCVBUF (256 * 1024)
#define BSD_SYSCTL_TRIES 5

#ifndef LINK_STATE_DOWN
#define LINK_STATE_DOWN 1
#endif

struct mgm_bsd_iface *mgm__bsd_ifmon_find(struct mgm_backend *be,
                                          uint32_t ifindex) {
  size_t i;

  MGM__BSD_ASSERT_LOCKED(be);
  for (i = 0; i < be->nifs; i++) {
    if (be->ifs[i].ifindex == ifindex)
      return &be->ifs[i];
  }
  return NULL;
}

/* Operationally up: administratively up, driver running, link not down. */
static int bsd_if_oper(const struct mgm_bsd_iface *ifp) {
  return (ifp->flags & MGM_IFF_UP) && (ifp->flags & MGM_IFF_RUNNING) &&
         ifp->link_state != LINK_STATE_DOWN;
}

static void bsd_if_name(struct mgm_bsd_iface *ifp, const char *name) {
  char buf[IF_NAMESIZE > MGM_RTM_NAMESIZ ? IF_NAMESIZE : MGM_RTM_NAMESIZ];

  if (name != NULL && name[0] != '\0') {
    snprintf(ifp->name, sizeof(ifp->name), "%s", name);
    return;
  }
  if (ifp->name[0] == '\0' &&
      mgm__sys_if_indextoname(ifp->ifindex, buf) != NULL)
    snprintf(ifp->name, sizeof(ifp->name), "%s", buf);
}

/* Append a blank interface to a table; NULL when out of memory. */
static struct mgm_bsd_iface *bsd_tab_add(struct mgm_bsd_iface **tab, size_t *n,
                                         size_t *cap, uint32_t ifindex) {
  struct mgm_bsd_iface *nt, *ifp;
  size_t ncap;

  if (*n == *cap) {
    ncap = *cap ? *cap * 2 : 16;
    nt = realloc(*tab, ncap * sizeof(*nt));
    if (nt == NULL)
      return NULL;
    *tab = nt;
    *cap = ncap;
  }
  ifp = &(*tab)[(*n)++];
  memset(ifp, 0, sizeof(*ifp));
  ifp->ifindex = ifindex;
  ifp->link_state = -1;
  return ifp;
}

static struct mgm_bsd_iface *bsd_tab_find(struct mgm_bsd_iface *tab, size_t n,
                                          uint32_t ifindex) {
  size_t i;

  for (i = 0; i < n; i++) {
    if (tab[i].ifindex == ifindex)
      return &tab[i];
  }
  return NULL;
}

/* Remember an address; 1 if it is new, 0 if known or no room. */
static int bsd_addr_add(struct mgm_bsd_iface *ifp, uint32_t addr,
                        uint8_t prefixlen) {
  uint8_t i;

  for (i = 0; i < ifp->naddr; i++) {
    if (ifp->addr[i].addr == addr) {
      ifp->addr[i].prefixlen = prefixlen;
      return 0;
    }
  }
  if (ifp->naddr == BSD_IF_ADDRS)
    return 0;
  ifp->addr[ifp->naddr].addr = addr;
  ifp->addr[ifp->naddr].prefixlen = prefixlen;
  ifp->naddr++;
  return 1;
}

/* Forget an address, keeping kernel order (addr[0] stays the primary). */
static int bsd_addr_del(struct mgm_bsd_iface *ifp, uint32_t addr,
                        uint8_t *prefixlen) {
  uint8_t i;

  for (i = 0; i < ifp->naddr; i++) {
    if (ifp->addr[i].addr == addr) {
      *prefixlen = ifp->addr[i].prefixlen;
      memmove(&ifp->addr[i], &ifp->addr[i + 1],
              (size_t)(ifp->naddr - i - 1) * sizeof(ifp->addr[0]));
      ifp->naddr--;
      return 1;
    }
  }
  return 0;
}

static uint8_t bsd_msg_prefixlen(const struct mgm_rtm_msg *msg) {
  if (!(msg->v4_have & (1u << MGM_RTAX_NETMASK)) || msg->prefixlen > 32)
    return 32;
  return msg->prefixlen;
}

int mgm__bsd_ifmon_open(struct mgm_backend *be) {
  int size = BSD_RT_RCVBUF, fl, err, rc = 0;

  be->rt_fd = mgm__sys_socket(PF_ROUTE, SOCK_RAW, AF_UNSPEC);
  if (be->rt_fd < 0) {
    err = errno;
    be->last_errno = err;
    mgm__bsd_log(be, MGM__BSD_LOG_ERROR, "bsd: PF_ROUTE socket: %s",
                 strerror(err));
    rc = mgm__bsd_map_errno(err);
    goto out;
  }
  fl = mgm__sys_fcntl(be->rt_fd, F_GETFL, 0);
  if (fl < 0 || mgm__sys_fcntl(be->rt_fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
      mgm__sys_fcntl(be->rt_fd, F_SETFD, FD_CLOEXEC) < 0) {
    err = errno;
    be->last_errno = err;
    rc = mgm__bsd_map_errno(err);
    goto out;
  }
  (void)mgm__sys_setsockopt(be->rt_fd, SOL_SOCKET, SO_RCVBUF, &size,
                            sizeof(size));
#ifdef ROUTE_MSGFILTER
  {
    /* OpenBSD: only what we read; RTM_DELETE shows kernel MFC ageing */
    unsigned int filter = ROUTE_FILTER(RTM_IFINFO) |
                          ROUTE_FILTER(RTM_IFANNOUNCE) |
                          ROUTE_FILTER(RTM_NEWADDR) |
                          ROUTE_FILTER(RTM_DELADDR) | ROUTE_FILTER(RTM_DELETE);
#ifdef RTM_DESYNC
    filter |= ROUTE_FILTER(RTM_DESYNC);
#endif
    if (mgm__sys_setsockopt(be->rt_fd, AF_ROUTE, ROUTE_MSGFILTER, &filter,
                            sizeof(filter)) < 0)
      mgm__bsd_log(be, MGM__BSD_LOG_TRACE, "bsd: ROUTE_MSGFILTER: %s",
                   strerror(errno));
  }
#elif defined(RO_MSGFILTER)
  {
    /* NetBSD: an array of the message types to receive */
    unsigned char types[] = {RTM_IFINFO, RTM_IFANNOUNCE, RTM_NEWADDR,
                             RTM_DELADDR};

    if (mgm__sys_setsockopt(be->rt_fd, PF_ROUTE, RO_MSGFILTER, types,
                            sizeof(types)) < 0)
      mgm__bsd_log(be, MGM__BSD_LOG_TRACE, "bsd: RO_MSGFILTER: %s",
                   strerror(errno));
  }
#endif
#ifdef ROUTE_TABLEFILTER
  if (be->cfg.table != 0) {
    unsigned int tid = be->cfg.table;

    if (mgm__sys_setsockopt(be->rt_fd, AF_ROUTE, ROUTE_TABLEFILTER, &tid,
                            sizeof(tid)) < 0) {
      err = errno;
      be->last_errno = err;
      rc = mgm__bsd_map_errno(err);
      goto out;
    }
  }
#endif
out:
  return rc;
}

void mgm__bsd_ifmon_close(struct mgm_backend *be) {
  if (be->rt_fd >= 0)
    mgm__sys_close(be->rt_fd);
  be->rt_fd = -1;
}

/* Throw away queued messages: resync re-reads the truth anyway. */
void mgm__bsd_ifmon_drain(struct mgm_backend *be) {
  int i;

  MGM__BSD_ASSERT_LOCKED(be);
  for (i = 0; i < 4096; i++) {
    if (mgm__sys_recv(be->rt_fd, be->rxbuf, be->rxcap, 0) < 0)
      break;
  }
}

/* Fill *buf with sysctl(NET_RT_IFLIST) for IPv4. */
static int bsd_iflist(struct mgm_backend *be, uint8_t **buf, size_t *len) {
  int mib[6] = {CTL_NET, PF_ROUTE, 0, AF_INET, NET_RT_IFLIST, 0};
  uint8_t *b = NULL;
  size_t need = 0;
  int tries, err = 0, rc = MGM_BE_EAGAIN;

  for (tries = 0; tries < BSD_SYSCTL_TRIES; tries++) {
    if (mgm__sys_sysctl(mib, 6, NULL, &need, NULL, 0) < 0) {
      err = errno;
      rc = mgm__bsd_map_errno(err);
      goto out;
    }
    need += need / 4 + 1024; /* room for interfaces arriving meanwhile */
    free(b);
    b = malloc(need);
    if (b == NULL) {
      rc = MGM_BE_ENOMEM;
      goto out;
    }
    if (mgm__sys_sysctl(mib, 6, b, &need, NULL, 0) == 0) {
      rc = 0;
      goto out;
    }
    err = errno;
    if (err != ENOMEM) {
      rc = mgm__bsd_map_errno(err);
      goto out;
    }
  }
out:
  if (rc < 0) {
    be->last_errno = err;
    free(b);
    b = NULL;
    need = 0;
  }
  *buf = b;
  *len = need;
  return rc;
}

/* Re-read every interface and IPv4 address.  With replay, queue each as
 * MGM_IF_ADD (+ MGM_IF_ADDR_ADD per address) and interfaces that vanished
 * as MGM_IF_DEL; either way vif.c then drops their VIFs. */
int mgm__bsd_ifmon_load(struct mgm_backend *be, int replay) {
  struct mgm_bsd_iface *tab = NULL, *old, *ifp;
  struct mgm_rtm_msg msg;
  size_t n = 0, cap = 0, nold, off = 0, len = 0, i;
  uint8_t *buf = NULL, a;
  int r, rc;

  MGM__BSD_ASSERT_LOCKED(be);
  rc = bsd_iflist(be, &buf, &len);
  if (rc < 0) {
    mgm__bsd_log(be, MGM__BSD_LOG_WARN, "bsd: sysctl NET_RT_IFLIST: errno %d",
                 be->last_errno);
    goto out;
  }
  while ((r = mgm__rtmsg_next(&be->rtl, buf, len, &off, &msg)) != 0) {
    if (r < 0) {
      mgm__bsd_log(be, MGM__BSD_LOG_TRACE, "bsd: iflist: %s",
                   mgm__rtmsg_strerror(r));
      continue;
    }
    if (msg.kind != MGM_RTM_IFINFO && msg.kind != MGM_RTM_NEWADDR)
      continue;
    if (msg.ifindex == 0)
      continue;
    ifp = bsd_tab_find(tab, n, msg.ifindex);
    if (ifp == NULL) {
      ifp = bsd_tab_add(&tab, &n, &cap, msg.ifindex);
      if (ifp == NULL) {
        rc = MGM_BE_ENOMEM;
        goto out;
      }
    }
    if (msg.kind == MGM_RTM_IFINFO) {
      ifp->flags = msg.mgm_flags;
      ifp->link_state = msg.link_state;
      bsd_if_name(ifp, msg.name);
    } else if (msg.v4_have & (1u << MGM_RTAX_IFA)) {
      (void)bsd_addr_add(ifp, msg.v4[MGM_RTAX_IFA], bsd_msg_prefixlen(&msg));
    }
  }
  for (i = 0; i < n; i++)
    bsd_if_name(&tab[i], NULL);

  /* swap in the new table, keep the old one to find who left */
  old = be->ifs;
  nold = be->nifs;
  be->ifs = tab;
  be->nifs = n;
  be->capifs = cap;
  tab = old;
  n = nold;
  if (replay) {
    for (i = 0; i < be->nifs; i++) {
      mgm__bsd_queue_if(be, MGM_IF_ADD, &be->ifs[i], 0, 0);
      for (a = 0; a < be->ifs[i].naddr; a++)
        mgm__bsd_queue_if(be, MGM_IF_ADDR_ADD, &be->ifs[i],
                          be->ifs[i].addr[a].addr,
                          be->ifs[i].addr[a].prefixlen);
    }
  }
  for (i = 0; i < n; i++) {
    if (mgm__bsd_ifmon_find(be, tab[i].ifindex) != NULL)
      continue;
    if (replay)
      mgm__bsd_queue_if(be, MGM_IF_DEL, &tab[i], 0, 0);
    mgm__bsd_vif_departed(be, tab[i].ifindex);
  }
out:
  free(tab);
  free(buf);
  return rc;
}

static void bsd_on_ifinfo(struct mgm_backend *be,
                          const struct mgm_rtm_msg *msg) {
  struct mgm_bsd_iface *ifp;
  int was_up;

  ifp = mgm__bsd_ifmon_find(be, msg->ifindex);
  if (ifp == NULL) {
    ifp = bsd_tab_add(&be->ifs, &be->nifs, &be->capifs, msg->ifindex);
    if (ifp == NULL)
      return;
    ifp->flags = msg->mgm_flags;
    ifp->link_state = msg->link_state;
    bsd_if_name(ifp, msg->name);
    mgm__bsd_queue_if(be, MGM_IF_ADD, ifp, 0, 0);
    return;
  }
  was_up = bsd_if_oper(ifp);
  ifp->flags = msg->mgm_flags;
  if (msg->link_state >= 0)
    ifp->link_state = msg->link_state;
  if (bsd_if_oper(ifp) != was_up)
    mgm__bsd_queue_if(be, was_up ? MGM_IF_DOWN : MGM_IF_UP, ifp, 0, 0);
}

static void bsd_on_ifannounce(struct mgm_backend *be,
                              const struct mgm_rtm_msg *msg) {
  struct mgm_bsd_iface *ifp, gone;

  ifp = mgm__bsd_ifmon_find(be, msg->ifindex);
  if (!msg->departure) {
    if (ifp == NULL) {
      ifp = bsd_tab_add(&be->ifs, &be->nifs, &be->capifs, msg->ifindex);
      if (ifp == NULL)
        return;
      bsd_if_name(ifp, msg->name);
      mgm__bsd_queue_if(be, MGM_IF_ADD, ifp, 0, 0);
    } else if (msg->name[0] != '\0' && strcmp(ifp->name, msg->name) != 0) {
      bsd_if_name(ifp, msg->name);
      mgm__bsd_queue_if(be, MGM_IF_RENAME, ifp, 0, 0);
    }
    return;
  }
  if (ifp == NULL)
    return;
  gone = *ifp;
  *ifp = be->ifs[--be->nifs]; /* the table forgets it first */
  mgm__bsd_queue_if(be, MGM_IF_DEL, &gone, 0, 0);
  mgm__bsd_vif_departed(be, gone.ifindex);
}

static void bsd_on_addr(struct mgm_backend *be, const struct mgm_rtm_msg *msg) {
  struct mgm_bsd_iface *ifp;
  uint32_t addr;
  uint8_t plen;

  if (!(msg->v4_have & (1u << MGM_RTAX_IFA)) || msg->ifindex == 0)
    return;
  addr = msg->v4[MGM_RTAX_IFA];
  ifp = mgm__bsd_ifmon_find(be, msg->ifindex);
  if (msg->kind == MGM_RTM_DELADDR) {
    if (ifp != NULL && bsd_addr_del(ifp, addr, &plen))
      mgm__bsd_queue_if(be, MGM_IF_ADDR_DEL, ifp, addr, plen);
    return;
  }
  if (ifp == NULL) {
    /* an address before the interface's own announcement */
    ifp = bsd_tab_add(&be->ifs, &be->nifs, &be->capifs, msg->ifindex);
    if (ifp == NULL)
      return;
    bsd_if_name(ifp, msg->name);
    mgm__bsd_queue_if(be, MGM_IF_ADD, ifp, 0, 0);
  }
  plen = bsd_msg_prefixlen(msg);
  if (!bsd_addr_add(ifp, addr, plen))
    return;
  /* pre-arm a pending VIF, so the core's if_attach on this event works */
  mgm__bsd_vif_addr_added(be, msg->ifindex, ifp);
  mgm__bsd_queue_if(be, MGM_IF_ADDR_ADD, ifp, addr, plen);
}

static int bsd_on_msg(struct mgm_backend *be, const struct mgm_rtm_msg *msg) {
  switch (msg->kind) {
  case MGM_RTM_IFINFO:
    if (msg->ifindex != 0)
      bsd_on_ifinfo(be, msg);
    break;
  case MGM_RTM_IFANNOUNCE:
    if (msg->ifindex != 0)
      bsd_on_ifannounce(be, msg);
    break;
  case MGM_RTM_NEWADDR:
  case MGM_RTM_DELADDR:
    bsd_on_addr(be, msg);
    break;
  case MGM_RTM_DESYNC:
    return MGM_BE_EDESYNC;
  case MGM_RTM_ROUTE:
    /* OpenBSD keeps the MFC as multicast routes and ages them itself */
    if (msg->type == be->rtl.t_delete && be->rtl.rtf_multicast != 0 &&
        ((uint32_t)msg->flags & be->rtl.rtf_multicast) &&
        (msg->v4_have & (1u << MGM_RTAX_DST)))
      mgm__bsd_vif_group_check(be, msg->v4[MGM_RTAX_DST]);
    break;
  default:
    break;
  }
  return 0;
}

int mgm__bsd_ifmon_read(struct mgm_backend *be) {
  struct mgm_rtm_msg msg;
  ssize_t len;
  size_t off = 0;
  int r, err, rc = 1;

  MGM__BSD_ASSERT_LOCKED(be);
  do {
    len = mgm__sys_recv(be->rt_fd, be->rxbuf, be->rxcap, 0);
    err = len < 0 ? errno : 0;
  } while (err == EINTR);
  if (len < 0) {
    if (err == EAGAIN || err == EWOULDBLOCK) {
      rc = 0;
    } else if (err == ENOBUFS) {
      /* the kernel dropped routing messages: only a resync can tell */
      be->last_errno = err;
      mgm__bsd_log(be, MGM__BSD_LOG_INFO, "bsd: routing socket overflow");
      rc = MGM_BE_EDESYNC;
    } else {
      be->last_errno = err;
      rc = mgm__bsd_map_errno(err);
    }
    goto out;
  }
  while ((r = mgm__rtmsg_next(&be->rtl, be->rxbuf, (size_t)len, &off, &msg)) !=
         0) {
    if (r < 0) {
      mgm__bsd_log(be, MGM__BSD_LOG_TRACE, "bsd: routing message: %s",
                   mgm__rtmsg_strerror(r));
      continue;
    }
    if (bsd_on_msg(be, &msg) == MGM_BE_EDESYNC) {
      mgm__bsd_log(be, MGM__BSD_LOG_INFO, "bsd: RTM_DESYNC from the kernel");
      rc = MGM_BE_EDESYNC;
    }
  }
out:
  return rc;
}
