/* The nodelab CLI: one table of verbs (after ovs-vsctl's vsctl_commands[]),
 * a pure command-line parser over it, and one handler per verb in
 * tools/cli-*.c.
 *
 * Exit codes: 0 success, 1 failure, 2 usage error. */
#ifndef NODELAB_CLI_H
#define NODELAB_CLI_H

#include <stdbool.h>
#include <stddef.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

#define CLI_MAX_OPTIONS 8

struct cli_option {
  const char *name;     /* long name, without "--" */
  char short_name;      /* 0: none */
  const char *arg_name; /* NULL: a flag; else the option takes a value, shown as this */
  const char *help;
};

/* Verb flags. */
#define CLI_COMMAND 0x1 /* after the positional arguments (or "--") comes a command line */
/* The handler parses its own options (podman's, some repeatable): argv holds
 * every word after the verb; only a first "--help"/"-h" is the parser's. */
#define CLI_RAW 0x2

struct cli_invocation;

struct cli_verb {
  const char *name;
  const char *summary;    /* one line, for `nodelab --help` */
  const char *usage;      /* after "nodelab NAME " */
  const char *help;       /* longer text for `nodelab NAME --help`, or NULL */
  int min_args, max_args; /* positional arguments; max -1: unbounded */
  unsigned flags;
  struct cli_option options[CLI_MAX_OPTIONS]; /* terminated by name == NULL */
  int (*handler)(const struct cli_invocation *inv);
};

/* A parsed command line.  Strings point into argv. */
struct cli_invocation {
  const struct cli_verb *verb;
  int argc;        /* positional arguments */
  char **argv;     /* malloc'd array of argc pointers, NULL-terminated */
  int cmd_argc;    /* CLI_COMMAND verbs: the command (may be 0) */
  char **cmd_argv; /* pointer into the original argv, NULL-terminated there; NULL when none */
  const char *values[CLI_MAX_OPTIONS]; /* option values (flags: "" when set) */
  bool set[CLI_MAX_OPTIONS];
};

enum cli_parse_result {
  CLI_PARSE_RUN,     /* run inv->verb->handler */
  CLI_PARSE_HELP,    /* print help: of inv->verb, or the global help when inv->verb is NULL */
  CLI_PARSE_VERSION, /* print the version */
  CLI_PARSE_USAGE,   /* usage error: print *message (and exit 2) */
};

/* The table of verbs, and its length. */
extern const struct cli_verb cli_verbs[];
extern const size_t cli_n_verbs;

/* Finds a verb by name; NULL when unknown. */
const struct cli_verb *cli_find_verb(const struct cli_verb *table, size_t n, const char *name);

/* Parses a whole command line (argv[0] is the program) against table: global
 * options, the verb, its options and arguments.  Fills *inv (release it with
 * cli_invocation_release()).  On CLI_PARSE_USAGE, *message is a malloc'd
 * text naming what was wrong (the caller frees it); otherwise *message is NULL.
 * Pure: no output, no exit. */
enum cli_parse_result cli_parse(const struct cli_verb *table, size_t n, int argc, char **argv,
                                struct cli_invocation *inv, char **message);

void cli_invocation_release(struct cli_invocation *inv);

/* An option's value (flags: "" when given), or NULL when not given. */
const char *cli_opt(const struct cli_invocation *inv, const char *name);
bool cli_flag(const struct cli_invocation *inv, const char *name);

/* Help texts, malloc'd (the caller frees them). */
char *cli_global_help(const struct cli_verb *table, size_t n);
char *cli_verb_help(const struct cli_verb *verb);

/* Verb handlers (tools/cli-*.c). */
int cli_validate(const struct cli_invocation *inv);
int cli_up(const struct cli_invocation *inv);
int cli_down(const struct cli_invocation *inv);
int cli_ls(const struct cli_invocation *inv);
int cli_status(const struct cli_invocation *inv);
int cli_events(const struct cli_invocation *inv);
int cli_exec(const struct cli_invocation *inv);
int cli_shell(const struct cli_invocation *inv);
int cli_fault(const struct cli_invocation *inv);
int cli_check(const struct cli_invocation *inv);
int cli_graph(const struct cli_invocation *inv);
int cli_web(const struct cli_invocation *inv);
int cli_service(const struct cli_invocation *inv); /* tools/cli-service.c */
int cli_exercise(const struct cli_invocation *inv);
struct api_check;
/* The table of check results (tools/cli-check.c): NAME FROM TO RESULT LATENCY
 * REASON, widths computed, each line after indent. */
