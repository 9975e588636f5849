/* The REST API's exercise messages and the history's lines
 * (api-exercises.h): one encoder and one decoder each. */
#include "api-exercises.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "names.h"
#include "xalloc.h"

static const char *const state_names[] = {
    [API_EXERCISE_RUNNING] = "running",
    [API_EXERCISE_SOLVED] = "solved",
    [API_EXERCISE_GIVEN_UP] = "given-up",
    [API_EXERCISE_REPLACED] = "replaced",
};
static_assert(NAMES_N(state_names) == API_EXERCISE_STATE__COUNT, "a name per exercise state");

const char *api_exercise_state_name(enum api_exercise_state s)
{
  return names_get(state_names, NAMES_N(state_names), (size_t)s, "unknown");
}

static int not_object(struct lab_error **err, const char *what)
{
  return lab_error_set(err, EPROTO, "malformed %s: not a JSON object", what);
}

/* The state at key, or -1 and *err. */
static int get_state(struct json_object *o, const char *key, const char *what,
                     struct lab_error **err)
{
  const char *s = json_get_str(o, key);
  int i = names_find(state_names, NAMES_N(state_names), s);
  if (i < 0)
    return lab_error_set(err, EPROTO,
                         "malformed %s: %s \"%s\" is not one of running, solved, "
                         "given-up, replaced",
                         what, key, s ? s : "(none)");
  return i;
}

static void add_int(struct json_object *o, const char *key, int64_t v)
{
  json_object_object_add(o, key, json_object_new_int64(v));
}

static void add_str_or_null(struct json_object *o, const char *key, const char *v)
{
  json_object_object_add(o, key, v ? json_object_new_string(v) : NULL);
}

static struct json_object *strs_encode(const char *const *v, size_t n)
{
  struct json_object *a = json_object_new_array();
  for (size_t i = 0; i < n; i++)
    json_object_array_add(a, json_object_new_string(v[i]));
  return a;
}

/* The strings of the array at key (borrowed), or -1 and *err when an item is not one. */
static int strs_decode(struct json_object *o, const char *key, const char ***out, size_t *n,
                       struct lab_error **err)
{
  struct json_object *a = json_get_array(o, key);
  size_t len = a ? json_object_array_length(a) : 0;
  *out = xcalloc(len + 1, sizeof **out);
  *n = 0;
  for (size_t i = 0; i < len; i++) {
    struct json_object *s = json_object_array_get_idx(a, i);
    if (!json_object_is_type(s, json_type_string)) {
      free(*out);
      *out = NULL;
      return lab_error_set(err, EPROTO, "malformed reply: %s[%zu] is not a string", key, i);
    }
    (*out)[(*n)++] = json_object_get_string(s);
  }
  return 0;
}

/* ---- POST /v1/labs/LAB/exercise ---- */

struct json_object *api_exercise_start_encode(const struct api_exercise_start *m)
{
  struct json_object *o = json_object_new_object();
  add_str_or_null(o, "name", m->name);
  if (m->has_seed)
    add_int(o, "seed", (int64_t)m->seed);
  return o;
}

int api_exercise_start_decode(struct json_object *o, struct api_exercise_start *out,
                              struct lab_error **err)
{
  memset(out, 0, sizeof *out);
  if (!json_object_is_type(o, json_type_object))
    return lab_error_set(err, 0, "the request is not a JSON object");
  out->name = json_get_str(o, "name");
  struct json_object *seed;
  if (json_object_object_get_ex(o, "seed", &seed) && seed != NULL) {
    if (!json_object_is_type(seed, json_type_int) || json_object_get_int64(seed) < 0)
      return lab_error_set(err, 0, "seed: not a number from 0 up");
    out->has_seed = true;
    out->seed = (uint64_t)json_object_get_int64(seed);
  }
  return 0;
}

struct json_object *api_exercise_started_encode(const struct api_exercise_started *m)
{
  struct json_object *o = json_object_new_object();
  json_add_str(o, "exercise", m->exercise);
  add_int(o, "seed", (int64_t)m->seed);
  json_add_str(o, "symptom", m->symptom);
  return o;
}

int api_exercise_started_decode(struct json_object *o, struct api_exercise_started *out,
                                struct lab_error **err)
{
  memset(out, 0, sizeof *out);
  if (!json_object_is_type(o, json_type_object))
    return not_object(err, "reply");
  *out = (struct api_exercise_started){.exercise = json_get_str(o, "exercise"),
                                       .symptom = json_get_str(o, "symptom"),
                                       .seed = (uint64_t)json_get_int(o, "seed", 0)};
  if (out->exercise == NULL)
    return lab_error_set(err, EPROTO, "malformed reply: lacks \"exercise\"");
  return 0;
}

