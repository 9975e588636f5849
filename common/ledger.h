/* The ledger: every host object a lab creates is recorded here *before* it is
 * created, so that `nodelab down --force` can remove exactly those objects,
 * idempotently, even after kill -9 of every daemon.
 *
 * A lab's ledger is an append-only text file, <rundir>/<lab>/ledger, one
 * object per line ("<kind>\t<field>\t<field>\n"), written with one write(2)
 * per line so a killed writer never leaves half a line that matters (a
 * trailing partial line is ignored on replay).  Undo walks the lines in
 * reverse order.  Nothing outside the ledger is ever touched. */
#ifndef NODELAB_LEDGER_H
#define NODELAB_LEDGER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define NODELAB_RUNDIR "/run/nodelab"

enum ledger_kind {
  LEDGER_DIR,     /* a directory we created: rmdir (only when empty) */
  LEDGER_FILE,    /* a file we created: unlink */
  LEDGER_CGROUP,  /* a cgroup directory (absolute path): kill every process in it, then rmdir */
  LEDGER_PROCESS, /* a process: pid + start time (clock ticks since boot, /proc/PID/stat field 22)
                   */
  LEDGER_MOUNT,   /* a mount point in the host mount namespace: umount2(MNT_DETACH) */
  LEDGER_NETNS,   /* a network namespace bind-mounted on a file: umount + unlink */
  LEDGER_CGROUP_PARENT, /* a cgroup directory made as a parent of ours, possibly shared with
                           other labs (".../nodelab"): rmdir when empty, never kills; when another
                           lab of this run directory still uses it, handed over to its ledger */
};

struct ledger_entry {
  enum ledger_kind kind;
  char *path;         /* DIR, FILE, CGROUP, MOUNT, NETNS; NULL for PROCESS */
  pid_t pid;          /* PROCESS */
  uint64_t starttime; /* PROCESS: guards against a reused pid */
};

struct ledger;

/* Opens (creating when absent, mode 0700 for the directory and 0600 for the
 * file) the ledger of lab `lab` under `rundir` (normally NODELAB_RUNDIR; tests
 * pass a temporary directory).  The lab directory itself is recorded as the
 * ledger's first entry.  Returns 0 and a new handle in *out, or -1 and *err. */
int ledger_open(const char *rundir, const char *lab, struct ledger **out, struct lab_error **err);

/* Closes the handle; the file stays. Accepts NULL. */
void ledger_close(struct ledger *l);

/* The lab directory (<rundir>/<lab>); owned by the ledger. */
const char *ledger_dir(const struct ledger *l);

/* Appends one entry.  Call it before creating the object (for a process: after
 * clone, before the child is allowed to run anything, see nodes/).  A path must
 * be absolute and free of tabs and newlines (else EINVAL, nothing written);
 * LEDGER_PROCESS goes through ledger_record_process().  Safe to call from
 * several processes on the same ledger: each entry is one O_APPEND write.
 * Returns 0 or -1 and *err. */
int ledger_record_path(struct ledger *l, enum ledger_kind kind, const char *path,
                       struct lab_error **err);
int ledger_record_process(struct ledger *l, pid_t pid, uint64_t starttime, struct lab_error **err);

/* Reads every complete entry of the ledger file at `path`.  On success *entries
 * is a malloc'd array of *n entries (free with ledger_entries_free()).  A
 * trailing line without its newline (a writer killed mid-write) is ignored,
 * and so is (with a warning) a complete line that does not parse. */
int ledger_read(const char *path, struct ledger_entry **entries, size_t *n, struct lab_error **err);
void ledger_entries_free(struct ledger_entry *entries, size_t n);

/* Undoes every entry of lab `lab` under `rundir` in reverse order, then
 * removes the ledger file and the lab directory.  Idempotent: an object that
 * is already gone is not an error, and a lab with no ledger succeeds.  Keeps
 * going past failures and reports the first one; after a failure the ledger
 * file is kept so that undo can simply be run again.  Processes are killed
 * with SIGKILL and waited for (up to a few seconds, polling /proc: they need
 * not be our children) before their cgroups are removed; a CGROUP entry kills
 * what runs in the cgroup and its descendants (see cgroup_remove_dir()),
 * except that a cgroup which another lab's ledger (same rundir) uses as a
 * parent is only removed when empty, else appended to that lab's ledger.
 * Returns 0 or -1 and *err. */
int ledger_undo(const char *rundir, const char *lab, struct lab_error **err);

/* Names of labs that have a ledger under `rundir`.  *names is a malloc'd
 * NULL-terminated array of malloc'd strings (free each, then the array). */
int ledger_list_labs(const char *rundir, char ***names, struct lab_error **err);

#endif
