// The process half of the plan: sysctls, hostname, limits, capabilities, user, seccomp, console, and the execve
// with PATH resolution and the ready/start handshake with the shim.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <grp.h>

#include "child.h"
#include "netns.h"
#include "cleanup.h"
#include "io.h"
#include "syscalls.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int op_sysctl(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	const char *key = s->argv[0], *value = s->argv[1];
	char path[PATH_MAX];
	int n = snprintf(path, sizeof path, "/proc/sys/%s", key);
	if (n < 0 || (size_t)n >= sizeof path)
		return berr_set(e, ENAMETOOLONG, "sysctl %s: key too long", key);
	// "net.ipv4.ip_forward" names /proc/sys/net/ipv4/ip_forward; a key already in "/" form (as sysctl(8) allows,
	// for names with dots such as interface "eth0.100") is used as is.
	if (!strchr(key, '/'))
		for (char *p = path + strlen("/proc/sys/"); *p; p++)
			if (*p == '.')
				*p = '/';
	cleanup_fd int fd = root_open(c->rootfd, path, O_WRONLY, e);
	if (fd < 0)
		return -1;
	if (write(fd, value, strlen(value)) < 0)
		return berr_sys(e, "write(%s)", path);
	return 0;
}

int op_hostname(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	(void)c;
	if (sethostname(s->argv[0], strlen(s->argv[0])) < 0)
		return berr_sys(e, "sethostname(%s)", s->argv[0]);
	return 0;
}

// A new network namespace starts with lo down; runc brings it up too (its "loopback" network for NEWNET).
int op_loopback(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	(void)c;
	(void)s;
	return loopback_up(e);
}

int op_domainname(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	(void)c;
	if (setdomainname(s->argv[0], strlen(s->argv[0])) < 0)
		return berr_sys(e, "setdomainname(%s)", s->argv[0]);
	return 0;
}

static int rlim_arg(const struct plan_step *s, uint32_t i, rlim_t *v, struct berr *e)
{
	uint64_t u;
	if (strcmp(s->argv[i], "-1") == 0) {
		*v = RLIM_INFINITY;
		return 0;
	}
	if (plan_u64(s, i, &u, e) < 0)
		return -1;
	*v = (rlim_t)u;
	return 0;
}

int op_rlimit(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	(void)c;
	uint64_t res;
	struct rlimit rl;
	if (plan_u64(s, 0, &res, e) < 0 || rlim_arg(s, 1, &rl.rlim_cur, e) < 0 || rlim_arg(s, 2, &rl.rlim_max, e) < 0)
		return -1;
	if (prlimit(0, (int)res, &rl, NULL) < 0)
		return berr_sys(e, "prlimit(%llu, %s, %s)", (unsigned long long)res, s->argv[1], s->argv[2]);
	return 0;
}

int op_oom_score_adj(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	(void)c;
	return write_file("/proc/self/oom_score_adj", s->argv[0], strlen(s->argv[0]), e);
}

