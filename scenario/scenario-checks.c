/* The schema of checks, exercises and steps: what `nodelab check`, `nodelab
 * exercise` and `nodelab test` run, read from the YAML tree into the model,
 * each reference checked against what is already read. */
#include "scenario.h"
#include "scenario-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

/* ---- checks ---- */

static int read_from(struct scenario_ctx *c, const struct ynode *n, struct scenario_check *chk)
{
  if (scenario_get_str(c, n, "from", &chk->from) < 0)
    return -1;
  cleanup_free char *q = scenario_quote(chk->from);
  cleanup_free char *node = xstrdup(chk->from);
  char *pod = strchr(node, '/'), *ctr = NULL;
  if (pod != NULL) {
    *pod++ = '\0';
    ctr = strchr(pod, '/');
    if (ctr != NULL)
      *ctr++ = '\0';
  }
  if (node[0] == '\0' || (pod != NULL && pod[0] == '\0') ||
      (ctr != NULL && (ctr[0] == '\0' || strchr(ctr, '/') != NULL)))
    return scenario_fail(c, n, "from", "%s is not NODE, NODE/POD or NODE/POD/CTR", q);
  if (scenario_find_node(c->s, node) == NULL) {
    cleanup_free char *qn = scenario_quote(node);
    return scenario_fail(c, n, "from", "node %s does not exist", qn);
  }
  if (pod != NULL) {
    const struct scenario_pod *p = scenario_find_pod(c->s, pod);
    cleanup_free char *qp = scenario_quote(pod);
    if (p == NULL)
      return scenario_fail(c, n, "from", "pod %s does not exist", qp);
    if (strcmp(p->node, node) != 0)
      return scenario_fail(c, n, "from", "pod %s runs on %s, not %s", qp, p->node, node);
    if (ctr != NULL && scenario_find_container(p, ctr) == NULL) {
      cleanup_free char *qc = scenario_quote(ctr);
      return scenario_fail(c, n, "from", "pod %s has no container %s", qp, qc);
    }
  }
  chk->from_node = xstrdup(node);
  chk->from_pod = pod != NULL ? xstrdup(pod) : NULL;
  chk->from_container = ctr != NULL ? xstrdup(ctr) : NULL;
  return 0;
}

static int read_host_port(struct scenario_ctx *c, const struct ynode *n, const char *key,
                          struct scenario_check *chk)
{
  if (scenario_get_str(c, n, key, &chk->target) < 0)
    return -1;
  cleanup_free char *q = scenario_quote(chk->target);
  cleanup_free char *host = xstrdup(chk->target);
  char *colon = strrchr(host, ':');
  if (colon == NULL || colon == host)
    return scenario_fail(c, n, key, "%s is not HOST:PORT", q);
  *colon = '\0';
  int port;
  if (scenario_parse_port(colon + 1, &port) < 0) {
    cleanup_free char *qp = scenario_quote(colon + 1);
    return scenario_fail(c, n, key, "port %s is not a port number (1..65535)", qp);
  }
  return scenario_check_host(c, n, key, host);
}

#define KIND_BIT(k) (1u << (k))

/* The fields of a check, in the order of vals[] in scenario_read_check(). */
enum check_field {
  F_NAME,
  F_FROM,
  F_PING,
  F_HTTP,
  F_TCP,
  F_UDP,
  F_EXEC,
  F_EXPECT,
  F_TIMEOUT,
  F_COUNT,
  F_SIZE,
  F_MAX_LOSS,
  F_MAX_RTT,
  F_SEND,
  F_REPLY,
  F_PATH,
  F_STATUS,
  F_BODY,
  F_N
};

static const struct scenario_field check_fields[F_N] = {
    [F_NAME] = {"name", true},        [F_FROM] = {"from", true},
    [F_PING] = {"ping", false},       [F_HTTP] = {"http", false},
    [F_TCP] = {"tcp", false},         [F_UDP] = {"udp", false},
    [F_EXEC] = {"exec", false},       [F_EXPECT] = {"expect", false},
    [F_TIMEOUT] = {"timeout", false}, [F_COUNT] = {"count", false},
    [F_SIZE] = {"size", false},       [F_MAX_LOSS] = {"maxLoss", false},
    [F_MAX_RTT] = {"maxRtt", false},  [F_SEND] = {"send", false},
    [F_REPLY] = {"reply", false},     [F_PATH] = {"path", false},
    [F_STATUS] = {"status", false},   [F_BODY] = {"body", false},
};

