/* The probe model: specs and results, their validation and JSON.  The
 * network work is in probe-net.c. */
#include "probe.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "probe-internal.h"
#include "xalloc.h"
#include "names.h"
#include "strv.h"

static const char *const kind_names[] = {
    [PROBE_PING] = "ping", [PROBE_TCP] = "tcp",   [PROBE_HTTP] = "http",
    [PROBE_UDP] = "udp",   [PROBE_EXEC] = "exec",
};
static_assert(sizeof kind_names / sizeof kind_names[0] == PROBE_KIND_COUNT, "a name per kind");

const char *probe_kind_name(enum probe_kind kind)
{
  return names_get(kind_names, PROBE_KIND_COUNT, kind, "?");
}

int probe_kind_parse(const char *name, enum probe_kind *kind)
{
  int k = names_find(kind_names, PROBE_KIND_COUNT, name);
  if (k < 0)
    return -1;
  *kind = (enum probe_kind)k;
  return 0;
}

static void replace_str(char **field, const char *value)
{
  free(*field);
  *field = xstrdup(value);
}

void probe_spec_init(struct probe_spec *spec, enum probe_kind kind)
{
  *spec = (struct probe_spec){
      .kind = kind,
      .timeout_ms = PROBE_DEFAULT_TIMEOUT_MS,
      .ping =
          {
              .count = PROBE_DEFAULT_PING_COUNT,
              .interval_ms = PROBE_DEFAULT_PING_INTERVAL_MS,
              .size = PROBE_DEFAULT_PING_SIZE,
              .max_loss_percent = PROBE_LOSS_ANY_REPLY,
          },
  };
  if (kind == PROBE_HTTP)
    spec->http.path = xstrdup("/");
  if (kind == PROBE_UDP)
    spec->udp.payload = xstrdup(PROBE_DEFAULT_UDP_PAYLOAD);
}

void probe_spec_clear(struct probe_spec *spec)
{
  free(spec->tcp.send);
  free(spec->tcp.expect);
  free(spec->http.path);
  free(spec->http.host);
  free(spec->http.body);
  free(spec->udp.payload);
  free(spec->udp.expect);
  strv_free(spec->exec.argv);
  free(spec->exec.pod);
  free(spec->exec.container);
  *spec = (struct probe_spec){0};
}

void probe_spec_copy(struct probe_spec *dst, const struct probe_spec *src)
{
  *dst = *src;
  dst->tcp.send = xstrdup(src->tcp.send);
  dst->tcp.expect = xstrdup(src->tcp.expect);
  dst->http.path = xstrdup(src->http.path);
  dst->http.host = xstrdup(src->http.host);
  dst->http.body = xstrdup(src->http.body);
  dst->udp.payload = xstrdup(src->udp.payload);
  dst->udp.expect = xstrdup(src->udp.expect);
  dst->exec.argv = strv_dup(src->exec.argv);
  dst->exec.pod = xstrdup(src->exec.pod);
  dst->exec.container = xstrdup(src->exec.container);
}

static int check_text(const char *kind, const char *field, const char *value, bool nonempty,
                      struct lab_error **err)
{
  if (value == NULL)
    return 0;
  size_t n = strlen(value);
  if (n > PROBE_MAX_TEXT)
    return lab_error_set(err, 0, "%s: %s: %zu bytes, at most %d", kind, field, n, PROBE_MAX_TEXT);
  if (nonempty && n == 0)
    return lab_error_set(err, 0, "%s: %s: empty", kind, field);
  return 0;
}

/* No CR, LF or other control byte in what goes into the request line and
 * headers, so a spec cannot smuggle headers. */
static bool http_token_ok(const char *s)
{
  for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
    if (*p <= ' ' || *p == 0x7f)
      return false;
  }
  return true;
}