int op_cap_bounding(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	(void)c;
	uint64_t keep;
	if (plan_u64(s, 0, &keep, e) < 0)
		return -1;
	// PR_CAPBSET_READ fails with EINVAL past cap_last_cap: no need to read /proc/sys/kernel/cap_last_cap.
	for (int cap = 0; cap < 64 && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
		if (keep & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return berr_sys(e, "prctl(PR_CAPBSET_DROP, %d)", cap);
	}
	return 0;
}

// Like runc: hand the container user its stdio (pipes, pty) unless it is /dev/null or already theirs, so it can
// reopen /dev/stdout. Failures from unmapped owners or a read-only /dev are not worth failing the container for.
static void fix_stdio_owner(uid_t uid)
{
	struct stat null;
	bool have_null = stat("/dev/null", &null) == 0;
	for (int fd = 0; fd < 3; fd++) {
		struct stat st;
		if (fstat(fd, &st) < 0 || st.st_uid == uid || (have_null && st.st_rdev == null.st_rdev))
			continue;
		if (fchown(fd, uid, st.st_gid) < 0)
			continue; // tolerated, see above
	}
}

int op_user(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	(void)c;
	uint64_t uid, gid;
	if (plan_u64(s, 0, &uid, e) < 0 || plan_u64(s, 1, &gid, e) < 0)
		return -1;
	const char *list = s->argv[2];
	size_t n = *list ? 1 : 0;
	for (const char *p = list; *p; p++)
		n += *p == ',';
	cleanup_free gid_t *gids = malloc((n ? n : 1) * sizeof(gid_t));
	if (!gids)
		return berr_sys(e, "malloc");
	char tmp[24];
	const char *p = list;
	for (size_t i = 0; i < n; i++) {
		size_t len = strcspn(p, ",");
		uint64_t g;
		if (len >= sizeof tmp)
			return berr_set(e, EINVAL, "plan: USER: invalid gid list \"%s\"", list);
		memcpy(tmp, p, len);
		tmp[len] = '\0';
		if (parse_u64(tmp, &g) < 0)
			return berr_set(e, EINVAL, "plan: USER: invalid gid list \"%s\"", list);
		gids[i] = (gid_t)g;
		p += len + (p[len] == ',');
	}
	fix_stdio_owner((uid_t)uid);
	if (setgroups(n, gids) < 0)
		return berr_sys(e, "setgroups(%s)", list);
	// Keep the permitted set across the uid change; CAPS sets the final sets next.
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return berr_sys(e, "prctl(PR_SET_KEEPCAPS, 1)");
	if (setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) < 0)
		return berr_sys(e, "setresgid(%llu)", (unsigned long long)gid);
	if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) < 0)
		return berr_sys(e, "setresuid(%llu)", (unsigned long long)uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return berr_sys(e, "prctl(PR_SET_KEEPCAPS, 0)");
	return 0;
}

int op_caps(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	(void)c;
	uint64_t eff, perm, inh;
	if (plan_u64(s, 0, &eff, e) < 0 || plan_u64(s, 1, &perm, e) < 0 || plan_u64(s, 2, &inh, e) < 0)
		return -1;
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2] = {
		{.effective = (uint32_t)eff, .permitted = (uint32_t)perm, .inheritable = (uint32_t)inh},
		{.effective = (uint32_t)(eff >> 32), .permitted = (uint32_t)(perm >> 32),
		 .inheritable = (uint32_t)(inh >> 32)},
	};
	if (sys_capset(&hdr, data) < 0)
		return berr_sys(e, "capset(effective 0x%llx, permitted 0x%llx, inheritable 0x%llx)",
				(unsigned long long)eff, (unsigned long long)perm, (unsigned long long)inh);
	return 0;
}

