/* The walk from the YAML tree to the typed model.  Sections are read in a
 * fixed order (name, description, cluster, pods, checks, faults, exercises,
 * steps) whatever their order in the file, so that every reference points
 * at something already read and checked.  The first problem stops the walk;
 * the caller frees the half-built model. */
#include "scenario.h"
#include "scenario-internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"

#define LAB_NAME_MAX 32
#define OBJECT_NAME_MAX 63 /* containers, checks, faults, exercises: a DNS label */
#define MAX_NODES 200
#define IFNAME_WHY "it names a network interface"

/* ---- allocation, paths and messages ---- */

void *scenario_xcalloc(size_t n, size_t size)
{
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (p == NULL)
    abort();
  return p;
}

char *scenario_xstrdup(const char *s)
{
  char *p = strdup(s);
  if (p == NULL)
    abort();
  return p;
}

/* Appends text to the path, replacing bytes that would garble a one-line
 * message; truncates at the buffer's end. */
static void path_append(struct scenario_ctx *c, const char *text)
{
  for (const char *p = text; *p && c->path_len + 1 < sizeof c->path; p++)
    c->path[c->path_len++] = (unsigned char)*p < ' ' || *p == 0x7f ? '?' : *p;
  c->path[c->path_len] = '\0';
}

size_t scenario_path_push_key(struct scenario_ctx *c, const char *key)
{
  size_t mark = c->path_len;
  if (c->path_len > 0)
    path_append(c, ".");
  path_append(c, key);
  return mark;
}

size_t scenario_path_push_index(struct scenario_ctx *c, size_t index)
{
  size_t mark = c->path_len;
  char buf[32];
  snprintf(buf, sizeof buf, "[%zu]", index);
  path_append(c, buf);
  return mark;
}

void scenario_path_pop(struct scenario_ctx *c, size_t mark)
{
  c->path_len = mark;
  c->path[mark] = '\0';
}

int scenario_fail(struct scenario_ctx *c, const struct ynode *n, const char *key, const char *fmt,
                  ...)
{
  char *problem = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&problem, fmt, ap) < 0)
    abort();
  va_end(ap);
  size_t mark = key ? scenario_path_push_key(c, key) : c->path_len;
  struct scenario_pos pos = n ? n->pos : (struct scenario_pos){1, 1};
  lab_error_set(c->err, 0, "%s:%d:%d: %s: %s", c->file, pos.line, pos.column,
                c->path_len ? c->path : "(document)", problem);
  scenario_path_pop(c, mark);
  free(problem);
  return -1;
}

char *scenario_quote(const char *text)
{
  size_t cap = 80;
  char *out = scenario_xcalloc(1, cap * 4 + 8);
  size_t len = 0, i = 0;
  out[len++] = '"';
  for (; text[i] && i < cap; i++) {
    unsigned char ch = (unsigned char)text[i];
    if (ch == '"' || ch == '\\') {
      out[len++] = '\\';
      out[len++] = (char)ch;
    } else if (ch < ' ' || ch == 0x7f) {
      len += (size_t)sprintf(out + len, "\\x%02x", ch);
    } else {
      out[len++] = (char)ch;
    }
  }
  if (text[i] != '\0') {
    memcpy(out + len, "...", 3);
    len += 3;
  }
  out[len++] = '"';
  out[len] = '\0';
  return out;
}

/* ---- typed getters ---- */

struct field {
  const char *key;
  bool required;
};

/* Fails on a key that appears twice in map. */
static int check_duplicate_keys(struct scenario_ctx *c, const struct ynode *map)
{
  for (size_t i = 1; i < map->n; i++) {
    const struct ynode *key = map->items[2 * i];
    for (size_t j = 0; j < i; j++) {
      const struct ynode *first = map->items[2 * j];
      if (strcmp(first->value, key->value) == 0) {
        cleanup_free char *q = scenario_quote(key->value);
        return scenario_fail(c, key, key->value, "duplicate key %s (first at %d:%d)", q,
                             first->pos.line, first->pos.column);
      }
    }
  }
  return 0;
}

static int expect_type(struct scenario_ctx *c, const struct ynode *n, const char *key,
                       enum ynode_type type)
{
  if (n->type == type)
    return 0;
  static const char *const names[] = {
      [YNODE_SCALAR] = "a string", [YNODE_SEQ] = "a list", [YNODE_MAP] = "a mapping"};
  return scenario_fail(c, n, key, "expected %s, got %s", names[type], ynode_kind(n));
}

/* Checks that map (the node at the current path) is a mapping with no
 * duplicate and no unknown keys and with every required field; fills vals[i]
 * with the value of fields[i] or NULL. */
static int map_fields(struct scenario_ctx *c, const struct ynode *map, const struct field *fields,
                      size_t nfields, const struct ynode **vals)
{
  if (expect_type(c, map, NULL, YNODE_MAP) < 0 || check_duplicate_keys(c, map) < 0)
    return -1;
  for (size_t f = 0; f < nfields; f++)
    vals[f] = NULL;
  for (size_t i = 0; i < map->n; i++) {
    const struct ynode *key = map->items[2 * i];
    size_t f = 0;
    while (f < nfields && strcmp(fields[f].key, key->value) != 0)
      f++;
    if (f == nfields) {
      cleanup_free char *q = scenario_quote(key->value);
      return scenario_fail(c, key, key->value, "unknown field %s", q);
    }
    vals[f] = map->items[2 * i + 1];
  }
  for (size_t f = 0; f < nfields; f++)
    if (fields[f].required && vals[f] == NULL)
      return scenario_fail(c, map, fields[f].key, "required field is missing");
  return 0;
}

/* A string: any scalar but null.  *out is a new copy. */
static int get_str(struct scenario_ctx *c, const struct ynode *n, const char *key, char **out)
{
  if (expect_type(c, n, key, YNODE_SCALAR) < 0)
    return -1;
  if (ynode_is_null(n))
    return scenario_fail(c, n, key, "expected a string, got null");
  free(*out);
  *out = scenario_xstrdup(n->value);
  return 0;
}

