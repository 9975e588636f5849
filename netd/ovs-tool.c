/* nodelab-ovs's operations (ovs-tool.h). */
#include <config.h>

#include "ovs-tool.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "ofp.h"
#include "ovsdb-txn.h"

#include "byte-order.h"
#include "jsonrpc.h"
#include "openflow/openflow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-parse.h"
#include "openvswitch/poll-loop.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "vswitch-idl.h"

/* ---- the command line ---- */

enum { OPT_TABLE = 1, OPT_STRICT = 2 };

/* Subcommands: name, positional words (min, max; -1: no limit), the
 * options they take beyond --rundir and --timeout. */
static const struct cmd_spec {
  const char *name;
  const char *usage;
  int min, max;
  int opts;
} cmds[] = {
    [OVS_TOOL_DUMP_FLOWS] = {"dump-flows", "BRIDGE [--table N]", 1, 1, OPT_TABLE},
    [OVS_TOOL_ADD_FLOWS] = {"add-flows", "BRIDGE FLOW...", 2, -1, 0},
    [OVS_TOOL_DEL_FLOWS] = {"del-flows", "BRIDGE [--strict] FLOW...", 2, -1, OPT_STRICT},
    [OVS_TOOL_MOD_FLOWS] = {"mod-flows", "BRIDGE [--strict] FLOW...", 2, -1, OPT_STRICT},
    [OVS_TOOL_REPLACE_FLOW] = {"replace-flow", "BRIDGE OLD NEW", 3, 3, 0},
    [OVS_TOOL_PORT_SHOW] = {"port-show", "BRIDGE PORT", 2, 2, 0},
    [OVS_TOOL_PORT_DEL] = {"port-del", "BRIDGE PORT", 2, 2, 0},
    [OVS_TOOL_PORT_ADD] = {"port-add", "BRIDGE PORT [KEY=VALUE...]", 2, -1, 0},
    [OVS_TOOL_APPCTL] = {"appctl", "TARGET COMMAND [ARG...]", 2, -1, 0},
};
_Static_assert(sizeof cmds / sizeof cmds[0] == OVS_TOOL_N_CMDS, "one spec per command");

const char ovs_tool_usage[] =
    "usage: nodelab-ovs [--rundir DIR] [--timeout SECONDS] COMMAND ARGS...\n"
    "  dump-flows BRIDGE [--table N]     every flow, canonical, sorted (OpenFlow 1.3)\n"
    "  add-flows BRIDGE FLOW...          add flows (ovs-ofctl syntax), one bundle\n"
    "  del-flows BRIDGE [--strict] FLOW...  delete flows (a dump-flows line deletes that flow)\n"
    "  mod-flows BRIDGE [--strict] FLOW...  change flows' actions, one bundle\n"
    "  replace-flow BRIDGE OLD NEW       delete OLD (which must exist) and add NEW, one bundle\n"
    "  port-show BRIDGE PORT             the port's settings, KEY=VALUE lines\n"
    "  port-del BRIDGE PORT              remove the port\n"
    "  port-add BRIDGE PORT KEY=VALUE... create the port (keys as port-show prints them)\n"
    "  appctl TARGET COMMAND [ARG...]    a unixctl command (TARGET: a .ctl path or a daemon\n"
    "                                    name, e.g. ovs-vswitchd, found in the run directory)\n"
    "options:\n"
    "  --rundir DIR       the switch's sockets (default " OVS_TOOL_RUNDIR ")\n"
    "  --timeout SECONDS  give up after this long (default 10)\n"
    "  --help             this text\n"
    "Output on stdout; errors on stderr.  Exit status 0, 1 on failure, 2 on bad usage.\n";

const char *ovs_tool_cmd_name(enum ovs_tool_cmd cmd)
{
  return cmd < OVS_TOOL_N_CMDS ? cmds[cmd].name : "?";
}

static int find_cmd(const char *name)
{
  for (int i = 0; i < OVS_TOOL_N_CMDS; i++)
    if (strcmp(cmds[i].name, name) == 0)
      return i;
  return -1;
}

/* An option's value: "--opt=VALUE" or the next word. */
static const char *opt_value(int argc, char **argv, int *i, const char *eq, const char *opt,
                             struct lab_error **err)
{
  if (eq != NULL)
    return eq + 1;
  if (*i + 1 >= argc) {
    lab_error_set(err, 0, "%s: a value is needed", opt);
    return NULL;
  }
  return argv[++*i];
}

static int parse_timeout(const char *v, int *ms, struct lab_error **err)
{
  char *end;
  errno = 0;
  double secs = strtod(v, &end);
  if (*v == '\0' || *end != '\0' || errno != 0 || !(secs > 0) || secs > 86400)
    return lab_error_set(err, 0, "--timeout \"%s\": not a number of seconds in (0, 86400]", v);
  *ms = (int)ceil(secs * 1000);
  return 0;
}

static int parse_table(const char *v, int *table, struct lab_error **err)
{
  char *end;
  errno = 0;
  long t = strtol(v, &end, 10);
  if (*v == '\0' || *end != '\0' || errno != 0 || t < 0 || t > 254)
    return lab_error_set(err, 0, "--table \"%s\": not a table number (0-254)", v);
  *table = (int)t;
  return 0;
}

void ovs_tool_args_free(struct ovs_tool_args *a)
{
  free(a->words);
  a->words = NULL;
  a->n_words = 0;
}

