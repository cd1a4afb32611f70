// Legacy `--link name:alias` on the default bridge, resolved at start as Docker does: the linked container must run;
// its address goes into /etc/hosts under the alias, its ports and environment into this container's environment.
import { InvalidParameter } from '../../errdefs/index.js';
import type { HostsLink } from '../../network/files/index.js';
import { linkEnv } from '../../network/files/index.js';
import type { ContainerStore } from './store.js';
import type { ContainerRecord } from './model.js';

/** "name:alias" (either may have leading slashes; the alias defaults to the name, its last path part counts). */
export function parseLink(link: string): { name: string; alias: string } {
  const i = link.indexOf(':');
  const name = (i === -1 ? link : link.slice(0, i)).replace(/^\/+/, '');
  const rawAlias = i === -1 ? name : link.slice(i + 1);
  const alias = rawAlias.slice(rawAlias.lastIndexOf('/') + 1);
  if (!name || !alias) throw new InvalidParameter(`invalid link: ${link}`);
  return { name, alias };
}

export interface ResolvedLinks {
  hosts: HostsLink[];
  env: string[];
}

export function resolveLinks(store: ContainerStore, rec: ContainerRecord): ResolvedLinks {
  const out: ResolvedLinks = { hosts: [], env: [] };
  for (const l of rec.hostConfig.Links ?? []) {
    const { name, alias } = parseLink(l);
    const other = store.get(name);
    if (other.state.status !== 'running' && other.state.status !== 'paused') {
      throw new InvalidParameter(`Cannot link to a non running container: /${other.name} AS /${rec.name}/${alias}`);
    }
    const s = other.networks?.bridge;
    const ip = s?.IPAddress ?? '';
    if (!ip) throw new InvalidParameter(`Cannot link to /${other.name}, as it does not belong to the default network`);
    out.hosts.push({
      alias,
      name: other.name,
      hostname: other.config.Hostname || other.id.slice(0, 12),
      addresses: [ip, ...(s?.GlobalIPv6Address ? [s.GlobalIPv6Address] : [])],
    });
    out.env.push(
      ...linkEnv({
        name: `/${rec.name}/${alias}`,
        ip,
        env: other.config.Env ?? [],
        exposedPorts: Object.keys(other.config.ExposedPorts ?? {}),
      }),
    );
  }
  return out;
}
