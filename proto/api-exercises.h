/* The REST API's exercise messages and the exercise history's lines (the
 * conventions of api.h: borrowed strings, decoders malloc arrays released
 * by api_X_release(), encoders return a new object).
 *
 *   POST /v1/labs/LAB/exercise        body {"name": NAME (null: any of the scenario's),
 *                                     "seed": N (absent: one is drawn)} struct api_exercise_start
 *                                     201 {"exercise", "seed", "symptom"} struct
 *                                     api_exercise_started (never the kind or the target);
 *                                     404 no such exercise, 409 one is running already
 *   GET  /v1/labs/LAB/exercise        200 STATUS (the running one, or the last one), 404 none yet
 *   POST /v1/labs/LAB/exercise/hint   200 {"number", "total", "hint" (null: none left)}
 *   POST /v1/labs/LAB/exercise/check  200 {"passed", "state", "fault_present", "problems": [..],
 *                                     "residue" (null), "replaced" (null), "checks_tried"}
 *                                     (the verify checks run now, asynchronously)
 *   POST /v1/labs/LAB/exercise/solve  200 {"cause", "target", "commands": [..], "state"}
 *   (hint, check, solve: 409 when no exercise is running)
 *
 *   STATUS: {"exercise", "seed", "state": "running|solved|given-up|replaced", "started",
 *            "seconds" (running for, or took), "hints_used", "hints_total",
 *            "checks_tried", "symptom", "reason" (null: why it ended so)}
 *   RECORD (one line of /var/lib/nodelab/history/LAB.jsonl per finished exercise):
 *           {"lab", "exercise", "fault", "kind", "target", "seed", "started", "ended",
 *            "seconds", "hints_used", "checks_tried", "result", "reason"} */
#ifndef NODELAB_PROTO_API_EXERCISES_H
#define NODELAB_PROTO_API_EXERCISES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct json_object;

enum api_exercise_state {
  API_EXERCISE_RUNNING,
  API_EXERCISE_SOLVED,
  API_EXERCISE_GIVEN_UP,
  API_EXERCISE_REPLACED,
  API_EXERCISE_STATE__COUNT
};

/* "running", "solved", "given-up", "replaced"; static storage. */
const char *api_exercise_state_name(enum api_exercise_state s);

struct api_exercise_start {
  const char *name; /* NULL: any exercise of the scenario */
  bool has_seed;
  uint64_t seed;
};

struct api_exercise_started {
  const char *exercise, *symptom;
  uint64_t seed;
};

struct api_exercise_status {
  const char *exercise, *started, *symptom, *reason;
  uint64_t seed;
  enum api_exercise_state state;
  int64_t seconds, hints_used, hints_total, checks_tried;
};

struct api_exercise_hint {
  int64_t number, total;
  const char *hint; /* NULL: every hint was given */
};

struct api_exercise_check {
  bool passed, fault_present;
  enum api_exercise_state state;
  const char *
      *problems; /* in words: a failing check and its reason, "the fault is still present" */
  size_t n_problems;
  const char *residue;  /* what the repair left different from before, or NULL */
  const char *replaced; /* what was replaced instead of repaired, or NULL */
  int64_t checks_tried;
};

struct api_exercise_solution {
  const char *cause, *target;
  const char **commands;
  size_t n_commands;
  enum api_exercise_state state;
};

struct api_exercise_record {
  const char *lab, *exercise, *fault, *kind, *target, *started, *ended, *reason;
  uint64_t seed;
  int64_t seconds, hints_used, checks_tried;
  enum api_exercise_state result; /* never running */
};

struct json_object *api_exercise_start_encode(const struct api_exercise_start *m);
int api_exercise_start_decode(struct json_object *o, struct api_exercise_start *out,
                              struct lab_error **err);

struct json_object *api_exercise_started_encode(const struct api_exercise_started *m);
int api_exercise_started_decode(struct json_object *o, struct api_exercise_started *out,
                                struct lab_error **err);

struct json_object *api_exercise_status_encode(const struct api_exercise_status *m);
int api_exercise_status_decode(struct json_object *o, struct api_exercise_status *out,
                               struct lab_error **err);

struct json_object *api_exercise_hint_encode(const struct api_exercise_hint *m);
int api_exercise_hint_decode(struct json_object *o, struct api_exercise_hint *out,
                             struct lab_error **err);

struct json_object *api_exercise_check_encode(const struct api_exercise_check *m);
int api_exercise_check_decode(struct json_object *o, struct api_exercise_check *out,
                              struct lab_error **err);
void api_exercise_check_release(struct api_exercise_check *m);

struct json_object *api_exercise_solution_encode(const struct api_exercise_solution *m);
int api_exercise_solution_decode(struct json_object *o, struct api_exercise_solution *out,
                                 struct lab_error **err);
void api_exercise_solution_release(struct api_exercise_solution *m);

/* The history line codec: encode gives one line of compact JSON with a
 * trailing newline (malloc'd); decode reads one line (its newline optional)
 * into *out, whose strings borrow from *holder (json_object_put it after
 * use).  A line that is not such a record: -1 and *err ("not JSON", "lacks
 * \"exercise\"", "result \"running\" is not a finished one"). */
char *api_exercise_record_line(const struct api_exercise_record *m);
int api_exercise_record_parse(const char *line, struct api_exercise_record *out,
                              struct json_object **holder, struct lab_error **err);
struct json_object *api_exercise_record_encode(const struct api_exercise_record *m);
int api_exercise_record_decode(struct json_object *o, struct api_exercise_record *out,
                               struct lab_error **err);

#endif
