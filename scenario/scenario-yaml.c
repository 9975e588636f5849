/* libyaml events -> a tree of ynodes.  Only the plain data model is accepted:
 * mappings with scalar keys, sequences and scalars, in exactly one document.
 * Anchors, aliases and explicit tags are rejected, because they make the
 * positions in messages point somewhere other than where the value is read. */
#include "scenario-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct yload {
  const char *file;
  const char *buf;
  size_t len;
  yaml_parser_t parser;
  struct lab_error **err;
};

static struct scenario_pos pos_of(yaml_mark_t m)
{
  return (struct scenario_pos){.line = (int)m.line + 1, .column = (int)m.column + 1};
}

static int yfail(struct yload *y, struct scenario_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int yfail(struct yload *y, struct scenario_pos pos, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *problem = xvasprintf(fmt, ap);
  va_end(ap);
  lab_error_set(y->err, 0, "%s:%d:%d: (yaml): %s", y->file, pos.line, pos.column, problem);
  free(problem);
  return -1;
}

/* Reader errors (bad encoding, control characters) carry a byte offset, not
 * a mark: count lines up to it ourselves. */
static struct scenario_pos pos_of_offset(const struct yload *y, size_t offset)
{
  struct scenario_pos p = {1, 1};
  for (size_t i = 0; i < offset && i < y->len; i++) {
    if (y->buf[i] == '\n') {
      p.line++;
      p.column = 1;
    } else if (((unsigned char)y->buf[i] & 0xc0) != 0x80) {
      p.column++; /* count characters, not UTF-8 continuation bytes */
    }
  }
  return p;
}

static int syntax_error(struct yload *y)
{
  yaml_parser_t *p = &y->parser;
  const char *problem = p->problem ? p->problem : "malformed YAML";
  if (p->error == YAML_READER_ERROR)
    return yfail(y, pos_of_offset(y, p->problem_offset), "%s", problem);
  if (p->error == YAML_MEMORY_ERROR)
    return yfail(y, (struct scenario_pos){1, 1}, "out of memory");
  return yfail(y, pos_of(p->problem_mark), "%s", problem);
}

static int next_event(struct yload *y, yaml_event_t *ev)
{
  if (!yaml_parser_parse(&y->parser, ev))
    return syntax_error(y);
  return 0;
}

void ynode_free(struct ynode *n)
{
  if (n == NULL)
    return;
  size_t count = n->type == YNODE_MAP ? 2 * n->n : n->n;
  for (size_t i = 0; i < count; i++)
    ynode_free(n->items[i]);
  free(n->items);
  free(n->value);
  free(n);
}

static void append_item(struct ynode *parent, struct ynode *item, size_t *cap)
{
  size_t count = parent->type == YNODE_MAP ? 2 * parent->n : parent->n;
  if (count + 2 > *cap) {
    size_t ncap = *cap ? *cap * 2 : 8;
    struct ynode **items = realloc(parent->items, ncap * sizeof *items);
    if (items == NULL)
      abort();
    parent->items = items;
    *cap = ncap;
  }
  parent->items[count] = item;
}

static int reject_decorations(struct yload *y, const yaml_event_t *ev, const yaml_char_t *anchor,
                              const yaml_char_t *tag, bool implicit_tag)
{
  if (anchor != NULL)
    return yfail(y, pos_of(ev->start_mark),
                 "anchors and aliases are not supported (anchor \"%.40s\")", (const char *)anchor);
  if (tag != NULL && !implicit_tag)
    return yfail(y, pos_of(ev->start_mark), "tags are not supported (tag \"%.40s\")",
                 (const char *)tag);
  return 0;
}

static int load_node(struct yload *y, yaml_event_t *ev, int depth, struct ynode **out);

/* Loads the items of the collection opened by start (already consumed) into
 * n, up to its end event. */
static int load_children(struct yload *y, struct ynode *n, int depth)
{
  size_t cap = 0;
  yaml_event_type_t end = n->type == YNODE_MAP ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
  for (;;) {
    yaml_event_t ev;
    if (next_event(y, &ev) < 0)
      return -1;
    if (ev.type == end) {
      yaml_event_delete(&ev);
      return 0;
    }
    struct ynode *child = NULL;
    bool is_key = n->type == YNODE_MAP;
    if (is_key && ev.type != YAML_SCALAR_EVENT && ev.type != YAML_ALIAS_EVENT) {
      int r = yfail(y, pos_of(ev.start_mark), "mapping keys must be plain strings");
      yaml_event_delete(&ev);
      return r;
    }
    /* load_node consumes (deletes) ev */
    if (load_node(y, &ev, depth + 1, &child) < 0)
      return -1;
    append_item(n, child, &cap);
    if (n->type == YNODE_SEQ) {
      n->n++;
      continue;
    }
    /* the value of the key just read */
    struct ynode *value = NULL;
    yaml_event_t vev;
    if (next_event(y, &vev) < 0) {
      ynode_free(child);
      return -1;
    }
    if (load_node(y, &vev, depth + 1, &value) < 0) {
      ynode_free(child);
      return -1;
    }
    n->items[2 * n->n + 1] = value;
    n->n++;
  }
}

/* Builds the node that starts with event ev, consuming ev and, for
 * collections, every event up to the matching end. */
static int load_node(struct yload *y, yaml_event_t *ev, int depth, struct ynode **out)
{
  struct scenario_pos pos = pos_of(ev->start_mark);
  int r = 0;
  if (depth > YNODE_MAX_DEPTH) {
    r = yfail(y, pos, "nesting deeper than %d levels", YNODE_MAX_DEPTH);
    yaml_event_delete(ev);
    return r;
  }
  struct ynode *n = NULL;
  switch (ev->type) {
  case YAML_ALIAS_EVENT:
    r = yfail(y, pos, "anchors and aliases are not supported (alias \"%.40s\")",
              (const char *)ev->data.alias.anchor);
    break;
  case YAML_SCALAR_EVENT:
    r = reject_decorations(y, ev, ev->data.scalar.anchor, ev->data.scalar.tag,
                           ev->data.scalar.plain_implicit || ev->data.scalar.quoted_implicit);
    if (r < 0)
      break;
    if (memchr(ev->data.scalar.value, 0, ev->data.scalar.length) != NULL) {
      r = yfail(y, pos, "NUL characters are not allowed in strings");
      break;
    }
    n = xcalloc(1, sizeof *n);
    n->type = YNODE_SCALAR;
    n->pos = pos;
    n->value = xstrdup((const char *)ev->data.scalar.value);
    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    break;
  case YAML_SEQUENCE_START_EVENT:
  case YAML_MAPPING_START_EVENT: {
    bool map = ev->type == YAML_MAPPING_START_EVENT;
    r = map ? reject_decorations(y, ev, ev->data.mapping_start.anchor, ev->data.mapping_start.tag,
                                 ev->data.mapping_start.implicit)
            : reject_decorations(y, ev, ev->data.sequence_start.anchor, ev->data.sequence_start.tag,
                                 ev->data.sequence_start.implicit);
    if (r < 0)
      break;
    n = xcalloc(1, sizeof *n);
    n->type = map ? YNODE_MAP : YNODE_SEQ;
    n->pos = pos;
    yaml_event_delete(ev);
    if (load_children(y, n, depth) < 0) {
      ynode_free(n);
      return -1;
    }
    *out = n;
    return 0;
  }
  default:
    r = yfail(y, pos, "unexpected YAML event");
    break;
  }
  yaml_event_delete(ev);
  if (r < 0)
    return -1;
  *out = n;
  return 0;
}

static int expect_event(struct yload *y, yaml_event_t *ev, yaml_event_type_t type)
{
  if (next_event(y, ev) < 0)
    return -1;
  if (ev->type != type) {
    int r = yfail(y, pos_of(ev->start_mark), "unexpected YAML event");
    yaml_event_delete(ev);
    return r;
  }
  return 0;
}

static int load_stream(struct yload *y, struct ynode **out)
{
  yaml_event_t ev;
  if (expect_event(y, &ev, YAML_STREAM_START_EVENT) < 0)
    return -1;
  yaml_event_delete(&ev);

  if (next_event(y, &ev) < 0)
    return -1;
  if (ev.type == YAML_STREAM_END_EVENT) {
    yaml_event_delete(&ev);
    return yfail(y, (struct scenario_pos){1, 1}, "empty file");
  }
  if (ev.type != YAML_DOCUMENT_START_EVENT) {
    int r = yfail(y, pos_of(ev.start_mark), "unexpected YAML event");
    yaml_event_delete(&ev);
    return r;
  }
  yaml_event_delete(&ev);

  struct ynode *root = NULL;
  if (next_event(y, &ev) < 0)
    return -1;
  if (load_node(y, &ev, 1, &root) < 0)
    return -1;

  if (expect_event(y, &ev, YAML_DOCUMENT_END_EVENT) < 0) {
    ynode_free(root);
    return -1;
  }
  yaml_event_delete(&ev);

  if (next_event(y, &ev) < 0) {
    ynode_free(root);
    return -1;
  }
  if (ev.type != YAML_STREAM_END_EVENT) {
    int r = yfail(y, pos_of(ev.start_mark), "multiple documents are not supported");
    yaml_event_delete(&ev);
    ynode_free(root);
    return r;
  }
  yaml_event_delete(&ev);
  *out = root;
  return 0;
}

int ynode_load(const char *file, const char *buf, size_t len, struct ynode **out,
               struct lab_error **err)
{
  struct yload y = {.file = file, .buf = buf, .len = len, .err = err};
  *out = NULL;
  if (!yaml_parser_initialize(&y.parser))
    return lab_error_set(err, 0, "%s: cannot initialize the YAML parser", file);
  yaml_parser_set_input_string(&y.parser, (const unsigned char *)buf, len);
  int r = load_stream(&y, out);
  yaml_parser_delete(&y.parser);
  return r;
}

/* The index in map->items of key's key node, or -1 when map has no key. */
static ssize_t key_index(const struct ynode *map, const char *key)
{
  if (map == NULL || map->type != YNODE_MAP)
    return -1;
  for (size_t i = 0; i < map->n; i++)
    if (strcmp(map->items[2 * i]->value, key) == 0)
      return (ssize_t)(2 * i);
  return -1;
}

const struct ynode *ynode_lookup_key(const struct ynode *map, const char *key)
{
  ssize_t i = key_index(map, key);
  return i < 0 ? NULL : map->items[i];
}

const struct ynode *ynode_lookup(const struct ynode *map, const char *key)
{
  ssize_t i = key_index(map, key);
  return i < 0 ? NULL : map->items[i + 1];
}

bool ynode_is_null(const struct ynode *n)
{
  if (n->type != YNODE_SCALAR || !n->plain)
    return false;
  const char *v = n->value;
  return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
         strcmp(v, "NULL") == 0;
}

const char *ynode_kind(const struct ynode *n)
{
  switch (n->type) {
  case YNODE_MAP:
    return "a mapping";
  case YNODE_SEQ:
    return "a list";
  case YNODE_SCALAR:
    break;
  }
  return ynode_is_null(n) ? "null" : "a string";
}