/* The parameters that belong to some kinds only, and which. */
static const struct {
  enum check_field field;
  unsigned kinds;
  const char *which; /* for the message */
} kind_params[] = {
    {F_COUNT, KIND_BIT(CHECK_PING), "ping"},
    {F_SIZE, KIND_BIT(CHECK_PING), "ping"},
    {F_MAX_LOSS, KIND_BIT(CHECK_PING), "ping"},
    {F_MAX_RTT, KIND_BIT(CHECK_PING), "ping"},
    {F_SEND, KIND_BIT(CHECK_TCP) | KIND_BIT(CHECK_UDP), "tcp and udp"},
    {F_REPLY, KIND_BIT(CHECK_TCP) | KIND_BIT(CHECK_UDP), "tcp and udp"},
    {F_PATH, KIND_BIT(CHECK_HTTP), "http"},
    {F_STATUS, KIND_BIT(CHECK_HTTP), "http"},
    {F_BODY, KIND_BIT(CHECK_HTTP), "http"},
};

/* A non-empty string parameter. */
static int read_bytes(struct scenario_ctx *c, const struct ynode *n, const char *key, char **out)
{
  if (scenario_get_str(c, n, key, out) < 0)
    return -1;
  if ((*out)[0] == '\0')
    return scenario_fail(c, n, key, "must not be empty");
  if (strlen(*out) > 4096)
    return scenario_fail(c, n, key, "at most 4096 bytes");
  return 0;
}

static int read_params(struct scenario_ctx *c, const struct ynode *const *v,
                       struct scenario_check *chk)
{
  for (size_t i = 0; i < sizeof kind_params / sizeof kind_params[0]; i++) {
    const struct ynode *p = v[kind_params[i].field];
    if (p != NULL && !(kind_params[i].kinds & KIND_BIT(chk->kind)))
      return scenario_fail(c, p, check_fields[kind_params[i].field].key,
                           "applies to %s checks only", kind_params[i].which);
  }
  long num;
  if (v[F_COUNT] != NULL) {
    if (scenario_get_int(c, v[F_COUNT], "count", 1, 100, &num) < 0)
      return -1;
    chk->ping.count = (int)num;
  }
  if (v[F_SIZE] != NULL) {
    if (scenario_get_int(c, v[F_SIZE], "size", 16, 65000, &num) < 0)
      return -1;
    chk->ping.size = (int)num;
  }
  if (v[F_MAX_LOSS] != NULL) {
    const char *text, *problem;
    uint32_t ppm;
    if (scenario_get_text(c, v[F_MAX_LOSS], "maxLoss", &text) < 0)
      return -1;
    cleanup_free char *q = scenario_quote(text);
    if (scenario_parse_percent(text, &ppm, &problem) < 0)
      return scenario_fail(c, v[F_MAX_LOSS], "maxLoss", "%s %s", q, problem);
    if (ppm % 10000 != 0)
      return scenario_fail(c, v[F_MAX_LOSS], "maxLoss", "%s is not a whole percentage", q);
    chk->ping.max_loss_percent = (int)(ppm / 10000);
  }
  if (v[F_MAX_RTT] != NULL &&
      scenario_get_duration(c, v[F_MAX_RTT], "maxRtt", &chk->ping.max_rtt_ms) < 0)
    return -1;
  if ((v[F_SEND] != NULL && read_bytes(c, v[F_SEND], "send", &chk->send) < 0) ||
      (v[F_REPLY] != NULL && read_bytes(c, v[F_REPLY], "reply", &chk->reply) < 0) ||
      (v[F_BODY] != NULL && read_bytes(c, v[F_BODY], "body", &chk->body) < 0))
    return -1;
  if (v[F_PATH] != NULL) {
    if (scenario_get_str(c, v[F_PATH], "path", &chk->path) < 0)
      return -1;
    bool ok = chk->path[0] == '/' && strlen(chk->path) <= 1024;
    for (const unsigned char *p = (const unsigned char *)chk->path; ok && *p != '\0'; p++)
      ok = *p > ' ' && *p != 0x7f;
    if (!ok) {
      cleanup_free char *q = scenario_quote(chk->path);
      return scenario_fail(c, v[F_PATH], "path",
                           "%s must start with / and hold no spaces or control characters", q);
    }
  }
  if (v[F_STATUS] != NULL) {
    if (scenario_get_int(c, v[F_STATUS], "status", 100, 599, &num) < 0)
      return -1;
    chk->status = (int)num;
  }
  /* The echoes must fit in the timeout, as the probe requires. */
  int count = chk->ping.count ? chk->ping.count : 3;
  if (chk->kind == CHECK_PING &&
      (long)(count - 1) * SCENARIO_CHECK_PING_INTERVAL_MS >= chk->timeout_ms)
    return scenario_fail(c, v[F_TIMEOUT] ? v[F_TIMEOUT] : v[F_COUNT],
                         v[F_TIMEOUT] ? "timeout" : "count",
                         "%d echoes %d ms apart do not fit in the timeout of %d ms", count,
                         SCENARIO_CHECK_PING_INTERVAL_MS, chk->timeout_ms);
  return 0;
}

