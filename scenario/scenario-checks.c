/* The schema of checks, exercises and steps: what `nodelab check`, `nodelab
 * exercise` and `nodelab test` run, read from the YAML tree into the model,
 * each reference checked against what is already read. */
#include "scenario.h"
#include "scenario-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

/* ---- checks ---- */

static int read_from(struct scenario_ctx *c, const struct ynode *n, struct scenario_check *chk)
{
  if (scenario_get_str(c, n, "from", &chk->from) < 0)
    return -1;
  cleanup_free char *q = scenario_quote(chk->from);
  cleanup_free char *node = xstrdup(chk->from);
  char *pod = strchr(node, '/');
  if (pod != NULL)
    *pod++ = '\0';
  if (node[0] == '\0' || (pod != NULL && (pod[0] == '\0' || strchr(pod, '/') != NULL)))
    return scenario_fail(c, n, "from", "%s is not NODE or NODE/POD", q);
  if (scenario_find_node(c->s, node) == NULL) {
    cleanup_free char *qn = scenario_quote(node);
    return scenario_fail(c, n, "from", "node %s does not exist", qn);
  }
  if (pod != NULL) {
    const struct scenario_pod *p = scenario_find_pod(c->s, pod);
    cleanup_free char *qp = scenario_quote(pod);
    if (p == NULL)
      return scenario_fail(c, n, "from", "pod %s does not exist", qp);
    if (strcmp(p->node, node) != 0)
      return scenario_fail(c, n, "from", "pod %s runs on %s, not %s", qp, p->node, node);
  }
  return 0;
}

static int read_host_port(struct scenario_ctx *c, const struct ynode *n, const char *key,
                          struct scenario_check *chk)
{
  if (scenario_get_str(c, n, key, &chk->target) < 0)
    return -1;
  cleanup_free char *q = scenario_quote(chk->target);
  cleanup_free char *host = xstrdup(chk->target);
  char *colon = strrchr(host, ':');
  if (colon == NULL || colon == host)
    return scenario_fail(c, n, key, "%s is not HOST:PORT", q);
  *colon = '\0';
  int port;
  if (scenario_parse_port(colon + 1, &port) < 0) {
    cleanup_free char *qp = scenario_quote(colon + 1);
    return scenario_fail(c, n, key, "port %s is not a port number (1..65535)", qp);
  }
  return scenario_check_host(c, n, key, host);
}

int scenario_read_check(struct scenario_ctx *c, const struct ynode *checks, size_t index)
{
  static const struct scenario_field fields[] = {
      {"name", true}, {"from", true},  {"ping", false},   {"http", false},
      {"tcp", false}, {"exec", false}, {"expect", false}, {"timeout", false}};
  const struct ynode *v[8];
  struct scenario *s = c->s;
  struct scenario_check *chk = &s->checks[index];
  const struct ynode *n = checks->items[index];
  chk->pos = n->pos;
  chk->timeout_ms = 2000;
  if (scenario_map_fields(c, n, fields, 8, v) < 0 ||
      scenario_get_name(c, checks, index, v[0], "check", SCENARIO_OBJECT_NAME_MAX, NULL,
                        &chk->name) < 0)
    return -1;
  if (strcmp(chk->name, "all") == 0)
    return scenario_fail(c, v[0], "name",
                         "name \"all\" is reserved (\"check: all\" runs every check)");
  if (read_from(c, v[1], chk) < 0)
    return -1;

  /* Exactly one of ping/http/tcp/exec; blame the second in file order. */
  static const char *const kinds[] = {"ping", "http", "tcp", "exec"};
  const struct ynode *first_key = NULL;
  for (size_t i = 0; i < n->n; i++) {
    const struct ynode *key = n->items[2 * i];
    for (size_t k = 0; k < 4; k++) {
      if (strcmp(key->value, kinds[k]) != 0)
        continue;
      if (first_key != NULL)
        return scenario_fail(c, key, key->value,
                             "only one of ping, http, tcp or exec may be given (%s at %d:%d)",
                             first_key->value, first_key->pos.line, first_key->pos.column);
      first_key = key;
    }
  }
  if (first_key == NULL)
    return scenario_fail(c, n, NULL, "one of ping, http, tcp or exec is required");
  if (v[2] != NULL) {
    chk->kind = CHECK_PING;
    if (scenario_get_str(c, v[2], "ping", &chk->target) < 0 ||
        scenario_check_host(c, v[2], "ping", chk->target) < 0)
      return -1;
  } else if (v[3] != NULL) {
    chk->kind = CHECK_HTTP;
    if (read_host_port(c, v[3], "http", chk) < 0)
      return -1;
  } else if (v[4] != NULL) {
    chk->kind = CHECK_TCP;
    if (read_host_port(c, v[4], "tcp", chk) < 0)
      return -1;
  } else {
    chk->kind = CHECK_EXEC;
    if (scenario_get_strv(c, v[5], "exec", false, &chk->argv) < 0)
      return -1;
  }
  if (v[6] != NULL) {
    const char *text;
    if (scenario_get_text(c, v[6], "expect", &text) < 0)
      return -1;
    if (strcmp(text, "ok") == 0)
      chk->expect_fail = false;
    else if (strcmp(text, "fail") == 0)
      chk->expect_fail = true;
    else {
      cleanup_free char *q = scenario_quote(text);
      return scenario_fail(c, v[6], "expect", "%s is not ok or fail", q);
    }
  }
  if (v[7] != NULL && scenario_get_duration(c, v[7], "timeout", &chk->timeout_ms) < 0)
    return -1;
  return 0;
}

