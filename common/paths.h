/* Where nodelab keeps its run-time files.  NODELAB_RUNDIR (an absolute path in
 * the environment) moves them all, so that tests can run a daemon of their own
 * beside another; the defaults are those of api.h and ledger.h. */
#ifndef NODELAB_PATHS_H
#define NODELAB_PATHS_H

/* The run directory: $NODELAB_RUNDIR or /run/nodelab.  Static storage. */
const char *paths_rundir(void);
/* <rundir>/nodelab.sock, <rundir>/nodelabd.pid, <rundir>/nodelabd.log.  Static storage. */
const char *paths_socket(void);
const char *paths_pidfile(void);
const char *paths_logfile(void);
/* <rundir>/nodelab-rpc.sock: the RPC tunnel to node services (api.h). */
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
