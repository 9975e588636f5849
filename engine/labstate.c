/* A lab's state as text (labstate.h): the sections, the capture over a
 * backend, and the whole state's format, parse and diff. */
#include "labstate.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netstate.h"
#include "xalloc.h"

/* *err with a whole message (no strerror appended) and errnum.  Returns -1. */
static int refuse(struct lab_error **err, int errnum, const char *msg)
{
  lab_error_set(err, 0, "%s", msg);
  if (err != NULL && *err != NULL)
    (*err)->errnum = errnum;
  return -1;
}

/* ---- lines ---- */

static void lines_push(struct labstate_lines *l, char *s)
{
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 64;
    l->v = xnonnull(realloc(l->v, l->cap * sizeof *l->v));
  }
  l->v[l->n++] = s;
}

void labstate_lines_add(struct labstate_lines *l, const char *prefix, const char *text)
{
  const char *p = text;
  while (p != NULL && *p != '\0') {
    size_t len = strcspn(p, "\n");
    if (len > 0)
      lines_push(l, xasprintf("%s%.*s", prefix, (int)len, p));
    p += len;
    if (*p == '\n')
      p++;
  }
}

void labstate_lines_addf(struct labstate_lines *l, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *s = xvasprintf(fmt, ap);
  va_end(ap);
  labstate_lines_add(l, "", s);
  free(s);
}