static int parse_args(int argc, char **argv, struct ovs_tool_args *a, int *opts_seen,
                      struct lab_error **err)
{
  int cmd = -1, literal = 0;
  for (int i = 1; i < argc; i++) {
    const char *w = argv[i];
    if (!literal && strcmp(w, "--") == 0) {
      literal = 1;
      continue;
    }
    if (!literal && (strcmp(w, "-h") == 0 || strcmp(w, "--help") == 0))
      return 1;
    if (!literal && strncmp(w, "--", 2) == 0) {
      const char *eq = strchr(w, '=');
      size_t len = eq ? (size_t)(eq - w) : strlen(w);
      char opt[32];
      if (len >= sizeof opt)
        return lab_error_set(err, 0, "unknown option %s", w);
      memcpy(opt, w, len);
      opt[len] = '\0';
      const char *v;
      if (strcmp(opt, "--rundir") == 0) {
        if ((v = opt_value(argc, argv, &i, eq, opt, err)) == NULL)
          return -1;
        if (*v == '\0')
          return lab_error_set(err, 0, "--rundir: an empty directory");
        a->rundir = v;
      } else if (strcmp(opt, "--timeout") == 0) {
        if ((v = opt_value(argc, argv, &i, eq, opt, err)) == NULL ||
            parse_timeout(v, &a->timeout_ms, err) < 0)
          return -1;
      } else if (strcmp(opt, "--table") == 0) {
        if ((v = opt_value(argc, argv, &i, eq, opt, err)) == NULL ||
            parse_table(v, &a->table, err) < 0)
          return -1;
        *opts_seen |= OPT_TABLE;
      } else if (strcmp(opt, "--strict") == 0 && eq == NULL) {
        a->strict = 1;
        *opts_seen |= OPT_STRICT;
      } else {
        return lab_error_set(err, 0, "unknown option %s", w);
      }
      continue;
    }
    if (cmd < 0) {
      if ((cmd = find_cmd(w)) < 0)
        return lab_error_set(err, 0, "unknown command \"%s\"", w);
      a->cmd = cmd;
      continue;
    }
    a->words[a->n_words++] = argv[i];
    /* appctl: from COMMAND on, every word is the command's (its own
     * options included). */
    if (cmd == OVS_TOOL_APPCTL && a->n_words == 2)
      literal = 1;
  }
  if (cmd < 0)
    return lab_error_set(err, 0, "a command is needed");
  const struct cmd_spec *c = &cmds[cmd];
  if (*opts_seen & ~c->opts)
    return lab_error_set(err, 0, "%s: %s is not one of its options", c->name,
                         (*opts_seen & ~c->opts & OPT_TABLE) ? "--table" : "--strict");
  if ((int)a->n_words < c->min || (c->max >= 0 && (int)a->n_words > c->max))
    return lab_error_set(err, 0, "%s: expected %s", c->name, c->usage);
  return 0;
}

int ovs_tool_parse_args(int argc, char **argv, struct ovs_tool_args *a, struct lab_error **err)
{
  *a = (struct ovs_tool_args){
      .rundir = OVS_TOOL_RUNDIR, .timeout_ms = OVS_TOOL_TIMEOUT_MS, .table = -1};
  a->words = calloc(argc > 0 ? argc : 1, sizeof *a->words);
  if (a->words == NULL)
    return lab_error_set(err, ENOMEM, "arguments");
  int opts_seen = 0;
  int rc = parse_args(argc, argv, a, &opts_seen, err);
  if (rc != 0)
    ovs_tool_args_free(a);
  return rc;
}

/* ---- paths ---- */

/* rundir/name, malloc'd; NULL when out of memory. */
static char *run_path(const char *rundir, const char *name)
{
  char *p = NULL;
  if (asprintf(&p, "%s/%s", rundir, name) < 0)
    return NULL;
  return p;
}

/* Fails with a clear message when the socket `path` of `what` is missing:
 * otherwise OVS's clients would wait for it until the timeout. */
static int need_socket(const char *path, const char *what, struct lab_error **err)
{
  struct stat st;
  if (stat(path, &st) < 0 && errno == ENOENT)
    return lab_error_set(err, 0, "%s (no %s)", what, path);
  if (stat(path, &st) < 0)
    return lab_error_errno(err, "%s: %s", what, path);
  if (!S_ISSOCK(st.st_mode))
    return lab_error_set(err, ENOTSOCK, "%s: %s", what, path);
  return 0;
}

static int bridge_connect(const char *rundir, const char *bridge, int timeout_ms,
                          struct netd_ofconn **c, struct lab_error **err)
{
  if (*bridge == '\0' || strchr(bridge, '/') != NULL)
    return lab_error_set(err, 0, "bridge \"%s\": not a bridge name", bridge);
  char name[300];
  if ((size_t)snprintf(name, sizeof name, "%s.mgmt", bridge) >= sizeof name)
    return lab_error_set(err, ENAMETOOLONG, "bridge %s", bridge);
  cleanup_free char *path = run_path(rundir, name);
  cleanup_free char *target = NULL;
  if (path == NULL || asprintf(&target, "unix:%s", path) < 0)
    return lab_error_set(err, ENOMEM, "bridge %s", bridge);
  if (need_socket(path, "no such bridge", err) < 0)
    return lab_error_wrap(err, "bridge %s", bridge);
  if (netd_ofconn_open(target, timeout_ms, c, err) < 0)
    return lab_error_wrap(err, "bridge %s", bridge);
  return 0;
}

