/* A lab's faults (lab-faults.c): the engine's faults injected into the lab,
 * what injected them and when, their --for timers, and the periodic
 * evaluation of each one's "still present?" predicate that notices a repair
 * by hand.  The replies are proto/api-faults.h's. */
#ifndef NODELAB_LAB_FAULTS_H
#define NODELAB_LAB_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;
struct lab;

/* GET /v1/labs/LAB/faults: a new object (api_faults), *code 200. */
struct json_object *lab_faults_get(struct lab *lab, int *code);
/* The same, with the faults' states as the last evaluation (the 1 s poll)
 * left them: no predicate runs (the graph, redrawn at each event). */
struct json_object *lab_faults_json(struct lab *lab, int *code);

/* POST /v1/labs/LAB/faults with body (api_fault_inject; NULL: not JSON):
 * injects, and returns the active fault (*code 201) or {"error"} with *code
 * 400/404/409/501/500. New object. */
struct json_object *lab_faults_post(struct lab *lab, struct json_object *body, int *code);

/* DELETE /v1/labs/LAB/faults[/WHAT]: repairs the unrepaired faults WHAT names
 * (an id, a scenario fault's name or a kind; NULL: all) and returns
 * {"repaired": [...]} (*code 200), or {"error"} (404 none named so, 500 a
 * repair failed). New object. */
struct json_object *lab_faults_delete(struct lab *lab, const char *what, int *code);

/* Starts the timelines of the scenario's faults that have one (at, for,
 * every), counted from now: call once, when the lab is up. */
void lab_faults_start_timeline(struct lab *lab);

/* Repairs every unrepaired fault, best effort (before the lab is removed). */
void lab_faults_repair_all(struct lab *lab);

/* LAB_STATUS's "faults": the faults not repaired by nodelab (active, or
 * repaired by hand), as a malloc'd array in
 * *out (strings borrowed from the lab); returns its length. */
struct api_fault;
size_t lab_faults_status(const struct lab *lab, struct api_fault **out);

/* For exercises (lab-exercises.c): a fault record of the lab, valid until
 * lab_faults_free(). */
struct lab_fault;
struct fault;
struct scenario_fault;
struct lab_error;
/* Injects scenario fault sf by "exercise", the parameters it leaves unset
 * filled with the pick-th target where its kind bites (struct fault_view's
 * pick); *before: the state of what it touches, captured just before
 * (malloc'd).  Returns 0 and *out, or -1, *err and *status (the HTTP status
 * fault inject would answer). */
int lab_faults_inject_exercise(struct lab *lab, const struct scenario_fault *sf, uint32_t pick,
                               struct lab_fault **out, char **before, int *status,
                               struct lab_error **err);
/* The engine's fault: kind, target, parameters, fault_hand_repair(). */
const struct fault *lab_fault_engine(const struct lab_fault *lf);
/* Asks the fault's predicate now (the periodic evaluation too). */
int lab_fault_present(struct lab_fault *lf, bool *present, struct lab_error **err);
/* Repairs it exactly from its snapshot (a no-op once nodelab repaired it). */
int lab_fault_repair(struct lab_fault *lf, const char *why, struct lab_error **err);
/* A learner repaired it: nodelab repairs nothing more of it, not at down either. */
void lab_fault_settle(struct lab_fault *lf);
/* fault_capture_touched() of the fault: compare with inject's *before. */
int lab_fault_capture(const struct lab_fault *lf, char **text, struct lab_error **err);

/* Frees the lab's fault records and timers (repairs nothing). */
void lab_faults_free(struct lab *lab);

#endif
