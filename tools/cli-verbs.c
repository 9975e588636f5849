/* The one table of nodelab verbs: the CLI's whole surface (`nodelab --help`
 * lists it; tests/unit/tools/test_cli.c pins which verbs it must hold). */
#include "cli.h"

#define OPT_JSON                                                                                   \
  {                                                                                                \
    "json", 0, NULL, "Print JSON instead of a table"                                               \
  }
#define OPT_NODE                                                                                   \
  {                                                                                                \
    "node", 0, "NODE", "The node (default: the lab's first)"                                       \
  }
#define OPT_LAB                                                                                    \
  {                                                                                                \
    "lab", 'l', "LAB", "The lab (default: the only running lab)"                                   \
  }

const struct cli_verb cli_verbs[] = {
    {"validate",
     "Check scenario files without starting anything",
     "FILE...",
     "Parses and validates each file; prints 'FILE: ok (...)' or the first problem as\n"
     "'file:line:column: field: problem'.  Exit status 1 when any file is invalid.",
     1,
     -1,
     0,
     {{NULL}},
     cli_validate},
    {"up",
     "Bring up a lab from a scenario (default: the embedded lab)",
     "[SCENARIO.yaml] [--name LAB]",
     "Validates the scenario first (nothing starts when it is invalid), starts nodelabd\n"
     "when it is not running, and returns once every node is up.",
     0,
     1,
     0,
     {{"name", 'n', "LAB", "Name the lab LAB instead of the scenario's name"}, OPT_JSON, {NULL}},
     cli_up},
    {"down",
     "Tear a lab down",
     "[LAB] [--force]",
     "Without --force, asks nodelabd to remove the lab.  With --force, works with or\n"
     "without a daemon: kills a daemon that does not answer, then removes exactly\n"
     "what the lab's ledger names; without LAB, every lab that has a ledger.",
     0,
     1,
     0,
     {{"force", 'f', NULL, "Clean up from the ledger, daemon or not (idempotent)"}, {NULL}},
     cli_down},
    {"ls", "List running labs", "[--json]", NULL, 0, 0, 0, {OPT_JSON, {NULL}}, cli_ls},
    {"status",
     "Show a lab: nodes, links, pods, faults, checks",
     "[LAB] [--json]",
     NULL,
     0,
     1,
     0,
     {OPT_JSON, {NULL}},
     cli_status},
    {"state",
     "Show the lab's whole state, or compare it with a saved one",
     "[NODE] [--lab LAB] [--json] [--diff FILE]",
     "Prints, for each node (and the fabric), one sorted line per object: its links,\n"
     "addresses, routes, permanent neighbours and qdiscs (net), each pod's the same\n"
     "(pod), its OVS flows and ports (ovs), its daemons (daemon), each container's\n"
     "cgroup limits (cgroup) and seccomp status (seccomp).  Save it to a file; later\n"
     "--diff FILE prints what changed (\"- \" before, \"+ \" now), exit status 1 if anything.",
     0,
     1,
     0,
     {OPT_LAB,
      OPT_JSON,
      {"diff", 0, "FILE", "Compare with a state saved from nodelab state"},
      {NULL}},
     cli_state},
    {"events",
     "Show what happened to a lab's nodes, daemons and pods",
     "[LAB] [-f] [--json]",
     "Lists the lab's events in order (node ready, daemon started, ready, exited,\n"
     "restarted, pod running...).  With -f, waits for new ones until the lab goes down.",
     0,
     1,
     0,
     {{"follow", 'f', NULL, "Keep printing new events"}, OPT_JSON, {NULL}},
     cli_events},
    {"exec",
     "Run a command inside a node or a container",
     "[-it] [--lab LAB] NODE|NODE/POD[/CTR]|[--node NODE] CONTAINER [--] CMD...",
     "NODE: enters the node's net, uts, ipc, pid, cgroup and mount namespaces and its\n"
     "cgroup, and runs CMD there.  NODE/POD[/CTR] (default: the pod's first container),\n"
     "or a container name or id on --node (default: the lab's first node): runs CMD in\n"
     "the container (every namespace, cgroup, seccomp filter and label of it), with\n"
     "-t on a new terminal.  The exit status is CMD's (128+N when killed by signal N).",
     1,
     1,
     CLI_COMMAND,
     {OPT_LAB,
      OPT_NODE,
      {"interactive", 'i', NULL, "Keep stdin attached (container)"},
      {"tty", 't', NULL, "Allocate a terminal (container)"},
      {NULL}},
     cli_exec},
    {"shell",
     "Open an interactive shell inside a node",
     "[--lab LAB] NODE|NODE/POD",
     "Runs $SHELL (or /bin/bash, or /bin/sh) as a login shell inside the node, on the\n"
     "caller's terminal, with a prompt naming the node; for NODE/POD, /bin/sh in the\n"
     "pod's first container on a new terminal.",
     1,
     1,
     0,
     {OPT_LAB, {NULL}},
     cli_shell},
    {"ps",
     "List containers of a node (podman's columns)",
     "[-a] [-q] [-l] [--no-trunc] [-Z] [--json] [--node NODE]",
     "Lists the containers of a node's runtime (default: the lab's first node).",
     0,
     0,
     0,
     {{"all", 'a', NULL, "Show stopped containers too"},
      {"quiet", 'q', NULL, "Only the ids"},
      {"latest", 'l', NULL, "Only the last created container"},
      {"no-trunc", 0, NULL, "Full 64-digit ids and commands"},
      {"context", 'Z', NULL, "Show SELinux labels"},
      OPT_JSON,
      OPT_NODE,
      OPT_LAB},
     cli_ps},
    {"run",
     "Create and start a container on a node",
     "[-d] [--rm] [--name N] [-it] [--memory M] [--cpus C] [--pids-limit P] [-v H:C[:Z][:ro]]...\n"
     "           [-e K=V]... [--security-opt seccomp=FILE] [--hostname H]\n"
     "           [--network bridge|none|host] [--node NODE] [--lab LAB] IMAGE [CMD...]",
     "podman run on the node's runtime (default: the lab's first node).  Without -d the\n"
     "container is attached: -i passes stdin, -t gives it a terminal (exec -it), and\n"
     "the exit status is the container's.  Relative paths are taken from here.  The\n"
     "container is on the cluster network (--network bridge, the default: an address\n"
     "of the node's subnet, an OVS port, kept until rm); none: lo only; host: the node's.",
     0,
     -1,
     CLI_RAW,
     {OPT_NODE, OPT_LAB, {NULL}},
     cli_run},
    {"create",
     "Create a container on a node (not started)",
     "[options as run] IMAGE [CMD...]",
     "podman create: the container's state and root exist, nothing is mounted or running.",
     0,
     -1,
     CLI_RAW,
     {OPT_NODE, OPT_LAB, {NULL}},
     cli_create},
    {"start",
     "Start created or exited containers",
     "[--node NODE] CONTAINER...",
     NULL,
     1,
     -1,
     0,
     {OPT_NODE, OPT_LAB, {NULL}},
     cli_start},
    {"stop",
     "Stop containers (TERM, then KILL after --time seconds)",
     "[-t SECONDS] [--node NODE] CONTAINER...",
     NULL,
     1,
     -1,
     0,
     {{"time", 't', "SECONDS", "Seconds to wait before SIGKILL (default 10)"},
      OPT_NODE,
      OPT_LAB,
      {NULL}},
     cli_stop},
    {"kill",
     "Send a signal to containers",
     "[-s SIG] [--node NODE] CONTAINER...",
     NULL,
     1,
     -1,
     0,
     {{"signal", 's', "SIG", "Signal to send (default KILL)"}, OPT_NODE, OPT_LAB, {NULL}},
     cli_kill},
    {"rm",
     "Remove containers",
     "[-f] [--node NODE] CONTAINER...",
     NULL,
     1,
     -1,
     0,
     {{"force", 'f', NULL, "Kill a running container first"}, OPT_NODE, OPT_LAB, {NULL}},
     cli_rm},
    {"mount",
     "Mount a container's root and print the merged directory",
     "[--node NODE] CONTAINER...",
     "The overlay (image lower, the container's upper and work) is mounted at merged/ in\n"
     "the node's mount namespace: look at it with 'nodelab exec NODE -- ls DIR'.",
     1,
     -1,
     0,
     {OPT_NODE, OPT_LAB, {NULL}},
     cli_mount},
    {"umount",
     "Unmount a container's root (when it is not running)",
     "[--node NODE] CONTAINER...",
     NULL,
     1,
     -1,
     0,
     {OPT_NODE, OPT_LAB, {NULL}},
     cli_umount},
    {"inspect",
     "Show containers as JSON (podman-shaped)",
     "[--node NODE] CONTAINER...",
     NULL,
     1,
     -1,
     0,
     {OPT_NODE, OPT_LAB, {NULL}},
     cli_inspect},
    {"logs",
     "Show a container's output",
     "[-f] [--node NODE] CONTAINER",
     NULL,
     1,
     1,
     0,
     {{"follow", 'f', NULL, "Keep following while it runs"}, OPT_NODE, OPT_LAB, {NULL}},
     cli_logs},
    {"seccomp",
     "Show or change what a container's runtime denies it (seccomp)",
     "[--deny SYSCALL,...|--clear] [--json] [--node NODE] CONTAINER",
     "Shows the system calls the runtime denies (EPERM) in a container beyond its seccomp\n"
     "profile, its pid and its count of seccomp filters.  --deny replaces that list and\n"
     "--clear empties it; either restarts the container, since a running process's\n"
     "filters cannot change (its pod keeps its address).",
     1,
     1,
     0,
     {{"deny", 0, "SYSCALL,...", "Deny these system calls (and restart)"},
      {"clear", 0, NULL, "Deny nothing beyond the profile (and restart)"},
      OPT_JSON,
      OPT_NODE,
      OPT_LAB,
      {NULL}},
     cli_seccomp},
    {"image",
     "Offline images of a node",
     "ls | build ubi|on-off [--name N] | import PATH [NAME]",
     "build makes the busybox-based images; import reads an OCI image layout (directory\n"
     "or tar) or a docker-archive tarball, applying layer whiteouts.",
     1,
     3,
     0,
     {{"name", 'n', "NAME", "Name of the built or imported image"},
      OPT_JSON,
      OPT_NODE,
      OPT_LAB,
      {NULL}},
     cli_image},
    {"fault",
     "Inject and repair faults",
     "ls | inject NAME|KIND [k=v...] [--for DUR] | repair NAME|KIND|ID|--all  [--json] [--lab LAB]",
     "ls: the kinds (and their parameters), the scenario's faults and those injected.\n"
     "inject: a scenario fault by name, or a kind with k=v parameters; the missing ones\n"
     "are picked where the fault bites, and printed.  --for 30s repairs it by itself.\n"
     "repair: puts back exactly what the fault changed.  A fault stays until repaired;\n"
     "a repair by hand with the real tools shows as repaired-by-hand in ls.",
     1,
     -1,
     0,
     {{"all", 0, NULL, "repair: every active fault"},
      {"for", 0, "DUR", "inject: repair by itself after DUR (30s, 500ms)"},
      OPT_JSON,
      OPT_LAB,
      {NULL}},
     cli_fault},
    {"service",
     "A node's daemons as services: status, start, stop, restart",
     "NODE status|start|stop|restart [DAEMON] [--lab LAB] [--json]",
     "systemctl for a node's daemons (ovsdb-server, ovs-vswitchd, netd, runtime).\n"
     "status: DAEMON STATE PID RESTARTS SINCE.  stop (SIGTERM) pauses the daemon's\n"
     "supervision: it stays stopped until started.  start and restart run it as at up\n"
     "(same command line, same readiness) and resume its supervision; this is also how\n"
     "a daemon-kill fault is repaired by hand.",
     2,
     3,
     0,
     {OPT_LAB, OPT_JSON, {NULL}},
     cli_service},
    {"pod",
     "Start a pod whose processes died, as it was",
     "start [NODE/]POD [--lab LAB] [--json]",
     "Runs the pod again through its node's runtime: its infra (new namespaces), the same\n"
     "address and switch port, then its containers with the same images and commands.\n"
     "This is how a pod-kill fault is repaired by hand.",
     2,
     2,
     0,
     {OPT_LAB, OPT_JSON, {NULL}},
     cli_pod},
    {"check",
     "Run checks; exit 0 iff every check passes",
     "[NAME...] [--lab LAB] [--json] [--watch [--interval 2s]]",
     "Runs the lab's checks (all, or those named) in parallel, each within its timeout,\n"
     "and prints NAME FROM TO RESULT LATENCY REASON.  Exit status 0 iff every check passed.\n"
     "--watch runs them again every --interval until interrupted (Ctrl-C exits 0 when the\n"
     "last round passed).",
     0,
     -1,
     0,
     {OPT_LAB,
      OPT_JSON,
      {"watch", 'w', NULL, "Run again and again, until interrupted"},
      {"interval", 0, "DURATION", "Between two rounds of --watch (default 2s)"},
      {NULL}},
     cli_check},
    {"exercise",
     "Troubleshooting exercises",
     "start [NAME] [--seed N] | hint | check | solve | status | history  [--json] [--lab LAB]",
     "start: injects one of the exercise's faults (NAME: one of the scenario's `exercises`;\n"
     "without it, any), picked with its target by the seed (the same seed, the same pick),\n"
     "and prints only the symptom.  hint: the next hint.  check: passes when the fault is\n"
     "gone and the exercise's checks are green (exit 0); recreating what the fault touched\n"
     "fails it as replaced.  solve: the root cause, the commands that repair it, and the\n"
     "repair (given up).  history: every finished exercise, from the records kept in\n"
     "/var/lib/nodelab/history (they outlive the lab).",
     1,
     2,
     0,
     {{"seed", 0, "N", "start: the seed of the pick (default: drawn, shown in status)"},
      OPT_JSON,
      OPT_LAB,
      {NULL}},
     cli_exercise},
    {"test",
     "Run scenarios end to end; exit 0 iff all pass",
     "SCENARIO... [--junit FILE]",
     "For each scenario: brings it up (its own lab name), runs its steps, or without\n"
     "steps the default plan (all checks green; then for each fault whose kind is built:\n"
     "inject, a check fails, repair, all checks green, the lab's state equal to before\n"
     "inject), brings it down and checks that nothing is left (its run directory,\n"
     "cgroups and processes gone, the host's network unchanged).  TAP on stdout, one\n"
     "line per step; progress on stderr when it is a terminal.  Exit status 0 iff all pass.",
     1,
     -1,
     0,
     {{"junit", 0, "FILE", "Also write JUnit XML to FILE"}, {NULL}},
     cli_test},
    {"web",
     "Serve the live web view on loopback; print its URL",
     "[--listen 127.0.0.1:PORT] [--json]",
     "nodelabd serves a page on 127.0.0.1 (never another address): the topology, live\n"
     "from the events, with checks and faults to run from it.  Each call restarts it with\n"
     "a fresh token in the URL; a request without it gets 401, one whose Host or Origin\n"
     "is not that address 403.  The view lives as long as nodelabd (while a lab runs).",
     0,
     0,
     0,
     {{"listen", 'l', "ADDR", "127.0.0.1:PORT (default: a free port)"}, OPT_JSON, {NULL}},
     cli_web},
    {"graph",
     "Draw the lab's topology",
     "[LAB | SCENARIO.yaml] [--format dot|svg|mermaid|json] [-o FILE]",
     "Draws a running lab as it is now (nodes with their addresses and state, br0 with\n"
     "vxlan0, tun0 and a port per pod, pods and containers, the VXLAN tunnels labelled\n"
     "with the remote's underlay address, active faults in red on what they break, the\n"
     "last result of each check as a green or red arrow), or a scenario file's plan\n"
     "without a daemon.  svg is laid out by Graphviz's library; json is the model the\n"
     "web view draws.",
     0,
     1,
     0,
     {{"format", 'f', "FORMAT", "dot (default), svg, mermaid or json"},
      {"output", 'o', "FILE", "Write to FILE instead of stdout"},
      {NULL}},
     cli_graph},
};

const size_t cli_n_verbs = sizeof cli_verbs / sizeof cli_verbs[0];
