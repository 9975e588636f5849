/* nodelab-runtime: the node's container runtime, podman-like verbs over
 * nodelab-runtime-lib.  main() only parses arguments. */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <json-c/json.h>

#include "container.h"
#include "error.h"
#include "id.h"
#include "image.h"
#include "log.h"
#include "rpc.h"
#include "serve.h"
#include "units.h"

struct globals {
  const char *root, *images, *cgroup_root, *cgroup_parent;
};
static struct globals g;

static int fail(struct lab_error **err)
{
  fprintf(stderr, "nodelab-runtime: %s\n", (*err)->msg);
  lab_error_clear(err);
  return 1;
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...);
static int usage_error(const char *fmt, ...)
{
  fprintf(stderr, "nodelab-runtime: ");
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n");
  return 2;
}

/* Starts c under its monitor and prints its id, as `run -d` does; on failure
 * removes it, so nothing is left.  Closes the store either way. */
static int start_detached_and_print(struct ctr_store *s, struct container *c)
{
  struct lab_error *err = NULL;
  if (container_start_detached(s, c, &err) < 0) {
    fprintf(stderr, "nodelab-runtime: %s\n", err->msg);
    lab_error_clear(&err);
    if (container_remove(s, c, true, &err) < 0)
      lab_error_clear(&err);
    ctr_store_close(s);
    return 1;
  }
  printf("%s\n", container_id(c));
  container_free(c);
  ctr_store_close(s);
  return 0;
}

static int open_store(struct ctr_store **s, struct lab_error **err)
{
  return ctr_store_open(g.root, g.images, g.cgroup_root, g.cgroup_parent, s, err);
}

static int parse_cpus(const char *s, uint64_t *millis)
{
  char *end;
  size_t len = strlen(s);
  if (len > 1 && s[len - 1] == 'm') {
    unsigned long long v = strtoull(s, &end, 10);
    if (end != s + len - 1)
      return -1;
    *millis = v;
    return 0;
  }
  double v = strtod(s, &end);
  if (end == s || *end || v < 0)
    return -1;
  *millis = (uint64_t)(v * 1000 + 0.5);
  return 0;
}

enum {
  OPT_NAME = 256,
  OPT_MEMORY,
  OPT_CPUS,
  OPT_PIDS,
  OPT_SECOPT,
  OPT_RM,
  OPT_POD,
  OPT_NET,
  OPT_HOSTNAME,
  OPT_NOTRUNC,
  OPT_JSON,
};

struct create_opts {
  struct ctr_spec spec;
  struct ctr_volume vols[32];
  const char *env[64];
  size_t n_env;
  bool detach, rm, interactive;
};

