/* nodelab validate FILE...: parse and validate scenarios, no daemon needed. */
#include "cli.h"

#include <stdio.h>

#include "error.h"
#include "scenario.h"

int cli_validate(const struct cli_invocation *inv)
{
  int rc = CLI_EXIT_OK;
  for (int i = 0; i < inv->argc; i++) {
    const char *file = inv->argv[i];
    struct scenario *s = NULL;
    cleanup_error struct lab_error *err = NULL;
    if (scenario_load(file, &s, &err) < 0) {
      /* The message already starts with "file:line:column:", so it is printed
       * bare: editors and scripts can jump to it. */
      fflush(stdout);
      fprintf(stderr, "%s\n", err->msg);
      rc = CLI_EXIT_FAIL;
      continue;
    }
    printf("%s: ok (%s: %zu nodes, %zu pods, %zu checks, %zu faults)\n", file, s->name, s->n_nodes,
           s->n_pods, s->n_checks, s->n_faults);
    scenario_free(s);
  }
  return rc;
}
