/* The flow table as a pure function of the cluster model (netd/flows.c). */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit-test.h"

#include "flows.h"
#include "ofp.h"

#include "openflow/openflow.h"
#include "openvswitch/flow.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-flow.h"
#include "packets.h"

#include "netd-test.h"

static size_t count_containing(const struct flows_list *l, const char *needle)
{
  size_t n = 0;
  for (size_t i = 0; i < l->n; i++) {
    char *s = flows_entry_format(&l->v[i]);
    assert_non_null(s);
    if (strstr(s, needle) != NULL)
      n++;
    free(s);
  }
  return n;
}

/* Returns the formatted flows containing needle, joined by newlines. */
static char *flows_with(const struct flows_list *l, const char *needle)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  for (size_t i = 0; i < l->n; i++) {
    char *s = flows_entry_format(&l->v[i]);
    if (strstr(s, needle) != NULL)
      fprintf(f, "%s\n", s);
    free(s);
  }
  fclose(f);
  return buf;
}

static void test_one_tunnel_flow_per_remote(void **state)
{
  (void)state;
  struct flows_model *m = lab_model();
  struct flows_list l;
  struct lab_error *err = NULL;
  generate(m, &l);

  assert_int_equal(count_containing(&l, "->tun_dst"), 2);
  char *f2 = flows_with(&l, "set_field:192.168.122.203->tun_dst");
  assert_string_equal(
      f2, "table=90,priority=100,ip,nw_dst=10.1.2.0/24 actions=set_field:192.168.122.203->tun_dst,"
          "output:1\n");
  free(f2);
  char *f3 = flows_with(&l, "set_field:192.168.122.204->tun_dst");
  assert_string_equal(
      f3, "table=90,priority=100,ip,nw_dst=10.1.3.0/24 actions=set_field:192.168.122.204->tun_dst,"
          "output:1\n");
  free(f3);
  /* The node's own underlay address is never a tunnel destination. */
  assert_int_equal(count_containing(&l, "192.168.122.202"), 0);
  /* VXLAN ingress accepts exactly the known nodes. */
  assert_int_equal(count_containing(&l, "tun_src="), 2);

  /* A third remote adds exactly one tunnel flow; removing one takes its away. */
  assert_int_equal(
      flows_model_add_remote(m, "node4", IP(10, 1, 4, 0), 24, IP(192, 168, 122, 205), &err), 0);
  struct flows_list l2;
  generate(m, &l2);
  assert_int_equal(count_containing(&l2, "->tun_dst"), 3);
  assert_int_equal(flows_model_del_remote(m, "node2", &err), 0);
  struct flows_list l3;
  generate(m, &l3);
  assert_int_equal(count_containing(&l3, "->tun_dst"), 2);
  assert_int_equal(count_containing(&l3, "192.168.122.203"), 0);
  assert_int_equal(count_containing(&l3, "192.168.122.205->tun_dst"), 1);

  flows_list_free(&l);
  flows_list_free(&l2);
  flows_list_free(&l3);
  flows_model_free(m);
}

static void test_dispatch_and_gateway(void **state)
{
  (void)state;
  struct flows_model *m = lab_model();
  struct flows_list l;
  generate(m, &l);
  char *s = flows_with(&l, "table=0,");
  assert_non_null(strstr(s, "table=0,priority=200,ip,in_port=1,nw_src=10.1.0.0/16 "
                            "actions=goto_table:10\n"));
  assert_non_null(strstr(s, "table=0,priority=200,ip,in_port=2 actions=goto_table:30\n"));
  assert_non_null(strstr(s, "table=0,priority=100,ip actions=goto_table:20\n"));
  assert_non_null(strstr(s, "table=0,priority=0 actions=drop\n"));
  free(s);
  s = flows_with(&l, "10.1.1.1 ");
  assert_string_equal(s, "table=30,priority=300,arp,arp_tpa=10.1.1.1 actions=output:2\n"
                         "table=30,priority=300,ip,nw_dst=10.1.1.1 "
                         "actions=set_field:0a:58:0a:01:01:01->eth_dst,output:2\n");
  free(s);
  /* Every table used ends in a drop. */
  static const int tables[] = {0, 10, 20, 30, 40, 70, 90, 100};
  for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
    char want[64];
    snprintf(want, sizeof want, "table=%d,priority=0 actions=drop", tables[i]);
    assert_int_equal(count_containing(&l, want), 1);
  }
  flows_list_free(&l);
  flows_model_free(m);
}

