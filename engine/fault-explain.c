/* What an exercise needs of an injected fault beyond inject, repair and the
 * predicate: the commands that repair it by hand, written with the values
 * its snapshot holds (so `exercise solve` shows the exact MTU, route or flow
 * that was there), and the state of what it touches as text, compared
 * before inject and after a learner's repair (`exercise check` says when
 * the repair left something different). */
#include "fault-internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

#define OVS_OFCTL "ovs-ofctl -O OpenFlow13"

/* A NULL-terminated list of command lines, grown one printf at a time. */
struct cmds {
  char **v;
  size_t n;
};

static void __attribute__((format(printf, 2, 3))) add(struct cmds *c, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *line = NULL;
  if (vasprintf(&line, fmt, ap) < 0)
    abort();
  va_end(ap);
  c->v = realloc(c->v, (c->n + 2) * sizeof *c->v);
  if (c->v == NULL)
    abort();
  c->v[c->n++] = line;
  c->v[c->n] = NULL;
}

static const char *ip4(struct in_addr a, char buf[INET_ADDRSTRLEN])
{
  return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* `ip route add` of r as netstate captured it: the words that make the
 * kernel's record the same again (ip's own defaults left out). */
static void route_add_cmd(struct cmds *c, const char *prefix, const struct netstate_route *r)
{
  char dst[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN], src[INET_ADDRSTRLEN];
  char words[256] = "";
  size_t len = 0;
  if (r->dst_len == 0)
    len += (size_t)snprintf(words + len, sizeof words - len, "default");
  else
    len += (size_t)snprintf(words + len, sizeof words - len, "%s/%u", ip4(r->dst, dst), r->dst_len);
  if (r->n_nexthops > 0 && r->nexthops[0].has_gateway)
    len += (size_t)snprintf(words + len, sizeof words - len, " via %s",
                            ip4(r->nexthops[0].gateway, gw));
  if (r->n_nexthops > 0 && r->nexthops[0].ifname[0] != '\0')
    len += (size_t)snprintf(words + len, sizeof words - len, " dev %s", r->nexthops[0].ifname);
  /* ip's names of route protocols (rtnetlink.h's RTPROT_*); boot is ip's default. */
  static const char *const protos[] = {[2] = "kernel", [4] = "static", [16] = "dhcp"};
  if (r->protocol < sizeof protos / sizeof protos[0] && protos[r->protocol] != NULL)
    len += (size_t)snprintf(words + len, sizeof words - len, " proto %s", protos[r->protocol]);
  else if (r->protocol != 3 /* RTPROT_BOOT */)
    len += (size_t)snprintf(words + len, sizeof words - len, " proto %u", r->protocol);
  if (r->priority != 0)
    len += (size_t)snprintf(words + len, sizeof words - len, " metric %u", r->priority);
  if (r->has_prefsrc)
    snprintf(words + len, sizeof words - len, " src %s", ip4(r->prefsrc, src));
  add(c, "%sip route add %s", prefix, words);
}

/* tunnel-port-delete: ovs-vsctl add-port with the settings port-show gave
 * (the Port's own external_ids apart from the Interface's columns). */
static void port_add_cmd(struct cmds *c, const char *node, char *const *lines)
{
  char iface[1024] = "", port[512] = "";
  size_t il = 0, pl = 0;
  static const char port_prefix[] = "port_external_ids";
  for (size_t i = 0; lines != NULL && lines[i] != NULL; i++) {
    if (strncmp(lines[i], port_prefix, sizeof port_prefix - 1) == 0)
      pl += (size_t)snprintf(port + pl, pl < sizeof port ? sizeof port - pl : 0, " external_ids%s",
                             lines[i] + sizeof port_prefix - 1);
    else
      il +=
          (size_t)snprintf(iface + il, il < sizeof iface ? sizeof iface - il : 0, " %s", lines[i]);
  }
  add(c, "nodelab exec %s -- ovs-vsctl add-port br0 vxlan0 -- set Interface vxlan0%s%s%s", node,
      iface, port[0] ? " -- set Port vxlan0" : "", port);
}

/* neighbour-poison: the entry put back as it was (repair restores a dynamic
 * one as stale, and the kernel revalidates it), or deleted when there was
 * none; in a node, Open vSwitch's tunnel neighbour cache relearns once
 * flushed. */
