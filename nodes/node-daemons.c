#include "node-daemons.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "cleanup.h"
#include "daemon-args.h"
#include "paths.h"
#include "scenario.h"
#include "xalloc.h"

static struct node_daemon *add(struct node_daemon **arr, size_t *n, const char *node,
                               const char *name, const char *after, const char *log)
{
  struct node_daemon *d = XAPPEND(*arr, *n);
  d->name = strdup(name);
  if (asprintf(&d->object, "%s/%s", node, name) < 0)
    abort();
  d->after = after ? strdup(after) : NULL;
  d->log = strdup(log);
  d->last_status = -1;
  return d;
}

/* A new argv of the strings up to a NULL (for Debian's OVS daemons, whose
 * options are theirs, not ours). */
static char **argv_of(const char *first, ...)
{
  size_t n = 0;
  char **v = NULL;
  va_list ap;
  va_start(ap, first);
  for (const char *a = first; a != NULL; a = va_arg(ap, const char *)) {
    v = realloc(v, (n + 2) * sizeof *v);
    if (v == NULL || (v[n++] = strdup(a)) == NULL)
      abort();
    v[n] = NULL;
  }
  va_end(ap);
  return v;
}

static char *cidr_string(uint32_t addr, int prefix)
{
  char ip[16], *s = NULL;
  if (asprintf(&s, "%s/%d", ipv4_format(addr, ip), prefix) < 0)
    abort();
  return s;
}

void node_daemons_plan(const struct scenario *sc, const char *lab, const struct scenario_node *node,
                       struct node_daemon **out, size_t *n)
{
  *out = NULL;
  *n = 0;
  char ip[16];
  cleanup_free char *subnet = cidr_string(node->subnet.addr, node->subnet.prefix);
  cleanup_free char *underlay = cidr_string(node->underlay, sc->underlay.prefix);
  cleanup_free char *cluster = cidr_string(sc->cluster_network.addr, sc->cluster_network.prefix);
  cleanup_free char *cgroup = NULL;
  if (asprintf(&cgroup, "nodelab/%s/%s", lab, node->name) < 0)
    abort();

  /* Open vSwitch, Debian's daemons, with their default paths (private to the
   * node), so that ovs-vsctl, ovs-ofctl and ovs-appctl work inside it as is;
   * then netd, which builds the node's bridges, tunnels and flows. */
  cleanup_free char *netd = paths_find_binary("nodelab-netd", "netd");
  if (netd != NULL) {
    struct node_daemon *d =
        add(out, n, node->name, "ovsdb-create", NULL, "/var/log/openvswitch/ovsdb-create.log");
    d->oneshot = true;
    struct netd_args create = {.mode = NETD_ARGS_CREATE_DB, .db_file = xstrdup(OVS_DB_FILE)};
    d->argv = netd_args_to_argv(&create, netd);
    netd_args_free(&create);
    d = add(out, n, node->name, "ovsdb-server", "ovsdb-create",
            "/var/log/openvswitch/ovsdb-server.log");
    d->argv =
        argv_of("ovsdb-server", "--pidfile", "--remote=punix:" OVS_DB_SOCKET, OVS_DB_FILE, NULL);
    /* ovsdb-server cannot notify: it is ready once its socket answers.  Its
     * clients wait for that, or they sleep a second in their reconnect backoff. */
    d->ready_socket = strdup(OVS_DB_SOCKET);
    d = add(out, n, node->name, "ovs-vswitchd", "ovsdb-server",
            "/var/log/openvswitch/ovs-vswitchd.log");
    d->argv = argv_of("ovs-vswitchd", "--pidfile", "unix:" OVS_DB_SOCKET, NULL);
    d = add(out, n, node->name, "netd", "ovs-vswitchd", "/run/nodelab/netd.log");
    d->notify = true;
    struct netd_args args = {.mode = NETD_ARGS_RUN,
                             .node = xstrdup(node->name),
                             .subnet = xstrdup(subnet),
                             .underlay = xstrdup(underlay),
                             .cluster = xstrdup(cluster),
                             .mtu = sc->mtu,
                             .ctl = xstrdup(NODE_NETD_CTL)};
    for (size_t i = 0; i < sc->n_nodes; i++) {
      const struct scenario_node *r = &sc->nodes[i];
      if (r == node)
        continue;
      cleanup_free char *rsubnet = cidr_string(r->subnet.addr, r->subnet.prefix);
      netd_args_add_remote(&args, r->name, rsubnet, ipv4_format(r->underlay, ip));
    }
    d->argv = netd_args_to_argv(&args, netd);
    netd_args_free(&args);
  }

  cleanup_free char *runtime = paths_find_binary("nodelab-runtime", "runtime");
  if (runtime != NULL) {
    struct node_daemon *d =
        add(out, n, node->name, "runtime", netd ? "netd" : NULL, "/run/nodelab/runtime.log");
    d->notify = true;
    char gateway[16];
    struct runtime_serve_args args = {.socket = xstrdup(NODE_RUNTIME_SOCKET),
                                      .root = xstrdup(NODE_RUNTIME_ROOT),
                                      .cgroup_parent = xstrdup(cgroup),
                                      .node = xstrdup(node->name),
                                      .subnet = xstrdup(subnet),
                                      .gateway =
                                          xstrdup(ipv4_format(node->subnet.addr + 1, gateway)),
                                      .mtu = sc->mtu,
                                      .netd = netd != NULL ? xstrdup(NODE_NETD_CTL) : NULL};
    d->argv = runtime_serve_args_to_argv(&args, runtime);
    runtime_serve_args_free(&args);
  }
}

void node_daemons_free(struct node_daemon *d, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    daemon_argv_free(d[i].argv);
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
