/* The lab as engine/labstate.h sees it: each node's init, daemons, pods
 * (their netns holders and OVS ports) and containers (their host pids and
 * cgroup directories), and the fabric; captured on request. */
#include "lab-state.h"
#include "lab-internal.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api-state.h"
#include "api.h"
#include "cgroup.h"
#include "cleanup.h"
#include "json.h"
#include "labstate.h"
#include "proc.h"
#include "scenario.h"
#include "strv.h"

/* Everything the view borrows, freed together. */
struct state_buf {
  struct labstate_node *nodes;
  size_t n_nodes;
  char **owned; /* strings the view points into */
  size_t n_owned;
  char ***dirs;
  size_t n_dirs;
};

static const char *own(struct state_buf *b, char *s)
{
  b->owned = xnonnull(realloc(b->owned, (b->n_owned + 1) * sizeof *b->owned));
  b->owned[b->n_owned++] = s;
  return s;
}

/* netd names a pod's port after its address (netd/netd-pods.c): "veth" and
 * the IPv4 address in 8 hex digits. */
static const char *pod_port(struct state_buf *b, const char *ip)
{
  struct in_addr a;
  if (ip == NULL || inet_pton(AF_INET, ip, &a) != 1)
    return NULL;
  return own(b, xasprintf("veth%08x", ntohl(a.s_addr)));
}

static void fill_node(const struct lab *lab, const struct lab_node *n, struct state_buf *b,
                      struct labstate_node *out)
{
  pid_t node_pid = lab_node_pid(lab, n->spec->name);
  struct labstate_daemon *daemons = xcalloc(n->n_daemons, sizeof *daemons);
  for (size_t i = 0; i < n->n_daemons; i++)
    daemons[i] = (struct labstate_daemon){
        .name = n->daemons[i].name,
        .running = n->daemons[i].pid > 0 &&
                   (n->daemons[i].state == DAEMON_STARTED || n->daemons[i].state == DAEMON_READY)};
  size_t n_pods = 0, n_ctrs = 0;
  for (size_t i = 0; i < lab->n_pods; i++)
    if (strcmp(lab->pods[i].spec->node, n->spec->name) == 0) {
      n_pods++;
      n_ctrs += lab->pods[i].spec->n_containers;
    }
  struct labstate_pod *pods = xcalloc(n_pods, sizeof *pods);
  struct labstate_container *ctrs = xcalloc(n_ctrs, sizeof *ctrs);
  size_t np = 0, nc = 0;
  for (size_t i = 0; i < lab->n_pods; i++) {
    const struct lab_pod *p = &lab->pods[i];
    if (strcmp(p->spec->node, n->spec->name) != 0)
      continue;
    struct labstate_pod *lp = &pods[np++];
    *lp = (struct labstate_pod){.name = p->spec->name};
    struct json_object *info = p->state == LAB_POD_RUNNING ? p->info : NULL;
    int64_t infra = json_get_int(info, "infra_pid", 0);
    if (node_pid > 0 && infra > 0)
      lp->netns_pid = proc_host_pid(node_pid, (pid_t)infra);
    lp->ovs_port = pod_port(b, json_get_str(info, "ip"));
    struct json_object *arr = json_get_array(info, "containers");
    /* One entry per container of the scenario, running or not, so that a
     * container gone is a difference. */
    for (size_t c = 0; c < p->spec->n_containers; c++) {
      struct labstate_container *lc = &ctrs[nc++];
      *lc = (struct labstate_container){.pod = p->spec->name, .name = p->spec->containers[c].name};
      for (size_t k = 0; arr != NULL && k < json_object_array_length(arr); k++) {
        struct json_object *co = json_object_array_get_idx(arr, k);
        const char *cname = json_get_str(co, "name");
        if (cname == NULL || strcmp(cname, lc->name) != 0)
          continue;
        const char *id = json_get_str(co, "id");
        char **dirs = NULL;
        cleanup_error struct lab_error *e = NULL;
        /* The container's cgroup as the runtime describes it, or as it
         * names it (runtime/container-lifecycle.c): its node's cgroup
         * parent, then its id. */
        const char *cg = json_get_str(co, "cgroup");
        cleanup_free char *rel = cg != NULL ? xstrdup(cg)
                                 : id != NULL
                                     ? xasprintf("nodelab/%s/%s/%s", lab->name, n->spec->name, id)
                                     : NULL;
        if (rel != NULL && lab->cg != NULL && cgroup_paths(lab->cg, rel, &dirs, &e) == 0) {
          b->dirs = xnonnull(realloc(b->dirs, (b->n_dirs + 1) * sizeof *b->dirs));
          b->dirs[b->n_dirs++] = dirs;
          lc->cgroup_dirs = (const char *const *)dirs;
        }
      }
    }
  }
  *out = (struct labstate_node){.name = n->spec->name,
                                .pid = node_pid,
                                .daemons = daemons,
                                .n_daemons = n->n_daemons,
                                .pods = pods,
                                .n_pods = np,
                                .containers = ctrs,
                                .n_containers = nc};
}

