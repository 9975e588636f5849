/* Readiness of a node daemon (after systemd's sd_notify): nodelab-init hands
 * each daemon it starts a pipe in $NODELAB_NOTIFY_FD; the daemon writes
 * "READY=1\n" to it once it serves, and the coordinator starts what depends
 * on it. */
#ifndef NODELAB_NOTIFY_H
#define NODELAB_NOTIFY_H

/* Says READY=1 on $NODELAB_NOTIFY_FD when set, then closes it and unsets the
 * variable (so children do not inherit it).  A no-op otherwise. */
void notify_ready(void);

#endif
