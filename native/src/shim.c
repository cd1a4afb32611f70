// The shim's event loop: container output -> json-file log + attach clients, the control socket (start, attach,
// resize, close-stdin, wait), SIGCHLD through a signalfd, and at the end the exit file and the wait answers.
// Fixed buffers only: a slow attach client queues in its socket's kernel buffer, never in the shim.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "shim.h"

#define MAX_CLIENTS 32
#define ATTACH_SNDBUF (512 * 1024) // the kernel doubles it: a client ~1 MiB behind gets EAGAIN and is dropped
#define DRAIN_AFTER_EXIT_MS 2000   // how long output may keep flowing after the init exited (shared pid ns)

enum frame_kind { FRAME_STDIN = 0, FRAME_STDOUT = 1, FRAME_STDERR = 2, FRAME_CLOSE_STDIN = 3, FRAME_RESIZE = 4 };
enum client_kind { CL_FREE, CL_REQUEST, CL_ATTACH, CL_WAIT, CL_START };

struct client {
	int fd;
	enum client_kind kind;
	uint8_t llen;
	char line[64];
	// attach input: an 8-byte header, then `remain` payload bytes (a resize's 4 are kept in `payload`)
	uint8_t hlen;
	uint8_t hdr[8];
	uint32_t remain;
	uint8_t plen;
	uint8_t payload[4];
};

struct shim {
	const struct shim_config *cfg;
	struct container *ct;
	struct json_log *log;
	bool out_open, err_open;
	bool started;
	bool exited;
	int status;
	struct timespec exited_at;
	int64_t deadline_ms;
	struct client cl[MAX_CLIENTS];
	size_t inq_len;
	bool in_closing; // close stdin once inq has drained (a close-stdin arrived behind queued bytes)
	char inq[4096]; // stdin bytes from attach clients the container has not read yet
	// ADOPT after a gated start: children reaped before the adopted pid was known (a quick exec exits with its
	// launcher), so the adopted one's status is not lost.
	bool adopted;
	int n_early;
	pid_t early_pid[16];
	int early_status[16];
};

static char iobuf[16384];

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static bool again(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

static void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->kind = CL_FREE;
}

// Control answers are a line or two; a client whose buffer cannot take that has gone away in all but name.
static void client_say(struct client *c, const char *s)
{
	send(c->fd, s, strlen(s), MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void close_kind(struct shim *sh, enum client_kind kind, const char *last)
{
	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &sh->cl[i];
		if (c->kind != kind)
			continue;
		if (last)
			client_say(c, last);
		client_close(c);
	}
}

static void broadcast(struct shim *sh, enum frame_kind kind, const char *data, size_t len)
{
	uint8_t hdr[8] = {(uint8_t)kind, 0, 0, 0, (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			  (uint8_t)len};
	struct iovec iov[2] = {{.iov_base = hdr, .iov_len = 8}, {.iov_base = (void *)data, .iov_len = len}};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &sh->cl[i];
		if (c->kind != CL_ATTACH)
			continue;
		// A short or refused send means the client is ~1 MiB behind: drop it rather than block the container.
		if (sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)(8 + len))
			client_close(c);
	}
}

static void stdin_close(struct shim *sh)
{
	if (sh->ct->in >= 0)
		close(sh->ct->in);
	sh->ct->in = -1;
	sh->inq_len = 0;
}

// Close-stdin after the bytes already queued: `echo data | docker run -i` must deliver all of its data.
static void stdin_close_after_drain(struct shim *sh)
{
	if (sh->inq_len == 0)
		stdin_close(sh);
	else
		sh->in_closing = true;
}

static void stdin_flush(struct shim *sh)
{
	if (sh->ct->in < 0) {
		sh->inq_len = 0;
		return;
	}
	ssize_t n = write(sh->ct->in, sh->inq, sh->inq_len);
	if (n > 0) {
		memmove(sh->inq, sh->inq + n, sh->inq_len - (size_t)n);
		sh->inq_len -= (size_t)n;
		if (sh->inq_len == 0 && sh->in_closing)
			stdin_close(sh);
	} else if (n < 0 && !again(errno)) {
		stdin_close(sh); // EPIPE/EIO: the container closed its stdin or is gone
	}
}

static int pty_resize(struct shim *sh, unsigned rows, unsigned cols)
{
	if (sh->ct->pty < 0) {
		errno = ENOTTY;
		return -1;
	}
	struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
	return ioctl(sh->ct->pty, TIOCSWINSZ, &ws); // the kernel sends SIGWINCH to the foreground group
}

