#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit-test.h"

#include "caps.h"
#include "oci-config.h"

static struct json_object *at(struct json_object *o, const char *path)
{
  char buf[256];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *tok = strtok(buf, "."); tok && o; tok = strtok(NULL, ".")) {
    struct json_object *next = NULL;
    if (json_object_is_type(o, json_type_array))
      next = json_object_array_get_idx(o, (size_t)atoi(tok));
    else if (!json_object_object_get_ex(o, tok, &next))
      next = NULL;
    o = next;
  }
  return o;
}

static void test_build_and_write(void **state)
{
  const char *args[] = {"top", "-b", NULL};
  const char *env[] = {"PATH=/bin", NULL};
  struct oci_namespace ns[] = {{"pid", NULL}, {"network", "/proc/42/ns/net"}};
  struct oci_mount vols[] = {{"/srv/data", "/data", false}};
  struct oci_config_input in = {
      .args = args,
      .env = env,
      .cwd = "/",
      .hostname = "web",
      .rootfs = "/x/merged",
      .caps = caps_default_mask(),
      .no_new_privileges = true,
      .process_label = "system_u:system_r:container_t:s0:c1,c2",
      .namespaces = ns,
      .n_namespaces = 2,
      .volumes = vols,
      .n_volumes = 1,
      .limits = {.memory_bytes = 33554432, .cpu_millis = 500, .pids = 64},
      .cgroups_path = "nodelab/lab/node1/abc",
  };
  struct json_object *c = oci_config_build(&in);
  assert_string_equal(json_object_get_string(at(c, "process.args.0")), "top");
  assert_string_equal(json_object_get_string(at(c, "root.path")), "/x/merged");
  assert_true(json_object_get_boolean(at(c, "process.noNewPrivileges")));
  assert_int_equal(json_object_get_int64(at(c, "linux.resources.memory.limit")), 33554432);
  assert_int_equal(json_object_get_int64(at(c, "linux.resources.cpu.quota")), 50000);
  assert_int_equal(json_object_get_int64(at(c, "linux.resources.cpu.period")), 100000);
  assert_int_equal(json_object_get_int64(at(c, "linux.resources.pids.limit")), 64);
  assert_string_equal(json_object_get_string(at(c, "linux.namespaces.1.path")), "/proc/42/ns/net");
  assert_null(at(c, "linux.namespaces.0.path"));
  assert_int_equal(json_object_array_length(at(c, "process.capabilities.bounding")), 14);
  assert_null(at(c, "linux.seccomp"));
  /* the volume comes after /proc, /dev, /dev/pts, /dev/shm, /sys */
  assert_string_equal(json_object_get_string(at(c, "mounts.5.destination")), "/data");

  char dir[] = "/tmp/nodelab-oci-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[128];
  snprintf(path, sizeof path, "%s/config.json", dir);
  struct lab_error *err = NULL;
  assert_int_equal(oci_config_write(c, path, &err), 0);
  struct json_object *back = json_object_from_file(path);
  assert_non_null(back);
  assert_string_equal(json_object_get_string(at(back, "hostname")), "web");
  json_object_put(back);
  json_object_put(c);
  unlink(path);
  rmdir(dir);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_build_and_write))
