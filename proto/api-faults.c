/* The REST API's fault messages (api-faults.h): one encoder and one decoder
 * each. */
#include "api-faults.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "names.h"
#include "xalloc.h"

static const char *const fault_state_names[] = {
    [API_FAULT_ACTIVE] = "active",
    [API_FAULT_REPAIRED] = "repaired",
    [API_FAULT_REPAIRED_BY_HAND] = "repaired-by-hand",
};
static_assert(NAMES_N(fault_state_names) == API_FAULT_STATE__COUNT, "a name per fault state");

static const char *const fault_by_names[] = {
    [API_FAULT_BY_CLI] = "cli",
    [API_FAULT_BY_TIMER] = "timer",
    [API_FAULT_BY_EXERCISE] = "exercise",
};
static_assert(NAMES_N(fault_by_names) == API_FAULT_BY__COUNT, "a name per injector");

const char *api_fault_state_name(enum api_fault_state s)
{
  return names_get(fault_state_names, NAMES_N(fault_state_names), (size_t)s, "unknown");
}

const char *api_fault_by_name(enum api_fault_by b)
{
  return names_get(fault_by_names, NAMES_N(fault_by_names), (size_t)b, "unknown");
}

static int shape_error(struct lab_error **err, const char *what)
{
  return lab_error_set(err, EPROTO, "malformed reply: %s", what);
}

/* The index of key's string among names (absent: 0), or -1 and *err. */
static int get_enum(struct json_object *o, const char *key, const char *const *names, size_t n,
                    struct lab_error **err)
{
  const char *s = json_get_str(o, key);
  if (s == NULL)
    return 0;
  int i = names_find(names, n, s);
  if (i >= 0)
    return i;
  return lab_error_set(err, EPROTO, "malformed reply: unknown %s \"%s\"", key, s);
}

/* ---- params: {k: v} ---- */

static struct json_object *params_encode(const struct api_fault_param *p, size_t n)
{
  struct json_object *o = json_object_new_object();
  for (size_t i = 0; i < n; i++)
    if (p[i].value != NULL)
      json_object_object_add(o, p[i].key, json_object_new_string(p[i].value));
  return o;
}

static int params_decode(struct json_object *o, const char *key, struct api_fault_param **out,
                         size_t *n, struct lab_error **err)
{
  *out = NULL;
  *n = 0;
  struct json_object *p;
  if (!json_object_object_get_ex(o, key, &p) || json_object_is_type(p, json_type_null))
    return 0;
  if (!json_object_is_type(p, json_type_object))
    return shape_error(err, "params is not an object");
  *out = xcalloc((size_t)json_object_object_length(p), sizeof **out);
  json_object_object_foreach(p, k, v)
  {
    if (!json_object_is_type(v, json_type_string)) {
      free(*out);
      *out = NULL;
      return lab_error_set(err, 0, "parameter %s: not a string", k);
    }
    (*out)[(*n)++] = (struct api_fault_param){k, json_object_get_string(v)};
  }
  return 0;
}

/* ---- ACTIVE ---- */

static void add_str_or_null(struct json_object *o, const char *key, const char *v)
{
  json_object_object_add(o, key, v ? json_object_new_string(v) : NULL);
}

struct json_object *api_active_fault_encode(const struct api_active_fault *m)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "id", json_object_new_int64(m->id));
  add_str_or_null(o, "name", m->name);
  json_add_str(o, "kind", m->kind);
  json_object_object_add(o, "params", params_encode(m->params, m->n_params));
  json_add_str(o, "target", m->target);
  json_add_str(o, "injected_at", m->injected_at);
  json_object_object_add(o, "by", json_object_new_string(api_fault_by_name(m->by)));
  json_object_object_add(o, "state", json_object_new_string(api_fault_state_name(m->state)));
  add_str_or_null(o, "repaired_at", m->repaired_at);
  json_object_object_add(o, "for_ms", json_object_new_int64(m->for_ms));
  json_add_str(o, "symptom", m->symptom);
  json_object_object_add(o, "inject_us", json_object_new_int64(m->inject_us));
  json_object_object_add(o, "repair_us", json_object_new_int64(m->repair_us));
  return o;
}