/* The scalar's text, without copying; fails on non-scalars and null. */
static int get_text(struct scenario_ctx *c, const struct ynode *n, const char *key,
                    const char **out)
{
  if (expect_type(c, n, key, YNODE_SCALAR) < 0)
    return -1;
  if (ynode_is_null(n))
    return scenario_fail(c, n, key, "expected a string, got null");
  *out = n->value;
  return 0;
}

static int get_int(struct scenario_ctx *c, const struct ynode *n, const char *key, long min,
                   long max, long *out)
{
  if (expect_type(c, n, key, YNODE_SCALAR) < 0)
    return -1;
  const char *p = n->value;
  bool neg = *p == '-';
  if (*p == '-' || *p == '+')
    p++;
  bool ok = n->plain && *p != '\0';
  long long v = 0;
  for (; ok && *p; p++) {
    ok = *p >= '0' && *p <= '9';
    if (v < 1000000000000LL)
      v = v * 10 + (*p - '0');
  }
  if (!ok) {
    cleanup_free char *q = scenario_quote(n->value);
    return scenario_fail(c, n, key, "expected an integer, got %s%s",
                         n->plain ? "" : "the quoted string ", q);
  }
  if (neg)
    v = -v;
  if (v < min || v > max)
    return scenario_fail(c, n, key, "%s is out of range (%ld..%ld)", n->value, min, max);
  *out = (long)v;
  return 0;
}

static int get_bool(struct scenario_ctx *c, const struct ynode *n, const char *key, bool *out)
{
  if (expect_type(c, n, key, YNODE_SCALAR) < 0)
    return -1;
  if (n->plain && strcmp(n->value, "true") == 0)
    *out = true;
  else if (n->plain && strcmp(n->value, "false") == 0)
    *out = false;
  else {
    cleanup_free char *q = scenario_quote(n->value);
    return scenario_fail(c, n, key, "expected true or false, got %s", q);
  }
  return 0;
}

static void free_strv(char **v)
{
  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    free(v[i]);
  free(v);
}

/* A list of strings, as a new NULL-terminated vector in *out. */
static int get_strv(struct scenario_ctx *c, const struct ynode *n, const char *key,
                    bool allow_empty, char ***out)
{
  if (expect_type(c, n, key, YNODE_SEQ) < 0)
    return -1;
  if (n->n == 0 && !allow_empty)
    return scenario_fail(c, n, key, "must not be empty");
  char **v = scenario_xcalloc(n->n + 1, sizeof *v);
  size_t mark = scenario_path_push_key(c, key);
  for (size_t i = 0; i < n->n; i++) {
    size_t m = scenario_path_push_index(c, i);
    int r = get_str(c, n->items[i], NULL, &v[i]);
    scenario_path_pop(c, m);
    if (r < 0) {
      scenario_path_pop(c, mark);
      free_strv(v);
      return -1;
    }
  }
  scenario_path_pop(c, mark);
  free_strv(*out);
  *out = v;
  return 0;
}

static int get_duration(struct scenario_ctx *c, const struct ynode *n, const char *key, int *ms)
{
  const char *text, *problem;
  if (get_text(c, n, key, &text) < 0)
    return -1;
  if (scenario_parse_duration(text, ms, &problem) < 0) {
    cleanup_free char *q = scenario_quote(text);
    return scenario_fail(c, n, key, "%s %s", q, problem);
  }
  if (*ms == 0)
    return scenario_fail(c, n, key, "%s must be greater than 0", key);
  return 0;
}

/* The value node of the "name" key of the idx-th item of seq (for "first at"). */
static struct scenario_pos name_pos(const struct ynode *seq, size_t idx)
{
  const struct ynode *n = ynode_lookup(seq->items[idx], "name");
  return n ? n->pos : seq->items[idx]->pos;
}

/* ---- cluster ---- */

static int read_node_names(struct scenario_ctx *c, const struct ynode *nodes)
{
  struct scenario *s = c->s;
  if (nodes->type == YNODE_SEQ) {
    if (nodes->n == 0)
      return scenario_fail(c, nodes, "nodes", "at least one node is required");
    if (nodes->n > MAX_NODES)
      return scenario_fail(c, nodes, "nodes", "at most %d nodes are supported, got %zu", MAX_NODES,
                           nodes->n);
    s->nodes = scenario_xcalloc(nodes->n, sizeof *s->nodes);
    s->n_nodes = nodes->n;
    size_t mark = scenario_path_push_key(c, "nodes");
    for (size_t i = 0; i < nodes->n; i++) {
      const struct ynode *item = nodes->items[i];
      size_t m = scenario_path_push_index(c, i);
      struct scenario_node *node = &s->nodes[i];
      node->pos = item->pos;
      if (get_str(c, item, NULL, &node->name) < 0 ||
          scenario_check_name(c, item, NULL, node->name, SCENARIO_IFNAME_MAX, IFNAME_WHY) < 0)
        return -1;
      if (strcmp(node->name, "fabric") == 0)
        return scenario_fail(c, item, NULL,
                             "node name \"fabric\" is reserved (it names the underlay namespace)");
      for (size_t j = 0; j < i; j++)
        if (strcmp(s->nodes[j].name, node->name) == 0)
          return scenario_fail(c, item, NULL, "duplicate node name \"%s\" (first at %d:%d)",
                               node->name, s->nodes[j].pos.line, s->nodes[j].pos.column);
      scenario_path_pop(c, m);
    }
    scenario_path_pop(c, mark);
    return 0;
  }
  if (nodes->type != YNODE_MAP)
    return scenario_fail(c, nodes, "nodes", "expected a list of names or {count: N, prefix: P}");

  static const struct field fields[] = {{"count", true}, {"prefix", false}};
  const struct ynode *v[2];
  size_t mark = scenario_path_push_key(c, "nodes");
  long count;
  cleanup_free char *prefix = NULL;
  if (map_fields(c, nodes, fields, 2, v) < 0 || get_int(c, v[0], "count", 1, MAX_NODES, &count) < 0)
    return -1;
  if (v[1] != NULL && get_str(c, v[1], "prefix", &prefix) < 0)
    return -1;
  const struct ynode *blame = v[1] ? v[1] : v[0];
  s->nodes = scenario_xcalloc((size_t)count, sizeof *s->nodes);
  s->n_nodes = (size_t)count;
  for (long i = 0; i < count; i++) {
    struct scenario_node *node = &s->nodes[i];
    if (asprintf(&node->name, "%s%ld", prefix ? prefix : "node", i + 1) < 0)
      abort();
    node->pos = nodes->pos;
    if (scenario_check_name(c, blame, v[1] ? "prefix" : "count", node->name, SCENARIO_IFNAME_MAX,
                            IFNAME_WHY) < 0)
      return -1;
  }
  scenario_path_pop(c, mark);
  return 0;
}