static int parse_create(int argc, char **argv, struct create_opts *o)
{
  static const struct option longopts[] = {
      {"name", required_argument, NULL, OPT_NAME},
      {"memory", required_argument, NULL, OPT_MEMORY},
      {"cpus", required_argument, NULL, OPT_CPUS},
      {"pids-limit", required_argument, NULL, OPT_PIDS},
      {"security-opt", required_argument, NULL, OPT_SECOPT},
      {"rm", no_argument, NULL, OPT_RM},
      {"pod", required_argument, NULL, OPT_POD},
      {"net", required_argument, NULL, OPT_NET},
      {"network", required_argument, NULL, OPT_NET},
      {"hostname", required_argument, NULL, OPT_HOSTNAME},
      {"volume", required_argument, NULL, 'v'},
      {"env", required_argument, NULL, 'e'},
      {"detach", no_argument, NULL, 'd'},
      {"interactive", no_argument, NULL, 'i'},
      {"tty", no_argument, NULL, 't'},
      {NULL, 0, NULL, 0},
  };
  int ch;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "+dite:v:m:", longopts, NULL)) != -1) {
    switch (ch) {
    case 'd':
      o->detach = true;
      break;
    case 'i':
    case 't':
      o->interactive = true; /* a TTY comes with the daemon; the CLI inherits stdio */
      break;
    case OPT_NAME:
      o->spec.name = optarg;
      break;
    case 'm':
    case OPT_MEMORY:
      if (units_parse_bytes(optarg, &o->spec.limits.memory_bytes) < 0)
        return usage_error("--memory %s: expected a size such as 32Mi or 64m", optarg);
      break;
    case OPT_CPUS:
      if (parse_cpus(optarg, &o->spec.limits.cpu_millis) < 0)
        return usage_error("--cpus %s: expected a number such as 0.5 or 500m", optarg);
      break;
    case OPT_PIDS: {
      char *end;
      long v = strtol(optarg, &end, 10);
      if (*end || v < 0)
        return usage_error("--pids-limit %s: expected a count", optarg);
      o->spec.limits.pids = (uint64_t)v;
      break;
    }
    case OPT_SECOPT:
      if (strncmp(optarg, "seccomp=", 8) != 0)
        return usage_error("--security-opt %s: only seccomp=FILE|unconfined is supported", optarg);
      o->spec.seccomp_profile = optarg + 8;
      break;
    case OPT_RM:
      o->rm = true;
      break;
    case OPT_POD:
      o->spec.pod = optarg;
      break;
    case OPT_NET:
      if (strcmp(optarg, "host") == 0)
        o->spec.net = CTR_NET_HOST;
      else if (strcmp(optarg, "none") == 0 || strcmp(optarg, "private") == 0)
        o->spec.net = CTR_NET_PRIVATE;
      else
        return usage_error("--net %s: expected host or none", optarg);
      break;
    case OPT_HOSTNAME:
      o->spec.hostname = optarg;
      break;
    case 'e':
      if (o->n_env + 1 >= sizeof o->env / sizeof o->env[0])
        return usage_error("too many -e options");
      o->env[o->n_env++] = optarg;
      break;
    case 'v': {
      if (o->spec.n_volumes >= sizeof o->vols / sizeof o->vols[0])
        return usage_error("too many -v options");
      char *spec = optarg;
      struct ctr_volume *v = &o->vols[o->spec.n_volumes];
      char *first = strchr(spec, ':');
      if (first == NULL)
        return usage_error("-v %s: expected HOST:CONTAINER[:Z|:ro]", spec);
      *first = '\0';
      v->host = spec;
      v->ctr = first + 1;
      char *opts = strchr(first + 1, ':');
      if (opts) {
        *opts++ = '\0';
        for (char *tok = strtok(opts, ","); tok; tok = strtok(NULL, ",")) {
          if (strcmp(tok, "Z") == 0 || strcmp(tok, "z") == 0)
            v->relabel = true;
          else if (strcmp(tok, "ro") == 0)
            v->readonly = true;
          else if (strcmp(tok, "rw") != 0)
            return usage_error("-v: unknown option %s", tok);
        }
      }
      o->spec.n_volumes++;
      o->spec.volumes = o->vols;
      break;
    }
    default:
      return 2;
    }
  }
  if (optind >= argc)
    return usage_error("missing IMAGE");
  o->spec.image = argv[optind];
  o->spec.argv = optind + 1 < argc ? (const char *const *)&argv[optind + 1] : NULL;
  o->env[o->n_env] = NULL;
  o->spec.env = o->env;
  return 0;
}

static int cmd_create_or_run(int argc, char **argv, bool run)
{
  struct create_opts o = {0};
  int rc = parse_create(argc, argv, &o);
  if (rc)
    return rc;
  struct lab_error *err = NULL;
  struct ctr_store *s = NULL;
  struct container *c = NULL;
  if (open_store(&s, &err) < 0 || container_create(s, &o.spec, &c, &err) < 0) {
    ctr_store_close(s);
    return fail(&err);
  }
  if (!run) {
    printf("%s\n", container_id(c));
    container_free(c);
    ctr_store_close(s);
    return 0;
  }
  if (o.detach) {
    return start_detached_and_print(s, c);
  }
  /* foreground: this process is the container's parent (no monitor) */
  signal(SIGINT, SIG_IGN);
  if (container_start(s, c, false, &err) < 0) {
    fprintf(stderr, "nodelab-runtime: %s\n", err->msg);
    lab_error_clear(&err);
    if (container_remove(s, c, true, &err) < 0)
      lab_error_clear(&err);
    ctr_store_close(s);
    return 125;
  }
  if (container_wait(s, c, &err) < 0) {
    container_free(c);
    ctr_store_close(s);
    return fail(&err);
  }
  int code = container_exit_code(c);
  if (o.rm) {
    if (container_remove(s, c, true, &err) < 0) {
      ctr_store_close(s);
      return fail(&err);
    }
  } else {
    container_free(c);
  }
  ctr_store_close(s);
  return code;
}

