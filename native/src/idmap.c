// Idmapped bind mounts for remapped containers' image layers: a throwaway child in a new user namespace lends the
// namespace (its maps written from here, as a runtime writes a container's), each layer directory is cloned with
// open_tree, given the idmap with mount_setattr and attached with move_mount. The mounts keep the namespace alive.
#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "io.h"
#include "syscalls.h"

// Ends the lending child: closing its pipe lets it exit, then it is reaped.
struct lender {
	pid_t pid;
	int release;
};

static void cleanup_lenderp(struct lender *l)
{
	if (l->release >= 0)
		close(l->release);
	if (l->pid > 0)
		while (waitpid(l->pid, NULL, 0) < 0 && errno == EINTR)
			;
}

// A user namespace with the given maps, as an fd.
static int userns_fd(const char *uid_map, const char *gid_map, struct berr *e)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return berr_sys(e, "pipe2");
	__attribute__((cleanup(cleanup_lenderp))) struct lender l = {.pid = -1, .release = p[1]};
	cleanup_fd int hold = p[0];
	l.pid = sys_clone(CLONE_NEWUSER);
	if (l.pid < 0)
		return berr_sys(e, "clone(CLONE_NEWUSER)");
	if (l.pid == 0) {
		char c;
		close(p[1]);
		while (read(hold, &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/uid_map", (int)l.pid);
	if (write_file(path, uid_map, strlen(uid_map), e) < 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/gid_map", (int)l.pid);
	if (write_file(path, gid_map, strlen(gid_map), e) < 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)l.pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(e, "open(%s)", path);
	return fd;
}

static int idmap_one(int userns, const char *src, const char *dst, struct berr *e)
{
	cleanup_fd int tree = sys_open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return berr_sys(e, "open_tree(%s, OPEN_TREE_CLONE)", src);
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (unsigned long long)userns};
	if (sys_mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
		return berr_sys(e, "mount_setattr(%s, MOUNT_ATTR_IDMAP)", src);
	if (sys_move_mount(tree, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return berr_sys(e, "move_mount(%s, %s)", src, dst);
	return 0;
}

int idmap_mount_main(int argc, char **argv)
{
	struct berr e = {.step = -1};
	if (argc < 6 || (argc - 4) % 2 != 0) {
		fprintf(stderr, "usage: berth-helper idmap-mount <uid_map> <gid_map> <src> <dst> [<src> <dst>...]\n");
		return 2;
	}
	cleanup_fd int userns = userns_fd(argv[2], argv[3], &e);
	if (userns < 0)
		goto fail;
	for (int i = 4; i + 1 < argc; i += 2)
		if (idmap_one(userns, argv[i], argv[i + 1], &e) < 0)
			goto fail;
	return 0;
fail:
	fprintf(stderr, "error %d %s\n", e.err, e.msg);
	return 1;
}
