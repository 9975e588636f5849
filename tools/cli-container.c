/* nodelab run|create|start|stop|kill|rm|mount|umount|inspect|logs and
 * exec/shell into containers: podman's verbs, sent to a node's runtime
 * (proto/runtime-rpc.h) through nodelabd's RPC tunnel (proto/api.h).
 * Options are podman's (proto/podman-opts.h). */
#include "cli.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "error.h"
#include "fileio.h"
#include "http-client.h"
#include "json.h"
#include "paths.h"
#include "podman-opts.h"
#include "rpc.h"
#include "runtime-rpc.h"
#include "units.h"

/* podman's exit codes for its own failures */
#define EXIT_RUNTIME 125

/* ------------------------------------------------------------- connecting */

/* The first node of the lab, from its status. */
static int first_node(const char *lab, char **node, struct lab_error **err)
{
  char target[160];
  snprintf(target, sizeof target, "/v1/labs/%s", lab);
  int status;
  struct json_object *reply = NULL, *nodes;
  if (cli_api("GET", target, NULL, 10000, &status, &reply, err) < 0)
    return -1;
  int rc = -1;
  if (status != 200)
    lab_error_set(err, 0, "lab %s: %s", lab, cli_reply_error(reply, status));
  else if (!json_object_object_get_ex(reply, "nodes", &nodes) ||
           json_object_array_length(nodes) == 0)
    lab_error_set(err, 0, "lab %s has no nodes", lab);
  else if ((*node = strdup(json_get_str(json_object_array_get_idx(nodes, 0), "name") ?: "")) !=
           NULL)
    rc = 0;
  json_object_put(reply);
  return rc;
}

/* A connection to the runtime of `node` (NULL: the lab's first) of `lab`
 * (NULL: the only one).  $NODELAB_RUNTIME_SOCKET, when set, is a runtime
 * socket used directly (tests of the runtime without a lab). */
static int runtime_connect(const char *lab_given, const char *node_given, struct lab_error **err)
{
  const char *direct = getenv("NODELAB_RUNTIME_SOCKET");
  if (direct != NULL && *direct != '\0')
    return rpc_connect(direct, err);
  cleanup_free char *lab = NULL;
  cleanup_free char *node = NULL;
  if (cli_resolve_lab(lab_given, &lab, err) < 0)
    return -1;
  if (node_given != NULL)
    node = strdup(node_given);
  else if (first_node(lab, &node, err) < 0) {
    if (http_error_is_unreachable(*err)) {
      lab_error_clear(err);
      return lab_error_set(err, 0, "lab %s: nodelabd is not running", lab);
    }
    return -1;
  }
  int fd = rpc_connect(paths_rpc_socket(), err);
  if (fd < 0)
    return lab_error_wrap(err, "lab %s: the daemon's RPC socket", lab);
  struct json_object *req = json_object_new_object(), *reply = NULL;
  json_object_object_add(req, "op", json_object_new_string("tunnel"));
  json_object_object_add(req, "lab", json_object_new_string(lab));
  json_object_object_add(req, "node", json_object_new_string(node));
  json_object_object_add(req, "service", json_object_new_string("runtime"));
  int rc = rpc_call(fd, req, NULL, 0, &reply, err);
  json_object_put(req);
  json_object_put(reply);
  if (rc < 0) {
    close(fd);
    return lab_error_wrap(err, "node %s of lab %s", node, lab);
  }
  return fd;
}