int probe_spec_validate(const struct probe_spec *s, struct lab_error **err)
{
  if ((unsigned)s->kind >= PROBE_KIND_COUNT)
    return lab_error_set(err, 0, "unknown probe kind %d", (int)s->kind);
  const char *k = probe_kind_name(s->kind);
  if (s->timeout_ms < 1 || s->timeout_ms > PROBE_MAX_TIMEOUT_MS)
    return lab_error_set(err, 0, "%s: timeout %d ms: must be 1..%d", k, s->timeout_ms,
                         PROBE_MAX_TIMEOUT_MS);
  if (s->kind == PROBE_EXEC) {
    if (s->exec.argv == NULL || s->exec.argv[0] == NULL || s->exec.argv[0][0] == '\0')
      return lab_error_set(err, 0, "exec: no command");
    size_t total = 0;
    for (size_t i = 0; s->exec.argv[i] != NULL; i++)
      total += strlen(s->exec.argv[i]) + 1;
    if (total > PROBE_MAX_TEXT)
      return lab_error_set(err, 0, "exec: argv: %zu bytes, at most %d", total, PROBE_MAX_TEXT);
    if (s->exec.container != NULL && s->exec.pod == NULL)
      return lab_error_set(err, 0, "exec: a container needs its pod");
    if ((s->exec.pod != NULL && s->exec.pod[0] == '\0') ||
        (s->exec.container != NULL && s->exec.container[0] == '\0'))
      return lab_error_set(err, 0, "exec: empty pod or container name");
    return 0;
  }
  if (s->addr.s_addr == htonl(INADDR_ANY))
    return lab_error_set(err, 0, "%s: no target address", k);
  if (s->kind != PROBE_PING && s->port == 0)
    return lab_error_set(err, 0, "%s: no target port", k);
  switch (s->kind) {
  case PROBE_PING:
    if (s->ping.count < 1 || s->ping.count > PROBE_MAX_PING_COUNT)
      return lab_error_set(err, 0, "ping: count %d: must be 1..%d", s->ping.count,
                           PROBE_MAX_PING_COUNT);
    if (s->ping.interval_ms < PROBE_MIN_PING_INTERVAL_MS)
      return lab_error_set(err, 0, "ping: interval %d ms: must be at least %d ms",
                           s->ping.interval_ms, PROBE_MIN_PING_INTERVAL_MS);
    if ((int64_t)(s->ping.count - 1) * s->ping.interval_ms >= s->timeout_ms)
      return lab_error_set(err, 0, "ping: %d echoes %d ms apart do not fit in the timeout of %d ms",
                           s->ping.count, s->ping.interval_ms, s->timeout_ms);
    if (s->ping.size < PROBE_PING_MIN_SIZE || s->ping.size > PROBE_MAX_PING_SIZE)
      return lab_error_set(err, 0, "ping: size %d: must be %d..%d", s->ping.size,
                           PROBE_PING_MIN_SIZE, PROBE_MAX_PING_SIZE);
    if (s->ping.max_loss_percent != PROBE_LOSS_ANY_REPLY &&
        (s->ping.max_loss_percent < 0 || s->ping.max_loss_percent > 100))
      return lab_error_set(err, 0, "ping: maxLoss %d%%: must be 0..100", s->ping.max_loss_percent);
    if (!(s->ping.max_rtt_ms >= 0) || s->ping.max_rtt_ms > PROBE_MAX_TIMEOUT_MS)
      return lab_error_set(err, 0, "ping: maxRtt %g ms: must be 0..%d", s->ping.max_rtt_ms,
                           PROBE_MAX_TIMEOUT_MS);
    return 0;
  case PROBE_TCP:
    if (check_text(k, "send", s->tcp.send, true, err) < 0 ||
        check_text(k, "expect", s->tcp.expect, true, err) < 0)
      return -1;
    return 0;
  case PROBE_HTTP:
    if (s->http.path == NULL || s->http.path[0] != '/')
      return lab_error_set(err, 0, "http: path \"%s\": must start with /", s->http.path ?: "");
    if (strlen(s->http.path) > PROBE_MAX_PATH || !http_token_ok(s->http.path))
      return lab_error_set(err, 0, "http: path: at most %d bytes, no spaces or control characters",
                           PROBE_MAX_PATH);
    if (s->http.host != NULL && (s->http.host[0] == '\0' || strlen(s->http.host) > PROBE_MAX_HOST ||
                                 !http_token_ok(s->http.host)))
      return lab_error_set(err, 0, "http: host: 1..%d bytes, no spaces or control characters",
                           PROBE_MAX_HOST);
    if (s->http.status != 0 && (s->http.status < 100 || s->http.status > 599))
      return lab_error_set(err, 0, "http: status %d: must be 100..599", s->http.status);
    return check_text(k, "body", s->http.body, true, err);
  case PROBE_UDP:
    if (s->udp.payload == NULL)
      return lab_error_set(err, 0, "udp: no payload");
    if (check_text(k, "payload", s->udp.payload, false, err) < 0 ||
        check_text(k, "expect", s->udp.expect, true, err) < 0)
      return -1;
    return 0;
  case PROBE_EXEC: /* above */
  case PROBE_KIND_COUNT:
    break;
  }
  return lab_error_set(err, 0, "unknown probe kind %d", (int)s->kind);
}

