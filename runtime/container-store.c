/* The container store: its directories, each container's record
 * (state.json) loaded and saved, lookup by name, id or id prefix, the list,
 * and the accessors of the opaque record. */
#include "container.h"
#include "strv.h"
#include "names.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "container-internal.h"
#include "fileio.h"
#include "json.h"
#include "proc.h"
#include "xalloc.h"

/* ---------------------------------------------------------------- states */

static const char *const state_names[] = {
    [CONTAINER_CREATED] = "created",
    [CONTAINER_RUNNING] = "running",
    [CONTAINER_EXITED] = "exited",
};
static_assert(sizeof state_names / sizeof state_names[0] == CONTAINER_N_STATES,
              "one name per container state");

const char *container_state_name(enum container_state state)
{
  return names_get(state_names, CONTAINER_N_STATES, state, "unknown");
}

int container_state_from_name(const char *name, enum container_state *out)
{
  int i = names_find(state_names, CONTAINER_N_STATES, name);
  if (i < 0)
    return -1;
  *out = (enum container_state)i;
  return 0;
}

/* ---------------------------------------------------------------- helpers */

ssize_t ctr_read_all(int fd, char *buf, size_t cap)
{
  size_t got = 0;
  while (got + 1 < cap) {
    ssize_t n = read(fd, buf + got, cap - 1 - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    if (n == 0)
      break;
    got += (size_t)n;
  }
  buf[got] = '\0';
  return (ssize_t)got;
}

static int vpath(char *buf, size_t len, const char *fmt, va_list ap)
{
  int n = vsnprintf(buf, len, fmt, ap);
  if (n < 0 || (size_t)n >= len) {
    errno = ENAMETOOLONG;
    return -1;
  }
  return 0;
}

int ctr_path(char *buf, size_t len, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int rc = vpath(buf, len, fmt, ap);
  va_end(ap);
  return rc;
}

int ctr_path_err(struct lab_error **err, char *buf, size_t len, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int rc = vpath(buf, len, fmt, ap);
  va_end(ap);
  if (rc < 0)
    return lab_error_set(err, ENAMETOOLONG, "%.*s...", 64, buf);
  return 0;
}

void ctr_set_str(char **field, const char *v)
{
  free(*field);
  *field = xstrdup(v);
}

int ctr_store_cgroups(struct ctr_store *s, struct lab_error **err)
{
  if (s->cg != NULL)
    return 0;
  if (cgroup_manager_open(s->cgroup_root, &s->cg, err) < 0)
    return lab_error_wrap(err, "cgroups under %s", s->cgroup_root);
  return 0;
}

/* ------------------------------------------------------------------ store */

int ctr_store_open(const char *state_root, const char *image_root, const char *cgroup_root,
                   const char *cgroup_parent, struct ctr_store **out, struct lab_error **err)
{
  if (cgroup_parent == NULL || *cgroup_parent == '\0' || *cgroup_parent == '/' ||
      strstr(cgroup_parent, "..") != NULL)
    return lab_error_set(err, 0, "cgroup parent \"%s\": expected a relative path",
                         cgroup_parent ? cgroup_parent : "");
  /* Every path of the store is built below PATH_MAX from its root. */
  if (strlen(state_root) > PATH_MAX / 2 || strlen(image_root) > PATH_MAX / 2)
    return lab_error_set(err, ENAMETOOLONG, "state root %.64s...", state_root);
  struct ctr_store *s = calloc(1, sizeof *s);
  if (s == NULL)
    return lab_error_set(err, ENOMEM, "store");
  s->root = xstrdup(state_root);
  s->containers = xasprintf("%s/containers", state_root);
  s->names = xasprintf("%s/names", state_root);
  s->labels = xasprintf("%s/labels", state_root);
  s->images = xstrdup(image_root);
  s->cgroup_root = xstrdup(cgroup_root ? cgroup_root : "/sys/fs/cgroup");
  s->cgroup_parent = xstrdup(cgroup_parent);
  if (fileio_mkdir_p(s->containers, 0700) < 0 || fileio_mkdir_p(s->names, 0700) < 0) {
    lab_error_errno(err, "creating the state directory %s", state_root);
    ctr_store_close(s);
    return -1;
  }
  *out = s;
  return 0;
}

void ctr_store_close(struct ctr_store *s)
{
  if (s == NULL)
    return;
  if (s->cg)
    cgroup_manager_close(s->cg);
  free(s->root);
  free(s->containers);
  free(s->names);
  free(s->labels);
  free(s->images);
  free(s->cgroup_root);
  free(s->cgroup_parent);
  free(s);
}

int ctr_store_open_cgroups(struct ctr_store *s, struct lab_error **err)
{
  return ctr_store_cgroups(s, err);
}

/* -------------------------------------------------------------- the record */

void container_free(struct container *c)
{
  if (c == NULL)
    return;
  free(c->dir);
  free(c->name);
  free(c->image);
  free(c->lower);
  strv_free(c->argv);
  strv_free(c->env);
  free(c->workdir);
  free(c->hostname);
  free(c->pod);
  for (size_t i = 0; i < c->n_vols; i++) {
    free(c->vols[i].host);
    free(c->vols[i].ctr);
  }
  free(c->vols);
  free(c->seccomp);
  strv_free(c->seccomp_deny);
  free(c->owner);
  free(c->ip);
  free(c->gateway);
  free(c->label);
  free(c->cgroup);
  free(c->created);
  free(c->started);
  free(c->finished);
  free(c->merged);
  free(c->upper);
  free(c->work);
  free(c);
}

void ctr_cleanup_container_fn(struct container **c)
{
  container_free(*c);
}

struct json_object *ctr_json_str(const char *s)
{
  return s ? json_object_new_string(s) : NULL;
}

struct json_object *ctr_json_strv(char *const *v)
{
  struct json_object *a = json_object_new_array();
  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    json_object_array_add(a, json_object_new_string(v[i]));
  return a;
}

static const char *net_name(enum ctr_net n)
{
  return n == CTR_NET_HOST ? "host" : n == CTR_NET_POD ? "pod" : "private";
}

int ctr_state_save(struct container *c, struct lab_error **err)
{
  char path[PATH_MAX], tmp[PATH_MAX];
  if (ctr_path_err(err, path, sizeof path, "%s/state.json", c->dir) < 0 ||
      ctr_path_err(err, tmp, sizeof tmp, "%s/.state.json.%d", c->dir, (int)getpid()) < 0)
    return -1;
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "id", ctr_json_str(c->id));
  json_object_object_add(o, "name", ctr_json_str(c->name));
  json_object_object_add(o, "image", ctr_json_str(c->image));
  json_object_object_add(o, "lower", ctr_json_str(c->lower));
  json_object_object_add(o, "command", ctr_json_strv(c->argv));
  json_object_object_add(o, "env", ctr_json_strv(c->env));
  json_object_object_add(o, "workdir", ctr_json_str(c->workdir));
  json_object_object_add(o, "hostname", ctr_json_str(c->hostname));
  json_object_object_add(o, "pod", ctr_json_str(c->pod));
  struct json_object *vols = json_object_new_array();
  for (size_t i = 0; i < c->n_vols; i++) {
    struct json_object *v = json_object_new_object();
    json_object_object_add(v, "host", ctr_json_str(c->vols[i].host));
    json_object_object_add(v, "ctr", ctr_json_str(c->vols[i].ctr));
    json_object_object_add(v, "relabel", json_object_new_boolean(c->vols[i].relabel));
    json_object_object_add(v, "readonly", json_object_new_boolean(c->vols[i].readonly));
    json_object_array_add(vols, v);
  }
  json_object_object_add(o, "volumes", vols);
  struct json_object *lim = json_object_new_object();
  json_object_object_add(lim, "memory", json_object_new_uint64(c->limits.memory_bytes));
  json_object_object_add(lim, "cpu_millis", json_object_new_uint64(c->limits.cpu_millis));
  json_object_object_add(lim, "pids", json_object_new_uint64(c->limits.pids));
  json_object_object_add(o, "limits", lim);
  json_object_object_add(o, "seccomp", ctr_json_str(c->seccomp));
  if (c->seccomp_deny != NULL && c->seccomp_deny[0] != NULL)
    json_object_object_add(o, "seccomp_deny", ctr_json_strv(c->seccomp_deny));
  json_object_object_add(o, "net", ctr_json_str(net_name(c->net)));
  json_object_object_add(o, "infra", json_object_new_boolean(c->infra));
  if (c->privileged)
    json_object_object_add(o, "privileged", json_object_new_boolean(true));
  json_object_object_add(o, "owner", ctr_json_str(c->owner));
  json_object_object_add(o, "ip", ctr_json_str(c->ip));
  json_object_object_add(o, "ip_prefix", json_object_new_int(c->ip_prefix));
  json_object_object_add(o, "gateway", ctr_json_str(c->gateway));
  json_object_object_add(o, "label", ctr_json_str(c->label));
  json_object_object_add(o, "label_enforced", json_object_new_boolean(c->label_enforced));
  json_object_object_add(o, "cgroup", ctr_json_str(c->cgroup));
  json_object_object_add(o, "status", ctr_json_str(container_state_name(c->state)));
  json_object_object_add(o, "pid", json_object_new_int(c->pid));
  json_object_object_add(o, "starttime", json_object_new_uint64(c->starttime));
  json_object_object_add(o, "monitor", json_object_new_int(c->monitor));
  json_object_object_add(o, "monitor_starttime", json_object_new_uint64(c->monitor_starttime));
  json_object_object_add(o, "exit_code", json_object_new_int(c->exit_code));
  json_object_object_add(o, "oom_killed", json_object_new_boolean(c->oom_killed));
  json_object_object_add(o, "created", ctr_json_str(c->created));
  json_object_object_add(o, "started", ctr_json_str(c->started));
  json_object_object_add(o, "finished", ctr_json_str(c->finished));
  json_object_object_add(o, "mounted", json_object_new_boolean(c->mounted));
  json_object_object_add(o, "user_mounted", json_object_new_boolean(c->user_mounted));

  const char *text =
      json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
  int rc = 0;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || fileio_write_all(fd, text, strlen(text)) < 0 || fileio_write_all(fd, "\n", 1) < 0) {
    rc = lab_error_errno(err, "writing %s", tmp);
  } else if (rename(tmp, path) < 0) {
    rc = lab_error_errno(err, "renaming %s", tmp);
  }
  if (fd >= 0)
    close(fd);
  if (rc < 0)
    unlink(tmp);
  json_object_put(o);
  return rc;
}

