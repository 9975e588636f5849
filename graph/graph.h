/* The lab as a picture: one graph model, built from a running lab (its
 * status and active faults, as the REST API gives them) or from a scenario
 * file (the plan, no daemon), and written as Graphviz dot, Mermaid, JSON (the
 * model itself, which the web view draws too) or SVG (laid out by Graphviz's
 * own library, libgvc).
 *
 * The model is a compound graph: every vertex has a kind and a parent (the
 * fabric and the nodes at the top; a node holds its bridge br0, its eth0, its
 * daemons and its pods; br0 holds vxlan0, tun0 and one port per pod; a pod
 * holds its containers).  Edges are the node's cable into the fabric, a pod's
 * attachment to its br0 port, the VXLAN tunnels (one per ordered pair of
 * nodes, labelled with the remote's underlay address) and the checks (from
 * their source to their target, passed or failed).  An active fault marks
 * the element it breaks ("broken", with the fault's name). */
#ifndef NODELAB_GRAPH_H
#define NODELAB_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct api_lab_status;
struct api_faults;
struct scenario;
struct json_object;

enum graph_vertex_kind {
  GRAPH_V_FABRIC,    /* the underlay's namespace */
  GRAPH_V_UNDERLAY,  /* its Linux bridge */
  GRAPH_V_NODE,      /* a node (a compound: holds the rest) */
  GRAPH_V_BRIDGE,    /* a node's br0 */
  GRAPH_V_PORT,      /* a port of br0: vxlan0, tun0, a pod's */
  GRAPH_V_NIC,       /* a node's eth0, its cable into the fabric */
  GRAPH_V_DAEMON,    /* ovsdb-server, ovs-vswitchd, netd, runtime */
  GRAPH_V_POD,       /* a pod (a compound: holds its containers) */
  GRAPH_V_CONTAINER, /* a container of a pod */
  GRAPH_V__COUNT
};

enum graph_edge_kind {
  GRAPH_E_CABLE,  /* a node's eth0 to the underlay bridge */
  GRAPH_E_ATTACH, /* a pod to its port on br0 */
  GRAPH_E_TUNNEL, /* vxlan0 of a node to vxlan0 of another */
  GRAPH_E_CHECK,  /* a check, from its source to its target */
  GRAPH_E__COUNT
};

/* "fabric", "node", ...; "cable", "tunnel", ...: static storage. */
const char *graph_vertex_kind_name(enum graph_vertex_kind k);
const char *graph_edge_kind_name(enum graph_edge_kind k);

struct graph_vertex {
  char *id;     /* unique: "node:node1", "port:node1:vxlan0", "pod:web", "ctr:web/httpd" */
  char *parent; /* a vertex id, or NULL at the top */
  enum graph_vertex_kind kind;
  char *label;   /* its name */
  char *detail;  /* addresses, in words ("192.168.122.202/24, pods 10.1.1.0/24"), or NULL */
  char *state;   /* "running", "exited", "planned"...: the lab's word, or NULL */
  char **faults; /* NULL-terminated names of the active faults that break it, or NULL */
};

struct graph_edge {
  char *id;
  enum graph_edge_kind kind;
  char *source, *target; /* vertex ids */
  char *label;           /* "192.168.122.203" (a tunnel's remote), a check's name, or NULL */
  char *state;           /* checks: "passed", "failed" or NULL (not run); else NULL */
  char *reason;          /* a failed check's reason, or NULL */
  char **faults;
};

struct graph {
  char *lab;
  bool live; /* from a running lab; false: a scenario's plan */
  struct graph_vertex *vertices;
  size_t n_vertices;
  struct graph_edge *edges;
  size_t n_edges;
};

/* The running lab st, with faults (its GET /faults reply; NULL: none shown).
 * Returns a new graph (free with graph_free). */
struct graph *graph_from_status(const struct api_lab_status *st, const struct api_faults *faults);

/* A scenario's plan: its nodes with their addresses, pods and containers
 * "planned", checks not run, no fault. */
struct graph *graph_from_scenario(const struct scenario *sc);

void graph_free(struct graph *g);

/* Finders (NULL when absent). */
const struct graph_vertex *graph_vertex(const struct graph *g, const char *id);
const struct graph_edge *graph_edge(const struct graph *g, const char *id);

/* The writers: a malloc'd text (the caller frees it). */
char *graph_to_dot(const struct graph *g);
char *graph_to_mermaid(const struct graph *g);
/* {"lab", "live", "nodes": [{"id", "kind", "parent", "label", "detail", "state",
 * "faults": [...]}], "edges": [{"id", "kind", "source", "target", "label", "state",
 * "reason", "faults": [...]}]}: a new object. */
struct json_object *graph_to_json(const struct graph *g);

/* The dot text laid out and rendered as SVG by libgvc: 0 and a malloc'd
 * *svg of *len bytes, or -1 and *err. */
int graph_to_svg(const struct graph *g, char **svg, size_t *len, struct lab_error **err);

#endif
