/* The runtime's messages (runtime-rpc.h), described once as tables of
 * fields that one decoder, one encoder and one clear function walk. */
#include "runtime-rpc.h"
#include "strv.h"
#include "xalloc.h"
#include "names.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "rpc.h"

/* ------------------------------------------------------------ names */

static const char *const op_names[] = {
    [RT_OP_PING] = "ping",
    [RT_OP_CREATE] = "create",
    [RT_OP_RUN] = "run",
    [RT_OP_START] = "start",
    [RT_OP_STOP] = "stop",
    [RT_OP_KILL] = "kill",
    [RT_OP_RM] = "rm",
    [RT_OP_MOUNT] = "mount",
    [RT_OP_UMOUNT] = "umount",
    [RT_OP_INSPECT] = "inspect",
    [RT_OP_PS] = "ps",
    [RT_OP_LOGS] = "logs",
    [RT_OP_EXEC] = "exec",
    [RT_OP_RESIZE] = "resize",
    [RT_OP_POD_RUN] = "pod-run",
    [RT_OP_POD_RM] = "pod-rm",
    [RT_OP_POD_LS] = "pod-ls",
    [RT_OP_IMAGE_LS] = "image-ls",
    [RT_OP_IMAGE_BUILD] = "image-build",
    [RT_OP_IMAGE_IMPORT] = "image-import",
    [RT_OP_SECCOMP_SET] = "seccomp-set",
    [RT_OP_SECCOMP_GET] = "seccomp-get",
    [RT_OP_POD_KILL] = "pod-kill",
    [RT_OP_POD_START] = "pod-start",
};
static_assert(sizeof op_names / sizeof op_names[0] == RT_OP_N, "one name per op");

static const char *const net_names[] = {
    [RT_NET_DEFAULT] = "",  [RT_NET_BRIDGE] = "bridge", [RT_NET_PRIVATE] = "private",
    [RT_NET_NONE] = "none", [RT_NET_HOST] = "host",
};
static_assert(sizeof net_names / sizeof net_names[0] == RT_NET_N, "one name per network mode");

static const char *const state_names[] = {
    [RT_STATE_CREATED] = "created",
    [RT_STATE_RUNNING] = "running",
    [RT_STATE_EXITED] = "exited",
};
static_assert(sizeof state_names / sizeof state_names[0] == RT_STATE_N, "one name per state");

const char *rt_rpc_op_name(enum rt_rpc_op op)
{
  return names_get(op_names, RT_OP_N, op, "unknown");
}

int rt_rpc_op_from_json(struct json_object *req, enum rt_rpc_op *op, struct lab_error **err)
{
  struct json_object *v;
  if (req == NULL || !json_object_object_get_ex(req, "op", &v) ||
      !json_object_is_type(v, json_type_string))
    return lab_error_set(err, 0, "\"op\": missing");
  const char *name = json_object_get_string(v);
  int i = names_find(op_names, RT_OP_N, name);
  if (i < 0)
    return lab_error_set(err, 0, "unknown op \"%s\"", name);
  *op = (enum rt_rpc_op)i;
  return 0;
}

struct json_object *rt_rpc_request_new(enum rt_rpc_op op)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "op", json_object_new_string(rt_rpc_op_name(op)));
  return o;
}

const char *rt_rpc_net_name(enum rt_rpc_net net)
{
  return names_get(net_names, RT_NET_N, net, "");
}

int rt_rpc_net_from_name(const char *name, enum rt_rpc_net *out)
{
  int i = names_find(net_names, RT_NET_N, name);
  if (i <= RT_NET_DEFAULT) /* "" names the default: not a mode one can ask for */
    return -1;
  *out = (enum rt_rpc_net)i;
  return 0;
}

bool rt_rpc_net_is_cluster(enum rt_rpc_net net)
{
  return net == RT_NET_DEFAULT || net == RT_NET_BRIDGE || net == RT_NET_PRIVATE;
}

const char *rt_rpc_state_name(enum rt_rpc_state s)
{
  return names_get(state_names, RT_STATE_N, s, "unknown");
}

/* ------------------------------------------------------------ the codec */

enum ftype {
  F_STR,     /* char *; omitted when NULL (F_ALWAYS: "") */
  F_NULLSTR, /* char *; always there, null when NULL */
  F_STRV,    /* char **; omitted when NULL (F_ALWAYS: []) */
  F_U64,     /* uint64_t, non-negative; omitted when 0 */
  F_INT,     /* int; omitted when dflt */
  F_BOOL,    /* bool; omitted when false */
  F_NET,     /* enum rt_rpc_net; omitted when default */
  F_STATE,   /* enum rt_rpc_state */
  F_WINSIZE, /* struct rt_rpc_winsize, with a bool at has */
  F_ARRAY,   /* an array of sub structs at off (pointer), count at count */
  F_NAME1,   /* char *, as an array of one string ([] when NULL): PS_ENTRY's Names */
};

enum {
  F_REQ = 1,    /* required: "KEY: missing" */
  F_REQQ = 2,   /* required: "\"KEY\": missing" */
  F_ALWAYS = 4, /* encoded even when empty */
};

struct codec;

struct field {
  const char *key;
  enum ftype type;
  size_t off;
  unsigned flags;
  int dflt;                /* F_INT */
  const struct codec *sub; /* F_ARRAY */
  size_t count;            /* F_ARRAY: offset of its size_t count */
  size_t has;              /* F_WINSIZE, or a group's presence: offset + 1 of a bool (0: none) */
};

struct codec {
  size_t size;
  const struct field *fields;
  size_t n_fields;
  /* Checks beyond types, after decoding (may normalize *obj). */
  int (*check)(void *obj, struct lab_error **err);
  bool reply; /* {"ok": true, ...}: "ok" checked and allowed */
};

#define AT(type, member) offsetof(type, member)
#define HAS(type, member) (offsetof(type, member) + 1)
#define FIELDS(a) .fields = a, .n_fields = sizeof a / sizeof a[0]

static void *at(void *base, size_t off)
{
  return (char *)base + off;
}
static const void *cat(const void *base, size_t off)
{
  return (const char *)base + off;
}

static const struct codec winsize_codec;

