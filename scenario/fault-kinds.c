/* The fault-kind table (what each kind breaks and the parameters it takes)
 * and the parsing of a parameter's text by its type.  The fault engine
 * implements these kinds; adding one here without it there makes `nodelab
 * fault inject` report "not implemented". */
#include "fault-kinds.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "scenario-internal.h"

#define REQ(n, t)                                                                                  \
  {                                                                                                \
    .name = (n), .type = (t), .need = FAULT_PARAM_REQUIRED                                         \
  }
#define INT(n, lo, hi, w)                                                                          \
  {                                                                                                \
    .name = (n), .type = FAULT_PARAM_INTEGER, .need = FAULT_PARAM_REQUIRED, .min = (lo),           \
    .max = (hi), .what = (w)                                                                       \
  }

static const struct fault_kind_spec fault_kinds[] = {
    [FAULT_KIND_LINK_MTU] = {FAULT_KIND_LINK_MTU,
                             "link-mtu",
                             "sets the MTU of a node's link (too small: large packets vanish)",
                             {REQ("node", FAULT_PARAM_NODE), REQ("link", FAULT_PARAM_LINK),
                              INT("mtu", 68, 65535, "an MTU")}},
    [FAULT_KIND_LINK_DOWN] = {FAULT_KIND_LINK_DOWN,
                              "link-down",
                              "sets a node's link down",
                              {REQ("node", FAULT_PARAM_NODE), REQ("link", FAULT_PARAM_LINK)}},
    [FAULT_KIND_TX_CHECKSUM_ON] = {FAULT_KIND_TX_CHECKSUM_ON,
                                   "tx-checksum-on",
                                   "turns transmit checksum offload back on for a pod's eth0 (TCP "
                                   "through the userspace datapath then hangs, ping still works)",
                                   {REQ("node", FAULT_PARAM_NODE), REQ("pod", FAULT_PARAM_POD)}},
    [FAULT_KIND_TUNNEL_DST] = {FAULT_KIND_TUNNEL_DST,
                               "tunnel-dst",
                               "points the tunnel flow towards a remote node's subnet at a wrong "
                               "underlay address",
                               {REQ("node", FAULT_PARAM_NODE),
                                REQ("remote", FAULT_PARAM_REMOTE_NODE),
                                REQ("ip", FAULT_PARAM_IPV4)}},
    [FAULT_KIND_FLOW_DELETE] = {FAULT_KIND_FLOW_DELETE,
                                "flow-delete",
                                "deletes the tunnel flow towards a remote node's subnet",
                                {REQ("node", FAULT_PARAM_NODE),
                                 REQ("remote", FAULT_PARAM_REMOTE_NODE)}},
    [FAULT_KIND_DAEMON_KILL] = {FAULT_KIND_DAEMON_KILL,
                                "daemon-kill",
                                "kills one of a node's daemons",
                                {REQ("node", FAULT_PARAM_NODE), REQ("daemon", FAULT_PARAM_DAEMON)}},
    [FAULT_KIND_CGROUP_MEMORY] = {FAULT_KIND_CGROUP_MEMORY,
                                  "cgroup-memory",
                                  "sets a container's cgroup memory limit",
                                  {REQ("pod", FAULT_PARAM_POD),
                                   REQ("container", FAULT_PARAM_CONTAINER),
                                   REQ("memory", FAULT_PARAM_BYTES)}},
    [FAULT_KIND_SECCOMP_DENY] = {FAULT_KIND_SECCOMP_DENY,
                                 "seccomp-deny",
                                 "adds a seccomp rule making a system call fail with EPERM in a "
                                 "container",
                                 {REQ("pod", FAULT_PARAM_POD),
                                  REQ("container", FAULT_PARAM_CONTAINER),
                                  REQ("syscall", FAULT_PARAM_SYSCALL)}},
    [FAULT_KIND_NETEM] =
        {FAULT_KIND_NETEM,
         "netem",
         "adds delay, jitter, loss, duplication, corruption, reordering or a rate limit to a "
         "node's link (tc netem)",
         {REQ("node", FAULT_PARAM_NODE),
          {.name = "link", .type = FAULT_PARAM_LINK, .need = FAULT_PARAM_OPTIONAL, .dflt = "eth0"},
          {.name = "delay", .type = FAULT_PARAM_DURATION, .need = FAULT_PARAM_ANY_OF},
          {.name = "jitter",
           .type = FAULT_PARAM_DURATION,
           .need = FAULT_PARAM_OPTIONAL,
           .needs = "delay"},
          {.name = "loss", .type = FAULT_PARAM_PERCENT, .need = FAULT_PARAM_ANY_OF},
          {.name = "duplicate", .type = FAULT_PARAM_PERCENT, .need = FAULT_PARAM_ANY_OF},
          {.name = "corrupt", .type = FAULT_PARAM_PERCENT, .need = FAULT_PARAM_ANY_OF},
          {.name = "reorder",
           .type = FAULT_PARAM_PERCENT,
           .need = FAULT_PARAM_ANY_OF,
           .needs = "delay"},
          {.name = "rate", .type = FAULT_PARAM_RATE, .need = FAULT_PARAM_ANY_OF}}},
    [FAULT_KIND_PARTITION] = {FAULT_KIND_PARTITION,
                              "partition",
                              "drops all underlay traffic between a node and a remote node",
                              {REQ("node", FAULT_PARAM_NODE),
                               REQ("remote", FAULT_PARAM_REMOTE_NODE)}},
    [FAULT_KIND_UNDERLAY_DOWN] = {FAULT_KIND_UNDERLAY_DOWN,
                                  "underlay-down",
                                  "cuts a node off the underlay (its fabric link goes down)",
                                  {REQ("node", FAULT_PARAM_NODE)}},
    [FAULT_KIND_VNI_MISMATCH] = {FAULT_KIND_VNI_MISMATCH,
                                 "vni-mismatch",
                                 "makes a node tunnel to a remote node with the wrong VXLAN VNI "
                                 "(the remote drops every packet)",
                                 {REQ("node", FAULT_PARAM_NODE),
                                  REQ("remote", FAULT_PARAM_REMOTE_NODE),
                                  INT("vni", 0, 16777215, "a VNI")}},
    [FAULT_KIND_TUNNEL_PORT_DELETE] = {FAULT_KIND_TUNNEL_PORT_DELETE,
                                       "tunnel-port-delete",
                                       "deletes a node's VXLAN port from its bridge (no pod "
                                       "reaches another node)",
                                       {REQ("node", FAULT_PARAM_NODE)}},
    [FAULT_KIND_POD_ROUTE_DELETE] = {FAULT_KIND_POD_ROUTE_DELETE,
                                     "pod-route-delete",
                                     "deletes a pod's default route (it reaches only its subnet)",
                                     {REQ("pod", FAULT_PARAM_POD)}},
    [FAULT_KIND_DUPLICATE_IP] = {FAULT_KIND_DUPLICATE_IP,
                                 "duplicate-ip",
                                 "gives a pod the address of another pod as well (replies go "
                                 "astray)",
                                 {REQ("pod", FAULT_PARAM_POD), REQ("as", FAULT_PARAM_OTHER_POD)}},
    [FAULT_KIND_NEIGHBOUR_POISON] =
        {FAULT_KIND_NEIGHBOUR_POISON,
         "neighbour-poison",
         "points a pod's or a node's neighbour entry for an address at a wrong MAC address",
         {{.name = "pod", .type = FAULT_PARAM_POD, .need = FAULT_PARAM_ONE_OF},
          {.name = "node", .type = FAULT_PARAM_NODE, .need = FAULT_PARAM_ONE_OF},
          REQ("ip", FAULT_PARAM_IPV4),
          REQ("mac", FAULT_PARAM_MAC)}},
    [FAULT_KIND_POD_KILL] = {FAULT_KIND_POD_KILL,
                             "pod-kill",
                             "kills every process of a pod",
                             {REQ("pod", FAULT_PARAM_POD)}},
    [FAULT_KIND_CGROUP_PIDS] = {FAULT_KIND_CGROUP_PIDS,
                                "cgroup-pids",
                                "sets a container's cgroup pids limit (fork fails past it)",
                                {REQ("pod", FAULT_PARAM_POD),
                                 REQ("container", FAULT_PARAM_CONTAINER),
                                 INT("pids", 1, 4194304, "a pids limit")}},
    [FAULT_KIND_CGROUP_CPU] = {FAULT_KIND_CGROUP_CPU,
                               "cgroup-cpu",
                               "sets a container's cgroup CPU limit (it slows down)",
                               {REQ("pod", FAULT_PARAM_POD),
                                REQ("container", FAULT_PARAM_CONTAINER),
                                REQ("cpu", FAULT_PARAM_CPU)}},
};
static_assert(sizeof fault_kinds / sizeof fault_kinds[0] == FAULT_KIND__COUNT,
              "fault_kinds[] has one entry per enum fault_kind");