typedef int (*each_fn)(struct ctr_store *s, struct container *c, void *arg, struct lab_error **err);

/* Runs fn on each named container; prints the name given on success (podman does). */
static int for_each(int first, int argc, char **argv, each_fn fn, void *arg, bool print)
{
  if (first >= argc)
    return usage_error("missing container name or id");
  struct lab_error *err = NULL;
  struct ctr_store *s = NULL;
  if (open_store(&s, &err) < 0)
    return fail(&err);
  int rc = 0;
  for (int i = first; i < argc; i++) {
    struct container *c = NULL;
    if (container_lookup(s, argv[i], &c, &err) < 0 || fn(s, c, arg, &err) < 0) {
      fprintf(stderr, "nodelab-runtime: %s\n", err->msg);
      lab_error_clear(&err);
      rc = 1;
    } else if (print) {
      printf("%s\n", argv[i]);
    }
  }
  ctr_store_close(s);
  return rc;
}

static int do_start(struct ctr_store *s, struct container *c, void *arg, struct lab_error **err)
{
  int rc = container_start_detached(s, c, err);
  container_free(c);
  return rc;
}

static int do_stop(struct ctr_store *s, struct container *c, void *arg, struct lab_error **err)
{
  int rc = container_stop(s, c, *(int *)arg, err);
  container_free(c);
  return rc;
}

static int do_kill(struct ctr_store *s, struct container *c, void *arg, struct lab_error **err)
{
  int rc = container_kill(s, c, *(int *)arg, err);
  container_free(c);
  return rc;
}

static int do_rm(struct ctr_store *s, struct container *c, void *arg, struct lab_error **err)
{
  return container_remove(s, c, *(bool *)arg, err);
}

static int do_mount(struct ctr_store *s, struct container *c, void *arg, struct lab_error **err)
{
  int rc = container_mount(s, c, err);
  if (rc == 0)
    printf("%s\n", container_merged_dir(c));
  container_free(c);
  return rc;
}

static int do_umount(struct ctr_store *s, struct container *c, void *arg, struct lab_error **err)
{
  int rc = container_unmount(s, c, err);
  container_free(c);
  return rc;
}

static int do_inspect(struct ctr_store *s, struct container *c, void *arg, struct lab_error **err)
{
  json_object_array_add((struct json_object *)arg, container_inspect_json(s, c));
  container_free(c);
  return 0;
}

static int cmd_start(int argc, char **argv)
{
  int first = 1;
  if (first < argc && (strcmp(argv[first], "-a") == 0 || strcmp(argv[first], "--attach") == 0)) {
    struct lab_error *err = NULL;
    struct ctr_store *s = NULL;
    struct container *c = NULL;
    if (first + 1 >= argc)
      return usage_error("missing container name or id");
    if (open_store(&s, &err) < 0 || container_lookup(s, argv[first + 1], &c, &err) < 0 ||
        container_start(s, c, false, &err) < 0 || container_wait(s, c, &err) < 0) {
      container_free(c);
      ctr_store_close(s);
      return fail(&err);
    }
    int code = container_exit_code(c);
    container_free(c);
    ctr_store_close(s);
    return code;
  }
  return for_each(first, argc, argv, do_start, NULL, true);
}

static int cmd_stop(int argc, char **argv)
{
  int timeout = 10, first = 1;
  if (argc > 2 && (strcmp(argv[1], "-t") == 0 || strcmp(argv[1], "--time") == 0)) {
    timeout = atoi(argv[2]);
    first = 3;
  }
  return for_each(first, argc, argv, do_stop, &timeout, true);
}

static int cmd_kill(int argc, char **argv)
{
  int sig = SIGKILL, first = 1;
  if (argc > 2 && (strcmp(argv[1], "-s") == 0 || strcmp(argv[1], "--signal") == 0)) {
    sig = units_parse_signal(argv[2]);
    if (sig < 0)
      return usage_error("unknown signal %s", argv[2]);
    first = 3;
  }
  return for_each(first, argc, argv, do_kill, &sig, true);
}

