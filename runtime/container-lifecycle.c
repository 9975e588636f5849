/* A container's life: create (validated, reserved, nothing left on
 * failure), mount, start under the caller or a monitor, wait, kill, stop,
 * remove. */
#include "container.h"
#include "strv.h"

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
#include <linux/capability.h>
#include <unistd.h>

#include <seccomp.h>

#include "caps.h"
#include "cleanup.h"
#include "container-internal.h"
#include "json.h"
#include "fileio.h"
#include "image.h"
#include "label.h"
#include "oci-config.h"
#include "proc.h"
#include "seccomp-profile.h"
#include "syscalls.h"
#include "timefmt.h"

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

int container_create(struct ctr_store *s, const struct ctr_spec *spec, struct container **out,
                     struct lab_error **err)
{
  /* Validate everything before creating anything. */
  struct image_info *img = NULL;
  cleanup_container struct container *c = xcalloc(1, sizeof *c);
  if (!spec->infra) {
    if (spec->image == NULL)
      return lab_error_set(err, 0, "no image given");
    if (image_lookup(s->images, spec->image, &img, err) < 0)
      return -1;
    c->image = xstrdup(img->name);
    c->lower = xstrdup(img->rootfs);
    /* podman: a command replaces Cmd and is appended to the Entrypoint; an
     * --entrypoint replaces the image's and clears its Cmd */
    const char *const *ep =
        spec->entrypoint ? spec->entrypoint : (const char *const *)img->entrypoint;
    const char *const *cmd = spec->argv != NULL && spec->argv[0] != NULL ? spec->argv
                             : spec->entrypoint != NULL                  ? NULL
                                                        : (const char *const *)img->cmd;
    size_t ne = strv_len(ep), nc = strv_len(cmd);
    if (ne + nc == 0) {
      image_info_free(img);
      return lab_error_set(err, 0, "image %s has no command and none was given", spec->image);
    }
    c->argv = xcalloc(ne + nc + 1, sizeof *c->argv);
    for (size_t i = 0; i < ne; i++)
      c->argv[i] = xstrdup(ep[i]);
    for (size_t i = 0; i < nc; i++)
      c->argv[ne + i] = xstrdup(cmd[i]);
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
  if (spec->limits.memory_bytes != 0 && spec->limits.memory_bytes < CTR_MIN_MEMORY_BYTES)
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
    if (ctr_name_reserve(s, c->name, c->id, err) == 0)
      break;
    if (errno != EEXIST) {
      free(c->name);
      c->name = NULL;
      return -1;
    }
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
  ctr_derive_paths(c);
  c->cgroup = xasprintf("%s/%s", s->cgroup_parent, c->id);
  c->state = CONTAINER_CREATED;
  c->privileged = spec->privileged;
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

  if (ctr_label_reserve(s, c->id, &c->label, err) < 0)
    goto undo;
  if (mkdir(c->dir, 0700) < 0 ||
      (!c->infra &&
       (mkdir(c->upper, 0755) < 0 || mkdir(c->work, 0700) < 0 || mkdir(c->merged, 0755) < 0))) {
    lab_error_errno(err, "creating %s", c->dir);
    goto undo;
  }
  if (c->infra && ctr_members_dir(s, c->id, err) < 0)
    goto undo;
  for (size_t i = 0; i < c->n_vols; i++) {
    if (!c->vols[i].relabel)
      continue;
    char *fl = label_file_label(c->label);
    int r = label_relabel_tree(c->vols[i].host, fl, err);
    free(fl);
    if (r < 0)
      goto undo;
  }
  if (c->pod != NULL && ctr_member_add(s, c->pod, c->id, err) < 0)
    goto undo;
  if (ctr_state_save(c, err) < 0)
    goto undo;
  *out = steal_pointer(&c);
  return 0;

undo : {
  ctr_name_release(s, c->name);
  ctr_label_release(s, c);
  if (c->pod != NULL)
    ctr_member_remove(s, c->pod, c->id);
  struct lab_error *ignored = NULL;
  image_rm_rf(c->dir, &ignored);
  lab_error_clear(&ignored);
  return -1;
}
}

int container_mount(struct ctr_store *s, struct container *c, struct lab_error **err)
{
  if (c->infra)
    return lab_error_set(err, 0, "%s is a pod infra container: it has no root filesystem", c->name);
  if (!c->mounted) {
    if (ctr_rootfs_mount_overlay(c, err) < 0)
      return -1;
    c->mounted = true;
  }
  c->user_mounted = true;
  return ctr_state_save(c, err);
}

int container_unmount(struct ctr_store *s, struct container *c, struct lab_error **err)
{
  c->user_mounted = false;
  if (c->mounted && c->state != CONTAINER_RUNNING) {
    if (umount2(c->merged, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
      return lab_error_errno(err, "unmounting %s", c->merged);
    c->mounted = false;
  }
  return ctr_state_save(c, err);
}

/* ------------------------------------------------------------------ launch */

/* Everything the child needs, computed by the parent before clone so the
 * child only makes syscalls (and can report a failure through errfd). */
struct launch {
  struct container *c;
  int sync_fd, err_fd, log_fd;
  int pod_fds[3]; /* net, ipc, uts of the infra process, or -1 */
  char **envp;
  scmp_filter_ctx seccomp, seccomp_deny;
  uint64_t caps;
  bool own_uts;
};

__attribute__((noreturn)) static void child_main(struct launch *l)
{
  struct container *c = l->c;
  int efd = l->err_fd;
  static const int pod_types[3] = {CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS};
  for (int i = 0; i < 3; i++)
    if (l->pod_fds[i] >= 0 && setns(l->pod_fds[i], pod_types[i]) < 0)
      ctr_child_fail(efd, "joining the pod's namespaces");
  if (l->own_uts && c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
    ctr_child_fail(efd, "sethostname");
  if (c->infra) {
    /* The infra process only holds the namespaces, like podman's pause. */
    ctr_child_wait_go(l->sync_fd);
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
      ctr_child_fail(efd, "redirecting stdio to the log");
  }
  ctr_rootfs_setup(efd, c);
  ctr_child_wait_go(l->sync_fd);
  ctr_child_exec(efd, c, l->envp, l->caps, l->seccomp, l->seccomp_deny);
}

/* KEY=VALUE lists: defaults, then image/spec env; a later KEY replaces an earlier one. */
char **ctr_build_env(struct container *c)
{
  size_t n = strv_len((const char *const *)c->env);
  char **envp = calloc(n + 5, sizeof *envp);
  size_t k = 0;
  char *defaults[] = {xasprintf("PATH=%s", CTR_DEFAULT_PATH), xstrdup("container=nodelab"),
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

uint64_t ctr_caps(const struct container *c)
{
  if (!c->privileged)
    return caps_default_mask();
  /* privileged: every capability the runtime itself has (podman gives all;
   * a node's runtime may hold fewer, and capset cannot raise them) */
  struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capget, &hdr, data) < 0)
    return caps_default_mask();
  return (uint64_t)data[0].permitted | (uint64_t)data[1].permitted << 32;
}

int ctr_load_seccomp(struct container *c, scmp_filter_ctx *ctx, struct sec_profile **prof,
                     struct lab_error **err)
{
  *ctx = NULL;
  *prof = NULL;
  if (c->privileged || strcmp(c->seccomp, "unconfined") == 0)
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

/* A second filter rather than rules added to the profile's: a process's
 * filters cannot change once loaded, so a deny added to a running container
 * (seccomp-set) takes a restart anyway, and a filter of its own shows in
 * /proc/PID/status as one more Seccomp_filters, whatever the profile is
 * (unconfined and privileged included), and leaves the profile's model and
 * config.json as they were.  Built from a profile text, so that the names
 * libseccomp does not know (fchmodat2) are handled as in profiles. */
int ctr_load_seccomp_deny(const struct container *c, scmp_filter_ctx *ctx, struct lab_error **err)
{
  *ctx = NULL;
  if (c->seccomp_deny == NULL || c->seccomp_deny[0] == NULL)
    return 0;
  struct json_object *names = json_object_new_array();
  for (size_t i = 0; c->seccomp_deny[i] != NULL; i++)
    json_object_array_add(names, json_object_new_string(c->seccomp_deny[i]));
  struct json_object *rule = json_object_new_object();
  json_object_object_add(rule, "names", names);
  json_object_object_add(rule, "action", json_object_new_string("SCMP_ACT_ERRNO"));
  json_object_object_add(rule, "errnoRet", json_object_new_int(EPERM));
  struct json_object *rules = json_object_new_array();
  json_object_array_add(rules, rule);
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "defaultAction", json_object_new_string("SCMP_ACT_ALLOW"));
  json_object_object_add(o, "syscalls", rules);
  struct sec_profile *prof = NULL;
  int rc = sec_profile_parse(json_object_to_json_string(o), "<seccomp-set deny>", &prof, err);
  json_object_put(o);
  if (rc == 0)
    rc = sec_profile_build(prof, ctx, err);
  sec_profile_free(prof);
  return rc < 0 ? lab_error_wrap(err, "the seccomp deny of %s", c->name) : 0;
}

static int write_config_once(struct container *c, struct sec_profile *prof, struct lab_error **err)
{
  char path[PATH_MAX];
  if (ctr_path_err(err, path, sizeof path, "%s/config.json", c->dir) < 0)
    return -1;
  if (access(path, F_OK) == 0)
    return 0;
  char **envp = ctr_build_env(c);
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
      .caps = ctr_caps(c),
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
  if (c->state == CONTAINER_RUNNING)
    return lab_error_set(err, 0, "container %s is already running", c->name);
  if (ctr_store_cgroups(s, err) < 0)
    return -1;

  struct launch l = {.c = c,
                     .sync_fd = -1,
                     .err_fd = -1,
                     .log_fd = -1,
                     .pod_fds = {-1, -1, -1},
                     .caps = ctr_caps(c)};
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
    if (ctr_state_load(s, c->pod, &infra, err) < 0)
      return lab_error_wrap(err, "container %s: its pod", c->name);
    if (infra->state != CONTAINER_RUNNING)
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
    if (ctr_load_seccomp(c, &l.seccomp, &prof, err) < 0 ||
        ctr_load_seccomp_deny(c, &l.seccomp_deny, err) < 0)
      goto out;
    if (!c->mounted) {
      if (ctr_rootfs_mount_overlay(c, err) < 0)
        goto out;
      c->mounted = true;
      mounted_here = true;
    }
    if (write_config_once(c, prof, err) < 0)
      goto out;
    l.envp = ctr_build_env(c);
    if (log_to_file) {
      char logp[PATH_MAX];
      if (ctr_path_err(err, logp, sizeof logp, "%s/ctr.log", c->dir) < 0)
        goto out;
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
  ssize_t got = ctr_read_all(err_pipe[0], msg, sizeof msg);
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
  ctr_set_str(&c->started, now);
  free(c->finished);
  c->finished = NULL;
  c->exit_code = 0;
  c->oom_killed = false;
  c->state = CONTAINER_RUNNING;
  if (ctr_state_save(c, err) < 0)
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
  if (l.seccomp_deny)
    seccomp_release(l.seccomp_deny);
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
  if (ctr_store_cgroups(s, &e) == 0 && cgroup_oom_killed(s->cg, c->cgroup, &oom, &e) < 0)
    oom = 0;
  lab_error_clear(&e);
  if (s->cg != NULL && cgroup_destroy(s->cg, c->cgroup, &e) < 0)
    lab_error_clear(&e);
  /* Re-read: `mount`/`unmount` may have changed the record meanwhile. */
  if (ctr_state_reload(s, c, &e) < 0)
    lab_error_clear(&e);
  c->exit_code = code;
  c->oom_killed = oom != 0;
  char now[64];
  timefmt_iso(now, NULL, 9);
  ctr_set_str(&c->finished, now);
  c->state = CONTAINER_EXITED;
  if (c->mounted && !c->user_mounted) {
    if (umount2(c->merged, MNT_DETACH) == 0 || errno == EINVAL)
      c->mounted = false;
  }
  return ctr_state_save(c, err);
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
    fileio_stdio_to_devnull();
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
  ssize_t got = ctr_read_all(p[0], msg, sizeof msg);
  close(p[0]);
  if (got != 0)
    return lab_error_set(err, 0, "%s", got > 0 ? msg : "the monitor failed");
  struct lab_error *e = NULL;
  if (ctr_state_reload(s, c, &e) < 0) {
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
    if (ctr_state_reload(s, c, &e) < 0) {
      lab_error_clear(&e);
      return -1;
    }
    if (c->state != CONTAINER_RUNNING)
      return 0;
    usleep(5000);
  }
  return -1;
}

int container_kill(struct ctr_store *s, struct container *c, int sig, struct lab_error **err)
{
  if (c->state != CONTAINER_RUNNING)
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
  if (c->state != CONTAINER_RUNNING)
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
  if (c->state == CONTAINER_RUNNING) {
    if (!force)
      return lab_error_set(
          err, EBUSY, "container %s is running: stop it first or remove it with --force", c->name);
    if (container_kill(s, c, SIGKILL, err) < 0)
      return -1;
  }
  /* a pod cannot go while a container still uses it */
  if (c->infra && ctr_members_none(s, c, err) < 0)
    return -1;
  struct lab_error *e = NULL;
  if (ctr_store_cgroups(s, &e) < 0 || cgroup_destroy(s->cg, c->cgroup, &e) < 0) {
    lab_error_set(err, e->errnum, "removing %s: %s", c->name, e->msg);
    lab_error_clear(&e);
    return -1;
  }
  if (c->mounted && umount2(c->merged, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    return lab_error_errno(err, "unmounting %s", c->merged);
  if (image_rm_rf(c->dir, err) < 0)
    return -1;
  ctr_name_release(s, c->name);
  ctr_label_release(s, c);
  if (c->pod != NULL)
    ctr_member_remove(s, c->pod, c->id);
  return 0;
}
