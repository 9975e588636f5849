#include "podman-opts.h"
#include "strv.h"
#include "xalloc.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "units.h"

enum {
  O_NAME = 256,
  O_CPUS,
  O_PIDS,
  O_SECOPT,
  O_RM,
  O_NET,
  O_HOSTNAME,
  O_POD,
  O_PRIVILEGED,
  O_ENTRYPOINT,
  O_EXTRA, /* O_EXTRA + i: the caller's option i */
};

static const struct option podman_options[] = {
    {"name", required_argument, NULL, O_NAME},
    {"memory", required_argument, NULL, 'm'},
    {"cpus", required_argument, NULL, O_CPUS},
    {"pids-limit", required_argument, NULL, O_PIDS},
    {"security-opt", required_argument, NULL, O_SECOPT},
    {"rm", no_argument, NULL, O_RM},
    {"net", required_argument, NULL, O_NET},
    {"network", required_argument, NULL, O_NET},
    {"hostname", required_argument, NULL, O_HOSTNAME},
    {"pod", required_argument, NULL, O_POD},
    {"privileged", no_argument, NULL, O_PRIVILEGED},
    {"entrypoint", required_argument, NULL, O_ENTRYPOINT},
    {"volume", required_argument, NULL, 'v'},
    {"env", required_argument, NULL, 'e'},
    {"detach", no_argument, NULL, 'd'},
    {"interactive", no_argument, NULL, 'i'},
    {"tty", no_argument, NULL, 't'},
};
#define N_PODMAN (sizeof podman_options / sizeof podman_options[0])

