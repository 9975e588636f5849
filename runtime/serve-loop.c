/* The event loop of `nodelab-runtime serve` (serve.h): the listening
 * socket, the connections not owned by a worker, and signals. */
#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "fileio.h"
#include "proc.h"
#include "image.h"
#include "json.h"
#include "log.h"
#include "notify.h"
#include "rpc.h"
#include "serve-internal.h"

LOG_MODULE(runtime);

static void close_conn(struct server *sv, size_t i)
{
  close(sv->conns[i].fd);
  sv->conns[i] = sv->conns[--sv->n_conns];
}

static void spawn_worker(struct server *sv, size_t idx, enum rt_rpc_op op, struct json_object *req,
                         int *fds, size_t n_fds)
{
  int conn = sv->conns[idx].fd;
  pid_t pid = fork();
  if (pid < 0) {
    struct lab_error *err = NULL;
    lab_error_errno(&err, "fork");
    serve_send_error(conn, &err);
    return;
  }
  if (pid == 0) {
    /* The worker: its own connection only, default signal handling. */
    close(sv->listen_fd);
    close(sv->sig_fd);
    for (size_t i = 0; i < sv->n_conns; i++)
      if (i != idx)
        close(sv->conns[i].fd);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    serve_worker_main(sv, conn, op, req, fds, n_fds);
    _exit(0);
  }
  sv->conns[idx].worker = pid;
}

static void on_conn(struct server *sv, size_t idx)
{
  int fds[RPC_MAX_FDS];
  size_t n_fds = 0;
  struct json_object *req = NULL;
  int conn = sv->conns[idx].fd;
  int got = rpc_recv(conn, &req, fds, RPC_MAX_FDS, &n_fds);
  if (got < 0 && errno == EAGAIN)
    return;
  if (got < 0 && errno == EBADMSG) {
    serve_send_reply(conn, rpc_reply_error("a request must be a JSON object"), NULL, 0);
    return;
  }
  if (got <= 0) {
    close_conn(sv, idx);
    return;
  }
  enum rt_rpc_op op;
  struct lab_error *err = NULL;
  if (rt_rpc_op_from_json(req, &op, &err) < 0)
    serve_send_error(conn, &err);
  else if (!serve_handle_inline(sv, conn, op, req))
    spawn_worker(sv, idx, op, req, fds, n_fds);
  for (size_t i = 0; i < n_fds; i++)
    close(fds[i]);
  json_object_put(req);
}

static void reap(struct server *sv)
{
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (size_t i = 0; i < sv->n_conns; i++)
      if (sv->conns[i].worker == pid)
        sv->conns[i].worker = 0;
  }
}

static int ensure_images(struct server *sv, struct lab_error **err)
{
  static const char *const kinds[] = {"ubi", "on-off"};
  for (size_t i = 0; i < 2; i++) {
    struct image_info *info = NULL;
    struct lab_error *e = NULL;
    if (image_lookup(sv->images, kinds[i], &info, &e) == 0) {
      image_info_free(info);
      continue;
    }
    lab_error_clear(&e);
    if (image_build(sv->images, kinds[i], kinds[i], sv->cfg->busybox, err) < 0)
      return lab_error_wrap(err, "building image %s", kinds[i]);
    log_info("built image %s", kinds[i]);
  }
  return 0;
}