static void lines_release(struct labstate_lines *l)
{
  for (size_t i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
  *l = (struct labstate_lines){0};
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines sorted, each ending in '\n', as one string. */
static char *lines_join(struct labstate_lines *l)
{
  if (l->n > 1) /* qsort's base must not be NULL, even for no element */
    qsort(l->v, l->n, sizeof *l->v, cmp_str);
  size_t len = 1;
  for (size_t i = 0; i < l->n; i++)
    len += strlen(l->v[i]) + 1;
  char *s = xcalloc(len, 1), *p = s;
  for (size_t i = 0; i < l->n; i++) {
    size_t n = strlen(l->v[i]);
    memcpy(p, l->v[i], n);
    p[n] = '\n';
    p += n + 1;
  }
  return s;
}

/* ---- sections ---- */

/* The first line of a message, for a line of the state. */
static const char *first_line(const struct lab_error *e, char *buf, size_t size)
{
  snprintf(buf, size, "%s", e != NULL ? e->msg : "failed");
  buf[strcspn(buf, "\n")] = '\0';
  return buf;
}

/* netstate's text of a namespace, with one equivalence made canonical: a
 * link whose driver reports no operational state says "state unknown" (a tap
 * such as OVS's internal ports, whose carrier comes with the daemon holding
 * it; a bridge before the kernel's linkwatch has run), and "state up" once
 * an event set it, with the same flags.  With IFF_LOWER_UP both mean up;
 * after ovs-vswitchd restarts, its taps say "up" where they said "unknown".
 * Written "up" either way, so that only a real change differs. */
static void add_net_lines(struct labstate_lines *out, const char *prefix, char *text)
{
  static const char unknown[] = " state unknown ";
  for (char *line = text; line != NULL && *line != '\0';) {
    char *nl = strchr(line, '\n');
    if (nl != NULL)
      *nl = '\0';
    const char *u = strstr(line, unknown);
    if (strncmp(line, "link ", 5) == 0 && u != NULL && strstr(line, "lower_up") != NULL)
      labstate_lines_addf(out, "%s%.*s state up %s", prefix, (int)(u - line), line,
                          u + sizeof unknown - 1);
    else
      labstate_lines_add(out, prefix, line);
    line = nl != NULL ? nl + 1 : NULL;
  }
}

static int section_net(const struct labstate_node *node, const struct labstate_backend *be,
                       struct labstate_lines *out, struct lab_error **err)
{
  if (node->pid <= 0) {
    labstate_lines_add(out, "", "net not running");
    return 0;
  }
  char *text = NULL;
  if (be->ops->netns_text(be->ctx, node->pid, &text, err) < 0)
    return lab_error_wrap(err, "the netns of %s (pid %d)", node->name, (int)node->pid);
  add_net_lines(out, "net ", text);
  free(text);
  return 0;
}

static int section_pods(const struct labstate_node *node, const struct labstate_backend *be,
                        struct labstate_lines *out, struct lab_error **err)
{
  (void)err;
  for (size_t i = 0; i < node->n_pods; i++) {
    const struct labstate_pod *p = &node->pods[i];
    char *prefix = xasprintf("pod %s ", p->name);
    char *text = NULL;
    struct lab_error *e = NULL;
    if (p->netns_pid <= 0) {
      labstate_lines_add(out, prefix, "not running");
    } else if (be->ops->netns_text(be->ctx, p->netns_pid, &text, &e) < 0) {
      /* The pod died meanwhile (pod-kill): a difference, not a failure. */
      char why[256];
      labstate_lines_addf(out, "%sunreadable: %s", prefix, first_line(e, why, sizeof why));
      lab_error_clear(&e);
    } else {
      add_net_lines(out, prefix, text);
    }
    free(text);
    free(prefix);
  }
  return 0;
}

/* The bridges nodelab's switches have (netd/netd-node.c), and the ports it
 * makes on them besides the pods'. */
static const struct {
  const char *bridge;
  const char *ports[3];
} ovs_bridges[] = {
    {"br0", {"vxlan0", "tun0", NULL}},
    {"br-phy", {"eth0", NULL}},
};

static void ovs_port(const struct labstate_node *node, const struct labstate_backend *be,
                     const char *bridge, const char *port, struct labstate_lines *out)
{
  char *text = NULL;
  struct lab_error *e = NULL;
  char *prefix = xasprintf("ovs %s port %s ", bridge, port);
  const char *args[] = {"port-show", bridge, port, NULL};
  if (be->ops->ovs(be->ctx, node->pid, args, &text, &e) < 0) {
    char why[256];
    labstate_lines_addf(out, "%sabsent: %s", prefix, first_line(e, why, sizeof why));
    lab_error_clear(&e);
  } else {
    labstate_lines_add(out, prefix, text);
  }
  free(text);
  free(prefix);
}

static int section_ovs(const struct labstate_node *node, const struct labstate_backend *be,
                       struct labstate_lines *out, struct lab_error **err)
{
  (void)err;
  if (node->is_fabric || node->pid <= 0)
    return 0;
  for (size_t b = 0; b < sizeof ovs_bridges / sizeof ovs_bridges[0]; b++) {
    const char *bridge = ovs_bridges[b].bridge;
    char *text = NULL;
    struct lab_error *e = NULL;
    char *prefix = xasprintf("ovs %s flow ", bridge);
    const char *args[] = {"dump-flows", bridge, NULL};
    if (be->ops->ovs(be->ctx, node->pid, args, &text, &e) < 0) {
      char why[256];
      labstate_lines_addf(out, "ovs %s unreachable: %s", bridge, first_line(e, why, sizeof why));
      lab_error_clear(&e);
      free(prefix);
      continue;
    }
    labstate_lines_add(out, prefix, text);
    free(text);
    free(prefix);
    for (size_t p = 0; ovs_bridges[b].ports[p] != NULL; p++)
      ovs_port(node, be, bridge, ovs_bridges[b].ports[p], out);
    if (strcmp(bridge, "br0") == 0)
      for (size_t i = 0; i < node->n_pods; i++)
        if (node->pods[i].ovs_port != NULL)
          ovs_port(node, be, bridge, node->pods[i].ovs_port, out);
  }
  return 0;
}

static int section_daemons(const struct labstate_node *node, const struct labstate_backend *be,
                           struct labstate_lines *out, struct lab_error **err)
{
  (void)be, (void)err;
  for (size_t i = 0; i < node->n_daemons; i++)
    labstate_lines_addf(out, "daemon %s %s", node->daemons[i].name,
                        node->daemons[i].running ? "running" : "stopped");
  return 0;
}

/* The limit files of every cgroup flavour (common/cgroup-v1.c, cgroup-v2.c
 * write them): those a directory has are read. */
static const char *const cgroup_limit_files[] = {
    "memory.max", "memory.limit_in_bytes", "memory.swap.max",   "pids.max",
    "cpu.max",    "cpu.cfs_quota_us",      "cpu.cfs_period_us",
};

static int section_cgroups(const struct labstate_node *node, const struct labstate_backend *be,
                           struct labstate_lines *out, struct lab_error **err)
{
  (void)err;
  for (size_t i = 0; i < node->n_containers; i++) {
    const struct labstate_container *c = &node->containers[i];
    for (size_t d = 0; c->cgroup_dirs != NULL && c->cgroup_dirs[d] != NULL; d++) {
      for (size_t f = 0; f < sizeof cgroup_limit_files / sizeof cgroup_limit_files[0]; f++) {
        char *path = xasprintf("%s/%s", c->cgroup_dirs[d], cgroup_limit_files[f]);
        char *text = NULL;
        struct lab_error *e = NULL;
        if (be->ops->read_file(be->ctx, path, &text, &e) == 0) {
          text[strcspn(text, "\n")] = '\0';
          labstate_lines_addf(out, "cgroup %s/%s %s %s", c->pod, c->name, cgroup_limit_files[f],
                              text);
        }
        lab_error_clear(&e);
        free(text);
        free(path);
      }
    }
  }
  return 0;
}

/* The container's main process, on the host: of the pids in its cgroup (a
 * cgroup.procs read from the host's namespaces lists host pids), the one
 * whose parent is outside it (its runtime monitor).  Its pid changes when
 * the runtime restarts the container (seccomp-deny does), its cgroup does
 * not.  0: none. */
static pid_t main_process(const struct labstate_container *c, const struct labstate_backend *be)
{
  char *procs = NULL;
  struct lab_error *e = NULL;
  for (size_t d = 0; c->cgroup_dirs != NULL && c->cgroup_dirs[d] != NULL && procs == NULL; d++) {
    char *path = xasprintf("%s/cgroup.procs", c->cgroup_dirs[d]);
    if (be->ops->read_file(be->ctx, path, &procs, &e) < 0)
      lab_error_clear(&e);
    free(path);
  }
  if (procs == NULL)
    return 0;
  pid_t pids[256];
  size_t n = 0;
  for (char *p = procs; *p != '\0' && n < sizeof pids / sizeof pids[0];) {
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p)
      break;
    pids[n++] = (pid_t)v;
    p = end + strspn(end, "\n");
  }
  free(procs);
  pid_t found = 0;
  for (size_t i = 0; i < n && found == 0; i++) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pids[i]);
    char *stat = NULL;
    if (be->ops->read_file(be->ctx, path, &stat, &e) < 0) {
      lab_error_clear(&e);
      continue;
    }
    /* "pid (comm) state ppid ...": comm may hold anything, ") " ends it. */
    const char *rp = strrchr(stat, ')');
    int ppid = 0;
    char st;
    if (rp != NULL && sscanf(rp + 1, " %c %d", &st, &ppid) == 2) {
      bool inside = false;
      for (size_t j = 0; j < n; j++)
        inside |= pids[j] == (pid_t)ppid;
      if (!inside)
        found = pids[i];
    }
    free(stat);
  }
  return found;
}

