/* Internals of the scenario module, shared by the scenario/ sources only.
 *
 * Parsing runs in three stages:
 *   1. scenario-yaml.c turns libyaml events into a small tree of ynodes
 *      (rejecting syntax errors, anchors/aliases, tags, several documents);
 *   2. the schema walks the tree into the typed model, field by field, with
 *      the generic typed readers of scenario-fields.c, which keep the current
 *      field path for messages: scenario-parse.c (top level, cluster, pods),
 *      scenario-checks.c (checks, exercises, steps), scenario-faults.c
 *      (faults, against the kind table of fault-kinds.c);
 *   3. scenario-validate.c holds the semantic rules the walk calls: name
 *      rules, the network layout and capacity, the hosts and addresses
 *      checks may name. */
#ifndef NODELAB_SCENARIO_INTERNAL_H
#define NODELAB_SCENARIO_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "strv.h"
#include "scenario.h"
#include "xalloc.h"

/* Deeper nesting than this is an error: no scenario needs it, and it bounds
 * the recursion of the tree builder and of ynode_free(). */
#define YNODE_MAX_DEPTH 64

enum ynode_type { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP };

struct ynode {
  enum ynode_type type;
  struct scenario_pos pos;
  char *value; /* scalar: NUL-terminated text (a scalar holding NUL is rejected) */
  bool plain;  /* scalar written without quotes: may stand for null, a bool or a number */
  /* seq: items[0..n); map: items[2i] is the i-th key (always a scalar), items[2i+1] its value */
  struct ynode **items;
  size_t n; /* seq: item count; map: pair count */
};

/* Builds the tree of YAML text buf (len bytes).  On success returns 0 and the
 * root (a mapping, sequence or scalar) in *out, freed with ynode_free().  On
 * failure returns -1 with "file:line:column: (yaml): problem" in *err. */
int ynode_load(const char *file, const char *buf, size_t len, struct ynode **out,
               struct lab_error **err);
void ynode_free(struct ynode *n);

/* The value of key in mapping map, or NULL (also when map is not a mapping). */
const struct ynode *ynode_lookup(const struct ynode *map, const char *key);

/* The key node of key in mapping map, or NULL. */
const struct ynode *ynode_lookup_key(const struct ynode *map, const char *key);

/* A plain scalar spelling YAML null: empty, "~", "null". */
bool ynode_is_null(const struct ynode *n);

/* "a mapping", "a list", "a string", "null": for "expected X, got Y". */
const char *ynode_kind(const struct ynode *n);

/* ---- scenario-fields.c: typed readers over the tree ---- */

/* The walk's state: where we are (file, field path) and where errors go. */
struct scenario_ctx {
  const char *file;
  char *dir; /* directory relative paths resolve against; NULL: leave them as written */
  char path[512];
  size_t path_len;
  struct lab_error **err;
  struct scenario *s;
};

/* Field path handling: push returns the previous length, pop restores it. */
size_t scenario_path_push_key(struct scenario_ctx *c, const char *key);
size_t scenario_path_push_index(struct scenario_ctx *c, size_t index);
void scenario_path_pop(struct scenario_ctx *c, size_t mark);

/* Fails with "file:line:column: PATH[.key]: problem" at node n (or at line 1
 * column 1 when n is NULL).  key may be NULL.  Returns -1. */
int scenario_fail(struct scenario_ctx *c, const struct ynode *n, const char *key, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));

/* Text quoted for a message: "..." with control characters, quotes and
 * backslashes escaped, cut at 80 bytes.  Returns a new string (never NULL). */
char *scenario_quote(const char *text);

/* Names of objects other than nodes and pods (containers, checks, faults,
 * exercises): a DNS label. */
#define SCENARIO_OBJECT_NAME_MAX 63

/* One key a mapping may have. */
struct scenario_field {
  const char *key;
  bool required;
};

/* Fails on a key that appears twice in map. */
int scenario_check_duplicate_keys(struct scenario_ctx *c, const struct ynode *map);

/* Fails with "expected TYPE, got ..." unless n is of type. */
int scenario_expect_type(struct scenario_ctx *c, const struct ynode *n, const char *key,
                         enum ynode_type type);

/* Checks that map (the node at the current path) is a mapping with no
 * duplicate and no unknown keys and with every required field; fills vals[i]
 * with the value of fields[i] or NULL. */