/* ---- flows ---- */

char *ovs_tool_flow_format(const struct ofputil_flow_stats *fs)
{
  static const struct {
    enum ofputil_flow_mod_flags flag;
    const char *name;
  } flags[] = {
      {OFPUTIL_FF_SEND_FLOW_REM, "send_flow_rem"},  {OFPUTIL_FF_CHECK_OVERLAP, "check_overlap"},
      {OFPUTIL_FF_RESET_COUNTS, "reset_counts"},    {OFPUTIL_FF_NO_PKT_COUNTS, "no_packet_counts"},
      {OFPUTIL_FF_NO_BYT_COUNTS, "no_byte_counts"},
  };
  struct ds s = DS_EMPTY_INITIALIZER;
  ds_put_format(&s, "cookie=0x%" PRIx64 ",table=%u,priority=%u", ntohll(fs->cookie),
                (unsigned)fs->table_id, (unsigned)fs->priority);
  if (fs->idle_timeout != OFP_FLOW_PERMANENT)
    ds_put_format(&s, ",idle_timeout=%u", (unsigned)fs->idle_timeout);
  if (fs->hard_timeout != OFP_FLOW_PERMANENT)
    ds_put_format(&s, ",hard_timeout=%u", (unsigned)fs->hard_timeout);
  if (fs->importance != 0)
    ds_put_format(&s, ",importance=%u", (unsigned)fs->importance);
  for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
    if (fs->flags & flags[i].flag)
      ds_put_format(&s, ",%s", flags[i].name);
  /* The match without its priority (OFP_DEFAULT_PRIORITY is never printed),
   * ports as numbers (no port map): the text does not depend on names. */
  size_t before = s.length;
  ds_put_char(&s, ',');
  match_format(&fs->match, NULL, &s, OFP_DEFAULT_PRIORITY);
  if (s.length == before + 1)
    ds_truncate(&s, before);
  ds_put_cstr(&s, " actions=");
  struct ofpact_format_params fp = {.s = &s};
  ofpacts_format(fs->ofpacts, fs->ofpacts_len, &fp);
  return ds_steal_cstr(&s);
}

struct flow_line {
  uint8_t table;
  uint16_t priority;
  char *text;
};

static int flow_line_cmp(const void *a_, const void *b_)
{
  const struct flow_line *a = a_, *b = b_;
  if (a->table != b->table)
    return a->table < b->table ? -1 : 1;
  if (a->priority != b->priority)
    return a->priority > b->priority ? -1 : 1;
  return strcmp(a->text, b->text);
}

int ovs_tool_flows_format(const struct ofputil_flow_stats *fses, size_t n, char **text,
                          struct lab_error **err)
{
  struct flow_line *v = calloc(n ? n : 1, sizeof *v);
  if (v == NULL)
    return lab_error_set(err, ENOMEM, "flows");
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    v[i] = (struct flow_line){.table = fses[i].table_id, .priority = fses[i].priority};
    if ((v[i].text = ovs_tool_flow_format(&fses[i])) == NULL)
      rc = lab_error_set(err, ENOMEM, "flows");
  }
  if (rc == 0) {
    qsort(v, n, sizeof *v, flow_line_cmp);
    struct ds s = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < n; i++) {
      ds_put_cstr(&s, v[i].text);
      ds_put_char(&s, '\n');
    }
    *text = ds_steal_cstr(&s);
  }
  for (size_t i = 0; i < n; i++)
    free(v[i].text);
  free(v);
  return rc;
}

int ovs_tool_dump_flows(const char *rundir, const char *bridge, int table, int timeout_ms,
                        char **text, struct lab_error **err)
{
  struct netd_ofconn *c = NULL;
  if (bridge_connect(rundir, bridge, timeout_ms, &c, err) < 0)
    return -1;
  struct ofputil_flow_stats *fses = NULL;
  size_t n = 0;
  int rc = netd_ofconn_dump_flows(c, table, &fses, &n, err);
  netd_ofconn_close(c);
  if (rc == 0)
    rc = ovs_tool_flows_format(fses, n, text, err);
  netd_ofp_flow_stats_free(fses, n);
  return rc;
}

/* Does ovs-ofctl text `text` carry actions?  (OVS's own test, on a copy.) */
static int has_actions(const char *text, struct lab_error **err)
{
  cleanup_free char *copy = strdup(text);
  if (copy == NULL)
    return lab_error_set(err, ENOMEM, "flow");
  return ofp_extract_actions(copy) != NULL;
}

