// The rtnetlink ops of a network plan: links (bridge, veth pair, master, up, delete), addresses and routes, each one
// request and its ack on the current namespace's socket. Names are resolved in the current namespace.
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "cleanup.h"
#include "netlink.h"
#include "netplan.h"

#ifndef IFLA_BRPORT_MODE
#define IFLA_BRPORT_MODE 4
#endif

// "" and "0" leave the kernel's default.
static int parse_mtu(const char *s, uint32_t *mtu, const char *what, struct berr *e)
{
	uint64_t v = 0;
	if (*s && (parse_u64(s, &v) < 0 || v > 65535))
		return berr_set(e, EINVAL, "%s: invalid MTU \"%s\"", what, s);
	*mtu = (uint32_t)v;
	return 0;
}

static int parse_mac(const char *s, unsigned char mac[6], const char *what, struct berr *e)
{
	unsigned v[6];
	char end;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) != 6 ||
	    strlen(s) != 17)
		return berr_set(e, EINVAL, "%s: invalid MAC address \"%s\"", what, s);
	for (int i = 0; i < 6; i++)
		mac[i] = (unsigned char)v[i];
	return 0;
}

// An address of either family: `bytes` is 4 or 16 long.
struct ipaddr {
	int family;
	size_t bytes;
	unsigned char a[16];
};

static int parse_ip(const char *s, struct ipaddr *ip)
{
	if (inet_pton(AF_INET, s, ip->a) == 1) {
		ip->family = AF_INET;
		ip->bytes = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip->a) == 1) {
		ip->family = AF_INET6;
		ip->bytes = 16;
		return 0;
	}
	return -1;
}

// "10.0.0.2/24" or "fd00::2/64".
static int parse_cidr(const char *s, struct ipaddr *ip, unsigned *prefix, const char *what, struct berr *e)
{
	const char *slash = strchr(s, '/');
	char addr[INET6_ADDRSTRLEN];
	uint64_t len;
	if (!slash || (size_t)(slash - s) >= sizeof addr || parse_u64(slash + 1, &len) < 0)
		return berr_set(e, EINVAL, "%s: invalid CIDR address \"%s\"", what, s);
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (parse_ip(addr, ip) < 0 || len > ip->bytes * 8)
		return berr_set(e, EINVAL, "%s: invalid CIDR address \"%s\"", what, s);
	*prefix = (unsigned)len;
	return 0;
}

static int link_index(const char *name, const char *what, struct berr *e)
{
	unsigned idx = if_nametoindex(name);
	if (idx == 0)
		return berr_sys(e, "%s: link %s", what, name);
	return (int)idx;
}

static void put_link_mtu_mac(struct nl_req *r, uint32_t mtu, const unsigned char *mac)
{
	if (mtu)
		nl_put_u32(r, IFLA_MTU, mtu);
	if (mac)
		nl_put(r, IFLA_ADDRESS, mac, 6);
}

int net_bridge(struct netctx *c, const struct plan_step *s, struct berr *e)
{
	const char *name = s->argv[0];
	char what[64];
	snprintf(what, sizeof what, "BRIDGE %s", name);
	uint32_t mtu;
	unsigned char mac[6];
	if (parse_mtu(s->argv[1], &mtu, what, e) < 0 || (*s->argv[2] && parse_mac(s->argv[2], mac, what, e) < 0))
		return -1;
	int nl = netctx_nl(c, e);
	if (nl < 0)
		return -1;
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct nl_req r;
	nl_req_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
	nl_put_str(&r, IFLA_IFNAME, name);
	put_link_mtu_mac(&r, mtu, *s->argv[2] ? mac : NULL);
	size_t info = nl_nest_start(&r, IFLA_LINKINFO);
	nl_put_str(&r, IFLA_INFO_KIND, "bridge");
	nl_nest_end(&r, info);
	int rc = nl_talk(nl, &r, EEXIST, e, what);
	if (rc <= 0)
		return rc;
	// It exists: bring its MTU and MAC to what the plan says. An empty IFLA_INFO_DATA makes the kernel check that
	// the existing link is a bridge (EOPNOTSUPP otherwise).
	nl_req_init(&r, RTM_NEWLINK, 0, &ifi, sizeof ifi);
	nl_put_str(&r, IFLA_IFNAME, name);
	put_link_mtu_mac(&r, mtu, *s->argv[2] ? mac : NULL);
	info = nl_nest_start(&r, IFLA_LINKINFO);
	nl_put_str(&r, IFLA_INFO_KIND, "bridge");
	nl_nest_end(&r, nl_nest_start(&r, IFLA_INFO_DATA));
	nl_nest_end(&r, info);
	return nl_talk(nl, &r, 0, e, what) < 0 ? -1 : 0;
}