static int read_cidr(struct scenario_ctx *c, const struct ynode *n, const char *key,
                     struct scenario_cidr *out)
{
  const char *text, *problem;
  if (n == NULL)
    return 0;
  if (get_text(c, n, key, &text) < 0)
    return -1;
  if (scenario_parse_cidr(text, out, &problem) < 0) {
    cleanup_free char *q = scenario_quote(text);
    return scenario_fail(c, n, key, "%s %s", q, problem);
  }
  return 0;
}

static int read_cluster(struct scenario_ctx *c, const struct ynode *cluster)
{
  static const struct field fields[] = {{"nodes", true},
                                        {"underlay", false},
                                        {"clusterNetwork", false},
                                        {"hostSubnetLength", false},
                                        {"mtu", false}};
  const struct ynode *v[5];
  struct scenario *s = c->s;
  if (map_fields(c, cluster, fields, 5, v) < 0 || read_node_names(c, v[0]) < 0 ||
      read_cidr(c, v[1], "underlay", &s->underlay) < 0 ||
      read_cidr(c, v[2], "clusterNetwork", &s->cluster_network) < 0)
    return -1;
  long value;
  if (v[3] != NULL) {
    if (get_int(c, v[3], "hostSubnetLength", 2, 30, &value) < 0)
      return -1;
    s->host_subnet_length = (int)value;
  }
  if (v[4] != NULL) {
    if (get_int(c, v[4], "mtu", 576, 9000, &value) < 0)
      return -1;
    s->mtu = (int)value;
  }
  return scenario_layout_nodes(c, cluster);
}

/* ---- pods ---- */

static bool env_name_ok(const char *name, size_t len)
{
  if (len == 0 || (name[0] >= '0' && name[0] <= '9'))
    return false;
  for (size_t i = 0; i < len; i++) {
    char ch = name[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
          ch == '_'))
      return false;
  }
  return true;
}

static int read_env(struct scenario_ctx *c, const struct ynode *n, struct scenario_container *ctr)
{
  size_t mark = scenario_path_push_key(c, "env");
  if (n->type == YNODE_MAP) {
    if (check_duplicate_keys(c, n) < 0)
      return -1;
    ctr->env = scenario_xcalloc(n->n + 1, sizeof *ctr->env);
    for (size_t i = 0; i < n->n; i++) {
      const struct ynode *key = n->items[2 * i], *value = n->items[2 * i + 1];
      if (!env_name_ok(key->value, strlen(key->value))) {
        cleanup_free char *q = scenario_quote(key->value);
        return scenario_fail(c, key, NULL, "%s is not an environment variable name", q);
      }
      if (expect_type(c, value, key->value, YNODE_SCALAR) < 0)
        return -1;
      if (asprintf(&ctr->env[i], "%s=%s", key->value, ynode_is_null(value) ? "" : value->value) < 0)
        abort();
    }
  } else if (n->type == YNODE_SEQ) {
    ctr->env = scenario_xcalloc(n->n + 1, sizeof *ctr->env);
    for (size_t i = 0; i < n->n; i++) {
      const struct ynode *item = n->items[i];
      size_t m = scenario_path_push_index(c, i);
      if (get_str(c, item, NULL, &ctr->env[i]) < 0)
        return -1;
      const char *eq = strchr(item->value, '=');
      if (eq == NULL || !env_name_ok(item->value, (size_t)(eq - item->value))) {
        cleanup_free char *q = scenario_quote(item->value);
        return scenario_fail(c, item, NULL, "%s is not NAME=VALUE", q);
      }
      size_t len = (size_t)(eq - item->value) + 1;
      for (size_t j = 0; j < i; j++)
        if (strncmp(ctr->env[j], item->value, len) == 0)
          return scenario_fail(c, item, NULL, "duplicate variable \"%.*s\" (first at %d:%d)",
                               (int)len - 1, item->value, n->items[j]->pos.line,
                               n->items[j]->pos.column);
      scenario_path_pop(c, m);
    }
  } else {
    return scenario_fail(c, n, NULL, "expected a mapping or a list of NAME=VALUE, got %s",
                         ynode_kind(n));
  }
  scenario_path_pop(c, mark);
  return 0;
}

static int read_resources(struct scenario_ctx *c, const struct ynode *n,
                          struct scenario_resources *res)
{
  static const struct field fields[] = {{"memory", false}, {"cpu", false}, {"pids", false}};
  const struct ynode *v[3];
  const char *text, *problem;
  size_t mark = scenario_path_push_key(c, "resources");
  if (map_fields(c, n, fields, 3, v) < 0)
    return -1;
  if (v[0] != NULL) {
    if (get_text(c, v[0], "memory", &text) < 0)
      return -1;
    if (scenario_parse_memory(text, &res->memory_bytes, &problem) < 0) {
      cleanup_free char *q = scenario_quote(text);
      return scenario_fail(c, v[0], "memory", "%s %s", q, problem);
    }
    if (res->memory_bytes == 0)
      return scenario_fail(c, v[0], "memory",
                           "memory must be greater than 0 (omit it for no limit)");
  }
  if (v[1] != NULL) {
    if (get_text(c, v[1], "cpu", &text) < 0)
      return -1;
    if (scenario_parse_cpu(text, &res->cpu_millis, &problem) < 0) {
      cleanup_free char *q = scenario_quote(text);
      return scenario_fail(c, v[1], "cpu", "%s %s", q, problem);
    }
    if (res->cpu_millis == 0)
      return scenario_fail(c, v[1], "cpu", "cpu must be greater than 0 (omit it for no limit)");
  }
  if (v[2] != NULL) {
    long pids;
    if (get_int(c, v[2], "pids", 1, 4194304, &pids) < 0)
      return -1;
    res->pids = (uint64_t)pids;
  }
  scenario_path_pop(c, mark);
  return 0;
}

