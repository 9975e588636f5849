/* graph/: the model from a lab's status and faults and from a scenario, and
 * its writers (dot, Mermaid, JSON; SVG through libgvc). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "api-faults.h"
#include "api.h"
#include "graph.h"
#include "scenario.h"

static size_t count_vertices(const struct graph *g, enum graph_vertex_kind k)
{
  size_t n = 0;
  for (size_t i = 0; i < g->n_vertices; i++)
    n += g->vertices[i].kind == k;
  return n;
}

static size_t count_edges(const struct graph *g, enum graph_edge_kind k)
{
  size_t n = 0;
  for (size_t i = 0; i < g->n_edges; i++)
    n += g->edges[i].kind == k;
  return n;
}

/* A small running lab: two nodes, a pod with a container on node1, checks. */
static struct graph *small_lab(const struct api_active_fault *active, size_t n_active)
{
  static struct api_daemon daemons[] = {
      {.name = "ovs-vswitchd", .state = API_DAEMON_READY, .pid = 10},
      {.name = "netd", .state = API_DAEMON_EXITED, .pid = 0},
  };
  static struct api_node nodes[] = {
      {.name = "node1",
       .state = API_NODE_RUNNING,
       .underlay = "192.168.122.201/24",
       .subnet = "10.1.0.0/24",
       .daemons = daemons,
       .n_daemons = 2},
      {.name = "node2",
       .state = API_NODE_RUNNING,
       .underlay = "192.168.122.202/24",
       .subnet = "10.1.1.0/24"},
  };
  static struct api_container ctrs[] = {{.id = "abc", .name = "httpd", .state = "running"}};
  static struct api_pod pods[] = {{.name = "web",
                                   .node = "node1",
                                   .state = API_POD_RUNNING,
                                   .ip = "10.1.0.2",
                                   .containers = ctrs,
                                   .n_containers = 1}};
  static struct api_link links[] = {{.node = "node1", .ifname = "eth0", .peer = "vn1"},
                                    {.node = "node2", .ifname = "eth0", .peer = "vn2"}};
  static struct api_check checks[] = {
      {.name = "to-web",
       .from = "node2",
       .to = "web:8080",
       .result = API_CHECK_FAILED,
       .reason = "HTTP 404"},
      {.name = "by-address",
       .from = "node1/web",
       .to = "192.168.122.202",
       .result = API_CHECK_PASSED},
      {.name = "chmod", .from = "node1/web/httpd", .to = "-", .result = API_CHECK_PASSED},
      {.name = "outside", .from = "node1", .to = "8.8.8.8", .result = API_CHECK_PASSED},
  };
  struct api_lab_status st = {.name = "t",
                              .nodes = nodes,
                              .n_nodes = 2,
                              .pods = pods,
                              .n_pods = 1,
                              .links = links,
                              .n_links = 2,
                              .fabric = {.bridge = "underlay"},
                              .checks = checks,
                              .n_checks = 4};
  struct api_faults faults = {.active = (struct api_active_fault *)active, .n_active = n_active};
  return graph_from_status(&st, &faults);
}

