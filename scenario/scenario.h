/* Scenario files: the typed model of a lab, its YAML parser (libyaml) and its
 * validator.  The format is Kubernetes-shaped; see README.md "Scenario format"
 * and, for every field, scenarios/README.md.
 *
 * Every problem is reported as "file:line:column: field: problem", where
 * field is a path such as "pods[0].containers[1].resources.memory"
 * (line and column 1-based, pointing at the offending node).  Parsing stops at
 * the first problem; nothing is created from a scenario that did not validate. */
#ifndef NODELAB_SCENARIO_H
#define NODELAB_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "ipv4.h"
#include "fault-kinds.h"

#define SCENARIO_IFNAME_MAX 15 /* IFNAMSIZ - 1: names that become interfaces */

struct scenario_pos {
  int line, column; /* 1-based; 0 when unknown */
};

struct scenario_cidr {
  uint32_t addr; /* host byte order, network address (host bits zero) */
  int prefix;    /* 0..32 */
};

struct scenario_node {
  char *name;        /* <= 15 bytes, [a-z0-9-], unique */
  uint32_t underlay; /* host order: underlay network + 200 + index + 1 (192.168.122.201 ...) */
  struct scenario_cidr subnet; /* this node's pod subnet, e.g. 10.1.0.0/24 */
  struct scenario_pos pos;
};

struct scenario_resources {
  uint64_t memory_bytes; /* 0: unlimited; from "64Mi", "1G", "128974848" */
  uint64_t cpu_millis;   /* 0: unlimited; from "500m", "1", "0.5" */
  uint64_t pids;         /* 0: unlimited */
};

struct scenario_volume {
  char *host_path;
  char *container_path;
  bool relabel;  /* ":Z" */
  bool readonly; /* ":ro" */
};

struct scenario_container {
  char *name;
  char *image;
  char **command; /* NULL-terminated argv, or NULL: the image's default */
  char **env;     /* NULL-terminated "K=V" list, or NULL */
  struct scenario_resources resources;
  char *seccomp_profile; /* path as written, resolved relative to the scenario file's directory;
                            NULL: default */
  bool privileged;
  struct scenario_volume *volumes;
  size_t n_volumes;
  struct scenario_pos pos;
};

struct scenario_pod {
  char *name; /* unique across the lab; <= 15 bytes (it names the pod's veth) */
  char *node; /* an existing node name */
  struct scenario_container *containers;
  size_t n_containers;
  struct scenario_pos pos;
};

enum scenario_check_kind { CHECK_PING, CHECK_HTTP, CHECK_TCP, CHECK_EXEC, CHECK_UDP };

/* ping.max_loss_percent when `maxLoss` is not given: any reply passes. */
/* How far apart a ping check's echoes go (not ping(8)'s second: a run of
 * checks stays short); count echoes must fit in the timeout. */
#define SCENARIO_CHECK_PING_INTERVAL_MS 10
#define SCENARIO_CHECK_LOSS_UNSET (-1)

struct scenario_check {
  char *name;
  char *from;      /* as written: "NODE", "NODE/POD" (the pod exists, on that node) or, for exec
                      only, "NODE/POD/CTR" (CTR a container of the pod) */
  char *from_node; /* the parts of from */
  char *from_pod;  /* NULL: the node itself */
  char *from_container; /* exec only; NULL: the pod's first container */
  enum scenario_check_kind kind;
  char *target;     /* ping: pod name, node name or IPv4; http/tcp/udp: "HOST:PORT" (HOST a pod,
                       node or IPv4) */
  char **argv;      /* exec: the command */
  bool expect_fail; /* `expect: fail` */
  int timeout_ms;   /* default 2000 */
  struct {
    int count;            /* echoes, SCENARIO_CHECK_PING_INTERVAL_MS apart; 0: the probe's
                             default (3) */
    int size;             /* ICMP payload bytes; 0: the probe's default (56) */
    int max_loss_percent; /* `maxLoss`, 0..100, or SCENARIO_CHECK_LOSS_UNSET */
    int max_rtt_ms;       /* `maxRtt` on the median RTT; 0: no bound */
  } ping;
  char *send;  /* tcp, udp: bytes to send (udp: NULL is the probe's default datagram) */
  char *reply; /* tcp, udp: a substring expected back, or NULL */
  char *path;  /* http: the path, NULL: "/" */
  int status;  /* http: the status required, 0: any 2xx or 3xx */
  char *body;  /* http: a substring of the body, or NULL */
  struct scenario_pos pos;
};

/* One parameter of a fault, given or defaulted, as its kind's table types it
 * (fault-kinds.h). */
struct scenario_fault_arg {
  const struct fault_param_spec *spec; /* the parameter, in its kind's table */
  char *text;                          /* as written, or the default's text */
  bool is_default;                     /* not written: the table's default */
  union fault_value value;             /* text parsed by its type (fault_value_parse()) */
};

/* A fault: a named, injectable break.  `kind` selects the parameters it takes
 * (the table in fault-kinds.c); args hold them typed after validation. */