void ctr_derive_paths(struct container *c)
{
  c->merged = xasprintf("%s/merged", c->dir);
  c->upper = xasprintf("%s/upper", c->dir);
  c->work = xasprintf("%s/work", c->dir);
}

/* A string vector of the record: an empty one when absent. */
static char **strv_or_empty(struct json_object *o, const char *key)
{
  return json_get_strv(o, key) ?: xcalloc(1, sizeof(char *));
}

int ctr_state_load(struct ctr_store *s, const char *id, struct container **out,
                   struct lab_error **err)
{
  char path[PATH_MAX];
  if (ctr_path_err(err, path, sizeof path, "%s/%s/state.json", s->containers, id) < 0)
    return -1;
  struct json_object *o = json_object_from_file(path);
  if (o == NULL)
    return lab_error_set(err, 0, "%.12s: cannot read %s", id, path);
  struct container *c = xcalloc(1, sizeof *c);
  c->dir = xasprintf("%s/%s", s->containers, id);
  snprintf(c->id, sizeof c->id, "%.*s", CTR_ID_LEN, id);
  c->name = xstrdup(json_get_str(o, "name"));
  c->image = xstrdup(json_get_str(o, "image"));
  c->lower = xstrdup(json_get_str(o, "lower"));
  c->argv = strv_or_empty(o, "command");
  c->env = strv_or_empty(o, "env");
  c->workdir = xstrdup(json_get_str(o, "workdir"));
  c->hostname = xstrdup(json_get_str(o, "hostname"));
  c->pod = xstrdup(json_get_str(o, "pod"));
  struct json_object *vols = json_get_array(o, "volumes"), *lim = json_get_object(o, "limits");
  if (vols != NULL) {
    c->n_vols = json_object_array_length(vols);
    c->vols = xcalloc(c->n_vols, sizeof *c->vols);
    for (size_t i = 0; i < c->n_vols; i++) {
      struct json_object *v = json_object_array_get_idx(vols, i);
      c->vols[i].host = xstrdup(json_get_str(v, "host"));
      c->vols[i].ctr = xstrdup(json_get_str(v, "ctr"));
      c->vols[i].relabel = json_get_bool(v, "relabel", false);
      c->vols[i].readonly = json_get_bool(v, "readonly", false);
    }
  }
  c->limits.memory_bytes = (uint64_t)json_get_int(lim, "memory", 0);
  c->limits.cpu_millis = (uint64_t)json_get_int(lim, "cpu_millis", 0);
  c->limits.pids = (uint64_t)json_get_int(lim, "pids", 0);
  c->seccomp = xstrdup(json_get_str(o, "seccomp"));
  c->seccomp_deny = json_get_strv(o, "seccomp_deny");
  const char *net = json_get_str(o, "net");
  c->net = net && strcmp(net, "host") == 0  ? CTR_NET_HOST
           : net && strcmp(net, "pod") == 0 ? CTR_NET_POD
                                            : CTR_NET_PRIVATE;
  c->infra = json_get_bool(o, "infra", false);
  c->privileged = json_get_bool(o, "privileged", false);
  c->owner = xstrdup(json_get_str(o, "owner"));
  c->ip = xstrdup(json_get_str(o, "ip"));
  c->ip_prefix = (int)json_get_int(o, "ip_prefix", 0);
  c->gateway = xstrdup(json_get_str(o, "gateway"));
  c->label = xstrdup(json_get_str(o, "label"));
  c->label_enforced = json_get_bool(o, "label_enforced", false);
  c->cgroup = xstrdup(json_get_str(o, "cgroup"));
  if (container_state_from_name(json_get_str(o, "status"), &c->state) < 0)
    c->state = CONTAINER_CREATED;
  c->pid = (pid_t)json_get_int(o, "pid", 0);
  c->starttime = (uint64_t)json_get_int(o, "starttime", 0);
  c->monitor = (pid_t)json_get_int(o, "monitor", 0);
  c->monitor_starttime = (uint64_t)json_get_int(o, "monitor_starttime", 0);
  c->exit_code = (int)json_get_int(o, "exit_code", 0);
  c->oom_killed = json_get_bool(o, "oom_killed", false);
  c->created = xstrdup(json_get_str(o, "created"));
  c->started = xstrdup(json_get_str(o, "started"));
  c->finished = xstrdup(json_get_str(o, "finished"));
  c->mounted = json_get_bool(o, "mounted", false);
  c->user_mounted = json_get_bool(o, "user_mounted", false);
  ctr_derive_paths(c);
  json_object_put(o);
  /* A "running" record whose process and monitor are both gone lost its
   * monitor (kill -9): report it exited rather than lie.  While the monitor
   * lives it is about to record the exit itself. */
  if (c->state == CONTAINER_RUNNING && !proc_is_same(c->pid, c->starttime) &&
      !proc_is_same(c->monitor, c->monitor_starttime)) {
    c->state = CONTAINER_EXITED;
    c->exit_code = -1;
  }
  *out = c;
  return 0;
}

