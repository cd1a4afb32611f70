// Namespaces: the fork-style clone with CLONE_NEW* flags, setns by path, unshare, and the user namespace id maps.
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "cleanup.h"
#include "io.h"
#include "syscalls.h"

pid_t ns_clone(uint64_t flags, struct berr *e)
{
	pid_t pid = sys_clone((unsigned long)flags);
	if (pid < 0)
		return berr_sys(e, "clone(0x%llx)", (unsigned long long)flags);
	return pid;
}

int ns_join(const char *path, int nstype, struct berr *e)
{
	cleanup_fd int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(e, "open(%s)", path);
	if (setns(fd, nstype) < 0)
		return berr_sys(e, "setns(%s, 0x%x)", path, (unsigned)nstype);
	return 0;
}

int ns_write_map(pid_t pid, const char *file, const char *content, struct berr *e)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	return write_file(path, content, strlen(content), e);
}

// In a new user namespace the child starts as the overflow uid; once the maps exist it can become root there.
int ns_become_root(struct berr *e)
{
	if (setresgid(0, 0, 0) < 0)
		return berr_sys(e, "setresgid(0)");
	if (setresuid(0, 0, 0) < 0)
		return berr_sys(e, "setresuid(0)");
	return 0;
}

int op_setns(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	int64_t nstype;
	if (plan_i64(s, 1, &nstype, e) < 0)
		return -1;
	if (ns_join(s->argv[0], (int)nstype, e) < 0)
		return -1;
	// Joining a mount namespace moves this process's root to that namespace's: in-root paths (an exec's
	// /dev/ptmx) must resolve there, not in the root opened before the join. (Reopened after any join: one open.)
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(e, "open(/) after setns(%s)", s->argv[0]);
	close(c->rootfd);
	c->rootfd = fd;
	return 0;
}

int op_unshare(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	(void)c;
	uint64_t flags;
	if (plan_u64(s, 0, &flags, e) < 0)
		return -1;
	if (unshare((int)flags) < 0)
		return berr_sys(e, "unshare(0x%llx)", (unsigned long long)flags);
	return 0;
}