int ovs_tool_flow_parse(const char *text, enum ovs_tool_flow_op op, struct ofputil_flow_mod *fm,
                        struct lab_error **err)
{
  static const int commands[] = {
      [OVS_TOOL_FLOW_ADD] = OFPFC_ADD,
      [OVS_TOOL_FLOW_DEL] = OFPFC_DELETE,
      [OVS_TOOL_FLOW_DEL_STRICT] = OFPFC_DELETE_STRICT,
      [OVS_TOOL_FLOW_MOD] = OFPFC_MODIFY,
      [OVS_TOOL_FLOW_MOD_STRICT] = OFPFC_MODIFY_STRICT,
  };
  int command = commands[op];
  if (command != OFPFC_DELETE && command != OFPFC_DELETE_STRICT)
    return netd_ofp_parse_flow(text, command, fm, err);
  int with_actions = has_actions(text, err);
  if (with_actions < 0)
    return -1;
  if (!with_actions)
    return netd_ofp_parse_flow(text, command, fm, err);
  /* A whole flow (a dump-flows line): read it as an addition, then keep
   * only what identifies it, its cookie included. */
  if (netd_ofp_parse_flow(text, OFPFC_ADD, fm, err) < 0)
    return -1;
  fm->command = command;
  fm->cookie = fm->new_cookie;
  fm->cookie_mask = OVS_BE64_MAX;
  fm->new_cookie = htonll(0);
  fm->modify_cookie = false;
  fm->idle_timeout = fm->hard_timeout = 0;
  fm->importance = 0;
  fm->flags = 0;
  fm->out_port = OFPP_ANY;
  fm->out_group = OFPG_ANY;
  free(fm->ofpacts);
  fm->ofpacts = NULL;
  fm->ofpacts_len = 0;
  return 0;
}

/* Is the flow *fm identifies (table, priority, match) among the n flows? */
static int flow_present(const struct ofputil_flow_mod *fm, const struct ofputil_flow_stats *fses,
                        size_t n)
{
  struct match m;
  minimatch_expand(&fm->match, &m);
  for (size_t i = 0; i < n; i++)
    if ((fm->table_id == 0xff || fm->table_id == fses[i].table_id) &&
        fm->priority == fses[i].priority && match_equal(&m, &fses[i].match))
      return 1;
  return 0;
}

int ovs_tool_change_flows(const char *rundir, const char *bridge,
                          const struct ovs_tool_flow_change *changes, size_t n, int require_first,
                          int timeout_ms, struct lab_error **err)
{
  struct ofputil_flow_mod *fms = calloc(n ? n : 1, sizeof *fms);
  if (fms == NULL)
    return lab_error_set(err, ENOMEM, "flows");
  size_t parsed = 0;
  int rc = 0;
  for (; rc == 0 && parsed < n; parsed++)
    if (ovs_tool_flow_parse(changes[parsed].flow, changes[parsed].op, &fms[parsed], err) < 0)
      rc = -1;
  if (rc < 0)
    parsed--; /* the failed one holds nothing */
  struct netd_ofconn *c = NULL;
  if (rc == 0)
    rc = bridge_connect(rundir, bridge, timeout_ms, &c, err);
  if (rc == 0 && require_first && n > 0) {
    struct ofputil_flow_stats *fses = NULL;
    size_t n_fses = 0;
    int table = fms[0].table_id == 0xff ? -1 : fms[0].table_id;
    rc = netd_ofconn_dump_flows(c, table, &fses, &n_fses, err);
    if (rc == 0 && !flow_present(&fms[0], fses, n_fses))
      rc = lab_error_set(err, 0, "flow \"%s\": not on bridge %s", changes[0].flow, bridge);
    netd_ofp_flow_stats_free(fses, n_fses);
  }
  size_t failed = SIZE_MAX;
  if (rc == 0 && netd_ofconn_bundle(c, fms, n, &failed, err) < 0) {
    rc = -1;
    if (failed < n)
      lab_error_wrap(err, "flow \"%s\"", changes[failed].flow);
  }
  netd_ofconn_close(c);
  for (size_t i = 0; i < parsed; i++)
    netd_ofp_flow_mod_uninit(&fms[i]);
  free(fms);
  return rc;
}

/* ---- ports ---- */

struct ovs_tool_port_spec {
  char *name;
  char *type; /* NULL: not given */
  struct smap options;
  int64_t ofport, ofport_request, mtu_request; /* 0: not given */
  char *mac;
  struct smap external_ids, port_external_ids;
};

static struct ovs_tool_port_spec *spec_new(const char *name)
{
  struct ovs_tool_port_spec *s = calloc(1, sizeof *s);
  if (s == NULL || (s->name = strdup(name)) == NULL) {
    free(s);
    return NULL;
  }
  smap_init(&s->options);
  smap_init(&s->external_ids);
  smap_init(&s->port_external_ids);
  return s;
}

void ovs_tool_port_spec_free(struct ovs_tool_port_spec *s)
{
  if (s == NULL)
    return;
  free(s->name);
  free(s->type);
  free(s->mac);
  smap_destroy(&s->options);
  smap_destroy(&s->external_ids);
  smap_destroy(&s->port_external_ids);
  free(s);
}

static int parse_i64(const char *key, const char *v, int64_t min, int64_t max, int64_t *out,
                     struct lab_error **err)
{
  char *end;
  errno = 0;
  long long x = strtoll(v, &end, 10);
  if (*v == '\0' || *end != '\0' || errno != 0 || x < min || x > max)
    return lab_error_set(err, 0, "%s=%s: not a number in %" PRId64 "-%" PRId64, key, v, min, max);
  *out = x;
  return 0;
}

static int set_once_str(char **dst, const char *key, const char *v, struct lab_error **err)
{
  if (*dst != NULL)
    return lab_error_set(err, 0, "%s: given twice", key);
  if ((*dst = strdup(v)) == NULL)
    return lab_error_set(err, ENOMEM, "%s", key);
  return 0;
}

static int set_once_i64(int64_t *dst, const char *key, const char *v, int64_t min, int64_t max,
                        struct lab_error **err)
{
  if (*dst != 0)
    return lab_error_set(err, 0, "%s: given twice", key);
  return parse_i64(key, v, min, max, dst, err);
}

