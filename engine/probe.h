/* The probes of nodelab's checks: ping, tcp, http and udp, run by nodelab's
 * own C code in the caller's current network namespace, each bounded by its
 * timeout.  nodelabd does not call probe_run() itself (setns is per thread
 * and its loop must not block): it spawns the nodelab-probe helper inside the
 * target's namespace (probe-runner.h), which speaks the JSON below.
 *
 * A probe names its target by an IPv4 literal; pod and node names are
 * resolved by nodelabd before a probe is built. */
#ifndef NODELAB_ENGINE_PROBE_H
#define NODELAB_ENGINE_PROBE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct json_object;

enum probe_kind {
  PROBE_PING, /* ICMP echo */
  PROBE_TCP,  /* connect, optionally send bytes and expect some back */
  PROBE_HTTP, /* GET, status and optionally a body substring */
  PROBE_UDP,  /* a datagram and its answer */
  PROBE_EXEC, /* a command's exit status, in a node or a container (probe-exec.c) */
  PROBE_KIND_COUNT
};

/* Defaults, applied by probe_spec_init(). */
#define PROBE_DEFAULT_TIMEOUT_MS 2000
#define PROBE_DEFAULT_PING_COUNT 3
#define PROBE_DEFAULT_PING_INTERVAL_MS 100
#define PROBE_DEFAULT_PING_SIZE 56 /* ICMP payload bytes, as ping(8) */
#define PROBE_DEFAULT_UDP_PAYLOAD "nodelab-probe\n"
/* ping.max_loss_percent when unset: the probe passes when any echo is answered
 * (ping(8)'s exit status). */
#define PROBE_LOSS_ANY_REPLY (-1)

/* Bounds enforced by probe_spec_validate(). */
#define PROBE_MAX_TIMEOUT_MS 60000
#define PROBE_MAX_PING_COUNT 100
#define PROBE_MIN_PING_INTERVAL_MS 10
#define PROBE_MAX_PING_SIZE 65000
#define PROBE_MAX_TEXT 4096 /* send, expect, body, payload bytes */
#define PROBE_MAX_PATH 1024
#define PROBE_MAX_HOST 255

struct probe_spec {
  enum probe_kind kind;
  struct in_addr addr; /* the target, network byte order */
  uint16_t port;       /* tcp, http, udp: 1..65535; unused by ping */
  int timeout_ms;      /* the whole probe, 1..PROBE_MAX_TIMEOUT_MS */
  struct {
    int count;            /* echoes to send */
    int interval_ms;      /* between two echoes */
    int size;             /* ICMP payload bytes, >= 16 */
    int max_loss_percent; /* 0..100, or PROBE_LOSS_ANY_REPLY */
    double max_rtt_ms;    /* bound on the median RTT; 0 = no bound */
  } ping;
  struct {
    char *send;   /* bytes to send once connected, or NULL */
    char *expect; /* a substring of what comes back, or NULL */
  } tcp;
  struct {
    char *path; /* never NULL after init: "/" */
    char *host; /* Host header, or NULL: "ADDR:PORT" */
    int status; /* the status required, or 0: any 2xx or 3xx */
    char *body; /* a substring of the body, or NULL */
  } http;
  struct {
    char *payload; /* never NULL after init: PROBE_DEFAULT_UDP_PAYLOAD */
    char *expect;  /* a substring of the answer, or NULL: any answer */
  } udp;
  struct {
    char **argv;     /* NULL-terminated, not empty */
    char *pod;       /* NULL: in the node itself; else a pod of the node's runtime */
    char *container; /* with pod: the container's short name, NULL: the pod's first */
  } exec;
};

/* What the reason holds: on failure why, in words ("no ICMP reply in 2 s",
 * "TCP connect refused", "HTTP 404"); on success a short summary
 * ("3 of 3 ICMP echoes answered", "HTTP 200"). */
#define PROBE_REASON_MAX 256

struct probe_result {
  bool ok;            /* the verdict */
  double latency_ms;  /* ping: median RTT; tcp: connect time; http: time to the
                         whole response; udp: time to the answer; -1 unknown */
  int sent, received; /* ping: echoes sent and answered; 0 otherwise */
  int http_status;    /* http: the response's status, 0 when none came */
  char reason[PROBE_REASON_MAX];
};

/* The wire name of a kind ("ping", "tcp", "http", "udp", "exec"); never NULL. */
const char *probe_kind_name(enum probe_kind kind);

/* Parses a wire name.  Returns 0 and *kind, or -1 when name is no kind. */
int probe_kind_parse(const char *name, enum probe_kind *kind);

/* Fills *spec with the defaults of kind: address 0.0.0.0 and port 0 (the
 * caller sets them), the timeout and kind-specific defaults above.  The
 * defaulted strings are allocated; release them with probe_spec_clear(). */
