/* A node's daemons as services (lab-services.c): `nodelab service NODE
 * status|start|stop|restart [DAEMON]` (proto/api-service.h), and the same
 * supervision steps for the fault engine's daemon-kill.  Stopping a daemon
 * pauses its supervision (nothing restarts it); starting it resumes it. */
#ifndef NODELAB_LAB_SERVICES_H
#define NODELAB_LAB_SERVICES_H

#include <stdbool.h>
#include <signal.h>

#include "error.h"

struct json_object;
struct lab;

/* GET .../nodes/NODE/services: a new api_services object, *code 200; or
 * {"error"} with *code 404 (no such node: the message lists them). */
struct json_object *lab_services_get(struct lab *lab, const char *node, int *code);

/* POST .../nodes/NODE/services/DAEMON/ACTION: does it, and returns the
 * node's services (*code 200) or {"error"} (400, 404, 409). */
struct json_object *lab_services_act(struct lab *lab, const char *node, const char *daemon,
                                     const char *action, int *code);

/* Pauses the supervision of NODE's DAEMON and sends it sig (a daemon that
 * does not run is only marked stopped).  0, or -1 and *err (ENOENT: no such
 * node or daemon; EINVAL: a oneshot step). */
int lab_daemon_stop(struct lab *lab, const char *node, const char *daemon, int sig,
                    struct lab_error **err);
/* Resumes its supervision and starts it as at up, once its dependency is
 * met (a running daemon is left as it is).  0, or -1 and *err. */
int lab_daemon_start(struct lab *lab, const char *node, const char *daemon, struct lab_error **err);
/* Whether its process runs now (its pid alive, not a zombie). */
int lab_daemon_running(struct lab *lab, const char *node, const char *daemon, bool *running,
                       struct lab_error **err);

#endif