static int smap_setting(struct smap *m, const char *key, const char *sub, const char *v,
                        struct lab_error **err)
{
  if (*sub == '\0')
    return lab_error_set(err, 0, "%s: a key is needed after the colon", key);
  if (smap_get(m, sub) != NULL)
    return lab_error_set(err, 0, "%s: given twice", key);
  smap_add(m, sub, v);
  return 0;
}

static int spec_setting(struct ovs_tool_port_spec *s, const char *setting, struct lab_error **err)
{
  const char *eq = strchr(setting, '=');
  if (eq == NULL || eq == setting)
    return lab_error_set(err, 0, "\"%s\": expected KEY=VALUE", setting);
  char key[256];
  if ((size_t)(eq - setting) >= sizeof key)
    return lab_error_set(err, 0, "\"%s\": key too long", setting);
  memcpy(key, setting, eq - setting);
  key[eq - setting] = '\0';
  const char *v = eq + 1;
  if (strchr(v, '\n') != NULL)
    return lab_error_set(err, 0, "%s: a value of one line is needed", key);
  if (strcmp(key, "name") == 0) {
    if (strcmp(v, s->name) != 0)
      return lab_error_set(err, 0, "name=%s: this is port %s", v, s->name);
    return 0;
  }
  if (strcmp(key, "type") == 0)
    return set_once_str(&s->type, key, v, err);
  if (strcmp(key, "mac") == 0)
    return set_once_str(&s->mac, key, v, err);
  if (strcmp(key, "ofport") == 0)
    return set_once_i64(&s->ofport, key, v, 1, 0xfeff, err);
  if (strcmp(key, "ofport_request") == 0)
    return set_once_i64(&s->ofport_request, key, v, 1, 0xfeff, err);
  if (strcmp(key, "mtu_request") == 0)
    return set_once_i64(&s->mtu_request, key, v, 1, 65535, err);
  static const struct {
    const char *prefix;
    size_t off;
  } maps[] = {
      {"options:", offsetof(struct ovs_tool_port_spec, options)},
      {"external_ids:", offsetof(struct ovs_tool_port_spec, external_ids)},
      {"port_external_ids:", offsetof(struct ovs_tool_port_spec, port_external_ids)},
  };
  for (size_t i = 0; i < ARRAY_SIZE(maps); i++) {
    size_t len = strlen(maps[i].prefix);
    if (strncmp(key, maps[i].prefix, len) == 0)
      return smap_setting((struct smap *)((char *)s + maps[i].off), key, key + len, v, err);
  }
  return lab_error_set(err, 0,
                       "unknown key \"%s\" (name, type, options:K, ofport, ofport_request, "
                       "mtu_request, mac, external_ids:K, port_external_ids:K)",
                       key);
}

int ovs_tool_port_spec_parse(const char *port, const char *const *settings, size_t n,
                             struct ovs_tool_port_spec **out, struct lab_error **err)
{
  if (*port == '\0' || strchr(port, '\n') != NULL)
    return lab_error_set(err, 0, "\"%s\": not a port name", port);
  struct ovs_tool_port_spec *s = spec_new(port);
  if (s == NULL)
    return lab_error_set(err, ENOMEM, "port %s", port);
  for (size_t i = 0; i < n; i++)
    if (spec_setting(s, settings[i], err) < 0) {
      ovs_tool_port_spec_free(s);
      return lab_error_wrap(err, "port %s", port);
    }
  *out = s;
  return 0;
}

static void format_smap(struct ds *d, const char *prefix, const struct smap *m)
{
  const struct smap_node **nodes = smap_sort(m);
  for (size_t i = 0; i < smap_count(m); i++)
    ds_put_format(d, "%s%s=%s\n", prefix, nodes[i]->key, nodes[i]->value);
  free(nodes);
}

char *ovs_tool_port_spec_format(const struct ovs_tool_port_spec *s)
{
  struct ds d = DS_EMPTY_INITIALIZER;
  ds_put_format(&d, "name=%s\n", s->name);
  if (s->type != NULL)
    ds_put_format(&d, "type=%s\n", s->type);
  format_smap(&d, "options:", &s->options);
  if (s->ofport)
    ds_put_format(&d, "ofport=%" PRId64 "\n", s->ofport);
  if (s->ofport_request)
    ds_put_format(&d, "ofport_request=%" PRId64 "\n", s->ofport_request);
  if (s->mtu_request)
    ds_put_format(&d, "mtu_request=%" PRId64 "\n", s->mtu_request);
  if (s->mac != NULL)
    ds_put_format(&d, "mac=%s\n", s->mac);
  format_smap(&d, "external_ids:", &s->external_ids);
  format_smap(&d, "port_external_ids:", &s->port_external_ids);
  return ds_steal_cstr(&d);
}

/* An OVSDB session on rundir/db.sock, monitoring everything (port-add writes
 * several columns, and writing an unmonitored one aborts). */
struct db {
  struct ovsdb_idl *idl;
  char *remote;
  long long deadline;
};

static void db_close(struct db *db)
{
  if (db->idl != NULL)
    ovsdb_idl_destroy(db->idl);
  free(db->remote);
}

