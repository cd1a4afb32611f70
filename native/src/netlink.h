// A minimal rtnetlink client: one NETLINK_ROUTE socket, a request builder with nested attributes, and a
// request/acknowledgement exchange that turns the kernel's answer (with its extended ack message) into a berr.
#ifndef BERTH_NETLINK_H
#define BERTH_NETLINK_H

#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "error.h"

// Room for any request berth sends (a veth pair with both ends' attributes is ~200 bytes).
#define NL_REQ_MAX 1024

struct nl_req {
	union {
		struct nlmsghdr hdr;
		unsigned char buf[NL_REQ_MAX];
	};
	int overflow; // set when an attribute did not fit; nl_talk then refuses to send
};

// A NETLINK_ROUTE socket in the caller's current network namespace, with extended acks and capped echoes.
int nl_open(struct berr *e);

// Starts a request of `type` with NLM_F_REQUEST | NLM_F_ACK | flags, followed by the fixed header `fixed` (an
// ifinfomsg, ifaddrmsg, rtmsg...) of `len` bytes.
void nl_req_init(struct nl_req *r, uint16_t type, uint16_t flags, const void *fixed, size_t len);
void nl_put(struct nl_req *r, uint16_t type, const void *data, size_t len);
void nl_put_u32(struct nl_req *r, uint16_t type, uint32_t v);
void nl_put_u8(struct nl_req *r, uint16_t type, uint8_t v);
void nl_put_str(struct nl_req *r, uint16_t type, const char *s);
// Opens a nested attribute; returns its offset for nl_nest_end.
size_t nl_nest_start(struct nl_req *r, uint16_t type);
void nl_nest_end(struct nl_req *r, size_t at);
// Appends raw bytes (a nested message's fixed header, e.g. VETH_INFO_PEER's ifinfomsg), padded.
void nl_put_raw(struct nl_req *r, const void *data, size_t len);

// Sends the request and reads its acknowledgement. Returns 0, or -1 with e->err the kernel's errno and e->msg
// "<what>: <strerror>" plus "(<extended ack message>)" when the kernel gave one. When `ok_err` is non-zero, that
// errno counts as success (EEXIST for "create if absent", ENODEV for "delete if present") and 1 is returned.
int nl_talk(int fd, struct nl_req *r, int ok_err, struct berr *e, const char *what);

#endif
