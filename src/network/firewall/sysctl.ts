// The kernel settings bridge networking needs, written as dockerd does: forwarding on, and per bridge the
// route_localnet that lets 127.0.0.1:port be DNATed to a container. procfs writes never wait on a device.
import { readFile, writeFile } from 'node:fs/promises';
import { errnoCode, NotFound, System } from '../../errdefs/index.js';

/** Sets a /proc/sys file to `value` unless it already holds it. */
async function ensure(path: string, value: string): Promise<void> {
  try {
    if ((await readFile(path, 'utf8')).trim() === value) return;
    await writeFile(path, `${value}\n`);
  } catch (e) {
    throw new System(`setting ${path} to ${value}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** net.ipv4.ip_forward=1, and net.ipv6.conf.all.forwarding=1 when IPv6 networks exist. */
export async function enableForwarding(opts: { ipv6: boolean }, procRoot = '/proc'): Promise<void> {
  await ensure(`${procRoot}/sys/net/ipv4/ip_forward`, '1');
  if (opts.ipv6) await ensure(`${procRoot}/sys/net/ipv6/conf/all/forwarding`, '1');
}

/** net.ipv4.conf.<bridge>.route_localnet=1: lets the host's 127.0.0.1 be routed out the bridge after DNAT. */
export async function enableRouteLocalnet(bridge: string, procRoot = '/proc'): Promise<void> {
  const path = `${procRoot}/sys/net/ipv4/conf/${bridge}/route_localnet`;
  try {
    await readFile(path, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') throw new NotFound(`bridge ${bridge} not found`, { cause: e });
    throw new System(`reading ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  await ensure(path, '1');
}

/** bridge-nf-call-ip(6)tables=1, so that icc=false also filters traffic bridged between two containers. */
export async function enableBridgeNetfilter(procRoot = '/proc'): Promise<void> {
  await ensure(`${procRoot}/sys/net/bridge/bridge-nf-call-iptables`, '1');
  await ensure(`${procRoot}/sys/net/bridge/bridge-nf-call-ip6tables`, '1');
}
