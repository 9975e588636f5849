/* The schema of faults: the fields every fault has (name, kind, the timeline,
 * symptom, hints) and the parameters of its kind, read, typed and validated
 * against the fault-kind table (fault-kinds.c) and the rest of the scenario:
 * the nodes, pods and containers they name must exist. */
#include "scenario.h"
#include "scenario-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

/* ---- faults ---- */

/* "a, b or c" of the names of k's parameters that need is need, into buf. */
static char *names_with_need(const struct fault_kind_spec *k, enum fault_param_need need, char *buf,
                             size_t size)
{
  size_t count = 0, total = 0, len = 0;
  for (const struct fault_param_spec *p = k->params; p->name; p++)
    total += p->need == need;
  buf[0] = '\0';
  for (const struct fault_param_spec *p = k->params; p->name && len < size; p++) {
    if (p->need != need)
      continue;
    const char *sep = count == 0 ? "" : count + 1 == total ? " or " : ", ";
    len += (size_t)snprintf(buf + len, size - len, "%s%s", sep, p->name);
    count++;
  }
  return buf;
}

/* Exactly one of the ONE_OF parameters and at least one of the ANY_OF ones
 * are given; the second ONE_OF in file order is blamed. */
static int check_groups(struct scenario_ctx *c, const struct ynode *n,
                        const struct fault_kind_spec *k, const char *takes)
{
  char names[128];
  bool has_one_of = false, has_any_of = false, any_given = false;
  const struct ynode *first = NULL;
  for (const struct fault_param_spec *p = k->params; p->name; p++) {
    has_one_of |= p->need == FAULT_PARAM_ONE_OF;
    has_any_of |= p->need == FAULT_PARAM_ANY_OF;
    any_given |= p->need == FAULT_PARAM_ANY_OF && ynode_lookup(n, p->name) != NULL;
  }
  for (size_t i = 0; has_one_of && i < n->n; i++) {
    const struct ynode *key = n->items[2 * i];
    const struct fault_param_spec *p = fault_kind_param(k, key->value);
    if (p == NULL || p->need != FAULT_PARAM_ONE_OF)
      continue;
    if (first != NULL)
      return scenario_fail(c, key, key->value, "only one of %s may be given (%s at %d:%d)",
                           names_with_need(k, FAULT_PARAM_ONE_OF, names, sizeof names),
                           first->value, first->pos.line, first->pos.column);
    first = key;
  }
  if (has_one_of && first == NULL)
    return scenario_fail(c, n, NULL, "one of %s is required (kind %s takes %s)",
                         names_with_need(k, FAULT_PARAM_ONE_OF, names, sizeof names), k->name,
                         takes);
  if (has_any_of && !any_given)
    return scenario_fail(c, n, NULL, "kind %s needs at least one of %s", k->name,
                         names_with_need(k, FAULT_PARAM_ANY_OF, names, sizeof names));
  return 0;
}

/* The argument of f of type type, or NULL. */
static const struct scenario_fault_arg *arg_of_type(const struct scenario_fault *f,
                                                    enum fault_param_type type)
{
  for (size_t i = 0; i < f->n_args; i++)
    if (f->args[i].spec->type == type)
      return &f->args[i];
  return NULL;
}

/* What the value names must exist in the scenario (and fit the parameters
 * before it); lab addresses must be in the lab.  q is text quoted. */
static int check_reference(struct scenario_ctx *c, const struct scenario_fault *f,
                           const struct fault_param_spec *p, const struct ynode *n,
                           const struct scenario_fault_arg *arg, const char *q)
{
  const struct scenario *s = c->s;
  const char *k = p->name, *value = arg->text;
  switch (p->type) {
  case FAULT_PARAM_NODE:
    if (scenario_find_node(s, value) == NULL)
      return scenario_fail(c, n, k, "node %s does not exist", q);
    return 0;
  case FAULT_PARAM_REMOTE_NODE:
    if (scenario_find_node(s, value) == NULL)
      return scenario_fail(c, n, k, "node %s does not exist", q);
    if (f->node != NULL && strcmp(f->node, value) == 0)
      return scenario_fail(c, n, k, "remote node %s is the fault's own node", q);
    return 0;
  case FAULT_PARAM_POD: {
    const struct scenario_pod *pod = scenario_find_pod(s, value);
    if (pod == NULL)
      return scenario_fail(c, n, k, "pod %s does not exist", q);
    if (f->node != NULL && strcmp(pod->node, f->node) != 0)
      return scenario_fail(c, n, k, "pod %s runs on %s, not %s", q, pod->node, f->node);
    return 0;
  }
  case FAULT_PARAM_OTHER_POD: {
    const struct scenario_fault_arg *own = arg_of_type(f, FAULT_PARAM_POD);
    if (scenario_find_pod(s, value) == NULL)
      return scenario_fail(c, n, k, "pod %s does not exist", q);
    if (own != NULL && strcmp(own->text, value) == 0)
      return scenario_fail(c, n, k, "pod %s is the fault's own pod", q);
    return 0;
  }
  case FAULT_PARAM_CONTAINER: {
    const struct scenario_fault_arg *own = arg_of_type(f, FAULT_PARAM_POD);
    const struct scenario_pod *pod = own ? scenario_find_pod(s, own->text) : NULL;
    if (pod != NULL && scenario_find_container(pod, value) != NULL)
      return 0;
    return scenario_fail(c, n, k, "pod \"%s\" has no container %s", pod ? pod->name : "?", q);
  }
  case FAULT_PARAM_IPV4:
    return scenario_check_lab_address(c, n, k, value, arg->value.ipv4);
  default:
    return 0;
  }
}

