#include "seccomp-profile.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileio.h"

struct sec_arg {
  unsigned index;
  uint64_t value, value_two;
  enum scmp_compare op;
};

struct sec_rule {
  char **names;
  size_t n_names;
  uint32_t action;
  struct sec_arg *args;
  size_t n_args;
};

struct sec_profile {
  uint32_t default_action;
  uint32_t *archs; /* SCMP_ARCH_* tokens */
  size_t n_archs;
  struct sec_rule *rules;
  size_t n_rules;
};

struct action_name {
  const char *name;
  uint32_t action; /* for ERRNO and TRACE the low 16 bits are filled later */
  bool takes_ret;
};

static const struct action_name actions[] = {
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
    {"SCMP_ACT_KILL", SCMP_ACT_KILL, false},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
};

static const struct {
  const char *name;
  enum scmp_compare op;
} compare_ops[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

/* Syscalls newer than the libseccomp this may be built with (2.5.4 on
 * Debian 12 predates fchmodat2), by number on the architectures where the
 * number is known.  Without this, a profile denying fchmodat2 would silently
 * let a new libc's chmod through. */
static const struct {
  const char *name;
  uint32_t arch;
  int nr;
} fallback_syscalls[] = {
    {"fchmodat2", SCMP_ARCH_X86_64, 452},
    {"fchmodat2", SCMP_ARCH_AARCH64, 452},
    {"map_shadow_stack", SCMP_ARCH_X86_64, 453},
};

static const char *action_to_name(uint32_t action)
{
  uint32_t hi = action & 0xffff0000U;
  uint32_t base = (hi == SCMP_ACT_ERRNO(0) || hi == SCMP_ACT_TRACE(0)) ? hi : action;
  for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
    if (actions[i].action == base)
      return actions[i].name;
  return "SCMP_ACT_KILL";
}

void sec_profile_free(struct sec_profile *p)
{
  if (p == NULL)
    return;
  for (size_t i = 0; i < p->n_rules; i++) {
    for (size_t j = 0; j < p->rules[i].n_names; j++)
      free(p->rules[i].names[j]);
    free(p->rules[i].names);
    free(p->rules[i].args);
  }
  free(p->rules);
  free(p->archs);
  free(p);
}

static void cleanup_profile_fn(struct sec_profile **p)
{
  sec_profile_free(*p);
}
#define cleanup_profile __attribute__((cleanup(cleanup_profile_fn)))

/* Positions in error messages: "origin: path: problem". */
#define perr(err, origin, path, ...) error_at(err, origin, path, __VA_ARGS__)
__attribute__((format(printf, 4, 5))) static int
error_at(struct lab_error **err, const char *origin, const char *path, const char *fmt, ...)
{
  char *msg = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  va_end(ap);
  lab_error_set(err, 0, "%s: %s%s%s", origin, path, *path ? ": " : "", msg ? msg : fmt);
  free(msg);
  return -1;
}

static int parse_action(const char *s, const char *origin, const char *path, uint32_t *action,
                        bool *takes_ret, struct lab_error **err)
{
  for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
    if (strcmp(actions[i].name, s) == 0) {
      *action = actions[i].action;
      *takes_ret = actions[i].takes_ret;
      return 0;
    }
  }
  return perr(err, origin, path, "unknown action \"%s\"", s);
}

/* 0 when o has the JSON type type, else -1 and *err "expected WHAT, found
 * TYPE" at path (what: "a string", "an array"...). */
static int expect_type(struct json_object *o, enum json_type type, const char *what,
                       const char *origin, const char *path, struct lab_error **err)
{
  if (json_object_is_type(o, type))
    return 0;
  return perr(err, origin, path, "expected %s, found %s", what,
              json_type_to_name(json_object_get_type(o)));
}

static int get_string(struct json_object *o, const char *origin, const char *path, const char **out,
                      struct lab_error **err)
{
  if (expect_type(o, json_type_string, "a string", origin, path, err) < 0)
    return -1;
  *out = json_object_get_string(o);
  return 0;
}

static int get_uint(struct json_object *o, const char *origin, const char *path, uint64_t max,
                    uint64_t *out, struct lab_error **err)
{
  if (expect_type(o, json_type_int, "an integer", origin, path, err) < 0)
    return -1;
  errno = 0;
  int64_t signed_v = json_object_get_int64(o);
  uint64_t v = json_object_get_uint64(o);
  if (signed_v < 0 && v == 0)
    return perr(err, origin, path, "must not be negative");
  if (v > max)
    return perr(err, origin, path, "%llu is out of range (at most %llu)", (unsigned long long)v,
                (unsigned long long)max);
  *out = v;
  return 0;
}

