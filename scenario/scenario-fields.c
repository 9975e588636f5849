/* Typed readers over the YAML tree, generic to any schema: strings, integers,
 * booleans, lists of strings and durations read from ynodes, mappings checked
 * against a field list (unknown, duplicate and missing keys), and the field
 * path and "file:line:column: field: problem" messages they report with.
 * Which fields a lab has is the schema's business (scenario-parse.c,
 * scenario-checks.c, scenario-faults.c). */
#include "scenario-internal.h"
#include "strv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

/* ---- allocation, paths and messages ---- */

/* Appends text to the path, replacing bytes that would garble a one-line
 * message; truncates at the buffer's end. */
static void path_append(struct scenario_ctx *c, const char *text)
{
  for (const char *p = text; *p && c->path_len + 1 < sizeof c->path; p++)
    c->path[c->path_len++] = (unsigned char)*p < ' ' || *p == 0x7f ? '?' : *p;
  c->path[c->path_len] = '\0';
}

size_t scenario_path_push_key(struct scenario_ctx *c, const char *key)
{
  size_t mark = c->path_len;
  if (c->path_len > 0)
    path_append(c, ".");
  path_append(c, key);
  return mark;
}

size_t scenario_path_push_index(struct scenario_ctx *c, size_t index)
{
  size_t mark = c->path_len;
  char buf[32];
  snprintf(buf, sizeof buf, "[%zu]", index);
  path_append(c, buf);
  return mark;
}

void scenario_path_pop(struct scenario_ctx *c, size_t mark)
{
  c->path_len = mark;
  c->path[mark] = '\0';
}

int scenario_fail(struct scenario_ctx *c, const struct ynode *n, const char *key, const char *fmt,
                  ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *problem = xvasprintf(fmt, ap);
  va_end(ap);
  size_t mark = key ? scenario_path_push_key(c, key) : c->path_len;
  struct scenario_pos pos = n ? n->pos : (struct scenario_pos){1, 1};
  lab_error_set(c->err, 0, "%s:%d:%d: %s: %s", c->file, pos.line, pos.column,
                c->path_len ? c->path : "(document)", problem);
  scenario_path_pop(c, mark);
  free(problem);
  return -1;
}

char *scenario_quote(const char *text)
{
  size_t cap = 80;
  char *out = xcalloc(1, cap * 4 + 8);
  size_t len = 0, i = 0;
  out[len++] = '"';
  for (; text[i] && i < cap; i++) {
    unsigned char ch = (unsigned char)text[i];
    if (ch == '"' || ch == '\\') {
      out[len++] = '\\';
      out[len++] = (char)ch;
    } else if (ch < ' ' || ch == 0x7f) {
      len += (size_t)sprintf(out + len, "\\x%02x", ch);
    } else {
      out[len++] = (char)ch;
    }
  }
  if (text[i] != '\0') {
    memcpy(out + len, "...", 3);
    len += 3;
  }
  out[len++] = '"';
  out[len] = '\0';
  return out;
}

/* ---- typed getters ---- */

/* Fails on a key that appears twice in map. */
int scenario_check_duplicate_keys(struct scenario_ctx *c, const struct ynode *map)
{
  for (size_t i = 1; i < map->n; i++) {
    const struct ynode *key = map->items[2 * i];
    for (size_t j = 0; j < i; j++) {
      const struct ynode *first = map->items[2 * j];
      if (strcmp(first->value, key->value) == 0) {
        cleanup_free char *q = scenario_quote(key->value);
        return scenario_fail(c, key, key->value, "duplicate key %s (first at %d:%d)", q,
                             first->pos.line, first->pos.column);
      }
    }
  }
  return 0;
}

int scenario_expect_type(struct scenario_ctx *c, const struct ynode *n, const char *key,
                         enum ynode_type type)
{
  if (n->type == type)
    return 0;
  static const char *const names[] = {
      [YNODE_SCALAR] = "a string", [YNODE_SEQ] = "a list", [YNODE_MAP] = "a mapping"};
  return scenario_fail(c, n, key, "expected %s, got %s", names[type], ynode_kind(n));
}

