/* A seed's picks: splitmix64 (Steele, Lea and Flood's mixer) steps the seed
 * once per choice, so each choice is a function of the seed alone. */
#include "exercise-pick.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "scenario.h"
#include "strv.h"

static uint64_t splitmix64(uint64_t *state)
{
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Sets the kind of failure on *err, without strerror in the words; -1. */
static int refused_with(struct lab_error **err, int errnum)
{
  if (err != NULL && *err != NULL)
    (*err)->errnum = errnum;
  return -1;
}

int exercise_pick(const struct scenario *sc, const char *name, uint64_t seed,
                  struct exercise_pick *out, struct lab_error **err)
{
  uint64_t state = seed;
  uint64_t r_exercise = splitmix64(&state), r_fault = splitmix64(&state),
           r_target = splitmix64(&state);
  if (sc->n_exercises == 0) {
    lab_error_set(err, 0, "lab %s has no exercises (a scenario's `exercises:` lists them)",
                  sc->name);
    return refused_with(err, ENOENT);
  }
  size_t ex = (size_t)(r_exercise % sc->n_exercises);
  if (name != NULL) {
    ex = sc->n_exercises;
    for (size_t i = 0; i < sc->n_exercises; i++)
      if (strcmp(sc->exercises[i].name, name) == 0)
        ex = i;
    if (ex == sc->n_exercises) {
      char list[512] = "";
      size_t len = 0;
      for (size_t i = 0; i < sc->n_exercises && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                                sc->exercises[i].name);
      lab_error_set(err, 0, "no exercise \"%s\" in lab %s (exercises: %s)", name, sc->name, list);
      return refused_with(err, ENOENT);
    }
  }
  size_t n_faults = strv_len((const char *const *)sc->exercises[ex].faults);
  *out = (struct exercise_pick){.exercise = ex,
                                .fault = n_faults ? (size_t)(r_fault % n_faults) : 0,
                                .target = (uint32_t)(r_target >> 32)};
  return 0;
}

uint64_t exercise_draw_seed(void)
{
  uint64_t r;
  if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r)
    r = (uint64_t)time(NULL) ^ (uint64_t)clock();
  return 1 + r % 999999;
}
