/* The plan of a `nodelab test` scenario (test-plan.h). */
#include "test-plan.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#include "scenario.h"

static struct test_step *add(struct test_plan *p, enum test_op op, const char *arg, char *title)
{
  p->steps = xnonnull(realloc(p->steps, (p->n_steps + 1) * sizeof *p->steps));
  struct test_step *st = &p->steps[p->n_steps++];
  *st = (struct test_step){.op = op, .arg = xstrdup(arg), .title = title};
  return st;
}

static void add_skip(struct test_plan *p, const char *fault, const char *kind, const char *what)
{
  struct test_step *st =
      add(p, TEST_OP_SKIP, fault, xasprintf("%s %s (kind %s)", what, fault, kind));
  st->reason = "not implemented";
}

static void default_plan(const struct scenario *s, test_kind_built_fn *built, void *ctx,
                         struct test_plan *p)
{
  add(p, TEST_OP_CHECK, NULL, xstrdup("all checks pass"));
  for (size_t i = 0; i < s->n_faults; i++) {
    const struct scenario_fault *f = &s->faults[i];
    if (!built(f->kind, ctx)) {
      add_skip(p, f->name, f->kind, "fault");
      continue;
    }
    add(p, TEST_OP_CAPTURE, f->name, xasprintf("the state before %s", f->name));
    add(p, TEST_OP_INJECT, f->name, xasprintf("inject %s (%s)", f->name, f->kind));
    add(p, TEST_OP_SOME_FAIL, f->name, xasprintf("%s breaks a check", f->name));
    add(p, TEST_OP_REPAIR, f->name, xasprintf("repair %s", f->name));
    add(p, TEST_OP_CHECK, NULL, xasprintf("all checks pass after repairing %s", f->name));
    add(p, TEST_OP_STATE_EQUAL, f->name,
        xasprintf("the state after repairing %s equals the state before", f->name));
  }
}

/* The faults a scenario's steps hold injected, as the plan is built. */
struct active {
  const char **names;
  size_t n;
};

static bool active_has(const struct active *a, const char *name)
{
  for (size_t i = 0; i < a->n; i++)
    if (strcmp(a->names[i], name) == 0)
      return true;
  return false;
}

static void active_add(struct active *a, const char *name)
{
  if (active_has(a, name))
    return;
  a->names = xnonnull(realloc(a->names, (a->n + 1) * sizeof *a->names));
  a->names[a->n++] = name;
}

static void active_remove(struct active *a, const char *name)
{
  for (size_t i = 0; i < a->n; i++)
    if (strcmp(a->names[i], name) == 0) {
      a->names[i] = a->names[--a->n];
      return;
    }
}

static void scenario_steps(const struct scenario *s, test_kind_built_fn *built, void *ctx,
                           struct test_plan *p)
{
  struct active on = {0}, skipped = {0};
  const char *last_repaired = NULL;
  for (size_t i = 0; i < s->n_steps; i++) {
    const struct scenario_step *st = &s->steps[i];
    const char *arg = st->arg;
    bool all = arg != NULL && strcmp(arg, "all") == 0;
    switch (st->kind) {
    case STEP_CHECK:
      add(p, TEST_OP_CHECK, all ? NULL : arg,
          all ? xstrdup("check all") : xasprintf("check %s", arg));
      break;
    case STEP_EXPECT_FAIL:
      /* What a fault that could not be injected was to break cannot break. */
      if (on.n == 0 && skipped.n > 0) {
        struct test_step *sk = add(p, TEST_OP_SKIP, arg, xasprintf("expect-fail %s", arg));
        sk->reason = "its fault's kind is not implemented";
      } else {
        add(p, TEST_OP_EXPECT_FAIL, arg, xasprintf("expect-fail %s", arg));
      }
      break;
    case STEP_INJECT: {
      const struct scenario_fault *f = scenario_find_fault(s, arg);
      const char *kind = f != NULL ? f->kind : "?";
      if (f == NULL || !built(kind, ctx)) {
        add_skip(p, arg, kind, "inject");
        active_add(&skipped, arg);
        break;
      }
      if (on.n == 0)
        add(p, TEST_OP_CAPTURE, arg, xasprintf("the state before %s", arg));
      add(p, TEST_OP_INJECT, arg, xasprintf("inject %s (%s)", arg, kind));
      active_add(&on, arg);
      break;
    }
    case STEP_REPAIR:
      if (!all && active_has(&skipped, arg) && !active_has(&on, arg)) {
        add_skip(p, arg, scenario_find_fault(s, arg) ? scenario_find_fault(s, arg)->kind : "?",
                 "repair");
        active_remove(&skipped, arg);
        break;
      }
      if (all)
        skipped.n = 0;
      add(p, TEST_OP_REPAIR, all ? NULL : arg,
          all ? xstrdup("repair all") : xasprintf("repair %s", arg));
      last_repaired = all ? (on.n == 1 ? on.names[0] : "all") : arg;
      bool had = on.n > 0;
      if (all)
        on.n = 0;
      else
        active_remove(&on, arg);
      if (had && on.n == 0)
        add(p, TEST_OP_STATE_EQUAL, last_repaired,
            xasprintf("the state after repairing %s equals the state before", last_repaired));
      break;
    case STEP_SLEEP: {
      struct test_step *sl = add(p, TEST_OP_SLEEP, arg, xasprintf("sleep %s", arg));
      sl->sleep_ms = st->sleep_ms;
      break;
    }
    }
  }
  free(on.names);
  free(skipped.names);
}

void test_plan_build(const struct scenario *s, test_kind_built_fn *built, void *ctx,
                     struct test_plan *out)
{
  *out = (struct test_plan){0};
  if (s->n_steps > 0)
    scenario_steps(s, built, ctx, out);
  else
    default_plan(s, built, ctx, out);
}

bool test_step_reported(const struct test_step *st)
{
  return st->op != TEST_OP_CAPTURE;
}

void test_plan_release(struct test_plan *p)
{
  for (size_t i = 0; i < p->n_steps; i++) {
    free(p->steps[i].arg);
    free(p->steps[i].title);
  }
  free(p->steps);
  *p = (struct test_plan){0};
}
