/* The graph as Graphviz dot (and, through libgvc, SVG).  Compound vertices
 * (the fabric, nodes, bridges, pods) are clusters; the others are boxes.  An
 * edge that ends at a compound vertex is drawn to its first box with
 * lhead/ltail (compound=true), so that it stops at the cluster's border.
 * Broken elements are red and carry the fault's name; checks are dashed,
 * green when they passed and red when they failed. */
#include "graph.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include "xalloc.h"

#define RED "#c62828"
#define RED_FILL "#ffcdd2"
#define GREEN "#2e7d32"
#define GREY "#9e9e9e"

static bool is_compound(enum graph_vertex_kind k)
{
  return k == GRAPH_V_FABRIC || k == GRAPH_V_NODE || k == GRAPH_V_BRIDGE || k == GRAPH_V_POD;
}

/* s as the inside of a dot double-quoted string. */
static void put_escaped(FILE *out, const char *s)
{
  for (; s != NULL && *s; s++) {
    if (*s == '"' || *s == '\\')
      fputc('\\', out);
    if (*s == '\n')
      fputs("\\n", out);
    else
      fputc(*s, out);
  }
}

static bool running(const char *state)
{
  return state == NULL || strcmp(state, "running") == 0 || strcmp(state, "ready") == 0 ||
         strcmp(state, "up") == 0;
}

/* The label: name, detail, state (when it says something), and the faults. */
static void put_label(FILE *out, const char *label, const char *detail, const char *state,
                      char *const *faults)
{
  fputs("label=\"", out);
  put_escaped(out, label);
  if (detail != NULL) {
    fputs("\\n", out);
    put_escaped(out, detail);
  }
  if (state != NULL && !running(state)) {
    fputs("\\n(", out);
    put_escaped(out, state);
    fputs(")", out);
  }
  for (size_t i = 0; faults != NULL && faults[i] != NULL; i++) {
    fputs("\\nbroken: ", out);
    put_escaped(out, faults[i]);
  }
  fputs("\"", out);
}

/* The box an edge to v is drawn to: v itself, or (a cluster) its first box,
 * depth first; NULL when the cluster holds none (it then has an anchor). */
static const struct graph_vertex *anchor_of(const struct graph *g, const struct graph_vertex *v)
{
  if (!is_compound(v->kind))
    return v;
  for (size_t i = 0; i < g->n_vertices; i++) {
    const struct graph_vertex *c = &g->vertices[i];
    if (c->parent != NULL && strcmp(c->parent, v->id) == 0) {
      const struct graph_vertex *a = anchor_of(g, c);
      if (a != NULL)
        return a;
    }
  }
  return NULL;
}

static void put_vertex(FILE *out, const struct graph *g, const struct graph_vertex *v, int depth);

static void put_children(FILE *out, const struct graph *g, const struct graph_vertex *v, int depth)
{
  for (size_t i = 0; i < g->n_vertices; i++) {
    const struct graph_vertex *c = &g->vertices[i];
    if (v == NULL ? c->parent == NULL : c->parent != NULL && strcmp(c->parent, v->id) == 0)
      put_vertex(out, g, c, depth);
  }
}

static void put_vertex(FILE *out, const struct graph *g, const struct graph_vertex *v, int depth)
{
  bool broken = v->faults != NULL;
  fprintf(out, "%*s", depth * 2, "");
  if (!is_compound(v->kind)) {
    fputs("\"", out);
    put_escaped(out, v->id);
    fputs("\" [", out);
    put_label(out, v->label, v->detail, v->state, v->faults);
    if (broken)
      fprintf(out, ", color=\"" RED "\", fillcolor=\"" RED_FILL "\", penwidth=2");
    else if (!running(v->state))
      fprintf(out, ", fillcolor=\"#eeeeee\", fontcolor=\"#616161\"");
    if (v->kind == GRAPH_V_DAEMON)
      fputs(", shape=ellipse", out);
    fputs("];\n", out);
    return;
  }
  fputs("subgraph \"cluster_", out);
  put_escaped(out, v->id);
  fputs("\" {\n", out);
  fprintf(out, "%*s", depth * 2 + 2, "");
  put_label(out, v->label, v->detail, v->state, v->faults);
  fprintf(out, "; style=\"rounded%s\"; color=\"%s\"; penwidth=%d;", broken ? ",filled" : "",
          broken                    ? RED
          : v->kind == GRAPH_V_NODE ? "#37474f"
                                    : GREY,
          broken ? 3 : 1);
  if (broken)
    fputs(" fillcolor=\"" RED_FILL "\";", out);
  fputs("\n", out);
  if (anchor_of(g, v) == NULL) {
    /* An empty cluster is not drawn: a point keeps it, and takes its edges. */
    fprintf(out, "%*s\"anchor_", depth * 2 + 2, "");
    put_escaped(out, v->id);
    fputs("\" [shape=point, style=invis];\n", out);
  }
  put_children(out, g, v, depth + 1);
  fprintf(out, "%*s}\n", depth * 2, "");
}

/* One end of an edge: the box's id, and lhead/ltail when it stands for a cluster. */
static void put_end(FILE *out, const struct graph *g, const char *id)
{
  const struct graph_vertex *v = graph_vertex(g, id);
  const struct graph_vertex *a = v ? anchor_of(g, v) : NULL;
  fputs("\"", out);
  if (a != NULL) {
    put_escaped(out, a->id);
  } else {
    fputs("anchor_", out);
    put_escaped(out, id);
  }
  fputs("\"", out);
}

