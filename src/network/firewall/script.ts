// The nft scripts berth runs, as pure functions of plain data: one `table inet berth` holding the user's chain
// (`user`, never touched), the per-network filter/NAT chains (rewritten together on a network change) and four maps
// of published ports (changed element by element, so one container's ports cost one small batch).
import { isIPv4 } from 'node:net';
import {
  checkNetwork,
  checkPort,
  type FirewallNetwork,
  type FirewallState,
  isWildcard,
  type PublishedPort,
  portFamily,
} from './types.js';

export const TABLE = 'inet berth';
export const USER_CHAIN = 'user';

/** The objects of an existing berth table, from `nft -j list table inet berth`. */
export interface TableObjects {
  chains: string[];
  sets: string[];
  maps: string[];
}

// Published ports, by family: exact host address, or any local address (the wildcard `0.0.0.0` / `::`).
const MAPS: Record<string, string> = {
  pub4: 'ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service',
  pub4any: 'inet_proto . inet_service : ipv4_addr . inet_service',
  pub6: 'ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service',
  pub6any: 'inet_proto . inet_service : ipv6_addr . inet_service',
};

// Base chains; `forward`, `postrouting` and `localnet` hold the per-network rules.
const BASE_CHAINS: Record<string, string> = {
  forward: 'type filter hook forward priority filter; policy accept;',
  localnet: 'type filter hook prerouting priority raw; policy accept;',
  prerouting: 'type nat hook prerouting priority dstnat; policy accept;',
  output: 'type nat hook output priority -100; policy accept;', // `dstnat` is not accepted by nft 1.0.6 for output
  postrouting: 'type nat hook postrouting priority srcnat; policy accept;',
};
const NETWORK_CHAINS = ['forward', 'postrouting', 'localnet'];

const q = (ifname: string) => `"${ifname}"`;
const anySet = (names: string[]) => (names.length === 1 ? q(names[0] ?? '') : `{ ${names.map(q).join(', ')} }`);

/** `add rule` lines for the network chains, which must be empty (created or flushed just before). */
export function networkRules(networks: FirewallNetwork[]): string[] {
  networks.forEach(checkNetwork);
  const rule = (chain: string, text: string) => `add rule ${TABLE} ${chain} ${text}`;
  const out: string[] = [rule('forward', `jump ${USER_CHAIN}`)];
  const bridges = networks.map((n) => n.bridge);
  // Isolation and internal networks first: nothing later may accept what they drop.
  for (const n of networks) {
    const others = bridges.filter((b) => b !== n.bridge);
    if (others.length > 0) out.push(rule('forward', `iifname ${q(n.bridge)} oifname ${anySet(others)} drop`));
    if (n.internal) {
      out.push(rule('forward', `iifname ${q(n.bridge)} oifname != ${q(n.bridge)} drop`));
      out.push(rule('forward', `oifname ${q(n.bridge)} iifname != ${q(n.bridge)} drop`));
    }
  }
  for (const n of networks) {
    const br = q(n.bridge);
    if (!n.internal) {
      out.push(rule('forward', `oifname ${br} ct state established,related accept`));
      out.push(rule('forward', `oifname ${br} ct status dnat accept`)); // published ports
    }
    // Within the bridge: routed hairpin traffic, and bridged traffic when br_netfilter hands it to the IP hooks.
    out.push(rule('forward', `iifname ${br} oifname ${br} ${n.icc ? 'accept' : 'drop'}`));
    if (!n.internal) out.push(rule('forward', `iifname ${br} accept`));
    out.push(rule('forward', `oifname ${br} drop`)); // unsolicited inbound
  }
  for (const n of networks) {
    if (n.internal) continue;
    const br = q(n.bridge);
    if (n.masquerade) {
      for (const s of n.subnets) {
        const ip = isIPv4(s.split('/')[0] ?? '') ? 'ip' : 'ip6';
        out.push(rule('postrouting', `${ip} saddr ${s} oifname != ${br} masquerade`));
      }
    }
    // The loopback path: the host's 127.0.0.1:port DNATed out the bridge needs a source the container can answer.
    out.push(rule('postrouting', `oifname ${br} ct status dnat ip saddr 127.0.0.0/8 masquerade`));
    // Hairpin: a container reaching a published port through the host's address comes back out its own bridge
    // (routed, or bridged back by br_netfilter); the target must answer through the host. (No iifname here: the
    // input interface is unknown in postrouting.)
    for (const s of n.subnets) {
      const ip = isIPv4(s.split('/')[0] ?? '') ? 'ip' : 'ip6';
      out.push(rule('postrouting', `oifname ${br} ct status dnat ${ip} saddr ${s} masquerade`));
    }
  }
  // route_localnet lets 127.0.0.1 be routed to the bridge; never let a container use it to reach the host's loopback.
  const routed = networks.filter((n) => !n.internal).map((n) => n.bridge);
  if (routed.length > 0) out.push(rule('localnet', `iifname ${anySet(routed)} ip daddr 127.0.0.0/8 drop`));
  return out;
}

