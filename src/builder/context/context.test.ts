// The build context on real files: upload (plain, gzip, corrupt, escaping), the Dockerfile lookup, COPY/ADD source
// resolution (globs, .dockerignore, symlinks kept inside the context), checksums, and the copy tars extracted for real.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, readlink, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { RootTree } from '../../archive/index.js';
import { buildTar, chunked, collect, describeTree, scratch } from '../../archive/testing.js';
import { isInvalidParameter, isNotFound } from '../../errdefs/index.js';
import {
  BuildContext,
  type CopySource,
  type CopyTarOptions,
  checksumSources,
  copyTar,
  ignoreMatcher,
  resolveSources,
  type SourceTree,
} from './index.js';

const run = promisify(execFile);
/** The 12-hex-digit content hash describeTree prints. */
const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
let tmp: Awaited<ReturnType<typeof scratch>>;
before(async () => {
  tmp = await scratch('berth-context-');
});
after(async () => {
  await tmp.remove();
});

/** A context directory made of `files` (path → content; a value starting with '->' is a symlink). */
async function tree(files: Record<string, string>, ignore?: string[]): Promise<SourceTree> {
  const root = await tmp.dir();
  for (const [p, v] of Object.entries(files)) {
    await mkdir(join(root, p, '..'), { recursive: true });
    if (v.startsWith('->')) await symlink(v.slice(2), join(root, p));
    else if (p.endsWith('/')) await mkdir(join(root, p), { recursive: true });
    else await writeFile(join(root, p), v);
  }
  return ignore ? { root, ignore: ignoreMatcher(ignore) } : { root };
}

/** Extracts the copy tar at '/' of a fresh directory (as the executor will) and describes the result. */
async function copied(
  t: SourceTree,
  sources: CopySource[],
  opts: Partial<CopyTarOptions> & { dest: string },
  into?: string,
): Promise<{ dir: string; lines: string[] }> {
  const dir = into ?? (await tmp.dir());
  const rt = await RootTree.open(dir, []);
  try {
    const tar = copyTar(t, sources, { workdir: '/', extractArchives: false, destIsDir: false, ...opts });
    await rt.extract('/', tar, { noOverwriteDirNonDir: false, readOnlyRoot: false });
  } finally {
    await rt.close();
  }
  return { dir, lines: (await describeTree(dir, { dirTimes: false })).map((l) => l.replace(/ t=\d+/, '')) };
}

const names = (s: CopySource[]) => s.map((x) => `${x.path}:${x.name}`);

describe('BuildContext', () => {
  it('unpacks a plain or gzip tar, reads the Dockerfile (or dockerfile) and .dockerignore', async () => {
    const tar = buildTar([
      { name: 'Dockerfile', type: 'file', content: 'FROM scratch\n' },
      { name: 'sub/', type: 'directory' },
      { name: 'sub/Alt.Dockerfile', type: 'file', content: 'FROM busybox\n' },
      { name: 'link', type: 'symlink', linkname: 'sub/Alt.Dockerfile' },
      { name: 'out', type: 'symlink', linkname: '/etc/passwd' },
      { name: '.dockerignore', type: 'file', content: '# c\n*.log\n!keep.log\n' },
    ]);
    for (const body of [tar, gzipSync(tar)]) {
      const ctx = await BuildContext.fromTar(chunked(body, 700), join(await tmp.dir(), 'ctx'));
      assert.equal(await ctx.dockerfile('Dockerfile'), 'FROM scratch\n');
      assert.equal(await ctx.dockerfile('sub/Alt.Dockerfile'), 'FROM busybox\n');
      assert.equal(await ctx.dockerfile('link'), 'FROM busybox\n');
      assert.deepEqual(ctx.ignore.patterns, ['*.log', '!keep.log']);
      assert.equal(ctx.ignore.matches('a.log'), true);
      assert.equal(ctx.ignore.matches('keep.log'), false);
      // A symlink is kept as one; read through, it resolves inside the context (no etc/passwd there).
      assert.equal(await readlink(join(ctx.root, 'out')), '/etc/passwd');
      await assert.rejects(
        ctx.dockerfile('out'),
        (e) => isNotFound(e) && e.message === 'Cannot locate specified Dockerfile: out',
      );
      await assert.rejects(ctx.dockerfile('../x'), isInvalidParameter);
      await ctx.remove();
      await assert.rejects(stat(ctx.root), { code: 'ENOENT' });
    }
    const lower = await BuildContext.fromTar(
      chunked(buildTar([{ name: 'dockerfile', type: 'file', content: 'FROM x\n' }])),
      await tmp.dir(),
    );
    assert.equal(await lower.dockerfile('Dockerfile'), 'FROM x\n');
    await assert.rejects(
      lower.dockerfile('Nope'),
      (e) => isNotFound(e) && /Cannot locate specified Dockerfile: Nope/.test(e.message),
    );
  });

  it('refuses a corrupt tar and entries climbing out of the context', async () => {
    const good = buildTar([{ name: 'a', type: 'file', content: 'x' }]);
    const corrupt = Buffer.from(good);
    corrupt[0] = 0x41; // breaks the header checksum
    await assert.rejects(BuildContext.fromTar(chunked(corrupt), await tmp.dir()), isInvalidParameter);
    await assert.rejects(BuildContext.fromTar(chunked(good.subarray(0, 700)), await tmp.dir()), isInvalidParameter);
    const dir = await tmp.dir();
    const escaping = buildTar([{ name: '../escaped', type: 'file', content: 'x' }]);
    await assert.rejects(BuildContext.fromTar(chunked(escaping), join(dir, 'ctx')), isInvalidParameter);
    await assert.rejects(stat(join(dir, 'escaped')), { code: 'ENOENT' });
  });
});

