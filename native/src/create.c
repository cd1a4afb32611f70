// `berth-helper shim`, up to the reply: read the plan from fd 3, apply the shim ops, clone the child, place it
// (cgroups, id maps), release it, wait for `ready` or its first failure, answer `ok <pid>` / `error ...` on fd 3.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"
#include "shim.h"
#include "syscalls.h"

static int config_from_plan(const struct plan *p, struct shim_config *c, struct berr *e)
{
	memset(c, 0, sizeof *c);
	c->stdio = STDIO_INHERIT;
	c->log_step = c->socket_step = c->console_socket_step = c->uid_map_step = c->gid_map_step = -1;
	c->join_pidns_step = c->join_netns_step = c->clone_step = -1;
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_step *s = &p->steps[i];
		uint64_t v;
		e->step = (int)i;
		switch (s->op) {
		case PLAN_STDIO:
			if (strcmp(s->argv[0], "inherit") == 0)
				c->stdio = STDIO_INHERIT;
			else if (strcmp(s->argv[0], "pipes") == 0)
				c->stdio = STDIO_PIPES;
			else if (strcmp(s->argv[0], "pty") == 0)
				c->stdio = STDIO_PTY;
			else
				return berr_set(e, EINVAL, "plan: STDIO: invalid mode \"%s\"", s->argv[0]);
			if (plan_u64(s, 1, &v, e) < 0)
				return -1;
			c->open_stdin = v != 0;
			break;
		case PLAN_LOG:
			c->log_path = s->argv[0];
			c->log_step = (int)i;
			if (plan_u64(s, 1, &c->log_max_size, e) < 0 || plan_u64(s, 2, &v, e) < 0)
				return -1;
			c->log_max_files = v < 1 ? 1 : (unsigned)v;
			break;
		case PLAN_SOCKET:
			c->socket_path = s->argv[0];
			c->socket_step = (int)i;
			break;
		case PLAN_EXIT_FILE:
			c->exit_path = s->argv[0];
			break;
		case PLAN_CONSOLE_SOCKET:
			c->console_socket = s->argv[0];
			c->console_socket_step = (int)i;
			break;
		case PLAN_OOM_COUNTER:
			c->oom_path = s->argv[0];
			c->oom_key = s->argv[1];
			break;
		case PLAN_UID_MAP:
			c->uid_map = s->argv[0];
			c->uid_map_step = (int)i;
			break;
		case PLAN_GID_MAP:
			c->gid_map = s->argv[0];
			c->gid_map_step = (int)i;
			break;
		case PLAN_JOIN_PID_NS:
			c->join_pidns = s->argv[0];
			c->join_pidns_step = (int)i;
			break;
		case PLAN_JOIN_NET_NS:
			c->join_netns = s->argv[0];
			c->join_netns_step = (int)i;
			break;
		case PLAN_CLONE:
			if (plan_u64(s, 0, &c->clone_flags, e) < 0)
				return -1;
			c->clone_step = (int)i;
			break;
		case PLAN_START_GATE:
			c->start_gate = true;
			break;
		case PLAN_ADOPT:
			c->adopt_pid_file = s->argv[0];
			c->adopt_console = s->argv[1];
			c->adopt_launcher = s->argv[2];
			c->adopt_step = (int)i;
			break;
		default: // CGROUP_PROCS is applied after clone; child ops are the child's
			break;
		}
	}
	e->step = -1;
	return 0;
}

// Field 22 of /proc/<pid>/stat (start time in clock ticks): the launcher records it so that a recycled pid is never
// taken for the container. "0" when it cannot be read (the launcher then reads it itself).
static const char *start_time(pid_t pid)
{
	static char value[32];
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return "0";
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return "0";
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	// After the command name: state is field 3; the start time is 19 fields further.
	for (int field = 2; p != NULL && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p + 1, "%31[0-9]", value) != 1)
		return "0";
	return value;
}

static void reply(const char *line)
{
	write_all(LAUNCHER_FD, line, strlen(line));
}

static void reply_error(const struct berr *e)
{
	char line[sizeof e->msg + 64];
	snprintf(line, sizeof line, "error %d %d %s\n", e->step, e->err, e->msg);
	reply(line);
}

