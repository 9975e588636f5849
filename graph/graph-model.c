/* The graph model, built from a running lab's status and faults or from a
 * scenario's plan (graph.h).  Both builders go through the same lab-shaped
 * steps (fabric, node, pod, tunnels, check), so the picture of a plan and of
 * the lab it becomes differ only in states, addresses the runtime assigned,
 * and faults. */
#include "graph.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api-faults.h"
#include "api.h"
#include "ipv4.h"
#include "scenario.h"
#include "strv.h"
#include "xalloc.h"

static const char *const vertex_kind_names[GRAPH_V__COUNT] = {
    [GRAPH_V_FABRIC] = "fabric", [GRAPH_V_UNDERLAY] = "underlay", [GRAPH_V_NODE] = "node",
    [GRAPH_V_BRIDGE] = "bridge", [GRAPH_V_PORT] = "port",         [GRAPH_V_NIC] = "nic",
    [GRAPH_V_DAEMON] = "daemon", [GRAPH_V_POD] = "pod",           [GRAPH_V_CONTAINER] = "container",
};
static const char *const edge_kind_names[GRAPH_E__COUNT] = {
    [GRAPH_E_CABLE] = "cable",
    [GRAPH_E_ATTACH] = "attach",
    [GRAPH_E_TUNNEL] = "tunnel",
    [GRAPH_E_CHECK] = "check",
};

const char *graph_vertex_kind_name(enum graph_vertex_kind k)
{
  return k < GRAPH_V__COUNT ? vertex_kind_names[k] : "?";
}

bool graph_vertex_kind_is_compound(enum graph_vertex_kind k)
{
  return k == GRAPH_V_FABRIC || k == GRAPH_V_NODE || k == GRAPH_V_BRIDGE || k == GRAPH_V_POD;
}

const char *graph_edge_kind_name(enum graph_edge_kind k)
{
  return k < GRAPH_E__COUNT ? edge_kind_names[k] : "?";
}

static char *dup_or_null(const char *s)
{
  return s ? xstrdup(s) : NULL;
}

static void add_vertex(struct graph *g, enum graph_vertex_kind kind, const char *parent,
                       const char *label, const char *detail, const char *state, const char *id_fmt,
                       ...) __attribute__((format(printf, 7, 8)));

static void add_vertex(struct graph *g, enum graph_vertex_kind kind, const char *parent,
                       const char *label, const char *detail, const char *state, const char *id_fmt,
                       ...)
{
  struct graph_vertex v = {.kind = kind,
                           .parent = dup_or_null(parent),
                           .label = xstrdup(label),
                           .detail = dup_or_null(detail),
                           .state = dup_or_null(state)};
  va_list ap;
  va_start(ap, id_fmt);
  if (vasprintf(&v.id, id_fmt, ap) < 0)
    abort();
  va_end(ap);
  *XAPPEND(g->vertices, g->n_vertices) = v;
}

static void add_edge(struct graph *g, enum graph_edge_kind kind, const char *id, const char *source,
                     const char *target, const char *label, const char *state, const char *reason)
{
  struct graph_edge e = {.id = xstrdup(id),
                         .kind = kind,
                         .source = xstrdup(source),
                         .target = xstrdup(target),
                         .label = dup_or_null(label),
                         .state = dup_or_null(state),
                         .reason = dup_or_null(reason)};
  *XAPPEND(g->edges, g->n_edges) = e;
}

const struct graph_vertex *graph_vertex(const struct graph *g, const char *id)
{
  for (size_t i = 0; i < g->n_vertices; i++)
    if (strcmp(g->vertices[i].id, id) == 0)
      return &g->vertices[i];
  return NULL;
}

const struct graph_edge *graph_edge(const struct graph *g, const char *id)
{
  for (size_t i = 0; i < g->n_edges; i++)
    if (strcmp(g->edges[i].id, id) == 0)
      return &g->edges[i];
  return NULL;
}

/* ---- the lab's shape, shared by both builders ---- */

static void add_fabric(struct graph *g, const char *bridge)
{
  add_vertex(g, GRAPH_V_FABRIC, NULL, "fabric", NULL, NULL, "fabric");
  add_vertex(g, GRAPH_V_UNDERLAY, "fabric", bridge, "the underlay's Linux bridge", NULL,
             "underlay");
}

/* The address after a CIDR's network address, as text ("10.1.1.0/24" -> "10.1.1.1"). */
static void gateway_text(const char *cidr, char out[IPV4_STRLEN])
{
  uint32_t a;
  out[0] = '\0';
  if (ipv4_parse(cidr, &a, NULL) == 0)
    ipv4_format(a + 1, out);
}