static int cmd_rm(int argc, char **argv)
{
  bool force = false;
  int first = 1;
  if (argc > 1 && (strcmp(argv[1], "-f") == 0 || strcmp(argv[1], "--force") == 0)) {
    force = true;
    first = 2;
  }
  return for_each(first, argc, argv, do_rm, &force, true);
}

static int cmd_mount(int argc, char **argv)
{
  return for_each(1, argc, argv, do_mount, NULL, false);
}

static int cmd_umount(int argc, char **argv)
{
  return for_each(1, argc, argv, do_umount, NULL, true);
}

static int cmd_inspect(int argc, char **argv)
{
  struct json_object *arr = json_object_new_array();
  int rc = for_each(1, argc, argv, do_inspect, arr, false);
  printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put(arr);
  return rc;
}

static int cmd_logs(int argc, char **argv)
{
  if (argc < 2)
    return usage_error("missing container name or id");
  struct lab_error *err = NULL;
  struct ctr_store *s = NULL;
  struct container *c = NULL;
  if (open_store(&s, &err) < 0 || container_lookup(s, argv[1], &c, &err) < 0) {
    ctr_store_close(s);
    return fail(&err);
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/../ctr.log", container_merged_dir(c));
  FILE *f = fopen(path, "re");
  if (f != NULL) {
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
      fwrite(buf, 1, n, stdout);
    fclose(f);
  }
  container_free(c);
  ctr_store_close(s);
  return 0;
}

static int cmd_exec(int argc, char **argv)
{
  int first = 1;
  while (first < argc && argv[first][0] == '-' && strcmp(argv[first], "--") != 0)
    first++; /* -i, -t, -it: stdio is inherited */
  if (first < argc && strcmp(argv[first], "--") == 0)
    first++;
  if (first + 1 >= argc)
    return usage_error("usage: exec CONTAINER CMD...");
  struct lab_error *err = NULL;
  struct ctr_store *s = NULL;
  struct container *c = NULL;
  if (open_store(&s, &err) < 0 || container_lookup(s, argv[first], &c, &err) < 0) {
    ctr_store_close(s);
    return fail(&err);
  }
  int code = container_exec(s, c, (const char *const *)&argv[first + 1], &err);
  container_free(c);
  ctr_store_close(s);
  if (code < 0) {
    fprintf(stderr, "nodelab-runtime: %s\n", err->msg);
    lab_error_clear(&err);
    return 126;
  }
  return code;
}

static int cmd_ps(int argc, char **argv)
{
  bool all = false, quiet = false, latest = false, notrunc = false, labels = false, json = false;
  static const struct option longopts[] = {
      {"all", no_argument, NULL, 'a'},       {"quiet", no_argument, NULL, 'q'},
      {"latest", no_argument, NULL, 'l'},    {"no-trunc", no_argument, NULL, OPT_NOTRUNC},
      {"json", no_argument, NULL, OPT_JSON}, {NULL, 0, NULL, 0},
  };
  int ch;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "aqlZ", longopts, NULL)) != -1) {
    switch (ch) {
    case 'a':
      all = true;
      break;
    case 'q':
      quiet = true;
      break;
    case 'l':
      latest = true;
      break;
    case 'Z':
      labels = true;
      break;
    case OPT_NOTRUNC:
      notrunc = true;
      break;
    case OPT_JSON:
      json = true;
      break;
    default:
      return 2;
    }
  }
  struct lab_error *err = NULL;
  struct ctr_store *s = NULL;
  struct container **list = NULL;
  size_t n = 0;
  if (open_store(&s, &err) < 0 || container_list(s, &list, &n, &err) < 0) {
    ctr_store_close(s);
    return fail(&err);
  }
  size_t from = latest && n > 0 ? n - 1 : 0;
  struct json_object *arr = json ? json_object_new_array() : NULL;
  if (!quiet && !json)
    printf("%-*s  %-20s  %-24s  %-16s  %-20s%s\n", notrunc ? 64 : 12, "CONTAINER ID", "IMAGE",
           "COMMAND", "STATUS", "NAMES", labels ? "  LABEL" : "");
  for (size_t i = from; i < n; i++) {
    struct container *c = list[i];
    if (!all && !latest && container_state(c) != CONTAINER_RUNNING)
      continue;
    char shortid[CTR_SHORT_ID_LEN + 1];
    ctr_id_short(container_id(c), shortid);
    const char *id = notrunc ? container_id(c) : shortid;
    if (json) {
      json_object_array_add(arr, container_inspect_json(s, c));
      continue;
    }
    if (quiet) {
      printf("%s\n", id);
      continue;
    }
    char cmd[256] = "";
    const char *const *argvv = container_command(c);
    for (size_t k = 0; argvv && argvv[k]; k++) {
      strncat(cmd, argvv[k], sizeof cmd - strlen(cmd) - 2);
      if (argvv[k + 1])
        strncat(cmd, " ", sizeof cmd - strlen(cmd) - 1);
    }
    if (!notrunc && strlen(cmd) > 24)
      strcpy(cmd + 21, "...");
    char *status = container_ps_status(c);
    printf("%-*s  %-20s  %-24s  %-16s  %-20s", notrunc ? 64 : 12, id, container_image(c), cmd,
           status, container_name(c));
    if (labels)
      printf("  %s%s", container_label(c), container_label_enforced(c) ? "" : " (not enforced)");
    printf("\n");
    free(status);
  }
  if (json) {
    printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
                                                           JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(arr);
  }
  container_list_free(list, n);
  ctr_store_close(s);
  return 0;
}