int api_active_fault_decode(struct json_object *o, struct api_active_fault *out,
                            struct lab_error **err)
{
  memset(out, 0, sizeof *out);
  if (!json_object_is_type(o, json_type_object))
    return shape_error(err, "a fault is not an object");
  int by = get_enum(o, "by", fault_by_names, API_FAULT_BY__COUNT, err);
  int state = get_enum(o, "state", fault_state_names, API_FAULT_STATE__COUNT, err);
  if (by < 0 || state < 0)
    return -1;
  *out = (struct api_active_fault){.id = json_get_int(o, "id", 0),
                                   .name = json_get_str(o, "name"),
                                   .kind = json_get_str(o, "kind"),
                                   .target = json_get_str(o, "target"),
                                   .injected_at = json_get_str(o, "injected_at"),
                                   .repaired_at = json_get_str(o, "repaired_at"),
                                   .symptom = json_get_str(o, "symptom"),
                                   .by = (enum api_fault_by)by,
                                   .state = (enum api_fault_state)state,
                                   .for_ms = json_get_int(o, "for_ms", 0),
                                   .inject_us = json_get_int(o, "inject_us", 0),
                                   .repair_us = json_get_int(o, "repair_us", 0)};
  return params_decode(o, "params", &out->params, &out->n_params, err);
}

void api_active_fault_release(struct api_active_fault *m)
{
  free(m->params);
  m->params = NULL;
  m->n_params = 0;
}

static struct json_object *active_array(const struct api_active_fault *a, size_t n)
{
  struct json_object *arr = json_object_new_array();
  for (size_t i = 0; i < n; i++)
    json_object_array_add(arr, api_active_fault_encode(&a[i]));
  return arr;
}

static int active_array_decode(struct json_object *o, const char *key,
                               struct api_active_fault **out, size_t *n, struct lab_error **err)
{
  *out = NULL;
  *n = 0;
  struct json_object *arr;
  if (!json_object_object_get_ex(o, key, &arr) || arr == NULL)
    return 0;
  if (!json_object_is_type(arr, json_type_array))
    return shape_error(err, "faults are not an array");
  size_t len = json_object_array_length(arr);
  *out = xcalloc(len, sizeof **out);
  for (size_t i = 0; i < len; i++) {
    if (api_active_fault_decode(json_object_array_get_idx(arr, i), &(*out)[i], err) < 0)
      return -1;
    (*n)++;
  }
  return 0;
}

/* ---- GET /v1/labs/LAB/faults ---- */

struct json_object *api_faults_encode(const struct api_faults *m)
{
  struct json_object *o = json_object_new_object();
  struct json_object *cat = json_object_new_array();
  for (size_t i = 0; i < m->n_catalogue; i++) {
    const struct api_fault_kind *k = &m->catalogue[i];
    struct json_object *ko = json_object_new_object();
    json_add_str(ko, "name", k->name);
    json_add_str(ko, "breaks", k->breaks);
    json_object_object_add(ko, "implemented", json_object_new_boolean(k->implemented));
    struct json_object *params = json_object_new_array();
    for (size_t j = 0; j < k->n_params; j++)
      json_object_array_add(params, json_object_new_string(k->params[j]));
    json_object_object_add(ko, "params", params);
    json_add_str(ko, "symptom", k->symptom);
    json_object_array_add(cat, ko);
  }
  json_object_object_add(o, "catalogue", cat);
  struct json_object *sc = json_object_new_array();
  for (size_t i = 0; i < m->n_scenario; i++) {
    const struct api_scenario_fault *f = &m->scenario[i];
    struct json_object *fo = json_object_new_object();
    json_add_str(fo, "name", f->name);
    json_add_str(fo, "kind", f->kind);
    json_object_object_add(fo, "params", params_encode(f->params, f->n_params));
    json_add_str(fo, "symptom", f->symptom);
    json_object_array_add(sc, fo);
  }
  json_object_object_add(o, "scenario", sc);
  json_object_object_add(o, "active", active_array(m->active, m->n_active));
  return o;
}