int rt_serve(const struct rt_serve_config *cfg, struct lab_error **err)
{
  struct server *sv = calloc(1, sizeof *sv);
  if (sv == NULL)
    return lab_error_set(err, ENOMEM, "serve");
  sv->cfg = cfg;
  sv->listen_fd = sv->sig_fd = -1;
  int rc = -1;
  snprintf(sv->images, sizeof sv->images, "%s/images", cfg->root);
  snprintf(sv->pods, sizeof sv->pods, "%s/pods", cfg->root);
  snprintf(sv->ipam, sizeof sv->ipam, "%s/ipam", cfg->root);
  if (cfg->subnet != NULL) {
    if (ipam_parse(cfg->subnet, cfg->gateway, &sv->subnet, err) < 0)
      goto out;
    sv->have_subnet = true;
  }
  if (fileio_mkdir_p(cfg->root, 0755) < 0 || fileio_mkdir_p(sv->images, 0755) < 0 ||
      fileio_mkdir_p(sv->pods, 0755) < 0 || fileio_mkdir_p(sv->ipam, 0755) < 0) {
    lab_error_errno(err, "creating the state under %s", cfg->root);
    goto out;
  }
  if (ctr_store_open(cfg->root, sv->images, cfg->cgroup_root, cfg->cgroup_parent, &sv->store, err) <
      0)
    goto out;
  if (ensure_images(sv, err) < 0)
    goto out;
  struct lab_error *cg_err = NULL;
  if (ctr_store_open_cgroups(sv->store, &cg_err) < 0) {
    log_warn("%s (each start will try again)", cg_err->msg);
    lab_error_clear(&cg_err);
  }
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s", cfg->socket);
  char *slash = strrchr(dir, '/');
  if (slash != NULL && slash != dir) {
    *slash = '\0';
    if (fileio_mkdir_p(dir, 0755) < 0) {
      lab_error_errno(err, "creating %s", dir);
      goto out;
    }
  }
  /* SIGPIPE: a handler, not SIG_IGN, which containers would inherit. */
  struct sigaction sa = {.sa_handler = serve_ignore_signal};
  sigaction(SIGPIPE, &sa, NULL);
  sv->sig_fd = proc_signalfd(SFD_CLOEXEC | SFD_NONBLOCK, NULL);
  if (sv->sig_fd < 0) {
    lab_error_errno(err, "signalfd");
    goto out;
  }
  sv->listen_fd = rpc_listen(cfg->socket, err);
  if (sv->listen_fd < 0)
    goto out;
  log_info("serving on %s (root %s, cgroup parent %s%s%s)", cfg->socket, cfg->root,
           cfg->cgroup_parent, cfg->netd ? ", netd " : "", cfg->netd ? cfg->netd : "");
  notify_ready();

  static struct pollfd pfd[SERVE_MAX_CONNS + 2];
  static size_t owner[SERVE_MAX_CONNS + 2];
  for (;;) {
    size_t n = 0;
    pfd[n++] = (struct pollfd){.fd = sv->sig_fd, .events = POLLIN};
    pfd[n++] = (struct pollfd){.fd = sv->listen_fd, .events = POLLIN};
    for (size_t i = 0; i < sv->n_conns; i++) {
      if (sv->conns[i].worker != 0)
        continue; /* its worker reads it */
      owner[n] = i;
      pfd[n++] = (struct pollfd){.fd = sv->conns[i].fd, .events = POLLIN};
    }
    if (poll(pfd, n, -1) < 0) {
      if (errno == EINTR)
        continue;
      lab_error_errno(err, "poll");
      goto out;
    }
    if (pfd[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      bool stop = false;
      while (read(sv->sig_fd, &si, sizeof si) == sizeof si)
        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
          stop = true;
      reap(sv);
      if (stop) {
        log_info("stopping (containers keep running)");
        rc = 0;
        goto out;
      }
      continue; /* connection indexes may have changed */
    }
    /* Connections from the highest index down: close_conn moves the last one. */
    for (size_t k = n; k-- > 2;)
      if (pfd[k].revents)
        on_conn(sv, owner[k]);
    if (pfd[1].revents & POLLIN) {
      int fd = accept4(sv->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd >= 0 && sv->n_conns == SERVE_MAX_CONNS) {
        serve_send_reply(fd, rpc_reply_error("too many connections"), NULL, 0);
        close(fd);
      } else if (fd >= 0) {
        sv->conns[sv->n_conns++] = (struct serve_conn){.fd = fd};
      }
    }
  }
out:
  if (sv->listen_fd >= 0) {
    close(sv->listen_fd);
    unlink(cfg->socket);
  }
  if (sv->sig_fd >= 0)
    close(sv->sig_fd);
  for (size_t i = 0; i < sv->n_conns; i++)
    close(sv->conns[i].fd);
  ctr_store_close(sv->store);
  free(sv);
  return rc;
}