// The peer is made directly in its namespace under its final name (IFLA_NET_NS_FD in VETH_INFO_PEER), so no move
// or rename step can fail half-way: the pair exists whole or not at all.
int net_veth(struct netctx *c, const struct plan_step *s, struct berr *e)
{
	const char *host = s->argv[0], *peer = s->argv[1], *nspath = s->argv[2];
	char what[64];
	snprintf(what, sizeof what, "VETH %s/%s", host, peer);
	uint32_t mtu;
	unsigned char mac[6];
	if (parse_mtu(s->argv[3], &mtu, what, e) < 0 || (*s->argv[4] && parse_mac(s->argv[4], mac, what, e) < 0))
		return -1;
	cleanup_fd int nsfd = -1;
	if (*nspath) {
		nsfd = open(nspath, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0)
			return berr_sys(e, "%s: open(%s)", what, nspath);
	}
	int nl = netctx_nl(c, e);
	if (nl < 0)
		return -1;
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct nl_req r;
	nl_req_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
	nl_put_str(&r, IFLA_IFNAME, host);
	put_link_mtu_mac(&r, mtu, NULL);
	size_t info = nl_nest_start(&r, IFLA_LINKINFO);
	nl_put_str(&r, IFLA_INFO_KIND, "veth");
	size_t data = nl_nest_start(&r, IFLA_INFO_DATA);
	size_t peer_info = nl_nest_start(&r, VETH_INFO_PEER);
	nl_put_raw(&r, &ifi, sizeof ifi);
	nl_put_str(&r, IFLA_IFNAME, peer);
	put_link_mtu_mac(&r, mtu, *s->argv[4] ? mac : NULL);
	if (nsfd >= 0)
		nl_put_u32(&r, IFLA_NET_NS_FD, (uint32_t)nsfd);
	nl_nest_end(&r, peer_info);
	nl_nest_end(&r, data);
	nl_nest_end(&r, info);
	return nl_talk(nl, &r, 0, e, what);
}

// RTM_NEWLINK on an existing link, found by name: ifi_index 0 plus IFLA_IFNAME.
static void setlink_init(struct nl_req *r, const char *name, unsigned flags, unsigned change)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_flags = flags, .ifi_change = change};
	nl_req_init(r, RTM_NEWLINK, 0, &ifi, sizeof ifi);
	nl_put_str(r, IFLA_IFNAME, name);
}

// Hairpin (IFLA_BRPORT_MODE) lets a port's traffic come back out of the same port, as docker sets it when its
// userland proxy is off: a container then reaches its own published port through the host's address.
int net_master(struct netctx *c, const struct plan_step *s, struct berr *e)
{
	const char *name = s->argv[0], *master = s->argv[1];
	int hairpin = s->argc > 2 && strcmp(s->argv[2], "1") == 0;
	char what[64];
	snprintf(what, sizeof what, "MASTER %s %s", name, master);
	int nl = netctx_nl(c, e);
	if (nl < 0)
		return -1;
	int midx = link_index(master, what, e);
	if (midx < 0)
		return -1;
	struct nl_req r;
	setlink_init(&r, name, 0, 0);
	nl_put_u32(&r, IFLA_MASTER, (uint32_t)midx);
	if (nl_talk(nl, &r, 0, e, what) < 0)
		return -1;
	if (!hairpin)
		return 0;
	// The bridge port's own settings travel in an AF_BRIDGE RTM_SETLINK, which finds the port by index only.
	int idx = link_index(name, what, e);
	if (idx < 0)
		return -1;
	struct ifinfomsg ifi = {.ifi_family = AF_BRIDGE, .ifi_index = idx};
	nl_req_init(&r, RTM_SETLINK, 0, &ifi, sizeof ifi);
	size_t proto = nl_nest_start(&r, IFLA_PROTINFO);
	nl_put_u8(&r, IFLA_BRPORT_MODE, 1);
	nl_nest_end(&r, proto);
	return nl_talk(nl, &r, 0, e, what);
}

int net_up(struct netctx *c, const struct plan_step *s, struct berr *e)
{
	char what[64];
	snprintf(what, sizeof what, "UP %s", s->argv[0]);
	int nl = netctx_nl(c, e);
	if (nl < 0)
		return -1;
	struct nl_req r;
	setlink_init(&r, s->argv[0], IFF_UP, IFF_UP);
	return nl_talk(nl, &r, 0, e, what);
}

// Deleting either end of a veth pair deletes both.
int net_link_delete(struct netctx *c, const struct plan_step *s, struct berr *e)
{
	char what[64];
	snprintf(what, sizeof what, "LINK_DELETE %s", s->argv[0]);
	int nl = netctx_nl(c, e);
	if (nl < 0)
		return -1;
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct nl_req r;
	nl_req_init(&r, RTM_DELLINK, 0, &ifi, sizeof ifi);
	nl_put_str(&r, IFLA_IFNAME, s->argv[0]);
	return nl_talk(nl, &r, ENODEV, e, what) < 0 ? -1 : 0;
}

