/* nodelab fault ls | inject NAME|KIND [k=v...] [--for DUR] | repair NAME|KIND|ID|--all:
 * the lab's faults through nodelabd's API (proto/api-faults.h). */
#include "cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api-faults.h"
#include "cleanup.h"
#include "error.h"
#include "http-client.h"
#include "json.h"

#define FAULT_TIMEOUT_MS 30000

/* One request to the lab's faults; prints the error and returns -1 unless
 * the status is `want`. */
static int faults_call(const struct cli_invocation *inv, const char *lab, const char *method,
                       const char *suffix, const char *body, int want, struct json_object **reply)
{
  char target[512];
  snprintf(target, sizeof target, "/v1/labs/%s/faults%s", lab, suffix);
  return cli_lab_call(inv, lab, method, target, body, FAULT_TIMEOUT_MS, want, reply);
}

/* faults_call for a reply to print: with --json prints it whole and returns
 * 1; else decodes it into m with decode and returns 0 (*reply, which m
 * points into, to free after m); -1 on failure (printed). */
static int faults_fetch(const struct cli_invocation *inv, const char *lab, const char *method,
                        const char *suffix,
                        int (*decode)(struct json_object *o, void *m, struct lab_error **err),
                        void *m, struct json_object **reply)
{
  if (faults_call(inv, lab, method, suffix, NULL, 200, reply) < 0)
    return -1;
  cleanup_error struct lab_error *err = NULL;
  if (cli_flag(inv, "json"))
    printf("%s\n", json_object_to_json_string_ext(*reply, JSON_C_TO_STRING_PRETTY));
  else if (decode(*reply, m, &err) == 0)
    return 0;
  else
    cli_errorf(inv, "lab %s: %s", lab, err->msg);
  json_object_put(*reply);
  *reply = NULL;
  return err == NULL ? 1 : -1;
}

static int decode_faults(struct json_object *o, void *m, struct lab_error **err)
{
  return api_faults_decode(o, m, err);
}

static int decode_repaired(struct json_object *o, void *m, struct lab_error **err)
{
  return api_faults_repaired_decode(o, m, err);
}

static void print_params(const struct api_fault_param *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    printf("%s%s=%s", i ? " " : "", p[i].key, p[i].value);
}

static void print_active_line(const struct api_active_fault *a)
{
  printf("%-4" PRId64 " %-18s %-18s %-17s %-24s %-5s %s\n", a->id, a->name ? a->name : "-",
         a->kind ? a->kind : "-", api_fault_state_name(a->state),
         a->injected_at ? a->injected_at : "-", api_fault_by_name(a->by),
         a->target ? a->target : "-");
}

static int fault_ls(const struct cli_invocation *inv, const char *lab)
{
  struct api_faults m;
  struct json_object *reply = NULL;
  int fetched = faults_fetch(inv, lab, "GET", "", decode_faults, &m, &reply);
  if (fetched != 0)
    return fetched < 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
  printf("KINDS\n%-20s %-5s %-28s %s\n", "KIND", "BUILT", "PARAMETERS", "BREAKS");
  for (size_t i = 0; i < m.n_catalogue; i++) {
    const struct api_fault_kind *k = &m.catalogue[i];
    char params[256] = "";
    size_t len = 0;
    for (size_t j = 0; j < k->n_params && len < sizeof params; j++)
      len +=
          (size_t)snprintf(params + len, sizeof params - len, "%s%s", j ? "," : "", k->params[j]);
    printf("%-20s %-5s %-28s %s\n", k->name, k->implemented ? "yes" : "no", params,
           k->breaks ? k->breaks : "");
  }
  printf("\nSCENARIO FAULTS\n");
  if (m.n_scenario == 0)
    printf("(none)\n");
  for (size_t i = 0; i < m.n_scenario; i++) {
    printf("%-20s %-20s ", m.scenario[i].name, m.scenario[i].kind);
    print_params(m.scenario[i].params, m.scenario[i].n_params);
    printf("\n");
  }
  printf("\nINJECTED\n");
  if (m.n_active == 0)
    printf("(none)\n");
  else
    printf("%-4s %-18s %-18s %-17s %-24s %-5s %s\n", "ID", "NAME", "KIND", "STATE", "INJECTED",
           "BY", "TARGET");
  for (size_t i = 0; i < m.n_active; i++)
    print_active_line(&m.active[i]);
  api_faults_release(&m);
  json_object_put(reply);
  return CLI_EXIT_OK;
}

