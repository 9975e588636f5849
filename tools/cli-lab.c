/* nodelab up / down / ls / status: a lab's lifecycle, through nodelabd. */
#include "cli.h"
#include "strv.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "api.h"
#include "cleanup.h"
#include "error.h"
#include "http-client.h"
#include "ledger.h"
#include "paths.h"
#include "proc.h"
#include "scenario.h"

#define DAEMON_START_TIMEOUT_MS 5000
#define PING_TIMEOUT_MS 2000
#define UP_TIMEOUT_MS (10 * 60 * 1000) /* a big lab takes a while; the daemon bounds each step */
#define DOWN_TIMEOUT_MS (5 * 60 * 1000)
#define QUERY_TIMEOUT_MS 10000
#define FORCE_DELETE_TIMEOUT_MS 60000

/* A string of a decoded reply, "-" when it was absent or null. */
static const char *dash(const char *s)
{
  return s != NULL ? s : "-";
}

/* A number as the tables show it. */
struct num {
  char s[24];
};
static struct num num(int64_t v)
{
  struct num n;
  snprintf(n.s, sizeof n.s, "%" PRId64, v);
  return n;
}

static void print_json(struct json_object *o)
{
  printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* ---- the daemon ---------------------------------------------------------- */

/* 1: nodelabd answered GET /v1/version; 0: nothing listens; -1: something
 * listens but does not answer properly (*err). */
static int daemon_ping(struct lab_error **err)
{
  int status;
  struct json_object *reply = NULL;
  cleanup_error struct lab_error *e = NULL;
  if (cli_api("GET", "/v1/version", NULL, PING_TIMEOUT_MS, &status, &reply, &e) < 0) {
    if (http_error_is_unreachable(e))
      return 0;
    *err = steal_pointer(&e);
    return -1;
  }
  json_object_put(reply);
  if (status != 200)
    return lab_error_set(err, 0, "GET /v1/version on %s: status %d", paths_socket(), status);
  return 1;
}

static bool is_executable(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Where nodelabd is: $NODELAB_DAEMON, else where paths_find_binary() finds it
 * (beside this program, the build tree's nodes/, PATH).  *path is malloc'd. */
static int find_daemon(char **path, struct lab_error **err)
{
  const char *env = getenv("NODELAB_DAEMON");
  if (env != NULL && env[0] != '\0') {
    if (!is_executable(env))
      return lab_error_set(err, 0, "NODELAB_DAEMON=%s is not an executable file", env);
    *path = strdup(env);
    return 0;
  }
  *path = paths_find_binary("nodelabd", "nodes");
  if (*path == NULL)
    return lab_error_set(err, 0,
                         "cannot find nodelabd: set NODELAB_DAEMON, or put it beside nodelab "
                         "(or in $NODELAB_BINDIR) or on PATH");
  return 0;
}

static void sleep_ms(int ms)
{
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
    ;
}

static long elapsed_ms(const struct timespec *start)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Prints the last lines of the daemon's log, which say why it did not come up. */
static void print_log_tail(void)
{
  cleanup_fclose FILE *f = fopen(paths_logfile(), "r");
  if (f == NULL)
    return;
  char lines[10][512];
  size_t n = 0;
  char buf[512];
  while (fgets(buf, sizeof buf, f) != NULL) {
    snprintf(lines[n % 10], sizeof lines[0], "%s", buf);
    n++;
  }
  size_t first = n > 10 ? n - 10 : 0;
  if (n > 0)
    fprintf(stderr, "last lines of %s:\n", paths_logfile());
  for (size_t i = first; i < n; i++)
    fprintf(stderr, "  %s", lines[i % 10]);
}

/* Makes sure nodelabd answers on the socket, starting it when nothing listens.
 * The daemon does not fork: it is started here in a new session with its
 * output in the log, and left running when nodelab exits. */
static int ensure_daemon(struct lab_error **err)
{
  int up = daemon_ping(err);
  if (up < 0)
    return lab_error_wrap(err, "nodelabd does not answer (try 'nodelab down --force')");
  if (up == 1)
    return 0;

  cleanup_free char *bin = NULL;
  if (find_daemon(&bin, err) < 0)
    return -1;
  if (mkdir(paths_rundir(), 0700) < 0 && errno != EEXIST)
    return lab_error_errno(err, "creating %s", paths_rundir());
  /* Two `nodelab up` at once must not start two daemons: the second waits
   * here, then finds the first one's daemon answering. */
  cleanup_close int lock_fd = open(paths_rundir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lock_fd < 0)
    return lab_error_errno(err, "opening %s", paths_rundir());
  if (flock(lock_fd, LOCK_EX) < 0)
    return lab_error_errno(err, "locking %s", paths_rundir());
  up = daemon_ping(err);
  if (up < 0)
    return lab_error_wrap(err, "nodelabd does not answer (try 'nodelab down --force')");
  if (up == 1)
    return 0;
  cleanup_close int log_fd = open(paths_logfile(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0)
    return lab_error_errno(err, "opening %s", paths_logfile());
  cleanup_close int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0)
    return lab_error_errno(err, "opening /dev/null");

  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0)
    return lab_error_errno(err, "fork");
  if (pid == 0) {
    /* A session of its own: the terminal's signals and hangup do not reach it. */
    setsid();
    dup2(null_fd, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    /* Dispositions and mask as a fresh program expects them, whatever the
     * shell that ran nodelab ignored (SIGINT in background jobs, nohup). */
    static const int sigs[] = {SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
      signal(sigs[i], SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* NODELAB_RUNDIR, when set, reaches the daemon through the environment. */
    char *argv[] = {bin, NULL};
    execv(bin, argv);
    dprintf(2, "nodelab: exec %s: %s\n", bin, strerror(errno));
    _exit(127);
  }

  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      print_log_tail();
      if (WIFEXITED(status))
        return lab_error_set(err, 0, "%s exited with status %d before answering on %s", bin,
                             WEXITSTATUS(status), paths_socket());
      return lab_error_set(err, 0, "%s was killed by signal %d before answering on %s", bin,
                           WTERMSIG(status), paths_socket());
    }
    cleanup_error struct lab_error *e = NULL;
    int r = daemon_ping(&e);
    if (r == 1)
      return 0;
    if (elapsed_ms(&start) > DAEMON_START_TIMEOUT_MS) {
      /* Leave nothing half-started behind. */
      kill(pid, SIGKILL);
      waitpid(pid, NULL, 0);
      print_log_tail();
      return lab_error_set(err, 0, "%s (pid %d) did not answer on %s within %d ms%s%s: killed it",
                           bin, (int)pid, paths_socket(), DAEMON_START_TIMEOUT_MS, e ? ": " : "",
                           e ? e->msg : "");
    }
    sleep_ms(50);
  }
}

int cli_ensure_daemon(struct lab_error **err)
{
  return ensure_daemon(err);
}

/* ---- printing a lab ------------------------------------------------------ */

static void print_nodes(const struct api_lab_status *lab)
{
  printf("%-16s %-9s %-8s %-19s %-15s %s\n", "NODE", "STATE", "PID", "UNDERLAY", "SUBNET",
         "CGROUP");
  for (size_t i = 0; i < lab->n_nodes; i++) {
    const struct api_node *n = &lab->nodes[i];
    printf("%-16s %-9s %-8s %-19s %-15s %s\n", dash(n->name), api_node_state_name(n->state),
           num(n->pid).s, dash(n->underlay), dash(n->subnet), dash(n->cgroup));
  }
}

static void print_status(const struct api_lab_status *lab)
{
  printf("Lab:       %s\n", dash(lab->name));
  printf("Scenario:  %s", dash(lab->scenario));
  if (lab->description != NULL && lab->description[0] != '\0')
    printf(" (%s)", lab->description);
  printf("\nState:     %s\n", api_lab_state_name(lab->state));
  printf("Cgroups:   %s\n", dash(lab->cgroup_mode));
  printf("Created:   %s\n", dash(lab->created));
  if (lab->fabric.bridge != NULL)
    printf("Fabric:    bridge %s, pid %s\n", lab->fabric.bridge, num(lab->fabric.pid).s);

  printf("\n");
  print_nodes(lab);
  bool any_daemon = false;
  for (size_t i = 0; i < lab->n_nodes; i++) {
    const struct api_node *n = &lab->nodes[i];
    for (size_t j = 0; j < n->n_daemons; j++) {
      const struct api_daemon *d = &n->daemons[j];
      if (!any_daemon)
        printf("\n%-16s %-14s %-9s %-8s %s\n", "DAEMON NODE", "NAME", "STATE", "PID", "RESTARTS");
      any_daemon = true;
      printf("%-16s %-14s %-9s %-8s %s\n", dash(n->name), dash(d->name),
             api_daemon_state_name(d->state), d->pid != 0 ? num(d->pid).s : "-",
             num(d->restarts).s);
    }
  }

  printf("\n%-16s %-10s %-16s %s\n", "LINK NODE", "IFNAME", "PEER", "ADDRESS");
  for (size_t i = 0; i < lab->n_links; i++) {
    const struct api_link *l = &lab->links[i];
    printf("%-16s %-10s %-16s %s\n", dash(l->node), dash(l->ifname), dash(l->peer),
           dash(l->address));
  }

  printf("\n%-16s %-16s %-10s %-15s %-10s %s\n", "POD", "NODE", "STATE", "IP", "CONTAINERS",
         "REASON");
  for (size_t i = 0; i < lab->n_pods; i++) {
    const struct api_pod *p = &lab->pods[i];
    printf("%-16s %-16s %-10s %-15s %-10zu %s\n", dash(p->name), dash(p->node),
           api_pod_state_name(p->state), dash(p->ip), p->n_containers, p->error ? p->error : "");
  }

  /* Faults and checks: their members grow with later issues; show the common ones. */
  printf("\nFaults: %s\n", lab->n_faults ? "" : "none active");
  for (size_t i = 0; i < lab->n_faults; i++) {
    const struct api_fault *f = &lab->faults[i];
    printf("  %-24s %-16s %-10s %s\n", dash(f->name), dash(f->kind), dash(f->node), dash(f->state));
  }
  printf("Checks: %s\n", lab->n_checks ? "" : "none run");
  cli_check_print_table(lab->checks, lab->n_checks, "  ");
}

/* ---- up ------------------------------------------------------------------ */

static int read_text(const char *path, char **text, struct lab_error **err)
{
  cleanup_fclose FILE *f = fopen(path, "re");
  if (f == NULL)
    return lab_error_errno(err, "%s", path);
  char *buf = NULL;
  size_t len = 0;
  cleanup_fclose FILE *mem = open_memstream(&buf, &len);
  if (mem == NULL)
    return lab_error_errno(err, "reading %s", path);
  char chunk[8192];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    fwrite(chunk, 1, n, mem);
  if (ferror(f)) {
    fclose(steal_pointer(&mem));
    free(buf);
    return lab_error_errno(err, "reading %s", path);
  }
  fclose(steal_pointer(&mem));
  *text = buf;
  return 0;
}

int cli_up(const struct cli_invocation *inv)
{
  const char *file = inv->argc > 0 ? inv->argv[0] : NULL;
  const char *name = cli_opt(inv, "name");
  cleanup_error struct lab_error *err = NULL;
  cleanup_free char *lab = NULL;
  if (name != NULL && cli_resolve_lab(name, &lab, &err) < 0) {
    cli_errorf(inv, "--name: %s", err->msg);
    return CLI_EXIT_USAGE;
  }

  /* Parse and validate here first: an invalid scenario starts nothing. */
  struct scenario *s = NULL;
  cleanup_free char *yaml = NULL;
  cleanup_free char *abs = NULL;
  if (file != NULL) {
    if (read_text(file, &yaml, &err) < 0 ||
        scenario_parse(file, yaml, strlen(yaml), &s, &err) < 0) {
      fprintf(stderr, "%s\n", err->msg);
      return CLI_EXIT_FAIL;
    }
    abs = realpath(file, NULL);
    if (abs == NULL) {
      lab_error_errno(&err, "%s", file);
      fprintf(stderr, "%s\n", err->msg);
      scenario_free(s);
      return CLI_EXIT_FAIL;
    }
  } else {
    if (scenario_load_default(&s, &err) < 0) {
      cli_errorf(inv, "the embedded default lab does not validate: %s", err->msg);
      return CLI_EXIT_FAIL;
    }
    yaml = strdup(scenario_default_yaml());
    abs = strdup("<default>");
  }
  const char *lab_name = lab ? lab : s->name;
  size_t n_nodes = s->n_nodes;

  if (geteuid() != 0) {
    scenario_free(s);
    cli_errorf(inv, "must run as root (a lab creates namespaces, cgroups and links)");
    return CLI_EXIT_FAIL;
  }
  if (ensure_daemon(&err) < 0) {
    scenario_free(s);
    cli_errorf(inv, "%s", err->msg);
    return CLI_EXIT_FAIL;
  }

  /* The scenario's relative paths resolve against the directory of file, which
   * nodelabd parses it from: absolute, so that it is the same there. */
  struct json_object *req =
      api_lab_create_encode(&(struct api_lab_create){.file = abs, .yaml = yaml, .name = lab});
  int status;
  struct json_object *reply = NULL;
  int rc = cli_api("POST", "/v1/labs", json_object_to_json_string(req), UP_TIMEOUT_MS, &status,
                   &reply, &err);
  /* A daemon that held no lab may have exited between our ping and the
   * request: start one again, once. */
  if (rc < 0 && http_error_is_unreachable(err)) {
    lab_error_clear(&err);
    rc = ensure_daemon(&err);
    if (rc == 0)
      rc = cli_api("POST", "/v1/labs", json_object_to_json_string(req), UP_TIMEOUT_MS, &status,
                   &reply, &err);
  }
  json_object_put(req);
  if (rc < 0) {
    cli_errorf(inv, "bringing up lab %s: %s", lab_name, err->msg);
    scenario_free(s);
    return CLI_EXIT_FAIL;
  }
  struct api_lab_status st;
  if (status != 201 || api_lab_status_decode(reply, &st, &err) < 0) {
    cli_errorf(inv, "bringing up lab %s: %s%s", lab_name, status != 201 ? "" : "POST /v1/labs: ",
               status != 201 ? cli_reply_error(reply, status) : err->msg);
    json_object_put(reply);
    scenario_free(s);
    return CLI_EXIT_FAIL;
  }
  if (cli_flag(inv, "json")) {
    print_json(reply);
  } else {
    printf("Lab %s is up (scenario %s, %zu node%s, %zu pod%s).\n", dash(st.name), s->name, n_nodes,
           n_nodes == 1 ? "" : "s", s->n_pods, s->n_pods == 1 ? "" : "s");
    print_nodes(&st);
  }
  api_lab_status_release(&st);
  json_object_put(reply);
  scenario_free(s);
  return CLI_EXIT_OK;
}

/* ---- down ---------------------------------------------------------------- */

/* Pid of a live nodelabd named by the pid file, or 0. */
static pid_t daemon_pid_alive(uint64_t *starttime)
{
  cleanup_fclose FILE *f = fopen(paths_pidfile(), "re");
  if (f == NULL)
    return 0;
  int pid = 0;
  if (fscanf(f, "%d", &pid) != 1 || pid <= 0)
    return 0;
  char path[64], comm[64] = "";
  snprintf(path, sizeof path, "/proc/%d/comm", pid);
  cleanup_fclose FILE *c = fopen(path, "re");
  if (c == NULL || fgets(comm, sizeof comm, c) == NULL)
    return 0;
  comm[strcspn(comm, "\n")] = '\0';
  /* The pid file may be stale and the pid reused: only a nodelabd is ours. */
  if (strcmp(comm, "nodelabd") != 0)
    return 0;
  if (proc_starttime(pid, starttime) < 0 || !proc_is_same(pid, *starttime))
    return 0;
  return pid;
}

/* Kills the nodelabd of the pid file, if alive, after grace_ms for it to exit
 * by itself (a daemon that removed its socket is on its way out after its
 * last lab went down). */
static int kill_daemon(const struct cli_invocation *inv, int grace_ms)
{
  uint64_t st;
  pid_t pid = daemon_pid_alive(&st);
  for (int waited = 0; pid != 0 && waited < grace_ms; waited += 20) {
    sleep_ms(20);
    pid = daemon_pid_alive(&st);
  }
  if (pid == 0)
    return 0;
  fprintf(stderr, "nodelab %s: killing nodelabd (pid %d)\n", inv->verb->name, (int)pid);
  if (kill(pid, SIGKILL) < 0 && errno != ESRCH) {
    cli_errorf(inv, "kill -9 %d: %s", (int)pid, strerror(errno));
    return -1;
  }
  for (int i = 0; i < 100 && proc_is_same(pid, st); i++)
    sleep_ms(20);
  if (proc_is_same(pid, st)) {
    cli_errorf(inv, "nodelabd (pid %d) is still alive after SIGKILL", (int)pid);
    return -1;
  }
  return 0;
}

static int delete_lab(const char *lab, int timeout_ms, struct lab_error **err)
{
  char target[128];
  snprintf(target, sizeof target, "/v1/labs/%s", lab);
  int status;
  struct json_object *reply = NULL;
  if (cli_api("DELETE", target, NULL, timeout_ms, &status, &reply, err) < 0)
    return -1;
  if (status != 200) {
    lab_error_set(err, 0, "%s", cli_reply_error(reply, status));
    json_object_put(reply);
    return -1;
  }
  json_object_put(reply);
  return 0;
}

/* Once nothing is left, the run directory's daemon files are stale. */
static void remove_stale_files(void)
{
  char **left = NULL;
  cleanup_error struct lab_error *err = NULL;
  if (ledger_list_labs(paths_rundir(), &left, &err) < 0)
    return;
  bool empty = left == NULL || left[0] == NULL;
  strv_free(left);
  if (!empty)
    return;
  /* A daemon that holds no lab exits by itself: give it a moment. */
  uint64_t st;
  for (int i = 0; i < 150 && daemon_pid_alive(&st) != 0; i++)
    sleep_ms(20);
  if (daemon_pid_alive(&st) != 0)
    return;
  cleanup_error struct lab_error *e = NULL;
  if (daemon_ping(&e) != 0)
    return;
  unlink(paths_socket());
  unlink(paths_rpc_socket());
  unlink(paths_pidfile());
  unlink(paths_logfile());
  rmdir(paths_rundir()); /* only when empty: anything else there is not ours to remove */
}

static int down_force(const struct cli_invocation *inv, const char *given)
{
  cleanup_error struct lab_error *err = NULL;
  char **daemon_labs = NULL;
  bool daemon_up = false;
  bool need_kill = false;
  int grace_ms = 0;
  if (cli_daemon_labs(&daemon_labs, &daemon_up, &err) < 0) {
    fprintf(stderr, "nodelab down: nodelabd does not answer: %s\n", err->msg);
    lab_error_clear(&err);
    daemon_labs = calloc(1, sizeof *daemon_labs);
    need_kill = true;
  } else if (!daemon_up) {
    need_kill = true;
    grace_ms = 2000;
  }

  if (daemon_up) {
    for (char **l = daemon_labs; *l; l++) {
      if (given != NULL && strcmp(*l, given) != 0)
        continue;
      if (delete_lab(*l, FORCE_DELETE_TIMEOUT_MS, &err) < 0) {
        fprintf(stderr, "nodelab down: nodelabd failed to remove lab %s: %s\n", *l, err->msg);
        lab_error_clear(&err);
        need_kill = true;
      } else {
        printf("Lab %s is down.\n", *l);
      }
    }
  }
  int rc = CLI_EXIT_OK;
  if (need_kill && kill_daemon(inv, grace_ms) < 0)
    rc = CLI_EXIT_FAIL;

  /* The ledger is the truth of what exists on the host. */
  char **labs = NULL;
  if (given != NULL) {
    labs = calloc(2, sizeof *labs);
    labs[0] = strdup(given);
  } else {
    if (ledger_list_labs(paths_rundir(), &labs, &err) < 0) {
      cli_errorf(inv, "listing ledgers in %s: %s", paths_rundir(), err->msg);
      strv_free(daemon_labs);
      return CLI_EXIT_FAIL;
    }
    if (labs == NULL)
      labs = calloc(1, sizeof *labs);
  }
  for (char **l = labs; *l; l++) {
    char ledger_path[PATH_MAX];
    snprintf(ledger_path, sizeof ledger_path, "%s/%s/ledger", paths_rundir(), *l);
    bool had_ledger = access(ledger_path, F_OK) == 0;
    if (ledger_undo(paths_rundir(), *l, &err) < 0) {
      cli_errorf(inv, "cleaning lab %s from its ledger: %s", *l, err->msg);
      lab_error_clear(&err);
      rc = CLI_EXIT_FAIL;
    } else if (had_ledger) {
      printf("Lab %s cleaned from its ledger.\n", *l);
    }
  }
  strv_free(labs);
  strv_free(daemon_labs);
  remove_stale_files();
  return rc;
}

int cli_down(const struct cli_invocation *inv)
{
  const char *given = inv->argc > 0 ? inv->argv[0] : NULL;
  cleanup_error struct lab_error *err = NULL;
  cleanup_free char *lab = NULL;
  if (given != NULL && cli_resolve_lab(given, &lab, &err) < 0) {
    cli_errorf(inv, "%s", err->msg);
    return CLI_EXIT_USAGE;
  }
  if (geteuid() != 0) {
    cli_errorf(inv, "must run as root");
    return CLI_EXIT_FAIL;
  }
  if (cli_flag(inv, "force"))
    return down_force(inv, lab);

  if (lab == NULL && cli_resolve_lab(NULL, &lab, &err) < 0) {
    cli_errorf(inv, "%s", err->msg);
    return CLI_EXIT_FAIL;
  }
  if (delete_lab(lab, DOWN_TIMEOUT_MS, &err) < 0) {
    if (http_error_is_unreachable(err))
      cli_errorf(inv, "lab %s: nodelabd is not running (use --force to clean from the ledger)",
                 lab);
    else
      cli_errorf(inv, "lab %s: %s", lab, err->msg);
    return CLI_EXIT_FAIL;
  }
  printf("Lab %s is down.\n", lab);
  return CLI_EXIT_OK;
}

/* ---- ls, status ---------------------------------------------------------- */

int cli_ls(const struct cli_invocation *inv)
{
  int status;
  struct json_object *reply = NULL;
  cleanup_error struct lab_error *err = NULL;
  if (cli_api("GET", "/v1/labs", NULL, QUERY_TIMEOUT_MS, &status, &reply, &err) < 0) {
    if (!http_error_is_unreachable(err)) {
      cli_errorf(inv, "%s", err->msg);
      return CLI_EXIT_FAIL;
    }
    /* No daemon: no lab runs (the daemon exits when it holds none). */
    reply = api_labs_encode(&(struct api_labs){0});
    status = 200;
  }
  if (status != 200) {
    cli_errorf(inv, "%s", cli_reply_error(reply, status));
    json_object_put(reply);
    return CLI_EXIT_FAIL;
  }
  struct api_labs labs;
  if (api_labs_decode(reply, &labs, &err) < 0) {
    cli_errorf(inv, "GET /v1/labs: %s", err->msg);
    json_object_put(reply);
    return CLI_EXIT_FAIL;
  }
  if (cli_flag(inv, "json")) {
    print_json(reply);
  } else if (labs.n_labs == 0) {
    printf("No labs.\n");
  } else {
    printf("%-20s %-24s %-9s %-5s %-5s %s\n", "NAME", "SCENARIO", "STATE", "NODES", "PODS",
           "CREATED");
    for (size_t i = 0; i < labs.n_labs; i++) {
      const struct api_lab_summary *l = &labs.labs[i];
      printf("%-20s %-24s %-9s %-5s %-5s %s\n", dash(l->name), dash(l->scenario),
             api_lab_state_name(l->state), num(l->nodes).s, num(l->pods).s, dash(l->created));
    }
  }
  api_labs_release(&labs);
  json_object_put(reply);
  return CLI_EXIT_OK;
}

int cli_status(const struct cli_invocation *inv)
{
  cleanup_error struct lab_error *err = NULL;
  cleanup_free char *lab = NULL;
  if (inv->argc > 0 && cli_resolve_lab(inv->argv[0], &lab, &err) < 0) {
    cli_errorf(inv, "%s", err->msg);
    return CLI_EXIT_USAGE;
  }
  if (lab == NULL && cli_resolve_lab(NULL, &lab, &err) < 0) {
    cli_errorf(inv, "%s", err->msg);
    return CLI_EXIT_FAIL;
  }
  char target[128];
  snprintf(target, sizeof target, "/v1/labs/%s", lab);
  int status;
  struct json_object *reply = NULL;
  if (cli_api("GET", target, NULL, QUERY_TIMEOUT_MS, &status, &reply, &err) < 0) {
    if (http_error_is_unreachable(err))
      cli_errorf(inv, "lab %s: no lab is running (nodelabd is not running)", lab);
    else
      cli_errorf(inv, "lab %s: %s", lab, err->msg);
    return CLI_EXIT_FAIL;
  }
  struct api_lab_status st;
  if (status != 200 || api_lab_status_decode(reply, &st, &err) < 0) {
    cli_errorf(inv, "lab %s: %s", lab, status != 200 ? cli_reply_error(reply, status) : err->msg);
    json_object_put(reply);
    return CLI_EXIT_FAIL;
  }
  if (cli_flag(inv, "json"))
    print_json(reply);
  else
    print_status(&st);
  api_lab_status_release(&st);
  json_object_put(reply);
  return CLI_EXIT_OK;
}