/* ---- JSON ---- */

#define KINDS_ALL ((1u << PROBE_KIND_COUNT) - 1)
#define KIND_BIT(k) (1u << (k))
#define KINDS_PORTED (KIND_BIT(PROBE_TCP) | KIND_BIT(PROBE_HTTP) | KIND_BIT(PROBE_UDP))

#define KINDS_NET (KINDS_ALL & ~KIND_BIT(PROBE_EXEC))

enum field_type { FIELD_STR, FIELD_INT, FIELD_NUM, FIELD_STRV };

/* Every field of the spec's wire format, with the kinds it applies to. */
static const struct spec_field {
  const char *name;
  unsigned kinds;
  enum field_type type;
} spec_fields[] = {
    {"kind", KINDS_ALL, FIELD_STR},
    {"target", KINDS_NET, FIELD_STR},
    {"port", KINDS_PORTED, FIELD_INT},
    {"timeoutMs", KINDS_ALL, FIELD_INT},
    {"count", KIND_BIT(PROBE_PING), FIELD_INT},
    {"intervalMs", KIND_BIT(PROBE_PING), FIELD_INT},
    {"size", KIND_BIT(PROBE_PING), FIELD_INT},
    {"maxLoss", KIND_BIT(PROBE_PING), FIELD_INT},
    {"maxRttMs", KIND_BIT(PROBE_PING), FIELD_NUM},
    {"send", KIND_BIT(PROBE_TCP), FIELD_STR},
    {"expect", KIND_BIT(PROBE_TCP) | KIND_BIT(PROBE_UDP), FIELD_STR},
    {"path", KIND_BIT(PROBE_HTTP), FIELD_STR},
    {"host", KIND_BIT(PROBE_HTTP), FIELD_STR},
    {"status", KIND_BIT(PROBE_HTTP), FIELD_INT},
    {"body", KIND_BIT(PROBE_HTTP), FIELD_STR},
    {"payload", KIND_BIT(PROBE_UDP), FIELD_STR},
    {"argv", KIND_BIT(PROBE_EXEC), FIELD_STRV},
    {"pod", KIND_BIT(PROBE_EXEC), FIELD_STR},
    {"container", KIND_BIT(PROBE_EXEC), FIELD_STR},
};

static const char *field_type_name(enum field_type t)
{
  return t == FIELD_STR    ? "a string"
         : t == FIELD_INT  ? "an integer"
         : t == FIELD_STRV ? "a list of strings"
                           : "a number";
}

static bool field_type_ok(struct json_object *v, enum field_type t)
{
  switch (t) {
  case FIELD_STR:
    return json_object_is_type(v, json_type_string);
  case FIELD_INT:
    return json_object_is_type(v, json_type_int);
  case FIELD_NUM:
    return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
  case FIELD_STRV:
    if (!json_object_is_type(v, json_type_array))
      return false;
    for (size_t i = 0; i < json_object_array_length(v); i++) {
      if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_string))
        return false;
    }
    return true;
  }
  return false;
}

