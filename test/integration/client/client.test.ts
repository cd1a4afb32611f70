// The Engine API client against a real engine: Debian's dockerd in its sandbox today, berthd later (only startEngine
// changes). Every container runs with --network none (the sandbox has no bridge) and is removed in `after`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { ContainerCreateRequest } from '../../../src/api/containers.js';
import { Client, type HijackedStream, demux, isApiError } from '../../../src/client/index.js';
import { Conflict, NotFound } from '../../../src/errdefs/index.js';
import { dockerdSkipReason, startDockerd } from '../../fixtures/dockerd.js';
import { busyboxRootfs } from '../../fixtures/rootfs.js';

interface Engine {
  name: string;
  host: string;
  stop(): Promise<void>;
}

/** The one engine-specific piece: start a sandboxed engine and say where it listens. */
async function startEngine(): Promise<Engine> {
  const d = await startDockerd();
  return { name: `dockerd (${d.storageDriver})`, host: d.host, stop: () => d.stop() };
}
const skip = await dockerdSkipReason();

const IMAGE = 'busybox:latest';
const RUN = `berth-client-${process.pid}`;
const T = { timeout: 60_000, skip };

let engine: Engine | undefined;
let client: Client;
let work: string;
let importedId: string | undefined;
const created: string[] = [];
const sockets: HijackedStream[] = [];

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), 'berth-client-it-'));
  engine = await startEngine();
  client = new Client({ host: engine.host });
  const tar = spawnTar(['-C', await busyboxRootfs(), '-cf', '-', '.']);
  const r = await client.images.import(tar.stdout, { repo: IMAGE, changes: ['CMD ["sh"]'], message: 'busybox' });
  await tar.done;
  importedId = r.id;
});

after(async () => {
  if (skip) return;
  for (const h of sockets) h.socket.destroy();
  try {
    for (const id of created) await client?.containers.remove(id, { force: true }).catch(() => {});
    client?.close();
  } finally {
    await engine?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  }
});