void probe_spec_init(struct probe_spec *spec, enum probe_kind kind);

/* Frees the strings of *spec and zeroes it.  Accepts a zeroed spec. */
void probe_spec_clear(struct probe_spec *spec);

/* Deep copy of src into *dst (which is overwritten, not cleared). */
void probe_spec_copy(struct probe_spec *dst, const struct probe_spec *src);

/* Checks every field of spec against its kind's bounds.  Returns 0, or -1 and
 * *err naming the field ("ping: count 0: must be 1..100"). */
int probe_spec_validate(const struct probe_spec *spec, struct lab_error **err);

/* The helper's wire format.  probe_spec_to_json returns a new object (the
 * caller puts it) holding kind, target (the IPv4 literal), port when the
 * kind has one, timeoutMs and the kind's own fields:
 *   ping: count, intervalMs, size, maxLoss (absent: any reply), maxRttMs
 *   tcp:  send, expect          http: path, host, status, body
 *   udp:  payload, expect        exec: argv, pod, container (no target, no port)
 * probe_spec_from_json fills *spec (init'ed by it; absent fields take their
 * defaults) and validates it.  It refuses an unknown field, a field of
 * another kind, a value of the wrong type, and a target that is not an IPv4
 * literal (names are resolved by nodelabd).  On failure *spec is cleared and
 * *err says why. */
struct json_object *probe_spec_to_json(const struct probe_spec *spec);
int probe_spec_from_json(struct json_object *o, struct probe_spec *spec, struct lab_error **err);

/* The result on the wire: {"ok", "latencyMs" (to the microsecond; absent
 * when unknown), "sent", "received", "httpStatus", "reason"}.  to_json
 * returns a new object; from_json fills *result and refuses missing
 * ok/reason, wrong types and unknown fields (-1 and *err). */
struct json_object *probe_result_to_json(const struct probe_result *result);
int probe_result_from_json(struct json_object *o, struct probe_result *result,
                           struct lab_error **err);

/* Parses text as one JSON object (surrounding whitespace allowed) and decodes
 * it as above.  Returns 0, or -1 and *err. */
int probe_spec_from_text(const char *text, struct probe_spec *spec, struct lab_error **err);
int probe_result_from_text(const char *text, struct probe_result *result, struct lab_error **err);

/* Sets result to a failure whose reason is the formatted text (truncated to
 * fit).  Clears the other fields (latency -1). */
void probe_result_fail(struct probe_result *result, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Formats the probe's target in buf: "10.1.1.2" for ping, "10.1.1.2:80"
 * otherwise, the command's name for exec.  Returns buf. */
#define PROBE_TARGET_LEN 24
char *probe_target_format(const struct probe_spec *spec, char buf[PROBE_TARGET_LEN]);

/* A duration in words, as reasons use it: "2 s", "1.5 s", "250 ms".
 * Returns buf. */
#define PROBE_DURATION_LEN 32
char *probe_duration_format(int ms, char buf[PROBE_DURATION_LEN]);

/* Runs the probe described by spec (validated first) in the calling thread's
 * current network namespace, and fills *result with its verdict.  Never takes
 * longer than spec->timeout_ms (plus scheduling): every wait is a poll with
 * that deadline and connects are non-blocking.  Returns 0 when the probe ran,
 * whatever its verdict; -1 and *err when it could not run (an invalid spec,
 * no ICMP socket without root, out of file descriptors).  ICMP needs a raw
 * socket (CAP_NET_RAW) or, failing that, an unprivileged ICMP datagram socket
 * (net.ipv4.ping_group_range). */
int probe_run(const struct probe_spec *spec, struct probe_result *result, struct lab_error **err);

/* Runs an exec probe for the node whose init is host pid `pid` (0: here, in
 * the caller's own namespaces, for tests).  Without exec.pod: enters every
 * namespace of pid (cgroup, ipc, uts, net, pid, mnt and its root), forks
 * (so the command is in the pid namespace), chdir /, runs argv with a clean
 * environment (PATH, HOME) and its stdout and stderr captured.  With
 * exec.pod: asks the node's runtime (NODE_RUNTIME_SOCKET through
 * /proc/PID/root) to exec argv in the container, which runs it with the
 * container's cgroup, seccomp filter, capabilities and label, as a learner's
 * `nodelab exec NODE/POD/CTR` would.  ok iff the command exited 0; the
 * reason is "exit status 0" or, on failure, "exit status 1: " and the first
 * line of its output; latency is the command's run time.  At the timeout the
 * command is killed ("command did not finish in 2 s").  Returns 0 when the
 * probe ran, whatever its verdict; -1 and *err when it could not (no such
 * process, setns refused, no runtime socket). */
int probe_exec_run(pid_t pid, const struct probe_spec *spec, struct probe_result *result,
                   struct lab_error **err);

#endif