/* The number at key (int or double), or dflt. */
static double get_num(struct json_object *o, const char *key, double dflt)
{
  struct json_object *v;
  if (!json_object_object_get_ex(o, key, &v) || !field_type_ok(v, FIELD_NUM))
    return dflt;
  return json_object_get_double(v);
}

/* An int member within [lo, hi] (refused otherwise, since a wire value that
 * does not fit an int must not wrap into a valid one). */
static int get_bounded_int(struct json_object *o, const char *key, int dflt, int64_t lo, int64_t hi,
                           int *out, struct lab_error **err)
{
  int64_t v = json_get_int(o, key, dflt);
  if (v < lo || v > hi)
    return lab_error_set(err, 0, "spec: %s %lld: out of range", key, (long long)v);
  *out = (int)v;
  return 0;
}

static int spec_fields_check(struct json_object *o, enum probe_kind kind, struct lab_error **err)
{
  json_object_object_foreach(o, key, val)
  {
    const struct spec_field *f = NULL;
    for (size_t i = 0; i < sizeof spec_fields / sizeof spec_fields[0]; i++) {
      if (strcmp(spec_fields[i].name, key) == 0)
        f = &spec_fields[i];
    }
    if (f == NULL)
      return lab_error_set(err, 0, "spec: unknown field \"%s\"", key);
    if (!(f->kinds & KIND_BIT(kind)))
      return lab_error_set(err, 0, "spec: field \"%s\" does not apply to %s %s probe", key,
                           kind == PROBE_EXEC ? "an" : "a", probe_kind_name(kind));
    if (!field_type_ok(val, f->type))
      return lab_error_set(err, 0, "spec: %s: must be %s", key, field_type_name(f->type));
  }
  return 0;
}

static int spec_decode(struct json_object *o, struct probe_spec *spec, struct lab_error **err)
{
  if (!json_object_is_type(o, json_type_object))
    return lab_error_set(err, 0, "spec: not a JSON object");
  const char *kind_name = json_get_str(o, "kind");
  enum probe_kind kind;
  if (kind_name == NULL)
    return lab_error_set(err, 0, "spec: no kind");
  if (probe_kind_parse(kind_name, &kind) < 0)
    return lab_error_set(err, 0, "spec: unknown kind \"%s\" (ping, tcp, http, udp, exec)",
                         kind_name);
  probe_spec_init(spec, kind);
  if (spec_fields_check(o, kind, err) < 0)
    return -1;

  if (kind == PROBE_EXEC) {
    if (get_bounded_int(o, "timeoutMs", spec->timeout_ms, 0, INT32_MAX, &spec->timeout_ms, err) < 0)
      return -1;
    spec->exec.argv = json_get_strv(o, "argv");
    replace_str(&spec->exec.pod, json_get_str(o, "pod"));
    replace_str(&spec->exec.container, json_get_str(o, "container"));
    return probe_spec_validate(spec, err);
  }
  const char *target = json_get_str(o, "target");
  if (target == NULL)
    return lab_error_set(err, 0, "spec: no target");
  if (inet_pton(AF_INET, target, &spec->addr) != 1)
    return lab_error_set(err, 0,
                         "spec: target \"%s\": not an IPv4 address (names are resolved by "
                         "nodelabd)",
                         target);
  int port = 0;
  if (get_bounded_int(o, "port", 0, 0, 65535, &port, err) < 0 ||
      get_bounded_int(o, "timeoutMs", spec->timeout_ms, 0, INT32_MAX, &spec->timeout_ms, err) < 0)
    return -1;
  spec->port = (uint16_t)port;

  switch (kind) {
  case PROBE_PING:
    if (get_bounded_int(o, "count", spec->ping.count, INT32_MIN, INT32_MAX, &spec->ping.count,
                        err) < 0 ||
        get_bounded_int(o, "intervalMs", spec->ping.interval_ms, INT32_MIN, INT32_MAX,
                        &spec->ping.interval_ms, err) < 0 ||
        get_bounded_int(o, "size", spec->ping.size, INT32_MIN, INT32_MAX, &spec->ping.size, err) <
            0 ||
        get_bounded_int(o, "maxLoss", spec->ping.max_loss_percent, INT32_MIN, INT32_MAX,
                        &spec->ping.max_loss_percent, err) < 0)
      return -1;
    /* On the wire, maxLoss is absent or 0..100: -1 is no wire value. */
    if (json_object_object_get_ex(o, "maxLoss", NULL) &&
        spec->ping.max_loss_percent == PROBE_LOSS_ANY_REPLY)
      return lab_error_set(err, 0, "ping: maxLoss -1%%: must be 0..100");
    spec->ping.max_rtt_ms = get_num(o, "maxRttMs", 0);
    break;
  case PROBE_TCP:
    replace_str(&spec->tcp.send, json_get_str(o, "send"));
    replace_str(&spec->tcp.expect, json_get_str(o, "expect"));
    break;
  case PROBE_HTTP:
    if (json_get_str(o, "path") != NULL)
      replace_str(&spec->http.path, json_get_str(o, "path"));
    replace_str(&spec->http.host, json_get_str(o, "host"));
    if (get_bounded_int(o, "status", 0, INT32_MIN, INT32_MAX, &spec->http.status, err) < 0)
      return -1;
    replace_str(&spec->http.body, json_get_str(o, "body"));
    break;
  case PROBE_UDP:
    if (json_get_str(o, "payload") != NULL)
      replace_str(&spec->udp.payload, json_get_str(o, "payload"));
    replace_str(&spec->udp.expect, json_get_str(o, "expect"));
    break;
  case PROBE_EXEC: /* above */
  case PROBE_KIND_COUNT:
    break;
  }
  return probe_spec_validate(spec, err);
}

