// Network namespaces against the real kernel (root). The file re-runs itself in a private mount namespace (unshare
// --mount --propagation private), so no mount it makes can reach the host, even if it dies half-way; its test events
// go to the same stdout, so the runner reports them as this file's.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { isSystem } from '../errdefs/index.js';
import { createNetns, deleteNetns, prepareNetnsDir } from './index.js';
import { builtHelper, reexecInNamespaces } from './testing.js';

const run = promisify(execFile);

const helper = builtHelper() ?? 'berth-helper';
const skip =
  process.getuid?.() !== 0
    ? 'needs root'
    : !builtHelper()
      ? 'native/build/berth-helper is not built (make -C native)'
      : !['/usr/bin/unshare', '/usr/bin/nsenter', '/usr/sbin/ip', '/usr/bin/ip'].some(existsSync)
        ? 'needs util-linux and iproute2'
        : undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

// mountinfo escapes space, tab, newline and backslash as \ooo.
const unescapeMountinfo = (s: string) =>
  s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8)));

/** Mount points at or under `dir` in the mount namespace of `pid`. */
async function mountsUnder(dir: string, pid: number | 'self' = 'self'): Promise<string[]> {
  const text = await readFile(`/proc/${pid}/mountinfo`, 'utf8');
  return text
    .split('\n')
    .map((l) => unescapeMountinfo(l.split(' ')[4] ?? ''))
    .filter((m) => m === dir || m.startsWith(`${dir}/`));
}

async function inNetns(path: string, cmd: string, ...args: string[]): Promise<string> {
  return (await run('nsenter', [`--net=${path}`, cmd, ...args])).stdout;
}