/* A path relative to the scenario file's directory, when there is one. */
static char *resolve_path(const struct scenario_ctx *c, const char *path)
{
  if (path[0] == '/' || c->dir == NULL)
    return scenario_xstrdup(path);
  char *full = NULL;
  if (asprintf(&full, "%s/%s", c->dir, path) < 0)
    abort();
  return full;
}

static int read_security(struct scenario_ctx *c, const struct ynode *n,
                         struct scenario_container *ctr)
{
  static const struct field fields[] = {{"seccompProfile", false}, {"privileged", false}};
  const struct ynode *v[2];
  size_t mark = scenario_path_push_key(c, "securityContext");
  if (map_fields(c, n, fields, 2, v) < 0)
    return -1;
  if (v[0] != NULL) {
    const char *text;
    if (get_text(c, v[0], "seccompProfile", &text) < 0)
      return -1;
    ctr->seccomp_profile = resolve_path(c, text);
    /* Check it now, before anything is created; an embedded lab (no
     * directory) leaves that to whoever resolves its relative paths. */
    struct stat st;
    if ((c->dir != NULL || text[0] == '/') &&
        (stat(ctr->seccomp_profile, &st) < 0 || !S_ISREG(st.st_mode))) {
      cleanup_free char *q = scenario_quote(text);
      return scenario_fail(c, v[0], "seccompProfile", "profile %s not found (looked at %s)", q,
                           ctr->seccomp_profile);
    }
  }
  if (v[1] != NULL && get_bool(c, v[1], "privileged", &ctr->privileged) < 0)
    return -1;
  scenario_path_pop(c, mark);
  return 0;
}

static int read_volume(struct scenario_ctx *c, const struct ynode *n, struct scenario_volume *vol,
                       const struct scenario_container *ctr, size_t index)
{
  const char *text;
  if (get_text(c, n, NULL, &text) < 0)
    return -1;
  cleanup_free char *q = scenario_quote(text);
  cleanup_free char *copy = scenario_xstrdup(text);
  /* Split at every ':' by hand: strtok_r would merge "::" into one. */
  char *parts[4];
  size_t np = 0;
  for (char *p = copy;;) {
    if (np == 4)
      return scenario_fail(c, n, NULL, "%s is not HOST:CONTAINER[:OPTIONS]", q);
    parts[np++] = p;
    char *colon = strchr(p, ':');
    if (colon == NULL)
      break;
    *colon = '\0';
    p = colon + 1;
  }
  if (np < 2 || parts[0][0] == '\0' || parts[1][0] == '\0')
    return scenario_fail(c, n, NULL, "%s is not HOST:CONTAINER[:OPTIONS]", q);
  if (parts[0][0] != '/')
    return scenario_fail(c, n, NULL, "host path \"%s\" is not absolute", parts[0]);
  if (parts[1][0] != '/')
    return scenario_fail(c, n, NULL, "container path \"%s\" is not absolute", parts[1]);
  for (size_t i = 2; i < np; i++) {
    if (parts[i][0] == '\0')
      return scenario_fail(c, n, NULL, "%s is not HOST:CONTAINER[:OPTIONS]", q);
    char *opt_save = NULL;
    for (char *opt = strtok_r(parts[i], ",", &opt_save); opt != NULL;
         opt = strtok_r(NULL, ",", &opt_save)) {
      if (strcmp(opt, "Z") == 0)
        vol->relabel = true;
      else if (strcmp(opt, "ro") == 0)
        vol->readonly = true;
      else if (strcmp(opt, "rw") == 0)
        vol->readonly = false;
      else
        return scenario_fail(c, n, NULL, "unknown volume option \"%s\" (use Z, ro or rw)", opt);
    }
  }
  for (size_t j = 0; j < index; j++)
    if (strcmp(ctr->volumes[j].container_path, parts[1]) == 0)
      return scenario_fail(c, n, NULL, "container path \"%s\" is mounted twice", parts[1]);
  vol->host_path = scenario_xstrdup(parts[0]);
  vol->container_path = scenario_xstrdup(parts[1]);
  return 0;
}

