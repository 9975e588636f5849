/* nodelab-runtime ps: the store's containers as podman's table
 * (proto/ps-format.h, the one `nodelab ps` prints), or inspect's JSON. */
#include "cli-runtime.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <json-c/json.h>

#include "ps-format.h"
#include "rpc-ops.h"

enum { OPT_NOTRUNC = 256, OPT_JSON };

int rtcli_ps(int argc, char **argv)
{
  bool all = false, latest = false, json = false;
  unsigned flags = 0;
  static const struct option longopts[] = {
      {"all", no_argument, NULL, 'a'},       {"quiet", no_argument, NULL, 'q'},
      {"latest", no_argument, NULL, 'l'},    {"no-trunc", no_argument, NULL, OPT_NOTRUNC},
      {"json", no_argument, NULL, OPT_JSON}, {NULL, 0, NULL, 0},
  };
  int ch;
  optind = 0;
  while ((ch = getopt_long(argc, argv, "aqlZ", longopts, NULL)) != -1) {
    switch (ch) {
    case 'a':
      all = true;
      break;
    case 'q':
      flags |= PS_FORMAT_QUIET;
      break;
    case 'l':
      latest = true;
      break;
    case 'Z':
      flags |= PS_FORMAT_LABELS;
      break;
    case OPT_NOTRUNC:
      flags |= PS_FORMAT_NOTRUNC;
      break;
    case OPT_JSON:
      json = true;
      break;
    default:
      return 2;
    }
  }
  struct lab_error *err = NULL;
  struct ctr_store *s = NULL;
  struct container **list = NULL;
  size_t n = 0;
  if (rtcli_open_store(&s, &err) < 0 || container_list(s, &list, &n, &err) < 0) {
    ctr_store_close(s);
    return rtcli_fail(&err);
  }
  size_t from = latest && n > 0 ? n - 1 : 0;
  struct json_object *arr = json ? json_object_new_array() : NULL;
  struct rt_rpc_ps_reply shown = {.entries = calloc(n ? n : 1, sizeof *shown.entries)};
  if (shown.entries == NULL)
    abort();
  for (size_t i = from; i < n; i++) {
    struct container *c = list[i];
    if (!all && !latest && container_state(c) != CONTAINER_RUNNING)
      continue;
    if (json)
      json_object_array_add(arr, container_inspect_json(s, c));
    else
      rt_ps_entry(c, NULL, &shown.entries[shown.n++]);
  }
  if (json) {
    printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
                                                           JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(arr);
  } else {
    char *text = ps_format_table(shown.entries, shown.n, flags, (long long)time(NULL));
    fputs(text, stdout);
    free(text);
  }
  rt_rpc_ps_reply_clear(&shown);
  container_list_free(list, n);
  ctr_store_close(s);
  return 0;
}
