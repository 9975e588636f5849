/* cgroup v2: one unified hierarchy; controllers must be enabled in every
 * ancestor's cgroup.subtree_control before a cgroup gets their files. */
#include "cgroup-internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"

LOG_MODULE(cgroup_v2);

static const char *const wanted_controllers[] = {"memory", "cpu", "pids"};

static bool word_in(const char *list, const char *word)
{
  size_t len = strlen(word);
  for (const char *p = list; (p = strstr(p, word)) != NULL; p += len) {
    bool start = p == list || p[-1] == ' ' || p[-1] == '+';
    bool end = p[len] == '\0' || p[len] == ' ' || p[len] == '\n';
    if (start && end)
      return true;
  }
  return false;
}

/* Enables memory, cpu and pids in parent's subtree_control where the parent
 * has them available.  Best effort: a parent that holds processes refuses
 * (EBUSY, "no internal processes"), which later shows as a missing limit file. */
static int enable_controllers(const char *parent, struct lab_error **err)
{
  cleanup_free char *available = NULL;
  cleanup_free char *enabled = NULL;
  struct lab_error *e = NULL;
  if (cgroup_read_file(parent, "cgroup.controllers", &available, &e) < 0 ||
      cgroup_read_file(parent, "cgroup.subtree_control", &enabled, &e) < 0) {
    log_debug("%s", e->msg);
    lab_error_clear(&e);
    return 0;
  }
  char request[64] = "";
  for (size_t i = 0; i < sizeof wanted_controllers / sizeof wanted_controllers[0]; i++) {
    const char *c = wanted_controllers[i];
    if (word_in(available, c) && !word_in(enabled, c)) {
      if (request[0] != '\0')
        strcat(request, " ");
      strcat(request, "+");
      strcat(request, c);
    }
  }
  if (request[0] == '\0')
    return 0;
  if (cgroup_write_file(parent, "cgroup.subtree_control", request, &e) == 0)
    return 0;
  /* One refused controller fails the whole write: retry them one by one. */
  lab_error_clear(&e);
  char *save = NULL;
  for (char *tok = strtok_r(request, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
    if (cgroup_write_file(parent, "cgroup.subtree_control", tok, &e) < 0) {
      log_warn("enabling %s: %s", tok, e->msg);
      lab_error_clear(&e);
    }
  }
  return 0;
}

static int v2_create(struct cgroup_manager *m, const char *relpath, struct ledger *ledger,
                     struct lab_error **err)
{
  if (cgroup_mkdir_recorded(m->hier[0].dir, relpath, ledger, enable_controllers, err) < 0)
    return lab_error_wrap(err, "creating cgroup %s", relpath);
  return 0;
}

static int v2_attach(struct cgroup_manager *m, const char *relpath, pid_t pid,
                     struct lab_error **err)
{
  return cgroup_hier_attach(&m->hier[0], relpath, pid, err);
}

static const char *const v2_limit_files[] = {
    [CGROUP_LIMIT_MEMORY] = "memory.max",
    [CGROUP_LIMIT_CPU] = "cpu.max",
    [CGROUP_LIMIT_PIDS] = "pids.max",
};

static int v2_limit_put(struct cgroup_manager *m, const char *relpath, enum cgroup_limit_kind kind,
                        const char *value, struct lab_error **err)
{
  char quota[24], period[24];
  if (kind == CGROUP_LIMIT_CPU && cgroup_cpu_text_split(value, quota, period, err) < 0)
    return -1;
  cleanup_free char *dir = cgroup_hier_path(&m->hier[0], relpath);
  return cgroup_write_file(dir, v2_limit_files[kind], value, err);
}

static int v2_limit_get(struct cgroup_manager *m, const char *relpath, enum cgroup_limit_kind kind,
                        char **value, struct lab_error **err)
{
  cleanup_free char *dir = cgroup_hier_path(&m->hier[0], relpath);
  return cgroup_read_value(dir, v2_limit_files[kind], value, err);
}

static int v2_set_limits(struct cgroup_manager *m, const char *relpath,
                         const struct cgroup_limits *limits, struct lab_error **err)
{
  if (limits->cpu_millis > UINT64_MAX / 100)
    return lab_error_set(err, ERANGE, "cpu limit of %s: %" PRIu64 " millicores", relpath,
                         limits->cpu_millis);
  const struct {
    enum cgroup_limit_kind kind;
    uint64_t n;
  } all[] = {{CGROUP_LIMIT_MEMORY, limits->memory_bytes},
             {CGROUP_LIMIT_CPU, limits->cpu_millis},
             {CGROUP_LIMIT_PIDS, limits->pids}};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
    char value[64];
    cgroup_limit_text(all[i].kind, all[i].n, value, sizeof value);
    if (v2_limit_put(m, relpath, all[i].kind, value, err) < 0)
      return lab_error_wrap(err, "%s limit of %s", cgroup_limit_name(all[i].kind), relpath);
  }
  return 0;
}

static int v2_destroy(struct cgroup_manager *m, const char *relpath, struct lab_error **err)
{
  cleanup_free char *dir = cgroup_hier_path(&m->hier[0], relpath);
  return cgroup_remove_tree(dir, m->fake, err);
}

static int v2_oom_killed(struct cgroup_manager *m, const char *relpath, int *killed,
                         struct lab_error **err)
{
  *killed = 0;
  cleanup_free char *dir = cgroup_hier_path(&m->hier[0], relpath);
  uint64_t v = 0;
  /* memory.events is hierarchical: it counts kills in descendants too. */
  struct lab_error *e = NULL;
  int r = cgroup_read_keyed(dir, "memory.events", "oom_kill", &v, &e);
  if (r < 0 && e->errnum == ENOENT && access(dir, F_OK) == 0) {
    /* No memory controller enabled here: it cannot have killed anything. */
    lab_error_clear(&e);
    return 0;
  }
  if (r < 0) {
    if (err != NULL && *err == NULL)
      *err = e;
    else
      lab_error_clear(&e);
    return lab_error_wrap(err, "OOM events of %s", relpath);
  }
  *killed = r == 1 && v > 0;
  return 0;
}

const struct cgroup_backend_ops cgroup_v2_ops = {
    .name = "v2",
    .create = v2_create,
    .attach = v2_attach,
    .set_limits = v2_set_limits,
    .destroy = v2_destroy,
    .oom_killed = v2_oom_killed,
    .limit_get = v2_limit_get,
    .limit_put = v2_limit_put,
};