static int read_container(struct scenario_ctx *c, const struct ynode *n, const struct ynode *list,
                          size_t index, struct scenario_pod *pod)
{
  static const struct field fields[] = {{"name", true},       {"image", true},
                                        {"command", false},   {"env", false},
                                        {"resources", false}, {"securityContext", false},
                                        {"volumes", false}};
  const struct ynode *v[7];
  struct scenario_container *ctr = &pod->containers[index];
  ctr->pos = n->pos;
  if (map_fields(c, n, fields, 7, v) < 0 || get_str(c, v[0], "name", &ctr->name) < 0 ||
      scenario_check_name(c, v[0], "name", ctr->name, OBJECT_NAME_MAX, NULL) < 0)
    return -1;
  for (size_t j = 0; j < index; j++) {
    if (strcmp(pod->containers[j].name, ctr->name) == 0) {
      struct scenario_pos first = name_pos(list, j);
      return scenario_fail(c, v[0], "name", "duplicate container name \"%s\" (first at %d:%d)",
                           ctr->name, first.line, first.column);
    }
  }
  if (get_str(c, v[1], "image", &ctr->image) < 0)
    return -1;
  bool image_ok = ctr->image[0] != '\0';
  for (const char *p = ctr->image; image_ok && *p; p++)
    image_ok = (unsigned char)*p > ' ' && *p != 0x7f;
  if (!image_ok) {
    cleanup_free char *q = scenario_quote(ctr->image);
    return scenario_fail(c, v[1], "image", "%s is not an image name", q);
  }
  if (v[2] != NULL && get_strv(c, v[2], "command", false, &ctr->command) < 0)
    return -1;
  if (v[3] != NULL && read_env(c, v[3], ctr) < 0)
    return -1;
  if (v[4] != NULL && read_resources(c, v[4], &ctr->resources) < 0)
    return -1;
  if (v[5] != NULL && read_security(c, v[5], ctr) < 0)
    return -1;
  if (v[6] != NULL) {
    if (expect_type(c, v[6], "volumes", YNODE_SEQ) < 0)
      return -1;
    ctr->volumes = scenario_xcalloc(v[6]->n, sizeof *ctr->volumes);
    ctr->n_volumes = v[6]->n;
    size_t mark = scenario_path_push_key(c, "volumes");
    for (size_t i = 0; i < v[6]->n; i++) {
      size_t m = scenario_path_push_index(c, i);
      if (read_volume(c, v[6]->items[i], &ctr->volumes[i], ctr, i) < 0)
        return -1;
      scenario_path_pop(c, m);
    }
    scenario_path_pop(c, mark);
  }
  return 0;
}

static int read_pod(struct scenario_ctx *c, const struct ynode *pods, size_t index)
{
  static const struct field fields[] = {{"name", true}, {"node", true}, {"containers", true}};
  const struct ynode *v[3];
  struct scenario *s = c->s;
  struct scenario_pod *pod = &s->pods[index];
  const struct ynode *n = pods->items[index];
  pod->pos = n->pos;
  if (map_fields(c, n, fields, 3, v) < 0 || get_str(c, v[0], "name", &pod->name) < 0 ||
      scenario_check_name(c, v[0], "name", pod->name, SCENARIO_IFNAME_MAX, IFNAME_WHY) < 0)
    return -1;
  for (size_t j = 0; j < index; j++) {
    if (strcmp(s->pods[j].name, pod->name) == 0) {
      struct scenario_pos first = name_pos(pods, j);
      return scenario_fail(c, v[0], "name", "duplicate pod name \"%s\" (first at %d:%d)", pod->name,
                           first.line, first.column);
    }
  }
  if (scenario_find_node(s, pod->name) != NULL)
    return scenario_fail(c, v[0], "name",
                         "pod name \"%s\" is also a node name (checks could not tell them apart)",
                         pod->name);

  if (get_str(c, v[1], "node", &pod->node) < 0)
    return -1;
  const struct scenario_node *node = scenario_find_node(s, pod->node);
  if (node == NULL) {
    cleanup_free char *q = scenario_quote(pod->node);
    return scenario_fail(c, v[1], "node", "node %s does not exist", q);
  }
  /* Pods get .2 upward in the node's subnet: network, gateway .1 and
   * broadcast are taken. */
  uint64_t room = (1ULL << s->host_subnet_length) - 3;
  uint64_t on_node = 1;
  for (size_t j = 0; j < index; j++)
    on_node += strcmp(s->pods[j].node, pod->node) == 0;
  if (on_node > room) {
    char ip[16];
    return scenario_fail(c, v[1], "node",
                         "node \"%s\" has no address left for pod \"%s\" (its subnet %s/%d has "
                         "room for %llu pod%s)",
                         pod->node, pod->name, scenario_ip_string(node->subnet.addr, ip),
                         node->subnet.prefix, (unsigned long long)room, room == 1 ? "" : "s");
  }

  if (expect_type(c, v[2], "containers", YNODE_SEQ) < 0)
    return -1;
  if (v[2]->n == 0)
    return scenario_fail(c, v[2], "containers", "at least one container is required");
  pod->containers = scenario_xcalloc(v[2]->n, sizeof *pod->containers);
  pod->n_containers = v[2]->n;
  size_t mark = scenario_path_push_key(c, "containers");
  for (size_t i = 0; i < v[2]->n; i++) {
    size_t m = scenario_path_push_index(c, i);
    if (read_container(c, v[2]->items[i], v[2], i, pod) < 0)
      return -1;
    scenario_path_pop(c, m);
  }
  scenario_path_pop(c, mark);
  return 0;
}

/* ---- checks ---- */

static int read_from(struct scenario_ctx *c, const struct ynode *n, struct scenario_check *chk)
{
  if (get_str(c, n, "from", &chk->from) < 0)
    return -1;
  cleanup_free char *q = scenario_quote(chk->from);
  cleanup_free char *node = scenario_xstrdup(chk->from);
  char *pod = strchr(node, '/');
  if (pod != NULL)
    *pod++ = '\0';
  if (node[0] == '\0' || (pod != NULL && (pod[0] == '\0' || strchr(pod, '/') != NULL)))
    return scenario_fail(c, n, "from", "%s is not NODE or NODE/POD", q);
  if (scenario_find_node(c->s, node) == NULL) {
    cleanup_free char *qn = scenario_quote(node);
    return scenario_fail(c, n, "from", "node %s does not exist", qn);
  }
  if (pod != NULL) {
    const struct scenario_pod *p = scenario_find_pod(c->s, pod);
    cleanup_free char *qp = scenario_quote(pod);
    if (p == NULL)
      return scenario_fail(c, n, "from", "pod %s does not exist", qp);
    if (strcmp(p->node, node) != 0)
      return scenario_fail(c, n, "from", "pod %s runs on %s, not %s", qp, p->node, node);
  }
  return 0;
}

static int read_host_port(struct scenario_ctx *c, const struct ynode *n, const char *key,
                          struct scenario_check *chk)
{
  if (get_str(c, n, key, &chk->target) < 0)
    return -1;
  cleanup_free char *q = scenario_quote(chk->target);
  cleanup_free char *host = scenario_xstrdup(chk->target);
  char *colon = strrchr(host, ':');
  if (colon == NULL || colon == host)
    return scenario_fail(c, n, key, "%s is not HOST:PORT", q);
  *colon = '\0';
  int port;
  if (scenario_parse_port(colon + 1, &port) < 0) {
    cleanup_free char *qp = scenario_quote(colon + 1);
    return scenario_fail(c, n, key, "port %s is not a port number (1..65535)", qp);
  }
  return scenario_check_host(c, n, key, host);
}