static void codec_clear(const struct codec *c, void *obj)
{
  for (size_t i = 0; i < c->n_fields; i++) {
    const struct field *f = &c->fields[i];
    void *p = at(obj, f->off);
    switch (f->type) {
    case F_STR:
    case F_NULLSTR:
    case F_NAME1:
      free(*(char **)p);
      break;
    case F_STRV:
      strv_free(*(char ***)p);
      break;
    case F_ARRAY: {
      char *arr = *(char **)p;
      size_t n = *(size_t *)at(obj, f->count);
      for (size_t k = 0; k < n; k++)
        codec_clear(f->sub, arr + k * f->sub->size);
      free(arr);
      break;
    }
    default:
      break;
    }
  }
  memset(obj, 0, c->size);
}

static bool field_known(const struct codec *c, const char *key)
{
  if (strcmp(key, "op") == 0 || (c->reply && strcmp(key, "ok") == 0))
    return true;
  for (size_t i = 0; i < c->n_fields; i++)
    if (strcmp(c->fields[i].key, key) == 0)
      return true;
  return false;
}

static int codec_decode(const struct codec *c, struct json_object *o, void *obj,
                        struct lab_error **err);

static int decode_field(const struct field *f, struct json_object *v, void *obj,
                        struct lab_error **err)
{
  void *p = at(obj, f->off);
  switch (f->type) {
  case F_STR:
  case F_NULLSTR:
    if (!json_object_is_type(v, json_type_string))
      return lab_error_set(err, 0, "%s: expected a string", f->key);
    *(char **)p = xstrdup(json_object_get_string(v));
    return 0;
  case F_STRV: {
    if (!json_object_is_type(v, json_type_array))
      return lab_error_set(err, 0, "%s: expected an array of strings", f->key);
    size_t n = json_object_array_length(v);
    char **a = xcalloc(n + 1, sizeof *a);
    *(char ***)p = a;
    for (size_t i = 0; i < n; i++) {
      struct json_object *e = json_object_array_get_idx(v, i);
      if (!json_object_is_type(e, json_type_string))
        return lab_error_set(err, 0, "%s[%zu]: expected a string", f->key, i);
      a[i] = xstrdup(json_object_get_string(e));
    }
    return 0;
  }
  case F_U64:
    if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
      return lab_error_set(err, 0, "%s: expected a non-negative integer", f->key);
    *(uint64_t *)p = (uint64_t)json_object_get_int64(v);
    return 0;
  case F_INT: {
    int64_t x = json_object_get_int64(v);
    if (!json_object_is_type(v, json_type_int) || x < INT32_MIN || x > INT32_MAX)
      return lab_error_set(err, 0, "%s: expected an integer", f->key);
    *(int *)p = (int)x;
    return 0;
  }
  case F_BOOL:
    if (!json_object_is_type(v, json_type_boolean))
      return lab_error_set(err, 0, "%s: expected true or false", f->key);
    *(bool *)p = json_object_get_boolean(v);
    return 0;
  case F_NET:
    if (!json_object_is_type(v, json_type_string) ||
        rt_rpc_net_from_name(json_object_get_string(v), (enum rt_rpc_net *)p) < 0)
      return lab_error_set(err, 0, "%s: \"%s\": expected bridge, private, none or host", f->key,
                           json_object_get_string(v));
    return 0;
  case F_STATE:
    for (size_t i = 0; json_object_is_type(v, json_type_string) && i < RT_STATE_N; i++)
      if (strcmp(state_names[i], json_object_get_string(v)) == 0) {
        *(enum rt_rpc_state *)p = (enum rt_rpc_state)i;
        return 0;
      }
    return lab_error_set(err, 0, "%s: \"%s\": expected created, running or exited", f->key,
                         json_object_get_string(v));
  case F_NAME1: {
    struct json_object *n0 =
        json_object_is_type(v, json_type_array) ? json_object_array_get_idx(v, 0) : NULL;
    if (!json_object_is_type(v, json_type_array) ||
        (n0 != NULL && !json_object_is_type(n0, json_type_string)))
      return lab_error_set(err, 0, "%s: expected an array of strings", f->key);
    *(char **)p = n0 ? xstrdup(json_object_get_string(n0)) : NULL;
    return 0;
  }
  case F_WINSIZE:
    if (!json_object_is_type(v, json_type_object))
      return lab_error_set(err, 0, "%s: expected an object", f->key);
    if (codec_decode(&winsize_codec, v, p, err) < 0)
      return lab_error_wrap(err, "%s", f->key);
    return 0;
  case F_ARRAY: {
    if (!json_object_is_type(v, json_type_array))
      return lab_error_set(err, 0, "%s: expected an array", f->key);
    size_t n = json_object_array_length(v);
    char *arr = xcalloc(n, f->sub->size);
    *(char **)p = arr;
    size_t *count = at(obj, f->count);
    for (size_t i = 0; i < n; i++) {
      struct json_object *e = json_object_array_get_idx(v, i);
      if (!json_object_is_type(e, json_type_object))
        return lab_error_set(err, 0, "%s[%zu]: expected an object", f->key, i);
      int rc = codec_decode(f->sub, e, arr + i * f->sub->size, err);
      *count = i + 1; /* cleared with the rest on failure */
      if (rc < 0)
        return lab_error_wrap(err, "%s[%zu]", f->key, i);
    }
    return 0;
  }
  }
  return 0;
}

static int codec_decode(const struct codec *c, struct json_object *o, void *obj,
                        struct lab_error **err)
{
  memset(obj, 0, c->size);
  if (c->reply && rt_rpc_reply_check(o, err) < 0)
    return -1;
  if (o == NULL || !json_object_is_type(o, json_type_object))
    return lab_error_set(err, 0, "expected an object");
  json_object_object_foreach(o, key, val)
  {
    (void)val;
    if (!field_known(c, key))
      return lab_error_set(err, 0, "%s: unknown field", key);
  }
  for (size_t i = 0; i < c->n_fields; i++) {
    const struct field *f = &c->fields[i];
    if (f->type == F_INT)
      *(int *)at(obj, f->off) = f->dflt;
    struct json_object *v = NULL;
    if (!json_object_object_get_ex(o, f->key, &v) || json_object_is_type(v, json_type_null)) {
      if (f->flags & (F_REQ | F_REQQ)) {
        codec_clear(c, obj);
        return lab_error_set(err, 0, (f->flags & F_REQQ) ? "\"%s\": missing" : "%s: missing",
                             f->key);
      }
      continue;
    }
    if (decode_field(f, v, obj, err) < 0) {
      codec_clear(c, obj);
      return -1;
    }
    if (f->has != 0)
      *(bool *)at(obj, f->has - 1) = true;
  }
  if (c->check != NULL && c->check(obj, err) < 0) {
    codec_clear(c, obj);
    return -1;
  }
  return 0;
}