describe('resolveSources', () => {
  it('resolves plain paths, a leading / or ./, and globs per path component in byte order', async () => {
    const t = await tree({ 'a.txt': '1', 'b.txt': '2', 'B.md': '3', 'dir/c.txt': '4', 'dir/sub/d.txt': '5' });
    assert.deepEqual(names(await resolveSources(t, ['/a.txt', './dir', '.'], { allowWildcard: true })), [
      'a.txt:a.txt',
      'dir:dir',
      ':.',
    ]);
    assert.deepEqual(names(await resolveSources(t, ['*.txt'], { allowWildcard: true })), [
      'a.txt:a.txt',
      'b.txt:b.txt',
    ]);
    assert.deepEqual(names(await resolveSources(t, ['*/*.txt', '[A-Z]*'], { allowWildcard: true })), [
      'dir/c.txt:c.txt',
      'B.md:B.md',
    ]);
    assert.deepEqual(names(await resolveSources(t, ['d?r/s*'], { allowWildcard: true })), ['dir/sub:sub']);
    // Without wildcards allowed (COPY --from … of a name with '*'), the name is taken literally.
    await assert.rejects(
      resolveSources(t, ['*.txt'], { allowWildcard: false }),
      (e) =>
        isInvalidParameter(e) &&
        e.message ===
          'COPY failed: file not found in build context or excluded by .dockerignore: stat *.txt: file does not exist',
    );
    await assert.rejects(
      resolveSources(t, ['*.none'], { allowWildcard: true, cmdName: 'ADD' }),
      (e) => isInvalidParameter(e) && e.message === 'ADD failed: no source files were specified',
    );
    await assert.rejects(resolveSources(t, ['a[.txt'], { allowWildcard: true }), isInvalidParameter);
  });

  it('keeps sources inside the context: ../ is forbidden, symlinks resolve with the context as /', async () => {
    const t = await tree({
      x: '->/etc/passwd',
      up: '->../../../../etc',
      rel: '->dir/file',
      'dir/file': 'inside',
      'etc/hostname': 'context hostname',
    });
    for (const arg of ['../x', 'x/../../etc/passwd', '..']) {
      await assert.rejects(
        resolveSources(t, [arg], { allowWildcard: true }),
        (e) =>
          isInvalidParameter(e) && e.message === `COPY failed: forbidden path outside the build context: ${arg} ()`,
      );
    }
    // /etc/passwd of the context does not exist: not the host's.
    await assert.rejects(
      resolveSources(t, ['x'], { allowWildcard: false }),
      (e) => isInvalidParameter(e) && /stat x: file does not exist$/.test(e.message),
    );
    assert.deepEqual(names(await resolveSources(t, ['up/hostname', 'rel'], { allowWildcard: false })), [
      'etc/hostname:hostname',
      'dir/file:rel',
    ]);
    const { lines } = await copied(t, await resolveSources(t, ['up/hostname'], { allowWildcard: false }), {
      dest: '/h',
    });
    assert.equal(await readFile(join(t.root, 'etc/hostname'), 'utf8'), 'context hostname');
    assert.match(lines.join('\n'), /^h f 644 0:0 size=16/);
  });

  it('treats what .dockerignore hides as absent, exceptions included', async () => {
    const t = await tree(
      { 'app.log': 'l', 'keep.log': 'k', 'src/a.ts': 'a', 'secret/key': 'k', 'secret/public/x': 'x', Dockerfile: 'F' },
      ['*.log', '!keep.log', 'secret', '!secret/public', 'Dockerfile'],
    );
    await assert.rejects(resolveSources(t, ['app.log'], { allowWildcard: true }), isInvalidParameter);
    await assert.rejects(resolveSources(t, ['Dockerfile'], { allowWildcard: true }), isInvalidParameter);
    await assert.rejects(resolveSources(t, ['secret/key'], { allowWildcard: true }), isInvalidParameter);
    assert.deepEqual(names(await resolveSources(t, ['*.log', 'secret/public/x', 'secret'], { allowWildcard: true })), [
      'keep.log:keep.log',
      'secret/public/x:x',
      'secret:secret',
    ]);
    const { lines } = await copied(t, await resolveSources(t, ['.'], { allowWildcard: false }), { dest: '/ctx/' });
    assert.deepEqual(
      lines.map((l) => l.split(' ')[0]),
      ['ctx', 'ctx/keep.log', 'ctx/secret', 'ctx/secret/public', 'ctx/secret/public/x', 'ctx/src', 'ctx/src/a.ts'],
    );
  });
});