int scenario_map_fields(struct scenario_ctx *c, const struct ynode *map,
                        const struct scenario_field *fields, size_t nfields,
                        const struct ynode **vals);

/* The readers below take the value node n of field key (NULL: n is the
 * node at the current path itself) and fail, positioned at n, on anything
 * else than what they read. */

/* A string: any scalar but null.  Replaces *out with a new copy. */
int scenario_get_str(struct scenario_ctx *c, const struct ynode *n, const char *key, char **out);
/* The scalar's text, not copied (it lives as long as the tree). */
int scenario_get_text(struct scenario_ctx *c, const struct ynode *n, const char *key,
                      const char **out);
/* A plain decimal integer in min..max. */
int scenario_get_int(struct scenario_ctx *c, const struct ynode *n, const char *key, long min,
                     long max, long *out);
/* Plain true or false. */
int scenario_get_bool(struct scenario_ctx *c, const struct ynode *n, const char *key, bool *out);
/* A list of strings (empty only when allow_empty), as a new NULL-terminated
 * vector replacing *out (free with strv_free()). */
int scenario_get_strv(struct scenario_ctx *c, const struct ynode *n, const char *key,
                      bool allow_empty, char ***out);
/* A duration greater than 0, in milliseconds (see scenario_parse_duration()). */
int scenario_get_duration(struct scenario_ctx *c, const struct ynode *n, const char *key, int *ms);
/* The same, 0 allowed. */
int scenario_get_duration_or_zero(struct scenario_ctx *c, const struct ynode *n, const char *key,
                                  int *ms);
/* A scalar parse turns into *out (scenario_parse_memory, scenario_parse_cpu...);
 * a text it refuses fails as '"TEXT" PROBLEM'. */
int scenario_get_u64(struct scenario_ctx *c, const struct ynode *n, const char *key,
                     int (*parse)(const char *text, uint64_t *out, const char **problem),
                     uint64_t *out);
/* The name of the index-th item of seq, at n (its "name" value), into *out:
 * a string, a valid name of at most max bytes (why says what limits it, or
 * NULL) and unique among the items before it ("duplicate WHAT name ..."). */
int scenario_get_name(struct scenario_ctx *c, const struct ynode *seq, size_t index,
                      const struct ynode *n, const char *what, size_t max, const char *why,
                      char **out);

/* ---- the schema's readers, called by scenario-parse.c for each item ---- */

/* Each reads item index of list (the section's sequence, the path set to
 * it) into the model's slot for it, already zeroed; returns 0, or -1 with
 * the positioned message in c->err (the caller frees the half-built model). */

int scenario_read_check(struct scenario_ctx *c, const struct ynode *checks, size_t index);
int scenario_read_fault(struct scenario_ctx *c, const struct ynode *faults, size_t index);
int scenario_read_exercise(struct scenario_ctx *c, const struct ynode *list, size_t index);
int scenario_read_step_at(struct scenario_ctx *c, const struct ynode *list, size_t index);

/* ---- scenario-quantity.c: small parsers beyond the public ones ---- */

/* A duration (see scenario_parse_duration_us()) in whole milliseconds. */
int scenario_parse_duration(const char *text, int *ms, const char **problem);
/* A dotted-quad IPv4 literal -> host order address. */
int scenario_parse_ipv4(const char *text, uint32_t *addr);
/* "1".."65535" -> port. */
int scenario_parse_port(const char *text, int *port);

/* ---- scenario-validate.c ---- */

/* Checks name syntax: [a-z][a-z0-9-]*, at most max bytes; why (may be NULL)
 * says what the name is used for, e.g. "it names a network interface". */
int scenario_check_name(struct scenario_ctx *c, const struct ynode *n, const char *key,
                        const char *name, size_t max, const char *why);

/* Computes node underlay addresses and subnets, checking that the networks do
 * not overlap and have room for every node.  cluster is the "cluster" map. */
int scenario_layout_nodes(struct scenario_ctx *c, const struct ynode *cluster);

/* A check/HTTP/TCP/ping target: a pod name, a node name or an IPv4 literal. */
int scenario_check_host(struct scenario_ctx *c, const struct ynode *n, const char *key,
                        const char *host);

/* The address check of lab traffic: addr (text as written, for the message)
 * must be on the underlay, in the cluster network or loopback. */
int scenario_check_lab_address(struct scenario_ctx *c, const struct ynode *n, const char *key,
                               const char *text, uint32_t addr);

#endif
