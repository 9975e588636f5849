/* The fault-kind schema: every kind of fault a scenario may declare, what it
 * breaks, and the parameters it takes with their types.  One table, shared by
 * the scenario validator (scenario-faults.c), which checks a fault against
 * it, and the fault engine, which implements each kind and reads the typed
 * values the validator stored (struct scenario_fault_arg in scenario.h).
 *
 * Besides its kind's parameters every fault has name, kind, symptom, hints
 * and the timeline fields at, for and every; no parameter takes those names.
 * Pure data and lookups: nothing here allocates. */
#ifndef NODELAB_FAULT_KINDS_H
#define NODELAB_FAULT_KINDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fault_kind {
  FAULT_KIND_LINK_MTU,
  FAULT_KIND_LINK_DOWN,
  FAULT_KIND_TX_CHECKSUM_ON,
  FAULT_KIND_TUNNEL_DST,
  FAULT_KIND_FLOW_DELETE,
  FAULT_KIND_DAEMON_KILL,
  FAULT_KIND_CGROUP_MEMORY,
  FAULT_KIND_SECCOMP_DENY,
  FAULT_KIND_NETEM,
  FAULT_KIND_PARTITION,
  FAULT_KIND_UNDERLAY_DOWN,
  FAULT_KIND_VNI_MISMATCH,
  FAULT_KIND_TUNNEL_PORT_DELETE,
  FAULT_KIND_POD_ROUTE_DELETE,
  FAULT_KIND_DUPLICATE_IP,
  FAULT_KIND_NEIGHBOUR_POISON,
  FAULT_KIND_POD_KILL,
  FAULT_KIND_CGROUP_PIDS,
  FAULT_KIND_CGROUP_CPU,
  FAULT_KIND__COUNT
};

/* What a parameter's text must be.  The first five name something in the
 * scenario and are checked against it by the validator; the others are
 * parsed into union fault_value by fault_value_parse(). */
enum fault_param_type {
  FAULT_PARAM_NODE,        /* an existing node */
  FAULT_PARAM_REMOTE_NODE, /* an existing node other than the fault's node */
  FAULT_PARAM_POD,         /* an existing pod (on the fault's node, when it has one) */
  FAULT_PARAM_OTHER_POD,   /* an existing pod other than the fault's pod */
  FAULT_PARAM_CONTAINER,   /* a container of the fault's pod */
  FAULT_PARAM_LINK,        /* an interface name: <= 15 bytes, no '/', ':' or spaces */
  FAULT_PARAM_DAEMON,      /* ovs-vswitchd | ovsdb-server | netd | runtime -> .daemon */
  FAULT_PARAM_DURATION,    /* "200ms", "1.5s", "2m", "100us" -> .duration_us */
  FAULT_PARAM_PERCENT,     /* "30%", "0.5%" (0..100%) -> .ppm */
  FAULT_PARAM_RATE,        /* tc units: "1mbit", "100kbit", "1gbit", "500bps" -> .bits_per_sec */
  FAULT_PARAM_INTEGER,     /* a decimal integer in the parameter's min..max -> .integer */
  FAULT_PARAM_BYTES,       /* a memory quantity > 0: "64Mi", "1G" -> .bytes */
  FAULT_PARAM_CPU,         /* a CPU quantity > 0: "500m", "1" -> .cpu_millis */
  FAULT_PARAM_IPV4,        /* an IPv4 literal (in the lab's networks) -> .ipv4 */
  FAULT_PARAM_MAC,         /* "02:00:0a:01:00:02" -> .mac */
  FAULT_PARAM_SYSCALL,     /* a system call name: [a-z0-9_]+, <= 64 bytes */
  FAULT_PARAM_TYPE__COUNT
};

/* The daemons of a node a fault may kill. */
enum fault_daemon {
  FAULT_DAEMON_OVS_VSWITCHD,
  FAULT_DAEMON_OVSDB_SERVER,
  FAULT_DAEMON_NETD,
  FAULT_DAEMON_RUNTIME,
  FAULT_DAEMON__COUNT
};

