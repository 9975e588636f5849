/* nodelab-runtime exec [-it] CONTAINER CMD...: stdio inherited. */
#include "cli-runtime.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rtcli_exec(int argc, char **argv)
{
  int first = 1;
  while (first < argc && argv[first][0] == '-' && strcmp(argv[first], "--") != 0)
    first++; /* -i, -t, -it: stdio is inherited */
  if (first < argc && strcmp(argv[first], "--") == 0)
    first++;
  if (first + 1 >= argc)
    return rtcli_usage_error("usage: exec CONTAINER CMD...");
  struct lab_error *err = NULL;
  struct ctr_store *s = NULL;
  struct container *c = NULL;
  if (rtcli_open_store(&s, &err) < 0 || container_lookup(s, argv[first], &c, &err) < 0) {
    ctr_store_close(s);
    return rtcli_fail(&err);
  }
  int code = container_exec(s, c, (const char *const *)&argv[first + 1], &err);
  container_free(c);
  ctr_store_close(s);
  if (code < 0) {
    fprintf(stderr, "nodelab-runtime: %s\n", err->msg);
    lab_error_clear(&err);
    return 126;
  }
  return code;
}