int probe_spec_from_json(struct json_object *o, struct probe_spec *spec, struct lab_error **err)
{
  *spec = (struct probe_spec){0};
  if (spec_decode(o, spec, err) < 0) {
    probe_spec_clear(spec);
    return -1;
  }
  return 0;
}

static void add_int(struct json_object *o, const char *key, int64_t v)
{
  json_object_object_add(o, key, json_object_new_int64(v));
}

struct json_object *probe_spec_to_json(const struct probe_spec *s)
{
  struct json_object *o = json_object_new_object();
  char addr[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &s->addr, addr, sizeof addr);
  json_add_str(o, "kind", probe_kind_name(s->kind));
  if (s->kind == PROBE_EXEC) {
    add_int(o, "timeoutMs", s->timeout_ms);
    struct json_object *argv = json_object_new_array();
    for (size_t i = 0; s->exec.argv != NULL && s->exec.argv[i] != NULL; i++)
      json_object_array_add(argv, json_object_new_string(s->exec.argv[i]));
    json_object_object_add(o, "argv", argv);
    json_add_str(o, "pod", s->exec.pod);
    json_add_str(o, "container", s->exec.container);
    return o;
  }
  json_add_str(o, "target", addr);
  if (s->kind != PROBE_PING)
    add_int(o, "port", s->port);
  add_int(o, "timeoutMs", s->timeout_ms);
  switch (s->kind) {
  case PROBE_PING:
    add_int(o, "count", s->ping.count);
    add_int(o, "intervalMs", s->ping.interval_ms);
    add_int(o, "size", s->ping.size);
    if (s->ping.max_loss_percent != PROBE_LOSS_ANY_REPLY)
      add_int(o, "maxLoss", s->ping.max_loss_percent);
    json_object_object_add(o, "maxRttMs", json_object_new_double(s->ping.max_rtt_ms));
    break;
  case PROBE_TCP:
    json_add_str(o, "send", s->tcp.send);
    json_add_str(o, "expect", s->tcp.expect);
    break;
  case PROBE_HTTP:
    json_add_str(o, "path", s->http.path);
    json_add_str(o, "host", s->http.host);
    if (s->http.status != 0)
      add_int(o, "status", s->http.status);
    json_add_str(o, "body", s->http.body);
    break;
  case PROBE_UDP:
    json_add_str(o, "payload", s->udp.payload);
    json_add_str(o, "expect", s->udp.expect);
    break;
  case PROBE_EXEC: /* above */
  case PROBE_KIND_COUNT:
    break;
  }
  return o;
}

