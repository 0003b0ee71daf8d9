/*
 * notify.h - mgmd's state messages to its service manager (systemd's
 * Type=notify readiness protocol, sd_notify(3)).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef MGMD_NOTIFY_H
#define MGMD_NOTIFY_H

/* Send state ("READY=1", "STOPPING=1", ...) to $NOTIFY_SOCKET.  Without
 * that variable it does nothing and returns 0; -1 (logged) if the send
 * failed. */
int mgmd_notify(const char *state);

#endif /* MGMD_NOTIFY_H */
