// Crash safety of `docker load`: a child process loads a 3-layer archive into an image stack and is SIGKILLed part-way
// (while extracting, after some layers are committed, around the config put, and at fractions of a full load's time).
// Reopening the stack as the engine does at start must leave no image missing a layer, no reference to a missing
// image, no layer that no image uses, no temp files, intents or mounts; and the same archive then loads and runs.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import type { Digest } from '../../../src/lib/digest.js';
import { overlayDiff } from '../../../src/storage/archive/index.js';
import type { DriverName } from '../../../src/storage/graphdriver/index.js';
import { driverLayerIds } from '../../../src/storage/layer/testing.js';
import { mountsUnder } from '../../fixtures/dockerd.js';
import { busyboxImage, type ImageStack, openImageStack } from '../../fixtures/images.js';
import { RuntimeHarness } from '../runtime/harness.js';
import { loadFrom, mountImage, runIn, saveTo } from './helpers.js';

const CHILD = fileURLToPath(new URL('./crash-child.js', import.meta.url));
const TAG = 'crash:3';
const WAIT_MS = 20_000;
/** Kills at 1/STEPS, 2/STEPS … of a whole load's time. */
const STEPS = 10;

/** Polls `cond` until it holds; fails after `ms` with `what` (and the child's stderr, if given). */
async function until(what: string, cond: () => boolean | Promise<boolean>, ms = WAIT_MS, every = 1): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

const entries = (dir: string) => readdir(dir).catch(() => [] as string[]);

/** A load running in a child process, its stdout steps collected. */
class LoadChild {
  readonly steps: string[] = [];
  stderr = '';
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<void>;