int api_faults_decode(struct json_object *o, struct api_faults *out, struct lab_error **err)
{
  memset(out, 0, sizeof *out);
  if (!json_object_is_type(o, json_type_object))
    return shape_error(err, "not an object");
  struct json_object *cat = json_get_array(o, "catalogue");
  size_t n = cat ? json_object_array_length(cat) : 0;
  out->catalogue = xcalloc(n, sizeof *out->catalogue);
  for (size_t i = 0; i < n; i++) {
    struct json_object *ko = json_object_array_get_idx(cat, i);
    struct api_fault_kind *k = &out->catalogue[out->n_catalogue++];
    *k = (struct api_fault_kind){.name = json_get_str(ko, "name"),
                                 .breaks = json_get_str(ko, "breaks"),
                                 .symptom = json_get_str(ko, "symptom"),
                                 .implemented = json_get_bool(ko, "implemented", false)};
    struct json_object *params = json_get_array(ko, "params");
    size_t np = params ? json_object_array_length(params) : 0;
    k->params = xcalloc(np, sizeof *k->params);
    for (size_t j = 0; j < np; j++)
      k->params[k->n_params++] = json_object_get_string(json_object_array_get_idx(params, j));
  }
  struct json_object *sc = json_get_array(o, "scenario");
  n = sc ? json_object_array_length(sc) : 0;
  out->scenario = xcalloc(n, sizeof *out->scenario);
  for (size_t i = 0; i < n; i++) {
    struct json_object *fo = json_object_array_get_idx(sc, i);
    struct api_scenario_fault *f = &out->scenario[out->n_scenario++];
    *f = (struct api_scenario_fault){.name = json_get_str(fo, "name"),
                                     .kind = json_get_str(fo, "kind"),
                                     .symptom = json_get_str(fo, "symptom")};
    if (params_decode(fo, "params", &f->params, &f->n_params, err) < 0)
      return -1;
  }
  return active_array_decode(o, "active", &out->active, &out->n_active, err);
}

void api_faults_release(struct api_faults *m)
{
  for (size_t i = 0; i < m->n_catalogue; i++)
    free(m->catalogue[i].params);
  free(m->catalogue);
  for (size_t i = 0; i < m->n_scenario; i++)
    free(m->scenario[i].params);
  free(m->scenario);
  for (size_t i = 0; i < m->n_active; i++)
    api_active_fault_release(&m->active[i]);
  free(m->active);
  memset(m, 0, sizeof *m);
}

/* ---- POST /v1/labs/LAB/faults ---- */

struct json_object *api_fault_inject_encode(const struct api_fault_inject *m)
{
  struct json_object *o = json_object_new_object();
  json_add_str(o, "name", m->name);
  json_add_str(o, "kind", m->kind);
  if (m->kind != NULL)
    json_object_object_add(o, "params", params_encode(m->params, m->n_params));
  json_add_str(o, "for", m->for_);
  return o;
}

int api_fault_inject_decode(struct json_object *o, struct api_fault_inject *out,
                            struct lab_error **err)
{
  memset(out, 0, sizeof *out);
  if (!json_object_is_type(o, json_type_object))
    return lab_error_set(err, 0, "the request is not a JSON object");
  out->name = json_get_str(o, "name");
  out->kind = json_get_str(o, "kind");
  out->for_ = json_get_str(o, "for");
  if ((out->name == NULL) == (out->kind == NULL))
    return lab_error_set(err, 0, "give either \"name\" (a scenario fault) or \"kind\"");
  return params_decode(o, "params", &out->params, &out->n_params, err);
}

void api_fault_inject_release(struct api_fault_inject *m)
{
  free(m->params);
  m->params = NULL;
  m->n_params = 0;
}

/* ---- DELETE /v1/labs/LAB/faults[/X] ---- */

struct json_object *api_faults_repaired_encode(const struct api_faults_repaired *m)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "repaired", active_array(m->repaired, m->n_repaired));
  return o;
}

int api_faults_repaired_decode(struct json_object *o, struct api_faults_repaired *out,
                               struct lab_error **err)
{
  memset(out, 0, sizeof *out);
  if (!json_object_is_type(o, json_type_object))
    return shape_error(err, "not an object");
  return active_array_decode(o, "repaired", &out->repaired, &out->n_repaired, err);
}

void api_faults_repaired_release(struct api_faults_repaired *m)
{
  for (size_t i = 0; i < m->n_repaired; i++)
    api_active_fault_release(&m->repaired[i]);
  free(m->repaired);
  memset(m, 0, sizeof *m);
}
