/* engine/fault: the core with a fake view and a fake backend (fake
 * namespaces of links and a default route, per pid): resolve's defaults and
 * checks, every refusal's message, the snapshot/repair bookkeeping, the
 * predicates seeing a repair by hand.  No root, no namespace. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fault-internal.h"
#include "fault.h"

/* ---- the fake: a namespace per pid, cgroup limit files, a runtime ---- */

struct fake_limit {
  char relpath[64];
  enum cgroup_limit_kind kind;
  char value[64];
  bool gone;
};

/* A container as the fake runtime records it. */
struct fake_ctr {
  char key[32];
  char **deny;
  int pid, base_filters;
  bool running;
};

struct fake_link {
  char name[IFNAMSIZ];
  int mtu, up, tx_csum;
};

struct fake_ns {
  pid_t pid;
  struct fake_link links[4];
  size_t n_links;
  bool default_route;
};

struct fake {
  struct fake_ns ns[8];
  size_t n_ns;
  pid_t fd_pid[256]; /* the pid each open fd stands for */
  int calls;         /* acting calls (not capture) */
  int fail_next;     /* errno for the next acting call, 0: none */
  struct fake_limit limits[8];
  size_t n_limits;
  struct fake_ctr ctrs[2];
  size_t n_ctrs;
  int next_pid;
};

static struct fake_ns *fake_ns_find(struct fake *fk, int fd)
{
  for (size_t i = 0; i < fk->n_ns; i++)
    if (fk->ns[i].pid == fk->fd_pid[fd])
      return &fk->ns[i];
  return NULL;
}

/* The namespace of an fd fake_open() gave (never NULL). */
static struct fake_ns *fake_ns(struct fake *fk, int fd)
{
  struct fake_ns *ns = fake_ns_find(fk, fd);
  if (ns == NULL)
    abort();
  return ns;
}

static struct fake_link *fake_link(struct fake *fk, int fd, const char *ifname)
{
  struct fake_ns *ns = fake_ns(fk, fd);
  for (size_t i = 0; ns != NULL && i < ns->n_links; i++)
    if (strcmp(ns->links[i].name, ifname) == 0)
      return &ns->links[i];
  return NULL;
}

static int fake_open(void *ctx, pid_t pid, int *fd, struct lab_error **err)
{
  struct fake *fk = ctx;
  *fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  assert_true(*fd >= 0 && *fd < 256);
  fk->fd_pid[*fd] = pid;
  if (fake_ns_find(fk, *fd) == NULL) {
    close(*fd);
    return lab_error_set(err, ENOENT, "no namespace for pid %d", (int)pid);
  }
  return 0;
}

static int acting(struct fake *fk, struct lab_error **err)
{
  fk->calls++;
  if (fk->fail_next == 0)
    return 0;
  int e = fk->fail_next;
  fk->fail_next = 0;
  return lab_error_set(err, e, "fake failure");
}

/* Sets the int field (an offset in struct fake_link) of link ifname to
 * value, its old value kept in *undo as kind. */
static int fake_set(void *ctx, int fd, const char *ifname, size_t field,
                    enum netfault_undo_kind kind, int value, struct netfault_undo *undo,
                    struct lab_error **err)
{
  struct fake_link *l = fake_link(ctx, fd, ifname);
  if (acting(ctx, err) < 0)
    return -1;
  if (l == NULL)
    return lab_error_set(err, ENODEV, "no link %s", ifname);
  int *v = (int *)((char *)l + field);
  *undo = (struct netfault_undo){.kind = kind, .value = *v};
  snprintf(undo->ifname, sizeof undo->ifname, "%s", ifname);
  *v = value;
  return 0;
}

static int fake_mtu(void *ctx, int fd, const char *ifname, int mtu, struct netfault_undo *undo,
                    struct lab_error **err)
{
  return fake_set(ctx, fd, ifname, offsetof(struct fake_link, mtu), NETFAULT_UNDO_MTU, mtu, undo,
                  err);
}

static int fake_up(void *ctx, int fd, const char *ifname, int up, struct netfault_undo *undo,
                   struct lab_error **err)
{
  return fake_set(ctx, fd, ifname, offsetof(struct fake_link, up), NETFAULT_UNDO_LINK_STATE, up,
                  undo, err);
}

static int fake_csum(void *ctx, int fd, const char *ifname, int on, struct netfault_undo *undo,
                     struct lab_error **err)
{
  return fake_set(ctx, fd, ifname, offsetof(struct fake_link, tx_csum), NETFAULT_UNDO_TX_CSUM, on,
                  undo, err);
}

static int fake_route_delete(void *ctx, int fd, uint32_t table, struct in_addr dst, uint8_t dst_len,
                             struct netfault_undo *undo, struct lab_error **err)
{
  struct fake_ns *ns = fake_ns(ctx, fd);
  if (acting(ctx, err) < 0)
    return -1;
  assert_int_equal(table, 254);
  assert_int_equal(dst_len, 0);
  assert_int_equal(dst.s_addr, 0);
  if (!ns->default_route)
    return lab_error_set(err, ESRCH, "no default route");
  *undo = (struct netfault_undo){.kind = NETFAULT_UNDO_ROUTE_ADD};
  ns->default_route = false;
  return 0;
}

static int fake_repair(void *ctx, int fd, struct netfault_undo *undo, struct lab_error **err)
{
  struct fake *fk = ctx;
  struct fake_link *l = fake_link(fk, fd, undo->ifname);
  if (acting(fk, err) < 0)
    return -1;
  switch (undo->kind) {
  case NETFAULT_UNDO_MTU:
    l->mtu = undo->value;
    break;
  case NETFAULT_UNDO_LINK_STATE:
    l->up = undo->value;
    break;
  case NETFAULT_UNDO_TX_CSUM:
    l->tx_csum = undo->value;
    break;
  case NETFAULT_UNDO_ROUTE_ADD:
    fake_ns(fk, fd)->default_route = true;
    break;
  default:
    fail_msg("unexpected undo kind %d", (int)undo->kind);
  }
  undo->kind = NETFAULT_UNDO_NONE;
  return 0;
}

