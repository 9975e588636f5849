#include "flows.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct flows_pod {
  char *name;
  uint32_t ip;
  int ofport;
};

struct flows_remote {
  char *name;
  uint32_t subnet;
  int prefix;
  uint32_t underlay;
};

struct flows_model {
  char *node;
  uint32_t cluster;
  int cluster_prefix;
  uint32_t subnet;
  int prefix;
  uint32_t underlay;
  struct flows_pod *pods; /* sorted by name */
  size_t n_pods;
  struct flows_remote *remotes; /* sorted by name */
  size_t n_remotes;
};

static uint32_t prefix_mask(int prefix)
{
  return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

static int in_net(uint32_t ip, uint32_t net, int prefix)
{
  return (ip & prefix_mask(prefix)) == (net & prefix_mask(prefix));
}

static int nets_overlap(uint32_t a, int pa, uint32_t b, int pb)
{
  int p = pa < pb ? pa : pb;
  return in_net(a, b, p);
}

void flows_mac_for_ip(uint32_t ip, char buf[FLOWS_MAC_STRLEN])
{
  snprintf(buf, FLOWS_MAC_STRLEN, "0a:58:%02x:%02x:%02x:%02x", ip >> 24, (ip >> 16) & 0xff,
           (ip >> 8) & 0xff, ip & 0xff);
}

struct flows_model *flows_model_new(const char *node, uint32_t cluster, int cluster_prefix,
                                    uint32_t subnet, int prefix, uint32_t underlay,
                                    struct lab_error **err)
{
  if (cluster_prefix < 0 || cluster_prefix > 32 || prefix < 0 || prefix > 30) {
    lab_error_set(err, EINVAL, "node %s: bad prefix length", node);
    return NULL;
  }
  if (prefix < cluster_prefix || !in_net(subnet, cluster, cluster_prefix)) {
    char s[16], c[16];
    ipv4_format(subnet, s);
    ipv4_format(cluster, c);
    lab_error_set(err, EINVAL, "node %s: subnet %s/%d is not inside the cluster network %s/%d",
                  node, s, prefix, c, cluster_prefix);
    return NULL;
  }
  struct flows_model *m = calloc(1, sizeof *m);
  if (m == NULL || (m->node = strdup(node)) == NULL) {
    free(m);
    lab_error_set(err, ENOMEM, "flow model");
    return NULL;
  }
  m->cluster = cluster & prefix_mask(cluster_prefix);
  m->cluster_prefix = cluster_prefix;
  m->subnet = subnet & prefix_mask(prefix);
  m->prefix = prefix;
  m->underlay = underlay;
  return m;
}

void flows_model_free(struct flows_model *m)
{
  if (m == NULL)
    return;
  for (size_t i = 0; i < m->n_pods; i++)
    free(m->pods[i].name);
  for (size_t i = 0; i < m->n_remotes; i++)
    free(m->remotes[i].name);
  free(m->pods);
  free(m->remotes);
  free(m->node);
  free(m);
}

uint32_t flows_model_gateway(const struct flows_model *m)
{
  return m->subnet + 1;
}

/* Index where `name` is or would be inserted in a name-sorted array. */
#define FIND_SLOT(arr, n, key, found)                                                              \
  ({                                                                                               \
    size_t lo_ = 0, hi_ = (n);                                                                     \
    *(found) = 0;                                                                                  \
    while (lo_ < hi_) {                                                                            \
      size_t mid_ = (lo_ + hi_) / 2;                                                               \
      int c_ = strcmp((arr)[mid_].name, (key));                                                    \
      if (c_ == 0) {                                                                               \
        *(found) = 1;                                                                              \
        lo_ = mid_;                                                                                \
        break;                                                                                     \
      }                                                                                            \
      if (c_ < 0)                                                                                  \
        lo_ = mid_ + 1;                                                                            \
      else                                                                                         \
        hi_ = mid_;                                                                                \
    }                                                                                              \
    lo_;                                                                                           \
  })

/* Removes the entry named key from the sorted array arr of *n entries (its
 * name freed).  Evaluates to 1, or 0 when there is no such entry. */
#define DEL_SLOT(arr, n, key)                                                                      \
  ({                                                                                               \
    int f_;                                                                                        \
    size_t at_ = FIND_SLOT(arr, *(n), key, &f_);                                                   \
    if (f_) {                                                                                      \
      free((arr)[at_].name);                                                                       \
      memmove(&(arr)[at_], &(arr)[at_ + 1], (*(n)-at_ - 1) * sizeof *(arr));                       \
      (*(n))--;                                                                                    \
    }                                                                                              \
    f_;                                                                                            \
  })

/* Makes room for one zeroed entry at index at of arr (of *n entries of size
 * elem) and counts it; returns it, or NULL when out of memory (arr as it was). */
static void *insert_slot(void **arr, size_t *n, size_t elem, size_t at)
{
  char *v = realloc(*arr, (*n + 1) * elem);
  if (v == NULL)
    return NULL;
  *arr = v;
  memmove(v + (at + 1) * elem, v + at * elem, (*n - at) * elem);
  (*n)++;
  return memset(v + at * elem, 0, elem);
}

/* Adds an entry named key (a copy; key is not there yet) at its place in the
 * sorted array arr of *n entries.  Evaluates to the entry, zeroed but for its
 * name, or NULL when out of memory. */
#define ADD_SLOT(arr, n, key)                                                                      \
  ({                                                                                               \
    int f_;                                                                                        \
    size_t at_ = FIND_SLOT(arr, *(n), key, &f_);                                                   \
    char *name_ = strdup(key);                                                                     \
    __typeof__(&(arr)[0]) e_ =                                                                     \
        name_ != NULL ? insert_slot((void **)&(arr), n, sizeof *(arr), at_) : NULL;                \
    if (e_ != NULL)                                                                                \
      e_->name = name_;                                                                            \
    else                                                                                           \
      free(name_);                                                                                 \
    e_;                                                                                            \
  })

int flows_model_add_remote(struct flows_model *m, const char *node, uint32_t subnet, int prefix,
                           uint32_t underlay, struct lab_error **err)
{
  char s[16];
  ipv4_format(subnet, s);
  if (prefix < m->cluster_prefix || prefix > 30 || !in_net(subnet, m->cluster, m->cluster_prefix))
    return lab_error_set(err, EINVAL, "node %s: subnet %s/%d is not inside the cluster network",
                         node, s, prefix);
  if (strcmp(node, m->node) == 0)
    return lab_error_set(err, EEXIST, "node %s: is this node", node);
  if (nets_overlap(subnet, prefix, m->subnet, m->prefix))
    return lab_error_set(err, EINVAL, "node %s: subnet %s/%d overlaps this node's (%s)", node, s,
                         prefix, m->node);
  if (underlay == m->underlay)
    return lab_error_set(err, EEXIST, "node %s: underlay address is this node's", node);
  for (size_t i = 0; i < m->n_remotes; i++) {
    const struct flows_remote *r = &m->remotes[i];
    if (strcmp(r->name, node) == 0)
      return lab_error_set(err, EEXIST, "node %s: already known", node);
    if (nets_overlap(subnet, prefix, r->subnet, r->prefix))
      return lab_error_set(err, EINVAL, "node %s: subnet %s/%d overlaps node %s's", node, s, prefix,
                           r->name);
    if (r->underlay == underlay)
      return lab_error_set(err, EEXIST, "node %s: underlay address is node %s's", node, r->name);
  }
  struct flows_remote *r = ADD_SLOT(m->remotes, &m->n_remotes, node);
  if (r == NULL)
    return lab_error_set(err, ENOMEM, "node %s", node);
  r->subnet = subnet & prefix_mask(prefix);
  r->prefix = prefix;
  r->underlay = underlay;
  return 0;
}

int flows_model_del_remote(struct flows_model *m, const char *node, struct lab_error **err)
{
  if (!DEL_SLOT(m->remotes, &m->n_remotes, node))
    return lab_error_set(err, ENOENT, "node %s: not known", node);
  return 0;
}

static int check_ofport(const struct flows_model *m, const char *pod, int ofport,
                        struct lab_error **err)
{
  if (ofport <= FLOWS_PORT_TUN0 || ofport >= 0xff00)
    return lab_error_set(err, EINVAL, "pod %s: OpenFlow port %d is reserved", pod, ofport);
  for (size_t i = 0; i < m->n_pods; i++)
    if (m->pods[i].ofport == ofport && strcmp(m->pods[i].name, pod) != 0)
      return lab_error_set(err, EEXIST, "pod %s: OpenFlow port %d is pod %s's", pod, ofport,
                           m->pods[i].name);
  return 0;
}

int flows_model_check_pod(const struct flows_model *m, const char *pod, uint32_t ip,
                          struct lab_error **err)
{
  char a[16];
  ipv4_format(ip, a);
  uint32_t host = ip & ~prefix_mask(m->prefix);
  if (!in_net(ip, m->subnet, m->prefix) || host == 0 || host == ~prefix_mask(m->prefix))
    return lab_error_set(err, EINVAL, "pod %s: %s is not a host address of this node's subnet", pod,
                         a);
  if (ip == flows_model_gateway(m))
    return lab_error_set(err, EINVAL, "pod %s: %s is the node's gateway", pod, a);
  int found;
  (void)FIND_SLOT(m->pods, m->n_pods, pod, &found);
  if (found)
    return lab_error_set(err, EEXIST, "pod %s: already attached", pod);
  const char *user = flows_model_pod_by_ip(m, ip);
  if (user != NULL)
    return lab_error_set(err, EEXIST, "pod %s: address %s is in use by pod %s", pod, a, user);
  return 0;
}

int flows_model_add_pod(struct flows_model *m, const char *pod, uint32_t ip, int ofport,
                        struct lab_error **err)
{
  if (flows_model_check_pod(m, pod, ip, err) < 0 || check_ofport(m, pod, ofport, err) < 0)
    return -1;
  struct flows_pod *p = ADD_SLOT(m->pods, &m->n_pods, pod);
  if (p == NULL)
    return lab_error_set(err, ENOMEM, "pod %s", pod);
  p->ip = ip;
  p->ofport = ofport;
  return 0;
}

int flows_model_del_pod(struct flows_model *m, const char *pod, struct lab_error **err)
{
  if (!DEL_SLOT(m->pods, &m->n_pods, pod))
    return lab_error_set(err, ENOENT, "pod %s: not attached", pod);
  return 0;
}

int flows_model_set_pod_ofport(struct flows_model *m, const char *pod, int ofport,
                               struct lab_error **err)
{
  int found;
  size_t at = FIND_SLOT(m->pods, m->n_pods, pod, &found);
  if (!found)
    return lab_error_set(err, ENOENT, "pod %s: not attached", pod);
  if (check_ofport(m, pod, ofport, err) < 0)
    return -1;
  m->pods[at].ofport = ofport;
  return 0;
}

int flows_model_find_pod(const struct flows_model *m, const char *pod, uint32_t *ip, int *ofport)
{
  int found;
  size_t at = FIND_SLOT(m->pods, m->n_pods, pod, &found);
  if (!found)
    return -1;
  if (ip != NULL)
    *ip = m->pods[at].ip;
  if (ofport != NULL)
    *ofport = m->pods[at].ofport;
  return 0;
}

const char *flows_model_pod_by_ip(const struct flows_model *m, uint32_t ip)
{
  for (size_t i = 0; i < m->n_pods; i++)
    if (m->pods[i].ip == ip)
      return m->pods[i].name;
  return NULL;
}

size_t flows_model_pod_count(const struct flows_model *m)
{
  return m->n_pods;
}

const char *flows_model_pod_name(const struct flows_model *m, size_t i)
{
  return m->pods[i].name;
}

size_t flows_model_remote_count(const struct flows_model *m)
{
  return m->n_remotes;
}

void flows_model_remote(const struct flows_model *m, size_t i, const char **node, uint32_t *subnet,
                        int *prefix, uint32_t *underlay)
{
  const struct flows_remote *r = &m->remotes[i];
  if (node != NULL)
    *node = r->name;
  if (subnet != NULL)
    *subnet = r->subnet;
  if (prefix != NULL)
    *prefix = r->prefix;
  if (underlay != NULL)
    *underlay = r->underlay;
}

/* ---- flow lists ---- */

void flows_list_free(struct flows_list *l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->n; i++) {
    free(l->v[i].match);
    free(l->v[i].actions);
  }
  free(l->v);
  l->v = NULL;
  l->n = 0;
}

