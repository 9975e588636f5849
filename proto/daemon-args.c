/* Each daemon's options as a table (name, kind, where in the struct): one
 * table drives both the parser and the argv builder, so a flag is spelled
 * once. */
#include "daemon-args.h"
#include "xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* OPT_SPECIAL(_FLAG): handled by the daemon's own function, with (without) a value. */
enum opt_kind { OPT_STR, OPT_INT, OPT_FLAG, OPT_SPECIAL, OPT_SPECIAL_FLAG };

struct opt_spec {
  const char *name; /* long name, without "--" */
  enum opt_kind kind;
  size_t offset; /* of the char *, int or bool in the args struct */
  int min, max;  /* OPT_INT */
};

/* clang-format off */
#define STR(n, type, field) {.name = n, .kind = OPT_STR, .offset = offsetof(type, field)}
#define INT(n, type, field, lo, hi) \
  {.name = n, .kind = OPT_INT, .offset = offsetof(type, field), .min = lo, .max = hi}
#define FLAG(n, type, field) {.name = n, .kind = OPT_FLAG, .offset = offsetof(type, field)}
#define SPECIAL(n) {.name = n, .kind = OPT_SPECIAL}
#define SPECIAL_FLAG(n) {.name = n, .kind = OPT_SPECIAL_FLAG}
/* clang-format on */

/* ---- argv vectors -------------------------------------------------------- */

struct strv {
  char **v;
  size_t n;
};

static void strv_push(struct strv *s, const char *a)
{
  char **v = realloc(s->v, (s->n + 2) * sizeof *v);
  if (v == NULL || (v[s->n] = strdup(a)) == NULL)
    abort();
  s->v = v;
  s->n++;
  s->v[s->n] = NULL;
}

void daemon_argv_free(char **argv)
{
  for (char **a = argv; a != NULL && *a != NULL; a++)
    free(*a);
  free(argv);
}

static char **field_str(void *args, const struct opt_spec *o)
{
  return (char **)((char *)args + o->offset);
}

static int *field_int(void *args, const struct opt_spec *o)
{
  return (int *)((char *)args + o->offset);
}

static bool *field_flag(void *args, const struct opt_spec *o)
{
  return (bool *)((char *)args + o->offset);
}

/* Appends "--name value" for every option of the table that is set. */
static void push_options(struct strv *s, const struct opt_spec *table, size_t n, const void *args)
{
  for (size_t i = 0; i < n; i++) {
    const struct opt_spec *o = &table[i];
    char flag[64];
    snprintf(flag, sizeof flag, "--%s", o->name);
    void *a = (void *)args;
    switch (o->kind) {
    case OPT_STR:
      if (*field_str(a, o) != NULL) {
        strv_push(s, flag);
        strv_push(s, *field_str(a, o));
      }
      break;
    case OPT_INT:
      if (*field_int(a, o) != 0) {
        char num[16];
        snprintf(num, sizeof num, "%d", *field_int(a, o));
        strv_push(s, flag);
        strv_push(s, num);
      }
      break;
    case OPT_FLAG:
      if (*field_flag(a, o))
        strv_push(s, flag);
      break;
    case OPT_SPECIAL:
    case OPT_SPECIAL_FLAG:
      break;
    }
  }
}

/* Frees every string option of the table in args. */
static void free_options(const struct opt_spec *table, size_t n, void *args)
{
  for (size_t i = 0; i < n; i++)
    if (table[i].kind == OPT_STR)
      free(*field_str(args, &table[i]));
}

/* ---- parsing ------------------------------------------------------------- */

/* Handles an OPT_SPECIAL option; returns 0 or -1 and *err. */
typedef int special_fn(void *args, const char *name, const char *value, struct lab_error **err);

static int set_str(char **dst, const char *value)
{
  char *s = strdup(value);
  if (s == NULL)
    return -1;
  free(*dst);
  *dst = s;
  return 0;
}

/* Parses argv[1..] against table into args; positional arguments are errors.
 * prog names the command in messages. */
