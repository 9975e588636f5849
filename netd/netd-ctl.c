/* netd's control socket: the unixctl server and its commands.  The messages
 * the runtime sends (show, pod-add, pod-del) are typed in proto/netd-ctl.h;
 * see netd/README.md for the whole list. */
#include <config.h>

#include "netd-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd-ctl.h"

#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "timeval.h"
#include "unixctl.h"

char *netd_show(const struct netd *n)
{
  struct ds s = DS_EMPTY_INITIALIZER;
  char a[16], b[16];
  ipv4_format(n->cfg.subnet, a);
  ipv4_format(flows_model_gateway(n->model), b);
  ds_put_format(&s, "node %s subnet %s/%d gateway %s", n->cfg.node, a, n->cfg.prefix, b);
  ipv4_format(n->cfg.underlay, a);
  ds_put_format(&s, " underlay %s/%d mtu %d\n", a, n->cfg.underlay_prefix, n->cfg.mtu);
  for (size_t i = 0; i < flows_model_remote_count(n->model); i++) {
    const char *name;
    uint32_t subnet, underlay;
    int prefix;
    flows_model_remote(n->model, i, &name, &subnet, &prefix, &underlay);
    ipv4_format(subnet, a);
    ipv4_format(underlay, b);
    ds_put_format(&s, "remote %s subnet %s/%d underlay %s\n", name, a, prefix, b);
  }
  for (size_t i = 0; i < flows_model_pod_count(n->model); i++) {
    const char *name = flows_model_pod_name(n->model, i);
    uint32_t ip;
    int ofport;
    char veth[16], mac[FLOWS_MAC_STRLEN];
    flows_model_find_pod(n->model, name, &ip, &ofport);
    ipv4_format(ip, a);
    netd_veth_name(ip, veth);
    flows_mac_for_ip(ip, mac);
    ds_put_format(&s, "pod %s ip %s mac %s port %s ofport %d\n", name, a, mac, veth, ofport);
  }
  ds_put_format(&s, "flows %zu\n", n->have_installed ? n->installed.n : (size_t)0);
  return ds_steal_cstr(&s);
}

static void reply_result(struct unixctl_conn *conn, int rc, struct lab_error **err, const char *ok)
{
  if (rc < 0)
    unixctl_command_reply_error(conn, (*err)->msg);
  else
    unixctl_command_reply(conn, ok);
  lab_error_clear(err);
}

char *netd_show_json(const struct netd *n)
{
  char a[24], b[16], mac[FLOWS_MAC_STRLEN], veth[16];
  struct json *o = json_object_create();
  json_object_put_string(o, "node", n->cfg.node);
  ipv4_format(n->cfg.subnet, b);
  snprintf(a, sizeof a, "%s/%d", b, n->cfg.prefix);
  json_object_put_string(o, "subnet", a);
  ipv4_format(flows_model_gateway(n->model), b);
  json_object_put_string(o, "gateway", b);
  ipv4_format(n->cfg.underlay, b);
  snprintf(a, sizeof a, "%s/%d", b, n->cfg.underlay_prefix);
  json_object_put_string(o, "underlay", a);
  json_object_put(o, "mtu", json_integer_create(n->cfg.mtu));
  struct json *remotes = json_array_create_empty();
  for (size_t i = 0; i < flows_model_remote_count(n->model); i++) {
    const char *name;
    uint32_t subnet, underlay;
    int prefix;
    flows_model_remote(n->model, i, &name, &subnet, &prefix, &underlay);
    struct json *r = json_object_create();
    json_object_put_string(r, "name", name);
    ipv4_format(subnet, b);
    snprintf(a, sizeof a, "%s/%d", b, prefix);
    json_object_put_string(r, "subnet", a);
    ipv4_format(underlay, b);
    json_object_put_string(r, "underlay", b);
    json_array_add(remotes, r);
  }
  json_object_put(o, "remotes", remotes);
  struct json *pods = json_array_create_empty();
  for (size_t i = 0; i < flows_model_pod_count(n->model); i++) {
    const char *name = flows_model_pod_name(n->model, i);
    uint32_t ip;
    int ofport;
    flows_model_find_pod(n->model, name, &ip, &ofport);
    struct json *p = json_object_create();
    json_object_put_string(p, "name", name);
    ipv4_format(ip, b);
    json_object_put_string(p, "ip", b);
    flows_mac_for_ip(ip, mac);
    json_object_put_string(p, "mac", mac);
    netd_veth_name(ip, veth);
    json_object_put_string(p, "port", veth);
    json_object_put(p, "ofport", json_integer_create(ofport));
    json_array_add(pods, p);
  }
  json_object_put(o, "pods", pods);
  json_object_put(o, "flows",
                  json_integer_create(n->have_installed ? (long long)n->installed.n : 0));
  char *out = json_to_string(o, 0);
  json_destroy(o);
  return out;
}

