/* nodelab run|create|start|stop|kill|rm|mount|umount|inspect|logs|ps and
 * exec/shell into containers: podman's verbs, sent to a node's runtime
 * (runtime/rpc-ops.h) through nodelabd's RPC tunnel (common/api.h). */
#include "cli.h"

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
#include "http-client.h"
#include "paths.h"
#include "rpc.h"
#include "units.h"
#include "fileio.h"

/* podman's exit codes for its own failures */
#define EXIT_RUNTIME 125

/* ------------------------------------------------------------- connecting */

static const char *jstr(struct json_object *o, const char *key)
{
  struct json_object *v;
  return o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
             ? json_object_get_string(v)
             : NULL;
}

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
  else if ((*node = strdup(jstr(json_object_array_get_idx(nodes, 0), "name") ?: "")) != NULL)
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
  struct json_object *ok;
  if (!json_object_object_get_ex(*reply, "ok", &ok) || !json_object_get_boolean(ok)) {
    lab_error_set(err, 0, "%s", jstr(*reply, "error") ?: "the runtime refused");
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

static struct json_object *request(const char *op)
{
  struct json_object *r = json_object_new_object();
  json_object_object_add(r, "op", json_object_new_string(op));
  return r;
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

static void add_winsize(struct json_object *req)
{
  struct winsize w;
  if (ioctl(0, TIOCGWINSZ, &w) < 0 || w.ws_row == 0)
    w = (struct winsize){.ws_row = 24, .ws_col = 80};
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "rows", json_object_new_int(w.ws_row));
  json_object_object_add(o, "cols", json_object_new_int(w.ws_col));
  json_object_object_add(req, "winsize", o);
}

static int exit_status(struct json_object *ev)
{
  struct json_object *v;
  if (ev != NULL && json_object_object_get_ex(ev, "status", &v))
    return json_object_get_int(v);
  return EXIT_RUNTIME;
}

/* Sends an attached request (run without -d, exec) and follows it to the
 * exit event.  Returns the process's status, or EXIT_RUNTIME after printing
 * the error.  With tty: our terminal in raw mode (restored on every path)
 * relayed to the pty master, SIGWINCH forwarded as resize messages. */
static int attach(const struct cli_invocation *inv, int fd, struct json_object *req, bool tty,
                  bool interactive, bool print_id)
{
  struct lab_error *err = NULL;
  json_object_object_add(req, "tty", json_object_new_boolean(tty));
  int sent;
  cleanup_close int devnull = -1;
  if (tty) {
    add_winsize(req);
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
  struct json_object *reply = NULL, *ok;
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
  if (!json_object_object_get_ex(reply, "ok", &ok) || !json_object_get_boolean(ok)) {
    cli_errorf(inv, "%s", jstr(reply, "error") ?: "the runtime refused");
    json_object_put(reply);
    if (master >= 0)
      close(master);
    return EXIT_RUNTIME;
  }
  (void)print_id;
  json_object_put(reply);
  struct json_object *ev = NULL;
  if (!tty) {
    /* The process writes to our stdio itself: just wait for its end. */
    while ((got = rpc_recv(fd, &ev, NULL, 0, NULL)) > 0 && jstr(ev, "event") == NULL) {
      json_object_put(ev);
      ev = NULL;
    }
    int rc = exit_status(ev);
    json_object_put(ev);
    return rc;
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
      struct json_object *rs = request("resize");
      struct winsize w;
      if (ioctl(0, TIOCGWINSZ, &w) == 0) {
        json_object_object_add(rs, "rows", json_object_new_int(w.ws_row));
        json_object_object_add(rs, "cols", json_object_new_int(w.ws_col));
        rpc_send(fd, rs, NULL, 0);
      }
      json_object_put(rs);
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
      if (got > 0 && jstr(ev, "event") == NULL) {
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
      rc = exit_status(ev);
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

/* An absolute version of a path given relative to our working directory. */
static char *absolute(const char *p)
{
  if (p[0] == '/')
    return strdup(p);
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof cwd) == NULL)
    return strdup(p);
  char *out = NULL;
  if (asprintf(&out, "%s/%s", cwd, p) < 0)
    abort();
  return out;
}

enum {
  O_NAME = 256,
  O_MEMORY,
  O_CPUS,
  O_PIDS,
  O_SECOPT,
  O_RM,
  O_NET,
  O_HOSTNAME,
  O_NODE,
  O_LAB,
  O_NOTRUNC,
  O_JSON,
  O_POD,
};

static const struct option run_options[] = {
    {"name", required_argument, NULL, O_NAME},
    {"memory", required_argument, NULL, 'm'},
    {"cpus", required_argument, NULL, O_CPUS},
    {"pids-limit", required_argument, NULL, O_PIDS},
    {"security-opt", required_argument, NULL, O_SECOPT},
    {"rm", no_argument, NULL, O_RM},
    {"net", required_argument, NULL, O_NET},
    {"network", required_argument, NULL, O_NET},
    {"hostname", required_argument, NULL, O_HOSTNAME},
    {"volume", required_argument, NULL, 'v'},
    {"env", required_argument, NULL, 'e'},
    {"detach", no_argument, NULL, 'd'},
    {"interactive", no_argument, NULL, 'i'},
    {"tty", no_argument, NULL, 't'},
    {"node", required_argument, NULL, O_NODE},
    {"lab", required_argument, NULL, O_LAB},
    {NULL, 0, NULL, 0},
};

struct run_opts {
  const char *node, *lab;
  bool detach, rm, tty, interactive;
};

/* Parses podman's run/create options into a SPEC request. */
static int parse_run(const struct cli_invocation *inv, struct json_object *req, struct run_opts *o)
{
  int argc = inv->argc + 1;
  char **argv = calloc((size_t)argc + 1, sizeof *argv);
  argv[0] = (char *)inv->verb->name;
  for (int i = 0; i < inv->argc; i++)
    argv[i + 1] = inv->argv[i];
  struct json_object *vols = json_object_new_array(), *env = json_object_new_array();
  int rc = 0, ch;
  optind = 1;
  opterr = 0;
  while (rc == 0 && (ch = getopt_long(argc, argv, "+:dite:v:m:", run_options, NULL)) != -1) {
    uint64_t n;
    switch (ch) {
    case 'd':
      o->detach = true;
      break;
    case 'i':
      o->interactive = true;
      break;
    case 't':
      o->tty = true;
      break;
    case O_RM:
      o->rm = true;
      break;
    case O_NODE:
      o->node = optarg;
      break;
    case O_LAB:
      o->lab = optarg;
      break;
    case O_NAME:
      json_object_object_add(req, "name", json_object_new_string(optarg));
      break;
    case O_HOSTNAME:
      json_object_object_add(req, "hostname", json_object_new_string(optarg));
      break;
    case O_NET:
      /* podman's modes: bridge (= private, the default) is the node's
       * cluster network, none a namespace with lo only, host the node's */
      if (strcmp(optarg, "host") != 0 && strcmp(optarg, "none") != 0 &&
          strcmp(optarg, "private") != 0 && strcmp(optarg, "bridge") != 0) {
        cli_errorf(inv, "--network %s: expected bridge, none or host", optarg);
        rc = -1;
      } else {
        json_object_object_add(req, "net", json_object_new_string(optarg));
      }
      break;
    case 'm':
      if (units_parse_bytes(optarg, &n) < 0) {
        cli_errorf(inv, "--memory %s: expected a size such as 32Mi, 64m or 1g", optarg);
        rc = -1;
      } else {
        json_object_object_add(req, "memory_bytes", json_object_new_int64((int64_t)n));
      }
      break;
    case O_CPUS: {
      char *end;
      double v = strtod(optarg, &end);
      if (end == optarg || *end || v <= 0) {
        cli_errorf(inv, "--cpus %s: expected a positive number such as 0.5", optarg);
        rc = -1;
      } else {
        json_object_object_add(req, "cpu_millis", json_object_new_int64((int64_t)(v * 1000 + 0.5)));
      }
      break;
    }
    case O_PIDS: {
      char *end;
      long v = strtol(optarg, &end, 10);
      if (end == optarg || *end || v < 0) {
        cli_errorf(inv, "--pids-limit %s: expected a count", optarg);
        rc = -1;
      } else {
        json_object_object_add(req, "pids", json_object_new_int64(v));
      }
      break;
    }
    case O_SECOPT:
      if (strncmp(optarg, "seccomp=", 8) != 0 || optarg[8] == '\0') {
        cli_errorf(inv, "--security-opt %s: only seccomp=FILE|unconfined is supported", optarg);
        rc = -1;
      } else {
        const char *p = optarg + 8;
        char *abs = strcmp(p, "unconfined") == 0 ? strdup(p) : absolute(p);
        json_object_object_add(req, "seccomp_profile", json_object_new_string(abs));
        free(abs);
      }
      break;
    case 'e':
      json_object_array_add(env, json_object_new_string(optarg));
      break;
    case 'v': {
      char *spec = strdup(optarg), *first = strchr(spec, ':');
      if (first == NULL || first == spec || first[1] != '/') {
        cli_errorf(inv, "-v %s: expected HOST-PATH:CONTAINER-PATH[:Z][:ro]", optarg);
        rc = -1;
        free(spec);
        break;
      }
      *first = '\0';
      char *opts = strchr(first + 1, ':');
      if (opts != NULL)
        *opts++ = '\0';
      struct json_object *v = json_object_new_object();
      char *host = absolute(spec);
      json_object_object_add(v, "host", json_object_new_string(host));
      json_object_object_add(v, "ctr", json_object_new_string(first + 1));
      free(host);
      bool relabel = false, ro = false;
      for (char *tok = opts ? strtok(opts, ",:") : NULL; tok && rc == 0; tok = strtok(NULL, ",:")) {
        if (strcmp(tok, "Z") == 0 || strcmp(tok, "z") == 0)
          relabel = true;
        else if (strcmp(tok, "ro") == 0)
          ro = true;
        else if (strcmp(tok, "rw") != 0) {
          cli_errorf(inv, "-v %s: unknown option %s (expected Z, ro or rw)", optarg, tok);
          rc = -1;
        }
      }
      json_object_object_add(v, "relabel", json_object_new_boolean(relabel));
      json_object_object_add(v, "readonly", json_object_new_boolean(ro));
      json_object_array_add(vols, v);
      free(spec);
      break;
    }
    case ':':
      cli_errorf(inv, "option %s needs a value", argv[optind - 1]);
      rc = -1;
      break;
    default:
      cli_errorf(inv, "unknown option %s", argv[optind - 1]);
      rc = -1;
      break;
    }
  }
  if (rc == 0 && optind >= argc) {
    cli_errorf(inv, "missing IMAGE\nUsage: nodelab %s %s", inv->verb->name, inv->verb->usage);
    rc = -1;
  }
  if (rc == 0) {
    json_object_object_add(req, "image", json_object_new_string(argv[optind]));
    if (optind + 1 < argc) {
      struct json_object *cmd = json_object_new_array();
      for (int i = optind + 1; i < argc; i++)
        json_object_array_add(cmd, json_object_new_string(argv[i]));
      json_object_object_add(req, "command", cmd);
    }
  }
  json_object_object_add(req, "volumes", vols);
  json_object_object_add(req, "env", env);
  free(argv);
  return rc;
}

static int run_or_create(const struct cli_invocation *inv, bool run)
{
  struct json_object *req = request(run ? "run" : "create");
  struct run_opts o = {0};
  if (parse_run(inv, req, &o) < 0) {
    json_object_put(req);
    return CLI_EXIT_USAGE;
  }
  cleanup_error struct lab_error *err = NULL;
  cleanup_close int fd = runtime_connect(o.lab, o.node, &err);
  if (fd < 0) {
    cli_errorf(inv, "%s", err->msg);
    json_object_put(req);
    return EXIT_RUNTIME;
  }
  int rc;
  if (!run || o.detach) {
    json_object_object_add(req, "detach", json_object_new_boolean(true));
    json_object_object_add(req, "rm", json_object_new_boolean(o.rm));
    struct json_object *reply = NULL;
    if (call(fd, req, &reply, NULL, &err) < 0) {
      cli_errorf(inv, "%s", err->msg);
      rc = EXIT_RUNTIME;
    } else {
      printf("%s\n", jstr(reply, "id"));
      rc = 0;
    }
    json_object_put(reply);
  } else {
    json_object_object_add(req, "rm", json_object_new_boolean(o.rm));
    rc = attach(inv, fd, req, o.tty, o.interactive, false);
  }
  json_object_put(req);
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

/* The op on each container named, printing the name given (podman's habit). */
static int each_container(const struct cli_invocation *inv, const char *op,
                          struct json_object *extra)
{
  cleanup_error struct lab_error *err = NULL;
  cleanup_close int fd = runtime_connect(cli_opt(inv, "lab"), cli_opt(inv, "node"), &err);
  if (fd < 0) {
    cli_errorf(inv, "%s", err->msg);
    return EXIT_RUNTIME;
  }
  int rc = 0;
  struct json_object *inspected = strcmp(op, "inspect") == 0 ? json_object_new_array() : NULL;
  for (int i = 0; i < inv->argc; i++) {
    struct json_object *req = request(op), *reply = NULL, *v;
    json_object_object_add(req, "container", json_object_new_string(inv->argv[i]));
    if (extra != NULL) {
      json_object_object_foreach(extra, k, val)
          json_object_object_add(req, k, json_object_get(val));
    }
    if (call(fd, req, &reply, NULL, &err) < 0) {
      cli_errorf(inv, "%s", err->msg);
      lab_error_clear(&err);
      rc = EXIT_RUNTIME;
    } else if (inspected != NULL) {
      if (json_object_object_get_ex(reply, "inspect", &v))
        json_object_array_add(inspected, json_object_get(v));
    } else if (strcmp(op, "mount") == 0) {
      printf("%s\n", jstr(reply, "merged"));
    } else {
      printf("%s\n", inv->argv[i]);
    }
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

int cli_start(const struct cli_invocation *inv)
{
  return each_container(inv, "start", NULL);
}

int cli_stop(const struct cli_invocation *inv)
{
  struct json_object *extra = json_object_new_object();
  const char *t = cli_opt(inv, "time");
  if (t != NULL) {
    char *end;
    long v = strtol(t, &end, 10);
    if (end == t || *end || v < 0) {
      cli_errorf(inv, "--time %s: expected seconds", t);
      json_object_put(extra);
      return CLI_EXIT_USAGE;
    }
    json_object_object_add(extra, "timeout", json_object_new_int((int)v));
  }
  int rc = each_container(inv, "stop", extra);
  json_object_put(extra);
  return rc;
}

int cli_kill(const struct cli_invocation *inv)
{
  const char *s = cli_opt(inv, "signal");
  int sig = s ? units_parse_signal(s) : SIGKILL;
  if (sig < 0) {
    cli_errorf(inv, "unknown signal %s", s);
    return CLI_EXIT_USAGE;
  }
  struct json_object *extra = json_object_new_object();
  json_object_object_add(extra, "signal", json_object_new_int(sig));
  int rc = each_container(inv, "kill", extra);
  json_object_put(extra);
  return rc;
}

int cli_rm(const struct cli_invocation *inv)
{
  struct json_object *extra = json_object_new_object();
  json_object_object_add(extra, "force", json_object_new_boolean(cli_flag(inv, "force")));
  int rc = each_container(inv, "rm", extra);
  json_object_put(extra);
  return rc;
}

int cli_mount(const struct cli_invocation *inv)
{
  return each_container(inv, "mount", NULL);
}

int cli_umount(const struct cli_invocation *inv)
{
  return each_container(inv, "umount", NULL);
}

int cli_inspect(const struct cli_invocation *inv)
{
  return each_container(inv, "inspect", NULL);
}

static bool still_running(int fd, const char *key)
{
  struct json_object *req = request("inspect"), *reply = NULL, *ins, *st, *v;
  json_object_object_add(req, "container", json_object_new_string(key));
  struct lab_error *err = NULL;
  bool running = false;
  if (call(fd, req, &reply, NULL, &err) == 0 && json_object_object_get_ex(reply, "inspect", &ins) &&
      json_object_object_get_ex(ins, "State", &st) && json_object_object_get_ex(st, "Running", &v))
    running = json_object_get_boolean(v);
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
  struct json_object *req = request("logs"), *reply = NULL;
  json_object_object_add(req, "container", json_object_new_string(inv->argv[0]));
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

int cli_ps(const struct cli_invocation *inv)
{
  cleanup_error struct lab_error *err = NULL;
  cleanup_close int fd = runtime_connect(cli_opt(inv, "lab"), cli_opt(inv, "node"), &err);
  if (fd < 0) {
    cli_errorf(inv, "%s", err->msg);
    return EXIT_RUNTIME;
  }
  struct json_object *req = request("ps"), *reply = NULL, *list;
  json_object_object_add(req, "all", json_object_new_boolean(cli_flag(inv, "all")));
  json_object_object_add(req, "latest", json_object_new_boolean(cli_flag(inv, "latest")));
  int rc = call(fd, req, &reply, NULL, &err);
  json_object_put(req);
  if (rc < 0) {
    cli_errorf(inv, "%s", err->msg);
    return EXIT_RUNTIME;
  }
  json_object_object_get_ex(reply, "containers", &list);
  if (cli_flag(inv, "json")) {
    printf("%s\n", json_object_to_json_string_ext(list, JSON_C_TO_STRING_PRETTY |
                                                            JSON_C_TO_STRING_NOSLASHESCAPE));
  } else {
    unsigned flags = (cli_flag(inv, "quiet") ? CLI_PS_QUIET : 0) |
                     (cli_flag(inv, "no-trunc") ? CLI_PS_NOTRUNC : 0) |
                     (cli_flag(inv, "context") ? CLI_PS_LABELS : 0);
    char *text = cli_ps_table(list, flags, (long long)time(NULL));
    fputs(text, stdout);
    free(text);
  }
  json_object_put(reply);
  return 0;
}

/* ------------------------------------------------------------- exec/shell */

int cli_container_exec(const struct cli_invocation *inv, const char *target, char **argv, bool tty,
                       bool interactive)
{
  struct json_object *req = request("exec");
  cleanup_free char *node = NULL;
  const char *slash = strchr(target, '/');
  if (slash != NULL) {
    /* NODE/POD[/CTR] */
    node = strndup(target, (size_t)(slash - target));
    const char *pod = slash + 1, *ctr = strchr(pod, '/');
    if (*pod == '\0' || (ctr != NULL && ctr[1] == '\0') || (ctr && strchr(ctr + 1, '/'))) {
      cli_errorf(inv, "%s: expected NODE/POD or NODE/POD/CONTAINER", target);
      json_object_put(req);
      return CLI_EXIT_USAGE;
    }
    cleanup_free char *podname = ctr ? strndup(pod, (size_t)(ctr - pod)) : strdup(pod);
    json_object_object_add(req, "pod", json_object_new_string(podname));
    if (ctr != NULL)
      json_object_object_add(req, "container", json_object_new_string(ctr + 1));
  } else {
    json_object_object_add(req, "container", json_object_new_string(target));
  }
  struct json_object *cmd = json_object_new_array();
  for (size_t i = 0; argv[i] != NULL; i++)
    json_object_array_add(cmd, json_object_new_string(argv[i]));
  json_object_object_add(req, "command", cmd);
  cleanup_error struct lab_error *err = NULL;
  const char *node_opt = node ? node : NULL;
  cleanup_close int fd =
      runtime_connect(cli_opt(inv, "lab"), node_opt ? node_opt : cli_opt(inv, "node"), &err);
  if (fd < 0) {
    cli_errorf(inv, "%s", err->msg);
    json_object_put(req);
    return EXIT_RUNTIME;
  }
  int rc = attach(inv, fd, req, tty, interactive, false);
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
      const char *n = jstr(json_object_array_get_idx(nodes, i), "name");
      if (n != NULL && strcmp(n, name) == 0)
        found = 1;
    }
  }
  json_object_put(reply);
  return found;
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
