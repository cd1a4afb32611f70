import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { InvalidParameter } from '../../errdefs/index.js';
import { FrameKind, frame, frameReader } from '../../runtime/frames.js';
import { type AttachOptions, DEFAULT_DETACH_KEYS, parseDetachKeys, pipeAttach } from './attach.js';

describe('parseDetachKeys (Docker term.ToBytes)', () => {
  it('defaults to Ctrl-P Ctrl-Q', () => {
    assert.deepEqual(parseDetachKeys(undefined), Buffer.from([0x10, 0x11]));
    assert.deepEqual(parseDetachKeys(''), DEFAULT_DETACH_KEYS);
    assert.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), Buffer.from([0x10, 0x11]));
  });

  it('takes single characters as themselves', () => {
    assert.deepEqual(parseDetachKeys('a'), Buffer.from('a'));
    assert.deepEqual(parseDetachKeys('ctrl-a,b,Z'), Buffer.from([1, 0x62, 0x5a]));
  });

  it('maps ctrl-@ … ctrl-_ to 0 … 31', () => {
    const cases: [string, number][] = [
      ['ctrl-@', 0],
      ['ctrl-a', 1],
      ['ctrl-z', 26],
      ['ctrl-[', 27],
      ['ctrl-\\', 28],
      ['ctrl-]', 29],
      ['ctrl-^', 30],
      ['ctrl-_', 31],
    ];
    for (const [spec, code] of cases) assert.deepEqual(parseDetachKeys(spec), Buffer.from([code]), spec);
  });

  for (const bad of ['ab', 'ctrl-', 'ctrl-1', 'ctrl-A', 'ctrl-p,,ctrl-q', 'shift-a']) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => parseDetachKeys(bad),
        (e: unknown) => e instanceof InvalidParameter && e.message === `Invalid detach keys (${bad}) provided`,
      );
    });
  }
});