int listen_socket(const char *path, struct berr *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof sa.sun_path)
		return berr_set(e, ENAMETOOLONG, "socket %s: path longer than %zu bytes", path, sizeof sa.sun_path - 1);
	strcpy(sa.sun_path, path);
	cleanup_fd int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return berr_sys(e, "socket(AF_UNIX)");
	if (unlink(path) < 0 && errno != ENOENT)
		return berr_sys(e, "unlink(%s)", path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return berr_sys(e, "bind(%s)", path);
	if (listen(fd, 64) < 0)
		return berr_sys(e, "listen(%s)", path);
	return take_fd(&fd);
}

static int send_console(const char *path, int master, struct berr *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof sa.sun_path)
		return berr_set(e, ENAMETOOLONG, "console socket %s: path too long", path);
	strcpy(sa.sun_path, path);
	cleanup_fd int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berr_sys(e, "socket(AF_UNIX)");
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return berr_sys(e, "connect(%s)", path);
	if (send_fd(fd, master, "/dev/ptmx", strlen("/dev/ptmx")) < 0)
		return berr_sys(e, "sendmsg(%s)", path);
	return 0;
}

// fds 0-2 must be open before pipes are made, or a pipe could land on 0-2 and be clobbered by the child's dup2s.
static void ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			int n = open("/dev/null", O_RDWR);
			if (n >= 0 && n != fd) {
				dup2(n, fd);
				close(n);
			}
		}
}

static void describe_status(char *buf, size_t cap, int st)
{
	if (WIFSIGNALED(st))
		snprintf(buf, cap, "killed by signal %d", WTERMSIG(st));
	else
		snprintf(buf, cap, "exit status %d", WEXITSTATUS(st));
}

// Both ends of every channel between the shim and the child, until clone splits them.
struct fds {
	int sync[2], in[2], out[2], err[2], devnull;
};

static void close_pair(int p[2], int which)
{
	if (p[which] >= 0)
		close(p[which]);
	p[which] = -1;
}

#define LAUNCHER_GONE (-2)

// Waits for the child's verdict. Returns 0 (ready; for an ungated plan also: execve done), -1 with e filled, or
// LAUNCHER_GONE when fd 3 closed first (nobody is left to answer).
static int await_child(const struct shim_config *cfg, struct container *ct, struct berr *e)
{
	bool ready = false;
	for (;;) {
		struct pollfd pf[2] = {{.fd = ct->sync, .events = POLLIN}, {.fd = LAUNCHER_FD, .events = POLLIN}};
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return berr_sys(e, "poll");
		}
		if (pf[1].revents) {
			char b;
			if (read(LAUNCHER_FD, &b, 1) <= 0)
				return LAUNCHER_GONE;
		}
		if (!pf[0].revents)
			continue;
		struct sync_msg m;
		int fd;
		ssize_t n = recv_fd(ct->sync, &m, sizeof m, &fd);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berr_sys(e, "recvmsg(sync)");
		if (n == 0) {
			if (ready)
				return 0; // the CLOEXEC sync fd closed: execve succeeded
			int st = 0;
			waitpid(ct->pid, &st, 0);
			ct->pid = -1;
			char why[64];
			describe_status(why, sizeof why, st);
			e->step = -1;
			return berr_set(e, 0, "container init exited before it was ready (%s)", why);
		}
		if ((size_t)n < sizeof m) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		switch (m.kind) {
		case SYNC_CONSOLE:
			if (fd >= 0 && ct->pty < 0)
				ct->pty = fd;
			else if (fd >= 0)
				close(fd);
			break;
		case SYNC_ERROR:
			e->step = m.step;
			e->err = m.err;
			m.msg[sizeof m.msg - 1] = '\0';
			snprintf(e->msg, sizeof e->msg, "%s", m.msg);
			return -1;
		case SYNC_READY:
			ready = true;
			if (cfg->start_gate)
				return 0;
			break;
		default:
			if (fd >= 0)
				close(fd);
		}
	}
}

