/* The graph model as JSON: what `nodelab graph --format json` prints and
 * the web view draws (graph.h gives the shape). */
#include "graph.h"

#include <json-c/json.h>

static struct json_object *str_or_null(const char *s)
{
  return s ? json_object_new_string(s) : NULL;
}

static struct json_object *faults_json(char *const *faults)
{
  struct json_object *a = json_object_new_array();
  for (size_t i = 0; faults != NULL && faults[i] != NULL; i++)
    json_object_array_add(a, json_object_new_string(faults[i]));
  return a;
}

struct json_object *graph_to_json(const struct graph *g)
{
  struct json_object *o = json_object_new_object(), *nodes = json_object_new_array(),
                     *edges = json_object_new_array();
  json_object_object_add(o, "lab", json_object_new_string(g->lab));
  json_object_object_add(o, "live", json_object_new_boolean(g->live));
  for (size_t i = 0; i < g->n_vertices; i++) {
    const struct graph_vertex *v = &g->vertices[i];
    struct json_object *n = json_object_new_object();
    json_object_object_add(n, "id", json_object_new_string(v->id));
    json_object_object_add(n, "kind", json_object_new_string(graph_vertex_kind_name(v->kind)));
    json_object_object_add(n, "parent", str_or_null(v->parent));
    json_object_object_add(n, "label", json_object_new_string(v->label));
    json_object_object_add(n, "detail", str_or_null(v->detail));
    json_object_object_add(n, "state", str_or_null(v->state));
    json_object_object_add(n, "faults", faults_json(v->faults));
    json_object_array_add(nodes, n);
  }
  for (size_t i = 0; i < g->n_edges; i++) {
    const struct graph_edge *e = &g->edges[i];
    struct json_object *n = json_object_new_object();
    json_object_object_add(n, "id", json_object_new_string(e->id));
    json_object_object_add(n, "kind", json_object_new_string(graph_edge_kind_name(e->kind)));
    json_object_object_add(n, "source", json_object_new_string(e->source));
    json_object_object_add(n, "target", json_object_new_string(e->target));
    json_object_object_add(n, "label", str_or_null(e->label));
    json_object_object_add(n, "state", str_or_null(e->state));
    json_object_object_add(n, "reason", str_or_null(e->reason));
    json_object_object_add(n, "faults", faults_json(e->faults));
    json_object_array_add(edges, n);
  }
  json_object_object_add(o, "nodes", nodes);
  json_object_object_add(o, "edges", edges);
  return o;
}