/* Checks that map (the node at the current path) is a mapping with no
 * duplicate and no unknown keys and with every required field; fills vals[i]
 * with the value of fields[i] or NULL. */
int scenario_map_fields(struct scenario_ctx *c, const struct ynode *map,
                        const struct scenario_field *fields, size_t nfields,
                        const struct ynode **vals)
{
  if (scenario_expect_type(c, map, NULL, YNODE_MAP) < 0 ||
      scenario_check_duplicate_keys(c, map) < 0)
    return -1;
  for (size_t f = 0; f < nfields; f++)
    vals[f] = NULL;
  for (size_t i = 0; i < map->n; i++) {
    const struct ynode *key = map->items[2 * i];
    size_t f = 0;
    while (f < nfields && strcmp(fields[f].key, key->value) != 0)
      f++;
    if (f == nfields) {
      cleanup_free char *q = scenario_quote(key->value);
      return scenario_fail(c, key, key->value, "unknown field %s", q);
    }
    vals[f] = map->items[2 * i + 1];
  }
  for (size_t f = 0; f < nfields; f++)
    if (fields[f].required && vals[f] == NULL)
      return scenario_fail(c, map, fields[f].key, "required field is missing");
  return 0;
}

/* A string: any scalar but null.  *out is a new copy. */
int scenario_get_str(struct scenario_ctx *c, const struct ynode *n, const char *key, char **out)
{
  if (scenario_expect_type(c, n, key, YNODE_SCALAR) < 0)
    return -1;
  if (ynode_is_null(n))
    return scenario_fail(c, n, key, "expected a string, got null");
  free(*out);
  *out = xstrdup(n->value);
  return 0;
}

/* The scalar's text, without copying; fails on non-scalars and null. */
int scenario_get_text(struct scenario_ctx *c, const struct ynode *n, const char *key,
                      const char **out)
{
  if (scenario_expect_type(c, n, key, YNODE_SCALAR) < 0)
    return -1;
  if (ynode_is_null(n))
    return scenario_fail(c, n, key, "expected a string, got null");
  *out = n->value;
  return 0;
}

int scenario_get_int(struct scenario_ctx *c, const struct ynode *n, const char *key, long min,
                     long max, long *out)
{
  if (scenario_expect_type(c, n, key, YNODE_SCALAR) < 0)
    return -1;
  const char *p = n->value;
  bool neg = *p == '-';
  if (*p == '-' || *p == '+')
    p++;
  bool ok = n->plain && *p != '\0';
  long long v = 0;
  for (; ok && *p; p++) {
    ok = *p >= '0' && *p <= '9';
    if (v < 1000000000000LL)
      v = v * 10 + (*p - '0');
  }
  if (!ok) {
    cleanup_free char *q = scenario_quote(n->value);
    return scenario_fail(c, n, key, "expected an integer, got %s%s",
                         n->plain ? "" : "the quoted string ", q);
  }
  if (neg)
    v = -v;
  if (v < min || v > max)
    return scenario_fail(c, n, key, "%s is out of range (%ld..%ld)", n->value, min, max);
  *out = (long)v;
  return 0;
}

int scenario_get_bool(struct scenario_ctx *c, const struct ynode *n, const char *key, bool *out)
{
  if (scenario_expect_type(c, n, key, YNODE_SCALAR) < 0)
    return -1;
  if (n->plain && strcmp(n->value, "true") == 0)
    *out = true;
  else if (n->plain && strcmp(n->value, "false") == 0)
    *out = false;
  else {
    cleanup_free char *q = scenario_quote(n->value);
    return scenario_fail(c, n, key, "expected true or false, got %s", q);
  }
  return 0;
}

