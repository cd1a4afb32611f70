// A container's /etc/hosts as Docker 20.10 writes it (libnetwork's etchosts.Build, then one line per endpoint):
// the localhost lines, --add-host entries, legacy links, then the container's own address lines.

/** A legacy `--link name:alias` as its hosts line: the linked container's addresses under alias, hostname, name. */
export interface HostsLink {
  alias: string;
  /** The linked container's name, without the leading slash. */
  name: string;
  hostname: string;
  /** Its IPv4 and (if any) global IPv6 address on the default bridge. */
  addresses: readonly string[];
}

export interface HostsOptions {
  hostname: string;
  domainname?: string;
  /** The container's own addresses, in the order its endpoints joined (each network's IPv4, then its IPv6). */
  addresses?: readonly string[];
  /** `--add-host` entries, `host:ip` (split on the first colon; host-gateway already substituted). */
  extraHosts?: readonly string[];
  links?: readonly HostsLink[];
  /** Host network mode: the host's /etc/hosts, used as is unless --add-host is given (as Docker). */
  hostHosts?: string;
}

/** libnetwork's etchosts defaultContent. */
const LOCAL_HOSTS: ReadonlyArray<readonly [string, string]> = [
  ['127.0.0.1', 'localhost'],
  ['::1', 'localhost ip6-localhost ip6-loopback'],
  ['fe00::0', 'ip6-localnet'],
  ['ff00::0', 'ip6-mcastprefix'],
  ['ff02::1', 'ip6-allnodes'],
  ['ff02::2', 'ip6-allrouters'],
];

/** The names on the container's own line: the FQDN and the bare hostname when they differ (etchosts.Build). */
function ownNames(hostname: string, domainname: string | undefined): string {
  const fqdn = domainname ? `${hostname}.${domainname}` : hostname;
  const dot = fqdn.indexOf('.');
  return dot === -1 ? fqdn : `${fqdn} ${fqdn.slice(0, dot)}`;
}

/** Docker's hosts names for a link: alias and hostname, and the name too when it is not the alias. */
function linkNames(l: HostsLink): string {
  return l.alias === l.name ? `${l.alias} ${l.hostname}` : `${l.alias} ${l.hostname} ${l.name}`;
}

export function hostsFile(opts: HostsOptions): string {
  const extra = opts.extraHosts ?? [];
  if (opts.hostHosts !== undefined && extra.length === 0) return opts.hostHosts;
  const records: Array<readonly [string, string]> = [...LOCAL_HOSTS];
  for (const h of extra) {
    const i = h.indexOf(':');
    records.push([h.slice(i + 1), h.slice(0, i)]);
  }
  if (opts.hostHosts === undefined) {
    for (const l of opts.links ?? []) for (const ip of l.addresses) records.push([ip, linkNames(l)]);
    const names = ownNames(opts.hostname, opts.domainname);
    for (const ip of opts.addresses ?? []) records.push([ip, names]);
  }
  return records.map(([ip, names]) => `${ip}\t${names}\n`).join('');
}
