/* nodelab exec / shell: run a command inside a node, the way nsenter would,
 * but by setns(2) on namespaces whose owner we verified ourselves. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "error.h"
#include "http-client.h"
#include "namespace.h"
#include "proc.h"

#define SANE_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct node_target {
  pid_t pid;
  uint64_t starttime;
  char *cgroup; /* relative, e.g. nodelab/default/node1; NULL when the daemon gives none */
};

/* Looks the node up in the lab's status. */
static int find_node(const char *lab, const char *node, struct node_target *out,
                     struct lab_error **err)
{
  char target[128];
  snprintf(target, sizeof target, "/v1/labs/%s", lab);
  int status;
  struct json_object *reply = NULL;
  if (cli_api("GET", target, NULL, 10000, &status, &reply, err) < 0)
    return -1;
  int rc = -1;
  struct json_object *nodes;
  if (status != 200) {
    lab_error_set(err, 0, "lab %s: %s", lab, cli_reply_error(reply, status));
  } else if (!json_object_object_get_ex(reply, "nodes", &nodes) ||
             !json_object_is_type(nodes, json_type_array)) {
    lab_error_set(err, 0, "lab %s: no \"nodes\" in the daemon's reply", lab);
  } else {
    char names[512] = "";
    size_t n = json_object_array_length(nodes);
    for (size_t i = 0; i < n && rc < 0; i++) {
      struct json_object *o = json_object_array_get_idx(nodes, i), *v;
      const char *name = json_object_object_get_ex(o, "name", &v) ? json_object_get_string(v) : "";
      snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "", name);
      if (strcmp(name, node) != 0)
        continue;
      if (!json_object_object_get_ex(o, "pid", &v) || json_object_get_int(v) <= 0) {
        lab_error_set(err, 0, "node %s of lab %s has no process (state %s)", node, lab,
                      json_object_object_get_ex(o, "state", &v) ? json_object_get_string(v)
                                                                : "unknown");
        break;
      }
      out->pid = json_object_get_int(v);
      out->starttime =
          json_object_object_get_ex(o, "starttime", &v) ? json_object_get_uint64(v) : 0;
      out->cgroup =
          json_object_object_get_ex(o, "cgroup", &v) && json_object_is_type(v, json_type_string)
              ? strdup(json_object_get_string(v))
              : NULL;
      rc = 0;
    }
    if (rc < 0 && (err == NULL || *err == NULL))
      lab_error_set(err, 0, "lab %s has no node \"%s\" (its nodes: %s)", lab, node, names);
  }
  json_object_put(reply);
  return rc;
}

static int write_pid(const char *dir, pid_t pid, struct lab_error **err)
{
  char path[PATH_MAX];
  if ((size_t)snprintf(path, sizeof path, "%s/cgroup.procs", dir) >= sizeof path)
    return lab_error_set(err, ENAMETOOLONG, "cgroup path %s", dir);
  cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return lab_error_errno(err, "opening %s", path);
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%d", (int)pid);
  if (write(fd, buf, (size_t)n) != n)
    return lab_error_errno(err, "writing %d to %s", (int)pid, path);
  return 0;
}

/* A cgroup hierarchy mounted in our mount namespace. */
struct cg_mount {
  char dir[PATH_MAX];  /* mount point, e.g. /sys/fs/cgroup/memory */
  char root[PATH_MAX]; /* the cgroup shown at the mount point ("/" normally) */
  char opts[256];      /* v1 super options: "rw,cpu,cpuacct", "rw,name=systemd"; "" for v2 */
  bool v2;
};

static size_t read_cgroup_mounts(struct cg_mount *m, size_t max)
{
  cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
  if (f == NULL)
    return 0;
  size_t n = 0;
  char *line = NULL;
  size_t cap = 0;
  while (n < max && getline(&line, &cap, f) > 0) {
    char root[PATH_MAX], dir[PATH_MAX], fstype[32], source[64], opts[256];
    char *sep = strstr(line, " - ");
    if (sep == NULL || sscanf(line, "%*s %*s %*s %4095s %4095s", root, dir) != 2 ||
        sscanf(sep + 3, "%31s %63s %255s", fstype, source, opts) != 3)
      continue;
    bool v2 = strcmp(fstype, "cgroup2") == 0;
    if (!v2 && strcmp(fstype, "cgroup") != 0)
      continue;
    /* mountinfo escapes blanks as \040; cgroup mounts have none worth handling. */
    snprintf(m[n].dir, sizeof m[n].dir, "%s", dir);
    snprintf(m[n].root, sizeof m[n].root, "%s", root);
    snprintf(m[n].opts, sizeof m[n].opts, "%s", v2 ? "" : opts);
    m[n].v2 = v2;
    n++;
  }
  free(line);
  return n;
}