/** Polls until `cond` holds, failing after `ms`. */
async function waitFor(cond: () => boolean, what: string, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('pipeAttach', () => {
  let dir: string;
  let n = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-attach-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  // A failed assertion must not leave a socket holding the test process open.
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0)) s.destroy();
  });

  /** A connected pair of unix sockets: the accepted end and the connecting end. */
  async function socketPair(serverHalfOpen: boolean, clientHalfOpen: boolean): Promise<[Socket, Socket]> {
    const path = join(dir, `s${n++}.sock`);
    const server = createServer({ allowHalfOpen: serverHalfOpen });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const client = connect({ path, allowHalfOpen: clientHalfOpen });
    await once(client, 'connect');
    const [socket] = await accepted;
    server.close();
    sockets.push(socket, client);
    return [socket, client];
  }

  const OPTS: AttachOptions = {
    stdin: false,
    stdout: true,
    stderr: true,
    tty: false,
    stdinOnce: false,
    detachKeys: DEFAULT_DETACH_KEYS,
  };

  /**
   * The engine's two ends as in the daemon: the shim connection it dialled (not half-open) and the client's hijacked
   * HTTP connection (half-open, as node's HTTP server makes it). The test holds the other ends.
   */
  async function attach(opts: Partial<AttachOptions>) {
    const [shimPeer, shimEngine] = await socketPair(false, false);
    const [clientEngine, clientPeer] = await socketPair(true, true);
    const fromEngine: [number, Buffer][] = [];
    shimPeer.on(
      'data',
      frameReader((kind, payload) => fromEngine.push([kind, Buffer.from(payload)])),
    );
    const toClient: Buffer[] = [];
    clientPeer.on('data', (c: Buffer) => toClient.push(c));
    const clientEnded = once(clientPeer, 'end');
    const shimClosed = once(shimPeer, 'close');
    let settled: { detached: boolean } | undefined;
    const done = pipeAttach(shimEngine, clientEngine, { ...OPTS, ...opts }).then((r) => {
      settled = r;
      return r;
    });
    return {
      shimPeer,
      clientPeer,
      clientEngine,
      done,
      fromEngine,
      clientEnded,
      shimClosed,
      settled: () => settled,
      clientBytes: () => Buffer.concat(toClient),
      stdinBytes: () => Buffer.concat(fromEngine.filter(([k]) => k === FrameKind.Stdin).map(([, p]) => p)),
    };
  }

  it('passes frames through untouched without a TTY, and ends the client when the output ends', async () => {
    const a = await attach({});
    const out = frame(FrameKind.Stdout, Buffer.from('out\n'));
    const err = frame(FrameKind.Stderr, Buffer.from('err\n'));
    a.shimPeer.end(Buffer.concat([out, err]));
    assert.deepEqual(await a.done, { detached: false });
    await a.clientEnded;
    assert.deepEqual(a.clientBytes(), Buffer.concat([out, err]));
  });

  it('sends only the payloads with a TTY', async () => {
    const a = await attach({ tty: true });
    a.shimPeer.end(Buffer.concat([frame(FrameKind.Stdout, Buffer.from('hello ')), frame(1, Buffer.from('world'))]));
    await a.done;
    await a.clientEnded;
    assert.equal(a.clientBytes().toString(), 'hello world');
  });

  it('drops stderr when only stdout is attached, and stdout when only stderr is', async () => {
    const out = frame(FrameKind.Stdout, Buffer.from('o'));
    const err = frame(FrameKind.Stderr, Buffer.from('e'));
    const a = await attach({ stderr: false });
    a.shimPeer.end(Buffer.concat([out, err, out]));
    await a.done;
    await a.clientEnded;
    assert.deepEqual(a.clientBytes(), Buffer.concat([out, out]));
    const b = await attach({ stdout: false });
    b.shimPeer.end(Buffer.concat([out, err, out]));
    await b.done;
    await b.clientEnded;
    assert.deepEqual(b.clientBytes(), err);
  });

  it('frames what the client types as stdin (kind 0)', async () => {
    const a = await attach({ stdin: true });
    a.clientPeer.write('echo hi\n');
    await waitFor(() => a.stdinBytes().toString() === 'echo hi\n', 'stdin frame');
    assert.ok(a.fromEngine.every(([k]) => k === FrameKind.Stdin));
    assert.equal(a.settled(), undefined);
    a.shimPeer.destroy();
    assert.deepEqual(await a.done, { detached: false });
  });

  it('ignores client input when stdin is not attached', async () => {
    const a = await attach({ stdin: false });
    a.clientPeer.write('ignored');
    a.shimPeer.end(frame(FrameKind.Stdout, Buffer.from('x')));
    await a.done;
    await a.shimClosed;
    assert.deepEqual(a.fromEngine, []);
  });

  it('detaches on Ctrl-P Ctrl-Q, forwarding what came before and not the keys', async () => {
    const a = await attach({ stdin: true });
    a.clientPeer.write(Buffer.from([0x61, 0x62, 0x10, 0x11, 0x63]));
    assert.deepEqual(await a.done, { detached: true });
    await a.clientEnded;
    await a.shimClosed;
    assert.equal(a.stdinBytes().toString(), 'ab');
  });

  it('detaches when the keys arrive in separate reads', async () => {
    const a = await attach({ stdin: true });
    a.clientPeer.write(Buffer.from([0x10]));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(a.settled(), undefined);
    a.clientPeer.write(Buffer.from([0x11]));
    assert.deepEqual(await a.done, { detached: true });
    assert.equal(a.stdinBytes().length, 0);
  });

  it('a partial sequence followed by another byte forwards both', async () => {
    const a = await attach({ stdin: true });
    a.clientPeer.write(Buffer.from([0x10]));
    // Let the first byte arrive on its own where it can (the outcome is the same if the two reads merge).
    await new Promise((r) => setTimeout(r, 20));
    a.clientPeer.write('x');
    await waitFor(() => a.stdinBytes().length === 2, 'both bytes forwarded');
    assert.deepEqual(a.stdinBytes(), Buffer.from([0x10, 0x78]));
    assert.equal(a.settled(), undefined);
    // A repeated first key restarts the match: P P Q detaches after forwarding one P.
    a.clientPeer.write(Buffer.from([0x10, 0x10, 0x11]));
    assert.deepEqual(await a.done, { detached: true });
    await a.shimClosed;
    assert.deepEqual(a.stdinBytes(), Buffer.from([0x10, 0x78, 0x10]));
  });

  it('a custom single detach key detaches at once; the default keys are then plain input', async () => {
    const a = await attach({ stdin: true, detachKeys: parseDetachKeys('ctrl-x') });
    a.clientPeer.write(Buffer.from([0x10, 0x11, 0x61]));
    await waitFor(() => a.stdinBytes().length === 3, 'default keys forwarded');
    a.clientPeer.write(Buffer.from([0x62, 0x18, 0x63]));
    assert.deepEqual(await a.done, { detached: true });
    await a.shimClosed;
    assert.deepEqual(a.stdinBytes(), Buffer.from([0x10, 0x11, 0x61, 0x62]));
  });

  it('with StdinOnce, the end of the client input sends close-stdin (kind 3) and output still flows', async () => {
    const a = await attach({ stdin: true, stdinOnce: true });
    a.clientPeer.end('last line\n');
    await waitFor(() => a.fromEngine.some(([k]) => k === FrameKind.CloseStdin), 'close-stdin frame');
    assert.deepEqual(
      a.fromEngine.map(([k, p]) => [k, p.toString()]),
      [
        [FrameKind.Stdin, 'last line\n'],
        [FrameKind.CloseStdin, ''],
      ],
    );
    assert.equal(a.settled(), undefined);
    const out = frame(FrameKind.Stdout, Buffer.from('LAST LINE\n'));
    a.shimPeer.end(out);
    assert.deepEqual(await a.done, { detached: false });
    await a.clientEnded;
    assert.deepEqual(a.clientBytes(), out);
  });

  it('without StdinOnce, the end of the client input does not close the container stdin', async () => {
    const a = await attach({ stdin: true, stdinOnce: false });
    const engineSawEnd = once(a.clientEngine, 'end');
    a.clientPeer.end('x');
    await engineSawEnd;
    a.shimPeer.end();
    await a.done;
    await a.shimClosed;
    assert.deepEqual(
      a.fromEngine.map(([k]) => k),
      [FrameKind.Stdin],
    );
  });

  it('with stdin alone attached, the end of the client input ends the attach', async () => {
    const a = await attach({ stdin: true, stdout: false, stderr: false, stdinOnce: true });
    a.clientPeer.end();
    assert.deepEqual(await a.done, { detached: false });
  });

  it('awaits beforeEnd before ending the client, but not on detach', async () => {
    const order: string[] = [];
    const beforeEnd = async () => {
      await new Promise((r) => setTimeout(r, 10));
      order.push('beforeEnd');
    };
    const a = await attach({ beforeEnd });
    void a.clientEnded.then(() => order.push('client end'));
    a.shimPeer.end();
    await a.done;
    await a.clientEnded;
    assert.deepEqual(order, ['beforeEnd', 'client end']);

    order.length = 0;
    const b = await attach({ stdin: true, beforeEnd });
    b.clientPeer.write(DEFAULT_DETACH_KEYS);
    assert.deepEqual(await b.done, { detached: true });
    assert.deepEqual(order, []);
  });
});