static struct json_object *codec_encode(const struct codec *c, const void *obj,
                                        struct json_object *o);

static struct json_object *encode_field(const struct field *f, const void *obj)
{
  const void *p = cat(obj, f->off);
  bool always = f->flags & F_ALWAYS;
  if (f->has != 0 && !*(const bool *)cat(obj, f->has - 1))
    return NULL;
  switch (f->type) {
  case F_STR: {
    const char *s = *(char *const *)p;
    return s || always ? json_object_new_string(s ? s : "") : NULL;
  }
  case F_NULLSTR:
    return NULL; /* added by the caller: null is a value */
  case F_STRV: {
    char *const *v = *(char **const *)p;
    if (v == NULL && !always)
      return NULL;
    struct json_object *a = json_object_new_array();
    for (size_t i = 0; v != NULL && v[i] != NULL; i++)
      json_object_array_add(a, json_object_new_string(v[i]));
    return a;
  }
  case F_U64: {
    uint64_t x = *(const uint64_t *)p;
    return x || always ? json_object_new_int64((int64_t)x) : NULL;
  }
  case F_INT: {
    int x = *(const int *)p;
    return x != f->dflt || always ? json_object_new_int(x) : NULL;
  }
  case F_BOOL: {
    bool b = *(const bool *)p;
    return b || always ? json_object_new_boolean(b) : NULL;
  }
  case F_NET: {
    enum rt_rpc_net n = *(const enum rt_rpc_net *)p;
    return n != RT_NET_DEFAULT ? json_object_new_string(rt_rpc_net_name(n)) : NULL;
  }
  case F_STATE:
    return json_object_new_string(rt_rpc_state_name(*(const enum rt_rpc_state *)p));
  case F_NAME1: {
    struct json_object *a = json_object_new_array();
    if (*(char *const *)p != NULL)
      json_object_array_add(a, json_object_new_string(*(char *const *)p));
    return a;
  }
  case F_WINSIZE:
    return codec_encode(&winsize_codec, p, NULL);
  case F_ARRAY: {
    const char *arr = *(char *const *)p;
    size_t n = *(const size_t *)cat(obj, f->count);
    if (n == 0 && !always)
      return NULL;
    struct json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++)
      json_object_array_add(a, codec_encode(f->sub, arr + i * f->sub->size, NULL));
    return a;
  }
  }
  return NULL;
}

/* Adds obj's fields to o (a new object when NULL); returns o. */
static struct json_object *codec_encode(const struct codec *c, const void *obj,
                                        struct json_object *o)
{
  if (o == NULL)
    o = json_object_new_object();
  for (size_t i = 0; i < c->n_fields; i++) {
    const struct field *f = &c->fields[i];
    if (f->type == F_NULLSTR) {
      const char *s = *(char *const *)cat(obj, f->off);
      json_object_object_add(o, f->key, s ? json_object_new_string(s) : NULL);
      continue;
    }
    struct json_object *v = encode_field(f, obj);
    if (v != NULL)
      json_object_object_add(o, f->key, v);
  }
  return o;
}

static struct json_object *request(enum rt_rpc_op op, const struct codec *c, const void *obj)
{
  return codec_encode(c, obj, rt_rpc_request_new(op));
}

/* ------------------------------------------------------------- tables */

static const struct field winsize_fields[] = {
    {.key = "rows", .type = F_INT, .off = AT(struct rt_rpc_winsize, rows), .flags = 0, .dflt = 24},
    {.key = "cols", .type = F_INT, .off = AT(struct rt_rpc_winsize, cols), .flags = 0, .dflt = 80},
};
static const struct codec winsize_codec = {
    .size = sizeof(struct rt_rpc_winsize), FIELDS(winsize_fields), .check = NULL};

static const struct field volume_fields[] = {
    {.key = "host", .type = F_STR, .off = AT(struct rt_rpc_volume, host), .flags = F_REQ},
    {.key = "ctr", .type = F_STR, .off = AT(struct rt_rpc_volume, ctr), .flags = F_REQ},
    {.key = "relabel", .type = F_BOOL, .off = AT(struct rt_rpc_volume, relabel), .flags = F_ALWAYS},
    {.key = "readonly",
     .type = F_BOOL,
     .off = AT(struct rt_rpc_volume, readonly),
     .flags = F_ALWAYS},
};
static const struct codec volume_codec = {
    .size = sizeof(struct rt_rpc_volume), FIELDS(volume_fields), .check = NULL};

#define SPEC_FIELDS(T, m)                                                                          \
  {.key = "image", .type = F_STR, .off = AT(T, m.image), .flags = F_REQ},                          \
      {.key = "name", .type = F_STR, .off = AT(T, m.name), .flags = 0},                            \
      {.key = "command", .type = F_STRV, .off = AT(T, m.command), .flags = 0},                     \
      {.key = "entrypoint", .type = F_STRV, .off = AT(T, m.entrypoint), .flags = 0},               \
      {.key = "env", .type = F_STRV, .off = AT(T, m.env), .flags = 0},                             \
      {.key = "hostname", .type = F_STR, .off = AT(T, m.hostname), .flags = 0},                    \
      {.key = "pod", .type = F_STR, .off = AT(T, m.pod), .flags = 0},                              \
      {.key = "net", .type = F_NET, .off = AT(T, m.net), .flags = 0},                              \
      {.key = "memory_bytes", .type = F_U64, .off = AT(T, m.memory_bytes), .flags = 0},            \
      {.key = "cpu_millis", .type = F_U64, .off = AT(T, m.cpu_millis), .flags = 0},                \
      {.key = "pids", .type = F_U64, .off = AT(T, m.pids), .flags = 0},                            \
      {.key = "seccomp_profile", .type = F_STR, .off = AT(T, m.seccomp_profile), .flags = 0},      \
      {.key = "privileged", .type = F_BOOL, .off = AT(T, m.privileged), .flags = 0},               \
  {                                                                                                \
    .key = "volumes", .type = F_ARRAY, .off = AT(T, m.volumes), .sub = &volume_codec,              \
    .count = AT(T, m.n_volumes)                                                                    \
  }