struct json_object *probe_result_to_json(const struct probe_result *r)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "ok", json_object_new_boolean(r->ok));
  if (r->latency_ms >= 0) { /* in microseconds' precision: "0.067" */
    char text[32];
    snprintf(text, sizeof text, "%.3f", r->latency_ms);
    json_object_object_add(o, "latencyMs", json_object_new_double_s(strtod(text, NULL), text));
  }
  add_int(o, "sent", r->sent);
  add_int(o, "received", r->received);
  add_int(o, "httpStatus", r->http_status);
  json_add_str(o, "reason", r->reason);
  return o;
}

static const struct {
  const char *name;
  enum json_type type;
} result_fields[] = {
    {"ok", json_type_boolean},   {"latencyMs", json_type_double}, {"sent", json_type_int},
    {"received", json_type_int}, {"httpStatus", json_type_int},   {"reason", json_type_string},
};

int probe_result_from_json(struct json_object *o, struct probe_result *r, struct lab_error **err)
{
  *r = (struct probe_result){.latency_ms = -1};
  if (!json_object_is_type(o, json_type_object))
    return lab_error_set(err, 0, "result: not a JSON object");
  json_object_object_foreach(o, key, val)
  {
    size_t i = 0;
    while (i < sizeof result_fields / sizeof result_fields[0] &&
           strcmp(result_fields[i].name, key) != 0)
      i++;
    if (i == sizeof result_fields / sizeof result_fields[0])
      return lab_error_set(err, 0, "result: unknown field \"%s\"", key);
    bool ok =
        json_object_is_type(val, result_fields[i].type) ||
        (result_fields[i].type == json_type_double && json_object_is_type(val, json_type_int));
    if (!ok)
      return lab_error_set(err, 0, "result: %s: wrong type", key);
  }
  const char *reason = json_get_str(o, "reason");
  if (!json_object_object_get_ex(o, "ok", NULL) || reason == NULL)
    return lab_error_set(err, 0, "result: ok and reason are required");
  int64_t sent = json_get_int(o, "sent", 0), received = json_get_int(o, "received", 0),
          status = json_get_int(o, "httpStatus", 0);
  if (sent < 0 || sent > INT32_MAX || received < 0 || received > INT32_MAX || status < 0 ||
      status > 999)
    return lab_error_set(err, 0, "result: a count out of range");
  r->ok = json_get_bool(o, "ok", false);
  r->latency_ms = get_num(o, "latencyMs", -1);
  if (r->latency_ms < 0)
    r->latency_ms = -1;
  r->sent = (int)sent;
  r->received = (int)received;
  r->http_status = (int)status;
  snprintf(r->reason, sizeof r->reason, "%s", reason);
  return 0;
}

static struct json_object *parse_text(const char *text, const char *what, struct lab_error **err)
{
  enum json_tokener_error jerr = json_tokener_success;
  struct json_tokener *tok = json_tokener_new();
  if (tok == NULL)
    abort();
  size_t len = strlen(text);
  struct json_object *o = json_tokener_parse_ex(tok, text, (int)len);
  jerr = json_tokener_get_error(tok);
  size_t used = json_tokener_get_parse_end(tok);
  json_tokener_free(tok);
  if (o == NULL || jerr != json_tokener_success) {
    json_object_put(o);
    return lab_error_set(err, 0, "%s: invalid JSON: %s", what,
                         jerr == json_tokener_continue ? "unexpected end"
                                                       : json_tokener_error_desc(jerr)),
           NULL;
  }
  for (; used < len; used++) {
    if (strchr(" \t\r\n", text[used]) == NULL) {
      json_object_put(o);
      return lab_error_set(err, 0, "%s: trailing bytes after the JSON object", what), NULL;
    }
  }
  return o;
}

int probe_spec_from_text(const char *text, struct probe_spec *spec, struct lab_error **err)
{
  *spec = (struct probe_spec){0};
  struct json_object *o = parse_text(text, "spec", err);
  if (o == NULL)
    return -1;
  int rc = probe_spec_from_json(o, spec, err);
  json_object_put(o);
  return rc;
}