/* A list of strings, as a new NULL-terminated vector in *out. */
int scenario_get_strv(struct scenario_ctx *c, const struct ynode *n, const char *key,
                      bool allow_empty, char ***out)
{
  if (scenario_expect_type(c, n, key, YNODE_SEQ) < 0)
    return -1;
  if (n->n == 0 && !allow_empty)
    return scenario_fail(c, n, key, "must not be empty");
  char **v = xcalloc(n->n + 1, sizeof *v);
  size_t mark = scenario_path_push_key(c, key);
  for (size_t i = 0; i < n->n; i++) {
    size_t m = scenario_path_push_index(c, i);
    int r = scenario_get_str(c, n->items[i], NULL, &v[i]);
    scenario_path_pop(c, m);
    if (r < 0) {
      scenario_path_pop(c, mark);
      strv_free(v);
      return -1;
    }
  }
  scenario_path_pop(c, mark);
  strv_free(*out);
  *out = v;
  return 0;
}

/* Fails with '"TEXT" PROBLEM' at n: a value its parser refused. */
static int fail_value(struct scenario_ctx *c, const struct ynode *n, const char *key,
                      const char *text, const char *problem)
{
  cleanup_free char *q = scenario_quote(text);
  return scenario_fail(c, n, key, "%s %s", q, problem);
}

int scenario_get_u64(struct scenario_ctx *c, const struct ynode *n, const char *key,
                     int (*parse)(const char *text, uint64_t *out, const char **problem),
                     uint64_t *out)
{
  const char *text, *problem;
  if (scenario_get_text(c, n, key, &text) < 0)
    return -1;
  if (parse(text, out, &problem) < 0)
    return fail_value(c, n, key, text, problem);
  return 0;
}

/* scenario_parse_duration() in scenario_get_u64()'s shape. */
static int parse_duration_u64(const char *text, uint64_t *out, const char **problem)
{
  int ms = 0;
  if (scenario_parse_duration(text, &ms, problem) < 0)
    return -1;
  *out = (uint64_t)ms;
  return 0;
}

int scenario_get_duration_or_zero(struct scenario_ctx *c, const struct ynode *n, const char *key,
                                  int *ms)
{
  uint64_t v = 0;
  if (scenario_get_u64(c, n, key, parse_duration_u64, &v) < 0)
    return -1;
  *ms = (int)v;
  return 0;
}

int scenario_get_duration(struct scenario_ctx *c, const struct ynode *n, const char *key, int *ms)
{
  if (scenario_get_duration_or_zero(c, n, key, ms) < 0)
    return -1;
  if (*ms == 0)
    return scenario_fail(c, n, key, "%s must be greater than 0", key);
  return 0;
}

/* The value node of the "name" key of the idx-th item of seq (for "first at"). */
/* Where the "name" of the idx-th item of seq is (for "first at L:C"). */
static struct scenario_pos name_pos(const struct ynode *seq, size_t idx)
{
  const struct ynode *n = ynode_lookup(seq->items[idx], "name");
  return n ? n->pos : seq->items[idx]->pos;
}

/* 0 when no item of seq before index has the name name; otherwise -1 and a
 * failure at n, key "name": 'duplicate WHAT name "NAME" (first at L:C)'. */
static int check_unique(struct scenario_ctx *c, const struct ynode *seq, size_t index,
                        const struct ynode *n, const char *what, const char *name)
{
  for (size_t j = 0; j < index; j++) {
    const struct ynode *prev = ynode_lookup(seq->items[j], "name");
    if (prev != NULL && prev->type == YNODE_SCALAR && strcmp(prev->value, name) == 0) {
      struct scenario_pos first = name_pos(seq, j);
      return scenario_fail(c, n, "name", "duplicate %s name \"%s\" (first at %d:%d)", what, name,
                           first.line, first.column);
    }
  }
  return 0;
}

int scenario_get_name(struct scenario_ctx *c, const struct ynode *seq, size_t index,
                      const struct ynode *n, const char *what, size_t max, const char *why,
                      char **out)
{
  if (scenario_get_str(c, n, "name", out) < 0 ||
      scenario_check_name(c, n, "name", *out, max, why) < 0)
    return -1;
  return check_unique(c, seq, index, n, what, *out);
}
