/* tools/test-plan.h: the default plan of a scenario without steps (a fault
 * of a kind not built is a skip), and a scenario's own steps with the
 * captures and state comparisons around them. */
#include "unit-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "test-plan.h"

static const char *const op_names[] = {
    [TEST_OP_CHECK] = "check",         [TEST_OP_EXPECT_FAIL] = "expect-fail",
    [TEST_OP_SOME_FAIL] = "some-fail", [TEST_OP_INJECT] = "inject",
    [TEST_OP_REPAIR] = "repair",       [TEST_OP_SLEEP] = "sleep",
    [TEST_OP_CAPTURE] = "capture",     [TEST_OP_STATE_EQUAL] = "state-equal",
    [TEST_OP_SKIP] = "skip",
};

/* Only link-mtu and flow-delete are "built" here. */
static bool built(const char *kind, void *ctx)
{
  (void)ctx;
  return strcmp(kind, "link-mtu") == 0 || strcmp(kind, "flow-delete") == 0;
}

/* The plan of yaml, one "op arg: title" per line. */
static char *plan_text(const char *yaml)
{
  struct scenario *s = NULL;
  struct lab_error *err = NULL;
  if (scenario_parse("t.yaml", yaml, strlen(yaml), &s, &err) < 0)
    fail_msg("%s", err->msg);
  struct test_plan p;
  test_plan_build(s, built, NULL, &p);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  for (size_t i = 0; i < p.n_steps; i++) {
    const struct test_step *st = &p.steps[i];
    fprintf(f, "%s %s%s: %s%s%s\n", op_names[st->op], st->arg ? st->arg : "-",
            st->op == TEST_OP_SLEEP ? "" : "", st->title, st->reason ? " # " : "",
            st->reason ? st->reason : "");
    assert_int_equal(test_step_reported(st), st->op != TEST_OP_CAPTURE);
  }
  fclose(f);
  test_plan_release(&p);
  scenario_free(s);
  return buf;
}

#define HEAD                                                                                       \
  "name: t\ncluster: {nodes: [n1, n2]}\n"                                                          \
  "pods: [{name: p, node: n1, containers: [{name: c, image: ubi}]}]\n"                             \
  "checks: [{name: a, from: n2, ping: p}, {name: b, from: n1, ping: n2}]\n"                        \
  "faults:\n"                                                                                      \
  "  - {name: mtu, kind: link-mtu, node: n1, link: eth0, mtu: 1000}\n"                             \
  "  - {name: kill, kind: daemon-kill, node: n1, daemon: netd}\n"                                  \
  "  - {name: flows, kind: flow-delete, node: n1, remote: n2}\n"

static void test_default_plan(void **state)
{
  (void)state;
  char *t = plan_text(HEAD);
  assert_string_equal(t, "check -: all checks pass\n"
                         "capture mtu: the state before mtu\n"
                         "inject mtu: inject mtu (link-mtu)\n"
                         "some-fail mtu: mtu breaks a check\n"
                         "repair mtu: repair mtu\n"
                         "check -: all checks pass after repairing mtu\n"
                         "state-equal mtu: the state after repairing mtu equals the state before\n"
                         "skip kill: fault kill (kind daemon-kill) # not implemented\n"
                         "capture flows: the state before flows\n"
                         "inject flows: inject flows (flow-delete)\n"
                         "some-fail flows: flows breaks a check\n"
                         "repair flows: repair flows\n"
                         "check -: all checks pass after repairing flows\n"
                         "state-equal flows: the state after repairing flows equals the state "
                         "before\n");
  free(t);
  /* No faults, no checks: the plan still says the checks pass (vacuously). */
  t = plan_text("name: t\ncluster: {nodes: [n1]}\n");
  assert_string_equal(t, "check -: all checks pass\n");
  free(t);
}

static void test_scenario_steps(void **state)
{
  (void)state;
  char *t = plan_text(HEAD "steps:\n"
                           "  - check: all\n"
                           "  - inject: mtu\n"
                           "  - inject: flows\n"
                           "  - expect-fail: a\n"
                           "  - repair: mtu\n"
                           "  - sleep: 200ms\n"
                           "  - repair: flows\n"
                           "  - check: b\n"
                           "  - inject: kill\n"
                           "  - expect-fail: a\n"
                           "  - repair: kill\n"
                           "  - inject: mtu\n"
                           "  - repair: all\n");
  assert_string_equal(t, "check -: check all\n"
                         "capture mtu: the state before mtu\n"
                         "inject mtu: inject mtu (link-mtu)\n"
                         "inject flows: inject flows (flow-delete)\n"
                         "expect-fail a: expect-fail a\n"
                         "repair mtu: repair mtu\n"
                         "sleep 200ms: sleep 200ms\n"
                         "repair flows: repair flows\n"
                         "state-equal flows: the state after repairing flows equals the state "
                         "before\n"
                         "check b: check b\n"
                         "skip kill: inject kill (kind daemon-kill) # not implemented\n"
                         "skip a: expect-fail a # its fault's kind is not implemented\n"
                         "skip kill: repair kill (kind daemon-kill) # not implemented\n"
                         "capture mtu: the state before mtu\n"
                         "inject mtu: inject mtu (link-mtu)\n"
                         "repair -: repair all\n"
                         "state-equal mtu: the state after repairing mtu equals the state "
                         "before\n");
  free(t);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_default_plan),
               cmocka_unit_test(test_scenario_steps))