static void neigh_cmds(struct cmds *c, const struct fault *f, const char *in_ns)
{
  const char *pod = fault_param(f, "pod"), *node = fault_param(f, "node"),
             *ip = fault_param(f, "ip");
  char prefix[64];
  if (pod != NULL)
    snprintf(prefix, sizeof prefix, "%s", in_ns);
  else
    snprintf(prefix, sizeof prefix, "nodelab exec %s -- ", node ? node : "NODE");
  const struct netfault_undo *u = f->n_undo > 0 ? &f->undo[0].nf : NULL;
  if (u != NULL && u->had_neigh && u->neigh.lladdr_len == 6) {
    const uint8_t *m = u->neigh.lladdr;
    const char *nud = u->neigh.state & 0x80   ? "permanent" /* NUD_PERMANENT */
                      : u->neigh.state & 0x40 ? "noarp"     /* NUD_NOARP */
                                              : "stale";
    add(c, "%sip neigh replace %s lladdr %02x:%02x:%02x:%02x:%02x:%02x dev %s nud %s", prefix,
        ip ? ip : "IP", m[0], m[1], m[2], m[3], m[4], m[5], f->ifname, nud);
  } else {
    add(c, "%sip neigh del %s dev %s", prefix, ip ? ip : "IP", f->ifname);
  }
  if (pod == NULL && node != NULL)
    add(c,
        "nodelab exec %s -- ovs-appctl tnl/neigh/flush    # when OVS's tunnel cache holds it too",
        node);
}

char **fault_hand_repair(const struct fault *f)
{
  if (f == NULL || !f->injected)
    return NULL;
  struct cmds c = {0};
  const char *node = fault_param(f, "node");
  char in_ns[48];
  snprintf(in_ns, sizeof in_ns, "nsenter -t %d -n ", (int)f->pid);
  char a[INET_ADDRSTRLEN];
  switch (f->kind) {
  case FAULT_KIND_LINK_MTU:
    add(&c, "nodelab exec %s -- ip link set dev %s mtu %d", node, f->ifname, f->undo[0].nf.value);
    break;
  case FAULT_KIND_LINK_DOWN:
    add(&c, "nodelab exec %s -- ip link set dev %s up", node, f->ifname);
    break;
  case FAULT_KIND_UNDERLAY_DOWN:
    add(&c, "%sip link set dev %s up    # in the fabric's namespace (nodelab status: fabric pid)",
        in_ns, f->ifname);
    break;
  case FAULT_KIND_TX_CHECKSUM_ON:
    add(&c, "%sethtool -K %s tx %s    # in pod %s's namespace", in_ns, f->ifname,
        f->undo[0].nf.value ? "on" : "off", fault_param(f, "pod"));
    break;
  case FAULT_KIND_POD_ROUTE_DELETE:
    route_add_cmd(&c, in_ns, &f->undo[0].nf.route);
    break;
  case FAULT_KIND_DUPLICATE_IP:
    add(&c, "%sip addr del %s/32 dev %s    # in pod %s's namespace", in_ns, ip4(f->addr, a),
        f->ifname, fault_param(f, "pod"));
    break;
  case FAULT_KIND_PARTITION:
    add(&c, "nodelab exec %s -- ip route del %s/32", node, ip4(f->side_dst[0], a));
    add(&c, "nodelab exec %s -- ip route del %s/32", fault_param(f, "remote"),
        ip4(f->side_dst[1], a));
    break;
  case FAULT_KIND_NETEM:
    add(&c, "nodelab exec %s -- tc qdisc del dev %s root", node, f->ifname);
    break;
  case FAULT_KIND_DAEMON_KILL:
    add(&c, "nodelab service %s start %s", node, fault_param(f, "daemon"));
    break;
  case FAULT_KIND_POD_KILL:
    add(&c, "nodelab pod start %s", fault_param(f, "pod"));
    break;
  case FAULT_KIND_NEIGHBOUR_POISON:
    neigh_cmds(&c, f, in_ns);
    break;
  case FAULT_KIND_FLOW_DELETE:
  case FAULT_KIND_TUNNEL_DST:
  case FAULT_KIND_VNI_MISMATCH:
    if (f->ovs_old != NULL)
      add(&c, "nodelab exec %s -- " OVS_OFCTL " add-flow br0 '%s'", node, f->ovs_old);
    break;
  case FAULT_KIND_TUNNEL_PORT_DELETE:
    port_add_cmd(&c, node, f->ovs_port);
    break;
  case FAULT_KIND_CGROUP_MEMORY:
  case FAULT_KIND_CGROUP_PIDS:
  case FAULT_KIND_CGROUP_CPU: {
    /* The text is v2's syntax, as cgroup_limit_get() reads it on both flavours. */
    static const char *const files[][2] = {
        [CGROUP_LIMIT_MEMORY] = {"memory.max", "memory/.../memory.limit_in_bytes"},
        [CGROUP_LIMIT_CPU] = {"cpu.max", "cpu/.../cpu.cfs_quota_us"},
        [CGROUP_LIMIT_PIDS] = {"pids.max", "pids/.../pids.max"}};
    add(&c, "# container %s/%s's cgroup %s held %s %s before", fault_param(f, "pod"),
        fault_param(f, "container"), f->ctr_cgroup, cgroup_limit_name(f->ctr_limit),
        f->cg_old ? f->cg_old : "?");
    add(&c,
        "echo '%s' > /sys/fs/cgroup/%s/%s    # cgroup v2 (on v1: /sys/fs/cgroup/%s, in its units)",
        f->cg_old ? f->cg_old : "OLD", f->ctr_cgroup, files[f->ctr_limit][0],
        files[f->ctr_limit][1]);
    break;
  }
  case FAULT_KIND_SECCOMP_DENY: /* the target starts with the pod's node: "node1/web/httpd ..." */
    add(&c, "nodelab seccomp --node %.*s %s --clear    # restarts it under its own profile",
        (int)strcspn(f->target, "/"), f->target, f->ctr_key);
    break;
  default:
    break;
  }
  return c.v;
}

