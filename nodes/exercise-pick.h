/* Which exercise, fault and target a seed picks (nodes/exercise-pick.c):
 * pure, so that the same seed is seen to pick the same, every time. */
#ifndef NODELAB_EXERCISE_PICK_H
#define NODELAB_EXERCISE_PICK_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct scenario;

struct exercise_pick {
  size_t exercise; /* index in the scenario's exercises */
  size_t fault;    /* index in that exercise's faults */
  uint32_t target; /* struct fault_view's pick: among the targets where the kind bites */
};

/* Picks from seed: the exercise called name (NULL: one of sc's, by the
 * seed), one of its faults, and a target.  Each draws its own number from
 * the seed (splitmix64), so that the same seed always picks the same three.
 * Returns 0 and *out, or -1 and *err (errnum ENOENT): "lab L has no
 * exercises", "no exercise \"x\" (exercises: a, b)". */
int exercise_pick(const struct scenario *sc, const char *name, uint64_t seed,
                  struct exercise_pick *out, struct lab_error **err);

/* A seed for a start that gave none: 1 to 999999, short to type back. */
uint64_t exercise_draw_seed(void);

#endif