struct spec_box {
  struct rt_rpc_spec s; /* SPEC_FIELDS names members of a member */
};

static int spec_check(void *obj, struct lab_error **err)
{
  struct rt_rpc_spec *s = obj;
  const char *p = s->seccomp_profile;
  if (p != NULL && strcmp(p, "unconfined") != 0 && strcmp(p, "default") != 0 && p[0] != '/')
    return lab_error_set(err, 0, "seccomp_profile: \"%s\" must be an absolute path", p);
  for (size_t i = 0; i < s->n_volumes; i++) {
    if (s->volumes[i].host[0] != '/')
      return lab_error_set(err, 0, "volumes[%zu].host: must be an absolute path", i);
    if (s->volumes[i].ctr[0] != '/')
      return lab_error_set(err, 0, "volumes[%zu].ctr: must be an absolute path", i);
  }
  if (s->command != NULL && s->command[0] == NULL) {
    free(s->command); /* an empty command: the image's */
    s->command = NULL;
  }
  return 0;
}

static const struct field spec_fields[] = {SPEC_FIELDS(struct spec_box, s)};
static const struct codec spec_codec = {
    .size = sizeof(struct rt_rpc_spec), FIELDS(spec_fields), .check = spec_check};

static int run_check(void *obj, struct lab_error **err)
{
  return spec_check(&((struct rt_rpc_run *)obj)->spec, err);
}

static const struct field run_fields[] = {
    SPEC_FIELDS(struct rt_rpc_run, spec),
    {.key = "detach", .type = F_BOOL, .off = AT(struct rt_rpc_run, detach), .flags = 0},
    {.key = "rm", .type = F_BOOL, .off = AT(struct rt_rpc_run, rm), .flags = 0},
    {.key = "tty", .type = F_BOOL, .off = AT(struct rt_rpc_run, tty), .flags = 0},
    {.key = "winsize",
     .type = F_WINSIZE,
     .off = AT(struct rt_rpc_run, winsize),
     .flags = 0,
     .has = HAS(struct rt_rpc_run, has_winsize)},
};
static const struct codec run_codec = {
    .size = sizeof(struct rt_rpc_run), FIELDS(run_fields), .check = run_check};

#define CTR_KEY                                                                                    \
  {                                                                                                \
    .key = "container", .type = F_STR, .off = AT(struct rt_rpc_ctr_req, container),                \
    .flags = F_REQQ                                                                                \
  }
static const struct field ctr_fields[] = {CTR_KEY};
static const struct field stop_fields[] = {CTR_KEY,
                                           {.key = "timeout",
                                            .type = F_INT,
                                            .off = AT(struct rt_rpc_ctr_req, timeout),
                                            .flags = 0,
                                            .dflt = 10}};
static const struct field kill_fields[] = {CTR_KEY,
                                           {.key = "signal",
                                            .type = F_INT,
                                            .off = AT(struct rt_rpc_ctr_req, signal),
                                            .flags = 0,
                                            .dflt = 9}};
static const struct field rm_fields[] = {
    CTR_KEY, {.key = "force", .type = F_BOOL, .off = AT(struct rt_rpc_ctr_req, force), .flags = 0}};
static const struct codec ctr_codec = {
    .size = sizeof(struct rt_rpc_ctr_req), FIELDS(ctr_fields), .check = NULL};
static const struct codec stop_codec = {
    .size = sizeof(struct rt_rpc_ctr_req), FIELDS(stop_fields), .check = NULL};
static const struct codec kill_codec = {
    .size = sizeof(struct rt_rpc_ctr_req), FIELDS(kill_fields), .check = NULL};
static const struct codec rm_codec = {
    .size = sizeof(struct rt_rpc_ctr_req), FIELDS(rm_fields), .check = NULL};

static const struct field ctr_reply_fields[] = {
    {.key = "id", .type = F_STR, .off = AT(struct rt_rpc_ctr_reply, id), .flags = F_REQ},
    {.key = "name", .type = F_STR, .off = AT(struct rt_rpc_ctr_reply, name), .flags = 0},
    {.key = "merged", .type = F_STR, .off = AT(struct rt_rpc_ctr_reply, merged), .flags = 0},
    {.key = "pid", .type = F_INT, .off = AT(struct rt_rpc_ctr_reply, pid), .flags = 0},
};
static const struct codec ctr_reply_codec = {.size = sizeof(struct rt_rpc_ctr_reply),
                                             FIELDS(ctr_reply_fields),
                                             .check = NULL,
                                             .reply = true};

static const struct field ps_req_fields[] = {
    {.key = "all", .type = F_BOOL, .off = AT(struct rt_rpc_ps_req, all), .flags = F_ALWAYS},
    {.key = "latest", .type = F_BOOL, .off = AT(struct rt_rpc_ps_req, latest), .flags = F_ALWAYS},
};
static const struct codec ps_req_codec = {
    .size = sizeof(struct rt_rpc_ps_req), FIELDS(ps_req_fields), .check = NULL};

#define PS(m) AT(struct rt_rpc_ps_entry, m)
static const struct field ps_entry_fields[] = {
    {.key = "Id", .type = F_STR, .off = PS(id), .flags = F_ALWAYS | F_REQ},
    {.key = "Names", .type = F_NAME1, .off = PS(name), .flags = F_ALWAYS},
    {.key = "Image", .type = F_STR, .off = PS(image), .flags = F_ALWAYS},
    {.key = "Command", .type = F_STRV, .off = PS(command), .flags = F_ALWAYS},
    {.key = "Created", .type = F_STR, .off = PS(created), .flags = F_ALWAYS},
    {.key = "StartedAt", .type = F_STR, .off = PS(started_at), .flags = F_ALWAYS},
    {.key = "FinishedAt", .type = F_STR, .off = PS(finished_at), .flags = F_ALWAYS},
    {.key = "State", .type = F_STATE, .off = PS(state), .flags = F_ALWAYS | F_REQ},
    {.key = "ExitCode", .type = F_INT, .off = PS(exit_code), .flags = F_ALWAYS},
    {.key = "OOMKilled", .type = F_BOOL, .off = PS(oom_killed), .flags = F_ALWAYS},
    {.key = "Pid", .type = F_INT, .off = PS(pid), .flags = F_ALWAYS},
    {.key = "Label", .type = F_STR, .off = PS(label), .flags = F_ALWAYS},
    {.key = "LabelEnforced", .type = F_BOOL, .off = PS(label_enforced), .flags = F_ALWAYS},
    {.key = "IsInfra", .type = F_BOOL, .off = PS(is_infra), .flags = F_ALWAYS},
    {.key = "Pod", .type = F_STR, .off = PS(pod), .flags = F_ALWAYS},
};
#undef PS
static const struct codec ps_entry_codec = {
    .size = sizeof(struct rt_rpc_ps_entry), FIELDS(ps_entry_fields), .check = NULL};