static int cmd_pod(int argc, char **argv)
{
  if (argc >= 3 && strcmp(argv[1], "create") == 0) {
    struct ctr_spec spec = {.name = argv[2], .infra = true};
    if (argc >= 5 && strcmp(argv[3], "--hostname") == 0)
      spec.hostname = argv[4];
    struct lab_error *err = NULL;
    struct ctr_store *s = NULL;
    struct container *c = NULL;
    if (open_store(&s, &err) < 0 || container_create(s, &spec, &c, &err) < 0) {
      ctr_store_close(s);
      return fail(&err);
    }
    return start_detached_and_print(s, c);
  }
  if (argc >= 3 && strcmp(argv[1], "rm") == 0) {
    bool force = true;
    return for_each(2, argc, argv, do_rm, &force, true);
  }
  return usage_error("usage: pod create NAME [--hostname H] | pod rm NAME");
}

static int cmd_image(int argc, char **argv)
{
  struct lab_error *err = NULL;
  if (argc >= 3 && strcmp(argv[1], "build") == 0) {
    const char *kind = argv[2], *name = argv[2], *busybox = "/bin/busybox";
    for (int i = 3; i + 1 < argc; i += 2) {
      if (strcmp(argv[i], "--name") == 0)
        name = argv[i + 1];
      else if (strcmp(argv[i], "--busybox") == 0)
        busybox = argv[i + 1];
      else
        return usage_error("image build: unknown option %s", argv[i]);
    }
    if (image_build(g.images, kind, name, busybox, &err) < 0)
      return fail(&err);
    printf("%s\n", name);
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "import") == 0) {
    char *name = NULL;
    if (image_import(g.images, argv[2], argc > 3 ? argv[3] : NULL, &name, &err) < 0)
      return fail(&err);
    printf("%s\n", name);
    free(name);
    return 0;
  }
  if (argc >= 2 && strcmp(argv[1], "ls") == 0) {
    struct image_info **list = NULL;
    size_t n = 0;
    if (image_list(g.images, &list, &n, &err) < 0)
      return fail(&err);
    printf("%-20s  %-22s  %s\n", "IMAGE", "CREATED", "COMMAND");
    for (size_t i = 0; i < n; i++) {
      char cmd[256] = "";
      char **parts[2] = {list[i]->entrypoint, list[i]->cmd};
      for (int p = 0; p < 2; p++)
        for (size_t k = 0; parts[p] && parts[p][k]; k++) {
          strncat(cmd, parts[p][k], sizeof cmd - strlen(cmd) - 2);
          strncat(cmd, " ", sizeof cmd - strlen(cmd) - 1);
        }
      printf("%-20s  %-22s  %s\n", list[i]->name, list[i]->created, cmd);
    }
    image_list_free(list, n);
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "rm") == 0) {
    if (image_remove(g.images, argv[2], &err) < 0)
      return fail(&err);
    printf("%s\n", argv[2]);
    return 0;
  }
  return usage_error("usage: image build ubi|on-off [--name N] [--busybox PATH] | image import "
                     "PATH [NAME] | image ls | image rm NAME%s",
                     "");
}

