// A container's /etc/resolv.conf as Docker 20.10 writes it (libnetwork's resolvconf package and sandbox_dns_unix.go),
// and, with the embedded DNS, the servers it forwards to. Pure: the caller reads the host's file.
import { InvalidParameter } from '../../errdefs/index.js';

/** The embedded DNS server's address inside the container (libnetwork's resolverIPSandbox). */
export const EMBEDDED_DNS_ADDRESS = '127.0.0.11';

/**
 * host: the host's network (its file as is); bridge: a private network without the embedded DNS (the default
 * bridge); embedded: a user-defined network, whose queries go to 127.0.0.11.
 */
export type ResolvConfMode = 'host' | 'bridge' | 'embedded';

export interface ResolvConfOptions {
  mode: ResolvConfMode;
  /** The host's resolv.conf text ('' when it is missing). */
  host: string;
  /** --dns, --dns-search, --dns-option (or the daemon's defaults): each replaces the host's lines of its kind. */
  dns?: readonly string[];
  dnsSearch?: readonly string[];
  dnsOptions?: readonly string[];
  /** IPv6 is enabled on the container's network: IPv6 nameservers are kept (bridge, embedded). */
  ipv6?: boolean;
  /** Nameservers used when filtering out loopback ones leaves none: Docker's are Google's (the default here). The
   * IPv6 ones count only with `ipv6`. */
  fallback?: readonly string[];
}

export interface ResolvConf {
  content: string;
  /** Embedded mode: the servers the embedded DNS forwards to (at most 3, as Docker); otherwise empty. */
  upstreams: string[];
}

const DEFAULT_FALLBACK = ['8.8.8.8', '8.8.4.4', '2001:4860:4860::8888', '2001:4860:4860::8844'];
/** libnetwork's maxExtDNS. */
const MAX_UPSTREAMS = 3;

// libnetwork's regular expressions, with Go's \s ([\t\n\f\r ]) spelled out; Go's (RE2) leftmost-first matching
// picks the same matches as JavaScript's backtracking for these.
const S = '[\\t\\n\\f\\r ]';
const NOT_S = '[^\\t\\n\\f\\r ]';
const IPV4_BLOCK = '(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)';
const IPV4 = `(${IPV4_BLOCK}\\.){3}${IPV4_BLOCK}`;
const IPV6 = '([0-9A-Fa-f]{0,4}:){2,7}([0-9A-Fa-f]{0,4})(%\\w+)?';
const LOCALHOST_NS = new RegExp(`^nameserver${S}+((127\\.([0-9]{1,3}\\.){2}[0-9]{1,3})|(::1)$)${S}*\\n*`, 'gm');
const IPV6_NS = new RegExp(`^nameserver${S}+${IPV6}${S}*\\n*`, 'gm');
const NS = {
  any: new RegExp(`^${S}*nameserver${S}*((${IPV4})|(${IPV6}))${S}*$`),
  v4: new RegExp(`^${S}*nameserver${S}*((${IPV4}))${S}*$`),
  v6: new RegExp(`^${S}*nameserver${S}*((${IPV6}))${S}*$`),
};
const SEARCH = new RegExp(`^${S}*search${S}*((${NOT_S}+${S}*)*)$`);
const OPTIONS = new RegExp(`^${S}*options${S}*((${NOT_S}+${S}*)*)$`);
const FIELDS = new RegExp(`${S}+`);

/** Lines without their comments (from the first #). */
const lines = (text: string): string[] => text.split('\n').map((l) => l.split('#', 1)[0] ?? '');

export function nameservers(text: string, kind: keyof typeof NS = 'any'): string[] {
  return lines(text).flatMap((l) => NS[kind].exec(l)?.[1] ?? []);
}

/** The last matching line's fields (libnetwork's GetSearchDomains / GetOptions). */
function lastFields(text: string, re: RegExp): string[] {
  let out: string[] = [];
  for (const l of lines(text)) {
    const m = re.exec(l);
    if (m) out = (m[1] ?? '').split(FIELDS).filter((f) => f !== '');
  }
  return out;
}
export const searchDomains = (text: string): string[] => lastFields(text, SEARCH);
export const resolvOptions = (text: string): string[] => lastFields(text, OPTIONS);

