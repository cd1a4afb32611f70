// Areas berth does not serve yet: a clear 400, not a 404 that clients would read as "no such object".
import { InvalidParameter } from '../../errdefs/index.js';
import type { ApiRouter, Method } from '../server.js';

const AREAS: [string, string][] = [
  ['/swarm', 'swarm mode is not supported'],
  ['/services', 'swarm mode is not supported'],
  ['/nodes', 'swarm mode is not supported'],
  ['/plugins', 'plugins are not supported'],
];

export function unsupportedRoutes(r: ApiRouter): void {
  const methods: Method[] = ['GET', 'POST', 'PUT', 'DELETE'];
  for (const [prefix, message] of AREAS) {
    const fail = () => {
      throw new InvalidParameter(message);
    };
    for (const m of methods) {
      r.add(m, prefix, fail);
      r.add(m, `${prefix}/*`, fail);
    }
  }
}
