#include "container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>

#include "caps.h"
#include "cleanup.h"
#include "timefmt.h"

/* Paths here are built into PATH_MAX buffers from a configured root and
 * names validated on the way in; where a truncated path could name another
 * object (whiteout removal), the length is checked explicitly. */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include "id.h"
#include "image.h"
#include "label.h"
#include "oci-config.h"
#include "proc.h"
#include "seccomp-profile.h"
#include "syscalls.h"
#include "fileio.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* podman's floor: below this the container cannot even exec reliably. */
#define MIN_MEMORY_BYTES (6ULL * 1024 * 1024)

struct ctr_store {
  char *root, *containers, *names, *labels, *images;
  char *cgroup_root, *cgroup_parent;
  struct cgroup_manager *cg; /* opened on first use */
};

struct vol {
  char *host, *ctr;
  bool relabel, readonly;
};

struct container {
  char *dir;
  char id[CTR_ID_LEN + 1];
  char *name, *image, *lower;
  char **argv, **env;
  char *workdir, *hostname;
  char *pod; /* id of the infra container joined, or NULL */
  struct vol *vols;
  size_t n_vols;
  struct cgroup_limits limits;
  char *seccomp; /* "default", "unconfined" or an absolute path */
  enum ctr_net net;
  bool infra;
  char *owner;        /* an implicit pod's infra: the container it serves */
  char *ip, *gateway; /* an infra: its pod's address (container_set_address) */
  int ip_prefix;
  char *label;
  bool label_enforced;
  char *cgroup;
  char *status;
  pid_t pid;
  uint64_t starttime;
  pid_t monitor; /* the parent waiting for pid: a monitor, or the foreground CLI */
  uint64_t monitor_starttime;
  int exit_code;
  bool oom_killed;
  char *created, *started, *finished;
  bool mounted, user_mounted;
  /* the merged/upper/work paths, derived */
  char *merged, *upper, *work;
};

/* ---------------------------------------------------------------- helpers */

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
  char *s = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&s, fmt, ap) < 0)
    abort();
  va_end(ap);
  return s;
}

static char *xstrdup(const char *s)
{
  if (s == NULL)
    return NULL;
  char *d = strdup(s);
  if (d == NULL)
    abort();
  return d;
}

static void strv_free(char **v)
{
  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    free(v[i]);
  free(v);
}

static size_t strv_len(const char *const *v)
{
  size_t n = 0;
  while (v != NULL && v[n] != NULL)
    n++;
  return n;
}

static char **strv_dup(const char *const *v)
{
  size_t n = strv_len(v);
  char **out = calloc(n + 1, sizeof *out);
  if (out == NULL)
    abort();
  for (size_t i = 0; i < n; i++)
    out[i] = xstrdup(v[i]);
  return out;
}

/* Reads until EOF into a NUL-terminated buffer of at most cap-1 bytes. */
static ssize_t read_all(int fd, char *buf, size_t cap)
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

static int store_cgroups(struct ctr_store *s, struct lab_error **err)
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
  return store_cgroups(s, err);
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
  free(c->owner);
  free(c->ip);
  free(c->gateway);
  free(c->label);
  free(c->cgroup);
  free(c->status);
  free(c->created);
  free(c->started);
  free(c->finished);
  free(c->merged);
  free(c->upper);
  free(c->work);
  free(c);
}

static void cleanup_container_fn(struct container **c)
{
  container_free(*c);
}
#define cleanup_container __attribute__((cleanup(cleanup_container_fn)))

static void set_str(char **field, const char *v)
{
  free(*field);
  *field = xstrdup(v);
}

static struct json_object *jstr(const char *s)
{
  return s ? json_object_new_string(s) : NULL;
}

static struct json_object *jstrv(char *const *v)
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

static int state_save(struct container *c, struct lab_error **err)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "id", jstr(c->id));
  json_object_object_add(o, "name", jstr(c->name));
  json_object_object_add(o, "image", jstr(c->image));
  json_object_object_add(o, "lower", jstr(c->lower));
  json_object_object_add(o, "command", jstrv(c->argv));
  json_object_object_add(o, "env", jstrv(c->env));
  json_object_object_add(o, "workdir", jstr(c->workdir));
  json_object_object_add(o, "hostname", jstr(c->hostname));
  json_object_object_add(o, "pod", jstr(c->pod));
  struct json_object *vols = json_object_new_array();
  for (size_t i = 0; i < c->n_vols; i++) {
    struct json_object *v = json_object_new_object();
    json_object_object_add(v, "host", jstr(c->vols[i].host));
    json_object_object_add(v, "ctr", jstr(c->vols[i].ctr));
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
  json_object_object_add(o, "seccomp", jstr(c->seccomp));
  json_object_object_add(o, "net", jstr(net_name(c->net)));
  json_object_object_add(o, "infra", json_object_new_boolean(c->infra));
  json_object_object_add(o, "owner", jstr(c->owner));
  json_object_object_add(o, "ip", jstr(c->ip));
  json_object_object_add(o, "ip_prefix", json_object_new_int(c->ip_prefix));
  json_object_object_add(o, "gateway", jstr(c->gateway));
  json_object_object_add(o, "label", jstr(c->label));
  json_object_object_add(o, "label_enforced", json_object_new_boolean(c->label_enforced));
  json_object_object_add(o, "cgroup", jstr(c->cgroup));
  json_object_object_add(o, "status", jstr(c->status));
  json_object_object_add(o, "pid", json_object_new_int(c->pid));
  json_object_object_add(o, "starttime", json_object_new_uint64(c->starttime));
  json_object_object_add(o, "monitor", json_object_new_int(c->monitor));
  json_object_object_add(o, "monitor_starttime", json_object_new_uint64(c->monitor_starttime));
  json_object_object_add(o, "exit_code", json_object_new_int(c->exit_code));
  json_object_object_add(o, "oom_killed", json_object_new_boolean(c->oom_killed));
  json_object_object_add(o, "created", jstr(c->created));
  json_object_object_add(o, "started", jstr(c->started));
  json_object_object_add(o, "finished", jstr(c->finished));
  json_object_object_add(o, "mounted", json_object_new_boolean(c->mounted));
  json_object_object_add(o, "user_mounted", json_object_new_boolean(c->user_mounted));

  char path[PATH_MAX], tmp[PATH_MAX];
  snprintf(path, sizeof path, "%s/state.json", c->dir);
  snprintf(tmp, sizeof tmp, "%s/.state.json.%d", c->dir, (int)getpid());
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

static const char *jget_str(struct json_object *o, const char *key)
{
  struct json_object *v;
  if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
    return NULL;
  return json_object_get_string(v);
}

static int64_t jget_int(struct json_object *o, const char *key)
{
  struct json_object *v;
  if (!json_object_object_get_ex(o, key, &v))
    return 0;
  return json_object_get_int64(v);
}

static char **jget_strv(struct json_object *o, const char *key)
{
  struct json_object *v;
  size_t n = 0;
  if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_array))
    n = json_object_array_length(v);
  char **out = calloc(n + 1, sizeof *out);
  if (out == NULL)
    abort();
  for (size_t i = 0; i < n; i++)
    out[i] = xstrdup(json_object_get_string(json_object_array_get_idx(v, i)));
  return out;
}

static void derive_paths(struct container *c)
{
  c->merged = xasprintf("%s/merged", c->dir);
  c->upper = xasprintf("%s/upper", c->dir);
  c->work = xasprintf("%s/work", c->dir);
}

