// docker cp's engine side against real files (root): a temp directory plays the container's mounted root filesystem
// (given through the layer store's mount/unmount interface), with a sentinel directory beside it that nothing may
// ever touch, whatever the uploaded tar or the container's symlinks say.
import assert from 'node:assert/strict';
import {
  chmod,
  link,
  lstat,
  lutimes,
  mkdir,
  readdir,
  readFile,
  readlink,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isConflict, isInvalidParameter, isNotFound, isSystem } from '../../errdefs/index.js';
import { goTimeJSON, readTar, type TarHeader } from '../../archive/index.js';
import { buildTar, collect, describeTree, scratch, type TestEntry } from '../../archive/testing.js';
import { archiveGet, archivePut, archiveStat } from './archive.js';
import type { ContainerDeps } from './deps.js';
import type { ContainerRecord } from './model.js';

let tmp: Awaited<ReturnType<typeof scratch>>;
before(async () => {
  tmp = await scratch('berth-cp-');
});
after(async () => {
  await tmp.remove();
});

interface Box {
  base: string;
  root: string;
  outside: string;
  deps: ContainerDeps;
  rec: ContainerRecord;
  /** Container events published. */
  events: string[];
  /** References taken on the layer's mount and not yet given back. */
  mounted(): number;
  /** Fails if anything beside the root filesystem changed. */
  assertOutsideUntouched(): Promise<void>;
}

/**
 * A "container": rootfs/ with /etc/passwd, /etc/group and a few entries; outside/ next to it holds a sentinel that
 * escapes would reach (rootfs/../outside), so naive joins and host-side symlink resolution would show.
 */
async function box(
  over: { hostConfig?: Record<string, unknown>; config?: Record<string, unknown> } = {},
): Promise<Box> {
  const base = await tmp.dir();
  const root = path.join(base, 'rootfs');
  const outside = path.join(base, 'outside');
  await mkdir(path.join(root, 'etc/sub'), { recursive: true });
  await mkdir(path.join(root, 'tmp'), { mode: 0o1777 });
  await chmod(path.join(root, 'tmp'), 0o1777);
  await writeFile(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n');
  await writeFile(path.join(root, 'etc/group'), 'root:x:0:\napp:x:1001:\n');
  await writeFile(path.join(root, 'etc/sub/f'), 'sub file');
  await mkdir(path.join(outside, 'etc'), { recursive: true });
  await writeFile(path.join(outside, 'etc/passwd'), 'HOST SECRET\n');
  await writeFile(path.join(outside, 'sentinel'), 'do not touch\n');
  const before = await describeTree(outside);
  let refs = 0;
  const layers = {
    mount: async () => {
      refs++;
      return root;
    },
    unmount: async () => {
      refs--;
    },
    mountPath: () => (refs > 0 ? root : undefined),
  };
  const noop = () => {};
  const events: string[] = [];
  const deps = {
    layers,
    events: { publish: (_type: string, action: string) => events.push(action) },
    store: { dir: () => path.join(base, 'ctr') },
    log: { info: noop, warn: noop, error: noop, debug: noop },
  } as unknown as ContainerDeps;
  const rec = {
    id: 'c0ffee',
    name: 'box',
    config: over.config ?? {},
    hostConfig: over.hostConfig ?? {},
  } as unknown as ContainerRecord;
  return {
    base,
    root,
    outside,
    deps,
    rec,
    mounted: () => refs,
    events,
    async assertOutsideUntouched() {
      assert.deepEqual(await describeTree(outside), before);
      const top = (await readdir(base)).filter((n) => !['rootfs', 'outside', 'bind', 'ctr'].includes(n));
      assert.deepEqual(top, [], 'nothing created beside the root filesystem');
    },
  };
}

interface Entry {
  header: TarHeader;
  content: string;
}

async function entries(tar: Readable): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const { header, body } of readTar(tar)) out.push({ header, content: (await collect(body)).toString() });
  return out;
}

const names = (es: Entry[]) => es.map((e) => e.header.name);

function upload(list: TestEntry[], gzip = false): Readable {
  const buf = buildTar(list);
  return Readable.from([gzip ? gzipSync(buf) : buf]);
}

