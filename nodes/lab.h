/* A running lab: its fabric, its nodes and everything the ledger names.
 *
 * Nothing here blocks the event loop on a node.  lab_create() checks what it
 * can at once and returns; the lab then starts in steps, one per turn of the
 * loop (the ledger and the lab's cgroup, the fabric, then one node at a
 * time), each node finishes its own set-up in parallel and reports, and the
 * lab calls back once every node is ready or one failed.  lab_destroy()
 * kills every init, reaps them as SIGCHLD arrives, then undoes the ledger and
 * calls back. */
#ifndef NODELAB_LAB_H
#define NODELAB_LAB_H

#include <sys/types.h>

#include "api.h"
#include "error.h"

struct event_base;
struct json_object;
struct scenario;
struct lab;
struct lab_events;

/* The API's lab states (proto/api.h). */
enum lab_state {
  LAB_STARTING = API_LAB_STARTING,
  LAB_UP = API_LAB_UP,
  LAB_FAILED = API_LAB_FAILED,
  LAB_STOPPING = API_LAB_STOPPING
};

/* Called once, from the event loop: error NULL when every node is ready,
 * else what failed (the lab is still there: the callee removes it). */
typedef void lab_ready_cb(struct lab *lab, const char *error, void *arg);

/* Called once lab_destroy() is done: the lab is freed; name is its name,
 * error NULL or what could not be removed (both valid during the call). */
typedef void lab_destroyed_cb(const char *name, const char *error, void *arg);

/* Starts lab `name` from scenario sc (ownership passes to the lab, also on
 * failure).  Fails at once with EEXIST when a lab of that name, or its
 * leftovers, exist, or when nodelab-init is not found: then nothing was made.
 * Otherwise returns 0 and *out, and the start goes on from the event loop of
 * base; whatever fails later is reported through cb (with error set).
 * Returns 0 and *out, or -1 and *err. */
int lab_create(struct event_base *base, struct scenario *sc, const char *name, lab_ready_cb *cb,
               void *cb_arg, struct lab **out, struct lab_error **err);

/* Removes the lab, without blocking: stops its start if it is starting
 * (cb of lab_create is not called any more), SIGKILLs every init (which
 * ends each node's namespaces and processes), reaps them as they exit,
 * undoes the ledger, frees the lab and calls cb from the event loop.  The
 * lab is LAB_STOPPING meanwhile; call it once. */
void lab_destroy(struct lab *lab, lab_destroyed_cb *cb, void *cb_arg);

const char *lab_name(const struct lab *lab);

/* The host pid of node `node`'s init while it runs, else 0. */
pid_t lab_node_pid(const struct lab *lab, const char *node);
enum lab_state lab_state(const struct lab *lab);

/* Called once a check run is done: reply is the API's check results
 * (borrowed for the call), or NULL when the lab went away meanwhile. */
typedef void lab_checks_done_cb(struct json_object *reply, void *arg);

/* Runs the checks named in names (NULL-terminated; NULL or empty: every
 * check) in parallel, each in a probe helper, without blocking; their
 * results become the lab's last results, and events.  cb follows once, from
 * the loop, never from within this call.  Returns 0, or -1 and *err: ENOENT
 * with "no check \"x\" in lab L (checks: ...)" for an unknown name, EBUSY when
 * the lab is not up, errnum 0 when nodelab-probe is not found (cb not called). */
int lab_checks_run(struct lab *lab, const char *const *names, lab_checks_done_cb *cb, void *arg,
                   struct lab_error **err);

/* The lab's events (lab-events.h); owned by the lab. */
struct lab_events *lab_events(const struct lab *lab);

/* The API's LAB_SUMMARY of the lab (proto/api.h); its strings are the lab's. */
struct api_lab_summary;
void lab_summary(const struct lab *lab, struct api_lab_summary *out);

/* New JSON objects (caller owns): the API's LAB_STATUS and LAB_SUMMARY. */
struct json_object *lab_status_json(const struct lab *lab);
struct json_object *lab_summary_json(const struct lab *lab);

#endif
