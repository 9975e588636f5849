/* The command-line parser over the verb table: pure (no output, no exit), so
 * that unit tests can drive it. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "xalloc.h"

const struct cli_verb *cli_find_verb(const struct cli_verb *table, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++) {
    if (strcmp(table[i].name, name) == 0)
      return &table[i];
  }
  return NULL;
}

static int option_count(const struct cli_verb *verb)
{
  int i = 0;
  while (i < CLI_MAX_OPTIONS && verb->options[i].name != NULL)
    i++;
  return i;
}

static int find_long(const struct cli_verb *verb, const char *name, size_t len)
{
  for (int i = 0; i < option_count(verb); i++) {
    if (strlen(verb->options[i].name) == len && strncmp(verb->options[i].name, name, len) == 0)
      return i;
  }
  return -1;
}

static int find_short(const struct cli_verb *verb, char c)
{
  for (int i = 0; i < option_count(verb); i++) {
    if (verb->options[i].short_name == c)
      return i;
  }
  return -1;
}

static enum cli_parse_result usage(char **message, const struct cli_verb *verb, const char *fmt,
                                   ...) __attribute__((format(printf, 3, 4)));

static enum cli_parse_result usage(char **message, const struct cli_verb *verb, const char *fmt,
                                   ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *what = xvasprintf(fmt, ap);
  va_end(ap);
  int rc;
  if (verb != NULL)
    rc =
        asprintf(message, "nodelab %s: %s\nUsage: nodelab %s %s\nRun 'nodelab %s --help' for more.",
                 verb->name, what, verb->name, verb->usage, verb->name);
  else
    rc = asprintf(message, "nodelab: %s\nRun 'nodelab --help' for the list of verbs.", what);
  if (rc < 0)
    abort();
  free(what);
  return CLI_PARSE_USAGE;
}

void cli_invocation_release(struct cli_invocation *inv)
{
  free(inv->argv);
  memset(inv, 0, sizeof *inv);
}

/* Parses the verb's own part of the command line, argv[0] being the verb. */
static enum cli_parse_result parse_verb(const struct cli_verb *verb, int argc, char **argv,
                                        struct cli_invocation *inv, char **message)
{
  inv->verb = verb;
  inv->argv = xcalloc((size_t)argc + 1, sizeof *inv->argv);
  if (verb->flags & CLI_RAW) {
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
      return CLI_PARSE_HELP;
    for (int i = 1; i < argc; i++)
      inv->argv[inv->argc++] = argv[i];
    return CLI_PARSE_RUN;
  }
  bool options_done = false;
  for (int i = 1; i < argc; i++) {
    char *a = argv[i];
    /* A command verb's command starts at "--", or at the first word after
     * the required arguments, so `exec node1 ip -br a` needs no "--". */
    if ((verb->flags & CLI_COMMAND) &&
        ((!options_done && strcmp(a, "--") == 0) ||
         (inv->argc >= verb->min_args && (a[0] != '-' || options_done)))) {
      int start = strcmp(a, "--") == 0 && !options_done ? i + 1 : i;
      inv->cmd_argc = argc - start;
      inv->cmd_argv = inv->cmd_argc > 0 ? &argv[start] : NULL;
      break;
    }
    if (options_done || a[0] != '-' || a[1] == '\0') {
      inv->argv[inv->argc++] = a;
      continue;
    }
    if (strcmp(a, "--") == 0) {
      options_done = true;
      continue;
    }
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
      return CLI_PARSE_HELP;
    if (a[1] == '-') {
      const char *name = a + 2;
      const char *eq = strchr(name, '=');
      size_t len = eq ? (size_t)(eq - name) : strlen(name);
      int o = find_long(verb, name, len);
      if (o < 0)
        return usage(message, verb, "unknown option '--%.*s'", (int)len, name);
      const struct cli_option *opt = &verb->options[o];
      if (opt->arg_name == NULL) {
        if (eq != NULL)
          return usage(message, verb, "option '--%s' takes no value", opt->name);
        inv->values[o] = "";
      } else if (eq != NULL) {
        inv->values[o] = eq + 1;
      } else if (i + 1 < argc) {
        inv->values[o] = argv[++i];
      } else {
        return usage(message, verb, "option '--%s' needs a value (%s)", opt->name, opt->arg_name);
      }
      inv->set[o] = true;
      continue;
    }
    /* Short options; flags may be grouped ("-aZ"), a value may follow attached ("-nlab"). */
    for (const char *p = a + 1; *p; p++) {
      int o = find_short(verb, *p);
      if (o < 0)
        return usage(message, verb, "unknown option '-%c'", *p);
      const struct cli_option *opt = &verb->options[o];
      inv->set[o] = true;
      if (opt->arg_name == NULL) {
        inv->values[o] = "";
        continue;
      }
      if (p[1] != '\0')
        inv->values[o] = p + 1;
      else if (i + 1 < argc)
        inv->values[o] = argv[++i];
      else
        return usage(message, verb, "option '-%c' needs a value (%s)", *p, opt->arg_name);
      break;
    }
  }
  if (inv->argc < verb->min_args)
    return usage(message, verb, "missing argument%s: expected at least %d, got %d",
                 verb->min_args - inv->argc > 1 ? "s" : "", verb->min_args, inv->argc);
  if (verb->max_args >= 0 && inv->argc > verb->max_args)
    return usage(message, verb, "unexpected argument '%s' (takes at most %d)",
                 inv->argv[verb->max_args], verb->max_args);
  return CLI_PARSE_RUN;
}