async function rejects(p: Promise<unknown>, check: (e: unknown) => boolean, message?: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(check(e), `unexpected error kind: ${String(e)}`);
    if (typeof message === 'string') assert.equal((e as Error).message, message);
    else if (message) assert.match((e as Error).message, message);
    return true;
  });
}

describe('archiveStat (HEAD)', () => {
  it('stats a file: Go FileMode bits, size, RFC 3339 time with nanoseconds', async () => {
    const b = await box();
    await chmod(path.join(b.root, 'etc/passwd'), 0o4755);
    await lutimes(path.join(b.root, 'etc/passwd'), 1_600_000_000.25, 1_600_000_000.25);
    const st = await archiveStat(b.deps, b.rec, '/etc/passwd');
    const real = await stat(path.join(b.root, 'etc/passwd'), { bigint: true });
    assert.deepEqual(st, {
      name: 'passwd',
      size: Number(real.size),
      mode: 2 ** 23 + 0o755, // os.ModeSetuid | 0755
      mtime: goTimeJSON(real.mtimeNs),
      linkTarget: '',
    });
    assert.equal(st.mtime, '2020-09-13T12:26:40.25Z');
    assert.equal(b.mounted(), 0);
  });

  it('stats a directory (os.ModeDir, sticky) and the root', async () => {
    const b = await box();
    const st = await archiveStat(b.deps, b.rec, '/tmp');
    assert.equal(st.name, 'tmp');
    assert.equal(st.mode, 2 ** 31 + 2 ** 20 + 0o777);
    const root = await archiveStat(b.deps, b.rec, '/');
    assert.equal(root.name, '/');
    assert.ok(root.mode >= 2 ** 31);
  });

  it('stats a symlink itself, with the in-container path it leads to as linkTarget', async () => {
    const b = await box();
    await mkdir(path.join(b.root, 'usr/bin'), { recursive: true });
    await symlink('../../etc/passwd', path.join(b.root, 'usr/bin/rel'));
    await symlink('/usr/bin/rel', path.join(b.root, 'chain'));
    await symlink('/nope/deeper', path.join(b.root, 'dangling'));
    await symlink('../../../../../outside/etc', path.join(b.root, 'climb')); // clamps at the container's /
    const st = await archiveStat(b.deps, b.rec, '/usr/bin/rel');
    assert.equal(st.name, 'rel');
    assert.equal(st.mode, 2 ** 27 + 0o777);
    assert.equal(st.linkTarget, '/etc/passwd');
    assert.equal((await archiveStat(b.deps, b.rec, '/chain')).linkTarget, '/etc/passwd');
    assert.equal((await archiveStat(b.deps, b.rec, '/dangling')).linkTarget, '/nope/deeper');
    assert.equal((await archiveStat(b.deps, b.rec, '/climb')).linkTarget, '/outside/etc');
    // A trailing slash follows the link (and needs a directory).
    await symlink('/etc', path.join(b.root, 'etclink'));
    const followed = await archiveStat(b.deps, b.rec, '/etclink/');
    assert.equal(followed.name, 'etclink');
    assert.ok(followed.mode >= 2 ** 31);
    assert.equal(followed.linkTarget, '');
  });

  it("a missing path is NotFound with Docker's message; a file used as a directory is Go's lstat error", async () => {
    const b = await box();
    await rejects(archiveStat(b.deps, b.rec, '/nope'), isNotFound, 'Could not find the file /nope in container box');
    await rejects(archiveStat(b.deps, b.rec, '/etc/passwd/x'), isSystem, 'lstat /etc/passwd/x: not a directory');
    // Escaping symlinks resolve inside the container: the host's ../outside/etc/passwd is never found.
    await symlink('../outside', path.join(b.root, 'esc'));
    await rejects(archiveStat(b.deps, b.rec, '/esc/etc/passwd'), isNotFound);
    assert.equal(b.mounted(), 0);
  });
});