static const char *const daemon_names[] = {
    [FAULT_DAEMON_OVS_VSWITCHD] = "ovs-vswitchd",
    [FAULT_DAEMON_OVSDB_SERVER] = "ovsdb-server",
    [FAULT_DAEMON_NETD] = "netd",
    [FAULT_DAEMON_RUNTIME] = "runtime",
};
static_assert(sizeof daemon_names / sizeof daemon_names[0] == FAULT_DAEMON__COUNT,
              "daemon_names[] has one entry per enum fault_daemon");

static const char *const common_fields[] = {"name", "kind", "symptom", "hints",
                                            "at",   "for",  "every"};

const struct fault_kind_spec *fault_kind_by_name(const char *name)
{
  for (size_t i = 0; name != NULL && i < FAULT_KIND__COUNT; i++)
    if (strcmp(fault_kinds[i].name, name) == 0)
      return &fault_kinds[i];
  return NULL;
}

const struct fault_kind_spec *fault_kind_spec(enum fault_kind kind)
{
  return &fault_kinds[kind];
}

const char *fault_kind_name(enum fault_kind kind)
{
  return fault_kinds[kind].name;
}

const struct fault_param_spec *fault_kind_param(const struct fault_kind_spec *k, const char *name)
{
  for (const struct fault_param_spec *p = k->params; p->name != NULL; p++)
    if (strcmp(p->name, name) == 0)
      return p;
  return NULL;
}