static int cmd_serve(int argc, char **argv)
{
  static const struct option longopts[] = {
      {"socket", required_argument, NULL, 's'},
      {"root", required_argument, NULL, 'r'},
      {"cgroup-parent", required_argument, NULL, 'c'},
      {"cgroup-root", required_argument, NULL, 'C'},
      {"node", required_argument, NULL, 'n'},
      {"subnet", required_argument, NULL, 'S'},
      {"gateway", required_argument, NULL, 'g'},
      {"mtu", required_argument, NULL, 'm'},
      {"netd", required_argument, NULL, 'N'},
      {"busybox", required_argument, NULL, 'b'},
      {NULL, 0, NULL, 0},
  };
  struct rt_serve_config cfg = {.socket = "/run/nodelab/runtime.sock",
                                .root = "/var/lib/nodelab",
                                .cgroup_root = g.cgroup_root,
                                .cgroup_parent = g.cgroup_parent,
                                .mtu = 1450,
                                .busybox = "/bin/busybox"};
  int ch;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
    switch (ch) {
    case 's':
      cfg.socket = optarg;
      break;
    case 'r':
      cfg.root = optarg;
      break;
    case 'c':
      cfg.cgroup_parent = optarg;
      break;
    case 'C':
      cfg.cgroup_root = optarg;
      break;
    case 'n':
      cfg.node = optarg;
      break;
    case 'S':
      cfg.subnet = optarg;
      break;
    case 'g':
      cfg.gateway = optarg;
      break;
    case 'm':
      cfg.mtu = atoi(optarg);
      break;
    case 'N':
      cfg.netd = optarg;
      break;
    case 'b':
      cfg.busybox = optarg;
      break;
    default:
      return 2;
    }
  }
  if (optind < argc)
    return usage_error("serve: unexpected argument %s", argv[optind]);
  struct lab_error *err = NULL;
  if (rt_serve(&cfg, &err) < 0)
    return fail(&err);
  return 0;
}

/* A raw client for tests and debugging: one request, its reply on stdout;
 * an attached process (exec, run without detach or tty) gets our stdio and
 * we exit with its status. */
static int cmd_call(int argc, char **argv)
{
  const char *sock = "/run/nodelab/runtime.sock";
  int i = 1;
  if (i + 1 < argc && strcmp(argv[i], "--socket") == 0) {
    sock = argv[i + 1];
    i += 2;
  }
  if (i + 1 != argc)
    return usage_error("usage: call [--socket PATH] REQUEST-JSON");
  struct json_object *req = json_tokener_parse(argv[i]);
  if (req == NULL || !json_object_is_type(req, json_type_object))
    return usage_error("call: the request is not a JSON object");
  struct json_object *v;
  const char *op = json_object_object_get_ex(req, "op", &v) ? json_object_get_string(v) : "";
  bool tty = json_object_object_get_ex(req, "tty", &v) && json_object_get_boolean(v);
  bool detach = json_object_object_get_ex(req, "detach", &v) && json_object_get_boolean(v);
  bool attached = !tty && (strcmp(op, "exec") == 0 || (strcmp(op, "run") == 0 && !detach));
  struct lab_error *err = NULL;
  int fd = rpc_connect(sock, &err);
  if (fd < 0)
    return fail(&err);
  static const int stdio[3] = {0, 1, 2};
  struct json_object *reply = NULL;
  if (rpc_send(fd, req, stdio, attached ? 3 : 0) < 0 || rpc_recv(fd, &reply, NULL, 0, NULL) <= 0) {
    fprintf(stderr, "nodelab-runtime: call: %s\n", strerror(errno ? errno : EPIPE));
    return 1;
  }
  json_object_put(req);
  bool ok = json_object_object_get_ex(reply, "ok", &v) && json_object_get_boolean(v);
  if (!attached || !ok) {
    printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(reply);
    close(fd);
    return ok ? 0 : 1;
  }
  json_object_put(reply);
  struct json_object *ev = NULL;
  int rc = 1;
  if (rpc_recv(fd, &ev, NULL, 0, NULL) > 0 && json_object_object_get_ex(ev, "status", &v))
    rc = json_object_get_int(v);
  json_object_put(ev);
  close(fd);
  return rc;
}

