/* Small facts about processes, read from /proc. */
#ifndef NODELAB_PROC_H
#define NODELAB_PROC_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Start time of pid (field 22 of /proc/PID/stat, clock ticks since boot).
 * Returns 0, or -1 with errno (ESRCH when the process does not exist). */
int proc_starttime(pid_t pid, uint64_t *starttime);

/* True when pid exists, is not a zombie, and started at `starttime`
 * (so a pid reused by an unrelated process is not mistaken for ours). */
bool proc_is_same(pid_t pid, uint64_t starttime);

/* pid as its own, innermost pid namespace numbers it (the last NSpid entry
 * of /proc/PID/status).  0 when it cannot be read. */
pid_t proc_ns_pid(pid_t pid);

/* The number after "key:" in /proc/PID/status (e.g. "Seccomp_filters"),
 * or dflt when pid or the key is not there. */
long proc_status_number(pid_t pid, const char *key, long dflt);

/* The host pid of the process that is ns_pid in the pid namespace of
 * process `member` (any process of that namespace, e.g. its init), found by
 * scanning /proc.  0 when there is none. */
pid_t proc_host_pid(pid_t member, pid_t ns_pid);

/* Blocks SIGCHLD, SIGTERM and SIGINT in the calling thread and returns a
 * signalfd(2) that reads them, opened with flags (SFD_*); -1 and errno when
 * it cannot be opened.  *blocked (when not NULL) receives the set, for a child
 * to unblock.  What an event loop that reaps children polls. */
int proc_signalfd(int flags, sigset_t *blocked);

#endif
