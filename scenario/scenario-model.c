/* The scenario model's life cycle: loading files, the embedded default lab,
 * lookups and freeing. */
#include "scenario.h"
#include "strv.h"
#include "scenario-internal.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileio.h"

/* Generated from scenarios/default.yaml by cmake/embed-text.cmake. */
extern const char nodelab_default_scenario_yaml[];

/* No real scenario comes near this; it keeps a wrong path (a disk image, a
 * device) from being read into memory. */
#define SCENARIO_FILE_MAX (16 * 1024 * 1024)

static void free_container(struct scenario_container *ctr)
{
  free(ctr->name);
  free(ctr->image);
  strv_free(ctr->command);
  strv_free(ctr->env);
  free(ctr->seccomp_profile);
  for (size_t i = 0; i < ctr->n_volumes; i++) {
    free(ctr->volumes[i].host_path);
    free(ctr->volumes[i].container_path);
  }
  free(ctr->volumes);
}

void scenario_free(struct scenario *s)
{
  if (s == NULL)
    return;
  XFREE_ARRAY(s->nodes, s->n_nodes, name);
  for (size_t i = 0; i < s->n_pods; i++) {
    struct scenario_pod *pod = &s->pods[i];
    free(pod->name);
    free(pod->node);
    for (size_t j = 0; j < pod->n_containers; j++)
      free_container(&pod->containers[j]);
    free(pod->containers);
  }
  free(s->pods);
  for (size_t i = 0; i < s->n_checks; i++) {
    free(s->checks[i].name);
    free(s->checks[i].from);
    free(s->checks[i].target);
    free(s->checks[i].from_node);
    free(s->checks[i].from_pod);
    free(s->checks[i].from_container);
    free(s->checks[i].send);
    free(s->checks[i].reply);
    free(s->checks[i].path);
    free(s->checks[i].body);
    strv_free(s->checks[i].argv);
  }
  free(s->checks);
  for (size_t i = 0; i < s->n_faults; i++) {
    struct scenario_fault *f = &s->faults[i];
    free(f->name);
    free(f->kind);
    free(f->node);
    XFREE_ARRAY(f->args, f->n_args, text);
    free(f->symptom);
    strv_free(f->hints);
  }
  free(s->faults);
  for (size_t i = 0; i < s->n_exercises; i++) {
    free(s->exercises[i].name);
    strv_free(s->exercises[i].faults);
    strv_free(s->exercises[i].verify);
  }
  free(s->exercises);
  XFREE_ARRAY(s->steps, s->n_steps, arg);
  free(s->file);
  free(s->name);
  free(s->description);
  free(s);
}

/* The element of arr[0..n) (each size bytes) whose char * at name_off is
 * name, or NULL.  The lookups skip slots not filled yet (a NULL name): the
 * parser uses them on a model it is still building. */
static const void *find_named(const void *arr, size_t n, size_t size, size_t name_off,
                              const char *name)
{
  for (size_t i = 0; name != NULL && i < n; i++) {
    const char *elem = (const char *)arr + i * size;
    const char *have = *(const char *const *)(elem + name_off);
    if (have != NULL && strcmp(have, name) == 0)
      return elem;
  }
  return NULL;
}
#define FIND_NAMED(arr, n, key)                                                                    \
  find_named((arr), (n), sizeof *(arr), offsetof(__typeof__(*(arr)), name), (key))

const struct scenario_node *scenario_find_node(const struct scenario *s, const char *name)
{
  return FIND_NAMED(s->nodes, s->n_nodes, name);
}

const struct scenario_pod *scenario_find_pod(const struct scenario *s, const char *name)
{
  return FIND_NAMED(s->pods, s->n_pods, name);
}

const struct scenario_check *scenario_find_check(const struct scenario *s, const char *name)
{
  return FIND_NAMED(s->checks, s->n_checks, name);
}

const struct scenario_fault *scenario_find_fault(const struct scenario *s, const char *name)
{
  return FIND_NAMED(s->faults, s->n_faults, name);
}

const struct scenario_container *scenario_find_container(const struct scenario_pod *pod,
                                                         const char *name)
{
  return FIND_NAMED(pod->containers, pod->n_containers, name);
}

const struct scenario_fault_arg *scenario_fault_arg(const struct scenario_fault *f, const char *key)
{
  for (size_t i = 0; key != NULL && i < f->n_args; i++)
    if (strcmp(f->args[i].spec->name, key) == 0)
      return &f->args[i];
  return NULL;
}

const char *scenario_fault_param(const struct scenario_fault *f, const char *key)
{
  const struct scenario_fault_arg *arg = scenario_fault_arg(f, key);
  return arg != NULL && strcmp(key, "node") != 0 ? arg->text : NULL;
}

bool scenario_fault_kind_known(const char *kind)
{
  return fault_kind_by_name(kind) != NULL;
}

int scenario_load(const char *path, struct scenario **out, struct lab_error **err)
{
  *out = NULL;
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return lab_error_errno(err, "%s", path);
  struct stat st;
  if (fstat(fd, &st) < 0)
    return lab_error_errno(err, "%s", path);
  if (!S_ISREG(st.st_mode))
    return lab_error_set(err, 0, "%s: not a regular file", path);
  if (st.st_size > SCENARIO_FILE_MAX)
    return lab_error_set(err, 0, "%s: larger than %d MiB, not a scenario", path,
                         SCENARIO_FILE_MAX / (1024 * 1024));
  cleanup_free char *buf = NULL;
  size_t len = 0;
  if (fileio_read_fd(fd, &buf, &len) < 0)
    return lab_error_errno(err, "reading %s", path);
  return scenario_parse(path, buf, len, out, err);
}

const char *scenario_default_yaml(void)
{
  return nodelab_default_scenario_yaml;
}

int scenario_load_default(struct scenario **out, struct lab_error **err)
{
  const char *yaml = scenario_default_yaml();
  return scenario_parse("<default>", yaml, strlen(yaml), out, err);
}