/* ---- GET /v1/labs/LAB/exercise ---- */

struct json_object *api_exercise_status_encode(const struct api_exercise_status *m)
{
  struct json_object *o = json_object_new_object();
  json_add_str(o, "exercise", m->exercise);
  add_int(o, "seed", (int64_t)m->seed);
  json_object_object_add(o, "state", json_object_new_string(api_exercise_state_name(m->state)));
  json_add_str(o, "started", m->started);
  add_int(o, "seconds", m->seconds);
  add_int(o, "hints_used", m->hints_used);
  add_int(o, "hints_total", m->hints_total);
  add_int(o, "checks_tried", m->checks_tried);
  json_add_str(o, "symptom", m->symptom);
  add_str_or_null(o, "reason", m->reason);
  return o;
}

int api_exercise_status_decode(struct json_object *o, struct api_exercise_status *out,
                               struct lab_error **err)
{
  memset(out, 0, sizeof *out);
  if (!json_object_is_type(o, json_type_object))
    return not_object(err, "reply");
  int state = get_state(o, "state", "reply", err);
  if (state < 0)
    return -1;
  *out = (struct api_exercise_status){.exercise = json_get_str(o, "exercise"),
                                      .started = json_get_str(o, "started"),
                                      .symptom = json_get_str(o, "symptom"),
                                      .reason = json_get_str(o, "reason"),
                                      .seed = (uint64_t)json_get_int(o, "seed", 0),
                                      .state = (enum api_exercise_state)state,
                                      .seconds = json_get_int(o, "seconds", 0),
                                      .hints_used = json_get_int(o, "hints_used", 0),
                                      .hints_total = json_get_int(o, "hints_total", 0),
                                      .checks_tried = json_get_int(o, "checks_tried", 0)};
  return 0;
}

/* ---- POST /v1/labs/LAB/exercise/hint ---- */

struct json_object *api_exercise_hint_encode(const struct api_exercise_hint *m)
{
  struct json_object *o = json_object_new_object();
  add_int(o, "number", m->number);
  add_int(o, "total", m->total);
  add_str_or_null(o, "hint", m->hint);
  return o;
}

int api_exercise_hint_decode(struct json_object *o, struct api_exercise_hint *out,
                             struct lab_error **err)
{
  memset(out, 0, sizeof *out);
  if (!json_object_is_type(o, json_type_object))
    return not_object(err, "reply");
  *out = (struct api_exercise_hint){.number = json_get_int(o, "number", 0),
                                    .total = json_get_int(o, "total", 0),
                                    .hint = json_get_str(o, "hint")};
  return 0;
}

/* ---- POST /v1/labs/LAB/exercise/check ---- */

struct json_object *api_exercise_check_encode(const struct api_exercise_check *m)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "passed", json_object_new_boolean(m->passed));
  json_object_object_add(o, "state", json_object_new_string(api_exercise_state_name(m->state)));
  json_object_object_add(o, "fault_present", json_object_new_boolean(m->fault_present));
  json_object_object_add(o, "problems", strs_encode(m->problems, m->n_problems));
  add_str_or_null(o, "residue", m->residue);
  add_str_or_null(o, "replaced", m->replaced);
  add_int(o, "checks_tried", m->checks_tried);
  return o;
}

int api_exercise_check_decode(struct json_object *o, struct api_exercise_check *out,
                              struct lab_error **err)
{
  memset(out, 0, sizeof *out);
  if (!json_object_is_type(o, json_type_object))
    return not_object(err, "reply");
  int state = get_state(o, "state", "reply", err);
  if (state < 0)
    return -1;
  *out = (struct api_exercise_check){.passed = json_get_bool(o, "passed", false),
                                     .fault_present = json_get_bool(o, "fault_present", false),
                                     .state = (enum api_exercise_state)state,
                                     .residue = json_get_str(o, "residue"),
                                     .replaced = json_get_str(o, "replaced"),
                                     .checks_tried = json_get_int(o, "checks_tried", 0)};
  return strs_decode(o, "problems", &out->problems, &out->n_problems, err);
}

void api_exercise_check_release(struct api_exercise_check *m)
{
  free(m->problems);
  m->problems = NULL;
  m->n_problems = 0;
}

/* ---- POST /v1/labs/LAB/exercise/solve ---- */

struct json_object *api_exercise_solution_encode(const struct api_exercise_solution *m)
{
  struct json_object *o = json_object_new_object();
  json_add_str(o, "cause", m->cause);
  json_add_str(o, "target", m->target);
  json_object_object_add(o, "commands", strs_encode(m->commands, m->n_commands));
  json_object_object_add(o, "state", json_object_new_string(api_exercise_state_name(m->state)));
  return o;
}