if (!(skip === undefined && reexecInNamespaces(import.meta.url, [], 'netns tests'))) {
  describe('network namespaces made ahead of the container', { ...(skip ? { skip } : {}) }, () => {
    let tmp: string;
    let dir: string;

    before(async () => {
      tmp = await mkdtemp(join(tmpdir(), 'berth-netns-'));
      dir = join(tmp, 'netns');
      await prepareNetnsDir(helper, dir);
    });

    after(async () => {
      await run('umount', ['--recursive', '--lazy', dir]).catch(() => undefined);
      assert.deepEqual(await mountsUnder(tmp), [], 'no mount is left');
      await rm(tmp, { recursive: true, force: true });
    });

    it('prepareNetnsDir makes the directory a private mount point, and repeating it is harmless', async () => {
      const propagation = async () =>
        (await readFile('/proc/self/mountinfo', 'utf8'))
          .split('\n')
          .map((l) => l.split(' '))
          .filter((f) => f[4] === dir)
          .map((f) => f.slice(6, f.indexOf('-')).join(' '));
      assert.deepEqual(await propagation(), [''], 'one mount, private (no shared:/master: tag)');
      await prepareNetnsDir(helper, dir);
      assert.deepEqual(await propagation(), ['']);
    });

    it('create pins a namespace of its own on the file, with lo up and 127.0.0.1 and ::1', async () => {
      const path = join(dir, 'a');
      await createNetns(helper, path);
      try {
        const st = await stat(path);
        assert.equal(st.mode & 0o777, 0o444);
        assert.notEqual(st.ino, (await stat('/proc/self/ns/net')).ino, 'not the namespace of the test');
        assert.deepEqual(await mountsUnder(path), [path]);
        const link = await inNetns(path, 'ip', '-o', 'link', 'show', 'lo');
        assert.match(link, /<[^>]*\bUP\b[^>]*>/, link);
        const addr = await inNetns(path, 'ip', '-o', 'addr', 'show', 'lo');
        assert.match(addr, /inet 127\.0\.0\.1\/8/, addr);
        assert.match(addr, /inet6 ::1\/128/, addr);
        const links = await inNetns(path, 'ip', '-o', 'link', 'show');
        assert.equal(links.trim().split('\n').length, 1, `only lo: ${links}`);
      } finally {
        await deleteNetns(helper, path);
      }
    });

    it('a process started in the namespace can listen on and connect to 127.0.0.1, and not reach the host', async () => {
      const path = join(dir, 'b');
      const host = createServer((s) => s.end());
      await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
      const hostPort = (host.address() as { port: number }).port;
      // Echo over loopback, then try the test's own listener, which lives in another namespace.
      const script = `
        const net = require('node:net');
        const srv = net.createServer((s) => s.pipe(s)).listen(0, '127.0.0.1', () => {
          const c = net.connect(srv.address().port, '127.0.0.1', () => c.end('ping'));
          let got = '';
          c.on('data', (d) => (got += d));
          c.on('close', () => {
            srv.close();
            const h = net.connect(${hostPort}, '127.0.0.1');
            h.on('connect', () => { console.log(got + ' host-reachable'); h.destroy(); });
            h.on('error', (e) => console.log(got + ' ' + e.code));
          });
        });`;
      await createNetns(helper, path);
      try {
        const out = await inNetns(path, process.execPath, '-e', script);
        assert.equal(out.trim(), 'ping ECONNREFUSED');
      } finally {
        host.close();
        await deleteNetns(helper, path);
      }
    });

    it('delete removes the mount and the file; deleting again, or a missing path, is fine', async () => {
      const path = join(dir, 'c');
      await createNetns(helper, path);
      await deleteNetns(helper, path);
      assert.deepEqual(await mountsUnder(path), []);
      assert.equal(existsSync(path), false);
      await deleteNetns(helper, path);
      await deleteNetns(helper, join(tmp, 'missing', 'x'));
      const plain = join(dir, 'plain'); // what a create that failed before its mount would leave
      await writeFile(plain, '');
      await deleteNetns(helper, plain);
      assert.equal(existsSync(plain), false);
    });

    it('create in a missing directory fails with a message naming the syscall and the path, and leaves nothing', async () => {
      const path = join(tmp, 'missing', 'x');
      await assert.rejects(createNetns(helper, path), (e: unknown) => {
        assert.ok(isSystem(e));
        assert.equal(e.message, `creating network namespace: open(${path}, O_CREAT): No such file or directory`);
        return true;
      });
      assert.equal(existsSync(join(tmp, 'missing')), false);
    });

    it('create on a path that still holds a namespace fails and leaves that namespace alone', async () => {
      const path = join(dir, 'd');
      await createNetns(helper, path);
      try {
        const ino = (await stat(path)).ino;
        await assert.rejects(createNetns(helper, path), /creating network namespace: .*already a network namespace/);
        assert.equal((await stat(path)).ino, ino);
        assert.deepEqual(await mountsUnder(path), [path], 'no second mount on top');
      } finally {
        await deleteNetns(helper, path);
      }
      assert.deepEqual(await mountsUnder(path), []);
    });

    it('a leftover plain file is reused', async () => {
      const path = join(dir, 'e');
      await writeFile(path, '');
      await createNetns(helper, path);
      try {
        assert.notEqual((await stat(path)).ino, (await stat('/proc/self/ns/net')).ino);
      } finally {
        await deleteNetns(helper, path);
      }
    });

    it('namespaces mounted in the prepared directory do not reach the peers of its parent mount', async () => {
      // `shared` stands for a host mount that propagates (systemd makes / shared), `peer` for its copy on the host.
      const shared = join(tmp, 'shared');
      const peer = join(tmp, 'peer');
      await mkdir(shared);
      await mkdir(peer);
      try {
        await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', shared]);
        await run('mount', ['--make-shared', shared]);
        await run('mount', ['--bind', shared, peer]);
        // Without the preparation a namespace mounted there shows up in the peer: the reason for it.
        await createNetns(helper, join(shared, 'unprepared'));
        assert.deepEqual(await mountsUnder(join(peer, 'unprepared')), [join(peer, 'unprepared')]);
        await deleteNetns(helper, join(shared, 'unprepared'));
        assert.deepEqual(await mountsUnder(join(peer, 'unprepared')), []);

        const nsdir = join(shared, 'netns');
        await prepareNetnsDir(helper, nsdir);
        const path = join(nsdir, 'x');
        await createNetns(helper, path);
        assert.deepEqual(await mountsUnder(join(peer, 'netns', 'x')), [], 'the peer does not get the namespace');
        await deleteNetns(helper, path);
      } finally {
        await run('umount', ['--recursive', '--lazy', peer]).catch(() => undefined);
        await run('umount', ['--recursive', '--lazy', shared]).catch(() => undefined);
      }
      assert.deepEqual(await mountsUnder(shared), []);
      assert.deepEqual(await mountsUnder(peer), []);
    });

    it('delete also detaches the copy held by a mount namespace cloned since, even a private one', async () => {
      const path = join(dir, 'f');
      await createNetns(helper, path);
      // A copy that no unmount propagates to: only the unlink can release it (Linux >= 3.18).
      const clone = spawn('unshare', ['--mount', '--propagation', 'private', 'sleep', '60'], { stdio: 'ignore' });
      try {
        const pid = clone.pid;
        assert.ok(pid !== undefined);
        const ownMnt = (await stat('/proc/self/ns/mnt')).ino;
        const deadline = Date.now() + 5000;
        while ((await stat(`/proc/${pid}/ns/mnt`)).ino === ownMnt || (await mountsUnder(path, pid)).length === 0) {
          assert.ok(Date.now() < deadline, 'the clone has its own mount namespace with a copy of the mount');
          await sleep(10);
        }
        await deleteNetns(helper, path);
        assert.deepEqual(await mountsUnder(path, pid), []);
      } finally {
        clone.kill('SIGKILL');
        await deleteNetns(helper, path);
      }
    });

    it('create and delete take a few milliseconds (median of 20)', async (t) => {
      const creates: number[] = [];
      const deletes: number[] = [];
      for (let i = 0; i < 20; i++) {
        const path = join(dir, `t${i}`);
        let t0 = performance.now();
        await createNetns(helper, path);
        creates.push(performance.now() - t0);
        t0 = performance.now();
        await deleteNetns(helper, path);
        deletes.push(performance.now() - t0);
      }
      t.diagnostic(
        `netns create median ${median(creates).toFixed(2)} ms, delete median ${median(deletes).toFixed(2)} ms`,
      );
      assert.ok(median(creates) < 1000 && median(deletes) < 1000);
      assert.deepEqual(await mountsUnder(dir), [dir]);
    });
  });
}