int ctr_state_reload(struct ctr_store *s, struct container *c, struct lab_error **err)
{
  struct container *fresh = NULL;
  if (ctr_state_load(s, c->id, &fresh, err) < 0)
    return -1;
  /* swap contents */
  struct container tmp = *c;
  *c = *fresh;
  *fresh = tmp;
  container_free(fresh);
  return 0;
}

/* ------------------------------------------------------------------ lookup */

int container_lookup(struct ctr_store *s, const char *key, struct container **out,
                     struct lab_error **err)
{
  if (key == NULL || *key == '\0')
    return lab_error_set(err, 0, "empty container name or id");
  char link[PATH_MAX], target[CTR_ID_LEN + 2];
  if (ctr_name_is_valid(key)) {
    ssize_t n = ctr_path(link, sizeof link, "%s/%s", s->names, key) < 0
                    ? -1
                    : readlink(link, target, sizeof target - 1);
    if (n == CTR_ID_LEN) {
      target[n] = '\0';
      return ctr_state_load(s, target, out, err);
    }
  }
  /* a full id: its directory, without reading the others */
  if (ctr_id_is_valid(key)) {
    char dir[PATH_MAX];
    if (ctr_path(dir, sizeof dir, "%s/%s", s->containers, key) == 0 && access(dir, F_OK) == 0)
      return ctr_state_load(s, key, out, err);
  }
  /* prefixes: the directory names are the ids */
  cleanup_closedir DIR *d = opendir(s->containers);
  if (d == NULL)
    return lab_error_errno(err, "opendir %s", s->containers);
  char found[CTR_ID_LEN + 1] = "";
  size_t klen = strlen(key);
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (!ctr_id_is_valid(de->d_name) || strncmp(de->d_name, key, klen) != 0)
      continue;
    if (found[0] != '\0')
      return lab_error_set(err, 0, "%s: ambiguous id prefix: matches %.12s and %.12s", key, found,
                           de->d_name);
    memcpy(found, de->d_name, CTR_ID_LEN + 1);
  }
  if (found[0] == '\0')
    return lab_error_set(err, 0, "%s: no such container", key);
  return ctr_state_load(s, found, out, err);
}

