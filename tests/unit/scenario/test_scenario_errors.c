/* Malformed scenario files: each must fail with exactly one message of the
 * form "file:line:column: field: problem", pointing at the offending node. */
#include "scenario.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct bad_case {
  const char *name;
  const char *yaml;
  const char *expect; /* the whole message */
};

/* Lines 1-3: a valid head; lines 4-8: one valid pod on n1. */
#define HEAD "name: t\ncluster:\n  nodes: [n1, n2]\n"
#define POD1 "pods:\n  - name: p1\n    node: n1\n    containers:\n      - {name: c, image: ubi}\n"
/* Lines 4-9: the same pod, its container in block style (line 10 may add to it). */
#define POD1B                                                                                      \
  "pods:\n  - name: p1\n    node: n1\n    containers:\n      - name: c\n        image: ubi\n"
/* Lines 4-12: pod p1 on n1 with container c, pod p2 on n2 with container d. */
#define PODS2                                                                                      \
  "pods:\n  - name: p1\n    node: n1\n    containers:\n      - {name: c, image: ubi}\n"            \
  "  - name: p2\n    node: n2\n    containers:\n      - {name: d, image: ubi}\n"
/* Line 13: one check; then faults. */
#define CHECK1 "checks:\n  - {name: ping-p1, from: n2/p2, ping: p1}\n"
/* Line 14: the head of a fault on the lab of PODS2 (its fields follow, from column 15). */
#define F HEAD PODS2 "faults:\n  - {name: f, "

