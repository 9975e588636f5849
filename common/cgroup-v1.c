/* cgroup v1 and hybrid: one hierarchy per controller group (cpu, memory, pids,
 * name=systemd), plus, in hybrid, the unified hierarchy used for tracking
 * only.  Limits go to the v1 controller files. */
#include "cgroup-internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "log.h"
#include "xalloc.h"

LOG_MODULE(cgroup_v1);

static int v1_create(struct cgroup_manager *m, const char *relpath, struct ledger *ledger,
                     struct lab_error **err)
{
  /* cpuset is deliberately not managed: a new cpuset cgroup starts with empty
   * cpuset.cpus/mems and would refuse every process until they are copied. */
  for (size_t i = 0; i < m->nhier; i++) {
    if (cgroup_mkdir_recorded(m->hier[i].dir, relpath, ledger, NULL, err) < 0)
      return lab_error_wrap(err, "creating cgroup %s", relpath);
  }
  return 0;
}

static int v1_attach(struct cgroup_manager *m, const char *relpath, pid_t pid,
                     struct lab_error **err)
{
  for (size_t i = 0; i < m->nhier; i++)
    if (cgroup_hier_attach(&m->hier[i], relpath, pid, err) < 0)
      return -1;
  return 0;
}

/* Writes value (0: no limit, written as the string unlimited) to file in relpath of
 * the hierarchy of controller ctrl (named name); without that hierarchy only
 * 0 is accepted. */
static int v1_limit(struct cgroup_manager *m, unsigned ctrl, const char *name, const char *relpath,
                    const char *file, uint64_t value, const char *unlimited, struct lab_error **err)
{
  const struct cgroup_hierarchy *h = cgroup_find_hierarchy(m, ctrl);
  if (h == NULL) {
    if (value != 0)
      return lab_error_set(err, ENOTSUP, "%s limit of %s: no v1 %s hierarchy", name, relpath, name);
    return 0;
  }
  cleanup_free char *dir = cgroup_hier_path(h, relpath);
  if (cgroup_write_limit(dir, file, value, unlimited, err) < 0)
    return lab_error_wrap(err, "%s limit of %s", name, relpath);
  return 0;
}

static int v1_set_limits(struct cgroup_manager *m, const char *relpath,
                         const struct cgroup_limits *limits, struct lab_error **err)
{
  if (v1_limit(m, CGROUP_CTRL_MEMORY, "memory", relpath, "memory.limit_in_bytes",
               limits->memory_bytes, "-1", err) < 0)
    return -1;

  const struct cgroup_hierarchy *h = cgroup_find_hierarchy(m, CGROUP_CTRL_CPU);
  if (h != NULL) {
    cleanup_free char *dir = cgroup_hier_path(h, relpath);
    /* millicores -> CFS quota per 100 ms period: 500m = 50000 us. */
    if (limits->cpu_millis != 0 && cgroup_write_file(dir, "cpu.cfs_period_us", "100000", err) < 0)
      return lab_error_wrap(err, "cpu limit of %s", relpath);
    if (limits->cpu_millis > UINT64_MAX / 100)
      return lab_error_set(err, ERANGE, "cpu limit of %s: %" PRIu64 " millicores", relpath,
                           limits->cpu_millis);
    if (cgroup_write_limit(dir, "cpu.cfs_quota_us", limits->cpu_millis * 100, "-1", err) < 0)
      return lab_error_wrap(err, "cpu limit of %s", relpath);
  } else if (limits->cpu_millis != 0) {
    return lab_error_set(err, ENOTSUP, "cpu limit of %s: no v1 cpu hierarchy", relpath);
  }

  return v1_limit(m, CGROUP_CTRL_PIDS, "pids", relpath, "pids.max", limits->pids, "max", err);
}

/* v1's memory.limit_in_bytes when unlimited: PAGE_COUNTER_MAX pages. */
#define V1_MEMORY_UNLIMITED "9223372036854771712"

static int v1_dir(struct cgroup_manager *m, const char *relpath, enum cgroup_limit_kind kind,
                  char **dir, struct lab_error **err)
{
  static const unsigned ctrl[] = {[CGROUP_LIMIT_MEMORY] = CGROUP_CTRL_MEMORY,
                                  [CGROUP_LIMIT_CPU] = CGROUP_CTRL_CPU,
                                  [CGROUP_LIMIT_PIDS] = CGROUP_CTRL_PIDS};
  const struct cgroup_hierarchy *h = cgroup_find_hierarchy(m, ctrl[kind]);
  if (h == NULL)
    return lab_error_set(err, ENOTSUP, "no v1 %s hierarchy", cgroup_limit_name(kind));
  *dir = cgroup_hier_path(h, relpath);
  return 0;
}

