/* Offline images.  A store directory holds one directory per image:
 *   <store>/<name>/rootfs/        the root filesystem (overlay lower dir)
 *   <store>/<name>/config.json    {"Name", "Created", "Entrypoint", "Cmd", "Env", "WorkingDir"}
 * Images are built from busybox-static (`ubi`, `on-off`) or imported from OCI
 * image layouts and docker-archive tarballs, applying layer whiteouts. */
#ifndef NODELAB_RUNTIME_IMAGE_H
#define NODELAB_RUNTIME_IMAGE_H

#include <stddef.h>

#include "error.h"

struct image_info {
  char *name;
  char *rootfs;      /* absolute path */
  char **entrypoint; /* NULL-terminated, may be empty */
  char **cmd;        /* NULL-terminated, may be empty */
  char **env;        /* NULL-terminated */
  char *workdir;     /* "/" when unset */
  char *created;     /* ISO-8601 */
};

void image_info_free(struct image_info *info);

/* True when name is a valid store name: [a-z0-9][a-z0-9._-]*, <= 64 bytes. */
int image_name_is_valid(const char *name);

/* Builds image `name` from the busybox binary at busybox (normally
 * /bin/busybox): kind "ubi" (busybox and its applet symlinks, /etc files) or
 * "on-off" (ubi plus /entrypoint.sh: `top -b` if /mnt/on exists, else exit 0).
 * Replaces an existing image of that name.  Returns 0, or -1 and *err (no
 * half-built image is left). */
int image_build(const char *store, const char *kind, const char *name, const char *busybox,
                struct lab_error **err);

/* Imports an OCI image layout (directory or tar) or a docker-archive tarball
 * (`docker save`).  Layers are applied in order; `.wh.NAME` removes NAME from
 * the lower layers and `.wh..wh..opq` empties its directory.  name NULL: the
 * archive's first tag (repository part after the last '/', tag dropped).
 * Returns 0 and the image name in *imported (malloc'd), or -1 and *err (no
 * half-imported image is left). */
int image_import(const char *store, const char *path, const char *name, char **imported,
                 struct lab_error **err);

/* Applies one layer tarball (any compression libarchive reads) to rootfs,
 * with whiteouts.  Returns 0, or -1 and *err. */
int image_apply_layer(const char *rootfs, const char *layer, struct lab_error **err);

/* Looks image `ref` up: the exact store name, else the last path component of
 * a registry reference without its tag ("registry.access.redhat.com/ubi7/ubi"
 * finds "ubi").  Returns 0 and *info (image_info_free it), or -1 and *err
 * ("REF: image not known"). */
int image_lookup(const char *store, const char *ref, struct image_info **info,
                 struct lab_error **err);

/* All images, sorted by name: *list is a malloc'd array of *n entries. */
int image_list(const char *store, struct image_info ***list, size_t *n, struct lab_error **err);
void image_list_free(struct image_info **list, size_t n);

/* Removes an image.  Returns 0, or -1 and *err. */
int image_remove(const char *store, const char *name, struct lab_error **err);

/* Recursively removes path (no symlinks followed); a missing path is fine.
 * Shared with the container store. */
int image_rm_rf(const char *path, struct lab_error **err);

#endif