// cgroup.procs and the id maps: written while the child still waits, so it starts in its cgroups and as root.
static int place_child(const struct plan *plan, const struct shim_config *cfg, pid_t child, struct berr *e)
{
	char pid[24];
	snprintf(pid, sizeof pid, "%d", (int)child);
	for (size_t i = 0; i < plan->n; i++) {
		if (plan->steps[i].op != PLAN_CGROUP_PROCS)
			continue;
		e->step = (int)i;
		if (write_file(plan->steps[i].argv[0], pid, strlen(pid), e) < 0)
			return -1;
	}
	if (cfg->uid_map) {
		e->step = cfg->uid_map_step;
		if (ns_write_map(child, "uid_map", cfg->uid_map, e) < 0)
			return -1;
	}
	if (cfg->gid_map) {
		e->step = cfg->gid_map_step;
		if (ns_write_map(child, "gid_map", cfg->gid_map, e) < 0)
			return -1;
	}
	return 0;
}

// On failure the caller replies and exits 125: the fds made here die with the process.
static int create(const struct plan *plan, const struct shim_config *cfg, struct container *ct, struct json_log *log,
		  struct berr *e)
{
	struct fds f = {{-1, -1}, {-1, -1}, {-1, -1}, {-1, -1}, -1};
	// Orphans of the container are reparented to the shim, which reaps them (and sees the init's exit).
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return berr_sys(e, "prctl(PR_SET_CHILD_SUBREAPER)");
	// Blocked before clone, so an early exit is queued on the signalfd rather than lost.
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return berr_sys(e, "sigprocmask");
	ct->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (ct->sigfd < 0)
		return berr_sys(e, "signalfd");
	if (cfg->log_path && cfg->stdio != STDIO_INHERIT) {
		e->step = cfg->log_step;
		if (log_open(log, cfg->log_path, cfg->log_max_size, cfg->log_max_files, e) < 0)
			return -1;
	}
	if (cfg->socket_path) {
		e->step = cfg->socket_step;
		ct->listen = listen_socket(cfg->socket_path, e);
		if (ct->listen < 0)
			return -1;
	}
	if (adopt_listen(cfg, ct, e) < 0)
		return -1;
	e->step = -1;
	f.devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (f.devnull < 0)
		return berr_sys(e, "open(/dev/null)");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, f.sync) < 0)
		return berr_sys(e, "socketpair");
	struct child_args a = {.plan = plan, .sync = f.sync[1], .stdio = {-1, -1, -1}, .clone_flags = cfg->clone_flags,
			       .gate = cfg->start_gate, .clone_step = cfg->clone_step};
	if (cfg->stdio == STDIO_PIPES) {
		if ((cfg->open_stdin && pipe2(f.in, O_CLOEXEC) < 0) || pipe2(f.out, O_CLOEXEC) < 0 ||
		    pipe2(f.err, O_CLOEXEC) < 0)
			return berr_sys(e, "pipe2");
		a.stdio[0] = cfg->open_stdin ? f.in[0] : f.devnull;
		a.stdio[1] = f.out[1];
		a.stdio[2] = f.err[1];
	} else if (cfg->stdio == STDIO_PTY) {
		// Until CONSOLE makes the pty, the child's stdio is /dev/null, not the launcher's.
		a.stdio[0] = a.stdio[1] = a.stdio[2] = f.devnull;
	}
	int shim_side[] = {f.sync[0], f.in[1], f.out[0], f.err[0], ct->listen, ct->sigfd, LAUNCHER_FD, log->fd};
	_Static_assert(sizeof shim_side == sizeof a.close_fds, "close_fds holds every shim-side fd");
	memcpy(a.close_fds, shim_side, sizeof shim_side);
	if (cfg->join_pidns) {
		e->step = cfg->join_pidns_step;
		if (ns_join(cfg->join_pidns, CLONE_NEWPID, e) < 0)
			return -1;
	}
	// A child in a new user namespace cannot join a network namespace the host's user namespace owns (setns needs
	// CAP_SYS_ADMIN over it): it is cloned in it instead, the shim joining it just for the clone (runc's nsexec
	// joins before it unshares the user namespace, to the same effect).
	cleanup_fd int own_netns = -1;
	if (cfg->join_netns) {
		e->step = cfg->join_netns_step;
		own_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (own_netns < 0)
			return berr_sys(e, "open(/proc/self/ns/net)");
		if (ns_join(cfg->join_netns, CLONE_NEWNET, e) < 0)
			return -1;
	}
	e->step = cfg->clone_step;
	ct->pid = ns_clone(cfg->clone_flags, e);
	if (ct->pid == 0)
		child_main(&a);
	if (own_netns >= 0 && setns(own_netns, CLONE_NEWNET) < 0) {
		e->step = cfg->join_netns_step;
		return berr_sys(e, "setns(back to the shim's network namespace)");
	}
	if (ct->pid < 0)
		return -1;

	ct->sync = f.sync[0];
	close_pair(f.sync, 1);
	close_pair(f.in, 0);
	close_pair(f.out, 1);
	close_pair(f.err, 1);
	close(f.devnull);
	ct->in = f.in[1];
	ct->out = f.out[0];
	ct->err = f.err[0];

	if (place_child(plan, cfg, ct->pid, e) < 0)
		return -1;
	e->step = -1;
	if (cfg->oom_path)
		ct->oom_known = oom_read(cfg->oom_path, cfg->oom_key, &ct->oom_before) == 0;
	char go = SYNC_GO_RELEASE;
	if (write(ct->sync, &go, 1) != 1)
		return berr_sys(e, "write(sync)");
	int rc = await_child(cfg, ct, e);
	if (rc < 0)
		return rc;
	if (cfg->adopt_pid_file && !cfg->start_gate && adopt_wait(cfg, ct, e) < 0)
		return -1;
	if (cfg->console_socket && ct->pty >= 0) {
		e->step = cfg->console_socket_step;
		if (send_console(cfg->console_socket, ct->pty, e) < 0)
			return -1;
		close(ct->pty);
		ct->pty = -1;
	}
	if (ct->pty >= 0) {
		ct->out = ct->pty;
		ct->in = fcntl(ct->pty, F_DUPFD_CLOEXEC, 0);
	}
	if (!cfg->start_gate) {
		close(ct->sync);
		ct->sync = -1;
	}
	int loop_fds[] = {ct->out, ct->err, ct->in, ct->sync};
	for (size_t i = 0; i < sizeof loop_fds / sizeof loop_fds[0]; i++)
		if (loop_fds[i] >= 0)
			set_nonblock(loop_fds[i]);
	return 0;
}