static int read_check(struct scenario_ctx *c, const struct ynode *checks, size_t index)
{
  static const struct field fields[] = {{"name", true},    {"from", true},    {"ping", false},
                                        {"http", false},   {"tcp", false},    {"exec", false},
                                        {"expect", false}, {"timeout", false}};
  const struct ynode *v[8];
  struct scenario *s = c->s;
  struct scenario_check *chk = &s->checks[index];
  const struct ynode *n = checks->items[index];
  chk->pos = n->pos;
  chk->timeout_ms = 2000;
  if (map_fields(c, n, fields, 8, v) < 0 || get_str(c, v[0], "name", &chk->name) < 0 ||
      scenario_check_name(c, v[0], "name", chk->name, OBJECT_NAME_MAX, NULL) < 0)
    return -1;
  if (strcmp(chk->name, "all") == 0)
    return scenario_fail(c, v[0], "name",
                         "name \"all\" is reserved (\"check: all\" runs every check)");
  for (size_t j = 0; j < index; j++) {
    if (strcmp(s->checks[j].name, chk->name) == 0) {
      struct scenario_pos first = name_pos(checks, j);
      return scenario_fail(c, v[0], "name", "duplicate check name \"%s\" (first at %d:%d)",
                           chk->name, first.line, first.column);
    }
  }
  if (read_from(c, v[1], chk) < 0)
    return -1;

  /* Exactly one of ping/http/tcp/exec; blame the second in file order. */
  static const char *const kinds[] = {"ping", "http", "tcp", "exec"};
  const struct ynode *first_key = NULL;
  for (size_t i = 0; i < n->n; i++) {
    const struct ynode *key = n->items[2 * i];
    for (size_t k = 0; k < 4; k++) {
      if (strcmp(key->value, kinds[k]) != 0)
        continue;
      if (first_key != NULL)
        return scenario_fail(c, key, key->value,
                             "only one of ping, http, tcp or exec may be given (%s at %d:%d)",
                             first_key->value, first_key->pos.line, first_key->pos.column);
      first_key = key;
    }
  }
  if (first_key == NULL)
    return scenario_fail(c, n, NULL, "one of ping, http, tcp or exec is required");
  if (v[2] != NULL) {
    chk->kind = CHECK_PING;
    if (get_str(c, v[2], "ping", &chk->target) < 0 ||
        scenario_check_host(c, v[2], "ping", chk->target) < 0)
      return -1;
  } else if (v[3] != NULL) {
    chk->kind = CHECK_HTTP;
    if (read_host_port(c, v[3], "http", chk) < 0)
      return -1;
  } else if (v[4] != NULL) {
    chk->kind = CHECK_TCP;
    if (read_host_port(c, v[4], "tcp", chk) < 0)
      return -1;
  } else {
    chk->kind = CHECK_EXEC;
    if (get_strv(c, v[5], "exec", false, &chk->argv) < 0)
      return -1;
  }
  if (v[6] != NULL) {
    const char *text;
    if (get_text(c, v[6], "expect", &text) < 0)
      return -1;
    if (strcmp(text, "ok") == 0)
      chk->expect_fail = false;
    else if (strcmp(text, "fail") == 0)
      chk->expect_fail = true;
    else {
      cleanup_free char *q = scenario_quote(text);
      return scenario_fail(c, v[6], "expect", "%s is not ok or fail", q);
    }
  }
  if (v[7] != NULL && get_duration(c, v[7], "timeout", &chk->timeout_ms) < 0)
    return -1;
  return 0;
}

/* ---- faults ---- */

static const char *const fault_common[] = {"name", "kind", "symptom", "hints"};

static bool is_fault_common(const char *key)
{
  for (size_t i = 0; i < 4; i++)
    if (strcmp(fault_common[i], key) == 0)
      return true;
  return false;
}

static const struct scenario_fault_param *kind_param(const struct scenario_fault_kind *kind,
                                                     const char *key)
{
  for (size_t i = 0; i < SCENARIO_FAULT_MAX_PARAMS && kind->params[i].key; i++)
    if (strcmp(kind->params[i].key, key) == 0)
      return &kind->params[i];
  return NULL;
}

static void kind_params_text(const struct scenario_fault_kind *kind, char *buf, size_t size)
{
  size_t len = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < SCENARIO_FAULT_MAX_PARAMS && kind->params[i].key && len < size; i++)
    len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", kind->params[i].key);
}

