// The bind probe against real sockets, in a network namespace of its own (the file re-runs itself under
// `unshare --net`), so its listeners never touch the host's ports.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { describe, it } from 'node:test';
import { isSystem } from '../../errdefs/index.js';
import { bindProbe, PortAllocator } from './index.js';
import { reexecInNamespaces } from '../testing.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : undefined;

const listen = (port: number, host: string) =>
  new Promise<Server>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject).listen({ port, host, ipv6Only: host === '::' }, () => resolve(s));
  });
const close = (s: Server) => new Promise((r) => s.close(r));

if (!(skip === undefined && reexecInNamespaces(import.meta.url, ['--net'], 'ports probe tests'))) {
  describe('the bind probe', { ...(skip ? { skip } : {}) }, () => {
    it('passes on a free port and leaves it free', async () => {
      await bindProbe('tcp', '', 18080);
      await bindProbe('tcp', '127.0.0.1', 18080);
      await bindProbe('udp', '', 18080);
      await close(await listen(18080, '0.0.0.0'));
    });

    it('fails where a process listens, also for a wildcard against a specific address, with the kernel error', async () => {
      const s = await listen(18081, '127.0.0.1');
      try {
        await assert.rejects(bindProbe('tcp', '127.0.0.1', 18081), (e: unknown) => {
          assert.ok(isSystem(e));
          assert.equal(e.message, 'listen tcp4 127.0.0.1:18081: bind: address already in use');
          return true;
        });
        await assert.rejects(bindProbe('tcp', '', 18081), /bind: address already in use/);
        await assert.rejects(bindProbe('tcp', '0.0.0.0', 18081), /listen tcp4 0\.0\.0\.0:18081: bind: address/);
        await bindProbe('udp', '127.0.0.1', 18081); // another proto
      } finally {
        await close(s);
      }
      const u = createSocket('udp4');
      await new Promise<void>((r) => u.bind(18082, '0.0.0.0', r));
      try {
        await assert.rejects(bindProbe('udp', '', 18082), /bind: address already in use/);
      } finally {
        u.close();
      }
    });

    it("an address that is not the host's is refused", async () => {
      await assert.rejects(
        bindProbe('tcp', '10.123.0.1', 18083),
        /listen tcp4 10\.123\.0\.1:18083: bind: cannot assign requested address/,
      );
    });

    it('the allocator skips a port a host process holds when picking one', async () => {
      const s = await listen(18090, '0.0.0.0');
      try {
        const a = new PortAllocator({ start: 18090, end: 18091 });
        const got = await a.allocate([
          { proto: 'tcp', containerPort: 80, hostIp: '', hostPortStart: 0, hostPortEnd: 0 },
        ]);
        assert.equal(got[0]?.hostPort, 18091);
      } finally {
        await close(s);
      }
    });
  });
}
