// The allocator's rules with a probe that records what it was asked (the real probe has its own test in a netns).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isConflict, System } from '../../errdefs/index.js';
import { type PortRequest, PortAllocator } from './index.js';

const req = (hostPortStart: number, hostIp = '', hostPortEnd = hostPortStart): PortRequest => ({
  proto: 'tcp',
  containerPort: 80,
  hostIp,
  hostPortStart,
  hostPortEnd,
});

describe('port allocator', () => {
  it('never hands out a port twice; a wildcard conflicts with every address of its family', async () => {
    const a = new PortAllocator({ start: 40000, end: 40010 }, async () => undefined);
    await a.allocate([req(8080, '127.0.0.1')]);
    await assert.rejects(a.allocate([req(8080)]), (e: unknown) => {
      assert.ok(isConflict(e));
      assert.equal(e.message, 'Bind for 0.0.0.0:8080 failed: port is already allocated');
      return true;
    });
    await assert.rejects(a.allocate([req(8080, '0.0.0.0')]), /port is already allocated/);
    await a.allocate([req(8080, '10.0.0.1'), req(8080, '::')]); // other address, other family
    await assert.rejects(a.allocate([req(8080, '::1')]), /Bind for ::1:8080 failed/);
    await a.allocate([{ ...req(8080), proto: 'udp' }]); // other proto
  });

  it('picks free ports round-robin from the range, skipping taken ones and those a host process holds', async () => {
    const busy = new Set([40002]);
    const asked: number[] = [];
    const a = new PortAllocator({ start: 40000, end: 40004 }, async (_proto, _ip, port) => {
      asked.push(port);
      if (busy.has(port)) throw new System(`listen tcp4 0.0.0.0:${port}: bind: address already in use`);
    });
    a.restore([{ proto: 'tcp', hostIp: '', hostPort: 40001 }]);
    const got = await a.allocate([req(0), req(0), req(0)]);
    assert.deepEqual(
      got.map((p) => p.hostPort),
      [40000, 40003, 40004],
    );
    assert.deepEqual(asked, [40000, 40002, 40003, 40004], 'restored ports are not probed');
    a.release([got[0]!]);
    assert.equal((await a.allocate([req(0)]))[0]?.hostPort, 40000, 'wraps around');
    await assert.rejects(a.allocate([req(0)]), /all ports are allocated/);
  });

  it('a host port range gives the first free port in it; a fixed port held by a process is refused as the kernel says', async () => {
    const a = new PortAllocator({ start: 40000, end: 40004 }, async (_p, _ip, port) => {
      if (port === 8000) throw new System('listen tcp4 0.0.0.0:8000: bind: address already in use');
    });
    assert.equal((await a.allocate([req(8000, '', 8010)]))[0]?.hostPort, 8001);
    await assert.rejects(a.allocate([req(8000)]), /listen tcp4 0.0.0.0:8000: bind: address already in use/);
    assert.ok(a.isFree({ proto: 'tcp', hostIp: '', hostPort: 8000 }), 'a failed probe leaves nothing taken');
  });

  it('nothing is half-allocated when one port of a batch fails', async () => {
    const a = new PortAllocator({ start: 40000, end: 40004 }, async () => undefined);
    await a.allocate([req(8003)]);
    await assert.rejects(a.allocate([req(8001), req(8002), req(8003)]), /8003 failed/);
    for (const p of [8001, 8002]) assert.ok(a.isFree({ proto: 'tcp', hostIp: '', hostPort: p }));
  });

  it('concurrent allocations of any port get different ports', async () => {
    const a = new PortAllocator({ start: 40000, end: 40100 }, () => new Promise((r) => setTimeout(r, 5)));
    const got = await Promise.all(Array.from({ length: 20 }, () => a.allocate([req(0)])));
    assert.equal(new Set(got.map((g) => g[0]?.hostPort)).size, 20);
  });
});
