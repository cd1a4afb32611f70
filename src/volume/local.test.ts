import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Conflict, InvalidParameter, NotFound } from '../errdefs/index.js';
import { LocalVolumes, validateLocalOptions } from './local.js';
import { validateVolumeName } from './names.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function root(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'berth-volumes-'));
  dirs.push(d);
  return join(d, 'volumes');
}

describe('volume names (the local driver)', () => {
  it('accepts what Docker accepts, refuses "/", "..", one character and a leading dot', () => {
    for (const ok of ['ab', 'my-vol_1.x', '0a', 'a..b']) validateVolumeName(ok);
    assert.throws(() => validateVolumeName('a'), /volume name is too short/);
    for (const bad of ['a/b', '..', '../x', '.hidden', 'x y', '']) {
      assert.throws(() => validateVolumeName(bad), InvalidParameter, bad);
    }
  });

  it('driver options: known keys only, type/device/o together', () => {
    validateLocalOptions({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m' });
    assert.throws(() => validateLocalOptions({ bogus: '1' }), /invalid option: "bogus"/);
    assert.throws(() => validateLocalOptions({ type: 'tmpfs' }), /missing required option: "device"/);
    assert.throws(() => validateLocalOptions({ o: 'x', device: 'd' }), /missing required option: "type"/);
  });
});

describe('LocalVolumes', () => {
  it('creates a volume directory and its record, idempotently, and reads them back at open', async () => {
    const r = await root();
    const vols = await LocalVolumes.open(r);
    const first = await vols.create('data1', { labels: { a: 'b' } });
    assert.equal(first.created, true);
    assert.equal((await vols.create('data1')).created, false, 'a second create returns the volume');
    assert.ok((await stat(join(r, 'data1', '_data'))).isDirectory());
    const record = JSON.parse(await readFile(join(r, 'data1', 'volume.json'), 'utf8'));
    assert.deepEqual(record.Labels, { a: 'b' });
    const again = await LocalVolumes.open(r);
    assert.deepEqual(again.get('data1'), first.volume);
  });

  it('sizes count each file once, removal takes the data along, a missing volume is NotFound', async () => {
    const vols = await LocalVolumes.open(await root());
    const { volume } = await vols.create('sized');
    await writeFile(join(volume.mountpoint, 'f'), Buffer.alloc(1000));
    assert.equal(await vols.size('sized'), 1000);
    await vols.remove('sized');
    await assert.rejects(stat(volume.mountpoint));
    assert.throws(() => vols.get('sized'), NotFound);
  });

  it('a volume held by a running container cannot be removed; holds are sets, released idempotently', async () => {
    const vols = await LocalVolumes.open(await root());
    await vols.create('held');
    await vols.mount('held', 'c1');
    await vols.mount('held', 'c1');
    await assert.rejects(vols.remove('held'), Conflict);
    await vols.unmount('held', 'c1');
    await vols.unmount('held', 'c1');
    await vols.remove('held');
  });
});