static int fake_capture(void *ctx, int fd, struct netstate **out, struct lab_error **err)
{
  struct fake_ns *ns = fake_ns(ctx, fd);
  struct netstate *st = netstate_new();
  for (size_t i = 0; i < ns->n_links; i++) {
    struct netstate_link *l = netstate_add_link(st);
    snprintf(l->name, sizeof l->name, "%s", ns->links[i].name);
    l->mtu = (uint32_t)ns->links[i].mtu;
    l->flags = ns->links[i].up ? IFF_UP : 0;
    l->tx_csum = ns->links[i].tx_csum;
  }
  if (ns->default_route) {
    struct netstate_route *r = netstate_add_route(st);
    r->table = 254;
    r->dst_len = 0;
  }
  *out = st;
  return 0;
}

static struct fake_limit *fake_limit(struct fake *fk, const char *relpath,
                                     enum cgroup_limit_kind kind)
{
  for (size_t i = 0; i < fk->n_limits; i++)
    if (strcmp(fk->limits[i].relpath, relpath) == 0 && fk->limits[i].kind == kind &&
        !fk->limits[i].gone)
      return &fk->limits[i];
  return NULL;
}

static int fake_cgroup_get(void *ctx, const char *relpath, enum cgroup_limit_kind kind,
                           char **value, struct lab_error **err)
{
  struct fake_limit *l = fake_limit(ctx, relpath, kind);
  if (l == NULL)
    return lab_error_set(err, ENOENT, "no cgroup %s", relpath);
  *value = strdup(l->value);
  return 0;
}

/* Like the kernel, a memory limit is rounded up to pages. */
static int fake_cgroup_put(void *ctx, const char *relpath, enum cgroup_limit_kind kind,
                           const char *value, struct lab_error **err)
{
  struct fake_limit *l = fake_limit(ctx, relpath, kind);
  if (acting(ctx, err) < 0)
    return -1;
  if (l == NULL)
    return lab_error_set(err, ENOENT, "no cgroup %s", relpath);
  if (kind == CGROUP_LIMIT_MEMORY && strcmp(value, "max") != 0)
    snprintf(l->value, sizeof l->value, "%llu", (strtoull(value, NULL, 10) + 4095) / 4096 * 4096);
  else
    snprintf(l->value, sizeof l->value, "%s", value);
  return 0;
}

static char **strv_copy(char *const *v)
{
  size_t n = 0;
  while (v != NULL && v[n] != NULL)
    n++;
  char **out = calloc(n + 1, sizeof *out);
  for (size_t i = 0; i < n; i++)
    out[i] = strdup(v[i]);
  return out;
}

static void strv_release(char **v)
{
  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    free(v[i]);
  free(v);
}

/* seccomp-set records deny and restarts (a new pid, one more filter when
 * deny is not empty); seccomp-get tells. */
static int fake_seccomp(void *ctx, pid_t node_pid, const char *container, const char *const *deny,
                        struct rt_rpc_seccomp_state *out, struct lab_error **err)
{
  struct fake *fk = ctx;
  assert_int_equal(node_pid, 101);
  struct fake_ctr *c = NULL;
  for (size_t i = 0; i < fk->n_ctrs; i++)
    if (strcmp(fk->ctrs[i].key, container) == 0)
      c = &fk->ctrs[i];
  if (c == NULL)
    return lab_error_set(err, 0, "no container %s", container);
  if (deny != NULL) {
    if (acting(fk, err) < 0)
      return -1;
    strv_release(c->deny);
    c->deny = strv_copy((char *const *)deny);
    c->pid = ++fk->next_pid;
  }
  *out = (struct rt_rpc_seccomp_state){.id = strdup(c->key),
                                       .name = strdup("web-httpd"),
                                       .pid = c->running ? c->pid : 0,
                                       .deny = strv_copy(c->deny),
                                       .filters = c->base_filters +
                                                  (c->deny != NULL && c->deny[0] != NULL)};
  return 0;
}

/* start: the container runs again, in a new cgroup with its record's limits. */
static int fake_ctr_start(void *ctx, pid_t node_pid, const char *container, struct lab_error **err)
{
  struct fake *fk = ctx;
  assert_int_equal(node_pid, 101);
  assert_string_equal(container, "wid");
  if (acting(fk, err) < 0)
    return -1;
  fk->ctrs[0].running = true;
  fk->ctrs[0].pid = ++fk->next_pid;
  static const char *const record[] = {"67108864", "64", "50000 100000"};
  for (size_t i = 0; i < 3; i++) {
    fk->limits[i].gone = false;
    snprintf(fk->limits[i].value, sizeof fk->limits[i].value, "%s", record[i]);
  }
  return 0;
}

static const struct fault_backend_ops fake_ops = {
    .netns_open = fake_open,
    .link_set_mtu = fake_mtu,
    .link_set_up = fake_up,
    .tx_csum_set = fake_csum,
    .route_delete = fake_route_delete,
    .repair = fake_repair,
    .capture = fake_capture,
    .cgroup_get = fake_cgroup_get,
    .cgroup_put = fake_cgroup_put,
    .seccomp = fake_seccomp,
    .ctr_start = fake_ctr_start,
};

/* The default lab: master (pid 100), node1 (101), node2 (102), the fabric
 * (99); web on node1 (infra 201), client on node2 (202).  Each node runs
 * the same daemons (ovsdb-create has done its work); node2's netd is down. */