static void test_status_shape(void **state)
{
  (void)state;
  struct graph *g = small_lab(NULL, 0);
  assert_true(g->live);
  assert_int_equal(count_vertices(g, GRAPH_V_NODE), 2);
  assert_int_equal(count_vertices(g, GRAPH_V_POD), 1);
  assert_int_equal(count_vertices(g, GRAPH_V_CONTAINER), 1);
  assert_int_equal(count_vertices(g, GRAPH_V_DAEMON), 2);
  /* br0 of each node holds vxlan0, tun0, and one port per pod. */
  assert_int_equal(count_vertices(g, GRAPH_V_PORT), 5);
  assert_string_equal(graph_vertex(g, "port:node1:web")->parent, "br0:node1");
  assert_string_equal(graph_vertex(g, "port:node2:tun0")->detail,
                      "OpenFlow port 2, gateway 10.1.1.1");
  assert_string_equal(graph_vertex(g, "daemon:node1:netd")->state, "exited");
  /* One tunnel per ordered pair, labelled with the remote's underlay address. */
  assert_int_equal(count_edges(g, GRAPH_E_TUNNEL), 2);
  const struct graph_edge *t = graph_edge(g, "tunnel:node1:node2");
  assert_string_equal(t->source, "port:node1:vxlan0");
  assert_string_equal(t->target, "port:node2:vxlan0");
  assert_string_equal(t->label, "192.168.122.202");
  assert_string_equal(graph_edge(g, "cable:node2")->label, "vn2");
  /* Checks: by name (the port stripped), by address, in place (exec); one
   * to an address outside the lab has nothing to point at. */
  const struct graph_edge *c = graph_edge(g, "check:to-web");
  assert_string_equal(c->source, "node:node2");
  assert_string_equal(c->target, "pod:web");
  assert_string_equal(c->state, "failed");
  assert_string_equal(c->reason, "HTTP 404");
  assert_string_equal(graph_edge(g, "check:by-address")->target, "node:node2");
  assert_string_equal(graph_edge(g, "check:chmod")->target, "ctr:web/httpd");
  assert_null(graph_edge(g, "check:outside"));
  graph_free(g);
}

static void test_faults_marked(void **state)
{
  (void)state;
  static struct api_fault_param tunnel[] = {{"node", "node1"}, {"remote", "node2"}};
  static struct api_fault_param part[] = {{"node", "node2"}, {"remote", "node1"}};
  static struct api_fault_param mtu[] = {{"node", "node2"}, {"link", "eth0"}, {"mtu", "1300"}};
  static struct api_fault_param pod[] = {{"pod", "web"}};
  static struct api_fault_param ctr[] = {{"pod", "web"}, {"container", "httpd"}};
  static struct api_fault_param dmn[] = {{"node", "node1"}, {"daemon", "netd"}};
  static struct api_fault_param link[] = {{"node", "node1"}, {"link", "br-phy"}};
  struct api_active_fault active[] = {
      {.name = "wrong-dst",
       .kind = "tunnel-dst",
       .state = API_FAULT_ACTIVE,
       .params = tunnel,
       .n_params = 2},
      {.kind = "partition", .state = API_FAULT_ACTIVE, .params = part, .n_params = 2},
      {.kind = "link-mtu", .state = API_FAULT_ACTIVE, .params = mtu, .n_params = 3},
      {.kind = "pod-route-delete", .state = API_FAULT_ACTIVE, .params = pod, .n_params = 1},
      {.kind = "cgroup-pids", .state = API_FAULT_ACTIVE, .params = ctr, .n_params = 2},
      {.kind = "daemon-kill", .state = API_FAULT_ACTIVE, .params = dmn, .n_params = 2},
      {.kind = "link-down", .state = API_FAULT_ACTIVE, .params = link, .n_params = 2},
      {.kind = "underlay-down", .state = API_FAULT_REPAIRED, .params = link, .n_params = 1},
  };
  struct graph *g = small_lab(active, sizeof active / sizeof active[0]);
  char *const *f = graph_edge(g, "tunnel:node1:node2")->faults;
  assert_non_null(f);
  assert_string_equal(f[0], "wrong-dst");
  assert_string_equal(f[1], "partition"); /* both ways */
  assert_string_equal(graph_edge(g, "tunnel:node2:node1")->faults[0], "partition");
  assert_string_equal(graph_vertex(g, "nic:node2")->faults[0], "link-mtu");
  assert_string_equal(graph_vertex(g, "pod:web")->faults[0], "pod-route-delete");
  assert_string_equal(graph_vertex(g, "ctr:web/httpd")->faults[0], "cgroup-pids");
  assert_string_equal(graph_vertex(g, "daemon:node1:netd")->faults[0], "daemon-kill");
  /* A link the picture does not draw: its node. */
  assert_string_equal(graph_vertex(g, "node:node1")->faults[0], "link-down");
  /* Repaired faults mark nothing. */
  assert_null(graph_edge(g, "cable:node1")->faults);

  char *dot = graph_to_dot(g);
  assert_non_null(strstr(dot, "broken: wrong-dst"));
  assert_non_null(strstr(dot, "subgraph \"cluster_node:node1\""));
  assert_non_null(strstr(dot, "lhead=\"cluster_pod:web\""));
  free(dot);
  char *mm = graph_to_mermaid(g);
  assert_non_null(strstr(mm, "flowchart LR"));
  assert_non_null(strstr(mm, "class pod_3aweb broken"));
  free(mm);
  graph_free(g);
}

