/* A running lab's whole state (engine/labstate.h), for the API's
 * GET /v1/labs/LAB/state (proto/api-state.h). */
#ifndef NODELAB_LAB_STATE_H
#define NODELAB_LAB_STATE_H

struct json_object;
struct lab;

/* Captures the state of every node of lab and its fabric (node NULL), or of
 * the node named node, and returns a new object: api_lab_state (*code 200),
 * or {"error"} with *code 404 (no such node), 409 (the lab is not up) or
 * 500. */
struct json_object *lab_state_get(struct lab *lab, const char *node, int *code);

#endif
