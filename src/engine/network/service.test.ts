// NetworkService over a real store in a temp directory: addresses handed out are persisted with the network, so a
// reopened service (a daemon restart) never hands one out twice; a failing driver leaves nothing behind; the default
// bridge follows bip/fixed-cidr; remove refuses networks with endpoints; host routes steer the default pool.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EventBus } from '../events.js';
import { parseRoutesV4, parseRoutesV6 } from '../../network/host-routes.js';
import { type ActiveEndpoint, type NetworkDriver, NetworkService } from './service.js';
import { NetworkStore } from './store.js';
import type { DefaultBridgeOptions } from './predefined.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function open(
  root?: string,
  opts: { driver?: NetworkDriver; endpoints?: ActiveEndpoint[]; host?: string[]; bridge?: DefaultBridgeOptions } = {},
) {
  const dir = root ?? (await mkdtemp(join(tmpdir(), 'berth-net-')));
  if (!root) dirs.push(dir);
  const events = new EventBus();
  const service = new NetworkService({
    store: await NetworkStore.open(dir),
    driver: opts.driver ?? { createNetwork: async () => {}, deleteNetwork: async () => {} },
    endpoints: {
      activeEndpoints: () => opts.endpoints ?? [],
      connect: async () => {},
      disconnect: async () => {},
    },
    events,
    hostSubnets: async () => opts.host ?? [],
    defaultBridge: opts.bridge ?? {},
  });
  await service.ensurePredefined();
  return { dir, service, events };
}

test('a driver that fails leaves no record; create and destroy are published', async () => {
  const failing: NetworkDriver = {
    createNetwork: async () => {
      throw new Error('no bridge for you');
    },
    deleteNetwork: async () => {},
  };
  const { dir, service } = await open(undefined, { driver: failing });
  await assert.rejects(service.create({ Name: 'x' }), /no bridge for you/);
  assert.equal((await readdir(dir)).length, 3); // bridge, host, none
  const ok = await open();
  const seen: string[] = [];
  ok.events.subscribe((e) => seen.push(`${e.Type} ${e.Action} ${e.Actor.Attributes.name}`));
  const { Id } = await ok.service.create({ Name: 'y' });
  await ok.service.remove(Id);
  assert.deepEqual(seen, ['network create y', 'network destroy y']);
});

test('the default bridge follows bip and fixed-cidr; a user network avoids host routes', async () => {
  const { service } = await open(undefined, {
    bridge: { bip: '10.99.0.1/24', fixedCidr: '10.99.0.128/25', mtu: 1400 },
    host: ['172.18.0.0/16'],
  });
  const b = service.inspect('bridge');
  assert.deepEqual(b.IPAM.Config, [{ Subnet: '10.99.0.0/24', IPRange: '10.99.0.128/25', Gateway: '10.99.0.1' }]);
  assert.equal(b.Options['com.docker.network.driver.mtu'], '1400');
  const { Id } = await service.create({ Name: 'auto' });
  // 172.17 is free now (the bridge moved) but 172.18 is a host route
  assert.equal(service.inspect(Id).IPAM.Config[0]?.Subnet, '172.17.0.0/16');
});

test('remove refuses a network with endpoints, with Docker text', async () => {
  const ep = {
    containerId: 'c1',
    name: 'web',
    endpointId: 'e1',
    mac: '02:42:ac:11:00:02',
    ipv4: '10.1.0.2/16',
    ipv6: '',
  };
  const { service } = await open(undefined, { endpoints: [ep] });
  const { Id } = await service.create({ Name: 'busy' });
  await assert.rejects(service.remove('busy'), {
    message: `error while removing network: network busy id ${Id} has active endpoints`,
  });
  assert.deepEqual(service.inspect('busy').Containers, {
    c1: { Name: 'web', EndpointID: 'e1', MacAddress: '02:42:ac:11:00:02', IPv4Address: '10.1.0.2/16', IPv6Address: '' },
  });
  assert.deepEqual((await service.prune({})).NetworksDeleted, null);
});

test('host routes are read from procfs text, default and link-local routes left out', () => {
  const v4 =
    'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\neth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\neth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n';
  assert.deepEqual(parseRoutesV4(v4), ['192.0.2.0/24']);
  const v6 = [
    '20010db8000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0',
    'fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0',
    '00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 00000400 00000001 00000000 00200200       lo',
  ].join('\n');
  assert.deepEqual(parseRoutesV6(v6), ['2001:0db8:0000:0000:0000:0000:0000:0000/64']);
});