/** `tar` with its stdout as a stream; `done` rejects unless it exits 0. */
function spawnTar(args: string[]): { stdout: Readable; done: Promise<void> } {
  const child = spawn('tar', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar ${args.join(' ')} exited ${code}`))));
  });
  return { stdout: child.stdout, done };
}

/** Reads a tar stream with `tar -xOf -`: the concatenated contents of its regular files. */
function untarContents(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', ['-xOf', '-'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`tar -x exited ${code}`))));
    stream.pipe(child.stdin);
  });
}

async function create(body: Omit<ContainerCreateRequest, 'Image'>, name?: string): Promise<string> {
  const labels = { 'berth.test.run': RUN, ...body.Labels };
  const { Id } = await client.containers.create(
    { Image: IMAGE, ...body, Labels: labels, HostConfig: { NetworkMode: 'none', ...body.HostConfig } },
    { name },
  );
  created.push(Id);
  return Id;
}

async function startSleeper(extra: Omit<ContainerCreateRequest, 'Image'> = {}): Promise<string> {
  const id = await create({ Cmd: ['sleep', '1000'], StopTimeout: 1, ...extra });
  await client.containers.start(id);
  return id;
}

/** Rejects if `p` has not settled within `ms`. */
async function within<V>(p: Promise<V>, ms: number, what: string): Promise<V> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` until it returns a value other than undefined, for at most `ms`. */
async function eventually<V>(check: () => Promise<V | undefined>, ms: number, what: string): Promise<V> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function demuxed(stream: AsyncIterable<Buffer | string>): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  await demux(
    stream,
    (b) => {
      out += b.toString();
    },
    (b) => {
      err += b.toString();
    },
  );
  return { out, err };
}

test('ping, version and info answer, with the API version negotiated down to the daemon', T, async () => {
  const ping = await client.ping();
  assert.ok(ping.apiVersion, 'the daemon sends API-Version');
  assert.equal(ping.osType, 'linux');
  const expected = Number(ping.apiVersion?.split('.')[1]) < 47 ? ping.apiVersion : '1.47';
  assert.equal(await client.apiVersion(), expected);
  const v = await client.version();
  assert.equal(v.ApiVersion, ping.apiVersion);
  assert.equal(v.Os, 'linux');
  const info = await client.info();
  assert.equal(typeof info.Containers, 'number');
  const df = await client.df();
  assert.ok(df.Images?.some((i) => i.Id === importedId));
});

test('image import turns a root filesystem tar into busybox:latest', T, async () => {
  assert.match(importedId ?? '', /^sha256:[0-9a-f]{64}$/);
  const img = await client.images.inspect(IMAGE);
  assert.equal(img.Id, importedId);
  assert.deepEqual(img.RepoTags, [IMAGE]);
  assert.deepEqual(img.Config?.Cmd, ['sh']);
  assert.equal(img.Comment, 'busybox');
  const broken = await client.images
    .import(Buffer.from('this is not a tar archive'), { repo: 'broken:1' })
    .catch((e: unknown) => e);
  assert.ok(broken instanceof Error, 'a bad tar is reported from the progress stream');
});

test('create, start, wait and logs: exit status and demultiplexed stdout/stderr', T, async () => {
  const id = await create({ Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'] });
  const { result } = await client.containers.waitRegistered(id, 'next-exit');
  await client.containers.start(id);
  assert.equal((await within(result, 20_000, 'exit')).StatusCode, 3);
  assert.deepEqual(await demuxed(await client.containers.logs(id)), { out: 'out\n', err: 'err\n' });
  assert.deepEqual(await demuxed(await client.containers.logs(id, { stderr: true })), { out: '', err: 'err\n' });
  const state = (await client.containers.inspect(id)).State;
  assert.equal(state.Status, 'exited');
  assert.equal(state.ExitCode, 3);
  assert.equal((await client.containers.wait(id)).StatusCode, 3, 'wait on an exited container answers at once');
});

test('attach hijacks the connection: stdin sent to cat comes back on stdout', T, async () => {
  const id = await create({
    Cmd: ['cat'],
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
  });
  const h = await client.containers.attach(id, { stdin: true, stdout: true, stderr: true });
  sockets.push(h);
  assert.ok(h.status === 101 || h.status === 200);
  const output = demuxed(h.socket);
  await client.containers.start(id);
  h.socket.write('hello through the hijack\n');
  h.closeWrite();
  assert.deepEqual(await within(output, 20_000, 'attach output'), { out: 'hello through the hijack\n', err: '' });
  assert.equal((await within(client.containers.wait(id), 20_000, 'exit')).StatusCode, 0);
});

test('exec create/start/inspect: output and exit code, and detached exec', T, async () => {
  const id = await startSleeper();
  const { Id: execId } = await client.exec.create(id, {
    Cmd: ['sh', '-c', 'echo hi; echo there >&2; exit 7'],
    AttachStdout: true,
    AttachStderr: true,
  });
  const h = await client.exec.start(execId);
  sockets.push(h);
  assert.deepEqual(await within(demuxed(h.socket), 20_000, 'exec output'), { out: 'hi\n', err: 'there\n' });
  const done = await eventually(
    async () => {
      const i = await client.exec.inspect(execId);
      return i.Running ? undefined : i;
    },
    10_000,
    'the exec to finish',
  );
  assert.equal(done.ExitCode, 7);
  assert.equal(done.ContainerID, id);

  const { Id: detached } = await client.exec.create(id, { Cmd: ['touch', '/tmp/detached'] });
  assert.equal(await client.exec.start(detached, { Detach: true }), undefined);
  const d = await eventually(
    async () => {
      const i = await client.exec.inspect(detached);
      return i.Running || i.ExitCode === null ? undefined : i;
    },
    10_000,
    'the detached exec to finish',
  );
  assert.equal(d.ExitCode, 0);
  assert.equal((await client.containers.statPath(id, '/tmp/detached')).size, 0);
});

test('inspect and list with filters', T, async () => {
  const name = `${RUN}-listed`;
  const marker = `${RUN}-list`;
  const id = await create({ Cmd: ['true'], Labels: { marker } }, name);
  const info = await client.containers.inspect(name);
  assert.equal(info.Id, id);
  assert.equal(info.Name, `/${name}`);
  assert.equal(info.Config.Labels?.marker, marker);
  assert.equal(info.State.Status, 'created');

  const byLabel = await client.containers.list({ all: true, filters: { label: [`marker=${marker}`] } });
  assert.deepEqual(
    byLabel.map((c) => [c.Id, c.Names]),
    [[id, [`/${name}`]]],
  );
  assert.equal(byLabel[0]?.State, 'created');
  const running = await client.containers.list({ filters: { label: [`marker=${marker}`] } });
  assert.deepEqual(running, [], 'without all, created containers are not listed');
  const byStatus = await client.containers.list({ all: true, filters: { status: 'created', name } });
  assert.deepEqual(
    byStatus.map((c) => c.Id),
    [id],
  );
  const limited = await client.containers.list({ all: true, limit: 1 });
  assert.equal(limited.length, 1);
});

test('archive put, head (stat) and get', T, async () => {
  const id = await create({ Cmd: ['true'] });
  const src = join(work, 'archive-src');
  await rm(src, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(src));
  await writeFile(join(src, 'hello.txt'), 'hi archive');
  const tar = spawnTar(['-C', src, '-cf', '-', 'hello.txt']);
  await client.containers.putArchive(id, '/tmp', tar.stdout);
  await tar.done;

  const stat = await client.containers.statPath(id, '/tmp/hello.txt');
  assert.equal(stat.name, 'hello.txt');
  assert.equal(stat.size, 10);
  const got = await client.containers.getArchive(id, '/tmp/hello.txt');
  assert.equal(got.stat.name, 'hello.txt');
  assert.equal(got.stat.size, 10);
  assert.equal(await untarContents(got.stream), 'hi archive');

  await assert.rejects(client.containers.statPath(id, '/tmp/absent'), NotFound);
  await assert.rejects(client.containers.putArchive(id, '/no/such/dir', Buffer.alloc(1024)), NotFound);
});

test('kill, stop, a conflicting remove, and forced remove', T, async () => {
  const id = await startSleeper();
  const { result } = await client.containers.waitRegistered(id);
  await client.containers.kill(id, 'SIGKILL');
  assert.equal((await within(result, 20_000, 'exit after SIGKILL')).StatusCode, 137);

  await client.containers.start(id);
  await client.containers.stop(id, { t: 1 });
  const stopped = await client.containers.inspect(id);
  assert.equal(stopped.State.Running, false);
  assert.notEqual(stopped.State.ExitCode, 0);

  await client.containers.restart(id, { t: 1 });
  assert.equal((await client.containers.inspect(id)).State.Running, true);
  const conflict = await client.containers.remove(id).catch((e: unknown) => e);
  assert.ok(conflict instanceof Conflict && isApiError(conflict), 'removing a running container is a Conflict');
  assert.equal(conflict.status, 409);
  await client.containers.remove(id, { force: true });
  await assert.rejects(client.containers.inspect(id), NotFound);
});

test('a missing container or image is NotFound with status 404 and the daemon message', T, async () => {
  const err = await client.containers.inspect('no-such-container-berth').catch((e: unknown) => e);
  assert.ok(err instanceof NotFound && isApiError(err));
  assert.equal(err.status, 404);
  assert.equal(err.message, 'No such container: no-such-container-berth');
  await assert.rejects(client.containers.start('no-such-container-berth'), NotFound);
  await assert.rejects(client.containers.attach('no-such-container-berth', { stdout: true }), NotFound);
  await assert.rejects(client.images.inspect('no-such-image-berth:latest'), NotFound);
});

test('images: list with filters, inspect, history, tag and remove', T, async () => {
  await client.images.tag(IMAGE, 'berth-test/bb', 'v1');
  const listed = await client.images.list({ filters: { reference: 'berth-test/bb' } });
  assert.equal(listed.length, 1);
  assert.equal(listed[0]?.Id, importedId);
  assert.deepEqual(listed[0]?.RepoTags, ['berth-test/bb:v1'], 'a reference filter shows only the matching tags');
  assert.ok((await client.images.list()).some((i) => i.Id === importedId));
  assert.deepEqual((await client.images.inspect('berth-test/bb:v1')).Id, importedId);
  const history = await client.images.history('berth-test/bb:v1');
  assert.equal(history[0]?.Id, importedId);
  assert.deepEqual(await client.images.remove('berth-test/bb:v1'), [{ Untagged: 'berth-test/bb:v1' }]);
  await assert.rejects(client.images.inspect('berth-test/bb:v1'), NotFound);
  assert.equal((await client.images.inspect(IMAGE)).Id, importedId, 'the other tag is untouched');
});

test('the event stream delivers a container start', T, async () => {
  const events = await client.events({ filters: { type: ['container'], event: ['start'] } });
  try {
    const id = await create({ Cmd: ['true'] });
    await client.containers.start(id);
    const seen = within(
      (async () => {
        for await (const e of events) if (e.Actor.ID === id) return e;
        return undefined;
      })(),
      20_000,
      'the start event',
    );
    const e = await seen;
    assert.equal(e?.Type, 'container');
    assert.equal(e?.Action, 'start');
    assert.equal(e?.Actor.Attributes.image, IMAGE);
  } finally {
    events.close();
  }
});

test('pause, unpause, rename, top, update, resize, stats and changes', T, async () => {
  const id = await startSleeper({ Tty: true });
  await client.containers.pause(id);
  assert.equal((await client.containers.inspect(id)).State.Status, 'paused');
  await client.containers.unpause(id);
  assert.equal((await client.containers.inspect(id)).State.Status, 'running');

  const name = `${RUN}-renamed`;
  await client.containers.rename(id, name);
  assert.equal((await client.containers.inspect(name)).Id, id);

  const top = await client.containers.top(id);
  assert.ok(top.Titles.includes('PID'));
  assert.ok(top.Processes.some((p) => p.join(' ').includes('sleep 1000')));

  const upd = await client.containers.update(id, { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } });
  assert.ok(upd.Warnings === null || Array.isArray(upd.Warnings));
  assert.equal((await client.containers.inspect(id)).HostConfig.RestartPolicy?.Name, 'on-failure');

  await client.containers.resize(id, { h: 40, w: 100 });

  const stats = await client.containers.stats(id, { stream: false, oneShot: true });
  assert.equal(typeof stats.read, 'string');
  const live = await client.containers.stats(id);
  let samples = 0;
  for await (const s of live) {
    assert.equal(typeof s.read, 'string');
    if (++samples === 2) break;
  }

  const exec = await client.exec.create(id, { Cmd: ['mkdir', '/made-here'] });
  await client.exec.start(exec.Id, { Detach: true });
  const changes = await eventually(
    async () => {
      const c = await client.containers.changes(id);
      return c.some((x) => x.Path === '/made-here') ? c : undefined;
    },
    10_000,
    'the change to show',
  );
  assert.equal(changes.find((x) => x.Path === '/made-here')?.Kind, 1);
});

test('commit, save (get), load, export and prune', T, async () => {
  const id = await create({ Cmd: ['sh', '-c', 'echo committed > /marker'] });
  await client.containers.start(id);
  assert.equal((await within(client.containers.wait(id), 20_000, 'exit')).StatusCode, 0);

  const exported = await untarContents(await client.containers.export(id)).catch((e: unknown) => e);
  assert.ok(typeof exported === 'string' && exported.includes('committed\n'), 'export holds /marker');

  const { Id: committed } = await client.images.commit(id, {
    repo: 'berth-test/committed',
    tag: 'v1',
    comment: 'from the client test',
    changes: ['ENV BERTH=1'],
    config: { Labels: { committed: 'yes' } },
  });
  const img = await client.images.inspect('berth-test/committed:v1');
  assert.equal(img.Id, committed);
  assert.equal(img.Comment, 'from the client test');
  assert.ok(img.Config?.Env?.includes('BERTH=1'));

  const saved = join(work, 'saved.tar');
  const { createWriteStream, createReadStream } = await import('node:fs');
  const { pipeline } = await import('node:stream/promises');
  await pipeline(await client.images.get(['berth-test/committed:v1']), createWriteStream(saved));
  await client.images.remove('berth-test/committed:v1');
  await assert.rejects(client.images.inspect('berth-test/committed:v1'), NotFound);
  const loaded = await client.images.load(createReadStream(saved));
  assert.ok(loaded.some((m) => m.stream?.includes('berth-test/committed:v1')));
  assert.equal((await client.images.inspect('berth-test/committed:v1')).Id, committed);
  await client.images.remove('berth-test/committed:v1');

  const pruned = await client.containers.prune({ label: [`berth.test.run=${RUN}`] });
  assert.ok(pruned.ContainersDeleted?.includes(id));
  await assert.rejects(client.containers.inspect(id), NotFound);
  const imagePrune = await client.images.prune({ dangling: 'true' });
  assert.equal(typeof imagePrune.SpaceReclaimed, 'number');
});