const isIPv6 = (ip: string) => ip.includes(':');

/**
 * libnetwork's FilterResolvDNS: loopback nameservers removed (and IPv6 ones without `ipv6`); if none is left, the
 * fallback appended. The rest of the text is kept byte for byte.
 */
export function filterResolvDns(text: string, ipv6: boolean, fallback: readonly string[] = DEFAULT_FALLBACK): string {
  let cleaned = text.replace(LOCALHOST_NS, '');
  if (!ipv6) cleaned = cleaned.replace(IPV6_NS, '');
  if (nameservers(cleaned).length === 0) {
    const add = fallback.filter((ip) => ipv6 || !isIPv6(ip)).map((ip) => `nameserver ${ip}`);
    if (add.length > 0) cleaned += `\n${add.join('\n')}`;
  }
  return cleaned;
}

/** libnetwork's resolvconf.Build: search, nameservers, options, in that order. */
function build(dns: readonly string[], search: readonly string[], options: readonly string[]): string {
  let out = '';
  if (search.length > 0 && search.join(' ').trim() !== '.') out += `search ${search.join(' ')}\n`;
  for (const ns of dns) out += `nameserver ${ns}\n`;
  if (options.length > 0 && options.join(' ').trim() !== '') out += `options ${options.join(' ')}\n`;
  return out;
}

/** Whether the options set ndots themselves (then the embedded DNS's ndots:0 is not added); Docker's checks. */
function setsNdots(options: readonly string[]): boolean {
  const opt = options.find((o) => o.includes('ndots'));
  if (opt === undefined) return false;
  const parts = opt.split(':');
  if (parts.length !== 2) throw new InvalidParameter(`invalid ndots option ${opt}`);
  const num = parts[1] ?? '';
  if (!/^[+-]?\d+$/.test(num) || Number(num) < 0) throw new InvalidParameter(`invalid number for ndots option: ${num}`);
  return true;
}

export function resolvConf(opts: ResolvConfOptions): ResolvConf {
  const { host, mode } = opts;
  const ipv6 = opts.ipv6 ?? false;
  const dns = opts.dns ?? [];
  const dnsSearch = opts.dnsSearch ?? [];
  const dnsOptions = opts.dnsOptions ?? [];
  const custom = dns.length > 0 || dnsSearch.length > 0 || dnsOptions.length > 0;
  // What Docker writes first (setupDNS), then filters again once the network's IPv6 setting is known (updateDNS).
  const filtered = () => filterResolvDns(filterResolvDns(host, true, opts.fallback), ipv6, opts.fallback);

  if (!custom) {
    if (mode === 'host') return { content: host, upstreams: [] };
    if (mode === 'bridge') return { content: filtered(), upstreams: [] };
  }
  let base: string;
  if (custom) {
    // Nameservers not given: the host's. On the default bridge Docker keeps even loopback ones here, which the
    // container cannot reach; berth filters them as it does without --dns*.
    const servers = dns.length > 0 ? dns : nameservers(mode === 'bridge' ? filtered() : host);
    base = build(
      servers,
      dnsSearch.length > 0 ? dnsSearch : searchDomains(host),
      dnsOptions.length > 0 ? dnsOptions : resolvOptions(host),
    );
    if (mode !== 'embedded') return { content: base, upstreams: [] };
  } else {
    base = filtered();
  }
  // The embedded DNS (rebuildDNS): 127.0.0.11 first, IPv6 servers listed as they are, ndots:0 unless set.
  const options = resolvOptions(base);
  const content = build(
    [EMBEDDED_DNS_ADDRESS, ...nameservers(base, 'v6')],
    searchDomains(base),
    setsNdots(options) ? options : [...options, 'ndots:0'],
  );
  // Forwarded to: the IPv4 servers of --dns, or the host's including loopback ones (berthd runs in the host's
  // network namespace and reaches them), or if the host has none, the fallback.
  let upstreams = nameservers(custom ? base : host, 'v4');
  if (upstreams.length === 0 && !custom) upstreams = nameservers(base, 'v4');
  return { content, upstreams: upstreams.slice(0, MAX_UPSTREAMS) };
}
