/* The seed's picks (nodes/exercise-pick.h): the same seed picks the same
 * exercise, fault and target every time; different seeds reach every
 * exercise and every fault; a name is honoured; the refusals are in words. */
#include "exercise-pick.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scenario.h"

static const char yaml[] = "name: t\n"
                           "cluster:\n  nodes: [master, node1, node2]\n"
                           "pods:\n"
                           "  - {name: web, node: node1, containers: [{name: httpd, image: ubi}]}\n"
                           "checks:\n"
                           "  - {name: ping-web, from: master, ping: web}\n"
                           "faults:\n"
                           "  - {name: a, kind: link-down, node: node1, link: eth0}\n"
                           "  - {name: b, kind: link-mtu, node: node2, link: eth0, mtu: 1300}\n"
                           "  - {name: c, kind: pod-route-delete, pod: web}\n"
                           "exercises:\n"
                           "  - {name: one, faults: [a], verify: [ping-web]}\n"
                           "  - {name: three, faults: [a, b, c], verify: [ping-web]}\n";

static struct scenario *load(const char *text)
{
  struct scenario *sc = NULL;
  struct lab_error *err = NULL;
  if (scenario_parse("t.yaml", text, strlen(text), &sc, &err) < 0)
    fail_msg("scenario: %s", err->msg);
  return sc;
}

#define PINNED_FAULT 1
#define PINNED_TARGET 1196582743u

static void test_same_seed_same_pick(void **state)
{
  (void)state;
  struct scenario *sc = load(yaml);
  struct lab_error *err = NULL;
  for (uint64_t seed = 0; seed < 200; seed++) {
    struct exercise_pick a, b;
    assert_int_equal(exercise_pick(sc, NULL, seed, &a, &err), 0);
    assert_int_equal(exercise_pick(sc, NULL, seed, &b, &err), 0);
    assert_int_equal(a.exercise, b.exercise);
    assert_int_equal(a.fault, b.fault);
    assert_int_equal(a.target, b.target);
    assert_true(a.exercise < sc->n_exercises);
  }
  /* Pinned: a change of the mixer would change every learner's seed. */
  struct exercise_pick p;
  assert_int_equal(exercise_pick(sc, "three", 42, &p, &err), 0);
  assert_int_equal(p.fault, PINNED_FAULT);
  assert_int_equal(p.target, PINNED_TARGET);
  scenario_free(sc);
}

static void test_seeds_reach_everything(void **state)
{
  (void)state;
  struct scenario *sc = load(yaml);
  struct lab_error *err = NULL;
  bool exercise_seen[2] = {false, false}, fault_seen[3] = {false, false, false};
  uint32_t first_target = 0;
  bool targets_vary = false;
  for (uint64_t seed = 1; seed <= 100; seed++) {
    struct exercise_pick p;
    assert_int_equal(exercise_pick(sc, NULL, seed, &p, &err), 0);
    exercise_seen[p.exercise] = true;
    assert_int_equal(exercise_pick(sc, "three", seed, &p, &err), 0);
    assert_int_equal(p.exercise, 1);
    assert_true(p.fault < 3);
    fault_seen[p.fault] = true;
    if (seed == 1)
      first_target = p.target;
    targets_vary = targets_vary || p.target != first_target;
  }
  assert_true(exercise_seen[0] && exercise_seen[1]);
  assert_true(fault_seen[0] && fault_seen[1] && fault_seen[2]);
  assert_true(targets_vary);
  /* A one-fault exercise always picks that fault. */
  struct exercise_pick p;
  assert_int_equal(exercise_pick(sc, "one", 12345, &p, &err), 0);
  assert_int_equal(p.exercise, 0);
  assert_int_equal(p.fault, 0);
  scenario_free(sc);
}

static void test_refusals(void **state)
{
  (void)state;
  struct scenario *sc = load(yaml);
  struct lab_error *err = NULL;
  struct exercise_pick p;
  assert_int_equal(exercise_pick(sc, "nine", 1, &p, &err), -1);
  assert_string_equal(err->msg, "no exercise \"nine\" in lab t (exercises: one, three)");
  assert_int_equal(err->errnum, ENOENT);
  lab_error_clear(&err);
  scenario_free(sc);

  sc = load("name: bare\ncluster:\n  nodes: [n1]\n");
  assert_int_equal(exercise_pick(sc, NULL, 1, &p, &err), -1);
  assert_string_equal(err->msg, "lab bare has no exercises (a scenario's `exercises:` lists them)");
  lab_error_clear(&err);
  scenario_free(sc);
}

static void test_draw_seed(void **state)
{
  (void)state;
  for (int i = 0; i < 100; i++) {
    uint64_t s = exercise_draw_seed();
    assert_true(s >= 1 && s <= 999999);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_same_seed_same_pick),
      cmocka_unit_test(test_seeds_reach_everything),
      cmocka_unit_test(test_refusals),
      cmocka_unit_test(test_draw_seed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