static int db_open(const char *rundir, int timeout_ms, struct db *db, struct lab_error **err)
{
  *db = (struct db){.deadline = time_msec() + timeout_ms};
  cleanup_free char *path = run_path(rundir, "db.sock");
  if (path == NULL || asprintf(&db->remote, "unix:%s", path) < 0) {
    db->remote = NULL;
    return lab_error_set(err, ENOMEM, "OVSDB");
  }
  if (need_socket(path, "no ovsdb-server", err) < 0)
    return -1;
  db->idl = ovsdb_idl_create(db->remote, &ovsrec_idl_class, true, true);
  return netd_db_wait_connected(db->idl, db->remote, db->deadline, err);
}

/* db_open(), then one transaction of build(aux) on it (netd_db_transact()).
 * The caller closes db either way. */
static int db_open_transact(const char *rundir, int timeout_ms, struct db *db, const char *comment,
                            netd_db_txn_fn *build, void *aux, struct lab_error **err)
{
  int rc = db_open(rundir, timeout_ms, db, err);
  if (rc == 0)
    rc = netd_db_transact(db->idl, db->remote, comment, db->deadline, build, aux, err);
  return rc;
}

static const struct ovsrec_bridge *db_bridge(struct db *db, const char *bridge,
                                             struct lab_error **err)
{
  const struct ovsrec_bridge *br = netd_db_find_bridge(ovsrec_open_vswitch_first(db->idl), bridge);
  if (br == NULL)
    lab_error_set(err, 0, "bridge %s: no such bridge", bridge);
  return br;
}

static const struct ovsrec_port *db_port(struct db *db, const char *bridge, const char *port,
                                         struct lab_error **err)
{
  const struct ovsrec_bridge *br = db_bridge(db, bridge, err);
  if (br == NULL)
    return NULL;
  const struct ovsrec_port *p = netd_db_find_port(br, port);
  if (p == NULL)
    lab_error_set(err, 0, "bridge %s: no port %s", bridge, port);
  return p;
}

static int smap_copy_checked(struct smap *dst, const struct smap *src, const char *what,
                             struct lab_error **err)
{
  struct smap_node *node;
  SMAP_FOR_EACH(node, src)
  {
    if (strchr(node->key, '\n') || strchr(node->key, '=') || strchr(node->value, '\n'))
      return lab_error_set(err, 0, "%s:%s: cannot be written as one KEY=VALUE line", what,
                           node->key);
    smap_add(dst, node->key, node->value);
  }
  return 0;
}

int ovs_tool_port_show(const char *rundir, const char *bridge, const char *port, int timeout_ms,
                       char **text, struct lab_error **err)
{
  struct db db;
  int rc = db_open(rundir, timeout_ms, &db, err);
  const struct ovsrec_port *p = rc == 0 ? db_port(&db, bridge, port, err) : NULL;
  if (p == NULL) {
    db_close(&db);
    return -1;
  }
  struct ovs_tool_port_spec *s = NULL;
  if (p->n_interfaces != 1 || strcmp(p->interfaces[0]->name, port) != 0)
    rc = lab_error_set(err, 0, "port %s: not a port of one interface of its name", port);
  else if ((s = spec_new(port)) == NULL)
    rc = lab_error_set(err, ENOMEM, "port %s", port);
  if (s != NULL) {
    const struct ovsrec_interface *i = p->interfaces[0];
    s->type = strdup(i->type);
    s->mac = i->mac ? strdup(i->mac) : NULL;
    s->ofport = i->n_ofport && *i->ofport > 0 ? *i->ofport : 0;
    s->ofport_request = i->n_ofport_request ? *i->ofport_request : 0;
    s->mtu_request = i->n_mtu_request ? *i->mtu_request : 0;
    if (s->type == NULL || (i->mac && s->mac == NULL))
      rc = lab_error_set(err, ENOMEM, "port %s", port);
    if (rc == 0 && (strchr(i->type, '\n') || (i->mac && strchr(i->mac, '\n'))))
      rc = lab_error_set(err, 0, "port %s: a value cannot be written on one line", port);
    if (rc == 0)
      rc = smap_copy_checked(&s->options, &i->options, "options", err);
    if (rc == 0)
      rc = smap_copy_checked(&s->external_ids, &i->external_ids, "external_ids", err);
    if (rc == 0)
      rc = smap_copy_checked(&s->port_external_ids, &p->external_ids, "port_external_ids", err);
    if (rc == 0 && (*text = ovs_tool_port_spec_format(s)) == NULL)
      rc = lab_error_set(err, ENOMEM, "port %s", port);
  }
  ovs_tool_port_spec_free(s);
  db_close(&db);
  return rc;
}

struct port_del_aux {
  const char *bridge, *port;
};

static int build_port_del(struct ovsdb_idl_txn *txn, const struct ovsrec_open_vswitch *ovs,
                          void *aux_, struct lab_error **err)
{
  const struct port_del_aux *a = aux_;
  (void)txn;
  const struct ovsrec_bridge *br = netd_db_find_bridge(ovs, a->bridge);
  const struct ovsrec_port *p = netd_db_find_port(br, a->port);
  if (br == NULL)
    return lab_error_set(err, 0, "bridge %s: no such bridge", a->bridge);
  if (p == NULL)
    return lab_error_set(err, 0, "bridge %s: no port %s", a->bridge, a->port);
  netd_db_remove_port(br, p);
  return 0;
}