static int parse_arch(const char *s, const char *origin, const char *path, uint32_t *arch,
                      struct lab_error **err)
{
  /* Docker writes SCMP_ARCH_X86_64; libseccomp resolves "x86_64". */
  const char *name = strncmp(s, "SCMP_ARCH_", 10) == 0 ? s + 10 : s;
  char lower[64];
  size_t i;
  for (i = 0; name[i] && i + 1 < sizeof lower; i++)
    lower[i] = (char)tolower((unsigned char)name[i]);
  lower[i] = '\0';
  uint32_t a = seccomp_arch_resolve_name(lower);
  if (a == 0)
    return perr(err, origin, path, "unknown architecture \"%s\"", s);
  *arch = a;
  return 0;
}

static int add_arch(struct sec_profile *p, uint32_t arch)
{
  for (size_t i = 0; i < p->n_archs; i++)
    if (p->archs[i] == arch)
      return 0;
  uint32_t *n = realloc(p->archs, (p->n_archs + 1) * sizeof *n);
  if (n == NULL)
    return -1;
  p->archs = n;
  p->archs[p->n_archs++] = arch;
  return 0;
}

static int parse_archs(struct sec_profile *p, struct json_object *arr, const char *origin,
                       const char *key, struct lab_error **err)
{
  if (expect_type(arr, json_type_array, "an array", origin, key, err) < 0)
    return -1;
  for (size_t i = 0; i < json_object_array_length(arr); i++) {
    char path[128];
    snprintf(path, sizeof path, "%s[%zu]", key, i);
    const char *s;
    uint32_t a;
    if (get_string(json_object_array_get_idx(arr, i), origin, path, &s, err) < 0 ||
        parse_arch(s, origin, path, &a, err) < 0)
      return -1;
    if (add_arch(p, a) < 0)
      return lab_error_set(err, ENOMEM, "%s", origin);
  }
  return 0;
}

static int parse_arch_map(struct sec_profile *p, struct json_object *arr, const char *origin,
                          struct lab_error **err)
{
  if (!json_object_is_type(arr, json_type_array))
    return perr(err, origin, "archMap", "expected an array");
  for (size_t i = 0; i < json_object_array_length(arr); i++) {
    struct json_object *m = json_object_array_get_idx(arr, i);
    char path[128];
    snprintf(path, sizeof path, "archMap[%zu]", i);
    if (!json_object_is_type(m, json_type_object))
      return perr(err, origin, path, "expected an object");
    struct json_object *a, *subs;
    if (!json_object_object_get_ex(m, "architecture", &a))
      return perr(err, origin, path, "missing \"architecture\"");
    char sub[160];
    snprintf(sub, sizeof sub, "%s.architecture", path);
    const char *s;
    uint32_t arch;
    if (get_string(a, origin, sub, &s, err) < 0 || parse_arch(s, origin, sub, &arch, err) < 0)
      return -1;
    if (add_arch(p, arch) < 0)
      return lab_error_set(err, ENOMEM, "%s", origin);
    if (json_object_object_get_ex(m, "subArchitectures", &subs)) {
      snprintf(sub, sizeof sub, "%s.subArchitectures", path);
      if (parse_archs(p, subs, origin, sub, err) < 0)
        return -1;
    }
  }
  return 0;
}