int api_exercise_solution_decode(struct json_object *o, struct api_exercise_solution *out,
                                 struct lab_error **err)
{
  memset(out, 0, sizeof *out);
  if (!json_object_is_type(o, json_type_object))
    return not_object(err, "reply");
  int state = get_state(o, "state", "reply", err);
  if (state < 0)
    return -1;
  *out = (struct api_exercise_solution){.cause = json_get_str(o, "cause"),
                                        .target = json_get_str(o, "target"),
                                        .state = (enum api_exercise_state)state};
  return strs_decode(o, "commands", &out->commands, &out->n_commands, err);
}

void api_exercise_solution_release(struct api_exercise_solution *m)
{
  free(m->commands);
  m->commands = NULL;
  m->n_commands = 0;
}

/* ---- the history's lines ---- */

struct json_object *api_exercise_record_encode(const struct api_exercise_record *m)
{
  struct json_object *o = json_object_new_object();
  json_add_str(o, "lab", m->lab);
  json_add_str(o, "exercise", m->exercise);
  json_add_str(o, "fault", m->fault);
  json_add_str(o, "kind", m->kind);
  json_add_str(o, "target", m->target);
  add_int(o, "seed", (int64_t)m->seed);
  json_add_str(o, "started", m->started);
  json_add_str(o, "ended", m->ended);
  add_int(o, "seconds", m->seconds);
  add_int(o, "hints_used", m->hints_used);
  add_int(o, "checks_tried", m->checks_tried);
  json_object_object_add(o, "result", json_object_new_string(api_exercise_state_name(m->result)));
  add_str_or_null(o, "reason", m->reason);
  return o;
}

int api_exercise_record_decode(struct json_object *o, struct api_exercise_record *out,
                               struct lab_error **err)
{
  memset(out, 0, sizeof *out);
  if (!json_object_is_type(o, json_type_object))
    return not_object(err, "history line");
  static const char *const required[] = {"lab", "exercise", "fault", "kind", "started", "ended"};
  for (size_t i = 0; i < NAMES_N(required); i++)
    if (json_get_str(o, required[i]) == NULL)
      return lab_error_set(err, EPROTO, "malformed history line: lacks \"%s\"", required[i]);
  int result = get_state(o, "result", "history line", err);
  if (result < 0)
    return -1;
  if (result == API_EXERCISE_RUNNING)
    return lab_error_set(err, EPROTO,
                         "malformed history line: result \"running\" is not a finished one");
  *out = (struct api_exercise_record){.lab = json_get_str(o, "lab"),
                                      .exercise = json_get_str(o, "exercise"),
                                      .fault = json_get_str(o, "fault"),
                                      .kind = json_get_str(o, "kind"),
                                      .target = json_get_str(o, "target"),
                                      .started = json_get_str(o, "started"),
                                      .ended = json_get_str(o, "ended"),
                                      .reason = json_get_str(o, "reason"),
                                      .seed = (uint64_t)json_get_int(o, "seed", 0),
                                      .seconds = json_get_int(o, "seconds", 0),
                                      .hints_used = json_get_int(o, "hints_used", 0),
                                      .checks_tried = json_get_int(o, "checks_tried", 0),
                                      .result = (enum api_exercise_state)result};
  return 0;
}

char *api_exercise_record_line(const struct api_exercise_record *m)
{
  struct json_object *o = api_exercise_record_encode(m);
  char *line = NULL;
  if (asprintf(&line, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) < 0)
    abort();
  json_object_put(o);
  return line;
}

int api_exercise_record_parse(const char *line, struct api_exercise_record *out,
                              struct json_object **holder, struct lab_error **err)
{
  memset(out, 0, sizeof *out);
  *holder = NULL;
  struct json_tokener *tok = json_tokener_new();
  if (tok == NULL)
    abort();
  size_t len = strcspn(line, "\n");
  struct json_object *o = json_tokener_parse_ex(tok, line, (int)len);
  enum json_tokener_error jerr = json_tokener_get_error(tok);
  json_tokener_free(tok);
  if (o == NULL || jerr != json_tokener_success) {
    json_object_put(o);
    return lab_error_set(err, EPROTO, "malformed history line: not JSON (%s)",
                         jerr == json_tokener_continue ? "it ends too soon"
                                                       : json_tokener_error_desc(jerr));
  }
  if (api_exercise_record_decode(o, out, err) < 0) {
    json_object_put(o);
    return -1;
  }
  *holder = o;
  return 0;
}
