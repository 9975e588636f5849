/* The graph as a Mermaid flowchart (for Markdown that renders it):
 * compound vertices are subgraphs, the rest boxes; ids are the model's with
 * every byte outside [A-Za-z0-9] written as _XX (hex), so they stay unique;
 * broken elements get the class "broken", check links their result's colour. */
#include "graph.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_id(FILE *out, const char *id)
{
  for (const unsigned char *p = (const unsigned char *)id; *p; p++)
    if (isalnum(*p))
      fputc(*p, out);
    else
      fprintf(out, "_%02x", *p);
}

/* Text inside a quoted Mermaid label: quotes become #quot; (its entity form). */
static void put_text(FILE *out, const char *s)
{
  for (; s != NULL && *s; s++)
    if (*s == '"')
      fputs("#quot;", out);
    else if (*s == '\n')
      fputs("<br/>", out);
    else
      fputc(*s, out);
}

static void put_label(FILE *out, const char *label, const char *detail, const char *state,
                      char *const *faults)
{
  fputs("\"", out);
  put_text(out, label);
  if (detail != NULL) {
    fputs("<br/>", out);
    put_text(out, detail);
  }
  if (state != NULL) {
    fputs("<br/>(", out);
    put_text(out, state);
    fputs(")", out);
  }
  for (size_t i = 0; faults != NULL && faults[i] != NULL; i++) {
    fputs("<br/>broken: ", out);
    put_text(out, faults[i]);
  }
  fputs("\"", out);
}

static bool is_compound(enum graph_vertex_kind k)
{
  return k == GRAPH_V_FABRIC || k == GRAPH_V_NODE || k == GRAPH_V_BRIDGE || k == GRAPH_V_POD;
}

static void put_vertices(FILE *out, const struct graph *g, const char *parent, int depth)
{
  for (size_t i = 0; i < g->n_vertices; i++) {
    const struct graph_vertex *v = &g->vertices[i];
    if (parent == NULL ? v->parent != NULL : v->parent == NULL || strcmp(v->parent, parent) != 0)
      continue;
    fprintf(out, "%*s", depth * 2, "");
    if (is_compound(v->kind)) {
      fputs("subgraph ", out);
      put_id(out, v->id);
      fputs("[", out);
      put_label(out, v->label, v->detail, v->state, v->faults);
      fputs("]\n", out);
      put_vertices(out, g, v->id, depth + 1);
      fprintf(out, "%*send\n", depth * 2, "");
    } else {
      put_id(out, v->id);
      fputs(v->kind == GRAPH_V_DAEMON ? "([" : "[", out);
      put_label(out, v->label, v->detail, v->state, v->faults);
      fputs(v->kind == GRAPH_V_DAEMON ? "])\n" : "]\n", out);
    }
    if (v->faults != NULL) {
      fprintf(out, "%*sclass ", depth * 2, "");
      put_id(out, v->id);
      fputs(" broken\n", out);
    }
  }
}

char *graph_to_mermaid(const struct graph *g)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  if (out == NULL)
    abort();
  fprintf(out, "%%%% lab %s%s\nflowchart LR\n", g->lab, g->live ? "" : " (plan: not running)");
  fputs("  classDef broken fill:#ffcdd2,stroke:#c62828,stroke-width:2px\n", out);
  put_vertices(out, g, NULL, 1);
  for (size_t i = 0; i < g->n_edges; i++) {
    const struct graph_edge *e = &g->edges[i];
    fputs("  ", out);
    put_id(out, e->source);
    fputs(e->kind == GRAPH_E_CHECK ? " -.->" : e->kind == GRAPH_E_TUNNEL ? " ==>" : " ---", out);
    if (e->label != NULL || e->faults != NULL) {
      fputs("|", out);
      put_label(out, e->label ? e->label : "", NULL, e->state, e->faults);
      fputs("|", out);
    }
    fputs(" ", out);
    put_id(out, e->target);
    fputs("\n", out);
    const char *color = e->faults != NULL                              ? "#c62828"
                        : e->kind != GRAPH_E_CHECK || e->state == NULL ? NULL
                        : strcmp(e->state, "passed") == 0              ? "#2e7d32"
                                                                       : "#c62828";
    if (color != NULL)
      fprintf(out, "  linkStyle %zu stroke:%s\n", i, color);
  }
  if (fclose(out) != 0)
    abort();
  return buf;
}