size_t fault_kind_n_params(const struct fault_kind_spec *k)
{
  size_t n = 0;
  while (k->params[n].name != NULL)
    n++;
  return n;
}

bool fault_field_is_common(const char *name)
{
  for (size_t i = 0; i < sizeof common_fields / sizeof common_fields[0]; i++)
    if (strcmp(common_fields[i], name) == 0)
      return true;
  return false;
}

char *fault_kind_list(char *buf, size_t size)
{
  size_t len = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < FAULT_KIND__COUNT && len < size; i++)
    len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", fault_kinds[i].name);
  return buf;
}

char *fault_kind_params_text(const struct fault_kind_spec *k, char *buf, size_t size)
{
  size_t len = 0;
  buf[0] = '\0';
  for (size_t i = 0; k->params[i].name != NULL && len < size; i++)
    len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", k->params[i].name);
  return buf;
}

const char *fault_daemon_name(enum fault_daemon d)
{
  return daemon_names[d];
}

/* The decimal integer text in min..max, or -1. */
static int parse_integer(const char *text, long long min, long long max, long long *out)
{
  const char *p = text;
  bool neg = *p == '-';
  if (neg)
    p++;
  if (*p == '\0')
    return -1;
  long long v = 0;
  for (; *p; p++) {
    if (*p < '0' || *p > '9')
      return -1;
    v = v * 10 + (*p - '0');
    if (v > 1000000000000LL)
      return -1;
  }
  v = neg ? -v : v;
  if (v < min || v > max)
    return -1;
  *out = v;
  return 0;
}

static bool link_name_ok(const char *text)
{
  bool ok = text[0] != '\0' && strcmp(text, ".") != 0 && strcmp(text, "..") != 0;
  for (const char *ch = text; ok && *ch; ch++)
    ok = *ch > ' ' && *ch != '/' && *ch != ':' && (unsigned char)*ch < 0x7f;
  return ok;
}