int op_cap_ambient(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	(void)c;
	uint64_t mask;
	if (plan_u64(s, 0, &mask, e) < 0)
		return -1;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return berr_sys(e, "prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
	for (int cap = 0; cap < 64; cap++)
		if ((mask & (1ULL << cap)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			return berr_sys(e, "prctl(PR_CAP_AMBIENT_RAISE, %d)", cap);
	return 0;
}

int op_no_new_privs(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	(void)c;
	(void)s;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return berr_sys(e, "prctl(PR_SET_NO_NEW_PRIVS)");
	return 0;
}

int op_seccomp(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	(void)c;
	uint64_t flags;
	if (plan_u64(s, 1, &flags, e) < 0)
		return -1;
	uint32_t len = s->len[0];
	if (len == 0 || len % sizeof(struct sock_filter) != 0 || len / sizeof(struct sock_filter) > USHRT_MAX)
		return berr_set(e, EINVAL, "seccomp: program of %u bytes is not a whole number of instructions", len);
	// Plan arguments are 8-byte aligned, so the program can be used in place.
	struct sock_fprog prog = {.len = (unsigned short)(len / sizeof(struct sock_filter)),
				  .filter = (struct sock_filter *)(void *)s->argv[0]};
	if (sys_seccomp(SECCOMP_SET_MODE_FILTER, (unsigned)flags, &prog) < 0)
		return berr_sys(e, "seccomp(SECCOMP_SET_MODE_FILTER, 0x%llx, %u instructions)", (unsigned long long)flags,
				prog.len);
	return 0;
}

int op_chdir(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	(void)c;
	if (chdir(s->argv[0]) < 0)
		return berr_sys(e, "chdir(%s)", s->argv[0]);
	return 0;
}

int op_console(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	uint64_t rows, cols;
	if (plan_u64(s, 0, &rows, e) < 0 || plan_u64(s, 1, &cols, e) < 0)
		return -1;
	cleanup_fd int master = root_open(c->rootfd, "/dev/ptmx", O_RDWR | O_NOCTTY, e);
	if (master < 0)
		return -1;
	int unlock = 0;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return berr_sys(e, "ioctl(/dev/ptmx, TIOCSPTLCK)");
	// TIOCGPTPEER opens the slave through the master's own devpts: no path lookup to race or redirect.
	cleanup_fd int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return berr_sys(e, "ioctl(/dev/ptmx, TIOCGPTPEER)");
	if (rows && cols) {
		struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			return berr_sys(e, "ioctl(pty, TIOCSWINSZ)");
	}
	if (setsid() < 0)
		return berr_sys(e, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return berr_sys(e, "ioctl(pty, TIOCSCTTY)");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return berr_sys(e, "dup2(pty, %d)", fd);
	struct sync_msg m = {.kind = SYNC_CONSOLE};
	if (send_fd(c->sync, master, &m, sizeof m) < 0)
		return berr_sys(e, "sendmsg(pty master)");
	return 0;
}

int op_env(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	(void)e;
	c->envp = s->argv;
	return 0;
}

static const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);
	for (; *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

// 0 when `path` is an executable file; else ENOENT (nothing there) or EACCES (there but not runnable).
static int check_exec(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return errno == EACCES ? EACCES : ENOENT;
	if (S_ISDIR(st.st_mode))
		return EACCES;
	if (faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0)
		return EACCES;
	return 0;
}

// execvp's search: the first executable candidate wins; EACCES if only unrunnable ones exist.
static int resolve(const char *file, char *const *envp, char *out, size_t cap, struct berr *e)
{
	if (strchr(file, '/')) {
		int r = check_exec(file);
		if (r == ENOENT)
			return berr_set(e, ENOENT, "exec: \"%s\": stat %s: no such file or directory", file, file);
		if (r)
			return berr_set(e, EACCES, "exec: \"%s\": permission denied", file);
		snprintf(out, cap, "%s", file);
		return 0;
	}
	const char *path = env_get(envp, "PATH");
	if (!path)
		path = DEFAULT_PATH;
	bool denied = false;
	while (*file && *path) {
		size_t len = strcspn(path, ":");
		int n = snprintf(out, cap, "%.*s/%s", (int)(len ? len : 1), len ? path : ".", file);
		if (n > 0 && (size_t)n < cap) {
			int r = check_exec(out);
			if (r == 0)
				return 0;
			denied |= r == EACCES;
		}
		path += len + (path[len] == ':');
	}
	if (denied)
		return berr_set(e, EACCES, "exec: \"%s\": permission denied", file);
	return berr_set(e, ENOENT, "exec: \"%s\": executable file not found in $PATH", file);
}

int op_exec(struct child_ctx *c, const struct plan_step *s, struct berr *e)
{
	const char *file = s->argv[0];
	char path[PATH_MAX];
	if (resolve(file, c->envp, path, sizeof path, e) < 0)
		return -1;
	struct sync_msg m = {.kind = SYNC_READY};
	if (send(c->sync, &m, sizeof m, MSG_NOSIGNAL) < 0)
		_exit(125); // the shim is gone: nobody to run for
	if (c->gate) {
		char b;
		ssize_t n;
		do
			n = read(c->sync, &b, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1 || b != SYNC_GO_START)
			_exit(125);
	}
	umask(022); // the plan's modes were applied with umask 0; the container gets runc's default
	execve(path, &s->argv[1], c->envp);
	int err = errno;
	if (err == EACCES)
		berr_set(e, err, "exec: \"%s\": permission denied", file);
	else
		berr_set(e, err, "exec: \"%s\": %s", file, strerror(err));
	child_report_error(c->sync, e);
	_exit(err == ENOENT ? 127 : 126);
}
