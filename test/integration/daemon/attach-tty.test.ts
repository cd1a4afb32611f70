// Attach and TTY details clients trip on (issue 11), checked against what Debian's dockerd 20.10 does: an exec's
// TTY translates newlines as the container's does, a TTY container's stdin outlives a detached client, and an
// attach with logs=1 replays the container's log.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { hijack } from '../../../src/client/hijack.js';
import type { Berthd } from '../../fixtures/berthd.js';
import { daemonSuite, eventually, waitStatus } from './helpers.js';

const s = await daemonSuite();
const T = { skip: s.skip, timeout: 30_000 };

/** A hijacked `POST /containers/{id}/attach?<query>`, its output gathered as it comes. */
async function attachRaw(d: Berthd, id: string, query: string) {
  const socket: Socket = connect(d.socketPath);
  const stream = await hijack(socket, {
    method: 'POST',
    path: `/containers/${id}/attach?${query}`,
    hostHeader: 'berthd',
    headers: {},
    route: 'attach',
  });
  let output = Buffer.alloc(0);
  let ended = false;
  stream.socket.on('data', (chunk: Buffer) => {
    output = Buffer.concat([output, chunk]);
  });
  const end = new Promise<void>((resolve) => {
    stream.socket.on('close', () => {
      ended = true;
      resolve();
    });
  });
  return {
    socket: stream.socket,
    output: () => output,
    ended: () => ended,
    /** Waits (bounded) until the output contains `text`. */
    until: (text: string) =>
      eventually(`attach output to contain ${JSON.stringify(text)}`, async () => output.includes(text)),
    end,
  };
}

/** Docker's multiplexed stream as (stream, text) frames. */
function demux(buf: Buffer): { stream: number; text: string }[] {
  const out: { stream: number; text: string }[] = [];
  for (let at = 0; at + 8 <= buf.length; ) {
    const len = buf.readUInt32BE(at + 4);
    out.push({ stream: buf[at] as number, text: buf.subarray(at + 8, at + 8 + len).toString() });
    at += 8 + len;
  }
  return out;
}

test('exec -t translates \\n to \\r\\n, as run -t does (the exec gets a terminal like the container)', T, async () => {
  await s.d.docker('run', '-d', '--name', 'exec-tty', 'busybox', 'sleep', '300');
  const exec = await s.d.docker('exec', '-t', 'exec-tty', 'echo', 'hi');
  assert.equal(exec.stdout, 'hi\r\n');
  const run = await s.d.docker('run', '--rm', '-t', 'busybox', 'echo', 'hi');
  assert.equal(run.stdout, 'hi\r\n');
  await s.d.docker('rm', '-f', 'exec-tty');
});

test('a TTY container created with StdinOnce keeps its stdin after a client detaches', T, async () => {
  // What `docker run -it` creates: OpenStdin + StdinOnce + Tty.
  const id = (await s.d.docker('create', '-it', '--name', 'tty-once', 'busybox', 'cat')).stdout.trim();
  await s.d.docker('start', 'tty-once');
  const q = 'stream=1&stdin=1&stdout=1&stderr=1';

  const first = await attachRaw(s.d, id, q);
  first.socket.write('one\n');
  await first.until('one\r\none\r\n'); // the terminal's echo, then cat's copy
  first.socket.write(Buffer.from([0x10, 0x11])); // Ctrl-P Ctrl-Q
  await first.end;
  assert.equal(await waitStatus(s.d, 'tty-once', 'running'), true);

  const second = await attachRaw(s.d, id, q);
  second.socket.write('two\n');
  await second.until('two\r\ntwo\r\n');
  second.socket.destroy();
  await s.d.docker('rm', '-f', 'tty-once');
});

test('a TTY container keeps its stdin when a StdinOnce client closes its input', T, async () => {
  const id = (await s.d.docker('create', '-it', '--name', 'tty-once-eof', 'busybox', 'cat')).stdout.trim();
  await s.d.docker('start', 'tty-once-eof');
  const q = 'stream=1&stdin=1&stdout=1&stderr=1';
  const first = await attachRaw(s.d, id, q);
  first.socket.write('one\n');
  await first.until('one\r\none\r\n');
  first.socket.end(); // the client's input ends; only a non-TTY container's stdin closes with it
  first.socket.destroy();
  await first.end;

  const second = await attachRaw(s.d, id, q);
  second.socket.write('two\n');
  await second.until('two\r\ntwo\r\n');
  second.socket.destroy();
  await s.d.docker('rm', '-f', 'tty-once-eof');
});

test('attach with logs=1&stream=0 replays an exited container’s log, multiplexed without a TTY', T, async () => {
  const id = (
    await s.d.docker('run', '-d', '--name', 'replayed', 'busybox', 'sh', '-c', 'echo out; echo err >&2; echo out2')
  ).stdout.trim();
  await s.d.docker('wait', id);
  const a = await attachRaw(s.d, id, 'logs=1&stream=0&stdout=1&stderr=1');
  await a.end;
  const frames = demux(a.output());
  // Each stream in order; how the two interleave is the order the shim read them in, which is not fixed.
  assert.deepEqual(
    frames.filter((f) => f.stream === 1).map((f) => f.text),
    ['out\n', 'out2\n'],
  );
  assert.deepEqual(
    frames.filter((f) => f.stream === 2).map((f) => f.text),
    ['err\n'],
  );

  const onlyOut = await attachRaw(s.d, id, 'logs=1&stream=0&stdout=1');
  await onlyOut.end;
  assert.deepEqual(demux(onlyOut.output()), [
    { stream: 1, text: 'out\n' },
    { stream: 1, text: 'out2\n' },
  ]);
  await s.d.docker('rm', 'replayed');
});

test('attach with logs=1&stream=0 replays a TTY container’s log raw', T, async () => {
  const id = (await s.d.docker('run', '-d', '-t', '--name', 'replayed-tty', 'busybox', 'echo', 'hello')).stdout.trim();
  await s.d.docker('wait', id);
  const a = await attachRaw(s.d, id, 'logs=1&stream=0&stdout=1&stderr=1');
  await a.end;
  assert.equal(a.output().toString(), 'hello\r\n');
  await s.d.docker('rm', 'replayed-tty');
});