static int parse_args(struct sec_rule *r, struct json_object *arr, const char *origin,
                      const char *rpath, struct lab_error **err)
{
  char path[160];
  snprintf(path, sizeof path, "%s.args", rpath);
  if (json_object_is_type(arr, json_type_null))
    return 0;
  if (!json_object_is_type(arr, json_type_array))
    return perr(err, origin, path, "expected an array");
  size_t n = json_object_array_length(arr);
  if (n == 0)
    return 0;
  if (n > 6)
    return perr(err, origin, path, "at most 6 argument comparisons, found %zu", n);
  r->args = calloc(n, sizeof *r->args);
  if (r->args == NULL)
    return lab_error_set(err, ENOMEM, "%s", origin);
  for (size_t i = 0; i < n; i++) {
    struct json_object *a = json_object_array_get_idx(arr, i), *v;
    char apath[200], fpath[220];
    snprintf(apath, sizeof apath, "%s[%zu]", path, i);
    if (!json_object_is_type(a, json_type_object))
      return perr(err, origin, apath, "expected an object");
    uint64_t u;
    snprintf(fpath, sizeof fpath, "%s.index", apath);
    if (!json_object_object_get_ex(a, "index", &v))
      return perr(err, origin, apath, "missing \"index\"");
    if (get_uint(v, origin, fpath, 5, &u, err) < 0)
      return -1;
    r->args[i].index = (unsigned)u;
    snprintf(fpath, sizeof fpath, "%s.value", apath);
    if (json_object_object_get_ex(a, "value", &v) &&
        get_uint(v, origin, fpath, UINT64_MAX, &r->args[i].value, err) < 0)
      return -1;
    snprintf(fpath, sizeof fpath, "%s.valueTwo", apath);
    if (json_object_object_get_ex(a, "valueTwo", &v) &&
        get_uint(v, origin, fpath, UINT64_MAX, &r->args[i].value_two, err) < 0)
      return -1;
    snprintf(fpath, sizeof fpath, "%s.op", apath);
    const char *op;
    if (!json_object_object_get_ex(a, "op", &v))
      return perr(err, origin, apath, "missing \"op\"");
    if (get_string(v, origin, fpath, &op, err) < 0)
      return -1;
    size_t k;
    for (k = 0; k < sizeof compare_ops / sizeof compare_ops[0]; k++)
      if (strcmp(compare_ops[k].name, op) == 0)
        break;
    if (k == sizeof compare_ops / sizeof compare_ops[0])
      return perr(err, origin, fpath, "unknown operator \"%s\"", op);
    r->args[i].op = compare_ops[k].op;
  }
  r->n_args = n;
  return 0;
}

static int push_name(struct sec_rule *r, const char *name)
{
  char **n = realloc(r->names, (r->n_names + 1) * sizeof *n);
  if (n == NULL)
    return -1;
  r->names = n;
  if ((r->names[r->n_names] = strdup(name)) == NULL)
    return -1;
  r->n_names++;
  return 0;
}

static int parse_rule(struct sec_rule *r, struct json_object *o, const char *origin,
                      const char *path, struct lab_error **err)
{
  if (expect_type(o, json_type_object, "an object", origin, path, err) < 0)
    return -1;
  bool have_action = false, takes_ret = false, have_ret = false;
  uint64_t ret = EPERM;
  char fpath[200];
  json_object_object_foreach(o, key, val)
  {
    snprintf(fpath, sizeof fpath, "%s.%s", path, key);
    if (strcmp(key, "names") == 0) {
      if (!json_object_is_type(val, json_type_array))
        return perr(err, origin, fpath, "expected an array of syscall names");
      for (size_t i = 0; i < json_object_array_length(val); i++) {
        char npath[240];
        snprintf(npath, sizeof npath, "%s[%zu]", fpath, i);
        const char *s;
        if (get_string(json_object_array_get_idx(val, i), origin, npath, &s, err) < 0)
          return -1;
        if (*s == '\0')
          return perr(err, origin, npath, "empty syscall name");
        if (push_name(r, s) < 0)
          return lab_error_set(err, ENOMEM, "%s", origin);
      }
    } else if (strcmp(key, "name") == 0) { /* the older Docker format */
      const char *s;
      if (get_string(val, origin, fpath, &s, err) < 0)
        return -1;
      if (push_name(r, s) < 0)
        return lab_error_set(err, ENOMEM, "%s", origin);
    } else if (strcmp(key, "action") == 0) {
      const char *s;
      if (get_string(val, origin, fpath, &s, err) < 0 ||
          parse_action(s, origin, fpath, &r->action, &takes_ret, err) < 0)
        return -1;
      have_action = true;
    } else if (strcmp(key, "errnoRet") == 0) {
      if (get_uint(val, origin, fpath, 4095, &ret, err) < 0)
        return -1;
      have_ret = true;
    } else if (strcmp(key, "args") == 0) {
      if (parse_args(r, val, origin, path, err) < 0)
        return -1;
    } else if (strcmp(key, "comment") == 0 || strcmp(key, "includes") == 0 ||
               strcmp(key, "excludes") == 0) {
      /* Docker's default profile carries these; kernel/capability conditions
       * are not evaluated: every rule applies. */
    } else {
      return perr(err, origin, fpath, "unknown field");
    }
  }
  if (r->n_names == 0)
    return perr(err, origin, path, "missing \"names\"");
  if (!have_action)
    return perr(err, origin, path, "missing \"action\"");
  if (have_ret && !takes_ret)
    return perr(err, origin, path, "errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
  if (takes_ret)
    r->action |= (uint32_t)(ret & 0xffff);
  return 0;
}

static int line_col(const char *text, size_t offset, int *line, int *col)
{
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < offset && text[i]; i++) {
    if (text[i] == '\n') {
      (*line)++;
      *col = 1;
    } else {
      (*col)++;
    }
  }
  return 0;
}

