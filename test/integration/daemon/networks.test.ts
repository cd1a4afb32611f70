// Networks as API objects against a real sandboxed berthd: the predefined networks, create with IPAM options and its
// refusals (status codes and Docker's texts), list filters, inspect by name/ID/prefix, remove, prune, events, and a
// restart keeping networks and their IPAM state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonSuite } from './helpers.js';

const s = await daemonSuite();
const T = { skip: s.skip, timeout: 60_000 };

const api = async (method: string, path: string, body?: unknown) => {
  const r = await s.d.request(
    method,
    `/v1.47${path}`,
    body === undefined ? undefined : JSON.stringify(body),
    body === undefined ? {} : { 'Content-Type': 'application/json' },
  );
  return { status: r.status, json: r.body.trim() === '' ? undefined : JSON.parse(r.body) };
};
const create = (body: Record<string, unknown>) => api('POST', '/networks/create', body);
const names = async (filters?: Record<string, string[]>) => {
  const q = filters ? `?filters=${encodeURIComponent(JSON.stringify(filters))}` : '';
  const r = await api('GET', `/networks${q}`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return (r.json as { Name: string }[]).map((n) => n.Name).sort();
};

test('bridge, host and none exist, with the default bridge as dockerd shows docker0', T, async () => {
  assert.deepEqual(await names(), ['bridge', 'host', 'none']);
  const b = (await api('GET', '/networks/bridge')).json;
  assert.equal(b.Driver, 'bridge');
  assert.deepEqual(b.IPAM, {
    Driver: 'default',
    Options: null,
    Config: [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }],
  });
  assert.equal(b.Options['com.docker.network.bridge.name'], 'berth0');
  assert.equal(b.Options['com.docker.network.bridge.default_bridge'], 'true');
  assert.equal((await api('GET', '/networks/none')).json.Driver, 'null');
  assert.equal((await api('GET', '/networks/host')).json.Driver, 'host');
});

test('create with subnet, gateway, ip-range, aux, labels, options; duplicate and overlapping refused', T, async () => {
  const r = await create({
    Name: 'n1',
    IPAM: {
      Config: [
        { Subnet: '10.5.0.0/16', IPRange: '10.5.1.0/24', Gateway: '10.5.0.254', AuxiliaryAddresses: { h: '10.5.0.9' } },
      ],
    },
    Internal: true,
    Attachable: true,
    Labels: { a: 'b' },
    Options: { 'com.docker.network.bridge.name': 'mybr0' },
  });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.match(r.json.Id, /^[0-9a-f]{64}$/);
  assert.equal(r.json.Warning, '');
  const n = (await api('GET', `/networks/${r.json.Id.slice(0, 10)}`)).json;
  assert.equal(n.Name, 'n1');
  assert.deepEqual(n.IPAM.Config, [
    { Subnet: '10.5.0.0/16', IPRange: '10.5.1.0/24', Gateway: '10.5.0.254', AuxiliaryAddresses: { h: '10.5.0.9' } },
  ]);
  assert.equal(n.Internal, true);
  assert.equal(n.Attachable, true);
  assert.deepEqual(n.Labels, { a: 'b' });
  assert.deepEqual(n.Containers, {});

  const dup = await create({ Name: 'n1' });
  assert.deepEqual([dup.status, dup.json.message], [409, 'network with name n1 already exists']);
  const overlap = await create({ Name: 'n2', IPAM: { Config: [{ Subnet: '10.5.3.0/24' }] } });
  assert.deepEqual(
    [overlap.status, overlap.json.message],
    [403, 'invalid pool request: Pool overlaps with other one on this address space'],
  );
  const overlapBridge = await create({ Name: 'n2', IPAM: { Config: [{ Subnet: '172.17.0.0/24' }] } });
  assert.equal(overlapBridge.status, 403);
  const bad = await create({ Name: 'n2', IPAM: { Config: [{ Subnet: '10.9.0.0/33' }] } });
  assert.deepEqual(
    [bad.status, bad.json.message],
    [400, 'invalid network config:\ninvalid subnet invalid Prefix: invalid CIDR address: 10.9.0.0/33'],
  );
  const gw = await create({ Name: 'n2', IPAM: { Config: [{ Subnet: '10.9.0.0/16', Gateway: '10.8.0.1' }] } });
  assert.equal(gw.status, 400);
  assert.match(gw.json.message, /invalid gateway 10.8.0.1: it should be within its parent subnet 10.9.0.0\/16/);
  assert.deepEqual(
    [(await create({ Name: 'n2', Driver: 'host' })).json.message],
    ['only one instance of "host" network is allowed'],
  );
  const plugin = await create({ Name: 'n2', Driver: 'foo' });
  assert.deepEqual([plugin.status, plugin.json.message], [404, 'plugin "foo" not found']);
  const typed = await create({ Name: 'n2', Internal: 'yes' });
  assert.deepEqual(
    [typed.status, typed.json.message],
    [400, 'json: cannot unmarshal string into Go struct field NetworkCreateRequest.Internal of type bool'],
  );
  // nothing half-made by the refusals
  assert.deepEqual(await names(), ['bridge', 'host', 'n1', 'none']);
  assert.equal((await api('DELETE', '/networks/n1')).status, 204);
});

