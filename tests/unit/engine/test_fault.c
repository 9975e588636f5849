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

/* ---- the fake: a namespace per pid ---- */

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

static const struct fault_backend_ops fake_ops = {
    .netns_open = fake_open,
    .link_set_mtu = fake_mtu,
    .link_set_up = fake_up,
    .tx_csum_set = fake_csum,
    .route_delete = fake_route_delete,
    .repair = fake_repair,
    .capture = fake_capture,
};

/* The default lab: master (pid 100), node1 (101), node2 (102), the fabric
 * (99); web on node1 (infra 201), client on node2 (202). */
static const struct fault_view_node nodes[] = {
    {"master", 100, "192.168.122.201/24", "10.1.0.0/24", "vn1"},
    {"node1", 101, "192.168.122.202/24", "10.1.1.0/24", "vn2"},
    {"node2", 102, "192.168.122.203/24", "10.1.2.0/24", "vn3"},
};
static const struct fault_view_pod pods[] = {
    {"web", "node1", "10.1.1.2", 201},
    {"client", "node2", "10.1.2.2", 202},
    {"pending", "master", NULL, 0},
};
static const struct fault_view view = {nodes, 3, pods, 3, 99, 0};

struct ctx {
  struct fake fk;
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
  c->be = (struct fault_backend){&fake_ops, &c->fk};
  *state = c;
  return 0;
}

static int teardown(void **state)
{
  free(*state);
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
  expect_target(FAULT_KIND_NETEM, NULL, 0, "node1 eth0 (rate 1mbit)");
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
  expect_refusal(FAULT_KIND_DAEMON_KILL, NULL, 0, ENOTSUP, "kind daemon-kill: not implemented yet");
  expect_refusal(FAULT_KIND_NETEM, (struct fault_kv[]){{"jitter", "10ms"}}, 1, EINVAL,
                 "kind netem: jitter and reorder need a delay");
  expect_refusal(FAULT_KIND_PARTITION, (struct fault_kv[]){{"node", "node1"}, {"remote", "node1"}},
                 2, EINVAL, "kind partition: remote must be another node than node1");
  expect_refusal(FAULT_KIND_DUPLICATE_IP, (struct fault_kv[]){{"pod", "web"}, {"as", "web"}}, 2,
                 EINVAL, "kind duplicate-ip: as must be another pod than web");
  expect_refusal(FAULT_KIND_POD_ROUTE_DELETE, (struct fault_kv[]){{"pod", "nope"}}, 1, ENOENT,
                 "kind pod-route-delete: no pod named nope in the lab");
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

static void test_catalogue(void **state)
{
  (void)state;
  assert_true(fault_kind_implemented(FAULT_KIND_LINK_MTU));
  assert_false(fault_kind_implemented(FAULT_KIND_DAEMON_KILL));
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
      cmocka_unit_test(test_catalogue),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
