#include "rpc-ops.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

static const char *const spec_fields[] = {
    "image", "name", "command", "env", "hostname", "pod", "net", "memory_bytes", "cpu_millis",
    "pids", "seccomp_profile", "volumes",
    /* run's own fields, and the op itself: not part of the spec but allowed */
    "op", "detach", "rm", "tty", "winsize", NULL};

static bool known_field(const char *k)
{
  for (size_t i = 0; spec_fields[i]; i++)
    if (strcmp(spec_fields[i], k) == 0)
      return true;
  return false;
}

static int get_string(struct json_object *o, const char *key, bool required, const char **out,
                      struct lab_error **err)
{
  struct json_object *v;
  *out = NULL;
  if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
    if (required)
      return lab_error_set(err, 0, "%s: missing", key);
    return 0;
  }
  if (!json_object_is_type(v, json_type_string))
    return lab_error_set(err, 0, "%s: expected a string", key);
  *out = json_object_get_string(v);
  return 0;
}

static int get_u64(struct json_object *o, const char *key, uint64_t *out, struct lab_error **err)
{
  struct json_object *v;
  if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
    return 0;
  if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
    return lab_error_set(err, 0, "%s: expected a non-negative integer", key);
  *out = (uint64_t)json_object_get_int64(v);
  return 0;
}

static int get_bool(struct json_object *o, const char *key, bool *out, struct lab_error **err)
{
  struct json_object *v;
  *out = false;
  if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
    return 0;
  if (!json_object_is_type(v, json_type_boolean))
    return lab_error_set(err, 0, "%s: expected true or false", key);
  *out = json_object_get_boolean(v);
  return 0;
}

/* A NULL-terminated array of the strings of a JSON array (borrowed). */
static int get_strv(struct json_object *o, const char *key, const char ***out,
                    struct lab_error **err)
{
  struct json_object *v;
  *out = NULL;
  if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
    return 0;
  if (!json_object_is_type(v, json_type_array))
    return lab_error_set(err, 0, "%s: expected an array of strings", key);
  size_t n = json_object_array_length(v);
  const char **a = calloc(n + 1, sizeof *a);
  if (a == NULL)
    return lab_error_set(err, ENOMEM, "%s", key);
  for (size_t i = 0; i < n; i++) {
    struct json_object *e = json_object_array_get_idx(v, i);
    if (!json_object_is_type(e, json_type_string)) {
      free(a);
      return lab_error_set(err, 0, "%s[%zu]: expected a string", key, i);
    }
    a[i] = json_object_get_string(e);
  }
  *out = a;
  return 0;
}

