// `network` commands with the real docker CLI against a sandboxed berthd (outputs as Docker prints them), and berth's
// own CLI side by side with docker's for the same commands: ls (table, -q, --no-trunc, --format, filters), inspect,
// create's client-side and daemon-side refusals, rm, prune, connect/disconnect errors, help.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertSameOutput, binaryNames, cliSkipReason, type Sandbox, startSandbox } from './harness.js';

const skip = await cliSkipReason();
let s: Sandbox;
const T = { skip, timeout: 30_000 };

before(async () => {
  if (skip) return;
  s = await startSandbox();
  for (const args of [
    ['network', 'create', '--subnet', '10.50.0.0/16', '--label', 'tier=front', 'front'],
    ['network', 'create', '--ipv6', '--subnet', 'fd00:50::/64', '--internal', 'back'],
  ]) {
    const r = await s.docker(args);
    assert.equal(r.code, 0, r.stderr);
  }
});

after(async () => {
  if (!skip) await s?.stop();
});

const same = (args: string[], input?: string) =>
  it(args.join(' '), T, async () => {
    await assertSameOutput(s, args, input !== undefined ? { input } : {});
  });

describe('docker network ls/inspect against berthd print what Docker prints', () => {
  it('ls shows the networks sorted by name in the NETWORK ID NAME DRIVER SCOPE table', T, async () => {
    const r = await s.docker(['network', 'ls']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^NETWORK ID {5}NAME {6}DRIVER {4}SCOPE$/);
    const rows = lines.slice(1).map((l) => l.split(/\s+/));
    assert.deepEqual(
      rows.map((c) => [c[1], c[2], c[3]]),
      [
        ['back', 'bridge', 'local'],
        ['bridge', 'bridge', 'local'],
        ['front', 'bridge', 'local'],
        ['host', 'host', 'local'],
        ['none', 'null', 'local'],
      ],
    );
    for (const c of rows) assert.match(c[0] ?? '', /^[0-9a-f]{12}$/);
  });

  it('inspect shows Docker fields, and create prints the ID', T, async () => {
    const id = (await s.docker(['network', 'create', 'made'])).stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const r = await s.docker(['network', 'inspect', 'made']);
    const [n] = JSON.parse(r.stdout);
    assert.equal(n.Id, id);
    assert.deepEqual(Object.keys(n), [
      'Name',
      'Id',
      'Created',
      'Scope',
      'Driver',
      'EnableIPv6',
      'IPAM',
      'Internal',
      'Attachable',
      'Ingress',
      'ConfigFrom',
      'ConfigOnly',
      'Containers',
      'Options',
      'Labels',
    ]);
    assert.deepEqual(n.IPAM, {
      Driver: 'default',
      Options: {},
      Config: [{ Subnet: '172.19.0.0/16', Gateway: '172.19.0.1' }],
    });
    const f = await s.docker([
      'network',
      'inspect',
      '-f',
      '{{.Name}} {{.Driver}} {{.EnableIPv6}} {{.Internal}}',
      'back',
    ]);
    assert.equal(f.stdout, 'back bridge true true\n');
    // (back, created with an IPv6 subnet only, took 172.18.0.0/16 for its IPv4 side)
    assert.equal((await s.docker(['network', 'rm', 'made'])).stdout, 'made\n');
  });

  it(
    'errors: overlapping subnet, invalid CIDR, unmatched gateway, removing bridge or a missing network',
    T,
    async () => {
      const overlap = await s.docker(['network', 'create', '--subnet', '10.50.1.0/24', 'x']);
      assert.deepEqual(
        [overlap.code, overlap.stderr],
        [1, 'Error response from daemon: invalid pool request: Pool overlaps with other one on this address space\n'],
      );
      const cidr = await s.docker(['network', 'create', '--subnet', 'foo', 'x']);
      assert.equal(
        cidr.stderr,
        'Error response from daemon: invalid network config:\ninvalid subnet invalid Prefix: invalid CIDR address: foo\n',
      );
      const gw = await s.docker(['network', 'create', '--subnet', '10.60.0.0/16', '--gateway', '10.61.0.1', 'x']);
      assert.deepEqual([gw.code, gw.stderr], [1, 'no matching subnet for gateway 10.61.0.1\n']);
      const rmBridge = await s.docker(['network', 'rm', 'bridge']);
      assert.equal(
        rmBridge.stderr,
        'Error response from daemon: bridge is a pre-defined network and cannot be removed\nexit status 1\n',
      );
      const rmNope = await s.docker(['network', 'rm', 'nope']);
      assert.equal(rmNope.stderr, 'Error response from daemon: network nope not found\nexit status 1\n');
      assert.equal((await s.docker(['network', 'ls', '-q'])).stdout.split('\n').filter(Boolean).length, 5);
    },
  );

  it('prune removes unused custom networks and lists them; predefined ones stay', T, async () => {
    await s.docker(['network', 'create', 'p1']);
    await s.docker(['network', 'create', '--label', 'keep=1', 'p2']);
    const r = await s.docker(['network', 'prune', '-f', '--filter', 'label!=keep']);
    assert.equal(r.code, 0, r.stderr);
    const deleted = r.stdout.split('\n');
    assert.equal(deleted[0], 'Deleted Networks:');
    assert.deepEqual(deleted.slice(1).filter(Boolean).sort(), ['back', 'front', 'p1']);
    assert.equal((await s.docker(['network', 'prune', '-f'])).stdout, 'Deleted Networks:\np2\n\n');
    assert.equal((await s.docker(['network', 'prune', '-f'])).stdout, '');
    for (const args of [
      ['network', 'create', '--subnet', '10.50.0.0/16', '--label', 'tier=front', 'front'],
      ['network', 'create', '--ipv6', '--subnet', 'fd00:50::/64', '--internal', 'back'],
    ]) {
      assert.equal((await s.docker(args)).code, 0);
    }
  });
});