/* A node with its eth0 cable (fabric_port: the fabric's end, or NULL), br0,
 * vxlan0 and tun0. */
static void add_node(struct graph *g, const char *name, const char *underlay, const char *subnet,
                     const char *state, const char *fabric_port)
{
  char detail[128], nid[64], br[80], gw[IPV4_STRLEN], tun0[64];
  snprintf(detail, sizeof detail, "underlay %s, pods %s", underlay, subnet);
  snprintf(nid, sizeof nid, "node:%s", name);
  snprintf(br, sizeof br, "br0:%s", name);
  add_vertex(g, GRAPH_V_NODE, NULL, name, detail, state, "%s", nid);
  add_vertex(g, GRAPH_V_NIC, nid, "eth0", underlay, NULL, "nic:%s", name);
  add_vertex(g, GRAPH_V_BRIDGE, nid, "br0", NULL, NULL, "%s", br);
  add_vertex(g, GRAPH_V_PORT, br, "vxlan0", "OpenFlow port 1", NULL, "port:%s:vxlan0", name);
  gateway_text(subnet, gw);
  snprintf(tun0, sizeof tun0, "OpenFlow port 2, gateway %s", gw);
  add_vertex(g, GRAPH_V_PORT, br, "tun0", tun0, NULL, "port:%s:tun0", name);
  char id[96], nic[80];
  snprintf(id, sizeof id, "cable:%s", name);
  snprintf(nic, sizeof nic, "nic:%s", name);
  add_edge(g, GRAPH_E_CABLE, id, nic, "underlay", fabric_port, NULL, NULL);
}

/* A pod on node, with its port on br0 and the attachment between them. */
static void add_pod(struct graph *g, const char *name, const char *node, const char *ip,
                    const char *state)
{
  char nid[64], br[80], pid[64], port[96], id[96];
  snprintf(nid, sizeof nid, "node:%s", node);
  snprintf(br, sizeof br, "br0:%s", node);
  snprintf(pid, sizeof pid, "pod:%s", name);
  add_vertex(g, GRAPH_V_POD, nid, name, ip, state, "%s", pid);
  snprintf(port, sizeof port, "port:%s:%s", node, name);
  add_vertex(g, GRAPH_V_PORT, br, name, "the pod's veth", NULL, "%s", port);
  snprintf(id, sizeof id, "attach:%s", name);
  add_edge(g, GRAPH_E_ATTACH, id, pid, port, NULL, NULL, NULL);
}

static void add_container(struct graph *g, const char *pod, const char *name, const char *state)
{
  char pid[64];
  snprintf(pid, sizeof pid, "pod:%s", pod);
  add_vertex(g, GRAPH_V_CONTAINER, pid, name, NULL, state, "ctr:%s/%s", pod, name);
}

/* One tunnel per ordered pair of nodes: a's vxlan0 to b's, labelled with b's
 * underlay address (what a's table 90 sets as tun_dst). */
static void add_tunnels(struct graph *g, const char *const *names, const char *const *underlays,
                        size_t n)
{
  for (size_t a = 0; a < n; a++)
    for (size_t b = 0; b < n; b++) {
      if (a == b)
        continue;
      char id[96], src[64], dst[64], remote[INET_ADDRSTRLEN];
      snprintf(id, sizeof id, "tunnel:%s:%s", names[a], names[b]);
      snprintf(src, sizeof src, "port:%s:vxlan0", names[a]);
      snprintf(dst, sizeof dst, "port:%s:vxlan0", names[b]);
      snprintf(remote, sizeof remote, "%.*s", (int)strcspn(underlays[b], "/"), underlays[b]);
      add_edge(g, GRAPH_E_TUNNEL, id, src, dst, remote, NULL, NULL);
    }
}

/* The vertex a check's "from" names: "NODE", "NODE/POD", "NODE/POD/CTR". */
static void from_vertex(const char *from, char out[128])
{
  const char *slash = strchr(from, '/');
  if (slash == NULL) {
    snprintf(out, 128, "node:%s", from);
    return;
  }
  const char *pod = slash + 1, *ctr = strchr(pod, '/');
  if (ctr == NULL)
    snprintf(out, 128, "pod:%s", pod);
  else
    snprintf(out, 128, "ctr:%.*s%s", (int)(ctr - pod), pod, ctr);
}

/* The vertex a check's target names: a pod or a node by name or address
 * ("web:8080", "node2", "10.1.1.2"); false when it names neither. */