static int parse_options(const char *prog, int argc, char **argv, const struct opt_spec *table,
                         size_t n, void *args, special_fn *special, struct lab_error **err)
{
  struct option longopts[24];
  if (n >= sizeof longopts / sizeof longopts[0])
    abort();
  for (size_t i = 0; i < n; i++) {
    bool flag = table[i].kind == OPT_FLAG || table[i].kind == OPT_SPECIAL_FLAG;
    longopts[i] = (struct option){table[i].name, flag ? no_argument : required_argument, NULL,
                                  (int)(256 + i)};
  }
  longopts[n] = (struct option){NULL, 0, NULL, 0};
  optind = 0; /* a full reset of getopt's state */
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
    if (c == ':')
      return lab_error_set(err, 0, "%s: %s needs a value", prog, argv[optind - 1]);
    if (c < 256 || (size_t)(c - 256) >= n)
      return lab_error_set(err, 0, "%s: unknown option %s", prog, argv[optind - 1]);
    const struct opt_spec *o = &table[c - 256];
    switch (o->kind) {
    case OPT_STR:
      if (set_str(field_str(args, o), optarg) < 0)
        return lab_error_set(err, ENOMEM, "%s: --%s", prog, o->name);
      break;
    case OPT_INT: {
      char *end;
      errno = 0;
      long v = strtol(optarg, &end, 10);
      if (optarg[0] == '\0' || *end != '\0' || errno != 0 || v < o->min || v > o->max)
        return lab_error_set(err, 0, "%s: --%s %s: expected %d..%d", prog, o->name, optarg, o->min,
                             o->max);
      *field_int(args, o) = (int)v;
      break;
    }
    case OPT_FLAG:
      *field_flag(args, o) = true;
      break;
    case OPT_SPECIAL:
    case OPT_SPECIAL_FLAG:
      if (special(args, o->name, optarg, err) < 0)
        return -1;
      break;
    }
  }
  if (optind < argc)
    return lab_error_set(err, 0, "%s: unexpected argument %s", prog, argv[optind]);
  return 0;
}

static int no_special(void *args, const char *name, const char *value, struct lab_error **err)
{
  abort();
}

/* ---- nodelab-init -------------------------------------------------------- */

static const struct opt_spec init_options[] = {
    STR("name", struct init_args, name),
    STR("address", struct init_args, address),
    FLAG("fabric", struct init_args, fabric),
};

int init_args_parse(int argc, char **argv, struct init_args *out, struct lab_error **err)
{
  *out = (struct init_args){0};
  int rc = parse_options("nodelab-init", argc, argv, init_options,
                         sizeof init_options / sizeof init_options[0], out, no_special, err);
  if (rc == 0 && out->name == NULL)
    rc = lab_error_set(err, 0, "nodelab-init: --name is required");
  if (rc < 0)
    init_args_free(out);
  return rc;
}

char **init_args_to_argv(const struct init_args *a, const char *program)
{
  struct strv s = {0};
  strv_push(&s, program);
  push_options(&s, init_options, sizeof init_options / sizeof init_options[0], a);
  return s.v;
}

void init_args_free(struct init_args *a)
{
  free_options(init_options, sizeof init_options / sizeof init_options[0], a);
  *a = (struct init_args){0};
}

/* ---- nodelab-netd -------------------------------------------------------- */

#define NETD_CREATE_DB "--create-db"

static const struct opt_spec netd_options[] = {
    STR("node", struct netd_args, node),
    STR("subnet", struct netd_args, subnet),
    STR("underlay", struct netd_args, underlay),
    STR("cluster", struct netd_args, cluster),
    STR("phys-if", struct netd_args, phys_if),
    STR("db", struct netd_args, db),
    STR("ovs-rundir", struct netd_args, ovs_rundir),
    STR("ctl", struct netd_args, ctl),
    INT("mtu", struct netd_args, mtu, 576, 9000),
    FLAG("print-flows", struct netd_args, print_flows),
    SPECIAL("remote"),
    SPECIAL_FLAG("help"),
};

void netd_args_add_remote(struct netd_args *a, const char *name, const char *subnet,
                          const char *underlay)
{
  struct netd_args_remote *r = XAPPEND(a->remotes, a->n_remotes);
  r->name = xstrdup(name);
  r->subnet = xstrdup(subnet);
  r->underlay = xstrdup(underlay);
}

static int netd_special(void *args, const char *name, const char *value, struct lab_error **err)
{
  struct netd_args *a = args;
  if (strcmp(name, "help") == 0) {
    a->mode = NETD_ARGS_HELP;
    return 0;
  }
  /* --remote NAME=CIDR@ADDR */
  const char *eq = strchr(value, '=');
  const char *at = eq ? strchr(eq, '@') : NULL;
  if (eq == NULL || at == NULL || eq == value || at == eq + 1 || at[1] == '\0')
    return lab_error_set(err, 0, "nodelab-netd: --remote \"%s\": expected NAME=CIDR@ADDR", value);
  char *rname = strndup(value, (size_t)(eq - value));
  char *subnet = strndup(eq + 1, (size_t)(at - eq - 1));
  if (rname == NULL || subnet == NULL)
    abort();
  netd_args_add_remote(a, rname, subnet, at + 1);
  free(rname);
  free(subnet);
  return 0;
}