static int state_load(struct ctr_store *s, const char *id, struct container **out,
                      struct lab_error **err)
{
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s/state.json", s->containers, id);
  struct json_object *o = json_object_from_file(path);
  if (o == NULL)
    return lab_error_set(err, 0, "%.12s: cannot read %s", id, path);
  struct container *c = calloc(1, sizeof *c);
  if (c == NULL)
    abort();
  c->dir = xasprintf("%s/%s", s->containers, id);
  snprintf(c->id, sizeof c->id, "%s", id);
  c->name = xstrdup(jget_str(o, "name"));
  c->image = xstrdup(jget_str(o, "image"));
  c->lower = xstrdup(jget_str(o, "lower"));
  c->argv = jget_strv(o, "command");
  c->env = jget_strv(o, "env");
  c->workdir = xstrdup(jget_str(o, "workdir"));
  c->hostname = xstrdup(jget_str(o, "hostname"));
  c->pod = xstrdup(jget_str(o, "pod"));
  struct json_object *vols, *lim;
  if (json_object_object_get_ex(o, "volumes", &vols) &&
      json_object_is_type(vols, json_type_array)) {
    c->n_vols = json_object_array_length(vols);
    c->vols = calloc(c->n_vols ? c->n_vols : 1, sizeof *c->vols);
    for (size_t i = 0; i < c->n_vols; i++) {
      struct json_object *v = json_object_array_get_idx(vols, i);
      c->vols[i].host = xstrdup(jget_str(v, "host"));
      c->vols[i].ctr = xstrdup(jget_str(v, "ctr"));
      c->vols[i].relabel = jget_int(v, "relabel") != 0;
      c->vols[i].readonly = jget_int(v, "readonly") != 0;
    }
  }
  if (json_object_object_get_ex(o, "limits", &lim)) {
    c->limits.memory_bytes = (uint64_t)jget_int(lim, "memory");
    c->limits.cpu_millis = (uint64_t)jget_int(lim, "cpu_millis");
    c->limits.pids = (uint64_t)jget_int(lim, "pids");
  }
  c->seccomp = xstrdup(jget_str(o, "seccomp"));
  const char *net = jget_str(o, "net");
  c->net = net && strcmp(net, "host") == 0  ? CTR_NET_HOST
           : net && strcmp(net, "pod") == 0 ? CTR_NET_POD
                                            : CTR_NET_PRIVATE;
  c->infra = jget_int(o, "infra") != 0;
  c->owner = xstrdup(jget_str(o, "owner"));
  c->ip = xstrdup(jget_str(o, "ip"));
  c->ip_prefix = (int)jget_int(o, "ip_prefix");
  c->gateway = xstrdup(jget_str(o, "gateway"));
  c->label = xstrdup(jget_str(o, "label"));
  c->label_enforced = jget_int(o, "label_enforced") != 0;
  c->cgroup = xstrdup(jget_str(o, "cgroup"));
  c->status = xstrdup(jget_str(o, "status") ? jget_str(o, "status") : "created");
  c->pid = (pid_t)jget_int(o, "pid");
  c->starttime = (uint64_t)jget_int(o, "starttime");
  c->monitor = (pid_t)jget_int(o, "monitor");
  c->monitor_starttime = (uint64_t)jget_int(o, "monitor_starttime");
  c->exit_code = (int)jget_int(o, "exit_code");
  c->oom_killed = jget_int(o, "oom_killed") != 0;
  c->created = xstrdup(jget_str(o, "created"));
  c->started = xstrdup(jget_str(o, "started"));
  c->finished = xstrdup(jget_str(o, "finished"));
  c->mounted = jget_int(o, "mounted") != 0;
  c->user_mounted = jget_int(o, "user_mounted") != 0;
  derive_paths(c);
  json_object_put(o);
  /* A "running" record whose process and monitor are both gone lost its
   * monitor (kill -9): report it exited rather than lie.  While the monitor
   * lives it is about to record the exit itself. */
  if (strcmp(c->status, "running") == 0 && !proc_is_same(c->pid, c->starttime) &&
      !proc_is_same(c->monitor, c->monitor_starttime)) {
    set_str(&c->status, "exited");
    c->exit_code = -1;
  }
  *out = c;
  return 0;
}

/* Re-reads the record from disk into c (the monitor may have changed it). */
static int state_reload(struct ctr_store *s, struct container *c, struct lab_error **err)
{
  struct container *fresh = NULL;
  if (state_load(s, c->id, &fresh, err) < 0)
    return -1;
  /* swap contents */
  struct container tmp = *c;
  *c = *fresh;
  *fresh = tmp;
  container_free(fresh);
  return 0;
}

/* ------------------------------------------------------- pod membership */

/* Every container of a pod has a file <infra dir>/members/<its id>, so that
 * removing the infra asks "does anyone still use it?" of one directory
 * rather than of every container's record.  An infra made before members/
 * existed has none: its members are then found by reading every record. */
static void member_path(const struct ctr_store *s, const char *infra, const char *id, char *buf,
                        size_t len)
{
  snprintf(buf, len, "%s/%s/members/%s", s->containers, infra, id ? id : "");
}

static int member_add(struct ctr_store *s, const char *infra, const char *id,
                      struct lab_error **err)
{
  char path[PATH_MAX];
  member_path(s, infra, id, path, sizeof path);
  int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 && errno != ENOENT) /* ENOENT: an infra from before members/ */
    return lab_error_errno(err, "recording %s", path);
  if (fd >= 0)
    close(fd);
  return 0;
}

static void member_remove(struct ctr_store *s, const char *infra, const char *id)
{
  char path[PATH_MAX];
  member_path(s, infra, id, path, sizeof path);
  unlink(path);
}

/* Fails with "pod X still has container Y" when infra c still has a member. */
static int members_none(struct ctr_store *s, const struct container *c, struct lab_error **err)
{
  char dir[PATH_MAX];
  member_path(s, c->id, NULL, dir, sizeof dir);
  cleanup_closedir DIR *d = opendir(dir);
  if (d != NULL) {
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
      if (!ctr_id_is_valid(de->d_name))
        continue;
      cleanup_container struct container *m = NULL;
      struct lab_error *e = NULL;
      if (state_load(s, de->d_name, &m, &e) < 0) {
        lab_error_clear(&e); /* gone without saying so */
        member_remove(s, c->id, de->d_name);
        continue;
      }
      return lab_error_set(err, 0, "pod %s still has container %s", c->name, m->name);
    }
    return 0;
  }
  struct container **list = NULL;
  size_t n = 0;
  if (container_list(s, &list, &n, err) < 0)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++)
    if (list[i]->pod != NULL && strcmp(list[i]->pod, c->id) == 0)
      rc = lab_error_set(err, 0, "pod %s still has container %s", c->name, list[i]->name);
  container_list_free(list, n);
  return rc;
}

/* ------------------------------------------------------------------ lookup */

int container_lookup(struct ctr_store *s, const char *key, struct container **out,
                     struct lab_error **err)
{
  if (key == NULL || *key == '\0')
    return lab_error_set(err, 0, "empty container name or id");
  char link[PATH_MAX], target[CTR_ID_LEN + 2];
  if (ctr_name_is_valid(key)) {
    snprintf(link, sizeof link, "%s/%s", s->names, key);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n == CTR_ID_LEN) {
      target[n] = '\0';
      return state_load(s, target, out, err);
    }
  }
  /* a full id: its directory, without reading the others */
  if (ctr_id_is_valid(key)) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/%s", s->containers, key);
    if (access(dir, F_OK) == 0)
      return state_load(s, key, out, err);
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
    snprintf(found, sizeof found, "%s", de->d_name);
  }
  if (found[0] == '\0')
    return lab_error_set(err, 0, "%s: no such container", key);
  return state_load(s, found, out, err);
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
    if (state_load(s, de->d_name, &c, &ignored) < 0) {
      /* a container being created or removed right now */
      lab_error_clear(&ignored);
      continue;
    }
    struct container **nl = realloc(list, (k + 1) * sizeof *nl);
    if (nl == NULL)
      abort();
    list = nl;
    list[k++] = c;
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
const char *container_status(const struct container *c)
{
  return c->status;
}
pid_t container_pid(const struct container *c)
{
  return strcmp(c->status, "running") == 0 ? c->pid : 0;
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
  if (state_reload(s, c, err) < 0)
    return -1;
  set_str(&c->ip, ip);
  set_str(&c->gateway, gateway);
  c->ip_prefix = prefix_len;
  return state_save(c, err);
}