// RTM_NEWADDR/RTM_DELADDR for `cidr` on `name`; `flags` are IFA_F_* (NODAD).
static int addr_request(struct netctx *c, const struct plan_step *s, uint16_t type, uint16_t nlflags, uint32_t flags,
			int ok_err, const char *what, struct berr *e)
{
	struct ipaddr ip;
	unsigned prefix;
	if (parse_cidr(s->argv[1], &ip, &prefix, what, e) < 0)
		return -1;
	int nl = netctx_nl(c, e);
	if (nl < 0)
		return -1;
	int idx = link_index(s->argv[0], what, e);
	if (idx < 0)
		return -1;
	struct ifaddrmsg ifa = {
		.ifa_family = (unsigned char)ip.family,
		.ifa_prefixlen = (unsigned char)prefix,
		.ifa_flags = (unsigned char)(flags & 0xff),
		.ifa_index = (unsigned)idx,
	};
	struct nl_req r;
	nl_req_init(&r, type, nlflags, &ifa, sizeof ifa);
	nl_put(&r, IFA_LOCAL, ip.a, ip.bytes);
	nl_put(&r, IFA_ADDRESS, ip.a, ip.bytes);
	if (type == RTM_NEWADDR && flags)
		nl_put_u32(&r, IFA_FLAGS, flags);
	// IPv4 gets its broadcast address, as `ip addr add … brd +` and docker's netlink library give it.
	if (type == RTM_NEWADDR && ip.family == AF_INET && prefix < 31) {
		uint32_t a;
		memcpy(&a, ip.a, 4);
		a |= htonl(prefix == 0 ? 0xffffffffu : (1u << (32 - prefix)) - 1);
		nl_put(&r, IFA_BROADCAST, &a, 4);
	}
	return nl_talk(nl, &r, ok_err, e, what) < 0 ? -1 : 0;
}

int net_addr(struct netctx *c, const struct plan_step *s, struct berr *e)
{
	char what[96];
	snprintf(what, sizeof what, "ADDR %s %s", s->argv[0], s->argv[1]);
	uint32_t flags = 0;
	if (s->argc > 2) {
		if (strcmp(s->argv[2], "nodad") != 0)
			return berr_set(e, EINVAL, "%s: unknown flag \"%s\"", what, s->argv[2]);
		flags |= IFA_F_NODAD;
	}
	return addr_request(c, s, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, flags, 0, what, e);
}

int net_addr_del(struct netctx *c, const struct plan_step *s, struct berr *e)
{
	char what[96];
	snprintf(what, sizeof what, "ADDR_DEL %s %s", s->argv[0], s->argv[1]);
	// A missing device has no address either.
	if (addr_request(c, s, RTM_DELADDR, 0, 0, EADDRNOTAVAIL, what, e) < 0 && e->err != ENODEV)
		return -1;
	return 0;
}

// ROUTE dst gateway dev: dst `default` takes its family from the gateway.
int net_route(struct netctx *c, const struct plan_step *s, struct berr *e)
{
	const char *dst = s->argv[0], *gw = s->argv[1], *dev = s->argv[2];
	char what[128];
	snprintf(what, sizeof what, "ROUTE %s via %s dev %s", dst, *gw ? gw : "-", dev);
	struct ipaddr to = {0}, via = {0};
	unsigned prefix = 0;
	if (*gw && parse_ip(gw, &via) < 0)
		return berr_set(e, EINVAL, "%s: invalid gateway \"%s\"", what, gw);
	if (strcmp(dst, "default") == 0) {
		if (!*gw)
			return berr_set(e, EINVAL, "%s: a default route without a gateway needs 0.0.0.0/0 or ::/0", what);
		to.family = via.family;
	} else if (parse_cidr(dst, &to, &prefix, what, e) < 0) {
		return -1;
	}
	if (*gw && via.family != to.family)
		return berr_set(e, EINVAL, "%s: gateway and destination are of different families", what);
	int nl = netctx_nl(c, e);
	if (nl < 0)
		return -1;
	int idx = link_index(dev, what, e);
	if (idx < 0)
		return -1;
	struct rtmsg rt = {
		.rtm_family = (unsigned char)to.family,
		.rtm_dst_len = (unsigned char)prefix,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_BOOT,
		// As `ip route`: a route without a gateway is on-link (IPv4 only; IPv6 routes are all universe).
		.rtm_scope = (*gw || to.family == AF_INET6) ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
		.rtm_type = RTN_UNICAST,
	};
	struct nl_req r;
	nl_req_init(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, &rt, sizeof rt);
	if (prefix)
		nl_put(&r, RTA_DST, to.a, to.bytes);
	if (*gw)
		nl_put(&r, RTA_GATEWAY, via.a, via.bytes);
	nl_put_u32(&r, RTA_OIF, (uint32_t)idx);
	return nl_talk(nl, &r, 0, e, what) < 0 ? -1 : 0;
}
