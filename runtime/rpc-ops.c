#include "rpc-ops.h"
#include "strv.h"
#include "xalloc.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

static_assert((int)CONTAINER_N_STATES == (int)RT_STATE_N, "the same states on the wire");
static_assert((int)CONTAINER_CREATED == (int)RT_STATE_CREATED &&
                  (int)CONTAINER_RUNNING == (int)RT_STATE_RUNNING &&
                  (int)CONTAINER_EXITED == (int)RT_STATE_EXITED,
              "in the same order");

enum rt_rpc_state rt_state_to_rpc(enum container_state s)
{
  return (enum rt_rpc_state)s;
}

static const char **borrow_strv(char *const *v)
{
  if (v == NULL || v[0] == NULL)
    return NULL;
  size_t n = 0;
  while (v[n] != NULL)
    n++;
  const char **out = xcalloc(n + 1, sizeof *out);
  for (size_t i = 0; i < n; i++)
    out[i] = v[i];
  return out;
}

void rt_spec_from_rpc(const struct rt_rpc_spec *rpc, struct rt_spec *out)
{
  struct ctr_spec *s = &out->spec;
  s->image = rpc->image;
  s->name = rpc->name;
  s->hostname = rpc->hostname;
  s->pod = rpc->pod;
  s->seccomp_profile = rpc->seccomp_profile;
  s->limits.memory_bytes = rpc->memory_bytes;
  s->limits.cpu_millis = rpc->cpu_millis;
  s->limits.pids = rpc->pids;
  s->privileged = rpc->privileged;
  s->net = rpc->net == RT_NET_HOST ? CTR_NET_HOST : CTR_NET_PRIVATE;
  out->cluster_net = rt_rpc_net_is_cluster(rpc->net);
  out->argv = borrow_strv(rpc->command);
  out->env = borrow_strv(rpc->env);
  s->argv = out->argv;
  s->env = out->env;
  if (rpc->entrypoint != NULL) {
    size_t n = 0;
    while (rpc->entrypoint[n] != NULL)
      n++;
    out->entrypoint = xcalloc(n + 1, sizeof *out->entrypoint);
    for (size_t i = 0; i < n; i++)
      out->entrypoint[i] = rpc->entrypoint[i];
    s->entrypoint = out->entrypoint;
  }
  if (rpc->n_volumes > 0) {
    out->volumes = xcalloc(rpc->n_volumes, sizeof *out->volumes);
    for (size_t i = 0; i < rpc->n_volumes; i++)
      out->volumes[i] = (struct ctr_volume){rpc->volumes[i].host, rpc->volumes[i].ctr,
                                            rpc->volumes[i].relabel, rpc->volumes[i].readonly};
    s->volumes = out->volumes;
    s->n_volumes = rpc->n_volumes;
  }
}

int rt_spec_from_json(struct json_object *o, struct rt_spec *out, struct lab_error **err)
{
  memset(out, 0, sizeof *out);
  if (rt_rpc_run_from_json(o, &out->run, err) < 0)
    return -1;
  rt_spec_from_rpc(&out->run.spec, out);
  return 0;
}

void rt_spec_release(struct rt_spec *s)
{
  free(s->argv);
  free(s->env);
  free(s->entrypoint);
  free(s->volumes);
  rt_rpc_run_clear(&s->run);
  memset(s, 0, sizeof *s);
}

void rt_ps_entry(const struct container *c, const char *pod_name, struct rt_rpc_ps_entry *out)
{
  char **cmd = strv_dup((char *const *)container_command(c));
  *out = (struct rt_rpc_ps_entry){
      .id = xstrdup(container_id(c)),
      .name = xstrdup(container_name(c)),
      .image = xstrdup(container_image(c)),
      .command = cmd,
      .created = xstrdup(container_created(c)),
      .started_at = xstrdup(container_started(c)),
      .finished_at = xstrdup(container_finished(c)),
      .state = rt_state_to_rpc(container_state(c)),
      .exit_code = container_exit_code(c),
      .oom_killed = container_oom_killed(c),
      .pid = container_pid(c),
      .label = xstrdup(container_label(c)),
      .label_enforced = container_label_enforced(c),
      .is_infra = container_is_infra(c),
      .pod = xstrdup(pod_name),
  };
}
