// Small fd helpers shared by the shim and the child: full reads/writes, whole-file writes, fd passing.
#ifndef BERTH_IO_H
#define BERTH_IO_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

// Write all of buf, retrying on EINTR and short writes (blocking fds only). 0 or -1 with errno.
int write_all(int fd, const void *buf, size_t len);
// Read exactly len bytes. 0, or -1 with errno (EIO-like: errno 0 means EOF came first).
int read_exact(int fd, void *buf, size_t len);
// open(path, O_WRONLY) + write + close; the message names `path`.
int write_file(const char *path, const char *data, size_t len, struct berr *e);
// Read up to cap-1 bytes of a small file into buf, NUL-terminated. Returns length or -1 with errno.
ssize_t read_small_file(const char *path, char *buf, size_t cap);
// Send `fd` over a unix socket with SCM_RIGHTS alongside `data`.
int send_fd(int sock, int fd, const void *data, size_t len);
// Receive a message and maybe one fd (-1 when none came). Returns bytes received (0 = EOF) or -1.
ssize_t recv_fd(int sock, void *data, size_t len, int *fd);
int set_nonblock(int fd);

#endif
