/* The REST API's fault messages (the conventions of api.h: borrowed strings,
 * decoders malloc arrays released by api_X_release(), encoders return a new
 * object).
 *
 *   GET    /v1/labs/LAB/faults    200 {"catalogue": [KIND...], "scenario": [SCENARIO_FAULT...],
 *                                      "active": [ACTIVE...]}              struct api_faults
 *                                 Each active fault's predicate is evaluated for the reply.
 *   POST   /v1/labs/LAB/faults    body {"name": "mtu-black-hole"} (a scenario fault) or
 *                                 {"kind": "link-mtu", "params": {"mtu": "1300"}, "for": "30s"}
 *                                                                          struct api_fault_inject
 *                                 201 ACTIVE (with the resolved target and parameters);
 *                                 400 bad kind or parameter, 404 no such fault or target,
 *                                 409 that fault is active already, 501 kind not implemented
 *   DELETE /v1/labs/LAB/faults/ID|NAME|KIND   repairs the active faults it names
 *   DELETE /v1/labs/LAB/faults                repairs every active fault
 *                                 200 {"repaired": [ACTIVE...]}             struct
 * api_faults_repaired 404 "no active fault named x"
 *
 *   KIND:   {"name", "breaks", "implemented": bool, "params": ["node", ...], "symptom"}
 *   SCENARIO_FAULT: {"name", "kind", "params": {k: v}, "symptom"}
 *   ACTIVE: {"id": N, "name" (null: by kind), "kind", "params": {k: v}, "target",
 *            "injected_at", "by": "cli|timer|exercise", "state":
 * "active|repaired|repaired-by-hand", "repaired_at" (null while active), "for_ms" (0: until
 * repaired), "symptom", "inject_us", "repair_us" (the engine's own time)} */
#ifndef NODELAB_PROTO_API_FAULTS_H
#define NODELAB_PROTO_API_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct json_object;

enum api_fault_state {
  API_FAULT_ACTIVE,
  API_FAULT_REPAIRED,
  API_FAULT_REPAIRED_BY_HAND,
  API_FAULT_STATE__COUNT
};
enum api_fault_by {
  API_FAULT_BY_CLI,
  API_FAULT_BY_TIMER,
  API_FAULT_BY_EXERCISE,
  API_FAULT_BY__COUNT
};

/* Wire names ("active", "repaired-by-hand"; "cli"...); static storage. */
const char *api_fault_state_name(enum api_fault_state s);
const char *api_fault_by_name(enum api_fault_by b);

struct api_fault_param {
  const char *key, *value;
};

struct api_fault_kind {
  const char *name, *breaks, *symptom;
  bool implemented;
  const char **params;
  size_t n_params;
};

struct api_scenario_fault {
  const char *name, *kind, *symptom;
  struct api_fault_param *params;
  size_t n_params;
};

struct api_active_fault {
  int64_t id;
  const char *name; /* NULL: injected by kind */
  const char *kind, *target, *injected_at, *repaired_at, *symptom;
  enum api_fault_by by;
  enum api_fault_state state;
  int64_t for_ms, inject_us, repair_us;
  struct api_fault_param *params;
  size_t n_params;
};

struct api_faults {
  struct api_fault_kind *catalogue;
  size_t n_catalogue;
  struct api_scenario_fault *scenario;
  size_t n_scenario;
  struct api_active_fault *active;
  size_t n_active;
};

struct api_fault_inject {
  const char *name; /* a scenario fault, or NULL */
  const char *kind; /* or a kind with params */
  struct api_fault_param *params;
  size_t n_params;
  const char *for_; /* "30s", or NULL */
};

struct api_faults_repaired {
  struct api_active_fault *repaired;
  size_t n_repaired;
};

struct json_object *api_active_fault_encode(const struct api_active_fault *m);
int api_active_fault_decode(struct json_object *o, struct api_active_fault *out,
                            struct lab_error **err);
void api_active_fault_release(struct api_active_fault *m);

struct json_object *api_faults_encode(const struct api_faults *m);
int api_faults_decode(struct json_object *o, struct api_faults *out, struct lab_error **err);
void api_faults_release(struct api_faults *m);

struct json_object *api_fault_inject_encode(const struct api_fault_inject *m);
int api_fault_inject_decode(struct json_object *o, struct api_fault_inject *out,
                            struct lab_error **err);
void api_fault_inject_release(struct api_fault_inject *m);

struct json_object *api_faults_repaired_encode(const struct api_faults_repaired *m);
int api_faults_repaired_decode(struct json_object *o, struct api_faults_repaired *out,
                               struct lab_error **err);
void api_faults_repaired_release(struct api_faults_repaired *m);

#endif