static bool syscall_name_ok(const char *text)
{
  bool ok = text[0] != '\0' && strlen(text) <= 64;
  for (const char *ch = text; ok && *ch; ch++)
    ok = (*ch >= 'a' && *ch <= 'z') || (*ch >= '0' && *ch <= '9') || *ch == '_';
  return ok;
}

/* Quantities that must be greater than 0 say so with the parameter's name. */
static int must_be_positive(const struct fault_param_spec *p, uint64_t v, char *problem,
                            size_t size)
{
  if (v > 0)
    return 0;
  snprintf(problem, size, "%s must be greater than 0", p->name);
  return -1;
}

/* The check of one type; q is text quoted.  Fills problem and returns -1 on
 * a bad value. */
static int parse_value(const struct fault_param_spec *p, const char *text, const char *q,
                       union fault_value *out, char *problem, size_t size)
{
  const char *why = NULL;
  switch (p->type) {
  case FAULT_PARAM_NODE:
  case FAULT_PARAM_REMOTE_NODE:
  case FAULT_PARAM_POD:
  case FAULT_PARAM_OTHER_POD:
  case FAULT_PARAM_CONTAINER:
    return 0; /* looked up in the scenario by the validator */
  case FAULT_PARAM_LINK:
    if (!link_name_ok(text))
      snprintf(problem, size, "%s is not an interface name", q);
    else if (strlen(text) > SCENARIO_IFNAME_MAX)
      snprintf(problem, size, "interface name %s is longer than %d bytes", q, SCENARIO_IFNAME_MAX);
    else
      return 0;
    return -1;
  case FAULT_PARAM_DAEMON:
    for (size_t i = 0; i < FAULT_DAEMON__COUNT; i++) {
      if (strcmp(daemon_names[i], text) == 0) {
        out->daemon = (enum fault_daemon)i;
        return 0;
      }
    }
    snprintf(problem, size, "unknown daemon %s (use ovs-vswitchd, ovsdb-server, netd or runtime)",
             q);
    return -1;
  case FAULT_PARAM_DURATION:
    if (scenario_parse_duration_us(text, &out->duration_us, &why) == 0)
      return 0;
    break;
  case FAULT_PARAM_PERCENT:
    if (scenario_parse_percent(text, &out->ppm, &why) == 0)
      return 0;
    break;
  case FAULT_PARAM_RATE:
    if (scenario_parse_rate(text, &out->bits_per_sec, &why) < 0)
      break;
    return must_be_positive(p, out->bits_per_sec, problem, size);
  case FAULT_PARAM_INTEGER:
    if (parse_integer(text, p->min, p->max, &out->integer) == 0)
      return 0;
    snprintf(problem, size, "%s is not %s (%lld..%lld)", q, p->what, p->min, p->max);
    return -1;
  case FAULT_PARAM_BYTES:
    if (scenario_parse_memory(text, &out->bytes, &why) < 0)
      break;
    return must_be_positive(p, out->bytes, problem, size);
  case FAULT_PARAM_CPU:
    if (scenario_parse_cpu(text, &out->cpu_millis, &why) < 0)
      break;
    return must_be_positive(p, out->cpu_millis, problem, size);
  case FAULT_PARAM_IPV4:
    if (scenario_parse_ipv4(text, &out->ipv4) == 0)
      return 0;
    snprintf(problem, size, "%s is not an IPv4 address", q);
    return -1;
  case FAULT_PARAM_MAC:
    if (scenario_parse_mac(text, out->mac, &why) == 0)
      return 0;
    break;
  case FAULT_PARAM_SYSCALL:
    if (syscall_name_ok(text))
      return 0;
    snprintf(problem, size, "%s is not a system call name", q);
    return -1;
  case FAULT_PARAM_TYPE__COUNT:
    break;
  }
  snprintf(problem, size, "%s %s", q, why ? why : "has a parameter type nodelab does not know");
  return -1;
}

int fault_value_parse(const struct fault_param_spec *p, const char *text, union fault_value *out,
                      char *problem, size_t size)
{
  memset(out, 0, sizeof *out);
  char *q = scenario_quote(text);
  int r = parse_value(p, text, q, out, problem, size);
  free(q);
  return r;
}
