/* The CLI's daemon glue (cli_api, cli_daemon_labs, cli_resolve_lab) against
 * a scripted fake nodelabd on a unix socket in a temporary NODELAB_RUNDIR. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit-test.h"
#include "strv.h"
#include <json-c/json.h>

#include "cli.h"
#include "error.h"
#include "http-client.h"
#include "paths.h"

static char rundir[64];
static char sock_path[128];

struct fake {
  int listen_fd;
  pthread_t thread;
  const char *reply; /* the whole HTTP reply */
  char request[4096];
};

static void *fake_main(void *arg)
{
  struct fake *f = arg;
  int fd = accept(f->listen_fd, NULL, NULL);
  if (fd < 0)
    return NULL;
  size_t len = 0;
  while (len < sizeof f->request - 1) {
    ssize_t n = read(fd, f->request + len, sizeof f->request - 1 - len);
    if (n <= 0)
      break;
    len += (size_t)n;
    f->request[len] = '\0';
    /* The whole request, body included: closing before the client has sent
     * its body would make its write fail (EPIPE), which is not what is tested. */
    const char *end = strstr(f->request, "\r\n\r\n");
    const char *cl = strstr(f->request, "Content-Length: ");
    size_t body = cl != NULL && (end == NULL || cl < end) ? strtoul(cl + 16, NULL, 10) : 0;
    if (end != NULL && len >= (size_t)(end + 4 - f->request) + body)
      break;
  }
  if (write(fd, f->reply, strlen(f->reply)) < 0)
    perror("fake write");
  close(fd);
  return NULL;
}

