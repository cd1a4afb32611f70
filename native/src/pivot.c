// pivot_root into the rootfs without a temporary directory (pivot_root(2)'s "." "." idiom, as runc does).
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "child.h"
#include "syscalls.h"

int op_pivot_root(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	(void)s;
	if (fchdir(c->rootfd) < 0)
		return berr_sys(e, "fchdir(rootfs)");
	// The old root ends up stacked on top of the new one at "/"; "." below resolves to it.
	if (sys_pivot_root(".", ".") < 0)
		return berr_sys(e, "pivot_root(., .)");
	// Slave first, so the detach below cannot propagate unmounts back to the host.
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return berr_sys(e, "mount(old root, MS_SLAVE|MS_REC)");
	if (umount2(".", MNT_DETACH) < 0)
		return berr_sys(e, "umount2(old root, MNT_DETACH)");
	if (chdir("/") < 0)
		return berr_sys(e, "chdir(/)");
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(e, "open(/)");
	close(c->rootfd);
	c->rootfd = fd;
	return 0;
}