int ovs_tool_port_del(const char *rundir, const char *bridge, const char *port, int timeout_ms,
                      struct lab_error **err)
{
  struct db db;
  struct port_del_aux a = {.bridge = bridge, .port = port};
  int rc =
      db_open_transact(rundir, timeout_ms, &db, "nodelab-ovs: port-del", build_port_del, &a, err);
  db_close(&db);
  return rc;
}

/* Appends what and more to *err's message (err may be NULL). */
static void error_append(struct lab_error **err, const char *what, const char *more)
{
  char *m = NULL;
  if (err == NULL || *err == NULL || asprintf(&m, "%s%s%s", (*err)->msg, what, more) < 0)
    return;
  free((*err)->msg);
  (*err)->msg = m;
}

struct port_add_aux {
  const char *bridge;
  const struct ovs_tool_port_spec *s;
};

static int build_port_add(struct ovsdb_idl_txn *txn, const struct ovsrec_open_vswitch *ovs,
                          void *aux_, struct lab_error **err)
{
  const struct port_add_aux *a = aux_;
  const struct ovsrec_bridge *br = netd_db_find_bridge(ovs, a->bridge);
  if (br == NULL)
    return lab_error_set(err, 0, "bridge %s: no such bridge", a->bridge);
  /* As ovs-vsctl: a port name is unique across bridges. */
  for (size_t i = 0; ovs != NULL && i < ovs->n_bridges; i++)
    if (netd_db_find_port(ovs->bridges[i], a->s->name) != NULL)
      return lab_error_set(err, 0, "port %s: already on bridge %s", a->s->name,
                           ovs->bridges[i]->name);
  const struct ovs_tool_port_spec *s = a->s;
  netd_db_ensure_port(txn, br,
                      &(struct netd_port_spec){
                          .name = s->name,
                          .type = s->type ? s->type : "",
                          .options = &s->options,
                          .ofport_request = s->ofport_request,
                          .mtu_request = s->mtu_request,
                          .mac = s->mac,
                          .external_ids = &s->external_ids,
                          .port_external_ids = &s->port_external_ids,
                      });
  return 0;
}

static const struct ovsrec_interface *find_iface(struct ovsdb_idl *idl, const char *name)
{
  const struct ovsrec_interface *iface;
  OVSREC_INTERFACE_FOR_EACH(iface, idl)
  {
    if (strcmp(iface->name, name) == 0)
      return iface;
  }
  return NULL;
}

int ovs_tool_port_add(const char *rundir, const char *bridge, const char *port,
                      const char *const *settings, size_t n, int timeout_ms, struct lab_error **err)
{
  struct ovs_tool_port_spec *s = NULL;
  if (ovs_tool_port_spec_parse(port, settings, n, &s, err) < 0)
    return -1;
  struct db db;
  struct port_add_aux a = {.bridge = bridge, .s = s};
  int rc =
      db_open_transact(rundir, timeout_ms, &db, "nodelab-ovs: port-add", build_port_add, &a, err);
  int created = rc == 0;
  /* ovs-vswitchd writes the OpenFlow port number once it has attached the
   * interface (-1 when it could not). */
  int64_t want = s->ofport ? s->ofport : s->ofport_request;
  while (rc == 0) {
    ovsdb_idl_run(db.idl);
    const struct ovsrec_interface *i = find_iface(db.idl, port);
    if (i != NULL && i->n_ofport == 1 && *i->ofport != 0) {
      if (*i->ofport < 0)
        rc = lab_error_set(err, 0, "port %s: ovs-vswitchd could not attach it%s%s", port,
                           i->error ? ": " : "", i->error ? i->error : "");
      else if (want && *i->ofport != want)
        rc = lab_error_set(err, 0, "port %s: got OpenFlow port %" PRId64 ", not %" PRId64, port,
                           *i->ofport, want);
      break;
    }
    if (time_msec() >= db.deadline) {
      rc = lab_error_set(err, ETIMEDOUT, "port %s: waiting for its OpenFlow port", port);
      break;
    }
    ovsdb_idl_wait(db.idl);
    poll_timer_wait_until(db.deadline);
    poll_block();
  }
  /* A port that is not what was asked for is taken away again: a failed
   * port-add leaves the bridge as it was. */
  if (rc < 0 && created) {
    struct port_del_aux d = {.bridge = bridge, .port = port};
    struct lab_error *undo = NULL;
    if (netd_db_transact(db.idl, db.remote, "nodelab-ovs: port-add undone",
                         time_msec() + timeout_ms, build_port_del, &d, &undo) < 0) {
      error_append(err, "; removing it again failed: ", undo->msg);
      lab_error_clear(&undo);
    } else {
      error_append(err, " (removed again)", "");
    }
  }
  db_close(&db);
  ovs_tool_port_spec_free(s);
  return rc;
}

/* ---- unixctl ---- */

/* The control socket of daemon `name` in rundir: rundir/NAME.PID.ctl, PID
 * from rundir/NAME.pid (what ovs-appctl -t NAME does). */