static void output_end(struct shim *sh, enum log_stream_id id)
{
	bool *open = id == LOG_STDOUT ? &sh->out_open : &sh->err_open;
	if (!*open)
		return;
	*open = false;
	if (sh->log->fd >= 0)
		log_flush(sh->log, id);
	if (!sh->out_open && !sh->err_open)
		close_kind(sh, CL_ATTACH, NULL); // "until the container's output ends"
}

static void output_ready(struct shim *sh, enum log_stream_id id)
{
	int fd = id == LOG_STDOUT ? sh->ct->out : sh->ct->err;
	ssize_t n = read(fd, iobuf, sizeof iobuf);
	if (n > 0) {
		if (sh->log->fd >= 0)
			log_write(sh->log, id, iobuf, (size_t)n);
		broadcast(sh, id == LOG_STDOUT ? FRAME_STDOUT : FRAME_STDERR, iobuf, (size_t)n);
		return;
	}
	if (n < 0 && again(errno))
		return;
	output_end(sh, id); // EOF, or EIO from a pty master once every slave fd is closed
}

static void adopted_exit(struct shim *sh, int st)
{
	sh->exited = true;
	sh->status = st;
	clock_gettime(CLOCK_REALTIME, &sh->exited_at);
	sh->deadline_ms = now_ms() + DRAIN_AFTER_EXIT_MS;
}

// The launcher of a gated ADOPT plan has exited: the start is answered now, with the adopted process or the error.
static void adopt_after_start(struct shim *sh, int launcher_status)
{
	struct container *ct = sh->ct;
	struct berr e = {.step = -1};
	sh->adopted = true;
	if (adopt_finish(sh->cfg, ct, launcher_status, &e) < 0) {
		char line[sizeof e.msg + 64];
		snprintf(line, sizeof line, "error %d %d %s\n", e.step, e.err, e.msg);
		close_kind(sh, CL_START, line);
		// A launcher that exited 0 without a usable pid still failed: 126, as for a command that cannot run.
		adopted_exit(sh, WIFEXITED(launcher_status) && WEXITSTATUS(launcher_status) == 0 ? 126 << 8
												  : launcher_status);
		return;
	}
	if (ct->pty >= 0 && ct->out < 0) {
		ct->out = ct->pty;
		ct->in = fcntl(ct->pty, F_DUPFD_CLOEXEC, 0);
		set_nonblock(ct->out);
		if (ct->in >= 0)
			set_nonblock(ct->in);
		sh->out_open = true;
	}
	close_kind(sh, CL_START, "ok\n");
	for (int i = 0; i < sh->n_early; i++)
		if (sh->early_pid[i] == ct->pid)
			adopted_exit(sh, sh->early_status[i]);
}

static void reap(struct shim *sh)
{
	struct signalfd_siginfo si;
	while (read(sh->ct->sigfd, &si, sizeof si) > 0)
		;
	int st;
	pid_t p;
	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		bool adopting = sh->cfg->adopt_pid_file && sh->cfg->start_gate && !sh->adopted;
		if (adopting && p == sh->ct->pid) {
			adopt_after_start(sh, st);
			continue;
		}
		if (adopting && sh->n_early < (int)(sizeof sh->early_pid / sizeof sh->early_pid[0])) {
			sh->early_pid[sh->n_early] = p;
			sh->early_status[sh->n_early++] = st;
		}
		if (p != sh->ct->pid || sh->exited)
			continue;
		sh->exited = true;
		sh->status = st;
		clock_gettime(CLOCK_REALTIME, &sh->exited_at);
		sh->deadline_ms = now_ms() + DRAIN_AFTER_EXIT_MS;
	}
}

// Messages from the child after `start`: an execve failure, then EOF (its CLOEXEC end closed at execve or exit).
static void sync_event(struct shim *sh)
{
	struct sync_msg m;
	int fd;
	ssize_t n = recv_fd(sh->ct->sync, &m, sizeof m, &fd);
	if (fd >= 0)
		close(fd);
	if (n < 0 && again(errno))
		return;
	if (n <= 0) {
		if (!sh->cfg->adopt_pid_file) // an adopting start is answered when the launcher exits
			close_kind(sh, CL_START, "ok\n");
		close(sh->ct->sync);
		sh->ct->sync = -1;
		return;
	}
	if (n == (ssize_t)sizeof m && m.kind == SYNC_ERROR) {
		char line[sizeof m.msg + 64];
		m.msg[sizeof m.msg - 1] = '\0';
		snprintf(line, sizeof line, "error %d %d %s\n", m.step, m.err, m.msg);
		close_kind(sh, CL_START, line);
	}
}

