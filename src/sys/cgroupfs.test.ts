import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { errnoCode } from '../errdefs/index.js';
import { RecordingCgroupFs, realCgroupFs } from './index.js';

const code = (c: string) => (e: unknown) => errnoCode(e) === c;

describe('RecordingCgroupFs', () => {
  it('records every call in order, failed ones included', async () => {
    const fs = new RecordingCgroupFs({ files: { '/cg/a': '1' } });
    await fs.writeFile('/cg/a', '2');
    await assert.rejects(fs.writeFile('/cg/missing', 'x'), code('ENOENT'));
    assert.equal(await fs.readFile('/cg/a'), '2');
    await fs.mkdir('/cg/x/y', true);
    assert.deepEqual(fs.calls, [
      { op: 'writeFile', path: '/cg/a', data: '2' },
      { op: 'writeFile', path: '/cg/missing', data: 'x' },
      { op: 'readFile', path: '/cg/a' },
      { op: 'mkdir', path: '/cg/x/y', recursive: true },
    ]);
    assert.deepEqual(fs.writes(), [
      ['/cg/a', '2'],
      ['/cg/missing', 'x'],
    ]);
  });

  it('acts like cgroupfs: control files appear on mkdir, rmdir refuses child cgroups but not files', async () => {
    const fs = new RecordingCgroupFs({ dirs: ['/cg'], onMkdir: () => ({ 'cgroup.procs': '' }) });
    await fs.mkdir('/cg/a');
    await fs.mkdir('/cg/a/b');
    await assert.rejects(fs.mkdir('/cg/a'), code('EEXIST'));
    await assert.rejects(fs.mkdir('/cg/n/m'), code('ENOENT'));
    assert.deepEqual(await fs.readdir('/cg/a'), [
      { name: 'b', isDirectory: true },
      { name: 'cgroup.procs', isDirectory: false },
    ]);
    await assert.rejects(fs.rmdir('/cg/a'), code('EBUSY'));
    await fs.rmdir('/cg/a/b');
    await fs.rmdir('/cg/a');
    assert.equal(await fs.exists('/cg/a/cgroup.procs'), false);
  });

  it('failOn injects errno failures a given number of times', async () => {
    const fs = new RecordingCgroupFs({ dirs: ['/cg/a'] });
    fs.failOn('rmdir', '/cg/a', 'EBUSY', 1);
    await assert.rejects(fs.rmdir('/cg/a'), code('EBUSY'));
    await fs.rmdir('/cg/a');
  });
});

describe('realCgroupFs', () => {
  it('writes existing files but never creates one (a missing control file is ENOENT)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'berth-cgfs-'));
    try {
      await writeFile(`${dir}/f`, 'old-and-long');
      await realCgroupFs.writeFile(`${dir}/f`, 'new');
      assert.equal(await readFile(`${dir}/f`, 'utf8'), 'new');
      await assert.rejects(realCgroupFs.writeFile(`${dir}/missing`, 'x'), code('ENOENT'));
      await mkdir(`${dir}/sub`);
      assert.deepEqual(
        (await realCgroupFs.readdir(dir)).sort((a, b) => a.name.localeCompare(b.name)),
        [
          { name: 'f', isDirectory: false },
          { name: 'sub', isDirectory: true },
        ],
      );
      assert.equal(await realCgroupFs.exists(`${dir}/sub`), true);
      await realCgroupFs.rmdir(`${dir}/sub`);
      assert.equal(await realCgroupFs.exists(`${dir}/sub`), false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