describe('checksumSources', () => {
  it('changes with content, mode, names and link targets, not with mtimes', async () => {
    const t = await tree({ 'd/f': 'hello', 'd/l': '->f', g: 'x' });
    const src = await resolveSources(t, ['d', 'g'], { allowWildcard: false });
    const first = await checksumSources(t, src);
    assert.match(first, /^sha256:[0-9a-f]{64}$/);
    await utimes(join(t.root, 'd/f'), 1000, 1000);
    await utimes(join(t.root, 'd'), 1000, 1000);
    assert.equal(await checksumSources(t, src), first);
    await chmod(join(t.root, 'd/f'), 0o600);
    const moded = await checksumSources(t, src);
    assert.notEqual(moded, first);
    await writeFile(join(t.root, 'd/f'), 'hellO');
    const edited = await checksumSources(t, src);
    assert.notEqual(edited, moded);
    const other = await tree({ 'd/f': 'hellO', 'd/l': '->f2', g: 'x' });
    await chmod(join(other.root, 'd/f'), 0o600);
    assert.notEqual(
      await checksumSources(other, await resolveSources(other, ['d', 'g'], { allowWildcard: false })),
      edited,
    );
    // Ignored files inside a copied directory do not count.
    const ignoring = { ...t, ignore: ignoreMatcher(['d/f']) };
    const without = await checksumSources(ignoring, src);
    await writeFile(join(t.root, 'd/f'), 'changed again');
    assert.equal(await checksumSources(ignoring, src), without);
  });
});

