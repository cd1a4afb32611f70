// The network plan (`berth-helper net`): opcodes mirror `NetOpcode` in src/network/netlink/ops.ts exactly;
// docs/helper-protocol.md ("Network plans") is the spec. Same wire format as the init plan, its own op range.
#ifndef BERTH_NETPLAN_H
#define BERTH_NETPLAN_H

#include "error.h"
#include "plan.h"

enum net_op {
	NET_NETNS_CREATE = 64,
	NET_NETNS_ENTER = 65,
	NET_NETNS_LEAVE = 66,
	NET_NETNS_DELETE = 67,
	NET_BRIDGE = 68,
	NET_VETH = 69,
	NET_MASTER = 70,
	NET_UP = 71,
	NET_LINK_DELETE = 72,
	NET_ADDR = 73,
	NET_ADDR_DEL = 74,
	NET_ROUTE = 75,
	NET_SYSCTL = 76,
	NET_EXEC = 77,
};

// Where the plan is: the namespace the helper started in (kept to come back to), and the rtnetlink socket of the
// namespace it is in now (a netlink socket talks to the namespace it was made in, so each namespace needs its own).
struct netctx {
	int home_ns; // fd of the starting namespace, -1 until the first NETNS_ENTER
	int nl;	     // rtnetlink socket of the current namespace, -1 until an op needs one
	int home_nl; // the starting namespace's socket while the plan is in another one
	int away;    // in a namespace entered with NETNS_ENTER
};

// The current namespace's rtnetlink socket, opened on first use.
int netctx_nl(struct netctx *c, struct berr *e);

// Each op: 0 on success, -1 with e filled (its message names the op and the object).
typedef int net_op_fn(struct netctx *c, const struct plan_step *s, struct berr *e);
net_op_fn net_bridge, net_veth, net_master, net_up, net_link_delete, net_addr, net_addr_del, net_route, net_exec;

// `berth-helper net`: one plan on stdin, `ok` or `error <step> <errno> <message>` on stdout.
int net_main(void);
// The same with the plan read from `in` and the answer written to `out` (a forkserver connection).
int net_serve(int in, int out);
// Whether the socket's pending bytes start a network plan (first opcode >= 64), without consuming them. A forkserver
// connection carries either an init plan (a shim) or a network plan; an empty network plan is never sent there.
int net_is_plan(int fd);

#endif