int container_join_pod(struct ctr_store *s, struct container *c, const struct container *infra,
                       struct lab_error **err)
{
  if (!infra->infra)
    return lab_error_set(err, 0, "%s is not a pod", infra->name);
  if (c->infra || c->pod != NULL || c->net != CTR_NET_PRIVATE || strcmp(c->status, "created") != 0)
    return lab_error_set(err, 0,
                         "container %s: only a created container of its own network can "
                         "join a pod",
                         c->name);
  if (member_add(s, infra->id, c->id, err) < 0)
    return -1;
  c->pod = xstrdup(infra->id);
  c->net = CTR_NET_POD;
  if (state_save(c, err) < 0) {
    member_remove(s, infra->id, c->id);
    free(c->pod);
    c->pod = NULL;
    c->net = CTR_NET_PRIVATE;
    return -1;
  }
  return 0;
}

char *container_ps_status(const struct container *c)
{
  if (strcmp(c->status, "running") == 0)
    return xstrdup("Up");
  if (strcmp(c->status, "exited") == 0)
    return c->oom_killed ? xstrdup("OOMKilled") : xasprintf("Exited (%d)", c->exit_code);
  return xstrdup("Created");
}

struct json_object *container_inspect_json(struct ctr_store *s, const struct container *c)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "Id", jstr(c->id));
  json_object_object_add(o, "Created", jstr(c->created));
  json_object_object_add(o, "Path", jstr(c->argv && c->argv[0] ? c->argv[0] : ""));
  struct json_object *args = json_object_new_array();
  for (size_t i = 1; c->argv && c->argv[0] && c->argv[i]; i++)
    json_object_array_add(args, json_object_new_string(c->argv[i]));
  json_object_object_add(o, "Args", args);
  struct json_object *st = json_object_new_object();
  const char *status = c->status;
  json_object_object_add(st, "Status", jstr(status));
  json_object_object_add(st, "Running", json_object_new_boolean(strcmp(status, "running") == 0));
  json_object_object_add(st, "Pid", json_object_new_int(container_pid(c)));
  json_object_object_add(st, "ExitCode", json_object_new_int(c->exit_code));
  json_object_object_add(st, "OOMKilled", json_object_new_boolean(c->oom_killed));
  json_object_object_add(st, "StartedAt", jstr(c->started ? c->started : ""));
  json_object_object_add(st, "FinishedAt", jstr(c->finished ? c->finished : ""));
  json_object_object_add(o, "State", st);
  json_object_object_add(o, "Image", jstr(c->image));
  json_object_object_add(o, "Name", jstr(c->name));
  json_object_object_add(o, "Pod", jstr(c->pod ? c->pod : ""));
  json_object_object_add(o, "IsInfra", json_object_new_boolean(c->infra));
  json_object_object_add(o, "ProcessLabel", jstr(c->label));
  char *flabel = label_file_label(c->label);
  json_object_object_add(o, "MountLabel", jstr(flabel ? flabel : ""));
  free(flabel);
  json_object_object_add(o, "SELinuxEnforced", json_object_new_boolean(c->label_enforced));
  struct json_object *gd = json_object_new_object(), *data = json_object_new_object();
  json_object_object_add(gd, "Name", json_object_new_string("overlay"));
  json_object_object_add(data, "LowerDir", jstr(c->lower ? c->lower : ""));
  json_object_object_add(data, "UpperDir", jstr(c->upper));
  json_object_object_add(data, "WorkDir", jstr(c->work));
  json_object_object_add(data, "MergedDir", jstr(c->merged));
  json_object_object_add(gd, "Data", data);
  json_object_object_add(o, "GraphDriver", gd);
  struct json_object *hc = json_object_new_object();
  json_object_object_add(hc, "Memory", json_object_new_uint64(c->limits.memory_bytes));
  json_object_object_add(hc, "NanoCpus", json_object_new_uint64(c->limits.cpu_millis * 1000000));
  json_object_object_add(hc, "PidsLimit", json_object_new_uint64(c->limits.pids));
  json_object_object_add(hc, "CgroupParent", jstr(s->cgroup_parent));
  json_object_object_add(hc, "CgroupPath", jstr(c->cgroup));
  json_object_object_add(hc, "SeccompProfile", jstr(c->seccomp));
  struct json_object *binds = json_object_new_array();
  for (size_t i = 0; i < c->n_vols; i++) {
    char *b = xasprintf("%s:%s%s%s", c->vols[i].host, c->vols[i].ctr,
                        c->vols[i].relabel ? ":Z" : "", c->vols[i].readonly ? ":ro" : "");
    json_object_array_add(binds, json_object_new_string(b));
    free(b);
  }
  json_object_object_add(hc, "Binds", binds);
  /* The address is the pod's: recorded on its infra. */
  cleanup_container struct container *infra = NULL;
  const struct container *holder = c->infra ? c : NULL;
  struct lab_error *e = NULL;
  if (c->pod != NULL && state_load(s, c->pod, &infra, &e) == 0)
    holder = infra;
  lab_error_clear(&e);
  const char *mode = c->net == CTR_NET_HOST      ? "host"
                     : c->net == CTR_NET_PRIVATE ? "none"
                     : holder && holder->owner   ? "bridge" /* an implicit pod: podman's default */
                                                 : "pod";
  json_object_object_add(hc, "NetworkMode", json_object_new_string(c->infra ? "pod" : mode));
  json_object_object_add(o, "HostConfig", hc);
  struct json_object *ns = json_object_new_object();
  json_object_object_add(ns, "IPAddress",
                         json_object_new_string(holder && holder->ip ? holder->ip : ""));
  json_object_object_add(ns, "IPPrefixLen",
                         json_object_new_int(holder && holder->ip ? holder->ip_prefix : 0));
  json_object_object_add(ns, "Gateway",
                         json_object_new_string(holder && holder->gateway ? holder->gateway : ""));
  json_object_object_add(o, "NetworkSettings", ns);
  struct json_object *cfg = json_object_new_object();
  json_object_object_add(cfg, "Hostname", jstr(c->hostname));
  json_object_object_add(cfg, "Env", jstrv(c->env));
  json_object_object_add(cfg, "Cmd", jstrv(c->argv));
  json_object_object_add(cfg, "WorkingDir", jstr(c->workdir ? c->workdir : "/"));
  json_object_object_add(o, "Config", cfg);
  return o;
}

/* ------------------------------------------------------------------ create */

static int validate_volume(const struct ctr_volume *v, size_t i, struct lab_error **err)
{
  struct stat st;
  if (v->host == NULL || *v->host != '/')
    return lab_error_set(err, 0, "volume %zu: host path \"%s\" must be absolute", i,
                         v->host ? v->host : "");
  if (v->ctr == NULL || *v->ctr != '/' || strstr(v->ctr, "..") != NULL)
    return lab_error_set(err, 0, "volume %s: container path \"%s\" must be absolute", v->host,
                         v->ctr ? v->ctr : "");
  if (stat(v->host, &st) < 0)
    return lab_error_errno(err, "volume %s:%s: host path %s", v->host, v->ctr, v->host);
  return 0;
}

/* ------------------------------------------------------- MCS reservations */

/* Each container's MCS pair is reserved by a file <root>/labels/cX,cY created
 * with O_EXCL (holding the container id), as names are by names/<name>: a
 * create costs one open(2) instead of reading every container's record, and
 * concurrent creates, other processes and restarted daemons all agree.  A
 * store made before the reservations existed is indexed once, into a
 * temporary directory renamed into place, so no create ever sees a partial
 * index. */
static int labels_dir_ensure(struct ctr_store *s, struct lab_error **err)
{
  struct stat st;
  if (stat(s->labels, &st) == 0)
    return 0;
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s.new.%d", s->labels, (int)getpid());
  if (mkdir(tmp, 0700) < 0)
    return lab_error_errno(err, "creating %s", tmp);
  struct container **list = NULL;
  size_t n = 0;
  if (container_list(s, &list, &n, err) < 0) {
    rmdir(tmp);
    return -1;
  }
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    int c1, c2;
    if (label_mcs_pair(list[i]->label, &c1, &c2) < 0)
      continue;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/c%d,c%d", tmp, c1, c2);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || fileio_write_all(fd, list[i]->id, CTR_ID_LEN) < 0)
      rc = lab_error_errno(err, "indexing the labels in %s", tmp);
    if (fd >= 0)
      close(fd);
  }
  container_list_free(list, n);
  if (rc == 0 && rename(tmp, s->labels) < 0 && errno != EEXIST && errno != ENOTEMPTY)
    rc = lab_error_errno(err, "renaming %s", tmp);
  struct lab_error *e = NULL;
  image_rm_rf(tmp, &e); /* left only when another process won the rename */
  lab_error_clear(&e);
  return rc;
}

