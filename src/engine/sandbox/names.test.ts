import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContainerNames } from './names.js';

test('names answer within the networks of the container that asks', () => {
  const n = new ContainerNames();
  n.register('db', 'app', { names: ['db', 'abc123', 'Database'], ipv4: '10.0.0.2', ipv6: 'fd00::2' });
  n.register('web', 'app', { names: ['web'], ipv4: '10.0.0.3' });
  n.register('other', 'x', { names: ['other'], ipv4: '10.9.0.2' });
  assert.deepEqual(n.lookup('10.0.0.3', 'db', 'A'), ['10.0.0.2']);
  assert.deepEqual(n.lookup('10.0.0.3', 'DATABASE.', 'A'), ['10.0.0.2'], 'case and trailing dot do not matter');
  assert.deepEqual(n.lookup('10.0.0.3', 'db', 'AAAA'), ['fd00::2']);
  assert.deepEqual(n.lookup('10.0.0.3', 'web', 'AAAA'), [], 'ours, without an address of that family');
  assert.equal(n.lookup('10.0.0.3', 'other', 'A'), undefined, "another network's name is forwarded");
  assert.equal(n.lookup('10.9.0.2', 'db', 'A'), undefined);
  assert.equal(n.lookup('192.168.1.1', 'db', 'A'), undefined, 'an unknown asker gets nothing of ours');
  assert.deepEqual(n.reverse('10.0.0.3', '10.0.0.2'), ['db']);
  assert.equal(n.reverse('10.9.0.2', '10.0.0.2'), undefined);
});

test('a shared alias answers with every address; links alias for their container only; unregister forgets', () => {
  const n = new ContainerNames();
  n.register('a', 'app', { names: ['a', 'svc'], ipv4: '10.0.0.2' });
  n.register('b', 'app', { names: ['b', 'svc'], ipv4: '10.0.0.3' });
  n.register('c', 'app', { names: ['c'], ipv4: '10.0.0.4', links: { backend: 'a' } });
  assert.deepEqual(n.lookup('10.0.0.4', 'svc', 'A')?.sort(), ['10.0.0.2', '10.0.0.3']);
  assert.deepEqual(n.lookup('10.0.0.4', 'backend', 'A'), ['10.0.0.2']);
  assert.equal(n.lookup('10.0.0.3', 'backend', 'A'), undefined);
  n.unregister('a');
  assert.deepEqual(n.lookup('10.0.0.4', 'svc', 'A'), ['10.0.0.3']);
  // A container on two networks asks from either address and sees both networks.
  n.register('c', 'other', { names: ['c'], ipv4: '10.1.0.4' });
  n.register('d', 'other', { names: ['d'], ipv4: '10.1.0.5' });
  assert.deepEqual(n.lookup('10.0.0.4', 'd', 'A'), ['10.1.0.5']);
  n.unregister('c', 'other');
  assert.equal(n.lookup('10.0.0.4', 'd', 'A'), undefined);
});

test("a container's own resolvers (--dns) are its upstreams, until it goes", () => {
  const n = new ContainerNames();
  n.register('a', 'app', { names: ['a'], ipv4: '10.0.0.2' });
  n.register('b', 'app', { names: ['b'], ipv4: '10.0.0.3' });
  n.setUpstreams('a', ['9.9.9.9']);
  assert.deepEqual(n.upstreams('10.0.0.2'), ['9.9.9.9']);
  assert.equal(n.upstreams('10.0.0.3'), undefined, "b has none of its own: the daemon's");
  n.unregister('a');
  assert.equal(n.upstreams('10.0.0.2'), undefined);
});