int sec_profile_parse(const char *text, const char *origin, struct sec_profile **out,
                      struct lab_error **err)
{
  struct json_tokener *tok = json_tokener_new();
  if (tok == NULL)
    return lab_error_set(err, ENOMEM, "%s", origin);
  size_t len = strlen(text);
  struct json_object *root = json_tokener_parse_ex(tok, text, (int)len);
  enum json_tokener_error jerr = json_tokener_get_error(tok);
  if (root == NULL || jerr != json_tokener_success || json_tokener_get_parse_end(tok) < len) {
    /* json-c reports the offset where parsing stopped; turn it into line:column. */
    size_t at = json_tokener_get_parse_end(tok);
    int line, col;
    if (root != NULL && jerr == json_tokener_success) {
      /* trailing text after a complete value */
      while (at < len && isspace((unsigned char)text[at]))
        at++;
      if (at == len)
        goto parsed;
      line_col(text, at, &line, &col);
      json_object_put(root);
      json_tokener_free(tok);
      return lab_error_set(err, 0, "%s:%d:%d: unexpected text after the JSON document", origin,
                           line, col);
    }
    line_col(text, at, &line, &col);
    const char *why =
        jerr == json_tokener_continue ? "unexpected end of file" : json_tokener_error_desc(jerr);
    json_object_put(root);
    json_tokener_free(tok);
    return lab_error_set(err, 0, "%s:%d:%d: invalid JSON: %s", origin, line, col, why);
  }
parsed:
  json_tokener_free(tok);

  cleanup_profile struct sec_profile *p = calloc(1, sizeof *p);
  int rc = -1;
  if (p == NULL) {
    lab_error_set(err, ENOMEM, "%s", origin);
    goto out;
  }
  if (!json_object_is_type(root, json_type_object)) {
    perr(err, origin, "", "the profile must be a JSON object, found %s",
         json_type_to_name(json_object_get_type(root)));
    goto out;
  }
  bool have_default = false, default_takes_ret = false, have_default_ret = false;
  uint64_t default_ret = EPERM;
  json_object_object_foreach(root, key, val)
  {
    if (strcmp(key, "defaultAction") == 0) {
      const char *s;
      if (get_string(val, origin, key, &s, err) < 0 ||
          parse_action(s, origin, key, &p->default_action, &default_takes_ret, err) < 0)
        goto out;
      have_default = true;
    } else if (strcmp(key, "defaultErrnoRet") == 0) {
      if (get_uint(val, origin, key, 4095, &default_ret, err) < 0)
        goto out;
      have_default_ret = true;
    } else if (strcmp(key, "architectures") == 0) {
      if (!json_object_is_type(val, json_type_null) &&
          parse_archs(p, val, origin, "architectures", err) < 0)
        goto out;
    } else if (strcmp(key, "archMap") == 0) {
      if (!json_object_is_type(val, json_type_null) && parse_arch_map(p, val, origin, err) < 0)
        goto out;
    } else if (strcmp(key, "syscalls") == 0) {
      if (json_object_is_type(val, json_type_null))
        continue;
      if (expect_type(val, json_type_array, "an array", origin, key, err) < 0)
        goto out;
      size_t n = json_object_array_length(val);
      p->rules = calloc(n ? n : 1, sizeof *p->rules);
      if (p->rules == NULL) {
        lab_error_set(err, ENOMEM, "%s", origin);
        goto out;
      }
      for (size_t i = 0; i < n; i++) {
        char path[64];
        snprintf(path, sizeof path, "syscalls[%zu]", i);
        p->n_rules = i + 1;
        if (parse_rule(&p->rules[i], json_object_array_get_idx(val, i), origin, path, err) < 0)
          goto out;
      }
    } else if (strcmp(key, "comment") == 0 || strcmp(key, "flags") == 0 ||
               strcmp(key, "listenerPath") == 0 || strcmp(key, "listenerMetadata") == 0) {
      /* accepted and ignored, as runc does for what it cannot use */
    } else {
      perr(err, origin, key, "unknown field");
      goto out;
    }
  }
  if (!have_default) {
    perr(err, origin, "", "missing \"defaultAction\"");
    goto out;
  }
  if (have_default_ret && !default_takes_ret) {
    perr(err, origin, "defaultErrnoRet", "only valid when defaultAction is SCMP_ACT_ERRNO");
    goto out;
  }
  if (default_takes_ret)
    p->default_action |= (uint32_t)(default_ret & 0xffff);
  *out = steal_pointer(&p);
  rc = 0;
out:
  json_object_put(root);
  return rc;
}