static const struct bad_case bad_cases[] = {
    /* ---- YAML itself ---- */
    {"empty-file", "", "t.yaml:1:1: (yaml): empty file"},
    {"only-comment", "# nothing here\n", "t.yaml:1:1: (yaml): empty file"},
    {"only-document-marker", "---\n", "t.yaml:1:1: (yaml): empty file"},
    {"syntax-unclosed-flow", "name: [a\n", "t.yaml:2:1: (yaml): did not find expected ',' or ']'"},
    {"syntax-bad-indent", "name: a\n  b: c\n",
     "t.yaml:2:4: (yaml): mapping values are not allowed in this context"},
    {"anchor", HEAD "description: &d text\n",
     "t.yaml:4:14: (yaml): anchors and aliases are not supported (anchor \"d\")"},
    {"alias", "name: t\ndescription: *n\n",
     "t.yaml:2:14: (yaml): anchors and aliases are not supported (alias \"n\")"},
    {"tag", "name: !!str t\n",
     "t.yaml:1:7: (yaml): tags are not supported (tag \"tag:yaml.org,2002:str\")"},
    {"multiple-documents", "name: a\n---\nname: b\n",
     "t.yaml:2:1: (yaml): multiple documents are not supported"},
    {"nul-in-string", "name: \"a\\0b\"\n",
     "t.yaml:1:7: (yaml): NUL characters are not allowed in strings"},
    {"invalid-utf8", "name: t\ndescription: \"\xff\"\n",
     "t.yaml:2:15: (yaml): invalid leading UTF-8 octet"},
    {"complex-key", "? [a, b]\n: c\n", "t.yaml:1:3: (yaml): mapping keys must be plain strings"},
    {"top-level-list", "- name: t\n", "t.yaml:1:1: (document): expected a mapping, got a list"},
    {"top-level-scalar", "hello\n", "t.yaml:1:1: (document): expected a mapping, got a string"},
    {"duplicate-top-key", "name: a\nname: b\n",
     "t.yaml:2:1: name: duplicate key \"name\" (first at 1:1)"},
    {"unknown-top-field", "nmae: t\n", "t.yaml:1:1: nmae: unknown field \"nmae\""},
    /* ---- lab name ---- */
    {"missing-name", "cluster:\n  nodes: [n1]\n", "t.yaml:1:1: name: required field is missing"},
    {"bad-lab-name", "name: Lab\ncluster: {nodes: [n1]}\n",
     "t.yaml:1:7: name: \"Lab\" is not a valid name (use lowercase letters, digits and \"-\", "
     "starting with a letter)"},
    {"lab-name-too-long", "name: abcdefghijklmnopqrstuvwxyz0123456\ncluster: {nodes: [n1]}\n",
     "t.yaml:1:7: name: name \"abcdefghijklmnopqrstuvwxyz0123456\" is longer than 32 bytes"},
    {"lab-name-null", "name:\ncluster:\n  nodes: [n1]\n",
     "t.yaml:1:6: name: expected a string, got null"},
    {"lab-name-list", "name: [a]\ncluster: {nodes: [n1]}\n",
     "t.yaml:1:7: name: expected a string, got a list"},
    /* ---- cluster ---- */
    {"missing-cluster", "name: t\n", "t.yaml:1:1: cluster: required field is missing"},
    {"cluster-not-map", "name: t\ncluster: [a]\n",
     "t.yaml:2:10: cluster: expected a mapping, got a list"},
    {"missing-nodes", "name: t\ncluster:\n  mtu: 1450\n",
     "t.yaml:3:3: cluster.nodes: required field is missing"},
    {"nodes-empty", "name: t\ncluster:\n  nodes: []\n",
     "t.yaml:3:10: cluster.nodes: at least one node is required"},
    {"nodes-scalar", "name: t\ncluster:\n  nodes: three\n",
     "t.yaml:3:10: cluster.nodes: expected a list of names or {count: N, prefix: P}"},
    {"node-bad-name", "name: t\ncluster:\n  nodes: [n1, Node2]\n",
     "t.yaml:3:15: cluster.nodes[1]: \"Node2\" is not a valid name (use lowercase letters, digits "
     "and \"-\", starting with a letter)"},
    {"node-name-too-long", "name: t\ncluster:\n  nodes: [n1, averyveryverylongnode]\n",
     "t.yaml:3:15: cluster.nodes[1]: name \"averyveryverylongnode\" is longer than 15 bytes (it "
     "names a network interface)"},
    {"node-fabric-reserved", "name: t\ncluster:\n  nodes: [n1, fabric]\n",
     "t.yaml:3:15: cluster.nodes[1]: node name \"fabric\" is reserved (it names the underlay "
     "namespace)"},
    {"node-duplicate", "name: t\ncluster:\n  nodes:\n    - n1\n    - n2\n    - n1\n",
     "t.yaml:6:7: cluster.nodes[2]: duplicate node name \"n1\" (first at 4:7)"},
    {"node-item-map", "name: t\ncluster:\n  nodes: [{a: b}]\n",
     "t.yaml:3:11: cluster.nodes[0]: expected a string, got a mapping"},
    {"nodes-count-zero", "name: t\ncluster:\n  nodes: {count: 0}\n",
     "t.yaml:3:18: cluster.nodes.count: 0 is out of range (1..200)"},
    {"nodes-count-too-many", "name: t\ncluster:\n  nodes: {count: 201, prefix: n}\n",
     "t.yaml:3:18: cluster.nodes.count: 201 is out of range (1..200)"},
    {"nodes-count-not-int", "name: t\ncluster:\n  nodes: {count: three}\n",
     "t.yaml:3:18: cluster.nodes.count: expected an integer, got \"three\""},
    {"nodes-prefix-too-long", "name: t\ncluster:\n  nodes: {count: 10, prefix: averylongprefix}\n",
     "t.yaml:3:30: cluster.nodes.prefix: name \"averylongprefix1\" is longer than 15 bytes (it "
     "names a network interface)"},
    {"nodes-count-unknown-field", "name: t\ncluster:\n  nodes: {count: 2, prefx: n}\n",
     "t.yaml:3:21: cluster.nodes.prefx: unknown field \"prefx\""},
    {"underlay-bad", HEAD "  underlay: 192.168.122.0/33\n",
     "t.yaml:4:13: cluster.underlay: \"192.168.122.0/33\" is not a CIDR (use e.g. 10.1.0.0/16)"},
    {"underlay-host-bits", HEAD "  underlay: 192.168.122.5/24\n",
     "t.yaml:4:13: cluster.underlay: \"192.168.122.5/24\" has host bits set"},
    {"cluster-network-bad", HEAD "  clusterNetwork: 10.1.0/16\n",
     "t.yaml:4:19: cluster.clusterNetwork: \"10.1.0/16\" is not a CIDR (use e.g. 10.1.0.0/16)"},
    {"overlap", HEAD "  clusterNetwork: 192.168.0.0/16\n",
     "t.yaml:4:19: cluster.clusterNetwork: clusterNetwork 192.168.0.0/16 overlaps underlay "
     "192.168.122.0/24"},
    {"overlap-default-cluster", HEAD "  underlay: 10.1.200.0/24\n",
     "t.yaml:4:13: cluster.underlay: clusterNetwork 10.1.0.0/16 overlaps underlay 10.1.200.0/24"},
    {"underlay-too-small", "name: t\ncluster:\n  nodes: {count: 60}\n",
     "t.yaml:3:10: cluster.underlay: 192.168.122.0/24 has room for 54 nodes (addresses from "
     "192.168.122.201 up), the lab has 60"},
    {"underlay-tiny", HEAD "  underlay: 192.168.122.0/25\n",
     "t.yaml:4:13: cluster.underlay: 192.168.122.0/25 has room for 0 nodes (addresses from "
     "192.168.122.201 up), the lab has 2"},
    {"not-enough-subnets",
     "name: t\ncluster:\n  nodes: {count: 5}\n  clusterNetwork: 10.1.0.0/22\n",
     "t.yaml:4:19: cluster.clusterNetwork: 10.1.0.0/22 has 4 subnets of /24, the lab has 5 nodes"},
    {"host-subnet-length-range", HEAD "  hostSubnetLength: 31\n",
     "t.yaml:4:21: cluster.hostSubnetLength: 31 is out of range (2..30)"},
    {"host-subnet-length-no-fit", HEAD "  clusterNetwork: 10.1.0.0/24\n  hostSubnetLength: 9\n",
     "t.yaml:5:21: cluster.hostSubnetLength: 9 does not fit in clusterNetwork 10.1.0.0/24 (at most "
     "8)"},
    {"mtu-range", HEAD "  mtu: 100\n", "t.yaml:4:8: cluster.mtu: 100 is out of range (576..9000)"},
    {"mtu-not-int", HEAD "  mtu: big\n",
     "t.yaml:4:8: cluster.mtu: expected an integer, got \"big\""},
    {"mtu-quoted", HEAD "  mtu: \"1450\"\n",
     "t.yaml:4:8: cluster.mtu: expected an integer, got the quoted string \"1450\""},
    {"cluster-unknown-field", HEAD "  mut: 1450\n",
     "t.yaml:4:3: cluster.mut: unknown field \"mut\""},
    /* ---- pods ---- */
    {"pods-not-list", HEAD "pods: {name: p1}\n",
     "t.yaml:4:7: pods: expected a list, got a mapping"},
    {"pod-unknown-field", HEAD POD1 "    labels: {a: b}\n",
     "t.yaml:9:5: pods[0].labels: unknown field \"labels\""},
    {"pod-name-too-long",
     HEAD "pods:\n  - name: averyveryverylongpodname\n    node: n1\n    containers: [{name: c, "
          "image: ubi}]\n",
     "t.yaml:5:11: pods[0].name: name \"averyveryverylongpodname\" is longer than 15 bytes (it "
     "names a network interface)"},
    {"pod-name-bad",
     HEAD "pods:\n  - name: web_1\n    node: n1\n    containers: [{name: c, image: ubi}]\n",
     "t.yaml:5:11: pods[0].name: \"web_1\" is not a valid name (use lowercase letters, digits and "
     "\"-\", starting with a letter)"},
    {"pod-duplicate",
     HEAD POD1 "  - name: p1\n    node: n2\n    containers: [{name: c, image: ubi}]\n",
     "t.yaml:9:11: pods[1].name: duplicate pod name \"p1\" (first at 5:11)"},
    {"pod-named-like-node",
     HEAD "pods:\n  - name: n1\n    node: n1\n    containers: [{name: c, image: ubi}]\n",
     "t.yaml:5:11: pods[0].name: pod name \"n1\" is also a node name (checks could not tell them "
     "apart)"},
    {"pod-node-missing",
     HEAD "pods:\n  - name: p1\n    node: node9\n    containers: [{name: c, image: ubi}]\n",
     "t.yaml:6:11: pods[0].node: node \"node9\" does not exist"},
    {"pod-no-node", HEAD "pods:\n  - name: p1\n    containers: [{name: c, image: ubi}]\n",
     "t.yaml:5:5: pods[0].node: required field is missing"},
    {"pod-containers-empty", HEAD "pods:\n  - name: p1\n    node: n1\n    containers: []\n",
     "t.yaml:7:17: pods[0].containers: at least one container is required"},
    {"pod-no-address-left",
     "name: t\ncluster:\n  nodes: [n1]\n  hostSubnetLength: 2\npods:\n"
     "  - {name: a, node: n1, containers: [{name: c, image: ubi}]}\n"
     "  - {name: b, node: n1, containers: [{name: c, image: ubi}]}\n",
     "t.yaml:7:21: pods[1].node: node \"n1\" has no address left for pod \"b\" (its subnet "
     "10.1.0.0/30 has room for 1 pod)"},
    {"container-no-image",
     HEAD "pods:\n  - name: p1\n    node: n1\n    containers:\n      - {name: c}\n",
     "t.yaml:8:9: pods[0].containers[0].image: required field is missing"},
    {"container-empty-image",
     HEAD "pods:\n  - name: p1\n    node: n1\n    containers:\n      - {name: c, image: \"\"}\n",
     "t.yaml:8:26: pods[0].containers[0].image: \"\" is not an image name"},
    {"container-duplicate", HEAD POD1 "      - {name: c, image: ubi}\n",
     "t.yaml:9:16: pods[0].containers[1].name: duplicate container name \"c\" (first at 8:16)"},
    {"container-unknown-field", HEAD POD1B "        imagePullPolicy: Never\n",
     "t.yaml:10:9: pods[0].containers[0].imagePullPolicy: unknown field \"imagePullPolicy\""},
    {"memory-bad", HEAD POD1B "        resources: {memory: 64Mx}\n",
     "t.yaml:10:29: pods[0].containers[0].resources.memory: \"64Mx\" is not a memory quantity (use "
     "e.g. 64Mi, 1Gi, 500M)"},
    {"memory-zero", HEAD POD1B "        resources: {memory: 0}\n",
     "t.yaml:10:29: pods[0].containers[0].resources.memory: memory must be greater than 0 (omit it "
     "for no limit)"},
    {"memory-unknown-field", HEAD POD1B "        resources: {memroy: 64Mi}\n",
     "t.yaml:10:21: pods[0].containers[0].resources.memroy: unknown field \"memroy\""},
    {"cpu-bad", HEAD POD1B "        resources: {cpu: fast}\n",
     "t.yaml:10:26: pods[0].containers[0].resources.cpu: \"fast\" is not a CPU quantity (use e.g. "
     "500m, 1, 0.5)"},
    {"cpu-too-fine", HEAD POD1B "        resources: {cpu: \"0.0005\"}\n",
     "t.yaml:10:26: pods[0].containers[0].resources.cpu: \"0.0005\" is finer than 1m (a thousandth "
     "of a CPU)"},
    {"cpu-zero", HEAD POD1B "        resources: {cpu: 0m}\n",
     "t.yaml:10:26: pods[0].containers[0].resources.cpu: cpu must be greater than 0 (omit it for "
     "no limit)"},
    {"pids-zero", HEAD POD1B "        resources: {pids: 0}\n",
     "t.yaml:10:27: pods[0].containers[0].resources.pids: 0 is out of range (1..4194304)"},
    {"resources-list", HEAD POD1B "        resources: [64Mi]\n",
     "t.yaml:10:20: pods[0].containers[0].resources: expected a mapping, got a list"},
    {"command-string", HEAD POD1B "        command: sleep 10\n",
     "t.yaml:10:18: pods[0].containers[0].command: expected a list, got a string"},
    {"command-empty", HEAD POD1B "        command: []\n",
     "t.yaml:10:18: pods[0].containers[0].command: must not be empty"},
    {"command-nested", HEAD POD1B "        command: [sleep, [10]]\n",
     "t.yaml:10:26: pods[0].containers[0].command[1]: expected a string, got a list"},
    {"env-list-bad", HEAD POD1B "        env: [A=1, FOO]\n",
     "t.yaml:10:20: pods[0].containers[0].env[1]: \"FOO\" is not NAME=VALUE"},
    {"env-list-duplicate", HEAD POD1B "        env: [A=1, B=2, A=3]\n",
     "t.yaml:10:25: pods[0].containers[0].env[2]: duplicate variable \"A\" (first at 10:15)"},
    {"env-map-bad-name", HEAD POD1B "        env: {1X: a}\n",
     "t.yaml:10:15: pods[0].containers[0].env: \"1X\" is not an environment variable name"},
    {"env-map-duplicate", HEAD POD1B "        env: {A: 1, A: 2}\n",
     "t.yaml:10:21: pods[0].containers[0].env.A: duplicate key \"A\" (first at 10:15)"},
    {"env-scalar", HEAD POD1B "        env: A=1\n",
     "t.yaml:10:14: pods[0].containers[0].env: expected a mapping or a list of NAME=VALUE, got a "
     "string"},
    {"privileged-not-bool", HEAD POD1B "        securityContext: {privileged: yes}\n",
     "t.yaml:10:39: pods[0].containers[0].securityContext.privileged: expected true or false, got "
     "\"yes\""},
    {"seccomp-missing-file",
     HEAD POD1B "        securityContext: {seccompProfile: /nonexistent/nope.json}\n",
     "t.yaml:10:43: pods[0].containers[0].securityContext.seccompProfile: profile "
     "\"/nonexistent/nope.json\" not found (looked at /nonexistent/nope.json)"},
    {"seccomp-missing-file-newline",
     HEAD POD1B "        securityContext: {seccompProfile: \"/nonexistent/a\\nb.json\"}\n",
     "t.yaml:10:43: pods[0].containers[0].securityContext.seccompProfile: profile "
     "\"/nonexistent/a\\x0ab.json\" not found (looked at \"/nonexistent/a\\x0ab.json\")"},
    {"security-unknown-field", HEAD POD1B "        securityContext: {runAsUser: 0}\n",
     "t.yaml:10:27: pods[0].containers[0].securityContext.runAsUser: unknown field \"runAsUser\""},
    {"volume-relative-host", HEAD POD1B "        volumes: [\"data:/data\"]\n",
     "t.yaml:10:19: pods[0].containers[0].volumes[0]: host path \"data\" is not absolute"},
    {"volume-no-container", HEAD POD1B "        volumes: [\"/data\"]\n",
     "t.yaml:10:19: pods[0].containers[0].volumes[0]: \"/data\" is not HOST:CONTAINER[:OPTIONS]"},
    {"volume-bad-option", HEAD POD1B "        volumes: [\"/data:/data:Z:rx\"]\n",
     "t.yaml:10:19: pods[0].containers[0].volumes[0]: unknown volume option \"rx\" (use Z, ro or "
     "rw)"},
    {"volume-too-many-parts", HEAD POD1B "        volumes: [\"/a:/b:Z:ro:rw\"]\n",
     "t.yaml:10:19: pods[0].containers[0].volumes[0]: \"/a:/b:Z:ro:rw\" is not "
     "HOST:CONTAINER[:OPTIONS]"},
    {"volume-twice", HEAD POD1B "        volumes: [\"/a:/data\", \"/b:/data:ro\"]\n",
     "t.yaml:10:31: pods[0].containers[0].volumes[1]: container path \"/data\" is mounted twice"},
    {"volume-empty-option", HEAD POD1B "        volumes: [\"/a:/b:\"]\n",
     "t.yaml:10:19: pods[0].containers[0].volumes[0]: \"/a:/b:\" is not HOST:CONTAINER[:OPTIONS]"},
    /* ---- checks ---- */
    {"check-from-node-missing", HEAD PODS2 "checks:\n  - {name: x, from: n9, ping: p1}\n",
     "t.yaml:14:21: checks[0].from: node \"n9\" does not exist"},
    {"check-from-pod-missing", HEAD PODS2 "checks:\n  - {name: x, from: n2/p9, ping: p1}\n",
     "t.yaml:14:21: checks[0].from: pod \"p9\" does not exist"},
    {"check-from-pod-elsewhere", HEAD PODS2 "checks:\n  - {name: x, from: n1/p2, ping: p1}\n",
     "t.yaml:14:21: checks[0].from: pod \"p2\" runs on n2, not n1"},
    {"check-from-malformed", HEAD PODS2 "checks:\n  - {name: x, from: n1/p1/c/d, exec: [true]}\n",
     "t.yaml:14:21: checks[0].from: \"n1/p1/c/d\" is not NODE, NODE/POD or NODE/POD/CTR"},
    {"check-from-ctr-not-exec", HEAD PODS2 "checks:\n  - {name: x, from: n1/p1/c, ping: p2}\n",
     "t.yaml:14:21: checks[0].from: NODE/POD/CTR is for exec checks (a pod's containers share "
     "its network: use NODE/POD)"},
    {"check-from-ctr-missing", HEAD PODS2 "checks:\n  - {name: x, from: n1/p1/z, exec: [true]}\n",
     "t.yaml:14:21: checks[0].from: pod \"p1\" has no container \"z\""},
    {"check-no-kind", HEAD PODS2 "checks:\n  - {name: x, from: n1}\n",
     "t.yaml:14:5: checks[0]: one of ping, http, tcp, udp or exec is required"},
    {"check-two-kinds", HEAD PODS2 "checks:\n  - {name: x, from: n1, ping: p1, tcp: \"p1:80\"}\n",
     "t.yaml:14:35: checks[0].tcp: only one of ping, http, tcp, udp or exec may be given (ping at "
     "14:25)"},
    {"check-param-other-kind", HEAD PODS2 "checks:\n  - {name: x, from: n1, ping: p1, path: /x}\n",
     "t.yaml:14:41: checks[0].path: applies to http checks only"},
    {"check-send-on-ping", HEAD PODS2 "checks:\n  - {name: x, from: n1, ping: p1, send: hi}\n",
     "t.yaml:14:41: checks[0].send: applies to tcp and udp checks only"},
    {"check-unknown-field", HEAD PODS2 "checks:\n  - {name: x, from: n1, ping: p1, sizes: 9}\n",
     "t.yaml:14:35: checks[0].sizes: unknown field \"sizes\""},
    {"check-count-zero", HEAD PODS2 "checks:\n  - {name: x, from: n1, ping: p1, count: 0}\n",
     "t.yaml:14:42: checks[0].count: 0 is out of range (1..100)"},
    {"check-count-timeout",
     HEAD PODS2 "checks:\n  - {name: x, from: n1, ping: p1, count: 100, timeout: 500ms}\n",
     "t.yaml:14:56: checks[0].timeout: 100 echoes 10 ms apart do not fit in the timeout of 500 "
     "ms"},
    {"check-size-small", HEAD PODS2 "checks:\n  - {name: x, from: n1, ping: p1, size: 8}\n",
     "t.yaml:14:41: checks[0].size: 8 is out of range (16..65000)"},
    {"check-maxloss-fraction",
     HEAD PODS2 "checks:\n  - {name: x, from: n1, ping: p1, maxLoss: 0.5%}\n",
     "t.yaml:14:44: checks[0].maxLoss: \"0.5%\" is not a whole percentage"},
    {"check-maxloss-over", HEAD PODS2 "checks:\n  - {name: x, from: n1, ping: p1, maxLoss: 120%}\n",
     "t.yaml:14:44: checks[0].maxLoss: \"120%\" is more than 100%"},
    {"check-maxrtt-no-unit", HEAD PODS2 "checks:\n  - {name: x, from: n1, ping: p1, maxRtt: 5}\n",
     "t.yaml:14:43: checks[0].maxRtt: \"5\" is not a duration (use e.g. 500ms, 2s, 1m)"},
    {"check-status-range",
     HEAD PODS2 "checks:\n  - {name: x, from: n1, http: \"p1:80\", status: 700}\n",
     "t.yaml:14:48: checks[0].status: 700 is out of range (100..599)"},
    {"check-path-space",
     HEAD PODS2 "checks:\n  - {name: x, from: n1, http: \"p1:80\", path: \"/a b\"}\n",
     "t.yaml:14:46: checks[0].path: \"/a b\" must start with / and hold no spaces or control "
     "characters"},
    {"check-body-empty",
     HEAD PODS2 "checks:\n  - {name: x, from: n1, http: \"p1:80\", body: \"\"}\n",
     "t.yaml:14:46: checks[0].body: must not be empty"},
    {"check-udp-no-port", HEAD PODS2 "checks:\n  - {name: x, from: n1, udp: p1}\n",
     "t.yaml:14:30: checks[0].udp: \"p1\" is not HOST:PORT"},
    {"check-timeout-long", HEAD PODS2 "checks:\n  - {name: x, from: n1, ping: p1, timeout: 2m}\n",
     "t.yaml:14:44: checks[0].timeout: timeout must be at most 60s"},
    {"check-ping-unknown", HEAD PODS2 "checks:\n  - {name: x, from: n1, ping: webb}\n",
     "t.yaml:14:31: checks[0].ping: \"webb\" is not a pod, a node or an IPv4 address"},
    {"check-ping-bad-ip", HEAD PODS2 "checks:\n  - {name: x, from: n1, ping: 10.1.0.300}\n",
     "t.yaml:14:31: checks[0].ping: \"10.1.0.300\" is not a pod, a node or an IPv4 address"},
    {"check-ping-outside-lab", HEAD PODS2 "checks:\n  - {name: x, from: n1, ping: 8.8.8.8}\n",
     "t.yaml:14:31: checks[0].ping: 8.8.8.8 is outside the lab's networks (192.168.122.0/24, "
     "10.1.0.0/16 and loopback)"},
    {"check-tcp-outside-lab", HEAD PODS2 "checks:\n  - {name: x, from: n1, tcp: \"10.2.0.1:80\"}\n",
     "t.yaml:14:30: checks[0].tcp: 10.2.0.1 is outside the lab's networks (192.168.122.0/24, "
     "10.1.0.0/16 and loopback)"},
    {"check-http-no-port", HEAD PODS2 "checks:\n  - {name: x, from: n1, http: p1}\n",
     "t.yaml:14:31: checks[0].http: \"p1\" is not HOST:PORT"},
    {"check-http-port-zero", HEAD PODS2 "checks:\n  - {name: x, from: n1, http: \"p1:0\"}\n",
     "t.yaml:14:31: checks[0].http: port \"0\" is not a port number (1..65535)"},
    {"check-tcp-port-big", HEAD PODS2 "checks:\n  - {name: x, from: n1, tcp: \"p1:70000\"}\n",
     "t.yaml:14:30: checks[0].tcp: port \"70000\" is not a port number (1..65535)"},
    {"check-tcp-host-unknown", HEAD PODS2 "checks:\n  - {name: x, from: n1, tcp: \"db:5432\"}\n",
     "t.yaml:14:30: checks[0].tcp: \"db\" is not a pod, a node or an IPv4 address"},
    {"check-exec-empty", HEAD PODS2 "checks:\n  - {name: x, from: n1/p1, exec: []}\n",
     "t.yaml:14:34: checks[0].exec: must not be empty"},
    {"check-expect-bad", HEAD PODS2 "checks:\n  - {name: x, from: n1, ping: p1, expect: maybe}\n",
     "t.yaml:14:43: checks[0].expect: \"maybe\" is not ok or fail"},
    {"check-timeout-no-unit", HEAD PODS2 "checks:\n  - {name: x, from: n1, ping: p1, timeout: 2}\n",
     "t.yaml:14:44: checks[0].timeout: \"2\" is not a duration (use e.g. 500ms, 2s, 1m)"},
    {"check-timeout-zero", HEAD PODS2 "checks:\n  - {name: x, from: n1, ping: p1, timeout: 0s}\n",
     "t.yaml:14:44: checks[0].timeout: timeout must be greater than 0"},
    {"check-name-all", HEAD PODS2 "checks:\n  - {name: all, from: n1, ping: p1}\n",
     "t.yaml:14:12: checks[0].name: name \"all\" is reserved (\"check: all\" runs every check)"},
    {"check-duplicate", HEAD PODS2 CHECK1 "  - {name: ping-p1, from: n1, ping: p2}\n",
     "t.yaml:15:12: checks[1].name: duplicate check name \"ping-p1\" (first at 14:12)"},
    {"check-missing-from", HEAD PODS2 "checks:\n  - {name: x, ping: p1}\n",
     "t.yaml:14:5: checks[0].from: required field is missing"},
    /* ---- faults ---- */
    {"fault-unknown-kind", HEAD PODS2 "faults:\n  - {name: f, kind: unplug, node: n1}\n",
     "t.yaml:14:21: faults[0].kind: unknown fault kind \"unplug\" (known: link-mtu, link-down, "
     "tx-checksum-on, tunnel-dst, flow-delete, daemon-kill, cgroup-memory, seccomp-deny, netem, "
     "partition, underlay-down, vni-mismatch, tunnel-port-delete, pod-route-delete, duplicate-ip, "
     "neighbour-poison, pod-kill, cgroup-pids, cgroup-cpu)"},
    {"fault-missing-kind", HEAD PODS2 "faults:\n  - {name: f, node: n1}\n",
     "t.yaml:14:5: faults[0].kind: required field is missing"},
    {"fault-missing-name", HEAD PODS2 "faults:\n  - {kind: link-down, node: n1, link: eth0}\n",
     "t.yaml:14:5: faults[0].name: required field is missing"},
    {"fault-unknown-param",
     HEAD PODS2 "faults:\n  - {name: f, kind: link-down, node: n1, link: eth0, mtu: 1300}\n",
     "t.yaml:14:54: faults[0].mtu: unknown field \"mtu\" (kind link-down takes node, link)"},
    {"fault-node-not-taken",
     HEAD PODS2
     "faults:\n  - {name: f, kind: cgroup-memory, node: n1, pod: p1, container: c, memory: 8Mi}\n",
     "t.yaml:14:36: faults[0].node: unknown field \"node\" (kind cgroup-memory takes pod, "
     "container, memory)"},
    {"fault-missing-param",
     HEAD PODS2 "faults:\n  - {name: f, kind: link-mtu, node: n1, link: tun0}\n",
     "t.yaml:14:5: faults[0].mtu: required field is missing (kind link-mtu takes node, link, mtu)"},
    {"fault-node-missing",
     HEAD PODS2 "faults:\n  - {name: f, kind: link-down, node: node9, link: eth0}\n",
     "t.yaml:14:38: faults[0].node: node \"node9\" does not exist"},
    {"fault-link-too-long",
     HEAD PODS2 "faults:\n  - {name: f, kind: link-down, node: n1, link: averyverylonglink0}\n",
     "t.yaml:14:48: faults[0].link: interface name \"averyverylonglink0\" is longer than 15 bytes"},
    {"fault-link-bad",
     HEAD PODS2 "faults:\n  - {name: f, kind: link-down, node: n1, link: \"a/b\"}\n",
     "t.yaml:14:48: faults[0].link: \"a/b\" is not an interface name"},
    {"fault-mtu-range",
     HEAD PODS2 "faults:\n  - {name: f, kind: link-mtu, node: n1, link: tun0, mtu: 20}\n",
     "t.yaml:14:58: faults[0].mtu: \"20\" is not an MTU (68..65535)"},
    {"fault-remote-self",
     HEAD PODS2 "faults:\n  - {name: f, kind: flow-delete, node: n1, remote: n1}\n",
     "t.yaml:14:52: faults[0].remote: remote node \"n1\" is the fault's own node"},
    {"fault-remote-missing",
     HEAD PODS2 "faults:\n  - {name: f, kind: flow-delete, node: n1, remote: n7}\n",
     "t.yaml:14:52: faults[0].remote: node \"n7\" does not exist"},
    {"fault-ip-bad",
     HEAD PODS2 "faults:\n  - {name: f, kind: tunnel-dst, node: n1, remote: n2, ip: 192.168.122}\n",
     "t.yaml:14:59: faults[0].ip: \"192.168.122\" is not an IPv4 address"},
    {"fault-ip-outside-lab",
     HEAD PODS2 "faults:\n  - {name: f, kind: tunnel-dst, node: n1, remote: n2, ip: 1.2.3.4}\n",
     "t.yaml:14:59: faults[0].ip: 1.2.3.4 is outside the lab's networks (192.168.122.0/24, "
     "10.1.0.0/16 and loopback)"},
    {"fault-daemon-bad",
     HEAD PODS2 "faults:\n  - {name: f, kind: daemon-kill, node: n1, daemon: sshd}\n",
     "t.yaml:14:52: faults[0].daemon: unknown daemon \"sshd\" (use ovs-vswitchd, ovsdb-server, "
     "netd or runtime)"},
    {"fault-pod-elsewhere",
     HEAD PODS2 "faults:\n  - {name: f, kind: tx-checksum-on, node: n1, pod: p2}\n",
     "t.yaml:14:52: faults[0].pod: pod \"p2\" runs on n2, not n1"},
    {"fault-pod-missing",
     HEAD PODS2
     "faults:\n  - {name: f, kind: seccomp-deny, pod: p9, container: c, syscall: chmod}\n",
     "t.yaml:14:40: faults[0].pod: pod \"p9\" does not exist"},
    {"fault-container-missing",
     HEAD PODS2
     "faults:\n  - {name: f, kind: seccomp-deny, pod: p1, container: d, syscall: chmod}\n",
     "t.yaml:14:55: faults[0].container: pod \"p1\" has no container \"d\""},
    {"fault-syscall-bad",
     HEAD PODS2
     "faults:\n  - {name: f, kind: seccomp-deny, pod: p1, container: c, syscall: \"chmod()\"}\n",
     "t.yaml:14:67: faults[0].syscall: \"chmod()\" is not a system call name"},
    {"fault-memory-bad",
     HEAD PODS2
     "faults:\n  - {name: f, kind: cgroup-memory, pod: p1, container: c, memory: lots}\n",
     "t.yaml:14:67: faults[0].memory: \"lots\" is not a memory quantity (use e.g. 64Mi, 1Gi, "
     "500M)"},
    {"fault-hints-string",
     HEAD PODS2 "faults:\n  - {name: f, kind: link-down, node: n1, link: eth0, hints: look}\n",
     "t.yaml:14:61: faults[0].hints: expected a list, got a string"},
    {"fault-duplicate",
     HEAD PODS2 "faults:\n  - {name: f, kind: link-down, node: n1, link: eth0}\n  - {name: f, "
                "kind: link-down, node: n2, link: eth0}\n",
     "t.yaml:15:12: faults[1].name: duplicate fault name \"f\" (first at 14:12)"},
    {"fault-name-all",
     HEAD PODS2 "faults:\n  - {name: all, kind: link-down, node: n1, link: eth0}\n",
     "t.yaml:14:12: faults[0].name: name \"all\" is reserved (\"repair: all\" repairs every "
     "fault)"},
    {"fault-duplicate-key",
     HEAD PODS2 "faults:\n  - {name: f, kind: link-down, node: n1, link: eth0, node: n2}\n",
     "t.yaml:14:54: faults[0].node: duplicate key \"node\" (first at 14:32)"},
    /* ---- faults of the kinds issue 8 adds, typed values, the timeline ---- */
    {"fault-netem-unknown-param", F "kind: netem, node: n1, delay: 1ms, mtu: 1300}\n",
     "t.yaml:14:50: faults[0].mtu: unknown field \"mtu\" (kind netem takes node, link, delay, "
     "jitter, loss, duplicate, corrupt, reorder, rate)"},
    {"fault-netem-no-impairment", F "kind: netem, node: n1, link: tun0}\n",
     "t.yaml:14:5: faults[0]: kind netem needs at least one of delay, loss, duplicate, corrupt, "
     "reorder or rate"},
    {"fault-netem-jitter-alone", F "kind: netem, node: n1, loss: 1%, jitter: 5ms}\n",
     "t.yaml:14:56: faults[0].jitter: jitter needs delay as well"},
    {"fault-netem-reorder-alone", F "kind: netem, node: n1, reorder: 25%}\n",
     "t.yaml:14:47: faults[0].reorder: reorder needs delay as well"},
    {"fault-netem-link-bad", F "kind: netem, node: n1, link: \"a/b\", loss: 1%}\n",
     "t.yaml:14:44: faults[0].link: \"a/b\" is not an interface name"},
    {"fault-netem-delay-bad", F "kind: netem, node: n1, delay: fast}\n",
     "t.yaml:14:45: faults[0].delay: \"fast\" is not a duration (use e.g. 500ms, 2s, 1m)"},
    {"fault-netem-delay-too-long", F "kind: netem, node: n1, delay: 25h}\n",
     "t.yaml:14:45: faults[0].delay: \"25h\" is longer than 24h"},
    {"fault-netem-delay-finer", F "kind: netem, node: n1, delay: 0.5us}\n",
     "t.yaml:14:45: faults[0].delay: \"0.5us\" is finer than a microsecond"},
    {"fault-netem-loss-no-percent", F "kind: netem, node: n1, loss: 30}\n",
     "t.yaml:14:44: faults[0].loss: \"30\" is not a percentage (use e.g. 30%, 0.5%)"},
    {"fault-netem-loss-over", F "kind: netem, node: n1, loss: 101%}\n",
     "t.yaml:14:44: faults[0].loss: \"101%\" is more than 100%"},
    {"fault-netem-loss-finer", F "kind: netem, node: n1, loss: 0.00001%}\n",
     "t.yaml:14:44: faults[0].loss: \"0.00001%\" is finer than 0.0001%"},
    {"fault-netem-rate-bad", F "kind: netem, node: n1, rate: 1mb}\n",
     "t.yaml:14:44: faults[0].rate: \"1mb\" is not a rate (use e.g. 1mbit, 100kbit, 500bps)"},
    {"fault-netem-rate-zero", F "kind: netem, node: n1, rate: 0kbit}\n",
     "t.yaml:14:44: faults[0].rate: rate must be greater than 0"},
    {"fault-netem-rate-too-large", F "kind: netem, node: n1, rate: 99999999tbps}\n",
     "t.yaml:14:44: faults[0].rate: \"99999999tbps\" is too large"},
    {"fault-netem-node-missing", F "kind: netem, node: n9, loss: 1%}\n",
     "t.yaml:14:34: faults[0].node: node \"n9\" does not exist"},
    {"fault-netem-delay-list", F "kind: netem, node: n1, delay: [1ms]}\n",
     "t.yaml:14:45: faults[0].delay: expected a string, got a list"},
    {"fault-partition-missing-remote", F "kind: partition, node: n1}\n",
     "t.yaml:14:5: faults[0].remote: required field is missing (kind partition takes node, "
     "remote)"},
    {"fault-partition-remote-missing", F "kind: partition, node: n1, remote: n3}\n",
     "t.yaml:14:50: faults[0].remote: node \"n3\" does not exist"},
    {"fault-underlay-down-pod", F "kind: underlay-down, node: n1, pod: p1}\n",
     "t.yaml:14:46: faults[0].pod: unknown field \"pod\" (kind underlay-down takes node)"},
    {"fault-vni-missing", F "kind: vni-mismatch, node: n1, remote: n2}\n",
     "t.yaml:14:5: faults[0].vni: required field is missing (kind vni-mismatch takes node, remote, "
     "vni)"},
    {"fault-vni-range", F "kind: vni-mismatch, node: n1, remote: n2, vni: 16777216}\n",
     "t.yaml:14:62: faults[0].vni: \"16777216\" is not a VNI (0..16777215)"},
    {"fault-vni-negative", F "kind: vni-mismatch, node: n1, remote: n2, vni: -1}\n",
     "t.yaml:14:62: faults[0].vni: \"-1\" is not a VNI (0..16777215)"},
    {"fault-vni-remote-self", F "kind: vni-mismatch, node: n2, remote: n2, vni: 7}\n",
     "t.yaml:14:53: faults[0].remote: remote node \"n2\" is the fault's own node"},
    {"fault-tunnel-port-node-missing", F "kind: tunnel-port-delete, node: master}\n",
     "t.yaml:14:47: faults[0].node: node \"master\" does not exist"},
    {"fault-pod-route-pod-missing", F "kind: pod-route-delete, pod: p3}\n",
     "t.yaml:14:44: faults[0].pod: pod \"p3\" does not exist"},
    {"fault-duplicate-ip-as-missing", F "kind: duplicate-ip, pod: p1, as: p3}\n",
     "t.yaml:14:48: faults[0].as: pod \"p3\" does not exist"},
    {"fault-duplicate-ip-as-self", F "kind: duplicate-ip, pod: p1, as: p1}\n",
     "t.yaml:14:48: faults[0].as: pod \"p1\" is the fault's own pod"},
    {"fault-duplicate-ip-no-as", F "kind: duplicate-ip, pod: p1}\n",
     "t.yaml:14:5: faults[0].as: required field is missing (kind duplicate-ip takes pod, as)"},
    {"fault-poison-neither",
     F "kind: neighbour-poison, ip: 10.1.0.1, mac: \"02:00:00:00:00:01\"}\n",
     "t.yaml:14:5: faults[0]: one of pod or node is required (kind neighbour-poison takes pod, "
     "node, ip, mac)"},
    {"fault-poison-both",
     F "kind: neighbour-poison, node: n1, ip: 10.1.0.1, pod: p1, mac: \"02:00:00:00:00:01\"}\n",
     "t.yaml:14:63: faults[0].pod: only one of pod or node may be given (node at 14:39)"},
    {"fault-poison-mac-bad",
     F "kind: neighbour-poison, pod: p1, ip: 10.1.0.1, mac: \"02:00:00:00:01\"}\n",
     "t.yaml:14:67: faults[0].mac: \"02:00:00:00:01\" is not a MAC address (use e.g. "
     "02:00:0a:01:00:02)"},
    {"fault-poison-ip-outside",
     F "kind: neighbour-poison, node: n1, ip: 8.8.8.8, mac: \"02:00:00:00:00:01\"}\n",
     "t.yaml:14:53: faults[0].ip: 8.8.8.8 is outside the lab's networks (192.168.122.0/24, "
     "10.1.0.0/16 and loopback)"},
    {"fault-poison-no-mac", F "kind: neighbour-poison, pod: p1, ip: 10.1.0.1}\n",
     "t.yaml:14:5: faults[0].mac: required field is missing (kind neighbour-poison takes pod, "
     "node, ip, mac)"},
    {"fault-pod-kill-pod-list", F "kind: pod-kill, pod: [p1]}\n",
     "t.yaml:14:36: faults[0].pod: expected a string, got a list"},
    {"fault-pids-range", F "kind: cgroup-pids, pod: p1, container: c, pids: 0}\n",
     "t.yaml:14:63: faults[0].pids: \"0\" is not a pids limit (1..4194304)"},
    {"fault-pids-not-number", F "kind: cgroup-pids, pod: p1, container: c, pids: many}\n",
     "t.yaml:14:63: faults[0].pids: \"many\" is not a pids limit (1..4194304)"},
    {"fault-pids-container-missing", F "kind: cgroup-pids, pod: p2, container: c, pids: 8}\n",
     "t.yaml:14:54: faults[0].container: pod \"p2\" has no container \"c\""},
    {"fault-cpu-bad", F "kind: cgroup-cpu, pod: p1, container: c, cpu: fast}\n",
     "t.yaml:14:61: faults[0].cpu: \"fast\" is not a CPU quantity (use e.g. 500m, 1, 0.5)"},
    {"fault-cpu-zero", F "kind: cgroup-cpu, pod: p1, container: c, cpu: 0m}\n",
     "t.yaml:14:61: faults[0].cpu: cpu must be greater than 0"},
    {"fault-memory-zero", F "kind: cgroup-memory, pod: p1, container: c, memory: \"0\"}\n",
     "t.yaml:14:67: faults[0].memory: memory must be greater than 0"},
    {"fault-at-bad", F "kind: pod-kill, pod: p1, at: soon}\n",
     "t.yaml:14:44: faults[0].at: \"soon\" is not a duration (use e.g. 500ms, 2s, 1m)"},
    {"fault-at-finer", F "kind: pod-kill, pod: p1, at: 1.5ms}\n",
     "t.yaml:14:44: faults[0].at: \"1.5ms\" is finer than a millisecond"},
    {"fault-at-too-long", F "kind: pod-kill, pod: p1, at: 25h}\n",
     "t.yaml:14:44: faults[0].at: \"25h\" is longer than 24h"},
    {"fault-for-zero", F "kind: pod-kill, pod: p1, for: 0s}\n",
     "t.yaml:14:45: faults[0].for: for must be greater than 0"},
    {"fault-every-zero", F "kind: pod-kill, pod: p1, for: 1s, every: 0ms}\n",
     "t.yaml:14:56: faults[0].every: every must be greater than 0"},
    {"fault-every-without-for", F "kind: pod-kill, pod: p1, every: 10s}\n",
     "t.yaml:14:47: faults[0].every: every needs for as well (how long each injection lasts)"},
    {"fault-for-not-shorter", F "kind: pod-kill, pod: p1, for: 10s, every: 10s}\n",
     "t.yaml:14:45: faults[0].for: for (10s) must be shorter than every (10s)"},
    {"fault-at-null", F "kind: pod-kill, pod: p1, at: }\n",
     "t.yaml:14:44: faults[0].at: expected a string, got null"},
    /* ---- exercises ---- */
    {"exercise-fault-missing",
     HEAD PODS2 CHECK1 "exercises:\n  - {name: e, faults: [nope], verify: [ping-p1]}\n",
     "t.yaml:16:24: exercises[0].faults[0]: fault \"nope\" does not exist"},
    {"exercise-check-missing",
     HEAD PODS2 CHECK1 "faults:\n  - {name: f, kind: link-down, node: n1, link: "
                       "eth0}\nexercises:\n  - {name: e, faults: [f], verify: [ping-p1, nope]}\n",
     "t.yaml:18:46: exercises[0].verify[1]: check \"nope\" does not exist"},
    {"exercise-no-verify",
     HEAD PODS2 CHECK1 "faults:\n  - {name: f, kind: link-down, node: n1, link: "
                       "eth0}\nexercises:\n  - {name: e, faults: [f]}\n",
     "t.yaml:18:5: exercises[0].verify: required field is missing"},
    {"exercise-empty-faults",
     HEAD PODS2 CHECK1 "exercises:\n  - {name: e, faults: [], verify: [ping-p1]}\n",
     "t.yaml:16:23: exercises[0].faults: must not be empty"},
    {"exercise-duplicate",
     HEAD PODS2 CHECK1
     "faults:\n  - {name: f, kind: link-down, node: n1, link: eth0}\nexercises:\n  - {name: e, "
     "faults: [f], verify: [ping-p1]}\n  - {name: e, faults: [f], verify: [ping-p1]}\n",
     "t.yaml:19:12: exercises[1].name: duplicate exercise name \"e\" (first at 18:12)"},
    /* ---- steps ---- */
    {"step-two-keys", HEAD PODS2 CHECK1 "steps:\n  - {check: all, sleep: 1s}\n",
     "t.yaml:16:5: steps[0]: a step is one of check, expect-fail, inject, repair or sleep, this "
     "one has 2 keys"},
    {"step-unknown", HEAD PODS2 CHECK1 "steps:\n  - check: all\n  - wait: 1s\n",
     "t.yaml:17:5: steps[1].wait: unknown step \"wait\" (use check, expect-fail, inject, repair or "
     "sleep)"},
    {"step-scalar", HEAD PODS2 CHECK1 "steps:\n  - check\n",
     "t.yaml:16:5: steps[0]: expected a mapping, got a string"},
    {"step-check-missing", HEAD PODS2 CHECK1 "steps:\n  - check: ping-p2\n",
     "t.yaml:16:12: steps[0].check: check \"ping-p2\" does not exist"},
    {"step-expect-fail-all", HEAD PODS2 CHECK1 "steps:\n  - expect-fail: all\n",
     "t.yaml:16:18: steps[0].expect-fail: expect-fail takes one check name, not \"all\""},
    {"step-inject-missing", HEAD PODS2 CHECK1 "steps:\n  - inject: mtu-black-hole\n",
     "t.yaml:16:13: steps[0].inject: fault \"mtu-black-hole\" does not exist"},
    {"step-repair-missing", HEAD PODS2 CHECK1 "steps:\n  - repair: f\n",
     "t.yaml:16:13: steps[0].repair: fault \"f\" does not exist"},
    {"step-sleep-bad", HEAD PODS2 CHECK1 "steps:\n  - sleep: forever\n",
     "t.yaml:16:12: steps[0].sleep: \"forever\" is not a duration (use e.g. 500ms, 2s, 1m)"},
    {"step-sleep-too-long", HEAD PODS2 CHECK1 "steps:\n  - sleep: 25h\n",
     "t.yaml:16:12: steps[0].sleep: \"25h\" is longer than 24h"},
};