static void test_every_flow_parses_as_openflow13(void **state)
{
  (void)state;
  struct flows_model *m = lab_model();
  struct lab_error *err = NULL;
  add_pod(m, "web", IP(10, 1, 1, 2), 3);
  add_pod(m, "db", IP(10, 1, 1, 3), 4);
  struct flows_list l;
  generate(m, &l);
  assert_true(l.n > 20);
  for (size_t i = 0; i < l.n; i++) {
    char *s = flows_entry_format(&l.v[i]);
    struct ofputil_flow_mod fm;
    if (netd_ofp_parse_flow(s, OFPFC_ADD, &fm, &err) < 0)
      fail_msg("%s", err->msg);
    assert_int_equal(fm.table_id, l.v[i].table);
    assert_int_equal(fm.priority, l.v[i].priority);
    netd_ofp_flow_mod_uninit(&fm);
    free(s);
    s = flows_entry_format_match(&l.v[i]);
    if (netd_ofp_parse_flow(s, OFPFC_DELETE_STRICT, &fm, &err) < 0)
      fail_msg("%s", err->msg);
    netd_ofp_flow_mod_uninit(&fm);
    free(s);
  }
  flows_list_free(&l);
  flows_model_free(m);
}

static void test_local_pod_delivery(void **state)
{
  (void)state;
  struct flows_model *m = lab_model();
  add_pod(m, "web", IP(10, 1, 1, 5), 7);
  struct flows_list l;
  generate(m, &l);
  char *s = flows_with(&l, "10.1.1.5");
  assert_string_equal(s, "table=20,priority=100,arp,in_port=7,arp_spa=10.1.1.5,"
                         "arp_sha=0a:58:0a:01:01:05 actions=goto_table:30\n"
                         "table=20,priority=100,ip,in_port=7,dl_src=0a:58:0a:01:01:05,"
                         "dl_dst=0a:58:0a:01:01:01,nw_src=10.1.1.5 actions=goto_table:30\n"
                         "table=20,priority=100,ip,in_port=7,dl_src=0a:58:0a:01:01:05,"
                         "nw_src=10.1.1.5,nw_dst=10.1.1.0/24 actions=goto_table:30\n"
                         "table=40,priority=100,arp,arp_tpa=10.1.1.5 actions=output:7\n"
                         "table=70,priority=100,ip,nw_dst=10.1.1.5 "
                         "actions=set_field:0a:58:0a:01:01:05->eth_dst,output:7\n");
  free(s);
  flows_list_free(&l);
  flows_model_free(m);
}

/* Adding or removing a pod changes only that pod's flows. */
static void test_pod_add_del_changes_only_its_flows(void **state)
{
  (void)state;
  struct flows_model *m = lab_model();
  struct lab_error *err = NULL;
  add_pod(m, "a", IP(10, 1, 1, 2), 3);
  struct flows_list before, after, removed, added;
  generate(m, &before);
  add_pod(m, "b", IP(10, 1, 1, 9), 4);
  generate(m, &after);

  assert_int_equal(flows_diff(&before, &after, &removed, &added, &err), 0);
  assert_int_equal(removed.n, 0);
  assert_int_equal(added.n, 5);
  for (size_t i = 0; i < added.n; i++) {
    char *s = flows_entry_format(&added.v[i]);
    assert_true(strstr(s, "10.1.1.9") != NULL);
    free(s);
  }
  flows_list_free(&removed);
  flows_list_free(&added);

  assert_int_equal(flows_model_del_pod(m, "b", &err), 0);
  struct flows_list again;
  generate(m, &again);
  assert_int_equal(flows_diff(&after, &again, &removed, &added, &err), 0);
  assert_int_equal(added.n, 0);
  assert_int_equal(removed.n, 5);
  assert_int_equal(count_containing(&removed, "10.1.1.9"), 5);
  /* Back to exactly the table before b. */
  flows_list_free(&removed);
  flows_list_free(&added);
  assert_int_equal(flows_diff(&before, &again, &removed, &added, &err), 0);
  assert_int_equal(removed.n + added.n, 0);

  /* A port change (re-attach) replaces exactly the flows naming the port. */
  assert_int_equal(flows_model_set_pod_ofport(m, "a", 12, &err), 0);
  struct flows_list moved;
  generate(m, &moved);
  flows_list_free(&removed);
  flows_list_free(&added);
  assert_int_equal(flows_diff(&again, &moved, &removed, &added, &err), 0);
  assert_int_equal(removed.n, 5);
  assert_int_equal(added.n, 5);
  assert_int_equal(count_containing(&added, "12"), 5);

  flows_list_free(&removed);
  flows_list_free(&added);
  flows_list_free(&before);
  flows_list_free(&after);
  flows_list_free(&again);
  flows_list_free(&moved);
  flows_model_free(m);
}