/* Reserves a free MCS pair for container id: *label (malloc'd).  Returns 0,
 * or -1 and *err. */
static int label_reserve(struct ctr_store *s, const char *id, char **label, struct lab_error **err)
{
  if (labels_dir_ensure(s, err) < 0)
    return -1;
  /* 523776 pairs: a random one is almost always free at once. */
  for (int attempt = 0; attempt < 256; attempt++) {
    char *l = NULL, path[PATH_MAX];
    int c1, c2;
    if (label_mcs_alloc(NULL, 0, NULL, &l, err) < 0)
      return -1;
    if (label_mcs_pair(l, &c1, &c2) < 0)
      abort(); /* label_mcs_alloc makes pairs */
    snprintf(path, sizeof path, "%s/c%d,c%d", s->labels, c1, c2);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      int w = fileio_write_all(fd, id, CTR_ID_LEN);
      close(fd);
      if (w < 0) {
        unlink(path);
        free(l);
        return lab_error_errno(err, "writing %s", path);
      }
      *label = l;
      return 0;
    }
    free(l);
    if (errno != EEXIST)
      return lab_error_errno(err, "reserving %s", path);
  }
  return lab_error_set(err, ENOSPC, "no free MCS pair after 256 draws (%s)", s->labels);
}

/* Frees c's MCS pair when c holds it. */
static void label_release(struct ctr_store *s, const struct container *c)
{
  int c1, c2;
  if (label_mcs_pair(c->label, &c1, &c2) < 0)
    return;
  char path[PATH_MAX], holder[CTR_ID_LEN + 2];
  snprintf(path, sizeof path, "%s/c%d,c%d", s->labels, c1, c2);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  ssize_t n = read_all(fd, holder, sizeof holder);
  close(fd);
  if (n == CTR_ID_LEN && strcmp(holder, c->id) == 0)
    unlink(path);
}

int container_create(struct ctr_store *s, const struct ctr_spec *spec, struct container **out,
                     struct lab_error **err)
{
  /* Validate everything before creating anything. */
  struct image_info *img = NULL;
  cleanup_container struct container *c = calloc(1, sizeof *c);
  if (c == NULL)
    abort();
  if (!spec->infra) {
    if (spec->image == NULL)
      return lab_error_set(err, 0, "no image given");
    if (image_lookup(s->images, spec->image, &img, err) < 0)
      return -1;
    c->image = xstrdup(img->name);
    c->lower = xstrdup(img->rootfs);
    if (spec->argv != NULL && spec->argv[0] != NULL) {
      /* podman: a command replaces Cmd and is appended to Entrypoint */
      size_t ne = strv_len((const char *const *)img->entrypoint), na = strv_len(spec->argv);
      c->argv = calloc(ne + na + 1, sizeof *c->argv);
      for (size_t i = 0; i < ne; i++)
        c->argv[i] = xstrdup(img->entrypoint[i]);
      for (size_t i = 0; i < na; i++)
        c->argv[ne + i] = xstrdup(spec->argv[i]);
    } else {
      size_t ne = strv_len((const char *const *)img->entrypoint),
             nc = strv_len((const char *const *)img->cmd);
      if (ne + nc == 0) {
        image_info_free(img);
        return lab_error_set(err, 0, "image %s has no command and none was given", spec->image);
      }
      c->argv = calloc(ne + nc + 1, sizeof *c->argv);
      for (size_t i = 0; i < ne; i++)
        c->argv[i] = xstrdup(img->entrypoint[i]);
      for (size_t i = 0; i < nc; i++)
        c->argv[ne + i] = xstrdup(img->cmd[i]);
    }
    /* environment: image Env, then the caller's (later entries win at exec) */
    size_t ni = strv_len((const char *const *)img->env), nx = strv_len(spec->env);
    c->env = calloc(ni + nx + 1, sizeof *c->env);
    for (size_t i = 0; i < ni; i++)
      c->env[i] = xstrdup(img->env[i]);
    for (size_t i = 0; i < nx; i++)
      c->env[ni + i] = xstrdup(spec->env[i]);
    c->workdir = xstrdup(img->workdir ? img->workdir : "/");
    image_info_free(img);
  } else {
    c->argv = calloc(2, sizeof *c->argv);
    c->argv[0] = xstrdup("(infra)");
    c->env = calloc(1, sizeof *c->env);
    c->workdir = xstrdup("/");
  }
  if (spec->name != NULL && !ctr_name_is_valid(spec->name))
    return lab_error_set(
        err, EINVAL, "container name \"%s\": must match [a-zA-Z0-9][a-zA-Z0-9_.-]*", spec->name);
  if (spec->limits.memory_bytes != 0 && spec->limits.memory_bytes < MIN_MEMORY_BYTES)
    return lab_error_set(err, 0, "memory limit %llu bytes is too small: the minimum is 6MiB",
                         (unsigned long long)spec->limits.memory_bytes);
  if (spec->limits.cpu_millis != 0 && spec->limits.cpu_millis < 10)
    return lab_error_set(err, 0, "cpu limit %llum is too small: the minimum is 10m",
                         (unsigned long long)spec->limits.cpu_millis);
  c->limits = spec->limits;
  for (size_t i = 0; i < spec->n_volumes; i++)
    if (validate_volume(&spec->volumes[i], i, err) < 0)
      return -1;
  if (spec->seccomp_profile == NULL || strcmp(spec->seccomp_profile, "default") == 0) {
    c->seccomp = xstrdup("default");
  } else if (strcmp(spec->seccomp_profile, "unconfined") == 0) {
    c->seccomp = xstrdup("unconfined");
  } else {
    struct sec_profile *p = NULL;
    if (sec_profile_load_file(spec->seccomp_profile, &p, err) < 0)
      return -1;
    sec_profile_free(p);
    char *abs = realpath(spec->seccomp_profile, NULL);
    if (abs == NULL)
      return lab_error_errno(err, "%s", spec->seccomp_profile);
    c->seccomp = abs;
  }
  if (spec->pod != NULL) {
    cleanup_container struct container *infra = NULL;
    if (container_lookup(s, spec->pod, &infra, err) < 0)
      return lab_error_wrap(err, "pod");
    if (!infra->infra)
      return lab_error_set(err, 0, "%s is not a pod", spec->pod);
    c->pod = xstrdup(infra->id);
    c->net = CTR_NET_POD;
    c->hostname = xstrdup(infra->hostname);
  } else {
    c->net = spec->net;
  }

  if (ctr_id_generate(c->id, err) < 0)
    return -1;
  c->label_enforced = label_selinux_enabled();
  char shortid[CTR_SHORT_ID_LEN + 1];
  ctr_id_short(c->id, shortid);
  if (c->hostname == NULL)
    c->hostname = xstrdup(spec->hostname ? spec->hostname : shortid);

  /* Reserve the name atomically: a symlink names/<name> -> id. */
  for (int attempt = 0;; attempt++) {
    if (spec->name != NULL) {
      c->name = xstrdup(spec->name);
    } else {
      struct ctr_ref none = {NULL, NULL};
      if (ctr_name_generate(&none, 0, NULL, &c->name, err) < 0)
        return -1;
    }
    char link[PATH_MAX];
    snprintf(link, sizeof link, "%s/%s", s->names, c->name);
    if (symlink(c->id, link) == 0)
      break;
    if (errno != EEXIST)
      return lab_error_errno(err, "reserving the name %s", c->name);
    if (spec->name != NULL || attempt > 50) {
      lab_error_set(err, 0,
                    "the container name \"%s\" is already in use; remove that container or "
                    "choose another name",
                    c->name);
      free(c->name);
      c->name = NULL;
      return -1;
    }
    free(c->name);
    c->name = NULL;
  }