void cli_check_print_table(const struct api_check *checks, size_t n, const char *indent);
struct json_object;
struct lab_error;

/* Container verbs (tools/cli-container.c, cli-ps.c, cli-image.c): podman's, on a
 * node's runtime through nodelabd's RPC tunnel (or, for tests, straight to
 * the runtime socket named by $NODELAB_RUNTIME_SOCKET). */
int cli_run(const struct cli_invocation *inv);
int cli_create(const struct cli_invocation *inv);
int cli_start(const struct cli_invocation *inv);
int cli_stop(const struct cli_invocation *inv);
int cli_kill(const struct cli_invocation *inv);
int cli_rm(const struct cli_invocation *inv);
int cli_mount(const struct cli_invocation *inv);
int cli_umount(const struct cli_invocation *inv);
int cli_inspect(const struct cli_invocation *inv);
int cli_logs(const struct cli_invocation *inv);
int cli_seccomp(const struct cli_invocation *inv);
int cli_ps(const struct cli_invocation *inv);
int cli_image(const struct cli_invocation *inv);
int cli_pod(const struct cli_invocation *inv);
/* exec/shell into a container: target is CTR, NODE/POD or NODE/POD/CTR. */
int cli_container_exec(const struct cli_invocation *inv, const char *target, char **argv, bool tty,
                       bool interactive);

/* 1 when the lab has a node of that name (or the question cannot be answered:
 * the node path reports why), 0 when it is a container's name. */
int cli_target_is_node(const char *lab, const char *name);
/* One request to the runtime of --node/--lab; on failure prints the error. */
int cli_runtime_call(const struct cli_invocation *inv, struct json_object *req,
                     struct json_object **reply);
/* A connection to the runtime of --node/--lab (tools/cli-container.c); on
 * failure prints the error and returns -1. */
int cli_runtime_connect(const struct cli_invocation *inv);
/* One request on fd and its reply (the reply's first fd to *fd_out when not
 * NULL); an {"ok": false} reply is -1 and *err. */
int cli_runtime_request(int fd, struct json_object *req, struct json_object **reply, int *fd_out,
                        struct lab_error **err);

struct json_object;
struct lab_error;

/* Talks to nodelabd: `method target` with body (JSON text or NULL).  On a
 * reply returns 0 with *status and the parsed JSON body in *reply (release
 * with json_object_put).  When no daemon listens, or on any transport or
 * parse failure, returns -1 and *err (http_error_is_unreachable() tells the
 * first case). */
int cli_api(const char *method, const char *target, const char *body, int timeout_ms, int *status,
            struct json_object **reply, struct lab_error **err);

/* cli_api() for a lab's route: on a transport failure or a status other
 * than want, prints "nodelab VERB: lab LAB: why" (nodelabd not running, or
 * the reply's error) and returns -1 (*reply NULL); else 0 and *reply. */
int cli_lab_call(const struct cli_invocation *inv, const char *lab, const char *method,
                 const char *target, const char *body, int timeout_ms, int want,
                 struct json_object **reply);

/* The "error" member of a daemon reply, or a generic text naming the status. */
const char *cli_reply_error(struct json_object *reply, int status);

/* Names of the labs nodelabd holds (none when it is not running): a malloc'd
 * NULL-terminated array of malloc'd strings.  *daemon_up tells whether it answered. */
int cli_daemon_labs(char ***names, bool *daemon_up, struct lab_error **err);

/* `given` when not NULL, else the only running lab; fails naming the labs
 * when there are none or several.  *lab is malloc'd. */
int cli_resolve_lab(const char *given, char **lab, struct lab_error **err);

/* Prints "nodelab VERB: message" to stderr. */
void cli_errorf(const struct cli_invocation *inv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* nodelab state and nodelab test (tools/cli-state.c, cli-test.c). */
int cli_state(const struct cli_invocation *inv);
int cli_test(const struct cli_invocation *inv);
struct labstate;
/* The lab's state from GET /v1/labs/LAB/state (node NULL: every node and the
 * fabric) into *out (labstate_free); *raw (when not NULL) the reply itself
 * (json_object_put).  -1 and *err ("lab L: no node named ...") otherwise. */
int cli_state_fetch(const char *lab, const char *node, struct labstate **out,
                    struct json_object **raw, struct lab_error **err);
/* Makes sure nodelabd answers, starting it when nothing listens (tools/cli-lab.c). */
int cli_ensure_daemon(struct lab_error **err);

#endif
