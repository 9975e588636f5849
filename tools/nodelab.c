/* nodelab: the command-line client of nodelabd.  main() only parses the
 * command line against the verb table (tools/cli-verbs.c) and dispatches;
 * each verb lives in its own tools/cli-*.c. */
#include <stdio.h>
#include <stdlib.h>

#include "api.h"
#include "cli.h"

int main(int argc, char **argv)
{
  struct cli_invocation inv;
  char *message = NULL;
  enum cli_parse_result r = cli_parse(cli_verbs, cli_n_verbs, argc, argv, &inv, &message);
  int rc = CLI_EXIT_OK;
  switch (r) {
  case CLI_PARSE_HELP: {
    char *help = inv.verb ? cli_verb_help(inv.verb) : cli_global_help(cli_verbs, cli_n_verbs);
    fputs(help, stdout);
    free(help);
    break;
  }
  case CLI_PARSE_VERSION:
    printf("nodelab %s\n", NODELAB_VERSION);
    break;
  case CLI_PARSE_USAGE:
    fprintf(stderr, "%s\n", message);
    rc = CLI_EXIT_USAGE;
    break;
  case CLI_PARSE_RUN:
    rc = inv.verb->handler(&inv);
    break;
  }
  free(message);
  cli_invocation_release(&inv);
  if (fflush(stdout) != 0 && rc == CLI_EXIT_OK) {
    perror("nodelab: writing to stdout");
    rc = CLI_EXIT_FAIL;
  }
  return rc;
}
