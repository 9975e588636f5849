/* What `inspect` and `ps` show of a container: podman's shapes. */
#include "container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container-internal.h"
#include "label.h"

char *container_ps_status(const struct container *c)
{
  switch (c->state) {
  case CONTAINER_RUNNING:
    return xstrdup("Up");
  case CONTAINER_EXITED:
    return c->oom_killed ? xstrdup("OOMKilled") : xasprintf("Exited (%d)", c->exit_code);
  case CONTAINER_CREATED:
  case CONTAINER_N_STATES:
    break;
  }
  return xstrdup("Created");
}

struct json_object *container_inspect_json(struct ctr_store *s, const struct container *c)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "Id", ctr_json_str(c->id));
  json_object_object_add(o, "Created", ctr_json_str(c->created));
  json_object_object_add(o, "Path", ctr_json_str(c->argv && c->argv[0] ? c->argv[0] : ""));
  struct json_object *args = json_object_new_array();
  for (size_t i = 1; c->argv && c->argv[0] && c->argv[i]; i++)
    json_object_array_add(args, json_object_new_string(c->argv[i]));
  json_object_object_add(o, "Args", args);
  struct json_object *st = json_object_new_object();
  json_object_object_add(st, "Status", ctr_json_str(container_state_name(c->state)));
  json_object_object_add(st, "Running", json_object_new_boolean(c->state == CONTAINER_RUNNING));
  json_object_object_add(st, "Pid", json_object_new_int(container_pid(c)));
  json_object_object_add(st, "ExitCode", json_object_new_int(c->exit_code));
  json_object_object_add(st, "OOMKilled", json_object_new_boolean(c->oom_killed));
  json_object_object_add(st, "StartedAt", ctr_json_str(c->started ? c->started : ""));
  json_object_object_add(st, "FinishedAt", ctr_json_str(c->finished ? c->finished : ""));
  json_object_object_add(o, "State", st);
  json_object_object_add(o, "Image", ctr_json_str(c->image));
  json_object_object_add(o, "Name", ctr_json_str(c->name));
  json_object_object_add(o, "Pod", ctr_json_str(c->pod ? c->pod : ""));
  json_object_object_add(o, "IsInfra", json_object_new_boolean(c->infra));
  json_object_object_add(o, "ProcessLabel", ctr_json_str(c->label));
  char *flabel = label_file_label(c->label);
  json_object_object_add(o, "MountLabel", ctr_json_str(flabel ? flabel : ""));
  free(flabel);
  json_object_object_add(o, "SELinuxEnforced", json_object_new_boolean(c->label_enforced));
  struct json_object *gd = json_object_new_object(), *data = json_object_new_object();
  json_object_object_add(gd, "Name", json_object_new_string("overlay"));
  json_object_object_add(data, "LowerDir", ctr_json_str(c->lower ? c->lower : ""));
  json_object_object_add(data, "UpperDir", ctr_json_str(c->upper));
  json_object_object_add(data, "WorkDir", ctr_json_str(c->work));
  json_object_object_add(data, "MergedDir", ctr_json_str(c->merged));
  json_object_object_add(gd, "Data", data);
  json_object_object_add(o, "GraphDriver", gd);
  struct json_object *hc = json_object_new_object();
  json_object_object_add(hc, "Memory", json_object_new_uint64(c->limits.memory_bytes));
  json_object_object_add(hc, "NanoCpus", json_object_new_uint64(c->limits.cpu_millis * 1000000));
  json_object_object_add(hc, "PidsLimit", json_object_new_uint64(c->limits.pids));
  json_object_object_add(hc, "CgroupParent", ctr_json_str(s->cgroup_parent));
  json_object_object_add(hc, "CgroupPath", ctr_json_str(c->cgroup));
  json_object_object_add(hc, "SeccompProfile",
                         ctr_json_str(c->privileged ? "unconfined" : c->seccomp));
  /* nodelab's own (seccomp-set): denied beyond the profile, by a second filter. */
  json_object_object_add(hc, "SeccompDeny", ctr_json_strv(c->seccomp_deny));
  json_object_object_add(hc, "Privileged", json_object_new_boolean(c->privileged));
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
  if (c->pod != NULL && ctr_state_load(s, c->pod, &infra, &e) == 0)
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
  json_object_object_add(cfg, "Hostname", ctr_json_str(c->hostname));
  json_object_object_add(cfg, "Env", ctr_json_strv(c->env));
  json_object_object_add(cfg, "Cmd", ctr_json_strv(c->argv));
  json_object_object_add(cfg, "WorkingDir", ctr_json_str(c->workdir ? c->workdir : "/"));
  json_object_object_add(o, "Config", cfg);
  return o;
}