/* One request, one reply (fds of the reply to *fd_out when not NULL). */
static int call(int fd, struct json_object *req, struct json_object **reply, int *fd_out,
                struct lab_error **err)
{
  if (fd_out != NULL)
    *fd_out = -1;
  if (rpc_send(fd, req, NULL, 0) < 0)
    return lab_error_errno(err, "sending to the runtime");
  int fds[RPC_MAX_FDS];
  size_t n = 0;
  int got = rpc_recv(fd, reply, fds, RPC_MAX_FDS, &n);
  if (got <= 0)
    return lab_error_set(err, got == 0 ? EPIPE : errno, "the runtime did not answer");
  for (size_t i = 0; i < n; i++) {
    if (i == 0 && fd_out != NULL)
      *fd_out = fds[i];
    else
      close(fds[i]);
  }
  if (rt_rpc_reply_check(*reply, err) < 0) {
    json_object_put(*reply);
    *reply = NULL;
    if (fd_out != NULL && *fd_out >= 0) {
      close(*fd_out);
      *fd_out = -1;
    }
    return -1;
  }
  return 0;
}

int cli_runtime_request(int fd, struct json_object *req, struct json_object **reply, int *fd_out,
                        struct lab_error **err)
{
  return call(fd, req, reply, fd_out, err);
}

/* ------------------------------------------------------- attached sessions */

static struct termios saved_tio;
static bool tio_saved;
static volatile sig_atomic_t winch;

static void restore_terminal(void)
{
  if (tio_saved) {
    tcsetattr(0, TCSADRAIN, &saved_tio);
    tio_saved = false;
  }
}

static void on_winch(int sig)
{
  (void)sig;
  winch = 1;
}

/* Our terminal's size (24x80 when there is none). */
static struct rt_rpc_winsize our_winsize(void)
{
  struct winsize w;
  if (ioctl(0, TIOCGWINSZ, &w) < 0 || w.ws_row == 0)
    w = (struct winsize){.ws_row = 24, .ws_col = 80};
  return (struct rt_rpc_winsize){.rows = w.ws_row, .cols = w.ws_col};
}

/* 1 and the status when ev is the exit event, 0 when it is another message
 * (skipped); a malformed event ends the session like a lost one. */
static int exit_event(struct json_object *ev, int *status)
{
  struct rt_rpc_exit e;
  struct lab_error *err = NULL;
  int rc = rt_rpc_exit_from_json(ev, &e, &err);
  lab_error_clear(&err);
  *status = rc == 1 ? e.status : EXIT_RUNTIME;
  return rc != 0;
}

/* Sends an attached request (run without -d, exec: encoded with its tty and
 * winsize) and follows it to the exit event.  Returns the process's status,
 * or EXIT_RUNTIME after printing the error.  With tty: our terminal in raw
 * mode (restored on every path) relayed to the pty master, SIGWINCH
 * forwarded as resize messages. */