static const struct field exec_fields[] = {
    {.key = "container", .type = F_STR, .off = AT(struct rt_rpc_exec, container), .flags = 0},
    {.key = "pod", .type = F_STR, .off = AT(struct rt_rpc_exec, pod), .flags = 0},
    {.key = "command", .type = F_STRV, .off = AT(struct rt_rpc_exec, command), .flags = 0},
    {.key = "env", .type = F_STRV, .off = AT(struct rt_rpc_exec, env), .flags = 0},
    {.key = "tty", .type = F_BOOL, .off = AT(struct rt_rpc_exec, tty), .flags = 0},
    {.key = "winsize",
     .type = F_WINSIZE,
     .off = AT(struct rt_rpc_exec, winsize),
     .flags = 0,
     .has = HAS(struct rt_rpc_exec, has_winsize)},
};

static int exec_check(void *obj, struct lab_error **err)
{
  struct rt_rpc_exec *x = obj;
  if (x->command == NULL || x->command[0] == NULL)
    return lab_error_set(err, 0, "exec: \"command\": expected a non-empty array of strings");
  if (x->pod == NULL && x->container == NULL)
    return lab_error_set(err, 0, "\"container\": missing");
  return 0;
}
static const struct codec exec_codec = {
    .size = sizeof(struct rt_rpc_exec), FIELDS(exec_fields), .check = exec_check};

static const struct field pod_run_fields[] = {
    {.key = "name", .type = F_STR, .off = AT(struct rt_rpc_pod_run, name), .flags = F_REQ},
    {.key = "containers",
     .type = F_ARRAY,
     .off = AT(struct rt_rpc_pod_run, containers),
     .flags = F_REQ | F_ALWAYS,
     .sub = &spec_codec,
     .count = AT(struct rt_rpc_pod_run, n_containers)},
};
static const struct codec pod_run_codec = {
    .size = sizeof(struct rt_rpc_pod_run), FIELDS(pod_run_fields), .check = NULL};

static const struct field pod_rm_fields[] = {
    {.key = "name", .type = F_STR, .off = AT(struct rt_rpc_pod_rm, name), .flags = F_REQ},
    {.key = "force", .type = F_BOOL, .off = AT(struct rt_rpc_pod_rm, force), .flags = 0},
};
static const struct codec pod_rm_codec = {
    .size = sizeof(struct rt_rpc_pod_rm), FIELDS(pod_rm_fields), .check = NULL};

static const struct field pod_ref_fields[] = {
    {.key = "name", .type = F_STR, .off = AT(struct rt_rpc_pod_ref, name), .flags = F_REQ},
};
static const struct codec pod_ref_codec = {
    .size = sizeof(struct rt_rpc_pod_ref), FIELDS(pod_ref_fields), .check = NULL};

#define PC(m) AT(struct rt_rpc_pod_ctr, m)
static const struct field pod_ctr_fields[] = {
    {.key = "id", .type = F_STR, .off = PC(id), .flags = F_ALWAYS},
    {.key = "name", .type = F_STR, .off = PC(name), .flags = F_ALWAYS},
    {.key = "state", .type = F_STR, .off = PC(state), .flags = F_ALWAYS},
    {.key = "pid",
     .type = F_INT,
     .off = PC(pid),
     .flags = F_ALWAYS,
     .has = HAS(struct rt_rpc_pod_ctr, known)},
    {.key = "exit_code",
     .type = F_INT,
     .off = PC(exit_code),
     .flags = F_ALWAYS,
     .has = HAS(struct rt_rpc_pod_ctr, known)},
    {.key = "oom_killed",
     .type = F_BOOL,
     .off = PC(oom_killed),
     .flags = F_ALWAYS,
     .has = HAS(struct rt_rpc_pod_ctr, known)},
    {.key = "cgroup", .type = F_STR, .off = PC(cgroup), .flags = 0},
};
#undef PC
static const struct codec pod_ctr_codec = {
    .size = sizeof(struct rt_rpc_pod_ctr), FIELDS(pod_ctr_fields), .check = NULL};

#define PD(m) AT(struct rt_rpc_pod, m)
static const struct field pod_fields[] = {
    {.key = "name", .type = F_STR, .off = PD(name), .flags = F_ALWAYS},
    {.key = "ip", .type = F_NULLSTR, .off = PD(ip), .flags = 0},
    {.key = "infra_id", .type = F_STR, .off = PD(infra_id), .flags = F_ALWAYS},
    {.key = "infra_pid", .type = F_INT, .off = PD(infra_pid), .flags = F_ALWAYS},
    {.key = "created", .type = F_STR, .off = PD(created), .flags = F_ALWAYS},
    {.key = "state", .type = F_STR, .off = PD(state), .flags = F_ALWAYS},
    {.key = "containers",
     .type = F_ARRAY,
     .off = PD(containers),
     .flags = F_ALWAYS,
     .sub = &pod_ctr_codec,
     .count = PD(n_containers)},
};
#undef PD
static const struct codec pod_codec = {
    .size = sizeof(struct rt_rpc_pod), FIELDS(pod_fields), .check = NULL};

static const struct field image_fields[] = {
    {.key = "name", .type = F_STR, .off = AT(struct rt_rpc_image, name), .flags = F_ALWAYS},
    {.key = "created", .type = F_STR, .off = AT(struct rt_rpc_image, created), .flags = F_ALWAYS},
    {.key = "entrypoint",
     .type = F_STRV,
     .off = AT(struct rt_rpc_image, entrypoint),
     .flags = F_ALWAYS},
    {.key = "cmd", .type = F_STRV, .off = AT(struct rt_rpc_image, cmd), .flags = F_ALWAYS},
};
static const struct codec image_codec = {
    .size = sizeof(struct rt_rpc_image), FIELDS(image_fields), .check = NULL};