int scenario_read_check(struct scenario_ctx *c, const struct ynode *checks, size_t index)
{
  const struct ynode *v[F_N];
  struct scenario *s = c->s;
  struct scenario_check *chk = &s->checks[index];
  const struct ynode *n = checks->items[index];
  chk->pos = n->pos;
  chk->timeout_ms = 2000;
  chk->ping.max_loss_percent = SCENARIO_CHECK_LOSS_UNSET;
  if (scenario_map_fields(c, n, check_fields, F_N, v) < 0 ||
      scenario_get_name(c, checks, index, v[F_NAME], "check", SCENARIO_OBJECT_NAME_MAX, NULL,
                        &chk->name) < 0)
    return -1;
  if (strcmp(chk->name, "all") == 0)
    return scenario_fail(c, v[F_NAME], "name",
                         "name \"all\" is reserved (\"check: all\" runs every check)");
  if (read_from(c, v[F_FROM], chk) < 0)
    return -1;

  /* Exactly one of ping/http/tcp/udp/exec; blame the second in file order. */
  static const char *const kinds[] = {"ping", "http", "tcp", "udp", "exec"};
  const struct ynode *first_key = NULL;
  for (size_t i = 0; i < n->n; i++) {
    const struct ynode *key = n->items[2 * i];
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
      if (strcmp(key->value, kinds[k]) != 0)
        continue;
      if (first_key != NULL)
        return scenario_fail(c, key, key->value,
                             "only one of ping, http, tcp, udp or exec may be given (%s at %d:%d)",
                             first_key->value, first_key->pos.line, first_key->pos.column);
      first_key = key;
    }
  }
  if (first_key == NULL)
    return scenario_fail(c, n, NULL, "one of ping, http, tcp, udp or exec is required");
  if (v[F_PING] != NULL) {
    chk->kind = CHECK_PING;
    if (scenario_get_str(c, v[F_PING], "ping", &chk->target) < 0 ||
        scenario_check_host(c, v[F_PING], "ping", chk->target) < 0)
      return -1;
  } else if (v[F_HTTP] != NULL) {
    chk->kind = CHECK_HTTP;
    if (read_host_port(c, v[F_HTTP], "http", chk) < 0)
      return -1;
  } else if (v[F_TCP] != NULL) {
    chk->kind = CHECK_TCP;
    if (read_host_port(c, v[F_TCP], "tcp", chk) < 0)
      return -1;
  } else if (v[F_UDP] != NULL) {
    chk->kind = CHECK_UDP;
    if (read_host_port(c, v[F_UDP], "udp", chk) < 0)
      return -1;
  } else {
    chk->kind = CHECK_EXEC;
    if (scenario_get_strv(c, v[F_EXEC], "exec", false, &chk->argv) < 0)
      return -1;
  }
  if (chk->from_container != NULL && chk->kind != CHECK_EXEC)
    return scenario_fail(c, v[F_FROM], "from",
                         "NODE/POD/CTR is for exec checks (a pod's containers share its network: "
                         "use NODE/POD)");
  if (v[F_EXPECT] != NULL) {
    const char *text;
    if (scenario_get_text(c, v[F_EXPECT], "expect", &text) < 0)
      return -1;
    if (strcmp(text, "ok") == 0)
      chk->expect_fail = false;
    else if (strcmp(text, "fail") == 0)
      chk->expect_fail = true;
    else {
      cleanup_free char *q = scenario_quote(text);
      return scenario_fail(c, v[F_EXPECT], "expect", "%s is not ok or fail", q);
    }
  }
  if (v[F_TIMEOUT] != NULL) {
    if (scenario_get_duration(c, v[F_TIMEOUT], "timeout", &chk->timeout_ms) < 0)
      return -1;
    if (chk->timeout_ms > 60000)
      return scenario_fail(c, v[F_TIMEOUT], "timeout", "timeout must be at most 60s");
  }
  return read_params(c, v, chk);
}