int sec_profile_load_file(const char *path, struct sec_profile **out, struct lab_error **err)
{
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return lab_error_errno(err, "seccomp profile %s", path);
  struct stat st;
  if (fstat(fd, &st) < 0)
    return lab_error_errno(err, "stat %s", path);
  if (!S_ISREG(st.st_mode) || st.st_size > 16 * 1024 * 1024)
    return lab_error_set(err, EINVAL, "seccomp profile %s: not a regular file under 16 MiB", path);
  cleanup_free char *buf = NULL;
  if (fileio_read_fd(fd, &buf, NULL) < 0)
    return lab_error_errno(err, "reading %s", path);
  return sec_profile_parse(buf, path, out, err);
}

/* Docker's default profile is an allow-list of ~350 syscalls; ours is the
 * complementary deny-list of what a container has no business calling (the
 * syscalls Docker's profile leaves out or gates behind CAP_SYS_ADMIN and
 * friends).  Kept as JSON so the default goes through the same parser as a
 * user's profile. */
static const char default_profile_json[] =
    "{\n"
    "  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
    "  \"syscalls\": [\n"
    "    {\"names\": [\"kexec_load\", \"kexec_file_load\", \"init_module\", \"finit_module\",\n"
    "                \"delete_module\", \"create_module\", \"get_kernel_syms\", \"query_module\",\n"
    "                \"reboot\", \"swapon\", \"swapoff\", \"acct\", \"mount\", \"umount\",\n"
    "                \"umount2\", \"pivot_root\", \"move_mount\", \"open_tree\", \"fsopen\",\n"
    "                \"fsconfig\", \"fsmount\", \"fspick\", \"mount_setattr\", \"settimeofday\",\n"
    "                \"clock_settime\", \"clock_adjtime\", \"adjtimex\", \"stime\", \"bpf\",\n"
    "                \"perf_event_open\", \"open_by_handle_at\", \"name_to_handle_at\",\n"
    "                \"keyctl\", \"add_key\", \"request_key\", \"lookup_dcookie\", \"quotactl\",\n"
    "                \"nfsservctl\", \"iopl\", \"ioperm\", \"uselib\", \"userfaultfd\", "
    "\"vhangup\",\n"
    "                \"sysfs\", \"_sysctl\", \"unshare\", \"setns\", \"syslog\", \"kcmp\",\n"
    "                \"process_vm_readv\", \"process_vm_writev\", \"vm86\", \"vm86old\",\n"
    "                \"fanotify_init\"],\n"
    "     \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}\n"
    "  ]\n"
    "}\n";

int sec_profile_default(struct sec_profile **out, struct lab_error **err)
{
  return sec_profile_parse(default_profile_json, "<default seccomp profile>", out, err);
}

uint32_t sec_profile_default_action(const struct sec_profile *p)
{
  return p->default_action;
}

size_t sec_profile_rule_count(const struct sec_profile *p)
{
  return p->n_rules;
}

uint32_t sec_profile_rule_action(const struct sec_profile *p, size_t i)
{
  return p->rules[i].action;
}

const char *const *sec_profile_rule_names(const struct sec_profile *p, size_t i, size_t *n_names)
{
  *n_names = p->rules[i].n_names;
  return (const char *const *)p->rules[i].names;
}

static bool action_takes_ret(uint32_t action)
{
  uint32_t hi = action & 0xffff0000U;
  return hi == SCMP_ACT_ERRNO(0) || hi == SCMP_ACT_TRACE(0);
}