static int section_seccomp(const struct labstate_node *node, const struct labstate_backend *be,
                           struct labstate_lines *out, struct lab_error **err)
{
  (void)err;
  for (size_t i = 0; i < node->n_containers; i++) {
    const struct labstate_container *c = &node->containers[i];
    pid_t pid = main_process(c, be);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    char *text = NULL;
    struct lab_error *e = NULL;
    if (pid == 0 || be->ops->read_file(be->ctx, path, &text, &e) < 0) {
      labstate_lines_addf(out, "seccomp %s/%s not running", c->pod, c->name);
      lab_error_clear(&e);
      continue;
    }
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
      if (strncmp(line, "Seccomp", 7) != 0)
        continue;
      for (char *t = line; *t; t++)
        if (*t == '\t')
          *t = ' ';
      labstate_lines_addf(out, "seccomp %s/%s %s", c->pod, c->name, line);
    }
    free(text);
  }
  return 0;
}

const struct labstate_section labstate_sections[] = {
    {"net", section_net},        {"pod", section_pods},       {"ovs", section_ovs},
    {"daemon", section_daemons}, {"cgroup", section_cgroups}, {"seccomp", section_seccomp},
};
const size_t labstate_n_sections = sizeof labstate_sections / sizeof labstate_sections[0];

/* ---- the whole state ---- */

struct labstate *labstate_new(void)
{
  return xcalloc(1, sizeof(struct labstate));
}

void labstate_add(struct labstate *st, const char *name, const char *text)
{
  st->entries = xnonnull(realloc(st->entries, (st->n_entries + 1) * sizeof *st->entries));
  st->entries[st->n_entries++] = (struct labstate_entry){xstrdup(name), xstrdup(text)};
}

