// layerTar replays the tar-split record register kept (layerdb/sha256/<chain>/tar-split.json.gz), on overlay2 and
// vfs: foreign tars (GNU tar, gzip, whiteouts) come back byte for byte; a changed file fails with a System error.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { link, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { isSystem } from '../../errdefs/index.js';
import { type Digest, sha256 } from '../../lib/digest.js';
import { lsetxattr } from '../../sys/ffi-libc.js';
import type { GraphDriver } from '../graphdriver/index.js';
import { LayerStore } from './index.js';
import { DRIVERS, openDriver, readAll } from './testing.js';

const run = promisify(execFile);

async function gnuTar(dir: string, format: 'gnu' | 'pax'): Promise<Buffer> {
  const args = ['-c', '-f', '-', '-C', dir, `--format=${format}`, ...(format === 'pax' ? ['--xattrs'] : []), '.'];
  return (await run('tar', args, { encoding: 'buffer', maxBuffer: 64 << 20 })).stdout;
}

for (const driverName of DRIVERS) {
  describe(`layer store tar-split on ${driverName}`, () => {
    let root: string;
    let driver: GraphDriver;
    let store: LayerStore;

    beforeEach(async () => {
      root = await mkdtemp(path.join(tmpdir(), `berth-tarsplit-${driverName}-`));
      driver = await openDriver(driverName, path.join(root, 'layers'));
      store = await LayerStore.open({ root: path.join(root, 'image'), driver });
    });

    afterEach(async () => {
      await driver.cleanup();
      await rm(root, { recursive: true, force: true });
    });

    /** A GNU tar of a tree with a hard link, a symlink, a name over 100 bytes, an xattr, a dir. */
    async function baseTar(format: 'gnu' | 'pax'): Promise<Buffer> {
      const src = path.join(root, `src-${format}`);
      await mkdir(path.join(src, 'usr/bin'), { recursive: true });
      await writeFile(path.join(src, 'usr/bin/tool'), 'tool '.repeat(5000));
      await link(path.join(src, 'usr/bin/tool'), path.join(src, 'usr/bin/tool2'));
      await symlink('tool', path.join(src, 'usr/bin/alias'));
      await lsetxattr(path.join(src, 'usr/bin/tool'), 'user.note', Buffer.from([0xde, 0xad, 0xbe, 0xef]));
      const deep = path.join(src, 'opt', 'x'.repeat(70), 'y'.repeat(70));
      await mkdir(deep, { recursive: true });
      await writeFile(path.join(deep, 'z'.repeat(80)), 'deep');
      await mkdir(path.join(src, 'etc/conf.d'), { recursive: true });
      await writeFile(path.join(src, 'etc/passwd'), 'root:x:0:0');
      await writeFile(path.join(src, 'etc/conf.d/a'), 'a');
      return gnuTar(src, format);
    }

    /** A GNU tar of a layer deleting etc/passwd and making etc/conf.d opaque (whiteout files, as Docker writes). */
    async function whiteoutTar(): Promise<Buffer> {
      const src = path.join(root, 'src-wh');
      await mkdir(path.join(src, 'etc/conf.d'), { recursive: true });
      await writeFile(path.join(src, 'etc/.wh.passwd'), '');
      await writeFile(path.join(src, 'etc/conf.d/.wh..wh..opq'), '');
      await writeFile(path.join(src, 'etc/conf.d/b'), 'b');
      return gnuTar(src, 'gnu');
    }

    const layerTar = async (chainId: Digest) => readAll(await store.layerTar(chainId));

    for (const format of ['gnu', 'pax'] as const) {
      it(`a GNU tar (${format}) comes back from layerTar byte for byte, and so does a layer on top with whiteouts`, async () => {
        const tar = await baseTar(format);
        const base = await store.register(tar);
        assert.equal(base.diffId, sha256(tar));
        const out = await layerTar(base.chainId);
        assert.equal(sha256(out), sha256(tar));
        assert.ok(out.equals(tar));

        const wh = await whiteoutTar();
        const top = await store.register(wh, base.chainId);
        assert.ok((await layerTar(top.chainId)).equals(wh));
        // The whiteouts did their work (the record changes nothing about how a layer is applied).
        await store.createRW('c', top.chainId);
        const m = await store.mount('c');
        await assert.rejects(readFile(path.join(m, 'etc/passwd')), { code: 'ENOENT' });
        await assert.rejects(readFile(path.join(m, 'etc/conf.d/a')), { code: 'ENOENT' });
        assert.equal(await readFile(path.join(m, 'etc/conf.d/b'), 'utf8'), 'b');
        await store.unmount('c');
        await store.removeRW('c');
      });
    }

    it('a gzip-compressed tar registers under the plain tar’s diff ID and layerTar gives the plain tar', async () => {
      const tar = await baseTar('gnu');
      const layer = await store.register(gzipSync(tar));
      assert.equal(layer.diffId, sha256(tar));
      assert.ok((await layerTar(layer.chainId)).equals(tar));
    });

    it('the record survives a reopen of the store', async () => {
      const tar = await baseTar('pax');
      const layer = await store.register(tar);
      const again = await LayerStore.open({ root: path.join(root, 'image'), driver });
      await again.reset(new Map([[layer.chainId, 1]]));
      assert.ok((await readAll(await again.layerTar(layer.chainId))).equals(tar));
    });

    it('a file changed in the layer’s diff dir fails layerTar with a System error naming it', async () => {
      const tar = await baseTar('gnu');
      const layer = await store.register(tar);
      const dir = await driver.diffDir(layer.cacheId);
      await writeFile(path.join(dir, 'etc/passwd'), 'root:x:0:1'); // same size, other bytes
      await assert.rejects(layerTar(layer.chainId), (e: unknown) => {
        assert.ok(isSystem(e));
        assert.match((e as Error).message, /layer content "\.\/etc\/passwd" was modified/);
        return true;
      });
      // The failed read does not hold the layer.
      assert.deepEqual(await store.release(layer.chainId), [layer.chainId]);
    });
  });
}