describe('berth network prints what docker network prints', () => {
  same(['network', 'ls']);
  same(['network', 'list', '-q']);
  same(['network', 'ls', '--no-trunc']);
  same(['network', 'ls', '--format', 'json']);
  same(['network', 'ls', '--format', '{{.Name}}: {{.Labels}} {{.Label "tier"}} {{.IPv6}} {{.Internal}}']);
  same(['network', 'ls', '--format', 'table {{.Name}}\t{{.Driver}}\t{{.CreatedAt}}']);
  same(['network', 'ls', '-f', 'type=custom']);
  same(['network', 'ls', '-f', 'name=ro', '-f', 'driver=bridge']);
  same(['network', 'ls', '-f', 'foo=bar']);
  same(['network', 'inspect', 'bridge', 'front', 'back']);
  same(['network', 'inspect', 'nope', 'bridge']);
  same(['network', 'inspect', '-f', '{{json .IPAM}}', 'front']);
  same(['network', 'inspect', '--format', 'json', 'none']);
  same(['network', 'rm', 'bridge', 'nope']);
  same(['network', 'rm', '-f', 'nope']);
  same(['network', 'create', '--subnet', '10.50.9.0/24', 'x']);
  same(['network', 'create', '--subnet', '10.0.0.0/33', 'x']);
  same(['network', 'create', '--ip-range', '10.0.0.0/24', 'x']);
  same(['network', 'create', '--subnet', '10.70.0.0/16', '--aux-address', 'a=10.71.0.1', 'x']);
  same(['network', 'create', '-d', 'host', 'x']);
  same(['network', 'create', 'front']);
  same(['network', 'connect', 'nope', 'c']);
  same(['network', 'disconnect', 'nope', 'c']);
  same(['network', 'prune']);
  for (const args of [
    ['network', '--help'],
    ['network', 'create', '--help'],
    ['network', 'ls', '--help'],
  ]) {
    it(args.join(' '), T, async () => {
      const [d, b] = [await s.docker(args), await s.berth(args)];
      assert.deepEqual([b.code, binaryNames(b.stdout)], [d.code, binaryNames(d.stdout)]);
    });
  }
});
