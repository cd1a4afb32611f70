// `berth-helper net`: reads one network plan from stdin, validates all of it, then runs its ops in order (moving
// between network namespaces as the plan says) and answers one line on stdout. No policy here: the TS side decides
// what to create and undoes what a failed plan made.
#include "netplan.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "io.h"
#include "netlink.h"
#include "netns.h"

static const struct plan_op_spec net_ops[] = {
	{NET_NETNS_CREATE, "NETNS_CREATE", 1, 1},
	{NET_NETNS_ENTER, "NETNS_ENTER", 1, 1},
	{NET_NETNS_LEAVE, "NETNS_LEAVE", 0, 0},
	{NET_NETNS_DELETE, "NETNS_DELETE", 1, 1},
	{NET_BRIDGE, "BRIDGE", 3, 3},
	{NET_VETH, "VETH", 5, 5},
	{NET_MASTER, "MASTER", 2, 3},
	{NET_UP, "UP", 1, 1},
	{NET_LINK_DELETE, "LINK_DELETE", 1, 1},
	{NET_ADDR, "ADDR", 2, 3},
	{NET_ADDR_DEL, "ADDR_DEL", 2, 2},
	{NET_ROUTE, "ROUTE", 3, 3},
	{NET_SYSCTL, "SYSCTL", 2, 2},
	{NET_EXEC, "EXEC", 2, -1},
};

static const struct plan_spec net_plan_spec = {net_ops, sizeof net_ops / sizeof net_ops[0], 0, NULL};

// Puts "<op> <object>: " in front of a message from shared code (netns.c, io.c), which names only the syscall.
static int in_step(struct berr *e, const char *op, const char *object)
{
	char msg[sizeof e->msg];
	snprintf(msg, sizeof msg, "%s", e->msg);
	return berr_set(e, e->err, "%s %s: %s", op, object, msg);
}

int netctx_nl(struct netctx *c, struct berr *e)
{
	if (c->nl < 0)
		c->nl = nl_open(e);
	return c->nl;
}

static int net_netns_create(struct netctx *c, const struct plan_step *s, struct berr *e)
{
	(void)c;
	// netns_create unshares the helper into the new namespace; come back to the current one, whatever happened.
	cleanup_fd int here = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (here < 0)
		return berr_sys(e, "NETNS_CREATE %s: open(/proc/self/ns/net)", s->argv[0]);
	int rc = netns_create(s->argv[0], e);
	if (setns(here, CLONE_NEWNET) < 0)
		return berr_sys(e, "NETNS_CREATE %s: setns back", s->argv[0]);
	return rc < 0 ? in_step(e, "NETNS_CREATE", s->argv[0]) : 0;
}

static int net_netns_delete(struct netctx *c, const struct plan_step *s, struct berr *e)
{
	(void)c;
	return netns_delete(s->argv[0], e) < 0 ? in_step(e, "NETNS_DELETE", s->argv[0]) : 0;
}

static int net_netns_enter(struct netctx *c, const struct plan_step *s, struct berr *e)
{
	const char *path = s->argv[0];
	cleanup_fd int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(e, "NETNS_ENTER %s: open", path);
	if (c->home_ns < 0 && !c->away) {
		c->home_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (c->home_ns < 0)
			return berr_sys(e, "NETNS_ENTER %s: open(/proc/self/ns/net)", path);
	}
	if (setns(fd, CLONE_NEWNET) < 0)
		return berr_sys(e, "NETNS_ENTER %s: setns(CLONE_NEWNET)", path);
	// The starting namespace's socket is kept for NETNS_LEAVE; another entered namespace's is done with.
	if (!c->away) {
		c->home_nl = c->nl;
		c->away = 1;
	} else if (c->nl >= 0) {
		close(c->nl);
	}
	c->nl = -1;
	return 0;
}

static int net_netns_leave(struct netctx *c, const struct plan_step *s, struct berr *e)
{
	(void)s;
	if (!c->away)
		return 0;
	if (setns(c->home_ns, CLONE_NEWNET) < 0)
		return berr_sys(e, "NETNS_LEAVE: setns(CLONE_NEWNET)");
	if (c->nl >= 0)
		close(c->nl);
	c->nl = c->home_nl;
	c->home_nl = -1;
	c->away = 0;
	return 0;
}

// /proc/sys/net/* shows the namespace of the process that opens it, so this is opened after any NETNS_ENTER.
static int net_sysctl(struct netctx *c, const struct plan_step *s, struct berr *e)
{
	(void)c;
	char path[512];
	if (snprintf(path, sizeof path, "/proc/sys/%s", s->argv[0]) >= (int)sizeof path)
		return berr_set(e, ENAMETOOLONG, "SYSCTL %s: path too long", s->argv[0]);
	return write_file(path, s->argv[1], strlen(s->argv[1]), e) < 0 ? in_step(e, "SYSCTL", s->argv[0]) : 0;
}

static net_op_fn *net_op(enum net_op op)
{
	switch (op) {
	case NET_NETNS_CREATE: return net_netns_create;
	case NET_NETNS_ENTER: return net_netns_enter;
	case NET_NETNS_LEAVE: return net_netns_leave;
	case NET_NETNS_DELETE: return net_netns_delete;
	case NET_BRIDGE: return net_bridge;
	case NET_VETH: return net_veth;
	case NET_MASTER: return net_master;
	case NET_UP: return net_up;
	case NET_LINK_DELETE: return net_link_delete;
	case NET_ADDR: return net_addr;
	case NET_ADDR_DEL: return net_addr_del;
	case NET_ROUTE: return net_route;
	case NET_SYSCTL: return net_sysctl;
	case NET_EXEC: return net_exec;
	}
	return NULL;
}

static int run_plan(int in, struct netctx *c, struct berr *e)
{
	struct plan p = {NULL, 0};
	if (plan_read_spec(&net_plan_spec, in, &p, e) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < p.n && rc == 0; i++) {
		e->step = (int)i;
		rc = net_op((enum net_op)p.steps[i].code)(c, &p.steps[i], e);
	}
	plan_free(&p);
	return rc;
}

int net_is_plan(int fd)
{
	unsigned char head[8];
	ssize_t n;
	do
		n = recv(fd, head, sizeof head, MSG_PEEK | MSG_WAITALL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof head && head[5] == 0 && head[6] == 0 && head[7] == 0 && head[4] >= NET_NETNS_CREATE;
}

int net_serve(int in, int out)
{
	signal(SIGPIPE, SIG_IGN);
	struct berr e = {.step = -1};
	struct netctx c = {.home_ns = -1, .nl = -1, .home_nl = -1, .away = 0};
	int rc = run_plan(in, &c, &e);
	char line[sizeof e.msg + 32];
	int n = rc == 0 ? snprintf(line, sizeof line, "ok\n")
			: snprintf(line, sizeof line, "error %d %d %s\n", e.step, e.err, e.msg);
	if (write_all(out, line, (size_t)n) < 0)
		return 1;
	return rc == 0 ? 0 : 1;
}

int net_main(void)
{
	return net_serve(STDIN_FILENO, STDOUT_FILENO);
}
