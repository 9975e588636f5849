/* A running lab as graph/graph.h's model, for GET /v1/labs/LAB/graph (the
 * web view draws it; `nodelab graph` builds the same from the API). */
#ifndef NODELAB_LAB_GRAPH_H
#define NODELAB_LAB_GRAPH_H

struct json_object;
struct lab;

/* The graph's JSON (graph_to_json) of lab as it is now: a new object, or
 * {"error"} with *code 500 when the lab's own replies do not decode. */
struct json_object *lab_graph_json(struct lab *lab, int *code);

#endif