test('a network without --subnet gets the next free default pool; --ipv6 adds an IPv6 subnet', T, async () => {
  const a = await create({ Name: 'auto1' });
  const b = await create({ Name: 'auto2', EnableIPv6: true, IPAM: { Config: [{ Subnet: 'fd00:1::/64' }] } });
  const c = await create({ Name: 'auto3', EnableIPv6: true });
  assert.equal(a.status, 201);
  const cfg = async (n: string) => (await api('GET', `/networks/${n}`)).json.IPAM.Config;
  assert.deepEqual(await cfg('auto1'), [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }]);
  assert.deepEqual(await cfg('auto2'), [
    { Subnet: '172.19.0.0/16', Gateway: '172.19.0.1' },
    { Subnet: 'fd00:1::/64', Gateway: 'fd00:1::1' },
  ]);
  const third = await cfg('auto3');
  assert.equal(third[0].Subnet, '172.20.0.0/16');
  assert.match(third[1].Subnet, /^fd42:6572:7468:[0-9a-f:]*\/64$/);
  assert.equal((await api('GET', '/networks/auto3')).json.EnableIPv6, true);
  for (const r of [a, b, c]) assert.equal((await api('DELETE', `/networks/${r.json.Id}`)).status, 204);
});

test('list filters: name and id by substring, driver, label, type, dangling; unknown filters refused', T, async () => {
  await create({ Name: 'web-front', Labels: { tier: 'front', env: 'x' } });
  await create({ Name: 'web-back', Labels: { tier: 'back' } });
  try {
    assert.deepEqual(await names({ name: ['web'] }), ['web-back', 'web-front']);
    assert.deepEqual(await names({ name: ['front'] }), ['web-front']);
    const id = (await api('GET', '/networks/web-back')).json.Id as string;
    assert.deepEqual(await names({ id: [id.slice(0, 8)] }), ['web-back']);
    assert.deepEqual(await names({ driver: ['null'] }), ['none']);
    assert.deepEqual(await names({ label: ['tier'] }), ['web-back', 'web-front']);
    assert.deepEqual(await names({ label: ['tier=front'] }), ['web-front']);
    assert.deepEqual(await names({ type: ['builtin'] }), ['bridge', 'host', 'none']);
    assert.deepEqual(await names({ type: ['custom'] }), ['web-back', 'web-front']);
    assert.deepEqual(await names({ dangling: ['true'] }), ['web-back', 'web-front']);
    assert.deepEqual(await names({ scope: ['local'], name: ['^web-b'] }), ['web-back']);
    const bad = await api('GET', `/networks?filters=${encodeURIComponent('{"foo":["bar"]}')}`);
    assert.deepEqual([bad.status, bad.json.message], [400, "Invalid filter 'foo'"]);
    const badType = await api('GET', `/networks?filters=${encodeURIComponent('{"type":["bad"]}')}`);
    assert.deepEqual([badType.status, badType.json.message], [400, "invalid filter: 'type'='bad'"]);
  } finally {
    await api('DELETE', '/networks/web-front');
    await api('DELETE', '/networks/web-back');
  }
});

