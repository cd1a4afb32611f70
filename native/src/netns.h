// Network namespaces made ahead of the container (the CNI model): created with loopback up and pinned by a bind mount
// on a file, which the container then joins by path (docs/helper-protocol.md, "Network namespaces").
#ifndef BERTH_NETNS_H
#define BERTH_NETNS_H

#include "error.h"

// New network namespace, `lo` up, bind-mounted onto `path` (made 0444; parents must exist).
int netns_create(const char *path, struct berr *e);
// Unmount and remove `path`; not mounted or missing is fine.
int netns_delete(const char *path, struct berr *e);
// Make `dir` a private mount (bound onto itself first if it is not a mount point), so what is mounted in it does not
// propagate to the parent mount's peers, e.g. the host's mount namespace when berthd runs in a copy of it.
int make_private_mount(const char *dir, struct berr *e);
// Brings `lo` up in the current network namespace (ioctl SIOCSIFFLAGS).
int loopback_up(struct berr *e);
// Runs one of the above as a command: on failure prints `error <errno> <message>` on stderr. Returns the exit status.
int netns_command(int (*fn)(const char *, struct berr *), const char *path);

#endif