int container_list(struct ctr_store *s, struct container ***out, size_t *n, struct lab_error **err)
{
  cleanup_closedir DIR *d = opendir(s->containers);
  if (d == NULL)
    return lab_error_errno(err, "opendir %s", s->containers);
  struct container **list = NULL;
  size_t k = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (!ctr_id_is_valid(de->d_name))
      continue;
    struct container *c = NULL;
    struct lab_error *ignored = NULL;
    if (ctr_state_load(s, de->d_name, &c, &ignored) < 0) {
      /* a container being created or removed right now */
      lab_error_clear(&ignored);
      continue;
    }
    *XAPPEND(list, k) = c;
  }
  /* creation order: the ISO timestamps sort as strings */
  for (size_t i = 1; i < k; i++)
    for (size_t j = i; j > 0 && strcmp(list[j - 1]->created ? list[j - 1]->created : "",
                                       list[j]->created ? list[j]->created : "") > 0;
         j--) {
      struct container *t = list[j];
      list[j] = list[j - 1];
      list[j - 1] = t;
    }
  *out = list;
  *n = k;
  return 0;
}

void container_list_free(struct container **list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    container_free(list[i]);
  free(list);
}

/* --------------------------------------------------------------- accessors */

const char *container_id(const struct container *c)
{
  return c->id;
}
const char *container_name(const struct container *c)
{
  return c->name;
}
const char *container_image(const struct container *c)
{
  return c->image ? c->image : "";
}
const char *container_label(const struct container *c)
{
  return c->label;
}
bool container_label_enforced(const struct container *c)
{
  return c->label_enforced;
}
enum container_state container_state(const struct container *c)
{
  return c->state;
}
const char *container_status(const struct container *c)
{
  return container_state_name(c->state);
}
bool container_privileged(const struct container *c)
{
  return c->privileged;
}
pid_t container_pid(const struct container *c)
{
  return c->state == CONTAINER_RUNNING ? c->pid : 0;
}
int container_exit_code(const struct container *c)
{
  return c->exit_code;
}
bool container_oom_killed(const struct container *c)
{
  return c->oom_killed;
}
const char *container_merged_dir(const struct container *c)
{
  return c->merged;
}
const char *container_upper_dir(const struct container *c)
{
  return c->upper;
}
const char *container_cgroup_path(const struct container *c)
{
  return c->cgroup;
}

