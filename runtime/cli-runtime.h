/* `nodelab-runtime VERB ...`: the verbs of the runtime's own command line,
 * one file each (or per group), over nodelab-runtime-lib.  runtime-main.c
 * holds the verb table and the global options; a verb returns the exit
 * status (podman's: 125 for the runtime's own failures, else the
 * container's). */
#ifndef NODELAB_RUNTIME_CLI_RUNTIME_H
#define NODELAB_RUNTIME_CLI_RUNTIME_H

#include <stdbool.h>

#include "container.h"
#include "error.h"

/* The global options (before the verb) and their environment defaults. */
struct rtcli_globals {
  const char *root, *images, *cgroup_root, *cgroup_parent;
};
extern struct rtcli_globals rtcli_g;

/* Prints "nodelab-runtime: MSG" for *err, clears it, returns 1. */
int rtcli_fail(struct lab_error **err);
/* Prints "nodelab-runtime: MSG" and returns 2. */
int rtcli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Opens the container store of the global options. */
int rtcli_open_store(struct ctr_store **s, struct lab_error **err);
/* Starts c under its monitor and prints its id, as `run -d` does; on
 * failure removes it, so nothing is left.  Closes the store either way. */
int rtcli_start_detached_and_print(struct ctr_store *s, struct container *c);

/* fn on one container of the store (it consumes c); 0, or -1 and *err. */
typedef int (*rtcli_each_fn)(struct ctr_store *s, struct container *c, void *arg,
                             struct lab_error **err);
/* Runs fn on each container named by argv[first..argc-1], printing the
 * name given on success when print is true (podman does).  Returns 0, 1
 * when any failed (each failure printed), 2 when none was named. */
int rtcli_for_each(int first, int argc, char **argv, rtcli_each_fn fn, void *arg, bool print);

/* An rtcli_each_fn: container_remove, forced when *(bool *)arg. */
int rtcli_do_rm(struct ctr_store *s, struct container *c, void *arg, struct lab_error **err);

/* The verbs: argv[0] is the verb. */
int rtcli_run(int argc, char **argv);    /* cli-run.c */
int rtcli_create(int argc, char **argv); /* cli-run.c */
int rtcli_start(int argc, char **argv);  /* cli-container.c */
int rtcli_stop(int argc, char **argv);
int rtcli_kill(int argc, char **argv);
int rtcli_rm(int argc, char **argv);
int rtcli_mount(int argc, char **argv);
int rtcli_umount(int argc, char **argv);
int rtcli_inspect(int argc, char **argv);
int rtcli_logs(int argc, char **argv);
int rtcli_exec(int argc, char **argv);  /* cli-exec.c */
int rtcli_ps(int argc, char **argv);    /* cli-ps.c */
int rtcli_pod(int argc, char **argv);   /* cli-pod.c */
int rtcli_image(int argc, char **argv); /* cli-image.c */
int rtcli_serve(int argc, char **argv); /* cli-serve.c */
int rtcli_call(int argc, char **argv);  /* cli-call.c */

#endif
