// Names and addresses docker derives rather than stores: the host end of a container's veth, and the MAC of an IPv4
// endpoint. Pure, so a restarted daemon derives the same ones again.
import { createHash } from 'node:crypto';
import { InvalidParameter } from '../../errdefs/index.js';

/**
 * The host-side veth name of a container's endpoint on a network: `veth` + 7 hex characters of a hash of both ids
 * (docker's names have the same shape but are random). 11 characters, within IFNAMSIZ - 1 = 15.
 */
export function vethName(containerId: string, networkId: string): string {
  return `veth${createHash('sha256').update(`${containerId}\0${networkId}`).digest('hex').slice(0, 7)}`;
}

/** Docker's MAC for an IPv4 endpoint: 02:42 (locally administered) followed by the address's four bytes. */
export function macFromIPv4(ip: string): string {
  const parts = ip.split('.');
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN));
  if (bytes.length !== 4 || bytes.some((b) => !(b >= 0 && b <= 255)))
    throw new InvalidParameter(`invalid IPv4 address: ${ip}`);
  return ['02', '42', ...bytes.map((b) => b.toString(16).padStart(2, '0'))].join(':');
}
