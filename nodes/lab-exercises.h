/* A lab's troubleshooting exercise (lab-exercises.c): one at a time, from the
 * scenario's `exercises:`.  start injects one of its faults (picked by a
 * seed) and says only the symptom; hint climbs the ladder; check passes when
 * the fault's predicate says it is gone and every `verify` check is green,
 * and fails as "replaced" when what the fault touches was recreated instead
 * of repaired; solve explains, shows the commands and repairs.  Each
 * finished exercise is a line of paths_history_dir()/LAB.jsonl.  The
 * messages are proto/api-exercises.h's. */
#ifndef NODELAB_LAB_EXERCISES_H
#define NODELAB_LAB_EXERCISES_H

struct json_object;
struct lab;

/* Called once with the reply (borrowed for the call) and its HTTP status,
 * from the loop or from within the call that started it. */
typedef void lab_exercise_reply_cb(int code, struct json_object *reply, void *arg);

/* POST /v1/labs/LAB/exercise (body api_exercise_start; NULL: not JSON). */
void lab_exercise_start(struct lab *lab, struct json_object *body, lab_exercise_reply_cb *cb,
                        void *arg);
/* POST /v1/labs/LAB/exercise/check: the verify checks run without blocking. */
void lab_exercise_check(struct lab *lab, lab_exercise_reply_cb *cb, void *arg);

/* GET /v1/labs/LAB/exercise, POST .../hint, POST .../solve: new objects. */
struct json_object *lab_exercise_status(struct lab *lab, int *code);
struct json_object *lab_exercise_hint(struct lab *lab, int *code);
struct json_object *lab_exercise_solve(struct lab *lab, int *code);

/* The lab goes down: a running exercise ends as replaced (before its faults
 * are repaired). */
void lab_exercise_lab_down(struct lab *lab);

/* Frees the lab's exercise; a reply still pending gets 410. */
void lab_exercise_free(struct lab *lab);

#endif
