// The network plans of the bridge driver, as pure functions: a bridge with its gateway addresses, a container's
// namespace with its endpoints, endpoints added to or taken from a running container, and their teardown. Each plan
// is run by one `berth-helper net` process (src/network/netlink).
import type { NetOp } from '../netlink/index.js';

/** A Linux bridge as a network needs it: gateway addresses in CIDR form (172.17.0.1/16, fd00::1/64). */
export interface BridgeSpec {
  name: string;
  mtu: number;
  gateways: string[];
}

/** One container interface on a bridge. */
export interface EndpointSpec {
  ifname: string;
  hostVeth: string;
  bridge: string;
  mtu: number;
  mac: string;
  ipv4?: string;
  ipv6?: string;
  gateway4?: string;
  gateway6?: string;
}

/** The bridge, created if absent, with its gateway addresses, up (the firewall sets its route_localnet). */
export function bridgePlan(b: BridgeSpec): NetOp[] {
  return [
    { op: 'bridge', name: b.name, mtu: b.mtu, mac: '' },
    ...b.gateways.map((cidr): NetOp => ({ op: 'addr', name: b.name, cidr, nodad: cidr.includes(':') })),
    { op: 'up', name: b.name },
  ];
}

/**
 * The host ends of endpoints: made in the current (daemon's) namespace, peers straight into `netns`. A name still
 * held by a pair whose namespace the kernel has not finished tearing down (a quick restart) is deleted first.
 */
function hostEnds(netns: string, eps: readonly EndpointSpec[]): NetOp[] {
  return eps.flatMap((e): NetOp[] => [
    { op: 'linkDelete', name: e.hostVeth },
    { op: 'veth', hostName: e.hostVeth, peerName: e.ifname, peerNetnsPath: netns, mtu: e.mtu, peerMac: e.mac },
    { op: 'master', name: e.hostVeth, master: e.bridge, hairpin: true },
    { op: 'up', name: e.hostVeth },
  ]);
}

/** Inside the container's namespace: addresses, links up, and (first endpoint with one) the default routes. */
function containerEnds(eps: readonly EndpointSpec[], withRoutes: boolean): NetOp[] {
  const ops: NetOp[] = [];
  for (const e of eps) {
    if (!e.ipv6) ops.push({ op: 'sysctl', path: `net/ipv6/conf/${e.ifname}/disable_ipv6`, value: '1' });
    if (e.ipv4) ops.push({ op: 'addr', name: e.ifname, cidr: e.ipv4 });
    if (e.ipv6) ops.push({ op: 'addr', name: e.ifname, cidr: e.ipv6, nodad: true });
    ops.push({ op: 'up', name: e.ifname });
  }
  if (withRoutes) {
    const v4 = eps.find((e) => e.gateway4);
    if (v4?.gateway4) ops.push({ op: 'route', dst: 'default', gateway: v4.gateway4, dev: v4.ifname });
    const v6 = eps.find((e) => e.gateway6);
    if (v6?.gateway6) ops.push({ op: 'route', dst: 'default', gateway: v6.gateway6, dev: v6.ifname });
  }
  return ops;
}

/**
 * Docker's resolver address inside the container, 127.0.0.11:53, sent on to the embedded DNS at `server` (berthd,
 * listening on the network's gateway): NAT in the container's own namespace, loaded by nft.
 */
export function dnsRedirectRuleset(server: string): string {
  return [
    'table ip berth_dns {',
    '  chain output {',
    '    type nat hook output priority -100; policy accept;',
    `    ip daddr 127.0.0.11 meta l4proto { tcp, udp } th dport 53 dnat to ${server}:53`,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority 100; policy accept;',
    `    ip saddr 127.0.0.0/8 ip daddr ${server} meta l4proto { tcp, udp } th dport 53 masquerade`,
    '  }',
    '}',
    '',
  ].join('\n');
}

function dnsRedirect(eps: readonly EndpointSpec[], server: string | undefined): NetOp[] {
  if (!server) return [];
  const dev = eps.find((e) => e.ipv4)?.ifname ?? 'eth0';
  return [
    // A loopback-sourced packet may leave through eth0 only with route_localnet (then it is masqueraded).
    { op: 'sysctl', path: `net/ipv4/conf/${dev}/route_localnet`, value: '1' },
    { op: 'exec', stdin: dnsRedirectRuleset(server), argv: ['nft', '-f', '-'] },
  ];
}

/** A container's namespace pinned at `netns`, with its endpoints, routes and resolver redirect. */
export function sandboxPlan(netns: string, eps: readonly EndpointSpec[], dnsServer?: string): NetOp[] {
  return [
    { op: 'netnsCreate', path: netns },
    ...hostEnds(netns, eps),
    { op: 'netnsEnter', path: netns },
    ...containerEnds(eps, true),
    ...dnsRedirect(eps, dnsServer),
    { op: 'netnsLeave' },
  ];
}

/** Endpoints added to a running container (network connect): no route changes. */
export function attachPlan(netns: string, eps: readonly EndpointSpec[], dnsServer?: string): NetOp[] {
  return [
    ...hostEnds(netns, eps),
    { op: 'netnsEnter', path: netns },
    ...containerEnds(eps, false),
    ...dnsRedirect(eps, dnsServer),
    { op: 'netnsLeave' },
  ];
}

/** Host ends deleted (the container ends go with them): a disconnect from a running container. */
export function teardownPlan(hostVeths: readonly string[]): NetOp[] {
  return hostVeths.map((name): NetOp => ({ op: 'linkDelete', name }));
}

/**
 * A stopped container's namespace unpinned: with its processes gone that was its last reference, and the kernel
 * destroys it with its veth pairs in the background. Deleting each link here instead would wait for the kernel's
 * network-wide synchronisation once per link (~10-30 ms each, measured), on every container's exit.
 */
export function destroyPlan(netns: string): NetOp[] {
  return [{ op: 'netnsDelete', path: netns }];
}
