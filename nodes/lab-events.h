/* A lab's events: what happened to its nodes, daemons and pods, in order.
 * Kept in a bounded ring (the oldest are dropped), numbered from 1, and
 * delivered to whoever waits for the next one (the API's long poll). */
#ifndef NODELAB_LAB_EVENTS_H
#define NODELAB_LAB_EVENTS_H

#include <stdint.h>

struct json_object;
struct lab_events;

/* Called once for a waiter: when an event numbered >= its `since` exists, or
 * with events == NULL when the lab goes away. */
typedef void lab_events_wait_cb(struct json_object *events, void *arg);

struct lab_events *lab_events_new(void);
/* Wakes every waiter with NULL, then frees. */
void lab_events_free(struct lab_events *ev);

/* Records an event: kind ("node-ready", "daemon-exited"...), object (a node,
 * "node/daemon" or a pod; NULL for the lab), and a message. */
void lab_events_add(struct lab_events *ev, const char *kind, const char *object, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));

/* {"events": [{"seq", "time", "kind", "object", "message"}...], "next": N}:
 * the events numbered >= since that are still kept.  New object. */
struct json_object *lab_events_json(const struct lab_events *ev, uint64_t since);

/* The number the next event will get. */
uint64_t lab_events_next(const struct lab_events *ev);

/* Registers a one-shot waiter for events numbered >= since; returns a handle
 * for lab_events_cancel(). */
void *lab_events_wait(struct lab_events *ev, uint64_t since, lab_events_wait_cb *cb, void *arg);
void lab_events_cancel(struct lab_events *ev, void *handle);

#endif
