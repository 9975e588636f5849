/* The schema of faults: the fields every fault has, and the parameters of its
 * kind read and validated against the fault-kind table. */
#include "scenario.h"
#include "scenario-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

/* ---- faults ---- */

static const char *const fault_common[] = {"name", "kind", "symptom", "hints"};

static bool is_fault_common(const char *key)
{
  for (size_t i = 0; i < 4; i++)
    if (strcmp(fault_common[i], key) == 0)
      return true;
  return false;
}

static const struct scenario_fault_param *kind_param(const struct scenario_fault_kind *kind,
                                                     const char *key)
{
  for (size_t i = 0; i < SCENARIO_FAULT_MAX_PARAMS && kind->params[i].key; i++)
    if (strcmp(kind->params[i].key, key) == 0)
      return &kind->params[i];
  return NULL;
}

static void kind_params_text(const struct scenario_fault_kind *kind, char *buf, size_t size)
{
  size_t len = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < SCENARIO_FAULT_MAX_PARAMS && kind->params[i].key && len < size; i++)
    len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", kind->params[i].key);
}

int scenario_read_fault(struct scenario_ctx *c, const struct ynode *faults, size_t index)
{
  struct scenario *s = c->s;
  struct scenario_fault *f = &s->faults[index];
  const struct ynode *n = faults->items[index];
  f->pos = n->pos;
  if (scenario_expect_type(c, n, NULL, YNODE_MAP) < 0 || scenario_check_duplicate_keys(c, n) < 0)
    return -1;
  const struct ynode *name = ynode_lookup(n, "name"), *kind_node = ynode_lookup(n, "kind");
  if (name == NULL)
    return scenario_fail(c, n, "name", "required field is missing");
  if (scenario_get_str(c, name, "name", &f->name) < 0 ||
      scenario_check_name(c, name, "name", f->name, SCENARIO_OBJECT_NAME_MAX, NULL) < 0)
    return -1;
  if (strcmp(f->name, "all") == 0)
    return scenario_fail(c, name, "name",
                         "name \"all\" is reserved (\"repair: all\" repairs every fault)");
  for (size_t j = 0; j < index; j++) {
    if (strcmp(s->faults[j].name, f->name) == 0) {
      struct scenario_pos first = scenario_name_pos(faults, j);
      return scenario_fail(c, name, "name", "duplicate fault name \"%s\" (first at %d:%d)", f->name,
                           first.line, first.column);
    }
  }
  if (kind_node == NULL)
    return scenario_fail(c, n, "kind", "required field is missing");
  if (scenario_get_str(c, kind_node, "kind", &f->kind) < 0)
    return -1;
  const struct scenario_fault_kind *kind = scenario_fault_kind_find(f->kind);
  if (kind == NULL) {
    cleanup_free char *q = scenario_quote(f->kind);
    char known[256];
    return scenario_fail(c, kind_node, "kind", "unknown fault kind %s (known: %s)", q,
                         scenario_fault_kind_list(known, sizeof known));
  }
  char takes[96];
  kind_params_text(kind, takes, sizeof takes);
  for (size_t i = 0; i < n->n; i++) {
    const struct ynode *key = n->items[2 * i];
    if (!is_fault_common(key->value) && kind_param(kind, key->value) == NULL) {
      cleanup_free char *q = scenario_quote(key->value);
      return scenario_fail(c, key, key->value, "unknown field %s (kind %s takes %s)", q, kind->name,
                           takes);
    }
  }
  size_t nparams = 0;
  for (size_t i = 0; i < SCENARIO_FAULT_MAX_PARAMS && kind->params[i].key; i++) {
    const struct scenario_fault_param *p = &kind->params[i];
    if (p->required && ynode_lookup(n, p->key) == NULL)
      return scenario_fail(c, n, p->key, "required field is missing (kind %s takes %s)", kind->name,
                           takes);
    nparams += strcmp(p->key, "node") != 0;
  }
  f->param_keys = scenario_xcalloc(nparams + 1, sizeof *f->param_keys);
  f->param_values = scenario_xcalloc(nparams + 1, sizeof *f->param_values);
  size_t np = 0;
  for (size_t i = 0; i < SCENARIO_FAULT_MAX_PARAMS && kind->params[i].key; i++) {
    const struct scenario_fault_param *p = &kind->params[i];
    const struct ynode *value = ynode_lookup(n, p->key);
    if (value == NULL)
      continue;
    const char *text;
    if (scenario_get_text(c, value, p->key, &text) < 0 ||
        scenario_check_fault_param(c, f, p, value, text) < 0)
      return -1;
    if (strcmp(p->key, "node") == 0) {
      f->node = scenario_xstrdup(text);
    } else {
      f->param_keys[np] = scenario_xstrdup(p->key);
      f->param_values[np] = scenario_xstrdup(text);
      np++;
    }
  }
  const struct ynode *symptom = ynode_lookup(n, "symptom"), *hints = ynode_lookup(n, "hints");
  if (symptom != NULL && scenario_get_str(c, symptom, "symptom", &f->symptom) < 0)
    return -1;
  if (hints != NULL && scenario_get_strv(c, hints, "hints", true, &f->hints) < 0)
    return -1;
  return 0;
}