int podman_parse_cpus(const char *s, uint64_t *millis)
{
  char *end;
  size_t len = strlen(s);
  if (len > 1 && s[len - 1] == 'm') {
    if (s[0] < '0' || s[0] > '9')
      return -1;
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

/* An absolute version of a path given relative to the working directory. */
static char *absolute(const char *p)
{
  char *out = NULL;
  char cwd[PATH_MAX];
  if (p[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
    out = strdup(p);
  else if (asprintf(&out, "%s/%s", cwd, p) < 0)
    out = NULL;
  if (out == NULL)
    abort();
  return out;
}

/* -v HOST:CTR[:OPTS] with OPTS a list of Z, z, ro, rw separated by ',' or ':'. */
static int parse_volume(const char *arg, struct rt_rpc_spec *s, struct lab_error **err)
{
  char *spec = xstrdup(arg);
  char *first = strchr(spec, ':');
  if (first == NULL || first == spec || first[1] != '/') {
    free(spec);
    return lab_error_set(err, 0, "-v %s: expected HOST-PATH:CONTAINER-PATH[:Z][:ro]", arg);
  }
  *first = '\0';
  char *opts = strchr(first + 1, ':');
  if (opts != NULL)
    *opts++ = '\0';
  bool relabel = false, ro = false;
  char *save = NULL;
  for (char *tok = opts ? strtok_r(opts, ",:", &save) : NULL; tok;
       tok = strtok_r(NULL, ",:", &save)) {
    if (strcmp(tok, "Z") == 0 || strcmp(tok, "z") == 0) {
      relabel = true;
    } else if (strcmp(tok, "ro") == 0) {
      ro = true;
    } else if (strcmp(tok, "rw") != 0) {
      lab_error_set(err, 0, "-v %s: unknown option %s (expected Z, ro or rw)", arg, tok);
      free(spec);
      return -1;
    }
  }
  char *host = absolute(spec);
  rt_rpc_spec_add_volume(s, host, first + 1, relabel, ro);
  free(host);
  free(spec);
  return 0;
}

/* The last of a repeated option wins. */
static void set_str(char **field, const char *arg)
{
  free(*field);
  if ((*field = strdup(arg)) == NULL)
    abort();
}

static int parse_one(int ch, const char *arg, struct podman_run_opts *o, struct lab_error **err)
{
  struct rt_rpc_spec *s = &o->run.spec;
  switch (ch) {
  case 'd':
    o->run.detach = true;
    return 0;
  case 'i':
    o->interactive = true;
    return 0;
  case 't':
    o->run.tty = true;
    return 0;
  case O_RM:
    o->run.rm = true;
    return 0;
  case O_PRIVILEGED:
    s->privileged = true;
    return 0;
  case O_NAME:
    set_str(&s->name, arg);
    return 0;
  case O_HOSTNAME:
    set_str(&s->hostname, arg);
    return 0;
  case O_POD:
    set_str(&s->pod, arg);
    return 0;
  case O_NET:
    /* podman's modes: bridge (= private, the default) is the node's cluster
     * network, none a namespace with lo only, host the node's */
    if (rt_rpc_net_from_name(arg, &s->net) < 0)
      return lab_error_set(err, 0, "--network %s: expected bridge, none or host", arg);
    return 0;
  case 'm':
    if (units_parse_bytes(arg, &s->memory_bytes) < 0)
      return lab_error_set(err, 0, "--memory %s: expected a size such as 32Mi, 64m or 1g", arg);
    return 0;
  case O_CPUS:
    if (podman_parse_cpus(arg, &s->cpu_millis) < 0)
      return lab_error_set(err, 0, "--cpus %s: expected a number such as 0.5 or 500m", arg);
    return 0;
  case O_PIDS: {
    char *end;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end || v < 0)
      return lab_error_set(err, 0, "--pids-limit %s: expected a count", arg);
    s->pids = (uint64_t)v;
    return 0;
  }
  case O_SECOPT: {
    if (strncmp(arg, "seccomp=", 8) != 0 || arg[8] == '\0')
      return lab_error_set(err, 0, "--security-opt %s: only seccomp=FILE|unconfined is supported",
                           arg);
    const char *p = arg + 8;
    free(s->seccomp_profile);
    s->seccomp_profile =
        strcmp(p, "unconfined") == 0 || strcmp(p, "default") == 0 ? strdup(p) : absolute(p);
    return 0;
  }
  case 'e':
    strv_push(&s->env, arg);
    return 0;
  case O_ENTRYPOINT:
    /* podman: one executable (no word splitting); "" resets it to none */
    strv_free(s->entrypoint);
    s->entrypoint = xcalloc(2, sizeof *s->entrypoint);
    if (*arg != '\0' && (s->entrypoint[0] = strdup(arg)) == NULL)
      abort();
    return 0;
  case 'v':
    return parse_volume(arg, s, err);
  }
  return lab_error_set(err, 0, "unknown option");
}

int podman_run_opts_parse(int argc, char **argv, const struct podman_extra_opt *extra,
                          struct podman_run_opts *out, struct lab_error **err)
{
  memset(out, 0, sizeof *out);
  size_t n_extra = 0;
  while (extra != NULL && extra[n_extra].name != NULL)
    n_extra++;
  struct option *longopts = xcalloc(N_PODMAN + n_extra + 1, sizeof *longopts);
  memcpy(longopts, podman_options, sizeof podman_options);
  for (size_t i = 0; i < n_extra; i++)
    longopts[N_PODMAN + i] = (struct option){
        extra[i].name, extra[i].has_arg ? required_argument : no_argument, NULL, O_EXTRA + (int)i};
  int rc = 0, ch;
  optind = 0; /* 0, not 1: glibc then forgets the state of an earlier parse */
  opterr = 0;
  while (rc == 0 && (ch = getopt_long(argc, argv, "+:dite:v:m:", longopts, NULL)) != -1) {
    if (ch == ':')
      rc = lab_error_set(err, 0, "option %s needs a value", argv[optind - 1]);
    else if (ch == '?')
      rc = lab_error_set(err, 0, "unknown option %s", argv[optind - 1]);
    else if (ch >= O_EXTRA && (size_t)(ch - O_EXTRA) < n_extra)
      *extra[ch - O_EXTRA].value = optarg ? optarg : "";
    else
      rc = parse_one(ch, optarg, out, err);
  }
  free(longopts);
  if (rc == 0 && optind >= argc)
    rc = lab_error_set(err, 0, "missing IMAGE");
  if (rc < 0) {
    podman_run_opts_clear(out);
    return -1;
  }
  struct rt_rpc_spec *s = &out->run.spec;
  s->image = strdup(argv[optind]);
  for (int i = optind + 1; i < argc; i++)
    strv_push(&s->command, argv[i]);
  return 0;
}

void podman_run_opts_clear(struct podman_run_opts *o)
{
  rt_rpc_run_clear(&o->run);
  memset(o, 0, sizeof *o);
}