static const struct field image_ls_fields[] = {
    {.key = "images",
     .type = F_ARRAY,
     .off = AT(struct rt_rpc_image_ls_reply, images),
     .flags = F_ALWAYS,
     .sub = &image_codec,
     .count = AT(struct rt_rpc_image_ls_reply, n)},
};

static int build_check(void *obj, struct lab_error **err)
{
  if (((struct rt_rpc_image_req *)obj)->kind == NULL)
    return lab_error_set(err, 0, "\"kind\": missing (ubi or on-off)");
  return 0;
}
static int import_check(void *obj, struct lab_error **err)
{
  const char *path = ((struct rt_rpc_image_req *)obj)->path;
  if (path == NULL || path[0] != '/')
    return lab_error_set(err, 0, "\"path\": expected an absolute path");
  return 0;
}
static const struct field build_fields[] = {
    {.key = "kind", .type = F_STR, .off = AT(struct rt_rpc_image_req, kind), .flags = 0},
    {.key = "name", .type = F_STR, .off = AT(struct rt_rpc_image_req, name), .flags = 0},
};
static const struct field import_fields[] = {
    {.key = "path", .type = F_STR, .off = AT(struct rt_rpc_image_req, path), .flags = 0},
    {.key = "name", .type = F_STR, .off = AT(struct rt_rpc_image_req, name), .flags = 0},
};
static const struct codec build_codec = {
    .size = sizeof(struct rt_rpc_image_req), FIELDS(build_fields), .check = build_check};
static const struct codec import_codec = {
    .size = sizeof(struct rt_rpc_image_req), FIELDS(import_fields), .check = import_check};

/* ----------------------------------------------------------------- SPEC */

int rt_rpc_spec_from_json(struct json_object *o, struct rt_rpc_spec *out, struct lab_error **err)
{
  return codec_decode(&spec_codec, o, out, err);
}

struct json_object *rt_rpc_spec_to_json(const struct rt_rpc_spec *s)
{
  return codec_encode(&spec_codec, s, NULL);
}

void rt_rpc_spec_clear(struct rt_rpc_spec *s)
{
  codec_clear(&spec_codec, s);
}

void rt_rpc_spec_add_volume(struct rt_rpc_spec *s, const char *host, const char *ctr, bool relabel,
                            bool readonly)
{
  *XAPPEND(s->volumes, s->n_volumes) =
      (struct rt_rpc_volume){xstrdup(host), xstrdup(ctr), relabel, readonly};
}

int rt_rpc_run_from_json(struct json_object *o, struct rt_rpc_run *out, struct lab_error **err)
{
  return codec_decode(&run_codec, o, out, err);
}

struct json_object *rt_rpc_run_to_json(enum rt_rpc_op op, const struct rt_rpc_run *r)
{
  return request(op, &run_codec, r);
}

void rt_rpc_run_clear(struct rt_rpc_run *r)
{
  codec_clear(&run_codec, r);
}

/* ------------------------------------------------------ container ops */

static const struct codec *ctr_op_codec(enum rt_rpc_op op)
{
  switch (op) {
  case RT_OP_STOP:
    return &stop_codec;
  case RT_OP_KILL:
    return &kill_codec;
  case RT_OP_RM:
    return &rm_codec;
  default:
    return &ctr_codec;
  }
}

void rt_rpc_ctr_req_init(struct rt_rpc_ctr_req *r)
{
  *r = (struct rt_rpc_ctr_req){.timeout = 10, .signal = 9};
}

int rt_rpc_ctr_req_from_json(enum rt_rpc_op op, struct json_object *o, struct rt_rpc_ctr_req *out,
                             struct lab_error **err)
{
  int rc = codec_decode(ctr_op_codec(op), o, out, err);
  if (rc == 0) {
    if (op != RT_OP_STOP)
      out->timeout = 10;
    if (op != RT_OP_KILL)
      out->signal = 9;
  }
  return rc;
}

struct json_object *rt_rpc_ctr_req_to_json(enum rt_rpc_op op, const struct rt_rpc_ctr_req *r)
{
  return request(op, ctr_op_codec(op), r);
}

void rt_rpc_ctr_req_clear(struct rt_rpc_ctr_req *r)
{
  codec_clear(&ctr_codec, r);
}

int rt_rpc_ctr_reply_from_json(struct json_object *o, struct rt_rpc_ctr_reply *out,
                               struct lab_error **err)
{
  return codec_decode(&ctr_reply_codec, o, out, err);
}

struct json_object *rt_rpc_ctr_reply_to_json(const struct rt_rpc_ctr_reply *r)
{
  struct json_object *o = rpc_reply_ok();
  return codec_encode(&ctr_reply_codec, r, o);
}

void rt_rpc_ctr_reply_clear(struct rt_rpc_ctr_reply *r)
{
  codec_clear(&ctr_reply_codec, r);
}

/* ------------------------------------------------------------------- ps */

int rt_rpc_ps_req_from_json(struct json_object *o, struct rt_rpc_ps_req *out,
                            struct lab_error **err)
{
  return codec_decode(&ps_req_codec, o, out, err);
}

struct json_object *rt_rpc_ps_req_to_json(const struct rt_rpc_ps_req *r)
{
  return request(RT_OP_PS, &ps_req_codec, r);
}

int rt_rpc_ps_entry_from_json(struct json_object *o, struct rt_rpc_ps_entry *out,
                              struct lab_error **err)
{
  return codec_decode(&ps_entry_codec, o, out, err);
}

struct json_object *rt_rpc_ps_entry_to_json(const struct rt_rpc_ps_entry *e)
{
  return codec_encode(&ps_entry_codec, e, NULL);
}

void rt_rpc_ps_entry_clear(struct rt_rpc_ps_entry *e)
{
  codec_clear(&ps_entry_codec, e);
}