  c->infra = spec->infra;
  c->owner = spec->infra ? xstrdup(spec->owner) : NULL;
  c->dir = xasprintf("%s/%s", s->containers, c->id);
  derive_paths(c);
  c->cgroup = xasprintf("%s/%s", s->cgroup_parent, c->id);
  c->status = xstrdup("created");
  c->vols = calloc(spec->n_volumes ? spec->n_volumes : 1, sizeof *c->vols);
  c->n_vols = spec->n_volumes;
  for (size_t i = 0; i < spec->n_volumes; i++) {
    c->vols[i].host = realpath(spec->volumes[i].host, NULL);
    if (c->vols[i].host == NULL)
      c->vols[i].host = xstrdup(spec->volumes[i].host);
    c->vols[i].ctr = xstrdup(spec->volumes[i].ctr);
    c->vols[i].relabel = spec->volumes[i].relabel;
    c->vols[i].readonly = spec->volumes[i].readonly;
  }
  char now[64];
  timefmt_iso(now, NULL, 9);
  c->created = xstrdup(now);

  if (label_reserve(s, c->id, &c->label, err) < 0)
    goto undo;
  if (mkdir(c->dir, 0700) < 0 ||
      (!c->infra &&
       (mkdir(c->upper, 0755) < 0 || mkdir(c->work, 0700) < 0 || mkdir(c->merged, 0755) < 0))) {
    lab_error_errno(err, "creating %s", c->dir);
    goto undo;
  }
  if (c->infra) {
    char members[PATH_MAX];
    member_path(s, c->id, NULL, members, sizeof members);
    if (mkdir(members, 0700) < 0) {
      lab_error_errno(err, "creating %s", members);
      goto undo;
    }
  }
  for (size_t i = 0; i < c->n_vols; i++) {
    if (!c->vols[i].relabel)
      continue;
    char *fl = label_file_label(c->label);
    int r = label_relabel_tree(c->vols[i].host, fl, err);
    free(fl);
    if (r < 0)
      goto undo;
  }
  if (c->pod != NULL && member_add(s, c->pod, c->id, err) < 0)
    goto undo;
  if (state_save(c, err) < 0)
    goto undo;
  *out = steal_pointer(&c);
  return 0;

undo : {
  char link[PATH_MAX];
  snprintf(link, sizeof link, "%s/%s", s->names, c->name);
  unlink(link);
  label_release(s, c);
  if (c->pod != NULL)
    member_remove(s, c->pod, c->id);
  struct lab_error *ignored = NULL;
  image_rm_rf(c->dir, &ignored);
  lab_error_clear(&ignored);
  return -1;
}
}

/* ------------------------------------------------------------------- mount */

static int do_mount_overlay(struct container *c, struct lab_error **err)
{
  char opts[3 * PATH_MAX + 64];
  snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=%s,workdir=%s", c->lower, c->upper, c->work);
  if (mount("overlay", c->merged, "overlay", 0, opts) < 0)
    return lab_error_errno(err, "mounting the overlay at %s", c->merged);
  return 0;
}

int container_mount(struct ctr_store *s, struct container *c, struct lab_error **err)
{
  if (c->infra)
    return lab_error_set(err, 0, "%s is a pod infra container: it has no root filesystem", c->name);
  if (!c->mounted) {
    if (do_mount_overlay(c, err) < 0)
      return -1;
    c->mounted = true;
  }
  c->user_mounted = true;
  return state_save(c, err);
}

int container_unmount(struct ctr_store *s, struct container *c, struct lab_error **err)
{
  c->user_mounted = false;
  if (c->mounted && strcmp(c->status, "running") != 0) {
    if (umount2(c->merged, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
      return lab_error_errno(err, "unmounting %s", c->merged);
    c->mounted = false;
  }
  return state_save(c, err);
}

/* ------------------------------------------------------------------ launch */

/* Everything the child needs, computed by the parent before clone so the
 * child only makes syscalls (and can report a failure through errfd). */
struct launch {
  struct container *c;
  int sync_fd, err_fd, log_fd;
  int pod_fds[3]; /* net, ipc, uts of the infra process, or -1 */
  char **envp;
  scmp_filter_ctx seccomp;
  uint64_t caps;
  bool own_uts;
};

__attribute__((noreturn, format(printf, 2, 3))) static void child_fail(int fd, const char *fmt, ...)
{
  char buf[1024];
  int saved = errno;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > 0 && (size_t)n < sizeof buf - 64 && saved != 0)
    n += snprintf(buf + n, sizeof buf - (size_t)n, ": %s", strerror(saved));
  if (n > 0)
    (void)!write(fd, buf, strlen(buf));
  _exit(127);
}

static void bind_dev(int errfd, const char *root, const char *name)
{
  char target[PATH_MAX], source[64];
  snprintf(target, sizeof target, "%s/dev/%s", root, name);
  snprintf(source, sizeof source, "/dev/%s", name);
  int fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0)
    child_fail(errfd, "creating %s", target);
  close(fd);
  if (mount(source, target, NULL, MS_BIND, NULL) < 0)
    child_fail(errfd, "bind-mounting %s", source);
}

static void mkdir_in(int errfd, const char *root, const char *rel, mode_t mode)
{
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s%s", root, rel);
  if (fileio_mkdir_p(path, mode) < 0)
    child_fail(errfd, "mkdir %s", path);
}

static void setup_rootfs(struct launch *l)
{
  struct container *c = l->c;
  int efd = l->err_fd;
  const char *root = c->merged;
  char path[PATH_MAX];

  /* Nothing we mount may propagate back to the host, and pivot_root needs a
   * private parent. */
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    child_fail(efd, "making / private");

  for (size_t i = 0; i < c->n_vols; i++) {
    struct stat st;
    snprintf(path, sizeof path, "%s%s", root, c->vols[i].ctr);
    if (stat(c->vols[i].host, &st) < 0)
      child_fail(efd, "volume %s", c->vols[i].host);
    if (S_ISDIR(st.st_mode)) {
      if (fileio_mkdir_p(path, 0755) < 0)
        child_fail(efd, "mkdir %s", path);
    } else {
      char *slash = strrchr(path, '/');
      *slash = '\0';
      if (fileio_mkdir_p(path, 0755) < 0)
        child_fail(efd, "mkdir %s", path);
      *slash = '/';
      int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
      if (fd < 0)
        child_fail(efd, "creating %s", path);
      close(fd);
    }
    if (mount(c->vols[i].host, path, NULL, MS_BIND | MS_REC, NULL) < 0)
      child_fail(efd, "bind-mounting volume %s on %s", c->vols[i].host, c->vols[i].ctr);
    if (c->vols[i].readonly &&
        mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL) < 0)
      child_fail(efd, "making volume %s read-only", c->vols[i].ctr);
  }

  mkdir_in(efd, root, "/proc", 0555);
  snprintf(path, sizeof path, "%s/proc", root);
  if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
    child_fail(efd, "mounting /proc");

  mkdir_in(efd, root, "/dev", 0755);
  snprintf(path, sizeof path, "%s/dev", root);
  if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k") < 0)
    child_fail(efd, "mounting /dev");
  static const char *const devs[] = {"null", "zero", "full", "random", "urandom", "tty"};
  for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++)
    bind_dev(efd, root, devs[i]);
  mkdir_in(efd, root, "/dev/pts", 0755);
  snprintf(path, sizeof path, "%s/dev/pts", root);
  if (mount("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC,
            "newinstance,ptmxmode=0666,mode=0620") < 0)
    child_fail(efd, "mounting /dev/pts");
  mkdir_in(efd, root, "/dev/shm", 01777);
  snprintf(path, sizeof path, "%s/dev/shm", root);
  if (mount("shm", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k") < 0)
    child_fail(efd, "mounting /dev/shm");
  static const char *const links[][2] = {{"/proc/self/fd", "fd"},
                                         {"/proc/self/fd/0", "stdin"},
                                         {"/proc/self/fd/1", "stdout"},
                                         {"/proc/self/fd/2", "stderr"},
                                         {"pts/ptmx", "ptmx"}};
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
    snprintf(path, sizeof path, "%s/dev/%s", root, links[i][1]);
    if (symlink(links[i][0], path) < 0)
      child_fail(efd, "symlink %s", path);
  }

  mkdir_in(efd, root, "/sys", 0555);
  snprintf(path, sizeof path, "%s/sys", root);
  unsigned long ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
  if (mount("sysfs", path, "sysfs", ro, NULL) < 0) {
    /* sysfs of a network namespace we do not own (net=host inside a node):
     * fall back to a read-only bind of the current one. */
    if (mount("/sys", path, NULL, MS_BIND | MS_REC, NULL) < 0 ||
        mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | ro, NULL) < 0)
      child_fail(efd, "mounting /sys");
  }

  if (chdir(root) < 0)
    child_fail(efd, "chdir %s", root);
  /* pivot_root(".", "."): the old root ends up stacked under the new one and
   * is detached at once (crun's trick; needs no put_old directory). */
  if (syscall(SYS_pivot_root, ".", ".") < 0)
    child_fail(efd, "pivot_root");
  if (umount2(".", MNT_DETACH) < 0)
    child_fail(efd, "detaching the old root");
  if (chdir("/") < 0)
    child_fail(efd, "chdir /");

  /* masked and read-only paths, as OCI runtimes do by default */
  static const char *const masked[] = {"/proc/kcore", "/proc/keys", "/proc/timer_list",
                                       "/proc/sched_debug"};
  for (size_t i = 0; i < sizeof masked / sizeof masked[0]; i++)
    if (access(masked[i], F_OK) == 0 && mount("/dev/null", masked[i], NULL, MS_BIND, NULL) < 0)
      child_fail(efd, "masking %s", masked[i]);
  static const char *const rdonly[] = {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq",
                                       "/proc/bus"};
  for (size_t i = 0; i < sizeof rdonly / sizeof rdonly[0]; i++) {
    if (access(rdonly[i], F_OK) != 0)
      continue;
    if (mount(rdonly[i], rdonly[i], NULL, MS_BIND | MS_REC, NULL) < 0 ||
        mount(NULL, rdonly[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL) < 0)
      child_fail(efd, "making %s read-only", rdonly[i]);
  }
}