describe('archiveGet (GET)', () => {
  it('archives a file as one entry named by its base, byte-exact', async () => {
    const b = await box();
    const { stat: st, tar } = await archiveGet(b.deps, b.rec, '/etc/passwd');
    assert.equal(st.name, 'passwd');
    const es = await entries(tar);
    assert.deepEqual(names(es), ['passwd']);
    assert.equal(es[0]!.content, await readFile(path.join(b.root, 'etc/passwd'), 'utf8'));
    assert.equal(es[0]!.header.mode, 0o644);
    assert.equal(b.mounted(), 0);
    assert.deepEqual(b.events, ['archive-path']);
  });

  it('archives a directory under its base name, in byte order, links as links, hard links once', async () => {
    const b = await box();
    await symlink('../passwd', path.join(b.root, 'etc/sub/link'));
    await link(path.join(b.root, 'etc/passwd'), path.join(b.root, 'etc/zz-hard'));
    await writeFile(path.join(b.root, 'etc/B'), 'upper-case sorts first');
    const { stat: st, tar } = await archiveGet(b.deps, b.rec, '/etc');
    assert.equal(st.name, 'etc');
    const es = await entries(tar);
    assert.deepEqual(names(es), [
      'etc/',
      'etc/B',
      'etc/group',
      'etc/passwd',
      'etc/sub/',
      'etc/sub/f',
      'etc/sub/link',
      'etc/zz-hard',
    ]);
    const by = new Map(es.map((e) => [e.header.name, e]));
    assert.equal(by.get('etc/sub/f')!.content, 'sub file');
    assert.equal(by.get('etc/sub/link')!.header.type, 'symlink');
    assert.equal(by.get('etc/sub/link')!.header.linkname, '../passwd');
    assert.equal(by.get('etc/zz-hard')!.header.type, 'link');
    assert.equal(by.get('etc/zz-hard')!.header.linkname, 'etc/passwd');
    assert.equal(b.mounted(), 0);
  });

  it('"dir/." archives the contents, named ./…', async () => {
    const b = await box();
    const { stat: st, tar } = await archiveGet(b.deps, b.rec, '/etc/sub/.');
    assert.equal(st.name, '.');
    assert.deepEqual(names(await entries(tar)), ['./', './f']);
  });

  it('a symlink is archived as itself; with a trailing slash its directory is', async () => {
    const b = await box();
    await symlink('/etc/sub', path.join(b.root, 'sl'));
    const one = await entries((await archiveGet(b.deps, b.rec, '/sl')).tar);
    assert.deepEqual(
      one.map((e) => [e.header.name, e.header.type, e.header.linkname]),
      [['sl', 'symlink', '/etc/sub']],
    );
    assert.deepEqual(names(await entries((await archiveGet(b.deps, b.rec, '/sl/')).tar)), ['sl/', 'sl/f']);
  });

  it('"../../.." is the container\'s root, never the host\'s', async () => {
    const b = await box();
    const { stat: st, tar } = await archiveGet(b.deps, b.rec, '../../..');
    assert.equal(st.name, '/');
    const es = await entries(tar);
    assert.equal(es[0]!.header.name, '/');
    assert.ok(names(es).includes('/etc/passwd'));
    assert.ok(!es.some((e) => e.content.includes('HOST SECRET') || e.header.name.includes('sentinel')));
  });

  it('symlinks leading out of the root are followed inside it', async () => {
    const b = await box();
    await symlink('../../outside', path.join(b.root, 'esc'));
    await symlink('/../../outside/etc', path.join(b.root, 'esc2'));
    await rejects(archiveGet(b.deps, b.rec, '/esc/etc/passwd'), isNotFound);
    await rejects(archiveGet(b.deps, b.rec, '/esc2/passwd'), isNotFound);
    await mkdir(path.join(b.root, 'outside/etc'), { recursive: true });
    await writeFile(path.join(b.root, 'outside/etc/passwd'), 'container file');
    const es = await entries((await archiveGet(b.deps, b.rec, '/esc2/passwd')).tar);
    assert.deepEqual(
      es.map((e) => e.content),
      ['container file'],
    );
    assert.equal(b.mounted(), 0);
  });

  it('the mount is released when the stream is destroyed unread', async () => {
    const b = await box();
    const { tar } = await archiveGet(b.deps, b.rec, '/etc');
    assert.equal(b.mounted(), 1);
    tar.destroy();
    const deadline = Date.now() + 2000;
    while (b.mounted() !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(b.mounted(), 0);
  });
});

describe('archivePut (PUT)', () => {
  it('extracts files, directories, links and special files with their modes, owners and times', async () => {
    const b = await box();
    await archivePut(
      b.deps,
      b.rec,
      '/tmp',
      upload(
        [
          { name: './', type: 'directory', mode: 0o700 }, // the extraction point itself: skipped
          { name: 'd/', type: 'directory', mode: 0o750, uid: 1234, gid: 5678 },
          { name: 'd/f', type: 'file', mode: 0o4640, uid: 1234, gid: 5678, content: 'hello\n', mtime: 1_500_000_000 },
          { name: 'd/l', type: 'symlink', linkname: '../../etc/passwd' },
          { name: 'd/h', type: 'link', linkname: 'd/f', mode: 0o4640, uid: 1234, gid: 5678, mtime: 1_500_000_000 },
          { name: 'd/p', type: 'fifo', mode: 0o600 },
          { name: 'd/.wh.f', type: 'file', content: 'not a whiteout' },
          { name: 'implied/deep/x', type: 'file', content: 'x' },
        ],
        true,
      ),
      { noOverwriteDirNonDir: false, copyUIDGID: false },
    );
    const t = (p: string) => path.join(b.root, 'tmp', p);
    assert.equal((await stat(path.join(b.root, 'tmp'))).mode & 0o7777, 0o1777, 'extraction point unchanged');
    const d = await stat(t('d'));
    assert.deepEqual([d.mode & 0o7777, d.uid, d.gid], [0o750, 1234, 5678]);
    const f = await stat(t('d/f'));
    assert.deepEqual([f.mode & 0o7777, f.uid, f.gid, f.mtimeMs, f.nlink], [0o4640, 1234, 5678, 1_500_000_000_000, 2]);
    assert.equal(await readFile(t('d/f'), 'utf8'), 'hello\n');
    assert.equal(await readlink(t('d/l')), '../../etc/passwd');
    assert.ok((await lstat(t('d/p'))).isFIFO());
    assert.equal(await readFile(t('d/.wh.f'), 'utf8'), 'not a whiteout');
    assert.ok((await lstat(t('d/f'))).isFile(), '.wh.f did not delete f');
    assert.equal((await stat(t('implied/deep'))).mode & 0o7777, 0o755);
    assert.equal((await stat(t('d'))).mtimeMs, 1_600_000_000_000, 'directory time set after its contents');
    assert.deepEqual(b.events, ['extract-to-dir']);
    assert.equal(b.mounted(), 0);
    await b.assertOutsideUntouched();
  });

  it('copyUIDGID gives everything to the container user, looked up in the container', async () => {
    const b = await box({ config: { User: 'app' } });
    const files = [
      { name: 'a/', type: 'directory', uid: 7, gid: 7 },
      { name: 'a/f', type: 'file', uid: 7, gid: 7, content: 'x' },
    ] satisfies TestEntry[];
    await archivePut(b.deps, b.rec, '/tmp', upload(files), { noOverwriteDirNonDir: false, copyUIDGID: true });
    for (const p of ['tmp/a', 'tmp/a/f']) {
      const st = await stat(path.join(b.root, p));
      assert.deepEqual([st.uid, st.gid], [1000, 1001], p);
    }
    // Without the flag, the tar's owners.
    await archivePut(b.deps, b.rec, '/etc', upload(files), { noOverwriteDirNonDir: false, copyUIDGID: false });
    assert.equal((await stat(path.join(b.root, 'etc/a/f'))).uid, 7);
  });

  it('noOverwriteDirNonDir refuses swapping a directory and a non-directory; without it they are replaced', async () => {
    const b = await box();
    await mkdir(path.join(b.root, 'tmp/dir/inner'), { recursive: true });
    await writeFile(path.join(b.root, 'tmp/file'), 'old');
    const opts = { noOverwriteDirNonDir: true, copyUIDGID: false };
    await rejects(
      archivePut(b.deps, b.rec, '/tmp', upload([{ name: 'dir', type: 'file', content: 'x' }]), opts),
      isConflict,
      'cannot overwrite directory "dir" with non-directory "/tmp"',
    );
    await rejects(
      archivePut(b.deps, b.rec, '/tmp', upload([{ name: 'file/', type: 'directory' }]), opts),
      isConflict,
      'cannot overwrite non-directory "file" with directory "/tmp"',
    );
    assert.ok((await stat(path.join(b.root, 'tmp/dir/inner'))).isDirectory());
    const allow = { noOverwriteDirNonDir: false, copyUIDGID: false };
    await archivePut(b.deps, b.rec, '/tmp', upload([{ name: 'dir', type: 'file', content: 'now a file' }]), allow);
    await archivePut(b.deps, b.rec, '/tmp', upload([{ name: 'file/', type: 'directory' }]), allow);
    assert.equal(await readFile(path.join(b.root, 'tmp/dir'), 'utf8'), 'now a file');
    assert.ok((await stat(path.join(b.root, 'tmp/file'))).isDirectory());
    assert.equal(b.mounted(), 0);
  });

  it('the extraction point must exist and be a directory; a read-only rootfs refuses', async () => {
    const b = await box();
    const tar = () => upload([{ name: 'x', type: 'file', content: 'x' }]);
    const opts = { noOverwriteDirNonDir: false, copyUIDGID: false };
    await rejects(
      archivePut(b.deps, b.rec, '/nope', tar(), opts),
      isNotFound,
      'Could not find the file /nope in container box',
    );
    assert.deepEqual(b.events, [], 'a failed copy is no event');
    await rejects(
      archivePut(b.deps, b.rec, '/etc/passwd', tar(), opts),
      isInvalidParameter,
      'extraction point is not a directory',
    );
    const ro = await box({ hostConfig: { ReadonlyRootfs: true } });
    await rejects(
      archivePut(ro.deps, ro.rec, '/tmp', tar(), opts),
      isInvalidParameter,
      'container rootfs is marked read-only',
    );
    assert.equal(b.mounted() + ro.mounted(), 0);
  });

  it('a symlink to a directory is a fine extraction point', async () => {
    const b = await box();
    await symlink('/etc/sub', path.join(b.root, 'tolink'));
    await archivePut(b.deps, b.rec, '/tolink', upload([{ name: 'n', type: 'file', content: 'via link' }]), {
      noOverwriteDirNonDir: false,
      copyUIDGID: false,
    });
    assert.equal(await readFile(path.join(b.root, 'etc/sub/n'), 'utf8'), 'via link');
  });
});

describe('archivePut escapes', () => {
  const opts = { noOverwriteDirNonDir: false, copyUIDGID: false };

  it('refuses ../ names and keeps absolute names inside the extraction point', async () => {
    const b = await box();
    await rejects(
      archivePut(b.deps, b.rec, '/tmp', upload([{ name: '../../../outside/pwned', type: 'file', content: 'x' }]), opts),
      isInvalidParameter,
      /path escapes the target directory/,
    );
    await rejects(
      archivePut(b.deps, b.rec, '/tmp', upload([{ name: 'a/../../x', type: 'file', content: 'x' }]), opts),
      isInvalidParameter,
    );
    await archivePut(b.deps, b.rec, '/tmp', upload([{ name: '/abs/file', type: 'file', content: 'abs' }]), opts);
    assert.equal(await readFile(path.join(b.root, 'tmp/abs/file'), 'utf8'), 'abs');
    await b.assertOutsideUntouched();
    assert.equal(b.mounted(), 0);
  });

  it('a symlink entry to / then a file through it stays inside the extraction point', async () => {
    const b = await box();
    await archivePut(
      b.deps,
      b.rec,
      '/tmp',
      upload([
        { name: 'root', type: 'symlink', linkname: '/' },
        { name: 'root/etc/passwd', type: 'file', content: 'pwned' },
        { name: 'up', type: 'symlink', linkname: '/../../../outside' },
        { name: 'up/sentinel', type: 'file', content: 'pwned' },
      ]),
      opts,
    );
    assert.equal(await readFile(path.join(b.root, 'tmp/etc/passwd'), 'utf8'), 'pwned');
    assert.equal(await readFile(path.join(b.root, 'tmp/outside/sentinel'), 'utf8'), 'pwned');
    assert.match(await readFile(path.join(b.root, 'etc/passwd'), 'utf8'), /^root:/, "the container's own is intact");
    await b.assertOutsideUntouched();
  });

  it('refuses writing through a relative symlink that climbs above the extraction point', async () => {
    const b = await box();
    await rejects(
      archivePut(
        b.deps,
        b.rec,
        '/tmp',
        upload([
          { name: 'climb', type: 'symlink', linkname: '../../../../outside' },
          { name: 'climb/sentinel', type: 'file', content: 'pwned' },
        ]),
        opts,
      ),
      isInvalidParameter,
    );
    // Pre-existing links in the container are treated the same way.
    await symlink('../../outside', path.join(b.root, 'tmp/old'));
    await rejects(
      archivePut(b.deps, b.rec, '/tmp', upload([{ name: 'old/sentinel', type: 'file', content: 'pwned' }]), opts),
      isInvalidParameter,
    );
    await b.assertOutsideUntouched();
    assert.equal(b.mounted(), 0);
  });

  it('refuses hard links to outside the extraction point', async () => {
    const b = await box();
    for (const linkname of ['/etc/passwd', '../etc/passwd', '../../../outside/etc/passwd']) {
      await rejects(
        archivePut(b.deps, b.rec, '/tmp', upload([{ name: 'h', type: 'link', linkname }]), opts),
        isInvalidParameter,
        /invalid hardlink/,
      );
    }
    // Through a symlink entry to / (which means the extraction point): still nothing to link to.
    await rejects(
      archivePut(
        b.deps,
        b.rec,
        '/tmp',
        upload([
          { name: 'r', type: 'symlink', linkname: '/' },
          { name: 'h', type: 'link', linkname: 'r/../../etc/passwd' },
        ]),
        opts,
      ),
      isInvalidParameter,
    );
    assert.equal((await stat(path.join(b.root, 'etc/passwd'))).nlink, 1);
    await b.assertOutsideUntouched();
  });

  it('a PUT path through symlinks to / or above lands in the container root', async () => {
    const b = await box();
    await symlink('/', path.join(b.root, 'hostroot'));
    await symlink('../../../../..', path.join(b.root, 'up'));
    await archivePut(b.deps, b.rec, '/hostroot', upload([{ name: 'one', type: 'file', content: '1' }]), opts);
    await archivePut(b.deps, b.rec, '/up', upload([{ name: 'two', type: 'file', content: '2' }]), opts);
    await rejects(
      archivePut(b.deps, b.rec, '../../outside', upload([{ name: 'three', type: 'file', content: '3' }]), opts),
      isNotFound,
      'Could not find the file ../../outside in container box',
    );
    assert.equal(await readFile(path.join(b.root, 'one'), 'utf8'), '1');
    assert.equal(await readFile(path.join(b.root, 'two'), 'utf8'), '2');
    await b.assertOutsideUntouched();
  });

  it('replacing an entry never follows a symlink that is in the way', async () => {
    const b = await box();
    await symlink('/etc', path.join(b.root, 'tmp/etc'));
    await symlink(path.join(b.outside, 'sentinel'), path.join(b.root, 'tmp/hostfile'));
    await archivePut(
      b.deps,
      b.rec,
      '/tmp',
      upload([
        { name: 'etc', type: 'file', content: 'replaced the link' },
        { name: 'hostfile', type: 'file', content: 'replaced the link too', mode: 0o600 },
      ]),
      opts,
    );
    assert.equal(await readFile(path.join(b.root, 'tmp/etc'), 'utf8'), 'replaced the link');
    assert.equal(await readFile(path.join(b.root, 'tmp/hostfile'), 'utf8'), 'replaced the link too');
    assert.ok((await stat(path.join(b.root, 'etc'))).isDirectory());
    await b.assertOutsideUntouched();
  });
});

describe('bind mounts', () => {
  it('paths under a bind show its source, for stat, GET and PUT; a read-only bind refuses uploads', async () => {
    const b0 = await box();
    const src = path.join(b0.base, 'bind');
    await mkdir(src);
    await writeFile(path.join(src, 'data.txt'), 'from the host dir');
    const b = await box({ hostConfig: { Binds: [`${src}:/data`, `${src}:/ro:ro`] } });
    assert.equal((await archiveStat(b.deps, b.rec, '/data/data.txt')).size, 'from the host dir'.length);
    const es = await entries((await archiveGet(b.deps, b.rec, '/data')).tar);
    assert.deepEqual(names(es), ['data/', 'data/data.txt']);
    await archivePut(b.deps, b.rec, '/data', upload([{ name: 'up.txt', type: 'file', content: 'uploaded' }]), {
      noOverwriteDirNonDir: false,
      copyUIDGID: false,
    });
    assert.equal(await readFile(path.join(src, 'up.txt'), 'utf8'), 'uploaded');
    await rejects(
      archivePut(b.deps, b.rec, '/ro', upload([{ name: 'x', type: 'file', content: 'x' }]), {
        noOverwriteDirNonDir: false,
        copyUIDGID: false,
      }),
      isInvalidParameter,
      'mounted volume is marked read-only',
    );
    // Nor can an upload elsewhere write into it.
    await rejects(
      archivePut(b.deps, b.rec, '/', upload([{ name: 'ro/evil', type: 'file', content: 'x' }]), {
        noOverwriteDirNonDir: false,
        copyUIDGID: false,
      }),
      isInvalidParameter,
      'open /ro/evil: read-only file system',
    );
    await rejects(
      archivePut(b.deps, b.rec, '/', upload([{ name: 'ro/newdir/evil', type: 'file', content: 'x' }]), {
        noOverwriteDirNonDir: false,
        copyUIDGID: false,
      }),
      isInvalidParameter,
    );
    assert.deepEqual((await readdir(src)).sort(), ['data.txt', 'up.txt']);
    // A read-only rootfs still takes uploads into a read-write bind.
    const ro = await box({ hostConfig: { Binds: [`${src}:/data`], ReadonlyRootfs: true } });
    await archivePut(ro.deps, ro.rec, '/data', upload([{ name: 'ok.txt', type: 'file', content: 'ok' }]), {
      noOverwriteDirNonDir: false,
      copyUIDGID: false,
    });
    assert.equal(await readFile(path.join(src, 'ok.txt'), 'utf8'), 'ok');
    // The root's listing includes the bind's content at its destination.
    const all = names(await entries((await archiveGet(b.deps, b.rec, '/')).tar));
    assert.ok(all.includes('/data/data.txt') && all.includes('/ro/up.txt'));
    assert.equal(b.mounted(), 0);
  });

  it('a bind nested in another bind is dropped if its source was swapped for a symlink (as a container could)', async () => {
    const b0 = await box();
    const outer = path.join(b0.base, 'bind');
    await mkdir(path.join(outer, 'fine'), { recursive: true });
    await writeFile(path.join(outer, 'fine/ok'), 'nested ok');
    await symlink(b0.outside, path.join(outer, 'swapped'));
    const b = await box({
      hostConfig: { Binds: [`${outer}:/a`, `${outer}/fine:/fine`, `${outer}/swapped:/swapped`] },
    });
    const ok = await entries((await archiveGet(b.deps, b.rec, '/fine/ok')).tar);
    assert.deepEqual(
      ok.map((e) => e.content),
      ['nested ok'],
    );
    await rejects(archiveGet(b.deps, b.rec, '/swapped/sentinel'), isNotFound);
    const all = await entries((await archiveGet(b.deps, b.rec, '/')).tar);
    assert.ok(!all.some((e) => e.content.includes('do not touch') || e.content.includes('HOST SECRET')));
    // Through the outer bind, the link is just a link.
    const link = await entries((await archiveGet(b.deps, b.rec, '/a/swapped')).tar);
    assert.deepEqual(
      link.map((e) => [e.header.type, e.header.linkname]),
      [['symlink', b0.outside]],
    );
    await rejects(archiveGet(b.deps, b.rec, '/a/swapped/sentinel'), isNotFound);
  });

  it("the engine's /etc/hosts is the container's once written", async () => {
    const b = await box();
    await mkdir(path.join(b.base, 'ctr'));
    await writeFile(path.join(b.base, 'ctr/hosts'), '127.0.0.1\tlocalhost\n');
    const es = await entries((await archiveGet(b.deps, b.rec, '/etc/hosts')).tar);
    assert.deepEqual(
      es.map((e) => [e.header.name, e.content]),
      [['hosts', '127.0.0.1\tlocalhost\n']],
    );
  });
});
