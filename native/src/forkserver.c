// `berth-helper forkserver <socket>`: a daemon's source of shims. Each connection to the socket becomes a new shim
// (a fork of this small process, with the connection as its fd 3), so the daemon never forks itself: Node's spawn
// blocks its event loop for a fork of the whole daemon, ~2-6 ms per container. A connection that brings a network
// plan instead (netplan.h) is answered by a forked `net` executor, for the same reason. Ends when its stdin reaches EOF (the
// daemon is gone); the shims it made live on, as shims do.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "forkserver.h"
#include "netplan.h"
#include "shim.h"

static int listen_at(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof sa.sun_path) {
		fprintf(stderr, "berth-helper forkserver: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("berth-helper forkserver: socket");
		return -1;
	}
	unlink(path);
	// Only root may connect: whoever can, runs a plan as root.
	mode_t old = umask(0177);
	int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc < 0 || listen(fd, 64) < 0) {
		fprintf(stderr, "berth-helper forkserver: bind/listen %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

// Another root process only (the socket's mode says so already; this says it again).
static int peer_is_root(int conn)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	return getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.uid == 0;
}

// In the new child: become a detached shim on `conn`.
static _Noreturn void become_shim(int listen_fd, int conn)
{
	close(listen_fd);
	signal(SIGCHLD, SIG_DFL); // the shim reaps its container itself
	setsid();
	// Our stdin is the daemon's pipe: a shim's fds 0-2 are /dev/null, as when spawned detached.
	if (dup2(STDOUT_FILENO, STDIN_FILENO) < 0)
		_exit(125);
	if (conn != LAUNCHER_FD) {
		if (dup2(conn, LAUNCHER_FD) < 0)
			_exit(125);
		close(conn);
	}
	if (net_is_plan(LAUNCHER_FD))
		_exit(net_serve(LAUNCHER_FD, LAUNCHER_FD));
	_exit(shim_main());
}

// Unlinks `path` only while it is still this forkserver's socket: a daemon restarted meanwhile has bound a new one
// there, which an old forkserver noticing its EOF late must not take away.
static void unlink_own(const char *path, const struct stat *own)
{
	struct stat now;
	if (stat(path, &now) == 0 && now.st_dev == own->st_dev && now.st_ino == own->st_ino)
		unlink(path);
}

int forkserver_main(const char *path)
{
	int lfd = listen_at(path);
	if (lfd < 0)
		return 1;
	struct stat own;
	if (stat(path, &own) < 0) {
		perror("berth-helper forkserver: stat");
		return 1;
	}
	// Shims are reaped by the kernel: their exit status is in their exit files, not here.
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if (write(STDOUT_FILENO, "ready\n", 6) != 6)
		return 1;
	// From here on nobody reads our stdout/stderr, and shims must not inherit those pipes either.
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, STDOUT_FILENO) < 0 || dup2(null, STDERR_FILENO) < 0)
		return 1;
	close(null);
	for (;;) {
		struct pollfd pf[2] = {{.fd = lfd, .events = POLLIN}, {.fd = STDIN_FILENO, .events = POLLIN}};
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("berth-helper forkserver: poll");
			break;
		}
		if (pf[1].revents) {
			char b;
			if (read(STDIN_FILENO, &b, 1) <= 0)
				break; // the daemon is gone
		}
		if (!(pf[0].revents & POLLIN))
			continue;
		int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0)
			continue;
		if (!peer_is_root(conn)) {
			close(conn);
			continue;
		}
		pid_t pid = fork();
		if (pid == 0)
			become_shim(lfd, conn);
		close(conn); // on fork failure the launcher sees the connection close without a reply
	}
	close(lfd);
	unlink_own(path, &own);
	return 0;
}