int shim_main(void)
{
	static struct json_log log = {.fd = -1}; // static: its line buffers are large, and stay untouched without a log
	signal(SIGPIPE, SIG_IGN);
	ensure_std_fds();
	// Nothing the launcher left open (fd 3 included) may leak into the container.
	sys_close_range(LAUNCHER_FD, ~0U, CLOSE_RANGE_CLOEXEC);

	struct berr e = {.step = -1};
	struct plan plan;
	struct shim_config cfg;
	if (plan_read(LAUNCHER_FD, &plan, &e) < 0) {
		if (e.err == 0)
			return 125; // the launcher went away: nobody to answer
		reply_error(&e);
		return 125;
	}
	if (config_from_plan(&plan, &cfg, &e) < 0) {
		reply_error(&e);
		return 125;
	}
	struct container ct = {.pid = -1, .sync = -1, .out = -1, .err = -1, .in = -1, .pty = -1, .listen = -1,
			       .sigfd = -1, .console_listen = -1};
	int rc = create(&plan, &cfg, &ct, &log, &e);
	if (rc < 0) {
		if (rc != LAUNCHER_GONE)
			reply_error(&e);
		if (ct.pid > 0) {
			kill(ct.pid, SIGKILL);
			waitpid(ct.pid, NULL, 0);
		}
		if (ct.listen >= 0)
			unlink(cfg.socket_path);
		if (ct.console_listen >= 0)
			unlink(cfg.adopt_console);
		return 125;
	}
	char line[64];
	snprintf(line, sizeof line, "ok %d %s %d\n", (int)ct.pid, start_time(ct.pid), (int)getpid());
	reply(line);
	close(LAUNCHER_FD);
	if (cfg.stdio == STDIO_INHERIT) {
		// The container has the launcher's stdio now; the shim must not keep it open.
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		for (int fd = 0; fd < 3 && null >= 0; fd++)
			dup2(null, fd);
		if (null >= 0)
			close(null);
	}
	return shim_loop(&cfg, &ct, &log);
}
