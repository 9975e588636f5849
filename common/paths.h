/* Where nodelab keeps its files and finds its programs.
 *
 * On the host: the run directory (NODELAB_RUNDIR of ledger.h, /run/nodelab)
 * holds nodelabd's REST socket (proto/api.h), its RPC tunnel socket, pid file
 * and log, and one directory per lab (its ledger).  $NODELAB_RUNDIR (an
 * absolute path in the environment) moves them all, so that tests can run a
 * daemon of their own beside another.
 *
 * Inside every node (its private /run and tmpfs mounts, see
 * nodes/node-init.c): the paths below, which nodelabd passes to the node's
 * daemons and reaches through /proc/PID/root. */
#ifndef NODELAB_PATHS_H
#define NODELAB_PATHS_H

/* Inside every node (its private /run): the runtime's RPC socket. */
#define NODE_RUNTIME_SOCKET "/run/nodelab/runtime.sock"
/* Inside every node: netd's control socket (OVS unixctl JSON-RPC). */
#define NODE_NETD_CTL "/run/nodelab-netd.ctl"
/* Inside every node: Open vSwitch's database and its socket (OVS's defaults). */
#define OVS_DB_FILE "/etc/openvswitch/conf.db"
#define OVS_DB_SOCKET "/run/openvswitch/db.sock"
/* Inside every node: the runtime's state (a node-private tmpfs); on the host,
 * nodelab's one permanent directory, the empty mount point of every node's. */
#define NODE_RUNTIME_ROOT "/var/lib/nodelab"

/* Where finished exercises are recorded, one LAB.jsonl per lab, kept across
 * `down` (nodes/lab-exercises.c): $NODELAB_HISTORY_DIR (absolute), or
 * NODE_RUNTIME_ROOT/history.  Static storage. */
const char *paths_history_dir(void);

/* The run directory: $NODELAB_RUNDIR or /run/nodelab.  Static storage. */
const char *paths_rundir(void);
/* <rundir>/nodelab.sock, <rundir>/nodelabd.pid, <rundir>/nodelabd.log.  Static storage. */
const char *paths_socket(void);
const char *paths_pidfile(void);
const char *paths_logfile(void);
/* <rundir>/nodelab-rpc.sock: the RPC tunnel to node services (proto/api.h). */
const char *paths_rpc_socket(void);

/* Finds nodelab's program `name` (nodelab-init, nodelabd, nodelab-netd...),
 * the one lookup every component shares.  In order:
 *   - $NODELAB_BINDIR/name, else $NODELAB_BINDIR/../subdir/name when
 *     NODELAB_BINDIR (a directory) is set, and nowhere else;
 *   - otherwise beside the running program (an installation: /proc/self/exe's
 *     directory), then in the build tree's sibling folder subdir
 *     (<that directory>/../subdir/name: build/tools/nodelab finds
 *     build/nodes/nodelabd with subdir "nodes"), then on $PATH.
 * subdir may be NULL (no build-tree step).  Only regular executable files
 * count.  Returns a malloc'd path (the caller frees it), or NULL with errno
 * ENOENT when there is none. */
char *paths_find_binary(const char *name, const char *subdir);

#endif