static const struct field ps_reply_fields[] = {
    {.key = "containers",
     .type = F_ARRAY,
     .off = AT(struct rt_rpc_ps_reply, entries),
     .flags = F_REQ | F_ALWAYS,
     .sub = &ps_entry_codec,
     .count = AT(struct rt_rpc_ps_reply, n)},
};
static const struct codec ps_reply_codec = {
    .size = sizeof(struct rt_rpc_ps_reply), FIELDS(ps_reply_fields), .check = NULL, .reply = true};

int rt_rpc_ps_reply_from_json(struct json_object *o, struct rt_rpc_ps_reply *out,
                              struct lab_error **err)
{
  return codec_decode(&ps_reply_codec, o, out, err);
}

struct json_object *rt_rpc_ps_entries_to_json(const struct rt_rpc_ps_reply *r)
{
  struct json_object *a = json_object_new_array();
  for (size_t i = 0; i < r->n; i++)
    json_object_array_add(a, rt_rpc_ps_entry_to_json(&r->entries[i]));
  return a;
}

struct json_object *rt_rpc_ps_reply_to_json(const struct rt_rpc_ps_reply *r)
{
  struct json_object *o = rpc_reply_ok();
  json_object_object_add(o, "containers", rt_rpc_ps_entries_to_json(r));
  return o;
}

void rt_rpc_ps_reply_clear(struct rt_rpc_ps_reply *r)
{
  codec_clear(&ps_reply_codec, r);
}

/* ----------------------------------------------------------------- exec */

int rt_rpc_exec_from_json(struct json_object *o, struct rt_rpc_exec *out, struct lab_error **err)
{
  return codec_decode(&exec_codec, o, out, err);
}

struct json_object *rt_rpc_exec_to_json(const struct rt_rpc_exec *r)
{
  return request(RT_OP_EXEC, &exec_codec, r);
}

void rt_rpc_exec_clear(struct rt_rpc_exec *r)
{
  codec_clear(&exec_codec, r);
}

int rt_rpc_resize_from_json(struct json_object *o, struct rt_rpc_winsize *out,
                            struct lab_error **err)
{
  return codec_decode(&winsize_codec, o, out, err);
}

struct json_object *rt_rpc_resize_to_json(const struct rt_rpc_winsize *w)
{
  struct json_object *o = rt_rpc_request_new(RT_OP_RESIZE);
  json_object_object_add(o, "rows", json_object_new_int(w->rows));
  json_object_object_add(o, "cols", json_object_new_int(w->cols));
  return o;
}

int rt_rpc_exit_from_json(struct json_object *o, struct rt_rpc_exit *out, struct lab_error **err)
{
  struct json_object *ev, *st;
  if (o == NULL || !json_object_object_get_ex(o, "event", &ev))
    return 0;
  if (!json_object_is_type(ev, json_type_string) || strcmp(json_object_get_string(ev), "exit") != 0)
    return lab_error_set(err, 0, "event: \"%s\": expected exit", json_object_get_string(ev));
  if (!json_object_object_get_ex(o, "status", &st) || !json_object_is_type(st, json_type_int))
    return lab_error_set(err, 0, "status: expected an integer");
  out->status = json_object_get_int(st);
  return 1;
}

struct json_object *rt_rpc_exit_to_json(const struct rt_rpc_exit *e)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "event", json_object_new_string("exit"));
  json_object_object_add(o, "status", json_object_new_int(e->status));
  return o;
}

/* ----------------------------------------------------------------- pods */

int rt_rpc_pod_run_from_json(struct json_object *o, struct rt_rpc_pod_run *out,
                             struct lab_error **err)
{
  return codec_decode(&pod_run_codec, o, out, err);
}

struct json_object *rt_rpc_pod_run_to_json(const struct rt_rpc_pod_run *r)
{
  return request(RT_OP_POD_RUN, &pod_run_codec, r);
}

void rt_rpc_pod_run_clear(struct rt_rpc_pod_run *r)
{
  codec_clear(&pod_run_codec, r);
}

struct rt_rpc_spec *rt_rpc_pod_run_add(struct rt_rpc_pod_run *r)
{
  return XAPPEND(r->containers, r->n_containers);
}

int rt_rpc_pod_rm_from_json(struct json_object *o, struct rt_rpc_pod_rm *out,
                            struct lab_error **err)
{
  return codec_decode(&pod_rm_codec, o, out, err);
}

struct json_object *rt_rpc_pod_rm_to_json(const struct rt_rpc_pod_rm *r)
{
  return request(RT_OP_POD_RM, &pod_rm_codec, r);
}

void rt_rpc_pod_rm_clear(struct rt_rpc_pod_rm *r)
{
  codec_clear(&pod_rm_codec, r);
}

int rt_rpc_pod_ref_from_json(struct json_object *o, struct rt_rpc_pod_ref *out,
                             struct lab_error **err)
{
  return codec_decode(&pod_ref_codec, o, out, err);
}

struct json_object *rt_rpc_pod_ref_to_json(enum rt_rpc_op op, const struct rt_rpc_pod_ref *r)
{
  return request(op, &pod_ref_codec, r);
}

void rt_rpc_pod_ref_clear(struct rt_rpc_pod_ref *r)
{
  codec_clear(&pod_ref_codec, r);
}

int rt_rpc_pod_from_json(struct json_object *o, struct rt_rpc_pod *out, struct lab_error **err)
{
  return codec_decode(&pod_codec, o, out, err);
}

struct json_object *rt_rpc_pod_to_json(const struct rt_rpc_pod *p)
{
  return codec_encode(&pod_codec, p, NULL);
}

void rt_rpc_pod_clear(struct rt_rpc_pod *p)
{
  codec_clear(&pod_codec, p);
}

struct rt_rpc_pod_ctr *rt_rpc_pod_add(struct rt_rpc_pod *p)
{
  return XAPPEND(p->containers, p->n_containers);
}

/* --------------------------------------------------------------- images */

static const struct codec image_ls_codec = {.size = sizeof(struct rt_rpc_image_ls_reply),
                                            FIELDS(image_ls_fields),
                                            .check = NULL,
                                            .reply = true};

int rt_rpc_image_ls_reply_from_json(struct json_object *o, struct rt_rpc_image_ls_reply *out,
                                    struct lab_error **err)
{
  return codec_decode(&image_ls_codec, o, out, err);
}

struct json_object *rt_rpc_image_ls_reply_to_json(const struct rt_rpc_image_ls_reply *r)
{
  struct json_object *o = rpc_reply_ok();
  return codec_encode(&image_ls_codec, r, o);
}

