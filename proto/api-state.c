/* The REST API's lab state message (api-state.h). */
#include "api-state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "xalloc.h"

static int shape_error(struct lab_error **err, const char *what)
{
  return lab_error_set(err, EPROTO, "malformed reply: %s", what);
}

struct json_object *api_state_encode(const struct api_state *m)
{
  struct json_object *o = json_object_new_object();
  json_add_str(o, "lab", m->lab);
  struct json_object *nodes = json_object_new_array();
  for (size_t i = 0; i < m->n_nodes; i++) {
    const struct api_state_node *n = &m->nodes[i];
    struct json_object *no = json_object_new_object();
    json_add_str(no, "name", n->name);
    struct json_object *lines = json_object_new_array();
    for (size_t j = 0; j < n->n_lines; j++)
      json_object_array_add(lines, json_object_new_string(n->lines[j]));
    json_object_object_add(no, "lines", lines);
    json_object_array_add(nodes, no);
  }
  json_object_object_add(o, "nodes", nodes);
  return o;
}

int api_state_decode(struct json_object *o, struct api_state *out, struct lab_error **err)
{
  memset(out, 0, sizeof *out);
  if (!json_object_is_type(o, json_type_object))
    return shape_error(err, "the state is not an object");
  out->lab = json_get_str(o, "lab");
  struct json_object *nodes = json_get_array(o, "nodes");
  if (nodes == NULL)
    return json_object_object_get_ex(o, "nodes", NULL) ? shape_error(err, "nodes is not an array")
                                                       : 0;
  size_t n = json_object_array_length(nodes);
  out->nodes = xcalloc(n, sizeof *out->nodes);
  for (size_t i = 0; i < n; i++) {
    struct json_object *no = json_object_array_get_idx(nodes, i);
    struct json_object *lines = json_get_array(no, "lines");
    const char *name = json_get_str(no, "name");
    if (name == NULL || (lines == NULL && json_object_object_get_ex(no, "lines", NULL))) {
      api_state_release(out);
      return shape_error(err, "a node's state needs a name and an array of lines");
    }
    struct api_state_node *sn = &out->nodes[out->n_nodes++];
    sn->name = name;
    size_t nl = lines != NULL ? json_object_array_length(lines) : 0;
    sn->lines = xcalloc(nl, sizeof *sn->lines);
    for (size_t j = 0; j < nl; j++) {
      struct json_object *l = json_object_array_get_idx(lines, j);
      if (!json_object_is_type(l, json_type_string)) {
        api_state_release(out);
        return shape_error(err, "a state line is not a string");
      }
      sn->lines[sn->n_lines++] = json_object_get_string(l);
    }
  }
  return 0;
}

void api_state_release(struct api_state *m)
{
  for (size_t i = 0; i < m->n_nodes; i++)
    free(m->nodes[i].lines);
  free(m->nodes);
  m->nodes = NULL;
  m->n_nodes = 0;
}