static int read_fault(struct scenario_ctx *c, const struct ynode *faults, size_t index)
{
  struct scenario *s = c->s;
  struct scenario_fault *f = &s->faults[index];
  const struct ynode *n = faults->items[index];
  f->pos = n->pos;
  if (expect_type(c, n, NULL, YNODE_MAP) < 0 || check_duplicate_keys(c, n) < 0)
    return -1;
  const struct ynode *name = ynode_lookup(n, "name"), *kind_node = ynode_lookup(n, "kind");
  if (name == NULL)
    return scenario_fail(c, n, "name", "required field is missing");
  if (get_str(c, name, "name", &f->name) < 0 ||
      scenario_check_name(c, name, "name", f->name, OBJECT_NAME_MAX, NULL) < 0)
    return -1;
  if (strcmp(f->name, "all") == 0)
    return scenario_fail(c, name, "name",
                         "name \"all\" is reserved (\"repair: all\" repairs every fault)");
  for (size_t j = 0; j < index; j++) {
    if (strcmp(s->faults[j].name, f->name) == 0) {
      struct scenario_pos first = name_pos(faults, j);
      return scenario_fail(c, name, "name", "duplicate fault name \"%s\" (first at %d:%d)", f->name,
                           first.line, first.column);
    }
  }
  if (kind_node == NULL)
    return scenario_fail(c, n, "kind", "required field is missing");
  if (get_str(c, kind_node, "kind", &f->kind) < 0)
    return -1;
  const struct scenario_fault_kind *kind = scenario_fault_kind_find(f->kind);
  if (kind == NULL) {
    cleanup_free char *q = scenario_quote(f->kind);
    char known[256];
    return scenario_fail(c, kind_node, "kind", "unknown fault kind %s (known: %s)", q,
                         scenario_fault_kind_list(known, sizeof known));
  }
  char takes[96];
  kind_params_text(kind, takes, sizeof takes);
  for (size_t i = 0; i < n->n; i++) {
    const struct ynode *key = n->items[2 * i];
    if (!is_fault_common(key->value) && kind_param(kind, key->value) == NULL) {
      cleanup_free char *q = scenario_quote(key->value);
      return scenario_fail(c, key, key->value, "unknown field %s (kind %s takes %s)", q, kind->name,
                           takes);
    }
  }
  size_t nparams = 0;
  for (size_t i = 0; i < SCENARIO_FAULT_MAX_PARAMS && kind->params[i].key; i++) {
    const struct scenario_fault_param *p = &kind->params[i];
    if (p->required && ynode_lookup(n, p->key) == NULL)
      return scenario_fail(c, n, p->key, "required field is missing (kind %s takes %s)", kind->name,
                           takes);
    nparams += strcmp(p->key, "node") != 0;
  }
  f->param_keys = scenario_xcalloc(nparams + 1, sizeof *f->param_keys);
  f->param_values = scenario_xcalloc(nparams + 1, sizeof *f->param_values);
  size_t np = 0;
  for (size_t i = 0; i < SCENARIO_FAULT_MAX_PARAMS && kind->params[i].key; i++) {
    const struct scenario_fault_param *p = &kind->params[i];
    const struct ynode *value = ynode_lookup(n, p->key);
    if (value == NULL)
      continue;
    const char *text;
    if (get_text(c, value, p->key, &text) < 0 ||
        scenario_check_fault_param(c, f, p, value, text) < 0)
      return -1;
    if (strcmp(p->key, "node") == 0) {
      f->node = scenario_xstrdup(text);
    } else {
      f->param_keys[np] = scenario_xstrdup(p->key);
      f->param_values[np] = scenario_xstrdup(text);
      np++;
    }
  }
  const struct ynode *symptom = ynode_lookup(n, "symptom"), *hints = ynode_lookup(n, "hints");
  if (symptom != NULL && get_str(c, symptom, "symptom", &f->symptom) < 0)
    return -1;
  if (hints != NULL && get_strv(c, hints, "hints", true, &f->hints) < 0)
    return -1;
  return 0;
}

/* ---- exercises and steps ---- */

static int read_refs(struct scenario_ctx *c, const struct ynode *n, const char *key, bool faults,
                     char ***out)
{
  if (get_strv(c, n, key, false, out) < 0)
    return -1;
  size_t mark = scenario_path_push_key(c, key);
  for (size_t i = 0; (*out)[i] != NULL; i++) {
    const char *name = (*out)[i];
    bool found =
        faults ? scenario_find_fault(c->s, name) != NULL : scenario_find_check(c->s, name) != NULL;
    if (!found) {
      size_t m = scenario_path_push_index(c, i);
      cleanup_free char *q = scenario_quote(name);
      scenario_fail(c, n->items[i], NULL, "%s %s does not exist", faults ? "fault" : "check", q);
      scenario_path_pop(c, m);
      scenario_path_pop(c, mark);
      return -1;
    }
  }
  scenario_path_pop(c, mark);
  return 0;
}

static int read_exercise(struct scenario_ctx *c, const struct ynode *list, size_t index)
{
  static const struct field fields[] = {{"name", true}, {"faults", true}, {"verify", true}};
  const struct ynode *v[3];
  struct scenario *s = c->s;
  struct scenario_exercise *ex = &s->exercises[index];
  ex->pos = list->items[index]->pos;
  if (map_fields(c, list->items[index], fields, 3, v) < 0 ||
      get_str(c, v[0], "name", &ex->name) < 0 ||
      scenario_check_name(c, v[0], "name", ex->name, OBJECT_NAME_MAX, NULL) < 0)
    return -1;
  for (size_t j = 0; j < index; j++) {
    if (strcmp(s->exercises[j].name, ex->name) == 0) {
      struct scenario_pos first = name_pos(list, j);
      return scenario_fail(c, v[0], "name", "duplicate exercise name \"%s\" (first at %d:%d)",
                           ex->name, first.line, first.column);
    }
  }
  if (read_refs(c, v[1], "faults", true, &ex->faults) < 0 ||
      read_refs(c, v[2], "verify", false, &ex->verify) < 0)
    return -1;
  return 0;
}

static int read_step(struct scenario_ctx *c, const struct ynode *n, struct scenario_step *st)
{
  static const struct {
    const char *key;
    enum scenario_step_kind kind;
  } kinds[] = {{"check", STEP_CHECK},
               {"expect-fail", STEP_EXPECT_FAIL},
               {"inject", STEP_INJECT},
               {"repair", STEP_REPAIR},
               {"sleep", STEP_SLEEP}};
  st->pos = n->pos;
  if (expect_type(c, n, NULL, YNODE_MAP) < 0)
    return -1;
  if (n->n != 1)
    return scenario_fail(c, n, NULL,
                         "a step is one of check, expect-fail, inject, repair or sleep, "
                         "this one has %zu keys",
                         n->n);
  const struct ynode *key = n->items[0], *value = n->items[1];
  size_t k = 0;
  while (k < 5 && strcmp(kinds[k].key, key->value) != 0)
    k++;
  if (k == 5) {
    cleanup_free char *q = scenario_quote(key->value);
    return scenario_fail(c, key, key->value,
                         "unknown step %s (use check, expect-fail, inject, repair or sleep)", q);
  }
  st->kind = kinds[k].kind;
  if (get_str(c, value, key->value, &st->arg) < 0)
    return -1;
  cleanup_free char *q = scenario_quote(st->arg);
  bool all = strcmp(st->arg, "all") == 0;
  switch (st->kind) {
  case STEP_CHECK:
  case STEP_EXPECT_FAIL:
    if (st->kind == STEP_EXPECT_FAIL && all)
      return scenario_fail(c, value, key->value, "expect-fail takes one check name, not \"all\"");
    if ((st->kind == STEP_CHECK && all) || scenario_find_check(c->s, st->arg) != NULL)
      return 0;
    return scenario_fail(c, value, key->value, "check %s does not exist", q);
  case STEP_INJECT:
  case STEP_REPAIR:
    if ((st->kind == STEP_REPAIR && all) || scenario_find_fault(c->s, st->arg) != NULL)
      return 0;
    return scenario_fail(c, value, key->value, "fault %s does not exist", q);
  case STEP_SLEEP:
    return get_duration(c, value, "sleep", &st->sleep_ms);
  }
  return 0;
}