enum cli_parse_result cli_parse(const struct cli_verb *table, size_t n, int argc, char **argv,
                                struct cli_invocation *inv, char **message)
{
  memset(inv, 0, sizeof *inv);
  *message = NULL;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
      return CLI_PARSE_HELP;
    if (strcmp(argv[i], "--version") == 0)
      return CLI_PARSE_VERSION;
    return usage(message, NULL, "unknown global option '%s'", argv[i]);
  }
  if (i >= argc)
    return usage(message, NULL, "no verb given");
  if (strcmp(argv[i], "help") == 0) {
    /* `nodelab help [VERB]` is `nodelab [VERB] --help`. */
    if (i + 1 < argc) {
      inv->verb = cli_find_verb(table, n, argv[i + 1]);
      if (inv->verb == NULL)
        return usage(message, NULL, "unknown verb '%s'", argv[i + 1]);
    }
    return CLI_PARSE_HELP;
  }
  const struct cli_verb *verb = cli_find_verb(table, n, argv[i]);
  if (verb == NULL)
    return usage(message, NULL, "unknown verb '%s'", argv[i]);
  return parse_verb(verb, argc - i, argv + i, inv, message);
}

const char *cli_opt(const struct cli_invocation *inv, const char *name)
{
  int o = find_long(inv->verb, name, strlen(name));
  if (o < 0) {
    /* A handler asking for an option its verb does not declare is a bug in the table. */
    fprintf(stderr, "nodelab: internal error: verb %s has no option --%s\n", inv->verb->name, name);
    abort();
  }
  return inv->set[o] ? inv->values[o] : NULL;
}

bool cli_flag(const struct cli_invocation *inv, const char *name)
{
  return cli_opt(inv, name) != NULL;
}

/* A growing string, for help texts. */
struct sbuf {
  char *s;
  size_t len;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *piece = NULL;
  int n = vasprintf(&piece, fmt, ap);
  va_end(ap);
  if (n < 0)
    abort();
  char *ns = realloc(b->s, b->len + (size_t)n + 1);
  if (ns == NULL)
    abort();
  memcpy(ns + b->len, piece, (size_t)n + 1);
  b->s = ns;
  b->len += (size_t)n;
  free(piece);
}

char *cli_global_help(const struct cli_verb *table, size_t n)
{
  struct sbuf b = {0};
  sb_printf(&b,
            "Usage: nodelab [--help] [--version] VERB [ARGS...]\n"
            "\n"
            "nodelab %s: a multi-node cluster lab on one Linux host.\n"
            "\n"
            "Verbs:\n",
            NODELAB_VERSION);
  for (size_t i = 0; i < n; i++)
    sb_printf(&b, "  %-10s %s\n", table[i].name, table[i].summary);
  sb_printf(&b, "\n"
                "Run 'nodelab VERB --help' for a verb's arguments and options.\n"
                "Exit status: 0 success, 1 failure, 2 usage error.\n");
  return b.s;
}

char *cli_verb_help(const struct cli_verb *verb)
{
  struct sbuf b = {0};
  sb_printf(&b, "Usage: nodelab %s %s\n\n%s\n", verb->name, verb->usage, verb->summary);
  if (verb->help != NULL)
    sb_printf(&b, "\n%s\n", verb->help);
  sb_printf(&b, "\nOptions:\n");
  for (int i = 0; i < option_count(verb); i++) {
    const struct cli_option *o = &verb->options[i];
    char left[64];
    snprintf(left, sizeof left, "%s%c%s--%s%s%s", o->short_name ? "-" : "",
             o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ", o->name,
             o->arg_name ? " " : "", o->arg_name ? o->arg_name : "");
    /* Without a short name the leading "-x, " column is blank. */
    if (!o->short_name)
      snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg_name ? " " : "",
               o->arg_name ? o->arg_name : "");
    sb_printf(&b, "  %-22s %s\n", left, o->help);
  }
  sb_printf(&b, "  %-22s %s\n", "-h, --help", "Show this help");
  return b.s;
}
