/* The command lines of the daemons nodelabd starts in a node — nodelab-init,
 * nodelab-netd and `nodelab-runtime serve` — spelled once: each daemon's
 * main() parses its options with X_args_parse(), and nodelabd builds the
 * command line with X_args_to_argv(), so that no flag is written twice.
 *
 * Every struct is plain data: strings are owned by it (release with
 * X_args_free()), NULL (or 0 for numbers, false for flags) means "not given:
 * the daemon's default".  parse(to_argv(a)) gives back a, field for field.
 *
 * Parsing is pure: no output, no exit; getopt_long's state is reset on
 * entry.  It links no JSON library: netd uses it (libopenvswitch has JSON
 * names of its own), through the nodelab-proto-plain library. */
#ifndef NODELAB_PROTO_DAEMON_ARGS_H
#define NODELAB_PROTO_DAEMON_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* ---- nodelab-init --------------------------------------------------------
 *   nodelab-init --name NAME [--address A.B.C.D/P] [--fabric] */
struct init_args {
  char *name;    /* required: the node's host name */
  char *address; /* eth0's underlay address, A.B.C.D/P; NULL: none */
  bool fabric;   /* the lab's fabric rather than a node */
};

/* Parses argv (argv[0] is the program) into *out (zeroed first).  Returns 0,
 * or -1 and *err (unknown option, missing value, stray argument, no --name);
 * on failure *out holds nothing to release. */
int init_args_parse(int argc, char **argv, struct init_args *out, struct lab_error **err);
/* The command line for a, program first: a malloc'd NULL-terminated vector of
 * malloc'd strings (free with daemon_argv_free()). */
char **init_args_to_argv(const struct init_args *a, const char *program);
void init_args_free(struct init_args *a);

/* ---- nodelab-netd --------------------------------------------------------
 *   nodelab-netd --node NAME --subnet CIDR --underlay ADDR/N [--remote NAME=CIDR@ADDR]...
 *                [--cluster CIDR] [--phys-if IF] [--db REMOTE] [--ovs-rundir DIR]
 *                [--ctl PATH] [--mtu N] [--print-flows]
 *   nodelab-netd --create-db FILE [SCHEMA]
 *   nodelab-netd --help
 * Addresses stay text here: netd reads them (netd_parse_cidr()). */
enum netd_args_mode {
  NETD_ARGS_RUN,       /* serve the node */
  NETD_ARGS_CREATE_DB, /* create an empty OVS database and exit */
  NETD_ARGS_HELP,      /* print the usage and exit */
};

struct netd_args_remote {
  char *name;     /* the remote node */
  char *subnet;   /* its pod subnet, CIDR */
  char *underlay; /* its underlay address, A.B.C.D */
};

struct netd_args {
  enum netd_args_mode mode;
  char *db_file;  /* CREATE_DB: the database file */
  char *schema;   /* CREATE_DB: the schema, or NULL for OVS's vswitch schema */
  char *node;     /* RUN, required */
  char *subnet;   /* RUN, required: the node's pod subnet, CIDR */
  char *underlay; /* RUN, required: the node's underlay address, ADDR/N */
  char *cluster;  /* the cluster network, CIDR */
  char *phys_if;
  char *db;         /* OVSDB remote */
  char *ovs_rundir; /* ovs-vswitchd's run directory */
  char *ctl;        /* netd's control socket */
  int mtu;          /* 576..9000 */
  bool print_flows;
  struct netd_args_remote *remotes;
  size_t n_remotes;
};

/* Parses argv into *out (zeroed first).  Returns 0, or -1 and *err; on
 * failure *out holds nothing to release. */
int netd_args_parse(int argc, char **argv, struct netd_args *out, struct lab_error **err);
char **netd_args_to_argv(const struct netd_args *a, const char *program);
/* Appends remote name=subnet@underlay to a (copies). */
void netd_args_add_remote(struct netd_args *a, const char *name, const char *subnet,
                          const char *underlay);
void netd_args_free(struct netd_args *a);

/* ---- nodelab-runtime serve -----------------------------------------------
 *   nodelab-runtime serve [--socket S] [--root DIR] [--cgroup-parent P] [--cgroup-root DIR]
 *                         [--node N] [--subnet CIDR --gateway IP] [--mtu N] [--netd CTL]
 *                         [--busybox PATH]
 * argv[0] is the verb ("serve"); runtime_serve_args_to_argv() puts the
 * program and the verb first. */
struct runtime_serve_args {
  char *socket;
  char *root;
  char *cgroup_parent;
  char *cgroup_root;
  char *node;
  char *subnet;
  char *gateway;
  int mtu; /* > 0 */
  char *netd;
  char *busybox;
};

int runtime_serve_args_parse(int argc, char **argv, struct runtime_serve_args *out,
                             struct lab_error **err);
char **runtime_serve_args_to_argv(const struct runtime_serve_args *a, const char *program);
void runtime_serve_args_free(struct runtime_serve_args *a);

/* Frees a vector from X_args_to_argv(). */
void daemon_argv_free(char **argv);

#endif
