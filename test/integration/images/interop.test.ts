// Image archives between berth and Debian's dockerd, on real files: what berth saves, berth and dockerd load with the
// same ID and tags; what dockerd saves (including whiteouts and opaque directories), berth loads, mounts and runs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type Dockerd, dockerdSkipReason, mountsUnder, startDockerd } from '../../fixtures/dockerd.js';
import { busyboxImage, type ImageStack, openImageStack } from '../../fixtures/images.js';
import { helperProcesses, RuntimeHarness } from '../runtime/harness.js';
import { loadFrom, mountImage, runIn, saveTo } from './helpers.js';

const run = promisify(execFile);
const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

/** Temp root + stacks opened under it, closed and removed afterwards, checking no mount is left under it. */
class Scratch {
  private readonly stacks: ImageStack[] = [];
  private constructor(readonly dir: string) {}
  static async create(): Promise<Scratch> {
    return new Scratch(await mkdtemp(join(tmpdir(), 'berth-img-')));
  }
  async stack(name: string): Promise<ImageStack> {
    const s = await openImageStack(join(this.dir, name));
    this.stacks.push(s);
    return s;
  }
  async cleanup(): Promise<void> {
    for (const s of this.stacks) await s.close();
    const left = await mountsUnder(this.dir);
    await rm(this.dir, { recursive: true, force: true });
    assert.deepEqual(left, [], 'mounts left behind');
  }
}

describe('berth save → berth load', () => {
  let h: RuntimeHarness;
  let scratch: Scratch;
  before(async () => {
    h = await RuntimeHarness.create();
    scratch = await Scratch.create();
  });
  after(async () => {
    await scratch.cleanup();
    await h.cleanup();
  });

  test('keeps the image ID, diff IDs and tag, and the loaded layers mount and run a container', async () => {
    const a = await scratch.stack('a');
    const id = await busyboxImage(a);
    const archive = join(scratch.dir, 'busybox.tar');
    await saveTo(a, ['busybox:latest'], archive);

    const b = await scratch.stack('b');
    const loaded = await loadFrom(b, archive);
    assert.deepEqual(loaded.ids, [id]);
    assert.deepEqual(loaded.loaded, ['Loaded image: busybox:latest']);
    assert.equal(b.images.resolve('busybox:latest').id, id);
    assert.deepEqual(b.images.get(id).config.rootfs.diff_ids, a.images.get(id).config.rootfs.diff_ids);

    const rootfs = await mountImage(b, id, 'bbload1');
    try {
      const out = await runIn(h, 'bbload1', rootfs.path, ['sh', '-c', 'echo hi; cat /etc/passwd']);
      assert.equal(out.exitCode, 0, out.stderr);
      assert.equal(out.stdout, `hi\n${PASSWD}`);
    } finally {
      await rootfs.release();
    }
    assert.deepEqual(b.layerStore.listRW(), []);
  });
});

const skip = await dockerdSkipReason();

