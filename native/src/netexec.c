// EXEC in a network plan: run a program in the helper's current namespaces (e.g. `nft -f -` inside a container's
// network namespace) with the plan's bytes as its stdin; a non-zero exit fails the step with its stderr's first line.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"
#include "netplan.h"

// stdin as a memfd: the child reads it at its own pace, and a large input cannot dead-lock against its stderr.
static int stdin_file(const char *data, size_t len, const char *what, struct berr *e)
{
	cleanup_fd int fd = memfd_create("berth-net-stdin", MFD_CLOEXEC);
	if (fd < 0)
		return berr_sys(e, "%s: memfd_create", what);
	if (write_all(fd, data, len) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return berr_sys(e, "%s: writing stdin", what);
	return take_fd(&fd);
}

static _Noreturn void child(int in, int err_w, int report_w, char **argv)
{
	int null = open("/dev/null", O_WRONLY);
	if (dup2(in, STDIN_FILENO) < 0 || null < 0 || dup2(null, STDOUT_FILENO) < 0 ||
	    dup2(err_w, STDERR_FILENO) < 0)
		_exit(127);
	execvp(argv[0], argv);
	// The report pipe is close-on-exec: an errno on it means execvp failed.
	int err = errno;
	if (write(report_w, &err, sizeof err) < 0)
		_exit(127);
	_exit(127);
}

// Reads all of fd, keeping the first line (up to `cap` - 1 bytes) in buf.
static void first_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	int done = 0;
	char chunk[4096];
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r && !done; i++) {
			if (chunk[i] == '\n' && n > 0)
				done = 1;
			else if (chunk[i] != '\n' && n + 1 < cap)
				buf[n++] = chunk[i];
		}
	}
	buf[n] = '\0';
}

int net_exec(struct netctx *c, const struct plan_step *s, struct berr *e)
{
	(void)c;
	char **argv = s->argv + 1;
	char what[96];
	snprintf(what, sizeof what, "EXEC %s", argv[0]);
	cleanup_fd int in = stdin_file(s->argv[0], s->len[0], what, e);
	if (in < 0)
		return -1;
	int errp[2], rep[2];
	if (pipe2(errp, O_CLOEXEC) < 0)
		return berr_sys(e, "%s: pipe2", what);
	cleanup_fd int err_r = errp[0];
	cleanup_fd int err_w = errp[1];
	if (pipe2(rep, O_CLOEXEC) < 0)
		return berr_sys(e, "%s: pipe2", what);
	cleanup_fd int rep_r = rep[0];
	cleanup_fd int rep_w = rep[1];
	pid_t pid = fork();
	if (pid < 0)
		return berr_sys(e, "%s: fork", what);
	if (pid == 0)
		child(in, err_w, rep_w, argv);
	close(take_fd(&err_w));
	close(take_fd(&rep_w));
	int exec_err = 0;
	ssize_t got;
	do
		got = read(rep_r, &exec_err, sizeof exec_err);
	while (got < 0 && errno == EINTR);
	char line[400];
	first_line(err_r, line, sizeof line);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return berr_sys(e, "%s: waitpid", what);
	if (got == (ssize_t)sizeof exec_err)
		return berr_set(e, exec_err, "%s: exec: %s", what, strerror(exec_err));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	char how[32];
	if (WIFSIGNALED(status))
		snprintf(how, sizeof how, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(how, sizeof how, "exit status %d", WEXITSTATUS(status));
	if (*line)
		return berr_set(e, 0, "%s: %s: %s", what, how, line);
	return berr_set(e, 0, "%s: %s", what, how);
}
