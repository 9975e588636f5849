/* An OCI runtime-spec config.json describing a container (what runc would be
 * given), written into the container's state directory at its first start. */
#ifndef NODELAB_RUNTIME_OCI_CONFIG_H
#define NODELAB_RUNTIME_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "cgroup.h"
#include "error.h"

struct oci_mount {
  const char *source, *destination;
  bool readonly;
};

struct oci_namespace {
  const char *type; /* "pid", "mount", "network", "ipc", "uts" */
  const char *path; /* NULL: a new namespace; else the one to join */
};

struct oci_config_input {
  const char *const *args; /* NULL-terminated */
  const char *const *env;  /* NULL-terminated, may be NULL */
  const char *cwd;         /* NULL: "/" */
  const char *hostname;    /* may be NULL */
  const char *rootfs;      /* the merged directory */
  uint64_t caps;           /* capability mask */
  bool no_new_privileges;
  const char *process_label; /* may be NULL */
  const char *mount_label;   /* may be NULL */
  const struct oci_namespace *namespaces;
  size_t n_namespaces;
  const struct oci_mount *volumes; /* bind mounts besides /proc, /dev, /sys */
  size_t n_volumes;
  struct cgroup_limits limits;
  const char *cgroups_path;
  struct json_object *seccomp; /* borrowed; NULL: none (unconfined) */
};

/* Returns a new config object (json_object_put it), never NULL. */
struct json_object *oci_config_build(const struct oci_config_input *in);

/* Writes the config to path atomically (temporary file + rename), mode 0600.
 * Returns 0, or -1 and *err. */
int oci_config_write(struct json_object *config, const char *path, struct lab_error **err);

#endif