static char *daemon_ctl(const char *rundir, const char *name, struct lab_error **err)
{
  char file[300];
  if ((size_t)snprintf(file, sizeof file, "%s.pid", name) >= sizeof file) {
    lab_error_set(err, ENAMETOOLONG, "%s", name);
    return NULL;
  }
  cleanup_free char *pidfile = run_path(rundir, file);
  if (pidfile == NULL) {
    lab_error_set(err, ENOMEM, "%s", name);
    return NULL;
  }
  cleanup_fclose FILE *f = fopen(pidfile, "r");
  long pid = 0;
  if (f == NULL) {
    lab_error_errno(err, "%s: no pid file %s", name, pidfile);
    return NULL;
  }
  if (fscanf(f, "%ld", &pid) != 1 || pid <= 0) {
    lab_error_set(err, 0, "%s: %s holds no pid", name, pidfile);
    return NULL;
  }
  snprintf(file, sizeof file, "%s.%ld.ctl", name, pid);
  char *ctl = run_path(rundir, file);
  if (ctl == NULL)
    lab_error_set(err, ENOMEM, "%s", name);
  return ctl;
}

int ovs_tool_appctl(const char *rundir, const char *target, char *const *words, size_t n,
                    int timeout_ms, char **reply, struct lab_error **err)
{
  (void)timeout_ms; /* connecting to a unix socket does not wait; see ovs-tool.h */
  if (n == 0)
    return lab_error_set(err, 0, "appctl: a command is needed");
  cleanup_free char *path = strchr(target, '/') ? strdup(target) : daemon_ctl(rundir, target, err);
  if (path == NULL)
    return strchr(target, '/') ? lab_error_set(err, ENOMEM, "%s", target) : -1;
  if (need_socket(path, "no control socket", err) < 0)
    return lab_error_wrap(err, "%s", target);
  struct jsonrpc *client = NULL;
  int rc = unixctl_client_create(path, &client);
  if (rc != 0)
    return lab_error_set(err, rc, "%s: connecting to %s", target, path);
  char *result = NULL, *error = NULL;
  rc = unixctl_client_transact(client, words[0], (int)n - 1, (char **)words + 1, &result, &error);
  jsonrpc_close(client);
  if (rc != 0)
    return lab_error_set(err, rc, "%s: %s", target, words[0]);
  if (error != NULL) {
    size_t len = strlen(error);
    while (len > 0 && error[len - 1] == '\n')
      error[--len] = '\0';
    lab_error_set(err, 0, "%s: %s: %s", target, words[0], error);
    free(error);
    free(result);
    return -1;
  }
  *reply = result ? result : strdup("");
  return *reply ? 0 : lab_error_set(err, ENOMEM, "%s", target);
}

/* ---- running a command line ---- */

static int print_text(FILE *out, char *text)
{
  size_t len = strlen(text);
  fputs(text, out);
  if (len > 0 && text[len - 1] != '\n')
    fputc('\n', out);
  free(text);
  return 0;
}

static int run_flow_changes(const struct ovs_tool_args *a, enum ovs_tool_flow_op op,
                            struct lab_error **err)
{
  size_t n = a->n_words - 1;
  struct ovs_tool_flow_change *ch = calloc(n, sizeof *ch);
  if (ch == NULL)
    return lab_error_set(err, ENOMEM, "flows");
  for (size_t i = 0; i < n; i++)
    ch[i] = (struct ovs_tool_flow_change){.op = op, .flow = a->words[i + 1]};
  int rc = ovs_tool_change_flows(a->rundir, a->words[0], ch, n, 0, a->timeout_ms, err);
  free(ch);
  return rc;
}

int ovs_tool_run(const struct ovs_tool_args *a, FILE *out, struct lab_error **err)
{
  char *text = NULL;
  char *const *w = a->words;
  switch (a->cmd) {
  case OVS_TOOL_DUMP_FLOWS:
    if (ovs_tool_dump_flows(a->rundir, w[0], a->table, a->timeout_ms, &text, err) < 0)
      return -1;
    return print_text(out, text);
  case OVS_TOOL_ADD_FLOWS:
    return run_flow_changes(a, OVS_TOOL_FLOW_ADD, err);
  case OVS_TOOL_DEL_FLOWS:
    return run_flow_changes(a, a->strict ? OVS_TOOL_FLOW_DEL_STRICT : OVS_TOOL_FLOW_DEL, err);
  case OVS_TOOL_MOD_FLOWS:
    return run_flow_changes(a, a->strict ? OVS_TOOL_FLOW_MOD_STRICT : OVS_TOOL_FLOW_MOD, err);
  case OVS_TOOL_REPLACE_FLOW: {
    const struct ovs_tool_flow_change ch[] = {
        {.op = OVS_TOOL_FLOW_DEL_STRICT, .flow = w[1]},
        {.op = OVS_TOOL_FLOW_ADD, .flow = w[2]},
    };
    return ovs_tool_change_flows(a->rundir, w[0], ch, 2, 1, a->timeout_ms, err);
  }
  case OVS_TOOL_PORT_SHOW:
    if (ovs_tool_port_show(a->rundir, w[0], w[1], a->timeout_ms, &text, err) < 0)
      return -1;
    return print_text(out, text);
  case OVS_TOOL_PORT_DEL:
    return ovs_tool_port_del(a->rundir, w[0], w[1], a->timeout_ms, err);
  case OVS_TOOL_PORT_ADD:
    return ovs_tool_port_add(a->rundir, w[0], w[1], (const char *const *)w + 2, a->n_words - 2,
                             a->timeout_ms, err);
  case OVS_TOOL_APPCTL:
    if (ovs_tool_appctl(a->rundir, w[0], w + 1, a->n_words - 1, a->timeout_ms, &text, err) < 0)
      return -1;
    return print_text(out, text);
  case OVS_TOOL_N_CMDS:
    break;
  }
  return lab_error_set(err, 0, "unknown command");
}