const char *const *container_seccomp_deny(const struct container *c)
{
  static const char *const none[] = {NULL};
  return c->seccomp_deny ? (const char *const *)c->seccomp_deny : none;
}

int container_set_seccomp_deny(struct container *c, const char *const *deny, struct lab_error **err)
{
  char **old = c->seccomp_deny;
  c->seccomp_deny = deny != NULL && deny[0] != NULL ? strv_dup((char *const *)deny) : NULL;
  if (ctr_state_save(c, err) < 0) {
    strv_free(c->seccomp_deny);
    c->seccomp_deny = old;
    return -1;
  }
  strv_free(old);
  return 0;
}
const char *const *container_command(const struct container *c)
{
  return (const char *const *)c->argv;
}

const char *container_created(const struct container *c)
{
  return c->created;
}
const char *container_started(const struct container *c)
{
  return c->started;
}
const char *container_finished(const struct container *c)
{
  return c->finished;
}
bool container_is_infra(const struct container *c)
{
  return c->infra;
}
const char *container_pod_id(const struct container *c)
{
  return c->pod;
}
const char *container_owner(const struct container *c)
{
  return c->owner;
}
const char *container_hostname(const struct container *c)
{
  return c->hostname;
}
const char *container_ip(const struct container *c)
{
  return c->ip;
}

int container_set_address(struct ctr_store *s, struct container *c, const char *ip, int prefix_len,
                          const char *gateway, struct lab_error **err)
{
  if (!c->infra)
    return lab_error_set(err, 0, "%s is not a pod infra container", c->name);
  /* The monitor may have written the record since c was loaded. */
  if (ctr_state_reload(s, c, err) < 0)
    return -1;
  ctr_set_str(&c->ip, ip);
  ctr_set_str(&c->gateway, gateway);
  c->ip_prefix = prefix_len;
  return ctr_state_save(c, err);
}

int container_join_pod(struct ctr_store *s, struct container *c, const struct container *infra,
                       struct lab_error **err)
{
  if (!infra->infra)
    return lab_error_set(err, 0, "%s is not a pod", infra->name);
  if (c->infra || c->pod != NULL || c->net != CTR_NET_PRIVATE || c->state != CONTAINER_CREATED)
    return lab_error_set(err, 0,
                         "container %s: only a created container of its own network can "
                         "join a pod",
                         c->name);
  if (ctr_member_add(s, infra->id, c->id, err) < 0)
    return -1;
  c->pod = xstrdup(infra->id);
  c->net = CTR_NET_POD;
  if (ctr_state_save(c, err) < 0) {
    ctr_member_remove(s, infra->id, c->id);
    free(c->pod);
    c->pod = NULL;
    c->net = CTR_NET_PRIVATE;
    return -1;
  }
  return 0;
}