static const struct fault_view_daemon daemons[] = {
    {"ovsdb-create", 0, false}, {"ovsdb-server", 300, true}, {"ovs-vswitchd", 301, true},
    {"netd", 302, true},        {"runtime", 303, true},
};
static const struct fault_view_daemon daemons_node2[] = {
    {"ovsdb-create", 0, false}, {"ovsdb-server", 310, true}, {"ovs-vswitchd", 311, true},
    {"netd", 0, false},         {"runtime", 313, true},
};
static const struct fault_view_node nodes[] = {
    {"master", 100, "192.168.122.201/24", "10.1.0.0/24", "vn1", daemons, 5},
    {"node1", 101, "192.168.122.202/24", "10.1.1.0/24", "vn2", daemons, 5},
    {"node2", 102, "192.168.122.203/24", "10.1.2.0/24", "vn3", daemons_node2, 5},
};
static const struct fault_view_container web_ctrs[] = {
    {"httpd", "wid", "nodelab/default/node1/wid", true, 301},
    {"side", "sid", NULL, false, 0},
};
static const struct fault_view_container client_ctrs[] = {
    {"client", "cid", "nodelab/default/node2/cid", true, 302},
};
static const struct fault_view_pod pods[] = {
    {"web", "node1", "10.1.1.2", 201, web_ctrs, 2},
    {"client", "node2", "10.1.2.2", 202, client_ctrs, 1},
    {"pending", "master", NULL, 0, NULL, 0},
};
static const struct fault_view view = {nodes, 3, pods, 3, 99, 0};

/* ---- the fake supervisor: which daemons and pods run ---- */

struct fake_proc {
  char node[16], name[16]; /* node "" for a pod */
  bool running;
  int kills, starts;
};

struct fake_procs {
  struct fake_proc p[8];
  size_t n;
  int fail_next; /* errno for the next call, 0: none */
};

static struct fake_proc *fake_proc(struct fake_procs *fp, const char *node, const char *name)
{
  for (size_t i = 0; i < fp->n; i++)
    if (strcmp(fp->p[i].node, node) == 0 && strcmp(fp->p[i].name, name) == 0)
      return &fp->p[i];
  fail_msg("no fake process %s/%s", node, name);
  return NULL;
}

static int proc_fail(struct fake_procs *fp, struct lab_error **err)
{
  int e = fp->fail_next;
  fp->fail_next = 0;
  return e != 0 ? lab_error_set(err, e, "fake supervisor failure") : 0;
}

static int fake_daemon_kill(void *ctx, const char *node, const char *daemon, struct lab_error **err)
{
  if (proc_fail(ctx, err) < 0)
    return -1;
  struct fake_proc *p = fake_proc(ctx, node, daemon);
  p->running = false;
  p->kills++;
  return 0;
}

static int fake_daemon_start(void *ctx, const char *node, const char *daemon,
                             struct lab_error **err)
{
  if (proc_fail(ctx, err) < 0)
    return -1;
  struct fake_proc *p = fake_proc(ctx, node, daemon);
  p->starts += !p->running;
  p->running = true;
  return 0;
}

static int fake_daemon_running(void *ctx, const char *node, const char *daemon, bool *running,
                               struct lab_error **err)
{
  (void)err;
  *running = fake_proc(ctx, node, daemon)->running;
  return 0;
}

static int fake_pod_kill(void *ctx, const char *pod, struct lab_error **err)
{
  return fake_daemon_kill(ctx, "", pod, err);
}

static int fake_pod_start(void *ctx, const char *pod, struct lab_error **err)
{
  return fake_daemon_start(ctx, "", pod, err);
}

static int fake_pod_running(void *ctx, const char *pod, bool *running, struct lab_error **err)
{
  return fake_daemon_running(ctx, "", pod, running, err);
}

struct ctx {
  struct fake fk;
  struct fake_procs fp;
  struct fault_procs procs;
  struct fault_backend be;
};

static void add_ns(struct fake *fk, pid_t pid, const char *const *links, bool route)
{
  struct fake_ns *ns = &fk->ns[fk->n_ns++];
  ns->pid = pid;
  ns->default_route = route;
  for (; *links != NULL; links++)
    ns->links[ns->n_links++] = (struct fake_link){.mtu = 1500, .up = 1, .tx_csum = 0};
  for (size_t i = 0; i < ns->n_links; i++)
    snprintf(ns->links[i].name, IFNAMSIZ, "%s", (const char *[]){"eth0", "tun0", "br-phy"}[i]);
}

static int setup(void **state)
{
  struct ctx *c = calloc(1, sizeof *c);
  const char *node_links[] = {"eth0", "tun0", "br-phy", NULL};
  const char *one[] = {"eth0", NULL};
  add_ns(&c->fk, 100, node_links, true);
  add_ns(&c->fk, 101, node_links, true);
  add_ns(&c->fk, 102, node_links, true);
  add_ns(&c->fk, 201, one, true);
  add_ns(&c->fk, 202, one, true);
  add_ns(&c->fk, 99, (const char *[]){"eth0", "tun0", NULL}, false);
  snprintf(c->fk.ns[5].links[0].name, IFNAMSIZ, "vn2");
  static const struct {
    enum cgroup_limit_kind kind;
    const char *value;
  } limits[] = {{CGROUP_LIMIT_MEMORY, "67108864"},
                {CGROUP_LIMIT_PIDS, "64"},
                {CGROUP_LIMIT_CPU, "50000 100000"}};
  for (size_t i = 0; i < 3; i++) {
    struct fake_limit *l = &c->fk.limits[c->fk.n_limits++];
    snprintf(l->relpath, sizeof l->relpath, "nodelab/default/node1/wid");
    l->kind = limits[i].kind;
    snprintf(l->value, sizeof l->value, "%s", limits[i].value);
  }
  c->fk.ctrs[c->fk.n_ctrs++] =
      (struct fake_ctr){.key = "wid", .pid = 7, .base_filters = 1, .running = true};
  c->fk.next_pid = 7;
  c->fp.p[c->fp.n++] = (struct fake_proc){"node1", "ovs-vswitchd", true, 0, 0};
  c->fp.p[c->fp.n++] = (struct fake_proc){"node1", "ovsdb-server", true, 0, 0};
  c->fp.p[c->fp.n++] = (struct fake_proc){"", "web", true, 0, 0};
  c->fp.p[c->fp.n++] = (struct fake_proc){"", "client", true, 0, 0};
  c->procs = (struct fault_procs){.ctx = &c->fp,
                                  .daemon_kill = fake_daemon_kill,
                                  .daemon_start = fake_daemon_start,
                                  .daemon_running = fake_daemon_running,
                                  .pod_kill = fake_pod_kill,
                                  .pod_start = fake_pod_start,
                                  .pod_running = fake_pod_running};
  c->be = (struct fault_backend){.ops = &fake_ops, .ctx = &c->fk, .procs = &c->procs};
  *state = c;
  return 0;
}