/* ---- exercises and steps ---- */

static int read_refs(struct scenario_ctx *c, const struct ynode *n, const char *key, bool faults,
                     char ***out)
{
  if (scenario_get_strv(c, n, key, false, out) < 0)
    return -1;
  size_t mark = scenario_path_push_key(c, key);
  for (size_t i = 0; (*out)[i] != NULL; i++) {
    const char *name = (*out)[i];
    bool found =
        faults ? scenario_find_fault(c->s, name) != NULL : scenario_find_check(c->s, name) != NULL;
    if (!found) {
      size_t m = scenario_path_push_index(c, i);
      cleanup_free char *q = scenario_quote(name);
      scenario_fail(c, n->items[i], NULL, "%s %s does not exist", faults ? "fault" : "check", q);
      scenario_path_pop(c, m);
      scenario_path_pop(c, mark);
      return -1;
    }
  }
  scenario_path_pop(c, mark);
  return 0;
}

int scenario_read_exercise(struct scenario_ctx *c, const struct ynode *list, size_t index)
{
  static const struct scenario_field fields[] = {
      {"name", true}, {"faults", true}, {"verify", true}};
  const struct ynode *v[3];
  struct scenario *s = c->s;
  struct scenario_exercise *ex = &s->exercises[index];
  ex->pos = list->items[index]->pos;
  if (scenario_map_fields(c, list->items[index], fields, 3, v) < 0 ||
      scenario_get_name(c, list, index, v[0], "exercise", SCENARIO_OBJECT_NAME_MAX, NULL,
                        &ex->name) < 0)
    return -1;
  if (read_refs(c, v[1], "faults", true, &ex->faults) < 0 ||
      read_refs(c, v[2], "verify", false, &ex->verify) < 0)
    return -1;
  return 0;
}

static int read_step(struct scenario_ctx *c, const struct ynode *n, struct scenario_step *st)
{
  static const struct {
    const char *key;
    enum scenario_step_kind kind;
  } kinds[] = {{"check", STEP_CHECK},
               {"expect-fail", STEP_EXPECT_FAIL},
               {"inject", STEP_INJECT},
               {"repair", STEP_REPAIR},
               {"sleep", STEP_SLEEP}};
  st->pos = n->pos;
  if (scenario_expect_type(c, n, NULL, YNODE_MAP) < 0)
    return -1;
  if (n->n != 1)
    return scenario_fail(c, n, NULL,
                         "a step is one of check, expect-fail, inject, repair or sleep, "
                         "this one has %zu keys",
                         n->n);
  const struct ynode *key = n->items[0], *value = n->items[1];
  size_t k = 0;
  while (k < 5 && strcmp(kinds[k].key, key->value) != 0)
    k++;
  if (k == 5) {
    cleanup_free char *q = scenario_quote(key->value);
    return scenario_fail(c, key, key->value,
                         "unknown step %s (use check, expect-fail, inject, repair or sleep)", q);
  }
  st->kind = kinds[k].kind;
  if (scenario_get_str(c, value, key->value, &st->arg) < 0)
    return -1;
  cleanup_free char *q = scenario_quote(st->arg);
  bool all = strcmp(st->arg, "all") == 0;
  switch (st->kind) {
  case STEP_CHECK:
  case STEP_EXPECT_FAIL:
    if (st->kind == STEP_EXPECT_FAIL && all)
      return scenario_fail(c, value, key->value, "expect-fail takes one check name, not \"all\"");
    if ((st->kind == STEP_CHECK && all) || scenario_find_check(c->s, st->arg) != NULL)
      return 0;
    return scenario_fail(c, value, key->value, "check %s does not exist", q);
  case STEP_INJECT:
  case STEP_REPAIR:
    if ((st->kind == STEP_REPAIR && all) || scenario_find_fault(c->s, st->arg) != NULL)
      return 0;
    return scenario_fail(c, value, key->value, "fault %s does not exist", q);
  case STEP_SLEEP:
    return scenario_get_duration(c, value, "sleep", &st->sleep_ms);
  }
  return 0;
}

int scenario_read_step_at(struct scenario_ctx *c, const struct ynode *list, size_t index)
{
  return read_step(c, list->items[index], &c->s->steps[index]);
}