// "resize <rows> <cols>"
static int parse_resize(const char *line, unsigned *rows, unsigned *cols)
{
	char a[12], b[12];
	uint64_t r, c;
	const char *p = line + strlen("resize ");
	size_t la, lb;
	if (strncmp(line, "resize ", 7) != 0 || (la = strcspn(p, " ")) == 0 || la >= sizeof a)
		return -1;
	memcpy(a, p, la);
	a[la] = '\0';
	p += la;
	if (*p++ != ' ' || (lb = strlen(p)) == 0 || lb >= sizeof b)
		return -1;
	memcpy(b, p, lb + 1);
	if (parse_u64(a, &r) < 0 || parse_u64(b, &c) < 0 || r > 65535 || c > 65535)
		return -1;
	*rows = (unsigned)r;
	*cols = (unsigned)c;
	return 0;
}

static void request(struct shim *sh, struct client *c)
{
	struct container *ct = sh->ct;
	char reply[256];
	unsigned rows, cols;
	if (strcmp(c->line, "start") == 0) {
		if (sh->started || !sh->cfg->start_gate) {
			client_say(c, "error -1 0 container already started\n");
			client_close(c);
		} else if (sh->exited || ct->sync < 0) {
			client_say(c, "error -1 0 container has exited\n");
			client_close(c);
		} else {
			char go = SYNC_GO_START;
			sh->started = true;
			c->kind = CL_START;
			if (write(ct->sync, &go, 1) != 1) {
				snprintf(reply, sizeof reply, "error -1 %d write(sync): %s\n", errno, strerror(errno));
				client_say(c, reply);
				client_close(c);
			}
		}
	} else if (strcmp(c->line, "attach") == 0) {
		client_say(c, "ok\n");
		// An adopting shim's pty comes with the adoption: until then its output is not open yet, not over.
		bool pty_to_come = sh->cfg->adopt_pid_file && !sh->adopted && sh->cfg->stdio == STDIO_PTY;
		if (!sh->out_open && !sh->err_open && sh->cfg->stdio != STDIO_INHERIT && !pty_to_come) {
			client_close(c);
			return;
		}
		int sz = ATTACH_SNDBUF;
		setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
		c->kind = CL_ATTACH;
		c->hlen = 0;
	} else if (parse_resize(c->line, &rows, &cols) == 0) {
		if (pty_resize(sh, rows, cols) < 0)
			snprintf(reply, sizeof reply, "error -1 %d resize: %s\n", errno, strerror(errno));
		else
			snprintf(reply, sizeof reply, "ok\n");
		client_say(c, reply);
		client_close(c);
	} else if (strcmp(c->line, "close-stdin") == 0) {
		stdin_close_after_drain(sh);
		client_say(c, "ok\n");
		client_close(c);
	} else if (strcmp(c->line, "wait") == 0) {
		c->kind = CL_WAIT; // answered in finish()
	} else {
		snprintf(reply, sizeof reply, "error -1 %d unknown request \"%.64s\"\n", EINVAL, c->line);
		client_say(c, reply);
		client_close(c);
	}
}

// Request lines are read a byte at a time so that attach frames sent right behind "attach\n" stay in the socket.
static void request_input(struct shim *sh, struct client *c)
{
	char b;
	ssize_t n = read(c->fd, &b, 1);
	if (n < 0 && again(errno))
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	if (b == '\n') {
		c->line[c->llen] = '\0';
		request(sh, c);
		return;
	}
	if ((size_t)c->llen + 1 >= sizeof c->line) {
		client_say(c, "error -1 22 request line too long\n");
		client_close(c);
		return;
	}
	c->line[c->llen++] = b;
}

static void frame_done(struct shim *sh, struct client *c)
{
	if (c->hdr[0] == FRAME_CLOSE_STDIN)
		stdin_close_after_drain(sh);
	else if (c->hdr[0] == FRAME_RESIZE && c->plen == 4)
		pty_resize(sh, (unsigned)(c->payload[0] << 8 | c->payload[1]), (unsigned)(c->payload[2] << 8 | c->payload[3]));
	c->hlen = 0;
}