struct scenario_fault {
  char *name;
  char *kind;                      /* as written: "link-mtu" */
  enum fault_kind kind_id;         /* the same, as the table's enum */
  char *node;                      /* NULL when the kind takes none or it is not given */
  struct scenario_fault_arg *args; /* every parameter given or defaulted, in table order
                                      (node included) */
  size_t n_args;
  /* The timeline (milliseconds, -1 when not given): inject `at` after the
   * start, repair `for` later; `every` repeats that cycle (it needs `for`). */
  int at_ms, for_ms, every_ms;
  char *symptom;
  char **hints; /* NULL-terminated or NULL */
  struct scenario_pos pos;
};

struct scenario_exercise {
  char *name;
  char **faults; /* names of faults */
  char **verify; /* names of checks */
  struct scenario_pos pos;
};

enum scenario_step_kind {
  STEP_CHECK,       /* arg: "all" or a check name */
  STEP_EXPECT_FAIL, /* arg: a check name */
  STEP_INJECT,      /* arg: a fault name */
  STEP_REPAIR,      /* arg: a fault name, or "all" */
  STEP_SLEEP,       /* arg: duration, e.g. "500ms", "2s" (stored in sleep_ms) */
};

struct scenario_step {
  enum scenario_step_kind kind;
  char *arg;
  int sleep_ms;
  struct scenario_pos pos;
};

struct scenario {
  char *file; /* as given (or "<default>") */
  char *name; /* lab name: <= 32 bytes, [a-z0-9-] */
  char *description;
  struct scenario_node *nodes;
  size_t n_nodes;
  struct scenario_cidr underlay;        /* default 192.168.122.0/24 */
  struct scenario_cidr cluster_network; /* default 10.1.0.0/16 */
  int host_subnet_length;               /* default 8: each node gets a /(32-8) = /24 */
  int mtu;                              /* default 1450 */
  struct scenario_pod *pods;
  size_t n_pods;
  struct scenario_check *checks;
  size_t n_checks;
  struct scenario_fault *faults;
  size_t n_faults;
  struct scenario_exercise *exercises;
  size_t n_exercises;
  struct scenario_step *steps;
  size_t n_steps;
};

/* Parses and validates YAML text `buf` of `len` bytes; `file` names it in
 * messages.  On success returns 0 and a new scenario in *out (free with
 * scenario_free()).  On failure returns -1 and *err with message
 * "file:line:column: field: problem". */
int scenario_parse(const char *file, const char *buf, size_t len, struct scenario **out,
                   struct lab_error **err);

/* Reads and parses the file at path. */
int scenario_load(const char *path, struct scenario **out, struct lab_error **err);

/* The embedded default lab (3 nodes: master, node1, node2), as YAML text. */
const char *scenario_default_yaml(void);
/* Parses the embedded default lab (file name "<default>"). */
int scenario_load_default(struct scenario **out, struct lab_error **err);

void scenario_free(struct scenario *s);

/* Lookups; NULL when absent. */
const struct scenario_node *scenario_find_node(const struct scenario *s, const char *name);
const struct scenario_pod *scenario_find_pod(const struct scenario *s, const char *name);
const struct scenario_check *scenario_find_check(const struct scenario *s, const char *name);
const struct scenario_fault *scenario_find_fault(const struct scenario *s, const char *name);
/* The container called name in pod, or NULL. */
const struct scenario_container *scenario_find_container(const struct scenario_pod *pod,
                                                         const char *name);

/* The text of a fault's parameter key (e.g. "mtu", "pod"; a default when
 * not written), or NULL when the fault has none ("node" is in f->node, not
 * among these). */
const char *scenario_fault_param(const struct scenario_fault *f, const char *key);

/* The typed parameter key of f (node included), or NULL when it has none. */
const struct scenario_fault_arg *scenario_fault_arg(const struct scenario_fault *f,
                                                    const char *key);

/* Whether kind is one of the fault kinds scenario files may use (the table in
 * fault-kinds.c). */
bool scenario_fault_kind_known(const char *kind);

/* Quantities, Kubernetes style.  Return 0, or -1 with a short problem text in
 * *problem (static string) when malformed. */
int scenario_parse_memory(const char *text, uint64_t *bytes, const char **problem);
int scenario_parse_cpu(const char *text, uint64_t *millis, const char **problem);
int scenario_parse_cidr(const char *text, struct scenario_cidr *out, const char **problem);
/* "500ms", "1.5s", "2m", "1h", "100us" -> microseconds (0 allowed, at most 24h). */
int scenario_parse_duration_us(const char *text, uint64_t *us, const char **problem);
/* "30%", "0.5%" (0..100%, to 0.0001%) -> parts per million (100% = 1000000). */
int scenario_parse_percent(const char *text, uint32_t *ppm, const char **problem);
/* A rate in tc's units -> bits per second: "1mbit" (10^6 bit/s), "100kbit",
 * "1gbit", "2mibit" (2 * 2^20 bit/s), "500bps" (bytes: 4000 bit/s), "1.5mbps";
 * a unit is required, case does not matter. */
int scenario_parse_rate(const char *text, uint64_t *bits_per_sec, const char **problem);
/* "02:00:0a:01:00:02" (six pairs of hex digits, either case) -> 6 bytes. */
int scenario_parse_mac(const char *text, uint8_t mac[6], const char **problem);

#endif
