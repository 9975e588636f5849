/* The schema of a scenario file, top level, cluster and pods: the walk from
 * the YAML tree to the typed model.  Sections are read in a fixed order
 * (name, description, cluster, pods, checks, faults, exercises, steps)
 * whatever their order in the file, so that every reference points at
 * something already read and checked.  The first problem stops the walk; the
 * caller frees the half-built model.  Checks, exercises and steps are read in
 * scenario-checks.c, faults in scenario-faults.c. */
#include "scenario.h"
#include "xalloc.h"
#include "scenario-internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"

#define LAB_NAME_MAX 32
#define MAX_NODES 200
#define IFNAME_WHY "it names a network interface"

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
    s->nodes = xcalloc(nodes->n, sizeof *s->nodes);
    s->n_nodes = nodes->n;
    size_t mark = scenario_path_push_key(c, "nodes");
    for (size_t i = 0; i < nodes->n; i++) {
      const struct ynode *item = nodes->items[i];
      size_t m = scenario_path_push_index(c, i);
      struct scenario_node *node = &s->nodes[i];
      node->pos = item->pos;
      if (scenario_get_str(c, item, NULL, &node->name) < 0 ||
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

  static const struct scenario_field fields[] = {{"count", true}, {"prefix", false}};
  const struct ynode *v[2];
  size_t mark = scenario_path_push_key(c, "nodes");
  long count;
  cleanup_free char *prefix = NULL;
  if (scenario_map_fields(c, nodes, fields, 2, v) < 0 ||
      scenario_get_int(c, v[0], "count", 1, MAX_NODES, &count) < 0)
    return -1;
  if (v[1] != NULL && scenario_get_str(c, v[1], "prefix", &prefix) < 0)
    return -1;
  const struct ynode *blame = v[1] ? v[1] : v[0];
  s->nodes = xcalloc((size_t)count, sizeof *s->nodes);
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
  if (scenario_get_text(c, n, key, &text) < 0)
    return -1;
  if (scenario_parse_cidr(text, out, &problem) < 0) {
    cleanup_free char *q = scenario_quote(text);
    return scenario_fail(c, n, key, "%s %s", q, problem);
  }
  return 0;
}

static int read_cluster(struct scenario_ctx *c, const struct ynode *cluster)
{
  static const struct scenario_field fields[] = {{"nodes", true},
                                                 {"underlay", false},
                                                 {"clusterNetwork", false},
                                                 {"hostSubnetLength", false},
                                                 {"mtu", false}};
  const struct ynode *v[5];
  struct scenario *s = c->s;
  if (scenario_map_fields(c, cluster, fields, 5, v) < 0 || read_node_names(c, v[0]) < 0 ||
      read_cidr(c, v[1], "underlay", &s->underlay) < 0 ||
      read_cidr(c, v[2], "clusterNetwork", &s->cluster_network) < 0)
    return -1;
  long value;
  if (v[3] != NULL) {
    if (scenario_get_int(c, v[3], "hostSubnetLength", 2, 30, &value) < 0)
      return -1;
    s->host_subnet_length = (int)value;
  }
  if (v[4] != NULL) {
    if (scenario_get_int(c, v[4], "mtu", 576, 9000, &value) < 0)
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
    if (scenario_check_duplicate_keys(c, n) < 0)
      return -1;
    ctr->env = xcalloc(n->n + 1, sizeof *ctr->env);
    for (size_t i = 0; i < n->n; i++) {
      const struct ynode *key = n->items[2 * i], *value = n->items[2 * i + 1];
      if (!env_name_ok(key->value, strlen(key->value))) {
        cleanup_free char *q = scenario_quote(key->value);
        return scenario_fail(c, key, NULL, "%s is not an environment variable name", q);
      }
      if (scenario_expect_type(c, value, key->value, YNODE_SCALAR) < 0)
        return -1;
      if (asprintf(&ctr->env[i], "%s=%s", key->value, ynode_is_null(value) ? "" : value->value) < 0)
        abort();
    }
  } else if (n->type == YNODE_SEQ) {
    ctr->env = xcalloc(n->n + 1, sizeof *ctr->env);
    for (size_t i = 0; i < n->n; i++) {
      const struct ynode *item = n->items[i];
      size_t m = scenario_path_push_index(c, i);
      if (scenario_get_str(c, item, NULL, &ctr->env[i]) < 0)
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
  static const struct scenario_field fields[] = {
      {"memory", false}, {"cpu", false}, {"pids", false}};
  const struct ynode *v[3];
  size_t mark = scenario_path_push_key(c, "resources");
  if (scenario_map_fields(c, n, fields, 3, v) < 0)
    return -1;
  if (v[0] != NULL) {
    if (scenario_get_u64(c, v[0], "memory", scenario_parse_memory, &res->memory_bytes) < 0)
      return -1;
    if (res->memory_bytes == 0)
      return scenario_fail(c, v[0], "memory",
                           "memory must be greater than 0 (omit it for no limit)");
  }
  if (v[1] != NULL) {
    if (scenario_get_u64(c, v[1], "cpu", scenario_parse_cpu, &res->cpu_millis) < 0)
      return -1;
    if (res->cpu_millis == 0)
      return scenario_fail(c, v[1], "cpu", "cpu must be greater than 0 (omit it for no limit)");
  }
  if (v[2] != NULL) {
    long pids;
    if (scenario_get_int(c, v[2], "pids", 1, 4194304, &pids) < 0)
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
    return xstrdup(path);
  char *full = NULL;
  if (asprintf(&full, "%s/%s", c->dir, path) < 0)
    abort();
  return full;
}

static int read_security(struct scenario_ctx *c, const struct ynode *n,
                         struct scenario_container *ctr)
{
  static const struct scenario_field fields[] = {{"seccompProfile", false}, {"privileged", false}};
  const struct ynode *v[2];
  size_t mark = scenario_path_push_key(c, "securityContext");
  if (scenario_map_fields(c, n, fields, 2, v) < 0)
    return -1;
  if (v[0] != NULL) {
    const char *text;
    if (scenario_get_text(c, v[0], "seccompProfile", &text) < 0)
      return -1;
    ctr->seccomp_profile = resolve_path(c, text);
    /* Check it now, before anything is created; an embedded lab (no
     * directory) leaves that to whoever resolves its relative paths. */
    struct stat st;
    if ((c->dir != NULL || text[0] == '/') &&
        (stat(ctr->seccomp_profile, &st) < 0 || !S_ISREG(st.st_mode))) {
      cleanup_free char *q = scenario_quote(text);
      /* The path as is, unless it holds bytes that would break the
       * one-line message (then escaped, like q). */
      bool plain = true;
      for (const char *p = ctr->seccomp_profile; plain && *p; p++)
        plain = (unsigned char)*p >= ' ' && *p != 0x7f;
      cleanup_free char *where = plain ? NULL : scenario_quote(ctr->seccomp_profile);
      return scenario_fail(c, v[0], "seccompProfile", "profile %s not found (looked at %s)", q,
                           where ? where : ctr->seccomp_profile);
    }
  }
  if (v[1] != NULL && scenario_get_bool(c, v[1], "privileged", &ctr->privileged) < 0)
    return -1;
  scenario_path_pop(c, mark);
  return 0;
}

static int read_volume(struct scenario_ctx *c, const struct ynode *n, struct scenario_volume *vol,
                       const struct scenario_container *ctr, size_t index)
{
  const char *text;
  if (scenario_get_text(c, n, NULL, &text) < 0)
    return -1;
  cleanup_free char *q = scenario_quote(text);
  cleanup_free char *copy = xstrdup(text);
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
  vol->host_path = xstrdup(parts[0]);
  vol->container_path = xstrdup(parts[1]);
  return 0;
}

static int read_container(struct scenario_ctx *c, const struct ynode *n, const struct ynode *list,
                          size_t index, struct scenario_pod *pod)
{
  static const struct scenario_field fields[] = {{"name", true},       {"image", true},
                                                 {"command", false},   {"env", false},
                                                 {"resources", false}, {"securityContext", false},
                                                 {"volumes", false}};
  const struct ynode *v[7];
  struct scenario_container *ctr = &pod->containers[index];
  ctr->pos = n->pos;
  if (scenario_map_fields(c, n, fields, 7, v) < 0 ||
      scenario_get_name(c, list, index, v[0], "container", SCENARIO_OBJECT_NAME_MAX, NULL,
                        &ctr->name) < 0)
    return -1;
  if (scenario_get_str(c, v[1], "image", &ctr->image) < 0)
    return -1;
  bool image_ok = ctr->image[0] != '\0';
  for (const char *p = ctr->image; image_ok && *p; p++)
    image_ok = (unsigned char)*p > ' ' && *p != 0x7f;
  if (!image_ok) {
    cleanup_free char *q = scenario_quote(ctr->image);
    return scenario_fail(c, v[1], "image", "%s is not an image name", q);
  }
  if (v[2] != NULL && scenario_get_strv(c, v[2], "command", false, &ctr->command) < 0)
    return -1;
  if (v[3] != NULL && read_env(c, v[3], ctr) < 0)
    return -1;
  if (v[4] != NULL && read_resources(c, v[4], &ctr->resources) < 0)
    return -1;
  if (v[5] != NULL && read_security(c, v[5], ctr) < 0)
    return -1;
  if (v[6] != NULL) {
    if (scenario_expect_type(c, v[6], "volumes", YNODE_SEQ) < 0)
      return -1;
    ctr->volumes = xcalloc(v[6]->n, sizeof *ctr->volumes);
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
  static const struct scenario_field fields[] = {
      {"name", true}, {"node", true}, {"containers", true}};
  const struct ynode *v[3];
  struct scenario *s = c->s;
  struct scenario_pod *pod = &s->pods[index];
  const struct ynode *n = pods->items[index];
  pod->pos = n->pos;
  if (scenario_map_fields(c, n, fields, 3, v) < 0 ||
      scenario_get_name(c, pods, index, v[0], "pod", SCENARIO_IFNAME_MAX, IFNAME_WHY, &pod->name) <
          0)
    return -1;
  if (scenario_find_node(s, pod->name) != NULL)
    return scenario_fail(c, v[0], "name",
                         "pod name \"%s\" is also a node name (checks could not tell them apart)",
                         pod->name);

  if (scenario_get_str(c, v[1], "node", &pod->node) < 0)
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
                         pod->node, pod->name, ipv4_format(node->subnet.addr, ip),
                         node->subnet.prefix, (unsigned long long)room, room == 1 ? "" : "s");
  }

  if (scenario_expect_type(c, v[2], "containers", YNODE_SEQ) < 0)
    return -1;
  if (v[2]->n == 0)
    return scenario_fail(c, v[2], "containers", "at least one container is required");
  pod->containers = xcalloc(v[2]->n, sizeof *pod->containers);
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

/* ---- the whole file ---- */

/* Reads the list node at key (when present) into the model's array: sizes
 * *arrp (the address of the array pointer, elements of size elem) and *count
 * first, every slot zeroed so that scenario_free() copes with a walk that
 * stops half way, then calls read(c, list, i) for each item with the path set.
 * READ_LIST() says it with types. */
static int read_list(struct scenario_ctx *c, const struct ynode *list, const char *key, void *arrp,
                     size_t *count, size_t elem,
                     int (*read)(struct scenario_ctx *, const struct ynode *, size_t))
{
  if (list == NULL)
    return 0;
  if (scenario_expect_type(c, list, key, YNODE_SEQ) < 0)
    return -1;
  *(void **)arrp = xcalloc(list->n, elem);
  *count = list->n;
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
#define READ_LIST(c, list, key, array, count, read)                                                \
  read_list((c), (list), (key), &(array), &(count), sizeof *(array), (read))

static int read_scenario(struct scenario_ctx *c, const struct ynode *root)
{
  static const struct scenario_field fields[] = {
      {"name", true},    {"description", false}, {"cluster", true},    {"pods", false},
      {"checks", false}, {"faults", false},      {"exercises", false}, {"steps", false}};
  const struct ynode *v[8];
  struct scenario *s = c->s;
  if (scenario_map_fields(c, root, fields, 8, v) < 0 ||
      scenario_get_str(c, v[0], "name", &s->name) < 0 ||
      scenario_check_name(c, v[0], "name", s->name, LAB_NAME_MAX, NULL) < 0)
    return -1;
  if (v[1] != NULL && scenario_get_str(c, v[1], "description", &s->description) < 0)
    return -1;
  size_t mark = scenario_path_push_key(c, "cluster");
  if (read_cluster(c, v[2]) < 0)
    return -1;
  scenario_path_pop(c, mark);
  if (READ_LIST(c, v[3], "pods", s->pods, s->n_pods, read_pod) < 0 ||
      READ_LIST(c, v[4], "checks", s->checks, s->n_checks, scenario_read_check) < 0 ||
      READ_LIST(c, v[5], "faults", s->faults, s->n_faults, scenario_read_fault) < 0 ||
      READ_LIST(c, v[6], "exercises", s->exercises, s->n_exercises, scenario_read_exercise) < 0)
    return -1;
  return READ_LIST(c, v[7], "steps", s->steps, s->n_steps, scenario_read_step_at);
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
    dir = xstrdup(".");
  else if (slash == file)
    dir = xstrdup("/");
  else
    dir = xstrndup(file, (size_t)(slash - file));
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
  struct scenario *s = xcalloc(1, sizeof *s);
  s->file = xstrdup(file);
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