static void buf_release(struct state_buf *b)
{
  for (size_t i = 0; i < b->n_nodes; i++) {
    free((void *)b->nodes[i].daemons);
    free((void *)b->nodes[i].pods);
    free((void *)b->nodes[i].containers);
  }
  free(b->nodes);
  for (size_t i = 0; i < b->n_owned; i++)
    free(b->owned[i]);
  free(b->owned);
  for (size_t i = 0; i < b->n_dirs; i++)
    strv_free(b->dirs[i]);
  free(b->dirs);
}

static struct json_object *error_reply(int *code, int status, const char *msg)
{
  *code = status;
  return api_error_encode(&(struct api_error){.error = msg});
}

struct json_object *lab_state_get(struct lab *lab, const char *node, int *code)
{
  if (lab->state != LAB_UP) {
    char msg[128];
    snprintf(msg, sizeof msg, "lab %s is %s, not up", lab->name,
             api_lab_state_name((enum api_lab_state)lab->state));
    return error_reply(code, 409, msg);
  }
  struct state_buf b = {.nodes = xcalloc(lab->n_nodes + 1, sizeof *b.nodes)};
  for (size_t i = 0; i < lab->n_nodes; i++)
    fill_node(lab, &lab->nodes[i], &b, &b.nodes[b.n_nodes++]);
  b.nodes[b.n_nodes++] =
      (struct labstate_node){.name = LABSTATE_FABRIC, .pid = lab->fabric.pid, .is_fabric = true};
  struct labstate_view view = {b.nodes, b.n_nodes};
  struct labstate *st = NULL;
  cleanup_error struct lab_error *err = NULL;
  int rc = labstate_capture(&view, node, labstate_backend_real(), &st, &err);
  buf_release(&b);
  if (rc < 0)
    return error_reply(code, err->errnum == ENOENT ? 404 : 500, err->msg);

  struct api_state m = {
      .lab = lab->name, .nodes = xcalloc(st->n_entries, sizeof *m.nodes), .n_nodes = st->n_entries};
  char **lines_of = xcalloc(st->n_entries, sizeof *lines_of);
  for (size_t i = 0; i < st->n_entries; i++) {
    struct api_state_node *sn = &m.nodes[i];
    sn->name = st->entries[i].name;
    /* Split the text in place: one string per line. */
    char *t = st->entries[i].text;
    size_t n = 0;
    for (const char *p = t; *p; p++)
      n += *p == '\n';
    sn->lines = xcalloc(n, sizeof *sn->lines);
    for (char *p = t; *p;) {
      char *nl = strchr(p, '\n');
      *nl = '\0';
      sn->lines[sn->n_lines++] = p;
      p = nl + 1;
    }
    lines_of[i] = (char *)sn->lines;
  }
  struct json_object *reply = api_state_encode(&m);
  for (size_t i = 0; i < st->n_entries; i++)
    free(lines_of[i]);
  free(lines_of);
  free(m.nodes);
  labstate_free(st);
  *code = 200;
  return reply;
}