static bool to_vertex(const struct graph *g, const char *to, char out[128])
{
  char host[64];
  snprintf(host, sizeof host, "%.*s", (int)strcspn(to, ":"), to);
  snprintf(out, 128, "pod:%s", host);
  if (graph_vertex(g, out) != NULL)
    return true;
  snprintf(out, 128, "node:%s", host);
  if (graph_vertex(g, out) != NULL)
    return true;
  size_t len = strlen(host);
  for (size_t i = 0; i < g->n_vertices; i++) {
    const struct graph_vertex *v = &g->vertices[i];
    if (v->detail == NULL || (v->kind != GRAPH_V_POD && v->kind != GRAPH_V_NIC))
      continue;
    if (strncmp(v->detail, host, len) == 0 && (v->detail[len] == '\0' || v->detail[len] == '/')) {
      snprintf(out, 128, "%s", v->kind == GRAPH_V_NIC ? v->parent : v->id);
      return true;
    }
  }
  return false;
}

/* A check: an edge from its source to its target (to itself for an exec
 * check, which runs where it is). */
static void add_check(struct graph *g, const char *name, const char *from, const char *to,
                      const char *state, const char *reason)
{
  char src[128], dst[128], id[96];
  from_vertex(from, src);
  if (graph_vertex(g, src) == NULL)
    return;
  if (to == NULL || to[0] == '\0' || strcmp(to, "-") == 0)
    snprintf(dst, sizeof dst, "%s", src);
  else if (!to_vertex(g, to, dst))
    return; /* an address outside the lab's elements: nothing to point at */
  snprintf(id, sizeof id, "check:%s", name);
  add_edge(g, GRAPH_E_CHECK, id, src, dst, name, state, reason);
}

static struct graph *graph_new(const char *lab, bool live)
{
  struct graph *g = xcalloc(1, sizeof *g);
  g->lab = xstrdup(lab);
  g->live = live;
  return g;
}

/* ---- faults: which element each one breaks ---- */

static const char *param(const struct api_active_fault *f, const char *key)
{
  for (size_t i = 0; i < f->n_params; i++)
    if (strcmp(f->params[i].key, key) == 0)
      return f->params[i].value;
  return NULL;
}

static void mark_vertex(struct graph *g, const char *id, const char *fault)
{
  for (size_t i = 0; i < g->n_vertices; i++)
    if (strcmp(g->vertices[i].id, id) == 0)
      strv_push(&g->vertices[i].faults, fault);
}

static bool mark_edge(struct graph *g, const char *id, const char *fault)
{
  for (size_t i = 0; i < g->n_edges; i++)
    if (strcmp(g->edges[i].id, id) == 0) {
      strv_push(&g->edges[i].faults, fault);
      return true;
    }
  return false;
}

/* Marks the most precise element f breaks: the tunnel between two nodes,
 * a node's cable or VXLAN port, a container, a pod, a daemon, a link, else
 * the node. */
static void mark_fault(struct graph *g, const struct api_active_fault *f)
{
  const char *label = f->name ? f->name : f->kind;
  const char *node = param(f, "node"), *remote = param(f, "remote"), *pod = param(f, "pod");
  const char *ctr = param(f, "container"), *link = param(f, "link"), *daemon = param(f, "daemon");
  char id[160];
  if (node != NULL && remote != NULL) {
    snprintf(id, sizeof id, "tunnel:%s:%s", node, remote);
    mark_edge(g, id, label);
    if (strcmp(f->kind, "partition") == 0) {
      snprintf(id, sizeof id, "tunnel:%s:%s", remote, node);
      mark_edge(g, id, label);
    }
    return;
  }
  if (node != NULL && strcmp(f->kind, "underlay-down") == 0) {
    snprintf(id, sizeof id, "cable:%s", node);
    mark_edge(g, id, label);
    return;
  }
  if (node != NULL && strcmp(f->kind, "tunnel-port-delete") == 0)
    snprintf(id, sizeof id, "port:%s:vxlan0", node);
  else if (pod != NULL && ctr != NULL)
    snprintf(id, sizeof id, "ctr:%s/%s", pod, ctr);
  else if (pod != NULL)
    snprintf(id, sizeof id, "pod:%s", pod);
  else if (node != NULL && daemon != NULL)
    snprintf(id, sizeof id, "daemon:%s:%s", node, daemon);
  else if (node != NULL && link != NULL && strcmp(link, "eth0") == 0)
    snprintf(id, sizeof id, "nic:%s", node);
  else if (node != NULL && link != NULL)
    snprintf(id, sizeof id, "port:%s:%s", node, link);
  else if (node != NULL)
    snprintf(id, sizeof id, "node:%s", node);
  else
    return;
  if (graph_vertex(g, id) == NULL && node != NULL)
    snprintf(id, sizeof id, "node:%s", node); /* a link the picture does not draw */
  mark_vertex(g, id, label);
}

/* ---- the builders ---- */