static int teardown(void **state)
{
  struct ctx *c = *state;
  for (size_t i = 0; i < c->fk.n_ctrs; i++)
    strv_release(c->fk.ctrs[i].deny);
  free(c);
  return 0;
}

static struct fault *prepare_ok(enum fault_kind kind, const struct fault_kv *kv, size_t n)
{
  struct fault *f = NULL;
  struct lab_error *err = NULL;
  if (fault_prepare(kind, kv, n, &view, &f, &err) < 0)
    fail_msg("prepare: %s", err->msg);
  return f;
}

/* Prepared with the n parameters kv, kind aims at want. */
static void expect_target(enum fault_kind kind, const struct fault_kv *kv, size_t n,
                          const char *want)
{
  struct fault *f = prepare_ok(kind, kv, n);
  assert_string_equal(fault_target(f), want);
  fault_free(f);
}

static void expect_refusal(enum fault_kind kind, const struct fault_kv *kv, size_t n, int errnum,
                           const char *msg)
{
  struct fault *f = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(fault_prepare(kind, kv, n, &view, &f, &err), -1);
  assert_null(f);
  assert_int_equal(err->errnum, errnum);
  assert_string_equal(err->msg, msg);
  lab_error_clear(&err);
}

static void test_resolve_defaults(void **state)
{
  (void)state;
  struct fault *f = prepare_ok(FAULT_KIND_LINK_MTU, NULL, 0);
  assert_string_equal(fault_param(f, "node"), "node1");
  assert_string_equal(fault_param(f, "link"), "eth0");
  assert_string_equal(fault_param(f, "mtu"), "1300");
  assert_string_equal(fault_target(f), "node1 eth0 (mtu 1300)");
  assert_int_equal(fault_n_params(f), 3);
  fault_free(f);

  f = prepare_ok(FAULT_KIND_TX_CHECKSUM_ON, (struct fault_kv[]){{"pod", "client"}}, 1);
  assert_string_equal(fault_param(f, "node"), "node2");
  assert_string_equal(fault_target(f), "node2/client eth0");
  fault_free(f);

  expect_target(FAULT_KIND_UNDERLAY_DOWN, NULL, 0, "fabric vn2 (the port of node1)");

  expect_target(FAULT_KIND_POD_ROUTE_DELETE, NULL, 0, "node1/web default route");

  expect_target(FAULT_KIND_LINK_DOWN, (struct fault_kv[]){{"node", "node2"}, {"link", "tun0"}}, 2,
                "node2 tun0");
}

static void test_resolve_more(void **state)
{
  (void)state;
  struct fault *f = prepare_ok(FAULT_KIND_DUPLICATE_IP, NULL, 0);
  assert_string_equal(fault_param(f, "as"), "client");
  assert_string_equal(fault_target(f), "node1/web eth0 += 10.1.2.2/32 (the address of client)");
  fault_free(f);
  f = prepare_ok(FAULT_KIND_PARTITION, NULL, 0);
  assert_string_equal(fault_param(f, "remote"), "node2");
  assert_string_equal(fault_target(f),
                      "node1 <-> node2 (each routes the other via 192.168.122.254)");
  fault_free(f);
  expect_target(FAULT_KIND_NETEM, NULL, 0, "node1 eth0 (rate 256kbit)");
  f = prepare_ok(FAULT_KIND_NETEM, (struct fault_kv[]){{"delay", "100ms"}, {"loss", "1%"}}, 2);
  assert_null(fault_param(f, "rate"));
  assert_string_equal(fault_target(f), "node1 eth0 (delay 100ms loss 1%)");
  fault_free(f);
  expect_target(FAULT_KIND_FLOW_DELETE, NULL, 0, "node1 br0 table 90 flow to node2 (10.1.2.0/24)");
  f = prepare_ok(FAULT_KIND_TUNNEL_DST, (struct fault_kv[]){{"node", "node2"}}, 1);
  assert_string_equal(fault_param(f, "remote"), "node1");
  assert_string_equal(fault_param(f, "ip"), "192.168.122.250");
  assert_string_equal(fault_target(f),
                      "node2 br0 table 90 flow to node1 (10.1.1.0/24) -> 192.168.122.250");
  fault_free(f);
  expect_target(FAULT_KIND_TUNNEL_PORT_DELETE, NULL, 0, "node1 br0 port vxlan0");
  expect_target(FAULT_KIND_VNI_MISMATCH, NULL, 0,
                "node1 br0 table 90 flow to node2 (10.1.2.0/24) with VNI 1");
  /* neighbour-poison: a pod's gateway, or a node's entry (and OVS's) for
   * the node of another running pod. */
  expect_target(FAULT_KIND_NEIGHBOUR_POISON, NULL, 0,
                "node1/web neighbour 10.1.1.1 -> 02:00:5e:10:00:01");
  expect_target(FAULT_KIND_NEIGHBOUR_POISON, (struct fault_kv[]){{"node", "node1"}}, 1,
                "node1 br-phy neighbour 192.168.122.203 -> 02:00:5e:10:00:01 (and in OVS's "
                "tunnel cache)");
  expect_target(FAULT_KIND_NEIGHBOUR_POISON,
                (struct fault_kv[]){{"node", "node2"}, {"ip", "192.168.122.9"}}, 2,
                "node2 br-phy neighbour 192.168.122.9 -> 02:00:5e:10:00:01");
}

/* A backend without OVS refuses the OVS kinds, and nothing is left to repair. */
static void test_no_ovs(void **state)
{
  struct ctx *c = *state;
  struct lab_error *err = NULL;
  struct fault *f = prepare_ok(FAULT_KIND_FLOW_DELETE, NULL, 0);
  assert_int_equal(fault_inject(f, &view, &c->be, &err), -1);
  assert_string_equal(err->msg, "injecting flow-delete on node1 br0 table 90 flow to node2 "
                                "(10.1.2.0/24): this backend has no OVS");
  lab_error_clear(&err);
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  fault_free(f);
}

