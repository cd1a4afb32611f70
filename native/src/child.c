// The container child: set up stdio, wait for the shim's release, run the child ops in plan order, report the first
// failure. op_exec never returns on success.
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"

static child_op_fn child_op(enum plan_op op)
{
	switch (op) {
	case PLAN_SETNS: return op_setns;
	case PLAN_UNSHARE: return op_unshare;
	case PLAN_MOUNT: return op_mount;
	case PLAN_ROOT_PROPAGATION: return op_root_propagation;
	case PLAN_ROOTFS: return op_rootfs;
	case PLAN_MKNOD: return op_mknod;
	case PLAN_SYMLINK: return op_symlink;
	case PLAN_MKDIR: return op_mkdir;
	case PLAN_PIVOT_ROOT: return op_pivot_root;
	case PLAN_MASK: return op_mask;
	case PLAN_READONLY: return op_readonly;
	case PLAN_SYSCTL: return op_sysctl;
	case PLAN_HOSTNAME: return op_hostname;
	case PLAN_LOOPBACK: return op_loopback;
	case PLAN_DOMAINNAME: return op_domainname;
	case PLAN_RLIMIT: return op_rlimit;
	case PLAN_OOM_SCORE_ADJ: return op_oom_score_adj;
	case PLAN_CAP_BOUNDING: return op_cap_bounding;
	case PLAN_USER: return op_user;
	case PLAN_CAPS: return op_caps;
	case PLAN_CAP_AMBIENT: return op_cap_ambient;
	case PLAN_NO_NEW_PRIVS: return op_no_new_privs;
	case PLAN_SECCOMP: return op_seccomp;
	case PLAN_CHDIR: return op_chdir;
	case PLAN_CONSOLE: return op_console;
	case PLAN_ENV: return op_env;
	case PLAN_EXEC: return op_exec;
	default: return NULL;
	}
}

void child_report_error(int sync, const struct berr *e)
{
	struct sync_msg m = {.kind = SYNC_ERROR, .step = e->step, .err = e->err};
	snprintf(m.msg, sizeof m.msg, "%s", e->msg);
	while (send(sync, &m, sizeof m, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

static _Noreturn void fail(int sync, struct berr *e)
{
	child_report_error(sync, e);
	_exit(125);
}

_Noreturn void child_main(const struct child_args *a)
{
	struct berr e = {.step = -1};
	for (size_t i = 0; i < sizeof a->close_fds / sizeof a->close_fds[0]; i++)
		if (a->close_fds[i] >= 0)
			close(a->close_fds[i]);
	// The shim blocks SIGCHLD and ignores SIGPIPE; both survive execve, so give the container the defaults.
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	umask(0); // modes in the plan are meant exactly
	for (int fd = 0; fd < 3; fd++) {
		int src = a->stdio[fd];
		if (src < 0)
			continue;
		// dup2 onto itself would keep O_CLOEXEC and lose the fd at execve.
		if (src == fd ? fcntl(fd, F_SETFD, 0) < 0 : dup2(src, fd) < 0) {
			berr_sys(&e, "dup2(%d, %d)", src, fd);
			fail(a->sync, &e);
		}
	}
	char go;
	ssize_t n;
	do
		n = read(a->sync, &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1 || go != SYNC_GO_RELEASE)
		_exit(125); // the shim failed after clone and has reported it already
	e.step = a->clone_step;
	if ((a->clone_flags & CLONE_NEWUSER) && ns_become_root(&e) < 0)
		fail(a->sync, &e);

	char *no_env[] = {NULL};
	struct child_ctx c = {.rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), .sync = a->sync, .gate = a->gate,
			      .envp = no_env};
	if (c.rootfd < 0) {
		berr_sys(&e, "open(/)");
		fail(a->sync, &e);
	}
	for (size_t i = 0; i < a->plan->n; i++) {
		const struct plan_step *s = &a->plan->steps[i];
		if (s->op < PLAN_FIRST_CHILD_OP)
			continue;
		e.step = (int)i;
		child_op_fn fn = child_op(s->op);
		if (!fn) {
			berr_set(&e, EINVAL, "plan: %s is not a child op", plan_op_name(s->op));
			fail(a->sync, &e);
		}
		if (fn(&c, s, &e) < 0)
			fail(a->sync, &e);
	}
	berr_set(&e, EINVAL, "plan: no EXEC op");
	fail(a->sync, &e);
}
