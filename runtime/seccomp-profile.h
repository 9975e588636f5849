/* seccomp profiles in the Docker/OCI JSON format (defaultAction,
 * defaultErrnoRet, architectures, archMap, syscalls[].names/name/action/
 * errnoRet/args), parsed into a model and built into a libseccomp filter. */
#ifndef NODELAB_RUNTIME_SECCOMP_PROFILE_H
#define NODELAB_RUNTIME_SECCOMP_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <seccomp.h>

#include "error.h"

struct sec_profile;

/* Parses the profile in `text`.  `origin` (a file name, or a label such as
 * "<default>") prefixes every error message, followed by the position: the
 * line:column of a JSON syntax error, or the JSON path of a semantic one, e.g.
 * `profiles/x.json: syscalls[2].action: unknown action "SCMP_ACT_FOO"`.
 * Returns 0 and a new profile in *out (free with sec_profile_free), or -1 and *err. */
int sec_profile_parse(const char *text, const char *origin, struct sec_profile **out,
                      struct lab_error **err);

/* Reads and parses the file at path; errors are prefixed with path. */
int sec_profile_load_file(const char *path, struct sec_profile **out, struct lab_error **err);

/* The runtime's default profile: allow everything except a Docker-like set of
 * dangerous syscalls (kexec_load, init_module, mount, reboot, swapon, bpf...),
 * which fail with EPERM.  Returns 0 and *out, or -1 and *err. */
int sec_profile_default(struct sec_profile **out, struct lab_error **err);

void sec_profile_free(struct sec_profile *p);

/* Read-only view of the model (for tests and for config.json). */
uint32_t sec_profile_default_action(const struct sec_profile *p); /* SCMP_ACT_* value */
size_t sec_profile_rule_count(const struct sec_profile *p);
/* Rule i: its action (SCMP_ACT_* value, errno folded in for SCMP_ACT_ERRNO)
 * and its syscall names (owned by the profile, n_names entries). */
uint32_t sec_profile_rule_action(const struct sec_profile *p, size_t i);
const char *const *sec_profile_rule_names(const struct sec_profile *p, size_t i, size_t *n_names);

/* The profile as an OCI runtime-spec `linux.seccomp` object (new reference). */
struct json_object *sec_profile_to_oci_json(const struct sec_profile *p);

/* Builds a libseccomp filter.  Syscall names unknown on this machine are
 * skipped (as Docker does: profiles list names for many kernels), except for a
 * few recent syscalls that libseccomp may not know yet (fchmodat2), which are
 * added by number.  Returns 0 and a context in *out (seccomp_release it), or
 * -1 and *err. */
int sec_profile_build(const struct sec_profile *p, scmp_filter_ctx *out, struct lab_error **err);

#endif