describe('berth ⇄ dockerd', { skip }, () => {
  let h: RuntimeHarness;
  let scratch: Scratch;
  let dockerd: Dockerd;
  let berth: ImageStack;
  let busyboxId: string;
  let busyboxArchive: string;

  before(async () => {
    h = await RuntimeHarness.create();
    scratch = await Scratch.create();
    dockerd = await startDockerd();
    berth = await scratch.stack('berth');
    busyboxId = await busyboxImage(berth);
    busyboxArchive = join(scratch.dir, 'berth-busybox.tar');
    await saveTo(berth, ['busybox:latest'], busyboxArchive);
  });
  after(async () => {
    const problems: unknown[] = [];
    for (const step of [() => dockerd?.stop(), () => scratch?.cleanup(), () => h?.cleanup()]) {
      await Promise.resolve()
        .then(step)
        .catch((e: unknown) => problems.push(e));
    }
    assert.deepEqual(await helperProcesses(), []);
    if (problems.length > 0) throw problems[0];
  });

  test("docker load takes berth's archive with the same ID and tag", async () => {
    const r = await dockerd.docker('load', '-i', busyboxArchive);
    assert.match(r.stdout, /Loaded image: busybox:latest/);
    const inspect = JSON.parse((await dockerd.docker('image', 'inspect', 'busybox:latest')).stdout) as {
      Id: string;
      RepoTags: string[];
      RootFS: { Layers: string[] };
    }[];
    assert.equal(inspect[0]?.Id, busyboxId);
    assert.deepEqual(inspect[0]?.RepoTags, ['busybox:latest']);
    assert.deepEqual(inspect[0]?.RootFS.Layers, berth.images.get(busyboxId).config.rootfs.diff_ids);
  });

  test('dockerd runs a container from the image berth saved', async () => {
    const r = await dockerd.dockerResult(['run', '--rm', '--network', 'none', 'busybox:latest', 'echo', 'hi']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hi\n');
  });

  test('docker save of that image loads into berth with the same ID', async () => {
    const archive = join(scratch.dir, 'docker-busybox.tar');
    await dockerd.docker('save', '-o', archive, 'busybox:latest');
    const fresh = await scratch.stack('fresh');
    const loaded = await loadFrom(fresh, archive);
    assert.deepEqual(loaded.ids, [busyboxId]);
    assert.equal(fresh.images.resolve('busybox:latest').id, busyboxId);
  });

  test('a 3-layer docker build with a deleted file and an opaque directory loads, mounts and runs in berth', async () => {
    const ctx = join(scratch.dir, 'ctx');
    await mkdir(ctx);
    // Layer 2 deletes a base file (a whiteout) and adds /opq/a; layer 3 replaces /opq wholesale (an opaque dir).
    await writeFile(
      join(ctx, 'Dockerfile'),
      [
        'FROM busybox:latest',
        'RUN rm /etc/group && mkdir /opq && echo a > /opq/a && echo keep > /kept',
        'RUN rm -rf /opq && mkdir /opq && echo b > /opq/b',
        'CMD ["sh"]',
        '',
      ].join('\n'),
    );
    await dockerd.docker('build', '--network', 'none', '-t', 'layered:3', ctx);
    const inspect = JSON.parse((await dockerd.docker('image', 'inspect', 'layered:3')).stdout) as {
      Id: string;
      RootFS: { Layers: string[] };
    }[];
    const dockerId = inspect[0]!.Id;
    assert.equal(inspect[0]!.RootFS.Layers.length, 3);
    const archive = join(scratch.dir, 'layered.tar');
    await dockerd.docker('save', '-o', archive, 'layered:3');

    // The archive really carries a whiteout and an opaque-directory marker.
    const unpacked = join(scratch.dir, 'layered');
    await mkdir(unpacked);
    await run('tar', ['-C', unpacked, '-xf', archive]);
    const manifest = JSON.parse(await readFile(join(unpacked, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
    const list = async (i: number) =>
      (await run('tar', ['-tf', join(unpacked, manifest[0]!.Layers[i]!)])).stdout.split('\n');
    assert.ok((await list(1)).includes('etc/.wh.group'), 'layer 2 whiteouts /etc/group');
    assert.ok((await list(2)).includes('opq/.wh..wh..opq'), 'layer 3 makes /opq opaque');

    const stack = await scratch.stack('layered');
    const loaded = await loadFrom(stack, archive);
    assert.deepEqual(loaded.ids, [dockerId]);
    assert.equal(stack.images.resolve('layered:3').id, dockerId);
    assert.deepEqual(stack.images.get(dockerId).config.rootfs.diff_ids, inspect[0]!.RootFS.Layers);

    const rootfs = await mountImage(stack, dockerId, 'layered1');
    try {
      assert.equal(await exists(join(rootfs.path, 'etc/group')), false, '/etc/group was deleted');
      assert.equal(await exists(join(rootfs.path, 'etc/passwd')), true);
      assert.equal(await exists(join(rootfs.path, 'opq/a')), false, '/opq/a is hidden by the opaque dir');
      assert.equal(await readFile(join(rootfs.path, 'opq/b'), 'utf8'), 'b\n');
      assert.equal(await readFile(join(rootfs.path, 'kept'), 'utf8'), 'keep\n');
      const out = await runIn(h, 'layered1', rootfs.path, [
        'sh',
        '-c',
        'ls -A /opq; cat /kept; test -e /etc/group || echo no-group',
      ]);
      assert.equal(out.exitCode, 0, out.stderr);
      assert.equal(out.stdout, 'b\nkeep\nno-group\n');
    } finally {
      await rootfs.release();
    }
  });
});