/* The last steps of every process entering a container (init and exec):
 * label, no_new_privs, capabilities, then seccomp last, then exec. */
__attribute__((noreturn)) static void finish_and_exec(int efd, struct container *c, char **envp,
                                                      uint64_t caps, scmp_filter_ctx seccomp)
{
  struct lab_error *e = NULL;
  if (c->workdir && chdir(c->workdir) < 0)
    child_fail(efd, "chdir %s", c->workdir);
  if (label_set_exec(c->label, &e) < 0)
    child_fail(efd, "%s", e->msg);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    child_fail(efd, "no_new_privs");
  if (caps_apply(caps, &e) < 0)
    child_fail(efd, "%s", e->msg);
  if (seccomp != NULL) {
    int rc = seccomp_load(seccomp);
    if (rc < 0) {
      errno = -rc;
      child_fail(efd, "loading the seccomp filter");
    }
  }
  extern char **environ;
  environ = envp;
  execvp(c->argv[0], c->argv);
  child_fail(efd, "exec %s", c->argv[0]);
}

static void wait_go(int efd, int sync_fd)
{
  char b;
  ssize_t n;
  do
    n = read(sync_fd, &b, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1)
    _exit(127); /* the parent gave up: it reports the error itself */
  close(sync_fd);
}

__attribute__((noreturn)) static void child_main(struct launch *l)
{
  struct container *c = l->c;
  int efd = l->err_fd;
  static const int pod_types[3] = {CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS};
  for (int i = 0; i < 3; i++)
    if (l->pod_fds[i] >= 0 && setns(l->pod_fds[i], pod_types[i]) < 0)
      child_fail(efd, "joining the pod's namespaces");
  if (l->own_uts && c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
    child_fail(efd, "sethostname");
  if (c->infra) {
    /* The infra process only holds the namespaces, like podman's pause. */
    wait_go(efd, l->sync_fd);
    prctl(PR_SET_NAME, "nodelab-infra", 0, 0, 0);
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull >= 0) {
      dup2(devnull, 0);
      dup2(devnull, 1);
      dup2(devnull, 2);
    }
    /* No exec here, so close-on-exec never fires: drop every inherited fd
     * (the monitor's report pipe above all, or `pod create` never returns). */
    if (efd > 3)
      syscall(SYS_close_range, 3U, (unsigned)efd - 1, 0U);
    syscall(SYS_close_range, (unsigned)efd + 1, ~0U, 0U);
    close(efd); /* tells the parent it is up */
    for (;;)
      pause();
  }
  if (l->log_fd >= 0) {
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(l->log_fd, 1) < 0 || dup2(l->log_fd, 2) < 0)
      child_fail(efd, "redirecting stdio to the log");
  }
  setup_rootfs(l);
  wait_go(efd, l->sync_fd);
  finish_and_exec(efd, c, l->envp, l->caps, l->seccomp);
}

/* KEY=VALUE lists: defaults, then image/spec env; a later KEY replaces an earlier one. */
static char **build_env(struct container *c)
{
  size_t n = strv_len((const char *const *)c->env);
  char **envp = calloc(n + 5, sizeof *envp);
  size_t k = 0;
  char *defaults[] = {xasprintf("PATH=%s", DEFAULT_PATH), xstrdup("container=nodelab"),
                      xasprintf("HOSTNAME=%s", c->hostname ? c->hostname : ""),
                      xstrdup("TERM=xterm")};
  for (size_t i = 0; i < 4; i++)
    envp[k++] = defaults[i];
  for (size_t i = 0; i < n; i++) {
    const char *eq = strchr(c->env[i], '=');
    size_t klen = eq ? (size_t)(eq - c->env[i]) : strlen(c->env[i]);
    size_t j;
    for (j = 0; j < k; j++)
      if (strncmp(envp[j], c->env[i], klen) == 0 && envp[j][klen] == '=')
        break;
    if (j < k) {
      free(envp[j]);
      envp[j] = xstrdup(c->env[i]);
    } else {
      envp[k++] = xstrdup(c->env[i]);
    }
  }
  envp[k] = NULL;
  return envp;
}

static int load_seccomp(struct container *c, scmp_filter_ctx *ctx, struct sec_profile **prof,
                        struct lab_error **err)
{
  *ctx = NULL;
  *prof = NULL;
  if (strcmp(c->seccomp, "unconfined") == 0)
    return 0;
  int rc = strcmp(c->seccomp, "default") == 0 ? sec_profile_default(prof, err)
                                              : sec_profile_load_file(c->seccomp, prof, err);
  if (rc < 0)
    return -1;
  if (sec_profile_build(*prof, ctx, err) < 0) {
    sec_profile_free(*prof);
    *prof = NULL;
    return -1;
  }
  return 0;
}

static int write_config_once(struct container *c, struct sec_profile *prof, struct lab_error **err)
{
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/config.json", c->dir);
  if (access(path, F_OK) == 0)
    return 0;
  char **envp = build_env(c);
  struct oci_namespace ns[5];
  size_t nn = 0;
  char paths[3][64];
  ns[nn++] = (struct oci_namespace){"pid", NULL};
  ns[nn++] = (struct oci_namespace){"mount", NULL};
  const char *types[3] = {"network", "ipc", "uts"};
  const char *files[3] = {"net", "ipc", "uts"};
  for (int i = 0; i < 3; i++) {
    if (c->net == CTR_NET_HOST && i == 0)
      continue;
    const char *p = NULL;
    if (c->net == CTR_NET_POD) {
      snprintf(paths[i], sizeof paths[i], "/proc/%d/ns/%s", (int)c->pid, files[i]);
      p = paths[i];
    }
    ns[nn++] = (struct oci_namespace){types[i], p};
  }
  struct oci_mount *vols = calloc(c->n_vols ? c->n_vols : 1, sizeof *vols);
  for (size_t i = 0; i < c->n_vols; i++)
    vols[i] = (struct oci_mount){c->vols[i].host, c->vols[i].ctr, c->vols[i].readonly};
  char *flabel = label_file_label(c->label);
  struct json_object *sec = prof ? sec_profile_to_oci_json(prof) : NULL;
  struct oci_config_input in = {
      .args = (const char *const *)c->argv,
      .env = (const char *const *)envp,
      .cwd = c->workdir,
      .hostname = c->hostname,
      .rootfs = c->merged,
      .caps = caps_default_mask(),
      .no_new_privileges = true,
      .process_label = c->label,
      .mount_label = flabel,
      .namespaces = ns,
      .n_namespaces = nn,
      .volumes = vols,
      .n_volumes = c->n_vols,
      .limits = c->limits,
      .cgroups_path = c->cgroup,
      .seccomp = sec,
  };
  struct json_object *cfg = oci_config_build(&in);
  int rc = oci_config_write(cfg, path, err);
  json_object_put(cfg);
  json_object_put(sec);
  free(flabel);
  free(vols);
  strv_free(envp);
  return rc;
}

