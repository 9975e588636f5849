#include "node-daemons.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "api.h"
#include "scenario.h"

static const char *const state_names[] = {"waiting", "running", "ready", "exited", "failed"};

/* Appends copies of the strings to a NULL-terminated argv, up to a NULL. */
static void argv_push(char ***argv, ...)
{
  size_t n = 0;
  while (*argv != NULL && (*argv)[n] != NULL)
    n++;
  va_list ap;
  va_start(ap, argv);
  for (const char *a = va_arg(ap, const char *); a != NULL; a = va_arg(ap, const char *)) {
    *argv = realloc(*argv, (n + 2) * sizeof **argv);
    (*argv)[n++] = strdup(a);
    (*argv)[n] = NULL;
  }
  va_end(ap);
}

static struct node_daemon *add(struct node_daemon **arr, size_t *n, const char *node,
                               const char *name, const char *after, const char *log)
{
  *arr = realloc(*arr, (*n + 1) * sizeof **arr);
  struct node_daemon *d = &(*arr)[(*n)++];
  memset(d, 0, sizeof *d);
  d->name = strdup(name);
  if (asprintf(&d->object, "%s/%s", node, name) < 0)
    abort();
  d->after = after ? strdup(after) : NULL;
  d->log = strdup(log);
  d->last_status = -1;
  return d;
}

/* A helper binary of the build: beside nodelabd once installed, or in its
 * component's folder of the build tree.  NULL when it is not built. */
static char *find_binary(const char *bindir, const char *component, const char *name)
{
  char *path = NULL;
  if (asprintf(&path, "%s/%s", bindir, name) >= 0 && access(path, X_OK) == 0)
    return path;
  free(path);
  if (asprintf(&path, "%s/../%s/%s", bindir, component, name) >= 0 && access(path, X_OK) == 0)
    return path;
  free(path);
  return NULL;
}

void node_daemons_plan(const struct scenario *sc, const char *lab, const struct scenario_node *node,
                       const char *bindir, struct node_daemon **out, size_t *n)
{
  *out = NULL;
  *n = 0;
  char subnet[24], gateway[16], ip[16], cgroup[256], mtu[16], underlay[24], cluster[24];
  snprintf(subnet, sizeof subnet, "%s/%d", scenario_ip_string(node->subnet.addr, ip),
           node->subnet.prefix);
  scenario_ip_string(node->subnet.addr + 1, gateway);
  snprintf(cgroup, sizeof cgroup, "nodelab/%s/%s", lab, node->name);
  snprintf(mtu, sizeof mtu, "%d", sc->mtu);
  snprintf(underlay, sizeof underlay, "%s/%d", scenario_ip_string(node->underlay, ip),
           sc->underlay.prefix);
  snprintf(cluster, sizeof cluster, "%s/%d", scenario_ip_string(sc->cluster_network.addr, ip),
           sc->cluster_network.prefix);

  /* Open vSwitch, Debian's daemons, with their default paths (private to the
   * node), so that ovs-vsctl, ovs-ofctl and ovs-appctl work inside it as is;
   * then netd, which builds the node's bridges, tunnels and flows. */
  char *netd = find_binary(bindir, "netd", "nodelab-netd");
  if (netd != NULL) {
    struct node_daemon *d =
        add(out, n, node->name, "ovsdb-create", NULL, "/var/log/openvswitch/ovsdb-create.log");
    d->oneshot = true;
    argv_push(&d->argv, netd, "--create-db", OVS_DB_FILE, NULL);
    d = add(out, n, node->name, "ovsdb-server", "ovsdb-create",
            "/var/log/openvswitch/ovsdb-server.log");
    argv_push(&d->argv, "ovsdb-server", "--pidfile", "--remote=punix:" OVS_DB_SOCKET, OVS_DB_FILE,
              NULL);
    /* ovsdb-server cannot notify: it is ready once its socket answers.  Its
     * clients wait for that, or they sleep a second in their reconnect backoff. */
    d->ready_socket = strdup(OVS_DB_SOCKET);
    d = add(out, n, node->name, "ovs-vswitchd", "ovsdb-server",
            "/var/log/openvswitch/ovs-vswitchd.log");
    argv_push(&d->argv, "ovs-vswitchd", "--pidfile", "unix:" OVS_DB_SOCKET, NULL);
    d = add(out, n, node->name, "netd", "ovs-vswitchd", "/run/nodelab/netd.log");
    d->notify = true;
    argv_push(&d->argv, netd, "--node", node->name, "--subnet", subnet, "--underlay", underlay,
              "--cluster", cluster, "--mtu", mtu, "--ctl", NODE_NETD_CTL, NULL);
    for (size_t i = 0; i < sc->n_nodes; i++) {
      const struct scenario_node *r = &sc->nodes[i];
      if (r == node)
        continue;
      char remote[128], rs[16], ru[16];
      snprintf(remote, sizeof remote, "%s=%s/%d@%s", r->name,
               scenario_ip_string(r->subnet.addr, rs), r->subnet.prefix,
               scenario_ip_string(r->underlay, ru));
      argv_push(&d->argv, "--remote", remote, NULL);
    }
    free(netd);
  }

  char *runtime = find_binary(bindir, "runtime", "nodelab-runtime");
  if (runtime != NULL) {
    struct node_daemon *d =
        add(out, n, node->name, "runtime", netd ? "netd" : NULL, "/run/nodelab/runtime.log");
    d->notify = true;
    argv_push(&d->argv, runtime, "serve", "--socket", NODE_RUNTIME_SOCKET, "--root",
              NODE_RUNTIME_ROOT, "--cgroup-parent", cgroup, "--node", node->name, "--subnet",
              subnet, "--gateway", gateway, "--mtu", mtu, NULL);
    if (netd != NULL)
      argv_push(&d->argv, "--netd", NODE_NETD_CTL, NULL);
    free(runtime);
  }
}

void node_daemons_free(struct node_daemon *d, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    for (char **a = d[i].argv; a != NULL && *a != NULL; a++)
      free(*a);
    free(d[i].argv);
    free(d[i].name);
    free(d[i].object);
    free(d[i].log);
    free(d[i].after);
    free(d[i].ready_socket);
  }
  free(d);
}

bool node_daemon_signals_ready(const struct node_daemon *d)
{
  return d->notify || d->ready_socket != NULL;
}

bool node_daemon_settled(const struct node_daemon *d)
{
  if (d->oneshot)
    return d->state == DAEMON_EXITED;
  return node_daemon_signals_ready(d) ? d->state == DAEMON_READY
                                      : d->state == DAEMON_STARTED || d->state == DAEMON_READY;
}

struct json_object *node_daemon_json(const struct node_daemon *d)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "name", json_object_new_string(d->name));
  json_object_object_add(o, "state", json_object_new_string(state_names[d->state]));
  json_object_object_add(o, "pid", json_object_new_int(d->pid));
  json_object_object_add(o, "restarts", json_object_new_int(d->restarts));
  json_object_object_add(o, "last_status", json_object_new_int(d->last_status));
  json_object_object_add(o, "log", json_object_new_string(d->log));
  return o;
}