static int list_push(struct flows_list *l, uint8_t table, uint16_t priority, const char *match,
                     const char *actions)
{
  struct flows_entry *v = realloc(l->v, (l->n + 1) * sizeof *v);
  if (v == NULL)
    return -1;
  l->v = v;
  char *mc = strdup(match);
  char *ac = strdup(actions);
  if (mc == NULL || ac == NULL) {
    free(mc);
    free(ac);
    return -1;
  }
  v[l->n++] =
      (struct flows_entry){.table = table, .priority = priority, .match = mc, .actions = ac};
  return 0;
}

static int entry_cmp(const struct flows_entry *a, const struct flows_entry *b)
{
  if (a->table != b->table)
    return a->table < b->table ? -1 : 1;
  if (a->priority != b->priority)
    return a->priority > b->priority ? -1 : 1;
  int c = strcmp(a->match, b->match);
  return c != 0 ? c : strcmp(a->actions, b->actions);
}

static int entry_qsort_cmp(const void *a, const void *b)
{
  return entry_cmp(a, b);
}

char *flows_entry_format_match(const struct flows_entry *f)
{
  char *s = NULL;
  if (asprintf(&s, "table=%u,priority=%u%s%s", f->table, f->priority, f->match[0] ? "," : "",
               f->match) < 0)
    return NULL;
  return s;
}