/* Reads parameter p of f from its value node n (NULL: not given, so its
 * default when it has one) into the next slot of f->args. */
static int read_arg(struct scenario_ctx *c, struct scenario_fault *f, const struct ynode *fault,
                    const struct fault_param_spec *p, const struct ynode *n)
{
  const char *text = p->dflt;
  if (n != NULL && scenario_get_text(c, n, p->name, &text) < 0)
    return -1;
  if (text == NULL)
    return 0;
  if (n != NULL && p->needs != NULL && ynode_lookup(fault, p->needs) == NULL)
    return scenario_fail(c, n, p->name, "%s needs %s as well", p->name, p->needs);
  struct scenario_fault_arg *arg = &f->args[f->n_args];
  char problem[256];
  if (fault_value_parse(p, text, &arg->value, problem, sizeof problem) < 0)
    return scenario_fail(c, n ? n : fault, p->name, "%s", problem);
  arg->spec = p;
  arg->text = xstrdup(text);
  arg->is_default = n == NULL;
  f->n_args++;
  cleanup_free char *q = scenario_quote(text);
  if (check_reference(c, f, p, n ? n : fault, arg, q) < 0)
    return -1;
  if (p->type == FAULT_PARAM_NODE)
    f->node = xstrdup(text);
  return 0;
}

/* at (0 allowed), for and every (greater than 0; every needs for, and for
 * must be shorter). */
static int read_timeline(struct scenario_ctx *c, struct scenario_fault *f, const struct ynode *n)
{
  const struct ynode *at = ynode_lookup(n, "at"), *dur = ynode_lookup(n, "for"),
                     *every = ynode_lookup(n, "every");
  f->at_ms = f->for_ms = f->every_ms = -1;
  if (at != NULL && scenario_get_duration_or_zero(c, at, "at", &f->at_ms) < 0)
    return -1;
  if (dur != NULL && scenario_get_duration(c, dur, "for", &f->for_ms) < 0)
    return -1;
  if (every != NULL && scenario_get_duration(c, every, "every", &f->every_ms) < 0)
    return -1;
  if (every != NULL && dur == NULL)
    return scenario_fail(c, every, "every",
                         "every needs for as well (how long each injection lasts)");
  if (every != NULL && f->for_ms >= f->every_ms)
    return scenario_fail(c, dur, "for", "for (%s) must be shorter than every (%s)", dur->value,
                         every->value);
  return 0;
}

int scenario_read_fault(struct scenario_ctx *c, const struct ynode *faults, size_t index)
{
  struct scenario *s = c->s;
  struct scenario_fault *f = &s->faults[index];
  const struct ynode *n = faults->items[index];
  f->pos = n->pos;
  f->at_ms = f->for_ms = f->every_ms = -1;
  if (scenario_expect_type(c, n, NULL, YNODE_MAP) < 0 || scenario_check_duplicate_keys(c, n) < 0)
    return -1;
  const struct ynode *name = ynode_lookup(n, "name"), *kind_node = ynode_lookup(n, "kind");
  if (name == NULL)
    return scenario_fail(c, n, "name", "required field is missing");
  if (scenario_get_name(c, faults, index, name, "fault", SCENARIO_OBJECT_NAME_MAX, NULL, &f->name) <
      0)
    return -1;
  if (strcmp(f->name, "all") == 0)
    return scenario_fail(c, name, "name",
                         "name \"all\" is reserved (\"repair: all\" repairs every fault)");
  if (kind_node == NULL)
    return scenario_fail(c, n, "kind", "required field is missing");
  if (scenario_get_str(c, kind_node, "kind", &f->kind) < 0)
    return -1;
  const struct fault_kind_spec *kind = fault_kind_by_name(f->kind);
  if (kind == NULL) {
    cleanup_free char *q = scenario_quote(f->kind);
    char known[512];
    return scenario_fail(c, kind_node, "kind", "unknown fault kind %s (known: %s)", q,
                         fault_kind_list(known, sizeof known));
  }
  f->kind_id = kind->kind;
  char takes[192];
  fault_kind_params_text(kind, takes, sizeof takes);
  for (size_t i = 0; i < n->n; i++) {
    const struct ynode *key = n->items[2 * i];
    if (!fault_field_is_common(key->value) && fault_kind_param(kind, key->value) == NULL) {
      cleanup_free char *q = scenario_quote(key->value);
      return scenario_fail(c, key, key->value, "unknown field %s (kind %s takes %s)", q, kind->name,
                           takes);
    }
  }
  for (const struct fault_param_spec *p = kind->params; p->name; p++)
    if (p->need == FAULT_PARAM_REQUIRED && ynode_lookup(n, p->name) == NULL)
      return scenario_fail(c, n, p->name, "required field is missing (kind %s takes %s)",
                           kind->name, takes);
  if (check_groups(c, n, kind, takes) < 0)
    return -1;
  f->args = xcalloc(fault_kind_n_params(kind), sizeof *f->args);
  for (const struct fault_param_spec *p = kind->params; p->name; p++)
    if (read_arg(c, f, n, p, ynode_lookup(n, p->name)) < 0)
      return -1;
  if (read_timeline(c, f, n) < 0)
    return -1;
  const struct ynode *symptom = ynode_lookup(n, "symptom"), *hints = ynode_lookup(n, "hints");
  if (symptom != NULL && scenario_get_str(c, symptom, "symptom", &f->symptom) < 0)
    return -1;
  if (hints != NULL && scenario_get_strv(c, hints, "hints", true, &f->hints) < 0)
    return -1;
  return 0;
}
