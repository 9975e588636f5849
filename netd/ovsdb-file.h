/* Creating an empty OVSDB database file, as `ovsdb-tool create` does, so that
 * a node's ovsdb-server can start without any OVS command being run. */
#ifndef NODELAB_NETD_OVSDB_FILE_H
#define NODELAB_NETD_OVSDB_FILE_H

#include "error.h"

/* The schema Debian's openvswitch-common installs. */
#define NETD_VSWITCH_SCHEMA "/usr/share/openvswitch/vswitch.ovsschema"

/* Writes a new standalone database at db_path whose only record is the
 * schema read from schema_path: the OVSDB log format, "OVSDB JSON <length>
 * <sha1>\n" then the record.  Fails with EEXIST, writing nothing, when db_path
 * exists.  Returns 0 or -1 and *err. */
int netd_ovsdb_create(const char *db_path, const char *schema_path, struct lab_error **err);

#endif