static void cmd_show(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
  struct netd_show req;
  struct lab_error *err = NULL;
  if (netd_ctl_show_from_argv(argc, argv, &req, &err) < 0) {
    reply_result(conn, -1, &err, NULL);
    return;
  }
  char *s = req.json ? netd_show_json(aux) : netd_show(aux);
  unixctl_command_reply(conn, s);
  free(s);
}

static void cmd_flows(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
  struct netd *n = aux;
  struct flows_list l;
  struct lab_error *err = NULL;
  if (flows_generate(n->model, &l, &err) < 0) {
    reply_result(conn, -1, &err, NULL);
    return;
  }
  struct ds s = DS_EMPTY_INITIALIZER;
  for (size_t i = 0; i < l.n; i++) {
    char *f = flows_entry_format(&l.v[i]);
    ds_put_format(&s, "%s\n", f ? f : "");
    free(f);
  }
  flows_list_free(&l);
  unixctl_command_reply(conn, ds_cstr(&s));
  ds_destroy(&s);
}

static void cmd_pod_add(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
  struct lab_error *err = NULL;
  struct netd_pod_add req;
  struct netd_pod_add_reply reply = {0};
  long long start = time_msec();
  int rc = netd_ctl_pod_add_from_argv(argc, argv, &req, &err);
  if (rc == 0)
    rc = netd_pod_add(aux, req.name, req.netns, req.ip, &reply.ofport, &err);
  char ok[NETD_CTL_POD_ADD_REPLY_MAX] = "";
  if (rc == 0) {
    snprintf(reply.name, sizeof reply.name, "%s", req.name);
    reply.elapsed_ms = time_msec() - start;
    netd_ctl_pod_add_reply_format(&reply, ok);
  }
  reply_result(conn, rc, &err, ok);
}

static void cmd_pod_del(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
  struct lab_error *err = NULL;
  struct netd_pod_del req;
  int rc = netd_ctl_pod_del_from_argv(argc, argv, &req, &err);
  if (rc == 0)
    rc = netd_pod_del(aux, req.name, &err);
  reply_result(conn, rc, &err, NULL);
}

static void cmd_remote_add(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
  struct lab_error *err = NULL;
  int rc = netd_remote_add(aux, argv[1], argv[2], argv[3], &err);
  reply_result(conn, rc, &err, NULL);
}

static void cmd_remote_del(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
  struct lab_error *err = NULL;
  int rc = netd_remote_del(aux, argv[1], &err);
  reply_result(conn, rc, &err, NULL);
}

static void cmd_exit(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
  struct netd *n = aux;
  n->exiting = 1;
  unixctl_command_reply(conn, NULL);
}

int netd_unixctl_start(struct netd *n, struct lab_error **err)
{
  int rc = unixctl_server_create(n->cfg.ctl_path, &n->unixctl);
  if (rc != 0)
    return lab_error_set(err, rc, "control socket %s", n->cfg.ctl_path);
  unixctl_command_register(NETD_CTL_SHOW, NETD_CTL_SHOW_USAGE, NETD_CTL_SHOW_MIN_ARGS,
                           NETD_CTL_SHOW_MAX_ARGS, cmd_show, n);
  unixctl_command_register("netd/flows", "", 0, 0, cmd_flows, n);
  unixctl_command_register(NETD_CTL_POD_ADD, NETD_CTL_POD_ADD_USAGE, NETD_CTL_POD_ADD_ARGS,
                           NETD_CTL_POD_ADD_ARGS, cmd_pod_add, n);
  unixctl_command_register(NETD_CTL_POD_DEL, NETD_CTL_POD_DEL_USAGE, NETD_CTL_POD_DEL_ARGS,
                           NETD_CTL_POD_DEL_ARGS, cmd_pod_del, n);
  unixctl_command_register("netd/remote-add", "NODE SUBNET/N UNDERLAY", 3, 3, cmd_remote_add, n);
  unixctl_command_register("netd/remote-del", "NODE", 1, 1, cmd_remote_del, n);
  unixctl_command_register("netd/exit", "", 0, 0, cmd_exit, n);
  return 0;
}
