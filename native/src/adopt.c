// Adoption (the ADOPT op): the shim's child is another runtime's launcher — `runc create`, `runc exec --detach` —
// which exits 0 once the container's process exists and leaves that pid in a file. The process, reparented to the
// shim (a subreaper) when the launcher exits, is the shim's container process from then on, as with
// containerd-shim-runc. A pty comes back over the console socket the launcher was given (runc's --console-socket).
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"
#include "shim.h"

int adopt_listen(const struct shim_config *cfg, struct container *ct, struct berr *e)
{
	if (!cfg->adopt_pid_file || !cfg->adopt_console || cfg->adopt_console[0] == '\0')
		return 0;
	e->step = cfg->adopt_step;
	ct->console_listen = listen_socket(cfg->adopt_console, e);
	return ct->console_listen < 0 ? -1 : 0;
}

static int read_pid_file(const char *path, pid_t *pid, struct berr *e)
{
	char buf[32];
	uint64_t v;
	ssize_t n = read_small_file(path, buf, sizeof buf);
	if (n < 0)
		return berr_sys(e, "read(%s)", path);
	buf[strcspn(buf, " \n")] = '\0';
	if (parse_u64(buf, &v) < 0 || v == 0 || v > INT32_MAX)
		return berr_set(e, EINVAL, "pid file %s: invalid pid \"%s\"", path, buf);
	*pid = (pid_t)v;
	return 0;
}

// The launcher has connected, sent the pty master and exited: the message waits in the listener's backlog.
static int receive_console(struct container *ct, const char *path, struct berr *e)
{
	cleanup_fd int conn = accept4(ct->console_listen, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return berr_sys(e, "accept(%s)", path);
	char name[256];
	int fd = -1;
	ssize_t n = recv_fd(conn, name, sizeof name, &fd);
	if (n < 0)
		return berr_sys(e, "recvmsg(%s)", path);
	if (fd < 0)
		return berr_set(e, EPROTO, "console socket %s: no terminal received", path);
	ct->pty = fd;
	return 0;
}

static void close_console_listener(const struct shim_config *cfg, struct container *ct)
{
	if (ct->console_listen < 0)
		return;
	close(ct->console_listen);
	ct->console_listen = -1;
	unlink(cfg->adopt_console);
}

int adopt_finish(const struct shim_config *cfg, struct container *ct, int status, struct berr *e)
{
	e->step = cfg->adopt_step;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		close_console_listener(cfg, ct);
		if (WIFSIGNALED(status))
			return berr_set(e, 0, "%s: killed by signal %d", cfg->adopt_launcher, WTERMSIG(status));
		return berr_set(e, 0, "%s: exit status %d", cfg->adopt_launcher, WEXITSTATUS(status));
	}
	pid_t pid = -1;
	int rc = read_pid_file(cfg->adopt_pid_file, &pid, e);
	if (rc == 0 && ct->console_listen >= 0)
		rc = receive_console(ct, cfg->adopt_console, e);
	close_console_listener(cfg, ct);
	if (rc < 0)
		return -1;
	ct->pid = pid;
	e->step = -1;
	return 0;
}

int adopt_wait(const struct shim_config *cfg, struct container *ct, struct berr *e)
{
	int st;
	pid_t launcher = ct->pid;
	while (waitpid(launcher, &st, 0) < 0) {
		if (errno != EINTR)
			return berr_sys(e, "waitpid(%d)", (int)launcher);
	}
	ct->pid = -1; // reaped: nothing for the caller to kill should adoption fail
	return adopt_finish(cfg, ct, st, e);
}