static void test_refusals(void **state)
{
  (void)state;
  expect_refusal(FAULT_KIND_LINK_MTU, (struct fault_kv[]){{"colour", "red"}}, 1, EINVAL,
                 "kind link-mtu: unknown parameter colour (it takes node, link, mtu)");
  expect_refusal(FAULT_KIND_LINK_MTU, (struct fault_kv[]){{"mtu", "20"}}, 1, EINVAL,
                 "kind link-mtu: mtu: \"20\" is not an MTU (68..65535)");
  expect_refusal(FAULT_KIND_LINK_MTU, (struct fault_kv[]){{"node", "nowhere"}}, 1, ENOENT,
                 "kind link-mtu: no node named nowhere in the lab");
  expect_refusal(FAULT_KIND_TX_CHECKSUM_ON, (struct fault_kv[]){{"pod", "pending"}}, 1, ESRCH,
                 "kind tx-checksum-on: pod pending is not running");
  expect_refusal(FAULT_KIND_TX_CHECKSUM_ON, (struct fault_kv[]){{"pod", "web"}, {"node", "node2"}},
                 2, EINVAL, "kind tx-checksum-on: pod web is on node1, not on node2");
  expect_refusal(FAULT_KIND_DAEMON_KILL, (struct fault_kv[]){{"daemon", "sshd"}}, 1, EINVAL,
                 "kind daemon-kill: daemon: unknown daemon \"sshd\" (use ovs-vswitchd, "
                 "ovsdb-server, netd or runtime)");
  expect_refusal(FAULT_KIND_DAEMON_KILL, (struct fault_kv[]){{"node", "node2"}, {"daemon", "netd"}},
                 2, ESRCH, "kind daemon-kill: netd on node node2 is not running");
  expect_refusal(FAULT_KIND_DAEMON_KILL, (struct fault_kv[]){{"node", "nowhere"}}, 1, ENOENT,
                 "kind daemon-kill: no node named nowhere in the lab");
  expect_refusal(FAULT_KIND_POD_KILL, (struct fault_kv[]){{"pod", "pending"}}, 1, ESRCH,
                 "kind pod-kill: pod pending is not running");
  expect_refusal(FAULT_KIND_POD_KILL, (struct fault_kv[]){{"pod", "nope"}}, 1, ENOENT,
                 "kind pod-kill: no pod named nope in the lab");
  expect_refusal(FAULT_KIND_NETEM, (struct fault_kv[]){{"jitter", "10ms"}}, 1, EINVAL,
                 "kind netem: jitter and reorder need a delay");
  expect_refusal(FAULT_KIND_PARTITION, (struct fault_kv[]){{"node", "node1"}, {"remote", "node1"}},
                 2, EINVAL, "kind partition: remote must be another node than node1");
  expect_refusal(FAULT_KIND_DUPLICATE_IP, (struct fault_kv[]){{"pod", "web"}, {"as", "web"}}, 2,
                 EINVAL, "kind duplicate-ip: as must be another pod than web");
  expect_refusal(FAULT_KIND_POD_ROUTE_DELETE, (struct fault_kv[]){{"pod", "nope"}}, 1, ENOENT,
                 "kind pod-route-delete: no pod named nope in the lab");
  expect_refusal(FAULT_KIND_VNI_MISMATCH, (struct fault_kv[]){{"vni", "0"}}, 1, EINVAL,
                 "kind vni-mismatch: vni 0 is the cluster's own VNI: pick another");
  expect_refusal(FAULT_KIND_NEIGHBOUR_POISON,
                 (struct fault_kv[]){{"node", "node1"}, {"ip", "10.1.2.2"}}, 2, EINVAL,
                 "kind neighbour-poison: in node node1, ip must be on its underlay "
                 "(192.168.122.202/24); for a pod's neighbour give pod=");
  expect_refusal(FAULT_KIND_NEIGHBOUR_POISON,
                 (struct fault_kv[]){{"node", "node1"}, {"pod", "web"}}, 2, EINVAL,
                 "kind neighbour-poison: give pod or node, not both");
}

/* inject, present, repair; then inject, a repair by hand, not present. */
static void cycle(struct ctx *c, struct fault *f, int *field, int broken, int good)
{
  struct lab_error *err = NULL;
  bool present = true;
  assert_int_equal(fault_present(f, &c->be, &present, &err), 0);
  assert_false(present); /* not injected */
  assert_int_equal(fault_inject(f, &view, &c->be, &err), 0);
  assert_int_equal(*field, broken);
  assert_int_equal(fault_present(f, &c->be, &present, &err), 0);
  assert_true(present);
  assert_int_equal(fault_inject(f, &view, &c->be, &err), -1);
  assert_int_equal(err->errnum, EALREADY);
  lab_error_clear(&err);
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  assert_int_equal(*field, good);
  assert_int_equal(fault_repair(f, &c->be, &err), 0); /* twice: nothing */
  assert_int_equal(fault_inject(f, &view, &c->be, &err), 0);
  *field = good; /* by hand */
  assert_int_equal(fault_present(f, &c->be, &present, &err), 0);
  assert_false(present);
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  assert_int_equal(*field, good);
}

/* cycle() for a fault whose broken state is a flag turned false. */
static void cycle_flag(struct ctx *c, struct fault *f, bool *running)
{
  struct lab_error *err = NULL;
  bool present = true;
  assert_int_equal(fault_present(f, &c->be, &present, &err), 0);
  assert_false(present); /* not injected */
  assert_int_equal(fault_inject(f, &view, &c->be, &err), 0);
  assert_false(*running);
  assert_int_equal(fault_present(f, &c->be, &present, &err), 0);
  assert_true(present);
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  assert_true(*running);
  assert_int_equal(fault_inject(f, &view, &c->be, &err), 0);
  *running = true; /* by hand */
  assert_int_equal(fault_present(f, &c->be, &present, &err), 0);
  assert_false(present);
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  assert_true(*running);
}