static int cmd_create(int argc, char **argv)
{
  return cmd_create_or_run(argc, argv, false);
}
static int cmd_run(int argc, char **argv)
{
  return cmd_create_or_run(argc, argv, true);
}

static const struct {
  const char *name;
  int (*fn)(int argc, char **argv);
  const char *help;
} verbs[] = {
    {"run", cmd_run,
     "run [-d] [--rm] [--name N] [--memory M] [--cpus C] [--pids-limit P] [-v "
     "H:C[:Z]] [--security-opt seccomp=F] [--pod P] IMAGE [CMD...]"},
    {"create", cmd_create, "create [options as run] IMAGE [CMD...]"},
    {"start", cmd_start, "start [-a] CONTAINER..."},
    {"stop", cmd_stop, "stop [-t SECONDS] CONTAINER..."},
    {"kill", cmd_kill, "kill [-s SIGNAL] CONTAINER..."},
    {"rm", cmd_rm, "rm [-f] CONTAINER..."},
    {"mount", cmd_mount, "mount CONTAINER..."},
    {"umount", cmd_umount, "umount CONTAINER..."},
    {"inspect", cmd_inspect, "inspect CONTAINER..."},
    {"logs", cmd_logs, "logs CONTAINER"},
    {"exec", cmd_exec, "exec [-it] CONTAINER CMD..."},
    {"ps", cmd_ps, "ps [-a] [-q] [-l] [--no-trunc] [-Z] [--json]"},
    {"pod", cmd_pod, "pod create NAME [--hostname H] | pod rm NAME"},
    {"image", cmd_image, "image build|import|ls|rm ..."},
    {"serve", cmd_serve,
     "serve [--socket S] [--root DIR] [--cgroup-parent P] [--node N] [--subnet CIDR "
     "--gateway IP] [--mtu N] [--netd CTL] [--busybox PATH]"},
    {"call", cmd_call, "call [--socket S] REQUEST-JSON"},
};

static void usage(FILE *f)
{
  fprintf(f, "usage: nodelab-runtime [--root DIR] [--images DIR] [--cgroup-parent PATH] "
             "[--cgroup-root DIR] VERB ...\n");
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    fprintf(f, "  %s\n", verbs[i].help);
}

int main(int argc, char **argv)
{
  g.root = getenv("NODELAB_RUNTIME_ROOT") ? getenv("NODELAB_RUNTIME_ROOT")
                                          : "/var/lib/nodelab/containers";
  g.images =
      getenv("NODELAB_IMAGE_STORE") ? getenv("NODELAB_IMAGE_STORE") : "/var/lib/nodelab/images";
  g.cgroup_parent =
      getenv("NODELAB_CGROUP_PARENT") ? getenv("NODELAB_CGROUP_PARENT") : "nodelab/runtime";
  g.cgroup_root = "/sys/fs/cgroup";
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i += 2) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      return 0;
    }
    if (i + 1 >= argc)
      return usage_error("%s needs a value", argv[i]);
    if (strcmp(argv[i], "--root") == 0)
      g.root = argv[i + 1];
    else if (strcmp(argv[i], "--images") == 0)
      g.images = argv[i + 1];
    else if (strcmp(argv[i], "--cgroup-parent") == 0)
      g.cgroup_parent = argv[i + 1];
    else if (strcmp(argv[i], "--cgroup-root") == 0)
      g.cgroup_root = argv[i + 1];
    else
      return usage_error("unknown option %s", argv[i]);
  }
  if (i >= argc) {
    usage(stderr);
    return 2;
  }
  for (size_t v = 0; v < sizeof verbs / sizeof verbs[0]; v++)
    if (strcmp(verbs[v].name, argv[i]) == 0)
      return verbs[v].fn(argc - i, argv + i);
  usage(stderr);
  return usage_error("unknown verb %s", argv[i]);
}
