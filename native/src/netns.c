// Network namespaces made ahead of the container (the CNI model, as `ip netns add` and CNI's testutils do it):
// unshare a network namespace, bring `lo` up, pin it by bind-mounting /proc/self/ns/net onto a file. The bind mount
// lives in the caller's mount namespace (make_private_mount keeps it from propagating further); the helper is a
// short-lived process, so the namespace is held by the mount alone.
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cleanup.h"

// Unlinks the file unless the pointer was cleared (the file is kept once it is a mount point).
static void cleanup_unlinkp(const char **path)
{
	if (*path) {
		int saved = errno;
		unlink(*path);
		errno = saved;
	}
}

// Undoes a bind mount unless the pointer was cleared.
static void cleanup_umountp(const char **path)
{
	if (*path) {
		int saved = errno;
		umount2(*path, MNT_DETACH);
		errno = saved;
	}
}

#define cleanup_unlink __attribute__((cleanup(cleanup_unlinkp)))
#define cleanup_umount __attribute__((cleanup(cleanup_umountp)))

// SIOCSIFFLAGS with IFF_UP; the kernel then gives lo 127.0.0.1/8 and ::1.
int loopback_up(struct berr *e)
{
	cleanup_fd int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berr_sys(e, "socket(AF_INET, SOCK_DGRAM)");
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return berr_sys(e, "ioctl(lo, SIOCGIFFLAGS)");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return berr_sys(e, "ioctl(lo, SIOCSIFFLAGS)");
	return 0;
}

// The mount point: a new empty file, or an existing one left by a crash, unless that is still a namespace (a second
// bind on top would survive the next delete).
static int open_mount_point(const char *path, const char **made, struct berr *e)
{
	int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd >= 0) {
		*made = path;
		return fd;
	}
	if (errno != EEXIST)
		return berr_sys(e, "open(%s, O_CREAT)", path);
	cleanup_fd int old = open(path, O_RDONLY | O_CLOEXEC);
	if (old < 0)
		return berr_sys(e, "open(%s)", path);
	struct statfs st;
	if (fstatfs(old, &st) < 0)
		return berr_sys(e, "fstatfs(%s)", path);
	if (st.f_type == NSFS_MAGIC)
		return berr_set(e, EEXIST, "%s: already a network namespace mount", path);
	return take_fd(&old);
}

int netns_create(const char *path, struct berr *e)
{
	// The file first: a bad path fails before the kernel builds a namespace.
	cleanup_unlink const char *made = NULL;
	cleanup_fd int fd = open_mount_point(path, &made, e);
	if (fd < 0)
		return -1;
	if (unshare(CLONE_NEWNET) < 0)
		return berr_sys(e, "unshare(CLONE_NEWNET)");
	if (loopback_up(e) < 0)
		return -1;
	// Onto the inode just opened, not whatever the path names by now. Last, so a joiner never sees lo down.
	char target[32];
	snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
	if (mount("/proc/self/ns/net", target, NULL, MS_BIND, NULL) < 0)
		return berr_sys(e, "mount(/proc/self/ns/net, %s, MS_BIND)", path);
	made = NULL;
	return 0;
}

// The unlink also detaches the copies of the mount that mount namespaces cloned since then hold (Linux >= 3.18), so
// none of them keeps the namespace alive.
int netns_delete(const char *path, struct berr *e)
{
	// EINVAL: not a mount point (a create that failed half-way, or a second delete).
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
		return berr_sys(e, "umount2(%s, MNT_DETACH)", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return berr_sys(e, "unlink(%s)", path);
	return 0;
}

int make_private_mount(const char *dir, struct berr *e)
{
	// EINVAL: not a mount point yet. Once it is one (an earlier daemon run), making it private again is a no-op.
	if (mount(NULL, dir, NULL, MS_PRIVATE, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return berr_sys(e, "mount(%s, MS_PRIVATE)", dir);
	// MS_REC carries over namespaces already mounted in the directory.
	if (mount(dir, dir, NULL, MS_BIND | MS_REC, NULL) < 0)
		return berr_sys(e, "mount(%s, %s, MS_BIND|MS_REC)", dir, dir);
	cleanup_umount const char *bound = dir;
	if (mount(NULL, dir, NULL, MS_PRIVATE, NULL) < 0)
		return berr_sys(e, "mount(%s, MS_PRIVATE)", dir);
	bound = NULL;
	return 0;
}

int netns_command(int (*fn)(const char *, struct berr *), const char *path)
{
	struct berr e = {.step = -1};
	if (fn(path, &e) == 0)
		return 0;
	fprintf(stderr, "error %d %s\n", e.err, e.msg);
	return 1;
}
