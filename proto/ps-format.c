#include "ps-format.h"
#include "xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void ps_format_duration(long secs, char *buf, size_t len)
{
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

int ps_format_parse_iso(const char *s, long long *out)
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

/* now - the time s, or 0 when s is none. */
static long since(const char *s, long long now)
{
  long long t;
  return ps_format_parse_iso(s, &t) == 0 ? (long)(now - t) : 0;
}

void ps_format_status(const struct rt_rpc_ps_entry *e, long long now, char *buf, size_t len)
{
  char d[48];
  switch (e->state) {
  case RT_STATE_RUNNING:
    ps_format_duration(since(e->started_at, now), d, sizeof d);
    snprintf(buf, len, "Up %s", d);
    return;
  case RT_STATE_EXITED:
    if (e->oom_killed) {
      snprintf(buf, len, "OOMKilled");
      return;
    }
    ps_format_duration(since(e->finished_at, now), d, sizeof d);
    snprintf(buf, len, "Exited (%d) %s ago", e->exit_code, d);
    return;
  case RT_STATE_CREATED:
  case RT_STATE_N:
    break;
  }
  snprintf(buf, len, "Created");
}

enum { COL_ID, COL_IMAGE, COL_COMMAND, COL_CREATED, COL_STATUS, COL_NAMES, COL_LABEL, PS_COLS };

char *ps_format_table(const struct rt_rpc_ps_entry *entries, size_t n, unsigned flags,
                      long long now)
{
  char *out = NULL;
  size_t outlen = 0;
  FILE *f = open_memstream(&out, &outlen);
  if (f == NULL)
    abort();
  bool notrunc = flags & PS_FORMAT_NOTRUNC;
  int idw = notrunc ? 64 : 12;
  if (flags & PS_FORMAT_QUIET) {
    for (size_t i = 0; i < n; i++)
      fprintf(f, "%.*s\n", idw, entries[i].id ? entries[i].id : "");
    fclose(f);
    return out;
  }
  int ncols = (flags & PS_FORMAT_LABELS) ? PS_COLS : PS_COLS - 1;
  char *(*cells)[PS_COLS] = calloc(n + 1, sizeof *cells);
  if (cells == NULL)
    abort();
  static const char *const head[PS_COLS] = {
      [COL_ID] = "CONTAINER ID", [COL_IMAGE] = "IMAGE",   [COL_COMMAND] = "COMMAND",
      [COL_CREATED] = "CREATED", [COL_STATUS] = "STATUS", [COL_NAMES] = "NAMES",
      [COL_LABEL] = "LABEL"};
  for (int k = 0; k < PS_COLS; k++)
    cells[0][k] = xstrdup(head[k]);
  for (size_t i = 0; i < n; i++) {
    const struct rt_rpc_ps_entry *e = &entries[i];
    char **row = cells[i + 1];
    row[COL_ID] = strndup(e->id ? e->id : "", (size_t)idw);
    row[COL_IMAGE] = xstrdup(e->image ?: "");
    char cmd[512] = "";
    for (size_t k = 0; e->command != NULL && e->command[k] != NULL; k++) {
      size_t l = strlen(cmd);
      snprintf(cmd + l, sizeof cmd - l, "%s%s", k ? " " : "", e->command[k]);
    }
    if (!notrunc && strlen(cmd) > 20)
      strcpy(cmd + 17, "...");
    row[COL_COMMAND] = xstrdup(cmd);
    char created[64], status[96];
    ps_format_duration(since(e->created, now), created, sizeof created - 4);
    strcat(created, " ago");
    row[COL_CREATED] = xstrdup(created);
    ps_format_status(e, now, status, sizeof status);
    row[COL_STATUS] = xstrdup(status);
    row[COL_NAMES] = xstrdup(e->name ?: "");
    if (asprintf(&row[COL_LABEL], "%s%s", e->label ? e->label : "",
                 e->label_enforced ? "" : " (not enforced)") < 0)
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