static void test_link_kinds(void **state)
{
  struct ctx *c = *state;
  struct fault *f = prepare_ok(FAULT_KIND_LINK_MTU, NULL, 0);
  cycle(c, f, &c->fk.ns[1].links[0].mtu, 1300, 1500);
  fault_free(f);
  f = prepare_ok(FAULT_KIND_LINK_DOWN, NULL, 0);
  cycle(c, f, &c->fk.ns[1].links[0].up, 0, 1);
  fault_free(f);
  f = prepare_ok(FAULT_KIND_TX_CHECKSUM_ON, NULL, 0);
  cycle(c, f, &c->fk.ns[3].links[0].tx_csum, 1, 0);
  fault_free(f);
  f = prepare_ok(FAULT_KIND_UNDERLAY_DOWN, NULL, 0);
  cycle(c, f, &c->fk.ns[5].links[0].up, 0, 1);
  fault_free(f);
}

static void test_pod_route(void **state)
{
  struct ctx *c = *state;
  struct fault *f = prepare_ok(FAULT_KIND_POD_ROUTE_DELETE, NULL, 0);
  struct lab_error *err = NULL;
  bool present;
  assert_int_equal(fault_inject(f, &view, &c->be, &err), 0);
  assert_false(c->fk.ns[3].default_route);
  assert_int_equal(fault_present(f, &c->be, &present, &err), 0);
  assert_true(present);
  c->fk.ns[3].default_route = true; /* ip route add default ... */
  assert_int_equal(fault_present(f, &c->be, &present, &err), 0);
  assert_false(present);
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  fault_free(f);
}

/* A failing inject leaves nothing to repair; a failing repair keeps the
 * snapshot so that it can be retried. */
static void test_failures(void **state)
{
  struct ctx *c = *state;
  struct lab_error *err = NULL;
  struct fault *f = prepare_ok(FAULT_KIND_LINK_MTU, NULL, 0);
  c->fk.fail_next = EPERM;
  assert_int_equal(fault_inject(f, &view, &c->be, &err), -1);
  assert_string_equal(err->msg, "injecting link-mtu on node1 eth0 (mtu 1300): fake failure: "
                                "Operation not permitted");
  lab_error_clear(&err);
  assert_int_equal(c->fk.ns[1].links[0].mtu, 1500);
  int calls = c->fk.calls;
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  assert_int_equal(c->fk.calls, calls); /* nothing to undo */

  assert_int_equal(fault_inject(f, &view, &c->be, &err), 0);
  c->fk.fail_next = EBUSY;
  assert_int_equal(fault_repair(f, &c->be, &err), -1);
  lab_error_clear(&err);
  assert_int_equal(c->fk.ns[1].links[0].mtu, 1300);
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  assert_int_equal(c->fk.ns[1].links[0].mtu, 1500);
  fault_free(f);
}

static void test_container_resolve(void **state)
{
  (void)state;
  struct fault *f = prepare_ok(FAULT_KIND_CGROUP_MEMORY, NULL, 0);
  assert_string_equal(fault_param(f, "pod"), "web");
  assert_string_equal(fault_param(f, "container"), "httpd");
  assert_string_equal(fault_param(f, "memory"), "8Mi");
  assert_string_equal(fault_target(f), "node1/web/httpd memory limit 8Mi");
  fault_free(f);
  expect_target(FAULT_KIND_CGROUP_PIDS, NULL, 0, "node1/web/httpd pids limit 6");
  expect_target(FAULT_KIND_CGROUP_CPU, (struct fault_kv[]){{"cpu", "100m"}}, 1,
                "node1/web/httpd cpu limit 100m");
  expect_target(FAULT_KIND_CGROUP_CPU, (struct fault_kv[]){{"pod", "client"}}, 1,
                "node2/client/client cpu limit 10m");
  expect_target(FAULT_KIND_SECCOMP_DENY, NULL, 0,
                "node1/web/httpd seccomp denies chmod fchmod fchmodat fchmodat2");
  expect_target(FAULT_KIND_SECCOMP_DENY, (struct fault_kv[]){{"syscall", "socket"}}, 1,
                "node1/web/httpd seccomp denies socket");

  expect_refusal(FAULT_KIND_CGROUP_PIDS, (struct fault_kv[]){{"container", "nope"}}, 1, ENOENT,
                 "kind cgroup-pids: pod web has no container nope");
  expect_refusal(FAULT_KIND_CGROUP_PIDS, (struct fault_kv[]){{"container", "side"}}, 1, ESRCH,
                 "kind cgroup-pids: container side of pod web is not running");
  expect_refusal(FAULT_KIND_CGROUP_CPU, (struct fault_kv[]){{"pod", "pending"}}, 1, ESRCH,
                 "kind cgroup-cpu: pod pending is not running");
  expect_refusal(FAULT_KIND_CGROUP_MEMORY, (struct fault_kv[]){{"memory", "0"}}, 1, EINVAL,
                 "kind cgroup-memory: memory: memory must be greater than 0");
  expect_refusal(FAULT_KIND_CGROUP_PIDS, (struct fault_kv[]){{"pids", "0"}}, 1, EINVAL,
                 "kind cgroup-pids: pids: \"0\" is not a pids limit (1..4194304)");
}

/* inject, present, repair exactly; inject, a repair by hand, not present,
 * repair puts back what is back already. */