static int fault_inject(const struct cli_invocation *inv, const char *lab)
{
  if (inv->argc < 2) {
    cli_errorf(inv, "inject: which fault? (a scenario fault's name or a kind: nodelab fault ls)");
    return CLI_EXIT_USAGE;
  }
  const char *what = inv->argv[1];
  size_t n = (size_t)inv->argc - 2;
  cleanup_free struct api_fault_param *params = calloc(n ? n : 1, sizeof *params);
  char **copies = calloc(n ? n : 1, sizeof *copies);
  if (params == NULL || copies == NULL)
    abort();
  int rc = CLI_EXIT_OK;
  for (size_t i = 0; i < n; i++) {
    copies[i] = strdup(inv->argv[2 + i]);
    char *eq = copies[i] ? strchr(copies[i], '=') : NULL;
    if (eq == NULL || eq == copies[i]) {
      cli_errorf(inv, "inject: \"%s\" is not KEY=VALUE", inv->argv[2 + i]);
      rc = CLI_EXIT_USAGE;
      n = i + 1;
      goto out;
    }
    *eq = '\0';
    params[i] = (struct api_fault_param){copies[i], eq + 1};
  }
  /* With parameters, a kind; alone, a scenario fault's name, or else a kind
   * (nodelabd decides, since it knows the scenario). */
  bool is_kind = n > 0;
  struct api_fault_inject req = {.name = is_kind ? NULL : what,
                                 .kind = is_kind ? what : NULL,
                                 .params = params,
                                 .n_params = n,
                                 .for_ = cli_opt(inv, "for")};
  struct json_object *body = api_fault_inject_encode(&req);
  struct json_object *reply = NULL;
  if (faults_call(inv, lab, "POST", "", json_object_to_json_string(body), 201, &reply) < 0) {
    json_object_put(body);
    rc = CLI_EXIT_FAIL;
    goto out;
  }
  json_object_put(body);
  if (cli_flag(inv, "json")) {
    printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY));
  } else {
    cleanup_error struct lab_error *err = NULL;
    struct api_active_fault a;
    if (api_active_fault_decode(reply, &a, &err) == 0) {
      printf("injected %s (id %" PRId64 "): %s on %s\n  ", a.name ? a.name : a.kind, a.id, a.kind,
             a.target);
      print_params(a.params, a.n_params);
      printf("\n  symptom: %s\n", a.symptom ? a.symptom : "");
      if (a.for_ms > 0)
        printf("  repaired by itself in %" PRId64 " ms\n", a.for_ms);
      printf("  repair: nodelab fault repair %" PRId64 "\n", a.id);
      api_active_fault_release(&a);
    }
  }
  json_object_put(reply);
out:
  for (size_t i = 0; i < n; i++)
    free(copies[i]);
  free(copies);
  return rc;
}

static int fault_repair(const struct cli_invocation *inv, const char *lab)
{
  bool all = cli_flag(inv, "all");
  if (all == (inv->argc >= 2)) {
    cli_errorf(inv, "repair: give one of NAME, KIND or ID, or --all");
    return CLI_EXIT_USAGE;
  }
  char suffix[300] = "";
  if (!all)
    snprintf(suffix, sizeof suffix, "/%s", inv->argv[1]);
  struct api_faults_repaired m;
  struct json_object *reply = NULL;
  int fetched = faults_fetch(inv, lab, "DELETE", suffix, decode_repaired, &m, &reply);
  if (fetched != 0)
    return fetched < 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
  if (m.n_repaired == 0)
    printf("no fault to repair\n");
  for (size_t i = 0; i < m.n_repaired; i++)
    printf("repaired %s (id %" PRId64 "): %s on %s%s\n",
           m.repaired[i].name ? m.repaired[i].name : m.repaired[i].kind, m.repaired[i].id,
           m.repaired[i].kind, m.repaired[i].target,
           m.repaired[i].state == API_FAULT_REPAIRED_BY_HAND ? " (it had been repaired by hand)"
                                                             : "");
  api_faults_repaired_release(&m);
  json_object_put(reply);
  return CLI_EXIT_OK;
}

int cli_fault(const struct cli_invocation *inv)
{
  cleanup_error struct lab_error *err = NULL;
  cleanup_free char *lab = NULL;
  const char *sub = inv->argv[0];
  if (strcmp(sub, "ls") != 0 && strcmp(sub, "inject") != 0 && strcmp(sub, "repair") != 0) {
    cli_errorf(inv, "unknown subcommand %s (use ls, inject or repair)", sub);
    return CLI_EXIT_USAGE;
  }
  if (cli_resolve_lab(cli_opt(inv, "lab"), &lab, &err) < 0) {
    cli_errorf(inv, "%s", err->msg);
    return CLI_EXIT_FAIL;
  }
  if (strcmp(sub, "ls") == 0)
    return fault_ls(inv, lab);
  if (strcmp(sub, "inject") == 0)
    return fault_inject(inv, lab);
  return fault_repair(inv, lab);
}