int container_start(struct ctr_store *s, struct container *c, bool log_to_file,
                    struct lab_error **err)
{
  if (strcmp(c->status, "running") == 0)
    return lab_error_set(err, 0, "container %s is already running", c->name);
  if (store_cgroups(s, err) < 0)
    return -1;

  struct launch l = {.c = c,
                     .sync_fd = -1,
                     .err_fd = -1,
                     .log_fd = -1,
                     .pod_fds = {-1, -1, -1},
                     .caps = caps_default_mask()};
  struct sec_profile *prof = NULL;
  bool mounted_here = false, cgroup_made = false;
  int sync_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  pid_t pid = -1;
  int rc = -1;
  unsigned long flags = CLONE_NEWNS | CLONE_NEWPID;

  if (c->infra) {
    flags = CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
    l.own_uts = true;
  } else if (c->pod != NULL) {
    cleanup_container struct container *infra = NULL;
    if (state_load(s, c->pod, &infra, err) < 0)
      return lab_error_wrap(err, "container %s: its pod", c->name);
    if (strcmp(infra->status, "running") != 0)
      return lab_error_set(err, 0, "container %s: its pod %s is not running", c->name, infra->name);
    static const char *const files[3] = {"net", "ipc", "uts"};
    for (int i = 0; i < 3; i++) {
      char p[64];
      snprintf(p, sizeof p, "/proc/%d/ns/%s", (int)infra->pid, files[i]);
      l.pod_fds[i] = open(p, O_RDONLY | O_CLOEXEC);
      if (l.pod_fds[i] < 0) {
        lab_error_errno(err, "opening %s", p);
        goto out;
      }
    }
  } else {
    flags |= CLONE_NEWIPC | CLONE_NEWUTS;
    l.own_uts = true;
    if (c->net == CTR_NET_PRIVATE)
      flags |= CLONE_NEWNET;
  }