struct graph *graph_from_status(const struct api_lab_status *st, const struct api_faults *faults)
{
  struct graph *g = graph_new(st->name, true);
  add_fabric(g, st->fabric.bridge ? st->fabric.bridge : "underlay");
  const char **names = xcalloc(st->n_nodes + 1, sizeof *names);
  const char **underlays = xcalloc(st->n_nodes + 1, sizeof *underlays);
  for (size_t i = 0; i < st->n_nodes; i++) {
    const struct api_node *n = &st->nodes[i];
    const char *peer = NULL;
    for (size_t j = 0; j < st->n_links; j++)
      if (st->links[j].node != NULL && strcmp(st->links[j].node, n->name) == 0)
        peer = st->links[j].peer;
    add_node(g, n->name, n->underlay ? n->underlay : "?", n->subnet ? n->subnet : "?",
             api_node_state_name(n->state), peer);
    for (size_t j = 0; j < n->n_daemons; j++) {
      const struct api_daemon *d = &n->daemons[j];
      char nid[64];
      snprintf(nid, sizeof nid, "node:%s", n->name);
      add_vertex(g, GRAPH_V_DAEMON, nid, d->name, NULL, api_daemon_state_name(d->state),
                 "daemon:%s:%s", n->name, d->name);
    }
    names[i] = n->name;
    underlays[i] = n->underlay ? n->underlay : "?";
  }
  for (size_t i = 0; i < st->n_pods; i++) {
    const struct api_pod *p = &st->pods[i];
    add_pod(g, p->name, p->node, p->ip, api_pod_state_name(p->state));
    for (size_t j = 0; j < p->n_containers; j++)
      add_container(g, p->name, p->containers[j].name, p->containers[j].state);
  }
  add_tunnels(g, names, underlays, st->n_nodes);
  free(names);
  free(underlays);
  for (size_t i = 0; i < st->n_checks; i++) {
    const struct api_check *c = &st->checks[i];
    add_check(g, c->name, c->from, c->to, api_check_result_name(c->result), c->reason);
  }
  for (size_t i = 0; faults != NULL && i < faults->n_active; i++)
    if (faults->active[i].state == API_FAULT_ACTIVE)
      mark_fault(g, &faults->active[i]);
  return g;
}

struct graph *graph_from_scenario(const struct scenario *sc)
{
  struct graph *g = graph_new(sc->name, false);
  add_fabric(g, "underlay");
  const char **names = xcalloc(sc->n_nodes + 1, sizeof *names);
  char **underlays = xcalloc(sc->n_nodes + 1, sizeof *underlays);
  for (size_t i = 0; i < sc->n_nodes; i++) {
    const struct scenario_node *n = &sc->nodes[i];
    char u[INET_ADDRSTRLEN], s[INET_ADDRSTRLEN];
    ipv4_format(n->underlay, u);
    ipv4_format(n->subnet.addr, s);
    underlays[i] = xasprintf("%s/%d", u, sc->underlay.prefix);
    char *subnet = xasprintf("%s/%d", s, n->subnet.prefix);
    add_node(g, n->name, underlays[i], subnet, "planned", NULL);
    free(subnet);
    names[i] = n->name;
  }
  for (size_t i = 0; i < sc->n_pods; i++) {
    const struct scenario_pod *p = &sc->pods[i];
    add_pod(g, p->name, p->node, NULL, "planned");
    for (size_t j = 0; j < p->n_containers; j++)
      add_container(g, p->name, p->containers[j].name, "planned");
  }
  add_tunnels(g, names, (const char *const *)underlays, sc->n_nodes);
  for (size_t i = 0; i < sc->n_nodes; i++)
    free(underlays[i]);
  free(names);
  free(underlays);
  for (size_t i = 0; i < sc->n_checks; i++) {
    const struct scenario_check *c = &sc->checks[i];
    add_check(g, c->name, c->from, c->kind == CHECK_EXEC ? NULL : c->target, NULL, NULL);
  }
  return g;
}

void graph_free(struct graph *g)
{
  if (g == NULL)
    return;
  for (size_t i = 0; i < g->n_vertices; i++) {
    struct graph_vertex *v = &g->vertices[i];
    free(v->id);
    free(v->parent);
    free(v->label);
    free(v->detail);
    free(v->state);
    strv_free(v->faults);
  }
  for (size_t i = 0; i < g->n_edges; i++) {
    struct graph_edge *e = &g->edges[i];
    free(e->id);
    free(e->source);
    free(e->target);
    free(e->label);
    free(e->state);
    free(e->reason);
    strv_free(e->faults);
  }
  free(g->vertices);
  free(g->edges);
  free(g->lab);
  free(g);
}
