// The container child: its state while it runs the plan's child ops, the ops themselves (ns.c, mount.c, pivot.c,
// exec.c) and the messages it sends the shim.
#ifndef BERTH_CHILD_H
#define BERTH_CHILD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "plan.h"

// child -> shim, one SOCK_SEQPACKET record each. The shim -> child direction is single bytes: SYNC_GO_* below.
enum sync_kind { SYNC_READY = 1, SYNC_ERROR = 2, SYNC_CONSOLE = 3 };
struct sync_msg {
	int32_t kind;
	int32_t step;
	int32_t err;
	char msg[480];
};
#define SYNC_GO_RELEASE 'r' // cgroup.procs and id maps are written
#define SYNC_GO_START 's'   // the start gate is open

enum stdio_mode { STDIO_INHERIT, STDIO_PIPES, STDIO_PTY };

// What the shim hands the child at clone time (a copy: the clone is fork-like).
struct child_args {
	const struct plan *plan;
	int sync;          // child end of the sync socketpair
	int stdio[3];      // fds to become 0/1/2, -1 = keep
	int close_fds[8];  // shim-side fds to close first (-1: unused)
	uint64_t clone_flags;
	int clone_step;
	bool gate;
};

struct child_ctx {
	int rootfd; // root for in-root resolution: "/" before ROOTFS and after PIVOT_ROOT, the rootfs in between
	int sync;
	bool gate;
	char **envp;
};

_Noreturn void child_main(const struct child_args *a);
// Report a failure to the shim (best effort: if the shim is gone nobody is listening anyway).
void child_report_error(int sync, const struct berr *e);

typedef int (*child_op_fn)(struct child_ctx *c, const struct plan_step *s, struct berr *e);

// ns.c
int op_setns(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_unshare(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int ns_join(const char *path, int nstype, struct berr *e);
pid_t ns_clone(uint64_t flags, struct berr *e);
int ns_write_map(pid_t pid, const char *file, const char *content, struct berr *e);
int ns_become_root(struct berr *e);

// mount.c
int root_open(int rootfd, const char *path, int flags, struct berr *e);
int op_mount(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_root_propagation(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_rootfs(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_mknod(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_symlink(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_mkdir(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_mask(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_readonly(struct child_ctx *c, const struct plan_step *s, struct berr *e);

// pivot.c
int op_pivot_root(struct child_ctx *c, const struct plan_step *s, struct berr *e);

// exec.c
int op_sysctl(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_hostname(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_loopback(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_domainname(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_rlimit(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_oom_score_adj(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_cap_bounding(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_user(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_caps(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_cap_ambient(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_no_new_privs(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_seccomp(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_chdir(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_console(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_env(struct child_ctx *c, const struct plan_step *s, struct berr *e);
int op_exec(struct child_ctx *c, const struct plan_step *s, struct berr *e);

#endif
