/* The state of a whole running lab, captured as one canonical text per node:
 * what `nodelab test` compares before a fault's inject and after its repair,
 * and what `nodelab state` prints.
 *
 * Each node's text is a set of lines, sorted bytewise, each starting with the
 * name of the section that wrote it:
 *
 *   net link ...                    the node's netns (netstate_format, permanent neighbours)
 *   pod web link ...                each pod's netns on that node, the same way
 *   ovs br0 flow cookie=0x0,...     flows of br0 and br-phy (nodelab-ovs dump-flows: no
 *                                   counters or durations)
 *   ovs br0 port vxlan0 type=vxlan  the settings of each port (port-show), or "absent"
 *   daemon netd running             each daemon of the node: running or stopped
 *   cgroup web/httpd memory.limit_in_bytes 67108864   each container's limits
 *   seccomp web/httpd Seccomp: 2    the seccomp lines of the status of each container's
 *                                   main process (found in its cgroup)
 *
 * The fabric (the underlay's namespace) is one more entry, named
 * LABSTATE_FABRIC, with its "net" section only.  A section that cannot read
 * what it looks at writes a line saying so ("ovs br0 unreachable: ..."), so
 * that a daemon killed shows as a difference rather than as a failed capture.
 *
 * Sections are a table (labstate_sections[]): a new kind of object a fault
 * can touch adds a section there.  The engine sees the lab through a struct
 * labstate_view of plain data and reads it through a struct labstate_backend
 * (labstate_backend_real(), or a fake in unit tests). */
#ifndef NODELAB_LABSTATE_H
#define NODELAB_LABSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* The name of the fabric's entry (a node may not be called so: scenario/ reserves it). */
#define LABSTATE_FABRIC "fabric"

struct labstate_daemon {
  const char *name;
  bool running;
};

struct labstate_pod {
  const char *name;
  pid_t netns_pid;      /* host pid of its infra (holds its netns); 0: not running */
  const char *ovs_port; /* its port on br0 (netd's "vethXXXXXXXX"); NULL: none */
};

struct labstate_container {
  const char *pod, *name;
  const char *const *cgroup_dirs; /* its absolute cgroup directories, NULL-terminated */
};

/* A node (or the fabric) as the capture sees it; strings borrowed. */
struct labstate_node {
  const char *name;
  pid_t pid; /* its init's host pid (the node's netns and /run through /proc/PID) */
  bool is_fabric;
  const struct labstate_daemon *daemons;
  size_t n_daemons;
  const struct labstate_pod *pods;
  size_t n_pods;
  const struct labstate_container *containers;
  size_t n_containers;
};

struct labstate_view {
  const struct labstate_node *nodes; /* the fabric among them */
  size_t n_nodes;
};

/* How the capture reads the real system. */
struct labstate_backend_ops {
  /* The netstate_format() text of pid's netns (permanent neighbours only). */
  int (*netns_text)(void *ctx, pid_t pid, char **text, struct lab_error **err);
  /* nodelab-ovs ARGS on node_pid's switch: its stdout into *out. */
  int (*ovs)(void *ctx, pid_t node_pid, const char *const *args, char **out,
             struct lab_error **err);
  /* The whole file at path into *text (-1 and *err when it cannot be read). */
  int (*read_file)(void *ctx, const char *path, char **text, struct lab_error **err);
};

struct labstate_backend {
  const struct labstate_backend_ops *ops;
  void *ctx;
};

/* The backend on the real system (netstate.h, nodelab-ovs, files).  Static. */
const struct labstate_backend *labstate_backend_real(void);

/* A growing set of lines, sorted when captured. */
struct labstate_lines {
  char **v;
  size_t n, cap;
};
/* Appends prefix + line (line may hold several '\n'-separated lines: each
 * gets the prefix; empty ones are skipped). */
void labstate_lines_add(struct labstate_lines *l, const char *prefix, const char *text);
void labstate_lines_addf(struct labstate_lines *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One section: writes its lines for node. */
struct labstate_section {
  const char *name;
  int (*capture)(const struct labstate_node *node, const struct labstate_backend *be,
                 struct labstate_lines *out, struct lab_error **err);
};
extern const struct labstate_section labstate_sections[];
extern const size_t labstate_n_sections;

/* One node's captured state. */
struct labstate_entry {
  char *name;
  char *text; /* sorted lines, each ending in '\n' */
};

struct labstate {
  struct labstate_entry *entries;
  size_t n_entries;
};

/* Captures every node of view (only == NULL) or only the one named only.
 * Returns 0 and *out (labstate_free), or -1 and *err (ENOENT: no node
 * named only). */
int labstate_capture(const struct labstate_view *view, const char *only,
                     const struct labstate_backend *be, struct labstate **out,
                     struct lab_error **err);

/* A new empty state; labstate_add() appends an entry (copies). */
struct labstate *labstate_new(void);
void labstate_add(struct labstate *st, const char *name, const char *text);
const struct labstate_entry *labstate_find(const struct labstate *st, const char *name);
void labstate_free(struct labstate *st);

/* The whole state as one text: for each entry "#### NAME\n" then its
 * lines.  The caller frees it. */
char *labstate_format(const struct labstate *st);

/* Reads labstate_format()'s text back.  Returns 0 and *out, or -1 and *err
 * ("line 3: a state line before any \"#### NODE\" header"). */
int labstate_parse(const char *text, struct labstate **out, struct lab_error **err);

/* Compares a (before) with b (after), node by node: writes into *text
 * (malloc'd) "#### NAME\n" and netstate_diff_text()'s "- " / "+ " lines for
 * each node that differs, "node NAME only before/after" for one missing on a
 * side.  Returns the number of differing lines (0: equal), or -1 and *err. */
int labstate_diff(const struct labstate *a, const struct labstate *b, char **text,
                  struct lab_error **err);

#endif