  if (!c->infra) {
    if (load_seccomp(c, &l.seccomp, &prof, err) < 0)
      goto out;
    if (!c->mounted) {
      if (do_mount_overlay(c, err) < 0)
        goto out;
      c->mounted = true;
      mounted_here = true;
    }
    if (write_config_once(c, prof, err) < 0)
      goto out;
    l.envp = build_env(c);
    if (log_to_file) {
      char logp[PATH_MAX];
      snprintf(logp, sizeof logp, "%s/ctr.log", c->dir);
      l.log_fd = open(logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (l.log_fd < 0) {
        lab_error_errno(err, "opening %s", logp);
        goto out;
      }
    }
  }

  if (cgroup_create(s->cg, c->cgroup, NULL, err) < 0)
    goto out;
  cgroup_made = true;
  if (cgroup_set_limits(s->cg, c->cgroup, &c->limits, err) < 0)
    goto out;

  if (pipe2(sync_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0) {
    lab_error_errno(err, "pipe");
    goto out;
  }
  pid = sys_clone_fork(flags);
  if (pid < 0) {
    lab_error_errno(err, "clone");
    goto out;
  }
  if (pid == 0) {
    close(sync_pipe[1]);
    close(err_pipe[0]);
    l.sync_fd = sync_pipe[0];
    l.err_fd = err_pipe[1];
    child_main(&l);
  }
  close(sync_pipe[0]);
  sync_pipe[0] = -1;
  close(err_pipe[1]);
  err_pipe[1] = -1;

  /* Into the cgroup before the child may exec (it waits for "go"). */
  if (cgroup_attach(s->cg, c->cgroup, pid, err) < 0)
    goto out;
  if (fileio_write_all(sync_pipe[1], "g", 1) < 0) {
    /* the child died early; its message is on err_pipe */
  }
  close(sync_pipe[1]);
  sync_pipe[1] = -1;
  char msg[1200];
  ssize_t got = read_all(err_pipe[0], msg, sizeof msg);
  if (got != 0) {
    lab_error_set(err, 0, "starting container %s: %s", c->name,
                  got > 0 ? msg : "the container process failed");
    goto out;
  }
  c->pid = pid;
  if (proc_starttime(pid, &c->starttime) < 0)
    c->starttime = 0;
  c->monitor = getpid();
  if (proc_starttime(c->monitor, &c->monitor_starttime) < 0)
    c->monitor_starttime = 0;
  char now[64];
  timefmt_iso(now, NULL, 9);
  set_str(&c->started, now);
  free(c->finished);
  c->finished = NULL;
  c->exit_code = 0;
  c->oom_killed = false;
  set_str(&c->status, "running");
  if (state_save(c, err) < 0)
    goto out;
  rc = 0;

out:
  for (int i = 0; i < 2; i++) {
    if (sync_pipe[i] >= 0)
      close(sync_pipe[i]);
    if (err_pipe[i] >= 0)
      close(err_pipe[i]);
  }
  for (int i = 0; i < 3; i++)
    if (l.pod_fds[i] >= 0)
      close(l.pod_fds[i]);
  if (l.log_fd >= 0)
    close(l.log_fd);
  strv_free(l.envp);
  if (l.seccomp)
    seccomp_release(l.seccomp);
  sec_profile_free(prof);
  if (rc < 0) {
    if (pid > 0) {
      kill(pid, SIGKILL);
      while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    }
    struct lab_error *ignored = NULL;
    if (cgroup_made && cgroup_destroy(s->cg, c->cgroup, &ignored) < 0)
      lab_error_clear(&ignored);
    if (mounted_here) {
      umount2(c->merged, MNT_DETACH);
      c->mounted = false;
    }
  }
  return rc;
}

int container_wait(struct ctr_store *s, struct container *c, struct lab_error **err)
{
  int status;
  pid_t r;
  do
    r = waitpid(c->pid, &status, 0);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return lab_error_errno(err, "waiting for container %s (pid %d)", c->name, (int)c->pid);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  int oom = 0;
  struct lab_error *e = NULL;
  if (store_cgroups(s, &e) == 0 && cgroup_oom_killed(s->cg, c->cgroup, &oom, &e) < 0)
    oom = 0;
  lab_error_clear(&e);
  if (s->cg != NULL && cgroup_destroy(s->cg, c->cgroup, &e) < 0)
    lab_error_clear(&e);
  /* Re-read: `mount`/`unmount` may have changed the record meanwhile. */
  if (state_reload(s, c, &e) < 0)
    lab_error_clear(&e);
  c->exit_code = code;
  c->oom_killed = oom != 0;
  char now[64];
  timefmt_iso(now, NULL, 9);
  set_str(&c->finished, now);
  set_str(&c->status, "exited");
  if (c->mounted && !c->user_mounted) {
    if (umount2(c->merged, MNT_DETACH) == 0 || errno == EINVAL)
      c->mounted = false;
  }
  return state_save(c, err);
}

int container_start_detached(struct ctr_store *s, struct container *c, struct lab_error **err)
{
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return lab_error_errno(err, "pipe");
  /* Double fork: the monitor is adopted by init (or the node's PID 1), so a
   * long-lived caller (the runtime daemon) never has monitors to reap. */
  pid_t mid = fork();
  if (mid < 0) {
    close(p[0]);
    close(p[1]);
    return lab_error_errno(err, "fork");
  }
  if (mid == 0) {
    close(p[0]);
    setsid();
    pid_t mon = fork();
    if (mon != 0)
      _exit(mon < 0 ? 1 : 0);
    /* the monitor: never hold the caller's stdout (a `$(run -d)` would hang) */
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull >= 0) {
      dup2(devnull, 0);
      dup2(devnull, 1);
      dup2(devnull, 2);
      close(devnull);
    }
    /* Nor any other descriptor of the caller (the daemon's client
     * connections and listening socket): the monitor outlives them.  The
     * store keeps no descriptor open, so only the report pipe stays. */
    if (p[1] > 3)
      syscall(SYS_close_range, 3U, (unsigned)p[1] - 1, 0U);
    syscall(SYS_close_range, (unsigned)p[1] + 1, ~0U, 0U);
    prctl(PR_SET_NAME, "nodelab-mon", 0, 0, 0);
    struct lab_error *e = NULL;
    if (container_start(s, c, true, &e) < 0) {
      (void)!write(p[1], e->msg, strlen(e->msg));
      _exit(1);
    }
    close(p[1]);
    if (container_wait(s, c, &e) < 0)
      _exit(1);
    _exit(0);
  }
  close(p[1]);
  int st;
  while (waitpid(mid, &st, 0) < 0 && errno == EINTR)
    ;
  char msg[1400];
  ssize_t got = read_all(p[0], msg, sizeof msg);
  close(p[0]);
  if (got != 0)
    return lab_error_set(err, 0, "%s", got > 0 ? msg : "the monitor failed");
  struct lab_error *e = NULL;
  if (state_reload(s, c, &e) < 0) {
    lab_error_set(err, e->errnum, "%s", e->msg);
    lab_error_clear(&e);
    return -1;
  }
  return 0;
}

/* ------------------------------------------------------------ kill, stop, rm */

static int wait_recorded(struct ctr_store *s, struct container *c, int timeout_ms)
{
  for (int waited = 0; waited <= timeout_ms; waited += 5) {
    struct lab_error *e = NULL;
    if (state_reload(s, c, &e) < 0) {
      lab_error_clear(&e);
      return -1;
    }
    if (strcmp(c->status, "running") != 0)
      return 0;
    usleep(5000);
  }
  return -1;
}

int container_kill(struct ctr_store *s, struct container *c, int sig, struct lab_error **err)
{
  if (strcmp(c->status, "running") != 0)
    return lab_error_set(err, 0, "container %s is not running", c->name);
  /* A process already gone (a zombie its monitor is about to reap) is not
   * signalled, so a reused pid is never hit; the exit is awaited as usual. */
  if (proc_is_same(c->pid, c->starttime) && kill(c->pid, sig) < 0)
    return lab_error_errno(err, "kill %d", (int)c->pid);
  if (sig == SIGKILL && wait_recorded(s, c, 5000) < 0)
    return lab_error_set(err, 0, "container %s: exit not recorded after SIGKILL", c->name);
  return 0;
}

int container_stop(struct ctr_store *s, struct container *c, int timeout_s, struct lab_error **err)
{
  if (strcmp(c->status, "running") != 0)
    return 0;
  if (proc_is_same(c->pid, c->starttime))
    kill(c->pid, SIGTERM);
  if (wait_recorded(s, c, timeout_s * 1000) == 0)
    return 0;
  return container_kill(s, c, SIGKILL, err);
}

int container_remove(struct ctr_store *s, struct container *c, bool force, struct lab_error **err)
{
  cleanup_container struct container *owned = c;
  if (strcmp(c->status, "running") == 0) {
    if (!force)
      return lab_error_set(
          err, EBUSY, "container %s is running: stop it first or remove it with --force", c->name);
    if (container_kill(s, c, SIGKILL, err) < 0)
      return -1;
  }
  /* a pod cannot go while a container still uses it */
  if (c->infra && members_none(s, c, err) < 0)
    return -1;
  struct lab_error *e = NULL;
  if (store_cgroups(s, &e) < 0 || cgroup_destroy(s->cg, c->cgroup, &e) < 0) {
    lab_error_set(err, e->errnum, "removing %s: %s", c->name, e->msg);
    lab_error_clear(&e);
    return -1;
  }
  if (c->mounted && umount2(c->merged, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    return lab_error_errno(err, "unmounting %s", c->merged);
  char link[PATH_MAX];
  snprintf(link, sizeof link, "%s/%s", s->names, c->name);
  if (image_rm_rf(c->dir, err) < 0)
    return -1;
  unlink(link);
  label_release(s, c);
  if (c->pod != NULL)
    member_remove(s, c->pod, c->id);
  return 0;
}

/* -------------------------------------------------------------------- exec */

int container_exec_spawn(struct ctr_store *s, struct container *c, const char *const *argv,
                         pid_t *out_pid, struct lab_error **err)
{
  if (strcmp(c->status, "running") != 0 || !proc_is_same(c->pid, c->starttime))
    return lab_error_set(err, 0, "container %s is not running", c->name);
  if (c->infra)
    return lab_error_set(err, 0, "%s is a pod infra container", c->name);
  if (argv == NULL || argv[0] == NULL)
    return lab_error_set(err, 0, "exec: no command");
  if (store_cgroups(s, err) < 0)
    return -1;
  static const char *const types[] = {"ipc", "uts", "net", "pid", "mnt"};
  static const int flags[] = {CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWNS};
  int fds[5] = {-1, -1, -1, -1, -1};
  scmp_filter_ctx seccomp = NULL;
  struct sec_profile *prof = NULL;
  int sync_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  int rc = -1;
  pid_t pid = -1;
  int self_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
  for (int i = 0; i < 5; i++) {
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/ns/%s", (int)c->pid, types[i]);
    if ((fds[i] = open(p, O_RDONLY | O_CLOEXEC)) < 0) {
      lab_error_errno(err, "opening %s", p);
      goto out;
    }
  }
  if (load_seccomp(c, &seccomp, &prof, err) < 0)
    goto out;
  /* The pid namespace applies to children only: enter it here, fork, and let
   * the child enter the rest (the mount namespace last) once it is in the
   * cgroup — which is written from here, where /sys/fs/cgroup is visible. */
  if (setns(fds[3], CLONE_NEWPID) < 0) {
    lab_error_errno(err, "entering the pid namespace of %s", c->name);
    goto out;
  }
  if (pipe2(sync_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0) {
    lab_error_errno(err, "pipe");
    goto out;
  }
  char **envp = build_env(c);
  pid = fork();
  if (pid == 0) {
    close(sync_pipe[1]);
    close(err_pipe[0]);
    wait_go(err_pipe[1], sync_pipe[0]);
    for (int i = 0; i < 5; i++)
      if (i != 3 && setns(fds[i], flags[i]) < 0)
        child_fail(err_pipe[1], "entering the %s namespace", types[i]);
    if (chdir("/") < 0)
      child_fail(err_pipe[1], "chdir /");
    /* exec runs argv instead of the container's command */
    c->argv = strv_dup(argv);
    finish_and_exec(err_pipe[1], c, envp, caps_default_mask(), seccomp);
  }
  strv_free(envp);
  if (self_pidns >= 0)
    setns(self_pidns, CLONE_NEWPID); /* later forks of the caller stay outside */
  if (pid < 0) {
    lab_error_errno(err, "fork");
    goto out;
  }
  close(sync_pipe[0]);
  sync_pipe[0] = -1;
  close(err_pipe[1]);
  err_pipe[1] = -1;
  if (cgroup_attach(s->cg, c->cgroup, pid, err) < 0) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    goto out;
  }
  (void)!write(sync_pipe[1], "g", 1);
  close(sync_pipe[1]);
  sync_pipe[1] = -1;
  char msg[1200];
  ssize_t got = read_all(err_pipe[0], msg, sizeof msg);
  if (got != 0) {
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
      ;
    lab_error_set(err, 0, "exec in %s: %s", c->name, got > 0 ? msg : "failed");
    goto out;
  }
  *out_pid = pid;
  rc = 0;
out:
  if (self_pidns >= 0)
    close(self_pidns);
  for (int i = 0; i < 5; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  for (int i = 0; i < 2; i++) {
    if (sync_pipe[i] >= 0)
      close(sync_pipe[i]);
    if (err_pipe[i] >= 0)
      close(err_pipe[i]);
  }
  if (seccomp)
    seccomp_release(seccomp);
  sec_profile_free(prof);
  return rc;
}

int container_exec(struct ctr_store *s, struct container *c, const char *const *argv,
                   struct lab_error **err)
{
  pid_t pid;
  if (container_exec_spawn(s, c, argv, &pid, err) < 0)
    return -1;
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