/** The map and key of one published port. */
function element(p: PublishedPort): { map: string; key: string; value: string } {
  checkPort(p);
  const family = portFamily(p);
  const wildcard = isWildcard(p.hostIp);
  const map = `pub${family}${wildcard ? 'any' : ''}`;
  const key = wildcard ? `${p.proto} . ${p.hostPort}` : `${p.hostIp} . ${p.proto} . ${p.hostPort}`;
  return { map, key, value: `${p.containerIp} . ${p.containerPort}` };
}

function groupElements(ports: PublishedPort[], withValue: boolean): Map<string, string[]> {
  const byMap = new Map<string, string[]>();
  for (const p of ports) {
    const e = element(p);
    const list = byMap.get(e.map) ?? [];
    list.push(withValue ? `${e.key} : ${e.value}` : e.key);
    byMap.set(e.map, list);
  }
  return byMap;
}

function elementLines(verb: 'add' | 'delete', ports: PublishedPort[], withValue: boolean): string[] {
  return [...groupElements(ports, withValue)].map(
    ([map, elems]) => `${verb} element ${TABLE} ${map} { ${elems.join(', ')} }`,
  );
}

/**
 * Adds the ports' map elements. An element already there with the same target is a no-op; one taken by another
 * target fails the whole batch ("File exists"), so nothing is half-published.
 */
export function publishScript(ports: PublishedPort[]): string {
  return lines(elementLines('add', ports, true));
}

/**
 * Deletes the ports' elements. Each is added first with its target: a missing element is then no error, and one that
 * maps somewhere else (another container's) fails the batch instead of being removed.
 */
export function unpublishScript(ports: PublishedPort[]): string {
  return lines([...elementLines('add', ports, true), ...elementLines('delete', ports, false)]);
}

/** Rewrites the per-network chains in one batch; the maps, and so the published ports, are left alone. */
export function networksScript(networks: FirewallNetwork[]): string {
  return lines([...NETWORK_CHAINS.map((c) => `flush chain ${TABLE} ${c}`), ...networkRules(networks)]);
}

/**
 * The whole table from scratch, keeping the user's chain and its rules: every other object an earlier berth made
 * (listed in `existing`) is flushed and deleted, then everything is made again, elements included, in one batch.
 */
export function initScript(existing: TableObjects | undefined, state: FirewallState): string {
  const out = [`add table ${TABLE}`, `add chain ${TABLE} ${USER_CHAIN}`];
  const old = (existing?.chains ?? []).filter((c) => c !== USER_CHAIN);
  for (const c of old) out.push(`flush chain ${TABLE} ${c}`);
  for (const c of old) out.push(`delete chain ${TABLE} ${c}`);
  for (const m of existing?.maps ?? []) out.push(`delete map ${TABLE} ${m}`);
  for (const s of existing?.sets ?? []) out.push(`delete set ${TABLE} ${s}`);
  for (const [name, type] of Object.entries(MAPS)) out.push(`add map ${TABLE} ${name} { type ${type}; }`);
  out.push(`add chain ${TABLE} published`);
  out.push(`add rule ${TABLE} published dnat ip to ip daddr . meta l4proto . th dport map @pub4`);
  out.push(`add rule ${TABLE} published meta nfproto ipv4 dnat ip to meta l4proto . th dport map @pub4any`);
  out.push(`add rule ${TABLE} published dnat ip6 to ip6 daddr . meta l4proto . th dport map @pub6`);
  out.push(`add rule ${TABLE} published meta nfproto ipv6 dnat ip6 to meta l4proto . th dport map @pub6any`);
  for (const [name, spec] of Object.entries(BASE_CHAINS)) out.push(`add chain ${TABLE} ${name} { ${spec} }`);
  // Only traffic to the host's own addresses is published (as Docker's `-m addrtype --dst-type LOCAL`).
  out.push(`add rule ${TABLE} prerouting fib daddr type local jump published`);
  out.push(`add rule ${TABLE} output fib daddr type local jump published`);
  out.push(...networkRules(state.networks));
  out.push(...elementLines('add', state.ports, true));
  return lines(out);
}

/** Deletes berth's table, the user's chain with it; no error when there is none. */
export function removeScript(): string {
  return lines([`add table ${TABLE}`, `delete table ${TABLE}`]);
}

/** The chains, sets and maps named in `nft -j list table inet berth` output. */
export function parseTableListing(json: string): TableObjects {
  const doc: unknown = JSON.parse(json);
  const objects = { chains: [] as string[], sets: [] as string[], maps: [] as string[] };
  const items = typeof doc === 'object' && doc !== null && 'nftables' in doc ? doc.nftables : [];
  for (const item of Array.isArray(items) ? items : []) {
    for (const [kind, list] of [
      ['chain', objects.chains],
      ['set', objects.sets],
      ['map', objects.maps],
    ] as const) {
      const o: unknown = typeof item === 'object' && item !== null && kind in item ? item[kind] : undefined;
      if (typeof o === 'object' && o !== null && 'name' in o && typeof o.name === 'string') list.push(o.name);
    }
  }
  return objects;
}

const lines = (ls: string[]) => (ls.length === 0 ? '' : `${ls.join('\n')}\n`);