/* Whether a parameter must be given. */
enum fault_param_need {
  FAULT_PARAM_REQUIRED,
  FAULT_PARAM_OPTIONAL, /* absent: its default, when it has one */
  FAULT_PARAM_ONE_OF,   /* exactly one of the kind's ONE_OF parameters is given */
  FAULT_PARAM_ANY_OF,   /* at least one of the kind's ANY_OF parameters is given */
};

struct fault_param_spec {
  const char *name;
  enum fault_param_type type;
  enum fault_param_need need;
  const char *dflt;  /* OPTIONAL: the value (as written) when absent; NULL: none */
  const char *needs; /* another parameter that must be given with this one, or NULL */
  /* FAULT_PARAM_INTEGER only: the range, and what the number is, for
   * "\"20\" is not an MTU (68..65535)". */
  long long min, max;
  const char *what;
};

/* One more than the largest kind's count, so params[] always ends with an
 * entry whose name is NULL. */
#define FAULT_KIND_MAX_PARAMS 10

struct fault_kind_spec {
  enum fault_kind kind;
  const char *name;   /* as scenarios spell it: "link-mtu" */
  const char *breaks; /* one line: what injecting it breaks */
  /* In the order the validator checks them: node before pod, pod before
   * container, so each can be checked against the ones before it. */
  struct fault_param_spec params[FAULT_KIND_MAX_PARAMS];
};

/* A parameter's value as its type reads it.  Parameters that name something
 * (node, remote node, pod, other pod, container, link, syscall) have their
 * text only. */
union fault_value {
  enum fault_daemon daemon;
  uint64_t duration_us;
  uint32_t ppm; /* parts per million: 30% -> 300000, 100% -> 1000000 */
  uint64_t bits_per_sec;
  long long integer;
  uint64_t bytes;
  uint64_t cpu_millis;
  uint32_t ipv4; /* host byte order */
  uint8_t mac[6];
};

/* The kind called name ("link-mtu"), or NULL when there is none. */
const struct fault_kind_spec *fault_kind_by_name(const char *name);

/* The table entry of kind; kind must be < FAULT_KIND__COUNT. */
const struct fault_kind_spec *fault_kind_spec(enum fault_kind kind);

/* The name of kind ("link-mtu"); kind must be < FAULT_KIND__COUNT. */
const char *fault_kind_name(enum fault_kind kind);

/* The parameter called name of kind k, or NULL when k takes none so called. */
const struct fault_param_spec *fault_kind_param(const struct fault_kind_spec *k, const char *name);

/* The number of parameters k takes. */
size_t fault_kind_n_params(const struct fault_kind_spec *k);

/* Whether name is a field every fault has (name, kind, symptom, hints, at,
 * for, every) rather than a parameter of its kind. */
bool fault_field_is_common(const char *name);

/* "link-mtu, link-down, ..." (every kind, table order) into buf of size bytes,
 * cut to fit; returns buf. */
char *fault_kind_list(char *buf, size_t size);

/* "node, link, mtu" (k's parameters, table order) into buf, cut to fit;
 * returns buf. */
char *fault_kind_params_text(const struct fault_kind_spec *k, char *buf, size_t size);

/* The name of daemon d ("ovs-vswitchd"); d must be < FAULT_DAEMON__COUNT. */
const char *fault_daemon_name(enum fault_daemon d);

/* Parses text as parameter p's type into *out.  Types that name something in
 * the scenario (node, pods, container) are not looked up here: any text
 * passes, and *out is left zeroed.  Returns 0, or -1 with a whole sentence in
 * problem (at most size bytes, e.g. "\"20\" is not an MTU (68..65535)"), the
 * value quoted in it as scenario messages quote it. */
int fault_value_parse(const struct fault_param_spec *p, const char *text, union fault_value *out,
                      char *problem, size_t size);

#endif
