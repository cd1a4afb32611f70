// Attach and TTY details clients trip on (issue 11), checked against what Debian's dockerd 20.10 does: an exec's
// TTY translates newlines as the container's does, and a TTY container's stdin outlives a detached client.
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