  constructor(
    readonly root: string,
    pause = '',
  ) {
    this.proc = spawn(process.execPath, [CHILD, root], {
      env: { ...process.env, BERTH_CRASH_CHILD: '1', BERTH_CRASH_PAUSE: pause },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let buf = '';
    this.proc.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      this.steps.push(...lines);
    });
    this.proc.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    // Writes to a killed child fail with EPIPE; that is the point of the test.
    this.proc.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.proc.on('close', (code, signal) => {
        this.exit = { code, signal };
        resolve();
      });
    });
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Streams the whole archive to the child's stdin. */
  feed(archive: string): void {
    pipeline(createReadStream(archive), this.proc.stdin).catch(() => undefined);
  }

  /** Writes only these bytes and leaves stdin open, so the child waits for the rest mid-extract. */
  feedPart(bytes: Buffer): void {
    this.proc.stdin.write(bytes);
  }

  reached(prefix: string): boolean {
    return this.steps.some((s) => s.startsWith(prefix));
  }

  async waitFor(prefix: string): Promise<string> {
    await until(`the child to print "${prefix}" (stderr: ${this.stderr})`, () => {
      if (!this.running) throw new Error(`child exited (${JSON.stringify(this.exit)}): ${this.stderr}`);
      return this.reached(prefix);
    });
    return this.steps.find((s) => s.startsWith(prefix))!;
  }

  /** The driver the child's stack selected (from its `at open` step). */
  async driver(): Promise<DriverName> {
    return (await this.waitFor('at open ')).slice('at open '.length) as DriverName;
  }

  async kill(): Promise<void> {
    if (this.running) this.proc.kill('SIGKILL');
    await this.wait();
  }

  async wait(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`child still running after ${WAIT_MS} ms`)), WAIT_MS);
    });
    try {
      await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Writes `files` files of `size` random bytes under `dir/name/`. */
async function randomTree(dir: string, name: string, files: number, size: number): Promise<void> {
  await mkdir(join(dir, name), { recursive: true });
  for (let i = 0; i < files; i++) await writeFile(join(dir, name, `f${i}`), randomBytes(size));
}

/**
 * The archive: busybox imported by berth plus two layers of random files (~2 MB each), tagged crash:3, saved by
 * berth. Returns its image ID and chain IDs.
 */
async function buildArchive(dir: string, archive: string): Promise<{ id: Digest; chain: readonly Digest[] }> {
  const src = await openImageStack(join(dir, 'src'));
  try {
    const base = src.images.get(await busyboxImage(src));
    const diffIds = [...base.config.rootfs.diff_ids];
    let parent = base.chainIds.at(-1)!;
    for (const name of ['two', 'three']) {
      const tree = join(dir, `tree-${name}`);
      await randomTree(tree, name, 8, 256 << 10);
      const got = await src.layers.register(overlayDiff(tree), parent);
      diffIds.push(got.diffId);
      parent = got.chainId;
      await rm(tree, { recursive: true, force: true });
    }
    const created = '2024-01-01T00:00:00Z';
    const config = {
      architecture: 'amd64',
      os: 'linux',
      created,
      config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
      history: diffIds.map((_, i) => ({ created, created_by: `layer ${i}` })),
      rootfs: { type: 'layers', diff_ids: diffIds },
    };
    const id = await src.images.put(JSON.stringify(config));
    await src.images.tag(id, TAG);
    await saveTo(src, [TAG], archive);
    return { id, chain: src.images.get(id).chainIds };
  } finally {
    await src.close();
    await rm(join(dir, 'src'), { recursive: true, force: true });
  }
}

/** Everything the reopened stack must satisfy after a crash. */
async function assertConsistent(stack: ImageStack): Promise<void> {
  const { images, layerStore, root } = stack;
  const layerdb = join(root, 'image', layerStore.driver.name, 'layerdb');

  // No image record without all its layers.
  assert.deepEqual(stack.reconciled.reset.unknown, [], 'images counting layers the store does not have');
  for (const img of images.images()) {
    for (const c of img.chainIds) assert.ok(await layerStore.has(c), `image ${img.id} is missing layer ${c}`);
  }
  // No reference (as written on disk, after open's repairs) to a missing image.
  const repos = await readFile(join(root, 'image', 'repositories.json'), 'utf8').then(
    (t) => (JSON.parse(t) as { Repositories?: Record<string, Record<string, string>> }).Repositories ?? {},
    () => ({}),
  );
  for (const [name, refs] of Object.entries(repos)) {
    for (const [ref, id] of Object.entries(refs)) assert.ok(images.has(id), `${name}: ${ref} → missing image ${id}`);
  }
  // No committed layer that no image uses; the layerdb and the driver hold exactly the store's layers.
  const inUse = images.chainIdsInUse();
  const layers = layerStore.list();
  assert.deepEqual(
    layers.map((l) => l.chainId).filter((c) => !inUse.has(c)),
    [],
    'layers no image uses',
  );
  assert.deepEqual(
    (await entries(join(layerdb, 'sha256'))).sort(),
    layers.map((l) => l.chainId.slice('sha256:'.length)).sort(),
  );
  assert.deepEqual(
    await driverLayerIds(layerStore.driver.name, join(root, 'layers')),
    layers.map((l) => l.cacheId).sort(),
    'driver layers no record names',
  );
  assert.deepEqual(layerStore.listRW(), []);
  // No leftover temp files, intents or work directories.
  assert.deepEqual(await entries(join(layerdb, 'tmp')), [], 'layerdb/tmp');
  assert.deepEqual(await entries(join(layerdb, 'mounts')), [], 'layerdb/mounts');
  assert.deepEqual(await entries(stack.tmpDir), [], 'the stack tmp dir');
  assert.deepEqual(await entries(join(root, 'image', 'content', 'ingest')), [], 'content ingest');
  const tmpFiles = [
    ...(await entries(join(root, 'image'))),
    ...(await entries(join(root, 'image', 'imagedb', 'metadata'))),
  ].filter((n) => n.endsWith('.tmp'));
  assert.deepEqual(tmpFiles, [], 'image store temp files');
  assert.deepEqual(await mountsUnder(root), [], 'mounts under the root');
}

/** Config blobs in the content store that no image record names (load only stores configs). */
async function orphanBlobs(stack: ImageStack): Promise<string[]> {
  return (await stack.content.list()).map((b) => b.digest).filter((d) => !stack.images.has(d));
}

describe('a load killed part-way (SIGKILL) leaves a consistent image store', () => {
  let h: RuntimeHarness;
  let dir: string;
  let archive: string;
  let image: { id: Digest; chain: readonly Digest[] };
  const children: LoadChild[] = [];
  const stacks: ImageStack[] = [];
  let ran = 0;

  const child = (name: string, pause = '') => {
    const c = new LoadChild(join(dir, name), pause);
    children.push(c);
    return c;
  };

  /** Reopens the stack the child used (the engine's start) and checks it; it is closed in `after`. */
  const reopen = async (root: string): Promise<ImageStack> => {
    const stack = await openImageStack(root);
    stacks.push(stack);
    await assertConsistent(stack);
    return stack;
  };

  /** The store is healthy: the archive loads again, and a container from it runs `ls /`. */
  const loadAndRun = async (stack: ImageStack): Promise<void> => {
    const loaded = await loadFrom(stack, archive);
    assert.deepEqual(loaded.ids, [image.id]);
    assert.deepEqual(loaded.loaded, [`Loaded image: ${TAG}`]);
    assert.equal(stack.images.resolve(TAG).id, image.id);
    assert.deepEqual(
      stack.layerStore
        .list()
        .map((l) => l.chainId)
        .sort(),
      [...image.chain].sort(),
    );
    const id = `crash${++ran}`;
    const rootfs = await mountImage(stack, image.id, id);
    try {
      const out = await runIn(h, id, rootfs.path, ['ls', '/']);
      assert.equal(out.exitCode, 0, out.stderr);
      const names = out.stdout.split('\n');
      for (const n of ['bin', 'etc', 'two', 'three']) assert.ok(names.includes(n), `ls / shows ${n}: ${out.stdout}`);
    } finally {
      await rootfs.release();
    }
    await assertConsistent(stack);
  };

  before(async () => {
    h = await RuntimeHarness.create();
    dir = await mkdtemp(join(tmpdir(), 'berth-crash-'));
    archive = join(dir, 'crash.tar');
    image = await buildArchive(dir, archive);
    assert.equal(image.chain.length, 3);
  });

  after(async () => {
    const problems: unknown[] = [];
    const step = async (f: () => Promise<unknown>) => {
      await f().catch((e: unknown) => problems.push(e));
    };
    for (const c of children) await step(() => c.kill());
    for (const s of stacks) await step(() => s.close());
    if (dir !== undefined) {
      await step(async () => assert.deepEqual(await mountsUnder(dir), [], 'mounts left behind'));
      await rm(dir, { recursive: true, force: true });
    }
    if (h !== undefined) await step(() => h.cleanup());
    if (problems.length > 0) throw problems[0];
  });

  /** Runs a whole load in a child and checks it; returns how long it took from the stack's open. */
  const wholeLoad = async (name: string): Promise<number> => {
    const c = child(name);
    await c.driver();
    const started = Date.now();
    c.feed(archive);
    await c.waitFor('at done');
    const ms = Date.now() - started;
    await c.wait();
    assert.equal(c.exit?.code, 0, c.stderr);
    assert.deepEqual(JSON.parse(c.steps.at(-1)!.slice('at done '.length)), [image.id]);
    assert.deepEqual(
      c.steps.filter((s) => !s.startsWith('at open') && !s.startsWith('at done')),
      ['at register:1', 'at register:2', 'at register:3', 'at config-blob', 'at put', 'at tag'],
    );
    return ms;
  };

  test('uninterrupted, the child loads the archive', async (t) => {
    t.diagnostic(`child load after open: ${await wholeLoad('whole')} ms`);
    const stack = await reopen(join(dir, 'whole'));
    assert.equal(stack.images.resolve(TAG).id, image.id);
    assert.deepEqual(stack.reconciled.reset.removed, []);
    await loadAndRun(stack);
  });

  test('killed while extracting the archive: nothing registered, the work directory removed on open', async () => {
    const c = child('extract');
    await c.driver();
    const bytes = await readFile(archive);
    c.feedPart(bytes.subarray(0, bytes.length >> 1));
    // The work directory has files once the extraction is under way; the child then waits for the rest of stdin.
    const work = async () => (await entries(join(c.root, 'tmp'))).filter((n) => n.startsWith('berth-load-'));
    await until('the load work directory to fill', async () => {
      const w = (await work())[0];
      return w !== undefined && (await entries(join(c.root, 'tmp', w))).length > 0;
    });
    await c.kill();
    assert.equal(c.exit?.signal, 'SIGKILL');
    assert.ok(!c.reached('at register'), 'killed before any layer was registered');
    const stack = await reopen(c.root);
    assert.equal(stack.reconciled.removedTempEntries.length, 1);
    assert.match(stack.reconciled.removedTempEntries[0]!, /^berth-load-/);
    assert.deepEqual(stack.images.images(), []);
    assert.deepEqual(stack.layerStore.list(), []);
    await loadAndRun(stack);
  });

  test('killed as soon as the first layer is committed (polled): the committed layers are collected', async (t) => {
    const c = child('first-layer');
    const driver = await c.driver();
    const committed = join(c.root, 'image', driver, 'layerdb', 'sha256');
    c.feed(archive);
    await until('a committed layer', async () => (await entries(committed)).length > 0);
    await c.kill();
    assert.equal(c.exit?.signal, 'SIGKILL');
    const stack = await reopen(c.root);
    t.diagnostic(`killed after: ${c.steps.at(-1)}; collected ${stack.reconciled.reset.removed.length} layer(s)`);
    if (!c.reached('at put')) {
      assert.deepEqual(stack.images.images(), [], `no image before its config is put (steps: ${c.steps})`);
      assert.ok(stack.reconciled.reset.removed.length >= 1, 'the committed layer was collected');
    }
    await loadAndRun(stack);
  });

  test('killed after two of three layers are registered: both are collected, top first', async () => {
    const c = child('two-layers', 'register:2');
    c.feed(archive);
    await c.waitFor('paused register:2');
    await c.kill();
    const stack = await reopen(c.root);
    assert.deepEqual(stack.images.images(), []);
    assert.deepEqual(stack.reconciled.reset.removed, [image.chain[1], image.chain[0]]);
    await loadAndRun(stack);
  });

  test('killed after every layer is registered and the config stored, before the image record', async () => {
    const c = child('config-blob', 'config-blob');
    c.feed(archive);
    await c.waitFor('paused config-blob');
    await c.kill();
    const stack = await reopen(c.root);
    assert.deepEqual(stack.images.images(), []);
    assert.deepEqual(stack.reconciled.reset.removed, [...image.chain].reverse());
    await loadAndRun(stack);
  });

  test('killed between the config blob and the image record: the config blob is not left behind', async () => {
    const c = child('config-blob-orphan', 'config-blob');
    c.feed(archive);
    await c.waitFor('paused config-blob');
    await c.kill();
    const stack = await reopen(c.root);
    assert.deepEqual(await orphanBlobs(stack), []);
  });

  test('killed after the image record, before its tag: the untagged image is whole and the load tags it', async () => {
    const c = child('put', 'put');
    c.feed(archive);
    await c.waitFor('paused put');
    await c.kill();
    const stack = await reopen(c.root);
    assert.deepEqual(
      stack.images.images().map((i) => i.id),
      [image.id],
    );
    assert.deepEqual(stack.images.repoTags(image.id), []);
    assert.deepEqual(stack.reconciled.reset.removed, []);
    await loadAndRun(stack);
  });

  test('killed after the tag, before the work directory is removed: the image stands, the directory goes', async () => {
    const c = child('tag', 'tag');
    c.feed(archive);
    await c.waitFor('paused tag');
    await c.kill();
    const stack = await reopen(c.root);
    assert.equal(stack.images.resolve(TAG).id, image.id);
    assert.equal(stack.reconciled.removedTempEntries.length, 1);
    assert.deepEqual(await orphanBlobs(stack), []);
    await loadAndRun(stack);
  });

  test('killed at fractions of a whole load’s time, the reopened store is consistent each time', async (t) => {
    // Calibrated on a warm load: the first child also pays for cold caches.
    const fullLoadMs = await wholeLoad('timed-calibration');
    t.diagnostic(`warm child load after open: ${fullLoadMs} ms`);
    for (let k = 1; k < STEPS; k++) {
      const c = child(`timed-${k}`);
      await c.driver();
      c.feed(archive);
      await new Promise((r) => setTimeout(r, (fullLoadMs * k) / STEPS));
      await c.kill();
      const stack = await reopen(c.root);
      const r = stack.reconciled;
      t.diagnostic(
        `${k}/${STEPS} of the time: killed after "${c.steps.at(-1)}"; collected ${r.reset.removed.length} layer(s), ` +
          `${r.layers.removedDriverLayers.length} driver layer(s), ${r.removedTempEntries.length} work dir(s)`,
      );
      if (!c.reached('at put')) assert.deepEqual(stack.images.images(), [], `k=${k}, steps: ${c.steps}`);
      await loadAndRun(stack);
    }
  });
});