const struct labstate_entry *labstate_find(const struct labstate *st, const char *name)
{
  for (size_t i = 0; st != NULL && i < st->n_entries; i++)
    if (strcmp(st->entries[i].name, name) == 0)
      return &st->entries[i];
  return NULL;
}

void labstate_free(struct labstate *st)
{
  if (st == NULL)
    return;
  for (size_t i = 0; i < st->n_entries; i++) {
    free(st->entries[i].name);
    free(st->entries[i].text);
  }
  free(st->entries);
  free(st);
}

int labstate_capture(const struct labstate_view *view, const char *only,
                     const struct labstate_backend *be, struct labstate **out,
                     struct lab_error **err)
{
  struct labstate *st = labstate_new();
  for (size_t i = 0; i < view->n_nodes; i++) {
    const struct labstate_node *node = &view->nodes[i];
    if (only != NULL && strcmp(only, node->name) != 0)
      continue;
    struct labstate_lines lines = {0};
    for (size_t s = 0; s < labstate_n_sections; s++) {
      if (labstate_sections[s].capture(node, be, &lines, err) < 0) {
        lines_release(&lines);
        labstate_free(st);
        return lab_error_wrap(err, "state of %s, section %s", node->name,
                              labstate_sections[s].name);
      }
    }
    char *text = lines_join(&lines);
    labstate_add(st, node->name, text);
    free(text);
    lines_release(&lines);
  }
  if (only != NULL && st->n_entries == 0) {
    labstate_free(st);
    char msg[128];
    snprintf(msg, sizeof msg, "no node named \"%s\"", only);
    return refuse(err, ENOENT, msg);
  }
  *out = st;
  return 0;
}

char *labstate_format(const struct labstate *st)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL)
    abort();
  for (size_t i = 0; i < st->n_entries; i++)
    fprintf(f, "#### %s\n%s", st->entries[i].name, st->entries[i].text);
  fclose(f);
  return buf;
}

int labstate_parse(const char *text, struct labstate **out, struct lab_error **err)
{
  struct labstate *st = labstate_new();
  char *name = NULL;
  struct labstate_lines lines = {0};
  int lineno = 0;
  const char *p = text;
  while (*p != '\0') {
    size_t len = strcspn(p, "\n");
    lineno++;
    if (strncmp(p, "#### ", 5) == 0) {
      if (name != NULL) {
        char *t = lines_join(&lines);
        labstate_add(st, name, t);
        free(t);
        lines_release(&lines);
        free(name);
      }
      name = xstrndup(p + 5, len - 5);
    } else if (len > 0) {
      if (name == NULL) {
        free(lines.v);
        labstate_free(st);
        char msg[128];
        snprintf(msg, sizeof msg,
                 "line %d: a state line before any \"#### NODE\" header (not the output of "
                 "nodelab state?)",
                 lineno);
        return refuse(err, EINVAL, msg);
      }
      lines_push(&lines, xstrndup(p, len));
    }
    p += len;
    if (*p == '\n')
      p++;
  }
  if (name != NULL) {
    char *t = lines_join(&lines);
    labstate_add(st, name, t);
    free(t);
    free(name);
  }
  lines_release(&lines);
  *out = st;
  return 0;
}

int labstate_diff(const struct labstate *a, const struct labstate *b, char **text,
                  struct lab_error **err)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL)
    abort();
  int total = 0;
  for (size_t i = 0; i < a->n_entries; i++) {
    const struct labstate_entry *ea = &a->entries[i];
    const struct labstate_entry *eb = labstate_find(b, ea->name);
    if (eb == NULL) {
      fprintf(f, "#### %s\nnode %s only before\n", ea->name, ea->name);
      total++;
      continue;
    }
    char *d = NULL;
    int n = netstate_diff_text(ea->text, eb->text, &d, err);
    if (n < 0) {
      fclose(f);
      free(buf);
      return -1;
    }
    if (n > 0)
      fprintf(f, "#### %s\n%s", ea->name, d);
    total += n;
    free(d);
  }
  for (size_t i = 0; i < b->n_entries; i++) {
    if (labstate_find(a, b->entries[i].name) == NULL) {
      fprintf(f, "#### %s\nnode %s only after\n", b->entries[i].name, b->entries[i].name);
      total++;
    }
  }
  fclose(f);
  *text = buf;
  return total;
}