static int attach(const struct cli_invocation *inv, int fd, struct json_object *req, bool tty,
                  bool interactive)
{
  struct lab_error *err = NULL;
  int sent;
  cleanup_close int devnull = -1;
  if (tty) {
    sent = rpc_send(fd, req, NULL, 0);
  } else {
    int fds[3] = {0, 1, 2};
    if (!interactive) {
      devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
      fds[0] = devnull;
    }
    sent = rpc_send(fd, req, fds, 3);
  }
  if (sent < 0) {
    cli_errorf(inv, "sending to the runtime: %s", strerror(errno));
    return EXIT_RUNTIME;
  }
  int rfds[RPC_MAX_FDS];
  size_t n = 0;
  struct json_object *reply = NULL;
  int got = rpc_recv(fd, &reply, rfds, RPC_MAX_FDS, &n);
  if (got <= 0) {
    cli_errorf(inv, "the runtime did not answer");
    return EXIT_RUNTIME;
  }
  int master = -1;
  for (size_t i = 0; i < n; i++) {
    if (i == 0 && tty)
      master = rfds[i];
    else
      close(rfds[i]);
  }
  struct rt_rpc_ctr_reply started;
  if (rt_rpc_ctr_reply_from_json(reply, &started, &err) < 0) {
    cli_errorf(inv, "%s", err->msg);
    lab_error_clear(&err);
    json_object_put(reply);
    if (master >= 0)
      close(master);
    return EXIT_RUNTIME;
  }
  rt_rpc_ctr_reply_clear(&started);
  json_object_put(reply);
  struct json_object *ev = NULL;
  int status = EXIT_RUNTIME;
  if (!tty) {
    /* The process writes to our stdio itself: just wait for its end. */
    while ((got = rpc_recv(fd, &ev, NULL, 0, NULL)) > 0 && !exit_event(ev, &status)) {
      json_object_put(ev);
      ev = NULL;
    }
    json_object_put(ev);
    return got > 0 ? status : EXIT_RUNTIME;
  }
  if (master < 0) {
    cli_errorf(inv, "the runtime sent no terminal");
    return EXIT_RUNTIME;
  }
  if (isatty(0) && tcgetattr(0, &saved_tio) == 0) {
    struct termios raw = saved_tio;
    cfmakeraw(&raw);
    tio_saved = true;
    atexit(restore_terminal);
    tcsetattr(0, TCSADRAIN, &raw);
  }
  struct sigaction sa = {.sa_handler = on_winch};
  sigaction(SIGWINCH, &sa, NULL);
  bool in_open = true;
  char buf[8192];
  int rc = EXIT_RUNTIME;
  for (;;) {
    if (winch) {
      winch = 0;
      struct winsize w;
      if (ioctl(0, TIOCGWINSZ, &w) == 0) {
        struct json_object *rs =
            rt_rpc_resize_to_json(&(struct rt_rpc_winsize){.rows = w.ws_row, .cols = w.ws_col});
        rpc_send(fd, rs, NULL, 0);
        json_object_put(rs);
      }
    }
    struct pollfd p[3] = {{.fd = master, .events = POLLIN},
                          {.fd = fd, .events = POLLIN},
                          {.fd = in_open ? 0 : -1, .events = POLLIN}};
    if (poll(p, 3, -1) < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    if (p[0].revents & POLLIN) {
      ssize_t r = read(master, buf, sizeof buf);
      if (r > 0)
        fileio_write_all(1, buf, (size_t)r);
    }
    if (p[2].revents & (POLLIN | POLLHUP)) {
      ssize_t r = read(0, buf, sizeof buf);
      if (r > 0)
        fileio_write_all(master, buf, (size_t)r);
      else if (r == 0 || errno != EINTR) {
        in_open = false;
        fileio_write_all(master, "\x04", 1); /* end of input, as ^D on a terminal */
      }
    }
    if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      got = rpc_recv(fd, &ev, NULL, 0, NULL);
      if (got > 0 && !exit_event(ev, &status)) {
        json_object_put(ev);
        ev = NULL;
        continue;
      }
      /* The process is gone: what it wrote is in the master already. */
      int fl = fcntl(master, F_GETFL);
      fcntl(master, F_SETFL, fl | O_NONBLOCK);
      ssize_t r;
      while ((r = read(master, buf, sizeof buf)) > 0)
        fileio_write_all(1, buf, (size_t)r);
      rc = got > 0 ? status : EXIT_RUNTIME;
      json_object_put(ev);
      break;
    }
  }
  close(master);
  restore_terminal();
  lab_error_clear(&err);
  return rc;
}

/* ------------------------------------------------------------- run/create */