int rt_spec_from_json(struct json_object *o, struct rt_spec *out, struct lab_error **err)
{
  memset(out, 0, sizeof *out);
  if (o == NULL || !json_object_is_type(o, json_type_object))
    return lab_error_set(err, 0, "expected an object");
  json_object_object_foreach(o, key, val)
  {
    (void)val;
    if (!known_field(key))
      return lab_error_set(err, 0, "%s: unknown field", key);
  }
  struct ctr_spec *s = &out->spec;
  const char *net = NULL;
  if (get_string(o, "image", true, &s->image, err) < 0 ||
      get_string(o, "name", false, &s->name, err) < 0 ||
      get_string(o, "hostname", false, &s->hostname, err) < 0 ||
      get_string(o, "pod", false, &s->pod, err) < 0 || get_string(o, "net", false, &net, err) < 0 ||
      get_string(o, "seccomp_profile", false, &s->seccomp_profile, err) < 0 ||
      get_u64(o, "memory_bytes", &s->limits.memory_bytes, err) < 0 ||
      get_u64(o, "cpu_millis", &s->limits.cpu_millis, err) < 0 ||
      get_u64(o, "pids", &s->limits.pids, err) < 0)
    return -1;
  if (net == NULL || strcmp(net, "bridge") == 0 || strcmp(net, "private") == 0) {
    s->net = CTR_NET_PRIVATE;
    out->cluster_net = true;
  } else if (strcmp(net, "none") == 0) {
    s->net = CTR_NET_PRIVATE;
  } else if (strcmp(net, "host") == 0) {
    s->net = CTR_NET_HOST;
  } else {
    return lab_error_set(err, 0, "net: \"%s\": expected bridge, private, none or host", net);
  }
  if (s->seccomp_profile != NULL && strcmp(s->seccomp_profile, "unconfined") != 0 &&
      strcmp(s->seccomp_profile, "default") != 0 && s->seccomp_profile[0] != '/')
    return lab_error_set(err, 0, "seccomp_profile: \"%s\" must be an absolute path",
                         s->seccomp_profile);
  if (get_strv(o, "command", &out->argv, err) < 0 || get_strv(o, "env", &out->env, err) < 0) {
    rt_spec_release(out);
    return -1;
  }
  if (out->argv != NULL && out->argv[0] == NULL) {
    free(out->argv); /* an empty command: the image's */
    out->argv = NULL;
  }
  s->argv = out->argv;
  s->env = out->env;
  struct json_object *vols;
  if (json_object_object_get_ex(o, "volumes", &vols) &&
      !json_object_is_type(vols, json_type_null)) {
    if (!json_object_is_type(vols, json_type_array)) {
      rt_spec_release(out);
      return lab_error_set(err, 0, "volumes: expected an array");
    }
    size_t n = json_object_array_length(vols);
    out->volumes = calloc(n ? n : 1, sizeof *out->volumes);
    for (size_t i = 0; i < n; i++) {
      struct json_object *v = json_object_array_get_idx(vols, i);
      struct ctr_volume *cv = &out->volumes[i];
      if (!json_object_is_type(v, json_type_object) ||
          get_string(v, "host", true, &cv->host, err) < 0 ||
          get_string(v, "ctr", true, &cv->ctr, err) < 0 ||
          get_bool(v, "relabel", &cv->relabel, err) < 0 ||
          get_bool(v, "readonly", &cv->readonly, err) < 0) {
        if (err != NULL && *err == NULL)
          lab_error_set(err, 0, "expected an object");
        lab_error_wrap(err, "volumes[%zu]", i);
        rt_spec_release(out);
        return -1;
      }
      if (cv->host[0] != '/' || cv->ctr[0] != '/') {
        const char *which = cv->host[0] != '/' ? "host" : "ctr"; /* before cv is freed */
        rt_spec_release(out);
        return lab_error_set(err, 0, "volumes[%zu].%s: must be an absolute path", i, which);
      }
    }
    s->volumes = out->volumes;
    s->n_volumes = n;
  }
  return 0;
}

void rt_spec_release(struct rt_spec *s)
{
  free(s->argv);
  free(s->env);
  free(s->volumes);
  memset(s, 0, sizeof *s);
}

static struct json_object *str_or_empty(const char *s)
{
  return json_object_new_string(s ? s : "");
}

struct json_object *rt_ps_entry(const struct container *c, const char *pod_name)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "Id", json_object_new_string(container_id(c)));
  struct json_object *names = json_object_new_array();
  json_object_array_add(names, json_object_new_string(container_name(c)));
  json_object_object_add(o, "Names", names);
  json_object_object_add(o, "Image", str_or_empty(container_image(c)));
  struct json_object *cmd = json_object_new_array();
  const char *const *argv = container_command(c);
  for (size_t i = 0; argv && argv[i]; i++)
    json_object_array_add(cmd, json_object_new_string(argv[i]));
  json_object_object_add(o, "Command", cmd);
  json_object_object_add(o, "Created", str_or_empty(container_created(c)));
  json_object_object_add(o, "StartedAt", str_or_empty(container_started(c)));
  json_object_object_add(o, "FinishedAt", str_or_empty(container_finished(c)));
  json_object_object_add(o, "State", json_object_new_string(container_status(c)));
  json_object_object_add(o, "ExitCode", json_object_new_int(container_exit_code(c)));
  json_object_object_add(o, "OOMKilled", json_object_new_boolean(container_oom_killed(c)));
  json_object_object_add(o, "Pid", json_object_new_int(container_pid(c)));
  json_object_object_add(o, "Label", str_or_empty(container_label(c)));
  json_object_object_add(o, "LabelEnforced", json_object_new_boolean(container_label_enforced(c)));
  json_object_object_add(o, "IsInfra", json_object_new_boolean(container_is_infra(c)));
  json_object_object_add(o, "Pod", str_or_empty(pod_name));
  return o;
}
