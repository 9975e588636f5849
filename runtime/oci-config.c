#include "oci-config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "cleanup.h"

static struct json_object *str_array(const char *const *v)
{
  struct json_object *a = json_object_new_array();
  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    json_object_array_add(a, json_object_new_string(v[i]));
  return a;
}

static struct json_object *caps_array(uint64_t mask)
{
  struct json_object *a = json_object_new_array();
  for (int c = 0; c < 64; c++)
    if ((mask & (1ULL << c)) && caps_name(c) != NULL)
      json_object_array_add(a, json_object_new_string(caps_name(c)));
  return a;
}

static void add_mount(struct json_object *mounts, const char *dst, const char *type,
                      const char *src, const char *const *options)
{
  struct json_object *m = json_object_new_object();
  json_object_object_add(m, "destination", json_object_new_string(dst));
  json_object_object_add(m, "type", json_object_new_string(type));
  json_object_object_add(m, "source", json_object_new_string(src));
  json_object_object_add(m, "options", str_array(options));
  json_object_array_add(mounts, m);
}

struct json_object *oci_config_build(const struct oci_config_input *in)
{
  struct json_object *root = json_object_new_object();
  json_object_object_add(root, "ociVersion", json_object_new_string("1.0.2"));

  struct json_object *proc = json_object_new_object();
  json_object_object_add(proc, "terminal", json_object_new_boolean(0));
  struct json_object *user = json_object_new_object();
  json_object_object_add(user, "uid", json_object_new_int(0));
  json_object_object_add(user, "gid", json_object_new_int(0));
  json_object_object_add(proc, "user", user);
  json_object_object_add(proc, "args", str_array(in->args));
  json_object_object_add(proc, "env", str_array(in->env));
  json_object_object_add(proc, "cwd", json_object_new_string(in->cwd ? in->cwd : "/"));
  struct json_object *caps = json_object_new_object();
  json_object_object_add(caps, "bounding", caps_array(in->caps));
  json_object_object_add(caps, "effective", caps_array(in->caps));
  json_object_object_add(caps, "inheritable", caps_array(in->caps));
  json_object_object_add(caps, "permitted", caps_array(in->caps));
  json_object_object_add(caps, "ambient", json_object_new_array());
  json_object_object_add(proc, "capabilities", caps);
  json_object_object_add(proc, "noNewPrivileges", json_object_new_boolean(in->no_new_privileges));
  if (in->process_label)
    json_object_object_add(proc, "selinuxLabel", json_object_new_string(in->process_label));
  json_object_object_add(root, "process", proc);

  struct json_object *rootfs = json_object_new_object();
  json_object_object_add(rootfs, "path", json_object_new_string(in->rootfs));
  json_object_object_add(rootfs, "readonly", json_object_new_boolean(0));
  json_object_object_add(root, "root", rootfs);
  if (in->hostname)
    json_object_object_add(root, "hostname", json_object_new_string(in->hostname));

  struct json_object *mounts = json_object_new_array();
  add_mount(mounts, "/proc", "proc", "proc",
            (const char *const[]){"nosuid", "noexec", "nodev", NULL});
  add_mount(mounts, "/dev", "tmpfs", "tmpfs",
            (const char *const[]){"nosuid", "strictatime", "mode=755", "size=65536k", NULL});
  add_mount(
      mounts, "/dev/pts", "devpts", "devpts",
      (const char *const[]){"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL});
  add_mount(mounts, "/dev/shm", "tmpfs", "shm",
            (const char *const[]){"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL});
  add_mount(mounts, "/sys", "sysfs", "sysfs",
            (const char *const[]){"nosuid", "noexec", "nodev", "ro", NULL});
  for (size_t i = 0; i < in->n_volumes; i++)
    add_mount(mounts, in->volumes[i].destination, "bind", in->volumes[i].source,
              in->volumes[i].readonly ? (const char *const[]){"rbind", "ro", NULL}
                                      : (const char *const[]){"rbind", "rw", NULL});
  json_object_object_add(root, "mounts", mounts);

  struct json_object *linux_ = json_object_new_object();
  struct json_object *nss = json_object_new_array();
  for (size_t i = 0; i < in->n_namespaces; i++) {
    struct json_object *ns = json_object_new_object();
    json_object_object_add(ns, "type", json_object_new_string(in->namespaces[i].type));
    if (in->namespaces[i].path)
      json_object_object_add(ns, "path", json_object_new_string(in->namespaces[i].path));
    json_object_array_add(nss, ns);
  }
  json_object_object_add(linux_, "namespaces", nss);
  struct json_object *res = json_object_new_object();
  if (in->limits.memory_bytes) {
    struct json_object *mem = json_object_new_object();
    json_object_object_add(mem, "limit", json_object_new_int64((int64_t)in->limits.memory_bytes));
    json_object_object_add(res, "memory", mem);
  }
  if (in->limits.cpu_millis) {
    struct json_object *cpu = json_object_new_object();
    json_object_object_add(cpu, "quota",
                           json_object_new_int64((int64_t)in->limits.cpu_millis * 100));
    json_object_object_add(cpu, "period", json_object_new_int64(100000));
    json_object_object_add(res, "cpu", cpu);
  }
  if (in->limits.pids) {
    struct json_object *pids = json_object_new_object();
    json_object_object_add(pids, "limit", json_object_new_int64((int64_t)in->limits.pids));
    json_object_object_add(res, "pids", pids);
  }
  json_object_object_add(linux_, "resources", res);
  if (in->cgroups_path)
    json_object_object_add(linux_, "cgroupsPath", json_object_new_string(in->cgroups_path));
  if (in->seccomp)
    json_object_object_add(linux_, "seccomp", json_object_get(in->seccomp));
  if (in->mount_label)
    json_object_object_add(linux_, "mountLabel", json_object_new_string(in->mount_label));
  json_object_object_add(
      linux_, "maskedPaths",
      str_array((const char *const[]){"/proc/kcore", "/proc/keys", "/proc/timer_list", NULL}));
  json_object_object_add(linux_, "readonlyPaths",
                         str_array((const char *const[]){"/proc/sys", "/proc/sysrq-trigger",
                                                         "/proc/irq", "/proc/bus", NULL}));
  json_object_object_add(root, "linux", linux_);
  return root;
}

int oci_config_write(struct json_object *config, const char *path, struct lab_error **err)
{
  cleanup_free char *tmp = NULL;
  if (asprintf(&tmp, "%s.tmp", path) < 0)
    return lab_error_set(err, ENOMEM, "writing %s", path);
  const char *text = json_object_to_json_string_ext(config, JSON_C_TO_STRING_PRETTY |
                                                                JSON_C_TO_STRING_NOSLASHESCAPE);
  cleanup_close int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return lab_error_errno(err, "open %s", tmp);
  size_t len = strlen(text);
  if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
    lab_error_errno(err, "write %s", tmp);
    unlink(tmp);
    return -1;
  }
  if (rename(tmp, path) < 0) {
    lab_error_errno(err, "rename %s", tmp);
    unlink(tmp);
    return -1;
  }
  return 0;
}