static void test_json_and_svg(void **state)
{
  (void)state;
  struct graph *g = small_lab(NULL, 0);
  struct json_object *o = graph_to_json(g);
  struct json_object *nodes, *edges;
  assert_true(json_object_object_get_ex(o, "nodes", &nodes));
  assert_true(json_object_object_get_ex(o, "edges", &edges));
  assert_int_equal(json_object_array_length(nodes), g->n_vertices);
  assert_int_equal(json_object_array_length(edges), g->n_edges);
  struct json_object *first = json_object_array_get_idx(nodes, 0), *v;
  assert_true(json_object_object_get_ex(first, "kind", &v));
  assert_string_equal(json_object_get_string(v), "fabric");
  json_object_put(o);

  char *svg = NULL;
  size_t len = 0;
  struct lab_error *err = NULL;
  if (graph_to_svg(g, &svg, &len, &err) < 0)
    fail_msg("svg: %s", err->msg);
  assert_int_equal(strlen(svg), len);
  assert_non_null(strstr(svg, "<svg"));
  assert_non_null(strstr(svg, "node1"));
  assert_non_null(strstr(svg, "192.168.122.202"));
  free(svg);
  graph_free(g);
}

static void test_scenario_plan(void **state)
{
  (void)state;
  const char *yaml =
      "name: plan\n"
      "cluster:\n"
      "  nodes: {count: 3, prefix: n}\n"
      "  underlay: 172.30.5.0/24\n"
      "pods:\n"
      "  - {name: a, node: n2, containers: [{name: one, image: ubi}, {name: two, image: ubi}]}\n"
      "checks:\n"
      "  - {name: ping-a, from: n1, ping: a}\n"
      "  - {name: exec-a, from: n2/a/two, exec: [true]}\n";
  struct scenario *sc = NULL;
  struct lab_error *err = NULL;
  if (scenario_parse("plan.yaml", yaml, strlen(yaml), &sc, &err) < 0)
    fail_msg("%s", err->msg);
  struct graph *g = graph_from_scenario(sc);
  scenario_free(sc);
  assert_false(g->live);
  assert_int_equal(count_vertices(g, GRAPH_V_NODE), 3);
  assert_int_equal(count_vertices(g, GRAPH_V_CONTAINER), 2);
  assert_int_equal(count_edges(g, GRAPH_E_TUNNEL), 6);
  assert_string_equal(graph_vertex(g, "nic:n3")->detail, "172.30.5.203/24");
  assert_string_equal(graph_vertex(g, "pod:a")->state, "planned");
  assert_null(graph_vertex(g, "pod:a")->detail); /* no address before it runs */
  assert_string_equal(graph_edge(g, "check:ping-a")->target, "pod:a");
  assert_null(graph_edge(g, "check:ping-a")->state);
  assert_string_equal(graph_edge(g, "check:exec-a")->target, "ctr:a/two");
  graph_free(g);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_status_shape),
      cmocka_unit_test(test_faults_marked),
      cmocka_unit_test(test_json_and_svg),
      cmocka_unit_test(test_scenario_plan),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
