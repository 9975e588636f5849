/* The REST API's service messages: a node's daemons as services, for
 * `nodelab service NODE status|start|stop|restart [DAEMON]` (the conventions
 * of api.h: borrowed strings, decoders malloc arrays released by
 * api_X_release(), encoders return a new object).
 *
 *   GET  /v1/labs/LAB/nodes/NODE/services               200 SERVICES   struct api_services
 *   POST /v1/labs/LAB/nodes/NODE/services/DAEMON/ACTION (ACTION start, stop or restart; no body)
 *                                                       200 SERVICES (the node's, after it)
 *        404 no such node or daemon (the message lists the valid ones), 400 unknown action or
 *        a oneshot step, 409 the lab is not up.
 *
 *   SERVICES: {"node", "services": [SERVICE...]}
 *   SERVICE:  {"name", "state": "waiting|running|ready|exited|failed|stopped", "pid" (host, 0:
 *              none), "restarts" (by supervision), "since" (ISO-8601 of the last start or exit,
 *              "" before), "supervised": bool (false: stopped on purpose, nothing restarts it),
 *              "oneshot": bool}
 *
 * `stop` (SIGTERM) pauses the daemon's supervision, as systemctl stop: it
 * stays stopped; `start` and `restart` start it as at `up` (same argv, same
 * readiness) and resume it. */
#ifndef NODELAB_PROTO_API_SERVICE_H
#define NODELAB_PROTO_API_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "error.h"

struct json_object;

enum api_service_action {
  API_SERVICE_START,
  API_SERVICE_STOP,
  API_SERVICE_RESTART,
  API_SERVICE_ACTION__COUNT
};

/* "start", "stop", "restart"; static storage. */
const char *api_service_action_name(enum api_service_action a);
/* The action named s: 0 and *out, or -1 and *err ("unknown action x (use start, stop or
 * restart)"). */
int api_service_action_parse(const char *s, enum api_service_action *out, struct lab_error **err);

struct api_service {
  const char *name;
  enum api_daemon_state state;
  int64_t pid;
  int64_t restarts;
  const char *since;
  bool supervised;
  bool oneshot;
};

struct api_services {
  const char *node;
  struct api_service *services;
  size_t n_services;
};

struct json_object *api_services_encode(const struct api_services *m);
int api_services_decode(struct json_object *o, struct api_services *out, struct lab_error **err);
void api_services_release(struct api_services *m);

#endif