static void expect_error(int rc, struct lab_error **err, int errnum, const char *needle)
{
  assert_int_equal(rc, -1);
  assert_non_null(*err);
  assert_int_equal((*err)->errnum, errnum);
  if (strstr((*err)->msg, needle) == NULL)
    fail_msg("\"%s\" does not contain \"%s\"", (*err)->msg, needle);
  lab_error_clear(err);
}

static void test_bad_pods_and_nodes_change_nothing(void **state)
{
  (void)state;
  struct flows_model *m = lab_model();
  struct lab_error *err = NULL;
  add_pod(m, "a", IP(10, 1, 1, 2), 3);
  struct flows_list before;
  generate(m, &before);

  expect_error(flows_model_add_pod(m, "a", IP(10, 1, 1, 3), 4, &err), &err, EEXIST, "already");
  expect_error(flows_model_add_pod(m, "b", IP(10, 1, 1, 2), 4, &err), &err, EEXIST,
               "in use by pod a");
  expect_error(flows_model_add_pod(m, "b", IP(10, 1, 1, 3), 3, &err), &err, EEXIST, "port 3");
  expect_error(flows_model_add_pod(m, "b", IP(10, 1, 1, 1), 4, &err), &err, EINVAL, "gateway");
  expect_error(flows_model_add_pod(m, "b", IP(10, 1, 2, 3), 4, &err), &err, EINVAL, "subnet");
  expect_error(flows_model_add_pod(m, "b", IP(10, 1, 1, 255), 4, &err), &err, EINVAL, "subnet");
  expect_error(flows_model_add_pod(m, "b", IP(10, 1, 1, 4), 2, &err), &err, EINVAL, "reserved");
  expect_error(flows_model_del_pod(m, "zz", &err), &err, ENOENT, "zz");
  expect_error(
      flows_model_add_remote(m, "node2", IP(10, 1, 9, 0), 24, IP(192, 168, 122, 209), &err), &err,
      EEXIST, "node2");
  expect_error(
      flows_model_add_remote(m, "node9", IP(10, 1, 1, 0), 24, IP(192, 168, 122, 209), &err), &err,
      EINVAL, "overlaps");
  expect_error(
      flows_model_add_remote(m, "node9", IP(10, 1, 2, 128), 25, IP(192, 168, 122, 209), &err), &err,
      EINVAL, "overlaps node node2");
  expect_error(
      flows_model_add_remote(m, "node9", IP(10, 2, 0, 0), 24, IP(192, 168, 122, 209), &err), &err,
      EINVAL, "cluster network");
  expect_error(
      flows_model_add_remote(m, "node9", IP(10, 1, 9, 0), 24, IP(192, 168, 122, 203), &err), &err,
      EEXIST, "node2");

  struct flows_list after, removed, added;
  generate(m, &after);
  assert_int_equal(flows_diff(&before, &after, &removed, &added, &err), 0);
  assert_int_equal(removed.n + added.n, 0);
  assert_int_equal(flows_model_pod_count(m), 1);
  assert_int_equal(flows_model_remote_count(m), 2);

  flows_list_free(&before);
  flows_list_free(&after);
  flows_model_free(m);

  assert_null(flows_model_new("n", IP(10, 1, 0, 0), 16, IP(10, 2, 1, 0), 24, 1, &err));
  expect_error(-1, &err, EINVAL, "not inside the cluster network");
}