/* ---- exercises and steps ---- */

static int read_refs(struct scenario_ctx *c, const struct ynode *n, const char *key, bool faults,
                     char ***out)
{
  if (scenario_get_strv(c, n, key, false, out) < 0)
    return -1;
  size_t mark = scenario_path_push_key(c, key);
  for (size_t i = 0; (*out)[i] != NULL; i++) {
    const char *name = (*out)[i];
    bool found =
        faults ? scenario_find_fault(c->s, name) != NULL : scenario_find_check(c->s, name) != NULL;
    if (!found) {
      size_t m = scenario_path_push_index(c, i);
      cleanup_free char *q = scenario_quote(name);
      scenario_fail(c, n->items[i], NULL, "%s %s does not exist", faults ? "fault" : "check", q);
      scenario_path_pop(c, m);
      scenario_path_pop(c, mark);
      return -1;
    }
  }
  scenario_path_pop(c, mark);
  return 0;
}

int scenario_read_exercise(struct scenario_ctx *c, const struct ynode *list, size_t index)
{
  static const struct scenario_field fields[] = {
      {"name", true}, {"faults", true}, {"verify", true}};
  const struct ynode *v[3];
  struct scenario *s = c->s;
  struct scenario_exercise *ex = &s->exercises[index];
  ex->pos = list->items[index]->pos;
  if (scenario_map_fields(c, list->items[index], fields, 3, v) < 0 ||
      scenario_get_name(c, list, index, v[0], "exercise", SCENARIO_OBJECT_NAME_MAX, NULL,
                        &ex->name) < 0)
    return -1;
  if (read_refs(c, v[1], "faults", true, &ex->faults) < 0 ||
      read_refs(c, v[2], "verify", false, &ex->verify) < 0)
    return -1;
  return 0;
}

static int read_step(struct scenario_ctx *c, const struct ynode *n, struct scenario_step *st)
{
  static const struct {
    const char *key;
    enum scenario_step_kind kind;
  } kinds[] = {{"check", STEP_CHECK},
               {"expect-fail", STEP_EXPECT_FAIL},
               {"inject", STEP_INJECT},
               {"repair", STEP_REPAIR},
               {"sleep", STEP_SLEEP}};
  st->pos = n->pos;
  if (scenario_expect_type(c, n, NULL, YNODE_MAP) < 0)
    return -1;
  if (n->n != 1)
    return scenario_fail(c, n, NULL,
                         "a step is one of check, expect-fail, inject, repair or sleep, "
                         "this one has %zu keys",
                         n->n);
  const struct ynode *key = n->items[0], *value = n->items[1];
  size_t k = 0;
  while (k < 5 && strcmp(kinds[k].key, key->value) != 0)
    k++;
  if (k == 5) {
    cleanup_free char *q = scenario_quote(key->value);
    return scenario_fail(c, key, key->value,
                         "unknown step %s (use check, expect-fail, inject, repair or sleep)", q);
  }
  st->kind = kinds[k].kind;
  if (scenario_get_str(c, value, key->value, &st->arg) < 0)
    return -1;
  cleanup_free char *q = scenario_quote(st->arg);
  bool all = strcmp(st->arg, "all") == 0;
  switch (st->kind) {
  case STEP_CHECK:
  case STEP_EXPECT_FAIL:
    if (st->kind == STEP_EXPECT_FAIL && all)
      return scenario_fail(c, value, key->value, "expect-fail takes one check name, not \"all\"");
    if ((st->kind == STEP_CHECK && all) || scenario_find_check(c->s, st->arg) != NULL)
      return 0;
    return scenario_fail(c, value, key->value, "check %s does not exist", q);
  case STEP_INJECT:
  case STEP_REPAIR:
    if ((st->kind == STEP_REPAIR && all) || scenario_find_fault(c->s, st->arg) != NULL)
      return 0;
    return scenario_fail(c, value, key->value, "fault %s does not exist", q);
  case STEP_SLEEP:
    return scenario_get_duration(c, value, "sleep", &st->sleep_ms);
  }
  return 0;
}

int scenario_read_step_at(struct scenario_ctx *c, const struct ynode *list, size_t index)
{
  return read_step(c, list->items[index], &c->s->steps[index]);
}
