/* Starting the PID 1 of a node (or of the fabric): nodelab-init cloned into new
 * pid, net, uts, mount and ipc namespaces, held at a barrier until the
 * coordinator has recorded it, placed it in its cgroup and wired its links. */
#ifndef NODELAB_NODE_PROCESS_H
#define NODELAB_NODE_PROCESS_H

#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct ledger;
struct cgroup_manager;

struct node_process {
  pid_t pid;
  uint64_t starttime;
  int control_fd; /* our end of the control socket (proto/node-control.h); -1 when closed */
  int started;    /* "go" was sent */
};

/* Clones `init_path` with argv into new namespaces.  The process is recorded
 * in ledger and attached to cgroup `cgroup_rel` before this returns; it runs
 * nothing of its own until node_process_go().  If the caller dies first, the
 * child sees EOF and exits.  On failure nothing of the child remains (it is
 * killed and reaped).  Returns 0 and fills *out, or -1 and *err. */
int node_process_spawn(const char *init_path, char *const argv[], struct ledger *ledger,
                       struct cgroup_manager *cg, const char *cgroup_rel, struct node_process *out,
                       struct lab_error **err);

/* Sends "go": the child starts its set-up. Returns 0, or -1 and *err when it is already gone. */
int node_process_go(struct node_process *p, struct lab_error **err);

/* Opens /proc/PID/ns/net of the process. Returns the fd or -1 and *err. */
int node_process_netns(const struct node_process *p, struct lab_error **err);

/* Sends SIGKILL when the process is still the one we started, without
 * waiting: a lab kills all its nodes first, so their namespaces end together. */
void node_process_signal_kill(struct node_process *p);

/* SIGKILLs the process when it is still the one we started (pid + start time),
 * reaps it, and closes the control socket.  Killing a PID 1 ends its whole pid namespace. */
void node_process_kill(struct node_process *p);

/* The host pid of ns_pid, a pid in the pid namespace of p (its PID 1), found
 * among p's children (the daemons its init started).  0 when absent. */
pid_t node_process_host_pid(const struct node_process *p, pid_t ns_pid);

#endif