/* Appends "## title\n" and text to *out. */
static void append(char **out, const char *title, const char *text)
{
  char *joined = NULL;
  if (asprintf(&joined, "%s## %s\n%s", *out ? *out : "", title, text ? text : "") < 0)
    abort();
  free(*out);
  *out = joined;
}

static int append_netns(const struct fault_backend *be, pid_t pid, char **out,
                        struct lab_error **err)
{
  cleanup_netstate struct netstate *st = NULL;
  cleanup_free char *text = NULL;
  if (fault_capture(be, pid, &st, err) < 0 || netstate_format(st, &text, err) < 0)
    return -1;
  char title[32];
  snprintf(title, sizeof title, "netns of pid %d", (int)pid);
  append(out, title, text);
  return 0;
}

static int append_ovs(const struct fault_backend *be, pid_t pid, const char *const *args,
                      char **out, struct lab_error **err)
{
  if (be->ops->ovs == NULL)
    return fault_refuse(err, ENOTSUP, "this backend has no OVS");
  cleanup_free char *text = NULL;
  cleanup_error struct lab_error *e = NULL;
  /* A port that is not there is a state too (tunnel-port-delete): its error says so. */
  if (be->ops->ovs(be->ctx, pid, args, &text, &e) < 0)
    append(out, args[0], e->msg);
  else
    append(out, args[0], text);
  return 0;
}

int fault_capture_touched(const struct fault *f, const struct fault_backend *be, char **text,
                          struct lab_error **err)
{
  *text = NULL;
  int rc = 0;
  switch (f->kind) {
  case FAULT_KIND_FLOW_DELETE:
  case FAULT_KIND_TUNNEL_DST: {
    const char *args[] = {"dump-flows", "br0", "--table", "90", NULL};
    rc = append_ovs(be, f->pid, args, text, err);
    break;
  }
  case FAULT_KIND_TUNNEL_PORT_DELETE: {
    const char *args[] = {"port-show", "br0", "vxlan0", NULL};
    rc = append_ovs(be, f->pid, args, text, err);
    break;
  }
  case FAULT_KIND_PARTITION:
    rc = append_netns(be, f->side_pid[0], text, err);
    if (rc == 0)
      rc = append_netns(be, f->side_pid[1], text, err);
    break;
  default:
    rc = f->pid > 0 ? append_netns(be, f->pid, text, err) : 0;
    break;
  }
  if (rc < 0) {
    free(*text);
    *text = NULL;
  }
  return rc;
}
