// Mounts and filesystem ops inside the container root. Every target is resolved with openat2(RESOLVE_IN_ROOT |
// RESOLVE_NO_MAGICLINKS) against the current root fd, so a symlink planted in an image can never point a mount at the
// host; the mount then goes onto /proc/self/fd/<fd>, the very inode that was resolved (runc's and crun's approach).
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h> // ST_* flag values
#include <sys/sysmacros.h>
#include <unistd.h>

#include "child.h"
#include "cleanup.h"
#include "syscalls.h"

#define RESOLVE_SAFE (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

static void fd_path(char buf[32], int fd)
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
}

// openat2 returns EAGAIN when a rename raced with an in-root lookup; retry a few times.
static int openat2_retry(int rootfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC), .mode = mode, .resolve = RESOLVE_SAFE};
	int fd;
	int tries = 0;
	do
		fd = sys_openat2(rootfd, path, &how);
	while (fd < 0 && errno == EAGAIN && ++tries < 16);
	return fd;
}

int root_open(int rootfd, const char *path, int flags, struct berr *e)
{
	int fd = openat2_retry(rootfd, path, flags, 0);
	if (fd < 0)
		return berr_sys(e, "openat2(%s)", path);
	return fd;
}

// Splits "a/b/c" into "a/b" (in dir) and "c"; "c" -> "/" and "c". Trailing slashes are ignored.
static int split_path(const char *path, char *dir, size_t cap, const char **base, struct berr *e)
{
	size_t n = strlen(path);
	if (n >= cap)
		return berr_set(e, ENAMETOOLONG, "%s: path too long", path);
	memcpy(dir, path, n + 1);
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	char *slash = strrchr(dir, '/');
	if (!slash) {
		*base = path;
		strcpy(dir, "/");
		return 0;
	}
	*base = path + (slash - dir) + 1;
	if (**base == '\0')
		return berr_set(e, EINVAL, "%s: no file name", path);
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	// `base` points into `path`, which may still have trailing slashes; callers only pass it to *at() calls,
	// which accept them for directories and reject them otherwise, as the plain syscalls would.
	return 0;
}

// mkdir -p inside the root. Each prefix is resolved from the root (so symlinks stay inside it) and the missing
// component is created in the directory that prefix resolved to. Returns an O_PATH fd of the final directory.
static int root_mkdir_all(int rootfd, const char *path, mode_t mode, struct berr *e)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);
	if (n >= sizeof buf)
		return berr_set(e, ENAMETOOLONG, "mkdir(%s): path too long", path);
	memcpy(buf, path, n + 1);
	cleanup_fd int cur = openat2_retry(rootfd, "/", O_PATH | O_DIRECTORY, 0);
	if (cur < 0)
		return berr_sys(e, "openat2(/)");
	char *p = buf;
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		char *comp = p;
		while (*p && *p != '/')
			p++;
		char saved = *p;
		*p = '\0';
		int fd = openat2_retry(rootfd, buf, O_PATH | O_DIRECTORY, 0);
		if (fd < 0 && errno == ENOENT) {
			if (mkdirat(cur, comp, mode) < 0 && errno != EEXIST)
				return berr_sys(e, "mkdirat(%s)", buf);
			fd = openat2_retry(rootfd, buf, O_PATH | O_DIRECTORY, 0);
		}
		if (fd < 0)
			return berr_sys(e, "openat2(%s)", buf);
		close(cur);
		cur = fd;
		*p = saved;
	}
	return take_fd(&cur);
}

