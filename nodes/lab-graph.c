/* The lab's graph: its status and faults as the API encodes them, decoded
 * into the typed replies graph_from_status() reads, so that the web view's
 * graph and `nodelab graph`'s are the same function of the same messages. */
#include "lab-graph.h"

#include <json-c/json.h>

#include "api-faults.h"
#include "api.h"
#include "cleanup.h"
#include "graph.h"
#include "lab-faults.h"
#include "lab.h"

struct json_object *lab_graph_json(struct lab *lab, int *code)
{
  cleanup_error struct lab_error *err = NULL;
  struct json_object *status_json = lab_status_json(lab);
  int faults_code = 0;
  struct json_object *faults_json = lab_faults_json(lab, &faults_code);
  struct json_object *out = NULL;
  struct api_lab_status st;
  struct api_faults faults;
  if (api_lab_status_decode(status_json, &st, &err) == 0) {
    if (api_faults_decode(faults_json, &faults, &err) == 0) {
      struct graph *g = graph_from_status(&st, &faults);
      out = graph_to_json(g);
      graph_free(g);
      api_faults_release(&faults);
    }
    api_lab_status_release(&st);
  }
  json_object_put(status_json);
  json_object_put(faults_json);
  if (out == NULL) {
    *code = 500;
    return api_error_encode(&(struct api_error){.error = err ? err->msg : "graph failed"});
  }
  *code = 200;
  return out;
}
