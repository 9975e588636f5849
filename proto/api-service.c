/* The REST API's service messages (api-service.h). */
#include "api-service.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "names.h"
#include "xalloc.h"

static const char *const action_names[] = {
    [API_SERVICE_START] = "start",
    [API_SERVICE_STOP] = "stop",
    [API_SERVICE_RESTART] = "restart",
};
static_assert(NAMES_N(action_names) == API_SERVICE_ACTION__COUNT, "a name per action");

const char *api_service_action_name(enum api_service_action a)
{
  return names_get(action_names, NAMES_N(action_names), (size_t)a, "unknown");
}

int api_service_action_parse(const char *s, enum api_service_action *out, struct lab_error **err)
{
  int i = s != NULL ? names_find(action_names, NAMES_N(action_names), s) : -1;
  if (i < 0)
    return lab_error_refuse(err, EINVAL, "unknown action %s (use start, stop or restart)",
                            s ? s : "(none)");
  *out = (enum api_service_action)i;
  return 0;
}

static int shape_error(struct lab_error **err, const char *what)
{
  return lab_error_set(err, EPROTO, "malformed reply: %s", what);
}

struct json_object *api_services_encode(const struct api_services *m)
{
  struct json_object *o = json_object_new_object();
  json_add_str(o, "node", m->node);
  struct json_object *arr = json_object_new_array();
  for (size_t i = 0; i < m->n_services; i++) {
    const struct api_service *s = &m->services[i];
    struct json_object *so = json_object_new_object();
    json_add_str(so, "name", s->name);
    json_add_str(so, "state", api_daemon_state_name(s->state));
    json_object_object_add(so, "pid", json_object_new_int64(s->pid));
    json_object_object_add(so, "restarts", json_object_new_int64(s->restarts));
    json_add_str(so, "since", s->since ? s->since : "");
    json_object_object_add(so, "supervised", json_object_new_boolean(s->supervised));
    json_object_object_add(so, "oneshot", json_object_new_boolean(s->oneshot));
    json_object_array_add(arr, so);
  }
  json_object_object_add(o, "services", arr);
  return o;
}

/* The daemon state named s (api.h's names). */
static int state_of(const char *s, enum api_daemon_state *out)
{
  for (int i = 0; i <= API_DAEMON_STOPPED; i++) {
    if (strcmp(api_daemon_state_name((enum api_daemon_state)i), s) == 0) {
      *out = (enum api_daemon_state)i;
      return 0;
    }
  }
  return -1;
}

int api_services_decode(struct json_object *o, struct api_services *out, struct lab_error **err)
{
  memset(out, 0, sizeof *out);
  if (!json_object_is_type(o, json_type_object))
    return shape_error(err, "services are not an object");
  out->node = json_get_str(o, "node");
  struct json_object *arr = json_get_array(o, "services");
  if (out->node == NULL || arr == NULL)
    return shape_error(err, "services need a node and a services array");
  size_t n = json_object_array_length(arr);
  out->services = xcalloc(n, sizeof *out->services);
  for (size_t i = 0; i < n; i++) {
    struct json_object *so = json_object_array_get_idx(arr, i);
    struct api_service *s = &out->services[i];
    const char *state = json_get_str(so, "state");
    s->name = json_get_str(so, "name");
    if (s->name == NULL || state == NULL) {
      api_services_release(out);
      return shape_error(err, "a service needs a name and a state");
    }
    if (state_of(state, &s->state) < 0) {
      lab_error_set(err, EPROTO, "malformed reply: service %s: unknown state \"%s\"", s->name,
                    state);
      api_services_release(out);
      return -1;
    }
    s->pid = json_get_int(so, "pid", 0);
    s->restarts = json_get_int(so, "restarts", 0);
    s->since = json_get_str(so, "since");
    s->supervised = json_get_bool(so, "supervised", true);
    s->oneshot = json_get_bool(so, "oneshot", false);
    out->n_services++;
  }
  return 0;
}

void api_services_release(struct api_services *m)
{
  free(m->services);
  m->services = NULL;
  m->n_services = 0;
}
