// rtnetlink requests and their acks. The kernel answers each request (NLM_F_ACK) with one NLMSG_ERROR message: error 0
// is success; otherwise, with NETLINK_EXT_ACK, it may add a human-readable reason (NLMSGERR_ATTR_MSG), which is what
// `ip` prints after "Error:".
#include "netlink.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"

int nl_open(struct berr *e)
{
	cleanup_fd int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return berr_sys(e, "socket(AF_NETLINK, NETLINK_ROUTE)");
	int one = 1;
	// Both are best effort (Linux >= 4.12 and 4.3): without them errors simply carry no kernel message.
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return berr_sys(e, "bind(AF_NETLINK)");
	return take_fd(&fd);
}

void nl_req_init(struct nl_req *r, uint16_t type, uint16_t flags, const void *fixed, size_t len)
{
	memset(r->buf, 0, NLMSG_SPACE(len));
	r->overflow = 0;
	r->hdr.nlmsg_len = (uint32_t)NLMSG_LENGTH(len);
	r->hdr.nlmsg_type = type;
	r->hdr.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	memcpy(NLMSG_DATA(&r->hdr), fixed, len);
	r->hdr.nlmsg_len = (uint32_t)NLMSG_ALIGN(r->hdr.nlmsg_len);
}

// Reserves `len` aligned bytes at the end of the message; NULL (and overflow set) when they do not fit.
static unsigned char *reserve(struct nl_req *r, size_t len)
{
	size_t at = r->hdr.nlmsg_len, space = NLMSG_ALIGN(len);
	if (r->overflow || at + space > sizeof r->buf) {
		r->overflow = 1;
		return NULL;
	}
	memset(r->buf + at, 0, space);
	r->hdr.nlmsg_len = (uint32_t)(at + space);
	return r->buf + at;
}

void nl_put(struct nl_req *r, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)reserve(r, NLA_HDRLEN + len);
	if (!a)
		return;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len)
		memcpy((unsigned char *)a + NLA_HDRLEN, data, len);
}

void nl_put_u32(struct nl_req *r, uint16_t type, uint32_t v)
{
	nl_put(r, type, &v, sizeof v);
}

void nl_put_u8(struct nl_req *r, uint16_t type, uint8_t v)
{
	nl_put(r, type, &v, sizeof v);
}

void nl_put_str(struct nl_req *r, uint16_t type, const char *s)
{
	nl_put(r, type, s, strlen(s) + 1);
}

void nl_put_raw(struct nl_req *r, const void *data, size_t len)
{
	unsigned char *p = reserve(r, len);
	if (p)
		memcpy(p, data, len);
}

size_t nl_nest_start(struct nl_req *r, uint16_t type)
{
	size_t at = r->hdr.nlmsg_len;
	nl_put(r, type | NLA_F_NESTED, NULL, 0);
	return at;
}

void nl_nest_end(struct nl_req *r, size_t at)
{
	if (r->overflow)
		return;
	struct nlattr *a = (struct nlattr *)(r->buf + at);
	a->nla_len = (uint16_t)(r->hdr.nlmsg_len - at);
}

// The extended ack's message, if the kernel sent one after the (capped) echo of our header.
static const char *ext_ack_msg(const struct nlmsghdr *h)
{
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	const struct nlmsgerr *err = NLMSG_DATA(h);
	size_t off = sizeof *err;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof err->msg;
	const unsigned char *p = (const unsigned char *)err + NLMSG_ALIGN(off);
	const unsigned char *end = (const unsigned char *)h + h->nlmsg_len;
	while (end - p >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		if (a->nla_len < NLA_HDRLEN || a->nla_len > end - p)
			break;
		size_t len = a->nla_len - NLA_HDRLEN;
		const char *s = (const char *)p + NLA_HDRLEN;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG && len > 0 && s[len - 1] == '\0')
			return s;
		p += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

int nl_talk(int fd, struct nl_req *r, int ok_err, struct berr *e, const char *what)
{
	if (r->overflow)
		return berr_set(e, EMSGSIZE, "%s: netlink request larger than %d bytes", what, NL_REQ_MAX);
	static uint32_t seq;
	r->hdr.nlmsg_seq = ++seq;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	ssize_t n;
	do
		n = sendto(fd, r->buf, r->hdr.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return berr_sys(e, "%s: sendto(netlink)", what);
	// An ack is small: our header echo is capped, the extended ack message a line.
	union {
		struct nlmsghdr hdr;
		unsigned char buf[8192];
	} ans;
	for (;;) {
		do
			n = recv(fd, ans.buf, sizeof ans.buf, 0);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return berr_sys(e, "%s: recv(netlink)", what);
		for (struct nlmsghdr *h = &ans.hdr; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != r->hdr.nlmsg_seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
				return berr_set(e, EBADMSG, "%s: truncated netlink ack", what);
			const struct nlmsgerr *err = NLMSG_DATA(h);
			int code = -err->error;
			if (code == 0)
				return 0;
			if (code == ok_err)
				return 1;
			const char *ext = ext_ack_msg(h);
			if (ext)
				return berr_set(e, code, "%s: %s (%s)", what, strerror(code), ext);
			return berr_set(e, code, "%s: %s", what, strerror(code));
		}
	}
}