static int run_or_create(const struct cli_invocation *inv, bool run)
{
  /* podman's options, and ours: where the runtime is */
  const char *node = NULL, *lab = NULL;
  const struct podman_extra_opt ours[] = {
      {"node", true, &node}, {"lab", true, &lab}, {NULL, false, NULL}};
  int argc = inv->argc + 1;
  char **argv = xcalloc((size_t)argc + 1, sizeof *argv);
  argv[0] = (char *)inv->verb->name;
  for (int i = 0; i < inv->argc; i++)
    argv[i + 1] = inv->argv[i];
  struct podman_run_opts o;
  cleanup_error struct lab_error *err = NULL;
  int parsed = podman_run_opts_parse(argc, argv, ours, &o, &err);
  free(argv);
  if (parsed < 0) {
    if (strcmp(err->msg, "missing IMAGE") == 0)
      cli_errorf(inv, "missing IMAGE\nUsage: nodelab %s %s", inv->verb->name, inv->verb->usage);
    else
      cli_errorf(inv, "%s", err->msg);
    return CLI_EXIT_USAGE;
  }
  cleanup_close int fd = runtime_connect(lab, node, &err);
  if (fd < 0) {
    cli_errorf(inv, "%s", err->msg);
    podman_run_opts_clear(&o);
    return EXIT_RUNTIME;
  }
  int rc;
  if (!run || o.run.detach) {
    o.run.detach = true;
    struct json_object *req = rt_rpc_run_to_json(run ? RT_OP_RUN : RT_OP_CREATE, &o.run);
    struct json_object *reply = NULL;
    struct rt_rpc_ctr_reply made;
    if (call(fd, req, &reply, NULL, &err) < 0 ||
        rt_rpc_ctr_reply_from_json(reply, &made, &err) < 0) {
      cli_errorf(inv, "%s", err->msg);
      rc = EXIT_RUNTIME;
    } else {
      printf("%s\n", made.id);
      rt_rpc_ctr_reply_clear(&made);
      rc = 0;
    }
    json_object_put(reply);
    json_object_put(req);
  } else {
    if (o.run.tty) {
      o.run.has_winsize = true;
      o.run.winsize = our_winsize();
    }
    struct json_object *req = rt_rpc_run_to_json(RT_OP_RUN, &o.run);
    rc = attach(inv, fd, req, o.run.tty, o.interactive);
    json_object_put(req);
  }
  podman_run_opts_clear(&o);
  return rc;
}

int cli_run(const struct cli_invocation *inv)
{
  return run_or_create(inv, true);
}

int cli_create(const struct cli_invocation *inv)
{
  return run_or_create(inv, false);
}

/* ------------------------------------------------- verbs on containers */

/* The op on each container named (with r's parameters), printing the name
 * given (podman's habit), or for inspect the array of what it says. */