// The file itself if it exists (any type); else parents 0755 and an empty 0644 file. Returns an O_PATH fd.
static int root_create_file(int rootfd, const char *path, struct berr *e)
{
	int fd = openat2_retry(rootfd, path, O_PATH, 0);
	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		return berr_sys(e, "openat2(%s)", path);
	char dir[PATH_MAX];
	const char *base;
	if (split_path(path, dir, sizeof dir, &base, e) < 0)
		return -1;
	cleanup_fd int dfd = root_mkdir_all(rootfd, dir, 0755, e);
	if (dfd < 0)
		return -1;
	// O_EXCL|O_NOFOLLOW: a dangling symlink in the last component is an error, never followed out of the root.
	int f = openat(dfd, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (f < 0 && errno != EEXIST)
		return berr_sys(e, "openat(%s, O_CREAT)", path);
	if (f >= 0)
		close(f);
	return root_open(rootfd, path, O_PATH, e);
}

int op_mount(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	const char *src = s->argv[0], *target = s->argv[1], *fstype = s->argv[2], *data = s->argv[4];
	const char *create = s->argv[5];
	uint64_t flags;
	if (plan_u64(s, 3, &flags, e) < 0)
		return -1;
	cleanup_fd int fd = -1;
	if (strcmp(create, "dir") == 0)
		fd = root_mkdir_all(c->rootfd, target, 0755, e);
	else if (strcmp(create, "file") == 0)
		fd = root_create_file(c->rootfd, target, e);
	else if (*create == '\0')
		fd = root_open(c->rootfd, target, O_PATH, e);
	else
		return berr_set(e, EINVAL, "plan: MOUNT: invalid create mode \"%s\"", create);
	if (fd < 0)
		return -1;
	char proc[32];
	fd_path(proc, fd);
	if (mount(*src ? src : NULL, proc, *fstype ? fstype : NULL, (unsigned long)flags, *data ? data : NULL) < 0)
		return berr_sys(e, "mount(%s, %s, %s, 0x%llx)", *src ? src : "none", target, *fstype ? fstype : "none",
				(unsigned long long)flags);
	return 0;
}

int op_root_propagation(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	(void)c;
	uint64_t flags;
	if (plan_u64(s, 0, &flags, e) < 0)
		return -1;
	if (mount(NULL, "/", NULL, (unsigned long)flags, NULL) < 0)
		return berr_sys(e, "mount(/, 0x%llx)", (unsigned long long)flags);
	return 0;
}

int op_rootfs(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	const char *path = s->argv[0];
	// A bind mount of the rootfs onto itself makes it a mount point, which pivot_root requires.
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return berr_sys(e, "mount(%s, %s, MS_BIND|MS_REC)", path, path);
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(e, "open(%s)", path);
	close(c->rootfd);
	c->rootfd = fd;
	return 0;
}

int op_mknod(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	const char *path = s->argv[0];
	uint64_t mode, major, minor, uid, gid;
	if (plan_u64(s, 1, &mode, e) < 0 || plan_u64(s, 2, &major, e) < 0 || plan_u64(s, 3, &minor, e) < 0 ||
	    plan_u64(s, 4, &uid, e) < 0 || plan_u64(s, 5, &gid, e) < 0)
		return -1;
	char dir[PATH_MAX];
	const char *base;
	if (split_path(path, dir, sizeof dir, &base, e) < 0)
		return -1;
	cleanup_fd int dfd = root_mkdir_all(c->rootfd, dir, 0755, e);
	if (dfd < 0)
		return -1;
	if (unlinkat(dfd, base, 0) < 0 && errno != ENOENT)
		return berr_sys(e, "unlinkat(%s)", path);
	if (mknodat(dfd, base, (mode_t)mode, makedev(major, minor)) < 0)
		return berr_sys(e, "mknod(%s, 0%llo, %llu:%llu)", path, (unsigned long long)mode,
				(unsigned long long)major, (unsigned long long)minor);
	if (fchownat(dfd, base, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW) < 0)
		return berr_sys(e, "chown(%s, %llu, %llu)", path, (unsigned long long)uid, (unsigned long long)gid);
	return 0;
}

int op_symlink(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	const char *target = s->argv[0], *linkpath = s->argv[1];
	char dir[PATH_MAX];
	const char *base;
	if (split_path(linkpath, dir, sizeof dir, &base, e) < 0)
		return -1;
	cleanup_fd int dfd = root_mkdir_all(c->rootfd, dir, 0755, e);
	if (dfd < 0)
		return -1;
	if (symlinkat(target, dfd, base) < 0 && errno != EEXIST)
		return berr_sys(e, "symlink(%s, %s)", target, linkpath);
	return 0;
}

int op_mkdir(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	uint64_t mode;
	if (plan_u64(s, 1, &mode, e) < 0)
		return -1;
	int fd = root_mkdir_all(c->rootfd, s->argv[0], (mode_t)mode, e);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int op_mask(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	const char *path = s->argv[0];
	cleanup_fd int fd = openat2_retry(c->rootfd, path, O_PATH, 0);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return berr_sys(e, "openat2(%s)", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return berr_sys(e, "fstat(%s)", path);
	char proc[32];
	fd_path(proc, fd);
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", proc, "tmpfs", MS_RDONLY, NULL) < 0)
			return berr_sys(e, "mount(tmpfs, %s, tmpfs, MS_RDONLY)", path);
		return 0;
	}
	if (mount("/dev/null", proc, NULL, MS_BIND, NULL) < 0)
		return berr_sys(e, "mount(/dev/null, %s, MS_BIND)", path);
	return 0;
}

// Mount flags a read-only remount must keep: the kernel refuses to drop locked ones (in a user namespace).
static unsigned long kept_flags(unsigned long f)
{
	unsigned long m = 0;
	if (f & ST_NOSUID)
		m |= MS_NOSUID;
	if (f & ST_NODEV)
		m |= MS_NODEV;
	if (f & ST_NOEXEC)
		m |= MS_NOEXEC;
	if (f & ST_NOATIME)
		m |= MS_NOATIME;
	if (f & ST_NODIRATIME)
		m |= MS_NODIRATIME;
	if (f & ST_RELATIME)
		m |= MS_RELATIME;
	return m;
}

static bool is_root_path(const char *p)
{
	for (; *p; p++)
		if (*p != '/')
			return false;
	return true;
}

int op_readonly(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	const char *path = s->argv[0];
	char proc[32];
	cleanup_fd int fd = openat2_retry(c->rootfd, path, O_PATH, 0);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return berr_sys(e, "openat2(%s)", path);
	// "/" is already a mount (ROOTFS's bind); binding it onto itself would stack a mount the root never sees.
	if (!is_root_path(path)) {
		fd_path(proc, fd);
		if (mount(proc, proc, NULL, MS_BIND | MS_REC, NULL) < 0)
			return berr_sys(e, "mount(%s, %s, MS_BIND|MS_REC)", path, path);
		// Reopen: the old fd still points below the new mount.
		close(fd);
		fd = root_open(c->rootfd, path, O_PATH, e);
		if (fd < 0)
			return -1;
	}
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return berr_sys(e, "statfs(%s)", path);
	fd_path(proc, fd);
	unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | kept_flags((unsigned long)sf.f_flags);
	if (mount(NULL, proc, NULL, flags, NULL) < 0)
		return berr_sys(e, "mount(%s, MS_BIND|MS_REMOUNT|MS_RDONLY)", path);
	return 0;
}