/* True when every controller of the comma-separated list is among the mount's options. */
static bool mount_has_controllers(const struct cg_mount *m, const char *controllers)
{
  char copy[256];
  snprintf(copy, sizeof copy, "%s", controllers);
  char *save = NULL;
  int found = 0;
  for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
    char opts[260];
    snprintf(opts, sizeof opts, ",%s,", m->opts);
    char needle[80];
    snprintf(needle, sizeof needle, ",%s,", c);
    if (strstr(opts, needle) == NULL)
      return false;
    found++;
  }
  return found > 0;
}

/* Moves the calling process into the cgroups the node's process `pid` is in,
 * in every hierarchy where that cgroup lies under relpath (the node's cgroup
 * as the daemon names it, e.g. nodelab/LAB/NODE; the process itself may sit
 * in a leaf below it).  What runs in the node is then accounted and limited
 * with the node.  Fails when the process is in no cgroup under relpath. */
static int join_node_cgroups(pid_t pid, const char *relpath, struct lab_error **err)
{
  if (relpath[0] == '/' || strstr(relpath, "..") != NULL)
    return lab_error_set(err, 0, "refusing odd cgroup path \"%s\" from the daemon", relpath);
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
  cleanup_fclose FILE *f = fopen(path, "re");
  if (f == NULL)
    return lab_error_errno(err, "opening %s", path);
  struct cg_mount mounts[32];
  size_t n_mounts = read_cgroup_mounts(mounts, 32);
  char prefix[PATH_MAX];
  snprintf(prefix, sizeof prefix, "/%s", relpath);
  size_t plen = strlen(prefix);

  int joined = 0;
  char *line = NULL;
  size_t cap = 0;
  int rc = 0;
  while (rc == 0 && getline(&line, &cap, f) > 0) {
    line[strcspn(line, "\n")] = '\0';
    /* "ID:controllers:/path"; the v2 line is "0::/path". */
    char *c1 = strchr(line, ':');
    char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (c2 == NULL)
      continue;
    *c2 = '\0';
    const char *controllers = c1 + 1;
    const char *cg = c2 + 1;
    if (strncmp(cg, prefix, plen) != 0 || (cg[plen] != '\0' && cg[plen] != '/'))
      continue;
    for (size_t i = 0; i < n_mounts; i++) {
      const struct cg_mount *m = &mounts[i];
      if (controllers[0] == '\0' ? !m->v2 : (m->v2 || !mount_has_controllers(m, controllers)))
        continue;
      /* A mount may show a sub-tree (inside a container): strip its root. */
      const char *rel = cg;
      size_t rlen = strlen(m->root);
      if (strcmp(m->root, "/") != 0) {
        if (strncmp(cg, m->root, rlen) != 0)
          continue;
        rel = cg + rlen;
      }
      char dir[PATH_MAX * 2];
      snprintf(dir, sizeof dir, "%s%s", m->dir, rel);
      if (write_pid(dir, getpid(), err) < 0) {
        rc = -1;
      } else {
        joined++;
      }
      break; /* one mount per hierarchy is enough */
    }
  }
  free(line);
  if (rc < 0)
    return -1;
  if (joined == 0)
    return lab_error_set(err, 0, "the node's process %d is in no cgroup under %s", (int)pid,
                         relpath);
  return 0;
}

/* Once setns has been attempted, nodelab exits here rather than through
 * main(): the process has (maybe) joined the node's pid namespace for its
 * children, and exit-time machinery that clones a helper (LeakSanitizer's
 * stop-the-world tracer) would start it in that namespace, where it cannot
 * see us, and hang.  Nothing is left to free that matters. */
static _Noreturn void leave_node(int rc)
{
  fflush(NULL);
  _exit(rc);
}

static volatile sig_atomic_t child_pid;

/* Signals sent to nodelab by kill(2) are passed on to the command.  Those the
 * terminal generates (Ctrl-C, hangup) reach the whole foreground process
 * group, the command included, so passing them on would deliver them twice. */
static void forward_signal(int sig, siginfo_t *si, void *uc)
{
  if (si->si_code == SI_KERNEL)
    return;
  if (child_pid > 0)
    kill(child_pid, sig);
}

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

/* Runs argv (a NULL-terminated list of candidates when `fallbacks`: each
 * argv[i] a command line, the first that exists wins) in a child that
 * inherits the namespaces already entered, and returns its exit status. */
