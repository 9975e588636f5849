#include <config.h>

#include "ovsdb-file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "sha1.h"

int netd_ovsdb_create(const char *db_path, const char *schema_path, struct lab_error **err)
{
  struct json *schema = json_from_file(schema_path);
  if (schema == NULL)
    return lab_error_set(err, ENOENT, "%s: cannot be read", schema_path);
  if (schema->type == JSON_STRING) { /* json_from_file's way of reporting a parse error */
    lab_error_set(err, EINVAL, "%s: %s", schema_path, json_string(schema));
    json_destroy(schema);
    return -1;
  }
  if (schema->type != JSON_OBJECT) {
    json_destroy(schema);
    return lab_error_set(err, EINVAL, "%s: a schema is a JSON object", schema_path);
  }
  /* The record is the JSON text and a newline; the header counts and hashes both. */
  struct ds data = DS_EMPTY_INITIALIZER;
  json_to_ds(schema, 0, &data);
  ds_put_char(&data, '\n');
  json_destroy(schema);
  uint8_t sha1[SHA1_DIGEST_SIZE];
  sha1_bytes(data.string, data.length, sha1);
  struct ds header = DS_EMPTY_INITIALIZER;
  ds_put_format(&header, "OVSDB JSON %zu " SHA1_FMT "\n", data.length, SHA1_ARGS(sha1));

  int rc = 0;
  int fd = open(db_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    rc = lab_error_errno(err, "creating %s", db_path);
  } else {
    if (write(fd, header.string, header.length) != (ssize_t)header.length ||
        write(fd, data.string, data.length) != (ssize_t)data.length || fsync(fd) < 0) {
      rc = lab_error_errno(err, "writing %s", db_path);
      unlink(db_path);
    }
    close(fd);
  }
  ds_destroy(&header);
  ds_destroy(&data);
  return rc;
}
