// The per-container files the engine writes and bind-mounts: /etc/hostname, /etc/hosts and /etc/resolv.conf, as
// Docker does (a private network namespace gets localhost entries; the host network gets the host's files).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../lib/atomic-file.js';
import type { Mount } from '../../runtime/spec.js';
import type { SandboxInfo } from '../sandbox/sandboxes.js';

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

const LOCAL_HOSTS = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

/** The host's resolv.conf without loopback nameservers (unreachable from a private netns), as libnetwork filters it. */
async function resolvConf(hostNetwork: boolean): Promise<string> {
  const text = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  if (hostNetwork) return text;
  const lines = text.split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1\b)/.test(l));
  return `${lines.join('\n').trim()}\n`;
}

export async function writeContainerFiles(
  files: ContainerFiles,
  hostname: string,
  opts: { hostNetwork: boolean; extraHosts: readonly string[]; sandbox: SandboxInfo },
): Promise<void> {
  const extra = opts.extraHosts.map((h) => {
    const i = h.indexOf(':');
    const ip = h.slice(i + 1);
    return `${ip === 'host-gateway' ? (opts.sandbox.gateway ?? ip) : ip}\t${h.slice(0, i)}`;
  });
  const own = opts.sandbox.addresses.map((a) => `${a.slice(0, a.indexOf('/'))}\t${hostname}`);
  const hosts = opts.hostNetwork
    ? await readFile('/etc/hosts', 'utf8').catch(() => `${LOCAL_HOSTS.join('\n')}\n`)
    : `${[...LOCAL_HOSTS, ...extra, ...own].join('\n')}\n`;
  const resolv = opts.sandbox.dnsServer
    ? 'nameserver 127.0.0.11\noptions ndots:0\n'
    : await resolvConf(opts.hostNetwork);
  await Promise.all([
    writeFileAtomic(files.hostnamePath, `${hostname}\n`, { durable: false }),
    writeFileAtomic(files.hostsPath, hosts, { durable: false }),
    writeFileAtomic(files.resolvConfPath, resolv, { durable: false }),
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