test('inspect and remove: not found, pre-defined, ambiguous prefix; prune keeps predefined', T, async () => {
  const nf = await api('GET', '/networks/nope');
  assert.deepEqual([nf.status, nf.json.message], [404, 'network nope not found']);
  const rmNf = await api('DELETE', '/networks/nope');
  assert.deepEqual([rmNf.status, rmNf.json.message], [404, 'network nope not found']);
  for (const p of ['bridge', 'host', 'none']) {
    const r = await api('DELETE', `/networks/${p}`);
    assert.deepEqual([r.status, r.json.message], [403, `${p} is a pre-defined network and cannot be removed`]);
  }
  assert.equal((await api('GET', '/networks/bridge?verbose=true&scope=local')).status, 200);
  assert.equal((await api('GET', '/networks/bridge?scope=swarm')).status, 404);

  const ids: string[] = [];
  for (let i = 0; i < 12; i++) ids.push((await create({ Name: `p${i}`, Labels: i % 2 ? { keep: '1' } : {} })).json.Id);
  // among 15 random IDs, some first hex digit is shared: that prefix is ambiguous
  const all = (await api('GET', '/networks')).json as { Id: string }[];
  const counts = new Map<string, number>();
  for (const n of all) counts.set(n.Id[0] as string, (counts.get(n.Id[0] as string) ?? 0) + 1);
  const [prefix, count] = [...counts].find(([, c]) => c > 1) as [string, number];
  const amb = await api('GET', `/networks/${prefix}`);
  assert.deepEqual(
    [amb.status, amb.json.message],
    [400, `network ${prefix} is ambiguous (${count} matches found based on ID prefix)`],
  );

  const events = await s.d.request(
    'GET',
    `/v1.47/events?since=0&until=${Math.ceil(Date.now() / 1000) + 1}&filters=${encodeURIComponent('{"type":["network"]}')}`,
  );
  assert.match(events.body, /"Action":"create"/);

  const pruned = await api('POST', `/networks/prune?filters=${encodeURIComponent('{"label!":["keep"]}')}`);
  assert.equal(pruned.status, 200);
  assert.deepEqual(pruned.json.NetworksDeleted.sort(), ['p0', 'p10', 'p2', 'p4', 'p6', 'p8']);
  const rest = await api('POST', '/networks/prune');
  assert.equal(rest.json.NetworksDeleted.length, 6);
  assert.deepEqual(await names(), ['bridge', 'host', 'none']);
  assert.deepEqual((await api('POST', '/networks/prune')).json, { NetworksDeleted: null });
  const badPrune = await api('POST', `/networks/prune?filters=${encodeURIComponent('{"driver":["bridge"]}')}`);
  assert.deepEqual([badPrune.status, badPrune.json.message], [400, "invalid filter 'driver'"]);
});

test('connect and disconnect answer 404 for a missing network or container', T, async () => {
  const r = await api('POST', '/networks/nope/connect', { Container: 'x' });
  assert.deepEqual([r.status, r.json.message], [404, 'network nope not found']);
  assert.equal((await api('POST', '/networks/bridge/connect', { Container: 'xyzzy' })).status, 404);
  assert.equal((await api('POST', '/networks/bridge/disconnect', { Container: 'xyzzy', Force: true })).status, 404);
});

test('a restart keeps networks, their IDs and the default bridge', T, async () => {
  const made = await create({ Name: 'kept', IPAM: { Config: [{ Subnet: '10.77.0.0/24' }] }, Labels: { k: 'v' } });
  const before = (await api('GET', '/networks')).json as { Id: string; Name: string }[];
  await s.d.restart();
  const after = (await api('GET', '/networks')).json as { Id: string; Name: string }[];
  const byName = (l: { Id: string; Name: string }[]) => l.map((n) => `${n.Name} ${n.Id}`).sort();
  assert.deepEqual(byName(after), byName(before));
  const kept = (await api('GET', '/networks/kept')).json;
  assert.equal(kept.Id, made.json.Id);
  assert.deepEqual(kept.Labels, { k: 'v' });
  assert.deepEqual(kept.IPAM.Config, [{ Subnet: '10.77.0.0/24', Gateway: '10.77.0.1' }]);
  assert.equal((await api('DELETE', '/networks/kept')).status, 204);
});
