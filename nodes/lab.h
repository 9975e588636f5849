/* A running lab: its fabric, its nodes and everything the ledger names.
 *
 * lab_create() does the fast, synchronous part (ledger, cgroups, clones,
 * links) and returns; each node then finishes its own set-up in parallel and
 * reports, and the lab calls back once every node is ready or one failed. */
#ifndef NODELAB_LAB_H
#define NODELAB_LAB_H

#include <sys/types.h>

#include "error.h"

struct event_base;
struct json_object;
struct scenario;
struct lab;
struct lab_events;

enum lab_state { LAB_STARTING, LAB_UP, LAB_FAILED, LAB_STOPPING };

/* Called once: error NULL when every node is ready, else what failed. */
typedef void lab_ready_cb(struct lab *lab, const char *error, void *arg);

/* Starts lab `name` from scenario sc (ownership passes to the lab, also on
 * failure).  Fails with EEXIST when a lab of that name, or its leftovers, exist.
 * On failure everything already made is undone before returning.
 * Returns 0 and *out, or -1 and *err. */
int lab_create(struct event_base *base, struct scenario *sc, const char *name, lab_ready_cb *cb,
               void *cb_arg, struct lab **out, struct lab_error **err);

/* Stops every process of the lab, undoes its ledger and frees it.  Returns 0,
 * or -1 and *err naming what could not be removed (the lab is freed anyway). */
int lab_destroy(struct lab *lab, struct lab_error **err);

const char *lab_name(const struct lab *lab);

/* The host pid of node `node`'s init while it runs, else 0. */
pid_t lab_node_pid(const struct lab *lab, const char *node);
enum lab_state lab_state(const struct lab *lab);

/* The lab's events (lab-events.h); owned by the lab. */
struct lab_events *lab_events(const struct lab *lab);

/* New JSON objects (caller owns): the API's LAB_STATUS and LAB_SUMMARY. */
struct json_object *lab_status_json(const struct lab *lab);
struct json_object *lab_summary_json(const struct lab *lab);

#endif