char *flows_entry_format(const struct flows_entry *f)
{
  char *s = NULL;
  if (asprintf(&s, "table=%u,priority=%u%s%s actions=%s", f->table, f->priority,
               f->match[0] ? "," : "", f->match, f->actions) < 0)
    return NULL;
  return s;
}

/* ---- generation ---- */

struct gen {
  struct flows_list *out;
  int failed;
};

static void add(struct gen *g, uint8_t table, uint16_t priority, const char *match,
                const char *actions_fmt, ...) __attribute__((format(printf, 5, 6)));

static void add(struct gen *g, uint8_t table, uint16_t priority, const char *match,
                const char *actions_fmt, ...)
{
  if (g->failed)
    return;
  char actions[512];
  va_list ap;
  va_start(ap, actions_fmt);
  int n = vsnprintf(actions, sizeof actions, actions_fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof actions || list_push(g->out, table, priority, match, actions))
    g->failed = 1;
}

int flows_generate(const struct flows_model *m, struct flows_list *out, struct lab_error **err)
{
  *out = (struct flows_list){0};
  struct gen g = {.out = out};
  char match[256];
  char cluster[24], subnet[24], gw[16], gw_mac[FLOWS_MAC_STRLEN], router_mac[FLOWS_MAC_STRLEN];
  char a[16];

  ipv4_format(m->cluster, a);
  snprintf(cluster, sizeof cluster, "%s/%d", a, m->cluster_prefix);
  ipv4_format(m->subnet, a);
  snprintf(subnet, sizeof subnet, "%s/%d", a, m->prefix);
  ipv4_format(flows_model_gateway(m), gw);
  flows_mac_for_ip(flows_model_gateway(m), gw_mac);
  /* The subnet's network address is never a pod's nor the gateway's, so its
   * MAC names the "router" that answers for remote subnets. */
  flows_mac_for_ip(m->subnet, router_mac);

  /* Table 0: classify by ingress port. */
  snprintf(match, sizeof match, "ip,in_port=%d,nw_src=%s", FLOWS_PORT_VXLAN, cluster);
  add(&g, 0, 200, match, "goto_table:10");
  /* A remote node answering a local pod from its own (underlay) address:
   * the source is outside the cluster network, the destination inside. */
  snprintf(match, sizeof match, "ip,in_port=%d,nw_dst=%s", FLOWS_PORT_VXLAN, cluster);
  add(&g, 0, 200, match, "goto_table:10");
  snprintf(match, sizeof match, "in_port=%d", FLOWS_PORT_VXLAN);
  add(&g, 0, 150, match, "drop");
  snprintf(match, sizeof match, "ip,in_port=%d", FLOWS_PORT_TUN0);
  add(&g, 0, 200, match, "goto_table:30");
  snprintf(match, sizeof match, "arp,in_port=%d", FLOWS_PORT_TUN0);
  add(&g, 0, 200, match, "goto_table:30");
  snprintf(match, sizeof match, "in_port=%d", FLOWS_PORT_TUN0);
  add(&g, 0, 150, match, "drop");
  add(&g, 0, 100, "ip", "goto_table:20");
  add(&g, 0, 100, "arp", "goto_table:20");
  add(&g, 0, 0, "", "drop");

  /* Table 10: VXLAN ingress from known nodes only, on the cluster's VNI
   * (FLOWS_VNI, as OpenShift SDN's global VNID 0): a packet tunnelled with
   * another VNI is dropped here, as a real SDN drops a wrong tenant's. */
  for (size_t i = 0; i < m->n_remotes; i++) {
    ipv4_format(m->remotes[i].underlay, a);
    snprintf(match, sizeof match, "tun_src=%s,tun_id=%d", a, FLOWS_VNI);
    add(&g, 10, 100, match, "goto_table:30");
  }
  add(&g, 10, 0, "", "drop");

  /* Table 20: pods may send only as themselves; and, as on a real L2
   * segment, a frame is routed only when it is addressed to the gateway's
   * MAC (tun0's): a pod whose neighbour entry for its gateway is wrong is cut
   * off from everything but its own subnet. */
  for (size_t i = 0; i < m->n_pods; i++) {
    const struct flows_pod *p = &m->pods[i];
    char mac[FLOWS_MAC_STRLEN];
    ipv4_format(p->ip, a);
    flows_mac_for_ip(p->ip, mac);
    snprintf(match, sizeof match, "ip,in_port=%d,dl_src=%s,dl_dst=%s,nw_src=%s", p->ofport, mac,
             gw_mac, a);
    add(&g, 20, 100, match, "goto_table:30");
    snprintf(match, sizeof match, "ip,in_port=%d,dl_src=%s,nw_src=%s,nw_dst=%s", p->ofport, mac, a,
             subnet);
    add(&g, 20, 100, match, "goto_table:30");
    snprintf(match, sizeof match, "arp,in_port=%d,arp_spa=%s,arp_sha=%s", p->ofport, a, mac);
    add(&g, 20, 100, match, "goto_table:30");
  }
  add(&g, 20, 0, "", "drop");

  /* Table 30: routing. */
  snprintf(match, sizeof match, "arp,arp_tpa=%s", gw);
  add(&g, 30, 300, match, "output:%d", FLOWS_PORT_TUN0);
  snprintf(match, sizeof match, "ip,nw_dst=%s", gw);
  add(&g, 30, 300, match, "set_field:%s->eth_dst,output:%d", gw_mac, FLOWS_PORT_TUN0);
  snprintf(match, sizeof match, "arp,arp_tpa=%s", subnet);
  add(&g, 30, 200, match, "goto_table:40");
  snprintf(match, sizeof match, "ip,nw_dst=%s", subnet);
  add(&g, 30, 200, match, "goto_table:70");
  /* The node reaches the whole cluster network on-link through tun0, so it
   * ARPs for remote pods: answer with the router MAC (proxy ARP). */
  snprintf(match, sizeof match, "arp,in_port=%d,arp_op=1,arp_tpa=%s", FLOWS_PORT_TUN0, cluster);
  add(&g, 30, 150, match,
      "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],set_field:%s->eth_src,"
      "set_field:2->arp_op,move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],set_field:%s->arp_sha,"
      "move:NXM_OF_ARP_TPA[]->NXM_NX_REG0[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],"
      "move:NXM_NX_REG0[]->NXM_OF_ARP_SPA[],IN_PORT",
      router_mac, router_mac);
  snprintf(match, sizeof match, "ip,nw_dst=%s", cluster);
  add(&g, 30, 100, match, "goto_table:90");
  /* Everything else (outside the cluster network) is egress. */
  add(&g, 30, 10, "ip", "goto_table:100");
  add(&g, 30, 0, "", "drop");

  /* Tables 40 and 70: local delivery. */
  for (size_t i = 0; i < m->n_pods; i++) {
    const struct flows_pod *p = &m->pods[i];
    char mac[FLOWS_MAC_STRLEN];
    ipv4_format(p->ip, a);
    flows_mac_for_ip(p->ip, mac);
    snprintf(match, sizeof match, "arp,arp_tpa=%s", a);
    add(&g, 40, 100, match, "output:%d", p->ofport);
    snprintf(match, sizeof match, "ip,nw_dst=%s", a);
    add(&g, 70, 100, match, "set_field:%s->eth_dst,output:%d", mac, p->ofport);
  }
  add(&g, 40, 0, "", "drop");
  add(&g, 70, 0, "", "drop");

  /* Table 90: one tunnel flow per remote node. */
  for (size_t i = 0; i < m->n_remotes; i++) {
    const struct flows_remote *r = &m->remotes[i];
    char u[16];
    ipv4_format(r->subnet, a);
    ipv4_format(r->underlay, u);
    snprintf(match, sizeof match, "ip,nw_dst=%s/%d", a, r->prefix);
    add(&g, 90, 100, match, "set_field:%s->tun_dst,output:%d", u, FLOWS_PORT_VXLAN);
  }
  add(&g, 90, 0, "", "drop");

  /* Table 100: egress.  A local pod's packet (its source address is checked
   * in table 20) leaves through tun0 and the node routes it; the destination
   * MAC is the gateway's, as in the gateway flow.  A source in the local
   * subnet that came in on tun0 itself goes nowhere (OpenFlow does not send a
   * packet back out of its in_port without IN_PORT). */
  snprintf(match, sizeof match, "ip,nw_src=%s", subnet);
  add(&g, 100, 100, match, "set_field:%s->eth_dst,output:%d", gw_mac, FLOWS_PORT_TUN0);
  add(&g, 100, 0, "", "drop");

  if (g.failed) {
    flows_list_free(out);
    return lab_error_set(err, ENOMEM, "generating flows");
  }
  qsort(out->v, out->n, sizeof *out->v, entry_qsort_cmp);
  return 0;
}

static int list_push_copy(struct flows_list *l, const struct flows_entry *f)
{
  return list_push(l, f->table, f->priority, f->match, f->actions);
}

int flows_diff(const struct flows_list *from, const struct flows_list *to,
               struct flows_list *removed, struct flows_list *added, struct lab_error **err)
{
  *removed = (struct flows_list){0};
  *added = (struct flows_list){0};
  /* Both lists are sorted by entry_cmp: one merge pass. */
  size_t i = 0, j = 0;
  int failed = 0;
  while (!failed && (i < from->n || j < to->n)) {
    int c = i == from->n ? 1 : j == to->n ? -1 : entry_cmp(&from->v[i], &to->v[j]);
    if (c == 0) {
      i++;
      j++;
    } else if (c < 0) {
      failed = list_push_copy(removed, &from->v[i++]);
    } else {
      failed = list_push_copy(added, &to->v[j++]);
    }
  }
  if (failed) {
    flows_list_free(removed);
    flows_list_free(added);
    return lab_error_set(err, ENOMEM, "diffing flows");
  }
  return 0;
}