int netd_args_parse(int argc, char **argv, struct netd_args *out, struct lab_error **err)
{
  *out = (struct netd_args){0};
  if (argc >= 2 && strcmp(argv[1], NETD_CREATE_DB) == 0) {
    if (argc < 3 || argc > 4)
      return lab_error_set(err, 0, "nodelab-netd: usage: %s FILE [SCHEMA]", NETD_CREATE_DB);
    out->mode = NETD_ARGS_CREATE_DB;
    out->db_file = strdup(argv[2]);
    out->schema = argc == 4 ? strdup(argv[3]) : NULL;
    if (out->db_file == NULL || (argc == 4 && out->schema == NULL))
      abort();
    return 0;
  }
  /* Usage errors are not system errors: errnum 0 (no strerror in the message). */
  int rc = parse_options("nodelab-netd", argc, argv, netd_options,
                         sizeof netd_options / sizeof netd_options[0], out, netd_special, err);
  if (rc == 0 && out->mode == NETD_ARGS_RUN &&
      (out->node == NULL || out->subnet == NULL || out->underlay == NULL))
    rc = lab_error_set(err, 0, "nodelab-netd: --node, --subnet and --underlay are required");
  if (rc < 0)
    netd_args_free(out);
  return rc;
}

char **netd_args_to_argv(const struct netd_args *a, const char *program)
{
  struct strv s = {0};
  strv_push(&s, program);
  switch (a->mode) {
  case NETD_ARGS_CREATE_DB:
    strv_push(&s, NETD_CREATE_DB);
    strv_push(&s, a->db_file);
    if (a->schema != NULL)
      strv_push(&s, a->schema);
    return s.v;
  case NETD_ARGS_HELP:
    strv_push(&s, "--help");
    return s.v;
  case NETD_ARGS_RUN:
    break;
  }
  push_options(&s, netd_options, sizeof netd_options / sizeof netd_options[0], a);
  for (size_t i = 0; i < a->n_remotes; i++) {
    char *r = NULL;
    if (asprintf(&r, "%s=%s@%s", a->remotes[i].name, a->remotes[i].subnet, a->remotes[i].underlay) <
        0)
      abort();
    strv_push(&s, "--remote");
    strv_push(&s, r);
    free(r);
  }
  return s.v;
}

void netd_args_free(struct netd_args *a)
{
  for (size_t i = 0; i < a->n_remotes; i++) {
    free(a->remotes[i].name);
    free(a->remotes[i].subnet);
    free(a->remotes[i].underlay);
  }
  free(a->remotes);
  free_options(netd_options, sizeof netd_options / sizeof netd_options[0], a);
  free(a->db_file);
  free(a->schema);
  *a = (struct netd_args){0};
}

/* ---- nodelab-runtime serve ----------------------------------------------- */

#define RUNTIME_SERVE_VERB "serve"

static const struct opt_spec runtime_serve_options[] = {
    STR("socket", struct runtime_serve_args, socket),
    STR("root", struct runtime_serve_args, root),
    STR("cgroup-parent", struct runtime_serve_args, cgroup_parent),
    STR("cgroup-root", struct runtime_serve_args, cgroup_root),
    STR("node", struct runtime_serve_args, node),
    STR("subnet", struct runtime_serve_args, subnet),
    STR("gateway", struct runtime_serve_args, gateway),
    INT("mtu", struct runtime_serve_args, mtu, 1, 65535),
    STR("netd", struct runtime_serve_args, netd),
    STR("busybox", struct runtime_serve_args, busybox),
};

int runtime_serve_args_parse(int argc, char **argv, struct runtime_serve_args *out,
                             struct lab_error **err)
{
  *out = (struct runtime_serve_args){0};
  int rc = parse_options("nodelab-runtime serve", argc, argv, runtime_serve_options,
                         sizeof runtime_serve_options / sizeof runtime_serve_options[0], out,
                         no_special, err);
  if (rc < 0)
    runtime_serve_args_free(out);
  return rc;
}

char **runtime_serve_args_to_argv(const struct runtime_serve_args *a, const char *program)
{
  struct strv s = {0};
  strv_push(&s, program);
  strv_push(&s, RUNTIME_SERVE_VERB);
  push_options(&s, runtime_serve_options,
               sizeof runtime_serve_options / sizeof runtime_serve_options[0], a);
  return s.v;
}

void runtime_serve_args_free(struct runtime_serve_args *a)
{
  free_options(runtime_serve_options,
               sizeof runtime_serve_options / sizeof runtime_serve_options[0], a);
  *a = (struct runtime_serve_args){0};
}
