/* What `nodelab test` does with one scenario, as a pure list of steps
 * (tools/cli-test-plan.c): the scenario's own `steps`, or without them the
 * default plan — every check green; then for each fault whose kind is built:
 * capture the lab's state, inject, at least one check fails, repair, every
 * check green, the state equal to the capture.  A fault whose kind is not
 * built is a skipped step.  The runner (tools/cli-test.c) adds bringing the
 * lab up and down and the look for leftovers around it. */
#ifndef NODELAB_TEST_PLAN_H
#define NODELAB_TEST_PLAN_H

#include <stdbool.h>
#include <stddef.h>

struct scenario;

enum test_op {
  TEST_OP_CHECK,       /* arg: a check, or NULL for all: each must pass */
  TEST_OP_EXPECT_FAIL, /* arg: a check: it must fail */
  TEST_OP_SOME_FAIL,   /* arg: the fault just injected: at least one check fails */
  TEST_OP_INJECT,      /* arg: a fault */
  TEST_OP_REPAIR,      /* arg: a fault, or NULL for every one injected */
  TEST_OP_SLEEP,       /* sleep_ms */
  TEST_OP_CAPTURE,     /* the lab's state, for STATE_EQUAL (no line of its own) */
  TEST_OP_STATE_EQUAL, /* arg: the fault repaired: the state equals the capture */
  TEST_OP_SKIP,        /* arg: the fault; reason says why */
};

struct test_step {
  enum test_op op;
  char *arg;          /* owned; NULL as above */
  int sleep_ms;       /* TEST_OP_SLEEP */
  char *title;        /* owned: what the TAP line says ("inject mtu-black-hole") */
  const char *reason; /* TEST_OP_SKIP: static text ("not implemented") */
};

struct test_plan {
  struct test_step *steps;
  size_t n_steps;
};

/* Whether the engine builds fault kind `kind` (a name of scenario/fault-kinds.c). */
typedef bool test_kind_built_fn(const char *kind, void *ctx);

/* Builds the plan of s into *out (release with test_plan_release()).  In a
 * scenario's own steps, an inject with no fault active is preceded by a
 * capture, and a repair that leaves none active is followed by a state
 * comparison; an inject of a kind not built is skipped, with the
 * expect-fail and repair steps of that fault while no built fault is active. */
void test_plan_build(const struct scenario *s, test_kind_built_fn *built, void *ctx,
                     struct test_plan *out);

/* Whether the step writes a TAP line (every step but a capture). */
bool test_step_reported(const struct test_step *st);

void test_plan_release(struct test_plan *p);

#endif
