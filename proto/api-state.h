/* The REST API's lab state message (engine/labstate.h's capture on the wire):
 *
 *   GET /v1/labs/LAB/state[?node=NODE]
 *       200 {"lab": "LAB", "nodes": [{"name": "node1", "lines": ["net link ...", ...]}, ...]}
 *       one entry per node and one named "fabric" (the underlay's namespace), each with
 *       its sorted lines; 404 no such lab or node, 409 the lab is not up
 *
 * Strings are borrowed as in api.h; the decoder mallocs the arrays (release
 * them with api_state_release()). */
#ifndef NODELAB_PROTO_API_STATE_H
#define NODELAB_PROTO_API_STATE_H

#include <stddef.h>

#include "error.h"

struct json_object;

struct api_state_node {
  const char *name;
  const char **lines;
  size_t n_lines;
};

struct api_state {
  const char *lab;
  struct api_state_node *nodes;
  size_t n_nodes;
};

struct json_object *api_state_encode(const struct api_state *m);
/* Refuses a reply that is not of this shape (EPROTO: "malformed reply: ..."). */
int api_state_decode(struct json_object *o, struct api_state *out, struct lab_error **err);
void api_state_release(struct api_state *m);

#endif
