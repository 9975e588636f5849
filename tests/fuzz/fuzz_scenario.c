/* libFuzzer target: scenario_parse() on arbitrary bytes.  Besides crashes,
 * leaks and undefined behaviour (the sanitizers), it aborts when the parser
 * breaks its contract: a failure without exactly one "FILE:L:C: ..." message,
 * or a success whose model holds a dangling reference. */
#include "scenario.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_FILE_NAME
#define FUZZ_FILE_NAME "fuzz-input.yaml"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_model(const struct scenario *s)
{
  if (s->name == NULL || s->n_nodes == 0 || s->n_nodes > 200)
    abort();
  uint32_t umask = s->underlay.prefix ? UINT32_MAX << (32 - s->underlay.prefix) : 0;
  uint32_t cmask = s->cluster_network.prefix ? UINT32_MAX << (32 - s->cluster_network.prefix) : 0;
  for (size_t i = 0; i < s->n_nodes; i++) {
    const struct scenario_node *n = &s->nodes[i];
    if (n->name == NULL || strlen(n->name) > SCENARIO_IFNAME_MAX ||
        scenario_find_node(s, n->name) != n)
      abort();
    if ((n->underlay & umask) != s->underlay.addr ||
        (n->subnet.addr & cmask) != s->cluster_network.addr)
      abort();
  }
  for (size_t i = 0; i < s->n_pods; i++) {
    const struct scenario_pod *p = &s->pods[i];
    if (scenario_find_node(s, p->node) == NULL || scenario_find_pod(s, p->name) != p ||
        p->n_containers == 0 || strlen(p->name) > SCENARIO_IFNAME_MAX)
      abort();
  }
  for (size_t i = 0; i < s->n_checks; i++)
    if (s->checks[i].from == NULL ||
        (s->checks[i].target == NULL) != (s->checks[i].kind == CHECK_EXEC))
      abort();
  for (size_t i = 0; i < s->n_faults; i++) {
    const struct scenario_fault *f = &s->faults[i];
    if (!scenario_fault_kind_known(f->kind) || (f->node && !scenario_find_node(s, f->node)))
      abort();
    /* The typed parameters: of the fault's kind, each required one present. */
    const struct fault_kind_spec *k = fault_kind_by_name(f->kind);
    if (k->kind != f->kind_id || f->n_args > fault_kind_n_params(k))
      abort();
    for (size_t j = 0; j < f->n_args; j++)
      if (fault_kind_param(k, f->args[j].spec->name) != f->args[j].spec || f->args[j].text == NULL)
        abort();
    for (const struct fault_param_spec *p = k->params; p->name; p++)
      if (p->need == FAULT_PARAM_REQUIRED && scenario_fault_arg(f, p->name) == NULL)
        abort();
    if (f->every_ms >= 0 && (f->for_ms <= 0 || f->for_ms >= f->every_ms))
      abort();
  }
  for (size_t i = 0; i < s->n_exercises; i++) {
    for (char **f = s->exercises[i].faults; *f; f++)
      if (scenario_find_fault(s, *f) == NULL)
        abort();
    for (char **c = s->exercises[i].verify; *c; c++)
      if (scenario_find_check(s, *c) == NULL)
        abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct scenario *s = NULL;
  struct lab_error *err = NULL;
  if (scenario_parse(FUZZ_FILE_NAME, (const char *)data, size, &s, &err) == 0) {
    if (s == NULL || err != NULL)
      abort();
    check_model(s);
    scenario_free(s);
    return 0;
  }
  if (s != NULL || err == NULL || err->msg == NULL ||
      strncmp(err->msg, FUZZ_FILE_NAME ":", sizeof FUZZ_FILE_NAME) != 0 ||
      strchr(err->msg, '\n') != NULL)
    abort();
  lab_error_clear(&err);
  return 0;
}
