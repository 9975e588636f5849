/* netd_ovsdb_create(): OVS's own reader must accept the file (it checks the
 * length and SHA-1 of every record), as a database of the schema given. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit-test.h"

#include "ovsdb-file.h"

static char *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = '\0';
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static void test_same_as_ovsdb_tool(void **state)
{
  if (access(NETD_VSWITCH_SCHEMA, R_OK) != 0 || access("/usr/bin/ovsdb-tool", X_OK) != 0)
    skip();
  char dir[] = "/tmp/netd-ovsdb-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char ours[64], theirs[64], cmd[1024];
  snprintf(ours, sizeof ours, "%s/ours.db", dir);
  snprintf(theirs, sizeof theirs, "%s/theirs.db", dir);
  struct lab_error *err = NULL;
  if (netd_ovsdb_create(ours, NETD_VSWITCH_SCHEMA, &err) < 0)
    fail_msg("%s", err->msg);
  /* OVS reads it as a database of the vswitch schema, same version. */
  snprintf(cmd, sizeof cmd,
           "test \"$(ovsdb-tool db-name %s)\" = Open_vSwitch && "
           "test \"$(ovsdb-tool db-version %s)\" = \"$(ovsdb-tool schema-version %s)\" && "
           "ovsdb-tool show-log %s >/dev/null",
           ours, ours, NETD_VSWITCH_SCHEMA, ours);
  assert_int_equal(system(cmd), 0);
  /* The checksum is real: one byte changed in the record and OVS refuses the file. */
  size_t len;
  char *bytes = slurp(ours, &len);
  char *brace = strchr(bytes, '{');
  assert_non_null(brace);
  brace[1] = brace[1] == 'a' ? 'b' : 'a';
  FILE *f = fopen(theirs, "wb");
  assert_int_equal(fwrite(bytes, 1, len, f), len);
  fclose(f);
  free(bytes);
  snprintf(cmd, sizeof cmd, "ovsdb-tool show-log %s >/dev/null 2>&1", theirs);
  assert_int_not_equal(system(cmd), 0);

  /* Never overwrites. */
  assert_int_equal(netd_ovsdb_create(ours, NETD_VSWITCH_SCHEMA, &err), -1);
  assert_non_null(strstr(err->msg, "File exists"));
  lab_error_clear(&err);
  unlink(ours);
  unlink(theirs);
  rmdir(dir);
}

static void test_bad_schema(void **state)
{
  char dir[] = "/tmp/netd-ovsdb-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char schema[128], db[128];
  snprintf(schema, sizeof schema, "%s/bad.ovsschema", dir);
  snprintf(db, sizeof db, "%s/x.db", dir);
  FILE *f = fopen(schema, "w");
  fputs("{\"name\": ", f);
  fclose(f);
  struct lab_error *err = NULL;
  assert_int_equal(netd_ovsdb_create(db, schema, &err), -1);
  assert_non_null(strstr(err->msg, schema));
  lab_error_clear(&err);
  assert_int_not_equal(access(db, F_OK), 0);
  assert_int_equal(netd_ovsdb_create(db, "/nonexistent/schema", &err), -1);
  lab_error_clear(&err);
  unlink(schema);
  rmdir(dir);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_same_as_ovsdb_tool),
               cmocka_unit_test(test_bad_schema))
