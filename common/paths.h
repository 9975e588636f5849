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

#endif