static int run_child(const struct cli_invocation *inv, const char *node, char *const *argvs[],
                     size_t n_argvs, bool shell)
{
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    /* ENOMEM here means the node's pid namespace has lost its init. */
    cli_errorf(inv, "fork in node %s: %s", node, strerror(e));
    return CLI_EXIT_FAIL;
  }
  if (pid == 0) {
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
      signal(forwarded[i], SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    setenv("PATH", SANE_PATH, 1);
    setenv("NODELAB_NODE", node, 1);
    if (shell) {
      char ps1[128];
      snprintf(ps1, sizeof ps1, "[%s \\W]\\$ ", node);
      setenv("PS1", ps1, 1);
      /* Login rc files of bash set PS1 again; re-assert it before each prompt. */
      char pc[192];
      snprintf(pc, sizeof pc, "PS1='%s'", ps1);
      setenv("PROMPT_COMMAND", pc, 1);
    }
    int e = ENOENT;
    for (size_t i = 0; i < n_argvs; i++) {
      execvp(argvs[i][0], argvs[i]);
      e = errno;
      if (e != ENOENT)
        break;
    }
    fprintf(stderr, "nodelab %s: %s in node %s: %s\n", inv->verb->name, argvs[0][0], node,
            strerror(e));
    _exit(e == ENOENT ? 127 : 126);
  }

  child_pid = pid;
  struct sigaction sa = {.sa_sigaction = forward_signal, .sa_flags = SA_SIGINFO | SA_RESTART};
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
    sigaction(forwarded[i], &sa, NULL);
  sigprocmask(SIG_SETMASK, &old, NULL);

  int status;
  for (;;) {
    pid_t w = waitpid(pid, &status, 0);
    if (w == pid)
      break;
    if (w < 0 && errno != EINTR) {
      cli_errorf(inv, "waitpid %d: %s", (int)pid, strerror(errno));
      return CLI_EXIT_FAIL;
    }
  }
  child_pid = 0;
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return CLI_EXIT_FAIL;
}

/* Everything up to the fork: resolve the lab and the node, verify the node's
 * process is the one the daemon started, join its cgroup and namespaces. */
static int enter_node(const struct cli_invocation *inv, const char *node)
{
  cleanup_error struct lab_error *err = NULL;
  cleanup_free char *lab = NULL;
  if (geteuid() != 0) {
    cli_errorf(inv, "must run as root (entering a node's namespaces needs CAP_SYS_ADMIN)");
    return -1;
  }
  if (cli_resolve_lab(cli_opt(inv, "lab"), &lab, &err) < 0) {
    cli_errorf(inv, "%s", err->msg);
    return -1;
  }
  struct node_target t = {0};
  if (find_node(lab, node, &t, &err) < 0) {
    if (http_error_is_unreachable(err))
      cli_errorf(inv, "lab %s: nodelabd is not running", lab);
    else
      cli_errorf(inv, "%s", err->msg);
    return -1;
  }
  cleanup_free char *cg = t.cgroup;
  if (!proc_is_same(t.pid, t.starttime)) {
    cli_errorf(inv, "node %s of lab %s: its process %d (start time %" PRIu64 ") is gone", node, lab,
               (int)t.pid, t.starttime);
    return -1;
  }
  /* The cgroup first: after entering the node's mount namespace,
   * /sys/fs/cgroup may be the node's view, not the host's. */
  if (cg != NULL && join_node_cgroups(t.pid, cg, &err) < 0) {
    cli_errorf(inv, "joining the cgroup of node %s: %s", node, err->msg);
    return -1;
  }
  static const char *const types[] = {"net", "uts", "ipc", "pid", "cgroup", "mnt", NULL};
  if (ns_enter(t.pid, types, &err) < 0) {
    cli_errorf(inv, "entering node %s: %s", node, err->msg);
    leave_node(CLI_EXIT_FAIL);
  }
  return 0;
}

int cli_exec(const struct cli_invocation *inv)
{
  const char *node = inv->argv[0];
  if (inv->cmd_argc == 0) {
    fprintf(stderr,
            "nodelab exec: no command given\nUsage: nodelab exec %s\n"
            "Run 'nodelab exec --help' for more.\n",
            inv->verb->usage);
    return CLI_EXIT_USAGE;
  }
  /* NODE/POD[/CTR], --node, or a name that is no node: a container. */
  if (strchr(node, '/') != NULL || cli_opt(inv, "node") != NULL ||
      !cli_target_is_node(cli_opt(inv, "lab"), node))
    return cli_container_exec(inv, node, inv->cmd_argv, cli_flag(inv, "tty"),
                              cli_flag(inv, "interactive"));
  if (enter_node(inv, node) < 0)
    return CLI_EXIT_FAIL;
  char *const *argvs[] = {inv->cmd_argv};
  leave_node(run_child(inv, node, argvs, 1, false));
}

int cli_shell(const struct cli_invocation *inv)
{
  const char *node = inv->argv[0];
  if (strchr(node, '/') != NULL) {
    char *sh[] = {(char *)"/bin/sh", NULL};
    return cli_container_exec(inv, node, sh, isatty(0) != 0, true);
  }
  if (enter_node(inv, node) < 0)
    return CLI_EXIT_FAIL;
  const char *sh = getenv("SHELL");
  char *user_shell[] = {(char *)(sh && sh[0] ? sh : "/bin/bash"), (char *)"-l", NULL};
  char *bash[] = {(char *)"/bin/bash", (char *)"-l", NULL};
  char *dash[] = {(char *)"/bin/sh", (char *)"-l", NULL};
  char *const *argvs[] = {user_shell, bash, dash};
  leave_node(run_child(inv, node, argvs, 3, true));
}