static int v1_limit_get(struct cgroup_manager *m, const char *relpath, enum cgroup_limit_kind kind,
                        char **value, struct lab_error **err)
{
  cleanup_free char *dir = NULL;
  if (v1_dir(m, relpath, kind, &dir, err) < 0)
    return -1;
  switch (kind) {
  case CGROUP_LIMIT_MEMORY:
    if (cgroup_read_value(dir, "memory.limit_in_bytes", value, err) < 0)
      return -1;
    if (strcmp(*value, V1_MEMORY_UNLIMITED) == 0) {
      free(*value);
      *value = xstrdup("max");
    }
    return 0;
  case CGROUP_LIMIT_CPU: {
    cleanup_free char *quota = NULL, *period = NULL;
    if (cgroup_read_value(dir, "cpu.cfs_quota_us", &quota, err) < 0 ||
        cgroup_read_value(dir, "cpu.cfs_period_us", &period, err) < 0)
      return -1;
    *value = xasprintf("%s %s", strcmp(quota, "-1") == 0 ? "max" : quota, period);
    return 0;
  }
  case CGROUP_LIMIT_PIDS:
    return cgroup_read_value(dir, "pids.max", value, err);
  }
  return lab_error_set(err, EINVAL, "unknown limit %d", (int)kind);
}

static int v1_limit_put(struct cgroup_manager *m, const char *relpath, enum cgroup_limit_kind kind,
                        const char *value, struct lab_error **err)
{
  char quota[24], period[24];
  if (kind == CGROUP_LIMIT_CPU && cgroup_cpu_text_split(value, quota, period, err) < 0)
    return -1;
  cleanup_free char *dir = NULL;
  if (v1_dir(m, relpath, kind, &dir, err) < 0)
    return -1;
  switch (kind) {
  case CGROUP_LIMIT_MEMORY:
    return cgroup_write_file(dir, "memory.limit_in_bytes", strcmp(value, "max") == 0 ? "-1" : value,
                             err);
  case CGROUP_LIMIT_CPU:
    /* The period first: the quota is checked against it. */
    if (cgroup_write_file(dir, "cpu.cfs_period_us", period, err) < 0)
      return -1;
    return cgroup_write_file(dir, "cpu.cfs_quota_us", strcmp(quota, "max") == 0 ? "-1" : quota,
                             err);
  case CGROUP_LIMIT_PIDS:
    return cgroup_write_file(dir, "pids.max", value, err);
  }
  return lab_error_set(err, EINVAL, "unknown limit %d", (int)kind);
}

static int v1_destroy(struct cgroup_manager *m, const char *relpath, struct lab_error **err)
{
  int ret = 0;
  /* Every hierarchy holds the same processes: the first pass kills them, the
   * others find their directories empty. */
  for (size_t i = 0; i < m->nhier; i++) {
    cleanup_free char *dir = cgroup_hier_path(&m->hier[i], relpath);
    struct lab_error *e = NULL;
    if (cgroup_remove_tree(dir, m->fake, &e) < 0) {
      log_warn("%s", e->msg);
      if (ret == 0 && err != NULL && *err == NULL)
        *err = e;
      else
        lab_error_clear(&e);
      ret = -1;
    }
  }
  return ret;
}

static int v1_oom_killed(struct cgroup_manager *m, const char *relpath, int *killed,
                         struct lab_error **err)
{
  *killed = 0;
  const struct cgroup_hierarchy *h = cgroup_find_hierarchy(m, CGROUP_CTRL_MEMORY);
  if (h == NULL)
    return 0;
  cleanup_free char *top = cgroup_hier_path(h, relpath);
  char **dirs = NULL;
  size_t n = 0;
  if (cgroup_list_tree(top, &dirs, &n, err) < 0)
    return -1;
  if (n == 0)
    return lab_error_set(err, ENOENT, "cgroup %s does not exist", top);
  /* v1 counts a kill in the cgroup whose limit was hit: look at the
   * descendants too (containers below a node). */
  int ret = 0;
  for (size_t i = 0; i < n; i++) {
    uint64_t v = 0;
    struct lab_error *e = NULL;
    int r = cgroup_read_keyed(dirs[i], "memory.oom_control", "oom_kill", &v, &e);
    if (r < 0 && e->errnum == ENOENT) {
      lab_error_clear(&e); /* removed meanwhile */
      continue;
    }
    if (r < 0) {
      if (err != NULL && *err == NULL)
        *err = e;
      else
        lab_error_clear(&e);
      ret = -1;
      break;
    }
    if (r == 1 && v > 0)
      *killed = 1;
  }
  cgroup_free_strv(dirs, n);
  return ret;
}

const struct cgroup_backend_ops cgroup_v1_ops = {
    .name = "v1",
    .create = v1_create,
    .attach = v1_attach,
    .set_limits = v1_set_limits,
    .destroy = v1_destroy,
    .oom_killed = v1_oom_killed,
    .limit_get = v1_limit_get,
    .limit_put = v1_limit_put,
};
