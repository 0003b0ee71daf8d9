/*
 * known.c - the protocols mgmd knows by name (the IGMP component and the
 * plug-in instances), for shows and log lines.
 *
 * SPDX-License-Identifier: MIT
 */
#include "mgmd.h"

#include <stdio.h>

#include <routprot.h>

void mgmd_known_add(struct mgmd *d, DWORD pid, DWORD cid, const char *name,
                    const char *kind) {
  struct mgmd_known *k = (struct mgmd_known *)mgmd_known_find(d, pid, cid);

  if (k == NULL) {
    if (d->n_known == sizeof(d->known) / sizeof(d->known[0]))
      return;
    k = &d->known[d->n_known++];
  }
  k->protocol_id = pid;
  k->component_id = cid;
  snprintf(k->name, sizeof(k->name), "%s", name);
  snprintf(k->kind, sizeof(k->kind), "%s", kind);
}

void mgmd_known_del(struct mgmd *d, DWORD pid, DWORD cid) {
  /* Names stay: the log still speaks of a protocol after it deregistered,
   * and the snapshot, not this table, says what is registered. */
}

const struct mgmd_known *mgmd_known_find(const struct mgmd *d, DWORD pid,
                                         DWORD cid) {
  const struct mgmd_known *k = NULL;
  size_t i;

  for (i = 0; i < d->n_known && k == NULL; i++)
    if (d->known[i].protocol_id == pid && d->known[i].component_id == cid)
      k = &d->known[i];
  return k;
}

const char *mgmd_proto_name(const struct mgmd *d, DWORD pid, DWORD cid,
                            char *buf, size_t len) {
  const struct mgmd_known *k = mgmd_known_find(d, pid, cid);
  size_t i;

  if (k == NULL) /* an MFE names only the protocol id: any component */
    for (i = 0; i < d->n_known; i++)
      if (d->known[i].protocol_id == pid)
        k = &d->known[i];
  if (k != NULL)
    snprintf(buf, len, "%s", k->name);
  else if (pid == PROTO_IP_IGMP || pid == MS_IP_IGMP)
    snprintf(buf, len, "igmp");
  else
    snprintf(buf, len, "0x%08x/%u", (unsigned)pid, (unsigned)cid);
  return buf;
}