static void put_edge(FILE *out, const struct graph *g, const struct graph_edge *e)
{
  fputs("  ", out);
  put_end(out, g, e->source);
  fputs(" -> ", out);
  put_end(out, g, e->target);
  fputs(" [", out);
  put_label(out, e->label ? e->label : "", NULL, NULL, e->faults);
  const struct graph_vertex *s = graph_vertex(g, e->source), *t = graph_vertex(g, e->target);
  /* A loop (an exec check runs where it is) is drawn on the box alone:
   * clipping both ends at one cluster's border trips dot's router. */
  bool loop = s == t;
  if (s != NULL && is_compound(s->kind) && !loop) {
    fputs(", ltail=\"cluster_", out);
    put_escaped(out, s->id);
    fputs("\"", out);
  }
  if (t != NULL && is_compound(t->kind) && !loop) {
    fputs(", lhead=\"cluster_", out);
    put_escaped(out, t->id);
    fputs("\"", out);
  }
  const char *color = GREY;
  switch (e->kind) {
  case GRAPH_E_CABLE:
    color = "#263238";
    fputs(", penwidth=2, dir=none", out);
    break;
  case GRAPH_E_ATTACH:
    fputs(", dir=none", out);
    break;
  case GRAPH_E_TUNNEL:
    color = "#1565c0";
    break;
  case GRAPH_E_CHECK:
    color = e->state == NULL ? GREY : strcmp(e->state, "passed") == 0 ? GREEN : RED;
    fputs(", style=dashed", out);
    if (e->reason != NULL && strcmp(e->state, "failed") == 0) {
      fputs(", tooltip=\"", out);
      put_escaped(out, e->reason);
      fputs("\"", out);
    }
    break;
  default:
    break;
  }
  if (e->faults != NULL)
    fputs(", penwidth=3", out);
  fprintf(out, ", color=\"%s\", fontcolor=\"%s\"];\n", e->faults ? RED : color,
          e->faults ? RED : color);
}

char *graph_to_dot(const struct graph *g)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  if (out == NULL)
    abort();
  fputs("digraph \"", out);
  put_escaped(out, g->lab);
  fputs("\" {\n  graph [compound=true, newrank=true, rankdir=LR, fontname=\"Helvetica\", "
        "labelloc=t, ",
        out);
  fprintf(out, "label=\"lab ");
  put_escaped(out, g->lab);
  fprintf(out, "%s\"];\n", g->live ? "" : " (plan: not running)");
  fputs("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", "
        "fontname=\"Helvetica\", fontsize=10];\n"
        "  edge [fontname=\"Helvetica\", fontsize=9];\n",
        out);
  put_children(out, g, NULL, 1);
  for (size_t i = 0; i < g->n_edges; i++)
    put_edge(out, g, &g->edges[i]);
  fputs("}\n", out);
  if (fclose(out) != 0)
    abort();
  return buf;
}

/* In the child: lays out dot and writes its SVG to fd; the exit status says how it went. */
static int render_child(const char *dot, int fd)
{
  GVC_t *gvc = gvContext();
  Agraph_t *ag = gvc ? agmemread(dot) : NULL;
  if (ag == NULL)
    return 3;
  if (gvLayout(gvc, ag, "dot") != 0)
    return 4;
  char *data = NULL;
  unsigned int n = 0;
  if (gvRenderData(gvc, ag, "svg", &data, &n) != 0 || data == NULL)
    return 5;
  for (unsigned int off = 0; off < n;) {
    ssize_t w = write(fd, data + off, n - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return 6;
    off += (unsigned int)w;
  }
  return 0;
}

/* Graphviz asserts on some inputs (and aborts the process): the layout runs
 * in a child, so that a failure is an error here, not a crash. */
int graph_to_svg(const struct graph *g, char **svg, size_t *len, struct lab_error **err)
{
  char *dot = graph_to_dot(g);
  int pfd[2];
  if (pipe2(pfd, O_CLOEXEC) < 0) {
    free(dot);
    return lab_error_errno(err, "pipe");
  }
  pid_t pid = fork();
  if (pid < 0) {
    free(dot);
    close(pfd[0]);
    close(pfd[1]);
    return lab_error_errno(err, "fork");
  }
  if (pid == 0) {
    close(pfd[0]);
    _exit(render_child(dot, pfd[1]));
  }
  free(dot);
  close(pfd[1]);
  char *buf = NULL;
  size_t size = 0;
  FILE *mem = open_memstream(&buf, &size);
  if (mem == NULL)
    abort();
  char chunk[65536];
  for (;;) {
    ssize_t r = read(pfd[0], chunk, sizeof chunk);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    fwrite(chunk, 1, (size_t)r, mem);
  }
  close(pfd[0]);
  fclose(mem);
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    free(buf);
    static const char *const why[] = {[3] = "could not read the graph",
                                      [4] = "could not lay it out (is its dot plugin installed?)",
                                      [5] = "could not render SVG (is its core plugin installed?)",
                                      [6] = "could not write the SVG"};
    if (WIFSIGNALED(status))
      return lab_error_set(err, 0, "Graphviz died laying out the graph (signal %d)",
                           WTERMSIG(status));
    int code = WEXITSTATUS(status);
    return lab_error_set(err, 0, "Graphviz %s", code >= 3 && code <= 6 ? why[code] : "failed");
  }
  *svg = buf;
  *len = size;
  return 0;
}