static void test_bad(void **state)
{
  const struct bad_case *bc = *state;
  struct scenario *s = NULL;
  struct lab_error *err = NULL;
  int r = scenario_parse("t.yaml", bc->yaml, strlen(bc->yaml), &s, &err);
  if (r == 0) {
    scenario_free(s);
    fail_msg("case %s parsed, expected: %s", bc->name, bc->expect);
  }
  assert_null(s);
  assert_non_null(err);
  if (getenv("SCENARIO_PRINT"))
    printf("{\"%s\", \"%s\"},\n", bc->name, err->msg);
  if (strcmp(err->msg, bc->expect) != 0) {
    char got[1024];
    snprintf(got, sizeof got, "%s", err->msg);
    lab_error_clear(&err);
    fail_msg("case %s:\n  got:      %s\n  expected: %s", bc->name, got, bc->expect);
  }
  lab_error_clear(&err);
}

int main(void)
{
  size_t n = sizeof bad_cases / sizeof bad_cases[0];
  struct CMUnitTest *tests = calloc(n, sizeof *tests);
  for (size_t i = 0; i < n; i++) {
    tests[i].name = bad_cases[i].name;
    tests[i].test_func = test_bad;
    tests[i].initial_state = (void *)&bad_cases[i];
  }
  int r = _cmocka_run_group_tests("scenario_errors", tests, n, NULL, NULL);
  free(tests);
  return r;
}