static void attach_input(struct shim *sh, struct client *c)
{
	ssize_t n;
	if (c->hlen < 8) {
		n = read(c->fd, c->hdr + c->hlen, 8u - c->hlen);
		if (n > 0) {
			c->hlen += (uint8_t)n;
			if (c->hlen < 8)
				return;
			c->remain = (uint32_t)c->hdr[4] << 24 | (uint32_t)c->hdr[5] << 16 | (uint32_t)c->hdr[6] << 8 |
				    c->hdr[7];
			c->plen = 0;
		}
	} else if (c->hdr[0] == FRAME_STDIN && sh->ct->in >= 0 && !sh->in_closing) {
		size_t want = sizeof sh->inq - sh->inq_len;
		if (want > c->remain)
			want = c->remain;
		if (want == 0)
			return;
		n = read(c->fd, sh->inq + sh->inq_len, want);
		if (n > 0) {
			sh->inq_len += (size_t)n;
			c->remain -= (uint32_t)n;
			stdin_flush(sh);
		}
	} else {
		char tmp[512];
		size_t want = c->remain < sizeof tmp ? c->remain : sizeof tmp;
		n = read(c->fd, tmp, want);
		if (n > 0) {
			for (ssize_t i = 0; i < n && c->plen < sizeof c->payload; i++)
				c->payload[c->plen++] = (uint8_t)tmp[i];
			c->remain -= (uint32_t)n;
		}
	}
	if (n < 0 && again(errno))
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	if (c->hlen == 8 && c->remain == 0)
		frame_done(sh, c);
}

