/* Running probes from nodelabd's event loop: each probe is one short-lived
 * nodelab-probe helper, spawned inside the target's network namespace (setns
 * is per thread, and the loop must never wait on a socket), its one line of
 * JSON read through a libevent event.  Any number may run at once.
 *
 * Reaping.  nodelabd's supervisor (nodes/supervise.c) owns SIGCHLD and reaps
 * every child with waitpid(-1, WNOHANG), so the runner installs no SIGCHLD
 * handler of its own.  It watches each helper through a pidfd (readable
 * when the process has ended) and then reaps that pid with WNOHANG; when the
 * supervisor has reaped it first (ECHILD) the runner does without the exit
 * status: the verdict is the JSON line, and a helper that wrote none failed.
 * Kernels without pidfds (before 5.3): the pid is reaped from a short timer
 * once its stdout has closed.  The deadline's SIGKILL goes through the pidfd,
 * so it never hits a reused pid. */
#ifndef NODELAB_ENGINE_PROBE_RUNNER_H
#define NODELAB_ENGINE_PROBE_RUNNER_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct event_base;
struct probe_spec;
struct probe_result;

/* Called once per probe, from the event loop, with its result (borrowed for
 * the call).  A helper that failed or hung gives ok = false and a reason
 * ("probe helper did not finish in 3 s", or the helper's own message). */
typedef void probe_done_cb(const struct probe_result *result, void *arg);

/* How long past its timeout a helper may take (exec, setns) before it is
 * killed. */
#define PROBE_RUNNER_MARGIN_MS 1000

/* Starts probe_binary (nodelab-probe) for spec, in the network namespace of
 * netns_pid (0: the caller's own; for an exec probe, the node init whose
 * namespaces or runtime run the command), on base; cb(result, arg) follows exactly
 * once, from the loop, never from within this call.  The spec is copied (as
 * JSON) before this returns.  The helper is killed at spec->timeout_ms +
 * PROBE_RUNNER_MARGIN_MS.  Returns 0, or -1 and *err (an invalid spec, no
 * pipe, the spawn failed), in which case cb is never called. */
int probe_runner_start(struct event_base *base, const char *probe_binary, pid_t netns_pid,
                       const struct probe_spec *spec, probe_done_cb *cb, void *arg,
                       struct lab_error **err);

/* Helpers started and not yet reaped (a helper whose callback came may still
 * be exiting). */
size_t probe_runner_pending(void);

/* Kills every helper still running and reaps them, without their callbacks;
 * for nodelabd's exit.  Not from within a probe_done_cb. */
void probe_runner_shutdown(void);

#endif