static void limit_cycle(struct ctx *c, enum fault_kind kind, const struct fault_kv *kv, size_t n,
                        size_t idx, const char *broken, const char *good)
{
  struct fault *f = prepare_ok(kind, kv, n);
  struct lab_error *err = NULL;
  bool present = false;
  char *value = c->fk.limits[idx].value;
  if (fault_inject(f, &view, &c->be, &err) < 0)
    fail_msg("inject: %s", err->msg);
  assert_string_equal(value, broken);
  assert_int_equal(fault_present(f, &c->be, &present, &err), 0);
  assert_true(present);
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  assert_string_equal(value, good);
  assert_int_equal(fault_inject(f, &view, &c->be, &err), 0);
  snprintf(value, 64, "%s", good); /* echo GOOD > the file */
  assert_int_equal(fault_present(f, &c->be, &present, &err), 0);
  assert_false(present);
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  assert_string_equal(value, good);
  /* Someone's other value is no repair, and repair puts the old one back. */
  assert_int_equal(fault_inject(f, &view, &c->be, &err), 0);
  snprintf(value, 64, "%s", "1");
  assert_int_equal(fault_present(f, &c->be, &present, &err), 0);
  assert_false(present);
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  assert_string_equal(value, good);
  fault_free(f);
}

static void test_cgroup_kinds(void **state)
{
  struct ctx *c = *state;
  limit_cycle(c, FAULT_KIND_CGROUP_MEMORY, NULL, 0, 0, "8388608", "67108864");
  limit_cycle(c, FAULT_KIND_CGROUP_MEMORY, (struct fault_kv[]){{"memory", "10000"}}, 1, 0, "12288",
              "67108864"); /* read back as the kernel rounded it */
  limit_cycle(c, FAULT_KIND_CGROUP_PIDS, NULL, 0, 1, "6", "64");
  limit_cycle(c, FAULT_KIND_CGROUP_CPU, NULL, 0, 2, "1000 100000", "50000 100000");
  limit_cycle(c, FAULT_KIND_CGROUP_CPU, (struct fault_kv[]){{"cpu", "2"}}, 1, 2, "200000 100000",
              "50000 100000");

  /* A failed write leaves nothing to repair; a cgroup gone holds no fault. */
  struct lab_error *err = NULL;
  struct fault *f = prepare_ok(FAULT_KIND_CGROUP_PIDS, NULL, 0);
  c->fk.fail_next = EBUSY;
  assert_int_equal(fault_inject(f, &view, &c->be, &err), -1);
  assert_string_equal(err->msg, "injecting cgroup-pids on node1/web/httpd pids limit 6: fake "
                                "failure: Device or resource busy");
  lab_error_clear(&err);
  int calls = c->fk.calls;
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  assert_int_equal(c->fk.calls, calls);
  assert_int_equal(fault_inject(f, &view, &c->be, &err), 0);
  c->fk.limits[1].gone = true; /* the container was replaced */
  bool present = true;
  assert_int_equal(fault_present(f, &c->be, &present, &err), 0);
  assert_false(present);
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  fault_free(f);

  /* Killed by its limit (v2 below what it holds): the cgroup goes, the
   * container is down; still present until it runs again; repair starts it. */
  f = prepare_ok(FAULT_KIND_CGROUP_MEMORY, (struct fault_kv[]){{"memory", "100Ki"}}, 1);
  assert_int_equal(fault_inject(f, &view, &c->be, &err), 0);
  for (size_t i = 0; i < 3; i++)
    c->fk.limits[i].gone = true;
  c->fk.ctrs[0].running = false;
  assert_int_equal(fault_present(f, &c->be, &present, &err), 0);
  assert_true(present);
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  assert_true(c->fk.ctrs[0].running);
  assert_string_equal(c->fk.limits[0].value, "67108864");
  /* Started again by hand (nodelab start): repaired by hand, repair does nothing. */
  assert_int_equal(fault_inject(f, &view, &c->be, &err), 0);
  for (size_t i = 0; i < 3; i++)
    c->fk.limits[i].gone = true;
  c->fk.ctrs[0].running = false;
  assert_int_equal(fake_ctr_start(&c->fk, 101, "wid", &err), 0);
  assert_int_equal(fault_present(f, &c->be, &present, &err), 0);
  assert_false(present);
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  assert_string_equal(c->fk.limits[0].value, "67108864");
  fault_free(f);

  /* v1 refuses a memory limit below what it cannot reclaim: say what to do. */
  c->fk.limits[1].gone = false;
  f = prepare_ok(FAULT_KIND_CGROUP_MEMORY, (struct fault_kv[]){{"memory", "1Mi"}}, 1);
  c->fk.fail_next = EBUSY;
  assert_int_equal(fault_inject(f, &view, &c->be, &err), -1);
  assert_string_equal(err->msg,
                      "injecting cgroup-memory on node1/web/httpd memory limit 1Mi: the container "
                      "uses more than 1Mi and cgroup v1 cannot reclaim it (it refuses instead of "
                      "OOM-killing); give a larger memory: fake failure: Device or resource busy");
  lab_error_clear(&err);
  assert_string_equal(c->fk.limits[0].value, "67108864");
  fault_free(f);
}

static void test_seccomp_kind(void **state)
{
  struct ctx *c = *state;
  struct fake_ctr *ctr = &c->fk.ctrs[0];
  struct lab_error *err = NULL;
  bool present = false;
  struct fault *f = prepare_ok(FAULT_KIND_SECCOMP_DENY, NULL, 0);
  if (fault_inject(f, &view, &c->be, &err) < 0)
    fail_msg("inject: %s", err->msg);
  assert_non_null(ctr->deny);
  assert_string_equal(ctr->deny[0], "chmod");
  assert_string_equal(ctr->deny[3], "fchmodat2");
  assert_null(ctr->deny[4]);
  assert_int_equal(ctr->pid, 8); /* restarted under it */
  assert_int_equal(fault_present(f, &c->be, &present, &err), 0);
  assert_true(present);
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  assert_null(ctr->deny[0]);
  assert_int_equal(ctr->pid, 9); /* restarted under its profile alone */
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  assert_int_equal(ctr->pid, 9);

  /* The record cleared, the process under the deny still running: present. */
  assert_int_equal(fault_inject(f, &view, &c->be, &err), 0);
  assert_int_equal(ctr->pid, 10);
  strv_release(ctr->deny);
  ctr->deny = NULL;
  assert_int_equal(fault_present(f, &c->be, &present, &err), 0);
  assert_true(present);
  ctr->pid = ++c->fk.next_pid; /* and restarted: repaired by hand */
  assert_int_equal(fault_present(f, &c->be, &present, &err), 0);
  assert_false(present);
  int calls = c->fk.calls;
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  assert_int_equal(c->fk.calls, calls); /* nothing to do */

  /* A deny already there stays after repair. */
  char *had[] = {(char *)"socket", NULL};
  ctr->deny = strv_copy(had);
  assert_int_equal(fault_inject(f, &view, &c->be, &err), 0);
  assert_string_equal(ctr->deny[0], "socket");
  assert_string_equal(ctr->deny[1], "chmod");
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  assert_string_equal(ctr->deny[0], "socket");
  assert_null(ctr->deny[1]);

  /* A failed seccomp-set: the record is put back as it was, nothing to repair. */
  c->fk.fail_next = EIO;
  assert_int_equal(fault_inject(f, &view, &c->be, &err), -1);
  assert_string_equal(err->msg, "injecting seccomp-deny on node1/web/httpd seccomp denies chmod "
                                "fchmod fchmodat fchmodat2: fake failure: Input/output error");
  lab_error_clear(&err);
  assert_string_equal(ctr->deny[0], "socket");
  assert_null(ctr->deny[1]);
  calls = c->fk.calls;
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  assert_int_equal(c->fk.calls, calls);
  fault_free(f);
}