static void accept_clients(struct shim *sh)
{
	for (;;) {
		int fd = accept4(sh->ct->listen, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return;
		struct client *c = NULL;
		for (int i = 0; i < MAX_CLIENTS && !c; i++)
			if (sh->cl[i].kind == CL_FREE)
				c = &sh->cl[i];
		if (!c) {
			const char *busy = "error -1 16 too many clients\n";
			send(fd, busy, strlen(busy), MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			continue;
		}
		memset(c, 0, sizeof *c);
		c->fd = fd;
		c->kind = CL_REQUEST;
	}
}

static void write_exit_file(const char *path, const char *json)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	int ok = write_all(fd, json, strlen(json)) == 0 && fsync(fd) == 0;
	close(fd);
	if (ok)
		rename(tmp, path);
	else
		unlink(tmp);
}

static int finish(struct shim *sh)
{
	struct container *ct = sh->ct;
	// Answer a start still in flight from what the child left in the sync socket (it has exited: EOF follows).
	for (int i = 0; i < 8 && ct->sync >= 0; i++)
		sync_event(sh);
	close_kind(sh, CL_START, "error -1 0 container has exited\n");
	output_end(sh, LOG_STDOUT);
	output_end(sh, LOG_STDERR);
	log_close(sh->log);

	int code, sig = 0;
	if (WIFSIGNALED(sh->status)) {
		sig = WTERMSIG(sh->status);
		code = 128 + sig;
	} else {
		code = WEXITSTATUS(sh->status);
	}
	if (!sh->exited) {
		for (int i = 0; i < MAX_CLIENTS; i++)
			client_close(&sh->cl[i]);
		return 125;
	}
	// Connections still queued in the backlog get their answer too, rather than a reset when the socket closes.
	if (ct->listen >= 0) {
		accept_clients(sh);
		for (int i = 0; i < MAX_CLIENTS; i++)
			for (int k = 0; k < (int)sizeof sh->cl[i].line && sh->cl[i].kind == CL_REQUEST; k++)
				request_input(sh, &sh->cl[i]);
	}
	uint64_t oom_after;
	bool oom = ct->oom_known && oom_read(sh->cfg->oom_path, sh->cfg->oom_key, &oom_after) == 0 &&
		   oom_after > ct->oom_before;
	char ts[48], json[256];
	format_time(ts, sizeof ts, &sh->exited_at);
	snprintf(json, sizeof json, "{\"pid\":%d,\"exitCode\":%d,\"signal\":%d,\"oomKilled\":%s,\"exitedAt\":\"%s\"}\n",
		 (int)ct->pid, code, sig, oom ? "true" : "false", ts);
	if (sh->cfg->exit_path)
		write_exit_file(sh->cfg->exit_path, json);
	close_kind(sh, CL_WAIT, json);
	for (int i = 0; i < MAX_CLIENTS; i++)
		client_close(&sh->cl[i]);
	if (ct->listen >= 0) {
		close(ct->listen);
		unlink(sh->cfg->socket_path);
	}
	return code;
}

enum { T_SIG, T_LISTEN, T_SYNC, T_OUT, T_ERR, T_IN, T_CLIENT };

int shim_loop(const struct shim_config *cfg, struct container *ct, struct json_log *log)
{
	static struct shim sh; // static: keeps the loop's state off the stack; one shim per process
	sh.cfg = cfg;
	sh.ct = ct;
	sh.log = log;
	sh.out_open = ct->out >= 0;
	sh.err_open = ct->err >= 0;
	sh.started = !cfg->start_gate;
	for (int i = 0; i < MAX_CLIENTS; i++)
		sh.cl[i] = (struct client){.fd = -1, .kind = CL_FREE};

	for (;;) {
		if (sh.exited && ((!sh.out_open && !sh.err_open) || now_ms() >= sh.deadline_ms))
			break;
		struct pollfd pf[T_CLIENT + MAX_CLIENTS];
		int tag[T_CLIENT + MAX_CLIENTS];
		nfds_t n = 0;
#define WATCH(fd_, ev_, tag_) (pf[n] = (struct pollfd){.fd = (fd_), .events = (ev_)}, tag[n++] = (tag_))
		WATCH(ct->sigfd, POLLIN, T_SIG);
		if (ct->listen >= 0)
			WATCH(ct->listen, POLLIN, T_LISTEN);
		if (ct->sync >= 0)
			WATCH(ct->sync, POLLIN, T_SYNC);
		if (sh.out_open)
			WATCH(ct->out, POLLIN, T_OUT);
		if (sh.err_open)
			WATCH(ct->err, POLLIN, T_ERR);
		if (ct->in >= 0 && sh.inq_len > 0)
			WATCH(ct->in, POLLOUT, T_IN);
		for (int i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = &sh.cl[i];
			// While stdin is backed up, attach clients are not read: backpressure instead of buffering.
			if (c->kind == CL_FREE || (c->kind == CL_ATTACH && sh.inq_len == sizeof sh.inq))
				continue;
			WATCH(c->fd, POLLIN, T_CLIENT + i);
		}
#undef WATCH
		int timeout = -1;
		if (sh.exited) {
			int64_t left = sh.deadline_ms - now_ms();
			timeout = left < 0 ? 0 : (int)left;
		}
		if (poll(pf, n, timeout) < 0) {
			if (errno == EINTR || errno == ENOMEM)
				continue;
			break; // EFAULT/EINVAL: a bug; finish() writes no exit file for a status it does not know
		}
		for (nfds_t i = 0; i < n; i++) {
			if (!pf[i].revents)
				continue;
			switch (tag[i]) {
			case T_SIG: reap(&sh); break;
			case T_LISTEN: accept_clients(&sh); break;
			case T_SYNC:
				if (ct->sync >= 0)
					sync_event(&sh);
				break;
			case T_OUT: output_ready(&sh, LOG_STDOUT); break;
			case T_ERR: output_ready(&sh, LOG_STDERR); break;
			case T_IN: stdin_flush(&sh); break;
			default: {
				struct client *c = &sh.cl[tag[i] - T_CLIENT];
				if (c->fd != pf[i].fd) // closed (and maybe reused) earlier in this round
					break;
				if (c->kind == CL_ATTACH)
					attach_input(&sh, c);
				else if (c->kind == CL_REQUEST)
					request_input(&sh, c);
				else {
					// wait/start clients only send their request; what follows is ignored until hangup
					char b;
					ssize_t r = read(c->fd, &b, 1);
					if (r == 0 || (r < 0 && !again(errno)))
						client_close(c);
				}
			}
			}
		}
	}
	return finish(&sh);
}

int oom_read(const char *path, const char *key, uint64_t *v)
{
	char buf[1024];
	if (read_small_file(path, buf, sizeof buf) < 0)
		return -1;
	size_t klen = strlen(key);
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, key, klen) != 0 || line[klen] != ' ')
			continue;
		char num[24];
		size_t i = 0;
		for (const char *p = line + klen + 1; *p >= '0' && *p <= '9' && i + 1 < sizeof num; p++)
			num[i++] = *p;
		num[i] = '\0';
		return parse_u64(num, v);
	}
	return -1;
}
