/* podman-style `ps` text: pure functions of the runtime's PS_ENTRY objects
 * (runtime/rpc-ops.h) and the current time, so unit tests can pin them. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

void cli_human_duration(long secs, char *buf, size_t len)
{
  /* go-units HumanDuration, which podman prints */
  long m = secs / 60, h = secs / 3600, d = secs / 86400;
  if (secs < 1)
    snprintf(buf, len, "Less than a second");
  else if (secs == 1)
    snprintf(buf, len, "1 second");
  else if (secs < 60)
    snprintf(buf, len, "%ld seconds", secs);
  else if (m == 1)
    snprintf(buf, len, "About a minute");
  else if (m < 60)
    snprintf(buf, len, "%ld minutes", m);
  else if (h == 1)
    snprintf(buf, len, "About an hour");
  else if (h < 48)
    snprintf(buf, len, "%ld hours", h);
  else if (d < 14)
    snprintf(buf, len, "%ld days", d);
  else if (d < 90)
    snprintf(buf, len, "%ld weeks", d / 7);
  else if (d < 730)
    snprintf(buf, len, "%ld months", d / 30);
  else
    snprintf(buf, len, "%ld years", d / 365);
}

int cli_parse_iso(const char *s, long long *out)
{
  struct tm tm = {0};
  if (s == NULL || *s == '\0')
    return -1;
  const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == NULL)
    return -1;
  *out = (long long)timegm(&tm);
  return 0;
}

static const char *field(struct json_object *o, const char *key)
{
  struct json_object *v;
  return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
             ? json_object_get_string(v)
             : "";
}

static long ifield(struct json_object *o, const char *key)
{
  struct json_object *v;
  return json_object_object_get_ex(o, key, &v) ? (long)json_object_get_int64(v) : 0;
}

void cli_ps_status(struct json_object *e, long long now, char *buf, size_t len)
{
  const char *state = field(e, "State");
  char d[48];
  long long t;
  if (strcmp(state, "running") == 0) {
    cli_human_duration(cli_parse_iso(field(e, "StartedAt"), &t) == 0 ? (long)(now - t) : 0, d,
                       sizeof d);
    snprintf(buf, len, "Up %s", d);
  } else if (strcmp(state, "exited") == 0) {
    struct json_object *v;
    if (json_object_object_get_ex(e, "OOMKilled", &v) && json_object_get_boolean(v)) {
      snprintf(buf, len, "OOMKilled");
      return;
    }
    cli_human_duration(cli_parse_iso(field(e, "FinishedAt"), &t) == 0 ? (long)(now - t) : 0, d,
                       sizeof d);
    snprintf(buf, len, "Exited (%ld) %s ago", ifield(e, "ExitCode"), d);
  } else {
    snprintf(buf, len, "Created");
  }
}

/* Columns as podman prints them (a tabwriter: each as wide as its widest
 * cell, two spaces between). */
#define PS_COLS 7

char *cli_ps_table(struct json_object *containers, unsigned flags, long long now)
{
  char *out = NULL;
  size_t outlen = 0;
  FILE *f = open_memstream(&out, &outlen);
  if (f == NULL)
    abort();
  bool notrunc = flags & CLI_PS_NOTRUNC;
  int idw = notrunc ? 64 : 12;
  size_t n = containers ? json_object_array_length(containers) : 0;
  if (flags & CLI_PS_QUIET) {
    for (size_t i = 0; i < n; i++)
      fprintf(f, "%.*s\n", idw, field(json_object_array_get_idx(containers, i), "Id"));
    fclose(f);
    return out;
  }
  int ncols = (flags & CLI_PS_LABELS) ? PS_COLS : PS_COLS - 1;
  char *(*cells)[PS_COLS] = calloc(n + 1, sizeof *cells);
  static const char *const head[PS_COLS] = {"CONTAINER ID", "IMAGE", "COMMAND", "CREATED",
                                            "STATUS",       "NAMES", "LABEL"};
  for (int k = 0; k < PS_COLS; k++)
    cells[0][k] = strdup(head[k]);
  for (size_t i = 0; i < n; i++) {
    struct json_object *e = json_object_array_get_idx(containers, i), *v;
    char **row = cells[i + 1];
    row[0] = strndup(field(e, "Id"), (size_t)idw);
    row[1] = strdup(field(e, "Image"));
    char cmd[512] = "";
    if (json_object_object_get_ex(e, "Command", &v) && json_object_is_type(v, json_type_array)) {
      for (size_t k = 0; k < json_object_array_length(v); k++) {
        size_t l = strlen(cmd);
        snprintf(cmd + l, sizeof cmd - l, "%s%s", k ? " " : "",
                 json_object_get_string(json_object_array_get_idx(v, k)));
      }
    }
    if (!notrunc && strlen(cmd) > 20)
      strcpy(cmd + 17, "...");
    row[2] = strdup(cmd);
    char created[64], status[96];
    long long t;
    cli_human_duration(cli_parse_iso(field(e, "Created"), &t) == 0 ? (long)(now - t) : 0, created,
                       sizeof created - 4);
    strcat(created, " ago");
    row[3] = strdup(created);
    cli_ps_status(e, now, status, sizeof status);
    row[4] = strdup(status);
    const char *name = "";
    if (json_object_object_get_ex(e, "Names", &v) && json_object_array_length(v) > 0)
      name = json_object_get_string(json_object_array_get_idx(v, 0));
    row[5] = strdup(name);
    bool enforced = json_object_object_get_ex(e, "LabelEnforced", &v) && json_object_get_boolean(v);
    if (asprintf(&row[6], "%s%s", field(e, "Label"), enforced ? "" : " (not enforced)") < 0)
      abort();
  }
  int width[PS_COLS] = {0};
  for (size_t i = 0; i <= n; i++)
    for (int k = 0; k < ncols; k++)
      if ((int)strlen(cells[i][k]) > width[k])
        width[k] = (int)strlen(cells[i][k]);
  for (size_t i = 0; i <= n; i++) {
    for (int k = 0; k < ncols; k++) {
      if (k == ncols - 1)
        fprintf(f, "%s\n", cells[i][k]);
      else
        fprintf(f, "%-*s  ", width[k], cells[i][k]);
    }
    for (int k = 0; k < PS_COLS; k++)
      free(cells[i][k]);
  }
  free(cells);
  fclose(f);
  return out;
}