describe('copyTar', () => {
  it("follows Docker's destination rules for files and directories", async () => {
    const t = await tree({ f: 'file', 'd/a': 'A', 'd/sub/b': 'B', g: 'G' });
    await chmod(join(t.root, 'd/sub/b'), 0o751);
    const one = (arg: string) => resolveSources(t, [arg], { allowWildcard: false });
    assert.deepEqual((await copied(t, await one('f'), { dest: '/x/y' })).lines, [
      'x d 755 0:0',
      'x/y f 644 0:0 size=4 sha=' + sha('file'),
    ]);
    assert.deepEqual((await copied(t, await one('f'), { dest: 'y/', workdir: '/w' })).lines, [
      'w d 755 0:0',
      'w/y d 755 0:0',
      `w/y/f f 644 0:0 size=4 sha=${sha('file')}`,
    ]);
    // An existing directory at dest (the executor says so): the file goes inside it.
    const existing = await tmp.dir();
    await mkdir(join(existing, 'opt'), { mode: 0o700 });
    await chmod(join(existing, 'opt'), 0o700);
    const inExisting = await copied(t, await one('f'), { dest: '/opt', destIsDir: true }, existing);
    assert.deepEqual(inExisting.lines, ['opt d 700 0:0', `opt/f f 644 0:0 size=4 sha=${sha('file')}`]);
    // A directory copies its contents; the new destination directory is 0755.
    assert.deepEqual((await copied(t, await one('d'), { dest: '/app', chown: { uid: 1000, gid: 50 } })).lines, [
      'app d 755 1000:50',
      `app/a f 644 1000:50 size=1 sha=${sha('A')}`,
      'app/sub d 755 1000:50',
      `app/sub/b f 751 1000:50 size=1 sha=${sha('B')}`,
    ]);
    assert.deepEqual((await copied(t, await one('d'), { dest: '/app', chmod: 0o640 })).lines.slice(1), [
      `app/a f 640 0:0 size=1 sha=${sha('A')}`,
      'app/sub d 640 0:0',
      `app/sub/b f 640 0:0 size=1 sha=${sha('B')}`,
    ]);
    const two = await resolveSources(t, ['f', 'g'], { allowWildcard: false });
    await assert.rejects(
      collect(copyTar(t, two, { dest: '/dir', workdir: '/', extractArchives: false, destIsDir: true })),
      (e) =>
        isInvalidParameter(e) &&
        e.message ===
          'When using COPY with more than one source file, the destination must be a directory and end with a /',
    );
    assert.deepEqual(
      (await copied(t, two, { dest: '.', workdir: '/' })).lines.map((l) => l.split(' ')[0]),
      ['f', 'g'],
    );
  });

  it('copies symlinks inside a directory as symlinks, hard links as links, and clamps mtimes', async () => {
    const t = await tree({ 'd/target': 't', 'd/abs': '->/etc/passwd', 'd/rel': '->target' });
    await run('ln', [join(t.root, 'd/target'), join(t.root, 'd/hard')]);
    await utimes(join(t.root, 'd/target'), 2_000_000_000, 2_000_000_000);
    const src = await resolveSources(t, ['d'], { allowWildcard: false });
    const { dir, lines } = await copied(t, src, { dest: '/c', mtime: 1_700_000_000 });
    assert.equal(await readlink(join(dir, 'c/abs')), '/etc/passwd');
    assert.equal(await readlink(join(dir, 'c/rel')), 'target');
    assert.ok(lines.some((l) => l.startsWith('c/target ') && l.endsWith('hardlink=c/hard')));
    assert.equal((await lstat(join(dir, 'c/target'))).mtimeMs, 1_700_000_000_000);
  });

  it('ADD unpacks local tars (plain, gzip, xz) at the destination, other files are copied', async () => {
    const inner = buildTar([
      { name: './', type: 'directory' },
      { name: './bin/', type: 'directory', mode: 0o755 },
      { name: './bin/tool', type: 'file', content: '#!/bin/sh\n', mode: 0o755, uid: 7, gid: 8 },
      { name: './bin/alias', type: 'link', linkname: './bin/tool', mode: 0o755, uid: 7, gid: 8 },
    ]);
    const t = await tree({ 'plain.tar': '', 'notatar.gz': '' });
    await writeFile(join(t.root, 'plain.tar'), inner);
    await writeFile(join(t.root, 'a.tar.gz'), gzipSync(inner));
    await writeFile(join(t.root, 'notatar.gz'), gzipSync('just text'));
    await writeFile(join(t.root, 'b.tar'), inner);
    await run('xz', ['-f', join(t.root, 'b.tar')]); // leaves b.tar.xz
    for (const name of ['plain.tar', 'a.tar.gz', 'b.tar.xz']) {
      const src = await resolveSources(t, [name], { allowWildcard: false, cmdName: 'ADD' });
      const { lines } = await copied(t, src, { dest: '/opt/', extractArchives: true, cmdName: 'ADD' });
      assert.deepEqual(
        lines,
        [
          'opt d 755 0:0',
          'opt/bin d 755 0:0',
          `opt/bin/alias f 755 7:8 size=10 sha=${sha('#!/bin/sh\n')}`,
          `opt/bin/tool f 755 7:8 size=10 sha=${sha('#!/bin/sh\n')} hardlink=opt/bin/alias`,
        ],
        name,
      );
    }
    const src = await resolveSources(t, ['notatar.gz'], { allowWildcard: false });
    const { lines } = await copied(t, src, { dest: '/opt/', extractArchives: true });
    assert.match(lines[1] ?? '', /^opt\/notatar\.gz f 644 0:0/);
    // COPY never unpacks.
    const asCopy = await copied(t, await resolveSources(t, ['plain.tar'], { allowWildcard: false }), { dest: '/p' });
    assert.match(asCopy.lines[0] ?? '', /^p f 644 0:0 size=/);
  });
});
