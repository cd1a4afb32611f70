// Whether a host process already holds an address and port: bind it for a moment (TCP listen, UDP bind) and close.
// Node has no SCTP sockets, so SCTP ports are not probed.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { errnoCode, System } from '../../errdefs/index.js';
import type { Proto } from './bindings.js';

export type PortProbe = (proto: Proto, hostIp: string, port: number) => Promise<void>;

const STRERROR: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EACCES: 'permission denied',
};

function probeOnce(proto: 'tcp' | 'udp', host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (proto === 'tcp') {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen({ host, port, exclusive: true, ipv6Only: false }, () => srv.close(() => resolve()));
    } else {
      const sock = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', ipv6Only: false });
      sock.once('error', reject);
      sock.bind({ address: host, port, exclusive: true }, () => sock.close(() => resolve()));
    }
  });
}

/**
 * The real probe. A wildcard '' is probed on `::` (both families), falling back to 0.0.0.0 where IPv6 is off.
 * A failure reads as Go's `listen tcp4 0.0.0.0:8080: bind: address already in use`.
 */
export const bindProbe: PortProbe = async (proto, hostIp, port) => {
  if (proto === 'sctp') return;
  let host = hostIp === '' ? '::' : hostIp;
  try {
    await probeOnce(proto, host, port).catch((e: unknown) => {
      if (hostIp !== '' || errnoCode(e) !== 'EAFNOSUPPORT') throw e;
      host = '0.0.0.0';
      return probeOnce(proto, host, port);
    });
  } catch (e) {
    const code = errnoCode(e) ?? '';
    const net = `${proto}${host.includes(':') ? '6' : '4'}`;
    const where = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    throw new System(`listen ${net} ${where}: bind: ${STRERROR[code] ?? code}`, { cause: e });
  }
};