static void test_macs_and_lookups(void **state)
{
  (void)state;
  char mac[FLOWS_MAC_STRLEN];
  flows_mac_for_ip(IP(10, 1, 2, 254), mac);
  assert_string_equal(mac, "0a:58:0a:01:02:fe");

  struct flows_model *m = lab_model();
  assert_int_equal(flows_model_gateway(m), IP(10, 1, 1, 1));
  add_pod(m, "zeta", IP(10, 1, 1, 20), 5);
  add_pod(m, "alpha", IP(10, 1, 1, 21), 6);
  assert_string_equal(flows_model_pod_name(m, 0), "alpha");
  assert_string_equal(flows_model_pod_name(m, 1), "zeta");
  uint32_t ip;
  int port;
  assert_int_equal(flows_model_find_pod(m, "zeta", &ip, &port), 0);
  assert_int_equal(ip, IP(10, 1, 1, 20));
  assert_int_equal(port, 5);
  assert_int_equal(flows_model_find_pod(m, "nope", &ip, &port), -1);
  assert_string_equal(flows_model_pod_by_ip(m, IP(10, 1, 1, 21)), "alpha");
  assert_null(flows_model_pod_by_ip(m, IP(10, 1, 1, 22)));
  const char *name;
  uint32_t subnet, underlay;
  int prefix;
  flows_model_remote(m, 1, &name, &subnet, &prefix, &underlay);
  assert_string_equal(name, "node3");
  assert_int_equal(subnet, IP(10, 1, 3, 0));
  assert_int_equal(prefix, 24);
  assert_int_equal(underlay, IP(192, 168, 122, 204));
  flows_model_free(m);
}

/* ---- a packet through the table, as ovs-vswitchd would take it ---- */

struct pkt {
  int in_port;
  int arp; /* 0: IPv4 */
  uint32_t src, dst;
  uint32_t tun_src; /* 0: not from the tunnel */
  uint32_t vni;     /* the tunnel's VNI */
  uint32_t l2_dst;  /* the address whose MAC is the frame's destination; 0: as
                       the sender's kernel picks it (the destination's own on
                       the local subnet, else the gateway's) */
};

/* Walks pkt through the flow table l from table 0, taking in each table the
 * highest-priority flow whose match (parsed by OVS's own parser, matched by
 * its classifier code) fits the packet, and returns the path as text:
 * "0 20 30 90 set_field:192.168.122.203->tun_dst output:1", or ending in
 * "drop".  Only the actions netd uses are followed. */
static char *walk(const struct flows_list *l, const struct pkt *p)
{
  struct flow fl;
  memset(&fl, 0, sizeof fl);
  fl.in_port.ofp_port = (ofp_port_t)p->in_port;
  fl.dl_type = htons(p->arp ? 0x0806 : 0x0800);
  fl.nw_src = htonl(p->src);
  fl.nw_dst = htonl(p->dst);
  /* The sender's MAC follows from its address, as for pods and tun0. */
  char mac[FLOWS_MAC_STRLEN];
  flows_mac_for_ip(p->src, mac);
  assert_true(eth_addr_from_string(mac, &fl.dl_src));
  uint32_t l2_dst = p->l2_dst;
  if (l2_dst == 0)
    l2_dst = (p->dst & 0xffffff00) == IP(10, 1, 1, 0) ? p->dst : IP(10, 1, 1, 1);
  flows_mac_for_ip(l2_dst, mac);
  assert_true(eth_addr_from_string(mac, &fl.dl_dst));
  if (p->arp) {
    fl.nw_proto = 1; /* ARP request */
    fl.arp_sha = fl.dl_src;
  }
  if (p->tun_src) {
    fl.tunnel.ip_src = htonl(p->tun_src);
    fl.tunnel.ip_dst = htonl(IP(192, 168, 122, 202));
    fl.tunnel.tun_id = htonll(p->vni);
  }
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  int table = 0;
  for (int hops = 0; hops < 16; hops++) {
    fprintf(out, "%d ", table);
    const struct flows_entry *hit = NULL;
    for (size_t i = 0; i < l->n && hit == NULL; i++) {
      if (l->v[i].table != table)
        continue;
      char *s = flows_entry_format(&l->v[i]);
      struct ofputil_flow_mod fm;
      struct lab_error *err = NULL;
      if (netd_ofp_parse_flow(s, OFPFC_ADD, &fm, &err) < 0)
        fail_msg("%s", err->msg);
      if (minimatch_matches_flow(&fm.match, &fl))
        hit = &l->v[i]; /* sorted by priority, highest first */
      netd_ofp_flow_mod_uninit(&fm);
      free(s);
    }
    if (hit == NULL) {
      fprintf(out, "no-flow");
      break;
    }
    char *actions = strdup(hit->actions), *save = NULL;
    int next = -1;
    for (char *a = strtok_r(actions, ",", &save); a != NULL; a = strtok_r(NULL, ",", &save)) {
      if (strncmp(a, "goto_table:", 11) == 0)
        next = atoi(a + 11);
      else if (strncmp(a, "set_field:", 10) == 0 || strncmp(a, "output:", 7) == 0 ||
               strcmp(a, "drop") == 0 || strcmp(a, "IN_PORT") == 0)
        fprintf(out, "%s ", a);
    }
    free(actions);
    if (next < 0)
      break;
    table = next;
  }
  fclose(out);
  if (len > 0 && buf[len - 1] == ' ')
    buf[len - 1] = '\0';
  return buf;
}

