// The per-container files the engine writes and bind-mounts: /etc/hostname, /etc/hosts and /etc/resolv.conf, as
// Docker writes them (src/network/files builds them): the host's for the host network, the container's addresses,
// --add-host entries and legacy links otherwise; resolv.conf pointing at the embedded DNS on user networks.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../lib/atomic-file.js';
import { type HostsLink, hostsFile, resolvConf } from '../../network/files/index.js';
import type { Mount } from '../../runtime/spec.js';

export interface ContainerFiles {
  hostnamePath: string;
  hostsPath: string;
  resolvConfPath: string;
}

export function containerFiles(dir: string): ContainerFiles {
  return {
    hostnamePath: join(dir, 'hostname'),
    hostsPath: join(dir, 'hosts'),
    resolvConfPath: join(dir, 'resolv.conf'),
  };
}

export interface FilesInput {
  hostname: string;
  domainname?: string;
  /** host: the host's files; bridge: a private namespace without the embedded DNS; embedded: a user network's. */
  mode: 'host' | 'bridge' | 'embedded';
  /** The container's own addresses (bare). */
  addresses: string[];
  /** `--add-host` entries with host-gateway already substituted. */
  extraHosts: string[];
  links: HostsLink[];
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  ipv6: boolean;
  /** Nameservers for when the host has only loopback ones (berthd's DNS forwarding on the bridge's gateway). */
  fallback?: string[];
}

export async function writeContainerFiles(files: ContainerFiles, f: FilesInput): Promise<void> {
  const [hostResolv, hostHosts] = await Promise.all([
    readFile('/etc/resolv.conf', 'utf8').catch(() => ''),
    f.mode === 'host' ? readFile('/etc/hosts', 'utf8').catch(() => '') : Promise.resolve(undefined),
  ]);
  const hosts = hostsFile({
    hostname: f.hostname,
    ...(f.domainname ? { domainname: f.domainname } : {}),
    addresses: f.addresses,
    extraHosts: f.extraHosts,
    links: f.links,
    ...(hostHosts !== undefined ? { hostHosts } : {}),
  });
  const resolv = resolvConf({
    mode: f.mode,
    host: hostResolv,
    dns: f.dns,
    dnsSearch: f.dnsSearch,
    dnsOptions: f.dnsOptions,
    ipv6: f.ipv6,
    ...(f.fallback ? { fallback: f.fallback } : {}),
  });
  await Promise.all([
    writeFileAtomic(files.hostnamePath, `${f.hostname}\n`, { durable: false }),
    writeFileAtomic(files.hostsPath, hosts, { durable: false }),
    writeFileAtomic(files.resolvConfPath, resolv.content, { durable: false }),
  ]);
}

export function containerFileMounts(files: ContainerFiles, readonly: boolean): Mount[] {
  const opts = ['rbind', readonly ? 'ro' : 'rw', 'rprivate'];
  return [
    { destination: '/etc/resolv.conf', type: 'bind', source: files.resolvConfPath, options: opts },
    { destination: '/etc/hostname', type: 'bind', source: files.hostnamePath, options: opts },
    { destination: '/etc/hosts', type: 'bind', source: files.hostsPath, options: opts },
  ];
}
