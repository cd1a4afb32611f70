// `network connect` and `network disconnect` on the container side, as moby's daemon checks them: a container in a
// shared (host, container:) or `none` namespace cannot join other networks; a running one gets (or loses) the
// endpoint at once, a stopped one at its next start.
import type { EndpointSettings } from '../../api/index.js';
import { Conflict, Forbidden, InvalidParameter } from '../../errdefs/index.js';
import type { LifecycleContext } from './lifecycle-context.js';
import type { ContainerRecord } from './model.js';
import { emptyEndpoint, parseNetworkMode, validateEndpoint } from './network-config.js';

const running = (rec: ContainerRecord) => rec.state.status === 'running' || rec.state.status === 'paused';

export async function connectNetwork(
  ctx: LifecycleContext,
  rec: ContainerRecord,
  networkRef: string,
  asked: Partial<EndpointSettings>,
): Promise<void> {
  const net = ctx.deps.networks.find(networkRef);
  const mode = parseNetworkMode(rec.hostConfig.NetworkMode).kind;
  if (net.driver === 'host' || mode === 'host') {
    throw new Forbidden('container cannot be disconnected from host network or connected to host network');
  }
  if (mode === 'container') {
    throw new Forbidden(
      'container sharing network namespace with another container or host cannot be connected to any other network',
    );
  }
  if (mode === 'none' || net.driver === 'null') {
    throw new Forbidden(
      'container cannot be connected to multiple networks with one of the networks in private (none) mode',
    );
  }
  const networks = { ...(rec.networks ?? {}) };
  if (Object.values(networks).some((s) => s.NetworkID === net.id)) {
    throw new Forbidden(`endpoint with name ${rec.name} already exists in network ${net.name}`);
  }
  validateEndpoint(net, asked);
  const settings = emptyEndpoint(net.id, asked);
  if (running(rec)) await ctx.deps.sandboxes.attach(rec, net.name, settings);
  rec.networks = { ...networks, [net.name]: settings };
  await ctx.deps.store.save(rec);
  ctx.deps.events.publish('network', 'connect', net.id, { container: rec.id, name: net.name, type: net.driver });
}

export async function disconnectNetwork(
  ctx: LifecycleContext,
  rec: ContainerRecord,
  networkRef: string,
  _force: boolean,
): Promise<void> {
  const net = ctx.deps.networks.find(networkRef);
  const entry = Object.entries(rec.networks ?? {}).find(([, s]) => s.NetworkID === net.id);
  if (!entry) throw new Conflict(`container ${rec.id} is not connected to network ${net.name}`);
  const mode = parseNetworkMode(rec.hostConfig.NetworkMode);
  if (net.driver === 'host' || mode.kind === 'host') {
    throw new Forbidden('container cannot be disconnected from host network or connected to host network');
  }
  if (net.driver === 'null') throw new InvalidParameter('container cannot be disconnected from the none network');
  const [name, settings] = entry;
  if (running(rec)) await ctx.deps.sandboxes.detach(rec, settings);
  const { [name]: _gone, ...rest } = rec.networks ?? {};
  rec.networks = rest;
  await ctx.deps.store.save(rec);
  ctx.deps.events.publish('network', 'disconnect', net.id, { container: rec.id, name: net.name, type: net.driver });
}

/** The running containers on a network, for its inspect and for refusing its removal. */
export function activeEndpoints(
  all: ContainerRecord[],
  networkId: string,
): { containerId: string; name: string; endpointId: string; mac: string; ipv4: string; ipv6: string }[] {
  const out = [];
  for (const rec of all) {
    if (!running(rec)) continue;
    const s = Object.values(rec.networks ?? {}).find((e) => e.NetworkID === networkId);
    if (!s) continue;
    out.push({
      containerId: rec.id,
      name: rec.name,
      endpointId: s.EndpointID,
      mac: s.MacAddress,
      ipv4: s.IPAddress ? `${s.IPAddress}/${s.IPPrefixLen}` : '',
      ipv6: s.GlobalIPv6Address ? `${s.GlobalIPv6Address}/${s.GlobalIPv6PrefixLen}` : '',
    });
  }
  return out;
}