int probe_result_from_text(const char *text, struct probe_result *result, struct lab_error **err)
{
  *result = (struct probe_result){.latency_ms = -1};
  struct json_object *o = parse_text(text, "result", err);
  if (o == NULL)
    return -1;
  int rc = probe_result_from_json(o, result, err);
  json_object_put(o);
  return rc;
}

/* ---- words ---- */

void probe_result_fail(struct probe_result *r, const char *fmt, ...)
{
  *r = (struct probe_result){.latency_ms = -1};
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->reason, sizeof r->reason, fmt, ap); /* truncation is fine for words */
  va_end(ap);
}

char *probe_target_format(const struct probe_spec *s, char buf[PROBE_TARGET_LEN])
{
  char addr[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &s->addr, addr, sizeof addr);
  if (s->kind == PROBE_EXEC)
    snprintf(buf, PROBE_TARGET_LEN, "%s", s->exec.argv != NULL ? s->exec.argv[0] : "");
  else if (s->kind == PROBE_PING)
    snprintf(buf, PROBE_TARGET_LEN, "%s", addr);
  else
    snprintf(buf, PROBE_TARGET_LEN, "%s:%u", addr, (unsigned)s->port);
  return buf;
}

char *probe_duration_format(int ms, char buf[PROBE_DURATION_LEN])
{
  if (ms < 1000 && ms > -1000)
    snprintf(buf, PROBE_DURATION_LEN, "%d ms", ms);
  else if (ms % 1000 == 0)
    snprintf(buf, PROBE_DURATION_LEN, "%d s", ms / 1000);
  else if (ms % 100 == 0)
    snprintf(buf, PROBE_DURATION_LEN, "%.1f s", ms / 1000.0);
  else
    snprintf(buf, PROBE_DURATION_LEN, "%.3f s", ms / 1000.0);
  return buf;
}

char *probe_ms_format(double ms, char buf[PROBE_DURATION_LEN])
{
  if (ms < 1)
    snprintf(buf, PROBE_DURATION_LEN, "%.3f ms", ms);
  else if (ms < 100)
    snprintf(buf, PROBE_DURATION_LEN, "%.1f ms", ms);
  else
    snprintf(buf, PROBE_DURATION_LEN, "%.0f ms", ms);
  return buf;
}

char *probe_quote(const char *s, char *buf, size_t size)
{
  size_t o = 0;
  const size_t limit = size > 8 ? size - 8 : 0; /* room for \xNN, "...\"" and NUL */
  buf[o++] = '"';
  for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
    if (o >= limit) {
      memcpy(buf + o, "...", 3);
      o += 3;
      break;
    }
    if (*p == '\n') {
      buf[o++] = '\\';
      buf[o++] = 'n';
    } else if (*p == '\r') {
      buf[o++] = '\\';
      buf[o++] = 'r';
    } else if (*p == '"' || *p == '\\') {
      buf[o++] = '\\';
      buf[o++] = (char)*p;
    } else if (*p < ' ' || *p == 0x7f) {
      o += (size_t)snprintf(buf + o, size - o, "\\x%02x", *p);
    } else {
      buf[o++] = (char)*p;
    }
  }
  buf[o++] = '"';
  buf[o] = '\0';
  return buf;
}

int probe_run(const struct probe_spec *spec, struct probe_result *result, struct lab_error **err)
{
  *result = (struct probe_result){.latency_ms = -1};
  if (probe_spec_validate(spec, err) < 0)
    return -1;
  switch (spec->kind) {
  case PROBE_PING:
    return probe_run_ping(spec, result, err);
  case PROBE_TCP:
    return probe_run_tcp(spec, result, err);
  case PROBE_HTTP:
    return probe_run_http(spec, result, err);
  case PROBE_UDP:
    return probe_run_udp(spec, result, err);
  case PROBE_EXEC:
    return probe_exec_run(0, spec, result, err);
  case PROBE_KIND_COUNT:
    break;
  }
  return lab_error_set(err, 0, "unknown probe kind %d", (int)spec->kind);
}