struct json_object *sec_profile_to_oci_json(const struct sec_profile *p)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "defaultAction",
                         json_object_new_string(action_to_name(p->default_action)));
  if (action_takes_ret(p->default_action))
    json_object_object_add(o, "defaultErrnoRet",
                           json_object_new_int((int)(p->default_action & 0xffff)));
  struct json_object *archs = json_object_new_array();
  for (size_t i = 0; i < p->n_archs; i++) {
    const char *name;
    char buf[64];
    /* libseccomp has no token-to-name call; print the canonical OCI names we know. */
    switch (p->archs[i]) {
    case SCMP_ARCH_X86_64:
      name = "SCMP_ARCH_X86_64";
      break;
    case SCMP_ARCH_X86:
      name = "SCMP_ARCH_X86";
      break;
    case SCMP_ARCH_X32:
      name = "SCMP_ARCH_X32";
      break;
    case SCMP_ARCH_AARCH64:
      name = "SCMP_ARCH_AARCH64";
      break;
    case SCMP_ARCH_ARM:
      name = "SCMP_ARCH_ARM";
      break;
    default:
      snprintf(buf, sizeof buf, "0x%x", p->archs[i]);
      name = buf;
    }
    json_object_array_add(archs, json_object_new_string(name));
  }
  json_object_object_add(o, "architectures", archs);
  struct json_object *sys = json_object_new_array();
  for (size_t i = 0; i < p->n_rules; i++) {
    const struct sec_rule *r = &p->rules[i];
    struct json_object *ro = json_object_new_object(), *names = json_object_new_array();
    for (size_t j = 0; j < r->n_names; j++)
      json_object_array_add(names, json_object_new_string(r->names[j]));
    json_object_object_add(ro, "names", names);
    json_object_object_add(ro, "action", json_object_new_string(action_to_name(r->action)));
    if (action_takes_ret(r->action))
      json_object_object_add(ro, "errnoRet", json_object_new_int((int)(r->action & 0xffff)));
    if (r->n_args > 0) {
      struct json_object *args = json_object_new_array();
      for (size_t j = 0; j < r->n_args; j++) {
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "index", json_object_new_int((int)r->args[j].index));
        json_object_object_add(a, "value", json_object_new_uint64(r->args[j].value));
        json_object_object_add(a, "valueTwo", json_object_new_uint64(r->args[j].value_two));
        for (size_t k = 0; k < sizeof compare_ops / sizeof compare_ops[0]; k++)
          if (compare_ops[k].op == r->args[j].op)
            json_object_object_add(a, "op", json_object_new_string(compare_ops[k].name));
        json_object_array_add(args, a);
      }
      json_object_object_add(ro, "args", args);
    }
    json_object_array_add(sys, ro);
  }
  json_object_object_add(o, "syscalls", sys);
  return o;
}

static int resolve_syscall(const char *name)
{
  int nr = seccomp_syscall_resolve_name(name);
  if (nr != __NR_SCMP_ERROR)
    return nr;
  uint32_t native = seccomp_arch_native();
  for (size_t i = 0; i < sizeof fallback_syscalls / sizeof fallback_syscalls[0]; i++)
    if (fallback_syscalls[i].arch == native && strcmp(fallback_syscalls[i].name, name) == 0)
      return fallback_syscalls[i].nr;
  return __NR_SCMP_ERROR;
}

int sec_profile_build(const struct sec_profile *p, scmp_filter_ctx *out, struct lab_error **err)
{
  scmp_filter_ctx ctx = seccomp_init(p->default_action);
  if (ctx == NULL)
    return lab_error_set(err, EINVAL, "seccomp_init failed");
  int rc;
  for (size_t i = 0; i < p->n_archs; i++) {
    rc = seccomp_arch_add(ctx, p->archs[i]);
    if (rc < 0 && rc != -EEXIST) {
      seccomp_release(ctx);
      return lab_error_set(err, -rc, "seccomp: adding architecture %zu", i);
    }
  }
  for (size_t i = 0; i < p->n_rules; i++) {
    const struct sec_rule *r = &p->rules[i];
    /* libseccomp refuses a rule whose action equals the default one. */
    if (r->action == p->default_action)
      continue;
    struct scmp_arg_cmp cmps[6];
    for (size_t k = 0; k < r->n_args; k++) {
      cmps[k].arg = r->args[k].index;
      cmps[k].op = r->args[k].op;
      cmps[k].datum_a = r->args[k].value;
      cmps[k].datum_b = r->args[k].value_two;
    }
    for (size_t j = 0; j < r->n_names; j++) {
      int nr = resolve_syscall(r->names[j]);
      if (nr == __NR_SCMP_ERROR)
        continue; /* not a syscall of this kernel/arch: Docker skips these too */
      rc = seccomp_rule_add_array(ctx, r->action, nr, (unsigned)r->n_args, cmps);
      if (rc < 0) {
        seccomp_release(ctx);
        return lab_error_set(err, -rc, "seccomp: syscalls[%zu]: adding rule for %s", i,
                             r->names[j]);
      }
    }
  }
  *out = ctx;
  return 0;
}