static int each_container(const struct cli_invocation *inv, enum rt_rpc_op op,
                          struct rt_rpc_ctr_req *r)
{
  cleanup_error struct lab_error *err = NULL;
  cleanup_close int fd = runtime_connect(cli_opt(inv, "lab"), cli_opt(inv, "node"), &err);
  if (fd < 0) {
    cli_errorf(inv, "%s", err->msg);
    return EXIT_RUNTIME;
  }
  int rc = 0;
  struct json_object *inspected = op == RT_OP_INSPECT ? json_object_new_array() : NULL;
  for (int i = 0; i < inv->argc; i++) {
    r->container = inv->argv[i];
    struct json_object *req = rt_rpc_ctr_req_to_json(op, r), *reply = NULL;
    r->container = NULL;
    struct rt_rpc_ctr_reply done = {0};
    if (call(fd, req, &reply, NULL, &err) < 0 ||
        (inspected == NULL && rt_rpc_ctr_reply_from_json(reply, &done, &err) < 0)) {
      cli_errorf(inv, "%s", err->msg);
      lab_error_clear(&err);
      rc = EXIT_RUNTIME;
    } else if (inspected != NULL) {
      struct json_object *v = json_get_object(reply, "inspect");
      if (v != NULL)
        json_object_array_add(inspected, json_object_get(v));
    } else if (op == RT_OP_MOUNT) {
      printf("%s\n", done.merged ? done.merged : "");
    } else {
      printf("%s\n", inv->argv[i]);
    }
    rt_rpc_ctr_reply_clear(&done);
    json_object_put(req);
    json_object_put(reply);
  }
  if (inspected != NULL) {
    printf("%s\n", json_object_to_json_string_ext(inspected, JSON_C_TO_STRING_PRETTY |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(inspected);
  }
  return rc;
}

static int on_each(const struct cli_invocation *inv, enum rt_rpc_op op)
{
  struct rt_rpc_ctr_req r;
  rt_rpc_ctr_req_init(&r);
  return each_container(inv, op, &r);
}

int cli_start(const struct cli_invocation *inv)
{
  return on_each(inv, RT_OP_START);
}

int cli_stop(const struct cli_invocation *inv)
{
  struct rt_rpc_ctr_req r;
  rt_rpc_ctr_req_init(&r);
  const char *t = cli_opt(inv, "time");
  if (t != NULL) {
    char *end;
    long v = strtol(t, &end, 10);
    if (end == t || *end || v < 0 || v > 86400) {
      cli_errorf(inv, "--time %s: expected seconds", t);
      return CLI_EXIT_USAGE;
    }
    r.timeout = (int)v;
  }
  return each_container(inv, RT_OP_STOP, &r);
}

int cli_kill(const struct cli_invocation *inv)
{
  const char *s = cli_opt(inv, "signal");
  int sig = s ? units_parse_signal(s) : SIGKILL;
  if (sig < 0) {
    cli_errorf(inv, "unknown signal %s", s);
    return CLI_EXIT_USAGE;
  }
  struct rt_rpc_ctr_req r;
  rt_rpc_ctr_req_init(&r);
  r.signal = sig;
  return each_container(inv, RT_OP_KILL, &r);
}

int cli_rm(const struct cli_invocation *inv)
{
  struct rt_rpc_ctr_req r;
  rt_rpc_ctr_req_init(&r);
  r.force = cli_flag(inv, "force");
  return each_container(inv, RT_OP_RM, &r);
}

int cli_mount(const struct cli_invocation *inv)
{
  return on_each(inv, RT_OP_MOUNT);
}

int cli_umount(const struct cli_invocation *inv)
{
  return on_each(inv, RT_OP_UMOUNT);
}

int cli_inspect(const struct cli_invocation *inv)
{
  return on_each(inv, RT_OP_INSPECT);
}

static bool still_running(int fd, const char *key)
{
  struct rt_rpc_ctr_req r;
  rt_rpc_ctr_req_init(&r);
  r.container = (char *)key;
  struct json_object *req = rt_rpc_ctr_req_to_json(RT_OP_INSPECT, &r), *reply = NULL;
  struct lab_error *err = NULL;
  bool running = false;
  if (call(fd, req, &reply, NULL, &err) == 0)
    running = json_get_bool(json_get_object(json_get_object(reply, "inspect"), "State"), "Running",
                            false);
  lab_error_clear(&err);
  json_object_put(req);
  json_object_put(reply);
  return running;
}

int cli_logs(const struct cli_invocation *inv)
{
  cleanup_error struct lab_error *err = NULL;
  cleanup_close int fd = runtime_connect(cli_opt(inv, "lab"), cli_opt(inv, "node"), &err);
  if (fd < 0) {
    cli_errorf(inv, "%s", err->msg);
    return EXIT_RUNTIME;
  }
  struct rt_rpc_ctr_req r;
  rt_rpc_ctr_req_init(&r);
  r.container = inv->argv[0];
  struct json_object *req = rt_rpc_ctr_req_to_json(RT_OP_LOGS, &r), *reply = NULL;
  cleanup_close int log = -1;
  int rc = call(fd, req, &reply, &log, &err);
  json_object_put(req);
  json_object_put(reply);
  if (rc < 0 || log < 0) {
    cli_errorf(inv, "%s", err ? err->msg : "no log received");
    return EXIT_RUNTIME;
  }
  char buf[65536];
  for (;;) {
    ssize_t n = read(log, buf, sizeof buf);
    if (n > 0) {
      if (fileio_write_all(1, buf, (size_t)n) < 0)
        return CLI_EXIT_FAIL;
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (!cli_flag(inv, "follow") || !still_running(fd, inv->argv[0])) {
      /* one last read: what it wrote before exiting */
      while ((n = read(log, buf, sizeof buf)) > 0)
        fileio_write_all(1, buf, (size_t)n);
      return 0;
    }
    usleep(200000);
  }
}

/* ------------------------------------------------------------- exec/shell */

int cli_container_exec(const struct cli_invocation *inv, const char *target, char **argv, bool tty,
                       bool interactive)
{
  struct rt_rpc_exec x = {.command = argv, .tty = tty};
  cleanup_free char *node = NULL;
  cleanup_free char *podname = NULL;
  const char *slash = strchr(target, '/');
  if (slash != NULL) {
    /* NODE/POD[/CTR] */
    node = strndup(target, (size_t)(slash - target));
    const char *pod = slash + 1, *ctr = strchr(pod, '/');
    if (*pod == '\0' || (ctr != NULL && ctr[1] == '\0') || (ctr && strchr(ctr + 1, '/'))) {
      cli_errorf(inv, "%s: expected NODE/POD or NODE/POD/CONTAINER", target);
      return CLI_EXIT_USAGE;
    }
    podname = ctr ? strndup(pod, (size_t)(ctr - pod)) : strdup(pod);
    x.pod = podname;
    x.container = ctr != NULL ? (char *)ctr + 1 : NULL;
  } else {
    x.container = (char *)target;
  }
  if (tty) {
    x.has_winsize = true;
    x.winsize = our_winsize();
  }
  cleanup_error struct lab_error *err = NULL;
  const char *node_opt = node ? node : NULL;
  cleanup_close int fd =
      runtime_connect(cli_opt(inv, "lab"), node_opt ? node_opt : cli_opt(inv, "node"), &err);
  if (fd < 0) {
    cli_errorf(inv, "%s", err->msg);
    return EXIT_RUNTIME;
  }
  struct json_object *req = rt_rpc_exec_to_json(&x);
  int rc = attach(inv, fd, req, tty, interactive);
  json_object_put(req);
  return rc;
}

int cli_target_is_node(const char *lab_given, const char *name)
{
  const char *direct = getenv("NODELAB_RUNTIME_SOCKET");
  if (direct != NULL && *direct != '\0')
    return 0;
  cleanup_error struct lab_error *err = NULL;
  cleanup_free char *lab = NULL;
  if (cli_resolve_lab(lab_given, &lab, &err) < 0)
    return 1; /* the node path reports the problem */
  char target[160];
  snprintf(target, sizeof target, "/v1/labs/%s", lab);
  int status;
  struct json_object *reply = NULL, *nodes;
  if (cli_api("GET", target, NULL, 10000, &status, &reply, &err) < 0)
    return 1;
  int found = status == 200 ? 0 : 1;
  if (status == 200 && json_object_object_get_ex(reply, "nodes", &nodes)) {
    for (size_t i = 0; i < json_object_array_length(nodes); i++) {
      const char *n = json_get_str(json_object_array_get_idx(nodes, i), "name");
      if (n != NULL && strcmp(n, name) == 0)
        found = 1;
    }
  }
  json_object_put(reply);
  return found;
}

int cli_runtime_connect(const struct cli_invocation *inv)
{
  cleanup_error struct lab_error *err = NULL;
  int fd = runtime_connect(cli_opt(inv, "lab"), cli_opt(inv, "node"), &err);
  if (fd < 0)
    cli_errorf(inv, "%s", err->msg);
  return fd;
}

/* Shared with cli-image.c. */
int cli_runtime_call(const struct cli_invocation *inv, struct json_object *req,
                     struct json_object **reply)
{
  cleanup_error struct lab_error *err = NULL;
  cleanup_close int fd = runtime_connect(cli_opt(inv, "lab"), cli_opt(inv, "node"), &err);
  if (fd < 0 || call(fd, req, reply, NULL, &err) < 0) {
    cli_errorf(inv, "%s", err->msg);
    return -1;
  }
  return 0;
}
