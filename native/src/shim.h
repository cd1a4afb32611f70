// The shim: configuration from the plan's shim ops, the create handshake (create.c) and the event loop (shim.c).
#ifndef BERTH_SHIM_H
#define BERTH_SHIM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "child.h"
#include "error.h"
#include "log.h"
#include "plan.h"

#define LAUNCHER_FD 3

struct shim_config {
	enum stdio_mode stdio;
	bool open_stdin;
	const char *log_path;
	uint64_t log_max_size;
	unsigned log_max_files;
	int log_step;
	const char *socket_path;
	int socket_step;
	const char *exit_path;
	const char *console_socket;
	int console_socket_step;
	const char *oom_path, *oom_key;
	const char *uid_map, *gid_map;
	int uid_map_step, gid_map_step;
	const char *join_pidns;
	int join_pidns_step;
	// JOIN_NET_NS: the network namespace the child is cloned in (the shim joins it around the clone only)
	const char *join_netns;
	int join_netns_step;
	uint64_t clone_flags;
	int clone_step;
	bool start_gate;
	// ADOPT: the child is a launcher; its pid file names the process to adopt (adopt.c)
	const char *adopt_pid_file, *adopt_console, *adopt_launcher;
	int adopt_step;
};

// The running container as the event loop sees it. Unused fds are -1.
struct container {
	pid_t pid;
	int sync;   // to the child: open while the start gate is closed or a start is in flight
	int out;    // stdout pipe, or the pty master
	int err;    // stderr pipe
	int in;     // stdin: pipe write end, or a dup of the pty master
	int pty;    // pty master, for resize
	int listen; // control socket
	int sigfd;  // SIGCHLD
	int console_listen; // ADOPT with a console socket: where the launcher sends the pty master
	bool oom_known;
	uint64_t oom_before;
};

int shim_main(void);
// create.c: a listening unix socket at `path` (unlinked first), non-blocking and close-on-exec.
int listen_socket(const char *path, struct berr *e);
// adopt.c: listen on the console socket before the launcher runs; after its exit (status as from waitpid), take
// the pid from the pid file (and the pty) as the container's process. adopt_wait reaps the launcher first.
int adopt_listen(const struct shim_config *cfg, struct container *ct, struct berr *e);
int adopt_finish(const struct shim_config *cfg, struct container *ct, int status, struct berr *e);
int adopt_wait(const struct shim_config *cfg, struct container *ct, struct berr *e);
// Runs until the container has exited and everything is written; returns the shim's exit code.
int shim_loop(const struct shim_config *cfg, struct container *ct, struct json_log *log);
// Reads `key value` from an OOM counter file (memory.oom_control, memory.events).
int oom_read(const char *path, const char *key, uint64_t *v);

#endif
