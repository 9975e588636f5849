/* podman-style ps text from the runtime's PS_ENTRY objects, as `nodelab ps`
 * prints it (tools/cli-ps.c with proto/ps-format.h): the entries decoded from
 * the wire, then formatted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit-test.h"
#include <json-c/json.h>

#include "ps-format.h"
#include "runtime-rpc.h"

static void test_durations(void **state)
{
  (void)state;
  static const struct {
    long s;
    const char *want;
  } cases[] = {{0, "Less than a second"}, {1, "1 second"},           {59, "59 seconds"},
               {60, "About a minute"},    {119, "About a minute"},   {300, "5 minutes"},
               {3600, "About an hour"},   {7200, "2 hours"},         {3 * 86400, "3 days"},
               {21 * 86400, "3 weeks"},   {200 * 86400, "6 months"}, {800 * 86400, "2 years"}};
  char buf[64];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ps_format_duration(cases[i].s, buf, sizeof buf);
    assert_string_equal(buf, cases[i].want);
  }
}

static struct json_object *entry(const char *state, int code, bool oom)
{
  struct json_object *e = json_tokener_parse(
      "{\"Id\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\","
      "\"Names\":[\"top1\"],\"Image\":\"ubi\",\"Command\":[\"top\",\"-b\"],"
      "\"Created\":\"2026-11-29T02:00:00.123456789Z\","
      "\"StartedAt\":\"2026-11-29T02:00:01.5Z\",\"FinishedAt\":\"2026-11-29T02:00:30Z\","
      "\"Label\":\"system_u:system_r:container_t:s0:c1,c2\",\"LabelEnforced\":false}");
  json_object_object_add(e, "State", json_object_new_string(state));
  json_object_object_add(e, "ExitCode", json_object_new_int(code));
  json_object_object_add(e, "OOMKilled", json_object_new_boolean(oom));
  return e;
}

/* What the CLI does with a reply's entries: decode them. */
static struct rt_rpc_ps_reply decoded(struct json_object *list)
{
  struct json_object *reply = json_object_new_object();
  json_object_object_add(reply, "ok", json_object_new_boolean(true));
  json_object_object_add(reply, "containers", json_object_get(list));
  struct rt_rpc_ps_reply r;
  struct lab_error *err = NULL;
  if (rt_rpc_ps_reply_from_json(reply, &r, &err) < 0)
    fail_msg("%s", err->msg);
  json_object_put(reply);
  return r;
}

static void status_of(struct json_object *e, long long now, char *buf, size_t len)
{
  struct json_object *list = json_object_new_array();
  json_object_array_add(list, json_object_get(e));
  struct rt_rpc_ps_reply r = decoded(list);
  ps_format_status(&r.entries[0], now, buf, len);
  rt_rpc_ps_reply_clear(&r);
  json_object_put(list);
}

static char *table(struct json_object *list, unsigned flags, long long now)
{
  struct rt_rpc_ps_reply r = decoded(list);
  char *text = ps_format_table(r.entries, r.n, flags, now);
  rt_rpc_ps_reply_clear(&r);
  return text;
}

static void test_status(void **state)
{
  (void)state;
  long long created;
  assert_int_equal(ps_format_parse_iso("2026-11-29T02:00:00.123456789Z", &created), 0);
  static const struct {
    const char *state;
    int code;
    bool oom;
    int after;
    const char *want;
  } cases[] = {{"running", 0, false, 4, "Up 3 seconds"},
               {"exited", 0, false, 32, "Exited (0) 2 seconds ago"},
               {"exited", 137, true, 32, "OOMKilled"},
               {"created", 0, false, 32, "Created"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char buf[96];
    struct json_object *e = entry(cases[i].state, cases[i].code, cases[i].oom);
    status_of(e, created + cases[i].after, buf, sizeof buf);
    assert_string_equal(buf, cases[i].want);
    json_object_put(e);
  }
  assert_int_equal(ps_format_parse_iso("", &created), -1);
}

static void test_table(void **state)
{
  (void)state;
  long long t0;
  assert_int_equal(ps_format_parse_iso("2026-11-29T02:00:00Z", &t0), 0);
  struct json_object *list = json_object_new_array();
  json_object_array_add(list, entry("running", 0, false));
  char *text = table(list, 0, t0 + 10);
  assert_string_equal(text, "CONTAINER ID  IMAGE  COMMAND  CREATED         STATUS        NAMES\n"
                            "0123456789ab  ubi    top -b   10 seconds ago  Up 9 seconds  top1\n");
  free(text);
  text = table(list, PS_FORMAT_QUIET, t0);
  assert_string_equal(text, "0123456789ab\n");
  free(text);
  text = table(list, PS_FORMAT_QUIET | PS_FORMAT_NOTRUNC, t0);
  assert_int_equal(strlen(text), 65);
  free(text);
  text = table(list, PS_FORMAT_LABELS, t0 + 10);
  assert_non_null(strstr(text, "  LABEL\n"));
  assert_non_null(strstr(text, "top1   system_u:system_r:container_t:s0:c1,c2 (not enforced)\n"));
  free(text);
  json_object_put(list);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_durations), cmocka_unit_test(test_status),
               cmocka_unit_test(test_table))