static void expect_path(const struct flows_list *l, const struct pkt *p, const char *want)
{
  char *got = walk(l, p);
  if (strcmp(got, want) != 0)
    fail_msg("packet in_port %d %s %08x -> %08x: path \"%s\", expected \"%s\"", p->in_port,
             p->arp ? "arp" : "ip", p->src, p->dst, got, want);
  free(got);
}

#define WEB IP(10, 1, 1, 2)
#define WEB_PORT 3

/* Pods reach addresses outside the cluster network through tun0 (the node
 * routes them); the cluster's own traffic goes where it went. */
static void test_egress_through_tun0(void **state)
{
  (void)state;
  struct flows_model *m = lab_model();
  add_pod(m, "web", WEB, WEB_PORT);
  add_pod(m, "db", IP(10, 1, 1, 3), 4);
  struct flows_list l;
  generate(m, &l);

  /* Exactly one egress flow, one way into its table, whatever the pods. */
  char *s = flows_with(&l, "table=100,");
  assert_string_equal(s, "table=100,priority=100,ip,nw_src=10.1.1.0/24 "
                         "actions=set_field:0a:58:0a:01:01:01->eth_dst,output:2\n"
                         "table=100,priority=0 actions=drop\n");
  free(s);
  assert_int_equal(count_containing(&l, "goto_table:100"), 1);
  assert_int_equal(count_containing(&l, "table=30,priority=10,ip actions=goto_table:100"), 1);

  const char *to_tun0 = "0 20 30 100 set_field:0a:58:0a:01:01:01->eth_dst output:2";
  /* A pod to every node's underlay address (its own node's too), and beyond. */
  expect_path(&l, &(struct pkt){WEB_PORT, 0, WEB, IP(192, 168, 122, 203), 0, 0, 0}, to_tun0);
  expect_path(&l, &(struct pkt){WEB_PORT, 0, WEB, IP(192, 168, 122, 202), 0, 0, 0}, to_tun0);
  expect_path(&l, &(struct pkt){4, 0, IP(10, 1, 1, 3), IP(198, 51, 100, 1), 0, 0, 0}, to_tun0);
  /* ... but not as someone else. */
  expect_path(&l, &(struct pkt){WEB_PORT, 0, IP(10, 1, 1, 3), IP(192, 168, 122, 203), 0, 0, 0},
              "0 20 drop");
  /* Cluster destinations go where they went: local pod, gateway, remote
   * node's subnet, and a cluster address no node has (dropped, not egress). */
  expect_path(&l, &(struct pkt){WEB_PORT, 0, WEB, IP(10, 1, 1, 3), 0, 0, 0},
              "0 20 30 70 set_field:0a:58:0a:01:01:03->eth_dst output:4");
  expect_path(&l, &(struct pkt){WEB_PORT, 0, WEB, IP(10, 1, 1, 1), 0, 0, 0},
              "0 20 30 set_field:0a:58:0a:01:01:01->eth_dst output:2");
  expect_path(&l, &(struct pkt){WEB_PORT, 0, WEB, IP(10, 1, 2, 2), 0, 0, 0},
              "0 20 30 90 set_field:192.168.122.203->tun_dst output:1");
  expect_path(&l, &(struct pkt){WEB_PORT, 0, WEB, IP(10, 1, 99, 9), 0, 0, 0}, "0 20 30 90 drop");
  /* ARP for the gateway still reaches tun0; ARP for anything outside the
   * local subnet is not answered. */
  expect_path(&l, &(struct pkt){WEB_PORT, 1, WEB, IP(10, 1, 1, 1), 0, 0, 0}, "0 20 30 output:2");
  expect_path(&l, &(struct pkt){WEB_PORT, 1, WEB, IP(192, 168, 122, 203), 0, 0, 0}, "0 20 30 drop");
  /* The answers: from this node (tun0) and from another node's underlay
   * address through the tunnel, to the pod. */
  const char *to_web = "0 10 30 70 set_field:0a:58:0a:01:01:02->eth_dst output:3";
  expect_path(&l, &(struct pkt){2, 0, IP(192, 168, 122, 202), WEB, 0, 0, 0},
              "0 30 70 set_field:0a:58:0a:01:01:02->eth_dst output:3");
  expect_path(&l, &(struct pkt){1, 0, IP(192, 168, 122, 203), WEB, IP(192, 168, 122, 203), 0, 0},
              to_web);
  /* Pod to pod across the tunnel, as before. */
  expect_path(&l, &(struct pkt){1, 0, IP(10, 1, 2, 2), WEB, IP(192, 168, 122, 203), 0, 0}, to_web);
  /* The tunnel carries nothing else: not from an unknown node, not for
   * outside the cluster network (no transit through this node). */
  expect_path(&l, &(struct pkt){1, 0, IP(192, 168, 122, 209), WEB, IP(192, 168, 122, 209), 0, 0},
              "0 10 drop");
  /* ... nor with another VNI than the cluster's (vni-mismatch). */
  expect_path(&l, &(struct pkt){1, 0, IP(10, 1, 2, 2), WEB, IP(192, 168, 122, 203), .vni = 7},
              "0 10 drop");
  /* A pod routes only through frames addressed to the gateway's MAC
   * (neighbour-poison of its gateway): not to another node's pods, nor
   * beyond; its own subnet is on-link and still reached. */
  expect_path(&l, &(struct pkt){WEB_PORT, 0, WEB, IP(10, 1, 2, 2), 0, .l2_dst = IP(10, 1, 1, 99)},
              "0 20 drop");
  expect_path(&l,
              &(struct pkt){WEB_PORT, 0, WEB, IP(198, 51, 100, 1), 0, .l2_dst = IP(10, 1, 1, 99)},
              "0 20 drop");
  expect_path(&l, &(struct pkt){WEB_PORT, 0, WEB, IP(10, 1, 1, 3), 0, .l2_dst = IP(10, 1, 1, 99)},
              "0 20 30 70 set_field:0a:58:0a:01:01:03->eth_dst output:4");
  expect_path(&l,
              &(struct pkt){1, 0, IP(192, 168, 122, 203), IP(198, 51, 100, 1),
                            IP(192, 168, 122, 203), 0, 0},
              "0 drop");
  expect_path(
      &l, &(struct pkt){1, 0, IP(10, 1, 2, 2), IP(198, 51, 100, 1), IP(192, 168, 122, 203), 0, 0},
      "0 10 30 100 drop");
  /* Nothing the node sends out of tun0 to the outside comes back out of it. */
  expect_path(&l, &(struct pkt){2, 0, IP(10, 1, 1, 1), IP(198, 51, 100, 1), 0, 0, 0},
              "0 30 100 set_field:0a:58:0a:01:01:01->eth_dst output:2");
  flows_list_free(&l);
  flows_model_free(m);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_one_tunnel_flow_per_remote),
               cmocka_unit_test(test_dispatch_and_gateway),
               cmocka_unit_test(test_every_flow_parses_as_openflow13),
               cmocka_unit_test(test_local_pod_delivery),
               cmocka_unit_test(test_pod_add_del_changes_only_its_flows),
               cmocka_unit_test(test_bad_pods_and_nodes_change_nothing),
               cmocka_unit_test(test_macs_and_lookups), cmocka_unit_test(test_egress_through_tun0))