/* ---- the whole file ---- */

/* Calls read(c, list, i) for each item of the list at key, with the path
 * set.  The caller has sized the model's array (see ALLOC_LIST). */
static int read_list(struct scenario_ctx *c, const struct ynode *list, const char *key,
                     int (*read)(struct scenario_ctx *, const struct ynode *, size_t))
{
  if (list == NULL)
    return 0;
  size_t mark = scenario_path_push_key(c, key);
  for (size_t i = 0; i < list->n; i++) {
    size_t m = scenario_path_push_index(c, i);
    if (read(c, list, i) < 0)
      return -1;
    scenario_path_pop(c, m);
  }
  scenario_path_pop(c, mark);
  return 0;
}

/* Sizes array/count for the list node (when present) before its items are
 * read: every slot starts zeroed, so scenario_free() copes with a walk that
 * stops half way. */
#define ALLOC_LIST(c, node, key, array, count)                                                     \
  do {                                                                                             \
    if ((node) != NULL) {                                                                          \
      if (expect_type((c), (node), (key), YNODE_SEQ) < 0)                                          \
        return -1;                                                                                 \
      (array) = scenario_xcalloc((node)->n, sizeof *(array));                                      \
      (count) = (node)->n;                                                                         \
    }                                                                                              \
  } while (0)

static int read_step_at(struct scenario_ctx *c, const struct ynode *list, size_t index)
{
  return read_step(c, list->items[index], &c->s->steps[index]);
}

static int read_scenario(struct scenario_ctx *c, const struct ynode *root)
{
  static const struct field fields[] = {
      {"name", true},    {"description", false}, {"cluster", true},    {"pods", false},
      {"checks", false}, {"faults", false},      {"exercises", false}, {"steps", false}};
  const struct ynode *v[8];
  struct scenario *s = c->s;
  if (map_fields(c, root, fields, 8, v) < 0 || get_str(c, v[0], "name", &s->name) < 0 ||
      scenario_check_name(c, v[0], "name", s->name, LAB_NAME_MAX, NULL) < 0)
    return -1;
  if (v[1] != NULL && get_str(c, v[1], "description", &s->description) < 0)
    return -1;
  size_t mark = scenario_path_push_key(c, "cluster");
  if (read_cluster(c, v[2]) < 0)
    return -1;
  scenario_path_pop(c, mark);
  ALLOC_LIST(c, v[3], "pods", s->pods, s->n_pods);
  if (read_list(c, v[3], "pods", read_pod) < 0)
    return -1;
  ALLOC_LIST(c, v[4], "checks", s->checks, s->n_checks);
  if (read_list(c, v[4], "checks", read_check) < 0)
    return -1;
  ALLOC_LIST(c, v[5], "faults", s->faults, s->n_faults);
  if (read_list(c, v[5], "faults", read_fault) < 0)
    return -1;
  ALLOC_LIST(c, v[6], "exercises", s->exercises, s->n_exercises);
  if (read_list(c, v[6], "exercises", read_exercise) < 0)
    return -1;
  ALLOC_LIST(c, v[7], "steps", s->steps, s->n_steps);
  return read_list(c, v[7], "steps", read_step_at);
}

/* The directory relative paths in file resolve against: its directory made
 * absolute when it exists, NULL for a name like "<default>" that is no file. */
static char *scenario_dir(const char *file)
{
  if (file[0] == '<')
    return NULL;
  const char *slash = strrchr(file, '/');
  char *dir;
  if (slash == NULL)
    dir = scenario_xstrdup(".");
  else if (slash == file)
    dir = scenario_xstrdup("/");
  else
    dir = strndup(file, (size_t)(slash - file));
  if (dir == NULL)
    abort();
  char *abs = realpath(dir, NULL);
  if (abs != NULL) {
    free(dir);
    return abs;
  }
  return dir;
}

int scenario_parse(const char *file, const char *buf, size_t len, struct scenario **out,
                   struct lab_error **err)
{
  *out = NULL;
  struct ynode *root = NULL;
  if (ynode_load(file, buf, len, &root, err) < 0)
    return -1;
  if (ynode_is_null(root)) {
    ynode_free(root);
    return lab_error_set(err, 0, "%s:1:1: (yaml): empty file", file);
  }
  struct scenario *s = scenario_xcalloc(1, sizeof *s);
  s->file = scenario_xstrdup(file);
  s->underlay = (struct scenario_cidr){.addr = 0xc0a87a00, .prefix = 24}; /* 192.168.122.0/24 */
  s->cluster_network = (struct scenario_cidr){.addr = 0x0a010000, .prefix = 16}; /* 10.1.0.0/16 */
  s->host_subnet_length = 8;
  s->mtu = 1450;
  struct scenario_ctx c = {.file = file, .dir = scenario_dir(file), .err = err, .s = s};
  int r = read_scenario(&c, root);
  free(c.dir);
  ynode_free(root);
  if (r < 0) {
    scenario_free(s);
    return -1;
  }
  *out = s;
  return 0;
}