/* daemon-kill and pod-kill: the default target, inject, present, repair;
 * a start by hand (nodelab service, nodelab pod start) is seen. */
static void test_proc_kinds(void **state)
{
  struct ctx *c = *state;
  struct lab_error *err = NULL;
  bool present;
  struct fault *f = prepare_ok(FAULT_KIND_DAEMON_KILL, NULL, 0);
  assert_string_equal(fault_param(f, "node"), "node1");
  assert_string_equal(fault_param(f, "daemon"), "ovs-vswitchd");
  assert_string_equal(fault_target(f), "node1 daemon ovs-vswitchd");
  struct fake_proc *vswitchd = fake_proc(&c->fp, "node1", "ovs-vswitchd");
  cycle_flag(c, f, &vswitchd->running);
  assert_int_equal(vswitchd->kills, 2);
  assert_int_equal(vswitchd->starts, 1); /* the second repair found it running */
  fault_free(f);

  f = prepare_ok(FAULT_KIND_DAEMON_KILL, (struct fault_kv[]){{"daemon", "ovsdb-server"}}, 1);
  assert_string_equal(fault_target(f), "node1 daemon ovsdb-server");
  fault_free(f);

  f = prepare_ok(FAULT_KIND_POD_KILL, NULL, 0);
  assert_string_equal(fault_param(f, "pod"), "web");
  assert_string_equal(fault_target(f), "node1/web (its infra and containers)");
  cycle_flag(c, f, &fake_proc(&c->fp, "", "web")->running);
  fault_free(f);

  /* A failing kill leaves nothing injected; a failing start keeps it, to retry. */
  f = prepare_ok(FAULT_KIND_POD_KILL, (struct fault_kv[]){{"pod", "client"}}, 1);
  c->fp.fail_next = EIO;
  assert_int_equal(fault_inject(f, &view, &c->be, &err), -1);
  assert_string_equal(err->msg, "injecting pod-kill on node2/client (its infra and containers): "
                                "fake supervisor failure: Input/output error");
  lab_error_clear(&err);
  assert_int_equal(fault_present(f, &c->be, &present, &err), 0);
  assert_false(present);
  assert_int_equal(fault_inject(f, &view, &c->be, &err), 0);
  c->fp.fail_next = EIO;
  assert_int_equal(fault_repair(f, &c->be, &err), -1);
  lab_error_clear(&err);
  assert_int_equal(fault_present(f, &c->be, &present, &err), 0);
  assert_true(present);
  assert_int_equal(fault_repair(f, &c->be, &err), 0);
  assert_true(fake_proc(&c->fp, "", "client")->running);
  fault_free(f);
}

/* A backend without process callbacks refuses the process kinds. */
static void test_no_procs(void **state)
{
  struct ctx *c = *state;
  struct lab_error *err = NULL;
  c->be.procs = NULL;
  struct fault *f = prepare_ok(FAULT_KIND_DAEMON_KILL, NULL, 0);
  assert_int_equal(fault_inject(f, &view, &c->be, &err), -1);
  assert_string_equal(err->msg, "injecting daemon-kill on node1 daemon ovs-vswitchd: kind "
                                "daemon-kill: this backend supervises no processes");
  assert_int_equal(err->errnum, ENOTSUP);
  lab_error_clear(&err);
  fault_free(f);
}

static void test_catalogue(void **state)
{
  (void)state;
  assert_true(fault_kind_implemented(FAULT_KIND_LINK_MTU));
  assert_true(fault_kind_implemented(FAULT_KIND_DAEMON_KILL));
  assert_true(fault_kind_implemented(FAULT_KIND_POD_KILL));
  for (size_t k = 0; k < FAULT_KIND__COUNT; k++) {
    if (!fault_kind_implemented((enum fault_kind)k))
      continue;
    assert_true(strlen(fault_kind_symptom((enum fault_kind)k)) > 0);
    assert_non_null(fault_kind_hints((enum fault_kind)k)[0]);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_resolve_defaults),
      cmocka_unit_test(test_resolve_more),
      cmocka_unit_test(test_refusals),
      cmocka_unit_test_setup_teardown(test_no_ovs, setup, teardown),
      cmocka_unit_test_setup_teardown(test_link_kinds, setup, teardown),
      cmocka_unit_test_setup_teardown(test_pod_route, setup, teardown),
      cmocka_unit_test_setup_teardown(test_failures, setup, teardown),
      cmocka_unit_test(test_container_resolve),
      cmocka_unit_test_setup_teardown(test_cgroup_kinds, setup, teardown),
      cmocka_unit_test_setup_teardown(test_seccomp_kind, setup, teardown),
      cmocka_unit_test_setup_teardown(test_proc_kinds, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_procs, setup, teardown),
      cmocka_unit_test(test_catalogue),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
