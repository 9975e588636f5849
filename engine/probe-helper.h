/* The nodelab-probe helper's work, for its main() and for tests: enter a
 * network namespace, run one probe, write its result as one JSON line. */
#ifndef NODELAB_ENGINE_PROBE_HELPER_H
#define NODELAB_ENGINE_PROBE_HELPER_H

#include <stdio.h>
#include <sys/types.h>

#include "error.h"

/* Moves the calling thread into the network namespace at path
 * ("/proc/PID/ns/net", or a bind mount of one).  A /proc/PID path whose
 * process does not exist fails with ESRCH.  Returns 0, or -1 and *err
 * ("setns /proc/123/ns/net: No such process"). */
int probe_enter_netns(const char *path, struct lab_error **err);

/* Decodes spec_json (probe.h's wire format), enters the namespace at
 * netns_path unless it is NULL, runs the probe and writes its result to out
 * as one line of JSON, flushed.  An exec probe ignores netns_path and runs
 * for the node whose init is exec_pid (probe_exec_run(); 0: here).  Returns 0
 * when the probe ran, whatever its verdict; -1 and *err when it could not (a
 * bad spec, a failed setns, no socket), having written nothing. */
int probe_helper_run(const char *netns_path, pid_t exec_pid, const char *spec_json, FILE *out,
                     struct lab_error **err);

#endif