static void fake_start(struct fake *f, const char *reply)
{
  memset(f, 0, sizeof *f);
  f->reply = reply;
  f->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strcpy(addr.sun_path, sock_path);
  unlink(sock_path);
  assert_int_equal(bind(f->listen_fd, (struct sockaddr *)&addr, sizeof addr), 0);
  assert_int_equal(listen(f->listen_fd, 1), 0);
  assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

static void fake_stop(struct fake *f)
{
  pthread_join(f->thread, NULL);
  close(f->listen_fd);
  unlink(sock_path);
}

static const char *labs_reply(const char *json)
{
  static char buf[1024];
  snprintf(buf, sizeof buf, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s", strlen(json), json);
  return buf;
}

static void test_paths_follow_rundir(void **state)
{
  assert_string_equal(paths_rundir(), rundir);
  assert_string_equal(paths_socket(), sock_path);
  char expect[160];
  snprintf(expect, sizeof expect, "%s/nodelabd.pid", rundir);
  assert_string_equal(paths_pidfile(), expect);
}

static void test_no_daemon(void **state)
{
  char **names = NULL;
  bool up = true;
  struct lab_error *err = NULL;
  assert_int_equal(cli_daemon_labs(&names, &up, &err), 0);
  assert_false(up);
  assert_null(names[0]);
  strv_free(names);

  char *lab = NULL;
  assert_int_equal(cli_resolve_lab(NULL, &lab, &err), -1);
  assert_error_msg(&err, "no lab is running (nodelabd is not running)");
}

static void test_labs(void **state)
{
  struct fake f;
  char **names = NULL;
  bool up = false;
  struct lab_error *err = NULL;
  fake_start(&f, labs_reply("{\"labs\": [{\"name\": \"one\"}, {\"name\": \"two\"}]}"));
  assert_int_equal(cli_daemon_labs(&names, &up, &err), 0);
  fake_stop(&f);
  assert_true(up);
  assert_string_equal(names[0], "one");
  assert_string_equal(names[1], "two");
  assert_null(names[2]);
  strv_free(names);
  assert_true(strncmp(f.request, "GET /v1/labs HTTP/1.1\r\n", 23) == 0);
}

static void test_resolve(void **state)
{
  struct fake f;
  char *lab = NULL;
  struct lab_error *err = NULL;

  fake_start(&f, labs_reply("{\"labs\": [{\"name\": \"only\"}]}"));
  assert_int_equal(cli_resolve_lab(NULL, &lab, &err), 0);
  fake_stop(&f);
  assert_string_equal(lab, "only");
  free(lab);

  fake_start(&f, labs_reply("{\"labs\": []}"));
  assert_int_equal(cli_resolve_lab(NULL, &lab, &err), -1);
  fake_stop(&f);
  assert_error_msg(&err, "no lab is running");

  fake_start(&f, labs_reply("{\"labs\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}"));
  assert_int_equal(cli_resolve_lab(NULL, &lab, &err), -1);
  fake_stop(&f);
  assert_error_msg(&err, "2 labs are running (a, b): name one");

  /* A given name is checked, not looked up: it goes into a URL. */
  assert_int_equal(cli_resolve_lab("ok-name-2", &lab, &err), 0);
  assert_string_equal(lab, "ok-name-2");
  free(lab);
  assert_int_equal(cli_resolve_lab("../etc", &lab, &err), -1);
  assert_non_null(strstr(err->msg, "invalid lab name \"../etc\""));
  lab_error_clear(&err);
  assert_int_equal(cli_resolve_lab("", &lab, &err), -1);
  lab_error_clear(&err);
  assert_int_equal(cli_resolve_lab("a23456789012345678901234567890123", &lab, &err), -1);
  lab_error_clear(&err);
}

static void test_api_errors(void **state)
{
  struct fake f;
  int status = 0;
  struct json_object *reply = NULL;
  struct lab_error *err = NULL;

  /* A 409 with the daemon's message. */
  fake_start(
      &f, "HTTP/1.1 409 Conflict\r\nContent-Length: 31\r\n\r\n{\"error\": \"lab x already runs\"}");
  assert_int_equal(cli_api("POST", "/v1/labs", "{}", 2000, &status, &reply, &err), 0);
  fake_stop(&f);
  assert_int_equal(status, 409);
  assert_string_equal(cli_reply_error(reply, status), "lab x already runs");
  json_object_put(reply);
  assert_non_null(strstr(f.request, "POST /v1/labs HTTP/1.1\r\n"));

  /* A reply without an "error" member: the status is named. */
  fake_start(&f, "HTTP/1.1 500 Internal\r\nContent-Length: 2\r\n\r\n{}");
  assert_int_equal(cli_api("GET", "/v1/labs/x", NULL, 2000, &status, &reply, &err), 0);
  fake_stop(&f);
  assert_string_equal(cli_reply_error(reply, status), "nodelabd replied with status 500");
  json_object_put(reply);

  /* Not JSON: a failure that quotes what came. */
  fake_start(&f, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n<html>oops");
  assert_int_equal(cli_api("GET", "/v1/labs", NULL, 2000, &status, &reply, &err), -1);
  fake_stop(&f);
  assert_int_equal(err->errnum, EPROTO);
  assert_non_null(strstr(err->msg, "GET /v1/labs: reply 200 is not JSON"));
  assert_non_null(strstr(err->msg, "<html>oo"));
  lab_error_clear(&err);

  /* Labs reply without a "labs" array. */
  char **names = NULL;
  bool up;
  fake_start(&f, labs_reply("{\"lab\": []}"));
  assert_int_equal(cli_daemon_labs(&names, &up, &err), -1);
  fake_stop(&f);
  assert_error_msg(&err, "GET /v1/labs: no \"labs\" array in the reply");
}

static int setup(void **state)
{
  strcpy(rundir, "/tmp/nodelab-cli-daemon-XXXXXX");
  if (mkdtemp(rundir) == NULL)
    return -1;
  snprintf(sock_path, sizeof sock_path, "%s/nodelab.sock", rundir);
  setenv("NODELAB_RUNDIR", rundir, 1);
  return 0;
}

static int teardown(void **state)
{
  unlink(sock_path);
  rmdir(rundir);
  return 0;
}

UNIT_TEST_MAIN(setup, teardown, cmocka_unit_test(test_paths_follow_rundir),
               cmocka_unit_test(test_no_daemon), cmocka_unit_test(test_labs),
               cmocka_unit_test(test_resolve), cmocka_unit_test(test_api_errors))
