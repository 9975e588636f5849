/* nodelab-runtime image build|import|ls|rm: the image store. */
#include "cli-runtime.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"

int rtcli_image(int argc, char **argv)
{
  struct lab_error *err = NULL;
  if (argc >= 3 && strcmp(argv[1], "build") == 0) {
    const char *kind = argv[2], *name = argv[2], *busybox = "/bin/busybox";
    for (int i = 3; i + 1 < argc; i += 2) {
      if (strcmp(argv[i], "--name") == 0)
        name = argv[i + 1];
      else if (strcmp(argv[i], "--busybox") == 0)
        busybox = argv[i + 1];
      else
        return rtcli_usage_error("image build: unknown option %s", argv[i]);
    }
    if (image_build(rtcli_g.images, kind, name, busybox, &err) < 0)
      return rtcli_fail(&err);
    printf("%s\n", name);
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "import") == 0) {
    char *name = NULL;
    if (image_import(rtcli_g.images, argv[2], argc > 3 ? argv[3] : NULL, &name, &err) < 0)
      return rtcli_fail(&err);
    printf("%s\n", name);
    free(name);
    return 0;
  }
  if (argc >= 2 && strcmp(argv[1], "ls") == 0) {
    struct image_info **list = NULL;
    size_t n = 0;
    if (image_list(rtcli_g.images, &list, &n, &err) < 0)
      return rtcli_fail(&err);
    printf("%-20s  %-22s  %s\n", "IMAGE", "CREATED", "COMMAND");
    for (size_t i = 0; i < n; i++) {
      char cmd[256] = "";
      char **parts[2] = {list[i]->entrypoint, list[i]->cmd};
      for (int p = 0; p < 2; p++)
        for (size_t k = 0; parts[p] && parts[p][k]; k++) {
          strncat(cmd, parts[p][k], sizeof cmd - strlen(cmd) - 2);
          strncat(cmd, " ", sizeof cmd - strlen(cmd) - 1);
        }
      printf("%-20s  %-22s  %s\n", list[i]->name, list[i]->created, cmd);
    }
    image_list_free(list, n);
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "rm") == 0) {
    if (image_remove(rtcli_g.images, argv[2], &err) < 0)
      return rtcli_fail(&err);
    printf("%s\n", argv[2]);
    return 0;
  }
  return rtcli_usage_error(
      "usage: image build ubi|on-off [--name N] [--busybox PATH] | image import "
      "PATH [NAME] | image ls | image rm NAME%s",
      "");
}