void rt_rpc_image_ls_reply_clear(struct rt_rpc_image_ls_reply *r)
{
  codec_clear(&image_ls_codec, r);
}

struct rt_rpc_image *rt_rpc_image_ls_add(struct rt_rpc_image_ls_reply *r)
{
  return XAPPEND(r->images, r->n);
}

int rt_rpc_image_req_from_json(enum rt_rpc_op op, struct json_object *o,
                               struct rt_rpc_image_req *out, struct lab_error **err)
{
  return codec_decode(op == RT_OP_IMAGE_IMPORT ? &import_codec : &build_codec, o, out, err);
}

struct json_object *rt_rpc_image_req_to_json(enum rt_rpc_op op, const struct rt_rpc_image_req *r)
{
  return request(op, op == RT_OP_IMAGE_IMPORT ? &import_codec : &build_codec, r);
}

void rt_rpc_image_req_clear(struct rt_rpc_image_req *r)
{
  free(r->kind);
  free(r->path);
  free(r->name);
  memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------- seccomp */

#define SC(m) AT(struct rt_rpc_seccomp_req, m)
static const struct field seccomp_get_fields[] = {
    {.key = "container", .type = F_STR, .off = SC(container), .flags = 0},
    {.key = "pod", .type = F_STR, .off = SC(pod), .flags = 0},
};
static const struct field seccomp_set_fields[] = {
    {.key = "container", .type = F_STR, .off = SC(container), .flags = 0},
    {.key = "pod", .type = F_STR, .off = SC(pod), .flags = 0},
    {.key = "deny", .type = F_STRV, .off = SC(deny), .flags = F_REQQ | F_ALWAYS},
};
#undef SC

static bool syscall_name_valid(const char *s)
{
  size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_");
  return n > 0 && n <= 64 && s[n] == '\0';
}

static int seccomp_req_check(void *obj, struct lab_error **err)
{
  struct rt_rpc_seccomp_req *r = obj;
  if (r->pod == NULL && r->container == NULL)
    return lab_error_set(err, 0, "\"container\": missing");
  for (size_t i = 0; r->deny != NULL && r->deny[i] != NULL; i++)
    if (!syscall_name_valid(r->deny[i]))
      return lab_error_set(err, 0, "deny[%zu]: \"%s\" is not a system call name", i, r->deny[i]);
  return 0;
}
static const struct codec seccomp_get_codec = {.size = sizeof(struct rt_rpc_seccomp_req),
                                               FIELDS(seccomp_get_fields),
                                               .check = seccomp_req_check};
static const struct codec seccomp_set_codec = {.size = sizeof(struct rt_rpc_seccomp_req),
                                               FIELDS(seccomp_set_fields),
                                               .check = seccomp_req_check};

#define SS(m) AT(struct rt_rpc_seccomp_state, m)
static const struct field seccomp_state_fields[] = {
    {.key = "id", .type = F_STR, .off = SS(id), .flags = F_REQ},
    {.key = "name", .type = F_STR, .off = SS(name), .flags = F_ALWAYS},
    {.key = "pid", .type = F_INT, .off = SS(pid), .flags = F_ALWAYS},
    {.key = "deny", .type = F_STRV, .off = SS(deny), .flags = F_ALWAYS},
    {.key = "filters", .type = F_INT, .off = SS(filters), .flags = F_ALWAYS, .dflt = -1},
};
#undef SS
static const struct codec seccomp_state_codec = {.size = sizeof(struct rt_rpc_seccomp_state),
                                                 FIELDS(seccomp_state_fields),
                                                 .check = NULL,
                                                 .reply = true};

static const struct codec *seccomp_req_codec(enum rt_rpc_op op)
{
  return op == RT_OP_SECCOMP_SET ? &seccomp_set_codec : &seccomp_get_codec;
}

int rt_rpc_seccomp_req_from_json(enum rt_rpc_op op, struct json_object *o,
                                 struct rt_rpc_seccomp_req *out, struct lab_error **err)
{
  return codec_decode(seccomp_req_codec(op), o, out, err);
}

struct json_object *rt_rpc_seccomp_req_to_json(enum rt_rpc_op op,
                                               const struct rt_rpc_seccomp_req *r)
{
  return request(op, seccomp_req_codec(op), r);
}

void rt_rpc_seccomp_req_clear(struct rt_rpc_seccomp_req *r)
{
  codec_clear(&seccomp_set_codec, r);
}

int rt_rpc_seccomp_state_from_json(struct json_object *o, struct rt_rpc_seccomp_state *out,
                                   struct lab_error **err)
{
  return codec_decode(&seccomp_state_codec, o, out, err);
}

struct json_object *rt_rpc_seccomp_state_to_json(const struct rt_rpc_seccomp_state *s)
{
  return codec_encode(&seccomp_state_codec, s, rpc_reply_ok());
}

void rt_rpc_seccomp_state_clear(struct rt_rpc_seccomp_state *s)
{
  codec_clear(&seccomp_state_codec, s);
}

/* -------------------------------------------------------------- replies */

struct json_object *rt_rpc_name_reply_to_json(const char *name)
{
  struct json_object *o = rpc_reply_ok();
  json_object_object_add(o, "name", json_object_new_string(name ? name : ""));
  return o;
}

int rt_rpc_name_reply_from_json(struct json_object *o, char **name, struct lab_error **err)
{
  *name = NULL;
  if (rt_rpc_reply_check(o, err) < 0)
    return -1;
  struct json_object *v;
  if (!json_object_object_get_ex(o, "name", &v) || !json_object_is_type(v, json_type_string))
    return lab_error_set(err, 0, "name: missing");
  *name = xstrdup(json_object_get_string(v));
  return 0;
}

int rt_rpc_reply_check(struct json_object *reply, struct lab_error **err)
{
  struct json_object *ok, *e;
  if (reply != NULL && json_object_object_get_ex(reply, "ok", &ok) &&
      json_object_is_type(ok, json_type_boolean) && json_object_get_boolean(ok))
    return 0;
  if (reply != NULL && json_object_object_get_ex(reply, "error", &e) &&
      json_object_is_type(e, json_type_string))
    return lab_error_set(err, 0, "%s", json_object_get_string(e));
  return lab_error_set(err, 0, "the runtime refused");
}
