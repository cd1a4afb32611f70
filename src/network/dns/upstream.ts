// The servers the embedded DNS forwards to: parsing their "ip", "ip:port" and "[v6]:port" forms.
import { isIP } from 'node:net';
import { InvalidParameter } from '../../errdefs/index.js';

export interface Upstream {
  host: string;
  port: number;
  family: 4 | 6;
}

/** "1.1.1.1", "127.0.0.53:53", "fd00::1", "[fd00::1]:5353" → host, port (53 unless given) and family. */
export function parseUpstream(server: string): Upstream {
  let host = server;
  let port = 53;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
  const v4WithPort = /^([^:]+):(\d+)$/.exec(server);
  if (bracketed) {
    host = bracketed[1] ?? '';
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (v4WithPort) {
    host = v4WithPort[1] ?? '';
    port = Number(v4WithPort[2]);
  }
  const family = isIP(host);
  if (family === 0 || (v4WithPort && family !== 4) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidParameter(`invalid DNS server address: ${server}`);
  }
  return { host, port, family: family === 4 ? 4 : 6 };
}

export const formatUpstream = (u: Upstream): string =>
  u.family === 6 ? `[${u.host}]:${u.port}` : `${u.host}:${u.port}`;
